//! The Chrome trace (`locklab run --trace`) as Perfetto reads it: its structure
//! (tracks that nest, time that never goes back on a track, every process and
//! track named), and what it must keep of a run: WAL read and write locks, refused
//! locks with who was in the way (and a flow from the holder to each refusal),
//! syncs, busy waits, the results database. The checker is in
//! `common/chrome_trace.rs` (its own test and the flows' in
//! `chrome_trace_flows.rs`); `scripts/check-chrome-trace.py` applies the same
//! structural rules with Python's JSON parser, as a second opinion.

use locklab::exports::chrome_trace::export;
use locklab::lock::LockLevel;
use locklab::result_code;
use locklab::trace::{DbFile, EventKind, FileRole, Role, Step, TraceEvent, WorkerId};
mod common;

use common::chrome_trace::{problems, traced_run, traced_scenario};
use serde_json::{json, Value};

/// The events of `doc` on the track named `track` of worker `worker`'s process.
fn on_track<'a>(doc: &'a Value, worker: WorkerId, track: &str) -> Vec<&'a Value> {
    let events = doc["traceEvents"].as_array().unwrap();
    let pid = u64::from(worker) + 1;
    let tid = events
        .iter()
        .find(|e| e["name"] == "thread_name" && e["pid"] == pid && e["args"]["name"] == track)
        .and_then(|e| e["tid"].as_u64());
    events
        .iter()
        .filter(|e| e["ph"] != "M" && e["pid"] == pid && tid.is_some_and(|t| e["tid"] == t))
        .collect()
}

/// (name, ts, dur) of each slice, or (name, ts) of each instant, of `events`
/// (flows aside).
fn slices(events: &[&Value]) -> Vec<(String, u64, u64)> {
    events
        .iter()
        .filter(|e| e["ph"] != "s" && e["ph"] != "f")
        .map(|e| {
            (
                e["name"].as_str().unwrap().to_string(),
                e["ts"].as_u64().unwrap(),
                e["dur"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn at(t_us: u64, worker: WorkerId, kind: EventKind) -> TraceEvent {
    TraceEvent { t_us, worker, kind }
}

fn lock(db: DbFile, from: LockLevel, to: LockLevel) -> EventKind {
    EventKind::Lock { db, from, to }
}

fn shm(slot: u8, exclusive: bool, acquire: bool) -> EventKind {
    EventKind::ShmLock {
        db: DbFile::Queue,
        slot,
        n: 1,
        exclusive,
        acquire,
        ok: true,
        by: None,
    }
}

/// A writer in WAL mode with a results database in rollback mode, a reader, and
/// a second writer whose EXCLUSIVE on the results database is refused.
fn hand_written() -> Vec<TraceEvent> {
    use DbFile::{Queue, Results};
    use LockLevel::{Exclusive, None, Pending, Reserved, Shared};
    let begin = |step| EventKind::Begin {
        step,
        sql: "BEGIN IMMEDIATE".into(),
    };
    vec![
        at(0, 0, EventKind::WorkerStart { role: Role::Writer }),
        at(0, 1, EventKind::WorkerStart { role: Role::Reader }),
        at(0, 2, EventKind::WorkerStart { role: Role::Writer }),
        // Worker 0: a WAL write transaction on the queue.
        at(10, 0, lock(Queue, None, Shared)),
        at(20, 0, shm(3, false, true)),
        at(20, 0, shm(0, true, true)),
        at(20, 0, begin(Step::Claim)),
        at(
            25,
            0,
            EventKind::Statement {
                step: Step::Claim,
                sql: "UPDATE jobs".into(),
                dur_us: 30,
            },
        ),
        at(
            60,
            0,
            EventKind::Sync {
                db: Queue,
                file: FileRole::Wal,
            },
        ),
        at(70, 0, shm(0, true, false)),
        at(70, 0, shm(3, false, false)),
        at(71, 0, EventKind::Commit { step: Step::Claim }),
        at(72, 0, EventKind::JobClaimed { job: 1 }),
        // Worker 0 writes its result into the results database and holds it.
        at(100, 0, lock(Results, None, Shared)),
        at(110, 0, lock(Results, Shared, Reserved)),
        at(150, 0, lock(Results, Reserved, Exclusive)),
        // Worker 1 reads a snapshot; a checkpoint of its own at the end.
        at(30, 1, lock(Queue, None, Shared)),
        at(30, 1, shm(4, false, true)),
        at(500, 1, shm(4, false, false)),
        at(510, 1, shm(1, true, true)),
        at(520, 1, shm(1, true, false)),
        // Worker 2 wants RESERVED on the results database, refused: worker 0 holds
        // it; waits in the busy handler; then a refusal whose holder the VFS did
        // not name, and one whose holder shows no lock in the trace.
        at(120, 2, lock(Results, None, Shared)),
        at(
            130,
            2,
            EventKind::LockDenied {
                db: Results,
                held: Shared,
                wanted: Reserved,
                by: Some(0),
            },
        ),
        at(
            130,
            2,
            EventKind::BusyWait {
                requested_us: 100,
                dur_us: 100,
            },
        ),
        at(
            240,
            2,
            EventKind::LockDenied {
                db: Results,
                held: Shared,
                wanted: Reserved,
                by: Option::None,
            },
        ),
        at(
            245,
            2,
            EventKind::LockDenied {
                db: Results,
                held: Shared,
                wanted: Reserved,
                by: Some(1),
            },
        ),
        at(250, 2, lock(Results, Shared, Pending)),
        at(260, 2, lock(Results, Pending, None)),
        at(270, 2, EventKind::WorkerEnd),
        // Worker 3 dies holding RESERVED; worker 0 rolls back its hot journal and
        // takes its job; worker 3's lease was lost already.
        at(0, 3, EventKind::WorkerStart { role: Role::Writer }),
        at(600, 3, lock(Queue, None, Reserved)),
        at(610, 3, EventKind::LeaseLost { job: 7 }),
        at(650, 3, EventKind::WorkerKilled),
        at(
            700,
            0,
            EventKind::SqliteLog {
                code: 539,
                message: "recovered 3 pages".into(),
            },
        ),
        at(
            710,
            0,
            EventKind::JobReclaimed {
                job: 7,
                from: Some(3),
            },
        ),
    ]
}

#[test]
fn a_hand_written_trace_keeps_every_lock_refusal_sync_and_wait() {
    let doc = export(&hand_written(), 1000);
    assert_eq!(problems(&doc), Vec::<String>::new());
    let s = |name: &str, ts, dur| (name.to_string(), ts, dur);
    assert_eq!(
        slices(&on_track(&doc, 0, "queue: WAL read")),
        vec![s("WAL read", 20, 50)]
    );
    assert_eq!(
        slices(&on_track(&doc, 0, "queue: WAL write")),
        vec![s("WAL write", 20, 50)]
    );
    assert_eq!(
        slices(&on_track(&doc, 0, "queue: lock level")),
        vec![s("SHARED", 10, 990), s("sync wal", 60, 0)],
        "the SHARED lock still held at the end lasts until the end"
    );
    assert_eq!(
        slices(&on_track(&doc, 0, "transactions")),
        vec![
            s("BEGIN IMMEDIATE (committed)", 20, 51),
            s("UPDATE jobs", 25, 30),
            s(&format!("log: {}", result_code::name(539)), 700, 0),
        ]
    );
    assert_eq!(
        slices(&on_track(&doc, 0, "results: lock level")),
        vec![
            s("SHARED", 100, 10),
            s("RESERVED", 110, 40),
            s("EXCLUSIVE", 150, 850)
        ]
    );
    assert_eq!(
        slices(&on_track(&doc, 1, "queue: WAL read")),
        vec![s("WAL read", 30, 470)]
    );
    assert_eq!(
        slices(&on_track(&doc, 1, "queue: WAL checkpoint")),
        vec![s("WAL checkpoint", 510, 10)]
    );
    assert_eq!(
        slices(&on_track(&doc, 2, "results: lock level")),
        vec![
            s("SHARED", 120, 130),
            s("busy wait", 130, 100),
            s("RESERVED refused: worker 0 holds RESERVED", 130, 0),
            s("RESERVED refused: worker 0 holds EXCLUSIVE", 240, 0),
            s(
                "RESERVED refused: worker 0 holds EXCLUSIVE (the VFS named reader 1)",
                245,
                0
            ),
            s("PENDING", 250, 10),
        ],
        "the busy wait on the track of the database it waits for"
    );
    let track = on_track(&doc, 2, "results: lock level");
    let refused = track.iter().find(|e| e["ph"] == "i").unwrap();
    assert_eq!(
        refused["args"],
        json!({"db": "results", "held": "SHARED", "wanted": "RESERVED", "by": 0, "holder": 0,
            "holds": "RESERVED", "holder_since_us": 110, "in_way_since_us": 110})
    );
    let wait = track.iter().find(|e| e["name"] == "busy wait").unwrap();
    assert_eq!(
        wait["args"],
        json!({"requested_us": 100, "waits_for": 0, "after_refusal_at_us": 130})
    );
    // An arrow from worker 0's hold on the results database to each refusal.
    let flows: Vec<(&str, u64, u64, &str)> = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["cat"] == "wait for")
        .map(|e| {
            (
                e["ph"].as_str().unwrap(),
                e["id"].as_u64().unwrap(),
                e["pid"].as_u64().unwrap() - 1,
                e["ts"]
                    .as_u64()
                    .map_or("?", |t| if t == 130 { "130" } else { "later" }),
            )
        })
        .collect();
    assert_eq!(
        flows,
        vec![
            ("s", 1, 0, "130"),
            ("f", 1, 2, "130"),
            ("s", 2, 0, "later"),
            ("f", 2, 2, "later"),
            ("s", 3, 0, "later"),
            ("f", 3, 2, "later"),
        ]
    );
    assert!(
        on_track(&doc, 2, "queue: lock level").is_empty()
            && on_track(&doc, 2, "queue: WAL read").is_empty(),
        "no track for a lock never taken"
    );
    assert_eq!(
        slices(&on_track(&doc, 3, "queue: lock level")),
        vec![s("RESERVED", 600, 50)],
        "the host releases a killed worker's locks"
    );
    assert_eq!(
        slices(&on_track(&doc, 3, "jobs")),
        vec![s("lease lost", 610, 0), s("worker killed", 650, 0)]
    );
    assert_eq!(
        slices(&on_track(&doc, 0, "jobs")),
        vec![s("claimed", 72, 0), s("reclaimed from worker 3", 710, 0)]
    );
    let log = on_track(&doc, 0, "transactions")[2];
    assert_eq!(
        log["args"],
        json!({"code": 539, "message": "recovered 3 pages"})
    );
    let names: Vec<&str> = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == "process_name")
        .map(|e| e["args"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "worker 0 (writer)",
            "worker 1 (reader)",
            "worker 2 (writer)",
            "worker 3 (writer)"
        ]
    );
}

/// Issue 8: "The Chrome trace of a WAL run holds WAL read and write spans", through
/// SQLite's unix VFS and through locklab's shared VFS.
#[test]
fn exported_wal_runs_hold_wal_read_and_write_spans() {
    for vfs in ["unix", "shared"] {
        let doc = traced_run(&["run", "--preset", "wal-readers", "--vfs", vfs]);
        assert_eq!(problems(&doc), Vec::<String>::new(), "{vfs}");
        // Worker 0 writes 40 jobs, each claimed and finished in a transaction of
        // its own; readers 1 and 2 hold read transactions of 40 ms.
        let writes = on_track(&doc, 0, "queue: WAL write");
        assert!(
            writes.len() >= 80 && writes.iter().all(|e| e["name"] == "WAL write"),
            "{vfs}: {} WAL write spans",
            writes.len()
        );
        assert!(
            on_track(&doc, 0, "queue: WAL read").len() >= 80,
            "{vfs}: a write transaction reads first"
        );
        for reader in [1, 2] {
            let longest = slices(&on_track(&doc, reader, "queue: WAL read"))
                .into_iter()
                .map(|(_, _, dur)| dur)
                .max();
            assert!(
                longest >= Some(40_000),
                "{vfs}: reader {reader}'s longest WAL read {longest:?} µs"
            );
            assert!(
                on_track(&doc, reader, "queue: WAL write").is_empty(),
                "{vfs}: a reader never writes"
            );
        }
        let syncs = on_track(&doc, 0, "queue: lock level")
            .into_iter()
            .filter(|e| e["name"] == "sync wal" && e["args"]["file"] == "wal")
            .count();
        assert!(syncs >= 80, "{vfs}: {syncs} syncs of the WAL");
    }
}

#[test]
fn refusals_name_the_worker_in_the_way_and_what_it_holds() {
    // Rollback mode: the writer's EXCLUSIVE (to commit) is refused while a reader
    // holds SHARED; the readers' SHARED is refused while the writer holds PENDING.
    let doc = traced_run(&["run", "--preset", "readers-block-writer", "--vfs", "shared"]);
    assert_eq!(problems(&doc), Vec::<String>::new());
    let refusals: Vec<String> = on_track(&doc, 0, "queue: lock level")
        .into_iter()
        .filter(|e| e["ph"] == "i" && e["name"].as_str().unwrap().contains("refused"))
        .map(|e| e["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        refusals
            .iter()
            .any(|n| n.starts_with("EXCLUSIVE refused: reader ") && n.ends_with(" holds SHARED")),
        "{refusals:?}"
    );
    assert!(
        refusals.iter().all(|n| n.contains(": reader ")),
        "only readers are in the writer's way: {refusals:?}"
    );
}

#[test]
fn the_results_database_has_lock_tracks_of_its_own() {
    let doc = traced_run(&["run", "--preset", "batched-results"]);
    assert_eq!(problems(&doc), Vec::<String>::new());
    let workers = doc["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == "process_name")
        .count() as u32;
    let results_writes: usize = (0..workers)
        .map(|w| on_track(&doc, w, "results: WAL write").len())
        .sum();
    let queue_writes: usize = (0..workers)
        .map(|w| on_track(&doc, w, "queue: WAL write").len())
        .sum();
    // 400 results, written 20 at a time: at least 20 write transactions on the
    // results database, far fewer than the 800 claims and results on the queue.
    assert!(
        (20..400).contains(&results_writes),
        "{results_writes} results writes"
    );
    assert!(queue_writes >= 400, "{queue_writes} queue writes");
}

/// A worker killed holding RESERVED (through the shared VFS): the host releases
/// its locks, which no Lock event records, so its lock spans end where it died, and
/// the report's lock times agree; a survivor reclaims its job.
#[test]
fn a_killed_workers_locks_end_where_it_died() {
    let scenario = json!({"workers": 3, "jobs": 30, "transaction": "short", "begin": "immediate",
        "journal_mode": "delete", "busy_timeout_ms": 5000, "work_ms": [20, 40],
        "heartbeat_ms": 5, "stale_after_ms": 300, "time_limit_ms": 60000,
        "faults": [{"kill": 1, "at_ms": 50, "holding": "reserved"}]});
    let (report, doc) = traced_scenario(&scenario, &["--vfs", "shared"]);
    assert_eq!(problems(&doc), Vec::<String>::new());
    let died = on_track(&doc, 1, "jobs")
        .into_iter()
        .find(|e| e["name"] == "worker killed")
        .and_then(|e| e["ts"].as_u64())
        .expect("worker 1 was killed");
    let levels = slices(&on_track(&doc, 1, "queue: lock level"));
    let last = levels.last().expect("worker 1 held locks");
    assert_eq!(
        (last.0.as_str(), last.1 + last.2),
        ("RESERVED", died),
        "it died holding RESERVED, released then"
    );
    let reclaimed = (0..3u32)
        .flat_map(|w| on_track(&doc, w, "jobs"))
        .filter(|e| e["name"] == "reclaimed from worker 1")
        .count();
    assert!(reclaimed >= 1, "a survivor reclaims the dead worker's job");
    let worker = &report["workers"][1];
    let held_ms = worker["lock_ms"]["reserved"].as_f64().unwrap();
    let killed_at_ms = worker["killed_at_ms"].as_f64().unwrap();
    assert!(
        held_ms <= killed_at_ms,
        "RESERVED {held_ms} ms, killed at {killed_at_ms} ms"
    );
    // (The run's longest write-lock hold is not compared with killed_at_ms: on a
    // loaded machine a survivor descheduled while holding can outlast 50 ms.)
}
