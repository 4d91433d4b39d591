//! The timeline model against small traces written by hand.

use super::*;
use crate::trace::samples::{at, busy, lock};

fn write_then_wait() -> Vec<TraceEvent> {
    use LockLevel::*;
    vec![
        at(0, 0, EventKind::WorkerStart { role: Role::Writer }),
        at(0, 0, lock(None, Shared)),
        at(100, 0, lock(Shared, Reserved)),
        at(200, 0, lock(Reserved, Exclusive)),
        at(300, 0, lock(Exclusive, None)),
        at(0, 1, EventKind::WorkerStart { role: Role::Reader }),
        at(
            0,
            1,
            EventKind::BusyWait {
                requested_us: 100,
                dur_us: 150,
            },
        ),
        at(350, 1, busy(0)),
    ]
}

#[test]
fn each_column_shows_the_strongest_state_that_touched_it() {
    let t = Timeline::from_events(&write_then_wait());
    let view = View::new(0, 399, 4);
    let lanes: Vec<&Lane> = t.lanes().collect();
    use Cell::*;
    assert_eq!(
        lanes[0].cells(&view, 399),
        vec![Shared, Reserved, Exclusive, Exclusive]
    );
    assert_eq!(
        lanes[1].cells(&view, 399),
        vec![BusyWait, BusyWait, Idle, Idle]
    );
    assert_eq!(lanes[1].marks(&view).len(), 1, "the error is a mark");
    // A window shows only its part of the run.
    let zoomed = View::new(200, 299, 2);
    assert_eq!(lanes[0].cells(&zoomed, 399), vec![Exclusive, Exclusive]);
    assert_eq!(lanes[1].cells(&zoomed, 399), vec![Idle, Idle]);
    assert!(lanes[1].marks(&zoomed).is_empty());
}

#[test]
fn a_lock_still_held_counts_until_now() {
    let events = [at(0, 0, lock(LockLevel::None, LockLevel::Reserved))];
    let t = Timeline::from_events(&events);
    let lane = t.lane(0).unwrap();
    let view = View::new(0, 99, 10);
    assert_eq!(lane.cells(&view, 49)[4], Cell::Reserved);
    assert_eq!(lane.cells(&view, 49)[6], Cell::Idle, "not beyond now");
}

#[test]
fn a_killed_workers_lock_ends_where_it_died() {
    let events = [
        at(0, 0, lock(LockLevel::None, LockLevel::Reserved)),
        at(30, 0, EventKind::WorkerKilled),
    ];
    let t = Timeline::from_events(&events);
    let cells = t.lane(0).unwrap().cells(&View::new(0, 99, 10), 99);
    assert_eq!(cells[2], Cell::Reserved);
    assert_eq!(cells[4], Cell::Idle, "the host released it");
}

#[test]
fn wal_locks_are_spans_of_their_own() {
    let shm = |slot, acquire| EventKind::ShmLock {
        db: DbFile::Queue,
        slot,
        n: 1,
        exclusive: slot == 0,
        acquire,
        ok: true,
        by: None,
    };
    let events = [
        at(0, 0, lock(LockLevel::None, LockLevel::Shared)),
        at(10, 0, shm(3, true)),
        at(40, 0, shm(0, true)),
        at(60, 0, shm(0, false)),
        at(80, 0, shm(3, false)),
    ];
    let t = Timeline::from_events(&events);
    let cells = t.lane(0).unwrap().cells(&View::new(0, 99, 10), 99);
    use Cell::*;
    assert_eq!(
        cells,
        vec![
            Shared, WalRead, WalRead, WalRead, WalWrite, WalWrite, WalWrite, WalRead, WalRead,
            Shared
        ]
    );
}

#[test]
fn events_read_in_batches_make_the_same_timeline_as_all_at_once() {
    let events = write_then_wait();
    let whole = Timeline::from_events(&events);
    let mut batched = Timeline::default();
    // Worker 1's events first, then worker 0's: batches from different workers
    // interleave in any order.
    let (w0, w1): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| e.worker == 0);
    batched.extend(&w1);
    batched.extend(&w0[..2]);
    batched.extend(&w0[2..]);
    let view = View::new(0, 399, 40);
    for (a, b) in whole.lanes().zip(batched.lanes()) {
        assert_eq!(a.cells(&view, 399), b.cells(&view, 399));
        assert_eq!(a.marks(&view), b.marks(&view));
    }
    assert_eq!((whole.events(), whole.last_us()), (8, 350));
}

#[test]
fn details_name_the_state_the_transaction_the_statement_and_the_error() {
    let events = [
        at(0, 0, EventKind::WorkerStart { role: Role::Writer }),
        at(
            1000,
            0,
            EventKind::Begin {
                step: Step::Claim,
                sql: "BEGIN IMMEDIATE".into(),
            },
        ),
        at(1000, 0, lock(LockLevel::None, LockLevel::Reserved)),
        at(
            1200,
            0,
            EventKind::Statement {
                step: Step::Claim,
                sql: "UPDATE jobs SET state = 'RUNNING'".into(),
                dur_us: 300,
            },
        ),
        at(1400, 0, busy(250)),
        at(1600, 0, EventKind::Rollback { step: Step::Claim }),
        at(1600, 0, lock(LockLevel::Reserved, LockLevel::None)),
    ];
    let t = Timeline::from_events(&events);
    let lines = t.details(0, (1300, 1300), 200, 2000);
    assert_eq!(lines[0], "worker 0 at 1.30 ms");
    assert!(
        lines[1].starts_with("RESERVED from 1.00 ms to 1.60 ms: the one writer"),
        "{lines:?}"
    );
    assert_eq!(
        lines[2],
        "transaction (claim): BEGIN IMMEDIATE at 1.00 ms, rolled back at 1.60 ms"
    );
    assert_eq!(
        lines[3],
        "statement (claim) from 1.20 ms to 1.50 ms: UPDATE jobs SET state = 'RUNNING'"
    );
    assert_eq!(
        lines[4],
        "SQLITE_BUSY at 1.40 ms in claim: `BEGIN IMMEDIATE` failed after 0.25 ms: database is locked"
    );
    assert_eq!(
        t.details(0, (1300, 1300), 50, 2000).len(),
        4,
        "the error is out of reach"
    );
    assert!(t.details(7, (0, 0), 0, 0).is_empty(), "no such lane");
}

#[test]
fn the_keyboard_steps_from_element_to_element() {
    let t = Timeline::from_events(&write_then_wait());
    let lane = t.lane(0).unwrap();
    assert_eq!(lane.next_element(0, true), Some(100));
    assert_eq!(lane.next_element(100, true), Some(200));
    assert_eq!(
        lane.next_element(200, true),
        None,
        "nothing starts after EXCLUSIVE"
    );
    assert_eq!(lane.next_element(200, false), Some(100));
    assert_eq!(lane.next_element(0, false), None);
    assert_eq!(
        t.lane(1).unwrap().next_element(0, true),
        Some(350),
        "the error"
    );
}

#[test]
fn error_kinds_follow_the_extended_code() {
    assert_eq!(ErrorKind::of(5), ErrorKind::Busy);
    assert_eq!(ErrorKind::of(517), ErrorKind::BusySnapshot);
    assert_eq!(ErrorKind::of(261), ErrorKind::Busy, "BUSY_RECOVERY");
    assert_eq!(ErrorKind::of(6), ErrorKind::Locked);
    assert_eq!(ErrorKind::of(11), ErrorKind::Other);
}

#[test]
fn a_view_maps_time_to_columns_and_back() {
    let v = View::new(1000, 1999, 10);
    assert_eq!(
        (v.column(0), v.column(1000), v.column(1999), v.column(5000)),
        (0, 0, 9, 9)
    );
    assert_eq!(v.time_at(5), 1500);
    for width in [7, 100, 883] {
        let v = View::new(0, 652_123, width);
        for c in 0..width {
            assert_eq!(v.column(v.time_at(c)), c, "column {c} of {width}");
            assert_eq!(v.column(v.time_at(c + 1) - 1), c);
        }
    }
    assert_eq!(v.us_per_column(), 99);
}

#[test]
fn zoom_keeps_the_time_under_the_pointer_and_stays_inside_the_run() {
    assert_eq!(zoom((0, 1000), 500, 0.5, 1000), (250, 750));
    assert_eq!(zoom((0, 1000), 0, 0.5, 1000), (0, 500));
    assert_eq!(
        zoom((250, 750), 500, 4.0, 1000),
        (0, 1000),
        "never wider than the run"
    );
    let (s, e) = zoom((0, 300), 100, 0.1, 1000);
    assert_eq!(e - s, MIN_WINDOW_US);
    assert_eq!(pan((0, 100), -50, 1000), (0, 100));
    assert_eq!(pan((0, 100), 950, 1000), (900, 1000));
}

/// Worker 0 takes the write lock in an UPDATE and works in its transaction;
/// worker 1 is refused RESERVED twice (once in the UPDATE, once while worker 0
/// works), waiting in the busy handler after the first; reader 2 is refused
/// nothing.
fn blocked() -> Vec<TraceEvent> {
    use LockLevel::*;
    let refused = |held| EventKind::LockDenied {
        db: DbFile::Queue,
        held,
        wanted: Reserved,
        by: Option::None,
    };
    vec![
        at(0, 0, EventKind::WorkerStart { role: Role::Writer }),
        at(0, 1, EventKind::WorkerStart { role: Role::Writer }),
        at(0, 2, EventKind::WorkerStart { role: Role::Reader }),
        at(
            10,
            0,
            EventKind::Begin {
                step: Step::Job,
                sql: "BEGIN DEFERRED".into(),
            },
        ),
        at(20, 0, lock(None, Shared)),
        at(40, 0, lock(Shared, Reserved)),
        at(
            20,
            0,
            EventKind::Statement {
                step: Step::Job,
                sql: "UPDATE jobs SET status = 'RUNNING'".into(),
                dur_us: 40,
            },
        ),
        at(50, 1, lock(None, Shared)),
        at(55, 1, refused(Shared)),
        at(
            55,
            1,
            EventKind::BusyWait {
                requested_us: 1000,
                dur_us: 1000,
            },
        ),
        at(2000, 1, refused(Shared)),
        at(2001, 1, busy(1950)),
        at(2001, 1, lock(Shared, None)),
        at(3000, 0, lock(Reserved, None)),
        at(3000, 0, EventKind::Commit { step: Step::Job }),
        at(3001, 0, EventKind::WorkerEnd),
        at(3001, 1, EventKind::WorkerEnd),
        at(3001, 2, EventKind::WorkerEnd),
    ]
}

#[test]
fn a_refusal_says_who_held_the_lock_in_the_way_and_what_it_was_doing() {
    let t = Timeline::from_events(&blocked());
    let near = t.refusals_near(1, 0, 3000);
    assert_eq!(near.len(), 2);
    let sentences: Vec<String> = near.iter().map(|id| t.refusal_sentence(*id)).collect();
    assert_eq!(
        sentences,
        [
            "worker 1 asked for RESERVED at 2.00 ms; worker 0 holds RESERVED since 0.04 ms, \
             between statements of its transaction (whole job: BEGIN DEFERRED at 0.01 ms)",
            "worker 1 asked for RESERVED at 0.06 ms; worker 0 holds RESERVED since 0.04 ms, \
             in `UPDATE jobs SET status = 'RUNNING'`",
        ]
    );
    // Pointing at the refusal, or at the busy wait after it, says the same.
    let at_refusal = t.details(1, (55, 55), 5, 3001);
    assert!(at_refusal.contains(&sentences[1]), "{at_refusal:?}");
    let waiting = t.details(1, (500, 500), 0, 3001).join("\n");
    assert!(
        waiting.contains("busy wait from 0.06 ms to 1.05 ms")
            && waiting
                .contains("; waits for worker 0 (refused RESERVED at 0.06 ms: worker 0 holds"),
        "{waiting}"
    );
}

#[test]
fn edges_go_from_a_refusal_to_its_holders_lane_and_thin_out_when_crowded() {
    let t = Timeline::from_events(&blocked());
    let view = View::new(0, 3001, 300);
    assert_eq!(t.refusals_in(&view), 2);
    let edges = t.edges(&view, None, 10);
    assert_eq!(
        edges
            .iter()
            .map(|e| (e.lane, e.t_us, e.holder_lane))
            .collect::<Vec<_>>(),
        [(1, 55, Some(0)), (1, 2000, Some(0))]
    );
    assert!(
        t.edges(&view, None, 1).is_empty(),
        "crowded, and no lane in focus"
    );
    assert_eq!(
        t.edges(&view, Some(0), 1).len(),
        2,
        "edges into the lane in focus"
    );
    assert_eq!(
        t.edges(&view, Some(1), 1).len(),
        2,
        "edges out of the lane in focus"
    );
    assert!(
        t.edges(&view, Some(2), 1).is_empty(),
        "the reader neither waits nor blocks"
    );
    let labels = t.wait_labels(&view, 10);
    assert_eq!(labels, [(1, 55, 1055, "worker 0".to_string())]);
    assert!(t.wait_labels(&view, 200).is_empty(), "not wide enough");
    // The keyboard stops at a refusal too (the second has no other element).
    assert_eq!(t.lane(1).unwrap().next_element(1500, true), Some(2000));
}

#[test]
fn a_moment_lists_what_every_lane_holds_and_whom_a_wait_waits_for() {
    let t = Timeline::from_events(&blocked());
    assert_eq!(
        t.moment(30),
        [
            "worker 0: SHARED (reading), running `UPDATE jobs SET status = 'RUNNING'`",
            "worker 1: no lock",
            "reader 2: no lock",
        ]
    );
    assert_eq!(
        t.moment(500),
        [
            "worker 0: RESERVED (writing, others may read), between statements of its \
             transaction (whole job)",
            "worker 1: busy wait for RESERVED, which worker 0 holds",
            "reader 2: no lock",
        ]
    );
}

/// `jobs` jobs of worker 0, one every 10 ms, each a transaction holding WAL's
/// write lock around a statement; worker 1 refused that lock once per job, and
/// waits.
fn many_jobs(jobs: u64) -> Vec<TraceEvent> {
    let shm = |acquire, ok| EventKind::ShmLock {
        db: DbFile::Queue,
        slot: 0,
        n: 1,
        exclusive: true,
        acquire,
        ok,
        by: None,
    };
    let mut events = vec![at(0, 0, EventKind::WorkerStart { role: Role::Writer })];
    for job in 0..jobs as i64 {
        let t = job as u64 * 10_000;
        events.extend([
            at(
                t,
                0,
                EventKind::Begin {
                    step: Step::Claim,
                    sql: "BEGIN IMMEDIATE".into(),
                },
            ),
            at(t + 1_000, 0, shm(true, true)),
            at(t + 1_500, 1, shm(true, false)),
            at(
                t + 1_600,
                1,
                EventKind::BusyWait {
                    requested_us: 1_000,
                    dur_us: 1_000,
                },
            ),
            at(
                t + 1_000,
                0,
                EventKind::Statement {
                    step: Step::Claim,
                    sql: "UPDATE jobs".into(),
                    dur_us: 2_000,
                },
            ),
            at(t + 3_000, 0, EventKind::JobClaimed { job }),
            at(t + 4_000, 0, EventKind::Commit { step: Step::Claim }),
            at(t + 4_000, 0, shm(false, true)),
        ]);
        if job % 10 == 9 {
            events.push(at(t + 5_000, 1, busy(10)));
        }
    }
    events
}

/// Far from the run, a column shows what its buckets say: the same as the
/// spans it covers, read at a bucket a column.
#[test]
fn far_away_the_buckets_show_what_the_spans_show() {
    let events = many_jobs(10);
    let t = Timeline::from_events(&events);
    let far = View::new(0, 99_999, 10); // 10 ms a column: read from the buckets
    let near = View::new(0, 99_999, 100); // under 1 ms a column: read from the spans
    for lane in t.lanes() {
        let (fine, coarse) = (lane.cells(&near, 100_000), lane.cells(&far, 100_000));
        let folded: Vec<Cell> = fine.chunks(10).map(|c| *c.iter().max().unwrap()).collect();
        assert_eq!(coarse, folded, "{}", lane.name());
        let (tx_fine, tx_coarse) = (
            lane.transactions(&near, 100_000),
            lane.transactions(&far, 100_000),
        );
        let folded: Vec<_> = tx_fine
            .chunks(10)
            .map(|c| *c.iter().max().unwrap())
            .collect();
        assert_eq!(tx_coarse, folded);
        let (jobs, errors) = lane.mark_columns(&far);
        let (fine_jobs, fine_errors) = lane.mark_columns(&near);
        let fold = |xs: Vec<Option<bool>>| -> Vec<_> {
            xs.chunks(10).map(|c| *c.iter().max().unwrap()).collect()
        };
        assert_eq!(jobs, fold(fine_jobs));
        let folded: Vec<_> = fine_errors
            .chunks(10)
            .map(|c| *c.iter().max().unwrap())
            .collect();
        assert_eq!(errors, folded);
    }
    assert!(t
        .lane(0)
        .unwrap()
        .cells(&far, 100_000)
        .contains(&Cell::WalWrite));
    assert!(t
        .lane(1)
        .unwrap()
        .cells(&far, 100_000)
        .contains(&Cell::BusyWait));
}

/// Past its detail budget a timeline keeps every lock span, wait, refusal and
/// error, and counts (in its buckets and in `dropped`) the statements,
/// transactions and job ticks it no longer keeps one by one.
#[test]
fn past_its_budget_a_timeline_keeps_the_locks_and_counts_the_rest() {
    let events = many_jobs(100);
    let full = Timeline::from_events(&events);
    let mut budgeted = Timeline::default().with_detail_budget(90);
    budgeted.extend(&events);
    assert_eq!(full.dropped, Dropped::default());
    let d = budgeted.dropped;
    // 1 start, then 8 events a job and an error every tenth: 90 events are
    // jobs 0 to 10; the budget runs out at job 11, after job 10's last lock.
    assert_eq!(d.since_us, Some(104_000));
    assert_eq!((d.statements, d.transactions, d.ticks), (89, 89, 89));
    let (f, b) = (full.lane(0).unwrap(), budgeted.lane(0).unwrap());
    assert_eq!(
        b.statements.len() as u64 + d.statements,
        f.statements.len() as u64
    );
    assert_eq!(b.txs.len() as u64 + d.transactions, f.txs.len() as u64);
    assert_eq!(b.wal_write, f.wal_write, "every write-lock span is kept");
    let (f1, b1) = (full.lane(1).unwrap(), budgeted.lane(1).unwrap());
    assert_eq!(
        (b1.waits.len(), b1.refusals.len()),
        (f1.waits.len(), f1.refusals.len())
    );
    assert_eq!(b1.marks.len(), 10, "every error is kept");
    for view in [View::new(0, 999_999, 100), View::new(500_000, 520_000, 40)] {
        for (f, b) in full.lanes().zip(budgeted.lanes()) {
            assert_eq!(f.cells(&view, 1_000_000), b.cells(&view, 1_000_000));
        }
    }
    // From far away the run looks the same: the buckets counted everything.
    let far = View::new(0, 999_999, 100);
    assert_eq!(
        f.transactions(&far, 1_000_000),
        b.transactions(&far, 1_000_000)
    );
    assert_eq!(f.mark_columns(&far), b.mark_columns(&far));
}

/// What is still open at the end of the trace, a transaction and the lock it
/// took, is drawn until the run's time so far, from near (the spans) and from
/// far (the buckets) alike, and not beyond.
#[test]
fn an_open_transaction_and_its_lock_are_drawn_until_now_near_and_far() {
    let mut events = many_jobs(10);
    events.push(at(
        100_500,
        0,
        EventKind::Begin {
            step: Step::Claim,
            sql: "BEGIN IMMEDIATE".into(),
        },
    ));
    events.push(at(100_600, 0, lock(LockLevel::None, LockLevel::Reserved)));
    let t = Timeline::from_events(&events);
    let lane = t.lane(0).unwrap();
    for view in [View::new(0, 199_999, 20), View::new(100_000, 119_999, 200)] {
        let rows = lane.rows(&view, 110_000);
        let column = |t_us| view.column(t_us);
        assert_eq!(rows.txs[column(105_000)], Some(TxEnd::Open), "{view:?}");
        assert_eq!(rows.cells[column(105_000)], Cell::Reserved, "{view:?}");
        assert_eq!(rows.txs[column(125_000)], None, "not beyond now: {view:?}");
        assert_eq!(rows.cells[column(125_000)], Cell::Idle, "{view:?}");
    }
}
