//! Builds the course into both hosts: static/course/course.json names the
//! course's lesson files in order, and this writes the list of them, each
//! included whole, for `lessons::course` (the files are read at build time, so
//! the page needs no fetch and the CLI no path).

use std::fmt::Write;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("static/course");
    println!("cargo:rerun-if-changed={}", dir.display());
    let course = dir.join("course.json");
    let text = std::fs::read_to_string(&course).expect("static/course/course.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("course.json is JSON");
    let mut out = format!(
        "/// static/course/course.json\npub const COURSE: &str = include_str!({:?});\n\
         /// Each lesson file the course names: its name and its text.\n\
         pub const FILES: &[(&str, &str)] = &[\n",
        course.display().to_string()
    );
    for entry in doc["lessons"].as_array().into_iter().flatten() {
        if let Some(name) = entry.as_str() {
            let path = dir.join(name);
            println!("cargo:rerun-if-changed={}", path.display());
            writeln!(
                out,
                "    ({name:?}, include_str!({:?})),",
                path.display().to_string()
            )
            .unwrap();
        }
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap()).join("course_files.rs");
    std::fs::write(dest, out).unwrap();
}
