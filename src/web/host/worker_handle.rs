//! The Web Workers of a run as the page sees them: start one, post it messages
//! with the run's shared buffers, terminate it. What they answer arrives in one
//! inbox per run, in order, each with who sent it, so the page can react to
//! whichever worker speaks (or dies) first. Trace batches do not queue: they go
//! straight to the run's trace (`RunTrace`: the page's one copy of its events).

use super::worker_module::worker_module;
use crate::run_trace::{Budget, RunTrace};
use crate::trace::{EventKind, TraceEvent, WorkerId};
use crate::web::error::WebError;
use crate::web::js_error::js_error;
use crate::web::protocol::{FromWorker, ToWorker, PROTOCOL};
use js_sys::{Array, Function, Promise};
use std::cell::{Cell, RefCell};
use std::collections::{BTreeSet, VecDeque};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

/// Who in a run a message is from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member {
    /// The worker that seeds the database, keeps it open, and audits it.
    Keeper,
    Worker(WorkerId),
    /// The SQL console's worker.
    Console,
}

impl Member {
    pub fn name(self) -> String {
        match self {
            Member::Keeper => "the keeper (seeds and audits the database)".to_string(),
            Member::Worker(id) => format!("worker {id}"),
            Member::Console => "the SQL console".to_string(),
        }
    }
}

/// What arrives in a run's inbox.
#[derive(Debug)]
pub enum Arrival {
    Message(FromWorker),
    /// The Web Worker died (a trap, an exception outside our code): it will post
    /// nothing more.
    Died(String),
    /// A deadline the host set has passed.
    Deadline,
    /// The time of the scenario's power cut has come (`Inbox::power_off_in`).
    PowerOff,
}

/// Who watches a run as it goes: the page's live timeline and metrics.
pub trait RunWatcher {
    /// The workers of run `run` start now, on a clock whose time 0 is `epoch_ms`,
    /// while `alongside` other runs (in this tab or others) are in progress.
    fn started(&self, _run: &str, _epoch_ms: f64, _alongside: usize) {}
    /// The run's trace, which its timeline and metrics are read from (given again
    /// if the run starts over).
    fn reading(&self, _trace: Rc<RefCell<RunTrace>>) {}
    /// A worker posted these events (the trace takes them next).
    fn batch(&self, _events: &[TraceEvent]) {}
    /// The last worker ended `elapsed_us` after the epoch.
    fn ended(&self, _elapsed_us: u64) {}
}

thread_local! {
    /// How much of a run's trace this page keeps one by one (`locklab.budget`).
    static BUDGET: Cell<Budget> = Cell::new(Budget::default());
}

/// The budget of the page's next runs' traces.
pub fn budget() -> Budget {
    BUDGET.with(Cell::get)
}

pub fn set_budget(budget: Budget) {
    BUDGET.with(|b| b.set(budget));
}

/// The trace of a run in progress as the workers post it, and who watches it.
#[derive(Clone)]
pub struct LiveTrace {
    pub trace: Rc<RefCell<RunTrace>>,
    pub watcher: Option<Rc<dyn RunWatcher>>,
}

impl Default for LiveTrace {
    fn default() -> LiveTrace {
        LiveTrace {
            trace: Rc::new(RefCell::new(RunTrace::new(0, budget()))),
            watcher: None,
        }
    }
}

impl LiveTrace {
    /// Take in a batch of events.
    pub fn add(&self, events: Vec<TraceEvent>) {
        if let Some(watcher) = &self.watcher {
            watcher.batch(&events);
        }
        self.trace.borrow_mut().add(events);
    }

    /// A run of workers `0..workers` starts (again): an empty trace, which the
    /// watcher reads from.
    pub fn restart(&self, workers: u32) {
        self.trace.borrow_mut().restart(workers);
        if let Some(watcher) = &self.watcher {
            watcher.reading(self.trace.clone());
        }
    }
}

/// Where a power cut ends a run's trace, and the workers whose end came before.
#[derive(Default)]
struct Cut {
    at_us: Option<u64>,
    ended: BTreeSet<WorkerId>,
}

/// A run's inbox: what its workers said, in order, and whoever waits for it.
#[derive(Default)]
pub struct Inbox {
    queue: RefCell<VecDeque<(Member, Arrival)>>,
    waiting: RefCell<Option<Function>>,
    cut: RefCell<Cut>,
}

impl Inbox {
    /// The events of a batch the trace takes in: after a power cut only those
    /// from before it (what the workers did after it never reached the disk).
    fn admit(&self, mut events: Vec<TraceEvent>) -> Vec<TraceEvent> {
        let mut cut = self.cut.borrow_mut();
        if let Some(at) = cut.at_us {
            events.retain(|e| e.t_us < at);
        }
        for e in &events {
            if matches!(e.kind, EventKind::WorkerEnd | EventKind::WorkerKilled) {
                cut.ended.insert(e.worker);
            }
        }
        events
    }

    /// The power went off at `at_us` (run clock): the run's trace ends there.
    pub fn cut_trace_at(&self, at_us: u64) {
        self.cut.borrow_mut().at_us.get_or_insert(at_us);
    }

    /// After a power cut, once every worker is gone: the death at the cut of
    /// each of workers `0..workers` that had not ended before it, as natively
    /// (`native::power::trace_until`).
    pub fn killed_at_cut(&self, workers: u32) -> Vec<TraceEvent> {
        let cut = self.cut.borrow();
        let Some(at) = cut.at_us else {
            return Vec::new();
        };
        (0..workers)
            .filter(|w| !cut.ended.contains(w))
            .map(|worker| TraceEvent {
                t_us: at,
                worker,
                kind: EventKind::WorkerKilled,
            })
            .collect()
    }

    pub fn post(&self, from: Member, arrival: Arrival) {
        self.queue.borrow_mut().push_back((from, arrival));
        if let Some(wake) = self.waiting.borrow_mut().take() {
            let _ = wake.call0(&JsValue::NULL);
        }
    }

    /// The next arrival, waiting for one if none is there.
    pub async fn next(self: &Rc<Self>) -> (Member, Arrival) {
        loop {
            if let Some(arrival) = self.queue.borrow_mut().pop_front() {
                return arrival;
            }
            let inbox = self.clone();
            let woken = Promise::new(&mut |resolve, _reject| {
                *inbox.waiting.borrow_mut() = Some(resolve);
            });
            let _ = JsFuture::from(woken).await;
        }
    }

    /// Post a [`Arrival::Deadline`] after `ms`.
    pub fn deadline_in(self: &Rc<Self>, ms: u32) {
        let inbox = self.clone();
        gloo_timers::callback::Timeout::new(ms, move || {
            inbox.post(Member::Keeper, Arrival::Deadline)
        })
        .forget();
    }

    /// Post a [`Arrival::PowerOff`] after `ms`.
    pub fn power_off_in(self: &Rc<Self>, ms: u32) {
        let inbox = self.clone();
        gloo_timers::callback::Timeout::new(ms, move || {
            inbox.post(Member::Keeper, Arrival::PowerOff)
        })
        .forget();
    }
}

/// One Web Worker of a run; terminated when dropped.
pub struct WorkerHandle {
    pub member: Member,
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl WorkerHandle {
    /// Start a Web Worker as `member` of a run whose answers go to `inbox` and whose
    /// trace goes to `live`, from the page's compiled worker module.
    pub async fn spawn(
        member: Member,
        inbox: &Rc<Inbox>,
        live: &LiveTrace,
    ) -> Result<Self, WebError> {
        let module = worker_module().await?;
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Classic);
        let worker = Worker::new_with_options("./worker_start.js", &options)
            .map_err(|e| WebError::worker(format!("cannot start a Web Worker: {e:?}")))?;
        worker
            .post_message(&module)
            .map_err(|e| js_error("cannot send a Web Worker its wasm", e))?;
        let (to, live) = (inbox.clone(), live.clone());
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let message = match FromWorker::from_posted(&event.data()) {
                Ok(FromWorker::Events { events }) => return live.add(to.admit(events)),
                Ok(FromWorker::Finished {
                    journal_mode,
                    exit,
                    failure,
                    ended_us,
                    events,
                }) => {
                    // The worker's last events join the live trace like every batch.
                    live.add(to.admit(events));
                    FromWorker::Finished {
                        journal_mode,
                        exit,
                        failure,
                        ended_us,
                        events: Vec::new(),
                    }
                }
                Ok(message) => message,
                Err(e) => FromWorker::Failed {
                    error: e.within("unreadable answer"),
                },
            };
            to.post(member, Arrival::Message(message));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        // A worker that dies posts nothing more: its error arrives instead.
        let to = inbox.clone();
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
                event.prevent_default();
                to.post(member, Arrival::Died(event.message()));
            });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(WorkerHandle {
            member,
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    pub fn send(&self, message: &ToWorker, buffers: &Array) -> Result<(), WebError> {
        self.worker
            .post_message(&message.to_posted(buffers))
            .map_err(|e| WebError::worker(format!("cannot reach {}: {e:?}", self.member.name())))
    }

    /// Stop the worker where it is: no unwinding, no closing (as a crash would).
    pub fn terminate(&self) {
        self.worker.terminate();
    }
}

impl Drop for WorkerHandle {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}

/// Check a worker's first message: it must be `Ready` in this page's protocol.
pub fn check_ready(member: Member, arrival: Arrival) -> Result<(), WebError> {
    match arrival {
        Arrival::Message(FromWorker::Ready { protocol }) if protocol == PROTOCOL => Ok(()),
        Arrival::Message(FromWorker::Ready { protocol }) => Err(WebError::worker(format!(
            "{} speaks protocol {protocol}, the page {PROTOCOL}: they come from different \
             builds of locklab (a cached worker file?); reload the page",
            member.name()
        ))),
        other => Err(unexpected(member, other)),
    }
}

/// An answer the host did not expect at this point of a run: what the worker
/// said failed (its own kind), or the worker's death, silence or answer out of
/// turn.
pub fn unexpected(member: Member, arrival: Arrival) -> WebError {
    match arrival {
        Arrival::Message(FromWorker::Failed { error }) => error.within(&member.name()),
        Arrival::Died(why) => WebError::worker(format!(
            "{}: the Web Worker stopped unexpectedly: {why}",
            member.name()
        )),
        Arrival::Deadline | Arrival::PowerOff => {
            WebError::worker(format!("{} did not answer in time", member.name()))
        }
        Arrival::Message(other) => WebError::worker(format!(
            "unexpected answer from {}: {}",
            member.name(),
            other.name()
        )),
    }
}
