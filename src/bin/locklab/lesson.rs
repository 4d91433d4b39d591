//! `locklab lessons` and `locklab lesson NAME`: the course in a terminal. As the
//! page does, a lesson asks before it tells: it says its title (and a case
//! file's setup, locklab's stand-in and what its users saw) and asks its
//! prediction, runs (both runs of a comparison, or every run of a grid or a
//! sweep, one after the other; a grid's or sweep's in a line each), then says
//! what happened in this run, why (the lesson's claim, printed only now), which
//! choice the run bears out, the check, the annotated moment, the rest of a case
//! file, and what to try next: the same lesson data and the same sentences as
//! the page.

use crate::cli::run_printed;
use locklab::duration::ms_text;
use locklab::lessons::{self, file, Evidence, Lesson, Runs};
use locklab::native::{self, Vfs};
use locklab::timeline::Timeline;
use std::path::Path;
use std::process::ExitCode;

pub fn list() -> ExitCode {
    for (i, l) in lessons::all().iter().enumerate() {
        say!("{:<24} {}. {}", l.id, i + 1, l.title);
    }
    ExitCode::SUCCESS
}

pub fn play(name: &str, width: usize) -> ExitCode {
    let all = lessons::all();
    let Some((index, lesson)) = all.iter().enumerate().find(|(_, l)| l.id == name) else {
        let ids: Vec<_> = all.iter().map(|l| l.id).collect();
        eprintln!(
            "locklab: no lesson named `{name}`; the lessons are: {}",
            ids.join(", ")
        );
        return ExitCode::from(2);
    };
    play_lesson(Some(index), lesson, width)
}

/// A lesson file or a course file (docs/lesson.md), read and checked: its
/// lessons (a course's in order, the files it names read beside it); what is
/// wrong is said, and its exit code (2) returned.
pub fn read_file(path: &Path) -> Result<Vec<Lesson>, ExitCode> {
    let wrong = |why: String| {
        eprintln!("locklab: {}: {why}", path.display());
        ExitCode::from(2)
    };
    let text = std::fs::read_to_string(path).map_err(|e| wrong(format!("cannot be read: {e}")))?;
    let doc: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        wrong(format!(
            "lesson: expected a JSON object, got invalid JSON ({e})"
        ))
    })?;
    if !file::course::is_course(&doc) {
        return file::parse(&doc)
            .map(|l| vec![l])
            .map_err(|e| wrong(e.to_string()));
    }
    let course = file::course::parse(&doc).map_err(|e| wrong(format!("course: {e}")))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    let read = course
        .read(&|name| std::fs::read_to_string(folder.join(name)).map_err(|e| e.to_string()))
        .map_err(|e| wrong(format!("course: {e}")))?;
    Ok(read.into_iter().map(|(lesson, _)| lesson).collect())
}

/// `locklab lesson --file FILE [NAME]`: the file's lesson, or the course's
/// lesson NAME; a course without NAME lists its lessons.
pub fn play_file(path: &Path, name: Option<&str>, width: usize) -> ExitCode {
    let lessons = match read_file(path) {
        Ok(lessons) => lessons,
        Err(code) => return code,
    };
    match (name, &lessons[..]) {
        (None, [lesson]) => play_lesson(None, lesson, width),
        (None, _) => {
            for (i, l) in lessons.iter().enumerate() {
                say!("{:<24} {}. {}", l.id, i + 1, l.title);
            }
            say!(
                "play one with: locklab lesson --file {} NAME",
                path.display()
            );
            ExitCode::SUCCESS
        }
        (Some(name), _) => match lessons.iter().enumerate().find(|(_, l)| l.id == name) {
            Some((i, lesson)) => play_lesson(Some(i), lesson, width),
            None => {
                let ids: Vec<_> = lessons.iter().map(|l| l.id).collect();
                eprintln!(
                    "locklab: {} has no lesson named `{name}`; its lessons are: {}",
                    path.display(),
                    ids.join(", ")
                );
                ExitCode::from(2)
            }
        },
    }
}

/// `locklab check-lesson FILE`: each lesson of a lesson file or a course file,
/// checked in turn (`check_lesson`); the worst exit code of them.
pub fn check_file(path: &Path) -> ExitCode {
    let lessons = match read_file(path) {
        Ok(lessons) => lessons,
        Err(code) => return code,
    };
    let mut all_good = true;
    for lesson in &lessons {
        if lessons.len() > 1 {
            say!("{}: {}", lesson.id, lesson.title);
        }
        all_good &= check_lesson(lesson);
    }
    if all_good {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

/// One lesson through each VFS, its check and how many of its choices hold:
/// whether its check passes and exactly one choice holds every time.
fn check_lesson(lesson: &Lesson) -> bool {
    let mut all_good = true;
    for vfs in [Vfs::Unix, Vfs::Shared] {
        let mut runs = Vec::new();
        for side in lesson.runs.sides() {
            let scenario = match side.scenario() {
                Ok(s) => s,
                Err(e) => {
                    say!("{}: the run is not valid: {e}", vfs_name(vfs));
                    return false;
                }
            };
            if let Err(why) = native::check(&scenario, vfs) {
                say!("{}: not run ({why})", vfs_name(vfs));
                break;
            }
            let options = native::RunOptions {
                vfs,
                ..native::RunOptions::default()
            };
            match native::run(&scenario, &options) {
                Ok(run) => runs.push(run),
                Err(e) => {
                    say!("{}: the run could not take place: {e}", vfs_name(vfs));
                    all_good = false;
                    break;
                }
            }
        }
        if runs.len() < lesson.runs.sides().len() {
            continue;
        }
        // A run that failed (an SQL error, a constraint, an unbound name) is
        // not evidence: say why, and fail the lesson, whatever its check says.
        let failed: Vec<String> = runs
            .iter()
            .zip(["A", "B"].into_iter().chain(std::iter::repeat("")))
            .enumerate()
            .filter_map(|(i, (run, name))| {
                let r = &run.report;
                let name = if lesson.runs.sides().len() == 1 {
                    "the run".to_string()
                } else if name.is_empty() {
                    format!("run {}", i + 1)
                } else {
                    format!("run {name}")
                };
                (r.outcome == locklab::analysis::report::Outcome::Failed).then(|| {
                    match &r.failure {
                        Some(f) => format!("{name} FAILED: {f}"),
                        None => format!("{name} FAILED"),
                    }
                })
            })
            .collect();
        if !failed.is_empty() {
            for why in failed {
                say!("{}: {why}", vfs_name(vfs));
            }
            all_good = false;
            continue;
        }
        let evidence = Evidence::of(runs.iter().map(|r| &r.report));
        let verdict = lesson.check(&evidence);
        let decided: Vec<Result<bool, String>> = (0..lesson.prediction.choices.len())
            .map(|i| lesson.decide(i, &evidence))
            .collect();
        let unreadable = lesson.unreadable(&evidence);
        for why in decided
            .iter()
            .filter_map(|d| d.as_ref().err())
            .chain(&unreadable)
        {
            say!("{}: cannot be decided: {why}", vfs_name(vfs));
            all_good = false;
        }
        let holding: Vec<usize> = (0..decided.len())
            .filter(|&i| decided[i] == Ok(true))
            .collect();
        let one = holding.len() == 1;
        all_good &= verdict.finding.appeared && one;
        say!(
            "{}: check {}: {}\n{}: {}",
            vfs_name(vfs),
            if verdict.finding.appeared {
                "passes"
            } else {
                "FAILS"
            },
            verdict.finding.because,
            vfs_name(vfs),
            match holding[..] {
                [i] => format!(
                    "exactly one choice holds: {} ({})",
                    i + 1,
                    lesson.prediction.choices[i].text
                ),
                [] => "no choice holds: one must".to_string(),
                _ => format!(
                    "{} choices hold ({}): exactly one must",
                    holding.len(),
                    holding
                        .iter()
                        .map(|i| (i + 1).to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }
        );
    }
    all_good
}

fn vfs_name(vfs: Vfs) -> &'static str {
    match vfs {
        Vfs::Unix => "unix",
        Vfs::Shared => "shared",
    }
}

/// Play `lesson` (the course's `index`th, or a file's).
pub fn play_lesson(index: Option<usize>, lesson: &Lesson, width: usize) -> ExitCode {
    match index {
        Some(i) => say!("{}. {}\n", i + 1, lesson.title),
        None => say!("{}\n", lesson.title),
    }
    if let Some(case) = &lesson.case_file {
        say!(
            "Case file {} ({})\nThe reporter's setup (from the thread): {}\n\
             locklab's stand-in (what this lesson runs in its place): {}\n\
             What its users saw: {}\n",
            case.thread,
            case.url,
            case.setup,
            case.stand_in,
            case.saw
        );
    }
    say!("Predict: {}", lesson.prediction.question);
    for (i, c) in lesson.prediction.choices.iter().enumerate() {
        say!("  {}) {}", i + 1, c.text);
    }
    say!();

    let sides = lesson.runs.sides();
    let mut runs = Vec::new();
    for (i, side) in sides.iter().enumerate() {
        let scenario = match side.scenario() {
            Ok(s) => s,
            Err(e) => {
                eprintln!("locklab: lesson {}: {e}", lesson.id);
                return ExitCode::from(1);
            }
        };
        // The oracle where the lesson allows it; faults and broken locking need
        // the shared VFS.
        let vfs = match native::check(&scenario, Vfs::Unix) {
            Ok(()) => Vfs::Unix,
            Err(_) => Vfs::Shared,
        };
        if lesson.runs.is_many() {
            // Many runs: a line each, and the grid or the plot once all are over.
            let options = native::RunOptions {
                vfs,
                ..native::RunOptions::default()
            };
            match native::run(&scenario, &options) {
                Ok(run) => {
                    say!(
                        "== {} of {} ({}): {}",
                        i + 1,
                        sides.len(),
                        side.label,
                        lessons::run_line(&run.report)
                    );
                    runs.push(run);
                }
                Err(e) => {
                    eprintln!("locklab: lesson {}: {e}", lesson.id);
                    return ExitCode::from(1);
                }
            }
            continue;
        }
        if sides.len() > 1 {
            say!("== {} ({})", ["A", "B"][i], side.label);
        }
        match run_printed(&scenario, vfs, false, None, width) {
            Ok(run) => runs.push(run),
            Err(code) => return code,
        }
        say!();
    }
    let evidence = Evidence::of(runs.iter().map(|r| &r.report));
    say_part!("{}", after_the_run(lesson, &evidence, &runs));
    ExitCode::SUCCESS
}

/// What the lesson says once its runs are over, every sentence from them.
fn after_the_run(lesson: &Lesson, evidence: &Evidence, runs: &[native::Run]) -> String {
    let labels = match lesson.runs.sides()[..] {
        [a, b] => [a.label, b.label],
        _ => ["", ""],
    };
    let happened = match &lesson.runs {
        Runs::Grid(sides) | Runs::Sweep(_, sides) => {
            format!(
                "What happened in these runs:\n{}",
                many_runs(sides, evidence)
            )
        }
        _ => format!(
            "What happened in this run: {}\n",
            lessons::what_happened(evidence, labels)
        ),
    };
    let mut s = format!("{happened}\nWhy: {}\n\n", lesson.claim);
    match lesson.answer(evidence) {
        Some(i) => s.push_str(&format!(
            "The run bears out choice {}: {}.\n",
            i + 1,
            lesson.prediction.choices[i].text
        )),
        None => s.push_str("The run bears out none of the choices.\n"),
    }
    let verdict = lesson.check(evidence);
    if verdict.finding.appeared {
        s.push_str(&format!("Check: it showed: {}.\n", verdict.finding.because));
    } else {
        s.push_str(&format!(
            "Check: it did not show: {}.\n",
            verdict.finding.because
        ));
        for d in &verdict.differs {
            s.push_str(&format!("  {d}\n"));
        }
    }
    let run = &runs[lesson.moment.run.min(runs.len() - 1)];
    let timeline = Timeline::from_events(&run.events);
    match lesson.moment.find(&timeline, &run.events) {
        Some(m) => s.push_str(&format!(
            "Look at {}{}: {}.\n",
            ms_text(m.at.from_us),
            if runs.len() > 1 {
                let sides = lesson.runs.sides();
                match &lesson.runs {
                    Runs::Compare(..) => format!(" in run {}", ["A", "B"][m.run]),
                    _ => format!(" in the run {}", sides[m.run.min(sides.len() - 1)].label),
                }
            } else {
                String::new()
            },
            m.at.label
        )),
        None => s.push_str("The moment this lesson points at did not happen in this run.\n"),
    }
    if let Some(case) = &lesson.case_file {
        s.push_str(&format!(
            "\nCase file {}\nWhat locklab shows: {}\nWhat fixed it: {}\n\
             What the thread does not say: {}\n",
            case.thread, case.shows, case.fixed, case.unsaid
        ));
    }
    s.push_str(&format!(
        "\nTry next: {} ({}).\n",
        lesson.suggestion.label, lesson.suggestion.changes
    ));
    s
}

/// Each run of a grid or sweep in a line: its label, jobs/s drawn as a bar (the
/// sweep's plot, on its side), lock errors, busy wait and the write lock's busy
/// share, and whether every job was done once.
fn many_runs(sides: &[lessons::Side], evidence: &Evidence) -> String {
    let top = evidence
        .all
        .iter()
        .map(|r| r.throughput_jobs_per_s)
        .fold(1.0, f64::max);
    let mut s = String::new();
    for (side, r) in sides.iter().zip(&evidence.all) {
        let bar = "#".repeat((30.0 * r.throughput_jobs_per_s / top).round() as usize);
        let once = r.jobs.done == r.jobs.seeded && r.jobs.double_claimed == 0 && r.jobs.lost == 0;
        s.push_str(&format!(
            "  {:<30} {:>6.0} jobs/s {bar:<30} {:>5} lock errors, {:>6.0} ms busy wait, write lock \
             held {:>3.0}%, {} of {} done{}\n",
            side.label,
            r.throughput_jobs_per_s,
            r.lock_errors(),
            r.busy_wait_ms,
            100.0 * lessons::write_busy_share(r),
            r.jobs.done,
            r.jobs.seeded,
            if once { ", every job once" } else { "" }
        ));
    }
    s
}
