//! The C face of the shared VFS: the `sqlite3_vfs` and `sqlite3_io_methods`
//! callbacks, each a thin shell over the safe parts (`lock_table`, `shm`,
//! `storage`). All of the VFS's unsafe code is here.
//!
//! The WAL-index callbacks (xShmMap, xShmLock, xShmBarrier, xShmUnmap) are in
//! `shm.rs`, beside the others.
//!
//! Each file SQLite opens is a `SharedFile`: SQLite's `sqlite3_file` header followed
//! by a pointer to our `OpenFile`, which owns everything else.

use super::context;
use super::database::{self, SharedDatabase};
use super::detail::note_error_detail;
use super::lock_table::{LockError, SLOTS};
use super::shm::ShmView;
use super::stamp::Stamp;
use super::storage::{MemoryFile, StorageError, StorageErrorKind, StoredFile};
use crate::lock::LockLevel;
use crate::trace::{self, DbFile, EventKind, FileRole};
use rusqlite::ffi;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::size_of;
use std::ptr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The name the VFS is registered under.
const NAME_C: &CStr = c"locklab-shared";
/// The same VFS without shared memory for WAL's index (`shm: false`).
const NAME_WITHOUT_SHM_C: &CStr = c"locklab-shared-noshm";

#[repr(C)]
struct SharedFile {
    base: ffi::sqlite3_file,
    open: *mut OpenFile,
}

struct OpenFile {
    database: Option<Arc<SharedDatabase>>,
    file: Box<dyn StoredFile>,
    name: String,
    delete_on_close: bool,
    db: DbFile,
    role: FileRole,
    /// The connection's record in the lock table (main database files only).
    lock_slot: Option<usize>,
    level: LockLevel,
    shm: Option<ShmView>,
}

static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Register the VFS (once per process). Random numbers, time and the dynamic
/// loader come from SQLite's default VFS.
pub fn register() -> Result<(), String> {
    REGISTERED
        .get_or_init(|| {
            // SQLite's log must be configured before SQLite initialises.
            crate::trace::sqlite_log::install();
            // SAFETY: sqlite3_vfs_find initialises SQLite; the default VFS lives as
            // long as the process. Our copy is leaked on purpose: SQLite keeps a
            // pointer to it for the life of the process.
            unsafe {
                let default = ffi::sqlite3_vfs_find(ptr::null());
                if default.is_null() {
                    return Err("SQLite has no default VFS".to_string());
                }
                let mut vfs: ffi::sqlite3_vfs = ptr::read(default);
                vfs.iVersion = vfs.iVersion.min(3);
                vfs.szOsFile = size_of::<SharedFile>() as c_int;
                vfs.mxPathname = 1024;
                vfs.pNext = ptr::null_mut();
                vfs.zName = NAME_C.as_ptr();
                vfs.pAppData = ptr::null_mut();
                vfs.xOpen = Some(x_open);
                vfs.xDelete = Some(x_delete);
                vfs.xAccess = Some(x_access);
                vfs.xFullPathname = Some(x_full_pathname);
                vfs.xSleep = Some(x_sleep);
                vfs.xSetSystemCall = None;
                vfs.xGetSystemCall = None;
                vfs.xNextSystemCall = None;
                let mut without_shm = vfs;
                without_shm.zName = NAME_WITHOUT_SHM_C.as_ptr();
                without_shm.xOpen = Some(x_open_without_shm);
                for vfs in [vfs, without_shm] {
                    let rc = ffi::sqlite3_vfs_register(Box::into_raw(Box::new(vfs)), 0);
                    if rc != ffi::SQLITE_OK {
                        return Err(format!("sqlite3_vfs_register failed with code {rc}"));
                    }
                }
                Ok(())
            }
        })
        .clone()
}

/// A storage failure as SQLite's result code: SQLITE_FULL for a full storage,
/// else `io_code`. The storage's own words are noted for the engine's message.
fn storage_failed(e: StorageError, io_code: c_int) -> c_int {
    note_error_detail(format!("storage: {}", e.message));
    match e.kind {
        StorageErrorKind::Full => ffi::SQLITE_FULL,
        StorageErrorKind::Io => io_code,
    }
}

/// A failure of the VFS itself (not of its storage), with what to say about it.
fn vfs_failed(detail: String, code: c_int) -> c_int {
    note_error_detail(detail);
    code
}

/// # Safety
/// `name` is null or a NUL-terminated string.
unsafe fn name_of(name: *const c_char) -> Option<String> {
    (!name.is_null()).then(|| {
        unsafe { CStr::from_ptr(name) }
            .to_string_lossy()
            .into_owned()
    })
}

/// # Safety
/// SQLite passes `file` pointing at `szOsFile` writable bytes, `name` null or
/// NUL-terminated, `out_flags` null or writable. On success `file` holds a `SharedFile`
/// whose `open` is a leaked `Box<OpenFile>`, freed by `x_close`.
unsafe extern "C" fn x_open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    unsafe { (*file).pMethods = ptr::null() };
    let role = FileRole::from_open_flags(flags);
    let create = flags & ffi::SQLITE_OPEN_CREATE != 0;
    let open = match unsafe { name_of(name) } {
        // A temporary file: private to this connection.
        None => OpenFile {
            database: None,
            file: Box::new(MemoryFile::private()),
            name: String::new(),
            delete_on_close: false,
            db: DbFile::Queue,
            role,
            lock_slot: None,
            level: LockLevel::None,
            shm: None,
        },
        Some(name) => {
            let Some(database) = database::find(&name) else {
                return vfs_failed(
                    format!(
                        "shared VFS: {name} is not a file of this run; SQL stays inside \
                         the run's own files"
                    ),
                    ffi::SQLITE_CANTOPEN,
                );
            };
            let stored = match database.storage.open(&name, create) {
                Ok(stored) => stored,
                Err(e) => return storage_failed(e, ffi::SQLITE_CANTOPEN),
            };
            let lock_slot = if role == FileRole::Db {
                match database.locks().claim(context::owner()) {
                    Some(slot) => Some(slot),
                    None => {
                        return vfs_failed(
                            format!(
                                "shared VFS: the lock table of {name} is full \
                                 ({SLOTS} connections at most)"
                            ),
                            ffi::SQLITE_CANTOPEN,
                        )
                    }
                }
            } else {
                None
            };
            OpenFile {
                db: database.db,
                database: Some(database),
                file: stored,
                name,
                delete_on_close: flags & ffi::SQLITE_OPEN_DELETEONCLOSE != 0,
                role,
                lock_slot,
                level: LockLevel::None,
                shm: None,
            }
        }
    };
    if !out_flags.is_null() {
        unsafe { *out_flags = flags };
    }
    let shared = file.cast::<SharedFile>();
    unsafe { (*shared).open = Box::into_raw(Box::new(open)) };
    unsafe { (*shared).base.pMethods = &IO_METHODS };
    ffi::SQLITE_OK
}

/// xOpen of the VFS without shared memory: the same file, with methods of
/// version 1, which have no xShmMap. SQLite then cannot use WAL with more than
/// one connection and leaves `PRAGMA journal_mode = wal` as it was
/// (`sqlite3PagerWalSupported`), as on a VFS that offers no shared memory.
///
/// # Safety
/// As [`x_open`].
unsafe extern "C" fn x_open_without_shm(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let rc = unsafe { x_open(vfs, name, file, flags, out_flags) };
    if rc == ffi::SQLITE_OK {
        unsafe { (*file).pMethods = &IO_METHODS_WITHOUT_SHM };
    }
    rc
}

/// # Safety
/// `name` is null or NUL-terminated (SQLite's contract for xDelete).
unsafe extern "C" fn x_delete(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    _sync_dir: c_int,
) -> c_int {
    let Some(name) = (unsafe { name_of(name) }) else {
        return ffi::SQLITE_IOERR_DELETE;
    };
    match database::find(&name) {
        Some(database) if database.storage.exists(&name) => match database.storage.delete(&name) {
            Ok(()) => ffi::SQLITE_OK,
            Err(e) => storage_failed(e, ffi::SQLITE_IOERR_DELETE),
        },
        _ => ffi::SQLITE_IOERR_DELETE_NOENT,
    }
}

/// # Safety
/// `name` is null or NUL-terminated and `out` points at a writable int (SQLite's
/// contract for xAccess).
unsafe extern "C" fn x_access(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    _flags: c_int,
    out: *mut c_int,
) -> c_int {
    let exists = unsafe { name_of(name) }
        .and_then(|name| database::find(&name).map(|d| d.storage.exists(&name)))
        .unwrap_or(false);
    unsafe { *out = exists as c_int };
    ffi::SQLITE_OK
}

/// # Safety
/// `name` is NUL-terminated and `out` holds `n_out` writable bytes (SQLite's contract
/// for xFullPathname).
unsafe extern "C" fn x_full_pathname(
    _vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    n_out: c_int,
    out: *mut c_char,
) -> c_int {
    let bytes = unsafe { CStr::from_ptr(name) }.to_bytes_with_nul();
    if bytes.len() > n_out.max(0) as usize {
        return ffi::SQLITE_CANTOPEN;
    }
    unsafe { ptr::copy_nonoverlapping(bytes.as_ptr().cast::<c_char>(), out, bytes.len()) };
    ffi::SQLITE_OK
}

/// SQLite's busy handler (and WAL's retry loop) sleeping: really block, on the
/// worker's clock, and trace the wait. Then this thread's private WAL indexes take
/// in what changed meanwhile (`refresh_after_sleep` says why).
///
/// # Safety
/// No pointer is read; SQLite calls it from the connection's own thread, between
/// io calls (what `refresh_after_sleep` needs).
unsafe extern "C" fn x_sleep(_vfs: *mut ffi::sqlite3_vfs, microseconds: c_int) -> c_int {
    let requested = Duration::from_micros(microseconds.max(0) as u64);
    let start = trace::now_us();
    if !context::sleep(requested) {
        fallback_sleep(requested);
    }
    unsafe { refresh_after_sleep() };
    if let (Some(start), Some(end)) = (start, trace::now_us()) {
        trace::emit_at(
            start,
            EventKind::BusyWait {
                requested_us: requested.as_micros() as u64,
                dur_us: end - start,
            },
        );
    }
    microseconds
}

#[cfg(not(target_arch = "wasm32"))]
fn fallback_sleep(d: Duration) {
    std::thread::sleep(d)
}

#[cfg(target_arch = "wasm32")]
fn fallback_sleep(_d: Duration) {}

mod shm;

use shm::{forget_mapped, refresh_after_sleep, x_shm_barrier, x_shm_lock, x_shm_map, x_shm_unmap};

static IO_METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 2,
    xClose: Some(x_close),
    xRead: Some(x_read),
    xWrite: Some(x_write),
    xTruncate: Some(x_truncate),
    xSync: Some(x_sync),
    xFileSize: Some(x_file_size),
    xLock: Some(x_lock),
    xUnlock: Some(x_unlock),
    xCheckReservedLock: Some(x_check_reserved_lock),
    xFileControl: Some(x_file_control),
    xSectorSize: Some(x_sector_size),
    xDeviceCharacteristics: Some(x_device_characteristics),
    xShmMap: Some(x_shm_map),
    xShmLock: Some(x_shm_lock),
    xShmBarrier: Some(x_shm_barrier),
    xShmUnmap: Some(x_shm_unmap),
    xFetch: None,
    xUnfetch: None,
};

/// The methods of a file of the VFS without shared memory: version 1.
static IO_METHODS_WITHOUT_SHM: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    ..IO_METHODS
};

/// # Safety
/// `file` was opened by [`x_open`] and is not yet closed.
unsafe fn open_file<'a>(file: *mut ffi::sqlite3_file) -> &'a mut OpenFile {
    unsafe { &mut *(*file.cast::<SharedFile>()).open }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method. Afterwards the `OpenFile` is freed and `file`
/// holds no methods, so SQLite never calls it again.
unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let shared = file.cast::<SharedFile>();
    forget_mapped(unsafe { (*shared).open });
    let open = unsafe { Box::from_raw((*shared).open) };
    unsafe { (*shared).open = ptr::null_mut() };
    unsafe { (*shared).base.pMethods = ptr::null() };
    if let (Some(database), Some(slot)) = (&open.database, open.lock_slot) {
        let stamp = Stamp::default();
        let last = database
            .locks()
            .stamping(&|floor| stamp.read(floor))
            .free(slot);
        // The database's last connection: a page cache writes every file back
        // (a close has no error SQLite acts on; the next sync retries).
        if last {
            let _ = database.storage.sync_all();
        }
        if open.level != LockLevel::None {
            stamp.emit(EventKind::Lock {
                db: open.db,
                from: open.level,
                to: LockLevel::None,
            });
        }
    }
    if open.delete_on_close {
        if let Some(database) = &open.database {
            let _ = database.storage.delete(&open.name);
        }
    }
    ffi::SQLITE_OK
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method. `buf` holds `amount` writable bytes.
unsafe extern "C" fn x_read(
    file: *mut ffi::sqlite3_file,
    buf: *mut c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    let open = unsafe { open_file(file) };
    let buf = unsafe { std::slice::from_raw_parts_mut(buf.cast::<u8>(), amount.max(0) as usize) };
    match open.file.read_at(offset as u64, buf) {
        Ok(n) if n == buf.len() => ffi::SQLITE_OK,
        Ok(n) => {
            buf[n..].fill(0);
            ffi::SQLITE_IOERR_SHORT_READ
        }
        Err(e) => storage_failed(e, ffi::SQLITE_IOERR_READ),
    }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method. `buf` holds `amount` readable bytes.
unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: i64,
) -> c_int {
    let open = unsafe { open_file(file) };
    let data = unsafe { std::slice::from_raw_parts(buf.cast::<u8>(), amount.max(0) as usize) };
    let wal_before = match open.role {
        FileRole::Wal => open.file.size().ok(),
        _ => None,
    };
    match open.file.write_at(offset as u64, data) {
        Ok(()) => {
            if let Some(before) = wal_before {
                let len = data.len() as u64;
                for event in crate::vfs::wal_size::write_events(open.db, offset as u64, len, before)
                {
                    trace::emit(event);
                }
            }
            ffi::SQLITE_OK
        }
        Err(e) => storage_failed(e, ffi::SQLITE_IOERR_WRITE),
    }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method.
unsafe extern "C" fn x_truncate(file: *mut ffi::sqlite3_file, size: i64) -> c_int {
    match unsafe { open_file(file) }.file.truncate(size.max(0) as u64) {
        Ok(()) => ffi::SQLITE_OK,
        Err(e) => storage_failed(e, ffi::SQLITE_IOERR_TRUNCATE),
    }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method.
unsafe extern "C" fn x_sync(file: *mut ffi::sqlite3_file, _flags: c_int) -> c_int {
    let open = unsafe { open_file(file) };
    trace::emit(EventKind::Sync {
        db: open.db,
        file: open.role,
    });
    match open.file.sync() {
        Ok(()) => ffi::SQLITE_OK,
        Err(e) => storage_failed(e, ffi::SQLITE_IOERR_FSYNC),
    }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method. `out` points at a writable i64.
unsafe extern "C" fn x_file_size(file: *mut ffi::sqlite3_file, out: *mut i64) -> c_int {
    match unsafe { open_file(file) }.file.size() {
        Ok(size) => {
            unsafe { *out = size as i64 };
            ffi::SQLITE_OK
        }
        Err(e) => storage_failed(e, ffi::SQLITE_IOERR_FSTAT),
    }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method.
unsafe extern "C" fn x_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    let open = unsafe { open_file(file) };
    let (Some(database), Some(slot), Some(wanted)) = (
        &open.database,
        open.lock_slot,
        LockLevel::from_sqlite(level),
    ) else {
        return ffi::SQLITE_OK;
    };
    let held = open.level;
    let stamp = Stamp::default();
    let read = |floor| stamp.read(floor);
    let locks = database.locks().stamping(&read);
    let (rc, now) = match locks.lock(slot, wanted, database.locking) {
        Ok(now) => (ffi::SQLITE_OK, now),
        Err(LockError::Busy { held: now, by }) => {
            stamp.emit(EventKind::LockDenied {
                db: open.db,
                held,
                wanted,
                by: Some(by),
            });
            (ffi::SQLITE_BUSY, now)
        }
        Err(LockError::Illegal { from, to }) => (
            vfs_failed(
                format!(
                    "shared VFS: a lock move from {} to {} that SQLite never makes",
                    from.name(),
                    to.name()
                ),
                ffi::SQLITE_IOERR_LOCK,
            ),
            held,
        ),
    };
    if now != held {
        stamp.emit(EventKind::Lock {
            db: open.db,
            from: held,
            to: now,
        });
        open.level = now;
    }
    rc
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method.
unsafe extern "C" fn x_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    let open = unsafe { open_file(file) };
    let (Some(database), Some(slot), Some(to)) = (
        &open.database,
        open.lock_slot,
        LockLevel::from_sqlite(level),
    ) else {
        return ffi::SQLITE_OK;
    };
    write_held_back(database);
    let stamp = Stamp::default();
    match database
        .locks()
        .stamping(&|floor| stamp.read(floor))
        .unlock(slot, to)
    {
        Ok(now) => {
            if now != open.level {
                stamp.emit(EventKind::Lock {
                    db: open.db,
                    from: open.level,
                    to: now,
                });
                open.level = now;
            }
            ffi::SQLITE_OK
        }
        Err(_) => ffi::SQLITE_IOERR_UNLOCK,
    }
}

/// Bytes a storage holds back must be written before a lock lets others read them.
/// An error is not SQLite's to see here: a commit's held-back bytes go out inside
/// the xWrite of its last frame (which reports the error), so what can fail here
/// is only frames of a transaction that never committed, which nobody reads.
fn write_held_back(database: &SharedDatabase) {
    let _ = database.storage.write_held_back();
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method. `out` points at a writable int.
unsafe extern "C" fn x_check_reserved_lock(file: *mut ffi::sqlite3_file, out: *mut c_int) -> c_int {
    let open = unsafe { open_file(file) };
    unsafe { *out = open.database.as_ref().is_some_and(|d| d.locks().reserved()) as c_int };
    ffi::SQLITE_OK
}

/// # Safety
/// Reads nothing: every file control is answered SQLITE_NOTFOUND.
unsafe extern "C" fn x_file_control(
    _file: *mut ffi::sqlite3_file,
    _op: c_int,
    _arg: *mut c_void,
) -> c_int {
    ffi::SQLITE_NOTFOUND
}

/// # Safety
/// Reads nothing.
unsafe extern "C" fn x_sector_size(_file: *mut ffi::sqlite3_file) -> c_int {
    4096
}

/// # Safety
/// Reads nothing.
unsafe extern "C" fn x_device_characteristics(_file: *mut ffi::sqlite3_file) -> c_int {
    ffi::SQLITE_IOCAP_POWERSAFE_OVERWRITE
}
