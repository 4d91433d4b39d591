//! Text to tokens: numbers, strings, words and operators, each with where it
//! starts and ends; an operator from another language is refused with what to
//! write instead.

use super::ConditionError;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Num { value: f64, integer: bool },
    Str(String),
    Word(String),
    Op(&'static str),
    End,
}

#[derive(Clone, Debug)]
pub(super) struct Token {
    pub(super) tok: Tok,
    pub(super) start: usize,
    pub(super) end: usize,
}

/// The operators and punctuation, longest first.
const OPS: &[&str] = &[
    "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", ".", ",",
];

/// Spellings from other languages, and what to write instead.
const WRONG_OPS: &[(&str, &str)] = &[
    ("&&", "write `and`"),
    ("||", "write `or`"),
    ("&", "write `and`"),
    ("|", "write `or`"),
    ("!", "write `not`, or `!=`"),
    ("=", "write `==` to compare"),
];

pub(super) fn tokens(text: &str) -> Result<Vec<Token>, ConditionError> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let start = i;
        let rest = &text[i..];
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        let tok = if c.is_ascii_digit() {
            let mut end = digits_end(text, i);
            let integer = !(text[end..].starts_with('.'));
            if !integer {
                let after = digits_end(text, end + 1);
                if after == end + 1 {
                    return Err(ConditionError::syntax(
                        text,
                        end + 1,
                        "expected digits after the decimal point",
                    ));
                }
                end = after;
            }
            let value = crate::decimal::read(&text[i..end]).unwrap_or(f64::INFINITY);
            if !value.is_finite() {
                return Err(ConditionError::syntax(text, i, "this number is too large"));
            }
            i = end;
            Tok::Num { value, integer }
        } else if c.is_ascii_alphabetic() || c == '_' {
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(text.len(), |n| i + n);
            let word = text[i..end].to_string();
            i = end;
            Tok::Word(word)
        } else if c == '"' {
            let (s, end) = string(text, i)?;
            i = end;
            Tok::Str(s)
        } else if let Some(op) = OPS.iter().find(|op| rest.starts_with(**op)) {
            i += op.len();
            Tok::Op(op)
        } else if let Some((op, hint)) = WRONG_OPS.iter().find(|(op, _)| rest.starts_with(op)) {
            let msg = format!("`{op}` is not an operator here: {hint}");
            return Err(ConditionError::syntax(text, i, &msg));
        } else {
            let msg = format!("unexpected character {c:?}");
            return Err(ConditionError::syntax(text, i, &msg));
        };
        out.push(Token { tok, start, end: i });
    }
    out.push(Token {
        tok: Tok::End,
        start: text.len(),
        end: text.len(),
    });
    Ok(out)
}

fn digits_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(|c: char| !c.is_ascii_digit())
        .map_or(text.len(), |n| from + n)
}

/// The string that opens at `start` (a `"`), and the offset after it.
fn string(text: &str, start: usize) -> Result<(String, usize), ConditionError> {
    let mut out = String::new();
    let mut chars = text[start + 1..].char_indices();
    while let Some((n, c)) = chars.next() {
        match c {
            '"' => return Ok((out, start + 1 + n + 1)),
            '\\' => match chars.next() {
                Some((_, c @ ('"' | '\\'))) => out.push(c),
                _ => {
                    return Err(ConditionError::syntax(
                        text,
                        start + 1 + n,
                        "unknown escape: a string knows only \\\" and \\\\",
                    ))
                }
            },
            c => out.push(c),
        }
    }
    Err(ConditionError::syntax(
        text,
        start,
        "this string has no closing \"",
    ))
}
