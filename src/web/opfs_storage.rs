//! File bytes in the Origin Private File System: persistent, and shared between
//! workers because every worker opens its own sync access handle on the same file
//! with `mode: "readwrite-unsafe"` (Chromium 121 and later; the default mode allows
//! one handle per file). What one worker writes, the others read; SQLite's locks
//! (in shared memory, not in OPFS) decide who writes.
//!
//! Handles can only be created asynchronously, but SQLite opens files
//! synchronously, so a worker opens the handles of a database's fixed set of files
//! (the database, `-journal`, `-wal`) before SQLite needs them. Whether a file
//! "exists" for SQLite (a deleted journal is truncated, its handle kept) is a word
//! in shared memory, so that all workers agree.

use crate::vfs::storage::{Storage, StorageError, StoredFile};
use js_sys::{Atomics, Int32Array, Object, Reflect, SharedArrayBuffer};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    FileSystemDirectoryHandle, FileSystemFileHandle, FileSystemGetDirectoryOptions,
    FileSystemGetFileOptions, FileSystemReadWriteOptions, FileSystemSyncAccessHandle,
    WorkerGlobalScope,
};

/// The OPFS directory locklab keeps its databases in.
pub const DIRECTORY: &str = "locklab";

/// One file: its name as SQLite knows it, its handle, its shared "exists" word.
struct OpfsEntry {
    name: String,
    handle: FileSystemSyncAccessHandle,
    exists: Int32Array,
}

pub struct OpfsStorage {
    files: Vec<OpfsEntry>,
}

// SAFETY: one thread per wasm instance (see `SabWords`): these JS handles are never
// reached from another thread.
unsafe impl Send for OpfsStorage {}
unsafe impl Sync for OpfsStorage {}

fn js_error(what: &str, e: JsValue) -> String {
    let text = Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .unwrap_or(format!("{e:?}"));
    format!("{what}: {text}")
}

/// Open sync access handles ("readwrite-unsafe") on the files named, creating them.
/// `flags[i]` is the shared buffer whose first word says whether file i exists.
pub async fn open(names: &[String], flags: &[SharedArrayBuffer]) -> Result<OpfsStorage, String> {
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    let root: FileSystemDirectoryHandle =
        JsFuture::from(scope.navigator().storage().get_directory())
            .await
            .map_err(|e| js_error("OPFS is not available", e))?
            .unchecked_into();
    let dir_options = FileSystemGetDirectoryOptions::new();
    dir_options.set_create(true);
    let dir: FileSystemDirectoryHandle =
        JsFuture::from(root.get_directory_handle_with_options(DIRECTORY, &dir_options))
            .await
            .map_err(|e| js_error("cannot open the OPFS directory", e))?
            .unchecked_into();
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
    Ok(OpfsStorage { files })
}

impl OpfsStorage {
    fn entry(&self, name: &str) -> Result<&OpfsEntry, StorageError> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| StorageError(format!("no OPFS file for {name}")))
    }

    /// Empty every file and mark it absent: a fresh database for a new run.
    pub fn reset(&self) -> Result<(), String> {
        for f in &self.files {
            f.handle
                .truncate_with_f64(0.0)
                .map_err(|e| js_error("truncate", e))?;
            let _ = Atomics::store(&f.exists, 0, 0);
        }
        Ok(())
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
                return Err(StorageError(format!("no file named {name}")));
            }
            let _ = Atomics::store(&entry.exists, 0, 1);
        }
        Ok(Box::new(OpfsFile {
            handle: entry.handle.clone(),
        }))
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        let entry = self.entry(name)?;
        let _ = Atomics::store(&entry.exists, 0, 0);
        entry
            .handle
            .truncate_with_f64(0.0)
            .map_err(|e| StorageError(js_error("truncate", e)))
    }
    fn exists(&self, name: &str) -> bool {
        self.entry(name)
            .is_ok_and(|e| Atomics::load(&e.exists, 0).unwrap_or(0) != 0)
    }
    fn describe(&self) -> String {
        "OPFS".to_string()
    }
}

struct OpfsFile {
    handle: FileSystemSyncAccessHandle,
}

// SAFETY: see `OpfsStorage`.
unsafe impl Send for OpfsFile {}

fn at(offset: u64) -> FileSystemReadWriteOptions {
    let options = FileSystemReadWriteOptions::new();
    options.set_at(offset as f64);
    options
}

impl StoredFile for OpfsFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        self.handle
            .read_with_u8_array_and_options(buf, &at(offset))
            .map(|n| n as usize)
            .map_err(|e| StorageError(js_error("read", e)))
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        let written = self
            .handle
            .write_with_u8_array_and_options(data, &at(offset))
            .map_err(|e| StorageError(js_error("write", e)))?;
        if written as usize != data.len() {
            return Err(StorageError(format!(
                "short write: {written} of {} bytes",
                data.len()
            )));
        }
        Ok(())
    }
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        self.handle
            .truncate_with_f64(size as f64)
            .map_err(|e| StorageError(js_error("truncate", e)))
    }
    fn size(&self) -> Result<u64, StorageError> {
        self.handle
            .get_size()
            .map(|s| s as u64)
            .map_err(|e| StorageError(js_error("size", e)))
    }
    fn sync(&self) -> Result<(), StorageError> {
        self.handle
            .flush()
            .map_err(|e| StorageError(js_error("flush", e)))
    }
}

/// Remove locklab's OPFS directory with every database in it, from the page (no
/// worker may hold a handle on them then). Returns how many files and bytes went.
pub async fn remove_all() -> Result<(u32, f64), String> {
    let storage = web_sys::window().ok_or("no window")?.navigator().storage();
    let root: FileSystemDirectoryHandle = JsFuture::from(storage.get_directory())
        .await
        .map_err(|e| js_error("OPFS is not available", e))?
        .unchecked_into();
    let dir = match JsFuture::from(root.get_directory_handle(DIRECTORY)).await {
        Ok(dir) => dir,
        // Nothing stored yet.
        Err(_) => return Ok((0, 0.0)),
    };
    let (files, bytes) = measure(&dir).await?;
    let options = Object::new();
    let _ = Reflect::set(&options, &"recursive".into(), &true.into());
    let remove: js_sys::Function = Reflect::get(&root, &"removeEntry".into())
        .and_then(|f| f.dyn_into())
        .map_err(|_| "this browser cannot remove OPFS entries".to_string())?;
    let promise: js_sys::Promise = remove
        .call2(&root, &DIRECTORY.into(), &options)
        .map_err(|e| js_error("removeEntry", e))?
        .unchecked_into();
    JsFuture::from(promise)
        .await
        .map_err(|e| js_error("cannot remove the database files", e))?;
    Ok((files, bytes))
}

/// How many files `dir` holds and their size, through its async iterator (outside
/// web-sys's stable API).
async fn measure(dir: &JsValue) -> Result<(u32, f64), String> {
    let call = |target: &JsValue, name: &str| -> Result<JsValue, String> {
        Reflect::get(target, &name.into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
            .and_then(|f| f.call0(target))
            .map_err(|e| js_error(name, e))
    };
    let entries = call(dir, "values")?;
    let (mut files, mut bytes) = (0, 0.0);
    loop {
        let step = JsFuture::from(js_sys::Promise::from(call(&entries, "next")?))
            .await
            .map_err(|e| js_error("cannot list the OPFS directory", e))?;
        if Reflect::get(&step, &"done".into()).is_ok_and(|d| d.is_truthy()) {
            return Ok((files, bytes));
        }
        let handle = Reflect::get(&step, &"value".into()).unwrap_or(JsValue::NULL);
        if Reflect::get(&handle, &"kind".into())
            .ok()
            .and_then(|k| k.as_string())
            == Some("file".to_string())
        {
            let file = JsFuture::from(js_sys::Promise::from(call(&handle, "getFile")?))
                .await
                .map_err(|e| js_error("getFile", e))?;
            files += 1;
            bytes += Reflect::get(&file, &"size".into())
                .ok()
                .and_then(|s| s.as_f64())
                .unwrap_or(0.0);
        }
    }
}
