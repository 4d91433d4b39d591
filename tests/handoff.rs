//! Lock hand-offs on real contended runs, through both native VFSes and in both
//! kinds of journal: there are some, and they are exactly those a brute-force
//! search of a replay of the trace finds (written here, apart from `handoff` and
//! `lock_holds`, with none of their incremental merging); each one's releaser held
//! the write lock until the release, its receiver got it at the grant after a
//! refusal of it, and nobody got it in between.

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

/// The hand-offs a trace holds, found the slow and plain way from the replayed
/// holds: every grant and release of the write lock in time order (a release
/// before a grant of the same microsecond); where a grant to B comes right after
/// a release by A, B is not A, and B's first refusal of the write lock since its
/// own last hold came no later than the release, the lock went from A to B.
fn hand_offs_by_brute_force(events: &[TraceEvent]) -> Vec<(WorkerId, WorkerId, u64, u64)> {
    let holds = write_holds(events);
    // (time, 0 for a release and 1 for a grant, worker)
    let mut moments: Vec<(u64, u8, WorkerId)> = holds
        .iter()
        .flat_map(|(w, hs)| {
            hs.iter()
                .flat_map(move |&(from, to)| [(from, 1, *w), (to, 0, *w)])
        })
        .collect();
    moments.sort();
    let first_refusal_since = |worker: WorkerId, since: u64, until: u64| {
        events
            .iter()
            .filter(|e| e.worker == worker && since <= e.t_us && e.t_us <= until)
            .find(|e| refused_at(std::slice::from_ref(e), worker, e.t_us))
            .map(|e| e.t_us)
    };
    let mut found = Vec::new();
    for pair in moments.windows(2) {
        let [(released, 0, from), (granted, 1, to)] = [pair[0], pair[1]] else {
            continue;
        };
        if from == to {
            continue;
        }
        let last_held = holds[&to]
            .iter()
            .map(|&(_, end)| end)
            .filter(|&end| end <= granted)
            .max()
            .unwrap_or(0);
        if first_refusal_since(to, last_held, granted).is_some_and(|t| t <= released) {
            found.push((from, to, released, granted));
        }
    }
    found
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
            let mut listed: Vec<_> = handoffs
                .iter()
                .map(|h| (h.from, h.to, h.released_us, h.granted_us))
                .collect();
            listed.sort_by_key(|h| (h.3, h.2));
            let mut expected = hand_offs_by_brute_force(&run.events);
            expected.sort_by_key(|h| (h.3, h.2));
            assert_eq!(listed, expected, "{label}: every hand-off, and only those");
            let max = handoffs.iter().map(|h| h.us()).max().unwrap_or(0) as f64;
            assert_eq!(run.report.lock_handoff_us.max, max, "{label}");
        }
    }
}
