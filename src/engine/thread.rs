//! A thread (natively) or a wasm instance (in the browser) made to serve one
//! worker: its trace recorder and its VFS context, on one clock. Hosts call these
//! around everything a worker does on a connection.

use crate::clock::Clock;
use crate::trace::{self, TraceEvent, WorkerId};
use crate::vfs;
use std::sync::Arc;

/// Record this thread's events for `worker`, timed by `clock`, and make its
/// connections belong to `worker` in the shared VFS, sleeping on the same clock.
pub fn enter(worker: WorkerId, clock: Arc<dyn Clock>) {
    trace::install(worker, clock.clone());
    vfs::context::enter(worker, clock);
}

/// Stop serving the worker: returns the events not yet taken.
pub fn leave() -> Vec<TraceEvent> {
    vfs::context::leave();
    trace::uninstall()
}
