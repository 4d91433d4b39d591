//! When a worker dies: the scenario's faults and the host's kill, decided at the
//! worker's step boundaries (between steps, in every pause, and before each
//! statement, so also inside a transaction).
//!
//! A killed worker records WorkerKilled once and does nothing more. It must never
//! roll back or close anything: leaving its transaction to SQLite's recovery in
//! the survivors is what makes it a crash.

use super::Worker;
use crate::analysis::lock_holds::{HeldLock, LockHolds};
use crate::lock::LockLevel;
use crate::scenario::Holding;
use crate::trace::{self, DbFile, EventKind};
use std::cell::RefCell;
use std::rc::Rc;

impl Worker<'_> {
    /// Whether the worker dies here (or died already). The first time it records
    /// WorkerKilled.
    pub(super) fn kill_due(&mut self) -> bool {
        if self.killed {
            return true;
        }
        if !self.fault_due() && !self.control.kill_requested(self.id) {
            return false;
        }
        self.killed = true;
        trace::emit(EventKind::WorkerKilled);
        true
    }

    /// A fault of the scenario names this worker, its time has come, and (with
    /// `holding`) the worker holds that lock on the queue with a job in hand.
    fn fault_due(&self) -> bool {
        let faults = &self.scenario.faults;
        if faults.is_empty() {
            return false;
        }
        let now = self.clock.now_us();
        faults
            .iter()
            .filter(|f| f.kill == self.id && now >= u64::from(f.at_ms) * 1000)
            .any(|f| match f.holding {
                None => true,
                Some(lock) => {
                    self.in_hand > 0 && self.held.as_ref().is_some_and(|h| holds(lock, h.now()))
                }
            })
    }
}

/// The locks this worker's connections hold now, read from its own events as the
/// recorder takes them: only a worker that a fault with `holding` names needs it.
pub(super) struct HeldNow(Rc<RefCell<LockHolds>>);

impl HeldNow {
    /// Watch this thread's events from now on (the recorder must be installed).
    pub(super) fn watch() -> HeldNow {
        let holds = Rc::new(RefCell::new(LockHolds::default()));
        trace::watch(Box::new({
            let holds = holds.clone();
            move |event| holds.borrow_mut().read(event, |_| {})
        }));
        HeldNow(holds)
    }

    fn now(&self) -> QueueLocks {
        let holds = self.0.borrow();
        QueueLocks {
            level: holds.level(DbFile::Queue),
            wal_write: holds.holds(DbFile::Queue, HeldLock::WalWrite),
        }
    }
}

/// What a connection holds on the queue database, as far as a fault asks.
#[derive(Clone, Copy, Debug)]
struct QueueLocks {
    level: LockLevel,
    /// WAL's write lock (shm slot 0, exclusive).
    wal_write: bool,
}

/// Whether what a connection holds is the lock a fault waits for.
fn holds(lock: Holding, held: QueueLocks) -> bool {
    match lock {
        Holding::Reserved => held.level.is_write(),
        Holding::Exclusive => held.level == LockLevel::Exclusive,
        Holding::WalWrite => held.wal_write,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_holding_is_the_lock_it_names() {
        let at = |level, wal_write| QueueLocks { level, wal_write };
        use LockLevel::*;
        let cases = [
            (Holding::Reserved, at(Shared, false), false),
            (Holding::Reserved, at(Reserved, false), true),
            (Holding::Reserved, at(Pending, false), true),
            (Holding::Reserved, at(Exclusive, false), true),
            (Holding::Exclusive, at(Reserved, false), false),
            (Holding::Exclusive, at(Exclusive, false), true),
            (Holding::WalWrite, at(Shared, false), false),
            (Holding::WalWrite, at(Shared, true), true),
        ];
        for (lock, held, expected) in cases {
            assert_eq!(holds(lock, held), expected, "{lock:?} {held:?}");
        }
    }
}
