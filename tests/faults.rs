//! A worker killed mid-job, as a crash would kill it, through the shared VFS with
//! real SQLite: its locks are released, SQLite's recovery runs in the survivors,
//! and its job comes back only through the heartbeat (`stale_after_ms`). Without
//! it, the job stays RUNNING and the report says so: stuck, not lost.

mod common;

use common::{assert_every_job_done_once, run_on};
use locklab::analysis::lock_holds::LockHolds;
use locklab::analysis::report::Outcome;
use locklab::clock::SystemClock;
use locklab::engine::{schema, thread, RunControl, Worker, WorkerExit};
use locklab::native::{self, Place, Run, Vfs};
use locklab::scenario::Scenario;
use locklab::trace::{self, DbFile, EventKind, Role, WorkerId};
use serde_json::{json, Value};
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

/// SQLite's notice that it rolled back a hot journal.
const SQLITE_NOTICE_RECOVER_ROLLBACK: i32 = 27 | (2 << 8);

/// Three writers with heartbeats; worker 1 dies at 50 ms, at a boundary where it
/// holds `holding` with a job in hand. A lease lasts 300 ms without a heartbeat
/// (heartbeats come every 5 ms): only a worker stalled that long loses its job.
fn killed_holding(holding: &str, stale_after_ms: u32) -> Value {
    let mut s = json!({"workers": 3, "jobs": 30, "transaction": "short",
        "begin": "immediate", "journal_mode": "delete", "busy_timeout_ms": 5000,
        "work_ms": [20, 40], "heartbeat_ms": 5, "stale_after_ms": stale_after_ms,
        "time_limit_ms": 60000,
        "faults": [{"kill": 1, "at_ms": 50, "holding": holding}]});
    match holding {
        "wal_write" => s["journal_mode"] = json!("wal"),
        // A small page cache makes a claim transaction spill the pages it changed
        // into the database file, which takes EXCLUSIVE; jobs held back in a batch
        // of results are the jobs in hand when it dies.
        "exclusive" => {
            s["cache_pages"] = json!(2);
            s["result_batch"] = json!(10);
            // Enough batches that worker 1 spills after 50 ms even on a loaded machine.
            s["jobs"] = json!(600);
            s["work_ms"] = json!([1, 3]);
        }
        _ => {}
    }
    s
}

/// The killed workers, each with when it died.
fn killed(run: &Run) -> Vec<(WorkerId, f64)> {
    run.report
        .workers
        .iter()
        .filter(|w| w.killed)
        .map(|w| (w.id, w.killed_at_ms.expect("a killed worker has a time")))
        .collect()
}

/// Jobs the worker claimed and neither finished nor lost before it died.
fn in_hand_at_death(run: &Run, worker: WorkerId) -> u64 {
    let mut n: i64 = 0;
    for e in run.events.iter().filter(|e| e.worker == worker) {
        match e.kind {
            EventKind::JobClaimed { .. } => n += 1,
            EventKind::JobDone { .. } | EventKind::LeaseLost { .. } => n -= 1,
            _ => {}
        }
    }
    n as u64
}

fn recovery_notices(run: &Run) -> Vec<(WorkerId, String)> {
    run.events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SqliteLog { code, message } if *code == SQLITE_NOTICE_RECOVER_ROLLBACK => {
                Some((e.worker, message.clone()))
            }
            _ => None,
        })
        .collect()
}

/// What holds for a killed worker whatever it held: it died once, at or after its
/// time, its last event is its death, and nothing of it was rolled back after.
fn assert_died_as_a_crash(run: &Run) {
    let dead = killed(run);
    assert_eq!(dead.len(), 1, "{dead:?}");
    let (worker, at_ms) = dead[0];
    assert_eq!(worker, 1);
    assert!(
        at_ms >= 50.0,
        "killed at {at_ms} ms, before its fault's time"
    );
    let last = run.events.iter().rev().find(|e| e.worker == 1).unwrap();
    assert_eq!(last.kind, EventKind::WorkerKilled, "its last event");
    assert_eq!(
        run.report.outcome,
        Outcome::Completed,
        "the survivors finish"
    );
}

fn reclaimed_case(holding: &str) -> Run {
    let run = run_on(Vfs::Shared, killed_holding(holding, 300));
    assert_died_as_a_crash(&run);
    assert_every_job_done_once(&run);
    let r = &run.report;
    assert!(r.jobs.reclaimed >= 1, "{holding}: {:?}", r.jobs);
    let from_the_dead = run
        .events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::JobReclaimed { from: Some(1), .. }))
        .count() as u64;
    assert_eq!(
        from_the_dead,
        in_hand_at_death(&run, 1),
        "{holding}: each job in the dead worker's hand was reclaimed once"
    );
    assert_eq!(r.jobs.stuck, 0);
    run
}

fn stuck_case(holding: &str) -> Run {
    let run = run_on(Vfs::Shared, killed_holding(holding, 0));
    assert_died_as_a_crash(&run);
    let r = &run.report;
    let in_hand = in_hand_at_death(&run, 1);
    assert!(in_hand >= 1, "{holding}: killed mid-job");
    assert_eq!(r.jobs.stuck, in_hand, "{holding}: {:?}", r.jobs);
    assert_eq!(r.jobs.done + r.jobs.stuck, r.jobs.seeded, "{:?}", r.jobs);
    assert_eq!(
        (r.jobs.double_claimed, r.jobs.lost, r.jobs.reclaimed),
        (0, 0, 0)
    );
    assert_eq!(r.integrity_check, "ok");
    assert!(!r.invariants.all_jobs_done, "a stuck job is not done");
    assert!(r.invariants.no_lost_jobs && r.invariants.integrity_ok);
    run
}

#[test]
fn killed_holding_reserved_its_job_is_reclaimed_and_done_once() {
    let run = reclaimed_case("reserved");
    assert_eq!(in_hand_at_death(&run, 1), 1);
}

#[test]
fn killed_holding_exclusive_with_spilled_pages_the_survivors_roll_back_the_hot_journal() {
    let run = reclaimed_case("exclusive");
    let notices = recovery_notices(&run);
    assert!(!notices.is_empty(), "no SQLITE_NOTICE_RECOVER_ROLLBACK");
    assert!(notices.iter().all(|(w, _)| *w != 1), "a survivor recovered");
    assert!(
        notices
            .iter()
            .any(|(_, m)| m.starts_with("recovered ") && !m.starts_with("recovered 0 ")),
        "pages were spilled and rolled back: {notices:?}"
    );
}

#[test]
fn killed_holding_the_wal_write_lock_its_job_is_reclaimed_and_done_once() {
    let run = reclaimed_case("wal_write");
    assert_eq!(in_hand_at_death(&run, 1), 1);
    assert_eq!(run.report.journal_mode, "wal");
}

#[test]
fn without_stale_after_ms_a_killed_workers_job_is_stuck_not_lost() {
    assert_eq!(stuck_case("reserved").report.jobs.stuck, 1);
    assert_eq!(stuck_case("wal_write").report.jobs.stuck, 1);
    let run = stuck_case("exclusive");
    assert!(!recovery_notices(&run).is_empty());
}

#[test]
fn a_fault_without_holding_kills_at_the_first_boundary_and_a_reader_can_die_too() {
    let run = run_on(
        Vfs::Shared,
        json!({"workers": 2, "readers": 1, "jobs": 40, "journal_mode": "wal",
            "busy_timeout_ms": 5000, "work_ms": [1, 3], "reader_hold_ms": 5,
            "faults": [{"kill": 0, "at_ms": 0}, {"kill": 2, "at_ms": 20}]}),
    );
    let dead: Vec<WorkerId> = killed(&run).into_iter().map(|(w, _)| w).collect();
    assert_eq!(dead, vec![0, 2]);
    assert_eq!(
        run.report.workers[0].jobs_done, 0,
        "worker 0 died before its first claim"
    );
    assert_eq!(run.report.outcome, Outcome::Completed);
    assert_every_job_done_once(&run);
}

#[test]
fn faults_and_broken_locking_are_refused_by_the_unix_vfs_before_the_run() {
    for (scenario, field) in [
        (json!({"faults": [{"kill": 0, "at_ms": 10}]}), "faults"),
        (json!({"locking": "none"}), "locking"),
    ] {
        let scenario = Scenario::from_value(&scenario).unwrap();
        let err = native::check(&scenario, Vfs::Unix).expect_err(field);
        assert_eq!(err.field, field);
        assert!(err.to_string().contains("shared VFS"), "{err}");
        assert!(native::check(&scenario, Vfs::Shared).is_ok());
        assert!(native::run(&scenario, &Default::default()).is_err());
    }
}

/// The host's kill (the page's kill button) through `RunControl::kill_requested`:
/// the worker dies at its next boundary, in the middle of its transaction, with
/// no ROLLBACK after it.
#[test]
fn a_kill_the_host_asks_for_leaves_the_transaction_open() {
    thread_local! {
        /// What the worker's connection holds, from its own events.
        static HELD: Rc<RefCell<LockHolds>> = Rc::default();
    }
    struct KillWhenHolding;
    impl RunControl for KillWhenHolding {
        fn stop_requested(&self) -> bool {
            false
        }
        fn writers_finished(&self) -> bool {
            true
        }
        fn kill_requested(&self, worker: WorkerId) -> bool {
            worker == 4 && HELD.with(|h| h.borrow().level(DbFile::Queue).is_write())
        }
    }
    let scenario = Scenario::from_value(&json!({"workers": 5, "jobs": 10,
        "transaction": "long", "begin": "immediate", "work_ms": 1}))
    .unwrap();
    let place = Place::new(Vfs::Shared, &scenario, None).unwrap();
    let setup = place.open(&place.queue).unwrap();
    schema::create_queue(&setup, &scenario).unwrap();
    let events = std::thread::scope(|s| {
        s.spawn(|| {
            thread::enter(4, Arc::new(SystemClock::starting_now()));
            let held = HELD.with(Rc::clone);
            trace::watch(Box::new(move |e| held.borrow_mut().read(e, |_| {})));
            let conn = place.open(&place.queue).unwrap();
            let clock = SystemClock::starting_now();
            let (_, exit) = Worker::new(
                4,
                Role::Writer,
                &scenario,
                &conn,
                None,
                &clock,
                &KillWhenHolding,
            )
            .run();
            assert_eq!(exit, WorkerExit::Killed);
            std::mem::forget(conn);
            thread::leave()
        })
        .join()
        .unwrap()
    });
    let kinds: Vec<&EventKind> = events.iter().map(|e| &e.kind).collect();
    assert_eq!(kinds.last(), Some(&&EventKind::WorkerKilled));
    assert!(kinds.iter().any(|k| matches!(k, EventKind::Begin { .. })));
    assert!(!kinds
        .iter()
        .any(|k| matches!(k, EventKind::Rollback { .. } | EventKind::Commit { .. })));
    assert!(!kinds.iter().any(|k| matches!(k, EventKind::WorkerEnd)));
    // Its lock stands until the host releases it; then the job is QUEUED again.
    assert_eq!(place.release_owner(4), 1);
    let queued: i64 = setup
        .query_row(
            "SELECT count(*) FROM jobs WHERE status = 'QUEUED'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(queued, 10, "the dead transaction's claim is gone");
    assert_eq!(schema::integrity_check(&setup).unwrap(), "ok");
}
