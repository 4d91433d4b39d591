//! The page's own part of `window.locklab`: `load(scenario)` puts a scenario into
//! the page as if typed into its knobs, `current()` returns the page's scenario,
//! `share()` the link that restores the page. The page registers what they act
//! on at each render (`register`); before its first render they say the page is
//! not ready.

use crate::scenario::Scenario;
use crate::web::host::api::{scenario_of, set, settle, LOAD};
use js_sys::{Object, Promise, Reflect};
use serde_json::Value;
use std::cell::RefCell;
use wasm_bindgen::prelude::*;

/// What the API acts on: the page's latest callbacks.
pub struct PageHooks {
    /// Put a checked scenario into the page.
    pub load: Box<dyn Fn(Scenario)>,
    /// The page's scenario as JSON (every field), or why it is not valid.
    pub current: Box<dyn Fn() -> Result<Value, String>>,
    /// The link that restores the page.
    pub share: Box<dyn Fn() -> String>,
}

thread_local! {
    static HOOKS: RefCell<Option<PageHooks>> = const { RefCell::new(None) };
}

/// The page's latest hooks (called at every render of the app).
pub fn register(hooks: PageHooks) {
    HOOKS.with(|h| *h.borrow_mut() = Some(hooks));
}

fn with_hooks<T>(f: impl FnOnce(&PageHooks) -> Result<T, String>) -> Result<T, String> {
    HOOKS.with(|h| match h.borrow().as_ref() {
        Some(hooks) => f(hooks),
        None => Err("the page is not ready yet".to_string()),
    })
}

/// Add `load`, `current` and `share` to `window.locklab` (installed by the host).
pub fn install() {
    let Ok(api) = Reflect::get(&js_sys::global(), &"locklab".into()) else {
        return;
    };
    let Some(api) = api.dyn_ref::<Object>() else {
        return;
    };
    let load = Closure::<dyn FnMut(JsValue) -> Promise>::new(|scenario: JsValue| {
        let loaded = scenario_of(&scenario, &LOAD).and_then(|s| {
            let value = s.to_value();
            with_hooks(|h| {
                (h.load)(s);
                Ok(value)
            })
        });
        settle(async move { loaded })
    });
    let current = Closure::<dyn FnMut() -> Promise>::new(|| {
        let current = with_hooks(|h| (h.current)());
        settle(async move { current })
    });
    let share = Closure::<dyn FnMut() -> Promise>::new(|| {
        let link = with_hooks(|h| Ok(Value::from((h.share)())));
        settle(async move { link })
    });
    set(api, "load", load.into_js_value());
    set(api, "current", current.into_js_value());
    set(api, "share", share.into_js_value());
}
