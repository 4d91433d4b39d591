//! The timeline model: one lane per worker, time cut into equal slices, each slice
//! holding the strongest state that touched it (a lock level, a busy wait, an
//! error). The terminal timeline and the page's SVG timeline both draw this; the
//! cost of drawing depends on the number of slices, not of events.

use crate::lock::{LockLevel, SHM_SLOTS, WAL_FIRST_READ_SLOT, WAL_WRITE_SLOT};
use crate::trace::{DbFile, EventKind, Role, TraceEvent, WorkerId};
use std::collections::BTreeMap;

/// What a slice of a lane shows, weakest first: a slice shows the strongest state
/// that touched it.
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
    Error,
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
        Cell::Error,
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
            Cell::Error => "error",
        }
    }

    fn of_level(level: LockLevel) -> Cell {
        match level {
            LockLevel::None => Cell::Idle,
            LockLevel::Shared => Cell::Shared,
            LockLevel::Reserved => Cell::Reserved,
            LockLevel::Pending => Cell::Pending,
            LockLevel::Exclusive => Cell::Exclusive,
        }
    }
}

/// One worker's lane.
#[derive(Clone, Debug, PartialEq)]
pub struct Lane {
    pub worker: WorkerId,
    pub role: Role,
    pub cells: Vec<Cell>,
}

/// One lane's state while its events are read.
struct Reading {
    lane: Lane,
    level: (LockLevel, u64),
    shm: [Option<u64>; SHM_SLOTS],
}

/// The lanes of `events` between `start_us` and `end_us`, cut into `width` slices.
pub fn lanes(events: &[TraceEvent], start_us: u64, end_us: u64, width: usize) -> Vec<Lane> {
    let width = width.max(1);
    let span = end_us.saturating_sub(start_us).max(1) as u128;
    let col = |t: u64| {
        let t = t.clamp(start_us, end_us) - start_us;
        ((t as u128 * width as u128 / (span + 1)) as usize).min(width - 1)
    };
    let mark = |lane: &mut Lane, from: u64, to: u64, cell: Cell| {
        if to < start_us || from > end_us {
            return;
        }
        for slot in &mut lane.cells[col(from)..=col(to.max(from))] {
            *slot = (*slot).max(cell);
        }
    };
    let mut reading: BTreeMap<WorkerId, Reading> = BTreeMap::new();
    for e in events {
        let r = reading.entry(e.worker).or_insert_with(|| Reading {
            lane: Lane {
                worker: e.worker,
                role: Role::Writer,
                cells: vec![Cell::Idle; width],
            },
            level: (LockLevel::None, e.t_us),
            shm: [None; SHM_SLOTS],
        });
        match &e.kind {
            EventKind::WorkerStart { role } => r.lane.role = *role,
            EventKind::Lock {
                db: DbFile::Queue,
                to,
                ..
            } => {
                let (level, since) = r.level;
                mark(&mut r.lane, since, e.t_us, Cell::of_level(level));
                r.level = (*to, e.t_us);
            }
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot,
                n,
                acquire,
                ok: true,
                ..
            } => {
                for s in *slot..slot.saturating_add(*n).min(SHM_SLOTS as u8) {
                    if *acquire {
                        r.shm[s as usize].get_or_insert(e.t_us);
                    } else if let Some(since) = r.shm[s as usize].take() {
                        if s == WAL_WRITE_SLOT {
                            mark(&mut r.lane, since, e.t_us, Cell::WalWrite);
                        } else if s >= WAL_FIRST_READ_SLOT {
                            mark(&mut r.lane, since, e.t_us, Cell::WalRead);
                        }
                    }
                }
            }
            EventKind::BusyWait { dur_us, .. } => {
                mark(&mut r.lane, e.t_us, e.t_us + dur_us, Cell::BusyWait)
            }
            EventKind::Error { .. } => mark(&mut r.lane, e.t_us, e.t_us, Cell::Error),
            _ => {}
        }
    }
    reading
        .into_values()
        .map(|mut r| {
            let (level, since) = r.level;
            mark(&mut r.lane, since, end_us, Cell::of_level(level));
            for (s, held) in r.shm.iter().enumerate() {
                if let Some(since) = held {
                    let cell = if s as u8 == WAL_WRITE_SLOT {
                        Cell::WalWrite
                    } else {
                        Cell::WalRead
                    };
                    if s as u8 == WAL_WRITE_SLOT || s as u8 >= WAL_FIRST_READ_SLOT {
                        mark(&mut r.lane, *since, end_us, cell);
                    }
                }
            }
            r.lane
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t_us: u64, worker: WorkerId, kind: EventKind) -> TraceEvent {
        TraceEvent { t_us, worker, kind }
    }

    #[test]
    fn each_slice_shows_the_strongest_state_that_touched_it() {
        use LockLevel::*;
        let lock = |from, to| EventKind::Lock {
            db: DbFile::Queue,
            from,
            to,
        };
        let events = [
            at(0, 0, lock(None, Shared)),
            at(100, 0, lock(Shared, Reserved)),
            at(200, 0, lock(Reserved, Exclusive)),
            at(300, 0, lock(Exclusive, None)),
            at(
                0,
                1,
                EventKind::BusyWait {
                    requested_us: 100,
                    dur_us: 150,
                },
            ),
            at(
                350,
                1,
                EventKind::Error {
                    step: crate::trace::Step::Claim,
                    sql: "BEGIN".into(),
                    code: 5,
                    extended: 5,
                    name: "SQLITE_BUSY".into(),
                    message: "database is locked".into(),
                    after_us: 0,
                },
            ),
        ];
        let lanes = lanes(&events, 0, 399, 4);
        assert_eq!(
            lanes[0].cells,
            vec![
                Cell::Shared,
                Cell::Reserved,
                Cell::Exclusive,
                Cell::Exclusive
            ]
        );
        assert_eq!(
            lanes[1].cells,
            vec![Cell::BusyWait, Cell::BusyWait, Cell::Idle, Cell::Error]
        );
        // A window shows only its part of the run.
        let zoomed = super::lanes(&events, 200, 299, 2);
        assert_eq!(zoomed[0].cells, vec![Cell::Exclusive, Cell::Exclusive]);
        assert_eq!(zoomed[1].cells, vec![Cell::Idle, Cell::Idle]);
    }
}
