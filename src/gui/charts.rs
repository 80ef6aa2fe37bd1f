//! The charts: speedup, efficiency, wall time and lost updates against the number of workers.
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
use crate::export::chart_frame::{ChartFrame, WorkerAxis};
use crate::export::chart_model::{self, ChartRun, ChartSeries, SeriesFilter};
use crate::export::{self, series_label};
use crate::preset::ModelKind;
use crate::results::{CellResult, ResultsFile};

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
        // egui_plot's legend shows a series as a coloured dot, the same for every run of a
        // model: the line pattern that tells runs apart is said in words.
        let label = self.labels.get(run).map_or("", String::as_str);
        format!(
            "{} ({})",
            series_label(model, baseline, label, runs),
            chart_model::run_dash(run).name()
        )
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

fn series_name(model: ModelKind, baseline: crate::preset::Baseline) -> String {
    chart_model::model_name(model, baseline)
}

/// The caption's words on the fits, with "show fits" ticked: what the thin dashes are where
/// a fit line is drawn, else why none is ([`crate::analysis::why_no_curve`] decides; this
/// words it). Empty on a chart that draws no law (memory, lost updates).
pub fn fits_caption(kind: ChartKind, fits: &[crate::analysis::ModelFit]) -> String {
    use crate::analysis::NoCurve;
    let Some(law) = kind.fit_law() else {
        return String::new();
    };
    let name = law.name();
    let drawn = fits
        .iter()
        .any(|f| !export::fit_curve(f, kind, f64::INFINITY).is_empty());
    if drawn {
        return format!("· Thin dashes in a model's colour: its {name} fit.");
    }
    match crate::analysis::why_no_curve(fits, law) {
        NoCurve::NotFittedToThisWork => format!(
            "· No {name} fit on this chart: every worker brings its own work here (weak scaling), so no serial fraction applies and {name}'s law is not fitted (the Fits tab says what is)."
        ),
        NoCurve::TooFewWorkerCounts {
            need,
            most,
            within_cores: true,
        } => format!(
            "· No {name} fit drawn: it needs {need} worker counts or more within the cores (compute-bound work is fitted there), and these results have {most}."
        ),
        NoCurve::TooFewWorkerCounts { need, most, .. } => format!(
            "· No {name} fit drawn: it needs {need} worker counts or more, and these results have {most}."
        ),
        NoCurve::MissesThePoints => format!(
            "· No {name} fit drawn: the fits miss the measured points (the Fits tab says why)."
        ),
        NoCurve::Refused => {
            format!("· No {name} fit drawn: the fit was refused (the Fits tab says why).")
        }
    }
}

/// The hover's line for a cell still being measured, e.g. `measuring: 2 runs so far`.
pub fn measuring_words(cell: &CellResult) -> String {
    format!(
        "measuring: {} so far",
        crate::words::count(cell.samples.len(), "run")
    )
}

/// A cell's memory in the hover: what the run added, and the whole processes' peak, which
/// holds the front end's own memory (the workbench's window); older files have only the peak.
fn memory_lines(cell: &CellResult) -> Vec<String> {
    let mib = |b: u64| export::costs_text::mebibytes(Some(b));
    let mut lines = Vec::new();
    if let Some(added) = cell.added_rss_bytes {
        lines.push(format!("memory the run added: {} MiB", mib(added)));
    }
    if let Some(peak) = cell.peak_rss_bytes {
        lines.push(format!(
            "peak RSS of the whole processes: {} MiB (this process's includes the front end's own memory)",
            mib(peak)
        ));
    }
    lines
}

fn hover_texts(
    kind: ChartKind,
    results: &ResultsFile,
    name: &dyn Fn(ModelKind) -> String,
    measuring: &[(ModelKind, usize)],
    map: &mut Hovers,
) {
    for cell in &results.cells {
        let Some(model) = cell.model else { continue };
        let mut lines = vec![format!("{} × {} workers", name(model), cell.workers)];
        if measuring.contains(&(model, cell.workers)) {
            lines.push(format!(
                "{} (hollow marker): the sweep is still running; the figures below are from these runs",
                measuring_words(cell)
            ));
        }
        if let Some(partial) = export::partial_words(cell) {
            lines.push(format!(
                "{partial} (hollow marker): the sweep was cancelled"
            ));
        }
        if let Some(w) = &cell.wall {
            lines.push(format!(
                "wall time: median {} s (min {}, max {}, n = {})",
                export::seconds_text(w.median),
                export::seconds_text(w.min),
                export::seconds_text(w.max),
                w.n
            ));
            lines.push(format!(
                "median CI (order statistics; 95% from 6 runs): {}",
                export::median_ci_text(cell)
            ));
            lines.push(MEDIAN_CI_WORDS.into());
            if let Some(line) = export::precision_target_text(results, cell) {
                lines.push(line);
                lines.push(PRECISION_WORDS.into());
            }
            let outliers = export::outliers_text(cell);
            if !outliers.is_empty() {
                lines.push(format!("{outliers} (MAD rule)"));
                lines.push(MAD_WORDS.into());
            }
        }
        if let Some(s) = cell.speedup {
            let range = match (cell.speedup_low, cell.speedup_high) {
                (Some(l), Some(h)) => format!(" (runs: {l:.2}–{h:.2}×)"),
                _ => String::new(),
            };
            lines.push(format!("speedup: {s:.3}×{range}"));
            // The same words as the Results table's: the interval's real coverage.
            if let Some(ci) = export::speedup_ci_words(cell) {
                lines.push(format!(
                    "speedup: {ci} (the baseline's uncertainty included)"
                ));
            }
        }
        // One worker clearly faster than sequential: impossible for the model, so flagged.
        if let Some(suspect) = export::one_worker_suspect(cell) {
            lines.push(format!("⚠ {suspect}"));
        }
        if let Some(e) = cell.efficiency {
            lines.push(format!("efficiency: {:.1} %", e * 100.0));
        }
        if let Some(u) = cell.cpu_utilisation {
            lines.push(format!(
                "CPU busy: {u:.2} cores on average (CPU time ÷ wall time: 1.00 is one core kept busy the whole run)"
            ));
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
        if let Some((start, s)) = model.startup_name().zip(cell.startup_s) {
            lines.push(match cell.import_s {
                Some(import) => format!(
                    "{start}: {:.1} ms, of which module import {:.1} ms (not in wall time)",
                    s * 1000.0,
                    import * 1000.0
                ),
                None => format!("{start}: {:.1} ms (not in wall time)", s * 1000.0),
            });
        }
        if kind == ChartKind::Speedup && model == ModelKind::Sequential {
            lines.push("the baseline: speedup 1× by definition".into());
        }
        if let Some(lost) = chart_model::lost_share(results, cell) {
            lines.push(lost_updates_line(&lost));
        }
        if kind == ChartKind::Memory {
            lines.extend(memory_lines(cell));
        }
        lines.push(String::new());
        lines.push(model.explanation().into());
        map.insert((name(model), cell.workers), lines.join("\n"));
    }
}

/// The hover's plain words for "median CI (order statistics)".
pub const MEDIAN_CI_WORDS: &str = "  (where the true median lies, with 95% confidence from 6 runs, less with fewer: read off the sorted runs themselves, no bell curve assumed)";
/// The hover's plain words for the precision target.
pub const PRECISION_WORDS: &str = "  (precision target: runs were added until the median was known to within this share of itself, or the cell's time budget ran out)";
/// The hover's plain words for the MAD rule.
pub const MAD_WORDS: &str = "  (MAD rule: a run far from the others, measured in their typical spread, the median absolute deviation; named, still counted in the median)";

/// A cell's lost updates in words, for its hover, in the long form the verdict uses too
/// ([`chart_model::LostShare::long_words`]): the plotted median, the runs' spread (the bar),
/// what 100 % is, and how many runs lost any (a race need not strike every run: that count is
/// the number to read where the median is 0).
fn lost_updates_line(lost: &chart_model::LostShare) -> String {
    format!("this cell {}", lost.long_words())
}

/// The chart view's own settings, kept in egui's memory per chart kind (so the app's state
/// need not know them): logarithmic axes and the legend.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ChartView {
    /// log₂ worker axis, where `x_scale_chosen`; else the axis follows the worker counts
    /// ([`export::suits_log_x`]).
    pub log_x: bool,
    /// Whether the user has set the worker axis (the "log₂ workers" box).
    pub x_scale_chosen: bool,
    /// log₁₀ y axis (wall time only), where `y_scale_chosen`; else the axis follows the
    /// times ([`export::suits_log_time`]).
    pub log_y: bool,
    /// Whether the user has set the time axis (the "log time" box).
    pub y_scale_chosen: bool,
    pub show_legend: bool,
    /// A log₂ speedup axis on the speedup chart, offered where the worker axis is log₂ (the
    /// ideal line is then straight and small speedups are not squashed), where
    /// `speedup_scale_chosen`; else it follows the exports' rule
    /// ([`chart_model::auto_log_speedup`]), so the screen and an exported chart agree.
    pub log_speedup: bool,
    /// Whether the user has set the speedup axis (the "log speedup" box).
    pub speedup_scale_chosen: bool,
}

impl Default for ChartView {
    fn default() -> Self {
        ChartView {
            log_x: false,
            x_scale_chosen: false,
            log_y: false,
            y_scale_chosen: false,
            show_legend: true,
            log_speedup: false,
            speedup_scale_chosen: false,
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

/// Where the legend goes, and how far the y axis must reach for it: a corner whose legend box
/// (`legend`: its width and height as fractions of the plot's) covers none of `samples` (the
/// data points, their error bars and points along the lines between them, in plot
/// coordinates), in the order top left, top right, bottom right, bottom left. Where every
/// corner would cover data, the y axis grows above the data until the legend fits in the top
/// left: the second value is the new top (`None` when the axis stays as it is).
pub fn legend_placement(
    samples: &[[f64; 2]],
    x: (f64, f64),
    y: (f64, f64),
    legend: (f64, f64),
) -> (Corner, Option<f64>) {
    let (w, h) = ((x.1 - x.0).max(1e-9), (y.1 - y.0).max(1e-9));
    // A little room around the box, as egui_plot draws it inset from the frame.
    let (bw, bh) = ((legend.0 + 0.02).min(1.0), (legend.1 + 0.03).min(1.0));
    let covers = |left: bool, top: bool| {
        samples
            .iter()
            .filter(|p| {
                let fx = (p[0] - x.0) / w;
                let fy = (p[1] - y.0) / h;
                let in_x = if left { fx <= bw } else { fx >= 1.0 - bw };
                let in_y = if top { fy >= 1.0 - bh } else { fy <= bh };
                in_x && in_y
            })
            .count()
    };
    let corners = [
        (Corner::LeftTop, true, true),
        (Corner::RightTop, false, true),
        (Corner::RightBottom, false, false),
        (Corner::LeftBottom, true, false),
    ];
    if let Some((corner, ..)) = corners
        .iter()
        .find(|&&(_, left, top)| covers(left, top) == 0)
    {
        return (*corner, None);
    }
    // Data everywhere. A short legend goes above all of it, where the axis grows to make
    // room; a tall one (compared runs) would squash the data into the bottom of the plot, so
    // it takes the corner where it covers the fewest points instead.
    if bh <= MAX_LEGEND_GROWTH {
        return (Corner::LeftTop, Some(y.0 + h / (1.0 - bh)));
    }
    let fewest = corners
        .iter()
        .min_by_key(|&&(_, left, top)| covers(left, top))
        .map_or(Corner::LeftTop, |c| c.0);
    (fewest, None)
}

/// Whether a legend box (`legend`, as in [`legend_placement`]) goes inside the plot: in a
/// corner it leaves the data clear of, or above the data where it is short enough for the
/// axis to grow. Else (a tall legend: zoomed in, compared runs) it goes outside, above the
/// plot, rather than over the headline data.
pub fn legend_fits_inside(
    samples: &[[f64; 2]],
    x: (f64, f64),
    y: (f64, f64),
    legend: (f64, f64),
) -> bool {
    let (corner, top) = legend_placement(samples, x, y, legend);
    // `legend_placement` names a corner that covers nothing, or grows the axis, unless it
    // fell back on the corner covering the fewest points.
    top.is_some() || {
        let (w, h) = ((x.1 - x.0).max(1e-9), (y.1 - y.0).max(1e-9));
        let (bw, bh) = ((legend.0 + 0.02).min(1.0), (legend.1 + 0.03).min(1.0));
        let (left, top) = match corner {
            Corner::LeftTop => (true, true),
            Corner::RightTop => (false, true),
            Corner::RightBottom => (false, false),
            Corner::LeftBottom => (true, false),
        };
        !samples.iter().any(|p| {
            let fx = (p[0] - x.0) / w;
            let fy = (p[1] - y.0) / h;
            let in_x = if left { fx <= bw } else { fx >= 1.0 - bw };
            let in_y = if top { fy >= 1.0 - bh } else { fy <= bh };
            in_x && in_y
        })
    }
}

/// One entry of a chart's legend.
struct LegendEntry {
    /// Its whole name, as the plot's own legend and the hover say it: "ideal (speedup = N)",
    /// "16 physical cores (big)".
    name: String,
    /// What the legend outside the plot shows: "ideal", "16 cores"
    /// ([`crate::export::chart_frame::CoreLine::tag`]); a series' whole name.
    short: String,
    color: Color32,
    /// How the entry is drawn, as the plot draws it: not by colour alone.
    glyph: LegendGlyph,
}

/// What a legend entry draws before its name: a sample of the line as the plot draws it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LegendGlyph {
    /// The ideal line: a solid diagonal.
    Ideal,
    /// A physical-core line: a dotted vertical.
    Cores,
    /// A series: a short line in its dash pattern with its marker shape on it.
    Series {
        marker: chart_model::Marker,
        dash: chart_model::Dash,
        filled: bool,
    },
}

/// Paints `glyph` in `rect` (about a text line tall and twice as wide).
fn paint_legend_glyph(
    painter: &egui::Painter,
    rect: egui::Rect,
    glyph: LegendGlyph,
    color: Color32,
) {
    let stroke = egui::Stroke::new(1.5, color);
    match glyph {
        LegendGlyph::Ideal => {
            painter.line_segment([rect.left_bottom(), rect.right_top()], stroke);
        }
        LegendGlyph::Cores => {
            let x = rect.center().x;
            painter.extend(egui::Shape::dotted_line(
                &[egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
                color,
                3.0,
                1.0,
            ));
        }
        LegendGlyph::Series {
            marker,
            dash,
            filled,
        } => {
            let y = rect.center().y;
            let ends = [egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)];
            match dash {
                chart_model::Dash::Solid => {
                    painter.line_segment(ends, stroke);
                }
                chart_model::Dash::Dotted => {
                    painter.extend(egui::Shape::dotted_line(&ends, color, 3.0, 0.9));
                }
                chart_model::Dash::Dashed | chart_model::Dash::LongDashed => {
                    painter.extend(egui::Shape::dashed_line(&ends, stroke, 4.0, 2.5));
                }
            }
            paint_marker(
                painter,
                rect.center(),
                rect.height() * 0.32,
                marker,
                color,
                filled,
            );
        }
    }
}

/// Paints a marker shape of radius `r` at `c`, as egui_plot draws it.
fn paint_marker(
    painter: &egui::Painter,
    c: egui::Pos2,
    r: f32,
    marker: chart_model::Marker,
    color: Color32,
    filled: bool,
) {
    use chart_model::Marker;
    let stroke = egui::Stroke::new(1.5, color);
    let fill = if filled { color } else { Color32::TRANSPARENT };
    let polygon = |points: Vec<egui::Pos2>| {
        painter.add(egui::Shape::convex_polygon(points, fill, stroke));
    };
    let v = egui::vec2;
    match marker {
        Marker::Circle => {
            painter.add(egui::epaint::CircleShape {
                center: c,
                radius: r,
                fill,
                stroke,
            });
        }
        Marker::Square => polygon(vec![c + v(-r, -r), c + v(r, -r), c + v(r, r), c + v(-r, r)]),
        Marker::Diamond => polygon(vec![
            c + v(0.0, -r),
            c + v(r, 0.0),
            c + v(0.0, r),
            c + v(-r, 0.0),
        ]),
        Marker::TriangleUp => polygon(vec![c + v(0.0, -r), c + v(r, r), c + v(-r, r)]),
        Marker::TriangleDown => polygon(vec![c + v(-r, -r), c + v(r, -r), c + v(0.0, r)]),
        Marker::Cross | Marker::Plus | Marker::Asterisk => {
            let d = r * std::f32::consts::FRAC_1_SQRT_2;
            let mut arms = Vec::new();
            if marker != Marker::Plus {
                arms.push([c + v(-d, -d), c + v(d, d)]);
                arms.push([c + v(-d, d), c + v(d, -d)]);
            }
            if marker != Marker::Cross {
                arms.push([c + v(-r, 0.0), c + v(r, 0.0)]);
                if marker == Marker::Plus {
                    arms.push([c + v(0.0, -r), c + v(0.0, r)]);
                }
            }
            for arm in arms {
                painter.line_segment(arm, stroke);
            }
        }
    }
}

/// The legend outside the plot, in a wrapped row: per entry a sample of its line and marker
/// as the plot draws them (the ideal line solid and diagonal, a core line dotted and upright,
/// a series its dash pattern and marker shape), and a short name (the whole name in its
/// hover).
fn legend_entries(ui: &mut egui::Ui, entries: &[LegendEntry]) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text_color = ui.visuals().text_color();
    for LegendEntry {
        name,
        short,
        color,
        glyph,
    } in entries
    {
        // The sample and the name are one widget, so that a row never parts them.
        let galley = ui
            .painter()
            .layout_no_wrap(short.clone(), font.clone(), text_color);
        let line_h = galley.size().y;
        let sample = egui::vec2(line_h * 1.6, line_h * 0.8);
        let gap = line_h * 0.35;
        let size = egui::vec2(sample.x + gap + galley.size().x, line_h);
        let (rect, response) = ui.allocate_exact_size(size, egui::Sense::hover());
        let painter = ui.painter();
        let sample_rect = egui::Rect::from_center_size(
            egui::pos2(rect.left() + sample.x / 2.0, rect.center().y),
            sample,
        );
        paint_legend_glyph(painter, sample_rect, *glyph, *color);
        painter.galley(
            egui::pos2(rect.left() + sample.x + gap, rect.top()),
            galley,
            text_color,
        );
        response
            .on_hover_text(name.as_str())
            .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, name));
        ui.add_space(ui.spacing().item_spacing.x);
    }
}

/// `label` as the y axis says it along a plot `height` points tall: whole where it fits,
/// else without its bracketed part ("speedup"), else nothing (it would run past the plot
/// into the rows above).
fn y_label_fitting(ui: &egui::Ui, label: String, height: f32) -> String {
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

/// The largest share of the plot's height a legend may take above the data (the axis grows
/// by up to 1 / (1 − this)).
const MAX_LEGEND_GROWTH: f64 = 0.35;

/// What a legend box covers: every point, both ends of its error bar, and points every 1/40
/// of the way along the line to the next point (or along a single-worker model's horizontal
/// line to `x_hi`), in plot coordinates.
fn legend_samples(
    series: &[ChartSeries],
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
    x_hi: f64,
) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for s in series {
        for (x, _, range) in &s.points {
            if let Some((lo, hi)) = range {
                out.push([tx(*x), ty(*lo)]);
                out.push([tx(*x), ty(*hi)]);
            }
        }
        let (xy, line) = series_line(s, tx, ty, x_hi);
        out.extend(&xy);
        for pair in line.windows(2) {
            out.extend((1..40).map(|i| {
                let t = i as f64 / 40.0;
                [
                    pair[0][0] + (pair[1][0] - pair[0][0]) * t,
                    pair[0][1] + (pair[1][1] - pair[0][1]) * t,
                ]
            }));
        }
    }
    out
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
fn worker_marks(ticks: &[(f64, usize)], input: &GridInput) -> Vec<GridMark> {
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
fn value_marks(input: &GridInput) -> Vec<GridMark> {
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

/// The most rows a legend outside the plot takes before it scrolls.
const MAX_LEGEND_ROWS: f32 = 3.0;
/// Below this height left for the legend and the plot (points), a legend outside the plot
/// takes one row and scrolls beyond it: two rows would push the plot's axis off the screen.
const SHORT_OF_HEIGHT_FOR_LEGEND: f32 = 300.0;
/// Where room is tight, the most rows the **View** menu and a legend outside the plot take
/// together before they scroll.
const TIGHT_LEGEND_ROWS: f32 = 2.0;

/// The room the central area gives a chart, which may scroll (see
/// `WorkbenchApp::central`).
#[derive(Clone, Copy, Debug)]
pub struct ChartRoom {
    /// Short of room (zoomed in, a small window): the caption folds into a "(?)" hover on the
    /// row of the axis boxes.
    pub compact: bool,
    /// Tight (a short window: 800 × 600 at 2×, 512 × 320): the view boxes and **show fits**
    /// fold into one **View** menu, and a legend outside the plot follows it in the same rows.
    pub tight: bool,
    /// The top of the content (screen y), where `visible_height` is measured from.
    pub top: f32,
    /// How tall the visible area is, in points.
    pub visible_height: f32,
    /// The least height of the plot, axes included, in points: the area scrolls to give it.
    pub min_height: f32,
}

/// The name of the chart's "(?) how to read", for a screen reader (its description is the
/// caption).
pub const HOW_TO_READ: &str = "How to read this chart";

/// The most a plot's least height asks for, in points (less in a short window, see
/// [`ChartRoom::min_height_in`]).
pub const CHART_MIN_HEIGHT: f32 = 200.0;

impl ChartRoom {
    /// The plot's least height in a central area `visible_height` points tall: 42% of it, or
    /// [`CHART_MIN_HEIGHT`], whichever is less.
    pub fn min_height_in(visible_height: f32) -> f32 {
        (visible_height * 0.42).min(CHART_MIN_HEIGHT)
    }

    /// The room left in `ui`, which does not scroll: the plot fills it.
    pub fn fill(ui: &egui::Ui) -> ChartRoom {
        let visible_height = ui.available_height();
        ChartRoom {
            compact: false,
            tight: false,
            top: ui.cursor().top(),
            visible_height,
            min_height: Self::min_height_in(visible_height),
        }
    }

    /// The most rows a legend outside the plot takes before it scrolls, with `height_left`
    /// points left for it and the plot: tight, [`TIGHT_LEGEND_ROWS`] (shared with the
    /// **View** menu); else [`MAX_LEGEND_ROWS`], or one row where that height is under
    /// [`SHORT_OF_HEIGHT_FOR_LEGEND`] (a short window that is not tight, e.g. 600 × 480), so
    /// that the plot keeps its axis on screen.
    fn legend_rows(&self, height_left: f32) -> f32 {
        if self.tight {
            TIGHT_LEGEND_ROWS
        } else if height_left < SHORT_OF_HEIGHT_FOR_LEGEND {
            1.0
        } else {
            MAX_LEGEND_ROWS
        }
    }

    /// The plot's height when it starts at `y` (screen): the visible room left, or the least
    /// height where that is less; and whether the content then overflows (the area scrolls).
    fn plot_height(&self, y: f32) -> (f32, bool) {
        // Scroll-invariant: measured from the content's top, which scrolls with it.
        let left = self.visible_height - (y - self.top) - 2.0;
        (left.max(self.min_height), left < self.min_height)
    }
}

/// Draws `kind` for `results`, with the fitted curves and compared runs of `layers`, in the
/// frame an export of the same runs has (see [`export::chart_frame`]). `planned_workers` sets
/// the x range and ticks before any cell exists; `this_machine` stands for the shown results'
/// machine where they record no cores. Tight, **show fits** is in the **View** menu, where it
/// ticks `layers.show_fits` (drawn so from the next frame on).
pub fn show(
    ui: &mut egui::Ui,
    kind: ChartKind,
    results: Option<&ResultsFile>,
    planned_workers: &[usize],
    this_machine: Option<&crate::results::MachineInfo>,
    layers: &mut Layers<'_>,
    room: ChartRoom,
) {
    let fits_drawn = *layers.show_fits;
    let mut view = ChartView::load(ui.ctx(), kind);
    let before = view;
    let shown_runs = results
        .into_iter()
        .chain(layers.compare.iter().map(|c| &c.results));
    if results.is_some()
        && let Some(reason) = kind.unavailable_reason(shown_runs)
    {
        // Shown by its tab while other results came in (the tab itself is greyed then).
        ui.label(format!(
            "No {} chart for these results: {reason}.",
            kind.id()
        ));
        ui.weak(
            "It is drawn for a contention task: open the lost-updates preset and press Run, \
             or open its results.",
        );
        return;
    }
    // The caption: a paragraph above the plot, or where room is short one "(?)" whose hover
    // holds it all, on the row of the axis boxes.
    let caption = |ui: &mut egui::Ui| {
        ui.label(kind.caption());
        super::help_mark::help_mark_text(
            ui,
            "(?) more",
            "More on reading this chart",
            kind.explanation(),
        );
        match results {
            Some(r) if kind == ChartKind::LostUpdates => {
                let runs = std::iter::once(r).chain(layers.compare.iter().map(|c| &c.results));
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
        if fits_drawn && !layers.fits.is_empty() && kind.fit_law().is_some() {
            ui.weak(fits_caption(kind, layers.fits))
                .on_hover_text(style::help::FITS);
        }
        // The shown results' partial cells and the compared runs' (named by run).
        let shown = results
            .into_iter()
            .chain(layers.compare.iter().map(|c| &c.results));
        let partial: Vec<String> = shown
            .enumerate()
            .filter_map(|(i, r)| {
                let p = chart_model::partial_mark(r)?;
                Some(match (layers.compare.is_empty(), layers.labels.get(i)) {
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
        if let Some(note) = measuring_note(layers.measuring.len()) {
            ui.weak(note);
        }
        if !layers.compare.is_empty() {
            ui.weak("· Compared runs: own line pattern, hollow markers.")
                .on_hover_text(style::COMPARED_RUNS);
        }
    };
    if !room.compact {
        ui.horizontal_wrapped(caption);
    }
    let measured_workers = planned_workers.iter().copied().chain(
        results
            .iter()
            .flat_map(|r| r.cells.iter().map(|c| c.workers)),
    );
    if !view.x_scale_chosen {
        view.log_x = export::suits_log_x(measured_workers);
    }
    if !view.y_scale_chosen {
        view.log_y = export::suits_log_time(
            results
                .into_iter()
                .chain(layers.compare.iter().map(|c| &c.results)),
        );
    }
    if !view.speedup_scale_chosen {
        view.log_speedup = chart_model::auto_log_speedup(
            view.log_x,
            results
                .into_iter()
                .chain(layers.compare.iter().map(|c| &c.results)),
        );
    }
    if view != before {
        view.store(ui.ctx(), kind);
    }
    let log_x = view.log_x;
    let speedup_axis = log_speedup_axis(kind, &view);
    let log_y = (view.log_y && kind.supports_log_y()) || speedup_axis;
    let tx = move |x: f64| if log_x { x.max(0.5).log2() } else { x };
    let ty = move |y: f64| {
        if log_y { y.max(1e-12).log10() } else { y }
    };

    let empty = ResultsFile::default();
    let results = results.unwrap_or(&empty);
    // The frame (axes, core lines, ideal line), as the exported charts draw it: the shown
    // results are run 0 (empty before any), then the compared runs.
    let runs: Vec<ChartRun<'_>> = std::iter::once(results)
        .chain(layers.compare.iter().map(|c| &c.results))
        .enumerate()
        .map(|(i, results)| ChartRun {
            label: layers.labels.get(i).map_or("", String::as_str),
            results,
        })
        .collect();
    let workers = WorkerAxis::of(&runs, planned_workers, this_machine, log_x);
    let x_max = workers.top;
    let (series, hovers) = shown_series(kind, &runs, layers, x_max);
    let frame = ChartFrame::of(kind, &runs, workers, log_y, &series);
    let core_lines = &frame.workers.core_lines;

    let ticks: Vec<(f64, usize)> = frame
        .workers
        .ticks
        .iter()
        .map(|&w| (tx(w as f64), w))
        .collect();
    let label_ticks = ticks.clone();

    let (x_lo, x_hi) = frame.workers.drawn_range();
    let samples = legend_samples(&series, &tx, &ty, x_hi);
    // The plot shows the frame exactly (no margins of egui_plot's own: the frame has its
    // room around the data).
    let x_shown = (x_lo, x_hi);
    let y_shown = (ty(frame.values.range.0), ty(frame.values.range.1));
    // The legend's box as a share of the plot: a row per entry, as wide as its longest name.
    // Its entries in the plot's order (what is drawn first), each with its colour.
    let dark = ui.visuals().dark_mode;
    let mut entries: Vec<LegendEntry> = Vec::new();
    for entry in frame
        .ideal
        .is_some()
        .then(|| LegendEntry {
            name: kind.ideal_label().to_string(),
            short: "ideal".to_string(),
            color: Color32::from_gray(140),
            glyph: LegendGlyph::Ideal,
        })
        .into_iter()
        .chain(core_lines.iter().map(|c| LegendEntry {
            name: c.label.clone(),
            short: c.tag(),
            color: style::core_marker_color(dark),
            glyph: LegendGlyph::Cores,
        }))
        .chain(series.iter().map(|s| {
            let look = chart_model::series_style(s.model, s.run, chart_model::Theme::Light);
            LegendEntry {
                name: s.label.clone(),
                short: s.label.clone(),
                color: style::model_color_dark_aware(s.model, dark),
                glyph: LegendGlyph::Series {
                    marker: look.marker,
                    dash: look.dash,
                    filled: look.filled,
                },
            }
        }))
    {
        if !entries.iter().any(|e| e.name == entry.name) {
            entries.push(entry);
        }
    }
    let font = egui::TextStyle::Body.resolve(ui.style());
    let widest = entries
        .iter()
        .map(|e| {
            ui.painter()
                .layout_no_wrap(e.name.clone(), font.clone(), Color32::WHITE)
                .size()
                .x
        })
        .fold(0.0f32, f32::max);
    let row = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    let plot_width = ui.available_width();
    let legend_frac = |plot_height: f32| {
        // The plot takes the space left, less its axes' labels and ticks.
        let plot_size = egui::vec2(plot_width, plot_height) - egui::vec2(60.0, 50.0);
        (
            f64::from((widest + 40.0) / plot_size.x.max(1.0)),
            f64::from((entries.len() as f32 * row + 12.0) / plot_size.y.max(1.0)),
        )
    };
    // Inside the plot where it leaves the data clear; else above it, in a row of its own
    // (the plot is then as much shorter).
    // Tight, always outside: a corner of so small a plot is never clear of the data.
    let legend_inside = view.show_legend
        && !room.tight
        && legend_fits_inside(
            &samples,
            x_shown,
            y_shown,
            // The row of the boxes still to come above the plot.
            legend_frac(room.plot_height(ui.cursor().top() + row).0),
        );
    let outside = view.show_legend && !legend_inside;
    // The row of the view's boxes, drawn once the legend's place is known: a legend that goes
    // outside the plot follows them in the same wrapped row. What is ticked there takes effect
    // at the next frame (asked for at once).
    let mut edited = view;
    // "(?) how to read" ("(?)" where tight), whose hover holds the caption.
    let how_to_read = |ui: &mut egui::Ui| {
        // A Tab stop: its help shows on focus too, and a screen reader reads the caption.
        let text = if room.tight { "(?)" } else { "(?) how to read" };
        let how = super::help_mark::help_mark(ui, text, HOW_TO_READ, |ui| {
            ui.horizontal_wrapped(caption);
        });
        ui.ctx().accesskit_node_builder(how.id, |node| {
            node.set_description(kind.caption().to_string())
        });
    };
    let view_boxes = |ui: &mut egui::Ui, view: &mut ChartView| {
        if ui
            .checkbox(&mut view.log_x, "log₂ workers")
            .on_hover_text("A logarithmic worker axis: 1, 2, 4, 8, 16 evenly spaced. Until you set it, it is on where the worker counts span more than 32 times (4 to 1024).")
            .changed()
        {
            view.x_scale_chosen = true;
        }
        if kind.supports_log_y()
            && ui
                .checkbox(&mut view.log_y, "log time")
                .on_hover_text("A logarithmic time axis: fast and slow models both readable. Until you set it, it is on where the median times span more than 100 times.")
                .changed()
        {
            view.y_scale_chosen = true;
        }
        if kind == ChartKind::Speedup
            && view.log_x
            && ui
                .checkbox(&mut view.log_speedup, "log speedup")
                .on_hover_text("A logarithmic speedup axis, with the log₂ worker axis: the ideal line stays straight and small speedups keep their room. Until you set it, it is on where the speedups span 8 times or more, as in the exported charts.")
                .changed()
        {
            view.speedup_scale_chosen = true;
        }
        ui.checkbox(&mut view.show_legend, "legend").on_hover_text(
            "Show the legend (in the plot corner with the fewest points, else below these boxes).",
        );
    };
    let row = ui.text_style_height(&egui::TextStyle::Body) + ui.spacing().item_spacing.y;
    if room.tight {
        // One menu for the boxes (and the fits' box, off the row above), the legend
        // (outside) after it in the same rows, held to two of them (scrolling beyond; a
        // scroll area is 64 points at least unless told, which was three rows): the plot
        // keeps the rest of a tight area.
        // A row as tall as the View button's (the legend's text is less tall): two rows
        // whole, not the second cut through its text.
        let rows = room.legend_rows(ui.available_height())
            * (ui
                .spacing()
                .interact_size
                .y
                .max(row - ui.spacing().item_spacing.y)
                + ui.spacing().item_spacing.y);
        egui::ScrollArea::vertical()
            .id_salt(("view-and-legend", kind.id()))
            .max_height(rows)
            .min_scrolled_height(rows)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    how_to_read(ui);
                    ui.menu_button("View", |ui| {
                        // Where tight (else on the row above the chart, by the caller).
                        ui.checkbox(layers.show_fits, "show fits")
                            .on_hover_text(style::help::FITS);
                        view_boxes(ui, &mut edited);
                    })
                    .response
                    .on_hover_text(
                        "The fitted curves, the axes' scales (log₂ workers, log time) and the legend.",
                    );
                    if outside {
                        legend_entries(ui, &entries);
                    }
                })
            });
    } else {
        ui.horizontal_wrapped(|ui| {
            if room.compact {
                how_to_read(ui);
            }
            view_boxes(ui, &mut edited);
        });
        if outside {
            // Held to a few rows, scrolling beyond them, so that the plot keeps its height
            // (compared runs' long legends took 8 rows and left the plot 250 px); one where
            // the plot is already short of height.
            let rows = room.legend_rows(ui.available_height());
            egui::ScrollArea::vertical()
                .id_salt(("legend-outside", kind.id()))
                .max_height(rows * row)
                .min_scrolled_height(rows * row)
                .auto_shrink([false, true])
                .show(ui, |ui| {
                    ui.horizontal_wrapped(|ui| legend_entries(ui, &entries))
                });
        }
    }
    if edited != view {
        edited.store(ui.ctx(), kind);
        ui.ctx().request_repaint();
    }
    let (plot_height, overflow) = room.plot_height(ui.cursor().top());
    let (corner, legend_top) = if legend_inside {
        legend_placement(&samples, x_shown, y_shown, legend_frac(plot_height))
    } else {
        (Corner::LeftTop, None)
    };

    let barred = chart_model::barred_series(&series);
    let mut plot = Plot::new(("chart", kind.id()))
        .height(plot_height)
        // Where the area scrolls, the wheel scrolls it, not the plot under the pointer.
        .allow_scroll(!overflow)
        .x_axis_label(if log_x { "workers (log₂)" } else { "workers" })
        .y_axis_label({
            let label = kind.y_label_for([results]);
            let label = if log_y {
                format!("{label} (log)")
            } else {
                label.to_string()
            };
            y_label_fitting(ui, label, plot_height)
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
    if legend_inside {
        plot = plot.legend(
            Legend::default()
                .position(corner)
                .follow_insertion_order(true)
                .background_alpha(0.85),
        );
    }
    if log_y {
        // A log speedup axis reads in powers of two (1×, 2×, 4×), as the exports do; a log
        // time axis in decades.
        plot = plot.y_grid_spacer(move |input| {
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
        });
        plot = plot.y_axis_formatter(move |mark, _| {
            let v = 10f64.powf(mark.value);
            match speedup_axis {
                true => chart_model::speedup_tick_text(v),
                false => chart_model::tick_text(v, v / 2.0),
            }
        });
    } else {
        // From zero, with round steps and no negative labels: egui_plot's own margin put
        // "-0.01 s" under a time axis.
        plot = plot
            .y_grid_spacer(|input| value_marks(&input))
            .y_axis_formatter(|mark, _| {
                let step = mark.step_size.abs().max(1e-12);
                chart_model::tick_text(mark.value, step)
            });
    }
    // The frame's ranges, without egui_plot's own margins (the frame has its room: "-0.01 s"
    // under a time axis came from egui_plot's margin).
    plot = plot
        .include_y(y_shown.0)
        .include_y(y_shown.1)
        .set_margin_fraction(egui::vec2(0.0, 0.0));
    if let Some(top) = legend_top {
        plot = plot.include_y(top);
    }

    let table_key = ui
        .ctx()
        .format_shortcut(&super::command::tab_shortcut(super::app::Tab::Table));
    let summary = chart_summary(kind, &series, &table_key);
    let shown = plot.show(ui, |plot_ui| {
        if frame.ideal.is_some() {
            let pts: Vec<[f64; 2]> = frame
                .ideal_points(60)
                .into_iter()
                .map(|(n, v)| [tx(n), ty(v)])
                .collect();
            plot_ui.line(
                Line::new(kind.ideal_label(), pts)
                    .color(Color32::from_gray(140))
                    .width(1.5)
                    .allow_hover(false),
            );
        }
        for core in core_lines {
            plot_ui.vline(
                VLine::new(core.label.as_str(), tx(core.cores as f64))
                    .color(style::core_marker_color(dark))
                    .style(LineStyle::Dotted { spacing: 6.0 })
                    .width(1.5)
                    .allow_hover(false),
            );
        }
        for (index, s) in series.iter().enumerate() {
            let bar_dx = chart_model::bar_offset(&barred, index) * (x_hi - x_lo);
            draw_series(plot_ui, s, dark, &tx, &ty, x_hi, bar_dx);
        }
        // The fitted curves (in the series when the fits are shown), in the series' colour
        // and name: one legend entry toggles both (egui_plot greys out an entry whose items
        // differ in colour); thin dashes tell the fit apart.
        for s in &series {
            draw_fit(plot_ui, s, dark, &frame, &tx, &ty);
        }
    });
    // The plot is a keyboard stop: a screen reader reads the chart in words, and a ring shows
    // where focus is.
    shown
        .response
        .widget_info(|| egui::WidgetInfo::labeled(egui::Role::Image, true, &summary));
    if shown.response.has_focus() {
        super::focus::focus_ring(ui, shown.response.rect);
    }
}

/// Said in a point's hover where its bar is drawn beside it (`side`: "left" or "right").
pub fn bar_side_note(side: &str) -> String {
    format!(
        "its bar is drawn a little to the {side} of the marker, so that the models' bars at one \
         worker count stand side by side"
    )
}

/// A value of `kind`'s y axis in words: `2.00×`, `93 %`, `0.2632 s`, `48 MiB`.
fn value_text(kind: ChartKind, y: f64) -> String {
    match kind {
        ChartKind::Speedup => format!("{y:.2}×"),
        ChartKind::Efficiency => format!("{y:.0} %"),
        ChartKind::WallTime => format!("{} s", export::seconds_text(y)),
        ChartKind::Memory => format!("{y:.0} MiB"),
        ChartKind::LostUpdates => crate::results::lost_percent(y),
    }
}

/// The chart in words, for a screen reader (its accessible name): what it plots, over which
/// worker counts, and each curve's value at its largest worker count, e.g. `Speedup chart,
/// speedup (× baseline) against 1–4 workers: sequential (baseline) 1.00× at 1, threads
/// 3.61× at 4. Every value is in the Results table (Ctrl+4).`
pub fn chart_summary(kind: ChartKind, series: &[ChartSeries], table_key: &str) -> String {
    let head = format!("{} chart", kind.title());
    let xs = series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    if !lo.is_finite() {
        return format!("{head}: no measurements yet.");
    }
    let range = if lo == hi {
        format!("{lo} workers")
    } else {
        format!("{lo}–{hi} workers")
    };
    let curves: Vec<String> = series
        .iter()
        .filter_map(|s| {
            let last = s.points.iter().max_by(|a, b| a.0.total_cmp(&b.0))?;
            if kind == ChartKind::LostUpdates {
                // "sequential (baseline): 0 lost" says it all; a losing curve says how much.
                return Some(if chart_model::lost_nothing(s) {
                    s.label.clone()
                } else {
                    format!(
                        "{} {} lost at {}",
                        s.label,
                        value_text(kind, last.1),
                        last.0
                    )
                });
            }
            Some(format!(
                "{} {} at {}",
                s.label,
                value_text(kind, last.1),
                last.0
            ))
        })
        .collect();
    let mut text = format!(
        "{head}, {} against {range}: {}.",
        match kind {
            ChartKind::LostUpdates => "increments lost (% of all the workers were asked for)",
            k => k.y_label(),
        },
        curves.join(", ")
    );
    // The table holds every point of the other charts (not the memory's); for lost updates
    // its notes count the runs that lost any.
    if kind == ChartKind::LostUpdates {
        text.push_str(&format!(
            " The Results table ({table_key}) counts the runs that lost updates."
        ));
    } else if kind != ChartKind::Memory {
        text.push_str(&format!(
            " Every value is in the Results table ({table_key})."
        ));
    }
    text
}

/// The fitted curve of series `s` (none unless the fits are shown), less its points outside
/// the frame's value axis.
fn draw_fit(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    s: &ChartSeries,
    dark: bool,
    frame: &ChartFrame,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
) {
    if s.horizontal {
        return;
    }
    let xy: Vec<[f64; 2]> = s
        .fit
        .iter()
        .filter(|p| frame.shows_value(p.1))
        .map(|&(x, y)| [tx(x), ty(y)])
        .collect();
    if xy.len() < 2 {
        return;
    }
    plot_ui.line(
        Line::new(s.label.as_str(), PlotPoints::from(xy))
            .color(style::model_color_dark_aware(s.model, dark))
            .style(LineStyle::Dashed { length: 4.0 })
            .width(1.0)
            .allow_hover(false),
    );
}

/// Whether the speedup chart draws its y axis on a log scale: the user asked for it, and the
/// worker axis is log₂ too (on a linear worker axis a log speedup would bend the ideal line).
fn log_speedup_axis(kind: ChartKind, view: &ChartView) -> bool {
    kind == ChartKind::Speedup && view.log_x && view.log_speedup
}

/// A series' points in plot coordinates, and the line drawn through them: the points
/// themselves, or for a model measured at one worker count only (the sequential baseline) a
/// horizontal line from its point to `x_hi`.
fn series_line(
    s: &ChartSeries,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
    x_hi: f64,
) -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    let xy: Vec<[f64; 2]> = s.points.iter().map(|(x, y, _)| [tx(*x), ty(*y)]).collect();
    let line = match xy.first() {
        Some(&first) if s.horizontal => vec![first, [x_hi, first[1]]],
        _ => xy.clone(),
    };
    (xy, line)
}

/// Draws one series. Only its markers answer the pointer: a line, an error bar or its caps
/// passing under the pointer would otherwise be nearer than the marker it hovers, and the
/// tooltip would name another model's cell (the ideal line, the core marker and the fits
/// answer nothing either).
fn draw_series(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    s: &ChartSeries,
    dark: bool,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
    x_hi: f64,
    bar_dx: f64,
) {
    let model_style = chart_model::series_style(s.model, s.run, chart_model::Theme::Light);
    let color = style::model_color_dark_aware(s.model, dark);
    let name = s.label.as_str();
    let (xy, line) = series_line(s, tx, ty, x_hi);
    if line.len() > 1 {
        plot_ui.line(
            Line::new(name, PlotPoints::from(line))
                .color(color)
                .style(style::line_style(model_style.dash))
                .width(if s.horizontal { 1.5 } else { 2.0 })
                .allow_hover(false),
        );
    }
    for (x, _, range) in &s.points {
        if let Some((lo, hi)) = range {
            let x = tx(*x) + bar_dx;
            let cap = 0.08;
            let bar = Line::new(name, vec![[x, ty(*lo)], [x, ty(*hi)]])
                .color(color)
                .width(1.0)
                .allow_hover(false);
            plot_ui.line(bar);
            for y in [*lo, *hi] {
                plot_ui.line(
                    Line::new(name, vec![[x - cap, ty(y)], [x + cap, ty(y)]])
                        .color(color)
                        .width(1.0)
                        .allow_hover(false),
                );
            }
        }
    }
    // A partial cell (cancelled after some runs) is drawn hollow in a ring, as the exports
    // draw it: hollow alone is how a compared run draws every point.
    let (partial, whole): (Vec<_>, Vec<_>) = s
        .points
        .iter()
        .zip(xy)
        .partition(|(p, _)| s.is_partial_at(p.0));
    for (points, filled) in [(whole, model_style.filled), (partial, false)] {
        if points.is_empty() {
            continue;
        }
        plot_ui.points(
            Points::new(name, points.iter().map(|(_, xy)| *xy).collect::<Vec<_>>())
                .color(color)
                .radius(MARKER_RADIUS)
                .filled(filled)
                .shape(style::marker_shape(model_style.marker)),
        );
        if !filled && points_are_partial(&points, s) {
            plot_ui.points(
                Points::new(name, points.iter().map(|(_, xy)| *xy).collect::<Vec<_>>())
                    .color(color)
                    .radius(chart_model::partial_ring_radius(f64::from(MARKER_RADIUS)) as f32)
                    .filled(false)
                    .shape(egui_plot::MarkerShape::Circle),
            );
        }
    }
}

/// The radius of a point's marker, in points: large enough that its shape, not only its
/// colour, tells the models apart (4.5 hid a circle under a triangle).
const MARKER_RADIUS: f32 = 5.5;

/// Points' hover texts by (series name, workers).
type Hovers = HashMap<(String, usize), String>;

/// The series of `runs` (the shown results first, then `layers`' compared runs) with the
/// workbench's names, their fitted curves where the fits are shown (cut at `x_max`), and
/// their points' hover texts.
fn shown_series(
    kind: ChartKind,
    runs: &[ChartRun<'_>],
    layers: &Layers<'_>,
    x_max: f64,
) -> (Vec<ChartSeries>, Hovers) {
    let mut series = Vec::new();
    let mut hovers = HashMap::new();
    for (i, run) in runs.iter().enumerate() {
        let (fits, measuring) = match i {
            0 => (layers.fits, layers.measuring),
            i => (
                layers
                    .compare
                    .get(i - 1)
                    .map_or(&[][..], |c| c.fits.as_slice()),
                &[][..],
            ),
        };
        let fits = if *layers.show_fits { fits } else { &[] };
        let mut of_run = chart_model::series_of(
            run.results,
            i,
            "",
            runs.len(),
            kind,
            &SeriesFilter::default(),
            fits,
            x_max,
        );
        mark_measuring(&mut of_run, measuring);
        series.extend(of_run);
        hover_texts(
            kind,
            run.results,
            &|m| layers.series_name(m, i),
            measuring,
            &mut hovers,
        );
    }
    // The GUI's own names: the baseline says so when one run is shown.
    for s in &mut series {
        s.label = chart_model::legend_label(kind, s, &layers.series_name(s.model, s.run));
    }
    // Models' bars at one worker count stand side by side, each a little off its marker (they
    // hid one another on one vertical line): each hover that has one says so.
    let barred = chart_model::barred_series(&series);
    for (index, s) in series.iter().enumerate() {
        let dx = chart_model::bar_offset(&barred, index);
        if dx == 0.0 {
            continue;
        }
        let side = if dx > 0.0 { "right" } else { "left" };
        let name = layers.series_name(s.model, s.run);
        for (x, _, range) in &s.points {
            if let Some(text) = hovers.get_mut(&(name.clone(), *x as usize))
                && range.is_some()
            {
                // Before the model's explanation, which closes the hover after a blank line.
                let at = text.rfind("\n\n").unwrap_or(text.len());
                text.insert_str(at, &format!("\n{}", bar_side_note(side)));
            }
        }
    }
    (series, hovers)
}

/// Marks the shown results' cells still being measured as partial, so that they are drawn
/// hollow in a ring until they complete (the frame after, solid). Compared runs' series are
/// finished files: left alone.
fn mark_measuring(series: &mut [ChartSeries], measuring: &[(ModelKind, usize)]) {
    for s in series.iter_mut().filter(|s| s.run == 0) {
        for &(model, workers) in measuring {
            let x = workers as f64;
            if model == s.model && s.points.iter().any(|p| p.0 == x) && !s.partial.contains(&x) {
                s.partial.push(x);
            }
        }
    }
}

/// The caption's note while cells are being measured, e.g. `· Hollow markers in a ring: 3
/// cells still being measured; solid once complete.`; `None` for none.
pub fn measuring_note(cells: usize) -> Option<String> {
    (cells > 0).then(|| {
        let are = if cells == 1 { "is" } else { "are" };
        format!(
            "· Hollow markers in a ring: {} {are} still being measured; solid once complete.",
            crate::words::count(cells, "cell")
        )
    })
}

/// Whether `points` are a series' partial cells (the ringed ones).
fn points_are_partial(points: &[(&chart_model::Point, [f64; 2])], s: &ChartSeries) -> bool {
    points.first().is_some_and(|(p, _)| s.is_partial_at(p.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::chart_model::Point;

    /// `cells` with what is derived from their runs worked out.
    fn recomputed(cells: Vec<CellResult>) -> ResultsFile {
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.recompute();
        r
    }

    /// Six runs within 2% of `t` seconds, their median `t`.
    fn six_runs_around(t: f64) -> [f64; 6] {
        [t, t * 1.01, t * 0.99, t, t * 1.02, t * 0.98]
    }

    /// The speedup chart's hover of each point of `r` (the cells in `measuring` still being
    /// measured), by model and worker count.
    fn speedup_hovers(
        r: &ResultsFile,
        measuring: &[(ModelKind, usize)],
    ) -> impl Fn(ModelKind, usize) -> String {
        let mut hovers = HashMap::new();
        let baseline = r.experiment.baseline;
        let name = move |m: ModelKind| series_name(m, baseline);
        hover_texts(ChartKind::Speedup, r, &name, measuring, &mut hovers);
        move |m, w| hovers[&(name(m), w)].clone()
    }

    /// Both axes of the legend tests' plots: 0 to 8.
    const ZERO_TO_8: (f64, f64) = (0.0, 8.0);
    /// A legend box a quarter of the plot wide and a fifth high.
    const SHORT_LEGEND: (f64, f64) = (0.25, 0.2);
    /// Rising curves on [`ZERO_TO_8`]: the top left is empty.
    const RISING: [[f64; 2]; 4] = [[1.0, 1.0], [2.0, 2.0], [4.0, 3.9], [8.0, 7.5]];
    /// Data in every corner of [`ZERO_TO_8`].
    const CORNERS: [[f64; 2]; 4] = [[0.5, 0.5], [0.5, 7.5], [7.5, 0.5], [7.5, 7.5]];

    /// One curve of the first run, without fits.
    fn series(model: ModelKind, label: &str, points: Vec<Point>) -> ChartSeries {
        ChartSeries {
            model,
            run: 0,
            label: label.into(),
            points,
            horizontal: false,
            fit: Vec::new(),
            busy: false,
            partial: Vec::new(),
        }
    }

    /// processes × 1 at twice the sequential speed: the hover flags it, and explains the
    /// statistics terms it uses in plain words.
    #[test]
    fn a_one_worker_cell_faster_than_sequential_is_flagged_in_its_hover() {
        let r = recomputed(vec![
            CellResult::with_walls(
                ModelKind::Sequential,
                1,
                &[1.0, 1.01, 0.99, 1.0, 1.02, 0.98],
            ),
            CellResult::with_walls(ModelKind::Processes, 1, &[0.5, 0.51, 0.49, 0.5, 0.52, 0.48]),
            CellResult::with_walls(ModelKind::Processes, 2, &[0.3, 0.31, 0.29, 0.3, 0.32, 0.28]),
        ]);
        let hover = speedup_hovers(&r, &[]);
        let one = hover(ModelKind::Processes, 1);
        assert!(
            one.contains("one worker cannot beat sequential, so the baseline was disturbed"),
            "{one}"
        );
        assert!(one.contains(MEDIAN_CI_WORDS), "{one}");
        assert!(one.contains("CPU busy: "), "{one}");
        let two = hover(ModelKind::Processes, 2);
        assert!(!two.contains("cannot beat sequential"), "{two}");
    }

    /// The caption promises dashes only where a fit line is drawn, and says why none is.
    #[test]
    fn the_fits_caption_says_why_no_fit_line_is_drawn() {
        let results = |workers: &[usize]| {
            let mut cells = vec![CellResult::with_walls(ModelKind::Sequential, 1, &[1.0; 6])];
            for &w in workers {
                let t = 1.0 / (w as f64).powf(0.9);
                cells.push(CellResult::with_walls(
                    ModelKind::Threads,
                    w,
                    &six_runs_around(t),
                ));
            }
            recomputed(cells)
        };
        // The caption of `kind`'s chart with these fits, checked against `words`.
        let says = |kind: ChartKind, fits: &[crate::analysis::ModelFit], words: &str| {
            assert_eq!(fits_caption(kind, fits), words, "{kind:?}");
        };
        let two = crate::analysis::fit_results(&results(&[1, 2]));
        says(
            ChartKind::Speedup,
            &two,
            "· No USL fit drawn: it needs 3 worker counts or more, and these results have 2.",
        );
        // Amdahl needs two: drawn on the wall-time chart.
        assert!(fits_caption(ChartKind::WallTime, &two).contains("Thin dashes"));
        let four = crate::analysis::fit_results(&results(&[1, 2, 3, 4]));
        says(
            ChartKind::Speedup,
            &four,
            "· Thin dashes in a model's colour: its USL fit.",
        );
        says(
            ChartKind::WallTime,
            &four,
            "· Thin dashes in a model's colour: its Amdahl fit.",
        );
        // Charts that draw no law say nothing of fits.
        says(ChartKind::Memory, &four, "");
        says(ChartKind::LostUpdates, &four, "");
        // Lock contention (weak scaling): Amdahl's law is not fitted at all, which is neither
        // too few worker counts nor a fit that misses.
        let mut contention = results(&[1, 2, 3, 4]);
        contention.experiment.task.kind = crate::preset::TaskKind::Contention;
        contention.recompute();
        let weak = crate::analysis::fit_results(&contention);
        says(
            ChartKind::WallTime,
            &weak,
            "· No Amdahl fit on this chart: every worker brings its own work here (weak scaling), so no serial fraction applies and Amdahl's law is not fitted (the Fits tab says what is).",
        );
        // A fit that misses its points is not drawn, and the caption says so: the USL of
        // speedups that swing up and down at random.
        let mut swinging = results(&[]);
        for (w, speedup) in [(1, 1.0), (2, 3.5), (3, 0.6), (4, 3.9), (5, 0.7), (6, 4.2)] {
            swinging.cells.push(CellResult::with_walls(
                ModelKind::Threads,
                w,
                &six_runs_around(1.0 / speedup),
            ));
        }
        swinging.recompute();
        let zigzag = crate::analysis::fit_results(&swinging);
        assert!(
            crate::analysis::usl_fits_poorly(&zigzag[0]),
            "{:?}",
            zigzag[0].usl
        );
        says(
            ChartKind::Speedup,
            &zigzag,
            "· No USL fit drawn: the fits miss the measured points (the Fits tab says why).",
        );
        // Enough worker counts, but every fit refused.
        let mut refused = four.clone();
        for f in &mut refused {
            (f.amdahl, f.usl) = (None, None);
        }
        says(
            ChartKind::WallTime,
            &refused,
            "· No Amdahl fit drawn: the fit was refused (the Fits tab says why).",
        );
        says(
            ChartKind::Speedup,
            &refused,
            "· No USL fit drawn: the fit was refused (the Fits tab says why).",
        );
    }

    /// A running sweep: threads × 2 has 2 of its runs, the other cells have completed.
    #[test]
    fn a_cell_still_being_measured_is_drawn_and_hovered_as_such_until_it_completes() {
        let r = recomputed(vec![
            CellResult::with_walls(ModelKind::Sequential, 1, &[0.4; 3]),
            CellResult::with_walls(ModelKind::Threads, 1, &[0.41; 3]),
            CellResult::with_walls(ModelKind::Threads, 2, &[0.21, 0.2]),
        ]);
        let measuring = [(ModelKind::Threads, 2)];
        let hover = speedup_hovers(&r, &measuring);
        let live = hover(ModelKind::Threads, 2);
        assert!(
            live.contains("measuring: 2 runs so far (hollow marker)"),
            "{live}"
        );
        assert!(!live.contains("partial"), "not cancelled: {live}");
        assert!(!hover(ModelKind::Threads, 1).contains("measuring"));

        let threads = |run| ChartSeries {
            run,
            ..series(
                ModelKind::Threads,
                "threads",
                vec![(1.0, 1.0, None), (2.0, 2.0, None)],
            )
        };
        let mut shown = vec![threads(0), threads(1)];
        mark_measuring(&mut shown, &measuring);
        assert!(
            shown[0].is_partial_at(2.0),
            "hollow in a ring while measured"
        );
        assert!(!shown[0].is_partial_at(1.0), "a completed cell stays solid");
        assert!(
            !shown[1].is_partial_at(2.0),
            "a compared run is a finished file"
        );
        // Once the cell completes, nothing is measured: solid.
        let mut done = vec![threads(0)];
        mark_measuring(&mut done, &[]);
        assert!(!done[0].is_partial_at(2.0));

        assert_eq!(
            measuring_note(1).as_deref(),
            Some(
                "· Hollow markers in a ring: 1 cell is still being measured; solid once complete."
            )
        );
        assert_eq!(measuring_note(0), None);
    }

    #[test]
    fn a_partial_cells_hover_says_so_and_gives_its_intervals_real_coverage() {
        use crate::results::{CellResult, CellStatus};
        let cell = |model, workers, status, walls: &[f64]| CellResult {
            status,
            ..CellResult::with_walls(model, workers, walls)
        };
        let r = recomputed(vec![
            cell(ModelKind::Sequential, 1, CellStatus::Ok, &[0.4; 6]),
            // Complete, but 3 runs: no 95% interval either.
            cell(ModelKind::Threads, 1, CellStatus::Ok, &[0.41, 0.4, 0.42]),
            cell(
                ModelKind::Threads,
                2,
                CellStatus::Cancelled,
                &[0.21, 0.2, 0.22],
            ),
        ]);
        let hover = speedup_hovers(&r, &[]);
        for (workers, cell) in [(1, &r.cells[1]), (2, &r.cells[2])] {
            let text = hover(ModelKind::Threads, workers);
            // The Results table's words, coverage and all.
            let words = export::speedup_ci_words(cell).unwrap();
            assert!(!words.starts_with("95%"), "{words}");
            assert!(text.contains(&format!("speedup: {words}")), "{text}");
            assert!(!text.contains("95% CI"), "{text}");
        }
        let partial = hover(ModelKind::Threads, 2);
        assert!(
            partial.contains("partial: cancelled after 3 runs (hollow marker)"),
            "{partial}"
        );
        assert!(!hover(ModelKind::Threads, 1).contains("partial"));
        let baseline = hover(ModelKind::Sequential, 1);
        assert!(
            baseline.starts_with("sequential (baseline) × 1 workers"),
            "{baseline}"
        );
    }

    #[test]
    fn a_chart_is_summarised_in_words() {
        let curve = |model, label: &str, points: Vec<(f64, f64)>| {
            series(
                model,
                label,
                points.into_iter().map(|(x, y)| (x, y, None)).collect(),
            )
        };
        let series = [
            curve(
                ModelKind::Sequential,
                "sequential (baseline)",
                vec![(1.0, 1.0)],
            ),
            curve(
                ModelKind::Threads,
                "threads",
                vec![(4.0, 3.614), (1.0, 1.0), (2.0, 1.9)],
            ),
        ];
        assert_eq!(
            chart_summary(ChartKind::Speedup, &series, "Ctrl+4"),
            "Speedup chart, speedup (× baseline) against 1–4 workers: sequential (baseline) 1.00× at 1, threads 3.61× at 4. Every value is in the Results table (Ctrl+4)."
        );
        assert_eq!(
            chart_summary(ChartKind::Efficiency, &[], "Ctrl+4"),
            "Efficiency chart: no measurements yet."
        );
    }

    #[test]
    fn a_lost_updates_chart_is_summarised_with_what_was_lost() {
        let curve = series;
        let series = [
            curve(
                ModelKind::Sequential,
                "sequential (baseline): 0 lost",
                vec![(1.0, 0.0, None)],
            ),
            curve(
                ModelKind::Threads,
                "threads",
                vec![(1.0, 0.0, None), (4.0, 47.06, Some((20.0, 62.5)))],
            ),
        ];
        assert_eq!(
            chart_summary(ChartKind::LostUpdates, &series, "Ctrl+4"),
            "Lost updates chart, increments lost (% of all the workers were asked for) against 1–4 workers: sequential (baseline): 0 lost, threads 47% lost at 4. The Results table (Ctrl+4) counts the runs that lost updates."
        );
        // A point's hover: the median and the bar, what 100 % is, how many runs lost any.
        let lost = chart_model::LostShare {
            asked: 4000,
            median_pct: 0.0,
            min_pct: 0.0,
            max_pct: 25.0,
            max_lost: 1000,
            runs: 3,
            runs_losing: 1,
        };
        assert_eq!(
            lost_updates_line(&lost),
            "this cell lost updates in 1 of 3 runs (up to 1000 of the 4000 increments a run asked for, 25%), though the median run lost none"
        );
        let none = chart_model::LostShare {
            max_pct: 0.0,
            max_lost: 0,
            runs_losing: 0,
            ..lost
        };
        assert_eq!(
            lost_updates_line(&none),
            "this cell lost none of the 4000 increments a run asked for (3 runs)"
        );
        assert_eq!(value_text(ChartKind::LostUpdates, 0.0034), "0.0034%");
    }

    #[test]
    fn the_legend_goes_where_it_covers_no_data() {
        let legend = SHORT_LEGEND;
        // Rising curves: the top left is empty.
        assert_eq!(
            legend_placement(&RISING, ZERO_TO_8, ZERO_TO_8, legend),
            (Corner::LeftTop, None)
        );
        // Falling wall times: the top left is crowded, the top right is empty.
        let falling = [[1.0, 8.0], [1.2, 7.0], [2.0, 4.0], [4.0, 2.0], [8.0, 1.0]];
        assert_eq!(
            legend_placement(&falling, ZERO_TO_8, ZERO_TO_8, legend),
            (Corner::RightTop, None)
        );
        // Efficiency: every curve starts near 100% at the left, one falls to the bottom
        // right, one stays high to the right; only the bottom left is free.
        let efficiency = [
            [1.0, 100.0],
            [16.0, 85.0],
            [1.0, 100.0],
            [16.0, 6.0],
            [12.0, 8.0],
        ];
        assert_eq!(
            legend_placement(&efficiency, (0.0, 16.5), (0.0, 110.0), legend),
            (Corner::LeftBottom, None)
        );
        // Data in every corner: the axis grows so that the legend sits above all of it.
        let (corner, top) = legend_placement(&CORNERS, ZERO_TO_8, ZERO_TO_8, legend);
        assert_eq!(corner, Corner::LeftTop);
        let top = top.expect("a taller axis");
        // 7.5 is now below the box, which takes the top 23% of 0..top.
        assert!(7.5 < top * (1.0 - 0.23), "{top}");
        // A legend half the plot tall (compared runs) would squash the data: the axis stays,
        // and the legend takes the corner it covers least (the bottom right here).
        let crowded = [
            [0.5, 0.5],
            [0.5, 7.5],
            [0.6, 7.4],
            [7.5, 7.5],
            [7.4, 7.4],
            [7.5, 0.5],
        ];
        assert_eq!(
            legend_placement(&crowded, ZERO_TO_8, ZERO_TO_8, (0.25, 0.5)),
            (Corner::RightBottom, None)
        );
    }

    #[test]
    fn a_legend_that_would_cover_data_goes_outside_the_plot() {
        let legend = SHORT_LEGEND;
        // An empty corner: inside.
        assert!(legend_fits_inside(&RISING, ZERO_TO_8, ZERO_TO_8, legend));
        // Data in every corner, a short legend: inside, above the data (the axis grows).
        assert!(legend_fits_inside(&CORNERS, ZERO_TO_8, ZERO_TO_8, legend));
        // The same data, a legend half the plot tall (zoomed in, compared runs): every corner
        // would cover data, and growing the axis would squash it: outside.
        assert!(!legend_fits_inside(
            &CORNERS,
            ZERO_TO_8,
            ZERO_TO_8,
            (0.25, 0.5)
        ));
        // As tall, but a corner stays clear: inside, in that corner.
        let low = [[0.5, 0.5], [7.5, 0.5], [4.0, 1.0]];
        assert!(legend_fits_inside(&low, ZERO_TO_8, ZERO_TO_8, (0.25, 0.5)));
    }

    #[test]
    fn the_plot_keeps_its_least_height_and_then_the_area_scrolls() {
        // 42% of a short area, at most 200 points.
        assert!((ChartRoom::min_height_in(300.0) - 126.0).abs() < 1e-3);
        assert_eq!(ChartRoom::min_height_in(900.0), CHART_MIN_HEIGHT);
        let room = ChartRoom {
            compact: true,
            tight: false,
            top: 100.0,
            visible_height: 300.0,
            min_height: 126.0,
        };
        // Room left below the rows above: the plot fills it, nothing scrolls.
        assert_eq!(room.plot_height(200.0), (198.0, false));
        // Too little left: the least height, and the area scrolls; the same when scrolled
        // (the content's top moves with what is in it).
        assert_eq!(room.plot_height(300.0), (126.0, true));
        let scrolled = ChartRoom { top: 40.0, ..room };
        assert_eq!(scrolled.plot_height(240.0), (126.0, true));
    }

    #[test]
    fn a_legend_outside_the_plot_takes_fewer_rows_where_room_is_short() {
        let room = ChartRoom {
            compact: false,
            tight: false,
            top: 0.0,
            visible_height: 600.0,
            min_height: CHART_MIN_HEIGHT,
        };
        assert_eq!(
            room.legend_rows(SHORT_OF_HEIGHT_FOR_LEGEND),
            MAX_LEGEND_ROWS
        );
        assert_eq!(room.legend_rows(SHORT_OF_HEIGHT_FOR_LEGEND - 1.0), 1.0);
        // Tight, it shares its rows with the View menu, however much height is left.
        let tight = ChartRoom {
            tight: true,
            ..room
        };
        for left in [100.0, SHORT_OF_HEIGHT_FOR_LEGEND, 900.0] {
            assert_eq!(tight.legend_rows(left), TIGHT_LEGEND_ROWS);
        }
    }

    #[test]
    fn the_legend_keeps_off_the_lines_between_points_and_the_error_bars() {
        // From the bottom left to the top right: the line crosses the top left box's
        // corner region only between the points.
        let series = series(
            ModelKind::Threads,
            "threads",
            vec![(1.0, 1.0, Some((0.5, 7.9))), (8.0, 8.0, None)],
        );
        let id = |v: f64| v;
        let samples = legend_samples(&[series], &id, &id, 8.0);
        // The error bar reaches the top left; the line runs through the middle.
        assert!(samples.contains(&[1.0, 7.9]));
        assert!(
            samples
                .iter()
                .any(|p| (p[0] - 4.5).abs() < 0.1 && (p[1] - 4.5).abs() < 0.1)
        );
        let (corner, _) = legend_placement(&samples, ZERO_TO_8, ZERO_TO_8, SHORT_LEGEND);
        assert_eq!(corner, Corner::RightBottom);
    }
}
