//! Export of a run's trace as Chrome Trace Event Format JSON, which Perfetto
//! (ui.perfetto.dev) and chrome://tracing open. Each worker is one process with three
//! tracks: its lock level (with busy waits inside), its transactions and statements
//! (with errors), and its jobs.

use crate::lock::LockLevel;
use crate::trace::{DbFile, EventKind, Role, TraceEvent, WorkerId};
use serde_json::{json, Value};
use std::collections::BTreeMap;

const LOCKS: u32 = 1;
const TRANSACTIONS: u32 = 2;
const JOBS: u32 = 3;

/// The whole trace as one JSON document; spans still open at `end_us` end there.
pub fn export(events: &[TraceEvent], end_us: u64) -> Value {
    let mut out = Vec::new();
    let mut lanes: BTreeMap<WorkerId, Lane> = BTreeMap::new();
    for e in events {
        let lane = lanes.entry(e.worker).or_insert_with(|| Lane::new(e.worker));
        lane.read(e, &mut out);
    }
    for lane in lanes.values_mut() {
        lane.finish(end_us, &mut out);
    }
    json!({ "traceEvents": out, "displayTimeUnit": "ms" })
}

/// One worker's open spans while its events are read.
struct Lane {
    pid: u32,
    level: (LockLevel, u64),
    transaction: Option<(String, u64)>,
}

impl Lane {
    fn new(worker: WorkerId) -> Lane {
        Lane {
            pid: worker + 1,
            level: (LockLevel::None, 0),
            transaction: None,
        }
    }

    fn span(&self, out: &mut Vec<Value>, tid: u32, name: &str, start: u64, end: u64, args: Value) {
        out.push(
            json!({"name": name, "ph": "X", "pid": self.pid, "tid": tid, "ts": start,
            "dur": end.saturating_sub(start), "args": args}),
        );
    }

    fn instant(&self, out: &mut Vec<Value>, tid: u32, name: &str, t: u64, args: Value) {
        out.push(json!({"name": name, "ph": "i", "s": "t", "pid": self.pid, "tid": tid, "ts": t, "args": args}));
    }

    fn read(&mut self, e: &TraceEvent, out: &mut Vec<Value>) {
        let t = e.t_us;
        match &e.kind {
            EventKind::WorkerStart { role } => {
                let role = match role {
                    Role::Writer => "writer",
                    Role::Reader => "reader",
                };
                out.push(json!({"name": "process_name", "ph": "M", "pid": self.pid,
                    "args": {"name": format!("worker {} ({role})", e.worker)}}));
                for (tid, name) in [
                    (LOCKS, "lock level"),
                    (TRANSACTIONS, "transactions"),
                    (JOBS, "jobs"),
                ] {
                    out.push(
                        json!({"name": "thread_name", "ph": "M", "pid": self.pid, "tid": tid,
                        "args": {"name": name}}),
                    );
                }
            }
            EventKind::Lock {
                db: DbFile::Queue,
                to,
                ..
            } => {
                let (level, since) = self.level;
                if level != LockLevel::None {
                    self.span(out, LOCKS, level.name(), since, t, json!({}));
                }
                self.level = (*to, t);
            }
            EventKind::BusyWait {
                requested_us,
                dur_us,
            } => {
                self.span(
                    out,
                    LOCKS,
                    "busy wait",
                    t,
                    t + dur_us,
                    json!({"requested_us": requested_us}),
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
                    self.span(
                        out,
                        TRANSACTIONS,
                        &format!("{sql} ({how})"),
                        since,
                        t,
                        json!({}),
                    );
                }
            }
            EventKind::Statement { step, sql, dur_us } => {
                if !sql.starts_with("BEGIN") {
                    self.span(out, TRANSACTIONS, sql, t, t + dur_us, json!({"step": step}));
                }
            }
            EventKind::Error {
                name,
                message,
                sql,
                after_us,
                ..
            } => {
                self.instant(
                    out,
                    TRANSACTIONS,
                    name,
                    t,
                    json!({"message": message, "sql": sql, "after_us": after_us}),
                );
            }
            EventKind::JobClaimed { job } => {
                self.instant(out, JOBS, "claimed", t, json!({"job": job}))
            }
            EventKind::JobDone { job, latency_us } => self.instant(
                out,
                JOBS,
                "done",
                t,
                json!({"job": job, "latency_us": latency_us}),
            ),
            EventKind::LostRace { job } => {
                self.instant(out, JOBS, "lost race", t, json!({"job": job}))
            }
            EventKind::Heartbeat { job } => {
                self.instant(out, JOBS, "heartbeat", t, json!({"job": job}))
            }
            _ => {}
        }
    }

    fn finish(&mut self, end_us: u64, out: &mut Vec<Value>) {
        let (level, since) = self.level;
        if level != LockLevel::None {
            self.span(out, LOCKS, level.name(), since, end_us, json!({}));
        }
        if let Some((sql, since)) = self.transaction.take() {
            self.span(
                out,
                TRANSACTIONS,
                &format!("{sql} (open at the end)"),
                since,
                end_us,
                json!({}),
            );
        }
    }
}
