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
//!
//! Reading never stops half-way: damaged bytes make the reader remember what
//! was wrong and read on as zeros (a text empty, an enum its first variant),
//! and the message is refused at its end (`Reader::whole`). So a type's reader
//! is one straight line, without the unwinding of every field read so far that
//! an early return after each of them needs (a scenario's reader was 9 KB so).

use serde_json::{Map, Number, Value};

/// A value that travels as bytes.
pub trait Wire: Sized {
    fn put(&self, w: &mut Writer);
    /// The value written; from damaged bytes, any value, with [`Reader::fail`]
    /// called.
    fn take(r: &mut Reader) -> Self;
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

/// Bytes being read, where, and the first thing found wrong in them.
pub struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    error: Option<String>,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader {
            bytes,
            at: 0,
            error: None,
        }
    }
    /// Remember why the bytes are wrong (the first reason only) and skip the
    /// rest: what is read after reads as zeros.
    pub fn fail(&mut self, why: impl FnOnce() -> String) {
        if self.error.is_none() {
            self.error = Some(why());
        }
        self.at = self.bytes.len();
    }
    /// What the bytes read are, or what was wrong with them.
    pub fn result<T>(&self, value: T) -> Result<T, String> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(value),
        }
    }
    /// The bytes not read yet.
    pub fn left(&self) -> usize {
        self.bytes.len() - self.at
    }
    pub fn byte(&mut self) -> u8 {
        match self.bytes.get(self.at) {
            Some(&b) => {
                self.at += 1;
                b
            }
            None => {
                self.fail(|| "the bytes end early".to_string());
                0
            }
        }
    }
    pub fn uint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return v;
            }
        }
        self.fail(|| "a number longer than 64 bits".to_string());
        0
    }
    pub fn int(&mut self) -> i64 {
        let z = self.uint();
        (z >> 1) as i64 ^ -((z & 1) as i64)
    }
    /// A number read as `n` that must fit `T`.
    pub fn fit<T: TryFrom<i64> + Default>(&mut self, n: i64) -> T {
        T::try_from(n).unwrap_or_else(|_| {
            self.fail(|| format!("{n} is out of range"));
            T::default()
        })
    }
    /// `n` bytes (none when fewer are left).
    pub fn slice(&mut self, n: u64) -> &'a [u8] {
        if n > self.left() as u64 {
            let left = self.left();
            self.fail(|| format!("{n} bytes wanted, {left} left"));
            return &[];
        }
        let slice = &self.bytes[self.at..self.at + n as usize];
        self.at += n as usize;
        slice
    }
    /// What `Writer::raw` wrote.
    pub fn raw(&mut self) -> &'a [u8] {
        let n = self.uint();
        self.slice(n)
    }
    pub fn text(&mut self) -> &'a str {
        let raw = self.raw();
        match std::str::from_utf8(raw) {
            Ok(text) => text,
            Err(e) => {
                self.fail(|| format!("a text is not UTF-8: {e}"));
                ""
            }
        }
    }
    /// The item numbered by the next byte of `all` (its first when there is no
    /// such item).
    pub fn pick<T: Copy>(&mut self, all: &[T], what: &str) -> T {
        let b = self.byte();
        match all.get(usize::from(b)) {
            Some(&item) => item,
            None => {
                self.fail(|| format!("no {what} numbered {b}"));
                all[0]
            }
        }
    }
    /// A count of items to come: each takes at least one byte, so a count
    /// beyond the bytes left is refused before anything is reserved for it.
    pub fn count(&mut self) -> usize {
        let n = self.uint();
        if n > self.left() as u64 {
            let left = self.left();
            self.fail(|| format!("{n} items in {left} bytes"));
            return 0;
        }
        n as usize
    }
    /// A whole message: `T` and nothing after it.
    pub fn whole<T: Wire>(bytes: &[u8]) -> Result<T, String> {
        let mut r = Reader::new(bytes);
        let value = T::take(&mut r);
        if r.left() > 0 {
            let left = r.left();
            r.fail(|| format!("{left} bytes left after the message"));
        }
        r.result(value)
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
    fn take(r: &mut Reader) -> Self {
        r.uint()
    }
}

impl Wire for u32 {
    fn put(&self, w: &mut Writer) {
        w.uint(u64::from(*self));
    }
    fn take(r: &mut Reader) -> Self {
        let n = r.uint();
        r.fit(i64::try_from(n).unwrap_or(-1))
    }
}

impl Wire for i64 {
    fn put(&self, w: &mut Writer) {
        w.int(*self);
    }
    fn take(r: &mut Reader) -> Self {
        r.int()
    }
}

impl Wire for i32 {
    fn put(&self, w: &mut Writer) {
        w.int(i64::from(*self));
    }
    fn take(r: &mut Reader) -> Self {
        let n = r.int();
        r.fit(n)
    }
}

impl Wire for f64 {
    fn put(&self, w: &mut Writer) {
        w.bytes.extend_from_slice(&self.to_le_bytes());
    }
    fn take(r: &mut Reader) -> Self {
        f64::from_le_bytes(r.slice(8).try_into().unwrap_or_default())
    }
}

impl Wire for bool {
    fn put(&self, w: &mut Writer) {
        w.byte(u8::from(*self));
    }
    fn take(r: &mut Reader) -> Self {
        r.pick(&[false, true], "truth value")
    }
}

impl Wire for String {
    fn put(&self, w: &mut Writer) {
        w.text(self);
    }
    fn take(r: &mut Reader) -> Self {
        r.text().to_string()
    }
}

/// Bytes as they are (a database file), not item by item.
impl Wire for Vec<u8> {
    fn put(&self, w: &mut Writer) {
        w.raw(self);
    }
    fn take(r: &mut Reader) -> Self {
        r.raw().to_vec()
    }
}

impl<T: Wire> Wire for Vec<T> {
    fn put(&self, w: &mut Writer) {
        w.uint(self.len() as u64);
        for item in self {
            item.put(w);
        }
    }
    fn take(r: &mut Reader) -> Self {
        let n = r.count();
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            items.push(T::take(r));
        }
        items
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
    fn take(r: &mut Reader) -> Self {
        match r.pick(&[false, true], "option") {
            false => None,
            true => Some(T::take(r)),
        }
    }
}

impl<T: Wire> Wire for Box<T> {
    fn put(&self, w: &mut Writer) {
        (**self).put(w);
    }
    fn take(r: &mut Reader) -> Self {
        Box::new(T::take(r))
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
    fn take(r: &mut Reader) -> Self {
        match r.pick(&[true, false], "result") {
            true => Ok(T::take(r)),
            false => Err(E::take(r)),
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
    fn take(r: &mut Reader) -> Self {
        match r.byte() {
            NULL => Value::Null,
            FALSE => Value::Bool(false),
            TRUE => Value::Bool(true),
            UINT => Value::from(r.uint()),
            NEGATIVE => Value::from(r.int()),
            FLOAT => Number::from_f64(f64::take(r)).map_or(Value::Null, Value::Number),
            STRING => Value::String(String::take(r)),
            ARRAY => Value::Array(Vec::take(r)),
            OBJECT => {
                let n = r.count();
                let mut map = Map::new();
                for _ in 0..n {
                    let k = String::take(r);
                    map.insert(k, <Value as Wire>::take(r));
                }
                Value::Object(map)
            }
            tag => {
                r.fail(|| format!("no JSON value tagged {tag}"));
                Value::Null
            }
        }
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
            fn take(r: &mut $crate::wire::Reader) -> Self {
                $t { $($f: $crate::wire::Wire::take(r)),* }
            }
        }
    };
}
pub(crate) use wire_struct;

/// `Wire` for an enum: its variant's place in the list, then that variant's
/// fields (a unit variant is written `Name {}`). Every variant and every field
/// must be listed. An unknown number reads as the first variant, and fails.
macro_rules! wire_enum {
    ($t:ident {
        $v0:ident { $($f0:ident),* $(,)? }
        $(, $v:ident { $($f:ident),* $(,)? })* $(,)?
    }) => {
        impl $crate::wire::Wire for $t {
            fn put(&self, w: &mut $crate::wire::Writer) {
                #[allow(unused_variables)]
                if let $t::$v0 { $($f0),* } = self {
                    w.byte(0);
                    $($crate::wire::Wire::put($f0, w);)*
                    return;
                }
                let mut _tag = 1u8;
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
                match self { $t::$v0 { .. } $(| $t::$v { .. })* => {} }
            }
            fn take(r: &mut $crate::wire::Reader) -> Self {
                let tag = r.byte();
                let mut _n = 1u8;
                $(
                    if tag == _n {
                        return $t::$v { $($f: $crate::wire::Wire::take(r)),* };
                    }
                    _n += 1;
                )*
                if tag != 0 {
                    r.fail(|| format!("no {} numbered {tag}", stringify!($t)));
                }
                $t::$v0 { $($f0: $crate::wire::Wire::take(r)),* }
            }
        }
    };
}
pub(crate) use wire_enum;

#[cfg(test)]
mod tests;
