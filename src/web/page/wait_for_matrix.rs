//! Who blocked whom, as a small table in the metrics panel: a row per worker that
//! was refused a lock or waited, a column per worker in the way, each cell the
//! refusals and the busy wait after them (the report's `workers[].blocked_by`).
//! It only shows numbers it is given; it never computes them.

use crate::analysis::metrics::{BlockedBy, WorkerMetrics};
use crate::decimal::Dec;
use crate::trace::HOST_WORKER;
use crate::trace::{Role, WorkerId};
use yew::prelude::*;

/// One worker's row: who it is, and who blocked it.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub worker: WorkerId,
    pub role: Role,
    pub blocked_by: Vec<BlockedBy>,
}

impl Row {
    /// A row per worker (those never blocked have no cells, and name a column).
    pub fn of(workers: &[WorkerMetrics]) -> Vec<Row> {
        workers
            .iter()
            .map(|w| Row {
                worker: w.id,
                role: w.role,
                blocked_by: w.blocked_by.clone(),
            })
            .collect()
    }
}

#[derive(Properties, PartialEq)]
pub struct WaitForMatrixProps {
    /// Every worker; those blocked get a row.
    pub rows: Vec<Row>,
    pub refused_locks: u64,
}

/// "worker 2", "reader 5", or "you" (the console).
fn name(worker: WorkerId, role: Option<Role>) -> String {
    match role {
        Some(Role::Reader) => format!("reader {worker}"),
        Some(Role::Console) => "you".to_string(),
        _ => format!("worker {worker}"),
    }
}

#[function_component(WaitForMatrix)]
pub fn wait_for_matrix(props: &WaitForMatrixProps) -> Html {
    let rows: Vec<&Row> = props
        .rows
        .iter()
        .filter(|r| !r.blocked_by.is_empty())
        .collect();
    if rows.is_empty() {
        return html! { <span data-testid="no-wait-for">{ "no worker was refused a lock" }</span> };
    }
    let mut columns: Vec<Option<WorkerId>> = rows
        .iter()
        .flat_map(|r| r.blocked_by.iter().map(|b| b.by))
        .collect();
    crate::ordering::sort_by_key(&mut columns, |by| (by.is_none(), *by));
    columns.dedup();
    let role = |w: WorkerId| props.rows.iter().find(|r| r.worker == w).map(|r| r.role);
    let column_name = |by: Option<WorkerId>| match by {
        Some(HOST_WORKER) => "by the host's connection".to_string(),
        Some(w) => format!("by {}", name(w, role(w))),
        None => "by nobody known".to_string(),
    };
    html! {
        <table class="wait-for" data-testid="wait-for-matrix"
            data-refused={props.refused_locks.to_string()}>
            <caption>{ format!("{} locks refused. A row is the worker refused, a column the worker \
                that held the lock in the way; each cell: refusals, and the busy wait after them.",
                props.refused_locks) }</caption>
            <thead><tr><th scope="col">{ "refused" }</th>
                { for columns.iter().map(|by| html! { <th scope="col">{ column_name(*by) }</th> }) }
            </tr></thead>
            <tbody>
                { for rows.iter().map(|r| html! {
                    <tr data-worker={r.worker.to_string()}>
                        <th scope="row">{ name(r.worker, Some(r.role)) }</th>
                        { for columns.iter().map(|by| match r.blocked_by.iter().find(|b| b.by == *by) {
                            Some(b) => html! {
                                <td data-refusals={b.refusals.to_string()}
                                    data-wait-ms={format!("{:.3}", Dec(b.wait_ms))}>
                                    { format!("{}, {:.0} ms", b.refusals, Dec(b.wait_ms)) }</td>
                            },
                            None => html! { <td>{ if *by == Some(r.worker) { "\u{2014}" } else { "" } }</td> },
                        }) }
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
