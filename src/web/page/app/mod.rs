//! The page (yew): the course (the lesson the address names, its prediction, Run
//! and Stop, and once its run or runs are over what they showed) beside the run
//! (its key numbers, timeline, metrics, errors explained); in drawers the
//! scenario's knobs, the SQL console, and what locklab is and what this browser
//! can do (with the developers' pipeline check at `#pipeline`). The shell
//! (`shell`) says how the page is shown: presenter, embed, dark. The page's
//! state is the store's (`store`); the app composes and keeps the address.

mod address_sync;
mod controls;
mod course_keys;
mod run_stage;

use super::banners::{Banners, Capabilities};
use super::console_view::ConsoleView;
use super::course::{Course, VerdictView};
use super::edited_copy::EditedCopy;
use super::lesson_file_view::LessonFileView;
use super::page_api;
use super::pipeline_check::PipelineCheck;
use super::runner;
use super::scenario_panel::{check, Knobs};
use super::shell::{use_shell, with_flag, Drawer, DrawerKind, HelpDialog, ShellProvider, TopBar};
use super::store::{use_store, Action, RunState, Store};
use address_sync::use_address_sync;
use controls::Controls;
use course_keys::use_course_keys;
use run_stage::RunStage;
use std::rc::Rc;
use yew::prelude::*;

pub fn start() {
    crate::web::host::api::install();
    let store = Store::from_address();
    page_api::install(store.clone());
    yew::Renderer::<Page>::with_props(PageProps { store }).render();
    // After the first render, before anyone can have pressed Run: what the
    // first run would otherwise pay for.
    gloo_timers::callback::Timeout::new(AFTER_FIRST_RENDER_MS, || {
        super::canvas_fonts::warm_up();
        crate::web::host::warm_up::start();
    })
    .forget();
}

/// How long after the page starts the first run's costs are paid ahead, in ms.
const AFTER_FIRST_RENDER_MS: u32 = 300;

#[derive(Properties, PartialEq)]
struct PageProps {
    store: Rc<Store>,
}

/// The page in its shell: the modes, the top bar, the list of keys.
#[function_component(Page)]
fn page(props: &PageProps) -> Html {
    html! {
        <ContextProvider<Rc<Store>> context={props.store.clone()}>
            <ShellProvider>
                <TopBar />
                <App />
                <HelpDialog />
            </ShellProvider>
        </ContextProvider<Rc<Store>>>
    }
}

#[function_component(App)]
fn app() -> Html {
    let (store, state) = use_store();
    use_address_sync(&store, &state);
    use_course_keys(&store, &state);
    // The learner's progress stays in this browser as it changes.
    use_effect_with(state.progress.clone(), |progress| progress.save());
    let on_suggest = {
        let store = store.clone();
        Callback::from(move |_| runner::try_suggested(&store))
    };
    let predicted = state
        .progress
        .step(super::course::lesson_at(state.lesson).id)
        .predicted;
    let lesson_has_workload = super::course::lesson_at(state.lesson).runs.sides()[0]
        .scenario_json()
        .get("roles")
        .is_some();
    html! {
        <>
        <main class="stage">
            <div class="stage-lesson">
                <Banners />
                if let Some(problem) = &state.link_problem {
                    <p class="banner notice" role="status" data-testid="link-problem">{ problem }</p>
                }
                <Course index={state.lesson} progress={state.progress.clone()}
                    on_predict={Store::callback(&store, Action::Predicted)} unknown={state.unknown_lesson.clone()}
                    lesson_files={state.lesson_files} />
                <Controls />
                if let RunState::Done(runs) = &state.run {
                    // A workload of one's own, run on a lesson of the job queue,
                    // is not the lesson's scenario: the lesson does not judge it;
                    // its own checks are with the run.
                    if runs.iter().any(|r| r.report.is_workload()) && !lesson_has_workload {
                        <p class="muted" data-testid="workload-not-judged">
                            { "This run was a workload of your own, not this lesson's scenario, so the \
                               lesson does not judge it: its checks are under Invariants, beside the run." }
                        </p>
                    } else {
                        <VerdictView index={state.lesson} runs={runs.clone()} {predicted} {on_suggest} />
                    }
                }
            </div>
            <div class="stage-run">
                <RunStage />
                <EditedCopy draft={state.draft.clone()} copy={state.copy.clone()} on_copy={Store::callback(&store, Action::Copied)} />
            </div>
        </main>
        <Drawer kind={DrawerKind::Scenario}>
            <Knobs draft={state.draft.clone()} error={check(&state.draft).err()}
                on_edit={Store::callback(&store, |(field, value)| Action::Edited(field, value))} />
        </Drawer>
        <Drawer kind={DrawerKind::Console}>
            <ConsoleView />
        </Drawer>
        <Drawer kind={DrawerKind::Lesson}>
            <LessonFileView lesson={state.lesson} store={store.clone()} />
        </Drawer>
        <Drawer kind={DrawerKind::About}>
            <About />
        </Drawer>
        </>
    }
}

/// What locklab is, what this browser can do, and the developers' check.
#[function_component(About)]
fn about() -> Html {
    let pipeline = use_shell().is_some_and(|s| s.pipeline);
    let pipeline_link = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| with_flag(&h, "pipeline", true))
        .unwrap_or_default();
    html! {
        <>
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
        </>
    }
}
