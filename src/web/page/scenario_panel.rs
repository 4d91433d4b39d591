//! The scenario panel: the lesson to start from (`LessonPicker`, at the top of the
//! page) and every field of the scenario with its default, its range and what it
//! changes (`Knobs`, below the run). Edits are checked by the same parser as the
//! CLI's; an error shows at its field.

use crate::presets;
use crate::scenario::{Scenario, ScenarioError};
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// How a field is edited.
enum Kind {
    Number,
    /// A number or "min,max".
    Range,
    Text,
    Flag,
    Choice(&'static [&'static str]),
}

/// Each field: name, how it is edited, its default as shown, and what it changes.
const FIELDS: &[(&str, Kind, &str, &str)] = &[
    ("name", Kind::Text, "custom", "A label for the run."),
    ("workers", Kind::Number, "4 (1-16)", "Job-queue workers, each a Web Worker with its own connection."),
    ("readers", Kind::Number, "0 (0-8)", "Dashboard workers that hold read transactions."),
    ("jobs", Kind::Number, "200 (1-1,000,000)", "Jobs seeded before the run."),
    ("transaction", Kind::Choice(&["short", "long"]), "short",
        "Long: claim, work and result in one transaction, holding the write lock throughout."),
    ("begin", Kind::Choice(&["deferred", "immediate", "exclusive"]), "deferred",
        "DEFERRED takes the write lock at the first write, and a read-to-write upgrade fails at once."),
    ("journal_mode", Kind::Choice(&["delete", "truncate", "persist", "wal"]), "delete",
        "WAL lets readers read while one writer writes; the rollback modes do not."),
    ("synchronous", Kind::Choice(&["off", "normal", "full"]), "full", "How often SQLite waits for storage."),
    ("busy_timeout_ms", Kind::Number, "0 (0-60,000)",
        "How long SQLite's busy handler waits for a lock before SQLITE_BUSY."),
    ("work_ms", Kind::Range, "2,8 (0-60,000)", "Simulated work per job: a number, or min,max."),
    ("heartbeat_ms", Kind::Number, "0 (0 = none)", "A heartbeat write every this many ms of work."),
    ("claim_index", Kind::Flag, "on", "An index on (queue, status, created_at); without it claims scan."),
    ("result_batch", Kind::Number, "1 (1-1000)", "Results committed per transaction."),
    ("separate_results_db", Kind::Flag, "off", "Write results into a second database."),
    ("reader_hold_ms", Kind::Number, "50", "How long a reader holds its read transaction."),
    ("retry_delay_ms", Kind::Number, "5", "Pause after a failed step before retrying it."),
    ("time_limit_ms", Kind::Number, "60,000", "The run stops when this much time has passed."),
    ("seed", Kind::Number, "1", "Seeds the work-time draws: the same seed, the same run."),
    ("drop_table_while_reading", Kind::Flag, "off",
        "A real mistake that gives SQLITE_LOCKED: dropping a table while a SELECT still runs."),
    ("locking", Kind::Choice(&["normal", "none"]), "normal",
        "None grants every lock, as a broken network filesystem does: double claims, corruption."),
];

/// The scenario being edited: the preset's fields with the user's changes.
pub type Draft = Map<String, Value>;

/// The draft of a preset.
pub fn draft_of(preset: &str) -> Draft {
    presets::find(preset)
        .and_then(|p| p.scenario.as_object().cloned())
        .unwrap_or_default()
}

pub fn check(draft: &Draft) -> Result<Scenario, ScenarioError> {
    Scenario::from_value(&Value::Object(draft.clone()))
}

fn shown(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    }
}

/// What the user typed, as JSON: empty means the default; the parser judges the rest.
fn parsed(kind: &Kind, text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let number = |t: &str| {
        serde_json::from_str::<Value>(t.trim())
            .ok()
            .filter(Value::is_number)
    };
    Some(match kind {
        Kind::Range if text.contains(',') => Value::Array(
            text.split(',')
                .map(|p| number(p).unwrap_or_else(|| Value::from(p.trim())))
                .collect(),
        ),
        Kind::Number | Kind::Range => number(text).unwrap_or_else(|| Value::from(text)),
        _ => Value::from(text),
    })
}

#[derive(Properties, PartialEq)]
pub struct LessonPickerProps {
    pub preset: String,
    pub on_preset: Callback<String>,
}

/// The lesson to start from, and what it should show.
#[function_component(LessonPicker)]
pub fn lesson_picker(props: &LessonPickerProps) -> Html {
    let on_preset = {
        let cb = props.on_preset.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                cb.emit(select.value());
            }
        })
    };
    let lesson = presets::find(&props.preset)
        .map(|p| p.expect)
        .unwrap_or_default();
    html! {
        <div class="lesson-picker">
            <label class="preset">
                { "Start from a lesson: " }
                <select data-testid="preset" onchange={on_preset}>
                    { for presets::all().into_iter().map(|p| html! {
                        <option value={p.name} selected={p.name == props.preset}>{ p.lesson }</option>
                    }) }
                </select>
            </label>
            <p class="expect">{ lesson }</p>
        </div>
    }
}

#[derive(Properties, PartialEq)]
pub struct KnobsProps {
    pub draft: Draft,
    pub error: Option<ScenarioError>,
    pub on_edit: Callback<(String, Option<Value>)>,
}

/// Every field of the scenario, with its default, range and help; a bad value is
/// shown at its field.
#[function_component(Knobs)]
pub fn knobs(props: &KnobsProps) -> Html {
    html! {
        <section class="scenario" aria-labelledby="scenario-title">
            <h2 id="scenario-title">{ "Every knob of the scenario" }</h2>
            <p class="muted">{ "The lesson above fills these in; change any and press Run again." }</p>
            <div class="fields">
                { for FIELDS.iter().map(|(name, kind, default, help)| {
                    let error = props.error.as_ref().filter(|e| e.field == *name);
                    field(name, kind, default, help, props.draft.get(*name), error, &props.on_edit)
                }) }
            </div>
            if let Some(e) = props.error.as_ref().filter(|e| !FIELDS.iter().any(|(n, ..)| *n == e.field)) {
                <p class="error">{ e.to_string() }</p>
            }
        </section>
    }
}

fn field(
    name: &'static str,
    kind: &'static Kind,
    default: &str,
    help: &str,
    value: Option<&Value>,
    error: Option<&ScenarioError>,
    on_edit: &Callback<(String, Option<Value>)>,
) -> Html {
    let id = format!("field-{name}");
    let control = match kind {
        Kind::Flag => {
            let on_edit = on_edit.clone();
            let checked = value.and_then(Value::as_bool).unwrap_or(default == "on");
            let onchange = Callback::from(move |e: Event| {
                if let Some(input) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                {
                    on_edit.emit((name.to_string(), Some(Value::Bool(input.checked()))));
                }
            });
            html! { <input id={id.clone()} type="checkbox" {checked} {onchange} /> }
        }
        Kind::Choice(options) => {
            let on_edit = on_edit.clone();
            let current = value.and_then(Value::as_str).unwrap_or(default).to_string();
            let onchange = Callback::from(move |e: Event| {
                if let Some(select) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
                {
                    on_edit.emit((name.to_string(), Some(Value::from(select.value()))));
                }
            });
            html! {
                <select id={id.clone()} {onchange}>
                    { for options.iter().map(|o| html! { <option value={*o} selected={*o == current}>{ *o }</option> }) }
                </select>
            }
        }
        Kind::Number | Kind::Range | Kind::Text => {
            let on_edit = on_edit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                if let Some(input) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                {
                    on_edit.emit((name.to_string(), parsed(kind, &input.value())));
                }
            });
            let mode = if matches!(kind, Kind::Text) {
                "text"
            } else {
                "numeric"
            };
            html! {
                <input id={id.clone()} type="text" inputmode={mode} value={shown(value)}
                    placeholder={default.to_string()} aria-invalid={error.is_some().to_string()} {oninput} />
            }
        }
    };
    html! {
        <div class={classes!("field", error.map(|_| "invalid"))} data-testid={id.clone()}>
            <label for={id.clone()}>{ name }</label>
            { control }
            <small>{ help }{ " Default: " }{ default }{ "." }</small>
            if let Some(e) = error {
                <small class="error" role="alert">{ format!("expected {}, got {}", e.allowed, e.given) }</small>
            }
        </div>
    }
}
