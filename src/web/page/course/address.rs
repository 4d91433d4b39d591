//! The page's address names the lesson: `#lesson=wall-of-red`. The hash is a list
//! of `key=value` pairs joined by `&`; this file reads and writes the `lesson`
//! pair and leaves any other pair as it is. A link to a lesson that does not
//! exist opens the first lesson and says so.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The hash's pairs, in order (without the leading `#`).
fn pairs(hash: &str) -> Vec<(String, String)> {
    hash.trim_start_matches('#')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect()
}

/// The lesson the address names, if any.
pub fn lesson_in_address() -> Option<String> {
    pairs(&hash())
        .into_iter()
        .find(|(k, _)| k == "lesson")
        .map(|(_, v)| v)
}

/// The address of `lesson`, keeping the hash's other pairs.
pub fn address_of(lesson: &str) -> String {
    let mut pairs = pairs(&hash());
    match pairs.iter_mut().find(|(k, _)| k == "lesson") {
        Some(pair) => pair.1 = lesson.to_string(),
        None => pairs.insert(0, ("lesson".to_string(), lesson.to_string())),
    }
    let joined: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
        .collect();
    format!("#{}", joined.join("&"))
}

/// Call `on_change` with the lesson the address names whenever the hash changes
/// (a link, Back, a typed address).
#[hook]
pub fn use_lesson_address(on_change: Callback<Option<String>>) {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn()>::new(move || on_change.emit(lesson_in_address()));
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ =
                w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
