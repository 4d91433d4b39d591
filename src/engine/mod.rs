//! The job-queue worker: claim a job, work on it, heartbeat, write its result.
//!
//! One `Worker` drives one SQLite connection (two with `separate_results_db`) through
//! the workload of the scenario. It never waits for a lock itself: SQLite's busy
//! handler does (`PRAGMA busy_timeout`), through the VFS's xSleep, which is traced.
//! When a step fails with a lock error (SQLITE_BUSY, SQLITE_LOCKED and their
//! extended codes) the worker counts it, rolls back and retries the step after
//! `retry_delay_ms`, so no job is ever lost; a COMMIT refused with SQLITE_BUSY keeps
//! its transaction (SQLite's rule) and is retried as it is. Any other error ends
//! the worker at once (`WorkerExit::Failed`): retrying an I/O error or a full disk
//! only hides it. A worker that is killed (`kill`) stops where it is, as a crash
//! would: no rollback, no close.
//!
//! The engine knows nothing of threads, Web Workers or web-sys: time comes from an
//! injected [`Clock`], stopping and killing from an injected [`RunControl`].

//! How a worker ended (`WorkerExit`, `Failure`) are the report's types
//! (`analysis::outcome`). Without the feature `sqlite` (the page) only
//! `RunControl`, what a host offers its workers, is here.

#[cfg(feature = "sqlite")]
mod claim;
pub mod console;
#[cfg(feature = "sqlite")]
pub mod interpreter;
#[cfg(feature = "sqlite")]
mod jobs;
#[cfg(feature = "sqlite")]
mod kill;
pub mod schema;
#[cfg(feature = "sqlite")]
mod tasks;
#[cfg(feature = "sqlite")]
pub mod thread;
#[cfg(feature = "sqlite")]
mod workload;
#[cfg(feature = "sqlite")]
mod workload_schema;

pub use crate::analysis::outcome::{Failure, WorkerExit};
use crate::trace::{EventKind, Step, WorkerId};
use crate::vfs::shared_words::SharedWords;
use std::sync::Arc;
#[cfg(feature = "sqlite")]
use {
    crate::clock::Clock,
    crate::result_code,
    crate::scenario::{BeginMode, BusyHandler, Scenario},
    crate::trace::{self, Role},
    rusqlite::Connection,
    std::time::Duration,
};

/// What the host tells a running worker.
pub trait RunControl {
    /// The user (or the host) asked the run to stop.
    fn stop_requested(&self) -> bool;
    /// Every writer has finished; readers stop when they see this.
    fn writers_finished(&self) -> bool;
    /// Called between steps (at least every 20 ms while a worker pauses): where a
    /// host hands on the trace recorded so far, so its timeline can grow live.
    fn between_steps(&self) {}
    /// The user asked to kill `worker` (as a crash would). Looked at between steps
    /// and before each statement.
    fn kill_requested(&self, _worker: WorkerId) -> bool {
        false
    }
    /// A job's result was committed (how a host shows progress before the end).
    fn job_done(&self) {}
    /// The run's interpreter locks (`processes`): shared words, and the index of
    /// process 0's; `None` when the host keeps none.
    fn interpreter_locks(&self) -> Option<(Arc<dyn SharedWords>, usize)> {
        None
    }
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

/// Why the current step could not go on.
#[cfg(feature = "sqlite")]
#[derive(Debug)]
enum Interrupt {
    /// A statement failed (already traced); the failure as the report would say it.
    Sql(Box<Failure>),
    Exit(WorkerExit),
}

#[cfg(feature = "sqlite")]
impl From<WorkerExit> for Interrupt {
    fn from(exit: WorkerExit) -> Self {
        Interrupt::Exit(exit)
    }
}

#[cfg(feature = "sqlite")]
type Flow<T> = Result<T, Interrupt>;

/// Pause between two reads of a dashboard reader.
#[cfg(feature = "sqlite")]
const READER_PAUSE: Duration = Duration::from_millis(10);
/// Longest sleep between two looks at the stop flag.
#[cfg(feature = "sqlite")]
const STOP_POLL: Duration = Duration::from_millis(20);

/// One worker of a run: a writer (job-queue worker) or a reader (dashboard).
#[cfg(feature = "sqlite")]
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
    /// Jobs this worker claimed and has not finished (nor lost): what a fault
    /// with `holding` waits for, so that it kills a worker mid-job.
    in_hand: usize,
    /// Whether the worker was killed (its WorkerKilled is recorded).
    killed: bool,
    /// What the worker holds now, watched only when a fault with `holding`
    /// names it.
    held: Option<kill::HeldNow>,
    /// Its process's interpreter lock (`processes`): held while the worker
    /// runs, let go of while it pauses.
    interpreter: Option<interpreter::InterpreterLock>,
}

#[cfg(feature = "sqlite")]
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
            in_hand: 0,
            killed: false,
            held: scenario
                .faults
                .iter()
                .any(|f| f.kill == id && f.holding.is_some())
                .then(kill::HeldNow::watch),
            interpreter: interpreter::InterpreterLock::of(
                control.interpreter_locks(),
                scenario.processes,
                id,
            ),
        }
    }

    /// Run until the queue is empty (writers), the writers are done (readers), the
    /// time limit passes or the host asks to stop. Returns the journal mode that
    /// SQLite reported on this worker's connection with why the worker stopped.
    pub fn run(mut self) -> (Option<String>, WorkerExit) {
        trace::emit(EventKind::WorkerStart { role: self.role });
        if let Some((_, role)) = self
            .scenario
            .workload
            .as_ref()
            .and_then(|w| w.role_of(self.id))
        {
            trace::emit(EventKind::Plays {
                role: role.name.as_str().into(),
            });
        }
        if let Some(lock) = &self.interpreter {
            lock.take(self.clock);
        }
        let mut journal_mode = None;
        let exit = match self.configure() {
            Ok(mode) => {
                journal_mode = Some(mode);
                let flow = match self.role {
                    _ if self.scenario.workload.is_some() => self.workload_loop(),
                    Role::Writer => self.write_loop(),
                    Role::Reader => self.read_loop(),
                    // A console is a person's connection (`console`), never the
                    // engine's: there is no workload to run.
                    Role::Console => Ok(()),
                };
                match flow {
                    Ok(()) => WorkerExit::Completed,
                    Err(exit) => exit,
                }
            }
            Err(exit) => exit,
        };
        interpreter::uninstall_yielding();
        // A thread that ends, or dies, lets go of its process's lock.
        if let Some(lock) = &self.interpreter {
            lock.release();
        }
        // A killed worker's last event is its WorkerKilled.
        if exit != WorkerExit::Killed {
            trace::emit(EventKind::WorkerEnd);
        }
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
                match s.busy_handler {
                    BusyHandler::Sqlite => w.sql(Step::Open, "PRAGMA busy_timeout", || {
                        conn.busy_timeout(timeout)
                    })?,
                    // The host registered it (`prepare_connection`); here it
                    // learns the timeout and the lock to let go of.
                    BusyHandler::Yielding => {
                        interpreter::install_yielding(w.interpreter.clone(), timeout)
                    }
                }
                let sync = format!("PRAGMA synchronous = {}", s.synchronous.word());
                w.sql(Step::Open, &sync, || conn.execute_batch(&sync))?;
                if s.cache_pages > 0 {
                    let cache = format!("PRAGMA cache_size = {}", s.cache_pages);
                    w.sql(Step::Open, &cache, || conn.execute_batch(&cache))?;
                }
                let journal = format!("PRAGMA journal_mode = {}", s.journal_mode.word());
                mode = w.sql(Step::Open, &journal, || {
                    conn.query_row(&journal, [], |r| r.get::<_, String>(0))
                })?;
                // A workload's own PRAGMAs, after the run's.
                for pragma in s.workload.iter().flat_map(|w| &w.pragmas) {
                    w.sql(Step::Open, pragma, || conn.execute_batch(pragma))?;
                }
                Ok(())
            })?;
        }
        Ok(mode)
    }

    /// Run `attempt` until it succeeds, pausing `retry_delay_ms` after each failure
    /// with a lock error. Any other error ends the worker: waiting cannot fix it.
    fn retrying<T>(
        &mut self,
        mut attempt: impl FnMut(&mut Self) -> Flow<T>,
    ) -> Result<T, WorkerExit> {
        loop {
            self.check_exit()?;
            match attempt(self) {
                Ok(v) => return Ok(v),
                Err(Interrupt::Exit(exit)) => return Err(exit),
                Err(Interrupt::Sql(f)) if result_code::is_lock_error(f.extended) => {
                    self.pause(self.retry_delay())?
                }
                Err(Interrupt::Sql(f)) => return Err(WorkerExit::Failed(*f)),
            }
        }
    }

    /// Run `body` in a transaction on `conn` until it commits. A statement failed
    /// with a lock error rolls the transaction back and the whole step is tried
    /// again; a killed worker leaves its transaction as it is.
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
                sql: begin.sql().into(),
            });
            let done = body(w).and_then(|value| w.commit(step, conn).map(|()| value));
            if let Err(interrupt) = &done {
                w.rollback_unless_killed(step, conn, interrupt);
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
                Err(Interrupt::Sql(f))
                    if result_code::primary(f.extended) == 5 && !conn.is_autocommit() =>
                {
                    self.pause(self.retry_delay())?;
                }
                Err(other) => return Err(other),
            }
        }
    }

    /// Roll back after `interrupt`, unless it is the worker's death: a crash
    /// leaves the transaction for SQLite's recovery in the survivors.
    fn rollback_unless_killed(&mut self, step: Step, conn: &Connection, interrupt: &Interrupt) {
        if !matches!(interrupt, Interrupt::Exit(WorkerExit::Killed)) {
            self.rollback(step, conn);
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

    /// Run one statement, tracing it as a span, or its failure as an error. A
    /// worker due to be killed dies here, before the statement.
    fn sql<T>(
        &mut self,
        step: Step,
        sql: &str,
        run: impl FnOnce() -> rusqlite::Result<T>,
    ) -> Flow<T> {
        if self.kill_due() {
            return Err(Interrupt::Exit(WorkerExit::Killed));
        }
        crate::vfs::take_error_detail();
        let start = self.clock.now_us();
        let outcome = run();
        let end = self.clock.now_us();
        match outcome {
            Ok(value) => {
                trace::emit_at(
                    start,
                    EventKind::Statement {
                        step,
                        sql: sql.into(),
                        dur_us: end - start,
                    },
                );
                Ok(value)
            }
            Err(err) => {
                let failure = Failure {
                    worker: self.id,
                    step: Some(step),
                    sql: sql.to_string(),
                    ..failure_of(&err)
                };
                trace::emit(error_event_of(&failure, end - start));
                Err(Interrupt::Sql(Box::new(failure)))
            }
        }
    }

    /// Between two steps: hand on the trace, then see whether the worker must stop,
    /// has run out of time, or dies here.
    fn check_exit(&mut self) -> Result<(), WorkerExit> {
        self.control.between_steps();
        if self.kill_due() {
            Err(WorkerExit::Killed)
        } else if self.control.stop_requested() {
            Err(WorkerExit::Stopped)
        } else if self.clock.now_us() >= self.deadline_us {
            Err(WorkerExit::TimeLimit)
        } else {
            Ok(())
        }
    }

    /// Sleep for `d`, looking at the stop flag, the time limit and the faults at
    /// least every [`STOP_POLL`].
    fn pause(&mut self, d: Duration) -> Result<(), WorkerExit> {
        // A runtime's thread that sleeps lets the others of its process run.
        if let Some(lock) = &self.interpreter {
            lock.release();
        }
        let paused = self.sleep_for(d);
        if let Some(lock) = &self.interpreter {
            lock.take(self.clock);
        }
        paused
    }

    fn sleep_for(&mut self, d: Duration) -> Result<(), WorkerExit> {
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

/// What a host does to a worker's connection before it hands it to the
/// worker: register the yielding busy handler when the scenario has it (SQLite
/// takes a busy handler on a connection the worker only borrows).
#[cfg(feature = "sqlite")]
pub fn prepare_connection(conn: &mut Connection, scenario: &Scenario) -> rusqlite::Result<()> {
    match scenario.busy_handler {
        BusyHandler::Sqlite => Ok(()),
        BusyHandler::Yielding => conn.busy_handler(Some(interpreter::yielding_busy_handler)),
    }
}

/// The trace event of a statement that failed with `err` after `after_us`.
#[cfg(feature = "sqlite")]
pub fn error_event(step: Step, sql: &str, err: &rusqlite::Error, after_us: u64) -> EventKind {
    let failure = Failure {
        step: Some(step),
        sql: sql.to_string(),
        ..failure_of(err)
    };
    error_event_of(&failure, after_us)
}

/// A statement of `worker` that failed with `err`, as the report says it: for a
/// host whose worker could not even open its connection.
#[cfg(feature = "sqlite")]
pub fn failure(worker: WorkerId, step: Step, sql: &str, err: &rusqlite::Error) -> Failure {
    Failure {
        worker,
        step: Some(step),
        sql: sql.to_string(),
        ..failure_of(err)
    }
}

/// The trace event of `failure`, `after_us` after its statement began.
pub fn error_event_of(f: &Failure, after_us: u64) -> EventKind {
    EventKind::Error {
        step: f.step.unwrap_or(Step::Open),
        sql: (&f.sql).into(),
        code: f.code,
        extended: f.extended,
        name: (&f.name).into(),
        message: (&f.message).into(),
        after_us,
    }
}

/// What SQLite said of `err` (worker, step and statement left for the caller).
/// When the VFS under SQLite failed (a storage error, a WAL index that cannot
/// grow), what the VFS said follows SQLite's message in parentheses: SQLite itself
/// only says "disk I/O error".
#[cfg(feature = "sqlite")]
fn failure_of(err: &rusqlite::Error) -> Failure {
    let extended = extended_code(err);
    let mut message = match err {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg.clone(),
        other => other.to_string(),
    };
    if let Some(detail) = crate::vfs::take_error_detail() {
        message = format!("{message} ({detail})");
    }
    Failure {
        worker: trace::current_worker().unwrap_or_default(),
        step: None,
        sql: String::new(),
        code: result_code::primary(extended),
        extended,
        name: result_code::name(extended),
        message,
    }
}

/// The extended result code of an error; SQLITE_ERROR for a failure that is not
/// SQLite's own (a type mismatch of ours).
#[cfg(feature = "sqlite")]
fn extended_code(err: &rusqlite::Error) -> i32 {
    err.sqlite_error().map_or(1, |e| e.extended_code)
}

/// A small, seedable random number generator (SplitMix64): runs are reproducible
/// from their `seed`.
#[cfg(feature = "sqlite")]
#[derive(Clone, Debug)]
struct SplitMix64(u64);

#[cfg(feature = "sqlite")]
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
