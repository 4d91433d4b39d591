//! A lesson's annotated moment: a query over one run's timeline and trace that
//! finds the moment the lesson is about (the first refused lock, the first busy
//! wait, the first SQLITE_LOCKED, the longest write-lock hold, the kill, the
//! reclaim), to be zoomed to and labelled with what the trace says happened.

use crate::duration::ms_text;
use crate::timeline::{Landmark, Timeline};
use crate::trace::{EventKind, TraceEvent};

/// Which moment a lesson points at, and in which of its runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MomentQuery {
    pub what: Landmarks,
    /// The run, by the place of its side (0 for a lesson of one run; 1 for a
    /// comparison's B).
    pub run: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Landmarks {
    FirstRefusal,
    FirstBusyWait,
    /// The first error whose name starts with this ("SQLITE_BUSY").
    FirstError(&'static str),
    LongestWriteHold,
    /// The moment a worker was killed.
    Kill,
    /// The first claim that took back a job whose worker stopped its heartbeat.
    Reclaim,
    /// The first job claimed by a second worker while the first still had it.
    DoubleClaim,
    /// The first lost race: a statement that did not change the rows it
    /// expected (the claim's compare-and-swap, a workload's `expect_changes`).
    LostRace,
    /// The power cut (every worker dies at one moment), from the last sync of a
    /// queue file before it.
    PowerCut,
}

/// The moment found: in which run (by the place of its side), where, and in words.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    pub run: usize,
    pub at: Landmark,
}

impl MomentQuery {
    pub const fn in_a(what: Landmarks) -> MomentQuery {
        MomentQuery::in_run(0, what)
    }
    pub const fn in_b(what: Landmarks) -> MomentQuery {
        MomentQuery::in_run(1, what)
    }
    pub const fn in_run(run: usize, what: Landmarks) -> MomentQuery {
        MomentQuery { what, run }
    }

    /// Find the moment in a run, from its timeline and its events. `None` when the
    /// run has no such moment (the phenomenon did not appear).
    pub fn find(&self, timeline: &Timeline, events: &[TraceEvent]) -> Option<Moment> {
        let at = match self.what {
            Landmarks::FirstRefusal => timeline.first_refusal(),
            Landmarks::FirstBusyWait => timeline.first_busy_wait(),
            Landmarks::FirstError(prefix) => timeline.first_error(prefix),
            Landmarks::LongestWriteHold => timeline.longest_write_hold(),
            Landmarks::Kill => event_landmark(timeline, events, |e| {
                matches!(e.kind, EventKind::WorkerKilled).then(|| {
                    "is killed here, as a crash would: its transaction neither committed nor \
                     rolled back; its host releases its locks"
                        .to_string()
                })
            }),
            Landmarks::Reclaim => event_landmark(timeline, events, |e| match &e.kind {
                EventKind::JobReclaimed { job, .. } => Some(format!(
                    "takes back job {job}: its worker's heartbeat stopped, so the claim found it \
                     RUNNING but stale"
                )),
                _ => None,
            }),
            Landmarks::DoubleClaim => double_claim(timeline, events),
            Landmarks::LostRace => event_landmark(timeline, events, |e| {
                matches!(e.kind, EventKind::LostRace { .. }).then(|| {
                    "loses a race here: its statement did not change the rows it expected, as \
                     another worker had changed them first; it tries again"
                        .to_string()
                })
            }),
            Landmarks::PowerCut => power_cut(timeline, events),
        }?;
        Some(Moment { run: self.run, at })
    }
}

/// The earliest event that `said` has words for, on its worker's lane.
fn event_landmark(
    timeline: &Timeline,
    events: &[TraceEvent],
    said: impl Fn(&TraceEvent) -> Option<String>,
) -> Option<Landmark> {
    let (e, words) = events
        .iter()
        .filter_map(|e| said(e).map(|w| (e, w)))
        .min_by_key(|(e, _)| e.t_us)?;
    let lane = timeline.lane_of(e.worker)?;
    let who = timeline.lane(lane)?.name();
    Some(Landmark {
        lane,
        from_us: e.t_us,
        to_us: e.t_us,
        label: format!("{who} {words} ({})", ms_text(e.t_us)),
    })
}

/// The power cut: the moment every worker of the run died at once (the last
/// deaths of the trace, two or more at the same time), and the span since the
/// last sync of any of the queue's files. Every write after that sync was made
/// after its own file's last sync: the cut lost it.
fn power_cut(timeline: &Timeline, events: &[TraceEvent]) -> Option<Landmark> {
    let killed = |e: &&TraceEvent| matches!(e.kind, EventKind::WorkerKilled);
    let cut = events.iter().filter(killed).map(|e| e.t_us).max()?;
    let at_cut: Vec<_> = events
        .iter()
        .filter(killed)
        .filter(|e| e.t_us == cut)
        .collect();
    if at_cut.len() < 2 {
        return None;
    }
    let synced = events
        .iter()
        .filter(|e| e.t_us <= cut)
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::Sync {
                    db: crate::trace::DbFile::Queue,
                    ..
                }
            )
        })
        .map(|e| e.t_us)
        .max();
    let lane = timeline.lane_of(at_cut[0].worker)?;
    let label = match synced {
        Some(t) => format!(
            "the power goes off at {}: every worker stops here; the queue's files were last \
             synced at {}, and everything written to them since is lost",
            ms_text(cut),
            ms_text(t)
        ),
        None => format!(
            "the power goes off at {}: every worker stops here; no worker synced the queue's \
             files in this run, so everything they wrote to them is lost",
            ms_text(cut)
        ),
    };
    Some(Landmark {
        lane,
        from_us: synced.unwrap_or(cut),
        to_us: cut,
        label,
    })
}

/// The first claim of a job that another worker claimed before it (and no
/// reclaim between): two workers now run the same job.
fn double_claim(timeline: &Timeline, events: &[TraceEvent]) -> Option<Landmark> {
    let mut claims: Vec<(u64, &TraceEvent)> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::JobClaimed { .. } | EventKind::JobReclaimed { .. }
            )
        })
        .map(|e| (e.t_us, e))
        .collect();
    crate::ordering::sort_by_key(&mut claims, |(t, _)| *t);
    let mut first: std::collections::HashMap<i64, &TraceEvent> = Default::default();
    for (_, e) in claims {
        match e.kind {
            EventKind::JobReclaimed { job, .. } => {
                first.insert(job, e);
            }
            EventKind::JobClaimed { job } => match first.get(&job) {
                Some(before) if before.worker != e.worker => {
                    let lane = timeline.lane_of(e.worker)?;
                    let (who, other) = (
                        timeline.lane(lane)?.name(),
                        timeline
                            .lane_of(before.worker)
                            .and_then(|l| timeline.lane(l))
                            .map_or(format!("worker {}", before.worker), |l| l.name()),
                    );
                    return Some(Landmark {
                        lane,
                        from_us: before.t_us,
                        to_us: e.t_us,
                        label: format!(
                            "{who} claims job {job} at {}, which {other} claimed at {}: two \
                             workers run the same job",
                            ms_text(e.t_us),
                            ms_text(before.t_us)
                        ),
                    });
                }
                Some(_) => {}
                None => {
                    first.insert(job, e);
                }
            },
            _ => {}
        }
    }
    None
}
