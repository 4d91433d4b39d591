//! File bytes in the Origin Private File System: persistent, and shared between
//! workers because every worker opens its own sync access handle on the same file
//! with `mode: "readwrite-unsafe"` (Chromium 121 and later; the default mode allows
//! one handle per file). What one worker writes, the others read; SQLite's locks
//! (in shared memory, not in OPFS) decide who writes.
//!
//! Each run has a directory of its own (`web::run_files`), so runs in two tabs
//! never share a file.
//!
//! Handles can only be created asynchronously, but SQLite opens files
//! synchronously, so a worker opens the handles of a database's fixed set of files
//! (the database, `-journal`, `-wal`) before SQLite needs them. Whether a file
//! "exists" for SQLite (a deleted journal is truncated, its handle kept) is a word
//! in shared memory, so that all workers agree.

use crate::vfs::storage::{Storage, StorageError, StoredFile};
use crate::web::error::WebError;
use crate::web::js_error::js_error;
use js_sys::{Atomics, Int32Array, Object, Reflect, SharedArrayBuffer};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetFileOptions,
    FileSystemReadWriteOptions, FileSystemSyncAccessHandle,
};

/// One file: its name as SQLite knows it, its handle, its shared "exists" word,
/// and the writes it holds back (at most one run of contiguous bytes).
struct OpfsEntry {
    name: String,
    handle: FileSystemSyncAccessHandle,
    exists: Int32Array,
    /// The position of every read and write, set anew each time (one options
    /// object per file rather than one per call).
    options: FileSystemReadWriteOptions,
    /// Writes not yet made: where they start, and their bytes.
    waiting: RefCell<Option<(u64, Vec<u8>)>>,
}

pub struct OpfsStorage {
    files: Rc<[OpfsEntry]>,
}

/// A failed call on an OPFS handle as the VFS sees it: the browser's own words,
/// and SQLITE_FULL's kind when the origin's storage quota is spent.
fn storage_error(what: &str, e: JsValue) -> StorageError {
    let quota = Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "QuotaExceededError");
    let message = js_error(&format!("OPFS {what}"), e).message;
    if quota {
        StorageError::full(message)
    } else {
        StorageError::io(message)
    }
}

/// Open sync access handles ("readwrite-unsafe") on the files named, creating
/// them in `dir` (the run's own directory). `flags[i]` is the shared buffer whose
/// first word says whether file i exists.
pub async fn open(
    dir: &FileSystemDirectoryHandle,
    names: &[String],
    flags: &[SharedArrayBuffer],
) -> Result<OpfsStorage, WebError> {
    let mut files = Vec::new();
    for (name, flag) in names.iter().zip(flags) {
        let file_options = FileSystemGetFileOptions::new();
        file_options.set_create(true);
        let opfs_name = name.rsplit('/').next().unwrap_or(name);
        let file: FileSystemFileHandle =
            JsFuture::from(dir.get_file_handle_with_options(opfs_name, &file_options))
                .await
                .map_err(|e| js_error(&format!("cannot open {opfs_name} in OPFS"), e))?
                .unchecked_into();
        // `createSyncAccessHandle({mode})` is outside web-sys's stable API.
        let options = Object::new();
        let _ = Reflect::set(&options, &"mode".into(), &"readwrite-unsafe".into());
        let create: js_sys::Function = Reflect::get(&file, &"createSyncAccessHandle".into())
            .and_then(|f| f.dyn_into())
            .map_err(|_| WebError::browser("this browser has no OPFS sync access handles"))?;
        let promise: js_sys::Promise = create
            .call1(&file, &options)
            .map_err(|e| js_error("createSyncAccessHandle", e))?
            .unchecked_into();
        let handle: FileSystemSyncAccessHandle = JsFuture::from(promise)
            .await
            .map_err(|e| {
                js_error(
                    &format!("cannot share {opfs_name} in OPFS (needs Chromium 121+)"),
                    e,
                )
            })?
            .unchecked_into();
        files.push(OpfsEntry {
            name: name.clone(),
            handle,
            exists: Int32Array::new_with_byte_offset_and_length(flag, 0, 1),
            options: FileSystemReadWriteOptions::new(),
            waiting: RefCell::new(None),
        });
    }
    Ok(OpfsStorage {
        files: files.into(),
    })
}

impl OpfsStorage {
    fn index(&self, name: &str) -> Result<usize, StorageError> {
        self.files
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| StorageError::io(format!("no OPFS file for {name}")))
    }

    /// Mark files that hold bytes as existing (a database kept from an earlier run).
    pub fn adopt_existing(&self) {
        for f in self.files.iter() {
            if f.handle.get_size().unwrap_or(0.0) > 0.0 {
                let _ = Atomics::store(&f.exists, 0, 1);
            }
        }
    }
}

impl Storage for OpfsStorage {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        let index = self.index(name)?;
        let entry = &self.files[index];
        if Atomics::load(&entry.exists, 0).unwrap_or(0) == 0 {
            if !create {
                return Err(StorageError::io(format!("no file named {name}")));
            }
            let _ = Atomics::store(&entry.exists, 0, 1);
        }
        Ok(Box::new(OpfsFile {
            files: self.files.clone(),
            index,
            kind: FileKind::of(name),
            commit_follows: Cell::new(false),
        }))
    }
    /// What the file held back would be cut by the truncation: it is dropped.
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        let index = self.index(name)?;
        write_waiting_except(&self.files, index)?;
        let entry = &self.files[index];
        entry.waiting.borrow_mut().take();
        let _ = Atomics::store(&entry.exists, 0, 0);
        entry
            .handle
            .truncate_with_f64(0.0)
            .map_err(|e| storage_error("truncate", e))
    }
    fn exists(&self, name: &str) -> bool {
        self.index(name)
            .is_ok_and(|i| Atomics::load(&self.files[i].exists, 0).unwrap_or(0) != 0)
    }
    fn describe(&self) -> String {
        "OPFS".to_string()
    }
    fn write_held_back(&self) -> Result<(), StorageError> {
        self.files.iter().try_for_each(OpfsEntry::write_waiting)
    }
}

/// Make what every file but `index` holds back: writes reach OPFS in the order
/// SQLite made them, file after file, so that a crash (a killed worker) leaves
/// what a crash of a native process that wrote them in that order could.
fn write_waiting_except(files: &[OpfsEntry], index: usize) -> Result<(), StorageError> {
    files
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != index)
        .try_for_each(|(_, f)| f.write_waiting())
}

/// The most a file holds back before writing: a commit of 250 pages.
const MAX_WAITING_BYTES: usize = 1 << 20;
/// How a rollback journal's header begins (SQLite's `aJournalMagic`).
const JOURNAL_MAGIC: [u8; 8] = [0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7];
/// A WAL frame header's size; its second big-endian word is the database's size in
/// pages for the frame that commits a transaction, 0 for the others.
const FRAME_HEADER_BYTES: usize = 24;

/// Which writes of a file wait to go out together. Each write through an OPFS
/// handle costs a call into the browser's file system (10 to 35 us here, against
/// 1 to 2 us for a native pwrite), and SQLite writes a WAL frame as two writes
/// (its 24-byte header, then its page) and a rollback journal's record as three
/// (page number, page, checksum), one after the other. Contiguous writes therefore
/// gather and go out as one write when the next write is elsewhere, before any
/// other call on the file and before any write, truncate or sync of another of
/// the database's files (so writes reach OPFS in SQLite's order), and when the
/// VFS is about to release a lock (`Storage::write_held_back`). An error a
/// gathered write meets must still fail a call SQLite makes while the transaction
/// is going on, never only the release of a lock (whose errors SQLite may not
/// hear):
/// - a WAL's gathered frames go out with the page of the frame that commits;
/// - a journal's header and records go out before the database file is
///   written, synced or truncated (the journal's whole point); what ends a
///   transaction in PERSIST mode (zeros over the header) goes out at once;
/// - the database file's own writes go out at once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FileKind {
    Database,
    Journal,
    Wal,
}

impl FileKind {
    fn of(name: &str) -> FileKind {
        if name.ends_with("-wal") {
            FileKind::Wal
        } else if name.ends_with("-journal") {
            FileKind::Journal
        } else {
            FileKind::Database
        }
    }
}

struct OpfsFile {
    files: Rc<[OpfsEntry]>,
    index: usize,
    kind: FileKind,
    /// The last write was the header of a WAL frame that commits: its page ends
    /// the commit.
    commit_follows: Cell<bool>,
}

impl OpfsEntry {
    fn at(&self, offset: u64) -> &FileSystemReadWriteOptions {
        self.options.set_at(offset as f64);
        &self.options
    }

    fn write_now(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        let written = self
            .handle
            .write_with_u8_array_and_options(data, self.at(offset))
            .map_err(|e| storage_error("write", e))?;
        if written as usize != data.len() {
            // A count of bytes, a whole number: formatted as one (a float would
            // bring float formatting into the worker's wasm).
            return Err(StorageError::io(format!(
                "short write: {} of {} bytes",
                written as u64,
                data.len()
            )));
        }
        Ok(())
    }

    /// Make the writes that wait, if any.
    fn write_waiting(&self) -> Result<(), StorageError> {
        let waiting = self.waiting.borrow_mut().take();
        match waiting {
            Some((offset, bytes)) => self.write_now(offset, &bytes),
            None => Ok(()),
        }
    }

    /// Add `data` at `offset` to the writes that wait, if it continues them;
    /// returns whether it did.
    fn join_waiting(&self, offset: u64, data: &[u8]) -> bool {
        match self.waiting.borrow_mut().as_mut() {
            Some((at, bytes))
                if *at + bytes.len() as u64 == offset
                    && bytes.len() + data.len() <= MAX_WAITING_BYTES =>
            {
                bytes.extend_from_slice(data);
                true
            }
            _ => false,
        }
    }
}

impl OpfsFile {
    fn entry(&self) -> &OpfsEntry {
        &self.files[self.index]
    }

    /// Before a call on this file: every other file's writes go out.
    fn others_written(&self) -> Result<(), StorageError> {
        write_waiting_except(&self.files, self.index)
    }
}

impl StoredFile for OpfsFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        let entry = self.entry();
        entry.write_waiting()?;
        entry
            .handle
            .read_with_u8_array_and_options(buf, entry.at(offset))
            .map(|n| n as usize)
            .map_err(|e| storage_error("read", e))
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        self.others_written()?;
        let entry = self.entry();
        let waits = match self.kind {
            FileKind::Database => false,
            FileKind::Journal => offset > 0 || data.starts_with(&JOURNAL_MAGIC),
            FileKind::Wal => true,
        };
        if !waits || data.len() > MAX_WAITING_BYTES {
            entry.write_waiting()?;
            return entry.write_now(offset, data);
        }
        let ends_commit = self.kind == FileKind::Wal
            && self
                .commit_follows
                .replace(data.len() == FRAME_HEADER_BYTES && data[4..8] != [0, 0, 0, 0]);
        if !entry.join_waiting(offset, data) {
            entry.write_waiting()?;
            *entry.waiting.borrow_mut() = Some((offset, data.to_vec()));
        }
        if ends_commit {
            entry.write_waiting()?;
        }
        Ok(())
    }
    /// Writes that wait past `size` are dropped, not made and cut. A truncate to
    /// the size the file already has changes nothing and is left out: SQLite
    /// truncates the database to its page count after every checkpoint, and each
    /// OPFS truncate costs tens of us here.
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        self.others_written()?;
        let entry = self.entry();
        let cut = matches!(*entry.waiting.borrow(), Some((at, _)) if at >= size);
        if cut {
            entry.waiting.borrow_mut().take();
        }
        entry.write_waiting()?;
        let now = entry
            .handle
            .get_size()
            .map_err(|e| storage_error("size", e))? as u64;
        if now != size {
            entry
                .handle
                .truncate_with_f64(size as f64)
                .map_err(|e| storage_error("truncate", e))?;
        }
        Ok(())
    }
    fn size(&self) -> Result<u64, StorageError> {
        let entry = self.entry();
        entry.write_waiting()?;
        entry
            .handle
            .get_size()
            .map(|s| s as u64)
            .map_err(|e| storage_error("size", e))
    }
    fn sync(&self) -> Result<(), StorageError> {
        self.others_written()?;
        let entry = self.entry();
        entry.write_waiting()?;
        entry.handle.flush().map_err(|e| storage_error("flush", e))
    }
}
