//! Built-in scenarios: one per lesson of the article that the engine can show.
//!
//! Each preset is written as scenario JSON and goes through the same parser as a
//! user's file, so a preset can never be something a user could not write.

use crate::scenario::{Scenario, ScenarioError};
use serde::Serialize;
use serde_json::Value;

/// A named scenario with the lesson it teaches.
#[derive(Clone, Debug, Serialize)]
pub struct Preset {
    pub name: &'static str,
    pub lesson: &'static str,
    /// What to look for when it runs, in a sentence or two.
    pub expect: &'static str,
    /// What of the lesson only the page can do (the SQL console), said when the
    /// CLI runs it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_only: Option<&'static str>,
    pub scenario: Value,
}

impl Preset {
    pub fn scenario(&self) -> Result<Scenario, ScenarioError> {
        Scenario::from_value(&self.scenario)
    }
}

/// A built-in scenario (or a lesson's changes to one) written as JSON text and
/// read when asked for: `json!` would compile every one of them into code that
/// builds the value, 35 KB of the page's wasm for the presets and lessons.
pub(crate) fn json_text(text: &str) -> Value {
    serde_json::from_str(text).expect("built-in JSON is valid (tests read every preset and lesson)")
}

pub fn find(name: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.name == name)
}

pub fn all() -> Vec<Preset> {
    vec![
        Preset {
            name: "lock-ladder",
            lesson: "The lock ladder",
            expect: "One worker and one dashboard reader. With the rollback journal the \
                     worker climbs SHARED, RESERVED, PENDING (waiting for the reader) and \
                     EXCLUSIVE to commit; in WAL it takes a read mark and the WAL's write \
                     lock, and never waits for the reader.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "lock-ladder", "workers": 1, "readers": 1, "jobs": 10, "transaction": "short", "begin": "deferred", "journal_mode": "delete", "synchronous": "normal", "busy_timeout_ms": 1000, "work_ms": 5, "reader_hold_ms": 20}"#,
            ),
        },
        Preset {
            name: "wall-of-red",
            lesson: "The wall of red",
            expect: "Long transactions, four workers and no busy_timeout: most attempts fail \
                     with SQLITE_BUSY (database is locked), yet every job is done in the end.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "wall-of-red", "workers": 4, "jobs": 60, "transaction": "long", "begin": "deferred", "journal_mode": "delete", "busy_timeout_ms": 0, "work_ms": [5, 15], "heartbeat_ms": 5}"#,
            ),
        },
        Preset {
            name: "busy-or-locked",
            lesson: "BUSY or LOCKED",
            expect: "Each worker drops a table while its own SELECT is still running: \
                     SQLITE_LOCKED every time, at once, although busy_timeout is 5 s. \
                     Waiting cannot help when the blocker is your own statement.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "busy-or-locked", "workers": 2, "jobs": 40, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "busy_timeout_ms": 5000, "work_ms": [1, 3], "drop_table_while_reading": true}"#,
            ),
        },
        Preset {
            name: "readers-block-writer",
            lesson: "A reader blocks the writer (rollback journal)",
            expect: "Two dashboard readers hold read transactions; in rollback-journal mode \
                     the writer cannot commit while they read: SQLITE_BUSY at COMMIT.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "readers-block-writer", "workers": 1, "readers": 2, "jobs": 40, "transaction": "short", "begin": "immediate", "journal_mode": "delete", "busy_timeout_ms": 0, "work_ms": [1, 3], "reader_hold_ms": 40}"#,
            ),
        },
        Preset {
            name: "wal-readers",
            lesson: "WAL lets readers and a writer run together",
            expect: "The same readers and writer in WAL mode: no errors, and PRAGMA \
                     journal_mode reports wal.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "wal-readers", "workers": 1, "readers": 2, "jobs": 40, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "busy_timeout_ms": 0, "work_ms": [1, 3], "reader_hold_ms": 40}"#,
            ),
        },
        Preset {
            name: "wal-one-writer",
            lesson: "WAL does not fix writer against writer",
            expect: "WAL with long write transactions and no busy_timeout: still one writer \
                     at a time, still SQLITE_BUSY.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "wal-one-writer", "workers": 4, "jobs": 60, "transaction": "long", "begin": "immediate", "journal_mode": "wal", "busy_timeout_ms": 0, "work_ms": [5, 15]}"#,
            ),
        },
        Preset {
            name: "busy-timeout",
            lesson: "busy_timeout turns errors into waits",
            expect: "The wall of red with busy_timeout 5000 and BEGIN IMMEDIATE: the errors \
                     become busy waits (SQLite's busy handler sleeping and retrying).",
            page_only: None,
            scenario: json_text(
                r#"{"name": "busy-timeout", "workers": 4, "jobs": 60, "transaction": "long", "begin": "immediate", "journal_mode": "delete", "busy_timeout_ms": 5000, "work_ms": [5, 15]}"#,
            ),
        },
        Preset {
            name: "timeout-outlasted",
            lesson: "...but only if transactions are short",
            expect: "Work of 40-60 ms inside each transaction and a busy_timeout of 100 ms: \
                     a refused worker's busy handler keeps finding the lock held, by one worker \
                     and then another, until its 100 ms of sleeps are spent, and SQLITE_BUSY \
                     comes back.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "timeout-outlasted", "workers": 4, "jobs": 40, "transaction": "long", "begin": "immediate", "journal_mode": "delete", "busy_timeout_ms": 100, "work_ms": [40, 60]}"#,
            ),
        },
        Preset {
            name: "short-transactions",
            lesson: "Short transactions",
            expect: "Claim and commit, work outside the transaction, write and commit; with \
                     WAL, BEGIN IMMEDIATE and busy_timeout: zero errors, every job done once.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "short-transactions", "workers": 4, "jobs": 200, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": [5, 15], "heartbeat_ms": 5}"#,
            ),
        },
        Preset {
            name: "claim-outside",
            lesson: "The claim's compare-and-swap",
            expect: "Each claim reads the oldest QUEUED job before its write transaction \
                     begins, so two workers often read the same job. The UPDATE's \
                     AND status = 'QUEUED' makes the second claim change no row: a lost race, \
                     claimed again, and every job done exactly once.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "claim-outside", "workers": 8, "jobs": 400, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": [0, 2], "claim_select": "outside"}"#,
            ),
        },
        Preset {
            name: "shared-connection",
            lesson: "One connection, several tasks",
            expect: "One worker's connection shared by four tasks, their statements \
                     interleaved: BEGINs refused with SQLITE_ERROR (cannot start a \
                     transaction within a transaction), COMMITs that commit another task's \
                     half-done work or find no transaction, a task's DROP TABLE refused with \
                     SQLITE_LOCKED while another task's cursor reads, and jobs left claimed \
                     but never done. A lock around the connection (serialize_tasks) or a \
                     connection per task does every job once.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "shared-connection", "workers": 1, "tasks_per_connection": 4, "jobs": 40, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 1000, "work_ms": [2, 5], "archive_every": 1}"#,
            ),
        },
        Preset {
            name: "wal-growth",
            lesson: "A long WAL reader grows the WAL",
            expect: "One worker commits 2,000 jobs in WAL while a dashboard holds each read \
                     open for a second: the log cannot start over while a read of it is \
                     open, so the WAL file only grows (tens of MB); with short reads it starts \
                     over again and again and stays a few MB.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "wal-growth", "workers": 1, "readers": 1, "jobs": 2000, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": 0, "reader_hold_ms": 1000}"#,
            ),
        },
        Preset {
            name: "interpreter-lock",
            lesson: "A busy handler that holds the interpreter lock",
            expect: "Two threads of one process, as Ruby runs them: each holds the process's \
                     interpreter lock (the GVL) while it runs and lets go of it while it works. \
                     A thread that waits at BEGIN IMMEDIATE in SQLite's own busy handler keeps \
                     it, so the thread that holds the write lock cannot commit until the \
                     waiter's 1 s timeout runs out: SQLITE_BUSY, a second at a time.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "interpreter-lock", "workers": 2, "processes": 1, "jobs": 4, "transaction": "long", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 1000, "work_ms": [5, 10]}"#,
            ),
        },
        Preset {
            name: "deferred-upgrade",
            lesson: "BEGIN DEFERRED fails at once, despite busy_timeout",
            expect: "A deferred transaction reads, then tries to write: when another worker \
                     holds the write lock (SQLITE_BUSY) or has committed since the read \
                     (SQLITE_BUSY_SNAPSHOT), SQLite refuses at once although busy_timeout is \
                     5 s: its busy handler never waits for a transaction that has read and now \
                     asks to write.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "deferred-upgrade", "workers": 8, "jobs": 400, "transaction": "short", "begin": "deferred", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": 0}"#,
            ),
        },
        Preset {
            name: "no-claim-index",
            lesson: "No index on the claim predicate",
            expect: "Without an index on (queue, status, created_at) every claim reads the \
                     whole queue, and, begun IMMEDIATE, does so while it holds the write lock: \
                     longer write-lock holds, lower throughput.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "no-claim-index", "workers": 4, "jobs": 20000, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": 0, "claim_index": false, "time_limit_ms": 5000}"#,
            ),
        },
        Preset {
            name: "broken-locking",
            lesson: "Broken locking (as on some network filesystems)",
            expect: "Every lock is granted, as a network filesystem with broken locking does: \
                     workers claim the same jobs, results go missing, and the database can end \
                     corrupt (the run then fails with SQLITE_CORRUPT). The invariants fail, as \
                     they should. Needs the shared VFS (the page, or --vfs shared).",
            // The truncate journal: with "delete", two commits that each delete the
            // journal end the run within milliseconds on the second delete.
            page_only: None,
            scenario: json_text(
                r#"{"name": "broken-locking", "workers": 8, "jobs": 200, "transaction": "long", "begin": "deferred", "journal_mode": "truncate", "synchronous": "off", "busy_timeout_ms": 1000, "work_ms": [1, 3], "locking": "none", "time_limit_ms": 5000}"#,
            ),
        },
        Preset {
            name: "batched-results",
            lesson: "Batch result writes, and keep results in their own database",
            expect: "Results written 20 at a time into a separate results database: fewer \
                     write transactions on the queue database.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "batched-results", "workers": 4, "jobs": 400, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": [0, 2], "result_batch": 20, "separate_results_db": true}"#,
            ),
        },
        Preset {
            name: "worker-crash",
            lesson: "A worker crashes mid-job",
            expect: "Worker 1 dies while it holds WAL's write lock, in the middle of a job, and \
                     never closes its connection. Its locks are released, the others go on, and \
                     its job comes back only because its heartbeat stopped: after 300 ms \
                     (stale_after_ms) another worker reclaims it. Every job is still done exactly \
                     once. Needs the shared VFS (the page, or --vfs shared).",
            page_only: None,
            scenario: json_text(
                r#"{"name": "worker-crash", "workers": 3, "jobs": 30, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": [20, 40], "heartbeat_ms": 5, "stale_after_ms": 300, "faults": [{"kill": 1, "at_ms": 100, "holding": "wal_write"}]}"#,
            ),
        },
        Preset {
            name: "power-cut",
            lesson: "synchronous and a power cut",
            expect: "Four workers commit jobs in WAL mode with synchronous = FULL; at 250 ms \
                     the power goes off: every worker stops where it is and every write not \
                     yet synced is lost; a fresh connection then recovers the database. FULL \
                     syncs the WAL at every commit: no committed job is lost. With NORMAL the \
                     commits since the WAL was last synced (around a checkpoint) are lost to \
                     the cut, and integrity_check still says ok. Needs --vfs shared \
                     natively; the page cuts the power in memory storage.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "power-cut", "workers": 4, "jobs": 150, "transaction": "short", "begin": "immediate", "journal_mode": "wal", "synchronous": "full", "busy_timeout_ms": 5000, "work_ms": [5, 15], "faults": [{"power_cut": true, "at_ms": 250}]}"#,
            ),
        },
        Preset {
            name: "starvation",
            lesson: "Why one worker starves the others",
            expect: "Four workers, short IMMEDIATE transactions, busy_timeout 5 s and no work \
                     between claims: one or two workers do most of the jobs while the others \
                     sleep in SQLite's busy handler, which tries again after 1, 2, 5, 10... ms \
                     (SQLite's schedule where it is built with sub-second sleep, as here).",
            page_only: None,
            scenario: json_text(
                r#"{"name": "starvation", "workers": 4, "jobs": 400, "transaction": "short", "begin": "immediate", "journal_mode": "delete", "synchronous": "off", "busy_timeout_ms": 5000, "work_ms": 0}"#,
            ),
        },
        Preset {
            name: "your-turn",
            lesson: "Your turn: hold the write lock yourself",
            expect: "Two workers at work for about half a minute. Below, in \"Your own \
                     connection\", run BEGIN IMMEDIATE: you hold the write lock, and the workers \
                     wait (their busy_timeout is 1 s), then fail with SQLITE_BUSY and try again, \
                     until you COMMIT. Your lane, \"you\", shows the lock you hold.",
            page_only: Some(
                "the SQL console lives in the page: open it, press Run, and type BEGIN \
                 IMMEDIATE; in \"Your own connection\". Here the workers run without you.",
            ),
            scenario: json_text(
                r#"{"name": "your-turn", "workers": 2, "jobs": 1000, "transaction": "short", "begin": "immediate", "journal_mode": "delete", "synchronous": "normal", "busy_timeout_ms": 1000, "work_ms": [40, 80], "heartbeat_ms": 20, "time_limit_ms": 120000}"#,
            ),
        },
        // Case files: public bug reports about "database is locked" in job queues
        // on SQLite, reproduced (docs/case-files.md). Each preset is the scenario
        // as the users had it; its lesson compares it with the fix.
        Preset {
            name: "case-huey-dequeue",
            lesson: "Case file: coleifer/huey#445, locked at BEGIN in dequeue",
            expect: "huey 2.1.1's SQLite defaults: WAL, BEGIN EXCLUSIVE, a 5 s timeout, \
                     synchronous off. Two workers dequeue short tasks: each BEGIN waits its \
                     turn for the write lock, and none runs its 5 s out.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "case-huey-dequeue", "workers": 2, "jobs": 200, "transaction": "short", "begin": "exclusive", "journal_mode": "wal", "synchronous": "off", "busy_timeout_ms": 5000, "work_ms": [2, 8]}"#,
            ),
        },
        Preset {
            name: "case-river-busy-timeout",
            lesson: "Case file: riverqueue/river#913, SQLITE_BUSY despite busy_timeout",
            expect: "Eight connections, BEGIN DEFERRED, busy_timeout 5 s, no work between \
                     transactions: SQLITE_BUSY and SQLITE_BUSY_SNAPSHOT come back anyway, \
                     because a transaction that read before it writes is refused at once. \
                     With one connection (River's choice) there is nobody to be refused by.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "case-river-busy-timeout", "workers": 8, "jobs": 2000, "transaction": "short", "begin": "deferred", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": 0}"#,
            ),
        },
        Preset {
            name: "case-solid-queue-heartbeat",
            lesson: "Case file: rails/solid_queue#385, the heartbeat hits database is locked",
            expect: "Rails 7.2.1 as generated: BEGIN DEFERRED and a 5 s timeout in SQLite's \
                     own busy handler, four processes of two threads. A transaction that \
                     reads and then writes is refused at once whenever another process holds \
                     the write lock or committed since its read: SQLITE_BUSY in spite of the \
                     timeout. Rails 8's BEGIN IMMEDIATE and yielding busy handler make them \
                     waits.",
            page_only: None,
            scenario: json_text(
                r#"{"name": "case-solid-queue-heartbeat", "workers": 8, "processes": 4, "jobs": 400, "transaction": "short", "begin": "deferred", "journal_mode": "wal", "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": [3, 6], "heartbeat_ms": 1}"#,
            ),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_is_a_valid_scenario_named_after_itself() {
        for preset in all() {
            let scenario = preset
                .scenario()
                .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
            assert_eq!(scenario.name, preset.name);
        }
    }
}
