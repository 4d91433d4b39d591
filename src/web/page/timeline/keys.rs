//! The keyboard on a focused timeline: the arrows step a cursor from event to
//! event and from lane to lane (its details shown), + and - zoom about it, Home
//! shows the whole run, Escape lets the cursor go.

use super::inspect::{Inspect, Look};
use super::Geometry;
use crate::timeline::paint::Cursor;
use crate::timeline::{pan, zoom, Timeline};
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

pub(super) fn on_key(
    geometry: &Geometry,
    timeline: &Rc<RefCell<Timeline>>,
    now_us: u64,
    inspect: &UseReducerHandle<Inspect>,
) -> Callback<KeyboardEvent> {
    let (geometry, timeline, inspect) = (geometry.clone(), timeline.clone(), inspect.clone());
    Callback::from(move |e: KeyboardEvent| {
        let t = timeline.borrow();
        let lanes = t.lanes().len();
        if lanes == 0 {
            return;
        }
        let (w, axis_us, window) = (geometry.current(), geometry.axis_us, &geometry.window);
        let c = inspect.cursor.unwrap_or(Cursor { lane: 0, t_us: w.0 });
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
                inspect.dispatch(Look::LetGo);
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
            inspect.dispatch(Look::Keep(
                c,
                t.details(c.lane, (c.t_us, c.t_us), slack, now_us),
            ));
        }
    })
}
