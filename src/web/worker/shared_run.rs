//! A worker's part in a run on the shared VFS: attach the shared memory the page
//! sent, seed the database (one worker), run the engine, audit (the seeding worker).

use super::opfs_storage::{self, OpfsStorage};
use super::sab_storage::SabStorage;
use super::sab_words::SabWords;
use crate::engine::{schema, RunControl, Worker, WorkerExit};
use crate::scenario::Scenario;
use crate::trace::{self, DbFile, Role, WorkerId};
use crate::vfs::storage::Storage;
use crate::vfs::{self, Locking, SharedDatabase};
use crate::web::clock::WebClock;
use crate::web::host::protocol::{FromWorker, SharedBuffers, StorageKind};
use js_sys::{Array, Atomics, Int32Array, SharedArrayBuffer};
use rusqlite::{Connection, OpenFlags};
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::JsCast;

thread_local! {
    /// This worker's OPFS handles, by database path: opened once, kept while the
    /// worker lives.
    static OPFS: RefCell<Vec<(String, Arc<OpfsStorage>)>> = const { RefCell::new(Vec::new()) };
    /// The seeding worker's connections, kept open (idle) until the audit, as an
    /// application keeps its database open.
    static SETUP: RefCell<Option<(Connection, Option<Connection>)>> = const { RefCell::new(None) };
}

/// The stop flag and the count of running writers, in the page's control buffer;
/// also posts the trace to the page as the run goes on.
struct SabControl(Int32Array, std::cell::Cell<f64>);

/// How often a worker posts its trace while it runs.
const POST_EVERY_MS: f64 = 100.0;

// SAFETY: one thread per wasm instance (see `SabWords`).
unsafe impl Send for SabControl {}
unsafe impl Sync for SabControl {}

impl RunControl for SabControl {
    fn stop_requested(&self) -> bool {
        Atomics::load(&self.0, SharedBuffers::STOP as u32).unwrap_or(0) != 0
    }
    fn writers_finished(&self) -> bool {
        Atomics::load(&self.0, SharedBuffers::WRITERS_LEFT as u32).unwrap_or(0) <= 0
    }
    fn between_steps(&self) {
        let now = crate::web::clock::wall_ms();
        if now - self.1.get() < POST_EVERY_MS {
            return;
        }
        self.1.set(now);
        let events = trace::take();
        if !events.is_empty() {
            let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
            let _ = scope.post_message(&FromWorker::Events { events }.to_posted());
        }
    }
}

fn buffer(buffers: &Array, i: usize) -> Result<SharedArrayBuffer, String> {
    buffers
        .get(i as u32)
        .dyn_into()
        .map_err(|_| format!("shared buffer {i} is missing"))
}

/// Serve the run's databases from the buffers the page sent; returns the control.
async fn attach(
    scenario: &Scenario,
    storage: StorageKind,
    buffers: &Array,
) -> Result<SabControl, String> {
    vfs::register()?;
    let locking = match scenario.locking {
        crate::scenario::LockingMode::Normal => Locking::Normal,
        crate::scenario::LockingMode::None => Locking::None,
    };
    let mut databases = vec![(SharedBuffers::QUEUE_PATH, DbFile::Queue)];
    if scenario.separate_results_db {
        databases.push((SharedBuffers::RESULTS_PATH, DbFile::Results));
    }
    for (n, (path, db)) in databases.into_iter().enumerate() {
        let first = 1 + n * SharedBuffers::PER_DATABASE;
        let words = SabWords::over(&buffer(buffers, first)?);
        let names: Vec<String> = SharedBuffers::FILE_SUFFIXES
            .iter()
            .map(|s| format!("{path}{s}"))
            .collect();
        let file_buffers = (0..names.len())
            .map(|k| buffer(buffers, first + 1 + k))
            .collect::<Result<Vec<_>, String>>()?;
        let storage: Arc<dyn Storage> = match storage {
            StorageKind::Memory => Arc::new(SabStorage::new(
                names.into_iter().zip(file_buffers).collect(),
            )),
            StorageKind::Opfs => opfs(path, &names, &file_buffers).await?,
        };
        vfs::attach(SharedDatabase {
            path: path.to_string(),
            words: Arc::new(words),
            storage,
            locking,
            db,
        });
    }
    let control = buffer(buffers, 0)?;
    Ok(SabControl(
        Int32Array::new(&control),
        std::cell::Cell::new(0.0),
    ))
}

/// This worker's OPFS storage for the database at `path`, opened on first use.
async fn opfs(
    path: &str,
    names: &[String],
    flags: &[SharedArrayBuffer],
) -> Result<Arc<OpfsStorage>, String> {
    if let Some(open) = OPFS.with(|o| {
        o.borrow()
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, s)| s.clone())
    }) {
        return Ok(open);
    }
    let storage = Arc::new(opfs_storage::open(names, flags).await?);
    OPFS.with(|o| o.borrow_mut().push((path.to_string(), storage.clone())));
    Ok(storage)
}

/// Start the OPFS files of a run empty (the memory buffers start empty anyway).
fn reset_opfs() -> Result<(), String> {
    OPFS.with(|o| o.borrow().iter().try_for_each(|(_, s)| s.reset()))
}

fn open(path: &str) -> rusqlite::Result<Connection> {
    Connection::open_with_flags_and_vfs(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
        vfs::NAME,
    )
}

pub async fn setup(scenario: &Scenario, storage: StorageKind, buffers: &Array) -> FromWorker {
    let attached = attach(scenario, storage, buffers).await;
    let seeded = attached.and_then(|_| {
        reset_opfs()?;
        let queue =
            open(SharedBuffers::QUEUE_PATH).map_err(|e| format!("opening the queue: {e}"))?;
        schema::create_queue(&queue, scenario).map_err(|e| format!("seeding the queue: {e}"))?;
        let results = if scenario.separate_results_db {
            let results =
                open(SharedBuffers::RESULTS_PATH).map_err(|e| format!("opening results: {e}"))?;
            schema::create_results(&results, scenario)
                .map_err(|e| format!("creating results: {e}"))?;
            Some(results)
        } else {
            None
        };
        SETUP.with(|s| *s.borrow_mut() = Some((queue, results)));
        Ok(())
    });
    match seeded {
        Ok(()) => FromWorker::SetupDone {
            sqlite_version: rusqlite::version().to_string(),
        },
        Err(message) => FromWorker::Failed { message },
    }
}

pub async fn run(
    worker: WorkerId,
    role: Role,
    scenario: &Scenario,
    storage: StorageKind,
    epoch_ms: f64,
    buffers: &Array,
) -> FromWorker {
    let control = match attach(scenario, storage, buffers).await {
        Ok(control) => control,
        Err(message) => return FromWorker::Failed { message },
    };
    let clock = WebClock::with_epoch(epoch_ms);
    crate::web::clock::wake_on(control.0.clone(), SharedBuffers::STOP as u32);
    trace::install(worker, Arc::new(clock));
    let opened = open(SharedBuffers::QUEUE_PATH).and_then(|q| {
        let r = if scenario.separate_results_db {
            Some(open(SharedBuffers::RESULTS_PATH)?)
        } else {
            None
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
            trace::emit(crate::engine::error_event(trace::Step::Open, "open", e, 0));
            (None, WorkerExit::Completed)
        }
    };
    if role == Role::Writer {
        let _ = Atomics::sub(&control.0, SharedBuffers::WRITERS_LEFT as u32, 1);
    }
    drop(opened);
    let exit = match exit {
        WorkerExit::Completed => "completed",
        WorkerExit::TimeLimit => "time_limit",
        WorkerExit::Stopped => "stopped",
    };
    FromWorker::Finished {
        journal_mode,
        exit: exit.to_string(),
        events: trace::uninstall(),
    }
}

pub fn audit(scenario: &Scenario, committed: &[i64]) -> FromWorker {
    let audited = SETUP.with(|s| {
        let setup = s
            .borrow_mut()
            .take()
            .ok_or("this worker did not seed the database")?;
        let (queue, results) = &setup;
        let (audit, integrity) =
            schema::check_after_run(queue, results.as_ref(), u64::from(scenario.jobs), committed);
        Ok::<_, String>((audit, integrity))
    });
    match audited {
        Ok((audit, integrity_check)) => FromWorker::Audited {
            audit,
            integrity_check,
        },
        Err(message) => FromWorker::Failed { message },
    }
}

/// Open the database as the last workers left it and count its jobs.
pub async fn inspect(scenario: &Scenario, storage: StorageKind, buffers: &Array) -> FromWorker {
    let counted = async {
        attach(scenario, storage, buffers).await?;
        OPFS.with(|o| o.borrow().iter().for_each(|(_, s)| s.adopt_existing()));
        let queue =
            open(SharedBuffers::QUEUE_PATH).map_err(|e| format!("opening the queue: {e}"))?;
        let count = |sql: &str| {
            queue
                .query_row(sql, [], |r| r.get::<_, i64>(0))
                .map_err(|e| format!("{sql}: {e}"))
        };
        let jobs = count("SELECT count(*) FROM jobs")? as u64;
        let done = count("SELECT count(*) FROM jobs WHERE status = 'DONE'")? as u64;
        let integrity_check = schema::integrity_report(&queue);
        Ok::<_, String>(FromWorker::Inspected {
            jobs,
            done,
            integrity_check,
        })
    };
    counted
        .await
        .unwrap_or_else(|message| FromWorker::Failed { message })
}
