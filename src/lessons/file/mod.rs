//! A lesson as a file (docs/lesson.md): what a built-in lesson holds, as JSON a
//! person writes. Its runs are a preset (with changes), a scenario or a workload
//! of one's own, or two of them to compare; its prediction's choices and its
//! check are conditions over the run reports (docs/conditions.md), and the
//! check says what it found in a sentence whose `{...}` are filled from the
//! reports. No script runs: a condition only reads numbers.
//!
//! Every refusal names the field's path (`prediction.choices[1].when`), what it
//! allows and what it was given. A lesson read from a file lives as long as the
//! program (its texts are leaked, a few KB each: the course holds `'static`
//! lessons, and a page opens a handful).

mod check;
pub mod course;
pub mod locate;
mod moment;
mod runs;

pub use check::Part;
pub use moment::moment_json;
pub use runs::{side_json, MOST_RUNS};

use super::{CaseFile, Choice, Lesson, Prediction, Suggestion};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

thread_local! {
    /// Lesson files opened in this program (the page's `openLesson`), with their
    /// documents, in the order opened; `lessons::all()` lists them after the
    /// course.
    static OPENED: RefCell<Vec<(Lesson, Value)>> = const { RefCell::new(Vec::new()) };
}

/// Read `doc` and add it to the lessons (after the course's), in place of an
/// opened lesson of the same id. A lesson cannot take a course lesson's id.
pub fn open(doc: &Value) -> Result<Lesson, LessonError> {
    let lesson = parse(doc)?;
    not_the_course(&lesson)?;
    add(&lesson, doc);
    Ok(lesson)
}

/// Open a lesson file, or every lesson of a course file (each as `open` opens
/// one, and only once all of them read and none takes a course lesson's id):
/// the lessons opened, in order. The files a course names are read by
/// `text_of`.
pub fn open_any(
    doc: &Value,
    text_of: &dyn Fn(&str) -> Result<String, String>,
) -> Result<Vec<Lesson>, LessonError> {
    if !course::is_course(doc) {
        return open(doc).map(|l| vec![l]);
    }
    let read = course::parse(doc)?.read(text_of)?;
    for (lesson, _) in &read {
        not_the_course(lesson)?;
    }
    for (lesson, doc) in &read {
        add(lesson, doc);
    }
    Ok(read.into_iter().map(|(lesson, _)| lesson).collect())
}

/// Refuse a lesson that takes a course lesson's id.
fn not_the_course(lesson: &Lesson) -> Result<(), LessonError> {
    if super::the_course().iter().any(|l| l.id == lesson.id) {
        return Err(refuse(
            "lesson",
            "an id none of the course's lessons has",
            format!("\"{}\", a lesson of the course", lesson.id),
        ));
    }
    Ok(())
}

/// Add a lesson read from `doc` to those opened, in place of one of its id.
fn add(lesson: &Lesson, doc: &Value) {
    OPENED.with(|o| {
        let mut o = o.borrow_mut();
        o.retain(|(l, _)| l.id != lesson.id);
        o.push((lesson.clone(), doc.clone()));
    });
}

/// The lesson files opened so far.
pub fn opened() -> Vec<Lesson> {
    OPENED.with(|o| o.borrow().iter().map(|(l, _)| l.clone()).collect())
}

/// The document of opened lesson `id`, as it was given.
pub fn opened_document(id: &str) -> Option<Value> {
    OPENED.with(|o| {
        o.borrow()
            .iter()
            .find(|(l, _)| l.id == id)
            .map(|(_, d)| d.clone())
    })
}

/// A lesson file that cannot be read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LessonError {
    /// The field's path, or "" for the document as a whole.
    pub field: String,
    pub allowed: String,
    pub given: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field.as_str() {
            "" => write!(f, "lesson: expected {}, got {}", self.allowed, self.given),
            field => write!(
                f,
                "lesson field `{field}`: expected {}, got {}",
                self.allowed, self.given
            ),
        }
    }
}

impl std::error::Error for LessonError {}

const FIELDS: &[&str] = &[
    "lesson",
    "title",
    "claim",
    "run",
    "compare",
    "grid",
    "sweep",
    "prediction",
    "check",
    "moment",
    "suggestion",
    "case_file",
];

fn refuse(path: &str, allowed: impl Into<String>, given: impl Into<String>) -> LessonError {
    LessonError {
        field: path.to_string(),
        allowed: allowed.into(),
        given: given.into(),
    }
}

fn describe(v: Option<&Value>) -> String {
    v.map_or("nothing".to_string(), crate::scenario::describe)
}

fn leak(s: &str) -> &'static str {
    Box::leak(s.to_string().into_boxed_str())
}

/// Read a lesson file's text.
pub fn from_json(text: &str) -> Result<Lesson, LessonError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| refuse("", "a JSON object", format!("invalid JSON ({e})")))?;
    parse(&doc)
}

/// Read a lesson document.
pub fn parse(doc: &Value) -> Result<Lesson, LessonError> {
    let Value::Object(map) = doc else {
        return Err(refuse("", "a JSON object", describe(Some(doc))));
    };
    if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(refuse(
            unknown,
            format!("one of {}", FIELDS.join(", ")),
            "an unknown field",
        ));
    }
    let id = text(map, "lesson", "lesson", 1, 40)?;
    if !id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(refuse(
            "lesson",
            "an id of a-z, 0-9 and -",
            describe(map.get("lesson")),
        ));
    }
    let runs = runs::runs(map)?;
    let sides = runs.sides().len();
    let suggestion = suggestion(map.get("suggestion"))?;
    for side in runs.sides() {
        let tried = super::with_changes(&side.scenario_json(), &suggestion.changes);
        crate::scenario::Scenario::from_value(&tried).map_err(|e| LessonError {
            field: "suggestion.changes".to_string(),
            allowed: format!(
                "changes that leave each run valid ({}: {})",
                if e.field.is_empty() {
                    "the run"
                } else {
                    e.field.as_str()
                },
                e.allowed
            ),
            given: e.given,
        })?;
    }
    Ok(Lesson {
        id: leak(&id),
        title: leak(&text(map, "title", "title", 1, 80)?),
        claim: leak(&text(map, "claim", "claim", 1, 4000)?),
        prediction: prediction(map.get("prediction"), sides)?,
        check: check::check(map.get("check"), sides)?,
        moment: moment::moment(map.get("moment"), sides)?,
        suggestion,
        case_file: case_file(map.get("case_file"))?,
        runs,
    })
}

fn text(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    min: usize,
    max: usize,
) -> Result<String, LessonError> {
    match map.get(key) {
        Some(Value::String(s)) if (min..=max).contains(&s.chars().count()) => Ok(s.clone()),
        v => Err(refuse(
            path,
            format!("a text of {min} to {max} characters"),
            describe(v),
        )),
    }
}

fn object<'v>(
    v: Option<&'v Value>,
    path: &str,
    fields: &[&str],
) -> Result<&'v Map<String, Value>, LessonError> {
    crate::scenario::read::object_with(v, path, fields).map_err(|e| LessonError {
        field: e.field,
        allowed: e.allowed,
        given: e.given,
    })
}

fn prediction(v: Option<&Value>, sides: usize) -> Result<Prediction, LessonError> {
    let map = object(v, "prediction", &["question", "choices"])?;
    let question = text(map, "question", "prediction.question", 1, 1000)?;
    let Some(Value::Array(items)) = map.get("choices") else {
        return Err(refuse(
            "prediction.choices",
            "a list of 2 to 6 choices",
            describe(map.get("choices")),
        ));
    };
    if !(2..=6).contains(&items.len()) {
        return Err(refuse(
            "prediction.choices",
            "a list of 2 to 6 choices",
            format!("{} choices", items.len()),
        ));
    }
    let mut choices = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("prediction.choices[{i}]");
        let m = object(Some(item), &path, &["text", "when"])?;
        choices.push(Choice {
            text: leak(&text(m, "text", &format!("{path}.text"), 1, 400)?),
            when: check::condition(m.get("when"), &format!("{path}.when"), sides)?,
        });
    }
    Ok(Prediction {
        question: leak(&question),
        choices,
    })
}

fn suggestion(v: Option<&Value>) -> Result<Suggestion, LessonError> {
    let map = object(v, "suggestion", &["label", "changes"])?;
    let changes = match map.get("changes") {
        Some(c @ Value::Object(_)) => c.clone(),
        c => {
            return Err(refuse(
                "suggestion.changes",
                "an object of fields to set",
                describe(c),
            ))
        }
    };
    Ok(Suggestion {
        label: leak(&text(map, "label", "suggestion.label", 1, 200)?),
        changes,
    })
}

fn case_file(v: Option<&Value>) -> Result<Option<CaseFile>, LessonError> {
    if v.is_none() {
        return Ok(None);
    }
    let parts = [
        "thread", "url", "setup", "stand_in", "saw", "shows", "fixed", "unsaid",
    ];
    let map = object(v, "case_file", &parts)?;
    let part = |key: &str| -> Result<&'static str, LessonError> {
        match map.get(key) {
            None if !matches!(key, "thread" | "url") => Ok(""),
            _ => Ok(leak(&text(map, key, &format!("case_file.{key}"), 1, 4000)?)),
        }
    };
    let url = part("url")?;
    if !url.starts_with("https://") {
        return Err(refuse("case_file.url", "an https:// address", url));
    }
    Ok(Some(CaseFile {
        thread: part("thread")?,
        url,
        setup: part("setup")?,
        stand_in: part("stand_in")?,
        saw: part("saw")?,
        shows: part("shows")?,
        fixed: part("fixed")?,
        unsaid: part("unsaid")?,
    }))
}
