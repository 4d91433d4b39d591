//! One worker's lock holds over time, kept as long as a refusal by another worker
//! may still ask about them: what it held at a moment, and since when.
//!
//! The holds come from `lock_holds` (levels, and shm slots one by one); this file
//! only keeps them in order and answers "what did this worker hold at `t` that
//! refuses that request". It never decides a hold itself.

use super::{Holding, Wanted};
use crate::analysis::lock_holds::{HeldLock, LockHolds};
use crate::lock::{LockLevel, SHM_SLOTS};
use crate::trace::{DbFile, EventKind, TraceEvent};
use std::collections::VecDeque;

/// A lock level held from `from_us` to `to_us`.
#[derive(Clone, Copy, Debug)]
struct LevelSpan {
    from_us: u64,
    to_us: u64,
    level: LockLevel,
    /// For each level L (by number), since when the worker held L or above without
    /// a break, if this level is at least L.
    streak: [u64; 5],
}

/// A shm slot held from `from_us` to `to_us`.
#[derive(Clone, Copy, Debug)]
struct SlotSpan {
    from_us: u64,
    to_us: u64,
    exclusive: bool,
}

/// A lock a worker held at a moment that refused a request, with since when it
/// held that lock and since when it held one that refuses the request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct InTheWay {
    pub holding: Holding,
    pub since_us: u64,
    pub in_way_since_us: u64,
}

/// What one worker held, on both database files.
#[derive(Clone, Debug, Default)]
pub(super) struct History {
    holds: LockHolds,
    levels: [VecDeque<LevelSpan>; 2],
    slots: [[VecDeque<SlotSpan>; SHM_SLOTS]; 2],
    /// The held level's streaks (see `LevelSpan::streak`), per file.
    streak: [[u64; 5]; 2],
}

const FILES: [DbFile; 2] = [DbFile::Queue, DbFile::Results];

fn index(db: DbFile) -> usize {
    match db {
        DbFile::Queue => 0,
        DbFile::Results => 1,
    }
}

/// The weakest level that refuses `wanted` when another connection holds it.
fn first_refusing(wanted: LockLevel) -> LockLevel {
    LockLevel::ALL
        .into_iter()
        .find(|l| l.refuses(wanted))
        .unwrap_or(LockLevel::Exclusive)
}

impl History {
    /// Read the worker's next event.
    pub fn read(&mut self, e: &TraceEvent) {
        // Only these change what is held.
        if !matches!(
            e.kind,
            EventKind::Lock { .. } | EventKind::ShmLock { .. } | EventKind::WorkerKilled
        ) {
            return;
        }
        let before = FILES.map(|db| self.holds.level(db));
        let (levels, slots, streak) = (&mut self.levels, &mut self.slots, &self.streak);
        self.holds.read_slots(
            e,
            |hold| {
                if let HeldLock::Level(level) = hold.held {
                    let i = index(hold.db);
                    levels[i].push_back(LevelSpan {
                        from_us: hold.from_us,
                        to_us: hold.to_us,
                        level,
                        streak: streak[i],
                    });
                }
            },
            |slot| {
                slots[index(slot.db)][usize::from(slot.slot)].push_back(SlotSpan {
                    from_us: slot.from_us,
                    to_us: slot.to_us,
                    exclusive: slot.exclusive,
                });
            },
        );
        for (i, db) in FILES.into_iter().enumerate() {
            let (after, since) = self.holds.level_since(db);
            if after != before[i] {
                for l in LockLevel::ALL.into_iter().skip(1) {
                    if l <= after && before[i] < l {
                        self.streak[i][l as usize] = since;
                    }
                }
            }
        }
    }

    /// Forget holds that ended before `cut_us`: no refusal will ask about them.
    pub fn forget_before(&mut self, cut_us: u64) {
        for track in &mut self.levels {
            while track.front().is_some_and(|s| s.to_us < cut_us) {
                track.pop_front();
            }
        }
        for track in self.slots.iter_mut().flatten() {
            while track.front().is_some_and(|s| s.to_us < cut_us) {
                track.pop_front();
            }
        }
    }

    /// How many ended holds are kept (the tests check they are forgotten).
    #[cfg(test)]
    pub fn kept(&self) -> usize {
        self.levels.iter().map(|t| t.len()).sum::<usize>()
            + self.slots.iter().flatten().map(|t| t.len()).sum::<usize>()
    }

    /// Each lock this worker held at `t_us` (a hold counts from its first moment
    /// to its last, both included) on `db` that refuses `wanted`, to `found`.
    pub fn in_the_way(
        &self,
        db: DbFile,
        wanted: Wanted,
        t_us: u64,
        mut found: impl FnMut(InTheWay),
    ) {
        let i = index(db);
        match wanted {
            Wanted::Level(wanted) => {
                let threshold = first_refusing(wanted) as usize;
                let mut take = |level: LockLevel, since: u64, streak: [u64; 5]| {
                    if level.refuses(wanted) {
                        found(InTheWay {
                            holding: Holding::Level(level),
                            since_us: since,
                            in_way_since_us: streak[threshold],
                        });
                    }
                };
                for s in covering(&self.levels[i], t_us, |s| (s.from_us, s.to_us)) {
                    take(s.level, s.from_us, s.streak);
                }
                let (level, since) = self.holds.level_since(db);
                if level != LockLevel::None && since <= t_us {
                    take(level, since, self.streak[i]);
                }
            }
            Wanted::Shm { slot, n, exclusive } => {
                let end = slot.saturating_add(n).min(SHM_SLOTS as u8);
                for s in slot..end {
                    let mut take = |held_exclusive: bool, since: u64| {
                        if held_exclusive || exclusive {
                            found(InTheWay {
                                holding: Holding::Shm {
                                    slot: s,
                                    exclusive: held_exclusive,
                                },
                                since_us: since,
                                in_way_since_us: since,
                            });
                        }
                    };
                    let track = &self.slots[i][usize::from(s)];
                    for span in covering(track, t_us, |s| (s.from_us, s.to_us)) {
                        take(span.exclusive, span.from_us);
                    }
                    if let Some((held_exclusive, since)) = self.holds.slot(db, s) {
                        if since <= t_us {
                            take(held_exclusive, since);
                        }
                    }
                }
            }
        }
    }
}

/// The spans of a track (in time order, disjoint but for shared ends) that cover
/// `t_us`: at most the last one that began by then and one that ended just as it
/// began.
fn covering<T>(
    track: &VecDeque<T>,
    t_us: u64,
    range: impl Fn(&T) -> (u64, u64),
) -> impl Iterator<Item = &T> {
    let begun = track.partition_point(|s| range(s).0 <= t_us);
    track
        .range(..begun)
        .rev()
        .take_while(move |s| range(s).1 >= t_us)
}
