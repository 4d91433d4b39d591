//! Who blocks whom on the timeline: the wait-for edges a view shows (from a refused
//! lock to the lane of the worker in the way) and the words for a refusal and for
//! a busy wait. It reads the run's `WaitFor` and the lanes and keeps nothing of its
//! own; a refusal not yet settled shows its holder so far.

use super::{within, Lane, Mark, Timeline, View, Wait};
use crate::analysis::wait_for::{Holder, RefusalId};
use crate::duration::ms_text;
use crate::trace::WorkerId;
use crate::trace::HOST_WORKER;

/// A refused lock as the timeline draws it: on lane `lane` at `t_us`, with an
/// edge to the lane of the worker in the way (`None`: nobody known, or a
/// connection without a lane).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub lane: usize,
    pub t_us: u64,
    pub holder_lane: Option<usize>,
    pub refusal: RefusalId,
}

impl Timeline {
    /// The index of worker `worker`'s lane.
    pub fn lane_of(&self, worker: WorkerId) -> Option<usize> {
        self.lanes.keys().position(|w| *w == worker)
    }

    /// "worker 2", "reader 5", or "the host's connection".
    fn who(&self, worker: WorkerId) -> String {
        match self.lanes.get(&worker) {
            Some(lane) => lane.name(),
            None if worker == HOST_WORKER => "the host's connection".to_string(),
            None => format!("worker {worker}"),
        }
    }

    /// How many refused locks `view` shows, all lanes together.
    pub fn refusals_in(&self, view: &View) -> usize {
        self.lanes().map(|l| l.refusals_in(view).len()).sum()
    }

    /// The refused locks in `view` with their edges: of every lane when there are
    /// at most `room` of them (their edges then stand apart), else only those of
    /// lane `focus` and those whose holder is lane `focus` (none without a focus).
    /// One edge per column between the same two lanes.
    pub fn edges(&self, view: &View, focus: Option<usize>, room: usize) -> Vec<Edge> {
        let all = self.refusals_in(view) <= room;
        let mut edges: Vec<Edge> = Vec::new();
        if !all && focus.is_none() {
            return edges;
        }
        let workers: Vec<WorkerId> = self.lanes.keys().copied().collect();
        let lane_of = |w: WorkerId| workers.binary_search(&w).ok();
        for (i, lane) in self.lanes().enumerate() {
            for &(t_us, refusal) in lane.refusals_in(view) {
                let holder_lane = self.wait_for.blocker(refusal).and_then(lane_of);
                let shown = all || focus == Some(i) || (focus.is_some() && holder_lane == focus);
                let edge = Edge {
                    lane: i,
                    t_us,
                    holder_lane,
                    refusal,
                };
                let same = |e: &Edge| {
                    e.lane == i
                        && e.holder_lane == holder_lane
                        && view.column(e.t_us) == view.column(t_us)
                };
                if shown && !edges.last().is_some_and(same) {
                    edges.push(edge);
                }
            }
        }
        edges
    }

    /// The busy waits in `view` at least `columns` wide whose refusal's holder is
    /// known: lane, from, to, and the holder's name (for the view to label).
    pub fn wait_labels(&self, view: &View, columns: usize) -> Vec<(usize, u64, u64, String)> {
        let mut labels = Vec::new();
        // A run has many short waits: most are told apart by their length alone.
        let shortest = (columns as u64).saturating_sub(1) * view.us_per_column();
        for (i, lane) in self.lanes().enumerate() {
            for w in within(&lane.waits, view.start_us, view.end_us) {
                if w.to_us - w.from_us < shortest
                    || view.column(w.to_us) - view.column(w.from_us) < columns
                {
                    continue;
                }
                let holder = w.what.refusal.and_then(|id| self.wait_for.blocker(id));
                if let Some(h) = holder {
                    labels.push((i, w.from_us, w.to_us, self.who(h)));
                }
            }
        }
        labels
    }

    /// "worker 2 asked for RESERVED at 41.20 ms; worker 0 holds RESERVED since
    /// 38.90 ms, in `UPDATE jobs ...`", or who else the VFS named, or nobody.
    pub fn refusal_sentence(&self, id: RefusalId) -> String {
        let r = self.wait_for.refusal(id);
        let asked = format!(
            "{} asked for {} at {}",
            self.who(r.worker),
            r.wanted.name(),
            ms_text(r.t_us)
        );
        match (self.wait_for.holder(id), r.by) {
            (Some(h), _) => format!("{asked}; {}", self.holding(h, r.t_us)),
            (None, Some(by)) => format!("{asked}; {} was in the way", self.who(by)),
            (None, None) => format!("{asked}; no worker of the run held a lock in the way"),
        }
    }

    /// "worker 0 holds RESERVED since 38.90 ms, in `UPDATE ...`" (what it was
    /// doing at `t_us`).
    fn holding(&self, h: Holder, t_us: u64) -> String {
        let since = if h.in_way_since_us < h.since_us {
            format!(
                "since {} (in the way since {})",
                ms_text(h.since_us),
                ms_text(h.in_way_since_us)
            )
        } else {
            format!("since {}", ms_text(h.since_us))
        };
        let doing = self
            .lanes
            .get(&h.worker)
            .map(|lane| self.doing(lane, t_us))
            .unwrap_or_default();
        format!(
            "{} holds {} {since}{doing}",
            self.who(h.worker),
            h.holding.name()
        )
    }

    /// What `lane` was doing at `t_us` (the moment its lock was in the way): the
    /// statement it ran, or the transaction it was in, from its own tracks.
    fn doing(&self, lane: &Lane, t_us: u64) -> String {
        if let Some(s) = within(&lane.statements, t_us, t_us).last() {
            return format!(", in `{}`", self.sql[s.what.1 as usize]);
        }
        let failed = lane.marks.iter().rev().find_map(|m| match &m.mark {
            Mark::Error { sql, after_us, .. }
                if m.t_us >= t_us && m.t_us.saturating_sub(*after_us) <= t_us =>
            {
                Some(sql)
            }
            _ => None,
        });
        if let Some(sql) = failed {
            return format!(", in `{sql}` (which failed)");
        }
        let tx = within(&lane.txs, t_us, t_us)
            .last()
            .map(|s| (s.from_us, &s.what))
            .or(lane
                .open_tx
                .as_ref()
                .filter(|(from, _)| *from <= t_us)
                .map(|(from, tx)| (*from, tx)));
        match tx {
            Some((from, tx)) => format!(
                ", between statements of its transaction ({}: {} at {})",
                super::step_name(tx.step),
                tx.begin,
                ms_text(from)
            ),
            None => String::new(),
        }
    }

    /// ": waits for worker 0, which holds RESERVED since 38.90 ms (refused at
    /// 41.20 ms)", for a busy wait's details; empty for a wait after no refusal.
    pub(super) fn waits_for(&self, wait: Wait) -> String {
        let Some(id) = wait.refusal else {
            return String::new();
        };
        let r = self.wait_for.refusal(id);
        match (self.wait_for.holder(id), r.by) {
            (Some(h), _) => format!(
                "; waits for {} (refused {} at {}: {})",
                self.who(h.worker),
                r.wanted.name(),
                ms_text(r.t_us),
                self.holding(h, r.t_us)
            ),
            (None, Some(by)) => format!("; waits for {}", self.who(by)),
            (None, None) => String::new(),
        }
    }

    /// The refusals of lane `index` between `from_us` and `to_us`, nearest the
    /// middle first.
    pub fn refusals_near(&self, index: usize, from_us: u64, to_us: u64) -> Vec<RefusalId> {
        let Some(lane) = self.lane(index) else {
            return Vec::new();
        };
        let first = lane.refusals.partition_point(|(t, _)| *t < from_us);
        let last = lane.refusals.partition_point(|(t, _)| *t <= to_us);
        let mid = from_us / 2 + to_us / 2;
        let mut near: Vec<(u64, RefusalId)> = lane.refusals[first..last.max(first)].to_vec();
        crate::ordering::sort_by_key(&mut near, |(t, _)| t.abs_diff(mid));
        near.into_iter().map(|(_, id)| id).collect()
    }
}

impl Lane {
    /// Its refused locks inside `view`, in time order.
    pub fn refusals_in(&self, view: &View) -> &[(u64, RefusalId)] {
        let first = self.refusals.partition_point(|(t, _)| *t < view.start_us);
        let last = self.refusals.partition_point(|(t, _)| *t <= view.end_us);
        &self.refusals[first..last.max(first)]
    }
}
