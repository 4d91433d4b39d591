//! A worker that is the SQL console: a connection of its own to a run's database,
//! through the shared VFS like every worker's, traced on the run's clock as the
//! lane "you". It runs what a person types (`console::run_sql`) one text at a
//! time, posts the trace after each, and at the end of the run rolls back a
//! transaction left open, and says so.

use super::attach::{self, attach};
use crate::engine::{self, console};
use crate::scenario::Scenario;
use crate::trace::{self, EventKind, Role, WorkerId};
use crate::vfs;
use crate::web::clock::WebClock;
use crate::web::error::WebError;
use crate::web::protocol::{FromWorker, SharedBuffers, StorageKind};
use js_sys::{Array, Atomics, Int32Array};
use rusqlite::{Connection, OpenFlags};
use std::cell::RefCell;
use std::sync::Arc;
use wasm_bindgen::JsCast;

/// Statements SQLite runs between two looks at the stop flag.
const STOP_CHECK_EVERY: i32 = 1000;

struct Session {
    conn: Connection,
    clock: WebClock,
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
}

fn post_trace() {
    let events = trace::take();
    if !events.is_empty() {
        let scope: web_sys::DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
        let _ = scope.post_message(&FromWorker::Events { events }.to_posted());
    }
}

/// Attach run `run`'s buffers and open the console's connection as `worker`.
pub async fn start(
    run: &str,
    worker: WorkerId,
    scenario: &Scenario,
    storage: StorageKind,
    epoch_ms: f64,
    buffers: &Array,
) -> FromWorker {
    let control = match attach(run, Some(worker), scenario, storage, buffers).await {
        Ok(control) => control,
        Err(error) => return FromWorker::Failed { error },
    };
    // A finished run's files are whatever its workers left.
    attach::adopt_existing_files();
    let clock = WebClock::with_epoch(epoch_ms);
    // Stop ends the console's waits too, and (below) a statement that runs long.
    crate::web::clock::wake_on(control.words.clone(), SharedBuffers::STOP as u32);
    engine::thread::enter(worker, Arc::new(clock));
    trace::emit(EventKind::WorkerStart {
        role: Role::Console,
    });
    let path = crate::web::run_files::database_path(run, 0);
    let opened =
        Connection::open_with_flags_and_vfs(&path, OpenFlags::SQLITE_OPEN_READ_WRITE, vfs::NAME);
    let mut conn = match opened {
        Ok(conn) => conn,
        Err(e) => {
            return FromWorker::Failed {
                error: WebError::database(format!("the console cannot open {path}: {e}")),
            }
        }
    };
    let stop: Int32Array = control.words.clone();
    let stopping = move || Atomics::load(&stop, SharedBuffers::STOP as u32).unwrap_or(0) != 0;
    if let Err(e) = conn.progress_handler(STOP_CHECK_EVERY, Some(stopping)) {
        return FromWorker::Failed {
            error: WebError::database(format!("the console cannot watch the stop flag: {e}")),
        };
    }
    SESSION.with(|s| *s.borrow_mut() = Some(Session { conn, clock }));
    post_trace();
    FromWorker::ConsoleReady
}

/// Run `text` on the console's connection.
pub fn sql(text: &str) -> FromWorker {
    let answer = SESSION.with(|s| match s.borrow().as_ref() {
        Some(session) => console::run_sql(&session.conn, &session.clock, text),
        None => Err(console::SqlError {
            code: 21,
            extended: 21,
            name: "SQLITE_MISUSE".to_string(),
            message: "this worker is no console".to_string(),
            explanation: String::new(),
            in_transaction: false,
        }),
    });
    post_trace();
    FromWorker::SqlAnswer { answer }
}

/// The end of the console's run: a transaction left open is rolled back (traced),
/// the last events go to the page, the connection closes.
pub fn end() -> FromWorker {
    let rolled_back = SESSION.with(|s| match s.borrow_mut().take() {
        Some(session) if !session.conn.is_autocommit() => {
            console::run_sql(&session.conn, &session.clock, "ROLLBACK").is_ok()
        }
        _ => false,
    });
    trace::emit(EventKind::WorkerEnd);
    post_trace();
    FromWorker::ConsoleEnded { rolled_back }
}
