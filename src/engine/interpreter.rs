//! A process's interpreter lock, as Ruby's GVL: the scenario's `processes`
//! groups the workers into processes, and a worker holds its process's lock
//! while it runs, letting go of it only while it pauses (its work, a retry
//! delay), as a Ruby thread lets go of the GVL when it sleeps or waits for I/O.
//! SQLite's own busy handler sleeps inside the statement, so a worker waiting
//! there keeps the lock, and a worker of the same process that holds SQLite's
//! write lock cannot run its next statement to release it: the sqlite3 gem's
//! `busy_timeout=` (ext/sqlite3/database.c calls `sqlite3_busy_timeout`;
//! ext/sqlite3/statement.c calls `sqlite3_step` with the GVL held). The yielding busy
//! handler (`busy_handler: "yielding"`) is the gem's `busy_handler_timeout=`
//! (lib/sqlite3/database.rb, sqlite3-ruby 2.0): retry at once the first time,
//! then sleep 1 ms at a time with the interpreter lock released, and give up
//! once the timeout has passed since the first call.
//!
//! The lock is one shared word per process (0: free, else the holder's id + 1),
//! in the host's shared memory: atomics natively, the run's control buffer in
//! the browser. This is the worker's runtime, not SQLite: its waits are traced
//! as `InterpreterWait`, never as SQLite's busy waits.

use crate::clock::Clock;
use crate::trace::{self, EventKind, WorkerId};
use crate::vfs::shared_words::SharedWords;
use std::cell::RefCell;
use std::os::raw::c_int;
use std::sync::Arc;
use std::time::Duration;

/// How often a worker waiting for its interpreter lock looks again.
const POLL: Duration = Duration::from_micros(50);
/// The yielding busy handler's sleep between two retries.
const YIELD_SLEEP: Duration = Duration::from_millis(1);

/// One process's interpreter lock, as one worker of it sees it.
#[derive(Clone)]
pub struct InterpreterLock {
    words: Arc<dyn SharedWords>,
    index: usize,
    worker: WorkerId,
}

impl InterpreterLock {
    /// The lock of `worker`'s process among `processes`, in `words` from
    /// `first` on; `None` without processes.
    pub fn of(
        words: Option<(Arc<dyn SharedWords>, usize)>,
        processes: u32,
        worker: WorkerId,
    ) -> Option<InterpreterLock> {
        let (words, first) = words?;
        (processes > 0).then(|| InterpreterLock {
            words,
            index: first + (worker % processes) as usize,
            worker,
        })
    }

    fn mine(&self) -> i32 {
        self.worker as i32 + 1
    }

    /// Take the lock, waiting (polling on `clock`) while another worker of the
    /// process holds it; a wait is traced with who held the lock when it began.
    pub fn take(&self, clock: &dyn Clock) {
        let start = clock.now_us();
        let mut holder = None;
        loop {
            let found = self.words.compare_exchange(self.index, 0, self.mine());
            if found == 0 || found == self.mine() {
                break;
            }
            holder.get_or_insert((found - 1) as WorkerId);
            clock.sleep(POLL);
        }
        if holder.is_some() {
            let dur_us = clock.now_us().saturating_sub(start);
            trace::emit_at(start, EventKind::InterpreterWait { holder, dur_us });
        }
    }

    pub fn release(&self) {
        self.words.compare_exchange(self.index, self.mine(), 0);
    }
}

/// What the yielding busy handler of this thread's worker needs: it is called
/// by SQLite with no context of ours.
struct Yielding {
    lock: Option<InterpreterLock>,
    timeout_us: u64,
    /// When the current run of refusals gives up (set at the first call).
    deadline_us: u64,
}

thread_local! {
    static YIELDING: RefCell<Option<Yielding>> = const { RefCell::new(None) };
}

/// Make this thread's yielding busy handler wait up to `timeout`, releasing
/// `lock` (if the worker has one) while it sleeps.
pub fn install_yielding(lock: Option<InterpreterLock>, timeout: Duration) {
    YIELDING.with(|y| {
        *y.borrow_mut() = Some(Yielding {
            lock,
            timeout_us: timeout.as_micros() as u64,
            deadline_us: 0,
        })
    });
}

pub fn uninstall_yielding() {
    YIELDING.with(|y| *y.borrow_mut() = None);
}

/// The clock of the worker this thread serves, as SQLite's callbacks reach it:
/// the trace's time and the VFS context's sleep (`engine::thread::enter`).
struct ThreadClock;

impl Clock for ThreadClock {
    fn now_us(&self) -> u64 {
        trace::now_us().unwrap_or(0)
    }
    fn sleep(&self, d: Duration) {
        crate::vfs::context::sleep(d);
    }
}

/// The yielding busy handler (`rusqlite::Connection::busy_handler`): `true` to
/// have SQLite try again, `false` to give up with SQLITE_BUSY.
pub fn yielding_busy_handler(count: c_int) -> bool {
    YIELDING.with(|y| {
        let mut y = y.borrow_mut();
        let Some(y) = y.as_mut() else {
            return false;
        };
        let clock = ThreadClock;
        let now = clock.now_us();
        if count == 0 {
            y.deadline_us = now + y.timeout_us;
            return true;
        }
        if now > y.deadline_us {
            return false;
        }
        if let Some(lock) = &y.lock {
            lock.release();
        }
        clock.sleep(YIELD_SLEEP);
        let slept = clock.now_us().saturating_sub(now);
        trace::emit_at(
            now,
            EventKind::BusyWait {
                requested_us: YIELD_SLEEP.as_micros() as u64,
                dur_us: slept,
            },
        );
        if let Some(lock) = &y.lock {
            lock.take(&clock);
        }
        true
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use crate::vfs::shared_words::ProcessWords;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// A clock that tells whether anyone has slept on it.
    struct Waiting {
        clock: Arc<SystemClock>,
        asleep: AtomicBool,
    }

    impl Clock for Waiting {
        fn now_us(&self) -> u64 {
            self.clock.now_us()
        }
        fn sleep(&self, d: Duration) {
            self.asleep.store(true, Ordering::SeqCst);
            self.clock.sleep(d)
        }
    }

    #[test]
    fn one_worker_of_a_process_holds_its_lock_and_a_waiter_says_whom_it_waited_for() {
        let words: Arc<dyn SharedWords> = Arc::new(ProcessWords::zeroed(2));
        let lock = |w| InterpreterLock::of(Some((words.clone(), 0)), 2, w).unwrap();
        let (a, b, c) = (lock(0), lock(2), lock(1));
        assert_eq!(
            (a.index, b.index, c.index),
            (0, 0, 1),
            "0 and 2 share process 0"
        );
        let clock = Arc::new(SystemClock::starting_now());
        a.take(clock.as_ref());
        c.take(clock.as_ref());
        // Worker 2's clock says when it first sleeps: it has found the lock taken.
        let waiting = Arc::new(Waiting {
            clock: clock.clone(),
            asleep: AtomicBool::new(false),
        });
        let waiter = std::thread::spawn({
            let (clock, waiting) = (clock.clone(), waiting.clone());
            move || {
                trace::install(2, clock);
                b.take(waiting.as_ref());
                b.release();
                trace::uninstall()
            }
        });
        while !waiting.asleep.load(Ordering::SeqCst) {
            std::thread::sleep(Duration::from_millis(1));
        }
        a.release();
        let events = waiter.join().unwrap();
        assert!(
            matches!(
                events[..],
                [crate::trace::TraceEvent {
                    kind: EventKind::InterpreterWait {
                        holder: Some(0),
                        ..
                    },
                    ..
                }]
            ),
            "{events:?}"
        );
        assert_eq!(words.load(1), 2, "process 1's lock is still worker 1's");
        assert_eq!(InterpreterLock::of(None, 2, 0).map(|l| l.index), None);
    }
}
