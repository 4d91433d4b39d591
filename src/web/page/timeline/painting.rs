//! When the timeline paints: its lanes again only when what they show changed,
//! and a live view with many lanes over two frames.

use super::canvas::{present, Surface};
use super::window::Window;
use super::Geometry;
use crate::timeline::paint::{self, Cursor, Raster};
use crate::timeline::{Timeline, View};
use std::cell::RefCell;
use std::ops::Range;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// A live view's lanes from this many on are painted over two frames: half of
/// them in one, the rest, the edges and the canvas in the next. Painting 16 lanes
/// took 4 to 33 ms a redraw (bench-frames' run), with the canvas put and
/// Chromium's own work on top in the same frame.
const SPREAD_FROM_LANES: usize = 8;

/// Run `then` before the browser's next frame is drawn.
pub(crate) fn next_frame(then: impl FnOnce() + 'static) {
    if let Some(w) = web_sys::window() {
        let f = wasm_bindgen::closure::Closure::once_into_js(then);
        let _ = w.request_animation_frame(f.unchecked_ref());
    }
}

/// What a frame shows: the timeline's version, the run's time, the window and
/// the axis, the cursor and the lane pointed at; `resized` changes when the
/// page's size does. The timeline draws whenever it changes (a replay's
/// playhead moves apart: `playhead`).
#[derive(Clone, Copy, PartialEq)]
pub(super) struct Frame {
    pub version: u64,
    pub now_us: u64,
    pub window: Window,
    pub axis_us: u64,
    pub resized: u32,
    pub cursor: Option<Cursor>,
    pub pointed: Option<usize>,
}

/// What a painted raster shows: the timeline's version, the run's time, the
/// view's window and width, the cursor and the lane pointed at.
type PaintKey = (u64, u64, u64, u64, usize, Option<Cursor>, Option<usize>);

impl Frame {
    fn key(&self, view: &View) -> PaintKey {
        (
            self.version,
            self.now_us,
            view.start_us,
            view.end_us,
            view.width,
            self.cursor,
            self.pointed,
        )
    }
}

/// Paint `timeline` on the canvas of `geometry` whenever `frame` changes;
/// `spread`: a live view, whose many lanes are painted over two frames.
#[hook]
pub(super) fn use_painting(
    geometry: &Geometry,
    timeline: &Rc<RefCell<Timeline>>,
    frame: Frame,
    spread: bool,
) {
    let raster = use_mut_ref(Raster::default);
    let surface = use_mut_ref(Surface::default);
    // What the raster shows now: painted again only when this changes.
    let painted = use_mut_ref(|| None::<PaintKey>);
    // Bumped by every drawing, so that the second half of a spread one that a
    // newer drawing overtook is left undone.
    let drawings = use_mut_ref(|| 0u64);
    let (geometry, timeline) = (geometry.clone(), timeline.clone());
    use_effect_with(frame, move |frame| {
        let Some((canvas, view)) = geometry.canvas_and_view(frame.window) else {
            return;
        };
        let key = frame.key(&view);
        let repaint = painted.borrow().as_ref() != Some(&key);
        *drawings.borrow_mut() += 1;
        let lanes = timeline.borrow().lanes().len();
        if !(spread && repaint && lanes >= SPREAD_FROM_LANES) {
            *painted.borrow_mut() = Some(key);
            let (timeline, mut raster) = (timeline.borrow(), raster.borrow_mut());
            if repaint {
                let (now_us, cursor, focus) = (frame.now_us, frame.cursor, frame.pointed);
                paint::paint(&timeline, &view, now_us, cursor, focus, &mut raster);
            }
            present(
                &canvas,
                &mut surface.borrow_mut(),
                &timeline,
                &view,
                &raster,
            );
            return;
        }
        // Half the lanes now; the raster shows nothing whole until the other
        // half is painted, so no drawing may put it meanwhile.
        *painted.borrow_mut() = None;
        let half = lanes / 2;
        let (now_us, cursor) = (frame.now_us, frame.cursor);
        let focus = frame.pointed.or(cursor.map(|c| c.lane));
        let paint_half = move |t: &Timeline, view: &View, half: Range<usize>, r: &mut Raster| {
            paint::paint_lanes(t, view, now_us, cursor, half, lanes, r)
        };
        paint_half(&timeline.borrow(), &view, 0..half, &mut raster.borrow_mut());
        let this = *drawings.borrow();
        next_frame(move || {
            if *drawings.borrow() != this {
                return;
            }
            let (timeline, mut raster) = (timeline.borrow(), raster.borrow_mut());
            paint_half(&timeline, &view, half..lanes, &mut raster);
            paint::paint_edges(&timeline, &view, focus, &mut raster);
            *painted.borrow_mut() = Some(key);
            present(
                &canvas,
                &mut surface.borrow_mut(),
                &timeline,
                &view,
                &raster,
            );
        });
    });
}
