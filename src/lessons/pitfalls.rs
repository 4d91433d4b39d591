//! The article's pitfalls that its argument names but no lesson before showed:
//! each a run of its own, with a check and a native oracle test.

use super::build::{b, busy, choice, exactly_once, finding, side, writer_errors};
use super::moment::Landmarks::*;
use super::Judge;
use super::{Lesson, MomentQuery, Prediction, Runs, Suggestion};
use crate::analysis::report::RunReport;
use crate::scenario::presets::json_text;

/// Claims that lost a race to another worker (the compare-and-swap caught them).
fn lost_races(r: &RunReport) -> u64 {
    r.workers.iter().map(|w| w.lost_races).sum()
}

pub(super) fn lessons() -> Vec<Lesson> {
    vec![
        claim_cas(),
        interpreter_lock(),
        journal_mode_answer(),
        wal_growth(),
        shared_connection(),
    ]
}

fn claim_cas() -> Lesson {
    Lesson {
        id: "claim-cas",
        title: "The claim's compare-and-swap",
        claim: "A claim reads the oldest QUEUED job, then marks it RUNNING. When the SELECT \
                runs on its own, before the claim's write transaction begins, two workers can \
                read the same id before either writes. The article's guard is in the UPDATE: \
                WHERE id = ? AND status = 'QUEUED' changes no row when another worker claimed \
                the job first, and the loser simply claims again. Without the guard both \
                UPDATEs change a row and two workers run one job. Inside one write \
                transaction the read and the write cannot be split: of two transactions that \
                read the same job, SQLite lets only one write.",
        runs: Runs::Compare(
            side(
                "SELECT outside, no guard",
                "claim-outside",
                json_text(r#"{"claim_cas": false}"#),
            ),
            side(
                "SELECT outside, AND status = 'QUEUED'",
                "claim-outside",
                json_text(r#"{}"#),
            ),
        ),
        prediction: Prediction {
            question: "Eight workers read the oldest QUEUED job's id before their claim's \
                       transaction begins (BEGIN IMMEDIATE, then the UPDATE). First without \
                       the guard AND status = 'QUEUED', then with it. How many jobs do two \
                       workers run?",
            choices: vec![
                choice(
                    "Some without the guard, none with it: the guard turns a second claim \
                     into a lost race",
                    |e| e.a.jobs.claimed_twice > 0 && b(e).jobs.claimed_twice == 0,
                ),
                choice(
                    "None either way: BEGIN IMMEDIATE already lets only one claim at a time",
                    |e| e.a.jobs.claimed_twice == 0 && b(e).jobs.claimed_twice == 0,
                ),
                choice(
                    "Some either way: the guard cannot see another worker's claim",
                    |e| b(e).jobs.claimed_twice > 0,
                ),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, g) = (e.a, b(e));
            finding(
                a.jobs.claimed_twice > 0 && g.jobs.claimed_twice == 0 && exactly_once(g),
                format!(
                    "without the guard: {} jobs claimed twice, {} results committed twice; \
                     with it: {} claimed twice, {} lost races claimed again, {} of {} done",
                    a.jobs.claimed_twice,
                    a.jobs.double_claimed,
                    g.jobs.claimed_twice,
                    lost_races(g),
                    g.jobs.done,
                    g.jobs.seeded
                ),
            )
        }),
        moment: MomentQuery::in_a(DoubleClaim),
        suggestion: Suggestion {
            label: "Now put the SELECT inside the claim's transaction, still without the guard \
                    (claim_select = inside)",
            changes: json_text(r#"{"claim_select": "inside", "claim_cas": false}"#),
        },
        case_file: None,
    }
}

/// The most any worker of the run waited for its process's interpreter lock, ms.
fn interpreter_wait(r: &RunReport) -> f64 {
    r.workers
        .iter()
        .map(|w| w.interpreter_wait_ms)
        .fold(0.0, f64::max)
}

fn interpreter_lock() -> Lesson {
    Lesson {
        id: "interpreter-lock",
        title: "A busy handler that holds the interpreter lock",
        claim: "Ruby runs one thread of a process at a time: a thread holds the process's \
                GVL while it runs and lets go of it when it sleeps or waits for I/O. The \
                sqlite3 gem calls SQLite with the GVL held, and its busy_timeout= is SQLite's \
                own busy handler, which sleeps inside the statement: a thread waiting there \
                keeps the GVL. If the thread that holds SQLite's write lock is in the same \
                process, it cannot run its next statement to commit: each waits for a lock \
                the other holds, and only the waiter's timeout ends it, with SQLITE_BUSY. A \
                busy handler that sleeps with the GVL released (the gem's \
                busy_handler_timeout=, which Rails 8 uses) lets the holder finish. The lock \
                is the runtime's, not SQLite's: Python's sqlite3 module lets go of its GIL \
                while SQLite runs a statement, busy waits included.",
        runs: Runs::Compare(
            side(
                "SQLite's busy handler (busy_timeout=)",
                "interpreter-lock",
                json_text(r#"{}"#),
            ),
            side(
                "a handler that sleeps without it (busy_handler_timeout=)",
                "interpreter-lock",
                json_text(r#"{"busy_handler": "yielding"}"#),
            ),
        ),
        prediction: Prediction {
            question: "Two threads of one process, BEGIN IMMEDIATE, a 1 s timeout; each job's \
                       work is I/O inside its transaction (the thread lets go of the GVL \
                       there). What does the thread that waits at BEGIN do to the one that \
                       holds the write lock?",
            choices: vec![
                choice(
                    "With SQLite's handler it stalls it until its own 1 s runs out and it \
                     fails; with the yielding handler both go on",
                    |e| busy(e.a) > 0 && interpreter_wait(e.a) >= 900.0 && b(e).lock_errors() == 0,
                ),
                choice("Nothing: it only waits for the write lock", |e| {
                    busy(e.a) == 0
                }),
                choice("Both handlers fail alike", |e| {
                    busy(e.a) > 0 && busy(b(e)) > 0
                }),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, g) = (e.a, b(e));
            finding(
                busy(a) > 0
                    && interpreter_wait(a) >= 900.0
                    && g.lock_errors() == 0
                    && exactly_once(a)
                    && exactly_once(g),
                format!(
                    "SQLite's busy handler: {} SQLITE_BUSY; a worker waited {:.0} ms for the \
                     interpreter lock while it held the write lock, held up to {:.0} ms; the \
                     run took {:.0} ms. The yielding handler: {} lock errors, the write lock \
                     held at most {:.1} ms, the run took {:.0} ms",
                    busy(a),
                    interpreter_wait(a),
                    a.write_lock_hold_ms.max,
                    a.elapsed_ms,
                    g.lock_errors(),
                    g.write_lock_hold_ms.max,
                    g.elapsed_ms
                ),
            )
        }),
        moment: MomentQuery::in_a(LongestWriteHold),
        suggestion: Suggestion {
            label: "Now give each thread a process of its own (processes = 2)",
            changes: json_text(r#"{"processes": 2}"#),
        },
        case_file: None,
    }
}

fn journal_mode_answer() -> Lesson {
    Lesson {
        id: "journal-mode-answer",
        title: "journal_mode = wal only counts if it answers wal",
        claim: "PRAGMA journal_mode = wal is a request, and its answer is the journal mode \
                the database is in afterwards. SQLite leaves the mode as it was, with no \
                error, when it cannot use WAL: for a temporary or in-memory database, when \
                the VFS offers no shared memory for WAL's index (here; unless locking_mode \
                is EXCLUSIVE), or inside a write transaction that has changed something. On \
                a database that could use WAL, asking inside any other transaction, or \
                while another statement of the connection is still reading, fails with an \
                error instead. A program that does not read the answer goes on in the \
                rollback journal, where a reader that is reading holds up a COMMIT, \
                believing it runs in WAL. Read the answer, and stop when it is not wal.",
        runs: Runs::Compare(
            side(
                "a VFS without shared memory",
                "wal-readers",
                json_text(r#"{"shm": false}"#),
            ),
            side(
                "a VFS with shared memory",
                "wal-readers",
                json_text(r#"{}"#),
            ),
        ),
        prediction: Prediction {
            question: "One writer and two readers; both runs ask for PRAGMA journal_mode = \
                       wal, but in run A the VFS has no shared memory for WAL's index. What \
                       happens in run A?",
            choices: vec![
                choice(
                    "The PRAGMA answers delete, with no error: the run stays in the rollback \
                     journal and the readers make the writer fail, as if WAL had never been \
                     asked for",
                    |e| {
                        e.a.journal_mode == "delete"
                            && writer_errors(e.a) > 0
                            && b(e).journal_mode == "wal"
                            && writer_errors(b(e)) == 0
                    },
                ),
                choice("The PRAGMA fails, and the run with it", |e| {
                    e.a.failure.is_some()
                }),
                choice("It runs in WAL anyway: the PRAGMA asked for it", |e| {
                    e.a.journal_mode == "wal"
                }),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, w) = (e.a, b(e));
            finding(
                a.journal_mode != "wal"
                    && writer_errors(a) > 0
                    && w.journal_mode == "wal"
                    && writer_errors(w) == 0,
                format!(
                    "both asked for wal. Without shared memory PRAGMA journal_mode answered \
                     {}, and the writer failed {} times; with it, it answered {}, and the \
                     writer failed {} times",
                    a.journal_mode,
                    writer_errors(a),
                    w.journal_mode,
                    writer_errors(w)
                ),
            )
        }),
        moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
        suggestion: Suggestion {
            label: "Now give run A's VFS its shared memory (shm = true)",
            changes: json_text(r#"{"shm": true}"#),
        },
        case_file: None,
    }
}

/// "50.9 MB" (bytes in MB, one decimal).
fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn wal_growth() -> Lesson {
    Lesson {
        id: "wal-growth",
        title: "A long WAL reader grows the WAL",
        claim: "In WAL a reader never blocks the writer, but it is not free. Each commit \
                appends to the WAL; a checkpoint copies the frames back into the database \
                file, and SQLite starts the log over at its beginning only once every frame \
                has been copied back and no reader still reads from the log. A read \
                transaction reads the database as of its first read, so while it lasts a \
                checkpoint cannot copy back the frames after its snapshot, and the log \
                cannot start over under it. A dashboard that keeps a read open \
                again and again leaves the log no moment to start over: the WAL file only \
                grows, however many checkpoints run (sqlite.org calls it checkpoint \
                starvation). Short reads, or a moment with no reader, let it start over.",
        runs: Runs::Compare(
            side("reads held 1 s", "wal-growth", json_text(r#"{}"#)),
            side(
                "reads held 5 ms",
                "wal-growth",
                json_text(r#"{"reader_hold_ms": 5}"#),
            ),
        ),
        prediction: Prediction {
            question: "One worker commits 2,000 jobs in WAL while a dashboard reads, first \
                       holding each read open for 1 s, then for 5 ms. What becomes of the WAL \
                       file?",
            choices: vec![
                choice(
                    "With 1 s reads it only grows, to several times the other's size: the \
                     log cannot start over while a read of it is open; with 5 ms reads it \
                     starts over again and again",
                    |e| {
                        e.a.wal_bytes_max >= 4 * b(e).wal_bytes_max
                            && e.a.wal_restarts == 0
                            && b(e).wal_restarts > 0
                    },
                ),
                choice(
                    "The same in both: WAL readers cost the writer nothing",
                    |e| e.a.wal_bytes_max < 2 * b(e).wal_bytes_max,
                ),
                choice(
                    "The writer fails: the long reader blocks its commits",
                    |e| writer_errors(e.a) > 0,
                ),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, s) = (e.a, b(e));
            finding(
                a.wal_bytes_max >= 4 * s.wal_bytes_max
                    && a.wal_restarts == 0
                    && s.wal_restarts > 0
                    && writer_errors(a) == 0
                    && exactly_once(a)
                    && exactly_once(s),
                format!(
                    "reads held {} ms: the WAL grew to {}, {} checkpoints ran and the log \
                     started over {} times; reads held {} ms: it grew to {}, {} checkpoints, \
                     started over {} times. The writer's errors: {} and {}",
                    a.scenario["reader_hold_ms"],
                    megabytes(a.wal_bytes_max),
                    a.wal_checkpoints,
                    a.wal_restarts,
                    s.scenario["reader_hold_ms"],
                    megabytes(s.wal_bytes_max),
                    s.wal_checkpoints,
                    s.wal_restarts,
                    writer_errors(a),
                    writer_errors(s)
                ),
            )
        }),
        moment: MomentQuery::in_a(LongestWriteHold),
        suggestion: Suggestion {
            label: "Now keep the dashboard's reads short (reader_hold_ms = 5)",
            changes: json_text(r#"{"reader_hold_ms": 5}"#),
        },
        case_file: None,
    }
}

fn shared_connection() -> Lesson {
    Lesson {
        id: "shared-connection",
        title: "One connection, several tasks",
        claim: "A connection has one transaction at a time, whoever sends its statements. \
                Tasks that share a connection (a thread pool, async tasks) without taking \
                turns mix their statements into that one transaction: a task's BEGIN while \
                another's transaction is open fails (cannot start a transaction within a \
                transaction); a task's COMMIT commits everything sent since the BEGIN, \
                another task's half-done claim included; a task whose transaction another \
                task ended finds none at its COMMIT; and the usual error handler, a ROLLBACK, \
                throws away whatever transaction is open, someone else's too. A task's DROP \
                TABLE (here, rebuilding an archive table) fails with SQLITE_LOCKED while \
                another task's cursor on the connection is still reading. Jobs end up \
                claimed by nobody who works on them. None of this is another connection's \
                lock, so no busy_timeout helps. Give each task its own connection, or put a \
                lock around the connection that a task holds for a whole transaction (and \
                for the whole archive).",
        runs: Runs::Compare(
            side(
                "four tasks, one connection",
                "shared-connection",
                json_text(r#"{}"#),
            ),
            side(
                "a lock around the connection",
                "shared-connection",
                json_text(r#"{"serialize_tasks": true}"#),
            ),
        ),
        prediction: Prediction {
            question: "One worker's connection is shared by four tasks that each claim, work \
                       and write results, their statements interleaved; then the same with a \
                       lock around the connection. What happens without the lock?",
            choices: vec![
                choice(
                    "SQLITE_ERROR from BEGINs and COMMITs in the wrong place of the \
                     connection's one transaction (and SQLITE_LOCKED if a DROP TABLE meets \
                     another task's cursor), and jobs claimed but never done; with the lock, \
                     every job once and no error",
                    |e| {
                        e.a.error_count("SQLITE_ERROR") > 0
                            && !exactly_once(e.a)
                            && b(e).errors.is_empty()
                            && exactly_once(b(e))
                    },
                ),
                choice("SQLITE_BUSY: the tasks wait for each other's locks", |e| {
                    busy(e.a) > 0
                }),
                choice("Nothing: each task's statements are its own", |e| {
                    e.a.errors.is_empty() && exactly_once(e.a)
                }),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, s) = (e.a, b(e));
            finding(
                a.error_count("SQLITE_ERROR") > 0
                    && !exactly_once(a)
                    && s.errors.is_empty()
                    && exactly_once(s),
                format!(
                    "four tasks on one connection: {} SQLITE_ERROR, {} SQLITE_LOCKED, {} \
                     COMMITs that committed other tasks' statements, {} of {} jobs done and {} \
                     left RUNNING. With a lock around the connection: {} errors, {} of {} done",
                    a.error_count("SQLITE_ERROR"),
                    a.error_count("SQLITE_LOCKED"),
                    a.transactions.shared,
                    a.jobs.done,
                    a.jobs.seeded,
                    a.jobs.stuck,
                    s.lock_errors() + s.error_count("SQLITE_ERROR"),
                    s.jobs.done,
                    s.jobs.seeded
                ),
            )
        }),
        moment: MomentQuery::in_a(FirstError("SQLITE_ERROR")),
        suggestion: Suggestion {
            label: "Now give each task a connection of its own (workers = 4, \
                    tasks_per_connection = 1)",
            changes: json_text(r#"{"workers": 4, "tasks_per_connection": 1}"#),
        },
        case_file: None,
    }
}
