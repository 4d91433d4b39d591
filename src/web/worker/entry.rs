//! The Web Worker's entry point: say which protocol it speaks, then answer the
//! page's messages (`{ protocol, json, buffers }`, see `web::protocol`).

use super::alone::run_alone;
use super::console;
use super::shared_run;
use super::snapshot;
use crate::web::protocol::{FromWorker, ToWorker, PROTOCOL};
use js_sys::Array;
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

pub fn start() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let reply_to = reply_to.clone();
        let received = ToWorker::from_posted(&event.data());
        wasm_bindgen_futures::spawn_local(async move {
            let answer = match received {
                Ok((message, buffers)) => handle(message, &buffers).await,
                Err(error) => FromWorker::Failed { error },
            };
            let _ = reply_to.post_message(&answer.to_posted());
        });
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page keeps it; so does its handler.
    on_message.forget();
    let _ = scope.post_message(&FromWorker::Ready { protocol: PROTOCOL }.to_posted());
}

async fn handle(message: ToWorker, buffers: &Array) -> FromWorker {
    // The page checked the scenario when it made it: the message carries the
    // checked form.
    let s = message.scenario().cloned().unwrap_or_default();
    match message {
        ToWorker::RunAlone { .. } => {
            run_alone(&s).unwrap_or_else(|error| FromWorker::Failed { error })
        }
        ToWorker::Setup { run, storage, .. } => shared_run::setup(&run, &s, storage, buffers).await,
        ToWorker::Attach {
            run,
            worker,
            storage,
            ..
        } => shared_run::attach_worker(&run, worker, &s, storage, buffers).await,
        ToWorker::Run {
            run,
            worker,
            role,
            epoch_ms,
            ..
        } => shared_run::run(&run, worker, role, &s, epoch_ms),
        ToWorker::Audit { committed, .. } => shared_run::audit(&s, &committed),
        ToWorker::Inspect { run, storage, .. } => {
            shared_run::inspect(&run, &s, storage, buffers).await
        }
        ToWorker::Snapshot { run, storage, .. } => {
            snapshot::snapshot(&run, &s, storage, buffers).await
        }
        ToWorker::Console {
            run,
            worker,
            storage,
            epoch_ms,
            ..
        } => console::start(&run, worker, &s, storage, epoch_ms, buffers).await,
        ToWorker::Sql { text } => console::sql(&text),
        ToWorker::EndConsole => console::end(),
    }
}
