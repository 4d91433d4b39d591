//! The page's side of a run: the shared buffers, the Web Workers (started from
//! one compiled module), the protocol they speak, the run's files, the runs this
//! tab keeps, their exports, and the automation API (`window.locklab`).

pub mod api;
pub mod compare;
pub mod console;
pub mod exports;
mod js_json;
pub mod kept_runs;
pub mod protocol;
pub mod run;
pub mod run_files;
mod worker_handle;
pub mod worker_module;
