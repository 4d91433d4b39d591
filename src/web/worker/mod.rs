//! The Web Worker's side of a run: its entry point, the shared buffers attached as
//! shared VFS databases, its storage (OPFS or SharedArrayBuffers) and shared words,
//! and its part in a run (seed, run the engine, audit).

mod alone;
mod attach;
mod console;
pub mod entry;
pub mod opfs_storage;
mod shared_run;
mod snapshot;

pub use alone::run_alone;
