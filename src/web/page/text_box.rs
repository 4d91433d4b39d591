//! A text box whose value lives in a state: what the SQL console and "Your
//! lesson" type into.

use wasm_bindgen::JsCast;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// The `oninput` of a textarea that keeps its value in `text`.
pub fn kept_in(text: &UseStateHandle<String>) -> Callback<InputEvent> {
    let text = text.clone();
    Callback::from(move |e: InputEvent| {
        if let Some(area) = e
            .target()
            .and_then(|t| t.dyn_into::<HtmlTextAreaElement>().ok())
        {
            text.set(area.value());
        }
    })
}
