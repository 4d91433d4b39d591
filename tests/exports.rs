//! The exports a finished run offers (`locklab::exports`), from real runs: the
//! timeline as SVG (well-formed XML, as Python's parser reads it, with a lane per
//! worker, the scenario's name escaped, an axis and a legend) and the metrics as
//! CSV (a row per worker whose numbers are the report's).

mod common;

use common::run;
use locklab::exports::{metrics_csv, timeline_svg, ExportKind};
use serde_json::json;
use std::io::Write;
use std::process::{Command, Stdio};

/// What Python's XML parser finds in `svg`: the root's tag, the lanes' names, the
/// title's text and whether an axis and a legend are there; it fails on a
/// document that is not well-formed.
fn parsed(svg: &str) -> serde_json::Value {
    let script = r#"
import json, sys, xml.etree.ElementTree as ET
root = ET.fromstring(sys.stdin.buffer.read())
ns = "{http://www.w3.org/2000/svg}"
print(json.dumps({
    "root": root.tag, "width": root.get("width"),
    "lanes": [g.get("data-lane") for g in root.iter(ns + "g") if g.get("data-lane")],
    "title": [t.text for t in root.iter(ns + "text") if t.get("data-role") == "title"],
    "axis": any(g.get("data-role") == "axis" for g in root.iter(ns + "g")),
    "legend": "".join(t.text or "" for g in root.iter(ns + "g") if g.get("data-role") == "legend" for t in g.iter(ns + "text")),
}))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(svg.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "not well-formed XML: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_timeline_svg_of_a_wall_of_red_is_xml_with_a_lane_per_worker_axis_and_legend() {
    let run = run(json!({
        "name": "wall <of> red & \"friends\"",
        "workers": 4, "readers": 1, "jobs": 40, "transaction": "long",
        "busy_timeout_ms": 0, "work_ms": 2, "reader_hold_ms": 5
    }));
    let svg = timeline_svg(&run.report, &run.events);
    let doc = parsed(&svg);
    assert_eq!(doc["root"], "{http://www.w3.org/2000/svg}svg");
    assert_eq!(doc["width"], "1600");
    assert_eq!(
        doc["lanes"],
        json!(["worker 0", "worker 1", "worker 2", "worker 3", "reader 4"])
    );
    assert_eq!(
        doc["title"],
        json!(["locklab: wall <of> red & \"friends\""])
    );
    assert_eq!(doc["axis"], true);
    for shown in [
        "EXCLUSIVE",
        "busy wait",
        "SQLITE_BUSY",
        "job done",
        "refused lock",
    ] {
        assert!(
            doc["legend"].as_str().unwrap().contains(shown),
            "{shown} in the legend"
        );
    }
    // The wall of red itself: errors drawn (SQLITE_BUSY's shape) and refusals.
    assert!(run.report.error_count("SQLITE_BUSY") > 0);
    assert!(svg.matches(r##"href="#err-busy""##).count() > 1);
    assert!(svg.matches("<circle").count() > 1, "refused locks' dots");
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    std::fs::write(dir.join("wall-of-red.svg"), &svg).unwrap();
}

#[test]
fn the_metrics_csv_has_a_row_per_worker_with_the_reports_numbers() {
    let run = run(json!({
        "workers": 3, "jobs": 30, "transaction": "long", "busy_timeout_ms": 0, "work_ms": 1
    }));
    let r = &run.report;
    let csv = metrics_csv(r);
    let rows: Vec<Vec<&str>> = csv
        .trim_end()
        .split("\r\n")
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(rows.len(), 1 + r.workers.len(), "{csv}");
    let header = &rows[0];
    assert!(rows.iter().all(|row| row.len() == header.len()), "{csv}");
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("no column {name}: {header:?}"))
    };
    for (w, row) in r.workers.iter().zip(&rows[1..]) {
        assert_eq!(row[column("worker")], w.id.to_string());
        assert_eq!(row[column("role")], "writer");
        assert_eq!(row[column("jobs_done")], w.jobs_done.to_string());
        assert_eq!(row[column("refused_locks")], w.refused_locks.to_string());
        let busy = w.errors.get("SQLITE_BUSY").copied().unwrap_or(0);
        assert_eq!(row[column("SQLITE_BUSY")], busy.to_string());
        // Who blocked it: the refusals by each other worker add up.
        let by: u64 = header
            .iter()
            .enumerate()
            .filter(|(_, h)| h.starts_with("refused_by_"))
            .map(|(i, _)| row[i].parse::<u64>().unwrap())
            .sum();
        assert_eq!(by, w.refused_locks, "{csv}");
    }
    let done: u64 = rows[1..]
        .iter()
        .map(|row| row[column("jobs_done")].parse::<u64>().unwrap())
        .sum();
    assert_eq!(done, r.jobs.done);
    assert!(r.error_count("SQLITE_BUSY") > 0, "a contended run");
}

/// Whether two JSON documents say the same, numbers to 1e-9 (serde_json's parser
/// may read a float one unit in the last place off).
fn same(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value::*;
    match (a, b) {
        (Number(x), Number(y)) => (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() <= 1e-9,
        (Array(x), Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same(x, y)),
        (Object(x), Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

#[test]
fn the_text_kinds_come_from_the_run_and_the_others_do_not() {
    let run = run(json!({"workers": 2, "jobs": 6}));
    for kind in ExportKind::ALL {
        let text = kind.text(&run.report, &run.events);
        match kind.name() {
            "timeline.png" | "database.db" => assert_eq!(text, None),
            "report.json" => {
                let back: serde_json::Value = serde_json::from_str(&text.unwrap()).unwrap();
                let report = serde_json::to_value(&run.report).unwrap();
                assert!(same(&back, &report), "{back:#}\n{report:#}");
            }
            "trace.json" => {
                let doc: serde_json::Value = serde_json::from_str(&text.unwrap()).unwrap();
                assert!(doc["traceEvents"].as_array().unwrap().len() > 10);
            }
            _ => assert!(text.is_some_and(|t| !t.is_empty()), "{}", kind.name()),
        }
    }
}
