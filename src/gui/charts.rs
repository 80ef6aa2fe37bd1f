//! The charts: speedup, efficiency and wall time against the number of workers.
//!
//! One series per model (line + points), drawn from whatever cells exist so far, so points
//! appear while a sweep runs. Hovering a point shows its exact values.

use std::collections::HashMap;

use eframe::egui::{self, Color32};
use egui_plot::{
    Corner, GridInput, GridMark, Legend, Line, LineStyle, Plot, PlotPoints, Points, VLine,
};

use super::style;
use crate::analysis::ModelFit;
pub use crate::export::ChartKind;
use crate::export::chart_model::{self, ChartSeries, SeriesFilter};
use crate::export::{self, fit_curve, series_label};
use crate::preset::ModelKind;
use crate::results::ResultsFile;

/// The colour of a model's curve (see [`style::model_color`]).
pub use super::style::model_color;

/// Another results file overlaid on the charts ("Add results to compare…").
#[derive(Clone, Debug)]
pub struct CompareRun {
    /// The file stem: part of its label where nothing else tells it apart from the others
    /// (see [`export::run_labels`]).
    pub file_stem: String,
    pub path: std::path::PathBuf,
    pub results: ResultsFile,
    /// Its fits, drawn like the shown results' own (see [`crate::analysis::fit_results`]).
    pub fits: Vec<ModelFit>,
}

impl CompareRun {
    pub fn new(file_stem: String, path: std::path::PathBuf, results: ResultsFile) -> Self {
        let fits = crate::analysis::fit_results(&results);
        CompareRun {
            file_stem,
            path,
            results,
            fits,
        }
    }
}

/// What is drawn besides the shown results' own points.
pub struct Layers<'a> {
    /// Each run's label when runs are compared: the shown results first, then `compare`'s
    /// (see [`export::run_labels`]).
    pub labels: &'a [String],
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
        let label = self.labels.get(run).map_or("", String::as_str);
        series_label(model, label, runs)
    }
}

/// The workbench's texts for a chart kind (the kind itself is the shared
/// [`crate::export::ChartKind`]).
impl ChartKind {
    /// One line under the tabs: how to read the chart at a glance.
    pub fn caption(self) -> &'static str {
        style::caption(self)
    }

    /// What the chart means, for the help line above it.
    pub fn explanation(self) -> &'static str {
        style::explanation(self)
    }

    /// The matching chart of the exporter: the same kind, since there is one chart model.
    pub fn export_kind(self) -> ChartKind {
        self
    }
}

fn series_name(model: ModelKind) -> String {
    match model {
        ModelKind::Sequential => "sequential (baseline)".into(),
        m => m.id().into(),
    }
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
                "wall time: median {} s (min {}, max {}, n = {})",
                export::seconds_text(w.median),
                export::seconds_text(w.min),
                export::seconds_text(w.max),
                w.n
            ));
            lines.push(format!(
                "median 95% CI (order statistics): {}",
                export::median_ci_text(cell)
            ));
            if let Some(line) = export::precision_target_text(results, cell) {
                lines.push(line);
            }
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

/// The chart view's own settings, kept in egui's memory per chart kind (so the app's state
/// need not know them): logarithmic axes and the legend.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ChartView {
    /// log₂ worker axis.
    pub log_x: bool,
    /// log₁₀ y axis (wall time only).
    pub log_y: bool,
    pub show_legend: bool,
}

impl Default for ChartView {
    fn default() -> Self {
        ChartView {
            log_x: false,
            log_y: false,
            show_legend: true,
        }
    }
}

impl ChartView {
    fn id(kind: ChartKind) -> egui::Id {
        egui::Id::unique(("corelab-chart-view", kind.id()))
    }
    /// The view settings of `kind`'s chart.
    pub fn load(ctx: &egui::Context, kind: ChartKind) -> ChartView {
        ctx.data_mut(|d| d.get_persisted::<ChartView>(Self::id(kind)))
            .unwrap_or_default()
    }
    /// Stores the view settings of `kind`'s chart.
    pub fn store(self, ctx: &egui::Context, kind: ChartKind) {
        ctx.data_mut(|d| d.insert_persisted(Self::id(kind), self));
    }
}

/// The plot corner with the fewest data points near it (in the outer 40 % × 40 % of the
/// data's box), where the legend covers the least; ties prefer the top left, then top right.
pub fn emptiest_corner(points: &[[f64; 2]], x: (f64, f64), y: (f64, f64)) -> Corner {
    let (w, h) = ((x.1 - x.0).max(1e-9), (y.1 - y.0).max(1e-9));
    let count = |left: bool, top: bool| {
        points
            .iter()
            .filter(|p| {
                let fx = (p[0] - x.0) / w;
                let fy = (p[1] - y.0) / h;
                let in_x = if left { fx <= 0.4 } else { fx >= 0.6 };
                let in_y = if top { fy >= 0.6 } else { fy <= 0.4 };
                in_x && in_y
            })
            .count()
    };
    [
        (Corner::LeftTop, count(true, true)),
        (Corner::RightTop, count(false, true)),
        (Corner::RightBottom, count(false, false)),
        (Corner::LeftBottom, count(true, false)),
    ]
    .into_iter()
    .min_by_key(|c| c.1)
    .map_or(Corner::LeftTop, |c| c.0)
}

/// Grid marks at the worker counts `ticks` (positions already transformed), thinned so that
/// neighbours keep 1/14 of the visible range apart.
fn worker_marks(ticks: &[(f64, usize)], input: &GridInput) -> Vec<GridMark> {
    let span = (input.bounds.1 - input.bounds.0).abs().max(1e-9);
    let counts: Vec<usize> = ticks.iter().map(|t| t.1).collect();
    let pos = |w: f64| ticks.iter().find(|t| t.1 as f64 == w).map_or(w, |t| t.0);
    let kept = chart_model::thin_ticks(&counts, pos, span / 14.0);
    ticks
        .iter()
        .filter(|t| kept.contains(&t.1))
        .map(|t| GridMark {
            value: t.0,
            step_size: span / 4.0,
        })
        .collect()
}

/// Draws `kind` for `results`, with the fitted curves and compared runs of `layers`.
/// `planned_workers` sets the x range and ticks before any cell exists.
pub fn show(
    ui: &mut egui::Ui,
    kind: ChartKind,
    results: Option<&ResultsFile>,
    planned_workers: &[usize],
    physical_cores: Option<usize>,
    layers: &Layers<'_>,
) {
    let mut view = ChartView::load(ui.ctx(), kind);
    let before = view;
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
                "· Thin dashes in a model's colour: its {} fit.",
                kind.fit_name()
            ))
            .on_hover_text(style::help::FITS);
        }
        if !layers.compare.is_empty() {
            ui.weak("· Compared runs: own line pattern, hollow markers.")
                .on_hover_text(style::COMPARED_RUNS);
        }
    });
    ui.horizontal(|ui| {
        ui.checkbox(&mut view.log_x, "log₂ workers")
            .on_hover_text("A logarithmic worker axis: 1, 2, 4, 8, 16 evenly spaced.");
        if kind.supports_log_y() {
            ui.checkbox(&mut view.log_y, "log time")
                .on_hover_text("A logarithmic time axis: fast and slow models both readable.");
        }
        ui.checkbox(&mut view.show_legend, "legend")
            .on_hover_text("Show the legend (in the plot corner with the fewest points).");
    });
    if view != before {
        view.store(ui.ctx(), kind);
    }
    let log_x = view.log_x;
    let log_y = view.log_y && kind.supports_log_y();
    let tx = move |x: f64| if log_x { x.max(0.5).log2() } else { x };
    let ty = move |y: f64| {
        if log_y { y.max(1e-12).log10() } else { y }
    };

    let empty = ResultsFile::default();
    let results = results.unwrap_or(&empty);
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
    let runs = 1 + layers.compare.len();
    let filter = SeriesFilter::default();
    let mut series: Vec<ChartSeries> =
        chart_model::series_of(results, 0, "", runs, kind, &filter, &[], x_max);
    let mut hovers = HashMap::new();
    hover_texts(kind, results, &|m| layers.series_name(m, 0), &mut hovers);
    for (i, c) in layers.compare.iter().enumerate() {
        series.extend(chart_model::series_of(
            &c.results,
            i + 1,
            "",
            runs,
            kind,
            &filter,
            &[],
            x_max,
        ));
        hover_texts(
            kind,
            &c.results,
            &|m| layers.series_name(m, i + 1),
            &mut hovers,
        );
    }
    // The GUI's own names: the baseline says so when one run is shown.
    for s in &mut series {
        s.label = layers.series_name(s.model, s.run);
    }

    let mut tick_counts: Vec<usize> = planned_workers.to_vec();
    tick_counts.extend(results.cells.iter().map(|c| c.workers));
    tick_counts.extend(
        layers
            .compare
            .iter()
            .flat_map(|c| c.results.cells.iter().map(|c| c.workers)),
    );
    tick_counts.extend(physical_cores);
    let ticks: Vec<(f64, usize)> = chart_model::worker_ticks(tick_counts)
        .into_iter()
        .map(|w| (tx(w as f64), w))
        .collect();
    let label_ticks = ticks.clone();

    let all_points: Vec<[f64; 2]> = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| [tx(p.0), ty(p.1)]))
        .collect();
    let (x_lo, x_hi) = if log_x {
        (-0.3, tx(x_max) + 0.3)
    } else {
        (0.0, x_max + 0.5)
    };
    let y_hi_default = match kind {
        ChartKind::Speedup => x_max,
        ChartKind::Efficiency => 110.0,
        ChartKind::WallTime | ChartKind::Memory => 0.0,
    };
    let y_top = all_points
        .iter()
        .map(|p| p[1])
        .fold(ty(y_hi_default), f64::max);
    let y_bottom = if log_y {
        all_points
            .iter()
            .map(|p| p[1])
            .fold(f64::INFINITY, f64::min)
    } else {
        0.0
    };
    let corner = emptiest_corner(&all_points, (x_lo, x_hi), (y_bottom.min(y_top), y_top));

    let mut plot = Plot::new(("chart", kind.id()))
        .x_axis_label(if log_x { "workers (log₂)" } else { "workers" })
        .y_axis_label(if log_y {
            format!("{} (log)", kind.y_label())
        } else {
            kind.y_label().to_string()
        })
        .include_x(x_lo)
        .include_x(x_hi)
        .x_grid_spacer(move |input| worker_marks(&ticks, &input))
        .x_axis_formatter(move |mark, _| {
            label_ticks
                .iter()
                .find(|t| (t.0 - mark.value).abs() < 1e-9)
                .map_or_else(String::new, |t| t.1.to_string())
        })
        .label_formatter(move |pos| match pos {
            egui_plot::HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => {
                let x = if log_x {
                    2f64.powf(position.x)
                } else {
                    position.x
                };
                let workers = x.round() as usize;
                hovers
                    .get(&(plot_name.to_string(), workers))
                    .cloned()
                    .or_else(|| {
                        (!plot_name.is_empty()).then(|| {
                            let y = if log_y {
                                10f64.powf(position.y)
                            } else {
                                position.y
                            };
                            format!("{plot_name}\n{x:.2} workers, {y:.3}")
                        })
                    })
            }
            egui_plot::HoverPosition::Elsewhere { .. } => None,
        });
    if view.show_legend {
        plot = plot.legend(
            Legend::default()
                .position(corner)
                .follow_insertion_order(true)
                .background_alpha(0.85),
        );
    }
    if log_y {
        plot = plot.y_grid_spacer(|input| {
            let span = (input.bounds.1 - input.bounds.0).abs().max(1e-9);
            chart_model::log_ticks(10f64.powf(input.bounds.0), 10f64.powf(input.bounds.1))
                .into_iter()
                .map(|v| GridMark {
                    value: v.log10(),
                    step_size: span / 4.0,
                })
                .collect()
        });
        plot = plot.y_axis_formatter(|mark, _| {
            chart_model::tick_text(10f64.powf(mark.value), 10f64.powf(mark.value) / 2.0)
        });
    } else {
        plot = plot.include_y(0.0);
    }
    if y_hi_default > 0.0 {
        plot = plot.include_y(ty(y_hi_default));
    }

    let dark = ui.visuals().dark_mode;
    plot.show(ui, |plot_ui| {
        let ideal_colour = Color32::from_gray(140);
        match kind {
            ChartKind::Speedup => {
                let pts: Vec<[f64; 2]> = (0..=60)
                    .map(|i| 1.0 + (x_max - 1.0) * i as f64 / 60.0)
                    .map(|n| [tx(n), ty(n)])
                    .collect();
                plot_ui.line(
                    Line::new(kind.ideal_label(), pts)
                        .color(ideal_colour)
                        .width(1.5),
                );
            }
            ChartKind::Efficiency => {
                plot_ui.line(
                    Line::new(kind.ideal_label(), vec![[x_lo, 100.0], [x_hi, 100.0]])
                        .color(ideal_colour)
                        .width(1.5),
                );
            }
            ChartKind::WallTime | ChartKind::Memory => {}
        }
        if let Some(p) = physical_cores {
            plot_ui.vline(
                VLine::new(format!("physical cores ({p})"), tx(p as f64))
                    .color(style::core_marker_color(dark))
                    .style(LineStyle::Dotted { spacing: 6.0 })
                    .width(1.5),
            );
        }
        for s in &series {
            draw_series(plot_ui, s, dark, &tx, &ty, x_hi);
        }
        if layers.show_fits {
            let compared = layers.compare.iter().map(|c| c.fits.as_slice());
            for (run, fits) in std::iter::once(layers.fits).chain(compared).enumerate() {
                for fit in fits {
                    // Exactly the series' colour (thin dashes tell the fit apart): egui_plot
                    // greys out a legend entry whose items differ in colour.
                    let color = style::model_color_dark_aware(fit.model, dark);
                    // Same name as the measured series: one legend entry toggles both.
                    let name = layers.series_name(fit.model, run);
                    draw_fit(plot_ui, &name, color, fit, kind, x_max, &tx, &ty);
                }
            }
        }
    });
}

/// The fitted curve of `fit`, in thin dashes, over the worker range it was fitted on (cut at
/// `x_max`; nothing when it was refused): never extrapolated.
#[allow(clippy::too_many_arguments)]
fn draw_fit(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    name: &str,
    color: Color32,
    fit: &ModelFit,
    kind: ChartKind,
    x_max: f64,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
) {
    let xy: Vec<[f64; 2]> = fit_curve(fit, kind, x_max)
        .into_iter()
        .filter(|p| p.1.is_finite())
        .map(|(x, y)| [tx(x), ty(y)])
        .collect();
    if xy.is_empty() {
        return;
    }
    plot_ui.line(
        Line::new(name, PlotPoints::from(xy))
            .color(color)
            .style(LineStyle::Dashed { length: 4.0 })
            .width(1.0),
    );
}

fn draw_series(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    s: &ChartSeries,
    dark: bool,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
    x_hi: f64,
) {
    let model_style = chart_model::series_style(s.model, s.run, chart_model::Theme::Light);
    let color = style::model_color_dark_aware(s.model, dark);
    let name = s.label.as_str();
    let xy: Vec<[f64; 2]> = s.points.iter().map(|(x, y, _)| [tx(*x), ty(*y)]).collect();
    let line: Vec<[f64; 2]> = if s.horizontal {
        vec![xy[0], [x_hi, xy[0][1]]]
    } else {
        xy.clone()
    };
    if line.len() > 1 {
        plot_ui.line(
            Line::new(name, PlotPoints::from(line))
                .color(color)
                .style(style::line_style(model_style.dash))
                .width(if s.horizontal { 1.5 } else { 2.0 }),
        );
    }
    for (x, _, range) in &s.points {
        if let Some((lo, hi)) = range {
            let x = tx(*x);
            let cap = 0.08;
            let bar = Line::new(name, vec![[x, ty(*lo)], [x, ty(*hi)]])
                .color(color)
                .width(1.0);
            plot_ui.line(bar);
            for y in [*lo, *hi] {
                plot_ui.line(
                    Line::new(name, vec![[x - cap, ty(y)], [x + cap, ty(y)]])
                        .color(color)
                        .width(1.0),
                );
            }
        }
    }
    plot_ui.points(
        Points::new(name, xy)
            .color(color)
            .radius(4.5)
            .filled(model_style.filled)
            .shape(style::marker_shape(model_style.marker)),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_legend_goes_to_the_emptiest_corner() {
        // Rising curves: the top left and bottom right are empty; ties prefer the top left.
        let rising = [[1.0, 1.0], [2.0, 2.0], [4.0, 3.9], [8.0, 7.5]];
        assert_eq!(
            emptiest_corner(&rising, (0.0, 8.0), (0.0, 8.0)),
            Corner::LeftTop
        );
        // Falling wall times: the top left is crowded, the top right is empty.
        let falling = [[1.0, 8.0], [1.2, 7.0], [2.0, 4.0], [4.0, 2.0], [8.0, 1.0]];
        assert_eq!(
            emptiest_corner(&falling, (0.0, 8.0), (0.0, 8.0)),
            Corner::RightTop
        );
    }
}
