//! A finished run as the page shows it: the outcome, the invariants (with an alarm
//! when one fails), the metrics, each error kind with what it means, and a timeline
//! with one lane per worker.

use super::host::BrowserRun;
use super::timeline_view::Timeline;
use crate::report::RunReport;
use crate::text_timeline;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// What an error means and what helps, by SQLite's name.
fn explain(name: &str) -> &'static str {
    if name.starts_with("SQLITE_BUSY_SNAPSHOT") {
        "SQLITE_BUSY_SNAPSHOT: in WAL mode, a transaction read an older snapshot and then \
         tried to write after another connection committed. Waiting cannot fix it, so SQLite \
         does not wait: roll back and start again, or begin with BEGIN IMMEDIATE."
    } else if name.starts_with("SQLITE_BUSY") {
        "SQLITE_BUSY (\"database is locked\"): another connection holds a lock this statement \
         needs. Waiting helps: busy_timeout makes SQLite's busy handler retry for that long. \
         It cannot help when the holder keeps its transaction longer than the timeout, or \
         when waiting would deadlock (a read-to-write upgrade under BEGIN DEFERRED)."
    } else if name.starts_with("SQLITE_LOCKED") {
        "SQLITE_LOCKED (\"database table is locked\"): the conflict is inside this very \
         connection, such as a statement still running. No other connection can release it, \
         so waiting never helps and busy_timeout does not apply: finish or reset the \
         statement first."
    } else if name.starts_with("SQLITE_CORRUPT") {
        "SQLITE_CORRUPT: the database file is damaged. Here that follows from broken locking: \
         two writers wrote at once."
    } else {
        "An error SQLite reported; its name is SQLite's result code."
    }
}

#[derive(Properties, PartialEq)]
pub struct RunViewProps {
    pub run: Rc<BrowserRun>,
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
    let timeline = text_timeline::render(&props.run.events, end_us, 100);
    html! {
        <section class="run" aria-labelledby="run-title" data-testid="run-report"
            data-outcome={format!("{:?}", r.outcome).to_lowercase()}>
            <h2 id="run-title">{ "The run" }</h2>
            <Invariants report={r.clone()} />
            <dl class="report">
                <dt>{ "jobs" }</dt>
                <dd data-testid="jobs">{ format!("{} of {} done, {} double-claimed, {} lost", r.jobs.done,
                    r.jobs.seeded, r.jobs.double_claimed, r.jobs.lost) }</dd>
                <dt>{ "throughput" }</dt><dd>{ format!("{:.0} jobs/s in {:.0} ms ({:?})",
                    r.throughput_jobs_per_s, r.elapsed_ms, r.outcome) }</dd>
                <dt>{ "SQLite" }</dt><dd>{ format!("{} through {}", r.sqlite_version, r.vfs) }</dd>
                <dt>{ "journal_mode" }</dt><dd>{ format!("{} (what PRAGMA journal_mode answered)", r.journal_mode) }</dd>
                <dt>{ "transactions" }</dt><dd>{ format!("{} committed, {} rolled back",
                    r.transactions.committed, r.transactions.rolled_back) }</dd>
                <dt>{ "busy wait" }</dt><dd>{ format!("{:.0} ms in SQLite's busy handler", r.busy_wait_ms) }</dd>
                <dt>{ "job latency" }</dt><dd>{ format!("p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                    r.job_latency_ms.p50, r.job_latency_ms.p95, r.job_latency_ms.p99, r.job_latency_ms.max) }</dd>
                <dt>{ "integrity_check" }</dt><dd>{ &r.integrity_check }</dd>
            </dl>
            <h3>{ "Errors" }</h3>
            if r.errors.is_empty() {
                <p data-testid="no-errors">{ "None." }</p>
            } else {
                <ul class="errors" data-testid="errors">
                    { for r.errors.iter().map(|(name, n)| html! {
                        <li><details>
                            <summary><code>{ name }</code>{ format!(" x{n}") }</summary>
                            <p>{ explain(name) }</p>
                        </details></li>
                    }) }
                </ul>
            }
            <h3>{ "Timeline" }</h3>
            <Timeline events={Rc::new(RefCell::new(props.run.events.clone()))} end_us={end_us} version={0} />
            <details>
                <summary>{ "As text" }</summary>
                <pre class="timeline" data-testid="timeline">{ timeline }</pre>
                <p class="legend">{ text_timeline::LEGEND }</p>
            </details>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct InvariantsProps {
    report: RunReport,
}

#[function_component(Invariants)]
fn invariants(props: &InvariantsProps) -> Html {
    let i = &props.report.invariants;
    let checks = [
        (i.all_jobs_done, "every job done"),
        (i.no_double_claims, "no job claimed twice"),
        (i.no_lost_jobs, "no committed job lost"),
        (i.integrity_ok, "PRAGMA integrity_check = ok"),
        (i.journal_mode_as_asked, "journal mode as asked"),
    ];
    html! {
        <ul class={classes!("invariants", (!i.all_hold()).then_some("alarm"))} data-testid="invariants">
            { for checks.iter().map(|(ok, what)| html! {
                <li class={if *ok { "ok" } else { "failed" }}>{ if *ok { "ok: " } else { "FAILED: " } }{ *what }</li>
            }) }
        </ul>
    }
}
