//! The page/worker protocol: one serde enum each way, sent as JSON text through
//! postMessage.

use crate::report::RunReport;
use serde::{Deserialize, Serialize};

/// From the page to a worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Run a whole scenario with a single writer on this worker's own in-memory
    /// database, and answer with its report (the pipeline check of the page).
    RunAlone { scenario: serde_json::Value },
}

/// From a worker to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's wasm is loaded and it listens.
    Ready,
    Report {
        report: Box<RunReport>,
    },
    Failed {
        message: String,
    },
}

impl ToWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl FromWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
