//! The developers' pipeline check: one worker alone in a Web Worker on SQLite's
//! memvfs, 40 jobs, its report. It proves the build (rusqlite in wasm, a worker,
//! the engine) without the shared VFS; shown in About when the address has
//! `#pipeline`, not on the page a learner reads.

use crate::analysis::report::RunReport;
use crate::decimal::Dec;
use crate::scenario::{Scenario, ScenarioError};
use crate::web::host::run as host;
use serde_json::json;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Clone, PartialEq)]
enum Check {
    Idle,
    Running,
    Done(Rc<RunReport>),
    Failed(String),
}

/// The scenario of the pipeline check: one writer, short transactions.
fn check_scenario() -> Result<Scenario, ScenarioError> {
    Scenario::from_value(
        &json!({"name": "pipeline-check", "workers": 1, "jobs": 40, "transaction": "short",
        "begin": "immediate", "journal_mode": "delete", "busy_timeout_ms": 1000,
        "work_ms": [0, 2], "heartbeat_ms": 1}),
    )
}

#[function_component(PipelineCheck)]
pub fn pipeline_check() -> Html {
    let check_state = use_state(|| Check::Idle);
    let on_check = {
        let check_state = check_state.clone();
        Callback::from(move |_| {
            let check_state = check_state.clone();
            check_state.set(Check::Running);
            wasm_bindgen_futures::spawn_local(async move {
                match check_scenario() {
                    Ok(scenario) => match host::run_alone(&scenario).await {
                        Ok(report) => check_state.set(Check::Done(Rc::new(report))),
                        Err(e) => check_state.set(Check::Failed(e.message)),
                    },
                    Err(e) => check_state.set(Check::Failed(e.to_string())),
                }
            });
        })
    };
    html! {
        <section aria-labelledby="check-title" data-testid="pipeline">
            <h2 id="check-title">{ "Pipeline check" }</h2>
            <p>{ "Runs the job-queue engine with one worker inside a Web Worker, on SQLite compiled to \
                  WebAssembly: claim a job, heartbeat, write the result, 40 times." }</p>
            <button data-testid="run-check" onclick={on_check} disabled={*check_state == Check::Running}>
                { "Run one worker in a Web Worker" }
            </button>
            <CheckResult check={(*check_state).clone()} />
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
                    Dec(r.throughput_jobs_per_s), Dec(r.elapsed_ms)) }</dd>
                <dt>{ "integrity_check" }</dt><dd>{ &r.integrity_check }</dd>
            </dl>
        },
    }
}
