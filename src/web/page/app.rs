//! The page (yew): the course (the lesson the address names, its prediction, Run
//! and Stop, and once its run or runs are over what they showed) beside the run
//! (its key numbers, timeline, metrics, errors explained); in drawers the
//! scenario's knobs, the SQL console, and what locklab is and what this browser
//! can do (with the developers' pipeline check at `#pipeline`). The shell
//! (`shell`) says how the page is shown: presenter, embed, dark.

use super::address;
use super::compare_view::Compared;
use super::console_view::ConsoleView;
use super::course::{self, Course, Progress, VerdictView};
use super::edited_copy::EditedCopy;
use super::keys::use_page_keys;
use super::live_view::{LiveRun, LiveView};
use super::page_api::{self, PageHooks};
use super::pipeline_check::PipelineCheck;
use super::run_view::RunView;
use super::scenario_panel::{check, draft_of, Draft, Knobs, LessonPicker};
use super::shell::{use_shell, with_flag, Drawer, DrawerKind, HelpDialog, ShellProvider, TopBar};
use super::window_cell::WindowCell;
use crate::lessons::Evidence;
use crate::scenario::presets;
use crate::web::host::compare::ComparedRuns;
use crate::web::host::run::{self as host, BrowserRun, LiveTrace};
use crate::web::protocol::StorageKind;
use js_sys::Reflect;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

pub fn start() {
    crate::web::host::api::install();
    page_api::install();
    yew::Renderer::<Page>::new().render();
    // After the first render, before anyone can have pressed Run: what the
    // first run would otherwise pay for.
    gloo_timers::callback::Timeout::new(AFTER_FIRST_RENDER_MS, || {
        super::canvas_fonts::warm_up();
        crate::web::host::worker_module::start_compiling();
    })
    .forget();
}

/// How long after the page starts the first run's costs are paid ahead, in ms.
const AFTER_FIRST_RENDER_MS: u32 = 300;

fn global_flag(name: &str) -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

fn has_opfs() -> bool {
    crate::web::run_files::default_storage() == StorageKind::Opfs
}

/// Where the page's run is: a lesson's run, or both runs of a comparison.
#[derive(Clone, PartialEq)]
enum RunState {
    Idle,
    /// Running the `n`th of the runs asked for.
    Running(usize, usize),
    Done(Vec<Rc<BrowserRun>>),
    Failed(String),
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

/// The page in its shell: the modes, the top bar, the list of keys.
#[function_component(Page)]
fn page() -> Html {
    html! {
        <ShellProvider>
            <TopBar />
            <App />
            <HelpDialog />
        </ShellProvider>
    }
}

#[function_component(App)]
fn app() -> Html {
    let pipeline = use_shell().is_some_and(|s| s.pipeline);
    let lesson = use_state(address::lesson_from_address);
    let index = lesson.0;
    let progress = use_state(Progress::load);
    let preset = use_state(|| presets::DEFAULT_PRESET.to_string());
    let opened = use_memo((), |_| {
        address::draft_from_address(address::lesson_from_address().0)
    });
    let draft = use_state(|| opened.0.clone());
    // The edited copy compared with the draft (B), as the address holds it.
    let opened_copy = use_memo((), |_| address::copy_in_address(&opened.0));
    let copy = use_state(|| opened_copy.as_ref().clone().and_then(Result::ok));
    let on_copy = {
        let copy = copy.clone();
        Callback::from(move |c: Option<Draft>| copy.set(c))
    };
    let link_problem = use_state(|| {
        opened.1.clone().or_else(|| match opened_copy.as_ref() {
            Some(Err(problem)) => Some(format!(
                "This link's edited copy could not be opened: {problem}."
            )),
            _ => None,
        })
    });
    let run_at_once = use_state(address::run_in_address);
    // The timeline's window, kept in the address (`t=`): a link restores it.
    // Zooming and panning move it without rendering the page again.
    let window = use_memo((), |_| WindowCell::new(address::window_in_address()));
    let shared = use_state(|| None::<String>);
    let run_state = use_state(|| RunState::Idle);
    // Which run of a comparison to show: A, B, or both (key V).
    let only = use_state(|| None::<usize>);
    // The run in progress, as the workers post it.
    let live = use_memo((), |_| LiveRun::default());
    // What the last Reset database said, until the next run.
    let reset_said = use_state(|| None::<String>);
    let checked = check(&draft);
    // The address keeps the page's state: the lesson and the draft's changes; and
    // `run` until the run it asked for is over (the service worker's first
    // reload would otherwise lose it); the timeline's window once it has stayed
    // put for a moment (`address::keep_window`).
    use_effect_with((index, (*draft).clone(), (*copy).clone(), *run_at_once), {
        let window = window.clone();
        move |(index, draft, copy, run)| {
            let (index, draft, copy, run) = (*index, draft.clone(), copy.clone(), *run);
            let keep = move |window| {
                let hash = address::hash_for(index, &draft, copy.as_ref(), window);
                address::keep(&if run { format!("{hash}&run") } else { hash })
            };
            keep(window.get());
            address::keep_window(&window, keep)
        }
    });
    page_api::register(PageHooks {
        load: Box::new({
            let draft = draft.clone();
            move |scenario| draft.set(scenario.to_value().as_object().cloned().unwrap_or_default())
        }),
        current: Box::new({
            let draft = (*draft).clone();
            move || {
                check(&draft)
                    .map(|s| s.to_value())
                    .map_err(|e| e.to_string())
            }
        }),
        share: Box::new({
            let (draft, copy, window) = ((*draft).clone(), (*copy).clone(), window.clone());
            move || {
                address::link_with(&address::hash_for(
                    index,
                    &draft,
                    copy.as_ref(),
                    window.get(),
                ))
            }
        }),
    });
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
    let on_predict = {
        let progress = progress.clone();
        let id = course::lesson_at(index).id;
        Callback::from(move |choice: usize| {
            let next = progress.with(id, |s| s.predicted = Some(choice));
            next.save();
            progress.set(next);
        })
    };
    // Run the lesson's scenario(s) from `draft`, one after the other.
    let start = {
        let (run_state, live, reset_said, progress) = (
            run_state.clone(),
            live.clone(),
            reset_said.clone(),
            progress.clone(),
        );
        Rc::new(move |index: usize, draft: Draft| {
            let scenarios = match course::scenarios_to_run(index, &draft) {
                Ok(s) => s,
                Err(message) => return run_state.set(RunState::Failed(message)),
            };
            let (run_state, live, progress) = (run_state.clone(), live.clone(), progress.clone());
            reset_said.set(None);
            wasm_bindgen_futures::spawn_local(async move {
                let mut runs = Vec::new();
                for (n, scenario) in scenarios.iter().enumerate() {
                    run_state.set(RunState::Running(n, scenarios.len()));
                    live.begin(scenario.jobs as u64, scenario.workers + scenario.readers);
                    let trace = LiveTrace {
                        watcher: Some(live.clone()),
                        ..LiveTrace::default()
                    };
                    match host::run(scenario, None, trace).await {
                        Ok(run) => runs.push(Rc::new(run)),
                        Err(message) => return run_state.set(RunState::Failed(message)),
                    }
                }
                let lesson = course::lesson_at(index);
                let evidence = Evidence {
                    a: &runs[0].report,
                    b: runs.get(1).map(|r| &r.report),
                };
                let (passed, answer) = (
                    lesson.check(&evidence).finding.appeared,
                    lesson.answer(&evidence),
                );
                let next = progress.with(lesson.id, |s| {
                    s.agreed = s.predicted.is_some() && s.predicted == answer;
                    s.passed |= passed;
                });
                next.save();
                progress.set(next);
                run_state.set(RunState::Done(runs));
            });
        })
    };
    // A link followed, Back, or a typed address: the page takes the state it holds.
    address::use_address_changes({
        let (lesson, draft, run_state, link_problem) = (
            lesson.clone(),
            draft.clone(),
            run_state.clone(),
            link_problem.clone(),
        );
        let (start, run_at_once, window) = (start.clone(), run_at_once.clone(), window.clone());
        let copy = copy.clone();
        Callback::from(move |_| {
            let (i, unknown) = address::lesson_from_address();
            let (next, problem) = address::draft_from_address(i);
            let next_draft = next.clone();
            if i != lesson.0 || unknown.is_some() || next != *draft {
                draft.set(next);
                run_state.set(RunState::Idle);
            }
            link_problem.set(problem);
            lesson.set((i, unknown));
            window.set(address::window_in_address());
            copy.set(address::copy_in_address(&next_draft).and_then(Result::ok));
            if address::run_in_address() && global_flag("crossOriginIsolated") {
                run_at_once.set(true);
                start(i, next_draft);
            }
        })
    });
    // A link with `run` runs once the page is up, where it can.
    {
        let (start, draft, run_at_once) = (start.clone(), (*draft).clone(), run_at_once.clone());
        use_effect_with((), move |_| {
            // Not yet isolated, the page waits for its service worker, which
            // reloads it isolated: `run` stays in the address for that load.
            if !*run_at_once || !global_flag("crossOriginIsolated") {
                return;
            }
            if check(&draft).is_ok() {
                start(index, draft);
            } else {
                run_at_once.set(false);
            }
        });
    }
    {
        let run_at_once = run_at_once.clone();
        let over = matches!(*run_state, RunState::Done(_) | RunState::Failed(_));
        use_effect_with(over, move |over| {
            if *over {
                run_at_once.set(false);
            }
        });
    }
    let on_share = {
        let (shared, draft, copy, window) = (
            shared.clone(),
            (*draft).clone(),
            (*copy).clone(),
            window.clone(),
        );
        Callback::from(move |_| {
            let link = address::link_with(&address::hash_for(
                index,
                &draft,
                copy.as_ref(),
                window.get(),
            ));
            copy_to_clipboard(&link);
            shared.set(Some(link));
        })
    };
    let on_run = {
        let (start, draft, window) = (start.clone(), draft.clone(), window.clone());
        Callback::from(move |_| {
            window.set(None);
            start(index, (*draft).clone())
        })
    };
    let on_suggest = {
        let (start, draft, window) = (start.clone(), draft.clone(), window.clone());
        Callback::from(move |_| {
            window.set(None);
            let suggested =
                course::lesson_at(index).suggested(&serde_json::Value::Object((*draft).clone()));
            let next = suggested.as_object().cloned().unwrap_or_default();
            draft.set(next.clone());
            start(index, next);
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
    let running = matches!(*run_state, RunState::Running(..));
    // The course from the keyboard: 1 to 4 predict, R runs, S stops, T tries the
    // suggested change, V shows a comparison's A, B or both, Page Down and Page Up
    // (a presenter's clicker) or ] and [ go to the next and the previous lesson.
    {
        let (on_predict, start, on_suggest, window, only) = (
            on_predict.clone(),
            start.clone(),
            on_suggest.clone(),
            window.clone(),
            only.clone(),
        );
        let (draft, can_run, done) = (
            (*draft).clone(),
            checked.is_ok() && !running && global_flag("crossOriginIsolated"),
            matches!(*run_state, RunState::Done(_)),
        );
        use_page_keys(move |e| {
            let key = e.key();
            match key.as_str() {
                "1" | "2" | "3" | "4" => {
                    let i = key.parse::<usize>().unwrap_or(1) - 1;
                    if i >= course::lesson_at(index).prediction.choices.len() {
                        return false;
                    }
                    on_predict.emit(i);
                }
                "r" | "R" if can_run => {
                    window.set(None);
                    start(index, draft.clone())
                }
                "s" | "S" if running => {
                    crate::web::host::kept_runs::stop();
                }
                "t" | "T" if done => on_suggest.emit(()),
                // The A/B switch: both runs of a comparison, then A alone, then B.
                "v" | "V" => only.set(match *only {
                    None => Some(0),
                    Some(0) => Some(1),
                    Some(_) => None,
                }),
                "PageDown" | "]" => return course::go_to(index + 1),
                "PageUp" | "[" => return index > 0 && course::go_to(index - 1),
                _ => return false,
            }
            true
        });
    }
    let labels: Vec<&str> = course::lesson_at(index)
        .runs
        .sides()
        .iter()
        .map(|s| s.label)
        .collect();
    let pipeline_link = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| with_flag(&h, "pipeline", true))
        .unwrap_or_default();
    html! {
        <>
        <main class="stage">
            <div class="stage-lesson">
                <Banners />
                if let Some(problem) = &*link_problem {
                    <p class="banner notice" role="status" data-testid="link-problem">{ problem }</p>
                }
                <Course index={index} progress={(*progress).clone()} {on_predict} unknown={lesson.1.clone()} />
                <div class="controls">
                    <button data-testid="run" onclick={on_run} aria-keyshortcuts="R"
                        disabled={checked.is_err() || running || !global_flag("crossOriginIsolated")}>
                        { if running { "Running..." } else { "Run" } }
                    </button>
                    <button data-testid="stop" aria-keyshortcuts="S" onclick={Callback::from(|_| { crate::web::host::kept_runs::stop(); })} disabled={!running}>
                        { "Stop" }
                    </button>
                    <button data-testid="share" onclick={on_share}
                        title="Copy a link that opens this lesson with this scenario">{ "Share" }</button>
                    <button data-testid="reset" onclick={on_reset} disabled={running}
                        title="Remove the last run's database files, from OPFS or from memory">
                        { "Reset database" }
                    </button>
                    if let Err(e) = &checked {
                        <span class="error" data-testid="scenario-error">{ format!("Fix `{}` to run.", e.field) }</span>
                    }
                    <LessonPicker preset={(*preset).clone()} {on_preset} />
                </div>
                if let Some(link) = &*shared {
                    <p class="share" role="status">
                        <label>{ "Link copied: " }<input readonly=true value={link.clone()} data-testid="share-link"
                            size={link.len().min(80).to_string()} /></label>
                    </p>
                }
                if let Some(said) = &*reset_said {
                    <p class="muted" data-testid="reset-said" role="status">{ said }</p>
                }
                if let RunState::Done(runs) = &*run_state {
                    <VerdictView index={index} runs={runs.clone()} predicted={progress.step(course::lesson_at(index).id).predicted} {on_suggest} />
                }
            </div>
            <div class="stage-run">
            { match &*run_state {
                RunState::Idle => html! { <p class="muted idle">{ "Press Run (or R): the workers start, contend, and their timeline and numbers appear here." }</p> },
                RunState::Running(n, of) => html! {
                    <>
                        if *of > 1 {
                            <p role="status" data-testid="running-side">{ format!("Running {} of {}: {} ({})",
                                ["A", "B"][*n], of, ["A", "B"][*n], labels.get(*n).copied().unwrap_or("")) }</p>
                        }
                        <LiveView run={live.clone()} />
                    </>
                },
                RunState::Failed(message) => html! { <p class="error" data-testid="run-failed">{ message }</p> },
                RunState::Done(runs) => html! {
                    <>
                        if let [a, b] = &runs[..] {
                            <Compared runs={Rc::new(ComparedRuns { a: (**a).clone(), b: (**b).clone() })}
                                window={Some(window.clone())} only={*only}
                                labels={[AttrValue::from(labels[0].to_string()), AttrValue::from(labels[1].to_string())]} />
                        }
                        { for runs.iter().enumerate().map(|(n, run)| html! {
                            if runs.len() > 1 {
                                <details class="side">
                                    <summary>{ format!("Run {} in full: {}", ["A", "B"][n], labels.get(n).copied().unwrap_or("")) }</summary>
                                    <RunView run={run.clone()} />
                                </details>
                            } else {
                                <RunView run={run.clone()} window={Some(window.clone())} />
                            }
                        }) }
                    </>
                },
            } }
            <EditedCopy draft={(*draft).clone()} copy={(*copy).clone()} {on_copy} />
            </div>
        </main>
        <Drawer kind={DrawerKind::Scenario}>
            <Knobs draft={(*draft).clone()} error={checked.clone().err()} {on_edit} />
        </Drawer>
        <Drawer kind={DrawerKind::Console}>
            <ConsoleView />
        </Drawer>
        <Drawer kind={DrawerKind::About}>
            <p class="lede">
                { "\"database is locked\" is what anyone who runs SQLite with more than one worker meets \
                   sooner or later. locklab runs real SQLite in several Web Workers, each a job-queue \
                   worker with its own connection to one database, and shows who holds which lock, \
                   who waits, and who fails." }
            </p>
            <Capabilities />
            if pipeline {
                <PipelineCheck />
            } else {
                <p><a href={pipeline_link} data-testid="pipeline-link">{ "The pipeline check (for developers)" }</a></p>
            }
        </Drawer>
        </>
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
                       Cross-Origin-Embedder-Policy: require-corp (scripts/serve.sh does), or from \
                       https or localhost, where the page's service worker adds them. What still \
                       works: reading the lessons, the pipeline check of one worker, and the native \
                       command, locklab lesson NAME." }
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
