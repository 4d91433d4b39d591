//! How a run ended, as the report says it: why each worker stopped
//! (`WorkerExit`), the error that ended a run (`Failure`), and the audit of its
//! jobs (`JobAudit`). The engine and the hosts produce them; the page, which
//! carries no SQLite, reads them.

use crate::trace::{Step, WorkerId};
use crate::wire::wire_struct;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Why a worker stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WorkerExit {
    /// The queue was empty (a writer) or the writers were done (a reader).
    Completed,
    TimeLimit,
    Stopped,
    /// Killed as a crash would kill it: its transaction is neither rolled back nor
    /// are its connections closed. The host must not close them either (forget
    /// them) and releases the worker's locks in the VFS.
    Killed,
    /// A statement failed with an error that is not a lock error.
    Failed(Failure),
}

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

/// The invariants of a run, read from the database after the workers ended and
/// checked against what the workers said they committed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobAudit {
    pub seeded: u64,
    /// Jobs whose status is DONE in the database.
    pub done: u64,
    /// Jobs that more than one worker committed as done.
    pub double_claimed: u64,
    /// Jobs a worker committed as done that the database does not hold as done
    /// (or, with a results database, whose result is missing).
    pub lost: u64,
    /// Jobs whose status is RUNNING in the database: claimed and not finished.
    /// After a run whose writers completed, each is a stuck job (its worker died
    /// and nothing reclaimed it).
    #[serde(default)]
    pub running: u64,
    /// A workload's checks, read from its database after the run.
    #[serde(default)]
    pub checks: Vec<CheckResult>,
}

/// One of a workload's checks: its SQL's first value against what was expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckResult {
    pub name: String,
    pub sql: String,
    /// The value expected, or the bound (">= 3", "<= 0").
    pub expected: Value,
    /// What the SQL returned (or why it could not run, as text).
    pub got: Value,
    pub ok: bool,
}

// As the page's workers send them (`crate::wire`).
wire_struct!(Failure {
    worker,
    step,
    sql,
    code,
    extended,
    name,
    message
});
wire_struct!(JobAudit {
    seeded,
    done,
    double_claimed,
    lost,
    running,
    checks
});
wire_struct!(CheckResult {
    name,
    sql,
    expected,
    got,
    ok
});

/// The audit of a queue whose DONE jobs are `done_ids` (and, with a results
/// database, whose results are `with_result`), with `running` jobs RUNNING,
/// against the ids the workers committed (one entry per JobDone).
pub fn audit_of(
    seeded: u64,
    done_ids: &BTreeSet<i64>,
    with_result: Option<&BTreeSet<i64>>,
    running: u64,
    committed: &[i64],
) -> JobAudit {
    let times = times_committed(committed);
    let lost = times
        .keys()
        .filter(|id| !done_ids.contains(id) || with_result.is_some_and(|r| !r.contains(id)))
        .count() as u64;
    JobAudit {
        seeded,
        done: done_ids.len() as u64,
        double_claimed: double_claimed(&times),
        lost,
        running,
        checks: Vec::new(),
    }
}

/// The audit of a database too damaged to read: nothing is known done, so every
/// job a worker committed is lost.
pub fn audit_unreadable(seeded: u64, committed: &[i64]) -> JobAudit {
    let times = times_committed(committed);
    JobAudit {
        seeded,
        done: 0,
        double_claimed: double_claimed(&times),
        lost: times.len() as u64,
        running: 0,
        checks: Vec::new(),
    }
}

fn times_committed(committed: &[i64]) -> BTreeMap<i64, u32> {
    let mut times: BTreeMap<i64, u32> = BTreeMap::new();
    for id in committed {
        *times.entry(*id).or_default() += 1;
    }
    times
}

fn double_claimed(times: &BTreeMap<i64, u32>) -> u64 {
    times.values().filter(|n| **n > 1).count() as u64
}
