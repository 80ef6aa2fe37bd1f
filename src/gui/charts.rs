//! The charts: speedup, efficiency and wall time against the number of workers.
//!
//! One series per model (line + points), drawn from whatever cells exist so far, so points
//! appear while a sweep runs. Hovering a point shows its exact values.

use std::collections::HashMap;

use eframe::egui::{self, Color32};
use egui_plot::{Corner, Legend, Line, LineStyle, MarkerShape, Plot, PlotPoints, Points, VLine};

use crate::analysis::ModelFit;
use crate::export::{self, fit_curve, series_label};
use crate::preset::ModelKind;
use crate::results::{CellResult, CellStatus, ResultsFile};

/// Another results file overlaid on the charts ("Add results to compare…").
#[derive(Clone, Debug)]
pub struct CompareRun {
    /// Tells its series apart: the file stem.
    pub label: String,
    pub path: std::path::PathBuf,
    pub results: ResultsFile,
    /// Its fits, drawn like the shown results' own (see [`crate::analysis::fit_results`]).
    pub fits: Vec<ModelFit>,
}

impl CompareRun {
    pub fn new(label: String, path: std::path::PathBuf, results: ResultsFile) -> Self {
        let fits = crate::analysis::fit_results(&results);
        CompareRun {
            label,
            path,
            results,
            fits,
        }
    }
}

/// What is drawn besides the shown results' own points.
pub struct Layers<'a> {
    /// The shown results' label when runs are compared (their file stem, or "current").
    pub label: &'a str,
    /// Runs overlaid for comparison.
    pub compare: &'a [CompareRun],
    /// The shown results' fits (see [`crate::analysis::fit_results`]).
    pub fits: &'a [ModelFit],
    /// Draw the fitted curves.
    pub show_fits: bool,
}

impl Layers<'_> {
    /// The name of a series of `model` in run `run` (0: the shown results, then `compare`).
    pub fn series_name(&self, model: ModelKind, run: usize) -> String {
        let runs = 1 + self.compare.len();
        if runs == 1 {
            return series_name(model);
        }
        let label = match run {
            0 => self.label,
            i => self.compare[i - 1].label.as_str(),
        };
        series_label(model, label, runs)
    }
}

/// Which quantity a chart shows on its y axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChartKind {
    Speedup,
    Efficiency,
    WallTime,
}

impl ChartKind {
    pub fn y_label(self) -> &'static str {
        match self {
            ChartKind::Speedup => "speedup (×)",
            ChartKind::Efficiency => "efficiency (%)",
            ChartKind::WallTime => "wall time (s)",
        }
    }

    /// One line under the tabs: how to read the chart at a glance.
    pub fn caption(self) -> &'static str {
        match self {
            ChartKind::Speedup => {
                "Higher is better. Dashed: ideal linear speedup. Dotted: physical cores. Bars: slowest–fastest run."
            }
            ChartKind::Efficiency => {
                "Speedup ÷ workers. 100 % = every worker fully used. Dotted: physical cores."
            }
            ChartKind::WallTime => {
                "Lower is better. Points: median run; bars: fastest–slowest run. Dotted: physical cores."
            }
        }
    }

    /// What the chart means, for the help line above it.
    pub fn explanation(self) -> &'static str {
        match self {
            ChartKind::Speedup => {
                "Speedup = baseline time ÷ time with N workers (medians). A curve on the dashed ideal line uses every worker fully; a curve that flattens has hit a limit (cores, memory bandwidth, a lock); one that falls pays more in overhead than it gains. Beyond the physical-core marker only waiting (I/O) work can keep climbing. Bars span the speedups of the slowest and fastest runs."
            }
            ChartKind::Efficiency => {
                "Efficiency = speedup ÷ workers: the share of each worker's time that turned into progress. 100 % is perfect scaling; it drops when workers wait for cores, locks or each other."
            }
            ChartKind::WallTime => {
                "Wall-clock time of one run (median), with bars from the fastest to the slowest repetition. Lower is better; wide bars mean noisy measurements."
            }
        }
    }

    /// The matching chart of the exporter.
    pub fn export_kind(self) -> export::ChartKind {
        match self {
            ChartKind::Speedup => export::ChartKind::Speedup,
            ChartKind::Efficiency => export::ChartKind::Efficiency,
            ChartKind::WallTime => export::ChartKind::WallTime,
        }
    }

    /// The fit drawn on this chart, for the legend hint.
    pub fn fit_name(self) -> &'static str {
        match self {
            ChartKind::WallTime => "Amdahl",
            _ => "USL",
        }
    }

    fn value(self, cell: &CellResult) -> Option<f64> {
        match self {
            ChartKind::Speedup => cell.speedup,
            ChartKind::Efficiency => cell.efficiency.map(|e| e * 100.0),
            ChartKind::WallTime => cell.wall.as_ref().map(|w| w.median),
        }
    }

    fn range(self, cell: &CellResult) -> Option<(f64, f64)> {
        match self {
            ChartKind::Speedup => Some((cell.speedup_low?, cell.speedup_high?)),
            ChartKind::Efficiency => None,
            ChartKind::WallTime => cell.wall.as_ref().map(|w| (w.min, w.max)),
        }
    }
}

/// The colour of a model's curve: the palette of the exported charts, so that the screen, the
/// table and an exported SVG/PNG agree.
pub fn model_color(model: ModelKind) -> Color32 {
    let (r, g, b) = crate::export::model_colour(model);
    Color32::from_rgb(r, g, b)
}

fn series_name(model: ModelKind) -> String {
    match model {
        ModelKind::Sequential => "sequential (baseline)".into(),
        m => m.id().into(),
    }
}

/// One model's measured points, sorted by workers: (workers, value, optional (low, high)).
type Series = Vec<(f64, f64, Option<(f64, f64)>)>;

fn collect(kind: ChartKind, results: &ResultsFile) -> Vec<(ModelKind, Series)> {
    let mut by_model: Vec<(ModelKind, Series)> = Vec::new();
    for m in ModelKind::ALL {
        let mut series: Series = results
            .cells
            .iter()
            .filter(|c| c.model == Some(m) && c.status == CellStatus::Ok)
            .filter_map(|c| Some((c.workers as f64, kind.value(c)?, kind.range(c))))
            .collect();
        if series.is_empty() {
            continue;
        }
        series.sort_by(|a, b| a.0.total_cmp(&b.0));
        by_model.push((m, series));
    }
    by_model
}

fn hover_texts(
    kind: ChartKind,
    results: &ResultsFile,
    name: &dyn Fn(ModelKind) -> String,
    map: &mut HashMap<(String, usize), String>,
) {
    for cell in &results.cells {
        let Some(model) = cell.model else { continue };
        let mut lines = vec![format!("{} × {} workers", name(model), cell.workers)];
        if let Some(w) = &cell.wall {
            lines.push(format!(
                "wall time: median {:.4} s (min {:.4}, max {:.4}, n = {})",
                w.median, w.min, w.max, w.n
            ));
            lines.push(format!(
                "median 95% CI (order statistics): {}",
                export::median_ci_text(cell)
            ));
            let outliers = export::outliers_text(cell);
            if !outliers.is_empty() {
                lines.push(format!("{outliers} (MAD rule)"));
            }
        }
        if let Some(s) = cell.speedup {
            let range = match (cell.speedup_low, cell.speedup_high) {
                (Some(l), Some(h)) => format!(" (runs: {l:.2}–{h:.2}×)"),
                _ => String::new(),
            };
            lines.push(format!("speedup: {s:.3}×{range}"));
        }
        if let Some(e) = cell.efficiency {
            lines.push(format!("efficiency: {:.1} %", e * 100.0));
        }
        if let Some(u) = cell.cpu_utilisation {
            lines.push(format!("CPU busy: {u:.2} cores on average"));
        }
        if let Some(w) = cell.work_vs_baseline {
            lines.push(format!(
                "work: {w:.2}× the baseline's CPU time{}",
                if w > 1.1 {
                    " (extra work: dispatch, pipes, spinning)"
                } else {
                    ""
                }
            ));
        }
        if let Some(s) = cell.startup_s.filter(|_| model == ModelKind::Processes) {
            lines.push(format!(
                "pool start-up: {:.1} ms (not in wall time)",
                s * 1000.0
            ));
        }
        if kind == ChartKind::Speedup && model == ModelKind::Sequential {
            lines.push("the baseline: speedup 1× by definition".into());
        }
        lines.push(String::new());
        lines.push(model.explanation().into());
        map.insert((name(model), cell.workers), lines.join("\n"));
    }
}

/// Draws `kind` for `results`, with the fitted curves and compared runs of `layers`.
/// `planned_workers` sets the x range before any cell exists.
pub fn show(
    ui: &mut egui::Ui,
    kind: ChartKind,
    results: Option<&ResultsFile>,
    planned_workers: &[usize],
    physical_cores: Option<usize>,
    layers: &Layers<'_>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label(kind.caption());
        ui.label(egui::RichText::new("(?) more").weak().underline())
            .on_hover_text(kind.explanation());
        match results {
            Some(r) if kind != ChartKind::WallTime => {
                ui.weak(format!("· baseline: {}", r.baseline.description));
            }
            Some(_) => {}
            None => {
                ui.weak("· No measurements yet: press Run, or open a results file.");
            }
        }
        if layers.show_fits && !layers.fits.is_empty() {
            ui.weak(format!(
                "· Dashed in a model's colour: its {} fit.",
                kind.fit_name()
            ))
            .on_hover_text(super::fits_panel::help::FITS);
        }
    });
    let empty = ResultsFile::default();
    let results = results.unwrap_or(&empty);
    let mut runs: Vec<(usize, Vec<(ModelKind, Series)>)> = vec![(0, collect(kind, results))];
    let mut hovers = HashMap::new();
    hover_texts(kind, results, &|m| layers.series_name(m, 0), &mut hovers);
    for (i, c) in layers.compare.iter().enumerate() {
        runs.push((i + 1, collect(kind, &c.results)));
        hover_texts(
            kind,
            &c.results,
            &|m| layers.series_name(m, i + 1),
            &mut hovers,
        );
    }
    let x_max = planned_workers
        .iter()
        .copied()
        .chain(results.cells.iter().map(|c| c.workers))
        .chain(
            layers
                .compare
                .iter()
                .flat_map(|c| c.results.cells.iter().map(|c| c.workers)),
        )
        .max()
        .unwrap_or(4)
        .max(2) as f64;

    let plot = Plot::new(("chart", kind as u8))
        .legend(
            Legend::default()
                .position(Corner::LeftTop)
                .follow_insertion_order(true),
        )
        .x_axis_label("workers")
        .y_axis_label(kind.y_label())
        .include_x(0.0)
        .include_x(x_max + 0.5)
        .include_y(0.0)
        .x_axis_formatter(|mark, _| {
            if mark.value >= 0.0 && mark.value.fract() == 0.0 {
                format!("{}", mark.value)
            } else {
                String::new()
            }
        })
        .label_formatter(move |pos| match pos {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => {
                let workers = position.x.round() as usize;
                hovers
                    .get(&(plot_name.to_string(), workers))
                    .cloned()
                    .or_else(|| {
                        (!plot_name.is_empty()).then(|| {
                            format!("{plot_name}\n{:.2} workers, {:.3}", position.x, position.y)
                        })
                    })
            }
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        });

    let y_extra = match kind {
        ChartKind::Speedup => Some(x_max),
        ChartKind::Efficiency => Some(110.0),
        ChartKind::WallTime => None,
    };
    let plot = match y_extra {
        Some(y) => plot.include_y(y),
        None => plot,
    };

    plot.show(ui, |plot_ui| {
        match kind {
            ChartKind::Speedup => {
                plot_ui.line(
                    Line::new("ideal (linear)", vec![[0.0, 0.0], [x_max, x_max]])
                        .color(Color32::from_gray(140))
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                );
            }
            ChartKind::Efficiency => {
                plot_ui.line(
                    Line::new("ideal (100 %)", vec![[0.0, 100.0], [x_max, 100.0]])
                        .color(Color32::from_gray(140))
                        .style(LineStyle::dashed_loose())
                        .width(1.5),
                );
            }
            ChartKind::WallTime => {}
        }
        if let Some(p) = physical_cores {
            plot_ui.vline(
                VLine::new(format!("physical cores ({p})"), p as f64)
                    .color(Color32::from_rgb(170, 120, 200))
                    .style(LineStyle::Dotted { spacing: 6.0 })
                    .width(1.5),
            );
        }
        for (run, series) in runs {
            for (model, points) in series {
                let name = layers.series_name(model, run);
                let mut color = model_color(model);
                if run > 0 {
                    // Compared runs: the model's colour, faded, with square markers.
                    color = color.gamma_multiply(0.55);
                }
                draw_series(plot_ui, &name, color, model, run, points);
            }
        }
        if layers.show_fits {
            let compared = layers.compare.iter().map(|c| c.fits.as_slice());
            for (run, fits) in std::iter::once(layers.fits).chain(compared).enumerate() {
                for fit in fits {
                    let mut color = model_color(fit.model);
                    if run > 0 {
                        color = color.gamma_multiply(0.55);
                    }
                    // Same name as the measured series: one legend entry toggles both.
                    let name = layers.series_name(fit.model, run);
                    draw_fit(plot_ui, &name, color, fit, kind, x_max);
                }
            }
        }
    });
}

/// The fitted curve of `fit`, dashed, over the worker range it was fitted on (cut at
/// `x_max`; nothing when it was refused): never extrapolated.
fn draw_fit(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    name: &str,
    color: Color32,
    fit: &ModelFit,
    kind: ChartKind,
    x_max: f64,
) {
    let scale = if kind == ChartKind::Efficiency {
        100.0
    } else {
        1.0
    };
    let xy: Vec<[f64; 2]> = fit_curve(fit, kind.export_kind(), x_max)
        .into_iter()
        .map(|(x, y)| [x, y * scale])
        .collect();
    if xy.is_empty() {
        return;
    }
    plot_ui.line(
        Line::new(name, PlotPoints::from(xy))
            .color(color)
            .style(LineStyle::dashed_dense())
            .width(1.5),
    );
}

fn draw_series(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    name: &str,
    color: Color32,
    model: ModelKind,
    run: usize,
    points: Series,
) {
    let xy: Vec<[f64; 2]> = points.iter().map(|(x, y, _)| [*x, *y]).collect();
    if xy.len() > 1 {
        plot_ui.line(
            Line::new(name, PlotPoints::from(xy.clone()))
                .color(color)
                .width(if run == 0 { 2.0 } else { 1.5 }),
        );
    }
    for (x, _, range) in &points {
        if let Some((lo, hi)) = range {
            let cap = 0.08;
            let bar = Line::new(name, vec![[*x, *lo], [*x, *hi]])
                .color(color)
                .width(1.0);
            plot_ui.line(bar);
            for y in [*lo, *hi] {
                plot_ui.line(
                    Line::new(name, vec![[x - cap, y], [x + cap, y]])
                        .color(color)
                        .width(1.0),
                );
            }
        }
    }
    let shape = match (model, run) {
        (ModelKind::Sequential, _) => MarkerShape::Diamond,
        (_, 0) => MarkerShape::Circle,
        _ => MarkerShape::Square,
    };
    plot_ui.points(
        Points::new(name, xy)
            .color(color)
            .radius(if run == 0 { 4.0 } else { 3.5 })
            .shape(shape),
    );
}
