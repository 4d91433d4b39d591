//! A course file (docs/lesson.md): an ordered list of lessons, each a lesson
//! file's name (beside the course file) or a lesson document written in place.
//! The built-in course is one (static/course/course.json), built into both
//! hosts; a person's course is read by the CLI from its folder and by the page
//! from the address it was fetched from.

use super::{describe, object, refuse, text, LessonError};
use serde_json::Value;

/// The most lessons a course holds.
pub const MOST_LESSONS: usize = 100;

/// A course: its id and title, and its lessons in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Course {
    pub id: String,
    pub title: String,
    /// Why the lessons come in this order, for the course's authors.
    pub about: String,
    pub lessons: Vec<Entry>,
}

/// One lesson of a course: where to find it.
#[derive(Clone, Debug, PartialEq)]
pub enum Entry {
    /// A lesson file's name, relative to the course file: `wall-of-red.json`.
    File(String),
    /// A lesson document written in the course file.
    Lesson(Value),
}

impl Course {
    /// The lesson files the course names, to be read beside it.
    pub fn file_names(&self) -> Vec<&str> {
        self.lessons
            .iter()
            .filter_map(|e| match e {
                Entry::File(name) => Some(name.as_str()),
                Entry::Lesson(_) => None,
            })
            .collect()
    }

    /// Each lesson's document, in order: those written in place, and those of
    /// the files named, from `text_of` (a file's text, or why it could not be
    /// read). A file that cannot be read or is not JSON is named by its place.
    pub fn documents(
        &self,
        text_of: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Vec<Value>, LessonError> {
        self.lessons
            .iter()
            .enumerate()
            .map(|(i, entry)| match entry {
                Entry::Lesson(doc) => Ok(doc.clone()),
                Entry::File(name) => {
                    let path = format!("lessons[{i}]");
                    let text = text_of(name).map_err(|why| {
                        refuse(
                            &path,
                            "a lesson file that can be read",
                            format!("{name}: {why}"),
                        )
                    })?;
                    serde_json::from_str(&text).map_err(|e| {
                        refuse(
                            &path,
                            "a lesson file of JSON",
                            format!("{name}: invalid JSON ({e})"),
                        )
                    })
                }
            })
            .collect()
    }

    /// Each lesson of the course, read: an error names the lesson's place and
    /// file before the field (`lessons[3] (outbox.json): lesson field ...`).
    pub fn read(
        &self,
        text_of: &dyn Fn(&str) -> Result<String, String>,
    ) -> Result<Vec<(super::super::Lesson, Value)>, LessonError> {
        let docs = self.documents(text_of)?;
        docs.into_iter()
            .zip(&self.lessons)
            .enumerate()
            .map(|(i, (doc, entry))| {
                let lesson = super::parse(&doc).map_err(|e| {
                    let name = match entry {
                        Entry::File(name) => format!(" ({name})"),
                        Entry::Lesson(_) => String::new(),
                    };
                    LessonError {
                        field: match e.field.as_str() {
                            "" => format!("lessons[{i}]{name}"),
                            field => format!("lessons[{i}]{name}.{field}"),
                        },
                        ..e
                    }
                })?;
                Ok((lesson, doc))
            })
            .collect()
    }
}

/// Whether `doc` is a course file rather than a lesson file: it has `course`.
pub fn is_course(doc: &Value) -> bool {
    doc.get("course").is_some()
}

/// Read a course document.
pub fn parse(doc: &Value) -> Result<Course, LessonError> {
    let map = object(Some(doc), "", &["course", "title", "about", "lessons"])?;
    let id = text(map, "course", "course", 1, 40)?;
    let title = text(map, "title", "title", 1, 120)?;
    let about = match map.get("about") {
        None => String::new(),
        Some(_) => text(map, "about", "about", 1, 4000)?,
    };
    let allowed = format!(
        "a list of 1 to {MOST_LESSONS} lessons, each a lesson file's name (\"my-lesson.json\", \
         beside the course file) or a lesson document"
    );
    let Some(Value::Array(items)) = map.get("lessons") else {
        return Err(refuse("lessons", allowed, describe(map.get("lessons"))));
    };
    if !(1..=MOST_LESSONS).contains(&items.len()) {
        return Err(refuse(
            "lessons",
            allowed,
            format!("{} lessons", items.len()),
        ));
    }
    let lessons = items
        .iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(name) if is_file_name(name) => Ok(Entry::File(name.clone())),
            Value::Object(_) => Ok(Entry::Lesson(item.clone())),
            other => Err(refuse(
                &format!("lessons[{i}]"),
                "a lesson file's name (letters, digits, -, _ and / ending in .json, no ..) or a \
                 lesson document",
                describe(Some(other)),
            )),
        })
        .collect::<Result<_, _>>()?;
    Ok(Course {
        id,
        title,
        about,
        lessons,
    })
}

/// A name a course may give a lesson file: relative, inside the course's
/// folder, ending in `.json`.
fn is_file_name(name: &str) -> bool {
    name.ends_with(".json")
        && name.len() <= 200
        && !name.starts_with('/')
        && name.split('/').all(|part| !part.is_empty() && part != "..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
}
