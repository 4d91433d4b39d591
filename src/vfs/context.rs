//! Whom a thread's VFS calls serve, and how they sleep. SQLite calls the VFS with
//! no context of ours, so the host sets it per thread (one worker per thread
//! natively, one per wasm instance in the browser) before the worker opens a
//! connection: the owner recorded in the lock table and the spin locks, and the
//! clock xSleep blocks on.
//!
//! It must never read or write the trace: the VFS records into the trace, it does
//! not take its bearings from it.

use crate::clock::Clock;
use crate::trace::{WorkerId, HOST_WORKER};
use std::cell::RefCell;
use std::sync::Arc;
use std::time::Duration;

struct Context {
    owner: WorkerId,
    clock: Arc<dyn Clock>,
    /// What the host does before this thread sleeps (`before_sleep`).
    before_sleep: Option<fn()>,
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// Make this thread's connections belong to `owner`, sleeping on `clock`.
pub fn enter(owner: WorkerId, clock: Arc<dyn Clock>) {
    CONTEXT.with(|c| {
        *c.borrow_mut() = Some(Context {
            owner,
            clock,
            before_sleep: None,
        })
    });
}

/// Forget this thread's owner and clock: its connections are the host's again.
pub fn leave() {
    CONTEXT.with(|c| *c.borrow_mut() = None);
}

/// Have this thread call `hook` before each `sleep`: a browser worker posts the
/// events it recorded so far, so that a worker waiting in SQLite's busy handler
/// for seconds does not leave its lane blank meanwhile.
pub fn before_sleep(hook: fn()) {
    CONTEXT.with(|c| {
        if let Some(context) = c.borrow_mut().as_mut() {
            context.before_sleep = Some(hook);
        }
    });
}

/// Who this thread's connections and spin locks belong to: the worker it serves,
/// else the host.
pub fn owner() -> WorkerId {
    CONTEXT.with(|c| c.borrow().as_ref().map_or(HOST_WORKER, |c| c.owner))
}

/// Sleep on this thread's clock, after its `before_sleep` hook; `false` (and no
/// sleep) when the thread serves no worker.
pub fn sleep(d: Duration) -> bool {
    let found = CONTEXT.with(|c| {
        c.borrow()
            .as_ref()
            .map(|c| (c.clock.clone(), c.before_sleep))
    });
    match found {
        Some((clock, before_sleep)) => {
            if let Some(hook) = before_sleep {
                hook();
            }
            clock.sleep(d);
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct StillClock;
    impl Clock for StillClock {
        fn now_us(&self) -> u64 {
            0
        }
        fn sleep(&self, _d: Duration) {}
    }

    #[test]
    fn a_thread_serves_the_host_until_it_enters_a_worker() {
        std::thread::spawn(|| {
            assert_eq!(owner(), HOST_WORKER);
            assert!(!sleep(Duration::from_millis(1)), "no clock: no sleep");
            enter(3, Arc::new(StillClock));
            assert_eq!(owner(), 3);
            assert!(sleep(Duration::from_millis(1)));
            leave();
            assert_eq!(owner(), HOST_WORKER);
        })
        .join()
        .unwrap();
    }

    /// The hook runs before each sleep and can take the events so far (a browser
    /// worker posts them); without a context nothing runs and nothing sleeps.
    #[test]
    fn before_sleep_runs_before_each_sleep_and_can_take_the_events() {
        use crate::clock::SystemClock;
        use crate::lock::LockLevel;
        use crate::trace::{self, samples};
        std::thread::spawn(|| {
            thread_local! {
                static TAKEN: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
            }
            fn hand_over() {
                let n = trace::take().len();
                TAKEN.with(|t| t.borrow_mut().push(n));
            }
            assert!(!sleep(Duration::from_micros(1)));
            let clock = Arc::new(SystemClock::starting_now());
            trace::install(0, clock.clone());
            enter(0, clock);
            before_sleep(hand_over);
            trace::emit(samples::lock(LockLevel::None, LockLevel::Shared));
            trace::emit(samples::busy(0));
            assert!(sleep(Duration::from_micros(1)));
            assert!(sleep(Duration::from_micros(1)));
            trace::emit(samples::lock(LockLevel::Shared, LockLevel::None));
            assert_eq!(TAKEN.with(|t| t.borrow().clone()), [2, 0]);
            assert_eq!(
                trace::uninstall().len(),
                1,
                "what came after the last sleep"
            );
        })
        .join()
        .unwrap();
    }
}
