//! Claiming a job: the oldest QUEUED job, or, with `stale_after_ms`, a RUNNING job
//! whose worker stopped heartbeating (it died, or it is too slow to keep its
//! lease). Either is taken by a compare-and-swap UPDATE whose WHERE repeats what
//! made the job claimable, so two workers can never both take it. The statements
//! run inside the caller's claim transaction; this module never begins or ends one.
//!
//! Two scenario fields take the guard apart, as the lesson on the compare-and-swap
//! does: `claim_select: "outside"` runs the SELECT on its own before the claim's
//! transaction (`select_queued`, then `take`), and `claim_cas: false` drops
//! `AND status = 'QUEUED'` from the UPDATE.

use super::{Flow, Worker};
use crate::trace::{Step, WorkerId};
use rusqlite::{params, OptionalExtension};

const SELECT_QUEUED: &str =
    "SELECT id FROM jobs WHERE queue = 'default' AND status = 'QUEUED' ORDER BY created_at LIMIT 1";
const CLAIM: &str =
    "UPDATE jobs SET status = 'RUNNING', worker = ?1, heartbeat_at = ?2 WHERE id = ?3 AND status = 'QUEUED'";
/// The claim without its guard (`claim_cas: false`): it takes the job whatever
/// its status.
const CLAIM_WITHOUT_CAS: &str =
    "UPDATE jobs SET status = 'RUNNING', worker = ?1, heartbeat_at = ?2 WHERE id = ?3";
/// Another worker's RUNNING job whose last heartbeat (or claim) is before ?1.
const SELECT_STALE: &str =
    "SELECT id, worker FROM jobs WHERE queue = 'default' AND status = 'RUNNING' \
     AND heartbeat_at < ?1 AND worker IS NOT ?2 ORDER BY created_at LIMIT 1";
const RECLAIM: &str = "UPDATE jobs SET worker = ?1, heartbeat_at = ?2 \
     WHERE id = ?3 AND status = 'RUNNING' AND heartbeat_at < ?4";
/// The oldest heartbeat among other workers' RUNNING jobs.
const OLDEST_HEARTBEAT: &str = "SELECT min(heartbeat_at) FROM jobs \
     WHERE queue = 'default' AND status = 'RUNNING' AND worker IS NOT ?1";

/// What one claim attempt found.
pub(super) enum Claim {
    Got(i64),
    /// A stale RUNNING job, taken from the worker `from` had it.
    Reclaimed {
        job: i64,
        from: Option<WorkerId>,
    },
    /// The UPDATE changed no row: another worker claimed the job first.
    Lost(i64),
    /// No QUEUED job, but other workers' RUNNING jobs that go stale at
    /// `stale_at_us` (run time) if nobody heartbeats them: worth waiting for.
    Wait {
        stale_at_us: u64,
    },
    Empty,
}

impl Worker<'_> {
    pub(super) fn claim(&mut self) -> Flow<Claim> {
        let stale_us = u64::from(self.scenario.stale_after_ms) * 1000;
        if stale_us > 0 {
            if let Some(claim) = self.reclaim(stale_us)? {
                return Ok(claim);
            }
        }
        let Some(job) = self.select_queued()? else {
            return if stale_us > 0 {
                self.until_stale(stale_us)
            } else {
                Ok(Claim::Empty)
            };
        };
        self.take(job)
    }

    /// The oldest QUEUED job's id, if any.
    pub(super) fn select_queued(&mut self) -> Flow<Option<i64>> {
        let queue = self.queue;
        self.sql(Step::Claim, SELECT_QUEUED, || {
            queue
                .prepare_cached(SELECT_QUEUED)?
                .query_row([], |r| r.get(0))
                .optional()
        })
    }

    /// Mark `job` RUNNING as this worker's, with the compare-and-swap guard
    /// unless the scenario drops it.
    pub(super) fn take(&mut self, job: i64) -> Flow<Claim> {
        let (queue, worker, now) = (self.queue, self.id, self.clock.now_us() as i64);
        let sql = if self.scenario.claim_cas {
            CLAIM
        } else {
            CLAIM_WITHOUT_CAS
        };
        let changed = self.sql(Step::Claim, sql, || {
            queue
                .prepare_cached(sql)?
                .execute(params![worker, now, job])
        })?;
        Ok(if changed == 1 {
            Claim::Got(job)
        } else {
            Claim::Lost(job)
        })
    }

    /// Take another worker's RUNNING job whose heartbeat is older than `stale_us`,
    /// if there is one. Heartbeats are run-clock microseconds, like `now`.
    fn reclaim(&mut self, stale_us: u64) -> Flow<Option<Claim>> {
        let (queue, worker) = (self.queue, self.id);
        let now = self.clock.now_us() as i64;
        let cutoff = now - stale_us as i64;
        let found: Option<(i64, Option<WorkerId>)> = self.sql(Step::Claim, SELECT_STALE, || {
            queue
                .prepare_cached(SELECT_STALE)?
                .query_row(params![cutoff, worker], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })?;
        let Some((job, from)) = found else {
            return Ok(None);
        };
        let changed = self.sql(Step::Claim, RECLAIM, || {
            queue
                .prepare_cached(RECLAIM)?
                .execute(params![worker, now, job, cutoff])
        })?;
        Ok(Some(if changed == 1 {
            Claim::Reclaimed { job, from }
        } else {
            Claim::Lost(job)
        }))
    }

    /// The queue has no QUEUED job: wait if another worker's RUNNING job may still
    /// go stale, else the queue is done.
    fn until_stale(&mut self, stale_us: u64) -> Flow<Claim> {
        let (queue, worker) = (self.queue, self.id);
        let oldest: Option<i64> = self.sql(Step::Claim, OLDEST_HEARTBEAT, || {
            queue
                .prepare_cached(OLDEST_HEARTBEAT)?
                .query_row([worker], |r| r.get(0))
        })?;
        Ok(match oldest {
            Some(heartbeat) => Claim::Wait {
                stale_at_us: (heartbeat.max(0) as u64).saturating_add(stale_us),
            },
            None => Claim::Empty,
        })
    }
}
