//! A connection of one's own: SQL a person types, run on a real connection of the
//! run's database and traced like a worker's, so its statements, transactions,
//! locks and waits join the run's trace as one more lane ("you"). The page's SQL
//! console runs it in a Web Worker of its own; natively the tests run it on a
//! thread beside the workers.
//!
//! It never retries and never waits by itself: what the person typed runs once,
//! and SQLite's busy handler waits as long as the connection's `busy_timeout`
//! says (5000 ms, rusqlite's default for a connection it opens, unless they set
//! it with `PRAGMA busy_timeout`).

use crate::wire::wire_struct;
use serde::{Deserialize, Serialize};
use serde_json::Value;
// Without the feature `sqlite` (the page) only the types of a question's answer.
#[cfg(feature = "sqlite")]
use {
    crate::clock::Clock,
    crate::engine,
    crate::result_code,
    crate::trace::{self, EventKind, Step},
    rusqlite::fallible_iterator::FallibleIterator,
    rusqlite::types::ValueRef,
    rusqlite::{Batch, Connection},
};

/// Rows an answer carries; the rest are counted.
pub const MAX_ROWS: usize = 200;

/// What the last statement of a text that returns rows returned, or what the
/// text changed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Answer {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Value>>,
    /// Rows after the first [`MAX_ROWS`], not carried.
    pub more_rows: u64,
    /// Rows the text inserted, updated or deleted.
    pub changes: u64,
    /// Whether a transaction is open after the text (BEGIN without COMMIT).
    pub in_transaction: bool,
}

/// Why the text failed, as SQLite says it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlError {
    pub code: i32,
    pub extended: i32,
    /// SQLite's name of the extended code ("SQLITE_BUSY").
    pub name: String,
    pub message: String,
    /// What the code means and whether waiting helps.
    pub explanation: String,
    /// Whether a transaction is still open (SQLite keeps it after SQLITE_BUSY at
    /// COMMIT, for one).
    pub in_transaction: bool,
}

// As the console's worker sends them to the page (`crate::wire`).
wire_struct!(Answer {
    columns,
    rows,
    more_rows,
    changes,
    in_transaction
});
wire_struct!(SqlError {
    code,
    extended,
    name,
    message,
    explanation,
    in_transaction
});

/// Run `text` (one statement or several, separated by `;`) on `conn`, each
/// statement traced as the console's: its span, its error, and the transactions
/// it begins and ends. Stops at the first error.
#[cfg(feature = "sqlite")]
pub fn run_sql(conn: &Connection, clock: &dyn Clock, text: &str) -> Result<Answer, SqlError> {
    let mut answer = Answer::default();
    let mut batch = Batch::new(conn, text);
    loop {
        let began_in_transaction = !conn.is_autocommit();
        let start = clock.now_us();
        let step = batch.next().and_then(|statement| match statement {
            Some(mut statement) => {
                let sql = statement.expanded_sql().unwrap_or_default();
                run_one(&mut statement, &mut answer).map(|()| Some(sql))
            }
            None => Ok(None),
        });
        let end = clock.now_us();
        match step {
            Ok(None) => break,
            Ok(Some(sql)) => {
                trace::emit_at(
                    start,
                    EventKind::Statement {
                        step: Step::Console,
                        sql: (&sql).into(),
                        dur_us: end - start,
                    },
                );
                transaction_events(conn, began_in_transaction, &sql);
            }
            Err(err) => {
                // Read once: what the VFS said of its failure goes with it.
                let failure = engine::failure(0, Step::Console, &first_statement(text), &err);
                trace::emit(engine::error_event_of(&failure, end - start));
                transaction_events(conn, began_in_transaction, "");
                return Err(sql_error(failure, conn));
            }
        }
    }
    answer.in_transaction = !conn.is_autocommit();
    Ok(answer)
}

/// Run one prepared statement into `answer`: its rows if it returns any (the
/// answer shows the last such statement), else the rows it changed.
#[cfg(feature = "sqlite")]
fn run_one(statement: &mut rusqlite::Statement<'_>, answer: &mut Answer) -> rusqlite::Result<()> {
    if statement.column_count() == 0 {
        answer.changes += statement.execute([])? as u64;
        return Ok(());
    }
    let columns: Vec<String> = statement.column_names().map(str::to_string).collect();
    let width = columns.len();
    let (mut rows, mut more_rows) = (Vec::new(), 0);
    let mut cursor = statement.query([])?;
    while let Some(row) = cursor.next()? {
        if rows.len() < MAX_ROWS {
            rows.push(
                (0..width)
                    .map(|i| row.get_ref(i).map(json_of))
                    .collect::<rusqlite::Result<_>>()?,
            );
        } else {
            more_rows += 1;
        }
    }
    *answer = Answer {
        columns,
        rows,
        more_rows,
        ..std::mem::take(answer)
    };
    Ok(())
}

/// A value as JSON: blobs as their length (nothing in a queue stores bytes worth
/// showing), numbers and text as they are.
#[cfg(feature = "sqlite")]
fn json_of(value: ValueRef<'_>) -> Value {
    match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::from(i),
        ValueRef::Real(f) => Value::from(f),
        ValueRef::Text(t) => Value::from(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::from(format!("<blob of {} bytes>", b.len())),
    }
}

/// Trace the transaction a statement began or ended: SQLite's autocommit flag
/// before and after it says which.
#[cfg(feature = "sqlite")]
fn transaction_events(conn: &Connection, was_in_transaction: bool, sql: &str) {
    let now_in_transaction = !conn.is_autocommit();
    if !was_in_transaction && now_in_transaction {
        trace::emit(EventKind::Begin {
            step: Step::Console,
            sql: sql.into(),
        });
    } else if was_in_transaction && !now_in_transaction {
        let word = sql.trim_start().to_ascii_uppercase();
        if word.starts_with("COMMIT") || word.starts_with("END") {
            trace::emit(EventKind::Commit {
                step: Step::Console,
            });
        } else {
            trace::emit(EventKind::Rollback {
                step: Step::Console,
            });
        }
    }
}

/// The first statement of `text`, for an error whose statement could not even
/// be prepared.
#[cfg(feature = "sqlite")]
fn first_statement(text: &str) -> String {
    text.split(';').next().unwrap_or(text).trim().to_string()
}

#[cfg(feature = "sqlite")]
fn sql_error(failure: engine::Failure, conn: &Connection) -> SqlError {
    SqlError {
        code: failure.code,
        extended: failure.extended,
        explanation: result_code::explain(&failure.name).to_string(),
        name: failure.name,
        message: failure.message,
        in_transaction: !conn.is_autocommit(),
    }
}

#[cfg(all(test, not(target_arch = "wasm32"), feature = "sqlite"))]
mod tests {
    use super::*;
    use crate::clock::SystemClock;
    use std::sync::Arc;

    fn traced<T>(f: impl FnOnce(&Connection, &dyn Clock) -> T) -> (T, Vec<EventKind>) {
        let clock = SystemClock::starting_now();
        crate::engine::thread::enter(7, Arc::new(SystemClock::starting_now()));
        let conn = Connection::open_in_memory().unwrap();
        let out = f(&conn, &clock);
        let events = crate::engine::thread::leave()
            .into_iter()
            .map(|e| e.kind)
            .collect();
        (out, events)
    }

    #[test]
    fn statements_run_in_order_and_the_last_rows_are_the_answer() {
        let (answer, events) = traced(|conn, clock| {
            run_sql(
                conn,
                clock,
                "CREATE TABLE t(x, y); INSERT INTO t VALUES (1, 'a'), (2, NULL); \
                 SELECT x, y FROM t ORDER BY x;",
            )
        });
        let answer = answer.unwrap();
        assert_eq!(answer.columns, vec!["x", "y"]);
        assert_eq!(
            answer.rows,
            vec![
                vec![Value::from(1), Value::from("a")],
                vec![Value::from(2), Value::Null]
            ]
        );
        assert_eq!((answer.changes, answer.more_rows), (2, 0));
        let statements = events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    EventKind::Statement {
                        step: Step::Console,
                        ..
                    }
                )
            })
            .count();
        assert_eq!(statements, 3);
    }

    #[test]
    fn a_transaction_is_traced_from_begin_to_commit_and_reported_open_between() {
        let (answers, events) = traced(|conn, clock| {
            [
                run_sql(conn, clock, "CREATE TABLE t(x)"),
                run_sql(conn, clock, "BEGIN IMMEDIATE"),
                run_sql(conn, clock, "INSERT INTO t VALUES (1)"),
                run_sql(conn, clock, "COMMIT"),
                run_sql(conn, clock, "BEGIN; INSERT INTO t VALUES (2); ROLLBACK"),
            ]
        });
        let open: Vec<bool> = answers
            .iter()
            .map(|a| a.as_ref().unwrap().in_transaction)
            .collect();
        assert_eq!(open, vec![false, true, true, false, false]);
        let ends: Vec<&str> = events
            .iter()
            .filter_map(|e| match e {
                EventKind::Begin { .. } => Some("begin"),
                EventKind::Commit { .. } => Some("commit"),
                EventKind::Rollback { .. } => Some("rollback"),
                _ => None,
            })
            .collect();
        assert_eq!(ends, vec!["begin", "commit", "begin", "rollback"]);
    }

    #[test]
    fn an_error_names_its_code_explains_it_and_is_traced() {
        let (refused, events) = traced(|conn, clock| run_sql(conn, clock, "SELEC 1"));
        let refused = refused.unwrap_err();
        assert_eq!((refused.name.as_str(), refused.code), ("SQLITE_ERROR", 1));
        assert!(
            refused.message.contains("syntax error"),
            "{}",
            refused.message
        );
        assert!(!refused.explanation.is_empty());
        assert!(events.iter().any(|e| matches!(
            e,
            EventKind::Error { step: Step::Console, name, .. } if name == "SQLITE_ERROR"
        )));
    }

    #[test]
    fn long_results_are_cut_with_a_count() {
        let (answer, _) = traced(|conn, clock| {
            run_sql(
                conn,
                clock,
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250) \
                 SELECT i FROM n",
            )
        });
        let answer = answer.unwrap();
        assert_eq!(answer.rows.len(), MAX_ROWS);
        assert_eq!(answer.more_rows, 50);
    }
}
