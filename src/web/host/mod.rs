//! The page's side of a run: the shared buffers, the Web Workers, the protocol
//! they speak, the run's files, and the automation API (`window.locklab`).

pub mod api;
pub mod protocol;
pub mod run;
mod worker_handle;
