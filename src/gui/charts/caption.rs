//! The caption above a chart: how to read it, its baseline (or that nothing is measured yet),
//! the fits, partial cells, cells still being measured and compared runs; and the name of the
//! "(?) how to read" that holds it where room is short.

use eframe::egui;

use crate::analysis::ModelFit;
use crate::export::{ChartKind, chart_model};
use crate::gui::style;
use crate::results::ResultsFile;

use super::CompareRun;
use super::fits_caption::fits_caption;
use super::measuring::measuring_note;

/// The name of the chart's "(?) how to read", for a screen reader (its description is the
/// caption).
pub const HOW_TO_READ: &str = "How to read this chart";

/// What the caption of a chart tells (copied out of the chart's [`super::Layers`], so that
/// drawing it borrows none of them).
#[derive(Clone, Copy)]
pub(super) struct Caption<'a> {
    pub(super) kind: ChartKind,
    /// The shown results, if any.
    pub(super) results: Option<&'a ResultsFile>,
    /// Each run's label when runs are compared (see [`super::Layers::labels`]).
    pub(super) labels: &'a [String],
    pub(super) compare: &'a [CompareRun],
    /// The shown results' fits, and whether they are drawn (**show fits**).
    pub(super) fits: &'a [ModelFit],
    pub(super) fits_drawn: bool,
    /// How many of the shown results' cells are still being measured.
    pub(super) measuring: usize,
}

impl Caption<'_> {
    /// Draws the caption in `ui` (a wrapped row: a paragraph above the plot, or the hover of
    /// a "(?)" where room is short).
    pub(super) fn show(&self, ui: &mut egui::Ui) {
        let Caption {
            kind,
            results,
            labels,
            compare,
            fits,
            fits_drawn,
            measuring,
        } = *self;
        ui.label(kind.caption());
        crate::gui::help_mark::help_mark_text(
            ui,
            "(?) more",
            "More on reading this chart",
            kind.explanation(),
        );
        match results {
            Some(r) if kind == ChartKind::LostUpdates => {
                let runs = std::iter::once(r).chain(compare.iter().map(|c| &c.results));
                ui.weak(format!("· {}", chart_model::lost_updates_note(runs)));
            }
            Some(r) if kind != ChartKind::WallTime => {
                // Named and timed as in the table and the report (`results::Baselines`).
                ui.weak(format!(
                    "· baseline: {}: {}",
                    r.baseline.description,
                    r.baselines().describe()
                ));
            }
            Some(_) => {}
            None => {
                ui.weak("· No measurements yet: press Run, or open a results file.");
            }
        }
        if fits_drawn && !fits.is_empty() && kind.fit_law().is_some() {
            ui.weak(fits_caption(kind, fits))
                .on_hover_text(style::help::FITS);
        }
        // The shown results' partial cells and the compared runs' (named by run).
        let shown = results
            .into_iter()
            .chain(compare.iter().map(|c| &c.results));
        let partial: Vec<String> = shown
            .enumerate()
            .filter_map(|(i, r)| {
                let p = chart_model::partial_mark(r)?;
                Some(match (compare.is_empty(), labels.get(i)) {
                    (false, Some(label)) => format!("{label}: {p}"),
                    _ => p,
                })
            })
            .collect();
        if !partial.is_empty() {
            ui.weak(format!(
                "· Hollow markers in a ring: {} (interrupted sweep).",
                partial.join("; ")
            ));
        }
        if let Some(note) = measuring_note(measuring) {
            ui.weak(note);
        }
        if !compare.is_empty() {
            ui.weak("· Compared runs: own line pattern, hollow markers.")
                .on_hover_text(style::COMPARED_RUNS);
        }
    }
}

/// Says, in place of the chart, why `kind` cannot be drawn for the shown results
/// (`reason`: [`ChartKind::unavailable_reason`]), and how to get one; `waiting` (a sweep of
/// a task that can draw it is running, and no run has counted yet): that it waits for the
/// sweep's first runs, not to press Run.
pub(super) fn say_unavailable(ui: &mut egui::Ui, kind: ChartKind, reason: &str, waiting: bool) {
    if waiting {
        ui.label(format!(
            "Waiting for the sweep's first runs: the {} chart is drawn once a run has counted its lost updates.",
            kind.id()
        ));
        return;
    }
    ui.label(format!(
        "No {} chart for these results: {reason}.",
        kind.id()
    ));
    ui.weak(
        "It is drawn for a contention task: open the lost-updates preset and press Run, \
         or open its results.",
    );
}
