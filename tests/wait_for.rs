//! Who blocks whom on real runs, through both native VFSes: every refused lock
//! names a holder that held a lock refusing it at that moment, according to the
//! trace (checked event by event by a replay of the trace written here, apart
//! from `lock_holds` and `wait_for`); the shared VFS's own word (`by`) agrees;
//! and the wait-for matrix of the report sums to the refused locks and to the
//! busy wait.

mod common;

use common::run_on;
use locklab::analysis::wait_for::{Holding, Refusal, WaitFor, Wanted};
use locklab::lock::{LockLevel, SHM_SLOTS};
use locklab::native::{Run, Vfs};
use locklab::scenario::presets;
use locklab::trace::HOST_WORKER;
use locklab::trace::{DbFile, EventKind, TraceEvent, WorkerId};
use std::collections::HashMap;

/// A lock held from `from` to `to` (both included), by one worker on one file.
#[derive(Clone, Copy, Debug)]
struct Held {
    from: u64,
    to: u64,
    lock: Holding,
}

/// Every lock each worker held on each file, replayed from the trace.
fn replay(events: &[TraceEvent]) -> HashMap<(WorkerId, DbFile), Vec<Held>> {
    type Open = (LockLevel, u64, [Option<(bool, u64)>; SHM_SLOTS]);
    let mut open: HashMap<(WorkerId, DbFile), Open> = HashMap::new();
    let mut held: HashMap<(WorkerId, DbFile), Vec<Held>> = HashMap::new();
    let close = |held: &mut HashMap<_, Vec<Held>>, key, o: &mut Open, t: u64| {
        if o.0 != LockLevel::None {
            held.entry(key).or_default().push(Held {
                from: o.1,
                to: t,
                lock: Holding::Level(o.0),
            });
        }
        for (slot, s) in o.2.iter_mut().enumerate() {
            if let Some((exclusive, since)) = s.take() {
                held.entry(key).or_default().push(Held {
                    from: since,
                    to: t,
                    lock: Holding::Shm {
                        slot: slot as u8,
                        exclusive,
                    },
                });
            }
        }
        o.0 = LockLevel::None;
    };
    for e in events {
        let w = e.worker;
        match &e.kind {
            EventKind::Lock { db, to, .. } => {
                let o = open.entry((w, *db)).or_default();
                if *to != o.0 {
                    if o.0 != LockLevel::None {
                        held.entry((w, *db)).or_default().push(Held {
                            from: o.1,
                            to: e.t_us,
                            lock: Holding::Level(o.0),
                        });
                    }
                    *o = (*to, e.t_us, o.2);
                }
            }
            EventKind::ShmLock {
                db,
                slot,
                n,
                exclusive,
                acquire,
                ok: true,
                ..
            } => {
                let o = open.entry((w, *db)).or_default();
                for s in *slot..(*slot + *n).min(SHM_SLOTS as u8) {
                    let cell = &mut o.2[usize::from(s)];
                    match (*acquire, *cell) {
                        (true, None) => *cell = Some((*exclusive, e.t_us)),
                        (true, Some((x, since))) => *cell = Some((x || *exclusive, since)),
                        (false, Some((x, since))) => {
                            held.entry((w, *db)).or_default().push(Held {
                                from: since,
                                to: e.t_us,
                                lock: Holding::Shm {
                                    slot: s,
                                    exclusive: x,
                                },
                            });
                            *cell = None;
                        }
                        (false, None) => {}
                    }
                }
            }
            EventKind::WorkerKilled => {
                for db in [DbFile::Queue, DbFile::Results] {
                    if let Some(o) = open.get_mut(&(w, db)) {
                        close(&mut held, (w, db), o, e.t_us);
                    }
                }
            }
            _ => {}
        }
    }
    for (key, o) in &mut open {
        close(&mut held, *key, o, u64::MAX);
    }
    held
}

/// Whether a lock held refuses a request of another connection: SQLite's unix
/// VFS rules, written out again here.
fn refuses(lock: Holding, wanted: Wanted) -> bool {
    use LockLevel::*;
    match (lock, wanted) {
        (Holding::Level(held), Wanted::Level(w)) => match w {
            Shared => held == Pending || held == Exclusive,
            Reserved => held != None && held != Shared,
            Pending | Exclusive => held != None,
            None => false,
        },
        (
            Holding::Shm { slot, exclusive },
            Wanted::Shm {
                slot: first,
                n,
                exclusive: wants_exclusive,
            },
        ) => slot >= first && slot < first + n && (exclusive || wants_exclusive),
        _ => false,
    }
}

/// Whether `worker` held a lock refusing `r` at its moment, by the replay.
fn held_in_the_way(
    held: &HashMap<(WorkerId, DbFile), Vec<Held>>,
    worker: WorkerId,
    r: &Refusal,
) -> bool {
    worker != r.worker
        && held.get(&(worker, r.db)).is_some_and(|spans| {
            spans
                .iter()
                .any(|h| h.from <= r.t_us && r.t_us <= h.to && refuses(h.lock, r.wanted))
        })
}

fn run_preset(vfs: Vfs, name: &str) -> Run {
    let preset = presets::find(name).expect("a preset");
    run_on(vfs, preset.scenario)
}

/// The checks every run gets; returns the refusals, of which those that name
/// nobody were refused by no worker of the trace either (the host's own
/// connection, which records nothing, can be in the way).
fn check_every_refusal(run: &Run, vfs: Vfs) -> Vec<Refusal> {
    let mut wait_for = WaitFor::from_events(&run.events);
    wait_for.finish();
    let held = replay(&run.events);
    let refusals = wait_for.refusals();
    let recorded = run
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::LockDenied { .. }
                    | EventKind::ShmLock {
                        acquire: true,
                        ok: false,
                        ..
                    }
            )
        })
        .count();
    assert_eq!(refusals.len(), recorded, "one refusal per refused lock");
    let workers: Vec<WorkerId> = run.report.workers.iter().map(|w| w.id).collect();
    for r in refusals {
        assert!(r.settled);
        match r.holder {
            Some(holder) => assert!(
                held_in_the_way(&held, holder.worker, r),
                "{vfs:?}: {r:?} names worker {} which the trace does not show in the way",
                holder.worker
            ),
            None => assert!(
                !workers.iter().any(|w| held_in_the_way(&held, *w, r)),
                "{vfs:?}: {r:?} names nobody, but a worker was in the way"
            ),
        }
        match (vfs, r.by) {
            // The host's connection records nothing: the trace can neither bear
            // it out nor deny it (another worker may be in the way as well).
            (Vfs::Shared, Some(HOST_WORKER)) => {}
            (Vfs::Shared, Some(by)) => assert!(
                held_in_the_way(&held, by, r) && r.agrees(),
                "the shared VFS named worker {by} for {r:?}, which the trace does not show in the way"
            ),
            (Vfs::Shared, None) => panic!("the shared VFS names the holder: {r:?}"),
            (_, by) => assert_eq!(by, None, "the unix VFS cannot know the holder"),
        }
    }
    // The report's matrix reconciles with the refusals and the busy wait.
    let report = &run.report;
    let mut refused = 0;
    for w in &report.workers {
        let row: u64 = w.blocked_by.iter().map(|b| b.refusals).sum();
        let wait: f64 = w.blocked_by.iter().map(|b| b.wait_ms).sum();
        assert_eq!(row, w.refused_locks, "worker {}: {:?}", w.id, w.blocked_by);
        assert!(
            (wait - w.busy_wait_ms).abs() < 1e-6,
            "worker {}: {wait} ms in the matrix, {} ms of busy wait",
            w.id,
            w.busy_wait_ms
        );
        assert!(w.blocked_by.iter().all(|b| b.by != Some(w.id)));
        refused += row;
    }
    assert_eq!(refused as usize, recorded);
    assert_eq!(report.refused_locks as usize, recorded);
    refusals.to_vec()
}

#[test]
fn in_the_wall_of_red_every_refused_lock_names_a_holder_in_the_way() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let run = run_preset(vfs, "wall-of-red");
        let refusals = check_every_refusal(&run, vfs);
        assert!(
            refusals.iter().all(|r| r.holder.is_some()),
            "{vfs:?}: each names a holder"
        );
        let n = refusals.len();
        assert!(n >= 50, "{vfs:?}: a wall of red has refusals, got {n}");
        let busy: u64 = run.report.errors.values().sum();
        assert!(n as u64 >= busy, "every SQLITE_BUSY follows a refusal");
        // No busy_timeout: nobody waits, and nobody is unknown.
        for w in &run.report.workers {
            assert!(
                w.blocked_by.iter().all(|b| b.by.is_some()),
                "{:?}",
                w.blocked_by
            );
        }
    }
}

#[test]
fn busy_waits_are_counted_for_the_worker_they_wait_for() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let run = run_preset(vfs, "busy-timeout");
        check_every_refusal(&run, vfs);
        let waited: f64 = run
            .report
            .workers
            .iter()
            .flat_map(|w| &w.blocked_by)
            .filter(|b| b.by.is_some())
            .map(|b| b.wait_ms)
            .sum();
        assert!(
            waited > 0.9 * run.report.busy_wait_ms && run.report.busy_wait_ms > 10.0,
            "{vfs:?}: {waited} of {} ms of busy wait were for a known holder",
            run.report.busy_wait_ms
        );
    }
}

#[test]
fn a_wal_run_names_who_holds_a_wal_slot_in_the_way() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let run = run_preset(vfs, "wal-one-writer");
        let refusals = check_every_refusal(&run, vfs);
        let slots: Vec<&Refusal> = refusals
            .iter()
            .filter(|r| matches!(r.wanted, Wanted::Shm { .. }))
            .collect();
        assert!(
            slots.iter().any(|r| matches!(
                r.holder.map(|h| h.holding),
                Some(Holding::Shm {
                    slot: 0,
                    exclusive: true
                })
            )),
            "{vfs:?}: WAL's write lock is refused, and its holder named"
        );
        assert!(slots.iter().all(|r| r.holder.is_some()), "{vfs:?}");
        // A connection that closes asks for EXCLUSIVE to see whether it is the
        // last; the host's connection, open until the audit, refuses the last.
        for r in refusals.iter().filter(|r| r.holder.is_none()) {
            assert_eq!(
                r.wanted,
                Wanted::Level(LockLevel::Exclusive),
                "{vfs:?}: {r:?}"
            );
        }
    }
}
