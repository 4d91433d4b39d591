//! Where a field of a lesson file is in its text: the editor shows a refusal at
//! the field it names (`prediction.choices[1].when`), so the author sees which
//! line to mend. A small reader of JSON that keeps each value's place.

use std::ops::Range;

/// The byte span, in the JSON `text`, of the value at `path`
/// (`compare[1].run.roles[0]`, "" for the document); for a field that is not
/// there, the span of the nearest object or list on the way that should hold
/// it. `None` when the text is not JSON.
pub fn locate(text: &str, path: &str) -> Option<Range<usize>> {
    let mut reader = Reader {
        text: text.as_bytes(),
        at: 0,
    };
    let root = reader.value()?;
    let mut node = &root;
    for step in steps(path) {
        let next = match (&node.kind, step) {
            (Kind::Object(fields), Step::Key(key)) => {
                fields.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
            }
            (Kind::List(items), Step::Index(i)) => items.get(i),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => break,
        }
    }
    Some(node.span.clone())
}

/// The line (from 1) of byte `at` of `text`.
pub fn line_of(text: &str, at: usize) -> usize {
    text.as_bytes()[..at.min(text.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
        + 1
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Step<'p> {
    Key(&'p str),
    Index(usize),
}

/// `a.b[2].c` as its steps; `a["x.y"]` is not written by locklab's paths.
fn steps(path: &str) -> Vec<Step<'_>> {
    let mut out = Vec::new();
    for part in path.split('.').filter(|p| !p.is_empty()) {
        let (key, rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if !key.is_empty() {
            out.push(Step::Key(key));
        }
        for index in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(i) = index.trim_end_matches(']').parse() {
                out.push(Step::Index(i));
            }
        }
    }
    out
}

struct Node {
    span: Range<usize>,
    kind: Kind,
}

enum Kind {
    Object(Vec<(String, Node)>),
    List(Vec<Node>),
    Scalar,
}

struct Reader<'t> {
    text: &'t [u8],
    at: usize,
}

impl Reader<'_> {
    fn blank(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        self.blank();
        (self.text.get(self.at) == Some(&b)).then(|| self.at += 1)
    }

    fn value(&mut self) -> Option<Node> {
        self.blank();
        let start = self.at;
        let kind = match *self.text.get(self.at)? {
            b'{' => {
                self.at += 1;
                let mut fields = Vec::new();
                if self.eat(b'}').is_none() {
                    loop {
                        self.blank();
                        let key = self.string()?;
                        self.eat(b':')?;
                        fields.push((key, self.value()?));
                        if self.eat(b',').is_none() {
                            self.eat(b'}')?;
                            break;
                        }
                    }
                }
                Kind::Object(fields)
            }
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if self.eat(b']').is_none() {
                    loop {
                        items.push(self.value()?);
                        if self.eat(b',').is_none() {
                            self.eat(b']')?;
                            break;
                        }
                    }
                }
                Kind::List(items)
            }
            b'"' => {
                self.string()?;
                Kind::Scalar
            }
            _ => {
                let end = self.text[self.at..]
                    .iter()
                    .position(|b| b",]} \t\r\n".contains(b))
                    .map_or(self.text.len(), |n| self.at + n);
                if end == self.at {
                    return None;
                }
                self.at = end;
                Kind::Scalar
            }
        };
        Some(Node {
            span: start..self.at,
            kind,
        })
    }

    /// A string at the reader, its text (escapes kept as written: keys are plain).
    fn string(&mut self) -> Option<String> {
        if self.text.get(self.at) != Some(&b'"') {
            return None;
        }
        let start = self.at + 1;
        let mut i = start;
        while *self.text.get(i)? != b'"' {
            i += if self.text[i] == b'\\' { 2 } else { 1 };
        }
        self.at = i + 1;
        String::from_utf8(self.text[start..i].to_vec()).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "{\n  \"lesson\": \"x\",\n  \"compare\": [\n    {\"label\": \"a\", \"run\": {\"roles\": [{\"steps\": [1, {\"sql\": \"SELECT 1\"}]}]}}\n  ],\n  \"prediction\": {\"choices\": []}\n}\n";

    fn at(path: &str) -> &str {
        &TEXT[locate(TEXT, path).unwrap()]
    }

    #[test]
    fn finds_a_field_by_its_path() {
        assert_eq!(at("lesson"), "\"x\"");
        assert_eq!(at("compare[0].label"), "\"a\"");
        assert_eq!(at("compare[0].run.roles[0].steps[1].sql"), "\"SELECT 1\"");
        assert_eq!(at("compare[0].run.roles[0].steps[0]"), "1");
        assert_eq!(
            line_of(TEXT, locate(TEXT, "compare[0].label").unwrap().start),
            4
        );
    }

    #[test]
    fn a_missing_field_is_shown_at_what_should_hold_it() {
        assert_eq!(at("prediction.question"), "{\"choices\": []}");
        assert_eq!(at("prediction.choices[3]"), "[]");
        assert_eq!(at(""), TEXT.trim_end());
        assert_eq!(at("claim"), TEXT.trim_end(), "a field missing at the top");
    }

    #[test]
    fn text_that_is_not_json_has_no_place() {
        assert_eq!(locate("{\"a\": ", "a"), None);
        assert_eq!(locate("", ""), None);
    }
}
