//! SQLite's error log (`sqlite3_log`) as trace events.
//!
//! SQLite says through its log what no result code says: that it rolled back a
//! hot journal left by a dead connection (SQLITE_NOTICE_RECOVER_ROLLBACK), that it
//! rebuilt a WAL index (SQLITE_NOTICE_RECOVER_WAL), warnings, and the details of
//! some errors. The log callback turns each message into a `SqliteLog` event on
//! the recorder of the thread that logged it, so recovery after a crash shows in
//! the survivor's lane; on a thread without a recorder the message is dropped.
//! Left out: lock errors (each is already an `Error` event of its statement) and
//! SQLITE_SCHEMA ("statement aborts ...: database schema has changed"), which SQLite
//! logs each time it re-prepares a statement by itself after a schema change.
//!
//! The callback is process-wide and must be configured before SQLite initialises,
//! so both VFS registrations (the first SQLite calls of a run) call [`install`]
//! first. It must never call SQLite, nor panic across the C boundary.

use crate::result_code;
use crate::trace::{self, EventKind};
use rusqlite::ffi;
use std::ffi::{c_char, c_int, c_void, CStr};
use std::sync::OnceLock;

const SQLITE_SCHEMA: c_int = 17;

static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Send SQLite's log to the trace (once per process). `false` when SQLite was
/// initialised before (by a connection opened first): its log then stays off.
pub fn install() -> bool {
    *INSTALLED.get_or_init(|| {
        let callback: unsafe extern "C" fn(*mut c_void, c_int, *const c_char) = log_to_trace;
        // SAFETY: SQLITE_CONFIG_LOG takes a function pointer and a context pointer,
        // as passed. sqlite3_config must not run beside other SQLite calls: it runs
        // inside this OnceLock, before the registrations that are every run's first
        // SQLite calls.
        let rc = unsafe {
            ffi::sqlite3_config(
                ffi::SQLITE_CONFIG_LOG,
                callback,
                std::ptr::null_mut::<c_void>(),
            )
        };
        rc == ffi::SQLITE_OK
    })
}

/// SQLite's log callback.
///
/// # Safety
/// SQLite calls it with `message` a NUL-terminated string (or null), on the thread
/// of the connection that logs, and the callback calls no SQLite function.
unsafe extern "C" fn log_to_trace(_context: *mut c_void, code: c_int, message: *const c_char) {
    if result_code::is_lock_error(code)
        || result_code::primary(code) == SQLITE_SCHEMA
        || message.is_null()
    {
        return;
    }
    let message = unsafe { CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned();
    let _ = std::panic::catch_unwind(move || trace::emit(EventKind::SqliteLog { code, message }));
}
