//! The language on a small report shaped like the real ones; `lessons.rs` has
//! real reports and real lessons' choices and checks.

use super::*;
use serde_json::json;

mod lessons;

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
             "lost_races": 1, "killed": true, "killed_at_ms": 100.5},
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
            .contains("a list of 3 values (a list needs sum, count, max or min)"),
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

#[test]
fn syntax_errors_say_where_in_characters() {
    for (text, want) in [
        ("jobs.done > (1 + )", "at 17: expected a field, a number or \"(\", got \")\""),
        ("jobs.done > )", "at 12: expected a field, a number or \"(\", got \")\""),
        ("", "at 0: expected a field, a number or \"(\", got end of text"),
        ("jobs.done >", "at 11: expected a field, a number or \"(\", got end of text"),
        ("jobs.done 1", "at 10: expected an operator (and, or, ==, +, ...) or the end, got \"1\""),
        ("(1 == 1", "at 7: expected \")\" to close the \"(\" at 0, got end of text"),
        ("1 == 1)", "at 6: this \")\" closes no \"(\""),
        ("jobs.done = 60", "at 10: `=` is not an operator here: write `==` to compare"),
        ("a && b", "at 2: `&&` is not an operator here: write `and`"),
        ("a || b", "at 2: `||` is not an operator here: write `or`"),
        ("!a", "at 0: `!` is not an operator here: write `not`, or `!=`"),
        ("x == \"open", "at 5: this string has no closing \""),
        ("x == \"a\\n\"", "at 7: unknown escape: a string knows only \\\" and \\\\"),
        ("x == 1.", "at 7: expected digits after the decimal point"),
        ("x == 1 @", "at 7: unexpected character '@'"),
        ("\"é\" == 1 @", "at 9: unexpected character '@'"),
        ("avg(workers[].id) > 1", "at 0: no function is named avg: the functions are sum, count, max, min, len, exists"),
        ("max(a.x, b.x) > 1", "at 7: max takes one argument"),
        ("jobs. > 1", "at 6: expected a field name after \".\", got \">\""),
        ("workers[1.5].id == 1", "at 8: an index is a whole number, such as [0]"),
        ("workers[0 x] == 1", "at 10: expected \"]\", got \"x\""),
        ("runs.jobs == 1", "at 4: expected \"[\" after runs (runs[0], runs[]), got \".\""),
        ("runs[\"x\"].jobs == 1", "at 0: runs takes a number, nothing or a filter in brackets: runs[0], runs[], runs[outcome == \"completed\"]"),
        ("jobs.done > and", "at 12: expected a field, a number or \"(\", got \"and\""),
        ("x == 1e5", "at 6: expected an operator (and, or, ==, +, ...) or the end, got \"e5\""),
    ] {
        let e = Condition::parse(text).unwrap_err();
        assert_eq!(e.to_string(), want, "{text:?}");
        assert!(e.offset().is_some());
    }
    let e = Condition::parse(&format!("x == 1{}", "0".repeat(400))).unwrap_err();
    assert_eq!(e.to_string(), "at 5: this number is too large");
    let e = Condition::parse("1 == 1 ".repeat(500).as_str()).unwrap_err();
    assert!(
        e.message()
            .starts_with("a condition is at most 2000 characters (this one has 3500)"),
        "{e}"
    );
    assert_eq!(e.offset(), Some(2000));
}

#[test]
fn length_is_bounded() {
    let mut text = "true".to_string();
    while text.len() + " and true".len() <= MAX_LEN {
        text.push_str(" and true");
    }
    text.push_str(&" ".repeat(MAX_LEN - text.len()));
    assert_eq!(text.chars().count(), MAX_LEN);
    assert!(
        holds(&text),
        "2,000 characters and a flat chain of 222 `and`s are fine"
    );
    text.push(' ');
    assert_eq!(error(&text).offset(), Some(MAX_LEN));
    // Characters, not bytes.
    let text = format!("\"{}\" == \"\"", "é".repeat(1900));
    assert!(!holds(&text));
}

#[test]
fn nesting_is_bounded() {
    let nested = |open: &str, inner: &str, close: &str, n: usize| {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    };
    assert!(holds(&nested("(", "1 == 1", ")", 60)));
    assert!(holds(&nested("not ", "true", "", 60)));
    assert!(holds(&nested("- ", "1 == 1", "", 60)));
    assert!(holds(&format!("{}0 == 60", "1 + ".repeat(60))));
    for text in [
        nested("(", "1 == 1", ")", 65),
        nested("(", "1 == 1", ")", 990),
        nested("not ", "true", "", 65),
        nested("-", "1 == 1", "", 1990),
        format!("{}0 == 65", "1 + ".repeat(65)),
        format!("{}0 == 1", "1 * ".repeat(400)),
        nested("sum(", "x", ")", 300),
        nested("count(x[", "y", "])", 150),
        nested("x[", "y", "]", 600),
        "x[".repeat(1000),
        "(".repeat(2000),
    ] {
        let e = error(&text);
        assert!(
            e.message()
                .starts_with("nested too deeply: a condition has at most 64 levels"),
            "{e}"
        );
    }
}

/// Deep input parses and evaluates on a small stack: the limits bound the recursion.
#[test]
fn deep_input_needs_no_deep_stack() {
    let run = || {
        let r = report();
        for text in [
            format!("{}1 == 1{}", "(".repeat(64), ")".repeat(64)),
            format!("{}true", "not ".repeat(63)),
            format!("{}0 == 63", "1 + ".repeat(63)),
            "(".repeat(2000),
            "-".repeat(2000),
        ] {
            let _ = eval_on(&text, &[&r]);
        }
    };
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_condition_in_a_data_file_is_its_text() {
    #[derive(Deserialize, Serialize)]
    struct Choice {
        text: String,
        holds: Condition,
    }
    let file = r#"{"text": "Many SQLITE_BUSY", "holds": "errors.SQLITE_BUSY > 0"}"#;
    let c: Choice = serde_json::from_str(file).unwrap();
    assert!(c.holds.eval(&Runs::one(&report())).unwrap());
    assert_eq!(c.holds.text(), "errors.SQLITE_BUSY > 0");
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        file.replace(", ", ",").replace(": ", ":")
    );
    let bad = r#"{"text": "x", "holds": "errors.SQLITE_BUSY >"}"#;
    let e = serde_json::from_str::<Choice>(bad).err().unwrap();
    assert!(e.to_string().starts_with("at 20: expected a field"), "{e}");
    let parsed: Condition = "1 == 1".parse().unwrap();
    assert_eq!(parsed.to_string(), "1 == 1");
}

/// A few thousand random and garbled strings: parsing and evaluating give a
/// result or an error, never a panic.
#[test]
fn no_input_panics() {
    const WORDS: &[&str] = &[
        "a",
        "b",
        "runs",
        "jobs",
        "done",
        "seeded",
        "errors",
        "SQLITE_BUSY",
        "workers",
        "role",
        "lost_races",
        "killed",
        "outcome",
        "failure",
        "scenario",
        "work_ms",
        "power_cut",
        "and",
        "or",
        "not",
        "true",
        "false",
        "null",
        "sum",
        "count",
        "max",
        "min",
        "len",
        "exists",
        "avg",
        "0",
        "1",
        "2.5",
        "60",
        "007",
        "1.",
        "99999999999999999999999999",
        "\"writer\"",
        "\"SQLITE_BUSY*\"",
        "\"*\"",
        "\"\"",
        "\"\\\"\"",
        "\"",
        "\\",
        ".",
        "[",
        "]",
        "(",
        ")",
        ",",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "=",
        "!",
        "&&",
        "|",
        " ",
        "  ",
        "é",
        "\u{0}",
        "\n",
        "🦀",
        "_",
        "x_1",
    ];
    const REAL: &[&str] = &[
        "sum(errors[\"SQLITE_BUSY*\"]) > 0 and jobs.done == jobs.seeded",
        "b.throughput_jobs_per_s > 2 * a.throughput_jobs_per_s",
        "count(workers[role == \"writer\" and jobs_done > 0]) == 1",
        "not exists(power_cut) or power_cut.commits_lost == 0",
        "max(workers[].jobs_done) / jobs.done * count(runs[]) >= 1.5",
        "(a.outcome == \"completed\") != (len(b.errors) == 0)",
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let (a, b) = (report(), faster());
    let mut inputs = Vec::new();
    for _ in 0..3000 {
        let words = next(25);
        inputs.push(
            (0..words)
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" "),
        );
        let glued = next(25);
        inputs.push(
            (0..glued)
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<String>(),
        );
        // A real condition, garbled: characters dropped, doubled, swapped or inserted.
        let mut chars: Vec<char> = REAL[next(REAL.len())].chars().collect();
        for _ in 0..1 + next(4) {
            let at = next(chars.len() + 1);
            match next(4) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => chars.insert(at, chars[at]),
                2 if at + 1 < chars.len() => chars.swap(at, at + 1),
                _ => chars.insert(
                    at,
                    "()[].\"*<=!-0 aé"[..].chars().nth(next(15)).unwrap_or(' '),
                ),
            }
        }
        inputs.push(chars.into_iter().collect());
    }
    let (mut parsed, mut evaluated) = (0, 0);
    for text in &inputs {
        let outcome = std::panic::catch_unwind(|| {
            let c = Condition::parse(text).ok()?;
            let results = [
                c.eval(&Runs::one(&a)),
                c.eval(&Runs::of([&a, &b])),
                c.eval(&Runs::of([])),
            ];
            Some(results.iter().filter(|r| r.is_ok()).count())
        });
        match outcome {
            Ok(Some(ok)) => {
                parsed += 1;
                evaluated += ok;
            }
            Ok(None) => {}
            Err(_) => panic!("panicked on {text:?}"),
        }
    }
    assert_eq!(inputs.len(), 9000);
    // The inputs reach the evaluator, not only the parser's first refusal.
    eprintln!("{parsed} parsed, {evaluated} evaluated");
    assert!(
        parsed > 300 && evaluated > 300,
        "{parsed} parsed, {evaluated} evaluated"
    );
}
