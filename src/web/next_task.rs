//! Yield to the browser between steps of a long job: what follows runs in a task
//! of its own (a timer's), after the input and the frames waiting for the main
//! thread. A resolved promise would not do: its continuation is a microtask of the
//! same task, which no frame can come between.

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Resume in a later task.
pub async fn next_task() {
    let later = Promise::new(&mut |resolve, _reject| {
        gloo_timers::callback::Timeout::new(0, move || {
            let _ = resolve.call0(&JsValue::NULL);
        })
        .forget();
    });
    let _ = JsFuture::from(later).await;
}
