//! The web side's errors, as the core's carry a code and a message: a kind, what
//! failed (so that code can tell a refused argument from a dead worker without
//! reading words), and a message, what a person reads. The automation API
//! rejects with the message alone, as it always has.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebErrorKind {
    /// What a caller passed (an argument, a link, a scenario) is not what the
    /// call takes.
    Refused,
    /// The browser lacks or refused something: OPFS, a Web Lock, a shared
    /// buffer, a Blob, a canvas, a download.
    Browser,
    /// A Web Worker died, did not answer, or answered out of turn; or a message
    /// between the page and a worker could not be read.
    Worker,
    /// SQLite or the run's storage failed inside a worker.
    Database,
    /// What was asked needs a run there is none of (nothing to reopen or query).
    NoRun,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebError {
    pub kind: WebErrorKind,
    pub message: String,
}

impl WebError {
    pub fn new(kind: WebErrorKind, message: impl Into<String>) -> WebError {
        WebError {
            kind,
            message: message.into(),
        }
    }
    pub fn refused(message: impl Into<String>) -> WebError {
        WebError::new(WebErrorKind::Refused, message)
    }
    pub fn browser(message: impl Into<String>) -> WebError {
        WebError::new(WebErrorKind::Browser, message)
    }
    pub fn worker(message: impl Into<String>) -> WebError {
        WebError::new(WebErrorKind::Worker, message)
    }
    pub fn database(message: impl Into<String>) -> WebError {
        WebError::new(WebErrorKind::Database, message)
    }
    pub fn no_run(message: impl Into<String>) -> WebError {
        WebError::new(WebErrorKind::NoRun, message)
    }

    /// The same error, its message after `context`: "run B: ...".
    pub fn within(self, context: &str) -> WebError {
        WebError {
            message: format!("{context}: {}", self.message),
            ..self
        }
    }
}

impl fmt::Display for WebError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for WebError {}
