//! The small builders every file of lessons uses: runs, sides, choices and
//! findings, and the few readings of a report that many checks share.

use super::{is_busy, Base, Choice, Evidence, Finding, Holds, Runs, Side};
use crate::analysis::report::RunReport;
use crate::scenario::presets::json_text;
use crate::trace::Role;
use serde_json::Value;

pub(super) fn one(preset: &'static str) -> Runs {
    Runs::One(side(preset, preset, json_text(r#"{}"#)))
}

pub(super) fn side(label: &'static str, preset: &'static str, changes: Value) -> Side {
    Side {
        label,
        base: Base::Preset(preset),
        changes,
    }
}

pub(super) fn choice(text: &'static str, holds: fn(&Evidence) -> bool) -> Choice {
    Choice {
        text,
        holds: Holds::Rust(holds),
    }
}

pub(super) fn finding(appeared: bool, because: String) -> Finding {
    Finding { appeared, because }
}

/// SQLITE_BUSY errors of every kind (BUSY, BUSY_SNAPSHOT, BUSY_RECOVERY...).
pub(super) fn busy(r: &RunReport) -> u64 {
    r.errors
        .iter()
        .filter(|(name, _)| is_busy(name))
        .map(|(_, n)| n)
        .sum()
}

/// Errors of the run's writers (the readers' are not what a lesson on the
/// writer is about).
pub(super) fn writer_errors(r: &RunReport) -> u64 {
    r.workers
        .iter()
        .filter(|w| w.role == Role::Writer)
        .flat_map(|w| w.errors.values())
        .sum()
}

/// Every job done exactly once, and integrity ok.
pub(super) fn exactly_once(r: &RunReport) -> bool {
    r.jobs.done == r.jobs.seeded
        && r.jobs.double_claimed == 0
        && r.jobs.claimed_twice == 0
        && r.jobs.lost == 0
        && r.integrity_check == "ok"
}

/// The second run of a comparison (the first when there is none: a lesson's
/// check is only ever given the runs its lesson has).
pub(super) fn b<'a>(e: &Evidence<'a>) -> &'a RunReport {
    e.b.unwrap_or(e.a)
}
