//! locklab's core: scenarios, the job-queue engine, trace events, metrics and the
//! run report. It compiles for the browser (wasm32) and natively; the two hosts
//! around it live in `native` (threads, the CLI) and `web` (Web Workers, the page).
//!
//! Architecture invariant: nothing outside `native` and `web` knows which host it
//! runs in; the engine never sees web-sys, threads or files.
//!
//! Feature `sqlite` (default) brings SQLite: the engine's worker, the shared VFS's
//! callbacks, the console's connection, `sqlite_log`, `native` and `web::worker`.
//! The page is built without it and keeps only the types they share with it.

// In the browser every worker is a single-threaded wasm instance (see `shareable`):
// an `Arc` there only counts references and never crosses a thread.
#![cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]

pub mod chrome_trace;
pub mod clock;
pub mod compare;
pub mod console;
pub mod engine;
pub mod exports;
pub mod handoff;
pub mod lessons;
pub mod lock;
pub mod lock_holds;
pub mod metrics;
pub mod ordering;
pub mod presets;
pub mod replay;
pub mod report;
pub mod result_code;
pub mod run_trace;
pub mod scenario;
pub mod shareable;
#[cfg(feature = "sqlite")]
pub mod sqlite_log;
pub mod text;
pub mod text_timeline;
pub mod timeline;
pub mod timeline_paint;
pub mod trace;
pub mod trace_wire;
pub mod vfs;
pub mod wait_for;

#[cfg(all(not(target_arch = "wasm32"), feature = "sqlite"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
pub mod web;
