//! The shared VFS's shared words in the browser: a SharedArrayBuffer that the page
//! creates and hands to every worker, read and written through Atomics.

use crate::vfs::words::SharedWords;
use js_sys::{Atomics, Int32Array, SharedArrayBuffer, Uint32Array};

pub struct SabWords {
    atomic: Int32Array,
    plain: Uint32Array,
}

// SAFETY: locklab's wasm is built without the `atomics` target feature, so each wasm
// instance (one per Web Worker) has exactly one thread, and a JS object can never be
// reached from another thread. Sharing between workers happens through the
// SharedArrayBuffer itself, which each worker holds its own handle to.
unsafe impl Send for SabWords {}
unsafe impl Sync for SabWords {}

impl SabWords {
    /// Words over an existing buffer (from the page).
    pub fn over(buffer: &SharedArrayBuffer) -> SabWords {
        SabWords {
            atomic: Int32Array::new(buffer),
            plain: Uint32Array::new(buffer),
        }
    }

    /// A new zeroed buffer of `len` words (the page makes these).
    pub fn new_buffer(len: usize) -> SharedArrayBuffer {
        SharedArrayBuffer::new((len * 4) as u32)
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
    fn read(&self, start: usize, out: &mut [u32]) {
        self.plain
            .subarray(start as u32, (start + out.len()) as u32)
            .copy_to(out);
    }
    fn write(&self, start: usize, words: &[u32]) {
        self.plain
            .subarray(start as u32, (start + words.len()) as u32)
            .copy_from(words);
    }
}
