//! The few numbers a run is told by, in one row above its timeline: jobs done
//! and their rate (a workload's committed transactions and theirs), errors (and the commonest), locks refused, busy wait, the run's
//! time. Every one is the run's own (`Numbers`, live or from the report); the
//! full panel (`metrics_panel`) says the rest.

use super::metrics_panel::Numbers;
use crate::decimal::Dec;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct KeyNumbersProps {
    pub numbers: Numbers,
}

#[function_component(KeyNumbers)]
pub fn key_numbers(props: &KeyNumbersProps) -> Html {
    let n = &props.numbers;
    let (rate, errors) = (Dec(n.jobs_per_s()), n.error_count());
    let commonest = n
        .errors
        .iter()
        .max_by_key(|(_, count)| **count)
        .map(|(name, _)| name.as_str());
    let item = |what: &str, value: String, note: Option<&str>, testid: &str| {
        html! {
            <div data-testid={testid.to_string()}>
                <dt>{ what }</dt>
                <dd>{ value }if let Some(note) = note { <small>{ note }</small> }</dd>
            </div>
        }
    };
    html! {
        <dl class="key-numbers" data-testid="key-numbers" data-finished={n.finished.to_string()}>
            if n.has_jobs() {
                { item("jobs done", format!("{} of {}", n.done, n.seeded), None, "key-done") }
                { item("jobs/s", format!("{rate:.0}"), None, "key-rate") }
            } else {
                { item("committed", n.committed.to_string(), Some("transactions"), "key-done") }
                { item("commits/s", format!("{:.0}", Dec(n.commits_per_s())), None, "key-rate") }
            }
            { item("errors", errors.to_string(), commonest, "key-errors") }
            { item("locks refused", n.refused_locks.to_string(), None, "key-refused") }
            { item("busy wait", format!("{:.0} ms", Dec(n.busy_wait_ms)), None, "key-busy") }
            { item("run time", format!("{:.0} ms", Dec(n.elapsed_ms)), None, "key-elapsed") }
        </dl>
    }
}
