//! A native soak: many contended runs through both VFSes (SQLite's unix VFS and
//! locklab's shared VFS) in all four journal modes, looking for what a test of one
//! run rarely sees: a run that hangs, a run that fails, a job not done exactly
//! once, a database whose integrity check is not "ok". Every other round of the
//! shared VFS's runs also kills worker 1 mid-job while it holds the write lock,
//! with `stale_after_ms` to bring its job back: exactly once must still hold.
//! Prints what it found; exits 1 if anything went wrong. Not part of `cargo test`.
//!
//!     cargo bench --bench soak            # 100 runs
//!     cargo bench --bench soak -- 400     # as many runs as given

use locklab::analysis::report::{Outcome, RunReport};
use locklab::native::{self, RunOptions, Vfs};
use locklab::scenario::Scenario;
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A run still going after this long is a hang (each does a few hundred jobs
/// in well under a second when nothing is wrong).
const DEADLINE: Duration = Duration::from_secs(60);
/// How long a hung run gets to end once asked to stop.
const STOP_GRACE: Duration = Duration::from_secs(10);
const JOURNAL_MODES: [&str; 4] = ["delete", "truncate", "persist", "wal"];
const VFSES: [Vfs; 2] = [Vfs::Unix, Vfs::Shared];

/// What one run showed.
enum Verdict {
    Good,
    /// Past the deadline; `stopped` says whether it ended when asked to stop.
    Hang {
        stopped: bool,
    },
    /// The run could not take place, or ended failed or at its time limit.
    Failed(String),
    NotExactlyOnce(String),
    Damaged(String),
}

#[derive(Default)]
struct Tally {
    runs: u32,
    good: u32,
    hangs: u32,
    failed: u32,
    not_exactly_once: u32,
    damaged: u32,
    killed: u32,
    jobs: u64,
    elapsed_ms: Vec<f64>,
}

/// Run `i` of the soak: its VFS and journal mode cycle through every pair, and
/// its contention (writers, readers, style, BEGIN, timeout, batch) varies by `i`.
fn scenario(i: u32) -> (Vfs, Scenario) {
    let vfs = VFSES[(i as usize / JOURNAL_MODES.len()) % VFSES.len()];
    let journal_mode = JOURNAL_MODES[i as usize % JOURNAL_MODES.len()];
    let busy_timeout_ms = [0, 2000, 5000][i as usize % 3];
    let round = i as usize / (JOURNAL_MODES.len() * VFSES.len());
    let crash = vfs == Vfs::Shared && round % 2 == 1;
    let holding = if journal_mode == "wal" {
        "wal_write"
    } else {
        "reserved"
    };
    let mut scenario = json!({
        "name": format!("soak-{i}"),
        "workers": 4 + i % 5,
        "readers": i % 3,
        "jobs": 300,
        "seed": u64::from(i),
        "journal_mode": journal_mode,
        "transaction": if i % 3 == 1 { "long" } else { "short" },
        "begin": if i.is_multiple_of(2) { "immediate" } else { "deferred" },
        "synchronous": "normal",
        "busy_timeout_ms": busy_timeout_ms,
        "work_ms": [0, 2],
        "heartbeat_ms": if i.is_multiple_of(4) { 1 } else { 0 },
        "result_batch": 1 + i % 4,
        "reader_hold_ms": 2,
        "retry_delay_ms": 1,
        "time_limit_ms": 50_000,
    });
    if crash {
        scenario["faults"] = json!([{"kill": 1, "at_ms": 20, "holding": holding}]);
        scenario["stale_after_ms"] = json!(200);
        scenario["heartbeat_ms"] = json!(1);
    }
    let scenario = Scenario::from_value(&scenario).expect("a valid soak scenario");
    (vfs, scenario)
}

fn judge(report: &RunReport) -> Verdict {
    let j = &report.jobs;
    if report.outcome != Outcome::Completed {
        let why = match &report.failure {
            Some(f) => f.to_string(),
            None => format!("outcome {:?}", report.outcome),
        };
        return Verdict::Failed(why);
    }
    if j.done != j.seeded || j.double_claimed > 0 || j.lost > 0 || j.stuck > 0 {
        return Verdict::NotExactlyOnce(format!("{j:?}"));
    }
    if report.integrity_check != "ok" || !report.invariants.journal_mode_as_asked {
        return Verdict::Damaged(format!(
            "integrity {}; journal mode {}",
            report.integrity_check, report.journal_mode
        ));
    }
    Verdict::Good
}

/// One run in a thread of its own, so that a hang is seen instead of waited on.
fn soak_run(vfs: Vfs, scenario: Scenario) -> (Verdict, Option<RunReport>) {
    let stop = Arc::new(AtomicBool::new(false));
    let options = RunOptions {
        vfs,
        stop: stop.clone(),
        ..RunOptions::default()
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(native::run(&scenario, &options));
    });
    let result = match rx.recv_timeout(DEADLINE) {
        Ok(result) => result,
        Err(_) => {
            stop.store(true, Ordering::Relaxed);
            let stopped = rx.recv_timeout(STOP_GRACE).is_ok();
            return (Verdict::Hang { stopped }, None);
        }
    };
    match result {
        Ok(run) => (judge(&run.report), Some(run.report)),
        Err(e) => (
            Verdict::Failed(format!("the run could not take place: {e}")),
            None,
        ),
    }
}

fn main() {
    let runs: u32 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    println!(
        "soak: {runs} contended runs, SQLite {}, both VFSes, all four journal modes",
        rusqlite::version()
    );
    let started = Instant::now();
    let mut tallies: Vec<((Vfs, &str), Tally)> = VFSES
        .iter()
        .flat_map(|v| {
            JOURNAL_MODES
                .iter()
                .map(move |m| ((*v, *m), Tally::default()))
        })
        .collect();
    let mut trouble = 0;
    for i in 0..runs {
        let (vfs, scenario) = scenario(i);
        let mode = scenario.journal_mode.word();
        let (verdict, report) = soak_run(vfs, scenario.clone());
        let tally = &mut tallies
            .iter_mut()
            .find(|((v, m), _)| *v == vfs && *m == mode)
            .expect("every pair has a tally")
            .1;
        tally.runs += 1;
        if let Some(r) = &report {
            tally.killed += r.workers.iter().filter(|w| w.killed).count() as u32;
            tally.jobs += r.jobs.done;
            tally.elapsed_ms.push(r.elapsed_ms);
        }
        let problem = match verdict {
            Verdict::Good => {
                tally.good += 1;
                None
            }
            Verdict::Hang { stopped } => {
                tally.hangs += 1;
                Some(format!(
                    "HANG past {DEADLINE:?}; {}",
                    if stopped {
                        "ended when stopped"
                    } else {
                        "did not even stop"
                    }
                ))
            }
            Verdict::Failed(why) => {
                tally.failed += 1;
                Some(format!("FAILED: {why}"))
            }
            Verdict::NotExactlyOnce(why) => {
                tally.not_exactly_once += 1;
                Some(format!("NOT EXACTLY ONCE: {why}"))
            }
            Verdict::Damaged(why) => {
                tally.damaged += 1;
                Some(format!("DAMAGED: {why}"))
            }
        };
        if let Some(problem) = problem {
            trouble += 1;
            println!(
                "run {i:>3} {vfs:?} {mode}: {problem}\n        scenario {}",
                scenario.to_value()
            );
        }
    }
    println!();
    println!(
        "{:<8} {:<9} {:>5} {:>5} {:>6} {:>7} {:>9} {:>8} {:>7} {:>7} {:>10}",
        "vfs",
        "journal",
        "runs",
        "good",
        "hangs",
        "failed",
        "not once",
        "damaged",
        "killed",
        "jobs",
        "median ms"
    );
    for ((vfs, mode), t) in &mut tallies {
        t.elapsed_ms.sort_by(|a, b| a.total_cmp(b));
        let median = t
            .elapsed_ms
            .get(t.elapsed_ms.len() / 2)
            .copied()
            .unwrap_or(0.0);
        println!(
            "{:<8} {:<9} {:>5} {:>5} {:>6} {:>7} {:>9} {:>8} {:>7} {:>7} {:>10.0}",
            format!("{vfs:?}").to_lowercase(),
            mode,
            t.runs,
            t.good,
            t.hangs,
            t.failed,
            t.not_exactly_once,
            t.damaged,
            t.killed,
            t.jobs,
            median
        );
    }
    println!(
        "\n{runs} runs in {:.0} s: {} good, {trouble} with trouble",
        started.elapsed().as_secs_f64(),
        runs - trouble
    );
    if trouble > 0 {
        std::process::exit(1);
    }
}
