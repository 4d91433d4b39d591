//! Trace events: everything a worker and its VFS did, with one clock for all
//! workers, from the moment it happens to the page that draws it.
//!
//! - `event`: the vocabulary (`TraceEvent`, `EventKind`, the steps and roles).
//! - `recorder`: the per-thread recorder the engine and the VFS write to.
//! - `interner`: one stored copy of each text an event refers to (`Text`).
//! - `wire`: events as bytes for their trip from a Web Worker to the page.
//! - `sqlite_log`: SQLite's own error log as events.
//!
//! Architecture invariant: the trace reads nothing above it (no analysis, no
//! VFS, no host); everything that measures a run reads it.

mod event;
pub mod interner;
mod recorder;
#[cfg(feature = "sqlite")]
#[allow(
    unsafe_code,
    reason = "SQLite's log calls back through a C function pointer"
)]
pub mod sqlite_log;
pub mod wire;

pub use event::*;
pub use interner::Text;
pub use recorder::{
    current_worker, emit, emit_at, install, now_us, now_us_at_least, take, uninstall, watch,
};
