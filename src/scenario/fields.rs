//! Every scenario field in one table: its name, how it is edited, its default, its
//! range and one line of help.
//!
//! The parser takes its ranges and defaults from here (so `Scenario::default()` is
//! the parse of `{}`), the page's scenario panel its controls, placeholders and
//! help, and a test checks that docs/scenario.md names every field. What a field
//! does lives in the engine; this table must never hold behaviour, only what a
//! user may write and what they are told about it.

/// How a field is written, with its range and default.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Edit {
    /// A text of `min` to `max` characters.
    Text {
        min: usize,
        max: usize,
        default: &'static str,
    },
    /// A whole number from `min` to `max`.
    Number {
        min: u32,
        max: u32,
        default: u32,
    },
    /// A whole number, or a `[min, max]` pair of them, within `min` to `max`.
    Range {
        min: u32,
        max: u32,
        default: (u32, u32),
    },
    /// Any whole number from 0 to 2^64 - 1.
    Seed {
        default: u64,
    },
    Flag {
        default: bool,
    },
    /// One of `words`.
    Choice {
        words: &'static [&'static str],
        default: &'static str,
    },
    /// A list of at most `max_items` objects (written as JSON); empty by default.
    List {
        max_items: usize,
    },
}

/// One field of the scenario format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Field {
    pub name: &'static str,
    pub edit: Edit,
    /// One line: what the field changes.
    pub help: &'static str,
}

/// The fields, in the order docs/scenario.md and the page list them.
pub const FIELDS: &[Field] = &[
    Field {
        name: "name",
        edit: Edit::Text { min: 1, max: 80, default: "custom" },
        help: "A label for the run.",
    },
    Field {
        name: "workers",
        edit: Edit::Number { min: 1, max: 16, default: 4 },
        help: "Job-queue workers, each with its own connection: claim, work, heartbeat, write the result.",
    },
    Field {
        name: "readers",
        edit: Edit::Number { min: 0, max: 8, default: 0 },
        help: "Dashboard workers that read the queue's counts in read transactions held for reader_hold_ms.",
    },
    Field {
        name: "jobs",
        edit: Edit::Number { min: 1, max: 1_000_000, default: 200 },
        help: "Jobs seeded as QUEUED before the run.",
    },
    Field {
        name: "transaction",
        edit: Edit::Choice { words: &["short", "long"], default: "short" },
        help: "Long: claim, work and result in one transaction, holding the write lock from the claim (from BEGIN with IMMEDIATE) to COMMIT.",
    },
    Field {
        name: "begin",
        edit: Edit::Choice { words: &["deferred", "immediate", "exclusive"], default: "deferred" },
        help: "DEFERRED takes the write lock at the first write; a read-to-write upgrade that finds it taken fails at once, whatever busy_timeout says.",
    },
    Field {
        name: "journal_mode",
        edit: Edit::Choice { words: &["delete", "truncate", "persist", "wal"], default: "delete" },
        help: "WAL lets readers go on while a writer commits; in the rollback modes a commit waits for the readers, and new reads wait for the commit.",
    },
    Field {
        name: "synchronous",
        edit: Edit::Choice { words: &["off", "normal", "full"], default: "full" },
        help: "How often SQLite waits for storage.",
    },
    Field {
        name: "busy_timeout_ms",
        edit: Edit::Number { min: 0, max: 60_000, default: 0 },
        help: "How long SQLite's busy handler waits for a lock before SQLITE_BUSY.",
    },
    Field {
        name: "work_ms",
        edit: Edit::Range { min: 0, max: 60_000, default: (2, 8) },
        help: "Simulated work per job: a number, or min,max to draw from.",
    },
    Field {
        name: "heartbeat_ms",
        edit: Edit::Number { min: 0, max: 60_000, default: 0 },
        help: "A heartbeat write every this many ms of work; 0: none.",
    },
    Field {
        name: "claim_index",
        edit: Edit::Flag { default: true },
        help: "An index on (queue, status, created_at); without it claims scan the table.",
    },
    Field {
        name: "result_batch",
        edit: Edit::Number { min: 1, max: 1000, default: 1 },
        help: "Results committed per transaction.",
    },
    Field {
        name: "separate_results_db",
        edit: Edit::Flag { default: false },
        help: "Write results into a second database.",
    },
    Field {
        name: "reader_hold_ms",
        edit: Edit::Number { min: 0, max: 60_000, default: 50 },
        help: "How long a reader holds its read transaction.",
    },
    Field {
        name: "retry_delay_ms",
        edit: Edit::Number { min: 0, max: 10_000, default: 5 },
        help: "Pause after a failed step before retrying it.",
    },
    Field {
        name: "time_limit_ms",
        edit: Edit::Number { min: 100, max: 3_600_000, default: 60_000 },
        help: "The run stops when this much time has passed.",
    },
    Field {
        name: "seed",
        edit: Edit::Seed { default: 1 },
        help: "Seeds the work-time draws: the same seed, the same run.",
    },
    Field {
        name: "drop_table_while_reading",
        edit: Edit::Flag { default: false },
        help: "A real mistake that gives SQLITE_LOCKED: dropping a table while a SELECT still runs.",
    },
    Field {
        name: "locking",
        edit: Edit::Choice { words: &["normal", "none"], default: "normal" },
        help: "None grants every lock, as a broken network filesystem does: double claims, corruption.",
    },
    Field {
        name: "stale_after_ms",
        edit: Edit::Number { min: 0, max: 3_600_000, default: 0 },
        help: "A claim also takes a RUNNING job whose heartbeat is older than this; 0: never.",
    },
    Field {
        name: "cache_pages",
        edit: Edit::Number { min: 0, max: 1_000_000, default: 0 },
        help: "PRAGMA cache_size in pages (0: SQLite's default); a small cache spills a long write early.",
    },
    Field {
        name: "claim_select",
        edit: Edit::Choice { words: &["inside", "outside"], default: "inside" },
        help: "Where a claim's SELECT runs: inside its write transaction, or before it (another worker may claim the job in between).",
    },
    Field {
        name: "claim_cas",
        edit: Edit::Flag { default: true },
        help: "The claim's UPDATE repeats AND status = 'QUEUED', so it changes no row when another worker claimed the job first.",
    },
    Field {
        name: "processes",
        edit: Edit::Number { min: 0, max: 16, default: 0 },
        help: "Workers grouped into this many processes, each with one interpreter lock (as Ruby's GVL) that a worker holds while it runs a statement; 0: none.",
    },
    Field {
        name: "busy_handler",
        edit: Edit::Choice { words: &["sqlite", "yielding"], default: "sqlite" },
        help: "sqlite: SQLite's own, which sleeps holding the interpreter lock; yielding: sleeps 1 ms at a time with it released (sqlite3-ruby's busy_handler_timeout=).",
    },
    Field {
        name: "shm",
        edit: Edit::Flag { default: true },
        help: "The VFS offers shared memory for WAL's index; off, SQLite cannot use WAL across connections and PRAGMA journal_mode = wal answers the mode it had.",
    },
    Field {
        name: "tasks_per_connection",
        edit: Edit::Number { min: 1, max: 8, default: 1 },
        help: "Job loops sharing each writer's one connection, a statement at a time, as a thread pool or async tasks sharing a connection do.",
    },
    Field {
        name: "serialize_tasks",
        edit: Edit::Flag { default: false },
        help: "The tasks of a connection take turns with it, a whole transaction at a time (a lock around the connection).",
    },
    Field {
        name: "archive_every",
        edit: Edit::Number { min: 0, max: 1000, default: 0 },
        help: "Every this many jobs, a task drops and rebuilds its worker's archive table: DDL that SQLite refuses with SQLITE_LOCKED while another task's cursor on the connection is open.",
    },
    Field {
        name: "faults",
        edit: Edit::List { max_items: 16 },
        help: "Workers to kill as a crash would: [{\"kill\": 1, \"at_ms\": 300, \"holding\": \"wal_write\"}].",
    },
];

/// The field of this name.
pub fn field(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

impl Field {
    /// The default as a user would write it in the panel ("4", "2,8", "on").
    pub fn default_shown(&self) -> String {
        match self.edit {
            Edit::Text { default, .. } | Edit::Choice { default, .. } => default.to_string(),
            Edit::Number { default, .. } => thousands(u64::from(default)),
            Edit::Range {
                default: (lo, hi), ..
            } if lo == hi => thousands(u64::from(lo)),
            Edit::Range {
                default: (lo, hi), ..
            } => format!("{lo},{hi}"),
            Edit::Seed { default } => default.to_string(),
            Edit::Flag { default } => if default { "on" } else { "off" }.to_string(),
            Edit::List { .. } => "none".to_string(),
        }
    }

    /// The range a number may take ("1-16"), or how much a list may hold.
    pub fn range_shown(&self) -> Option<String> {
        match self.edit {
            Edit::Number { min, max, .. } | Edit::Range { min, max, .. } => Some(format!(
                "{}-{}",
                thousands(u64::from(min)),
                thousands(u64::from(max))
            )),
            Edit::Text { min, max, .. } => Some(format!("{min}-{max} characters")),
            Edit::List { max_items } => Some(format!("at most {max_items}")),
            Edit::Seed { .. } | Edit::Flag { .. } | Edit::Choice { .. } => None,
        }
    }
}

/// 1000000 as "1,000,000".
/// `n` with commas between thousands: 1,000,000.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_defaults_read_as_written() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(
                FIELDS[i + 1..].iter().all(|g| g.name != f.name),
                "{} twice",
                f.name
            );
        }
        assert_eq!(field("jobs").unwrap().range_shown().unwrap(), "1-1,000,000");
        assert_eq!(field("work_ms").unwrap().default_shown(), "2,8");
        assert_eq!(field("claim_index").unwrap().default_shown(), "on");
        assert_eq!(field("time_limit_ms").unwrap().default_shown(), "60,000");
    }

    /// docs/scenario.md has a row for every field of the table, and no other.
    #[test]
    fn docs_scenario_md_describes_every_field() {
        let doc = include_str!("../../docs/scenario.md");
        for f in FIELDS {
            assert!(
                doc.contains(&format!("| `{}` |", f.name)),
                "docs/scenario.md has no row for `{}`",
                f.name
            );
        }
        let rows = doc
            .lines()
            .filter(|l| l.starts_with("| `") && l.contains("` |"))
            .count();
        assert_eq!(rows, FIELDS.len(), "docs/scenario.md rows vs the table");
    }
}
