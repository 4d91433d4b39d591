//! Copies between wasm memory and a typed-array view in one call into JavaScript.
//! js-sys's `copy_to` and `copy_from` first ask the view for its length (a second
//! call) to check it against the slice; the shared VFS makes every view it copies
//! through with the slice's length, and copies several times per transaction.

use js_sys::{Uint32Array, Uint8Array};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `Uint32Array.prototype.set.call(into, view)`: `into` is a view of wasm memory.
    #[wasm_bindgen(js_namespace = Uint32Array, js_name = "prototype.set.call")]
    fn words_into(into: &mut [u32], view: &Uint32Array);
    /// `Uint32Array.prototype.set.call(view, words)`: `words` is a view of wasm memory.
    #[wasm_bindgen(js_namespace = Uint32Array, js_name = "prototype.set.call")]
    fn words_from(view: &Uint32Array, words: &[u32]);
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = "prototype.set.call")]
    fn bytes_into(into: &mut [u8], view: &Uint8Array);
    #[wasm_bindgen(js_namespace = Uint8Array, js_name = "prototype.set.call")]
    fn bytes_from(view: &Uint8Array, bytes: &[u8]);
}

/// Copy `view` into `out`, which must be exactly as long.
pub fn read_words(view: &Uint32Array, out: &mut [u32]) {
    words_into(out, view);
}

/// Copy `words` into `view`, which must be exactly as long.
pub fn write_words(view: &Uint32Array, words: &[u32]) {
    words_from(view, words);
}

/// Copy `view` into `out`, which must be exactly as long.
pub fn read_bytes(view: &Uint8Array, out: &mut [u8]) {
    bytes_into(out, view);
}

/// Copy `bytes` into `view`, which must be exactly as long.
pub fn write_bytes(view: &Uint8Array, bytes: &[u8]) {
    bytes_from(view, bytes);
}
