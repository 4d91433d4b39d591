//! `locklab`: run lock-contention scenarios on native SQLite from a terminal.

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use locklab::native::{RunOptions, Vfs};
    use locklab::report::RunReport;
    use locklab::scenario::Scenario;
    use locklab::{chrome_trace, native, presets, text_timeline};
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[derive(Parser)]
    #[command(
        name = "locklab",
        version,
        about = "See SQLite lock contention: real SQLite, real locks, one thread per worker."
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Clone, Copy, clap::ValueEnum)]
    enum VfsArg {
        Unix,
        Shared,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Run a scenario (a JSON file, or --preset NAME) and print what happened.
        Run {
            /// The scenario file (docs/scenario.md).
            scenario: Option<PathBuf>,
            /// Run a built-in preset instead of a file (see `locklab presets`).
            #[arg(long, conflicts_with = "scenario")]
            preset: Option<String>,
            /// Print the run report as JSON (docs/report.md) instead of the summary.
            #[arg(long)]
            json: bool,
            /// Write the trace as Chrome Trace Event Format JSON (opens in Perfetto).
            #[arg(long, value_name = "FILE")]
            trace: Option<PathBuf>,
            /// The VFS: `unix` (SQLite's own, traced: the oracle) or `shared` (locklab's
            /// shared VFS, as the browser uses it, over memory shared by the threads).
            #[arg(long, value_enum, default_value_t = VfsArg::Unix)]
            vfs: VfsArg,
            /// Width of the terminal timeline in characters (0 hides it).
            #[arg(long, default_value_t = 100)]
            width: usize,
        },
        /// List the built-in presets, one per lesson.
        Presets,
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Presets => {
                for p in presets::all() {
                    println!("{:<22} {}\n{:<22} {}\n", p.name, p.lesson, "", p.expect);
                }
                ExitCode::SUCCESS
            }
            Command::Run {
                scenario,
                preset,
                json,
                trace,
                vfs,
                width,
            } => {
                let scenario = match load(scenario, preset) {
                    Ok(s) => s,
                    Err(message) => {
                        eprintln!("locklab: {message}");
                        return ExitCode::from(2);
                    }
                };
                let options = RunOptions {
                    vfs: match vfs {
                        VfsArg::Unix => Vfs::Unix,
                        VfsArg::Shared => Vfs::Shared,
                    },
                    stop: Arc::new(AtomicBool::new(false)),
                    storage: None,
                };
                match run(&scenario, &options, json, trace, width) {
                    Ok(()) => ExitCode::SUCCESS,
                    Err(message) => {
                        eprintln!("locklab: {message}");
                        ExitCode::from(1)
                    }
                }
            }
        }
    }

    fn load(file: Option<PathBuf>, preset: Option<String>) -> Result<Scenario, String> {
        match (file, preset) {
            (Some(path), _) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| format!("cannot read scenario file {}: {e}", path.display()))?;
                Scenario::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))
            }
            (None, Some(name)) => {
                let preset = presets::find(&name).ok_or_else(|| {
                    let names: Vec<_> = presets::all().iter().map(|p| p.name).collect();
                    format!(
                        "no preset named `{name}`; the presets are: {}",
                        names.join(", ")
                    )
                })?;
                preset.scenario().map_err(|e| e.to_string())
            }
            (None, None) => {
                Err("give a scenario file or --preset NAME (see `locklab presets`)".to_string())
            }
        }
    }

    fn run(
        scenario: &Scenario,
        options: &RunOptions,
        json: bool,
        trace: Option<PathBuf>,
        width: usize,
    ) -> Result<(), String> {
        let run = native::run(scenario, options).map_err(|e| e.to_string())?;
        let end_us = (run.report.elapsed_ms * 1000.0) as u64;
        if let Some(path) = trace {
            let doc = chrome_trace::export(&run.events, end_us);
            std::fs::write(&path, doc.to_string())
                .map_err(|e| format!("cannot write trace file {}: {e}", path.display()))?;
        }
        if json {
            let text = serde_json::to_string_pretty(&run.report).map_err(|e| e.to_string())?;
            println!("{text}");
        } else {
            print!("{}", summary(&run.report));
            if width > 0 {
                println!("\ntimeline ({:.0} ms across):", run.report.elapsed_ms);
                print!("{}", text_timeline::render(&run.events, end_us, width));
                println!("{}", text_timeline::LEGEND);
            }
        }
        Ok(())
    }

    fn summary(r: &RunReport) -> String {
        let name = r
            .scenario
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or("?");
        let mut s = String::new();
        let mut line = |text: String| {
            s.push_str(&text);
            s.push('\n');
        };
        line(format!("scenario      {name}"));
        line(format!(
            "sqlite        {} via {}, journal_mode = {}",
            r.sqlite_version, r.vfs, r.journal_mode
        ));
        line(format!(
            "outcome       {:?} after {:.0} ms",
            r.outcome, r.elapsed_ms
        ));
        line(format!(
            "jobs          {} of {} done, {} double-claimed, {} lost",
            r.jobs.done, r.jobs.seeded, r.jobs.double_claimed, r.jobs.lost
        ));
        line(format!(
            "throughput    {:.1} jobs/s",
            r.throughput_jobs_per_s
        ));
        line(format!(
            "transactions  {} committed, {} rolled back",
            r.transactions.committed, r.transactions.rolled_back
        ));
        if r.errors.is_empty() {
            line("errors        none".to_string());
        } else {
            let list: Vec<_> = r.errors.iter().map(|(k, v)| format!("{k} x{v}")).collect();
            line(format!("errors        {}", list.join(", ")));
        }
        line(format!(
            "busy wait     {:.1} ms in SQLite's busy handler",
            r.busy_wait_ms
        ));
        let l = &r.job_latency_ms;
        line(format!(
            "job latency   p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            l.p50, l.p95, l.p99, l.max
        ));
        let w = &r.write_lock_hold_ms;
        line(format!(
            "write lock    held {} times, p50 {:.2} ms, max {:.2} ms",
            w.count, w.p50, w.max
        ));
        line(format!("integrity     {}", r.integrity_check));
        let inv = &r.invariants;
        let check = |ok: bool| if ok { "ok" } else { "FAILED" };
        line(format!(
            "invariants    all done: {}, no double claims: {}, none lost: {}, integrity: {}, journal mode as asked: {}",
            check(inv.all_jobs_done),
            check(inv.no_double_claims),
            check(inv.no_lost_jobs),
            check(inv.integrity_ok),
            check(inv.journal_mode_as_asked)
        ));
        line(String::new());
        line(format!(
            "{:<8} {:<7} {:>5} {:>8} {:>9} {:>9} {:>9} {:>9}  errors",
            "worker", "role", "jobs", "wait ms", "SHARED", "RESERVED", "EXCL", "WAL wr"
        ));
        for w in &r.workers {
            let errors: u64 = w.errors.values().sum();
            line(format!(
                "{:<8} {:<7} {:>5} {:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}  {}",
                w.id,
                format!("{:?}", w.role).to_lowercase(),
                w.jobs_done,
                w.busy_wait_ms,
                w.lock_ms.shared,
                w.lock_ms.reserved,
                w.lock_ms.exclusive,
                w.lock_ms.wal_write,
                errors
            ));
        }
        s
    }
}
