//! The page's own part of `window.locklab`: `load(scenario)` puts a scenario into
//! the page as if typed into its knobs, `current()` returns the page's scenario,
//! `share()` the link that restores the page, `openLesson(lesson)` opens a lesson
//! file (docs/lesson.md) as the page's lesson, `lessonFile()` gives the opened
//! lesson's file back. They read and write the page's store, as its components
//! do.

use super::address;
use super::lesson_file_view;
use super::lesson_links;
use super::runner;
use super::scenario_panel::check;
use super::store::{Action, Store};
use crate::lessons;
use crate::web::error::WebError;
use crate::web::host::api::{scenario_of, set, settle, LOAD};
use js_sys::{Object, Promise, Reflect, JSON};
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
    let share = Closure::<dyn FnMut() -> Promise>::new({
        let store = store.clone();
        move || {
            let link: Result<Value, WebError> = Ok(Value::from(runner::link(&store)));
            settle(async move { link })
        }
    });
    let open_lesson = Closure::<dyn FnMut(JsValue) -> Promise>::new({
        let store = store.clone();
        move |doc: JsValue| {
            let opened = lesson_text(&doc)
                .and_then(|text| {
                    lesson_file_view::open(&store, &text).map_err(|e| {
                        WebError::refused(format!("locklab.openLesson(lesson): {}", e.message))
                    })
                })
                .map(|lesson| serde_json::json!({"id": lesson.id, "title": lesson.title}));
            settle(async move { opened })
        }
    });
    let lesson_file = Closure::<dyn FnMut() -> Promise>::new({
        let store = store.clone();
        move || {
            let file = lesson_document(store.state().lesson, "lessonFile");
            settle(async move { file })
        }
    });
    let lesson_link = Closure::<dyn FnMut() -> Promise>::new({
        move || {
            let doc = lesson_document(store.state().lesson, "lessonLink");
            settle(async move {
                let doc = doc?;
                let id = doc["lesson"].as_str().unwrap_or_default();
                if lessons::file::opened_document(id).is_none() {
                    // The course's own lesson has an address of its own.
                    return Ok(Value::from(address::link_with(&format!("#lesson={id}"))));
                }
                let hash = lesson_links::data_hash(&doc.to_string()).await?;
                Ok(Value::from(address::link_with(&hash)))
            })
        }
    });
    set(api, "openLesson", open_lesson.into_js_value());
    set(api, "lessonLink", lesson_link.into_js_value());
    set(api, "lessonFile", lesson_file.into_js_value());
    set(api, "load", load.into_js_value());
    set(api, "current", current.into_js_value());
    set(api, "share", share.into_js_value());
}

/// `locklab.openLesson(lesson)`'s argument as text: a lesson file's text, or
/// its object written as JSON.
fn lesson_text(doc: &JsValue) -> Result<String, WebError> {
    let call = "locklab.openLesson(lesson)";
    match doc.as_string() {
        Some(text) => Ok(text),
        None if doc.is_object() => JSON::stringify(doc)
            .ok()
            .and_then(|s| s.as_string())
            .ok_or_else(|| {
                WebError::refused(format!("{call}: `lesson` cannot be written as JSON"))
            }),
        None => Err(WebError::refused(format!(
            "{call}: `lesson` must be a lesson file's text or object (docs/lesson.md)"
        ))),
    }
}

/// The lesson file of lesson `index` (the course's own, or one opened): what
/// `lessonFile` and `lessonLink` give.
fn lesson_document(index: usize, call: &str) -> Result<Value, WebError> {
    match lessons::all().into_iter().nth(index) {
        Some(l) => lessons::document(l.id).ok_or_else(|| {
            WebError::refused(format!("locklab.{call}(): lesson `{}` has no file", l.id))
        }),
        None => Err(WebError::refused(format!(
            "locklab.{call}(): no lesson is open"
        ))),
    }
}
