//! The browser host (wasm32 only): the page and the Web Worker entry points.
pub mod app;
pub mod worker;
