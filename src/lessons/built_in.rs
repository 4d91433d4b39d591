//! The built-in course: the lesson files of static/course/, in the order its
//! course.json gives, built into both hosts (build.rs) and read once per
//! thread, as any lesson file is read.

use super::file::{course, LessonError};
use super::Lesson;
use serde_json::Value;
use std::cell::OnceCell;

mod built {
    include!(concat!(env!("OUT_DIR"), "/course_files.rs"));
}

thread_local! {
    static LESSONS: OnceCell<Vec<Lesson>> = const { OnceCell::new() };
}

/// The course's lessons, in order. The files are checked by the tests
/// (tests/lesson_files.rs): one that cannot be read is a build of locklab that
/// must not ship, and stops here with its name and why.
pub(super) fn lessons() -> Vec<Lesson> {
    LESSONS.with(|l| {
        l.get_or_init(|| {
            read()
                .unwrap_or_else(|e| panic!("static/course/course.json: {e}"))
                .into_iter()
                .map(|(lesson, _)| lesson)
                .collect()
        })
        .clone()
    })
}

/// The course file itself (static/course/course.json).
pub fn course() -> Result<course::Course, LessonError> {
    let doc: Value = serde_json::from_str(built::COURSE).map_err(|e| LessonError {
        field: String::new(),
        allowed: "a JSON object".into(),
        given: format!("invalid JSON ({e})"),
    })?;
    course::parse(&doc)
}

/// A built-in lesson file's text.
fn text_of(name: &str) -> Result<String, String> {
    built::FILES
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| text.to_string())
        .ok_or_else(|| "not built in".to_string())
}

/// Each lesson of the course with its document, in order (read anew: each
/// call makes the lessons' texts again, so the course keeps its own in
/// `lessons`).
fn read() -> Result<Vec<(Lesson, Value)>, LessonError> {
    course()?.read(&text_of)
}

/// The document of the course's lesson `id`, as its file has it.
pub fn document(id: &str) -> Option<Value> {
    let docs = course().ok()?.documents(&text_of).ok()?;
    docs.into_iter().find(|doc| doc["lesson"] == id)
}
