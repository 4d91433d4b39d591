//! The house's rules, read from the source: which module may import which, and
//! that no files import each other in a circle. It reads `use` paths and inline
//! `crate::`/`super::` paths of every file under `src/` (tests and `#[cfg(test)]`
//! modules left out: a test may reach anywhere), resolves each to the file that
//! defines it, and fails naming the file, the line and the rule.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The core's modules in their order (lib.rs): each may use only those before
/// it, and the ground floor (`clock`, `duration`, `lock`, `ordering`,
/// `result_code`, `shareable`), which uses none of them.
const CORE: &[&str] = &[
    "trace",
    "vfs",
    "scenario",
    "analysis",
    "engine",
    "timeline",
    "run_trace",
    "exports",
    "lessons",
    "compare",
];
const GROUND: &[&str] = &[
    "clock",
    "decimal",
    "duration",
    "lock",
    "ordering",
    "result_code",
    "shareable",
    "wire",
];

/// Module paths that must never import others, beyond the core's order: the
/// worker's side of the browser never the page's or the page's side of a run;
/// the page and its side of a run never the worker's; what both sides read (protocol, run files)
/// neither side.
const NEVER: &[(&str, &str)] = &[
    ("web::worker", "web::page"),
    ("web::worker", "web::host"),
    ("web::page", "web::worker"),
    ("web::host", "web::page"),
    ("web::host", "web::worker"),
    ("web::protocol", "web::host"),
    ("web::protocol", "web::worker"),
    ("web::run_files", "web::host"),
    ("web::run_files", "web::worker"),
    ("vfs", "analysis"),
];

/// One source file: its module path (`vfs::shm`) and its text without tests.
struct Source {
    module: Vec<String>,
    text: String,
}

fn sources() -> BTreeMap<PathBuf, Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = BTreeMap::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if path != root.join("bin") {
                    dirs.push(path);
                }
                continue;
            }
            let name = path.file_name().unwrap().to_str().unwrap();
            if !name.ends_with(".rs") || name == "tests.rs" || name == "lib.rs" {
                continue;
            }
            let relative = path.strip_prefix(&root).unwrap().with_extension("");
            let mut module: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_str().unwrap().to_string())
                .collect();
            if module.last().is_some_and(|m| m == "mod") {
                module.pop();
            }
            let text = std::fs::read_to_string(&path).unwrap();
            found.insert(
                path,
                Source {
                    module,
                    text: without_tests(&text),
                },
            );
        }
    }
    found
}

/// `text` up to its `#[cfg(test)]` items: a test module, or a test helper
/// (by convention they come last), is left out.
fn without_tests(text: &str) -> String {
    let mut kept = String::new();
    let mut skip_next_item = false;
    let mut depth = 0i32;
    let mut skipping = false;
    for line in text.lines() {
        if skipping {
            depth += line.matches('{').count() as i32 - line.matches('}').count() as i32;
            if depth <= 0 && (line.contains('}') || line.trim_end().ends_with(';')) {
                skipping = false;
            }
            kept.push('\n');
            continue;
        }
        if line.trim_start().starts_with("#[cfg(test)]") {
            skip_next_item = true;
            kept.push('\n');
            continue;
        }
        if skip_next_item && !line.trim_start().starts_with("#[") {
            skip_next_item = false;
            depth = line.matches('{').count() as i32 - line.matches('}').count() as i32;
            skipping = depth > 0;
            kept.push('\n');
            continue;
        }
        // Comments name modules without importing them.
        let code = line.split("//").next().unwrap_or("");
        kept.push_str(code);
        kept.push('\n');
    }
    kept
}

/// The module paths a file refers to, with the line of each: `crate::a::b`,
/// `super::x` (resolved against the file's module), and the paths of its `use`
/// groups (`use crate::a::{b, c::d}`).
fn references(source: &Source) -> Vec<(usize, Vec<String>)> {
    let mut found = Vec::new();
    for (n, line) in source.text.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find(|c: char| c.is_ascii_alphabetic()) {
            rest = &rest[at..];
            let start_crate = rest.starts_with("crate::");
            let start_super = rest.starts_with("super::");
            let boundary = line.len() - rest.len();
            let before = line[..boundary].chars().last();
            if (start_crate || start_super)
                && !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':')
            {
                let path: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let mut parts: Vec<String> = path
                    .split("::")
                    .filter(|p| !p.is_empty())
                    .map(str::to_string)
                    .collect();
                let resolved = if start_crate {
                    parts.remove(0);
                    parts
                } else {
                    let mut base = source.module.clone();
                    // `super` of a file's module is its parent module.
                    while parts.first().is_some_and(|p| p == "super") {
                        parts.remove(0);
                        base.pop();
                    }
                    base.extend(parts);
                    base
                };
                if !resolved.is_empty() {
                    found.push((n + 1, resolved));
                }
                rest = &rest[path.len()..];
            } else {
                let word_len = rest
                    .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len())
                    .max(1);
                rest = &rest[word_len..];
            }
        }
    }
    found
}

/// The file a module path refers to: the longest prefix that is a file.
fn file_of(path: &[String], files: &BTreeMap<Vec<String>, PathBuf>) -> Option<PathBuf> {
    (1..=path.len())
        .rev()
        .find_map(|n| files.get(&path[..n].to_vec()).cloned())
}

fn starts_with(module: &[String], prefix: &str) -> bool {
    let prefix: Vec<&str> = prefix.split("::").collect();
    module.len() >= prefix.len() && module.iter().zip(&prefix).all(|(a, b)| a == b)
}

#[test]
fn each_module_imports_only_what_its_layer_may() {
    let sources = sources();
    let tops: BTreeSet<&str> = sources
        .values()
        .filter_map(|s| s.module.first())
        .map(String::as_str)
        .collect();
    let mut broken = Vec::new();
    for (path, source) in &sources {
        let Some(top) = source.module.first().map(String::as_str) else {
            continue;
        };
        let place = |line: usize| format!("{}:{line}", path.display());
        for (line, target) in references(source) {
            // A path that names no module (`super::Clock` in an inline module)
            // stays inside its file.
            let Some(to) = target
                .first()
                .map(String::as_str)
                .filter(|t| tops.contains(t))
            else {
                continue;
            };
            if to == top {
                for (from, never) in NEVER {
                    if starts_with(&source.module, from) && starts_with(&target, never) {
                        broken.push(format!(
                            "{}: {} imports {} ({from} must never import {never})",
                            place(line),
                            source.module.join("::"),
                            target.join("::")
                        ));
                    }
                }
                continue;
            }
            let rank = |m: &str| CORE.iter().position(|c| *c == m);
            let allowed = if GROUND.contains(&top) {
                GROUND.contains(&to)
            } else if let Some(from) = rank(top) {
                GROUND.contains(&to) || rank(to).is_some_and(|r| r < from)
            } else {
                // The hosts (native, web) may use the whole core, not each other.
                !matches!(to, "native" | "web")
            };
            let never = NEVER.iter().find(|(from, never)| {
                starts_with(&source.module, from) && starts_with(&target, never)
            });
            if !allowed || never.is_some() {
                broken.push(format!(
                    "{}: {} imports {}",
                    place(line),
                    source.module.join("::"),
                    target.join("::")
                ));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports across the layers:\n{}",
        broken.join("\n")
    );
}

/// No files import each other in a circle. A child module's use of its own
/// parent (`super::X` from `timeline/view.rs` to `timeline/mod.rs`) is how Rust
/// nests modules, not an arrow of the house.
#[test]
fn no_files_import_each_other_in_a_circle() {
    let sources = sources();
    let files: BTreeMap<Vec<String>, PathBuf> = sources
        .iter()
        .map(|(path, s)| (s.module.clone(), path.clone()))
        .collect();
    let mut arrows: BTreeMap<PathBuf, BTreeSet<PathBuf>> = BTreeMap::new();
    for (path, source) in &sources {
        for (_, target) in references(source) {
            let Some(to) = file_of(&target, &files) else {
                continue;
            };
            let target_module = &sources[&to].module;
            let is_ancestor = source.module.starts_with(target_module);
            if to != *path && !is_ancestor {
                arrows.entry(path.clone()).or_default().insert(to);
            }
        }
    }
    let circles = Circles::find(&arrows);
    assert!(
        circles.is_empty(),
        "files that import each other in a circle: {circles:#?}"
    );
}

/// Tarjan's strongly connected components of the files' arrows: those of more
/// than one file are circles.
#[derive(Default)]
struct Circles<'a> {
    index: BTreeMap<&'a PathBuf, usize>,
    low: BTreeMap<&'a PathBuf, usize>,
    stack: Vec<&'a PathBuf>,
    found: Vec<Vec<String>>,
}

impl<'a> Circles<'a> {
    fn find(arrows: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>) -> Vec<Vec<String>> {
        let mut c = Circles::default();
        for v in arrows.keys() {
            if !c.index.contains_key(v) {
                c.visit(v, arrows);
            }
        }
        c.found
    }

    fn visit(&mut self, v: &'a PathBuf, arrows: &'a BTreeMap<PathBuf, BTreeSet<PathBuf>>) {
        let n = self.index.len();
        self.index.insert(v, n);
        self.low.insert(v, n);
        self.stack.push(v);
        for w in arrows.get(v).into_iter().flatten() {
            if !self.index.contains_key(w) {
                self.visit(w, arrows);
                let low = self.low[v].min(self.low[w]);
                self.low.insert(v, low);
            } else if self.stack.contains(&w) {
                let low = self.low[v].min(self.index[w]);
                self.low.insert(v, low);
            }
        }
        if self.low[v] == self.index[v] {
            let mut members = Vec::new();
            while let Some(w) = self.stack.pop() {
                members.push(w.display().to_string());
                if w == v {
                    break;
                }
            }
            if members.len() > 1 {
                self.found.push(members);
            }
        }
    }
}

/// The rules above can fail: a file of the trace that imported the analysis,
/// and two files that imported each other, are found.
#[test]
fn the_rules_catch_what_they_forbid() {
    let trace = Source {
        module: vec!["trace".into(), "recorder".into()],
        text: "use crate::analysis::lock_holds::LockHolds;\nuse super::event::TraceEvent;\n".into(),
    };
    let found: Vec<Vec<String>> = references(&trace).into_iter().map(|(_, p)| p).collect();
    assert_eq!(
        found,
        [
            ["analysis", "lock_holds", "LockHolds"],
            ["trace", "event", "TraceEvent"],
        ]
        .map(|p| p.map(String::from).to_vec())
    );
    let tests_left_out =
        without_tests("use crate::a;\n#[cfg(test)]\nmod tests {\n    use crate::b;\n}\n");
    assert!(tests_left_out.contains("crate::a") && !tests_left_out.contains("crate::b"));
}
