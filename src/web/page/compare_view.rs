//! An A/B comparison: two scenarios run one after the other (never at once: they
//! would share the cores), each on its own database; then their timelines stacked
//! on one time axis (zoom or pan one and both move; the longer run sets the axis),
//! labelled with their scenarios, and their metrics side by side with the
//! differences named (`compare_metrics`). The course page embeds it for lessons
//! that are a comparison; the knobs' "Compare with an edited copy" uses it too.

use super::compare_metrics::CompareMetrics;
use super::live_view::{Alongside, LiveRun, LiveView};
use super::timeline::WindowCell;
use super::timeline::{SharedWindow, TimelineView};
use super::wal_chart::WalChart;
use crate::analysis::report::Outcome;
use crate::compare::{scenario_changes, Side};
use crate::decimal::Dec;
use crate::scenario::Scenario;
use crate::web::host::compare::{compare, ComparedRuns};
use crate::web::host::finished_run::BrowserRun;
use crate::web::host::run::{LiveTrace, RunWatcher};
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct CompareViewProps {
    /// Scenario A; `None` while it cannot run (its knobs are wrong): no comparison
    /// starts, and the last one stays shown.
    pub a: Option<Scenario>,
    pub b: Option<Scenario>,
    /// What the page calls the two runs, in headings and in the differences.
    #[prop_or_else(|| [AttrValue::Static("A"), AttrValue::Static("B")])]
    pub labels: [AttrValue; 2],
    /// Each new value starts a comparison (0 starts none): for a page with a Run
    /// button of its own, such as a lesson's.
    #[prop_or_default]
    pub run: u64,
    /// Show the view's own "Run comparison" button.
    #[prop_or(true)]
    pub button: bool,
    /// Called once both reports are in, with both runs (reports and traces).
    #[prop_or_default]
    pub on_done: Callback<Rc<ComparedRuns>>,
}

impl PartialEq for ComparedRuns {
    fn eq(&self, other: &Self) -> bool {
        self.a.report == other.a.report && self.b.report == other.b.report
    }
}

/// Where the comparison is.
#[derive(Clone, PartialEq)]
enum Stage {
    Idle,
    Running(Side),
    Done(Rc<ComparedRuns>),
    Failed(String),
}

fn side_index(side: Side) -> usize {
    match side {
        Side::A => 0,
        Side::B => 1,
    }
}

#[function_component(CompareView)]
pub fn compare_view(props: &CompareViewProps) -> Html {
    let stage = use_state(|| Stage::Idle);
    // What is shown while the comparison runs: the live run of each side.
    let live = use_memo((), |_| {
        [Rc::new(LiveRun::default()), Rc::new(LiveRun::default())]
    });
    let running = matches!(*stage, Stage::Running(_));
    let start = {
        let (stage, live) = (stage.clone(), live.clone());
        let (a, b, on_done) = (props.a.clone(), props.b.clone(), props.on_done.clone());
        Callback::from(move |_: ()| {
            let (Some(a), Some(b)) = (a.clone(), b.clone()) else {
                return;
            };
            if matches!(*stage, Stage::Running(_)) {
                return;
            }
            for (live, s) in live.iter().zip([&a, &b]) {
                live.begin(s.jobs as u64, s.workers + s.readers);
            }
            let traces = (*live).clone().map(|l| LiveTrace {
                watcher: Some(l as Rc<dyn RunWatcher>),
                ..LiveTrace::default()
            });
            let (stage, on_done) = (stage.clone(), on_done.clone());
            stage.set(Stage::Running(Side::A));
            wasm_bindgen_futures::spawn_local(async move {
                let starting = {
                    let stage = stage.clone();
                    move |side| stage.set(Stage::Running(side))
                };
                match compare(&a, &b, None, traces, &starting).await {
                    Ok(runs) => {
                        let runs = Rc::new(runs);
                        stage.set(Stage::Done(runs.clone()));
                        on_done.emit(runs);
                    }
                    Err(e) => stage.set(Stage::Failed(e.message)),
                }
            });
        })
    };
    {
        let start = start.clone();
        use_effect_with(props.run, move |run| {
            if *run > 0 {
                start.emit(());
            }
        });
    }
    let [la, lb] = props.labels.clone();
    let ready = props.a.is_some() && props.b.is_some();
    html! {
        <section class="compare" data-testid="compare-view" aria-label="A/B comparison"
            data-stage={match &*stage {
                Stage::Idle => "idle".to_string(),
                Stage::Running(side) => format!("running-{side:?}").to_ascii_lowercase(),
                Stage::Done(_) => "done".to_string(),
                Stage::Failed(_) => "failed".to_string(),
            }}>
            if props.button {
                <div class="controls">
                    <button data-testid="compare-run" class="primary" disabled={!ready || running}
                        onclick={start.reform(|_: MouseEvent| ())}>
                        { if running { "Comparing..." } else { "Run comparison" } }
                    </button>
                    if !ready {
                        <span class="error">{ format!("Fix {}'s knobs to compare.",
                            if props.a.is_none() { &la } else { &lb }) }</span>
                    } else {
                        <span class="muted">{ format!("{la} runs first, then {lb}: never at once, \
                            so neither takes cores from the other.") }</span>
                    }
                </div>
            }
            { match &*stage {
                Stage::Idle => html! {},
                Stage::Running(side) => html! { <>
                    <p role="status" data-testid="compare-running">{ match side {
                        Side::A => format!("Running {la} (then {lb})..."),
                        Side::B => format!("{la} is done; running {lb}..."),
                    } }</p>
                    // Both stay mounted (each has its redraw hook); the other is hidden.
                    { for live.iter().enumerate().map(|(i, run)| html! {
                        <div hidden={i != side_index(*side)}><LiveView run={run.clone()} /></div>
                    }) }
                </> },
                Stage::Failed(message) => html! {
                    <p class="error" data-testid="compare-failed" role="alert">{ message }</p>
                },
                Stage::Done(runs) => html! {
                    <Compared runs={runs.clone()} labels={[la.clone(), lb.clone()]} />
                },
            } }
        </section>
    }
}

#[derive(Properties, PartialEq)]
pub struct ComparedProps {
    pub runs: Rc<ComparedRuns>,
    pub labels: [AttrValue; 2],
    /// The window both timelines share, when the page keeps it (in its
    /// address); the comparison keeps its own without.
    #[prop_or_default]
    pub window: Option<Rc<WindowCell>>,
    /// Show only run A (0) or run B (1), or both (`None`).
    #[prop_or_default]
    pub only: Option<usize>,
}

/// "A: wall-of-red, completed in 412 ms"; for the shorter run, where the axis
/// goes on to: "(the axis goes on to B's end, 984 ms)".
fn heading(label: &str, run: &BrowserRun, longer: Option<(&str, &BrowserRun)>) -> String {
    let r = &run.report;
    let name = r.scenario["name"].as_str().unwrap_or("scenario");
    let axis = longer.map_or(String::new(), |(label, run)| {
        format!(
            " (the axis goes on to {label}'s end, {:.0} ms)",
            Dec(run.report.elapsed_ms)
        )
    });
    let ended = match r.outcome {
        Outcome::Completed => "completed",
        Outcome::TimeLimit => "stopped at its time limit",
        Outcome::Stopped => "stopped",
        Outcome::Failed => "failed",
        Outcome::PowerCut => "cut off by a power cut",
    };
    format!(
        "{label}: {name}, {ended} in {:.0} ms{axis}",
        Dec(r.elapsed_ms)
    )
}

/// Both runs finished: what B changed, the stacked timelines, the metrics side by
/// side and the differences.
#[function_component(Compared)]
pub fn compared(props: &ComparedProps) -> Html {
    let runs = &props.runs;
    let timelines = use_memo(runs.clone(), |runs| {
        [&runs.a, &runs.b].map(|r| r.timeline.clone())
    });
    let own = use_memo((), |_| WindowCell::default());
    let ends = [&runs.a, &runs.b].map(|r| ((r.report.elapsed_ms * 1000.0) as u64).max(1));
    let shared = SharedWindow {
        window: props.window.clone().unwrap_or_else(|| own.clone()),
        axis_us: ends[0].max(ends[1]),
    };
    let [la, lb] = &props.labels;
    let changes = scenario_changes(&runs.a.report.scenario, &runs.b.report.scenario);
    let alongside = runs.a.alongside.max(runs.b.alongside);
    // Each run's other: the one whose end the axis goes on to when it is longer.
    let others = [(lb.as_str(), &runs.b), (la.as_str(), &runs.a)];
    html! {
        <div class="compared" data-testid="compared"
            data-show={match props.only { Some(0) => "a", Some(_) => "b", None => "both" }}>
            <p data-testid="scenario-changes">
                if changes.is_empty() {
                    { format!("{la} and {lb} ran the same scenario: what differs below is what varies \
                        from one run to the next.") }
                } else {
                    { format!("{lb} differs from {la} in: ") }
                    { for changes.iter().enumerate().map(|(i, c)| html! { <>
                        if i > 0 { { "; " } }
                        <code>{ c }</code>
                    </> }) }
                }
            </p>
            <Alongside runs={alongside} />
            <p class="muted">{ "One time axis for both: zoom or pan either timeline and the other follows." }</p>
            { for [(la, &runs.a), (lb, &runs.b)].into_iter().enumerate().map(|(i, (label, run))| html! {
                <div class="compare-lane" data-testid={if i == 0 { "compare-timeline-a" } else { "compare-timeline-b" }}>
                    <h3>{ heading(label, run, (ends[i] < ends[1 - i]).then(|| others[i])) }</h3>
                    <TimelineView timeline={timelines[i].clone()} version={1} now_us={ends[i]}
                        shared={shared.clone()} legend={i == 1} compact=true />
                    <WalChart report={run.report.clone()} events={run.events.clone()}
                        axis_us={Some(shared.axis_us)} />
                </div>
            }) }
            <CompareMetrics a={runs.a.report.clone()} b={runs.b.report.clone()}
                labels={props.labels.clone()} />
        </div>
    }
}
