//! The page (yew): what locklab is, what this browser can do, the scenario panel
//! with Run and Stop, the finished run (metrics, errors explained, a timeline), the
//! lessons, and a pipeline check of one worker alone.

use super::console_view::ConsoleView;
use super::edited_copy::EditedCopy;
use super::live_view::{LiveRun, LiveView};
use super::run_view::RunView;
use super::scenario_panel::{check, draft_of, Draft, Knobs, LessonPicker};
use crate::presets;
use crate::report::RunReport;
use crate::web::host::protocol::StorageKind;
use crate::web::host::run::{self as host, BrowserRun, LiveTrace};
use js_sys::Reflect;
use serde_json::json;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

pub fn start() {
    crate::web::host::api::install();
    yew::Renderer::<App>::new().render();
}

#[derive(Clone, PartialEq)]
enum Check {
    Idle,
    Running,
    Done(Rc<RunReport>),
    Failed(String),
}

/// The scenario of the pipeline check: one writer, short transactions.
fn check_scenario() -> serde_json::Value {
    json!({"name": "pipeline-check", "workers": 1, "jobs": 40, "transaction": "short",
        "begin": "immediate", "journal_mode": "delete", "busy_timeout_ms": 1000,
        "work_ms": [0, 2], "heartbeat_ms": 1})
}

fn global_flag(name: &str) -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

fn has_opfs() -> bool {
    crate::web::host::run_files::default_storage() == StorageKind::Opfs
}

/// Where the page's run is.
#[derive(Clone, PartialEq)]
enum RunState {
    Idle,
    Running,
    Done(Rc<BrowserRun>),
    Failed(String),
}

#[function_component(App)]
fn app() -> Html {
    let check_state = use_state(|| Check::Idle);
    let preset = use_state(|| presets::DEFAULT_PRESET.to_string());
    let draft = use_state(|| draft_of(presets::DEFAULT_PRESET));
    let run_state = use_state(|| RunState::Idle);
    // The run in progress, as the workers post it.
    let live = use_memo((), |_| LiveRun::default());
    // What the last Reset database said, until the next run.
    let reset_said = use_state(|| None::<String>);
    let checked = check(&draft);
    let on_check = {
        let check_state = check_state.clone();
        Callback::from(move |_| {
            let check_state = check_state.clone();
            check_state.set(Check::Running);
            wasm_bindgen_futures::spawn_local(async move {
                match host::run_alone(check_scenario()).await {
                    Ok(report) => check_state.set(Check::Done(Rc::new(report))),
                    Err(message) => check_state.set(Check::Failed(message)),
                }
            });
        })
    };
    let on_preset = {
        let (preset, draft) = (preset.clone(), draft.clone());
        Callback::from(move |name: String| {
            draft.set(draft_of(&name));
            preset.set(name);
        })
    };
    let on_edit = {
        let draft = draft.clone();
        Callback::from(move |(field, value): (String, Option<serde_json::Value>)| {
            let mut next: Draft = (*draft).clone();
            match value {
                Some(v) => next.insert(field, v),
                None => next.remove(&field),
            };
            draft.set(next);
        })
    };
    let on_run = {
        let (run_state, scenario) = (run_state.clone(), checked.clone().ok());
        let (live, reset_said) = (live.clone(), reset_said.clone());
        Callback::from(move |_| {
            let Some(scenario) = scenario.clone() else {
                return;
            };
            let run_state = run_state.clone();
            run_state.set(RunState::Running);
            reset_said.set(None);
            live.begin(scenario.jobs as u64, scenario.workers + scenario.readers);
            let live = LiveTrace {
                watcher: Some(live.clone()),
                ..LiveTrace::default()
            };
            wasm_bindgen_futures::spawn_local(async move {
                match host::run(&scenario, None, live).await {
                    Ok(run) => run_state.set(RunState::Done(Rc::new(run))),
                    Err(message) => run_state.set(RunState::Failed(message)),
                }
            });
        })
    };
    let on_reset = {
        let reset_said = reset_said.clone();
        Callback::from(move |_| {
            let reset_said = reset_said.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let said = crate::web::host::kept_runs::reset()
                    .await
                    .unwrap_or_else(|e| format!("Reset failed: {e}"));
                reset_said.set(Some(said));
            });
        })
    };
    let running = *run_state == RunState::Running;
    html! {
        <main>
            <header>
                <h1>{ "locklab" }</h1>
                <p class="lede">
                    { "\"database is locked\" is what anyone who runs SQLite with more than one worker meets \
                       sooner or later. locklab runs real SQLite in several Web Workers, each a job-queue \
                       worker with its own connection to one database, and shows who holds which lock, \
                       who waits, and who fails." }
                </p>
            </header>
            <Banners />
            <LessonPicker preset={(*preset).clone()} {on_preset} />
            <div class="controls">
                <button data-testid="run" onclick={on_run}
                    disabled={checked.is_err() || running || !global_flag("crossOriginIsolated")}>
                    { if running { "Running..." } else { "Run" } }
                </button>
                <button data-testid="stop" onclick={Callback::from(|_| { crate::web::host::kept_runs::stop(); })} disabled={!running}>
                    { "Stop" }
                </button>
                <button data-testid="reset" onclick={on_reset} disabled={running}
                    title="Remove the last run's database files, from OPFS or from memory">
                    { "Reset database" }
                </button>
                if let Err(e) = &checked {
                    <span class="error" data-testid="scenario-error">{ format!("Fix `{}` to run.", e.field) }</span>
                }
            </div>
            if let Some(said) = &*reset_said {
                <p class="muted" data-testid="reset-said" role="status">{ said }</p>
            }
            { match &*run_state {
                RunState::Idle => html! { <p class="muted">{ "Press Run: the workers start, contend, and report here." }</p> },
                RunState::Running => html! { <LiveView run={live.clone()} /> },
                RunState::Failed(message) => html! { <p class="error" data-testid="run-failed">{ message }</p> },
                RunState::Done(run) => html! { <RunView run={run.clone()} /> },
            } }
            <ConsoleView />
            <Knobs draft={(*draft).clone()} error={checked.clone().err()} {on_edit} />
            <EditedCopy draft={(*draft).clone()} />
            <Lessons />
            <Capabilities />
            <section aria-labelledby="check-title">
                <h2 id="check-title">{ "Pipeline check" }</h2>
                <p>{ "Runs the job-queue engine with one worker inside a Web Worker, on SQLite compiled to \
                      WebAssembly: claim a job, heartbeat, write the result, 40 times." }</p>
                <button data-testid="run-check" onclick={on_check} disabled={*check_state == Check::Running}>
                    { "Run one worker in a Web Worker" }
                </button>
                <CheckResult check={(*check_state).clone()} />
            </section>
        </main>
    }
}

/// What this browser lacks, and what still works without it, before anything else.
#[function_component(Banners)]
fn banners() -> Html {
    let isolated = global_flag("crossOriginIsolated");
    let opfs = has_opfs();
    html! {
        <>
            if !isolated {
                <div class="banner" role="alert" data-testid="not-isolated">
                    <strong>{ "This page is not cross-origin isolated, so its workers cannot share memory." }</strong>
                    { " Runs with several workers need a shared lock table and a busy handler that \
                       really sleeps (SharedArrayBuffer and Atomics.wait), so Run is off. Serve the page \
                       with the headers Cross-Origin-Opener-Policy: same-origin and \
                       Cross-Origin-Embedder-Policy: require-corp (scripts/serve.sh does). What still \
                       works: the lessons below, the pipeline check of one worker, and the native \
                       command, locklab run --preset NAME." }
                </div>
            }
            if isolated && !opfs {
                <div class="banner notice" role="status" data-testid="no-opfs">
                    <strong>{ "This browser has no Origin Private File System (OPFS)." }</strong>
                    { " Runs keep the shared database in SharedArrayBuffers instead. Everything on \
                       this page works the same, the locks and their timelines included; what is \
                       missing is a real file: the database is gone when the page closes, and \
                       nothing is written to disk. Chromium 121 or later shares OPFS files between \
                       workers." }
                </div>
            }
        </>
    }
}

#[function_component(Capabilities)]
fn capabilities() -> Html {
    let isolated = global_flag("crossOriginIsolated");
    let opfs = has_opfs();
    let row = |ok: bool, what: &str, why: &str| {
        html! {
            <li class={if ok { "ok" } else { "missing" }}>
                <strong>{ if ok { "yes: " } else { "missing: " } }{ what }</strong>{ " - " }{ why }
            </li>
        }
    };
    html! {
        <section aria-labelledby="caps-title" data-testid="capabilities">
            <h2 id="caps-title">{ "This browser" }</h2>
            <ul>
                { row(isolated, "cross-origin isolation (SharedArrayBuffer)",
                    "workers share their lock table and sleep truly while SQLite's busy handler waits") }
                { row(opfs, "Origin Private File System",
                    "the shared database can live in a real file that survives a reload") }
            </ul>
            <p data-testid="storage-choice">
                { if opfs {
                    "Runs keep the database in OPFS, shared by every worker through \"readwrite-unsafe\" \
                     handles (Chromium 121+); where those are refused, in SharedArrayBuffers instead."
                } else {
                    "Runs keep the database in SharedArrayBuffers: shared by every worker, gone with the page."
                } }
            </p>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CheckResultProps {
    check: Check,
}

#[function_component(CheckResult)]
fn check_result(props: &CheckResultProps) -> Html {
    match &props.check {
        Check::Idle => html! { <p class="muted">{ "Not run yet." }</p> },
        Check::Running => html! { <p data-testid="check-running">{ "Running..." }</p> },
        Check::Failed(message) => {
            html! { <p class="error" data-testid="check-failed">{ message }</p> }
        }
        Check::Done(r) => html! {
            <dl class="report" data-testid="check-report" data-done={r.jobs.done.to_string()}
                data-seeded={r.jobs.seeded.to_string()} data-integrity={r.integrity_check.clone()}
                data-sqlite={r.sqlite_version.clone()}>
                <dt>{ "SQLite" }</dt><dd>{ format!("{} via {}", r.sqlite_version, r.vfs) }</dd>
                <dt>{ "jobs" }</dt><dd>{ format!("{} of {} done, {} double-claimed, {} lost",
                    r.jobs.done, r.jobs.seeded, r.jobs.double_claimed, r.jobs.lost) }</dd>
                <dt>{ "transactions" }</dt><dd>{ format!("{} committed, {} rolled back",
                    r.transactions.committed, r.transactions.rolled_back) }</dd>
                <dt>{ "throughput" }</dt><dd>{ format!("{:.0} jobs/s in {:.0} ms",
                    r.throughput_jobs_per_s, r.elapsed_ms) }</dd>
                <dt>{ "integrity_check" }</dt><dd>{ &r.integrity_check }</dd>
            </dl>
        },
    }
}

#[function_component(Lessons)]
fn lessons() -> Html {
    html! {
        <section aria-labelledby="lessons-title">
            <h2 id="lessons-title">{ "The lessons" }</h2>
            <p>{ "Each is a built-in scenario: pick it above, or run it natively with locklab run --preset NAME." }</p>
            <ul class="lessons">
                { for presets::all().into_iter().map(|p| html! {
                    <li><strong>{ p.lesson }</strong>{ " (" }<code>{ p.name }</code>{ "): " }{ p.expect }</li>
                }) }
            </ul>
        </section>
    }
}
