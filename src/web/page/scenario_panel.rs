//! The scenario panel: the lesson to start from (`LessonPicker`, at the top of the
//! page) and every field of the scenario with its default, its range and what it
//! changes (`Knobs`, below the run). The fields, their defaults, ranges and help
//! come from the core's field table (`scenario::fields`). Edits are checked by the
//! same parser as the CLI's; an error shows at its field.

use crate::lessons::{Base, Lesson};
use crate::scenario::presets;
use crate::scenario::workload::gallery;
use crate::scenario::{Edit, Field, Scenario, ScenarioError, FIELDS};
use serde_json::{Map, Value};
use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// The scenario being edited: the preset's fields with the user's changes.
pub type Draft = Map<String, Value>;

/// What the picker names a workload of the gallery by (presets by their name).
const WORKLOAD: &str = "workload:";

/// What the picker shows for `lesson`: the preset or gallery workload its
/// (first) run starts from, or nothing for a scenario of its own.
pub fn picked_for(lesson: &Lesson) -> String {
    match lesson.runs.sides()[0].base {
        Base::Preset(name) => name.to_string(),
        Base::Workload(name) => format!("{WORKLOAD}{name}"),
        Base::Document(_) => String::new(),
    }
}

/// The draft of a preset, or of a workload of the gallery (`workload:NAME`).
pub fn draft_of(preset: &str) -> Draft {
    let doc = match preset.strip_prefix(WORKLOAD) {
        Some(name) => gallery::find(name).map(|(_, doc)| doc),
        None => presets::find(preset).map(|p| p.scenario),
    };
    doc.and_then(|d| d.as_object().cloned()).unwrap_or_default()
}

pub fn check(draft: &Draft) -> Result<Scenario, ScenarioError> {
    Scenario::from_value(&Value::Object(draft.clone()))
}

fn shown(edit: &Edit, value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if matches!(edit, Edit::Range { .. }) => items
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(","),
        Some(other) => other.to_string(),
    }
}

/// What the user typed, as JSON: empty means the default; the parser judges the rest.
fn parsed(edit: &Edit, text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let number = |t: &str| {
        serde_json::from_str::<Value>(t.trim())
            .ok()
            .filter(Value::is_number)
    };
    Some(match edit {
        Edit::Range { .. } if text.contains(',') => Value::Array(
            text.split(',')
                .map(|p| number(p).unwrap_or_else(|| Value::from(p.trim())))
                .collect(),
        ),
        Edit::Number { .. } | Edit::Range { .. } | Edit::Seed { .. } => {
            number(text).unwrap_or_else(|| Value::from(text))
        }
        Edit::List { .. } => serde_json::from_str(text).unwrap_or_else(|_| Value::from(text)),
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
    let lesson = match props.preset.strip_prefix(WORKLOAD) {
        Some(name) => format!(
            "A workload of the gallery (static/workloads/{name}.json, docs/workload.md): its \
             roles are its own SQL; change its fields below, or load your own with locklab.load."
        ),
        None => presets::find(&props.preset)
            .map(|p| p.expect.to_string())
            .unwrap_or_default(),
    };
    html! {
        <div class="lesson-picker">
            <label class="preset">
                { "Start the scenario below from a preset or a workload: " }
                <select data-testid="preset" onchange={on_preset}>
                    if props.preset.is_empty() {
                        <option value="" selected=true disabled=true>{ "The lesson's own scenario" }</option>
                    }
                    <optgroup label="The job queue">
                        { for presets::all().into_iter().map(|p| html! {
                            <option value={p.name} selected={p.name == props.preset}>{ p.lesson }</option>
                        }) }
                    </optgroup>
                    <optgroup label="Workloads of the gallery">
                        { for gallery::names().map(|name| {
                            let value = format!("{WORKLOAD}{name}");
                            let selected = value == props.preset;
                            html! { <option {value} {selected}>{ format!("Workload: {name}") }</option> }
                        }) }
                    </optgroup>
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
    /// Starts the ids of the panel's heading and fields, for a second panel on
    /// the page (B's of a comparison: "b-").
    #[prop_or_default]
    pub id_prefix: AttrValue,
    /// The heading; none when empty (the panel's container has one).
    #[prop_or(AttrValue::Static("Every knob of the scenario"))]
    pub title: AttrValue,
    #[prop_or(AttrValue::Static(
        "The lesson above fills these in; change any and press Run again."
    ))]
    pub note: AttrValue,
}

/// Every field of the scenario, with its default, range and help; a bad value is
/// shown at its field.
#[function_component(Knobs)]
pub fn knobs(props: &KnobsProps) -> Html {
    let prefix = props.id_prefix.as_str();
    let title_id = format!("{prefix}scenario-title");
    html! {
        <section class="scenario" aria-labelledby={title_id.clone()}>
            if !props.title.is_empty() {
                <h2 id={title_id}>{ &props.title }</h2>
            }
            <p class="muted">{ &props.note }</p>
            <div class="fields">
                { for FIELDS.iter().map(|f| {
                    let error = props.error.as_ref().filter(|e| is_at(e, f));
                    field(f, props.draft.get(f.name), error, &props.on_edit, prefix)
                }) }
            </div>
            if let Some(e) = props.error.as_ref().filter(|e| !FIELDS.iter().any(|f| is_at(e, f))) {
                <p class="error">{ e.to_string() }</p>
            }
        </section>
    }
}

/// Whether `error` is about field `f` (or a part of it, as `faults[0].kill`).
fn is_at(error: &ScenarioError, f: &Field) -> bool {
    error.field == f.name || error.field.starts_with(&format!("{}[", f.name))
}

/// For an error about a part of the field (`faults[0].kill`), that part.
fn at_part(error: &ScenarioError, name: &str) -> String {
    if error.field == name {
        String::new()
    } else {
        format!("{}: ", error.field)
    }
}

/// The placeholder of a typed field: its default, with its range for numbers.
fn placeholder(f: &Field) -> String {
    match (&f.edit, f.range_shown()) {
        (Edit::Number { .. } | Edit::Range { .. }, Some(range)) => {
            format!("{} ({range})", f.default_shown())
        }
        _ => f.default_shown(),
    }
}

fn field(
    f: &'static Field,
    value: Option<&Value>,
    error: Option<&ScenarioError>,
    on_edit: &Callback<(String, Option<Value>)>,
    prefix: &str,
) -> Html {
    let name = f.name;
    let id = format!("{prefix}field-{name}");
    let default = placeholder(f);
    let control = match &f.edit {
        Edit::Flag { default } => {
            let on_edit = on_edit.clone();
            let checked = value.and_then(Value::as_bool).unwrap_or(*default);
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
        Edit::Choice { words, default } => {
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
                    { for words.iter().map(|o| html! { <option value={*o} selected={*o == current}>{ *o }</option> }) }
                </select>
            }
        }
        edit @ (Edit::Number { .. }
        | Edit::Range { .. }
        | Edit::Seed { .. }
        | Edit::Text { .. }
        | Edit::List { .. }) => {
            let on_edit = on_edit.clone();
            let oninput = Callback::from(move |e: InputEvent| {
                if let Some(input) = e
                    .target()
                    .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
                {
                    on_edit.emit((name.to_string(), parsed(edit, &input.value())));
                }
            });
            let mode = if matches!(edit, Edit::Text { .. } | Edit::List { .. }) {
                "text"
            } else {
                "numeric"
            };
            html! {
                <input id={id.clone()} type="text" inputmode={mode} value={shown(edit, value)}
                    placeholder={default.clone()} aria-invalid={error.is_some().to_string()} {oninput} />
            }
        }
    };
    let help = f.help;
    html! {
        <div class={classes!("field", error.map(|_| "invalid"))} data-testid={id.clone()}>
            <label for={id.clone()}>{ name }</label>
            { control }
            <small>{ help }{ " Default: " }{ default }{ "." }</small>
            if let Some(e) = error {
                <small class="error" role="alert">{ at_part(e, name) }{ format!("expected {}, got {}", e.allowed, e.given) }</small>
            }
        </div>
    }
}
