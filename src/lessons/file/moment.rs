//! A lesson file's moment: which landmark of which run the page zooms to and
//! labels (docs/lesson.md), and back to its JSON.

use super::{describe, leak, object, refuse, LessonError};
use crate::lessons::moment::Landmarks;
use crate::lessons::MomentQuery;
use serde_json::{json, Value};

/// The landmarks a file names by a word, and the words.
const WORDS: [(&str, Landmarks); 8] = [
    ("first_refusal", Landmarks::FirstRefusal),
    ("first_busy_wait", Landmarks::FirstBusyWait),
    ("longest_write_hold", Landmarks::LongestWriteHold),
    ("kill", Landmarks::Kill),
    ("reclaim", Landmarks::Reclaim),
    ("double_claim", Landmarks::DoubleClaim),
    ("power_cut", Landmarks::PowerCut),
    ("lost_race", Landmarks::LostRace),
];

fn allowed() -> String {
    let words: Vec<String> = WORDS.iter().map(|(w, _)| format!("\"{w}\"")).collect();
    format!(
        "{} or {{\"first_error\": \"SQLITE_...\"}}, alone or as {{\"what\": ..., \"run\": \"a\", \
         \"b\" or the run's place from 0}}",
        words.join(", ")
    )
}

pub(super) fn moment(v: Option<&Value>, sides: usize) -> Result<MomentQuery, LessonError> {
    let (what, run) = match v {
        None => return Ok(MomentQuery::in_a(Landmarks::FirstRefusal)),
        Some(Value::Object(m)) if m.contains_key("what") => {
            let m = object(v, "moment", &["what", "run"])?;
            let run = match m.get("run") {
                None => Some(0),
                Some(Value::String(r)) if r == "a" => Some(0),
                Some(Value::String(r)) if r == "b" => Some(1),
                Some(n) => n.as_u64().map(|n| n as usize),
            };
            match run {
                Some(run) if run < sides => (m.get("what"), run),
                _ => {
                    return Err(refuse(
                        "moment.run",
                        format!(
                            "\"a\", \"b\" or a place from 0 to {} (the lesson has {sides} runs)",
                            sides - 1
                        ),
                        describe(m.get("run")),
                    ))
                }
            }
        }
        other => (other, 0),
    };
    let landmark = match what {
        Some(Value::String(w)) => WORDS.iter().find(|(word, _)| word == w).map(|(_, l)| *l),
        Some(Value::Object(m)) => match (m.len(), m.get("first_error").and_then(Value::as_str)) {
            (1, Some(name)) if name.starts_with("SQLITE_") => {
                Some(Landmarks::FirstError(leak(name)))
            }
            _ => None,
        },
        _ => None,
    };
    let landmark = landmark.ok_or_else(|| refuse("moment", allowed(), describe(what)))?;
    Ok(MomentQuery::in_run(run, landmark))
}

/// The moment as a lesson file writes it: the inverse of `moment`.
pub fn moment_json(m: &MomentQuery) -> Value {
    let what = match m.what {
        Landmarks::FirstError(name) => {
            json!({ "first_error": name })
        }
        other => WORDS
            .iter()
            .find(|(_, l)| *l == other)
            .map_or(Value::Null, |(w, _)| Value::from(*w)),
    };
    match m.run {
        0 => what,
        1 => json!({"what": what, "run": "b"}),
        n => json!({"what": what, "run": n}),
    }
}
