//! "What happened in this run": a paragraph written from one run's report, every
//! number taken from it (who failed how often with which code, who held the
//! write lock how much of the run, how long the workers waited, how the jobs were
//! shared out, whether every job was done once). Never a canned sentence: a
//! sentence whose numbers are absent is left out, and what is said is what the
//! report says.

use super::Evidence;
use crate::analysis::metrics::WorkerMetrics;
use crate::analysis::report::{Outcome, RunReport};
use crate::decimal::Dec;
use crate::trace::{Role, WorkerId};

/// The paragraph for a lesson's run, or for each run of a comparison ("A (...):
/// ... B (...): ...").
pub fn what_happened(evidence: &Evidence, labels: [&str; 2]) -> String {
    match evidence.b {
        None => run_paragraph(evidence.a),
        Some(b) => format!(
            "A ({}): {} B ({}): {}",
            labels[0],
            run_paragraph(evidence.a),
            labels[1],
            run_paragraph(b)
        ),
    }
}

/// The sentences about one run.
pub fn run_paragraph(r: &RunReport) -> String {
    let sentences = [
        Some(scale(r)),
        Some(errors(r)),
        write_lock(r),
        waits(r),
        shares(r),
        crashes(r),
        Some(invariants(r)),
        outcome(r),
    ];
    sentences
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ")
}

fn writers(r: &RunReport) -> impl Iterator<Item = &WorkerMetrics> {
    r.workers.iter().filter(|w| w.role == Role::Writer)
}

/// "4 workers did 60 jobs in 1.23 s (48.8 jobs/s)." A workload of one's own:
/// "4 workers (incrementer) committed 200 transactions in 0.08 s."
fn scale(r: &RunReport) -> String {
    let workers = writers(r).count();
    if r.is_workload() {
        let mut roles: Vec<&str> = r
            .workers
            .iter()
            .filter_map(|w| w.plays.as_deref())
            .collect();
        roles.dedup();
        return format!(
            "{} ({}) committed {} in {:.2} s.",
            count(r.workers.len(), "worker", "workers"),
            roles.join(", "),
            count(
                r.transactions.committed as usize,
                "transaction",
                "transactions"
            ),
            Dec(r.elapsed_ms / 1000.0)
        );
    }
    let readers = r.workers.iter().filter(|w| w.role == Role::Reader).count();
    let readers = match readers {
        0 => String::new(),
        1 => " (and 1 reader)".to_string(),
        n => format!(" (and {n} readers)"),
    };
    format!(
        "{} did {} of {} jobs in {:.2} s ({:.0} jobs/s).",
        count(workers, "worker", "workers") + &readers,
        r.jobs.done,
        r.jobs.seeded,
        Dec(r.elapsed_ms / 1000.0),
        Dec(r.throughput_jobs_per_s)
    )
}

/// "Workers 1 to 3 failed 460 times with SQLITE_BUSY (database is locked)."
fn errors(r: &RunReport) -> String {
    if r.errors.is_empty() {
        return "No statement failed.".to_string();
    }
    let mut said = Vec::new();
    for (name, total) in &r.errors {
        let who: Vec<WorkerId> = r
            .workers
            .iter()
            .filter(|w| w.errors.get(name).is_some_and(|n| *n > 0))
            .map(|w| w.id)
            .collect();
        said.push(format!(
            "{} failed {} with {name}",
            workers_named(r, &who),
            times(*total)
        ));
    }
    let mut s = join_and(&said);
    s.push('.');
    capitalise(s)
}

/// "Worker 0 held the write lock 91% of the run." (the worker who held it most)
fn write_lock(r: &RunReport) -> Option<String> {
    let held = |w: &WorkerMetrics| {
        w.lock_ms.reserved + w.lock_ms.pending + w.lock_ms.exclusive + w.lock_ms.wal_write
    };
    let top = r
        .workers
        .iter()
        .max_by(|a, b| held(a).total_cmp(&held(b)))?;
    let all: f64 = r.workers.iter().map(held).sum();
    if r.elapsed_ms <= 0.0 || all <= 0.0 {
        return None;
    }
    let share = |ms: f64| Dec((100.0 * ms / r.elapsed_ms).round());
    let mut s = format!(
        "{} held the write lock {}% of the run",
        capitalise(name(r, top.id)),
        share(held(top))
    );
    if writers(r).count() > 1 {
        s.push_str(&format!(", all workers together {}%", share(all)));
    }
    s.push('.');
    Some(s)
}

/// "The workers slept 812 ms in all inside SQLite (...), waiting on 340 refused
/// locks." With busy_timeout = 0 SQLite has no busy handler: its sleeps are then
/// WAL's retries before a read, and the sentence says so.
fn waits(r: &RunReport) -> Option<String> {
    let no_busy_handler = r.scenario["busy_timeout_ms"].as_u64() == Some(0);
    let inside = if no_busy_handler {
        "in WAL's retries before a read (busy_timeout is 0: no busy handler)"
    } else {
        "inside SQLite (its busy handler, or in WAL its retries before a read)"
    };
    match (r.busy_wait_ms > 0.0, r.refused_locks) {
        (true, refused) => Some(format!(
            "The workers slept {:.0} ms in all {inside}, waiting on {} refused {}.",
            Dec(r.busy_wait_ms),
            refused,
            if refused == 1 { "lock" } else { "locks" }
        )),
        (false, 0) => None,
        (false, refused) => Some(format!(
            "{refused} {} refused, and nobody slept in SQLite before asking again.",
            if refused == 1 {
                "lock was"
            } else {
                "locks were"
            }
        )),
    }
}

/// "Worker 2 did 42 of the 60 jobs (70%)." when one did far more than its share,
/// or how evenly they were shared out.
fn shares(r: &RunReport) -> Option<String> {
    let writers: Vec<&WorkerMetrics> = writers(r).collect();
    if writers.len() < 2 || r.jobs.done == 0 {
        return None;
    }
    let top = writers.iter().max_by_key(|w| w.jobs_done)?;
    let least = writers.iter().min_by_key(|w| w.jobs_done)?;
    let fair = r.jobs.done as f64 / writers.len() as f64;
    if top.jobs_done as f64 >= 1.5 * fair {
        Some(format!(
            "{} did {} of the {} jobs done ({:.0}%), and {} {}.",
            capitalise(name(r, top.id)),
            top.jobs_done,
            r.jobs.done,
            Dec(100.0 * top.jobs_done as f64 / r.jobs.done as f64),
            name(r, least.id),
            match least.jobs_done {
                0 => "none".to_string(),
                n => format!("only {n}"),
            }
        ))
    } else {
        Some(format!(
            "Each worker did from {} to {} jobs.",
            least.jobs_done, top.jobs_done
        ))
    }
}

/// "Worker 1 was killed at 100.2 ms; 1 job came back through the heartbeat."
/// Workers a power cut stopped are said with the cut (`outcome`).
fn crashes(r: &RunReport) -> Option<String> {
    let cut_at = r.power_cut.as_ref().map_or(f64::INFINITY, |c| c.at_ms);
    let killed: Vec<String> = r
        .workers
        .iter()
        .filter(|w| w.killed && w.killed_at_ms.unwrap_or_default() < cut_at)
        .map(|w| match w.killed_at_ms {
            Some(at) => format!("{} was killed at {:.1} ms", name(r, w.id), Dec(at)),
            None => format!("{} was killed", name(r, w.id)),
        })
        .collect();
    if killed.is_empty() && r.jobs.reclaimed == 0 {
        return None;
    }
    let mut s = capitalise(join_and(&killed));
    let back = format!(
        "{} came back through the heartbeat (reclaimed)",
        count(r.jobs.reclaimed as usize, "job", "jobs")
    );
    s = if s.is_empty() {
        capitalise(back)
    } else {
        format!("{s}; {back}")
    };
    if r.jobs.stuck > 0 && r.power_cut.is_none() {
        s.push_str(&format!(", {} stuck RUNNING", r.jobs.stuck));
    }
    s.push('.');
    Some(s)
}

/// "Every job was done exactly once, and integrity_check says ok." or what broke;
/// a workload's checks, each with what it found.
fn invariants(r: &RunReport) -> String {
    let j = &r.jobs;
    let integrity = format!("integrity_check says {}", r.integrity_check);
    if r.is_workload() {
        let checks: Vec<String> = r
            .checks
            .iter()
            .map(|c| {
                let held = if c.ok { "held" } else { "FAILED" };
                format!(
                    "\"{}\" {held} (expected {}, got {})",
                    c.name, c.expected, c.got
                )
            })
            .collect();
        return match checks.is_empty() {
            true => format!("The workload has no checks; {integrity}."),
            false => format!("Its checks: {}; {integrity}.", join_and(&checks)),
        };
    }
    if j.done == j.seeded && j.double_claimed == 0 && j.lost == 0 {
        return format!("Every job was done exactly once, and {integrity}.");
    }
    let mut broke = Vec::new();
    if j.done < j.seeded {
        broke.push(format!("{} of {} jobs were done", j.done, j.seeded));
    }
    if j.double_claimed > 0 {
        broke.push(format!(
            "{} claimed by two workers at once",
            count(j.double_claimed as usize, "job was", "jobs were")
        ));
    }
    if j.lost > 0 {
        broke.push(format!(
            "{} lost",
            count(j.lost as usize, "job was", "jobs were")
        ));
    }
    format!("{}; {integrity}.", capitalise(join_and(&broke)))
}

fn outcome(r: &RunReport) -> Option<String> {
    match r.outcome {
        Outcome::Completed => None,
        Outcome::TimeLimit => Some("The run reached its time limit.".to_string()),
        Outcome::Stopped => Some("The run was stopped before the queue was empty.".to_string()),
        Outcome::Failed => Some(match &r.failure {
            Some(f) => format!("The run failed: {}.", f.message),
            None => "The run failed.".to_string(),
        }),
        Outcome::PowerCut => Some(match &r.power_cut {
            Some(c) => format!(
                "The power went off at {:.0} ms: every worker stopped where it was, and {} \
                 not yet synced {} lost; after recovery, {} lost{}, and integrity_check says \
                 {}.",
                Dec(c.at_ms),
                count(c.writes_dropped as usize, "write", "writes"),
                if c.writes_dropped == 1 { "was" } else { "were" },
                count(
                    c.commits_lost as usize,
                    "committed job was",
                    "committed jobs were"
                ),
                match r.jobs.stuck {
                    0 => String::new(),
                    n => format!(
                        ", {} claimed before the cut {} RUNNING (stuck)",
                        count(n as usize, "job", "jobs"),
                        if n == 1 { "stays" } else { "stay" }
                    ),
                },
                c.integrity_check
            ),
            None => "The power went off.".to_string(),
        }),
    }
}

/// "worker 2", "reader 5", "you", or a workload's "incrementer 2".
fn name(r: &RunReport, id: WorkerId) -> String {
    let worker = r.workers.iter().find(|w| w.id == id);
    if let Some(plays) = worker.and_then(|w| w.plays.as_deref()) {
        return format!("{plays} {id}");
    }
    match worker.map(|w| w.role) {
        Some(Role::Reader) => format!("reader {id}"),
        Some(Role::Console) => "you".to_string(),
        _ => format!("worker {id}"),
    }
}

/// "worker 0", "workers 1 to 3", "workers 0, 2 and 5" (readers and you named
/// each).
fn workers_named(r: &RunReport, ids: &[WorkerId]) -> String {
    let all_writers = ids.iter().all(|id| {
        r.workers
            .iter()
            .any(|w| w.id == *id && w.role == Role::Writer)
    });
    match ids {
        [] => "nobody".to_string(),
        [one] => name(r, *one),
        _ if all_writers && ids.windows(2).all(|p| p[1] == p[0] + 1) && ids.len() > 2 => {
            format!("workers {} to {}", ids[0], ids[ids.len() - 1])
        }
        _ if all_writers => format!(
            "workers {}",
            join_and(&ids.iter().map(|i| i.to_string()).collect::<Vec<_>>())
        ),
        _ => join_and(&ids.iter().map(|i| name(r, *i)).collect::<Vec<_>>()),
    }
}

fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        n => format!("{n} times"),
    }
}

fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn join_and(parts: &[String]) -> String {
    match parts {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn capitalise(mut s: String) -> String {
    // The sentences are English, written here: their first letter is ASCII (and
    // ASCII case mapping keeps Unicode's case tables out of the page's wasm).
    if let Some(first) = s.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    s
}
