//! A power cut: the storage loses every write that was not synced.
//!
//! A file system keeps what a program writes in memory and puts it on the disk
//! later; `fsync` (SQLite's xSync) is the promise that what was written so far is
//! on the disk. When the power goes off, whatever was written since a file's last
//! sync may be lost. [`PowerCutStorage`] plays the harshest such loss: every
//! write, extension and truncation made since the file's last xSync is undone.
//!
//! It wraps any [`Storage`] (memory natively, SharedArrayBuffers or OPFS in the
//! browser) and keeps, for each file it tracks (a database's file, its
//! `-journal` and its `-wal`), the file's synced image as a copy-on-write
//! record: its length at the last xSync, and the synced bytes of each 4 KiB block
//! written or cut off since then (saved into a second storage before the first
//! write over them, a bitmap saying which). An xSync clears the record; a cut
//! writes the saved blocks back and truncates the file to its synced length. Only
//! a block's first change since a sync is saved, so the order in which workers
//! wrote does not matter, and the record never outgrows the file.
//!
//! The record lives in shared words and the saved blocks in a storage every
//! worker shares, so connections in different workers (threads natively, Web
//! Workers with SharedArrayBuffers) keep one record per file, as one kernel keeps
//! one page cache per file for every process.
//!
//! File creation and deletion are kept at once, as a file system that journals
//! its metadata does: a journal deleted to commit (DELETE mode) stays deleted,
//! which SQLite guarantees only with `synchronous = EXTRA` (it syncs the
//! directory after the unlink); the WAL index (shm) is not a file here, and the
//! host discards it at the cut.
//!
//! Between the moment the power goes off ([`PowerCutStorage::power_off`]) and the
//! restore ([`PowerCutStorage::restore`]) the workers still running, which in a
//! real power loss would be gone, write into the live files as before (so what
//! they read stays coherent until they die), but their syncs are ignored and
//! their deletions dropped: the restore undoes all of it.

use super::shared_words::{ProcessWords, SharedWords, SpinGuard};
use super::storage::{MemoryStorage, Storage, StorageError, StoredFile};
use std::sync::Arc;

/// The unit the synced image is kept in.
pub const BLOCK: u64 = 4096;
/// The largest file whose synced image can be kept.
pub const MAX_FILE_BYTES: u64 = 1 << 30;
const BITMAP_WORDS: usize = (MAX_FILE_BYTES / BLOCK / 32) as usize;

// The words: a spin lock, whether the power is off, the writes dropped at the
// cut, then per tracked file its synced length (two words), its writes since
// that sync, and the bitmap of saved blocks.
const SPIN: usize = 0;
const OFF: usize = 1;
const DROPPED: usize = 2;
const HEADER: usize = 4;
const SYNCED_LO: usize = 0;
const SYNCED_HI: usize = 1;
const UNSYNCED: usize = 2;
const BITMAP: usize = 4;
const FILE_WORDS: usize = BITMAP + BITMAP_WORDS;

/// A storage whose writes since each file's last sync a power cut undoes.
pub struct PowerCutStorage {
    live: Arc<dyn Storage>,
    shared: Arc<Record>,
}

/// What every worker shares: the words, the saved blocks, the tracked names.
struct Record {
    words: Arc<dyn SharedWords>,
    saved: Arc<dyn Storage>,
    files: Vec<String>,
}

impl PowerCutStorage {
    /// Shared words one storage tracking `files` files needs.
    pub fn words_for(files: usize) -> usize {
        HEADER + files * FILE_WORDS
    }

    /// Track `files` (full names, as SQLite opens them) of `live`; `words` (at
    /// least [`PowerCutStorage::words_for`] zeroed words) and `saved` are shared
    /// by every worker of the run, as `live` is.
    pub fn new(
        live: Arc<dyn Storage>,
        saved: Arc<dyn Storage>,
        words: Arc<dyn SharedWords>,
        files: Vec<String>,
    ) -> PowerCutStorage {
        assert!(words.len() >= Self::words_for(files.len()));
        PowerCutStorage {
            live,
            shared: Arc::new(Record {
                words,
                saved,
                files,
            }),
        }
    }

    /// Natively: the record in this process's memory.
    pub fn in_memory(live: Arc<dyn Storage>, files: Vec<String>) -> PowerCutStorage {
        let words = Arc::new(ProcessWords::zeroed(Self::words_for(files.len())));
        PowerCutStorage::new(live, Arc::new(MemoryStorage::new()), words, files)
    }

    /// The power goes off: nothing written from now on is kept. Returns the
    /// writes (xWrite calls and truncations) not synced at this moment, which
    /// the restore undoes.
    pub fn power_off(&self) -> u64 {
        power_off(&*self.shared.words, self.shared.files.len())
    }

    pub fn is_off(&self) -> bool {
        self.shared.words.load(OFF) != 0
    }

    /// The power comes back: every tracked file is as it was at its last sync
    /// before the cut (a file deleted since stays deleted). Returns the writes
    /// the cut dropped. Call it once nobody uses the files any more.
    pub fn restore(&self) -> Result<u64, StorageError> {
        let dropped = self.power_off();
        let r = &*self.shared;
        let _g = SpinGuard::lock(&*r.words, SPIN);
        for (i, name) in r.files.iter().enumerate() {
            if self.live.exists(name) {
                let file = self.live.open(name, false)?;
                let synced = r.synced(i);
                let saved = r.saved.open(name, true)?;
                let mut block = vec![0u8; BLOCK as usize];
                for b in r.saved_blocks(i) {
                    let n = (synced - b * BLOCK).min(BLOCK) as usize;
                    let got = saved.read_at(b * BLOCK, &mut block[..n])?;
                    block[got..n].fill(0);
                    file.write_at(b * BLOCK, &block[..n])?;
                }
                file.truncate(synced)?;
                r.reset(i, synced);
            } else {
                r.reset(i, 0);
            }
            r.saved.delete(name)?;
        }
        r.words.store(DROPPED, 0);
        r.words.store(OFF, 0);
        Ok(dropped)
    }
}

/// [`PowerCutStorage::power_off`] from the shared words alone, for a host that
/// has the words of a storage tracking `files` files but not its storage (the
/// page, whose Web Workers hold the files).
pub fn power_off(words: &dyn SharedWords, files: usize) -> u64 {
    let _g = SpinGuard::lock(words, SPIN);
    if words.load(OFF) == 0 {
        let dropped: u64 = (0..files)
            .map(|i| words.load(HEADER + i * FILE_WORDS + UNSYNCED) as u32 as u64)
            .sum();
        words.store(DROPPED, dropped.min(i32::MAX as u64) as i32);
        words.store(OFF, 1);
    }
    words.load(DROPPED) as u64
}

/// Free the record's spin lock if `owner` holds it: a worker terminated inside
/// a write (see `vfs::release_owner`). Returns whether it did.
pub fn release_owner(words: &dyn SharedWords, owner: u32) -> bool {
    super::shared_words::free_spin_of(words, SPIN, owner)
}

impl Record {
    fn base(&self, i: usize) -> usize {
        HEADER + i * FILE_WORDS
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.files.iter().position(|f| f == name)
    }

    fn off(&self) -> bool {
        self.words.load(OFF) != 0
    }

    fn synced(&self, i: usize) -> u64 {
        let base = self.base(i);
        let lo = self.words.load(base + SYNCED_LO) as u32 as u64;
        let hi = self.words.load(base + SYNCED_HI) as u32 as u64;
        hi << 32 | lo
    }

    /// The file is `len` bytes long on the disk, and nothing since is unsynced.
    fn reset(&self, i: usize, len: u64) {
        let base = self.base(i);
        self.words.store(base + SYNCED_LO, len as u32 as i32);
        self.words
            .store(base + SYNCED_HI, (len >> 32) as u32 as i32);
        self.words.store(base + UNSYNCED, 0);
        self.words.write(base + BITMAP, &[0; BITMAP_WORDS]);
    }

    /// The blocks whose synced bytes are saved, in order.
    fn saved_blocks(&self, i: usize) -> Vec<u64> {
        let blocks = self.synced(i).div_ceil(BLOCK);
        let mut bits = vec![0u32; blocks.div_ceil(32) as usize];
        self.words.read(self.base(i) + BITMAP, &mut bits);
        (0..blocks)
            .filter(|b| bits[(b / 32) as usize] & (1 << (b % 32)) != 0)
            .collect()
    }

    /// Before bytes `from..to` of file `i` change: save the synced bytes of each
    /// block among them not saved since the last sync (only the part below the
    /// synced length: above it, the cut truncates).
    fn save(
        &self,
        i: usize,
        live: &dyn StoredFile,
        from: u64,
        to: u64,
    ) -> Result<(), StorageError> {
        let synced = self.synced(i);
        let to = to.min(synced);
        if from >= to {
            return Ok(());
        }
        if synced > MAX_FILE_BYTES {
            return Err(StorageError::full(format!(
                "power-cut storage: {} is larger than {MAX_FILE_BYTES} bytes",
                self.files[i]
            )));
        }
        let mut saved: Option<Box<dyn StoredFile>> = None;
        let mut block = vec![0u8; BLOCK as usize];
        for b in from / BLOCK..to.div_ceil(BLOCK) {
            let at = self.base(i) + BITMAP + (b / 32) as usize;
            let bits = self.words.load(at);
            if bits & (1 << (b % 32)) != 0 {
                continue;
            }
            let n = (synced - b * BLOCK).min(BLOCK) as usize;
            let got = live.read_at(b * BLOCK, &mut block[..n])?;
            block[got..n].fill(0);
            let saved = match &mut saved {
                Some(f) => f,
                None => saved.insert(self.saved.open(&self.files[i], true)?),
            };
            saved.write_at(b * BLOCK, &block[..n])?;
            self.words.store(at, bits | (1 << (b % 32)));
        }
        Ok(())
    }

    fn count_write(&self, i: usize) {
        if !self.off() {
            let at = self.base(i) + UNSYNCED;
            self.words.store(at, self.words.load(at).saturating_add(1));
        }
    }
}

impl Storage for PowerCutStorage {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        let r = &self.shared;
        let Some(i) = r.index(name) else {
            return self.live.open(name, create);
        };
        let _g = SpinGuard::lock(&*r.words, SPIN);
        let existed = self.live.exists(name);
        let file = self.live.open(name, create)?;
        if !existed {
            // A new file: empty on the disk until its first sync.
            r.reset(i, 0);
        }
        Ok(Box::new(PowerCutFile {
            file,
            index: i,
            shared: r.clone(),
        }))
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        let r = &self.shared;
        let Some(i) = r.index(name) else {
            return self.live.delete(name);
        };
        let _g = SpinGuard::lock(&*r.words, SPIN);
        if r.off() {
            // What a worker does after the cut never reaches the disk.
            return Ok(());
        }
        self.live.delete(name)?;
        r.reset(i, 0);
        Ok(())
    }
    fn exists(&self, name: &str) -> bool {
        self.live.exists(name)
    }
    fn describe(&self) -> String {
        self.live.describe()
    }
    fn write_held_back(&self) -> Result<(), StorageError> {
        self.live.write_held_back()
    }
}

/// An open tracked file.
struct PowerCutFile {
    file: Box<dyn StoredFile>,
    index: usize,
    shared: Arc<Record>,
}

impl StoredFile for PowerCutFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        self.file.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        let r = &*self.shared;
        let _g = SpinGuard::lock(&*r.words, SPIN);
        r.save(self.index, &*self.file, offset, offset + data.len() as u64)?;
        r.count_write(self.index);
        self.file.write_at(offset, data)
    }
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        let r = &*self.shared;
        let _g = SpinGuard::lock(&*r.words, SPIN);
        let len = self.file.size()?;
        r.save(self.index, &*self.file, size, len)?;
        r.count_write(self.index);
        self.file.truncate(size)
    }
    fn size(&self) -> Result<u64, StorageError> {
        self.file.size()
    }
    fn sync(&self) -> Result<(), StorageError> {
        let r = &*self.shared;
        let _g = SpinGuard::lock(&*r.words, SPIN);
        if r.off() {
            return Ok(());
        }
        self.file.sync()?;
        let len = self.file.size()?;
        // Only the bitmap's words below the old synced length can hold bits.
        let base = r.base(self.index);
        let words = r.synced(self.index).div_ceil(BLOCK).div_ceil(32) as usize;
        r.words
            .write(base + BITMAP, &vec![0; words.min(BITMAP_WORDS)]);
        r.words.store(base + SYNCED_LO, len as u32 as i32);
        r.words.store(base + SYNCED_HI, (len >> 32) as u32 as i32);
        r.words.store(base + UNSYNCED, 0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn storage() -> (PowerCutStorage, Arc<MemoryStorage>) {
        let live = Arc::new(MemoryStorage::new());
        let files = vec!["db".to_string(), "db-wal".to_string()];
        (PowerCutStorage::in_memory(live.clone(), files), live)
    }

    fn bytes(storage: &dyn Storage, name: &str) -> Vec<u8> {
        let f = storage.open(name, false).unwrap();
        let mut buf = vec![0u8; f.size().unwrap() as usize];
        f.read_at(0, &mut buf).unwrap();
        buf
    }

    /// Writes, an extension and a truncation after the last sync are undone;
    /// what was synced stays, byte for byte, whatever order the writes came in.
    #[test]
    fn a_cut_undoes_every_write_since_the_last_sync() {
        let (s, live) = storage();
        let a = s.open("db", true).unwrap();
        let synced: Vec<u8> = (0..3 * BLOCK + 100).map(|i| (i % 251) as u8).collect();
        a.write_at(0, &synced).unwrap();
        a.sync().unwrap();
        // Two handles (two connections) overwrite the same block in turn, one
        // across a block boundary, and the file grows.
        let b = s.open("db", false).unwrap();
        a.write_at(BLOCK - 10, &[1; 20]).unwrap();
        b.write_at(BLOCK - 5, &[2; 10]).unwrap();
        b.write_at(3 * BLOCK + 50, &[3; 9000]).unwrap();
        assert_ne!(bytes(&*live, "db"), synced);
        assert_eq!(s.power_off(), 3);
        assert_eq!(s.restore().unwrap(), 3);
        assert_eq!(bytes(&*live, "db"), synced);

        // A truncation since the sync comes back too; a synced change stays.
        a.write_at(0, &[9; 4]).unwrap();
        a.sync().unwrap();
        let kept = bytes(&*live, "db");
        a.truncate(10).unwrap();
        a.write_at(BLOCK * 2, &[7; 3]).unwrap();
        assert_eq!(s.restore().unwrap(), 2);
        assert_eq!(bytes(&*live, "db"), kept);
        assert_eq!(&kept[..4], &[9; 4]);
    }

    /// A file never synced is empty after the cut; after the power goes off,
    /// syncs are ignored and deletions dropped; an untracked file is untouched.
    #[test]
    fn after_the_power_goes_off_nothing_is_kept() {
        let (s, live) = storage();
        let wal = s.open("db-wal", true).unwrap();
        wal.write_at(0, &[5; 100]).unwrap();
        let db = s.open("db", true).unwrap();
        db.write_at(0, &[1; 10]).unwrap();
        db.sync().unwrap();
        let other = s.open("other", true).unwrap();
        other.write_at(0, &[4; 4]).unwrap();

        assert_eq!(s.power_off(), 1, "the WAL's write");
        db.write_at(0, &[2; 10]).unwrap();
        db.sync().unwrap();
        s.delete("db").unwrap();
        assert!(s.exists("db"), "a deletion after the cut is dropped");
        assert_eq!(s.restore().unwrap(), 1);
        assert_eq!(bytes(&*live, "db"), vec![1; 10]);
        assert_eq!(bytes(&*live, "db-wal"), Vec::<u8>::new());
        assert_eq!(bytes(&*live, "other"), vec![4; 4]);

        // The power is on again: a deletion before a cut is kept.
        s.delete("db-wal").unwrap();
        s.restore().unwrap();
        assert!(!s.exists("db-wal"));
    }
}
