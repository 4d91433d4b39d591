use super::*;
use std::collections::HashSet;

#[test]
fn every_lesson_is_whole_and_its_scenarios_and_suggestion_are_valid() {
    let lessons = all();
    assert!(lessons.len() >= 14);
    let ids: HashSet<_> = lessons.iter().map(|l| l.id).collect();
    assert_eq!(ids.len(), lessons.len(), "lesson ids are unique");
    assert!(find(FIRST).is_some());
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
