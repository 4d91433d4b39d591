//! Bad scenarios are refused with an error that names the field, what it allows and
//! what it was given; good ones get every default filled in.

use locklab::scenario::{JournalMode, Scenario, WorkMs};

/// `input` must be refused for `field`, with `allowed` in the message and the value
/// given shown as `given`.
fn check_refused(input: &str, field: &str, allowed: &str, given: &str) {
    let err = Scenario::from_json(input).expect_err(input);
    assert_eq!(err.field, field, "{input}");
    let message = err.to_string();
    assert!(message.contains(&format!("`{field}`")), "{message}");
    assert!(message.contains(allowed), "{message} should say {allowed}");
    assert!(message.contains(given), "{message} should show {given}");
}

#[test]
fn out_of_range_numbers_name_the_field_and_the_range() {
    check_refused(r#"{"workers": 0}"#, "workers", "from 1 to 16", "got 0");
    check_refused(r#"{"workers": 17}"#, "workers", "from 1 to 16", "got 17");
    check_refused(r#"{"readers": 9}"#, "readers", "from 0 to 8", "got 9");
    check_refused(r#"{"jobs": 0}"#, "jobs", "from 1 to 1000000", "got 0");
    check_refused(
        r#"{"jobs": 1000001}"#,
        "jobs",
        "from 1 to 1000000",
        "got 1000001",
    );
    check_refused(
        r#"{"busy_timeout_ms": 60001}"#,
        "busy_timeout_ms",
        "from 0 to 60000",
        "got 60001",
    );
    check_refused(
        r#"{"busy_timeout_ms": -1}"#,
        "busy_timeout_ms",
        "from 0 to 60000",
        "got -1",
    );
    check_refused(
        r#"{"result_batch": 0}"#,
        "result_batch",
        "from 1 to 1000",
        "got 0",
    );
    check_refused(r#"{"workers": 2.5}"#, "workers", "whole number", "got 2.5");
    check_refused(
        r#"{"time_limit_ms": 5}"#,
        "time_limit_ms",
        "from 100 to 3600000",
        "got 5",
    );
}

#[test]
fn wrong_words_and_types_name_the_choices() {
    check_refused(
        r#"{"transaction": "medium"}"#,
        "transaction",
        r#""short", "long""#,
        r#""medium""#,
    );
    check_refused(
        r#"{"begin": "later"}"#,
        "begin",
        r#""deferred", "immediate", "exclusive""#,
        r#""later""#,
    );
    check_refused(
        r#"{"journal_mode": "WAL2"}"#,
        "journal_mode",
        r#""wal""#,
        r#""WAL2""#,
    );
    check_refused(
        r#"{"synchronous": 1}"#,
        "synchronous",
        r#""off", "normal", "full""#,
        "got 1",
    );
    check_refused(
        r#"{"claim_index": "yes"}"#,
        "claim_index",
        "true or false",
        r#""yes""#,
    );
    check_refused(r#"{"workers": "4"}"#, "workers", "whole number", r#""4""#);
    check_refused(r#"{"name": ""}"#, "name", "1 to 80 characters", r#""""#);
}

#[test]
fn work_ms_takes_a_number_or_an_ordered_pair() {
    check_refused(r#"{"work_ms": [9, 3]}"#, "work_ms", "[min, max]", "[9,3]");
    check_refused(
        r#"{"work_ms": [1, 2, 3]}"#,
        "work_ms",
        "[min, max]",
        "[1,2,3]",
    );
    check_refused(
        r#"{"work_ms": 70000}"#,
        "work_ms",
        "from 0 to 60000",
        "70000",
    );
    let s = Scenario::from_json(r#"{"work_ms": [3, 9]}"#).unwrap();
    assert_eq!(s.work_ms, WorkMs { min: 3, max: 9 });
    let s = Scenario::from_json(r#"{"work_ms": 4}"#).unwrap();
    assert_eq!(s.work_ms, WorkMs { min: 4, max: 4 });
}

#[test]
fn unknown_fields_are_named() {
    check_refused(
        r#"{"worker": 4}"#,
        "worker",
        "known fields",
        "unknown field",
    );
}

#[test]
fn documents_that_are_not_objects_are_refused() {
    assert!(Scenario::from_json("[1, 2]")
        .unwrap_err()
        .to_string()
        .contains("a JSON object"));
    assert!(Scenario::from_json("{workers: 4}")
        .unwrap_err()
        .to_string()
        .contains("invalid JSON"));
}

#[test]
fn an_empty_scenario_gets_every_default() {
    let s = Scenario::from_json("{}").unwrap();
    assert_eq!(s, Scenario::default());
    assert_eq!(s.journal_mode, JournalMode::Delete);
    let filled = s.to_value();
    for field in locklab::scenario::FIELDS {
        assert!(
            filled.get(field).is_some(),
            "{field} is missing from the filled scenario"
        );
    }
}
