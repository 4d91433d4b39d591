//! The browser host: runs a scenario with one Web Worker per scenario worker, all
//! on one database through the shared VFS, with the shared memory (lock table, WAL
//! index, file bytes) in SharedArrayBuffers that the page creates and hands out.

use super::protocol::{FromWorker, SharedBuffers, StorageKind, ToWorker};
pub use super::worker_handle::LiveTrace;
use super::worker_handle::WorkerHandle;
use crate::report::{Outcome, RunFacts, RunReport};
use crate::scenario::Scenario;
use crate::trace::{self, Role, TraceEvent, WorkerId};
use crate::vfs::DATABASE_WORDS;
use crate::web::clock::wall_ms;
use crate::web::worker::sab_storage::new_file_buffer;
use crate::web::worker::sab_words::SabWords;
use js_sys::{Array, Atomics, Int32Array, Reflect, SharedArrayBuffer};
use std::cell::RefCell;

/// A run in progress, for `stop()` and `reset_database()`, from `begin` until
/// dropped, however the run ends.
struct InProgress;

impl InProgress {
    fn begin(control: Int32Array) -> InProgress {
        CURRENT.with(|c| *c.borrow_mut() = Some(control));
        InProgress
    }
}

impl Drop for InProgress {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

thread_local! {
    /// The control words of the run in progress, for `stop()`.
    static CURRENT: RefCell<Option<Int32Array>> = const { RefCell::new(None) };
    /// The shared buffers and storage of the last run, for `reopen()`.
    static LAST: RefCell<Option<(Array, StorageKind)>> = const { RefCell::new(None) };
}

/// OPFS where the browser has it; its shared handles are confirmed when the first
/// worker opens them, and a refusal falls back to memory.
pub fn default_storage() -> StorageKind {
    let storage = web_sys::window().map(|w| w.navigator().storage());
    let has_opfs = storage
        .and_then(|s| Reflect::get(&s, &"getDirectory".into()).ok())
        .is_some_and(|f| f.is_function());
    if has_opfs {
        StorageKind::Opfs
    } else {
        StorageKind::Memory
    }
}

fn new_buffers(scenario: &Scenario) -> Result<Array, String> {
    let buffers = Array::new();
    let control_buffer = SharedArrayBuffer::new((SharedBuffers::CONTROL_WORDS * 4) as u32);
    let control = Int32Array::new(&control_buffer);
    let _ = Atomics::store(
        &control,
        SharedBuffers::WRITERS_LEFT as u32,
        scenario.workers as i32,
    );
    buffers.push(&control_buffer);
    let databases = if scenario.separate_results_db { 2 } else { 1 };
    for _ in 0..databases {
        buffers.push(&SabWords::new_buffer(DATABASE_WORDS));
        for _ in SharedBuffers::FILE_SUFFIXES {
            let file = new_file_buffer()
                .map_err(|e| format!("cannot make a shared file buffer: {e:?}"))?;
            buffers.push(&file);
        }
    }
    Ok(buffers)
}

/// Ask the run in progress to stop; its workers see it at their next step.
pub fn stop() {
    CURRENT.with(|c| {
        if let Some(control) = c.borrow().as_ref() {
            let _ = Atomics::store(control, SharedBuffers::STOP as u32, 1);
            // Wake every worker sleeping on the flag (busy waits and pauses).
            let _ = Atomics::notify(control, SharedBuffers::STOP as u32);
        }
    });
}

fn unexpected(message: FromWorker) -> String {
    format!("unexpected answer from a worker: {}", message.to_json())
}

/// A finished run in the browser: its report and every trace event, in time order.
pub struct BrowserRun {
    pub report: RunReport,
    pub events: Vec<TraceEvent>,
}

/// Run `scenario` to its report, on `storage` (or the default: OPFS where the
/// browser shares OPFS handles between workers, else memory).
pub async fn run(
    scenario: &Scenario,
    storage: Option<StorageKind>,
    live: LiveTrace,
) -> Result<BrowserRun, String> {
    let chosen = storage.unwrap_or_else(default_storage);
    match run_on(scenario, chosen, live.clone()).await {
        // Every error of `opfs_storage::open` names OPFS.
        Err(why) if storage.is_none() && chosen == StorageKind::Opfs && why.contains("OPFS") => {
            web_sys::console::warn_1(
                &format!("OPFS cannot be shared here ({why}); using memory").into(),
            );
            live.events.borrow_mut().clear();
            run_on(scenario, StorageKind::Memory, live).await
        }
        other => other,
    }
}

async fn run_on(
    scenario: &Scenario,
    storage: StorageKind,
    live: LiveTrace,
) -> Result<BrowserRun, String> {
    let isolated = Reflect::get(&js_sys::global(), &"crossOriginIsolated".into())
        .ok()
        .and_then(|v| v.as_bool());
    if isolated != Some(true) {
        return Err(
            "this page is not cross-origin isolated, so workers cannot share memory".to_string(),
        );
    }
    let scenario_json = scenario.to_value();
    let buffers = new_buffers(scenario)?;
    let control: Int32Array = Int32Array::new(&buffers.get(0));
    let in_progress = InProgress::begin(control);

    let count = (scenario.workers + scenario.readers) as usize;
    let workers = (0..count)
        .map(|_| WorkerHandle::spawn(live.clone()))
        .collect::<Result<Vec<_>, _>>()?;
    for w in &workers {
        match w.recv().await? {
            FromWorker::Ready => {}
            other => return Err(unexpected(other)),
        }
    }
    let seeder = &workers[0];
    seeder.send(
        &ToWorker::Setup {
            scenario: scenario_json.clone(),
            storage,
        },
        &buffers,
    )?;
    let sqlite_version = match seeder.recv().await? {
        FromWorker::SetupDone { sqlite_version } => sqlite_version,
        other => return Err(unexpected(other)),
    };

    let epoch_ms = wall_ms();
    for (id, w) in workers.iter().enumerate() {
        let role = if id < scenario.workers as usize {
            Role::Writer
        } else {
            Role::Reader
        };
        let message = ToWorker::Run {
            worker: id as WorkerId,
            role,
            scenario: scenario_json.clone(),
            storage,
            epoch_ms,
        };
        w.send(&message, &buffers)?;
    }
    let mut finished: Vec<TraceEvent> = Vec::new();
    let mut journal_mode = None;
    let mut exits = Vec::new();
    for (id, w) in workers.iter().enumerate() {
        match w.recv().await.map_err(|e| format!("worker {id}: {e}"))? {
            FromWorker::Finished {
                journal_mode: mode,
                exit,
                events: mut theirs,
            } => {
                journal_mode = journal_mode.or(mode);
                exits.push(exit);
                finished.append(&mut theirs);
            }
            other => return Err(unexpected(other)),
        }
    }
    let elapsed_us = ((wall_ms() - epoch_ms) * 1000.0) as u64;
    let mut events: Vec<TraceEvent> = live.events.borrow_mut().drain(..).chain(finished).collect();
    events.sort_by_key(|e| (e.t_us, e.worker));
    let committed = trace::committed_jobs(&events);
    seeder.send(
        &ToWorker::Audit {
            scenario: scenario_json,
            storage,
            committed,
        },
        &buffers,
    )?;
    let (audit, integrity_check) = match seeder.recv().await? {
        FromWorker::Audited {
            audit,
            integrity_check,
        } => (audit, integrity_check),
        other => return Err(unexpected(other)),
    };
    drop(in_progress);
    drop(workers);
    LAST.with(|l| *l.borrow_mut() = Some((buffers, storage)));
    let outcome = if exits.iter().any(|e| e == "stopped") {
        Outcome::Stopped
    } else if exits.iter().any(|e| e == "time_limit") {
        Outcome::TimeLimit
    } else {
        Outcome::Completed
    };
    let locks = if scenario.locking == crate::scenario::LockingMode::None {
        ", locking none"
    } else {
        ""
    };
    let report = RunReport::new(
        RunFacts {
            scenario,
            sqlite_version,
            vfs: format!(
                "{} ({}{locks})",
                crate::vfs::NAME,
                match storage {
                    StorageKind::Opfs => "OPFS",
                    StorageKind::Memory => "SharedArrayBuffer",
                }
            ),
            journal_mode: journal_mode.unwrap_or_default(),
            elapsed_us,
            outcome,
            audit,
            integrity_check,
        },
        &events,
    );
    Ok(BrowserRun { report, events })
}

/// The page's pipeline check: `scenario`'s first writer alone in one Web Worker, on
/// sqlite-wasm-rs's in-memory VFS.
pub async fn run_alone(scenario: serde_json::Value) -> Result<RunReport, String> {
    let worker = WorkerHandle::spawn(LiveTrace::default())?;
    match worker.recv().await? {
        FromWorker::Ready => {}
        other => return Err(unexpected(other)),
    }
    worker.send(&ToWorker::RunAlone { scenario }, &Array::new())?;
    match worker.recv().await? {
        FromWorker::Report { report } => Ok(*report),
        other => Err(unexpected(other)),
    }
}

/// Reset database: forget the last run's database, in shared memory and in OPFS,
/// so that nothing of it is left. Refused while a run goes on (its workers hold
/// the files). Says what was removed.
pub async fn reset_database() -> Result<String, String> {
    if CURRENT.with(|c| c.borrow().is_some()) {
        return Err("a run is going on: stop it before resetting the database".to_string());
    }
    LAST.with(|l| *l.borrow_mut() = None);
    if default_storage() != StorageKind::Opfs {
        return Ok(
            "The database is reset: the last run's files lived in this page's memory \
                   and are gone."
                .to_string(),
        );
    }
    let (files, bytes) = crate::web::worker::opfs_storage::remove_all().await?;
    Ok(format!(
        "The database is reset: {files} file{} ({:.1} KB) removed from OPFS. The next run \
         seeds a new queue.",
        if files == 1 { "" } else { "s" },
        bytes / 1024.0
    ))
}

/// Open the last run's database with a new worker (its workers are gone) and count
/// its jobs: `{jobs, done, integrity_check}`.
pub async fn reopen() -> Result<(u64, u64, String), String> {
    let (buffers, storage) = LAST
        .with(|l| l.borrow().clone())
        .ok_or("no database to reopen: no run since the page loaded or since the last reset")?;
    let worker = WorkerHandle::spawn(LiveTrace::default())?;
    match worker.recv().await? {
        FromWorker::Ready => {}
        other => return Err(unexpected(other)),
    }
    worker.send(
        &ToWorker::Inspect {
            scenario: serde_json::json!({}),
            storage,
        },
        &buffers,
    )?;
    match worker.recv().await? {
        FromWorker::Inspected {
            jobs,
            done,
            integrity_check,
        } => Ok((jobs, done, integrity_check)),
        other => Err(unexpected(other)),
    }
}
