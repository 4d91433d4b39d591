//! What the timeline says about a point of a lane: the details the page shows
//! under the pointer or the keyboard's cursor, and the keyboard's steps from one
//! element to the next.

use super::{within, Cell, Lane, Mark, MarkAt, Span, Timeline, TxEnd};
use crate::duration::ms_text;
use crate::trace::Step;

impl Timeline {
    /// What lane `index` shows between `from_us` and `to_us` (one column of the
    /// view, or one moment), with the marks within `slack_us` of it, one line each,
    /// for the page's details box; `now_us` closes what is still open.
    pub fn details(
        &self,
        index: usize,
        (from_us, to_us): (u64, u64),
        slack_us: u64,
        now_us: u64,
    ) -> Vec<String> {
        let Some(lane) = self.lane(index) else {
            return Vec::new();
        };
        let mut lines = vec![format!("{} at {}", lane.name(), ms_text(from_us))];
        if let Some((from, to, cell)) = lane.state_in(from_us, to_us, now_us) {
            let asked = match within(&lane.waits, from, to).first() {
                Some(w) if cell == Cell::BusyWait => {
                    format!(
                        " (SQLite asked to sleep {}){}",
                        ms_text(w.what.requested_us),
                        self.waits_for(w.what)
                    )
                }
                _ if cell == Cell::InterpreterWait => {
                    match within(&lane.interpreter_waits, from, to).first() {
                        Some(Span { what: Some(w), .. }) => format!(
                            " (held by {})",
                            self.lane_of(*w)
                                .and_then(|l| self.lane(l))
                                .map_or(format!("worker {w}"), Lane::name)
                        ),
                        _ => String::new(),
                    }
                }
                _ => String::new(),
            };
            lines.push(format!(
                "{} from {} to {}: {}{asked}",
                cell.label(),
                ms_text(from),
                ms_text(to),
                cell.explain()
            ));
        }
        let open = lane.open_tx.as_ref().map(|(from, tx)| Span {
            from_us: *from,
            to_us: now_us,
            what: tx.clone(),
        });
        let tx = within(&lane.txs, from_us, to_us)
            .first()
            .cloned()
            .or(open.filter(|o| o.from_us <= to_us));
        if let Some(tx) = tx {
            let end = match tx.what.end {
                TxEnd::Open => "still open".to_string(),
                TxEnd::Committed => format!("committed at {}", ms_text(tx.to_us)),
                TxEnd::RolledBack => format!("rolled back at {}", ms_text(tx.to_us)),
            };
            lines.push(format!(
                "transaction ({}): {} at {}, {end}",
                step_name(tx.what.step),
                tx.what.begin,
                ms_text(tx.from_us)
            ));
        }
        if let Some(s) = within(&lane.statements, from_us, to_us).first() {
            lines.push(format!(
                "statement ({}) from {} to {}: {}",
                step_name(s.what.0),
                ms_text(s.from_us),
                ms_text(s.to_us),
                self.sql[s.what.1 as usize]
            ));
        }
        let (near_from, near_to) = (from_us.saturating_sub(slack_us), to_us + slack_us);
        for id in self
            .refusals_near(index, near_from, near_to)
            .into_iter()
            .take(2)
        {
            lines.push(self.refusal_sentence(id));
        }
        let at = lane.marks.partition_point(|m| m.t_us < near_from);
        let mut near: Vec<&MarkAt> = lane.marks[at..]
            .iter()
            .take_while(|m| m.t_us <= near_to)
            .collect();
        let distance = |t: u64| t.saturating_sub(to_us) + from_us.saturating_sub(t);
        crate::ordering::sort_by_key(&mut near, |m| {
            (matches!(m.mark, Mark::Claimed { .. }), distance(m.t_us))
        });
        lines.extend(near.iter().take(3).map(|m| describe(m)));
        let error = near.iter().take(3).find_map(|m| match &m.mark {
            Mark::Error { name, .. } => Some(name),
            _ => None,
        });
        if let Some(name) = error {
            lines.push(crate::result_code::explain(name).to_string());
        }
        lines
    }
}

pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Open => "open",
        Step::Claim => "claim",
        Step::Heartbeat => "heartbeat",
        Step::Result => "result",
        Step::Job => "whole job",
        Step::Read => "read",
        Step::Console => "your SQL",
    }
}

pub(super) fn describe(m: &MarkAt) -> String {
    match &m.mark {
        Mark::Claimed { job } => format!("claimed job {job} at {}", ms_text(m.t_us)),
        Mark::Done { job, latency_us } => format!(
            "finished job {job} at {}, {} after its first claim attempt",
            ms_text(m.t_us),
            ms_text(*latency_us)
        ),
        Mark::Error {
            step,
            sql,
            name,
            message,
            after_us,
            ..
        } => format!(
            "{name} at {} in {}: `{sql}` failed after {}: {message}",
            ms_text(m.t_us),
            step_name(*step),
            ms_text(*after_us)
        ),
    }
}

impl Lane {
    /// The bar's strongest state between `from_us` and `to_us` (what a column
    /// shows), with when it began and ended.
    pub(super) fn state_in(
        &self,
        from_us: u64,
        to_us: u64,
        now_us: u64,
    ) -> Option<(u64, u64, Cell)> {
        fn spans<'a, T>(
            track: &'a [Span<T>],
            (from_us, to_us): (u64, u64),
            cell: impl Fn(&Span<T>) -> Cell + 'a,
        ) -> impl Iterator<Item = (u64, u64, Cell)> + 'a {
            within(track, from_us, to_us)
                .iter()
                .map(move |s| (s.from_us, s.to_us, cell(s)))
        }
        let range = (from_us, to_us);
        spans(&self.levels, range, |s| Cell::of_level(s.what))
            .chain(spans(&self.wal_read, range, |_| Cell::WalRead))
            .chain(spans(&self.wal_write, range, |_| Cell::WalWrite))
            .chain(spans(&self.waits, range, |_| Cell::BusyWait))
            .chain(spans(&self.interpreter_waits, range, |_| {
                Cell::InterpreterWait
            }))
            .chain(
                self.still_held(now_us)
                    .filter(|(hold, _)| hold.from_us <= to_us)
                    .map(|(hold, cell)| (hold.from_us, now_us, cell)),
            )
            .fold(None, |best: Option<(u64, u64, Cell)>, c| {
                if best.is_none_or(|b| b.2 < c.2) {
                    Some(c)
                } else {
                    best
                }
            })
    }

    /// The start of the nearest element (a lock, a wait, a transaction, a mark, a
    /// refused lock) after
    /// `t_us` (`forward`) or before it: how the keyboard moves along a lane.
    pub fn next_element(&self, t_us: u64, forward: bool) -> Option<u64> {
        let open = self
            .still_held(u64::MAX)
            .map(|(hold, _)| hold.from_us)
            .chain(self.open_tx.as_ref().map(|(from, _)| *from));
        [
            nearest(&self.levels, |s| s.from_us, t_us, forward),
            nearest(&self.wal_read, |s| s.from_us, t_us, forward),
            nearest(&self.wal_write, |s| s.from_us, t_us, forward),
            nearest(&self.waits, |s| s.from_us, t_us, forward),
            nearest(&self.txs, |s| s.from_us, t_us, forward),
            nearest(&self.marks, |m| m.t_us, t_us, forward),
            nearest(&self.refusals, |r| r.0, t_us, forward),
        ]
        .into_iter()
        .flatten()
        .chain(open)
        .filter(|t| if forward { *t > t_us } else { *t < t_us })
        .reduce(|a, b| if forward { a.min(b) } else { a.max(b) })
    }
}

/// In `items` sorted by `key`: the first key after `t_us` (`forward`) or the last
/// one before it.
fn nearest<T>(items: &[T], key: impl Fn(&T) -> u64, t_us: u64, forward: bool) -> Option<u64> {
    if forward {
        let at = items.partition_point(|i| key(i) <= t_us);
        items.get(at).map(key)
    } else {
        let at = items.partition_point(|i| key(i) < t_us);
        at.checked_sub(1).map(|i| key(&items[i]))
    }
}
