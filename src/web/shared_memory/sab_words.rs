//! The shared VFS's shared words in the browser: a SharedArrayBuffer that the page
//! creates and hands to every worker, read and written through Atomics.
//!
//! Every call from wasm into JavaScript costs, and a view made for one copy costs
//! an allocation besides, so the views of the ranges read again and again (the lock
//! records, the WAL-index header, the WAL-index regions) are made once and kept,
//! and short writes store word by word instead of making a view.

use super::typed_copy;
use crate::vfs::shared_words::SharedWords;
use js_sys::{Atomics, Int32Array, SharedArrayBuffer, Uint32Array};
use std::cell::RefCell;

/// Ranges whose views are kept: the lock records, the WAL-index header, and the
/// WAL-index regions as mapped (a handful per database).
const KEPT_VIEWS: usize = 32;
/// Writes up to this many words store word by word: cheaper than a new view.
const SHORT_WRITE: usize = 4;
/// The longest a spin lock's pause blocks a worker, in milliseconds.
const PAUSE_MS: f64 = 0.05;

pub struct SabWords {
    atomic: Int32Array,
    plain: Uint32Array,
    /// Views kept for reads: (first word, words, view).
    views: RefCell<Vec<(u32, u32, Uint32Array)>>,
}

impl SabWords {
    /// Words over an existing buffer (from the page).
    pub fn over(buffer: &SharedArrayBuffer) -> SabWords {
        SabWords {
            atomic: Int32Array::new(buffer),
            plain: Uint32Array::new(buffer),
            views: RefCell::new(Vec::new()),
        }
    }

    /// A new zeroed buffer of `len` words (the page makes these).
    pub fn new_buffer(len: usize) -> SharedArrayBuffer {
        SharedArrayBuffer::new((len * 4) as u32)
    }

    /// Run `f` on a view of `len` words from `start`, kept for the next read of that
    /// range. (Handing out clones would cost a call into JavaScript each.)
    fn with_view(&self, start: usize, len: usize, f: impl FnOnce(&Uint32Array)) {
        let (start, len) = (start as u32, len as u32);
        let mut views = self.views.borrow_mut();
        if let Some((_, _, view)) = views.iter().find(|(s, l, _)| (*s, *l) == (start, len)) {
            return f(view);
        }
        let view = self.plain.subarray(start, start + len);
        f(&view);
        if views.len() < KEPT_VIEWS {
            views.push((start, len, view));
        }
    }
}

impl SharedWords for SabWords {
    fn len(&self) -> usize {
        self.atomic.length() as usize
    }
    fn load(&self, i: usize) -> i32 {
        Atomics::load(&self.atomic, i as u32).unwrap_or(0)
    }
    fn store(&self, i: usize, value: i32) {
        let _ = Atomics::store(&self.atomic, i as u32, value);
    }
    fn compare_exchange(&self, i: usize, expected: i32, new: i32) -> i32 {
        Atomics::compare_exchange(&self.atomic, i as u32, expected, new).unwrap_or(!expected)
    }
    /// A worker cannot yield its thread, but it can block: wait while the word
    /// holds `value`, at most PAUSE_MS (nobody notifies; the holder's critical
    /// section is a few microseconds once it runs). On the page, where Atomics.wait
    /// is not allowed, this returns at once and the lock simply spins.
    fn pause(&self, i: usize, value: i32) {
        let _ = Atomics::wait_with_timeout(&self.atomic, i as u32, value, PAUSE_MS);
    }
    fn read(&self, start: usize, out: &mut [u32]) {
        self.with_view(start, out.len(), |view| typed_copy::read_words(view, out));
    }
    fn write(&self, start: usize, words: &[u32]) {
        if words.len() <= SHORT_WRITE {
            for (i, w) in words.iter().enumerate() {
                self.plain.set_index((start + i) as u32, *w);
            }
        } else {
            let view = self
                .plain
                .subarray(start as u32, (start + words.len()) as u32);
            typed_copy::write_words(&view, words);
        }
    }
}
