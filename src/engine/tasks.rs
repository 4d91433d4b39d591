//! Several tasks on one connection (`tasks_per_connection`), as a thread pool or
//! async tasks that share one connection do. A connection has one transaction
//! at a time, whoever sent its statements: the tasks' loops run interleaved, a
//! statement at a time in turn, and SQLite sees one stream of statements. A
//! task's BEGIN while another task's transaction is open fails ("cannot start a
//! transaction within a transaction"); a task's COMMIT commits every statement
//! sent since the BEGIN, the other tasks' half-done work included
//! (`SharedCommit`); a COMMIT or ROLLBACK after another task ended the
//! transaction fails ("no transaction is active"). A failed task does what an
//! application's error handler does: it rolls back, whatever transaction is
//! open, and tries its step again after `retry_delay_ms`. With
//! `serialize_tasks` a task takes the connection from its BEGIN to its COMMIT
//! (a lock around the connection), so the transactions no longer mix.
//!
//! Each task's job is the short style's: claim (BEGIN, SELECT, UPDATE, COMMIT),
//! work outside any transaction, result (BEGIN, UPDATE, COMMIT). With
//! `archive_every`, before every so many results a task rebuilds its worker's
//! archive table in autocommit, as async code does: it drops and creates the
//! table, then copies the latest jobs a row per turn from a cursor it
//! keeps open across its turns. SQLite refuses a DROP TABLE with SQLITE_LOCKED
//! while any statement of the connection is reading (vdbe.c, OP_Destroy):
//! another task's open cursor too. A ROLLBACK that undoes a schema change (the
//! archive's DDL, sent into another task's transaction) also trips the
//! connection's read cursors, whose next step answers SQLITE_ABORT (main.c,
//! `sqlite3RollbackAll`); other ROLLBACKs leave them reading. SQLITE_ERROR, SQLITE_ABORT
//! and the lock errors end only the task's step; any other error ends the
//! worker, as in the other loops. With `serialize_tasks` a task also holds the
//! connection for its whole archive. The loop runs a single task too when
//! `archive_every` is set, so that a connection per task archives as the shared
//! connection does.

use super::jobs::Finished;
use super::{claim::Claim, Interrupt, Worker, WorkerExit};
use crate::result_code;
use crate::trace::{self, EventKind, Step};
use rusqlite::Statement;
use std::collections::BTreeSet;
use std::time::Duration;

/// SQLite's generic error: what a BEGIN, COMMIT or ROLLBACK in the wrong
/// place of the connection's one transaction answers.
const SQLITE_ERROR: i32 = 1;
/// What a statement answers when a ROLLBACK aborted it.
const SQLITE_ABORT: i32 = 4;
/// The latest jobs, which the archive copies.
const ARCHIVE_READ: &str = "SELECT id, result FROM jobs ORDER BY id DESC LIMIT 10";

/// Where a task is in its job.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    Begin,
    Select,
    Claim(i64),
    CommitClaim(i64),
    /// Working outside any transaction until `until_us`.
    Work {
        job: i64,
        until_us: u64,
    },
    BeginResult(i64),
    MarkDone(i64),
    CommitResult(i64),
    /// Before the result of `job` (`archive_every`): drop and create the
    /// worker's archive table.
    Archive(i64),
    /// Copy the next row of the open cursor into the archive.
    ArchiveCopy(i64),
    /// No job left (`true`), or another task claimed the job first: end the
    /// transaction the SELECT was in.
    End(bool),
    /// After a failure, waiting `retry_delay_ms` before `then`.
    Retry {
        until_us: u64,
        then: Then,
    },
    Done,
}

/// Where a failed task starts again.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Then {
    Claim,
    Result(i64),
    Archive(i64),
}

struct Task<'a> {
    stage: Stage,
    /// When the task began trying to claim its job.
    since_us: u64,
    /// Jobs this task finished.
    finished: u32,
    /// Its archive's SELECT, reading a row per turn.
    cursor: Option<Statement<'a>>,
}

/// The connection as the tasks share it.
#[derive(Default)]
struct Shared {
    /// The task that holds the connection, with `serialize_tasks`.
    holder: Option<usize>,
    /// Tasks that sent a statement since the transaction began.
    in_transaction: BTreeSet<usize>,
}

impl<'a> Worker<'a> {
    /// The job loops of `tasks_per_connection` tasks, interleaved on this
    /// worker's connection until the queue is empty.
    pub(super) fn tasks_loop(&mut self) -> Result<(), WorkerExit> {
        let n = self.scenario.tasks_per_connection as usize;
        let now = self.clock.now_us();
        let mut tasks: Vec<Task> = (0..n)
            .map(|_| Task {
                stage: Stage::Begin,
                since_us: now,
                finished: 0,
                cursor: None,
            })
            .collect();
        let mut shared = Shared::default();
        let mut next = 0;
        loop {
            self.check_exit()?;
            if tasks.iter().all(|t| t.stage == Stage::Done) {
                return Ok(());
            }
            let now = self.clock.now_us();
            let ready = (0..n)
                .map(|k| (next + k) % n)
                .find(|&i| self.can_act(&tasks[i], i, &shared, now));
            match ready {
                Some(i) => {
                    next = i + 1;
                    self.task_step(&mut tasks[i], i, &mut shared)?;
                }
                None => {
                    // Everyone works or waits: sleep until the first wakes.
                    let wake = tasks
                        .iter()
                        .filter_map(|t| match t.stage {
                            Stage::Work { until_us, .. } | Stage::Retry { until_us, .. } => {
                                Some(until_us)
                            }
                            _ => None,
                        })
                        .min()
                        .unwrap_or(now + 1000);
                    self.pause(Duration::from_micros(wake.saturating_sub(now).max(50)))?;
                }
            }
        }
    }

    fn can_act(&self, task: &Task, i: usize, shared: &Shared, now: u64) -> bool {
        let begins = matches!(
            task.stage,
            Stage::Begin | Stage::BeginResult(_) | Stage::Archive(_)
        );
        // The archive holds the connection until its last row is copied.
        let archiving = matches!(task.stage, Stage::ArchiveCopy(_));
        let waits_for_connection =
            self.scenario.serialize_tasks && begins && shared.holder.is_some_and(|h| h != i);
        match task.stage {
            Stage::Done => false,
            Stage::Work { until_us, .. } | Stage::Retry { until_us, .. } => now >= until_us,
            _ => archiving || !waits_for_connection,
        }
    }

    /// One statement of task `i`.
    fn task_step(
        &mut self,
        task: &mut Task<'a>,
        i: usize,
        shared: &mut Shared,
    ) -> Result<(), WorkerExit> {
        let (queue, begin) = (self.queue, self.scenario.begin);
        let step = match task.stage {
            Stage::BeginResult(_)
            | Stage::MarkDone(_)
            | Stage::CommitResult(_)
            | Stage::Archive(_)
            | Stage::ArchiveCopy(_) => Step::Result,
            _ => Step::Claim,
        };

        let done = match task.stage {
            Stage::Begin | Stage::BeginResult(_) => self
                .sql(step, begin.sql(), || queue.execute_batch(begin.sql()))
                .map(|()| {
                    trace::emit(EventKind::Begin {
                        step,
                        sql: begin.sql().into(),
                    });
                    shared.holder = Some(i);
                    shared.in_transaction.clear();
                    task.stage = match task.stage {
                        Stage::BeginResult(job) => Stage::MarkDone(job),
                        _ => Stage::Select,
                    };
                }),
            Stage::Select => self.select_queued().map(|found| {
                task.stage = match found {
                    Some(job) => Stage::Claim(job),
                    None => Stage::End(true),
                }
            }),
            Stage::Claim(job) => self.take(job).map(|claim| {
                task.stage = match claim {
                    Claim::Got(job) => Stage::CommitClaim(job),
                    // Another task claimed it first: end this transaction.
                    _ => Stage::End(false),
                }
            }),
            Stage::MarkDone(job) => {
                let since_us = task.since_us;
                self.mark_done(step, &[Finished { job, since_us }])
                    .map(|lost| {
                        task.stage = if lost.is_empty() {
                            Stage::CommitResult(job)
                        } else {
                            // Its claim was rolled back with another task's
                            // transaction: the job is not this task's.
                            self.lease_lost(job);
                            Stage::End(false)
                        }
                    })
            }
            Stage::CommitClaim(_) | Stage::CommitResult(_) | Stage::End(_) => {
                let committed = self.sql(step, "COMMIT", || queue.execute_batch("COMMIT"));
                committed.map(|()| self.committed(task, i, step, shared))
            }
            Stage::Archive(job) => {
                let rebuild = format!(
                    "DROP TABLE IF EXISTS archive_w{0}; \
                     CREATE TABLE archive_w{0}(id INTEGER, result TEXT)",
                    self.id
                );
                if self.scenario.serialize_tasks {
                    shared.holder = Some(i);
                }
                self.sql(step, &rebuild, || queue.execute_batch(&rebuild))
                    .and_then(|()| {
                        let read = self.sql(step, ARCHIVE_READ, || queue.prepare(ARCHIVE_READ))?;
                        task.cursor = Some(read);
                        task.stage = Stage::ArchiveCopy(job);
                        Ok(())
                    })
            }
            Stage::ArchiveCopy(job) => self.archive_row(task).map(|copied| {
                if !copied {
                    task.cursor = None;
                    task.stage = Stage::BeginResult(job);
                    if shared.holder == Some(i) {
                        shared.holder = None;
                    }
                }
            }),
            Stage::Work { job, .. } => {
                let every = self.scenario.archive_every;
                task.stage = if every > 0 && (task.finished + 1).is_multiple_of(every) {
                    Stage::Archive(job)
                } else {
                    Stage::BeginResult(job)
                };
                return Ok(());
            }
            Stage::Retry { then, .. } => {
                task.stage = match then {
                    Then::Claim => Stage::Begin,
                    Then::Result(job) => Stage::BeginResult(job),
                    Then::Archive(job) => Stage::Archive(job),
                };
                return Ok(());
            }
            Stage::Done => return Ok(()),
        };
        match done {
            Ok(()) => {
                if !queue.is_autocommit() {
                    shared.in_transaction.insert(i);
                }
                Ok(())
            }
            Err(interrupt) => self.task_failed(task, i, step, shared, interrupt),
        }
    }

    /// The COMMIT of task `i` went through: it ended the connection's
    /// transaction, with whatever the other tasks had sent into it.
    fn committed(&mut self, task: &mut Task<'a>, i: usize, step: Step, shared: &mut Shared) {
        trace::emit(EventKind::Commit { step });
        let others = shared.in_transaction.iter().filter(|&&t| t != i).count();
        if others > 0 {
            trace::emit(EventKind::SharedCommit {
                others: others as u32,
            });
        }
        shared.in_transaction.clear();
        shared.holder = None;
        task.stage = match task.stage {
            Stage::CommitClaim(job) => {
                self.claimed(job, None);
                let work: Duration = self.work_slices().iter().map(|(d, _)| *d).sum();
                Stage::Work {
                    job,
                    until_us: self.clock.now_us() + work.as_micros() as u64,
                }
            }
            Stage::CommitResult(job) => {
                let done = Finished {
                    job,
                    since_us: task.since_us,
                };
                self.finish(&[done], &[]);
                task.since_us = self.clock.now_us();
                task.finished += 1;
                Stage::Begin
            }
            Stage::End(false) => Stage::Begin,
            _ => Stage::Done,
        };
    }

    /// The archive's next row, copied; `false` when the cursor has no more.
    fn archive_row(&mut self, task: &mut Task<'a>) -> super::Flow<bool> {
        let (queue, worker) = (self.queue, self.id);
        let Some(cursor) = task.cursor.as_mut() else {
            return Ok(false);
        };
        let row = self.sql(Step::Result, ARCHIVE_READ, || {
            let mut rows = cursor.raw_query();
            let row = match rows.next()? {
                Some(r) => Some((r.get::<_, i64>(0)?, r.get::<_, Option<String>>(1)?)),
                None => None,
            };
            // Dropping `rows` would reset the statement; forgetting it (it owns
            // no memory) leaves the cursor where it is, mid-read.
            std::mem::forget(rows);
            Ok(row)
        })?;
        let Some((id, result)) = row else {
            return Ok(false);
        };
        let insert = format!("INSERT INTO archive_w{worker} VALUES (?1, ?2)");
        self.sql(Step::Result, &insert, || {
            queue
                .prepare_cached(&insert)?
                .execute(rusqlite::params![id, result])
        })?;
        Ok(true)
    }

    /// What an application's error handler does when a task's statement failed:
    /// roll back whatever transaction the connection has open, and try the step
    /// again after `retry_delay_ms`. Errors that are neither lock errors nor
    /// SQLITE_ERROR end the worker.
    fn task_failed(
        &mut self,
        task: &mut Task<'a>,
        i: usize,
        step: Step,
        shared: &mut Shared,
        interrupt: Interrupt,
    ) -> Result<(), WorkerExit> {
        let failure = match interrupt {
            Interrupt::Exit(exit) => return Err(exit),
            Interrupt::Sql(f) => f,
        };
        let misuse = matches!(
            result_code::primary(failure.extended),
            SQLITE_ERROR | SQLITE_ABORT
        );
        if !misuse && !result_code::is_lock_error(failure.extended) {
            return Err(WorkerExit::Failed(*failure));
        }
        task.cursor = None;
        let queue = self.queue;
        if !queue.is_autocommit() {
            if self
                .sql(step, "ROLLBACK", || queue.execute_batch("ROLLBACK"))
                .is_ok()
            {
                trace::emit(EventKind::Rollback { step });
            }
            shared.in_transaction.clear();
        }
        if shared.holder == Some(i) || queue.is_autocommit() {
            shared.holder = None;
        }
        let then = match task.stage {
            Stage::MarkDone(job) | Stage::CommitResult(job) | Stage::BeginResult(job) => {
                Then::Result(job)
            }
            Stage::Archive(job) | Stage::ArchiveCopy(job) => Then::Archive(job),
            // It found no job to claim: it stops, as a task whose queue is
            // empty does, whatever its COMMIT answered.
            Stage::End(true) => {
                task.stage = Stage::Done;
                return Ok(());
            }
            _ => Then::Claim,
        };
        task.stage = Stage::Retry {
            until_us: self.clock.now_us() + self.retry_delay().as_micros() as u64,
            then,
        };
        Ok(())
    }
}
