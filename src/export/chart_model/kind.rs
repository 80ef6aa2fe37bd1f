//! The chart kinds: which quantity is on the y axis, and what each chart draws of a cell.

use super::{mib, percent};
use crate::preset::{self, TaskKind};
use crate::results::{CellResult, ResultsFile, lost_share};

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
            ChartKind::Memory => MEMORY_ADDED,
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
    /// they all share one, else [`ChartKind::y_label`]. A memory chart names the figure its
    /// points are ([`memory_label`]).
    pub fn y_label_for<'a>(self, runs: impl IntoIterator<Item = &'a ResultsFile>) -> &'static str {
        if self == ChartKind::Memory {
            return memory_label(runs);
        }
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
            ChartKind::Memory => cell.added_rss_bytes.or(cell.peak_rss_bytes).map(mib),
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

impl std::fmt::Display for ChartKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The memory chart's y label where its points are what the runs added (files written since
/// corelab records it): the front end's own memory is not in them, nor the in-process cells'
/// shared input (built once before any run and held by the parent for all of them), while
/// each worker process's own copy of it is (`engine::workload::shared`).
pub const MEMORY_ADDED: &str =
    "memory the run added, the shared in-process input not counted (MiB)";
/// The label where the points are peak RSS of the whole processes (older files, or a kernel
/// that refused to reset the high-water mark): this process's includes the front end's memory.
pub const MEMORY_WHOLE: &str = "peak RSS of the whole processes (MiB)";
/// The label where some points are one figure and some the other.
pub const MEMORY_MIXED: &str =
    "memory the run added, or peak RSS of the whole processes in older files (MiB)";

/// Which memory figure the cells of `runs` with memory state: [`MEMORY_ADDED`] where every
/// one states what the run added, [`MEMORY_WHOLE`] where none does, else [`MEMORY_MIXED`].
pub fn memory_label<'a>(runs: impl IntoIterator<Item = &'a ResultsFile>) -> &'static str {
    let (mut added, mut whole) = (false, false);
    for c in runs
        .into_iter()
        .flat_map(|r| &r.cells)
        .filter(|c| c.peak_rss_bytes.is_some() || c.added_rss_bytes.is_some())
    {
        match c.added_rss_bytes.is_some() {
            true => added = true,
            false => whole = true,
        }
    }
    match (added, whole) {
        (_, false) => MEMORY_ADDED,
        (false, true) => MEMORY_WHOLE,
        (true, true) => MEMORY_MIXED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        // What the run added, where the cell states it, rather than the whole processes' peak.
        let added = CellResult {
            added_rss_bytes: Some(12 * 1024 * 1024),
            ..cell.clone()
        };
        assert_eq!(ChartKind::Memory.value(&added), Some(12.0));
        // The axis names the figure the points are.
        let file = |c: &CellResult| {
            let mut r = ResultsFile::default();
            r.cells.push(c.clone());
            r.cells.push(CellResult::default());
            r
        };
        let (old, new) = (file(&cell), file(&added));
        assert_eq!(ChartKind::Memory.y_label_for([&new]), MEMORY_ADDED);
        assert_eq!(ChartKind::Memory.y_label_for([&old]), MEMORY_WHOLE);
        assert_eq!(ChartKind::Memory.y_label_for([&old, &new]), MEMORY_MIXED);
        assert!(MEMORY_WHOLE.contains("whole") && MEMORY_ADDED.contains("added"));
    }
}
