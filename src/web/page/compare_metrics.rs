//! Two runs' metrics side by side, a row per measure and per error code, the
//! better value of each marked (a tick as well as the colour), then the
//! differences in words. Every number is a report's and every sentence is made
//! from them (`compare::Comparison`).

use crate::analysis::percentiles::Percentiles;
use crate::analysis::report::RunReport;
use crate::compare::{Comparison, Measure, Side};
use crate::decimal::Dec;
use crate::result_code::explain;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CompareMetricsProps {
    pub a: RunReport,
    pub b: RunReport,
    pub labels: [AttrValue; 2],
}

/// One row: what it measures, both values as shown, the better side.
struct Row {
    key: String,
    what: Html,
    values: [String; 2],
    better: Option<Side>,
}

fn p95(p: &Percentiles) -> String {
    if p.count == 0 {
        "none".to_string()
    } else {
        format!("{:.2} ms (n={})", Dec(p.p95), p.count)
    }
}

fn both(r: [&RunReport; 2], f: impl Fn(&RunReport) -> String) -> [String; 2] {
    r.map(f)
}

fn row(key: &str, what: &str, values: [String; 2], better: Option<Side>) -> Row {
    Row {
        key: key.to_string(),
        what: html! { { what.to_string() } },
        values,
        better,
    }
}

#[function_component(CompareMetrics)]
pub fn compare_metrics(props: &CompareMetricsProps) -> Html {
    let [la, lb] = &props.labels;
    let (a, b) = (&props.a, &props.b);
    let c = Comparison::labelled(a, b, [la.as_str(), lb.as_str()]);
    let r = [a, b];
    let mut rows = if c.workloads {
        let mut rows = vec![
            row(
                "committed",
                "transactions committed",
                both(r, |r| r.transactions.committed.to_string()),
                None,
            ),
            row(
                "throughput",
                "throughput",
                both(r, |r| {
                    format!(
                        "{:.0} commits/s",
                        Dec(Measure::CommitRate.of(r).unwrap_or(0.0))
                    )
                }),
                c.throughput.better,
            ),
        ];
        // Each check, by its name in A (a workload's checks in B may differ).
        rows.extend(a.checks.iter().enumerate().map(|(i, check)| {
            let said = |r: &RunReport| {
                r.checks
                    .iter()
                    .find(|c| c.name == check.name)
                    .map_or("(no such check)".to_string(), |c| {
                        format!("{} {}", c.got, if c.ok { "held" } else { "FAILED" })
                    })
            };
            row(
                &format!("check-{i}"),
                &format!("check \"{}\"", check.name),
                both(r, said),
                None,
            )
        }));
        rows
    } else {
        vec![
            row(
                "jobs",
                "jobs done",
                both(r, |r| format!("{} of {}", r.jobs.done, r.jobs.seeded)),
                None,
            ),
            row(
                "throughput",
                "throughput",
                both(r, |r| format!("{:.0} jobs/s", Dec(r.throughput_jobs_per_s))),
                c.throughput.better,
            ),
        ]
    };
    if c.errors.is_empty() {
        rows.push(row("errors", "errors", both(r, |_| "none".into()), None));
    }
    rows.extend(c.errors.iter().map(|e| Row {
        key: format!("error-{}", e.code),
        what: html! { <details><summary><code>{ &e.code }</code></summary>
        <p>{ explain(&e.code) }</p></details> },
        values: [e.a.to_string(), e.b.to_string()],
        better: e.better,
    }));
    rows.extend([row(
        "busy-wait",
        "busy wait",
        both(r, |r| format!("{:.1} ms", Dec(r.busy_wait_ms))),
        c.busy_wait.better,
    )]);
    if !c.workloads {
        rows.push(row(
            "job-latency",
            "job latency p95",
            both(r, |r| p95(&r.job_latency_ms)),
            c.job_latency_p95.better,
        ));
    }
    rows.extend([
        row(
            "write-lock-hold",
            "write-lock hold p95",
            both(r, |r| p95(&r.write_lock_hold_ms)),
            c.write_lock_hold_p95.better,
        ),
        row(
            "refused",
            "locks refused",
            both(r, |r| r.refused_locks.to_string()),
            None,
        ),
        row(
            "transactions",
            "transactions",
            both(r, |r| {
                format!(
                    "{} committed, {} rolled back",
                    r.transactions.committed, r.transactions.rolled_back
                )
            }),
            None,
        ),
        row(
            "integrity",
            "integrity_check",
            both(r, |r| r.integrity_check.clone()),
            None,
        ),
    ]);
    let cell = |row: &Row, side: Side, i: usize| {
        let better = row.better == Some(side);
        html! {
            <td class={classes!(better.then_some("better"))}
                data-testid={format!("cmp-{}-{}", row.key, if i == 0 { "a" } else { "b" })}>
                { &row.values[i] }
                if better {
                    <span class="better-mark" title="better by this measure">{ " \u{2713}" }</span>
                }
            </td>
        }
    };
    html! {
        <div class="compare-metrics">
            <h3>{ "Side by side" }</h3>
            <table class="compare-metrics" data-testid="compare-metrics">
                <thead><tr><th scope="col">{ "" }</th>
                    <th scope="col">{ la }</th><th scope="col">{ lb }</th></tr></thead>
                <tbody>
                    { for rows.iter().map(|row| html! {
                        <tr data-row={row.key.clone()}>
                            <th scope="row">{ row.what.clone() }</th>
                            { cell(row, Side::A, 0) }
                            { cell(row, Side::B, 1) }
                        </tr>
                    }) }
                </tbody>
            </table>
            <h3>{ "What differs" }</h3>
            <ul class="differences" data-testid="differences">
                { for c.sentences().into_iter().map(|s| html! { <li>{ s }</li> }) }
            </ul>
        </div>
    }
}
