//! The browser host (wasm32 only): the page, the Web Worker, and the parts of the
//! platform they need (clock, protocol, shared memory, storage). Nothing outside
//! this module sees web-sys.

mod alone;
pub mod app;
pub mod clock;
pub mod host;
mod live_view;
mod metrics_panel;
pub mod opfs_storage;
pub mod protocol;
mod run_view;
pub mod sab_storage;
pub mod sab_words;
mod scenario_panel;
mod shared_run;
mod timeline_view;
mod typed_copy;
pub mod worker;

pub use alone::run_alone;
