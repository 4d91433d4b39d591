//! The timeline's canvas: a painted raster (`crate::timeline::paint`) put on it in one
//! call, with what is written over the lanes: their names, whom a busy wait waits
//! for and the time axis. A replay's playhead lies over it (`playhead`).

use crate::duration::ms_label;
use crate::timeline::paint::{Raster, LANE_HEIGHT};
use crate::timeline::{Timeline, View};
use crate::web::page::canvas_fonts;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};

pub(crate) const LABEL_WIDTH: usize = 76;
pub(super) const AXIS_HEIGHT: usize = 18;

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

/// What a timeline keeps of its canvas between drawings: its context, and the
/// lanes' names it wrote (written again only when they change: each is text,
/// which costs tens of microseconds on a canvas).
#[derive(Default)]
pub(super) struct Surface {
    ctx: Option<CanvasRenderingContext2d>,
    names: Vec<String>,
}

/// The raster's pixels on the canvas, right of the names. The ImageData is made
/// over a view of the wasm's memory (wasm-bindgen passes a `Clamped` slice as a
/// subarray of it), so only putImageData copies them.
fn put_raster(ctx: &CanvasRenderingContext2d, raster: &Raster) {
    if raster.height == 0 {
        return;
    }
    if let Ok(image) = ImageData::new_with_u8_clamped_array_and_sh(
        Clamped(&raster.rgba),
        raster.width as u32,
        raster.height as u32,
    ) {
        let _ = ctx.put_image_data(&image, LABEL_WIDTH as f64, 0.0);
    }
}

/// Put the painted raster on the canvas with what is written over it: the
/// raster's pixels replace those under it (and the labels written there
/// before), the names are written if they changed, the axis again.
pub(super) fn present(
    canvas: &HtmlCanvasElement,
    surface: &mut Surface,
    timeline: &Timeline,
    view: &View,
    raster: &Raster,
) {
    if fit(canvas, raster) {
        // A canvas resized is blank.
        surface.names.clear();
    }
    if surface.ctx.is_none() {
        surface.ctx = context(canvas);
    }
    let Some(ctx) = &surface.ctx else {
        return;
    };
    put_raster(ctx, raster);
    let names: Vec<String> = timeline.lanes().map(|lane| lane.name()).collect();
    if names != surface.names {
        ctx.clear_rect(0.0, 0.0, LABEL_WIDTH as f64, raster.height as f64);
        write_names(ctx, &names);
        surface.names = names;
    }
    label_waits(ctx, timeline, view);
    let width = (LABEL_WIDTH + raster.width) as f64;
    ctx.clear_rect(0.0, raster.height as f64, width, AXIS_HEIGHT as f64);
    axis(ctx, view, raster.height, 5);
}

/// Size `canvas` to the raster with the lane names and the axis beside and
/// below it; whether it was resized (and so cleared).
fn fit(canvas: &HtmlCanvasElement, raster: &Raster) -> bool {
    let (width, height) = (LABEL_WIDTH + raster.width, raster.height + AXIS_HEIGHT);
    if canvas.width() == width as u32 && canvas.height() == height as u32 {
        return false;
    }
    canvas.set_width(width as u32);
    canvas.set_height(height as u32);
    true
}

fn write_names(ctx: &CanvasRenderingContext2d, names: &[String]) {
    ctx.set_fill_style_str("#1d1d1f");
    ctx.set_font(canvas_fonts::LANES);
    for (i, name) in names.iter().enumerate() {
        let _ = ctx.fill_text(name, 2.0, (i * LANE_HEIGHT + 17) as f64);
    }
}

/// Size `canvas` to the raster with the lane names and the axis beside and
/// below it, put the raster's pixels, and write the lanes' names.
pub(crate) fn put_lanes(
    canvas: &HtmlCanvasElement,
    timeline: &Timeline,
    raster: &Raster,
) -> Option<CanvasRenderingContext2d> {
    fit(canvas, raster);
    let ctx = context(canvas)?;
    ctx.clear_rect(0.0, 0.0, canvas.width().into(), canvas.height().into());
    put_raster(&ctx, raster);
    let names: Vec<String> = timeline.lanes().map(|lane| lane.name()).collect();
    write_names(&ctx, &names);
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
