//! The scenario format: what a run does, parsed once from JSON into a checked form.
//!
//! Every field is optional and has a documented default (docs/scenario.md); the
//! fields, their ranges, defaults and help are one table (`fields`). Parsing rejects
//! unknown fields, `null` and out-of-range values with an error that names the
//! field, the allowed values and the value given. Nothing downstream re-checks a
//! field: a `Scenario` is valid by construction.

pub mod compact;
mod faults;
pub mod fields;
pub mod presets;
pub(crate) mod read;
mod wire;
pub mod workload;

pub use faults::{Fault, Faults, Holding, PowerCut};
pub use fields::{Edit, Field, FIELDS};

use read::Fields;
pub(crate) use read::{describe, int_in};
use serde::Serialize;
use serde_json::Value;
use std::fmt;

/// A choice field's values and the words that name them (the same words as the
/// field's `Edit::Choice` in the table; a test keeps the two in step).
pub trait Word: Copy + 'static {
    const ALL: &'static [Self];
    fn word(self) -> &'static str;
}

/// For each choice: its values and the words that name them, as an inherent
/// `word()` and as [`Word`].
macro_rules! words {
    ($ty:ident { $($variant:ident => $word:literal),* $(,)? }) => {
        impl $ty {
            /// The word a scenario writes for this value (for the journal mode,
            /// also what `PRAGMA journal_mode` takes and returns).
            pub fn word(self) -> &'static str {
                match self {
                    $($ty::$variant => $word),*
                }
            }
        }
        impl Word for $ty {
            const ALL: &'static [Self] = &[$($ty::$variant),*];
            fn word(self) -> &'static str {
                $ty::word(self)
            }
        }
    };
}

words!(TransactionStyle { Short => "short", Long => "long" });
words!(BeginMode { Deferred => "deferred", Immediate => "immediate", Exclusive => "exclusive" });
words!(JournalMode { Delete => "delete", Truncate => "truncate", Persist => "persist", Wal => "wal" });
words!(Synchronous { Off => "off", Normal => "normal", Full => "full" });
words!(LockingMode { Normal => "normal", None => "none" });
words!(ClaimSelect { Inside => "inside", Outside => "outside" });
words!(BusyHandler { Sqlite => "sqlite", Yielding => "yielding" });

/// Whether a job runs in several short transactions or one long one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TransactionStyle {
    /// Claim and commit; work outside any transaction; heartbeat and write the result
    /// in transactions of their own.
    Short,
    /// Claim, work, heartbeats and the result write all inside one transaction.
    Long,
}

/// How each transaction begins.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BeginMode {
    Deferred,
    Immediate,
    Exclusive,
}

impl BeginMode {
    pub fn sql(self) -> &'static str {
        match self {
            BeginMode::Deferred => "BEGIN DEFERRED",
            BeginMode::Immediate => "BEGIN IMMEDIATE",
            BeginMode::Exclusive => "BEGIN EXCLUSIVE",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum JournalMode {
    Delete,
    Truncate,
    Persist,
    Wal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Off,
    Normal,
    Full,
}

/// Whether the VFS enforces locks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LockingMode {
    Normal,
    /// Every lock is granted, as on a network filesystem with broken locking: the
    /// lesson of double claims and damage. Needs the shared VFS.
    None,
}

/// Where a claim's SELECT of the oldest QUEUED job runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ClaimSelect {
    /// In the claim's write transaction, with its UPDATE.
    Inside,
    /// On its own, before the claim's transaction begins: another worker may
    /// claim the job in between.
    Outside,
}

/// Which busy handler waits for a lock on the workers' connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BusyHandler {
    /// SQLite's own (`PRAGMA busy_timeout`): it sleeps inside the statement, so
    /// a worker keeps its process's interpreter lock while it sleeps.
    Sqlite,
    /// A handler of the worker's own, as sqlite3-ruby's `busy_handler_timeout=`:
    /// it sleeps 1 ms at a time with the interpreter lock released, and gives
    /// up once `busy_timeout_ms` has passed since the first refusal.
    Yielding,
}

/// Simulated processing per job, in milliseconds: fixed, or drawn uniformly from a range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WorkMs {
    pub min: u32,
    pub max: u32,
}

impl Serialize for WorkMs {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if self.min == self.max {
            s.serialize_u32(self.min)
        } else {
            [self.min, self.max].serialize(s)
        }
    }
}

/// A checked scenario. Build it with [`Scenario::from_json`] or [`Scenario::from_value`].
///
/// Only the page's messages to its workers carry it as it is (as bytes, `wire`),
/// already checked where it was made and whole; a scenario from anyone else
/// goes through `from_value`, which checks every field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Scenario {
    pub name: String,
    pub workers: u32,
    pub readers: u32,
    pub jobs: u32,
    pub transaction: TransactionStyle,
    pub begin: BeginMode,
    pub journal_mode: JournalMode,
    pub synchronous: Synchronous,
    pub busy_timeout_ms: u32,
    pub work_ms: WorkMs,
    pub heartbeat_ms: u32,
    pub claim_index: bool,
    pub result_batch: u32,
    pub separate_results_db: bool,
    pub reader_hold_ms: u32,
    pub retry_delay_ms: u32,
    pub time_limit_ms: u32,
    pub seed: u64,
    pub drop_table_while_reading: bool,
    pub locking: LockingMode,
    /// A claim also takes a RUNNING job whose heartbeat is older than this; 0: never.
    pub stale_after_ms: u32,
    /// `PRAGMA cache_size` in pages on the workers' connections; 0: SQLite's default.
    pub cache_pages: u32,
    /// Where the claim's SELECT runs (outside needs short transactions).
    pub claim_select: ClaimSelect,
    /// The claim's UPDATE repeats `AND status = 'QUEUED'` (a compare-and-swap).
    pub claim_cas: bool,
    /// Processes the workers are grouped into (worker `w` in process
    /// `w % processes`), each with one interpreter lock; 0: none.
    pub processes: u32,
    pub busy_handler: BusyHandler,
    /// The VFS offers shared memory for WAL's index (xShmMap); without it
    /// `PRAGMA journal_mode = wal` does not take.
    pub shm: bool,
    /// Job loops interleaved on each writer's one connection, a statement at a
    /// time, as tasks sharing a connection are; 1: one loop per connection.
    pub tasks_per_connection: u32,
    /// The tasks of a connection take turns with it, one whole transaction at a
    /// time (a lock around the connection).
    pub serialize_tasks: bool,
    /// Every this many jobs a task finishes, it rebuilds its worker's archive
    /// table (DROP TABLE, then CREATE TABLE AS SELECT); 0: never.
    pub archive_every: u32,
    /// Workers killed during the run, as a crash would kill them, and a power cut.
    pub faults: Faults,
    /// A workload of one's own instead of the job queue (docs/workload.md).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload: Option<Box<workload::Workload>>,
}

impl Default for Scenario {
    /// Every field at its default: the parse of `{}` (the defaults live in
    /// [`FIELDS`], and a test parses `{}`).
    fn default() -> Self {
        Scenario::from_value(&Value::Object(Default::default()))
            .expect("the defaults of the field table are valid")
    }
}
/// A scenario that cannot run, and why: the field, what it allows, what it was given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The offending field, or "" when the document as a whole is wrong.
    pub field: String,
    pub allowed: String,
    pub given: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.field.is_empty() {
            write!(f, "scenario: expected {}, got {}", self.allowed, self.given)
        } else {
            write!(
                f,
                "scenario field `{}`: expected {}, got {}",
                self.field, self.allowed, self.given
            )
        }
    }
}

impl std::error::Error for ScenarioError {}

impl Scenario {
    pub fn from_json(text: &str) -> Result<Scenario, ScenarioError> {
        let value: Value = serde_json::from_str(text).map_err(|e| ScenarioError {
            field: String::new(),
            allowed: "a JSON object".to_string(),
            given: format!("invalid JSON ({e})"),
        })?;
        Scenario::from_value(&value)
    }

    pub fn from_value(value: &Value) -> Result<Scenario, ScenarioError> {
        let Value::Object(map) = value else {
            return Err(ScenarioError {
                field: String::new(),
                allowed: "a JSON object".to_string(),
                given: describe(value),
            });
        };
        if workload::is_workload(map) {
            return Scenario::of_workload(map);
        }
        if let Some(unknown) = map.keys().find(|k| fields::field(k).is_none()) {
            let known: Vec<&str> = FIELDS.iter().map(|f| f.name).collect();
            return Err(ScenarioError {
                field: unknown.clone(),
                allowed: format!("one of the known fields ({})", known.join(", ")),
                given: "an unknown field".to_string(),
            });
        }
        let f = Fields(map);
        let mut s = Scenario {
            name: f.text("name")?,
            workers: f.number("workers")?,
            readers: f.number("readers")?,
            jobs: f.number("jobs")?,
            transaction: f.choice("transaction")?,
            begin: f.choice("begin")?,
            journal_mode: f.choice("journal_mode")?,
            synchronous: f.choice("synchronous")?,
            busy_timeout_ms: f.number("busy_timeout_ms")?,
            work_ms: f.range("work_ms")?,
            heartbeat_ms: f.number("heartbeat_ms")?,
            claim_index: f.flag("claim_index")?,
            result_batch: f.number("result_batch")?,
            separate_results_db: f.flag("separate_results_db")?,
            reader_hold_ms: f.number("reader_hold_ms")?,
            retry_delay_ms: f.number("retry_delay_ms")?,
            time_limit_ms: f.number("time_limit_ms")?,
            seed: f.seed("seed")?,
            drop_table_while_reading: f.flag("drop_table_while_reading")?,
            locking: f.choice("locking")?,
            stale_after_ms: f.number("stale_after_ms")?,
            cache_pages: f.number("cache_pages")?,
            claim_select: f.choice("claim_select")?,
            claim_cas: f.flag("claim_cas")?,
            processes: f.number("processes")?,
            busy_handler: f.choice("busy_handler")?,
            shm: f.flag("shm")?,
            tasks_per_connection: f.number("tasks_per_connection")?,
            serialize_tasks: f.flag("serialize_tasks")?,
            archive_every: f.number("archive_every")?,
            faults: Faults::default(),
            workload: None,
        };
        if s.processes > s.all_workers() {
            return Err(ScenarioError {
                field: "processes".to_string(),
                allowed: format!(
                    "at most workers + readers ({}): each process holds at least one worker",
                    s.all_workers()
                ),
                given: s.processes.to_string(),
            });
        }
        if s.tasks_per_connection > 1 && s.transaction == TransactionStyle::Long {
            return Err(ScenarioError {
                field: "tasks_per_connection".to_string(),
                allowed: "1 when transaction is long (the tasks' loops are the short \
                          style's)"
                    .to_string(),
                given: s.tasks_per_connection.to_string(),
            });
        }
        if s.archive_every > 0 && s.transaction == TransactionStyle::Long {
            return Err(ScenarioError {
                field: "archive_every".to_string(),
                allowed: "0 when transaction is long (the archive is the tasks' loop's, \
                          the short style's)"
                    .to_string(),
                given: s.archive_every.to_string(),
            });
        }
        if s.claim_select == ClaimSelect::Outside && s.transaction == TransactionStyle::Long {
            return Err(ScenarioError {
                field: "claim_select".to_string(),
                allowed: "inside when transaction is long (a long transaction is open \
                          before every claim)"
                    .to_string(),
                given: "outside".to_string(),
            });
        }
        // Faults name workers and times, so they are read against the rest.
        s.faults = faults::parse(
            f.get("faults")?,
            f.max_items("faults"),
            s.workers + s.readers,
            s.time_limit_ms,
        )?;
        Ok(s)
    }

    /// A workload document: its own fields, and the scenario's that it shares
    /// (the job queue's are refused), its workers counted from its roles.
    fn of_workload(map: &serde_json::Map<String, Value>) -> Result<Scenario, ScenarioError> {
        let w = workload::parse(map)?;
        let (writers, readers) = w.writers_and_readers();
        // The job queue's limits on workers and readers, said of the roles.
        for (count, field, which) in [
            (writers, "workers", "roles without while_others_run"),
            (readers, "readers", "roles with while_others_run"),
        ] {
            if let Some(Edit::Number { min, max, .. }) = fields::field(field).map(|f| f.edit) {
                if count > max || count < min {
                    return Err(ScenarioError {
                        field: "roles".to_string(),
                        allowed: format!("{min} to {max} workers in all {which}"),
                        given: count.to_string(),
                    });
                }
            }
        }
        let mut shared: serde_json::Map<String, Value> = map
            .iter()
            .filter(|(k, _)| workload::SHARED_FIELDS.contains(&k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        shared.insert("workers".into(), writers.into());
        shared.insert("readers".into(), readers.into());
        shared.remove("jobs");
        let mut s = Scenario::from_value(&Value::Object(shared))?;
        s.jobs = 0;
        s.workload = Some(Box::new(w));
        Ok(s)
    }

    /// The scenario as JSON with every default filled in (what the run report
    /// shows); a workload as a workload document, which reads back as itself.
    ///
    /// Written field by field rather than through the derived `Serialize` (what
    /// a test compares it with): serde's writer into a `Value` was 10.8 KB of the
    /// page's wasm for this one struct.
    pub fn to_value(&self) -> Value {
        let fields: [(&str, Value); 31] = [
            ("name", self.name.as_str().into()),
            ("workers", self.workers.into()),
            ("readers", self.readers.into()),
            ("jobs", self.jobs.into()),
            ("transaction", self.transaction.word().into()),
            ("begin", self.begin.word().into()),
            ("journal_mode", self.journal_mode.word().into()),
            ("synchronous", self.synchronous.word().into()),
            ("busy_timeout_ms", self.busy_timeout_ms.into()),
            (
                "work_ms",
                serde_json::to_value(self.work_ms).unwrap_or(Value::Null),
            ),
            ("heartbeat_ms", self.heartbeat_ms.into()),
            ("claim_index", self.claim_index.into()),
            ("result_batch", self.result_batch.into()),
            ("separate_results_db", self.separate_results_db.into()),
            ("reader_hold_ms", self.reader_hold_ms.into()),
            ("retry_delay_ms", self.retry_delay_ms.into()),
            ("time_limit_ms", self.time_limit_ms.into()),
            ("seed", self.seed.into()),
            (
                "drop_table_while_reading",
                self.drop_table_while_reading.into(),
            ),
            ("locking", self.locking.word().into()),
            ("stale_after_ms", self.stale_after_ms.into()),
            ("cache_pages", self.cache_pages.into()),
            ("claim_select", self.claim_select.word().into()),
            ("claim_cas", self.claim_cas.into()),
            ("processes", self.processes.into()),
            ("busy_handler", self.busy_handler.word().into()),
            ("shm", self.shm.into()),
            ("tasks_per_connection", self.tasks_per_connection.into()),
            ("serialize_tasks", self.serialize_tasks.into()),
            ("archive_every", self.archive_every.into()),
            (
                "faults",
                serde_json::to_value(&self.faults).unwrap_or(Value::Null),
            ),
        ];
        let mut map: serde_json::Map<String, Value> = fields
            .into_iter()
            .filter(|(k, _)| self.workload.is_none() || workload::SHARED_FIELDS.contains(k))
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        if let Some(Value::Object(own)) = self.workload.as_deref().map(workload::document) {
            map.extend(own);
        }
        Value::Object(map)
    }

    /// How many workers the run has: writers, then readers (their ids in that order).
    pub fn all_workers(&self) -> u32 {
        self.workers + self.readers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_of(field: &str) -> Vec<&'static str> {
        match fields::field(field).map(|f| f.edit) {
            Some(Edit::Choice { words, .. }) => words.to_vec(),
            other => panic!("{field} is not a choice: {other:?}"),
        }
    }

    fn all_words<T: Word>() -> Vec<&'static str> {
        T::ALL.iter().map(|t| t.word()).collect()
    }

    /// The table's words and the enums' words are the same lists.
    #[test]
    fn every_choice_of_the_table_names_a_value() {
        assert_eq!(words_of("transaction"), all_words::<TransactionStyle>());
        assert_eq!(words_of("begin"), all_words::<BeginMode>());
        assert_eq!(words_of("journal_mode"), all_words::<JournalMode>());
        assert_eq!(words_of("synchronous"), all_words::<Synchronous>());
        assert_eq!(words_of("locking"), all_words::<LockingMode>());
        assert_eq!(words_of("claim_select"), all_words::<ClaimSelect>());
        assert_eq!(words_of("busy_handler"), all_words::<BusyHandler>());
    }

    /// `to_value` writes what serde's derived writer writes, for the job queue
    /// with every field away from its default and for a workload.
    #[test]
    fn to_value_is_the_derived_serialization() {
        let derived = |s: &Scenario| {
            let mut v = serde_json::to_value(s).unwrap();
            if let (Some(w), Value::Object(map)) = (&s.workload, &mut v) {
                map.retain(|k, _| workload::SHARED_FIELDS.contains(&k.as_str()));
                if let Value::Object(own) = workload::document(w) {
                    map.extend(own);
                }
            }
            v
        };
        let busy = Scenario::from_value(&serde_json::json!({"name": "x", "workers": 3,
            "readers": 1, "jobs": 77, "transaction": "short", "begin": "immediate",
            "journal_mode": "wal", "synchronous": "full", "busy_timeout_ms": 9,
            "work_ms": [1, 4], "heartbeat_ms": 7, "claim_index": false, "result_batch": 3,
            "separate_results_db": true, "reader_hold_ms": 5, "retry_delay_ms": 2,
            "time_limit_ms": 60000, "seed": 18446744073709551615u64,
            "drop_table_while_reading": true, "locking": "none", "stale_after_ms": 100,
            "cache_pages": 50, "claim_select": "outside", "claim_cas": true, "processes": 2,
            "busy_handler": "yielding", "shm": false, "tasks_per_connection": 2,
            "serialize_tasks": true, "archive_every": 5,
            "faults": [{"kill": 1, "at_ms": 10}]}))
        .unwrap();
        let one_ms = Scenario::from_value(&serde_json::json!({"work_ms": 3})).unwrap();
        let (_, outbox) = workload::gallery::find("outbox").unwrap();
        let workload = Scenario::from_value(&outbox).unwrap();
        assert!(workload.workload.is_some());
        for s in [Scenario::default(), busy, one_ms, workload] {
            assert_eq!(s.to_value(), derived(&s), "{}", s.name);
        }
    }

    #[test]
    fn processes_hold_at_least_a_worker_each() {
        let err =
            Scenario::from_value(&serde_json::json!({"workers": 2, "processes": 3})).unwrap_err();
        assert_eq!(err.field, "processes");
        assert!(
            err.allowed.contains("at most workers + readers (2)"),
            "{err}"
        );
        assert!(Scenario::from_value(&serde_json::json!({"workers": 3, "processes": 1})).is_ok());
    }

    #[test]
    fn a_select_outside_needs_short_transactions() {
        let err = Scenario::from_value(
            &serde_json::json!({"claim_select": "outside", "transaction": "long"}),
        )
        .unwrap_err();
        assert_eq!(err.field, "claim_select");
        assert!(err.allowed.contains("transaction is long"), "{err}");
        let ok = Scenario::from_value(&serde_json::json!({"claim_select": "outside"})).unwrap();
        assert_eq!(ok.claim_select, ClaimSelect::Outside);
    }

    #[test]
    fn the_filled_scenario_reads_back_as_itself() {
        let s = Scenario::from_value(&serde_json::json!({"workers": 3, "readers": 1,
            "faults": [{"kill": 3, "at_ms": 10}, {"kill": 0, "at_ms": 0, "holding": "wal_write"}],
            "stale_after_ms": 200, "cache_pages": 2, "work_ms": [1, 4]}))
        .unwrap();
        assert_eq!(Scenario::from_value(&s.to_value()).unwrap(), s);
    }

    /// The page's messages carry a checked scenario as bytes, and the worker
    /// reads it back as the same scenario without checking it again.
    #[test]
    fn a_checked_scenario_crosses_a_message_unchanged() {
        use crate::wire::{to_bytes, Reader};
        let mut all: Vec<Scenario> = presets::all()
            .iter()
            .map(|p| p.scenario().unwrap())
            .collect();
        for value in [
            serde_json::json!({}),
            serde_json::json!({"workers": 3, "readers": 1, "work_ms": [1, 4], "seed": u64::MAX,
                "faults": [{"kill": 3, "at_ms": 10}, {"kill": 0, "at_ms": 0, "holding": "wal_write"},
                           {"power_cut": true, "at_ms": 40}]}),
        ] {
            all.push(Scenario::from_value(&value).unwrap());
        }
        for name in workload::gallery::names() {
            let (_, doc) = workload::gallery::find(name).unwrap();
            all.push(Scenario::from_value(&doc).unwrap());
        }
        for s in all {
            let bytes = to_bytes(&s);
            assert_eq!(Reader::whole::<Scenario>(&bytes).unwrap(), s);
            assert!(
                Reader::whole::<Scenario>(&bytes[..bytes.len() - 1]).is_err(),
                "a message carries a whole scenario"
            );
        }
    }
}
