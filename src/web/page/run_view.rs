//! A finished run as the page shows it: the outcome, the timeline with one lane per
//! worker, the invariants (with an alarm when one fails), the metrics with each
//! error kind explained, the audit, and the timeline as text.

use super::exports::Exports;
use super::incidents::{sqlite_log, Incidents};
use super::key_numbers::KeyNumbers;
use super::live_view::Alongside;
use super::metrics_panel::{MetricsPanel, Numbers};
use super::replay_view::ReplayView;
use super::timeline::SharedWindow;
use super::timeline::WindowCell;
use super::wal_chart::WalChart;
use crate::analysis::report::{Outcome, RunReport};
use crate::exports::text_timeline;
use crate::web::host::finished_run::BrowserRun;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct RunViewProps {
    pub run: Rc<BrowserRun>,
    /// The timeline's window, when the page keeps it (in its address); the
    /// timeline keeps its own without.
    #[prop_or_default]
    pub window: Option<Rc<WindowCell>>,
}

impl PartialEq for BrowserRun {
    fn eq(&self, other: &Self) -> bool {
        self.report == other.report
    }
}

#[function_component(RunView)]
pub fn run_view(props: &RunViewProps) -> Html {
    let r = &props.run.report;
    let end_us = (r.elapsed_ms * 1000.0) as u64;
    let timeline = props.run.timeline.clone();
    // Drawn once per run: the page draws the run again at each zoom and pan.
    let text = use_memo(props.run.id.clone(), move |_| {
        text_timeline::render_timeline(&timeline.borrow(), end_us, 100)
    });
    let timeline = props.run.timeline.clone();
    let log = use_memo(props.run.id.clone(), {
        let run = props.run.clone();
        move |_| sqlite_log(&run.events)
    });
    let alarm = r.jobs.double_claimed > 0 || r.jobs.claimed_twice > 0 || r.jobs.lost > 0;
    html! {
        <section class="run" aria-labelledby="run-title" data-testid="run-report"
            data-outcome={format!("{:?}", r.outcome).to_ascii_lowercase()}>
            <h2 id="run-title">{ format!("The run: {}", outcome(r)) }</h2>
            <KeyNumbers numbers={Numbers::of_report(r)} />
            <Alongside runs={props.run.alongside} />
            if props.run.console_rolled_back {
                <p class="banner notice" data-testid="console-rolled-back" role="status">
                    { "The run ended with your console's transaction still open: it was rolled back, \
                       as SQLite does when a connection closes in the middle of one." }
                </p>
            }
            if let Some(words) = props.run.kept.words() {
                <p class="banner notice" data-testid="over-budget" role="status">{ words }</p>
            }
            <Incidents report={r.clone()} log={(*log).clone()} />
            <ReplayView run={props.run.clone()} timeline={timeline.clone()}
                shared={props.window.clone().map(|window| SharedWindow { window, axis_us: end_us.max(1) })} />
            <WalChart report={r.clone()} events={props.run.events.clone()} />
            <Exports run={props.run.clone()} />
            <h3>{ "Invariants and metrics" }</h3>
            <Invariants report={r.clone()} />
            <MetricsPanel numbers={Numbers::of_report(r)} />
            <dl class="report">
                if !r.is_workload() {
                <dt>{ "double claims, lost jobs" }</dt>
                <dd data-testid="jobs" class={classes!(alarm.then_some("alarm"))}>
                    { format!("{} of {} done, {} double-claimed, {} lost", r.jobs.done,
                        r.jobs.seeded, r.jobs.double_claimed, r.jobs.lost) }
                    if r.jobs.claimed_twice > 0 {
                        { format!(", {} claimed twice", r.jobs.claimed_twice) }
                    }
                    if r.jobs.reclaimed > 0 || r.jobs.stuck > 0 {
                        { format!(", {} reclaimed, {} stuck", r.jobs.reclaimed, r.jobs.stuck) }
                    }
                    if alarm {
                        <strong role="alert">{ alarm_words(r) }</strong>
                    }
                </dd>
                }
                <dt>{ "integrity_check" }</dt><dd data-testid="integrity">{ &r.integrity_check }</dd>
                <dt>{ "journal_mode" }</dt><dd>{ format!("{} (what PRAGMA journal_mode answered)", r.journal_mode) }</dd>
                <dt>{ "SQLite" }</dt><dd>{ format!("{} through {}", r.sqlite_version, r.vfs) }</dd>
            </dl>
            <details>
                <summary>{ "As text" }</summary>
                <pre class="timeline" data-testid="timeline">{ (*text).clone() }</pre>
                <p class="legend">{ text_timeline::LEGEND }</p>
            </details>
        </section>
    }
}

/// How the run ended, in words.
fn outcome(r: &RunReport) -> &'static str {
    match r.outcome {
        Outcome::Completed => "completed",
        Outcome::Stopped => "stopped",
        Outcome::TimeLimit => "stopped at its time limit",
        Outcome::Failed => "failed",
        Outcome::PowerCut => "cut off by a power cut",
    }
}

#[derive(Properties, PartialEq)]
struct InvariantsProps {
    report: RunReport,
}

#[function_component(Invariants)]
fn invariants(props: &InvariantsProps) -> Html {
    let r = &props.report;
    let i = &r.invariants;
    // Every job done is asked of a completed run only: a stopped or failed run
    // leaves jobs undone by design, and saying "ok" beside "98 of 200" would read
    // as a contradiction.
    let all_done = if r.outcome == Outcome::Completed {
        Some(i.all_jobs_done)
    } else {
        None
    };
    let mut checks: Vec<(Option<bool>, String)> = if r.is_workload() {
        // A workload has no jobs: its own checks say what must hold.
        r.checks
            .iter()
            .map(|c| {
                (
                    Some(c.ok),
                    format!("{} (expected {}, got {})", c.name, c.expected, c.got),
                )
            })
            .collect()
    } else {
        vec![
            (all_done, "every job done".to_string()),
            (Some(i.no_double_claims), "no job claimed twice".to_string()),
            (Some(i.no_lost_jobs), "no committed job lost".to_string()),
        ]
    };
    checks.push((
        Some(i.integrity_ok),
        "PRAGMA integrity_check = ok".to_string(),
    ));
    checks.push((
        Some(i.journal_mode_as_asked),
        "journal mode as asked".to_string(),
    ));
    html! {
        <ul class={classes!("invariants", (!i.all_hold()).then_some("alarm"))} data-testid="invariants">
            { for checks.iter().map(|(ok, what)| match ok {
                Some(true) => html! { <li class="ok">{ "ok: " }{ what }</li> },
                Some(false) => html! { <li class="failed">{ "FAILED: " }{ what }</li> },
                None => html! { <li class="muted">{ format!("not asked of a run that {}: {what}", outcome(r)) }</li> },
            }) }
        </ul>
    }
}

/// What the alarm says: what went wrong with the jobs, and the scenario's reason.
fn alarm_words(r: &RunReport) -> &'static str {
    let field = |name: &str| {
        r.scenario
            .get(name)
            .and_then(|v| v.as_str().map(str::to_owned))
    };
    if field("locking").as_deref() == Some("none") {
        " Two workers did one job, or a committed job is gone: the locking is broken."
    } else if r.jobs.claimed_twice > 0 {
        " Two workers did one job: the claim's SELECT ran outside its transaction \
          and its UPDATE did not check that the job was still QUEUED."
    } else {
        " Two workers did one job, or a committed job is gone."
    }
}
