//! The browser host (wasm32 only), in three sides and the clock they share:
//!
//! - `page`: the yew page (components only; each owns its state, the app composes);
//! - `host`: the page's side of a run: starts the Web Workers, owns the shared
//!   buffers and the run's files, speaks the protocol, installs `window.locklab`;
//! - `worker`: the Web Worker's side: attaches the shared buffers as shared VFS
//!   databases (memory or OPFS), seeds, runs the engine, audits.
//!
//! Nothing outside this module sees web-sys.

pub mod clock;
pub mod host;
pub mod page;
pub mod worker;
