//! Readings of one report that the page and the CLI show beside a grid's or a
//! sweep's runs: whether a run was clean, the share of its time the write lock
//! was held, and the run in one line.

use crate::analysis::report::{Outcome, RunReport};
use crate::decimal::Dec;

/// The share of the run's time some connection held the write lock (WAL's
/// write lock, or RESERVED and above in a rollback journal): the sum of every
/// write-lock hold (the report's `write_lock_hold_ms`: count × mean) over the
/// run's time. The write lock has one holder at a time, so holds never overlap.
pub fn write_busy_share(r: &RunReport) -> f64 {
    let h = &r.write_lock_hold_ms;
    if r.elapsed_ms > 0.0 {
        (h.count as f64 * h.mean / r.elapsed_ms).min(1.0)
    } else {
        0.0
    }
}

/// One run in a line, every number from its report: "did 400 of 400 jobs, 0
/// lock errors, 1505 jobs/s, 129 ms of busy wait, the write lock held 25% of
/// the run".
pub fn run_line(r: &RunReport) -> String {
    let stopped = match r.outcome {
        Outcome::TimeLimit => format!(
            " (stopped at its time limit, {:.1} s)",
            Dec(r.elapsed_ms / 1e3)
        ),
        _ => String::new(),
    };
    format!(
        "did {} of {} jobs{stopped}, {} lock errors, {:.0} jobs/s, {:.0} ms of busy wait, the \
         write lock held {:.0}% of the run",
        r.jobs.done,
        r.jobs.seeded,
        r.lock_errors(),
        Dec(r.throughput_jobs_per_s),
        Dec(r.busy_wait_ms),
        Dec(100.0 * write_busy_share(r))
    )
}

/// No lock error, and every job done exactly once.
pub fn clean_run(r: &RunReport) -> bool {
    r.lock_errors() == 0 && exactly_once(r)
}

/// Every job done exactly once, and integrity ok.
fn exactly_once(r: &RunReport) -> bool {
    r.jobs.done == r.jobs.seeded
        && r.jobs.double_claimed == 0
        && r.jobs.claimed_twice == 0
        && r.jobs.lost == 0
        && r.integrity_check == "ok"
}
