//! Which parts of the shared WAL index changed since a connection last saw them.
//!
//! The shared regions are cut into chunks of 1 KiB, and each chunk has a version
//! word in shared memory that a push raises (under the WAL index's spin lock)
//! whenever it writes into the chunk. A connection remembers the version of each
//! chunk as it last saw it, so a pull reads out of shared memory only the chunks
//! whose version moved, not every mapped region: a commit changes the header, one
//! or two words of the page-number array and a hash slot per page, a handful of
//! the 32 chunks of a region.
//!
//! A chunk's remembered version only ever stands for contents this connection's
//! shadow holds: a pull that copies a chunk takes the version it read with it
//! (both under the spin lock), and a push that raises a version takes the new one
//! only if the chunk was at the version it remembered (else another connection
//! wrote into the chunk since, and the next pull must still read it).

/// SQLite's WAL-index region size, in bytes and in words: what `xShmMap` maps.
pub const REGION_BYTES: usize = 32 * 1024;
pub const REGION_WORDS: usize = REGION_BYTES / 4;
/// Words of one chunk (1 KiB).
pub const CHUNK_WORDS: usize = 256;
/// Chunks of one region.
pub const REGION_CHUNKS: usize = REGION_WORDS / CHUNK_WORDS;

/// One connection's remembered chunk versions, one per chunk of its mapped
/// regions, in order.
#[derive(Default)]
pub struct SeenVersions {
    seen: Vec<u32>,
    /// Where a pull or push reads the shared versions to, kept between calls.
    shared: Vec<u32>,
}

impl SeenVersions {
    /// A region was mapped after the others: remember its chunks' versions as
    /// read (under the spin lock, with the region's words).
    pub fn add_region(&mut self, versions: &[u32]) {
        debug_assert_eq!(versions.len(), REGION_CHUNKS);
        self.seen.extend_from_slice(versions);
    }

    /// Forget every region.
    pub fn clear(&mut self) {
        self.seen.clear();
    }

    /// A buffer for the shared versions of every remembered chunk, to be filled
    /// (under the spin lock) and handed back to [`SeenVersions::stale_runs`] or
    /// [`SeenVersions::raise`].
    pub fn buffer(&mut self) -> Vec<u32> {
        let mut shared = std::mem::take(&mut self.shared);
        shared.resize(self.seen.len(), 0);
        shared
    }

    /// The runs of chunks (first chunk, end) that a pull must read, given the
    /// shared versions: chunk 0 always (it holds the header, which pulls that
    /// skip the header copies leave behind its version), and every chunk whose
    /// version moved. `shared` is kept as this pull's versions, for
    /// [`SeenVersions::took`].
    pub fn stale_runs(&mut self, shared: Vec<u32>, runs: &mut Vec<(usize, usize)>) {
        runs.clear();
        let stale = |c: usize| c == 0 || shared[c] != self.seen[c];
        let mut c = 0;
        while c < shared.len() {
            if !stale(c) {
                c += 1;
                continue;
            }
            let first = c;
            while c < shared.len() && stale(c) {
                c += 1;
            }
            runs.push((first, c));
        }
        self.shared = shared;
    }

    /// The pull copied chunks `first..end`: remember them at the versions it read.
    pub fn took(&mut self, first: usize, end: usize) {
        self.seen[first..end].copy_from_slice(&self.shared[first..end]);
    }

    /// A push is about to write into `chunk`, whose shared version is
    /// `shared[chunk]`: the version it writes back (one more), remembered too if
    /// the chunk was at the remembered version. Called once per chunk and push.
    pub fn raise(&mut self, shared: &[u32], chunk: usize) -> u32 {
        let next = shared[chunk].wrapping_add(1);
        if shared[chunk] == self.seen[chunk] {
            self.seen[chunk] = next;
        }
        next
    }

    /// Hand back a buffer from [`SeenVersions::buffer`] that was not given to
    /// [`SeenVersions::stale_runs`].
    pub fn keep_buffer(&mut self, shared: Vec<u32>) {
        self.shared = shared;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pull_reads_chunk_zero_and_the_chunks_whose_version_moved() {
        let mut seen = SeenVersions::default();
        seen.add_region(&[0; REGION_CHUNKS]);
        let mut shared = seen.buffer();
        shared[3] = 1;
        shared[4] = 2;
        shared[9] = 1;
        let mut runs = Vec::new();
        seen.stale_runs(shared, &mut runs);
        assert_eq!(runs, vec![(0, 1), (3, 5), (9, 10)]);
        for &(first, end) in &runs {
            seen.took(first, end);
        }
        let shared = seen.buffer();
        seen.stale_runs(shared, &mut runs);
        assert_eq!(runs, vec![(0, 1)], "nothing moved since");
    }

    #[test]
    fn a_push_keeps_a_chunk_stale_that_another_connection_wrote() {
        let mut seen = SeenVersions::default();
        seen.add_region(&[0; REGION_CHUNKS]);
        let mut shared = seen.buffer();
        // Another connection pushed into chunk 5 (version 1), this one into 5 and 6.
        shared[5] = 1;
        assert_eq!(seen.raise(&shared, 5), 2);
        assert_eq!(seen.raise(&shared, 6), 1);
        shared[5] = 2;
        shared[6] = 1;
        let mut runs = Vec::new();
        seen.stale_runs(shared, &mut runs);
        assert_eq!(
            runs,
            vec![(0, 1), (5, 6)],
            "chunk 6 is as this connection left it"
        );
    }
}
