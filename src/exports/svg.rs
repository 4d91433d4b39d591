//! The timeline as an SVG drawing, for a slide or for print: the scenario's name
//! and how the run went, one lane per worker with its name, the time axis, and a
//! legend. It draws what the page's canvas draws (`timeline::paint`), in the same
//! colours and shapes, from the same columns of the same model: each run of
//! equal columns is one rectangle, so the file stays small and prints sharp at
//! any size. Every text that comes from the run (the scenario's name, SQL in a
//! label) is escaped.

use crate::analysis::report::{Outcome, RunReport};
use crate::decimal::Dec;
use crate::duration::ms_label;
use crate::timeline::paint::{cell_colour, error_colour, hex, EDGE, EDGE_ROOM};
use crate::timeline::{Cell, ErrorKind, Timeline, TxEnd, View};
use crate::trace::TraceEvent;
use std::fmt::Write;

/// The drawing's width in user units (px): a slide's picture, drawn by the
/// browser at 1.2 times that (1920 px) for the PNG.
pub const SVG_WIDTH: usize = 1600;
const LABEL: usize = 128;
const RIGHT: usize = 24;
const PLOT: usize = SVG_WIDTH - LABEL - RIGHT;
const TOP: usize = 84;
const LANE: usize = 48;
const TX: (usize, usize) = (2, 6);
const BAR: (usize, usize) = (9, 29);
const JOBS: (usize, usize) = (31, 36);
const ERRORS: usize = 37;
const REFUSAL_Y: usize = 9;
const AXIS: usize = 40;
const LEGEND_ROW: usize = 26;

const INK: &str = "#1d1d1f";
const MUTED: &str = "#5f6368";
const RULE: &str = "#e4e4e0";
const TX_COLOUR: &str = "#444444";
const CLAIM: &str = "#888888";
const DONE: &str = "#222222";
const SANS: &str = "DejaVu Sans, Helvetica, Arial, sans-serif";
const MONO: &str = "DejaVu Sans Mono, ui-monospace, monospace";

/// Text as XML character data or an attribute value.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 allows no other control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn id(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::Busy => "err-busy",
        ErrorKind::BusySnapshot => "err-busy-snapshot",
        ErrorKind::Locked => "err-locked",
        ErrorKind::Other => "err-other",
    }
}

/// The shared pieces: the busy wait's hatching, the error shapes (10 by 10,
/// as on the canvas: BUSY a downward triangle, BUSY_SNAPSHOT a diamond, LOCKED
/// a hollow square, any other error a cross) and the wait-for edge's arrowhead.
fn defs(out: &mut String) {
    let c = |k| hex(error_colour(k));
    let _ = write!(
        out,
        r##"<defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="4" height="4" fill="{wait}"/><rect width="1.4" height="4" fill="#606060"/></pattern><g id="err-busy"><path d="M0 0H10L5 10Z" fill="{busy}"/></g><g id="err-busy-snapshot"><path d="M5 0L10 5L5 10L0 5Z" fill="{snap}"/></g><g id="err-locked"><rect x="1" y="1" width="8" height="8" fill="none" stroke="{locked}" stroke-width="2"/></g><g id="err-other"><path d="M1 1L9 9M9 1L1 9" stroke="{other}" stroke-width="2.5"/></g><marker id="arrow" viewBox="0 0 8 8" refX="7" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0 0L8 4L0 8Z" fill="{edge}"/></marker></defs>"##,
        wait = hex(cell_colour(Cell::BusyWait)),
        busy = c(ErrorKind::Busy),
        snap = c(ErrorKind::BusySnapshot),
        locked = c(ErrorKind::Locked),
        other = c(ErrorKind::Other),
        edge = hex(EDGE),
    );
}

/// Runs of equal values: (first column, columns, value).
fn runs<T: Copy + PartialEq>(columns: &[T]) -> Vec<(usize, usize, T)> {
    let mut out: Vec<(usize, usize, T)> = Vec::new();
    for (x, v) in columns.iter().enumerate() {
        match out.last_mut() {
            Some((_, n, last)) if *last == *v => *n += 1,
            _ => out.push((x, 1, *v)),
        }
    }
    out
}

fn fill_of(cell: Cell) -> String {
    match cell {
        Cell::BusyWait => "url(#hatch)".to_string(),
        cell => hex(cell_colour(cell)),
    }
}

/// How the run went, in one line under the title.
fn subtitle(r: &RunReport, lanes: usize) -> String {
    let outcome = match r.outcome {
        Outcome::Completed => "completed",
        Outcome::Stopped => "stopped",
        Outcome::TimeLimit => "stopped at its time limit",
        Outcome::Failed => "failed",
        Outcome::PowerCut => "power cut",
    };
    let field = |name: &str| r.scenario.get(name).map(|v| v.to_string().replace('"', ""));
    let mut words = vec![
        format!(
            "{outcome}: {} of {} jobs done in {:.0} ms",
            r.jobs.done,
            r.jobs.seeded,
            Dec(r.elapsed_ms)
        ),
        format!("{lanes} lane{}", if lanes == 1 { "" } else { "s" }),
        format!("journal_mode {}", r.journal_mode),
    ];
    if let Some(t) = field("transaction") {
        words.push(format!("{t} transactions"));
    }
    if let Some(b) = field("busy_timeout_ms") {
        words.push(format!("busy_timeout {b} ms"));
    }
    words.push(format!(
        "{} lock errors, {} locks refused",
        r.lock_errors(),
        r.refused_locks
    ));
    words.join(" \u{b7} ")
}

/// The timeline of the run whose report is `report` and whose trace is
/// `events`, as an SVG document.
pub fn timeline_svg(report: &RunReport, events: &[TraceEvent]) -> String {
    let timeline = Timeline::from_events(events);
    let end_us = ((report.elapsed_ms * 1000.0) as u64)
        .max(timeline.last_us())
        .max(1);
    let view = View::new(0, end_us, PLOT);
    let lanes = timeline.lanes().len();
    let axis_y = TOP + lanes * LANE;
    let legend_y = axis_y + AXIS;
    let (legend, legend_rows) = legend(legend_y, timeline.has_interpreter_waits());
    let height = legend_y + legend_rows * LEGEND_ROW + 8;
    let name = report
        .scenario
        .get("name")
        .and_then(|n| n.as_str())
        .filter(|n| !n.is_empty())
        .unwrap_or("a scenario of your own");
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="{SVG_WIDTH}" height="{height}" viewBox="0 0 {SVG_WIDTH} {height}" font-family="{SANS}">"#
    );
    let _ = write!(out, "<title>locklab timeline: {}</title>", escape(name));
    defs(&mut out);
    let _ = write!(
        out,
        r##"<rect width="{SVG_WIDTH}" height="{height}" fill="#ffffff"/><text x="24" y="38" font-size="26" font-weight="bold" fill="{INK}" data-role="title">{}</text><text x="24" y="64" font-size="15" fill="{MUTED}">{}</text>"##,
        escape(&format!("locklab: {name}")),
        escape(&subtitle(report, lanes)),
    );
    for (i, lane) in timeline.lanes().enumerate() {
        draw_lane(&mut out, &timeline, &view, end_us, i, lane);
    }
    draw_edges(&mut out, &timeline, &view);
    draw_axis(&mut out, &view, axis_y);
    out.push_str(&legend);
    out.push_str("</svg>\n");
    out
}

fn draw_lane(
    out: &mut String,
    timeline: &Timeline,
    view: &View,
    now_us: u64,
    i: usize,
    lane: &crate::timeline::Lane,
) {
    let y0 = TOP + i * LANE;
    let _ = write!(
        out,
        r#"<g data-lane="{}"><text x="{}" y="{}" font-size="15" font-family="{MONO}" fill="{INK}">{}</text>"#,
        escape(&lane.name()),
        8,
        y0 + 24,
        escape(&lane.name())
    );
    let _ = write!(
        out,
        r#"<rect x="{LABEL}" y="{}" width="{PLOT}" height="{}" fill="{}"/><rect x="0" y="{}" width="{SVG_WIDTH}" height="1" fill="{RULE}"/>"#,
        y0 + BAR.0,
        BAR.1 - BAR.0,
        hex(cell_colour(Cell::Idle)),
        y0 + LANE - 1,
    );
    let rows = lane.rows(view, now_us);
    for (x, n, end) in runs(&rows.txs) {
        let x = LABEL + x;
        match end {
            None => {}
            Some(TxEnd::RolledBack) => {
                let _ = write!(
                    out,
                    r#"<line x1="{x}" y1="{y}" x2="{}" y2="{y}" stroke="{TX_COLOUR}" stroke-width="4" stroke-dasharray="3 3"/>"#,
                    x + n,
                    y = y0 + (TX.0 + TX.1) / 2,
                );
            }
            Some(_) => {
                let _ = write!(
                    out,
                    r#"<rect x="{x}" y="{}" width="{n}" height="{}" fill="{TX_COLOUR}"/>"#,
                    y0 + TX.0,
                    TX.1 - TX.0
                );
            }
        }
    }
    for (x, n, cell) in runs(&rows.cells) {
        if cell != Cell::Idle {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{n}" height="{}" fill="{}"/>"#,
                LABEL + x,
                y0 + BAR.0,
                BAR.1 - BAR.0,
                fill_of(cell)
            );
        }
    }
    // Every mark at its own column, as the export has always placed them, even
    // from far away, where the page's rows read the buckets' columns.
    let (jobs, errors) = lane.exact_mark_columns(view);
    let (mut claims, mut done) = (String::new(), String::new());
    for (x, job) in jobs.into_iter().enumerate() {
        let x = LABEL + x;
        match job {
            Some(true) => {
                let _ = write!(done, "M{x}.5 {}v{}", y0 + JOBS.0, JOBS.1 - JOBS.0);
            }
            Some(false) => {
                let _ = write!(claims, "M{x}.5 {}v{}", y0 + JOBS.0 + 2, JOBS.1 - JOBS.0 - 2);
            }
            None => {}
        }
    }
    for (d, colour) in [(claims, CLAIM), (done, DONE)] {
        if !d.is_empty() {
            let _ = write!(out, r#"<path d="{d}" stroke="{colour}" stroke-width="1"/>"#);
        }
    }
    for (x, kind) in errors.into_iter().enumerate() {
        if let Some(kind) = kind {
            let _ = write!(
                out,
                r##"<use href="#{}" x="{}" y="{}"/>"##,
                id(kind),
                Dec((LABEL + x) as f64 - 5.0),
                y0 + ERRORS
            );
        }
    }
    let mut last = None;
    for (t_us, _) in lane.refusals_in(view) {
        let x = view.column(*t_us);
        if last.replace(x) != Some(x) {
            let _ = write!(
                out,
                r#"<circle cx="{}.5" cy="{}" r="3" fill="{}"/>"#,
                LABEL + x,
                y0 + REFUSAL_Y,
                hex(EDGE)
            );
        }
    }
    for (lane_index, from, to, holder) in timeline.wait_labels(view, 40).into_iter().take(200) {
        if lane_index != i {
            continue;
        }
        let (x0, x1) = (view.column(from), view.column(to));
        let text = match x1 - x0 {
            w if w >= 150 => format!("waits for {holder}"),
            w if w >= 40 => format!("\u{2192} {}", holder.rsplit(' ').next().unwrap_or("")),
            _ => continue,
        };
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="11" font-family="{MONO}" fill="{INK}" stroke="#ffffff" stroke-width="3" paint-order="stroke">{}</text>"##,
            LABEL + x0 + 3,
            y0 + BAR.0 + 14,
            escape(&text)
        );
    }
    out.push_str("</g>");
}

/// The wait-for edges, where they stand apart (as the canvas draws them with
/// no lane pointed at).
fn draw_edges(out: &mut String, timeline: &Timeline, view: &View) {
    for e in timeline.edges(view, None, view.width / EDGE_ROOM) {
        let Some(to) = e.holder_lane else { continue };
        let x = LABEL + view.column(e.t_us);
        let from_y = TOP + e.lane * LANE + REFUSAL_Y;
        let to_y = TOP + to * LANE + if to > e.lane { BAR.0 } else { BAR.1 };
        let _ = write!(
            out,
            r#"<line x1="{x}.5" y1="{from_y}" x2="{x}.5" y2="{to_y}" stroke="{}" stroke-width="1.5" stroke-dasharray="3 2" marker-end="url(#arrow)"/>"#,
            hex(EDGE)
        );
    }
}

fn draw_axis(out: &mut String, view: &View, y: usize) {
    let _ = write!(
        out,
        r#"<g data-role="axis" font-size="13" fill="{MUTED}"><rect x="{LABEL}" y="{y}" width="{PLOT}" height="1" fill="{MUTED}"/>"#
    );
    let ticks = 10;
    for k in 0..=ticks {
        let column = (view.width - 1) * k / ticks;
        let x = LABEL + column;
        let anchor = match k {
            0 => "start",
            k if k == ticks => "end",
            _ => "middle",
        };
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{y}" width="1" height="6" fill="{MUTED}"/><text x="{x}" y="{}" text-anchor="{anchor}">{}</text>"#,
            y + 20,
            ms_label(view.time_at(column))
        );
    }
    let _ = write!(
        out,
        r#"<text x="8" y="{}" fill="{MUTED}">time</text></g>"#,
        y + 20
    );
}

/// The legend from `y` down: every colour and shape the lanes use (the
/// interpreter wait only when a worker waited for one), in rows that fit the
/// width. Returns it and its number of rows.
fn legend(y: usize, interpreter: bool) -> (String, usize) {
    let mut items: Vec<(String, &str)> = Vec::new();
    let cells = Cell::ALL.into_iter();
    for cell in cells.filter(|c| interpreter || *c != Cell::InterpreterWait) {
        items.push((
            format!(
                r#"<rect width="16" height="14" fill="{}" stroke="{RULE}"/>"#,
                fill_of(cell)
            ),
            cell.label(),
        ));
    }
    items.push((
        format!(r#"<rect y="5" width="16" height="4" fill="{TX_COLOUR}"/>"#),
        "transaction",
    ));
    items.push((
        format!(r#"<line x1="0" y1="7" x2="16" y2="7" stroke="{TX_COLOUR}" stroke-width="4" stroke-dasharray="3 3"/>"#),
        "rolled back",
    ));
    items.push((
        format!(r#"<path d="M8.5 6v8" stroke="{CLAIM}"/>"#),
        "job claimed",
    ));
    items.push((
        format!(r#"<path d="M8.5 2v12" stroke="{DONE}"/>"#),
        "job done",
    ));
    for kind in ErrorKind::ALL {
        items.push((
            format!(r##"<use href="#{}" x="3" y="2"/>"##, id(kind)),
            kind.label(),
        ));
    }
    items.push((
        format!(
            r#"<circle cx="4" cy="7" r="3" fill="{e}"/><line x1="7" y1="7" x2="16" y2="7" stroke="{e}" stroke-width="1.5" stroke-dasharray="3 2"/>"#,
            e = hex(EDGE)
        ),
        "refused lock, to whom held it",
    ));
    let mut out = format!(r#"<g data-role="legend" font-size="13" fill="{INK}">"#);
    let (mut x, mut row) = (LABEL, 0);
    for (swatch, label) in items {
        // About 7.5 px per character of 13 px sans-serif, and room around it.
        let width = 24 + label.chars().count() * 8 + 18;
        if x + width > SVG_WIDTH - RIGHT {
            x = LABEL;
            row += 1;
        }
        let _ = write!(
            out,
            r#"<g transform="translate({x} {})">{swatch}<text x="22" y="12">{}</text></g>"#,
            y + row * LEGEND_ROW,
            escape(label)
        );
        x += width;
    }
    out.push_str("</g>");
    (out, row + 1)
}

#[cfg(test)]
mod tests {
    use super::{escape, runs};

    #[test]
    fn text_from_a_run_cannot_break_the_markup() {
        assert_eq!(
            escape("a <b> & \"c\" 'd'\u{1}"),
            "a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; "
        );
    }

    #[test]
    fn equal_columns_make_one_run() {
        assert_eq!(
            runs(&[1, 1, 2, 2, 2, 1]),
            vec![(0, 2, 1), (2, 3, 2), (5, 1, 1)]
        );
    }
}
