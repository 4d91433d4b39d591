//! The page's timeline: one lane per worker on a canvas. The core paints the lanes
//! into pixels (`timeline_paint`), `timeline_canvas` puts them on the canvas with
//! the lane names and the time axis, and this view decides when to paint (a live
//! view over two frames) and turns the mouse and the keyboard into a window of
//! time and a cursor. Details of what is under the pointer or the cursor come
//! from the core too (`Timeline::details`). The lane pointed at is the one whose
//! wait-for edges are drawn when there are too many to draw them all; a busy wait
//! wide enough is labelled with whom it waits for.

use super::live_view::next_frame;
use super::shell::lane_scale;
use super::timeline_canvas::{draw, ms, present, LABEL_WIDTH};
use super::timeline_legend::Legend;
use super::window_cell::{use_window, WindowCell};
use crate::timeline::paint::{self, Cursor, Raster, LANE_HEIGHT};
use crate::timeline::{pan, zoom, Timeline, View};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

#[derive(Properties)]
pub struct TimelineProps {
    /// The lanes so far (growing while the run goes on).
    pub timeline: Rc<RefCell<Timeline>>,
    /// The run's time so far, in µs: what is still held is drawn until then.
    pub now_us: u64,
    /// Changes whenever `timeline` grew, so that the view draws again.
    pub version: u64,
    /// A replay's playhead, drawn as a line across the lanes.
    #[prop_or_default]
    pub playhead: Option<u64>,
    /// A window shared with stacked timelines (A/B): zooming one moves them all.
    #[prop_or_default]
    pub shared: Option<SharedWindow>,
    /// Show what the colours and shapes mean (one legend for stacked timelines).
    #[prop_or(true)]
    pub legend: bool,
    /// A live view: painting its lanes again is spread over two frames.
    #[prop_or_default]
    pub spread: bool,
}

/// The window of stacked timelines (or of a timeline whose window the page
/// keeps), and their axis.
#[derive(Clone, PartialEq)]
pub struct SharedWindow {
    pub window: Rc<WindowCell>,
    /// The axis's end in µs: the longest run's time.
    pub axis_us: u64,
}

/// The window a timeline shows (its own, or one it shares) and how to move it.
#[derive(Clone)]
struct WindowHandle(Rc<WindowCell>);

impl WindowHandle {
    fn get(&self) -> Window {
        self.0.get()
    }

    fn set(&self, window: Window) {
        self.0.set(window);
    }
}

impl PartialEq for TimelineProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.timeline, &other.timeline)
            && self.now_us == other.now_us
            && self.version == other.version
            && self.playhead == other.playhead
            && self.shared == other.shared
            && self.legend == other.legend
            && self.spread == other.spread
    }
}

/// What a painted raster shows: the timeline's version, the run's time, the
/// window and its width, the cursor and the lane pointed at.
type PaintKey = (u64, u64, u64, u64, usize, Option<Cursor>, Option<usize>);

/// A window of the run, in µs; `None` follows the whole run so far.
pub type Window = Option<(u64, u64)>;

/// The window shown and the columns of a canvas `width` pixels wide.
fn view_of(width: usize, window: Window, now_us: u64) -> View {
    let (start, end) = window.unwrap_or((0, now_us.max(1)));
    View::new(start, end, width.max(300).saturating_sub(LABEL_WIDTH))
}

/// The canvas's width on the page, measured once and again after each resize:
/// reading it forces a layout, which a frame should not pay for.
/// In presenter mode a canvas pixel covers more than one CSS pixel (`lane_scale`):
/// the canvas has fewer pixels than its width, and the page scales it up.
fn measure(canvas: &HtmlCanvasElement, known: &RefCell<Option<usize>>) -> usize {
    *known
        .borrow_mut()
        .get_or_insert_with(|| (canvas.client_width().max(0) as f64 / lane_scale()) as usize)
}

/// A live view's lanes from this many on are painted over two frames: half of
/// them in one, the rest, the edges and the canvas in the next. Painting 16 lanes
/// took 4 to 33 ms a redraw (bench-frames' run), with the canvas put and
/// Chromium's own work on top in the same frame.
const SPREAD_FROM_LANES: usize = 8;

#[function_component(TimelineView)]
pub fn timeline_view(props: &TimelineProps) -> Html {
    let canvas_ref = use_node_ref();
    let raster = use_mut_ref(Raster::default);
    // What the raster shows now: painted again only when this changes.
    let painted = use_mut_ref(|| None::<PaintKey>);
    // Bumped by every drawing, so that the second half of a spread one that a
    // newer drawing overtook is left undone.
    let drawings = use_mut_ref(|| 0u64);
    let own_window = use_memo((), |_| WindowCell::default());
    let window = WindowHandle(
        props
            .shared
            .as_ref()
            .map_or_else(|| own_window.clone(), |s| s.window.clone()),
    );
    // Drawn again when the window moves, and nothing else on the page is.
    let shown = use_window(&window.0);
    let cursor = use_state(|| None::<Cursor>);
    // The lane under the pointer: its wait-for edges are drawn, however many.
    let pointed = use_state(|| None::<usize>);
    let details = use_state(Vec::<String>::new);
    // Where a drag began: the pointer's x and the window then.
    let drag = use_mut_ref(|| None::<(i32, (u64, u64))>);
    // Bumped when the page is resized, so that the canvas fits again.
    let resized = use_state(|| 0u32);
    let width = use_mut_ref(|| None::<usize>);
    let now_us = props.now_us.max(1);
    // The time axis: the run's own, or as long as the longest of those it is shown with.
    let axis_us = props
        .shared
        .as_ref()
        .map_or(now_us, |s| s.axis_us.max(now_us));

    {
        let (resized, width) = (resized.clone(), width.clone());
        use_effect_with((), move |_| {
            let on_resize = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || {
                *width.borrow_mut() = None;
                resized.set(*resized + 1)
            });
            let window = web_sys::window();
            if let Some(w) = &window {
                let _ = w
                    .add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "resize",
                        on_resize.as_ref().unchecked_ref(),
                    );
                }
            }
        });
    }
    {
        let (canvas_ref, timeline, raster, width, painted, drawings) = (
            canvas_ref.clone(),
            props.timeline.clone(),
            raster.clone(),
            width.clone(),
            painted.clone(),
            drawings.clone(),
        );
        let spread = props.spread;
        use_effect_with(
            (
                props.version,
                now_us,
                shown,
                *cursor,
                *resized,
                *pointed,
                props.playhead,
                axis_us,
            ),
            move |(version, now_us, window, cursor, _, pointed, playhead, axis_us)| {
                if let Some(canvas) = canvas_ref.cast::<HtmlCanvasElement>() {
                    let view = view_of(measure(&canvas, &width), *window, *axis_us);
                    let key = (
                        *version,
                        *now_us,
                        view.start_us,
                        view.end_us,
                        view.width,
                        *cursor,
                        *pointed,
                    );
                    let repaint = painted.borrow().as_ref() != Some(&key);
                    *drawings.borrow_mut() += 1;
                    let lanes = timeline.borrow().lanes().len();
                    if !(spread && repaint && lanes >= SPREAD_FROM_LANES) {
                        *painted.borrow_mut() = Some(key);
                        draw(
                            &canvas,
                            &timeline.borrow(),
                            &view,
                            *now_us,
                            (*cursor, *pointed, *playhead),
                            &mut raster.borrow_mut(),
                            repaint,
                        );
                        return;
                    }
                    // Half the lanes now; the raster shows nothing whole until the
                    // other half is painted, so no drawing may put it meanwhile.
                    *painted.borrow_mut() = None;
                    let (now_us, cursor, focus, playhead) = (*now_us, *cursor, *pointed, *playhead);
                    let half = lanes / 2;
                    paint::paint_lanes(
                        &timeline.borrow(),
                        &view,
                        now_us,
                        cursor,
                        0..half,
                        lanes,
                        &mut raster.borrow_mut(),
                    );
                    let this = *drawings.borrow();
                    next_frame(move || {
                        if *drawings.borrow() != this {
                            return;
                        }
                        let (timeline, mut raster) = (timeline.borrow(), raster.borrow_mut());
                        paint::paint_lanes(
                            &timeline,
                            &view,
                            now_us,
                            cursor,
                            half..lanes,
                            lanes,
                            &mut raster,
                        );
                        paint::paint_edges(
                            &timeline,
                            &view,
                            focus.or(cursor.map(|c| c.lane)),
                            &mut raster,
                        );
                        *painted.borrow_mut() = Some(key);
                        present(&canvas, &timeline, &view, playhead, &raster);
                    });
                }
            },
        );
    }

    let current = move |w: &WindowHandle| w.get().unwrap_or((0, axis_us));
    let button = |f: fn((u64, u64), u64) -> Window| {
        let window = window.clone();
        Callback::from(move |_: MouseEvent| window.set(f(current(&window), axis_us)))
    };
    let zoom_in = button(|w, now| Some(zoom(w, (w.0 + w.1) / 2, 0.5, now)));
    let zoom_out = button(|w, now| Some(zoom(w, (w.0 + w.1) / 2, 2.0, now)));
    let earlier = button(|w, now| Some(pan(w, -(((w.1 - w.0) / 4) as i64), now)));
    let later = button(|w, now| Some(pan(w, ((w.1 - w.0) / 4) as i64, now)));
    let whole = button(|_, _| None);

    // Where the pointer is: a lane and a time, if it is over the lanes.
    let point = {
        let (canvas_ref, window) = (canvas_ref.clone(), window.clone());
        move |x: i32, y: i32| -> Option<(usize, (u64, u64), View)> {
            let canvas = canvas_ref.cast::<HtmlCanvasElement>()?;
            let view = view_of(measure(&canvas, &width), window.get(), axis_us);
            let (x, y) = (
                (x as f64 / lane_scale()) as i32,
                (y as f64 / lane_scale()) as i32,
            );
            let column = usize::try_from(x).ok()?.checked_sub(LABEL_WIDTH)?;
            let column = column.min(view.width - 1);
            let lane = usize::try_from(y).ok()? / LANE_HEIGHT;
            let times = (
                view.time_at(column),
                view.time_at(column + 1).saturating_sub(1),
            );
            Some((lane, times, view))
        }
    };
    // The details of the column under the pointer, with the marks whose shapes
    // (9 px wide) reach it.
    let details_at = {
        let (timeline, point) = (props.timeline.clone(), point.clone());
        move |x: i32, y: i32| -> Option<(Cursor, Vec<String>)> {
            let (lane, column, view) = point(x, y)?;
            let slack = 5 * view.us_per_column();
            let lines = timeline.borrow().details(lane, column, slack, now_us);
            Some((
                Cursor {
                    lane,
                    t_us: column.0,
                },
                lines,
            ))
        }
    };
    let on_move = {
        let (details, drag, window, cursor, point, details_at, pointed) = (
            details.clone(),
            drag.clone(),
            window.clone(),
            cursor.clone(),
            point.clone(),
            details_at.clone(),
            pointed.clone(),
        );
        let lanes = props.timeline.borrow().lanes().len();
        Callback::from(move |e: MouseEvent| {
            let lane = point(e.offset_x(), e.offset_y())
                .map(|(lane, _, _)| lane)
                .filter(|lane| *lane < lanes);
            if lane != *pointed {
                pointed.set(lane);
            }
            if let Some((x0, from)) = *drag.borrow() {
                let dx = x0 - e.offset_x();
                if let Some((_, _, view)) = point(e.offset_x(), 0).filter(|_| dx.abs() > 2) {
                    window.set(Some(pan(
                        from,
                        dx as i64 * view.us_per_column() as i64,
                        axis_us,
                    )));
                }
                return;
            }
            // A clicked or keyed cursor keeps its details until Escape.
            if cursor.is_some() {
                return;
            }
            let lines = details_at(e.offset_x(), e.offset_y())
                .map(|(_, l)| l)
                .unwrap_or_default();
            if lines != *details {
                details.set(lines);
            }
        })
    };
    let on_click = {
        let (details, drag, cursor) = (details.clone(), drag.clone(), cursor.clone());
        Callback::from(move |e: MouseEvent| {
            let dragged = drag
                .borrow()
                .is_some_and(|(x0, _)| (x0 - e.offset_x()).abs() > 2);
            *drag.borrow_mut() = None;
            if !dragged {
                if let Some((c, lines)) = details_at(e.offset_x(), e.offset_y()) {
                    cursor.set(Some(c));
                    details.set(lines);
                }
            }
        })
    };
    let on_down = {
        let (drag, window) = (drag.clone(), window.clone());
        Callback::from(move |e: MouseEvent| {
            *drag.borrow_mut() = Some((e.offset_x(), current(&window)));
        })
    };
    let on_wheel = {
        let (window, point) = (window.clone(), point.clone());
        Callback::from(move |e: WheelEvent| {
            let w = current(&window);
            if e.ctrl_key() || e.meta_key() {
                e.prevent_default();
                let at = point(e.offset_x(), 0).map_or((w.0 + w.1) / 2, |(_, (t, _), _)| t);
                let factor = if e.delta_y() < 0.0 { 0.8 } else { 1.25 };
                window.set(Some(zoom(w, at, factor, axis_us)));
            } else if e.shift_key() || e.delta_x().abs() > e.delta_y().abs() {
                e.prevent_default();
                let step = if e.delta_x() != 0.0 {
                    e.delta_x()
                } else {
                    e.delta_y()
                };
                let delta = (step.signum() * (w.1 - w.0) as f64 / 10.0) as i64;
                window.set(Some(pan(w, delta, axis_us)));
            }
        })
    };
    let on_key = {
        let (timeline, details, window, cursor) = (
            props.timeline.clone(),
            details.clone(),
            window.clone(),
            cursor.clone(),
        );
        Callback::from(move |e: KeyboardEvent| {
            let t = timeline.borrow();
            let lanes = t.lanes().len();
            if lanes == 0 {
                return;
            }
            let w = current(&window);
            let c = cursor.unwrap_or(Cursor { lane: 0, t_us: w.0 });
            let next = match e.key().as_str() {
                "ArrowRight" | "ArrowLeft" => {
                    let forward = e.key() == "ArrowRight";
                    let lane = t.lane(c.lane);
                    let t_us = lane.and_then(|l| l.next_element(c.t_us, forward));
                    Some(Cursor {
                        t_us: t_us.unwrap_or(c.t_us),
                        ..c
                    })
                }
                "ArrowUp" => Some(Cursor {
                    lane: c.lane.saturating_sub(1),
                    ..c
                }),
                "ArrowDown" => Some(Cursor {
                    lane: (c.lane + 1).min(lanes - 1),
                    ..c
                }),
                "+" | "=" => {
                    window.set(Some(zoom(w, c.t_us, 0.5, axis_us)));
                    None
                }
                "-" => {
                    window.set(Some(zoom(w, c.t_us, 2.0, axis_us)));
                    None
                }
                "Home" => {
                    window.set(None);
                    None
                }
                "Escape" => {
                    cursor.set(None);
                    details.set(Vec::new());
                    None
                }
                _ => return,
            };
            e.prevent_default();
            if let Some(c) = next {
                // Keep the cursor in the window.
                if c.t_us < w.0 || c.t_us > w.1 {
                    let half = (w.1 - w.0) / 2;
                    window.set(Some(pan(w, c.t_us as i64 - (w.0 + half) as i64, axis_us)));
                }
                let slack = (w.1 - w.0) / 200;
                details.set(t.details(c.lane, (c.t_us, c.t_us), slack, now_us));
                cursor.set(Some(c));
            }
        })
    };
    let on_leave = {
        let (details, drag, cursor, pointed) = (
            details.clone(),
            drag.clone(),
            cursor.clone(),
            pointed.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            *drag.borrow_mut() = None;
            pointed.set(None);
            if cursor.is_none() {
                details.set(Vec::new());
            }
        })
    };

    let (start, end) = shown.unwrap_or((0, axis_us));
    let t = props.timeline.borrow();
    html! {
        <div class="timeline-view" data-testid="timeline-view" data-lanes={t.lanes().len().to_string()}
            data-events={t.events().to_string()} data-window={format!("{start}-{end}")}>
            <div class="zoom">
                <button onclick={zoom_in} aria-label="Zoom in">{ "+" }</button>
                <button onclick={zoom_out} aria-label="Zoom out">{ "−" }</button>
                <button onclick={earlier} aria-label="Earlier">{ "◀" }</button>
                <button onclick={later} aria-label="Later">{ "▶" }</button>
                <button onclick={whole}>{ "Whole run" }</button>
                <span class="muted" data-testid="window">{ format!("{} to {}", ms(start), ms(end)) }</span>
            </div>
            <canvas ref={canvas_ref} tabindex="0" data-testid="timeline-canvas"
                role="img" aria-label="One lane per worker: its transactions, the lock it held over time, \
                its busy waits, its jobs, its errors, and its refused locks with an edge to the worker \
                that held the lock in the way. Focus it and use the arrow keys to step through \
                the events; + and - zoom."
                onmousemove={on_move} onmousedown={on_down} onclick={on_click} onmouseleave={on_leave}
                onwheel={on_wheel} onkeydown={on_key} />
            <div class="details" aria-live="polite" data-testid="timeline-details">
                if details.is_empty() {
                    <span class="muted">{ "Point at a lane for details, click to keep them (Esc lets go), \
                        or focus the timeline and step with the arrow keys. Drag to pan; Ctrl + wheel zooms." }</span>
                } else {
                    { for details.iter().map(|line| html! { <div>{ line }</div> }) }
                }
            </div>
            if props.legend {
                <Legend />
            }
        </div>
    }
}
