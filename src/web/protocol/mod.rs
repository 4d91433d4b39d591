//! The page/worker protocol: one enum each way, sent as bytes (`crate::wire`)
//! through postMessage. Every message says which protocol it speaks, beside its
//! bytes: the posted value is `{ protocol, message }`, so a worker file left in
//! a cache by an older build (worker file names are not hashed) fails the run
//! with a message instead of misreading the bytes or the buffers; the builds
//! before protocol 13 posted JSON text, which the page still reads as far as
//! their protocol (`posted`). Messages that need shared memory carry it beside
//! the bytes: `{ protocol, message, buffers }`, with the SharedArrayBuffers in
//! the order [`SharedBuffers`] documents, and the worker checks their number and
//! sizes before it touches them. Trace events travel inside the message, as
//! `crate::trace::wire` writes them; so does a database snapshot's file.

mod buffers;
mod posted;
mod wire;

pub use buffers::SharedBuffers;

use crate::analysis::outcome::Failure;
use crate::analysis::outcome::JobAudit;
use crate::analysis::outcome::WorkerExit;
use crate::engine::console::{Answer, SqlError};
use crate::scenario::Scenario;
use crate::trace::{Role, TraceEvent, WorkerId};
use crate::web::error::WebError;

/// The protocol's version: raise it whenever a message or the buffers change.
pub const PROTOCOL: u32 = 13;

/// Where the shared database's bytes live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageKind {
    /// OPFS files shared through "readwrite-unsafe" handles: persistent, Chromium.
    Opfs,
    /// SharedArrayBuffers: every cross-origin isolated browser; gone with the page.
    Memory,
}

/// From the page to a worker.
#[derive(Clone, Debug)]
pub enum ToWorker {
    /// Run a whole scenario with a single writer on this worker's own in-memory
    /// database, and answer with its report (the pipeline check of the page).
    RunAlone { scenario: Scenario },
    /// Create and seed run `run`'s database (sent to the run's keeper before any
    /// `Run`). The keeper keeps its connection open until `Audit`, as an
    /// application keeps its database open.
    Setup {
        run: String,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Attach to run `run`'s shared memory and files as `worker`, before the run's
    /// clock starts: a browser hands out OPFS handles only asynchronously, tens of
    /// ms per worker that a native process does not spend before its first
    /// `open()`, so they are not counted in the run.
    Attach {
        run: String,
        worker: WorkerId,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Run as `worker` with `role` (attached by `Attach`), on the run's clock
    /// (epoch in ms since 1970).
    Run {
        run: String,
        worker: WorkerId,
        role: Role,
        scenario: Scenario,
        epoch_ms: f64,
    },
    /// After a power cut, once every worker is gone and the page has zeroed
    /// the databases' words (a fresh lock table and WAL index): the keeper
    /// forgets its connections, puts run `run`'s files back as they were at their
    /// last sync, and opens fresh connections, which recover the databases.
    PowerRestore { run: String, scenario: Scenario },
    /// Check the invariants after the run (the keeper), against the jobs the
    /// workers committed.
    Audit {
        scenario: Scenario,
        committed: Vec<i64>,
    },
    /// Open run `run`'s database as it was left (by workers since gone) and count it.
    Inspect {
        run: String,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Open run `run`'s database as it was left, checkpoint it when in WAL, and
    /// send its file's bytes (the export `database.db`).
    Snapshot {
        run: String,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Become the SQL console: a connection of its own to run `run`'s database,
    /// traced as `worker` on the run's clock (`epoch_ms`).
    Console {
        run: String,
        worker: WorkerId,
        scenario: Scenario,
        storage: StorageKind,
        epoch_ms: f64,
    },
    /// Run SQL a person typed, on the console's connection.
    Sql { text: String },
    /// The console's run is over: roll back a transaction left open, post the
    /// last events, close the connection.
    EndConsole,
}

/// How a worker's run ended, as the protocol carries it (`WorkerExit` without
/// its failure, which travels beside it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exit {
    Completed,
    TimeLimit,
    Stopped,
    Killed,
    Failed,
}

impl Exit {
    /// The exit and the failure to send for `exit`.
    pub fn of(exit: WorkerExit) -> (Exit, Option<Failure>) {
        match exit {
            WorkerExit::Completed => (Exit::Completed, None),
            WorkerExit::TimeLimit => (Exit::TimeLimit, None),
            WorkerExit::Stopped => (Exit::Stopped, None),
            WorkerExit::Killed => (Exit::Killed, None),
            WorkerExit::Failed(failure) => (Exit::Failed, Some(failure)),
        }
    }

    /// The worker's exit as the engine said it, from what was received.
    pub fn worker_exit(self, failure: Option<Failure>, worker: WorkerId) -> WorkerExit {
        match self {
            Exit::Completed => WorkerExit::Completed,
            Exit::TimeLimit => WorkerExit::TimeLimit,
            Exit::Stopped => WorkerExit::Stopped,
            Exit::Killed => WorkerExit::Killed,
            Exit::Failed => WorkerExit::Failed(failure.unwrap_or_else(|| {
                Failure::of_worker(worker, "WORKER_DIED", "failed without saying why".into())
            })),
        }
    }
}

/// From a worker to the page.
#[derive(Clone, Debug)]
pub enum FromWorker {
    /// The worker's wasm is loaded and it listens, speaking `protocol`.
    Ready {
        protocol: u32,
    },
    /// A `RunAlone`'s run, from which the page makes the report (a worker has
    /// no need of metrics, so its wasm does without them).
    Alone {
        sqlite_version: String,
        journal_mode: String,
        elapsed_us: u64,
        exit: Exit,
        failure: Option<Failure>,
        audit: JobAudit,
        integrity_check: String,
        events: Vec<TraceEvent>,
    },
    SetupDone {
        sqlite_version: String,
    },
    /// The worker is attached to the run (`Attach`) and waits for `Run`.
    Attached,
    /// Trace events recorded so far in a run (sent every 100 ms or so).
    Events {
        events: Vec<TraceEvent>,
    },
    /// A worker's run ended: when, why (`exit`, with what failed when it failed),
    /// what `PRAGMA journal_mode` said, what it did since its last `Events`. A worker
    /// killed by a fault sends this with exit "killed" and then stops doing
    /// anything, holding whatever it held, until the page terminates it.
    Finished {
        journal_mode: Option<String>,
        exit: Exit,
        /// What failed, when `exit` is `Failed`.
        failure: Option<Failure>,
        /// When the worker ended (its connections closed), on the run's clock.
        ended_us: u64,
        events: Vec<TraceEvent>,
    },
    Audited {
        audit: JobAudit,
        integrity_check: String,
    },
    /// The keeper restored the files after a power cut (`PowerRestore`): the
    /// writes the cut dropped.
    PowerRestored {
        writes_dropped: u64,
    },
    Inspected {
        jobs: u64,
        done: u64,
        integrity_check: String,
    },
    /// The queue database as one file, with the counts read from it.
    Snapshot {
        jobs: u64,
        done: u64,
        journal_mode: String,
        file: Vec<u8>,
    },
    /// What failed, and what kind of thing it was.
    Failed {
        error: WebError,
    },
    ConsoleReady,
    /// What the SQL returned, or why it failed.
    SqlAnswer {
        answer: Result<Answer, SqlError>,
    },
    /// The console ended; `rolled_back` when a transaction was still open.
    ConsoleEnded {
        rolled_back: bool,
    },
}

impl FromWorker {
    /// The message's name, as an error about an answer out of turn says it.
    pub fn name(&self) -> &'static str {
        match self {
            FromWorker::Ready { .. } => "ready",
            FromWorker::Alone { .. } => "alone",
            FromWorker::SetupDone { .. } => "setup_done",
            FromWorker::Attached => "attached",
            FromWorker::Events { .. } => "events",
            FromWorker::Finished { .. } => "finished",
            FromWorker::Audited { .. } => "audited",
            FromWorker::PowerRestored { .. } => "power_restored",
            FromWorker::Inspected { .. } => "inspected",
            FromWorker::Snapshot { .. } => "snapshot",
            FromWorker::Failed { .. } => "failed",
            FromWorker::ConsoleReady => "console_ready",
            FromWorker::SqlAnswer { .. } => "sql_answer",
            FromWorker::ConsoleEnded { .. } => "console_ended",
        }
    }
}
