//! The runs this tab knows: those in progress (for `stop()`), and the last few
//! finished ones (for `reopen()`, the SQL console, and Reset). A finished run in
//! memory lives only here, in its SharedArrayBuffers; one in OPFS lives in its
//! directory, which `run_files` keeps or removes for every tab alike.

use super::worker_handle::{
    check_ready, unexpected, Arrival, Inbox, LiveTrace, Member, WorkerHandle,
};
use crate::decimal::Dec;
use crate::scenario::Scenario;
use crate::trace::WorkerId;
use crate::web::error::WebError;
use crate::web::protocol::{FromWorker, SharedBuffers, StorageKind, ToWorker};
use crate::web::run_files;
use js_sys::{Array, Atomics, Int32Array};
use std::cell::RefCell;
use std::rc::Rc;

/// Finished runs in memory this tab keeps (their buffers hold the database).
const KEEP_IN_TAB: usize = 4;

/// A finished run this tab can reopen.
#[derive(Clone)]
pub struct KeptRun {
    pub id: String,
    /// The checked scenario (every default filled in).
    pub scenario: Scenario,
    pub storage: StorageKind,
    pub buffers: Array,
}

thread_local! {
    /// This tab's runs in progress.
    static IN_PROGRESS: RefCell<Vec<Running>> = const { RefCell::new(Vec::new()) };
    /// This tab's finished runs, oldest first.
    static FINISHED: RefCell<Vec<KeptRun>> = const { RefCell::new(Vec::new()) };
}

/// A run in progress in this tab: what `stop`, `kill`, `progress` and the SQL
/// console need of it.
#[derive(Clone)]
pub struct Running {
    pub id: String,
    /// The checked scenario (every default filled in).
    pub scenario: Scenario,
    pub storage: StorageKind,
    pub buffers: Array,
    pub control: Int32Array,
    /// Its trace so far, and who watches it.
    pub live: LiveTrace,
    /// The run's clock, once its workers start.
    pub epoch_ms: Option<f64>,
    /// The worker id the SQL console's lane takes: after every worker and reader.
    pub console_worker: WorkerId,
}

/// A run in progress in this tab, from `begin` until dropped, however it ends.
pub struct InProgress(String);

impl InProgress {
    pub fn begin(running: Running) -> InProgress {
        let id = running.id.clone();
        IN_PROGRESS.with(|runs| runs.borrow_mut().push(running));
        InProgress(id)
    }

    /// The run's workers start now, on the clock of `epoch_ms`.
    pub fn started(&self, epoch_ms: f64) {
        IN_PROGRESS.with(|runs| {
            for r in runs.borrow_mut().iter_mut().filter(|r| r.id == self.0) {
                r.epoch_ms = Some(epoch_ms);
            }
        });
    }
}

/// The run in progress this tab started last.
pub fn latest_running() -> Option<Running> {
    IN_PROGRESS.with(|runs| runs.borrow().last().cloned())
}

impl Drop for InProgress {
    fn drop(&mut self) {
        IN_PROGRESS.with(|runs| runs.borrow_mut().retain(|r| r.id != self.0));
    }
}

/// This tab's runs in progress as `locklab.progress()` shows them: id, trace
/// events so far, jobs whose result is committed so far.
pub fn progress() -> serde_json::Value {
    IN_PROGRESS.with(|runs| {
        runs.borrow()
            .iter()
            .map(|r| {
                let trace = r.live.trace.borrow();
                serde_json::json!({"run": r.id, "events": trace.total(),
                    "jobs_done": trace.tally().jobs_done()})
            })
            .collect()
    })
}

/// Set a run's stop flag and wake every worker sleeping on it.
pub fn stop_control(control: &Int32Array) {
    let _ = Atomics::store(control, SharedBuffers::STOP as u32, 1);
    let _ = Atomics::notify(control, SharedBuffers::STOP as u32);
}

/// Ask every run in progress in this tab to stop; says how many there were.
pub fn stop() -> usize {
    IN_PROGRESS.with(|runs| {
        let runs = runs.borrow();
        runs.iter().for_each(|r| stop_control(&r.control));
        runs.len()
    })
}

/// Ask worker `worker` of run `run` (or of every run in progress in this tab) to
/// die at its next step, as a crash would (`SharedBuffers::KILL`) or as a bug
/// would (`SharedBuffers::TRAP`). Nobody is woken for it: a wake would cut short
/// the busy waits of every worker of the run, and SQLite's busy handler would
/// count time it never waited. Says whether a run was there to ask.
pub fn ask_worker(word: usize, worker: u32, run: Option<&str>) -> bool {
    if worker >= 32 {
        return false;
    }
    IN_PROGRESS.with(|runs| {
        let runs = runs.borrow();
        let mut asked = false;
        for r in runs.iter().filter(|r| run.is_none_or(|id| id == r.id)) {
            let _ = Atomics::or(&r.control, word as u32, 1 << worker);
            asked = true;
        }
        asked
    })
}

/// Keep a finished run; the oldest memory runs beyond [`KEEP_IN_TAB`] are let go.
pub fn keep(run: KeptRun) {
    FINISHED.with(|kept| {
        let mut kept = kept.borrow_mut();
        kept.push(run);
        let in_memory = kept
            .iter()
            .filter(|r| r.storage == StorageKind::Memory)
            .count();
        if in_memory > KEEP_IN_TAB {
            if let Some(oldest) = kept.iter().position(|r| r.storage == StorageKind::Memory) {
                kept.remove(oldest);
            }
        }
    });
}

/// The last run this tab finished.
pub fn last() -> Option<KeptRun> {
    FINISHED.with(|kept| kept.borrow().last().cloned())
}

/// The finished run `id`, if this tab still keeps it.
pub fn kept(id: &str) -> Option<KeptRun> {
    FINISHED.with(|kept| kept.borrow().iter().find(|r| r.id == id).cloned())
}

/// A worker of its own for `run`'s database (its workers are gone), sent
/// `message` once it is ready; it and the inbox its answer comes to. Refused when
/// the run's OPFS files are gone.
pub(crate) async fn ask_keeper(
    run: &KeptRun,
    message: ToWorker,
) -> Result<(WorkerHandle, Rc<Inbox>), WebError> {
    if run.storage == StorageKind::Opfs && !run_files::exists(&run.id).await? {
        return Err(WebError::no_run(format!(
            "{} is no longer stored: Reset removed it, or newer runs did (the last {} finished \
             runs are kept)",
            run.id,
            run_files::KEEP_FINISHED
        )));
    }
    let inbox = Rc::new(Inbox::default());
    let worker = WorkerHandle::spawn(Member::Keeper, &inbox, &LiveTrace::default()).await?;
    let (member, arrival) = inbox.next().await;
    check_ready(member, arrival)?;
    worker.send(&message, &run.buffers)?;
    Ok((worker, inbox))
}

/// What `reopen()` found in a run's database.
pub struct Reopened {
    pub run: String,
    pub jobs: u64,
    pub done: u64,
    pub integrity_check: String,
}

/// Open the last run's database with a new worker (its workers are gone) and
/// count its jobs.
pub async fn reopen() -> Result<Reopened, WebError> {
    let run = last().ok_or_else(|| {
        WebError::no_run(
            "no run to reopen: none finished in this tab since it loaded or since the last reset",
        )
    })?;
    let (_keeper, inbox) = ask_keeper(
        &run,
        ToWorker::Inspect {
            run: run.id.clone(),
            scenario: run.scenario.clone(),
            storage: run.storage,
        },
    )
    .await?;
    match inbox.next().await {
        (
            _,
            Arrival::Message(FromWorker::Inspected {
                jobs,
                done,
                integrity_check,
            }),
        ) => Ok(Reopened {
            run: run.id,
            jobs,
            done,
            integrity_check,
        }),
        (member, other) => Err(unexpected(member, other)),
    }
}

/// Reset: remove every finished run (this tab's in memory; every tab's in OPFS)
/// and leave those in progress, in any tab, alone. Says what it removed.
pub async fn reset() -> Result<String, WebError> {
    let forgotten = FINISHED.with(|kept| {
        let mut kept = kept.borrow_mut();
        let n = kept
            .iter()
            .filter(|r| r.storage == StorageKind::Memory)
            .count();
        kept.clear();
        n
    });
    let mut said = Vec::new();
    if run_files::default_storage() == StorageKind::Opfs {
        let removed = run_files::remove_finished().await?;
        said.push(format!(
            "{} finished run{} removed from OPFS ({} file{}, {:.1} KB)",
            removed.runs,
            plural(removed.runs as usize),
            removed.files,
            plural(removed.files as usize),
            Dec(removed.bytes / 1024.0)
        ));
        if removed.in_progress > 0 {
            said.push(format!(
                "{} run{} in progress (in this tab or another) kept",
                removed.in_progress,
                plural(removed.in_progress as usize)
            ));
        }
        for why in &removed.failed {
            said.push(format!("not removed: {why}"));
        }
    }
    if forgotten > 0 || said.is_empty() {
        said.push(format!(
            "{forgotten} finished run{} in this page's memory forgotten",
            plural(forgotten)
        ));
    }
    Ok(format!(
        "Reset: {}. The next run seeds a new queue.",
        said.join("; ")
    ))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
