//! Values as bytes, for a message between two builds of the same source: the
//! page and its Web Workers (`web::protocol`), and the trace events they send
//! (`trace::wire`).
//!
//! A value is its fields in the order its `Wire` impl writes them, with no
//! names: numbers as variable-length integers, a text as its length and its
//! bytes, a list as its length and its items, an enum as its variant's number
//! and that variant's fields. Both sides come from one build (the protocol's
//! version says so before anything is read), so nothing more is needed.
//!
//! This replaced JSON through serde for the protocol: serde's derived readers
//! and writers, compiled for every message type and for serde_json, were 116 KB
//! of the worker's wasm and 65 KB of the page's (43 and 23 KB gzipped). The
//! macros below write a type's `Wire` from the list of its fields; the struct
//! is destructured and built whole, so a field added to a type and not to its
//! list does not compile.

use serde_json::{Map, Number, Value};

/// A value that travels as bytes.
pub trait Wire: Sized {
    fn put(&self, w: &mut Writer);
    fn take(r: &mut Reader) -> Result<Self, String>;
}

/// The bytes written so far.
#[derive(Default)]
pub struct Writer {
    pub bytes: Vec<u8>,
}

impl Writer {
    pub fn byte(&mut self, b: u8) {
        self.bytes.push(b);
    }
    /// LEB128: seven bits a byte, low bits first.
    pub fn uint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.bytes.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.bytes.push(v as u8);
    }
    /// Zigzag, so that small negative numbers stay short.
    pub fn int(&mut self, v: i64) {
        self.uint(((v << 1) ^ (v >> 63)) as u64);
    }
    /// Its length, then its bytes.
    pub fn text(&mut self, s: &str) {
        self.raw(s.as_bytes());
    }
    /// Its length, then the bytes.
    pub fn raw(&mut self, b: &[u8]) {
        self.uint(b.len() as u64);
        self.bytes.extend_from_slice(b);
    }
}

/// Bytes being read, and where.
pub struct Reader<'a> {
    pub bytes: &'a [u8],
    pub at: usize,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, at: 0 }
    }
    pub fn byte(&mut self) -> Result<u8, String> {
        let b = *self.bytes.get(self.at).ok_or("the bytes end early")?;
        self.at += 1;
        Ok(b)
    }
    pub fn uint(&mut self) -> Result<u64, String> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a number longer than 64 bits".to_string())
    }
    pub fn int(&mut self) -> Result<i64, String> {
        let z = self.uint()?;
        Ok((z >> 1) as i64 ^ -((z & 1) as i64))
    }
    /// `n` bytes.
    pub fn slice(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len());
        let end = end.ok_or("a text or list runs past the end")?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }
    /// What `Writer::raw` wrote.
    pub fn raw(&mut self) -> Result<&'a [u8], String> {
        let n = self.uint()? as usize;
        self.slice(n)
    }
    pub fn text(&mut self) -> Result<&'a str, String> {
        std::str::from_utf8(self.raw()?).map_err(|e| format!("a text is not UTF-8: {e}"))
    }
    /// The item numbered by the next byte of `all`.
    pub fn pick<T: Copy>(&mut self, all: &[T], what: &str) -> Result<T, String> {
        let b = self.byte()?;
        all.get(usize::from(b))
            .copied()
            .ok_or_else(|| format!("no {what} numbered {b}"))
    }
    /// A count of items to come: each takes at least one byte, so a count
    /// beyond the bytes left is refused before anything is reserved for it.
    pub fn count(&mut self) -> Result<usize, String> {
        let n = self.uint()? as usize;
        if n > self.bytes.len() - self.at {
            return Err(format!("{n} items in {} bytes", self.bytes.len() - self.at));
        }
        Ok(n)
    }
    /// A whole message: `T` and nothing after it.
    pub fn whole<T: Wire>(bytes: &[u8]) -> Result<T, String> {
        let mut r = Reader::new(bytes);
        let value = T::take(&mut r)?;
        match r.bytes.len() - r.at {
            0 => Ok(value),
            left => Err(format!("{left} bytes left after the message")),
        }
    }
}

/// `value` as bytes.
pub fn to_bytes<T: Wire>(value: &T) -> Vec<u8> {
    let mut w = Writer::default();
    value.put(&mut w);
    w.bytes
}

impl Wire for u64 {
    fn put(&self, w: &mut Writer) {
        w.uint(*self);
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        r.uint()
    }
}

impl Wire for u32 {
    fn put(&self, w: &mut Writer) {
        w.uint(u64::from(*self));
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        u32::try_from(r.uint()?).map_err(|e| e.to_string())
    }
}

impl Wire for i64 {
    fn put(&self, w: &mut Writer) {
        w.int(*self);
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        r.int()
    }
}

impl Wire for i32 {
    fn put(&self, w: &mut Writer) {
        w.int(i64::from(*self));
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        i32::try_from(r.int()?).map_err(|e| e.to_string())
    }
}

impl Wire for f64 {
    fn put(&self, w: &mut Writer) {
        w.bytes.extend_from_slice(&self.to_le_bytes());
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        let b = r.slice(8)?;
        Ok(f64::from_le_bytes([
            b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7],
        ]))
    }
}

impl Wire for bool {
    fn put(&self, w: &mut Writer) {
        w.byte(u8::from(*self));
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        r.pick(&[false, true], "truth value")
    }
}

impl Wire for String {
    fn put(&self, w: &mut Writer) {
        w.text(self);
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        r.text().map(str::to_string)
    }
}

/// Bytes as they are (a database file), not item by item.
impl Wire for Vec<u8> {
    fn put(&self, w: &mut Writer) {
        w.raw(self);
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        r.raw().map(<[u8]>::to_vec)
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for item in self {
            item.put(w);
        }
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        let n = r.count()?;
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(T::take(r)?);
        }
        Ok(items)
    }
}

impl<T: Wire> Wire for Option<T> {
    fn put(&self, w: &mut Writer) {
        match self {
            None => w.byte(0),
            Some(v) => {
                w.byte(1);
                v.put(w);
            }
        }
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        match r.pick(&[false, true], "option")? {
            false => Ok(None),
            true => T::take(r).map(Some),
        }
    }
}

impl<T: Wire> Wire for Box<T> {
    fn put(&self, w: &mut Writer) {
        (**self).put(w);
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        T::take(r).map(Box::new)
    }
}

impl<T: Wire, E: Wire> Wire for Result<T, E> {
    fn put(&self, w: &mut Writer) {
        match self {
            Ok(v) => {
                w.byte(0);
                v.put(w);
            }
            Err(e) => {
                w.byte(1);
                e.put(w);
            }
        }
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        match r.pick(&[true, false], "result")? {
            true => T::take(r).map(Ok),
            false => E::take(r).map(Err),
        }
    }
}

// A JSON value's tags.
const NULL: u8 = 0;
const FALSE: u8 = 1;
const TRUE: u8 = 2;
const UINT: u8 = 3;
const NEGATIVE: u8 = 4;
const FLOAT: u8 = 5;
const STRING: u8 = 6;
const ARRAY: u8 = 7;
const OBJECT: u8 = 8;

/// A JSON value (a SQL console's row, a workload's expected result) as itself:
/// a whole number stays one, a float stays a float.
impl Wire for Value {
    fn put(&self, w: &mut Writer) {
        match self {
            Value::Null => w.byte(NULL),
            Value::Bool(b) => w.byte(if *b { TRUE } else { FALSE }),
            Value::Number(n) => {
                if let Some(u) = n.as_u64() {
                    w.byte(UINT);
                    w.uint(u);
                } else if let Some(i) = n.as_i64() {
                    w.byte(NEGATIVE);
                    w.int(i);
                } else {
                    w.byte(FLOAT);
                    n.as_f64().unwrap_or(0.0).put(w);
                }
            }
            Value::String(s) => {
                w.byte(STRING);
                w.text(s);
            }
            Value::Array(items) => {
                w.byte(ARRAY);
                items.put(w);
            }
            Value::Object(map) => {
                w.byte(OBJECT);
                w.uint(map.len() as u64);
                for (k, v) in map {
                    w.text(k);
                    v.put(w);
                }
            }
        }
    }
    fn take(r: &mut Reader) -> Result<Self, String> {
        Ok(match r.byte()? {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            UINT => Value::from(r.uint()?),
            NEGATIVE => Value::from(r.int()?),
            FLOAT => Number::from_f64(f64::take(r)?).map_or(Value::Null, Value::Number),
            STRING => Value::String(String::take(r)?),
            ARRAY => Value::Array(Vec::take(r)?),
            OBJECT => {
                let n = r.count()?;
                let mut map = Map::new();
                for _ in 0..n {
                    let k = String::take(r)?;
                    map.insert(k, <Value as Wire>::take(r)?);
                }
                Value::Object(map)
            }
            tag => return Err(format!("no JSON value tagged {tag}")),
        })
    }
}

/// `Wire` for a struct: its fields in the order listed, every one of them.
macro_rules! wire_struct {
    ($t:ident { $($f:ident),* $(,)? }) => {
        impl $crate::wire::Wire for $t {
            fn put(&self, w: &mut $crate::wire::Writer) {
                let $t { $($f),* } = self;
                $($crate::wire::Wire::put($f, w);)*
            }
            fn take(r: &mut $crate::wire::Reader) -> Result<Self, String> {
                Ok($t { $($f: $crate::wire::Wire::take(r)?),* })
            }
        }
    };
}
pub(crate) use wire_struct;

/// `Wire` for an enum: its variant's place in the list, then that variant's
/// fields (a unit variant is written `Name {}`). Every variant and every field
/// must be listed.
macro_rules! wire_enum {
    ($t:ident { $($v:ident { $($f:ident),* $(,)? }),* $(,)? }) => {
        impl $crate::wire::Wire for $t {
            fn put(&self, w: &mut $crate::wire::Writer) {
                let mut _tag = 0u8;
                $(
                    #[allow(unused_variables)]
                    if let $t::$v { $($f),* } = self {
                        w.byte(_tag);
                        $($crate::wire::Wire::put($f, w);)*
                        return;
                    }
                    _tag += 1;
                )*
                // Every variant is listed (this match does not compile otherwise).
                match self { $($t::$v { .. })|* => {} }
            }
            fn take(r: &mut $crate::wire::Reader) -> Result<Self, String> {
                let tag = r.byte()?;
                let mut _n = 0u8;
                $(
                    if tag == _n {
                        return Ok($t::$v { $($f: $crate::wire::Wire::take(r)?),* });
                    }
                    _n += 1;
                )*
                Err(format!("no {} numbered {tag}", stringify!($t)))
            }
        }
    };
}
pub(crate) use wire_enum;

#[cfg(test)]
mod tests;
