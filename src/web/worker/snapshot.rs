//! The export `database.db`: a run's queue database as one file that the stock
//! `sqlite3` command opens. A fresh connection (the run's workers are gone) reads
//! it as they left it, which rolls back a hot journal a killed worker left; in WAL
//! mode a TRUNCATE checkpoint then moves every committed frame into the database
//! file. The file is read inside a read transaction of that connection, so no
//! other connection (the SQL console) can change it while it is copied.

use super::attach::{self, attach};
use crate::engine::schema;
use crate::scenario::Scenario;
use crate::vfs::{self, database};
use crate::web::error::WebError;
use crate::web::protocol::{FromWorker, StorageKind};
use crate::web::run_files;
use rusqlite::{Connection, OpenFlags};

/// Read run `run`'s queue database, checkpointed, as one file.
pub async fn snapshot(
    run: &str,
    scenario: &Scenario,
    storage: StorageKind,
    buffers: &js_sys::Array,
) -> FromWorker {
    let taken = async {
        attach(run, None, scenario, storage, buffers).await?;
        attach::adopt_existing_files();
        let path = run_files::database_path(run, 0);
        let queue = Connection::open_with_flags_and_vfs(
            &path,
            OpenFlags::SQLITE_OPEN_READ_WRITE,
            vfs::NAME,
        )
        .map_err(|e| WebError::database(format!("opening the queue: {e}")))?;
        read(&queue, &path)
    };
    taken
        .await
        .unwrap_or_else(|error| FromWorker::Failed { error })
}

fn read(queue: &Connection, path: &str) -> Result<FromWorker, WebError> {
    let count = || {
        schema::count_jobs(queue).map_err(|e| WebError::database(format!("counting the jobs: {e}")))
    };
    // Reading first recovers what a killed worker left (a hot journal).
    count()?;
    let journal_mode: String = queue
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .map_err(|e| WebError::database(format!("PRAGMA journal_mode: {e}")))?;
    if journal_mode == "wal" {
        let busy: i64 = queue
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| r.get(0))
            .map_err(|e| WebError::database(format!("PRAGMA wal_checkpoint(TRUNCATE): {e}")))?;
        if busy != 0 {
            return Err(WebError::database(
                "the checkpoint could not finish: another connection (the SQL \
                 console?) has a transaction open on this run's database; end it and export \
                 again",
            ));
        }
    }
    queue
        .execute_batch("BEGIN")
        .map_err(|e| WebError::database(format!("BEGIN: {e}")))?;
    let counted = (|| {
        let (jobs, done) = count()?;
        Ok::<_, WebError>((jobs, done, file_bytes(path)?))
    })();
    let _ = queue.execute_batch("COMMIT");
    let (jobs, done, file) = counted?;
    Ok(FromWorker::Snapshot {
        jobs,
        done,
        journal_mode,
        file,
    })
}

/// The bytes of the database file at `path`, as its storage holds them.
fn file_bytes(path: &str) -> Result<Vec<u8>, WebError> {
    let db = database::find(path)
        .ok_or_else(|| WebError::database(format!("{path} is not attached")))?;
    let file = db
        .storage
        .open(path, false)
        .map_err(|e| WebError::database(format!("opening {path}: {e}")))?;
    let size = file
        .size()
        .map_err(|e| WebError::database(format!("the size of {path}: {e}")))?;
    let mut bytes = vec![0; size as usize];
    let mut at = 0;
    while at < bytes.len() {
        let n = file
            .read_at(at as u64, &mut bytes[at..])
            .map_err(|e| WebError::database(format!("reading {path}: {e}")))?;
        if n == 0 {
            return Err(WebError::database(format!(
                "{path} ended at {at} of {size} bytes"
            )));
        }
        at += n;
    }
    Ok(bytes)
}
