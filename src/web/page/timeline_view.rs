//! The page's timeline: one lane per worker on a canvas. The core paints the lanes
//! into pixels (`timeline_paint`) and this view puts them on the canvas in one
//! call, adds the lane names and the time axis, and turns the mouse and the
//! keyboard into a window of time and a cursor. Details of what is under the
//! pointer or the cursor come from the core too (`Timeline::details`). The lane
//! pointed at is the one whose wait-for edges are drawn when there are too many to
//! draw them all; a busy wait wide enough is labelled with whom it waits for.

use super::canvas_fonts;
use super::shell::lane_scale;
use super::timeline_legend::Legend;
use super::window_cell::{use_window, WindowCell};
use crate::timeline::{pan, zoom, Timeline, View};
use crate::timeline_paint::{self, Cursor, Raster, LANE_HEIGHT};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::{Clamped, JsCast};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, ImageData};
use yew::prelude::*;

pub(super) const LABEL_WIDTH: usize = 76;
const AXIS_HEIGHT: usize = 18;
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
    }
}

/// What a painted raster shows: the timeline's version, the run's time, the
/// window and its width, the cursor and the lane pointed at.
type PaintKey = (u64, u64, u64, u64, usize, Option<Cursor>, Option<usize>);

/// A window of the run, in µs; `None` follows the whole run so far.
pub type Window = Option<(u64, u64)>;

fn context(canvas: &HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas.get_context("2d").ok()??.dyn_into().ok()
}

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

fn ms(us: u64) -> String {
    format!("{:.1} ms", us as f64 / 1000.0)
}

fn draw(
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
        timeline_paint::paint(timeline, view, now_us, cursor, focus, raster);
    }
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
pub(super) fn put_lanes(
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
pub(super) fn axis(ctx: &CanvasRenderingContext2d, view: &View, height: usize, ticks: usize) {
    ctx.set_fill_style_str("#5f6368");
    for k in 0..=ticks {
        let column = (view.width - 1) * k / ticks;
        let label = ms(view.time_at(column));
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

#[function_component(TimelineView)]
pub fn timeline_view(props: &TimelineProps) -> Html {
    let canvas_ref = use_node_ref();
    let raster = use_mut_ref(Raster::default);
    // What the raster shows now: painted again only when this changes.
    let painted = use_mut_ref(|| None::<PaintKey>);
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
        let (canvas_ref, timeline, raster, width, painted) = (
            canvas_ref.clone(),
            props.timeline.clone(),
            raster.clone(),
            width.clone(),
            painted.clone(),
        );
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
