//! The Web Worker's entry point: listen for the page's messages and answer them.

use super::alone::run_alone;
use super::protocol::{FromWorker, ToWorker};
use crate::scenario::Scenario;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let answer = match event
            .data()
            .as_string()
            .map(|text| serde_json::from_str::<ToWorker>(&text))
        {
            Some(Ok(message)) => handle(message),
            Some(Err(e)) => FromWorker::Failed {
                message: format!("unreadable message: {e}"),
            },
            None => FromWorker::Failed {
                message: "messages must be JSON text".to_string(),
            },
        };
        let _ = reply_to.post_message(&JsValue::from_str(&answer.to_json()));
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    on_message.forget();
    let _ = scope.post_message(&JsValue::from_str(&FromWorker::Ready.to_json()));
}

fn handle(message: ToWorker) -> FromWorker {
    match message {
        ToWorker::RunAlone { scenario } => match Scenario::from_value(&scenario) {
            Ok(scenario) => match run_alone(&scenario) {
                Ok(report) => FromWorker::Report {
                    report: Box::new(report),
                },
                Err(message) => FromWorker::Failed { message },
            },
            Err(e) => FromWorker::Failed {
                message: e.to_string(),
            },
        },
    }
}
