//! [`Layers`]: what a chart draws besides the shown results' own points (compared runs, fits,
//! cells still being measured), and the series' names in the workbench.

use crate::analysis::ModelFit;
use crate::export::chart_model;
use crate::export::series_label;
use crate::preset::ModelKind;

use super::CompareRun;

/// What is drawn besides the shown results' own points.
pub struct Layers<'a> {
    /// Each run's label when runs are compared: the shown results first, then `compare`'s
    /// (see [`crate::export::run_labels`]).
    pub labels: &'a [String],
    /// Runs overlaid for comparison.
    pub compare: &'a [CompareRun],
    /// The shown results' baseline (compared runs have their own, in their results).
    pub baseline: crate::preset::Baseline,
    /// The shown results' fits (see [`crate::analysis::fit_results`]).
    pub fits: &'a [ModelFit],
    /// Draw the fitted curves: the workbench's **show fits**, which the **View** menu ticks
    /// where room is tight (else the row above the chart does, by the caller).
    pub show_fits: &'a mut bool,
    /// The shown results' cells still being measured (a sweep running, the cell not
    /// complete): drawn hollow in a ring, as a partial cell, until they complete.
    pub measuring: &'a [(ModelKind, usize)],
    /// The shown results are a sweep's still running (before its first round they have no
    /// cell at all).
    pub sweep_running: bool,
}

impl Layers<'_> {
    /// The name of a series of `model` in run `run` (0: the shown results, then `compare`).
    pub fn series_name(&self, model: ModelKind, run: usize) -> String {
        let runs = 1 + self.compare.len();
        let baseline = match run {
            0 => self.baseline,
            r => self
                .compare
                .get(r - 1)
                .map_or(self.baseline, |c| c.results.experiment.baseline),
        };
        if runs == 1 {
            return series_name(model, baseline);
        }
        // The legends draw each run's line pattern, and a screen reader, which reads the
        // entry's name, hears it too: the pattern that tells runs apart is said in words.
        let label = self.labels.get(run).map_or("", String::as_str);
        format!(
            "{} ({})",
            series_label(model, baseline, label, runs),
            chart_model::run_dash(run).name()
        )
    }
}

/// The name of a series of `model` where one run is shown.
pub(super) fn series_name(model: ModelKind, baseline: crate::preset::Baseline) -> String {
    chart_model::model_name(model, baseline)
}
