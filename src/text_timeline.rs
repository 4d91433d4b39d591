//! A timeline for terminals: one text lane per worker, one character per slice of
//! time (see `timeline` for what a slice shows).

use crate::timeline::{Cell, Mark, Timeline, View};
use crate::trace::{Role, TraceEvent};

/// The characters, weakest first; a slice shows the strongest that touched it.
pub const LEGEND: &str = ". none  s SHARED  r WAL read  R RESERVED  W WAL write  P PENDING  \
X EXCLUSIVE  ~ busy wait  ! error   (lanes: w writer, r reader, y you)";

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
    }
}

/// Render `events` of a run that lasted `end_us` as lanes `width` characters wide.
pub fn render(events: &[TraceEvent], end_us: u64, width: usize) -> String {
    render_timeline(&Timeline::from_events(events), end_us, width)
}

/// Render the lanes of `timeline` (a run that lasted `end_us`), `width` wide.
pub fn render_timeline(timeline: &Timeline, end_us: u64, width: usize) -> String {
    let view = View::new(0, end_us, width.max(10));
    let mut out = String::new();
    for lane in timeline.lanes() {
        let role = match lane.role {
            Some(Role::Reader) => 'r',
            Some(Role::Console) => 'y',
            _ => 'w',
        };
        let mut chars: Vec<char> = lane.cells(&view, end_us).into_iter().map(char_of).collect();
        for m in lane.marks(&view) {
            if let Mark::Error { .. } = m.mark {
                chars[view.column(m.t_us)] = '!';
            }
        }
        let chars: String = chars.into_iter().collect();
        out.push_str(&format!("{role}{:<3}|{chars}|\n", lane.worker));
    }
    out
}
