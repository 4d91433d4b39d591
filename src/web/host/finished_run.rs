//! A finished run in the browser, and the one this tab finished last (what
//! `locklab.export` saves), whether the page or the API started it.

use crate::analysis::report::RunReport;
use crate::run_trace::Kept;
use crate::timeline::Timeline;
use crate::trace::TraceEvent;
use std::cell::RefCell;
use std::rc::Rc;

/// A finished run in the browser: its id, its report, its timeline and its trace
/// events (in time order: every one, or as many as the page's budget keeps).
#[derive(Clone)]
pub struct BrowserRun {
    pub id: String,
    /// How many other runs (in this tab or others) were in progress when this
    /// one started: they shared the machine's cores.
    pub alongside: usize,
    /// The SQL console's transaction was still open when the run ended, and was
    /// rolled back.
    pub console_rolled_back: bool,
    pub report: RunReport,
    /// Shared with this tab's memory of its last run (`remember`).
    pub events: Rc<Vec<TraceEvent>>,
    /// The timeline the page built while the run went on (the one it drew).
    pub timeline: Rc<RefCell<Timeline>>,
    /// What the trace kept, and what it did not (over the page's budget).
    pub kept: Kept,
}

thread_local! {
    /// The run this tab finished last, started from the page or from the API.
    static LAST: RefCell<Option<BrowserRun>> = const { RefCell::new(None) };
}

/// Remember `run` as this tab's last finished run (what `locklab.export` saves).
pub fn remember(run: &BrowserRun) {
    LAST.with(|last| *last.borrow_mut() = Some(run.clone()));
}

/// This tab's last finished run.
pub fn last() -> Option<BrowserRun> {
    LAST.with(|last| last.borrow().clone())
}
