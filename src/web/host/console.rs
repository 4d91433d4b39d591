//! The page's side of the SQL console: a Web Worker with a connection of its own
//! to the database of this tab's run in progress (it then takes part in the run:
//! its lane "you" joins the run's trace and report) or else of the last finished
//! run. One text runs at a time, and a text sent while another runs is refused at
//! once: nothing waits on a statement that may never end. `interrupt` (Stop, and
//! `locklab.stop()`) ends the running one within a few thousand of SQLite's
//! instructions (the worker's progress handler looks at the stop word), or wakes
//! it from its busy handler's sleep. The console follows the run: when the run it
//! serves ends, `end_for_run` interrupts what still runs, rolls back what it left
//! open, and the next text goes to whichever database is current then.

use super::kept_runs::{self, KeptRun, Running};
use super::worker_handle::{
    check_ready, unexpected, Arrival, Inbox, LiveTrace, Member, WorkerHandle,
};
use crate::engine::console::{Answer, SqlError};
use crate::scenario::Scenario;
use crate::trace::WorkerId;
use crate::web::clock::wall_ms;
use crate::web::error::WebError;
use crate::web::protocol::{FromWorker, SharedBuffers, StorageKind, ToWorker, PROTOCOL};
use js_sys::{Array, Atomics, Function, Int32Array, Promise, SharedArrayBuffer};
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// Which database the console is connected to.
#[derive(Clone)]
struct Target {
    run: String,
    /// A run in progress (its trace takes the console's lane), or a finished one.
    in_progress: bool,
    scenario: Scenario,
    storage: StorageKind,
    buffers: Array,
    epoch_ms: f64,
    worker: WorkerId,
    live: LiveTrace,
}

struct Session {
    run: String,
    in_progress: bool,
    worker: WorkerHandle,
    inbox: Rc<Inbox>,
    /// The control words the console's worker watches: the run's while it is
    /// in progress, else the console's own.
    control: Int32Array,
}

/// One turn at a time: a text, or the end of a run, waits for the one before.
#[derive(Default)]
struct Turn {
    busy: Cell<bool>,
    waiting: RefCell<VecDeque<Function>>,
}

impl Turn {
    async fn take(&self) {
        while self.busy.get() {
            let woken =
                Promise::new(&mut |resolve, _| self.waiting.borrow_mut().push_back(resolve));
            let _ = JsFuture::from(woken).await;
        }
        self.busy.set(true);
    }

    fn give(&self) {
        self.busy.set(false);
        if let Some(next) = self.waiting.borrow_mut().pop_front() {
            let _ = next.call0(&JsValue::NULL);
        }
    }
}

thread_local! {
    static SESSION: RefCell<Option<Session>> = const { RefCell::new(None) };
    static TURN: Rc<Turn> = Rc::new(Turn::default());
    /// The text running now, if one runs.
    static RUNNING: RefCell<Option<RunningText>> = const { RefCell::new(None) };
}

struct RunningText {
    /// The control words its worker watches, once its session is there.
    control: Option<Int32Array>,
    /// Its first words, for a refusal to name it.
    text: String,
    /// The run whose database it runs on.
    run: String,
}

/// Interrupt the console's running text, if one runs (on run `run`'s database
/// only, if given): its statement fails with SQLITE_INTERRUPT. Says whether one
/// ran.
pub fn interrupt(run: Option<&str>) -> bool {
    RUNNING.with(|r| match r.borrow().as_ref() {
        Some(running) if run.is_none_or(|id| id == running.run) => {
            if let Some(control) = &running.control {
                kept_runs::stop_control(control);
            }
            true
        }
        _ => false,
    })
}

/// Why SQL could not run: SQLite's error, or no database to run it on.
pub enum Refused {
    Sql(SqlError),
    Console(WebError),
}

/// The database the console should use now: this tab's run in progress, else
/// its last finished run.
fn target() -> Result<Target, WebError> {
    if let Some(Running {
        id,
        scenario,
        storage,
        buffers,
        live,
        epoch_ms,
        console_worker,
        ..
    }) = kept_runs::latest_running()
    {
        let epoch_ms = epoch_ms.ok_or_else(|| {
            WebError::no_run("the run is still starting its workers: try again in a moment")
        })?;
        return Ok(Target {
            run: id,
            in_progress: true,
            scenario,
            storage,
            buffers,
            epoch_ms,
            worker: console_worker,
            live,
        });
    }
    let KeptRun {
        id,
        scenario,
        storage,
        buffers,
    } = kept_runs::last().ok_or_else(|| {
        WebError::no_run("no database yet: run a scenario first, then query it here")
    })?;
    // The console's lane comes after every worker and reader.
    let worker = scenario.all_workers();
    Ok(Target {
        run: id,
        in_progress: false,
        scenario,
        storage,
        // The finished run's control words may say "stop": new ones, so that the
        // console's waits and statements run their course.
        buffers: with_fresh_control(&buffers),
        epoch_ms: wall_ms(),
        worker,
        live: LiveTrace::default(),
    })
}

fn with_fresh_control(buffers: &Array) -> Array {
    let control = SharedArrayBuffer::new((SharedBuffers::CONTROL_WORDS * 4) as u32);
    let _ = Atomics::store(
        &Int32Array::new(&control),
        SharedBuffers::VERSION as u32,
        PROTOCOL as i32,
    );
    let fresh = buffers.slice(0, buffers.length());
    fresh.set(0, control.into());
    fresh
}

async fn start(target: &Target) -> Result<Session, WebError> {
    let inbox = Rc::new(Inbox::default());
    let worker = WorkerHandle::spawn(Member::Console, &inbox, &target.live).await?;
    let (member, arrival) = inbox.next().await;
    check_ready(member, arrival)?;
    worker.send(
        &ToWorker::Console {
            run: target.run.clone(),
            worker: target.worker,
            scenario: target.scenario.clone(),
            storage: target.storage,
            epoch_ms: target.epoch_ms,
        },
        &target.buffers,
    )?;
    match inbox.next().await {
        (_, Arrival::Message(FromWorker::ConsoleReady)) => Ok(Session {
            run: target.run.clone(),
            in_progress: target.in_progress,
            worker,
            inbox,
            control: Int32Array::new(&target.buffers.get(0)),
        }),
        (member, other) => Err(unexpected(member, other)),
    }
}

/// End `session`: roll back what it left open; says whether it did.
async fn end(session: Session) -> bool {
    if session
        .worker
        .send(&ToWorker::EndConsole, &Array::new())
        .is_err()
    {
        return false;
    }
    matches!(
        session.inbox.next().await,
        (
            _,
            Arrival::Message(FromWorker::ConsoleEnded { rolled_back: true })
        )
    )
}

/// Run `text` on the console's connection to the current database; refused at
/// once while another text runs.
pub async fn sql(text: String) -> Result<Answer, Refused> {
    let running = RUNNING.with(|r| {
        let mut r = r.borrow_mut();
        match r.as_ref() {
            Some(running) => Some(running.text.clone()),
            None => {
                *r = Some(RunningText {
                    control: None,
                    text: first_words(&text),
                    run: String::new(),
                });
                None
            }
        }
    });
    if let Some(running) = running {
        return Err(Refused::Console(WebError::refused(format!(
            "the console is still running `{running}`: Stop (or locklab.stop()) interrupts it"
        ))));
    }
    let turn = TURN.with(Rc::clone);
    turn.take().await;
    let answer = sql_in_turn(&text).await;
    RUNNING.with(|r| r.borrow_mut().take());
    turn.give();
    answer
}

/// The first line of `text`, cut at 60 characters: how a refusal names it.
fn first_words(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("");
    match line.char_indices().nth(60) {
        Some((at, _)) => format!("{}...", &line[..at]),
        None => line.to_string(),
    }
}

async fn sql_in_turn(text: &str) -> Result<Answer, Refused> {
    let target = target().map_err(Refused::Console)?;
    let current = SESSION.with(|s| s.borrow_mut().take());
    let session = match current {
        Some(s) if s.run == target.run && s.in_progress == target.in_progress => s,
        other => {
            if let Some(old) = other {
                end(old).await;
            }
            start(&target).await.map_err(Refused::Console)?
        }
    };
    if !session.in_progress {
        // The console's own words: a Stop of its last text is over.
        let _ = Atomics::store(&session.control, SharedBuffers::STOP as u32, 0);
    }
    RUNNING.with(|r| {
        if let Some(running) = r.borrow_mut().as_mut() {
            running.control = Some(session.control.clone());
            running.run = session.run.clone();
        }
    });
    let sent = session.worker.send(
        &ToWorker::Sql {
            text: text.to_string(),
        },
        &Array::new(),
    );
    let answer = match sent {
        Err(why) => Err(Refused::Console(why)),
        Ok(()) => match session.inbox.next().await {
            (_, Arrival::Message(FromWorker::SqlAnswer { answer })) => answer.map_err(Refused::Sql),
            (member, other) => {
                // The console's worker is gone or confused: start afresh next time.
                return Err(Refused::Console(unexpected(member, other)));
            }
        },
    };
    SESSION.with(|s| *s.borrow_mut() = Some(session));
    answer
}

/// Run `run` is over: if the console is connected to it, end its session (a
/// transaction still open is rolled back; `Some(true)` says so).
pub async fn end_for_run(run: &str) -> Option<bool> {
    // A text on the run's database that still runs would hold the run's end.
    interrupt(Some(run));
    let turn = TURN.with(Rc::clone);
    turn.take().await;
    let session = SESSION.with(|s| {
        let mut s = s.borrow_mut();
        match s.as_ref() {
            Some(session) if session.run == run && session.in_progress => s.take(),
            _ => None,
        }
    });
    let ended = match session {
        Some(session) => Some(end(session).await),
        None => None,
    };
    turn.give();
    ended
}
