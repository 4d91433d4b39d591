use super::*;
use std::collections::HashSet;

#[test]
fn every_lesson_is_whole_and_its_scenarios_and_suggestion_are_valid() {
    let lessons = all();
    assert!(lessons.len() >= 14);
    let ids: HashSet<_> = lessons.iter().map(|l| l.id).collect();
    assert_eq!(ids.len(), lessons.len(), "lesson ids are unique");
    assert_eq!(first(), "lock-ladder");
    for l in &lessons {
        let choices = l.prediction.choices.len();
        assert!((2..=4).contains(&choices), "{}: {choices} choices", l.id);
        for (n, side) in l.runs.sides().into_iter().enumerate() {
            let ran = side
                .scenario()
                .unwrap_or_else(|e| panic!("{}: {e}", l.id))
                .to_value();
            Scenario::from_value(&l.suggested(&ran))
                .unwrap_or_else(|e| panic!("{}: the suggestion: {e}", l.id));
            // The page applies the suggestion to run A's scenario (its draft),
            // and carries what it changed over to run B.
            if n == 0 {
                assert_ne!(
                    l.suggested(&ran),
                    ran,
                    "{}: the suggestion changes run A",
                    l.id
                );
            }
        }
        assert!(!l.claim.is_empty() && !l.title.is_empty());
    }
}

#[test]
fn a_check_that_fails_names_the_fields_that_differ_from_the_lesson() {
    let lesson = find("wall-of-red").unwrap();
    let Runs::One(side) = &lesson.runs else {
        panic!("one run")
    };
    let mut ran = side.scenario().unwrap().to_value();
    ran["busy_timeout_ms"] = serde_json::json!(5000);
    assert_eq!(
        differences(side, &ran),
        vec!["busy_timeout_ms is 5000 here; the lesson has 0".to_string()]
    );
}

#[test]
fn an_edit_of_the_first_run_edits_a_grids_runs_but_not_the_fields_they_vary() {
    let lesson = find("you-need-all-three").unwrap();
    let mut draft = lesson.runs.sides()[0].scenario_json();
    draft["reader_hold_ms"] = serde_json::json!(100);
    draft["busy_timeout_ms"] = serde_json::json!(1000);
    let runs = lesson.runs.with_edits(&draft);
    assert_eq!(runs.len(), 8);
    assert_eq!(runs[0], draft);
    for (run, side) in runs.iter().zip(lesson.runs.sides()) {
        assert_eq!(run["reader_hold_ms"], 100, "{}", side.label);
        let own = &side.scenario_json()["busy_timeout_ms"];
        // The cells with busy_timeout take the edit; those without keep 0.
        let want = if own == 0 { 0 } else { 1000 };
        assert_eq!(run["busy_timeout_ms"], want, "{}", side.label);
        assert_eq!(run["journal_mode"], side.scenario_json()["journal_mode"]);
    }
    // A comparison's B takes every edit, also of a field where B differs from A.
    let compare = find("claim-cas").unwrap();
    let mut draft = compare.runs.sides()[0].scenario_json();
    draft["claim_cas"] = serde_json::json!(true);
    assert_eq!(compare.runs.with_edits(&draft)[1]["claim_cas"], true);
}
