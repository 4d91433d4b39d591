//! Native throughput of presets, in jobs per second: the figure the browser is later
//! compared with. Prints figures; asserts nothing about speed. A preset the unix
//! VFS refuses (faults, broken locking) runs through the shared VFS, named so.
//!
//!     cargo bench --bench throughput                 # the default presets
//!     cargo bench --bench throughput -- wall-of-red  # the presets named

use locklab::native::{self, Vfs};
use locklab::scenario::presets;
use locklab::scenario::LockingMode;

const RUNS: usize = 5;
const DEFAULT_PRESETS: [&str; 3] = ["short-transactions", "batched-results", "wall-of-red"];

fn main() {
    let named: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let names: Vec<String> = if named.is_empty() {
        DEFAULT_PRESETS.iter().map(|s| s.to_string()).collect()
    } else {
        named
    };
    println!(
        "native throughput, {RUNS} runs each, SQLite {}",
        rusqlite::version()
    );
    println!(
        "{:<22} {:>12} {:>12} {:>12} {:>10}",
        "preset", "median j/s", "min j/s", "max j/s", "errors"
    );
    for name in names {
        let Some(preset) = presets::find(&name) else {
            eprintln!("no preset named {name}");
            std::process::exit(2);
        };
        let scenario = preset.scenario().expect("presets are valid");
        let vfs = match native::check(&scenario, Vfs::Unix) {
            Ok(()) => Vfs::Unix,
            Err(_) => Vfs::Shared,
        };
        let label = match vfs {
            Vfs::Unix => name.clone(),
            Vfs::Shared => format!("{name} (shared)"),
        };
        let mut rates = Vec::new();
        let mut errors = 0;
        for _ in 0..RUNS {
            let options = native::RunOptions {
                vfs,
                ..Default::default()
            };
            let run = native::run(&scenario, &options).expect("the run takes place");
            // Broken locking breaks the invariants: that is its lesson.
            assert!(
                scenario.locking == LockingMode::None || run.report.invariants.all_hold(),
                "{name}: {:?}",
                run.report.invariants
            );
            rates.push(run.report.throughput_jobs_per_s);
            errors += run.report.errors.values().sum::<u64>();
        }
        rates.sort_by(|a, b| a.total_cmp(b));
        println!(
            "{:<22} {:>12.1} {:>12.1} {:>12.1} {:>10}",
            label,
            rates[RUNS / 2],
            rates[0],
            rates[RUNS - 1],
            errors / RUNS as u64
        );
    }
}
