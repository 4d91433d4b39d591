//! The gallery of workloads (static/workloads/, docs/workload.md), natively
//! through both VFSes: every file runs to completion with its database whole,
//! and shows what its lesson says. The counter's check fails by design (its read
//! is outside its write transaction, so it loses updates); every other file's
//! checks hold. The dashboard report reads for a second beside writers: in WAL
//! the writers commit while it reads and are never refused; the same document in
//! the rollback journal (`journal_mode: "delete"`) has them refused with
//! SQLITE_BUSY, the report in their way.

mod common;

use locklab::analysis::report::Outcome;
use locklab::native::{Run, Vfs};
use locklab::trace::{EventKind, Role};
use serde_json::{json, Value};

const GALLERY: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/static/workloads");

/// Every `.json` file of the gallery, by file name, in name order.
fn gallery() -> Vec<(String, Value)> {
    let mut files: Vec<(String, Value)> = std::fs::read_dir(GALLERY)
        .expect("static/workloads/")
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let doc =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} is not JSON: {e}"));
            (name, doc)
        })
        .collect();
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn workload(file: &str) -> Value {
    gallery()
        .into_iter()
        .find(|(name, _)| name == file)
        .unwrap_or_else(|| panic!("static/workloads/{file} is missing"))
        .1
}

/// What every run of the gallery keeps, whatever its lesson: it completed (no
/// time limit, no failure), `PRAGMA integrity_check` said ok, and the journal
/// mode is the one asked for.
fn assert_completed_and_whole(run: &Run, what: &str) {
    let r = &run.report;
    assert_eq!(r.outcome, Outcome::Completed, "{what}: {:?}", r.failure);
    assert!(r.failure.is_none(), "{what}: {:?}", r.failure);
    assert_eq!(r.integrity_check, "ok", "{what}");
    assert!(r.invariants.integrity_ok, "{what}");
    assert!(
        r.invariants.journal_mode_as_asked,
        "{what}: {}",
        r.journal_mode
    );
}

#[test]
fn the_gallery_has_its_five_workloads_each_named_and_checked() {
    let names: Vec<String> = gallery().into_iter().map(|(name, _)| name).collect();
    for file in [
        "counter.json",
        "dashboard-report.json",
        "leaderboard.json",
        "outbox.json",
        "session-store.json",
    ] {
        assert!(names.iter().any(|n| n == file), "{file} in {names:?}");
    }
    for (name, doc) in gallery() {
        assert!(doc["name"].is_string(), "{name} has a name");
        let checks = doc["checks"].as_array().map_or(0, Vec::len);
        assert!(checks > 0, "{name} says what its run shows in checks");
        let scenario =
            locklab::scenario::Scenario::from_value(&doc).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(scenario.workload.is_some(), "{name} is a workload");
    }
}

#[test]
fn every_gallery_workload_completes_and_its_checks_say_its_lesson() {
    for (name, doc) in gallery() {
        for vfs in [Vfs::Unix, Vfs::Shared] {
            let what = format!("{name} through {vfs:?}");
            let run = common::run_on(vfs, doc.clone());
            assert_completed_and_whole(&run, &what);
            let r = &run.report;
            let written = doc["checks"].as_array().unwrap().len();
            assert_eq!(r.checks.len(), written, "{what}: every check ran");
            if name == "counter.json" {
                // Lost updates: its one check fails, and says so.
                assert!(!r.checks[0].ok, "{what}: {:?}", r.checks);
                assert!(!r.invariants.checks_pass && !r.invariants.all_hold());
            } else {
                for c in &r.checks {
                    assert!(
                        c.ok,
                        "{what}: check {:?} expected {} got {}",
                        c.name, c.expected, c.got
                    );
                }
                assert!(r.invariants.checks_pass, "{what}");
                assert!(r.invariants.all_hold(), "{what}: {:?}", r.invariants);
            }
        }
    }
}

/// Busy timeouts and IMMEDIATE transactions: the workers waited in SQLite's
/// busy handler, and no error reached them.
#[test]
fn the_session_store_the_outbox_and_the_leaderboard_meet_no_error() {
    for file in ["session-store.json", "outbox.json", "leaderboard.json"] {
        for vfs in [Vfs::Unix, Vfs::Shared] {
            let what = format!("{file} through {vfs:?}");
            let run = common::run_on(vfs, workload(file));
            assert_completed_and_whole(&run, &what);
            let r = &run.report;
            assert!(r.errors.is_empty(), "{what}: {:?}", r.errors);
            assert!(r.checks.iter().all(|c| c.ok), "{what}: {:?}", r.checks);
        }
    }
}

/// The outbox's relays race for the oldest event; a relay that lost (its
/// UPDATE changed no row) chose again, so each event went out once, and only
/// the relays lose races.
#[test]
fn the_outbox_sends_every_event_once_whoever_wins_the_race() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let run = common::run_on(vfs, workload("outbox.json"));
        let r = &run.report;
        assert_completed_and_whole(&run, &format!("outbox through {vfs:?}"));
        let relays: Vec<_> = r
            .workers
            .iter()
            .filter(|w| w.plays.as_deref() == Some("relay"))
            .collect();
        assert_eq!(relays.len(), 2, "{vfs:?}");
        for w in r
            .workers
            .iter()
            .filter(|w| w.plays.as_deref() != Some("relay"))
        {
            assert_eq!(w.lost_races, 0, "{vfs:?}: the checkouts race nobody");
        }
        let sent_once = r
            .checks
            .iter()
            .find(|c| c.name == "events not published exactly once")
            .expect("the outbox's check");
        assert_eq!(sent_once.got, json!(0), "{vfs:?}");
    }
}

/// The dashboard report's read transactions (its BEGIN to its COMMIT, those
/// that committed), in µs of the run's clock.
fn read_transactions(run: &Run, reader: u32) -> Vec<(u64, u64)> {
    let mut open = None;
    let mut spans = Vec::new();
    for e in run.events.iter().filter(|e| e.worker == reader) {
        match &e.kind {
            EventKind::Begin { .. } => open = Some(e.t_us),
            EventKind::Commit { .. } => spans.extend(open.take().map(|t| (t, e.t_us))),
            EventKind::Rollback { .. } => open = None,
            _ => {}
        }
    }
    spans
}

#[test]
fn the_dashboard_report_lets_writers_go_on_in_wal_and_refuses_them_in_delete_mode() {
    let wal = workload("dashboard-report.json");
    assert_eq!(wal["journal_mode"], json!("wal"));
    let mut delete = wal.clone();
    delete["journal_mode"] = json!("delete");
    for vfs in [Vfs::Unix, Vfs::Shared] {
        // WAL: the report's long read takes no lock a writer needs.
        let run = common::run_on(vfs, wal.clone());
        assert_completed_and_whole(&run, &format!("WAL through {vfs:?}"));
        let r = &run.report;
        assert!(r.checks.iter().all(|c| c.ok), "{vfs:?}: {:?}", r.checks);
        let report = r
            .workers
            .iter()
            .find(|w| w.role == Role::Reader)
            .expect("the report runs beside the writers");
        assert_eq!(report.plays.as_deref(), Some("report"));
        let writers: Vec<_> = r
            .workers
            .iter()
            .filter(|w| w.role == Role::Writer)
            .collect();
        assert_eq!(writers.len(), 4, "{vfs:?}");
        for w in &writers {
            assert!(
                w.errors.is_empty(),
                "WAL {vfs:?}: writer {} {:?}",
                w.id,
                w.errors
            );
        }
        let reads = read_transactions(&run, report.id);
        assert!(!reads.is_empty(), "WAL {vfs:?}: the report read");
        let commits_while_reading = run
            .events
            .iter()
            .filter(|e| e.worker != report.id && matches!(e.kind, EventKind::Commit { .. }))
            .filter(|e| reads.iter().any(|&(from, to)| from < e.t_us && e.t_us < to))
            .count();
        assert!(
            commits_while_reading > 0,
            "WAL {vfs:?}: writers commit while the report reads ({reads:?})"
        );

        // The rollback journal: the report's SHARED lock keeps each writer's
        // COMMIT from its EXCLUSIVE lock past busy_timeout_ms.
        let run = common::run_on(vfs, delete.clone());
        assert_completed_and_whole(&run, &format!("delete through {vfs:?}"));
        let r = &run.report;
        assert_eq!(r.journal_mode, "delete");
        assert!(r.checks.iter().all(|c| c.ok), "{vfs:?}: {:?}", r.checks);
        let busy: u64 = r
            .workers
            .iter()
            .filter(|w| w.role == Role::Writer)
            .map(|w| w.errors.get("SQLITE_BUSY").copied().unwrap_or(0))
            .sum();
        assert!(
            busy > 0,
            "delete {vfs:?}: the writers refused: {:?}",
            r.errors
        );
        let report = r.workers.iter().find(|w| w.role == Role::Reader).unwrap();
        let refused_by_report: u64 = r
            .workers
            .iter()
            .filter(|w| w.role == Role::Writer)
            .flat_map(|w| &w.blocked_by)
            .filter(|b| b.by == Some(report.id))
            .map(|b| b.refusals)
            .sum();
        assert!(
            refused_by_report > 0,
            "delete {vfs:?}: the report is in the writers' way"
        );
    }
}
