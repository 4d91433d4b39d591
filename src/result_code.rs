//! Names of SQLite's result codes, as the run report keys its error counts.
//!
//! SQLite reports an extended result code (the primary code in the low byte); the
//! report and the timeline name both, with SQLite's own spelling, so that
//! `SQLITE_BUSY_SNAPSHOT` can be looked up in SQLite's documentation as is.

/// The result codes locklab's own logic tells apart (SQLite's values).
pub const SQLITE_BUSY: i32 = 5;
pub const SQLITE_LOCKED: i32 = 6;
pub const SQLITE_CORRUPT: i32 = 11;
pub const SQLITE_BUSY_SNAPSHOT: i32 = ext(SQLITE_BUSY, 2);

/// The primary code of an extended result code.
pub fn primary(extended: i32) -> i32 {
    extended & 0xff
}

/// SQLite's name for a result code, extended or primary ("SQLITE_BUSY_SNAPSHOT").
/// An extended code this table does not know falls back to its primary name with the
/// number, so nothing is ever unnamed.
pub fn name(code: i32) -> String {
    if let Some(name) = EXTENDED.iter().find(|(c, _)| *c == code).map(|(_, n)| *n) {
        return name.to_string();
    }
    let base = PRIMARY
        .get(usize::try_from(primary(code)).unwrap_or(usize::MAX))
        .copied()
        .unwrap_or("SQLITE_UNKNOWN");
    if code == primary(code) {
        base.to_string()
    } else {
        format!("{base}({code})")
    }
}

/// The result code SQLite names `name`: one of the tables' names, or the
/// fallback `name` writes for an extended code the table lacks ("SQLITE_BUSY(1234)").
pub fn code_of(name: &str) -> Option<i32> {
    if let Some((code, _)) = EXTENDED.iter().find(|(_, n)| *n == name) {
        return Some(*code);
    }
    if let Some(code) = PRIMARY.iter().position(|n| *n == name) {
        return i32::try_from(code).ok();
    }
    let (_, number) = name.strip_suffix(')')?.split_once('(')?;
    number.parse().ok()
}

/// Whether the code says another connection (BUSY) or this one (LOCKED) holds a lock
/// that the statement needed: the errors a job-queue worker retries.
pub fn is_lock_error(code: i32) -> bool {
    ErrorKind::of(code).is_lock_error()
}

/// The kinds of error locklab tells apart (the timeline gives each its own colour
/// and shape): the one classification of result codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    Busy,
    BusySnapshot,
    Locked,
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 4] = [
        ErrorKind::Busy,
        ErrorKind::BusySnapshot,
        ErrorKind::Locked,
        ErrorKind::Other,
    ];

    /// The kind of an extended result code.
    pub fn of(extended: i32) -> ErrorKind {
        match (primary(extended), extended) {
            (_, SQLITE_BUSY_SNAPSHOT) => ErrorKind::BusySnapshot,
            (SQLITE_BUSY, _) => ErrorKind::Busy,
            (SQLITE_LOCKED, _) => ErrorKind::Locked,
            _ => ErrorKind::Other,
        }
    }

    /// The kind of the result code SQLite names `name` (the report keys its
    /// errors by name).
    pub fn of_name(name: &str) -> ErrorKind {
        code_of(name).map_or(ErrorKind::Other, ErrorKind::of)
    }

    /// Another connection (BUSY) or this one (LOCKED) holds a lock that the
    /// statement needed: the errors a job-queue worker retries.
    pub fn is_lock_error(self) -> bool {
        self != ErrorKind::Other
    }

    /// SQLITE_BUSY or one of its extended codes.
    pub fn is_busy(self) -> bool {
        matches!(self, ErrorKind::Busy | ErrorKind::BusySnapshot)
    }

    /// In one line: what the error says and whether waiting helps.
    pub fn explain(self) -> &'static str {
        match self {
            ErrorKind::Busy => {
                "another connection holds the lock; busy_timeout waits for it, unless this \
                 transaction had already read and now asks for the write lock (then it is \
                 refused at once)"
            }
            ErrorKind::BusySnapshot => {
                "another connection committed since this transaction read; waiting cannot help, \
                 start again"
            }
            ErrorKind::Locked => {
                "the conflict is inside this connection (or its shared cache); waiting cannot help"
            }
            ErrorKind::Other => "any other error SQLite reported",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ErrorKind::Busy => "SQLITE_BUSY",
            ErrorKind::BusySnapshot => "SQLITE_BUSY_SNAPSHOT",
            ErrorKind::Locked => "SQLITE_LOCKED",
            ErrorKind::Other => "other error",
        }
    }
}

/// What an error means and what helps, by SQLite's name.
pub fn explain(name: &str) -> &'static str {
    let corrupt = code_of(name).map(primary) == Some(SQLITE_CORRUPT);
    let kind = ErrorKind::of_name(name);
    if kind == ErrorKind::BusySnapshot {
        "SQLITE_BUSY_SNAPSHOT: in WAL mode, a transaction that had read wanted to write after \
         another connection committed: its snapshot is no longer the newest, so it can never \
         write. SQLite refuses at once, without its busy handler: roll back and start again, \
         or begin with BEGIN IMMEDIATE."
    } else if kind == ErrorKind::Busy {
        "SQLITE_BUSY (\"database is locked\"): another connection holds a lock this statement \
         needs. With busy_timeout, SQLite's busy handler sleeps and retries for that long, but \
         never for a transaction that has read and now asks to write (BEGIN DEFERRED): that \
         one is refused at once, whatever the timeout. Waiting \
         also fails when the holder keeps the lock longer than the timeout."
    } else if kind == ErrorKind::Locked {
        "SQLITE_LOCKED (\"database table is locked\"): the conflict is inside this connection, \
         such as DROP TABLE while another statement of the same connection is still reading; \
         with a shared cache, also another connection sharing that cache. busy_timeout does \
         not apply: finish or reset the statement first."
    } else if corrupt {
        "SQLITE_CORRUPT: the database file is damaged. Here that follows from broken locking: \
         two writers wrote at once."
    } else {
        "An error SQLite reported; its name is SQLite's result code."
    }
}

const PRIMARY: [&str; 29] = [
    "SQLITE_OK",
    "SQLITE_ERROR",
    "SQLITE_INTERNAL",
    "SQLITE_PERM",
    "SQLITE_ABORT",
    "SQLITE_BUSY",
    "SQLITE_LOCKED",
    "SQLITE_NOMEM",
    "SQLITE_READONLY",
    "SQLITE_INTERRUPT",
    "SQLITE_IOERR",
    "SQLITE_CORRUPT",
    "SQLITE_NOTFOUND",
    "SQLITE_FULL",
    "SQLITE_CANTOPEN",
    "SQLITE_PROTOCOL",
    "SQLITE_EMPTY",
    "SQLITE_SCHEMA",
    "SQLITE_TOOBIG",
    "SQLITE_CONSTRAINT",
    "SQLITE_MISMATCH",
    "SQLITE_MISUSE",
    "SQLITE_NOLFS",
    "SQLITE_AUTH",
    "SQLITE_FORMAT",
    "SQLITE_RANGE",
    "SQLITE_NOTADB",
    "SQLITE_NOTICE",
    "SQLITE_WARNING",
];

const fn ext(primary: i32, n: i32) -> i32 {
    primary | (n << 8)
}

const EXTENDED: &[(i32, &str)] = &[
    (ext(1, 1), "SQLITE_ERROR_MISSING_COLLSEQ"),
    (ext(1, 2), "SQLITE_ERROR_RETRY"),
    (ext(1, 3), "SQLITE_ERROR_SNAPSHOT"),
    (ext(5, 1), "SQLITE_BUSY_RECOVERY"),
    (ext(5, 2), "SQLITE_BUSY_SNAPSHOT"),
    (ext(5, 3), "SQLITE_BUSY_TIMEOUT"),
    (ext(6, 1), "SQLITE_LOCKED_SHAREDCACHE"),
    (ext(6, 2), "SQLITE_LOCKED_VTAB"),
    (ext(8, 1), "SQLITE_READONLY_RECOVERY"),
    (ext(8, 2), "SQLITE_READONLY_CANTLOCK"),
    (ext(8, 3), "SQLITE_READONLY_ROLLBACK"),
    (ext(8, 4), "SQLITE_READONLY_DBMOVED"),
    (ext(8, 5), "SQLITE_READONLY_CANTINIT"),
    (ext(8, 6), "SQLITE_READONLY_DIRECTORY"),
    (ext(10, 1), "SQLITE_IOERR_READ"),
    (ext(10, 2), "SQLITE_IOERR_SHORT_READ"),
    (ext(10, 3), "SQLITE_IOERR_WRITE"),
    (ext(10, 4), "SQLITE_IOERR_FSYNC"),
    (ext(10, 5), "SQLITE_IOERR_DIR_FSYNC"),
    (ext(10, 6), "SQLITE_IOERR_TRUNCATE"),
    (ext(10, 7), "SQLITE_IOERR_FSTAT"),
    (ext(10, 8), "SQLITE_IOERR_UNLOCK"),
    (ext(10, 9), "SQLITE_IOERR_RDLOCK"),
    (ext(10, 10), "SQLITE_IOERR_DELETE"),
    (ext(10, 11), "SQLITE_IOERR_BLOCKED"),
    (ext(10, 12), "SQLITE_IOERR_NOMEM"),
    (ext(10, 13), "SQLITE_IOERR_ACCESS"),
    (ext(10, 14), "SQLITE_IOERR_CHECKRESERVEDLOCK"),
    (ext(10, 15), "SQLITE_IOERR_LOCK"),
    (ext(10, 16), "SQLITE_IOERR_CLOSE"),
    (ext(10, 17), "SQLITE_IOERR_DIR_CLOSE"),
    (ext(10, 18), "SQLITE_IOERR_SHMOPEN"),
    (ext(10, 19), "SQLITE_IOERR_SHMSIZE"),
    (ext(10, 20), "SQLITE_IOERR_SHMLOCK"),
    (ext(10, 21), "SQLITE_IOERR_SHMMAP"),
    (ext(10, 22), "SQLITE_IOERR_SEEK"),
    (ext(10, 23), "SQLITE_IOERR_DELETE_NOENT"),
    (ext(10, 24), "SQLITE_IOERR_MMAP"),
    (ext(10, 25), "SQLITE_IOERR_GETTEMPPATH"),
    (ext(10, 26), "SQLITE_IOERR_CONVPATH"),
    (ext(10, 27), "SQLITE_IOERR_VNODE"),
    (ext(10, 28), "SQLITE_IOERR_AUTH"),
    (ext(10, 29), "SQLITE_IOERR_BEGIN_ATOMIC"),
    (ext(10, 30), "SQLITE_IOERR_COMMIT_ATOMIC"),
    (ext(10, 31), "SQLITE_IOERR_ROLLBACK_ATOMIC"),
    (ext(10, 32), "SQLITE_IOERR_DATA"),
    (ext(10, 33), "SQLITE_IOERR_CORRUPTFS"),
    (ext(10, 34), "SQLITE_IOERR_IN_PAGE"),
    (ext(11, 1), "SQLITE_CORRUPT_VTAB"),
    (ext(11, 2), "SQLITE_CORRUPT_SEQUENCE"),
    (ext(11, 3), "SQLITE_CORRUPT_INDEX"),
    (ext(14, 1), "SQLITE_CANTOPEN_NOTEMPDIR"),
    (ext(14, 2), "SQLITE_CANTOPEN_ISDIR"),
    (ext(14, 3), "SQLITE_CANTOPEN_FULLPATH"),
    (ext(14, 4), "SQLITE_CANTOPEN_CONVPATH"),
    (ext(14, 6), "SQLITE_CANTOPEN_SYMLINK"),
    (ext(4, 2), "SQLITE_ABORT_ROLLBACK"),
    (ext(19, 1), "SQLITE_CONSTRAINT_CHECK"),
    (ext(19, 2), "SQLITE_CONSTRAINT_COMMITHOOK"),
    (ext(19, 3), "SQLITE_CONSTRAINT_FOREIGNKEY"),
    (ext(19, 4), "SQLITE_CONSTRAINT_FUNCTION"),
    (ext(19, 5), "SQLITE_CONSTRAINT_NOTNULL"),
    (ext(19, 6), "SQLITE_CONSTRAINT_PRIMARYKEY"),
    (ext(19, 7), "SQLITE_CONSTRAINT_TRIGGER"),
    (ext(19, 8), "SQLITE_CONSTRAINT_UNIQUE"),
    (ext(19, 9), "SQLITE_CONSTRAINT_VTAB"),
    (ext(19, 10), "SQLITE_CONSTRAINT_ROWID"),
    (ext(19, 11), "SQLITE_CONSTRAINT_PINNED"),
    (ext(19, 12), "SQLITE_CONSTRAINT_DATATYPE"),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Every name `name` writes reads back as its code, and a name is
    /// classified as its code is.
    #[test]
    fn names_read_back_as_their_codes() {
        for code in [5, 6, 517, 261, 262, 10 | (4 << 8), 11, 0, 5 | (40 << 8)] {
            assert_eq!(code_of(&name(code)), Some(code), "{}", name(code));
            assert_eq!(ErrorKind::of_name(&name(code)), ErrorKind::of(code));
        }
        assert_eq!(code_of("no such name"), None);
        assert!(ErrorKind::of_name("SQLITE_BUSY_SNAPSHOT").is_busy());
        assert!(!ErrorKind::of_name("SQLITE_LOCKED").is_busy());
    }

    #[test]
    fn names_primary_and_extended_codes() {
        assert_eq!(name(5), "SQLITE_BUSY");
        assert_eq!(name(5 | (2 << 8)), "SQLITE_BUSY_SNAPSHOT");
        assert_eq!(name(6), "SQLITE_LOCKED");
        assert_eq!(name(10 | (4 << 8)), "SQLITE_IOERR_FSYNC");
        assert_eq!(name(10 | (99 << 8)), "SQLITE_IOERR(25354)");
        assert!(is_lock_error(5 | (3 << 8)));
        assert!(!is_lock_error(11));
    }
}
