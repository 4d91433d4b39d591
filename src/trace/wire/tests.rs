//! Trace events through the wire format and back, and damaged bytes refused.

use super::*;
use crate::trace::samples::at;

/// One event of every kind, with edge values, and texts used twice.
fn every_kind() -> Vec<TraceEvent> {
    let sql = "UPDATE jobs SET status = 'DONE' WHERE id = ?1".to_string();
    vec![
        at(0, 0, EventKind::WorkerStart { role: Role::Reader }),
        at(
            1,
            3,
            EventKind::Begin {
                step: Step::Claim,
                sql: (&sql).into(),
            },
        ),
        at(
            2,
            3,
            EventKind::Statement {
                step: Step::Result,
                sql: (&sql).into(),
                dur_us: 300,
            },
        ),
        at(
            3,
            3,
            EventKind::Statement {
                step: Step::Read,
                sql: "SELECT 'é'".into(),
                dur_us: 0,
            },
        ),
        at(4, 3, EventKind::Commit { step: Step::Job }),
        at(
            5,
            3,
            EventKind::Rollback {
                step: Step::Heartbeat,
            },
        ),
        at(6, 7, EventKind::JobClaimed { job: -1 }),
        at(7, 7, EventKind::LostRace { job: i64::MAX }),
        at(
            7,
            7,
            EventKind::Plays {
                role: "incrementer".into(),
            },
        ),
        at(8, 7, EventKind::Heartbeat { job: i64::MIN }),
        at(
            9,
            7,
            EventKind::JobDone {
                job: 42,
                latency_us: u64::MAX,
            },
        ),
        at(
            10,
            1,
            EventKind::Lock {
                db: DbFile::Results,
                from: LockLevel::Pending,
                to: LockLevel::Exclusive,
            },
        ),
        at(
            11,
            1,
            EventKind::LockDenied {
                db: DbFile::Queue,
                held: LockLevel::Shared,
                wanted: LockLevel::Reserved,
                by: Some(0),
            },
        ),
        at(
            12,
            1,
            EventKind::LockDenied {
                db: DbFile::Queue,
                held: LockLevel::None,
                wanted: LockLevel::Shared,
                by: None,
            },
        ),
        at(
            13,
            2,
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot: 7,
                n: 1,
                exclusive: true,
                acquire: false,
                ok: true,
                by: None,
            },
        ),
        at(
            14,
            2,
            EventKind::ShmLock {
                db: DbFile::Results,
                slot: 0,
                n: 8,
                exclusive: false,
                acquire: true,
                ok: false,
                by: Some(3),
            },
        ),
        at(
            14,
            2,
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot: 3,
                n: 5,
                exclusive: true,
                acquire: true,
                ok: false,
                by: None,
            },
        ),
        at(
            15,
            2,
            EventKind::BusyWait {
                requested_us: 1000,
                dur_us: 1234,
            },
        ),
        at(
            16,
            2,
            EventKind::Sync {
                db: DbFile::Queue,
                file: FileRole::Wal,
            },
        ),
        at(
            17,
            2,
            EventKind::Sync {
                db: DbFile::Results,
                file: FileRole::Other,
            },
        ),
        at(
            17,
            3,
            EventKind::WriteBack {
                db: DbFile::Queue,
                file: FileRole::Wal,
                pages: 70_000,
                dur_us: 1_234_567,
            },
        ),
        at(
            18,
            9,
            EventKind::Error {
                step: Step::Open,
                sql: (&sql).into(),
                code: 5,
                extended: -517,
                name: "SQLITE_BUSY".into(),
                message: "database is locked".into(),
                after_us: 77,
            },
        ),
        at(19, 4, EventKind::WorkerKilled),
        at(
            20,
            5,
            EventKind::JobReclaimed {
                job: 3,
                from: Some(4),
            },
        ),
        at(
            21,
            5,
            EventKind::JobReclaimed {
                job: -3,
                from: None,
            },
        ),
        at(22, 5, EventKind::LeaseLost { job: i64::MAX }),
        at(
            22,
            6,
            EventKind::InterpreterWait {
                holder: Some(0),
                dur_us: 5_000_000,
            },
        ),
        at(
            22,
            7,
            EventKind::InterpreterWait {
                holder: None,
                dur_us: 0,
            },
        ),
        at(
            22,
            8,
            EventKind::WalGrew {
                db: DbFile::Results,
                bytes: u64::MAX,
            },
        ),
        at(22, 9, EventKind::WalRestarted { db: DbFile::Queue }),
        at(22, 10, EventKind::SharedCommit { others: u32::MAX }),
        at(
            23,
            6,
            EventKind::SqliteLog {
                code: 283,
                message: "recovered 4 pages from /locklab/queue.db-journal".into(),
            },
        ),
        at(
            24,
            6,
            EventKind::SqliteLog {
                code: -1,
                message: sql.clone(),
            },
        ),
        at(u64::MAX, u32::MAX, EventKind::WorkerEnd),
    ]
}

#[test]
fn the_samples_hold_one_event_of_every_tag() {
    let kinds: std::collections::HashSet<_> = every_kind()
        .iter()
        .map(|e| std::mem::discriminant(&e.kind))
        .collect();
    assert_eq!(kinds.len(), usize::from(WRITE_BACK) + 1);
}

#[test]
fn every_kind_of_event_comes_back_as_it_went() {
    let events = every_kind();
    assert_eq!(decode(&encode(&events)), Ok(events));
    assert_eq!(decode(&encode(&[])), Ok(Vec::new()));
}

#[test]
fn enum_codes_are_places_in_the_lists() {
    for (i, r) in ROLES.iter().enumerate() {
        assert_eq!(usize::from(role_code(*r)), i);
    }
    for (i, s) in STEPS.iter().enumerate() {
        assert_eq!(usize::from(step_code(*s)), i);
    }
    for (i, d) in DBS.iter().enumerate() {
        assert_eq!(usize::from(db_code(*d)), i);
    }
    for (i, f) in FILES.iter().enumerate() {
        assert_eq!(usize::from(file_code(*f)), i);
    }
    for (i, l) in LockLevel::ALL.iter().enumerate() {
        assert_eq!(*l as usize, i);
    }
}

#[test]
fn damaged_bytes_are_an_error_not_a_panic() {
    let bytes = encode(&every_kind());
    for cut in 0..bytes.len() {
        assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode(&longer).is_err());
    assert!(decode(&[1, 0, 0, 99]).is_err(), "unknown tag");
    // One interpreter wait whose holder is written as 2^63 (holder id + 1):
    // an id out of range, refused, not an overflow.
    let mut holder_past_i64 = vec![1, 0, 0, super::INTERPRETER_WAIT];
    holder_past_i64.extend([0x80; 9]);
    holder_past_i64.extend([0x01, 0]);
    assert!(decode(&holder_past_i64).is_err(), "holder 2^63");
}
