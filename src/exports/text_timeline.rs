//! A timeline for terminals: one text lane per worker, one character per slice of
//! time (see `timeline` for what a slice shows), and who blocked whom as a table
//! (the wait-for matrix of the report).

use crate::analysis::metrics::WorkerMetrics;
use crate::decimal::Dec;
use crate::timeline::{Cell, Mark, Timeline, View};
use crate::trace::HOST_WORKER;
use crate::trace::{Role, TraceEvent, WorkerId};

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
        Cell::InterpreterWait => 'g',
    }
}

/// The letter a lane's name starts with: `w` a writer, `r` a reader, `y` you (the
/// page's console).
fn role_char(role: Option<Role>) -> char {
    match role {
        Some(Role::Reader) => 'r',
        Some(Role::Console) => 'y',
        _ => 'w',
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
        let role = role_char(lane.role);
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

/// The wait-for matrix of `workers` (the report's `blocked_by`) as a table: a row
/// per worker that was refused or waited, a column per worker in the way (then
/// the host's connection and nobody known, if any), each cell "refusals, ms of
/// busy wait"; empty when nobody was blocked.
pub fn blocked_by(workers: &[WorkerMetrics]) -> String {
    let rows: Vec<&WorkerMetrics> = workers
        .iter()
        .filter(|w| !w.blocked_by.is_empty())
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut columns: Vec<Option<WorkerId>> = rows
        .iter()
        .flat_map(|w| w.blocked_by.iter().map(|b| b.by))
        .collect();
    columns.sort_by_key(|by| (by.is_none(), *by));
    columns.dedup();
    let tag = |id: WorkerId| {
        let role = workers.iter().find(|w| w.id == id).map(|w| w.role);
        format!("{}{id}", role_char(role))
    };
    let name = |by: Option<WorkerId>| match by {
        Some(HOST_WORKER) => "host".to_string(),
        Some(w) => format!("by {}", tag(w)),
        None => "nobody".to_string(),
    };
    let mut out = format!("{:<8}", "refused");
    for by in &columns {
        out.push_str(&format!("{:>16}", name(*by)));
    }
    out.push('\n');
    for w in rows {
        out.push_str(&format!("{:<8}", tag(w.id)));
        for by in &columns {
            let cell = match w.blocked_by.iter().find(|b| b.by == *by) {
                Some(b) => format!("{}, {:.1} ms", b.refusals, Dec(b.wait_ms)),
                None if *by == Some(w.id) => "-".to_string(),
                None => ".".to_string(),
            };
            out.push_str(&format!("{cell:>16}"));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::metrics::{BlockedBy, LockTimes};
    use std::collections::BTreeMap;

    fn worker(id: WorkerId, blocked_by: Vec<BlockedBy>) -> WorkerMetrics {
        WorkerMetrics {
            id,
            role: Role::Writer,
            plays: None,
            jobs_done: 0,
            errors: BTreeMap::new(),
            busy_wait_ms: 0.0,
            interpreter_wait_ms: 0.0,
            lock_ms: LockTimes::default(),
            lost_races: 0,
            killed: false,
            killed_at_ms: None,
            refused_locks: blocked_by.iter().map(|b| b.refusals).sum(),
            blocked_by,
        }
    }

    fn by(by: Option<WorkerId>, refusals: u64, wait_ms: f64) -> BlockedBy {
        BlockedBy {
            by,
            by_role: None,
            refusals,
            wait_ms,
        }
    }

    #[test]
    fn the_matrix_has_a_row_per_worker_blocked_and_a_column_per_blocker() {
        let workers = [
            worker(0, vec![by(Some(1), 12, 3.25)]),
            worker(1, vec![by(Some(0), 4, 0.0), by(None, 0, 1.0)]),
            worker(2, vec![]),
        ];
        assert_eq!(
            blocked_by(&workers),
            "refused            by w0           by w1          nobody\n\
             w0                     -      12, 3.2 ms               .\n\
             w1             4, 0.0 ms               -       0, 1.0 ms\n"
        );
        assert_eq!(blocked_by(&workers[2..]), "");
    }
}
