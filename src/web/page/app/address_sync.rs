//! The address holds the page's state, so that a link restores it: written
//! from the store whenever the lesson, the draft, its copy or `run` changes, and
//! with the timeline's window once it has stayed put for a moment
//! (`address::keep_window`); read back into the store when a link is followed,
//! Back pressed or an address typed; and a link with `run` runs once the page is
//! up, where it can.

use super::super::address;
use super::super::banners::global_flag;
use super::super::lesson_links;
use super::super::runner;
use super::super::scenario_panel::check;
use super::super::store::{hash_for, Action, Opened, PageState, Store};
use std::rc::Rc;
use yew::prelude::*;

#[hook]
pub fn use_address_sync(store: &Rc<Store>, state: &PageState) {
    let kept = (
        state.lesson,
        state.draft.clone(),
        state.copy.clone(),
        state.run_at_once,
    );
    use_effect_with(kept, {
        let store = store.clone();
        move |_| {
            let keep = {
                let store = store.clone();
                move |window| {
                    let state = store.state();
                    let hash = hash_for(&state, window);
                    address::keep(&if state.run_at_once {
                        format!("{hash}&run")
                    } else {
                        hash
                    })
                }
            };
            keep(store.window.get());
            address::keep_window(&store.window, keep)
        }
    });
    address::use_address_changes({
        let store = store.clone();
        Callback::from(move |_| {
            if open_lesson_link(&store) {
                return;
            }
            let opened = Opened::from_address();
            let run = opened.run;
            store.window.set(address::window_in_address());
            store.dispatch(Action::Opened(opened));
            if run && global_flag("crossOriginIsolated") {
                store.dispatch(Action::RunAtOnce(true));
                let state = store.state();
                runner::start(&store, state.lesson, state.draft.clone());
            }
        })
    });
    use_effect_with((), {
        let store = store.clone();
        move |_| {
            if open_lesson_link(&store) {
                return;
            }
            let state = store.state();
            // Not yet isolated, the page waits for its service worker, which
            // reloads it isolated: `run` stays in the address for that load.
            if !state.run_at_once || !global_flag("crossOriginIsolated") {
                return;
            }
            if check(&state.draft).is_ok() {
                runner::start(&store, state.lesson, state.draft.clone());
            } else {
                store.dispatch(Action::RunAtOnce(false));
            }
        }
    });
}

/// A lesson link in the address (`lesson-url=`, `lesson-data=`): open its lesson,
/// then show it under its own address (`lesson=ID`), or say why it could not be
/// opened. Whether there was one.
fn open_lesson_link(store: &Rc<Store>) -> bool {
    let Some((kind, value)) = lesson_links::in_address() else {
        return false;
    };
    let store = store.clone();
    wasm_bindgen_futures::spawn_local(async move {
        match lesson_links::open(kind, &value).await {
            Ok(id) => {
                address::keep(&address::address_after_link(id));
                store.dispatch(Action::LessonFileOpened);
                store.dispatch(Action::Opened(Opened::from_address()));
            }
            Err(why) => store.dispatch(Action::LinkProblem(format!(
                "This lesson link could not be opened: {}",
                why.message
            ))),
        }
    });
    true
}
