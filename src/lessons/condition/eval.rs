//! A parsed condition evaluated against run reports (JSON): values, paths,
//! operators and functions, every failure an error that names what failed.

use super::parse::{Arith, Cmp, Expr, Func, Kind, Path, Root, Selector};
use super::ConditionError;
use crate::decimal::Dec;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// What a missing key of an `errors` map reads as.
static ZERO: LazyLock<Value> = LazyLock::new(|| Value::from(0));

/// A value met while evaluating.
#[derive(Clone, Debug)]
enum Val<'a> {
    Num(f64),
    Str(&'a str),
    Bool(bool),
    Null,
    Object(&'a Map<String, Value>),
    Array(&'a [Value]),
    /// What a path with `[]`, `["X*"]` or a filter reads: one value per element.
    List(Vec<Val<'a>>),
}

impl<'a> Val<'a> {
    fn of(v: &'a Value) -> Val<'a> {
        match v {
            Value::Null => Val::Null,
            Value::Bool(b) => Val::Bool(*b),
            Value::Number(n) => Val::Num(n.as_f64().unwrap_or(f64::NAN)),
            Value::String(s) => Val::Str(s),
            Value::Array(a) => Val::Array(a),
            Value::Object(o) => Val::Object(o),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            // A whole number as JSON's integer (40, not 40.0).
            Val::Num(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => Value::from(*n as i64),
            Val::Num(n) => Value::from(*n),
            Val::Str(s) => Value::from(*s),
            Val::Bool(b) => Value::from(*b),
            Val::Null => Value::Null,
            Val::Object(o) => Value::Object((*o).clone()),
            Val::Array(a) => Value::Array(a.to_vec()),
            Val::List(l) => Value::Array(l.iter().map(Val::to_json).collect()),
        }
    }

    /// "a number (40)", "a string ("wal")", "a list of 4 values".
    fn describe(&self) -> String {
        match self {
            Val::Num(n) => format!("a number ({})", Dec(*n)),
            Val::Str(s) if s.chars().count() > 40 => {
                let head: String = s.chars().take(40).collect();
                format!("a string ({head:?}...)")
            }
            Val::Str(s) => format!("a string ({s:?})"),
            Val::Bool(b) => format!("a boolean ({b})"),
            Val::Null => "null".to_string(),
            Val::Object(o) => format!("an object of {} fields", o.len()),
            Val::Array(a) => format!("a list of {} values", a.len()),
            Val::List(l) => format!(
                "a list of {} values (a list needs sum, count, max, min or first)",
                l.len()
            ),
        }
    }
}

/// Where a path has got to: the path to here as a person would write it, the
/// value there, and the key it was reached by.
#[derive(Clone, Debug)]
pub(super) struct Cursor<'a> {
    path: String,
    value: &'a Value,
    key: Option<&'a str>,
}

impl<'a> Cursor<'a> {
    fn child(&self, key: &'a str, value: &'a Value) -> Cursor<'a> {
        Cursor {
            path: join(&self.path, key),
            value,
            key: Some(key),
        }
    }

    fn element(&self, n: usize, value: &'a Value) -> Cursor<'a> {
        Cursor {
            path: format!("{}[{n}]", self.path),
            value,
            key: None,
        }
    }

    /// Every element of a list or value of an object, or a type error.
    fn elements(&self, how: &str) -> Result<Vec<Cursor<'a>>> {
        match self.value {
            Value::Array(a) => Ok(a
                .iter()
                .enumerate()
                .map(|(n, v)| self.element(n, v))
                .collect()),
            Value::Object(o) => Ok(o.iter().map(|(k, v)| self.child(k, v)).collect()),
            v => Err(ConditionError::type_error(format!(
                "{} is {}, not a list or an object: cannot take {how} of it",
                self.shown(),
                Val::of(v).describe()
            ))),
        }
    }

    fn shown(&self) -> &str {
        if self.path.is_empty() {
            "the report"
        } else {
            &self.path
        }
    }
}

/// `path.key`, or `path["key"]` for a key that is not a name.
fn join(path: &str, key: &str) -> String {
    let name = key.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match (path.is_empty(), name) {
        (true, true) => key.to_string(),
        (false, true) => format!("{path}.{key}"),
        (_, false) => format!("{path}[{key:?}]"),
    }
}

/// A condition's text and the runs it reads.
pub(super) struct Eval<'a> {
    pub text: &'a str,
    pub runs: &'a [&'a Value],
}

type Result<T> = std::result::Result<T, ConditionError>;

impl<'a> Eval<'a> {
    /// The text of `e`, as written.
    fn src(&self, e: &Expr) -> &'a str {
        self.text.get(e.start..e.end).unwrap_or("?")
    }

    /// `e`, which must be true or false. `item` is the element a filter tests.
    pub fn truth(&self, e: &'a Expr, item: Option<&Cursor<'a>>, what: &str) -> Result<bool> {
        match self.value(e, item)? {
            Val::Bool(b) => Ok(b),
            v => Err(ConditionError::type_error(format!(
                "{what} needs true or false: {} is {}",
                self.src(e),
                v.describe()
            ))),
        }
    }

    /// `e`'s value as JSON: a number, a string, a boolean, null, a field's
    /// object or list as it is, or a list (`[]`, a filter) as a JSON list.
    pub fn json(&self, e: &'a Expr) -> Result<Value> {
        Ok(self.value(e, None)?.to_json())
    }

    fn number(&self, e: &'a Expr, item: Option<&Cursor<'a>>, what: &str) -> Result<f64> {
        match self.value(e, item)? {
            Val::Num(n) => Ok(n),
            v => Err(ConditionError::type_error(format!(
                "{what} needs numbers: {} is {}",
                self.src(e),
                v.describe()
            ))),
        }
    }

    fn value(&self, e: &'a Expr, item: Option<&Cursor<'a>>) -> Result<Val<'a>> {
        Ok(match &e.kind {
            Kind::Num(n) => Val::Num(*n),
            Kind::Str(s) => Val::Str(s),
            Kind::Bool(b) => Val::Bool(*b),
            Kind::Null => Val::Null,
            Kind::Path(p) => self.path(p, item)?,
            Kind::Not(x) => Val::Bool(!self.truth(x, item, "not")?),
            Kind::Neg(x) => Val::Num(-self.number(x, item, "-")?),
            Kind::And(xs) => {
                for x in xs {
                    if !self.truth(x, item, "and")? {
                        return Ok(Val::Bool(false));
                    }
                }
                Val::Bool(true)
            }
            Kind::Or(xs) => {
                for x in xs {
                    if self.truth(x, item, "or")? {
                        return Ok(Val::Bool(true));
                    }
                }
                Val::Bool(false)
            }
            Kind::Compare(op, l, r) => Val::Bool(self.compare(*op, l, r, item)?),
            Kind::Arith(op, l, r) => Val::Num(self.arith(e, *op, l, r, item)?),
            Kind::Call(f, arg) => self.call(*f, arg, item)?,
        })
    }

    fn compare(
        &self,
        op: Cmp,
        l: &'a Expr,
        r: &'a Expr,
        item: Option<&Cursor<'a>>,
    ) -> Result<bool> {
        let (a, b) = (self.value(l, item)?, self.value(r, item)?);
        let equality = matches!(op, Cmp::Eq | Cmp::Ne);
        let equal = match (&a, &b) {
            (Val::Num(x), Val::Num(y)) => {
                return Ok(match op {
                    Cmp::Eq => x == y,
                    Cmp::Ne => x != y,
                    Cmp::Lt => x < y,
                    Cmp::Le => x <= y,
                    Cmp::Gt => x > y,
                    Cmp::Ge => x >= y,
                })
            }
            (Val::Null, Val::Null) if equality => true,
            (Val::Null, _) | (_, Val::Null) if equality => false,
            (Val::Str(x), Val::Str(y)) if equality => x == y,
            (Val::Bool(x), Val::Bool(y)) if equality => x == y,
            _ => {
                let why = if equality {
                    ""
                } else {
                    ": < <= > >= compare numbers only"
                };
                return Err(ConditionError::type_error(format!(
                    "cannot compare {}, {}, with {}, {}{why}",
                    self.src(l),
                    a.describe(),
                    self.src(r),
                    b.describe()
                )));
            }
        };
        Ok(equal == (op == Cmp::Eq))
    }

    fn arith(
        &self,
        e: &'a Expr,
        op: Arith,
        l: &'a Expr,
        r: &'a Expr,
        item: Option<&Cursor<'a>>,
    ) -> Result<f64> {
        let sign = match op {
            Arith::Add => "+",
            Arith::Sub => "-",
            Arith::Mul => "*",
            Arith::Div => "/",
        };
        let (x, y) = (self.number(l, item, sign)?, self.number(r, item, sign)?);
        let n = match op {
            Arith::Add => x + y,
            Arith::Sub => x - y,
            Arith::Mul => x * y,
            Arith::Div if y == 0.0 => {
                return Err(ConditionError::arithmetic(format!(
                    "division by zero: {} is 0 in {}",
                    self.src(r),
                    self.src(e)
                )))
            }
            Arith::Div => x / y,
        };
        if !n.is_finite() {
            return Err(ConditionError::arithmetic(format!(
                "{} is too large a number",
                self.src(e)
            )));
        }
        Ok(n)
    }

    fn call(&self, f: Func, arg: &'a Expr, item: Option<&Cursor<'a>>) -> Result<Val<'a>> {
        if f == Func::Exists {
            let Kind::Path(p) = &arg.kind else {
                return Err(ConditionError::type_error(
                    "exists takes a field path".into(),
                ));
            };
            return match self.path(p, item) {
                Ok(_) => Ok(Val::Bool(true)),
                Err(e) if e.missing_field().is_some() => Ok(Val::Bool(false)),
                Err(e) => Err(e),
            };
        }
        let v = self.value(arg, item)?;
        let wrong = |v: &Val, takes: &str| {
            ConditionError::type_error(format!(
                "{} takes {takes}: {} is {}",
                f.name(),
                self.src(arg),
                v.describe()
            ))
        };
        if f == Func::Len {
            return match v {
                Val::Str(s) => Ok(Val::Num(s.chars().count() as f64)),
                Val::Array(a) => Ok(Val::Num(a.len() as f64)),
                Val::Object(o) => Ok(Val::Num(o.len() as f64)),
                v => Err(wrong(
                    &v,
                    "a string, a list field or an object (count counts a list)",
                )),
            };
        }
        let items: Vec<Val> = match v {
            Val::List(l) => l,
            Val::Array(a) => a.iter().map(Val::of).collect(),
            v => {
                return Err(wrong(
                    &v,
                    "a list: a path with [], [\"X*\"] or a filter, or a list field",
                ))
            }
        };
        if f == Func::Count {
            return Ok(Val::Num(items.len() as f64));
        }
        if f == Func::First {
            return items.into_iter().next().ok_or_else(|| {
                ConditionError::arithmetic(format!(
                    "first of no values: {} is empty",
                    self.src(arg)
                ))
            });
        }
        let mut numbers = Vec::with_capacity(items.len());
        for v in &items {
            match v {
                Val::Num(n) => numbers.push(*n),
                v => return Err(wrong(v, "numbers")),
            }
        }
        let n = match f {
            Func::Sum => Ok(numbers.iter().sum()),
            Func::Max => numbers.iter().copied().reduce(f64::max).ok_or(()),
            Func::Min => numbers.iter().copied().reduce(f64::min).ok_or(()),
            // Answered above.
            Func::Count | Func::Len | Func::Exists | Func::First => Ok(numbers.len() as f64),
        }
        .map_err(|()| {
            ConditionError::arithmetic(format!(
                "{} of no values: {} is empty",
                f.name(),
                self.src(arg)
            ))
        })?;
        if !n.is_finite() {
            return Err(ConditionError::arithmetic(format!(
                "{}({}) is too large a number",
                f.name(),
                self.src(arg)
            )));
        }
        Ok(Val::Num(n))
    }

    fn path(&self, p: &'a Path, item: Option<&Cursor<'a>>) -> Result<Val<'a>> {
        let mut many = false;
        let mut cursors = match &p.root {
            Root::Item => match item {
                Some(c) => vec![c.clone()],
                None => {
                    return Err(ConditionError::type_error(
                        "a filter's path outside a filter".into(),
                    ))
                }
            },
            Root::Run(n, label) => vec![self.run(*n, label)?],
            Root::Runs(s) => {
                many = true;
                let all = (0..self.runs.len()).map(|n| self.run(n, &format!("runs[{n}]")));
                let all = all.collect::<Result<Vec<_>>>()?;
                match s {
                    Selector::Filter(f) => self.filter(all, f)?,
                    _ => all,
                }
            }
        };
        for step in &p.steps {
            let mut next = Vec::new();
            for c in cursors {
                self.step(c, step, &mut next)?;
            }
            cursors = next;
            many |= step.fans_out();
        }
        match (many, cursors.first()) {
            (false, Some(c)) => Ok(Val::of(c.value)),
            _ => Ok(Val::List(
                cursors.iter().map(|c| Val::of(c.value)).collect(),
            )),
        }
    }

    fn run(&self, n: usize, label: &str) -> Result<Cursor<'a>> {
        match self.runs.get(n) {
            Some(v) => Ok(Cursor {
                path: label.to_string(),
                value: v,
                key: None,
            }),
            None => {
                let name = match (n, label) {
                    (0, "") => "a".to_string(),
                    _ => label.to_string(),
                };
                let runs = match self.runs.len() {
                    1 => "1 run".to_string(),
                    k => format!("{k} runs"),
                };
                Err(ConditionError::missing(
                    name.clone(),
                    format!("no run {name}: the condition was given {runs}"),
                ))
            }
        }
    }

    fn step(&self, c: Cursor<'a>, step: &'a Selector, out: &mut Vec<Cursor<'a>>) -> Result<()> {
        match step {
            Selector::Key(k) => match c.value {
                Value::Object(o) => match o.get(k.as_str()) {
                    Some(v) => out.push(c.child(k, v)),
                    None if c.key == Some("errors") => out.push(c.child(k, &ZERO)),
                    None => {
                        let path = join(&c.path, k);
                        return Err(ConditionError::missing(
                            path.clone(),
                            format!("missing field {path}"),
                        ));
                    }
                },
                Value::Null => {
                    let path = join(&c.path, k);
                    let msg = format!("missing field {path} ({} is null)", c.shown());
                    return Err(ConditionError::missing(path, msg));
                }
                v => {
                    return Err(ConditionError::type_error(format!(
                        "{} is {}, which has no field {k}",
                        c.shown(),
                        Val::of(v).describe()
                    )))
                }
            },
            Selector::Index(n) => match c.value {
                Value::Array(a) => match a.get(*n) {
                    Some(v) => out.push(c.element(*n, v)),
                    None => {
                        let path = format!("{}[{n}]", c.path);
                        let msg = format!(
                            "missing field {path} ({} has {} values)",
                            c.shown(),
                            a.len()
                        );
                        return Err(ConditionError::missing(path, msg));
                    }
                },
                Value::Null => {
                    let path = format!("{}[{n}]", c.path);
                    let msg = format!("missing field {path} ({} is null)", c.shown());
                    return Err(ConditionError::missing(path, msg));
                }
                v => {
                    return Err(ConditionError::type_error(format!(
                        "{} is {}, not a list: cannot take [{n}] of it",
                        c.shown(),
                        Val::of(v).describe()
                    )))
                }
            },
            Selector::All => out.extend(c.elements("[]")?),
            Selector::Prefix(prefix) => {
                let Value::Object(o) = c.value else {
                    return Err(ConditionError::type_error(format!(
                        "{} is {}, not an object: cannot take [\"{prefix}*\"] of it",
                        c.shown(),
                        Val::of(c.value).describe()
                    )));
                };
                out.extend(
                    o.iter()
                        .filter(|(k, _)| k.starts_with(prefix.as_str()))
                        .map(|(k, v)| c.child(k, v)),
                );
            }
            Selector::Filter(f) => out.extend(self.filter(c.elements("a filter")?, f)?),
        }
        Ok(())
    }

    /// The elements for which the filter `f` holds.
    fn filter(&self, elements: Vec<Cursor<'a>>, f: &'a Expr) -> Result<Vec<Cursor<'a>>> {
        let mut kept = Vec::new();
        for el in elements {
            let what = format!("the filter [{}] (at {})", self.src(f), el.shown());
            if self.truth(f, Some(&el), &what)? {
                kept.push(el);
            }
        }
        Ok(kept)
    }
}
