//! Builds the course into both hosts: static/course/course.json names the
//! course's lesson files in order, and this writes the list of them, each
//! included whole, for `lessons::course` (the files are read at build time, so
//! the page needs no fetch and the CLI no path).
//!
//! Each file is included as compact JSON (read and written again here: the
//! same document without its indentation, 135 KB -> 111 KB, 1.3 KB less of the
//! page's wasm gzipped). A file that is not JSON is included as it is, so that
//! the course reports it as it would without this step.

use std::fmt::Write;
use std::path::Path;

/// `path`'s text, as compact JSON when it is JSON, written into the build's
/// output directory; the path of the copy.
fn compact(path: &Path, out_dir: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let text = match serde_json::from_str::<serde_json::Value>(&text) {
        Ok(doc) => doc.to_string(),
        Err(_) => text,
    };
    let copy = out_dir.join(path.file_name().unwrap());
    std::fs::write(&copy, text).unwrap();
    copy.display().to_string()
}

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("static/course");
    let out_dir = Path::new(&std::env::var("OUT_DIR").unwrap()).join("course");
    std::fs::create_dir_all(&out_dir).unwrap();
    println!("cargo:rerun-if-changed={}", dir.display());
    let course = dir.join("course.json");
    let text = std::fs::read_to_string(&course).expect("static/course/course.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("course.json is JSON");
    let mut out = format!(
        "/// static/course/course.json\npub const COURSE: &str = include_str!({:?});\n\
         /// Each lesson file the course names: its name and its text.\n\
         pub const FILES: &[(&str, &str)] = &[\n",
        compact(&course, &out_dir)
    );
    for entry in doc["lessons"].as_array().into_iter().flatten() {
        if let Some(name) = entry.as_str() {
            let path = dir.join(name);
            println!("cargo:rerun-if-changed={}", path.display());
            writeln!(
                out,
                "    ({name:?}, include_str!({:?})),",
                compact(&path, &out_dir)
            )
            .unwrap();
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("course_files.rs");
    std::fs::write(dest, out).unwrap();
}
