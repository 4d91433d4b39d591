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

/// The page cache over OPFS in a Web Worker: two workers' views of one cache (each
/// wraps the same SharedArrayBuffers, as every Web Worker of a run does), OPFS
/// files under it in a run directory of their own.
mod page_cache {
    use js_sys::SharedArrayBuffer;
    use locklab::trace::DbFile;
    use locklab::vfs::page_cache::{CachedStorage, Layout, PageCache};
    use locklab::vfs::shared_words::SpinGuard;
    use locklab::vfs::storage::Storage;
    use locklab::web::shared_memory::{sab_storage::SabStorage, sab_words::SabWords};
    use locklab::web::{run_files, worker::opfs_storage};
    use std::sync::Arc;
    use wasm_bindgen_test::*;

    const SUFFIXES: [&str; 3] = ["", "-journal", "-wal"];

    struct Run {
        names: Vec<String>,
        words: SharedArrayBuffer,
        pages: SharedArrayBuffer,
        flags: Vec<SharedArrayBuffer>,
        dir: web_sys::FileSystemDirectoryHandle,
        slots: usize,
    }

    impl Run {
        async fn new(slots: usize) -> Run {
            let id = run_files::new_run_id();
            let layout = Layout::new(slots);
            Run {
                names: SUFFIXES
                    .iter()
                    .map(|s| format!("/locklab-runs/{id}/q.db{s}"))
                    .collect(),
                words: SabWords::new_buffer(layout.words()),
                pages: SharedArrayBuffer::new(8 + layout.bytes() as u32),
                flags: (0..3).map(|_| SharedArrayBuffer::new(8)).collect(),
                dir: run_files::directory(&id).await.unwrap(),
                slots,
            }
        }
        async fn opfs(&self) -> Arc<opfs_storage::OpfsStorage> {
            Arc::new(
                opfs_storage::open(&self.dir, &self.names, &self.flags)
                    .await
                    .unwrap(),
            )
        }
        /// One worker's view: its own OPFS handles, the shared cache.
        async fn worker(&self) -> CachedStorage {
            let pages = SabStorage::new(vec![("p".into(), self.pages.clone())]);
            let words = Arc::new(SabWords::over(&self.words));
            let cache = PageCache::new(words, pages.open("p", true).unwrap(), self.slots).unwrap();
            CachedStorage::new(cache, self.opfs().await, self.names.clone(), DbFile::Queue)
        }
    }

    fn read_all(storage: &dyn Storage, name: &str) -> Vec<u8> {
        let f = storage.open(name, false).unwrap();
        let mut out = vec![0; f.size().unwrap() as usize];
        assert_eq!(f.read_at(0, &mut out).unwrap(), out.len());
        out
    }

    #[wasm_bindgen_test]
    async fn what_one_worker_writes_another_reads_and_xsync_makes_opfs_equal() {
        let run = Run::new(64).await;
        let (a, b) = (run.worker().await, run.worker().await);
        let wal = &run.names[2];
        let f = a.open(wal, true).unwrap();
        f.write_at(32, &[7; 24]).unwrap();
        f.write_at(56, &[9; 4096]).unwrap();
        // The lock moves to b: it reads the frame; OPFS has none of it yet.
        let frame = read_all(&b, wal);
        assert_eq!(frame.len(), 56 + 4096);
        assert!(frame[32..56].iter().all(|&x| x == 7) && frame[56..].iter().all(|&x| x == 9));
        let disk = run.opfs().await;
        assert_eq!(disk.open(wal, false).unwrap().size().unwrap(), 0);
        // b syncs: OPFS, read through handles of its own, equals the cache.
        b.open(wal, false).unwrap().sync().unwrap();
        assert_eq!(read_all(&*run.opfs().await, wal), frame);
    }

    #[wasm_bindgen_test]
    async fn a_killed_worker_loses_nothing_and_the_bound_holds_over_a_long_run() {
        let slots = 16;
        let run = Run::new(slots).await;
        let killed = run.worker().await;
        killed
            .open(&run.names[0], true)
            .unwrap()
            .write_at(0, &[5; 10_000])
            .unwrap();
        // It dies inside the cache's lock, never syncing; the page frees the lock.
        std::mem::forget(SpinGuard::lock_as(&SabWords::over(&run.words), 0, 4));
        std::mem::forget(killed);
        assert!(locklab::vfs::page_cache::release_owner(
            &SabWords::over(&run.words),
            4
        ));
        let w = run.worker().await;
        let mut model = vec![5u8; 10_000];
        assert_eq!(read_all(&w, &run.names[0]), model);
        let f = w.open(&run.names[0], false).unwrap();
        for step in 0..600u32 {
            let at = (step.wrapping_mul(7919) % 200_000) as usize;
            let len = 1 + (step.wrapping_mul(104_729) % 9000) as usize;
            f.write_at(at as u64, &vec![step as u8; len]).unwrap();
            if model.len() < at + len {
                model.resize(at + len, 0);
            }
            model[at..at + len].fill(step as u8);
            let counts = w.counts();
            assert!(
                counts.clean + counts.dirty <= slots,
                "step {step}: {counts:?}"
            );
        }
        assert!(w.counts().written_back > 0, "pressure wrote pages back");
        assert!(read_all(&w, &run.names[0]) == model, "through the cache");
        w.sync_all().unwrap();
        assert!(
            read_all(&*run.opfs().await, &run.names[0]) == model,
            "in OPFS after sync"
        );
    }
}
