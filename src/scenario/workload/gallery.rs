//! The gallery of workloads (static/workloads/, docs/workload.md), built into
//! both hosts: a lesson's run can name one (`{"workload": "counter"}`) as it
//! names a preset.

use serde_json::Value;

/// Each workload of the gallery: its name (its file's, without `.json`) and
/// its document.
const GALLERY: &[(&str, &str)] = &[
    (
        "counter",
        include_str!("../../../static/workloads/counter.json"),
    ),
    (
        "dashboard-report",
        include_str!("../../../static/workloads/dashboard-report.json"),
    ),
    (
        "job-queue",
        include_str!("../../../static/workloads/job-queue.json"),
    ),
    (
        "leaderboard",
        include_str!("../../../static/workloads/leaderboard.json"),
    ),
    (
        "outbox",
        include_str!("../../../static/workloads/outbox.json"),
    ),
    (
        "session-store",
        include_str!("../../../static/workloads/session-store.json"),
    ),
];

/// The gallery's names, in order.
pub fn names() -> impl Iterator<Item = &'static str> {
    GALLERY.iter().map(|(name, _)| *name)
}

/// The document of the gallery's workload `name`, and its name as a `'static`
/// text.
pub fn find(name: &str) -> Option<(&'static str, Value)> {
    let (name, text) = GALLERY.iter().find(|(n, _)| *n == name)?;
    // The files are checked by tests/workload_gallery.rs.
    serde_json::from_str(text).ok().map(|doc| (*name, doc))
}
