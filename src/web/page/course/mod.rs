//! The course: the lessons as pages a learner steps through (the address names
//! the lesson). A lesson page asks before it tells: it names the lesson (and a
//! case file's setup, locklab's stand-in and what its users saw) and asks for a
//! prediction; only once its run (or both runs of a comparison) is over does it
//! say whether the run agreed, what happened in this run, why (the lesson's
//! claim, which is in the page only from then on), what the rest of a case file
//! says, whether the phenomenon showed, the moment to look at, and one change to
//! try. Progress is kept in this browser. The lessons themselves are data in the
//! core (`crate::lessons`).

mod many_runs;
mod moment_view;
mod progress;
mod verdict_view;

pub use many_runs::ManyRuns;
pub use progress::Progress;
pub use verdict_view::VerdictView;

use crate::lessons::{self, Lesson, Runs};
use crate::scenario::Scenario;
use crate::web::error::WebError;
use crate::web::page::scenario_panel::{check, Draft};
use yew::prelude::*;

/// The lesson at `index` of the course.
pub fn lesson_at(index: usize) -> Lesson {
    let mut all = lessons::all();
    all.swap_remove(index.min(all.len() - 1))
}

/// The draft of a lesson's first (or only) scenario.
pub fn lesson_draft(index: usize) -> Draft {
    let lesson = lesson_at(index);
    lesson.runs.sides()[0]
        .scenario_json()
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// The scenarios a Run of lesson `index` runs from `draft`: the draft; and for
/// the other runs of a comparison, grid or sweep, their scenarios with the same
/// edits the draft made to the first (`Runs::with_edits`).
pub fn scenarios_to_run(index: usize, draft: &Draft) -> Result<Vec<Scenario>, WebError> {
    let lesson = lesson_at(index);
    let a = check(draft).map_err(|e| WebError::refused(e.to_string()))?;
    let sides = lesson.runs.sides();
    let mut scenarios = vec![a];
    let others = lesson
        .runs
        .with_edits(&serde_json::Value::Object(draft.clone()));
    for (side, json) in sides.iter().zip(others).skip(1) {
        let s = Scenario::from_value(&json)
            .map_err(|e| WebError::refused(format!("run {}: {e}", side.label)))?;
        scenarios.push(s);
    }
    Ok(scenarios)
}

/// The index of the lesson `id`.
pub fn index_of(id: &str) -> Option<usize> {
    lessons::all().iter().position(|l| l.id == id)
}

#[derive(Properties, PartialEq)]
pub struct CourseProps {
    pub index: usize,
    pub progress: Progress,
    /// The choice the learner predicts, by index.
    pub on_predict: Callback<usize>,
    /// The address named a lesson that does not exist: its name.
    #[prop_or_default]
    pub unknown: Option<String>,
    /// Lesson files opened so far (`PageState::lesson_files`): a lesson opened
    /// again, edited, is drawn afresh.
    #[prop_or_default]
    pub lesson_files: u32,
}

/// The lesson's page above its run: where it sits in the course, its title, for
/// a comparison which run is which, the case file it reproduces as far as the
/// reporter told it, and the prediction. Never the claim: that is the answer,
/// and `VerdictView` says it once the run is over.
#[function_component(Course)]
pub fn course(props: &CourseProps) -> Html {
    let all = lessons::all();
    let lesson = &all[props.index.min(all.len() - 1)];
    let step = props.progress.step(lesson.id);
    let link = |i: usize, text: &str, rel: &str| match all.get(i) {
        Some(l) => html! {
            <a href={crate::web::page::address::address_of(l.id)} rel={rel.to_string()} data-testid={format!("lesson-{rel}")}>{ text }</a>
        },
        None => html! { <span class="muted">{ text }</span> },
    };
    let on_choice = |i: usize| {
        let cb = props.on_predict.clone();
        Callback::from(move |_: Event| cb.emit(i))
    };
    html! {
        <section class="lesson" aria-labelledby="lesson-title" data-testid="lesson" data-lesson={lesson.id}>
            if let Some(name) = &props.unknown {
                <p class="banner notice" role="status" data-testid="unknown-lesson">
                    { format!("There is no lesson \"{name}\" (the link may come from another version of \
                       locklab); here is the first lesson.") }
                </p>
            }
            <nav class="course-nav" aria-label="Lessons">
                { link(props.index.wrapping_sub(1), "\u{2039} Previous", "prev") }
                <span data-testid="lesson-position">{ format!("Lesson {} of {}", props.index + 1, all.len()) }</span>
                { link(props.index + 1, "Next \u{203a}", "next") }
                <LessonList index={props.index} progress={props.progress.clone()} />
            </nav>
            <h2 id="lesson-title">{ format!("{}. {}", props.index + 1, lesson.title) }</h2>
            if let Runs::Compare(a, b) = &lesson.runs {
                <p class="muted" data-testid="lesson-sides">{ format!("A comparison: Run runs A ({}) and then B ({}), one after \
                    the other, each on a database of its own.", a.label, b.label) }</p>
            }
            if lesson.runs.is_many() {
                <p class="muted" data-testid="lesson-sides">{ format!("{} runs: Run runs them one after the other, each on a \
                    database of its own; your edits apply to all but the fields they vary.", lesson.runs.sides().len()) }</p>
            }
            if let Some(case) = &lesson.case_file {
                <div class="case-file" data-testid="case-file">
                    <p><strong>{ "Case file: " }</strong><a href={case.url} target="_blank" rel="noopener">{ case.thread }</a></p>
                    <p class="case-setup" data-testid="case-setup"><strong>{ "The reporter's setup (from the thread): " }</strong>{ case.setup }</p>
                    <p class="case-stand-in" data-testid="case-stand-in"><strong>{ "locklab's stand-in (what this lesson runs in its place): " }</strong>{ case.stand_in }</p>
                    <p class="case-saw" data-testid="case-saw"><strong>{ "What its users saw: " }</strong>{ case.saw }</p>
                </div>
            }
            <fieldset class="prediction" data-testid="prediction">
                <legend>{ "Predict, then press Run: " }{ lesson.prediction.question }</legend>
                { for lesson.prediction.choices.iter().enumerate().map(|(i, c)| html! {
                    <label>
                        <input type="radio" name={format!("predict-{}", lesson.id)} value={i.to_string()}
                            checked={step.predicted == Some(i)} onchange={on_choice(i)}
                            data-testid={format!("predict-{i}")} />
                        { " " }{ c.text }
                    </label>
                }) }
            </fieldset>
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct LessonListProps {
    index: usize,
    progress: Progress,
}

/// Every lesson, with a mark for those whose check passed.
#[function_component(LessonList)]
fn lesson_list(props: &LessonListProps) -> Html {
    let all = lessons::all();
    html! {
        <details class="lesson-list" data-testid="lesson-list">
            <summary>{ format!("All lessons ({} of {} checked)", props.progress.passed(), all.len()) }</summary>
            <ol>
                { for all.iter().enumerate().map(|(i, l)| {
                    let passed = props.progress.step(l.id).passed;
                    html! {
                        <li data-passed={passed.to_string()}>
                            <a href={crate::web::page::address::address_of(l.id)}
                                aria-current={(i == props.index).then_some("page")}>{ l.title }</a>
                            if passed { <span class="ok" aria-label="checked">{ " \u{2713}" }</span> }
                        </li>
                    }
                }) }
            </ol>
        </details>
    }
}
