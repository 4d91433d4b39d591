//! The runs of a grid or a sweep, finished: a sweep's plot of jobs/s (and the
//! write lock's busy share) against the field it varies, drawn as inline SVG;
//! one small cell per run with its label and key numbers (lock errors, jobs/s,
//! busy wait, jobs done, clean or not), each a button that shows that run in
//! full below.

use crate::analysis::report::{Outcome, RunReport};
use crate::decimal::Dec;
use crate::lessons::{clean_run, write_busy_share, Runs};
use crate::web::host::finished_run::BrowserRun;
use crate::web::page::run_view::RunView;
use std::rc::Rc;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct ManyRunsProps {
    /// The lesson, by its place in the course.
    pub index: usize,
    pub runs: Vec<Rc<BrowserRun>>,
}

#[function_component(ManyRuns)]
pub fn many_runs(props: &ManyRunsProps) -> Html {
    let shown = use_state(|| 0usize);
    let lesson = super::lesson_at(props.index);
    let sides = lesson.runs.sides();
    let label = |n: usize| sides.get(n).map_or("", |s| s.label);
    let at = (*shown).min(props.runs.len().saturating_sub(1));
    let reports: Vec<&RunReport> = props.runs.iter().map(|r| &r.report).collect();
    let plot = match &lesson.runs {
        Runs::Sweep(field, _) => sweep_plot(&reports, field),
        _ => String::new(),
    };
    let cells: String = reports
        .iter()
        .enumerate()
        .map(|(n, r)| cell(n, label(n), r, n == at, !plot.is_empty()))
        .collect();
    // One listener for every cell's button: the button says its run.
    let pick = Callback::from(move |e: MouseEvent| {
        let n = e
            .target_dyn_into::<web_sys::Element>()
            .and_then(|t| t.closest("button[data-n]").ok().flatten())
            .and_then(|b| b.get_attribute("data-n")?.parse().ok());
        if let Some(n) = n {
            shown.set(n);
        }
    });
    html! {
        <section class="many" aria-label="The runs" data-testid="many-runs">
            { Html::from_html_unchecked(plot.into()) }
            <div onclick={pick}>{ Html::from_html_unchecked(format!("<ol class=\"cells\" data-testid=\"grid\">{cells}</ol>").into()) }</div>
            if let Some(run) = props.runs.get(at) {
                <h3 class="side">{ format!("In full: {}", label(at)) }</h3>
                <RunView run={run.clone()} />
            }
        </section>
    }
}

/// A run's cell: its label (a button that shows the run in full), lock
/// errors, jobs/s, busy wait, jobs done, the write lock's busy share as a bar,
/// and, in a grid, whether it was clean (a sweep's runs end at their time
/// limit: clean is not what they are about).
fn cell(n: usize, label: &str, r: &RunReport, pressed: bool, sweep: bool) -> String {
    let ok = clean_run(r);
    let share = Dec(100.0 * write_busy_share(r));
    let done = match (r.outcome == Outcome::TimeLimit, ok) {
        (true, _) => " (time limit)",
        (false, true) => ", each once",
        _ => "",
    };
    format!(
        "<li class=\"cell {class}\" data-testid=\"grid-cell\" data-clean=\"{ok}\" \
         data-lock-errors=\"{errors}\" data-jobs-per-s=\"{jobs:.1}\">\
         <button data-n=\"{n}\" aria-pressed=\"{pressed}\">{label}</button>\
         <span class=\"big\">{errors} lock errors</span><span>{jobs:.0} jobs/s</span>\
         <span>{wait:.0} ms busy wait</span><span>{d} of {s} done{done}</span>\
         <span class=\"bar\"><i style=\"width:{share:.0}%\"></i>write lock held {share:.0}%</span>\
         <strong>{mark}</strong></li>",
        class = match (sweep, ok) {
            (true, _) => "",
            (false, true) => "ok",
            (false, false) => "failed",
        },
        errors = r.lock_errors(),
        jobs = Dec(r.throughput_jobs_per_s),
        wait = Dec(r.busy_wait_ms),
        d = r.jobs.done,
        s = r.jobs.seeded,
        mark = match (sweep, ok) {
            (true, _) => "",
            (false, true) => "\u{2713} clean",
            (false, false) => "\u{2717} not clean",
        },
    )
}

/// Jobs/s (solid, left axis) and the write lock's busy share (dashed, right
/// axis, 0 to 100%) against the swept field, one point per run, evenly spaced
/// (the sweep doubles its field: a log scale), as inline SVG.
fn sweep_plot(runs: &[&RunReport], field: &str) -> String {
    let (w, h, left, right, top, bottom) = (360.0, 200.0, 40.0, 40.0, 22.0, 34.0);
    let n = runs.len().max(2) as f64;
    let x = |i: usize| left + (w - left - right) * i as f64 / (n - 1.0);
    let y = |v: f64| top + (h - top - bottom) * (1.0 - v);
    let most = runs
        .iter()
        .map(|r| r.throughput_jobs_per_s)
        .fold(1.0, f64::max)
        * 1.15;
    let (mut jobs, mut shares, mut points, mut said) =
        (String::new(), String::new(), String::new(), Vec::new());
    for (i, r) in runs.iter().enumerate() {
        let (j, s, at) = (
            r.throughput_jobs_per_s,
            write_busy_share(r),
            &r.scenario[field],
        );
        let (xi, yj, ys) = (x(i), y(j / most), y(s));
        let (jobs_label_y, share_label_y) = if yj <= ys {
            (yj - 6.0, ys + 13.0)
        } else {
            (yj + 14.0, ys - 6.0)
        };
        let (xi, yj, ys, j, s) = (Dec(xi), Dec(yj), Dec(ys), Dec(j), Dec(s));
        jobs.push_str(&format!("{xi:.1},{yj:.1} "));
        shares.push_str(&format!("{xi:.1},{ys:.1} "));
        points.push_str(&format!(
            "<g data-testid=\"sweep-point\" data-x=\"{at}\" data-jobs-per-s=\"{j:.1}\" \
             data-busy-share=\"{s:.3}\"><circle class=\"jobs\" cx=\"{xi:.1}\" cy=\"{yj:.1}\" r=\"3\"/>\
             <text x=\"{xi:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{j:.0}</text>\
             <circle class=\"share\" cx=\"{xi:.1}\" cy=\"{ys:.1}\" r=\"2.5\"/>\
             <text class=\"share\" x=\"{xi:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{:.0}%</text>\
             <text x=\"{xi:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{at}</text></g>",
            Dec(jobs_label_y),
            Dec(share_label_y),
            Dec(100.0 * s.0),
            Dec(h - bottom + 14.0)
        ));
        said.push(format!(
            "{at} {field}: {j:.0} jobs/s, write lock held {:.0}%",
            Dec(100.0 * s.0)
        ));
    }
    let (y0, y1, r) = (y(0.0), y(1.0) + 4.0, w - right);
    let (most, y0, y1, w, h, left, right_x) = (
        Dec(most),
        Dec(y0),
        Dec(y1),
        Dec(w),
        Dec(h),
        Dec(left),
        Dec(r),
    );
    format!(
        "<figure class=\"plot\" data-testid=\"sweep-plot\"><svg viewBox=\"0 0 {w} {h}\" role=\"img\" \
         aria-label=\"Jobs/s against {field}: {said}\">\
         <text x=\"2\" y=\"12\" class=\"jobs\">jobs/s \u{2014}</text>\
         <text x=\"{:.0}\" y=\"12\" class=\"share\" text-anchor=\"end\">- - write lock held</text>\
         <line class=\"axis\" x1=\"{left}\" x2=\"{right_x}\" y1=\"{y0}\" y2=\"{y0}\"/>\
         <text x=\"{:.0}\" y=\"{y0}\" text-anchor=\"end\">0</text>\
         <text x=\"{:.0}\" y=\"{y1}\" text-anchor=\"end\">{most:.0}</text>\
         <text x=\"{:.0}\" y=\"{y1}\">100%</text><text x=\"{:.0}\" y=\"{y0}\">0%</text>\
         <polyline class=\"jobs\" points=\"{jobs}\"/><polyline class=\"share\" points=\"{shares}\"/>\
         {points}<text x=\"{:.0}\" y=\"{:.0}\" text-anchor=\"middle\">{field}</text></svg></figure>",
        Dec(w.0 - 2.0),
        Dec(left.0 - 4.0),
        Dec(left.0 - 4.0),
        Dec(r + 4.0),
        Dec(r + 4.0),
        Dec(w.0 / 2.0),
        Dec(h.0 - 4.0),
        said = said.join("; "),
    )
}
