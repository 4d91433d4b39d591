//! An A/B comparison's runs: `a`, then `b`, one after the other and never at
//! once (their workers would share the cores and distort each other's times),
//! each a run of its own through `run::run`: its own run id, buffers and files.

use super::finished_run::BrowserRun;
use super::run::{run, LiveTrace};
use crate::analysis::report::Outcome;
use crate::compare::Side;
use crate::scenario::Scenario;
use crate::web::error::WebError;
use crate::web::protocol::StorageKind;

/// Both runs of a comparison, finished.
pub struct ComparedRuns {
    pub a: BrowserRun,
    pub b: BrowserRun,
}

/// Run `a` to its report, then `b`, each on `storage` (or the default) with its
/// own live trace. `starting` is told which side starts, before each. A run `a`
/// that was stopped (Stop, `locklab.stop()`) ends the comparison: `b` is not run.
pub async fn compare(
    a: &Scenario,
    b: &Scenario,
    storage: Option<StorageKind>,
    [live_a, live_b]: [LiveTrace; 2],
    starting: &dyn Fn(Side),
) -> Result<ComparedRuns, WebError> {
    starting(Side::A);
    let a = run(a, storage, live_a)
        .await
        .map_err(|e| WebError::worker(format!("compare: run a could not take place: {e}")))?;
    if a.report.outcome == Outcome::Stopped {
        return Err(WebError::refused(
            "compare: run a was stopped, so b was not run",
        ));
    }
    starting(Side::B);
    let b = run(b, storage, live_b)
        .await
        .map_err(|e| WebError::worker(format!("compare: run b could not take place: {e}")))?;
    Ok(ComparedRuns { a, b })
}
