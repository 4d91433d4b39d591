//! What a lane's rows show over a view, column by column: the transaction row,
//! the bar, the job ticks and the errors. From far away (columns wider than a
//! bucket) they are read from the lane's summary, all four in one walk over its
//! buckets; nearer, from its spans and marks. What is still open (a lock held,
//! a transaction) is drawn until `now_us`.

use super::{within, Cell, ErrorKind, Lane, Mark, TxEnd, View};

/// A lane's four rows over a view, an entry per column.
#[derive(Clone, Debug, PartialEq)]
pub struct Rows {
    /// How the transaction in each column ended.
    pub txs: Vec<Option<TxEnd>>,
    /// The bar: the strongest state that touched each column.
    pub cells: Vec<Cell>,
    /// A job tick: `Some(true)` a completion, `Some(false)` a claim.
    pub jobs: Vec<Option<bool>>,
    /// The strongest error.
    pub errors: Vec<Option<ErrorKind>>,
}

impl Rows {
    fn blank(width: usize) -> Rows {
        Rows {
            txs: vec![None; width],
            cells: vec![Cell::Idle; width],
            jobs: vec![None; width],
            errors: vec![None; width],
        }
    }
}

/// Raise the columns `from` to `to` (times, the later end at least the
/// earlier) of `row` to `value`, if `view` shows any of them.
fn raise<T: Ord + Copy>(row: &mut [T], view: &View, from: u64, to: u64, value: T) {
    if view.touches(from, to) {
        for slot in &mut row[view.column(from)..=view.column(to.max(from))] {
            *slot = (*slot).max(value);
        }
    }
}

impl Lane {
    /// The lane's four rows over `view`; what is still open counts until
    /// `now_us`.
    pub fn rows(&self, view: &View, now_us: u64) -> Rows {
        let mut rows = self.closed_rows(view);
        self.open_transaction(view, now_us, &mut rows.txs);
        self.held_cells(view, now_us, &mut rows.cells);
        rows
    }

    /// The main bar over `view`: the strongest of lock level, WAL lock and busy wait
    /// in each column; what is still held counts until `now_us`.
    pub fn cells(&self, view: &View, now_us: u64) -> Vec<Cell> {
        self.rows(view, now_us).cells
    }

    /// The transaction row over `view`: how the transaction in each column ended.
    pub fn transactions(&self, view: &View, now_us: u64) -> Vec<Option<TxEnd>> {
        self.rows(view, now_us).txs
    }

    /// Per column of `view`: a job tick (`Some(true)` a completion, else a
    /// claim) and the strongest error.
    pub fn mark_columns(&self, view: &View) -> (Vec<Option<bool>>, Vec<Option<ErrorKind>>) {
        let rows = self.closed_rows(view);
        (rows.jobs, rows.errors)
    }

    /// Per column of `view`, from every mark however far `view` is: a job tick
    /// and the strongest error (the SVG export's).
    pub fn exact_mark_columns(&self, view: &View) -> (Vec<Option<bool>>, Vec<Option<ErrorKind>>) {
        let (mut jobs, mut errors) = (vec![None; view.width], vec![None; view.width]);
        self.mark_spans(view, &mut jobs, &mut errors);
        (jobs, errors)
    }

    /// The rows of what has ended: from the buckets, all four in one walk, or
    /// from the spans and marks.
    fn closed_rows(&self, view: &View) -> Rows {
        let mut rows = Rows::blank(view.width);
        if !self.summary.rows(view, &mut rows) {
            self.span_transactions(view, &mut rows.txs);
            self.span_cells(view, &mut rows.cells);
            self.mark_spans(view, &mut rows.jobs, &mut rows.errors);
        }
        rows
    }

    fn span_cells(&self, view: &View, cells: &mut [Cell]) {
        let (from, to) = (view.start_us, view.end_us);
        for s in within(&self.levels, from, to) {
            let cell = Cell::of_level(s.what);
            if cell != Cell::Idle {
                raise(cells, view, s.from_us, s.to_us, cell);
            }
        }
        for s in within(&self.wal_read, from, to) {
            raise(cells, view, s.from_us, s.to_us, Cell::WalRead);
        }
        for s in within(&self.wal_write, from, to) {
            raise(cells, view, s.from_us, s.to_us, Cell::WalWrite);
        }
        for s in within(&self.waits, from, to) {
            raise(cells, view, s.from_us, s.to_us, Cell::BusyWait);
        }
        for s in within(&self.interpreter_waits, from, to) {
            raise(cells, view, s.from_us, s.to_us, Cell::InterpreterWait);
        }
    }

    /// The locks still held, as if they ended at `now_us`.
    fn held_cells(&self, view: &View, now_us: u64, cells: &mut [Cell]) {
        for (hold, cell) in self.still_held(now_us) {
            if cell != Cell::Idle {
                raise(cells, view, hold.from_us, hold.to_us, cell);
            }
        }
    }

    fn span_transactions(&self, view: &View, row: &mut [Option<TxEnd>]) {
        for s in within(&self.txs, view.start_us, view.end_us) {
            raise(row, view, s.from_us, s.to_us, Some(s.what.end));
        }
    }

    /// The transaction still open, as if it ended at `now_us`.
    fn open_transaction(&self, view: &View, now_us: u64, row: &mut [Option<TxEnd>]) {
        if let Some((from, _)) = &self.open_tx {
            raise(row, view, *from, now_us, Some(TxEnd::Open));
        }
    }

    fn mark_spans(&self, view: &View, jobs: &mut [Option<bool>], errors: &mut [Option<ErrorKind>]) {
        for m in self.marks(view) {
            let x = view.column(m.t_us);
            match &m.mark {
                Mark::Claimed { .. } => jobs[x] = jobs[x].max(Some(false)),
                Mark::Done { .. } => jobs[x] = Some(true),
                Mark::Error { kind, .. } => errors[x] = errors[x].max(Some(*kind)),
            }
        }
    }
}
