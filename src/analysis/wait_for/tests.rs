//! Who blocks whom from hand-written traces: each case is events in, one line per
//! refusal out.

use super::*;
use crate::trace::samples::at;
use DbFile::{Queue, Results};
use LockLevel::{Exclusive, None as Unlocked, Pending, Reserved, Shared};

fn lock(db: DbFile, from: LockLevel, to: LockLevel) -> EventKind {
    EventKind::Lock { db, from, to }
}

fn refused(held: LockLevel, wanted: LockLevel, by: Option<WorkerId>) -> EventKind {
    EventKind::LockDenied {
        db: Queue,
        held,
        wanted,
        by,
    }
}

/// An shm lock on the queue: `+` takes, `-` releases; `x` exclusive, `s` shared;
/// `!` marks a refused request.
fn shm(slot: u8, n: u8, how: &str) -> EventKind {
    EventKind::ShmLock {
        db: Queue,
        slot,
        n,
        exclusive: how.contains('x'),
        acquire: how.contains('+'),
        ok: !how.contains('!'),
        by: None,
    }
}

fn wait(dur_us: u64) -> EventKind {
    EventKind::BusyWait {
        requested_us: dur_us,
        dur_us,
    }
}

/// A refusal in words: "w1 RESERVED at 150: w0 RESERVED since 100 (in the way
/// since 100)", then its waits.
fn line(r: &Refusal) -> String {
    let holder = match r.holder {
        Some(h) => format!(
            "w{} {} since {} (in the way since {})",
            h.worker,
            h.holding.name(),
            h.since_us,
            h.in_way_since_us
        ),
        None => "nobody".to_string(),
    };
    let waits = if r.waits > 0 {
        format!(", {} waits {} us", r.waits, r.wait_us)
    } else {
        String::new()
    };
    format!(
        "w{} {} at {}: {holder}{waits}",
        r.worker,
        r.wanted.name(),
        r.t_us
    )
}

fn refusals(events: &[TraceEvent]) -> Vec<String> {
    let mut w = WaitFor::from_events(events);
    w.finish();
    w.refusals().iter().map(line).collect()
}

#[test]
fn each_refusal_names_the_holder_in_the_way() {
    type Case = (&'static str, Vec<TraceEvent>, Vec<&'static str>);
    let cases: Vec<Case> = vec![
        (
            "a writer's RESERVED refuses another's",
            vec![
                at(50, 0, lock(Queue, Unlocked, Shared)),
                at(100, 0, lock(Queue, Shared, Reserved)),
                at(120, 1, lock(Queue, Unlocked, Shared)),
                at(150, 1, refused(Shared, Reserved, None)),
                at(300, 0, lock(Queue, Reserved, Unlocked)),
            ],
            vec!["w1 RESERVED at 150: w0 RESERVED since 100 (in the way since 100)"],
        ),
        (
            "in the way since the first level that refuses the request",
            vec![
                at(100, 0, lock(Queue, Unlocked, Shared)),
                at(110, 0, lock(Queue, Shared, Reserved)),
                at(200, 0, lock(Queue, Reserved, Pending)),
                at(210, 0, lock(Queue, Pending, Exclusive)),
                at(220, 1, refused(Unlocked, Shared, None)),
                at(230, 2, lock(Queue, Unlocked, Shared)),
                at(240, 2, refused(Shared, Reserved, None)),
                at(250, 0, lock(Queue, Exclusive, Unlocked)),
            ],
            vec![
                "w1 SHARED at 220: w0 EXCLUSIVE since 210 (in the way since 200)",
                "w2 RESERVED at 240: w0 EXCLUSIVE since 210 (in the way since 110)",
            ],
        ),
        (
            "a hold counts at its last moment and at its first",
            vec![
                at(0, 0, lock(Queue, Unlocked, Reserved)),
                at(300, 0, lock(Queue, Reserved, Unlocked)),
                at(300, 1, refused(Shared, Reserved, None)),
                at(400, 2, refused(Shared, Reserved, None)),
                at(400, 3, lock(Queue, Unlocked, Reserved)),
            ],
            vec![
                "w1 RESERVED at 300: w0 RESERVED since 0 (in the way since 0)",
                "w2 RESERVED at 400: w3 RESERVED since 400 (in the way since 400)",
            ],
        ),
        (
            "the VFS's word is taken where the trace bears it out",
            vec![
                at(0, 0, lock(Queue, Unlocked, Shared)),
                at(5, 2, lock(Queue, Unlocked, Shared)),
                at(10, 1, lock(Queue, Unlocked, Reserved)),
                at(20, 1, refused(Reserved, Exclusive, Some(2))),
                at(30, 1, refused(Reserved, Exclusive, Some(3))),
                at(40, 1, refused(Reserved, Exclusive, None)),
            ],
            vec![
                "w1 EXCLUSIVE at 20: w2 SHARED since 5 (in the way since 5)",
                "w1 EXCLUSIVE at 30: w0 SHARED since 0 (in the way since 0)",
                "w1 EXCLUSIVE at 40: w0 SHARED since 0 (in the way since 0)",
            ],
        ),
        (
            "a read mark refuses its own slot only, an exclusive slot every request",
            vec![
                at(0, 0, shm(3, 1, "+s")),
                at(0, 2, shm(4, 1, "+s")),
                at(10, 1, shm(4, 1, "+x!")),
                at(20, 1, shm(3, 1, "+s")),
                at(30, 0, shm(0, 1, "+x")),
                at(40, 1, shm(0, 1, "+x!")),
                at(41, 1, shm(0, 1, "+s!")),
                at(50, 2, shm(1, 1, "+s")),
                at(60, 1, shm(1, 1, "+s!")),
            ],
            vec![
                "w1 WAL_READ1 exclusive at 10: w2 WAL_READ1 shared since 0 (in the way since 0)",
                "w1 WAL_WRITE exclusive at 40: w0 WAL_WRITE exclusive since 30 (in the way since 30)",
                "w1 WAL_WRITE shared at 41: w0 WAL_WRITE exclusive since 30 (in the way since 30)",
                "w1 WAL_CKPT shared at 60: nobody",
            ],
        ),
        (
            "recovery asks for every slot but the write lock",
            vec![
                at(0, 2, shm(5, 1, "+s")),
                at(10, 0, shm(0, 1, "+x")),
                at(20, 0, shm(1, 7, "+x!")),
            ],
            vec![
                "w0 WAL_CKPT..WAL_READ4 exclusive at 20: w2 WAL_READ2 shared since 0 (in the way since 0)",
            ],
        ),
        (
            "a busy wait is counted for the refusal it follows, until the lock is had",
            vec![
                at(0, 0, lock(Queue, Unlocked, Reserved)),
                at(10, 1, lock(Queue, Unlocked, Shared)),
                at(20, 1, refused(Shared, Reserved, None)),
                at(21, 1, wait(1000)),
                at(1100, 1, refused(Shared, Reserved, None)),
                at(1101, 1, wait(2000)),
                at(2000, 0, lock(Queue, Reserved, Unlocked)),
                at(3200, 1, lock(Queue, Shared, Reserved)),
                at(3300, 1, wait(500)),
            ],
            vec![
                "w1 RESERVED at 20: w0 RESERVED since 0 (in the way since 0), 1 waits 1000 us",
                "w1 RESERVED at 1100: w0 RESERVED since 0 (in the way since 0), 1 waits 2000 us",
            ],
        ),
        (
            "a killed worker holds nothing after its death; databases are apart",
            vec![
                at(0, 0, lock(Results, Unlocked, Reserved)),
                at(5, 3, lock(Queue, Unlocked, Reserved)),
                at(10, 3, EventKind::WorkerKilled),
                at(20, 1, refused(Shared, Reserved, Some(3))),
            ],
            vec!["w1 RESERVED at 20: nobody"],
        ),
    ];
    for (name, events, expected) in cases {
        assert_eq!(refusals(&events), expected, "{name}");
    }
}

/// A little contended trace: two writers take turns with RESERVED and EXCLUSIVE
/// while a third is refused and waits, with statements around.
fn contended() -> Vec<TraceEvent> {
    let mut events = Vec::new();
    for round in 0..20u64 {
        let t = round * 1000;
        let (holder, other) = if round % 2 == 0 { (0, 2) } else { (2, 0) };
        events.push(at(t, holder, lock(Queue, Unlocked, Shared)));
        events.push(at(t + 10, holder, lock(Queue, Shared, Reserved)));
        events.push(at(t + 20, 1, lock(Queue, Unlocked, Shared)));
        events.push(at(t + 30, 1, refused(Shared, Reserved, Some(holder))));
        events.push(at(t + 31, 1, wait(100 + round)));
        events.push(at(t + 500, holder, lock(Queue, Reserved, Exclusive)));
        events.push(at(t + 550, other, refused(Unlocked, Shared, None)));
        events.push(at(t + 600, 1, refused(Shared, Reserved, Some(holder))));
        events.push(at(t + 601, 1, lock(Queue, Shared, Unlocked)));
        events.push(at(t + 900, holder, lock(Queue, Exclusive, Unlocked)));
        events.push(at(
            t + 905,
            holder,
            EventKind::Commit {
                step: crate::trace::Step::Claim,
            },
        ));
    }
    events.push(at(20_000, 0, EventKind::WorkerEnd));
    events.push(at(20_000, 1, EventKind::WorkerEnd));
    events.push(at(20_000, 2, EventKind::WorkerEnd));
    events
}

/// The events of each worker in its own order, sent in batches of `size` from
/// the workers in turn (a worker with nothing left is skipped).
fn in_batches(events: &[TraceEvent], size: usize, order: &[WorkerId]) -> Vec<TraceEvent> {
    let mut queues: BTreeMap<WorkerId, Vec<TraceEvent>> = BTreeMap::new();
    for e in events {
        queues.entry(e.worker).or_default().push(e.clone());
    }
    let mut out = Vec::new();
    while queues.values().any(|q| !q.is_empty()) {
        for w in order {
            let q = queues.entry(*w).or_default();
            let n = size.min(q.len());
            out.extend(q.drain(..n));
        }
    }
    out
}

#[test]
fn batches_in_any_interleaving_settle_as_the_whole_trace_does() {
    let events = contended();
    let mut sorted = events.clone();
    sorted.sort_by_key(|e| (e.t_us, e.worker));
    let whole = WaitFor::from_events(&sorted);
    assert!(whole.pending.is_empty(), "every worker ended: all settled");
    let expected: Vec<String> = whole.refusals().iter().map(line).collect();
    assert_eq!(expected.len(), 60);
    assert!(
        expected.iter().all(|l| !l.contains("nobody")),
        "{expected:?}"
    );
    for (size, order) in [(1, vec![0, 1, 2]), (3, vec![2, 1, 0]), (7, vec![1, 0, 2])] {
        let arrived = in_batches(&events, size, &order);
        let mut live = WaitFor::default();
        live.expect([0, 1, 2]);
        for e in &arrived {
            live.add(e);
        }
        let mut got: Vec<String> = live.refusals().iter().map(line).collect();
        let mut want = expected.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "batches of {size} from {order:?}");
        assert_eq!(live.matrix(), whole.matrix());
    }
}

#[test]
fn a_refusal_waits_for_the_other_workers_before_it_is_settled() {
    let mut w = WaitFor::default();
    w.add(&at(0, 0, lock(Queue, Unlocked, Reserved)));
    w.add(&at(5, 1, lock(Queue, Unlocked, Shared)));
    let Read::Refusal(id) = w.add(&at(10, 1, refused(Shared, Reserved, None))) else {
        panic!("a refusal");
    };
    assert!(
        !w.refusal(id).settled,
        "worker 0 may still record a moment before 10"
    );
    assert_eq!(w.holder(id).map(|h| h.worker), Some(0), "provisionally");
    w.add(&at(12, 0, lock(Queue, Reserved, Unlocked)));
    // (Refusals are settled every few events; here at once.)
    w.settle(false);
    assert!(w.refusal(id).settled);
    assert_eq!(w.refusal(id).holder.map(|h| h.worker), Some(0));
}

#[test]
fn the_matrix_counts_refusals_and_waits_by_the_worker_in_the_way() {
    let events = [
        at(0, 0, lock(Queue, Unlocked, Reserved)),
        at(10, 1, refused(Shared, Reserved, None)),
        at(11, 1, wait(100)),
        at(200, 1, refused(Shared, Reserved, None)),
        at(201, 1, wait(300)),
        at(
            600,
            1,
            EventKind::Rollback {
                step: crate::trace::Step::Claim,
            },
        ),
        at(700, 1, wait(50)),
        at(800, 0, lock(Queue, Reserved, Unlocked)),
        at(900, 2, refused(Unlocked, Shared, None)),
        at(1000, 0, EventKind::WorkerEnd),
        at(1000, 1, EventKind::WorkerEnd),
        at(1000, 2, EventKind::WorkerEnd),
    ];
    let m = WaitFor::from_events(&events).matrix();
    let row = |w| m.get(&w).cloned().unwrap_or_default();
    assert_eq!(
        row(1),
        vec![
            Blocked {
                by: Some(0),
                refusals: 2,
                waits: 2,
                wait_us: 400
            },
            Blocked {
                by: None,
                refusals: 0,
                waits: 1,
                wait_us: 50
            },
        ],
        "a wait after the rollback followed no refusal"
    );
    assert_eq!(
        row(2),
        vec![Blocked {
            by: None,
            refusals: 1,
            waits: 0,
            wait_us: 0
        }],
        "nobody held a lock then"
    );
}

#[test]
fn holds_no_refusal_can_ask_about_are_forgotten() {
    let mut w = WaitFor::default();
    for round in 0..5000u64 {
        let t = round * 100;
        for worker in 0..3 {
            w.add(&at(
                t + worker,
                worker as WorkerId,
                lock(Queue, Unlocked, Shared),
            ));
            w.add(&at(t + 10 + worker, worker as WorkerId, shm(3, 1, "+s")));
            w.add(&at(t + 20 + worker, worker as WorkerId, shm(3, 1, "-s")));
            w.add(&at(
                t + 30 + worker,
                worker as WorkerId,
                lock(Queue, Shared, Unlocked),
            ));
        }
    }
    let kept: usize = w.workers.iter().map(|(_, k)| k.history.kept()).sum();
    assert!(
        kept < 3 * 2 * FORGET_EVERY as usize,
        "{kept} holds kept of 30000"
    );
}

#[test]
fn a_late_batch_settles_the_backlog_a_few_hundred_refusals_at_a_time() {
    // Worker 0 holds RESERVED; worker 1 is refused 2,000 times while worker 2's
    // events stop at 0: nothing can be settled until worker 2's batch comes.
    let mut w = WaitFor::default();
    w.add(&at(0, 0, lock(Queue, Unlocked, Reserved)));
    w.add(&at(0, 2, lock(Queue, Unlocked, Shared)));
    for k in 1..=2000u64 {
        w.add(&at(k, 1, refused(Shared, Reserved, None)));
    }
    let settled = |w: &WaitFor| w.refusals().iter().filter(|r| r.settled).count();
    assert_eq!(settled(&w), 0);
    w.add(&at(5000, 0, lock(Queue, Reserved, Unlocked)));
    w.add(&at(5000, 2, lock(Queue, Shared, Unlocked)));
    w.settle(false);
    assert_eq!(
        settled(&w),
        MOST_SETTLED,
        "one attempt settles at most so many"
    );
    for k in 0..SETTLE_EVERY as u64 * 8 {
        w.add(&at(5001 + k, 2, lock(Queue, Unlocked, Shared)));
    }
    assert_eq!(settled(&w), 2000, "later attempts settle the rest");
    assert!(w
        .refusals()
        .iter()
        .all(|r| r.holder.map(|h| h.worker) == Some(0)));
}
