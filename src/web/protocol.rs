//! The page/worker protocol: one serde enum each way, sent as JSON text through
//! postMessage. Every message from the page says which protocol it speaks, and
//! the worker's first message does too, so a worker file left in a cache by an
//! older build (worker file names are not hashed) fails the run with a message
//! instead of misreading the buffers. Messages that need shared memory carry it
//! beside the text: the posted value is `{ protocol, json, buffers }`, with the
//! SharedArrayBuffers in the order [`SharedBuffers`] documents, and the worker
//! checks their number and sizes before it touches them. Messages with trace
//! events carry them beside the text too, as bytes (`crate::trace::wire`): the
//! posted value is `{ json, trace }`. A database snapshot's bytes travel the same
//! way: `{ json, file }`.

use crate::analysis::outcome::Failure;
use crate::analysis::outcome::JobAudit;
use crate::analysis::outcome::WorkerExit;
use crate::engine::console::{Answer, SqlError};
use crate::scenario::Scenario;
use crate::trace::wire;
use crate::trace::{Role, TraceEvent, WorkerId};
use crate::vfs::power::PowerCutStorage;
use crate::vfs::DATABASE_WORDS;
use crate::web::error::WebError;
use js_sys::{Array, Object, Reflect, SharedArrayBuffer, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};

/// The protocol's version: raise it whenever a message or the buffers change.
pub const PROTOCOL: u32 = 12;

/// Where the shared database's bytes live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// OPFS files shared through "readwrite-unsafe" handles: persistent, Chromium.
    Opfs,
    /// SharedArrayBuffers: every cross-origin isolated browser; gone with the page.
    Memory,
}

/// From the page to a worker. Both enums are externally tagged
/// (`{"setup": {...}}`, `"end_console"`): an internally tagged enum (`"type"`)
/// is read through serde's buffered `Content`, which cost the worker's wasm 34 KB
/// and the page's 39 KB before wasm-opt.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToWorker {
    /// Run a whole scenario with a single writer on this worker's own in-memory
    /// database, and answer with its report (the pipeline check of the page).
    RunAlone { scenario: Scenario },
    /// Create and seed run `run`'s database (sent to the run's keeper before any
    /// `Run`). The keeper keeps its connection open until `Audit`, as an
    /// application keeps its database open.
    Setup {
        run: String,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Attach to run `run`'s shared memory and files as `worker`, before the run's
    /// clock starts: a browser hands out OPFS handles only asynchronously, tens of
    /// ms per worker that a native process does not spend before its first
    /// `open()`, so they are not counted in the run.
    Attach {
        run: String,
        worker: WorkerId,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Run as `worker` with `role` (attached by `Attach`), on the run's clock
    /// (epoch in ms since 1970).
    Run {
        run: String,
        worker: WorkerId,
        role: Role,
        scenario: Scenario,
        epoch_ms: f64,
    },
    /// After a power cut, once every worker is gone and the page has zeroed
    /// the databases' words (a fresh lock table and WAL index): the keeper
    /// forgets its connections, puts run `run`'s files back as they were at their
    /// last sync, and opens fresh connections, which recover the databases.
    PowerRestore { run: String, scenario: Scenario },
    /// Check the invariants after the run (the keeper), against the jobs the
    /// workers committed.
    Audit {
        scenario: Scenario,
        committed: Vec<i64>,
    },
    /// Open run `run`'s database as it was left (by workers since gone) and count it.
    Inspect {
        run: String,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Open run `run`'s database as it was left, checkpoint it when in WAL, and
    /// send its file's bytes (the export `database.db`).
    Snapshot {
        run: String,
        scenario: Scenario,
        storage: StorageKind,
    },
    /// Become the SQL console: a connection of its own to run `run`'s database,
    /// traced as `worker` on the run's clock (`epoch_ms`).
    Console {
        run: String,
        worker: WorkerId,
        scenario: Scenario,
        storage: StorageKind,
        epoch_ms: f64,
    },
    /// Run SQL a person typed, on the console's connection.
    Sql { text: String },
    /// The console's run is over: roll back a transaction left open, post the
    /// last events, close the connection.
    EndConsole,
}

/// How a worker's run ended, as the protocol carries it (`WorkerExit` without
/// its failure, which travels beside it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Exit {
    Completed,
    TimeLimit,
    Stopped,
    Killed,
    Failed,
}

impl Exit {
    /// The exit and the failure to send for `exit`.
    pub fn of(exit: WorkerExit) -> (Exit, Option<Failure>) {
        match exit {
            WorkerExit::Completed => (Exit::Completed, None),
            WorkerExit::TimeLimit => (Exit::TimeLimit, None),
            WorkerExit::Stopped => (Exit::Stopped, None),
            WorkerExit::Killed => (Exit::Killed, None),
            WorkerExit::Failed(failure) => (Exit::Failed, Some(failure)),
        }
    }

    /// The worker's exit as the engine said it, from what was received.
    pub fn worker_exit(self, failure: Option<Failure>, worker: WorkerId) -> WorkerExit {
        match self {
            Exit::Completed => WorkerExit::Completed,
            Exit::TimeLimit => WorkerExit::TimeLimit,
            Exit::Stopped => WorkerExit::Stopped,
            Exit::Killed => WorkerExit::Killed,
            Exit::Failed => WorkerExit::Failed(failure.unwrap_or_else(|| {
                Failure::of_worker(worker, "WORKER_DIED", "failed without saying why".into())
            })),
        }
    }
}

/// From a worker to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's wasm is loaded and it listens, speaking `protocol`.
    Ready {
        protocol: u32,
    },
    /// A `RunAlone`'s run, from which the page makes the report (a worker has
    /// no need of metrics, so its wasm does without them).
    Alone {
        sqlite_version: String,
        journal_mode: String,
        elapsed_us: u64,
        exit: Exit,
        failure: Option<Failure>,
        audit: JobAudit,
        integrity_check: String,
        /// Beside the JSON, as bytes.
        #[serde(skip)]
        events: Vec<TraceEvent>,
    },
    SetupDone {
        sqlite_version: String,
    },
    /// The worker is attached to the run (`Attach`) and waits for `Run`.
    Attached,
    /// Trace events recorded so far in a run (sent every 100 ms or so).
    Events {
        /// Beside the JSON, as bytes.
        #[serde(skip)]
        events: Vec<TraceEvent>,
    },
    /// A worker's run ended: when, why (`exit`, with what failed when it failed),
    /// what `PRAGMA journal_mode` said, what it did since its last `Events`. A worker
    /// killed by a fault sends this with exit "killed" and then stops doing
    /// anything, holding whatever it held, until the page terminates it.
    Finished {
        journal_mode: Option<String>,
        exit: Exit,
        /// What failed, when `exit` is `Failed`.
        failure: Option<Failure>,
        /// When the worker ended (its connections closed), on the run's clock.
        ended_us: u64,
        /// Beside the JSON, as bytes.
        #[serde(skip)]
        events: Vec<TraceEvent>,
    },
    Audited {
        audit: JobAudit,
        integrity_check: String,
    },
    /// The keeper restored the files after a power cut (`PowerRestore`): the
    /// writes the cut dropped.
    PowerRestored {
        writes_dropped: u64,
    },
    Inspected {
        jobs: u64,
        done: u64,
        integrity_check: String,
    },
    /// The queue database as one file, with the counts read from it.
    Snapshot {
        jobs: u64,
        done: u64,
        journal_mode: String,
        /// Beside the JSON, as bytes.
        #[serde(skip)]
        file: Vec<u8>,
    },
    /// What failed, and what kind of thing it was (`{"failed": {"kind",
    /// "message"}}` on the wire).
    Failed {
        #[serde(flatten)]
        error: WebError,
    },
    ConsoleReady,
    /// What the SQL returned, or why it failed.
    SqlAnswer {
        answer: Result<Answer, SqlError>,
    },
    /// The console ended; `rolled_back` when a transaction was still open.
    ConsoleEnded {
        rolled_back: bool,
    },
}

impl ToWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// What the page posts: `{ protocol, json, buffers }`.
    pub fn to_posted(&self, buffers: &Array) -> JsValue {
        let posted = Object::new();
        let _ = Reflect::set(&posted, &"protocol".into(), &PROTOCOL.into());
        let _ = Reflect::set(&posted, &"json".into(), &self.to_json().into());
        let _ = Reflect::set(&posted, &"buffers".into(), buffers);
        posted.into()
    }

    /// What a worker received, back as a message and its buffers; an error names
    /// what is wrong (another protocol, no JSON, unreadable JSON).
    pub fn from_posted(data: &JsValue) -> Result<(ToWorker, Array), WebError> {
        let protocol = Reflect::get(data, &"protocol".into())
            .ok()
            .and_then(|v| v.as_f64());
        if protocol != Some(f64::from(PROTOCOL)) {
            return Err(WebError::worker(format!(
                "the page speaks protocol {}, this worker {PROTOCOL}: they come from different \
                 builds of locklab (a cached worker file?); reload the page",
                protocol.map_or("none".to_string(), |p| p.to_string())
            )));
        }
        let json = Reflect::get(data, &"json".into())
            .ok()
            .and_then(|v| v.as_string())
            .ok_or_else(|| WebError::worker("a message without JSON"))?;
        let message = serde_json::from_str(&json)
            .map_err(|e| WebError::worker(format!("unreadable message: {e}")))?;
        let buffers = Reflect::get(data, &"buffers".into())
            .ok()
            .and_then(|v| v.dyn_into::<Array>().ok())
            .unwrap_or_default();
        Ok((message, buffers))
    }
}

impl FromWorker {
    /// The JSON part (without the trace events), also what error messages show.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn events_mut(&mut self) -> Option<&mut Vec<TraceEvent>> {
        match self {
            FromWorker::Events { events }
            | FromWorker::Finished { events, .. }
            | FromWorker::Alone { events, .. } => Some(events),
            _ => None,
        }
    }

    /// What a worker posts: the JSON text, or `{ json, trace }` with the events,
    /// or `{ json, file }` with a snapshot's bytes.
    pub fn to_posted(&self) -> JsValue {
        let json = JsValue::from_str(&self.to_json());
        if let FromWorker::Snapshot { file, .. } = self {
            let posted = Object::new();
            let _ = Reflect::set(&posted, &"json".into(), &json);
            let _ = Reflect::set(&posted, &"file".into(), &Uint8Array::from(file.as_slice()));
            return posted.into();
        }
        let (FromWorker::Events { events }
        | FromWorker::Finished { events, .. }
        | FromWorker::Alone { events, .. }) = self
        else {
            return json;
        };
        let posted = Object::new();
        let _ = Reflect::set(&posted, &"json".into(), &json);
        let trace = Uint8Array::from(wire::encode(events).as_slice());
        let _ = Reflect::set(&posted, &"trace".into(), &trace);
        posted.into()
    }

    /// A worker of another build says `Ready` in words this one may not read
    /// (before protocol 6 its messages were `{"type": "ready", "protocol": 5}`):
    /// its protocol, wherever it says it, makes it `Ready` all the same, so that
    /// the page can say which builds differ.
    fn of_another_protocol(json: &str) -> Option<FromWorker> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        let protocol = value
            .get("protocol")
            .or_else(|| value.get("ready")?.get("protocol"))?
            .as_u64()?;
        Some(FromWorker::Ready {
            protocol: u32::try_from(protocol).ok()?,
        })
    }

    /// What the page received, back as a message.
    pub fn from_posted(data: &JsValue) -> Result<FromWorker, WebError> {
        let (json, trace) = match data.as_string() {
            Some(json) => (json, None),
            None => (
                Reflect::get(data, &"json".into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .ok_or_else(|| WebError::worker("a message without JSON"))?,
                Reflect::get(data, &"trace".into())
                    .ok()
                    .filter(|v| !v.is_undefined()),
            ),
        };
        let mut message: FromWorker = match serde_json::from_str(&json) {
            Ok(message) => message,
            Err(e) => {
                return Self::of_another_protocol(&json)
                    .ok_or_else(|| WebError::worker(e.to_string()))
            }
        };
        if let (Some(trace), Some(events)) = (trace, message.events_mut()) {
            *events = wire::decode(&Uint8Array::new(&trace).to_vec()).map_err(WebError::worker)?;
        }
        if let FromWorker::Snapshot { file, .. } = &mut message {
            if let Ok(bytes) = Reflect::get(data, &"file".into()) {
                *file = Uint8Array::new(&bytes).to_vec();
            }
        }
        Ok(message)
    }
}

/// The SharedArrayBuffers that travel with `Setup`, `Attach` and `Inspect`, in this
/// order: the run's control words, then per database (the queue; the results
/// database when the scenario has one) its VFS words, the buffers of its file,
/// `-journal` and `-wal`, then its power-cut record (`vfs::power`: the words of
/// [`PowerCutStorage`] for those three files, and a growable buffer per file for
/// its saved blocks), then its page cache over OPFS (`vfs::page_cache`: its
/// words, and its pages after a file buffer's 8-byte header). With OPFS the file
/// buffers hold only the word that says whether the file exists. Without a
/// power cut the record's four buffers are placeholders of 8 bytes, and so are
/// the cache's two in memory storage.
pub struct SharedBuffers;

impl SharedBuffers {
    /// Control words: the layout's version, the stop flag, the writers still
    /// running, one bit per worker that the page asks to die as a crash would
    /// (killed: it stops, holding what it holds), and one bit per worker that the
    /// page asks to trap (a bug: its wasm stops with an error); then one word per
    /// process of the scenario (`processes`): its interpreter lock, 0 when free,
    /// else the holder's id + 1. `POWER_OFF` is set when the power goes off:
    /// every worker dies at its next step.
    pub const CONTROL_WORDS: usize = 6 + 16;
    pub const VERSION: usize = 0;
    pub const STOP: usize = 1;
    pub const WRITERS_LEFT: usize = 2;
    pub const KILL: usize = 3;
    pub const TRAP: usize = 4;
    pub const POWER_OFF: usize = 5;
    pub const INTERPRETER_LOCKS: usize = 6;
    /// Buffers per database: VFS words, three files, the power-cut record's
    /// words and its three files of saved blocks, the page cache's words and
    /// pages.
    pub const PER_DATABASE: usize = 10;
    /// Where a database's power-cut record starts among its buffers.
    pub const POWER_WORDS: usize = 4;
    /// Where a database's page cache starts among its buffers (words, then pages).
    pub const CACHE_WORDS: usize = 8;
    /// The pages of a run's cache per database.
    pub const CACHE_SLOTS: usize = crate::vfs::page_cache::DEFAULT_SLOTS;
    /// A placeholder's bytes (no power cut).
    pub const PLACEHOLDER_BYTES: u32 = 8;

    /// The power-cut record's words for one database's three files.
    pub fn power_words() -> usize {
        PowerCutStorage::words_for(Self::FILE_SUFFIXES.len())
    }
    pub const FILE_SUFFIXES: [&'static str; 3] = ["", "-journal", "-wal"];
    pub const DATABASES: [&'static str; 2] = ["queue.db", "results.db"];

    /// How many buffers a run of `databases` databases sends.
    pub fn count(databases: usize) -> usize {
        1 + databases * Self::PER_DATABASE
    }

    /// Check what the page sent for `databases` databases (with a power-cut
    /// record when `power_cut`): how many buffers, each a SharedArrayBuffer of
    /// the size this build expects, and the control words' version. Names the
    /// buffer that is wrong.
    pub fn check(buffers: &Array, databases: usize, power_cut: bool) -> Result<(), WebError> {
        let expected = Self::count(databases);
        if buffers.length() as usize != expected {
            return Err(WebError::worker(format!(
                "the page sent {} shared buffers, this worker expects {expected}: {}",
                buffers.length(),
                DIFFERENT_BUILDS
            )));
        }
        let size = |i: usize| -> Result<u32, WebError> {
            buffers
                .get(i as u32)
                .dyn_into::<SharedArrayBuffer>()
                .map(|b| b.byte_length())
                .map_err(|_| {
                    WebError::worker(format!("shared buffer {i} is not a SharedArrayBuffer"))
                })
        };
        let sized = |i: usize, what: &str, bytes: usize| -> Result<(), WebError> {
            let got = size(i)?;
            if got as usize == bytes {
                Ok(())
            } else {
                Err(WebError::worker(format!(
                    "shared buffer {i} ({what}) holds {got} bytes, this worker expects {bytes}: \
                     {DIFFERENT_BUILDS}"
                )))
            }
        };
        sized(0, "the run's control words", Self::CONTROL_WORDS * 4)?;
        let control = js_sys::Int32Array::new(&buffers.get(0));
        let version = js_sys::Atomics::load(&control, Self::VERSION as u32).unwrap_or(0);
        if version != PROTOCOL as i32 {
            return Err(WebError::worker(format!(
                "the run's control words are of version {version}, this worker's {PROTOCOL}: \
                 {DIFFERENT_BUILDS}"
            )));
        }
        for n in 0..databases {
            let first = 1 + n * Self::PER_DATABASE;
            let name = Self::DATABASES[n];
            sized(
                first,
                &format!("{name}'s lock table and WAL index"),
                DATABASE_WORDS * 4,
            )?;
            for k in 1..Self::PER_DATABASE {
                size(first + k)?;
            }
            if power_cut {
                sized(
                    first + Self::POWER_WORDS,
                    &format!("{name}'s power-cut record"),
                    Self::power_words() * 4,
                )?;
            }
        }
        Ok(())
    }
}

const DIFFERENT_BUILDS: &str =
    "the page and the worker come from different builds of locklab; reload the page";
