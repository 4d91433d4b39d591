//! The page's timeline: one lane per worker on a canvas. The core paints the lanes
//! into pixels (`crate::timeline::paint`), `canvas` puts them on the canvas with
//! the lane names and the time axis, `painting` decides when to paint (a live
//! view over two frames), and `pointer` and `keys` turn the mouse and the
//! keyboard into a window of time (`window`) and what is looked at (`inspect`).
//! Details of what is under the pointer or the cursor come from the core too
//! (`Timeline::details`). The lane pointed at is the one whose wait-for edges are
//! drawn when there are too many to draw them all; a busy wait wide enough is
//! labelled with whom it waits for. A replay's playhead lies over the lanes
//! (`playhead`), moved without painting them again.

pub(crate) mod canvas;
mod inspect;
mod keys;
mod legend;
mod painting;
mod playhead;
mod pointer;
pub(crate) mod window;

pub(crate) use painting::next_frame;
pub use playhead::PlayheadCell;
pub use window::{use_window, SharedWindow, Window, WindowCell};

use super::shell::use_shell;
use crate::duration::ms_label;
use crate::timeline::paint::LANE_HEIGHT;
use crate::timeline::{pan, zoom, Timeline, View};
use canvas::LABEL_WIDTH;
use inspect::Inspect;
use legend::Legend;
use painting::{use_painting, Frame};
use pointer::{use_pointer, Pointer};
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
    /// A replay's playhead, drawn as a line across the lanes wherever the cell
    /// says (moving it renders nothing again).
    #[prop_or_default]
    pub playhead: Option<Rc<PlayheadCell>>,
    /// A window shared with stacked timelines (A/B): zooming one moves them all.
    #[prop_or_default]
    pub shared: Option<SharedWindow>,
    /// Show what the colours and shapes mean (one legend for stacked timelines).
    #[prop_or(true)]
    pub legend: bool,
    /// A live view: painting its lanes again is spread over two frames.
    #[prop_or_default]
    pub spread: bool,
    /// Lanes one canvas pixel a CSS pixel even in presenter mode: the stacked
    /// timelines of a comparison, so that both fit one screen.
    #[prop_or_default]
    pub compact: bool,
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
            && self.compact == other.compact
    }
}

/// Where a timeline is drawn: its canvas, the canvas's width as last measured,
/// its window of time and its axis. Turns the pointer's pixels into lanes and
/// times.
#[derive(Clone)]
struct Geometry {
    canvas: NodeRef,
    /// The canvas's width on the page, measured once and again after each
    /// resize: reading it forces a layout, which a frame should not pay for.
    width: Rc<RefCell<Option<usize>>>,
    window: Rc<WindowCell>,
    /// The time axis's end: the run's own time, or the longest of the runs it
    /// is shown with.
    axis_us: u64,
    /// CSS pixels a canvas pixel covers (`ShellState::lane_scale`).
    scale: f64,
}

impl Geometry {
    /// The window shown now, as a span of time.
    fn current(&self) -> (u64, u64) {
        self.window.get().unwrap_or((0, self.axis_us))
    }

    /// The canvas, once mounted, and the view of `window` on it.
    fn canvas_and_view(&self, window: Window) -> Option<(HtmlCanvasElement, View)> {
        let canvas = self.canvas.cast::<HtmlCanvasElement>()?;
        let view = self.view_of(&canvas, window);
        Some((canvas, view))
    }

    /// The window shown and the columns of the canvas. In presenter mode a
    /// canvas pixel covers more than one CSS pixel (`scale`): the canvas
    /// has fewer pixels than its width, and the page scales it up.
    fn view_of(&self, canvas: &HtmlCanvasElement, window: Window) -> View {
        let width = *self
            .width
            .borrow_mut()
            .get_or_insert_with(|| (canvas.client_width().max(0) as f64 / self.scale) as usize);
        let (start, end) = window.unwrap_or((0, self.axis_us.max(1)));
        View::new(start, end, width.max(300).saturating_sub(LABEL_WIDTH))
    }

    /// Where the pointer is: a lane and a time, if it is over the lanes.
    fn point(&self, x: i32, y: i32) -> Option<(usize, (u64, u64), View)> {
        let (_, view) = self.canvas_and_view(self.window.get())?;
        let (x, y) = (
            (x as f64 / self.scale) as i32,
            (y as f64 / self.scale) as i32,
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
}

/// Bumped when the page is resized, after the known width is forgotten, so that
/// the canvas fits again.
#[hook]
fn use_resized(width: &Rc<RefCell<Option<usize>>>) -> u32 {
    let resized = use_state(|| 0u32);
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
    *resized
}

/// Put the playhead's canvas `line` where `cell` says over the lanes of
/// `geometry`: after each drawing of the lanes (`frame`: a new window, width or
/// run), and at each move of the playhead, which draws nothing else.
#[hook]
fn use_playhead(geometry: &Geometry, cell: Option<Rc<PlayheadCell>>, line: &NodeRef, frame: Frame) {
    let place = {
        let (geometry, line) = (geometry.clone(), line.clone());
        move |window: Window, at: Option<u64>| {
            let lanes = geometry.canvas_and_view(window);
            if let (Some(line), Some((lanes, view))) = (line.cast::<HtmlCanvasElement>(), lanes) {
                playhead::place(&line, &lanes, &view, at);
            }
        }
    };
    {
        let (cell, place) = (cell.clone(), place.clone());
        use_effect_with(frame, move |frame| {
            if let Some(cell) = cell {
                place(frame.window, cell.get());
            }
        });
    }
    let window = geometry.window.clone();
    use_effect_with(cell, move |cell| {
        let watch = cell
            .as_ref()
            .map(|cell| cell.watch(Callback::from(move |at| place(window.get(), at))));
        move || drop(watch)
    });
}

/// The zoom and pan buttons, and the window they move in words.
#[derive(Properties, PartialEq)]
struct ZoomBarProps {
    window: Rc<WindowCell>,
    axis_us: u64,
    shown: (u64, u64),
}

#[function_component(ZoomBar)]
fn zoom_bar(props: &ZoomBarProps) -> Html {
    let axis_us = props.axis_us;
    let button = |f: fn((u64, u64), u64) -> Window| {
        let window = props.window.clone();
        Callback::from(move |_: MouseEvent| {
            window.set(f(window.get().unwrap_or((0, axis_us)), axis_us))
        })
    };
    let (start, end) = props.shown;
    html! {
        <div class="zoom">
            <button onclick={button(|w, now| Some(zoom(w, (w.0 + w.1) / 2, 0.5, now)))} aria-label="Zoom in">{ "+" }</button>
            <button onclick={button(|w, now| Some(zoom(w, (w.0 + w.1) / 2, 2.0, now)))} aria-label="Zoom out">{ "−" }</button>
            <button onclick={button(|w, now| Some(pan(w, -(((w.1 - w.0) / 4) as i64), now)))} aria-label="Earlier">{ "◀" }</button>
            <button onclick={button(|w, now| Some(pan(w, ((w.1 - w.0) / 4) as i64, now)))} aria-label="Later">{ "▶" }</button>
            <button onclick={button(|_, _| None)}>{ "Whole run" }</button>
            <span class="muted" data-testid="window">{ format!("{} to {}", ms_label(start), ms_label(end)) }</span>
        </div>
    }
}

#[function_component(TimelineView)]
pub fn timeline_view(props: &TimelineProps) -> Html {
    let own_window = use_memo((), |_| WindowCell::default());
    let window = props
        .shared
        .as_ref()
        .map_or_else(|| own_window.clone(), |s| s.window.clone());
    // Drawn again when the window moves, and nothing else on the page is.
    let shown = use_window(&window);
    let inspect = use_reducer(Inspect::default);
    let canvas_ref = use_node_ref();
    let width = use_mut_ref(|| None::<usize>);
    let resized = use_resized(&width);
    let now_us = props.now_us.max(1);
    let shell_scale = use_shell().map_or(1.0, |s| s.lane_scale());
    let axis_us = props
        .shared
        .as_ref()
        .map_or(now_us, |s| s.axis_us.max(now_us));
    let geometry = Geometry {
        canvas: canvas_ref.clone(),
        width,
        window: window.clone(),
        axis_us,
        scale: if props.compact { 1.0 } else { shell_scale },
    };
    let frame = Frame {
        version: props.version,
        now_us,
        window: shown,
        axis_us,
        resized,
        cursor: inspect.cursor,
        pointed: inspect.pointed,
    };
    use_painting(&geometry, &props.timeline, frame, props.spread);
    let line_ref = use_node_ref();
    use_playhead(&geometry, props.playhead.clone(), &line_ref, frame);
    let Pointer {
        on_move,
        on_down,
        on_click,
        on_leave,
        on_wheel,
    } = use_pointer(&geometry, &props.timeline, now_us, &inspect);
    let on_key = keys::on_key(&geometry, &props.timeline, now_us, &inspect);

    let (start, end) = shown.unwrap_or((0, axis_us));
    let t = props.timeline.borrow();
    html! {
        <div class="timeline-view" data-testid="timeline-view" data-lanes={t.lanes().len().to_string()}
            data-events={t.events().to_string()} data-window={format!("{start}-{end}")}>
            <ZoomBar {window} {axis_us} shown={(start, end)} />
            <div class="lanes">
                <canvas ref={canvas_ref} tabindex="0" data-testid="timeline-canvas"
                    role="img" aria-label="One lane per worker: its transactions, the lock it held over time, \
                    its busy waits, its jobs, its errors, and its refused locks with an edge to the worker \
                    that held the lock in the way. Focus it and use the arrow keys to step through \
                    the events; + and - zoom."
                    onmousemove={on_move} onmousedown={on_down} onclick={on_click} onmouseleave={on_leave}
                    onwheel={on_wheel} onkeydown={on_key} />
                if props.playhead.is_some() {
                    <canvas ref={line_ref} class="playhead" aria-hidden="true" />
                }
            </div>
            <div class="details" aria-live="polite" data-testid="timeline-details">
                if inspect.details.is_empty() {
                    <span class="muted">{ "Point at a lane for details, click to keep them (Esc lets go), \
                        or focus the timeline and step with the arrow keys. Drag to pan; Ctrl + wheel zooms." }</span>
                } else {
                    { for inspect.details.iter().map(|line| html! { <div>{ line }</div> }) }
                }
            </div>
            if props.legend {
                <Legend interpreter={props.timeline.borrow().has_interpreter_waits()} />
            }
        </div>
    }
}
