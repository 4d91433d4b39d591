//! Reading a workload document, field by field, each refusal at its path.

use super::{
    CheckSpec, Expect, Fill, IfNone, Item, RoleSpec, StatementSpec, StepSpec, Workload,
    BUILT_IN_NAMES, MAX_ROLES, MAX_SQL, MAX_STATEMENTS, MAX_STEPS, MAX_WORKERS, OWN_FIELDS,
    SHARED_FIELDS,
};
use crate::scenario::read::{describe, int_in};
use crate::scenario::{BeginMode, ScenarioError, WorkMs};
use serde_json::{Map, Value};

fn refuse(path: &str, allowed: impl Into<String>, given: impl Into<String>) -> ScenarioError {
    ScenarioError {
        field: path.to_string(),
        allowed: allowed.into(),
        given: given.into(),
    }
}

/// The workload's own part of `map`; the scenario's fields are left to the caller.
pub fn parse(map: &Map<String, Value>) -> Result<Workload, ScenarioError> {
    if let Some(unknown) = map
        .keys()
        .find(|k| !OWN_FIELDS.contains(&k.as_str()) && !SHARED_FIELDS.contains(&k.as_str()))
    {
        let mut known: Vec<&str> = OWN_FIELDS.to_vec();
        known.extend(SHARED_FIELDS);
        return Err(refuse(
            unknown,
            format!("one of a workload's fields ({})", known.join(", ")),
            if crate::scenario::fields::field(unknown).is_some() {
                "a field of the job queue's scenario, which a workload's roles replace"
            } else {
                "an unknown field"
            },
        ));
    }
    let roles = list(map, "roles", "roles", MAX_ROLES, role)?;
    if roles.is_empty() {
        return Err(refuse("roles", "at least one role", "[]"));
    }
    let workload = Workload {
        schema: list(map, "schema", "schema", MAX_STATEMENTS, sql)?,
        data: list(map, "data", "data", MAX_STATEMENTS, fill)?,
        pragmas: list(map, "pragmas", "pragmas", MAX_STATEMENTS, sql)?,
        roles,
        checks: list(map, "checks", "checks", MAX_STATEMENTS, check)?,
    };
    for (i, role) in workload.roles.iter().enumerate() {
        if workload.roles[..i].iter().any(|r| r.name == role.name) {
            return Err(refuse(
                &format!("roles[{i}].name"),
                "a name no other role has",
                describe(&Value::from(role.name.clone())),
            ));
        }
    }
    if workload.roles.iter().all(|r| r.while_others_run) {
        return Err(refuse(
            "roles",
            "at least one role without while_others_run (it ends the run)",
            "every role runs while the others run",
        ));
    }
    Ok(workload)
}

/// The list at `key` of `map` (absent: empty), each item read by `item` at its path.
fn list<T>(
    map: &Map<String, Value>,
    key: &str,
    path: &str,
    max: usize,
    item: impl Fn(&Value, &str) -> Result<T, ScenarioError>,
) -> Result<Vec<T>, ScenarioError> {
    match map.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) if items.len() <= max => items
            .iter()
            .enumerate()
            .map(|(i, v)| item(v, &format!("{path}[{i}]")))
            .collect(),
        Some(v) => Err(refuse(
            path,
            format!("a list of at most {max} items"),
            describe(v),
        )),
    }
}

fn object<'v>(
    v: &'v Value,
    path: &str,
    fields: &[&str],
) -> Result<&'v Map<String, Value>, ScenarioError> {
    crate::scenario::read::object_with(Some(v), path, fields)
}

fn sql(v: &Value, path: &str) -> Result<String, ScenarioError> {
    match v.as_str() {
        Some(text) if !text.trim().is_empty() && text.len() <= MAX_SQL => Ok(text.to_string()),
        _ => Err(refuse(
            path,
            format!("SQL as a text of 1 to {MAX_SQL} characters"),
            describe(v),
        )),
    }
}

fn name(
    map: &Map<String, Value>,
    path: &str,
    default: Option<String>,
) -> Result<String, ScenarioError> {
    match (map.get("name"), default) {
        (None, Some(default)) => Ok(default),
        (Some(Value::String(s)), _) if (1..=40).contains(&s.chars().count()) => Ok(s.clone()),
        (v, _) => Err(refuse(
            &format!("{path}.name"),
            "a name of 1 to 40 characters",
            v.map_or("nothing".to_string(), describe),
        )),
    }
}

fn number(
    map: &Map<String, Value>,
    path: &str,
    key: &str,
    min: u32,
    max: u32,
    default: u32,
) -> Result<u32, ScenarioError> {
    map.get(key).map_or(Ok(default), |v| {
        int_in(&format!("{path}.{key}"), v, min, max)
    })
}

fn fill(v: &Value, path: &str) -> Result<Fill, ScenarioError> {
    if v.is_string() {
        return Ok(Fill {
            sql: sql(v, path)?,
            repeat: 1,
        });
    }
    let map = object(v, path, &["sql", "repeat"])?;
    Ok(Fill {
        sql: sql(
            map.get("sql").unwrap_or(&Value::Null),
            &format!("{path}.sql"),
        )?,
        repeat: number(map, path, "repeat", 1, 1_000_000, 1)?,
    })
}

fn role(v: &Value, path: &str) -> Result<RoleSpec, ScenarioError> {
    let map = object(
        v,
        path,
        &["name", "count", "repeat", "while_others_run", "steps"],
    )?;
    let while_others_run = match map.get("while_others_run") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(v) => {
            return Err(refuse(
                &format!("{path}.while_others_run"),
                "true or false",
                describe(v),
            ))
        }
    };
    let steps = list(map, "steps", &format!("{path}.steps"), MAX_STEPS, step)?;
    if steps.is_empty() {
        return Err(refuse(
            &format!("{path}.steps"),
            "at least one step",
            "none",
        ));
    }
    Ok(RoleSpec {
        name: name(map, path, None)?,
        count: number(map, path, "count", 1, MAX_WORKERS, 1)?,
        repeat: number(map, path, "repeat", 0, 10_000_000, 0)?,
        while_others_run,
        steps,
    })
}

fn step(v: &Value, path: &str) -> Result<StepSpec, ScenarioError> {
    let map = object(v, path, &["name", "begin", "sql", "sleep_ms"])?;
    let default_name = format!(
        "step {}",
        path.rsplit('[').next().unwrap_or("").trim_end_matches(']')
    );
    let name = name(map, path, Some(default_name))?;
    match (map.get("sql"), map.get("sleep_ms")) {
        (Some(_), Some(_)) | (None, None) => Err(refuse(
            path,
            "either sql (a transaction's statements) or sleep_ms (a pause)",
            describe(v),
        )),
        (None, Some(ms)) => {
            if map.contains_key("begin") {
                return Err(refuse(
                    &format!("{path}.begin"),
                    "no begin on a pause",
                    "a begin",
                ));
            }
            Ok(StepSpec {
                name,
                begin: None,
                body: vec![Item::SleepMs(sleep(ms, &format!("{path}.sleep_ms"))?)],
            })
        }
        (Some(body), None) => {
            let begin = match map.get("begin") {
                None => None,
                Some(v) => match v.as_str() {
                    Some("none") => None,
                    Some("deferred") => Some(BeginMode::Deferred),
                    Some("immediate") => Some(BeginMode::Immediate),
                    Some("exclusive") => Some(BeginMode::Exclusive),
                    _ => {
                        return Err(refuse(
                            &format!("{path}.begin"),
                            "one of \"deferred\", \"immediate\", \"exclusive\", \"none\"",
                            describe(v),
                        ))
                    }
                },
            };
            let items = match body {
                Value::Array(_) => {
                    let wrapped: Map<String, Value> =
                        [("sql".to_string(), body.clone())].into_iter().collect();
                    list(
                        &wrapped,
                        "sql",
                        &format!("{path}.sql"),
                        MAX_STATEMENTS,
                        item,
                    )?
                }
                one => vec![item(one, &format!("{path}.sql"))?],
            };
            if !items.iter().any(|i| matches!(i, Item::Sql(_))) {
                return Err(refuse(
                    &format!("{path}.sql"),
                    "at least one statement",
                    describe(body),
                ));
            }
            Ok(StepSpec {
                name,
                begin,
                body: items,
            })
        }
    }
}

fn sleep(v: &Value, path: &str) -> Result<WorkMs, ScenarioError> {
    let allowed = "a number of milliseconds from 0 to 60000, or [min, max]";
    let ms = |v: &Value| v.as_u64().filter(|n| *n <= 60_000).map(|n| n as u32);
    match v {
        Value::Array(pair) if pair.len() == 2 => match (ms(&pair[0]), ms(&pair[1])) {
            (Some(min), Some(max)) if min <= max => Ok(WorkMs { min, max }),
            _ => Err(refuse(path, allowed, describe(v))),
        },
        _ => ms(v)
            .map(|n| WorkMs { min: n, max: n })
            .ok_or_else(|| refuse(path, allowed, describe(v))),
    }
}

fn item(v: &Value, path: &str) -> Result<Item, ScenarioError> {
    if v.is_string() {
        return Ok(Item::Sql(StatementSpec {
            sql: sql(v, path)?,
            into: Vec::new(),
            if_none: IfNone::Skip,
            expect_changes: None,
        }));
    }
    let map = object(
        v,
        path,
        &["sql", "into", "if_none", "expect_changes", "sleep_ms"],
    )?;
    if let Some(ms) = map.get("sleep_ms") {
        if map.len() > 1 {
            return Err(refuse(
                path,
                "a pause ({\"sleep_ms\": ...}) alone, or a statement",
                describe(v),
            ));
        }
        return Ok(Item::SleepMs(sleep(ms, &format!("{path}.sleep_ms"))?));
    }
    let into = match map.get("into") {
        None => Vec::new(),
        Some(Value::Array(names)) => names
            .iter()
            .enumerate()
            .map(|(i, n)| match n.as_str() {
                Some(s) if is_name(s) && !BUILT_IN_NAMES.contains(&s) => Ok(s.to_string()),
                _ => Err(refuse(
                    &format!("{path}.into[{i}]"),
                    format!(
                        "a column name (letters, digits, _) other than {}",
                        BUILT_IN_NAMES.join(", ")
                    ),
                    describe(n),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(v) => {
            return Err(refuse(
                &format!("{path}.into"),
                "a list of column names",
                describe(v),
            ))
        }
    };
    let if_none = match map.get("if_none") {
        None => IfNone::Skip,
        Some(v) => IfNone::WORDS
            .iter()
            .find(|(w, _)| v.as_str() == Some(w))
            .map(|(_, i)| *i)
            .ok_or_else(|| {
                refuse(
                    &format!("{path}.if_none"),
                    "one of \"end_role\", \"retry\", \"skip\"",
                    describe(v),
                )
            })?,
    };
    if map.contains_key("if_none") && into.is_empty() {
        return Err(refuse(
            &format!("{path}.if_none"),
            "if_none only with into (it says what a missing row does)",
            describe(&map["if_none"]),
        ));
    }
    let expect_changes = match map.get("expect_changes") {
        None => None,
        Some(v) => Some(u64::from(int_in(
            &format!("{path}.expect_changes"),
            v,
            0,
            1_000_000,
        )?)),
    };
    Ok(Item::Sql(StatementSpec {
        sql: sql(
            map.get("sql").unwrap_or(&Value::Null),
            &format!("{path}.sql"),
        )?,
        into,
        if_none,
        expect_changes,
    }))
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
}

fn check(v: &Value, path: &str) -> Result<CheckSpec, ScenarioError> {
    let map = object(v, path, &["name", "sql", "expected", "at_least", "at_most"])?;
    let bound = |key: &str| -> Result<Option<f64>, ScenarioError> {
        match map.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_f64()
                .map(Some)
                .ok_or_else(|| refuse(&format!("{path}.{key}"), "a number", describe(v))),
        }
    };
    let expect = match (map.get("expected"), bound("at_least")?, bound("at_most")?) {
        (Some(v), None, None) if !v.is_array() && !v.is_object() => Expect::Equals(v.clone()),
        (None, Some(n), None) => Expect::AtLeast(n),
        (None, None, Some(n)) => Expect::AtMost(n),
        _ => {
            return Err(refuse(
                path,
                "one of expected (a number, text, true, false or null), at_least or at_most",
                describe(v),
            ))
        }
    };
    Ok(CheckSpec {
        name: name(map, path, None)?,
        sql: sql(
            map.get("sql").unwrap_or(&Value::Null),
            &format!("{path}.sql"),
        )?,
        expected: expect.shown(),
        expect,
    })
}
