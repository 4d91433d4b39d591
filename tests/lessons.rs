//! The course, natively: every lesson's check passes on its own scenario(s)
//! through SQLite's unix VFS (where it can run: faults and broken locking need
//! the shared VFS) and through locklab's shared VFS; its annotated moment is found
//! in the run's timeline; its "what happened" text names the report's numbers.
//! The your-turn lesson needs a person at the page's SQL console: its check is
//! played by the page's console test instead.

mod common;

use locklab::analysis::report::RunReport;
use locklab::lessons::{self, Evidence, Lesson, Runs};
use locklab::native::{self, Run, Vfs};
use locklab::timeline::Timeline;

/// Lessons whose phenomenon needs a person at the SQL console.
const PAGE_ONLY: &[&str] = &["your-turn"];

/// Every lesson the shared VFS must run: the whole course but the page's own.
const ON_THE_SHARED_VFS: &[&str] = &[
    "lock-ladder",
    "wall-of-red",
    "readers-and-writer",
    "wal-one-writer",
    "journal-mode-answer",
    "wal-growth",
    "busy-timeout",
    "deferred-or-immediate",
    "timeout-outlasted",
    "starvation",
    "short-transactions",
    "busy-or-locked",
    "claim-index",
    "claim-cas",
    "shared-connection",
    "batched-results",
    "broken-locking",
    "worker-crash",
    "power-cut",
    "interpreter-lock",
    "you-need-all-three",
    "one-writer-ceiling",
    "lost-updates",
    "session-store",
    "dashboard-report",
    "outbox",
    "leaderboard",
    "job-queue",
    "case-huey-dequeue",
    "case-river-busy-timeout",
    "case-solid-queue-heartbeat",
];

/// The lessons SQLite's unix VFS can run: not broken locking, not a crash, not
/// a power cut (the unix VFS refuses `locking: "none"` and `faults`, kills and
/// power cuts alike: its files are the operating system's).
fn on_the_unix_vfs() -> Vec<&'static str> {
    let shared_only = ["broken-locking", "worker-crash", "power-cut"];
    let all = ON_THE_SHARED_VFS.iter().copied();
    all.filter(|id| !shared_only.contains(id)).collect()
}

/// Run each side of the lesson through `vfs`; `None` when the unix VFS cannot
/// run its scenario (said, not silently skipped).
fn run_lesson(lesson: &Lesson, vfs: Vfs) -> Option<Vec<Run>> {
    let mut runs = Vec::new();
    for side in lesson.runs.sides() {
        let scenario = side.scenario().expect("a valid lesson scenario");
        if let Err(e) = native::check(&scenario, vfs) {
            eprintln!("{} on {vfs:?}: not run ({e})", lesson.id);
            return None;
        }
        runs.push(common::run_on(vfs, side.scenario_json()));
    }
    Some(runs)
}

fn evidence(runs: &[Run]) -> Evidence<'_> {
    Evidence::of(runs.iter().map(|r| &r.report))
}

/// Check every lesson through `vfs`: exactly the lessons in `expected` run.
fn each_lesson_on(vfs: Vfs, expected: &[&str]) {
    let mut checked = Vec::new();
    for lesson in lessons::all() {
        if PAGE_ONLY.contains(&lesson.id) {
            continue;
        }
        let Some(runs) = run_lesson(&lesson, vfs) else {
            continue;
        };
        let evidence = evidence(&runs);
        let verdict = lesson.check(&evidence);
        assert!(
            verdict.finding.appeared,
            "{} on {vfs:?}: {} (differs: {:?})",
            lesson.id, verdict.finding.because, verdict.differs
        );
        assert!(verdict.differs.is_empty());
        // The prediction has exactly one choice the run bears out.
        let holding: Vec<_> = (0..lesson.prediction.choices.len())
            .filter(|&i| lesson.holds(i, &evidence))
            .map(|i| lesson.prediction.choices[i].text)
            .collect();
        assert_eq!(
            holding.len(),
            1,
            "{}: choices that hold: {holding:?}",
            lesson.id
        );
        // The annotated moment is in the run it names.
        assert!(
            lesson.moment.run < runs.len(),
            "{}: the moment's run",
            lesson.id
        );
        let run = &runs[lesson.moment.run];
        let timeline = Timeline::from_events(&run.events);
        let moment = lesson.moment.find(&timeline, &run.events);
        let moment =
            moment.unwrap_or_else(|| panic!("{}: no moment {:?}", lesson.id, lesson.moment));
        assert!(!moment.at.label.is_empty() && moment.at.from_us <= moment.at.to_us);
        for r in &runs {
            assert_numbers_said(&lessons::happened::run_paragraph(&r.report), &r.report);
            if lesson.runs.is_many() {
                let line = lessons::run_line(&r.report);
                let done = format!(
                    "did {} of {} jobs",
                    r.report.jobs.done, r.report.jobs.seeded
                );
                let errors = format!(", {} lock errors,", r.report.lock_errors());
                assert!(line.contains(&done) && line.contains(&errors), "{line}");
            }
        }
        eprintln!("{} on {vfs:?}: {}", lesson.id, verdict.finding.because);
        checked.push(lesson.id);
    }
    assert_eq!(checked, expected, "the lessons checked on {vfs:?}");
}

/// The paragraph's "did D of S jobs" and each "failed N times with CODE" are the
/// report's numbers.
fn assert_numbers_said(text: &str, r: &RunReport) {
    if r.is_workload() {
        return assert_workload_said(text, r);
    }
    assert!(
        text.contains(&format!("did {} of {} jobs", r.jobs.done, r.jobs.seeded)),
        "{text}"
    );
    for (code, n) in &r.errors {
        let times = if *n == 1 {
            "once".to_string()
        } else {
            format!("{n} times")
        };
        assert!(
            text.contains(&format!("failed {times} with {code}")),
            "{code}: {text}"
        );
    }
    if r.errors.is_empty() {
        assert!(text.contains("No statement failed."), "{text}");
    }
    let once = r.jobs.done == r.jobs.seeded && r.jobs.double_claimed == 0 && r.jobs.lost == 0;
    assert_eq!(
        text.contains("Every job was done exactly once"),
        once,
        "{text}"
    );
    assert!(text.contains(&format!("integrity_check says {}", r.integrity_check)));
}

/// A workload's paragraph says its commits and each check's result.
fn assert_workload_said(text: &str, r: &RunReport) {
    let committed = r.transactions.committed;
    let word = if committed == 1 {
        "transaction"
    } else {
        "transactions"
    };
    assert!(
        text.contains(&format!("committed {committed} {word}")),
        "{text}"
    );
    for c in &r.checks {
        let said = if c.ok { "held" } else { "FAILED" };
        assert!(
            text.contains(&format!("\"{}\" {said}", c.name)),
            "{}: {text}",
            c.name
        );
    }
    assert!(text.contains(&format!("integrity_check says {}", r.integrity_check)));
}

#[test]
fn every_lesson_shows_its_phenomenon_through_the_unix_vfs() {
    each_lesson_on(Vfs::Unix, &on_the_unix_vfs());
}

#[test]
fn every_lesson_shows_its_phenomenon_through_the_shared_vfs() {
    each_lesson_on(Vfs::Shared, ON_THE_SHARED_VFS);
}

#[test]
fn a_comparison_lesson_says_what_happened_in_each_run() {
    let lesson = lessons::find("short-transactions").unwrap();
    let Runs::Compare(a, b) = &lesson.runs else {
        panic!("a comparison")
    };
    let runs = run_lesson(&lesson, Vfs::Unix).unwrap();
    let text = lessons::what_happened(&evidence(&runs), [a.label, b.label]);
    assert!(text.starts_with(&format!("A ({}): ", a.label)), "{text}");
    assert!(text.contains(&format!(" B ({}): ", b.label)), "{text}");
}

/// The suggested change fixes what the lesson showed: the wall of red's
/// suggestion leaves no lock error (busy_timeout alone would leave the DEFERRED
/// claim's upgrade refused), and the huey case's commits before the long work.
#[test]
fn the_suggested_change_clears_the_errors_it_is_suggested_for() {
    for (id, vfs) in [
        ("wall-of-red", Vfs::Unix),
        ("wall-of-red", Vfs::Shared),
        ("case-huey-dequeue", Vfs::Shared),
    ] {
        let lesson = lessons::find(id).unwrap();
        let a = lesson.runs.sides()[0].scenario_json();
        let before = common::run_on(vfs, a.clone());
        assert!(
            before.report.lock_errors() > 0,
            "{id} on {vfs:?}: the lesson's errors"
        );
        let after = common::run_on(vfs, lesson.suggested(&a));
        assert_eq!(
            after.report.lock_errors(),
            0,
            "{id} on {vfs:?}, {}: {:?}",
            lesson.suggestion.label,
            after.report.errors
        );
        common::assert_every_job_done_once(&after);
    }
}
