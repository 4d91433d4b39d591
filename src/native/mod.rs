//! The native host: runs a scenario with one thread per worker against native SQLite
//! (rusqlite `bundled`), through the tracing VFS. Nothing here compiles for wasm.

mod host;
pub mod tracing_vfs;

pub use host::{run, HostError, Run};
