//! Lessons opened from links (docs/lesson.md): `#lesson-url=ADDRESS` fetches a
//! lesson file or a course file (and the lesson files it names, from beside
//! it) from a host that allows it (CORS; https, or http on this machine),
//! `#lesson-data=TEXT` carries one in the address itself, deflated
//! (the browser's CompressionStream, "deflate-raw") and written in base64url.
//! Either opens the lesson (`lessons::file::open`) and puts the lesson's own
//! address (`#lesson=ID`) in place of the link's; what goes wrong is said in
//! words, to be shown on the page.

use crate::lessons;
use crate::web::error::WebError;
use js_sys::{Array, Function, Promise, Reflect, Uint8Array};
use serde_json::Value;
use std::collections::HashMap;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The lesson link in the address, if there is one: its kind and its value (an
/// address is percent-decoded: `#lesson-url=` + encodeURIComponent(address)).
pub fn in_address() -> Option<(&'static str, String)> {
    ["lesson-url", "lesson-data"]
        .into_iter()
        .find_map(|key| super::address::value_of(key).map(|v| (key, v)))
        .map(|(key, v)| match key {
            "lesson-url" => {
                let decoded = js_sys::decode_uri_component(&v)
                    .ok()
                    .and_then(|d| d.as_string());
                (key, decoded.unwrap_or(v))
            }
            _ => (key, v),
        })
}

/// Open the lesson the link names (a course's lessons, all of them); the id of
/// the (first) lesson, or why it could not be opened. The lesson files a
/// course names are fetched from beside it.
pub async fn open(kind: &str, value: &str) -> Result<&'static str, WebError> {
    let text = match kind {
        "lesson-url" => fetch_text(value).await?,
        _ => inflate(&from_base64url(value)?).await?,
    };
    let doc: Value = serde_json::from_str(&text)
        .map_err(|e| WebError::refused(format!("the lesson is not JSON: {e}")))?;
    let mut fetched: HashMap<String, Result<String, String>> = HashMap::new();
    if lessons::file::course::is_course(&doc) {
        let course = lessons::file::course::parse(&doc)
            .map_err(|e| WebError::refused(format!("course: {e}")))?;
        for name in course.file_names() {
            let text = match (kind, web_sys::Url::new_with_base(name, value)) {
                ("lesson-url", Ok(url)) => fetch_text(&url.href()).await.map_err(|e| e.message),
                _ => Err("a course in a #lesson-data= link holds its lessons in place".into()),
            };
            fetched.insert(name.to_string(), text);
        }
    }
    let text_of = |name: &str| {
        fetched
            .get(name)
            .cloned()
            .unwrap_or_else(|| Err("not fetched".into()))
    };
    lessons::file::open_any(&doc, &text_of)
        .map(|opened| opened[0].id)
        .map_err(|e| WebError::refused(e.to_string()))
}

/// The self-contained link of a lesson file's text: `#lesson-data=...`.
pub async fn data_hash(text: &str) -> Result<String, WebError> {
    Ok(format!(
        "#lesson-data={}",
        to_base64url(&deflate(text.as_bytes()).await?)
    ))
}

async fn fetch_text(url: &str) -> Result<String, WebError> {
    let allowed = url.starts_with("https://")
        || ["http://127.0.0.1", "http://localhost"]
            .iter()
            .any(|local| url.starts_with(local));
    if !allowed {
        return Err(WebError::refused(format!(
            "{url} is not an https:// address (http is taken from this machine only)"
        )));
    }
    let window = web_sys::window().ok_or_else(|| WebError::browser("no window"))?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| {
            WebError::refused(format!(
                "{url} could not be fetched: the host is unreachable, or does not allow \
             other sites to read it (CORS: Access-Control-Allow-Origin) ({})",
                js_text(&e)
            ))
        })?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| WebError::browser("fetch gave no response"))?;
    if !response.ok() {
        return Err(WebError::refused(format!(
            "{url} answered {} {}",
            response.status(),
            response.status_text()
        )));
    }
    let text = response
        .text()
        .map_err(|e| WebError::browser(js_text(&e)))?;
    JsFuture::from(text)
        .await
        .map_err(|e| WebError::browser(js_text(&e)))?
        .as_string()
        .ok_or_else(|| WebError::browser("the response's text is not text"))
}

/// `bytes` through the browser's (De)CompressionStream `kind`, "deflate-raw".
async fn through(stream_kind: &str, bytes: &[u8]) -> Result<Vec<u8>, WebError> {
    let global = js_sys::global();
    let class = |name: &str| -> Result<Function, WebError> {
        Reflect::get(&global, &name.into())
            .ok()
            .and_then(|c| c.dyn_into().ok())
            .ok_or_else(|| WebError::browser(format!("this browser has no {name}")))
    };
    let fail = |e: JsValue| WebError::browser(js_text(&e));
    let stream = Reflect::construct(&class(stream_kind)?, &Array::of1(&"deflate-raw".into()))
        .map_err(fail)?;
    let parts = Array::of1(&Uint8Array::from(bytes).into());
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).map_err(fail)?;
    let call = |target: &JsValue, name: &str, args: &Array| -> Result<JsValue, WebError> {
        let f: Function = Reflect::get(target, &name.into())
            .map_err(fail)?
            .dyn_into()
            .map_err(|_| WebError::browser(format!("no {name}")))?;
        f.apply(target, args).map_err(fail)
    };
    let piped = call(
        &call(&blob, "stream", &Array::new())?,
        "pipeThrough",
        &Array::of1(&stream),
    )?;
    let response = Reflect::construct(&class("Response")?, &Array::of1(&piped)).map_err(fail)?;
    let buffer: Promise = call(&response, "arrayBuffer", &Array::new())?
        .dyn_into()
        .map_err(|_| WebError::browser("arrayBuffer gave no promise"))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| {
        WebError::refused(format!(
            "the lesson's data could not be read: {}",
            js_text(&e)
        ))
    })?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

async fn deflate(bytes: &[u8]) -> Result<Vec<u8>, WebError> {
    through("CompressionStream", bytes).await
}

async fn inflate(bytes: &[u8]) -> Result<String, WebError> {
    let raw = through("DecompressionStream", bytes).await?;
    String::from_utf8(raw).map_err(|_| WebError::refused("the lesson's data is not text"))
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

fn to_base64url(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
        }
    }
    out
}

fn from_base64url(text: &str) -> Result<Vec<u8>, WebError> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for c in text.bytes() {
        let v = ALPHABET.iter().position(|a| *a == c).ok_or_else(|| {
            WebError::refused(format!(
                "the lesson's data holds `{}`, which base64url has not",
                c as char
            ))
        })?;
        bits = (bits << 6) | v as u32;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    Ok(out)
}

fn js_text(e: &JsValue) -> String {
    e.as_string()
        .or_else(|| Reflect::get(e, &"message".into()).ok()?.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}
