//! How one cell of the summary reads, shared by the terminal table and the Markdown report.

use crate::engine::MoreRuns;
use crate::preset::ModelKind;
use crate::results::{CellResult, CellStatus, ResultsFile, lost_share};
use crate::stats::FULL_COVERAGE;

/// `v` with `places` decimals, or a dash when missing.
pub fn fixed(v: Option<f64>, places: usize) -> String {
    v.map_or("—".to_string(), |x| format!("{x:.places$}"))
}

/// Decimals that show a time in seconds to four significant digits, never fewer than four:
/// `0.2632`, `0.03510`, `0.0001203` (a 0.1 ms run is not shown as `0.0001`). In `words`, so
/// that the results' baseline line reads as the table does.
pub use crate::words::seconds_places;

/// A time in seconds with [`seconds_places`] decimals, no unit.
pub fn seconds(v: f64) -> String {
    format!("{v:.*}", seconds_places(v))
}

/// `low – high` seconds, both with the decimals the smaller needs, more where those would
/// print two different ends alike (`0.32146 – 0.32149`, not `0.3215 – 0.3215`).
pub fn seconds_range(low: f64, high: f64) -> String {
    let usual = seconds_places(low.min(high));
    let places = crate::stats::places_apart(low, high, usual, usual + 4);
    format!("{low:.places$} – {high:.places$}")
}

/// The cell's speedup interval as it is shown: `None` where the table says there is none
/// (`1 run, no interval`) or the cell has none (the baseline's own).
fn shown_speedup_interval(c: &CellResult) -> Option<(f64, f64)> {
    if no_speedup_interval(c).is_some() {
        return None;
    }
    Some((c.speedup_ci_low?, c.speedup_ci_high?))
}

/// The decimals of a cell's speedup and its interval: two, more where two would misstate the
/// interval (its ends printed alike, or an interval clear of 1× printed as touching it:
/// `0.9952 – 0.9955`, not `1.00 – 1.00`; see [`crate::stats::interval_places`]).
pub fn speedup_places(c: &CellResult) -> usize {
    shown_speedup_interval(c).map_or(2, |(l, h)| crate::stats::interval_places(l, h, 1.0, 2, 6))
}

/// The cell's speedup with [`speedup_places`] decimals (`2.00`, `0.9953`), or a dash.
pub fn speedup_text(c: &CellResult) -> String {
    fixed(c.speedup, speedup_places(c))
}

/// Efficiency in percent, whole numbers (`93 %`), as every chart and table shows it; with a
/// decimal or two where the speedup's interval is clear of the ideal and whole numbers would
/// print it as `100 %` (`99.5 %`).
pub fn efficiency_percent(c: &CellResult) -> String {
    c.efficiency.map_or("—".to_string(), |e| {
        let pct = super::chart_model::percent(e);
        let places = match (shown_speedup_interval(c), c.speedup) {
            (Some((l, h)), Some(s)) if s > 0.0 => {
                let k = pct / s;
                crate::stats::places_clear_of(l * k, h * k, 100.0, 0, 2)
            }
            _ => 0,
        };
        format!("{pct:.places$} %")
    })
}

/// Fastest and slowest run, `min – max` seconds.
pub fn min_max(c: &CellResult) -> String {
    c.wall
        .as_ref()
        .map_or("—".into(), |s| seconds_range(s.min, s.max))
}

/// Why a cell's speedup has no interval worth the name: one run of the cell, or of the
/// baseline, gives a single value (coverage 0), not an interval.
pub(crate) fn no_speedup_interval(c: &CellResult) -> Option<&'static str> {
    c.speedup_ci_low?;
    if c.samples.len() == 1 {
        Some("1 run, no interval")
    } else if c.speedup_ci_coverage.is_some_and(|v| v < 0.25) {
        // Two runs already cover 50%: below that, one of the two medians is a single run.
        Some("no interval (baseline: 1 run)")
    } else {
        None
    }
}

/// The confidence interval of the speedup, `low – high`
/// ([`CellResult::speedup_ci_low`]: the baseline's uncertainty included), with its coverage in
/// brackets where it is below 95% (the baseline or the cell has fewer than 6 runs: `0.96 –
/// 1.76 (75% CI)`), `1 run, no interval` for a single run; `baseline` for the baseline's own
/// cell, 1× by definition, which `is_baseline` says ([`crate::results::Baselines::is_baseline`]:
/// never guessed from a speedup of exactly 1).
pub fn speedup_ci(c: &CellResult, is_baseline: bool) -> String {
    if let Some(why) = no_speedup_interval(c) {
        return why.into();
    }
    let d = speedup_places(c);
    match (c.speedup_ci_low, c.speedup_ci_high) {
        (Some(l), Some(h)) if l == h => format!("{l:.d$} – {h:.d$} (runs tied)"),
        (Some(l), Some(h)) => match c.speedup_ci_coverage {
            Some(cov) if cov < FULL_COVERAGE => {
                format!("{l:.d$} – {h:.d$} ({:.0}% CI)", cov * 100.0)
            }
            _ => format!("{l:.d$} – {h:.d$}"),
        },
        _ if is_baseline => "baseline".into(),
        _ => "—".into(),
    }
}

/// The speedup's interval in words, for a screen reader or a hover: `95% CI 1.80 – 2.20×`,
/// `50% CI 1.80 – 2.20× (fewer than 6 runs)`, `1 run, no interval`; `None` without one.
pub fn speedup_ci_words(c: &CellResult) -> Option<String> {
    if let Some(why) = no_speedup_interval(c) {
        return Some(why.into());
    }
    let (l, h) = (c.speedup_ci_low?, c.speedup_ci_high?);
    let cov = c.speedup_ci_coverage.unwrap_or(0.95);
    let d = speedup_places(c);
    let tied = if l == h {
        " (runs tied: no width to judge)"
    } else {
        ""
    };
    Some(if cov < FULL_COVERAGE {
        format!(
            "{:.0}% CI {l:.d$} – {h:.d$}× (fewer than 6 runs){tied}",
            cov * 100.0
        )
    } else {
        format!("95% CI {l:.d$} – {h:.d$}×{tied}")
    })
}

/// A cell cancelled after some runs, for a chart's hover: `partial: cancelled after 3 runs`;
/// `None` for a cell that completed (or has no runs).
pub fn partial_words(c: &CellResult) -> Option<String> {
    c.is_partial().then(|| match c.samples.len() {
        1 => "partial: cancelled after 1 run".to_string(),
        n => format!("partial: cancelled after {n} runs"),
    })
}

/// The confidence interval of the median wall time, `low – high` seconds, with how precisely
/// that pins the median (`±1.2%`: [`crate::stats::median_precision`]) once there are the 6
/// runs a 95% interval needs, or its coverage when it is below 95% (fewer than 6 runs), e.g.
/// `1.0210 – 1.0388 ±0.87%` or `1.0210 – 1.0388 (94% CI)`.
pub fn median_ci(c: &CellResult) -> String {
    c.wall.as_ref().map_or("—".into(), |s| {
        if c.samples.len() == 1 {
            return "1 run, no interval".into();
        }
        let mut text = seconds_range(s.median_ci_low, s.median_ci_high);
        if s.median_ci_low == s.median_ci_high {
            // Identical runs (or runs the clock could not tell apart): an interval of no
            // width, whose coverage (which assumes no ties) and "±0" say nothing.
            text.push_str(" (runs tied)");
        } else if s.median_ci_coverage < FULL_COVERAGE {
            text.push_str(&format!(" ({:.0}% CI)", s.median_ci_coverage * 100.0));
        } else if let Some(p) = precision(c) {
            text.push_str(&format!(" {}", precision_text(p)));
        }
        text
    })
}

/// How precisely the cell's median wall time is known: the wider side of its 95% interval
/// (the larger of median − low and high − median, since the interval is lopsided) as a
/// fraction of the median ([`crate::stats::median_precision`]); `None` with fewer than 6 runs. From the wall-time summary,
/// which holds the median and its interval already.
pub fn precision(c: &CellResult) -> Option<f64> {
    c.wall
        .as_ref()
        .and_then(crate::stats::Summary::median_precision)
}

/// Whether the cell met the experiment's precision target; `None` without a target or for a
/// cell that did not complete.
pub fn precision_target_met(results: &crate::results::ResultsFile, c: &CellResult) -> Option<bool> {
    let target = results.experiment.precision;
    (target > 0.0 && c.status == CellStatus::Ok).then(|| precision(c).is_some_and(|p| p <= target))
}

/// Whether the cell met the experiment's precision target, e.g. `precision target ±2.0%: met
/// (±1.2%)` or `precision target ±2.0%: not met within the 1.5 s budget (±3.1%)`; `None`
/// without a target or for a cell that did not complete.
pub fn precision_target(results: &crate::results::ResultsFile, c: &CellResult) -> Option<String> {
    let met = precision_target_met(results, c)?;
    let head = format!(
        "precision target {}",
        precision_text(results.experiment.precision)
    );
    Some(match precision(c) {
        Some(p) if met => format!("{head}: met ({})", precision_text(p)),
        Some(p) => format!(
            "{head}: not met within the {} s budget ({})",
            results.experiment.precision_budget_s,
            precision_text(p)
        ),
        None => format!("{head}: not met (fewer than 6 runs)"),
    })
}

/// How the sweep did against the experiment's precision target, in the words the terminal
/// table and the Markdown report share: `met by 3 of 7 complete cells, worst ±4.1%`; `None`
/// without a target.
pub fn precision_outcome(results: &crate::results::ResultsFile) -> Option<String> {
    if results.experiment.precision <= 0.0 {
        return None;
    }
    let reached: Vec<Option<f64>> = results
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Ok)
        .map(precision)
        .collect();
    let met = results
        .cells
        .iter()
        .filter(|c| precision_target_met(results, c) == Some(true))
        .count();
    let worst = reached.iter().flatten().copied().reduce(f64::max);
    // A cancelled sweep may have no complete cell: "met by 0 of 0, worst ±0.0%" read as
    // perfect precision.
    Some(match (reached.len(), worst) {
        (0, _) => "no complete cell to judge".to_string(),
        (n, Some(worst)) => format!(
            "met by {met} of {}, worst ±{:.1}%",
            crate::words::count(n, "complete cell"),
            worst * 100.0
        ),
        (n, None) => format!(
            "met by none of {}: none has the runs a 95% interval needs",
            crate::words::count(n, "complete cell")
        ),
    })
}

/// `±0.04%` (two decimals below 1%), `±2.5%` (one decimal), `±12%` from 10% up; `< ±0.01%`
/// below what two decimals show (not `±0.00%`, which claims an exact value), `±0 (runs
/// tied)` for an interval of no width.
pub fn precision_text(p: f64) -> String {
    let pct = p * 100.0;
    if pct <= 0.0 {
        "±0 (runs tied)".into()
    } else if pct < 0.005 {
        "< ±0.01%".into()
    } else if pct < 1.0 {
        format!("±{pct:.2}%")
    } else if pct < 10.0 {
        format!("±{pct:.1}%")
    } else {
        format!("±{pct:.0}%")
    }
}

/// What adds timed runs to a cell past its repetitions, in the words `corelab run`'s first
/// line and the report's Repetitions row share: `, more while the timed runs add up to less
/// than 0.5 s, more until the median's 95% CI is within ±2.0% or the cell's timed runs have
/// taken 1.5 s`. Empty when the repetitions alone decide. One clause per rule of
/// [`crate::engine::RunCount::rules`].
pub fn more_runs_rule(exp: &crate::preset::Experiment) -> String {
    crate::engine::RunCount::of(exp)
        .rules()
        .iter()
        .map(|rule| format!(", {}", more_runs_clause(rule)))
        .collect()
}

/// One rule that adds runs, as a clause: `more while the timed runs add up to less than 0.5
/// s` or `more until the median's 95% CI is within ±2.0% or the cell's timed runs have taken
/// 1.5 s`.
pub fn more_runs_clause(rule: &MoreRuns) -> String {
    match *rule {
        MoreRuns::MinTime { min_time_s, .. } => {
            format!("more while the timed runs add up to less than {min_time_s} s")
        }
        MoreRuns::Precision {
            precision,
            budget_s,
        } => format!(
            "more until the median's 95% CI is within {} or the cell's timed runs have taken {budget_s} s",
            precision_text(precision)
        ),
    }
}

/// Why a rule asked a cell for more runs, as a sentence part for the workbench's progress
/// hover and help: `short runs are repeated until a cell's timed runs add up to the minimum
/// time of 0.5 s (at most 1000 runs)`, `a cell whose median is not yet known within ±2.0%
/// takes more runs (6 at least, the fewest with a 95% interval), until it is or its timed runs
/// have spent the 1.5 s precision budget`.
pub fn more_runs_reason(rule: &MoreRuns) -> String {
    match *rule {
        MoreRuns::MinTime { min_time_s, cap } => format!(
            "short runs are repeated until a cell's timed runs add up to the minimum time of {min_time_s} s (at most {cap} runs)"
        ),
        MoreRuns::Precision {
            precision,
            budget_s,
        } => format!(
            "a cell whose median is not yet known within {} takes more runs ({} at least, the fewest with a 95% interval), until it is or its timed runs have spent the {budget_s} s precision budget",
            precision_text(precision),
            crate::stats::MIN_SAMPLES_FOR_95
        ),
    }
}

/// [`target_without_room`] in a few words, for beside the workbench's estimate: `the ±2.0%
/// target cannot add runs to 3 of 10 cells`.
pub fn target_without_room_short(t: &crate::engine::estimate::TargetWithoutRoom) -> String {
    format!(
        "the {} target cannot add runs to {} of {}",
        precision_text(t.precision),
        t.cells,
        crate::words::count(t.of, "cell")
    )
}

/// An estimate's seconds to two significant digits: `0.25`, `0.019`, `1.5`, `12`.
fn two_digits(v: f64) -> String {
    let places = match v > 0.0 && v.is_finite() {
        true => (1.0 - v.log10().floor()).clamp(0.0, 9.0) as usize,
        false => 0,
    };
    format!("{v:.places$}")
}

/// Before a sweep, the cells whose precision target cannot add a run
/// ([`crate::engine::estimate::TargetWithoutRoom`]): `the ±2.0% precision target cannot add a
/// run to 4 of 7 cells (runs of about 0.25 s or longer): the 6 runs each takes anyway spend its
/// 1.5 s budget, so those cells meet the target only if those runs happen to agree within it;
/// a precision_budget_s of 3 s would leave them room`.
///
/// Where some or all of those cells mostly wait on a timer
/// ([`crate::engine::estimate::TargetWithoutRoom::waiting`]), it says so: their runs usually
/// agree within the target anyway.
pub fn target_without_room(t: &crate::engine::estimate::TargetWithoutRoom) -> String {
    let mut text = format!(
        "the {} precision target cannot add a run to {} of {} (runs of about {} s or longer): the {} each takes anyway spend its {} s budget, so {} the target only if those runs happen to agree within it; a precision_budget_s of {} s would leave {} room",
        precision_text(t.precision),
        t.cells,
        crate::words::count(t.of, "cell"),
        two_digits(t.shortest_run_s),
        crate::words::count(t.runs, "run"),
        t.budget_s,
        match t.cells {
            1 => "that cell meets",
            _ => "those cells meet",
        },
        t.budget_with_room_s,
        match t.cells {
            1 => "it",
            _ => "them",
        },
    );
    let timer = format!(
        "a timer, whose length varies far less than {} from run to run",
        precision_text(t.precision)
    );
    match (t.waiting, t.cells) {
        (0, _) => {}
        (1, 1) => text.push_str(&format!(
            ". Its runs mostly wait on {timer}, so they usually agree within it anyway"
        )),
        (w, c) if w == c => text.push_str(&format!(
            ". Their runs mostly wait on {timer}, so they usually agree within it anyway"
        )),
        (1, _) => text.push_str(&format!(
            " (1 of them waits mostly on {timer}: its runs usually agree within it anyway)"
        )),
        (w, _) => text.push_str(&format!(
            " ({w} of them wait mostly on {timer}: their runs usually agree within it anyway)"
        )),
    }
    text
}

/// Most outlying runs named in a cell's note; beyond that, the count and the furthest.
const OUTLIERS_NAMED: usize = 3;

/// The runs flagged as outliers by the MAD rule (modified z-score above 3.5), by their wall
/// times: `2 outliers: 1.9032 s, 2.1100 s`; beyond three, the count and the three furthest
/// from the median: `209 of 900 runs outliers, furthest: 0.0003120 s, 0.0002870 s, 0.0002010 s`; empty
/// when there are none.
pub fn outliers(c: &CellResult) -> String {
    let Some(w) = &c.wall else {
        return String::new();
    };
    let mut times: Vec<f64> = w
        .outliers
        .iter()
        .filter_map(|&i| c.samples.get(i))
        .map(|s| s.wall_s)
        .collect();
    let n = times.len();
    if n > OUTLIERS_NAMED {
        times.sort_by(|a, b| (b - w.median).abs().total_cmp(&(a - w.median).abs()));
        times.truncate(OUTLIERS_NAMED);
    }
    let listed = times
        .iter()
        .map(|&t| format!("{} s", seconds(t)))
        .collect::<Vec<_>>()
        .join(", ");
    match n {
        0 => String::new(),
        1 => format!("1 outlier: {listed}"),
        n if n <= OUTLIERS_NAMED => format!("{n} outliers: {listed}"),
        n => format!(
            "{n} of {} runs outliers, furthest: {listed}",
            c.samples.len()
        ),
    }
}

/// A one-worker cell that beat its baseline clearly (its speedup interval, or the speedup
/// where there is none, above [`crate::analysis::ONE_WORKER_SUSPECT`]; the rule is
/// [`crate::analysis::one_worker_favoured`]): the same work on one worker cannot be
/// much faster than the baseline, so the machine favoured this cell (the kernel's share of busy
/// cores, memory placement) and its curve is not comparable. `None` otherwise.
pub fn one_worker_suspect(c: &CellResult) -> Option<String> {
    let speedup = c.speedup?;
    crate::analysis::one_worker_favoured(c).then(|| {
        format!(
            "{speedup:.2}× with 1 worker: one worker cannot beat sequential, so the baseline was disturbed (or the machine favoured this cell: busy cores shared unequally?); not comparable"
        )
    })
}

/// What else the reader must know about a cell: failure, outlying runs, lost updates,
/// bandwidth, pool start-up. The parts are separated by `; ` (`1 outlier: 0.1818 s; pool
/// start-up 2.0 ms`), no padding.
pub fn note(results: &ResultsFile, c: &CellResult) -> String {
    let mut parts = Vec::new();
    match c.status {
        CellStatus::Ok => {}
        CellStatus::Failed => parts.push(format!(
            "FAILED: {}",
            one_line_error(c.error.as_deref().unwrap_or(""))
        )),
        CellStatus::Cancelled => parts.push(match c.samples.len() {
            0 => "cancelled before any run".into(),
            1 => "cancelled after 1 run: partial".into(),
            n => format!("cancelled after {n} runs: partial"),
        }),
    }
    if let Some(suspect) = one_worker_suspect(c) {
        parts.push(suspect);
    }
    let outliers = outliers(c);
    if !outliers.is_empty() {
        parts.push(outliers);
    }
    if let Some(lost) = lost_updates(results, c) {
        parts.push(lost);
    }
    if let Some(gbs) = c.gb_per_s {
        parts.push(format!("{gbs:.2} GB/s"));
    }
    if let Some((name, s)) = c.model.and_then(ModelKind::startup_name).zip(c.startup_s) {
        parts.push(match c.import_s {
            Some(import) => format!(
                "{name} {:.1} ms, of which module import {:.1} ms",
                s * 1000.0,
                import * 1000.0
            ),
            None => format!("{name} {:.1} ms", s * 1000.0),
        });
    }
    parts.join("; ")
}

/// A failure for one line of a table: a message of several lines (a Python traceback, shown
/// whole where the failure is first reported) as its first line and its last (the exception
/// itself), `first … last`.
pub fn one_line_error(error: &str) -> String {
    match crate::engine::fault::message_lines(error).as_slice() {
        [] => String::new(),
        [only] => only.to_string(),
        [first, .., last] => format!("{first} … {last}"),
    }
}

/// How many runs of a completed cell lost updates, and the most one lost, in the short form
/// every front end uses ([`crate::results::LostShare::short_words`]): `lost updates in 74 of
/// 217 runs (up to 1050851 in one run, 50.1%)`, or `no lost updates (217 runs)`. `None` for
/// tasks without a counter and for failed or cancelled cells (as on the lost-updates chart).
pub fn lost_updates(results: &ResultsFile, c: &CellResult) -> Option<String> {
    lost_share(results, c).map(|s| s.short_words())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ResultsFile;

    /// One `threads × 2` cell with these wall times, in a file with a ±2% target.
    fn file(walls: &[f64]) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.precision = 0.02;
        r.experiment.precision_budget_s = 1.5;
        r.cells
            .push(CellResult::with_walls(ModelKind::Threads, 2, walls));
        r.recompute();
        r
    }

    #[test]
    fn a_one_worker_cell_clearly_faster_than_its_baseline_is_called_suspect() {
        let mut c = CellResult::with_walls(ModelKind::Processes, 1, &[0.11; 6]);
        c.speedup = Some(2.33);
        c.speedup_ci_low = Some(2.1);
        let n = note(&ResultsFile::default(), &c);
        assert!(n.starts_with("2.33× with 1 worker"), "{n}");
        assert!(n.contains("not comparable"), "{n}");
        // Within noise of the baseline, or its interval reaching down to it: no note.
        c.speedup_ci_low = Some(1.05);
        assert_eq!(one_worker_suspect(&c), None);
        c.speedup = Some(1.1);
        c.speedup_ci_low = None;
        assert_eq!(one_worker_suspect(&c), None);
        // Two workers may well be twice as fast.
        c.workers = 2;
        c.speedup = Some(1.9);
        c.speedup_ci_low = Some(1.8);
        assert_eq!(one_worker_suspect(&c), None);
    }

    #[test]
    fn lost_updates_count_the_runs_that_lost_any() {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = crate::preset::TaskKind::Contention;
        r.experiment.task.contention.increments = 1000;
        r.cells
            .push(CellResult::with_walls(ModelKind::Threads, 2, &[1.0; 5]));
        assert_eq!(lost_updates(&r, &r.cells[0]), None, "no counter");
        for (s, lost) in r.cells[0].samples.iter_mut().zip([0, 0, 7, 0, 120]) {
            s.lost_updates = Some(lost);
        }
        // The median is 0; two runs of five lost updates.
        assert_eq!(
            lost_updates(&r, &r.cells[0]).unwrap(),
            "lost updates in 2 of 5 runs (up to 120 in one run, 6.0%)"
        );
        assert!(note(&r, &r.cells[0]).contains("lost updates in 2 of 5 runs"));
        // Counted as the chart counts them: a count above the 2000 increments a run asked
        // for is all of them, and a cancelled (partial) cell has no lost-updates point.
        r.cells[0].samples[4].lost_updates = Some(5000);
        assert!(
            lost_updates(&r, &r.cells[0])
                .unwrap()
                .ends_with("(up to 2000 in one run, 100%)")
        );
        r.cells[0].status = CellStatus::Cancelled;
        assert_eq!(lost_updates(&r, &r.cells[0]), None);
        assert!(!note(&r, &r.cells[0]).contains("lost"));
        r.cells[0].status = CellStatus::Ok;
        for s in &mut r.cells[0].samples {
            s.lost_updates = Some(0);
        }
        assert_eq!(
            lost_updates(&r, &r.cells[0]).unwrap(),
            "no lost updates (5 runs)"
        );
    }

    #[test]
    fn start_up_is_stated_for_models_that_start_processes_or_interpreters() {
        let mut c = CellResult::with_walls(ModelKind::PyMultiprocessing, 2, &[1.0]);
        c.startup_s = Some(0.098);
        assert_eq!(note(&ResultsFile::default(), &c), "pool start-up 98.0 ms");
        c.model = Some(ModelKind::PyDask);
        assert_eq!(
            note(&ResultsFile::default(), &c),
            "cluster start-up 98.0 ms"
        );
        c.model = Some(ModelKind::Threads);
        assert_eq!(
            note(&ResultsFile::default(), &c),
            "",
            "a thread pool starts in microseconds"
        );
    }

    #[test]
    fn a_function_task_s_module_import_is_stated_as_part_of_the_start_up() {
        let mut c = CellResult::with_walls(ModelKind::PyMultiprocessing, 4, &[1.0]);
        c.startup_s = Some(2.5453);
        c.import_s = Some(2.0041);
        assert_eq!(
            note(&ResultsFile::default(), &c),
            "pool start-up 2545.3 ms, of which module import 2004.1 ms"
        );
        c.model = Some(ModelKind::PyThreading);
        assert_eq!(
            note(&ResultsFile::default(), &c),
            "interpreter start-up 2545.3 ms, of which module import 2004.1 ms"
        );
    }

    #[test]
    fn a_failure_of_several_lines_is_one_line_in_a_table() {
        let traceback = "Python failed while running f from w.py: task 3: f(3) raised:\nTraceback (most recent call last):\n  File \"/w.py\", line 2, in f\nValueError: bad 3";
        assert_eq!(
            one_line_error(traceback),
            "Python failed while running f from w.py: task 3: f(3) raised: … ValueError: bad 3"
        );
        assert_eq!(one_line_error("a run took longer"), "a run took longer");
        assert_eq!(one_line_error(""), "");
        let mut c = CellResult::with_walls(ModelKind::PyThreading, 1, &[1.0]);
        c.status = CellStatus::Failed;
        c.error = Some(traceback.into());
        assert!(
            !note(&ResultsFile::default(), &c).contains('\n'),
            "{}",
            note(&ResultsFile::default(), &c)
        );
    }

    #[test]
    fn the_interval_says_how_precisely_it_pins_the_median() {
        // Six runs: the interval is [min, max] = [0.99, 1.01] around the median 1.0: ±1.0%.
        let r = file(&[1.0, 0.99, 1.01, 1.0, 1.0, 1.0]);
        assert_eq!(median_ci(&r.cells[0]), "0.9900 – 1.0100 ±1.0%");
        assert_eq!(
            precision_target(&r, &r.cells[0]).unwrap(),
            "precision target ±2.0%: met (±1.0%)"
        );
    }

    #[test]
    fn a_missed_target_says_so_with_the_budget() {
        let r = file(&[1.0, 0.9, 1.1, 1.0, 1.0, 1.0]);
        assert_eq!(median_ci(&r.cells[0]), "0.9000 – 1.1000 ±10%");
        assert_eq!(
            precision_target(&r, &r.cells[0]).unwrap(),
            "precision target ±2.0%: not met within the 1.5 s budget (±10%)"
        );
        // Five runs cannot reach 95%: the coverage, no precision.
        let r = file(&[1.0, 0.99, 1.01, 1.0, 1.0]);
        assert_eq!(median_ci(&r.cells[0]), "0.9900 – 1.0100 (94% CI)");
        assert_eq!(
            precision_target(&r, &r.cells[0]).unwrap(),
            "precision target ±2.0%: not met (fewer than 6 runs)"
        );
    }

    /// A baseline and a `threads × 2` cell with these wall times.
    fn pair(base: &[f64], cell: &[f64]) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.cells
            .push(CellResult::with_walls(ModelKind::Sequential, 1, base));
        r.cells
            .push(CellResult::with_walls(ModelKind::Threads, 2, cell));
        r.recompute();
        r
    }

    #[test]
    fn rounding_never_hides_what_an_interval_says() {
        // The reviewer's round.json, by hand: 11 tight runs a cell, the cell 0.5% slower than
        // the baseline, so its speedup's interval is clear of 1.
        let spread = |t: f64| -> Vec<f64> { (-5..=5).map(|i| t + 1e-5 * f64::from(i)).collect() };
        let r = pair(&spread(0.32), &spread(0.3215));
        let c = &r.cells[1];
        let (l, h) = (c.speedup_ci_low.unwrap(), c.speedup_ci_high.unwrap());
        assert!(h < 1.0 && l > 0.99, "{l} {h}");
        // Not "1.00 – 1.00", "1.00", "100 %", each figure clear of 1 as the interval is.
        assert_eq!(speedup_ci(c, false), "0.995 – 0.996");
        assert_eq!(speedup_text(c), "0.995");
        assert_eq!(speedup_ci_words(c).unwrap(), "95% CI 0.995 – 0.996×");
        // Efficiency: speedup ÷ 2 workers, 49.8 %: whole numbers tell it from 100 %.
        assert_eq!(efficiency_percent(c), "50 %");
        // Ends a hair apart print apart: 0.32146 – 0.32154, not 0.3215 – 0.3215.
        assert_eq!(median_ci(c), "0.32146 – 0.32154 ±0.01%");
        // Ordinary figures keep two decimals.
        let r = pair(
            &[2.0, 2.1, 1.9, 2.05, 1.95, 2.0],
            &[1.0, 1.05, 0.95, 1.02, 0.98, 1.0],
        );
        assert_eq!(speedup_text(&r.cells[1]), "2.00");
        assert!(
            speedup_ci(&r.cells[1], false).starts_with("1.8"),
            "{}",
            speedup_ci(&r.cells[1], false)
        );
        assert_eq!(
            efficiency_percent(&r.cells[1]),
            "100 %",
            "holds 100%: nothing to tell"
        );
    }

    #[test]
    fn an_efficiency_clear_of_the_ideal_is_not_printed_as_100() {
        // One worker, 0.5% slower than the baseline: 99.5 %, not 100 %.
        let spread = |t: f64| -> Vec<f64> { (-5..=5).map(|i| t + 1e-5 * f64::from(i)).collect() };
        let mut r = ResultsFile::default();
        r.cells.push(CellResult::with_walls(
            ModelKind::Sequential,
            1,
            &spread(0.32),
        ));
        r.cells.push(CellResult::with_walls(
            ModelKind::Threads,
            1,
            &spread(0.3216),
        ));
        r.recompute();
        assert_eq!(efficiency_percent(&r.cells[1]), "99.5 %");
        assert_eq!(
            efficiency_percent(&r.cells[0]),
            "100 %",
            "the baseline is 100% by definition"
        );
    }

    #[test]
    fn tied_runs_are_not_passed_off_as_exact() {
        // The reviewer's equal.json: six identical runs a cell.
        let r = pair(&[0.32; 6], &[0.16; 6]);
        assert_eq!(median_ci(&r.cells[1]), "0.1600 – 0.1600 (runs tied)");
        assert_eq!(speedup_ci(&r.cells[1], false), "2.00 – 2.00 (runs tied)");
        assert!(
            speedup_ci_words(&r.cells[1])
                .unwrap()
                .ends_with("(runs tied: no width to judge)"),
            "{:?}",
            speedup_ci_words(&r.cells[1])
        );
        // A precision target met by tied runs, or by one narrower than 0.005%, says so.
        assert_eq!(precision_text(0.0), "±0 (runs tied)");
        assert_eq!(precision_text(0.00002), "< ±0.01%");
        assert_eq!(precision_text(0.00005), "±0.01%");
    }

    #[test]
    fn the_speedup_interval_bears_its_real_coverage() {
        let six = [2.0, 2.1, 1.9, 2.05, 1.95, 2.0];
        let half = six.map(|t| t / 2.0);
        // Six runs each: a 95% interval, no label.
        let r = pair(&six, &half);
        let c = &r.cells[1];
        assert!(c.speedup_ci_coverage.unwrap() >= 0.95);
        assert_eq!(
            speedup_ci(c, false),
            format!(
                "{:.2} – {:.2}",
                c.speedup_ci_low.unwrap(),
                c.speedup_ci_high.unwrap()
            )
        );
        assert!(speedup_ci_words(c).unwrap().starts_with("95% CI "));
        // Three runs of the cell: the range, whose coverage is 1 − 2/8 = 75%.
        let r = pair(&six, &half[..3]);
        let c = &r.cells[1];
        assert!((c.speedup_ci_coverage.unwrap() - 0.75).abs() < 1e-9);
        assert!(
            speedup_ci(c, false).ends_with(" (75% CI)"),
            "{}",
            speedup_ci(c, false)
        );
        assert!(
            speedup_ci_words(c).unwrap().starts_with("75% CI "),
            "{:?}",
            speedup_ci_words(c)
        );
        // Five runs of the baseline limit a cell of six: 1 − 2/32 = 93.75%.
        let r = pair(&six[..5], &half);
        assert!(speedup_ci(&r.cells[1], false).ends_with(" (94% CI)"));
        // One run: no interval, in words, for the median and the speedup.
        let r = pair(&six, &half[..1]);
        assert_eq!(speedup_ci(&r.cells[1], false), "1 run, no interval");
        assert_eq!(median_ci(&r.cells[1]), "1 run, no interval");
        let r = pair(&six[..1], &half);
        assert_eq!(
            speedup_ci(&r.cells[1], false),
            "no interval (baseline: 1 run)"
        );
        assert_eq!(
            speedup_ci(&r.cells[0], r.baselines().is_baseline(&r.cells[0])),
            "baseline"
        );
    }

    #[test]
    fn only_the_real_baseline_is_labelled_baseline_not_any_cell_at_exactly_1x() {
        // `threads × 2`, one run exactly as long as the baseline's: 1.00×. Its interval
        // cleared, as in a file written before the intervals were kept, so that nothing
        // but the baseline rule tells the two apart.
        let mut r = pair(&[2.0], &[2.0]);
        r.cells[1].speedup_ci_low = None;
        r.cells[1].speedup_ci_high = None;
        r.cells[1].speedup_ci_coverage = None;
        assert_eq!(r.cells[1].speedup, Some(1.0));
        let b = r.baselines();
        assert!(!b.is_baseline(&r.cells[1]));
        assert_eq!(speedup_ci(&r.cells[1], b.is_baseline(&r.cells[1])), "—");
        assert_eq!(
            speedup_ci(&r.cells[0], b.is_baseline(&r.cells[0])),
            "baseline"
        );
        // Through the terminal table and the Markdown report too.
        let table = crate::export::table::summary_table(&r);
        let threads = table.lines().find(|l| l.starts_with("threads")).unwrap();
        assert!(!threads.contains("baseline"), "{threads}");
        let seq = table.lines().find(|l| l.starts_with("sequential")).unwrap();
        assert!(seq.contains("baseline"), "{seq}");
    }

    #[test]
    fn no_target_no_verdict() {
        let mut r = file(&[1.0; 6]);
        r.experiment.precision = 0.0;
        assert_eq!(precision_target(&r, &r.cells[0]), None);
    }

    #[test]
    fn short_times_keep_four_significant_digits() {
        assert_eq!(seconds(1.23456), "1.2346");
        assert_eq!(seconds(0.26321), "0.2632");
        assert_eq!(seconds(0.035104), "0.03510");
        assert_eq!(seconds(0.00012034), "0.0001203");
        assert_eq!(seconds(1e-12), "0.000000000", "at most nine decimals");
        assert_eq!(seconds(0.0), "0.0000");
        // A precision below 1% keeps a digit that is not zero.
        assert_eq!(precision_text(0.0004), "±0.04%");
        assert_eq!(precision_text(0.025), "±2.5%");
    }

    #[test]
    fn a_target_without_room_is_worded_with_its_numbers() {
        let t = crate::engine::estimate::TargetWithoutRoom {
            precision: 0.02,
            budget_s: 1.5,
            cells: 4,
            of: 7,
            shortest_run_s: 0.25,
            runs: 6,
            waiting: 0,
            budget_with_room_s: 3.0,
        };
        assert_eq!(
            target_without_room(&t),
            "the ±2.0% precision target cannot add a run to 4 of 7 cells (runs of about 0.25 s or longer): the 6 runs each takes anyway spend its 1.5 s budget, so those cells meet the target only if those runs happen to agree within it; a precision_budget_s of 3 s would leave them room"
        );
        // Cells whose runs mostly wait on a timer say so.
        let waiting = crate::engine::estimate::TargetWithoutRoom { waiting: 4, ..t };
        assert_eq!(
            target_without_room(&waiting),
            format!(
                "{}. Their runs mostly wait on a timer, whose length varies far less than ±2.0% from run to run, so they usually agree within it anyway",
                target_without_room(&t)
            )
        );
        let some = crate::engine::estimate::TargetWithoutRoom { waiting: 1, ..t };
        assert_eq!(
            target_without_room(&some),
            format!(
                "{} (1 of them waits mostly on a timer, whose length varies far less than ±2.0% from run to run: its runs usually agree within it anyway)",
                target_without_room(&t)
            )
        );
        let one = crate::engine::estimate::TargetWithoutRoom { cells: 1, ..t };
        let text = target_without_room(&one);
        assert!(
            text.contains("to 1 of 7 cells") && text.contains("that cell meets"),
            "{text}"
        );
        assert!(text.ends_with("leave it room"), "{text}");
        assert_eq!(two_digits(0.192), "0.19");
        assert_eq!(two_digits(0.0193), "0.019");
        assert_eq!(two_digits(1.5), "1.5");
        assert_eq!(two_digits(12.3), "12");
        assert_eq!(seconds(f64::NAN), "NaN");
        // Both ends of a range read to the same decimal.
        assert_eq!(seconds_range(0.00009, 0.0031), "0.00009000 – 0.00310000");
        let r = file(&[1.2e-4, 1.21e-4, 1.19e-4, 1.2e-4, 1.2e-4, 1.2e-4]);
        assert_eq!(min_max(&r.cells[0]), "0.0001190 – 0.0001210");
    }

    #[test]
    fn many_outliers_are_counted_and_only_the_furthest_named() {
        // Twenty runs within a millisecond of 1 s (MAD 1 ms) and five 20 to 60 ms slower.
        let mut walls: Vec<f64> = (0..20).map(|i| 0.999 + 0.001 * f64::from(i % 3)).collect();
        walls.extend([1.02, 1.06, 1.03, 1.05, 1.04]);
        let r = file(&walls);
        assert_eq!(
            outliers(&r.cells[0]),
            "5 of 25 runs outliers, furthest: 1.0600 s, 1.0500 s, 1.0400 s"
        );
        // Up to three, every one in run order.
        let r = file(&[0.99, 1.0, 1.01, 0.99, 1.0, 1.01, 1.3, 1.0, 1.2]);
        assert_eq!(outliers(&r.cells[0]), "2 outliers: 1.3000 s, 1.2000 s");
    }
}
