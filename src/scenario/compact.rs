//! A scenario's fields as a short text for a link (the page's share links):
//! `workers:8;busy_timeout_ms:5000;work_ms:5..15;journal_mode:wal`. Only the
//! fields given are written (a link holds those that differ from the lesson's
//! scenario), each in the plainest form its kind allows: a number, `a..b` for a
//! range, `true` or `false`, a word; the faults list as JSON. Characters that
//! would end a field or the link are written as `%XX`. Reading a text back
//! refuses a field this version does not know, by name, so a link from another
//! version says what it cannot restore; the values themselves are judged by the
//! scenario parser, as a typed value would be.

use super::{Edit, FIELDS};
use serde_json::{Map, Value};

/// A text that is not a list of fields this version knows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompactError {
    /// A field name this version of locklab does not have.
    UnknownField(String),
    /// `field:value` that cannot be read as its kind of value.
    BadValue { field: String, value: String },
}

impl std::fmt::Display for CompactError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CompactError::UnknownField(name) => write!(
                f,
                "the link names a scenario field `{name}` that this version of locklab does not have"
            ),
            CompactError::BadValue { field, value } => write!(
                f,
                "the link's scenario field `{field}` has a value that cannot be read: `{value}`"
            ),
        }
    }
}

/// `fields` as a compact text, in the order of the field table.
pub fn encode(fields: &Map<String, Value>) -> String {
    FIELDS
        .iter()
        .filter_map(|f| {
            let value = fields.get(f.name)?;
            let text = match (&f.edit, value) {
                (Edit::Range { .. }, Value::Array(pair)) if pair.len() == 2 => {
                    format!("{}..{}", pair[0], pair[1])
                }
                (Edit::List { .. }, v) => escape(&v.to_string()),
                (_, Value::String(s)) => escape(s),
                (_, v) => escape(&v.to_string()),
            };
            Some(format!("{}:{text}", f.name))
        })
        .collect::<Vec<_>>()
        .join(";")
}

/// The fields of a compact text, each as the JSON value it stands for.
pub fn decode(text: &str) -> Result<Map<String, Value>, CompactError> {
    let mut fields = Map::new();
    for part in text.split(';').filter(|p| !p.is_empty()) {
        let (name, raw) = part.split_once(':').unwrap_or((part, ""));
        let name = unescape(name);
        let field = FIELDS
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| CompactError::UnknownField(name.clone()))?;
        let raw = unescape(raw);
        let bad = || CompactError::BadValue {
            field: name.clone(),
            value: raw.clone(),
        };
        let number = |t: &str| -> Result<Value, CompactError> {
            t.parse::<u64>().map(Value::from).map_err(|_| bad())
        };
        let value = match field.edit {
            Edit::Number { .. } | Edit::Seed { .. } => number(&raw)?,
            Edit::Range { .. } => match raw.split_once("..") {
                Some((a, b)) => Value::Array(vec![number(a)?, number(b)?]),
                None => number(&raw)?,
            },
            Edit::Flag { .. } => match raw.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => return Err(bad()),
            },
            Edit::List { .. } => serde_json::from_str(&raw).map_err(|_| bad())?,
            Edit::Text { .. } | Edit::Choice { .. } => Value::String(raw.clone()),
        };
        fields.insert(name, value);
    }
    Ok(fields)
}

/// The fields of `scenario` whose value is not the one in `base` (both JSON
/// objects with every field filled in, as `Scenario::to_value` gives them).
pub fn differences(base: &Value, scenario: &Value) -> Map<String, Value> {
    let Some(fields) = scenario.as_object() else {
        return Map::new();
    };
    // Inserted one by one: `collect` would first sort the pairs (see `ordering`).
    let mut differences = Map::new();
    for (k, v) in fields {
        if base.get(k.as_str()) != Some(v) {
            differences.insert(k.clone(), v.clone());
        }
    }
    differences
}

/// Letters, digits and `-_.` stay; everything else is written `%XX` (UTF-8).
fn escape(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn unescape(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Scenario;
    use serde_json::json;

    #[test]
    fn a_scenario_goes_through_a_link_and_comes_back_the_same() {
        let scenario = Scenario::from_value(&json!({
            "name": "my run; 50% & more", "workers": 8, "busy_timeout_ms": 5000,
            "work_ms": [5, 15], "journal_mode": "wal", "claim_index": false,
            "faults": [{"kill": 1, "at_ms": 100, "holding": "wal_write"}]
        }))
        .unwrap()
        .to_value();
        let base = Scenario::default().to_value();
        let diff = differences(&base, &scenario);
        let text = encode(&diff);
        assert!(
            text.contains("workers:8;") && text.contains("work_ms:5..15"),
            "{text}"
        );
        assert!(
            !text.contains('&') && !text.contains('#') && !text.contains(' '),
            "{text}"
        );
        let back = decode(&text).unwrap();
        let mut restored = base.as_object().unwrap().clone();
        restored.extend(back);
        let restored = Scenario::from_value(&Value::Object(restored))
            .unwrap()
            .to_value();
        assert_eq!(restored, scenario);
    }

    #[test]
    fn a_field_this_version_does_not_know_is_named() {
        assert_eq!(
            decode("workers:4;turbo:9"),
            Err(CompactError::UnknownField("turbo".into()))
        );
        assert_eq!(
            decode("workers:many"),
            Err(CompactError::BadValue {
                field: "workers".into(),
                value: "many".into()
            })
        );
    }
}
