//! The timeline model: one lane per worker, built from trace events as they arrive
//! (each event costs the same, however many came before), and read through a view
//! (a window of time cut into columns).
//!
//! A lane keeps its tracks as sorted spans and points in time: lock levels, WAL read
//! and write locks, busy waits, transactions, statements, and marks (job claims,
//! completions, errors). A view finds the spans it shows by binary search, so
//! drawing costs the spans in the window plus its columns, never the whole run.
//! The page's canvas (`paint`) and the terminal timeline both read it.
//!
//! Who blocks whom (`wait_for`) is read along: each lane keeps its refused locks,
//! and each busy wait the refusal it follows, so a refusal can be drawn with an
//! edge to its holder's lane and a wait can say whom it waits for
//! (`blocking.rs`).

use crate::analysis::lock_holds::{HeldLock, Hold, LockHolds};
use crate::analysis::wait_for::{Read, RefusalId, WaitFor};
use crate::lock::LockLevel;
use crate::trace::{DbFile, EventKind, Role, Step, Text, TraceEvent, WorkerId};
use std::collections::{BTreeMap, HashMap};

/// Something that lasted from `from_us` to `to_us`.
#[derive(Clone, Debug, PartialEq)]
pub struct Span<T> {
    pub from_us: u64,
    pub to_us: u64,
    pub what: T,
}

/// How a transaction ended, weakest first (a column shows the strongest).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TxEnd {
    Open,
    Committed,
    RolledBack,
}

/// A transaction: the step it served and the BEGIN that opened it.
#[derive(Clone, Debug, PartialEq)]
pub struct Tx {
    pub step: Step,
    pub begin: Text,
    pub end: TxEnd,
}

/// Something that happened at one moment of a lane.
#[derive(Clone, Debug, PartialEq)]
pub enum Mark {
    Claimed {
        job: i64,
    },
    Done {
        job: i64,
        latency_us: u64,
    },
    Error {
        kind: ErrorKind,
        step: Step,
        sql: Text,
        name: Text,
        message: Text,
        after_us: u64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MarkAt {
    pub t_us: u64,
    pub mark: Mark,
}

/// A busy wait: the sleep SQLite's busy handler asked for, and the refusal it
/// follows (whose holder it waits for).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wait {
    pub requested_us: u64,
    pub refusal: Option<RefusalId>,
}

/// One worker's lane.
#[derive(Clone, Debug, Default)]
pub struct Lane {
    pub worker: WorkerId,
    pub role: Option<Role>,
    /// The workload's role it plays, if the run is a workload of one's own.
    plays: Option<Text>,
    /// The locks held now; what they ended is in the three tracks below.
    holds: LockHolds,
    levels: Vec<Span<LockLevel>>,
    wal_read: Vec<Span<()>>,
    wal_write: Vec<Span<()>>,
    waits: Vec<Span<Wait>>,
    /// Its waits for its process's interpreter lock, with who held it.
    interpreter_waits: Vec<Span<Option<WorkerId>>>,
    /// Its refused locks: when, and which refusal of the run's `WaitFor`.
    refusals: Vec<(u64, RefusalId)>,
    txs: Vec<Span<Tx>>,
    open_tx: Option<(u64, Tx)>,
    statements: Vec<Span<(Step, u32)>>,
    marks: Vec<MarkAt>,
    /// The lane from far away, for views whose columns are wider than a bucket.
    summary: Summary,
}

mod blocking;
mod details;
mod landmarks;
mod moment;
pub mod paint;
pub mod replay;
mod rows;
mod states;
mod summary;
mod view;

pub use crate::result_code::ErrorKind;
pub use blocking::Edge;
pub use details::step_name;
pub use landmarks::Landmark;
pub use rows::Rows;
pub use states::Cell;
use summary::Summary;
pub use view::{pan, zoom, View, MIN_WINDOW_US};

impl<T> Span<T> {
    fn of(hold: Hold, what: T) -> Span<T> {
        Span {
            from_us: hold.from_us,
            to_us: hold.to_us,
            what,
        }
    }
}

/// Every lane of a run, and the SQL its statements ran (each text stored once).
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    lanes: BTreeMap<WorkerId, Lane>,
    sql: Vec<Text>,
    sql_ids: HashMap<Text, u32>,
    events: usize,
    last_us: u64,
    /// Who blocks whom, read with the lanes.
    wait_for: WaitFor,
    /// After this many events the lanes keep no more statements, transactions
    /// or job ticks one by one (their buckets still count them); none: no limit.
    detail_budget: Option<usize>,
    /// What the lanes did not keep one by one, once past the budget.
    pub dropped: Dropped,
}

/// What a timeline past its detail budget no longer keeps one by one, and from
/// when: lock spans, busy waits, refusals and errors are always kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dropped {
    /// The time the budget ran out at (the latest any event had reached).
    pub since_us: Option<u64>,
    pub statements: u64,
    pub transactions: u64,
    /// Job claims and completions.
    pub ticks: u64,
}

impl Timeline {
    pub fn from_events(events: &[TraceEvent]) -> Timeline {
        let mut t = Timeline::default();
        t.extend(events);
        t
    }

    /// A timeline that expects workers `0..workers` (see `WaitFor::expect`): no
    /// wait-for edge is settled before each has gone past it.
    pub fn expecting(workers: u32) -> Timeline {
        let mut t = Timeline::default();
        t.wait_for.expect(0..workers);
        t
    }

    /// Past `events` events, keep statements, transactions and job ticks in
    /// their lanes' buckets only (see [`Dropped`]).
    pub fn with_detail_budget(mut self, events: usize) -> Timeline {
        self.detail_budget = Some(events);
        self
    }

    pub fn extend(&mut self, events: &[TraceEvent]) {
        for e in events {
            self.add(e);
        }
    }

    /// Read one more event. Events of one worker come in the order it recorded
    /// them; those of different workers may interleave in any order.
    pub fn add(&mut self, e: &TraceEvent) {
        self.events += 1;
        let end = e.t_us + e.kind.dur_us().unwrap_or(0);
        let detailed = self
            .detail_budget
            .is_none_or(|budget| self.events <= budget);
        if !detailed {
            let d = &mut self.dropped;
            d.since_us.get_or_insert(self.last_us);
            match e.kind {
                EventKind::Statement { .. } => d.statements += 1,
                EventKind::Commit { .. } | EventKind::Rollback { .. } => d.transactions += 1,
                EventKind::JobClaimed { .. } | EventKind::JobDone { .. } => d.ticks += 1,
                _ => {}
            }
        }
        self.last_us = self.last_us.max(end);
        let sql_id = match &e.kind {
            EventKind::Statement { sql, .. } if detailed => Some(self.sql_id(sql)),
            _ => None,
        };
        let read = self.wait_for.add(e);
        let lane = self.lanes.entry(e.worker).or_insert_with(|| Lane {
            worker: e.worker,
            ..Lane::default()
        });
        lane.add(e, sql_id, read, detailed);
    }

    fn sql_id(&mut self, sql: &Text) -> u32 {
        if let Some(id) = self.sql_ids.get(sql) {
            return *id;
        }
        let id = self.sql.len() as u32;
        self.sql.push(sql.clone());
        self.sql_ids.insert(sql.clone(), id);
        id
    }

    /// The lanes, in worker order.
    pub fn lanes(&self) -> impl ExactSizeIterator<Item = &Lane> {
        self.lanes.values()
    }

    /// Whether any worker waited for its process's interpreter lock.
    pub fn has_interpreter_waits(&self) -> bool {
        self.lanes().any(|l| !l.interpreter_waits.is_empty())
    }

    pub fn lane(&self, index: usize) -> Option<&Lane> {
        self.lanes.values().nth(index)
    }

    /// How many events were read.
    pub fn events(&self) -> usize {
        self.events
    }

    /// The latest time any event reached.
    pub fn last_us(&self) -> u64 {
        self.last_us
    }
}

/// The spans of a sorted, non-overlapping track that touch `[from, to]`.
fn within<T>(track: &[Span<T>], from: u64, to: u64) -> &[Span<T>] {
    let first = track.partition_point(|s| s.to_us < from);
    let last = track.partition_point(|s| s.from_us <= to).max(first);
    &track[first..last]
}

/// Add `span` in start order (a span recorded late, such as a statement, may start
/// before the last one of its track).
fn push_sorted<T>(track: &mut Vec<Span<T>>, span: Span<T>) {
    if track.last().is_none_or(|last| last.from_us <= span.from_us) {
        track.push(span);
    } else {
        let at = track.partition_point(|s| s.from_us <= span.from_us);
        track.insert(at, span);
    }
}

impl Lane {
    /// Read one event; `detailed`: keep its statement, transaction or job tick
    /// as a span or mark of its own, not only in the buckets.
    fn add(&mut self, e: &TraceEvent, sql_id: Option<u32>, read: Read, detailed: bool) {
        let t = e.t_us;
        // Every event goes to the lock holds: they know which events end a hold.
        let (levels, wal_read, wal_write, summary) = (
            &mut self.levels,
            &mut self.wal_read,
            &mut self.wal_write,
            &mut self.summary,
        );
        self.holds.read(e, |hold| {
            let cell = match (hold.db, hold.held) {
                (DbFile::Queue, HeldLock::Level(level)) => {
                    push_sorted(levels, Span::of(hold, level));
                    Cell::of_level(level)
                }
                (DbFile::Queue, HeldLock::WalRead) => {
                    push_sorted(wal_read, Span::of(hold, ()));
                    Cell::WalRead
                }
                (DbFile::Queue, HeldLock::WalWrite) => {
                    push_sorted(wal_write, Span::of(hold, ()));
                    Cell::WalWrite
                }
                _ => return,
            };
            summary.cell(hold.from_us, hold.to_us, cell);
        });
        if let Read::Refusal(id) = read {
            // A worker's refusals come in time order.
            let at = self.refusals.partition_point(|(r, _)| *r <= t);
            self.refusals.insert(at, (t, id));
        }
        match &e.kind {
            EventKind::WorkerStart { role } => self.role = Some(*role),
            EventKind::Plays { role } => self.plays = Some(role.clone()),
            EventKind::BusyWait {
                requested_us,
                dur_us,
            } => {
                self.summary.cell(t, t + dur_us, Cell::BusyWait);
                push_sorted(
                    &mut self.waits,
                    Span {
                        from_us: t,
                        to_us: t + dur_us,
                        what: Wait {
                            requested_us: *requested_us,
                            refusal: match read {
                                Read::Wait(refusal) => refusal,
                                _ => None,
                            },
                        },
                    },
                )
            }
            EventKind::InterpreterWait { holder, dur_us } => {
                self.summary.cell(t, t + dur_us, Cell::InterpreterWait);
                push_sorted(
                    &mut self.interpreter_waits,
                    Span {
                        from_us: t,
                        to_us: t + dur_us,
                        what: *holder,
                    },
                )
            }
            EventKind::Begin { step, sql } => {
                self.open_tx = Some((
                    t,
                    Tx {
                        step: *step,
                        begin: sql.clone(),
                        end: TxEnd::Open,
                    },
                ));
            }
            EventKind::Commit { .. } | EventKind::Rollback { .. } => {
                if let Some((from, mut tx)) = self.open_tx.take() {
                    tx.end = match e.kind {
                        EventKind::Commit { .. } => TxEnd::Committed,
                        _ => TxEnd::RolledBack,
                    };
                    self.summary.transaction(from, t, tx.end);
                    if !detailed {
                        return;
                    }
                    push_sorted(
                        &mut self.txs,
                        Span {
                            from_us: from,
                            to_us: t,
                            what: tx,
                        },
                    );
                }
            }
            EventKind::Statement { .. } if !detailed => {}
            EventKind::Statement { step, dur_us, .. } => push_sorted(
                &mut self.statements,
                Span {
                    from_us: t,
                    to_us: t + dur_us,
                    what: (*step, sql_id.unwrap_or(0)),
                },
            ),
            EventKind::JobClaimed { .. } | EventKind::JobDone { .. } if !detailed => {
                self.summary
                    .job(t, matches!(e.kind, EventKind::JobDone { .. }));
            }
            EventKind::JobClaimed { job } => {
                self.summary.job(t, false);
                self.mark(t, Mark::Claimed { job: *job })
            }
            EventKind::JobDone { job, latency_us } => {
                self.summary.job(t, true);
                self.mark(
                    t,
                    Mark::Done {
                        job: *job,
                        latency_us: *latency_us,
                    },
                )
            }
            EventKind::Error {
                step,
                sql,
                extended,
                name,
                message,
                after_us,
                ..
            } => {
                self.summary.error(t, ErrorKind::of(*extended));
                self.mark(
                    t,
                    Mark::Error {
                        kind: ErrorKind::of(*extended),
                        step: *step,
                        sql: sql.clone(),
                        name: name.clone(),
                        message: message.clone(),
                        after_us: *after_us,
                    },
                )
            }
            _ => {}
        }
    }

    fn mark(&mut self, t_us: u64, mark: Mark) {
        let at = if self.marks.last().is_none_or(|m| m.t_us <= t_us) {
            self.marks.len()
        } else {
            self.marks.partition_point(|m| m.t_us <= t_us)
        };
        self.marks.insert(at, MarkAt { t_us, mark });
    }

    /// The locks on the queue database that the bar shows and are still held, as
    /// if they ended at `now_us`, each with its cell.
    fn still_held(&self, now_us: u64) -> impl Iterator<Item = (Hold, Cell)> + '_ {
        self.holds.still_held(now_us).filter_map(|hold| {
            let cell = match (hold.db, hold.held) {
                (DbFile::Queue, HeldLock::Level(level)) => Cell::of_level(level),
                (DbFile::Queue, HeldLock::WalRead) => Cell::WalRead,
                (DbFile::Queue, HeldLock::WalWrite) => Cell::WalWrite,
                _ => return None,
            };
            Some((hold, cell))
        })
    }

    /// "worker 2", "reader 5", "you" (the SQL console), or a workload's role
    /// and the worker's id ("incrementer 2").
    pub fn name(&self) -> String {
        if let Some(plays) = &self.plays {
            return format!("{plays} {}", self.worker);
        }
        match self.role {
            Some(Role::Reader) => format!("reader {}", self.worker),
            Some(Role::Console) => "you".to_string(),
            _ => format!("worker {}", self.worker),
        }
    }

    /// The marks inside `view`, in time order.
    pub fn marks(&self, view: &View) -> &[MarkAt] {
        let first = self.marks.partition_point(|m| m.t_us < view.start_us);
        let last = self.marks.partition_point(|m| m.t_us <= view.end_us);
        &self.marks[first..last.max(first)]
    }
}

#[cfg(test)]
mod tests;
