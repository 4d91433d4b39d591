//! A database the shared VFS serves: its shared words (lock table, then WAL index),
//! its storage and its locking mode, attached under the database's path. Every
//! worker attaches the same shared words under the same path before it opens a
//! connection; the VFS finds them by the name SQLite opens (the database itself,
//! or its `-journal` and `-wal` files).

use super::lock_table::{LockTable, Locking};
use super::shared_words::{free_spin_of, SharedWords};
use super::shm;
use super::storage::{Storage, StorageError};
use crate::trace::{DbFile, WorkerId};
use std::sync::Arc;
#[cfg(not(target_arch = "wasm32"))]
use std::sync::Mutex;

/// Words one database needs in shared memory.
pub const DATABASE_WORDS: usize = LockTable::WORDS + shm::SHARED_WORDS;
/// Where the WAL index starts in a database's words.
pub const SHM_BASE: usize = LockTable::WORDS;

pub struct SharedDatabase {
    pub path: String,
    pub words: Arc<dyn SharedWords>,
    pub storage: Arc<dyn Storage>,
    pub locking: Locking,
    pub db: DbFile,
}

impl SharedDatabase {
    pub fn locks(&self) -> LockTable<'_> {
        LockTable::new(&*self.words, 0)
    }

    /// Release every lock held by the connections of `owner`, a worker that died
    /// without closing them, and the spin locks (the lock table's and the WAL
    /// index's) if it died inside one. The survivors then recover as SQLite does
    /// after a crash (hot journal rollback, WAL recovery). Returns how many
    /// connections the worker had.
    pub fn release_owner(&self, owner: WorkerId) -> usize {
        self.storage.release_owner(owner);
        release_owner(&*self.words, owner)
    }
}

/// [`SharedDatabase::release_owner`] for a database known only by its shared
/// words: what the page does when a Web Worker of a run dies.
pub fn release_owner(words: &dyn SharedWords, owner: WorkerId) -> usize {
    // The spin locks first: releasing the table's records takes the table's.
    free_spin_of(words, 0, owner);
    free_spin_of(words, SHM_BASE + shm::SPIN, owner);
    LockTable::new(words, 0).release_owner(owner)
}

/// The attached databases: one list for the process natively (every worker
/// thread looks in it), one per wasm instance in the browser (see `shareable`).
#[cfg(not(target_arch = "wasm32"))]
static ATTACHED: Mutex<Vec<Arc<SharedDatabase>>> = Mutex::new(Vec::new());

#[cfg(not(target_arch = "wasm32"))]
fn with_attached<R>(f: impl FnOnce(&mut Vec<Arc<SharedDatabase>>) -> R) -> R {
    f(&mut ATTACHED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner()))
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    static ATTACHED: std::cell::RefCell<Vec<Arc<SharedDatabase>>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

#[cfg(target_arch = "wasm32")]
fn with_attached<R>(f: impl FnOnce(&mut Vec<Arc<SharedDatabase>>) -> R) -> R {
    ATTACHED.with(|all| f(&mut all.borrow_mut()))
}

/// Serve `database` under its path (replacing an earlier one of the same path).
pub fn attach(database: SharedDatabase) -> Arc<SharedDatabase> {
    let database = Arc::new(database);
    with_attached(|all| {
        all.retain(|d| d.path != database.path);
        all.push(database.clone());
    });
    database
}

/// Make every attached database's files durable (`Storage::sync_all`: a page
/// cache writes its dirty pages back): the end of a run.
pub fn sync_all() -> Result<(), StorageError> {
    let all = with_attached(|all| all.clone());
    all.iter().try_for_each(|d| d.storage.sync_all())
}

/// Stop serving the database at `path`; open connections keep what they have.
pub fn detach(path: &str) {
    with_attached(|all| all.retain(|d| d.path != path));
}

/// The database a file name belongs to: the database itself or one of its
/// `-journal` and `-wal` files.
pub fn find(name: &str) -> Option<Arc<SharedDatabase>> {
    let base = name
        .strip_suffix("-journal")
        .or_else(|| name.strip_suffix("-wal"))
        .unwrap_or(name);
    with_attached(|all| all.iter().find(|d| d.path == base).cloned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vfs::shared_words::{ProcessWords, SpinGuard};
    use crate::vfs::storage::MemoryStorage;

    /// A worker that died inside the lock table's or the WAL index's spin lock
    /// (a Web Worker terminated mid-copy) no longer wedges the others once the
    /// host releases it; another owner's spin lock is left alone.
    #[test]
    fn release_owner_frees_the_spin_locks_a_dead_worker_held() {
        let database = SharedDatabase {
            path: "/test/spin.db".into(),
            words: Arc::new(ProcessWords::zeroed(DATABASE_WORDS)),
            storage: Arc::new(MemoryStorage::new()),
            locking: Locking::Normal,
            db: DbFile::Queue,
        };
        let slot = database.locks().claim(7).unwrap();
        let shm_spin = SHM_BASE + shm::SPIN;
        std::mem::forget(SpinGuard::lock_as(&*database.words, 0, 7));
        std::mem::forget(SpinGuard::lock_as(&*database.words, shm_spin, 7));
        assert_eq!(database.release_owner(7), 1);
        assert_eq!(database.words.load(0), 0);
        assert_eq!(database.words.load(shm_spin), 0);
        assert_eq!(database.locks().owner(slot), None, "its record is free");

        std::mem::forget(SpinGuard::lock_as(&*database.words, shm_spin, 8));
        database.release_owner(7);
        assert_eq!(database.words.load(shm_spin), 9, "owner 8's lock stands");
    }
}
