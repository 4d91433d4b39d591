//! What a JavaScript caller passed to `window.locklab`, as JSON. `JSON.stringify`
//! would turn NaN and Infinity into null, drop functions, and throw on a BigInt or
//! a cycle; here each of those is refused with the path of the field that holds
//! it, so the caller learns which field is wrong instead of getting a default.

use js_sys::{Array, Object, Reflect};
use serde_json::{Map, Number, Value};
use wasm_bindgen::{JsCast, JsValue};

/// Deeper than this, a value is refused (no scenario nests that deep).
const MAX_DEPTH: usize = 32;

/// A value JSON cannot carry: where it is (`workers`, `faults[0].at_ms`; empty for
/// the value itself) and what it is, in words.
#[derive(Debug, PartialEq, Eq)]
pub struct Refused {
    pub path: String,
    pub given: String,
}

/// `value` as JSON; `None` for `undefined` (a field left out).
pub fn to_json(value: &JsValue) -> Result<Option<Value>, Refused> {
    convert(value, "", &mut Vec::new())
}

/// What `value` is, in words, for an error message: "NaN", "a function", "5n"...
pub fn describe(value: &JsValue) -> String {
    match value.js_typeof().as_string().as_deref() {
        Some("undefined") => "undefined".to_string(),
        Some("function") => "a function".to_string(),
        Some("symbol") => "a symbol".to_string(),
        Some("bigint") => format!("a BigInt ({}n)", string_of(value)),
        Some("string") => format!("{:?}", value.as_string().unwrap_or_default()),
        Some("object") if value.is_null() => "null".to_string(),
        Some("object") if Array::is_array(value) => "an array".to_string(),
        Some("object") => match constructor_name(value) {
            Some(name) if name != "Object" => format!("a {name}"),
            _ => "an object".to_string(),
        },
        _ => string_of(value),
    }
}

/// JavaScript's own `String(value)`: "NaN", "Infinity", "5" for 5n.
fn string_of(value: &JsValue) -> String {
    Reflect::get(&js_sys::global(), &"String".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|string| string.call1(&JsValue::NULL, value).ok())
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

fn constructor_name(value: &JsValue) -> Option<String> {
    let constructor = Reflect::get(value, &"constructor".into()).ok()?;
    Reflect::get(&constructor, &"name".into()).ok()?.as_string()
}

fn refused(path: &str, given: String) -> Refused {
    Refused {
        path: path.to_string(),
        given,
    }
}

fn convert(
    value: &JsValue,
    path: &str,
    within: &mut Vec<JsValue>,
) -> Result<Option<Value>, Refused> {
    let kind = value.js_typeof().as_string().unwrap_or_default();
    let json = match kind.as_str() {
        "undefined" => return Ok(None),
        "boolean" => Value::Bool(value.as_bool().unwrap_or(false)),
        "string" => Value::String(value.as_string().unwrap_or_default()),
        "number" => number(value.as_f64().unwrap_or(f64::NAN))
            .ok_or_else(|| refused(path, string_of(value)))?,
        "object" if value.is_null() => Value::Null,
        "object" => {
            if within.len() >= MAX_DEPTH {
                return Err(refused(
                    path,
                    format!("nested deeper than {MAX_DEPTH} levels"),
                ));
            }
            if within.iter().any(|outer| Object::is(outer, value)) {
                return Err(refused(path, "an object that contains itself".to_string()));
            }
            within.push(value.clone());
            let json = if Array::is_array(value) {
                array(value.unchecked_ref(), path, within)
            } else if is_plain(value) {
                object(value.unchecked_ref(), path, within)
            } else {
                Err(refused(path, describe(value)))
            };
            within.pop();
            json?
        }
        _ => return Err(refused(path, describe(value))),
    };
    Ok(Some(json))
}

/// A finite number as JSON: whole numbers as integers (so `4` is 4, not 4.0).
fn number(n: f64) -> Option<Value> {
    if !n.is_finite() {
        return None;
    }
    if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
        return Some(Value::from(n as i64));
    }
    Number::from_f64(n).map(Value::Number)
}

/// An object made by `{...}` (or with no prototype), not a Date, Map, typed array...
fn is_plain(value: &JsValue) -> bool {
    let prototype = Object::get_prototype_of(value);
    prototype.is_null() || Object::is(&prototype, &Object::get_prototype_of(&Object::new()))
}

fn array(items: &Array, path: &str, within: &mut Vec<JsValue>) -> Result<Value, Refused> {
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let here = format!("{path}[{i}]");
        // A hole or `undefined` in an array reads as null, as in JSON.
        out.push(convert(&item, &here, within)?.unwrap_or(Value::Null));
    }
    Ok(Value::Array(out))
}

fn object(fields: &Object, path: &str, within: &mut Vec<JsValue>) -> Result<Value, Refused> {
    let mut out = Map::new();
    for key in Object::keys(fields).iter() {
        let key = key.as_string().unwrap_or_default();
        let here = if path.is_empty() {
            key.clone()
        } else {
            format!("{path}.{key}")
        };
        let item = Reflect::get(fields, &JsValue::from_str(&key)).map_err(|e| {
            refused(
                &here,
                format!("a field whose getter threw ({})", describe(&e)),
            )
        })?;
        if let Some(json) = convert(&item, &here, within)? {
            out.insert(key, json);
        }
    }
    Ok(Value::Object(out))
}
