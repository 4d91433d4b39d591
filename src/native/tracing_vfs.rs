//! A pass-through VFS around SQLite's own `unix` VFS that records what the unix VFS
//! does: every lock change of every connection, refused locks, WAL shm locks, busy
//! waits (xSleep) and syncs. The locks are the real ones (POSIX advisory locks taken
//! by the unix VFS); this layer only watches them, so the native CLI is an oracle
//! against which the shared VFS can be compared.
//!
//! The VFS is registered once under [`NAME`]. Its struct is a copy of unix's with
//! `xOpen`, `xSleep` and the file size replaced; each file it opens holds the unix
//! file right behind its own header and forwards every method to it.
//!
//! Lock calls (xLock, xUnlock, xShmLock, and xClose, which unlocks) go to the unix
//! VFS one at a time, each timed before the next may start (`decided`): the unix
//! VFS decides them one at a time anyway (under its own mutexes, since all
//! connections share one process), and so the trace orders every grant, release
//! and refusal as the unix VFS decided them, which is what who-blocks-whom
//! (`wait_for`) reads a refused lock's holder from.

use crate::lock::LockLevel;
use crate::trace::{self, DbFile, EventKind, FileRole};
use crate::vfs;
use rusqlite::ffi;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::mem::size_of;
use std::ptr;
use std::sync::{Mutex, OnceLock};

/// The name the VFS is registered under.
pub const NAME: &str = "locklab-trace";
const NAME_C: &CStr = c"locklab-trace";
/// The same VFS without shared memory for WAL's index (`shm: false`).
pub const NAME_WITHOUT_SHM: &str = "locklab-trace-noshm";
const NAME_WITHOUT_SHM_C: &CStr = c"locklab-trace-noshm";

/// Our file: SQLite's `sqlite3_file` header first, then what we track, then (at
/// [`REAL_OFFSET`]) the unix VFS's own file.
#[repr(C)]
struct TracedFile {
    base: ffi::sqlite3_file,
    real: *mut ffi::sqlite3_file,
    db: DbFile,
    role: FileRole,
    level: LockLevel,
}

const REAL_OFFSET: usize = size_of::<TracedFile>().next_multiple_of(16);

/// Whether registration succeeded; the registered struct itself is leaked on
/// purpose: SQLite keeps a pointer to it for the life of the process.
static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();

/// Register the tracing VFS (once per process). Connections use it by opening with
/// the VFS name [`NAME`].
pub fn register() -> Result<(), String> {
    REGISTERED
        .get_or_init(|| {
            // SQLite's log must be configured before SQLite initialises.
            crate::trace::sqlite_log::install();
            // SAFETY: sqlite3_vfs_find initialises SQLite and returns a VFS that lives
            // as long as the process; we copy it and register the copy once.
            unsafe {
                let unix = ffi::sqlite3_vfs_find(c"unix".as_ptr());
                if unix.is_null() {
                    return Err("SQLite has no unix VFS to wrap".to_string());
                }
                let mut vfs: ffi::sqlite3_vfs = ptr::read(unix);
                vfs.szOsFile = (REAL_OFFSET + (*unix).szOsFile as usize) as c_int;
                vfs.pNext = ptr::null_mut();
                vfs.zName = NAME_C.as_ptr();
                vfs.pAppData = unix.cast();
                vfs.xOpen = Some(x_open);
                vfs.xSleep = Some(x_sleep);
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

/// Held while a lock call is made and timed.
static DECIDING: Mutex<()> = Mutex::new(());

/// Make a lock call and read the trace clock before another lock call can be
/// made: the call's answer and its time.
fn decided<R>(call: impl FnOnce() -> R) -> (R, Option<u64>) {
    let _one_at_a_time = DECIDING.lock().unwrap_or_else(|e| e.into_inner());
    let answer = call();
    (answer, trace::now_us())
}

/// Record `kind` at `t_us` (the time a lock call was decided).
fn emit_decided(t_us: Option<u64>, kind: EventKind) {
    if let Some(t) = t_us {
        trace::emit_at(t, kind);
    }
}

/// # Safety
/// `vfs` is the tracing VFS registered by `register`, whose `pAppData` is the unix VFS.
unsafe fn unix_vfs(vfs: *mut ffi::sqlite3_vfs) -> *mut ffi::sqlite3_vfs {
    unsafe { (*vfs).pAppData }.cast()
}

/// # Safety
/// SQLite passes `file` pointing at `szOsFile` writable bytes (room for a `TracedFile`
/// and the unix file after it), `name` null or NUL-terminated, `out_flags` null or
/// writable; the unix VFS's xOpen gets the same guarantees for the real file.
unsafe extern "C" fn x_open(
    vfs: *mut ffi::sqlite3_vfs,
    name: *const c_char,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    let unix = unsafe { unix_vfs(vfs) };
    let real = unsafe { file.cast::<u8>().add(REAL_OFFSET) }.cast::<ffi::sqlite3_file>();
    unsafe { (*real).pMethods = ptr::null() };
    let rc =
        unsafe { ((*unix).xOpen.expect("unix has xOpen"))(unix, name, real, flags, out_flags) };
    if rc != ffi::SQLITE_OK {
        unsafe { (*file).pMethods = ptr::null() };
        return rc;
    }
    let db = if !name.is_null()
        && unsafe { CStr::from_ptr(name) }
            .to_bytes()
            .ends_with(b"results.db")
    {
        DbFile::Results
    } else {
        DbFile::Queue
    };
    let role = FileRole::from_open_flags(flags);
    unsafe {
        ptr::write(
            file.cast::<TracedFile>(),
            TracedFile {
                base: ffi::sqlite3_file {
                    pMethods: &TRACED_IO,
                },
                real,
                db,
                role,
                level: LockLevel::None,
            },
        )
    };
    ffi::SQLITE_OK
}

/// # Safety
/// `vfs` is the tracing VFS (see `unix_vfs`).
unsafe extern "C" fn x_sleep(vfs: *mut ffi::sqlite3_vfs, microseconds: c_int) -> c_int {
    let unix = unsafe { unix_vfs(vfs) };
    let start = trace::now_us();
    let slept = unsafe { ((*unix).xSleep.expect("unix has xSleep"))(unix, microseconds) };
    if let (Some(start), Some(end)) = (start, trace::now_us()) {
        trace::emit_at(
            start,
            EventKind::BusyWait {
                requested_us: microseconds.max(0) as u64,
                dur_us: end - start,
            },
        );
    }
    slept
}

/// xOpen of the VFS without shared memory: the traced unix file, with methods
/// of version 1 (no xShmMap), so SQLite leaves `PRAGMA journal_mode = wal` as
/// it was (`sqlite3PagerWalSupported`).
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
        unsafe { (*file).pMethods = &TRACED_IO_WITHOUT_SHM };
    }
    rc
}

/// The traced file's methods without shared memory: version 1.
static TRACED_IO_WITHOUT_SHM: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    ..TRACED_IO
};

static TRACED_IO: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
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

/// Our file and the unix file's methods.
///
/// # Safety
/// `file` must be a file opened by [`x_open`] and not yet closed.
unsafe fn parts<'a>(
    file: *mut ffi::sqlite3_file,
) -> (
    &'a mut TracedFile,
    *mut ffi::sqlite3_file,
    &'a ffi::sqlite3_io_methods,
) {
    let traced = unsafe { &mut *file.cast::<TracedFile>() };
    let real = traced.real;
    (traced, real, unsafe { &*(*real).pMethods })
}

/// Forward a method to the unix file unchanged.
macro_rules! forward {
    ($name:ident, $method:ident ( $($arg:ident : $ty:ty),* )) => {
        /// # Safety
        /// `file` is a file this VFS opened and has not closed (see `parts`); every
        /// other argument is passed on as SQLite gave it, with SQLite's guarantees.
        unsafe extern "C" fn $name(file: *mut ffi::sqlite3_file $(, $arg: $ty)*) -> c_int {
            let (_, real, io) = unsafe { parts(file) };
            unsafe { (io.$method.expect(stringify!($method)))(real $(, $arg)*) }
        }
    };
}

forward!(x_read, xRead(buf: *mut c_void, amount: c_int, offset: ffi::sqlite3_int64));
/// xWrite, forwarded; a write to a WAL file is also recorded when it grows the
/// log or starts it over (`vfs::wal_size`).
///
/// # Safety
/// As the forwarded methods: `file` is a file this VFS opened and has not closed.
unsafe extern "C" fn x_write(
    file: *mut ffi::sqlite3_file,
    buf: *const c_void,
    amount: c_int,
    offset: ffi::sqlite3_int64,
) -> c_int {
    let (traced, real, io) = unsafe { parts(file) };
    let wal_before = (traced.role == FileRole::Wal).then(|| {
        let mut size: ffi::sqlite3_int64 = 0;
        let rc = unsafe { (io.xFileSize.expect("xFileSize"))(real, &mut size) };
        (rc == ffi::SQLITE_OK).then_some(size.max(0) as u64)
    });
    let rc = unsafe { (io.xWrite.expect("xWrite"))(real, buf, amount, offset) };
    if let (ffi::SQLITE_OK, Some(Some(before))) = (rc, wal_before) {
        let (offset, len) = (offset.max(0) as u64, amount.max(0) as u64);
        for event in vfs::wal_size::write_events(traced.db, offset, len, before) {
            trace::emit(event);
        }
    }
    rc
}
forward!(x_truncate, xTruncate(size: ffi::sqlite3_int64));
forward!(x_file_size, xFileSize(size: *mut ffi::sqlite3_int64));
forward!(x_check_reserved_lock, xCheckReservedLock(out: *mut c_int));
forward!(x_file_control, xFileControl(op: c_int, arg: *mut c_void));
forward!(x_sector_size, xSectorSize());
forward!(x_device_characteristics, xDeviceCharacteristics());
forward!(x_shm_map, xShmMap(region: c_int, size: c_int, extend: c_int, out: *mut *mut c_void));
forward!(x_shm_unmap, xShmUnmap(delete: c_int));

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, so it is
/// a `TracedFile` whose `real` is the unix VFS's open file.
unsafe extern "C" fn x_shm_barrier(file: *mut ffi::sqlite3_file) {
    let (_, real, io) = unsafe { parts(file) };
    unsafe { (io.xShmBarrier.expect("xShmBarrier"))(real) }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, so it is
/// a `TracedFile` whose `real` is the unix VFS's open file. The unix file is closed
/// once, here.
unsafe extern "C" fn x_close(file: *mut ffi::sqlite3_file) -> c_int {
    let (traced, real, io) = unsafe { parts(file) };
    // Closing releases the file's locks.
    let (rc, t) = decided(|| unsafe { (io.xClose.expect("xClose"))(real) });
    if traced.level != LockLevel::None {
        emit_decided(
            t,
            EventKind::Lock {
                db: traced.db,
                from: traced.level,
                to: LockLevel::None,
            },
        );
        traced.level = LockLevel::None;
    }
    unsafe { (*file).pMethods = ptr::null() };
    rc
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, so it is
/// a `TracedFile` whose `real` is the unix VFS's open file.
unsafe extern "C" fn x_sync(file: *mut ffi::sqlite3_file, flags: c_int) -> c_int {
    let (traced, real, io) = unsafe { parts(file) };
    let rc = unsafe { (io.xSync.expect("xSync"))(real, flags) };
    trace::emit(EventKind::Sync {
        db: traced.db,
        file: traced.role,
    });
    rc
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, so it is
/// a `TracedFile` whose `real` is the unix VFS's open file.
unsafe extern "C" fn x_lock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    let (traced, real, io) = unsafe { parts(file) };
    let (rc, t) = decided(|| unsafe { (io.xLock.expect("xLock"))(real, level) });
    let Some(wanted) = LockLevel::from_sqlite(level) else {
        return rc;
    };
    let held = traced.level;
    let now_held = if rc == ffi::SQLITE_OK {
        held.max(wanted)
    } else {
        if rc & 0xff == ffi::SQLITE_BUSY {
            emit_decided(
                t,
                EventKind::LockDenied {
                    db: traced.db,
                    held,
                    wanted,
                    by: None,
                },
            );
        }
        // The unix VFS keeps the PENDING lock it took on its way to EXCLUSIVE.
        if wanted == LockLevel::Exclusive && held == LockLevel::Reserved {
            LockLevel::Pending
        } else {
            held
        }
    };
    if now_held != held {
        emit_decided(
            t,
            EventKind::Lock {
                db: traced.db,
                from: held,
                to: now_held,
            },
        );
        traced.level = now_held;
    }
    rc
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, so it is
/// a `TracedFile` whose `real` is the unix VFS's open file.
unsafe extern "C" fn x_unlock(file: *mut ffi::sqlite3_file, level: c_int) -> c_int {
    let (traced, real, io) = unsafe { parts(file) };
    let (rc, t) = decided(|| unsafe { (io.xUnlock.expect("xUnlock"))(real, level) });
    if let Some(to) = LockLevel::from_sqlite(level) {
        if rc == ffi::SQLITE_OK && to < traced.level {
            emit_decided(
                t,
                EventKind::Lock {
                    db: traced.db,
                    from: traced.level,
                    to,
                },
            );
            traced.level = to;
        }
    }
    rc
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, so it is
/// a `TracedFile` whose `real` is the unix VFS's open file.
unsafe extern "C" fn x_shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    let (traced, real, io) = unsafe { parts(file) };
    let (rc, t) = decided(|| unsafe { (io.xShmLock.expect("xShmLock"))(real, offset, n, flags) });
    emit_decided(
        t,
        EventKind::ShmLock {
            db: traced.db,
            slot: offset as u8,
            n: n as u8,
            exclusive: flags & ffi::SQLITE_SHM_EXCLUSIVE != 0,
            acquire: flags & ffi::SQLITE_SHM_LOCK != 0,
            ok: rc == ffi::SQLITE_OK,
            // The unix VFS does not say who holds a slot.
            by: None,
        },
    );
    rc
}
