//! What the page's buttons and keys set going, outside the state: a lesson's
//! runs (one after the other, each reported to the store as it starts and
//! ends), Stop, Reset database, and a link copied to the clipboard.

use super::course;
use super::scenario_panel::Draft;
use super::store::{hash_for, Action, Store};
use crate::web::host::run::{self as host, LiveTrace};
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::JsCast;

/// Run lesson `lesson`'s scenario(s) from `draft`, one after the other.
pub fn start(store: &Rc<Store>, lesson: usize, draft: Draft) {
    let scenarios = match course::scenarios_to_run(lesson, &draft) {
        Ok(s) => s,
        Err(message) => return store.dispatch(Action::Failed(message)),
    };
    let store = store.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let mut runs = Vec::new();
        for (n, scenario) in scenarios.iter().enumerate() {
            store.dispatch(Action::Running(n, scenarios.len()));
            store
                .live
                .begin(scenario.jobs as u64, scenario.workers + scenario.readers);
            let trace = LiveTrace {
                watcher: Some(store.live.clone()),
                ..LiveTrace::default()
            };
            match host::run(scenario, None, trace).await {
                Ok(run) => runs.push(Rc::new(run)),
                Err(message) => return store.dispatch(Action::Failed(message)),
            }
        }
        store.dispatch(Action::Ran(runs));
    });
}

/// Run the lesson shown with its draft as it is, from the whole run's window.
pub fn run_again(store: &Rc<Store>) {
    let state = store.state();
    store.window.set(None);
    start(store, state.lesson, state.draft.clone());
}

/// Put the lesson's suggested change into the draft, and run it.
pub fn try_suggested(store: &Rc<Store>) {
    let state = store.state();
    store.window.set(None);
    let draft = serde_json::Value::Object(state.draft.clone());
    let suggested = course::lesson_at(state.lesson).suggested(&draft);
    let next = suggested.as_object().cloned().unwrap_or_default();
    store.dispatch(Action::Loaded(next.clone()));
    start(store, state.lesson, next);
}

/// Stop every run of this tab at its workers' next step, and the console's
/// running SQL.
pub fn stop() {
    crate::web::host::kept_runs::stop();
    crate::web::host::console::interrupt(None);
}

/// Remove the last run's database files, and say what was removed.
pub fn reset(store: &Rc<Store>) {
    let store = store.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let said = crate::web::host::kept_runs::reset()
            .await
            .unwrap_or_else(|e| format!("Reset failed: {e}"));
        store.dispatch(Action::ResetSaid(said));
    });
}

/// The whole link that restores the page as it is now.
pub fn link(store: &Store) -> String {
    super::address::link_with(&hash_for(&store.state(), store.window.get()))
}

/// Copy the page's link to the clipboard (where the browser allows it) and say so.
pub fn share(store: &Rc<Store>) {
    let link = link(store);
    copy_to_clipboard(&link);
    store.dispatch(Action::Shared(link));
}

/// Copy `text` to the clipboard, where the browser allows it.
fn copy_to_clipboard(text: &str) {
    let clipboard = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"clipboard".into()));
    if let Ok(clipboard) = clipboard {
        if let Ok(write) = Reflect::get(&clipboard, &"writeText".into()) {
            if let Some(write) = write.dyn_ref::<js_sys::Function>() {
                let _ = write.call1(&clipboard, &text.into());
            }
        }
    }
}
