//! A worker's part in a run on the shared VFS: the keeper seeds the database and
//! audits it at the end (as the native host's own thread does); each scenario
//! worker runs the engine on its own connection.

use super::attach::{self, attach, SabControl};
use crate::clock::Clock;
use crate::engine::{self, schema, Worker, WorkerExit};
use crate::scenario::Scenario;
use crate::trace::{self, Role, Step, WorkerId};
use crate::vfs;
use crate::web::clock::WebClock;
use crate::web::error::WebError;
use crate::web::protocol::{Exit, FromWorker, SharedBuffers, StorageKind};
use crate::web::run_files;
use js_sys::Array;
use rusqlite::{Connection, OpenFlags};
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::JsCast;

thread_local! {
    /// The keeper's connections, kept open (idle) from the seeding to the audit, as
    /// an application keeps its database open: in WAL mode the workers then find
    /// the WAL index built instead of racing to recover it.
    static KEPT: RefCell<Option<Vec<Connection>>> = const { RefCell::new(None) };
    /// A scenario worker's run, between `Attach` and `Run`: its id and control words.
    static ATTACHED: RefCell<Option<(String, SabControl)>> = const { RefCell::new(None) };
}

/// Open a database of a run of `scenario`: through the shared VFS, or through
/// its twin without shared memory (`shm: false`).
fn open(path: &str, scenario: &Scenario) -> rusqlite::Result<Connection> {
    let vfs_name = if scenario.shm {
        vfs::NAME
    } else {
        vfs::NAME_WITHOUT_SHM
    };
    Connection::open_with_flags_and_vfs(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        vfs_name,
    )
}

fn failed(error: WebError) -> FromWorker {
    FromWorker::Failed { error }
}

/// The keeper: create and seed run `run`'s databases, and keep them open.
pub async fn setup(
    run: &str,
    scenario: &Scenario,
    storage: StorageKind,
    buffers: &Array,
) -> FromWorker {
    if let Err(message) = attach(run, None, scenario, storage, buffers).await {
        return failed(message);
    }
    let seeded = || -> Result<Vec<Connection>, WebError> {
        let databases = attach::databases(run, scenario);
        let queue = open(&databases[0].0, scenario)
            .map_err(|e| WebError::database(format!("opening the queue: {e}")))?;
        schema::create_queue(&queue, scenario)
            .map_err(|e| WebError::database(format!("seeding the queue: {e}")))?;
        let mut kept = vec![queue];
        if let Some((path, _)) = databases.get(1) {
            let results = open(path, scenario)
                .map_err(|e| WebError::database(format!("opening results: {e}")))?;
            schema::create_results(&results, scenario)
                .map_err(|e| WebError::database(format!("creating results: {e}")))?;
            kept.push(results);
        }
        Ok(kept)
    };
    match seeded() {
        Ok(kept) => {
            KEPT.with(|k| *k.borrow_mut() = Some(kept));
            FromWorker::SetupDone {
                sqlite_version: rusqlite::version().to_string(),
            }
        }
        Err(message) => failed(message),
    }
}

/// A scenario worker, before the run's clock starts: attach as `worker` to run
/// `run`'s shared memory and files, and keep what `run` needs.
pub async fn attach_worker(
    run: &str,
    worker: WorkerId,
    scenario: &Scenario,
    storage: StorageKind,
    buffers: &Array,
) -> FromWorker {
    match attach(run, Some(worker), scenario, storage, buffers).await {
        Ok(control) => {
            ATTACHED.with(|a| *a.borrow_mut() = Some((run.to_string(), control)));
            FromWorker::Attached
        }
        Err(message) => failed(message),
    }
}

/// A scenario worker: run the engine as `worker` on run `run`'s databases, to
/// which `attach_worker` attached it.
pub fn run(
    run: &str,
    worker: WorkerId,
    role: Role,
    scenario: &Scenario,
    epoch_ms: f64,
) -> FromWorker {
    let control = match ATTACHED.with(|a| a.borrow_mut().take()) {
        Some((attached, control)) if attached == run => control,
        _ => {
            return failed(WebError::worker(format!(
                "worker {worker} was asked to run before it attached to run {run}"
            )))
        }
    };
    let clock = WebClock::with_epoch(epoch_ms);
    crate::web::clock::wake_on(control.words.clone(), SharedBuffers::STOP as u32);
    engine::thread::enter(worker, Arc::new(clock));
    crate::vfs::context::before_sleep(attach::post_events_if_due);
    let databases = attach::databases(run, scenario);
    let open_for_worker = |path: &str| {
        let mut conn = open(path, scenario)?;
        engine::prepare_connection(&mut conn, scenario)?;
        Ok(conn)
    };
    let opened = open_for_worker(&databases[0].0).and_then(|q| {
        let r = match databases.get(1) {
            Some((path, _)) => Some(open_for_worker(path)?),
            None => None,
        };
        Ok((q, r))
    });
    let (journal_mode, exit) = match &opened {
        Ok((queue, results)) => Worker::new(
            worker,
            role,
            scenario,
            queue,
            results.as_ref(),
            &clock,
            &control,
        )
        .run(),
        Err(e) => {
            trace::emit(engine::error_event(Step::Open, "open", e, 0));
            (
                None,
                WorkerExit::Failed(engine::failure(worker, Step::Open, "open", e)),
            )
        }
    };
    // After the power went off, a worker's failure (what it read of a dying
    // disk) is its death, as natively.
    let exit = match exit {
        WorkerExit::Failed(_) if control.power_is_off() => WorkerExit::Killed,
        exit => exit,
    };
    let killed = exit == WorkerExit::Killed;
    if role == Role::Writer && !killed {
        control.writer_finished();
    }
    let (exit, failure) = Exit::of(exit);
    let events = engine::thread::leave();
    if killed {
        // Killed as a crash would: the connections stay open, the transaction
        // neither committed nor rolled back.
        std::mem::forget(opened);
    } else {
        drop(opened);
    }
    let finished = FromWorker::Finished {
        journal_mode,
        exit,
        failure,
        ended_us: clock.now_us(),
        events,
    };
    if killed {
        // Say so, then stop here for good, until the page terminates this
        // worker and releases its locks.
        post(&finished);
        freeze();
    }
    finished
}

/// Post a message to the page now (rather than as this handler's answer).
fn post(message: &FromWorker) {
    let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let _ = scope.post_message(&message.to_posted());
}

/// Block this worker for good: what a crashed process does until it is gone.
fn freeze() -> ! {
    let word = js_sys::Int32Array::new(&js_sys::SharedArrayBuffer::new(4));
    loop {
        let _ = js_sys::Atomics::wait(&word, 0, 0);
    }
}

/// The keeper, after the run: check the invariants on the connections it kept.
pub fn audit(scenario: &Scenario, committed: &[i64]) -> FromWorker {
    let Some(kept) = KEPT.with(|k| k.borrow_mut().take()) else {
        return failed(WebError::worker("this worker did not seed the database"));
    };
    let (audit, integrity_check) =
        schema::check_after_run(scenario, &kept[0], kept.get(1), committed);
    // The end of the run: its last connections close, and whatever a page cache
    // still holds dirty goes to OPFS, as an orderly shutdown syncs its files.
    drop(kept);
    if let Err(e) = vfs::database::sync_all() {
        return failed(WebError::database(format!("syncing the run's files: {e}")));
    }
    FromWorker::Audited {
        audit,
        integrity_check,
    }
}

/// The keeper, after a power cut (every worker gone, the databases' words zeroed
/// by the page): its connections die with the power, never closed; the files go
/// back to their last sync; fresh connections recover the databases as SQLite
/// does, and the audit reads them. Mirrors `native::host` after a cut.
pub fn power_restore(run: &str, scenario: &Scenario) -> FromWorker {
    let Some(kept) = KEPT.with(|k| k.borrow_mut().take()) else {
        return failed(WebError::worker("this worker did not seed the database"));
    };
    std::mem::forget(kept);
    let restored = || -> Result<FromWorker, WebError> {
        let mut writes_dropped = 0;
        for power in attach::power_storages() {
            writes_dropped += power
                .restore()
                .map_err(|e| WebError::database(format!("restoring the power: {e}")))?;
        }
        let mut kept = Vec::new();
        for (path, _) in attach::databases(run, scenario) {
            kept.push(open(&path, scenario).map_err(|e| {
                WebError::database(format!("opening {path} after the power cut: {e}"))
            })?);
        }
        KEPT.with(|k| *k.borrow_mut() = Some(kept));
        Ok(FromWorker::PowerRestored { writes_dropped })
    };
    restored().unwrap_or_else(failed)
}

/// Open run `run`'s database as its workers left it and count its jobs.
pub async fn inspect(
    run: &str,
    scenario: &Scenario,
    storage: StorageKind,
    buffers: &Array,
) -> FromWorker {
    let counted = async {
        attach(run, None, scenario, storage, buffers).await?;
        attach::adopt_existing_files();
        let queue = open(&run_files::database_path(run, 0), scenario)
            .map_err(|e| WebError::database(format!("opening the queue: {e}")))?;
        let (jobs, done) = schema::count_jobs(&queue)
            .map_err(|e| WebError::database(format!("counting the jobs: {e}")))?;
        let integrity_check = schema::integrity_report(&queue);
        Ok::<_, WebError>(FromWorker::Inspected {
            jobs,
            done,
            integrity_check,
        })
    };
    counted.await.unwrap_or_else(failed)
}
