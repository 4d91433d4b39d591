//! A finished run replayed for narration: play it at 1/50 to 1x of real time,
//! pause, step from event to event, or drag the playhead. The timeline shows the
//! playhead, a list says what every connection holds there, and the metrics count
//! up to it. Keys (anywhere on the page but in a field): Space plays or pauses,
//! `.` and `,` step forward and back.

use super::keys::use_page_keys;
use super::metrics_panel::{MetricsPanel, Numbers};
use super::timeline::{PlayheadCell, SharedWindow, TimelineView};
use crate::analysis::metrics::Tally;
use crate::duration::ms_text;
use crate::timeline::replay::{Replay, SPEEDS};
use crate::timeline::Timeline;
use crate::web::clock::wall_ms;
use crate::web::host::finished_run::BrowserRun;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

#[derive(Properties)]
pub struct ReplayProps {
    pub run: Rc<BrowserRun>,
    pub timeline: Rc<RefCell<Timeline>>,
    /// The timeline's window, when the page keeps it (in its address).
    pub shared: Option<SharedWindow>,
}

impl PartialEq for ReplayProps {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run)
            && Rc::ptr_eq(&self.timeline, &other.timeline)
            && self.shared == other.shared
    }
}

/// The metrics of the events up to the playhead, read once each: moving forward
/// adds the events passed, moving back starts again.
#[derive(Default)]
struct Counted {
    tally: Tally,
    seen: usize,
    /// The numbers at a playhead, kept while it stays there: zooming or panning
    /// the timeline draws the replay again, and a tally's numbers cost its
    /// events' latencies and holds.
    numbers: Option<(u64, Numbers)>,
}

#[function_component(ReplayView)]
pub fn replay_view(props: &ReplayProps) -> Html {
    let end_us = (props.run.report.elapsed_ms * 1000.0) as u64;
    // Until the person first uses it, the replay has no steps: they cost a sort
    // of every event's times, which a run only looked at never needs, and which
    // would lengthen the task that shows a big run by tens of ms.
    let replay = use_mut_ref(|| {
        let last = props.run.events.last().map_or(0, |e| e.t_us);
        Replay::new(&[], end_us.max(last))
    });
    let stepped = use_mut_ref(|| false);
    let with_replay = {
        let (replay, stepped, events) = (replay.clone(), stepped.clone(), props.run.events.clone());
        Rc::new(move |f: &dyn Fn(&mut Replay)| {
            if !stepped.replace(true) {
                *replay.borrow_mut() = Replay::new(&events, end_us);
            }
            f(&mut replay.borrow_mut());
        })
    };
    let counted = use_mut_ref(Counted::default);
    // Bumped at each change of the replay, so that the view draws again.
    let version = use_state(|| 0u64);
    // Whether the person has used the replay: until then the run shows whole.
    let active = use_state(|| false);
    let bump = {
        let (version, active) = (version.clone(), active.clone());
        Rc::new(move || {
            active.set(true);
            version.set(*version + 1);
        })
    };
    let act = |f: fn(&mut Replay)| {
        let (with_replay, bump) = (with_replay.clone(), bump.clone());
        Callback::from(move |_: MouseEvent| {
            with_replay(&f);
            bump();
        })
    };
    let playing = replay.borrow().playing();

    // While playing, the playhead moves with the animation frames.
    {
        let (replay, bump) = (replay.clone(), bump.clone());
        use_effect_with(playing, move |playing| {
            let alive = Rc::new(Cell::new(*playing));
            if *playing {
                frames(alive.clone(), move |dt| {
                    replay.borrow_mut().advance(dt);
                    bump();
                    replay.borrow().playing()
                });
            }
            move || alive.set(false)
        });
    }
    // Space, `.` and `,` drive the replay from anywhere but a field.
    {
        let (with_replay, bump) = (with_replay.clone(), bump.clone());
        use_page_keys(move |e| {
            let step: fn(&mut Replay) = match e.key().as_str() {
                " " => Replay::toggle,
                "." => |r| r.step(true),
                "," => |r| r.step(false),
                _ => return false,
            };
            with_replay(&step);
            bump();
            true
        });
    }

    let on_speed = {
        let (with_replay, bump) = (with_replay.clone(), bump.clone());
        Callback::from(move |e: Event| {
            if let Some(select) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                let speed = select
                    .value()
                    .parse()
                    .unwrap_or(crate::timeline::replay::DEFAULT_SPEED);
                with_replay(&|r| r.set_speed(speed));
                bump();
            }
        })
    };
    let on_seek = {
        let (with_replay, bump) = (with_replay.clone(), bump.clone());
        Callback::from(move |e: InputEvent| {
            if let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
            {
                let t_us = input.value().parse().unwrap_or_default();
                with_replay(&|r| r.seek(t_us));
                bump();
            }
        })
    };

    let r = replay.borrow();
    let playhead = r.playhead_us();
    let numbers = {
        let mut c = counted.borrow_mut();
        let seen = r.events_seen(&props.run.events);
        if seen < c.seen {
            *c = Counted::default();
        }
        let from = c.seen;
        c.tally.extend(&props.run.events[from..seen]);
        c.seen = seen;
        match &c.numbers {
            Some((at, numbers)) if *at == playhead && from == seen => numbers.clone(),
            _ => {
                let numbers = Numbers::so_far(
                    &c.tally.metrics(playhead.max(1)),
                    props.run.report.jobs.seeded,
                    crate::duration::ms(playhead),
                );
                c.numbers = Some((playhead, numbers.clone()));
                numbers
            }
        }
    };
    // What every lane does at the playhead: shown once the replay is used.
    let moment = if *active {
        props.timeline.borrow().moment(playhead)
    } else {
        Vec::new()
    };
    // The timeline draws the playhead where this cell says, without rendering.
    let line = use_memo((), |_| PlayheadCell::default());
    {
        let line = line.clone();
        use_effect_with(active.then_some(playhead), move |at| line.set(*at));
    }
    html! {
        <div class="replay" data-testid="replay" data-playhead-us={playhead.to_string()}
            data-playing={playing.to_string()}>
            <div class="replay-controls" role="group" aria-label="Replay">
                <button data-testid="replay-back" onclick={act(|r| r.step(false))}
                    title="Back to the event before (,)">{ "\u{25C0} Step" }</button>
                <button data-testid="replay-play" onclick={act(Replay::toggle)}
                    title="Play or pause (Space)">{ if playing { "Pause" } else { "\u{25B6} Replay" } }</button>
                <button data-testid="replay-forward" onclick={act(|r| r.step(true))}
                    title="On to the next event (.)">{ "Step \u{25B6}" }</button>
                <label>{ "speed " }
                    <select data-testid="replay-speed" onchange={on_speed}>
                        { for SPEEDS.iter().enumerate().map(|(i, (label, _))| html! {
                            <option value={i.to_string()} selected={i == r.speed()}>{ *label }</option>
                        }) }
                    </select>
                </label>
                <input type="range" aria-label="Playhead" min="0" max={r.end_us().to_string()}
                    value={playhead.to_string()} oninput={on_seek} />
                <span class="playhead" data-testid="replay-time">{ format!("{} of {}", ms_text(playhead), ms_text(r.end_us())) }</span>
            </div>
            // The finished run's lanes never change: only the playhead moves, over
            // them, and the view neither renders nor paints its lanes again for it.
            <TimelineView timeline={props.timeline.clone()} now_us={end_us} version={0} shared={props.shared.clone()}
                playhead={Some(line.clone())} />
            if *active {
                <div class="replay-moment">
                    <h4>{ format!("At {}", ms_text(playhead)) }</h4>
                    <ul data-testid="replay-moment">
                        { for moment.iter().map(|line| html! { <li>{ line }</li> }) }
                    </ul>
                    <h4>{ "The metrics up to the playhead" }</h4>
                    <MetricsPanel {numbers} />
                </div>
            }
        </div>
    }
}

/// What an animation frame calls.
type FrameCallback = Closure<dyn Fn()>;

/// Call `frame` with the real milliseconds since the last frame, at every
/// animation frame while `alive` and while it returns true.
fn frames(alive: Rc<Cell<bool>>, frame: impl Fn(f64) -> bool + 'static) {
    let last = Rc::new(Cell::new(wall_ms()));
    let next: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let again = next.clone();
    *next.borrow_mut() = Some(Closure::new(move || {
        let now = wall_ms();
        let go_on = alive.get() && frame(now - last.replace(now));
        let window = web_sys::window();
        if let (true, Some(w), Some(f)) = (go_on, window, again.borrow().as_ref()) {
            let _ = w.request_animation_frame(f.as_ref().unchecked_ref());
            return;
        }
        // The loop ends: let the closure go once it has returned (it holds itself).
        let again = again.clone();
        wasm_bindgen_futures::spawn_local(async move {
            again.borrow_mut().take();
        });
    }));
    let first = next.borrow();
    if let (Some(w), Some(f)) = (web_sys::window(), first.as_ref()) {
        let _ = w.request_animation_frame(f.as_ref().unchecked_ref());
    }
}
