//! A drawer: a panel that opens beside the run on a wide screen and over it on a
//! narrow one, with its own heading and a Close button. Closed, it stays in the
//! page (hidden), so what it holds (an SQL console's connection, a half-typed
//! statement) lives on. Opening moves the focus to its heading; closing gives it
//! back to the button that opens it.

use super::{use_shell, DrawerKind, ShellState};
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DrawerProps {
    pub kind: DrawerKind,
    pub children: Html,
}

fn element(id: &str) -> Option<HtmlElement> {
    web_sys::window()?
        .document()?
        .get_element_by_id(id)?
        .dyn_into()
        .ok()
}

#[function_component(Drawer)]
pub fn drawer(props: &DrawerProps) -> Html {
    let shell = use_shell();
    let open = shell.as_ref().is_some_and(|s| s.drawer == Some(props.kind));
    let id = props.kind.id();
    let was_open = use_mut_ref(|| false);
    use_effect_with(open, move |open| {
        let heading = element(&format!("drawer-{id}-title"));
        if *open {
            if let Some(h) = heading {
                let _ = h.focus();
            }
        } else if *was_open.borrow() {
            // Give the focus back if it was in the drawer (or nowhere).
            let active = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.active_element());
            let inside = match (&active, element(&format!("drawer-{id}"))) {
                (Some(a), Some(d)) => d.contains(Some(a)),
                _ => true,
            };
            let on_body = active.is_some_and(|a| a.tag_name() == "BODY");
            if inside || on_body {
                if let Some(b) = element(&format!("toggle-{id}")) {
                    let _ = b.focus();
                }
            }
        }
        *was_open.borrow_mut() = *open;
    });
    let close = {
        let shell = shell.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(s) = &shell {
                s.set(ShellState {
                    drawer: None,
                    ..(**s).clone()
                });
            }
        })
    };
    html! {
        <aside class="drawer" id={format!("drawer-{id}")} data-testid={format!("drawer-{id}")}
            hidden={!open} aria-labelledby={format!("drawer-{id}-title")}>
            <div class="drawer-head">
                <h2 id={format!("drawer-{id}-title")} tabindex="-1">{ props.kind.title() }</h2>
                <button class="close" onclick={close} data-testid={format!("close-{id}")}
                    aria-label={format!("Close {} (Esc)", props.kind.title())}>{ "\u{2715}" }</button>
            </div>
            <div class="drawer-body">{ props.children.clone() }</div>
        </aside>
    }
}
