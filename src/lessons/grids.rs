//! Two lessons of many runs. "You need all three" takes the article's cure
//! apart: eight runs, with and without each of WAL, busy_timeout and short
//! transactions, shown side by side. "The ceiling of one writer" runs one
//! workload with 1, 2, 4, 8 and 16 workers and plots jobs/s against them, with
//! the share of each run's time the write lock was held.

use super::build::{choice, exactly_once, finding, side};
use super::moment::Landmarks::*;
use super::Judge;
use super::{Evidence, Lesson, MomentQuery, Prediction, Runs, Side, Suggestion};
use crate::analysis::report::{Outcome, RunReport};
use crate::scenario::presets::json_text;
use serde_json::Value;

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
        Outcome::TimeLimit => format!(" (stopped at its time limit, {:.1} s)", r.elapsed_ms / 1e3),
        _ => String::new(),
    };
    format!(
        "did {} of {} jobs{stopped}, {} lock errors, {:.0} jobs/s, {:.0} ms of busy wait, the \
         write lock held {:.0}% of the run",
        r.jobs.done,
        r.jobs.seeded,
        r.lock_errors(),
        r.throughput_jobs_per_s,
        r.busy_wait_ms,
        100.0 * write_busy_share(r)
    )
}

/// No lock error, and every job done exactly once.
pub fn clean_run(r: &RunReport) -> bool {
    r.lock_errors() == 0 && exactly_once(r)
}

pub(super) fn lessons() -> Vec<Lesson> {
    vec![all_three(), ceiling()]
}

/// The grid's runs: lesson "short-transactions"'s scenario (WAL, BEGIN
/// IMMEDIATE, synchronous NORMAL, short transactions) with a dashboard reader
/// whose read transactions (1.2 s) outlast the timeout (1 s), jobs of 2 to 6 ms
/// of work, and at most 3 s a run; each cell sets the three fields it varies.
/// (With a 200 ms timeout the page's clean run met, 1 time in 6, a waiter whose
/// busy handler found the lock taken by the others at each of its wakes until
/// its 200 ms were spent: starvation, not a missing part.)
const BASE: &str = r#"{"readers": 1, "reader_hold_ms": 1200, "jobs": 400, "work_ms": [2, 6], "busy_timeout_ms": 1000, "time_limit_ms": 3000}"#;

/// The cells, by their place: WAL or not, busy_timeout or not, short or long.
const CELLS: [(&str, &str, u32, &str); 8] = [
    ("WAL, busy_timeout, short", "wal", 1000, "short"),
    ("WAL, busy_timeout, long", "wal", 1000, "long"),
    ("WAL, no timeout, short", "wal", 0, "short"),
    ("WAL, no timeout, long", "wal", 0, "long"),
    ("rollback, busy_timeout, short", "delete", 1000, "short"),
    ("rollback, busy_timeout, long", "delete", 1000, "long"),
    ("rollback, no timeout, short", "delete", 0, "short"),
    ("rollback, no timeout, long", "delete", 0, "long"),
];

fn cell((label, journal, timeout, transaction): (&'static str, &str, u32, &str)) -> Side {
    let mut changes = json_text(BASE);
    changes["journal_mode"] = journal.into();
    changes["busy_timeout_ms"] = timeout.into();
    changes["transaction"] = transaction.into();
    side(label, "short-transactions", changes)
}

/// Whether the run at `place` was clean (false when there is no such run).
fn clean_at(e: &Evidence, place: usize) -> bool {
    e.all.get(place).is_some_and(|r| clean_run(r))
}

/// Only the first run (all three) was clean, of all eight.
fn only_all_three(e: &Evidence) -> bool {
    e.all.len() == CELLS.len() && clean_at(e, 0) && (1..CELLS.len()).all(|i| !clean_at(e, i))
}

fn all_three() -> Lesson {
    Lesson {
        id: "you-need-all-three",
        title: "You need all three: WAL, busy_timeout, short transactions",
        claim: "The article's cure has three parts, and each covers another way to fail. WAL \
                lets a reader read while a writer commits; in a rollback journal COMMIT needs \
                EXCLUSIVE, which no connection gets while another holds SHARED, so a \
                dashboard's long read holds up every commit, and its next read waits for the \
                commit in turn. busy_timeout makes a refused BEGIN IMMEDIATE or COMMIT wait in \
                SQLite's busy handler instead of failing at once with SQLITE_BUSY. Short \
                transactions hold the write lock only to claim a job or write its result, so a \
                waiter's turn comes long before its timeout; a long transaction holds it \
                through the job's work, and the waiters, asleep in the busy handler, mostly \
                wake to find it taken again. Here a reader holds each read for 1.2 s and the \
                timeout is 1 s: take any one part away and lock errors come back.",
        runs: Runs::Grid(CELLS.into_iter().map(cell).collect()),
        prediction: Prediction {
            question: "Eight runs of four workers (BEGIN IMMEDIATE) and a dashboard reader that \
                       holds each read for 1.2 s: WAL or the rollback journal, busy_timeout = \
                       1 s or 0, short or long transactions. Which end with no lock error \
                       and every job done once?",
            choices: vec![
                choice(
                    "Only the run with all three: WAL, busy_timeout and short transactions",
                    only_all_three,
                ),
                choice(
                    "Both WAL runs with busy_timeout: a long transaction only makes the others \
                     wait longer",
                    |e| clean_at(e, 0) && clean_at(e, 1) && !(clean_at(e, 4) && clean_at(e, 5)),
                ),
                choice(
                    "Every run with busy_timeout: waiting makes up for the rest",
                    |e| [0, 1, 4, 5].iter().all(|&i| clean_at(e, i)),
                ),
            ],
        },
        check: Judge::Rust(|e| {
            let cells: Vec<String> = e
                .all
                .iter()
                .zip(CELLS)
                .map(|(r, (label, ..))| {
                    format!(
                        "{label}: {} lock errors, {} of {} done",
                        r.lock_errors(),
                        r.jobs.done,
                        r.jobs.seeded
                    )
                })
                .collect();
            finding(only_all_three(e), cells.join("; "))
        }),
        moment: MomentQuery::in_a(FirstBusyWait),
        suggestion: Suggestion {
            label: "Now make the dashboard's reads shorter than the timeout (reader_hold_ms = 100)",
            changes: json_text(r#"{"reader_hold_ms": 100}"#),
        },
        case_file: None,
    }
}

/// The sweep's runs: lesson "claim-index"'s scenario (WAL, BEGIN IMMEDIATE,
/// short transactions, no index on the claim predicate) with 5000 jobs, 2 to
/// 6 ms of work outside the write lock, and 2 s a run.
const SWEEP_BASE: &str = r#"{"jobs": 5000, "work_ms": [2, 6], "time_limit_ms": 2000}"#;

const WORKERS: [(&str, u32); 5] = [
    ("1 worker", 1),
    ("2 workers", 2),
    ("4 workers", 4),
    ("8 workers", 8),
    ("16 workers", 16),
];

fn point((label, workers): (&'static str, u32)) -> Side {
    let mut changes = json_text(SWEEP_BASE);
    changes["workers"] = Value::from(workers);
    side(label, "no-claim-index", changes)
}

/// Jobs/s of the run at `place` of the sweep (0 when there is no such run).
fn jobs_per_s(e: &Evidence, place: usize) -> f64 {
    e.all.get(place).map_or(0.0, |r| r.throughput_jobs_per_s)
}

/// Two or four workers did at least 1.3 times the jobs/s of one.
fn rose(e: &Evidence) -> bool {
    jobs_per_s(e, 1).max(jobs_per_s(e, 2)) > 1.3 * jobs_per_s(e, 0)
}

/// Sixteen workers, four times four, did less than twice the jobs/s of four.
fn flattened(e: &Evidence) -> bool {
    e.all.len() == WORKERS.len() && jobs_per_s(e, 4) < 2.0 * jobs_per_s(e, 2)
}

fn ceiling() -> Lesson {
    Lesson {
        id: "one-writer-ceiling",
        title: "The ceiling of one writer",
        claim: "SQLite lets one connection write at a time: however many workers there are, \
                their write transactions run one after another, so jobs/s can never pass one \
                over the write-lock time each job needs. Here each claim reads the whole \
                5000-row table while it holds the write lock (no index on the claim \
                predicate), and each job's 2 to 6 ms of work is done outside it. While the \
                lock is often free, another worker adds jobs; once it is busy most of the \
                time, another worker only waits: jobs/s flattens and the time spent in \
                SQLite's busy handler grows. The lock does not become busy all of the time: \
                the busy handler sleeps on its schedule rather than waking when the lock is \
                let go, so after a COMMIT the lock can sit free until a sleeper wakes. A \
                shorter transaction raises the ceiling; only a database that lets several \
                connections write at once removes it. That is the article's advice: if you \
                truly need many writers, switch to a client/server database such as \
                PostgreSQL, whose writers lock rows, not the whole database.",
        runs: Runs::Sweep("workers", WORKERS.into_iter().map(point).collect()),
        prediction: Prediction {
            question: "One workload (WAL, BEGIN IMMEDIATE, busy_timeout = 5 s; each claim \
                       reads the whole table under the write lock, the work is outside it), \
                       run with 1, 2, 4, 8 and 16 workers for 2 s each. How do jobs/s grow \
                       with the workers?",
            choices: vec![
                choice(
                    "They rise at first, then flatten: past a few workers, another worker \
                     only waits",
                    |e| rose(e) && flattened(e),
                ),
                choice(
                    "They keep rising: 16 workers do at least twice the jobs/s of 4",
                    |e| !flattened(e),
                ),
                choice(
                    "They stay flat from the start: a second worker adds nothing",
                    |e| flattened(e) && !rose(e),
                ),
            ],
        },
        check: Judge::Rust(|e| {
            let mut said = String::new();
            for (r, (label, _)) in e.all.iter().zip(WORKERS) {
                said.push_str(&format!(
                    "{label}: {:.0} jobs/s, the write lock held {:.0}% of the run, {:.0} ms \
                     of busy wait; ",
                    r.throughput_jobs_per_s,
                    100.0 * write_busy_share(r),
                    r.busy_wait_ms
                ));
            }
            let sound = e.all.iter().all(|r| {
                r.jobs.double_claimed == 0 && r.jobs.lost == 0 && r.integrity_check == "ok"
            });
            finding(
                rose(e) && flattened(e) && sound,
                said.trim_end_matches("; ").into(),
            )
        }),
        moment: MomentQuery::in_run(4, LongestWriteHold),
        suggestion: Suggestion {
            label: "Now give the claim its index (claim_index = true): each job holds the write \
                    lock for less time",
            changes: json_text(r#"{"claim_index": true}"#),
        },
        case_file: None,
    }
}
