//! The page's timeline: one lane per worker, drawn as SVG from the timeline model
//! (a fixed number of slices per lane, so 100k events draw as fast as 100), with
//! zoom and pan, a legend, and details on hover. Colours are the Okabe-Ito palette,
//! which stays distinguishable for colour-blind readers; errors are black marks.

use crate::timeline::{self, Cell};
use crate::trace::{Role, TraceEvent};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

const SLICES: usize = 800;
const LABEL_WIDTH: usize = 70;
const LANE_HEIGHT: usize = 22;

fn colour(cell: Cell) -> &'static str {
    match cell {
        Cell::Idle => "#f1f1ec",
        Cell::Shared => "#56B4E9",
        Cell::WalRead => "#9AD0EE",
        Cell::Reserved => "#E69F00",
        Cell::WalWrite => "#F0E442",
        Cell::Pending => "#CC79A7",
        Cell::Exclusive => "#D55E00",
        Cell::BusyWait => "#999999",
        Cell::Error => "#000000",
    }
}

fn explain(cell: Cell) -> &'static str {
    match cell {
        Cell::Idle => "holds no lock",
        Cell::Shared => "reading: other readers may share the database, a writer cannot commit",
        Cell::WalRead => "a WAL read transaction: reads a snapshot, blocks nobody",
        Cell::Reserved => "the one writer: others may still read",
        Cell::WalWrite => "the one writer of a WAL database: readers go on reading",
        Cell::Pending => "waiting to commit: no new readers may start",
        Cell::Exclusive => "committing: nobody else may read or write",
        Cell::BusyWait => "SQLite's busy handler sleeping, waiting for a lock (busy_timeout)",
        Cell::Error => "a statement failed (SQLITE_BUSY, SQLITE_LOCKED, ...)",
    }
}

#[derive(Properties)]
pub struct TimelineProps {
    /// The events so far (growing while the run goes on).
    pub events: Rc<RefCell<Vec<TraceEvent>>>,
    /// The run's time so far, in µs.
    pub end_us: u64,
    /// Changes whenever `events` grew, so that the view draws again.
    pub version: u64,
}

impl PartialEq for TimelineProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.events, &other.events)
            && self.end_us == other.end_us
            && self.version == other.version
    }
}

#[function_component(Timeline)]
pub fn timeline_view(props: &TimelineProps) -> Html {
    let end_us = props.end_us.max(1);
    // The window shown, in µs since the run began; none: the whole run so far.
    let window = use_state(|| None::<(u64, u64)>);
    let (start, stop) = window.unwrap_or((0, end_us));
    let span = (stop - start).max(1);
    let set = |w: UseStateHandle<Option<(u64, u64)>>, f: fn(u64, u64, u64) -> (u64, u64)| {
        Callback::from(move |_| {
            let (s, e) = w.unwrap_or((0, end_us));
            w.set(Some(f(s, e, end_us)));
        })
    };
    let zoom_in = set(window.clone(), |s, e, _| {
        let quarter = (e - s) / 4;
        if e - s > 400 {
            (s + quarter, e - quarter)
        } else {
            (s, e)
        }
    });
    let zoom_out = set(window.clone(), |s, e, end| {
        let half = (e - s) / 2;
        (s.saturating_sub(half), (e + half).min(end))
    });
    let left = set(window.clone(), |s, e, _| {
        let step = ((e - s) / 4).min(s);
        (s - step, e - step)
    });
    let right = set(window.clone(), |s, e, end| {
        let step = ((e - s) / 4).min(end - e);
        (s + step, e + step)
    });
    let whole = {
        let window = window.clone();
        Callback::from(move |_| window.set(None))
    };
    let lanes = timeline::lanes(&props.events.borrow(), start, stop, SLICES);
    let height = lanes.len() * LANE_HEIGHT + 24;
    let ms = |slice: usize| (start + span * slice as u64 / SLICES as u64) as f64 / 1000.0;
    html! {
        <div class="timeline-view" data-testid="timeline-svg">
            <div class="zoom">
                <button onclick={zoom_in} aria-label="Zoom in">{ "+" }</button>
                <button onclick={zoom_out} aria-label="Zoom out">{ "−" }</button>
                <button onclick={left} aria-label="Earlier">{ "◀" }</button>
                <button onclick={right} aria-label="Later">{ "▶" }</button>
                <button onclick={whole}>{ "Whole run" }</button>
                <span class="muted">{ format!("{:.1} ms to {:.1} ms", start as f64 / 1000.0, stop as f64 / 1000.0) }</span>
            </div>
            <svg width="100%" viewBox={format!("0 0 {} {height}", LABEL_WIDTH + SLICES)} role="img"
                aria-label="One lane per worker: the lock it held over time, its busy waits and its errors">
                { for lanes.iter().enumerate().map(|(i, lane)| {
                    let y = i * LANE_HEIGHT;
                    let role = match lane.role { Role::Writer => "worker", Role::Reader => "reader" };
                    let mut runs = Vec::new();
                    let mut at = 0;
                    while at < lane.cells.len() {
                        let cell = lane.cells[at];
                        let from = at;
                        while at < lane.cells.len() && lane.cells[at] == cell {
                            at += 1;
                        }
                        if cell != Cell::Idle {
                            runs.push((from, at, cell));
                        }
                    }
                    html! {
                        <g class="lane" data-worker={lane.worker.to_string()}>
                            <text x="0" y={(y + 15).to_string()} class="lane-label">{ format!("{role} {}", lane.worker) }</text>
                            <rect x={LABEL_WIDTH.to_string()} y={(y + 2).to_string()} width={SLICES.to_string()}
                                height={(LANE_HEIGHT - 4).to_string()} fill={colour(Cell::Idle)} />
                            { for runs.into_iter().map(|(from, to, cell)| {
                                let (h, dy) = if cell == Cell::Error { (LANE_HEIGHT - 4, 2) } else { (LANE_HEIGHT - 8, 4) };
                                html! {
                                    <rect x={(LABEL_WIDTH + from).to_string()} y={(y + dy).to_string()}
                                        width={(to - from).max(1).to_string()} height={h.to_string()} fill={colour(cell)}
                                        tabindex="0" class={format!("cell {}", cell.label().replace(' ', "-"))}>
                                        <title>{ format!("{role} {}: {} from {:.2} to {:.2} ms ({})",
                                            lane.worker, cell.label(), ms(from), ms(to), explain(cell)) }</title>
                                    </rect>
                                }
                            }) }
                        </g>
                    }
                }) }
                <text x={LABEL_WIDTH.to_string()} y={(height - 4).to_string()} class="axis">
                    { format!("{:.1} ms", start as f64 / 1000.0) }</text>
                <text x={(LABEL_WIDTH + SLICES).to_string()} y={(height - 4).to_string()} class="axis" text-anchor="end">
                    { format!("{:.1} ms", stop as f64 / 1000.0) }</text>
            </svg>
            <ul class="legend" data-testid="legend">
                { for Cell::ALL.iter().skip(1).map(|cell| html! {
                    <li><span class="swatch" style={format!("background:{}", colour(*cell))}></span>
                        <strong>{ cell.label() }</strong>{ ": " }{ explain(*cell) }</li>
                }) }
            </ul>
        </div>
    }
}
