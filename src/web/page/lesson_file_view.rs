//! "Your lesson": open a lesson file of your own (docs/lesson.md) by picking a
//! file, dropping one on the box or pasting its text; edit it in the box and
//! open it again to preview it (Run runs it as any lesson); save the box as a
//! file. A file that cannot be opened is refused with the path of the field
//! that is wrong, shown under the box.

use super::address;
use super::store::{Action, Opened, Store};
use crate::lessons;
use crate::lessons::file::locate::{line_of, locate};
use crate::web::error::WebError;
use js_sys::{Function, Promise, Reflect};
use serde_json::Value;
use std::ops::Range;
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

/// A lesson file refused: why, and where in its text (a byte span), when the
/// refusal names a place.
pub struct Refused {
    pub message: String,
    pub at: Option<Range<usize>>,
    /// The line of the field the message names, when the message does not say
    /// it (JSON's own errors do).
    pub line: Option<usize>,
}

/// Open the lesson file `text` (or each lesson of a course file that holds its
/// lessons in place) and show it: the page's lesson becomes it (the course's
/// first). A refusal says where its field is in the text.
pub fn open(store: &Store, text: &str) -> Result<lessons::Lesson, Refused> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let line_start: usize = text
            .split_inclusive('\n')
            .take(e.line().saturating_sub(1))
            .map(str::len)
            .sum();
        let at = (line_start + e.column().saturating_sub(1)).min(text.len());
        Refused {
            message: format!("the lesson is not JSON: {e}"),
            at: Some(at..(at + 1).min(text.len())),
            line: None,
        }
    })?;
    let in_place = |name: &str| -> Result<String, String> {
        Err(format!(
            "a course given as text holds its lessons in place; the page reads a lesson file \
             the course names ({name}) only beside a course it fetched (#lesson-url=)"
        ))
    };
    let opened = lessons::file::open_any(&value, &in_place).map_err(|e| {
        let at = locate(text, &e.field);
        Refused {
            message: e.to_string(),
            line: at.as_ref().map(|r| line_of(text, r.start)),
            at,
        }
    })?;
    show(store, &opened[0]);
    Ok(opened[0].clone())
}

/// Make `lesson` (just opened) the page's lesson.
pub fn show(store: &Store, lesson: &lessons::Lesson) {
    if let Some(i) = lessons::all().iter().position(|l| l.id == lesson.id) {
        address::go_to(i);
        store.dispatch(Action::LessonFileOpened);
        store.dispatch(Action::Opened(Opened::from_address()));
    }
}

/// The text of the first file of `files` (a FileList), read by the browser.
async fn first_file_text(files: JsValue) -> Result<String, WebError> {
    let file = Reflect::get(&files, &0.into())
        .ok()
        .filter(|f| !f.is_undefined())
        .ok_or_else(|| WebError::refused("no file was given"))?;
    let text: Function = Reflect::get(&file, &"text".into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
        .ok_or_else(|| WebError::browser("this browser cannot read files"))?;
    let promise: Promise = text
        .call0(&file)
        .ok()
        .and_then(|p| p.dyn_into().ok())
        .ok_or_else(|| WebError::browser("the file could not be read"))?;
    JsFuture::from(promise)
        .await
        .ok()
        .and_then(|t| t.as_string())
        .ok_or_else(|| WebError::refused("the file could not be read as text"))
}

#[derive(Properties, PartialEq)]
pub struct LessonFileProps {
    /// The page's lesson, whose file fills the box when it was opened from one.
    pub lesson: usize,
    pub store: Rc<Store>,
}

#[function_component(LessonFileView)]
pub fn lesson_file_view(props: &LessonFileProps) -> Html {
    let opened = lessons::all()
        .into_iter()
        .nth(props.lesson)
        .and_then(|l| lessons::file::opened_document(l.id));
    let text = use_state(|| {
        opened
            .as_ref()
            .and_then(|d| serde_json::to_string_pretty(d).ok())
            .unwrap_or_default()
    });
    let said = use_state(|| None::<Result<String, String>>);
    let read_into_box = {
        let (text, said) = (text.clone(), said.clone());
        Callback::from(move |files: JsValue| {
            let (text, said) = (text.clone(), said.clone());
            wasm_bindgen_futures::spawn_local(async move {
                match first_file_text(files).await {
                    Ok(t) => text.set(t),
                    Err(e) => said.set(Some(Err(e.message))),
                }
            });
        })
    };
    let on_pick = {
        let read = read_into_box.clone();
        Callback::from(move |e: Event| {
            if let Some(input) = e.target() {
                read.emit(Reflect::get(&input, &"files".into()).unwrap_or(JsValue::NULL));
            }
        })
    };
    let on_drop = {
        let read = read_into_box.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            let files = Reflect::get(&e, &"dataTransfer".into())
                .and_then(|d| Reflect::get(&d, &"files".into()))
                .unwrap_or(JsValue::NULL);
            read.emit(files);
        })
    };
    let on_input = super::text_box::kept_in(&text);
    let area = use_node_ref();
    let on_open = {
        let (text, said, store, area) = (
            text.clone(),
            said.clone(),
            props.store.clone(),
            area.clone(),
        );
        Callback::from(move |_| {
            said.set(Some(match open(&store, &text) {
                Ok(l) => Ok(format!("Opened \"{}\": predict, then press Run.", l.title)),
                Err(refused) => {
                    if let (Some(at), Some(area)) =
                        (&refused.at, area.cast::<HtmlTextAreaElement>())
                    {
                        show_at(&area, &text, at);
                    }
                    Err(match refused.line {
                        Some(line) => format!("line {line}: {}", refused.message),
                        None => refused.message,
                    })
                }
            }));
        })
    };
    // The page's lesson's own file, to start from: a course lesson's too.
    let start_from = {
        let (text, said, lesson) = (text.clone(), said.clone(), props.lesson);
        Callback::from(move |_| {
            let Some(l) = lessons::all().into_iter().nth(lesson) else {
                return;
            };
            if let Some(doc) = lessons::document(l.id) {
                text.set(serde_json::to_string_pretty(&doc).unwrap_or_default());
                said.set(Some(Ok(
                    if lessons::file::opened_document(l.id).is_some() {
                        format!("The file of \"{}\", as it was opened.", l.title)
                    } else {
                        format!(
                        "The course's own file of \"{}\" (static/course/{}.json). Give it an id \
                         of your own (its \"lesson\" field) before you open it.",
                        l.title, l.id
                    )
                    },
                )));
            }
        })
    };
    let on_save = {
        let (text, said) = (text.clone(), said.clone());
        Callback::from(move |_| {
            let id = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| v["lesson"].as_str().map(str::to_string))
                .unwrap_or_else(|| "lesson".to_string());
            if let Err(e) = super::exports::download_text(&text, &format!("{id}.json")) {
                said.set(Some(Err(e.message)));
            }
        })
    };
    html! {
        <section class="lesson-file" data-testid="lesson-file">
            <p class="muted">
                { "A lesson of your own, as a file (docs/lesson.md): pick one, drop one on the box, \
                   or paste its text; then Open. Edit the box and Open again to preview your \
                   changes. A link opens one too: #lesson-url= an address, or the link \
                   locklab.lessonLink() makes. Every lesson of the course is such a file: \
                   start from the open one's." }
            </p>
            <label for="lesson-file-pick">{ "A lesson file" }</label>
            <input id="lesson-file-pick" type="file" accept=".json,application/json"
                data-testid="lesson-file-pick" onchange={on_pick} />
            <label for="lesson-file-text">{ "Its text (drop a file here)" }</label>
            <textarea id="lesson-file-text" data-testid="lesson-file-text" rows="12" spellcheck="false"
                ref={area} aria-describedby="lesson-file-said"
                value={(*text).clone()} oninput={on_input} ondrop={on_drop}
                ondragover={Callback::from(|e: DragEvent| e.prevent_default())} />
            <div class="lesson-file-buttons">
                <button data-testid="lesson-file-open" onclick={on_open} disabled={text.trim().is_empty()}>
                    { "Open" }
                </button>
                <button data-testid="lesson-file-save" onclick={on_save} disabled={text.trim().is_empty()}>
                    { "Save as file" }
                </button>
                <button data-testid="lesson-file-start" onclick={start_from}>
                    { "Start from this lesson's file" }
                </button>
            </div>
            { match &*said {
                Some(Ok(words)) => html! { <p id="lesson-file-said" role="status" data-testid="lesson-file-said">{ words }</p> },
                Some(Err(why)) => html! { <p id="lesson-file-said" class="error" role="alert" data-testid="lesson-file-said">{ why }</p> },
                None => html! {},
            } }
        </section>
    }
}

/// Select the span `at` (bytes of `text`) in the box and scroll it into view:
/// the field a refusal names, shown where it is.
fn show_at(area: &HtmlTextAreaElement, text: &str, at: &Range<usize>) {
    let utf16 = |bytes: usize| text.get(..bytes).map_or(0, |t| t.encode_utf16().count()) as u32;
    let _ = area.set_selection_range(utf16(at.start), utf16(at.end));
    let lines = text.lines().count().max(1) as i32;
    let line = line_of(text, at.start) as i32;
    area.set_scroll_top(
        (area.scroll_height() * (line - 1) / lines - area.client_height() / 3).max(0),
    );
    let _ = area.focus();
}
