//! What a finished run can be saved as: the kinds of file the page's export
//! buttons and `locklab.export(kind)` offer, and the writers of those that are
//! text (the timeline as SVG, the metrics as CSV, the report and the Chrome
//! trace as JSON). The PNG is the SVG drawn by the browser, and the database is
//! the run's own file, read by a worker: both are the web host's.
//!
//! Everything here reads a run's report and its trace events, the same ones the
//! page and the CLI read, and nothing else: an export cannot disagree with what
//! the page showed.

pub mod chrome_trace;
mod csv;
mod svg;
pub mod text_timeline;

pub use csv::metrics_csv;
pub use svg::{timeline_svg, SVG_WIDTH};

use crate::analysis::report::RunReport;
use crate::trace::TraceEvent;

/// A kind of file a finished run can be saved as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportKind {
    TimelinePng,
    TimelineSvg,
    ReportJson,
    MetricsCsv,
    TraceJson,
    DatabaseDb,
}

impl ExportKind {
    pub const ALL: [ExportKind; 6] = [
        ExportKind::TimelinePng,
        ExportKind::TimelineSvg,
        ExportKind::ReportJson,
        ExportKind::MetricsCsv,
        ExportKind::TraceJson,
        ExportKind::DatabaseDb,
    ];

    /// The kind's name, which is also the file's name: "timeline.png", ...
    pub fn name(self) -> &'static str {
        match self {
            ExportKind::TimelinePng => "timeline.png",
            ExportKind::TimelineSvg => "timeline.svg",
            ExportKind::ReportJson => "report.json",
            ExportKind::MetricsCsv => "metrics.csv",
            ExportKind::TraceJson => "trace.json",
            ExportKind::DatabaseDb => "database.db",
        }
    }

    /// The file's media type.
    pub fn media_type(self) -> &'static str {
        match self {
            ExportKind::TimelinePng => "image/png",
            ExportKind::TimelineSvg => "image/svg+xml",
            ExportKind::ReportJson | ExportKind::TraceJson => "application/json",
            ExportKind::MetricsCsv => "text/csv",
            ExportKind::DatabaseDb => "application/vnd.sqlite3",
        }
    }

    /// What the file is, for a button's title.
    pub fn describe(self) -> &'static str {
        match self {
            ExportKind::TimelinePng => "the timeline as a picture for a slide (PNG, 1920 px wide)",
            ExportKind::TimelineSvg => "the timeline as a vector drawing, for print (SVG)",
            ExportKind::ReportJson => "the run report (the same JSON as `locklab run --json`)",
            ExportKind::MetricsCsv => "the metrics, one row per worker (CSV)",
            ExportKind::TraceJson => {
                "the Chrome trace: open it in ui.perfetto.dev (an arrow from each holder to \
                 each refused lock)"
            }
            ExportKind::DatabaseDb => {
                "the run's queue database as one file (checkpointed), for the sqlite3 command"
            }
        }
    }

    /// The kind named `name`; an unknown name is refused with the names allowed.
    pub fn parse(name: &str) -> Result<ExportKind, String> {
        ExportKind::ALL
            .into_iter()
            .find(|k| k.name() == name)
            .ok_or_else(|| {
                let allowed: Vec<String> = ExportKind::ALL
                    .iter()
                    .map(|k| format!("\"{}\"", k.name()))
                    .collect();
                format!(
                    "unknown export kind {name:?}: the kinds are {}",
                    allowed.join(", ")
                )
            })
    }

    /// The file a run gives for this kind, when it is text written from the
    /// report and the events alone (`None` for the PNG and the database).
    pub fn text(self, report: &RunReport, events: &[TraceEvent]) -> Option<String> {
        let end_us = (report.elapsed_ms * 1000.0) as u64;
        match self {
            ExportKind::TimelineSvg => Some(timeline_svg(report, events)),
            // Pretty, as `locklab run --json` prints it; through a `Value`, whose
            // serializer the page has anyway (a pretty serializer of the report's
            // own types would add tens of KB to the page's wasm).
            ExportKind::ReportJson => serde_json::to_value(report).ok().map(|v| format!("{v:#}")),
            ExportKind::MetricsCsv => Some(metrics_csv(report)),
            ExportKind::TraceJson => Some(chrome_trace::export(events, end_us).to_string()),
            ExportKind::TimelinePng | ExportKind::DatabaseDb => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_found_by_its_name() {
        for kind in ExportKind::ALL {
            assert_eq!(ExportKind::parse(kind.name()), Ok(kind));
        }
    }

    #[test]
    fn an_unknown_kind_is_refused_with_the_kinds_allowed() {
        let e = ExportKind::parse("timeline.gif").unwrap_err();
        assert!(e.contains("\"timeline.gif\""), "{e}");
        for kind in ExportKind::ALL {
            assert!(e.contains(kind.name()), "{e}");
        }
    }
}
