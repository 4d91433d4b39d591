//! Real lessons' choices and checks (src/lessons/*.rs) written in the language,
//! evaluated on real reports (`locklab run --json`, trimmed: the scenario cut to
//! a few fields, workers without `blocked_by`, numbers rounded) and compared with
//! the lessons' own Rust closures on the same reports: on the lesson's own
//! runs, and on every other run (or ordered pair of runs) here, so that the two
//! agree where the answers differ too.

use super::super::{Condition, Runs};
use crate::analysis::report::RunReport;
use crate::lessons::{find, Evidence};
use serde_json::Value;

mod reports;
use reports::*;

/// A lesson's prediction choices, in its order, and its check, as text.
struct Translation {
    id: &'static str,
    choices: &'static [&'static str],
    check: &'static str,
}

const WALL_OF_RED_LESSON: Translation = Translation {
    id: "wall-of-red",
    choices: &[
        r#"sum(errors["SQLITE_BUSY*"]) > 0 and jobs.done == jobs.seeded
           and jobs.double_claimed == 0 and jobs.claimed_twice == 0 and jobs.lost == 0
           and integrity_check == "ok""#,
        r#"sum(errors["SQLITE_BUSY*"]) == 0"#,
        r#"sum(errors["SQLITE_BUSY*"]) > 0 and not (jobs.done == jobs.seeded
           and jobs.double_claimed == 0 and jobs.claimed_twice == 0 and jobs.lost == 0
           and integrity_check == "ok")"#,
    ],
    check: r#"sum(errors["SQLITE_BUSY*"]) > 0 and transactions.rolled_back > 0"#,
};

const BUSY_OR_LOCKED: Translation = Translation {
    id: "busy-or-locked",
    choices: &["errors.SQLITE_LOCKED > 0", "errors.SQLITE_LOCKED == 0"],
    check: "errors.SQLITE_LOCKED > 0",
};

const BUSY_TIMEOUT_LESSON: Translation = Translation {
    id: "busy-timeout",
    choices: &[
        r#"(sum(b.errors["SQLITE_BUSY*"]) + sum(b.errors["SQLITE_LOCKED*"])) * 10
             <= sum(a.errors["SQLITE_BUSY*"]) + sum(a.errors["SQLITE_LOCKED*"])
           and b.busy_wait_ms > 0"#,
        r#"(sum(b.errors["SQLITE_BUSY*"]) + sum(b.errors["SQLITE_LOCKED*"])) * 10
             > sum(a.errors["SQLITE_BUSY*"]) + sum(a.errors["SQLITE_LOCKED*"])"#,
    ],
    check: r#"sum(a.errors["SQLITE_BUSY*"]) + sum(a.errors["SQLITE_LOCKED*"]) > 0
           and (sum(b.errors["SQLITE_BUSY*"]) + sum(b.errors["SQLITE_LOCKED*"])) * 10
             <= sum(a.errors["SQLITE_BUSY*"]) + sum(a.errors["SQLITE_LOCKED*"])
           and b.busy_wait_ms > 0"#,
};

const SHARED_CONNECTION_LESSON: Translation = Translation {
    id: "shared-connection",
    choices: &[
        r#"a.errors.SQLITE_ERROR > 0
           and not (a.jobs.done == a.jobs.seeded and a.jobs.double_claimed == 0
             and a.jobs.claimed_twice == 0 and a.jobs.lost == 0 and a.integrity_check == "ok")
           and len(b.errors) == 0
           and b.jobs.done == b.jobs.seeded and b.jobs.double_claimed == 0
           and b.jobs.claimed_twice == 0 and b.jobs.lost == 0 and b.integrity_check == "ok""#,
        r#"sum(a.errors["SQLITE_BUSY*"]) > 0"#,
        r#"len(a.errors) == 0
           and a.jobs.done == a.jobs.seeded and a.jobs.double_claimed == 0
           and a.jobs.claimed_twice == 0 and a.jobs.lost == 0 and a.integrity_check == "ok""#,
    ],
    check: r#"a.errors.SQLITE_ERROR > 0
           and not (a.jobs.done == a.jobs.seeded and a.jobs.double_claimed == 0
             and a.jobs.claimed_twice == 0 and a.jobs.lost == 0 and a.integrity_check == "ok")
           and len(b.errors) == 0
           and b.jobs.done == b.jobs.seeded and b.jobs.double_claimed == 0
           and b.jobs.claimed_twice == 0 and b.jobs.lost == 0 and b.integrity_check == "ok""#,
};

const READERS_AND_WRITER: Translation = Translation {
    id: "readers-and-writer",
    choices: &[
        r#"sum(a.workers[role == "writer"].errors[]) > 0
           and sum(b.workers[role == "writer"].errors[]) == 0"#,
        r#"sum(a.workers[role == "writer"].errors[]) > 0
           and sum(b.workers[role == "writer"].errors[]) > 0"#,
        r#"sum(a.workers[role == "writer"].errors[]) == 0"#,
    ],
    check: r#"sum(a.workers[role == "writer"].errors[]) > 0
           and sum(b.workers[role == "writer"].errors[]) == 0 and b.journal_mode == "wal""#,
};

const WORKER_CRASH_LESSON: Translation = Translation {
    id: "worker-crash",
    choices: &[
        r#"jobs.reclaimed > 0 and jobs.done == jobs.seeded and jobs.double_claimed == 0
           and jobs.claimed_twice == 0 and jobs.lost == 0 and integrity_check == "ok""#,
        "jobs.stuck > 0",
        r#"integrity_check != "ok""#,
    ],
    check: r#"count(workers[killed]) > 0 and jobs.reclaimed > 0
           and jobs.done == jobs.seeded and jobs.double_claimed == 0
           and jobs.claimed_twice == 0 and jobs.lost == 0 and integrity_check == "ok""#,
};

const STARVATION: Translation = Translation {
    id: "starvation",
    choices: &[
        r#"count(workers[role == "writer"]) > 1 and jobs.done > 0
           and max(workers[role == "writer"].jobs_done) / jobs.done
             * count(workers[role == "writer"]) >= 1.5"#,
        r#"not (count(workers[role == "writer"]) > 1 and jobs.done > 0
           and max(workers[role == "writer"].jobs_done) / jobs.done
             * count(workers[role == "writer"]) >= 1.5)"#,
    ],
    check: r#"count(workers[role == "writer"]) > 1 and jobs.done > 0
           and max(workers[role == "writer"].jobs_done) / jobs.done
             * count(workers[role == "writer"]) >= 1.5"#,
};

const POWER_CUT_LESSON: Translation = Translation {
    id: "power-cut",
    choices: &[
        r#"(not exists(a.power_cut) or a.power_cut.commits_lost == 0)
           and exists(b.power_cut) and b.power_cut.commits_lost > 0
           and exists(a.power_cut) and a.power_cut.integrity_check == "ok"
           and b.power_cut.integrity_check == "ok""#,
        r#"(not exists(a.power_cut) or a.power_cut.commits_lost == 0)
           and (not exists(b.power_cut) or b.power_cut.commits_lost == 0)"#,
        r#"exists(b.power_cut) and b.power_cut.commits_lost > 0
           and b.power_cut.integrity_check != "ok""#,
        "exists(a.power_cut) and a.power_cut.commits_lost > 0",
    ],
    check: r#"exists(a.power_cut) and a.jobs.done > 0 and a.power_cut.commits_lost == 0
           and a.power_cut.integrity_check == "ok"
           and exists(b.power_cut) and b.power_cut.commits_lost > 0
           and b.power_cut.integrity_check == "ok""#,
};

const DEFERRED_OR_IMMEDIATE: Translation = Translation {
    id: "deferred-or-immediate",
    choices: &[
        r#"sum(a.errors["SQLITE_BUSY*"]) > 0 and a.busy_wait_ms < 5000
           and sum(b.errors["SQLITE_BUSY*"]) + sum(b.errors["SQLITE_LOCKED*"]) == 0"#,
        r#"sum(a.errors["SQLITE_BUSY*"]) > 0 and a.busy_wait_ms >= 5000"#,
        r#"sum(a.errors["SQLITE_BUSY*"]) == 0"#,
        r#"sum(a.errors["SQLITE_BUSY*"]) > 0
           and sum(b.errors["SQLITE_BUSY*"]) + sum(b.errors["SQLITE_LOCKED*"]) > 0"#,
    ],
    check: r#"sum(a.errors["SQLITE_BUSY*"]) > 0
           and sum(b.errors["SQLITE_BUSY*"]) + sum(b.errors["SQLITE_LOCKED*"]) == 0"#,
};

const CLAIM_INDEX: Translation = Translation {
    id: "claim-index",
    choices: &[
        "a.write_lock_hold_ms.mean > 2 * b.write_lock_hold_ms.mean",
        "a.write_lock_hold_ms.mean <= 2 * b.write_lock_hold_ms.mean",
    ],
    check: "a.write_lock_hold_ms.mean > 2 * b.write_lock_hold_ms.mean",
};

/// Every lesson translated, and whether it compares two runs.
const TRANSLATED: &[(&Translation, bool)] = &[
    (&WALL_OF_RED_LESSON, false),
    (&BUSY_OR_LOCKED, false),
    (&BUSY_TIMEOUT_LESSON, true),
    (&SHARED_CONNECTION_LESSON, true),
    (&READERS_AND_WRITER, true),
    (&WORKER_CRASH_LESSON, false),
    (&STARVATION, false),
    (&POWER_CUT_LESSON, true),
    (&DEFERRED_OR_IMMEDIATE, true),
    (&CLAIM_INDEX, true),
];

/// Each report: its name, as JSON and as the lessons read it.
fn reports() -> Vec<(&'static str, Value, RunReport)> {
    [
        ("wall-of-red", WALL_OF_RED),
        ("busy-timeout-0", BUSY_TIMEOUT_0),
        ("busy-timeout", BUSY_TIMEOUT),
        ("shared-connection", SHARED_CONNECTION),
        ("serialized", SERIALIZED),
        ("readers-block-writer", READERS_BLOCK_WRITER),
        ("wal-readers", WAL_READERS),
        ("worker-crash", WORKER_CRASH),
        ("power-cut-full", POWER_CUT_FULL),
        ("power-cut-normal", POWER_CUT_NORMAL),
    ]
    .into_iter()
    .map(|(name, text)| {
        let value: Value = serde_json::from_str(text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let report: RunReport =
            serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        (name, value, report)
    })
    .collect()
}

/// The lesson's answer (the first choice that holds) on these runs, after
/// checking that every choice and the check give what the lesson's closures give.
fn agree(
    t: &Translation,
    names: &[&str],
    values: &[&Value],
    reports: &[&RunReport],
) -> Option<usize> {
    let lesson = find(t.id).unwrap_or_else(|| panic!("no lesson {}", t.id));
    let choices = &lesson.prediction.choices;
    assert_eq!(choices.len(), t.choices.len(), "{}: its choices", t.id);
    let evidence = Evidence::of(reports.iter().copied());
    let runs = Runs::of(values.iter().copied());
    let text = |text: &str| {
        let c = Condition::parse(text).unwrap_or_else(|e| panic!("{}: {text}: {e}", t.id));
        c.eval(&runs)
            .unwrap_or_else(|e| panic!("{} on {names:?}: {text}: {e}", t.id))
    };
    for (n, condition) in t.choices.iter().enumerate() {
        // Whether the lesson's own choice n holds: the answer of the lesson
        // with that choice alone.
        let mut alone = lesson.clone();
        alone.prediction.choices = vec![choices[n].clone()];
        assert_eq!(
            text(condition),
            alone.answer(&evidence) == Some(0),
            "{}: choice {n} on {names:?}",
            t.id
        );
    }
    assert_eq!(
        text(t.check),
        lesson.check(&evidence).finding.appeared,
        "{}: the check on {names:?}",
        t.id
    );
    t.choices.iter().position(|c| text(c))
}

#[test]
fn translated_lessons_agree_with_their_closures_on_real_reports() {
    let all = reports();
    let mut compared = 0;
    for (t, pair) in TRANSLATED {
        for (x, (nx, vx, rx)) in all.iter().enumerate() {
            if !pair {
                agree(t, &[nx], &[vx], &[rx]);
                compared += 1;
                continue;
            }
            for (y, (ny, vy, ry)) in all.iter().enumerate() {
                if x != y {
                    agree(t, &[nx, ny], &[vx, vy], &[rx, ry]);
                    compared += 1;
                }
            }
        }
    }
    assert_eq!(compared, 4 * 10 + 6 * 90);
}

#[test]
fn each_lesson_on_its_own_runs_answers_as_the_course_says() {
    let all = reports();
    let get = |name: &str| all.iter().find(|(n, ..)| *n == name).unwrap();
    let answer = |t: &Translation, names: &[&str]| {
        let runs: Vec<_> = names.iter().map(|n| get(n)).collect();
        let values: Vec<&Value> = runs.iter().map(|r| &r.1).collect();
        let reports: Vec<&RunReport> = runs.iter().map(|r| &r.2).collect();
        agree(t, names, &values, &reports)
    };
    assert_eq!(answer(&WALL_OF_RED_LESSON, &["wall-of-red"]), Some(0));
    assert_eq!(
        answer(&BUSY_OR_LOCKED, &["wall-of-red"]),
        Some(1),
        "no SQLITE_LOCKED: 0"
    );
    assert_eq!(
        answer(&BUSY_TIMEOUT_LESSON, &["busy-timeout-0", "busy-timeout"]),
        Some(0)
    );
    assert_eq!(
        answer(&BUSY_TIMEOUT_LESSON, &["busy-timeout", "busy-timeout-0"]),
        Some(1)
    );
    assert_eq!(
        answer(
            &SHARED_CONNECTION_LESSON,
            &["shared-connection", "serialized"]
        ),
        Some(0)
    );
    assert_eq!(
        answer(
            &READERS_AND_WRITER,
            &["readers-block-writer", "wal-readers"]
        ),
        Some(0)
    );
    assert_eq!(answer(&WORKER_CRASH_LESSON, &["worker-crash"]), Some(0));
    assert_eq!(
        answer(&WORKER_CRASH_LESSON, &["power-cut-full"]),
        Some(1),
        "jobs stuck at the cut"
    );
    assert_eq!(
        answer(&STARVATION, &["wall-of-red"]),
        Some(0),
        "one worker did all 60"
    );
    assert_eq!(
        answer(&STARVATION, &["worker-crash"]),
        Some(1),
        "14 of 30 with 3 writers: 1.4"
    );
    assert_eq!(
        answer(&POWER_CUT_LESSON, &["power-cut-full", "power-cut-normal"]),
        Some(0)
    );
    // No cut in run A: it lost nothing, but was not recovered intact either.
    assert_eq!(
        answer(&POWER_CUT_LESSON, &["wall-of-red", "power-cut-normal"]),
        None
    );
}
