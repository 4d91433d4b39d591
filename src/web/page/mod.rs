//! The page: yew components. They show runs and start them through `host`; none
//! of them touches a Web Worker or a shared buffer.

pub mod app;
mod console_view;
mod course;
mod exports;
mod incidents;
mod key_numbers;
mod keys;
mod kill_buttons;
mod live_view;
mod metrics_panel;
mod pipeline_check;
mod replay_view;
mod run_view;
mod scenario_panel;
mod shell;
pub(crate) mod timeline_view;
mod wait_for_matrix;
