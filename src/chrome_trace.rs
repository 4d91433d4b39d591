//! Export of a run's trace as Chrome Trace Event Format JSON, which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open. It keeps what the page shows, and
//! more: each worker is one process whose tracks are
//!
//! - its transactions, with their statements inside, and errors and SQLite's log
//!   messages (recovery notices among them) as instants;
//! - its lock level on the queue database, with busy waits inside, and as instants
//!   the locks refused (naming the worker in the way, when the VFS knows it) and the
//!   syncs (naming the file);
//! - one track per WAL lock it took on the queue database: WAL read (a read mark),
//!   WAL write, WAL checkpoint, WAL recovery;
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

use crate::lock::LockLevel;
use crate::lock_holds::{Held, LockHolds};
use crate::result_code;
use crate::trace::{DbFile, EventKind, FileRole, Role, TraceEvent, WorkerId};
use crate::vfs::database::HOST_OWNER;
use serde_json::{json, Value};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet};

const TRANSACTIONS: u32 = 1;
const JOBS: u32 = 12;

/// The track (thread id) of the lock level on `db`, with the refusals and syncs.
fn level_track(db: DbFile) -> u32 {
    match db {
        DbFile::Queue => 2,
        DbFile::Results => 7,
    }
}

/// The track of a hold of `held` on `db`.
fn hold_track(db: DbFile, held: Held) -> u32 {
    level_track(db)
        + match held {
            Held::Level(_) => 0,
            Held::WalRead => 1,
            Held::WalWrite => 2,
            Held::WalCheckpoint => 3,
            Held::WalRecovery => 4,
        }
}

fn track_name(tid: u32) -> String {
    let (db, what) = match tid {
        TRANSACTIONS => return "transactions".into(),
        JOBS => return "jobs".into(),
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
    let roles: BTreeMap<WorkerId, Role> = events
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::WorkerStart { role } => Some((e.worker, role)),
            _ => None,
        })
        .collect();
    let who = |worker: WorkerId| match (worker, roles.get(&worker)) {
        (HOST_OWNER, _) => "the host's connection".to_string(),
        (_, Some(Role::Reader)) => format!("reader {worker}"),
        (_, Some(Role::Console)) => "you (the console)".to_string(),
        _ => format!("worker {worker}"),
    };
    // In time order (a stable sort keeps each worker's own order), so that a
    // refusal can say what the worker in the way held at that moment.
    let mut in_time = events.iter().collect::<Vec<_>>();
    in_time.sort_by_key(|e| e.t_us);
    let mut lanes: BTreeMap<WorkerId, Lane> = BTreeMap::new();
    let mut out = Vec::new();
    for e in in_time {
        let refused = match &e.kind {
            EventKind::LockDenied {
                db,
                wanted,
                by: Some(by),
                ..
            } => {
                let holds = lanes.get(by).map(|lane| lane.holds.level(*db));
                Some(refusal_name(*wanted, &who(*by), holds))
            }
            EventKind::LockDenied { wanted, .. } => Some(format!("{} refused", wanted.name())),
            _ => None,
        };
        let lane = lanes.entry(e.worker).or_insert_with(|| Lane::new(e.worker));
        lane.read(e, refused, &mut out);
    }
    let mut metadata = Vec::new();
    for (worker, lane) in &mut lanes {
        lane.finish(end_us.max(lane.last_us), &mut out);
        let name = match roles.get(worker) {
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
    out.sort_by_key(|o| (o.ts, Reverse(o.dur)));
    metadata.extend(out.into_iter().map(|o| o.event));
    json!({ "traceEvents": metadata, "displayTimeUnit": "ms" })
}

/// "EXCLUSIVE refused: reader 1 holds SHARED" when the trace shows the worker in
/// the way holding a level that refuses `wanted`; else only who was in the way
/// (its lock change may be recorded a moment after the refusal).
fn refusal_name(wanted: LockLevel, by: &str, by_holds: Option<LockLevel>) -> String {
    match by_holds {
        Some(level) if level.refuses(wanted) => {
            format!("{} refused: {by} holds {}", wanted.name(), level.name())
        }
        _ => format!("{} refused: {by} is in the way", wanted.name()),
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

    /// Read the worker's next event; `refused` names a refused lock.
    fn read(&mut self, e: &TraceEvent, refused: Option<String>, out: &mut Vec<Out>) {
        let t = e.t_us;
        let end = match &e.kind {
            EventKind::Statement { dur_us, .. } | EventKind::BusyWait { dur_us, .. } => t + dur_us,
            _ => t,
        };
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
            EventKind::Lock { .. } | EventKind::ShmLock { .. } | EventKind::WorkerStart { .. } => {}
            EventKind::WorkerEnd => self.instant(out, JOBS, "worker ended", t, json!({})),
            EventKind::LockDenied {
                db,
                held,
                wanted,
                by,
            } => {
                let name = refused.unwrap_or_else(|| format!("{} refused", wanted.name()));
                let args = json!({"db": db_name(*db), "held": held.name(),
                    "wanted": wanted.name(), "by": by});
                self.instant(out, level_track(*db), &name, t, args);
            }
            EventKind::Sync { db, file } => {
                let name = format!("sync {}", file_name(*file));
                let args = json!({"db": db_name(*db), "file": file_name(*file)});
                self.instant(out, level_track(*db), &name, t, args);
            }
            EventKind::BusyWait {
                requested_us,
                dur_us,
            } => {
                let args = json!({"requested_us": requested_us});
                self.span(
                    out,
                    level_track(DbFile::Queue),
                    "busy wait",
                    (t, t + dur_us),
                    args,
                );
            }
            EventKind::Begin { sql, .. } => self.transaction = Some((sql.clone(), t)),
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
