//! The lock table: SQLite's five lock levels and WAL's eight shm lock slots, across
//! every connection of every worker, in shared memory.
//!
//! One record per open connection (per main-database file handle) holds its owner
//! (the worker), its lock level and the shm slots it holds shared or exclusive. A
//! request is decided under the table's spin lock by looking at all other records,
//! with the rules of SQLite's unix VFS:
//!
//! - SHARED: refused while another holds PENDING or EXCLUSIVE;
//! - RESERVED (from SHARED): refused while another holds RESERVED or above;
//! - EXCLUSIVE: first PENDING (refused while another holds PENDING or above), then
//!   EXCLUSIVE (refused while another holds SHARED or above). A refusal at the
//!   second step leaves the connection at PENDING, which stops new SHARED locks;
//! - an shm slot: shared while no other holds it exclusive; exclusive while no other
//!   holds it at all.
//!
//! A request that cannot be granted is refused at once: waiting is the busy
//! handler's job. A table can be given a stamp (`stamping`) that it calls while it
//! still holds its spin lock after each decision, so that the trace times every
//! grant, release and refusal in the order the table decided them: who blocks whom
//! (`wait_for`) reads the holder of a refused lock from those times. With [`Locking::None`] every request is granted (the broken
//! network-filesystem case), and the records still say who holds what.

use super::shared_words::{SharedWords, SpinGuard};
use crate::lock::{LockLevel, SHM_SLOTS};

/// Records in one table: 16 writers, 8 readers, the host's (or the page's keeper's)
/// connection and the SQL console's, each with two connections (the queue and the
/// results database), fit.
pub const SLOTS: usize = (16 + 8 + 1 + 1) * 2;
const FIELDS: usize = 4;
const OWNER: usize = 0;
const LEVEL: usize = 1;
const SHM_SHARED: usize = 2;
const SHM_EXCLUSIVE: usize = 3;

/// Whether locks are enforced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Locking {
    Normal,
    /// Every lock is granted: what a network filesystem with broken locking does.
    None,
}

/// Why a lock was not granted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LockError {
    /// Another connection is in the way: `by` is its owner; the connection now
    /// holds `held`.
    Busy { held: LockLevel, by: u32 },
    /// SQLite's pager never asks for this move.
    Illegal { from: LockLevel, to: LockLevel },
}

/// A view of the lock table stored at `base` in `words`.
pub struct LockTable<'a> {
    words: &'a dyn SharedWords,
    base: usize,
    /// Called under the spin lock after each decision.
    stamp: Option<&'a dyn Fn(u64) -> u64>,
}

/// The records, copied out of shared memory under the table's spin lock: every
/// decision reads them all, and in a browser each shared-memory access is a call
/// into JavaScript, so one bulk copy each way beats two hundred single loads.
struct Records([u32; SLOTS * FIELDS]);

impl Records {
    fn get(&self, slot: usize, field: usize) -> i32 {
        self.0[slot * FIELDS + field] as i32
    }
    fn set(&mut self, slot: usize, field: usize, value: i32) {
        self.0[slot * FIELDS + field] = value as u32;
    }
    fn taken(&self, slot: usize) -> bool {
        self.get(slot, OWNER) != 0
    }
    fn owner(&self, slot: usize) -> u32 {
        self.get(slot, OWNER) as u32 - 1
    }
    fn level(&self, slot: usize) -> LockLevel {
        LockLevel::from_sqlite(self.get(slot, LEVEL)).unwrap_or(LockLevel::None)
    }
    fn clear(&mut self, slot: usize) {
        for field in [LEVEL, SHM_SHARED, SHM_EXCLUSIVE, OWNER] {
            self.set(slot, field, 0);
        }
    }
    /// The owner of another taken record whose level is at least `level`.
    fn other_at_least(&self, slot: usize, level: LockLevel) -> Option<u32> {
        (0..SLOTS)
            .filter(|&s| s != slot && self.taken(s))
            .find(|&s| self.get(s, LEVEL) >= level as i32)
            .map(|s| self.owner(s))
    }
}

impl<'a> LockTable<'a> {
    /// Words the table occupies: the spin lock, the records, and the time of the
    /// last decision stamped (two words, low then high).
    pub const WORDS: usize = 1 + SLOTS * FIELDS + 2;
    const LAST_STAMP: usize = 1 + SLOTS * FIELDS;

    pub fn new(words: &'a dyn SharedWords, base: usize) -> LockTable<'a> {
        LockTable {
            words,
            base,
            stamp: None,
        }
    }

    /// The same table, calling `stamp` after each decision while no other can be
    /// made (the VFS reads its trace clock there). `stamp` is given the time of the
    /// table's last decision and returns this one's, never earlier: workers' clocks
    /// can differ by some microseconds (each Web Worker has its own time origin),
    /// and a grant timed after the refusal it caused would hide who was in the way.
    pub fn stamping(self, stamp: &'a dyn Fn(u64) -> u64) -> LockTable<'a> {
        LockTable {
            stamp: Some(stamp),
            ..self
        }
    }

    /// Run `decide` on the records under the spin lock, then write back the words it
    /// changed (and call the stamp, still under the spin lock, keeping its time).
    /// The records and the last stamp are read in one copy: in a browser each
    /// shared-memory access is a call into JavaScript, and every lock change of
    /// every transaction comes here.
    fn with_records<R>(&self, decide: impl FnOnce(&mut Records) -> R) -> R {
        let _g = SpinGuard::lock(self.words, self.base);
        let mut read = [0u32; SLOTS * FIELDS + 2];
        self.words.read(self.base + 1, &mut read);
        let mut records = Records([0; SLOTS * FIELDS]);
        records.0.copy_from_slice(&read[..SLOTS * FIELDS]);
        let before = records.0;
        let result = decide(&mut records);
        for (i, (now, was)) in records.0.iter().zip(before.iter()).enumerate() {
            if now != was {
                self.words.store(self.base + 1 + i, *now as i32);
            }
        }
        if let Some(stamp) = self.stamp {
            let at = self.base + Self::LAST_STAMP;
            let last = read[SLOTS * FIELDS] as u64 | (read[SLOTS * FIELDS + 1] as u64) << 32;
            let now = stamp(last);
            if now != last {
                self.words.store(at, now as u32 as i32);
                self.words.store(at + 1, (now >> 32) as u32 as i32);
            }
        }
        result
    }

    /// Take a free record for a connection of `owner`; `None` when all are taken.
    pub fn claim(&self, owner: u32) -> Option<usize> {
        self.with_records(|r| {
            let slot = (0..SLOTS).find(|&s| !r.taken(s))?;
            r.clear(slot);
            r.set(slot, OWNER, owner as i32 + 1);
            Some(slot)
        })
    }

    /// Give a record back, with every lock it held; returns whether it was the
    /// last record taken (the database's last connection closed).
    pub fn free(&self, slot: usize) -> bool {
        self.with_records(|r| {
            r.clear(slot);
            !(0..SLOTS).any(|s| r.taken(s))
        })
    }

    /// Release every lock of every connection of `owner` (a worker that died);
    /// returns how many connections it had.
    pub fn release_owner(&self, owner: u32) -> usize {
        self.with_records(|r| {
            let theirs: Vec<usize> = (0..SLOTS)
                .filter(|&s| r.taken(s) && r.owner(s) == owner)
                .collect();
            for &slot in &theirs {
                r.clear(slot);
            }
            theirs.len()
        })
    }

    pub fn level(&self, slot: usize) -> LockLevel {
        self.with_records(|r| r.level(slot))
    }

    /// The owner of the record `slot`, if taken.
    pub fn owner(&self, slot: usize) -> Option<u32> {
        self.with_records(|r| r.taken(slot).then(|| r.owner(slot)))
    }

    /// xLock: raise `slot` to `wanted`. Returns the level now held.
    pub fn lock(
        &self,
        slot: usize,
        wanted: LockLevel,
        locking: Locking,
    ) -> Result<LockLevel, LockError> {
        self.with_records(|r| {
            let held = r.level(slot);
            if wanted <= held {
                return Ok(held);
            }
            let legal = match wanted {
                LockLevel::Shared => held == LockLevel::None,
                LockLevel::Reserved => held == LockLevel::Shared,
                LockLevel::Exclusive => held >= LockLevel::Shared,
                LockLevel::None | LockLevel::Pending => false,
            };
            if !legal {
                return Err(LockError::Illegal {
                    from: held,
                    to: wanted,
                });
            }
            let busy = |by: u32, held: LockLevel| Err(LockError::Busy { held, by });
            if locking == Locking::Normal {
                match wanted {
                    LockLevel::Shared => {
                        if let Some(by) = r.other_at_least(slot, LockLevel::Pending) {
                            return busy(by, held);
                        }
                    }
                    LockLevel::Reserved => {
                        if let Some(by) = r.other_at_least(slot, LockLevel::Reserved) {
                            return busy(by, held);
                        }
                    }
                    _ => {
                        if held < LockLevel::Pending {
                            if let Some(by) = r.other_at_least(slot, LockLevel::Pending) {
                                return busy(by, held);
                            }
                            r.set(slot, LEVEL, LockLevel::Pending as i32);
                        }
                        if let Some(by) = r.other_at_least(slot, LockLevel::Shared) {
                            return busy(by, LockLevel::Pending);
                        }
                    }
                }
            }
            r.set(slot, LEVEL, wanted as i32);
            Ok(wanted)
        })
    }

    /// xUnlock: lower `slot` to SHARED or NONE.
    pub fn unlock(&self, slot: usize, to: LockLevel) -> Result<LockLevel, LockError> {
        self.with_records(|r| {
            let held = r.level(slot);
            if to > LockLevel::Shared {
                return Err(LockError::Illegal { from: held, to });
            }
            let now = held.min(to);
            r.set(slot, LEVEL, now as i32);
            Ok(now)
        })
    }

    /// xCheckReservedLock: does any connection (this one included) hold RESERVED
    /// or above?
    pub fn reserved(&self) -> bool {
        self.with_records(|r| {
            (0..SLOTS).any(|s| r.taken(s) && r.get(s, LEVEL) >= LockLevel::Reserved as i32)
        })
    }

    /// xShmLock with SQLITE_SHM_LOCK: take slots `first..first + n`.
    pub fn shm_lock(
        &self,
        slot: usize,
        first: usize,
        n: usize,
        exclusive: bool,
        locking: Locking,
    ) -> Result<(), u32> {
        let mask = shm_mask(first, n);
        self.with_records(|r| {
            if locking == Locking::Normal {
                for other in (0..SLOTS).filter(|&s| s != slot && r.taken(s)) {
                    let theirs = r.get(other, SHM_EXCLUSIVE)
                        | if exclusive {
                            r.get(other, SHM_SHARED)
                        } else {
                            0
                        };
                    if theirs & mask != 0 {
                        return Err(r.owner(other));
                    }
                }
            }
            let field = if exclusive { SHM_EXCLUSIVE } else { SHM_SHARED };
            r.set(slot, field, r.get(slot, field) | mask);
            Ok(())
        })
    }

    /// xShmLock with SQLITE_SHM_UNLOCK.
    pub fn shm_unlock(&self, slot: usize, first: usize, n: usize, exclusive: bool) {
        let mask = shm_mask(first, n);
        self.with_records(|r| {
            let field = if exclusive { SHM_EXCLUSIVE } else { SHM_SHARED };
            r.set(slot, field, r.get(slot, field) & !mask);
        })
    }

    /// The shm slots `slot` holds: (shared mask, exclusive mask).
    pub fn shm_held(&self, slot: usize) -> (u32, u32) {
        self.with_records(|r| {
            (
                r.get(slot, SHM_SHARED) as u32,
                r.get(slot, SHM_EXCLUSIVE) as u32,
            )
        })
    }

    /// Set a field directly (tests put connections at a level).
    #[cfg(test)]
    fn set(&self, slot: usize, field: usize, value: i32) {
        self.with_records(|r| r.set(slot, field, value))
    }
}

fn shm_mask(first: usize, n: usize) -> i32 {
    let end = (first + n).min(SHM_SLOTS);
    (first..end).fold(0, |m, k| m | (1 << k))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::shared_words::ProcessWords;
    use LockLevel::*;

    fn table(words: &ProcessWords) -> LockTable<'_> {
        LockTable::new(words, 0)
    }

    fn busy(held: LockLevel, by: u32) -> Result<LockLevel, LockError> {
        Err(LockError::Busy { held, by })
    }

    /// Two connections, a and b: each move of a against each level b holds.
    #[test]
    fn every_move_against_each_level_of_another_connection() {
        // (b holds, a holds, a wants, expected result for a)
        let cases: &[(
            LockLevel,
            LockLevel,
            LockLevel,
            Result<LockLevel, LockError>,
        )] = &[
            (None, None, Shared, Ok(Shared)),
            (Shared, None, Shared, Ok(Shared)),
            (Reserved, None, Shared, Ok(Shared)),
            (Pending, None, Shared, busy(None, 2)),
            (Exclusive, None, Shared, busy(None, 2)),
            (None, Shared, Reserved, Ok(Reserved)),
            (Shared, Shared, Reserved, Ok(Reserved)),
            (Reserved, Shared, Reserved, busy(Shared, 2)),
            (Pending, Shared, Reserved, busy(Shared, 2)),
            (None, Reserved, Exclusive, Ok(Exclusive)),
            (Shared, Reserved, Exclusive, busy(Pending, 2)),
            (None, Shared, Exclusive, Ok(Exclusive)),
            (Shared, Shared, Exclusive, busy(Pending, 2)),
            (Reserved, Shared, Exclusive, busy(Pending, 2)),
            (Pending, Shared, Exclusive, busy(Shared, 2)),
            (None, Pending, Exclusive, Ok(Exclusive)),
            (Shared, Pending, Exclusive, busy(Pending, 2)),
            // Illegal moves: SQLite's pager never makes them.
            (
                None,
                None,
                Reserved,
                Err(LockError::Illegal {
                    from: None,
                    to: Reserved,
                }),
            ),
            (
                None,
                None,
                Exclusive,
                Err(LockError::Illegal {
                    from: None,
                    to: Exclusive,
                }),
            ),
            (
                None,
                Shared,
                Pending,
                Err(LockError::Illegal {
                    from: Shared,
                    to: Pending,
                }),
            ),
            // Asking for what is held already changes nothing.
            (Shared, Exclusive, Shared, Ok(Exclusive)),
            (Shared, Reserved, Reserved, Ok(Reserved)),
        ];
        for &(b_holds, a_holds, a_wants, expected) in cases {
            let words = ProcessWords::zeroed(LockTable::WORDS);
            let t = table(&words);
            let (a, b) = (t.claim(1).unwrap(), t.claim(2).unwrap());
            t.set(b, LEVEL, b_holds as i32);
            t.set(a, LEVEL, a_holds as i32);
            let got = t.lock(a, a_wants, Locking::Normal);
            assert_eq!(
                got, expected,
                "b holds {b_holds:?}, a holds {a_holds:?}, a wants {a_wants:?}"
            );
            let now = match got {
                Ok(level) | Err(LockError::Busy { held: level, .. }) => level,
                Err(LockError::Illegal { from, .. }) => from,
            };
            assert_eq!(t.level(a), now, "the table holds what the answer says");
            assert_eq!(t.level(b), b_holds, "b is untouched");
        }
    }

    #[test]
    fn three_connections_follow_a_whole_write() {
        let words = ProcessWords::zeroed(LockTable::WORDS);
        let t = table(&words);
        let (a, b, c) = (
            t.claim(0).unwrap(),
            t.claim(1).unwrap(),
            t.claim(2).unwrap(),
        );
        for s in [a, b, c] {
            assert_eq!(t.lock(s, Shared, Locking::Normal), Ok(Shared));
        }
        assert_eq!(t.lock(a, Reserved, Locking::Normal), Ok(Reserved));
        assert!(t.reserved());
        assert_eq!(t.lock(b, Reserved, Locking::Normal), busy(Shared, 0));
        // a's commit: PENDING is had, EXCLUSIVE is not while b and c read.
        assert_eq!(t.lock(a, Exclusive, Locking::Normal), busy(Pending, 1));
        // PENDING stops new readers...
        assert_eq!(t.unlock(b, None), Ok(None));
        assert_eq!(t.lock(b, Shared, Locking::Normal), busy(None, 0));
        // ...and once the last reader leaves, EXCLUSIVE is granted.
        assert_eq!(t.lock(a, Exclusive, Locking::Normal), busy(Pending, 2));
        assert_eq!(t.unlock(c, None), Ok(None));
        assert_eq!(t.lock(a, Exclusive, Locking::Normal), Ok(Exclusive));
        assert_eq!(t.lock(c, Shared, Locking::Normal), busy(None, 0));
        assert_eq!(t.unlock(a, Shared), Ok(Shared));
        assert!(!t.reserved());
        assert_eq!(t.lock(b, Shared, Locking::Normal), Ok(Shared));
        assert_eq!(t.lock(c, Shared, Locking::Normal), Ok(Shared));
        assert_eq!(
            t.unlock(a, Reserved),
            Err(LockError::Illegal {
                from: Shared,
                to: Reserved
            })
        );
    }

    #[test]
    fn shm_slots_share_readers_and_exclude_writers() {
        let words = ProcessWords::zeroed(LockTable::WORDS);
        let t = table(&words);
        let (a, b) = (t.claim(7).unwrap(), t.claim(8).unwrap());
        assert_eq!(t.shm_lock(a, 3, 1, false, Locking::Normal), Ok(()));
        assert_eq!(t.shm_lock(b, 3, 1, false, Locking::Normal), Ok(()));
        assert_eq!(t.shm_lock(b, 3, 1, true, Locking::Normal), Err(7));
        assert_eq!(t.shm_lock(a, 0, 1, true, Locking::Normal), Ok(()));
        assert_eq!(t.shm_lock(b, 0, 1, true, Locking::Normal), Err(7));
        assert_eq!(t.shm_lock(b, 0, 1, false, Locking::Normal), Err(7));
        assert_eq!(t.shm_lock(b, 1, 2, true, Locking::Normal), Ok(()));
        assert_eq!(t.shm_held(b), (1 << 3, 0b110));
        t.shm_unlock(a, 0, 1, true);
        assert_eq!(t.shm_lock(b, 0, 1, true, Locking::Normal), Ok(()));
    }

    #[test]
    fn a_dead_owner_releases_every_lock_it_held() {
        let words = ProcessWords::zeroed(LockTable::WORDS);
        let t = table(&words);
        let (dead, dead_too, alive) = (
            t.claim(3).unwrap(),
            t.claim(3).unwrap(),
            t.claim(4).unwrap(),
        );
        t.lock(dead, Shared, Locking::Normal).unwrap();
        t.lock(dead, Reserved, Locking::Normal).unwrap();
        t.lock(dead, Exclusive, Locking::Normal).unwrap();
        t.shm_lock(dead_too, 0, 1, true, Locking::Normal).unwrap();
        assert_eq!(t.lock(alive, Shared, Locking::Normal), busy(None, 3));
        assert_eq!(t.release_owner(3), 2);
        assert_eq!(t.lock(alive, Shared, Locking::Normal), Ok(Shared));
        assert_eq!(t.shm_lock(alive, 0, 1, true, Locking::Normal), Ok(()));
        assert_eq!(t.owner(dead), Option::None);
    }

    #[test]
    fn without_locking_everything_is_granted_and_recorded() {
        let words = ProcessWords::zeroed(LockTable::WORDS);
        let t = table(&words);
        let (a, b) = (t.claim(0).unwrap(), t.claim(1).unwrap());
        for s in [a, b] {
            t.lock(s, Shared, Locking::None).unwrap();
            t.lock(s, Reserved, Locking::None).unwrap();
            assert_eq!(t.lock(s, Exclusive, Locking::None), Ok(Exclusive));
            assert_eq!(t.shm_lock(s, 0, 1, true, Locking::None), Ok(()));
        }
        assert_eq!((t.level(a), t.level(b)), (Exclusive, Exclusive));
    }

    #[test]
    fn records_run_out_cleanly() {
        let words = ProcessWords::zeroed(LockTable::WORDS);
        let t = table(&words);
        for owner in 0..SLOTS as u32 {
            assert!(t.claim(owner).is_some());
        }
        assert_eq!(t.claim(99), Option::None);
        t.free(5);
        assert_eq!(t.claim(99), Some(5));
    }

    /// Worker 1's clock lags worker 0's by 50 us: its refusal, decided after worker
    /// 0's grant, is still stamped no earlier than that grant.
    #[test]
    fn a_stamp_is_never_earlier_than_the_decision_before_it() {
        let words = ProcessWords::zeroed(LockTable::WORDS);
        let (a, b) = (
            table(&words).claim(0).unwrap(),
            table(&words).claim(1).unwrap(),
        );
        let stamps = std::cell::RefCell::new(Vec::new());
        let clock_of = |now: u64| {
            let stamps = &stamps;
            move |floor: u64| {
                let at = now.max(floor);
                stamps.borrow_mut().push((floor, at));
                at
            }
        };
        let (ahead, behind) = (clock_of(1_000), clock_of(950));
        let (worker_0, worker_1) = (
            table(&words).stamping(&ahead),
            table(&words).stamping(&behind),
        );
        worker_0.lock(a, Shared, Locking::Normal).unwrap();
        worker_0.lock(a, Exclusive, Locking::Normal).unwrap();
        assert_eq!(worker_1.lock(b, Shared, Locking::Normal), busy(None, 0));
        let stamps = stamps.into_inner();
        assert_eq!(stamps, vec![(0, 1_000), (1_000, 1_000), (1_000, 1_000)]);
    }
}
