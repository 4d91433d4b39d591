//! The run in progress: its metrics so far and its lanes, redrawn as the workers'
//! batches arrive. Only this part of the page draws again during a run; the rest
//! (the scenario panel, the lessons) stays as it is.
//!
//! A redraw waits for the browser's next frame and is spread over two: the
//! numbers in one, the lanes in the next. Done in the task that read a worker's
//! batch, both together held the frames up: 20 to 40 ms, two frames missed at
//! every redraw. A tab in the background gets no frames, and draws when it is
//! shown again. The run's end is drawn at once: the last numbers shown are the
//! report's.

use super::key_numbers::KeyNumbers;
use super::kill_buttons::KillButtons;
use super::metrics_panel::{MetricsPanel, Numbers};
use super::timeline::{next_frame, TimelineView};
use crate::decimal::Dec;
use crate::duration::ms;
use crate::run_trace::RunTrace;
use crate::trace::TraceEvent;
use crate::web::clock::wall_ms;
use crate::web::host::run::{budget, RunWatcher};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// How often, at most, the live view draws again, in ms. At 100 ms, with 16
/// workers streaming (bench-frames.mjs), one frame in twenty or more was late
/// (frame p95 33.3 ms in 4 runs of 4); at 150, p95 16.7 ms in 4 of 4. Later runs
/// on the same shared machine gave 16.7 or 33.3, whichever build ran; painting
/// the lanes (4 to 33 ms a redraw) is therefore spread over two frames
/// (`TimelineView`'s `spread`).
const REDRAW_MS: f64 = 150.0;

/// What the page knows of the run in progress, read batch by batch, on the run's
/// own clock: time 0 is the epoch the workers start at, and the clock stops when
/// the last worker ends, so the numbers shown last are the report's.
#[derive(Default)]
pub struct LiveRun {
    /// The run's trace, as the host reads it in: its timeline and its tally
    /// (the page's one copy).
    trace: RefCell<Rc<RefCell<RunTrace>>>,
    /// The run's epoch, once the workers start.
    epoch_ms: Cell<Option<f64>>,
    /// How long the run lasted, once its last worker ended.
    ended_us: Cell<Option<u64>>,
    seeded: Cell<u64>,
    /// The run's workers and readers.
    lanes: Cell<u32>,
    /// The run's id, once its workers start.
    run: RefCell<Option<String>>,
    /// Other runs in progress when this one started.
    alongside: Cell<usize>,
    last_draw_ms: Cell<f64>,
    /// The view to wake when there is something new to draw.
    redraw: RefCell<Option<Callback<(Drawn, bool)>>>,
}

/// How far a drawing goes: the trace's events read in, and the run's time in µs.
type Drawn = (u64, u64);

impl LiveRun {
    /// Forget the last run: a new one of `seeded` jobs and `lanes` workers and
    /// readers is being set up.
    pub fn begin(&self, seeded: u64, lanes: u32) {
        self.lanes.set(lanes);
        *self.run.borrow_mut() = None;
        *self.trace.borrow_mut() = Rc::new(RefCell::new(RunTrace::new(lanes, budget())));
        self.epoch_ms.set(None);
        self.ended_us.set(None);
        self.seeded.set(seeded);
        self.last_draw_ms.set(0.0);
    }

    /// Draw what the trace holds now: in the next frames, or `at_once`.
    fn wake(&self, at_once: bool) {
        if let Some(redraw) = self.redraw.borrow().as_ref() {
            let at = (self.trace.borrow().borrow().total(), self.now_us());
            redraw.emit((at, at_once));
        }
    }

    /// The run's time now, in µs: 0 before the workers start, frozen once they end.
    fn now_us(&self) -> u64 {
        match (self.epoch_ms.get(), self.ended_us.get()) {
            (_, Some(ended)) => ended,
            (Some(epoch), None) => ((wall_ms() - epoch) * 1000.0).max(0.0) as u64,
            (None, None) => 0,
        }
    }
}

impl RunWatcher for LiveRun {
    fn started(&self, run: &str, epoch_ms: f64, alongside: usize) {
        *self.run.borrow_mut() = Some(run.to_string());
        self.epoch_ms.set(Some(epoch_ms));
        self.alongside.set(alongside);
        // Drawn with the batches to come, not now: every worker is starting on
        // the same two cores as the page.
        self.last_draw_ms.set(wall_ms());
    }

    fn reading(&self, trace: Rc<RefCell<RunTrace>>) {
        *self.trace.borrow_mut() = trace;
    }

    /// A worker posted a batch: draw again if the last draw is old enough.
    fn batch(&self, _batch: &[TraceEvent]) {
        let now = wall_ms();
        if now - self.last_draw_ms.get() >= REDRAW_MS {
            self.last_draw_ms.set(now);
            self.wake(false);
        }
    }

    fn ended(&self, elapsed_us: u64) {
        self.ended_us.set(Some(elapsed_us));
        self.wake(true);
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
    // How far the numbers and the lanes are drawn.
    let numbers_at = use_state(|| (0u64, 0u64));
    let lanes_at = use_state(|| (0u64, 0u64));
    {
        let run = props.run.clone();
        let (numbers_at, lanes_at) = (numbers_at.clone(), lanes_at.clone());
        // The newest redraw asked for: a frame draws that, never an older one.
        let wanted = use_memo((), |_| Cell::new((0u64, 0u64)));
        let pending = use_memo((), |_| Cell::new(false));
        use_effect_with((), move |_| {
            let redraw = move |(at, at_once): (Drawn, bool)| {
                wanted.set(at);
                if at_once {
                    numbers_at.set(at);
                    lanes_at.set(at);
                    return;
                }
                if pending.replace(true) {
                    return;
                }
                let (wanted, pending) = (wanted.clone(), pending.clone());
                let (numbers_at, lanes_at) = (numbers_at.clone(), lanes_at.clone());
                next_frame(move || {
                    numbers_at.set(wanted.get());
                    next_frame(move || {
                        lanes_at.set(wanted.get());
                        pending.set(false);
                    });
                });
            };
            *run.redraw.borrow_mut() = Some(Callback::from(redraw));
            move || *run.redraw.borrow_mut() = None
        });
    }
    let run = &props.run;
    let trace = run.trace.borrow().clone();
    let numbers = {
        let (trace, seeded) = (trace.clone(), run.seeded.get());
        // A new run reads into a new trace: its numbers are computed afresh.
        let key = (*numbers_at, Rc::as_ptr(&trace) as usize);
        use_memo(key, move |&((_, now_us), _)| {
            Numbers::so_far(
                &trace.borrow().tally().metrics_so_far(now_us.max(1)),
                seeded,
                ms(now_us),
            )
        })
    };
    let now_us = numbers_at.1;
    let trace = trace.borrow();
    let heading = match (run.epoch_ms.get(), run.ended_us.get()) {
        (None, _) => format!(
            "Starting the workers and seeding {} jobs...",
            run.seeded.get()
        ),
        (Some(_), None) => "The workers are running...".to_string(),
        (Some(_), Some(_)) => "The workers are done; checking the database...".to_string(),
    };
    html! {
        <section class="run" data-testid="run-running" data-live-ms={format!("{:.3}", Dec(ms(now_us)))}
            data-live-done={numbers.done.to_string()}>
            <h2>{ heading }</h2>
            <Alongside runs={run.alongside.get()} />
            <KeyNumbers numbers={(*numbers).clone()} />
            <TimelineView timeline={trace.timeline()} version={lanes_at.0} now_us={lanes_at.1.max(1)} spread=true />
            <MetricsPanel numbers={(*numbers).clone()} />
            if let (Some(id), None) = (run.run.borrow().clone(), run.ended_us.get()) {
                <KillButtons run={id} lanes={run.lanes.get()} />
            }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct AlongsideProps {
    /// Other runs in progress when this one started.
    pub runs: usize,
}

/// Says that other runs (another tab, a script) ran at the same time as this one:
/// their workers shared this machine's cores, so its timings are slower.
#[function_component(Alongside)]
pub fn alongside(props: &AlongsideProps) -> Html {
    if props.runs == 0 {
        return html! {};
    }
    let cores = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(0.0);
    html! {
        <p class="banner notice" data-testid="alongside" role="status">
            { format!(
                "{} other run{} (in another tab or from a script) {} going on when this one started: \
                 their workers and this run's share this machine's {} cores, so this run's times are \
                 longer than alone. Each run has files and locks of its own.",
                props.runs,
                if props.runs == 1 { "" } else { "s" },
                if props.runs == 1 { "was" } else { "were" },
                Dec(cores)
            ) }
        </p>
    }
}
