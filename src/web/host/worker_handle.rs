//! One Web Worker of a run as the page sees it: start it, post it messages with
//! the run's shared buffers, read its answers in order; terminated when dropped.

use super::protocol::{FromWorker, ToWorker};
use crate::trace::TraceEvent;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// Messages a worker sent that nobody has read yet, and whoever waits for one.
#[derive(Default)]
struct Mailbox {
    queue: RefCell<VecDeque<FromWorker>>,
    waiting: RefCell<Option<Function>>,
}

impl Mailbox {
    fn post(&self, message: FromWorker) {
        self.queue.borrow_mut().push_back(message);
        if let Some(wake) = self.waiting.borrow_mut().take() {
            let _ = wake.call0(&JsValue::NULL);
        }
    }
}

/// One Web Worker of a run; terminated when dropped.
pub(super) struct WorkerHandle {
    worker: Worker,
    mailbox: Rc<Mailbox>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

/// The trace of the run in progress, as the workers post it, and who to hand each
/// new batch to (the page's live timeline and metrics).
#[derive(Clone, Default)]
pub struct LiveTrace {
    pub events: Rc<RefCell<Vec<TraceEvent>>>,
    pub on_batch: Option<Rc<dyn Fn(&[TraceEvent])>>,
}

impl WorkerHandle {
    pub(super) fn spawn(live: LiveTrace) -> Result<WorkerHandle, String> {
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        let worker = Worker::new_with_options("./worker_loader.js", &options)
            .map_err(|e| format!("cannot start a Web Worker: {e:?}"))?;
        let mailbox = Rc::new(Mailbox::default());
        let inbox = mailbox.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let message =
                FromWorker::from_posted(&event.data()).unwrap_or_else(|e| FromWorker::Failed {
                    message: format!("unreadable answer: {e}"),
                });
            if let FromWorker::Events { events } = message {
                if let Some(on_batch) = &live.on_batch {
                    on_batch(&events);
                }
                live.events.borrow_mut().extend(events);
                return;
            }
            inbox.post(message);
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // A worker that dies (a trap, an exception outside our code) posts nothing
        // more: its error becomes its last message, so nobody waits for it forever.
        let inbox = mailbox.clone();
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                inbox.post(FromWorker::Failed {
                    message: format!("the Web Worker stopped unexpectedly: {}", event.message()),
                });
            });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerHandle {
            worker,
            mailbox,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    pub(super) fn send(&self, message: &ToWorker, buffers: &Array) -> Result<(), String> {
        let data = Object::new();
        let _ = Reflect::set(
            &data,
            &"json".into(),
            &JsValue::from_str(&message.to_json()),
        );
        let _ = Reflect::set(&data, &"buffers".into(), buffers);
        self.worker
            .post_message(&data)
            .map_err(|e| format!("cannot reach a worker: {e:?}"))
    }

    pub(super) async fn recv(&self) -> Result<FromWorker, String> {
        loop {
            if let Some(message) = self.mailbox.queue.borrow_mut().pop_front() {
                return match message {
                    FromWorker::Failed { message } => Err(message),
                    other => Ok(other),
                };
            }
            let mailbox = self.mailbox.clone();
            let woken = Promise::new(&mut |resolve, _reject| {
                *mailbox.waiting.borrow_mut() = Some(resolve);
            });
            JsFuture::from(woken).await.map_err(|e| format!("{e:?}"))?;
        }
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
