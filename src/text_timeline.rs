//! A timeline for terminals: one text lane per worker, one character per slice of
//! time (see `timeline` for what a slice shows).

use crate::timeline::{self, Cell};
use crate::trace::{Role, TraceEvent};

/// The characters, weakest first; a slice shows the strongest that touched it.
pub const LEGEND: &str = ". none  s SHARED  r WAL read  R RESERVED  W WAL write  P PENDING  \
X EXCLUSIVE  ~ busy wait  ! error";

fn char_of(cell: Cell) -> char {
    match cell {
        Cell::Idle => '.',
        Cell::Shared => 's',
        Cell::WalRead => 'r',
        Cell::Reserved => 'R',
        Cell::WalWrite => 'W',
        Cell::Pending => 'P',
        Cell::Exclusive => 'X',
        Cell::BusyWait => '~',
        Cell::Error => '!',
    }
}

/// Render `events` of a run that lasted `end_us` as lanes `width` characters wide.
pub fn render(events: &[TraceEvent], end_us: u64, width: usize) -> String {
    let mut out = String::new();
    for lane in timeline::lanes(events, 0, end_us, width.max(10)) {
        let role = match lane.role {
            Role::Writer => 'w',
            Role::Reader => 'r',
        };
        let cells: String = lane.cells.iter().map(|c| char_of(*c)).collect();
        out.push_str(&format!("{role}{:<3}|{cells}|\n", lane.worker));
    }
    out
}
