//! Reading a scenario document one field at a time, each with the rule, range and
//! default the field table gives it. Every refusal names the field, what it allows
//! and what it was given; nothing here knows what a field means.

use super::fields::{self, Edit};
use super::{ScenarioError, Word, WorkMs};
use serde_json::{Map, Value};

/// The raw fields of a scenario document.
pub(super) struct Fields<'a>(pub &'a Map<String, Value>);

impl Fields<'_> {
    /// The value written for `field`, if any. `null` is refused: a field left out
    /// takes its default, and a `null` is more often a number that went wrong (NaN
    /// through JSON.stringify) than a wish for the default.
    pub fn get(&self, field: &str) -> Result<Option<&Value>, ScenarioError> {
        match self.0.get(field) {
            Some(Value::Null) => Err(ScenarioError {
                field: field.to_string(),
                allowed: format!("{} (or the field left out for its default)", allowed(field)),
                given: "null".to_string(),
            }),
            other => Ok(other),
        }
    }

    fn edit(field: &str) -> Edit {
        fields::field(field)
            .map(|f| f.edit)
            .unwrap_or_else(|| panic!("`{field}` is not in the field table"))
    }

    pub fn number(&self, field: &str) -> Result<u32, ScenarioError> {
        let Edit::Number { min, max, default } = Self::edit(field) else {
            panic!("`{field}` is not a number field");
        };
        match self.get(field)? {
            Some(v) => int_in(field, v, min, max),
            None => Ok(default),
        }
    }

    pub fn max_items(&self, field: &str) -> usize {
        match Self::edit(field) {
            Edit::List { max_items } => max_items,
            _ => panic!("`{field}` is not a list field"),
        }
    }

    pub fn seed(&self, field: &str) -> Result<u64, ScenarioError> {
        let Edit::Seed { default } = Self::edit(field) else {
            panic!("`{field}` is not a seed field");
        };
        match self.get(field)? {
            Some(v) => v.as_u64().ok_or_else(|| ScenarioError {
                field: field.to_string(),
                allowed: allowed(field),
                given: describe(v),
            }),
            None => Ok(default),
        }
    }

    pub fn flag(&self, field: &str) -> Result<bool, ScenarioError> {
        let Edit::Flag { default } = Self::edit(field) else {
            panic!("`{field}` is not a flag field");
        };
        match self.get(field)? {
            Some(v) => v.as_bool().ok_or_else(|| ScenarioError {
                field: field.to_string(),
                allowed: allowed(field),
                given: describe(v),
            }),
            None => Ok(default),
        }
    }

    pub fn text(&self, field: &str) -> Result<String, ScenarioError> {
        let Edit::Text { min, max, default } = Self::edit(field) else {
            panic!("`{field}` is not a text field");
        };
        let Some(v) = self.get(field)? else {
            return Ok(default.to_string());
        };
        match v.as_str() {
            Some(s) if (min..=max).contains(&s.chars().count()) => Ok(s.to_string()),
            _ => Err(ScenarioError {
                field: field.to_string(),
                allowed: allowed(field),
                given: describe(v),
            }),
        }
    }

    pub fn choice<T: Word>(&self, field: &str) -> Result<T, ScenarioError> {
        let Edit::Choice { default, .. } = Self::edit(field) else {
            panic!("`{field}` is not a choice field");
        };
        let word = match self.get(field)? {
            Some(v) => v.as_str().ok_or_else(|| ScenarioError {
                field: field.to_string(),
                allowed: allowed(field),
                given: describe(v),
            })?,
            None => default,
        };
        T::ALL
            .iter()
            .copied()
            .find(|t| t.word() == word)
            .ok_or_else(|| ScenarioError {
                field: field.to_string(),
                allowed: allowed(field),
                given: describe(&Value::from(word)),
            })
    }

    pub fn range(&self, field: &str) -> Result<WorkMs, ScenarioError> {
        let Edit::Range {
            min,
            max,
            default: (lo, hi),
        } = Self::edit(field)
        else {
            panic!("`{field}` is not a range field");
        };
        let Some(v) = self.get(field)? else {
            return Ok(WorkMs { min: lo, max: hi });
        };
        if let Value::Array(pair) = v {
            let bad = || ScenarioError {
                field: field.to_string(),
                allowed: format!("a number or [min, max] with {min} <= min <= max <= {max}"),
                given: describe(v),
            };
            let [lo, hi] = pair.as_slice() else {
                return Err(bad());
            };
            let lo = int_in(field, lo, min, max).map_err(|_| bad())?;
            let hi = int_in(field, hi, min, max).map_err(|_| bad())?;
            if lo > hi {
                return Err(bad());
            }
            return Ok(WorkMs { min: lo, max: hi });
        }
        let ms = int_in(field, v, min, max).map_err(|mut e| {
            e.allowed = allowed(field);
            e
        })?;
        Ok(WorkMs { min: ms, max: ms })
    }
}

/// What a field allows, in the words of its error messages.
fn allowed(field: &str) -> String {
    match fields::field(field).map(|f| f.edit) {
        Some(Edit::Text { min, max, .. }) => format!("a text of {min} to {max} characters"),
        Some(Edit::Number { min, max, .. }) => format!("a whole number from {min} to {max}"),
        Some(Edit::Range { min, max, .. }) => {
            format!("a number from {min} to {max} or [min, max]")
        }
        Some(Edit::Seed { .. }) => format!("a whole number from 0 to {}", u64::MAX),
        Some(Edit::Flag { .. }) => "true or false".to_string(),
        Some(Edit::Choice { words, .. }) => format!(
            "one of {}",
            words
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Some(Edit::List { max_items }) => format!("a list of at most {max_items} items"),
        None => "a known field".to_string(),
    }
}

pub(crate) fn int_in(field: &str, v: &Value, min: u32, max: u32) -> Result<u32, ScenarioError> {
    v.as_u64()
        .filter(|n| (u64::from(min)..=u64::from(max)).contains(n))
        .map(|n| n as u32)
        .ok_or_else(|| ScenarioError {
            field: field.to_string(),
            allowed: format!("a whole number from {min} to {max}"),
            given: describe(v),
        })
}

/// How a value reads in an error message: the JSON itself, cut short if long.
pub(crate) fn describe(v: &Value) -> String {
    let mut text = v.to_string();
    if text.len() > 60 {
        let cut = (0..=57)
            .rev()
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(0);
        text.truncate(cut);
        text.push_str("...");
    }
    text
}

/// `v` as an object whose keys are all among `fields`: refused at `path` when
/// it is no object, at `path.key` for a key it should not have. (A workload's
/// and a lesson file's objects are read so.)
pub(crate) fn object_with<'v>(
    v: Option<&'v Value>,
    path: &str,
    fields: &[&str],
) -> Result<&'v Map<String, Value>, ScenarioError> {
    let Some(Value::Object(map)) = v else {
        return Err(ScenarioError {
            field: path.to_string(),
            allowed: format!("an object with {}", fields.join(", ")),
            given: v.map_or("nothing".to_string(), describe),
        });
    };
    if let Some(unknown) = map.keys().find(|k| !fields.contains(&k.as_str())) {
        return Err(ScenarioError {
            field: format!("{path}.{unknown}"),
            allowed: format!("one of {}", fields.join(", ")),
            given: "an unknown field".to_string(),
        });
    }
    Ok(map)
}
