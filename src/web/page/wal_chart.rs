//! The queue database's WAL over a run: how long its file grew, as a line over
//! the run's time, with a tick where the log started over; and the report's
//! numbers beside it. Shown only for a run whose WAL grew.

use crate::analysis::report::RunReport;
use crate::decimal::Dec;
use crate::trace::{DbFile, EventKind, TraceEvent};
use yew::prelude::*;

const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 48.0;

#[derive(Properties, PartialEq)]
pub struct WalChartProps {
    pub report: RunReport,
    pub events: std::rc::Rc<Vec<TraceEvent>>,
    /// The time axis shared with another run's chart (a comparison), in µs;
    /// the run's own length when `None`.
    #[prop_or_default]
    pub axis_us: Option<u64>,
}

/// "50.9 MB", "812 KB".
fn size(bytes: u64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", Dec(bytes as f64 / 1e6))
    } else {
        format!("{:.0} KB", Dec(bytes as f64 / 1e3))
    }
}

#[function_component(WalChart)]
pub fn wal_chart(props: &WalChartProps) -> Html {
    let r = &props.report;
    if r.wal_bytes_max == 0 {
        return html! {};
    }
    let end_us = props
        .axis_us
        .unwrap_or((r.elapsed_ms * 1000.0) as u64)
        .max(1);
    let x = |t: u64| (t.min(end_us) as f64 / end_us as f64) * WIDTH;
    let y = |bytes: u64| HEIGHT - (bytes as f64 / r.wal_bytes_max as f64) * (HEIGHT - 2.0);
    // The file's length only grows (a restart writes over its start), so the
    // line is the running maximum of the growths.
    let mut longest = 0;
    let mut points = vec![format!("0,{}", Dec(HEIGHT))];
    let mut restarts = Vec::new();
    for e in props.events.iter() {
        match e.kind {
            EventKind::WalGrew {
                db: DbFile::Queue,
                bytes,
            } if bytes > longest => {
                longest = bytes;
                points.push(format!("{:.1},{:.1}", Dec(x(e.t_us)), Dec(y(bytes))));
            }
            EventKind::WalRestarted { db: DbFile::Queue } => restarts.push(x(e.t_us)),
            _ => {}
        }
    }
    let run_end = Dec(x((r.elapsed_ms * 1000.0) as u64));
    points.push(format!("{run_end:.1},{:.1}", Dec(y(longest))));
    let said = format!(
        "The WAL file grew to {}; {} checkpoints ran, and the log started over {} times.",
        size(r.wal_bytes_max),
        r.wal_checkpoints,
        r.wal_restarts
    );
    html! {
        <figure class="wal-chart" data-testid="wal-chart">
            <svg viewBox={format!("0 0 {} {}", Dec(WIDTH), Dec(HEIGHT))} width={Dec(WIDTH).to_string()} height={Dec(HEIGHT).to_string()}
                role="img" aria-label={said.clone()}>
                <polyline points={points.join(" ")} fill="none" stroke="currentColor" stroke-width="2" />
                { for restarts.iter().map(|&x| Dec(x)).map(|x| html! {
                    <line x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="0" y2={Dec(HEIGHT).to_string()}
                        stroke="currentColor" stroke-dasharray="2 2" />
                }) }
            </svg>
            <figcaption data-testid="wal">{ said }{ " The line is the WAL file's length over the run; \
                a dashed mark, a start over." }</figcaption>
        </figure>
    }
}
