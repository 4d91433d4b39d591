//! Time, injected: the engine and the VFS read the clock and sleep only through this
//! trait, so the same engine runs on native threads and in a Web Worker.

use crate::shareable::Shareable;
use std::time::Duration;

pub trait Clock: Shareable {
    /// Microseconds since the run's epoch; one epoch for every worker of a run, so
    /// that their timeline lanes line up.
    fn now_us(&self) -> u64;
    /// Block the calling thread (or worker) for `d`.
    fn sleep(&self, d: Duration);
    /// The time now, and never before `floor`, a time that another worker read
    /// from its clock before something that happened before now. One clock shared
    /// by every thread (natively) already agrees; a clock that lags behind
    /// another's moves forward for good, so its later readings agree too.
    fn now_at_least(&self, floor: u64) -> u64 {
        self.now_us().max(floor)
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use native::SystemClock;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::Clock;
    use std::time::{Duration, Instant};

    /// The monotonic clock of the machine, counted from the moment the run began.
    #[derive(Clone, Copy, Debug)]
    pub struct SystemClock {
        epoch: Instant,
    }

    impl SystemClock {
        pub fn starting_now() -> SystemClock {
            SystemClock {
                epoch: Instant::now(),
            }
        }
    }

    impl Clock for SystemClock {
        fn now_us(&self) -> u64 {
            self.epoch.elapsed().as_micros() as u64
        }
        fn sleep(&self, d: Duration) {
            std::thread::sleep(d)
        }
    }
}
