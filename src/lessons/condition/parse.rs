//! Text to tree: tokens, then a recursive descent parser with one function per
//! level of the grammar (see the module's doc), loosest first.

use super::lex::{tokens, Tok, Token};
use super::{ConditionError, MAX_DEPTH, MAX_LEN};

/// A parsed expression: what it is, where its text is (byte offsets into the
/// condition's text, to name it in errors) and how deep its tree is.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Expr {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub height: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Kind {
    Num(f64),
    Str(String),
    Bool(bool),
    Null,
    Path(Path),
    Not(Box<Expr>),
    Neg(Box<Expr>),
    /// Two or more operands, evaluated left to right until one decides.
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    Arith(Arith, Box<Expr>, Box<Expr>),
    Call(Func, Box<Expr>),
}

impl Expr {
    /// One more than the highest run the expression names by position (0 if
    /// none). Recursion as deep as the tree, at most MAX_DEPTH.
    pub fn runs_named(&self) -> usize {
        let filter = |s: &Selector| match s {
            Selector::Filter(e) => e.runs_named(),
            _ => 0,
        };
        match &self.kind {
            Kind::Num(_) | Kind::Str(_) | Kind::Bool(_) | Kind::Null => 0,
            Kind::Path(p) => {
                let root = match &p.root {
                    Root::Run(n, _) => n + 1,
                    Root::Runs(s) => filter(s),
                    Root::Item => 0,
                };
                p.steps.iter().map(filter).fold(root, usize::max)
            }
            Kind::Not(e) | Kind::Neg(e) | Kind::Call(_, e) => e.runs_named(),
            Kind::And(es) | Kind::Or(es) => es.iter().map(Expr::runs_named).max().unwrap_or(0),
            Kind::Compare(_, l, r) | Kind::Arith(_, l, r) => l.runs_named().max(r.runs_named()),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Func {
    Sum,
    Count,
    Max,
    Min,
    Len,
    Exists,
    First,
}

pub(super) const FUNCTIONS: &str = "sum, count, max, min, first, len, exists";

impl Func {
    fn named(name: &str) -> Option<Func> {
        Some(match name {
            "sum" => Func::Sum,
            "count" => Func::Count,
            "max" => Func::Max,
            "min" => Func::Min,
            "len" => Func::Len,
            "exists" => Func::Exists,
            "first" => Func::First,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Func::Sum => "sum",
            Func::Count => "count",
            Func::Max => "max",
            Func::Min => "min",
            Func::Len => "len",
            Func::Exists => "exists",
            Func::First => "first",
        }
    }
}

/// A field path: where it starts, then each step.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Path {
    pub root: Root,
    pub steps: Vec<Selector>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Root {
    /// One run: its index and how the text named it ("" for a bare path, "a",
    /// "b", "runs[2]").
    Run(usize, String),
    /// Several runs: `runs[]` or `runs[filter]`.
    Runs(Selector),
    /// The element a filter is testing (every path inside `[...]`).
    Item,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Selector {
    /// `.name` or `["name"]`.
    Key(String),
    /// `["NAME*"]`: every value whose key begins with NAME.
    Prefix(String),
    /// `[n]`.
    Index(usize),
    /// `[]`: every element (of a list) or value (of an object).
    All,
    /// `[condition]`: the elements for which it holds.
    Filter(Box<Expr>),
}

impl Selector {
    /// Whether the step makes one value into a list of them.
    pub fn fans_out(&self) -> bool {
        matches!(
            self,
            Selector::Prefix(_) | Selector::All | Selector::Filter(_)
        )
    }
}

/// Parse a whole condition.
pub(super) fn parse(text: &str) -> Result<Expr, ConditionError> {
    let length = text.chars().count();
    if length > MAX_LEN {
        let at = text
            .char_indices()
            .nth(MAX_LEN)
            .map_or(text.len(), |(i, _)| i);
        let msg = format!("a condition is at most {MAX_LEN} characters (this one has {length})");
        return Err(ConditionError::syntax(text, at, &msg));
    }
    let mut p = Parser {
        text,
        tokens: tokens(text)?,
        pos: 0,
        depth: 0,
        filters: 0,
    };
    let e = p.or()?;
    match p.peek() {
        Tok::End => Ok(e),
        Tok::Op(")") => Err(p.error("this \")\" closes no \"(\"")),
        _ => Err(p.expected("an operator (and, or, ==, +, ...) or the end")),
    }
}

struct Parser<'t> {
    text: &'t str,
    tokens: Vec<Token>,
    pos: usize,
    /// How deep the parser has recursed (parentheses, `not`, `-`, calls, filters).
    depth: usize,
    /// How many filters (`[...]`) the parser is inside: paths there start at the
    /// element.
    filters: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        &self.token().tok
    }

    fn token(&self) -> &Token {
        // The last token is always End, and nothing moves past it.
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn nth(&self, n: usize) -> &Tok {
        &self.tokens[(self.pos + n).min(self.tokens.len() - 1)].tok
    }

    fn bump(&mut self) -> Token {
        let t = self.token().clone();
        if t.tok != Tok::End {
            self.pos += 1;
        }
        t
    }

    fn at_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn at_word(&self, word: &str) -> bool {
        matches!(self.peek(), Tok::Word(w) if w == word)
    }

    /// The end of the token before the current one.
    fn last_end(&self) -> usize {
        self.tokens[self.pos.saturating_sub(1)].end
    }

    fn error(&self, message: &str) -> ConditionError {
        ConditionError::syntax(self.text, self.token().start, message)
    }

    fn expected(&self, what: &str) -> ConditionError {
        let got = match self.peek() {
            Tok::End => "end of text".to_string(),
            Tok::Str(_) => "a string".to_string(),
            _ => format!("{:?}", &self.text[self.token().start..self.token().end]),
        };
        self.error(&format!("expected {what}, got {got}"))
    }

    fn expect_op(&mut self, op: &str, what: &str) -> Result<(), ConditionError> {
        if self.at_op(op) {
            self.bump();
            Ok(())
        } else {
            Err(self.expected(what))
        }
    }

    /// One level deeper, refused past MAX_DEPTH.
    fn enter(&mut self) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error(&too_deep()));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// A node, its height from its children's, refused past MAX_DEPTH.
    fn node(&self, kind: Kind, start: usize, end: usize) -> Result<Expr, ConditionError> {
        let below = match &kind {
            Kind::Num(_) | Kind::Str(_) | Kind::Bool(_) | Kind::Null => 0,
            Kind::Path(p) => p
                .steps
                .iter()
                .chain(match &p.root {
                    Root::Runs(s) => Some(s),
                    _ => None,
                })
                .map(|s| match s {
                    Selector::Filter(e) => e.height,
                    _ => 0,
                })
                .max()
                .unwrap_or(0),
            Kind::Not(e) | Kind::Neg(e) | Kind::Call(_, e) => e.height,
            Kind::And(es) | Kind::Or(es) => es.iter().map(|e| e.height).max().unwrap_or(0),
            Kind::Compare(_, l, r) | Kind::Arith(_, l, r) => l.height.max(r.height),
        };
        let height = below + 1;
        if height > MAX_DEPTH {
            return Err(ConditionError::syntax(self.text, start, &too_deep()));
        }
        Ok(Expr {
            kind,
            start,
            end,
            height,
        })
    }

    fn or(&mut self) -> Result<Expr, ConditionError> {
        self.chain("or", Parser::and, Kind::Or)
    }

    fn and(&mut self) -> Result<Expr, ConditionError> {
        self.chain("and", Parser::not, Kind::And)
    }

    /// `next { word next }`, kept flat.
    fn chain(
        &mut self,
        word: &str,
        next: fn(&mut Self) -> Result<Expr, ConditionError>,
        kind: fn(Vec<Expr>) -> Kind,
    ) -> Result<Expr, ConditionError> {
        let first = next(self)?;
        if !self.at_word(word) {
            return Ok(first);
        }
        let start = first.start;
        let mut operands = vec![first];
        while self.at_word(word) {
            self.bump();
            operands.push(next(self)?);
        }
        self.node(kind(operands), start, self.last_end())
    }

    fn not(&mut self) -> Result<Expr, ConditionError> {
        if !self.at_word("not") {
            return self.comparison();
        }
        let start = self.bump().start;
        self.enter()?;
        let operand = self.not()?;
        self.leave();
        self.node(Kind::Not(Box::new(operand)), start, self.last_end())
    }

    fn comparison(&mut self) -> Result<Expr, ConditionError> {
        let left = self.sum()?;
        let Some(op) = self.cmp_op() else {
            return Ok(left);
        };
        self.bump();
        let right = self.sum()?;
        if self.cmp_op().is_some() {
            return Err(self.error(
                "comparisons do not chain: write `a < b and b < c`, or put one in parentheses",
            ));
        }
        let start = left.start;
        self.node(
            Kind::Compare(op, Box::new(left), Box::new(right)),
            start,
            self.last_end(),
        )
    }

    fn cmp_op(&self) -> Option<Cmp> {
        let Tok::Op(op) = self.peek() else {
            return None;
        };
        Some(match *op {
            "==" => Cmp::Eq,
            "!=" => Cmp::Ne,
            "<" => Cmp::Lt,
            "<=" => Cmp::Le,
            ">" => Cmp::Gt,
            ">=" => Cmp::Ge,
            _ => return None,
        })
    }

    fn sum(&mut self) -> Result<Expr, ConditionError> {
        self.arith(Parser::product, &[("+", Arith::Add), ("-", Arith::Sub)])
    }

    fn product(&mut self) -> Result<Expr, ConditionError> {
        self.arith(Parser::unary, &[("*", Arith::Mul), ("/", Arith::Div)])
    }

    /// `next { op next }`, left to right.
    fn arith(
        &mut self,
        next: fn(&mut Self) -> Result<Expr, ConditionError>,
        ops: &[(&str, Arith)],
    ) -> Result<Expr, ConditionError> {
        let mut left = next(self)?;
        while let Some((_, op)) = ops.iter().find(|(o, _)| self.at_op(o)) {
            self.bump();
            let right = next(self)?;
            let start = left.start;
            left = self.node(
                Kind::Arith(*op, Box::new(left), Box::new(right)),
                start,
                self.last_end(),
            )?;
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, ConditionError> {
        if !self.at_op("-") {
            return self.primary();
        }
        let start = self.bump().start;
        self.enter()?;
        let operand = self.unary()?;
        self.leave();
        self.node(Kind::Neg(Box::new(operand)), start, self.last_end())
    }

    fn primary(&mut self) -> Result<Expr, ConditionError> {
        let start = self.token().start;
        match self.peek().clone() {
            Tok::Num { value, .. } => {
                let t = self.bump();
                self.node(Kind::Num(value), t.start, t.end)
            }
            Tok::Str(s) => {
                let t = self.bump();
                self.node(Kind::Str(s), t.start, t.end)
            }
            Tok::Op("(") => {
                self.bump();
                self.enter()?;
                let inner = self.or()?;
                self.leave();
                let what = format!(
                    "\")\" to close the \"(\" at {}",
                    char_offset(self.text, start)
                );
                self.expect_op(")", &what)?;
                Ok(inner)
            }
            Tok::Word(w) => match w.as_str() {
                "true" | "false" => {
                    let t = self.bump();
                    self.node(Kind::Bool(w == "true"), t.start, t.end)
                }
                "null" => {
                    let t = self.bump();
                    self.node(Kind::Null, t.start, t.end)
                }
                "and" | "or" | "not" => Err(self.expected("a field, a number or \"(\"")),
                _ if matches!(self.nth(1), Tok::Op("(")) => self.call(&w),
                _ => self.path(),
            },
            _ => Err(self.expected("a field, a number or \"(\"")),
        }
    }

    fn call(&mut self, name: &str) -> Result<Expr, ConditionError> {
        let Some(func) = Func::named(name) else {
            return Err(self.error(&format!(
                "no function is named {name}: the functions are {FUNCTIONS}"
            )));
        };
        let start = self.bump().start;
        self.bump(); // "("
        self.enter()?;
        let arg = self.or()?;
        self.leave();
        if func == Func::Exists && !matches!(arg.kind, Kind::Path(_)) {
            return Err(ConditionError::syntax(
                self.text,
                arg.start,
                "exists takes a field path, such as exists(power_cut.commits_lost)",
            ));
        }
        if self.at_op(",") {
            return Err(self.error(&format!("{name} takes one argument")));
        }
        self.expect_op(")", &format!("\")\" to close {name}(...)"))?;
        self.node(Kind::Call(func, Box::new(arg)), start, self.last_end())
    }

    fn path(&mut self) -> Result<Expr, ConditionError> {
        let first = self.bump();
        let Tok::Word(word) = first.tok else {
            return Err(self.expected("a field"));
        };
        let mut steps = Vec::new();
        let root = if self.filters > 0 {
            steps.push(Selector::Key(word));
            Root::Item
        } else {
            match word.as_str() {
                "a" => Root::Run(0, word),
                "b" => Root::Run(1, word),
                "runs" => {
                    if !self.at_op("[") {
                        return Err(self.expected("\"[\" after runs (runs[0], runs[])"));
                    }
                    match self.selector()? {
                        Selector::Index(n) => Root::Run(n, format!("runs[{n}]")),
                        s @ (Selector::All | Selector::Filter(_)) => Root::Runs(s),
                        Selector::Key(_) | Selector::Prefix(_) => {
                            return Err(ConditionError::syntax(
                                self.text,
                                first.start,
                                "runs takes a number, nothing or a filter in brackets: \
                                 runs[0], runs[], runs[outcome == \"completed\"]",
                            ))
                        }
                    }
                }
                _ => {
                    steps.push(Selector::Key(word));
                    Root::Run(0, String::new())
                }
            }
        };
        loop {
            if self.at_op(".") {
                self.bump();
                match self.peek().clone() {
                    Tok::Word(name) => {
                        self.bump();
                        steps.push(Selector::Key(name));
                    }
                    _ => return Err(self.expected("a field name after \".\"")),
                }
            } else if self.at_op("[") {
                let s = self.selector()?;
                steps.push(s);
            } else {
                break;
            }
        }
        self.node(
            Kind::Path(Path { root, steps }),
            first.start,
            self.last_end(),
        )
    }

    /// `[]`, `[n]`, `["key"]`, `["prefix*"]` or `[condition]`.
    fn selector(&mut self) -> Result<Selector, ConditionError> {
        self.bump(); // "["
        let closes = matches!(self.nth(1), Tok::Op("]"));
        let s = match self.peek().clone() {
            Tok::Op("]") => Selector::All,
            Tok::Num { value, integer } if closes => {
                if !integer || value > u32::MAX as f64 {
                    return Err(self.error("an index is a whole number, such as [0]"));
                }
                self.bump();
                Selector::Index(value as usize)
            }
            Tok::Str(key) if closes => {
                self.bump();
                match key.strip_suffix('*') {
                    Some(prefix) => Selector::Prefix(prefix.to_string()),
                    None => Selector::Key(key),
                }
            }
            _ => {
                self.enter()?;
                self.filters += 1;
                let e = self.or()?;
                self.filters -= 1;
                self.leave();
                Selector::Filter(Box::new(e))
            }
        };
        self.expect_op("]", "\"]\"")?;
        Ok(s)
    }
}

fn too_deep() -> String {
    format!("nested too deeply: a condition has at most {MAX_DEPTH} levels")
}

/// The offset in characters of byte offset `byte` of `text`.
pub(super) fn char_offset(text: &str, byte: usize) -> usize {
    text.get(..byte).map_or(0, |s| s.chars().count())
}
