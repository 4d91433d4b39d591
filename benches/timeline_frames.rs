//! What a frame of the page's timeline costs the core, natively: painting the
//! lanes of a 16-worker run (about 180,000 events) as the zoom and pan buttons
//! move the window (a comparison paints two such runs a frame), and what a
//! replay works out each frame (the metrics and the lanes' states at the
//! playhead). The page's own frames are measured in the browser
//! (tests/e2e/bench-replay.mjs); these figures say which part of the core's
//! work a change made cheaper, without the browser's noise. Prints figures;
//! asserts nothing about speed.
//!
//!     cargo bench --bench timeline_frames
//!
//! Each run's events are kept (target/timeline_frames-*.trace) and read again by
//! the next invocation, so that two versions of the code paint the same run;
//! FRESH=1 runs the scenarios anew.

use locklab::analysis::metrics::Tally;
use locklab::native::{self, Vfs};
use locklab::scenario::Scenario;
use locklab::timeline::paint::{self, Raster};
use locklab::timeline::{pan, zoom, Timeline, View};
use locklab::trace::{wire, TraceEvent};
use std::path::PathBuf;
use std::time::Instant;

/// The page's canvas at 1280 px less the lanes' names.
const WIDTH: usize = 1204;
/// The zoom and pan buttons bench-replay.mjs presses, in turn.
const ACTIONS: [&str; 6] = [
    "zoom in", "zoom in", "later", "earlier", "zoom out", "zoom out",
];
const ROUNDS: usize = 20;

/// The browser's 16 workers share two cores: its run of 4,400 jobs of 0 to 4 ms
/// lasts about 11 s. Natively it lasts under 1 s; with 0 to 50 ms of work it
/// lasts as long, with as many events, which the views' columns and buckets
/// then cover as they do in the page.
fn scenario(journal_mode: &str) -> Scenario {
    Scenario::from_json(&format!(
        r#"{{"name": "bench", "workers": 16, "jobs": 4400, "transaction": "short",
            "begin": "immediate", "journal_mode": "{journal_mode}", "synchronous": "normal",
            "busy_timeout_ms": 5000, "work_ms": [0, 50], "heartbeat_ms": 5}}"#
    ))
    .expect("a valid scenario")
}

/// p50, p95 and max of `xs`, in ms.
fn figures(mut xs: Vec<f64>) -> String {
    xs.sort_by(|a, b| a.total_cmp(b));
    let at = |p: f64| xs[((xs.len() as f64 * p) as usize).min(xs.len() - 1)];
    format!(
        "p50 {:.3} ms, p95 {:.3} ms, max {:.3} ms (n={})",
        at(0.5),
        at(0.95),
        xs[xs.len() - 1],
        xs.len()
    )
}

/// A run of 16 workers in `journal_mode`, in time order (and each worker's
/// events of one µs as recorded: what the page keeps of a run), and its end:
/// the one kept by an earlier invocation, if any.
fn events(journal_mode: &str) -> (Vec<TraceEvent>, u64) {
    let kept = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("timeline_frames-{journal_mode}.trace"));
    if std::env::var_os("FRESH").is_none() {
        if let Some(events) = std::fs::read(&kept)
            .ok()
            .and_then(|b| wire::decode(&b).ok())
        {
            let end_us = events.iter().map(|e| e.t_us).max().unwrap_or(0);
            return (events, end_us);
        }
    }
    let run = native::run(
        &scenario(journal_mode),
        &native::RunOptions {
            vfs: Vfs::Shared,
            ..Default::default()
        },
    )
    .expect("the run takes place");
    let mut events = run.events;
    events.sort_by_key(|e| (e.t_us, e.worker));
    std::fs::write(&kept, wire::encode(&events)).expect("the run is kept");
    let end_us = events.iter().map(|e| e.t_us).max().unwrap_or(0);
    (events, end_us)
}

fn main() {
    for journal_mode in ["wal", "delete"] {
        let (events, end_us) = events(journal_mode);
        let timeline = Timeline::from_events(&events);
        println!(
            "16 workers, {journal_mode}: {} events, {:.0} ms",
            events.len(),
            end_us as f64 / 1000.0
        );

        // Zoom and pan: one paint per action, as the page's buttons do.
        let mut raster = Raster::default();
        let mut window = (0, end_us);
        // By the window's share of the run: the whole run, a half, a quarter.
        let mut paints: Vec<Vec<f64>> = vec![Vec::new(); 4];
        // What the lanes show, without the pixels: the rows every lane is
        // painted from.
        let mut rows = Vec::new();
        for round in 0..ROUNDS {
            for action in ACTIONS {
                let (s, e) = window;
                window = match action {
                    "zoom in" => zoom(window, (s + e) / 2, 0.5, end_us),
                    "zoom out" => zoom(window, (s + e) / 2, 2.0, end_us),
                    "later" => pan(window, ((e - s) / 4) as i64, end_us),
                    _ => pan(window, -(((e - s) / 4) as i64), end_us),
                };
                // Start each round elsewhere in the run.
                if action == "zoom in" && window.1 - window.0 > end_us / 3 {
                    window = pan(window, (round as i64 - 10) * (end_us / 40) as i64, end_us);
                }
                let view = View::new(window.0, window.1, WIDTH);
                let t = Instant::now();
                paint::paint(&timeline, &view, end_us, None, None, &mut raster);
                let ms = t.elapsed().as_secs_f64() * 1000.0;
                let t = Instant::now();
                for lane in timeline.lanes() {
                    std::hint::black_box(lane.rows(&view, end_us));
                }
                rows.push(t.elapsed().as_secs_f64() * 1000.0);
                let share = (end_us / (window.1 - window.0).max(1)).ilog2() as usize;
                paints[share.min(3)].push(ms);
            }
        }
        for (share, ms) in paints.into_iter().enumerate() {
            if !ms.is_empty() {
                println!(
                    "  paint, window 1/{} of the run: {}",
                    1 << share,
                    figures(ms)
                );
            }
        }

        println!("  of which the lanes' rows: {}", figures(rows));

        // A replay at 1x: each frame reads the events passed into the
        // metrics and says what every lane does at the playhead.
        let mut tally = Tally::default();
        let (mut seen, mut frames) = (0, Vec::new());
        let mut playhead = 0;
        while playhead < end_us {
            playhead += 16_667;
            let t = Instant::now();
            let upto = events.partition_point(|e| e.t_us <= playhead);
            tally.extend(&events[seen..upto]);
            seen = upto;
            let metrics = tally.metrics(playhead);
            let moment = timeline.moment(playhead);
            frames.push(t.elapsed().as_secs_f64() * 1000.0);
            std::hint::black_box((metrics, moment));
        }
        println!("  replay at 1x, metrics and moment: {}", figures(frames));
    }
}
