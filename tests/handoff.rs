//! Lock hand-offs on real contended runs, through both native VFSes and in both
//! kinds of journal: there are some, and each one is checked against a replay of
//! the trace written here, apart from `handoff` and `lock_holds`: the releaser
//! held the write lock until the release, the receiver got it at the grant after
//! a refusal of it, and nobody got it in between.

mod common;

use common::{assert_every_job_done_once, run_on};
use locklab::analysis::handoff::HandOffs;
use locklab::lock::{LockLevel, WAL_WRITE_SLOT};
use locklab::native::Vfs;
use locklab::trace::{DbFile, EventKind, TraceEvent, WorkerId};
use serde_json::json;
use std::collections::HashMap;

/// Each worker's holds of the write lock, `(from, to)`, replayed from the trace:
/// RESERVED or above, or the WAL write slot, on the queue database.
fn write_holds(events: &[TraceEvent]) -> HashMap<WorkerId, Vec<(u64, u64)>> {
    let mut state: HashMap<WorkerId, (LockLevel, bool, Option<u64>)> = HashMap::new();
    let mut holds: HashMap<WorkerId, Vec<(u64, u64)>> = HashMap::new();
    for e in events {
        let s = state.entry(e.worker).or_default();
        match &e.kind {
            EventKind::Lock {
                db: DbFile::Queue,
                to,
                ..
            } => s.0 = *to,
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot: WAL_WRITE_SLOT,
                exclusive: true,
                ok: true,
                acquire,
                ..
            } => s.1 = *acquire,
            EventKind::WorkerKilled => *s = (LockLevel::None, false, s.2),
            _ => {}
        }
        let writing = s.0 >= LockLevel::Reserved || s.1;
        match (s.2, writing) {
            (None, true) => s.2 = Some(e.t_us),
            (Some(since), false) => {
                holds.entry(e.worker).or_default().push((since, e.t_us));
                s.2 = None;
            }
            _ => {}
        }
    }
    holds
}

/// Whether `worker` was refused the write lock at `t_us`.
fn refused_at(events: &[TraceEvent], worker: WorkerId, t_us: u64) -> bool {
    events.iter().any(|e| {
        e.worker == worker
            && e.t_us == t_us
            && match &e.kind {
                EventKind::LockDenied {
                    db: DbFile::Queue,
                    wanted,
                    ..
                } => *wanted >= LockLevel::Reserved,
                EventKind::ShmLock {
                    db: DbFile::Queue,
                    slot,
                    exclusive: true,
                    acquire: true,
                    ok: false,
                    ..
                } => *slot == WAL_WRITE_SLOT,
                _ => false,
            }
    })
}

#[test]
fn hand_offs_of_spinning_workers_follow_refusals_and_nobody_comes_between() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        for journal_mode in ["delete", "wal"] {
            let run = run_on(
                vfs,
                json!({"workers": 3, "jobs": 300, "transaction": "short",
                    "begin": "immediate", "journal_mode": journal_mode,
                    "synchronous": "off", "busy_timeout_ms": 0, "retry_delay_ms": 0,
                    "work_ms": 0}),
            );
            assert_every_job_done_once(&run);
            let handoffs = HandOffs::from_events(&run.events).list();
            let label = format!("{vfs:?} {journal_mode}");
            assert!(!handoffs.is_empty(), "{label}: no hand-off");
            assert_eq!(
                run.report.lock_handoff_us.count,
                handoffs.len() as u64,
                "{label}"
            );
            let holds = write_holds(&run.events);
            let all: Vec<(u64, u64)> = holds.values().flatten().copied().collect();
            for h in &handoffs {
                assert_ne!(h.from, h.to, "{label}: {h:?}");
                assert!(
                    h.waiting_since_us <= h.released_us && h.released_us <= h.granted_us,
                    "{label}: {h:?}"
                );
                assert!(
                    refused_at(&run.events, h.to, h.waiting_since_us),
                    "{label}: no refusal at the start of the wait: {h:?}"
                );
                assert!(
                    holds[&h.from].iter().any(|&(_, to)| to == h.released_us),
                    "{label}: the releaser held no write lock until then: {h:?}"
                );
                assert!(
                    holds[&h.to].iter().any(|&(from, _)| from == h.granted_us),
                    "{label}: the receiver got no write lock then: {h:?}"
                );
                assert!(
                    !all.iter()
                        .any(|&(from, _)| h.released_us < from && from < h.granted_us),
                    "{label}: someone got the write lock in between: {h:?}"
                );
            }
            let max = handoffs.iter().map(|h| h.us()).max().unwrap_or(0) as f64;
            assert_eq!(run.report.lock_handoff_us.max, max, "{label}");
        }
    }
}
