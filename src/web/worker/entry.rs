//! The Web Worker's entry point: listen for the page's messages and answer them.
//!
//! A message is JSON text, or `{ json, buffers }` when it carries shared memory.

use super::alone::run_alone;
use super::shared_run;
use crate::scenario::Scenario;
use crate::web::host::protocol::{FromWorker, ToWorker};
use js_sys::{Array, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let data = event.data();
        let (text, buffers) = match data.as_string() {
            Some(text) => (Some(text), Array::new()),
            None => (
                Reflect::get(&data, &"json".into())
                    .ok()
                    .and_then(|v| v.as_string()),
                Reflect::get(&data, &"buffers".into())
                    .map(|v| Array::from(&v))
                    .unwrap_or_default(),
            ),
        };
        let reply_to = reply_to.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let answer = match text.map(|text| serde_json::from_str::<ToWorker>(&text)) {
                Some(Ok(message)) => handle(message, &buffers).await,
                Some(Err(e)) => FromWorker::Failed {
                    message: format!("unreadable message: {e}"),
                },
                None => FromWorker::Failed {
                    message: "messages must be JSON text".to_string(),
                },
            };
            let _ = reply_to.post_message(&answer.to_posted());
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    on_message.forget();
    let _ = scope.post_message(&FromWorker::Ready.to_posted());
}

async fn handle(message: ToWorker, buffers: &Array) -> FromWorker {
    let checked =
        |value: &serde_json::Value| Scenario::from_value(value).map_err(|e| e.to_string());
    let scenario = match &message {
        ToWorker::RunAlone { scenario }
        | ToWorker::Setup { scenario, .. }
        | ToWorker::Run { scenario, .. }
        | ToWorker::Audit { scenario, .. }
        | ToWorker::Inspect { scenario, .. } => checked(scenario),
    };
    let s = match scenario {
        Ok(s) => s,
        Err(message) => return FromWorker::Failed { message },
    };
    match message {
        ToWorker::RunAlone { .. } => match run_alone(&s) {
            Ok(report) => FromWorker::Report {
                report: Box::new(report),
            },
            Err(message) => FromWorker::Failed { message },
        },
        ToWorker::Setup { storage, .. } => shared_run::setup(&s, storage, buffers).await,
        ToWorker::Run {
            worker,
            role,
            storage,
            epoch_ms,
            ..
        } => shared_run::run(worker, role, &s, storage, epoch_ms, buffers).await,
        ToWorker::Audit { committed, .. } => shared_run::audit(&s, &committed),
        ToWorker::Inspect { storage, .. } => shared_run::inspect(&s, storage, buffers).await,
    }
}
