//! Lock hand-offs, read from the trace alone: how long the write lock stayed free
//! between one worker's release and the grant to a worker that was waiting for it.
//!
//! The write lock is RESERVED or above on the queue database in the rollback
//! modes, WAL's write lock (shm slot 0) in WAL mode. A worker waits for it from
//! its first refused request for it (a `LockDenied` wanting RESERVED or above, a
//! refused exclusive `ShmLock` of the write slot) while not holding it, until it
//! next holds it. A hand-off is a release of the write lock, by worker A, whose
//! next grant (the lock is one worker's at a time, so there is one) goes to a
//! worker B other than A that has been waiting since the release or before; it
//! lasts from the release to that grant. A release whose next grant goes to its
//! releaser, or to a worker that asked only later, hands nothing off. A killed
//! worker's locks are released at its `WorkerKilled` (the host releases them).
//!
//! Events come one worker at a time in any interleaving, as the page's live view
//! gets them: each worker's releases and grants wait in its own queue until every
//! other expected worker's events have gone past them, and are then merged in
//! time order (a release before a grant of the same microsecond: the grant cannot
//! have come first). Times are the trace's: microseconds, so the browser's
//! coarsened clock (5 µs steps in a cross-origin isolated page) shows in them.

use crate::analysis::lock_holds::{HeldLock, LockHolds};
use crate::analysis::percentiles::Percentiles;
use crate::lock::WAL_WRITE_SLOT;
use crate::trace::{DbFile, EventKind, TraceEvent, WorkerId};
use std::collections::{BTreeMap, VecDeque};

/// A moment of one worker's write lock, waiting in its queue to be merged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Moment {
    Release {
        t_us: u64,
    },
    /// The worker got the write lock; it had waited since `waiting_since` (the
    /// first refusal since it last held it), if it had been refused.
    Grant {
        t_us: u64,
        waiting_since: Option<u64>,
    },
}

impl Moment {
    /// Merge order: by time, a release before a grant at the same time.
    fn key(self) -> (u64, u8) {
        match self {
            Moment::Release { t_us } => (t_us, 0),
            Moment::Grant { t_us, .. } => (t_us, 1),
        }
    }
}

/// One worker as the hand-offs see it.
#[derive(Clone, Debug, Default)]
struct Lane {
    holds: LockHolds,
    /// The time of its last event; further events come no earlier.
    last_us: u64,
    /// It ended (or was killed): no more events will come.
    ended: bool,
    waiting_since: Option<u64>,
    queue: VecDeque<Moment>,
}

impl Lane {
    fn writes(&self) -> bool {
        self.holds.level(DbFile::Queue).is_write()
            || self.holds.holds(DbFile::Queue, HeldLock::WalWrite)
    }
}

/// One hand-off: `from` released the write lock at `released_us`; `to`, refused
/// it since `waiting_since_us`, got it next, at `granted_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HandOff {
    pub from: WorkerId,
    pub to: WorkerId,
    pub waiting_since_us: u64,
    pub released_us: u64,
    pub granted_us: u64,
}

impl HandOff {
    pub fn us(&self) -> u64 {
        self.granted_us - self.released_us
    }
}

/// The run's lock hand-offs so far, read one event at a time.
#[derive(Clone, Debug, Default)]
pub struct HandOffs {
    merge: Merge,
    /// How long each took (what the metrics need, kept small).
    samples_us: Vec<f64>,
    /// Each in full, when asked for (`from_events`).
    details: Option<Vec<HandOff>>,
    /// Events read since the queues were last merged.
    unmerged: u32,
}

/// Events read between two merges of the queues. Merging looks at every lane
/// (twice per moment merged), which at every event was a quarter of the time the
/// page spent reading a 16-worker run's events; a later merge finds the same
/// moments in the same order, and the answers below merge what is still queued.
const MERGE_EVERY: u32 = 64;

/// The workers' queued moments and the merge of them so far: what is cloned to
/// count the moments still queued.
#[derive(Clone, Debug, Default)]
struct Merge {
    lanes: BTreeMap<WorkerId, Lane>,
    /// The last merged release of the write lock not yet followed by a grant.
    released: Option<(WorkerId, u64)>,
}

impl HandOffs {
    /// Expect workers `ids`: nothing is merged before each has gone past it.
    pub fn expect(&mut self, ids: impl IntoIterator<Item = WorkerId>) {
        for id in ids {
            self.merge.lanes.entry(id).or_default();
        }
    }

    /// The hand-offs of a whole trace (each worker's events in its order), each
    /// kept in full (`list`).
    pub fn from_events(events: &[TraceEvent]) -> HandOffs {
        let mut handoffs = HandOffs {
            details: Some(Vec::new()),
            ..HandOffs::default()
        };
        for e in events {
            handoffs.add(e);
        }
        handoffs
    }

    /// Read one more event; events of one worker come in the order it recorded them.
    pub fn add(&mut self, e: &TraceEvent) {
        self.merge.read(e);
        self.unmerged += 1;
        if self.unmerged < MERGE_EVERY {
            return;
        }
        self.unmerged = 0;
        let limit = self.merge.settled_before();
        let (samples, details) = (&mut self.samples_us, &mut self.details);
        self.merge.run(limit, |h| {
            samples.push(h.us() as f64);
            if let Some(details) = details {
                details.push(h);
            }
        });
    }

    /// The hand-offs so far, in microseconds, counting every moment read (as if
    /// no more events were to come).
    pub fn percentiles(&self) -> Percentiles {
        let mut samples = self.samples_us.clone();
        self.merge
            .clone()
            .run(u64::MAX, |h| samples.push(h.us() as f64));
        Percentiles::of(samples)
    }

    /// Each hand-off so far, in the order they happened (the moments still
    /// waiting for other workers' events merged as they stand); empty unless made
    /// by `from_events`.
    pub fn list(&self) -> Vec<HandOff> {
        let mut list = self.details.clone().unwrap_or_default();
        self.merge.clone().run(u64::MAX, |h| list.push(h));
        list
    }

    /// Each hand-off so far, in microseconds, in the order they happened.
    pub fn samples_us(&self) -> Vec<f64> {
        let mut samples = self.samples_us.clone();
        self.merge
            .clone()
            .run(u64::MAX, |h| samples.push(h.us() as f64));
        samples
    }
}

impl Merge {
    /// Queue the write-lock moment `e` makes, if any, and note a wait it begins.
    fn read(&mut self, e: &TraceEvent) {
        let lane = self.lanes.entry(e.worker).or_default();
        let before = lane.writes();
        let refused = match &e.kind {
            EventKind::LockDenied {
                db: DbFile::Queue,
                wanted,
                ..
            } => wanted.is_write(),
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot,
                exclusive: true,
                acquire: true,
                ok: false,
                ..
            } => *slot == WAL_WRITE_SLOT,
            _ => false,
        };
        if refused && !before {
            lane.waiting_since.get_or_insert(e.t_us);
        }
        lane.holds.read(e, |_| {});
        let after = lane.writes();
        if !before && after {
            let waiting_since = lane.waiting_since.take();
            lane.queue.push_back(Moment::Grant {
                t_us: e.t_us,
                waiting_since,
            });
        } else if before && !after {
            lane.queue.push_back(Moment::Release { t_us: e.t_us });
        }
        lane.last_us = lane.last_us.max(e.t_us);
        if matches!(e.kind, EventKind::WorkerEnd | EventKind::WorkerKilled) {
            lane.ended = true;
            lane.waiting_since = None;
        }
    }

    /// Moments before this time can be merged: every worker still to send events
    /// has gone past it.
    fn settled_before(&self) -> u64 {
        self.lanes
            .values()
            .filter(|l| !l.ended)
            .map(|l| l.last_us)
            .min()
            .unwrap_or(u64::MAX)
    }

    /// Merge the queued moments earlier than `limit`, in time order, giving
    /// `found` each hand-off.
    fn run(&mut self, limit: u64, mut found: impl FnMut(HandOff)) {
        loop {
            let next = self
                .lanes
                .iter()
                .filter_map(|(id, l)| l.queue.front().map(|m| (m.key(), *id)))
                .filter(|((t, _), _)| *t < limit)
                .min();
            let Some((_, id)) = next else { return };
            let Some(moment) = self.lanes.get_mut(&id).and_then(|l| l.queue.pop_front()) else {
                return;
            };
            match moment {
                Moment::Release { t_us } => self.released = Some((id, t_us)),
                Moment::Grant {
                    t_us,
                    waiting_since,
                } => {
                    if let (Some((from, released)), Some(since)) = (self.released, waiting_since) {
                        if from != id && since <= released && released <= t_us {
                            found(HandOff {
                                from,
                                to: id,
                                waiting_since_us: since,
                                released_us: released,
                                granted_us: t_us,
                            });
                        }
                    }
                    self.released = None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::LockLevel::{self, *};
    use crate::trace::samples::{at, lock};

    fn denied(held: LockLevel, wanted: LockLevel) -> EventKind {
        EventKind::LockDenied {
            db: DbFile::Queue,
            held,
            wanted,
            by: Option::None,
        }
    }

    fn write_slot(acquire: bool, ok: bool) -> EventKind {
        EventKind::ShmLock {
            db: DbFile::Queue,
            slot: WAL_WRITE_SLOT,
            n: 1,
            exclusive: true,
            acquire,
            ok,
            by: Option::None,
        }
    }

    /// Worker 0 holds the write lock from 0 to 100 µs; worker 1 is refused at 10,
    /// worker 2 only at 105 (after the release); worker 1 gets it at 112, so the
    /// hand-off is 12 µs. Worker 1 releases at 200 and takes it back at 203: no
    /// hand-off, though worker 2 waits. Worker 2 then gets it at 320 after
    /// worker 1's release at 300: 20 µs.
    #[test]
    fn a_hand_made_trace_in_rollback_mode() {
        let events = [
            at(0, 0, lock(None, Shared)),
            at(1, 0, lock(Shared, Reserved)),
            at(10, 1, lock(None, Shared)),
            at(11, 1, denied(Shared, Reserved)),
            at(12, 1, lock(Shared, None)),
            at(90, 0, lock(Reserved, Exclusive)),
            at(100, 0, lock(Exclusive, Shared)),
            at(101, 0, lock(Shared, None)),
            at(105, 2, denied(None, Shared)),
            at(110, 1, lock(None, Shared)),
            at(112, 1, lock(Shared, Reserved)),
            at(150, 2, lock(None, Shared)),
            at(151, 2, denied(Shared, Reserved)),
            at(152, 2, lock(Shared, None)),
            at(200, 1, lock(Reserved, Shared)),
            at(201, 1, lock(Shared, None)),
            at(202, 1, lock(None, Shared)),
            at(203, 1, lock(Shared, Reserved)),
            at(300, 1, lock(Reserved, None)),
            at(310, 2, lock(None, Shared)),
            at(320, 2, lock(Shared, Reserved)),
            at(400, 2, lock(Reserved, None)),
        ];
        assert_eq!(HandOffs::from_events(&events).samples_us(), [12.0, 20.0]);
    }

    /// The same answer whatever the interleaving of workers, as the page reads
    /// batches: worker 1's events first, then worker 0's, expecting both.
    #[test]
    fn batches_of_one_worker_at_a_time_give_the_same_hand_offs() {
        let w0 = [
            at(0, 0, write_slot(true, true)),
            at(50, 0, write_slot(false, true)),
            at(60, 0, EventKind::WorkerEnd),
        ];
        let w1 = [
            at(5, 1, write_slot(true, false)),
            at(7, 1, write_slot(true, false)),
            at(55, 1, write_slot(true, true)),
            at(70, 1, write_slot(false, true)),
        ];
        let mut handoffs = HandOffs::default();
        handoffs.expect([0, 1]);
        for e in w1.iter().chain(&w0) {
            handoffs.add(e);
        }
        let mut sorted: Vec<_> = w0.iter().chain(&w1).cloned().collect();
        sorted.sort_by_key(|e| (e.t_us, e.worker));
        assert_eq!(handoffs.samples_us(), [5.0]);
        assert_eq!(HandOffs::from_events(&sorted).samples_us(), [5.0]);
    }

    /// At the same microsecond, sorted by worker, a grant can come before the
    /// release it followed: the release still counts first. A refusal made while
    /// holding the write lock (EXCLUSIVE refused by readers) is no wait for it.
    #[test]
    fn ties_and_refusals_while_holding() {
        let events = [
            at(0, 1, lock(None, Shared)),
            at(1, 1, lock(Shared, Reserved)),
            at(2, 1, denied(Reserved, Exclusive)),
            at(3, 0, denied(Shared, Reserved)),
            at(40, 0, lock(Shared, Reserved)),
            at(40, 1, lock(Reserved, None)),
            at(50, 0, lock(Reserved, None)),
            at(60, 1, lock(None, Reserved)),
        ];
        let h = HandOffs::from_events(&events);
        assert_eq!(h.samples_us(), [0.0]);
        assert_eq!(h.percentiles().count, 1);
    }

    /// A killed worker's write lock is released when it dies.
    #[test]
    fn a_killed_holder_releases_at_its_death() {
        let events = [
            at(0, 0, lock(None, Reserved)),
            at(5, 1, denied(None, Reserved)),
            at(30, 0, EventKind::WorkerKilled),
            at(45, 1, lock(None, Reserved)),
        ];
        assert_eq!(HandOffs::from_events(&events).samples_us(), [15.0]);
    }

    /// A long run, read as the page reads it (batches of one worker at a time,
    /// merged many times over) and in time order: the write lock goes round three
    /// workers 150 times, each time to a worker refused since before the release,
    /// 3 µs after it.
    #[test]
    fn a_long_run_read_in_batches_finds_every_hand_off() {
        let mut lanes: [Vec<TraceEvent>; 3] = Default::default();
        for i in 0..150u64 {
            let (holder, next) = ((i % 3) as u32, ((i + 1) % 3) as u32);
            lanes[holder as usize].push(at(10 * i, holder, write_slot(true, true)));
            lanes[next as usize].push(at(10 * i + 1, next, write_slot(true, false)));
            lanes[holder as usize].push(at(10 * i + 7, holder, write_slot(false, true)));
        }
        let mut handoffs = HandOffs::default();
        handoffs.expect([0, 1, 2]);
        let batches: Vec<Vec<&[TraceEvent]>> =
            lanes.iter().map(|l| l.chunks(8).collect()).collect();
        let rounds = batches.iter().map(Vec::len).max().unwrap_or(0);
        for round in 0..rounds {
            for lane in [2, 0, 1] {
                for e in batches[lane].get(round).copied().unwrap_or_default() {
                    handoffs.add(e);
                }
            }
        }
        assert_eq!(handoffs.samples_us(), vec![3.0; 149]);
        // The whole trace in time order, each hand-off in full.
        let mut sorted: Vec<_> = lanes.concat();
        sorted.sort_by_key(|e| e.t_us);
        let list = HandOffs::from_events(&sorted).list();
        assert_eq!(list.len(), 149);
        for (i, h) in list.iter().enumerate() {
            let i = i as u64;
            assert_eq!((h.from, h.to), ((i % 3) as u32, ((i + 1) % 3) as u32));
            assert_eq!((h.released_us, h.granted_us), (10 * i + 7, 10 * i + 10));
        }
    }
}
