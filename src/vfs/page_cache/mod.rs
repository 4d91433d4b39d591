//! A page cache in shared memory over a slower storage: OPFS is the disk, this is
//! the kernel's page cache. Every worker of a run reads and writes file bytes
//! here, so what one wrote is what the next reads the moment SQLite's lock moves
//! (nothing is written to OPFS on the way); `write_back` (xSync, the end of a run,
//! the close of the last connection) writes a file's dirty pages to the storage
//! under it, as fsync does. A worker that dies loses nothing (the cache is the
//! page's memory); a browser that dies loses what was not written back, as a
//! power cut loses the kernel's dirty pages.
//!
//! The cache is a fixed number of 4 KiB pages of file bytes (slots) in one shared
//! byte area, and their bookkeeping in shared words, all changed under one spin
//! lock: a hash table from (file, block) to slot; each slot on exactly one list
//! (free, the clean pages from most to least recently used, its file's dirty
//! pages, or its file's pages being written back); each file's size and its sync
//! lock. A write-back (`sync.rs`) holds the cache's lock only to copy the file's
//! dirty pages and, after writing them to the storage outside it, to mark them
//! clean: other workers read and write the cache meanwhile. A new page takes a free slot, else the least
//! recently used clean page; when every page is dirty, all of them are written
//! back first (what the kernel does under memory pressure: SQLite assumes any
//! write may reach the disk before a sync, atomiccommit.html §2). So the cache
//! never holds more than its slots, however long the run.
//!
//! Invariants: every byte of a file below its size is in a slot or, if in none,
//! in the storage under; the storage holds no byte at or past the file's size
//! that a slot does not; a slot's bytes past its file's size are zeros; a page
//! being written back has the bytes the write-back copied (a write moves it to
//! the dirty pages), and is never reused before the write-back has ended.
//!
//! `storage.rs` puts it behind the `Storage` trait (`CachedStorage`).

mod lists;
pub mod storage;
mod sync;

use super::shared_words::{free_spin_of, SharedWords, SpinGuard};
use super::storage::{StorageError, StoredFile};
use lists::{List, FREE, LRU};
use std::sync::{Arc, Mutex};

pub use storage::CachedStorage;

/// A page of the cache: a 4 KiB block of a file, as the kernel's.
pub const PAGE: usize = 4096;
/// Files a cache serves: a database, its `-journal`, its `-wal`.
pub const MAX_FILES: usize = 3;
/// The slots of a run's cache per database in the browser: 16 MiB of pages.
pub const DEFAULT_SLOTS: usize = 4096;

/// Header words: the spin lock, slots handed out so far, pages written back
/// (a count for tests and the curious), then the lists, then per file whether
/// its size is known, its size in bytes (low, high word) and its sync lock (a
/// spin lock held through a write-back, taken before the cache's lock).
const SPIN: usize = 0;
const HANDED_OUT: usize = 1;
const WRITTEN_BACK: usize = 2;
const FILES_AT: usize = lists::END;
const FILE_WORDS: usize = 4;
const SYNC_LOCK: usize = 3;
const HEADER: usize = FILES_AT + MAX_FILES * FILE_WORDS;

/// A slot's words: its file + 1 (0: none), its block, its state, the next slot
/// of its hash chain, and its neighbours on its list (each slot + 1, 0: none).
const TAG: usize = 0;
const BLOCK: usize = 1;
const STATE: usize = 2;
const HNEXT: usize = 3;
const SLOT_WORDS: usize = 6;
const FREE_SLOT: i32 = 0;
const CLEAN: i32 = 1;
const DIRTY: i32 = 2;
const SYNCING: i32 = 3;

/// The word of `file`'s sync lock.
fn sync_word(file: usize) -> usize {
    FILES_AT + file * FILE_WORDS + SYNC_LOCK
}

/// Why an operation under the cache's lock stopped.
enum Fault {
    Storage(StorageError),
    /// Every page is dirty or being written back, and `file`'s write-back holds
    /// its sync lock: wait for it outside the cache's lock, then try again.
    SyncBusy(usize),
}

impl From<StorageError> for Fault {
    fn from(e: StorageError) -> Fault {
        Fault::Storage(e)
    }
}

/// The most blocks written back in one write to the storage under.
const MAX_RUN_BLOCKS: usize = 256;

/// Where a cache's words and bytes go, for `slots` pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout {
    pub slots: usize,
    buckets: usize,
}

impl Layout {
    pub fn new(slots: usize) -> Layout {
        Layout {
            slots: slots.max(1),
            buckets: (slots.max(1) * 2).next_power_of_two(),
        }
    }
    /// The shared words the cache needs.
    pub fn words(&self) -> usize {
        HEADER + self.buckets + self.slots * SLOT_WORDS
    }
    /// The shared bytes its pages need.
    pub fn bytes(&self) -> usize {
        self.slots * PAGE
    }
    fn slot(&self, s: usize) -> usize {
        HEADER + self.buckets + s * SLOT_WORDS
    }
}

/// The files under the cache, by index: what a miss reads and a write-back writes.
pub trait Backing {
    fn size(&self, file: usize) -> Result<u64, StorageError>;
    fn read(&self, file: usize, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError>;
    fn write(&self, file: usize, offset: u64, data: &[u8]) -> Result<(), StorageError>;
    fn truncate(&self, file: usize, size: u64) -> Result<(), StorageError>;
    /// Every write made so far is in the storage, where another worker reads it
    /// (a storage that holds writes back makes them now).
    fn settle(&self) -> Result<(), StorageError>;
    /// `pages` pages of `file` were written back, from `start_us` (the trace's).
    fn written_back(&self, file: usize, pages: u32, start_us: Option<u64>);
}

/// How many pages the cache holds, clean and dirty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub clean: usize,
    pub dirty: usize,
    pub written_back: u64,
}

/// One cache: its shared words and its shared bytes (natively a `MemoryFile`,
/// in the browser a SharedArrayBuffer), seen by one worker.
pub struct PageCache {
    words: Arc<dyn SharedWords>,
    data: Mutex<Box<dyn StoredFile>>,
    layout: Layout,
}

/// Free the cache's spin locks (its own and the files' sync locks) that `owner`,
/// a worker that died, held.
pub fn release_owner(words: &dyn SharedWords, owner: u32) -> bool {
    let files = (0..MAX_FILES).filter(|f| free_spin_of(words, sync_word(*f), owner));
    (files.count() > 0) | free_spin_of(words, SPIN, owner)
}

impl PageCache {
    /// A cache of `slots` pages over `words` (at least `Layout::words`, zeroed
    /// before first use) and `data` (at least `Layout::bytes`).
    pub fn new(
        words: Arc<dyn SharedWords>,
        data: Box<dyn StoredFile>,
        slots: usize,
    ) -> Result<PageCache, StorageError> {
        let layout = Layout::new(slots);
        if words.len() < layout.words() {
            return Err(StorageError::io(format!(
                "page cache: {} shared words, {} needed",
                words.len(),
                layout.words()
            )));
        }
        if data.size()? < layout.bytes() as u64 {
            data.truncate(layout.bytes() as u64)?;
        }
        Ok(PageCache {
            words,
            data: Mutex::new(data),
            layout,
        })
    }

    pub fn layout(&self) -> Layout {
        self.layout
    }

    /// Free the spin lock if `owner`, a worker that died, held it.
    pub fn release_owner(&self, owner: u32) -> bool {
        release_owner(&*self.words, owner)
    }

    /// Take the cache's spin lock.
    fn lock(&self) -> Locked<'_> {
        Locked {
            cache: self,
            _guard: SpinGuard::lock(&*self.words, SPIN),
        }
    }

    /// Take `file`'s sync lock (before the cache's, never after).
    fn sync_lock(&self, file: usize) -> SpinGuard<'_> {
        SpinGuard::lock(&*self.words, sync_word(file))
    }

    /// Run `op` under the cache's lock until no write-back is in its way.
    fn locked<T>(
        &self,
        mut op: impl FnMut(&Locked) -> Result<T, Fault>,
    ) -> Result<T, StorageError> {
        loop {
            let result = op(&self.lock());
            match result {
                Ok(v) => return Ok(v),
                Err(Fault::Storage(e)) => return Err(e),
                Err(Fault::SyncBusy(file)) => drop(self.sync_lock(file)),
            }
        }
    }

    pub fn counts(&self) -> Counts {
        let l = self.lock();
        let dirty = (0..MAX_FILES)
            .map(|f| l.list(List::dirty(f)).count() + l.list(List::syncing(f)).count())
            .sum();
        Counts {
            clean: l.list(LRU).count(),
            dirty,
            written_back: l.get(WRITTEN_BACK) as u32 as u64,
        }
    }

    pub fn size(&self, file: usize, backing: &dyn Backing) -> Result<u64, StorageError> {
        self.lock().size(file, backing)
    }
    pub fn read(
        &self,
        file: usize,
        offset: u64,
        buf: &mut [u8],
        backing: &dyn Backing,
    ) -> Result<usize, StorageError> {
        self.locked(|l| l.read(file, offset, buf, backing))
    }
    pub fn write(
        &self,
        file: usize,
        offset: u64,
        data: &[u8],
        backing: &dyn Backing,
    ) -> Result<(), StorageError> {
        self.locked(|l| l.write(file, offset, data, backing))
    }
    pub fn truncate(
        &self,
        file: usize,
        size: u64,
        backing: &dyn Backing,
    ) -> Result<(), StorageError> {
        let _sync = self.sync_lock(file);
        self.lock().truncate(file, size, backing)
    }
    /// The file is gone: its pages are dropped, dirty or not, and its size is 0.
    pub fn forget(&self, file: usize) {
        let _sync = self.sync_lock(file);
        let l = self.lock();
        l.drop_from(file, 0);
        l.set_size(file, 0);
    }
}

/// The cache with its spin lock held: every change to it is made through this.
struct Locked<'a> {
    cache: &'a PageCache,
    _guard: SpinGuard<'a>,
}

impl Locked<'_> {
    fn get(&self, i: usize) -> i32 {
        self.cache.words.load(i)
    }
    fn set(&self, i: usize, v: i32) {
        self.cache.words.store(i, v)
    }
    fn slot_word(&self, s: usize, field: usize) -> i32 {
        self.get(self.cache.layout.slot(s) + field)
    }
    fn set_slot_word(&self, s: usize, field: usize, v: i32) {
        self.set(self.cache.layout.slot(s) + field, v)
    }

    fn size(&self, file: usize, backing: &dyn Backing) -> Result<u64, StorageError> {
        let at = FILES_AT + file * FILE_WORDS;
        if self.get(at) == 0 {
            let size = backing.size(file)?;
            self.set_size(file, size);
        }
        let (lo, hi) = (self.get(at + 1) as u32, self.get(at + 2) as u32);
        Ok(u64::from(hi) << 32 | u64::from(lo))
    }
    fn set_size(&self, file: usize, size: u64) {
        let at = FILES_AT + file * FILE_WORDS;
        self.set(at + 1, size as u32 as i32);
        self.set(at + 2, (size >> 32) as u32 as i32);
        self.set(at, 1);
    }

    fn bucket(&self, file: usize, block: u32) -> usize {
        let h = (block ^ (file as u32) << 29).wrapping_mul(0x9E37_79B1);
        HEADER + ((h ^ h >> 15) as usize & (self.cache.layout.buckets - 1))
    }
    fn lookup(&self, file: usize, block: u32) -> Option<usize> {
        let mut s = self.get(self.bucket(file, block));
        while s != 0 {
            let slot = s as usize - 1;
            if self.slot_word(slot, TAG) == file as i32 + 1
                && self.slot_word(slot, BLOCK) as u32 == block
            {
                return Some(slot);
            }
            s = self.slot_word(slot, HNEXT);
        }
        None
    }
    fn hash_insert(&self, s: usize, file: usize, block: u32) {
        let b = self.bucket(file, block);
        self.set_slot_word(s, TAG, file as i32 + 1);
        self.set_slot_word(s, BLOCK, block as i32);
        self.set_slot_word(s, HNEXT, self.get(b));
        self.set(b, s as i32 + 1);
    }
    fn hash_remove(&self, s: usize) {
        let file = self.slot_word(s, TAG) as usize - 1;
        let mut at = self.bucket(file, self.slot_word(s, BLOCK) as u32);
        loop {
            let next = self.get(at);
            if next == 0 {
                return;
            }
            if next as usize - 1 == s {
                self.set(at, self.slot_word(s, HNEXT));
                self.set_slot_word(s, TAG, 0);
                return;
            }
            at = self.cache.layout.slot(next as usize - 1) + HNEXT;
        }
    }

    /// The list slot `s` is on, by its state.
    fn list_of(&self, s: usize) -> List {
        match self.slot_word(s, STATE) {
            CLEAN => LRU,
            DIRTY => List::dirty(self.slot_word(s, TAG) as usize - 1),
            SYNCING => List::syncing(self.slot_word(s, TAG) as usize - 1),
            _ => FREE,
        }
    }

    /// A slot for a new page, on no list and in no hash chain.
    fn allocate(&self, backing: &dyn Backing) -> Result<usize, Fault> {
        if let Some(s) = self.list(FREE).pop_back() {
            return Ok(s);
        }
        let handed = self.get(HANDED_OUT) as usize;
        if handed < self.cache.layout.slots {
            self.set(HANDED_OUT, handed as i32 + 1);
            return Ok(handed);
        }
        if self.list(LRU).count() == 0 {
            let mut busy = None;
            for file in 0..MAX_FILES {
                // Another worker's write-back of this file may still write pages
                // that are dirty again: its pages must wait for it.
                match SpinGuard::try_lock(&*self.cache.words, sync_word(file)) {
                    Some(_sync) => self.write_back_here(file, backing)?,
                    None => busy = Some(file),
                }
            }
            if let (0, Some(file)) = (self.list(LRU).count(), busy) {
                return Err(Fault::SyncBusy(file));
            }
        }
        let s = self
            .list(LRU)
            .pop_back()
            .ok_or_else(|| StorageError::io("page cache: no page to reuse"))?;
        self.hash_remove(s);
        self.set_slot_word(s, STATE, FREE_SLOT);
        Ok(s)
    }

    /// The slot of `block` of `file`, read in from the storage under if it is not
    /// cached (with zeros past the file's `size`). With `fill` false the caller
    /// overwrites the whole page, and a new one is left as it is.
    fn page(
        &self,
        file: usize,
        block: u32,
        fill: bool,
        size: u64,
        backing: &dyn Backing,
    ) -> Result<usize, Fault> {
        if let Some(s) = self.lookup(file, block) {
            return Ok(s);
        }
        let s = self.allocate(backing)?;
        if fill {
            let mut bytes = [0u8; PAGE];
            let start = u64::from(block) * PAGE as u64;
            if start < size {
                let n = backing.read(file, start, &mut bytes)?;
                let valid = n.min((size - start) as usize);
                bytes[valid..].fill(0);
            }
            self.data_write(s, 0, &bytes)?;
        }
        self.hash_insert(s, file, block);
        self.set_slot_word(s, STATE, CLEAN);
        self.list(LRU).push_front(s);
        Ok(s)
    }

    fn data_write(&self, s: usize, within: usize, bytes: &[u8]) -> Result<(), StorageError> {
        let data = self.cache.data.lock().unwrap_or_else(|p| p.into_inner());
        data.write_at((s * PAGE + within) as u64, bytes)
    }
    fn data_read(&self, s: usize, within: usize, out: &mut [u8]) -> Result<(), StorageError> {
        let data = self.cache.data.lock().unwrap_or_else(|p| p.into_inner());
        let n = data.read_at((s * PAGE + within) as u64, out)?;
        out[n..].fill(0);
        Ok(())
    }

    fn read(
        &self,
        file: usize,
        offset: u64,
        buf: &mut [u8],
        backing: &dyn Backing,
    ) -> Result<usize, Fault> {
        let size = self.size(file, backing)?;
        if offset >= size {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(size - offset) as usize;
        let mut done = 0;
        while done < n {
            let at = offset + done as u64;
            let (block, within) = ((at / PAGE as u64) as u32, (at % PAGE as u64) as usize);
            let k = (PAGE - within).min(n - done);
            let s = self.page(file, block, true, size, backing)?;
            if self.slot_word(s, STATE) == CLEAN {
                self.list(LRU).move_to_front(s);
            }
            self.data_read(s, within, &mut buf[done..done + k])?;
            done += k;
        }
        Ok(n)
    }

    fn write(
        &self,
        file: usize,
        offset: u64,
        data: &[u8],
        backing: &dyn Backing,
    ) -> Result<(), Fault> {
        let size = self.size(file, backing)?;
        // The new size first: a write-back that makes room mid-write (of this
        // file too) writes this write's pages whole.
        let end = offset + data.len() as u64;
        if end > size {
            self.set_size(file, end);
        }
        let mut done = 0;
        while done < data.len() {
            let at = offset + done as u64;
            let (block, within) = ((at / PAGE as u64) as u32, (at % PAGE as u64) as usize);
            let k = (PAGE - within).min(data.len() - done);
            let s = self.page(file, block, k < PAGE, size, backing)?;
            self.data_write(s, within, &data[done..done + k])?;
            if self.slot_word(s, STATE) != DIRTY {
                // Clean, or being written back with the bytes it had before.
                self.list(self.list_of(s)).remove(s);
                self.set_slot_word(s, STATE, DIRTY);
                self.list(List::dirty(file)).push_front(s);
            }
            done += k;
        }
        Ok(())
    }

    fn truncate(&self, file: usize, size: u64, backing: &dyn Backing) -> Result<(), StorageError> {
        let old = self.size(file, backing)?;
        if size < old {
            self.drop_from(file, size.div_ceil(PAGE as u64) as u32);
            let within = (size % PAGE as u64) as usize;
            if within != 0 {
                if let Some(s) = self.lookup(file, (size / PAGE as u64) as u32) {
                    self.data_write(s, within, &[0u8; PAGE][within..])?;
                }
            }
        }
        self.set_size(file, size);
        if backing.size(file)? > size {
            backing.truncate(file, size)?;
        }
        Ok(())
    }

    /// Drop `file`'s pages from block `first` on, dirty or not.
    fn drop_from(&self, file: usize, first: u32) {
        let handed = self.get(HANDED_OUT) as usize;
        let at = FILES_AT + file * FILE_WORDS;
        let size = u64::from(self.get(at + 2) as u32) << 32 | u64::from(self.get(at + 1) as u32);
        let last = size.div_ceil(PAGE as u64) as u32;
        let drop = |s: usize| {
            self.list(self.list_of(s)).remove(s);
            self.hash_remove(s);
            self.set_slot_word(s, STATE, FREE_SLOT);
            self.list(FREE).push_front(s);
        };
        if (last.saturating_sub(first) as usize) < handed {
            for block in first..last {
                if let Some(s) = self.lookup(file, block) {
                    drop(s);
                }
            }
        } else {
            for s in 0..handed {
                if self.slot_word(s, TAG) == file as i32 + 1
                    && self.slot_word(s, BLOCK) as u32 >= first
                {
                    drop(s);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
