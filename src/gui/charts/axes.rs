//! The axes' grid marks and labels: worker counts thinned to fit, round steps on a linear
//! value axis, and the y axis's label cut to the plot's height.

use eframe::egui::{self, Color32};
use egui_plot::{GridInput, GridMark};

use crate::export::chart_model;

/// `label` as the y axis says it along a plot `height` points tall: whole where it fits,
/// else without its bracketed part ("speedup"), else nothing (it would run past the plot
/// into the rows above).
pub(super) fn y_label_fitting(ui: &egui::Ui, label: String, height: f32) -> String {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let width = |text: &str| {
        ui.painter()
            .layout_no_wrap(text.to_string(), font.clone(), Color32::WHITE)
            .size()
            .x
    };
    // The axis label runs along the plot's frame, less the x axis's ticks and label.
    let room = height - 50.0;
    if width(&label) <= room {
        return label;
    }
    let short = label
        .split_once(" (")
        .map_or(label.as_str(), |(head, _)| head)
        .to_string();
    if width(&short) <= room {
        short
    } else {
        String::new()
    }
}

/// egui_plot's smallest grid spacing, in points (its default): `GridInput::base_step_size` is
/// this many points in plot units.
const GRID_SPACING_MIN: f64 = 8.0;

/// Plot units per screen point on the axis of `input`.
fn units_per_point(input: &GridInput) -> f64 {
    input.base_step_size / GRID_SPACING_MIN
}

/// Grid marks at the worker counts `ticks` (positions already transformed), thinned so that
/// neighbours keep 28 points apart on screen (1, 2, 4, 8, 16 all fit on a plot 500 points
/// wide).
pub(super) fn worker_marks(ticks: &[(f64, usize)], input: &GridInput) -> Vec<GridMark> {
    let span = (input.bounds.1 - input.bounds.0).abs().max(1e-9);
    let counts: Vec<usize> = ticks.iter().map(|t| t.1).collect();
    // Looked up, not searched: this runs every frame, once per tick twice.
    let at: std::collections::HashMap<usize, f64> = ticks.iter().map(|t| (t.1, t.0)).collect();
    let pos = |w: f64| at.get(&(w as usize)).copied().unwrap_or(w);
    let kept: std::collections::HashSet<usize> =
        chart_model::thin_ticks(&counts, pos, 28.0 * units_per_point(input))
            .into_iter()
            .collect();
    ticks
        .iter()
        .filter(|t| kept.contains(&t.1))
        .map(|t| GridMark {
            value: t.0,
            // egui_plot hides an axis's labels whose marks are under 60 points apart by their
            // step, and fades them under 80: a plot narrower than 320 points (beside the
            // configuration panel in a small window) lost its worker counts. The marks are
            // thinned above; their step is never under those 80 points.
            step_size: (span / 4.0).max(WORKER_LABELS_SPACING * units_per_point(input)),
        })
        .collect()
}

/// The least spacing, in points, that egui_plot's x axis draws its labels at in full.
const WORKER_LABELS_SPACING: f64 = 81.0;

/// Grid marks of a linear value axis: round steps (1, 2, 2.5, 5 × 10^k) about 50 points apart,
/// none below zero (no quantity charted here is negative).
pub(super) fn value_marks(input: &GridInput) -> Vec<GridMark> {
    let (lo, hi) = (input.bounds.0.max(0.0), input.bounds.1);
    let points = (input.bounds.1 - input.bounds.0).abs() / units_per_point(input).max(1e-12);
    let n = (points / 50.0).floor().clamp(2.0, 12.0) as usize;
    let ticks = chart_model::linear_ticks(lo, hi, n);
    let step = match ticks.as_slice() {
        [a, b, ..] => b - a,
        _ => (hi - lo).max(1e-9),
    };
    ticks
        .into_iter()
        .map(|value| GridMark {
            value,
            step_size: step,
        })
        .collect()
}

/// Grid marks of a log y axis (`input`'s bounds in log₁₀): a log speedup axis
/// (`speedup_axis`) reads in powers of two (1×, 2×, 4×), as the exports do; a log time axis in
/// decades.
pub(super) fn log_marks(input: &GridInput, speedup_axis: bool) -> Vec<GridMark> {
    let span = (input.bounds.1 - input.bounds.0).abs().max(1e-9);
    let (lo, hi) = (10f64.powf(input.bounds.0), 10f64.powf(input.bounds.1));
    let ticks = match speedup_axis {
        true => chart_model::log2_ticks(lo, hi, 8),
        false => chart_model::log_ticks(lo, hi),
    };
    ticks
        .into_iter()
        .map(|v| GridMark {
            value: v.log10(),
            step_size: span / 4.0,
        })
        .collect()
}

/// The label of a log y axis's mark at `value` (in log₁₀).
pub(super) fn log_mark_text(value: f64, speedup_axis: bool) -> String {
    let v = 10f64.powf(value);
    match speedup_axis {
        true => chart_model::speedup_tick_text(v),
        false => chart_model::tick_text(v, v / 2.0),
    }
}
