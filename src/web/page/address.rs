//! The page's address holds its state, so that a link restores it: the lesson
//! (`lesson=busy-timeout`), the scenario's fields that differ from the lesson's
//! (`s=workers:8;busy_timeout_ms:5000`, see `scenario::compact`), and `run` to
//! run it at once. The hash is a list of `key=value` pairs joined by `&`; pairs
//! this file does not know are kept as they are (other views read them).

use super::scenario_panel::Draft;
use super::timeline::Window;
use super::timeline::WindowCell;
use crate::decimal::Dec;
use crate::lessons;
use crate::scenario::compact;
use crate::web::error::WebError;
use gloo_timers::callback::Timeout;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

fn hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The hash's pairs, in order (without the leading `#`).
fn pairs(hash: &str) -> Vec<(String, String)> {
    hash.trim_start_matches('#')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.to_string(), v.to_string()),
            None => (p.to_string(), String::new()),
        })
        .collect()
}

fn joined(pairs: Vec<(String, String)>) -> String {
    let parts: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| if v.is_empty() { k } else { format!("{k}={v}") })
        .collect();
    format!("#{}", parts.join("&"))
}

pub(super) fn value_of(key: &str) -> Option<String> {
    pairs(&hash())
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

/// The lesson the address names, if any.
pub fn lesson_in_address() -> Option<String> {
    value_of("lesson")
}

/// The scenario fields the address sets, if it sets any; an error names a field
/// this version does not know or a value it cannot read.
pub fn scenario_in_address() -> Option<Result<Map<String, Value>, WebError>> {
    value_of("s").map(|text| compact::decode(&text).map_err(|e| WebError::refused(e.to_string())))
}

/// The timeline's window the address names (`t=12.5-40.25`, in ms), in µs.
pub fn window_in_address() -> Option<(u64, u64)> {
    let text = value_of("t")?;
    let (from, to) = text.split_once('-')?;
    let us = |ms: &str| {
        crate::decimal::read(ms)
            .filter(|v| v.is_finite() && *v >= 0.0)
            .map(|v| (v * 1000.0) as u64)
    };
    let (from, to) = (us(from)?, us(to)?);
    (from < to).then_some((from, to))
}

/// The edited copy the address holds (`b=`: its fields that differ from
/// `draft`), if it holds one; an error names what it cannot read.
pub fn copy_in_address(draft: &Draft) -> Option<Result<Draft, WebError>> {
    let text = value_of("b")?;
    Some(
        compact::decode(&text)
            .map_err(|e| WebError::refused(e.to_string()))
            .map(|fields| {
                let mut copy = draft.clone();
                copy.extend(fields);
                copy
            }),
    )
}

/// Whether the address asks to run at once.
pub fn run_in_address() -> bool {
    pairs(&hash()).iter().any(|(k, _)| k == "run")
}

/// The hash for `lesson` with the scenario changes `changes` (none: no `s`),
/// keeping the pairs of the current hash that other views own and dropping
/// `run` (a link shared from here does not run unasked).
pub fn hash_of(
    lesson: &str,
    changes: &Map<String, Value>,
    copy: Option<&Map<String, Value>>,
    window: Option<(u64, u64)>,
) -> String {
    let pairs: Vec<(String, String)> = pairs(&hash())
        .into_iter()
        .filter(|(k, _)| !["lesson", "s", "b", "t", "run"].contains(&k.as_str()))
        .collect();
    let mut ours = vec![("lesson".to_string(), lesson.to_string())];
    if !changes.is_empty() {
        ours.push(("s".to_string(), compact::encode(changes)));
    }
    if let Some(copy) = copy {
        ours.push(("b".to_string(), compact::encode(copy)));
    }
    if let Some((from, to)) = window {
        let ms = |us: u64| format!("{}", Dec((us as f64 / 10.0).round() / 100.0));
        ours.push(("t".to_string(), format!("{}-{}", ms(from), ms(to))));
    }
    ours.extend(pairs);
    joined(ours)
}

/// The address of `lesson`, opened from a lesson link (`lesson-url=`,
/// `lesson-data=`): the link is used once, and the lesson has its own address.
pub fn address_after_link(lesson: &str) -> String {
    let mut pairs = vec![("lesson".to_string(), lesson.to_string())];
    pairs.extend(self::pairs(&hash()).into_iter().filter(|(k, _)| {
        !["lesson", "s", "b", "t", "run", "lesson-url", "lesson-data"].contains(&k.as_str())
    }));
    joined(pairs)
}

/// The address of `lesson` as it is written in its links.
pub fn address_of(lesson: &str) -> String {
    hash_of(lesson, &Map::new(), None, None)
}

/// Open the lesson at `index` (through the address); false if there is none.
pub fn go_to(index: usize) -> bool {
    let Some(lesson) = lessons::all().into_iter().nth(index) else {
        return false;
    };
    web_sys::window().is_some_and(|w| w.location().set_hash(&address_of(lesson.id)).is_ok())
}

/// The whole link to this page with `hash`.
pub fn link_with(hash: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let base = location
        .and_then(|l| Some(format!("{}{}", l.origin().ok()?, l.pathname().ok()?)))
        .unwrap_or_default();
    format!("{base}{hash}")
}

/// Write `hash` into the address without a new history entry and without a
/// hashchange (the state it holds is already the page's).
pub fn keep(hash: &str) {
    if self::hash() == hash {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(hash));
    }
}

/// How long the timeline's window stays put before the address takes it, in
/// ms: zooming and panning move it at every frame, and writing the address is a
/// history entry's work (browsers also throttle a page that replaces it too often).
const WINDOW_SETTLES_MS: u32 = 250;

/// Write the address again (`keep`) with the timeline's window once it has
/// stayed put `WINDOW_SETTLES_MS` after a move; the returned clean-up stops it.
pub fn keep_window(window: &Rc<WindowCell>, keep: impl Fn(Window) + 'static) -> impl FnOnce() {
    let keep = Rc::new(keep);
    let pending = Rc::new(RefCell::new(None::<Timeout>));
    let watch = window.watch(Callback::from({
        let (pending, window) = (pending.clone(), Rc::downgrade(window));
        move |_| {
            let (keep, window) = (keep.clone(), window.clone());
            // A move cancels the write the last one was waiting for.
            *pending.borrow_mut() = Some(Timeout::new(WINDOW_SETTLES_MS, move || {
                if let Some(window) = window.upgrade() {
                    keep(window.get());
                }
            }));
        }
    }));
    move || {
        drop(watch);
        pending.borrow_mut().take();
    }
}

/// Call `on_change` whenever the hash changes (a link, Back, a typed address).
#[hook]
pub fn use_address_changes(on_change: Callback<()>) {
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn()>::new(move || on_change.emit(()));
        let window = web_sys::window();
        if let Some(w) = &window {
            let _ =
                w.add_event_listener_with_callback("hashchange", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(w) = window {
                let _ = w.remove_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
}
