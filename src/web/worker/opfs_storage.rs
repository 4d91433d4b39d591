//! File bytes in the Origin Private File System: persistent, and shared between
//! workers because every worker opens its own sync access handle on the same file
//! with `mode: "readwrite-unsafe"` (Chromium 121 and later; the default mode allows
//! one handle per file). What one worker writes, the others read; SQLite's locks
//! (in shared memory, not in OPFS) decide who writes.
//!
//! Each run has a directory of its own (`host::run_files`), so runs in two tabs
//! never share a file.
//!
//! Handles can only be created asynchronously, but SQLite opens files
//! synchronously, so a worker opens the handles of a database's fixed set of files
//! (the database, `-journal`, `-wal`) before SQLite needs them. Whether a file
//! "exists" for SQLite (a deleted journal is truncated, its handle kept) is a word
//! in shared memory, so that all workers agree.

use crate::vfs::storage::{Storage, StorageError, StoredFile};
use crate::web::js_error::js_error;
use js_sys::{Atomics, Int32Array, Object, Reflect, SharedArrayBuffer};
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetFileOptions,
    FileSystemReadWriteOptions, FileSystemSyncAccessHandle,
};

/// One file: its name as SQLite knows it, its handle, its shared "exists" word.
struct OpfsEntry {
    name: String,
    handle: FileSystemSyncAccessHandle,
    exists: Int32Array,
}

pub struct OpfsStorage {
    files: Vec<OpfsEntry>,
    /// This worker's open WAL files, whose writes wait to go out together.
    open_wals: RefCell<Vec<Weak<OpenHandle>>>,
}

/// A failed call on an OPFS handle as the VFS sees it: the browser's own words,
/// and SQLITE_FULL's kind when the origin's storage quota is spent.
fn storage_error(what: &str, e: JsValue) -> StorageError {
    let quota = Reflect::get(&e, &"name".into())
        .ok()
        .and_then(|n| n.as_string())
        .is_some_and(|n| n == "QuotaExceededError");
    let message = js_error(&format!("OPFS {what}"), e);
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
) -> Result<OpfsStorage, String> {
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
            .map_err(|_| "this browser has no OPFS sync access handles".to_string())?;
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
        });
    }
    Ok(OpfsStorage {
        files,
        open_wals: RefCell::new(Vec::new()),
    })
}

impl OpfsStorage {
    fn entry(&self, name: &str) -> Result<&OpfsEntry, StorageError> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| StorageError::io(format!("no OPFS file for {name}")))
    }

    /// Mark files that hold bytes as existing (a database kept from an earlier run).
    pub fn adopt_existing(&self) {
        for f in &self.files {
            if f.handle.get_size().unwrap_or(0.0) > 0.0 {
                let _ = Atomics::store(&f.exists, 0, 1);
            }
        }
    }
}

impl Storage for OpfsStorage {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        let entry = self.entry(name)?;
        if Atomics::load(&entry.exists, 0).unwrap_or(0) == 0 {
            if !create {
                return Err(StorageError::io(format!("no file named {name}")));
            }
            let _ = Atomics::store(&entry.exists, 0, 1);
        }
        let open = Rc::new(OpenHandle {
            handle: entry.handle.clone(),
            options: FileSystemReadWriteOptions::new(),
            waiting: RefCell::new(None),
        });
        if name.ends_with("-wal") {
            let mut wals = self.open_wals.borrow_mut();
            wals.retain(|w| w.strong_count() > 0);
            wals.push(Rc::downgrade(&open));
        }
        Ok(Box::new(OpfsFile {
            writes_wait: name.ends_with("-wal"),
            open,
            commit_follows: Cell::new(false),
        }))
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        let entry = self.entry(name)?;
        let _ = Atomics::store(&entry.exists, 0, 0);
        entry
            .handle
            .truncate_with_f64(0.0)
            .map_err(|e| storage_error("truncate", e))
    }
    fn exists(&self, name: &str) -> bool {
        self.entry(name)
            .is_ok_and(|e| Atomics::load(&e.exists, 0).unwrap_or(0) != 0)
    }
    fn describe(&self) -> String {
        "OPFS".to_string()
    }
    fn write_held_back(&self) -> Result<(), StorageError> {
        for wal in self.open_wals.borrow().iter().filter_map(Weak::upgrade) {
            wal.write_waiting()?;
        }
        Ok(())
    }
}

/// The most a WAL file holds back before writing: a commit of 250 pages.
const MAX_WAITING_BYTES: usize = 1 << 20;
/// A WAL frame header's size; its second big-endian word is the database's size in
/// pages for the frame that commits a transaction, 0 for the others.
const FRAME_HEADER_BYTES: usize = 24;

/// A WAL file's writes wait to go out together. SQLite writes a commit's frames
/// one after the other, each as two writes (its 24-byte header, then its page), and
/// each write through an OPFS handle costs a call into the browser's file system
/// (about 20 us here). Contiguous writes therefore gather, and go out as one write
/// with the page of the frame that commits, so that an error still fails the
/// write SQLite is making. They also go out when the next write is elsewhere,
/// before any other call on the file, when it closes, and when the VFS is about to
/// release a lock (`Storage::write_held_back`: frames of a transaction that never
/// committed must not land after the next writer's). Only WAL files wait: a
/// rollback journal's writes can be the last thing before it is deleted through the
/// storage, not through the file.
struct OpfsFile {
    open: Rc<OpenHandle>,
    writes_wait: bool,
    /// The last write was the header of a frame that commits: its page ends the
    /// commit.
    commit_follows: Cell<bool>,
}

/// An open file's handle, shared with the storage (which writes out what waits).
struct OpenHandle {
    handle: FileSystemSyncAccessHandle,
    /// The position of every read and write, set anew each time (one options
    /// object per file rather than one per call).
    options: FileSystemReadWriteOptions,
    /// Writes not yet made: where they start, and their bytes.
    waiting: RefCell<Option<(u64, Vec<u8>)>>,
}

impl OpenHandle {
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
            return Err(StorageError::io(format!(
                "short write: {written} of {} bytes",
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
}

impl Drop for OpfsFile {
    fn drop(&mut self) {
        let _ = self.open.write_waiting();
    }
}

impl StoredFile for OpfsFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        let open = &self.open;
        open.write_waiting()?;
        open.handle
            .read_with_u8_array_and_options(buf, open.at(offset))
            .map(|n| n as usize)
            .map_err(|e| storage_error("read", e))
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        let open = &self.open;
        if !self.writes_wait {
            return open.write_now(offset, data);
        }
        let ends_commit = self
            .commit_follows
            .replace(data.len() == FRAME_HEADER_BYTES && data[4..8] != [0, 0, 0, 0]);
        let joined = {
            let mut waiting = open.waiting.borrow_mut();
            match waiting.as_mut() {
                Some((at, bytes))
                    if *at + bytes.len() as u64 == offset
                        && bytes.len() + data.len() <= MAX_WAITING_BYTES =>
                {
                    bytes.extend_from_slice(data);
                    true
                }
                _ => false,
            }
        };
        if !joined {
            open.write_waiting()?;
            if data.len() > MAX_WAITING_BYTES {
                return open.write_now(offset, data);
            }
            *open.waiting.borrow_mut() = Some((offset, data.to_vec()));
        }
        if ends_commit {
            open.write_waiting()?;
        }
        Ok(())
    }
    /// A truncate to the size the file already has changes nothing and is left
    /// out: SQLite truncates the database to its page count after every
    /// checkpoint, and each OPFS truncate costs milliseconds here.
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        let open = &self.open;
        open.write_waiting()?;
        let now = open
            .handle
            .get_size()
            .map_err(|e| storage_error("size", e))? as u64;
        if now != size {
            open.handle
                .truncate_with_f64(size as f64)
                .map_err(|e| storage_error("truncate", e))?;
        }
        Ok(())
    }
    fn size(&self) -> Result<u64, StorageError> {
        let open = &self.open;
        open.write_waiting()?;
        open.handle
            .get_size()
            .map(|s| s as u64)
            .map_err(|e| storage_error("size", e))
    }
    fn sync(&self) -> Result<(), StorageError> {
        let open = &self.open;
        open.write_waiting()?;
        open.handle.flush().map_err(|e| storage_error("flush", e))
    }
}
