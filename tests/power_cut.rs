//! A power cut through the shared VFS with real SQLite: every write not yet
//! synced is undone, a fresh connection recovers, and the report says what was
//! lost. SQLite's promise (pragma.html, PRAGMA synchronous): with FULL no commit
//! is lost; with NORMAL in WAL the last commits may be, the database stays intact.
//! Debian's `sqlite3` checks what the cut left, as a second SQLite.

mod common;

use locklab::analysis::report::{Outcome, RunReport};
use locklab::native::{self, RunOptions, Vfs};
use locklab::scenario::Scenario;
use locklab::trace::DbFile;
use locklab::vfs::power::PowerCutStorage;
use locklab::vfs::shared_words::ProcessWords;
use locklab::vfs::storage::{MemoryStorage, Storage};
use locklab::vfs::{self, Locking, SharedDatabase};
use rusqlite::{Connection, OpenFlags};
use serde_json::{json, Value};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// Cuts per journal mode.
const CUTS: u64 = 20;

/// A small seeded generator, so that every run of the test cuts at the same times.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Three writers that cannot finish before the cut, with the power going off at
/// `at_ms`; long or short transactions, and half the time a two-page cache, so
/// that transactions spill changed pages into the database file before COMMIT.
fn cut_scenario(journal_mode: &str, synchronous: &str, rng: &mut SplitMix) -> Value {
    json!({"workers": 3, "jobs": 3000,
        "transaction": if rng.below(2) == 0 { "short" } else { "long" },
        "begin": "immediate", "journal_mode": journal_mode, "synchronous": synchronous,
        "busy_timeout_ms": 5000, "work_ms": [0, 2],
        "cache_pages": if rng.below(2) == 0 { 0 } else { 2 },
        "seed": rng.next(), "time_limit_ms": 60000,
        "faults": [{"power_cut": true, "at_ms": 5 + rng.below(120)}]})
}

fn run_shared(scenario: Value, storage: Option<Arc<dyn Storage>>) -> RunReport {
    let scenario = Scenario::from_value(&scenario).expect("a valid scenario");
    let options = RunOptions {
        vfs: Vfs::Shared,
        storage,
        ..RunOptions::default()
    };
    native::run(&scenario, &options)
        .expect("the run takes place")
        .report
}

/// What one journal mode's cuts add up to.
#[derive(Default, Debug)]
struct Totals {
    done: u64,
    writes_dropped: u64,
    commits_lost: u64,
    cuts_that_lost: u64,
}

fn cuts(journal_mode: &str, synchronous: &str, seed: u64) -> Totals {
    let mut rng = SplitMix(seed);
    let mut totals = Totals::default();
    for n in 0..CUTS {
        let scenario = cut_scenario(journal_mode, synchronous, &mut rng);
        let r = run_shared(scenario.clone(), None);
        let cut = r
            .power_cut
            .clone()
            .expect("the report says what the cut did");
        assert_eq!(r.outcome, Outcome::PowerCut, "{scenario}");
        assert_eq!(r.journal_mode, journal_mode);
        assert_eq!(cut.integrity_check, "ok", "cut {n}, {scenario}");
        assert_eq!(r.integrity_check, "ok");
        assert_eq!(
            cut.commits_lost, r.jobs.lost,
            "commits lost are the audit's"
        );
        assert!(!r.invariants.all_jobs_done, "a cut run is not all done");
        totals.done += r.jobs.done;
        totals.writes_dropped += cut.writes_dropped;
        totals.commits_lost += cut.commits_lost;
        totals.cuts_that_lost += u64::from(cut.commits_lost > 0);
    }
    eprintln!("{journal_mode} {synchronous}: {CUTS} cuts, {totals:?}");
    totals
}

/// synchronous = FULL: no commit the trace saw is lost, whatever the moment of
/// the cut, in every journal mode; the database is intact after recovery.
#[test]
fn full_loses_no_commit_in_any_journal_mode() {
    for (i, mode) in ["delete", "truncate", "persist", "wal"]
        .into_iter()
        .enumerate()
    {
        let totals = cuts(mode, "full", 21 + i as u64);
        assert_eq!(totals.commits_lost, 0, "{mode}: {totals:?}");
        assert!(
            totals.done > 0,
            "{mode}: jobs were committed before the cuts"
        );
        assert!(totals.writes_dropped > 0, "{mode}: some cut dropped writes");
    }
}

/// synchronous = NORMAL in WAL: commits since the last checkpoint's sync may be
/// lost, and are; the database stays intact every time.
#[test]
fn normal_in_wal_may_lose_the_last_commits_but_stays_intact() {
    let totals = cuts("wal", "normal", 7);
    eprintln!(
        "wal normal: {} commits lost over {CUTS} cuts, in {} of them",
        totals.commits_lost, totals.cuts_that_lost
    );
    assert!(totals.commits_lost > 0, "{totals:?}");
}

/// The files SQLite would find on the disk, copied to `dir` under their own
/// names; returns the database's path.
fn copy_out(storage: &MemoryStorage, database: &str, dir: &Path) -> std::path::PathBuf {
    for name in storage.names() {
        let Some(suffix) = name.strip_prefix(database) else {
            continue;
        };
        let file = storage.open(&name, false).unwrap();
        let mut bytes = vec![0u8; file.size().unwrap() as usize];
        file.read_at(0, &mut bytes).unwrap();
        std::fs::write(dir.join(format!("queue.db{suffix}")), bytes).unwrap();
    }
    dir.join("queue.db")
}

/// Debian's sqlite3 (another build, another version) on a copy of the files.
fn sqlite3(db: &Path, sql: &str) -> String {
    let out = Command::new("sqlite3")
        .arg(db)
        .arg(sql)
        .output()
        .expect("Debian's sqlite3 is installed (apt-get install sqlite3)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The bytes a cut leaves, as a second SQLite reads them: a connection with 50
/// committed rows and a transaction whose changed pages spilled into the
/// database file (rollback journal) or the WAL, then the power goes off. Debian's
/// sqlite3 rolls the hot journal back (or ignores the WAL's uncommitted frames)
/// and finds the database intact; with FULL every committed row is there, with
/// NORMAL in WAL those up to the checkpoint at least.
#[test]
fn debian_sqlite3_recovers_what_the_cut_left() {
    vfs::register().unwrap();
    for (mode, sync) in [("delete", "full"), ("wal", "full"), ("wal", "normal")] {
        let live = Arc::new(MemoryStorage::new());
        let path = format!("/power-test/{mode}-{sync}.db");
        let files = ["", "-journal", "-wal"].map(|s| format!("{path}{s}"));
        let power = Arc::new(PowerCutStorage::in_memory(live.clone(), files.to_vec()));
        vfs::attach(SharedDatabase {
            path: path.clone(),
            words: Arc::new(ProcessWords::zeroed(vfs::DATABASE_WORDS)),
            storage: power.clone(),
            locking: Locking::Normal,
            db: DbFile::Queue,
        });
        let conn = Connection::open_with_flags_and_vfs(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            vfs::NAME,
        )
        .unwrap();
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = {mode}; PRAGMA synchronous = {sync}; PRAGMA cache_size = 2;
             CREATE TABLE t(id INTEGER PRIMARY KEY, v BLOB);"
        ))
        .unwrap();
        for id in 1..=50 {
            conn.execute("INSERT INTO t VALUES (?1, zeroblob(3000))", [id])
                .unwrap();
            if id == 25 {
                // Under NORMAL in WAL, a checkpoint is where the WAL is synced.
                conn.execute_batch("PRAGMA wal_checkpoint").unwrap();
            }
        }
        // A transaction the cut interrupts: more pages than the cache holds.
        conn.execute_batch(
            "BEGIN; UPDATE t SET v = randomblob(3000); DELETE FROM t WHERE id > 25;",
        )
        .unwrap();
        let dropped = power.power_off();
        std::mem::forget(conn);
        assert_eq!(power.restore().unwrap(), dropped);
        vfs::detach(&path);

        let dir = tempfile::tempdir().unwrap();
        let db = copy_out(&live, &path, dir.path());
        let found = sqlite3(
            &db,
            "PRAGMA integrity_check; SELECT count(*), sum(v = zeroblob(3000)) FROM t;",
        );
        eprintln!("{mode} {sync}: {dropped} writes dropped; sqlite3 says {found:?}");
        let (integrity, rows) = found.split_once('\n').unwrap();
        assert_eq!(integrity, "ok", "{mode} {sync}");
        let (count, unchanged) = rows.split_once('|').unwrap();
        assert_eq!(count, unchanged, "no row of the cut transaction: {rows}");
        if sync == "full" {
            assert_eq!(count, "50", "{mode}: every committed row");
        } else {
            let count: u32 = count.parse().unwrap();
            assert!(
                (25..=50).contains(&count),
                "the rows up to the checkpoint: {rows}"
            );
        }
    }
}

/// After a run cut in WAL mode with FULL, the recovered database, copied out,
/// holds for Debian's sqlite3 exactly the DONE jobs the report counts.
#[test]
fn the_recovered_database_is_what_the_report_says() {
    let storage = Arc::new(MemoryStorage::new());
    let mut rng = SplitMix(3);
    let mut scenario = cut_scenario("wal", "full", &mut rng);
    scenario["faults"] = json!([{"power_cut": true, "at_ms": 80}]);
    let r = run_shared(scenario, Some(storage.clone()));
    let cut = r.power_cut.expect("a cut");
    assert_eq!(cut.commits_lost, 0);
    assert!(r.jobs.done > 0, "jobs committed before the cut");
    let queue = storage
        .names()
        .into_iter()
        .find(|n| n.ends_with("/queue.db"))
        .expect("the queue database");
    let dir = tempfile::tempdir().unwrap();
    let db = copy_out(&storage, &queue, dir.path());
    let found = sqlite3(
        &db,
        "PRAGMA integrity_check; SELECT count(*) FROM jobs WHERE status = 'DONE';",
    );
    assert_eq!(found, format!("ok\n{}", r.jobs.done));
}

/// The unix VFS refuses a power cut, naming the field: its files are the
/// operating system's.
#[test]
fn the_unix_vfs_refuses_a_power_cut() {
    let scenario =
        Scenario::from_value(&json!({"faults": [{"power_cut": true, "at_ms": 10}]})).unwrap();
    let err = native::check(&scenario, Vfs::Unix).unwrap_err();
    assert_eq!(err.field, "faults");
    assert!(
        err.allowed.contains("no power cut with the unix VFS"),
        "{err}"
    );
    assert!(native::check(&scenario, Vfs::Shared).is_ok());
}

/// A power cut is written `{"power_cut": true, "at_ms": T}`; every mistake names
/// its place in the list; the scenario reads back as itself.
#[test]
fn a_power_cut_is_parsed_and_refused_by_its_field() {
    let parse = |faults: Value| Scenario::from_value(&json!({"workers": 2, "faults": faults}));
    let s = parse(json!([{"kill": 1, "at_ms": 5}, {"power_cut": true, "at_ms": 40}])).unwrap();
    assert_eq!(s.faults.power_cut.map(|c| c.at_ms), Some(40));
    assert_eq!(s.faults.len(), 1, "one kill");
    assert_eq!(Scenario::from_value(&s.to_value()).unwrap(), s);
    let bytes = locklab::wire::to_bytes(&s);
    assert_eq!(locklab::wire::Reader::whole::<Scenario>(&bytes).unwrap(), s);

    let refused = |faults: Value| parse(faults).unwrap_err();
    let e = refused(json!([{"power_cut": false, "at_ms": 40}]));
    assert_eq!(e.field, "faults[0].power_cut");
    let e = refused(json!([{"power_cut": true}]));
    assert_eq!(
        (e.field.as_str(), e.given.as_str()),
        ("faults[0].at_ms", "nothing (it is required)")
    );
    let e = refused(json!([{"power_cut": true, "at_ms": 999999}]));
    assert_eq!(e.field, "faults[0].at_ms");
    let e = refused(json!([{"power_cut": true, "at_ms": 1, "kill": 0}]));
    assert_eq!(e.field, "faults[0].kill");
    assert!(e.allowed.contains("names none"), "{e}");
    let e = refused(json!([{"power_cut": true, "at_ms": 1}, {"power_cut": true, "at_ms": 2}]));
    assert_eq!(e.field, "faults[1]");
}

/// The undo itself, byte for byte: what was synced stays, what came after goes.
#[test]
fn the_undo_restores_the_synced_bytes() {
    let live = Arc::new(MemoryStorage::new());
    let power = PowerCutStorage::in_memory(live.clone(), vec!["f".into()]);
    let f = power.open("f", true).unwrap();
    f.write_at(0, &[1; 10_000]).unwrap();
    f.sync().unwrap();
    f.write_at(4000, &[2; 5000]).unwrap();
    f.truncate(3000).unwrap();
    f.write_at(20_000, &[3; 10]).unwrap();
    assert_eq!(power.restore().unwrap(), 3);
    let back = live.open("f", false).unwrap();
    let mut bytes = vec![0; back.size().unwrap() as usize];
    back.read_at(0, &mut bytes).unwrap();
    assert_eq!(bytes, vec![1; 10_000]);
}
