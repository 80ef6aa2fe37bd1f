//! The one chart model shared by the workbench (egui_plot) and the exporter (plotters): chart
//! kinds, the series of a set of runs, colours, marker shapes, dash patterns, labels and axis
//! ticks. Both front ends draw what this module describes, so the screen and an exported
//! SVG/PNG agree.

use crate::analysis::{ModelFit, fit_results};
use crate::preset::{self, Baseline, ModelKind, TaskKind};
use crate::results::{CellResult, ResultsFile};

/// Which quantity is on the y axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Speedup over the baseline, with the ideal line y = x.
    #[default]
    Speedup,
    /// Speedup per worker in percent, with the ideal line y = 100 %.
    Efficiency,
    /// Median wall time, seconds.
    WallTime,
    /// Peak RSS of every process of the model (its largest total over the cell's runs), MiB.
    Memory,
    /// The share of a run's increments that were lost (contention tasks), in percent of the
    /// increments all its workers were asked to do: the median run per cell, with a bar from
    /// the run that lost least to the one that lost most (see [`lost_share`]).
    LostUpdates,
}

impl ChartKind {
    pub const ALL: [ChartKind; 5] = [
        ChartKind::Speedup,
        ChartKind::Efficiency,
        ChartKind::WallTime,
        ChartKind::Memory,
        ChartKind::LostUpdates,
    ];

    /// The name on the command line: `speedup`, `efficiency`, `time`, `memory`,
    /// `lost-updates`.
    pub fn id(self) -> &'static str {
        match self {
            ChartKind::Speedup => "speedup",
            ChartKind::Efficiency => "efficiency",
            ChartKind::WallTime => "time",
            ChartKind::Memory => "memory",
            ChartKind::LostUpdates => "lost-updates",
        }
    }

    /// The chart of a preset's view, if the view is a chart (not the table, the fits or the
    /// timeline): the chart whose [`ChartKind::view`] it is.
    pub fn of_view(view: preset::ResultsView) -> Option<ChartKind> {
        ChartKind::ALL
            .into_iter()
            .find(|chart| chart.view() == Some(view))
    }

    /// The preset's view this chart is (the memory chart is none).
    pub fn view(self) -> Option<preset::ResultsView> {
        use preset::ResultsView;
        match self {
            ChartKind::Speedup => Some(ResultsView::Speedup),
            ChartKind::Efficiency => Some(ResultsView::Efficiency),
            ChartKind::WallTime => Some(ResultsView::Time),
            ChartKind::LostUpdates => Some(ResultsView::LostUpdates),
            ChartKind::Memory => None,
        }
    }

    /// Parses [`ChartKind::id`] (also accepts `wall-time`, `rss` and `lost`).
    pub fn from_id(s: &str) -> Option<ChartKind> {
        match s {
            "speedup" => Some(ChartKind::Speedup),
            "efficiency" => Some(ChartKind::Efficiency),
            "time" | "wall-time" | "wall" => Some(ChartKind::WallTime),
            "memory" | "rss" => Some(ChartKind::Memory),
            "lost-updates" | "lost" => Some(ChartKind::LostUpdates),
            _ => None,
        }
    }

    /// A title-case name for menus: "Speedup", "Efficiency", "Wall time", "Memory", "Lost
    /// updates".
    pub fn title(self) -> &'static str {
        match self {
            ChartKind::Speedup => "Speedup",
            ChartKind::Efficiency => "Efficiency",
            ChartKind::WallTime => "Wall time",
            ChartKind::Memory => "Memory",
            ChartKind::LostUpdates => "Lost updates",
        }
    }

    /// The y-axis label, with its unit.
    pub fn y_label(self) -> &'static str {
        match self {
            ChartKind::Speedup => "speedup (× baseline)",
            ChartKind::Efficiency => "efficiency (%)",
            ChartKind::WallTime => "median wall time (s)",
            ChartKind::Memory => "peak RSS, all processes (MiB)",
            ChartKind::LostUpdates => "increments lost (%)",
        }
    }

    /// [`ChartKind::y_label`] for charts of results measured against `baseline`: a speedup
    /// against each model's own single worker says so, since it is not against one shared
    /// baseline.
    pub fn y_label_against(self, baseline: crate::preset::Baseline) -> &'static str {
        match (self, baseline) {
            (ChartKind::Speedup, crate::preset::Baseline::SameModelOneWorker) => {
                "speedup (× its own 1 worker)"
            }
            _ => self.y_label(),
        }
    }

    /// The y label for a chart of `runs`: [`ChartKind::y_label_against`] their baseline where
    /// they all share one, else [`ChartKind::y_label`].
    pub fn y_label_for<'a>(self, runs: impl IntoIterator<Item = &'a ResultsFile>) -> &'static str {
        let mut baselines = runs.into_iter().map(|r| r.experiment.baseline);
        match baselines.next() {
            Some(first) if baselines.all(|b| b == first) => self.y_label_against(first),
            _ => self.y_label(),
        }
    }

    /// Whether the chart has an ideal reference line (memory and lost updates have none: on
    /// the lost-updates chart the models that lose nothing are the reference, drawn at 0 %).
    pub fn has_ideal(self) -> bool {
        !matches!(self, ChartKind::Memory | ChartKind::LostUpdates)
    }

    /// The label of the ideal reference line (empty where there is none).
    pub fn ideal_label(self) -> &'static str {
        match self {
            ChartKind::Speedup => "ideal (speedup = N)",
            ChartKind::Efficiency => "ideal (100 %)",
            ChartKind::WallTime => "ideal (sequential ÷ N)",
            ChartKind::Memory | ChartKind::LostUpdates => "",
        }
    }

    /// The law whose curve this chart draws over the points: Amdahl's on the wall times, the
    /// USL on speedup and efficiency, none on memory or lost updates. The one answer to
    /// "is a law fitted here, and which" (its name is [`crate::analysis::FitLaw::name`]).
    pub fn fit_law(self) -> Option<crate::analysis::FitLaw> {
        use crate::analysis::FitLaw;
        match self {
            ChartKind::WallTime => Some(FitLaw::Amdahl),
            ChartKind::Speedup | ChartKind::Efficiency => Some(FitLaw::Usl),
            ChartKind::Memory | ChartKind::LostUpdates => None,
        }
    }

    /// The value of a cell on this chart (efficiency in percent, memory in MiB), if it has one.
    /// The lost-updates chart needs the results file the cell is in (the increments asked
    /// for are the task's): see [`ChartKind::point`]; here it has none.
    pub fn value(self, cell: &CellResult) -> Option<f64> {
        match self {
            ChartKind::Speedup => cell.speedup,
            ChartKind::Efficiency => cell.efficiency.map(percent),
            ChartKind::WallTime => cell.wall.as_ref().map(|w| w.median),
            ChartKind::Memory => cell.peak_rss_bytes.map(mib),
            ChartKind::LostUpdates => None,
        }
        .filter(|v| v.is_finite())
    }

    /// A cell of `results` on this chart: its value and its bar ([`ChartKind::value`] and
    /// [`ChartKind::range`]; for lost updates the median share and the runs' smallest and
    /// largest, see [`lost_share`]).
    pub fn point(
        self,
        results: &ResultsFile,
        cell: &CellResult,
    ) -> Option<(f64, Option<(f64, f64)>)> {
        if self == ChartKind::LostUpdates {
            let share = lost_share(results, cell)?;
            // A bar of no height (every run lost the same) is left out.
            let bar = (share.max_pct > share.min_pct).then_some((share.min_pct, share.max_pct));
            return Some((share.median_pct, bar));
        }
        Some((self.value(cell)?, self.range(cell)))
    }

    /// Why this chart cannot be drawn for `runs`, or `None` where it can. Only the
    /// lost-updates chart depends on the results: it needs a run that counted its lost
    /// updates (a contention task) and the increments it asked for.
    pub fn unavailable_reason<'a>(
        self,
        runs: impl IntoIterator<Item = &'a ResultsFile>,
    ) -> Option<String> {
        if self != ChartKind::LostUpdates {
            return None;
        }
        let mut tasks: Vec<TaskKind> = Vec::new();
        for r in runs {
            if r.cells.iter().any(|c| lost_share(r, c).is_some()) {
                return None;
            }
            if !tasks.contains(&r.experiment.task.kind) {
                tasks.push(r.experiment.task.kind);
            }
        }
        if tasks.is_empty() {
            return Some("there are no results yet".to_string());
        }
        Some(self.unavailable_for_tasks(&tasks).unwrap_or_else(|| {
            "no cell has a run that counted its lost updates (`lost_updates` in its samples)"
                .to_string()
        }))
    }

    /// Why this chart can never be drawn for experiments of these task kinds (before they
    /// run): the rule of its view ([`preset::ResultsView::unavailable_for_tasks`]: the
    /// lost-updates chart needs a contention task, the only one with a shared counter). `None`
    /// where it may be, and for the memory chart, which is no preset's view.
    pub fn unavailable_for_tasks(self, tasks: &[TaskKind]) -> Option<String> {
        self.view()?.unavailable_for_tasks(tasks)
    }

    /// The chart kinds that can be drawn for `runs` (see [`ChartKind::unavailable_reason`]).
    pub fn available<'a>(
        runs: impl IntoIterator<Item = &'a ResultsFile> + Clone,
    ) -> Vec<ChartKind> {
        ChartKind::ALL
            .into_iter()
            .filter(|k| k.unavailable_reason(runs.clone()).is_none())
            .collect()
    }

    /// The error bar of a cell: the 95% confidence interval of the plotted point (order
    /// statistics; with fewer than 6 runs no pair of runs reaches 95% and the intervals are the
    /// ranges of the runs). For wall time the interval of the cell's median; for speedup the
    /// interval of the ratio of two measured medians, the baseline's and the cell's
    /// ([`CellResult::speedup_ci_low`]), and for efficiency the same ÷ N in percent. The
    /// baseline's own point (1× by definition) has none. It shows how precisely the plotted
    /// point is known, which is what a precision target tightens; the slowest and fastest runs
    /// stay in the hover and the tables. Memory has none: its point is the largest run's.
    pub fn range(self, cell: &CellResult) -> Option<(f64, f64)> {
        let n = cell.workers.max(1) as f64;
        let w = cell.wall.as_ref()?;
        let speedup = || cell.speedup_ci_low.zip(cell.speedup_ci_high);
        let (lo, hi) = match self {
            ChartKind::Speedup => speedup()?,
            ChartKind::Efficiency => {
                let (lo, hi) = speedup()?;
                (percent(lo / n), percent(hi / n))
            }
            ChartKind::WallTime => (w.median_ci_low, w.median_ci_high),
            ChartKind::Memory | ChartKind::LostUpdates => return None,
        };
        (lo.is_finite() && hi.is_finite() && hi > lo).then_some((lo, hi))
    }

    /// Whether the workbench offers its "log time" box (wall time only; the speedup chart's
    /// log axis is its own box, see [`ChartKind::log_y_base`]).
    pub fn supports_log_y(self) -> bool {
        self == ChartKind::WallTime
    }

    /// The base of this chart's logarithmic y axis, where it has one: 10 for wall time (1, 2,
    /// 5 × 10^k s), 2 for speedup (1×, 2×, 4×, … on which the ideal line y = N is straight
    /// against a log₂ worker axis). Efficiency, memory and lost updates have none: efficiency
    /// is read against its flat 100 % line and lost updates are often 0.
    pub fn log_y_base(self) -> Option<f64> {
        match self {
            ChartKind::WallTime => Some(10.0),
            ChartKind::Speedup => Some(2.0),
            ChartKind::Efficiency | ChartKind::Memory | ChartKind::LostUpdates => None,
        }
    }
}

/// How an axis is scaled, as asked for (`--x-scale`, `--y-scale`, the export dialog).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AxisScale {
    /// Whatever suits the results ([`resolve_scales`]).
    #[default]
    Auto,
    Linear,
    Log,
}

/// Why the axes asked for cannot be drawn.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum ScaleError {
    #[error(
        "the {chart} chart has no log y axis ({why}); a log y axis is drawn on the speedup and \
         time charts"
    )]
    NoLogY {
        chart: &'static str,
        why: &'static str,
    },
    #[error(
        "a log speedup axis needs the log₂ worker axis, not a linear one: only on log-log is \
         the ideal line (speedup = N) straight"
    )]
    LogSpeedupNeedsLogX,
}

/// The least span (largest ÷ smallest) of the speedups on a chart for `auto` to draw a log₂
/// speedup axis (with a log₂ worker axis): 0.5× to 4×, or 1× to 8×. Below it a linear axis
/// reads as well and keeps the ideal line's slope familiar.
pub const LOG_SPEEDUP_SPAN: f64 = 8.0;

/// Whether the speedups of `runs` span at least [`LOG_SPEEDUP_SPAN`].
pub fn suits_log_speedup<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
    for r in runs {
        for c in r.cells.iter().filter(|c| c.is_measured()) {
            if let Some(s) = c.speedup.filter(|s| s.is_finite() && *s > 0.0) {
                (lo, hi) = (lo.min(s), hi.max(s));
            }
        }
    }
    hi > 0.0 && hi / lo >= LOG_SPEEDUP_SPAN
}

/// The axes of a chart of `kind` for `runs`, as `(log₂ workers, log y)`, from what was asked:
/// - workers: `auto` is log₂ where the counts span more than 32 times ([`suits_log_x`]), or
///   where a log speedup axis was asked for (so the ideal line stays straight);
/// - wall time: `auto` is log where the median times span more than 100 times;
/// - speedup: `auto` is log₂ only where the worker axis is log₂ and the speedups span at least
///   8 times ([`suits_log_speedup`]); `log` with a linear worker axis is refused;
/// - efficiency, memory, lost updates: linear; `log` is refused.
pub fn resolve_scales<'a>(
    kind: ChartKind,
    runs: impl Iterator<Item = &'a ResultsFile> + Clone,
    x: AxisScale,
    y: AxisScale,
) -> Result<(bool, bool), ScaleError> {
    let log_speedup_asked = kind == ChartKind::Speedup && y == AxisScale::Log;
    let log_x = match x {
        AxisScale::Log => true,
        AxisScale::Linear => false,
        AxisScale::Auto => {
            log_speedup_asked
                || suits_log_x(runs.clone().flat_map(|r| r.cells.iter().map(|c| c.workers)))
        }
    };
    let log_y = match (kind, y) {
        (_, AxisScale::Linear) => false,
        (ChartKind::WallTime, AxisScale::Log) => true,
        (ChartKind::WallTime, AxisScale::Auto) => suits_log_time(runs),
        (ChartKind::Speedup, AxisScale::Log) if !log_x => {
            return Err(ScaleError::LogSpeedupNeedsLogX);
        }
        (ChartKind::Speedup, AxisScale::Log) => true,
        (ChartKind::Speedup, AxisScale::Auto) => log_x && suits_log_speedup(runs),
        (_, AxisScale::Auto) => false,
        (k, AxisScale::Log) => {
            return Err(ScaleError::NoLogY {
                chart: k.id(),
                why: match k {
                    ChartKind::Efficiency => "it is read against its flat 100 % line",
                    ChartKind::LostUpdates => "its lesson is 0 %, which no log axis shows",
                    _ => "its megabytes grow by steps, not by factors",
                },
            });
        }
    };
    Ok((log_x, log_y))
}

/// Ticks of a log₂ speedup axis over `lo..=hi` (positive): the powers of two between them
/// (…, 0.25, 0.5, 1, 2, 4, …), every second or fourth one where more than `max` would crowd.
pub fn log2_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return vec![1.0];
    }
    let (first, last) = (
        (lo.log2() - 1e-9).ceil() as i32,
        (hi.log2() + 1e-9).floor() as i32,
    );
    if last < first {
        return vec![2f64.powi(first)];
    }
    let count = (last - first + 1) as usize;
    let mut every = 1usize;
    while count.div_ceil(every) > max.max(2) {
        every *= 2;
    }
    // Thinned from 1× outwards, so that 1× (the baseline) keeps its tick.
    (first..=last)
        .filter(|k| k.rem_euclid(every as i32) == 0)
        .map(|k| 2f64.powi(k))
        .collect()
}

/// A tick of a speedup axis: `1×`, `2×`, `0.5×`, `0.25×`, `1024×`.
pub fn speedup_tick_text(v: f64) -> String {
    let text = if v >= 1.0 {
        format!("{v:.0}")
    } else {
        // A power of two below 1 has as many decimals as its exponent.
        let decimals = (-v.log2()).round().clamp(0.0, 12.0) as usize;
        let t = format!("{v:.decimals$}");
        t.trim_end_matches('0').to_string()
    };
    format!("{text}×")
}

impl std::fmt::Display for ChartKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A fraction (efficiency 0.93) as a percentage (93.0): the unit efficiency is shown in
/// everywhere, on screen, in exported charts and in tables.
pub fn percent(fraction: f64) -> f64 {
    fraction * 100.0
}

/// Bytes as MiB (2^20 bytes): the unit of the memory chart.
pub fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub use crate::results::{LostShare, increments_asked, lost_share};

/// What the lost-updates chart's legend adds to a series none of whose runs lost anything:
/// `threads: 0 lost`, so that a line lying on the 0 % grid line is read as the lesson's other
/// half and not as missing.
pub const NONE_LOST: &str = "0 lost";

/// Whether a series of the lost-updates chart lost nothing in any run (every point and bar at
/// 0 %).
pub fn lost_nothing(series: &ChartSeries) -> bool {
    !series.points.is_empty()
        && series
            .points
            .iter()
            .all(|(_, y, bar)| *y == 0.0 && bar.is_none_or(|(_, hi)| hi == 0.0))
}

/// A series' legend label on a chart of `kind`: `label`, and on the lost-updates chart
/// `label: 0 lost` where the series lost nothing ([`lost_nothing`]).
pub fn legend_label(kind: ChartKind, series: &ChartSeries, label: &str) -> String {
    if kind == ChartKind::LostUpdates && lost_nothing(series) {
        format!("{label}: {NONE_LOST}")
    } else {
        label.to_string()
    }
}

/// The bottom of a linear y axis whose top is `top`: zero, except on the lost-updates chart,
/// whose 0 % is its lesson: there the axis reaches 4 % of its height below zero, so that a
/// line at 0 % is drawn above the axis line, not hidden under it.
pub fn y_axis_bottom(kind: ChartKind, top: f64) -> f64 {
    if kind == ChartKind::LostUpdates {
        -0.04 * top.abs()
    } else {
        0.0
    }
}

/// What 100 % is on the lost-updates chart of `runs`, and how its points read, for a note
/// under the chart's title: `100 % = all the increments the N workers of a run were asked
/// for, N × 1000000 · point: the median run · bar: the runs that lost least and most`. The
/// increments per worker are the task's (`task.contention.increments`, as calibrated); runs of
/// different sizes say "N × the increments per worker" instead.
pub fn lost_updates_note<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> String {
    let mut sizes: Vec<u64> = runs
        .into_iter()
        .filter(|r| r.experiment.task.kind == TaskKind::Contention)
        .map(|r| r.experiment.task.contention.increments)
        .collect();
    sizes.dedup();
    let per_worker = match sizes.as_slice() {
        [one] => one.to_string(),
        _ => "the increments per worker".to_string(),
    };
    format!(
        "100 % = all the increments the N workers of a run were asked for, N × {per_worker} · \
         point: the median run · bar: the runs that lost least and most"
    )
}

/// Where a series' error bars go on a chart of `kind`, as a share of the x axis's drawn width
/// from their point: `barred` are the indices of the series that have bars, `series` this one.
/// Every model runs the same worker counts, so their bars overlap on one vertical line (at the
/// core count, on the dotted core marker too): each model's bars stand side by side, 1 % of the
/// width apart, centred on the count, and the markers stay on it. One model's bars stay on
/// their points.
pub fn bar_offset(barred: &[usize], series: usize) -> f64 {
    if barred.len() < 2 {
        return 0.0;
    }
    let Some(i) = barred.iter().position(|&b| b == series) else {
        return 0.0;
    };
    (i as f64 - (barred.len() - 1) as f64 / 2.0) * 0.01
}

/// The indices of the series that have at least one error bar (see [`bar_offset`]).
pub fn barred_series(series: &[ChartSeries]) -> Vec<usize> {
    series
        .iter()
        .enumerate()
        .filter(|(_, s)| s.points.iter().any(|p| p.2.is_some()))
        .map(|(i, _)| i)
        .collect()
}

/// The least top of the lost-updates chart's y axis, in percent: with no loss or a little,
/// the axis still spans 0–10 %, so that a flat line at 0 reads as nothing lost, not as a
/// scale too small to see.
pub const LOST_UPDATES_MIN_TOP: f64 = 10.0;

/// One results file on a chart, with the label that tells it apart when several are overlaid
/// (see [`run_label`]).
#[derive(Clone, Copy, Debug)]
pub struct ChartRun<'a> {
    pub label: &'a str,
    pub results: &'a ResultsFile,
}

/// The label of one run on its own: "experiment name, date" (the date of `started_at`, which
/// is an RFC 3339 time), or the name alone when the date is unknown.
pub fn run_label(results: &ResultsFile) -> String {
    let name = experiment_name(results);
    match run_date(results) {
        Some(date) => format!("{name}, {date}"),
        None => name.to_string(),
    }
}

fn experiment_name(results: &ResultsFile) -> &str {
    let name = results.experiment.name.trim();
    if name.is_empty() { "results" } else { name }
}

/// `YYYY-MM-DD` of `started_at`, if it is an RFC 3339 time.
fn run_date(results: &ResultsFile) -> Option<&str> {
    let date = results.started_at.get(..10)?;
    (date.as_bytes()[4] == b'-' && date.as_bytes()[7] == b'-').then_some(date)
}

/// `HH:MM` of `started_at`, if it is an RFC 3339 time.
fn run_time(results: &ResultsFile) -> Option<&str> {
    let time = results.started_at.get(11..16)?;
    (run_date(results).is_some() && time.as_bytes()[2] == b':').then_some(time)
}

/// `HH:MM:SS` of `started_at`, if it is an RFC 3339 time: two runs started in the same
/// minute (a sweep of a few seconds, run again).
fn run_time_seconds(results: &ResultsFile) -> Option<&str> {
    let time = results.started_at.get(11..19)?;
    (run_time(results).is_some() && time.as_bytes()[5] == b':').then_some(time)
}

/// The part of each of `stems` that tells it from the others: their common start and end cut
/// off at a separator (`2026-11-27T07-50-27Z_cpu-bound-14422` and `…07-50-14Z_cpu-bound-14422`
/// read `50-27Z` and `50-14Z`), a stem whole where nothing would be left of it.
fn distinct_stems(stems: &[String]) -> Vec<String> {
    let is_sep = |c: char| matches!(c, '-' | '_' | '.' | ' ' | 'T');
    let Some(first) = stems.first() else {
        return Vec::new();
    };
    let chars: Vec<Vec<char>> = stems.iter().map(|s| s.chars().collect()).collect();
    let shortest = chars.iter().map(Vec::len).min().unwrap_or(0);
    let same_at = |f: &dyn Fn(&Vec<char>) -> char| chars.iter().all(|c| f(c) == f(&chars[0]));
    let mut prefix = 0;
    while prefix < shortest && same_at(&|c| c[prefix]) {
        prefix += 1;
    }
    let mut suffix = 0;
    while suffix < shortest - prefix && same_at(&|c| c[c.len() - 1 - suffix]) {
        suffix += 1;
    }
    // Back to a separator: only whole pieces are cut.
    let first: Vec<char> = first.chars().collect();
    while prefix > 0 && !is_sep(first[prefix - 1]) {
        prefix -= 1;
    }
    while suffix > 0 && !is_sep(first[first.len() - suffix]) {
        suffix -= 1;
    }
    chars
        .iter()
        .zip(stems)
        .map(|(c, whole)| {
            let part: String = c[prefix..c.len() - suffix].iter().collect();
            let part = part.trim_matches(is_sep).to_string();
            if part.is_empty() { whole.clone() } else { part }
        })
        .collect()
}

/// The machine in a few words: "16 cores", or with its CPU where core counts are equal.
fn cores_text(results: &ResultsFile) -> String {
    match results.machine.logical_cores {
        0 => "? cores".to_string(),
        1 => "1 core".to_string(),
        n => format!("{n} cores"),
    }
}

/// Labels that tell overlaid runs apart, as short as they can be: each names only what differs
/// between the runs, in this order: the experiment, the machine (its core count, else its CPU,
/// else its host name), the date, the time of day, the file (`file_stems`, one per run where
/// known), and last a number. Compared runs are usually the same experiment on two machines,
/// so they read "16 cores" and "2 cores"; one run alone gets [`run_label`]. Every label is
/// different, so no two series share a legend entry.
pub fn run_labels(runs: &[&ResultsFile], file_stems: &[Option<String>]) -> Vec<String> {
    if runs.len() <= 1 {
        return runs.iter().map(|r| run_label(r)).collect();
    }
    let stem = |i: usize| file_stems.get(i).cloned().flatten().unwrap_or_default();
    let stems: Vec<String> = (0..runs.len()).map(stem).collect();
    // Each candidate part, for every run.
    let parts: [Vec<String>; 8] = [
        runs.iter()
            .map(|r| experiment_name(r).to_string())
            .collect(),
        runs.iter().map(|r| cores_text(r)).collect(),
        runs.iter()
            .map(|r| r.machine.cpu_brand.trim().to_string())
            .collect(),
        runs.iter()
            .map(|r| r.machine.hostname.trim().to_string())
            .collect(),
        runs.iter()
            .map(|r| run_date(r).unwrap_or_default().to_string())
            .collect(),
        runs.iter()
            .map(|r| run_time(r).unwrap_or_default().to_string())
            .collect(),
        runs.iter()
            .map(|r| run_time_seconds(r).unwrap_or_default().to_string())
            .collect(),
        distinct_stems(&stems),
    ];
    let differs = |v: &[String]| v.iter().any(|x| x != &v[0]);
    let mut labels: Vec<Vec<&str>> = vec![Vec::new(); runs.len()];
    fn add<'a>(part: &'a [String], labels: &mut [Vec<&'a str>]) {
        for (label, value) in labels.iter_mut().zip(part) {
            label.push(if value.is_empty() { "?" } else { value });
        }
    }
    // What the runs are: the experiment and the machine, wherever they differ (the machine
    // once: by its cores, else its CPU, else its host).
    if differs(&parts[0]) {
        add(&parts[0], &mut labels);
    }
    if let Some(machine) = parts[1..4].iter().find(|p| differs(p)) {
        add(machine, &mut labels);
    }
    // When they ran, and from which file: only where that tells runs with the same label so
    // far apart.
    // The time to the second stands for the time to the minute where that is not enough
    // (runs started within the same minute), never beside it.
    /// Whether `part` tells apart two runs whose labels are alike so far.
    fn helps(part: &[String], labels: &[Vec<&str>]) -> bool {
        (0..labels.len()).any(|i| (0..i).any(|j| labels[i] == labels[j] && part[i] != part[j]))
    }
    fn add_if_helps<'a>(part: &'a [String], labels: &mut [Vec<&'a str>]) {
        if helps(part, labels) {
            add(part, labels);
        }
    }
    add_if_helps(&parts[4], &mut labels);
    let minutes_tell = {
        let mut with_minutes = labels.clone();
        add(&parts[5], &mut with_minutes);
        !helps(&parts[6], &with_minutes)
    };
    match minutes_tell {
        true => add_if_helps(&parts[5], &mut labels),
        false => add_if_helps(&parts[6], &mut labels),
    }
    add_if_helps(&parts[7], &mut labels);
    let mut out: Vec<String> = labels
        .iter()
        .zip(runs)
        .map(|(l, r)| {
            if l.is_empty() {
                run_label(r)
            } else {
                l.join(", ")
            }
        })
        .collect();
    // Still alike (the same file twice): number the repeats.
    for i in 1..out.len() {
        let seen = out[..i].iter().filter(|l| **l == out[i]).count();
        if seen > 0 {
            out[i] = format!("{} #{}", out[i], seen + 1);
        }
    }
    out
}

/// The label of a model's series: the model id alone for one run, `model @ run label` when
/// several runs are overlaid.
pub fn series_label(model: ModelKind, baseline: Baseline, run_label: &str, runs: usize) -> String {
    let name = model_name(model, baseline);
    if runs > 1 {
        format!("{name} @ {run_label}")
    } else {
        name
    }
}

/// A model's name in a legend, a hover and a chart's words: its id, and for the sequential
/// model, where it is the baseline, what it is, `sequential (baseline)`, as the workbench and
/// the exports both say it. Where each model is its own baseline (`same-model-one-worker`),
/// the sequential model is no one's baseline and is called by its id.
pub fn model_name(model: ModelKind, baseline: Baseline) -> String {
    match (model, baseline) {
        (ModelKind::Sequential, Baseline::Sequential) => "sequential (baseline)".into(),
        (m, _) => m.to_string(),
    }
}

/// An RGB colour.
pub type Rgb = (u8, u8, u8);

/// Light or dark chart background.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Theme; 2] = [Theme::Light, Theme::Dark];

    pub fn name(self) -> &'static str {
        match self {
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    pub fn background(self) -> Rgb {
        match self {
            Theme::Light => (255, 255, 255),
            Theme::Dark => (30, 30, 34),
        }
    }
    /// Text and axes.
    pub fn foreground(self) -> Rgb {
        match self {
            Theme::Light => (25, 25, 25),
            Theme::Dark => (230, 230, 230),
        }
    }
    /// Subtitles, reference lines.
    pub fn muted(self) -> Rgb {
        match self {
            Theme::Light => (95, 95, 95),
            Theme::Dark => (170, 170, 170),
        }
    }
    pub fn grid(self) -> Rgb {
        match self {
            Theme::Light => (228, 228, 228),
            Theme::Dark => (60, 60, 66),
        }
    }
    /// The busy-machine warning.
    pub fn warning(self) -> Rgb {
        match self {
            Theme::Light => (170, 60, 0),
            Theme::Dark => (255, 170, 90),
        }
    }
}

/// Curve colours in the order of [`ModelKind::ALL`]: the Okabe–Ito palette, distinguishable
/// with the common colour-vision deficiencies (its yellow darkened to ochre for contrast on
/// white; the sequential baseline takes the text colour of the theme). Models also differ by
/// marker shape ([`model_marker`]), so colour is never the only cue.
const PALETTE: [Rgb; 12] = [
    (0, 0, 0),       // sequential (the theme's foreground)
    (0, 114, 178),   // threads: blue
    (0, 158, 115),   // rayon: bluish green
    (213, 94, 0),    // processes: vermillion
    (204, 121, 167), // gil-threads: reddish purple
    (230, 159, 0),   // py-threading: orange
    (86, 180, 233),  // py-multiprocessing: sky blue
    (160, 140, 0),   // py-free-threading: ochre (Okabe–Ito yellow, darkened)
    // Beyond Okabe–Ito's eight: darker tones unlike the eight above, told apart by marker too.
    (170, 40, 50),  // py-dask: dark red
    (30, 130, 140), // py-mpi: teal
    (120, 80, 40),  // brown
    (90, 90, 200),  // slate blue
];

fn model_index(model: ModelKind) -> usize {
    ModelKind::ALL.iter().position(|&m| m == model).unwrap_or(0)
}

/// The colour of a model's curve on a light background, shared by every chart, table and the
/// workbench: the model's position in [`ModelKind::ALL`] picks it from a fixed colour-blind
/// safe palette, so models added later get colours without touching this function.
pub fn model_colour(model: ModelKind) -> Rgb {
    model_colour_on(model, Theme::Light)
}

/// [`model_colour`] for a theme: the baseline follows the text colour.
pub fn model_colour_on(model: ModelKind, theme: Theme) -> Rgb {
    let i = model_index(model);
    if i == 0 {
        return theme.foreground();
    }
    PALETTE[i % PALETTE.len()]
}

/// The colour of the physical-core marker: a neutral grey, unlike every model's colour.
pub fn core_marker_colour(theme: Theme) -> Rgb {
    theme.muted()
}

/// Marker shapes; each model has its own ([`model_marker`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Marker {
    Circle,
    Square,
    Diamond,
    TriangleUp,
    TriangleDown,
    Cross,
    Plus,
    Asterisk,
}

const MARKERS: [Marker; 8] = [
    Marker::Diamond,      // sequential
    Marker::Circle,       // threads
    Marker::Square,       // rayon
    Marker::TriangleUp,   // processes
    Marker::TriangleDown, // gil-threads
    Marker::Cross,        // py-threading
    Marker::Plus,         // py-multiprocessing
    Marker::Asterisk,     // py-free-threading
];

/// The marker shape of a model, by its position in [`ModelKind::ALL`] (models added later
/// cycle through the shapes, with a colour of their own).
pub fn model_marker(model: ModelKind) -> Marker {
    let i = model_index(model);
    // Models past the eighth shift the shape, so that colour and shape do not both repeat
    // together.
    MARKERS[(i + i / MARKERS.len()) % MARKERS.len()]
}

/// The line pattern of a run: the shown results solid, each compared run its own pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dash {
    Solid,
    Dashed,
    Dotted,
    LongDashed,
}

impl Dash {
    /// In words, for a legend that can show only a colour ("solid", "dashed", …).
    pub fn name(self) -> &'static str {
        match self {
            Dash::Solid => "solid",
            Dash::Dashed => "dashed",
            Dash::Dotted => "dotted",
            Dash::LongDashed => "long dashes",
        }
    }

    /// Dash and gap lengths in pixels at scale 1 (`None`: solid).
    pub fn pattern(self) -> Option<(f64, f64)> {
        match self {
            Dash::Solid => None,
            Dash::Dashed => Some((9.0, 5.0)),
            Dash::Dotted => Some((2.5, 4.0)),
            Dash::LongDashed => Some((16.0, 6.0)),
        }
    }
}

/// Run `run`'s dash pattern (0 is the shown results).
pub fn run_dash(run: usize) -> Dash {
    match run % 4 {
        0 => Dash::Solid,
        1 => Dash::Dashed,
        2 => Dash::Dotted,
        _ => Dash::LongDashed,
    }
}

/// Whether run `run`'s markers are filled: the shown results' are, compared runs' are hollow.
pub fn run_marker_filled(run: usize) -> bool {
    run == 0
}

/// How one series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SeriesStyle {
    pub colour: Rgb,
    pub marker: Marker,
    pub filled: bool,
    pub dash: Dash,
}

/// The style of `model` in run `run`.
pub fn series_style(model: ModelKind, run: usize, theme: Theme) -> SeriesStyle {
    SeriesStyle {
        colour: model_colour_on(model, theme),
        marker: model_marker(model),
        filled: run_marker_filled(run),
        dash: run_dash(run),
    }
}

/// How one point's marker is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PointMarker {
    /// Filled in the series' colour, or hollow (the background inside an outline).
    pub filled: bool,
    /// A thin ring around it: the cell is partial (cancelled after some runs). Hollow alone
    /// cannot say so where the run's markers are all hollow already (a compared run).
    pub ringed: bool,
}

/// The marker of a point of a series drawn in `style`: a complete cell as its run draws its
/// points (filled for the shown results, hollow for a compared run); a partial cell hollow
/// and ringed, whichever run it is in, so that it stands out from both.
pub fn point_marker(style: &SeriesStyle, partial: bool) -> PointMarker {
    PointMarker {
        filled: style.filled && !partial,
        ringed: partial,
    }
}

/// The radius of a partial cell's ring, for a marker of radius `marker`: clear of the
/// marker's widest shape (a diamond's corners reach 1.25 ×).
pub fn partial_ring_radius(marker: f64) -> f64 {
    marker * 1.9
}

/// The legend's entry for partial cells (shown where a chart has any).
pub const PARTIAL_LEGEND: &str = "partial cell (sweep cancelled)";

/// `(workers, value, optional (low, high))`.
pub type Point = (f64, f64, Option<(f64, f64)>);

/// One curve: a model of one run.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartSeries {
    pub model: ModelKind,
    /// 0: the first (shown) run, then the compared ones.
    pub run: usize,
    pub label: String,
    /// By worker count.
    pub points: Vec<Point>,
    /// The sequential model: one value drawn as a horizontal reference across the chart.
    pub horizontal: bool,
    /// The fitted curve over the measured range only (see [`fit_curve`]), in the chart's
    /// unit (efficiency in percent).
    pub fit: Vec<(f64, f64)>,
    /// Some of its runs were timed while the machine was busy (marked busy, or its cells'
    /// pooled ticks say so: see `CellResult::was_busy`).
    pub busy: bool,
    /// The worker counts whose cell is partial (cancelled after some runs:
    /// [`CellResult::is_partial`]): their markers are drawn hollow, with a note.
    pub partial: Vec<f64>,
}

impl ChartSeries {
    /// Whether the point at `workers` rests on a partial cell (drawn hollow).
    pub fn is_partial_at(&self, workers: f64) -> bool {
        self.partial.contains(&workers)
    }
}

/// Which series to collect.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeriesFilter {
    /// Only these models (all when `None`).
    pub models: Option<Vec<ModelKind>>,
    /// Compute the fitted curves.
    pub fits: bool,
}

/// The models of a results file, in the order they are drawn: the baseline first.
pub fn models_of(results: &ResultsFile) -> Vec<ModelKind> {
    let mut models: Vec<ModelKind> = Vec::new();
    if results.experiment.baseline == preset::Baseline::Sequential
        || results.experiment.models.contains(&ModelKind::Sequential)
    {
        models.push(ModelKind::Sequential);
    }
    for m in results
        .experiment
        .models
        .iter()
        .copied()
        .chain(results.cells.iter().filter_map(|c| c.model))
    {
        if !models.contains(&m) {
            models.push(m);
        }
    }
    models
}

/// The series of `runs` on a chart of `kind`: one per model and run that has a value,
/// fitted curves cut at `x_max`.
pub fn collect_series(
    runs: &[ChartRun<'_>],
    kind: ChartKind,
    filter: &SeriesFilter,
    x_max: f64,
) -> Vec<ChartSeries> {
    let mut out = Vec::new();
    for (run, r) in runs.iter().enumerate() {
        let fits: Vec<ModelFit> = if filter.fits {
            fit_results(r.results)
        } else {
            Vec::new()
        };
        out.extend(series_of(
            r.results,
            run,
            r.label,
            runs.len(),
            kind,
            filter,
            &fits,
            x_max,
        ));
    }
    out
}

/// The series of one run (see [`collect_series`]), with its fits already computed.
#[allow(clippy::too_many_arguments)]
pub fn series_of(
    results: &ResultsFile,
    run: usize,
    label: &str,
    runs: usize,
    kind: ChartKind,
    filter: &SeriesFilter,
    fits: &[ModelFit],
    x_max: f64,
) -> Vec<ChartSeries> {
    let mut out = Vec::new();
    for model in models_of(results) {
        if filter.models.as_ref().is_some_and(|m| !m.contains(&model)) {
            continue;
        }
        let cells: Vec<&CellResult> = results
            .cells
            .iter()
            // Cells cancelled after some runs are drawn too; the chart says they are partial.
            .filter(|c| c.model == Some(model) && c.is_measured())
            .collect();
        let mut points: Vec<Point> = cells
            .iter()
            .filter_map(|c| {
                let (value, bar) = kind.point(results, c)?;
                Some((c.workers as f64, value, bar))
            })
            .collect();
        if points.is_empty() {
            continue;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let fit = fits
            .iter()
            .find(|f| f.model == model)
            .map(|f| fit_curve(f, kind, x_max))
            .unwrap_or_default();
        let mut series = ChartSeries {
            model,
            run,
            label: String::new(),
            horizontal: model.is_single_worker() && kind != ChartKind::Efficiency,
            points,
            fit,
            busy: cells.iter().any(|c| c.was_busy()),
            partial: cells
                .iter()
                .filter(|c| c.is_partial())
                .map(|c| c.workers as f64)
                .collect(),
        };
        series.label = legend_label(
            kind,
            &series,
            &series_label(model, results.experiment.baseline, label, runs),
        );
        out.push(series);
    }
    out
}

/// The fitted curve of `fit` for a chart of `kind`, sampled at 201 points over the worker
/// range the fit was made on (never extrapolated; also cut at `x_max`): the USL speedup
/// (efficiency: speedup ÷ N in percent; a USL fitted to throughput is divided by N to give
/// the speedup), or Amdahl's time for wall time. Empty when that fit was refused or the range
/// is a single worker count, and on a chart without fits (memory).
/// `steps + 1` worker counts from `lo` to `hi` (both > 0) for drawing a curve, evenly spaced
/// on a log scale: as smooth on a log₂ axis (an even spacing in N drew 1 to 500 as one straight
/// segment) as on a linear one, where a curve such as T₁/N bends most at few workers.
pub fn curve_xs(lo: f64, hi: f64, steps: usize) -> Vec<f64> {
    let (lo, hi) = (lo.max(1e-9), hi.max(lo.max(1e-9)));
    let ratio = hi / lo;
    (0..=steps)
        .map(|i| match i {
            0 => lo,
            i if i == steps => hi,
            i => lo * ratio.powf(i as f64 / steps as f64),
        })
        .collect()
}

pub fn fit_curve(fit: &ModelFit, kind: ChartKind, x_max: f64) -> Vec<(f64, f64)> {
    let Some((lo, hi)) = fit.fitted_range().filter(|_| kind.fit_law().is_some()) else {
        return Vec::new();
    };
    let (lo, hi) = (lo as f64, (hi as f64).min(x_max));
    if hi <= lo {
        return Vec::new();
    }
    let xs = curve_xs(lo, hi, 200).into_iter();
    // A curve that misses the points it was fitted to is not drawn: it would only mislead
    // (the reading says it fits poorly).
    let usl = fit
        .usl
        .as_ref()
        .filter(|_| !crate::analysis::usl_fits_poorly(fit));
    // The USL of a weak-scaling task is fitted to its throughput, which is what its speedup
    // is (see `results::file`): the same curve either way.
    let speedup = |n: f64| usl.map(|u| u.speedup(n));
    match kind {
        ChartKind::Speedup => xs.filter_map(|n| Some((n, speedup(n)?))).collect(),
        ChartKind::Efficiency => xs
            .filter_map(|n| Some((n, percent(speedup(n)? / n))))
            .collect(),
        ChartKind::WallTime => fit
            .amdahl
            .as_ref()
            .filter(|_| !crate::analysis::amdahl_fits_poorly(fit))
            .map(|a| xs.map(|n| (n, a.time(n))).collect())
            .unwrap_or_default(),
        ChartKind::Memory | ChartKind::LostUpdates => Vec::new(),
    }
}

/// The widest span of worker counts a linear axis shows well (1 to 32): beyond it (1 to 64;
/// 4, 16, 64, 256, 1024), the small counts crowd into the corner and a log₂ axis reads
/// better, though it bends the straight ideal line of a speedup chart.
const LINEAR_X_SPAN: usize = 32;

/// Whether `workers` span so many doublings that a log₂ worker axis reads better than a
/// linear one (the default where the user has not chosen).
pub fn suits_log_x(workers: impl IntoIterator<Item = usize>) -> bool {
    let (mut lo, mut hi) = (usize::MAX, 0);
    for w in workers.into_iter().filter(|&w| w > 0) {
        (lo, hi) = (lo.min(w), hi.max(w));
    }
    hi > 0 && hi / lo > LINEAR_X_SPAN
}

/// The widest span of median wall times a linear time axis shows well: beyond 100× (lock
/// contention's threads in 0.2 ms next to processes in 0.5 s), the fast models lie flat on
/// the axis and a log time axis reads better.
const LINEAR_Y_SPAN: f64 = 100.0;

/// Whether the median wall times of `runs` span so much that a log time axis reads better
/// than a linear one (the wall-time chart's default where the user has not chosen).
pub fn suits_log_time<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> bool {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
    for r in runs {
        for t in r
            .cells
            .iter()
            .filter_map(|c| c.wall.as_ref())
            .map(|w| w.median)
        {
            if t.is_finite() && t > 0.0 {
                (lo, hi) = (lo.min(t), hi.max(t));
            }
        }
    }
    hi > 0.0 && hi / lo > LINEAR_Y_SPAN
}

/// The axes that suit `runs` where nobody chose: `(log₂ workers, log time)` by
/// [`suits_log_x`] over every measured worker count and [`suits_log_time`].
pub fn suited_scales<'a>(runs: impl Iterator<Item = &'a ResultsFile> + Clone) -> (bool, bool) {
    let workers = runs.clone().flat_map(|r| r.cells.iter().map(|c| c.workers));
    (suits_log_x(workers), suits_log_time(runs))
}

/// The worker counts measured in any of `runs` (or planned), sorted: the x axis ticks.
pub fn worker_ticks(workers: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = workers.into_iter().filter(|&w| w > 0).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Thins `ticks` so that neighbours are at least `min_gap` apart on an axis where `pos` maps
/// a worker count to its position (pixels): the first and last stay, crowded ones in between
/// go (on a linear axis 1, 2, 3, 4 crowd together when 64 is also measured).
pub fn thin_ticks(ticks: &[usize], pos: impl Fn(f64) -> f64, min_gap: f64) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, &t) in ticks.iter().enumerate() {
        let last = i + 1 == ticks.len();
        match out.last() {
            Some(&prev) if pos(t as f64) - pos(prev as f64) < min_gap => {
                if last {
                    // Keep the largest count; drop the crowded one before it.
                    if out.len() > 1 {
                        out.pop();
                    }
                    out.push(t);
                }
            }
            _ => out.push(t),
        }
    }
    out
}

/// "Nice" linear ticks (1, 2, 2.5, 5 × 10^k steps) covering `lo..=hi`, about `n` of them.
pub fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi <= lo || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    // A step that underflowed (a range of denormal numbers from a hostile file) would ask for
    // ~2^63 ticks: the range's ends instead.
    let first = (lo / step).ceil();
    let last = (hi / step + 1e-9).floor();
    let count = last - first;
    if !(step > 0.0 && step.is_finite() && count.is_finite() && count <= 1000.0) {
        return vec![lo, hi];
    }
    (first as i64..=last as i64)
        .map(|i| i as f64 * step)
        .collect()
}

/// Ticks of a log10 axis over `lo..=hi` (positive): 1, 2, 5 × 10^k.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return vec![lo.max(f64::MIN_POSITIVE)];
    }
    let mut out = Vec::new();
    let mut k = lo.log10().floor() as i32;
    while 10f64.powi(k) <= hi * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let v = m * 10f64.powi(k);
            if v >= lo * 0.9999 && v <= hi * 1.0001 {
                out.push(v);
            }
        }
        k += 1;
    }
    out
}

/// `ticks` of a log₁₀ axis ([`log_ticks`]) thinned to at most `max` (at least 2) where they
/// would crowd a short axis: 1 and 5 × 10^k, then the decades, then every second or fourth
/// decade.
pub fn thin_log_ticks(ticks: Vec<f64>, max: usize) -> Vec<f64> {
    let max = max.max(2);
    if ticks.len() <= max {
        return ticks;
    }
    let mantissa = |v: f64| v / 10f64.powf(v.log10().floor());
    let is = |v: f64, m: f64| (mantissa(v) - m).abs() < 1e-6;
    let ones_fives: Vec<f64> = ticks
        .iter()
        .copied()
        .filter(|&v| is(v, 1.0) || is(v, 5.0))
        .collect();
    if (2..=max).contains(&ones_fives.len()) {
        return ones_fives;
    }
    let decades: Vec<f64> = ticks.iter().copied().filter(|&v| is(v, 1.0)).collect();
    if decades.len() < 2 {
        // Less than a decade and still crowded: its two ends.
        return match (ticks.first(), ticks.last()) {
            (Some(&a), Some(&b)) => vec![a, b],
            _ => ticks,
        };
    }
    let mut every = 1;
    while decades.len().div_ceil(every) > max {
        every *= 2;
    }
    decades.into_iter().step_by(every).collect()
}

/// A tick value as text with no more digits than the step needs.
pub fn tick_text(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    let decimals = if (v * 10f64.powi(decimals as i32)).fract().abs() > 1e-6 {
        decimals + 1
    } else {
        decimals
    };
    format!("{v:.decimals$}")
}

/// How busy the machine was while a run was measured, for the chart's warning line (`6 of 40
/// runs`, `1.2 cores of other load over all runs`): `None` when it was quiet.
/// A note for a chart that draws cells cancelled after some of their runs, e.g. `7 cells
/// are partial: the sweep was cancelled after 2 to 3 runs of each`; `None` without any.
pub fn partial_mark(results: &ResultsFile) -> Option<String> {
    let runs: Vec<usize> = results
        .cells
        .iter()
        .filter(|c| c.is_partial())
        .map(|c| c.samples.len())
        .collect();
    let (lo, hi) = (runs.iter().min()?, runs.iter().max()?);
    let of_each = match lo == hi {
        true => crate::words::count(*lo, "run"),
        false => format!("{lo} to {hi} runs"),
    };
    Some(match runs.len() {
        1 => format!("1 cell is partial: cancelled after {of_each}"),
        n => format!("{n} cells are partial: cancelled after {of_each} each"),
    })
}

pub fn busy_mark(results: &ResultsFile) -> Option<String> {
    let m = &results.machine;
    if let Some(load) = m.load_during_runs.as_ref().filter(|l| l.was_busy()) {
        // Busy by the pooled ticks of runs too short to be marked one by one.
        if load.busy_runs == 0 {
            return Some(format!(
                "{:.1} cores of other load over all runs",
                load.mean_other_cores
            ));
        }
        return Some(format!("{} of {} runs", load.busy_runs, load.runs));
    }
    let busy_cells = results.cells.iter().filter(|c| c.was_busy()).count();
    if busy_cells > 0 {
        return Some(format!("{busy_cells} cells affected"));
    }
    m.busy_cores_at_start
        .filter(|b| *b > 0.5)
        .map(|b| format!("{b:.1} cores busy at start"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn sequential_is_called_the_baseline_only_where_it_is_one() {
        assert_eq!(
            model_name(ModelKind::Sequential, Baseline::Sequential),
            "sequential (baseline)"
        );
        // Lock contention: each model against its own one worker; sequential is no baseline.
        assert_eq!(
            model_name(ModelKind::Sequential, Baseline::SameModelOneWorker),
            "sequential"
        );
        assert_eq!(
            model_name(ModelKind::Threads, Baseline::Sequential),
            "threads"
        );
    }

    #[test]
    fn partial_cells_are_marked_on_every_chart_kind_and_the_baseline_is_named() {
        use super::*;
        use crate::results::RunStatus;
        let cell = |model, workers, status, walls: &[f64]| CellResult {
            status,
            ..CellResult::with_walls(model, workers, walls)
        };
        let mut r = ResultsFile {
            status: RunStatus::Cancelled,
            cells: vec![
                cell(ModelKind::Sequential, 1, CellStatus::Ok, &[0.4; 6]),
                cell(ModelKind::Threads, 1, CellStatus::Ok, &[0.41; 6]),
                cell(
                    ModelKind::Threads,
                    2,
                    CellStatus::Cancelled,
                    &[0.21, 0.2, 0.22],
                ),
                cell(ModelKind::Threads, 4, CellStatus::Cancelled, &[]),
            ],
            ..ResultsFile::default()
        };
        r.experiment.models = vec![ModelKind::Sequential, ModelKind::Threads];
        r.recompute();
        let run = [ChartRun {
            label: "r",
            results: &r,
        }];
        for kind in [
            ChartKind::Speedup,
            ChartKind::Efficiency,
            ChartKind::WallTime,
        ] {
            let series = collect_series(&run, kind, &SeriesFilter::default(), 4.0);
            assert_eq!(series[0].label, "sequential (baseline)");
            assert!(series[0].partial.is_empty());
            let threads = &series[1];
            // The cell cancelled before any run has no point; the one after 3 runs is partial.
            let xs: Vec<f64> = threads.points.iter().map(|p| p.0).collect();
            assert_eq!(xs, [1.0, 2.0], "{kind:?}");
            assert_eq!(threads.partial, [2.0], "{kind:?}");
            assert!(threads.is_partial_at(2.0) && !threads.is_partial_at(1.0));
        }
        assert_eq!(
            partial_mark(&r).as_deref(),
            Some("1 cell is partial: cancelled after 3 runs")
        );
    }

    #[test]
    fn curves_are_sampled_evenly_on_a_log_scale_between_their_ends() {
        let xs = super::curve_xs(1.0, 1024.0, 10);
        assert_eq!(xs.len(), 11);
        assert_eq!((xs[0], xs[10]), (1.0, 1024.0));
        // Each step doubles: 1, 2, 4, … (an even spacing in N had put 1 and 103 side by side).
        for (i, x) in xs.iter().enumerate() {
            assert!((x - 2f64.powi(i as i32)).abs() < 1e-9, "{xs:?}");
        }
        assert_eq!(super::curve_xs(4.0, 4.0, 3), vec![4.0; 4]);
    }

    use super::*;
    use crate::results::CellStatus;

    #[test]
    fn chart_kind_ids_round_trip() {
        for k in ChartKind::ALL {
            assert_eq!(ChartKind::from_id(k.id()), Some(k));
        }
        assert_eq!(ChartKind::from_id("wall-time"), Some(ChartKind::WallTime));
        assert_eq!(ChartKind::from_id("rss"), Some(ChartKind::Memory));
        assert_eq!(ChartKind::from_id("pie"), None);
    }

    #[test]
    fn known_models_keep_their_colours() {
        assert_eq!(model_colour(ModelKind::Threads), (0, 114, 178));
        assert_eq!(model_colour(ModelKind::Processes), (213, 94, 0));
    }

    #[test]
    fn every_model_has_its_own_colour_and_marker() {
        let mut colours: Vec<_> = ModelKind::ALL.iter().map(|&m| model_colour(m)).collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), ModelKind::ALL.len());
        let mut markers: Vec<_> = ModelKind::ALL
            .iter()
            .map(|&m| format!("{:?}", model_marker(m)))
            .collect();
        markers.sort_unstable();
        markers.dedup();
        assert_eq!(markers.len(), ModelKind::ALL.len().min(MARKERS.len()));
        // The core marker is grey, not a model colour.
        assert!(!colours.contains(&core_marker_colour(Theme::Light)));
    }

    #[test]
    fn a_partial_cell_stands_out_in_the_shown_run_and_in_a_compared_one() {
        for run in 0..4 {
            let style = series_style(ModelKind::Threads, run, Theme::Light);
            let whole = point_marker(&style, false);
            let partial = point_marker(&style, true);
            assert_ne!(whole, partial, "run {run}");
            assert!(!whole.ringed && partial.ringed && !partial.filled);
        }
        // The shown results' complete cells filled, a compared run's hollow: the ring is what
        // tells a compared run's partial cell from its complete ones.
        let compared = series_style(ModelKind::Threads, 1, Theme::Light);
        assert!(!point_marker(&compared, false).filled);
        assert!(partial_ring_radius(4.8) > 4.8 * 1.25);
    }

    #[test]
    fn compared_runs_differ_in_dash_and_marker_fill() {
        let a = series_style(ModelKind::Threads, 0, Theme::Light);
        let b = series_style(ModelKind::Threads, 1, Theme::Light);
        assert_eq!(a.colour, b.colour);
        assert_ne!(a.dash, b.dash);
        assert!(a.filled && !b.filled);
        assert_ne!(run_dash(1), run_dash(2));
    }

    #[test]
    fn labels_name_the_run_only_when_overlaid() {
        assert_eq!(
            series_label(ModelKind::Threads, Baseline::Sequential, "big", 1),
            "threads"
        );
        assert_eq!(
            series_label(ModelKind::GilThreads, Baseline::Sequential, "big", 2),
            "gil-threads @ big"
        );
        let mut r = ResultsFile::default();
        r.experiment.name = "Python GIL vs processes".into();
        r.started_at = "2026-11-26T01:18:53Z".into();
        assert_eq!(run_label(&r), "Python GIL vs processes, 2026-11-26");
        r.started_at.clear();
        assert_eq!(run_label(&r), "Python GIL vs processes");
    }

    fn run_on(name: &str, cores: usize, cpu: &str, started_at: &str) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.name = name.into();
        r.machine.logical_cores = cores;
        r.machine.cpu_brand = cpu.into();
        r.machine.hostname = "vm".into();
        r.started_at = started_at.into();
        r
    }

    #[test]
    fn compared_runs_are_labelled_by_what_differs_between_them() {
        let two = run_on("Scaling", 2, "AMD EPYC", "2026-11-26T07:44:26Z");
        let sixteen = run_on("Scaling", 16, "Intel Xeon", "2026-11-26T05:49:43Z");
        let no_stems = [None, None];
        // The same experiment on two machines, the same day: the core counts alone.
        assert_eq!(
            run_labels(&[&two, &sixteen], &no_stems),
            ["2 cores", "16 cores"]
        );
        // Equal core counts: the CPU; then the date; then the time of day.
        let other_cpu = run_on("Scaling", 2, "Intel Xeon", "2026-11-26T07:44:26Z");
        assert_eq!(
            run_labels(&[&two, &other_cpu], &no_stems),
            ["AMD EPYC", "Intel Xeon"]
        );
        let later = run_on("Scaling", 2, "AMD EPYC", "2026-11-27T07:44:26Z");
        assert_eq!(
            run_labels(&[&two, &later], &no_stems),
            ["2026-11-26", "2026-11-27"]
        );
        let an_hour_later = run_on("Scaling", 2, "AMD EPYC", "2026-11-26T08:44:26Z");
        assert_eq!(
            run_labels(&[&two, &an_hour_later], &no_stems),
            ["07:44", "08:44"]
        );
        // Different experiments on different machines: both.
        let gil = run_on("GIL", 16, "Intel Xeon", "2026-11-26T05:49:43Z");
        assert_eq!(
            run_labels(&[&two, &gil], &no_stems),
            ["Scaling, 2 cores", "GIL, 16 cores"]
        );
        // Three runs, two alike but for their files.
        let stems = [Some("a".to_string()), Some("b".to_string()), None];
        assert_eq!(
            run_labels(&[&two, &sixteen, &two.clone()], &stems),
            ["2 cores, a", "16 cores, b", "2 cores, ?"]
        );
        // Started within the same minute: to the second, not beside the minute.
        let seconds_later = run_on("Scaling", 2, "AMD EPYC", "2026-11-26T07:44:51Z");
        assert_eq!(
            run_labels(&[&two, &seconds_later], &no_stems),
            ["07:44:26", "07:44:51"]
        );
        // Alike in all of that: the part of the file names that differs, not all of them.
        let stems = [
            Some("2026-11-27T07-50-27Z_cpu-bound-threads-vs-processes-14422".to_string()),
            Some("2026-11-27T07-50-14Z_cpu-bound-threads-vs-processes-14422".to_string()),
        ];
        assert_eq!(run_labels(&[&two, &two.clone()], &stems), ["27Z", "14Z"]);
        assert_eq!(
            distinct_stems(&["laptop-run".to_string(), "server-run".to_string()]),
            ["laptop", "server"]
        );
        assert_eq!(
            distinct_stems(&["run".to_string(), "run".to_string()]),
            ["run", "run"],
            "nothing differs: whole"
        );
        // The same file twice: numbered.
        assert_eq!(
            run_labels(&[&two, &two.clone()], &no_stems),
            ["Scaling, 2026-11-26", "Scaling, 2026-11-26 #2"]
        );
        // One run alone: its name and date.
        assert_eq!(run_labels(&[&two], &[]), ["Scaling, 2026-11-26"]);
    }

    #[test]
    fn efficiency_is_in_percent() {
        let cell = CellResult {
            workers: 4,
            efficiency: Some(0.875),
            speedup: Some(3.5),
            speedup_low: Some(3.0),
            speedup_high: Some(3.8),
            speedup_ci_low: Some(2.8),
            speedup_ci_high: Some(4.0),
            // Five runs: the interval is their range, 0.875–1.25 s around the median 1.0 s.
            wall: crate::stats::summarize(&[0.875, 1.0, 1.0, 1.0, 1.25]),
            ..CellResult::default()
        };
        assert_eq!(ChartKind::Efficiency.value(&cell), Some(87.5));
        // The bars are the speedup's interval (the medians' intervals), ÷ 4 workers in
        // percent for efficiency; not the slowest and fastest runs (3.0–3.8 here).
        assert_eq!(ChartKind::Efficiency.range(&cell), Some((70.0, 100.0)));
        assert_eq!(ChartKind::Speedup.range(&cell), Some((2.8, 4.0)));
        assert_eq!(ChartKind::WallTime.range(&cell), Some((0.875, 1.25)));
        // The baseline's own point, 1× by definition, has no speedup bar but its time has one.
        let baseline = CellResult {
            speedup_ci_low: None,
            speedup_ci_high: None,
            ..cell
        };
        assert_eq!(ChartKind::Speedup.range(&baseline), None);
        assert_eq!(ChartKind::Efficiency.range(&baseline), None);
        assert_eq!(ChartKind::WallTime.range(&baseline), Some((0.875, 1.25)));
    }

    #[test]
    fn a_speedup_against_each_models_own_worker_says_so_on_its_axis() {
        use crate::preset::Baseline;
        assert_eq!(
            ChartKind::Speedup.y_label_against(Baseline::SameModelOneWorker),
            "speedup (× its own 1 worker)"
        );
        assert_eq!(
            ChartKind::Speedup.y_label_against(Baseline::Sequential),
            ChartKind::Speedup.y_label()
        );
        assert_eq!(
            ChartKind::WallTime.y_label_against(Baseline::SameModelOneWorker),
            ChartKind::WallTime.y_label()
        );
        // Runs on one chart: the shared baseline's label, or the plain one where they differ.
        let mut own = ResultsFile::default();
        own.experiment.baseline = Baseline::SameModelOneWorker;
        let mut shared = ResultsFile::default();
        shared.experiment.baseline = Baseline::Sequential;
        assert_eq!(
            ChartKind::Speedup.y_label_for([&own, &own]),
            "speedup (× its own 1 worker)"
        );
        assert_eq!(
            ChartKind::Speedup.y_label_for([&own, &shared]),
            ChartKind::Speedup.y_label()
        );
    }

    #[test]
    fn memory_is_the_peak_rss_in_mib_with_no_bar_fit_or_ideal() {
        let cell = CellResult {
            workers: 4,
            peak_rss_bytes: Some(96 * 1024 * 1024 + 512 * 1024),
            ..CellResult::default()
        };
        assert_eq!(ChartKind::Memory.value(&cell), Some(96.5));
        assert_eq!(ChartKind::Memory.range(&cell), None);
        assert_eq!(ChartKind::Memory.value(&CellResult::default()), None);
        assert!(ChartKind::Memory.y_label().contains("MiB"));
        assert!(!ChartKind::Memory.has_ideal() && ChartKind::Memory.fit_law().is_none());
        assert!(!ChartKind::Memory.supports_log_y());
    }

    /// A contention task of 1000 increments per worker whose runs lost these counts.
    fn lost_file(cells: &[(ModelKind, usize, &[Option<u64>])]) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.task.contention.increments = 1000;
        for &(model, workers, lost) in cells {
            let mut c = CellResult::with_walls(model, workers, &vec![0.01; lost.len()]);
            for (s, l) in c.samples.iter_mut().zip(lost) {
                s.lost_updates = *l;
            }
            r.cells.push(c);
        }
        r.recompute();
        r
    }

    #[test]
    fn lost_updates_are_shares_of_the_increments_all_workers_were_asked_for() {
        let r = lost_file(&[
            (ModelKind::Sequential, 1, &[Some(0), Some(0), Some(0)]),
            // 2 × 1000 asked: 0, 500, 1000 lost.
            (ModelKind::Threads, 2, &[Some(500), Some(0), Some(1000)]),
            // 4 × 1000 asked, an even count of runs: the median is the middle two's mean.
            (
                ModelKind::Threads,
                4,
                &[Some(1000), Some(3000), Some(2000), Some(4000)],
            ),
            // More lost than asked (a hand-edited file): all of it.
            (ModelKind::GilThreads, 2, &[Some(2500)]),
            // No counter: no point.
            (ModelKind::Processes, 2, &[None, None]),
        ]);
        let share = |i: usize| lost_share(&r, &r.cells[i]).unwrap();
        assert_eq!(
            share(1),
            LostShare {
                asked: 2000,
                median_pct: 25.0,
                min_pct: 0.0,
                max_pct: 50.0,
                max_lost: 1000,
                runs: 3,
                runs_losing: 2,
            }
        );
        let four = share(2);
        assert_eq!(four.asked, 4000);
        assert_eq!(
            (four.median_pct, four.min_pct, four.max_pct),
            (62.5, 25.0, 100.0)
        );
        assert_eq!(share(3).median_pct, 100.0);
        assert_eq!(lost_share(&r, &r.cells[4]), None);
        assert_eq!(share(0).runs_losing, 0);

        let run = [ChartRun {
            label: "r",
            results: &r,
        }];
        let series = collect_series(&run, ChartKind::LostUpdates, &SeriesFilter::default(), 4.0);
        let labels: Vec<&str> = series.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            ["sequential (baseline): 0 lost", "threads", "gil-threads"]
        );
        // The point is the median run, the bar spans the runs; none where every run lost the
        // same.
        assert_eq!(series[0].points, vec![(1.0, 0.0, None)]);
        assert!(series[0].horizontal);
        assert_eq!(
            series[1].points,
            vec![
                (2.0, 25.0, Some((0.0, 50.0))),
                (4.0, 62.5, Some((25.0, 100.0)))
            ]
        );
        assert!(series.iter().all(|s| s.fit.is_empty()));
        assert_eq!(
            ChartKind::LostUpdates.unavailable_reason([&r]),
            None,
            "a contention task with counted runs"
        );
    }

    #[test]
    fn the_lost_updates_chart_needs_a_counter_and_keeps_zero_above_its_axis() {
        let cpu = file_of_kind(TaskKind::Cpu);
        let reason = ChartKind::LostUpdates.unavailable_reason([&cpu]).unwrap();
        assert_eq!(
            reason,
            "only a `contention` task counts lost updates, and this is a `cpu` task"
        );
        assert_eq!(
            ChartKind::available([&cpu]),
            [
                ChartKind::Speedup,
                ChartKind::Efficiency,
                ChartKind::WallTime,
                ChartKind::Memory
            ]
        );
        // Compared with a run that counted: available.
        let counted = lost_file(&[(ModelKind::Threads, 2, &[Some(0)])]);
        assert_eq!(
            ChartKind::LostUpdates.unavailable_reason([&cpu, &counted]),
            None
        );
        // A contention file without counts (cells that failed, say), and no results at all.
        let uncounted = lost_file(&[(ModelKind::Threads, 2, &[None])]);
        assert!(
            ChartKind::LostUpdates
                .unavailable_reason([&uncounted])
                .unwrap()
                .contains("no cell has a run that counted")
        );
        assert_eq!(
            ChartKind::LostUpdates.unavailable_reason([]).unwrap(),
            "there are no results yet"
        );
        // Before a sweep: only the task matters.
        assert!(
            ChartKind::LostUpdates
                .unavailable_for_tasks(&[TaskKind::Contention])
                .is_none()
        );
        assert!(
            ChartKind::Speedup
                .unavailable_for_tasks(&[TaskKind::Io])
                .is_none()
        );
        assert!(
            ChartKind::Memory
                .unavailable_for_tasks(&[TaskKind::Io])
                .is_none()
        );
        // The chart refuses with its view's words.
        assert_eq!(
            ChartKind::LostUpdates.unavailable_for_tasks(&[TaskKind::Io]),
            preset::ResultsView::LostUpdates.unavailable_for(TaskKind::Io)
        );
        // Every view that is a chart maps to it and back.
        for view in preset::ResultsView::ALL {
            if let Some(chart) = ChartKind::of_view(view) {
                assert_eq!(chart.view(), Some(view), "{view}");
            }
        }
        assert_eq!(
            ChartKind::of_view(preset::ResultsView::Time),
            Some(ChartKind::WallTime)
        );
        assert_eq!(ChartKind::of_view(preset::ResultsView::Table), None);
        // 0 % lies above the axis, which reaches 4 % of the height below it; other charts
        // start at 0.
        assert_eq!(y_axis_bottom(ChartKind::LostUpdates, 50.0), -2.0);
        assert_eq!(y_axis_bottom(ChartKind::Speedup, 50.0), 0.0);
        // Three models' bars side by side around their count, on every chart; one model's on
        // the point.
        let offsets: Vec<f64> = [0, 2, 3]
            .iter()
            .map(|&i| bar_offset(&[0, 2, 3], i))
            .collect();
        assert_eq!(offsets, [-0.01, 0.0, 0.01]);
        assert_eq!(bar_offset(&[2], 2), 0.0);
        assert_eq!(bar_offset(&[0, 2, 3], 0), -0.01);
        let k = ChartKind::LostUpdates;
        assert!(!k.has_ideal() && k.fit_law().is_none() && !k.supports_log_y());
        assert_eq!(ChartKind::from_id("lost-updates"), Some(k));
        let counted = lost_file(&[(ModelKind::Threads, 2, &[Some(0)])]);
        assert_eq!(
            lost_updates_note([&counted, &cpu]),
            "100 % = all the increments the N workers of a run were asked for, N × 1000 · point: \
             the median run · bar: the runs that lost least and most"
        );
    }

    fn file_of_kind(kind: TaskKind) -> ResultsFile {
        let mut r = ResultsFile::default();
        r.experiment.task.kind = kind;
        r.cells
            .push(CellResult::with_walls(ModelKind::Threads, 1, &[0.1]));
        r.recompute();
        r
    }

    #[test]
    fn wide_worker_spans_suit_a_log_axis() {
        assert!(suits_log_x([4, 16, 64, 256, 1024]));
        assert!(suits_log_x([1, 2, 4, 8, 16, 32, 64]));
        assert!(!suits_log_x([1, 2, 4, 8, 16, 32]));
        assert!(!suits_log_x([1, 2, 3, 4]));
        assert!(!suits_log_x([]));
        assert!(!suits_log_x([0, 8]));
    }

    #[test]
    fn times_spanning_more_than_100_times_suit_a_log_axis() {
        let file = |walls: &[f64]| {
            let mut r = ResultsFile::default();
            for (i, &t) in walls.iter().enumerate() {
                r.cells
                    .push(CellResult::with_walls(ModelKind::Threads, i + 1, &[t]));
            }
            r.recompute();
            r
        };
        assert!(suits_log_time([&file(&[0.0002, 0.5])]));
        assert!(!suits_log_time([&file(&[0.01, 0.5])]));
        // Across compared runs too.
        assert!(suits_log_time([&file(&[0.0002]), &file(&[0.5])]));
        assert!(!suits_log_time([&ResultsFile::default()]));
    }

    /// A file whose cells have these (workers, speedup) pairs.
    fn speedups(points: &[(usize, f64)]) -> ResultsFile {
        let mut r = ResultsFile::default();
        for &(workers, s) in points {
            let mut c = CellResult::with_walls(ModelKind::Threads, workers, &[1.0 / s]);
            c.speedup = Some(s);
            r.cells.push(c);
        }
        r
    }

    #[test]
    fn a_log_speedup_axis_is_asked_for_or_picked_only_on_log_log_over_a_wide_span() {
        use AxisScale::{Auto, Linear, Log};
        let narrow = speedups(&[(1, 1.0), (2, 1.9), (4, 3.5), (8, 6.0)]);
        let wide = speedups(&[(1, 1.0), (2, 1.9), (4, 3.5), (8, 6.0), (64, 40.0)]);
        let slow = speedups(&[(1, 1.0), (2, 0.5), (4, 0.25), (8, 0.12)]);
        let resolve = |kind, r: &ResultsFile, x, y| resolve_scales(kind, [r].into_iter(), x, y);
        assert!(!suits_log_speedup([&narrow]) && suits_log_speedup([&wide]));
        // 0.12× to 1× spans more than 8 times too.
        assert!(suits_log_speedup([&slow]));
        // auto: log₂ speedup only with a log₂ worker axis (1..64 is one) and a span ≥ 8×.
        assert_eq!(
            resolve(ChartKind::Speedup, &wide, Auto, Auto),
            Ok((true, true))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &narrow, Auto, Auto),
            Ok((false, false))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &slow, Auto, Auto),
            Ok((false, false)),
            "1 to 8 workers: a linear worker axis, so a linear speedup axis"
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &slow, Log, Auto),
            Ok((true, true))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &wide, Auto, Linear),
            Ok((true, false))
        );
        // log asked for: the worker axis follows, unless it was set linear.
        assert_eq!(
            resolve(ChartKind::Speedup, &narrow, Auto, Log),
            Ok((true, true))
        );
        assert_eq!(
            resolve(ChartKind::Speedup, &narrow, Linear, Log),
            Err(ScaleError::LogSpeedupNeedsLogX)
        );
        // Wall time keeps its own rule; efficiency, memory and lost updates refuse log.
        assert_eq!(
            resolve(ChartKind::WallTime, &narrow, Linear, Log),
            Ok((false, true))
        );
        assert_eq!(
            resolve(ChartKind::Efficiency, &wide, Auto, Auto),
            Ok((true, false))
        );
        for kind in [
            ChartKind::Efficiency,
            ChartKind::Memory,
            ChartKind::LostUpdates,
        ] {
            let err = resolve(kind, &wide, Auto, Log).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("the {} chart has no log y axis", kind.id())),
                "{err}"
            );
        }
        // The refusals do not depend on the results (checked before a sweep).
        assert!(resolve_scales(ChartKind::Efficiency, std::iter::empty(), Auto, Log).is_err());
        assert_eq!(ChartKind::Speedup.log_y_base(), Some(2.0));
        assert_eq!(ChartKind::WallTime.log_y_base(), Some(10.0));
        assert_eq!(ChartKind::Efficiency.log_y_base(), None);
    }

    #[test]
    fn log2_speedup_ticks_are_powers_of_two_read_as_times() {
        assert_eq!(log2_ticks(0.6, 20.0, 10), [1.0, 2.0, 4.0, 8.0, 16.0]);
        assert_eq!(log2_ticks(0.2, 1.2, 10), [0.25, 0.5, 1.0]);
        // Crowded: every second power, 1× kept.
        assert_eq!(
            log2_ticks(0.8, 1100.0, 6),
            [1.0, 4.0, 16.0, 64.0, 256.0, 1024.0]
        );
        assert!(log2_ticks(0.3, 0.9, 10).contains(&0.5));
        assert_eq!(log2_ticks(f64::NAN, 3.0, 10), [1.0]);
        let texts: Vec<String> = [0.25, 0.5, 1.0, 2.0, 1024.0]
            .iter()
            .map(|&v| speedup_tick_text(v))
            .collect();
        assert_eq!(texts, ["0.25×", "0.5×", "1×", "2×", "1024×"]);
        assert_eq!(speedup_tick_text(0.125), "0.125×");
    }

    #[test]
    fn ticks() {
        assert_eq!(worker_ticks([16, 1, 4, 2, 8, 4]), vec![1, 2, 4, 8, 16]);
        assert_eq!(
            linear_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(log_ticks(0.05, 1.2), vec![0.05, 0.1, 0.2, 0.5, 1.0]);
        // A short log axis: fewer ticks, the decades kept.
        let many = log_ticks(0.005, 1.2);
        assert_eq!(many.len(), 8);
        assert_eq!(thin_log_ticks(many.clone(), 10), many);
        assert_eq!(
            thin_log_ticks(many.clone(), 6),
            [0.005, 0.01, 0.05, 0.1, 0.5, 1.0]
        );
        assert_eq!(thin_log_ticks(many.clone(), 5), [0.01, 0.1, 1.0]);
        assert_eq!(thin_log_ticks(many.clone(), 3), [0.01, 0.1, 1.0]);
        assert_eq!(
            thin_log_ticks(log_ticks(0.001, 1e4), 4),
            [0.001, 0.1, 10.0, 1000.0]
        );
        assert_eq!(thin_log_ticks(many, 1), [0.01, 1.0]);
        assert_eq!(thin_log_ticks(vec![0.2, 0.5, 0.7], 2), [0.2, 0.7]);
        // Denormal times from a hostile file: the ends, not 2^63 ticks.
        assert_eq!(linear_ticks(0.0, 5e-324, 5), vec![0.0, 5e-324]);
        assert_eq!(linear_ticks(0.0, 1e-310, 5).len(), 6);
        // 1..4 crowd together next to 64 on a linear axis 300 px wide.
        let thin = thin_ticks(&[1, 2, 3, 4, 8, 16, 32, 64], |x| x * 300.0 / 64.0, 18.0);
        assert_eq!(thin, vec![1, 8, 16, 32, 64]);
        assert_eq!(tick_text(2.5, 0.5), "2.5");
        assert_eq!(tick_text(20.0, 5.0), "20");
        assert_eq!(tick_text(0.05, 0.05), "0.05");
    }
}
