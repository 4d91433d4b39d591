//! What a lane shows, in words: the states of its bar (`Cell`, weakest first:
//! a column shows the strongest), each with the label and the one line the
//! page's legend and details give it. The kinds of error it marks are
//! `result_code::ErrorKind`.

use crate::lock::LockLevel;

/// What a lane's main bar shows in a column, weakest first: a column shows the
/// strongest state that touched it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cell {
    Idle,
    Shared,
    WalRead,
    Reserved,
    WalWrite,
    Pending,
    Exclusive,
    BusyWait,
    /// Waiting for its process's interpreter lock (`processes`): not SQLite's.
    InterpreterWait,
}

impl Cell {
    pub const ALL: [Cell; 9] = [
        Cell::Idle,
        Cell::Shared,
        Cell::WalRead,
        Cell::Reserved,
        Cell::WalWrite,
        Cell::Pending,
        Cell::Exclusive,
        Cell::BusyWait,
        Cell::InterpreterWait,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Cell::Idle => "no lock",
            Cell::Shared => "SHARED",
            Cell::WalRead => "WAL read",
            Cell::Reserved => "RESERVED",
            Cell::WalWrite => "WAL write",
            Cell::Pending => "PENDING",
            Cell::Exclusive => "EXCLUSIVE",
            Cell::BusyWait => "busy wait",
            Cell::InterpreterWait => "interpreter wait",
        }
    }

    /// What holding this state means for the other workers.
    pub fn explain(self) -> &'static str {
        match self {
            Cell::Idle => "holds no lock",
            Cell::Shared => "reading: other readers may share the database, a writer cannot commit",
            Cell::WalRead => {
                "a WAL read transaction: reads the database as of its first read; no writer \
                 waits for it, but while it lasts the WAL cannot start over"
            }
            Cell::Reserved => "the one writer: others may still read",
            Cell::WalWrite => "the one writer of a WAL database: readers go on reading",
            Cell::Pending => {
                "about to take EXCLUSIVE: no new SHARED lock is granted, readers already in finish"
            }
            Cell::Exclusive => {
                "nobody else may read or write: taken to write the database file (at COMMIT, \
                 or mid-transaction when the page cache spills), or from the start by BEGIN \
                 EXCLUSIVE"
            }
            Cell::BusyWait => {
                "SQLite sleeping before it asks again: its busy handler (busy_timeout) or, in \
                 WAL, its retry before a read"
            }
            Cell::InterpreterWait => {
                "waiting for its process's interpreter lock (as Ruby's GVL), which another \
                 worker of the process holds: not SQLite's lock; until it gets it the worker \
                 runs no statement, whatever SQLite locks it holds"
            }
        }
    }

    pub(super) fn of_level(level: LockLevel) -> Cell {
        match level {
            LockLevel::None => Cell::Idle,
            LockLevel::Shared => Cell::Shared,
            LockLevel::Reserved => Cell::Reserved,
            LockLevel::Pending => Cell::Pending,
            LockLevel::Exclusive => Cell::Exclusive,
        }
    }
}
