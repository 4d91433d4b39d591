//! The browser host (wasm32 only), in three sides and the clock they share:
//!
//! - `page`: the yew page (components only; each owns its state, the app composes);
//! - `host`: the page's side of a run: starts the Web Workers, owns the shared
//!   buffers and the run's files, speaks the protocol, installs `window.locklab`;
//! - `worker`: the Web Worker's side: attaches the shared buffers as shared VFS
//!   databases (memory or OPFS), seeds, runs the engine, audits.
//!
//! Above both sides of a run, read by each: `protocol` (the messages between the
//! page and its workers) and `run_files` (where a run's database files live).
//! Beside them: `shared_memory` (the SharedArrayBuffers the page creates and every
//! worker wraps), `clock` (the one clock of a run's workers), `js_error` (a
//! JavaScript error in words) and `next_task` (yield to the browser between the
//! steps of a long job).
//!
//! Nothing outside this module sees web-sys.

pub mod clock;
pub mod error;
pub mod host;
mod js_error;
pub mod next_task;
pub mod page;
pub mod protocol;
pub mod run_files;
pub mod shared_memory;
#[cfg(feature = "sqlite")]
pub mod worker;
