//! The error that ended a run, as the run report says it (`report.failure`).

use crate::trace::{Step, WorkerId};
use serde::{Deserialize, Serialize};

/// The error that ended a run: a statement failed with an error that is not a
/// lock error (I/O, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_CORRUPT, ...), so waiting
/// and retrying could not fix it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct Failure {
    /// The worker whose statement failed.
    pub worker: WorkerId,
    /// The step of the workload it was in (none when the worker itself died).
    pub step: Option<Step>,
    /// The statement ("" when the worker itself died).
    pub sql: String,
    /// SQLite's primary result code (0 when the worker itself died).
    pub code: i32,
    /// SQLite's extended result code (0 when the worker itself died).
    pub extended: i32,
    /// SQLite's name of the extended code ("SQLITE_IOERR_WRITE"), or
    /// `WORKER_DIED` for a worker that died by itself (a Web Worker's trap) and
    /// `WORKER_UNRESPONSIVE` for one that did not stop when asked.
    pub name: String,
    /// SQLite's message, with the storage's own words after it in parentheses
    /// when the storage failed ("disk I/O error (storage: ...)").
    pub message: String,
}

impl Failure {
    /// A worker that is gone without a word: it died by itself (`WORKER_DIED`) or
    /// did not stop when asked (`WORKER_UNRESPONSIVE`).
    pub fn of_worker(worker: WorkerId, name: &str, message: String) -> Failure {
        Failure {
            worker,
            step: None,
            sql: String::new(),
            code: 0,
            extended: 0,
            name: name.to_string(),
            message,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some(step) = self.step else {
            return write!(f, "worker {} {}: {}", self.worker, self.name, self.message);
        };
        write!(
            f,
            "worker {} failed with {}: {} (in its {:?} step, at `{}`)",
            self.worker,
            self.name,
            self.message,
            step,
            self.sql.split_whitespace().collect::<Vec<_>>().join(" ")
        )
    }
}
