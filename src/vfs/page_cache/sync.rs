//! Writing a file's dirty pages back to the storage under (xSync, the end of a
//! run, the close of the last connection, and a full cache).
//!
//! `PageCache::write_back` holds the file's sync lock throughout, so two
//! write-backs of one file never interleave, but the cache's lock only twice and
//! briefly: to copy the dirty pages' bytes and move them to the file's list of
//! pages being written back, and, once the copies are in the storage under, to
//! mark clean those still on that list (a page written meanwhile went back to
//! the dirty pages, for the next write-back). Until then no page of that list is
//! reused, so nobody reads the storage under where the copies are not yet.
//! Pages left on the list by a write-back that died or failed are taken by the
//! next one, which holds the sync lock and so is alone with them.
//!
//! A write-back that returns has put in the storage under every page that was
//! dirty when it began; a write-back that found the sync lock taken waited for
//! the other to end, so the pages that one copied are there too.

use super::{
    Backing, Fault, List, Locked, PageCache, BLOCK, CLEAN, LRU, MAX_RUN_BLOCKS, PAGE, STATE,
    SYNCING, WRITTEN_BACK,
};
use crate::vfs::storage::StorageError;

/// A file's pages as a write-back copied them, by block.
pub(super) struct Copies {
    pub(super) blocks: Vec<u32>,
    bytes: Vec<u8>,
    /// The file's size when they were copied: nothing past it is written.
    size: u64,
}

impl PageCache {
    /// Write the file's dirty pages to the storage under; returns how many.
    pub fn write_back(&self, file: usize, backing: &dyn Backing) -> Result<u32, StorageError> {
        let _sync = self.sync_lock(file);
        let start_us = crate::trace::now_us();
        let copies = self.lock().copy_for_write_back(file, backing)?;
        if copies.blocks.is_empty() {
            return Ok(0);
        }
        write_copies(file, &copies, backing)?;
        let n = self.lock().mark_written_back(file);
        backing.written_back(file, copies.blocks.len() as u32, start_us);
        Ok(n)
    }
}

impl Locked<'_> {
    /// Take the file's dirty pages (and any a write-back that died left) onto its
    /// list of pages being written back, and copy them. The caller holds the
    /// file's sync lock.
    pub(super) fn copy_for_write_back(
        &self,
        file: usize,
        backing: &dyn Backing,
    ) -> Result<Copies, StorageError> {
        let (dirty, syncing) = (List::dirty(file), List::syncing(file));
        while let Some(s) = self.list(dirty).pop_back() {
            self.set_slot_word(s, STATE, SYNCING);
            self.list(syncing).push_front(s);
        }
        let mut pages: Vec<(u32, usize)> = self
            .list(syncing)
            .slots()
            .into_iter()
            .map(|s| (self.slot_word(s, BLOCK) as u32, s))
            .collect();
        pages.sort_unstable();
        let mut bytes = vec![0; pages.len() * PAGE];
        for (k, (_, s)) in pages.iter().enumerate() {
            self.data_read(*s, 0, &mut bytes[k * PAGE..(k + 1) * PAGE])?;
        }
        Ok(Copies {
            blocks: pages.into_iter().map(|(b, _)| b).collect(),
            bytes,
            size: self.size(file, backing)?,
        })
    }

    /// The file's pages still being written back are clean; returns how many.
    fn mark_written_back(&self, file: usize) -> u32 {
        let syncing = List::syncing(file);
        let mut n = 0;
        while let Some(s) = self.list(syncing).pop_back() {
            self.set_slot_word(s, STATE, CLEAN);
            self.list(LRU).push_front(s);
            n += 1;
        }
        self.set(WRITTEN_BACK, self.get(WRITTEN_BACK).wrapping_add(n));
        n as u32
    }

    /// The whole write-back with the cache's lock held (a full cache makes room);
    /// the caller holds the file's sync lock.
    pub(super) fn write_back_here(&self, file: usize, backing: &dyn Backing) -> Result<(), Fault> {
        let start_us = crate::trace::now_us();
        let copies = self.copy_for_write_back(file, backing)?;
        if !copies.blocks.is_empty() {
            write_copies(file, &copies, backing)?;
            let n = self.mark_written_back(file);
            backing.written_back(file, n, start_us);
        }
        Ok(())
    }
}

/// Write the copies to the storage under, runs of adjacent blocks in one write
/// each, and make the storage hold them (`settle`).
fn write_copies(file: usize, copies: &Copies, backing: &dyn Backing) -> Result<(), StorageError> {
    let blocks = &copies.blocks;
    let mut i = 0;
    while i < blocks.len() {
        let mut j = i;
        while j + 1 < blocks.len() && blocks[j + 1] == blocks[j] + 1 && j + 1 - i < MAX_RUN_BLOCKS {
            j += 1;
        }
        let start = u64::from(blocks[i]) * PAGE as u64;
        let run = &copies.bytes[i * PAGE..(j + 1) * PAGE];
        let len = (run.len() as u64).min(copies.size.saturating_sub(start)) as usize;
        if len > 0 {
            backing.write(file, start, &run[..len])?;
        }
        i = j + 1;
    }
    backing.settle()
}
