//! The language on a small report shaped like the real ones; `lessons.rs` has
//! real reports and real lessons' choices and checks.

use super::*;
use serde_json::json;

mod lessons;
mod limits;

/// A report as `locklab run --json` shapes it, cut down to what these tests read.
fn report() -> Value {
    json!({
        "scenario": {"name": "wall-of-red", "work_ms": [5, 15], "busy_timeout_ms": 0},
        "journal_mode": "delete",
        "elapsed_ms": 719.086,
        "outcome": "completed",
        "jobs": {"seeded": 60, "done": 60, "double_claimed": 0, "lost": 0, "stuck": 0},
        "transactions": {"committed": 64, "rolled_back": 417},
        "errors": {"SQLITE_BUSY": 417, "SQLITE_BUSY_SNAPSHOT": 3},
        "throughput_jobs_per_s": 83.5,
        "integrity_check": "ok",
        "invariants": {"all_jobs_done": true, "integrity_ok": true},
        "workers": [
            {"id": 0, "role": "writer", "jobs_done": 0, "errors": {"SQLITE_BUSY": 139},
             "lost_races": 2, "killed": false, "killed_at_ms": null},
            {"id": 1, "role": "writer", "jobs_done": 60, "errors": {},
             "lost_races": 1, "killed": true, "killed_at_ms": 100.5,
             "blocked_by": [{"by": 0, "by_role": "writer", "refusals": 2, "wait_ms": 1.5},
                            {"by": 3, "by_role": "console", "refusals": 4, "wait_ms": 10.25}]},
            {"id": 2, "role": "reader", "jobs_done": 0, "errors": {"SQLITE_BUSY": 281},
             "lost_races": 0, "killed": false, "killed_at_ms": null}
        ],
        "failure": null
    })
}

/// A second run, faster: for `b`.
fn faster() -> Value {
    let mut r = report();
    r["throughput_jobs_per_s"] = json!(200.25);
    r["outcome"] = json!("time_limit");
    r["errors"] = json!({});
    r
}

fn eval_on(text: &str, runs: &[&Value]) -> Result<bool, ConditionError> {
    Condition::parse(text)?.eval(&Runs::of(runs.iter().copied()))
}

/// The condition on the report (as run a), which must evaluate.
fn holds(text: &str) -> bool {
    let r = report();
    eval_on(text, &[&r]).unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// The error the condition gives on the report, parsing or evaluating.
fn error(text: &str) -> ConditionError {
    let r = report();
    match eval_on(text, &[&r]) {
        Ok(v) => panic!("{text}: gave {v}, not an error"),
        Err(e) => e,
    }
}

#[test]
fn precedence_from_or_to_unary_minus() {
    assert!(holds("1 + 2 * 3 == 7"));
    assert!(holds("(1 + 2) * 3 == 9"));
    assert!(holds("10 - 4 - 3 == 3"), "- is left to right");
    assert!(holds("8 / 4 / 2 == 1"), "/ is left to right");
    assert!(holds("2 * 3 - 4 / 2 == 4"));
    assert!(holds("-2 * 3 == -6"));
    assert!(holds("- -2 == 2"));
    assert!(holds("2 - -2 == 4"));
    // not binds looser than a comparison, tighter than and/or.
    assert!(holds("not 1 == 2"));
    assert!(holds("not true or true"), "(not true) or true");
    assert!(!holds("not (true or true)"));
    assert!(holds("false and true or true"), "(false and true) or true");
    assert!(!holds("false and (true or true)"));
    assert!(
        holds("true or false and false"),
        "true or (false and false)"
    );
    assert!(holds("not not true"));
    assert!(holds("1 + 1 == 2 and 2 * 2 == 4 or false"));
}

#[test]
fn every_operator() {
    for (text, want) in [
        ("3 == 3", true),
        ("3 == 4", false),
        ("3 != 4", true),
        ("3 != 3", false),
        ("3 < 4", true),
        ("4 < 4", false),
        ("4 <= 4", true),
        ("5 <= 4", false),
        ("5 > 4", true),
        ("4 > 4", false),
        ("4 >= 4", true),
        ("3 >= 4", false),
        ("1 + 2 == 3", true),
        ("1 - 2 == -1", true),
        ("2 * 3.5 == 7", true),
        ("7 / 2 == 3.5", true),
        ("true and true", true),
        ("true and false", false),
        ("false or true", true),
        ("false or false", false),
        ("not false", true),
        ("-jobs.done == -60", true),
    ] {
        assert_eq!(holds(text), want, "{text}");
    }
}

#[test]
fn numbers_are_f64_and_equal_exactly() {
    assert!(holds("elapsed_ms == 719.086"));
    assert!(holds("jobs.done == 60.0"));
    assert!(holds("0.5 + 0.25 == 0.75"));
    assert!(!holds("0.1 + 0.2 == 0.3"), "f64 as in Rust: no tolerance");
    assert!(holds(
        "throughput_jobs_per_s > 83.4 and throughput_jobs_per_s < 83.6"
    ));
    assert!(holds("007 == 7"));
}

#[test]
fn fields_strings_booleans_and_null() {
    assert!(holds("outcome == \"completed\""));
    assert!(holds("journal_mode != \"wal\""));
    assert!(holds(
        "integrity_check == \"ok\" and jobs.done == jobs.seeded"
    ));
    assert!(holds(r#""say \"hi\" \\ é" == "say \"hi\" \\ é""#));
    assert!(!holds(r#""ok" == "OK""#));
    assert!(holds("invariants.integrity_ok"));
    assert!(holds("invariants.all_jobs_done == true"));
    assert!(holds("workers[1].killed and not workers[0].killed"));
    assert!(holds("true != false"));
    assert!(holds("failure == null"));
    assert!(!holds("failure != null"));
    assert!(holds(
        "workers[0].killed_at_ms == null and workers[1].killed_at_ms != null"
    ));
    assert!(holds("workers[1].killed_at_ms == 100.5"));
    assert!(!holds("null == 0"), "null equals only null");
    assert!(holds("jobs != null"));
    // A field may have a keyword's name after a dot, or any name in brackets.
    let r = json!({"x": {"not": 1, "a b": 2}});
    assert!(eval_on(r#"x.not == 1 and x["a b"] == 2"#, &[&r]).unwrap());
}

#[test]
fn bare_paths_read_run_a_and_b_reads_the_second() {
    let (a, b) = (report(), faster());
    let both = [&a, &b];
    assert!(eval_on(
        "b.throughput_jobs_per_s > 2 * a.throughput_jobs_per_s",
        &both
    )
    .unwrap());
    assert!(eval_on(
        "jobs.done == a.jobs.done and outcome == \"completed\"",
        &both
    )
    .unwrap());
    assert!(eval_on("b.outcome == \"time_limit\"", &both).unwrap());
    assert!(eval_on(
        "runs[1].outcome == b.outcome and runs[0].elapsed_ms == elapsed_ms",
        &both
    )
    .unwrap());
    assert!(eval_on("count(runs[]) == 2", &both).unwrap());
    assert!(eval_on("count(runs[outcome == \"completed\"]) == 1", &both).unwrap());
    assert!(eval_on("min(runs[].throughput_jobs_per_s) == 83.5", &both).unwrap());
    assert!(eval_on("sum(runs[].errors.SQLITE_BUSY) == 417", &both).unwrap());
    // Inside a filter, `a` is a field of the element, not run a.
    let r = json!({"xs": [{"a": 1}, {"a": 2}]});
    assert!(eval_on("count(xs[a > 1]) == 1", &[&r]).unwrap());
}

#[test]
fn an_expression_has_a_value_for_a_sentence() {
    let (a, b) = (report(), faster());
    let runs = Runs::of([&a, &b]);
    let value = |text: &str| Condition::parse(text).unwrap().value(&runs).unwrap();
    assert_eq!(
        value("a.jobs.done"),
        json!(60),
        "a whole number as an integer"
    );
    assert_eq!(value("b.throughput_jobs_per_s / 2"), json!(100.125));
    assert_eq!(value("sum(errors[\"SQLITE_BUSY*\"])"), json!(420));
    assert_eq!(value("outcome"), json!("completed"));
    assert_eq!(value("a.jobs.done == b.jobs.done"), json!(true));
    assert_eq!(value("failure"), json!(null));
    assert_eq!(value("scenario.work_ms"), json!([5, 15]));
    assert_eq!(value("workers[role == \"writer\"].id"), json!([0, 1]));
    assert_eq!(value("b.errors"), json!({}));
    let e = Condition::parse("jobs.donee")
        .unwrap()
        .value(&runs)
        .unwrap_err();
    assert_eq!(e.missing_field(), Some("jobs.donee"));
}

#[test]
fn the_runs_a_condition_needs() {
    for (text, runs) in [
        ("1 == 1", 0),
        ("jobs.done > 0", 1),
        ("a.jobs.done > 0", 1),
        ("b.jobs.done > a.jobs.done", 2),
        ("jobs.done > 0 or (runs[3].outcome == \"completed\")", 4),
        ("count(runs[]) == 2", 0),
        ("count(runs[jobs.done > b]) == 2", 0),
        ("sum(workers[b.x > 0].id) > 0", 1),
        ("not exists(b.power_cut)", 2),
    ] {
        assert_eq!(
            Condition::parse(text).unwrap().runs_needed(),
            runs,
            "{text}"
        );
    }
}

#[test]
fn a_missing_field_is_an_error_naming_its_path() {
    let e = error("jobs.donee > 0");
    assert_eq!(e.to_string(), "missing field jobs.donee");
    assert_eq!(e.missing_field(), Some("jobs.donee"));
    assert_eq!(e.offset(), None);
    assert_eq!(
        error("a.jobs.donee > 0").missing_field(),
        Some("a.jobs.donee")
    );
    assert_eq!(error("nothing == 1").missing_field(), Some("nothing"));
    assert_eq!(
        error("power_cut.commits_lost == 0").missing_field(),
        Some("power_cut")
    );
    let e = error("workers[9].id == 0");
    assert_eq!(
        e.to_string(),
        "missing field workers[9] (workers has 3 values)"
    );
    let e = error("failure.name == \"x\"");
    assert_eq!(
        e.to_string(),
        "missing field failure.name (failure is null)"
    );
    // In a filter, the element's path.
    let e = error("count(workers[rle == \"writer\"]) > 0");
    assert_eq!(e.missing_field(), Some("workers[0].rle"));
    // A run the condition was not given.
    let e = error("b.jobs.done > 0");
    assert_eq!(e.to_string(), "no run b: the condition was given 1 run");
    assert_eq!(e.missing_field(), Some("b"));
    assert_eq!(
        error("runs[3].jobs.done > 0").missing_field(),
        Some("runs[3]")
    );
    let e = eval_on("jobs.done > 0", &[]).unwrap_err();
    assert_eq!(e.to_string(), "no run a: the condition was given 0 runs");
}

#[test]
fn a_missing_key_of_an_errors_map_reads_as_zero() {
    assert!(holds("errors.SQLITE_LOCKED == 0"));
    assert!(holds("errors.SQLITE_BUSY == 417"));
    assert!(holds("errors[\"SQLITE_IOERR_WRITE\"] == 0"));
    assert!(holds("workers[1].errors.SQLITE_BUSY == 0"));
    assert!(holds("sum(workers[].errors.SQLITE_BUSY) == 420"));
    assert!(holds("exists(errors.SQLITE_LOCKED)"));
    // Only there: elsewhere a missing key is missing.
    assert_eq!(
        error("jobs.SQLITE_BUSY == 0").missing_field(),
        Some("jobs.SQLITE_BUSY")
    );
    assert_eq!(
        error("errors.SQLITE_LOCKED.x == 0").to_string(),
        "errors.SQLITE_LOCKED is a number (0), which has no field x"
    );
}

#[test]
fn type_errors_name_both_sides() {
    let e = error("outcome == 3");
    assert_eq!(
        e.to_string(),
        "cannot compare outcome, a string (\"completed\"), with 3, a number (3)"
    );
    let e = error("jobs.done != \"60\"");
    assert_eq!(
        e.to_string(),
        "cannot compare jobs.done, a number (60), with \"60\", a string (\"60\")"
    );
    let e = error("journal_mode < \"wal\"");
    assert!(
        e.message().ends_with(": < <= > >= compare numbers only"),
        "{e}"
    );
    assert!(error("true == 1").message().contains("a boolean (true)"));
    assert!(error("jobs == jobs")
        .message()
        .contains("an object of 5 fields"));
    let e = error("jobs.done + outcome > 0");
    assert_eq!(
        e.to_string(),
        "+ needs numbers: outcome is a string (\"completed\")"
    );
    let e = error("not jobs.done");
    assert_eq!(
        e.to_string(),
        "not needs true or false: jobs.done is a number (60)"
    );
    assert!(error("jobs.done and true")
        .message()
        .starts_with("and needs true or false"));
    assert!(error("false or outcome")
        .message()
        .starts_with("or needs true or false"));
    let e = error("jobs.done");
    assert_eq!(
        e.to_string(),
        "a condition needs true or false: jobs.done is a number (60)"
    );
    let e = error("workers[].lost_races > 0");
    assert!(
        e.message()
            .contains("a list of 3 values (a list needs sum, count, max, min or first)"),
        "{e}"
    );
    assert!(error("sum(outcome) > 0")
        .message()
        .starts_with("sum takes a list"));
    assert!(error("sum(workers[].role) > 0")
        .message()
        .starts_with("sum takes numbers"));
    assert!(error("len(jobs.done) > 0")
        .message()
        .starts_with("len takes a string"));
    assert!(error("len(workers[]) > 0")
        .message()
        .contains("count counts a list"));
    assert!(error("count(workers[].id[]) > 0")
        .message()
        .contains("workers[0].id is a number"));
    assert!(error("count(workers[role]) > 0")
        .message()
        .contains("the filter [role] (at workers[0]) needs true or false"));
    assert!(error("outcome[0] == 1").message().contains("not a list"));
    assert!(error("count(outcome[\"x*\"]) == 1")
        .message()
        .contains("not an object"));
}

#[test]
fn division_by_zero_is_an_error_and_and_or_short_circuit() {
    let e = error("jobs.done / jobs.stuck > 1");
    assert_eq!(
        e.to_string(),
        "division by zero: jobs.stuck is 0 in jobs.done / jobs.stuck"
    );
    assert!(error("1 / (2 - 2) == 0")
        .message()
        .starts_with("division by zero"));
    assert!(!holds("jobs.stuck > 0 and jobs.done / jobs.stuck > 1"));
    assert!(holds("jobs.stuck == 0 or jobs.done / jobs.stuck > 1"));
    assert!(holds("true or nothing.here > 0"));
    assert!(!holds("false and nothing.here > 0"));
    assert!(holds("0 / 5 == 0"));
    let big = format!("{0} * {0} * {0} > 0", "9".repeat(200));
    assert!(error(&big).message().ends_with("is too large a number"));
}

#[test]
fn aggregates_over_lists() {
    assert!(holds("sum(workers[].lost_races) == 3"));
    assert!(holds("count(workers[]) == 3"));
    assert!(holds("count(workers) == 3"), "a list field is a list");
    assert!(holds("len(workers) == 3"));
    assert!(holds("count(workers[killed]) == 1"));
    assert!(holds(
        "count(workers[role == \"writer\" and jobs_done > 0]) == 1"
    ));
    assert!(holds(
        "max(workers[].jobs_done) == 60 and min(workers[].jobs_done) == 0"
    ));
    assert!(holds(
        "max(scenario.work_ms) == 15 and sum(scenario.work_ms) == 20"
    ));
    assert!(holds("sum(errors[]) == 420 and len(errors) == 2"));
    assert!(holds("sum(errors[\"SQLITE_BUSY*\"]) == 420"));
    assert!(holds("sum(errors[\"SQLITE_BUSY_*\"]) == 3"));
    assert!(
        holds("sum(errors[\"SQLITE_LOCKED*\"]) == 0"),
        "no key: sum of nothing is 0"
    );
    assert!(holds("sum(workers[role == \"writer\"].errors[]) == 139"));
    assert!(holds(
        "sum(workers[role == \"reader\"].errors[\"SQLITE_BUSY*\"]) == 281"
    ));
    assert!(holds("count(workers[role == \"console\"]) == 0"));
    assert!(
        holds("count(workers[count(errors[]) > 0]) == 2"),
        "filters nest"
    );
    assert!(holds("len(outcome) == 9 and len(\"é\") == 1"));
    assert!(holds(
        "max(workers[].jobs_done) / jobs.done * count(workers[]) >= 1.5"
    ));
    let e = error("max(workers[role == \"console\"].jobs_done) > 0");
    assert_eq!(
        e.to_string(),
        "max of no values: workers[role == \"console\"].jobs_done is empty"
    );
    assert!(error("min(workers[jobs_done > 100].id) > 0")
        .message()
        .starts_with("min of no values"));
    assert!(
        holds("first(workers[].jobs_done) == 0 and first(workers[jobs_done > 0].id) == 1"),
        "the first of a list"
    );
    assert!(
        holds("first(workers[role == \"reader\"].role) == \"reader\""),
        "any kind"
    );
    assert!(error("first(workers[jobs_done > 100].id) > 0")
        .message()
        .starts_with("first of no values"));
}

#[test]
fn exists_tells_a_missing_field() {
    assert!(holds("exists(jobs.done)"));
    assert!(holds("not exists(power_cut)"));
    assert!(holds(
        "not exists(power_cut) or power_cut.commits_lost == 0"
    ));
    assert!(
        holds("not exists(failure.name)"),
        "a field of null is missing"
    );
    assert!(holds("not exists(b)"), "a run not given");
    assert!(holds("not exists(workers[7])"));
    // Other errors are not "missing".
    assert!(error("exists(jobs.done.x)")
        .message()
        .contains("has no field x"));
    let e = error("exists(1)");
    assert_eq!(
        e.to_string(),
        "at 7: exists takes a field path, such as exists(power_cut.commits_lost)"
    );
}

#[test]
fn comparisons_do_not_chain() {
    let e = error("1 < 2 < 3");
    assert_eq!(e.offset(), Some(6));
    assert!(e.message().starts_with("comparisons do not chain"), "{e}");
    assert!(error("jobs.done == jobs.seeded == true")
        .message()
        .starts_with("comparisons do not chain"));
    assert!(holds("(1 < 2) == true"));
    assert!(holds("1 < 2 and 2 < 3"));
}
