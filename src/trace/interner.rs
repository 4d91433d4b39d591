//! Texts that trace events repeat: a statement's SQL, an error's name and
//! message. A run of a million jobs runs the same few statements tens of millions
//! of times; each event refers to its text instead of owning a copy of it.
//!
//! A `Text` is a pointer to one shared copy. `Text::new` looks the text up in
//! its thread's table first (each worker thread natively, each wasm instance in
//! the browser, the page), so a text is stored once per thread however many
//! events name it; clones and events moved between threads share that copy.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;
use std::sync::Arc;

/// A text stored once and referred to (one word: events stay small).
#[derive(Clone)]
pub struct Text(Arc<String>);

thread_local! {
    /// Every text this thread has made, to hand out the copy it already has.
    static TABLE: RefCell<HashSet<Text>> = RefCell::new(HashSet::new());
}

impl Text {
    /// The thread's copy of `text`, made if this is its first time.
    pub fn new(text: &str) -> Text {
        TABLE.with(|table| {
            if let Some(known) = table.borrow().get(text) {
                return known.clone();
            }
            let made = Text(Arc::new(text.to_string()));
            table.borrow_mut().insert(made.clone());
            made
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `a` and `b` are the same stored copy (not merely equal texts).
    pub fn same_copy(a: &Text, b: &Text) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        Text::same_copy(self, other) || self.0 == other.0
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl Hash for Text {
    // As `str` hashes, so that the table can be asked with a `&str`.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self)
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Text {
        Text::new(text)
    }
}

impl From<String> for Text {
    fn from(text: String) -> Text {
        Text::new(&text)
    }
}

impl From<&String> for Text {
    fn from(text: &String) -> Text {
        Text::new(text)
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self)
    }
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Text, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Ok(Text::new(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_made_twice_is_one_stored_copy() {
        let a = Text::new("SELECT id FROM jobs");
        let b = Text::from("SELECT id FROM jobs".to_string());
        assert!(Text::same_copy(&a, &b));
        assert_eq!(a, "SELECT id FROM jobs");
        assert!(!Text::same_copy(&a, &Text::new("COMMIT")));
        assert_eq!(std::mem::size_of::<Text>(), std::mem::size_of::<usize>());
    }

    #[test]
    fn read_back_from_json_it_is_the_thread_s_copy() {
        let a = Text::new("BEGIN IMMEDIATE");
        let b: Text = serde_json::from_str(&serde_json::to_string(&a).unwrap()).unwrap();
        assert!(Text::same_copy(&a, &b));
    }
}
