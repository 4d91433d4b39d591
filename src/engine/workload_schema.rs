//! A workload's database before and after its run: its schema and first rows,
//! created by a host before the workers start, and its checks, read after they
//! end. An error names the statement by its path in the workload document and
//! says what SQLite said.

use crate::analysis::outcome::CheckResult;
use crate::scenario::workload::{Expect, Workload};
use rusqlite::types::ValueRef;
use rusqlite::{ffi, Connection};
use serde_json::Value;

/// Create the workload's tables and fill them, in one transaction.
pub fn create(conn: &Connection, workload: &Workload) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let made = fill(conn, workload);
    if made.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
        return made;
    }
    conn.execute_batch("COMMIT")
}

fn fill(conn: &Connection, workload: &Workload) -> rusqlite::Result<()> {
    for (i, sql) in workload.schema.iter().enumerate() {
        conn.execute_batch(sql)
            .map_err(|e| named(e, &format!("schema[{i}]"), sql))?;
    }
    for (i, fill) in workload.data.iter().enumerate() {
        let path = format!("data[{i}]");
        let mut stmt = conn
            .prepare(&fill.sql)
            .map_err(|e| named(e, &path, &fill.sql))?;
        for n in 0..i64::from(fill.repeat) {
            for p in 1..=stmt.parameter_count() {
                match stmt.parameter_name(p) {
                    Some(":i") => stmt.raw_bind_parameter(p, n)?,
                    other => {
                        return Err(named(
                            rusqlite::Error::InvalidParameterName(format!(
                                "{} is not bound (data statements know :i only)",
                                other.unwrap_or("?")
                            )),
                            &path,
                            &fill.sql,
                        ))
                    }
                }
            }
            stmt.raw_execute().map_err(|e| named(e, &path, &fill.sql))?;
        }
    }
    Ok(())
}

/// `err` with the path and the statement it came from in its message.
fn named(err: rusqlite::Error, path: &str, sql: &str) -> rusqlite::Error {
    let code = err
        .sqlite_error()
        .map_or(ffi::SQLITE_ERROR, |e| e.extended_code);
    let said = match &err {
        rusqlite::Error::SqliteFailure(_, Some(message)) => message.clone(),
        other => other.to_string(),
    };
    let shown: String = sql.chars().take(80).collect();
    rusqlite::Error::SqliteFailure(
        ffi::Error::new(code),
        Some(format!("{path} `{shown}`: {said}")),
    )
}

/// Each check's first value, against what it expects. Never fails: a check
/// whose SQL fails is not ok, and says why.
pub fn checks(conn: &Connection, workload: &Workload) -> Vec<CheckResult> {
    workload
        .checks
        .iter()
        .map(|c| {
            let got = conn
                .query_row(&c.sql, [], |r| r.get_ref(0).map(json_of))
                .unwrap_or_else(|e| Value::String(format!("the check failed: {e}")));
            let ok = match &c.expect {
                Expect::Equals(v) => same(v, &got),
                Expect::AtLeast(n) => got.as_f64().is_some_and(|g| g >= *n),
                Expect::AtMost(n) => got.as_f64().is_some_and(|g| g <= *n),
            };
            CheckResult {
                name: c.name.clone(),
                sql: c.sql.clone(),
                expected: c.expected.clone(),
                got,
                ok,
            }
        })
        .collect()
}

/// Equal as values: numbers by their value (400 is 400.0), true and false as
/// SQLite gives them (1 and 0).
fn same(a: &Value, b: &Value) -> bool {
    let number = |v: &Value| {
        v.as_f64()
            .or_else(|| v.as_bool().map(|b| f64::from(u8::from(b))))
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

fn json_of(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        // `Value::from`, not `json!`: the macro goes through serde's serializer
        // and unwraps its Result, which brought serde_json's error messages
        // into the worker's wasm.
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::from(format!("a blob of {} bytes", b.len())),
    }
}
