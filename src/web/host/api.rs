//! `window.locklab`, the automation API: every call checks its arguments and
//! settles, resolving to JSON or rejecting with a message that names what is wrong.

use super::protocol::StorageKind;
use super::run::{reopen, reset_database, run, stop, LiveTrace};
use crate::presets;
use crate::scenario::Scenario;
use js_sys::{Object, Promise, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// `window.locklab`: `run(scenario, {storage})` resolves to the run report (the JSON
/// of `locklab run --json`) or rejects with the reason (`storage`: "opfs" or
/// "memory"; by default OPFS where the browser can share it); `presets()` lists the
/// presets; `stop()` stops the run in progress; `reopen()` counts the last run's
/// database with a fresh worker; `reset()` removes it.
pub fn install() {
    let api = Object::new();
    let run_fn = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(
        |scenario: JsValue, options: JsValue| {
            future_to_promise(async move {
                let text = JSON::stringify(&scenario)
                    .map(String::from)
                    .unwrap_or_default();
                let scenario =
                    Scenario::from_json(&text).map_err(|e| JsValue::from_str(&e.to_string()))?;
                let storage = match Reflect::get(&options, &"storage".into())
                    .ok()
                    .and_then(|v| v.as_string())
                {
                    None => None,
                    Some(word) if word == "opfs" => Some(StorageKind::Opfs),
                    Some(word) if word == "memory" => Some(StorageKind::Memory),
                    Some(word) => {
                        return Err(JsValue::from_str(&format!(
                            "option `storage`: expected \"opfs\" or \"memory\", got \"{word}\""
                        )))
                    }
                };
                let report = run(&scenario, storage, LiveTrace::default())
                    .await
                    .map(|r| r.report)
                    .map_err(|e| JsValue::from_str(&e))?;
                let json = serde_json::to_string(&report)
                    .map_err(|e| JsValue::from_str(&e.to_string()))?;
                JSON::parse(&json)
            })
        },
    );
    let presets_fn = Closure::<dyn FnMut() -> JsValue>::new(|| {
        let json = serde_json::to_string(&presets::all()).unwrap_or_else(|_| "[]".to_string());
        JSON::parse(&json).unwrap_or(JsValue::NULL)
    });
    let stop_fn = Closure::<dyn FnMut()>::new(stop);
    let reopen_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        future_to_promise(async move {
            let (jobs, done, integrity) = reopen().await.map_err(|e| JsValue::from_str(&e))?;
            JSON::parse(
                &serde_json::json!({"jobs": jobs, "done": done, "integrity_check": integrity})
                    .to_string(),
            )
        })
    });
    let reset_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        future_to_promise(async move {
            reset_database()
                .await
                .map(|said| JsValue::from_str(&said))
                .map_err(|e| JsValue::from_str(&e))
        })
    });
    let _ = Reflect::set(&api, &"reset".into(), &reset_fn.into_js_value());
    let _ = Reflect::set(&api, &"reopen".into(), &reopen_fn.into_js_value());
    let _ = Reflect::set(&api, &"run".into(), &run_fn.into_js_value());
    let _ = Reflect::set(&api, &"presets".into(), &presets_fn.into_js_value());
    let _ = Reflect::set(&api, &"stop".into(), &stop_fn.into_js_value());
    let _ = Reflect::set(&js_sys::global(), &"locklab".into(), &api);
}
