//! The page/worker protocol: one serde enum each way, sent as JSON text through
//! postMessage. Messages that need shared memory carry it beside the text: the
//! posted value is `{ json, buffers }`, with the SharedArrayBuffers in the order
//! [`SharedBuffers`] documents. Messages with trace events carry them beside the
//! text too, as bytes (`crate::trace_wire`): the posted value is `{ json, trace }`.

use crate::engine::schema::JobAudit;
use crate::report::RunReport;
use crate::trace::{Role, TraceEvent, WorkerId};
use crate::trace_wire;
use js_sys::{Object, Reflect, Uint8Array};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsValue;

/// Where the shared database's bytes live.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageKind {
    /// OPFS files shared through "readwrite-unsafe" handles: persistent, Chromium.
    Opfs,
    /// SharedArrayBuffers: every cross-origin isolated browser; gone with the page.
    Memory,
}

/// From the page to a worker.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Run a whole scenario with a single writer on this worker's own in-memory
    /// database, and answer with its report (the pipeline check of the page).
    RunAlone { scenario: serde_json::Value },
    /// Create and seed the shared database (sent to one worker, before `Run`). The
    /// worker keeps its setup connection open until `Audit`.
    Setup {
        scenario: serde_json::Value,
        storage: StorageKind,
    },
    /// Run as `worker` with `role`, on the run's clock (epoch in ms since 1970).
    Run {
        worker: WorkerId,
        role: Role,
        scenario: serde_json::Value,
        storage: StorageKind,
        epoch_ms: f64,
    },
    /// Check the invariants after the run, against the jobs the workers committed.
    Audit {
        scenario: serde_json::Value,
        storage: StorageKind,
        committed: Vec<i64>,
    },
    /// Open the database as it was left (by workers since closed) and count it.
    Inspect {
        scenario: serde_json::Value,
        storage: StorageKind,
    },
}

/// From a worker to the page.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's wasm is loaded and it listens.
    Ready,
    Report {
        report: Box<RunReport>,
    },
    SetupDone {
        sqlite_version: String,
    },
    /// Trace events recorded so far in a run (sent every 100 ms or so).
    Events {
        /// Beside the JSON, as bytes.
        #[serde(skip)]
        events: Vec<TraceEvent>,
    },
    /// A worker's run ended: why, what `PRAGMA journal_mode` said, what it did
    /// since its last `Events`.
    Finished {
        journal_mode: Option<String>,
        exit: String,
        /// Beside the JSON, as bytes.
        #[serde(skip)]
        events: Vec<TraceEvent>,
    },
    Audited {
        audit: JobAudit,
        integrity_check: String,
    },
    Inspected {
        jobs: u64,
        done: u64,
        integrity_check: String,
    },
    Failed {
        message: String,
    },
}

impl ToWorker {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl FromWorker {
    /// The JSON part (without the trace events), also what error messages show.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    fn events_mut(&mut self) -> Option<&mut Vec<TraceEvent>> {
        match self {
            FromWorker::Events { events } | FromWorker::Finished { events, .. } => Some(events),
            _ => None,
        }
    }

    /// What a worker posts: the JSON text, or `{ json, trace }` with the events.
    pub fn to_posted(&self) -> JsValue {
        let json = JsValue::from_str(&self.to_json());
        let (FromWorker::Events { events } | FromWorker::Finished { events, .. }) = self else {
            return json;
        };
        let posted = Object::new();
        let _ = Reflect::set(&posted, &"json".into(), &json);
        let trace = Uint8Array::from(trace_wire::encode(events).as_slice());
        let _ = Reflect::set(&posted, &"trace".into(), &trace);
        posted.into()
    }

    /// What the page received, back as a message.
    pub fn from_posted(data: &JsValue) -> Result<FromWorker, String> {
        let (json, trace) = match data.as_string() {
            Some(json) => (json, None),
            None => (
                Reflect::get(data, &"json".into())
                    .ok()
                    .and_then(|v| v.as_string())
                    .ok_or("a message without JSON")?,
                Reflect::get(data, &"trace".into())
                    .ok()
                    .filter(|v| !v.is_undefined()),
            ),
        };
        let mut message: FromWorker = serde_json::from_str(&json).map_err(|e| e.to_string())?;
        if let (Some(trace), Some(events)) = (trace, message.events_mut()) {
            *events = trace_wire::decode(&Uint8Array::new(&trace).to_vec())?;
        }
        Ok(message)
    }
}

/// The order of the SharedArrayBuffers that travel with `Setup`, `Run` and `Audit`:
/// the run's control words (stop flag, writers still running), then per database
/// (the queue; the results database when the scenario has one) its VFS words and
/// the buffers of its file, `-journal` and `-wal`.
pub struct SharedBuffers;

impl SharedBuffers {
    pub const CONTROL_WORDS: usize = 2;
    pub const STOP: usize = 0;
    pub const WRITERS_LEFT: usize = 1;
    /// Buffers per database: VFS words, then three files.
    pub const PER_DATABASE: usize = 4;
    pub const FILE_SUFFIXES: [&'static str; 3] = ["", "-journal", "-wal"];
    pub const QUEUE_PATH: &'static str = "/locklab/queue.db";
    pub const RESULTS_PATH: &'static str = "/locklab/results.db";
}
