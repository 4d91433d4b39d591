//! The metrics of a run, the same panel while it goes on (from the trace the
//! workers posted so far) and when it is over (from the run report): jobs, rate,
//! transactions, errors by code with what each means one click away, busy wait,
//! job latency, write-lock hold, the lock hand-off (once the run is over), and
//! who blocked whom: while the run goes on
//! only how many locks were refused; once it is over, the table of who blocked
//! whom (`wait_for_matrix`). Rebuilding a table of up to 16 by 17 cells ten
//! times a second cost the page about a second of its main thread over a run of
//! 16 workers, so the table waits for the end.

use super::wait_for_matrix::{Row, WaitForMatrix};
use crate::analysis::metrics::Metrics;
use crate::analysis::percentiles::Percentiles;
use crate::analysis::report::RunReport;
use crate::decimal::Dec;
use crate::result_code::explain;
use std::collections::BTreeMap;
use yew::prelude::*;

/// The numbers the panel shows.
#[derive(Clone, Debug, PartialEq)]
pub struct Numbers {
    pub done: u64,
    pub seeded: u64,
    pub elapsed_ms: f64,
    pub committed: u64,
    pub rolled_back: u64,
    pub errors: BTreeMap<String, u64>,
    pub busy_wait_ms: f64,
    pub job_latency_ms: Percentiles,
    pub write_lock_hold_ms: Percentiles,
    pub refused_locks: u64,
    /// Lock hand-offs in µs; shown once the run is over.
    pub lock_handoff_us: Percentiles,
    /// The wait-for matrix: a row per worker blocked; shown once the run is over.
    pub blocked: Vec<Row>,
    /// The numbers are the run report's.
    pub finished: bool,
}

impl Numbers {
    /// Jobs done per second so far (0 before any time has passed).
    pub fn jobs_per_s(&self) -> f64 {
        if self.elapsed_ms > 0.0 {
            self.done as f64 * 1000.0 / self.elapsed_ms
        } else {
            0.0
        }
    }

    /// Whether the run is the job queue's, which seeds at least one job; a
    /// workload of one's own seeds none, and is told by its transactions.
    pub fn has_jobs(&self) -> bool {
        self.seeded > 0
    }

    /// Transactions committed per second so far.
    pub fn commits_per_s(&self) -> f64 {
        if self.elapsed_ms > 0.0 {
            self.committed as f64 * 1000.0 / self.elapsed_ms
        } else {
            0.0
        }
    }

    /// Errors of every kind.
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// The numbers of a run in progress.
    pub fn so_far(m: &Metrics, seeded: u64, elapsed_ms: f64) -> Numbers {
        Numbers {
            done: m.committed_jobs.len() as u64,
            seeded,
            elapsed_ms,
            committed: m.committed,
            rolled_back: m.rolled_back,
            errors: m.errors.clone(),
            busy_wait_ms: m.busy_wait_ms,
            job_latency_ms: m.job_latency_ms.clone(),
            write_lock_hold_ms: m.write_lock_hold_ms.clone(),
            refused_locks: m.refused_locks,
            lock_handoff_us: Percentiles::default(),
            blocked: Row::of(&m.workers),
            finished: false,
        }
    }

    /// The numbers of a finished run.
    pub fn of_report(r: &RunReport) -> Numbers {
        Numbers {
            done: r.jobs.done,
            seeded: r.jobs.seeded,
            elapsed_ms: r.elapsed_ms,
            committed: r.transactions.committed,
            rolled_back: r.transactions.rolled_back,
            errors: r.errors.clone(),
            busy_wait_ms: r.busy_wait_ms,
            job_latency_ms: r.job_latency_ms.clone(),
            write_lock_hold_ms: r.write_lock_hold_ms.clone(),
            refused_locks: r.refused_locks,
            lock_handoff_us: r.lock_handoff_us.clone(),
            blocked: Row::of(&r.workers),
            finished: true,
        }
    }
}

fn percentiles(p: &Percentiles) -> String {
    if p.count == 0 {
        return "none yet".to_string();
    }
    format!(
        "p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms (n={})",
        Dec(p.p50),
        Dec(p.p95),
        Dec(p.p99),
        Dec(p.max),
        p.count
    )
}

fn handoff(p: &Percentiles) -> String {
    if p.count == 0 {
        return "none: no worker waited for a released write lock".to_string();
    }
    format!(
        "p50 {:.0} µs, p95 {:.0} µs, p99 {:.0} µs, max {:.0} µs (n={})",
        Dec(p.p50),
        Dec(p.p95),
        Dec(p.p99),
        Dec(p.max),
        p.count
    )
}

#[derive(Properties, PartialEq)]
pub struct MetricsPanelProps {
    pub numbers: Numbers,
}

#[function_component(MetricsPanel)]
pub fn metrics_panel(props: &MetricsPanelProps) -> Html {
    let n = &props.numbers;
    let (rate, errors) = (Dec(n.jobs_per_s()), n.error_count());
    html! { <>
        <div class="metrics" data-testid="metrics" data-done={n.done.to_string()}
            data-errors={errors.to_string()}>
            <dl class="report">
                <dt>{ "jobs done" }</dt>
                <dd data-testid="jobs-done">{ format!("{} of {}", n.done, n.seeded) }
                    <meter min="0" max={n.seeded.max(1).to_string()} value={n.done.to_string()}></meter></dd>
                <dt>{ "throughput" }</dt><dd>{ format!("{rate:.0} jobs/s over {:.0} ms", Dec(n.elapsed_ms)) }</dd>
                <dt>{ "transactions" }</dt><dd>{ format!("{} committed, {} rolled back", n.committed, n.rolled_back) }</dd>
                <dt>{ "busy wait" }</dt><dd>{ format!("{:.0} ms asleep in SQLite before asking again (its busy handler, or WAL's retries before a read), all workers together", Dec(n.busy_wait_ms)) }</dd>
                <dt>{ "job latency" }</dt><dd>{ percentiles(&n.job_latency_ms) }</dd>
                <dt>{ "write lock held" }</dt><dd>{ percentiles(&n.write_lock_hold_ms) }</dd>
                <dt>{ "locks refused" }</dt>
                <dd data-testid="refused-locks">{ format!("{}, all workers together", n.refused_locks) }</dd>
                <dt>{ "errors" }</dt>
                <dd>
                    if n.errors.is_empty() {
                        <span data-testid="no-errors">{ "none" }</span>
                    } else {
                        <ul class="errors" data-testid="errors">
                            { for n.errors.iter().map(|(name, count)| html! {
                                <li><details>
                                    <summary><code>{ name }</code>{ format!(" x{count}") }</summary>
                                    <p>{ explain(name) }</p>
                                </details></li>
                            }) }
                        </ul>
                    }
                </dd>
            </dl>
        </div>
        if n.finished {
            // Outside the live panel's numbers (the live panel ends where the
            // report begins): hand-offs are read from the whole trace only.
            <dl class="report">
                <dt>{ "lock hand-off" }</dt>
                <dd data-testid="lock-handoff">{ handoff(&n.lock_handoff_us) }
                    <small class="explain">{ "From one worker's release of the write lock to \
                        the grant to a worker refused it before: how fast a waiter \
                        gets the lock (the browser's clock counts in 5 µs steps)." }</small></dd>
            </dl>
            <div class="who-blocked-whom">
                <h4>{ "Who blocked whom" }</h4>
                <WaitForMatrix rows={n.blocked.clone()} refused_locks={n.refused_locks} />
            </div>
        }
    </> }
}
