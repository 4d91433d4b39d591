//! The trace's vocabulary: what a worker and its VFS did, one event at a time,
//! with one clock for all workers.
//!
//! The engine writes transaction, statement, job and error events; the VFS layer
//! writes lock changes, shm locks, busy waits and syncs. The timeline, the
//! metrics, the exports and the tests all read these events; nothing else is
//! measured.

use super::interner::Text;
use crate::lock::LockLevel;
use serde::{Deserialize, Serialize};

pub type WorkerId = u32;

/// The worker id of a connection that no worker opened: the host's own (it
/// creates, seeds and audits the database).
pub const HOST_WORKER: WorkerId = 10_000;

/// One thing that happened, at `t_us` (microseconds since the run began) in `worker`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceEvent {
    pub t_us: u64,
    pub worker: WorkerId,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// Which database file a VFS event concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DbFile {
    /// The job queue.
    Queue,
    /// The separate results database (`separate_results_db`).
    Results,
}

/// Which of a database's files a sync concerns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileRole {
    Db,
    Journal,
    Wal,
    Other,
}

/// The step of the workload a statement or error belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    Open,
    Claim,
    Heartbeat,
    Result,
    /// A whole job in one transaction (the long style).
    Job,
    Read,
    /// SQL a person typed into the page's console.
    Console,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    WorkerStart {
        role: Role,
    },
    WorkerEnd,
    /// A transaction began (BEGIN returned).
    Begin {
        step: Step,
        sql: Text,
    },
    Commit {
        step: Step,
    },
    Rollback {
        step: Step,
    },
    /// A statement ran from `t_us` for `dur_us`, successfully.
    Statement {
        step: Step,
        sql: Text,
        dur_us: u64,
    },
    JobClaimed {
        job: i64,
    },
    /// The claim UPDATE changed no row: another worker took the job first.
    LostRace {
        job: i64,
    },
    Heartbeat {
        job: i64,
    },
    /// The job's result is committed; `latency_us` runs from the first claim attempt.
    JobDone {
        job: i64,
        latency_us: u64,
    },
    /// The connection's lock on a database file changed (the VFS saw it happen).
    Lock {
        db: DbFile,
        from: LockLevel,
        to: LockLevel,
    },
    /// A lock was asked for and refused with SQLITE_BUSY.
    LockDenied {
        db: DbFile,
        held: LockLevel,
        wanted: LockLevel,
        /// The worker in the way, when the VFS knows it (the shared VFS does).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<WorkerId>,
    },
    /// A WAL shm lock (slots `slot..slot+n`) was taken or released.
    ShmLock {
        db: DbFile,
        slot: u8,
        n: u8,
        exclusive: bool,
        acquire: bool,
        ok: bool,
        /// For a refused request, the worker in the way, when the VFS knows it
        /// (the shared VFS does).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<WorkerId>,
    },
    /// The VFS's xSleep: SQLite's busy handler (or WAL's retry loop) waited.
    BusyWait {
        requested_us: u64,
        dur_us: u64,
    },
    Sync {
        db: DbFile,
        file: FileRole,
    },
    /// The shared page cache wrote `pages` dirty pages of a file to the storage
    /// under it (OPFS), in `dur_us`: for an xSync, the end of a run, the close of
    /// the last connection, or because every page of the cache was dirty.
    WriteBack {
        db: DbFile,
        file: FileRole,
        pages: u32,
        dur_us: u64,
    },
    /// A COMMIT of one task of this worker's connection (`tasks_per_connection`)
    /// that also committed the statements `others` other tasks had sent into
    /// the same transaction.
    SharedCommit {
        others: u32,
    },
    /// The worker plays this role of a workload of one's own (docs/workload.md):
    /// its lane's name. Right after its WorkerStart.
    Plays {
        role: Text,
    },
    /// A write of this worker's connection made `db`'s WAL file `bytes` long:
    /// the log grew.
    WalGrew {
        db: DbFile,
        bytes: u64,
    },
    /// A write of this worker's connection began `db`'s WAL anew at its start
    /// (its header) while the file held frames: the log started over, after a
    /// checkpoint had copied every frame back and no reader needed them.
    WalRestarted {
        db: DbFile,
    },
    /// The worker waited `dur_us` for its process's interpreter lock (the
    /// scenario's `processes`: Ruby's GVL), held by `holder` when it began to
    /// wait. Not SQLite's: a lock of the language runtime around it.
    InterpreterWait {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        holder: Option<WorkerId>,
        dur_us: u64,
    },
    /// A statement failed after `after_us`.
    Error {
        step: Step,
        sql: Text,
        code: i32,
        extended: i32,
        name: Text,
        message: Text,
        after_us: u64,
    },
    /// The worker died as a crash would (a fault of the scenario, or the host's
    /// kill): no rollback, no close. Its last event; the host releases its locks.
    WorkerKilled,
    /// A claim took a RUNNING job whose heartbeat was older than `stale_after_ms`
    /// (recorded besides its JobClaimed); `from` is the worker that had it.
    JobReclaimed {
        job: i64,
        from: Option<WorkerId>,
    },
    /// A heartbeat or result write changed no row: another worker reclaimed the
    /// job, so this worker's lease on it is gone and it is not this worker's to do.
    LeaseLost {
        job: i64,
    },
    /// A message of SQLite's error log (`sqlite3_log`) on this worker's thread:
    /// recovery notices (SQLITE_NOTICE_RECOVER_ROLLBACK, SQLITE_NOTICE_RECOVER_WAL),
    /// warnings, and the details SQLite logs with some errors.
    SqliteLog {
        code: i32,
        message: String,
    },
}

impl EventKind {
    /// How long the event lasted, for the events that are spans (recorded at
    /// their start): statements, busy waits, interpreter waits and write-backs.
    pub fn dur_us(&self) -> Option<u64> {
        match self {
            EventKind::Statement { dur_us, .. }
            | EventKind::BusyWait { dur_us, .. }
            | EventKind::InterpreterWait { dur_us, .. }
            | EventKind::WriteBack { dur_us, .. } => Some(*dur_us),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Writer,
    Reader,
    /// A person's own connection: the page's SQL console ("you").
    Console,
}

/// The jobs whose results were committed, one entry per JobDone, in event order:
/// what the audit checks the database against.
pub fn committed_jobs(events: &[TraceEvent]) -> Vec<i64> {
    events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::JobDone { job, .. } => Some(job),
            _ => None,
        })
        .collect()
}

impl FileRole {
    /// The role of one of a database's files, from its name.
    pub fn of_name(name: &str) -> FileRole {
        if name.ends_with("-wal") {
            FileRole::Wal
        } else if name.ends_with("-journal") {
            FileRole::Journal
        } else {
            FileRole::Db
        }
    }
    /// The role of a file SQLite opens, from its `SQLITE_OPEN_*` flags.
    #[cfg(feature = "sqlite")]
    pub fn from_open_flags(flags: i32) -> FileRole {
        use rusqlite::ffi;
        if flags & ffi::SQLITE_OPEN_MAIN_DB != 0 {
            FileRole::Db
        } else if flags & ffi::SQLITE_OPEN_MAIN_JOURNAL != 0 {
            FileRole::Journal
        } else if flags & ffi::SQLITE_OPEN_WAL != 0 {
            FileRole::Wal
        } else {
            FileRole::Other
        }
    }
}

/// Events written by hand, for the unit tests of what reads traces.
#[cfg(test)]
pub(crate) mod samples {
    use super::{DbFile, EventKind, Step, TraceEvent, WorkerId};
    use crate::lock::LockLevel;

    pub fn at(t_us: u64, worker: WorkerId, kind: EventKind) -> TraceEvent {
        TraceEvent { t_us, worker, kind }
    }

    /// A lock change on the queue database.
    pub fn lock(from: LockLevel, to: LockLevel) -> EventKind {
        EventKind::Lock {
            db: DbFile::Queue,
            from,
            to,
        }
    }

    /// A claim's BEGIN IMMEDIATE refused with SQLITE_BUSY after `after_us`.
    pub fn busy(after_us: u64) -> EventKind {
        EventKind::Error {
            step: Step::Claim,
            sql: "BEGIN IMMEDIATE".into(),
            code: 5,
            extended: 5,
            name: "SQLITE_BUSY".into(),
            message: "database is locked".into(),
            after_us,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Statements' SQL and errors' words are referred to, not copied: a million
    /// jobs' events stay a few dozen bytes each.
    #[test]
    fn an_event_refers_to_its_texts() {
        assert!(std::mem::size_of::<TraceEvent>() <= 64);
        let statement = |sql: &str| EventKind::Statement {
            step: Step::Claim,
            sql: sql.into(),
            dur_us: 1,
        };
        let typed = String::from("COMMIT");
        let (EventKind::Statement { sql: a, .. }, EventKind::Statement { sql: b, .. }) =
            (statement("COMMIT"), statement(typed.as_str()))
        else {
            unreachable!()
        };
        assert!(Text::same_copy(&a, &b));
    }
}
