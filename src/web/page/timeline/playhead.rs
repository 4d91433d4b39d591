//! A replay's playhead over the timeline: a dark line across the lanes and a
//! triangle on the axis, drawn once on a small canvas of its own that lies over
//! the lanes' canvas and moves with a CSS transform. Moving it puts no pixel on
//! the lanes' canvas and renders no component: a replay moves it every frame,
//! and painting the lanes again (or only putting them back) cost a frame more
//! than it has (`tests/e2e/bench-replay.mjs`).

use super::canvas::{AXIS_HEIGHT, LABEL_WIDTH};
use crate::decimal::Dec;
use crate::timeline::View;
use crate::web::page::watchers::{Watch, Watchers};
use std::cell::Cell;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};
use yew::Callback;

/// The playhead's canvas, in canvas pixels: its line is `LINE` wide in the
/// middle, its triangle `WIDTH` wide and `TRIANGLE` tall under the lanes.
const WIDTH: u32 = 10;
const LINE: f64 = 2.0;
const TRIANGLE: u32 = 6;

/// Where a replay's playhead is (`None`: not shown), shared by the replay that
/// moves it and the timeline that shows it; whoever watches it hears each move.
#[derive(Default)]
pub struct PlayheadCell {
    at: Cell<Option<u64>>,
    watchers: Watchers<Option<u64>>,
}

/// A cell is the same playhead as itself only.
impl PartialEq for PlayheadCell {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl PlayheadCell {
    pub fn get(&self) -> Option<u64> {
        self.at.get()
    }

    /// Move the playhead; every watcher hears of it, if it moved.
    pub fn set(&self, at: Option<u64>) {
        if self.at.replace(at) != at {
            self.watchers.tell(at);
        }
    }

    /// Call `on_move` at every move, until the `Watch` is dropped.
    pub fn watch(&self, on_move: Callback<Option<u64>>) -> Watch {
        self.watchers.watch(on_move)
    }
}

/// Put the playhead's canvas `line` at time `at` of `view` over the lanes'
/// canvas `lanes` (hidden when `at` is `None` or outside the view), drawing it
/// first if the lanes' height changed. Its size and place are fractions of the
/// lanes' canvas, so that it scales with it (presenter mode, narrow screens).
pub(super) fn place(
    line: &HtmlCanvasElement,
    lanes: &HtmlCanvasElement,
    view: &View,
    at: Option<u64>,
) {
    let (width, height) = (lanes.width(), lanes.height());
    let lanes_height = height.saturating_sub(AXIS_HEIGHT as u32);
    let Some(t) = at.filter(|t| view.shows(*t) && width > 0 && lanes_height > 0) else {
        let _ = line.set_attribute("style", "visibility: hidden");
        return;
    };
    let tall = lanes_height + TRIANGLE;
    if line.width() != WIDTH || line.height() != tall {
        line.set_width(WIDTH);
        line.set_height(tall);
        draw(line, lanes_height);
    }
    // The line's middle on the column of `t`; translateX's percentages are of
    // the playhead's own width.
    let left = (LABEL_WIDTH + view.column(t)) as f64 - f64::from(WIDTH) / 2.0;
    let style = format!(
        "visibility: visible; width: {}%; height: {}%; transform: translateX({}%)",
        Dec(percent(WIDTH, width)),
        Dec(percent(tall, height)),
        Dec(left / f64::from(WIDTH) * 100.0)
    );
    let _ = line.set_attribute("style", &style);
}

/// `part` as a percentage of `whole`.
fn percent(part: u32, whole: u32) -> f64 {
    f64::from(part) / f64::from(whole.max(1)) * 100.0
}

/// The line over lanes `lanes_height` tall and the triangle below them.
fn draw(line: &HtmlCanvasElement, lanes_height: u32) {
    let Some(ctx) = line
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
    else {
        return;
    };
    let (middle, bottom) = (f64::from(WIDTH) / 2.0, f64::from(lanes_height));
    ctx.clear_rect(0.0, 0.0, f64::from(WIDTH), bottom + f64::from(TRIANGLE));
    ctx.set_fill_style_str("#1d1d1f");
    ctx.fill_rect(middle - LINE / 2.0, 0.0, LINE, bottom);
    ctx.begin_path();
    ctx.move_to(0.0, bottom);
    ctx.line_to(f64::from(WIDTH), bottom);
    ctx.line_to(middle, bottom + f64::from(TRIANGLE));
    ctx.fill();
}
