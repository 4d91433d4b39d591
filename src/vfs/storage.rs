//! Where the shared VFS keeps file bytes: one trait, several backends. Locks and
//! the WAL index do not live here (see `lock_table` and `shm`); only the bytes of
//! the database, its journal and its WAL.

use crate::shareable::{Movable, Shareable};
use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, RwLock};

/// What kind of failure a storage met: SQLite answers each with its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageErrorKind {
    /// Reading or writing failed (SQLITE_IOERR_*).
    Io,
    /// The storage is full or over its quota (SQLITE_FULL).
    Full,
}

/// A storage failure in the storage's own words ("OPFS write: QuotaExceededError
/// ..."); the VFS hands the words on with SQLite's error code, so the user reads
/// more than "disk I/O error".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageError {
    pub kind: StorageErrorKind,
    pub message: String,
}

impl StorageError {
    pub fn io(message: impl Into<String>) -> StorageError {
        StorageError {
            kind: StorageErrorKind::Io,
            message: message.into(),
        }
    }

    pub fn full(message: impl Into<String>) -> StorageError {
        StorageError {
            kind: StorageErrorKind::Full,
            message: message.into(),
        }
    }
}

impl fmt::Display for StorageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// A set of named files.
pub trait Storage: Shareable {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError>;
    fn delete(&self, name: &str) -> Result<(), StorageError>;
    fn exists(&self, name: &str) -> bool;
    /// What the report calls this backend.
    fn describe(&self) -> String;
    /// Make the writes this worker's files hold back (OPFS gathers a commit's WAL
    /// frames into one write). The VFS calls it before it releases a lock, so that
    /// no connection is let read bytes that are not written yet.
    fn write_held_back(&self) -> Result<(), StorageError> {
        Ok(())
    }
    /// Make every file durable (fsync each): what a storage with a page cache
    /// does at the end of a run and when a database's last connection closes.
    fn sync_all(&self) -> Result<(), StorageError> {
        Ok(())
    }
    /// Free whatever spin lock `owner`, a worker that died, held in the
    /// storage's own shared words (a page cache's).
    fn release_owner(&self, _owner: u32) {}
}

/// One open file.
pub trait StoredFile: Movable {
    /// Read at `offset` into `buf`; returns how many bytes the file had there.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError>;
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError>;
    fn truncate(&self, size: u64) -> Result<(), StorageError>;
    fn size(&self) -> Result<u64, StorageError>;
    fn sync(&self) -> Result<(), StorageError>;
}

type Bytes = Arc<RwLock<Vec<u8>>>;

/// Files in memory shared by every connection of the process (natively, the twin
/// of the browser's SharedArrayBuffer backend). A deleted file lives on for the
/// handles still open on it, as on POSIX.
#[derive(Default)]
pub struct MemoryStorage {
    files: Mutex<HashMap<String, Bytes>>,
}

impl MemoryStorage {
    pub fn new() -> MemoryStorage {
        MemoryStorage::default()
    }

    /// The names of the files it holds, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.files().keys().cloned().collect();
        names.sort();
        names
    }

    fn files(&self) -> std::sync::MutexGuard<'_, HashMap<String, Bytes>> {
        self.files
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Storage for MemoryStorage {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        let mut files = self.files();
        let bytes = match files.get(name) {
            Some(bytes) => bytes.clone(),
            None if create => files.entry(name.to_string()).or_default().clone(),
            None => return Err(StorageError::io(format!("no file named {name}"))),
        };
        Ok(Box::new(MemoryFile(bytes)))
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        self.files().remove(name);
        Ok(())
    }
    fn exists(&self, name: &str) -> bool {
        self.files().contains_key(name)
    }
    fn describe(&self) -> String {
        "memory".to_string()
    }
}

/// A file of a [`MemoryStorage`], or a private temporary file.
pub struct MemoryFile(Bytes);

impl MemoryFile {
    pub fn private() -> MemoryFile {
        MemoryFile(Bytes::default())
    }
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<u8>> {
        self.0
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<u8>> {
        self.0
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl StoredFile for MemoryFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        let bytes = self.read();
        let start = (offset as usize).min(bytes.len());
        let n = buf.len().min(bytes.len() - start);
        buf[..n].copy_from_slice(&bytes[start..start + n]);
        Ok(n)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        let mut bytes = self.write();
        let end = offset as usize + data.len();
        if bytes.len() < end {
            bytes.resize(end, 0);
        }
        bytes[offset as usize..end].copy_from_slice(data);
        Ok(())
    }
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        self.write().resize(size as usize, 0);
        Ok(())
    }
    fn size(&self) -> Result<u64, StorageError> {
        Ok(self.read().len() as u64)
    }
    fn sync(&self) -> Result<(), StorageError> {
        Ok(())
    }
}
