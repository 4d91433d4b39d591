//! The page's own part of `window.locklab`: `load(scenario)` puts a scenario into
//! the page as if typed into its knobs, `current()` returns the page's scenario,
//! `share()` the link that restores the page. They read and write the page's
//! store, as its components do.

use super::runner;
use super::scenario_panel::check;
use super::store::{Action, Store};
use crate::web::error::WebError;
use crate::web::host::api::{scenario_of, set, settle, LOAD};
use js_sys::{Object, Promise, Reflect};
use serde_json::Value;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// Add `load`, `current` and `share` to `window.locklab` (installed by the host).
pub fn install(store: Rc<Store>) {
    let Ok(api) = Reflect::get(&js_sys::global(), &"locklab".into()) else {
        return;
    };
    let Some(api) = api.dyn_ref::<Object>() else {
        return;
    };
    let load = Closure::<dyn FnMut(JsValue) -> Promise>::new({
        let store = store.clone();
        move |scenario: JsValue| {
            let loaded = scenario_of(&scenario, &LOAD).map(|s| {
                let value = s.to_value();
                let draft = value.as_object().cloned().unwrap_or_default();
                store.dispatch(Action::Loaded(draft));
                value
            });
            settle(async move { loaded })
        }
    });
    let current = Closure::<dyn FnMut() -> Promise>::new({
        let store = store.clone();
        move || {
            let current = check(&store.state().draft)
                .map(|s| s.to_value())
                .map_err(|e| WebError::refused(e.to_string()));
            settle(async move { current })
        }
    });
    let share = Closure::<dyn FnMut() -> Promise>::new(move || {
        let link: Result<Value, WebError> = Ok(Value::from(runner::link(&store)));
        settle(async move { link })
    });
    set(api, "load", load.into_js_value());
    set(api, "current", current.into_js_value());
    set(api, "share", share.into_js_value());
}
