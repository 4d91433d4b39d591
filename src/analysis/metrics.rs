//! Metrics computed from trace events alone: the same code serves the CLI's report
//! and the browser's live panel, so the two can never disagree. Who blocked whom
//! (the wait-for matrix) comes from `wait_for`, read along with the rest.

use crate::analysis::claims::Claims;
use crate::analysis::handoff::HandOffs;
use crate::analysis::lock_holds::{HeldLock, Hold, LockHolds};
use crate::analysis::percentiles::Percentiles;
use crate::analysis::wait_for::WaitFor;
use crate::duration::ms;
use crate::lock::LockLevel;
use crate::trace::{DbFile, EventKind, Role, TraceEvent, WorkerId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Time a worker held each lock on the queue database, in milliseconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockTimes {
    pub shared: f64,
    pub reserved: f64,
    pub pending: f64,
    pub exclusive: f64,
    /// Holding one or more of WAL's read marks (a WAL read transaction); marks held
    /// together count once.
    pub wal_read: f64,
    /// Holding WAL's write lock (the one writer of a WAL database).
    pub wal_write: f64,
}

/// How often and how long a worker was blocked by one other worker: a row entry
/// of the wait-for matrix.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BlockedBy {
    /// The worker in the way; null for nobody known: refusals whose holder the
    /// trace does not show, and busy waits that followed no refusal.
    pub by: Option<WorkerId>,
    /// The role of `by` (what a lesson's condition reads: "was it the console?").
    #[serde(default)]
    pub by_role: Option<Role>,
    /// Locks refused while `by` held one in the way.
    pub refusals: u64,
    /// Time in SQLite's busy handler after those refusals.
    pub wait_ms: f64,
}

/// What one worker did, as the report shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkerMetrics {
    pub id: WorkerId,
    pub role: Role,
    /// The role of a workload of one's own it played (docs/workload.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plays: Option<String>,
    pub jobs_done: u64,
    pub errors: BTreeMap<String, u64>,
    pub busy_wait_ms: f64,
    /// Time waiting for its process's interpreter lock (`processes`).
    #[serde(default)]
    pub interpreter_wait_ms: f64,
    pub lock_ms: LockTimes,
    pub lost_races: u64,
    /// The worker was killed during the run (WorkerKilled), and when.
    pub killed: bool,
    pub killed_at_ms: Option<f64>,
    /// Locks asked for and refused (lock levels and WAL shm slots).
    #[serde(default)]
    pub refused_locks: u64,
    /// Who was in the way of those refusals and of its busy waits, one entry per
    /// worker (nobody known last): sums to `refused_locks` and `busy_wait_ms`.
    #[serde(default)]
    pub blocked_by: Vec<BlockedBy>,
}

/// Everything the trace says about a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Metrics {
    pub committed: u64,
    /// Claims that took a stale RUNNING job (JobReclaimed).
    pub reclaimed: u64,
    /// Jobs claimed while another worker's claim stood, or after they were done.
    pub claimed_twice: u64,
    /// The queue database's WAL: how long its file grew, how many checkpoints
    /// ran, how many times the log started over (`WalLog`).
    pub wal: WalLog,
    /// COMMITs of one task that also committed other tasks' statements
    /// (`tasks_per_connection`).
    pub shared_commits: u64,
    pub rolled_back: u64,
    pub errors: BTreeMap<String, u64>,
    pub busy_wait_ms: f64,
    /// Locks asked for and refused, all workers together.
    pub refused_locks: u64,
    pub job_latency_ms: Percentiles,
    /// How long each write lock was held: RESERVED and above in rollback mode, the
    /// WAL write lock in WAL mode.
    pub write_lock_hold_ms: Percentiles,
    /// Lock hand-offs (`handoff`): from a release of the write lock to its grant
    /// to a worker that was waiting for it, in microseconds; of a whole trace
    /// only (empty in a live tally).
    pub lock_handoff_us: Percentiles,
    pub workers: Vec<WorkerMetrics>,
    /// Job ids in the order their results were committed (one per JobDone).
    pub committed_jobs: Vec<i64>,
}

/// The queue database's WAL over a run, from the VFS's events: the longest its
/// file grew, the checkpoints (each a take of WAL's checkpoint lock, slot 1,
/// alone: recovery takes it with the slots after it), and the times the log
/// started over at its beginning. A checkpoint that did not start the log over
/// left it to grow: a reader still needed its frames.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WalLog {
    pub bytes_max: u64,
    pub checkpoints: u64,
    pub restarts: u64,
}

impl WalLog {
    fn add(&mut self, e: &TraceEvent) {
        match e.kind {
            EventKind::WalGrew {
                db: DbFile::Queue,
                bytes,
            } => self.bytes_max = self.bytes_max.max(bytes),
            EventKind::WalRestarted { db: DbFile::Queue } => self.restarts += 1,
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot: 1,
                n: 1,
                exclusive: true,
                acquire: true,
                ok: true,
                ..
            } => self.checkpoints += 1,
            _ => {}
        }
    }
}

/// One worker's locks while the events are read: what it holds now, and since
/// when it has held RESERVED or above without a break (one write-lock hold made
/// of several levels: RESERVED, PENDING, EXCLUSIVE).
#[derive(Clone, Debug, Default)]
struct WorkerLocks {
    holds: LockHolds,
    writing_since: Option<u64>,
}

/// Metrics read one event at a time: the browser's live panel adds each batch the
/// workers post, and asks for the metrics so far whenever it draws.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    committed: u64,
    reclaimed: u64,
    rolled_back: u64,
    workers: BTreeMap<WorkerId, (WorkerMetrics, WorkerLocks)>,
    /// Job latencies and write-lock holds, in µs.
    latencies: Vec<u64>,
    holds: Vec<u64>,
    committed_jobs: Vec<i64>,
    claims: Claims,
    wal: WalLog,
    shared_commits: u64,
    wait_for: WaitFor,
    /// Only for a report (`Metrics::from_events`, a run's `RunTrace`): the live
    /// panels do not show hand-offs (`metrics_so_far` leaves them out).
    handoffs: Option<HandOffs>,
    /// Workers `0..expected` are expected (`expecting`).
    expected: u32,
}

impl Metrics {
    /// Read `events` (in time order per worker); a lock still held at the end of the
    /// run counts until `end_us`.
    pub fn from_events(events: &[TraceEvent], end_us: u64) -> Metrics {
        let mut tally = Tally {
            handoffs: Some(HandOffs::default()),
            ..Tally::default()
        };
        tally.extend(events);
        tally.metrics(end_us)
    }
}

impl Tally {
    /// A tally that expects workers `0..workers`: its wait-for matrix settles no
    /// refusal before each of them has gone past it (their first events may come
    /// late).
    pub fn expecting(workers: u32) -> Tally {
        let mut tally = Tally::default();
        tally.wait_for.expect(0..workers);
        tally.expected = workers;
        tally
    }

    /// A tally that reads lock hand-offs too, for a report.
    pub fn with_handoffs(mut self) -> Tally {
        let mut handoffs = HandOffs::default();
        handoffs.expect(0..self.expected);
        self.handoffs = Some(handoffs);
        self
    }

    pub fn extend(&mut self, events: &[TraceEvent]) {
        for e in events {
            self.add(e);
        }
    }

    /// Read one more event; events of one worker come in the order it recorded them.
    pub fn add(&mut self, e: &TraceEvent) {
        let (w, locks) = self.workers.entry(e.worker).or_insert_with(|| {
            (
                WorkerMetrics {
                    id: e.worker,
                    role: Role::Writer,
                    plays: None,
                    jobs_done: 0,
                    errors: BTreeMap::new(),
                    busy_wait_ms: 0.0,
                    interpreter_wait_ms: 0.0,
                    lock_ms: LockTimes::default(),
                    lost_races: 0,
                    killed: false,
                    killed_at_ms: None,
                    refused_locks: 0,
                    blocked_by: Vec::new(),
                },
                WorkerLocks::default(),
            )
        });
        match &e.kind {
            EventKind::WorkerStart { role } => w.role = *role,
            EventKind::Plays { role } => w.plays = Some(role.to_string()),
            EventKind::Commit { .. } => self.committed += 1,
            EventKind::Rollback { .. } => self.rolled_back += 1,
            EventKind::SharedCommit { .. } => self.shared_commits += 1,
            EventKind::JobDone { job, latency_us } => {
                w.jobs_done += 1;
                self.latencies.push(*latency_us);
                self.committed_jobs.push(*job);
            }
            EventKind::LostRace { .. } => w.lost_races += 1,
            EventKind::JobReclaimed { .. } => self.reclaimed += 1,
            EventKind::WorkerKilled => {
                w.killed = true;
                w.killed_at_ms = Some(ms(e.t_us));
            }
            EventKind::BusyWait { dur_us, .. } => w.busy_wait_ms += ms(*dur_us),
            EventKind::InterpreterWait { dur_us, .. } => w.interpreter_wait_ms += ms(*dur_us),
            EventKind::Error { name, .. } => *w.errors.entry(name.to_string()).or_default() += 1,
            EventKind::LockDenied { .. }
            | EventKind::ShmLock {
                acquire: true,
                ok: false,
                ..
            } => w.refused_locks += 1,
            _ => {}
        }
        self.claims.add(e);
        self.wal.add(e);
        self.wait_for.add(e);
        if let Some(handoffs) = &mut self.handoffs {
            handoffs.add(e);
        }
        // Every event goes to the lock holds: they know which events end a hold.
        let holds = &mut self.holds;
        let writing_since = &mut locks.writing_since;
        locks.holds.read(e, |hold| {
            add_hold(hold, &mut w.lock_ms, holds, writing_since);
        });
        if !locks.holds.level(DbFile::Queue).is_write() {
            if let Some(since) = locks.writing_since.take() {
                holds.push(e.t_us.saturating_sub(since));
            }
        }
    }

    /// How many jobs were done so far.
    pub fn jobs_done(&self) -> usize {
        self.committed_jobs.len()
    }

    /// The metrics so far; a lock still held counts until `end_us`.
    pub fn metrics(&self, end_us: u64) -> Metrics {
        let mut m = self.metrics_so_far(end_us);
        if let Some(handoffs) = &self.handoffs {
            m.lock_handoff_us = handoffs.percentiles();
        }
        m
    }

    /// The metrics so far without lock hand-offs, which the live panels do not
    /// show (their percentiles cost every hand-off of the run so far).
    pub fn metrics_so_far(&self, end_us: u64) -> Metrics {
        let mut m = Metrics {
            committed: self.committed,
            reclaimed: self.reclaimed,
            claimed_twice: self.claims.twice(),
            wal: self.wal.clone(),
            shared_commits: self.shared_commits,
            rolled_back: self.rolled_back,
            errors: BTreeMap::new(),
            busy_wait_ms: 0.0,
            refused_locks: 0,
            job_latency_ms: Percentiles::of_us(self.latencies.clone()),
            write_lock_hold_ms: Percentiles::default(),
            lock_handoff_us: Percentiles::default(),
            workers: Vec::new(),
            committed_jobs: self.committed_jobs.clone(),
        };
        let mut holds = self.holds.clone();
        let mut matrix = self.wait_for.matrix();
        let role_of =
            |id: Option<WorkerId>| id.and_then(|id| self.workers.get(&id)).map(|(w, _)| w.role);
        for (w, locks) in self.workers.values() {
            let mut w = w.clone();
            w.blocked_by = matrix
                .remove(&w.id)
                .unwrap_or_default()
                .into_iter()
                .map(|b| BlockedBy {
                    by: b.by,
                    by_role: role_of(b.by),
                    refusals: b.refusals,
                    wait_ms: ms(b.wait_us),
                })
                .collect();
            let mut writing_since = locks.writing_since;
            for hold in locks.holds.still_held(end_us) {
                add_hold(hold, &mut w.lock_ms, &mut holds, &mut writing_since);
            }
            if let Some(since) = writing_since {
                holds.push(end_us.saturating_sub(since));
            }
            for (name, n) in &w.errors {
                *m.errors.entry(name.clone()).or_default() += n;
            }
            m.busy_wait_ms += w.busy_wait_ms;
            m.refused_locks += w.refused_locks;
            m.workers.push(w);
        }
        m.write_lock_hold_ms = Percentiles::of_us(holds);
        m
    }
}

/// Add a hold on the queue database to the lock times; a hold of the WAL write
/// lock is a write-lock hold, and a level of RESERVED or above is part of one (which
/// ends when the level drops below RESERVED).
fn add_hold(
    hold: Hold,
    times: &mut LockTimes,
    write_holds: &mut Vec<u64>,
    writing_since: &mut Option<u64>,
) {
    if hold.db != DbFile::Queue {
        return;
    }
    let held = ms(hold.to_us.saturating_sub(hold.from_us));
    match hold.held {
        HeldLock::Level(level) => {
            match level {
                LockLevel::None => {}
                LockLevel::Shared => times.shared += held,
                LockLevel::Reserved => times.reserved += held,
                LockLevel::Pending => times.pending += held,
                LockLevel::Exclusive => times.exclusive += held,
            }
            if level.is_write() {
                writing_since.get_or_insert(hold.from_us);
            }
        }
        HeldLock::WalRead => times.wal_read += held,
        HeldLock::WalWrite => {
            times.wal_write += held;
            write_holds.push(hold.to_us.saturating_sub(hold.from_us));
        }
        HeldLock::WalCheckpoint | HeldLock::WalRecovery => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_time_and_write_holds_from_lock_events() {
        let ev = |t_us, from, to| TraceEvent {
            t_us,
            worker: 0,
            kind: EventKind::Lock {
                db: DbFile::Queue,
                from,
                to,
            },
        };
        use LockLevel::*;
        let events = [
            ev(0, None, Shared),
            ev(1000, Shared, Reserved),
            ev(3000, Reserved, Exclusive),
            ev(4000, Exclusive, Shared),
            ev(5000, Shared, None),
        ];
        let m = Metrics::from_events(&events, 6000);
        let t = &m.workers[0].lock_ms;
        assert_eq!((t.shared, t.reserved, t.exclusive), (2.0, 2.0, 1.0));
        assert_eq!(m.write_lock_hold_ms.count, 1);
        assert_eq!(m.write_lock_hold_ms.max, 3.0);
    }

    /// A writer restarting the log holds read mark 0 and takes the four others at
    /// once: WAL read time is time holding any mark, not a sum over the marks
    /// (which counted those moments five times).
    #[test]
    fn read_marks_held_together_count_once() {
        use crate::trace::samples::at;
        let shm = |slot, n, exclusive, acquire| EventKind::ShmLock {
            db: DbFile::Queue,
            slot,
            n,
            exclusive,
            acquire,
            ok: true,
            by: None,
        };
        let events = [
            at(0, 0, shm(3, 1, false, true)),
            at(1000, 0, shm(0, 1, true, true)),
            at(2000, 0, shm(4, 4, true, true)),
            at(3000, 0, shm(4, 4, true, false)),
            at(4000, 0, shm(0, 1, true, false)),
            at(5000, 0, shm(3, 1, false, false)),
        ];
        let m = Metrics::from_events(&events, 6000);
        let t = &m.workers[0].lock_ms;
        assert_eq!((t.wal_read, t.wal_write), (5.0, 3.0));
        assert_eq!(m.write_lock_hold_ms.count, 1);
    }

    /// The host releases a killed worker's locks without a Lock event: a worker
    /// killed holding RESERVED at 54 ms of a 515 ms run was said to hold it 461 ms,
    /// and the run's longest write-lock hold with it.
    #[test]
    fn a_killed_worker_holds_its_locks_until_it_dies() {
        use crate::trace::samples::{at, lock};
        use LockLevel::*;
        let events = [
            at(0, 1, lock(None, Shared)),
            at(1000, 1, lock(Shared, Reserved)),
            at(4000, 1, EventKind::WorkerKilled),
        ];
        let m = Metrics::from_events(&events, 500_000);
        let t = &m.workers[0].lock_ms;
        assert_eq!((t.shared, t.reserved), (1.0, 3.0));
        assert_eq!(
            (m.write_lock_hold_ms.count, m.write_lock_hold_ms.max),
            (1, 3.0)
        );
        assert_eq!(m.workers[0].killed_at_ms, Some(4.0));
    }

    #[test]
    fn a_tally_read_in_batches_gives_the_metrics_of_the_whole_trace() {
        use crate::trace::samples::{at as ev, lock};
        use LockLevel::*;
        let events = [
            ev(0, 0, lock(None, Reserved)),
            ev(
                0,
                1,
                EventKind::BusyWait {
                    requested_us: 1000,
                    dur_us: 1000,
                },
            ),
            ev(
                2000,
                0,
                EventKind::JobDone {
                    job: 7,
                    latency_us: 2000,
                },
            ),
            ev(
                2000,
                0,
                EventKind::Commit {
                    step: crate::trace::Step::Result,
                },
            ),
            ev(2500, 0, lock(Reserved, None)),
        ];
        let mut tally = Tally::default();
        tally.extend(&events[..2]);
        let early = tally.metrics(1000);
        assert_eq!((early.committed, early.busy_wait_ms), (0, 1.0));
        assert_eq!(
            early.write_lock_hold_ms.max, 1.0,
            "a lock still held counts until now"
        );
        tally.extend(&events[2..]);
        assert_eq!(tally.metrics(3000), Metrics::from_events(&events, 3000));
        assert_eq!(tally.jobs_done(), 1);
    }
}
