//! The page's state and its address: what an address opens (`Opened`), and the
//! address that restores a state (`hash_for`). The address's own format is
//! `address`'s; which lessons there are is the course's.

use super::PageState;
use crate::scenario::compact;
use crate::web::page::address;
use crate::web::page::course;
use crate::web::page::scenario_panel::{check, Draft};
use crate::web::page::timeline::Window;
use serde_json::Value;

/// What an address opens.
pub struct Opened {
    pub lesson: usize,
    /// The address named a lesson that does not exist: its name.
    pub unknown_lesson: Option<String>,
    /// The lesson's scenario with the fields the address sets.
    pub draft: Draft,
    /// The edited copy the address holds (`b=`).
    pub copy: Option<Draft>,
    /// What the address could not restore, in words.
    pub link_problem: Option<String>,
    /// The address asks to run at once.
    pub run: bool,
}

impl Opened {
    pub fn from_address() -> Opened {
        let (lesson, unknown_lesson) = match address::lesson_in_address() {
            None => (0, None),
            Some(id) => match course::index_of(&id) {
                Some(i) => (i, None),
                None => (0, Some(id)),
            },
        };
        let mut draft = course::lesson_draft(lesson);
        let mut link_problem = None;
        match address::scenario_in_address() {
            None => {}
            Some(Ok(fields)) => draft.extend(fields),
            Some(Err(problem)) => {
                link_problem = Some(format!(
                    "This link could not be opened as it was made: {problem}. The lesson's own \
                     scenario is shown instead."
                ))
            }
        }
        let copy = match address::copy_in_address(&draft) {
            Some(Ok(copy)) => Some(copy),
            Some(Err(problem)) => {
                link_problem = link_problem.or(Some(format!(
                    "This link's edited copy could not be opened: {problem}."
                )));
                None
            }
            None => None,
        };
        Opened {
            lesson,
            unknown_lesson,
            draft,
            copy,
            link_problem,
            run: address::run_in_address(),
        }
    }
}

/// The hash that restores `state` with the timeline's `window`: the lesson, the
/// fields of the draft that differ from the lesson's scenario, those of the copy
/// that differ from the draft (`b=`), and the window.
pub fn hash_for(state: &PageState, window: Window) -> String {
    let lesson = course::lesson_at(state.lesson);
    let base = lesson.runs.sides()[0]
        .scenario()
        .map(|s| s.to_value())
        .unwrap_or_default();
    let full = |d: &Draft| {
        check(d)
            .map(|s| s.to_value())
            .unwrap_or_else(|_| Value::Object(d.clone()))
    };
    let now = full(&state.draft);
    let copy = state
        .copy
        .as_ref()
        .map(|c| compact::differences(&now, &full(c)));
    address::hash_of(
        lesson.id,
        &compact::differences(&base, &now),
        copy.as_ref(),
        window,
    )
}
