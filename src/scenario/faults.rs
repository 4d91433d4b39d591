//! The `faults` field: workers that die during a run as a crash would, each at a
//! time and, if asked, only while it holds a given lock; and a power cut, which
//! stops every worker at once and loses every write not yet synced.
//!
//! Parsing lives here, beside the types, because a fault is checked against the
//! rest of the scenario (the worker ids that exist, the time limit). What a
//! killed worker does is the engine's business and what the host does after it
//! the host's; this module only says who dies, when and holding what.

use super::{describe, ScenarioError};
use crate::trace::WorkerId;
use serde::Serialize;
use serde_json::{Map, Value};
use std::ops::Deref;

/// The lock a worker must hold for its fault to fire.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Fault {
    pub kill: WorkerId,
    pub at_ms: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub holding: Option<Holding>,
}

const KEYS: [&str; 3] = ["kill", "at_ms", "holding"];
const POWER_CUT_KEYS: [&str; 2] = ["power_cut", "at_ms"];

/// The power goes off at `at_ms` of run time (or when the workers are done, if
/// sooner): every worker stops where it is, every write not yet synced is lost,
/// then a fresh connection recovers the database. Only the shared VFS can cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PowerCut {
    pub at_ms: u32,
}

/// The scenario's `faults` list: the workers to kill, and at most one power cut.
/// It derefs to the kills, which is what the engine reads; the power cut is the
/// host's business.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Faults {
    pub kills: Vec<Fault>,
    pub power_cut: Option<PowerCut>,
}

impl Deref for Faults {
    type Target = [Fault];
    fn deref(&self) -> &[Fault] {
        &self.kills
    }
}

impl Faults {
    /// Whether the list is empty: no kill and no power cut.
    pub fn none(&self) -> bool {
        self.kills.is_empty() && self.power_cut.is_none()
    }
}

/// One item of the list as JSON: a kill, or `{"power_cut": true, "at_ms": T}`.
#[derive(Serialize)]
#[serde(untagged)]
enum Item {
    Kill(Fault),
    PowerCut(PowerCutItem),
}

#[derive(Serialize)]
struct PowerCutItem {
    power_cut: bool,
    at_ms: u32,
}

impl Serialize for Faults {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let kills = self.kills.iter().map(|k| Item::Kill(*k));
        let cut = self.power_cut.map(|c| {
            Item::PowerCut(PowerCutItem {
                power_cut: true,
                at_ms: c.at_ms,
            })
        });
        s.collect_seq(kills.chain(cut))
    }
}

/// The faults of a scenario with `workers` ids (writers then readers) and a time
/// limit of `time_limit_ms`. `value` is the field as written; absent means none.
pub(super) fn parse(
    value: Option<&Value>,
    max_items: usize,
    workers: u32,
    time_limit_ms: u32,
) -> Result<Faults, ScenarioError> {
    let Some(value) = value else {
        return Ok(Faults::default());
    };
    let Value::Array(items) = value else {
        return Err(ScenarioError {
            field: "faults".into(),
            allowed: format!(
                "a list of at most {max_items} faults such as [{{\"kill\": 1, \"at_ms\": 300}}] \
                 or [{{\"power_cut\": true, \"at_ms\": 300}}]"
            ),
            given: describe(value),
        });
    };
    if items.len() > max_items {
        return Err(ScenarioError {
            field: "faults".into(),
            allowed: format!("a list of at most {max_items} faults"),
            given: format!("{} faults", items.len()),
        });
    }
    let mut faults = Faults::default();
    for (i, item) in items.iter().enumerate() {
        if let Value::Object(fault) = item {
            if fault.contains_key("power_cut") {
                if faults.power_cut.is_some() {
                    return Err(ScenarioError {
                        field: format!("faults[{i}]"),
                        allowed: "at most one power cut in a run".into(),
                        given: "a second power cut".into(),
                    });
                }
                faults.power_cut = Some(power_cut(fault, i, time_limit_ms)?);
                continue;
            }
        }
        faults.kills.push(kill(item, i, workers, time_limit_ms)?);
    }
    Ok(faults)
}

/// `{"power_cut": true, "at_ms": T}`, item `i` of the list.
fn power_cut(
    fault: &Map<String, Value>,
    i: usize,
    time_limit_ms: u32,
) -> Result<PowerCut, ScenarioError> {
    let at = |key: &str| format!("faults[{i}].{key}");
    if let Some(unknown) = fault.keys().find(|k| !POWER_CUT_KEYS.contains(&k.as_str())) {
        return Err(ScenarioError {
            field: at(unknown),
            allowed: format!(
                "one of the keys of a power cut ({}); a power cut stops every worker, so it \
                 names none",
                POWER_CUT_KEYS.join(", ")
            ),
            given: "an unknown key".into(),
        });
    }
    match fault.get("power_cut") {
        Some(Value::Bool(true)) => {}
        Some(v) => {
            return Err(ScenarioError {
                field: at("power_cut"),
                allowed: "true (leave the item out for no power cut)".into(),
                given: describe(v),
            })
        }
        None => unreachable!("a power cut item has the key"),
    }
    Ok(PowerCut {
        at_ms: at_ms(fault, &at("at_ms"), time_limit_ms)?,
    })
}

/// A kill, item `i` of the list.
fn kill(item: &Value, i: usize, workers: u32, time_limit_ms: u32) -> Result<Fault, ScenarioError> {
    let error = |field: String, allowed: String, given: &Value| ScenarioError {
        field,
        allowed,
        given: describe(given),
    };
    let at = |key: &str| format!("faults[{i}].{key}");
    let Value::Object(fault) = item else {
        return Err(error(
            format!("faults[{i}]"),
            "an object: a kill {\"kill\": W, \"at_ms\": T} with optionally \"holding\", \
             or a power cut {\"power_cut\": true, \"at_ms\": T}"
                .into(),
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
    let kill =
        number(fault, "kill", &at("kill"), 0, workers.saturating_sub(1)).map_err(|mut e| {
            e.allowed = format!("{} (a worker id: writers, then readers)", e.allowed);
            e
        })?;
    let at_ms = at_ms(fault, &at("at_ms"), time_limit_ms)?;
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
}

fn at_ms(
    fault: &Map<String, Value>,
    field: &str,
    time_limit_ms: u32,
) -> Result<u32, ScenarioError> {
    number(fault, "at_ms", field, 0, time_limit_ms).map_err(|mut e| {
        e.allowed = format!("{} (at most time_limit_ms)", e.allowed);
        e
    })
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
