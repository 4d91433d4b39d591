//! The SharedArrayBuffers that travel beside the page's messages, and the
//! worker's check of them.

use super::PROTOCOL;
use crate::vfs::power::PowerCutStorage;
use crate::vfs::DATABASE_WORDS;
use crate::web::error::WebError;
use js_sys::{Array, SharedArrayBuffer};
use wasm_bindgen::JsCast;

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
