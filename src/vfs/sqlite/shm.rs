//! The shared VFS's WAL-index callbacks (xShmMap, xShmLock, xShmBarrier,
//! xShmUnmap): thin shells over `ShmView` (private regions kept coherent with the
//! shared copy) and the lock table's shm slots.

use super::{open_file, vfs_failed, write_held_back, OpenFile, SharedFile};
use crate::lock::WAL_WRITE_SLOT;
use crate::trace::EventKind;
use crate::vfs::database::SHM_BASE;
use crate::vfs::shm::ShmView;
use crate::vfs::stamp::Stamp;
use rusqlite::ffi;
use std::cell::RefCell;
use std::ffi::{c_int, c_void};
use std::ptr;

thread_local! {
    /// This thread's open files with a mapped WAL index, for `refresh_after_sleep`.
    static MAPPED: RefCell<Vec<*mut OpenFile>> = const { RefCell::new(Vec::new()) };
}

/// After SQLite slept on this thread (in its busy handler, or between two tries to
/// start a WAL read): take into every private WAL index the changes other
/// connections made meanwhile, as a real shared mapping would show them.
///
/// Why: SQLite reads the wal-index header without a lock, takes a read lock, and
/// starts over when the header changed in between; after 5 tries it sleeps before
/// each one (1 µs, then up to 323 ms), and after 100 it fails with
/// SQLITE_PROTOCOL. Its private copy is refreshed only when it takes an shm lock,
/// so after each sleep the header it reads is as old as the sleep, and with other
/// connections committing throughout, every try lost: a worker that had lost 5
/// tries in a row failed 10 s later, every time (16 workers, no work). With the
/// refresh, the window is from the end of the sleep to the lock, as with the unix
/// VFS's shared mapping.
///
/// # Safety
/// Called from xSleep only. Every pointer in `MAPPED` is an `OpenFile` of this
/// thread that `x_shm_map` registered and neither `x_shm_unmap` nor `x_close` has
/// forgotten, so it is alive; SQLite sleeps between io calls, never inside one, so
/// no other reference to those files is in use.
pub(super) unsafe fn refresh_after_sleep() {
    MAPPED.with(|mapped| {
        for &open in mapped.borrow().iter() {
            let open = unsafe { &mut *open };
            if let (Some(database), Some(view)) = (&open.database, open.shm.as_mut()) {
                view.pull(&*database.words);
            }
        }
    });
}

/// `open` no longer has a mapped WAL index (unmapped, or closed).
pub(super) fn forget_mapped(open: *mut OpenFile) {
    MAPPED.with(|mapped| mapped.borrow_mut().retain(|&o| o != open));
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method. `out` points at a writable pointer; the
/// region handed out lives in the `ShmView` until `x_shm_unmap`, and SQLite does not
/// use it after.
pub(super) unsafe extern "C" fn x_shm_map(
    file: *mut ffi::sqlite3_file,
    region: c_int,
    size: c_int,
    extend: c_int,
    out: *mut *mut c_void,
) -> c_int {
    let open = unsafe { open_file(file) };
    unsafe { *out = ptr::null_mut() };
    let Some(database) = open.database.clone() else {
        return ffi::SQLITE_IOERR_SHMMAP;
    };
    if open.shm.is_none() {
        let raw = unsafe { (*file.cast::<SharedFile>()).open };
        MAPPED.with(|mapped| mapped.borrow_mut().push(raw));
    }
    let view = open.shm.get_or_insert_with(|| ShmView::new(SHM_BASE));
    match view.map(
        &*database.words,
        region.max(0) as usize,
        size.max(0) as usize,
        extend != 0,
    ) {
        Ok(Some(pointer)) => {
            view.pull(&*database.words);
            unsafe { *out = pointer.cast() };
            ffi::SQLITE_OK
        }
        Ok(None) => ffi::SQLITE_OK,
        Err(e) => vfs_failed(e.to_string(), ffi::SQLITE_IOERR_SHMSIZE),
    }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method.
pub(super) unsafe extern "C" fn x_shm_lock(
    file: *mut ffi::sqlite3_file,
    offset: c_int,
    n: c_int,
    flags: c_int,
) -> c_int {
    let open = unsafe { open_file(file) };
    let (Some(database), Some(slot), Some(view)) =
        (open.database.clone(), open.lock_slot, open.shm.as_mut())
    else {
        return ffi::SQLITE_IOERR_SHMLOCK;
    };
    let (first, count) = (offset.max(0) as usize, n.max(0) as usize);
    let exclusive = flags & ffi::SQLITE_SHM_EXCLUSIVE != 0;
    let acquire = flags & ffi::SQLITE_SHM_LOCK != 0;
    let stamp = Stamp::default();
    let read = |floor| stamp.read(floor);
    let locks = database.locks().stamping(&read);
    let write_lock = exclusive && (first..first + count).contains(&usize::from(WAL_WRITE_SLOT));
    // The worker whose slot refused the request.
    let mut by = None;
    let rc = if acquire {
        match locks.shm_lock(slot, first, count, exclusive, database.locking) {
            Ok(()) => {
                if write_lock {
                    view.took_write_lock();
                }
                view.pull(&*database.words);
                ffi::SQLITE_OK
            }
            Err(owner) => {
                by = Some(owner);
                ffi::SQLITE_BUSY
            }
        }
    } else {
        write_held_back(&database);
        if write_lock {
            view.push_releasing_write_lock(&*database.words);
        } else if exclusive {
            view.push(&*database.words);
        }
        locks.shm_unlock(slot, first, count, exclusive);
        ffi::SQLITE_OK
    };
    stamp.emit(EventKind::ShmLock {
        db: open.db,
        slot: first as u8,
        n: count as u8,
        exclusive,
        acquire,
        ok: rc == ffi::SQLITE_OK,
        by,
    });
    rc
}

/// A memory barrier: publish what this connection wrote, take in what others wrote
/// (see `ShmView::barrier` for what it leaves alone and why).
///
/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method.
pub(super) unsafe extern "C" fn x_shm_barrier(file: *mut ffi::sqlite3_file) {
    let open = unsafe { open_file(file) };
    if let (Some(database), Some(view)) = (&open.database, open.shm.as_mut()) {
        view.barrier(&*database.words);
    }
}

/// # Safety
/// `file` is a file this VFS opened (through `x_open`) and has not yet closed, as
/// SQLite guarantees for every io method.
pub(super) unsafe extern "C" fn x_shm_unmap(file: *mut ffi::sqlite3_file, delete: c_int) -> c_int {
    forget_mapped(unsafe { (*file.cast::<SharedFile>()).open });
    let open = unsafe { open_file(file) };
    if let (Some(database), Some(mut view)) = (&open.database, open.shm.take()) {
        view.unmap(&*database.words, delete != 0);
    }
    ffi::SQLITE_OK
}
