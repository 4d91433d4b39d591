//! Landmarks: moments of a run worth pointing at, found in its timeline (the
//! first refused lock, the first busy wait, the first error of a kind, the
//! longest write-lock hold), each with the lane, the time and a sentence made
//! from the trace. A lesson's annotated moment is one of them.

use super::{details::describe, Lane, Mark, Timeline};
use crate::duration::ms_text;
use crate::lock::LockLevel;
use crate::trace::Step;

/// A moment (or a span) of one lane, and what happened there in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Landmark {
    /// The lane's index in the timeline.
    pub lane: usize,
    pub from_us: u64,
    pub to_us: u64,
    pub label: String,
}

impl Timeline {
    /// The earliest refused lock of the run after the workers' setup (a refusal
    /// while a connection sets its pragmas is not what a lesson is about), with
    /// who was in the way.
    pub fn first_refusal(&self) -> Option<Landmark> {
        let (lane, t, id) = self
            .lanes()
            .enumerate()
            .filter_map(|(i, lane)| {
                let setup_end = lane.setup_end_us();
                lane.refusals
                    .iter()
                    .find(|(t, _)| *t > setup_end)
                    .map(|(t, id)| (i, *t, *id))
            })
            .min_by_key(|(_, t, _)| *t)?;
        Some(Landmark {
            lane,
            from_us: t,
            to_us: t,
            label: self.refusal_sentence(id),
        })
    }

    /// The earliest busy wait, and whom it waited for.
    pub fn first_busy_wait(&self) -> Option<Landmark> {
        let (lane, wait) = self
            .lanes()
            .enumerate()
            .filter_map(|(i, lane)| lane.waits.first().map(|w| (i, w)))
            .min_by_key(|(_, w)| w.from_us)?;
        let who = self.lane(lane).map(Lane::name).unwrap_or_default();
        Some(Landmark {
            lane,
            from_us: wait.from_us,
            to_us: wait.to_us,
            label: format!(
                "{who} sleeps {} in SQLite instead of failing, then asks again{}",
                ms_text(wait.to_us - wait.from_us),
                self.waits_for(wait.what)
            ),
        })
    }

    /// The earliest error whose name starts with `prefix` ("SQLITE_BUSY" takes
    /// SQLITE_BUSY_SNAPSHOT too).
    pub fn first_error(&self, prefix: &str) -> Option<Landmark> {
        let (lane, mark) = self
            .lanes()
            .enumerate()
            .filter_map(|(i, lane)| {
                lane.marks
                    .iter()
                    .find(
                        |m| matches!(&m.mark, Mark::Error { name, .. } if name.starts_with(prefix)),
                    )
                    .map(|m| (i, m))
            })
            .min_by_key(|(_, m)| m.t_us)?;
        let who = self.lane(lane).map(Lane::name).unwrap_or_default();
        let started = match &mark.mark {
            Mark::Error { after_us, .. } => mark.t_us.saturating_sub(*after_us),
            _ => mark.t_us,
        };
        // The refusal that made the statement fail, if the VFS saw one.
        let refused = self
            .lane(lane)
            .and_then(|l| {
                let before = l.refusals.partition_point(|(t, _)| *t <= mark.t_us);
                l.refusals[..before].last().filter(|(t, _)| *t >= started)
            })
            .map(|(_, id)| format!(" ({})", self.refusal_sentence(*id)))
            .unwrap_or_default();
        Some(Landmark {
            lane,
            from_us: started,
            to_us: mark.t_us,
            label: format!("{who}: {}{refused}", describe(mark)),
        })
    }

    /// The longest hold of the write lock on the queue (RESERVED or above in
    /// rollback mode, WAL's write lock in WAL mode).
    pub fn longest_write_hold(&self) -> Option<Landmark> {
        let (lane, from, to) = self
            .lanes()
            .enumerate()
            .flat_map(|(i, lane)| write_holds(lane).into_iter().map(move |(f, t)| (i, f, t)))
            .max_by_key(|(_, from, to)| to - from)?;
        let who = self.lane(lane).map(Lane::name).unwrap_or_default();
        Some(Landmark {
            lane,
            from_us: from,
            to_us: to,
            label: format!(
                "{who} holds the write lock for {}, from {} to {}: nobody else can write meanwhile",
                ms_text(to - from),
                ms_text(from),
                ms_text(to)
            ),
        })
    }
}

/// A lane's write-lock holds: runs of RESERVED, PENDING and EXCLUSIVE merged, and
/// its WAL write locks.
fn write_holds(lane: &Lane) -> Vec<(u64, u64)> {
    let mut holds: Vec<(u64, u64)> = Vec::new();
    for span in lane.levels.iter().filter(|s| s.what >= LockLevel::Reserved) {
        match holds.last_mut() {
            Some((_, to)) if span.from_us <= *to => *to = (*to).max(span.to_us),
            _ => holds.push((span.from_us, span.to_us)),
        }
    }
    holds.extend(lane.wal_write.iter().map(|s| (s.from_us, s.to_us)));
    holds
}

impl Lane {
    /// When this lane's connection setup ended: the end of its last statement of
    /// the Open step (its pragmas), 0 when it has none.
    fn setup_end_us(&self) -> u64 {
        self.statements
            .iter()
            .filter(|s| s.what.0 == Step::Open)
            .map(|s| s.to_us)
            .max()
            .unwrap_or(0)
    }
}
