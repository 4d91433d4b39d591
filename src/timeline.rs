//! The timeline model: one lane per worker, built from trace events as they arrive
//! (each event costs the same, however many came before), and read through a view
//! (a window of time cut into columns).
//!
//! A lane keeps its tracks as sorted spans and points in time: lock levels, WAL read
//! and write locks, busy waits, transactions, statements, and marks (job claims,
//! completions, errors). A view finds the spans it shows by binary search, so
//! drawing costs the spans in the window plus its columns, never the whole run.
//! The page's canvas (`timeline_paint`) and the terminal timeline both read it.

use crate::lock::{LockLevel, SHM_SLOTS, WAL_FIRST_READ_SLOT, WAL_WRITE_SLOT};
use crate::trace::{DbFile, EventKind, Role, Step, TraceEvent, WorkerId};
use std::collections::{BTreeMap, HashMap};

/// Something that lasted from `from_us` to `to_us`.
#[derive(Clone, Debug, PartialEq)]
pub struct Span<T> {
    pub from_us: u64,
    pub to_us: u64,
    pub what: T,
}

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
}

impl Cell {
    pub const ALL: [Cell; 8] = [
        Cell::Idle,
        Cell::Shared,
        Cell::WalRead,
        Cell::Reserved,
        Cell::WalWrite,
        Cell::Pending,
        Cell::Exclusive,
        Cell::BusyWait,
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
        }
    }

    /// What holding this state means for the other workers.
    pub fn explain(self) -> &'static str {
        match self {
            Cell::Idle => "holds no lock",
            Cell::Shared => "reading: other readers may share the database, a writer cannot commit",
            Cell::WalRead => "a WAL read transaction: reads a snapshot, blocks nobody",
            Cell::Reserved => "the one writer: others may still read",
            Cell::WalWrite => "the one writer of a WAL database: readers go on reading",
            Cell::Pending => "waiting to commit: no new readers may start",
            Cell::Exclusive => "committing: nobody else may read or write",
            Cell::BusyWait => "SQLite's busy handler sleeping, waiting for a lock (busy_timeout)",
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

/// The kinds of error the timeline tells apart, each with its own colour and shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    Busy,
    BusySnapshot,
    Locked,
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 4] = [
        ErrorKind::Busy,
        ErrorKind::BusySnapshot,
        ErrorKind::Locked,
        ErrorKind::Other,
    ];

    /// The kind of an extended result code.
    pub fn of(extended: i32) -> ErrorKind {
        match (crate::result_code::primary(extended), extended) {
            (5, 517) => ErrorKind::BusySnapshot,
            (5, _) => ErrorKind::Busy,
            (6, _) => ErrorKind::Locked,
            _ => ErrorKind::Other,
        }
    }

    /// In one line: what the error says and whether waiting helps.
    pub fn explain(self) -> &'static str {
        match self {
            ErrorKind::Busy => "another connection holds the lock; waiting (busy_timeout) helps",
            ErrorKind::BusySnapshot => {
                "a WAL read snapshot went stale before the write; waiting cannot help, start again"
            }
            ErrorKind::Locked => "the connection blocks itself; waiting cannot help",
            ErrorKind::Other => "any other error SQLite reported",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Busy => "SQLITE_BUSY",
            ErrorKind::BusySnapshot => "SQLITE_BUSY_SNAPSHOT",
            ErrorKind::Locked => "SQLITE_LOCKED",
            ErrorKind::Other => "other error",
        }
    }
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
    pub begin: String,
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
        sql: String,
        name: String,
        message: String,
        after_us: u64,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct MarkAt {
    pub t_us: u64,
    pub mark: Mark,
}

/// One worker's lane.
#[derive(Clone, Debug, Default)]
pub struct Lane {
    pub worker: WorkerId,
    pub role: Option<Role>,
    levels: Vec<Span<LockLevel>>,
    level: (LockLevel, u64),
    wal_read: Vec<Span<()>>,
    wal_write: Vec<Span<()>>,
    /// The shm slots held now (bit per slot), and since when a read mark and the
    /// write lock are held.
    shm_held: u8,
    read_since: Option<u64>,
    write_since: Option<u64>,
    waits: Vec<Span<u64>>,
    txs: Vec<Span<Tx>>,
    open_tx: Option<(u64, Tx)>,
    statements: Vec<Span<(Step, u32)>>,
    marks: Vec<MarkAt>,
}

/// A window of time cut into `width` columns.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    pub start_us: u64,
    pub end_us: u64,
    pub width: usize,
}

impl View {
    pub fn new(start_us: u64, end_us: u64, width: usize) -> View {
        View {
            start_us,
            end_us: end_us.max(start_us + 1),
            width: width.max(1),
        }
    }

    /// The column that shows time `t_us` (clamped to the window). Integer maths in
    /// u64: a frame calls this for every span in view, and u128 division is slow in
    /// wasm; a run would have to last years to overflow it.
    pub fn column(&self, t_us: u64) -> usize {
        let t = t_us.clamp(self.start_us, self.end_us) - self.start_us;
        let span = self.end_us - self.start_us + 1;
        ((t.saturating_mul(self.width as u64) / span) as usize).min(self.width - 1)
    }

    /// The first time that `column` shows.
    pub fn time_at(&self, column: usize) -> u64 {
        let span = self.end_us - self.start_us + 1;
        self.start_us
            + (column as u64)
                .saturating_mul(span)
                .div_ceil(self.width as u64)
    }

    /// How much time one column covers, at least 1 µs.
    pub fn us_per_column(&self) -> u64 {
        ((self.end_us - self.start_us) / self.width as u64).max(1)
    }

    /// Whether time `t_us` is inside the window.
    pub fn shows(&self, t_us: u64) -> bool {
        self.touches(t_us, t_us)
    }

    fn touches(&self, from_us: u64, to_us: u64) -> bool {
        to_us >= self.start_us && from_us <= self.end_us
    }
}

/// The narrowest window, in µs: zooming stops here.
pub const MIN_WINDOW_US: u64 = 200;

/// Zoom the window `(start, end)` by `factor` (below 1 zooms in) around time `at`,
/// which stays where it was; the window stays inside `[0, now]`.
pub fn zoom(window: (u64, u64), at: u64, factor: f64, now: u64) -> (u64, u64) {
    let (s, e) = window;
    let width = (((e - s) as f64 * factor) as u64).clamp(MIN_WINDOW_US, now.max(MIN_WINDOW_US));
    let left = (at.saturating_sub(s) as f64 / (e - s).max(1) as f64 * width as f64) as u64;
    let start = at.saturating_sub(left).min(now.saturating_sub(width));
    (start, start + width)
}

/// Move the window `(start, end)` by `delta` µs, inside `[0, now]`.
pub fn pan(window: (u64, u64), delta: i64, now: u64) -> (u64, u64) {
    let (s, e) = window;
    let width = e - s;
    let start = (s as i64 + delta).clamp(0, now.saturating_sub(width) as i64) as u64;
    (start, start + width)
}

/// Every lane of a run, and the SQL its statements ran (each text stored once).
#[derive(Clone, Debug, Default)]
pub struct Timeline {
    lanes: BTreeMap<WorkerId, Lane>,
    sql: Vec<String>,
    sql_ids: HashMap<String, u32>,
    events: usize,
    last_us: u64,
}

impl Timeline {
    pub fn from_events(events: &[TraceEvent]) -> Timeline {
        let mut t = Timeline::default();
        t.extend(events);
        t
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
        let end = match &e.kind {
            EventKind::Statement { dur_us, .. } | EventKind::BusyWait { dur_us, .. } => {
                e.t_us + dur_us
            }
            _ => e.t_us,
        };
        self.last_us = self.last_us.max(end);
        let sql_id = match &e.kind {
            EventKind::Statement { sql, .. } => Some(self.sql_id(sql)),
            _ => None,
        };
        let lane = self.lanes.entry(e.worker).or_insert_with(|| Lane {
            worker: e.worker,
            level: (LockLevel::None, e.t_us),
            ..Lane::default()
        });
        lane.add(e, sql_id);
    }

    fn sql_id(&mut self, sql: &str) -> u32 {
        if let Some(id) = self.sql_ids.get(sql) {
            return *id;
        }
        let id = self.sql.len() as u32;
        self.sql.push(sql.to_string());
        self.sql_ids.insert(sql.to_string(), id);
        id
    }

    /// The lanes, in worker order.
    pub fn lanes(&self) -> impl ExactSizeIterator<Item = &Lane> {
        self.lanes.values()
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

    /// What lane `index` shows between `from_us` and `to_us` (one column of the
    /// view, or one moment), with the marks within `slack_us` of it, one line each,
    /// for the page's details box; `now_us` closes what is still open.
    pub fn details(
        &self,
        index: usize,
        (from_us, to_us): (u64, u64),
        slack_us: u64,
        now_us: u64,
    ) -> Vec<String> {
        let Some(lane) = self.lane(index) else {
            return Vec::new();
        };
        let mut lines = vec![format!("{} at {}", lane.name(), ms(from_us))];
        if let Some((from, to, cell)) = lane.state_in(from_us, to_us, now_us) {
            let asked = match within(&lane.waits, from, to).first() {
                Some(w) if cell == Cell::BusyWait => {
                    format!(" (the busy handler asked to sleep {})", ms(w.what))
                }
                _ => String::new(),
            };
            lines.push(format!(
                "{} from {} to {}: {}{asked}",
                cell.label(),
                ms(from),
                ms(to),
                cell.explain()
            ));
        }
        let open = lane.open_tx.as_ref().map(|(from, tx)| Span {
            from_us: *from,
            to_us: now_us,
            what: tx.clone(),
        });
        let tx = within(&lane.txs, from_us, to_us)
            .first()
            .cloned()
            .or(open.filter(|o| o.from_us <= to_us));
        if let Some(tx) = tx {
            let end = match tx.what.end {
                TxEnd::Open => "still open".to_string(),
                TxEnd::Committed => format!("committed at {}", ms(tx.to_us)),
                TxEnd::RolledBack => format!("rolled back at {}", ms(tx.to_us)),
            };
            lines.push(format!(
                "transaction ({}): {} at {}, {end}",
                step_name(tx.what.step),
                tx.what.begin,
                ms(tx.from_us)
            ));
        }
        if let Some(s) = within(&lane.statements, from_us, to_us).first() {
            lines.push(format!(
                "statement ({}) from {} to {}: {}",
                step_name(s.what.0),
                ms(s.from_us),
                ms(s.to_us),
                self.sql[s.what.1 as usize]
            ));
        }
        let (near_from, near_to) = (from_us.saturating_sub(slack_us), to_us + slack_us);
        let at = lane.marks.partition_point(|m| m.t_us < near_from);
        let mut near: Vec<&MarkAt> = lane.marks[at..]
            .iter()
            .take_while(|m| m.t_us <= near_to)
            .collect();
        let distance = |t: u64| t.saturating_sub(to_us) + from_us.saturating_sub(t);
        near.sort_by_key(|m| (matches!(m.mark, Mark::Claimed { .. }), distance(m.t_us)));
        lines.extend(near.iter().take(3).map(|m| describe(m)));
        let error = near.iter().take(3).find_map(|m| match &m.mark {
            Mark::Error { name, .. } => Some(name),
            _ => None,
        });
        if let Some(name) = error {
            lines.push(crate::result_code::explain(name).to_string());
        }
        lines
    }
}

fn ms(us: u64) -> String {
    format!("{:.2} ms", us as f64 / 1000.0)
}

pub fn step_name(step: Step) -> &'static str {
    match step {
        Step::Open => "open",
        Step::Claim => "claim",
        Step::Heartbeat => "heartbeat",
        Step::Result => "result",
        Step::Job => "whole job",
        Step::Read => "read",
    }
}

fn describe(m: &MarkAt) -> String {
    match &m.mark {
        Mark::Claimed { job } => format!("claimed job {job} at {}", ms(m.t_us)),
        Mark::Done { job, latency_us } => format!(
            "finished job {job} at {}, {} after its first claim attempt",
            ms(m.t_us),
            ms(*latency_us)
        ),
        Mark::Error {
            step,
            sql,
            name,
            message,
            after_us,
            ..
        } => format!(
            "{name} at {} in {}: `{sql}` failed after {}: {message}",
            ms(m.t_us),
            step_name(*step),
            ms(*after_us)
        ),
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
    fn add(&mut self, e: &TraceEvent, sql_id: Option<u32>) {
        let t = e.t_us;
        match &e.kind {
            EventKind::WorkerStart { role } => self.role = Some(*role),
            EventKind::Lock {
                db: DbFile::Queue,
                to,
                ..
            } => {
                let (level, since) = self.level;
                if level != LockLevel::None {
                    push_sorted(
                        &mut self.levels,
                        Span {
                            from_us: since,
                            to_us: t,
                            what: level,
                        },
                    );
                }
                self.level = (*to, t);
            }
            EventKind::ShmLock {
                db: DbFile::Queue,
                slot,
                n,
                acquire,
                ok: true,
                ..
            } => {
                let end = slot.saturating_add(*n).min(SHM_SLOTS as u8);
                let bits = (*slot..end).fold(0u8, |b, s| b | 1 << s);
                if *acquire {
                    self.shm_held |= bits;
                } else {
                    self.shm_held &= !bits;
                }
                let reading = self.shm_held >> WAL_FIRST_READ_SLOT != 0;
                let writing = self.shm_held & (1 << WAL_WRITE_SLOT) != 0;
                track_held(&mut self.wal_read, &mut self.read_since, reading, t);
                track_held(&mut self.wal_write, &mut self.write_since, writing, t);
            }
            EventKind::BusyWait {
                requested_us,
                dur_us,
            } => push_sorted(
                &mut self.waits,
                Span {
                    from_us: t,
                    to_us: t + dur_us,
                    what: *requested_us,
                },
            ),
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
            EventKind::Statement { step, dur_us, .. } => push_sorted(
                &mut self.statements,
                Span {
                    from_us: t,
                    to_us: t + dur_us,
                    what: (*step, sql_id.unwrap_or(0)),
                },
            ),
            EventKind::JobClaimed { job } => self.mark(t, Mark::Claimed { job: *job }),
            EventKind::JobDone { job, latency_us } => self.mark(
                t,
                Mark::Done {
                    job: *job,
                    latency_us: *latency_us,
                },
            ),
            EventKind::Error {
                step,
                sql,
                extended,
                name,
                message,
                after_us,
                ..
            } => self.mark(
                t,
                Mark::Error {
                    kind: ErrorKind::of(*extended),
                    step: *step,
                    sql: sql.clone(),
                    name: name.clone(),
                    message: message.clone(),
                    after_us: *after_us,
                },
            ),
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

    /// "worker 2" or "reader 5".
    pub fn name(&self) -> String {
        match self.role {
            Some(Role::Reader) => format!("reader {}", self.worker),
            _ => format!("worker {}", self.worker),
        }
    }

    /// The main bar over `view`: the strongest of lock level, WAL lock and busy wait
    /// in each column; what is still held counts until `now_us`.
    pub fn cells(&self, view: &View, now_us: u64) -> Vec<Cell> {
        let mut cells = vec![Cell::Idle; view.width];
        let mut paint = |from: u64, to: u64, cell: Cell| {
            if cell == Cell::Idle || !view.touches(from, to) {
                return;
            }
            for slot in &mut cells[view.column(from)..=view.column(to.max(from))] {
                *slot = (*slot).max(cell);
            }
        };
        for s in within(&self.levels, view.start_us, view.end_us) {
            paint(s.from_us, s.to_us, Cell::of_level(s.what));
        }
        let (level, since) = self.level;
        paint(since, now_us, Cell::of_level(level));
        let wal = [
            (&self.wal_read, self.read_since, Cell::WalRead),
            (&self.wal_write, self.write_since, Cell::WalWrite),
        ];
        for (track, since, cell) in wal {
            for s in within(track, view.start_us, view.end_us) {
                paint(s.from_us, s.to_us, cell);
            }
            if let Some(since) = since {
                paint(since, now_us, cell);
            }
        }
        for s in within(&self.waits, view.start_us, view.end_us) {
            paint(s.from_us, s.to_us, Cell::BusyWait);
        }
        cells
    }

    /// The transaction row over `view`: how the transaction in each column ended.
    pub fn transactions(&self, view: &View, now_us: u64) -> Vec<Option<TxEnd>> {
        let mut row = vec![None; view.width];
        let mut paint = |from: u64, to: u64, end: TxEnd| {
            if view.touches(from, to) {
                for slot in &mut row[view.column(from)..=view.column(to.max(from))] {
                    *slot = (*slot).max(Some(end));
                }
            }
        };
        for s in within(&self.txs, view.start_us, view.end_us) {
            paint(s.from_us, s.to_us, s.what.end);
        }
        if let Some((from, _)) = &self.open_tx {
            paint(*from, now_us, TxEnd::Open);
        }
        row
    }

    /// The marks inside `view`, in time order.
    pub fn marks(&self, view: &View) -> &[MarkAt] {
        let first = self.marks.partition_point(|m| m.t_us < view.start_us);
        let last = self.marks.partition_point(|m| m.t_us <= view.end_us);
        &self.marks[first..last.max(first)]
    }

    /// The bar's strongest state between `from_us` and `to_us` (what a column
    /// shows), with when it began and ended.
    fn state_in(&self, from_us: u64, to_us: u64, now_us: u64) -> Option<(u64, u64, Cell)> {
        fn spans<'a, T>(
            track: &'a [Span<T>],
            (from_us, to_us): (u64, u64),
            cell: impl Fn(&Span<T>) -> Cell + 'a,
        ) -> impl Iterator<Item = (u64, u64, Cell)> + 'a {
            within(track, from_us, to_us)
                .iter()
                .map(move |s| (s.from_us, s.to_us, cell(s)))
        }
        let range = (from_us, to_us);
        let (level, since) = self.level;
        let open = [
            (level != LockLevel::None).then_some((since, Cell::of_level(level))),
            self.read_since.map(|t| (t, Cell::WalRead)),
            self.write_since.map(|t| (t, Cell::WalWrite)),
        ];
        spans(&self.levels, range, |s| Cell::of_level(s.what))
            .chain(spans(&self.wal_read, range, |_| Cell::WalRead))
            .chain(spans(&self.wal_write, range, |_| Cell::WalWrite))
            .chain(spans(&self.waits, range, |_| Cell::BusyWait))
            .chain(
                open.into_iter()
                    .flatten()
                    .filter(|(t, _)| *t <= to_us)
                    .map(|(t, cell)| (t, now_us, cell)),
            )
            .fold(None, |best: Option<(u64, u64, Cell)>, c| {
                if best.is_none_or(|b| b.2 < c.2) {
                    Some(c)
                } else {
                    best
                }
            })
    }

    /// The start of the nearest element (a lock, a wait, a transaction, a mark) after
    /// `t_us` (`forward`) or before it: how the keyboard moves along a lane.
    pub fn next_element(&self, t_us: u64, forward: bool) -> Option<u64> {
        let open = [
            (self.level.0 != LockLevel::None).then_some(self.level.1),
            self.open_tx.as_ref().map(|(from, _)| *from),
        ];
        [
            nearest(&self.levels, |s| s.from_us, t_us, forward),
            nearest(&self.wal_read, |s| s.from_us, t_us, forward),
            nearest(&self.wal_write, |s| s.from_us, t_us, forward),
            nearest(&self.waits, |s| s.from_us, t_us, forward),
            nearest(&self.txs, |s| s.from_us, t_us, forward),
            nearest(&self.marks, |m| m.t_us, t_us, forward),
        ]
        .into_iter()
        .chain(open)
        .flatten()
        .filter(|t| if forward { *t > t_us } else { *t < t_us })
        .reduce(|a, b| if forward { a.min(b) } else { a.max(b) })
    }
}

/// In `items` sorted by `key`: the first key after `t_us` (`forward`) or the last
/// one before it.
fn nearest<T>(items: &[T], key: impl Fn(&T) -> u64, t_us: u64, forward: bool) -> Option<u64> {
    if forward {
        let at = items.partition_point(|i| key(i) <= t_us);
        items.get(at).map(key)
    } else {
        let at = items.partition_point(|i| key(i) < t_us);
        at.checked_sub(1).map(|i| key(&items[i]))
    }
}

/// Open or close a span of a "held" track as `held` changes.
fn track_held(track: &mut Vec<Span<()>>, since: &mut Option<u64>, held: bool, t_us: u64) {
    match (held, *since) {
        (true, None) => *since = Some(t_us),
        (false, Some(from)) => {
            *since = None;
            push_sorted(
                track,
                Span {
                    from_us: from,
                    to_us: t_us,
                    what: (),
                },
            );
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(t_us: u64, worker: WorkerId, kind: EventKind) -> TraceEvent {
        TraceEvent { t_us, worker, kind }
    }

    fn lock(from: LockLevel, to: LockLevel) -> EventKind {
        EventKind::Lock {
            db: DbFile::Queue,
            from,
            to,
        }
    }

    fn busy(after_us: u64) -> EventKind {
        EventKind::Error {
            step: Step::Claim,
            sql: "BEGIN IMMEDIATE".into(),
            code: 5,
            extended: 5,
            name: "SQLITE_BUSY".into(),
            message: "database is locked".into(),
            after_us,
        }
    }

    fn write_then_wait() -> Vec<TraceEvent> {
        use LockLevel::*;
        vec![
            at(0, 0, EventKind::WorkerStart { role: Role::Writer }),
            at(0, 0, lock(None, Shared)),
            at(100, 0, lock(Shared, Reserved)),
            at(200, 0, lock(Reserved, Exclusive)),
            at(300, 0, lock(Exclusive, None)),
            at(0, 1, EventKind::WorkerStart { role: Role::Reader }),
            at(
                0,
                1,
                EventKind::BusyWait {
                    requested_us: 100,
                    dur_us: 150,
                },
            ),
            at(350, 1, busy(0)),
        ]
    }

    #[test]
    fn each_column_shows_the_strongest_state_that_touched_it() {
        let t = Timeline::from_events(&write_then_wait());
        let view = View::new(0, 399, 4);
        let lanes: Vec<&Lane> = t.lanes().collect();
        use Cell::*;
        assert_eq!(
            lanes[0].cells(&view, 399),
            vec![Shared, Reserved, Exclusive, Exclusive]
        );
        assert_eq!(
            lanes[1].cells(&view, 399),
            vec![BusyWait, BusyWait, Idle, Idle]
        );
        assert_eq!(lanes[1].marks(&view).len(), 1, "the error is a mark");
        // A window shows only its part of the run.
        let zoomed = View::new(200, 299, 2);
        assert_eq!(lanes[0].cells(&zoomed, 399), vec![Exclusive, Exclusive]);
        assert_eq!(lanes[1].cells(&zoomed, 399), vec![Idle, Idle]);
        assert!(lanes[1].marks(&zoomed).is_empty());
    }

    #[test]
    fn a_lock_still_held_counts_until_now() {
        let events = [at(0, 0, lock(LockLevel::None, LockLevel::Reserved))];
        let t = Timeline::from_events(&events);
        let lane = t.lane(0).unwrap();
        let view = View::new(0, 99, 10);
        assert_eq!(lane.cells(&view, 49)[4], Cell::Reserved);
        assert_eq!(lane.cells(&view, 49)[6], Cell::Idle, "not beyond now");
    }

    #[test]
    fn wal_locks_are_spans_of_their_own() {
        let shm = |slot, acquire| EventKind::ShmLock {
            db: DbFile::Queue,
            slot,
            n: 1,
            exclusive: slot == 0,
            acquire,
            ok: true,
        };
        let events = [
            at(0, 0, lock(LockLevel::None, LockLevel::Shared)),
            at(10, 0, shm(3, true)),
            at(40, 0, shm(0, true)),
            at(60, 0, shm(0, false)),
            at(80, 0, shm(3, false)),
        ];
        let t = Timeline::from_events(&events);
        let cells = t.lane(0).unwrap().cells(&View::new(0, 99, 10), 99);
        use Cell::*;
        assert_eq!(
            cells,
            vec![
                Shared, WalRead, WalRead, WalRead, WalWrite, WalWrite, WalWrite, WalRead, WalRead,
                Shared
            ]
        );
    }

    #[test]
    fn events_read_in_batches_make_the_same_timeline_as_all_at_once() {
        let events = write_then_wait();
        let whole = Timeline::from_events(&events);
        let mut batched = Timeline::default();
        // Worker 1's events first, then worker 0's: batches from different workers
        // interleave in any order.
        let (w0, w1): (Vec<_>, Vec<_>) = events.into_iter().partition(|e| e.worker == 0);
        batched.extend(&w1);
        batched.extend(&w0[..2]);
        batched.extend(&w0[2..]);
        let view = View::new(0, 399, 40);
        for (a, b) in whole.lanes().zip(batched.lanes()) {
            assert_eq!(a.cells(&view, 399), b.cells(&view, 399));
            assert_eq!(a.marks(&view), b.marks(&view));
        }
        assert_eq!((whole.events(), whole.last_us()), (8, 350));
    }

    #[test]
    fn details_name_the_state_the_transaction_the_statement_and_the_error() {
        let events = [
            at(0, 0, EventKind::WorkerStart { role: Role::Writer }),
            at(
                1000,
                0,
                EventKind::Begin {
                    step: Step::Claim,
                    sql: "BEGIN IMMEDIATE".into(),
                },
            ),
            at(1000, 0, lock(LockLevel::None, LockLevel::Reserved)),
            at(
                1200,
                0,
                EventKind::Statement {
                    step: Step::Claim,
                    sql: "UPDATE jobs SET state = 'RUNNING'".into(),
                    dur_us: 300,
                },
            ),
            at(1400, 0, busy(250)),
            at(1600, 0, EventKind::Rollback { step: Step::Claim }),
            at(1600, 0, lock(LockLevel::Reserved, LockLevel::None)),
        ];
        let t = Timeline::from_events(&events);
        let lines = t.details(0, (1300, 1300), 200, 2000);
        assert_eq!(lines[0], "worker 0 at 1.30 ms");
        assert!(
            lines[1].starts_with("RESERVED from 1.00 ms to 1.60 ms: the one writer"),
            "{lines:?}"
        );
        assert_eq!(
            lines[2],
            "transaction (claim): BEGIN IMMEDIATE at 1.00 ms, rolled back at 1.60 ms"
        );
        assert_eq!(
            lines[3],
            "statement (claim) from 1.20 ms to 1.50 ms: UPDATE jobs SET state = 'RUNNING'"
        );
        assert_eq!(
            lines[4],
            "SQLITE_BUSY at 1.40 ms in claim: `BEGIN IMMEDIATE` failed after 0.25 ms: database is locked"
        );
        assert_eq!(
            t.details(0, (1300, 1300), 50, 2000).len(),
            4,
            "the error is out of reach"
        );
        assert!(t.details(7, (0, 0), 0, 0).is_empty(), "no such lane");
    }

    #[test]
    fn the_keyboard_steps_from_element_to_element() {
        let t = Timeline::from_events(&write_then_wait());
        let lane = t.lane(0).unwrap();
        assert_eq!(lane.next_element(0, true), Some(100));
        assert_eq!(lane.next_element(100, true), Some(200));
        assert_eq!(
            lane.next_element(200, true),
            None,
            "nothing starts after EXCLUSIVE"
        );
        assert_eq!(lane.next_element(200, false), Some(100));
        assert_eq!(lane.next_element(0, false), None);
        assert_eq!(
            t.lane(1).unwrap().next_element(0, true),
            Some(350),
            "the error"
        );
    }

    #[test]
    fn error_kinds_follow_the_extended_code() {
        assert_eq!(ErrorKind::of(5), ErrorKind::Busy);
        assert_eq!(ErrorKind::of(517), ErrorKind::BusySnapshot);
        assert_eq!(ErrorKind::of(261), ErrorKind::Busy, "BUSY_RECOVERY");
        assert_eq!(ErrorKind::of(6), ErrorKind::Locked);
        assert_eq!(ErrorKind::of(11), ErrorKind::Other);
    }

    #[test]
    fn a_view_maps_time_to_columns_and_back() {
        let v = View::new(1000, 1999, 10);
        assert_eq!(
            (v.column(0), v.column(1000), v.column(1999), v.column(5000)),
            (0, 0, 9, 9)
        );
        assert_eq!(v.time_at(5), 1500);
        for width in [7, 100, 883] {
            let v = View::new(0, 652_123, width);
            for c in 0..width {
                assert_eq!(v.column(v.time_at(c)), c, "column {c} of {width}");
                assert_eq!(v.column(v.time_at(c + 1) - 1), c);
            }
        }
        assert_eq!(v.us_per_column(), 99);
    }

    #[test]
    fn zoom_keeps_the_time_under_the_pointer_and_stays_inside_the_run() {
        assert_eq!(zoom((0, 1000), 500, 0.5, 1000), (250, 750));
        assert_eq!(zoom((0, 1000), 0, 0.5, 1000), (0, 500));
        assert_eq!(
            zoom((250, 750), 500, 4.0, 1000),
            (0, 1000),
            "never wider than the run"
        );
        let (s, e) = zoom((0, 300), 100, 0.1, 1000);
        assert_eq!(e - s, MIN_WINDOW_US);
        assert_eq!(pan((0, 100), -50, 1000), (0, 100));
        assert_eq!(pan((0, 100), 950, 1000), (900, 1000));
    }
}
