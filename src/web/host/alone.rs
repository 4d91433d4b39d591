//! The page's pipeline check: a scenario's first writer alone in one Web Worker,
//! on sqlite-wasm-rs's in-memory VFS, and its report, which the page makes.

use super::worker_handle::{
    check_ready, unexpected, Arrival, Inbox, LiveTrace, Member, WorkerHandle,
};
use crate::analysis::outcome::WorkerExit;
use crate::analysis::report::{Outcome, RunFacts, RunReport};
use crate::scenario::Scenario;
use crate::web::error::WebError;
use crate::web::protocol::{FromWorker, ToWorker};
use js_sys::Array;
use std::rc::Rc;

/// The pipeline check runs on sqlite-wasm-rs's in-memory VFS, which cannot cut
/// the power: it says so instead of running the scenario without its cut.
fn refuse_power_cut(scenario: &Scenario) -> Result<(), WebError> {
    match scenario.faults.power_cut {
        Some(_) => Err(WebError::refused(
            "scenario field `faults`: the pipeline check (one worker on sqlite-wasm-rs's \
             memory VFS) cannot cut the power; run the scenario itself",
        )),
        None => Ok(()),
    }
}

/// The page's pipeline check: `scenario`'s first writer alone in one Web Worker, on
/// sqlite-wasm-rs's in-memory VFS.
pub async fn run_alone(scenario: &Scenario) -> Result<RunReport, WebError> {
    let (member, answer) = ask_alone(scenario).await?;
    alone_report(scenario, answer)
        .ok_or_else(|| WebError::worker(format!("{}: no run", member.name())))
}

/// `run_alone`'s run without its report: the worker's answer (`FromWorker::Alone`),
/// unread. The warm-up wants only the run.
pub async fn ask_alone(scenario: &Scenario) -> Result<(Member, FromWorker), WebError> {
    refuse_power_cut(scenario)?;
    let inbox = Rc::new(Inbox::default());
    let worker = WorkerHandle::spawn(Member::Worker(0), &inbox, &LiveTrace::default()).await?;
    let (member, arrival) = inbox.next().await;
    check_ready(member, arrival)?;
    let message = ToWorker::RunAlone {
        scenario: scenario.clone(),
    };
    worker.send(&message, &Array::new())?;
    match inbox.next().await {
        (member, Arrival::Message(answer @ FromWorker::Alone { .. })) => Ok((member, answer)),
        (member, other) => Err(unexpected(member, other)),
    }
}

/// The report of a pipeline check from the worker's answer (`FromWorker::Alone`):
/// the page makes it, so that the worker's wasm needs no metrics. `None` for any
/// other answer.
pub fn alone_report(scenario: &Scenario, answer: FromWorker) -> Option<RunReport> {
    let FromWorker::Alone {
        sqlite_version,
        journal_mode,
        elapsed_us,
        exit,
        failure,
        audit,
        integrity_check,
        events,
    } = answer
    else {
        return None;
    };
    let exit = exit.worker_exit(failure, 0);
    let facts = RunFacts {
        scenario,
        sqlite_version,
        vfs: "memvfs (sqlite-wasm-rs, one connection at a time)".to_string(),
        journal_mode,
        elapsed_us,
        outcome: Outcome::of(std::slice::from_ref(&exit)),
        audit,
        integrity_check,
        failure: match exit {
            WorkerExit::Failed(failure) => Some(failure),
            _ => None,
        },
    };
    Some(RunReport::new(facts, &events))
}
