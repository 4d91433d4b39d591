//! Every preset runs natively to a report whose invariants hold and which shows the
//! phenomenon its lesson promises.

mod common;

use locklab::presets;

#[test]
fn every_preset_runs_and_keeps_its_invariants() {
    for preset in presets::all() {
        let run = common::run(preset.scenario.clone());
        let r = &run.report;
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
        if matches!(
            preset.name,
            "wal-readers" | "short-transactions" | "busy-timeout"
        ) {
            assert_eq!(r.lock_errors(), 0, "{}: {:?}", preset.name, r.errors);
        }
    }
}
