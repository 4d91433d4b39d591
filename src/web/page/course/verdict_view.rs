//! What a lesson says once its run is over: whether it agreed with the learner's
//! prediction, what happened in this run, whether the lesson's phenomenon showed
//! (and, when not, what differs from the lesson's scenario), every sentence of
//! those from the run; then why (the lesson's claim, shown nowhere before the
//! run ends, so the prediction is the learner's own), for a case file what
//! locklab shows, what fixed it and what the thread does not say; the moment to
//! look at, and one change to try next.

use super::moment_view::MomentView;
use crate::lessons::{self, Evidence, Runs};
use crate::web::host::finished_run::BrowserRun;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct VerdictProps {
    pub index: usize,
    /// The lesson's run, or both runs of a comparison.
    pub runs: Vec<Rc<BrowserRun>>,
    pub predicted: Option<usize>,
    /// Apply the lesson's suggested change and run again.
    pub on_suggest: Callback<()>,
}

#[function_component(VerdictView)]
pub fn verdict_view(props: &VerdictProps) -> Html {
    let lesson = super::lesson_at(props.index);
    let moment_run = props
        .runs
        .get(lesson.moment.run)
        .or(props.runs.first())
        .cloned();
    let timeline = use_memo(moment_run.as_ref().map(|r| r.id.clone()), {
        let run = moment_run.clone();
        move |_| run.map(|r| r.timeline.clone()).unwrap_or_default()
    });
    if props.runs.is_empty() {
        return html! {};
    }
    let evidence = Evidence::of(props.runs.iter().map(|r| &r.report));
    let sides = lesson.runs.sides();
    let labels = match &lesson.runs {
        Runs::Compare(a, b) => [a.label, b.label],
        _ => ["", ""],
    };
    // A run's name where the verdict points into it: a comparison's A or B, a
    // grid's or sweep's label.
    let run_name = |n: usize| match &lesson.runs {
        Runs::Compare(..) => format!("{} ({})", ["A", "B"][n.min(1)], labels[n.min(1)]),
        _ => sides.get(n).map_or(String::new(), |s| s.label.to_string()),
    };
    let verdict = lesson.check(&evidence);
    let answer = lesson.answer(&evidence);
    let choice = |i: usize| lesson.prediction.choices.get(i).map_or("", |c| c.text);
    let said = match (props.predicted, answer) {
        (None, Some(a)) => format!("You made no prediction. The run bears out: {}.", choice(a)),
        (Some(p), Some(a)) if p == a => format!("You predicted: {}. The run agreed.", choice(p)),
        (Some(p), Some(a)) => format!(
            "You predicted: {}. The run did not agree: it bears out \"{}\".",
            choice(p),
            choice(a)
        ),
        (_, None) => "The run bears out none of the choices: see what differs below.".to_string(),
    };
    // Found once per run: the page draws the verdict again at each zoom and pan,
    // and finding a moment reads the whole run.
    let moment = use_memo((moment_run.as_ref().map(|r| r.id.clone()), props.index), {
        let (run, timeline) = (moment_run.clone(), timeline.clone());
        move |(_, index)| {
            let query = super::lesson_at(*index).moment;
            run.and_then(|run| query.find(&timeline.borrow(), &run.events))
        }
    });
    let on_suggest = {
        let cb = props.on_suggest.clone();
        Callback::from(move |_: MouseEvent| cb.emit(()))
    };
    let next = lessons::all().get(props.index + 1).map(|l| (l.id, l.title));
    html! {
        <section class="verdict" aria-labelledby="verdict-title" data-testid="verdict">
            <h2 id="verdict-title">{ if props.runs.len() > 1 { "What these runs showed" } else { "What this run showed" } }</h2>
            <p data-testid="prediction-result" data-agreed={(props.predicted.is_some() && props.predicted == answer).to_string()}
                class={classes!(if props.predicted.is_some() && props.predicted == answer { "ok" } else { "muted" })}>
                { said }
            </p>
            <h3>{ if props.runs.len() > 1 { "What happened in these runs" } else { "What happened in this run" } }</h3>
            <div data-testid="what-happened">
                if props.runs.len() == 1 {
                    <p>{ lessons::what_happened(&evidence, labels) }</p>
                } else {
                    // A comparison's A and B in a paragraph each; a grid's or
                    // sweep's runs in a line each.
                    { for props.runs.iter().enumerate().map(|(n, run)| html! {
                        <p><strong>{ run_name(n) }{ ": " }</strong>
                            { if lesson.runs.is_many() { lessons::run_line(&run.report) }
                              else { lessons::happened::run_paragraph(&run.report) } }</p>
                    }) }
                }
            </div>
            <p data-testid="check" data-appeared={verdict.finding.appeared.to_string()}
                class={classes!(if verdict.finding.appeared { "ok" } else { "failed" })}>
                <strong>{ if verdict.finding.appeared { "\u{2713} It showed: " } else { "\u{2717} It did not show: " } }</strong>
                { &verdict.finding.because }{ "." }
            </p>
            if !verdict.differs.is_empty() {
                <ul data-testid="differs">
                    { for verdict.differs.iter().map(|d| html! { <li>{ d }</li> }) }
                </ul>
            }
            <section class="explanation" aria-labelledby="explanation-title" data-testid="lesson-explanation">
                <h3 id="explanation-title">{ "Why" }</h3>
                <p class="claim">{ lesson.claim }</p>
            </section>
            if let Some(case) = &lesson.case_file {
                <div class="case-file" data-testid="case-file-after">
                    <h3>{ format!("The case file, {}", case.thread) }</h3>
                    <p data-testid="case-shows"><strong>{ "What locklab shows: " }</strong>{ case.shows }</p>
                    <p data-testid="case-fixed"><strong>{ "What fixed it: " }</strong>{ case.fixed }</p>
                    <p data-testid="case-unsaid"><strong>{ "What the thread does not say: " }</strong>{ case.unsaid }</p>
                </div>
            }
            { match &*moment {
                Some(m) => html! {
                    <MomentView timeline={(*timeline).clone()} at={m.at.clone()}
                        run_label={(props.runs.len() > 1).then(|| run_name(m.run))} />
                },
                None => html! { <p class="muted" data-testid="no-moment">{ "The moment this lesson points at did not happen in this run." }</p> },
            } }
            <div class="controls">
                <button data-testid="suggestion" onclick={on_suggest}>{ lesson.suggestion.label }</button>
                if let Some((id, title)) = next {
                    <a class="button" href={crate::web::page::address::address_of(id)} data-testid="next-lesson">
                        { format!("Next lesson: {title} \u{203a}") }
                    </a>
                }
            </div>
        </section>
    }
}
