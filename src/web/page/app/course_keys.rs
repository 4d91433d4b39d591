//! The course from the keyboard: 1 to 4 predict, R runs, S stops, T tries the
//! suggested change, V shows a comparison's A, B or both, Page Down and Page Up
//! (a presenter's clicker) or ] and [ go to the next and the previous lesson.

use super::super::address;
use super::super::banners::global_flag;
use super::super::course;
use super::super::keys::use_page_keys;
use super::super::runner;
use super::super::scenario_panel::check;
use super::super::store::{Action, PageState, RunState, Store};
use std::rc::Rc;
use yew::prelude::*;

#[hook]
pub fn use_course_keys(store: &Rc<Store>, state: &PageState) {
    let store = store.clone();
    let index = state.lesson;
    let running = state.running();
    let can_run = check(&state.draft).is_ok() && !running && global_flag("crossOriginIsolated");
    let done = matches!(state.run, RunState::Done(_));
    use_page_keys(move |e| {
        let key = e.key();
        match key.as_str() {
            "1" | "2" | "3" | "4" => {
                let i = key.parse::<usize>().unwrap_or(1) - 1;
                if i >= course::lesson_at(index).prediction.choices.len() {
                    return false;
                }
                store.dispatch(Action::Predicted(i));
            }
            "r" | "R" if can_run => runner::run_again(&store),
            "s" | "S" if running => runner::stop(),
            "t" | "T" if done => runner::try_suggested(&store),
            "v" | "V" => store.dispatch(Action::SwitchedSides),
            "PageDown" | "]" => return address::go_to(index + 1),
            "PageUp" | "[" => return index > 0 && address::go_to(index - 1),
            _ => return false,
        }
        true
    });
}
