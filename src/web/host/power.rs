//! A power cut in the page, as `native::power` plays it natively: at the
//! scenario's time the page turns the power off in every database's power-cut
//! record (`vfs::power`: nothing written from then on is kept) and sets the
//! run's `POWER_OFF` word, so every worker dies at its next step as a crash
//! would (any that does not within [`GRACE_MS`] is terminated where it is).
//! Once all are gone the page starts fresh lock tables and WAL indexes (zeroed
//! words: the shm is memory, lost with the power), and the keeper forgets its
//! connections, puts the files back as they were at their last sync and
//! recovers the databases with fresh connections. The trace ends at the cut.

use crate::scenario::Scenario;
use crate::vfs::power;
use crate::web::error::WebError;
use crate::web::protocol::{SharedBuffers, StorageKind};
use crate::web::shared_memory::sab_storage::new_file_buffer;
use crate::web::shared_memory::sab_words::SabWords;
use js_sys::{Array, Atomics, Int32Array, SharedArrayBuffer};
use wasm_bindgen::JsCast;

/// How long workers have after the power goes off to die at a step of their
/// own, before they are terminated where they are (a worker inside SQLite's busy
/// handler dies only once its wait ends).
pub(super) const GRACE_MS: u32 = 500;

/// Push one database's power-cut record (see [`SharedBuffers`]): its words and a
/// growable buffer per file for the saved blocks, or placeholders without a
/// power cut.
pub(super) fn push_record(buffers: &Array, scenario: &Scenario) -> Result<(), WebError> {
    let files = SharedBuffers::FILE_SUFFIXES.len();
    if scenario.faults.power_cut.is_none() {
        for _ in 0..=files {
            buffers.push(&SharedArrayBuffer::new(SharedBuffers::PLACEHOLDER_BYTES));
        }
        return Ok(());
    }
    buffers.push(&SabWords::new_buffer(SharedBuffers::power_words()));
    for _ in 0..files {
        let saved = new_file_buffer()
            .map_err(|e| WebError::browser(format!("cannot make a shared file buffer: {e:?}")))?;
        buffers.push(&saved);
    }
    Ok(())
}

/// The page cannot cut the power of a run in OPFS yet (its files' unsynced
/// writes are undone by the keeper through handles the page has not tried):
/// it says so instead of running the scenario without its cut.
pub(super) fn refuse(scenario: &Scenario, storage: StorageKind) -> Result<(), WebError> {
    match (scenario.faults.power_cut, storage) {
        (Some(_), StorageKind::Opfs) => Err(WebError::refused(
            "scenario field `faults`: the page cuts the power only in memory storage \
             (SharedArrayBuffers), not in OPFS; run it with {storage: \"memory\"} (the default \
             for a power cut), or natively (locklab run --vfs shared)",
        )),
        _ => Ok(()),
    }
}

fn words(buffers: &Array, at: usize) -> SabWords {
    SabWords::over(&buffers.get(at as u32).unchecked_into())
}

fn database_at(n: usize) -> usize {
    1 + n * SharedBuffers::PER_DATABASE
}

/// The power goes off in `databases` databases: nothing written from now on is
/// kept, and every worker dies at its next step (woken from its sleeps).
pub(super) fn power_off(buffers: &Array, control: &Int32Array, databases: usize) {
    for n in 0..databases {
        let record = words(buffers, database_at(n) + SharedBuffers::POWER_WORDS);
        power::power_off(&record, SharedBuffers::FILE_SUFFIXES.len());
    }
    let _ = Atomics::store(control, SharedBuffers::POWER_OFF as u32, 1);
    let _ = Atomics::notify(control, SharedBuffers::STOP as u32);
}

/// A terminated worker `owner` may have died inside a power-cut record's spin
/// lock: free it.
pub(super) fn release_owner(buffers: &Array, databases: usize, owner: u32) {
    for n in 0..databases {
        let record = words(buffers, database_at(n) + SharedBuffers::POWER_WORDS);
        power::release_owner(&record, owner);
    }
}

/// Every worker is gone: fresh lock tables and WAL indexes, as after a reboot.
pub(super) fn forget_shared_memory(buffers: &Array, databases: usize) {
    for n in 0..databases {
        let words: Int32Array = Int32Array::new(&buffers.get(database_at(n) as u32));
        words.fill(0, 0, words.length());
    }
}
