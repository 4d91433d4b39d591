//! The trace time of a lock decision, read while the lock table still holds its
//! spin lock (`LockTable::stamping`), so that the trace orders grants, releases
//! and refusals as the table decided them. A thread can be paused between a
//! decision and its event, and a granted shm lock first pulls the WAL index: read
//! after either, a holder's grant could be timed after the refusal it caused, or
//! its release before it. It must never read the clock outside that spin lock.
//! The table hands it the time of its last decision, and the stamp is never
//! earlier (`trace::now_us_at_least`): the workers' clocks agree only to some
//! microseconds, and the table's order is the truth.

use crate::trace::{self, EventKind};
use std::cell::Cell;

/// The time of the last decision stamped, if this thread records a trace.
#[derive(Default)]
pub struct Stamp(Cell<Option<u64>>);

impl Stamp {
    /// Read the trace clock now, at least `floor` (the time of the table's last
    /// decision); the lock table calls this under its spin lock and keeps the time
    /// returned (`floor` itself when this thread records no trace).
    pub fn read(&self, floor: u64) -> u64 {
        let t = trace::now_us_at_least(floor);
        self.0.set(t);
        t.unwrap_or(floor)
    }

    /// Record `kind` at the time stamped (now, if none was).
    pub fn emit(&self, kind: EventKind) {
        match self.0.get() {
            Some(t) => trace::emit_at(t, kind),
            None => trace::emit(kind),
        }
    }
}
