//! The series of a chart: one per model and run, with its points, error bars, fitted curve and
//! partial cells.

use super::{ChartKind, fit_curve, legend_label, series_label};
use crate::analysis::{ModelFit, fit_results};
use crate::preset::{self, ModelKind};
use crate::results::{CellResult, ResultsFile};

/// One results file on a chart, with the label that tells it apart when several are overlaid
/// (see [`run_label`](super::run_label)).
#[derive(Clone, Copy, Debug)]
pub struct ChartRun<'a> {
    pub label: &'a str,
    pub results: &'a ResultsFile,
}

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

#[cfg(test)]
mod tests {
    use crate::export::chart_model::partial_mark;
    use crate::results::CellStatus;

    #[test]
    fn partial_cells_are_marked_on_every_chart_kind_and_the_baseline_is_named() {
        use super::*;
        use crate::export::chart_model::interrupted_sweep;
        // Cancelled in threads × 2 after 3 runs, and in threads × 4 before any.
        let mut r = interrupted_sweep();
        r.experiment.workers.push(4);
        r.cells.push(CellResult {
            status: CellStatus::Cancelled,
            ..CellResult::with_walls(ModelKind::Threads, 4, &[])
        });
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
}
