//! The page cache as a `Storage`: a database's files (the database, `-journal`,
//! `-wal`) read and written through one shared [`PageCache`] over the storage
//! under it (OPFS in the browser). xSync writes the file's dirty pages back and
//! syncs the file under; `sync_all` does it for every file (the end of a run,
//! the close of a database's last connection). Whether a file exists is the
//! storage under's to say (OPFS keeps it in shared words).

use super::{Backing, Counts, PageCache};
use crate::trace::{self, DbFile, EventKind, FileRole};
use crate::vfs::storage::{Storage, StorageError, StoredFile};
use std::sync::Arc;

struct Inner {
    cache: PageCache,
    under: Arc<dyn Storage>,
    /// The files, by their index in the cache.
    names: Vec<String>,
    db: DbFile,
}

/// A database's files through a shared page cache.
pub struct CachedStorage {
    inner: Arc<Inner>,
}

impl CachedStorage {
    /// `names` are the database's files (at most `MAX_FILES`), each SQLite's name.
    pub fn new(cache: PageCache, under: Arc<dyn Storage>, names: Vec<String>, db: DbFile) -> Self {
        debug_assert!(names.len() <= super::MAX_FILES);
        CachedStorage {
            inner: Arc::new(Inner {
                cache,
                under,
                names,
                db,
            }),
        }
    }

    pub fn counts(&self) -> Counts {
        self.inner.cache.counts()
    }

    /// The storage under the cache.
    pub fn under(&self) -> &Arc<dyn Storage> {
        &self.inner.under
    }
}

impl Inner {
    fn index(&self, name: &str) -> Result<usize, StorageError> {
        self.names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| StorageError::io(format!("no cached file named {name}")))
    }
    fn under_file(&self, file: usize) -> Result<Box<dyn StoredFile>, StorageError> {
        self.under.open(&self.names[file], true)
    }
    /// Write back `file`'s dirty pages and sync it in the storage under.
    fn sync(&self, file: usize) -> Result<(), StorageError> {
        self.cache.write_back(file, self)?;
        if self.under.exists(&self.names[file]) {
            self.under_file(file)?.sync()?;
        }
        Ok(())
    }
}

impl Backing for Inner {
    fn size(&self, file: usize) -> Result<u64, StorageError> {
        if !self.under.exists(&self.names[file]) {
            return Ok(0);
        }
        self.under.open(&self.names[file], false)?.size()
    }
    fn read(&self, file: usize, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        self.under_file(file)?.read_at(offset, buf)
    }
    fn write(&self, file: usize, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        self.under_file(file)?.write_at(offset, data)
    }
    fn truncate(&self, file: usize, size: u64) -> Result<(), StorageError> {
        self.under_file(file)?.truncate(size)
    }
    fn settle(&self) -> Result<(), StorageError> {
        self.under.write_held_back()
    }
    fn written_back(&self, file: usize, pages: u32, start_us: Option<u64>) {
        if let (Some(start), Some(end)) = (start_us, trace::now_us()) {
            trace::emit_at(
                start,
                EventKind::WriteBack {
                    db: self.db,
                    file: FileRole::of_name(&self.names[file]),
                    pages,
                    dur_us: end.saturating_sub(start),
                },
            );
        }
    }
}

impl Storage for CachedStorage {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        let file = self.inner.index(name)?;
        if !self.inner.under.exists(name) {
            if !create {
                return Err(StorageError::io(format!("no file named {name}")));
            }
            self.inner.under.open(name, true)?;
            self.inner.cache.forget(file);
        }
        Ok(Box::new(CachedFile {
            inner: self.inner.clone(),
            file,
        }))
    }
    /// The file's pages go, dirty or not, and so does the file under.
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        let file = self.inner.index(name)?;
        self.inner.cache.forget(file);
        self.inner.under.delete(name)
    }
    fn exists(&self, name: &str) -> bool {
        self.inner.under.exists(name)
    }
    fn describe(&self) -> String {
        self.inner.under.describe()
    }
    fn release_owner(&self, owner: u32) {
        self.inner.cache.release_owner(owner);
    }
    fn sync_all(&self) -> Result<(), StorageError> {
        (0..self.inner.names.len()).try_for_each(|f| self.inner.sync(f))
    }
}

struct CachedFile {
    inner: Arc<Inner>,
    file: usize,
}

impl StoredFile for CachedFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        let inner = &*self.inner;
        inner.cache.read(self.file, offset, buf, inner)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        let inner = &*self.inner;
        inner.cache.write(self.file, offset, data, inner)
    }
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        let inner = &*self.inner;
        inner.cache.truncate(self.file, size, inner)
    }
    fn size(&self) -> Result<u64, StorageError> {
        let inner = &*self.inner;
        inner.cache.size(self.file, inner)
    }
    /// fsync: the file's dirty pages go to the storage under, which syncs.
    fn sync(&self) -> Result<(), StorageError> {
        self.inner.sync(self.file)
    }
}
