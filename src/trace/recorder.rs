//! The recorder of the current thread: one worker per thread natively, one per
//! wasm instance in the browser. The engine and the VFS write to it without
//! knowing whose thread they run on; the host installs it for a worker, takes its
//! events as it goes, and uninstalls it at the worker's end.

use super::event::{EventKind, TraceEvent, WorkerId};
use crate::clock::Clock;
use std::cell::RefCell;
use std::sync::Arc;

/// Who is shown each event as it is recorded (`watch`).
type Watcher = Box<dyn FnMut(&TraceEvent)>;

struct Recorder {
    worker: WorkerId,
    clock: Arc<dyn Clock>,
    events: Vec<TraceEvent>,
    /// Who is shown each event on its way in (`watch`).
    watchers: Vec<Watcher>,
}

impl Recorder {
    fn push(&mut self, t_us: u64, kind: EventKind) {
        let event = TraceEvent {
            t_us,
            worker: self.worker,
            kind,
        };
        for watcher in &mut self.watchers {
            watcher(&event);
        }
        self.events.push(event);
    }
}

thread_local! {
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// Make this thread record events for `worker`, timed by `clock`.
pub fn install(worker: WorkerId, clock: Arc<dyn Clock>) {
    RECORDER.with(|r| {
        *r.borrow_mut() = Some(Recorder {
            worker,
            clock,
            events: Vec::new(),
            watchers: Vec::new(),
        });
    });
}

/// Have this thread's recorder show each event to `watcher` as it is recorded (a
/// worker that must know which locks it holds now reads its own events), until
/// the recorder is installed anew.
pub fn watch(watcher: Watcher) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            rec.watchers.push(watcher);
        }
    });
}

/// Stop recording on this thread and return what was not yet taken.
pub fn uninstall() -> Vec<TraceEvent> {
    RECORDER.with(|r| {
        r.borrow_mut()
            .take()
            .map(|rec| rec.events)
            .unwrap_or_default()
    })
}

/// The events recorded so far on this thread (the recorder stays installed). The
/// recorder starts again with room for as many events, so that a worker taking its
/// events every 100 ms does not grow a vector from nothing each time.
pub fn take() -> Vec<TraceEvent> {
    RECORDER.with(|r| {
        r.borrow_mut()
            .as_mut()
            .map(|rec| {
                let room = Vec::with_capacity(rec.events.len());
                std::mem::replace(&mut rec.events, room)
            })
            .unwrap_or_default()
    })
}

/// The current time of this thread's recorder, if one is installed.
pub fn now_us() -> Option<u64> {
    RECORDER.with(|r| r.borrow().as_ref().map(|rec| rec.clock.now_us()))
}

/// The current time of this thread's recorder, and never before `floor`: a time
/// another worker's event was known to come before (see `Clock::now_at_least`).
pub fn now_us_at_least(floor: u64) -> Option<u64> {
    RECORDER.with(|r| r.borrow().as_ref().map(|rec| rec.clock.now_at_least(floor)))
}

/// Record an event that happens now.
pub fn emit(kind: EventKind) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            let t_us = rec.clock.now_us();
            rec.push(t_us, kind);
        }
    });
}

/// Record an event that began at `t_us` (a span: a statement, a wait).
pub fn emit_at(t_us: u64, kind: EventKind) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            rec.push(t_us, kind);
        }
    });
}

/// The worker this thread records for, if any.
pub fn current_worker() -> Option<WorkerId> {
    RECORDER.with(|r| r.borrow().as_ref().map(|rec| rec.worker))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::lock::LockLevel;
    use crate::trace::samples;

    /// A watcher sees every event as it is recorded, in order, and the events
    /// are kept all the same.
    #[test]
    fn a_watcher_sees_each_event_as_it_is_recorded() {
        std::thread::spawn(|| {
            let seen = std::rc::Rc::new(RefCell::new(Vec::new()));
            install(3, Arc::new(SystemClock::starting_now()));
            watch(Box::new({
                let seen = seen.clone();
                move |e| seen.borrow_mut().push(e.kind.clone())
            }));
            emit(samples::lock(LockLevel::None, LockLevel::Shared));
            emit(samples::busy(0));
            assert_eq!(
                *seen.borrow(),
                [
                    samples::lock(LockLevel::None, LockLevel::Shared),
                    samples::busy(0)
                ]
            );
            assert_eq!(uninstall().len(), 2);
        })
        .join()
        .unwrap();
    }
}
