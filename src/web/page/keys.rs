//! Keys that drive the page from anywhere but a field: a hook that hands each
//! key press to the latest handler of a component. Typing in a text field, a
//! select or a number field is typing; Space on a button or a radio presses it;
//! a key with Ctrl, Alt or Meta belongs to the browser.

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

/// Whether `e` is typing into, or pressing, the element it was sent to.
fn for_the_element(e: &KeyboardEvent) -> bool {
    let Some(el) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else {
        return false;
    };
    match el.tag_name().as_str() {
        "TEXTAREA" | "SELECT" => true,
        "INPUT" => {
            let kind = el
                .dyn_ref::<HtmlInputElement>()
                .map(|i| i.type_())
                .unwrap_or_default();
            match kind.as_str() {
                "radio" | "checkbox" | "button" => e.key() == " ",
                _ => true,
            }
        }
        "BUTTON" | "A" => e.key() == " " || e.key() == "Enter",
        _ => false,
    }
}

/// A component's handler of keys: true when it used the key.
type Handler = Box<dyn Fn(&KeyboardEvent) -> bool>;

/// Call `handler` with every key pressed on the page that is not for a field;
/// when it returns true the key was used and its default action is prevented.
/// The handler is the one of the latest render.
#[hook]
pub fn use_page_keys(handler: impl Fn(&KeyboardEvent) -> bool + 'static) {
    let latest: Rc<RefCell<Handler>> =
        use_mut_ref(|| Box::new(|_: &KeyboardEvent| false) as Handler);
    *latest.borrow_mut() = Box::new(handler);
    use_effect_with((), move |_| {
        let on_key = Closure::<dyn Fn(KeyboardEvent)>::new(move |e: KeyboardEvent| {
            if for_the_element(&e) || e.ctrl_key() || e.meta_key() || e.alt_key() {
                return;
            }
            if (latest.borrow())(&e) {
                e.prevent_default();
            }
        });
        let document = web_sys::window().and_then(|w| w.document());
        if let Some(d) = &document {
            let _ = d.add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        }
        move || {
            if let Some(d) = document {
                let _ = d.remove_event_listener_with_callback(
                    "keydown",
                    on_key.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
