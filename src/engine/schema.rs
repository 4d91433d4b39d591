//! The job-queue schema, the seeded jobs, and the audit after a run.
//!
//! Both hosts call these on a connection of their own before the workers start and
//! after they end: the schema and the invariants are part of the core, not a host's.

#[cfg(feature = "sqlite")]
use {
    crate::analysis::outcome::{audit_of, audit_unreadable, JobAudit},
    crate::scenario::Scenario,
    rusqlite::{params, Connection},
    std::collections::BTreeSet,
};

#[cfg(feature = "sqlite")]
const CREATE_JOBS: &str = "CREATE TABLE IF NOT EXISTS jobs(
    id INTEGER PRIMARY KEY, queue TEXT, status TEXT, created_at INTEGER,
    heartbeat_at INTEGER, worker INTEGER, result TEXT, error TEXT)";
#[cfg(feature = "sqlite")]
const CREATE_CLAIM_INDEX: &str = "CREATE INDEX IF NOT EXISTS idx_jobs_queue_status_created_at
    ON jobs(queue, status, created_at)";
#[cfg(feature = "sqlite")]
const CREATE_RESULTS: &str =
    "CREATE TABLE IF NOT EXISTS results(job_id INTEGER PRIMARY KEY, worker INTEGER, result TEXT)";

/// Create the queue's schema and seed `scenario.jobs` QUEUED jobs, in one
/// transaction; set the journal mode first so that WAL is in the file before any
/// worker opens it. Returns what `PRAGMA journal_mode` answered.
#[cfg(feature = "sqlite")]
pub fn create_queue(conn: &Connection, scenario: &Scenario) -> rusqlite::Result<String> {
    let mode: String = conn.query_row(
        &format!("PRAGMA journal_mode = {}", scenario.journal_mode.word()),
        [],
        |r| r.get(0),
    )?;
    if let Some(workload) = &scenario.workload {
        super::workload_schema::create(conn, workload)?;
        return Ok(mode);
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    conn.execute_batch(CREATE_JOBS)?;
    if scenario.claim_index {
        conn.execute_batch(CREATE_CLAIM_INDEX)?;
    }
    {
        let mut insert = conn.prepare(
            "INSERT INTO jobs(id, queue, status, created_at) VALUES (?1, 'default', 'QUEUED', ?1)",
        )?;
        for id in 1..=i64::from(scenario.jobs) {
            insert.execute(params![id])?;
        }
    }
    conn.execute_batch("COMMIT")?;
    Ok(mode)
}

#[cfg(feature = "sqlite")]
pub fn create_results(conn: &Connection, scenario: &Scenario) -> rusqlite::Result<()> {
    conn.query_row(
        &format!("PRAGMA journal_mode = {}", scenario.journal_mode.word()),
        [],
        |r| r.get::<_, String>(0),
    )?;
    conn.execute_batch(CREATE_RESULTS)
}

/// Audit the queue against the ids the workers committed (one entry per JobDone).
#[cfg(feature = "sqlite")]
pub fn audit(
    queue: &Connection,
    results: Option<&Connection>,
    seeded: u64,
    committed: &[i64],
) -> rusqlite::Result<JobAudit> {
    let running: i64 = queue.query_row(
        "SELECT count(*) FROM jobs WHERE status = 'RUNNING'",
        [],
        |r| r.get(0),
    )?;
    let done_ids: BTreeSet<i64> = queue
        .prepare("SELECT id FROM jobs WHERE status = 'DONE'")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let with_result: Option<BTreeSet<i64>> = match results {
        Some(conn) => Some(
            conn.prepare("SELECT job_id FROM results")?
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?,
        ),
        None => None,
    };
    Ok(audit_of(
        seeded,
        &done_ids,
        with_result.as_ref(),
        running.max(0) as u64,
        committed,
    ))
}

/// Everything a host checks after a run: the audit of the jobs (or, for a database
/// too damaged to read, [`audit_unreadable`]) and the integrity of the queue and
/// results databases. Never fails: damage is what it reports.
#[cfg(feature = "sqlite")]
pub fn check_after_run(
    scenario: &Scenario,
    queue: &Connection,
    results: Option<&Connection>,
    committed: &[i64],
) -> (JobAudit, String) {
    let seeded = u64::from(scenario.jobs);
    let audit = match &scenario.workload {
        // A workload has no jobs: its checks are its invariants.
        Some(workload) => JobAudit {
            checks: super::workload_schema::checks(queue, workload),
            ..audit_of(0, &BTreeSet::new(), None, 0, committed)
        },
        None => audit(queue, results, seeded, committed)
            .unwrap_or_else(|_| audit_unreadable(seeded, committed)),
    };
    let mut integrity = integrity_report(queue);
    if let Some(results) = results {
        let theirs = integrity_report(results);
        if theirs != "ok" {
            integrity = format!("{integrity}; results.db: {theirs}");
        }
    }
    (audit, integrity)
}

/// How many jobs the queue holds, and how many of them are DONE: what a
/// finished run's database is checked by when it is reopened or saved.
#[cfg(feature = "sqlite")]
pub fn count_jobs(queue: &Connection) -> rusqlite::Result<(u64, u64)> {
    queue.query_row(
        "SELECT count(*), count(*) FILTER (WHERE status = 'DONE') FROM jobs",
        [],
        |r| {
            Ok((
                r.get::<_, i64>(0)?.max(0) as u64,
                r.get::<_, i64>(1)?.max(0) as u64,
            ))
        },
    )
}

/// `PRAGMA integrity_check` as the report shows it: "ok", SQLite's findings, or
/// why the check itself could not run (a database too damaged to read).
#[cfg(feature = "sqlite")]
pub fn integrity_report(conn: &Connection) -> String {
    integrity_check(conn).unwrap_or_else(|e| format!("integrity_check failed: {e}"))
}

/// `PRAGMA integrity_check`: "ok", or SQLite's first ten findings joined by "; ".
#[cfg(feature = "sqlite")]
pub fn integrity_check(conn: &Connection) -> rusqlite::Result<String> {
    let lines: Vec<String> = conn
        .prepare("PRAGMA integrity_check(10)")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(lines.join("; "))
}
