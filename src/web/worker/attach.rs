//! A worker's view of a run's shared memory: the buffers the page sent, checked,
//! then attached as shared VFS databases (their lock table and WAL index, and
//! their files in SharedArrayBuffers or in the run's OPFS directory, under a
//! power-cut storage when the scenario cuts the power), and the run's control
//! words (stop, writers left, kill, power off) as the engine's `RunControl`.

use super::opfs_storage::{self, OpfsStorage};
use crate::engine::RunControl;
use crate::scenario::{LockingMode, Scenario};
use crate::trace::{self, DbFile, WorkerId};
use crate::vfs::page_cache::{CachedStorage, PageCache};
use crate::vfs::power::PowerCutStorage;
use crate::vfs::shared_words::SharedWords;
use crate::vfs::storage::Storage;
use crate::vfs::{self, Locking, SharedDatabase};
use crate::web::error::WebError;
use crate::web::protocol::{FromWorker, SharedBuffers, StorageKind};
use crate::web::run_files;
use crate::web::shared_memory::sab_storage::SabStorage;
use crate::web::shared_memory::sab_words::SabWords;
use js_sys::{Array, Atomics, Int32Array, SharedArrayBuffer};
use std::cell::{Cell, RefCell};
use std::sync::Arc;
use wasm_bindgen::JsCast;

thread_local! {
    /// This worker's OPFS handles, by database path: opened once, kept while the
    /// worker lives (a worker serves one run).
    static OPFS: RefCell<Vec<(String, Arc<OpfsStorage>)>> = const { RefCell::new(Vec::new()) };
    /// When this worker last posted its trace (page clock, ms).
    static LAST_POST_MS: Cell<f64> = const { Cell::new(0.0) };
    /// The power-cut storages of the run this worker attached to last, one per
    /// database (none without a power cut).
    static POWER: RefCell<Vec<Arc<PowerCutStorage>>> = const { RefCell::new(Vec::new()) };
}

/// The power-cut storages of the run this worker attached to (the keeper
/// restores the files through them).
pub fn power_storages() -> Vec<Arc<PowerCutStorage>> {
    POWER.with(|p| p.borrow().clone())
}

/// How often a worker posts its trace while it runs.
const POST_EVERY_MS: f64 = 100.0;

/// Post the events recorded since the last post, if [`POST_EVERY_MS`] went by
/// since: between two steps, and before each sleep of SQLite's busy handler
/// (`vfs::context::before_sleep`), where a worker may wait for seconds inside one step.
pub fn post_events_if_due() {
    let now = crate::web::clock::wall_ms();
    if now - LAST_POST_MS.get() < POST_EVERY_MS {
        return;
    }
    LAST_POST_MS.set(now);
    let events = trace::take();
    if !events.is_empty() {
        let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = scope.post_message(&FromWorker::Events { events }.to_posted());
    }
}

/// The run's control words as the engine sees them; between steps it also posts
/// the trace to the page as the run goes on.
pub struct SabControl {
    pub words: Int32Array,
    /// The worker this control is for (`None` for the keeper).
    worker: Option<WorkerId>,
}

impl SabControl {
    fn word(&self, index: usize) -> i32 {
        Atomics::load(&self.words, index as u32).unwrap_or(0)
    }

    /// Whether the page asked this worker to do what `bit` says (KILL or TRAP).
    fn asked(&self, bit: usize) -> bool {
        self.worker
            .is_some_and(|w| w < 32 && self.word(bit) & (1 << w) != 0)
    }

    /// Whether the power went off (the page set `POWER_OFF`).
    pub fn power_is_off(&self) -> bool {
        self.word(SharedBuffers::POWER_OFF) != 0
    }

    /// One writer fewer is running.
    pub fn writer_finished(&self) {
        let _ = Atomics::sub(&self.words, SharedBuffers::WRITERS_LEFT as u32, 1);
    }
}

impl RunControl for SabControl {
    fn stop_requested(&self) -> bool {
        self.word(SharedBuffers::STOP) != 0
    }
    /// The page asked this worker to die (its Kill buttons, `locklab.kill`), or
    /// the power went off: a power loss stops every process of the machine.
    fn kill_requested(&self, _worker: WorkerId) -> bool {
        self.asked(SharedBuffers::KILL)
            || (self.worker.is_some() && self.word(SharedBuffers::POWER_OFF) != 0)
    }
    fn writers_finished(&self) -> bool {
        self.word(SharedBuffers::WRITERS_LEFT) <= 0
    }
    /// The interpreter locks live in the control words (`processes`).
    fn interpreter_locks(&self) -> Option<(Arc<dyn SharedWords>, usize)> {
        Some((
            Arc::new(SabWords::over(&self.words.buffer().unchecked_into())),
            SharedBuffers::INTERPRETER_LOCKS,
        ))
    }
    fn between_steps(&self) {
        if self.asked(SharedBuffers::TRAP) {
            // What a bug in the worker does: the wasm instance stops with a trap.
            std::process::abort();
        }
        post_events_if_due();
    }
}

fn buffer(buffers: &Array, i: usize) -> SharedArrayBuffer {
    // `SharedBuffers::check` made sure every buffer is there and shared.
    buffers.get(i as u32).unchecked_into()
}

/// The databases of a run of `scenario`: (path, which one).
pub fn databases(run: &str, scenario: &Scenario) -> Vec<(String, DbFile)> {
    let mut databases = vec![(run_files::database_path(run, 0), DbFile::Queue)];
    if scenario.separate_results_db {
        databases.push((run_files::database_path(run, 1), DbFile::Results));
    }
    databases
}

/// Check the buffers the page sent for run `run`, then serve its databases from
/// them; returns the run's control words as `worker` (or the keeper) sees them.
pub async fn attach(
    run: &str,
    worker: Option<WorkerId>,
    scenario: &Scenario,
    storage: StorageKind,
    buffers: &Array,
) -> Result<SabControl, WebError> {
    let databases = databases(run, scenario);
    let power_cut = scenario.faults.power_cut.is_some();
    SharedBuffers::check(buffers, databases.len(), power_cut)?;
    POWER.with(|p| p.borrow_mut().clear());
    vfs::register().map_err(WebError::database)?;
    let locking = match scenario.locking {
        LockingMode::Normal => Locking::Normal,
        LockingMode::None => Locking::None,
    };
    for (n, (path, db)) in databases.into_iter().enumerate() {
        let first = 1 + n * SharedBuffers::PER_DATABASE;
        let words = SabWords::over(&buffer(buffers, first));
        let names: Vec<String> = SharedBuffers::FILE_SUFFIXES
            .iter()
            .map(|s| format!("{path}{s}"))
            .collect();
        let file_buffers: Vec<SharedArrayBuffer> = (0..names.len())
            .map(|k| buffer(buffers, first + 1 + k))
            .collect();
        let mut storage: Arc<dyn Storage> = match storage {
            StorageKind::Memory => Arc::new(SabStorage::new(
                names.iter().cloned().zip(file_buffers).collect(),
            )),
            StorageKind::Opfs => {
                let under = opfs(run, &path, &names, &file_buffers).await?;
                cached(buffers, first, under, &names, db)?
            }
        };
        if power_cut {
            // Every file of the database loses its unsynced writes at the cut;
            // the record and the saved blocks are the run's, shared by all.
            let at = first + SharedBuffers::POWER_WORDS;
            let saved = (0..names.len()).map(|k| buffer(buffers, at + 1 + k));
            let power = Arc::new(PowerCutStorage::new(
                storage,
                Arc::new(SabStorage::new(names.iter().cloned().zip(saved).collect())),
                Arc::new(SabWords::over(&buffer(buffers, at))),
                names,
            ));
            POWER.with(|p| p.borrow_mut().push(power.clone()));
            storage = power;
        }
        vfs::attach(SharedDatabase {
            path,
            words: Arc::new(words),
            storage,
            locking,
            db,
        });
    }
    Ok(SabControl {
        words: Int32Array::new(&buffer(buffers, 0)),
        worker,
    })
}

/// The database's files through the run's page cache over `under` (OPFS), or
/// straight to `under` when the page sent no cache.
fn cached(
    buffers: &Array,
    first: usize,
    under: Arc<OpfsStorage>,
    names: &[String],
    db: DbFile,
) -> Result<Arc<dyn Storage>, WebError> {
    let words = buffer(buffers, first + SharedBuffers::CACHE_WORDS);
    if words.byte_length() <= SharedBuffers::PLACEHOLDER_BYTES {
        return Ok(under);
    }
    let pages = buffer(buffers, first + SharedBuffers::CACHE_WORDS + 1);
    let pages = SabStorage::new(vec![("pages".to_string(), pages)])
        .open("pages", true)
        .map_err(|e| WebError::worker(format!("the page cache's pages: {e}")))?;
    let cache = PageCache::new(
        Arc::new(SabWords::over(&words)),
        pages,
        SharedBuffers::CACHE_SLOTS,
    )
    .map_err(|e| WebError::worker(format!("the page cache: {e}")))?;
    Ok(Arc::new(CachedStorage::new(
        cache,
        under,
        names.to_vec(),
        db,
    )))
}

/// This worker's OPFS storage for the database at `path`, opened on first use in
/// run `run`'s directory.
async fn opfs(
    run: &str,
    path: &str,
    names: &[String],
    flags: &[SharedArrayBuffer],
) -> Result<Arc<OpfsStorage>, WebError> {
    if let Some(open) = OPFS.with(|o| {
        o.borrow()
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, s)| s.clone())
    }) {
        return Ok(open);
    }
    let dir = run_files::directory(run).await?;
    let storage = Arc::new(opfs_storage::open(&dir, names, flags).await?);
    OPFS.with(|o| o.borrow_mut().push((path.to_string(), storage.clone())));
    Ok(storage)
}

/// Mark the OPFS files that hold bytes as existing: a database left by workers
/// since gone (`reopen()`), whose "exists" words are new.
pub fn adopt_existing_files() {
    OPFS.with(|o| o.borrow().iter().for_each(|(_, s)| s.adopt_existing()));
}
