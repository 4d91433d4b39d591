//! Every preset runs natively to a report whose invariants hold and which shows the
//! phenomenon its lesson promises. Through SQLite's unix VFS where it can run
//! (the oracle); a preset with faults or broken locking needs the shared VFS.

mod common;

use locklab::analysis::report::Outcome;
use locklab::native::{self, Vfs};
use locklab::scenario::presets;
use locklab::scenario::LockingMode;

#[test]
fn every_preset_runs_and_keeps_its_invariants() {
    for preset in presets::all() {
        let scenario = preset.scenario().unwrap();
        let vfs = match native::check(&scenario, Vfs::Unix) {
            Ok(()) => Vfs::Unix,
            Err(_) => Vfs::Shared,
        };
        let mut scenario_json = preset.scenario.clone();
        if preset.page_only.is_some() {
            // Played with a person at the page's console, it runs for half a
            // minute; without one a few jobs say as much.
            scenario_json["jobs"] = serde_json::json!(20);
        }
        let run = common::run_on(vfs, scenario_json);
        let r = &run.report;
        if scenario.locking == LockingMode::None {
            // Lesson 10: the damage is the point, and the report must show it.
            let damaged = r.jobs.double_claimed > 0
                || r.jobs.lost > 0
                || r.integrity_check != "ok"
                || r.outcome == Outcome::Failed;
            assert!(
                damaged,
                "{}: {:?} {}",
                preset.name, r.jobs, r.integrity_check
            );
            assert!(!r.invariants.all_hold(), "{}", preset.name);
            continue;
        }
        if scenario.tasks_per_connection > 1 && !scenario.serialize_tasks {
            // Tasks sharing a connection without a lock: their transactions mix,
            // SQLITE_ERROR says so and jobs are left claimed by nobody; the file
            // itself stays whole.
            assert!(
                r.error_count("SQLITE_ERROR") > 0,
                "{}: {:?}",
                preset.name,
                r.errors
            );
            assert!(!r.invariants.all_jobs_done, "{}: {:?}", preset.name, r.jobs);
            assert_eq!(r.integrity_check, "ok", "{}", preset.name);
            continue;
        }
        if let Some(cut) = &r.power_cut {
            // The power goes off mid-run: not every job is done, and with
            // synchronous = FULL no commit is lost.
            assert_eq!(r.outcome, Outcome::PowerCut, "{}", preset.name);
            assert_eq!(
                (cut.commits_lost, cut.integrity_check.as_str()),
                (0, "ok"),
                "{}",
                preset.name
            );
            assert!(
                r.jobs.done > 0 && !r.invariants.all_jobs_done,
                "{}",
                preset.name
            );
            continue;
        }
        assert_eq!(
            (r.jobs.double_claimed, r.jobs.lost),
            (0, 0),
            "{}",
            preset.name
        );
        assert_eq!(r.integrity_check, "ok", "{}", preset.name);
        assert!(
            r.invariants.all_hold(),
            "{}: {:?}",
            preset.name,
            r.invariants
        );
        let expect_errors = match preset.name {
            "wall-of-red" | "readers-block-writer" | "wal-one-writer" | "timeout-outlasted" => {
                Some("SQLITE_BUSY")
            }
            "busy-or-locked" => Some("SQLITE_LOCKED"),
            _ => None,
        };
        if let Some(name) = expect_errors {
            assert!(r.error_count(name) > 0, "{}: {:?}", preset.name, r.errors);
        }
        if preset.name == "worker-crash" {
            assert!(r.workers.iter().any(|w| w.killed), "{}", preset.name);
            assert!(r.jobs.reclaimed >= 1, "{}: {:?}", preset.name, r.jobs);
        }
        if matches!(
            preset.name,
            "wal-readers" | "short-transactions" | "busy-timeout"
        ) {
            assert_eq!(r.lock_errors(), 0, "{}: {:?}", preset.name, r.errors);
        }
    }
}
