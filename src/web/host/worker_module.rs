//! The Web Workers' wasm, compiled once per page: each worker is sent the compiled
//! module (`static/worker_start.js`) instead of fetching and compiling it itself.
//! V8's optimised code belongs to the module, so the workers of every later run
//! start with what earlier workers made hot, where each new worker used to begin
//! again in baseline code; and sixteen workers no longer compile the same
//! megabyte on two cores while the page draws. Measured with
//! `tests/e2e/bench-ab.mjs` (4 workers, 2,000 short WAL jobs, 6 runs each build,
//! alternating), median jobs/s: memory 4,985 -> 10,258, OPFS 2,903 -> 4,366. The
//! first run after load was slower (4,168 on memory) than the next (7,934 to
//! 10,594).

use crate::web::error::WebError;
use crate::web::js_error::js_error;
use js_sys::{Promise, WebAssembly};
use std::cell::RefCell;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// Where the worker's wasm is, beside the page.
const WORKER_WASM: &str = "./worker_bg.wasm";

thread_local! {
    /// The compilation, begun at the first use; a failed one is forgotten, so
    /// that the next run tries again.
    static COMPILED: RefCell<Option<Promise>> = const { RefCell::new(None) };
}

/// Begin compiling, so that the first run finds it done (the page calls it
/// once it is up).
pub fn start_compiling() {
    let _ = compiling();
}

/// The compilation under way or done, begun now if there is none.
fn compiling() -> Promise {
    COMPILED.with(|c| c.borrow_mut().get_or_insert_with(compile).clone())
}

/// The worker's compiled module.
pub async fn worker_module() -> Result<WebAssembly::Module, WebError> {
    match JsFuture::from(compiling()).await {
        Ok(module) => module.dyn_into().map_err(|_| {
            WebError::browser("the worker's wasm compiled to something else than a module")
        }),
        Err(e) => {
            COMPILED.with(|c| c.borrow_mut().take());
            Err(js_error(
                &format!("cannot load the Web Workers' wasm ({WORKER_WASM})"),
                e,
            ))
        }
    }
}

/// Fetch the bytes and compile them, off the page's thread. Not
/// `compileStreaming`: it refuses a server that does not say `application/wasm`.
fn compile() -> Promise {
    wasm_bindgen_futures::future_to_promise(async {
        let window = web_sys::window().ok_or("no window")?;
        let response: Response = JsFuture::from(window.fetch_with_str(WORKER_WASM))
            .await?
            .dyn_into()?;
        if !response.ok() {
            let status = format!(
                "the server answered {} {}",
                response.status(),
                response.status_text()
            );
            return Err(JsValue::from_str(&status));
        }
        let bytes = JsFuture::from(response.array_buffer()?).await?;
        JsFuture::from(WebAssembly::compile(&bytes)).await
    })
}
