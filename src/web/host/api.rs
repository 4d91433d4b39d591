//! `window.locklab`, the automation API. Every function checks its arguments
//! before it does anything and always settles: it resolves to JSON, or rejects
//! with a message that names the argument, option or scenario field that is wrong
//! and what it was given. Nothing a caller passes can make a call hang or panic.

use super::compare;
use super::console;
use super::exports;
use super::finished_run;
use super::js_json::{self, Refused};
use super::kept_runs;
use super::run::{budget, run, set_budget, LiveTrace};
use crate::compare::Comparison;
use crate::exports::ExportKind;
use crate::run_trace::Budget;
use crate::scenario::presets;
use crate::scenario::{Scenario, ScenarioError};
use crate::web::error::WebError;
use crate::web::protocol::{SharedBuffers, StorageKind};
use js_sys::{Object, Promise, Reflect, JSON};
use serde_json::Value;
use std::future::Future;
use std::pin::Pin;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

/// Settle a call: its future's answer as JSON, or its error's message (the
/// rejections the API has always made: a string).
pub(crate) fn settle(answer: impl Future<Output = Result<Value, WebError>> + 'static) -> Promise {
    settle_boxed(Box::pin(answer))
}

/// `settle`'s one body: boxed, each call's future makes no copy of the
/// promise's machinery in the page's wasm.
fn settle_boxed(answer: Pin<Box<dyn Future<Output = Result<Value, WebError>>>>) -> Promise {
    future_to_promise(async move {
        match answer.await {
            Ok(value) => JSON::parse(&value.to_string()),
            Err(error) => Err(JsValue::from_str(&error.message)),
        }
    })
}

/// What scenario field `field` allows, in the parser's own words: what it says
/// when given something no field takes.
fn allowed(field: &str) -> String {
    let mut probe = serde_json::Map::new();
    probe.insert(field.to_string(), serde_json::json!([[[]]]));
    match Scenario::from_value(&Value::Object(probe)) {
        Err(ScenarioError { allowed, .. }) => allowed,
        Ok(_) => "a value as docs/scenario.md describes".to_string(),
    }
}

/// A scenario argument of a call, as its errors name it.
pub(crate) struct Argument {
    /// The call, as written in an error: "locklab.run(scenario, options)".
    call: &'static str,
    /// The argument's name in the call: "scenario", "a".
    name: &'static str,
    /// What a field error starts with: "scenario" ("scenario field `workers`"),
    /// "compare: scenario b".
    label: &'static str,
}

const RUN: Argument = Argument {
    call: "locklab.run(scenario, options)",
    name: "scenario",
    label: "scenario",
};
const COMPARE_A: Argument = Argument {
    call: "locklab.compare(a, b, options)",
    name: "a",
    label: "compare: scenario a",
};
/// `locklab.load(scenario)`, the page's own call.
pub(crate) const LOAD: Argument = Argument {
    call: "locklab.load(scenario)",
    name: "scenario",
    label: "scenario",
};
const COMPARE_B: Argument = Argument {
    name: "b",
    label: "compare: scenario b",
    ..COMPARE_A
};

/// The scenario a caller passed, checked: a plain object whose fields are JSON
/// values, then the scenario parser's rules.
pub(crate) fn scenario_of(value: &JsValue, arg: &Argument) -> Result<Scenario, WebError> {
    let Argument { call, name, label } = arg;
    if value.is_undefined() {
        return Err(WebError::refused(format!(
            "{call}: `{name}` is missing: pass an object such as {{workers: 4, jobs: 100}}, \
             or {{}} for every default"
        )));
    }
    let not_an_object = |given: &str| {
        WebError::refused(format!(
            "{call}: `{name}` must be an object such as {{workers: 4}}, got {given}"
        ))
    };
    let json = match js_json::to_json(value) {
        Ok(json) => json.unwrap_or(Value::Null),
        Err(Refused { path, given }) if path.is_empty() => return Err(not_an_object(&given)),
        Err(Refused { path, given }) => {
            let field = path.split(['.', '[']).next().unwrap_or(&path);
            return Err(WebError::refused(format!(
                "{label} field `{path}`: expected {}, got {given}",
                allowed(field)
            )));
        }
    };
    if !json.is_object() {
        return Err(not_an_object(&js_json::describe(value)));
    }
    Scenario::from_value(&json).map_err(|e| {
        WebError::refused(match e.field.as_str() {
            "" => format!("{label}: expected {}, got {}", e.allowed, e.given),
            field => format!(
                "{label} field `{field}`: expected {}, got {}",
                e.allowed, e.given
            ),
        })
    })
}

/// The options of `run` and `compare`: `{storage}`, or nothing.
fn storage_of(options: &JsValue, call: &str) -> Result<Option<StorageKind>, WebError> {
    if options.is_undefined() || options.is_null() {
        return Ok(None);
    }
    let not_an_object = |given: &str| {
        WebError::refused(format!(
            "{call}: `options` must be an object such as {{storage: \"memory\"}}, got {given}"
        ))
    };
    let json = js_json::to_json(options).map_err(|Refused { path, given }| {
        if path.is_empty() {
            not_an_object(&given)
        } else {
            WebError::refused(format!("option `{path}`: got {given}"))
        }
    })?;
    let Some(Value::Object(fields)) = json else {
        return Err(not_an_object(&js_json::describe(options)));
    };
    if let Some(unknown) = fields.keys().find(|k| *k != "storage") {
        let function = call.split('(').next().unwrap_or(call);
        return Err(WebError::refused(format!(
            "option `{unknown}`: unknown; {function} knows one option, `storage`"
        )));
    }
    match fields.get("storage") {
        None => Ok(None),
        Some(Value::String(s)) if s == "opfs" => Ok(Some(StorageKind::Opfs)),
        Some(Value::String(s)) if s == "memory" => Ok(Some(StorageKind::Memory)),
        Some(other) => Err(WebError::refused(format!(
            "option `storage`: expected \"opfs\" or \"memory\", got {other}"
        ))),
    }
}

/// A worker id for `kill` and `crash`: a whole number from 0 to 31.
fn worker_of(call: &str, value: &JsValue) -> Result<u32, WebError> {
    match value.as_f64() {
        Some(n) if n.fract() == 0.0 && (0.0..32.0).contains(&n) => Ok(n as u32),
        _ => Err(WebError::refused(format!(
            "locklab.{call}(worker): `worker` must be a worker's number (0, 1, ...), got {}",
            js_json::describe(value)
        ))),
    }
}

/// `budget(options)`: `options` (`{events, detail_events}`, each a whole number
/// from 1,000 to 1,000,000,000) sets how much of the next runs' traces the page
/// keeps one by one; without options it only tells.
fn budget_of(options: &JsValue) -> Result<Budget, WebError> {
    const CALL: &str = "locklab.budget(options)";
    let mut chosen = budget();
    if options.is_undefined() || options.is_null() {
        return Ok(chosen);
    }
    let json = js_json::to_json(options).map_err(|Refused { path, given }| {
        WebError::refused(format!("{CALL}: option `{path}`: got {given}"))
    })?;
    let Some(Value::Object(fields)) = json else {
        return Err(WebError::refused(format!(
            "{CALL}: `options` must be an object such as {{events: 1000000}}, got {}",
            js_json::describe(options)
        )));
    };
    for (name, value) in &fields {
        let slot = match name.as_str() {
            "events" => &mut chosen.events,
            "detail_events" => &mut chosen.detail_events,
            _ => {
                return Err(WebError::refused(format!(
                    "{CALL}: option `{name}`: unknown; the options are `events` and `detail_events`"
                )))
            }
        };
        *slot = value
            .as_u64()
            .filter(|n| (1_000..=1_000_000_000).contains(n))
            .ok_or_else(|| {
                WebError::refused(format!(
                    "{CALL}: option `{name}`: expected a whole number from 1000 to 1000000000, got {value}"
                ))
            })? as usize;
    }
    Ok(chosen)
}

pub(crate) fn set(api: &Object, name: &str, f: JsValue) {
    let _ = Reflect::set(api, &name.into(), &f);
}

/// Install `window.locklab`:
/// - `run(scenario, {storage})`: the run report (docs/report.md);
/// - `compare(a, b, {storage})`: runs `a`, then `b` (never at once), each on its
///   own database; resolves to `{a, b, differences}`: both reports and the
///   differences in words (`compare::Comparison`);
/// - `presets()`: the built-in presets;
/// - `stop()`: stops this tab's runs in progress and interrupts the console's
///   running SQL; resolves to how many runs;
/// - `kill(worker)`: kills that worker of this tab's run in progress at its next
///   step, as a crash would (it stops where it is, holding its locks, which the
///   page then releases); resolves to whether a run was there;
/// - `crash(worker)`: makes that worker trap at its next step, as a bug would:
///   the run fails, and says so;
/// - `progress()`: this tab's runs in progress, `[{run, events, jobs_done}]`;
/// - `sql(text)`: runs SQL on the console's own connection to this tab's run in
///   progress (taking part in it) or last finished run; resolves to `{columns,
///   rows, more_rows, changes, in_transaction}` or rejects with `{code, name,
///   message, explanation}` (`code` null when there is no database to use);
/// - `reopen()`: counts the last finished run's database with a fresh worker;
/// - `reset()`: removes the finished runs' databases; says what it removed;
/// - `budget({events, detail_events})`: how much of the next runs' traces the
///   page keeps one by one (`run_trace::Budget`); resolves to the budget;
/// - `export(kind)`: the last finished run as a file (`ExportKind`), a Blob.
pub fn install() {
    let api = Object::new();
    let run_fn = Closure::<dyn FnMut(JsValue, JsValue) -> Promise>::new(
        |scenario: JsValue, options: JsValue| {
            let checked =
                scenario_of(&scenario, &RUN).and_then(|s| Ok((s, storage_of(&options, RUN.call)?)));
            settle(async move {
                let (scenario, storage) = checked?;
                let report = run(&scenario, storage, LiveTrace::default()).await?.report;
                serde_json::to_value(&report)
                    .map_err(|e| WebError::browser(format!("cannot write the answer as JSON: {e}")))
            })
        },
    );
    let compare_fn = Closure::<dyn FnMut(JsValue, JsValue, JsValue) -> Promise>::new(
        |a: JsValue, b: JsValue, options: JsValue| {
            let checked = scenario_of(&a, &COMPARE_A).and_then(|a| {
                let b = scenario_of(&b, &COMPARE_B)?;
                Ok((a, b, storage_of(&options, COMPARE_A.call)?))
            });
            settle(async move {
                let (a, b, storage) = checked?;
                let live = [LiveTrace::default(), LiveTrace::default()];
                let runs = compare::compare(&a, &b, storage, live, &|_| {}).await?;
                let (a, b) = (runs.a.report, runs.b.report);
                let differences = Comparison::of(&a, &b).sentences();
                Ok(serde_json::json!({"a": a, "b": b, "differences": differences}))
            })
        },
    );
    let presets_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        settle(async {
            serde_json::to_value(presets::all())
                .map_err(|e| WebError::browser(format!("cannot write the answer as JSON: {e}")))
        })
    });
    let lessons_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        settle(async {
            Ok(Value::Array(
                crate::lessons::all().iter().map(|l| l.summary()).collect(),
            ))
        })
    });
    let stop_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        let stopped = kept_runs::stop();
        console::interrupt(None);
        settle(async move { Ok(Value::from(stopped)) })
    });
    let ask = |word: usize, call: &'static str| {
        Closure::<dyn FnMut(JsValue) -> Promise>::new(move |worker: JsValue| {
            let asked = worker_of(call, &worker).map(|w| kept_runs::ask_worker(word, w, None));
            settle(async move { Ok(Value::from(asked?)) })
        })
    };
    let kill_fn = ask(SharedBuffers::KILL, "kill");
    let crash_fn = ask(SharedBuffers::TRAP, "crash");
    let sql_fn = Closure::<dyn FnMut(JsValue) -> Promise>::new(|text: JsValue| {
        let text = text.as_string().ok_or_else(|| {
            format!(
                "locklab.sql(text): `text` must be SQL as a string, such as \"SELECT 1\", got {}",
                js_json::describe(&text)
            )
        });
        future_to_promise(async move {
            let refused = |value: Value| JSON::parse(&value.to_string()).unwrap_or(JsValue::NULL);
            let text = text.map_err(|m| {
                refused(serde_json::json!({"code": null, "name": null, "message": m}))
            })?;
            match console::sql(text).await {
                Ok(answer) => JSON::parse(&serde_json::to_string(&answer).unwrap_or_default()),
                Err(console::Refused::Sql(e)) => {
                    Err(refused(serde_json::to_value(&e).unwrap_or_default()))
                }
                Err(console::Refused::Console(e)) => Err(refused(
                    serde_json::json!({"code": null, "name": null, "message": e.message}),
                )),
            }
        })
    });
    let progress_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        let progress = kept_runs::progress();
        settle(async move { Ok(progress) })
    });
    let reopen_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        settle(async {
            let r = kept_runs::reopen().await?;
            Ok(
                serde_json::json!({"run": r.run, "jobs": r.jobs, "done": r.done,
                "integrity_check": r.integrity_check}),
            )
        })
    });
    let budget_fn = Closure::<dyn FnMut(JsValue) -> Promise>::new(|options: JsValue| {
        let chosen = budget_of(&options);
        settle(async move {
            let chosen = chosen?;
            set_budget(chosen);
            Ok(serde_json::json!({"events": chosen.events, "detail_events": chosen.detail_events}))
        })
    });
    let reset_fn = Closure::<dyn FnMut() -> Promise>::new(|| {
        settle(async { kept_runs::reset().await.map(Value::from) })
    });
    set(&api, "run", run_fn.into_js_value());
    set(&api, "compare", compare_fn.into_js_value());
    set(&api, "presets", presets_fn.into_js_value());
    set(&api, "lessons", lessons_fn.into_js_value());
    set(&api, "stop", stop_fn.into_js_value());
    set(&api, "kill", kill_fn.into_js_value());
    set(&api, "crash", crash_fn.into_js_value());
    set(&api, "progress", progress_fn.into_js_value());
    set(&api, "sql", sql_fn.into_js_value());
    set(&api, "reopen", reopen_fn.into_js_value());
    set(&api, "reset", reset_fn.into_js_value());
    set(&api, "budget", budget_fn.into_js_value());
    set(&api, "export", export_fn().into_js_value());
    let _ = Reflect::set(&js_sys::global(), &"locklab".into(), &api);
}

/// `export(kind)`: this tab's last finished run (from the page or the API) as the
/// file `kind` names ("timeline.png", "timeline.svg", "report.json",
/// "metrics.csv", "trace.json", "database.db"), resolving to a Blob; any other
/// kind is refused with the kinds allowed.
fn export_fn() -> Closure<dyn FnMut(JsValue) -> Promise> {
    Closure::new(|kind: JsValue| {
        let kind = match kind.as_string() {
            Some(name) => ExportKind::parse(&name),
            None => ExportKind::parse("").map_err(|allowed| {
                format!(
                    "`kind` must be a string, got {}; {}",
                    js_json::describe(&kind),
                    allowed
                        .split_once(": ")
                        .map_or(allowed.as_str(), |(_, a)| a)
                )
            }),
        };
        future_to_promise(async move {
            let kind = kind.map_err(|m| JsValue::from_str(&format!("locklab.export: {m}")))?;
            let run = finished_run::last().ok_or_else(|| {
                JsValue::from_str(
                    "locklab.export: no finished run to export in this tab: run one first \
                     (the Run button, or locklab.run)",
                )
            })?;
            match exports::export(kind, &run).await {
                Ok(blob) => Ok(blob.into()),
                Err(m) => Err(JsValue::from_str(&format!(
                    "locklab.export({:?}): {m}",
                    kind.name()
                ))),
            }
        })
    })
}
