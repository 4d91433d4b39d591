//! Errors that are not lock errors end the run: a storage that fails under the
//! shared VFS gives a report with outcome "failed", SQLite's code name and the
//! storage's own words, after one failing statement per worker, not a retry storm.

mod common;

use locklab::analysis::report::{Outcome, RunReport};
use locklab::native::{self, RunOptions, Vfs};
use locklab::scenario::Scenario;
use locklab::trace::{self, EventKind, TraceEvent};
use locklab::vfs::storage::{MemoryStorage, Storage, StorageError, StoredFile};
use serde_json::json;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Memory files whose writes by the workers fail once the workers have made
/// `allowed` writes (the host's seeding and audit are never refused).
struct FailingStorage {
    inner: MemoryStorage,
    left: Arc<AtomicI64>,
    error: StorageError,
}

struct FailingFile {
    inner: Box<dyn StoredFile>,
    left: Arc<AtomicI64>,
    error: StorageError,
}

impl Storage for FailingStorage {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        Ok(Box::new(FailingFile {
            inner: self.inner.open(name, create)?,
            left: self.left.clone(),
            error: self.error.clone(),
        }))
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        self.inner.delete(name)
    }
    fn exists(&self, name: &str) -> bool {
        self.inner.exists(name)
    }
    fn describe(&self) -> String {
        "memory that fails".into()
    }
}

impl StoredFile for FailingFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        self.inner.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        // Only a worker's thread records a trace.
        if trace::current_worker().is_some() && self.left.fetch_sub(1, Ordering::SeqCst) <= 0 {
            return Err(self.error.clone());
        }
        self.inner.write_at(offset, data)
    }
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        self.inner.truncate(size)
    }
    fn size(&self) -> Result<u64, StorageError> {
        self.inner.size()
    }
    fn sync(&self) -> Result<(), StorageError> {
        self.inner.sync()
    }
}

fn run_failing(error: StorageError, journal_mode: &str) -> (RunReport, Vec<TraceEvent>) {
    let scenario = Scenario::from_value(&json!({"workers": 4, "jobs": 2000,
        "transaction": "short", "begin": "immediate", "journal_mode": journal_mode,
        "busy_timeout_ms": 5000, "work_ms": 0, "retry_delay_ms": 1, "time_limit_ms": 60000}))
    .unwrap();
    let storage = FailingStorage {
        inner: MemoryStorage::new(),
        left: Arc::new(AtomicI64::new(200)),
        error,
    };
    let run = native::run(
        &scenario,
        &RunOptions {
            vfs: Vfs::Shared,
            storage: Some(Arc::new(storage)),
            ..Default::default()
        },
    )
    .expect("the run takes place");
    (run.report, run.events)
}

/// The failing statements of the run, by error name: all of them, whatever kind.
fn failing_statements(events: &[TraceEvent]) -> Vec<(u32, String)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Error { name, .. } => Some((e.worker, name.to_string())),
            _ => None,
        })
        .collect()
}

fn assert_failed_once_per_worker_at_most(report: &RunReport, events: &[TraceEvent], name: &str) {
    assert_eq!(report.outcome, Outcome::Failed, "{:?}", report.errors);
    let failure = report
        .failure
        .as_ref()
        .expect("a failed run names its failure");
    assert!(failure.name.starts_with(name), "{failure:?}");
    assert_eq!(failure.code, failure.extended & 0xff);
    let failing: Vec<_> = failing_statements(events)
        .into_iter()
        .filter(|(_, n)| !n.starts_with("SQLITE_BUSY"))
        .collect();
    assert!(
        !failing.is_empty() && failing.len() <= 4,
        "one failing statement per worker at most, not a retry storm: {failing:?}"
    );
    for w in 0..4 {
        assert!(
            failing.iter().filter(|(worker, _)| *worker == w).count() <= 1,
            "worker {w} retried: {failing:?}"
        );
    }
    assert!(
        report.jobs.done < report.jobs.seeded,
        "the run ended early: {:?}",
        report.jobs
    );
    // What was committed before the failure is still there.
    assert_eq!((report.jobs.double_claimed, report.jobs.lost), (0, 0));
}

#[test]
fn a_full_storage_ends_the_run_with_sqlite_full_and_the_storages_words() {
    for journal_mode in ["delete", "wal"] {
        let (report, events) = run_failing(
            StorageError::full("test storage: quota of 200 writes used up"),
            journal_mode,
        );
        assert_failed_once_per_worker_at_most(&report, &events, "SQLITE_FULL");
        let failure = report.failure.as_ref().unwrap();
        assert!(
            failure
                .message
                .contains("(storage: test storage: quota of 200 writes used up)"),
            "{journal_mode}: {failure:?}"
        );
        assert!(
            report.error_count("SQLITE_FULL") >= 1,
            "{:?}",
            report.errors
        );
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["outcome"], "failed");
        assert_eq!(json["failure"]["name"], "SQLITE_FULL");
        assert!(json["failure"]["step"].is_string());
    }
}

#[test]
fn an_io_error_ends_the_run_with_its_ioerr_code_and_message() {
    let (report, events) = run_failing(
        StorageError::io("test storage: the device went away"),
        "delete",
    );
    assert_failed_once_per_worker_at_most(&report, &events, "SQLITE_IOERR");
    let failure = report.failure.as_ref().unwrap();
    assert!(
        failure
            .message
            .starts_with("disk I/O error (storage: test storage: the device went away)"),
        "{failure:?}"
    );
}

#[test]
fn a_run_that_did_not_fail_has_a_null_failure() {
    let run = common::run_on(Vfs::Shared, json!({"workers": 2, "jobs": 20}));
    assert_eq!(run.report.outcome, Outcome::Completed);
    let json = serde_json::to_value(&run.report).unwrap();
    assert!(json["failure"].is_null(), "{}", json["failure"]);
}
