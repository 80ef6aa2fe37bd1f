//! A Markdown report of one or several results files: machine, experiment, summary table,
//! fitted scaling models with plain-language readings, and status.

use crate::analysis::{
    AmdahlTest, FitQuantity, ModelFit, coefficient_range, coefficient_too_wide, fit_results,
    share_too_wide, speedup_range, too_wide, workers_range,
};
use crate::export::cell_text;
use crate::export::chart_model::ChartRun;
use crate::preset::{ModelKind, TaskKind};
use crate::results::{
    BuildInfo, CellStatus, CpuSetup, ResultsFile, RunStatus, text_or_not_recorded,
};

/// A chart image to link from the report: alt text and a path relative to the report.
#[derive(Clone, Copy, Debug)]
pub struct ReportImage<'a> {
    pub alt: &'a str,
    pub path: &'a str,
}

/// A link's destination as Markdown reads it: in angle brackets where a space, a parenthesis
/// or an angle bracket would end or break it (`<my charts/c.png>`).
fn link_target(path: &str) -> String {
    if path.contains([' ', '(', ')', '<', '>']) {
        format!("<{}>", path.replace('<', "%3C").replace('>', "%3E"))
    } else {
        path.to_string()
    }
}

/// `target` as a link from the Markdown file `markdown`: relative to the Markdown file's
/// folder (`c.png`, `charts/c.png`, `../charts/c.png`), so that the report's folder can be
/// moved or published with its charts; absolute only where no relative path exists (another
/// drive). Both paths are made absolute from the current directory and `.`/`..` resolved by
/// name (no symbolic link is followed). `/` separates the parts on every system.
pub fn image_link(target: &std::path::Path, markdown: &std::path::Path) -> String {
    use std::path::{Component, Path, PathBuf};
    let normal = |p: &Path| -> PathBuf {
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
        let mut out = PathBuf::new();
        for c in abs.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    out.pop();
                }
                c => out.push(c),
            }
        }
        out
    };
    let target = normal(target);
    let mut dir = normal(markdown);
    dir.pop();
    let (t, d): (Vec<Component<'_>>, Vec<Component<'_>>) =
        (target.components().collect(), dir.components().collect());
    let common = t.iter().zip(&d).take_while(|(a, b)| a == b).count();
    // Nothing in common, not even the root (another drive): only the absolute path works.
    if common == 0 {
        return target.to_string_lossy().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".to_string(); d.len() - common];
    parts.extend(
        t[common..]
            .iter()
            .map(|c| c.as_os_str().to_string_lossy().into_owned()),
    );
    parts.join("/")
}

/// The report of every run in `runs` (one section each), linking `images` at the top.
pub fn markdown_report(runs: &[ChartRun<'_>], images: &[ReportImage<'_>]) -> String {
    let mut out = String::new();
    if runs.len() == 1 {
        out.push_str(&format!("# {}\n\n", md(&runs[0].results.experiment.name)));
    } else {
        let labels: Vec<&str> = runs.iter().map(|r| r.label).collect();
        out.push_str(&format!("# Comparison: {}\n\n", md(&labels.join(" vs "))));
    }
    for img in images {
        out.push_str(&format!(
            "![{}]({})\n\n",
            md(img.alt),
            link_target(img.path)
        ));
    }
    let fits: Vec<Vec<ModelFit>> = runs.iter().map(|r| fit_results(r.results)).collect();
    let compared: Vec<(&str, &ResultsFile)> = runs.iter().map(|r| (r.label, r.results)).collect();
    let differences = crate::results::comparison_differences(&compared);
    if !differences.is_empty() {
        out.push_str("## What differs between the compared runs\n\n");
        out.push_str(
            "Read the overlaid curves with this in mind: they do not measure the same thing in every respect.\n\n",
        );
        for d in &differences {
            out.push_str(&format!("- {}\n", md(&d.describe())));
        }
        out.push('\n');
    }
    if runs.len() > 1 {
        out.push_str("## Fits at a glance\n\n");
        for (r, f) in runs.iter().zip(&fits) {
            for fit in f {
                out.push_str(&format!("- **{}**: {}\n", md(r.label), md(&fit.reading)));
            }
        }
        out.push('\n');
    }
    for (r, f) in runs.iter().zip(&fits) {
        let level = if runs.len() == 1 { "##" } else { "###" };
        if runs.len() > 1 {
            out.push_str(&format!(
                "## {} — {}\n\n",
                md(r.label),
                md(&r.results.experiment.name)
            ));
        }
        run_section(&mut out, r.results, f, level);
    }
    out.push_str(&format!(
        "---\n*Written by corelab {}.*\n",
        env!("CORELAB_VERSION")
    ));
    out
}

fn run_section(out: &mut String, r: &ResultsFile, fits: &[ModelFit], h: &str) {
    let e = &r.experiment;
    if !e.description.is_empty() {
        out.push_str(&format!(
            "{}\n\n",
            super::sanitize::for_markdown_with_code(&e.description)
        ));
    }

    out.push_str(&format!("{h} Status\n\n"));
    let (ok, failed, cancelled) =
        r.cells
            .iter()
            .fold((0, 0, 0), |(o, f, c), cell| match cell.status {
                CellStatus::Ok => (o + 1, f, c),
                CellStatus::Failed => (o, f + 1, c),
                CellStatus::Cancelled => (o, f, c + 1),
            });
    let status = match r.status {
        RunStatus::Complete => "complete",
        RunStatus::Failed => "ended, but every cell failed: nothing was measured",
        RunStatus::Cancelled => "cancelled by the user (the cells shown are real)",
        RunStatus::Incomplete => {
            "incomplete (a partial file: the sweep was still running or was killed)"
        }
    };
    out.push_str(&format!(
        "Run {status}; started {}, finished {}. {ok} cells ok, {failed} failed, {cancelled} cancelled.\n\n",
        or_dash(&r.started_at),
        r.finished_at.as_deref().map_or("—", |s| s)
    ));
    for c in r.cells.iter().filter(|c| c.status == CellStatus::Failed) {
        out.push_str(&format!(
            "- {} × {} failed: {}\n",
            c.model_id(),
            c.workers,
            md(c.error.as_deref().unwrap_or("no reason recorded"))
        ));
    }
    if failed > 0 {
        out.push('\n');
    }
    // What went wrong outside any cell's runs (`ResultsFile::warnings`), as `report` says it.
    if !r.warnings.is_empty() {
        out.push_str(&format!("{h} Sweep warnings\n\n"));
        for warning in &r.warnings {
            out.push_str(&format!("- {}\n", md(warning)));
        }
        out.push('\n');
    }

    out.push_str(&format!("{h} Provenance\n\n| | |\n|---|---|\n"));
    let p = &r.provenance;
    let commit = p.commit_text().unwrap_or_default();
    let rows = [
        (
            "corelab",
            match commit.is_empty() {
                true => format!("{} (commit not recorded)", r.corelab_version),
                false => format!("{}, commit {commit}", r.corelab_version),
            },
        ),
        ("Command", p.command.clone().unwrap_or_default()),
        ("Preset", p.preset_source.clone().unwrap_or_default()),
    ];
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {} |\n", md(or_dash(&v))));
    }
    out.push('\n');

    out.push_str(&format!("{h} Machine\n\n| | |\n|---|---|\n"));
    let m = &r.machine;
    let rows = [
        ("CPU", m.cpu_brand.clone()),
        (
            "Cores",
            format!(
                "{} physical / {} logical",
                m.physical_cores.map_or("?".into(), |p| p.to_string()),
                m.logical_cores
            ),
        ),
        (
            "Memory",
            format!("{:.1} GiB", m.memory_bytes as f64 / (1u64 << 30) as f64),
        ),
        ("OS", format!("{} (kernel {})", m.os, or_dash(&m.kernel))),
        ("Architecture", m.arch.clone()),
        ("Host", m.hostname.clone()),
        (
            "Load average at start",
            m.load_average.map_or(String::new(), |l| {
                format!("{l:.2} (one-minute, all programs)")
            }),
        ),
        ("Load during runs", load_during_runs(m)),
        (
            "Build",
            text_or_not_recorded(m.build.as_ref(), BuildInfo::text),
        ),
        (
            "CPU setup",
            text_or_not_recorded(m.cpu_setup.as_ref(), CpuSetup::text),
        ),
    ];
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {} |\n", md(or_dash(&v))));
    }
    out.push('\n');
    if let Some(warning) = m.debug_build_warning() {
        out.push_str(&format!("> **Warning:** {}.\n\n", md(warning)));
    }
    if let Some(warning) = m.busy_warning() {
        out.push_str(&format!("> **Warning:** {}.\n\n", md(&warning)));
    }
    if let Some(note) = m.load_unknown_note() {
        out.push_str(&format!("> **Note:** {}.\n\n", md(&note)));
    }

    out.push_str(&format!("{h} Experiment\n\n| | |\n|---|---|\n"));
    let t = &e.task;
    let params = t.own_parameters_json();
    let workers: Vec<String> = e.workers.iter().map(|w| w.to_string()).collect();
    let models: Vec<&str> = e.models.iter().map(|m| m.id()).collect();
    let baseline = format!(
        "{}: {}",
        or_dash(&r.baseline.description),
        r.baselines().describe()
    );
    let rows = [
        ("Name", md(&e.name)),
        (
            "Task",
            format!(
                "{}, {} tasks, `{}`",
                t.kind,
                t.tasks,
                params.replace('`', "'")
            ),
        ),
        ("Workers", workers.join(", ")),
        ("Models", models.join(", ")),
        ("Repetitions", repetitions_rule(r)),
        ("Baseline", md(&baseline)),
        ("Timeout", format!("{} s per run", e.timeout_s)),
    ];
    for (k, v) in rows {
        out.push_str(&format!("| {k} | {v} |\n"));
    }
    for (k, v) in machine_fit_rows(r) {
        out.push_str(&format!("| {k} | {} |\n", md(&v)));
    }
    if e.models.contains(&ModelKind::GilThreads) {
        out.push_str(&format!(
            "| GIL switch interval | {} ms |\n",
            e.gil.switch_interval_ms
        ));
    }
    out.push('\n');
    for model in &e.models {
        out.push_str(&format!("- **{}**: {}\n", model, md(model.explanation())));
    }
    out.push('\n');

    out.push_str(&format!("{h} Results\n\n"));
    out.push_str(
        "| model | workers | n | median (s) | median CI (s) | min – max (s) | speedup | speedup CI | efficiency | cores busy | work | note |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n",
    );
    let baselines = r.baselines();
    for c in &r.cells {
        let mut note = cell_text::note(r, c);
        // Checksums that differ between the runs of a contention task are its lost updates:
        // the note already counts them where the runs did, else it names them.
        let counted = crate::results::lost_share(r, c).is_some();
        if !c.checksums_agree && c.samples.len() > 1 && !counted {
            if !note.is_empty() {
                note.push_str("; ");
            }
            note.push_str(match e.task.kind {
                TaskKind::Contention => "lost updates (checksums differ between runs)",
                _ => "checksums differ between runs",
            });
        }
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            c.model_id(),
            c.workers,
            c.samples.len(),
            c.wall
                .as_ref()
                .map_or("—".into(), |s| cell_text::seconds(s.median)),
            cell_text::median_ci(c),
            cell_text::min_max(c),
            cell_text::speedup_text(c),
            cell_text::speedup_ci(c, baselines.is_baseline(c)),
            cell_text::efficiency_percent(c),
            cell_text::fixed(c.cpu_utilisation, 2),
            cell_text::fixed(c.work_vs_baseline, 2),
            md(note.trim())
        ));
    }
    out.push_str(
        "\n*n* is the number of timed runs of the cell. \
         The median is plotted, with its 95% confidence interval as the error bar. The interval \
         is distribution-free, from order statistics (the binomial distribution of ranks); with \
         fewer than 6 runs no pair of runs reaches 95%, and the range of the runs is given with \
         its coverage in brackets. A speedup divides two measured medians, so its interval \
         holds both: the baseline's and the cell's intervals, combined on a log scale (root \
         sum of squares); it is a 95% interval where both have 6 runs or more, and otherwise \
         bears the lower of the two coverages in brackets, e.g. (75% CI); a single run has no \
         interval at all. The baseline's own speedup is 1 by \
         definition. Outliers are runs \
         whose modified z-score, 0.6745·|x − median| / MAD, exceeds 3.5; they are kept in the \
         median.\n\n",
    );

    verdict_section(out, r, h);
    out.push_str(&super::costs_text::costs_markdown(r, h));
    out.push_str(&format!("{h} Scaling fits\n\n"));
    if fits.is_empty() {
        out.push_str("No multi-worker model to fit.\n\n");
        return;
    }
    out.push_str(
        "| model | Amdahl serial fraction s (of fitted T1) | fitted T1 (s) | Amdahl max speedup | R² | USL σ | USL κ | USL peak N* | USL scale | R² | fitted on |\n\
         |---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|\n",
    );
    for fit in fits {
        let (s, t1, max, ar2) = fit.amdahl.as_ref().map_or(
            ("—".into(), "—".into(), "—".into(), "—".into()),
            |a| {
                (
                    format!("{:.3}", a.serial_fraction),
                    format!("{:.4}", a.t1),
                    fit.max_speedup().map_or("—".into(), |b| {
                        // Two points promise no bound (the reading says so too).
                        let untested = match fit.amdahl_test() {
                            Some(AmdahlTest::Tested) | None => "",
                            Some(_) => " (2 points, untested)",
                        };
                        format!("{} over {}{untested}", b.text(), md(&b.over))
                    }),
                    // Two worker counts are no test: no R² (see `AmdahlTest`).
                    fit.amdahl_test()
                        .and_then(|t| t.short_words())
                        .map_or(format!("{:.3}", a.r_squared), |w| format!("— ({w})")),
                )
            },
        );
        let (sigma, kappa, peak, scale, ur2) = fit.usl.as_ref().map_or(
            ("—".into(), "—".into(), "—".into(), "—".into(), "—".into()),
            |u| {
                (
                    format!("{:.4}", u.sigma),
                    // A bound fitted as −0 reads 0.
                    format!("{:.5}", u.kappa + 0.0),
                    u.peak_workers
                        .map_or("none (κ = 0: levels off)".into(), |p| p.to_string()),
                    if u.scale_fitted {
                        format!("{:.3} (fitted)", u.scale)
                    } else if (u.scale - 1.0).abs() > 1e-12 {
                        format!("{:.3} (own 1 worker)", u.scale)
                    } else {
                        "1".into()
                    },
                    format!("{:.3}", u.r_squared),
                )
            },
        );
        let on = match fit.quantity {
            FitQuantity::Speedup => "speedup",
            FitQuantity::Throughput => "throughput",
        };
        let range = fit
            .fitted_range()
            .map_or("—".into(), |(lo, hi)| format!("{on}, {lo}–{hi} workers"));
        out.push_str(&format!(
            "| {} | {s} | {t1} | {max} | {ar2} | {sigma} | {kappa} | {peak} | {scale} | {ur2} | {range} |\n",
            fit.model
        ));
    }
    out.push('\n');
    if fits.iter().any(|f| {
        f.amdahl
            .as_ref()
            .is_some_and(|a| a.serial_fraction_ci.is_some())
            || f.usl.as_ref().is_some_and(|u| u.intervals.is_some())
    }) {
        out.push_str(
            "Each point weighs in the fits by how precisely its median was measured (the inverse \
             variance from its 95% interval). Under each reading, the 95% intervals of the fitted \
             parameters (a parametric bootstrap from the points' intervals); *poorly determined* \
             marks one wider than its value, whose figure in the table then means little.\n\n",
        );
    }
    for fit in fits {
        out.push_str(&format!("- {}\n", md(&fit.reading)));
        if let Some(line) = intervals_line(fit) {
            out.push_str(&format!("  - 95% intervals: {line}\n"));
        }
        if let Some(caveat) = &fit.caveat {
            out.push_str(&format!("  - *Read with care:* {}\n", md(caveat)));
        }
        if !fit.karp_flatt.is_empty() {
            let kf: Vec<String> = fit
                .karp_flatt
                .iter()
                .map(|k| format!("{} → {:.3}", k.workers, k.serial_fraction))
                .collect();
            out.push_str(&format!(
                "  - Karp–Flatt serial fraction by workers (from the speedups over {} × 1, the time Amdahl's s is a share of): {}\n",
                fit.model,
                kf.join(", ")
            ));
        }
        for why in &fit.refused {
            out.push_str(&format!("  - not fitted: {}\n", md(why)));
        }
    }
    out.push('\n');
}

/// The 95% intervals of a model's fitted parameters, one phrase each: "serial fraction
/// 0.032–0.050 (max speedup 20–31×); σ 0.040–0.061; κ 0–0.0021, poorly determined; peak
/// 18–27 workers". `None` when the fits have none.
/// The verdict ([`crate::analysis::verdict`]) as a list, the same lines as the terminal's and
/// the workbench's; nothing when no cell completed.
fn verdict_section(out: &mut String, r: &ResultsFile, h: &str) {
    let lines = crate::analysis::verdict(r);
    if lines.is_empty() {
        return;
    }
    out.push_str(&format!("{h} Verdict\n\n"));
    for line in &lines {
        out.push_str(&format!("- {}\n", md(&line.text)));
    }
    out.push_str(
        "\nTwo cells are told apart only where the interval of the ratio of their medians \
         (both medians' intervals combined, as for a speedup) leaves out 1.\n\n",
    );
}

fn intervals_line(fit: &ModelFit) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(a) = &fit.amdahl
        && let Some((lo, hi)) = a.serial_fraction_ci
    {
        let poorly = if share_too_wide(a.serial_fraction, lo, hi) {
            ", poorly determined"
        } else {
            ""
        };
        let max = fit
            .max_speedup()
            .and_then(|b| Some((b.ci?, b.over)))
            .map_or(String::new(), |((l, h), over)| {
                format!(" (max speedup over {}: {})", md(&over), speedup_range(l, h))
            });
        parts.push(format!(
            "serial fraction {}{max}{poorly}",
            coefficient_range(lo, hi)
        ));
    }
    if let Some(u) = &fit.usl
        && let Some(iv) = &u.intervals
    {
        parts.push(coefficient_phrase("σ", u.sigma, iv.sigma));
        parts.push(coefficient_phrase("κ", u.kappa, iv.kappa));
        if let (Some(p), Some((lo, hi))) = (u.peak_workers, iv.peak_workers) {
            let poorly = if too_wide(p as f64, lo as f64, hi.map(|h| h as f64)) {
                ", poorly determined"
            } else {
                ""
            };
            parts.push(format!("peak {}{poorly}", workers_range(lo, hi)));
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// "σ 0.040–0.061", or "κ 0–0.0021, poorly determined" (see [`coefficient_too_wide`]).
fn coefficient_phrase(name: &str, value: f64, (lo, hi): (f64, f64)) -> String {
    let poorly = if coefficient_too_wide(value, lo, hi) {
        ", poorly determined"
    } else {
        ""
    };
    format!("{name} {}{poorly}", coefficient_range(lo, hi))
}

/// Other programs' load while the sweep's runs were timed, e.g. `0.68 cores on average, up
/// to 1.13, of the 2.0 this sweep could use; 36 of 55 timed runs marked busy`; from files
/// before per-run sampling, the cores busy at the start; empty when neither was recorded.
fn load_during_runs(m: &crate::results::MachineInfo) -> String {
    if let Some(l) = &m.load_during_runs {
        let mut text = format!(
            "other programs used {:.2} cores on average, up to {:.2}, of the {:.1} this sweep could use; {} of {} timed runs marked busy",
            l.mean_other_cores, l.max_other_cores, l.usable_cores, l.busy_runs, l.runs
        );
        if l.unjudged_runs > 0 {
            text.push_str(&format!(", {} too short to judge", l.unjudged_runs));
        }
        return text;
    }
    m.busy_cores_at_start.map_or(String::new(), |b| {
        format!("{b:.2} cores used by other programs as the sweep started")
    })
}

/// The rule that decided how many timed runs each cell took, as `engine::RunCount` applies
/// it (the repetitions, then the minimum time, then the precision target with its budget and
/// the 6 runs a 95% interval needs), and the range of runs the cells got.
fn repetitions_rule(r: &ResultsFile) -> String {
    let e = &r.experiment;
    let cap = crate::preset::limits::MAX_REPETITIONS.max(e.repetitions);
    let mut rule = format!(
        "at least {} timed{}",
        e.repetitions,
        cell_text::more_runs_rule(e)
    );
    match (e.precision > 0.0, e.min_time_s > 0.0) {
        (true, _) => rule.push_str(&format!(
            " (at least {}, the fewest with a 95% interval; at most {cap})",
            crate::stats::MIN_SAMPLES_FOR_95.max(e.repetitions as usize)
        )),
        (false, true) => rule.push_str(&format!(" (at most {cap})")),
        (false, false) => {}
    }
    rule.push_str(&format!("; {} warm-up per cell", e.warmups));
    let runs: Vec<usize> = r
        .cells
        .iter()
        .filter(|c| !c.samples.is_empty())
        .map(|c| c.samples.len())
        .collect();
    if let (Some(lo), Some(hi)) = (runs.iter().min(), runs.iter().max()) {
        match lo == hi {
            true => rule.push_str(&format!(". Every cell measured got {lo} runs")),
            false => rule.push_str(&format!(". The cells got {lo} to {hi} runs")),
        }
    }
    rule
}

fn or_dash(s: &str) -> &str {
    if s.trim().is_empty() { "—" } else { s }
}

/// Escapes what would break a table cell or start unintended formatting.
fn md(s: &str) -> String {
    super::sanitize::for_markdown(s).into_owned()
}

/// Report rows for the worker rule, the precision target and the calibration (issue 14);
/// none when the experiment uses none of them.
fn machine_fit_rows(r: &ResultsFile) -> Vec<(&'static str, String)> {
    let e = &r.experiment;
    let mut rows = Vec::new();
    if let Some(rule) = &e.worker_rule {
        rows.push((
            "Worker rule",
            format!("{} (resolved here)", rule.describe()),
        ));
    }
    if let Some(outcome) = super::cell_text::precision_outcome(r) {
        rows.push((
            "Precision",
            format!(
                "target ±{:.1}% (95% CI of the median), budget {} s per cell: {outcome}",
                e.precision * 100.0,
                e.precision_budget_s,
            ),
        ));
    }
    if let Some(cal) = &r.calibration {
        let trials: Vec<String> = cal
            .trials
            .iter()
            .map(|t| format!("{} → {:.3} s", t.size, t.wall_s))
            .collect();
        let text = match &cal.error {
            Some(err) => format!(
                "target {} s per run; failed ({err}), the preset's {} = {} was kept",
                cal.target_run_s, cal.knob, cal.preset_size
            ),
            None => format!(
                "target {} s per run on {}: {} = {} (preset {}); trials {}",
                cal.target_run_s,
                cal.model.map_or("sequential", |m| m.id()),
                cal.knob,
                cal.chosen_size,
                cal.preset_size,
                trials.join(", ")
            ),
        };
        let text = match &cal.arrays {
            Some(arrays) => format!("{}; {text}", arrays.describe()),
            None => text,
        };
        rows.push(("Calibration", text));
    }
    rows
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_charts_link_is_relative_to_the_markdown_files_folder() {
        use std::path::Path;
        let link = |chart: &str, md: &str| image_link(Path::new(chart), Path::new(md));
        assert_eq!(link("c.png", "r.md"), "c.png");
        assert_eq!(link("dir1/c.png", "dir1/r.md"), "c.png");
        assert_eq!(link("dir2/c.png", "dir1/r.md"), "../dir2/c.png");
        assert_eq!(link("charts/c.png", "r.md"), "charts/c.png");
        assert_eq!(link("c.png", "a/b/r.md"), "../../c.png");
        assert_eq!(link("/srv/www/c.png", "/srv/r/./x/../r.md"), "../www/c.png");
        // A relative path against an absolute one: both from the current directory.
        let here = std::env::current_dir().unwrap();
        let md = here.join("out/r.md");
        assert_eq!(link("out/c.svg", md.to_str().unwrap()), "c.svg");
        // A destination Markdown would cut at the space is put in angle brackets.
        let text = markdown_report(
            &[ChartRun {
                label: "x",
                results: &crate::results::ResultsFile::default(),
            }],
            &[ReportImage {
                alt: "speedup",
                path: "../my charts/c.png",
            }],
        );
        assert!(text.contains("![speedup](<../my charts/c.png>)"), "{text}");
    }
    use super::*;
    use crate::preset::Experiment;
    use crate::results::{CellResult, Sample};

    fn results() -> ResultsFile {
        let mut r = ResultsFile {
            experiment: Experiment {
                name: "Demo | pipes".into(),
                workers: vec![1, 2, 4],
                models: vec![ModelKind::Sequential, ModelKind::Threads],
                ..Experiment::default()
            },
            status: RunStatus::Complete,
            ..ResultsFile::default()
        };
        let mut push = |model, workers, wall: f64| {
            r.cells
                .push(CellResult::with_walls(model, workers, &[wall, wall * 1.1]))
        };
        push(ModelKind::Sequential, 1, 4.0);
        push(ModelKind::Threads, 1, 4.0);
        push(ModelKind::Threads, 2, 2.2);
        push(ModelKind::Threads, 4, 1.3);
        r.cells.push(CellResult {
            model: Some(ModelKind::Threads),
            workers: 8,
            status: CellStatus::Failed,
            error: Some("timed out".into()),
            ..CellResult::default()
        });
        r.recompute();
        r
    }

    /// The report of `r` alone, labelled `demo`, without images.
    fn report_of(r: &ResultsFile) -> String {
        markdown_report(
            &[ChartRun {
                label: "demo",
                results: r,
            }],
            &[],
        )
    }

    #[test]
    fn report_has_every_section_and_escapes_pipes() {
        let r = results();
        let text = markdown_report(
            &[ChartRun {
                label: "demo",
                results: &r,
            }],
            &[ReportImage {
                alt: "speedup",
                path: "demo.png",
            }],
        );
        assert!(text.starts_with("# Demo \\| pipes\n"), "{text}");
        assert!(text.contains("![speedup](demo.png)"));
        for section in [
            "## Status",
            "## Machine",
            "## Experiment",
            "## Results",
            "## Verdict",
            "## Scaling fits",
        ] {
            assert!(text.contains(section), "missing {section}");
        }
        assert!(text.contains("| threads | 4 | 2 | 1.3650 |"), "{text}");
        // Two runs each: the speedup's interval says it covers only 50%.
        assert!(text.contains("| speedup CI |"), "{text}");
        assert!(text.contains("2.88 – 3.29 (50% CI) | 77 % |"), "{text}");
        assert!(text.contains("threads × 8 failed: timed out"));
        // The verdict sits between the table and the fits, in the analysis's own words.
        let (table, verdict) = (
            text.find("## Results").unwrap(),
            text.find("## Verdict").unwrap(),
        );
        assert!(table < verdict && verdict < text.find("## Scaling fits").unwrap());
        for line in crate::analysis::verdict(&r) {
            assert!(text.contains(&format!("- {}\n", md(&line.text))), "{text}");
        }
        assert!(
            text.contains("- Fastest: threads × 4, 1.37 s (3.1× the baseline \\[2.9–3.3, a 50% interval: fewer than 6 runs\\]).\n"),
            "{text}"
        );
        assert!(text.contains("4 cells ok, 1 failed"));
        // Two runs a cell, 10% apart: each median is known to about ±10%, and three such
        // points cannot pin the serial fraction down (0–24%): the reading gives only the bound
        // they support, and the table the range.
        assert!(
            text.contains(
                "- threads: at most about 24% of this work is serial (Amdahl; 95% CI 0–24%)"
            ),
            "{text}"
        );
        assert!(
            text.contains("  - 95% intervals: serial fraction 0–0.2"),
            "{text}"
        );
        // σ's interval carries threads × 1's own ±10% too (the speedups are normalised to
        // it): 0–0.24, where ignoring it gave 0–0.1x.
        assert!(text.contains("), poorly determined; σ 0–0.24"), "{text}");
        assert!(
            text.contains("Under each reading, the 95% intervals"),
            "{text}"
        );
    }

    #[test]
    fn the_sweeps_warnings_have_a_section_after_the_status_and_none_without_any() {
        let mut r = results();
        let text = report_of(&r);
        assert!(!text.contains("Sweep warnings"), "{text}");
        r.warnings = vec![
            "threads × 2: a process the cell left was still there 2 s after SIGKILL when the \
             cell ended: pid 4242 (D: uninterruptible sleep)"
                .into(),
            "from a file: <img src=x> | a\nsecond line".into(),
        ];
        let text = report_of(&r);
        assert!(
            text.contains(
                "## Sweep warnings\n\n\
                 - threads × 2: a process the cell left was still there 2 s after SIGKILL when \
                 the cell ended: pid 4242 (D: uninterruptible sleep)\n\
                 - from a file: &lt;img src=x&gt; \\| a second line\n\n## Provenance"
            ),
            "{text}"
        );
        assert!(text.find("## Status").unwrap() < text.find("## Sweep warnings").unwrap());
    }

    #[test]
    fn descriptions_keep_code_and_lost_updates_are_called_so() {
        let mut r = results();
        r.experiment.description =
            "Without `get_lock()`, `counter.value += 1` loses updates | <b>".into();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.sync = crate::preset::SyncMode::None;
        // threads × 2 counted its lost updates; threads × 4 is an older file's cell that only
        // has differing checksums; the sequential one agrees.
        for s in &mut r.cells[2].samples {
            s.lost_updates = Some(3);
        }
        r.cells[2].checksums_agree = false;
        r.cells[3].checksums_agree = false;
        let run = [ChartRun {
            label: "demo",
            results: &r,
        }];
        let text = markdown_report(&run, &[]);
        assert!(
            text.contains(
                "Without `get_lock()`, `counter.value += 1` loses updates \\| &lt;b&gt;\n"
            ),
            "{text}"
        );
        let row = |prefix: &str| {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} row in {text}"))
                .to_string()
        };
        let two = row("| threads | 2 |");
        assert!(
            two.contains("lost updates in every one of 2 runs (up to 3 in one run, 0.00015%)"),
            "{two}"
        );
        assert!(!two.contains("checksums differ"), "{two}");
        let four = row("| threads | 4 |");
        assert!(
            four.contains("lost updates (checksums differ between runs)"),
            "{four}"
        );
        // Another kind of task keeps the plain words.
        r.experiment.task.kind = TaskKind::Cpu;
        let run = [ChartRun {
            label: "demo",
            results: &r,
        }];
        let four = markdown_report(&run, &[])
            .lines()
            .find(|l| l.starts_with("| threads | 4 |"))
            .unwrap()
            .to_string();
        assert!(four.ends_with("checksums differ between runs |"), "{four}");
        assert!(!four.contains("lost updates"), "{four}");
    }

    #[test]
    fn fitted_parameters_carry_their_intervals() {
        assert_eq!(
            coefficient_phrase("σ", 0.05, (0.04, 0.061)),
            "σ 0.040–0.061"
        );
        assert_eq!(
            coefficient_phrase("κ", 0.0004, (0.0, 0.0021)),
            "κ 0–0.0021, poorly determined"
        );
        assert_eq!(coefficient_phrase("κ", 0.0, (0.0, 0.0012)), "κ 0–0.0012");
        let mut fit = fit_results(&results()).remove(0);
        let a = fit.amdahl.as_mut().unwrap();
        (a.serial_fraction, a.serial_fraction_ci) = (0.041, Some((0.032, 0.05)));
        let u = fit.usl.as_mut().unwrap();
        u.peak_workers = Some(22);
        u.intervals = Some(crate::stats::UslIntervals {
            sigma: (0.04, 0.061),
            kappa: (0.0015, 0.0026),
            peak_workers: Some((18, Some(27))),
        });
        (u.sigma, u.kappa) = (0.05, 0.002);
        assert_eq!(
            intervals_line(&fit).unwrap(),
            "serial fraction 0.032–0.050 (max speedup over sequential × 1: 20–31×); σ 0.040–0.061; κ 0.0015–0.0026; peak 18–27 workers"
        );
        fit.amdahl.as_mut().unwrap().serial_fraction_ci = Some((0.36, 1.0));
        fit.amdahl.as_mut().unwrap().serial_fraction = 0.97;
        assert!(intervals_line(&fit).unwrap().starts_with(
            "serial fraction 0.36–1.00 (max speedup over sequential × 1: 1.0–2.8×), poorly determined;"
        ));
        fit.amdahl = None;
        fit.usl = None;
        assert_eq!(intervals_line(&fit), None);
    }

    /// Sequential 0.3 s; processes (by hand, Amdahl with s = 0.8, T1 = 0.25 s) 0.25, 0.225
    /// and 0.2125 s at 1, 2 and 4 workers: 0.2 s stays serial.
    fn slower_baseline(workers: &[usize]) -> ResultsFile {
        let mut r = ResultsFile {
            experiment: Experiment {
                workers: workers.to_vec(),
                models: vec![ModelKind::Sequential, ModelKind::Processes],
                ..Experiment::default()
            },
            status: RunStatus::Complete,
            ..ResultsFile::default()
        };
        let mut push = |model, workers, wall: f64| {
            r.cells
                .push(CellResult::with_walls(model, workers, &[wall]))
        };
        push(ModelKind::Sequential, 1, 0.3);
        for &n in workers {
            push(ModelKind::Processes, n, 0.2 + 0.05 / n as f64);
        }
        r.recompute();
        r
    }

    fn fits_row(text: &str) -> String {
        // The one model's row, after the fits table's header and its rule.
        text.lines()
            .skip_while(|l| !l.starts_with("| model | Amdahl"))
            .nth(2)
            .filter(|l| l.starts_with("| processes | "))
            .unwrap_or_else(|| panic!("no fits row in {text}"))
            .to_string()
    }

    #[test]
    fn the_fits_bound_is_over_the_baseline_of_the_speedups_beside_it() {
        let r = slower_baseline(&[1, 2, 4]);
        let run = [ChartRun {
            label: "demo",
            results: &r,
        }];
        let text = markdown_report(&run, &[]);
        // Over sequential: 0.3 / 0.2 = 1.50× (1/s = 1.25× would sit below the measured
        // processes × 4, 0.3 / 0.2125 = 1.41×).
        let row = fits_row(&text);
        assert!(
            row.starts_with("| processes | 0.800 | 0.2500 | 1.50× over sequential × 1 | 1.000 |"),
            "{row}"
        );
        assert!(text.contains("Amdahl max speedup"), "{text}");
        // Karp–Flatt over processes × 1 gives Amdahl's 0.8 at both counts.
        assert!(
            text.contains(
                "over processes × 1, the time Amdahl's s is a share of): 2 → 0.800, 4 → 0.800"
            ),
            "{text}"
        );
    }

    #[test]
    fn two_point_fits_show_no_r_squared() {
        let r = slower_baseline(&[1, 2]);
        let run = [ChartRun {
            label: "demo",
            results: &r,
        }];
        let row = fits_row(&markdown_report(&run, &[]));
        assert!(row.contains(" | — (exact: 2 points) | "), "{row}");
        assert!(
            row.contains("× over sequential × 1 (2 points, untested) | "),
            "{row}"
        );
        assert!(!row.contains("1.000"), "{row}");
        // Slower with two workers: clamped at s = 1, which misses both points.
        let mut slower = r.clone();
        for c in &mut slower.cells {
            if c.model == Some(ModelKind::Processes) && c.workers == 2 {
                c.samples[0].wall_s = 0.26;
            }
        }
        slower.recompute();
        let run = [ChartRun {
            label: "demo",
            results: &slower,
        }];
        let row = fits_row(&markdown_report(&run, &[]));
        assert!(row.contains(" | — (clamped: 2 points) | "), "{row}");
        assert!(!row.contains("exact"), "{row}");
    }

    #[test]
    fn the_repetitions_row_states_the_rule_that_applied_and_the_runs_got() {
        let mut r = results();
        r.experiment.repetitions = 5;
        r.experiment.min_time_s = 0.5;
        r.experiment.warmups = 1;
        let rule = repetitions_rule(&r);
        assert_eq!(
            rule,
            "at least 5 timed, more while the timed runs add up to less than 0.5 s (at most 1000); 1 warm-up per cell. Every cell measured got 2 runs"
        );
        r.experiment.precision = 0.02;
        r.experiment.precision_budget_s = 1.5;
        r.cells[1].samples = vec![Sample::default(); 7];
        r.cells[2].samples = vec![Sample::default(); 9];
        let rule = repetitions_rule(&r);
        assert!(
            rule.contains(", more until the median's 95% CI is within ±2.0% or the cell's timed runs have taken 1.5 s (at least 6, the fewest with a 95% interval; at most 1000); 1 warm-up per cell"),
            "{rule}"
        );
        assert!(rule.ends_with("The cells got 2 to 9 runs"), "{rule}");
        let text = report_of(&r);
        assert!(
            text.contains(&format!("| Repetitions | {rule} |")),
            "{text}"
        );
    }

    #[test]
    fn the_build_and_the_cpu_setup_are_shown_and_a_debug_build_is_flagged() {
        let mut r = results();
        let report = |r: &ResultsFile| {
            markdown_report(
                &[ChartRun {
                    label: "demo",
                    results: r,
                }],
                &[],
            )
        };
        // A file from before they were recorded says so, and warns of nothing.
        let text = report(&r);
        assert!(text.contains("| Build | not recorded |"), "{text}");
        assert!(text.contains("| CPU setup | not recorded |"), "{text}");
        assert!(!text.contains("debug build"), "{text}");
        r.machine.build = Some(crate::results::BuildInfo {
            profile: "release".into(),
            opt_level: "3".into(),
            rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
        });
        r.machine.cpu_setup = Some(crate::results::CpuSetup {
            governor: "performance".into(),
            turbo: crate::results::CpuSetting::Off,
            smt: crate::results::CpuSetting::On,
            numa_nodes: Some(2),
        });
        let text = report(&r);
        assert!(
            text.contains(
                "| Build | release build (opt-level 3), rustc 1.95.0 (59807616e 2026-04-14) |"
            ),
            "{text}"
        );
        assert!(
            text.contains("| CPU setup | governor performance, turbo off, SMT on, 2 NUMA nodes |"),
            "{text}"
        );
        assert!(!text.contains("debug build"), "{text}");
        r.machine.build.as_mut().unwrap().profile = "debug".into();
        let text = report(&r);
        assert!(
            text.contains("| Build | DEBUG BUILD, not for publishing (opt-level 3)"),
            "{text}"
        );
        assert!(
            text.contains("> **Warning:** debug build: not for publishing"),
            "{text}"
        );
    }

    #[test]
    fn provenance_and_the_load_during_the_runs_are_shown() {
        let mut r = results();
        let text = report_of(&r);
        // A file from before provenance was recorded says so, and claims nothing.
        assert!(
            text.contains("| corelab | 0.1.0 (commit not recorded) |"),
            "{text}"
        );
        assert!(text.contains("| Command | — |"), "{text}");
        assert!(text.contains("| Load during runs | — |"), "{text}");
        r.provenance = crate::results::Provenance {
            commit: Some("9fb3689".into()),
            tree_modified: Some(true),
            command: Some("corelab run cpu-bound --out a.json".into()),
            preset_source: Some("built-in preset cpu-bound".into()),
            ..crate::results::Provenance::default()
        };
        r.machine.load_average = Some(1.5);
        r.machine.load_during_runs = Some(crate::results::LoadSummary {
            runs: 55,
            busy_runs: 36,
            mean_other_cores: 0.68,
            max_other_cores: 1.13,
            usable_cores: 2.0,
            ticks_per_cpu: 100.0,
            busy: true,
            unjudged_runs: 0,
        });
        let text = report_of(&r);
        for row in [
            "| corelab | 0.1.0, commit 9fb3689 (tree modified: tracked files differed from it) |",
            "| Command | corelab run cpu-bound --out a.json |",
            "| Preset | built-in preset cpu-bound |",
            "| Load average at start | 1.50 (one-minute, all programs) |",
            "| Load during runs | other programs used 0.68 cores on average, up to 1.13, of the 2.0 this sweep could use; 36 of 55 timed runs marked busy |",
        ] {
            assert!(text.contains(row), "{row} in {text}");
        }
        assert!(!text.contains("Busy at start"), "{text}");
    }

    #[test]
    fn comparison_report_labels_each_run() {
        let (a, b) = (results(), results());
        let text = markdown_report(
            &[
                ChartRun {
                    label: "laptop",
                    results: &a,
                },
                ChartRun {
                    label: "big",
                    results: &b,
                },
            ],
            &[],
        );
        assert!(text.starts_with("# Comparison: laptop vs big"));
        assert!(text.contains("## laptop — Demo"));
        assert!(text.contains("## big — Demo"));
        assert!(text.contains("- **big**: threads:"));
        assert!(text.contains("### Scaling fits"));
        // The same experiment on the same machine by the same build: nothing to point out.
        assert!(!text.contains("What differs"), "{text}");
        let mut c = results();
        c.experiment.task.cpu.size *= 2;
        let text = markdown_report(
            &[
                ChartRun {
                    label: "laptop",
                    results: &a,
                },
                ChartRun {
                    label: "big",
                    results: &c,
                },
            ],
            &[],
        );
        assert!(
            text.contains("## What differs between the compared runs\n\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "- task size (wall times are of different work): laptop: task.cpu.size = "
            ),
            "{text}"
        );
    }

    #[test]
    fn the_rule_precision_and_calibration_are_reported() {
        let mut r = results();
        assert!(machine_fit_rows(&r).is_empty());
        r.experiment.worker_rule = Some(crate::preset::WorkerRule::AUTO);
        r.experiment.precision = 0.02;
        // Six identical runs: a 95% interval of width 0, the target met.
        r.cells[1].samples = vec![
            Sample {
                wall_s: 1.0,
                ..Sample::default()
            };
            6
        ];
        // The summaries follow the samples, as they do in every file corelab writes or opens.
        r.recompute();
        r.calibration = Some(crate::preset::Calibration {
            target_run_s: 0.25,
            knob: "task.cpu.size".into(),
            preset_size: 1000.0,
            chosen_size: 500.0,
            trials: vec![crate::preset::CalibrationTrial {
                size: 62.0,
                wall_s: 0.031,
            }],
            model: Some(ModelKind::Sequential),
            error: None,
            arrays: None,
        });
        let rows = machine_fit_rows(&r);
        let text: Vec<String> = rows.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        assert_eq!(
            text[0],
            "Worker rule: powers of 2 up to cores (resolved here)"
        );
        assert!(
            text[1].starts_with("Precision: target ±2.0%"),
            "{}",
            text[1]
        );
        assert!(
            text[1].contains("met by 1 of 4 complete cells"),
            "{}",
            text[1]
        );
        assert!(
            text[2].contains("task.cpu.size = 500 (preset 1000); trials 62 → 0.031 s"),
            "{}",
            text[2]
        );

        // A sweep cancelled before any cell completed judges nothing (it had read "met by 0 of
        // 0 cells, worst ±0.0%", perfect precision).
        for c in &mut r.cells {
            c.status = CellStatus::Cancelled;
        }
        let rows = machine_fit_rows(&r);
        assert!(
            rows[1].1.ends_with(": no complete cell to judge"),
            "{}",
            rows[1].1
        );
        // Complete cells too short for any 95% interval are not "worst ±0.0%" either.
        r.cells[0].status = CellStatus::Ok;
        r.cells[0].samples.truncate(3);
        r.recompute();
        let rows = machine_fit_rows(&r);
        assert!(
            rows[1].1.ends_with(
                ": met by none of 1 complete cell: none has the runs a 95% interval needs"
            ),
            "{}",
            rows[1].1
        );
    }
}
