//! The page: yew components. They show runs and start them through `host`; none
//! of them touches a Web Worker or a shared buffer.

mod address;
pub mod app;
mod banners;
mod canvas_fonts;
mod compare_metrics;
pub mod compare_view;
mod console_view;
mod course;
mod edited_copy;
mod exports;
mod incidents;
mod key_numbers;
mod keys;
mod kill_buttons;
mod lesson_file_view;
mod lesson_links;
mod live_view;
mod metrics_panel;
mod page_api;
mod pipeline_check;
mod replay_view;
mod run_view;
mod runner;
mod scenario_panel;
mod shell;
mod store;
mod text_box;
pub(crate) mod timeline;
mod wait_for_matrix;
mod wal_chart;
mod watchers;
