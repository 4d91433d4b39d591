//! The WAL index (SQLite's "shm") kept coherent between private copies.
//!
//! SQLite reads and writes the WAL index through pointers that xShmMap returns, so
//! each connection gets private 32 KiB regions in its own memory; the authoritative
//! copy lives in shared words, with a shadow copy per connection of what it last saw
//! there. After any shm lock is acquired (and in xShmMap) the words that changed in
//! shared memory since the shadow are copied into private memory (reading out of
//! shared memory only the 1 KiB chunks whose version moved, see `shm_chunks`); before an
//! exclusive shm lock is released (and in xShmBarrier) the words this connection
//! changed since the shadow are copied into shared memory. xShmBarrier exchanges
//! everything but the two header copies both ways (see [`ShmView::barrier`]). Each
//! copy runs under a short spin lock. A connection that has not held the WAL write
//! lock since its last push looks only at the header words for changes to push:
//! nothing else can have changed (below).
//!
//! Why this is sound: the wal-index header is stored twice and checksummed, and
//! SQLite re-reads it after taking its read lock; the checkpoint information is made
//! of 4-byte words, each written under its own exclusive lock; and the hash tables
//! change only under the exclusive WAL write lock, so no two connections ever change
//! the same word between two synchronisations.

use super::same_words::same;
use super::shared_words::{SharedWords, SpinGuard};
use super::shm_chunks::{SeenVersions, CHUNK_WORDS, REGION_CHUNKS};
pub use super::shm_chunks::{REGION_BYTES, REGION_WORDS};
/// The two 48-byte copies of the wal-index header, in words.
const HEADER_COPIES_WORDS: usize = 96 / 4;
/// The header copies and the checkpoint information with the read marks: nothing
/// else in the WAL index changes in a way another connection must see unless one of
/// these words changes too (hash-table entries count only below the header's
/// mxFrame).
const HEADER_WORDS: usize = 136 / 4;
/// Regions one database may map: 16 regions index 65,502 WAL frames (4,062 in
/// the first, 4,096 in each other), about 256 MiB of WAL with 4 KiB pages. A WAL
/// grows that long only when checkpoints cannot restart it (a reader that always
/// holds an old snapshot). Every database's shared words hold all of them from the
/// start (512 KiB in each host), so the cap is a memory trade, not a protocol limit.
pub const MAX_REGIONS: usize = 16;

/// Words of the shared part: a spin lock, the number of regions, the regions, and
/// a version word per 1 KiB chunk of the regions (`shm_chunks`).
pub const SHARED_WORDS: usize = VERSIONS + MAX_REGIONS * REGION_CHUNKS;
/// The WAL index's spin lock, counted from its base.
pub const SPIN: usize = 0;
const COUNT: usize = 1;
const FIRST_REGION: usize = 2;
const VERSIONS: usize = FIRST_REGION + MAX_REGIONS * REGION_WORDS;

/// Failures of xShmMap.
#[derive(Debug, PartialEq, Eq)]
pub enum ShmError {
    /// SQLite asked for region `asked` (counted from 0), past [`MAX_REGIONS`].
    TooManyRegions { asked: usize },
    /// SQLite asked for regions of `size` bytes, not [`REGION_BYTES`].
    WrongRegionSize { size: usize },
}

impl std::fmt::Display for ShmError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ShmError::TooManyRegions { asked } => write!(
                f,
                "WAL index full: SQLite asked for region {} but the shared VFS keeps at most \
                 {MAX_REGIONS} regions of 32 KiB per database (65,502 WAL frames); the WAL grew \
                 that long because no checkpoint could restart it, as when a reader always \
                 holds an old snapshot",
                asked + 1
            ),
            ShmError::WrongRegionSize { size } => write!(
                f,
                "WAL index: SQLite asked for regions of {size} bytes; the shared VFS maps \
                 regions of {REGION_BYTES}"
            ),
        }
    }
}

struct Region {
    private: Box<[u32]>,
    shadow: Box<[u32]>,
}

/// One connection's view of the WAL index of one database.
pub struct ShmView {
    base: usize,
    regions: Vec<Region>,
    /// Where a pull reads shared memory to (every mapped region, one after the
    /// other, as in shared memory), kept between pulls.
    fresh: Vec<u32>,
    /// The runs a push found (region, first word, words), kept between pushes.
    runs: Vec<(usize, usize, usize)>,
    /// The version of each chunk of the mapped regions as this connection last saw
    /// it in shared memory.
    seen: SeenVersions,
    /// The runs of chunks a pull reads (first chunk, end), kept between pulls.
    chunk_runs: Vec<(usize, usize)>,
    /// Whether this connection held the WAL write lock since its last full push.
    /// SQLite changes the hash tables only under that lock (appending frames,
    /// truncating them, recovering the index), so without it a push need look at
    /// the header words only, not at every word of every region.
    wrote_index: bool,
}

impl ShmView {
    /// A view of the shared part stored at `base`.
    pub fn new(base: usize) -> ShmView {
        ShmView {
            base,
            regions: Vec::new(),
            fresh: Vec::new(),
            runs: Vec::new(),
            seen: SeenVersions::default(),
            chunk_runs: Vec::new(),
            wrote_index: false,
        }
    }

    fn region_start(&self, index: usize) -> usize {
        self.base + FIRST_REGION + index * REGION_WORDS
    }

    /// Where the version word of chunk `chunk` (counted from region 0's first) is.
    fn version_at(&self, chunk: usize) -> usize {
        self.base + VERSIONS + chunk
    }

    /// xShmMap: a pointer to private region `index`, mapping (and with `extend`,
    /// creating) regions up to it. `Ok(None)` when the region does not exist and
    /// `extend` is false.
    pub fn map(
        &mut self,
        words: &dyn SharedWords,
        index: usize,
        size: usize,
        extend: bool,
    ) -> Result<Option<*mut u8>, ShmError> {
        if size != REGION_BYTES {
            return Err(ShmError::WrongRegionSize { size });
        }
        if index >= MAX_REGIONS {
            return Err(ShmError::TooManyRegions { asked: index });
        }
        let _g = SpinGuard::lock(words, self.base + SPIN);
        let count = words.load(self.base + COUNT) as usize;
        if index >= count {
            if !extend {
                return Ok(None);
            }
            words.store(self.base + COUNT, index as i32 + 1);
        }
        while self.regions.len() <= index {
            let mut private = vec![0u32; REGION_WORDS].into_boxed_slice();
            words.read(self.region_start(self.regions.len()), &mut private);
            let shadow = private.clone();
            let mut versions = [0u32; REGION_CHUNKS];
            words.read(
                self.version_at(self.regions.len() * REGION_CHUNKS),
                &mut versions,
            );
            self.seen.add_region(&versions);
            self.regions.push(Region { private, shadow });
        }
        Ok(Some(self.regions[index].private.as_mut_ptr().cast()))
    }

    /// Copy into private memory what others changed in shared memory.
    pub fn pull(&mut self, words: &dyn SharedWords) {
        self.pull_from(words, 0);
    }

    /// xShmBarrier: exchange changes with shared memory in both directions, except
    /// for the two copies of the wal-index header, which move only with the locks
    /// (pulled after an shm lock is taken, pushed before an exclusive one is
    /// released). SQLite writes the copies one after the other with a barrier in
    /// between, and reads them the same way: moving them at a barrier would let
    /// others see, or SQLite read, one old and one new copy (a "dirty read"), which
    /// SQLite answers with a recovery attempt under the write lock.
    ///
    /// The holder of the WAL write lock does not push at a barrier: all it can have
    /// changed since its last push is hash-table entries for frames past the
    /// published mxFrame, which no other connection reads (readers stop at their
    /// snapshot's mxFrame, checkpoints at the shared header's), and the header that
    /// publishes them moves only when the lock is released, with a full push. What
    /// it changes under other exclusive locks (read marks, nBackfill) goes out when
    /// those are released. Skipping it saves comparing every region at every commit.
    pub fn barrier(&mut self, words: &dyn SharedWords) {
        if !self.wrote_index {
            self.push_from(words, HEADER_COPIES_WORDS);
        }
        self.pull_from(words, HEADER_COPIES_WORDS);
    }

    /// Pull every word from `skip` on (counted from the start of region 0), unless
    /// the shared header is what this connection last saw. Only the chunks whose
    /// version moved since this connection last saw them are read (and chunk 0,
    /// with the header). Only the copy out of shared memory runs under the spin
    /// lock; the comparison runs on the copy.
    ///
    /// The header is first looked at without the spin lock: most pulls find it
    /// unchanged, and then need no lock at all. A look that overlaps a push may see
    /// some words old and some new; if every word it saw is the one last pulled,
    /// what it saw is the state before that push, a state a locked pull could have
    /// seen too (the pusher still holds the exclusive shm lock it pushes under, so
    /// nothing orders this pull after the push). Any difference takes the lock.
    fn pull_from(&mut self, words: &dyn SharedWords, skip: usize) {
        if self.regions.is_empty() {
            return;
        }
        let all = self.regions.len() * REGION_WORDS;
        let mut fresh = std::mem::take(&mut self.fresh);
        fresh.resize(all, 0);
        words.read(self.region_start(0), &mut fresh[..HEADER_WORDS]);
        if same(
            &fresh[..HEADER_WORDS],
            &self.regions[0].shadow[..HEADER_WORDS],
        ) {
            self.fresh = fresh;
            return;
        }
        let mut chunk_runs = std::mem::take(&mut self.chunk_runs);
        {
            let _g = SpinGuard::lock(words, self.base + SPIN);
            let mut versions = self.seen.buffer();
            words.read(self.version_at(0), &mut versions);
            self.seen.stale_runs(versions, &mut chunk_runs);
            // The regions are contiguous in shared memory: one copy per run.
            for &(first, end) in &chunk_runs {
                words.read(
                    self.region_start(0) + first * CHUNK_WORDS,
                    &mut fresh[first * CHUNK_WORDS..end * CHUNK_WORDS],
                );
            }
        }
        for &(first, end) in &chunk_runs {
            for chunk in first..end {
                let r = &mut self.regions[chunk / REGION_CHUNKS];
                let at = (chunk % REGION_CHUNKS) * CHUNK_WORDS;
                let from = if chunk == 0 { skip } else { 0 };
                let private = &mut r.private[at..at + CHUNK_WORDS];
                copy_changes(
                    &fresh[chunk * CHUNK_WORDS..(chunk + 1) * CHUNK_WORDS],
                    &mut r.shadow[at..at + CHUNK_WORDS],
                    from,
                    |o, run| private[o..o + run.len()].copy_from_slice(run),
                );
            }
            self.seen.took(first, end);
        }
        self.chunk_runs = chunk_runs;
        self.fresh = fresh;
    }

    /// Copy into shared memory what this connection changed in private memory.
    pub fn push(&mut self, words: &dyn SharedWords) {
        self.push_from(words, 0);
    }

    /// The connection took the WAL write lock: its pushes look at every word until
    /// it has given the lock back.
    pub fn took_write_lock(&mut self) {
        self.wrote_index = true;
    }

    /// Push before the WAL write lock is given back: the last push that needs to
    /// look past the header until the lock is taken again.
    pub fn push_releasing_write_lock(&mut self, words: &dyn SharedWords) {
        self.push_from(words, 0);
        self.wrote_index = false;
    }

    /// Push every word from `skip` on (counted from the start of region 0), unless
    /// this connection's header is unchanged. The changes are found before the spin
    /// lock is taken (only this connection writes its private copy); under the lock
    /// only the changed runs are written.
    fn push_from(&mut self, words: &dyn SharedWords, skip: usize) {
        let Some(first) = self.regions.first() else {
            return;
        };
        if same(
            &first.private[..HEADER_WORDS],
            &first.shadow[..HEADER_WORDS],
        ) {
            return;
        }
        let mut runs = std::mem::take(&mut self.runs);
        runs.clear();
        let regions = if self.wrote_index {
            self.regions.len()
        } else {
            1
        };
        for (index, r) in self.regions[..regions].iter_mut().enumerate() {
            let from = if index == 0 { skip } else { 0 };
            let to = if self.wrote_index {
                REGION_WORDS
            } else {
                HEADER_WORDS
            };
            copy_changes(&r.private[..to], &mut r.shadow[..to], from, |at, run| {
                runs.push((index, at, run.len()))
            });
        }
        if !runs.is_empty() {
            let _g = SpinGuard::lock(words, self.base + SPIN);
            // The shared versions, read at the first run past chunk 0 (pulls
            // read chunk 0 whatever its version says).
            let mut versions: Option<Vec<u32>> = None;
            let versions_at = self.version_at(0);
            let mut raised = 0;
            for &(index, at, len) in &runs {
                words.write(
                    self.region_start(index) + at,
                    &self.regions[index].private[at..at + len],
                );
                let first = (index * REGION_CHUNKS + at / CHUNK_WORDS).max(raised + 1);
                let last = index * REGION_CHUNKS + (at + len - 1) / CHUNK_WORDS;
                for chunk in first..=last {
                    let shared = versions.get_or_insert_with(|| {
                        let mut buffer = self.seen.buffer();
                        words.read(versions_at, &mut buffer);
                        buffer
                    });
                    let next = self.seen.raise(shared, chunk);
                    words.store(versions_at + chunk, next as i32);
                    raised = chunk;
                }
            }
            if let Some(buffer) = versions {
                self.seen.keep_buffer(buffer);
            }
        }
        self.runs = runs;
    }

    /// xShmUnmap: forget the private copies; with `delete` (the last connection
    /// closing), clear the shared WAL index too, as deleting the -shm file would.
    pub fn unmap(&mut self, words: &dyn SharedWords, delete: bool) {
        self.regions.clear();
        self.seen.clear();
        if delete {
            let _g = SpinGuard::lock(words, self.base + SPIN);
            let count = words.load(self.base + COUNT) as usize;
            let zeros = vec![0u32; REGION_WORDS];
            for index in 0..count {
                words.write(self.region_start(index), &zeros);
            }
            // Whoever saw the cleared chunks before must read them again.
            for chunk in 0..count * REGION_CHUNKS {
                let at = self.version_at(chunk);
                words.store(at, words.load(at).wrapping_add(1));
            }
            words.store(self.base + COUNT, 0);
        }
    }
}

/// Words compared at once before looking word by word: most of a region does not
/// change between two synchronisations.
const CHUNK: usize = 64;

/// For each run of words from `from` on where `source` differs from `shadow`:
/// update the shadow and hand the run (its offset and words) to `apply`.
fn copy_changes(
    source: &[u32],
    shadow: &mut [u32],
    from: usize,
    mut apply: impl FnMut(usize, &[u32]),
) {
    let mut chunk_start = from;
    while chunk_start < source.len() {
        let chunk_end = (chunk_start + CHUNK - chunk_start % CHUNK).min(source.len());
        if !same(
            &source[chunk_start..chunk_end],
            &shadow[chunk_start..chunk_end],
        ) {
            let mut i = chunk_start;
            while i < chunk_end {
                if source[i] == shadow[i] {
                    i += 1;
                    continue;
                }
                let run_start = i;
                while i < chunk_end && source[i] != shadow[i] {
                    i += 1;
                }
                shadow[run_start..i].copy_from_slice(&source[run_start..i]);
                apply(run_start, &source[run_start..i]);
            }
        }
        chunk_start = chunk_end;
    }
}

#[cfg(test)]
#[allow(
    unsafe_code,
    reason = "the tests read and write the mapped regions through raw pointers, as SQLite does"
)]
mod tests {
    use super::*;
    use crate::vfs::shared_words::ProcessWords;

    /// # Safety
    /// `p` is a region `map` handed out and still mapped; `i` is below
    /// `REGION_WORDS`. (The tests' unsafe blocks below only read and write words
    /// of regions they mapped, as SQLite does.)
    unsafe fn word(p: *mut u8, i: usize) -> *mut u32 {
        unsafe { p.cast::<u32>().add(i) }
    }

    #[test]
    fn changes_travel_through_shared_memory_only_at_sync_points() {
        let words = ProcessWords::zeroed(SHARED_WORDS);
        let (mut a, mut b) = (ShmView::new(0), ShmView::new(0));
        assert_eq!(b.map(&words, 0, REGION_BYTES, false), Ok(None));
        let pa = a.map(&words, 0, REGION_BYTES, true).unwrap().unwrap();
        let pb = b.map(&words, 0, REGION_BYTES, false).unwrap().unwrap();
        unsafe {
            *word(pa, 10) = 7;
            *word(pa, 11) = 8;
            b.pull(&words);
            assert_eq!(*word(pb, 10), 0, "not pushed yet");
            a.push(&words);
            assert_eq!(*word(pb, 10), 0, "not pulled yet");
            b.pull(&words);
            assert_eq!((*word(pb, 10), *word(pb, 11)), (7, 8));
            // b changes another word; a's own unpushed change survives a pull.
            *word(pb, 20) = 5;
            *word(pa, 30) = 9;
            b.push(&words);
            a.pull(&words);
            assert_eq!((*word(pa, 20), *word(pa, 30)), (5, 9));
            a.push(&words);
            b.pull(&words);
            assert_eq!(*word(pb, 30), 9);
        }
    }

    #[test]
    fn only_the_write_lock_holder_pushes_past_the_header() {
        let words = ProcessWords::zeroed(SHARED_WORDS);
        let (mut a, mut b) = (ShmView::new(0), ShmView::new(0));
        let pa = a.map(&words, 0, REGION_BYTES, true).unwrap().unwrap();
        let pb = b.map(&words, 0, REGION_BYTES, false).unwrap().unwrap();
        unsafe {
            // A read mark (in the header words) goes out with any exclusive lock...
            *word(pa, 30) = 4;
            *word(pa, 500) = 6;
            a.push(&words);
            b.pull(&words);
            assert_eq!((*word(pb, 30), *word(pb, 500)), (4, 0));
            // ...a hash-table word only from the holder of the write lock.
            a.took_write_lock();
            *word(pa, 0) = 1;
            a.push_releasing_write_lock(&words);
            b.pull(&words);
            assert_eq!((*word(pb, 0), *word(pb, 500)), (1, 6));
        }
    }

    #[test]
    fn a_chunk_two_connections_wrote_reaches_both() {
        let words = ProcessWords::zeroed(SHARED_WORDS);
        let (mut a, mut b) = (ShmView::new(0), ShmView::new(0));
        a.map(&words, 1, REGION_BYTES, true).unwrap();
        b.map(&words, 1, REGION_BYTES, false).unwrap();
        let pa = a.map(&words, 1, REGION_BYTES, false).unwrap().unwrap();
        let pb = b.map(&words, 1, REGION_BYTES, false).unwrap().unwrap();
        let (pa0, pb0) = (
            a.map(&words, 0, REGION_BYTES, false).unwrap().unwrap(),
            b.map(&words, 0, REGION_BYTES, false).unwrap().unwrap(),
        );
        unsafe {
            // a writes into a chunk of region 1 (with a header change, as SQLite
            // always makes one); b writes another word of that chunk before it
            // has pulled a's.
            a.took_write_lock();
            *word(pa, 1000) = 3;
            *word(pa0, 0) = 1;
            a.push_releasing_write_lock(&words);
            b.took_write_lock();
            *word(pb, 1001) = 4;
            *word(pb0, 1) = 2;
            b.push_releasing_write_lock(&words);
            b.pull(&words);
            a.pull(&words);
            assert_eq!((*word(pb, 1000), *word(pb, 1001)), (3, 4), "b saw a's word");
            assert_eq!((*word(pa, 1000), *word(pa, 1001)), (3, 4), "a saw b's word");
            // Nothing moved: pulls change nothing.
            b.pull(&words);
            assert_eq!(*word(pb, 1000), 3);
        }
    }

    #[test]
    fn same_sees_a_difference_anywhere() {
        let a: Vec<u32> = (0..77).collect();
        assert!(same(&a, &a.clone()));
        for i in 0..a.len() {
            let mut b = a.clone();
            b[i] ^= 1 << (i % 32);
            assert!(!same(&a, &b), "difference at {i}");
        }
    }

    #[test]
    fn delete_on_unmap_clears_the_shared_index() {
        let words = ProcessWords::zeroed(SHARED_WORDS);
        let mut a = ShmView::new(0);
        let pa = a.map(&words, 1, REGION_BYTES, true).unwrap().unwrap();
        unsafe { *word(pa, 3) = 1 };
        a.push(&words);
        a.unmap(&words, true);
        let mut b = ShmView::new(0);
        assert_eq!(b.map(&words, 0, REGION_BYTES, false), Ok(None));
        let pb = b.map(&words, 1, REGION_BYTES, true).unwrap().unwrap();
        assert_eq!(unsafe { *word(pb, 3) }, 0);
        let refused = b.map(&words, MAX_REGIONS, REGION_BYTES, true);
        assert_eq!(
            refused,
            Err(ShmError::TooManyRegions { asked: MAX_REGIONS })
        );
        let said = refused.unwrap_err().to_string();
        assert!(
            said.contains("region 17") && said.contains("at most 16 regions"),
            "{said}"
        );
    }
}
