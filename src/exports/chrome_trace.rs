//! Export of a run's trace as Chrome Trace Event Format JSON, which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open. It keeps what the page shows, and
//! more: each worker is one process whose tracks are
//!
//! - its transactions, with their statements inside, and errors and SQLite's log
//!   messages (recovery notices among them) as instants;
//! - its lock level on the queue database, with busy waits inside (naming whom
//!   they wait for), and as instants the locks refused and the syncs (naming the
//!   file);
//! - one track per WAL lock on the queue database: WAL read (a read mark), WAL
//!   write, WAL checkpoint, WAL recovery, with the requests for it refused;
//! - the same lock tracks for the results database, when the scenario has one;
//! - its jobs (claimed, reclaimed from a dead worker, heartbeat, done, lost race,
//!   lease lost) and its end (or its death) as instants.
//!
//! A track appears only when something is on it. Every slice is a complete event
//! ("X"), and the slices of a track are disjoint or nested: lock holds of one kind
//! never overlap, a busy wait happens while one lock level is held (a sleeping
//! worker changes no lock), a statement runs inside its transaction. The events are
//! sorted by time, a longer slice before a shorter one that starts with it, so a
//! reader that nests slices in file order and one that sorts them itself agree.
//! Lock holds come from `lock_holds`, like the timeline's and the metrics'.
//!
//! Each refused lock names the worker in the way, what it held and since when
//! (from `wait_for`, for both VFSes), and a flow (`"ph": "s"` on the holder's
//! track, inside the hold in the way, then `"f"` just before the refusal on the
//! waiter's track, which Perfetto binds to it) draws an arrow from the holder to
//! the worker it blocked.

use crate::analysis::lock_holds::{HeldLock, LockHolds};
use crate::analysis::wait_for::{Holding, Read, Refusal, WaitFor, Wanted};
use crate::result_code;
use crate::trace::HOST_WORKER;
use crate::trace::{DbFile, EventKind, FileRole, Role, TraceEvent, WorkerId};
use serde_json::{json, Value};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

const TRANSACTIONS: u32 = 1;
const JOBS: u32 = 12;
/// Waits for the process's interpreter lock (the scenario's `processes`).
const INTERPRETER: u32 = 13;

/// The track (thread id) of the lock level on `db`, with the refusals and syncs.
fn level_track(db: DbFile) -> u32 {
    match db {
        DbFile::Queue => 2,
        DbFile::Results => 7,
    }
}

/// The track of a hold of `held` on `db`.
fn hold_track(db: DbFile, held: HeldLock) -> u32 {
    level_track(db)
        + match held {
            HeldLock::Level(_) => 0,
            HeldLock::WalRead => 1,
            HeldLock::WalWrite => 2,
            HeldLock::WalCheckpoint => 3,
            HeldLock::WalRecovery => 4,
        }
}

/// The track of the holds of shm slot `slot` on `db`.
fn slot_track(db: DbFile, slot: u8) -> u32 {
    let held = match slot {
        0 => HeldLock::WalWrite,
        1 => HeldLock::WalCheckpoint,
        2 => HeldLock::WalRecovery,
        _ => HeldLock::WalRead,
    };
    hold_track(db, held)
}

/// The track a refusal is shown on: its lock level's, or its first slot's.
fn refusal_track(r: &Refusal) -> u32 {
    match r.wanted {
        Wanted::Level(_) => level_track(r.db),
        Wanted::Shm { slot, .. } => slot_track(r.db, slot),
    }
}

/// The track of a lock held in the way.
fn holding_track(db: DbFile, holding: Holding) -> u32 {
    match holding {
        Holding::Level(_) => level_track(db),
        Holding::Shm { slot, .. } => slot_track(db, slot),
    }
}

fn track_name(tid: u32) -> String {
    let (db, what) = match tid {
        TRANSACTIONS => return "transactions".into(),
        JOBS => return "jobs".into(),
        INTERPRETER => return "interpreter lock".into(),
        2..=6 => ("queue", tid - 2),
        _ => ("results", tid - 7),
    };
    let what = match what {
        0 => "lock level",
        1 => "WAL read",
        2 => "WAL write",
        3 => "WAL checkpoint",
        _ => "WAL recovery",
    };
    format!("{db}: {what}")
}

fn db_name(db: DbFile) -> &'static str {
    match db {
        DbFile::Queue => "queue",
        DbFile::Results => "results",
    }
}

fn file_name(file: FileRole) -> &'static str {
    match file {
        FileRole::Db => "db",
        FileRole::Journal => "journal",
        FileRole::Wal => "wal",
        FileRole::Other => "other",
    }
}

/// The whole trace as one JSON document; spans still open at `end_us` (or at a
/// worker's last event, if later) end there.
pub fn export(events: &[TraceEvent], end_us: u64) -> Value {
    let roles: BTreeMap<WorkerId, Role> =
        crate::ordering::map_of(events.iter().filter_map(|e| match e.kind {
            EventKind::WorkerStart { role } => Some((e.worker, role)),
            _ => None,
        }));
    let plays: BTreeMap<WorkerId, &str> =
        crate::ordering::map_of(events.iter().filter_map(|e| match &e.kind {
            EventKind::Plays { role } => Some((e.worker, role.as_ref())),
            _ => None,
        }));
    let who = |worker: WorkerId| match (worker, roles.get(&worker)) {
        (HOST_WORKER, _) => "the host's connection".to_string(),
        _ if plays.contains_key(&worker) => format!("{} {worker}", plays[&worker]),
        (_, Some(Role::Reader)) => format!("reader {worker}"),
        (_, Some(Role::Console)) => "you (the console)".to_string(),
        _ => format!("worker {worker}"),
    };
    // In time order (a stable sort keeps each worker's own order).
    let mut in_time = events.iter().collect::<Vec<_>>();
    crate::ordering::sort_by_key(&mut in_time, |e| e.t_us);
    let mut wait_for = WaitFor::default();
    let reads: Vec<Read> = in_time.iter().map(|e| wait_for.add(e)).collect();
    wait_for.finish();
    let mut lanes: BTreeMap<WorkerId, Lane> = BTreeMap::new();
    let mut out = Vec::new();
    for (e, read) in in_time.into_iter().zip(reads) {
        let lane = lanes.entry(e.worker).or_insert_with(|| Lane::new(e.worker));
        let blocked = match read {
            Read::Refusal(id) => Blocked::Refusal(id, wait_for.refusal(id)),
            Read::Wait(Some(id)) => Blocked::Wait(wait_for.refusal(id)),
            _ => Blocked::No,
        };
        lane.read(e, blocked, &who, &mut out);
    }
    let mut metadata = Vec::new();
    for (worker, lane) in &mut lanes {
        lane.finish(end_us.max(lane.last_us), &mut out);
        let name = match roles.get(worker) {
            _ if plays.contains_key(worker) => format!("{} {worker}", plays[worker]),
            Some(Role::Writer) => format!("worker {worker} (writer)"),
            Some(Role::Reader) => format!("worker {worker} (reader)"),
            Some(Role::Console) => format!("you (the console, {worker})"),
            None => format!("worker {worker}"),
        };
        metadata.push(json!({"name": "process_name", "ph": "M", "pid": lane.pid,
            "args": {"name": name}}));
        metadata.push(
            json!({"name": "process_sort_index", "ph": "M", "pid": lane.pid,
            "args": {"sort_index": worker}}),
        );
        for tid in &lane.tracks {
            metadata.push(json!({"name": "thread_name", "ph": "M", "pid": lane.pid,
                "tid": tid, "args": {"name": track_name(*tid)}}));
            metadata.push(
                json!({"name": "thread_sort_index", "ph": "M", "pid": lane.pid,
                "tid": tid, "args": {"sort_index": tid}}),
            );
        }
    }
    crate::ordering::sort_by_key(&mut out, |o| (o.ts, Reverse(o.dur)));
    metadata.extend(out.into_iter().map(|o| o.event));
    json!({ "traceEvents": metadata, "displayTimeUnit": "ms" })
}

/// What an event has to do with who blocks whom.
enum Blocked<'a> {
    No,
    /// A refused lock, with its number.
    Refusal(u32, &'a Refusal),
    /// A busy wait, after this refusal.
    Wait(&'a Refusal),
}

/// "EXCLUSIVE refused: reader 1 holds SHARED", from the holder the trace shows;
/// else the VFS's word ("...: the host's connection is in the way"), or nobody.
fn refusal_name(r: &Refusal, who: &dyn Fn(WorkerId) -> String) -> String {
    let wanted = r.wanted.name();
    match (r.holder, r.by) {
        (Some(h), by) => {
            let named = match by {
                Some(by) if by != h.worker => format!(" (the VFS named {})", who(by)),
                _ => String::new(),
            };
            let holds = h.holding.name();
            format!("{wanted} refused: {} holds {holds}{named}", who(h.worker))
        }
        (None, Some(by)) => format!("{wanted} refused: {} is in the way", who(by)),
        (None, None) => format!("{wanted} refused"),
    }
}

/// One event of the output, with what it is sorted by.
struct Out {
    ts: u64,
    dur: u64,
    event: Value,
}

/// One worker's open spans while its events are read, and the tracks it used.
struct Lane {
    pid: u32,
    holds: LockHolds,
    transaction: Option<(String, u64)>,
    tracks: BTreeSet<u32>,
    last_us: u64,
}

impl Lane {
    fn new(worker: WorkerId) -> Lane {
        Lane {
            pid: worker + 1,
            holds: LockHolds::default(),
            transaction: None,
            tracks: BTreeSet::new(),
            last_us: 0,
        }
    }

    fn span(
        &mut self,
        out: &mut Vec<Out>,
        tid: u32,
        name: &str,
        (start, end): (u64, u64),
        args: Value,
    ) {
        self.tracks.insert(tid);
        let dur = end.saturating_sub(start);
        out.push(Out {
            ts: start,
            dur,
            event: json!({"name": name, "ph": "X", "pid": self.pid, "tid": tid, "ts": start,
                "dur": dur, "args": args}),
        });
    }

    fn instant(&mut self, out: &mut Vec<Out>, tid: u32, name: &str, t: u64, args: Value) {
        self.tracks.insert(tid);
        out.push(Out {
            ts: t,
            dur: 0,
            event: json!({"name": name, "ph": "i", "s": "t", "pid": self.pid, "tid": tid,
                "ts": t, "args": args}),
        });
    }

    /// A refusal on its track, after the flow's end that Perfetto binds to it, and
    /// the flow's start inside the holder's hold in the way.
    fn refusal(
        &mut self,
        out: &mut Vec<Out>,
        (id, r): (u32, &Refusal),
        who: &dyn Fn(WorkerId) -> String,
    ) {
        let t = r.t_us;
        let track = refusal_track(r);
        let mut args = json!({"db": db_name(r.db), "wanted": r.wanted.name(), "by": r.by,
            "holder": r.holder.map(|h| h.worker)});
        if let Some(held) = r.held {
            args["held"] = json!(held.name());
        }
        if let Some(h) = r.holder {
            args["holds"] = json!(h.holding.name());
            args["holder_since_us"] = json!(h.since_us);
            args["in_way_since_us"] = json!(h.in_way_since_us);
            let flow = |ph: &str, pid: u32, tid: u32| Out {
                ts: t,
                dur: 0,
                event: json!({"name": "wait for", "cat": "wait for", "ph": ph, "id": id + 1,
                    "pid": pid, "tid": tid, "ts": t}),
            };
            out.push(flow("s", h.worker + 1, holding_track(r.db, h.holding)));
            self.tracks.insert(track);
            out.push(flow("f", self.pid, track));
        }
        self.instant(out, track, &refusal_name(r, who), t, args);
    }

    /// Read the worker's next event; `blocked` says what it has to do with who
    /// blocks whom.
    fn read(
        &mut self,
        e: &TraceEvent,
        blocked: Blocked<'_>,
        who: &dyn Fn(WorkerId) -> String,
        out: &mut Vec<Out>,
    ) {
        let t = e.t_us;
        let end = t + e.kind.dur_us().unwrap_or(0);
        self.last_us = self.last_us.max(end);
        let mut ended = Vec::new();
        self.holds.read(e, |hold| ended.push(hold));
        for hold in ended {
            let tid = hold_track(hold.db, hold.held);
            let args = json!({"db": db_name(hold.db)});
            self.span(out, tid, hold.held.name(), (hold.from_us, hold.to_us), args);
        }
        match &e.kind {
            // Lock holds are read above; the process is named at the end.
            EventKind::Lock { .. } | EventKind::WorkerStart { .. } | EventKind::Plays { .. } => {}
            EventKind::WorkerEnd => self.instant(out, JOBS, "worker ended", t, json!({})),
            EventKind::LockDenied { .. } | EventKind::ShmLock { .. } => {
                if let Blocked::Refusal(id, r) = blocked {
                    self.refusal(out, (id, r), who);
                }
            }
            EventKind::Sync { db, file } => {
                let name = format!("sync {}", file_name(*file));
                let args = json!({"db": db_name(*db), "file": file_name(*file)});
                self.instant(out, level_track(*db), &name, t, args);
            }
            EventKind::WriteBack {
                db,
                file,
                pages,
                dur_us,
            } => {
                let name = format!("write-back {}", file_name(*file));
                let args = json!({"db": db_name(*db), "file": file_name(*file), "pages": pages});
                self.span(out, level_track(*db), &name, (t, t + dur_us), args);
            }
            EventKind::BusyWait {
                requested_us,
                dur_us,
            } => {
                let mut args = json!({"requested_us": requested_us});
                // On the track of the database whose lock it waits for.
                let db = match blocked {
                    Blocked::Wait(r) => {
                        args["waits_for"] = json!(r.blocker());
                        args["after_refusal_at_us"] = json!(r.t_us);
                        r.db
                    }
                    _ => DbFile::Queue,
                };
                self.span(out, level_track(db), "busy wait", (t, t + dur_us), args);
            }
            EventKind::WalGrew { db, bytes } => out.push(Out {
                // A counter: Perfetto draws the WAL's length as a line.
                ts: t,
                dur: 0,
                event: json!({"name": format!("{} WAL bytes", db_name(*db)), "ph": "C",
                    "pid": self.pid, "tid": level_track(*db), "ts": t, "args": {"bytes": bytes}}),
            }),
            EventKind::SharedCommit { others } => {
                let args = json!({"other_tasks": others});
                self.instant(out, TRANSACTIONS, "COMMIT of other tasks' work", t, args);
            }
            EventKind::WalRestarted { db } => {
                let args = json!({"db": db_name(*db)});
                self.instant(out, level_track(*db), "WAL started over", t, args);
            }
            EventKind::InterpreterWait { holder, dur_us } => {
                let args = match holder {
                    Some(w) => json!({"held_by": who(*w)}),
                    None => json!({}),
                };
                let name = "waiting for the interpreter lock";
                self.span(out, INTERPRETER, name, (t, t + dur_us), args);
            }
            EventKind::Begin { sql, .. } => self.transaction = Some((sql.to_string(), t)),
            EventKind::Commit { .. } | EventKind::Rollback { .. } => {
                if let Some((sql, since)) = self.transaction.take() {
                    let how = if matches!(e.kind, EventKind::Commit { .. }) {
                        "committed"
                    } else {
                        "rolled back"
                    };
                    let name = format!("{sql} ({how})");
                    self.span(out, TRANSACTIONS, &name, (since, t), json!({}));
                }
            }
            // BEGIN ends before its transaction starts: the transaction shows it.
            EventKind::Statement { sql, .. } if sql.starts_with("BEGIN") => {}
            EventKind::Statement { step, sql, dur_us } => {
                let args = json!({"step": step});
                self.span(out, TRANSACTIONS, sql, (t, t + dur_us), args);
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
                let args = json!({"step": step, "code": extended, "message": message,
                    "sql": sql, "after_us": after_us});
                self.instant(out, TRANSACTIONS, name, t, args);
            }
            EventKind::JobClaimed { job } => {
                self.instant(out, JOBS, "claimed", t, json!({"job": job}))
            }
            EventKind::JobDone { job, latency_us } => {
                let args = json!({"job": job, "latency_us": latency_us});
                self.instant(out, JOBS, "done", t, args)
            }
            EventKind::LostRace { job } => {
                self.instant(out, JOBS, "lost race", t, json!({"job": job}))
            }
            EventKind::Heartbeat { job } => {
                self.instant(out, JOBS, "heartbeat", t, json!({"job": job}))
            }
            EventKind::JobReclaimed { job, from } => {
                let name = match from {
                    Some(from) => format!("reclaimed from worker {from}"),
                    None => "reclaimed".to_string(),
                };
                self.instant(out, JOBS, &name, t, json!({"job": job, "from": from}))
            }
            EventKind::LeaseLost { job } => {
                self.instant(out, JOBS, "lease lost", t, json!({"job": job}))
            }
            EventKind::WorkerKilled => self.instant(out, JOBS, "worker killed", t, json!({})),
            EventKind::SqliteLog { code, message } => {
                let name = result_code::name(*code);
                let args = json!({"code": code, "message": message});
                self.instant(out, TRANSACTIONS, &format!("log: {name}"), t, args)
            }
        }
    }

    fn finish(&mut self, end_us: u64, out: &mut Vec<Out>) {
        let still: Vec<_> = self.holds.still_held(end_us).collect();
        for hold in still {
            let tid = hold_track(hold.db, hold.held);
            let args = json!({"db": db_name(hold.db), "still_held": true});
            self.span(out, tid, hold.held.name(), (hold.from_us, hold.to_us), args);
        }
        if let Some((sql, since)) = self.transaction.take() {
            let name = format!("{sql} (open at the end)");
            self.span(
                out,
                TRANSACTIONS,
                &name,
                (since, end_us.max(since)),
                json!({}),
            );
        }
    }
}
