//! The scenario format: what a run does, parsed once from JSON into a checked form.
//!
//! Every field is optional and has a documented default (docs/scenario.md). Parsing
//! rejects unknown fields and out-of-range values with an error that names the field,
//! the allowed values and the value given. Nothing downstream re-checks a field: a
//! `Scenario` is valid by construction.

use serde::Serialize;
use serde_json::{Map, Value};
use std::fmt;

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

impl JournalMode {
    /// The word `PRAGMA journal_mode` takes and returns.
    pub fn word(self) -> &'static str {
        match self {
            JournalMode::Delete => "delete",
            JournalMode::Truncate => "truncate",
            JournalMode::Persist => "persist",
            JournalMode::Wal => "wal",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Off,
    Normal,
    Full,
}

impl Synchronous {
    pub fn word(self) -> &'static str {
        match self {
            Synchronous::Off => "off",
            Synchronous::Normal => "normal",
            Synchronous::Full => "full",
        }
    }
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
}

impl Default for Scenario {
    fn default() -> Self {
        Scenario {
            name: "custom".to_string(),
            workers: 4,
            readers: 0,
            jobs: 200,
            transaction: TransactionStyle::Short,
            begin: BeginMode::Deferred,
            journal_mode: JournalMode::Delete,
            synchronous: Synchronous::Full,
            busy_timeout_ms: 0,
            work_ms: WorkMs { min: 2, max: 8 },
            heartbeat_ms: 0,
            claim_index: true,
            result_batch: 1,
            separate_results_db: false,
            reader_hold_ms: 50,
            retry_delay_ms: 5,
            time_limit_ms: 60_000,
            seed: 1,
            drop_table_while_reading: false,
            locking: LockingMode::Normal,
        }
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

/// The fields a scenario may have, in the order the documentation lists them.
pub const FIELDS: [&str; 20] = [
    "name",
    "workers",
    "readers",
    "jobs",
    "transaction",
    "begin",
    "journal_mode",
    "synchronous",
    "busy_timeout_ms",
    "work_ms",
    "heartbeat_ms",
    "claim_index",
    "result_batch",
    "separate_results_db",
    "reader_hold_ms",
    "retry_delay_ms",
    "time_limit_ms",
    "seed",
    "drop_table_while_reading",
    "locking",
];

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
        if let Some(unknown) = map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
            return Err(ScenarioError {
                field: unknown.clone(),
                allowed: format!("one of the known fields ({})", FIELDS.join(", ")),
                given: "an unknown field".to_string(),
            });
        }
        let d = Scenario::default();
        let f = Fields(map);
        Ok(Scenario {
            name: f.text("name", 1..=80)?.unwrap_or(d.name),
            workers: f.int("workers", 1, 16)?.unwrap_or(d.workers),
            readers: f.int("readers", 0, 8)?.unwrap_or(d.readers),
            jobs: f.int("jobs", 1, 1_000_000)?.unwrap_or(d.jobs),
            transaction: f
                .word(
                    "transaction",
                    &[
                        ("short", TransactionStyle::Short),
                        ("long", TransactionStyle::Long),
                    ],
                )?
                .unwrap_or(d.transaction),
            begin: f
                .word(
                    "begin",
                    &[
                        ("deferred", BeginMode::Deferred),
                        ("immediate", BeginMode::Immediate),
                        ("exclusive", BeginMode::Exclusive),
                    ],
                )?
                .unwrap_or(d.begin),
            journal_mode: f
                .word(
                    "journal_mode",
                    &[
                        ("delete", JournalMode::Delete),
                        ("truncate", JournalMode::Truncate),
                        ("persist", JournalMode::Persist),
                        ("wal", JournalMode::Wal),
                    ],
                )?
                .unwrap_or(d.journal_mode),
            synchronous: f
                .word(
                    "synchronous",
                    &[
                        ("off", Synchronous::Off),
                        ("normal", Synchronous::Normal),
                        ("full", Synchronous::Full),
                    ],
                )?
                .unwrap_or(d.synchronous),
            busy_timeout_ms: f
                .int("busy_timeout_ms", 0, 60_000)?
                .unwrap_or(d.busy_timeout_ms),
            work_ms: f.work_ms("work_ms", 0, 60_000)?.unwrap_or(d.work_ms),
            heartbeat_ms: f.int("heartbeat_ms", 0, 60_000)?.unwrap_or(d.heartbeat_ms),
            claim_index: f.flag("claim_index")?.unwrap_or(d.claim_index),
            result_batch: f.int("result_batch", 1, 1000)?.unwrap_or(d.result_batch),
            separate_results_db: f
                .flag("separate_results_db")?
                .unwrap_or(d.separate_results_db),
            reader_hold_ms: f
                .int("reader_hold_ms", 0, 60_000)?
                .unwrap_or(d.reader_hold_ms),
            retry_delay_ms: f
                .int("retry_delay_ms", 0, 10_000)?
                .unwrap_or(d.retry_delay_ms),
            time_limit_ms: f
                .int("time_limit_ms", 100, 3_600_000)?
                .unwrap_or(d.time_limit_ms),
            seed: f.seed("seed")?.unwrap_or(d.seed),
            drop_table_while_reading: f
                .flag("drop_table_while_reading")?
                .unwrap_or(d.drop_table_while_reading),
            locking: f
                .word(
                    "locking",
                    &[("normal", LockingMode::Normal), ("none", LockingMode::None)],
                )?
                .unwrap_or(d.locking),
        })
    }

    /// The scenario as JSON with every default filled in (what the run report shows).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// The raw fields of a scenario document, read one at a time with their rules.
struct Fields<'a>(&'a Map<String, Value>);

impl Fields<'_> {
    fn get(&self, field: &str) -> Option<&Value> {
        self.0.get(field).filter(|v| !v.is_null())
    }

    fn int(&self, field: &str, min: u32, max: u32) -> Result<Option<u32>, ScenarioError> {
        let Some(v) = self.get(field) else {
            return Ok(None);
        };
        int_in(field, v, min, max).map(Some)
    }

    fn seed(&self, field: &str) -> Result<Option<u64>, ScenarioError> {
        let Some(v) = self.get(field) else {
            return Ok(None);
        };
        v.as_u64().map(Some).ok_or_else(|| ScenarioError {
            field: field.to_string(),
            allowed: format!("a whole number from 0 to {}", u64::MAX),
            given: describe(v),
        })
    }

    fn flag(&self, field: &str) -> Result<Option<bool>, ScenarioError> {
        let Some(v) = self.get(field) else {
            return Ok(None);
        };
        v.as_bool().map(Some).ok_or_else(|| ScenarioError {
            field: field.to_string(),
            allowed: "true or false".to_string(),
            given: describe(v),
        })
    }

    fn text(
        &self,
        field: &str,
        chars: std::ops::RangeInclusive<usize>,
    ) -> Result<Option<String>, ScenarioError> {
        let Some(v) = self.get(field) else {
            return Ok(None);
        };
        match v.as_str() {
            Some(s) if chars.contains(&s.chars().count()) => Ok(Some(s.to_string())),
            _ => Err(ScenarioError {
                field: field.to_string(),
                allowed: format!("a text of {} to {} characters", chars.start(), chars.end()),
                given: describe(v),
            }),
        }
    }

    fn word<T: Copy>(&self, field: &str, words: &[(&str, T)]) -> Result<Option<T>, ScenarioError> {
        let Some(v) = self.get(field) else {
            return Ok(None);
        };
        let found = v
            .as_str()
            .and_then(|s| words.iter().find(|(w, _)| *w == s))
            .map(|(_, t)| *t);
        found.map(Some).ok_or_else(|| ScenarioError {
            field: field.to_string(),
            allowed: format!(
                "one of {}",
                words
                    .iter()
                    .map(|(w, _)| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            given: describe(v),
        })
    }

    fn work_ms(&self, field: &str, min: u32, max: u32) -> Result<Option<WorkMs>, ScenarioError> {
        let Some(v) = self.get(field) else {
            return Ok(None);
        };
        if let Value::Array(pair) = v {
            let bad = || ScenarioError {
                field: field.to_string(),
                allowed: format!("a number or [min, max] with {min} <= min <= max <= {max}"),
                given: describe(v),
            };
            let [lo, hi] = pair.as_slice() else {
                return Err(bad());
            };
            let lo = int_in(field, lo, min, max).map_err(|_| bad())?;
            let hi = int_in(field, hi, min, max).map_err(|_| bad())?;
            if lo > hi {
                return Err(bad());
            }
            return Ok(Some(WorkMs { min: lo, max: hi }));
        }
        let ms = int_in(field, v, min, max).map_err(|mut e| {
            e.allowed = format!("a number from {min} to {max} or [min, max]");
            e
        })?;
        Ok(Some(WorkMs { min: ms, max: ms }))
    }
}

fn int_in(field: &str, v: &Value, min: u32, max: u32) -> Result<u32, ScenarioError> {
    v.as_u64()
        .filter(|n| (u64::from(min)..=u64::from(max)).contains(n))
        .map(|n| n as u32)
        .ok_or_else(|| ScenarioError {
            field: field.to_string(),
            allowed: format!("a whole number from {min} to {max}"),
            given: describe(v),
        })
}

/// How a value reads in an error message: the JSON itself, cut short if long.
fn describe(v: &Value) -> String {
    let mut text = v.to_string();
    if text.len() > 60 {
        let cut = (0..=57)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push_str("...");
    }
    text
}
