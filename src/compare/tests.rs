//! Comparisons of real native runs (long against short transactions), and of
//! reports whose numbers are set to reach every kind of sentence.

use super::sentences::amount;
use super::*;
use crate::native::{self, RunOptions};
use crate::scenario::Scenario;
use serde_json::json;
use std::sync::OnceLock;

fn run(scenario: Value) -> RunReport {
    let scenario = Scenario::from_value(&scenario).expect("a valid scenario");
    native::run(&scenario, &RunOptions::default())
        .expect("the run takes place")
        .report
}

/// Long transactions without busy_timeout (A) against short ones with it (B),
/// run once for every test, one after the other.
fn long_against_short() -> &'static (RunReport, RunReport) {
    static PAIR: OnceLock<(RunReport, RunReport)> = OnceLock::new();
    PAIR.get_or_init(|| {
        let a = run(
            json!({"name": "long", "workers": 4, "jobs": 40, "transaction": "long",
            "begin": "deferred", "journal_mode": "delete", "busy_timeout_ms": 0,
            "work_ms": [2, 6]}),
        );
        let b = run(
            json!({"name": "short", "workers": 4, "jobs": 40, "transaction": "short",
            "begin": "immediate", "journal_mode": "wal", "busy_timeout_ms": 5000,
            "work_ms": [2, 6]}),
        );
        (a, b)
    })
}

#[test]
fn long_against_short_names_the_busy_errors_of_a_and_none_in_b() {
    let (a, b) = long_against_short();
    let busy = a.error_count("SQLITE_BUSY");
    assert!(
        busy > 0,
        "long transactions without busy_timeout: {:?}",
        a.errors
    );
    assert_eq!(
        b.lock_errors(),
        0,
        "short ones with busy_timeout: {:?}",
        b.errors
    );
    let c = Comparison::of(a, b);
    let e = c
        .errors
        .iter()
        .find(|e| e.code == "SQLITE_BUSY")
        .expect("SQLITE_BUSY is compared");
    assert_eq!((e.a, e.b, e.better), (busy, 0, Some(Side::B)));
    assert_eq!(e.sentence, format!("B had no SQLITE_BUSY; A had {busy}"));
    // Every code either run met is there, with both counts.
    let codes: Vec<&str> = c.errors.iter().map(|e| e.code.as_str()).collect();
    let mut expected: Vec<&str> = a.errors.keys().map(String::as_str).collect();
    expected.extend(b.errors.keys().map(String::as_str));
    expected.sort();
    expected.dedup();
    assert_eq!(codes, expected);
    assert_eq!(
        c.jobs,
        "Both did every job exactly once (A 40 of 40, B 40 of 40), integrity_check ok"
    );
}

#[test]
fn every_measure_says_both_numbers_of_the_reports() {
    let (a, b) = long_against_short();
    let c = Comparison::of(a, b);
    for d in c.measures() {
        let m = d.measure;
        assert_eq!((d.a, d.b), (m.of(a), m.of(b)), "{}", m.name());
        assert!(d.sentence.starts_with(m.name()), "{}", d.sentence);
        for v in [d.a, d.b].into_iter().flatten().filter(|v| *v > 0.0) {
            let shown = amount(v, m.unit());
            assert!(d.sentence.contains(&shown), "{shown} in {}", d.sentence);
        }
    }
    assert_eq!(c.throughput.a, Some(a.throughput_jobs_per_s));
    assert_eq!(c.busy_wait.b, Some(b.busy_wait_ms));
    // A's workers never wait (busy_timeout 0): none in A.
    assert_eq!(a.busy_wait_ms, 0.0);
    let sentences = c.sentences();
    assert_eq!(sentences.len(), c.errors.len() + 5);
    assert!(sentences.contains(&c.busy_wait.sentence));
}

/// A real report with the numbers of a test.
fn with(
    base: &RunReport,
    throughput: f64,
    busy_wait: f64,
    errors: &[(&str, u64)],
    latency_p95: Option<f64>,
) -> RunReport {
    let mut r = base.clone();
    r.throughput_jobs_per_s = throughput;
    r.busy_wait_ms = busy_wait;
    r.errors = errors.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    r.job_latency_ms.count = latency_p95.map_or(0, |_| 10);
    r.job_latency_ms.p95 = latency_p95.unwrap_or(0.0);
    r
}

#[test]
fn sentences_come_from_the_numbers() {
    let (base, _) = long_against_short();
    let a = with(base, 262.0, 0.0, &[("SQLITE_BUSY", 412)], Some(51.7));
    let b = with(
        base,
        812.0,
        1234.0,
        &[("SQLITE_BUSY", 37), ("SQLITE_BUSY_SNAPSHOT", 3)],
        Some(12.3),
    );
    let c = Comparison::of(&a, &b);
    assert_eq!(
        c.throughput.sentence,
        "throughput 3.1x higher in B than in A (812 vs 262 jobs/s)"
    );
    assert_eq!(c.throughput.better, Some(Side::B));
    assert_eq!(
        c.job_latency_p95.sentence,
        "job latency p95 4.2x lower in B than in A (12.3 vs 51.7 ms)"
    );
    assert_eq!(c.job_latency_p95.better, Some(Side::B));
    assert_eq!(c.busy_wait.sentence, "busy wait 1234 ms in B, none in A");
    assert_eq!(c.busy_wait.better, Some(Side::A));
    let sentences: Vec<&str> = c.errors.iter().map(|e| e.sentence.as_str()).collect();
    assert_eq!(
        sentences,
        [
            "SQLITE_BUSY 11x less often in B than in A (37 vs 412)",
            "A had no SQLITE_BUSY_SNAPSHOT; B had 3",
        ]
    );

    // Within a tenth of each other: about the same, and nobody is better.
    let (a, b) = (
        with(base, 100.0, 50.0, &[("SQLITE_BUSY", 100)], None),
        with(base, 95.0, 0.0, &[("SQLITE_BUSY", 92)], Some(3.0)),
    );
    let c = Comparison::labelled(&a, &b, ["long", "short"]);
    assert_eq!(
        c.throughput.sentence,
        "throughput about the same in long and short (100 vs 95 jobs/s)"
    );
    assert_eq!(c.throughput.better, None);
    assert_eq!(
        c.errors[0].sentence,
        "SQLITE_BUSY about as often in long and short (100 vs 92)"
    );
    assert_eq!(
        c.job_latency_p95.sentence,
        "job latency p95 3.00 ms in short; long did no job"
    );
    assert_eq!(
        c.busy_wait.sentence,
        "busy wait 50.0 ms in long, none in short"
    );

    let quiet = with(base, 0.0, 0.0, &[], None);
    let c = Comparison::of(&quiet, &quiet);
    assert!(c.errors.is_empty());
    assert_eq!(c.sentences()[0], "Neither A nor B had an error");
    assert_eq!(c.busy_wait.sentence, "busy wait: none in A or B");
    assert_eq!(
        c.job_latency_p95.sentence,
        "job latency p95: neither A nor B did a job"
    );
}

#[test]
fn a_run_that_broke_its_promise_is_named_with_its_numbers() {
    let (a, b) = long_against_short();
    let mut broken = b.clone();
    broken.jobs.double_claimed = 2;
    broken.invariants.no_double_claims = false;
    let c = Comparison::of(a, &broken);
    assert_eq!(
        c.jobs,
        format!(
            "A: 40 of 40 done, 0 double-claimed, 0 lost, integrity_check ok; \
             B: {} of 40 done, 2 double-claimed, 0 lost, integrity_check ok",
            broken.jobs.done
        )
    );
}

#[test]
fn scenario_changes_name_the_fields_that_differ() {
    let a = Scenario::from_value(&json!({"name": "x", "transaction": "long"})).unwrap();
    let b = Scenario::from_value(&json!({"name": "y", "transaction": "short",
        "busy_timeout_ms": 5000}))
    .unwrap();
    let changes = scenario_changes(&a.to_value(), &b.to_value());
    assert_eq!(
        changes,
        [
            format!("busy_timeout_ms: {} -> 5000", a.busy_timeout_ms),
            "transaction: \"long\" -> \"short\"".to_string(),
        ]
    );
    assert!(scenario_changes(&a.to_value(), &a.to_value()).is_empty());
}

/// Two workloads (the course's lost-updates: the counter read outside and
/// inside its write transaction) are compared by commits and checks, and their
/// roles are named by role, count and steps, not written out as JSON.
#[test]
fn workloads_are_compared_by_commits_and_checks() {
    let lesson = crate::lessons::find("lost-updates").expect("the course's lesson");
    let sides: Vec<Value> = lesson
        .runs
        .sides()
        .iter()
        .map(|s| s.scenario_json())
        .collect();
    let (a, b) = (run(sides[0].clone()), run(sides[1].clone()));
    let c = Comparison::of(&a, &b);
    assert!(c.workloads);
    assert_eq!(c.throughput.measure, Measure::CommitRate);
    assert!(
        c.throughput.sentence.contains("commits/s"),
        "{}",
        c.throughput.sentence
    );
    assert_eq!(c.measures().len(), 3, "no job latency for a workload");
    assert!(
        c.jobs
            .starts_with("A: \"every increment counted\" FAILED (expected 200, got "),
        "{}",
        c.jobs
    );
    assert!(
        c.jobs
            .contains("B: every check held (1), integrity_check ok"),
        "{}",
        c.jobs
    );
    let changes = scenario_changes(&a.scenario, &b.scenario);
    let roles = changes
        .iter()
        .find(|c| c.starts_with("roles: "))
        .expect("the roles differ");
    assert_eq!(
        roles,
        "roles: incrementer x4 (read, think, write) -> incrementer x4 (increment)"
    );
}

/// Roles said alike on both sides (same names, counts and steps) are compared
/// value by value: the change is named by its path.
#[test]
fn roles_said_alike_name_the_value_that_differs() {
    let role = |begin: &str| json!({"roles": [{"name": "w", "count": 2, "steps": [{"name": "s", "begin": begin, "sql": "SELECT 1"}]}]});
    assert_eq!(
        scenario_changes(&role("deferred"), &role("immediate")),
        ["roles[0].steps[0].begin: \"deferred\" -> \"immediate\""]
    );
}
