//! The article's pitfalls that its argument names but no lesson before showed:
//! each a run of its own, with a check and a native oracle test.

use super::build::{b, choice, exactly_once, finding, side};
use super::moment::Landmarks::*;
use super::{Lesson, MomentQuery, Prediction, Runs, Suggestion};
use crate::analysis::report::RunReport;
use crate::scenario::presets::json_text;

/// Claims that lost a race to another worker (the compare-and-swap caught them).
fn lost_races(r: &RunReport) -> u64 {
    r.workers.iter().map(|w| w.lost_races).sum()
}

pub(super) fn lessons() -> Vec<Lesson> {
    vec![Lesson {
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
        check: |e| {
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
        },
        moment: MomentQuery::in_a(DoubleClaim),
        suggestion: Suggestion {
            label: "Now put the SELECT inside the claim's transaction, still without the guard \
                    (claim_select = inside)",
            changes: json_text(r#"{"claim_select": "inside", "claim_cas": false}"#),
        },
        case_file: None,
    }]
}
