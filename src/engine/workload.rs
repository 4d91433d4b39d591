//! A workload of one's own (`scenario.workload`, docs/workload.md): each worker
//! plays its role, round after round of its steps. A step is a transaction of
//! the author's statements (or statements in autocommit, or a pause); the step is
//! what is tried again. What is SQLite's and what is this loop's:
//! - SQLite answers each statement; its busy handler waits as `busy_timeout_ms`
//!   says.
//! - This loop, as an application's error handler does, rolls a step back after
//!   a lock error (SQLITE_BUSY, SQLITE_LOCKED) and runs it again from its first
//!   statement after `retry_delay_ms`, except at COMMIT: a COMMIT refused with
//!   SQLITE_BUSY leaves the transaction open (SQLite's doing), and the loop tries
//!   the COMMIT again after `retry_delay_ms` (the job queue's workers do the same); so it does after a statement that changed
//!   another number of rows than `expect_changes` (a lost race, traced as one),
//!   and after `into` found no row with `if_none: "retry"`. Any other error ends
//!   the worker and fails the run, naming the statement.
//!
//! Values bound by `into` last until the end of the worker's round; a step that
//! runs again starts from the values it began with.

use super::{Flow, Interrupt, Worker, WorkerExit};
use crate::result_code;
use crate::scenario::workload::{IfNone, Item, StatementSpec, StepSpec};
use crate::scenario::BeginMode;
use crate::trace::{self, EventKind, Step};
use rusqlite::types::Value as SqlValue;
use std::collections::BTreeMap;
use std::time::Duration;

/// Values bound by name for the statements of a round.
type Bound = BTreeMap<String, SqlValue>;

/// How a step ended.
#[derive(Debug, PartialEq)]
enum StepEnd {
    Next,
    /// `into` found no row, with `if_none: "skip"`: the rest of the step is skipped.
    Skipped,
    EndRole,
    /// Roll back and run the step again after `retry_delay_ms`.
    Again,
}

/// The trace's step of an author's step: the workload's transactions are whole
/// units of work, as the job queue's long style's are.
const STEP: Step = Step::Job;

impl Worker<'_> {
    /// Play this worker's role until its rounds are done, a step ends it, or (for
    /// a role that runs while the others do) the others are done.
    pub(super) fn workload_loop(&mut self) -> Result<(), WorkerExit> {
        let Some(workload) = self.scenario.workload.as_deref() else {
            return Ok(());
        };
        let Some((r, role)) = workload.role_of(self.id) else {
            return Ok(());
        };
        let mut round: u64 = 0;
        while role.repeat == 0 || round < u64::from(role.repeat) {
            if role.while_others_run && self.control.writers_finished() {
                break;
            }
            self.check_exit()?;
            let mut bound = Bound::new();
            for (k, step) in role.steps.iter().enumerate() {
                let path = format!("roles[{r}].steps[{k}]");
                if self.play(step, &path, round, &mut bound)? == StepEnd::EndRole {
                    return Ok(());
                }
            }
            round += 1;
        }
        Ok(())
    }

    /// One step, run again until it ends otherwise than `Again`.
    fn play(
        &mut self,
        step: &StepSpec,
        path: &str,
        round: u64,
        bound: &mut Bound,
    ) -> Result<StepEnd, WorkerExit> {
        loop {
            self.check_exit()?;
            let mut scope = bound.clone();
            let played = match step.begin {
                Some(mode) => self.in_transaction(mode, |w| w.body(step, path, round, &mut scope)),
                None => self.body(step, path, round, &mut scope),
            };
            match played {
                Ok(StepEnd::Again) => self.pause(self.retry_delay())?,
                Ok(end) => {
                    *bound = scope;
                    return Ok(end);
                }
                Err(Interrupt::Exit(exit)) => return Err(exit),
                Err(Interrupt::Sql(f)) if result_code::is_lock_error(f.extended) => {
                    self.pause(self.retry_delay())?
                }
                Err(Interrupt::Sql(f)) => return Err(WorkerExit::Failed(*f)),
            }
        }
    }

    /// `body` between BEGIN and COMMIT; rolled back when it fails or asks to
    /// run again (a killed worker leaves its transaction as it is).
    fn in_transaction(
        &mut self,
        mode: BeginMode,
        body: impl FnOnce(&mut Self) -> Flow<StepEnd>,
    ) -> Flow<StepEnd> {
        let conn = self.queue;
        self.sql(STEP, mode.sql(), || conn.execute_batch(mode.sql()))?;
        trace::emit(EventKind::Begin {
            step: STEP,
            sql: mode.sql().into(),
        });
        let ended = body(self).and_then(|end| match end {
            StepEnd::Again => {
                self.rollback(STEP, conn);
                Ok(end)
            }
            end => self.commit(STEP, conn).map(|()| end),
        });
        if let Err(interrupt) = &ended {
            self.rollback_unless_killed(STEP, conn, interrupt);
        }
        ended
    }

    fn body(
        &mut self,
        step: &StepSpec,
        path: &str,
        round: u64,
        scope: &mut Bound,
    ) -> Flow<StepEnd> {
        let mut statements = 0;
        for item in &step.body {
            match item {
                Item::SleepMs(ms) => {
                    let d = Duration::from_millis(u64::from(self.rng.between(ms.min, ms.max)));
                    self.pause(d).map_err(Interrupt::Exit)?;
                }
                Item::Sql(statement) => {
                    let at = format!("{path}.sql[{statements}]");
                    statements += 1;
                    if let Some(end) = self.statement(statement, &at, round, scope)? {
                        return Ok(end);
                    }
                }
            }
        }
        Ok(StepEnd::Next)
    }

    /// Run one statement with its parameters bound; `Some` ends the step early.
    fn statement(
        &mut self,
        st: &StatementSpec,
        path: &str,
        round: u64,
        scope: &mut Bound,
    ) -> Flow<Option<StepEnd>> {
        let conn = self.queue;
        let built_in = [
            ("worker", SqlValue::Integer(i64::from(self.id))),
            ("iteration", SqlValue::Integer(round as i64)),
            (
                "now_ms",
                SqlValue::Integer((self.clock.now_us() / 1000) as i64),
            ),
            ("random", SqlValue::Integer((self.rng.next() >> 1) as i64)),
        ];
        let (changes, first) = self.sql(STEP, &st.sql, || {
            let mut stmt = conn.prepare_cached(&st.sql)?;
            for i in 1..=stmt.parameter_count() {
                let written = stmt.parameter_name(i).unwrap_or("?").to_string();
                let name = written.trim_start_matches([':', '@', '$']);
                let value = built_in
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| v)
                    .or_else(|| scope.get(name))
                    .ok_or_else(|| {
                        rusqlite::Error::InvalidParameterName(format!(
                            "{path}: {written} is not bound (bind it with into in a statement \
                             before it, or use :worker, :iteration, :now_ms, :random)"
                        ))
                    })?;
                stmt.raw_bind_parameter(i, value)?;
            }
            if stmt.column_count() == 0 {
                return Ok((stmt.raw_execute()? as u64, None));
            }
            let columns: Vec<Option<usize>> =
                st.into.iter().map(|c| stmt.column_index(c).ok()).collect();
            if let Some(missing) = columns.iter().position(Option::is_none) {
                return Err(rusqlite::Error::InvalidColumnName(format!(
                    "{path}: into names {}, which the statement does not return",
                    st.into[missing]
                )));
            }
            // Asked now: once its rows are read, the statement is reset.
            let writes = !stmt.readonly();
            let mut rows = stmt.raw_query();
            let mut first = None;
            while let Some(row) = rows.next()? {
                if first.is_none() {
                    let values: rusqlite::Result<Vec<SqlValue>> =
                        columns.iter().flatten().map(|&c| row.get(c)).collect();
                    first = Some(values?);
                }
            }
            // A query changes rows only when it writes (UPDATE ... RETURNING).
            let changes = if writes { conn.changes() } else { 0 };
            Ok((changes, first))
        })?;
        if let Some(expected) = st.expect_changes {
            if changes != expected {
                trace::emit(EventKind::LostRace { job: round as i64 });
                return Ok(Some(StepEnd::Again));
            }
        }
        if st.into.is_empty() {
            return Ok(None);
        }
        match first {
            Some(values) => {
                scope.extend(st.into.iter().cloned().zip(values));
                Ok(None)
            }
            None => Ok(Some(match st.if_none {
                IfNone::EndRole => StepEnd::EndRole,
                IfNone::Retry => StepEnd::Again,
                IfNone::Skip => StepEnd::Skipped,
            })),
        }
    }
}
