//! Lessons as files (docs/lesson.md): the course is its files (static/course/,
//! each run through both VFSes by tests/lessons.rs), every one named once by
//! course.json and read as it is written; a malformed lesson or course is
//! refused at its field's path; the CLI's check-lesson says what holds with its
//! exit code, for a lesson file and for a course file.

use locklab::lessons::{self, built_in, file};
use serde_json::{json, Value};
use std::process::Command;

const COURSE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/static/course");

/// Every lesson file of static/course/ (not course.json), by name.
fn course_files() -> Vec<(String, Value)> {
    let mut files: Vec<_> = std::fs::read_dir(COURSE)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .filter(|p| !p.ends_with("course.json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let doc = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, doc)
        })
        .collect()
}

#[test]
fn the_course_is_its_files_each_named_once_and_read_as_written() {
    let course = built_in::course().expect("course.json reads");
    let named: Vec<String> = course
        .lessons
        .iter()
        .map(|entry| match entry {
            file::course::Entry::File(name) => name.clone(),
            other => panic!("the built-in course names its files: {other:?}"),
        })
        .collect();
    let files = course_files();
    let mut sorted = named.clone();
    sorted.sort();
    let on_disk: Vec<&String> = files.iter().map(|(n, _)| n).collect();
    assert_eq!(
        sorted.iter().collect::<Vec<_>>(),
        on_disk,
        "course.json names every file once"
    );
    let lessons = lessons::all();
    assert_eq!(lessons.len(), files.len());
    for (lesson, name) in lessons.iter().zip(&named) {
        assert_eq!(
            format!("{}.json", lesson.id),
            *name,
            "a lesson file is named by its id"
        );
        let doc = &files.iter().find(|(n, _)| n == name).unwrap().1;
        let read = file::parse(doc).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((read.title, read.claim), (lesson.title, lesson.claim));
    }
    assert_eq!(lessons::first(), "lock-ladder");
    // The gallery built into the hosts is the folder's.
    let mut gallery: Vec<String> =
        std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/static/workloads"))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".json")
                    .to_string()
            })
            .collect();
    gallery.sort();
    assert_eq!(
        locklab::scenario::workload::gallery::names().collect::<Vec<_>>(),
        gallery
    );
}

fn lost_updates() -> Value {
    let mut doc = course_files()
        .into_iter()
        .find(|(n, _)| n == "lost-updates.json")
        .unwrap()
        .1;
    // A lesson of one's own cannot take a course lesson's id.
    doc["lesson"] = json!("my-lost-updates");
    doc
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
    // The lesson with `grid` or `sweep` in place of its comparison.
    let many = |key: &str, runs: Value| {
        let mut doc = without("compare");
        doc[key] = runs;
        doc
    };
    let grid = |runs: Value| many("grid", runs);
    let sweep = |runs: Value| many("sweep", runs);
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
        (
            with(&["check", "says"], json!("ended at {a.checks[0].got:7}")),
            "check.says",
        ),
        (with(&["grid"], json!([])), ""),
        (grid(json!([lost_updates()["compare"][0]])), "grid"),
        (
            grid(
                json!([{"label": "a", "run": {"workload": "counter"}}, {"label": "b", "run": {"workload": "countr"}}]),
            ),
            "grid[1].run.workload",
        ),
        (
            grid(
                json!([{"label": "a", "run": {"workload": "counter"}}, {"label": "b", "run": {"workload": "counter", "changes": {"roles": 3}}}]),
            ),
            "grid[1].run.roles",
        ),
        (
            sweep(json!({"field": "workers", "runs": "many"})),
            "sweep.runs",
        ),
        (
            sweep(
                json!({"runs": [{"label": "a", "run": {"preset": "wall-of-red"}}, {"label": "b", "run": {"preset": "wall-of-red"}}]}),
            ),
            "sweep.field",
        ),
        (
            with(&["moment"], json!({"what": "kill", "run": 2})),
            "moment.run",
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

/// `locklab check-lesson PATH`, run to its end.
fn check_lesson(path: &std::path::Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_locklab"))
        .arg("check-lesson")
        .arg(path)
        .output()
        .unwrap()
}

#[test]
fn check_lesson_says_what_holds_with_its_exit_code() {
    let good = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/static/course/lost-updates.json"
    );
    let out = check_lesson(good.as_ref());
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
    let out = check_lesson(&bad);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("lesson field `prediction.choices[1].when`"),
        "{said}"
    );

    // A run that fails (here an UPDATE of a table that does not exist) is said,
    // with SQLite's message, and fails the lesson: its check is not read.
    let failing = dir.path().join("failing.json");
    let mut doc = lost_updates();
    doc["compare"][0]["run"]["roles"][0]["steps"][2]["sql"] =
        json!("UPDATE countr SET n = :n + 1 WHERE id = 1");
    std::fs::write(&failing, doc.to_string()).unwrap();
    let out = check_lesson(&failing);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("unix: run A FAILED: ") && said.contains("no such table: countr"),
        "{said}"
    );
    assert!(!said.contains("check passes"), "{said}");

    // A choice that reads a field the report lacks is named, and fails the file.
    let typo = dir.path().join("typo.json");
    let mut doc = lost_updates();
    doc["prediction"]["choices"][2]["when"] = json!("a.checks[0].gott > 1");
    std::fs::write(&typo, doc.to_string()).unwrap();
    let out = check_lesson(&typo);
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
    let out = check_lesson(&says);
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
    let out = check_lesson(&vague);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("3 choices hold (1, 2, 3): exactly one must")
    );
}

/// A course file: its lessons read beside it (a file it names) or in place,
/// each checked in turn by check-lesson; a lesson file it names that is missing
/// is refused at the lesson's place.
#[test]
fn check_lesson_checks_each_lesson_of_a_course_file() {
    let cli = env!("CARGO_BIN_EXE_locklab");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("counter.json"), lost_updates().to_string()).unwrap();
    let wall = json!({
        "lesson": "my-wall",
        "title": "My wall of red",
        "claim": "Without busy_timeout, a refused lock is an error at once.",
        "run": {"preset": "wall-of-red", "changes": {"jobs": 20}},
        "prediction": {"question": "Errors?", "choices": [
            {"text": "Yes", "when": "errors.SQLITE_BUSY > 0"},
            {"text": "No", "when": "errors.SQLITE_BUSY == 0"}]},
        "check": {"when": "errors.SQLITE_BUSY > 0", "says": "{errors.SQLITE_BUSY} SQLITE_BUSY"},
        "suggestion": {"label": "Now wait", "changes": {"busy_timeout_ms": 5000}}
    });
    let course = dir.path().join("course.json");
    let doc = json!({"course": "mine", "title": "My course", "lessons": ["counter.json", wall]});
    std::fs::write(&course, doc.to_string()).unwrap();
    let out = check_lesson(&course);
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{said}");
    assert!(
        said.contains("my-lost-updates: ") && said.contains("my-wall: My wall of red"),
        "{said}"
    );
    assert_eq!(
        said.matches("exactly one choice holds").count(),
        4,
        "{said}"
    );

    let out = Command::new(cli)
        .args(["lesson", "--file"])
        .arg(&course)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("my-wall") && said.contains("locklab lesson --file"),
        "{said}"
    );

    let broken = json!({"course": "mine", "title": "My course", "lessons": [wall, "gone.json"]});
    std::fs::write(&course, broken.to_string()).unwrap();
    let out = check_lesson(&course);
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("lessons[1]") && said.contains("gone.json"),
        "{said}"
    );
}
