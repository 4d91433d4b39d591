//! `locklab`: run lock-contention scenarios on native SQLite from a terminal.

#![forbid(unsafe_code)]

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}

/// `println!` and `print!` that end the program quietly when standard output
/// is a closed pipe (`locklab run ... | head`), as other command-line tools do,
/// where `println!` would panic.
#[cfg(not(target_arch = "wasm32"))]
macro_rules! say {
    () => { $crate::out::write(format_args!("\n")) };
    ($($t:tt)*) => { $crate::out::write(format_args!("{}\n", format_args!($($t)*))) };
}
#[cfg(not(target_arch = "wasm32"))]
macro_rules! say_part {
    ($($t:tt)*) => { $crate::out::write(format_args!($($t)*)) };
}

#[cfg(not(target_arch = "wasm32"))]
mod out {
    use std::io::{ErrorKind, Write};

    /// Write to standard output; a reader that went away ends the program.
    pub fn write(args: std::fmt::Arguments<'_>) {
        if let Err(e) = std::io::stdout().lock().write_fmt(args) {
            if e.kind() == ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod lesson;

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use clap::{Parser, Subcommand};
    use locklab::analysis::report::{Outcome, RunReport};
    use locklab::exports::{chrome_trace, text_timeline};
    use locklab::native;
    use locklab::native::{RunOptions, Vfs};
    use locklab::scenario::presets;
    use locklab::scenario::Scenario;
    use std::path::PathBuf;
    use std::process::ExitCode;
    use std::sync::atomic::AtomicBool;
    use std::sync::Arc;

    /// The terminal timeline's widths: 0 hides it.
    const WIDTHS: std::ops::RangeInclusive<usize> = 20..=1000;

    fn width(text: &str) -> Result<usize, String> {
        let bad = || {
            format!(
                "expected 0 (no timeline) or a width from {} to {} characters, got {text}",
                WIDTHS.start(),
                WIDTHS.end()
            )
        };
        let n: usize = text.parse().map_err(|_| bad())?;
        if n == 0 || WIDTHS.contains(&n) {
            Ok(n)
        } else {
            Err(bad())
        }
    }

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
            /// Width of the terminal timeline in characters, 20 to 1000 (0 hides it).
            #[arg(long, default_value_t = 100, value_parser = width)]
            width: usize,
        },
        /// List the built-in presets, one per lesson.
        Presets,
        /// List the lessons of the course, in order.
        Lessons,
        /// Play a lesson of the course: its claim and prediction, its run (both runs
        /// of a comparison; through the shared VFS when the lesson needs it), then
        /// what happened in this run, the check, the moment to look at and what to
        /// try next.
        Lesson {
            /// The lesson's id (`locklab lessons` lists them; with --file, a
            /// lesson of that course file).
            #[arg(required_unless_present = "file")]
            name: Option<String>,
            /// Play a lesson file, or a lesson of a course file, instead
            /// (docs/lesson.md).
            #[arg(long, value_name = "FILE")]
            file: Option<PathBuf>,
            /// Width of the terminal timeline in characters (0 hides it).
            #[arg(long, default_value_t = 100)]
            width: usize,
        },
        /// Check a lesson file, or every lesson of a course file (docs/lesson.md):
        /// run it through both VFSes and say whether its check passes and exactly
        /// one of its prediction's choices holds, each time. Exit code 0 when so,
        /// 1 when not, 2 when the file is wrong.
        CheckLesson {
            /// The lesson file or course file.
            file: PathBuf,
        },
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        match cli.command {
            Command::Presets => {
                for p in presets::all() {
                    say!("{:<22} {}\n{:<22} {}\n", p.name, p.lesson, "", p.expect);
                }
                ExitCode::SUCCESS
            }
            Command::Lessons => crate::lesson::list(),
            Command::Lesson {
                file: Some(file),
                name,
                width,
            } => crate::lesson::play_file(&file, name.as_deref(), width),
            Command::Lesson {
                name: Some(name),
                width,
                ..
            } => crate::lesson::play(&name, width),
            Command::Lesson { .. } => ExitCode::from(2),
            Command::CheckLesson { file } => crate::lesson::check_file(&file),
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
                let vfs = match vfs {
                    VfsArg::Unix => Vfs::Unix,
                    VfsArg::Shared => Vfs::Shared,
                };
                run_scenario(&scenario, vfs, json, trace, width)
            }
        }
    }

    /// Run `scenario` through `vfs` and print what happened; the exit code says
    /// whether it could run.
    fn run_scenario(
        scenario: &Scenario,
        vfs: Vfs,
        json: bool,
        trace: Option<PathBuf>,
        width: usize,
    ) -> ExitCode {
        match run_printed(scenario, vfs, json, trace, width) {
            Ok(_) => ExitCode::SUCCESS,
            Err(code) => code,
        }
    }

    /// Run `scenario` through `vfs`, print what happened and return the run; on
    /// failure the error is said and the exit code returned (2: it cannot run so).
    pub(crate) fn run_printed(
        scenario: &Scenario,
        vfs: Vfs,
        json: bool,
        trace: Option<PathBuf>,
        width: usize,
    ) -> Result<native::Run, ExitCode> {
        if let Err(e) = native::check(scenario, vfs) {
            eprintln!("locklab: {e}");
            return Err(ExitCode::from(2));
        }
        let stop = Arc::new(AtomicBool::new(false));
        if let Err(e) = stop_on_ctrl_c(&stop) {
            eprintln!("locklab: cannot catch Ctrl-C: {e}");
            return Err(ExitCode::from(1));
        }
        // Said once Ctrl-C is caught: whoever reads it may stop the run.
        if let Some(note) = presets::find(&scenario.name).and_then(|p| p.page_only) {
            eprintln!("locklab: note: {note}");
        }
        let options = RunOptions {
            vfs,
            stop,
            ..RunOptions::default()
        };
        run(scenario, &options, json, trace, width).map_err(|message| {
            eprintln!("locklab: {message}");
            ExitCode::from(1)
        })
    }

    /// The first Ctrl-C stops the run at every worker's next step: the report
    /// still comes out and the run's temporary files are removed. A second one
    /// quits at once (exit code 130), leaving them.
    fn stop_on_ctrl_c(stop: &Arc<AtomicBool>) -> std::io::Result<()> {
        use signal_hook::consts::SIGINT;
        // Registered first, so it sees the flag before this Ctrl-C sets it.
        signal_hook::flag::register_conditional_shutdown(SIGINT, 130, stop.clone())?;
        signal_hook::flag::register(SIGINT, stop.clone())?;
        Ok(())
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
    ) -> Result<native::Run, String> {
        let run = native::run(scenario, options).map_err(|e| e.to_string())?;
        let end_us = (run.report.elapsed_ms * 1000.0) as u64;
        if let Some(path) = trace {
            let doc = chrome_trace::export(&run.events, end_us);
            std::fs::write(&path, doc.to_string())
                .map_err(|e| format!("cannot write trace file {}: {e}", path.display()))?;
        }
        if json {
            let text = serde_json::to_string_pretty(&run.report).map_err(|e| e.to_string())?;
            say!("{text}");
        } else {
            say_part!("{}", summary(&run.report));
            if width > 0 {
                say!("\ntimeline ({:.0} ms across):", run.report.elapsed_ms);
                say_part!("{}", text_timeline::render(&run.events, end_us, width));
                say!("{}", text_timeline::LEGEND);
            }
        }
        Ok(run)
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
        let outcome = match r.outcome {
            Outcome::Completed => "completed",
            Outcome::TimeLimit => "time limit reached",
            Outcome::Stopped => "stopped",
            Outcome::Failed => "FAILED",
            Outcome::PowerCut => "power cut",
        };
        line(format!(
            "outcome       {outcome} after {:.0} ms",
            r.elapsed_ms
        ));
        if let Some(failure) = &r.failure {
            line(format!("failure       {failure}"));
        }
        if let Some(cut) = &r.power_cut {
            line(format!(
                "power cut     at {:.0} ms: {} unsynced writes dropped; after recovery {} \
                 committed jobs lost, integrity {}",
                cut.at_ms, cut.writes_dropped, cut.commits_lost, cut.integrity_check
            ));
        }
        // Workers the power cut stopped are not said one by one.
        let cut_at = r.power_cut.as_ref().map_or(f64::INFINITY, |c| c.at_ms);
        for w in r
            .workers
            .iter()
            .filter(|w| w.killed && w.killed_at_ms.unwrap_or_default() < cut_at)
        {
            line(format!(
                "killed        worker {} at {:.0} ms, as a crash would",
                w.id,
                w.killed_at_ms.unwrap_or_default()
            ));
        }
        // A workload of one's own has no jobs: its checks say what held.
        let workload = r.is_workload();
        let j = &r.jobs;
        if !workload {
            line(format!(
                "jobs          {} of {} done, {} claimed twice, {} done twice, {} lost, {} reclaimed, {} stuck",
                j.done, j.seeded, j.claimed_twice, j.double_claimed, j.lost, j.reclaimed, j.stuck
            ));
            if j.stuck > 0 {
                line(format!("              {}", stuck_sentence(r)));
            }
            line(format!(
                "throughput    {:.1} jobs/s",
                r.throughput_jobs_per_s
            ));
        }
        for (i, c) in r.checks.iter().enumerate() {
            line(format!(
                "{:<14}{}: {} (expected {}, got {})",
                if i == 0 { "checks" } else { "" },
                c.name,
                if c.ok { "ok" } else { "FAILED" },
                c.expected,
                c.got
            ));
        }
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
            "busy wait     {:.1} ms asleep in SQLite (busy handler, WAL read retries)",
            r.busy_wait_ms
        ));
        let l = &r.job_latency_ms;
        if !workload {
            line(format!(
                "job latency   p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
                l.p50, l.p95, l.p99, l.max
            ));
        }
        let w = &r.write_lock_hold_ms;
        line(format!(
            "write lock    held {} times, p50 {:.2} ms, max {:.2} ms",
            w.count, w.p50, w.max
        ));
        let h = &r.lock_handoff_us;
        line(format!(
            "hand-off      {} times, p50 {:.0} µs, p95 {:.0} µs, p99 {:.0} µs, max {:.0} µs",
            h.count, h.p50, h.p95, h.p99, h.max
        ));
        if r.wal_bytes_max > 0 {
            line(format!(
                "WAL           grew to {:.1} MB; {} checkpoints, the log started over {} times",
                r.wal_bytes_max as f64 / 1e6,
                r.wal_checkpoints,
                r.wal_restarts
            ));
        }
        line(format!("integrity     {}", r.integrity_check));
        let inv = &r.invariants;
        let check = |ok: bool| if ok { "ok" } else { "FAILED" };
        if workload {
            line(format!(
                "invariants    integrity: {}, journal mode as asked: {}, checks: {}",
                check(inv.integrity_ok),
                check(inv.journal_mode_as_asked),
                check(inv.checks_pass)
            ));
        } else {
            line(format!(
                "invariants    all done: {}, no double claims: {}, none lost: {}, integrity: {}, journal mode as asked: {}",
                check(inv.all_jobs_done),
                check(inv.no_double_claims),
                check(inv.no_lost_jobs),
                check(inv.integrity_ok),
                check(inv.journal_mode_as_asked)
            ));
        }
        line(String::new());
        let role_of = |w: &locklab::analysis::metrics::WorkerMetrics| {
            w.plays
                .clone()
                .unwrap_or_else(|| format!("{:?}", w.role).to_lowercase())
                + if w.killed { "\u{2020}" } else { "" }
        };
        let width = r
            .workers
            .iter()
            .map(|w| role_of(w).chars().count())
            .max()
            .unwrap_or(0)
            .max(7);
        line(format!(
            "{:<8} {:<width$} {:>5} {:>8} {:>9} {:>9} {:>9} {:>9}  errors",
            "worker", "role", "jobs", "wait ms", "SHARED", "RESERVED", "EXCL", "WAL wr"
        ));
        for w in &r.workers {
            let errors: u64 = w.errors.values().sum();
            line(format!(
                "{:<8} {:<width$} {:>5} {:>8.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}  {}",
                w.id,
                role_of(w),
                w.jobs_done,
                w.busy_wait_ms,
                w.lock_ms.shared,
                w.lock_ms.reserved,
                w.lock_ms.exclusive,
                w.lock_ms.wal_write,
                errors
            ));
        }
        if r.workers.iter().any(|w| w.killed) {
            line("(\u{2020} killed)".to_string());
        }
        let matrix = text_timeline::blocked_by(&r.workers);
        if !matrix.is_empty() {
            line(String::new());
            line(format!(
                "who blocked whom: {} locks refused; each cell: refusals, ms of busy wait \
                 after them (a row: the worker refused; a column: the worker in the way)",
                r.refused_locks
            ));
            s.push_str(&matrix);
        }
        s
    }

    /// Why jobs are stuck, from the report's numbers.
    fn stuck_sentence(r: &RunReport) -> String {
        let n = r.jobs.stuck;
        let jobs = if n == 1 { "1 job" } else { "jobs" };
        let (them, they) = if n == 1 {
            ("it", "its worker was")
        } else {
            ("them", "their workers were")
        };
        let killed = r.workers.iter().any(|w| w.killed);
        let stale = r
            .scenario
            .get("stale_after_ms")
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        let why = match (killed, stale) {
            (true, 0) => format!("{they} killed and stale_after_ms is 0: nothing reclaims {them}"),
            (true, _) => format!("{they} killed and nobody reclaimed {them} before the run ended"),
            (false, _) => "claimed and never finished".to_string(),
        };
        let count = if n == 1 {
            jobs.to_string()
        } else {
            format!("{n} {jobs}")
        };
        format!("{count} stuck RUNNING ({why})")
    }
}
