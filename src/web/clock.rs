//! Time in a Web Worker: `performance.timeOrigin + performance.now()` as the one
//! clock of all workers, and a sleep that really blocks (Atomics.wait on a
//! SharedArrayBuffer, allowed in workers of a cross-origin isolated page).

use crate::clock::Clock;
use js_sys::{Atomics, Int32Array, Reflect, SharedArrayBuffer};
use std::cell::{Cell, RefCell};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};

thread_local! {
    /// This global's performance object and its time origin, looked up once: the
    /// clock is read for every trace event.
    static PERFORMANCE: (web_sys::Performance, f64) = {
        let performance: web_sys::Performance =
            Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
                .expect("every browser global has performance")
                .unchecked_into();
        let origin = performance.time_origin();
        (performance, origin)
    };
}

/// Milliseconds since the Unix epoch, from the performance clock of this global.
pub fn wall_ms() -> f64 {
    PERFORMANCE.with(|(performance, origin)| origin + performance.now())
}

/// The clock of one run: time 0 is the run's epoch, shared by every worker.
#[derive(Clone, Copy, Debug)]
pub struct WebClock {
    epoch_ms: f64,
}

impl WebClock {
    pub fn with_epoch(epoch_ms: f64) -> WebClock {
        WebClock { epoch_ms }
    }
}

/// The word a sleep waits on: while it is 0 the sleep lasts its full time; once it
/// is not (the run's stop flag, set and notified by the page) sleeps end at once.
struct SleepCell {
    words: Int32Array,
    index: u32,
}

thread_local! {
    static SLEEP_CELL: RefCell<Option<SleepCell>> = RefCell::new(private_cell());
}

/// A word of this worker's own, which nobody ever sets; none without cross-origin
/// isolation (no SharedArrayBuffer).
fn private_cell() -> Option<SleepCell> {
    let is_isolated = Reflect::get(&js_sys::global(), &JsValue::from_str("crossOriginIsolated"))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false);
    is_isolated.then(|| SleepCell {
        words: Int32Array::new(&SharedArrayBuffer::new(4)),
        index: 0,
    })
}

/// Make this worker's sleeps (the engine's pauses and SQLite's busy waits through
/// xSleep) end as soon as `words[index]` becomes non-zero: a stop takes effect even
/// while a worker waits for a lock.
pub fn wake_on(words: Int32Array, index: u32) {
    SLEEP_CELL.with(|cell| *cell.borrow_mut() = Some(SleepCell { words, index }));
}

thread_local! {
    /// How far this worker's clock has been moved forward to agree with the other
    /// workers' (`Clock::now_at_least`): each worker's time origin is its own, read
    /// when it started, and two of them can differ by some microseconds.
    static LAG_US: Cell<u64> = const { Cell::new(0) };
}

impl Clock for WebClock {
    fn now_us(&self) -> u64 {
        ((wall_ms() - self.epoch_ms).max(0.0) * 1000.0) as u64 + LAG_US.get()
    }

    fn now_at_least(&self, floor: u64) -> u64 {
        let now = self.now_us();
        if now < floor {
            LAG_US.set(LAG_US.get() + (floor - now));
        }
        now.max(floor)
    }

    /// Blocks the worker with Atomics.wait. Without cross-origin isolation there is
    /// no SharedArrayBuffer, and the sleep spins on the clock instead (the page says
    /// so in its capability banner).
    fn sleep(&self, d: Duration) {
        let ms = d.as_secs_f64() * 1000.0;
        let waited = SLEEP_CELL.with(|cell| match cell.borrow().as_ref() {
            Some(c) => Atomics::wait_with_timeout(&c.words, c.index, 0, ms).is_ok(),
            None => false,
        });
        if !waited {
            let end = wall_ms() + ms;
            while wall_ms() < end {}
        }
    }
}
