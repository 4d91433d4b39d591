//! The shared VFS: SQLite's real lock protocol and a real WAL index across
//! connections that share nothing but a block of shared words (Web Workers with
//! SharedArrayBuffers; natively, threads that each keep private WAL-index copies as
//! separate wasm instances would).
//!
//! - `shared_words`: the shared memory abstraction (atomics natively, a SAB in the browser).
//! - `lock_table`: the five lock levels and the eight shm slots, unix rules.
//! - `shm`: private WAL-index regions kept coherent with the shared copy.
//! - `shm_chunks`: which 1 KiB chunks of the shared WAL index changed, per connection.
//! - `storage`: file bytes behind one trait (memory; OPFS in the browser).
//! - `page_cache`: a page cache in shared memory over a slower storage (OPFS):
//!   writes stay in it until xSync writes them back, as the kernel's page cache.
//! - `power`: a storage a power cut can strike: writes since each file's last sync undone.
//! - `context`: whom this thread's connections belong to, and the clock it sleeps on.
//! - `database`: a database's shared words, storage and locking, attached by path.
//! - `detail`: the VFS's own words about its last failure, per thread.
//! - `same_words`: whether two word slices are equal, with wasm SIMD.
//! - `wal_size`: what a write to a WAL file says about the log (grew, started over).
//! - `sqlite`: the C callbacks.
//!
//! The VFS's unsafe code is in `sqlite` and `same_words` only (the crate denies
//! it everywhere else).
//!
//! Architecture invariant: nothing outside this module touches the shared words.

pub mod context;
pub mod database;
mod detail;
pub mod lock_table;
pub mod page_cache;
pub mod power;
#[allow(unsafe_code, reason = "wasm SIMD loads of the WAL index's words")]
mod same_words;
pub mod shared_words;
pub mod shm;
mod shm_chunks;
#[cfg(feature = "sqlite")]
#[allow(
    unsafe_code,
    reason = "SQLite calls the VFS through C function pointers"
)]
mod sqlite;
#[cfg(feature = "sqlite")]
mod stamp;
pub mod storage;
pub mod wal_size;

pub use database::{attach, detach, release_owner, SharedDatabase, DATABASE_WORDS};
pub use detail::{note_error_detail, take_error_detail};
pub use lock_table::Locking;
#[cfg(feature = "sqlite")]
pub use sqlite::register;

/// The shared VFS's name, as SQLite knows it.
pub const NAME: &str = "locklab-shared";
/// The shared VFS without shared memory for WAL's index (`shm: false`).
pub const NAME_WITHOUT_SHM: &str = "locklab-shared-noshm";
