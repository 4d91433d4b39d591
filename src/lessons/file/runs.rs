//! A lesson file's runs: one (`run`), two to compare (`compare`), several side
//! by side (`grid`), or several that vary one field (`sweep`); and each run: a
//! preset or a workload of the gallery by name, with changes, or a scenario or
//! workload document of one's own.

use super::{describe, leak, object, refuse, text, LessonError};
use crate::lessons::{Base, Runs, Side};
use crate::scenario::{presets, workload::gallery};
use serde_json::{Map, Value};

/// The most runs a grid or a sweep has (each is run after the other).
pub const MOST_RUNS: usize = 12;

/// The lesson's runs, from whichever of `run`, `compare`, `grid` and `sweep` it
/// has (exactly one).
pub(super) fn runs(map: &Map<String, Value>) -> Result<Runs, LessonError> {
    let given: Vec<&str> = ["run", "compare", "grid", "sweep"]
        .into_iter()
        .filter(|k| map.contains_key(*k))
        .collect();
    match given.as_slice() {
        ["run"] => Ok(Runs::One(side(&map["run"], "run", "")?)),
        ["compare"] => {
            let sides = labelled(&map["compare"], "compare", 2..=2)?;
            let [a, b]: [Side; 2] = sides.try_into().expect("two sides");
            Ok(Runs::Compare(a, b))
        }
        ["grid"] => Ok(Runs::Grid(labelled(&map["grid"], "grid", 2..=MOST_RUNS)?)),
        ["sweep"] => {
            let m = object(map.get("sweep"), "sweep", &["field", "runs"])?;
            let field = text(m, "field", "sweep.field", 1, 60)?;
            let sides = labelled(
                m.get("runs").unwrap_or(&Value::Null),
                "sweep.runs",
                2..=MOST_RUNS,
            )?;
            Ok(Runs::Sweep(leak(&field), sides))
        }
        _ => Err(refuse(
            "",
            "exactly one of run, compare, grid and sweep",
            if given.is_empty() {
                "none of them".to_string()
            } else {
                given.join(" and ")
            },
        )),
    }
}

/// A list of `{"label", "run"}`, as many as `counts` allows.
fn labelled(
    v: &Value,
    path: &str,
    counts: std::ops::RangeInclusive<usize>,
) -> Result<Vec<Side>, LessonError> {
    let allowed = if counts.start() == counts.end() {
        format!(
            "a list of {} runs, each {{\"label\", \"run\"}}",
            counts.start()
        )
    } else {
        format!(
            "a list of {} to {} runs, each {{\"label\", \"run\"}}",
            counts.start(),
            counts.end()
        )
    };
    let Value::Array(items) = v else {
        return Err(refuse(path, allowed, describe(Some(v))));
    };
    if !counts.contains(&items.len()) {
        return Err(refuse(path, allowed, format!("{} runs", items.len())));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let path = format!("{path}[{i}]");
            let m = object(Some(item), &path, &["label", "run"])?;
            let label = text(m, "label", &format!("{path}.label"), 1, 60)?;
            side(
                m.get("run").unwrap_or(&Value::Null),
                &format!("{path}.run"),
                &label,
            )
        })
        .collect()
}

/// A run: `{"preset": NAME, "changes": {...}}`, `{"workload": NAME, "changes":
/// {...}}`, or a scenario or workload document, checked as the run will read
/// it.
fn side(v: &Value, path: &str, label: &str) -> Result<Side, LessonError> {
    let Value::Object(map) = v else {
        return Err(refuse(
            path,
            "a scenario, a workload, {\"preset\": ..., \"changes\": ...} or {\"workload\": ..., \
             \"changes\": ...}",
            describe(Some(v)),
        ));
    };
    let named = |key: &str, list: &str, find: &dyn Fn(&str) -> Option<&'static str>| {
        let map = object(Some(v), path, &[key, "changes"])?;
        let name = map[key]
            .as_str()
            .and_then(find)
            .ok_or_else(|| refuse(&format!("{path}.{key}"), list, describe(map.get(key))))?;
        let changes = match map.get("changes") {
            None => Value::Object(Map::new()),
            Some(c @ Value::Object(_)) => c.clone(),
            c => {
                return Err(refuse(
                    &format!("{path}.changes"),
                    "an object of fields to set",
                    describe(c),
                ))
            }
        };
        Ok((name, changes))
    };
    let side = if map.contains_key("preset") {
        let (name, changes) = named("preset", "the name of a preset (locklab presets)", &|n| {
            presets::find(n).map(|p| p.name)
        })?;
        Side {
            label: leak(label),
            base: Base::Preset(name),
            changes,
        }
    } else if map.contains_key("workload") {
        let names: Vec<&str> = gallery::names().collect();
        let (name, changes) = named(
            "workload",
            &format!(
                "the name of a workload of the gallery: {}",
                names.join(", ")
            ),
            &|n| gallery::find(n).map(|(name, _)| name),
        )?;
        Side {
            label: leak(label),
            base: Base::Workload(name),
            changes,
        }
    } else {
        Side {
            label: leak(label),
            base: Base::Document(v.clone()),
            changes: Value::Object(Map::new()),
        }
    };
    side.scenario().map_err(|e| LessonError {
        field: if e.field.is_empty() {
            path.to_string()
        } else {
            format!("{path}.{}", e.field)
        },
        allowed: e.allowed,
        given: e.given,
    })?;
    Ok(side)
}

/// A run as a lesson file writes it: the inverse of `side`.
pub fn side_json(side: &Side) -> Value {
    let named = |key: &str, name: &str| {
        let mut m = Map::new();
        m.insert(key.to_string(), name.into());
        if side.changes.as_object().is_some_and(|c| !c.is_empty()) {
            m.insert("changes".to_string(), side.changes.clone());
        }
        Value::Object(m)
    };
    match &side.base {
        Base::Preset(name) => named("preset", name),
        Base::Workload(name) => named("workload", name),
        Base::Document(_) => side.scenario_json(),
    }
}
