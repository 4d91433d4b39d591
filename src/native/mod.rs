//! The native host: runs a scenario with one thread per worker against native SQLite
//! (rusqlite `bundled`), through the traced unix VFS or the shared VFS. Nothing here
//! compiles for wasm.

mod host;
pub mod place;
mod power;
#[allow(
    unsafe_code,
    reason = "it wraps SQLite's unix VFS through C function pointers"
)]
pub mod tracing_vfs;

pub use host::{run, HostError, Run, RunOptions};
pub use place::{check, Place, Vfs};
