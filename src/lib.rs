//! locklab's core: trace events, the shared VFS, scenarios, the analysis of a
//! trace (metrics, the run report), the job-queue engine, the timeline, exports
//! and the course. It compiles for the browser (wasm32) and natively; the two hosts
//! around it live in `native` (threads, the CLI) and `web` (Web Workers, the page).
//!
//! Architecture invariant: nothing outside `native` and `web` knows which host it
//! runs in; the engine never sees web-sys, threads or files.
//!
//! Feature `sqlite` (default) brings SQLite: the engine's worker, the shared VFS's
//! callbacks, the console's connection, `trace::sqlite_log`, `native` and
//! `web::worker`.
//! The page is built without it and keeps only the types they share with it.

// In the browser every worker is a single-threaded wasm instance (see `shareable`):
// an `Arc` there only counts references and never crosses a thread.
#![cfg_attr(target_arch = "wasm32", allow(clippy::arc_with_non_send_sync))]
// Unsafe code only where C or SIMD must be called: the modules that do allow it,
// each with its reason (`vfs::sqlite`, `vfs::same_words`, `trace::sqlite_log`,
// `native::tracing_vfs`); and inside an unsafe fn, each unsafe operation still
// in an `unsafe` block of its own.
#![deny(unsafe_code)]
#![deny(unsafe_op_in_unsafe_fn)]

// The ground floor: vocabularies every layer may use.
pub mod clock;
pub mod decimal;
pub mod duration;
pub mod lock;
pub mod ordering;
pub mod result_code;
pub mod shareable;
pub mod wire;

// The core, in its order: each module uses only the ones before it.
// What happened, event by event:
pub mod trace;

// the shared VFS under SQLite, which records into the trace;
pub mod vfs;

// what a run does;
pub mod scenario;

// what a trace means: lock holds, who blocks whom, metrics, the report;
pub mod analysis;

// the workload, run on a connection through a VFS;
pub mod engine;

// the timeline drawn from a trace, and what a host keeps of a run;
pub mod timeline;

pub mod run_trace;

// what a person reads: exports, the course, comparisons.
pub mod exports;

pub mod lessons;

pub mod compare;

// The two hosts around the core.
#[cfg(all(not(target_arch = "wasm32"), feature = "sqlite"))]
pub mod native;

#[cfg(target_arch = "wasm32")]
pub mod web;
