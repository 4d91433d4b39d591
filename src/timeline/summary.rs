//! A lane seen from far away: for each bucket of time (1, 4, 16 and 64 ms), the
//! strongest state its bar showed, how its transactions ended, whether a job was
//! claimed or done and the strongest error in it. Built along with the spans from
//! the same events, so a view whose columns are wider than a bucket reads the
//! buckets instead of every span: a frame of a million-job run costs its columns,
//! not its tens of millions of events. A bucket is a few bytes, so a lane keeps
//! them for the whole run even where it keeps no spans (see `Timeline`'s detail
//! budget).

use super::{Cell, ErrorKind, Rows, TxEnd, View};

/// The widths of the buckets, narrowest first, in µs. A view reads the widest
/// that fits in a column, so a column costs fewer than four buckets per row
/// (up to 256 ms wide): with only 1 and 32 ms, a live view of a 3 s run read six
/// per column, and its frames were mostly that reading.
const WIDTHS: [u64; 4] = [1_000, 4_000, 16_000, 64_000];

/// One width's buckets; bucket `i` covers `[i * width, (i + 1) * width)`.
#[derive(Clone, Debug, Default)]
struct Buckets {
    cells: Vec<Cell>,
    txs: Vec<Option<TxEnd>>,
    /// `Some(false)` a claim, `Some(true)` a completion (the stronger).
    jobs: Vec<Option<bool>>,
    errors: Vec<Option<ErrorKind>>,
}

impl Buckets {
    /// Make room for bucket `last`.
    fn reach(&mut self, last: usize) {
        if last >= self.cells.len() {
            let n = last + 1;
            self.cells.resize(n, Cell::Idle);
            self.txs.resize(n, None);
            self.jobs.resize(n, None);
            self.errors.resize(n, None);
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Summary {
    levels: [Buckets; WIDTHS.len()],
}

/// Raise every slot of `row` from `from` to `to` (bucket indices) to `value`.
#[inline(always)]
fn raise<T: Ord + Copy>(row: &mut [T], from: usize, to: usize, value: T) {
    for slot in &mut row[from..=to] {
        *slot = (*slot).max(value);
    }
}

impl Summary {
    fn each(&mut self, from_us: u64, to_us: u64, mut f: impl FnMut(&mut Buckets, usize, usize)) {
        for (level, width) in self.levels.iter_mut().zip(WIDTHS) {
            let (first, last) = ((from_us / width) as usize, (to_us / width) as usize);
            level.reach(last);
            f(level, first, last);
        }
    }

    /// The bar showed `cell` from `from_us` to `to_us`.
    pub fn cell(&mut self, from_us: u64, to_us: u64, cell: Cell) {
        self.each(from_us, to_us.max(from_us), |b, first, last| {
            raise(&mut b.cells, first, last, cell)
        });
    }

    /// A transaction ran from `from_us` to `to_us` and ended so.
    pub fn transaction(&mut self, from_us: u64, to_us: u64, end: TxEnd) {
        self.each(from_us, to_us.max(from_us), |b, first, last| {
            raise(&mut b.txs, first, last, Some(end))
        });
    }

    /// A job was claimed (`done` false) or done at `t_us`.
    pub fn job(&mut self, t_us: u64, done: bool) {
        self.each(t_us, t_us, |b, at, _| {
            b.jobs[at] = b.jobs[at].max(Some(done))
        });
    }

    pub fn error(&mut self, t_us: u64, kind: ErrorKind) {
        self.each(t_us, t_us, |b, at, _| {
            b.errors[at] = b.errors[at].max(Some(kind))
        });
    }

    /// The widest buckets no wider than a column of `view`, if any.
    fn level_for(&self, view: &View) -> Option<(&Buckets, u64)> {
        let column = view.us_per_column();
        self.levels
            .iter()
            .zip(WIDTHS)
            .rev()
            .find(|(_, width)| *width <= column)
    }

    /// Each bucket that overlaps `view`, with the columns it touches: `f` gets
    /// the first and last column, the buckets of the level read and the
    /// bucket's index. False if `view` is too near for buckets.
    fn walk(&self, view: &View, mut f: impl FnMut(usize, usize, &Buckets, usize)) -> bool {
        let Some((level, width)) = self.level_for(view) else {
            return false;
        };
        let first = (view.start_us / width) as usize;
        let last = ((view.end_us / width) as usize + 1).min(level.cells.len());
        // The columns are walked along with the buckets, each column's first
        // time computed once: `view.column` of every bucket's ends cost a live
        // frame of a long run a division per bucket, thousands per lane.
        let starts = |column: usize| {
            if column + 1 < view.width {
                view.time_at(column + 1)
            } else {
                u64::MAX
            }
        };
        let mut column = view.column(first as u64 * width);
        let mut next = starts(column);
        for i in first..last {
            let from = (i as u64 * width).max(view.start_us);
            let to = ((i as u64 + 1) * width - 1).min(view.end_us);
            while from >= next {
                column += 1;
                next = starts(column);
            }
            let (mut end, mut after) = (column, next);
            while to >= after {
                end += 1;
                after = starts(end);
            }
            f(column, end, level, i);
        }
        true
    }

    /// The four rows' buckets over `view`, in one walk; false if `view` is too
    /// near for buckets.
    pub fn rows(&self, view: &View, rows: &mut Rows) -> bool {
        self.walk(view, |from, to, level, i| {
            let cell = level.cells[i];
            if cell != Cell::Idle {
                raise(&mut rows.cells, from, to, cell);
            }
            if level.txs[i].is_some() {
                raise(&mut rows.txs, from, to, level.txs[i]);
            }
            rows.jobs[from] = rows.jobs[from].max(level.jobs[i]);
            rows.errors[from] = rows.errors[from].max(level.errors[i]);
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_land_in_the_columns_their_times_do() {
        let mut summary = Summary::default();
        summary.cell(0, 9_000_000, Cell::Shared);
        let views = [
            (0, 9_000_000, 1_100),
            (1_234_567, 7_654_321, 997),
            (5, 1_000_005, 300),
            (0, 64_000, 64),
            (31_999, 2_100_001, 1_024),
            (8_000_000, 9_000_000, 7),
        ];
        for (start, end, width) in views {
            let view = View::new(start, end, width);
            let (level, bucket) = summary.level_for(&view).expect("a bucket fits");
            let mut seen = Vec::new();
            summary.walk(&view, |from, to, _, _| seen.push((from, to)));
            let first = (view.start_us / bucket) as usize;
            let last = ((view.end_us / bucket) as usize).min(level.cells.len() - 1);
            let expected: Vec<(usize, usize)> = (first..=last)
                .map(|i| {
                    let from = (i as u64 * bucket).max(view.start_us);
                    let to = ((i as u64 + 1) * bucket - 1).min(view.end_us);
                    (view.column(from), view.column(to))
                })
                .collect();
            assert_eq!(seen, expected, "view {start}..{end} over {width} columns");
        }
    }
}
