//! What every lane is doing at one moment, one line each: what a replay lists at
//! its playhead ("worker 0: EXCLUSIVE (writing the database file), running
//! `COMMIT`; worker 1: busy wait for RESERVED, which worker 0 holds"). Read from
//! the lanes' tracks and the run's wait-for graph; nothing is kept.

use super::{within, Cell, Lane, Timeline};

impl Timeline {
    /// Each lane's state at `t_us`, in words, in lane order.
    pub fn moment(&self, t_us: u64) -> Vec<String> {
        self.lanes()
            .map(|lane| format!("{}: {}", lane.name(), self.lane_at(lane, t_us)))
            .collect()
    }

    fn lane_at(&self, lane: &Lane, t_us: u64) -> String {
        let cell = lane
            .state_in(t_us, t_us, self.last_us())
            .map_or(Cell::Idle, |(_, _, cell)| cell);
        let mut said = match cell {
            Cell::Idle => "no lock".to_string(),
            Cell::BusyWait => self.waiting(lane, t_us),
            held => format!("{} ({})", held.label(), short(held)),
        };
        if let Some(s) = within(&lane.statements, t_us, t_us).last() {
            said.push_str(&format!(", running `{}`", self.sql[s.what.1 as usize]));
        } else if let Some(tx) = within(&lane.txs, t_us, t_us).last() {
            said.push_str(&format!(
                ", between statements of its transaction ({})",
                super::step_name(tx.what.step)
            ));
        }
        said
    }

    /// "busy wait for RESERVED, which worker 0 holds", as far as the trace says.
    fn waiting(&self, lane: &Lane, t_us: u64) -> String {
        let refusal = within(&lane.waits, t_us, t_us)
            .last()
            .and_then(|w| w.what.refusal);
        let Some(id) = refusal else {
            return "busy wait".to_string();
        };
        let wanted = self.wait_for.refusal(id).wanted.name();
        match self.wait_for.blocker(id) {
            Some(holder) => format!(
                "busy wait for {wanted}, which {} holds",
                self.lane_of(holder)
                    .and_then(|i| self.lane(i))
                    .map_or(format!("worker {holder}"), Lane::name)
            ),
            None => format!("busy wait for {wanted}"),
        }
    }
}

/// What a held state means, in a few words.
fn short(cell: Cell) -> &'static str {
    match cell {
        Cell::Shared => "reading",
        Cell::WalRead => "reading a snapshot",
        Cell::Reserved => "writing, others may read",
        Cell::WalWrite => "the one writer",
        Cell::Pending => "waiting for readers to leave",
        Cell::Exclusive => "writing the database file, or held since BEGIN EXCLUSIVE",
        Cell::Idle | Cell::BusyWait | Cell::InterpreterWait => "",
    }
}
