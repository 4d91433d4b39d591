//! File bytes in SharedArrayBuffers: the storage backend for every cross-origin
//! isolated browser (OPFS's shared handles are Chromium-only). Not persistent.
//!
//! A database has a fixed set of files (the database, its `-journal`, its `-wal`),
//! each a growable SharedArrayBuffer that the page creates and hands to every
//! worker. Word 0 says whether the file exists, word 1 is its size in bytes; the
//! bytes follow from byte 8. Growing a growable SharedArrayBuffer is seen by every
//! worker. SQLite's locks decide who writes; the size words are atomics.

use super::typed_copy;
use crate::vfs::storage::{Storage, StorageError, StoredFile};
use js_sys::{Atomics, Function, Int32Array, Reflect, SharedArrayBuffer, Uint8Array};
use std::cell::Cell;
use wasm_bindgen::{JsCast, JsValue};

const HEADER_BYTES: u32 = 8;
const EXISTS: u32 = 0;
const SIZE: u32 = 1;
/// Largest file: 1 GiB.
pub const MAX_FILE_BYTES: u32 = 1 << 30;

/// The files of one database, by name.
pub struct SabStorage {
    files: Vec<(String, SharedArrayBuffer)>,
}

/// A new growable buffer for one file (the page makes these).
pub fn new_file_buffer() -> Result<SharedArrayBuffer, JsValue> {
    let make = Function::new_with_args(
        "n, max",
        "return new SharedArrayBuffer(n, { maxByteLength: max })",
    );
    make.call2(
        &JsValue::NULL,
        &JsValue::from(64 * 1024),
        &JsValue::from(MAX_FILE_BYTES),
    )?
    .dyn_into()
}

impl SabStorage {
    /// `files` pairs each file name (database path, `-journal`, `-wal`) with its buffer.
    pub fn new(files: Vec<(String, SharedArrayBuffer)>) -> SabStorage {
        SabStorage { files }
    }

    fn buffer(&self, name: &str) -> Option<&SharedArrayBuffer> {
        self.files.iter().find(|(n, _)| n == name).map(|(_, b)| b)
    }
}

fn words(buffer: &SharedArrayBuffer) -> Int32Array {
    Int32Array::new_with_byte_offset_and_length(buffer, 0, 2)
}

impl Storage for SabStorage {
    fn open(&self, name: &str, create: bool) -> Result<Box<dyn StoredFile>, StorageError> {
        let buffer = self
            .buffer(name)
            .ok_or_else(|| StorageError::io(format!("no buffer for {name}")))?;
        let w = words(buffer);
        if Atomics::load(&w, EXISTS).unwrap_or(0) == 0 {
            if !create {
                return Err(StorageError::io(format!("no file named {name}")));
            }
            let _ = Atomics::store(&w, SIZE, 0);
            let _ = Atomics::store(&w, EXISTS, 1);
        }
        Ok(Box::new(SabFile {
            buffer: buffer.clone(),
            words: w,
            known_capacity: Cell::new(0),
        }))
    }
    fn delete(&self, name: &str) -> Result<(), StorageError> {
        if let Some(buffer) = self.buffer(name) {
            let w = words(buffer);
            let _ = Atomics::store(&w, EXISTS, 0);
            let _ = Atomics::store(&w, SIZE, 0);
        }
        Ok(())
    }
    fn exists(&self, name: &str) -> bool {
        self.buffer(name)
            .is_some_and(|b| Atomics::load(&words(b), EXISTS).unwrap_or(0) != 0)
    }
    fn describe(&self) -> String {
        "SharedArrayBuffer".to_string()
    }
}

struct SabFile {
    buffer: SharedArrayBuffer,
    /// The file's header words (exists, size), viewed once.
    words: Int32Array,
    /// Bytes the buffer is known to hold: a growable SharedArrayBuffer never
    /// shrinks, so a write within them need not ask JavaScript again (asking cost
    /// about a microsecond per write).
    known_capacity: Cell<u64>,
}

impl SabFile {
    fn size_now(&self) -> u64 {
        Atomics::load(&self.words, SIZE).unwrap_or(0) as u32 as u64
    }

    /// A view of `len` bytes of the file from `offset`.
    fn bytes(&self, offset: u64, len: u64) -> Uint8Array {
        Uint8Array::new_with_byte_offset_and_length(
            &self.buffer,
            HEADER_BYTES + offset as u32,
            len as u32,
        )
    }

    /// Zero the bytes from `from` to `to`: what a file holds past its old end when it
    /// grows, not bytes of an earlier, longer life of the file.
    fn zero(&self, from: u64, to: u64) {
        if to > from {
            self.bytes(from, to - from).fill(0, 0, (to - from) as u32);
        }
    }

    fn ensure_capacity(&self, bytes: u64) -> Result<(), StorageError> {
        let needed = bytes + u64::from(HEADER_BYTES);
        if needed > u64::from(MAX_FILE_BYTES) {
            return Err(StorageError::full("file larger than 1 GiB"));
        }
        if needed <= self.known_capacity.get() {
            return Ok(());
        }
        let have = u64::from(self.buffer.byte_length());
        self.known_capacity.set(have);
        if needed <= have {
            return Ok(());
        }
        // Grow by doubling, so that appends stay cheap.
        let target = needed.max(have * 2).min(u64::from(MAX_FILE_BYTES));
        let grow: Function = Reflect::get(&self.buffer, &JsValue::from_str("grow"))
            .and_then(|f| f.dyn_into())
            .map_err(|_| StorageError::io("this SharedArrayBuffer cannot grow".to_string()))?;
        grow.call1(&self.buffer, &JsValue::from(target as f64))
            .map_err(|e| StorageError::io(format!("growing a file failed: {e:?}")))?;
        self.known_capacity.set(target);
        Ok(())
    }
}

impl StoredFile for SabFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, StorageError> {
        let size = self.size_now();
        if offset >= size {
            return Ok(0);
        }
        let n = (buf.len() as u64).min(size - offset) as usize;
        typed_copy::read_bytes(&self.bytes(offset, n as u64), &mut buf[..n]);
        Ok(n)
    }
    fn write_at(&self, offset: u64, data: &[u8]) -> Result<(), StorageError> {
        let end = offset + data.len() as u64;
        self.ensure_capacity(end)?;
        let old = self.size_now();
        self.zero(old, offset);
        typed_copy::write_bytes(&self.bytes(offset, data.len() as u64), data);
        if end > old {
            let _ = Atomics::store(&self.words, SIZE, end as i32);
        }
        Ok(())
    }
    fn truncate(&self, size: u64) -> Result<(), StorageError> {
        self.ensure_capacity(size)?;
        self.zero(self.size_now(), size);
        let _ = Atomics::store(&self.words, SIZE, size as i32);
        Ok(())
    }
    fn size(&self) -> Result<u64, StorageError> {
        Ok(self.size_now())
    }
    fn sync(&self) -> Result<(), StorageError> {
        Ok(())
    }
}
