//! The browser host (wasm32 only): the page, the Web Worker, and the parts of the
//! platform they need (clock, protocol). Nothing outside this module sees web-sys.

mod alone;
pub mod app;
pub mod clock;
pub mod protocol;
pub mod worker;

pub use alone::run_alone;
