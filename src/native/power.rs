//! A power cut in a native run: at the scenario's time the power goes off (the
//! storage stops keeping anything, `vfs::power`), every worker is killed at its
//! next step boundary (it neither rolls back nor closes), and once all are gone
//! the files are put back as they were at their last sync, the WAL index and lock
//! table start empty, and a fresh connection recovers the database.
//!
//! What the workers still did between the cut and their death never reached the
//! disk; the trace is cut at the same moment, so the report counts only what
//! happened before the power went off.

use crate::clock::Clock;
use crate::trace::{EventKind, TraceEvent, WorkerId};
use crate::vfs::power::PowerCutStorage;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};

/// The switch of one run's power.
pub(super) struct PowerSwitch {
    at_us: u64,
    storage: Arc<PowerCutStorage>,
    off: AtomicBool,
    /// When the power went off (run time, µs).
    cut_at: Mutex<Option<u64>>,
    /// Set when every worker has ended: the power goes off then, if not before.
    workers_done: Mutex<bool>,
    wake: Condvar,
}

impl PowerSwitch {
    pub(super) fn new(at_ms: u32, storage: Arc<PowerCutStorage>) -> PowerSwitch {
        PowerSwitch {
            at_us: u64::from(at_ms) * 1000,
            storage,
            off: AtomicBool::new(false),
            cut_at: Mutex::new(None),
            workers_done: Mutex::new(false),
            wake: Condvar::new(),
        }
    }

    /// Whether the power is off (every worker dies at its next step).
    pub(super) fn is_off(&self) -> bool {
        self.off.load(Ordering::SeqCst)
    }

    /// The host's timer thread: wait for the cut's time or the workers' end,
    /// whichever comes first, then cut.
    pub(super) fn wait_and_cut(&self, clock: &dyn Clock) {
        let mut done = self.workers_done.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            let now = clock.now_us();
            if *done || now >= self.at_us {
                break;
            }
            let left = std::time::Duration::from_micros(self.at_us - now);
            done = self
                .wake
                .wait_timeout(done, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        drop(done);
        self.cut(clock);
    }

    /// Every worker has ended: the timer cuts now if it has not yet.
    pub(super) fn workers_ended(&self) {
        *self.workers_done.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.wake.notify_all();
    }

    /// The power goes off. The time is read before the storage stops keeping
    /// writes, so an event stamped before it happened before the cut.
    fn cut(&self, clock: &dyn Clock) {
        let mut cut_at = self.cut_at.lock().unwrap_or_else(|p| p.into_inner());
        if cut_at.is_none() {
            *cut_at = Some(clock.now_us());
            self.storage.power_off();
            self.off.store(true, Ordering::SeqCst);
        }
    }

    /// When the power went off, once it has.
    pub(super) fn cut_at(&self) -> Option<u64> {
        *self.cut_at.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The trace of a run the power was cut at `cut_us`: the events before it; and,
/// for each worker in `killed` (the cut killed it), its death at the cut.
pub(super) fn trace_until(
    events: Vec<TraceEvent>,
    cut_us: u64,
    killed: &BTreeSet<WorkerId>,
) -> Vec<TraceEvent> {
    let mut kept: Vec<TraceEvent> = events.into_iter().filter(|e| e.t_us < cut_us).collect();
    for &worker in killed {
        let ended = kept.iter().any(|e| {
            e.worker == worker && matches!(e.kind, EventKind::WorkerKilled | EventKind::WorkerEnd)
        });
        if !ended {
            kept.push(TraceEvent {
                t_us: cut_us,
                worker,
                kind: EventKind::WorkerKilled,
            });
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t_us: u64, worker: WorkerId, kind: EventKind) -> TraceEvent {
        TraceEvent { t_us, worker, kind }
    }

    /// Events from the cut on are gone; each worker the cut killed dies at the
    /// cut, once; a worker that ended before keeps its end.
    #[test]
    fn the_trace_ends_at_the_cut() {
        let events = vec![
            at(5, 0, EventKind::WorkerEnd),
            at(
                8,
                1,
                EventKind::JobDone {
                    job: 1,
                    latency_us: 1,
                },
            ),
            at(
                12,
                1,
                EventKind::JobDone {
                    job: 2,
                    latency_us: 1,
                },
            ),
            at(13, 1, EventKind::WorkerKilled),
            at(14, 2, EventKind::WorkerEnd),
        ];
        let kept = trace_until(events, 10, &BTreeSet::from([1, 2]));
        assert_eq!(
            kept,
            vec![
                at(5, 0, EventKind::WorkerEnd),
                at(
                    8,
                    1,
                    EventKind::JobDone {
                        job: 1,
                        latency_us: 1
                    }
                ),
                at(10, 1, EventKind::WorkerKilled),
                at(10, 2, EventKind::WorkerKilled),
            ]
        );
    }
}
