//! The job-queue worker: claim a job, work on it, heartbeat, write its result.
//!
//! One `Worker` drives one SQLite connection (two with `separate_results_db`) through
//! the workload of the scenario. It never waits for a lock itself: SQLite's busy
//! handler does (`PRAGMA busy_timeout`), through the VFS's xSleep, which is traced.
//! When a step fails with a lock error the worker counts it, rolls back and retries
//! the step after `retry_delay_ms`, so no job is ever lost; a COMMIT refused with
//! SQLITE_BUSY keeps its transaction (SQLite's rule) and is retried as it is.
//!
//! The engine knows nothing of threads, Web Workers or web-sys: time comes from an
//! injected [`Clock`], stopping from an injected [`RunControl`].

mod jobs;
pub mod schema;

use crate::clock::Clock;
use crate::result_code;
use crate::scenario::{BeginMode, Scenario};
use crate::trace::{self, EventKind, Role, Step, WorkerId};
use rusqlite::Connection;
use std::time::Duration;

/// What the host tells a running worker.
pub trait RunControl: Send + Sync {
    /// The user (or the host) asked the run to stop.
    fn stop_requested(&self) -> bool;
    /// Every writer has finished; readers stop when they see this.
    fn writers_finished(&self) -> bool;
    /// Called between steps (at least every 20 ms while a worker pauses): where a
    /// host hands on the trace recorded so far, so its timeline can grow live.
    fn between_steps(&self) {}
}

/// The control of a worker that nobody stops and that waits for no writers: a
/// single worker on its own, or a test's workers.
pub struct Unstoppable;

impl RunControl for Unstoppable {
    fn stop_requested(&self) -> bool {
        false
    }
    fn writers_finished(&self) -> bool {
        true
    }
}

/// Why a worker stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerExit {
    /// The queue was empty (a writer) or the writers were done (a reader).
    Completed,
    TimeLimit,
    Stopped,
}

/// Why the current step could not go on.
#[derive(Debug)]
enum Interrupt {
    /// A statement failed with this extended result code (already traced).
    Sql(i32),
    Exit(WorkerExit),
}

impl From<WorkerExit> for Interrupt {
    fn from(exit: WorkerExit) -> Self {
        Interrupt::Exit(exit)
    }
}

type Flow<T> = Result<T, Interrupt>;

/// Pause between two reads of a dashboard reader.
const READER_PAUSE: Duration = Duration::from_millis(10);
/// Longest sleep between two looks at the stop flag.
const STOP_POLL: Duration = Duration::from_millis(20);

/// One worker of a run: a writer (job-queue worker) or a reader (dashboard).
pub struct Worker<'a> {
    id: WorkerId,
    role: Role,
    scenario: &'a Scenario,
    queue: &'a Connection,
    results: Option<&'a Connection>,
    clock: &'a dyn Clock,
    control: &'a dyn RunControl,
    rng: SplitMix64,
    deadline_us: u64,
}

impl<'a> Worker<'a> {
    /// `results` is the connection to the results database when the scenario keeps
    /// results apart; the run's time limit counts from clock time 0.
    pub fn new(
        id: WorkerId,
        role: Role,
        scenario: &'a Scenario,
        queue: &'a Connection,
        results: Option<&'a Connection>,
        clock: &'a dyn Clock,
        control: &'a dyn RunControl,
    ) -> Worker<'a> {
        Worker {
            id,
            role,
            scenario,
            queue,
            results,
            clock,
            control,
            rng: SplitMix64(
                scenario.seed ^ (u64::from(id) + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            ),
            deadline_us: u64::from(scenario.time_limit_ms) * 1000,
        }
    }

    /// Run until the queue is empty (writers), the writers are done (readers), the
    /// time limit passes or the host asks to stop. Returns the journal mode that
    /// SQLite reported on this worker's connection with why the worker stopped.
    pub fn run(mut self) -> (Option<String>, WorkerExit) {
        trace::emit(EventKind::WorkerStart { role: self.role });
        let mut journal_mode = None;
        let exit = match self.configure() {
            Ok(mode) => {
                journal_mode = Some(mode);
                let flow = match self.role {
                    Role::Writer => self.write_loop(),
                    Role::Reader => self.read_loop(),
                };
                match flow {
                    Ok(()) => WorkerExit::Completed,
                    Err(exit) => exit,
                }
            }
            Err(exit) => exit,
        };
        trace::emit(EventKind::WorkerEnd);
        (journal_mode, exit)
    }

    /// Apply the scenario's pragmas to this worker's connections; retried while
    /// another connection holds a lock that `journal_mode` needs.
    fn configure(&mut self) -> Result<String, WorkerExit> {
        let s = self.scenario;
        let timeout = Duration::from_millis(u64::from(s.busy_timeout_ms));
        let mut mode = String::new();
        for conn in std::iter::once(self.queue).chain(self.results) {
            self.retrying(|w| {
                w.sql(Step::Open, "PRAGMA busy_timeout", || {
                    conn.busy_timeout(timeout)
                })?;
                let sync = format!("PRAGMA synchronous = {}", s.synchronous.word());
                w.sql(Step::Open, &sync, || conn.execute_batch(&sync))?;
                let journal = format!("PRAGMA journal_mode = {}", s.journal_mode.word());
                mode = w.sql(Step::Open, &journal, || {
                    conn.query_row(&journal, [], |r| r.get::<_, String>(0))
                })?;
                Ok(())
            })?;
        }
        Ok(mode)
    }

    /// Run `attempt` until it succeeds, pausing `retry_delay_ms` after each failure.
    fn retrying<T>(
        &mut self,
        mut attempt: impl FnMut(&mut Self) -> Flow<T>,
    ) -> Result<T, WorkerExit> {
        loop {
            self.check_exit()?;
            match attempt(self) {
                Ok(v) => return Ok(v),
                Err(Interrupt::Exit(exit)) => return Err(exit),
                Err(Interrupt::Sql(_)) => self.pause(self.retry_delay())?,
            }
        }
    }

    /// Run `body` in a transaction on `conn` until it commits. A failed statement
    /// rolls the transaction back and the whole step is tried again.
    fn transaction<T>(
        &mut self,
        step: Step,
        conn: &Connection,
        begin: BeginMode,
        mut body: impl FnMut(&mut Self) -> Flow<T>,
    ) -> Result<T, WorkerExit> {
        self.retrying(|w| {
            w.sql(step, begin.sql(), || conn.execute_batch(begin.sql()))?;
            trace::emit(EventKind::Begin {
                step,
                sql: begin.sql().to_string(),
            });
            let done = body(w).and_then(|value| w.commit(step, conn).map(|()| value));
            if done.is_err() {
                w.rollback(step, conn);
            }
            done
        })
    }

    /// COMMIT; while SQLite answers SQLITE_BUSY and keeps the transaction open, try
    /// the COMMIT again (the transaction's work is still there to be committed).
    fn commit(&mut self, step: Step, conn: &Connection) -> Flow<()> {
        loop {
            match self.sql(step, "COMMIT", || conn.execute_batch("COMMIT")) {
                Ok(()) => {
                    trace::emit(EventKind::Commit { step });
                    return Ok(());
                }
                Err(Interrupt::Sql(code))
                    if result_code::primary(code) == 5 && !conn.is_autocommit() =>
                {
                    self.pause(self.retry_delay())?;
                }
                Err(other) => return Err(other),
            }
        }
    }

    fn rollback(&mut self, step: Step, conn: &Connection) {
        if !conn.is_autocommit() {
            // A ROLLBACK that fails leaves nothing to do but report it; SQLite has
            // then rolled back already or will at the next BEGIN.
            if self
                .sql(step, "ROLLBACK", || conn.execute_batch("ROLLBACK"))
                .is_ok()
            {
                trace::emit(EventKind::Rollback { step });
            }
        }
    }

    /// Run one statement, tracing it as a span, or its failure as an error.
    fn sql<T>(
        &mut self,
        step: Step,
        sql: &str,
        run: impl FnOnce() -> rusqlite::Result<T>,
    ) -> Flow<T> {
        let start = self.clock.now_us();
        let outcome = run();
        let end = self.clock.now_us();
        match outcome {
            Ok(value) => {
                trace::emit_at(
                    start,
                    EventKind::Statement {
                        step,
                        sql: sql.to_string(),
                        dur_us: end - start,
                    },
                );
                Ok(value)
            }
            Err(err) => {
                trace::emit(error_event(step, sql, &err, end - start));
                Err(Interrupt::Sql(extended_code(&err)))
            }
        }
    }

    fn check_exit(&self) -> Result<(), WorkerExit> {
        self.control.between_steps();
        if self.control.stop_requested() {
            Err(WorkerExit::Stopped)
        } else if self.clock.now_us() >= self.deadline_us {
            Err(WorkerExit::TimeLimit)
        } else {
            Ok(())
        }
    }

    /// Sleep for `d`, looking at the stop flag and the time limit at least every
    /// [`STOP_POLL`].
    fn pause(&self, d: Duration) -> Result<(), WorkerExit> {
        let end = self.clock.now_us() + d.as_micros() as u64;
        loop {
            self.check_exit()?;
            let now = self.clock.now_us();
            if now >= end {
                return Ok(());
            }
            self.clock
                .sleep(Duration::from_micros(end - now).min(STOP_POLL));
        }
    }

    pub(super) fn retry_delay(&self) -> Duration {
        Duration::from_millis(u64::from(self.scenario.retry_delay_ms))
    }
}

/// The trace event of a statement that failed with `err` after `after_us`.
pub fn error_event(step: Step, sql: &str, err: &rusqlite::Error, after_us: u64) -> EventKind {
    let extended = extended_code(err);
    let message = match err {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    };
    EventKind::Error {
        step,
        sql: sql.to_string(),
        code: result_code::primary(extended),
        extended,
        name: result_code::name(extended),
        message,
        after_us,
    }
}

/// The extended result code of an error; SQLITE_ERROR for a failure that is not
/// SQLite's own (a type mismatch of ours).
fn extended_code(err: &rusqlite::Error) -> i32 {
    err.sqlite_error().map_or(1, |e| e.extended_code)
}

/// A small, seedable random number generator (SplitMix64): runs are reproducible
/// from their `seed`.
#[derive(Clone, Debug)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number from `min` to `max`, both included.
    fn between(&mut self, min: u32, max: u32) -> u32 {
        let span = u64::from(max - min) + 1;
        min + (self.next() % span) as u32
    }
}
