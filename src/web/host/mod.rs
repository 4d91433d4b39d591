//! The page's side of a run: the shared buffers, the Web Workers (started from
//! one compiled module), the runs this tab keeps, their exports, and the
//! automation API (`window.locklab`). The protocol and the run's files, which the
//! worker's side reads too, are `web::protocol` and `web::run_files`.

mod alone;
pub mod api;
pub mod compare;
pub mod console;
pub mod exports;
pub mod finished_run;
mod js_json;
pub mod kept_runs;
mod power;
pub mod run;
pub mod warm_up;
mod worker_handle;
pub mod worker_module;
