//! A lesson file's conditions and its check: the choices' and the check's
//! `when` (docs/conditions.md), and the check's sentence, whose `{...}` are
//! filled from the reports.

use super::{describe, object, refuse, text, LessonError};
use crate::decimal::Dec;
use crate::lessons::condition::{Condition, Runs as Reports};
use crate::lessons::{Evidence, FileCheck, Finding};
use serde_json::Value;
use std::sync::Arc;

pub(super) fn condition(
    v: Option<&Value>,
    path: &str,
    sides: usize,
) -> Result<Arc<Condition>, LessonError> {
    let Some(Value::String(text)) = v else {
        return Err(refuse(
            path,
            "a condition (docs/conditions.md)",
            describe(v),
        ));
    };
    let c = Condition::parse(text)
        .map_err(|e| refuse(path, "a condition (docs/conditions.md)", e.to_string()))?;
    if c.runs_needed() > sides {
        return Err(refuse(
            path,
            if sides == 1 {
                "a condition on run a only (the lesson has one run)".to_string()
            } else {
                format!("a condition on the lesson's {sides} runs")
            },
            text.clone(),
        ));
    }
    Ok(Arc::new(c))
}

pub(super) fn check(v: Option<&Value>, sides: usize) -> Result<Arc<FileCheck>, LessonError> {
    let map = object(v, "check", &["when", "says"])?;
    let says = text(map, "says", "check.says", 1, 4000)?;
    let parts = template(&says, sides).map_err(|why| {
        refuse(
            "check.says",
            "a text whose {...} are expressions over the reports",
            why,
        )
    })?;
    Ok(Arc::new(FileCheck {
        when: condition(map.get("when"), "check.when", sides)?,
        says: parts,
    }))
}

/// A sentence's parts: text, and the expressions in `{...}` to fill in.
#[derive(Clone, Debug)]
pub enum Part {
    Text(String),
    /// An expression, and the decimal places to show (`{expr:1}`); `None`
    /// shows whole numbers whole and others to two places.
    Value(Condition, Option<usize>),
}

fn template(says: &str, sides: usize) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut rest = says;
    while let Some(open) = rest.find('{') {
        parts.push(Part::Text(rest[..open].to_string()));
        let close = rest[open..].find('}').ok_or("a { without its }")? + open;
        let inside = &rest[open + 1..close];
        let (expr, places) = match inside.rsplit_once(':') {
            Some((expr, p))
                if !p.trim().is_empty() && p.trim().bytes().all(|b| b.is_ascii_digit()) =>
            {
                match p.trim().parse::<usize>() {
                    Ok(n) if n <= 3 => (expr, Some(n)),
                    _ => {
                        return Err(format!(
                            "{{{inside}}}: after `:`, the decimal places to show, 0 to 3"
                        ))
                    }
                }
            }
            _ => (inside, None),
        };
        let value = Condition::parse(expr).map_err(|e| format!("{{{expr}}}: {e}"))?;
        if value.runs_needed() > sides {
            return Err(format!(
                "{{{expr}}} reads a run the lesson does not have (it has {sides})"
            ));
        }
        parts.push(Part::Value(value, places));
        rest = &rest[close + 1..];
    }
    if rest.contains('}') {
        return Err("a } without its {".to_string());
    }
    parts.push(Part::Text(rest.to_string()));
    Ok(parts)
}

impl FileCheck {
    /// The `{...}` of the check's sentence that cannot be read on these runs,
    /// each with why: a lesson whose sentence says "(missing field ...)".
    pub fn unreadable(&self, evidence: &Evidence) -> Vec<String> {
        let reports = evidence.reports_json();
        let runs = Reports::of(reports.iter());
        self.says
            .iter()
            .filter_map(|part| match part {
                Part::Value(c, _) => c.value(&runs).err().map(|e| format!("{{{c}}}: {e}")),
                Part::Text(_) => None,
            })
            .collect()
    }

    /// The check's finding on these runs: whether its condition holds, and its
    /// sentence filled in from the reports (a value that cannot be read says so).
    pub fn find(&self, evidence: &Evidence) -> Finding {
        let reports = evidence.reports_json();
        let runs = Reports::of(reports.iter());
        let appeared = self.when.eval(&runs);
        let mut because = String::new();
        for part in &self.says {
            match part {
                Part::Text(t) => because.push_str(t),
                Part::Value(c, places) => because.push_str(&match c.value(&runs) {
                    Ok(Value::Number(n)) => shown(n.as_f64().unwrap_or_default(), *places),
                    Ok(Value::String(s)) => s,
                    Ok(Value::Bool(yes)) => if yes { "yes" } else { "no" }.to_string(),
                    Ok(other) => other.to_string(),
                    Err(e) => format!("({e})"),
                }),
            }
        }
        // The hosts end the sentence (after "It showed: ").
        let because = because.trim_end().trim_end_matches('.').to_string();
        match appeared {
            Ok(appeared) => Finding { appeared, because },
            Err(e) => Finding {
                appeared: false,
                because: format!("{because} (the check's condition could not be read: {e})"),
            },
        }
    }
}

/// A number as a sentence says it: to the places asked, else whole numbers
/// without decimals and others to two places.
fn shown(n: f64, places: Option<usize>) -> String {
    let n = Dec(n);
    if let Some(places) = places {
        format!("{n:.places$}")
    } else if n.0.fract() == 0.0 && n.0.abs() < 1e15 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}
