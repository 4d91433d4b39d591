//! Shared memory as the shared VFS sees it: an array of 32-bit words that every
//! worker can read, write and compare-and-swap, plus bulk copies in and out.
//!
//! Natively the words are atomics behind an `Arc` (each thread plays one Web
//! Worker); in the browser they are a SharedArrayBuffer seen through Atomics. The
//! lock table and the WAL index are written against this trait only.

use crate::shareable::Shareable;
use std::sync::atomic::{AtomicI32, Ordering};

pub trait SharedWords: Shareable {
    fn len(&self) -> usize;
    fn load(&self, i: usize) -> i32;
    fn store(&self, i: usize, value: i32);
    /// Compare-and-swap; returns the value found (== `expected` on success).
    fn compare_exchange(&self, i: usize, expected: i32, new: i32) -> i32;
    /// Copy `out.len()` words starting at `start` out of shared memory.
    fn read(&self, start: usize, out: &mut [u32]);
    /// Copy `words` into shared memory starting at `start`.
    fn write(&self, start: usize, words: &[u32]);
    /// Let whoever holds word `i` (while it still holds `value`) run: a spin lock
    /// that has spun a while calls this, since its holder has most likely lost its
    /// core to another thread.
    fn pause(&self, i: usize, value: i32);

    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Shared words in this process's memory (threads), the native twin of a
/// SharedArrayBuffer.
pub struct ProcessWords(Box<[AtomicI32]>);

impl ProcessWords {
    pub fn zeroed(len: usize) -> ProcessWords {
        ProcessWords((0..len).map(|_| AtomicI32::new(0)).collect())
    }
}

impl SharedWords for ProcessWords {
    fn len(&self) -> usize {
        self.0.len()
    }
    fn load(&self, i: usize) -> i32 {
        self.0[i].load(Ordering::SeqCst)
    }
    fn store(&self, i: usize, value: i32) {
        self.0[i].store(value, Ordering::SeqCst)
    }
    fn compare_exchange(&self, i: usize, expected: i32, new: i32) -> i32 {
        match self.0[i].compare_exchange(expected, new, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(v) | Err(v) => v,
        }
    }
    fn read(&self, start: usize, out: &mut [u32]) {
        for (o, w) in out.iter_mut().zip(&self.0[start..]) {
            *o = w.load(Ordering::Relaxed) as u32;
        }
    }
    fn write(&self, start: usize, words: &[u32]) {
        for (w, v) in self.0[start..].iter().zip(words) {
            w.store(*v as i32, Ordering::Relaxed);
        }
    }
    fn pause(&self, _i: usize, _value: i32) {
        std::thread::yield_now()
    }
}

/// A short lock over a word: held only while a few hundred words are compared or
/// copied, so spinning is cheaper than anything that sleeps; after a while the
/// spinner pauses (see [`SharedWords::pause`]) so that a holder without a core
/// can finish.
///
/// The word holds its holder's owner id + 1 (0: free), so that a holder that dies
/// inside (a Web Worker terminated mid-copy) can be found, and its lock freed by
/// the host ([`free_spin_of`]) instead of wedging every survivor.
pub struct SpinGuard<'a> {
    words: &'a dyn SharedWords,
    at: usize,
}

impl<'a> SpinGuard<'a> {
    /// Take the spin lock at word `at` for the worker this thread records for (or
    /// the host).
    pub fn lock(words: &'a dyn SharedWords, at: usize) -> SpinGuard<'a> {
        SpinGuard::lock_as(words, at, super::context::owner())
    }

    /// Take the spin lock at word `at` for `owner`.
    pub fn lock_as(words: &'a dyn SharedWords, at: usize, owner: u32) -> SpinGuard<'a> {
        let mark = owner as i32 + 1;
        let mut spins = 0u32;
        loop {
            let found = words.compare_exchange(at, 0, mark);
            if found == 0 {
                return SpinGuard { words, at };
            }
            spins += 1;
            if spins.is_multiple_of(64) {
                words.pause(at, found);
            } else {
                std::hint::spin_loop();
            }
        }
    }
}

impl<'a> SpinGuard<'a> {
    /// Take the spin lock at word `at` if it is free, for the worker this thread
    /// records for (or the host).
    pub fn try_lock(words: &'a dyn SharedWords, at: usize) -> Option<SpinGuard<'a>> {
        let mark = super::context::owner() as i32 + 1;
        (words.compare_exchange(at, 0, mark) == 0).then(|| SpinGuard { words, at })
    }
}

impl Drop for SpinGuard<'_> {
    fn drop(&mut self) {
        self.words.store(self.at, 0);
    }
}

/// Free the spin lock at word `at` if `owner` holds it: the owner died inside
/// it. Returns whether it did.
pub fn free_spin_of(words: &dyn SharedWords, at: usize, owner: u32) -> bool {
    let mark = owner as i32 + 1;
    words.compare_exchange(at, mark, 0) == mark
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn a_spin_lock_left_by_a_dead_owner_is_freed_for_the_others() {
        let words = ProcessWords::zeroed(2);
        // Owner 3 takes the lock and dies inside it.
        std::mem::forget(SpinGuard::lock_as(&words, 1, 3));
        assert_eq!(words.load(1), 4, "the word names its holder");
        // Another owner now spins...
        let got = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                let _g = SpinGuard::lock_as(&words, 1, 5);
                got.store(true, Ordering::SeqCst);
            });
            std::thread::sleep(std::time::Duration::from_millis(20));
            assert!(!got.load(Ordering::SeqCst), "the dead owner still holds it");
            // ...until the host frees what the dead owner held. Freeing for a
            // different owner does nothing.
            assert!(!free_spin_of(&words, 1, 5));
            assert!(free_spin_of(&words, 1, 3));
        });
        assert!(got.load(Ordering::SeqCst));
        assert_eq!(words.load(1), 0, "the survivor released it in turn");
        assert!(!free_spin_of(&words, 1, 3), "nothing left to free");
    }
}
