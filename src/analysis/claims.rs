//! Jobs claimed twice: a claim committed while another worker's committed claim
//! of the same job still stood, or after the job was done. The compare-and-swap
//! in the claim's UPDATE (`claim_cas`) is what prevents it; a run whose claim
//! reads outside its transaction without it shows it (`claim_select`).
//!
//! A claim counts once its transaction commits: a claim inside a transaction
//! that rolls back, or whose worker dies before COMMIT, never happened. A
//! reclaim of a stale job (JobReclaimed) takes the job over on purpose and is
//! not a second claim.

use crate::trace::{EventKind, TraceEvent, WorkerId};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct Claims {
    /// Claims made inside each worker's open transaction, not yet committed:
    /// (job, is a reclaim).
    open: BTreeMap<WorkerId, Vec<(i64, bool)>>,
    /// Workers with a transaction open.
    in_transaction: BTreeSet<WorkerId>,
    /// Each worker's last claim recorded outside a transaction (the short style
    /// records a claim after its COMMIT), and whether it counted the job as
    /// claimed twice: undone if a JobReclaimed follows.
    last_outside: BTreeMap<WorkerId, (i64, bool)>,
    /// Who holds each job by a committed claim, until it is done.
    holder: BTreeMap<i64, WorkerId>,
    /// Jobs whose result was committed.
    done: BTreeSet<i64>,
    twice: BTreeSet<i64>,
}

impl Claims {
    pub fn add(&mut self, e: &TraceEvent) {
        let w = e.worker;
        match &e.kind {
            EventKind::Begin { .. } => {
                self.in_transaction.insert(w);
            }
            EventKind::Commit { .. } => {
                self.in_transaction.remove(&w);
                for (job, reclaim) in self.open.remove(&w).unwrap_or_default() {
                    self.committed(w, job, reclaim);
                }
                self.last_outside.remove(&w);
            }
            EventKind::Rollback { .. } | EventKind::WorkerKilled => {
                self.in_transaction.remove(&w);
                self.open.remove(&w);
            }
            EventKind::JobClaimed { job } => {
                if self.in_transaction.contains(&w) {
                    self.open.entry(w).or_default().push((*job, false));
                } else {
                    let counted = self.committed(w, *job, false);
                    self.last_outside.insert(w, (*job, counted));
                }
            }
            EventKind::JobReclaimed { job, .. } => {
                // Recorded right after its JobClaimed: that claim was a reclaim.
                match self.open.get_mut(&w).and_then(|o| o.last_mut()) {
                    Some((last, reclaim)) if last == job => *reclaim = true,
                    _ => {
                        if self.last_outside.get(&w) == Some(&(*job, true)) {
                            self.twice.remove(job);
                        }
                        self.holder.insert(*job, w);
                    }
                }
            }
            EventKind::JobDone { job, .. } => {
                self.holder.remove(job);
                self.done.insert(*job);
            }
            _ => {}
        }
    }

    /// A claim committed; `true` when it newly counts `job` as claimed twice.
    fn committed(&mut self, worker: WorkerId, job: i64, reclaim: bool) -> bool {
        let held_by_another = self.holder.get(&job).is_some_and(|&h| h != worker);
        self.holder.insert(job, worker);
        !reclaim && (held_by_another || self.done.contains(&job)) && self.twice.insert(job)
    }

    /// How many jobs were claimed twice.
    pub fn twice(&self) -> u64 {
        self.twice.len() as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::Step;

    fn ev(worker: WorkerId, kind: EventKind) -> TraceEvent {
        TraceEvent {
            t_us: 0,
            worker,
            kind,
        }
    }

    fn read(events: &[TraceEvent]) -> u64 {
        let mut c = Claims::default();
        events.iter().for_each(|e| c.add(e));
        c.twice()
    }

    #[test]
    fn a_second_claim_while_the_first_stands_counts_and_a_rolled_back_one_does_not() {
        let begin = |w| {
            ev(
                w,
                EventKind::Begin {
                    step: Step::Job,
                    sql: "BEGIN".into(),
                },
            )
        };
        let claim = |w, job| ev(w, EventKind::JobClaimed { job });
        let commit = |w| ev(w, EventKind::Commit { step: Step::Job });
        let rollback = |w| ev(w, EventKind::Rollback { step: Step::Job });
        let done = |w, job| ev(w, EventKind::JobDone { job, latency_us: 1 });
        // Claims recorded after their commit (the short style): 0 then 1 take job 7.
        assert_eq!(read(&[claim(0, 7), claim(1, 7)]), 1);
        // One worker after the other, the first done: a claim of a done job.
        assert_eq!(read(&[claim(0, 7), done(0, 7), claim(1, 7)]), 1);
        // Inside a transaction that rolls back, the claim never happened.
        assert_eq!(read(&[begin(0), claim(0, 7), rollback(0), claim(1, 7)]), 0);
        assert_eq!(read(&[begin(0), claim(0, 7), commit(0), claim(1, 7)]), 1);
        // A reclaim of a stale job is a take-over, not a second claim.
        let reclaim = ev(
            1,
            EventKind::JobReclaimed {
                job: 7,
                from: Some(0),
            },
        );
        assert_eq!(read(&[claim(0, 7), claim(1, 7), reclaim]), 0);
        // Each job once, however many times.
        assert_eq!(
            read(&[claim(0, 7), claim(1, 7), claim(2, 7), claim(0, 8)]),
            1
        );
    }
}
