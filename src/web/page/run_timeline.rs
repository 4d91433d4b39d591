//! The timeline model of a finished run, built once and shared by every view that
//! shows it (the run's timeline, a lesson's annotated moment, an A/B comparison's
//! stacked timelines). A build reads every event of the run: at the end of a
//! 16-worker run (170k events) the run view and the lesson's verdict each built
//! one in the same render, one long task of the main thread.

use crate::timeline::Timeline;
use crate::trace::TraceEvent;
use crate::web::host::run::BrowserRun;
use std::cell::RefCell;
use std::rc::{Rc, Weak};

/// Runs shown at once: a comparison's two, and the verdict's moment beside them.
const KEPT: usize = 4;

/// A timeline built lately, by the events it was built from; weak, so a timeline
/// no view shows any more is freed.
type Built = (Weak<[TraceEvent]>, Weak<RefCell<Timeline>>);

thread_local! {
    static BUILT: RefCell<Vec<Built>> = const { RefCell::new(Vec::new()) };
}

/// The timeline of `run`, built from its events unless a view holds it already.
pub fn timeline_of(run: &BrowserRun) -> Rc<RefCell<Timeline>> {
    BUILT.with(|built| {
        let mut built = built.borrow_mut();
        built.retain(|(events, timeline)| events.strong_count() > 0 && timeline.strong_count() > 0);
        let found = built.iter().find_map(|(events, timeline)| {
            events
                .upgrade()
                .filter(|e| Rc::ptr_eq(e, &run.events))
                .and_then(|_| timeline.upgrade())
        });
        found.unwrap_or_else(|| {
            let timeline = Rc::new(RefCell::new(Timeline::from_events(&run.events)));
            if built.len() == KEPT {
                built.remove(0);
            }
            built.push((Rc::downgrade(&run.events), Rc::downgrade(&timeline)));
            timeline
        })
    })
}
