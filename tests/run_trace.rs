//! A run's trace kept within a budget, as the page keeps it, against the same
//! run's whole trace: a real run through the shared VFS, its events read in
//! batches per worker, interleaved as the workers' posts arrive at the page.

mod common;

use locklab::analysis::metrics::{Metrics, Tally};
use locklab::native::Vfs;
use locklab::run_trace::{Budget, RunTrace};
use locklab::timeline::{Timeline, View};
use locklab::trace::TraceEvent;
use serde_json::json;

/// The events of each worker in batches of `size`, the workers' batches taken
/// in turn: each worker's own order kept, the workers interleaved.
fn as_posted(events: &[TraceEvent], size: usize) -> Vec<Vec<TraceEvent>> {
    let mut per_worker: std::collections::BTreeMap<u32, Vec<TraceEvent>> = Default::default();
    for e in events {
        per_worker.entry(e.worker).or_default().push(e.clone());
    }
    let mut queues: Vec<Vec<Vec<TraceEvent>>> = per_worker
        .into_values()
        .map(|es| es.chunks(size).rev().map(<[_]>::to_vec).collect())
        .collect();
    let mut batches = Vec::new();
    while queues.iter().any(|q| !q.is_empty()) {
        for q in &mut queues {
            batches.extend(q.pop());
        }
    }
    batches
}

#[test]
fn a_trace_past_its_budget_keeps_the_numbers_exact_and_every_lock_span() {
    let run = common::run_on(
        Vfs::Shared,
        json!({"workers": 8, "jobs": 1500, "transaction": "short", "begin": "immediate",
               "journal_mode": "wal", "work_ms": 0, "busy_timeout_ms": 5000}),
    );
    common::assert_every_job_done_once(&run);
    let end_us = (run.report.elapsed_ms * 1000.0) as u64;
    let budget = Budget {
        events: 5_000,
        detail_events: 10_000,
    };
    let mut trace = RunTrace::new(8, budget);
    for batch in as_posted(&run.events, 97) {
        trace.add(batch);
    }
    // The numbers: those of the whole trace. Who blocked whom is inferred from
    // each worker's events in the order it recorded them (`wait_for`), so the
    // whole trace is read so too, in another interleaving: one event of each
    // worker in turn.
    let tally = trace.tally().metrics(end_us);
    let mut whole = Tally::expecting(8).with_handoffs();
    for batch in as_posted(&run.events, 1) {
        whole.extend(&batch);
    }
    // Jobs in the order their results arrived. Who blocked whom and the lock
    // hand-offs are inferred from the interleaving (`wait_for`, `handoff`): in
    // rare ties at one microsecond another interleaving names another worker,
    // so those two are compared as counts below.
    let in_job_order = |mut m: Metrics| {
        m.committed_jobs.sort_unstable();
        m.lock_handoff_us = Default::default();
        for w in &mut m.workers {
            w.blocked_by.clear();
        }
        m
    };
    for w in &tally.workers {
        let refusals: u64 = w.blocked_by.iter().map(|b| b.refusals).sum();
        assert_eq!(refusals, w.refused_locks, "worker {}", w.id);
    }
    let tally = in_job_order(tally);
    assert_eq!(tally, in_job_order(whole.metrics(end_us)));
    // Every count is the native report's, made from the time-sorted trace; its
    // jobs in the order committed, ours in the order they arrived.
    let r = &run.report;
    assert_eq!(tally.committed_jobs, (1..=1500).collect::<Vec<i64>>());
    assert_eq!(
        (tally.committed, tally.rolled_back, tally.refused_locks),
        (
            r.transactions.committed,
            r.transactions.rolled_back,
            r.refused_locks
        )
    );
    assert_eq!(
        (&tally.errors, tally.busy_wait_ms),
        (&r.errors, r.busy_wait_ms)
    );
    assert_eq!(tally.job_latency_ms, r.job_latency_ms);
    assert_eq!(tally.write_lock_hold_ms, r.write_lock_hold_ms);
    for (ours, theirs) in tally.workers.iter().zip(&r.workers) {
        assert_eq!(
            (
                ours.jobs_done,
                &ours.errors,
                ours.busy_wait_ms,
                &ours.lock_ms,
                ours.refused_locks
            ),
            (
                theirs.jobs_done,
                &theirs.errors,
                theirs.busy_wait_ms,
                &theirs.lock_ms,
                theirs.refused_locks
            )
        );
    }
    // The timeline: every lane's bar and errors as the whole trace draws them,
    // near and far.
    let timeline = trace.timeline();
    let full = Timeline::from_events(&run.events);
    let last = full.last_us();
    for view in [
        View::new(0, last, 1000),
        View::new(last / 2, last / 2 + 2_000, 200),
        View::new(last - 10_000, last, 300),
    ] {
        for (kept, whole) in timeline.borrow().lanes().zip(full.lanes()) {
            assert_eq!(kept.cells(&view, last), whole.cells(&view, last));
            assert_eq!(kept.mark_columns(&view).1, whole.mark_columns(&view).1);
        }
    }
    let (kept, what) = trace.finish();
    assert!(what.over_budget());
    assert_eq!(what.events, run.events.len() as u64);
    // The budget, late events from before it filled, and each worker's start and end.
    assert!(
        kept.len() <= budget.events * 5 / 4 + 3 * 8,
        "{}",
        kept.len()
    );
    assert!(kept.windows(2).all(|w| w[0].t_us <= w[1].t_us));
    let d = what.dropped;
    assert!(
        d.statements > 0 && d.transactions > 0 && d.ticks > 0,
        "{d:?}"
    );
    let words = what.words().unwrap();
    assert!(
        words.contains(&format!("This run recorded {}", run.events.len() / 1000)),
        "{words}"
    );
}
