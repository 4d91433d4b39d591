//! SQLite's lock vocabulary: the five file lock levels and the eight WAL shm lock slots.
//!
//! These are the states the timeline draws. The names and numbers are SQLite's own
//! (`SQLITE_LOCK_*` in sqlite3.h, `WAL_*_LOCK` in wal.c), so a trace read next to
//! SQLite's documentation needs no translation.

use serde::{Deserialize, Serialize};

/// The lock a connection holds on a database file.
///
/// Legal moves (SQLite's pager makes only these): NONE -> SHARED; SHARED -> RESERVED;
/// RESERVED -> PENDING -> EXCLUSIVE (PENDING is also where a failed attempt at
/// EXCLUSIVE leaves a connection); any level -> SHARED or NONE on unlock. Many
/// connections may hold SHARED; one may hold RESERVED beside them; PENDING stops new
/// SHARED locks; EXCLUSIVE needs every other SHARED gone.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum LockLevel {
    #[default]
    None = 0,
    Shared = 1,
    Reserved = 2,
    Pending = 3,
    Exclusive = 4,
}

impl LockLevel {
    pub const ALL: [LockLevel; 5] = [
        LockLevel::None,
        LockLevel::Shared,
        LockLevel::Reserved,
        LockLevel::Pending,
        LockLevel::Exclusive,
    ];

    /// The level for one of SQLite's `SQLITE_LOCK_*` numbers; `None` if out of range.
    pub fn from_sqlite(level: i32) -> Option<LockLevel> {
        Self::ALL.get(usize::try_from(level).ok()?).copied()
    }

    pub fn name(self) -> &'static str {
        match self {
            LockLevel::None => "NONE",
            LockLevel::Shared => "SHARED",
            LockLevel::Reserved => "RESERVED",
            LockLevel::Pending => "PENDING",
            LockLevel::Exclusive => "EXCLUSIVE",
        }
    }

    /// Whether another connection holding this level refuses a request for
    /// `wanted` (the unix VFS's rules): SHARED is refused by PENDING and above,
    /// RESERVED by RESERVED and above, PENDING and EXCLUSIVE by SHARED and above.
    pub fn refuses(self, wanted: LockLevel) -> bool {
        match wanted {
            LockLevel::None => false,
            LockLevel::Shared => self >= LockLevel::Pending,
            LockLevel::Reserved => self >= LockLevel::Reserved,
            LockLevel::Pending | LockLevel::Exclusive => self >= LockLevel::Shared,
        }
    }

    /// RESERVED and above: this connection is the database's one writer.
    pub fn is_write(self) -> bool {
        self >= LockLevel::Reserved
    }
}

/// SQLite's WAL shm lock slots (wal.c): 0 is the write lock, 1 the checkpointer's,
/// 2 recovery, 3..=7 the five read marks.
pub const SHM_SLOTS: usize = 8;
pub const WAL_WRITE_SLOT: u8 = 0;
pub const WAL_FIRST_READ_SLOT: u8 = 3;

/// A short human name for an shm slot, as the timeline labels it.
pub fn shm_slot_name(slot: u8) -> &'static str {
    match slot {
        0 => "WAL_WRITE",
        1 => "WAL_CKPT",
        2 => "WAL_RECOVER",
        3 => "WAL_READ0",
        4 => "WAL_READ1",
        5 => "WAL_READ2",
        6 => "WAL_READ3",
        7 => "WAL_READ4",
        _ => "WAL_?",
    }
}
