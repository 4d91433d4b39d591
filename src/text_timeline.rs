//! A timeline for terminals: one text lane per worker, one character per slice of
//! time, showing the strongest thing that happened in that slice.

use crate::lock::{LockLevel, WAL_FIRST_READ_SLOT, WAL_WRITE_SLOT};
use crate::trace::{DbFile, EventKind, Role, TraceEvent, WorkerId};
use std::collections::BTreeMap;

/// The characters, weakest first; a slice shows the strongest that touched it.
pub const LEGEND: &str = ". none  s SHARED  r WAL read  R RESERVED  W WAL write  P PENDING  \
X EXCLUSIVE  ~ busy wait  ! error";

fn rank(c: char) -> u8 {
    match c {
        's' => 1,
        'r' => 2,
        'R' => 3,
        'W' => 4,
        'P' => 5,
        'X' => 6,
        '~' => 7,
        '!' => 8,
        _ => 0,
    }
}

fn level_char(level: LockLevel) -> char {
    match level {
        LockLevel::None => '.',
        LockLevel::Shared => 's',
        LockLevel::Reserved => 'R',
        LockLevel::Pending => 'P',
        LockLevel::Exclusive => 'X',
    }
}

struct Lane {
    role: Role,
    cells: Vec<char>,
    level: (LockLevel, u64),
    shm: [Option<u64>; 8],
}

/// Render `events` of a run that lasted `end_us` as lanes `width` characters wide.
pub fn render(events: &[TraceEvent], end_us: u64, width: usize) -> String {
    let width = width.max(10);
    let end = end_us.max(1);
    let col =
        |t: u64| ((t.min(end) as u128 * width as u128 / (end as u128 + 1)) as usize).min(width - 1);
    let mut lanes: BTreeMap<WorkerId, Lane> = BTreeMap::new();
    let mark = |lane: &mut Lane, from: u64, to: u64, c: char| {
        for cell in &mut lane.cells[col(from)..=col(to.max(from))] {
            if rank(c) > rank(*cell) {
                *cell = c;
            }
        }
    };
    for e in events {
        let lane = lanes.entry(e.worker).or_insert_with(|| Lane {
            role: Role::Writer,
            cells: vec!['.'; width],
            level: (LockLevel::None, e.t_us),
            shm: [None; 8],
        });
        match &e.kind {
            EventKind::WorkerStart { role } => lane.role = *role,
            EventKind::Lock {
                db: DbFile::Queue,
                to,
                ..
            } => {
                let (level, since) = lane.level;
                if level != LockLevel::None {
                    mark(lane, since, e.t_us, level_char(level));
                }
                lane.level = (*to, e.t_us);
            }
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot,
                n,
                acquire,
                ok: true,
                ..
            } => {
                for s in *slot..(slot + n).min(8) {
                    if *acquire {
                        lane.shm[s as usize].get_or_insert(e.t_us);
                    } else if let Some(since) = lane.shm[s as usize].take() {
                        if s == WAL_WRITE_SLOT {
                            mark(lane, since, e.t_us, 'W');
                        } else if s >= WAL_FIRST_READ_SLOT {
                            mark(lane, since, e.t_us, 'r');
                        }
                    }
                }
            }
            EventKind::BusyWait { dur_us, .. } => mark(lane, e.t_us, e.t_us + dur_us, '~'),
            EventKind::Error { .. } => mark(lane, e.t_us, e.t_us, '!'),
            _ => {}
        }
    }
    let mut out = String::new();
    for (id, lane) in &mut lanes {
        let (level, since) = lane.level;
        if level != LockLevel::None {
            mark(lane, since, end, level_char(level));
        }
        let role = match lane.role {
            Role::Writer => 'w',
            Role::Reader => 'r',
        };
        out.push_str(&format!(
            "{role}{id:<3}|{}|\n",
            lane.cells.iter().collect::<String>()
        ));
    }
    out
}
