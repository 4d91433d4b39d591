//! What a host keeps of a run's trace, in one copy, while the run goes on and
//! after. Each event is read once, as it arrives, into the run's timeline and
//! the tally of its metrics; the events themselves are kept one by one up to a
//! budget, for what needs them so (the replay, the Chrome trace and the SVG, a
//! lesson's moment). A run of a million jobs records about 28 million events:
//! past the budget its report stays exact (the tally read every event), its
//! timeline keeps every lock span (see `Timeline`'s detail budget), and
//! [`Kept::words`] says what was not kept.

use crate::analysis::metrics::Tally;
use crate::decimal::Dec;
use crate::scenario::fields::thousands;
use crate::timeline::{Dropped, Timeline};
use crate::trace::{EventKind, TraceEvent};
use std::cell::RefCell;
use std::rc::Rc;

/// How much of a trace is kept one by one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Events kept as they are (for the replay and the exports); past them only
    /// the few that say what happened to a worker or to SQLite are kept.
    pub events: usize,
    /// Events after which the timeline keeps no more statements, transactions
    /// and job ticks one by one.
    pub detail_events: usize,
}

impl Default for Budget {
    /// About 36,000 and 145,000 jobs of short transactions in WAL: some 60 MB
    /// and 55 MB of the page's memory.
    fn default() -> Budget {
        Budget {
            events: 1_000_000,
            detail_events: 4_000_000,
        }
    }
}

/// A run's trace as its host keeps it.
#[derive(Debug)]
pub struct RunTrace {
    budget: Budget,
    expected: u32,
    events: Vec<TraceEvent>,
    /// Every event read.
    total: u64,
    /// The latest time an event had when the budget filled: events before it
    /// that arrive later (a worker posts only between its steps, so one that
    /// waited in a statement posts late) are still kept, so that every event up
    /// to a point is there.
    filled_at_us: Option<u64>,
    latest_us: u64,
    /// The time of the first event not kept.
    kept_until_us: Option<u64>,
    /// Shared with the views that draw it, while the run goes on and after.
    timeline: Rc<RefCell<Timeline>>,
    tally: Tally,
}

/// What a finished run's trace kept, and the words for it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kept {
    pub budget: Option<Budget>,
    /// Events the run recorded.
    pub events: u64,
    /// Events kept one by one.
    pub kept: u64,
    /// Past this time, events were not kept (but for the rare ones).
    pub kept_until_us: Option<u64>,
    /// What the timeline did not keep one by one.
    pub dropped: Dropped,
}

/// Events kept past the budget: a handful per worker (its start, end or death)
/// and SQLite's own log, which speaks on recovery and warnings.
fn always_kept(e: &TraceEvent) -> bool {
    matches!(
        e.kind,
        EventKind::WorkerStart { .. }
            | EventKind::WorkerEnd
            | EventKind::WorkerKilled
            | EventKind::SqliteLog { .. }
    )
}

impl Default for RunTrace {
    fn default() -> RunTrace {
        RunTrace::new(0, Budget::default())
    }
}

impl RunTrace {
    /// The trace of a run of workers `0..workers` (see `WaitFor::expect`).
    pub fn new(workers: u32, budget: Budget) -> RunTrace {
        RunTrace {
            budget,
            expected: workers,
            events: Vec::new(),
            total: 0,
            filled_at_us: None,
            latest_us: 0,
            kept_until_us: None,
            timeline: Rc::new(RefCell::new(
                Timeline::expecting(workers).with_detail_budget(budget.detail_events),
            )),
            tally: Tally::expecting(workers).with_handoffs(),
        }
    }

    /// Forget every event read: a run of workers `0..workers` starts (again),
    /// within the same budget.
    pub fn restart(&mut self, workers: u32) {
        *self = RunTrace::new(workers, self.budget);
    }

    /// The trace read so far, leaving an empty one in its place.
    pub fn take(&mut self) -> RunTrace {
        std::mem::replace(self, RunTrace::new(self.expected, self.budget))
    }

    /// Read a batch of events (one worker's, in the order it recorded them).
    pub fn add(&mut self, batch: Vec<TraceEvent>) {
        let mut timeline = self.timeline.borrow_mut();
        for e in batch {
            self.total += 1;
            self.tally.add(&e);
            timeline.add(&e);
            let room = self.events.len() < self.budget.events;
            if !room && self.filled_at_us.is_none() {
                self.filled_at_us = Some(self.latest_us);
            }
            self.latest_us = self.latest_us.max(e.t_us);
            // Late events from before the budget filled, up to a quarter more.
            let late = self.filled_at_us.is_some_and(|at| e.t_us < at)
                && self.events.len() < self.budget.events + self.budget.events / 4;
            if room || late || always_kept(&e) {
                self.events.push(e);
            } else {
                let first = self.kept_until_us.get_or_insert(e.t_us);
                *first = (*first).min(e.t_us);
            }
        }
    }

    /// How many events were read.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The metrics of every event read.
    pub fn tally(&self) -> &Tally {
        &self.tally
    }

    pub fn timeline(&self) -> Rc<RefCell<Timeline>> {
        self.timeline.clone()
    }

    /// The events kept, in the order they came.
    pub fn events(&self) -> &[TraceEvent] {
        &self.events
    }

    /// The run is over: the events kept, in time order, and what was kept.
    pub fn finish(self) -> (Vec<TraceEvent>, Kept) {
        self.sorting().finish()
    }

    /// The first half of `finish`, which a page runs in a task of its own: drop
    /// what was not kept, and work out the events' time order. (In one task,
    /// `finish` held a 16-worker run's 140,000 events for 22 to 35 ms in the page;
    /// each half takes 6 to 13.)
    pub fn sorting(self) -> Sorting {
        let mut events = self.events;
        if let Some(until) = self.kept_until_us {
            // Up to the first event not kept, every event is there: the replay
            // and the exports stop at that point rather than show part of what
            // came after.
            events.retain(|e| e.t_us < until || always_kept(e));
        }
        let order = time_order::time_order(&events);
        let kept = Kept {
            budget: Some(self.budget),
            events: self.total,
            kept: events.len() as u64,
            kept_until_us: self.kept_until_us,
            dropped: self.timeline.borrow().dropped,
        };
        Sorting {
            events,
            order,
            kept,
        }
    }
}

/// A finished run's kept events with their time order worked out, not yet
/// applied (`RunTrace::sorting`).
pub struct Sorting {
    events: Vec<TraceEvent>,
    order: Vec<usize>,
    kept: Kept,
}

impl Sorting {
    /// The events kept, in time order, and what was kept.
    pub fn finish(self) -> (Vec<TraceEvent>, Kept) {
        let mut events = self.events;
        crate::ordering::permute(&mut events, self.order);
        (events, self.kept)
    }
}

impl Kept {
    /// Whether the run's trace outgrew a budget.
    pub fn over_budget(&self) -> bool {
        self.kept < self.events || self.dropped.since_us.is_some()
    }

    /// What was not kept, in words, every number from the run; `None` when the
    /// whole trace was kept.
    pub fn words(&self) -> Option<String> {
        if !self.over_budget() {
            return None;
        }
        let budget = self.budget.unwrap_or_default();
        let mut said = format!(
            "This run recorded {} trace events, more than the page keeps one by one \
             ({} for the replay and the exports, {} in full detail on the timeline). \
             Its numbers count every event. The timeline keeps every lock, busy wait, \
             refusal and error, and draws the whole run from 1 ms summaries when zoomed \
             out.",
            thousands(self.events),
            thousands(budget.events as u64),
            thousands(budget.detail_events as u64)
        );
        let d = &self.dropped;
        if let Some(since) = d.since_us {
            said.push_str(&format!(
                " From {} on it aggregated {} statements, {} transactions and {} job \
                 claims and completions: they show in the summaries only, not one by one.",
                seconds(since),
                thousands(d.statements),
                thousands(d.transactions),
                thousands(d.ticks)
            ));
        }
        if let Some(until) = self.kept_until_us {
            said.push_str(&format!(
                " The replay, trace.json and timeline.svg cover the run up to {} \
                 ({} events kept of {}).",
                seconds(until),
                thousands(self.kept),
                thousands(self.events)
            ));
        }
        Some(said)
    }
}

fn seconds(us: u64) -> String {
    format!("{:.1} s", Dec(us as f64 / 1e6))
}

/// 27650123 as "27,650,123".
#[cfg(test)]
mod tests;
mod time_order;
