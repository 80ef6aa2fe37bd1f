//! A line above the charts when compared runs differ in what bears on reading their curves
//! side by side (task size, runs per cell, interpreter, corelab build, machine; see
//! [`crate::results::comparison_differences`]), with each run's value on hover.

use eframe::egui;

use super::charts::CompareRun;
use crate::results::{Difference, ResultsFile, comparison_differences};

/// The shown results and the compared ones with their labels (`labels[0]` is the shown
/// results', as [`super::app::WorkbenchApp::run_labels`] gives them), and what differs.
pub fn differences(
    results: Option<&ResultsFile>,
    compare: &[CompareRun],
    labels: &[String],
) -> Vec<Difference> {
    let runs: Vec<(&str, &ResultsFile)> = results
        .into_iter()
        .chain(compare.iter().map(|c| &c.results))
        .enumerate()
        .map(|(i, r)| (labels.get(i).map_or("?", String::as_str), r))
        .collect();
    comparison_differences(&runs)
}

/// The line in words, e.g. `The compared runs differ in task size, machine: not like for
/// like`; `None` where they do not differ in anything that makes them so (a calibrated size
/// alone does not: [`note`]).
pub fn line(differences: &[Difference]) -> Option<String> {
    let aspects: Vec<&str> = differences
        .iter()
        .filter(|d| !d.like_for_like())
        .map(|d| d.aspect)
        .collect();
    (!aspects.is_empty()).then(|| {
        format!(
            "The compared runs differ in {}: not like for like (hover for each run's)",
            aspects.join(", ")
        )
    })
}

/// What a difference that leaves the runs like for like means for reading them (the same
/// preset calibrated to another size on each run); `None` without one.
pub fn note(differences: &[Difference]) -> Option<&'static str> {
    differences
        .iter()
        .any(|d| d.like_for_like())
        .then_some(CALIBRATED_NOTE)
}

/// [`note`]'s words.
pub const CALIBRATED_NOTE: &str = "Each run's calibration chose its own task size for the same target time: compare the speedups, not the wall times (hover for each run's size).";

/// Draws the line, if any (nothing without compared runs).
pub fn show(
    ui: &mut egui::Ui,
    results: Option<&ResultsFile>,
    compare: &[CompareRun],
    labels: &[String],
) {
    if compare.is_empty() {
        return;
    }
    let found = differences(results, compare, labels);
    let details: Vec<String> = found.iter().map(Difference::describe).collect();
    if let Some(text) = line(&found) {
        ui.colored_label(ui.visuals().warn_fg_color, text)
            .on_hover_text(details.join("\n"));
    }
    if let Some(text) = note(&found) {
        ui.weak(text).on_hover_text(details.join("\n"));
    }
}
