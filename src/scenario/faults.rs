//! The `faults` field: workers that die during a run as a crash would, each at a
//! time and, if asked, only while it holds a given lock.
//!
//! Parsing lives here, beside the types, because a fault is checked against the
//! rest of the scenario (the worker ids that exist, the time limit). What a
//! killed worker does is the engine's business and what the host does after it
//! the host's; this module only says who dies, when and holding what.

use super::{describe, ScenarioError};
use crate::trace::WorkerId;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The lock a worker must hold for its fault to fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Holding {
    /// RESERVED or above on the queue database (rollback journal modes).
    Reserved,
    /// EXCLUSIVE on the queue database: in a transaction, only once SQLite spilled
    /// changed pages into the file (see `cache_pages`).
    Exclusive,
    /// WAL's write lock on the queue database.
    WalWrite,
}

impl Holding {
    pub const ALL: [Holding; 3] = [Holding::Reserved, Holding::Exclusive, Holding::WalWrite];

    pub fn word(self) -> &'static str {
        match self {
            Holding::Reserved => "reserved",
            Holding::Exclusive => "exclusive",
            Holding::WalWrite => "wal_write",
        }
    }
}

/// Kill worker `kill` at its first step boundary at or after `at_ms` of run time;
/// with `holding`, only at a boundary where it holds that lock with a job in hand
/// (a crash mid-job).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub kill: WorkerId,
    pub at_ms: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holding: Option<Holding>,
}

const KEYS: [&str; 3] = ["kill", "at_ms", "holding"];

/// The faults of a scenario with `workers` ids (writers then readers) and a time
/// limit of `time_limit_ms`. `value` is the field as written; absent means none.
pub(super) fn parse(
    value: Option<&Value>,
    max_items: usize,
    workers: u32,
    time_limit_ms: u32,
) -> Result<Vec<Fault>, ScenarioError> {
    let Some(value) = value else {
        return Ok(Vec::new());
    };
    let error = |field: String, allowed: String, given: &Value| ScenarioError {
        field,
        allowed,
        given: describe(given),
    };
    let Value::Array(items) = value else {
        return Err(error(
            "faults".into(),
            format!(
                "a list of at most {max_items} faults such as [{{\"kill\": 1, \"at_ms\": 300}}]"
            ),
            value,
        ));
    };
    if items.len() > max_items {
        return Err(ScenarioError {
            field: "faults".into(),
            allowed: format!("a list of at most {max_items} faults"),
            given: format!("{} faults", items.len()),
        });
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = |key: &str| format!("faults[{i}].{key}");
            let Value::Object(fault) = item else {
                return Err(error(
                    format!("faults[{i}]"),
                    "an object with \"kill\", \"at_ms\" and optionally \"holding\"".into(),
                    item,
                ));
            };
            if let Some(unknown) = fault.keys().find(|k| !KEYS.contains(&k.as_str())) {
                return Err(ScenarioError {
                    field: at(unknown),
                    allowed: format!("one of the keys of a fault ({})", KEYS.join(", ")),
                    given: "an unknown key".into(),
                });
            }
            let kill = number(fault, "kill", &at("kill"), 0, workers.saturating_sub(1)).map_err(
                |mut e| {
                    e.allowed = format!("{} (a worker id: writers, then readers)", e.allowed);
                    e
                },
            )?;
            let at_ms =
                number(fault, "at_ms", &at("at_ms"), 0, time_limit_ms).map_err(|mut e| {
                    e.allowed = format!("{} (at most time_limit_ms)", e.allowed);
                    e
                })?;
            let holding = match fault.get("holding") {
                None => None,
                Some(v) => Some(
                    v.as_str()
                        .and_then(|s| Holding::ALL.into_iter().find(|h| h.word() == s))
                        .ok_or_else(|| {
                            error(
                                at("holding"),
                                "one of \"reserved\", \"exclusive\", \"wal_write\"".into(),
                                v,
                            )
                        })?,
                ),
            };
            Ok(Fault {
                kill,
                at_ms,
                holding,
            })
        })
        .collect()
}

fn number(
    fault: &Map<String, Value>,
    key: &str,
    field: &str,
    min: u32,
    max: u32,
) -> Result<u32, ScenarioError> {
    match fault.get(key) {
        Some(v) => super::int_in(field, v, min, max),
        None => Err(ScenarioError {
            field: field.to_string(),
            allowed: format!("a whole number from {min} to {max}"),
            given: "nothing (it is required)".into(),
        }),
    }
}
