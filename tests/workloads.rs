//! Workloads of one's own (docs/workload.md), natively through both VFSes: the
//! counter whose read is outside its write transaction loses updates, which its
//! check catches, and the same read inside the transaction loses none; a bad
//! document is refused at the path of its field; SQL that cannot run names the
//! statement.

mod common;

use locklab::analysis::report::Outcome;
use locklab::native::{self, RunOptions, Vfs};
use locklab::scenario::Scenario;
use serde_json::{json, Value};

fn counter() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/static/workloads/counter.json"
    ))
    .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_read_outside_the_write_transaction_loses_updates_and_inside_it_none() {
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let outside = common::run_on(vfs, counter());
        let r = &outside.report;
        assert_eq!(r.checks.len(), 1);
        let got = r.checks[0].got.as_i64().unwrap();
        assert!(got < 200, "{vfs:?}: {got} of 200 increments counted");
        assert!(!r.checks[0].ok && !r.invariants.checks_pass && !r.invariants.all_hold());
        assert_eq!(
            r.transactions.committed, 200,
            "{vfs:?}: every write committed"
        );
        assert_eq!(r.integrity_check, "ok");
        // What happened, said from the run: transactions and the check.
        let said = locklab::lessons::happened::run_paragraph(r);
        assert!(
            said.starts_with("4 workers (incrementer) committed 200 transactions"),
            "{said}"
        );
        assert!(
            said.contains(&format!(
                "\"every increment counted\" FAILED (expected 200, got {got})"
            )),
            "{said}"
        );
        // Lanes are named by the role each worker played.
        assert!(r
            .workers
            .iter()
            .all(|w| w.plays.as_deref() == Some("incrementer")));
        let timeline = locklab::timeline::Timeline::from_events(&outside.events);
        let names: Vec<String> = timeline.lanes().map(|l| l.name()).collect();
        assert_eq!(
            names,
            [
                "incrementer 0",
                "incrementer 1",
                "incrementer 2",
                "incrementer 3"
            ]
        );

        // The fix: the read inside the write transaction, begun IMMEDIATE.
        let mut fixed = counter();
        fixed["roles"][0]["steps"] = json!([
            {"name": "increment", "begin": "immediate", "sql": [
                {"sql": "SELECT n FROM counter WHERE id = 1", "into": ["n"]},
                {"sleep_ms": [0, 2]},
                "UPDATE counter SET n = :n + 1 WHERE id = 1"]}
        ]);
        let inside = common::run_on(vfs, fixed);
        let r = &inside.report;
        assert_eq!(r.checks[0].got, json!(200), "{vfs:?}");
        assert!(
            r.checks[0].ok && r.invariants.all_hold(),
            "{vfs:?}: {:?}",
            r.invariants
        );
        assert!(r.errors.is_empty(), "{vfs:?}: {:?}", r.errors);
    }
}

/// `expect_changes` counts a lost race and runs the step again; `if_none` ends
/// a role when its SELECT finds nothing; a role `while_others_run` stops when the
/// others are done.
#[test]
fn a_queue_drained_with_a_compare_and_swap_does_each_item_once() {
    let queue = json!({
        "journal_mode": "wal",
        "schema": ["CREATE TABLE items(id INTEGER PRIMARY KEY, owner INTEGER)"],
        "data": [{"sql": "INSERT INTO items(id) VALUES (:i + 1)", "repeat": 100}],
        "roles": [
            {"name": "taker", "count": 4, "steps": [
                // One step: a lost race runs it again from its SELECT.
                {"name": "take", "sql": [
                    {"sql": "SELECT id FROM items WHERE owner IS NULL LIMIT 1",
                        "into": ["id"], "if_none": "end_role"},
                    {"sql": "UPDATE items SET owner = :worker WHERE id = :id AND owner IS NULL",
                        "expect_changes": 1}]}
            ]},
            {"name": "watcher", "while_others_run": true, "steps": [
                {"name": "count", "sql": "SELECT count(*) FROM items WHERE owner IS NULL"},
                {"sleep_ms": 1}
            ]}
        ],
        "checks": [
            {"name": "every item taken", "sql": "SELECT count(*) FROM items WHERE owner IS NULL", "expected": 0},
            {"name": "by the takers", "sql": "SELECT count(DISTINCT owner) FROM items", "at_least": 1}
        ]
    });
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let run = common::run_on(vfs, queue.clone());
        let r = &run.report;
        assert!(
            r.invariants.all_hold(),
            "{vfs:?}: {:?} {:?}",
            r.invariants,
            r.checks
        );
        assert_eq!(r.outcome, Outcome::Completed, "{vfs:?}");
        let lost: u64 = r.workers.iter().map(|w| w.lost_races).sum();
        // Each item was taken once (the checks); an UPDATE that found it taken
        // by another worker lost a race, and its step ran again.
        assert!(lost < 100, "{vfs:?}: lost {lost}");
        assert_eq!(r.workers.len(), 5);
    }
}

fn refused(doc: Value) -> String {
    match Scenario::from_value(&doc) {
        Ok(_) => panic!("accepted: {doc}"),
        Err(e) => e.field,
    }
}

#[test]
fn a_malformed_workload_is_refused_at_its_field() {
    let role = |steps: Value| json!({"roles": [{"name": "a", "steps": steps}]});
    let cases: Vec<(Value, &str)> = vec![
        (json!({"roles": []}), "roles"),
        (json!({"roles": "a"}), "roles"),
        (
            json!({"roles": [{"steps": [{"sql": "SELECT 1"}]}]}),
            "roles[0].name",
        ),
        (json!({"roles": [{"name": "a"}]}), "roles[0].steps"),
        (
            json!({"roles": [{"name": "a", "count": 0, "steps": [{"sql": "SELECT 1"}]}]}),
            "roles[0].count",
        ),
        (
            json!({"roles": [{"name": "a", "count": 33, "steps": [{"sql": "SELECT 1"}]}]}),
            "roles[0].count",
        ),
        (
            json!({"roles": [{"name": "a", "speed": 1, "steps": [{"sql": "SELECT 1"}]}]}),
            "roles[0].speed",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}, {"name": "a", "steps": [{"sql": "SELECT 1"}]}]}),
            "roles[1].name",
        ),
        (
            json!({"roles": [{"name": "a", "while_others_run": true, "steps": [{"sql": "SELECT 1"}]}]}),
            "roles",
        ),
        (
            json!({"roles": [{"name": "a", "while_others_run": 1, "steps": [{"sql": "SELECT 1"}]}]}),
            "roles[0].while_others_run",
        ),
        (role(json!([{}])), "roles[0].steps[0]"),
        (
            role(json!([{"sql": "SELECT 1", "sleep_ms": 2}])),
            "roles[0].steps[0]",
        ),
        (role(json!([{"sql": ""}])), "roles[0].steps[0].sql"),
        (
            role(json!([{"sql": ["SELECT 1", 7]}])),
            "roles[0].steps[0].sql[1]",
        ),
        (
            role(json!([{"sql": [{"sleep_ms": 1}]}])),
            "roles[0].steps[0].sql",
        ),
        (
            role(json!([{"begin": "later", "sql": "SELECT 1"}])),
            "roles[0].steps[0].begin",
        ),
        (
            role(json!([{"begin": "immediate", "sleep_ms": 1}])),
            "roles[0].steps[0].begin",
        ),
        (
            role(json!([{"sleep_ms": -1}])),
            "roles[0].steps[0].sleep_ms",
        ),
        (
            role(json!([{"sleep_ms": [5, 1]}])),
            "roles[0].steps[0].sleep_ms",
        ),
        (
            role(json!([{"sql": [{"sql": "SELECT 1", "into": "x"}]}])),
            "roles[0].steps[0].sql[0].into",
        ),
        (
            role(json!([{"sql": [{"sql": "SELECT 1", "into": ["worker"]}]}])),
            "roles[0].steps[0].sql[0].into[0]",
        ),
        (
            role(json!([{"sql": [{"sql": "SELECT 1", "into": ["1x"]}]}])),
            "roles[0].steps[0].sql[0].into[0]",
        ),
        (
            role(json!([{"sql": [{"sql": "SELECT 1", "into": ["x"], "if_none": "panic"}]}])),
            "roles[0].steps[0].sql[0].if_none",
        ),
        (
            role(json!([{"sql": [{"sql": "SELECT 1", "if_none": "skip"}]}])),
            "roles[0].steps[0].sql[0].if_none",
        ),
        (
            role(json!([{"sql": [{"sql": "UPDATE t SET x = 1", "expect_changes": -1}]}])),
            "roles[0].steps[0].sql[0].expect_changes",
        ),
        (
            role(json!([{"sql": [{"sql": "SELECT 1", "sleep_ms": 1}]}])),
            "roles[0].steps[0].sql[0]",
        ),
        (
            role(json!([{"sql": [{"sql": "SELECT 1", "bind": 1}]}])),
            "roles[0].steps[0].sql[0].bind",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}], "jobs": 10}),
            "jobs",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}], "schema": "CREATE TABLE t(x)"}),
            "schema",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}], "data": [{"sql": "INSERT", "repeat": 0}]}),
            "data[0].repeat",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}], "checks": [{"name": "c", "sql": "SELECT 1"}]}),
            "checks[0]",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}], "checks": [{"name": "c", "sql": "SELECT 1", "expected": [1]}]}),
            "checks[0]",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}], "checks": [{"name": "c", "sql": "SELECT 1", "at_least": "3"}]}),
            "checks[0].at_least",
        ),
        (
            json!({"roles": [{"name": "a", "steps": [{"sql": "SELECT 1"}]}], "journal_mode": "fast"}),
            "journal_mode",
        ),
    ];
    let one = json!([{"sql": "SELECT 1"}]);
    let two_roles = |a: u32, b: u32, beside: bool| {
        json!({"roles": [
        {"name": "a", "count": a, "steps": one},
        {"name": "b", "count": b, "while_others_run": beside, "steps": one}]})
    };
    let mut cases = cases;
    cases.push((two_roles(16, 1, false), "roles"));
    cases.push((two_roles(1, 9, true), "roles"));
    cases.push((
        role(json!([{"sql": "SELECT 1"}]))
            .as_object()
            .map(|m| {
                let mut m = m.clone();
                m["roles"][0]["count"] = json!(17);
                Value::Object(m)
            })
            .unwrap(),
        "roles[0].count",
    ));
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for (doc, path) in cases {
        assert_eq!(refused(doc.clone()), path, "{doc}");
    }
}

/// A query changes no row, whatever the connection's last write changed.
#[test]
fn a_query_changes_no_row() {
    let doc = json!({
        "schema": ["CREATE TABLE t(x)"],
        "data": ["INSERT INTO t VALUES (1)"],
        "roles": [{"name": "a", "repeat": 3, "steps": [{"name": "s", "begin": "immediate", "sql": [
            "UPDATE t SET x = x + 1",
            {"sql": "SELECT x FROM t", "expect_changes": 0}]}]}],
        "checks": [{"name": "three rounds", "sql": "SELECT x FROM t", "expected": 4}]
    });
    let r = common::run_on(Vfs::Unix, doc).report;
    assert_eq!(r.outcome, Outcome::Completed);
    assert_eq!(r.workers[0].lost_races, 0);
    assert!(r.invariants.checks_pass, "{:?}", r.checks);
}

#[test]
fn a_workload_reads_back_as_itself() {
    let s = Scenario::from_value(&counter()).unwrap();
    assert_eq!((s.workers, s.readers, s.jobs), (4, 0, 0));
    assert_eq!(Scenario::from_value(&s.to_value()).unwrap(), s);
    assert_eq!(
        locklab::wire::Reader::whole::<Scenario>(&locklab::wire::to_bytes(&s)).unwrap(),
        s,
        "as the page's messages carry it"
    );
}

#[test]
fn sql_that_cannot_run_names_its_statement() {
    let mut bad_schema = counter();
    bad_schema["schema"] = json!([
        "CREATE TABLE counter(id INTEGER PRIMARY KEY, n)",
        "CREATE TABL oops(x)"
    ]);
    let scenario = Scenario::from_value(&bad_schema).unwrap();
    let Err(err) = native::run(&scenario, &RunOptions::default()) else {
        panic!("a schema that cannot be made runs");
    };
    let err = err.to_string();
    assert!(
        err.contains("schema[1] `CREATE TABL oops(x)`") && err.contains("syntax error"),
        "{err}"
    );

    let mut unbound = counter();
    unbound["roles"][0]["steps"][2]["sql"] = json!("UPDATE counter SET n = :m + 1");
    let run = common::run_on(Vfs::Unix, unbound);
    let failure = run.report.failure.expect("the run fails").to_string();
    assert!(
        failure.contains("roles[0].steps[2].sql[0]: :m is not bound"),
        "{failure}"
    );
}
