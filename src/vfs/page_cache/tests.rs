//! The page cache natively: workers are threads, each with its own `CachedStorage`
//! over the same shared words and bytes (as Web Workers each wrap the same
//! SharedArrayBuffers), and a `MemoryStorage` plays OPFS, the disk under.

use super::*;
use crate::trace::DbFile;
use crate::vfs::shared_words::ProcessWords;
use crate::vfs::storage::{MemoryStorage, Storage};

const NAMES: [&str; 3] = ["/t/q.db", "/t/q.db-journal", "/t/q.db-wal"];

/// What every worker of a run shares: the cache's words and bytes, and the disk.
struct Shared {
    words: Arc<ProcessWords>,
    bytes: MemoryStorage,
    disk: Arc<MemoryStorage>,
    slots: usize,
}

impl Shared {
    fn new(slots: usize) -> Shared {
        Shared {
            words: Arc::new(ProcessWords::zeroed(Layout::new(slots).words())),
            bytes: MemoryStorage::new(),
            disk: Arc::new(MemoryStorage::new()),
            slots,
        }
    }
    /// One worker's view of the cache.
    fn worker(&self) -> CachedStorage {
        self.worker_over(self.disk.clone())
    }
    /// One worker's view of the cache over `disk`.
    fn worker_over(&self, disk: Arc<dyn Storage>) -> CachedStorage {
        let cache = PageCache::new(
            self.words.clone(),
            self.bytes.open("pages", true).unwrap(),
            self.slots,
        )
        .unwrap();
        let names = NAMES.iter().map(|n| n.to_string()).collect();
        CachedStorage::new(cache, disk, names, DbFile::Queue)
    }
    fn on_disk(&self, name: &str) -> Vec<u8> {
        read_all(&*self.disk, name)
    }
}

fn read_all(storage: &dyn Storage, name: &str) -> Vec<u8> {
    if !storage.exists(name) {
        return Vec::new();
    }
    let f = storage.open(name, false).unwrap();
    let mut out = vec![0; f.size().unwrap() as usize];
    assert_eq!(f.read_at(0, &mut out).unwrap(), out.len());
    out
}

/// A little pseudo-random generator (xorshift), so runs repeat.
struct Rng(u64);
impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

#[test]
fn what_one_worker_writes_the_next_reads_once_the_lock_moves_with_nothing_on_disk() {
    let shared = Shared::new(64);
    let (to_reader, lock_moved) = std::sync::mpsc::channel();
    std::thread::scope(|s| {
        let shared = &shared;
        s.spawn(move || {
            let w = shared.worker();
            let f = w.open(NAMES[2], true).unwrap();
            // A WAL frame: a 24-byte header, then its page, across two blocks.
            f.write_at(32, &[7u8; 24]).unwrap();
            f.write_at(56, &[9u8; 4096]).unwrap();
            to_reader.send(()).unwrap(); // the lock moves
        });
        s.spawn(move || {
            lock_moved.recv().unwrap();
            let r = shared.worker();
            let f = r.open(NAMES[2], false).unwrap();
            assert_eq!(f.size().unwrap(), 56 + 4096);
            let mut frame = vec![0u8; 24 + 4096];
            assert_eq!(f.read_at(32, &mut frame).unwrap(), frame.len());
            assert!(frame[..24].iter().all(|&b| b == 7));
            assert!(frame[24..].iter().all(|&b| b == 9));
        });
    });
    assert!(
        shared.on_disk(NAMES[2]).is_empty(),
        "no sync, nothing on disk"
    );
    assert_eq!(shared.worker().counts().dirty, 2);
}

#[test]
fn a_killed_worker_loses_nothing_even_inside_the_cache_lock() {
    let shared = Shared::new(16);
    std::thread::scope(|s| {
        s.spawn(|| {
            let w = shared.worker();
            w.open(NAMES[0], true)
                .unwrap()
                .write_at(0, &[5u8; 8192])
                .unwrap();
            // It dies: no sync, no close, and inside the cache's spin lock.
            std::mem::forget(SpinGuard::lock_as(&*shared.words, SPIN, 3));
            std::mem::forget(w);
        });
    });
    // The host releases what the dead worker held; a survivor reads its writes.
    assert!(release_owner(&*shared.words, 3));
    let survivor = shared.worker();
    let mut page = vec![0u8; 8192];
    let f = survivor.open(NAMES[0], false).unwrap();
    assert_eq!(f.read_at(0, &mut page).unwrap(), 8192);
    assert!(page.iter().all(|&b| b == 5));
    f.sync().unwrap();
    assert_eq!(shared.on_disk(NAMES[0]), page);
}

#[test]
fn xsync_leaves_the_disk_equal_to_the_cache() {
    let shared = Shared::new(32);
    let w = shared.worker();
    let f = w.open(NAMES[0], true).unwrap();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut model = Vec::new();
    for round in 0..20 {
        for _ in 0..30 {
            let at = rng.below(60_000) as usize;
            let len = 1 + rng.below(5000) as usize;
            let byte = (round * 31 + at) as u8;
            f.write_at(at as u64, &vec![byte; len]).unwrap();
            if model.len() < at + len {
                model.resize(at + len, 0);
            }
            model[at..at + len].fill(byte);
        }
        if round % 4 == 3 {
            let size = rng.below(model.len() as u64 + 1) as usize;
            f.truncate(size as u64).unwrap();
            model.truncate(size);
        }
        f.sync().unwrap();
        assert!(shared.on_disk(NAMES[0]) == model, "round {round}: disk");
        assert!(read_all(&w, NAMES[0]) == model, "round {round}: cache");
        assert_eq!(w.counts().dirty, 0);
    }
}

#[test]
fn the_bound_holds_under_a_long_run_of_several_workers() {
    let slots = 24;
    let shared = Shared::new(slots);
    let workers: Vec<CachedStorage> = (0..3).map(|_| shared.worker()).collect();
    let mut models = vec![Vec::<u8>::new(); NAMES.len()];
    let mut rng = Rng(42);
    for step in 0..6000u32 {
        let w = &workers[rng.below(3) as usize];
        let file = rng.below(3) as usize;
        let f = w.open(NAMES[file], true).unwrap();
        let model = &mut models[file];
        match rng.below(100) {
            0..=49 => {
                let at = rng.below(400_000) as usize;
                let len = 1 + rng.below(9000) as usize;
                let byte = step as u8 | 1;
                f.write_at(at as u64, &vec![byte; len]).unwrap();
                if model.len() < at + len {
                    model.resize(at + len, 0);
                }
                model[at..at + len].fill(byte);
            }
            50..=89 => {
                let at = rng.below(model.len() as u64 + 1) as usize;
                let mut buf = vec![0xAA; 1 + rng.below(6000) as usize];
                let n = f.read_at(at as u64, &mut buf).unwrap();
                let want = &model[at..(at + buf.len()).min(model.len())];
                assert!(&buf[..n] == want, "step {step}: read {n} at {at} differs");
            }
            90..=94 => {
                let size = rng.below(model.len() as u64 + 1) as usize;
                f.truncate(size as u64).unwrap();
                model.truncate(size);
            }
            95..=97 => f.sync().unwrap(),
            _ => {
                w.delete(NAMES[file]).unwrap();
                model.clear();
            }
        }
        let counts = w.counts();
        assert!(
            counts.clean + counts.dirty <= slots,
            "step {step}: {counts:?} in {slots} slots"
        );
    }
    let last = shared.worker();
    assert!(last.counts().written_back > 0, "pressure wrote pages back");
    last.sync_all().unwrap();
    for (name, model) in NAMES.iter().zip(&models) {
        assert!(&read_all(&last, name) == model, "{name} through the cache");
        assert!(
            &shared.on_disk(name) == model,
            "{name} on disk after sync_all"
        );
    }
}

/// A disk whose writes wait at a gate until the test opens it, so a test can
/// look at the cache while a write-back is inside the storage under.
#[derive(Default)]
struct Gate {
    closed: std::sync::Mutex<bool>,
    opened: std::sync::Condvar,
    entered: std::sync::atomic::AtomicBool,
}

impl Gate {
    fn open(&self) {
        *self.closed.lock().unwrap() = false;
        self.opened.notify_all();
    }
    /// Close the gate until the guard goes (a failing test must not leave a
    /// write-back waiting at it for ever).
    fn closed(&self) -> impl Drop + '_ {
        *self.closed.lock().unwrap() = true;
        struct Opens<'g>(&'g Gate);
        impl Drop for Opens<'_> {
            fn drop(&mut self) {
                self.0.open();
            }
        }
        Opens(self)
    }
    fn wait_entered(&self) {
        while !self.entered.load(std::sync::atomic::Ordering::SeqCst) {
            std::thread::yield_now();
        }
    }
}

struct GatedDisk {
    under: Arc<MemoryStorage>,
    gate: Arc<Gate>,
}

struct GatedFile {
    under: Box<dyn StoredFile>,
    gate: Arc<Gate>,
}

impl Storage for GatedDisk {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        let under = self.under.open(name, create)?;
        let gate = self.gate.clone();
        Ok(Box::new(GatedFile { under, gate }))
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        self.under.delete(name)
    }
    fn exists(&self, name: &str) -> bool {
        self.under.exists(name)
    }
    fn describe(&self) -> String {
        "a gated disk".into()
    }
}

impl StoredFile for GatedFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        self.under.read_at(offset, buf)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        self.gate
            .entered
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let mut closed = self.gate.closed.lock().unwrap();
        while *closed {
            closed = self.gate.opened.wait(closed).unwrap();
        }
        self.under.write_at(offset, data)
    }
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        self.under.truncate(size)
    }
    fn size(&self) -> Result<u64, StorageError> {
        self.under.size()
    }
    fn sync(&self) -> Result<(), StorageError> {
        self.under.sync()
    }
}

impl Shared {
    /// One worker's view of the cache over the disk behind `gate`.
    fn gated_worker(&self, gate: &Arc<Gate>) -> CachedStorage {
        self.worker_over(Arc::new(GatedDisk {
            under: self.disk.clone(),
            gate: gate.clone(),
        }))
    }
}

#[test]
fn others_read_and_write_the_cache_while_a_write_back_is_in_the_disk() {
    let shared = Shared::new(16);
    let gate = Arc::new(Gate::default());
    let syncer = shared.gated_worker(&gate);
    syncer
        .open(NAMES[0], true)
        .unwrap()
        .write_at(0, &[1u8; PAGE])
        .unwrap();
    std::thread::scope(|s| {
        let closed = gate.closed();
        let sync = s.spawn(|| syncer.open(NAMES[0], false).unwrap().sync());
        gate.wait_entered();
        // The write-back is inside the disk's write: the cache is not locked.
        let other = shared.worker();
        let f = other.open(NAMES[0], false).unwrap();
        let mut page = vec![0u8; PAGE];
        assert_eq!(f.read_at(0, &mut page).unwrap(), PAGE);
        assert!(page.iter().all(|&b| b == 1), "the page being written back");
        f.write_at(0, &[2u8; PAGE]).unwrap();
        let j = other.open(NAMES[1], true).unwrap();
        j.write_at(0, &[3u8; 100]).unwrap();
        assert_eq!(other.counts().dirty, 2, "written again: dirty again");
        drop(closed);
        sync.join().unwrap().unwrap();
    });
    // The write-back put what it copied; the page written meanwhile stays dirty.
    assert_eq!(shared.on_disk(NAMES[0]), vec![1u8; PAGE]);
    let last = shared.worker();
    assert_eq!(last.counts().dirty, 2);
    last.sync_all().unwrap();
    assert_eq!(shared.on_disk(NAMES[0]), vec![2u8; PAGE]);
    assert_eq!(shared.on_disk(NAMES[1]), vec![3u8; 100]);
}

#[test]
fn a_full_cache_waits_for_a_write_back_in_the_disk_and_reuses_none_of_its_pages() {
    let shared = Shared::new(4);
    let gate = Arc::new(Gate::default());
    let syncer = shared.gated_worker(&gate);
    let f = syncer.open(NAMES[0], true).unwrap();
    for block in 0..4u8 {
        f.write_at(u64::from(block) * PAGE as u64, &[block + 1; PAGE])
            .unwrap();
    }
    std::thread::scope(|s| {
        let closed = gate.closed();
        let sync = s.spawn(move || f.sync());
        gate.wait_entered();
        let (done, finished) = std::sync::mpsc::channel();
        let shared = &shared;
        let writer = s.spawn(move || {
            let other = shared.worker();
            let w = other.open(NAMES[2], true).unwrap();
            w.write_at(0, &[9u8; PAGE]).unwrap();
            done.send(()).unwrap();
        });
        // Every page is being written back: the writer waits for the write-back.
        let waited = finished.recv_timeout(std::time::Duration::from_millis(300));
        assert!(waited.is_err(), "a page was reused before it was on disk");
        drop(closed);
        sync.join().unwrap().unwrap();
        writer.join().unwrap();
    });
    let last = shared.worker();
    let want: Vec<u8> = (1..=4u8).flat_map(|b| [b; PAGE]).collect();
    assert_eq!(shared.on_disk(NAMES[0]), want);
    assert_eq!(read_all(&last, NAMES[0]), want);
    assert_eq!(read_all(&last, NAMES[2]), vec![9u8; PAGE]);
}

#[test]
fn a_write_back_that_died_leaves_its_pages_to_the_next() {
    let shared = Shared::new(8);
    let w = shared.worker();
    let f = w.open(NAMES[0], true).unwrap();
    f.write_at(0, &[7u8; 3 * PAGE]).unwrap();
    // Worker 3 dies between copying the pages and marking them clean.
    std::mem::forget(SpinGuard::lock_as(&*shared.words, sync_word(0), 3));
    let cache = PageCache::new(
        shared.words.clone(),
        shared.bytes.open("pages", true).unwrap(),
        shared.slots,
    )
    .unwrap();
    let copies = cache.lock().copy_for_write_back(0, &NoDisk).unwrap();
    assert_eq!(copies.blocks, [0, 1, 2]);
    assert_eq!(w.counts().dirty, 3, "being written back, not clean");
    assert!(release_owner(&*shared.words, 3));
    f.sync().unwrap();
    assert_eq!(shared.on_disk(NAMES[0]), vec![7u8; 3 * PAGE]);
    assert_eq!(w.counts().dirty, 0);
}

/// A disk no test reaches.
struct NoDisk;
impl Backing for NoDisk {
    fn size(&self, _: usize) -> Result<u64, StorageError> {
        unreachable!()
    }
    fn read(&self, _: usize, _: u64, _: &mut [u8]) -> Result<usize, StorageError> {
        unreachable!()
    }
    fn write(&self, _: usize, _: u64, _: &[u8]) -> Result<(), StorageError> {
        unreachable!()
    }
    fn truncate(&self, _: usize, _: u64) -> Result<(), StorageError> {
        unreachable!()
    }
    fn settle(&self) -> Result<(), StorageError> {
        unreachable!()
    }
    fn written_back(&self, _: usize, _: u32, _: Option<u64>) {}
}

/// One worker writes pages over and over while another writes them back again
/// and again: whatever a write-back copied or missed, the next one puts it, and
/// after the last the disk is the cache.
#[test]
fn pages_written_during_write_backs_reach_the_disk_by_the_next() {
    const PAGES: u64 = 300;
    let shared = Shared::new(400);
    let (writer, syncer) = (shared.worker(), shared.worker());
    writer
        .open(NAMES[0], true)
        .unwrap()
        .write_at(0, &vec![1; (PAGES * PAGE as u64) as usize])
        .unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let model = std::thread::scope(|scope| {
        let writing = scope.spawn(|| {
            let f = writer.open(NAMES[0], false).unwrap();
            let mut rng = Rng(0x2545_f491_4f6c_dd1d);
            let mut model = vec![1u8; (PAGES * PAGE as u64) as usize];
            let mut writes = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Acquire) || writes < 2000 {
                let at = rng.below(PAGES * PAGE as u64 - 100) as usize;
                let byte = (writes % 251) as u8 + 2;
                f.write_at(at as u64, &[byte; 100]).unwrap();
                model[at..at + 100].fill(byte);
                writes += 1;
            }
            model
        });
        let g = syncer.open(NAMES[0], false).unwrap();
        for _ in 0..50 {
            g.sync().unwrap();
        }
        stop.store(true, std::sync::atomic::Ordering::Release);
        writing.join().unwrap()
    });
    syncer.open(NAMES[0], false).unwrap().sync().unwrap();
    assert!(
        shared.on_disk(NAMES[0]) == model,
        "the disk after the last write-back"
    );
    assert!(read_all(&writer, NAMES[0]) == model, "the cache");
    assert_eq!(writer.counts().dirty, 0);
}
