//! What SQLite itself does, shown with two connections through both native VFSes
//! (SQLite's unix VFS, traced, and locklab's shared VFS): the facts the course
//! teaches about SQLite, each checked here rather than taken on trust.
//!
//! - A transaction that has read and asks to write (a DEFERRED read-then-write)
//!   is refused at once: btree.c's `sqlite3BtreeBeginTrans` calls the busy
//!   handler only while the connection has no transaction open. (In a rollback
//!   journal the pager still calls it for a writer's EXCLUSIVE at COMMIT.) In WAL the refusal is SQLITE_BUSY while another
//!   connection holds the write lock, and SQLITE_BUSY_SNAPSHOT once another
//!   connection has committed since this one's snapshot (wal.c,
//!   `sqlite3WalBeginWriteTransaction`).
//! - SQLITE_LOCKED comes from inside one connection: DROP TABLE while any
//!   statement of that connection is still reading, whatever table it reads.
//! - The busy handler's sleeps: 1, 2, 5, 10, 15, 20, 25 ms..., the last cut to
//!   what is left of the timeout, as the VFS's xSleep is asked for them.
//! - `PRAGMA journal_mode = wal` answers the mode the database is in afterwards:
//!   the old one, with no error, through a VFS without shared memory
//!   (`sqlite3PagerWalSupported`) or inside a write transaction that changed
//!   something (`sqlite3PagerOkToChangeJournalMode`); an error inside any other
//!   transaction (vdbe.c, OP_JournalMode).

use locklab::clock::SystemClock;
use locklab::engine::thread;
use locklab::native::{Place, Vfs};
use locklab::scenario::Scenario;
use locklab::trace::EventKind;
use rusqlite::{Connection, ErrorCode};
use std::cell::Cell;
use std::sync::Arc;

thread_local! {
    /// How many times SQLite called this thread's counting busy handler.
    static BUSY_CALLS: Cell<u32> = const { Cell::new(0) };
}

/// A busy handler that counts its calls and never waits.
fn count_and_give_up(_attempt: i32) -> bool {
    BUSY_CALLS.with(|c| c.set(c.get() + 1));
    false
}

fn busy_calls() -> u32 {
    BUSY_CALLS.with(Cell::get)
}

/// A fresh database through `vfs` with a table `t` of one row, in `journal_mode`,
/// and two connections to it; the first counts its busy handler's calls.
fn two_connections(vfs: Vfs, journal_mode: &str) -> (Place, Connection, Connection) {
    let place = Place::new(vfs, &Scenario::default(), None).unwrap();
    let setup = place.open(&place.queue).unwrap();
    let mode: String = setup
        .query_row(&format!("PRAGMA journal_mode = {journal_mode}"), [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(mode, journal_mode, "{vfs:?}: the journal mode took");
    setup
        .execute_batch("CREATE TABLE t(x); INSERT INTO t VALUES (1);")
        .unwrap();
    let mut a = place.open(&place.queue).unwrap();
    a.busy_handler(Some(count_and_give_up)).unwrap();
    let b = place.open(&place.queue).unwrap();
    drop(setup);
    (place, a, b)
}

/// The extended result code of a failed statement.
fn extended_code(result: rusqlite::Result<usize>) -> i32 {
    match result {
        Err(rusqlite::Error::SqliteFailure(e, _)) => e.extended_code,
        other => panic!("expected an SQLite error, got {other:?}"),
    }
}

const SQLITE_BUSY: i32 = 5;
const SQLITE_BUSY_SNAPSHOT: i32 = 5 | (2 << 8);

/// In both journal kinds: refused with SQLITE_BUSY while B holds the write lock,
/// and (WAL) with SQLITE_BUSY_SNAPSHOT once B has committed; never through the
/// busy handler, which the same BEGIN IMMEDIATE with no transaction open asks.
#[test]
fn a_deferred_upgrade_is_refused_at_once_busy_then_in_wal_busy_snapshot() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        for journal_mode in ["wal", "delete"] {
            std::thread::spawn(move || {
                let label = format!("{vfs:?} {journal_mode}");
                let (_place, a, b) = two_connections(vfs, journal_mode);
                // A reads in a DEFERRED transaction: it holds a snapshot (WAL)
                // or SHARED (rollback journal).
                a.execute_batch("BEGIN DEFERRED").unwrap();
                let _: i64 = a
                    .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
                    .unwrap();
                // B takes the write lock and keeps it.
                b.execute_batch("BEGIN IMMEDIATE").unwrap();
                let before = busy_calls();
                let refused = extended_code(a.execute("UPDATE t SET x = x + 1", []));
                assert_eq!(refused, SQLITE_BUSY, "{label}: B holds the write lock now");
                assert_eq!(
                    busy_calls(),
                    before,
                    "{label}: no busy handler for an upgrade"
                );
                if journal_mode == "wal" {
                    // B commits: A's snapshot is now older than the database.
                    b.execute_batch("UPDATE t SET x = 10; COMMIT").unwrap();
                    let refused = extended_code(a.execute("UPDATE t SET x = x + 1", []));
                    assert_eq!(refused, SQLITE_BUSY_SNAPSHOT, "{label}: B committed since");
                    assert_eq!(busy_calls(), before, "{label}: still no busy handler");
                    b.execute_batch("BEGIN IMMEDIATE").unwrap();
                }
                // The transaction is still open: the refusal undid the statement only.
                assert!(!a.is_autocommit(), "{label}: A's transaction stays open");
                a.execute_batch("ROLLBACK").unwrap();
                // With no transaction open, the same connection's BEGIN IMMEDIATE
                // against a held write lock does call the busy handler.
                let refused = a.execute_batch("BEGIN IMMEDIATE").unwrap_err();
                assert_eq!(refused.sqlite_error_code(), Some(ErrorCode::DatabaseBusy));
                assert_eq!(
                    busy_calls(),
                    before + 1,
                    "{label}: the busy handler was asked"
                );
                b.execute_batch("COMMIT").unwrap();
            })
            .join()
            .unwrap();
        }
    }
}

#[test]
fn drop_table_while_another_statement_of_the_connection_reads_is_sqlite_locked() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        std::thread::spawn(move || {
            let (_place, a, _b) = two_connections(vfs, "wal");
            a.execute_batch("CREATE TABLE other(y); INSERT INTO t VALUES (2);")
                .unwrap();
            let before = busy_calls();
            let mut reading = a.prepare("SELECT x FROM t").unwrap();
            let mut rows = reading.query([]).unwrap();
            assert!(rows.next().unwrap().is_some(), "the SELECT is mid-way");
            // DROP TABLE of a table the SELECT does not read.
            let refused = a.execute_batch("DROP TABLE other").unwrap_err();
            assert_eq!(
                refused.sqlite_error_code(),
                Some(ErrorCode::DatabaseLocked),
                "{vfs:?}: {refused}"
            );
            assert_eq!(busy_calls(), before, "{vfs:?}: LOCKED never waits");
            drop(rows);
            a.execute_batch("DROP TABLE other").unwrap();
        })
        .join()
        .unwrap();
    }
}

/// A ROLLBACK leaves the connection's read statements reading, unless it undoes
/// a schema change: then it trips them, and their next step answers
/// SQLITE_ABORT_ROLLBACK (main.c, `sqlite3RollbackAll`).
#[test]
fn a_rollback_trips_the_connections_reads_only_when_it_undoes_a_schema_change() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        std::thread::spawn(move || {
            let (_place, a, _b) = two_connections(vfs, "wal");
            a.execute_batch("INSERT INTO t VALUES (2); INSERT INTO t VALUES (3);")
                .unwrap();
            for (change, tripped) in [
                ("INSERT INTO t VALUES (4)", false),
                ("CREATE TABLE u(z)", true),
            ] {
                let mut reading = a.prepare("SELECT x FROM t").unwrap();
                let mut rows = reading.query([]).unwrap();
                assert!(rows.next().unwrap().is_some(), "the SELECT is mid-way");
                a.execute_batch(&format!("BEGIN; {change}; ROLLBACK"))
                    .unwrap();
                match rows.next() {
                    Ok(row) => assert!(!tripped && row.is_some(), "{vfs:?} {change}: reads on"),
                    Err(e) => {
                        assert!(tripped, "{vfs:?} {change}: {e}");
                        assert_eq!(
                            e.sqlite_error().map(|e| e.extended_code),
                            Some(516),
                            "{vfs:?}: SQLITE_ABORT_ROLLBACK, {e}"
                        );
                    }
                }
            }
        })
        .join()
        .unwrap();
    }
}

#[test]
fn the_busy_handler_asks_the_vfs_to_sleep_1_2_5_10_15_20_25_ms_then_what_is_left() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        std::thread::spawn(move || {
            let (_place, a, b) = two_connections(vfs, "wal");
            // busy_timeout replaces the counting busy handler with SQLite's own.
            a.busy_timeout(std::time::Duration::from_millis(100))
                .unwrap();
            b.execute_batch("BEGIN IMMEDIATE").unwrap();
            thread::enter(0, Arc::new(SystemClock::starting_now()));
            let refused = a.execute_batch("BEGIN IMMEDIATE").unwrap_err();
            let events = thread::leave();
            assert_eq!(refused.sqlite_error_code(), Some(ErrorCode::DatabaseBusy));
            let asked_ms: Vec<u64> = events
                .iter()
                .filter_map(|e| match e.kind {
                    EventKind::BusyWait { requested_us, .. } => Some(requested_us / 1000),
                    _ => None,
                })
                .collect();
            // 1+2+5+10+15+20+25 = 78 ms; then the 22 ms left of the 100.
            assert_eq!(asked_ms, [1, 2, 5, 10, 15, 20, 25, 22], "{vfs:?}");
            b.execute_batch("COMMIT").unwrap();
        })
        .join()
        .unwrap();
    }
}

#[test]
fn journal_mode_wal_answers_the_old_mode_without_shared_memory_or_in_a_write_transaction() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let ask = |conn: &Connection| -> rusqlite::Result<String> {
            conn.query_row("PRAGMA journal_mode = wal", [], |r| r.get(0))
        };
        // No shared memory for WAL's index: the old mode, no error.
        let without = Scenario::from_value(&serde_json::json!({"shm": false})).unwrap();
        let place = Place::new(vfs, &without, None).unwrap();
        let conn = place.open(&place.queue).unwrap();
        assert_eq!(ask(&conn).unwrap(), "delete", "{vfs:?}: no shared memory");

        let place = Place::new(vfs, &Scenario::default(), None).unwrap();
        let conn = place.open(&place.queue).unwrap();
        conn.execute_batch("CREATE TABLE t(x)").unwrap();
        // Inside a write transaction that changed something: the old mode, no error.
        conn.execute_batch("BEGIN; INSERT INTO t VALUES (1);")
            .unwrap();
        assert_eq!(
            ask(&conn).unwrap(),
            "delete",
            "{vfs:?}: in a write transaction"
        );
        conn.execute_batch("COMMIT").unwrap();
        // Inside a transaction that changed nothing: an error.
        conn.execute_batch("BEGIN; SELECT count(*) FROM t;")
            .unwrap();
        let err = ask(&conn).unwrap_err();
        assert!(
            err.to_string()
                .contains("cannot change into wal mode from within a transaction"),
            "{vfs:?}: {err}"
        );
        conn.execute_batch("ROLLBACK").unwrap();
        // Outside any transaction, with shared memory: it takes.
        assert_eq!(ask(&conn).unwrap(), "wal", "{vfs:?}");
    }
}
