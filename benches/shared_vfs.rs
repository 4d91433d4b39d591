//! The shared VFS against SQLite's unix VFS, natively, in one run: jobs/s of the
//! same scenarios through each and their ratio, then the lock hand-off latency
//! between two connections. Prints figures; asserts nothing about speed.
//!
//!     cargo bench --bench shared_vfs

use locklab::analysis::percentiles::Percentiles;
use locklab::clock::{Clock, SystemClock};
use locklab::engine::{schema, thread};
use locklab::lock::LockLevel;
use locklab::native::{self, Place, RunOptions, Vfs};
use locklab::scenario::Scenario;
use locklab::trace::{EventKind, TraceEvent};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

const RUNS: usize = 5;
const HANDOFFS: u32 = 2000;

fn main() {
    if std::env::args().any(|a| a == "handoff") {
        return print_handoff();
    }
    println!(
        "SQLite {}; median of {RUNS} runs; jobs/s",
        rusqlite::version()
    );
    println!(
        "{:<34} {:>10} {:>10} {:>8}",
        "scenario", "unix", "shared", "ratio"
    );
    for journal_mode in ["delete", "wal"] {
        for workers in [1, 4, 8] {
            let scenario = Scenario::from_value(&json!({"workers": workers, "jobs": 2000,
                "transaction": "short", "begin": "immediate", "journal_mode": journal_mode,
                "synchronous": "normal", "busy_timeout_ms": 5000, "work_ms": 0}))
            .unwrap();
            let unix = median_rate(&scenario, Vfs::Unix);
            let shared = median_rate(&scenario, Vfs::Shared);
            let label = format!("{workers} workers, short, {journal_mode}");
            println!(
                "{label:<34} {unix:>10.0} {shared:>10.0} {:>8.2}",
                shared / unix
            );
        }
    }
    println!();
    print_handoff();
}

fn print_handoff() {
    println!("lock hand-off between two connections (release to the spinning waiter's grant), µs:");
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let p = handoff(vfs);
        println!(
            "{:<8} n={} p50 {:.1}  p95 {:.1}  p99 {:.1}  max {:.1}",
            format!("{vfs:?}"),
            p.count,
            p.p50,
            p.p95,
            p.p99,
            p.max
        );
    }
}

fn median_rate(scenario: &Scenario, vfs: Vfs) -> f64 {
    let mut rates: Vec<f64> = (0..RUNS)
        .map(|_| {
            let run = native::run(
                scenario,
                &RunOptions {
                    vfs,
                    ..Default::default()
                },
            )
            .unwrap();
            assert!(
                run.report.invariants.all_hold(),
                "{:?}",
                run.report.invariants
            );
            run.report.throughput_jobs_per_s
        })
        .collect();
    rates.sort_by(|a, b| a.total_cmp(b));
    rates[RUNS / 2]
}

/// Two threads pass the write lock back and forth: the holder keeps it 100 µs
/// once the other is spinning on BEGIN IMMEDIATE (busy_timeout 0), then commits
/// and spins in turn.
/// The hand-off is the time from the holder's unlock to the waiter's RESERVED,
/// both read from the trace on one clock.
fn handoff(vfs: Vfs) -> Percentiles {
    let scenario =
        Scenario::from_value(&json!({"journal_mode": "delete", "synchronous": "off", "jobs": 1}))
            .unwrap();
    let place = Place::new(vfs, &scenario, None).unwrap();
    let setup = place.open(&place.queue).unwrap();
    schema::create_queue(&setup, &scenario).unwrap();
    let clock = SystemClock::starting_now();
    let turns = AtomicU32::new(0);
    let spinning = AtomicBool::new(false);
    let events: Vec<TraceEvent> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..2u32)
            .map(|id| {
                let (place, turns, spinning, clock) = (&place, &turns, &spinning, &clock);
                s.spawn(move || {
                    thread::enter(id, Arc::new(*clock));
                    let conn = place.open(&place.queue).unwrap();
                    conn.busy_timeout(Duration::ZERO).unwrap();
                    let done = || turns.load(Ordering::Acquire) >= HANDOFFS;
                    let mut held = false;
                    loop {
                        if held {
                            // Hold the lock until the other spins on it, then release.
                            while !spinning.load(Ordering::Acquire) && !done() {
                                std::hint::spin_loop();
                            }
                            let until = clock.now_us() + 100;
                            while clock.now_us() < until {}
                            spinning.store(false, Ordering::Release);
                            turns.fetch_add(1, Ordering::AcqRel);
                            // The spinner's BEGIN IMMEDIATE holds SHARED for an instant;
                            // a refused COMMIT keeps PENDING, so the next try wins.
                            while conn.execute_batch("COMMIT").is_err() {}
                            held = false;
                        } else {
                            if done() {
                                break;
                            }
                            spinning.store(true, Ordering::Release);
                            while !held && !done() {
                                held = conn.execute_batch("BEGIN IMMEDIATE").is_ok();
                            }
                        }
                    }
                    if held {
                        while conn.execute_batch("COMMIT").is_err() {}
                    }
                    drop(conn);
                    thread::leave()
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().unwrap())
            .collect()
    });
    let mut events = events;
    events.sort_by_key(|e| e.t_us);
    let mut released: Option<(u32, u64)> = None;
    let mut samples = Vec::new();
    for e in &events {
        if let EventKind::Lock { from, to, .. } = e.kind {
            if from >= LockLevel::Reserved && to < LockLevel::Reserved {
                released = Some((e.worker, e.t_us));
            } else if to == LockLevel::Reserved {
                if let Some((by, at)) = released.take() {
                    if by != e.worker {
                        samples.push((e.t_us - at) as f64);
                    }
                }
            }
        }
    }
    Percentiles::of(samples)
}
