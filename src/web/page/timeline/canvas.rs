//! The timeline's canvas: a painted raster (`crate::timeline::paint`) put on it in one
//! call, with what is written over the lanes: their names, whom a busy wait waits
//! for, a replay's playhead and the time axis.

use crate::duration::ms_label;
use crate::timeline::paint::{self, Cursor, Raster, LANE_HEIGHT};
use crate::timeline::{Timeline, View};
use crate::web::page::canvas_fonts;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

pub(crate) const LABEL_WIDTH: usize = 76;
const AXIS_HEIGHT: usize = 18;

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// Paint the lanes again if `repaint`, and put them on the canvas.
pub(super) fn draw(
    canvas: &HtmlCanvasElement,
    timeline: &Timeline,
    view: &View,
    now_us: u64,
    (cursor, focus, playhead): (Option<Cursor>, Option<usize>, Option<u64>),
    raster: &mut Raster,
    repaint: bool,
) {
    // The lanes are painted again only when what they show changed; a moving
    // playhead alone puts the same pixels back and draws its line over them.
    if repaint {
        paint::paint(timeline, view, now_us, cursor, focus, raster);
    }
    present(canvas, timeline, view, playhead, raster);
}

/// Put the painted raster on the canvas with what is written over it.
pub(super) fn present(
    canvas: &HtmlCanvasElement,
    timeline: &Timeline,
    view: &View,
    playhead: Option<u64>,
    raster: &Raster,
) {
    let Some(ctx) = put_lanes(canvas, timeline, raster) else {
        return;
    };
    label_waits(&ctx, timeline, view);
    if let Some(t) = playhead.filter(|t| view.shows(*t)) {
        // The playhead: a dark line over the lanes, a triangle on the axis.
        let x = (LABEL_WIDTH + view.column(t)) as f64;
        ctx.set_fill_style_str("#1d1d1f");
        ctx.fill_rect(x - 1.0, 0.0, 2.0, raster.height as f64);
        ctx.begin_path();
        ctx.move_to(x - 5.0, raster.height as f64);
        ctx.line_to(x + 5.0, raster.height as f64);
        ctx.line_to(x, raster.height as f64 + 6.0);
        ctx.fill();
    }
    axis(&ctx, view, raster.height, 5);
}

/// Size `canvas` to the raster with the lane names and the axis beside and
/// below it, put the raster's pixels, and write the lanes' names.
pub(crate) fn put_lanes(
    canvas: &HtmlCanvasElement,
    timeline: &Timeline,
    raster: &Raster,
) -> Option<CanvasRenderingContext2d> {
    let (width, height) = (LABEL_WIDTH + raster.width, raster.height + AXIS_HEIGHT);
    if canvas.width() != width as u32 || canvas.height() != height as u32 {
        canvas.set_width(width as u32);
        canvas.set_height(height as u32);
    }
    let ctx = context(canvas)?;
    ctx.clear_rect(0.0, 0.0, width as f64, height as f64);
    if raster.height > 0 {
        if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(
            Clamped(&raster.rgba),
            raster.width as u32,
            raster.height as u32,
        ) {
            let _ = ctx.put_image_data(&image, LABEL_WIDTH as f64, 0.0);
        }
    }
    ctx.set_fill_style_str("#1d1d1f");
    ctx.set_font(canvas_fonts::LANES);
    for (i, lane) in timeline.lanes().enumerate() {
        let _ = ctx.fill_text(&lane.name(), 2.0, (i * LANE_HEIGHT + 17) as f64);
    }
    Some(ctx)
}

/// The time axis under lanes `height` pixels tall: `ticks` + 1 labelled ticks.
pub(crate) fn axis(ctx: &CanvasRenderingContext2d, view: &View, height: usize, ticks: usize) {
    ctx.set_fill_style_str("#5f6368");
    for k in 0..=ticks {
        let column = (view.width - 1) * k / ticks;
        let label = ms_label(view.time_at(column));
        let x = (LABEL_WIDTH + column) as f64;
        ctx.set_text_align(match k {
            0 => "left",
            k if k == ticks => "right",
            _ => "center",
        });
        let _ = ctx.fill_text(&label, x, (height + 13) as f64);
        ctx.fill_rect(x, height as f64, 1.0, 4.0);
    }
    ctx.set_text_align("left");
}

/// Labels drawn at most per frame: text on a canvas costs tens of microseconds
/// each, and a frame must stay short while workers stream.
const MOST_LABELS: usize = 48;

/// Whom each busy wait wide enough waits for, written on its hatched bar (the
/// first `MOST_LABELS`; zoom in for the others).
fn label_waits(ctx: &CanvasRenderingContext2d, timeline: &Timeline, view: &View) {
    ctx.set_font(canvas_fonts::LABELS);
    let labels = timeline.wait_labels(view, 40);
    for (lane, from, to, holder) in labels.into_iter().take(MOST_LABELS) {
        let (x0, x1) = (view.column(from), view.column(to));
        let text = match x1 - x0 {
            w if w >= 150 => format!("waits for {holder}"),
            w if w >= 40 => format!("\u{2192} {}", holder.rsplit(' ').next().unwrap_or("")),
            _ => continue,
        };
        // A monospace character of 10 px is about 6 px wide.
        let width = text.chars().count() as f64 * 6.1;
        let (x, y) = (
            (LABEL_WIDTH + x0 + 3) as f64,
            (lane * LANE_HEIGHT + 8) as f64,
        );
        ctx.set_fill_style_str("#ffffff");
        ctx.fill_rect(x - 1.0, y, width + 2.0, 11.0);
        ctx.set_fill_style_str("#1d1d1f");
        let _ = ctx.fill_text(&text, x, y + 9.0);
    }
}
