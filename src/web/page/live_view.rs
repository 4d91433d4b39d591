//! The run in progress: its metrics so far and its lanes, redrawn as the workers'
//! batches arrive. Only this part of the page draws again during a run; the rest
//! (the scenario panel, the lessons) stays as it is.

use super::metrics_panel::{MetricsPanel, Numbers};
use super::timeline_view::TimelineView;
use crate::metrics::Tally;
use crate::timeline::Timeline;
use crate::trace::TraceEvent;
use crate::web::clock::wall_ms;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// How often, at most, the live view draws again, in ms.
const REDRAW_MS: f64 = 100.0;

/// What the page knows of the run in progress, read batch by batch.
#[derive(Default)]
pub struct LiveRun {
    timeline: Rc<RefCell<Timeline>>,
    tally: RefCell<Tally>,
    started_ms: Cell<f64>,
    seeded: Cell<u64>,
    last_draw_ms: Cell<f64>,
    /// The view to wake when there is something new to draw.
    redraw: RefCell<Option<Callback<u64>>>,
}

impl LiveRun {
    /// Forget the last run: a new one of `seeded` jobs begins now.
    pub fn begin(&self, seeded: u64) {
        *self.timeline.borrow_mut() = Timeline::default();
        *self.tally.borrow_mut() = Tally::default();
        self.started_ms.set(wall_ms());
        self.seeded.set(seeded);
        self.last_draw_ms.set(0.0);
    }

    /// Read one batch a worker posted; draw again if the last draw is old enough.
    pub fn add(&self, batch: &[TraceEvent]) {
        self.timeline.borrow_mut().extend(batch);
        self.tally.borrow_mut().extend(batch);
        let now = wall_ms();
        if now - self.last_draw_ms.get() >= REDRAW_MS {
            self.last_draw_ms.set(now);
            if let Some(redraw) = self.redraw.borrow().as_ref() {
                redraw.emit(self.timeline.borrow().events() as u64);
            }
        }
    }
}

#[derive(Properties)]
pub struct LiveViewProps {
    pub run: Rc<LiveRun>,
}

impl PartialEq for LiveViewProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run)
    }
}

#[function_component(LiveView)]
pub fn live_view(props: &LiveViewProps) -> Html {
    let version = use_state(|| 0u64);
    {
        let (run, version) = (props.run.clone(), version.clone());
        use_effect_with((), move |_| {
            *run.redraw.borrow_mut() = Some(Callback::from(move |v| version.set(v)));
            move || *run.redraw.borrow_mut() = None
        });
    }
    let run = &props.run;
    let elapsed_ms = wall_ms() - run.started_ms.get();
    let now_us = (elapsed_ms * 1000.0).max(1.0) as u64;
    let numbers = Numbers::so_far(
        &run.tally.borrow().metrics(now_us),
        run.seeded.get(),
        elapsed_ms,
    );
    html! {
        <section class="run" data-testid="run-running">
            <h2>{ "The workers are running..." }</h2>
            <TimelineView timeline={run.timeline.clone()} version={*version} {now_us} />
            <MetricsPanel {numbers} />
        </section>
    }
}
