//! Who blocks whom, from the trace alone: for every refused lock (a `LockDenied`,
//! or a refused `ShmLock`) the worker that held a lock in the way at that moment,
//! which lock, and since when; and every busy wait attributed to the refusal it
//! follows, and so to that holder. The wait-for matrix of the metrics, the
//! timeline's wait-for edges, the Chrome trace's flows and the terminal's summary
//! all read it.
//!
//! It works for both VFSes: the holder is found in the other workers' lock holds
//! (from `lock_holds`) at the moment of the refusal, a hold counting from its first
//! moment to its last, both included. Where the VFS named the worker in the way
//! (`by`, as the shared VFS does), that worker is preferred when the trace shows it
//! holding a lock that refuses the request; a refusal whose `by` the trace does not
//! bear out is kept as the VFS said it and can be told apart (`Refusal::agrees`).
//!
//! Events arrive in batches, one worker's in the order it recorded them and
//! workers interleaved in any order, so a refusal at `t` is settled only once
//! every other worker's events have gone past `t` (until then its holder is
//! provisional, from what has arrived). Holds that no refusal can ask about any
//! more are forgotten, so each event costs about the same however long the run.
//! It never guesses a holder that the trace does not show holding a lock that
//! refuses the request.

mod history;

use crate::lock::{shm_slot_name, LockLevel, SHM_SLOTS};
use crate::trace::{DbFile, EventKind, TraceEvent, WorkerId};
use history::History;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// What a refused request asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wanted {
    /// A lock level on the database file.
    Level(LockLevel),
    /// WAL shm slots `slot..slot + n`, shared or exclusive.
    Shm { slot: u8, n: u8, exclusive: bool },
}

/// A lock that another worker held and that refused a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Holding {
    Level(LockLevel),
    /// One WAL shm slot (the write lock, the checkpointer's, recovery, a read
    /// mark), shared or exclusive.
    Shm {
        slot: u8,
        exclusive: bool,
    },
}

/// Who was in the way of a refusal, according to the trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Holder {
    pub worker: WorkerId,
    /// The lock it held at the moment of the refusal.
    pub holding: Holding,
    /// Since when it held that lock.
    pub since_us: u64,
    /// Since when it held a lock that refuses the request, without a break (a
    /// writer that went from RESERVED to EXCLUSIVE was in the way since RESERVED).
    pub in_way_since_us: u64,
}

/// The number of a refusal in the order they were read.
pub type RefusalId = u32;

/// A lock asked for and refused.
#[derive(Clone, Debug, PartialEq)]
pub struct Refusal {
    /// The worker refused.
    pub worker: WorkerId,
    pub t_us: u64,
    pub db: DbFile,
    /// The lock level the refused worker held then (refused lock levels only).
    pub held: Option<LockLevel>,
    pub wanted: Wanted,
    /// The worker in the way, as the VFS said (the unix VFS cannot say).
    pub by: Option<WorkerId>,
    /// The worker in the way, as the trace shows it; `None` while not settled,
    /// or when no other worker held a lock that refuses the request.
    pub holder: Option<Holder>,
    /// Whether every other worker's events have gone past the refusal, so that
    /// `holder` is final.
    pub settled: bool,
    /// The busy waits that followed it.
    pub waits: u32,
    pub wait_us: u64,
}

impl Refusal {
    /// The worker in the way: the holder the trace shows, else the VFS's word.
    pub fn blocker(&self) -> Option<WorkerId> {
        self.holder.map(|h| h.worker).or(self.by)
    }

    /// Whether the VFS's word (if it gave one) names the holder the trace shows.
    pub fn agrees(&self) -> bool {
        match (self.by, self.holder) {
            (Some(by), Some(holder)) => by == holder.worker,
            (Some(_), None) => false,
            (None, _) => true,
        }
    }
}

/// How often and how long one worker was blocked by another (`by`), or by
/// nobody known (`by: None`: refusals without a holder, and busy waits that
/// followed no refusal).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blocked {
    pub by: Option<WorkerId>,
    pub refusals: u64,
    pub waits: u64,
    pub wait_us: u64,
}

/// What an event meant for who blocks whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    Other,
    /// A refused lock, with its number.
    Refusal(RefusalId),
    /// A busy wait, with the refusal it followed (if any).
    Wait(Option<RefusalId>),
}

/// One worker as far as its events have come.
#[derive(Clone, Debug, Default)]
struct Worker {
    history: History,
    /// The latest moment its events reached: an event arriving later is no
    /// earlier (a span is recorded when it ends).
    seen_us: u64,
    /// Its last event (WorkerEnd, WorkerKilled) has arrived.
    done: bool,
    /// The refusal a busy wait now would follow.
    last_refusal: Option<RefusalId>,
}

/// Who blocks whom, read one event at a time.
#[derive(Clone, Debug, Default)]
pub struct WaitFor {
    /// By worker id, in id order: a run has a few workers, each event looks up
    /// one, and settling looks at them all.
    workers: Vec<(WorkerId, Worker)>,
    refusals: Vec<Refusal>,
    /// Refusals not yet settled, oldest first.
    pending: BinaryHeap<Reverse<(u64, RefusalId)>>,
    /// Per worker refused, what the settled refusals and their waits add up to,
    /// by the worker in the way.
    matrix: BTreeMap<WorkerId, BTreeMap<Option<WorkerId>, Blocked>>,
    /// Events read since refusals were last settled, and since holds were last
    /// forgotten: both look at every worker, so they are done once every
    /// `SETTLE_EVERY` and `FORGET_EVERY` events (and whenever a worker ends).
    since_settle: u32,
    since_forget: u32,
}

/// How many events go by between two attempts to settle refusals.
const SETTLE_EVERY: u32 = 64;
/// How many events go by between two clean-ups of holds no refusal can ask about.
const FORGET_EVERY: u32 = 64;
/// The most refusals one attempt settles (but the last, after the run): when a
/// worker's batch comes late, the others' refusals wait for it, and settling
/// thousands at once held one of the page's tasks up for 18 ms of a profiled
/// 16-worker run. Attempts come every `SETTLE_EVERY` events, each of which holds
/// at most one refusal, so the backlog still goes down four times as fast as it
/// can grow.
const MOST_SETTLED: usize = 4 * SETTLE_EVERY as usize;

impl Wanted {
    /// "RESERVED", "WAL_WRITE exclusive", "WAL_READ1..WAL_READ4 exclusive".
    pub fn name(self) -> String {
        match self {
            Wanted::Level(level) => level.name().to_string(),
            Wanted::Shm { slot, n, exclusive } => {
                let last = slot.saturating_add(n.max(1) - 1).min(SHM_SLOTS as u8 - 1);
                let slots = if last == slot {
                    shm_slot_name(slot).to_string()
                } else {
                    format!("{}..{}", shm_slot_name(slot), shm_slot_name(last))
                };
                format!("{slots} {}", mode(exclusive))
            }
        }
    }
}

fn mode(exclusive: bool) -> &'static str {
    if exclusive {
        "exclusive"
    } else {
        "shared"
    }
}

impl Holding {
    /// "RESERVED", "WAL_WRITE exclusive", "WAL_READ0 shared".
    pub fn name(self) -> String {
        match self {
            Holding::Level(level) => level.name().to_string(),
            Holding::Shm { slot, exclusive } => {
                format!("{} {}", shm_slot_name(slot), mode(exclusive))
            }
        }
    }

    /// Whether holding this refuses `wanted` to another connection (the unix
    /// VFS's rules, which the shared VFS keeps).
    pub fn refuses(self, wanted: Wanted) -> bool {
        match (self, wanted) {
            (Holding::Level(held), Wanted::Level(wanted)) => held.refuses(wanted),
            (
                Holding::Shm { slot, exclusive },
                Wanted::Shm {
                    slot: first,
                    n,
                    exclusive: wanted_exclusive,
                },
            ) => {
                (first..first.saturating_add(n)).contains(&slot) && (exclusive || wanted_exclusive)
            }
            _ => false,
        }
    }
}

/// Worker `id` of `workers` (in id order), added if new.
fn worker_mut(workers: &mut Vec<(WorkerId, Worker)>, id: WorkerId) -> &mut Worker {
    let at = match workers.binary_search_by_key(&id, |(w, _)| *w) {
        Ok(at) => at,
        Err(at) => {
            workers.insert(at, (id, Worker::default()));
            at
        }
    };
    &mut workers[at].1
}

/// The moment an event's worker reached with it (a span is recorded at its end).
fn reached(e: &TraceEvent) -> u64 {
    e.t_us.saturating_add(e.kind.dur_us().unwrap_or(0))
}

impl WaitFor {
    pub fn from_events(events: &[TraceEvent]) -> WaitFor {
        let mut w = WaitFor::default();
        for e in events {
            w.add(e);
        }
        w
    }

    /// Expect events of these workers: no refusal is settled before each of them
    /// has gone past it, even if its first events arrive late (a worker that waits
    /// in its first statement sends nothing until it ends).
    pub fn expect(&mut self, workers: impl IntoIterator<Item = WorkerId>) {
        for w in workers {
            worker_mut(&mut self.workers, w);
        }
    }

    /// Read one more event. Events of one worker come in the order it recorded
    /// them; those of different workers may interleave in any order.
    pub fn add(&mut self, e: &TraceEvent) -> Read {
        let worker = worker_mut(&mut self.workers, e.worker);
        worker.seen_us = worker.seen_us.max(reached(e));
        worker.history.read(e);
        let refused = match &e.kind {
            EventKind::LockDenied {
                db,
                held,
                wanted,
                by,
            } => Some((*db, Some(*held), Wanted::Level(*wanted), *by)),
            EventKind::ShmLock {
                db,
                slot,
                n,
                exclusive,
                acquire: true,
                ok: false,
                by,
            } => Some((
                *db,
                None,
                Wanted::Shm {
                    slot: *slot,
                    n: *n,
                    exclusive: *exclusive,
                },
                *by,
            )),
            _ => None,
        };
        let read = if let Some((db, held, wanted, by)) = refused {
            let id = self.refusals.len() as RefusalId;
            self.refusals.push(Refusal {
                worker: e.worker,
                t_us: e.t_us,
                db,
                held,
                wanted,
                by,
                holder: None,
                settled: false,
                waits: 0,
                wait_us: 0,
            });
            self.pending.push(Reverse((e.t_us, id)));
            worker.last_refusal = Some(id);
            Read::Refusal(id)
        } else {
            let last = worker.last_refusal.map(|id| &self.refusals[id as usize]);
            match &e.kind {
                EventKind::BusyWait { .. } => Read::Wait(worker.last_refusal),
                // The request refused was granted after all: a later wait is not
                // for it.
                EventKind::Lock { db, to, .. }
                    if last.is_some_and(|r| {
                        r.db == *db && matches!(r.wanted, Wanted::Level(w) if *to >= w)
                    }) =>
                {
                    worker.last_refusal = None;
                    Read::Other
                }
                EventKind::ShmLock {
                    db,
                    slot,
                    n,
                    acquire: true,
                    ok: true,
                    ..
                } if last.is_some_and(|r| {
                    r.db == *db
                        && matches!(r.wanted, Wanted::Shm { slot: s, n: m, .. }
                            if s >= *slot && s + m <= slot.saturating_add(*n))
                }) =>
                {
                    worker.last_refusal = None;
                    Read::Other
                }
                // A statement or transaction ended: the busy handler gave up or got
                // its lock.
                EventKind::Begin { .. }
                | EventKind::Commit { .. }
                | EventKind::Rollback { .. }
                | EventKind::Statement { .. }
                | EventKind::Error { .. } => {
                    worker.last_refusal = None;
                    Read::Other
                }
                EventKind::WorkerEnd | EventKind::WorkerKilled => {
                    worker.last_refusal = None;
                    worker.done = true;
                    Read::Other
                }
                _ => Read::Other,
            }
        };
        if let (Read::Wait(followed), EventKind::BusyWait { dur_us, .. }) = (read, &e.kind) {
            self.waited(e.worker, followed, *dur_us);
        }
        self.since_settle += 1;
        self.since_forget += 1;
        let ended = matches!(e.kind, EventKind::WorkerEnd | EventKind::WorkerKilled);
        if ended || self.since_settle >= SETTLE_EVERY {
            self.settle(false);
        }
        read
    }

    /// Settle every refusal with what has arrived: the run is over.
    pub fn finish(&mut self) {
        self.settle(true);
    }

    /// A busy wait of `worker` that followed `refusal` (or none).
    fn waited(&mut self, worker: WorkerId, refusal: Option<RefusalId>, dur_us: u64) {
        let by = match refusal.map(|id| &mut self.refusals[id as usize]) {
            Some(r) => {
                r.waits += 1;
                r.wait_us += dur_us;
                if !r.settled {
                    // Counted when the refusal is settled.
                    return;
                }
                r.blocker()
            }
            None => None,
        };
        let cell = self.cell(worker, by);
        cell.waits += 1;
        cell.wait_us += dur_us;
    }

    fn cell(&mut self, worker: WorkerId, by: Option<WorkerId>) -> &mut Blocked {
        self.matrix
            .entry(worker)
            .or_default()
            .entry(by)
            .or_insert(Blocked {
                by,
                ..Blocked::default()
            })
    }

    /// Settle the refusals that every other worker's events have gone past (all
    /// of them if `all`), oldest first, and now and then forget the holds no
    /// refusal can ask about. Costs the workers (a few) plus the refusals settled,
    /// never the refusals still waiting.
    fn settle(&mut self, all: bool) {
        self.since_settle = 0;
        let forget = self.since_forget >= FORGET_EVERY;
        if self.pending.is_empty() && !forget && !all {
            return;
        }
        // The two workers (not done) whose events reached least far: a refusal is
        // settled when every worker but its own went past it.
        let (mut first, mut second) = ((u64::MAX, None), u64::MAX);
        if !all {
            for (id, w) in self.workers.iter().filter(|(_, w)| !w.done) {
                if w.seen_us < first.0 {
                    second = first.0;
                    first = (w.seen_us, Some(*id));
                } else if w.seen_us < second {
                    second = w.seen_us;
                }
            }
        }
        let mut settled = 0;
        while let Some(&Reverse((t_us, id))) = self.pending.peek() {
            if !all && settled == MOST_SETTLED {
                break;
            }
            settled += 1;
            let r = &self.refusals[id as usize];
            let others = if first.1 == Some(r.worker) {
                second
            } else {
                first.0
            };
            // A worker whose events reached `t` may still record more at `t`.
            // (A later refusal of the slowest worker may wait behind this one.)
            if t_us >= others {
                break;
            }
            self.pending.pop();
            let holder = self.resolve(r);
            let r = &mut self.refusals[id as usize];
            r.holder = holder;
            r.settled = true;
            let (worker, by, waits, wait_us) = (r.worker, r.blocker(), r.waits, r.wait_us);
            let cell = self.cell(worker, by);
            cell.refusals += 1;
            cell.waits += u64::from(waits);
            cell.wait_us += wait_us;
        }
        if forget && !all {
            self.since_forget = 0;
            let oldest = self.pending.peek().map_or(u64::MAX, |Reverse((t, _))| *t);
            let cut = oldest.min(first.0);
            for (_, w) in &mut self.workers {
                w.history.forget_before(cut);
            }
        }
    }

    /// The holder of a refusal from the holds that have arrived: the VFS's word
    /// when the trace bears it out, else the strongest lock in the way (the
    /// highest level, an exclusive slot before a shared one), held the longest,
    /// by the lowest worker id.
    fn resolve(&self, r: &Refusal) -> Option<Holder> {
        let rank = |h: &Holder| {
            let strength = match h.holding {
                Holding::Level(level) => level as u8,
                Holding::Shm { exclusive, .. } => u8::from(exclusive),
            };
            (
                Some(h.worker) == r.by,
                strength,
                Reverse(h.in_way_since_us),
                Reverse(h.worker),
            )
        };
        let mut best: Option<Holder> = None;
        for (id, w) in self.workers.iter().filter(|(id, _)| *id != r.worker) {
            w.history.in_the_way(r.db, r.wanted, r.t_us, |way| {
                let h = Holder {
                    worker: *id,
                    holding: way.holding,
                    since_us: way.since_us,
                    in_way_since_us: way.in_way_since_us,
                };
                if best.as_ref().is_none_or(|b| rank(&h) > rank(b)) {
                    best = Some(h);
                }
            });
        }
        best
    }

    /// Every refusal read, in the order read (`holder` only once settled).
    pub fn refusals(&self) -> &[Refusal] {
        &self.refusals
    }

    pub fn refusal(&self, id: RefusalId) -> &Refusal {
        &self.refusals[id as usize]
    }

    /// The worker in the way of refusal `id`: settled, or from what has arrived.
    pub fn holder(&self, id: RefusalId) -> Option<Holder> {
        let r = &self.refusals[id as usize];
        if r.settled {
            r.holder
        } else {
            self.resolve(r)
        }
    }

    /// The worker in the way of refusal `id`: settled; else, cheaply, the VFS's
    /// word if it gave one, or the holder so far (what the live views draw while
    /// many refusals wait to be settled).
    pub fn blocker(&self, id: RefusalId) -> Option<WorkerId> {
        let r = &self.refusals[id as usize];
        if r.settled {
            r.blocker()
        } else {
            r.by.or_else(|| self.resolve(r).map(|h| h.worker))
        }
    }

    /// Per worker refused, how often and how long each other worker blocked it
    /// (refusals not yet settled counted with `blocker`); the entry for nobody
    /// known (`by: None`) last.
    pub fn matrix(&self) -> BTreeMap<WorkerId, Vec<Blocked>> {
        let mut m = self.matrix.clone();
        for Reverse((_, id)) in &self.pending {
            let r = &self.refusals[*id as usize];
            let by = self.blocker(*id);
            let cell = m.entry(r.worker).or_default().entry(by).or_insert(Blocked {
                by,
                ..Blocked::default()
            });
            cell.refusals += 1;
            cell.waits += u64::from(r.waits);
            cell.wait_us += r.wait_us;
        }
        crate::ordering::map_of(m.into_iter().map(|(worker, row)| {
            let mut row: Vec<Blocked> = row.into_values().collect();
            crate::ordering::sort_by_key(&mut row, |b| (b.by.is_none(), b.by));
            (worker, row)
        }))
    }
}

#[cfg(test)]
mod tests;
