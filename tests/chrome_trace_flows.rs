//! The trace checker's own test (what it finds that Perfetto would misread,
//! flows included), and a wall of red's wait-for flows (issue 10): an arrow to
//! each refusal from a hold in its way, through both VFSes, which
//! `scripts/check-chrome-trace.py` finds sound too.

mod common;

use common::chrome_trace::{problems, traced_run};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::Command;

#[test]
fn the_checker_finds_what_perfetto_would_misread() {
    let meta = |pid: u64, tid: u64| {
        [
            json!({"name": "process_name", "ph": "M", "pid": pid, "args": {"name": "p"}}),
            json!({"name": "thread_name", "ph": "M", "pid": pid, "tid": tid,
                "args": {"name": "t"}}),
        ]
    };
    let x = |ts: u64, dur: u64| json!({"name": "x", "ph": "X", "pid": 1, "tid": 1, "ts": ts, "dur": dur});
    let doc = |events: Vec<Value>| {
        let mut all = meta(1, 1).to_vec();
        all.extend(events);
        json!({ "traceEvents": all })
    };
    assert!(problems(&doc(vec![x(0, 10), x(5, 5), x(10, 3)])).is_empty());
    let overlap = problems(&doc(vec![x(0, 10), x(5, 10)]));
    assert!(overlap[0].contains("without nesting"), "{overlap:?}");
    let child_first = problems(&doc(vec![x(0, 5), x(0, 10)]));
    assert!(
        child_first[0].contains("without nesting"),
        "{child_first:?}"
    );
    let back = problems(&doc(vec![x(10, 1), x(5, 1)]));
    assert!(back[0].contains("goes back"), "{back:?}");
    let unnamed = problems(&doc(vec![
        json!({"name": "y", "ph": "i", "pid": 2, "tid": 1, "ts": 0}),
    ]));
    assert_eq!(
        unnamed,
        [
            "process 2 has no process_name",
            "track (2, 1) has no thread_name"
        ]
    );
    let unended = problems(&doc(vec![
        json!({"name": "b", "ph": "B", "pid": 1, "tid": 1, "ts": 0}),
    ]));
    assert!(unended[0].contains("B without E"), "{unended:?}");
    let flow = |ph: &str, id: u64, ts: u64| {
        json!({"name": "wait for", "cat": "wait for", "ph": ph, "id": id, "pid": 1,
            "tid": 1, "ts": ts})
    };
    let i = |ts: u64| json!({"name": "refused", "ph": "i", "s": "t", "pid": 1, "tid": 1, "ts": ts});
    let sound = vec![x(0, 10), flow("s", 1, 5), flow("f", 1, 5), i(5)];
    assert!(problems(&doc(sound)).is_empty());
    let outside = problems(&doc(vec![x(0, 3), flow("s", 1, 5), flow("f", 1, 5), i(5)]));
    assert!(outside[0].contains("outside any slice"), "{outside:?}");
    let unbound = problems(&doc(vec![
        x(0, 10),
        flow("s", 1, 5),
        flow("f", 1, 5),
        x(5, 1),
    ]));
    assert!(
        unbound[0].contains("not followed by an instant"),
        "{unbound:?}"
    );
    let lonely = problems(&doc(vec![x(0, 10), flow("s", 1, 5)]));
    assert!(
        lonely[0].contains("not one start then one end"),
        "{lonely:?}"
    );
}

/// Whether a lock level held (by its name) refuses a request for `wanted`: the
/// unix VFS's rules, written out again.
fn level_refuses(held: &str, wanted: &str) -> bool {
    match wanted {
        "SHARED" => ["PENDING", "EXCLUSIVE"].contains(&held),
        "RESERVED" => ["RESERVED", "PENDING", "EXCLUSIVE"].contains(&held),
        "PENDING" | "EXCLUSIVE" => ["SHARED", "RESERVED", "PENDING", "EXCLUSIVE"].contains(&held),
        _ => false,
    }
}

/// Every refusal of a wall of red, through both VFSes, has an arrow from a hold
/// in its way: a flow whose start lies on the holder's lock-level track inside a
/// slice of a level that refuses the request. Python's checker agrees with the
/// structure.
#[test]
fn in_the_wall_of_red_an_arrow_comes_to_each_refusal_from_a_hold_in_its_way() {
    for vfs in ["unix", "shared"] {
        let doc = traced_run(&["run", "--preset", "wall-of-red", "--vfs", vfs]);
        assert_eq!(problems(&doc), Vec::<String>::new(), "{vfs}");
        let events = doc["traceEvents"].as_array().unwrap();
        let track = |e: &Value| (e["pid"].as_u64().unwrap(), e["tid"].as_u64().unwrap());
        let starts: BTreeMap<u64, &Value> = events
            .iter()
            .filter(|e| e["ph"] == "s")
            .map(|e| (e["id"].as_u64().unwrap(), e))
            .collect();
        let mut refusals = 0;
        for (i, e) in events.iter().enumerate() {
            if e["ph"] != "i" || !e["name"].as_str().unwrap().contains(" refused") {
                continue;
            }
            refusals += 1;
            let end = &events[i - 1];
            assert_eq!(
                (&end["ph"], track(end), &end["ts"]),
                (&json!("f"), track(e), &e["ts"])
            );
            let start = starts[&end["id"].as_u64().unwrap()];
            let holder = e["args"]["holder"].as_u64().unwrap();
            assert_eq!(start["pid"].as_u64(), Some(holder + 1), "{vfs}: {e}");
            let t = start["ts"].as_u64().unwrap();
            let wanted = e["args"]["wanted"].as_str().unwrap();
            let in_the_way = events.iter().any(|h| {
                h["ph"] == "X"
                    && track(h) == track(start)
                    && h["ts"].as_u64().unwrap() <= t
                    && t <= h["ts"].as_u64().unwrap() + h["dur"].as_u64().unwrap()
                    && level_refuses(h["name"].as_str().unwrap(), wanted)
            });
            assert!(
                in_the_way,
                "{vfs}: no hold in the way of {e} at the start of its flow"
            );
            assert!(
                e["name"]
                    .as_str()
                    .unwrap()
                    .contains(&format!("worker {holder} holds ")),
                "{e}"
            );
        }
        assert!(refusals >= 50, "{vfs}: {refusals} refusals");
        assert_eq!(starts.len(), refusals, "{vfs}: one arrow per refusal");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wall.json");
        std::fs::write(&path, doc.to_string()).unwrap();
        let checker = Command::new("python3")
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/scripts/check-chrome-trace.py"
            ))
            .arg(&path)
            .output()
            .expect("python3 runs the checker");
        let said = String::from_utf8_lossy(&checker.stdout);
        assert!(checker.status.success(), "{vfs}: {said}");
        assert!(
            said.contains(&format!("{refusals} wait-for flows")),
            "{said}"
        );
    }
}
