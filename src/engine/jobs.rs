//! The workload itself: the writers' job loop in both transaction styles, and the
//! readers' dashboard loop. SQL lives here and in `schema`, nowhere else.

use super::claim::Claim;
use super::{Flow, Interrupt, Worker, WorkerExit, READER_PAUSE};
use crate::result_code;
use crate::scenario::{BeginMode, ClaimSelect, TransactionStyle};
use crate::trace::{self, EventKind, Step, WorkerId};
use rusqlite::{params, Connection};
use std::time::Duration;

const HEARTBEAT: &str =
    "UPDATE jobs SET heartbeat_at = ?1 WHERE id = ?2 AND worker = ?3 AND status = 'RUNNING'";
const MARK_DONE: &str = "UPDATE jobs SET status = 'DONE', result = ?1, heartbeat_at = ?2 \
     WHERE id = ?3 AND worker = ?4 AND status = 'RUNNING'";
const MARK_DONE_RESULT_ELSEWHERE: &str = "UPDATE jobs SET status = 'DONE', heartbeat_at = ?1 \
     WHERE id = ?2 AND worker = ?3 AND status = 'RUNNING'";
const INSERT_RESULT: &str =
    "INSERT OR REPLACE INTO results(job_id, worker, result) VALUES (?1, ?2, ?3)";
const DASHBOARD: &str = "SELECT status, count(*) FROM jobs GROUP BY status";
/// Longest pause of a writer that waits for another worker's job to go stale: it
/// looks again this often, since the job may be finished instead.
const STALE_POLL: Duration = Duration::from_millis(50);

/// A job whose work is finished and whose result is not yet committed.
pub(super) struct Finished {
    pub(super) job: i64,
    /// When the worker began trying to claim it.
    pub(super) since_us: u64,
}

/// Why a long transaction ended before its batch was full.
enum BatchEnd {
    Full,
    QueueEmpty,
    /// Nothing to claim until another worker's job goes stale at this time.
    Wait(u64),
}

impl Worker<'_> {
    pub(super) fn write_loop(&mut self) -> Result<(), WorkerExit> {
        if self.scenario.tasks_per_connection > 1 || self.scenario.archive_every > 0 {
            return self.tasks_loop();
        }
        match self.scenario.transaction {
            TransactionStyle::Short => self.short_loop(),
            TransactionStyle::Long => self.long_loop(),
        }
    }

    /// Claim and commit; work outside any transaction; heartbeat and write results
    /// in transactions of their own (results batched by `result_batch`).
    fn short_loop(&mut self) -> Result<(), WorkerExit> {
        let begin = self.scenario.begin;
        let mut batch: Vec<Finished> = Vec::new();
        let outcome = loop {
            if let Err(exit) = self.check_exit() {
                break Err(exit);
            }
            let since_us = self.clock.now_us();
            let claim = match self.claim_step(begin) {
                Ok(claim) => claim,
                Err(exit) => break Err(exit),
            };
            let job = match claim {
                Claim::Empty => break Ok(()),
                Claim::Wait { stale_at_us } => {
                    // Results held back in a batch go out first: what this worker
                    // finished must not wait on other workers' jobs.
                    let waited = self
                        .write_results(&mut batch)
                        .and_then(|()| self.wait_for_stale(stale_at_us));
                    match waited {
                        Ok(()) => continue,
                        Err(exit) => break Err(exit),
                    }
                }
                Claim::Lost(job) => match self.lost_race(job) {
                    Ok(()) => continue,
                    Err(exit) => break Err(exit),
                },
                Claim::Got(job) => self.claimed(job, None),
                Claim::Reclaimed { job, from } => self.claimed(job, Some(from)),
            };
            match self.work_outside(job) {
                Ok(true) => batch.push(Finished { job, since_us }),
                // Another worker reclaimed the job: it is theirs now.
                Ok(false) => continue,
                Err(exit) => break Err(exit),
            }
            if batch.len() >= self.scenario.result_batch as usize {
                if let Err(exit) = self.write_results(&mut batch) {
                    break Err(exit);
                }
            }
        };
        // An empty queue leaves a partial batch to commit; a stop or the time limit
        // leaves its jobs RUNNING, unfinished but not lost.
        if outcome.is_ok() {
            self.write_results(&mut batch)?;
        }
        outcome
    }

    /// One claim in a transaction of its own. With `claim_select: "outside"` the
    /// SELECT runs first on its own (in autocommit), and the transaction only
    /// takes the job it found; with no QUEUED job found, the transaction looks
    /// for stale jobs or ends the queue as an inside claim would.
    fn claim_step(&mut self, begin: BeginMode) -> Result<Claim, WorkerExit> {
        let queue = self.queue;
        if self.scenario.claim_select == ClaimSelect::Outside {
            if let Some(job) = self.retrying(|w| w.select_queued())? {
                return self.transaction(Step::Claim, queue, begin, |w| w.take(job));
            }
        }
        self.transaction(Step::Claim, queue, begin, |w| w.claim())
    }

    /// Claim, work, heartbeat and write results all in one transaction (covering
    /// `result_batch` jobs).
    fn long_loop(&mut self) -> Result<(), WorkerExit> {
        let (begin, per_tx) = (self.scenario.begin, self.scenario.result_batch as usize);
        loop {
            let since_us = self.clock.now_us();
            let queue = self.queue;
            let (done, lost, end) = self.transaction(Step::Job, queue, begin, |w| {
                // Claims of an earlier attempt were rolled back with it.
                w.in_hand = 0;
                let mut done = Vec::new();
                let mut end = BatchEnd::Full;
                while done.len() < per_tx {
                    let job = match w.claim()? {
                        Claim::Empty => {
                            end = BatchEnd::QueueEmpty;
                            break;
                        }
                        Claim::Wait { stale_at_us } => {
                            end = BatchEnd::Wait(stale_at_us);
                            break;
                        }
                        // The snapshot would offer the same job again: end the
                        // transaction with what it has.
                        Claim::Lost(job) => {
                            w.lost_race(job)?;
                            break;
                        }
                        Claim::Got(job) => w.claimed(job, None),
                        Claim::Reclaimed { job, from } => w.claimed(job, Some(from)),
                    };
                    if w.work_inside(job)? {
                        done.push(Finished { job, since_us });
                    }
                }
                let lost = w.results_body(Step::Job, &done)?;
                Ok((done, lost, end))
            })?;
            self.finish(&done, &lost);
            self.in_hand = 0;
            match end {
                BatchEnd::Full => {}
                BatchEnd::QueueEmpty => return Ok(()),
                BatchEnd::Wait(stale_at_us) => self.wait_for_stale(stale_at_us)?,
            }
        }
    }

    /// Record a claim (and a reclaim, with the worker the job was taken from).
    pub(super) fn claimed(&mut self, job: i64, reclaimed_from: Option<Option<WorkerId>>) -> i64 {
        trace::emit(EventKind::JobClaimed { job });
        if let Some(from) = reclaimed_from {
            trace::emit(EventKind::JobReclaimed { job, from });
        }
        self.in_hand += 1;
        job
    }

    /// Another worker claimed `job` first (possible when the claim's SELECT runs
    /// outside its transaction, or when locking is broken): back off for `retry_delay_ms` before claiming again.
    fn lost_race(&mut self, job: i64) -> Result<(), WorkerExit> {
        trace::emit(EventKind::LostRace { job });
        self.pause(self.retry_delay())
    }

    /// Pause until another worker's job may have gone stale, looking again at
    /// least every [`STALE_POLL`] (the job may be finished instead).
    fn wait_for_stale(&mut self, stale_at_us: u64) -> Result<(), WorkerExit> {
        let wait = stale_at_us.saturating_sub(self.clock.now_us());
        let wait = Duration::from_micros(wait).clamp(Duration::from_millis(1), STALE_POLL);
        self.pause(wait)
    }

    /// Simulated processing outside any transaction: sleep the job's work time,
    /// heartbeating every `heartbeat_ms` in a transaction of its own. `false` when
    /// a heartbeat found the job reclaimed by another worker (the lease is lost).
    fn work_outside(&mut self, job: i64) -> Result<bool, WorkerExit> {
        let (queue, begin) = (self.queue, self.scenario.begin);
        for (slice, beat) in self.work_slices() {
            self.pause(slice)?;
            if beat && !self.transaction(Step::Heartbeat, queue, begin, |w| w.heartbeat(job))? {
                self.lease_lost(job);
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Simulated processing inside the open transaction, heartbeats included;
    /// `false` when the lease on the job is lost.
    fn work_inside(&mut self, job: i64) -> Flow<bool> {
        for (slice, beat) in self.work_slices() {
            self.pause(slice)?;
            if beat && !self.heartbeat(job)? {
                self.lease_lost(job);
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Another worker reclaimed `job`: this worker lets it go.
    pub(super) fn lease_lost(&mut self, job: i64) {
        trace::emit(EventKind::LeaseLost { job });
        self.in_hand = self.in_hand.saturating_sub(1);
    }

    /// One job's work time (drawn from `work_ms`) cut into slices of `heartbeat_ms`,
    /// each with whether a heartbeat follows it.
    pub(super) fn work_slices(&mut self) -> Vec<(Duration, bool)> {
        let s = self.scenario;
        let total = u64::from(self.rng.between(s.work_ms.min, s.work_ms.max));
        let beat = u64::from(s.heartbeat_ms);
        if beat == 0 || total <= beat {
            return vec![(Duration::from_millis(total), false)];
        }
        let mut slices = Vec::new();
        let mut left = total;
        while left > 0 {
            let slice = left.min(beat);
            left -= slice;
            slices.push((Duration::from_millis(slice), left > 0));
        }
        slices
    }

    /// The heartbeat UPDATE; `false` when it changed no row: another worker
    /// reclaimed the job.
    fn heartbeat(&mut self, job: i64) -> Flow<bool> {
        let (queue, worker, now) = (self.queue, self.id, self.clock.now_us() as i64);
        let changed = self.sql(Step::Heartbeat, HEARTBEAT, || {
            queue
                .prepare_cached(HEARTBEAT)?
                .execute(params![now, job, worker])
        })?;
        if changed == 1 {
            trace::emit(EventKind::Heartbeat { job });
        }
        Ok(changed == 1)
    }

    /// Commit the results of `batch` (short style), if any, and empty it.
    fn write_results(&mut self, batch: &mut Vec<Finished>) -> Result<(), WorkerExit> {
        if batch.is_empty() {
            return Ok(());
        }
        let queue = self.queue;
        if let Some(results) = self.results {
            self.transaction(Step::Result, results, BeginMode::Immediate, |w| {
                w.insert_results(results, batch)
            })?;
        }
        let begin = self.scenario.begin;
        let lost = self.transaction(Step::Result, queue, begin, |w| {
            w.mark_done(Step::Result, batch)
        })?;
        self.finish(batch, &lost);
        batch.clear();
        Ok(())
    }

    /// After the commit of `done`: the jobs whose lease was `lost` are another
    /// worker's now; the others are done.
    pub(super) fn finish(&mut self, done: &[Finished], lost: &[i64]) {
        for &job in lost {
            trace::emit(EventKind::LeaseLost { job });
        }
        let now = self.clock.now_us();
        for f in done.iter().filter(|f| !lost.contains(&f.job)) {
            trace::emit(EventKind::JobDone {
                job: f.job,
                latency_us: now.saturating_sub(f.since_us),
            });
            self.control.job_done();
        }
        self.in_hand = self.in_hand.saturating_sub(done.len());
    }

    /// The result statements of one transaction on the queue database (and, with
    /// `separate_results_db`, one transaction of its own on the results database).
    /// Returns the jobs whose lease was lost (their result UPDATE changed no row).
    fn results_body(&mut self, step: Step, done: &[Finished]) -> Flow<Vec<i64>> {
        if done.is_empty() {
            return Ok(Vec::new());
        }
        if let Some(results) = self.results {
            self.sql(step, "BEGIN IMMEDIATE", || {
                results.execute_batch("BEGIN IMMEDIATE")
            })?;
            let written = self
                .insert_results(results, done)
                .and_then(|()| self.commit(step, results));
            if let Err(interrupt) = &written {
                self.rollback_unless_killed(step, results, interrupt);
            }
            written?;
        }
        self.mark_done(step, done)
    }

    fn insert_results(&mut self, results: &Connection, done: &[Finished]) -> Flow<()> {
        let worker = self.id;
        for f in done {
            let text = result_text(f.job, worker);
            self.sql(Step::Result, INSERT_RESULT, || {
                results
                    .prepare_cached(INSERT_RESULT)?
                    .execute(params![f.job, worker, text])
            })?;
        }
        Ok(())
    }

    /// Mark `done` DONE; returns the jobs whose UPDATE changed no row (another
    /// worker reclaimed them).
    pub(super) fn mark_done(&mut self, step: Step, done: &[Finished]) -> Flow<Vec<i64>> {
        let (queue, worker, now) = (self.queue, self.id, self.clock.now_us() as i64);
        let elsewhere = self.results.is_some();
        let mut lost = Vec::new();
        for f in done {
            let changed = if elsewhere {
                self.sql(step, MARK_DONE_RESULT_ELSEWHERE, || {
                    queue
                        .prepare_cached(MARK_DONE_RESULT_ELSEWHERE)?
                        .execute(params![now, f.job, worker])
                })?
            } else {
                let text = result_text(f.job, worker);
                self.sql(step, MARK_DONE, || {
                    queue
                        .prepare_cached(MARK_DONE)?
                        .execute(params![text, now, f.job, worker])
                })?
            };
            if changed == 0 {
                lost.push(f.job);
            }
        }
        if self.scenario.drop_table_while_reading {
            self.drop_table_while_reading(step, done)?;
        }
        Ok(lost)
    }

    /// The SQLITE_LOCKED mistake: stage the batch in a scratch table, then drop the
    /// table while a SELECT over it is still running on the same connection. SQLite
    /// refuses at once with SQLITE_LOCKED (busy_timeout does not apply: the blocker
    /// is this connection's own statement). The worker then finishes the SELECT and
    /// drops the table as it should have, so the step still commits.
    fn drop_table_while_reading(&mut self, step: Step, done: &[Finished]) -> Flow<()> {
        let queue = self.queue;
        let create = format!(
            "CREATE TABLE IF NOT EXISTS scratch_w{}(job INTEGER)",
            self.id
        );
        let insert = format!("INSERT INTO scratch_w{} VALUES (?1)", self.id);
        let select = format!("SELECT job FROM scratch_w{}", self.id);
        let drop_sql = format!("DROP TABLE scratch_w{}", self.id);
        self.sql(step, &create, || queue.execute_batch(&create))?;
        for f in done {
            self.sql(step, &insert, || queue.execute(&insert, [f.job]))?;
        }
        let mut reading = self.sql(step, &select, || queue.prepare(&select))?;
        // The SELECT has produced its first row and is still running.
        let mut rows = self.sql(step, &select, || {
            let mut rows = reading.query([])?;
            rows.next()?;
            Ok(rows)
        })?;
        match self.sql(step, &drop_sql, || queue.execute_batch(&drop_sql)) {
            Err(Interrupt::Sql(f)) if result_code::primary(f.extended) == 6 => {}
            other => return other,
        }
        self.sql(step, &select, || {
            while rows.next()?.is_some() {}
            Ok(())
        })?;
        drop(rows);
        drop(reading);
        self.sql(step, &drop_sql, || queue.execute_batch(&drop_sql))
    }

    /// A dashboard: read the queue's status counts in a read transaction held for
    /// `reader_hold_ms`, again and again until the writers are done.
    pub(super) fn read_loop(&mut self) -> Result<(), WorkerExit> {
        let hold = Duration::from_millis(u64::from(self.scenario.reader_hold_ms));
        while !self.control.writers_finished() {
            let queue = self.queue;
            self.transaction(Step::Read, queue, BeginMode::Deferred, |w| {
                w.sql(Step::Read, DASHBOARD, || {
                    let mut stmt = queue.prepare_cached(DASHBOARD)?;
                    let rows = stmt.query_map([], |r| r.get::<_, i64>(1))?;
                    rows.sum::<rusqlite::Result<i64>>()
                })?;
                w.pause(hold)?;
                Ok(())
            })?;
            self.pause(READER_PAUSE)?;
        }
        Ok(())
    }
}

fn result_text(job: i64, worker: u32) -> String {
    format!("job {job} processed by worker {worker}")
}
