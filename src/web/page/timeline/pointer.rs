//! The mouse on a timeline: pointing at a lane shows its details, a click keeps
//! them, a drag pans, Ctrl + wheel zooms about the pointer, Shift + wheel (or a
//! sideways wheel) pans.

use super::inspect::{Inspect, Look};
use super::Geometry;
use crate::timeline::paint::Cursor;
use crate::timeline::{pan, zoom, Timeline};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// The callbacks of the canvas's mouse events.
pub(super) struct Pointer {
    pub on_move: Callback<MouseEvent>,
    pub on_down: Callback<MouseEvent>,
    pub on_click: Callback<MouseEvent>,
    pub on_leave: Callback<MouseEvent>,
    pub on_wheel: Callback<WheelEvent>,
}

/// The details of the column under (`x`, `y`), with the marks whose shapes (9 px
/// wide) reach it, and the cursor there.
fn details_at(
    geometry: &Geometry,
    timeline: &RefCell<Timeline>,
    now_us: u64,
    (x, y): (i32, i32),
) -> Option<(Cursor, Vec<String>)> {
    let (lane, column, view) = geometry.point(x, y)?;
    let slack = 5 * view.us_per_column();
    let lines = timeline.borrow().details(lane, column, slack, now_us);
    let cursor = Cursor {
        lane,
        t_us: column.0,
    };
    Some((cursor, lines))
}

#[hook]
pub(super) fn use_pointer(
    geometry: &Geometry,
    timeline: &Rc<RefCell<Timeline>>,
    now_us: u64,
    inspect: &UseReducerHandle<Inspect>,
) -> Pointer {
    // Where a drag began: the pointer's x and the window then.
    let drag = use_mut_ref(|| None::<(i32, (u64, u64))>);
    let lanes = timeline.borrow().lanes().len();
    let on_move = {
        let (geometry, timeline, drag, inspect) = (
            geometry.clone(),
            timeline.clone(),
            drag.clone(),
            inspect.clone(),
        );
        Callback::from(move |e: MouseEvent| {
            let at = (e.offset_x(), e.offset_y());
            let lane = geometry.point(at.0, at.1).map(|(lane, _, _)| lane);
            inspect.dispatch(Look::Point(lane.filter(|lane| *lane < lanes)));
            if let Some((x0, from)) = *drag.borrow() {
                let dx = x0 - at.0;
                if let Some((_, _, view)) = geometry.point(at.0, 0).filter(|_| dx.abs() > 2) {
                    let by = dx as i64 * view.us_per_column() as i64;
                    geometry.window.set(Some(pan(from, by, geometry.axis_us)));
                }
                return;
            }
            let lines = details_at(&geometry, &timeline, now_us, at).map(|(_, l)| l);
            inspect.dispatch(Look::Hover(lines.unwrap_or_default()));
        })
    };
    let on_click = {
        let (geometry, timeline, drag, inspect) = (
            geometry.clone(),
            timeline.clone(),
            drag.clone(),
            inspect.clone(),
        );
        Callback::from(move |e: MouseEvent| {
            let dragged = drag
                .borrow()
                .is_some_and(|(x0, _)| (x0 - e.offset_x()).abs() > 2);
            *drag.borrow_mut() = None;
            if dragged {
                return;
            }
            let at = (e.offset_x(), e.offset_y());
            if let Some((cursor, lines)) = details_at(&geometry, &timeline, now_us, at) {
                inspect.dispatch(Look::Keep(cursor, lines));
            }
        })
    };
    let on_down = {
        let (geometry, drag) = (geometry.clone(), drag.clone());
        Callback::from(move |e: MouseEvent| {
            *drag.borrow_mut() = Some((e.offset_x(), geometry.current()));
        })
    };
    let on_leave = {
        let inspect = inspect.clone();
        Callback::from(move |_: MouseEvent| {
            *drag.borrow_mut() = None;
            inspect.dispatch(Look::Leave);
        })
    };
    let on_wheel = {
        let geometry = geometry.clone();
        Callback::from(move |e: WheelEvent| {
            let w = geometry.current();
            let axis_us = geometry.axis_us;
            if e.ctrl_key() || e.meta_key() {
                e.prevent_default();
                let at = geometry
                    .point(e.offset_x(), 0)
                    .map_or((w.0 + w.1) / 2, |(_, (t, _), _)| t);
                let factor = if e.delta_y() < 0.0 { 0.8 } else { 1.25 };
                geometry.window.set(Some(zoom(w, at, factor, axis_us)));
            } else if e.shift_key() || e.delta_x().abs() > e.delta_y().abs() {
                e.prevent_default();
                let step = if e.delta_x() != 0.0 {
                    e.delta_x()
                } else {
                    e.delta_y()
                };
                let delta = (step.signum() * (w.1 - w.0) as f64 / 10.0) as i64;
                geometry.window.set(Some(pan(w, delta, axis_us)));
            }
        })
    };
    Pointer {
        on_move,
        on_down,
        on_click,
        on_leave,
        on_wheel,
    }
}
