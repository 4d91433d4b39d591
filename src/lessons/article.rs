//! The article's argument as lessons, from the wall of red to batching.

use super::build::{b, busy, choice, exactly_once, finding, one, side, writer_errors};
use super::moment::Landmarks::*;
use super::Judge;
use super::{Lesson, MomentQuery, Prediction, Runs, Suggestion};
use crate::scenario::presets::json_text;
use serde_json::{json, Value};

/// The two sides of "...but only if transactions are short": four workers, 80 to 120 ms of work per job, WAL and a
/// 250 ms busy_timeout; the work inside the transaction ("long") or outside it
/// ("short"). The others' work inside their transactions outlasts the timeout; a WAL checkpoint
/// on OPFS (tens of ms at worst) does not.
fn short_or_long(transaction: &str) -> Value {
    json!({"journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 250,
        "work_ms": [80, 120], "jobs": 24, "transaction": transaction})
}

pub(super) fn lessons() -> Vec<Lesson> {
    vec![
        Lesson {
            id: "wall-of-red",
            title: "The wall of red",
            claim: "Several workers, each holding its transaction open while it works, and no \
                    busy_timeout. SQLite lets one connection write at a time; any other that \
                    asks for the lock meanwhile is refused at once with SQLITE_BUSY, \"database \
                    is locked\". SQLite undoes only the refused statement; it is locklab's \
                    worker that then rolls its transaction back and tries the job again a \
                    moment later. The errors look alarming, but no job is lost.",
            runs: one("wall-of-red"),
            prediction: Prediction {
                question: "Four workers, long transactions, busy_timeout = 0. What will the run \
                           show?",
                choices: vec![
                    choice(
                        "Many SQLITE_BUSY errors, yet every job done exactly once: the worker \
                         rolls a refused step back and tries it again",
                        |e| busy(e.a) > 0 && exactly_once(e.a),
                    ),
                    choice("No errors: SQLite queues the workers up", |e| {
                        busy(e.a) == 0
                    }),
                    choice("Errors, and jobs lost or done twice", |e| {
                        busy(e.a) > 0 && !exactly_once(e.a)
                    }),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                finding(
                    busy(r) > 0 && r.transactions.rolled_back > 0,
                    format!(
                        "{} SQLITE_BUSY errors and {} transactions rolled back; {} of {} jobs \
                         done",
                        busy(r),
                        r.transactions.rolled_back,
                        r.jobs.done,
                        r.jobs.seeded
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
            // busy_timeout alone leaves the DEFERRED claim's upgrade refused at
            // once (lesson on DEFERRED): 363 to 401 SQLITE_BUSY natively.
            suggestion: Suggestion {
                label: "Now try busy_timeout = 5000 with BEGIN IMMEDIATE",
                changes: json_text(r#"{"busy_timeout_ms": 5000, "begin": "immediate"}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "busy-or-locked",
            title: "BUSY or LOCKED",
            claim: "Two errors say \"locked\", and they mean different things. SQLITE_BUSY: \
                    another connection holds the lock, and busy_timeout can wait for it. \
                    SQLITE_LOCKED: the conflict is inside your own connection (here a DROP TABLE \
                    while a SELECT of the same connection is still reading; any of its \
                    statements would do) or, with a shared cache, another connection sharing \
                    it. SQLite does not wait for it. An error that comes at once although \
                    busy_timeout is set is more often a read that wants to write (SQLITE_BUSY, \
                    the lesson on DEFERRED) than SQLITE_LOCKED.",
            runs: one("busy-or-locked"),
            prediction: Prediction {
                question: "busy_timeout is 5 s. Each worker drops a table while its own SELECT \
                           still runs. What happens?",
                choices: vec![
                    choice("SQLITE_LOCKED, every time, at once", |e| {
                        e.a.error_count("SQLITE_LOCKED") > 0
                    }),
                    choice("SQLITE_BUSY, then it waits and succeeds", |e| {
                        e.a.error_count("SQLITE_LOCKED") == 0
                    }),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                let locked = r.error_count("SQLITE_LOCKED");
                finding(
                    locked > 0,
                    format!(
                        "{locked} SQLITE_LOCKED errors with busy_timeout = {} ms, against {} \
                         SQLITE_BUSY",
                        r.scenario["busy_timeout_ms"],
                        busy(r)
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstError("SQLITE_LOCKED")),
            suggestion: Suggestion {
                label: "Now try it without the DROP TABLE",
                changes: json_text(r#"{"drop_table_while_reading": false}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "readers-and-writer",
            title: "Readers against a writer: rollback journal against WAL",
            claim: "In the rollback-journal modes a writer must wait for every reader to \
                    finish before it can commit: long reads (a dashboard, a report) block the \
                    queue. WAL writes to a separate log, so each reader keeps reading the \
                    database as it was at its first read while the writer commits. (A read \
                    that never ends still costs something in WAL: while it lasts, the log \
                    cannot start over, and it grows: the lesson on WAL growth.)",
            runs: Runs::Compare(
                side(
                    "rollback journal",
                    "readers-block-writer",
                    json_text(r#"{}"#),
                ),
                side("WAL", "wal-readers", json_text(r#"{}"#)),
            ),
            prediction: Prediction {
                question: "Two readers hold long read transactions while one worker writes \
                           (busy_timeout = 0). Where does the writer fail?",
                choices: vec![
                    choice(
                        "Only with the rollback journal, where its COMMIT needs EXCLUSIVE and the \
                         readers' SHARED locks are in the way; in WAL it never fails",
                        |e| writer_errors(e.a) > 0 && writer_errors(b(e)) == 0,
                    ),
                    choice("In both modes", |e| {
                        writer_errors(e.a) > 0 && writer_errors(b(e)) > 0
                    }),
                    choice("In neither", |e| writer_errors(e.a) == 0),
                ],
            },
            check: Judge::Rust(|e| {
                let (a, b) = (e.a, b(e));
                finding(
                    writer_errors(a) > 0 && writer_errors(b) == 0 && b.journal_mode == "wal",
                    format!(
                        "the writer failed {} times in journal_mode = {}, and {} times in \
                         journal_mode = {}",
                        writer_errors(a),
                        a.journal_mode,
                        writer_errors(b),
                        b.journal_mode
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstRefusal),
            suggestion: Suggestion {
                label: "Now try busy_timeout = 5000 in both",
                changes: json_text(r#"{"busy_timeout_ms": 5000}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "wal-one-writer",
            title: "WAL still has one writer",
            claim: "WAL lets readers and a writer work together, not two writers: there is one \
                    write lock, and a second writer that asks for it while the first holds it \
                    is refused. Turning on WAL does not make the wall of red go away when the \
                    transactions are long.",
            runs: one("wal-one-writer"),
            prediction: Prediction {
                question: "WAL mode, four workers, long transactions, busy_timeout = 0. Does \
                           WAL let them all write?",
                choices: vec![
                    choice("No: still SQLITE_BUSY, one writer at a time", |e| {
                        busy(e.a) > 0
                    }),
                    choice("Yes: in WAL the errors are gone", |e| busy(e.a) == 0),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                finding(
                    busy(r) > 0 && r.journal_mode == "wal",
                    format!(
                        "{} SQLITE_BUSY errors in journal_mode = {}",
                        busy(r),
                        r.journal_mode
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstRefusal),
            suggestion: Suggestion {
                label: "Now try short transactions",
                changes: json_text(r#"{"transaction": "short"}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "busy-timeout",
            title: "busy_timeout turns errors into waits",
            claim: "With a busy_timeout, a connection refused a lock usually does not fail at \
                    once (the lesson on DEFERRED shows the exception): SQLite's busy handler sleeps a little and tries again, until the lock is \
                    free or the timeout is spent. The same contention shows as waits instead of \
                    errors.",
            runs: Runs::Compare(
                side(
                    "busy_timeout = 0",
                    "busy-timeout",
                    json_text(r#"{"busy_timeout_ms": 0}"#),
                ),
                side("busy_timeout = 5000", "busy-timeout", json_text(r#"{}"#)),
            ),
            prediction: Prediction {
                question: "The same workload with busy_timeout = 0 and with 5000. What changes?",
                choices: vec![
                    choice("With 5000 the errors become waits", |e| {
                        b(e).lock_errors() * 10 <= e.a.lock_errors() && b(e).busy_wait_ms > 0.0
                    }),
                    choice("Nothing: as many errors either way", |e| {
                        b(e).lock_errors() * 10 > e.a.lock_errors()
                    }),
                ],
            },
            check: Judge::Rust(|e| {
                let (a, b) = (e.a, b(e));
                finding(
                    a.lock_errors() > 0
                        && b.lock_errors() * 10 <= a.lock_errors()
                        && b.busy_wait_ms > 0.0,
                    format!(
                        "{} lock errors and {:.0} ms of busy waits with busy_timeout = {}; {} \
                         and {:.0} ms with busy_timeout = {}",
                        a.lock_errors(),
                        a.busy_wait_ms,
                        a.scenario["busy_timeout_ms"],
                        b.lock_errors(),
                        b.busy_wait_ms,
                        b.scenario["busy_timeout_ms"]
                    ),
                )
            }),
            moment: MomentQuery::in_b(FirstBusyWait),
            suggestion: Suggestion {
                label: "Now try 8 workers",
                changes: json_text(r#"{"workers": 8}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "timeout-outlasted",
            title: "...but only if transactions are short",
            claim: "A busy_timeout is a promise to wait so long and no longer. When each \
                    transaction holds the write lock through its work, a refused worker's busy \
                    handler wakes to find the lock held by one worker, then another: nobody \
                    queues, and after 100 ms of sleeps it gives up. SQLITE_BUSY comes back, now \
                    after a long wait.",
            runs: one("timeout-outlasted"),
            prediction: Prediction {
                question: "busy_timeout = 100 ms; each transaction works 40 to 60 ms while it \
                           holds the lock; four workers. What happens?",
                choices: vec![
                    choice(
                        "Workers wait the whole timeout, then fail with SQLITE_BUSY: the others, \
                         one after another, hold the write lock for longer than the timeout",
                        |e| busy(e.a) > 0 && e.a.busy_wait_ms > 0.0,
                    ),
                    choice("The timeout absorbs it: no errors", |e| busy(e.a) == 0),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                finding(
                    busy(r) > 0 && r.busy_wait_ms > 0.0,
                    format!(
                        "{} SQLITE_BUSY errors despite busy_timeout = {} ms, after {:.0} ms of \
                         busy waits in all",
                        busy(r),
                        r.scenario["busy_timeout_ms"],
                        r.busy_wait_ms
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
            suggestion: Suggestion {
                label: "Now try short transactions: work outside",
                changes: json_text(r#"{"transaction": "short"}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "short-transactions",
            title: "Short transactions: claim, work outside, write",
            claim: "The cure is in the shape of the job: claim it in a short transaction and \
                    commit, do the work outside any transaction, then write the result in \
                    another short one. The write lock is held for a claim or a result write \
                    and its commit instead of the whole job, and the same busy_timeout is now \
                    plenty. (A commit is that short here because the run uses WAL with \
                    synchronous = NORMAL, which does not sync at each commit, only around \
                    checkpoints: a power cut or an OS crash may lose the last commits; an \
                    application crash never does.)",
            runs: Runs::Compare(
                side(
                    "long: work inside",
                    "timeout-outlasted",
                    short_or_long("long"),
                ),
                side(
                    "short: work outside",
                    "timeout-outlasted",
                    short_or_long("short"),
                ),
            ),
            prediction: Prediction {
                question: "The same four workers, 80 to 120 ms of work per job, busy_timeout = \
                           250 ms, WAL; only the shape of the transactions differs. Which fails?",
                choices: vec![
                    choice("Long ones fail with SQLITE_BUSY; short ones never", |e| {
                        busy(e.a) > 0 && b(e).lock_errors() == 0
                    }),
                    choice("Both fail", |e| busy(e.a) > 0 && b(e).lock_errors() > 0),
                    choice("Neither", |e| busy(e.a) == 0),
                ],
            },
            check: Judge::Rust(|e| {
                let (a, b) = (e.a, b(e));
                finding(
                    busy(a) > 0 && b.lock_errors() == 0 && exactly_once(b),
                    format!(
                        "{} SQLITE_BUSY with long transactions, {} lock errors with short ones; \
                         write lock held {:.2} ms (p95) against {:.2} ms",
                        busy(a),
                        b.lock_errors(),
                        a.write_lock_hold_ms.p95,
                        b.write_lock_hold_ms.p95
                    ),
                )
            }),
            moment: MomentQuery::in_a(LongestWriteHold),
            suggestion: Suggestion {
                label: "Now try 8 workers",
                changes: json_text(r#"{"workers": 8}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "deferred-or-immediate",
            title: "DEFERRED against IMMEDIATE",
            claim: "BEGIN (DEFERRED) takes no lock until a statement needs one: a claim \
                    reads first, then writes. SQLite's busy handler waits for a transaction's \
                    first lock (and, in the rollback journal, for the EXCLUSIVE lock its \
                    COMMIT needs), but never for a transaction that has read and now asks for \
                    the write lock: when the claim asks for the write lock and another connection has \
                    it, the refusal comes at once, whatever the busy_timeout. In WAL it is \
                    SQLITE_BUSY while the other holds the write lock, and SQLITE_BUSY_SNAPSHOT \
                    when the other has committed since the claim's first read. BEGIN \
                    IMMEDIATE asks for the write lock before reading, with no transaction open \
                    yet, so the busy handler keeps retrying it until the lock is free or the \
                    timeout is spent.",
            runs: Runs::Compare(
                side("BEGIN DEFERRED", "deferred-upgrade", json_text(r#"{}"#)),
                side(
                    "BEGIN IMMEDIATE",
                    "deferred-upgrade",
                    json_text(r#"{"begin": "immediate"}"#),
                ),
            ),
            prediction: Prediction {
                question: "busy_timeout is 5 s in both. Claims that read then write, begun \
                           DEFERRED and begun IMMEDIATE:",
                choices: vec![
                    choice(
                        "DEFERRED is refused at once despite the timeout: the busy handler never \
                         waits for a transaction that has read and asks to write. IMMEDIATE waits \
                         and succeeds",
                        |e| busy(e.a) > 0 && e.a.busy_wait_ms < 5000.0 && b(e).lock_errors() == 0,
                    ),
                    choice(
                        "DEFERRED fails too, but only after waiting out its 5 s timeout",
                        |e| busy(e.a) > 0 && e.a.busy_wait_ms >= 5000.0,
                    ),
                    choice("Both wait: no errors", |e| busy(e.a) == 0),
                    choice("Both fail", |e| busy(e.a) > 0 && b(e).lock_errors() > 0),
                ],
            },
            check: Judge::Rust(|e| {
                let (a, b) = (e.a, b(e));
                finding(
                    busy(a) > 0 && b.lock_errors() == 0,
                    format!(
                        "{} SQLITE_BUSY ({} of them SQLITE_BUSY_SNAPSHOT) with BEGIN {}, {} lock \
                         errors with BEGIN {}; both with busy_timeout = {} ms",
                        busy(a),
                        a.error_count("SQLITE_BUSY_SNAPSHOT"),
                        a.scenario["begin"]
                            .as_str()
                            .unwrap_or("?")
                            .to_ascii_uppercase(),
                        b.lock_errors(),
                        b.scenario["begin"]
                            .as_str()
                            .unwrap_or("?")
                            .to_ascii_uppercase(),
                        a.scenario["busy_timeout_ms"]
                    ),
                )
            }),
            moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
            suggestion: Suggestion {
                label: "Now try the rollback journal",
                changes: json_text(r#"{"journal_mode": "delete"}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "claim-index",
            title: "The claim index",
            claim: "A claim asks for the oldest queued job. Without an index on (queue, status, \
                    created_at), SQLite reads every row of the table to find it. Here the \
                    claim begins IMMEDIATE, so it reads them while holding the write lock, and \
                    every other worker waits for the scan.",
            runs: Runs::Compare(
                side(
                    "without the index",
                    "no-claim-index",
                    json_text(r#"{"time_limit_ms": 2000}"#),
                ),
                side(
                    "with the index",
                    "no-claim-index",
                    json_text(r#"{"claim_index": true, "time_limit_ms": 2000}"#),
                ),
            ),
            prediction: Prediction {
                question: "20,000 queued jobs, four workers. How long is the write lock held per \
                           claim without the index?",
                choices: vec![
                    choice("Far longer: the scan happens under the lock", |e| {
                        e.a.write_lock_hold_ms.mean > 2.0 * b(e).write_lock_hold_ms.mean
                    }),
                    choice("About as long as with the index", |e| {
                        e.a.write_lock_hold_ms.mean <= 2.0 * b(e).write_lock_hold_ms.mean
                    }),
                ],
            },
            check: Judge::Rust(|e| {
                let (a, b) = (e.a, b(e));
                finding(
                    a.write_lock_hold_ms.mean > 2.0 * b.write_lock_hold_ms.mean,
                    format!(
                        "write lock held {:.3} ms per hold (mean) without the index, {:.3} ms \
                         with it; {:.0} against {:.0} jobs/s",
                        a.write_lock_hold_ms.mean,
                        b.write_lock_hold_ms.mean,
                        a.throughput_jobs_per_s,
                        b.throughput_jobs_per_s
                    ),
                )
            }),
            moment: MomentQuery::in_a(LongestWriteHold),
            suggestion: Suggestion {
                label: "Now try 8 workers",
                changes: json_text(r#"{"workers": 8}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "broken-locking",
            title: "Broken locking (as on some network filesystems)",
            claim: "Everything so far relies on locks that work. Some network filesystems \
                    grant every lock, or none reliably. Then two workers write at once: the \
                    same job is claimed twice, results go missing, the database itself can end \
                    corrupt. SQLite's own documentation warns against it; here you see it.",
            runs: one("broken-locking"),
            prediction: Prediction {
                question: "Every lock request is granted, whoever holds what. What happens?",
                choices: vec![
                    choice("Jobs claimed twice or lost, or a corrupt database", |e| {
                        !exactly_once(e.a)
                    }),
                    choice("Nothing bad: SQLite notices and refuses", |e| {
                        exactly_once(e.a)
                    }),
                ],
            },
            check: Judge::Rust(|e| {
                let r = e.a;
                finding(
                    !exactly_once(r),
                    format!(
                        "{} jobs claimed twice, {} lost, {} of {} done; integrity_check: {}",
                        r.jobs.double_claimed,
                        r.jobs.lost,
                        r.jobs.done,
                        r.jobs.seeded,
                        r.integrity_check
                    ),
                )
            }),
            moment: MomentQuery::in_a(DoubleClaim),
            suggestion: Suggestion {
                label: "Now try working locks",
                changes: json_text(r#"{"locking": "normal"}"#),
            },
            case_file: None,
        },
        Lesson {
            id: "batched-results",
            title: "Batch the results, and keep them in their own database",
            claim: "Every write transaction on the queue takes the one write lock. Writing each \
                    result in its own transaction doubles the queue's commits; writing them in \
                    batches, into a database of their own, leaves the queue's lock to the \
                    claims.",
            runs: Runs::Compare(
                side(
                    "one result per transaction, in the queue",
                    "batched-results",
                    json_text(r#"{"result_batch": 1, "separate_results_db": false}"#),
                ),
                side(
                    "20 per batch, in a results database",
                    "batched-results",
                    json_text(r#"{}"#),
                ),
            ),
            prediction: Prediction {
                question: "400 jobs. How many transactions does batching save?",
                choices: vec![
                    choice("Close to half of them", |e| {
                        2 * b(e).transactions.committed < 3 * e.a.transactions.committed / 2
                    }),
                    choice("Hardly any", |e| {
                        2 * b(e).transactions.committed >= 3 * e.a.transactions.committed / 2
                    }),
                ],
            },
            check: Judge::Rust(|e| {
                let (a, b) = (e.a, b(e));
                finding(
                    4 * b.transactions.committed < 3 * a.transactions.committed
                        && exactly_once(a)
                        && exactly_once(b),
                    format!(
                        "{} transactions committed with one result per transaction, {} with \
                         batches of {} (on both databases); {:.0} against {:.0} jobs/s",
                        a.transactions.committed,
                        b.transactions.committed,
                        b.scenario["result_batch"],
                        a.throughput_jobs_per_s,
                        b.throughput_jobs_per_s
                    ),
                )
            }),
            moment: MomentQuery::in_b(LongestWriteHold),
            suggestion: Suggestion {
                label: "Now try 8 workers",
                changes: json_text(r#"{"workers": 8}"#),
            },
            case_file: None,
        },
    ]
}
