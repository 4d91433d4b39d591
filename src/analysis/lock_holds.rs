//! Which locks one worker holds, and since when, read from its trace events one at
//! a time: the one place that turns `Lock` and `ShmLock` events into holds (a lock
//! level, or one of WAL's shm locks, on one database file, from a start to an
//! end). The timeline draws the holds, the metrics add them up, the Chrome trace
//! writes them out; none of them keeps lock state of its own.
//!
//! It reads only what the trace recorded and never guesses: a `LockDenied` changes
//! nothing here, because the VFS records the PENDING that a refused EXCLUSIVE
//! leaves behind as a `Lock` event of its own; a `WorkerKilled` ends every hold,
//! because the host releases a killed worker's locks at once. Each event costs the same, however
//! many came before, and allocates nothing, so the page's live views can read
//! every batch as it arrives.
//!
//! Besides holds, it can say what each shm slot is held as (`SlotHold`: which
//! slot, shared or exclusive): who-blocks-whom (`wait_for`) needs that finer grain
//! to tell which read mark, or which mode, was in the way of a refused shm lock.

use crate::lock::{LockLevel, SHM_SLOTS, WAL_FIRST_READ_SLOT, WAL_WRITE_SLOT};
use crate::trace::{DbFile, EventKind, TraceEvent};

/// A lock a connection can hold on a database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HeldLock {
    /// A lock level on the database file (never NONE, which holds nothing).
    Level(LockLevel),
    /// One or more of WAL's five read marks (shm slots 3 to 7), shared (a WAL read
    /// transaction) or exclusive (setting a mark). Several marks held at once are
    /// one hold.
    WalRead,
    /// WAL's write lock (shm slot 0): the one writer of a WAL database.
    WalWrite,
    /// WAL's checkpointer lock (shm slot 1).
    WalCheckpoint,
    /// WAL's recovery lock (shm slot 2): rebuilding the WAL index.
    WalRecovery,
}

impl HeldLock {
    /// The holds made of shm slots, in the order their state is kept.
    pub const WAL: [HeldLock; 4] = [
        HeldLock::WalRead,
        HeldLock::WalWrite,
        HeldLock::WalCheckpoint,
        HeldLock::WalRecovery,
    ];

    /// "SHARED", "WAL read", ...: what the timeline and the Chrome trace call it.
    pub fn name(self) -> &'static str {
        match self {
            HeldLock::Level(level) => level.name(),
            HeldLock::WalRead => "WAL read",
            HeldLock::WalWrite => "WAL write",
            HeldLock::WalCheckpoint => "WAL checkpoint",
            HeldLock::WalRecovery => "WAL recovery",
        }
    }

    /// The shm slots (a bit each) whose holding makes this hold.
    fn shm_slots(self) -> u8 {
        match self {
            HeldLock::Level(_) => 0,
            HeldLock::WalRead => 0xff << WAL_FIRST_READ_SLOT,
            HeldLock::WalWrite => 1 << WAL_WRITE_SLOT,
            HeldLock::WalCheckpoint => 1 << 1,
            HeldLock::WalRecovery => 1 << 2,
        }
    }
}

/// One hold of `held` on `db`, from `from_us` to `to_us`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Hold {
    pub db: DbFile,
    pub held: HeldLock,
    pub from_us: u64,
    pub to_us: u64,
}

/// One hold of one WAL shm slot on `db`, shared or exclusive, from `from_us` to
/// `to_us`: finer than `Hold`, which makes the five read marks one hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SlotHold {
    pub db: DbFile,
    pub slot: u8,
    pub exclusive: bool,
    pub from_us: u64,
    pub to_us: u64,
}

/// What one worker holds on each database file, and since when.
#[derive(Clone, Debug, Default)]
pub struct LockHolds {
    files: [FileHolds; 2],
}

/// What is held on one database file.
#[derive(Clone, Copy, Debug, Default)]
struct FileHolds {
    level: LockLevel,
    level_since: u64,
    /// The shm slots held now, a bit each.
    shm: u8,
    /// Since when each of `HeldLock::WAL` is held (meaningful while it is).
    wal_since: [u64; 4],
    /// Of `shm`, the slots held exclusive, a bit each.
    shm_exclusive: u8,
    /// Since when each shm slot is held (meaningful while it is).
    slot_since: [u64; SHM_SLOTS],
}

const FILES: [DbFile; 2] = [DbFile::Queue, DbFile::Results];

fn index(db: DbFile) -> usize {
    match db {
        DbFile::Queue => 0,
        DbFile::Results => 1,
    }
}

impl LockHolds {
    /// Read the worker's next event (its events come in the order it recorded
    /// them); `ended` receives each hold the event ended, in the order of
    /// `HeldLock::WAL` when one event ends several.
    pub fn read(&mut self, e: &TraceEvent, ended: impl FnMut(Hold)) {
        self.read_slots(e, ended, |_| {});
    }

    /// `read`, and `slot_ended` receives each shm slot hold the event ended, in
    /// slot order (after the holds it ended).
    pub fn read_slots(
        &mut self,
        e: &TraceEvent,
        mut ended: impl FnMut(Hold),
        mut slot_ended: impl FnMut(SlotHold),
    ) {
        let t = e.t_us;
        match &e.kind {
            EventKind::Lock { db, to, .. } => {
                let file = &mut self.files[index(*db)];
                if *to == file.level {
                    return;
                }
                if file.level != LockLevel::None {
                    ended(Hold {
                        db: *db,
                        held: HeldLock::Level(file.level),
                        from_us: file.level_since,
                        to_us: t,
                    });
                }
                file.level = *to;
                file.level_since = t;
            }
            EventKind::ShmLock {
                db,
                slot,
                n,
                acquire,
                exclusive,
                ok: true,
                ..
            } => {
                let file = &mut self.files[index(*db)];
                let end = slot.saturating_add(*n).min(SHM_SLOTS as u8);
                let bits = (*slot..end).fold(0u8, |b, s| b | 1 << s);
                let before = file.shm;
                file.shm = if *acquire {
                    before | bits
                } else {
                    before & !bits
                };
                for s in *slot..end {
                    let bit = 1u8 << s;
                    match (before & bit != 0, *acquire) {
                        (false, true) => file.slot_since[usize::from(s)] = t,
                        (true, false) => slot_ended(SlotHold {
                            db: *db,
                            slot: s,
                            exclusive: file.shm_exclusive & bit != 0,
                            from_us: file.slot_since[usize::from(s)],
                            to_us: t,
                        }),
                        _ => {}
                    }
                }
                if *acquire && *exclusive {
                    file.shm_exclusive |= bits;
                } else if !*acquire {
                    file.shm_exclusive &= !bits;
                }
                for (i, held) in HeldLock::WAL.into_iter().enumerate() {
                    let slots = held.shm_slots();
                    match (before & slots != 0, file.shm & slots != 0) {
                        (false, true) => file.wal_since[i] = t,
                        (true, false) => ended(Hold {
                            db: *db,
                            held,
                            from_us: file.wal_since[i],
                            to_us: t,
                        }),
                        _ => {}
                    }
                }
            }
            // The host releases a killed worker's locks (no Lock event records
            // that: the worker records nothing after its death).
            EventKind::WorkerKilled => {
                for hold in self.still_held(t) {
                    ended(hold);
                }
                for hold in self.slots_still_held(t) {
                    slot_ended(hold);
                }
                self.files = Default::default();
            }
            _ => {}
        }
    }

    /// The lock level held on `db` now.
    pub fn level(&self, db: DbFile) -> LockLevel {
        self.files[index(db)].level
    }

    /// The lock level held on `db` now, and since when.
    pub fn level_since(&self, db: DbFile) -> (LockLevel, u64) {
        let file = &self.files[index(db)];
        (file.level, file.level_since)
    }

    /// How shm slot `slot` of `db` is held now: exclusive or not, and since when.
    pub fn slot(&self, db: DbFile, slot: u8) -> Option<(bool, u64)> {
        let file = &self.files[index(db)];
        let bit = 1u8.checked_shl(u32::from(slot))?;
        (file.shm & bit != 0).then(|| {
            (
                file.shm_exclusive & bit != 0,
                file.slot_since[usize::from(slot)],
            )
        })
    }

    /// The shm slot holds not yet ended, as if they ended at `now_us` (or where
    /// they began, if later), per file in slot order.
    pub fn slots_still_held(&self, now_us: u64) -> impl Iterator<Item = SlotHold> + '_ {
        FILES.into_iter().flat_map(move |db| {
            (0..SHM_SLOTS as u8).filter_map(move |slot| {
                self.slot(db, slot).map(|(exclusive, since)| SlotHold {
                    db,
                    slot,
                    exclusive,
                    from_us: since,
                    to_us: now_us.max(since),
                })
            })
        })
    }

    /// Whether `held` is held on `db` now.
    pub fn holds(&self, db: DbFile, held: HeldLock) -> bool {
        let file = &self.files[index(db)];
        match held {
            HeldLock::Level(level) => file.level == level,
            _ => file.shm & held.shm_slots() != 0,
        }
    }

    /// The holds not yet ended, as if they ended at `now_us` (or where they began,
    /// if that is later): per file, the level first, then in the order of
    /// `HeldLock::WAL`.
    pub fn still_held(&self, now_us: u64) -> impl Iterator<Item = Hold> + '_ {
        FILES.into_iter().flat_map(move |db| {
            let file = &self.files[index(db)];
            let level = (file.level != LockLevel::None)
                .then_some((HeldLock::Level(file.level), file.level_since));
            let wal = HeldLock::WAL
                .into_iter()
                .zip(file.wal_since)
                .filter(|(held, _)| file.shm & held.shm_slots() != 0);
            level.into_iter().chain(wal).map(move |(held, since)| Hold {
                db,
                held,
                from_us: since,
                to_us: now_us.max(since),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trace::samples::at;
    use crate::trace::WorkerId;
    use DbFile::{Queue, Results};
    use LockLevel::{Exclusive, None, Pending, Reserved, Shared};

    fn lock(db: DbFile, from: LockLevel, to: LockLevel) -> EventKind {
        EventKind::Lock { db, from, to }
    }

    fn refused(db: DbFile, held: LockLevel, wanted: LockLevel, by: WorkerId) -> EventKind {
        EventKind::LockDenied {
            db,
            held,
            wanted,
            by: Some(by),
        }
    }

    /// An shm lock change: `+` takes, `-` releases; `x` exclusive, `s` shared;
    /// `!` marks a refused request.
    fn shm(db: DbFile, slot: u8, n: u8, how: &str) -> EventKind {
        EventKind::ShmLock {
            db,
            slot,
            n,
            exclusive: how.contains('x'),
            acquire: how.contains('+'),
            ok: !how.contains('!'),
            by: Option::None,
        }
    }

    /// Read `events` (of worker 0) one at a time, then end the run at `end_us`:
    /// every hold as "from..to db what", in the order they ended, those still held
    /// at the end last and marked so.
    fn holds(events: &[(u64, EventKind)], end_us: u64) -> Vec<String> {
        let line = |h: Hold| {
            let db = match h.db {
                Queue => "queue",
                Results => "results",
            };
            format!("{}..{} {db} {}", h.from_us, h.to_us, h.held.name())
        };
        let mut holds = LockHolds::default();
        let mut out = Vec::new();
        for (t, kind) in events {
            holds.read(&at(*t, 0, kind.clone()), |h| out.push(line(h)));
        }
        out.extend(
            holds
                .still_held(end_us)
                .map(|h| format!("{} (held at the end)", line(h))),
        );
        out
    }

    #[test]
    fn events_in_holds_out() {
        // What the case shows; the events, at their times; the holds out.
        type Case = (&'static str, Vec<(u64, EventKind)>, Vec<&'static str>);
        let cases: Vec<Case> = vec![
            (
                "a refused EXCLUSIVE leaves PENDING, which stays until EXCLUSIVE is had",
                vec![
                    (0, lock(Queue, None, Shared)),
                    (100, lock(Queue, Shared, Reserved)),
                    (200, refused(Queue, Reserved, Exclusive, 2)),
                    (200, lock(Queue, Reserved, Pending)),
                    (350, lock(Queue, Pending, Exclusive)),
                    (400, lock(Queue, Exclusive, None)),
                ],
                vec![
                    "0..100 queue SHARED",
                    "100..200 queue RESERVED",
                    "200..350 queue PENDING",
                    "350..400 queue EXCLUSIVE",
                ],
            ),
            (
                "a refused RESERVED changes nothing",
                vec![
                    (0, lock(Queue, None, Shared)),
                    (50, refused(Queue, Shared, Reserved, 1)),
                    (80, lock(Queue, Shared, None)),
                ],
                vec!["0..80 queue SHARED"],
            ),
            (
                "a WAL read mark held then released; a refused mark holds nothing",
                vec![
                    (0, lock(Queue, None, Shared)),
                    (10, shm(Queue, 4, 1, "+x!")),
                    (12, shm(Queue, 5, 1, "+x")),
                    (13, shm(Queue, 5, 1, "-x")),
                    (14, shm(Queue, 5, 1, "+s")),
                    (90, shm(Queue, 5, 1, "-s")),
                    (95, lock(Queue, Shared, None)),
                ],
                vec![
                    "12..13 queue WAL read",
                    "14..90 queue WAL read",
                    "0..95 queue SHARED",
                ],
            ),
            (
                "the write lock, inside a read transaction",
                vec![
                    (10, shm(Queue, 3, 1, "+s")),
                    (20, shm(Queue, 0, 1, "+x")),
                    (40, shm(Queue, 0, 1, "-x")),
                    (50, shm(Queue, 3, 1, "-s")),
                ],
                vec!["20..40 queue WAL write", "10..50 queue WAL read"],
            ),
            (
                "marks taken over a held one (a writer restarting the log) are one read hold",
                vec![
                    (0, shm(Queue, 3, 1, "+s")),
                    (10, shm(Queue, 4, 4, "+x")),
                    (20, shm(Queue, 4, 4, "-x")),
                    (30, shm(Queue, 3, 1, "-s")),
                ],
                vec!["0..30 queue WAL read"],
            ),
            (
                "recovery: every slot but the write lock in one request",
                vec![
                    (90, shm(Queue, 0, 1, "+x")),
                    (100, shm(Queue, 1, 7, "+x")),
                    (150, shm(Queue, 1, 7, "-x")),
                    (160, shm(Queue, 0, 1, "-x")),
                ],
                vec![
                    "100..150 queue WAL read",
                    "100..150 queue WAL checkpoint",
                    "100..150 queue WAL recovery",
                    "90..160 queue WAL write",
                ],
            ),
            (
                "locks still held at the end of the run end there",
                vec![
                    (0, lock(Queue, None, Reserved)),
                    (5, shm(Queue, 3, 1, "+s")),
                    (7, shm(Queue, 0, 1, "+x")),
                ],
                vec![
                    "0..1000 queue RESERVED (held at the end)",
                    "5..1000 queue WAL read (held at the end)",
                    "7..1000 queue WAL write (held at the end)",
                ],
            ),
            (
                "the results database is held apart from the queue",
                vec![
                    (0, lock(Queue, None, Shared)),
                    (10, lock(Results, None, Shared)),
                    (20, lock(Results, Shared, Reserved)),
                    (25, refused(Results, Reserved, Exclusive, 3)),
                    (25, lock(Results, Reserved, Pending)),
                    (30, lock(Queue, Shared, None)),
                    (40, lock(Results, Pending, Exclusive)),
                    (45, shm(Results, 0, 1, "+x")),
                    (60, lock(Results, Exclusive, Shared)),
                ],
                vec![
                    "10..20 results SHARED",
                    "20..25 results RESERVED",
                    "0..30 queue SHARED",
                    "25..40 results PENDING",
                    "40..60 results EXCLUSIVE",
                    "60..1000 results SHARED (held at the end)",
                    "45..1000 results WAL write (held at the end)",
                ],
            ),
            (
                "a killed worker's locks end when it dies: the host releases them",
                vec![
                    (0, lock(Queue, None, Shared)),
                    (10, lock(Queue, Shared, Reserved)),
                    (12, shm(Results, 3, 1, "+s")),
                    (50, EventKind::WorkerKilled),
                ],
                vec![
                    "0..10 queue SHARED",
                    "10..50 queue RESERVED",
                    "12..50 results WAL read",
                ],
            ),
            (
                "a lock event that changes nothing ends nothing",
                vec![
                    (0, lock(Queue, None, Shared)),
                    (5, lock(Queue, Shared, Shared)),
                    (9, lock(Queue, Shared, None)),
                ],
                vec!["0..9 queue SHARED"],
            ),
        ];
        for (name, events, expected) in cases {
            assert_eq!(holds(&events, 1000), expected, "{name}");
        }
    }

    /// Slot holds tell the read marks apart, and shared from exclusive, where
    /// holds make one "WAL read" of them.
    #[test]
    fn slot_holds_say_which_slot_and_how() {
        let events = [
            (0, shm(Queue, 3, 1, "+s")),
            (10, shm(Queue, 4, 4, "+x")),
            (20, shm(Queue, 4, 4, "-x")),
            (25, shm(Queue, 0, 1, "+x!")),
            (30, shm(Queue, 3, 1, "-s")),
            (40, shm(Results, 0, 1, "+x")),
            (50, EventKind::WorkerKilled),
        ];
        let mut holds = LockHolds::default();
        let mut out = Vec::new();
        for (t, kind) in &events {
            holds.read_slots(
                &at(*t, 0, kind.clone()),
                |_| {},
                |s| {
                    let how = if s.exclusive { "x" } else { "s" };
                    out.push(format!(
                        "{}..{} {:?} {} {how}",
                        s.from_us, s.to_us, s.db, s.slot
                    ));
                },
            );
            if *t == 10 {
                assert_eq!(holds.slot(Queue, 3), Some((false, 0)));
                assert_eq!(holds.slot(Queue, 5), Some((true, 10)));
                assert_eq!(holds.slot(Queue, 0), Option::None);
                assert_eq!(holds.slots_still_held(15).count(), 5);
            }
        }
        assert_eq!(
            out,
            [
                "10..20 Queue 4 x",
                "10..20 Queue 5 x",
                "10..20 Queue 6 x",
                "10..20 Queue 7 x",
                "0..30 Queue 3 s",
                "40..50 Results 0 x",
            ]
        );
        assert_eq!(holds.slots_still_held(60).count(), 0);
    }

    #[test]
    fn what_is_held_now() {
        let mut holds = LockHolds::default();
        holds.read(&at(500, 0, lock(Queue, None, Shared)), |_| {});
        let still: Vec<Hold> = holds.still_held(400).collect();
        assert_eq!((still[0].from_us, still[0].to_us), (500, 500));
        assert_eq!(holds.level(Queue), Shared);
        assert_eq!(holds.level(Results), None);
        assert!(holds.holds(Queue, HeldLock::Level(Shared)));
        assert!(!holds.holds(Queue, HeldLock::WalWrite));
        holds.read(&at(600, 0, shm(Queue, 0, 1, "+x")), |_| {});
        assert!(holds.holds(Queue, HeldLock::WalWrite));
        assert!(!holds.holds(Results, HeldLock::WalWrite));
    }
}
