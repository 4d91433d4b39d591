//! Lessons 12 to 14: what the article's queue meets beyond its argument: a worker
//! that crashes mid-job, a worker that starves the others, and your own hand on
//! the write lock.

use super::build::{busy, choice, exactly_once, finding, one};
use super::moment::Landmarks::*;
use super::Judge;
use super::{Lesson, MomentQuery, Prediction, Suggestion};
use crate::analysis::metrics::WorkerMetrics;
use crate::analysis::report::RunReport;
use crate::scenario::presets::json_text;
use crate::trace::Role;

/// The writer that did the most jobs, and its share of the jobs done.
fn busiest(r: &RunReport) -> Option<(&WorkerMetrics, f64)> {
    let top = r
        .workers
        .iter()
        .filter(|w| w.role == Role::Writer)
        .max_by_key(|w| w.jobs_done)?;
    (r.jobs.done > 0).then(|| (top, top.jobs_done as f64 / r.jobs.done as f64))
}

/// One writer did at least one and a half times its fair share of the jobs.
fn starved(r: &RunReport) -> bool {
    let writers = r.workers.iter().filter(|w| w.role == Role::Writer).count();
    busiest(r).is_some_and(|(_, share)| writers > 1 && share * writers as f64 >= 1.5)
}

/// Refusals and waits of the workers whose holder was you (the SQL console).
fn blocked_by_you(r: &RunReport) -> (u64, f64) {
    let you: Vec<_> = r
        .workers
        .iter()
        .filter(|w| w.role == Role::Console)
        .map(|w| w.id)
        .collect();
    r.workers
        .iter()
        .flat_map(|w| &w.blocked_by)
        .filter(|b| b.by.is_some_and(|by| you.contains(&by)))
        .fold((0, 0.0), |(n, ms), b| (n + b.refusals, ms + b.wait_ms))
}

pub(super) fn lessons() -> Vec<Lesson> {
    vec![
        Lesson {
            id: "worker-crash",
            title: "A worker crashes mid-job",
            claim: "A worker can die at any moment: killed, out of memory, a bug. SQLite keeps \
                    the database whole (its locks go with the dead process, and the next \
                    connection rolls back its hot journal or, in WAL, ignores its uncommitted \
                    frames), but the job it had claimed \
                    stays RUNNING forever unless the queue notices. That is what the heartbeat \
                    is for: a claim may also take a RUNNING job whose heartbeat stopped.",
            runs: one("worker-crash"),
            prediction: Prediction {
                question: "Worker 1 dies holding the write lock, in the middle of a job. What \
                           becomes of that job?",
                choices: vec![
                    choice(
                        "Another worker takes it back once its heartbeat is stale",
                        |e| e.a.jobs.reclaimed > 0 && exactly_once(e.a),
                    ),
                    choice("It stays RUNNING: the run ends with a job stuck", |e| {
                        e.a.jobs.stuck > 0
                    }),
                    choice("The database is corrupt", |e| e.a.integrity_check != "ok"),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                let killed = r.workers.iter().filter(|w| w.killed).count();
                finding(
                    killed > 0 && r.jobs.reclaimed > 0 && exactly_once(r),
                    format!(
                        "workers killed: {killed}; jobs reclaimed through the heartbeat: {}; \
                         stuck: {}; {} of {} done; integrity_check: {}",
                        r.jobs.reclaimed,
                        r.jobs.stuck,
                        r.jobs.done,
                        r.jobs.seeded,
                        r.integrity_check
                    ),
                )
            }),
            moment: MomentQuery::in_a(Reclaim),
            suggestion: Suggestion {
                label: "Now try without the reclaim (stale_after_ms = 0)",
                changes: json_text(r#"{"stale_after_ms": 0}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "starvation",
            title: "Why one worker starves the others",
            claim: "busy_timeout is not a queue. A refused connection's busy handler sleeps \
                    1, 2, 5, 10, 15, 20... ms before it asks again (in a SQLite built with \
                    sub-second sleep, as both of locklab's are; the timeout counts these \
                    sleeps, not the clock), while the worker that holds the lock commits and \
                    begins its next transaction microseconds later. The sleepers mostly wake to find the lock taken again. Anything that opens \
                    a gap between one worker's transactions (real work between claims, fewer \
                    writers, one writer thread) gives the others their turn.",
            runs: one("starvation"),
            prediction: Prediction {
                question: "Four workers, short IMMEDIATE transactions, busy_timeout = 5 s, no \
                           work between claims. How are the 400 jobs shared out?",
                choices: vec![
                    choice("One or two workers do most of them", |e| starved(e.a)),
                    choice("About evenly: 100 each", |e| !starved(e.a)),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                let (top, share) = busiest(r).map_or((0, 0.0), |(w, s)| (w.id, s));
                finding(
                    starved(r),
                    format!(
                        "worker {top} did {:.0}% of the {} jobs done, with {} workers; the \
                         others slept {:.0} ms in SQLite's busy handler",
                        100.0 * share,
                        r.jobs.done,
                        r.workers.iter().filter(|w| w.role == Role::Writer).count(),
                        r.busy_wait_ms
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstBusyWait),
            suggestion: Suggestion {
                label: "Now try 1 to 3 ms of work between claims",
                changes: json_text(r#"{"work_ms": [1, 3]}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "your-turn",
            title: "Your turn: hold the write lock yourself",
            claim: "You are a connection too. In the SQL console, BEGIN IMMEDIATE takes the \
                    write lock and keeps it until you COMMIT. The workers' busy_timeout is 1 s: \
                    they wait for you, give up with SQLITE_BUSY, and try again, until you let \
                    go.",
            runs: one("your-turn"),
            prediction: Prediction {
                question: "Run, then type BEGIN IMMEDIATE; in the console and wait a few \
                           seconds before COMMIT;. What do the workers do meanwhile?",
                choices: vec![
                    choice(
                        "They wait 1 s, fail with SQLITE_BUSY, and try again until you COMMIT",
                        |e| busy(e.a) > 0 && blocked_by_you(e.a).0 > 0,
                    ),
                    choice("They go on writing: the console is only a viewer", |e| {
                        blocked_by_you(e.a).0 == 0
                    }),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                let (refused, waited) = blocked_by_you(r);
                finding(
                    refused > 0 && busy(r) > 0,
                    format!(
                        "you refused the workers {refused} locks and made them wait {waited:.0} \
                         ms; they failed {} times with SQLITE_BUSY",
                        busy(r)
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
            suggestion: Suggestion {
                label: "Now try busy_timeout = 10000 for the workers",
                changes: json_text(r#"{"busy_timeout_ms": 10000}"#),
            },
            case_file: None,
        },
    ]
}
