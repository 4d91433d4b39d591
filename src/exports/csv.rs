//! The run's metrics as CSV, one row per worker (RFC 4180: comma-separated, a
//! header row, fields with a comma, a quote or a line break quoted), for a
//! spreadsheet. Columns: the worker and its role, jobs done, busy wait, locks
//! refused, lost races, whether and when it was killed, the time it held each
//! lock, its errors (all, then one column per error name the run saw), and who
//! blocked it: per other worker, the refusals its locks caused and the time
//! waited after them (the rows of the wait-for matrix, as in the report's
//! `workers[].blocked_by`).

use crate::analysis::metrics::WorkerMetrics;
use crate::analysis::report::RunReport;
use crate::decimal::Dec;
use crate::trace::WorkerId;
use std::collections::BTreeSet;

/// A field as CSV writes it: quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn ms(value: f64) -> String {
    format!("{:.3}", Dec(value))
}

/// Who may be in a worker's way: a worker, or nobody known (`None`).
fn blockers(report: &RunReport) -> Vec<Option<WorkerId>> {
    let mut known: Vec<Option<WorkerId>> = report.workers.iter().map(|w| Some(w.id)).collect();
    let named: BTreeSet<Option<WorkerId>> = crate::ordering::set_of(
        report
            .workers
            .iter()
            .flat_map(|w| w.blocked_by.iter().map(|b| b.by)),
    );
    // Holders that are no worker of the report (the host's connection), then nobody.
    let others: Vec<Option<WorkerId>> = named
        .iter()
        .filter(|b| b.is_some() && !known.contains(b))
        .copied()
        .collect();
    known.extend(others);
    if named.contains(&None) {
        known.push(None);
    }
    known
}

fn blocker_name(by: Option<WorkerId>) -> String {
    by.map_or("unknown".to_string(), |w| format!("worker_{w}"))
}

/// The metrics of `report`, one row per worker, as CSV text.
pub fn metrics_csv(report: &RunReport) -> String {
    let errors: BTreeSet<&str> = crate::ordering::set_of(
        report
            .workers
            .iter()
            .flat_map(|w| w.errors.keys().map(String::as_str)),
    );
    let blockers = blockers(report);
    let mut header: Vec<String> = [
        "worker",
        "role",
        "jobs_done",
        "busy_wait_ms",
        "refused_locks",
        "lost_races",
        "killed",
        "killed_at_ms",
        "shared_ms",
        "reserved_ms",
        "pending_ms",
        "exclusive_ms",
        "wal_read_ms",
        "wal_write_ms",
        "errors",
    ]
    .map(String::from)
    .to_vec();
    header.extend(errors.iter().map(|e| e.to_string()));
    for by in &blockers {
        header.push(format!("refused_by_{}", blocker_name(*by)));
        header.push(format!("wait_ms_for_{}", blocker_name(*by)));
    }
    let mut out = String::new();
    push_row(&mut out, &header);
    for w in &report.workers {
        push_row(&mut out, &row(w, &errors, &blockers));
    }
    out
}

fn row(w: &WorkerMetrics, errors: &BTreeSet<&str>, blockers: &[Option<WorkerId>]) -> Vec<String> {
    let role = serde_json::to_value(w.role)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    let l = &w.lock_ms;
    let mut row = vec![
        w.id.to_string(),
        role,
        w.jobs_done.to_string(),
        ms(w.busy_wait_ms),
        w.refused_locks.to_string(),
        w.lost_races.to_string(),
        w.killed.to_string(),
        w.killed_at_ms.map(ms).unwrap_or_default(),
        ms(l.shared),
        ms(l.reserved),
        ms(l.pending),
        ms(l.exclusive),
        ms(l.wal_read),
        ms(l.wal_write),
        w.errors.values().sum::<u64>().to_string(),
    ];
    row.extend(
        errors
            .iter()
            .map(|e| w.errors.get(*e).copied().unwrap_or(0).to_string()),
    );
    for by in blockers {
        let entry = w.blocked_by.iter().find(|b| b.by == *by);
        row.push(entry.map_or(0, |b| b.refusals).to_string());
        row.push(ms(entry.map_or(0.0, |b| b.wait_ms)));
    }
    row
}

fn push_row(out: &mut String, fields: &[String]) {
    let fields: Vec<String> = fields.iter().map(|f| field(f)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn a_field_is_quoted_only_when_it_must_be() {
        assert_eq!(field("worker"), "worker");
        assert_eq!(field("a,b"), "\"a,b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(field("two\nlines"), "\"two\nlines\"");
    }
}
