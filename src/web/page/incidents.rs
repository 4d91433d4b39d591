//! What befell a finished run besides lock contention, each from the run itself:
//! the failure that ended it (code, message, the storage's own words), the workers
//! killed and when, the jobs their heartbeats gave back or left stuck, and what
//! SQLite's own log said (a hot journal rolled back, a WAL index rebuilt).

use crate::analysis::report::{Outcome, RunReport};
use crate::decimal::Dec;
use crate::duration::ms_label;
use crate::trace::{EventKind, TraceEvent};
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct IncidentsProps {
    pub report: RunReport,
    /// SQLite's log during the run: (worker, time in µs, message).
    pub log: Vec<(u32, u64, String)>,
}

/// SQLite's log lines in a run's trace.
pub fn sqlite_log(events: &[TraceEvent]) -> Vec<(u32, u64, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::SqliteLog { message, .. } => Some((e.worker, e.t_us, message.clone())),
            _ => None,
        })
        .collect()
}

#[function_component(Incidents)]
pub fn incidents(props: &IncidentsProps) -> Html {
    let r = &props.report;
    let killed: Vec<_> = r.workers.iter().filter(|w| w.killed).collect();
    let stuck_or_reclaimed = r.jobs.reclaimed > 0 || r.jobs.stuck > 0;
    if r.failure.is_none() && killed.is_empty() && !stuck_or_reclaimed && props.log.is_empty() {
        return html! {};
    }
    html! {
        <div class="incidents" data-testid="incidents">
            if let (Outcome::Failed, Some(failure)) = (r.outcome, &r.failure) {
                <p class="banner" role="alert" data-testid="failure">
                    <strong>{ format!("The run failed: {failure}.") }</strong>
                    { if failure.step.is_some() {
                        " Waiting or retrying cannot fix this error, so the workers stopped at once \
                          instead of retrying it until the time limit."
                    } else {
                        " The others were told to stop; the audit below reads the database as they left it."
                    } }
                </p>
            }
            <ul>
                { for killed.iter().map(|w| html! {
                    <li data-testid={format!("killed-{}", w.id)}>{ format!(
                        "Worker {} was killed at {:.1} ms, as a crash would: no rollback, no close. \
                         The page released its locks; the others went on.",
                        w.id, Dec(w.killed_at_ms.unwrap_or_default())) }</li>
                }) }
                if r.jobs.reclaimed > 0 {
                    <li data-testid="reclaimed">{ format!(
                        "{} job{} came back through the heartbeat: claimed again once its heartbeat was \
                         older than stale_after_ms ({} ms).", r.jobs.reclaimed,
                        if r.jobs.reclaimed == 1 { "" } else { "s" },
                        r.scenario.get("stale_after_ms").and_then(|v| v.as_u64()).unwrap_or(0)) }</li>
                }
                if r.jobs.stuck > 0 {
                    <li class="alarm" data-testid="stuck">{ format!(
                        "{} job{} stuck RUNNING: {} claimed by a worker that died, and nothing reclaims \
                         it (stale_after_ms is 0). Not lost: the database still holds it, waiting.",
                        r.jobs.stuck, if r.jobs.stuck == 1 { " is" } else { "s are" },
                        if r.jobs.stuck == 1 { "it was" } else { "each was" }) }</li>
                }
                { for props.log.iter().take(8).map(|(worker, t_us, message)| html! {
                    <li class="sqlite-log">{ format!("SQLite's log, worker {worker} at {}: {message}",
                        ms_label(*t_us)) }</li>
                }) }
                if props.log.len() > 8 {
                    <li class="muted">{ format!("and {} more lines of SQLite's log", props.log.len() - 8) }</li>
                }
            </ul>
        </div>
    }
}
