//! The core in a real browser: these tests run inside a dedicated Web Worker of
//! headless Chromium (wasm-bindgen-test-runner), on SQLite compiled to wasm.
#![cfg(target_arch = "wasm32")]

use locklab::clock::Clock;
use locklab::scenario::Scenario;
use locklab::web::{clock::WebClock, host::run::alone_report, worker::run_alone};
use std::time::Duration;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
fn rusqlite_opens_sqlite_in_a_worker_and_runs_a_query() {
    let conn = rusqlite::Connection::open("query.db").unwrap();
    conn.execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1), (2), (3);")
        .unwrap();
    let sum: i64 = conn
        .query_row("SELECT sum(x) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sum, 6);
    let version: String = conn
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .unwrap();
    assert!(version.starts_with("3."), "{version}");
}

#[wasm_bindgen_test]
fn the_worker_clock_sleeps_for_real() {
    // Cross-origin isolated: the sleep is Atomics.wait, not the spinning fallback.
    let isolated = js_sys::Reflect::get(&js_sys::global(), &"crossOriginIsolated".into()).unwrap();
    assert_eq!(isolated.as_bool(), Some(true));
    let clock = WebClock::with_epoch(locklab::web::clock::wall_ms());
    let before = clock.now_us();
    clock.sleep(Duration::from_millis(30));
    let slept_ms = (clock.now_us() - before) / 1000;
    assert!(slept_ms >= 29, "slept {slept_ms} ms");
}

#[wasm_bindgen_test]
fn the_engine_runs_a_scenario_to_a_full_report_in_a_worker() {
    let scenario = Scenario::from_json(
        r#"{"workers": 1, "jobs": 25, "transaction": "long", "begin": "immediate",
            "journal_mode": "delete", "busy_timeout_ms": 100, "work_ms": [0, 1],
            "heartbeat_ms": 1, "result_batch": 5}"#,
    )
    .unwrap();
    // The worker runs it; the page makes the report from its answer.
    let report = alone_report(&scenario, run_alone(&scenario).unwrap()).unwrap();
    assert_eq!(report.jobs.seeded, 25);
    assert_eq!(report.jobs.done, 25);
    assert_eq!((report.jobs.double_claimed, report.jobs.lost), (0, 0));
    assert_eq!(report.integrity_check, "ok");
    assert_eq!(report.journal_mode, "delete");
    // 25 jobs in transactions of 5, and the last one that found the queue empty.
    assert_eq!(report.transactions.committed, 6);
    assert_eq!(report.workers[0].jobs_done, 25);
    assert!(report.invariants.all_hold(), "{:?}", report.invariants);
}

/// The wasm build's SQLite (sqlite-wasm-rs, built without HAVE_NANOSLEEP = 0)
/// takes the busy handler's sub-second path, as the native build does
/// (tests/sqlite_facts.rs): with a 100 ms timeout it asks the VFS to sleep 1, 2,
/// 5, 10, 15, 20, 25 ms and then the 22 ms left.
#[wasm_bindgen_test]
fn the_busy_handler_of_the_wasm_build_sleeps_1_2_5_10_15_20_25_ms_then_what_is_left() {
    use locklab::engine::thread;
    use locklab::trace::{DbFile, EventKind};
    use locklab::vfs::shared_words::ProcessWords;
    use locklab::vfs::storage::MemoryStorage;
    use locklab::vfs::{self, Locking, SharedDatabase, DATABASE_WORDS};
    use rusqlite::{Connection, OpenFlags};
    use std::sync::Arc;

    vfs::register().unwrap();
    let path = "/facts/busy-handler.db";
    vfs::attach(SharedDatabase {
        path: path.into(),
        words: Arc::new(ProcessWords::zeroed(DATABASE_WORDS)),
        storage: Arc::new(MemoryStorage::new()),
        locking: Locking::Normal,
        db: DbFile::Queue,
    });
    let open = || {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE;
        Connection::open_with_flags_and_vfs(path, flags, vfs::NAME).unwrap()
    };
    let (a, b) = (open(), open());
    b.execute_batch("CREATE TABLE t(x); BEGIN IMMEDIATE; INSERT INTO t VALUES (1);")
        .unwrap();
    a.busy_timeout(Duration::from_millis(100)).unwrap();
    let clock = WebClock::with_epoch(locklab::web::clock::wall_ms());
    thread::enter(0, Arc::new(clock));
    let refused = a.execute_batch("BEGIN IMMEDIATE").unwrap_err();
    let events = thread::leave();
    assert_eq!(
        refused.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy)
    );
    let asked_ms: Vec<u64> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::BusyWait { requested_us, .. } => Some(requested_us / 1000),
            _ => None,
        })
        .collect();
    assert_eq!(asked_ms, [1, 2, 5, 10, 15, 20, 25, 22]);
    b.execute_batch("COMMIT").unwrap();
}
