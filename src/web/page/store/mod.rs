//! The page's state, in one place: the lesson shown, the learner's progress,
//! the scenario being edited (the draft) and its edited copy, the run and what it
//! showed, and the few words the page says back (a link copied, a database
//! reset). One `PageState`, changed only by the `Action`s below through one
//! `Store`, which the components read (`use_store`) and the automation API
//! (`page_api`) reads and writes.
//!
//! Two things change too often to be state and live beside it as cells: the
//! timeline's window (`WindowCell`: every frame of a zoom) and the run in
//! progress (`LiveRun`: every batch of events). What the page keeps elsewhere
//! is the browser's: the address (`address`, written from this state) and the
//! progress in localStorage (`Progress::save`).

mod opened;

pub use opened::{hash_for, Opened};

use super::course::{self, Progress};
use super::live_view::LiveRun;
use super::scenario_panel::{draft_of, picked_for, Draft};
use super::timeline::WindowCell;
use super::watchers::{Watch, Watchers};
use crate::lessons::Evidence;
use crate::web::error::WebError;
use crate::web::host::finished_run::BrowserRun;
use serde_json::Value;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Where the page's run is: a lesson's run, or all runs of a comparison, grid or
/// sweep.
#[derive(Clone, PartialEq)]
pub enum RunState {
    Idle,
    /// Running the `n`th of the runs asked for.
    Running(usize, usize),
    Done(Vec<Rc<BrowserRun>>),
    Failed(WebError),
}

#[derive(Clone, PartialEq)]
pub struct PageState {
    /// The lesson shown, by its place in the course.
    pub lesson: usize,
    /// The address named a lesson that does not exist: its name.
    pub unknown_lesson: Option<String>,
    /// What the learner predicted, ran and passed, lesson by lesson.
    pub progress: Progress,
    /// The built-in scenario last picked.
    pub preset: String,
    /// The scenario being edited: the lesson's, with the learner's changes.
    pub draft: Draft,
    /// An edited copy of the draft to compare it with (B).
    pub copy: Option<Draft>,
    /// What a link could not restore, in words.
    pub link_problem: Option<String>,
    /// The address asked to run at once; it keeps `run` until that run is over
    /// (the service worker's first reload would otherwise lose it).
    pub run_at_once: bool,
    /// The link Share copied last.
    pub shared_link: Option<String>,
    pub run: RunState,
    /// Which run of a comparison to show: A, B, or both (`None`, key V).
    pub only: Option<usize>,
    /// What the last Reset database said, until the next run.
    pub reset_said: Option<String>,
    /// How many times a lesson file was opened: a lesson reopened under the
    /// same id (edited) is shown afresh.
    pub lesson_files: u32,
}

pub enum Action {
    /// The address changed (a link, Back, a typed address): its state.
    Opened(Opened),
    /// A built-in scenario picked: it replaces the draft.
    ChosePreset(String),
    /// A field of the draft set (`Some`) or back to its default (`None`).
    Edited(String, Option<Value>),
    /// A whole draft put in (the API's `load`, a suggested change).
    Loaded(Draft),
    /// The edited copy made, changed or dropped.
    Copied(Option<Draft>),
    /// The learner predicts this choice of the lesson's question.
    Predicted(usize),
    /// The `n`th of `of` runs started.
    Running(usize, usize),
    /// The runs asked for are over: the lesson's check and the prediction are
    /// judged on them.
    Ran(Vec<Rc<BrowserRun>>),
    Failed(WebError),
    /// The address's run is started, or over.
    RunAtOnce(bool),
    Shared(String),
    /// Show both runs of a comparison, then A alone, then B (key V).
    SwitchedSides,
    ResetSaid(String),
    /// A lesson link (`lesson-url=`, `lesson-data=`) could not be opened: why.
    LinkProblem(String),
    /// A lesson file was opened (`lessons::file::open`), perhaps in place of one
    /// of the same id: the page's lesson and its draft are read again.
    LessonFileOpened,
}

impl PageState {
    /// The page as the address opens it.
    pub fn from_address() -> PageState {
        let opened = Opened::from_address();
        PageState {
            lesson: opened.lesson,
            unknown_lesson: opened.unknown_lesson,
            progress: Progress::load(),
            preset: picked_for(&course::lesson_at(opened.lesson)),
            draft: opened.draft,
            copy: opened.copy,
            link_problem: opened.link_problem,
            run_at_once: opened.run,
            shared_link: None,
            run: RunState::Idle,
            only: None,
            reset_said: None,
            lesson_files: 0,
        }
    }

    pub fn running(&self) -> bool {
        matches!(self.run, RunState::Running(..))
    }

    fn reduce(&self, action: Action) -> PageState {
        let mut next = self.clone();
        match action {
            Action::Opened(opened) => {
                if opened.lesson != self.lesson
                    || opened.unknown_lesson.is_some()
                    || opened.draft != self.draft
                {
                    next.run = RunState::Idle;
                }
                if opened.lesson != self.lesson {
                    next.preset = picked_for(&course::lesson_at(opened.lesson));
                }
                next.lesson = opened.lesson;
                next.unknown_lesson = opened.unknown_lesson;
                next.draft = opened.draft;
                next.copy = opened.copy;
                next.link_problem = opened.link_problem;
            }
            Action::LinkProblem(why) => next.link_problem = Some(why),
            Action::LessonFileOpened => {
                next.lesson_files += 1;
                next.run = RunState::Idle;
            }
            Action::ChosePreset(name) => {
                next.draft = draft_of(&name);
                next.preset = name;
            }
            Action::Edited(field, value) => {
                match value {
                    Some(v) => next.draft.insert(field, v),
                    None => next.draft.remove(&field),
                };
            }
            Action::Loaded(draft) => next.draft = draft,
            Action::Copied(copy) => next.copy = copy,
            Action::Predicted(choice) => {
                let id = course::lesson_at(self.lesson).id;
                next.progress = self.progress.with(id, |s| s.predicted = Some(choice));
            }
            Action::Running(n, of) => {
                next.run = RunState::Running(n, of);
                if n == 0 {
                    next.reset_said = None;
                }
            }
            Action::Ran(runs) => {
                let lesson = course::lesson_at(self.lesson);
                let evidence = Evidence::of(runs.iter().map(|r| &r.report));
                let passed = lesson.check(&evidence).finding.appeared;
                let answer = lesson.answer(&evidence);
                next.progress = self.progress.with(lesson.id, |s| {
                    s.agreed = s.predicted.is_some() && s.predicted == answer;
                    s.passed |= passed;
                });
                next.run = RunState::Done(runs);
                next.run_at_once = false;
            }
            Action::Failed(message) => {
                next.run = RunState::Failed(message);
                next.run_at_once = false;
            }
            Action::RunAtOnce(on) => next.run_at_once = on,
            Action::Shared(link) => next.shared_link = Some(link),
            Action::SwitchedSides => {
                next.only = match self.only {
                    None => Some(0),
                    Some(0) => Some(1),
                    Some(_) => None,
                }
            }
            Action::ResetSaid(said) => next.reset_said = Some(said),
        }
        next
    }
}

/// The page's state and the cells beside it, shared by the components and the
/// API. Dispatching an action makes the next state and tells every watcher.
pub struct Store {
    state: RefCell<Rc<PageState>>,
    /// The timeline's window, kept in the address (`t=`): a link restores it.
    /// Zooming and panning move it without rendering the page again.
    pub window: Rc<WindowCell>,
    /// The run in progress, as the workers post it.
    pub live: Rc<LiveRun>,
    watchers: Watchers<()>,
}

/// A store is the same as itself only.
impl PartialEq for Store {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Store {
    /// The store of a page opened at the current address.
    pub fn from_address() -> Rc<Store> {
        Rc::new(Store {
            state: RefCell::new(Rc::new(PageState::from_address())),
            window: Rc::new(WindowCell::new(super::address::window_in_address())),
            live: Rc::new(LiveRun::default()),
            watchers: Watchers::default(),
        })
    }

    /// The state now.
    pub fn state(&self) -> Rc<PageState> {
        self.state.borrow().clone()
    }

    /// Change the state by `action`, and tell every watcher if it changed.
    pub fn dispatch(&self, action: Action) {
        let next = self.state().reduce(action);
        if *self.state() == next {
            return;
        }
        *self.state.borrow_mut() = Rc::new(next);
        self.watchers.tell(());
    }

    /// A callback that dispatches the action `to_action` makes of its value.
    pub fn callback<T: 'static>(
        store: &Rc<Store>,
        to_action: impl Fn(T) -> Action + 'static,
    ) -> Callback<T> {
        let store = store.clone();
        Callback::from(move |value| store.dispatch(to_action(value)))
    }

    /// Call `on_change` after every change of the state, until the `Watch` is
    /// dropped.
    pub fn watch(&self, on_change: Callback<()>) -> Watch {
        self.watchers.watch(on_change)
    }
}

/// The page's store, from the context `Page` provides, and its state now; the
/// component calling this renders again whenever the state changes.
#[hook]
pub fn use_store() -> (Rc<Store>, Rc<PageState>) {
    let store = use_context::<Rc<Store>>().expect("the page provides its store");
    let rerender = use_force_update();
    use_effect_with(store.clone(), move |store| {
        let watch = store.watch(Callback::from(move |_| rerender.force_update()));
        move || drop(watch)
    });
    let state = store.state();
    (store, state)
}
