//! A JavaScript error in words: what was being done, then the browser's message
//! (a DOMException's or an Error's `message`, else the value as it prints).

use super::error::WebError;
use js_sys::Reflect;
use wasm_bindgen::JsValue;

/// The browser refused `what`: its error, as the browser's kind of `WebError`.
pub fn js_error(what: &str, e: JsValue) -> WebError {
    let text = Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or(format!("{e:?}"));
    WebError::browser(format!("{what}: {text}"))
}
