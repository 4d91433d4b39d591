//! The Web Worker's entry point: say which protocol it speaks, then answer the
//! page's messages (`{ protocol, message, buffers }`, see `web::protocol`).

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

/// Answer one message. The page checked each scenario when it made it: the
/// messages carry the checked form, read here and never parsed again.
async fn handle(message: ToWorker, buffers: &Array) -> FromWorker {
    match message {
        ToWorker::RunAlone { scenario } => {
            run_alone(&scenario).unwrap_or_else(|error| FromWorker::Failed { error })
        }
        ToWorker::Setup {
            run,
            scenario,
            storage,
        } => shared_run::setup(&run, &scenario, storage, buffers).await,
        ToWorker::Attach {
            run,
            worker,
            scenario,
            storage,
        } => shared_run::attach_worker(&run, worker, &scenario, storage, buffers).await,
        ToWorker::Run {
            run,
            worker,
            role,
            scenario,
            epoch_ms,
        } => shared_run::run(&run, worker, role, &scenario, epoch_ms),
        ToWorker::PowerRestore { run, scenario } => shared_run::power_restore(&run, &scenario),
        ToWorker::Audit {
            scenario,
            committed,
        } => shared_run::audit(&scenario, &committed),
        ToWorker::Inspect {
            run,
            scenario,
            storage,
        } => shared_run::inspect(&run, &scenario, storage, buffers).await,
        ToWorker::Snapshot {
            run,
            scenario,
            storage,
        } => snapshot::snapshot(&run, &scenario, storage, buffers).await,
        ToWorker::Console {
            run,
            worker,
            scenario,
            storage,
            epoch_ms,
        } => console::start(&run, worker, &scenario, storage, epoch_ms, buffers).await,
        ToWorker::Sql { text } => console::sql(&text),
        ToWorker::EndConsole => console::end(),
    }
}
