//! The run report: the stable JSON a run ends with (docs/report.md), the same from
//! the CLI's `--json` and the browser's `window.locklab.run()`.

use crate::analysis::metrics::{Metrics, WorkerMetrics};
pub use crate::analysis::outcome::Failure;
use crate::analysis::outcome::WorkerExit;
use crate::analysis::outcome::{CheckResult, JobAudit};
use crate::analysis::percentiles::Percentiles;
use crate::scenario::Scenario;
use crate::trace::TraceEvent;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Completed,
    TimeLimit,
    Stopped,
    /// A worker met an error that no wait or retry can fix (see `failure`); the
    /// host stopped the others.
    Failed,
    /// The power went off (the scenario's power cut, see `power_cut`): every
    /// worker stopped where it was.
    PowerCut,
}

impl Outcome {
    /// A run's outcome from its workers' exits: failed if any failed, else stopped
    /// if any was stopped, else time_limit if any ran out of time, else completed.
    /// A killed worker does not decide the outcome: the run goes on without it.
    pub fn of(exits: &[WorkerExit]) -> Outcome {
        if exits.iter().any(|e| matches!(e, WorkerExit::Failed(_))) {
            Outcome::Failed
        } else if exits.contains(&WorkerExit::Stopped) {
            Outcome::Stopped
        } else if exits.contains(&WorkerExit::TimeLimit) {
            Outcome::TimeLimit
        } else {
            Outcome::Completed
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Jobs {
    pub seeded: u64,
    pub done: u64,
    pub double_claimed: u64,
    /// Jobs claimed by a worker while another worker's claim of them stood, or
    /// after they were done: two workers worked on one job (`claim_cas`).
    #[serde(default)]
    pub claimed_twice: u64,
    pub lost: u64,
    /// Claims that took a RUNNING job whose heartbeat was stale (JobReclaimed).
    pub reclaimed: u64,
    /// Jobs still RUNNING in the database after a completed run: claimed by a
    /// worker that died, and not reclaimed. 0 for a run that did not complete
    /// (its RUNNING jobs were in progress when it ended).
    pub stuck: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transactions {
    pub committed: u64,
    pub rolled_back: u64,
    /// COMMITs of one task of a shared connection that also committed other
    /// tasks' statements (`tasks_per_connection`); 0 otherwise.
    #[serde(default)]
    pub shared: u64,
}

/// The invariants of a run, each checked after it ended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Invariants {
    /// Every seeded job is done (required of a completed run, and of a run the
    /// power was cut in: there, of the recovered database).
    pub all_jobs_done: bool,
    pub no_double_claims: bool,
    pub no_lost_jobs: bool,
    pub integrity_ok: bool,
    /// `PRAGMA journal_mode` answered the mode the scenario asked for.
    pub journal_mode_as_asked: bool,
    /// Every check of a workload holds (true when it has none).
    #[serde(default = "holds")]
    pub checks_pass: bool,
}

fn holds() -> bool {
    true
}

impl Invariants {
    pub fn all_hold(&self) -> bool {
        self.all_jobs_done
            && self.no_double_claims
            && self.no_lost_jobs
            && self.integrity_ok
            && self.journal_mode_as_asked
            && self.checks_pass
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunReport {
    /// The checked scenario, every default filled in.
    pub scenario: Value,
    pub sqlite_version: String,
    pub vfs: String,
    /// What `PRAGMA journal_mode` returned on the workers' connections.
    pub journal_mode: String,
    pub elapsed_ms: f64,
    pub outcome: Outcome,
    pub jobs: Jobs,
    pub transactions: Transactions,
    /// Error counts keyed by SQLite's name of the extended result code.
    pub errors: BTreeMap<String, u64>,
    pub busy_wait_ms: f64,
    /// Locks asked for and refused (lock levels and WAL shm slots), all workers.
    #[serde(default)]
    pub refused_locks: u64,
    /// The queue database's WAL: the longest its file grew, in bytes, the
    /// checkpoints run and the times the log started over (0 outside WAL).
    #[serde(default)]
    pub wal_bytes_max: u64,
    #[serde(default)]
    pub wal_checkpoints: u64,
    #[serde(default)]
    pub wal_restarts: u64,
    pub job_latency_ms: Percentiles,
    pub write_lock_hold_ms: Percentiles,
    /// From a release of the write lock to its grant to a worker that was waiting
    /// for it, in microseconds (`handoff`); absent from older reports.
    #[serde(default)]
    pub lock_handoff_us: Percentiles,
    pub throughput_jobs_per_s: f64,
    pub integrity_check: String,
    pub invariants: Invariants,
    pub workers: Vec<WorkerMetrics>,
    /// The error that ended a failed run; null otherwise.
    pub failure: Option<Failure>,
    /// What the scenario's power cut did; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub power_cut: Option<PowerCutReport>,
    /// A workload's checks (docs/workload.md); absent for the job queue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checks: Vec<CheckResult>,
}

/// A power cut, after the database was recovered by a fresh connection.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PowerCutReport {
    /// Run time at which the power went off: the scenario's `at_ms`, or the end
    /// of the workers' run if that came first.
    pub at_ms: f64,
    /// Writes (xWrite calls and truncations) made since their file's last xSync
    /// when the power went off: every one of them was undone.
    pub writes_dropped: u64,
    /// Jobs the trace saw committed (JobDone before the cut) that the recovered
    /// database does not hold as DONE.
    pub commits_lost: u64,
    /// `PRAGMA integrity_check` on the recovered database.
    pub integrity_check: String,
}

/// What a host measured around the engine, to be put into a report.
pub struct RunFacts<'a> {
    pub scenario: &'a Scenario,
    pub sqlite_version: String,
    pub vfs: String,
    pub journal_mode: String,
    pub elapsed_us: u64,
    pub outcome: Outcome,
    pub audit: JobAudit,
    pub integrity_check: String,
    /// The error that ended the run (outcome failed), if any.
    pub failure: Option<Failure>,
}

impl RunReport {
    pub fn new(facts: RunFacts<'_>, events: &[TraceEvent]) -> RunReport {
        let metrics = Metrics::from_events(events, facts.elapsed_us);
        RunReport::from_metrics(facts, metrics)
    }

    pub fn from_metrics(facts: RunFacts<'_>, metrics: Metrics) -> RunReport {
        let a = &facts.audit;
        let elapsed_s = facts.elapsed_us as f64 / 1e6;
        let invariants = Invariants {
            all_jobs_done: facts.outcome != Outcome::Completed || a.done == a.seeded,
            no_double_claims: a.double_claimed == 0 && metrics.claimed_twice == 0,
            no_lost_jobs: a.lost == 0,
            integrity_ok: facts.integrity_check == "ok",
            journal_mode_as_asked: facts.journal_mode == facts.scenario.journal_mode.word(),
            checks_pass: a.checks.iter().all(|c| c.ok),
        };
        RunReport {
            scenario: facts.scenario.to_value(),
            sqlite_version: facts.sqlite_version,
            vfs: facts.vfs,
            journal_mode: facts.journal_mode,
            elapsed_ms: crate::duration::ms(facts.elapsed_us),
            outcome: facts.outcome,
            jobs: Jobs {
                seeded: a.seeded,
                done: a.done,
                double_claimed: a.double_claimed,
                claimed_twice: metrics.claimed_twice,
                lost: a.lost,
                reclaimed: metrics.reclaimed,
                stuck: if facts.outcome == Outcome::Completed {
                    a.running
                } else {
                    0
                },
            },
            transactions: Transactions {
                committed: metrics.committed,
                rolled_back: metrics.rolled_back,
                shared: metrics.shared_commits,
            },
            errors: metrics.errors,
            busy_wait_ms: metrics.busy_wait_ms,
            refused_locks: metrics.refused_locks,
            wal_bytes_max: metrics.wal.bytes_max,
            wal_checkpoints: metrics.wal.checkpoints,
            wal_restarts: metrics.wal.restarts,
            job_latency_ms: metrics.job_latency_ms,
            write_lock_hold_ms: metrics.write_lock_hold_ms,
            lock_handoff_us: metrics.lock_handoff_us,
            throughput_jobs_per_s: if elapsed_s > 0.0 {
                a.done as f64 / elapsed_s
            } else {
                0.0
            },
            integrity_check: facts.integrity_check,
            invariants,
            workers: metrics.workers,
            failure: facts.failure,
            power_cut: None,
            checks: facts.audit.checks,
        }
    }

    /// The report of a run the power was cut in at `cut_us`, with
    /// `writes_dropped` unsynced writes undone: its outcome is `power_cut`
    /// (unless a worker failed before), and `all_jobs_done` says whether the
    /// recovered database holds every seeded job as DONE, as for a completed run.
    /// The commits lost are the audit's lost jobs, and the integrity is the
    /// recovered database's: this report's own.
    pub fn with_power_cut(mut self, cut_us: u64, writes_dropped: u64) -> RunReport {
        if self.outcome != Outcome::Failed {
            self.outcome = Outcome::PowerCut;
        }
        self.invariants.all_jobs_done = self.jobs.done == self.jobs.seeded;
        self.power_cut = Some(PowerCutReport {
            at_ms: crate::duration::ms(cut_us),
            writes_dropped,
            commits_lost: self.jobs.lost,
            integrity_check: self.integrity_check.clone(),
        });
        self
    }

    /// Whether the run was a workload of one's own (docs/workload.md), which
    /// has checks instead of jobs.
    pub fn is_workload(&self) -> bool {
        self.scenario.get("roles").is_some()
    }

    /// How many errors of this name (e.g. "SQLITE_BUSY") the run saw.
    pub fn error_count(&self, name: &str) -> u64 {
        self.errors.get(name).copied().unwrap_or(0)
    }

    /// Errors whose primary code is SQLITE_BUSY or SQLITE_LOCKED, all variants.
    pub fn lock_errors(&self) -> u64 {
        self.errors
            .iter()
            .filter(|(name, _)| {
                name.starts_with("SQLITE_BUSY") || name.starts_with("SQLITE_LOCKED")
            })
            .map(|(_, n)| n)
            .sum()
    }
}
