//! Bad scenarios are refused with an error that names the field, what it allows and
//! what it was given; good ones get every default filled in.

use locklab::scenario::{Fault, Holding, JournalMode, Scenario, WorkMs};

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
            filled.get(field.name).is_some(),
            "{} is missing from the filled scenario",
            field.name
        );
    }
}

#[test]
fn null_is_refused_at_its_field_not_taken_as_the_default() {
    check_refused(
        r#"{"workers": null}"#,
        "workers",
        "left out for its default",
        "null",
    );
    check_refused(
        r#"{"journal_mode": null}"#,
        "journal_mode",
        r#""wal""#,
        "null",
    );
    check_refused(r#"{"faults": null}"#, "faults", "at most 16", "null");
}

#[test]
fn faults_are_refused_at_the_fault_and_key_that_is_wrong() {
    let base = r#""workers": 2, "readers": 1, "time_limit_ms": 1000"#;
    let with = |faults: &str| format!(r#"{{{base}, "faults": {faults}}}"#);
    check_refused(
        &with(r#"{"kill": 1}"#),
        "faults",
        "a list of at most 16",
        r#"{"kill":1}"#,
    );
    check_refused(
        &with(r#"[{"kill": 3, "at_ms": 0}]"#),
        "faults[0].kill",
        "from 0 to 2",
        "got 3",
    );
    check_refused(
        &with(r#"[{"kill": 0, "at_ms": 5}, {"kill": 1, "at_ms": 1001}]"#),
        "faults[1].at_ms",
        "from 0 to 1000",
        "got 1001",
    );
    check_refused(
        &with(r#"[{"at_ms": 5}]"#),
        "faults[0].kill",
        "from 0 to 2",
        "required",
    );
    check_refused(
        &with(r#"[{"kill": 0, "at_ms": 5, "holding": "shared"}]"#),
        "faults[0].holding",
        r#""reserved", "exclusive", "wal_write""#,
        r#""shared""#,
    );
    check_refused(
        &with(r#"[{"kill": 0, "at_ms": 5, "when": 1}]"#),
        "faults[0].when",
        "kill, at_ms, holding",
        "unknown key",
    );
    check_refused(&with("[1]"), "faults[0]", "an object", "got 1");
    let seventeen = vec![r#"{"kill": 0, "at_ms": 1}"#; 17].join(",");
    check_refused(
        &with(&format!("[{seventeen}]")),
        "faults",
        "at most 16",
        "17 faults",
    );
}

#[test]
fn faults_stale_after_ms_and_cache_pages_read_as_written() {
    let s = Scenario::from_json(
        r#"{"workers": 3, "stale_after_ms": 250, "cache_pages": 4,
            "faults": [{"kill": 2, "at_ms": 300, "holding": "wal_write"}, {"kill": 0, "at_ms": 0}]}"#,
    )
    .unwrap();
    assert_eq!((s.stale_after_ms, s.cache_pages), (250, 4));
    assert_eq!(s.faults.power_cut, None);
    assert_eq!(
        s.faults.kills,
        vec![
            Fault {
                kill: 2,
                at_ms: 300,
                holding: Some(Holding::WalWrite)
            },
            Fault {
                kill: 0,
                at_ms: 0,
                holding: None
            },
        ]
    );
    let filled = s.to_value();
    assert_eq!(filled["faults"][0]["holding"], "wal_write");
    assert!(filled["faults"][1].get("holding").is_none());
    check_refused(
        r#"{"stale_after_ms": 3600001}"#,
        "stale_after_ms",
        "from 0 to 3600000",
        "3600001",
    );
    let d = Scenario::default();
    assert_eq!((d.stale_after_ms, d.cache_pages, d.faults.len()), (0, 0, 0));
}
