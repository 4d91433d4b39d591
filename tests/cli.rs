//! The `locklab` command as a user runs it.

use serde_json::Value;
use std::process::Command;

fn locklab(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(args)
        .output()
        .expect("locklab runs")
}

#[test]
fn run_json_prints_the_report_with_every_documented_field() {
    let out = locklab(&["run", "--preset", "wal-readers", "--json"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("stdout is the JSON report");
    for field in [
        "scenario",
        "sqlite_version",
        "vfs",
        "journal_mode",
        "elapsed_ms",
        "jobs",
        "transactions",
        "errors",
        "busy_wait_ms",
        "job_latency_ms",
        "throughput_jobs_per_s",
        "integrity_check",
        "outcome",
        "workers",
        "invariants",
        "write_lock_hold_ms",
    ] {
        assert!(report.get(field).is_some(), "report lacks {field}");
    }
    for field in ["seeded", "done", "double_claimed", "lost"] {
        assert!(report["jobs"].get(field).is_some(), "jobs lacks {field}");
    }
    for field in ["p50", "p95", "p99", "max"] {
        assert!(
            report["job_latency_ms"].get(field).is_some(),
            "job_latency_ms lacks {field}"
        );
    }
    assert_eq!(report["journal_mode"], "wal");
    assert_eq!(report["outcome"], "completed");
    assert_eq!(report["jobs"]["done"], 40);
    assert_eq!(report["workers"].as_array().map(Vec::len), Some(3));
    let worker = &report["workers"][1];
    assert_eq!(worker["role"], "reader");
    for field in ["id", "jobs_done", "errors", "busy_wait_ms", "lock_ms"] {
        assert!(worker.get(field).is_some(), "worker lacks {field}");
    }
}

#[test]
fn trace_is_chrome_trace_json_with_a_process_per_worker() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.trace.json");
    let out = locklab(&[
        "run",
        "--preset",
        "readers-block-writer",
        "--trace",
        path.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("40 of 40 done"), "{summary}");
    assert!(summary.contains("timeline"), "{summary}");
    let trace: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let events = trace["traceEvents"].as_array().unwrap();
    let processes = events
        .iter()
        .filter(|e| e["name"] == "process_name")
        .count();
    assert_eq!(processes, 3);
    assert!(events
        .iter()
        .any(|e| e["ph"] == "X" && e["name"] == "EXCLUSIVE"));
    assert!(events
        .iter()
        .any(|e| e["ph"] == "i" && e["name"] == "SQLITE_BUSY"));
}

#[test]
fn a_bad_scenario_file_is_a_clear_message_and_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.json");
    std::fs::write(&path, r#"{"workers": 40}"#).unwrap();
    let out = locklab(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`workers`") && stderr.contains("from 1 to 16") && stderr.contains("40"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");

    let out = locklab(&["run", "--preset", "no-such-lesson"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wall-of-red"));

    let out = locklab(&["run", dir.path().join("missing.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read scenario file"));
}

#[test]
fn presets_lists_every_lesson() {
    let out = locklab(&["presets"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for preset in locklab::presets::all() {
        assert!(text.contains(preset.name), "{} missing", preset.name);
    }
}

#[test]
fn run_through_the_shared_vfs_names_it_in_the_report() {
    let out = locklab(&[
        "run",
        "--preset",
        "wal-one-writer",
        "--vfs",
        "shared",
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["vfs"], "locklab-shared (memory)");
    assert_eq!(report["journal_mode"], "wal");
    assert!(
        report["errors"]["SQLITE_BUSY"].as_u64().unwrap_or(0) > 0,
        "{}",
        report["errors"]
    );
    assert_eq!(report["jobs"]["done"], report["jobs"]["seeded"]);
    assert_eq!(report["invariants"]["integrity_ok"], true);
}
