//! Case files: public bug reports about "database is locked" in job queues on
//! SQLite, each reproduced as a comparison of the scenario as its users had it
//! with the fix (docs/case-files.md). The accounts are ours; the facts are the
//! threads'.

use super::build::{b, busy, choice, exactly_once, finding, side};
use super::moment::Landmarks::*;
use super::{CaseFile, Evidence, Lesson, MomentQuery, Prediction, Runs, Suggestion};
use crate::analysis::report::RunReport;
use crate::scenario::presets::json_text;
use crate::trace::{Role, Step};

/// The scenario field `name` of a run, as a number (0 when absent).
fn field(r: &RunReport, name: &str) -> u64 {
    r.scenario[name].as_u64().unwrap_or(0)
}

/// The writers of a run.
fn writers(r: &RunReport) -> usize {
    r.workers.iter().filter(|w| w.role == Role::Writer).count()
}

/// How long the writers of a run sat in the busy handler because a reader held a
/// lock in their way (the wait-for matrix's entries whose holder is a reader), ms.
fn writers_waited_on_readers(r: &RunReport) -> f64 {
    let is_reader = |id| {
        r.workers
            .iter()
            .any(|w| w.id == id && w.role == Role::Reader)
    };
    r.workers
        .iter()
        .filter(|w| w.role == Role::Writer)
        .flat_map(|w| &w.blocked_by)
        .filter(|entry| entry.by.is_some_and(is_reader))
        .map(|entry| entry.wait_ms)
        .sum()
}

/// The readers made the workers of run A wait, and those of run B at most a tenth
/// as long: seconds against milliseconds in the huey case.
fn readers_matter_far_more_in_a(e: &Evidence) -> bool {
    let (a, b) = (
        writers_waited_on_readers(e.a),
        writers_waited_on_readers(b(e)),
    );
    a > 0.0 && b * 10.0 < a
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
        claim: "A huey user ran several worker threads on its SQLite storage and saw \"database \
                is locked\" now and then, raised by the BEGIN that starts a dequeue. A BEGIN \
                that takes the write lock at once waits for whoever holds it, and gives up when \
                its timeout runs out. In the rollback journal a writer keeps the write lock while \
                its COMMIT waits for the readers to finish, so a slow read holds up every other \
                worker's BEGIN. Here two readers (the app looking up results, a dashboard) keep \
                150 ms reads open, and the workers' timeout is 50 ms.",
        runs: Runs::Compare(
            side("rollback journal", "case-huey-dequeue", json_text(r#"{}"#)),
            side(
                "WAL, huey's default since PR #425",
                "case-huey-dequeue",
                json_text(r#"{"journal_mode": "wal"}"#),
            ),
        ),
        prediction: Prediction {
            question: "Four workers dequeue with BEGIN IMMEDIATE and a 50 ms busy_timeout while \
                       two readers hold 150 ms reads. In which journal mode do the readers make \
                       the workers wait, and their BEGIN fail?",
            choices: vec![
                choice(
                    "The rollback journal, by far: in WAL the readers hardly hold anyone up",
                    |e| busy(e.a) > 0 && readers_matter_far_more_in_a(e),
                ),
                choice("Both journal modes alike", |e| {
                    writers_waited_on_readers(e.a) > 0.0 && !readers_matter_far_more_in_a(e)
                }),
                choice("Neither: readers never stop a BEGIN", |e| {
                    writers_waited_on_readers(e.a) == 0.0 && writers_waited_on_readers(b(e)) == 0.0
                }),
            ],
        },
        // What the case is about is who the workers wait for. WAL's side may still
        // see a BEGIN run out its 50 ms while other workers take turns with the
        // write lock (four workers on two cores, now and then in the page), or a
        // worker wait a few ms on a reader: the check asks that readers cost the
        // workers far less there, and shows WAL's lock errors rather than
        // asserting them away.
        check: |e| {
            let (a, b) = (e.a, b(e));
            finding(
                busy(a) > 0 && readers_matter_far_more_in_a(e) && b.journal_mode == "wal",
                format!(
                    "journal_mode = {}: {} with busy_timeout = {} ms, while readers held \
                     {} ms reads; the workers waited {:.0} ms for the readers, the write lock \
                     was held up to {:.1} ms (p95 {:.1} ms), {:.0} jobs/s. journal_mode = {}: \
                     the workers waited {:.0} ms for the readers, {} lock errors, the write \
                     lock held at most {:.2} ms, {:.0} jobs/s",
                    a.journal_mode,
                    busy_words(a),
                    field(a, "busy_timeout_ms"),
                    field(a, "reader_hold_ms"),
                    writers_waited_on_readers(a),
                    a.write_lock_hold_ms.max,
                    a.write_lock_hold_ms.p95,
                    a.throughput_jobs_per_s,
                    b.journal_mode,
                    writers_waited_on_readers(b),
                    b.lock_errors(),
                    b.write_lock_hold_ms.max,
                    b.throughput_jobs_per_s,
                ),
            )
        },
        moment: MomentQuery::in_a(LongestWriteHold),
        suggestion: Suggestion {
            label: "Now raise busy_timeout to 1000 ms instead",
            changes: json_text(r#"{"busy_timeout_ms": 1000}"#),
        },
        case_file: Some(CaseFile {
            thread: "coleifer/huey#445",
            url: "https://github.com/coleifer/huey/issues/445",
            saw: "The workers of a SqliteHuey consumer logged \"Error reading from queue\" \
                  with sqlite3.OperationalError: database is locked, at random moments. The \
                  traceback ends in the BEGIN that huey runs before it takes a task: the \
                  dequeue's transaction could not even start.",
            shows: "A BEGIN IMMEDIATE waits for the write lock and fails when its timeout runs \
                    out first. With the rollback journal a worker that commits keeps the write \
                    lock until the readers are done, 150 ms here, three times the others' \
                    50 ms timeout: their BEGINs fail by the dozen. In WAL a COMMIT does not wait \
                    for readers: the workers wait for them a few milliseconds at most, and the \
                    write lock is held for a fraction of a millisecond.",
            fixed: "Pull request #425 (June 2019) proposed a WAL option for huey's SQLite \
                    storage to cut down \"database is locked\"; the maintainer replaced it with \
                    his own implementation and made WAL the default. What we could read of \
                    #445, filed two months later, holds the report, not a reply, and does not \
                    say which journal mode the reporter ran: locklab shows how the rollback \
                    journal makes a dequeue's BEGIN fail and what WAL changes.",
        }),
    }
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
        check: |e| {
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
        },
        moment: MomentQuery::in_a(FirstError("SQLITE_BUSY")),
        suggestion: Suggestion {
            label: "Now keep the connections and BEGIN IMMEDIATE",
            changes: json_text(r#"{"begin": "immediate"}"#),
        },
        case_file: Some(CaseFile {
            thread: "riverqueue/river#913",
            url: "https://github.com/riverqueue/river/pull/913",
            saw: "River's author, documenting the SQLite driver, set busy_timeout as an \
                  alternative to a pool of one active connection. Most runs passed, but \
                  iterating the test suite many times (-count 100) still turned up SQLITE_BUSY.",
            shows: "busy_timeout is not a promise that SQLite will wait. A transaction begun \
                    DEFERRED reads first; when it then wants the write lock and another \
                    connection writes, SQLite refuses it at once: its busy handler never \
                    waits for a transaction that has read and now asks to write. Eight \
                    connections with a 5 s timeout fail dozens of times while the busy handler sleeps a fraction of a second in \
                    all; one connection never fails.",
            fixed: "River kept its advice for SQLite, one active connection, and the pull \
                    request (merged May 2025) wrote down why busy_timeout alone was not \
                    enough. The suggested change shows another fix that keeps many \
                    connections: BEGIN IMMEDIATE takes the write lock before reading, where \
                    waiting is safe.",
        }),
    }
}

fn solid_queue() -> Lesson {
    Lesson {
        id: "case-solid-queue-heartbeat",
        title: "Case file: the heartbeat hits database is locked",
        claim: "A Solid Queue user on Rails 7.2 and SQLite got SQLite3::BusyException from the \
                process heartbeat, the UPDATE that moves last_heartbeat_at. A heartbeat is a \
                small write, but a write: it needs the one write lock, and while another worker \
                holds it the heartbeat is refused unless the connection is set up to wait. Here \
                twelve workers heartbeat every millisecond of work, begin DEFERRED and have no \
                busy_timeout; then the same with BEGIN IMMEDIATE and busy_timeout = 5000.",
        runs: Runs::Compare(
            side(
                "DEFERRED, no busy_timeout",
                "case-solid-queue-heartbeat",
                json_text(r#"{}"#),
            ),
            side(
                "IMMEDIATE, busy_timeout = 5000",
                "case-solid-queue-heartbeat",
                json_text(r#"{"begin": "immediate", "busy_timeout_ms": 5000}"#),
            ),
        ),
        prediction: Prediction {
            question: "Twelve workers write heartbeats between their claims and results. What \
                       happens to the heartbeats without a busy_timeout?",
            choices: vec![
                choice(
                    "They are refused with SQLITE_BUSY; with IMMEDIATE and busy_timeout they \
                     wait instead",
                    |e| busy(e.a) > 0 && b(e).lock_errors() == 0,
                ),
                choice("Nothing: a one-row UPDATE is too quick to collide", |e| {
                    busy(e.a) == 0
                }),
                choice("They fail in both runs", |e| {
                    busy(e.a) > 0 && busy(b(e)) > 0
                }),
            ],
        },
        check: |e| {
            let (a, b) = (e.a, b(e));
            finding(
                busy(a) > 0 && b.lock_errors() == 0 && both_exactly_once(e),
                format!(
                    "busy_timeout = {} ms: {}; {} transactions rolled back, {:.1} ms in \
                     the busy handler. BEGIN IMMEDIATE, busy_timeout = {} ms: {} lock errors; \
                     the workers slept {:.1} ms in SQLite's busy handler instead. Every job \
                     done exactly once in both: {}",
                    field(a, "busy_timeout_ms"),
                    busy_words(a),
                    a.transactions.rolled_back,
                    a.busy_wait_ms,
                    field(b, "busy_timeout_ms"),
                    b.lock_errors(),
                    b.busy_wait_ms,
                    if both_exactly_once(e) { "yes" } else { "no" },
                ),
            )
        },
        moment: MomentQuery::in_a(FirstErrorIn("SQLITE_BUSY", Step::Heartbeat)),
        suggestion: Suggestion {
            label: "Now try BEGIN IMMEDIATE alone, without busy_timeout",
            changes: json_text(r#"{"begin": "immediate", "busy_timeout_ms": 0}"#),
        },
        case_file: Some(CaseFile {
            thread: "rails/solid_queue#385",
            url: "https://github.com/rails/solid_queue/issues/385",
            saw: "With Solid Queue 1.0, Rails 7.2.1 and the sqlite3 gem 2.1, the process \
                  heartbeat (an UPDATE of solid_queue_processes.last_heartbeat_at) failed with \
                  SQLite3::BusyException: database is locked, right after other heartbeat \
                  updates in the log.",
            shows: "Heartbeats are the most frequent write of a busy queue, so most refusals \
                    land on them: each one needs the write lock, and with no busy_timeout it \
                    is refused whenever another worker holds it. With BEGIN IMMEDIATE and a \
                    busy_timeout the same collisions become short sleeps in SQLite's busy \
                    handler and no heartbeat fails.",
            fixed: "The maintainer put it down to the SQLite configuration, not Solid Queue: \
                    Rails 8 comes with better SQLite defaults, and for Rails 7.2 she pointed to \
                    an article whose settings include IMMEDIATE transactions and a busy \
                    handler that waits. A later comment still saw the error on a Rails 8 \
                    release candidate; the issue was closed.",
        }),
    }
}
