//! Trace events: everything a worker and its VFS did, with one clock for all workers.
//!
//! The engine writes transaction, statement, job and error events; the VFS layer
//! writes lock changes, shm locks, busy waits and syncs. Both write to the recorder
//! of the current thread (one worker per thread natively, one per wasm instance in
//! the browser), so a VFS callback, which SQLite calls without any context of ours,
//! still knows whose lock it is. The timeline, the metrics, the exports and the
//! tests all read these events; nothing else is measured.

use crate::clock::Clock;
use crate::lock::LockLevel;
use crate::lock_holds::{self, LockHolds};
pub use crate::text::Text;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::sync::Arc;

pub type WorkerId = u32;

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

/// The locks a connection of this thread holds on one database, as the VFS events
/// that passed through the recorder say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Held {
    pub level: LockLevel,
    /// WAL's write lock (shm slot 0, exclusive).
    pub wal_write: bool,
}

struct Recorder {
    worker: WorkerId,
    clock: Arc<dyn Clock>,
    events: Vec<TraceEvent>,
    /// What the worker holds, kept up to date with each event on its way in.
    holds: LockHolds,
    /// What the host does before this thread sleeps (`before_sleep`).
    before_sleep: Option<fn()>,
}

impl Recorder {
    fn push(&mut self, t_us: u64, kind: EventKind) {
        let event = TraceEvent {
            t_us,
            worker: self.worker,
            kind,
        };
        self.holds.read(&event, |_| {});
        self.events.push(event);
    }
}

thread_local! {
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// Make this thread record events for `worker`, timed by `clock`.
pub fn install(worker: WorkerId, clock: Arc<dyn Clock>) {
    RECORDER.with(|r| {
        *r.borrow_mut() = Some(Recorder {
            worker,
            clock,
            events: Vec::new(),
            holds: LockHolds::default(),
            before_sleep: None,
        });
    });
}

/// Have this thread's recorder call `hook` before each `sleep`: a browser worker
/// posts the events it recorded so far, so that a worker waiting in SQLite's busy
/// handler for seconds does not leave its lane blank meanwhile.
pub fn before_sleep(hook: fn()) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            rec.before_sleep = Some(hook);
        }
    });
}

/// Stop recording on this thread and return what was not yet taken.
pub fn uninstall() -> Vec<TraceEvent> {
    RECORDER.with(|r| {
        r.borrow_mut()
            .take()
            .map(|rec| rec.events)
            .unwrap_or_default()
    })
}

/// The events recorded so far on this thread (the recorder stays installed). The
/// recorder starts again with room for as many events, so that a worker taking its
/// events every 100 ms does not grow a vector from nothing each time.
pub fn take() -> Vec<TraceEvent> {
    RECORDER.with(|r| {
        r.borrow_mut()
            .as_mut()
            .map(|rec| {
                let room = Vec::with_capacity(rec.events.len());
                std::mem::replace(&mut rec.events, room)
            })
            .unwrap_or_default()
    })
}

/// The current time of this thread's recorder, if one is installed.
pub fn now_us() -> Option<u64> {
    RECORDER.with(|r| r.borrow().as_ref().map(|rec| rec.clock.now_us()))
}

/// The current time of this thread's recorder, and never before `floor`: a time
/// another worker's event was known to come before (see `Clock::now_at_least`).
pub fn now_us_at_least(floor: u64) -> Option<u64> {
    RECORDER.with(|r| r.borrow().as_ref().map(|rec| rec.clock.now_at_least(floor)))
}

/// Record an event that happens now.
pub fn emit(kind: EventKind) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            let t_us = rec.clock.now_us();
            rec.push(t_us, kind);
        }
    });
}

/// Record an event that began at `t_us` (a span: a statement, a wait).
pub fn emit_at(t_us: u64, kind: EventKind) {
    RECORDER.with(|r| {
        if let Some(rec) = r.borrow_mut().as_mut() {
            rec.push(t_us, kind);
        }
    });
}

/// What this thread's connections hold on `db`, as far as its recorder saw (no
/// recorder: nothing).
pub fn held(db: DbFile) -> Held {
    RECORDER.with(|r| {
        r.borrow().as_ref().map_or(Held::default(), |rec| Held {
            level: rec.holds.level(db),
            wal_write: rec.holds.holds(db, lock_holds::Held::WalWrite),
        })
    })
}

/// The worker this thread records for, if any.
pub fn current_worker() -> Option<WorkerId> {
    RECORDER.with(|r| r.borrow().as_ref().map(|rec| rec.worker))
}

/// Sleep on this thread's recorder clock, after its `before_sleep` hook; `false`
/// (and no sleep) without a recorder.
pub fn sleep(d: std::time::Duration) -> bool {
    let found = RECORDER.with(|r| {
        r.borrow()
            .as_ref()
            .map(|rec| (rec.clock.clone(), rec.before_sleep))
    });
    match found {
        Some((clock, before_sleep)) => {
            if let Some(hook) = before_sleep {
                hook();
            }
            clock.sleep(d);
            true
        }
        None => false,
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
    use crate::clock::SystemClock;

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

    #[test]
    fn the_recorder_remembers_what_each_database_holds() {
        std::thread::spawn(|| {
            assert_eq!(held(DbFile::Queue), Held::default(), "no recorder");
            install(3, Arc::new(SystemClock::starting_now()));
            let shm = |slot, n, acquire, ok| EventKind::ShmLock {
                db: DbFile::Queue,
                slot,
                n,
                exclusive: true,
                acquire,
                ok,
                by: None,
            };
            emit(samples::lock(LockLevel::None, LockLevel::Reserved));
            emit(EventKind::Lock {
                db: DbFile::Results,
                from: LockLevel::None,
                to: LockLevel::Shared,
            });
            assert_eq!(held(DbFile::Queue).level, LockLevel::Reserved);
            assert_eq!(held(DbFile::Results).level, LockLevel::Shared);
            emit(shm(0, 1, true, false));
            assert!(!held(DbFile::Queue).wal_write, "a refused lock is not held");
            emit(shm(3, 1, true, true));
            assert!(
                !held(DbFile::Queue).wal_write,
                "a read mark is not the write lock"
            );
            emit(shm(0, 1, true, true));
            assert!(held(DbFile::Queue).wal_write);
            assert!(!held(DbFile::Results).wal_write);
            emit(shm(0, 8, false, true));
            assert!(!held(DbFile::Queue).wal_write);
            assert_eq!(uninstall().len(), 6);
        })
        .join()
        .unwrap();
    }

    /// The hook runs before each sleep and can take the events so far (a browser
    /// worker posts them); without a recorder nothing runs and nothing sleeps.
    #[test]
    fn before_sleep_runs_before_each_sleep_and_can_take_the_events() {
        std::thread::spawn(|| {
            thread_local! {
                static TAKEN: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
            }
            fn hand_over() {
                let n = take().len();
                TAKEN.with(|t| t.borrow_mut().push(n));
            }
            assert!(!sleep(std::time::Duration::from_micros(1)));
            install(0, Arc::new(SystemClock::starting_now()));
            before_sleep(hand_over);
            emit(samples::lock(LockLevel::None, LockLevel::Shared));
            emit(samples::busy(0));
            assert!(sleep(std::time::Duration::from_micros(1)));
            assert!(sleep(std::time::Duration::from_micros(1)));
            emit(samples::lock(LockLevel::Shared, LockLevel::None));
            assert_eq!(TAKEN.with(|t| t.borrow().clone()), [2, 0]);
            assert_eq!(uninstall().len(), 1, "what came after the last sleep");
        })
        .join()
        .unwrap();
    }
}
