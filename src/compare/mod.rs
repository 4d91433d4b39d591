//! An A/B comparison of two finished runs: what differs between their reports,
//! each difference with both numbers and a sentence made from them ("B had no
//! SQLITE_BUSY; A had 412", "throughput 3.1x higher in B (812 vs 262 jobs/s)").
//! Nothing here is canned: a sentence says only what its two numbers say, so the
//! page, the CLI and a lesson can show it about any pair of runs.
//!
//! The runs themselves are the hosts' business (one after the other, never at
//! once: they would share the cores and distort each other); this reads reports.

mod sentences;

use crate::analysis::report::{Outcome, RunReport};
use sentences::{amount, ratio};
use serde::Serialize;
use serde_json::Value;

/// One of the two runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Side {
    A,
    B,
}

/// Within this fraction of each other, two numbers are "about the same": runs of
/// one scenario differ by that much from one run to the next.
pub const ABOUT_THE_SAME: f64 = 0.10;

/// A measure of a run that the comparison names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Throughput,
    /// A workload's throughput: its transactions committed per second.
    CommitRate,
    JobLatencyP95,
    BusyWait,
    WriteLockHoldP95,
}

impl Measure {
    /// Its name in a sentence.
    pub fn name(self) -> &'static str {
        match self {
            Measure::Throughput | Measure::CommitRate => "throughput",
            Measure::JobLatencyP95 => "job latency p95",
            Measure::BusyWait => "busy wait",
            Measure::WriteLockHoldP95 => "write-lock hold p95",
        }
    }

    pub fn unit(self) -> &'static str {
        match self {
            Measure::Throughput => "jobs/s",
            Measure::CommitRate => "commits/s",
            _ => "ms",
        }
    }

    /// Less is better: waits and latencies; more jobs per second is better.
    pub fn lower_is_better(self) -> bool {
        !matches!(self, Measure::Throughput | Measure::CommitRate)
    }

    /// The words for more and for less of it.
    fn more_less(self) -> (&'static str, &'static str) {
        match self {
            Measure::Throughput | Measure::CommitRate | Measure::JobLatencyP95 => {
                ("higher", "lower")
            }
            Measure::BusyWait | Measure::WriteLockHoldP95 => ("longer", "shorter"),
        }
    }

    /// What a run without a value of it did not do, and what neither did.
    fn missing(self) -> (&'static str, &'static str) {
        match self {
            Measure::Throughput | Measure::JobLatencyP95 => ("did no job", "did a job"),
            Measure::CommitRate => ("committed nothing", "committed"),
            Measure::BusyWait => ("never waited", "waited"),
            Measure::WriteLockHoldP95 => ("never held the write lock", "held the write lock"),
        }
    }

    /// Its value in `r`: `None` where the run measured none (no job done, no write
    /// lock held).
    pub fn of(self, r: &RunReport) -> Option<f64> {
        let some = |count: u64, v: f64| (count > 0).then_some(v);
        match self {
            Measure::Throughput => Some(r.throughput_jobs_per_s),
            Measure::CommitRate => Some(if r.elapsed_ms > 0.0 {
                r.transactions.committed as f64 * 1000.0 / r.elapsed_ms
            } else {
                0.0
            }),
            Measure::JobLatencyP95 => some(r.job_latency_ms.count, r.job_latency_ms.p95),
            Measure::BusyWait => Some(r.busy_wait_ms),
            Measure::WriteLockHoldP95 => some(r.write_lock_hold_ms.count, r.write_lock_hold_ms.p95),
        }
    }
}

/// How the two runs differ by one measure.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Difference {
    pub measure: Measure,
    pub a: Option<f64>,
    pub b: Option<f64>,
    /// The run that did better by this measure; `None` when they are about the
    /// same or cannot be compared.
    pub better: Option<Side>,
    pub sentence: String,
}

/// How the two runs differ in one error code.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorDifference {
    /// SQLite's name of the (extended) result code, as in the report's `errors`.
    pub code: String,
    pub a: u64,
    pub b: u64,
    /// The run with fewer; `None` when about the same.
    pub better: Option<Side>,
    pub sentence: String,
}

/// The differences between two run reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// What the sentences call the runs ("A", "B").
    pub labels: [String; 2],
    /// Every code either run met, in the reports' order; empty when neither met any.
    pub errors: Vec<ErrorDifference>,
    pub throughput: Difference,
    pub job_latency_p95: Difference,
    pub busy_wait: Difference,
    pub write_lock_hold_p95: Difference,
    /// Whether each run did every job exactly once with integrity ok (for
    /// workloads: how their checks came out), in words.
    pub jobs: String,
    /// Both runs are workloads of one's own (docs/workload.md): their
    /// throughput is commits/s and they have no jobs.
    pub workloads: bool,
}

impl Comparison {
    /// The differences between `a` and `b`, calling them "A" and "B".
    pub fn of(a: &RunReport, b: &RunReport) -> Comparison {
        Comparison::labelled(a, b, ["A", "B"])
    }

    /// The differences between `a` and `b`, calling them by `labels`.
    pub fn labelled(a: &RunReport, b: &RunReport, labels: [&str; 2]) -> Comparison {
        let measure = |m: Measure| difference(m, m.of(a), m.of(b), labels);
        let workloads = a.is_workload() && b.is_workload();
        Comparison {
            labels: labels.map(str::to_string),
            errors: error_differences(a, b, labels),
            throughput: measure(if workloads {
                Measure::CommitRate
            } else {
                Measure::Throughput
            }),
            job_latency_p95: measure(Measure::JobLatencyP95),
            busy_wait: measure(Measure::BusyWait),
            write_lock_hold_p95: measure(Measure::WriteLockHoldP95),
            jobs: if workloads {
                checks_sentence(a, b, labels)
            } else {
                jobs_sentence(a, b, labels)
            },
            workloads,
        }
    }

    /// The measures, in the order the page lists them (a workload has no job
    /// latency).
    pub fn measures(&self) -> Vec<&Difference> {
        let mut out = vec![&self.throughput];
        if !self.workloads {
            out.push(&self.job_latency_p95);
        }
        out.extend([&self.busy_wait, &self.write_lock_hold_p95]);
        out
    }

    /// Every difference as a sentence: errors by code (or that neither run had
    /// one), the four measures, then the jobs.
    pub fn sentences(&self) -> Vec<String> {
        let [a, b] = &self.labels;
        let mut out: Vec<String> = if self.errors.is_empty() {
            vec![format!("Neither {a} nor {b} had an error")]
        } else {
            self.errors.iter().map(|e| e.sentence.clone()).collect()
        };
        out.extend(self.measures().iter().map(|d| d.sentence.clone()));
        out.push(self.jobs.clone());
        out
    }
}

fn difference(m: Measure, a: Option<f64>, b: Option<f64>, [la, lb]: [&str; 2]) -> Difference {
    let (name, unit) = (m.name(), m.unit());
    let (more, less) = m.more_less();
    let (better, sentence) = match (a, b) {
        (None, None) => (
            None,
            format!("{name}: neither {la} nor {lb} {}", m.missing().1),
        ),
        (Some(v), None) | (None, Some(v)) => {
            let (has, lacks) = if a.is_some() { (la, lb) } else { (lb, la) };
            let sentence = format!(
                "{name} {} {unit} in {has}; {lacks} {}",
                amount(v, unit),
                m.missing().0
            );
            (None, sentence)
        }
        (Some(x), Some(y)) => {
            let (ax, by) = (amount(x, unit), amount(y, unit));
            match (x > 0.0, y > 0.0) {
                (false, false) => (None, format!("{name}: none in {la} or {lb}")),
                (true, false) | (false, true) => {
                    let (has, none, v) = if x > 0.0 { (la, lb, x) } else { (lb, la, y) };
                    let some_side = if x > 0.0 { Side::A } else { Side::B };
                    let better = if m.lower_is_better() {
                        other(some_side)
                    } else {
                        some_side
                    };
                    let sentence =
                        format!("{name} {} {unit} in {has}, none in {none}", amount(v, unit));
                    (Some(better), sentence)
                }
                (true, true) if (x - y).abs() <= ABOUT_THE_SAME * x.max(y) => (
                    None,
                    format!("{name} about the same in {la} and {lb} ({ax} vs {by} {unit})"),
                ),
                (true, true) => {
                    // Named after the side that did better, its number first.
                    let b_better = (y < x) == m.lower_is_better();
                    let (side, good, poor, gv, pv) = if b_better {
                        (Side::B, lb, la, &by, &ax)
                    } else {
                        (Side::A, la, lb, &ax, &by)
                    };
                    let word = if m.lower_is_better() { less } else { more };
                    let sentence = format!(
                        "{name} {} {word} in {good} than in {poor} ({gv} vs {pv} {unit})",
                        ratio(x.max(y) / x.min(y)),
                    );
                    (Some(side), sentence)
                }
            }
        }
    };
    Difference {
        measure: m,
        a,
        b,
        better,
        sentence,
    }
}

fn other(side: Side) -> Side {
    match side {
        Side::A => Side::B,
        Side::B => Side::A,
    }
}

fn error_differences(a: &RunReport, b: &RunReport, [la, lb]: [&str; 2]) -> Vec<ErrorDifference> {
    let mut codes: Vec<&String> = a.errors.keys().chain(b.errors.keys()).collect();
    crate::ordering::sort(&mut codes);
    codes.dedup();
    codes
        .into_iter()
        .map(|code| {
            let (x, y) = (a.error_count(code), b.error_count(code));
            let (better, sentence) = match (x, y) {
                (x, 0) => (Some(Side::B), format!("{lb} had no {code}; {la} had {x}")),
                (0, y) => (Some(Side::A), format!("{la} had no {code}; {lb} had {y}")),
                (x, y) if x.abs_diff(y) as f64 <= ABOUT_THE_SAME * x.max(y) as f64 => (
                    None,
                    format!("{code} about as often in {la} and {lb} ({x} vs {y})"),
                ),
                (x, y) => {
                    let (fewer, more, side) = if y < x {
                        (lb, la, Side::B)
                    } else {
                        (la, lb, Side::A)
                    };
                    let times = ratio(x.max(y) as f64 / x.min(y) as f64);
                    (
                        Some(side),
                        format!(
                            "{code} {times} less often in {fewer} than in {more} ({} vs {})",
                            x.min(y),
                            x.max(y)
                        ),
                    )
                }
            };
            ErrorDifference {
                code: code.clone(),
                a: x,
                b: y,
                better,
                sentence,
            }
        })
        .collect()
}

/// Every job done exactly once, integrity ok: the run kept its promise.
pub fn exactly_once(r: &RunReport) -> bool {
    r.outcome == Outcome::Completed && r.invariants.all_hold()
}

/// What a run did with its jobs, in words: "200 of 200 done, 0 double-claimed, 0
/// lost, integrity_check ok", with its outcome when it did not complete.
fn jobs_of(r: &RunReport) -> String {
    let j = &r.jobs;
    let ended = match r.outcome {
        Outcome::Completed => String::new(),
        other => format!(" (the run {})", sentences::outcome(other)),
    };
    format!(
        "{} of {} done, {} double-claimed, {} lost, integrity_check {}{ended}",
        j.done, j.seeded, j.double_claimed, j.lost, r.integrity_check
    )
}

fn jobs_sentence(a: &RunReport, b: &RunReport, [la, lb]: [&str; 2]) -> String {
    match (exactly_once(a), exactly_once(b)) {
        (true, true) => format!(
            "Both did every job exactly once ({la} {} of {}, {lb} {} of {}), integrity_check ok",
            a.jobs.done, a.jobs.seeded, b.jobs.done, b.jobs.seeded
        ),
        _ => format!("{la}: {}; {lb}: {}", jobs_of(a), jobs_of(b)),
    }
}

/// How two workloads' checks came out: "A: "every increment counted" FAILED
/// (expected 200, got 52); B: every check held (1), integrity_check ok".
fn checks_sentence(a: &RunReport, b: &RunReport, [la, lb]: [&str; 2]) -> String {
    let of = |r: &RunReport| {
        let failed: Vec<String> = r
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| {
                format!(
                    "\"{}\" FAILED (expected {}, got {})",
                    c.name, c.expected, c.got
                )
            })
            .collect();
        let checks = if failed.is_empty() {
            format!("every check held ({})", r.checks.len())
        } else {
            failed.join(", ")
        };
        format!("{checks}, integrity_check {}", r.integrity_check)
    };
    format!("{la}: {}; {lb}: {}", of(a), of(b))
}

/// A field's value as the comparison names it: a workload's roles by name,
/// count and steps, a list of SQL by its length, anything else as JSON.
fn shown(field: &str, v: Option<&Value>) -> String {
    let Some(v) = v else {
        return "(none)".to_string();
    };
    match (field, v) {
        ("roles", Value::Array(roles)) => roles
            .iter()
            .map(|role| {
                let steps: Vec<&str> = role["steps"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|s| s["name"].as_str().unwrap_or("a step"))
                    .collect();
                format!(
                    "{} x{} ({})",
                    role["name"].as_str().unwrap_or("?"),
                    role["count"].as_u64().unwrap_or(1),
                    steps.join(", ")
                )
            })
            .collect::<Vec<_>>()
            .join(" and "),
        (_, Value::Array(items)) if v.to_string().len() > 60 => format!("{} items", items.len()),
        (_, Value::Object(fields)) if v.to_string().len() > 60 => {
            format!("{} fields", fields.len())
        }
        _ => v.to_string(),
    }
}

/// The fields whose checked values differ between two scenarios, as "field: a ->
/// b" (the `name` left out): what the comparison changed.
pub fn scenario_changes(a: &Value, b: &Value) -> Vec<String> {
    let empty = serde_json::Map::new();
    let (a, b) = (
        a.as_object().unwrap_or(&empty),
        b.as_object().unwrap_or(&empty),
    );
    let mut fields: Vec<&String> = a.keys().chain(b.keys()).collect();
    crate::ordering::sort(&mut fields);
    fields.dedup();
    fields
        .into_iter()
        .filter(|f| *f != "name" && a.get(*f) != b.get(*f))
        .flat_map(|f| {
            let (x, y) = (shown(f, a.get(f)), shown(f, b.get(f)));
            if x != y {
                return vec![format!("{f}: {x} -> {y}")];
            }
            // Said alike (the same roles, steps and counts): name the values
            // that differ, by their paths.
            let mut leaves = Vec::new();
            leaf_changes(f.to_string(), a.get(f), b.get(f), &mut leaves);
            if leaves.len() > MOST_LEAVES {
                let more = leaves.len() - MOST_LEAVES;
                leaves.truncate(MOST_LEAVES);
                leaves.push(format!("and {more} more in {f}"));
            }
            leaves
        })
        .collect()
}

/// The most values of one field the comparison names.
const MOST_LEAVES: usize = 4;

/// "path: a -> b" for each value that differs between `a` and `b`, going into
/// lists and objects alike in shape.
fn leaf_changes(path: String, a: Option<&Value>, b: Option<&Value>, out: &mut Vec<String>) {
    match (a, b) {
        (Some(Value::Object(x)), Some(Value::Object(y))) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            crate::ordering::sort(&mut keys);
            keys.dedup();
            for k in keys {
                leaf_changes(format!("{path}.{k}"), x.get(k), y.get(k), out);
            }
        }
        (Some(Value::Array(x)), Some(Value::Array(y))) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                leaf_changes(format!("{path}[{i}]"), Some(u), Some(v), out);
            }
        }
        (u, v) if u != v => {
            let json = |w: Option<&Value>| w.map_or("(none)".to_string(), |w| w.to_string());
            out.push(format!("{path}: {} -> {}", json(u), json(v)));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
