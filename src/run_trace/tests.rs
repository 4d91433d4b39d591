//! What a run's trace keeps, against traces written by hand.

use super::*;
use crate::analysis::metrics::Metrics;
use crate::lock::LockLevel;
use crate::trace::samples::{at, busy, lock};
use crate::trace::{Role, Step};

/// `jobs` jobs of one worker, 1 ms apart: a claim transaction holding RESERVED
/// around its statement, and the job done; an error every fifth job.
fn jobs(jobs: u64) -> Vec<TraceEvent> {
    let mut events = vec![at(0, 0, EventKind::WorkerStart { role: Role::Writer })];
    for job in 0..jobs {
        let t = job * 1_000;
        events.extend([
            at(t, 0, lock(LockLevel::None, LockLevel::Reserved)),
            at(
                t + 100,
                0,
                EventKind::Begin {
                    step: Step::Claim,
                    sql: "BEGIN IMMEDIATE".into(),
                },
            ),
            at(
                t + 200,
                0,
                EventKind::Statement {
                    step: Step::Claim,
                    sql: "UPDATE jobs SET status = 'RUNNING'".into(),
                    dur_us: 100,
                },
            ),
            at(t + 400, 0, EventKind::Commit { step: Step::Claim }),
            at(t + 500, 0, lock(LockLevel::Reserved, LockLevel::None)),
            at(
                t + 600,
                0,
                EventKind::JobDone {
                    job: job as i64,
                    latency_us: 600,
                },
            ),
        ]);
        if job % 5 == 4 {
            events.push(at(t + 700, 0, busy(50)));
        }
    }
    events.push(at(jobs * 1_000, 0, EventKind::WorkerEnd));
    events
}

#[test]
fn within_its_budget_a_trace_keeps_every_event_and_says_nothing() {
    let events = jobs(10);
    let mut trace = RunTrace::new(1, Budget::default());
    trace.add(events.clone());
    assert_eq!(trace.total(), events.len() as u64);
    let (kept, what) = trace.finish();
    assert_eq!(kept, events);
    assert!(!what.over_budget());
    assert_eq!(what.words(), None);
}

#[test]
fn past_its_budget_a_trace_keeps_the_first_events_and_counts_them_all() {
    let events = jobs(1000);
    let budget = Budget {
        events: 600,
        detail_events: 1200,
    };
    let mut trace = RunTrace::new(1, budget);
    for batch in events.chunks(37) {
        trace.add(batch.to_vec());
    }
    let end_us = 1_000_000;
    assert_eq!(
        trace.tally().metrics(end_us),
        Metrics::from_events(&events, end_us),
        "the numbers count every event"
    );
    let (kept, what) = trace.finish();
    // 1 start, then 6 events a job and an error every fifth: 600 events are 96
    // jobs and 4 events of the 97th, whose lock ends at 96.5 ms.
    assert_eq!(what.kept_until_us, Some(96_500));
    assert!(kept
        .iter()
        .all(|e| e.t_us < 96_500 || e.kind == EventKind::WorkerEnd));
    assert_eq!(kept.last().map(|e| &e.kind), Some(&EventKind::WorkerEnd));
    assert_eq!(what.kept, kept.len() as u64);
    assert_eq!(what.events, events.len() as u64);
    let words = what.words().unwrap();
    assert!(
        words.contains("This run recorded 6,202 trace events"),
        "{words}"
    );
    assert!(words.contains("(600 for the replay and the exports, 1,200 in full detail"));
    assert!(
        words.contains("up to 0.1 s (601 events kept of 6,202)"),
        "{words}"
    );
    let d = what.dropped;
    assert!(words.contains(&format!("aggregated {} statements", d.statements)));
    // The budget ran out inside a job, so its statement, commit and completion
    // need not all fall on the same side of it.
    assert!(d.statements.abs_diff(d.transactions) <= 1, "{d:?}");
    assert!(d.ticks.abs_diff(d.statements) <= 1, "{d:?}");
    assert!(d.statements > 790 && d.statements < 810, "{d:?}");
}

/// A worker posts only between its steps: one that waited long in a statement
/// posts its early events after the others filled the budget. They are still
/// kept, so that the events kept are every event up to a point.
#[test]
fn events_from_before_the_budget_filled_are_kept_when_they_come_late() {
    let on = |worker, events: Vec<TraceEvent>| -> Vec<TraceEvent> {
        events
            .into_iter()
            .map(|e| TraceEvent { worker, ..e })
            .collect()
    };
    let (early, late) = (on(0, jobs(200)), on(1, jobs(20)));
    let mut trace = RunTrace::new(
        2,
        Budget {
            events: 1000,
            detail_events: 1000,
        },
    );
    trace.add(early.clone());
    trace.add(late.clone());
    let (kept, what) = trace.finish();
    // Worker 0 filled the budget at about 160 ms; worker 1's 20 ms came after.
    let until = what.kept_until_us.unwrap();
    assert!(until > 150_000, "{until}");
    assert!(late.iter().all(|e| kept.contains(e)));
    assert_eq!(
        kept.len(),
        early.iter().filter(|e| e.t_us < until).count() + late.len() + 1,
        "and worker 0's end"
    );
}
