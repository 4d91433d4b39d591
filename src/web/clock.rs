//! Time in a Web Worker: `performance.timeOrigin + performance.now()` as the one
//! clock of all workers, and a sleep that really blocks (Atomics.wait on a
//! SharedArrayBuffer, allowed in workers of a cross-origin isolated page).

use crate::clock::Clock;
use js_sys::{Atomics, Int32Array, Reflect, SharedArrayBuffer};
use std::time::Duration;
use wasm_bindgen::{JsCast, JsValue};

/// Milliseconds since the Unix epoch, from the performance clock of this global.
pub fn wall_ms() -> f64 {
    let performance: web_sys::Performance =
        Reflect::get(&js_sys::global(), &JsValue::from_str("performance"))
            .expect("every browser global has performance")
            .unchecked_into();
    performance.time_origin() + performance.now()
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

thread_local! {
    static SLEEP_CELL: Option<Int32Array> = SleepCell::new();
}

struct SleepCell;

impl SleepCell {
    fn new() -> Option<Int32Array> {
        let is_isolated =
            Reflect::get(&js_sys::global(), &JsValue::from_str("crossOriginIsolated"))
                .ok()
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
        is_isolated.then(|| Int32Array::new(&SharedArrayBuffer::new(4)))
    }
}

impl Clock for WebClock {
    fn now_us(&self) -> u64 {
        ((wall_ms() - self.epoch_ms).max(0.0) * 1000.0) as u64
    }

    /// Blocks the worker with Atomics.wait. Without cross-origin isolation there is
    /// no SharedArrayBuffer, and the sleep spins on the clock instead (the page says
    /// so in its capability banner).
    fn sleep(&self, d: Duration) {
        let ms = d.as_secs_f64() * 1000.0;
        let waited = SLEEP_CELL.with(|cell| match cell {
            Some(cell) => Atomics::wait_with_timeout(cell, 0, 0, ms).is_ok(),
            None => false,
        });
        if !waited {
            let end = wall_ms() + ms;
            while wall_ms() < end {}
        }
    }
}
