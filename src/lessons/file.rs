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

use super::condition::{Condition, Runs as Reports};
use super::moment::Landmarks;
use super::{
    Base, CaseFile, Choice, Evidence, FileCheck, Finding, Holds, Judge, Lesson, MomentQuery,
    Prediction, Runs, Side, Suggestion,
};
use crate::scenario::presets;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

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
    if super::built_in().iter().any(|l| l.id == lesson.id) {
        return Err(refuse(
            "lesson",
            "an id none of the course's lessons has",
            format!("\"{}\", a lesson of the course", lesson.id),
        ));
    }
    OPENED.with(|o| {
        let mut o = o.borrow_mut();
        o.retain(|(l, _)| l.id != lesson.id);
        o.push((lesson.clone(), doc.clone()));
    });
    Ok(lesson)
}

/// The lesson files opened so far.
pub fn opened() -> Vec<Lesson> {
    OPENED.with(|o| o.borrow().iter().map(|(l, _)| l.clone()).collect())
}

/// The document of opened lesson `id`, as it was given.
pub fn document(id: &str) -> Option<Value> {
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
    let runs = match (map.get("run"), map.get("compare")) {
        (Some(run), None) => Runs::One(side(run, "run", "")?),
        (None, Some(Value::Array(pair))) if pair.len() == 2 => {
            let one = |i: usize| -> Result<Side, LessonError> {
                let path = format!("compare[{i}]");
                let Value::Object(m) = &pair[i] else {
                    return Err(refuse(
                        &path,
                        "{\"label\": ..., \"run\": ...}",
                        describe(Some(&pair[i])),
                    ));
                };
                let label = text(m, "label", &format!("{path}.label"), 1, 60)?;
                side(
                    m.get("run").unwrap_or(&Value::Null),
                    &format!("{path}.run"),
                    &label,
                )
            };
            Runs::Compare(one(0)?, one(1)?)
        }
        (None, Some(other)) => {
            return Err(refuse(
                "compare",
                "a list of two sides, each {\"label\", \"run\"}",
                describe(Some(other)),
            ))
        }
        _ => {
            return Err(refuse(
                "",
                "exactly one of run and compare",
                "both or neither",
            ))
        }
    };
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
        check: check(map.get("check"), sides)?,
        moment: moment(map.get("moment"), sides)?,
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

/// A run: `{"preset": NAME, "changes": {...}}`, or a scenario or workload
/// document, checked as the run will read it.
fn side(v: &Value, path: &str, label: &str) -> Result<Side, LessonError> {
    let Value::Object(map) = v else {
        return Err(refuse(
            path,
            "a scenario, a workload, or {\"preset\": ..., \"changes\": ...}",
            describe(Some(v)),
        ));
    };
    let side = match map.get("preset") {
        Some(name) => {
            let map = object(Some(v), path, &["preset", "changes"])?;
            let preset = name.as_str().and_then(presets::find).ok_or_else(|| {
                refuse(
                    &format!("{path}.preset"),
                    "the name of a preset (locklab presets)",
                    describe(Some(name)),
                )
            })?;
            let changes = match map.get("changes") {
                None => Value::Object(Map::new()),
                Some(c @ Value::Object(_)) => c.clone(),
                c => {
                    return Err(refuse(
                        &format!("{path}.changes"),
                        "an object of scenario fields",
                        describe(c),
                    ))
                }
            };
            Side {
                label: leak(label),
                base: Base::Preset(preset.name),
                changes,
            }
        }
        None => Side {
            label: leak(label),
            base: Base::Document(v.clone()),
            changes: Value::Object(Map::new()),
        },
    };
    side.scenario().map_err(|e| LessonError {
        field: if e.field.is_empty() {
            path.to_string()
        } else {
            format!("{path}.{}", e.field)
        },
        allowed: e.allowed,
        given: e.given,
    })?;
    Ok(side)
}

fn condition(v: Option<&Value>, path: &str, sides: usize) -> Result<Arc<Condition>, LessonError> {
    let Some(Value::String(text)) = v else {
        return Err(refuse(
            path,
            "a condition (docs/conditions.md)",
            describe(v),
        ));
    };
    let c = Condition::parse(text)
        .map_err(|e| refuse(path, "a condition (docs/conditions.md)", e.to_string()))?;
    if c.runs_needed() > sides {
        return Err(refuse(
            path,
            "a condition on run a only (the lesson has one run)",
            text.clone(),
        ));
    }
    Ok(Arc::new(c))
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
            holds: Holds::When(condition(m.get("when"), &format!("{path}.when"), sides)?),
        });
    }
    Ok(Prediction {
        question: leak(&question),
        choices,
    })
}

fn check(v: Option<&Value>, sides: usize) -> Result<Judge, LessonError> {
    let map = object(v, "check", &["when", "says"])?;
    let says = text(map, "says", "check.says", 1, 1000)?;
    let parts = template(&says, sides).map_err(|why| {
        refuse(
            "check.says",
            "a text whose {...} are expressions over the reports",
            why,
        )
    })?;
    Ok(Judge::File(Arc::new(FileCheck {
        when: condition(map.get("when"), "check.when", sides)?,
        says: parts,
    })))
}

/// A sentence's parts: text, and the expressions in `{...}` to fill in.
#[derive(Clone, Debug)]
pub enum Part {
    Text(String),
    Value(Condition),
}

fn template(says: &str, sides: usize) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = says;
    while let Some(open) = rest.find('{') {
        parts.push(Part::Text(rest[..open].to_string()));
        let close = rest[open..].find('}').ok_or("a { without its }")? + open;
        let expr = &rest[open + 1..close];
        let value = Condition::parse(expr).map_err(|e| format!("{{{expr}}}: {e}"))?;
        if value.runs_needed() > sides {
            return Err(format!(
                "{{{expr}}} reads run b, and the lesson has one run"
            ));
        }
        parts.push(Part::Value(value));
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err("a } without its {".to_string());
    }
    parts.push(Part::Text(rest.to_string()));
    Ok(parts)
}

impl FileCheck {
    /// The `{...}` of the check's sentence that cannot be read on these runs,
    /// each with why: a lesson whose sentence says "(missing field ...)".
    pub fn unreadable(&self, evidence: &Evidence) -> Vec<String> {
        let reports = evidence.reports_json();
        let runs = Reports::of(reports.iter());
        self.says
            .iter()
            .filter_map(|part| match part {
                Part::Value(c) => c.value(&runs).err().map(|e| format!("{{{c}}}: {e}")),
                Part::Text(_) => None,
            })
            .collect()
    }

    /// The check's finding on these runs: whether its condition holds, and its
    /// sentence filled in from the reports (a value that cannot be read says so).
    pub fn find(&self, evidence: &Evidence) -> Finding {
        let reports = evidence.reports_json();
        let runs = Reports::of(reports.iter());
        let appeared = self.when.eval(&runs);
        let mut because = String::new();
        for part in &self.says {
            match part {
                Part::Text(t) => because.push_str(t),
                Part::Value(c) => because.push_str(&match c.value(&runs) {
                    Ok(Value::Number(n)) => shown(n.as_f64().unwrap_or_default()),
                    Ok(Value::String(s)) => s,
                    Ok(other) => other.to_string(),
                    Err(e) => format!("({e})"),
                }),
            }
        }
        match appeared {
            Ok(appeared) => Finding { appeared, because },
            Err(e) => Finding {
                appeared: false,
                because: format!("{because} (the check's condition could not be read: {e})"),
            },
        }
    }
}

/// A number as a sentence says it: whole numbers without decimals, others to
/// two places.
fn shown(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

fn moment(v: Option<&Value>, sides: usize) -> Result<MomentQuery, LessonError> {
    let words = "\"first_refusal\", \"first_busy_wait\", \"longest_write_hold\", \
                 or {\"first_error\": \"SQLITE_...\"}, each alone or as {\"what\": ..., \"run\": \"a\" or \"b\"}";
    let (what, run) = match v {
        None => return Ok(MomentQuery::in_a(Landmarks::FirstRefusal)),
        Some(Value::Object(m)) if m.contains_key("what") => {
            let m = object(v, "moment", &["what", "run"])?;
            let run = match m.get("run").and_then(Value::as_str) {
                None | Some("a") => 0,
                Some("b") if sides > 1 => 1,
                _ => {
                    return Err(refuse(
                        "moment.run",
                        "\"a\" (or \"b\" in a comparison)",
                        describe(m.get("run")),
                    ))
                }
            };
            (m.get("what"), run)
        }
        other => (other, 0),
    };
    let landmark = match what {
        Some(Value::String(w)) => match w.as_str() {
            "first_refusal" => Landmarks::FirstRefusal,
            "first_busy_wait" => Landmarks::FirstBusyWait,
            "longest_write_hold" => Landmarks::LongestWriteHold,
            _ => return Err(refuse("moment", words, describe(what))),
        },
        Some(Value::Object(m)) => match (m.len(), m.get("first_error").and_then(Value::as_str)) {
            (1, Some(name)) if name.starts_with("SQLITE_") => Landmarks::FirstError(leak(name)),
            _ => return Err(refuse("moment", words, describe(what))),
        },
        _ => return Err(refuse("moment", words, describe(what))),
    };
    Ok(MomentQuery::in_run(run, landmark))
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
