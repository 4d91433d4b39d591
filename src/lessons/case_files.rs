//! Case files: public bug reports about "database is locked" in job queues on
//! SQLite, each reproduced as a comparison of the scenario as its users had it
//! with the fix (docs/case-files.md). The accounts are ours; the facts are the
//! threads'.

use super::build::{b, busy, choice, exactly_once, finding, side};
use super::moment::Landmarks::*;
use super::Judge;
use super::{CaseFile, Evidence, Lesson, MomentQuery, Prediction, Runs, Suggestion};
use crate::analysis::report::RunReport;
use crate::scenario::presets::json_text;
use crate::trace::Role;

/// The scenario field `name` of a run, as a number (0 when absent).
fn field(r: &RunReport, name: &str) -> u64 {
    r.scenario[name].as_u64().unwrap_or(0)
}

/// The writers of a run.
fn writers(r: &RunReport) -> usize {
    r.workers.iter().filter(|w| w.role == Role::Writer).count()
}

/// "42 SQLITE_BUSY and 3 SQLITE_BUSY_SNAPSHOT": every error of the SQLITE_BUSY
/// family the run had, by name ("no SQLITE_BUSY" when none).
fn busy_words(r: &RunReport) -> String {
    let named: Vec<String> = r
        .errors
        .iter()
        .filter(|(name, _)| super::is_busy(name))
        .map(|(name, n)| format!("{n} {name}"))
        .collect();
    if named.is_empty() {
        "no SQLITE_BUSY".to_string()
    } else {
        named.join(" and ")
    }
}

/// Both runs did every job exactly once.
fn both_exactly_once(e: &Evidence) -> bool {
    exactly_once(e.a) && exactly_once(b(e))
}

pub(super) fn lessons() -> Vec<Lesson> {
    vec![huey(), river(), solid_queue()]
}

fn huey() -> Lesson {
    Lesson {
        id: "case-huey-dequeue",
        title: "Case file: locked at BEGIN in huey's dequeue",
        claim: "In WAL, BEGIN EXCLUSIVE (like BEGIN IMMEDIATE) asks for the one write lock \
                before the transaction has read anything, so SQLite's busy handler may wait \
                for it, up to the timeout: 5 s in huey 2.1.1. A dequeue holds the write lock \
                only while it selects and deletes one row, so workers that only dequeue \
                never wait that long. \"database is locked\" at the BEGIN means the write \
                lock stayed out of its reach for the whole 5 s: one connection kept a write \
                transaction open longer than that (run A), or others took the lock in turn \
                each time the busy handler looked (it keeps no queue). Either way the BEGIN \
                fails only when its 5 s of waiting are spent.",
        runs: Runs::Compare(
            side(
                "a transaction held open 6 s",
                "case-huey-dequeue",
                json_text(r#"{"transaction": "long", "jobs": 2, "work_ms": 6000}"#),
            ),
            side("only dequeues", "case-huey-dequeue", json_text(r#"{}"#)),
        ),
        prediction: Prediction {
            question: "huey 2.1.1's SQLite storage: WAL, BEGIN EXCLUSIVE, a 5 s timeout. Two \
                       workers; first each keeps its transaction open for 6 s of work, then \
                       they only dequeue short tasks. When does a BEGIN EXCLUSIVE fail with \
                       database is locked?",
            choices: vec![
                choice(
                    "Only when the other keeps its transaction open past the 5 s timeout, \
                     and then after 5 s of waiting",
                    |e| busy(e.a) > 0 && waited_out(e.a) && b(e).lock_errors() == 0,
                ),
                choice(
                    "Also with short tasks: WAL lets only one writer at a time, so the other \
                     BEGIN is refused",
                    |e| busy(b(e)) > 0,
                ),
                choice("Never: in WAL a BEGIN waits as long as it takes", |e| {
                    busy(e.a) == 0 && busy(b(e)) == 0
                }),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, b) = (e.a, b(e));
            finding(
                busy(a) > 0 && waited_out(a) && b.lock_errors() == 0 && both_exactly_once(e),
                format!(
                    "With a transaction held {:.0} ms: {} after {:.0} ms in SQLite's busy \
                     handler (busy_timeout = {} ms). {} workers only dequeuing: {} lock \
                     errors, the write lock held at most {:.2} ms, {:.0} jobs/s. Every job \
                     done exactly once: {}",
                    a.write_lock_hold_ms.max,
                    busy_words(a),
                    a.busy_wait_ms,
                    field(a, "busy_timeout_ms"),
                    writers(b),
                    b.lock_errors(),
                    b.write_lock_hold_ms.max,
                    b.throughput_jobs_per_s,
                    if both_exactly_once(e) { "yes" } else { "no" },
                ),
            )
        }),
        moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
        suggestion: Suggestion {
            label: "Now commit before the long work (transaction = short)",
            changes: json_text(r#"{"transaction": "short"}"#),
        },
        case_file: Some(CaseFile {
            thread: "coleifer/huey#445",
            url: "https://github.com/coleifer/huey/issues/445",
            setup: "huey 2.1.1 (the traceback's line numbers match that release), whose \
                    SqliteStorage opens each connection with Python's sqlite3 timeout=5 (a \
                    5 s busy timeout), journal_mode = WAL and synchronous = OFF, and begins \
                    every transaction with BEGIN EXCLUSIVE; a dequeue selects the next task \
                    and deletes it in one such transaction. At least two consumer workers \
                    (the log names Worker-2).",
            stand_in: "locklab runs its own job queue, not huey's: a claim is an UPDATE where \
                       huey deletes the row. Both runs have huey's settings and two workers. \
                       Run A adds what the thread does not name: a transaction kept open for \
                       6 s, here each job's work inside its transaction. Run B only dequeues \
                       short tasks.",
            saw: "The workers of a SqliteHuey consumer logged \"Error reading from queue\" \
                  with sqlite3.OperationalError: database is locked, at random moments. The \
                  traceback ends in the BEGIN EXCLUSIVE that huey runs before it takes a \
                  task: the dequeue's transaction could not even start.",
            shows: "With huey's settings a BEGIN EXCLUSIVE waits for the write lock and gets \
                    it: the dequeues hold it briefly, far below the 5 s timeout. It fails when \
                    another connection keeps a write transaction open longer than that (run \
                    A), and then only after the whole 5 s of waiting.",
            fixed: "The thread holds the report and no reply that we could read. huey 2.1.2 \
                    (September 2019) made the SQLite timeout configurable (commit 4c01413), \
                    without naming this issue.",
            unsaid: "Which worker type and how many workers ran, and what else used the \
                     database file (the app's own downloads.db). Nothing in it says what held \
                     the write lock for 5 s; run A is one cause that fits the traceback, not \
                     a diagnosis.",
        }),
    }
}

/// The run's busy handler waited at least its whole timeout in all (a BEGIN that
/// ran its timeout out waits exactly that long before SQLITE_BUSY).
fn waited_out(r: &RunReport) -> bool {
    r.busy_wait_ms >= field(r, "busy_timeout_ms") as f64 * 0.9
}

fn river() -> Lesson {
    Lesson {
        id: "case-river-busy-timeout",
        title: "Case file: SQLITE_BUSY in spite of busy_timeout",
        claim: "While writing River's SQLite documentation, its author tried busy_timeout \
                instead of limiting the pool to one active connection. It nearly worked, but \
                running the test suite a hundred times over still gave SQLITE_BUSY. The thread \
                does not say which statements failed; locklab shows one way it happens. \
                busy_timeout never helps a transaction that has read and then wants to write: \
                begun DEFERRED, it is refused at once while another connection writes (SQLITE_BUSY; SQLITE_BUSY_SNAPSHOT once the other \
                has committed since its first read). One connection never meets another.",
        runs: Runs::Compare(
            side(
                "8 connections",
                "case-river-busy-timeout",
                json_text(r#"{}"#),
            ),
            side(
                "1 connection, River's choice",
                "case-river-busy-timeout",
                json_text(r#"{"workers": 1}"#),
            ),
        ),
        prediction: Prediction {
            question: "Eight connections, BEGIN DEFERRED, busy_timeout = 5000 ms. What will the \
                       run show?",
            choices: vec![
                choice(
                    "SQLITE_BUSY anyway with eight, and none with one connection",
                    |e| busy(e.a) > 0 && b(e).lock_errors() == 0,
                ),
                choice(
                    "No SQLITE_BUSY: with 5 s to wait, every connection gets its turn",
                    |e| busy(e.a) == 0,
                ),
                choice("SQLITE_BUSY with one connection too", |e| {
                    busy(e.a) > 0 && b(e).lock_errors() > 0
                }),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, b) = (e.a, b(e));
            finding(
                busy(a) > 0 && b.lock_errors() == 0 && both_exactly_once(e),
                format!(
                    "{} connections with busy_timeout = {} ms: {}, while the busy handler \
                     slept {:.1} ms in all, {:.0} jobs/s. {} connection: {} lock errors, \
                     {:.0} jobs/s. Every job done exactly once: {}",
                    writers(a),
                    field(a, "busy_timeout_ms"),
                    busy_words(a),
                    a.busy_wait_ms,
                    a.throughput_jobs_per_s,
                    writers(b),
                    b.lock_errors(),
                    b.throughput_jobs_per_s,
                    if both_exactly_once(e) { "yes" } else { "no" },
                ),
            )
        }),
        moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
        suggestion: Suggestion {
            label: "Now keep the connections and BEGIN IMMEDIATE",
            changes: json_text(r#"{"begin": "immediate"}"#),
        },
        case_file: Some(CaseFile {
            thread: "riverqueue/river#913",
            url: "https://github.com/riverqueue/river/pull/913",
            setup: "River's SQLite driver in its own test suite: many connections of Go's \
                    database/sql pool on one database, with busy_timeout raised in place of \
                    the one-connection pool. #913 is the maintainer's pull request that adds \
                    a comment to the test helper, not a user's report.",
            stand_in: "locklab runs its own job queue, not River's queries: eight connections \
                       that begin DEFERRED (a transaction that reads, then writes) with \
                       busy_timeout = 5000, then one connection.",
            saw: "Raising busy_timeout \"kind of works\", but running the test suite many \
                  times over (-count 100) still turned up SQLITE_BUSY.",
            shows: "One way busy_timeout still gives SQLITE_BUSY: a transaction begun DEFERRED \
                    reads first; when it then asks for the write lock while another \
                    connection writes, or after another connection committed since its \
                    read, SQLite refuses it at once: its busy handler never waits for a \
                    transaction that has read and now asks to write. One connection never \
                    meets another.",
            fixed: "River kept one active connection (SetMaxOpenConns(1)) for SQLite: with \
                    WAL in its test helper, and as the advice of the driver's documentation; \
                    the pull request (merged May 2025) only wrote down why busy_timeout was not \
                    enough. The suggested change shows a fix that keeps many connections: \
                    BEGIN IMMEDIATE takes the write lock before reading, where waiting is \
                    allowed.",
            unsaid: "The comment records that busy_timeout still gave SQLITE_BUSY, not why: \
                     not which statement failed, nor how River's transactions begin. The \
                     DEFERRED upgrade is locklab's explanation, one that fits, not the \
                     thread's.",
        }),
    }
}

fn solid_queue() -> Lesson {
    Lesson {
        id: "case-solid-queue-heartbeat",
        title: "Case file: the heartbeat hits database is locked",
        claim: "Rails 7.2 begins every transaction DEFERRED. Solid Queue's heartbeat is \
                with_lock { touch }: a BEGIN, a SELECT of the process's row, then the UPDATE. \
                That is a read and then a write, and SQLite's busy handler never waits for a \
                transaction that has read and now asks for the write lock: when another \
                process holds it, or committed since the read (the log shows another \
                heartbeat committing a millisecond before), the UPDATE is refused at once, \
                whatever the 5 s timeout says. Rails 8 changed two things together: BEGIN \
                IMMEDIATE asks for the write lock before reading, where the busy handler may \
                wait; and its busy handler sleeps with Ruby's GVL released, because SQLite's \
                own sleeps with it held and would stall the process's other threads (the \
                lesson on the interpreter lock shows that).",
        runs: Runs::Compare(
            side(
                "Rails 7.2.1: DEFERRED, SQLite's busy handler",
                "case-solid-queue-heartbeat",
                json_text(r#"{}"#),
            ),
            side(
                "Rails 8.0: IMMEDIATE, a busy handler that releases the GVL",
                "case-solid-queue-heartbeat",
                json_text(r#"{"begin": "immediate", "busy_handler": "yielding"}"#),
            ),
        ),
        prediction: Prediction {
            question: "Four processes of two threads, a 5 s timeout. First Rails 7.2.1's \
                       DEFERRED transactions with SQLite's own busy handler, then Rails 8.0's \
                       IMMEDIATE transactions with its GVL-releasing handler. Where does \
                       database is locked come back?",
            choices: vec![
                choice(
                    "With Rails 7.2.1, at once, although the timeout is 5 s: a read then a \
                     write is never waited for; none with Rails 8.0",
                    |e| busy(e.a) > 0 && b(e).lock_errors() == 0,
                ),
                choice("Nowhere: 5 s is plenty for a one-row UPDATE", |e| {
                    busy(e.a) == 0 && busy(b(e)) == 0
                }),
                choice(
                    "In both: SQLite allows one writer whatever Rails does",
                    |e| busy(e.a) > 0 && busy(b(e)) > 0,
                ),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, b) = (e.a, b(e));
            finding(
                busy(a) > 0 && b.lock_errors() == 0 && both_exactly_once(e),
                format!(
                    "Rails 7.2.1's setup (busy_timeout = {} ms): {}, while SQLite's busy \
                     handler slept {:.1} ms in all. Rails 8.0's: {} lock errors; the busy \
                     handler slept {:.1} ms. Every job done exactly once in both: {}",
                    field(a, "busy_timeout_ms"),
                    busy_words(a),
                    a.busy_wait_ms,
                    b.lock_errors(),
                    b.busy_wait_ms,
                    if both_exactly_once(e) { "yes" } else { "no" },
                ),
            )
        }),
        moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
        suggestion: Suggestion {
            label: "Now try Rails 7.2 with IMMEDIATE transactions only (the linked article's \
                    first advice)",
            changes: json_text(r#"{"begin": "immediate"}"#),
        },
        case_file: Some(CaseFile {
            thread: "rails/solid_queue#385",
            url: "https://github.com/rails/solid_queue/issues/385",
            setup: "Solid Queue 1.0.0, Rails 7.2.1 and the sqlite3 gem 2.1.0. Rails 7.1 and \
                    later open SQLite in WAL with synchronous = NORMAL; Rails 7.2 begins \
                    transactions DEFERRED, and the timeout: 5000 of its generated database.yml \
                    goes to the gem's busy_timeout=, SQLite's own busy handler, which sleeps \
                    while the Ruby thread holds the GVL. A worker process runs 3 threads; \
                    every process heartbeats every 60 s with with_lock { touch }.",
            stand_in: "locklab runs its own job queue in four processes of two threads, each \
                       process with its interpreter lock. Its claims have the heartbeat's \
                       shape in Rails 7.2 (a SELECT, then an UPDATE), so the refusals land on \
                       claims; its heartbeats, every millisecond of work, are a lone UPDATE.",
            saw: "The process heartbeat (with_lock { touch(:last_heartbeat_at) } on \
                  solid_queue_processes) failed with SQLite3::BusyException: database is \
                  locked; the log just before \
                  shows another process's heartbeat UPDATE and its commit, a millisecond \
                  earlier.",
            shows: "With Rails 7.2's DEFERRED transactions a read then a write is refused at \
                    once whenever another connection holds the write lock or has committed \
                    since the read; the 5 s timeout never comes into play. With Rails 8's \
                    IMMEDIATE transactions and GVL-releasing busy handler the same collisions \
                    become short waits.",
            fixed: "The maintainer put it down to the SQLite configuration: Rails 8 comes with \
                    better SQLite defaults (IMMEDIATE transactions, rails/rails#50371, and \
                    busy_handler_timeout=, rails/rails#51958), and for Rails 7.2 she pointed to \
                    an article on SQLite settings for Rails. A later comment still saw the \
                    error on a Rails 8 release candidate; the issue was closed.",
            unsaid: "The reporter's database.yml, how many processes and threads ran, and \
                     which statement was refused (the heartbeat's SELECT or its UPDATE). No \
                     reply that we could read names DEFERRED, the GVL or \
                     busy_handler_timeout=; the comment on the Rails 8 release candidate \
                     says no more about its setup.",
        }),
    }
}
