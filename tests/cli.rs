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
        "failure",
        "refused_locks",
        "lock_handoff_us",
    ] {
        assert!(report.get(field).is_some(), "report lacks {field}");
    }
    assert!(report["failure"].is_null());
    for field in [
        "seeded",
        "done",
        "double_claimed",
        "lost",
        "reclaimed",
        "stuck",
    ] {
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
    for field in [
        "id",
        "jobs_done",
        "errors",
        "busy_wait_ms",
        "lock_ms",
        "killed",
        "killed_at_ms",
        "refused_locks",
        "blocked_by",
    ] {
        assert!(worker.get(field).is_some(), "worker lacks {field}");
    }
    assert_eq!(worker["killed"], false);
    assert!(worker["killed_at_ms"].is_null());
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
    for preset in locklab::scenario::presets::all() {
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

#[test]
fn width_is_checked_by_name() {
    for bad in ["5", "1001", "wide", "-3"] {
        let arg = format!("--width={bad}");
        let out = locklab(&["run", "--preset", "wal-readers", &arg]);
        assert_eq!(out.status.code(), Some(2), "--width {bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("--width") && stderr.contains("from 20 to 1000"),
            "{stderr}"
        );
    }
    let out = locklab(&["run", "--preset", "wal-readers", "--width", "0"]);
    assert!(out.status.success());
    assert!(!String::from_utf8_lossy(&out.stdout).contains("timeline ("));
}

#[test]
fn faults_on_the_unix_vfs_are_a_scenario_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.json");
    std::fs::write(&path, r#"{"faults": [{"kill": 1, "at_ms": 10}]}"#).unwrap();
    let out = locklab(&["run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`faults`") && stderr.contains("--vfs shared"),
        "{stderr}"
    );
    let out = locklab(&["run", "--preset", "broken-locking"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`locking`"));
}

#[test]
fn a_killed_worker_and_its_stuck_job_are_said_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crash.json");
    std::fs::write(
        &path,
        r#"{"workers": 3, "jobs": 30, "transaction": "short", "begin": "immediate",
            "journal_mode": "wal", "busy_timeout_ms": 5000, "work_ms": [20, 40],
            "heartbeat_ms": 5, "faults": [{"kill": 1, "at_ms": 50, "holding": "wal_write"}]}"#,
    )
    .unwrap();
    let out = locklab(&["run", path.to_str().unwrap(), "--vfs", "shared"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("killed        worker 1 at "), "{summary}");
    assert!(summary.contains("29 of 30 done"), "{summary}");
    assert!(
        summary.contains("1 job stuck RUNNING (its worker was killed and stale_after_ms is 0"),
        "{summary}"
    );
}

/// Ctrl-C (SIGINT) during a run: the report still comes out, with outcome
/// "stopped", and the run's temporary directory is gone.
#[test]
fn ctrl_c_stops_the_run_prints_the_report_and_removes_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("long.json");
    std::fs::write(
        &scenario,
        r#"{"workers": 2, "jobs": 100000, "work_ms": 50, "time_limit_ms": 600000}"#,
    )
    .unwrap();
    let runs = tmp.path().join("runs");
    std::fs::create_dir(&runs).unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(["run", scenario.to_str().unwrap(), "--json"])
        .env("TMPDIR", &runs)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("locklab starts");
    // The run has begun once its database exists in its temporary directory.
    let began = std::time::Instant::now();
    let database_exists = || {
        std::fs::read_dir(&runs)
            .unwrap()
            .flatten()
            .any(|d| d.path().join("queue.db").exists())
    };
    while !database_exists() {
        assert!(
            began.elapsed() < std::time::Duration::from_secs(120),
            "the run never began"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("the report comes out");
    assert_eq!(report["outcome"], "stopped");
    assert_eq!(report["jobs"]["lost"], 0);
    assert_eq!(report["integrity_check"], "ok");
    let left: Vec<_> = std::fs::read_dir(&runs).unwrap().flatten().collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
}

/// Issue 10: the summary prints who blocked whom, and its cells add up to the
/// locks refused.
#[test]
fn the_summary_prints_who_blocked_whom() {
    let out = locklab(&["run", "--preset", "wall-of-red", "--width", "0"]);
    assert!(out.status.success());
    let summary = String::from_utf8_lossy(&out.stdout);
    let (_, matrix) = summary
        .split_once("who blocked whom: ")
        .unwrap_or_else(|| panic!("no matrix in {summary}"));
    let refused: u64 = matrix.split(' ').next().unwrap().parse().unwrap();
    let mut lines = matrix.lines().skip(1);
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("refused ") && header.contains("by w"),
        "{header}"
    );
    let rows: Vec<&str> = lines.take_while(|l| l.starts_with('w')).collect();
    // The worker that wins the lock may never be refused (it takes the lock again
    // microseconds after its commit): the others are.
    assert!(
        (3..=4).contains(&rows.len()),
        "the workers of a wall of red were refused: {matrix}"
    );
    let cells: u64 = rows
        .iter()
        .flat_map(|row| row.split(" ms").filter_map(|c| c.rsplit_once(", ")))
        .map(|(n, _)| n.trim().rsplit(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(cells, refused, "{matrix}");
    assert!(refused >= 50, "{matrix}");
}

/// Where `text` first appears in `said`, which must hold it.
fn place(said: &str, text: &str) -> usize {
    said.find(text)
        .unwrap_or_else(|| panic!("no {text:?} in:\n{said}"))
}

/// `locklab lesson`: the lesson asks before it tells: its title and prediction,
/// then its run, and only then why (the claim); a lesson played at the page's
/// console says so, and Ctrl-C ends its half-minute run.
#[test]
fn a_lesson_says_what_it_teaches_and_runs_and_the_console_lesson_points_to_the_page() {
    let lessons = locklab::lessons::all();
    let claim = |id: &str| lessons.iter().find(|l| l.id == id).unwrap().claim;
    let out = locklab(&["lesson", "wall-of-red", "--width", "0"]);
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let place_of = |id: &str| lessons.iter().position(|l| l.id == id).unwrap() + 1;
    let title = format!("{}. The wall of red\n\n", place_of("wall-of-red"));
    assert!(said.starts_with(&title), "{said}");
    assert!(said.contains("outcome       completed"), "{said}");
    let (predict, ran, happened) = (
        place(&said, "Predict: "),
        place(&said, "outcome       completed"),
        place(&said, "What happened in this run: "),
    );
    let why = place(&said, &format!("\n\nWhy: {}\n", claim("wall-of-red")));
    assert!(predict < ran && ran < happened && happened < why, "{said}");
    assert_eq!(
        said.matches(claim("wall-of-red")).count(),
        1,
        "the claim is said once, after the run: {said}"
    );
    assert_eq!(
        locklab(&["lesson", "no-such-lesson"]).status.code(),
        Some(2)
    );

    let mut child = Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(["lesson", "your-turn", "--width", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("locklab starts");
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut note = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut note).unwrap();
    assert!(
        note.starts_with("locklab: note: the SQL console lives in the page"),
        "{note}"
    );
    let sent = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stdout);
    let place_in_course = lessons.iter().position(|l| l.id == "your-turn").unwrap() + 1;
    assert!(
        said.starts_with(&format!("{place_in_course}. Your turn")),
        "{said}"
    );
}

/// A case file in the terminal: the reporter's setup, locklab's stand-in and
/// what its users saw before the prediction; after the runs why, then what
/// locklab shows, what fixed it and what the thread does not say.
#[test]
fn a_case_file_lesson_tells_its_setup_before_the_run_and_the_rest_after() {
    let lesson = locklab::lessons::all()
        .into_iter()
        .find(|l| l.id == "case-huey-dequeue")
        .unwrap();
    let case = lesson.case_file.clone().unwrap();
    let out = locklab(&["lesson", lesson.id, "--width", "0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let order = [
        place(
            &said,
            &format!("The reporter's setup (from the thread): {}\n", case.setup),
        ),
        place(
            &said,
            &format!(
                "locklab's stand-in (what this lesson runs in its place): {}\n",
                case.stand_in
            ),
        ),
        place(&said, &format!("What its users saw: {}\n", case.saw)),
        place(&said, "Predict: "),
        place(&said, "== A ("),
        place(&said, "What happened in this run: "),
        place(&said, &format!("Why: {}\n", lesson.claim)),
        place(&said, &format!("What locklab shows: {}\n", case.shows)),
        place(&said, &format!("What fixed it: {}\n", case.fixed)),
        place(
            &said,
            &format!("What the thread does not say: {}\n", case.unsaid),
        ),
    ];
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{said}");
}

/// A reader that goes away (`locklab ... | head`) ends the program quietly: no
/// panic about a broken pipe.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_locklab"))
        .args(["run", "--preset", "wall-of-red"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the run (hundreds of ms) has printed a line.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("panicked"), "{said}");
    assert!(out.status.success(), "{:?}: {said}", out.status);
}
