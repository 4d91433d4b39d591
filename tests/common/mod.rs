//! What every native test needs: run a scenario written as JSON, natively.
#![allow(dead_code)]

pub mod chrome_trace;

use locklab::native::{self, Run, RunOptions, Vfs};
use locklab::scenario::Scenario;
use locklab::trace::EventKind;
use serde_json::Value;

/// Run natively through SQLite's unix VFS (the oracle).
pub fn run(scenario: Value) -> Run {
    run_on(Vfs::Unix, scenario)
}

/// Run natively through the VFS named.
pub fn run_on(vfs: Vfs, scenario: Value) -> Run {
    let scenario = Scenario::from_value(&scenario).expect("a valid scenario");
    let options = RunOptions {
        vfs,
        ..RunOptions::default()
    };
    native::run(&scenario, &options).expect("the run takes place")
}

/// The invariants every correct run keeps, whatever its contention.
pub fn assert_every_job_done_once(run: &Run) {
    let r = &run.report;
    assert_eq!(r.jobs.done, r.jobs.seeded, "every job done: {:?}", r.jobs);
    assert_eq!(r.jobs.double_claimed, 0, "no double claims");
    assert_eq!(r.jobs.lost, 0, "no lost jobs");
    assert_eq!(r.integrity_check, "ok");
    assert!(r.invariants.all_hold(), "{:?}", r.invariants);
}

/// How long each failed statement with an error of these names ran, in µs.
pub fn error_durations(run: &Run, names: &[&str]) -> Vec<u64> {
    run.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Error { name, after_us, .. } if names.contains(&name.as_str()) => {
                Some(*after_us)
            }
            _ => None,
        })
        .collect()
}
