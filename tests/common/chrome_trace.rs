//! Reading Chrome Trace Event Format as Perfetto does, for the tests of
//! `locklab run --trace` (`chrome_trace.rs`, `chrome_trace_flows.rs`).
#![allow(dead_code)]

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// What Perfetto would misread in `doc`, one line each (nothing: it is sound).
pub fn problems(doc: &Value) -> Vec<String> {
    let Some(events) = doc["traceEvents"].as_array() else {
        return vec!["no traceEvents array".into()];
    };
    let mut found = Vec::new();
    let (mut process_names, mut thread_names) = (BTreeSet::new(), BTreeSet::new());
    let (mut processes, mut tracks) = (BTreeSet::new(), BTreeSet::new());
    let mut last_ts: BTreeMap<(u64, u64), u64> = BTreeMap::new();
    // Per track, the ends of the slices the next event is inside, and the "B"s
    // not yet ended.
    let mut inside: BTreeMap<(u64, u64), Vec<u64>> = BTreeMap::new();
    let mut begun: BTreeMap<(u64, u64), Vec<String>> = BTreeMap::new();
    // Flows: per id, its start and end (event, ts); per track, a flow end that
    // the next event must bind to (an instant at its moment).
    let mut flows: BTreeMap<u64, [Option<(usize, u64)>; 2]> = BTreeMap::new();
    let mut to_bind: BTreeMap<(u64, u64), (usize, u64)> = BTreeMap::new();
    for (i, e) in events.iter().enumerate() {
        let (Some(ph), Some(name), Some(pid)) =
            (e["ph"].as_str(), e["name"].as_str(), e["pid"].as_u64())
        else {
            found.push(format!("event {i}: no phase, name or pid: {e}"));
            continue;
        };
        if ph == "M" {
            match name {
                "process_name" => {
                    process_names.insert(pid);
                }
                "thread_name" => {
                    thread_names.insert((pid, e["tid"].as_u64().unwrap_or(u64::MAX)));
                }
                _ => {}
            }
            continue;
        }
        let (Some(tid), Some(ts)) = (e["tid"].as_u64(), e["ts"].as_u64()) else {
            found.push(format!("event {i}: no tid or ts: {e}"));
            continue;
        };
        let track = (pid, tid);
        processes.insert(pid);
        tracks.insert(track);
        if ts < *last_ts.get(&track).unwrap_or(&0) {
            found.push(format!("event {i}: ts {ts} goes back on track {track:?}"));
        }
        last_ts.insert(track, ts);
        if matches!(ph, "X" | "i") {
            if let Some((f, at)) = to_bind.remove(&track) {
                if ph != "i" || ts != at {
                    found.push(format!(
                        "event {f}: flow end at {at} on track {track:?} is not followed by an \
                         instant of its moment"
                    ));
                }
            }
        }
        match ph {
            "s" | "f" => {
                let Some(id) = e["id"].as_u64() else {
                    found.push(format!("event {i}: a flow without an id: {e}"));
                    continue;
                };
                let ends = flows.entry(id).or_default();
                let end = usize::from(ph == "f");
                if ends[end].replace((i, ts)).is_some() {
                    found.push(format!("event {i}: flow {id} has two {ph:?}"));
                }
                if ph == "f" {
                    to_bind.insert(track, (i, ts));
                } else {
                    // Perfetto binds a flow's start to the slice open at its moment.
                    let stack = inside.entry(track).or_default();
                    while stack.last().is_some_and(|&end| end < ts) {
                        stack.pop();
                    }
                    if stack.is_empty() {
                        found.push(format!(
                            "event {i}: flow {id} starts at {ts} on track {track:?} outside any slice"
                        ));
                    }
                }
            }
            "X" | "i" => {
                let dur = if ph == "X" {
                    let Some(dur) = e["dur"].as_u64() else {
                        found.push(format!("event {i}: no dur: {e}"));
                        continue;
                    };
                    dur
                } else {
                    0
                };
                let stack = inside.entry(track).or_default();
                while let Some(&end) = stack.last() {
                    if ts + dur <= end {
                        break;
                    }
                    if ts >= end {
                        stack.pop();
                    } else {
                        found.push(format!(
                            "event {i}: {name:?} {ts}+{dur} overlaps a slice ending at {end} \
                             on track {track:?} without nesting in it"
                        ));
                        break;
                    }
                }
                stack.push(ts + dur);
            }
            "B" => begun.entry(track).or_default().push(name.to_string()),
            // A counter (the WAL's length): a series of numbers, drawn as a line.
            "C" => {
                let numbers = e["args"]
                    .as_object()
                    .is_some_and(|a| !a.is_empty() && a.values().all(|v| v.is_number()));
                if !numbers {
                    found.push(format!(
                        "event {i}: a counter whose args are not numbers: {e}"
                    ));
                }
            }
            "E" => {
                if begun.entry(track).or_default().pop().is_none() {
                    found.push(format!("event {i}: E without B on track {track:?}"));
                }
            }
            _ => found.push(format!("event {i}: phase {ph:?} is not one Perfetto nests")),
        }
    }
    for (track, names) in begun {
        if !names.is_empty() {
            found.push(format!("track {track:?}: B without E: {names:?}"));
        }
    }
    for (track, (f, _)) in to_bind {
        found.push(format!(
            "event {f}: flow end on track {track:?} binds to nothing"
        ));
    }
    for (id, ends) in flows {
        match ends {
            [Some((_, s)), Some((_, f))] if s <= f => {}
            _ => found.push(format!("flow {id}: not one start then one end: {ends:?}")),
        }
    }
    for pid in processes.difference(&process_names) {
        found.push(format!("process {pid} has no process_name"));
    }
    for track in tracks.difference(&thread_names) {
        found.push(format!("track {track:?} has no thread_name"));
    }
    found
}

/// Run the `locklab` command with `args` and `--trace`; the trace it wrote.
pub fn traced_run(args: &[&str]) -> Value {
    traced_run_printing(args).1
}

/// Run `scenario` (written to a file) through the `locklab` command with `args`
/// after it, `--json` and `--trace`: the report it printed and the trace it wrote.
pub fn traced_scenario(scenario: &Value, args: &[&str]) -> (Value, Value) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenario.json");
    std::fs::write(&file, scenario.to_string()).unwrap();
    let mut all = vec!["run", file.to_str().unwrap()];
    all.extend_from_slice(args);
    all.push("--json");
    let (printed, trace) = traced_run_printing(&all);
    (serde_json::from_slice(&printed).unwrap(), trace)
}

/// Run the `locklab` command with `args` and `--trace`: what it printed and the
/// trace it wrote.
fn traced_run_printing(args: &[&str]) -> (Vec<u8>, Value) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.trace.json");
    let out = Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(args)
        .args(["--trace", path.to_str().unwrap()])
        .output()
        .expect("locklab runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let trace = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    (out.stdout, trace)
}
