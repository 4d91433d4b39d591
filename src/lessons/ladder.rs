//! The first lesson: the lock ladder in plain words, the words the timeline and
//! the rest of the course use.

use super::build::{b, choice, exactly_once, finding, side};
use super::moment::Landmarks::*;
use super::Judge;
use super::{Lesson, MomentQuery, Prediction, Runs, Suggestion};
use crate::analysis::metrics::LockTimes;
use crate::analysis::report::RunReport;
use crate::scenario::presets::json_text;
use crate::trace::Role;

/// The lock times of the run's (first) writer on the queue database.
fn writer(r: &RunReport) -> LockTimes {
    r.workers
        .iter()
        .find(|w| w.role == Role::Writer)
        .map(|w| w.lock_ms.clone())
        .unwrap_or_default()
}

/// The rollback journal's ladder, every rung: SHARED, RESERVED, PENDING, EXCLUSIVE.
fn climbed_the_ladder(t: &LockTimes) -> bool {
    t.shared > 0.0 && t.reserved > 0.0 && t.pending > 0.0 && t.exclusive > 0.0
}

/// WAL's: a read mark and the write lock, no rung above SHARED.
fn wrote_in_wal(t: &LockTimes) -> bool {
    t.wal_read > 0.0 && t.wal_write > 0.0 && t.reserved == 0.0 && t.exclusive == 0.0
}

fn ms(t: f64) -> String {
    format!("{t:.1} ms")
}

pub(super) fn lessons() -> Vec<Lesson> {
    vec![Lesson {
        id: "lock-ladder",
        title: "The lock ladder",
        claim: "A connection reads and writes under locks, and SQLite takes only the locks \
                a statement needs. With a rollback journal they are locks on the database \
                file, a ladder: SHARED to read (any number of connections at once), \
                RESERVED to write (one connection; the others may still read), PENDING \
                while it waits for the readers to finish (no new reader may start), and \
                EXCLUSIVE to write the database file at COMMIT (nobody else at all). So a \
                reader holds up a writer's COMMIT. In WAL, connections keep SHARED on the \
                database file and, while they read and write, climb no higher (only the \
                last connection's close, or leaving WAL, takes EXCLUSIVE): a reader takes \
                one of the WAL's read \
                marks, the one writer takes the WAL's write lock, and a COMMIT appends to \
                the WAL without waiting for anyone. A transaction is the span from BEGIN to \
                COMMIT or ROLLBACK; the timeline draws each connection's locks as the \
                colours of its lane, and the rest of the course uses these words.",
        runs: Runs::Compare(
            side("rollback journal", "lock-ladder", json_text(r#"{}"#)),
            side(
                "WAL",
                "lock-ladder",
                json_text(r#"{"journal_mode": "wal"}"#),
            ),
        ),
        prediction: Prediction {
            question: "One worker claims and finishes 10 jobs while a dashboard reads for 20 ms \
                       at a time, first with the rollback journal, then in WAL. Which locks \
                       does the worker take on its way to each COMMIT?",
            choices: vec![
                choice(
                    "Rollback journal: SHARED to read, RESERVED to write, PENDING while the \
                     reader finishes, EXCLUSIVE to commit. WAL: a read mark and the WAL's \
                     write lock, nothing above SHARED",
                    |e| climbed_the_ladder(&writer(e.a)) && wrote_in_wal(&writer(b(e))),
                ),
                choice(
                    "EXCLUSIVE from the start of each transaction, in both journal modes",
                    |e| writer(e.a).shared == 0.0 || writer(b(e)).exclusive > 0.0,
                ),
                choice("The same ladder in both journal modes", |e| {
                    climbed_the_ladder(&writer(b(e)))
                }),
            ],
        },
        check: Judge::Rust(|e| {
            let (a, w) = (writer(e.a), writer(b(e)));
            finding(
                climbed_the_ladder(&a)
                    && wrote_in_wal(&w)
                    && exactly_once(e.a)
                    && exactly_once(b(e)),
                format!(
                    "rollback journal: the worker held SHARED {}, RESERVED {}, PENDING {}, \
                     EXCLUSIVE {}. WAL: SHARED {}, a read mark {}, the write lock {}, \
                     RESERVED {}, EXCLUSIVE {}",
                    ms(a.shared),
                    ms(a.reserved),
                    ms(a.pending),
                    ms(a.exclusive),
                    ms(w.shared),
                    ms(w.wal_read),
                    ms(w.wal_write),
                    ms(w.reserved),
                    ms(w.exclusive)
                ),
            )
        }),
        moment: MomentQuery::in_a(FirstBusyWait),
        suggestion: Suggestion {
            label: "Now try two workers: two writers meet at RESERVED (workers = 2)",
            changes: json_text(r#"{"workers": 2}"#),
        },
        case_file: None,
    }]
}
