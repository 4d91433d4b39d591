//! A run of one writer inside one Web Worker, on SQLite's in-memory VFS of
//! sqlite-wasm-rs: the whole engine, real SQLite in wasm, no shared VFS yet. The
//! page makes the report from what it sends back.

use crate::clock::Clock;
use crate::engine::{self, schema, Unstoppable, Worker};
use crate::scenario::Scenario;
use crate::trace::{self, Role};
use crate::web::clock::{wall_ms, WebClock};
use crate::web::error::WebError;
use crate::web::protocol::{Exit, FromWorker};
use rusqlite::Connection;
use std::sync::Arc;

/// Run `scenario` with its first writer only; readers and further writers need the
/// shared VFS and are left out. Answers `FromWorker::Alone`.
pub fn run_alone(scenario: &Scenario) -> Result<FromWorker, WebError> {
    let name = format!("queue-{}.db", wall_ms() as u64);
    let setup =
        Connection::open(&name).map_err(|e| WebError::database(format!("opening {name}: {e}")))?;
    schema::create_queue(&setup, scenario)
        .map_err(|e| WebError::database(format!("seeding the queue: {e}")))?;

    let clock = WebClock::with_epoch(wall_ms());
    engine::thread::enter(0, Arc::new(clock));
    let mut conn =
        Connection::open(&name).map_err(|e| WebError::database(format!("opening {name}: {e}")))?;
    engine::prepare_connection(&mut conn, scenario)
        .map_err(|e| WebError::database(format!("opening {name}: {e}")))?;
    let (journal_mode, exit) =
        Worker::new(0, Role::Writer, scenario, &conn, None, &clock, &Unstoppable).run();
    let elapsed_us = clock.now_us();
    let events = engine::thread::leave();

    let committed = trace::committed_jobs(&events);
    let (audit, integrity) = schema::check_after_run(scenario, &setup, None, &committed);
    let (exit, failure) = Exit::of(exit);
    Ok(FromWorker::Alone {
        sqlite_version: rusqlite::version().to_string(),
        journal_mode: journal_mode.unwrap_or_default(),
        elapsed_us,
        exit,
        failure,
        audit,
        integrity_check: integrity,
        events,
    })
}
