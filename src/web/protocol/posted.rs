//! What is posted: a message's bytes beside the protocol it speaks (and the
//! page's shared buffers), and back.

use super::{FromWorker, ToWorker, PROTOCOL};
use crate::web::error::WebError;
use crate::wire::{to_bytes, Reader, Wire};
use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};

/// `{ protocol, message }`, and more fields given as pairs.
fn posted(bytes: &[u8], more: &[(&str, &JsValue)]) -> JsValue {
    let posted = Object::new();
    let _ = Reflect::set(&posted, &"protocol".into(), &PROTOCOL.into());
    let _ = Reflect::set(&posted, &"message".into(), &Uint8Array::from(bytes));
    for (key, value) in more {
        let _ = Reflect::set(&posted, &(*key).into(), value);
    }
    posted.into()
}

/// The protocol a posted value says it speaks, if it says one.
fn protocol_of(data: &JsValue) -> Option<f64> {
    Reflect::get(data, &"protocol".into())
        .ok()
        .and_then(|v| v.as_f64())
}

/// The message of a posted value of this protocol.
fn message_of<T: Wire>(data: &JsValue) -> Result<T, WebError> {
    let bytes = Reflect::get(data, &"message".into())
        .ok()
        .and_then(|v| v.dyn_into::<Uint8Array>().ok())
        .ok_or_else(|| WebError::worker("a message without its bytes"))?;
    Reader::whole(&bytes.to_vec()).map_err(|e| WebError::worker(format!("unreadable message: {e}")))
}

impl ToWorker {
    /// What the page posts: `{ protocol, message, buffers }`.
    pub fn to_posted(&self, buffers: &Array) -> JsValue {
        posted(&to_bytes(self), &[("buffers", buffers)])
    }

    /// What a worker received, back as a message and its buffers; an error names
    /// what is wrong (another protocol, no message, unreadable bytes).
    pub fn from_posted(data: &JsValue) -> Result<(ToWorker, Array), WebError> {
        let protocol = protocol_of(data);
        if protocol != Some(f64::from(PROTOCOL)) {
            return Err(WebError::worker(format!(
                "the page speaks protocol {}, this worker {PROTOCOL}: they come from different \
                 builds of locklab (a cached worker file?); reload the page",
                // In JavaScript's words (a worker formats no float).
                protocol.map_or("none".to_string(), |p| {
                    js_sys::Number::from(p)
                        .to_string_with_radix(10)
                        .map_or_else(|_| "?".into(), String::from)
                })
            )));
        }
        let message = message_of(data)?;
        let buffers = Reflect::get(data, &"buffers".into())
            .ok()
            .and_then(|v| v.dyn_into::<Array>().ok())
            .unwrap_or_default();
        Ok((message, buffers))
    }
}

impl FromWorker {
    /// What a worker posts: `{ protocol, message }`.
    pub fn to_posted(&self) -> JsValue {
        posted(&to_bytes(self), &[])
    }

    /// What the page received, back as a message. A worker of another build
    /// says `Ready` in words this one may not read: its protocol, wherever it
    /// says it, makes it `Ready` all the same, so that the page can say which
    /// builds differ.
    pub fn from_posted(data: &JsValue) -> Result<FromWorker, WebError> {
        match protocol_of(data) {
            Some(p) if p == f64::from(PROTOCOL) => message_of(data),
            Some(p) => Ok(FromWorker::Ready { protocol: p as u32 }),
            None => Self::of_json_protocol(data)
                .ok_or_else(|| WebError::worker("a message without its protocol")),
        }
    }

    /// JSON text: what static/worker_start.js says before the worker's wasm runs
    /// (`{"failed": {"message": ...}}`), or a worker of protocols 6 to 12, which
    /// posted JSON, alone or as `{ json, ... }`: `{"ready": {"protocol": N}}`
    /// (before protocol 6, `{"type": "ready", "protocol": 5}`).
    fn of_json_protocol(data: &JsValue) -> Option<FromWorker> {
        let json = data.as_string().or_else(|| {
            Reflect::get(data, &"json".into())
                .ok()
                .and_then(|v| v.as_string())
        })?;
        let value: serde_json::Value = serde_json::from_str(&json).ok()?;
        let failed = value.get("failed").and_then(|f| f.get("message"));
        if let Some(message) = failed.and_then(|m| m.as_str()) {
            return Some(FromWorker::Failed {
                error: WebError::worker(message),
            });
        }
        let protocol = value
            .get("protocol")
            .or_else(|| value.get("ready")?.get("protocol"))?
            .as_u64()?;
        Some(FromWorker::Ready {
            protocol: u32::try_from(protocol).ok()?,
        })
    }
}
