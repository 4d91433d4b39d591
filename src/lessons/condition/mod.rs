//! Conditions as text: the small, safe expression language in which a lesson's
//! prediction choices and checks read the numbers of its run reports
//! (docs/conditions.md), such as
//!
//! ```text
//! sum(errors["SQLITE_BUSY*"]) > 0 and jobs.done == jobs.seeded
//! b.throughput_jobs_per_s > 2 * a.throughput_jobs_per_s
//! count(workers[role == "writer" and jobs_done > 0]) == 1
//! ```
//!
//! A condition is parsed once (`Condition::parse`) and evaluated against the
//! reports as JSON (`Condition::eval`), one run (`a`), two (`a`, `b`) or many
//! (`runs[0]`, `runs[1]`, ...). Any expression of the language also has a
//! value (`Condition::value`, for a sentence that shows a number), and says
//! how many runs it needs (`Condition::runs_needed`).
//!
//! # Grammar
//!
//! From the loosest operator to the tightest (EBNF; spaces between tokens are
//! free):
//!
//! ```text
//! condition  = or ;
//! or         = and , { "or" , and } ;
//! and        = not , { "and" , not } ;
//! not        = "not" , not | comparison ;
//! comparison = sum , [ ( "==" | "!=" | "<" | "<=" | ">" | ">=" ) , sum ] ;
//! sum        = product , { ( "+" | "-" ) , product } ;
//! product    = unary , { ( "*" | "/" ) , unary } ;
//! unary      = "-" , unary | primary ;
//! primary    = number | string | "true" | "false" | "null"
//!            | function , "(" , or , ")" | path | "(" , or , ")" ;
//! function   = "sum" | "count" | "max" | "min" | "first" | "len" | "exists" ;
//! path       = ( "runs" , selector | name ) , { "." , name | selector } ;
//! selector   = "[" , [ digits | string | or ] , "]" ;
//! name       = ( letter | "_" ) , { letter | digit | "_" } ;
//! number     = digits , [ "." , digits ] ;
//! digits     = digit , { digit } ;
//! string     = '"' , { any character but '"' and '\' | '\"' | '\\' } , '"' ;
//! ```
//!
//! Letters are ASCII. `and`, `or`, `not`, `true`, `false` and `null` are
//! words of the language where an operand or operator is expected; after a `.`
//! any name is a field. A comparison does not chain: `a < b < c` is refused.
//!
//! # Paths
//!
//! A path starts at a run: `a.jobs.done` at the first, `b.jobs.done` at the
//! second, `runs[2].jobs.done` at the third, and a bare `jobs.done` at the first
//! (run a). Then each step: `.name` a field, `[n]` an element of a list,
//! `["name"]` a field whatever its spelling. Three steps make a list of values
//! out of one, which only the aggregate functions take: `[]` every element of a
//! list (or value of an object), `["PREFIX*"]` every value of an object whose
//! key begins with PREFIX, and `[condition]` the elements for which the
//! condition holds, its paths read from the element (`workers[role ==
//! "writer"]`: inside the brackets every path starts at the element, and `a`,
//! `b`, `runs` are plain field names there). Steps after one of these apply to
//! each element: `workers[].errors.SQLITE_BUSY`. `runs[]` and `runs[...]`
//! are all the runs, or those a filter keeps.
//!
//! # Values and operators
//!
//! Numbers are f64 (JSON's integers too); `==` on numbers compares exactly.
//! Strings, booleans and null compare with `==` and `!=` only, and only with
//! their own kind; null equals only null and may be compared with anything
//! (`failure != null`). Comparing values of two kinds otherwise (a number with
//! a string) is a type error naming both sides. `+ - * /` and unary `-` take
//! numbers; a division by zero, or a result too large for an f64, is an error.
//! `and`, `or`, `not` take booleans, and `and`/`or` stop at the first operand
//! that decides (so `jobs.done > 0 and x / jobs.done > 1` never divides by 0).
//! The whole condition must give true or false.
//!
//! # Functions
//!
//! `sum(list)`, `count(list)`, `max(list)`, `min(list)` take a list: a path
//! with `[]`, `["X*"]` or a filter, or a field that is a JSON list
//! (`max(scenario.work_ms)`). `sum` of no values is 0, `count` counts any
//! values, `max` and `min` of no values are errors. `len(x)` is the length of
//! one string, list field or object (its number of fields). `exists(path)` is
//! whether the path reads something, not a missing field (`exists(power_cut)`).
//!
//! # Missing fields, and the errors maps
//!
//! A path that reaches a field the report lacks (a misspelt name, an index past
//! the end, a field of null, a run the lesson does not have) is an error that
//! names the path as far as it got (`missing field jobs.donee`), never a
//! silent 0 or false. One exception: a report's `errors` maps (the run's and
//! each worker's) list only the errors that happened, so a missing key of an
//! object reached by a field named `errors` reads as 0: `errors.SQLITE_BUSY == 0`
//! holds for a run without SQLITE_BUSY.
//!
//! # Limits
//!
//! A condition is at most 2,000 characters and nests at most 64 levels
//! (parentheses, operators, `not`, `-`, calls and filters each add one; a flat
//! chain of `and` or `or` adds one in all). Parsing and evaluating never panic
//! and never recurse deeper than that.

mod eval;
mod lex;
mod parse;

use parse::Expr;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::fmt;

/// The longest condition, in characters.
pub const MAX_LEN: usize = 2_000;
/// The deepest a condition nests (see the module's doc).
pub const MAX_DEPTH: usize = 64;

/// A parsed condition, ready to be evaluated against reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    text: String,
    expr: Expr,
}

/// The run reports (JSON) a condition reads: `a` is the first, `b` the second,
/// `runs[n]` any.
#[derive(Clone, Debug)]
pub struct Runs<'a> {
    reports: Vec<&'a Value>,
}

impl<'a> Runs<'a> {
    /// These reports, in the order of the lesson's runs.
    pub fn of(reports: impl IntoIterator<Item = &'a Value>) -> Runs<'a> {
        Runs {
            reports: reports.into_iter().collect(),
        }
    }

    /// One run's report: `a`.
    pub fn one(a: &'a Value) -> Runs<'a> {
        Runs::of([a])
    }

    pub fn len(&self) -> usize {
        self.reports.len()
    }

    pub fn is_empty(&self) -> bool {
        self.reports.is_empty()
    }
}

impl Condition {
    /// Parse `text`, or say where and why it is not a condition.
    pub fn parse(text: &str) -> Result<Condition, ConditionError> {
        Ok(Condition {
            text: text.to_string(),
            expr: parse::parse(text)?,
        })
    }

    /// Whether the condition holds for these runs, or the error that kept it
    /// from being decided (a missing field, a type error, a division by zero).
    pub fn eval(&self, runs: &Runs) -> Result<bool, ConditionError> {
        let eval = eval::Eval {
            text: &self.text,
            runs: &runs.reports,
        };
        eval.truth(&self.expr, None, "a condition")
    }

    /// The value of the expression (any, not only a condition) as JSON, for a
    /// sentence that shows a number of the runs: `{a.jobs.done}`,
    /// `{sum(a.errors["SQLITE_BUSY*"])}`. A whole number comes out as a JSON
    /// integer; a list (`workers[].jobs_done`) as a JSON list.
    pub fn value(&self, runs: &Runs) -> Result<Value, ConditionError> {
        let eval = eval::Eval {
            text: &self.text,
            runs: &runs.reports,
        };
        eval.json(&self.expr)
    }

    /// How many runs the condition needs at least: one more than the highest
    /// run it names by position (`a` and a bare path name run 0, `b` run 1,
    /// `runs[n]` run n); `runs[]` and `runs[filter]` name none. A one-run
    /// lesson can refuse at once a condition that needs 2.
    pub fn runs_needed(&self) -> usize {
        self.expr.runs_named()
    }

    /// The condition's text, as given.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::str::FromStr for Condition {
    type Err = ConditionError;
    fn from_str(text: &str) -> Result<Condition, ConditionError> {
        Condition::parse(text)
    }
}

/// In a data file a condition is its text, refused when it does not parse.
impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Condition, D::Error> {
        let text = String::deserialize(d)?;
        Condition::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// Why a condition could not be parsed or evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConditionError {
    message: String,
    /// For a syntax error, the offset in characters where it was found.
    offset: Option<usize>,
    /// For a missing field, its path.
    missing: Option<String>,
}

impl ConditionError {
    fn syntax(text: &str, byte: usize, message: &str) -> ConditionError {
        ConditionError {
            message: message.to_string(),
            offset: Some(parse::char_offset(text, byte)),
            missing: None,
        }
    }

    fn missing(path: String, message: String) -> ConditionError {
        ConditionError {
            message,
            offset: None,
            missing: Some(path),
        }
    }

    fn type_error(message: String) -> ConditionError {
        ConditionError {
            message,
            offset: None,
            missing: None,
        }
    }

    fn arithmetic(message: String) -> ConditionError {
        ConditionError::type_error(message)
    }

    /// What went wrong, without the offset.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Where in the text (in characters) a syntax error was found; `None` for
    /// errors of evaluation.
    pub fn offset(&self) -> Option<usize> {
        self.offset
    }

    /// The path of the missing field (or run) that stopped the evaluation.
    pub fn missing_field(&self) -> Option<&str> {
        self.missing.as_deref()
    }
}

impl fmt::Display for ConditionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.offset {
            Some(at) => write!(f, "at {at}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for ConditionError {}

#[cfg(test)]
mod tests;
