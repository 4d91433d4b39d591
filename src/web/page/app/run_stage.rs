//! The run's side of the page: what to press before a run, the live view while
//! it runs, why it failed, or the finished run (both runs of a comparison, side
//! by side and each in full; a grid's or sweep's runs as cells, or a plot).

use super::super::compare_view::Compared;
use super::super::course;
use super::super::live_view::LiveView;
use super::super::run_view::RunView;
use super::super::store::{use_store, RunState};
use crate::web::host::compare::ComparedRuns;
use std::rc::Rc;
use yew::prelude::*;

#[function_component(RunStage)]
pub fn run_stage() -> Html {
    let (store, state) = use_store();
    let lesson = course::lesson_at(state.lesson);
    let labels: Vec<&str> = lesson.runs.sides().iter().map(|s| s.label).collect();
    let window = store.window.clone();
    match &state.run {
        RunState::Idle => {
            html! { <p class="muted idle">{ "Press Run (or R): the workers start, contend, and their timeline and numbers appear here." }</p> }
        }
        RunState::Running(n, of) => html! {
            <>
                if *of > 1 {
                    <p role="status" data-testid="running-side">{ match lesson.runs.is_many() {
                        true => format!("Running {} of {}: {}", n + 1, of, labels.get(*n).copied().unwrap_or("")),
                        false => format!("Running {} of {}: {} ({})", ["A", "B"][*n], of, ["A", "B"][*n],
                            labels.get(*n).copied().unwrap_or("")),
                    } }</p>
                }
                <LiveView run={store.live.clone()} />
            </>
        },
        RunState::Failed(error) => {
            html! { <p class="error" data-testid="run-failed">{ &error.message }</p> }
        }
        RunState::Done(runs) if lesson.runs.is_many() => html! {
            <course::ManyRuns index={state.lesson} runs={runs.clone()} />
        },
        RunState::Done(runs) => html! {
            <>
                if let [a, b] = &runs[..] {
                    <Compared runs={Rc::new(ComparedRuns { a: (**a).clone(), b: (**b).clone() })}
                        window={Some(window.clone())} only={state.only}
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
    }
}
