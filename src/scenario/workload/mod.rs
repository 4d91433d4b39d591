//! A workload of one's own (docs/workload.md): the schema and the rows to begin
//! with, the connections' PRAGMAs, roles whose workers loop over steps of SQL,
//! and checks read from the database after the run. A document with `roles` is a
//! workload; the run's settings it shares with a scenario (journal mode, busy
//! timeout, time limit, faults, ...) are read by the scenario's own rules.
//!
//! Every refusal names the path of the field (`roles[1].steps[0].sql[2]`), what it
//! allows and what it was given (`parse`).

pub mod gallery;
mod parse;
mod wire;
pub use parse::parse;

use super::{BeginMode, WorkMs};
use crate::decimal::Dec;
use serde::Serialize;
use serde_json::{json, Map, Value};

/// The scenario's fields a workload may set too; the rest are the job queue's.
pub const SHARED_FIELDS: &[&str] = &[
    "name",
    "journal_mode",
    "synchronous",
    "busy_timeout_ms",
    "busy_handler",
    "processes",
    "retry_delay_ms",
    "time_limit_ms",
    "seed",
    "locking",
    "cache_pages",
    "shm",
    "faults",
];
/// The workload's own fields.
const OWN_FIELDS: &[&str] = &["schema", "data", "pragmas", "roles", "checks"];
/// Names every statement can use without binding them: `:worker` (its id),
/// `:iteration` (0, 1, ... of its role's loop), `:now_ms` (the run's clock) and
/// `:random` (a whole number from the run's seed).
pub const BUILT_IN_NAMES: &[&str] = &["worker", "iteration", "now_ms", "random"];
const MAX_ROLES: usize = 16;
/// A role's workers; all roles together are held to the scenario's limits on
/// `workers` (roles that end the run) and `readers` (those beside them).
const MAX_WORKERS: u32 = 16;
const MAX_STEPS: usize = 64;
const MAX_STATEMENTS: usize = 64;
const MAX_SQL: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Workload {
    /// Statements that create the tables, run once before the workers start.
    pub schema: Vec<String>,
    /// Statements that fill them, each run `repeat` times with `:i` = 0, 1, ...
    pub data: Vec<Fill>,
    /// Statements each worker's connection runs after opening.
    pub pragmas: Vec<String>,
    pub roles: Vec<RoleSpec>,
    pub checks: Vec<CheckSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fill {
    pub sql: String,
    pub repeat: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RoleSpec {
    pub name: String,
    pub count: u32,
    /// Rounds of its steps; 0: until a step ends the role or the run ends.
    pub repeat: u32,
    /// The role loops while the other roles run, and stops when they are done
    /// (a dashboard beside the writers).
    pub while_others_run: bool,
    pub steps: Vec<StepSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepSpec {
    pub name: String,
    /// How its transaction begins; `None`: each statement in autocommit.
    pub begin: Option<BeginMode>,
    pub body: Vec<Item>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    Sql(StatementSpec),
    SleepMs(WorkMs),
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatementSpec {
    pub sql: String,
    /// Columns of its first row, bound by name for the statements after it.
    pub into: Vec<String>,
    pub if_none: IfNone,
    /// Rows it must change, else its step lost a race and runs again.
    pub expect_changes: Option<u64>,
}

/// What a statement whose `into` finds no row does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IfNone {
    /// The worker's role is over: the step's transaction commits, the worker ends.
    EndRole,
    /// The step rolls back and runs again after `retry_delay_ms`.
    Retry,
    /// The rest of the step is skipped; its transaction commits.
    Skip,
}

impl IfNone {
    const WORDS: [(&'static str, IfNone); 3] = [
        ("end_role", IfNone::EndRole),
        ("retry", IfNone::Retry),
        ("skip", IfNone::Skip),
    ];
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CheckSpec {
    pub name: String,
    /// SQL whose first row's first column is compared.
    pub sql: String,
    pub expect: Expect,
    /// What the report shows as expected ([`Expect::shown`]), written where
    /// the workload is read, so that the worker that checks it formats no
    /// number (which would bring float formatting into its wasm).
    #[serde(skip)]
    pub expected: Value,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    Equals(Value),
    AtLeast(f64),
    AtMost(f64),
}

impl Expect {
    /// What a check's result shows as expected: the value, or the bound in
    /// words (">= 3").
    pub fn shown(&self) -> Value {
        match self {
            Expect::Equals(v) => v.clone(),
            Expect::AtLeast(n) => Value::from(format!(">= {}", Dec(*n))),
            Expect::AtMost(n) => Value::from(format!("<= {}", Dec(*n))),
        }
    }
}

impl Workload {
    /// The roles in worker-id order: those that end the run (the writers, as a
    /// host counts them), then those that run while the others do (its readers).
    fn in_id_order(&self) -> impl Iterator<Item = (usize, &RoleSpec)> {
        let ends = self
            .roles
            .iter()
            .enumerate()
            .filter(|(_, r)| !r.while_others_run);
        ends.chain(
            self.roles
                .iter()
                .enumerate()
                .filter(|(_, r)| r.while_others_run),
        )
    }

    /// The role worker `worker` plays, and its index in `roles`.
    pub fn role_of(&self, worker: u32) -> Option<(usize, &RoleSpec)> {
        let mut first = 0;
        for (i, role) in self.in_id_order() {
            if worker < first + role.count {
                return Some((i, role));
            }
            first += role.count;
        }
        None
    }

    /// Workers of the roles that end the run, and of those that run beside them.
    pub fn writers_and_readers(&self) -> (u32, u32) {
        let count = |beside: bool| -> u32 {
            self.roles
                .iter()
                .filter(|r| r.while_others_run == beside)
                .map(|r| r.count)
                .sum()
        };
        (count(false), count(true))
    }

    pub fn workers(&self) -> u32 {
        self.roles.iter().map(|r| r.count).sum()
    }
}

/// Whether `map` is a workload: it has roles.
pub fn is_workload(map: &Map<String, Value>) -> bool {
    map.contains_key("roles")
}

/// `w` as a workload document in its fullest form (every default written out),
/// which `parse` reads back as `w`.
pub fn document(w: &Workload) -> Value {
    let item = |i: &Item| match i {
        Item::SleepMs(ms) => json!({"sleep_ms": ms}),
        Item::Sql(st) => {
            let mut v = json!({"sql": st.sql});
            if !st.into.is_empty() {
                v["into"] = json!(st.into);
                v["if_none"] = json!(IfNone::WORDS
                    .iter()
                    .find(|(_, i)| *i == st.if_none)
                    .map(|(w, _)| *w));
            }
            if let Some(n) = st.expect_changes {
                v["expect_changes"] = json!(n);
            }
            v
        }
    };
    let step = |s: &StepSpec| match (&s.begin, s.body.as_slice()) {
        (None, [Item::SleepMs(ms)]) => json!({"name": s.name, "sleep_ms": ms}),
        (begin, body) => json!({"name": s.name,
            "begin": begin.map_or("none", |b| b.word()),
            "sql": body.iter().map(item).collect::<Vec<_>>()}),
    };
    json!({
        "schema": w.schema,
        "data": w.data.iter().map(|f| json!({"sql": f.sql, "repeat": f.repeat})).collect::<Vec<_>>(),
        "pragmas": w.pragmas,
        "roles": w.roles.iter().map(|r| json!({"name": r.name, "count": r.count, "repeat": r.repeat,
            "while_others_run": r.while_others_run,
            "steps": r.steps.iter().map(step).collect::<Vec<_>>()})).collect::<Vec<_>>(),
        "checks": w.checks.iter().map(|c| {
            let mut v = json!({"name": c.name, "sql": c.sql});
            match &c.expect {
                Expect::Equals(x) => v["expected"] = x.clone(),
                Expect::AtLeast(n) => v["at_least"] = json!(n),
                Expect::AtMost(n) => v["at_most"] = json!(n),
            }
            v
        }).collect::<Vec<_>>(),
    })
}
