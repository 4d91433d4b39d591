//! Stopping a run and running out of time end it promptly, and lose nothing that
//! was committed.

mod common;

use locklab::analysis::report::Outcome;
use locklab::native;
use locklab::scenario::Scenario;
use serde_json::json;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[test]
fn the_stop_flag_ends_a_run_of_blocked_workers_within_a_bound() {
    // Long transactions with a long busy_timeout: most workers sit in SQLite's busy
    // handler when the stop comes.
    let scenario = Scenario::from_value(&json!({"workers": 6, "readers": 2, "jobs": 10000,
        "transaction": "long", "begin": "immediate", "journal_mode": "delete",
        "busy_timeout_ms": 60000, "work_ms": [20, 40]}))
    .unwrap();
    let options = native::RunOptions::default();
    // Stop once jobs are being done (seeding 10,000 jobs on a loaded machine takes
    // a while): most workers then wait in the busy handler.
    let stopper = {
        let (stop, jobs_done) = (options.stop.clone(), options.jobs_done.clone());
        std::thread::spawn(move || {
            while jobs_done.load(Ordering::Relaxed) < 5 {
                std::thread::sleep(Duration::from_millis(5));
            }
            stop.store(true, Ordering::Relaxed);
            Instant::now()
        })
    };
    let run = native::run(&scenario, &options).unwrap();
    let stopped_at = stopper.join().unwrap();
    let r = &run.report;
    assert_eq!(r.outcome, Outcome::Stopped);
    assert!(r.jobs.done > 0 && r.jobs.done < 10000, "{:?}", r.jobs);
    assert_eq!((r.jobs.double_claimed, r.jobs.lost), (0, 0));
    assert_eq!(r.integrity_check, "ok");
    // A worker notices within one work slice or one busy-handler sleep (at most
    // 100 ms each), then rolls back; the audit after that is quick.
    let after_stop = stopped_at.elapsed();
    assert!(
        after_stop < Duration::from_secs(2),
        "the run ended {after_stop:?} after the stop"
    );
}

#[test]
fn the_time_limit_ends_a_run_with_its_outcome_and_nothing_lost() {
    let run = common::run(json!({"workers": 2, "jobs": 100000, "transaction": "short",
        "begin": "immediate", "journal_mode": "wal", "busy_timeout_ms": 5000,
        "work_ms": [1, 3], "time_limit_ms": 300}));
    let r = &run.report;
    assert_eq!(r.outcome, Outcome::TimeLimit);
    assert!(r.jobs.done > 0 && r.jobs.done < 100000);
    assert_eq!((r.jobs.double_claimed, r.jobs.lost), (0, 0));
    assert!(r.invariants.all_hold(), "{:?}", r.invariants);
    assert!(r.elapsed_ms < 2000.0, "elapsed {} ms", r.elapsed_ms);
}
