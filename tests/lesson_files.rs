//! Lessons as files (docs/lesson.md): every lesson file in static/lessons/ does,
//! through both VFSes, what `locklab check-lesson` asks of it (its check passes,
//! exactly one choice holds); a malformed lesson is refused at its field's path;
//! the CLI's check-lesson says so with its exit code.

mod common;

use locklab::lessons::{file, Evidence};
use locklab::native::Vfs;
use serde_json::{json, Value};
use std::process::Command;

fn lesson_files() -> Vec<(String, Value)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/static/lessons");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (
                p.display().to_string(),
                serde_json::from_str(&text).unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_lesson_file_checks_and_has_one_answer_through_both_vfses() {
    let files = lesson_files();
    assert!(!files.is_empty());
    for (name, doc) in files {
        let lesson = file::parse(&doc).unwrap_or_else(|e| panic!("{name}: {e}"));
        for vfs in [Vfs::Unix, Vfs::Shared] {
            let runs: Vec<_> = lesson
                .runs
                .sides()
                .iter()
                .map(|s| common::run_on(vfs, s.scenario_json()))
                .collect();
            let evidence = Evidence::of(runs.iter().map(|r| &r.report));
            let verdict = lesson.check(&evidence);
            assert!(
                verdict.finding.appeared,
                "{name} {vfs:?}: {}",
                verdict.finding.because
            );
            let holding: Vec<usize> = (0..lesson.prediction.choices.len())
                .filter(|&i| lesson.holds(i, &evidence))
                .collect();
            assert_eq!(holding.len(), 1, "{name} {vfs:?}: {holding:?}");
            assert!(
                !verdict.finding.because.contains('{'),
                "{}",
                verdict.finding.because
            );
        }
    }
}

fn lost_updates() -> Value {
    lesson_files()
        .into_iter()
        .find(|(n, _)| n.ends_with("lost-updates.json"))
        .unwrap()
        .1
}

#[test]
fn a_malformed_lesson_is_refused_at_its_field() {
    let with = |path: &[&str], value: Value| {
        let mut doc = lost_updates();
        let mut at = &mut doc;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        let last = path[path.len() - 1];
        match last.parse::<usize>() {
            Ok(i) => at[i] = value,
            Err(_) => at[last] = value,
        }
        doc
    };
    let without = |key: &str| {
        let mut doc = lost_updates();
        doc.as_object_mut().unwrap().remove(key);
        doc
    };
    let cases: Vec<(Value, &str)> = vec![
        (json!([]), ""),
        (with(&["lesson"], json!("Lost Updates")), "lesson"),
        (with(&["title"], json!("")), "title"),
        (without("claim"), "claim"),
        (with(&["teacher"], json!("me")), "teacher"),
        (with(&["run"], json!({"preset": "wall-of-red"})), ""),
        (
            with(&["compare"], json!([lost_updates()["compare"][0]])),
            "compare",
        ),
        (
            with(&["compare", "1", "run"], json!({"preset": "no-such"})),
            "compare[1].run.preset",
        ),
        (
            with(
                &["compare", "1", "run", "roles", "0", "steps", "0", "sql"],
                json!(7),
            ),
            "compare[1].run.roles[0].steps[0].sql",
        ),
        (
            with(&["compare", "0", "run", "jobs"], json!(10)),
            "compare[0].run.jobs",
        ),
        (
            with(
                &["prediction", "choices"],
                json!([{"text": "x", "when": "true"}]),
            ),
            "prediction.choices",
        ),
        (
            with(
                &["prediction", "choices", "1", "when"],
                json!("a.checks[0].got <"),
            ),
            "prediction.choices[1].when",
        ),
        (
            with(&["prediction", "choices", "1", "when"], json!(true)),
            "prediction.choices[1].when",
        ),
        (
            with(&["prediction", "choices", "2", "hint"], json!("x")),
            "prediction.choices[2].hint",
        ),
        (
            with(&["check", "says"], json!("ended at {a.checks[0].got")),
            "check.says",
        ),
        (
            with(&["check", "says"], json!("ended at {a.checks[0].got >}")),
            "check.says",
        ),
        (with(&["moment"], json!("the best moment")), "moment"),
        (
            with(&["moment"], json!({"what": "first_refusal", "run": "c"})),
            "moment.run",
        ),
        (
            with(&["suggestion", "changes"], json!("more workers")),
            "suggestion.changes",
        ),
        // The job queue's field, which a workload refuses, suggested to one.
        (
            with(&["suggestion", "changes"], json!({"workers": 4})),
            "suggestion.changes",
        ),
        (
            with(
                &["case_file"],
                json!({"thread": "x#1", "url": "http://example.com"}),
            ),
            "case_file.url",
        ),
    ];
    for (doc, path) in cases {
        match file::parse(&doc) {
            Ok(_) => panic!("accepted, expected a refusal at `{path}`"),
            Err(e) => assert_eq!(e.field, path, "{e}"),
        }
    }
    // A one-run lesson cannot read run b.
    let mut one = lost_updates();
    let a = one["compare"][0]["run"].clone();
    let obj = one.as_object_mut().unwrap();
    obj.remove("compare");
    obj.insert("run".into(), a);
    assert_eq!(
        file::parse(&one).unwrap_err().field,
        "prediction.choices[0].when"
    );
}

#[test]
fn check_lesson_says_what_holds_with_its_exit_code() {
    let cli = env!("CARGO_BIN_EXE_locklab");
    let good = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/static/lessons/lost-updates.json"
    );
    let out = Command::new(cli)
        .args(["check-lesson", good])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("unix: check passes") && said.contains("shared: exactly one choice holds: 1"),
        "{said}"
    );

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.json");
    let mut doc = lost_updates();
    doc["prediction"]["choices"][1]["when"] = json!("a.checks[0].got == 200 and");
    std::fs::write(&bad, doc.to_string()).unwrap();
    let out = Command::new(cli)
        .args(["check-lesson"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("lesson field `prediction.choices[1].when`"),
        "{said}"
    );

    // A choice that reads a field the report lacks is named, and fails the file.
    let typo = dir.path().join("typo.json");
    let mut doc = lost_updates();
    doc["prediction"]["choices"][2]["when"] = json!("a.checks[0].gott > 1");
    std::fs::write(&typo, doc.to_string()).unwrap();
    let out = Command::new(cli)
        .args(["check-lesson"])
        .arg(&typo)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains(
            "cannot be decided: choice 3 (a.checks[0].gott > 1): missing field a.checks[0].gott"
        ),
        "{said}"
    );

    // A check whose sentence reads a field the report lacks fails the file.
    let says = dir.path().join("says.json");
    let mut doc = lost_updates();
    doc["check"]["says"] = json!("sold {a.checks[5].got}");
    std::fs::write(&says, doc.to_string()).unwrap();
    let out = Command::new(cli)
        .args(["check-lesson"])
        .arg(&says)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("cannot be decided: {a.checks[5].got}: missing field a.checks[5]"),
        "{said}"
    );

    // A lesson whose every choice holds is not a lesson: exit code 1.
    let vague = dir.path().join("vague.json");
    let mut doc = lost_updates();
    for c in doc["prediction"]["choices"].as_array_mut().unwrap() {
        c["when"] = json!("true");
    }
    std::fs::write(&vague, doc.to_string()).unwrap();
    let out = Command::new(cli)
        .args(["check-lesson"])
        .arg(&vague)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("3 choices hold (1, 2, 3): exactly one must")
    );
}
