//! Where a native run's databases live, and through which VFS they are opened:
//! files in a temporary directory through the traced unix VFS (the oracle), or
//! memory shared by the worker threads through the shared VFS.

use super::{tracing_vfs, HostError};
use crate::scenario::{LockingMode, Scenario, ScenarioError};
use crate::trace::DbFile;
use crate::vfs::page_cache;
use crate::vfs::power::PowerCutStorage;
use crate::vfs::storage::{MemoryFile, MemoryStorage, Storage};
use crate::vfs::{self, shared_words::ProcessWords, Locking, SharedDatabase};
use rusqlite::{Connection, OpenFlags};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// The VFS a native run uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Vfs {
    /// SQLite's unix VFS (real POSIX locks), watched by the tracing VFS.
    #[default]
    Unix,
    /// locklab's shared VFS over memory shared by the threads.
    Shared,
}

/// The databases of one run.
pub struct Place {
    pub queue: String,
    pub results: Option<String>,
    /// The VFS as the run report names it.
    pub description: String,
    vfs_name: &'static str,
    shared: Vec<Arc<SharedDatabase>>,
    /// The storage a power cut strikes (a scenario with a power cut only).
    power: Option<Arc<PowerCutStorage>>,
    _dir: Option<tempfile::TempDir>,
}

static RUNS: AtomicU64 = AtomicU64::new(0);

/// Whether `scenario` can run through `vfs`: the unix VFS always locks, and it
/// cannot release a killed worker's locks (they are POSIX locks of this very
/// process), and its files are the operating system's, whose unsynced writes
/// locklab cannot drop, so `locking: "none"` and `faults` (kills and power cuts)
/// need the shared VFS.
pub fn check(scenario: &Scenario, vfs: Vfs) -> Result<(), ScenarioError> {
    if vfs == Vfs::Shared {
        return Ok(());
    }
    if scenario.locking == LockingMode::None {
        return Err(ScenarioError {
            field: "locking".into(),
            allowed: "\"normal\" with the unix VFS, which always locks (\"none\" needs the \
                      shared VFS: --vfs shared)"
                .into(),
            given: "\"none\"".into(),
        });
    }
    if scenario.faults.power_cut.is_some() {
        return Err(ScenarioError {
            field: "faults".into(),
            allowed: "no power cut with the unix VFS, whose files are the operating \
                      system's: locklab cannot drop their unsynced writes (a power cut needs \
                      the shared VFS: --vfs shared)"
                .into(),
            given: "a power cut".into(),
        });
    }
    if !scenario.faults.is_empty() {
        return Err(ScenarioError {
            field: "faults".into(),
            allowed: "no faults with the unix VFS, which cannot release a killed worker's \
                      locks (faults need the shared VFS: --vfs shared)"
                .into(),
            given: format!("{} fault(s)", scenario.faults.len()),
        });
    }
    Ok(())
}

/// The environment's `LOCKLAB_PAGE_CACHE`: the shared VFS's files go through a
/// page cache of that many pages over the run's memory, as the browser's go over
/// OPFS (`vfs::page_cache`), so the native tests can run with it. Not with a
/// power cut, which strikes the storage under.
fn page_cache_slots() -> Option<usize> {
    std::env::var("LOCKLAB_PAGE_CACHE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
}

/// The files of the database at `path` through a page cache of `slots` pages
/// over `under`.
fn cached(path: &str, under: Arc<dyn Storage>, slots: usize, db: DbFile) -> Arc<dyn Storage> {
    let layout = page_cache::Layout::new(slots);
    let cache = page_cache::PageCache::new(
        Arc::new(ProcessWords::zeroed(layout.words())),
        Box::new(MemoryFile::private()),
        slots,
    )
    .expect("a cache's words and bytes are made to its layout");
    let names = ["", "-journal", "-wal"].map(|s| format!("{path}{s}"));
    Arc::new(page_cache::CachedStorage::new(
        cache,
        under,
        names.to_vec(),
        db,
    ))
}

impl Place {
    /// The databases of a run of `scenario` through `vfs`; the shared VFS keeps
    /// their bytes in `storage` (fresh memory when `None`).
    pub fn new(
        vfs: Vfs,
        scenario: &Scenario,
        storage: Option<Arc<dyn Storage>>,
    ) -> Result<Place, HostError> {
        match vfs {
            Vfs::Unix => {
                check(scenario, vfs).map_err(|e| HostError(e.to_string()))?;
                tracing_vfs::register().map_err(HostError)?;
                let dir = tempfile::Builder::new()
                    .prefix("locklab-")
                    .tempdir()
                    .map_err(|e| HostError(format!("creating a temporary directory: {e}")))?;
                let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
                let vfs_name = if scenario.shm {
                    tracing_vfs::NAME
                } else {
                    tracing_vfs::NAME_WITHOUT_SHM
                };
                Ok(Place {
                    queue: path("queue.db"),
                    results: scenario.separate_results_db.then(|| path("results.db")),
                    description: format!("{} (traced unix)", vfs_name),
                    vfs_name,
                    shared: Vec::new(),
                    power: None,
                    _dir: Some(dir),
                })
            }
            Vfs::Shared => {
                vfs::register().map_err(HostError)?;
                let run = RUNS.fetch_add(1, Ordering::Relaxed);
                let prefix = format!("/locklab/{}-{run}", std::process::id());
                let storage = storage.unwrap_or_else(|| Arc::new(MemoryStorage::new()));
                let mut names = vec!["queue.db"];
                if scenario.separate_results_db {
                    names.push("results.db");
                }
                // A power cut strikes every file of the run: each database, its
                // journal and its WAL.
                let power = scenario.faults.power_cut.map(|_| {
                    let files = names
                        .iter()
                        .flat_map(|n| ["", "-journal", "-wal"].map(|s| format!("{prefix}/{n}{s}")))
                        .collect();
                    Arc::new(PowerCutStorage::in_memory(storage.clone(), files))
                });
                let storage: Arc<dyn Storage> = match &power {
                    Some(power) => power.clone(),
                    None => storage,
                };
                let locking = match scenario.locking {
                    LockingMode::Normal => Locking::Normal,
                    LockingMode::None => Locking::None,
                };
                let cache = page_cache_slots().filter(|_| power.is_none());
                let attach = |name: &str, db: DbFile| {
                    let path = format!("{prefix}/{name}");
                    let storage = match cache {
                        Some(slots) => cached(&path, storage.clone(), slots, db),
                        None => storage.clone(),
                    };
                    vfs::attach(SharedDatabase {
                        path,
                        words: Arc::new(ProcessWords::zeroed(vfs::DATABASE_WORDS)),
                        storage,
                        locking,
                        db,
                    })
                };
                let mut shared = vec![attach("queue.db", DbFile::Queue)];
                if scenario.separate_results_db {
                    shared.push(attach("results.db", DbFile::Results));
                }
                let locks = if locking == Locking::None {
                    ", locking none"
                } else {
                    ""
                };
                let vfs_name = if scenario.shm {
                    vfs::NAME
                } else {
                    vfs::NAME_WITHOUT_SHM
                };
                Ok(Place {
                    queue: shared[0].path.clone(),
                    results: shared.get(1).map(|d| d.path.clone()),
                    description: match cache {
                        Some(slots) => format!("{vfs_name} (memory{locks}, page cache {slots})"),
                        None => format!("{vfs_name} (memory{locks})"),
                    },
                    vfs_name,
                    shared,
                    power,
                    _dir: None,
                })
            }
        }
    }

    /// A new connection to the database at `path` (one of this place's).
    pub fn open(&self, path: &str) -> rusqlite::Result<Connection> {
        Connection::open_with_flags_and_vfs(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            self.vfs_name,
        )
    }

    /// The shared database behind the queue (shared VFS only): the host's handle
    /// for releasing a dead worker's locks.
    pub fn shared_queue(&self) -> Option<&Arc<SharedDatabase>> {
        self.shared.first()
    }

    /// Release every lock (and spin lock) a dead worker held in this place's
    /// shared databases; returns how many connections it had. Nothing to do for
    /// the unix VFS, which runs no faults.
    pub fn release_owner(&self, owner: u32) -> usize {
        self.shared.iter().map(|d| d.release_owner(owner)).sum()
    }
}

impl Place {
    /// The storage a power cut strikes, in a run with a power cut.
    pub fn power(&self) -> Option<&Arc<PowerCutStorage>> {
        self.power.as_ref()
    }

    /// After a power cut, with every connection of the run gone: the files as
    /// they were at their last sync, and fresh shared words (an empty lock table
    /// and WAL index: the shm is memory, lost with the power). Returns the
    /// writes the cut dropped.
    pub fn power_restored(&self) -> Result<u64, HostError> {
        let Some(power) = &self.power else {
            return Ok(0);
        };
        let dropped = power
            .restore()
            .map_err(|e| HostError(format!("restoring the power: {e}")))?;
        for database in &self.shared {
            vfs::attach(SharedDatabase {
                path: database.path.clone(),
                words: Arc::new(ProcessWords::zeroed(vfs::DATABASE_WORDS)),
                storage: database.storage.clone(),
                locking: database.locking,
                db: database.db,
            });
        }
        Ok(dropped)
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        for database in &self.shared {
            vfs::detach(&database.path);
        }
    }
}
