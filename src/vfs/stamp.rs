//! The trace time of a lock decision, read while the lock table still holds its
//! spin lock (`LockTable::stamping`), so that the trace orders grants, releases
//! and refusals as the table decided them. A thread can be paused between a
//! decision and its event, and a granted shm lock first pulls the WAL index: read
//! after either, a holder's grant could be timed after the refusal it caused, or
//! its release before it. It must never read the clock outside that spin lock.

use crate::trace::{self, EventKind};
use std::cell::Cell;

/// The time of the last decision stamped, if this thread records a trace.
#[derive(Default)]
pub struct Stamp(Cell<Option<u64>>);

impl Stamp {
    /// Read the trace clock now (the lock table calls this under its spin lock).
    pub fn read(&self) {
        self.0.set(trace::now_us());
    }

    /// Record `kind` at the time stamped (now, if none was).
    pub fn emit(&self, kind: EventKind) {
        match self.0.get() {
            Some(t) => trace::emit_at(t, kind),
            None => trace::emit(kind),
        }
    }
}
