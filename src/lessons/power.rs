//! synchronous and a power cut: what a commit promises when the power goes off
//! (pragma.html, PRAGMA synchronous). Only the shared VFS can cut the power; the
//! unix VFS refuses the fault.

use super::build::{b, choice, finding, side};
use super::moment::Landmarks::*;
use super::Judge;
use super::{Lesson, MomentQuery, Prediction, Runs, Suggestion};
use crate::analysis::report::{PowerCutReport, RunReport};
use crate::scenario::presets::json_text;

pub(super) fn lessons() -> Vec<Lesson> {
    vec![power_cut()]
}

/// The run's power cut, if it had one.
fn cut(r: &RunReport) -> Option<&PowerCutReport> {
    r.power_cut.as_ref()
}

/// Commits the cut lost (none without a cut).
fn lost(r: &RunReport) -> u64 {
    cut(r).map_or(0, |c| c.commits_lost)
}

/// The database was recovered intact after the cut.
fn intact(r: &RunReport) -> bool {
    cut(r).is_some_and(|c| c.integrity_check == "ok")
}

fn said(r: &RunReport) -> String {
    match cut(r) {
        Some(c) => format!(
            "the power went off at {:.0} ms with {} writes not yet synced; after recovery \
             {} committed jobs were lost, {} of {} are DONE, integrity_check: {}",
            c.at_ms,
            c.writes_dropped,
            c.commits_lost,
            r.jobs.done,
            r.jobs.seeded,
            c.integrity_check
        ),
        None => "the power was not cut".to_string(),
    }
}

fn power_cut() -> Lesson {
    Lesson {
        id: "power-cut",
        title: "synchronous and a power cut",
        claim: "What SQLite writes goes first into the operating system's memory; it is on \
                the disk once the file is synced (the VFS's xSync, fsync on Unix). An \
                application crash loses nothing: the operating system still has the writes. \
                A power cut can lose whatever was not synced. In WAL mode, synchronous = FULL \
                syncs the WAL at every commit, so a commit that returned survives. NORMAL \
                syncs the WAL before each checkpoint (and the database after it, and the \
                WAL's header when the WAL starts over), not at commits: a power cut can lose \
                the commits since the last checkpoint, but WAL with NORMAL stays consistent: \
                the database goes back in time, it is not damaged. That is the price of \
                NORMAL in WAL, the setting most of this course's runs use: fewer syncs, paid for with \
                durability. With a rollback journal, NORMAL still syncs the journal before \
                the database is written and the database before the commit ends (it syncs \
                the journal once where FULL syncs it twice). OFF never syncs; a power loss \
                that keeps some of its writes and not others can corrupt the database. \
                locklab's cut drops every write made since its file's last sync.",
        runs: Runs::Compare(
            side("synchronous = FULL", "power-cut", json_text(r#"{}"#)),
            side(
                "synchronous = NORMAL",
                "power-cut",
                json_text(r#"{"synchronous": "normal"}"#),
            ),
        ),
        prediction: Prediction {
            question: "Four workers commit jobs in WAL mode; 250 ms in, the power goes off. \
                       First with synchronous = FULL, then NORMAL. Once a fresh connection \
                       has recovered the database, which jobs whose COMMIT had returned are \
                       gone?",
            choices: vec![
                choice(
                    "None with FULL; with NORMAL those since the WAL was last synced, and \
                     both databases pass integrity_check",
                    |e| lost(e.a) == 0 && lost(b(e)) > 0 && intact(e.a) && intact(b(e)),
                ),
                choice("None either way: a COMMIT that returned is durable", |e| {
                    lost(e.a) == 0 && lost(b(e)) == 0
                }),
                choice(
                    "With NORMAL some are gone and the database is corrupt",
                    |e| lost(b(e)) > 0 && !intact(b(e)),
                ),
                choice(
                    "The last ones with both: what was in flight is lost either way",
                    |e| lost(e.a) > 0,
                ),
            ],
        },
        check: Judge::Rust(|e| {
            let (full, normal) = (e.a, b(e));
            finding(
                cut(full).is_some()
                    && full.jobs.done > 0
                    && lost(full) == 0
                    && intact(full)
                    && lost(normal) > 0
                    && intact(normal),
                format!(
                    "synchronous = FULL: {}. NORMAL: {}",
                    said(full),
                    said(normal)
                ),
            )
        }),
        moment: MomentQuery::in_b(PowerCut),
        suggestion: Suggestion {
            label: "Now cut the power with a rollback journal (journal_mode = delete)",
            changes: json_text(r#"{"journal_mode": "delete"}"#),
        },
        case_file: None,
    }
}
