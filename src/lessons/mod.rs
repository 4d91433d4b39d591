//! The course: the article's argument as lessons a learner steps through. A lesson
//! is data, a lesson file (docs/lesson.md; the course's own in static/course/): a
//! claim in our own words, its run (a preset, a gallery workload or a document of
//! its own), a pair of them to compare, or a grid or sweep of several, a
//! prediction whose choices are conditions on the runs' numbers, a check that the
//! phenomenon appeared (a condition and a sentence filled from the reports), an
//! annotated moment (a query over the run's timeline), and one suggested change.
//! The page and the CLI run the same lessons; every sentence they show about a
//! run is made from that run's report and trace (`happened.rs`, `moment.rs`, the
//! check's sentence).

pub mod built_in;
pub mod condition;
pub mod file;
pub mod moment;
mod readings;

pub mod happened;
pub use happened::what_happened;
pub use moment::{Moment, MomentQuery};
pub use readings::{clean_run, run_line, write_busy_share};

use crate::analysis::report::RunReport;
use crate::scenario::presets;
use crate::scenario::{Scenario, ScenarioError};
use serde::Serialize;
use serde_json::{Map, Value};

/// One page of the course.
#[derive(Clone, Debug)]
pub struct Lesson {
    /// The lesson's name in URLs and on the CLI (`locklab lesson wall-of-red`).
    pub id: &'static str,
    pub title: &'static str,
    /// What the lesson argues, in a few sentences.
    pub claim: &'static str,
    pub runs: Runs,
    pub prediction: Prediction,
    /// Whether the phenomenon appeared in this run (or pair of runs), from the
    /// numbers, and the numbers that say so.
    pub check: std::sync::Arc<FileCheck>,
    /// The moment of the run to zoom to and label.
    pub moment: MomentQuery,
    /// What to try next: a change of the scenario (of both sides of a comparison).
    pub suggestion: Suggestion,
    /// The public bug report the lesson reproduces, if it is a case file.
    pub case_file: Option<CaseFile>,
}

/// The scenario of a lesson, the two scenarios of a comparison, or the several
/// of a grid or a sweep (run one after the other, never at once).
#[derive(Clone, Debug)]
pub enum Runs {
    One(Side),
    Compare(Side, Side),
    /// Runs shown side by side as small multiples, each with its key numbers.
    Grid(Vec<Side>),
    /// Runs that vary one field (named here), plotted: jobs/s against it.
    Sweep(&'static str, Vec<Side>),
}

/// One scenario of a lesson: a preset (or a lesson file's own scenario or
/// workload), with some fields changed.
#[derive(Clone, Debug)]
pub struct Side {
    /// A short name for the side: "busy_timeout = 0".
    pub label: &'static str,
    pub base: Base,
    /// Fields that differ from the base (a JSON object).
    pub changes: Value,
}

/// What a side's scenario starts from.
#[derive(Clone, Debug)]
pub enum Base {
    Preset(&'static str),
    /// A workload of the gallery (static/workloads/), by name.
    Workload(&'static str),
    /// A scenario or workload document, as a lesson file gives it.
    Document(Value),
}

/// A lesson's check: its condition, and the sentence that says what it found,
/// its `{...}` filled from the reports (`file::Part`).
#[derive(Debug)]
pub struct FileCheck {
    pub when: std::sync::Arc<condition::Condition>,
    pub says: Vec<file::Part>,
}

/// The runs a lesson's check, prediction and text read: one report, both of a
/// comparison, or all of a grid or sweep (`all`, in the order of the sides; `a`
/// and `b` are its first two).
#[derive(Clone, Debug)]
pub struct Evidence<'a> {
    pub a: &'a RunReport,
    pub b: Option<&'a RunReport>,
    pub all: Vec<&'a RunReport>,
    /// The reports as JSON, made once, when a condition first reads them.
    json: std::cell::OnceCell<Vec<Value>>,
}

impl<'a> Evidence<'a> {
    /// The reports as JSON, as conditions read them (made once per evidence,
    /// however many choices and checks read them).
    pub fn reports_json(&self) -> &[Value] {
        self.json.get_or_init(|| {
            self.all
                .iter()
                .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
                .collect()
        })
    }

    /// The evidence of these reports, in the order of the lesson's sides (at
    /// least one).
    pub fn of(reports: impl IntoIterator<Item = &'a RunReport>) -> Evidence<'a> {
        let all: Vec<&RunReport> = reports.into_iter().collect();
        Evidence {
            a: all[0],
            b: all.get(1).copied(),
            all,
            json: std::cell::OnceCell::new(),
        }
    }
}

/// The question asked before the run, and its choices.
#[derive(Clone, Debug)]
pub struct Prediction {
    pub question: &'static str,
    pub choices: Vec<Choice>,
}

/// A choice, and the condition on the run's numbers that makes it the right one.
#[derive(Clone, Debug)]
pub struct Choice {
    pub text: &'static str,
    /// When it holds; a condition that cannot be decided does not hold.
    pub when: std::sync::Arc<condition::Condition>,
}

/// What a check found.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// The lesson's phenomenon appeared.
    pub appeared: bool,
    /// The run's numbers that show it, or show it missing.
    pub because: String,
}

/// A check's finding, with what made the run differ from the lesson's when the
/// phenomenon did not appear.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Verdict {
    #[serde(flatten)]
    pub finding: Finding,
    /// Fields of the scenario run that differ from the lesson's ("busy_timeout_ms
    /// is 5000 here; the lesson has 0"), when the phenomenon did not appear.
    pub differs: Vec<String>,
}

/// One change to try, as a button: its words and the fields it sets.
#[derive(Clone, Debug)]
pub struct Suggestion {
    pub label: &'static str,
    pub changes: Value,
}

/// A public bug report about "database is locked" in a job queue, reproduced.
#[derive(Clone, Debug, Serialize)]
pub struct CaseFile {
    /// "coleifer/huey#445", and the thread's address.
    pub thread: &'static str,
    pub url: &'static str,
    /// The reporter's setup, as the thread and the project's code at that
    /// version give it.
    pub setup: &'static str,
    /// What locklab runs in place of what it cannot run or the thread does not
    /// give (locklab's workload, a cause the thread does not name).
    pub stand_in: &'static str,
    /// The four parts: what its users saw, what locklab shows happening, what
    /// fixed it, and what the thread does not say.
    pub saw: &'static str,
    pub shows: &'static str,
    pub fixed: &'static str,
    pub unsaid: &'static str,
}

impl Side {
    /// The side's scenario as JSON: the preset's, with the changes applied.
    pub fn scenario_json(&self) -> Value {
        match &self.base {
            Base::Preset(name) => {
                let preset = presets::find(name)
                    .unwrap_or_else(|| panic!("lesson side names no preset `{name}`"));
                with_changes(&preset.scenario, &self.changes)
            }
            Base::Workload(name) => {
                let (_, doc) = crate::scenario::workload::gallery::find(name)
                    .unwrap_or_else(|| panic!("lesson side names no workload `{name}`"));
                with_changes(&doc, &self.changes)
            }
            Base::Document(doc) => with_changes(doc, &self.changes),
        }
    }

    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_value(&self.scenario_json())
    }
}

/// `base` (a JSON object) with the fields of `changes` set.
pub fn with_changes(base: &Value, changes: &Value) -> Value {
    let mut fields: Map<String, Value> = base.as_object().cloned().unwrap_or_default();
    if let Some(changes) = changes.as_object() {
        for (k, v) in changes {
            fields.insert(k.clone(), v.clone());
        }
    }
    Value::Object(fields)
}

impl Runs {
    pub fn sides(&self) -> Vec<&Side> {
        match self {
            Runs::One(a) => vec![a],
            Runs::Compare(a, b) => vec![a, b],
            Runs::Grid(sides) | Runs::Sweep(_, sides) => sides.iter().collect(),
        }
    }

    /// A grid or a sweep: more runs than a comparison, each its own variation.
    pub fn is_many(&self) -> bool {
        matches!(self, Runs::Grid(_) | Runs::Sweep(..))
    }

    /// Each side's scenario (JSON) with the edits `draft` made to the first
    /// side's: the first is the draft itself. A comparison's B takes every edit;
    /// a grid's or sweep's other sides keep the fields they vary (where a side
    /// differs from the first), so an edit of the first run edits all alike.
    pub fn with_edits(&self, draft: &Value) -> Vec<Value> {
        let sides = self.sides();
        let first = sides[0].scenario_json();
        // Inserted one by one: `collect` would first sort the pairs (see `ordering`).
        let mut edits = Map::new();
        for (k, v) in draft.as_object().into_iter().flatten() {
            if first.get(k.as_str()) != Some(v) {
                edits.insert(k.clone(), v.clone());
            }
        }
        let mut out = vec![draft.clone()];
        for side in &sides[1..] {
            let own = side.scenario_json();
            let mut mine = edits.clone();
            if self.is_many() {
                mine.retain(|k, _| own.get(k.as_str()) == first.get(k.as_str()));
            }
            out.push(with_changes(&own, &Value::Object(mine)));
        }
        out
    }
}

impl Lesson {
    /// Check the run(s): the finding, and when the phenomenon did not appear,
    /// the scenario fields that differ from the lesson's.
    pub fn check(&self, evidence: &Evidence) -> Verdict {
        let finding = self.check.find(evidence);
        let differs = if finding.appeared {
            Vec::new()
        } else {
            self.runs
                .sides()
                .into_iter()
                .zip(&evidence.all)
                .flat_map(|(side, report)| differences(side, &report.scenario))
                .collect()
        };
        Verdict { finding, differs }
    }

    /// The choice of the prediction that the run bears out (the first that holds).
    pub fn answer(&self, evidence: &Evidence) -> Option<usize> {
        (0..self.prediction.choices.len()).find(|&i| self.holds(i, evidence))
    }

    /// What of the check cannot be read on these runs (a lesson file's
    /// sentence's `{...}`, its condition): what `check-lesson` tells an author.
    pub fn unreadable(&self, evidence: &Evidence) -> Vec<String> {
        let reports = evidence.reports_json();
        let runs = condition::Runs::of(reports.iter());
        let mut why = self.check.unreadable(evidence);
        if let Err(e) = self.check.when.eval(&runs) {
            why.push(format!("the check's condition ({}): {e}", self.check.when));
        }
        why
    }

    /// Whether choice `i` of the prediction holds for these runs; a condition
    /// that cannot be decided does not.
    pub fn holds(&self, i: usize, evidence: &Evidence) -> bool {
        self.decide(i, evidence).unwrap_or(false)
    }

    /// Whether choice `i` holds, or why its condition could not be decided (a
    /// missing field, a type error): what `check-lesson` tells an author.
    pub fn decide(&self, i: usize, evidence: &Evidence) -> Result<bool, String> {
        let condition = &self.prediction.choices[i].when;
        let reports = evidence.reports_json();
        condition
            .eval(&condition::Runs::of(reports.iter()))
            .map_err(|e| format!("choice {} ({condition}): {e}", i + 1))
    }

    /// The lesson's suggested change applied to the scenario `ran` (JSON).
    pub fn suggested(&self, ran: &Value) -> Value {
        with_changes(ran, &self.suggestion.changes)
    }

    /// What the API and the CLI list: id, title, claim, scenario or pair,
    /// prediction choices, suggestion, case file.
    pub fn summary(&self) -> Value {
        let side = |s: &Side| serde_json::json!({"label": s.label, "scenario": s.scenario_json()});
        let mut v = serde_json::json!({
            "id": self.id,
            "title": self.title,
            "claim": self.claim,
            "prediction": {
                "question": self.prediction.question,
                "choices": self.prediction.choices.iter().map(|c| c.text).collect::<Vec<_>>(),
            },
            "suggestion": {"label": self.suggestion.label, "changes": self.suggestion.changes},
        });
        match &self.runs {
            Runs::One(a) => v["scenario"] = side(a)["scenario"].clone(),
            Runs::Compare(a, b) => v["compare"] = serde_json::json!([side(a), side(b)]),
            Runs::Grid(sides) => v["grid"] = sides.iter().map(side).collect(),
            Runs::Sweep(field, sides) => {
                let runs: Vec<Value> = sides.iter().map(side).collect();
                v["sweep"] = serde_json::json!({"field": field, "runs": runs})
            }
        }
        if let Some(case) = &self.case_file {
            v["case_file"] = serde_json::to_value(case).unwrap_or(Value::Null);
        }
        v
    }
}

/// "busy_timeout_ms is 5000 here; the lesson has 0", for each field of the side's
/// scenario that the run's scenario has otherwise. Fields the lesson leaves at
/// their default are compared with the default.
fn differences(side: &Side, ran: &Value) -> Vec<String> {
    let lesson = match side.scenario() {
        Ok(s) => s.to_value(),
        Err(_) => return Vec::new(),
    };
    let (Some(lesson), Some(ran)) = (lesson.as_object(), ran.as_object()) else {
        return Vec::new();
    };
    lesson
        .iter()
        .filter(|(k, _)| k.as_str() != "name")
        .filter_map(|(k, want)| {
            let got = ran.get(k).unwrap_or(&Value::Null);
            (got != want).then(|| format!("{k} is {got} here; the lesson has {want}"))
        })
        .collect()
}

/// Every lesson: the course's, in its order, then the lesson files opened
/// (`file::open`).
pub fn all() -> Vec<Lesson> {
    let mut lessons = the_course();
    lessons.extend(file::opened());
    lessons
}

/// The course's own lessons, in the order of the course (static/course/).
fn the_course() -> Vec<Lesson> {
    built_in::lessons()
}

/// The lesson a first-time visitor sees: the course's first, the lock ladder,
/// whose words the rest of the course uses.
pub fn first() -> &'static str {
    the_course()[0].id
}

/// The lesson file of lesson `id`: an opened one's as it was given, or the
/// course's own (static/course/).
pub fn document(id: &str) -> Option<Value> {
    file::opened_document(id).or_else(|| built_in::document(id))
}

pub fn find(id: &str) -> Option<Lesson> {
    all().into_iter().find(|l| l.id == id)
}

#[cfg(test)]
mod tests;
