//! Speedup, efficiency and wall-time charts as SVG or PNG, drawn with plotters.
//!
//! Text is laid out with the DejaVu Sans font shipped in `assets/fonts/` (registered with
//! plotters' `ab_glyph` support), so no system font is needed, on a server or in CI.

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use thiserror::Error;

use crate::analysis::{FitQuantity, ModelFit, fit_results};
use crate::preset::{self, ModelKind};
use crate::results::{CellStatus, ResultsFile};

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`).
pub static CHART_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font family name the charts use.
pub const CHART_FONT_FAMILY: &str = "sans-serif";

/// Which quantity is on the y axis.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ChartKind {
    /// Speedup over the baseline, with the ideal line y = x.
    #[default]
    Speedup,
    /// Speedup per worker, with the ideal line y = 1.
    Efficiency,
    /// Median wall time, seconds.
    WallTime,
}

impl ChartKind {
    pub const ALL: [ChartKind; 3] = [
        ChartKind::Speedup,
        ChartKind::Efficiency,
        ChartKind::WallTime,
    ];

    /// The name on the command line: `speedup`, `efficiency`, `time`.
    pub fn id(self) -> &'static str {
        match self {
            ChartKind::Speedup => "speedup",
            ChartKind::Efficiency => "efficiency",
            ChartKind::WallTime => "time",
        }
    }

    /// Parses [`ChartKind::id`] (also accepts `wall-time`).
    pub fn from_id(s: &str) -> Option<ChartKind> {
        match s {
            "speedup" => Some(ChartKind::Speedup),
            "efficiency" => Some(ChartKind::Efficiency),
            "time" | "wall-time" | "wall" => Some(ChartKind::WallTime),
            _ => None,
        }
    }

    /// The y-axis label, with its unit.
    pub fn y_label(self) -> &'static str {
        match self {
            ChartKind::Speedup => "speedup (× baseline)",
            ChartKind::Efficiency => "efficiency (speedup ÷ workers)",
            ChartKind::WallTime => "median wall time (s)",
        }
    }
}

impl std::fmt::Display for ChartKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// One results file on a chart, with the label that tells it apart when several are overlaid
/// (a file name or a machine name).
#[derive(Clone, Copy, Debug)]
pub struct ChartRun<'a> {
    pub label: &'a str,
    pub results: &'a ResultsFile,
}

/// How to draw a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    pub kind: ChartKind,
    /// Pixels (PNG) or SVG user units.
    pub width: u32,
    pub height: u32,
    /// Title above the chart; the experiment name when `None`.
    pub title: Option<String>,
    /// Draw fitted curves (USL on speedup and efficiency, Amdahl on wall time) dashed.
    pub show_fits: bool,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            kind: ChartKind::Speedup,
            width: 1100,
            height: 700,
            title: None,
            show_fits: true,
        }
    }
}

#[derive(Debug, Error)]
pub enum ChartError {
    #[error("nothing to draw: {0}")]
    Empty(String),
    #[error("chart size {0}×{1} is outside 200×150 to 8000×8000")]
    Size(u32, u32),
    #[error("the bundled chart font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Png(String),
}

/// Curve colours in the order of [`ModelKind::ALL`]: mostly Okabe–Ito colours, distinguishable
/// with the common colour-vision deficiencies (yellow darkened to ochre for contrast on white;
/// a purple for py-multiprocessing, whose sky blue was too close to threads' blue).
const PALETTE: [(u8, u8, u8); 10] = [
    (90, 90, 90),    // sequential
    (0, 114, 178),   // threads
    (0, 158, 115),   // rayon
    (213, 94, 0),    // processes
    (204, 121, 167), // gil-threads
    (230, 159, 0),   // py-threading
    (125, 80, 190),  // py-multiprocessing
    (150, 110, 0),   // py-free-threading
    (0, 150, 170),   // tokio
    (170, 40, 60),   // py-asyncio
];

/// The colour of a model's curve, shared by every chart (and by the GUI, to match): the
/// model's position in [`ModelKind::ALL`] picks it from a fixed colour-blind-safe palette, so
/// models added later get colours without touching this function.
pub fn model_colour(model: ModelKind) -> (u8, u8, u8) {
    let i = ModelKind::ALL.iter().position(|&m| m == model).unwrap_or(0);
    PALETTE[i % PALETTE.len()]
}

/// Registers the bundled font with plotters (once per process). Called by every render
/// function; the GUI need not call it.
pub fn register_chart_font() -> Result<(), ChartError> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(CHART_FONT_FAMILY, FontStyle::Normal, CHART_FONT).is_ok()
    });
    if ok { Ok(()) } else { Err(ChartError::Font) }
}

/// The label of a model's series: the model id alone for one run, `model @ label` when
/// several runs are overlaid.
pub fn series_label(model: ModelKind, run_label: &str, runs: usize) -> String {
    if runs > 1 {
        format!("{model} @ {run_label}")
    } else {
        model.to_string()
    }
}

/// Draws the chart as an SVG document.
pub fn render_svg(runs: &[ChartRun<'_>], options: &ChartOptions) -> Result<String, ChartError> {
    check(runs, options)?;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        draw(&root, runs, options)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Draws the chart as a PNG image (RGB, 8 bits per channel).
pub fn render_png(runs: &[ChartRun<'_>], options: &ChartOptions) -> Result<Vec<u8>, ChartError> {
    check(runs, options)?;
    let (w, h) = (options.width, options.height);
    let mut pixels = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        draw(&root, runs, options)?;
        root.present().map_err(draw_err)?;
    }
    let mut png = Vec::new();
    use image::ImageEncoder;
    image::codecs::png::PngEncoder::new(&mut png)
        .write_image(&pixels, w, h, image::ColorType::Rgb8)
        .map_err(|e| ChartError::Png(e.to_string()))?;
    Ok(png)
}

fn check(runs: &[ChartRun<'_>], options: &ChartOptions) -> Result<(), ChartError> {
    let (w, h) = (options.width, options.height);
    if !(200..=8000).contains(&w) || !(150..=8000).contains(&h) {
        return Err(ChartError::Size(w, h));
    }
    if runs.is_empty() {
        return Err(ChartError::Empty("no results file".into()));
    }
    register_chart_font()
}

fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// `(workers, value, optional (low, high))`.
type Point = (f64, f64, Option<(f64, f64)>);

/// One curve: a model of one run.
struct Series {
    label: String,
    colour: RGBColor,
    run: usize,
    /// `(workers, value, optional (low, high))`, by worker count.
    points: Vec<Point>,
    /// The sequential model: one value drawn as a horizontal reference across the chart.
    horizontal: bool,
    /// Fitted curve, drawn dashed.
    fit: Vec<(f64, f64)>,
}

fn shade(model: ModelKind, run: usize) -> RGBColor {
    let (r, g, b) = model_colour(model);
    // Later runs are lighter: mix with white.
    let t = (run as f64 * 0.38).min(0.7);
    let mix = |c: u8| (c as f64 + (255.0 - c as f64) * t).round() as u8;
    RGBColor(mix(r), mix(g), mix(b))
}

fn models_of(results: &ResultsFile) -> Vec<ModelKind> {
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

fn collect_series(runs: &[ChartRun<'_>], options: &ChartOptions, x_max: f64) -> Vec<Series> {
    let mut out = Vec::new();
    for (run, r) in runs.iter().enumerate() {
        let fits: Vec<ModelFit> = if options.show_fits {
            fit_results(r.results)
        } else {
            Vec::new()
        };
        for model in models_of(r.results) {
            let mut points: Vec<Point> = r
                .results
                .cells
                .iter()
                .filter(|c| c.model == Some(model) && c.status == CellStatus::Ok)
                .filter_map(|c| {
                    let n = c.workers as f64;
                    match options.kind {
                        ChartKind::Speedup => {
                            Some((n, c.speedup?, c.speedup_low.zip(c.speedup_high)))
                        }
                        ChartKind::Efficiency => Some((
                            n,
                            c.efficiency?,
                            c.speedup_low
                                .zip(c.speedup_high)
                                .map(|(l, h)| (l / n, h / n)),
                        )),
                        ChartKind::WallTime => {
                            let w = c.wall.as_ref()?;
                            Some((n, w.median, Some((w.min, w.max))))
                        }
                    }
                })
                .filter(|p| p.1.is_finite())
                .collect();
            if points.is_empty() {
                continue;
            }
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            let fit = fits
                .iter()
                .find(|f| f.model == model)
                .map(|f| fit_curve(f, options.kind, x_max))
                .unwrap_or_default();
            out.push(Series {
                label: series_label(model, r.label, runs.len()),
                colour: shade(model, run),
                run,
                horizontal: model.is_single_worker() && options.kind != ChartKind::Efficiency,
                points,
                fit,
            });
        }
    }
    out
}

/// The fitted curve of `fit` for a chart of `kind`, sampled at 201 points over the worker
/// range the fit was made on (never extrapolated; also cut at `x_max`): the USL speedup
/// (or speedup ÷ N for efficiency; a USL fitted to throughput is divided by N to give the
/// speedup), or Amdahl's time for wall time. Empty when that fit was refused or the range is
/// a single worker count. The GUI draws the same curves with this.
pub fn fit_curve(fit: &ModelFit, kind: ChartKind, x_max: f64) -> Vec<(f64, f64)> {
    let Some((lo, hi)) = fit.fitted_range() else {
        return Vec::new();
    };
    let (lo, hi) = (lo as f64, (hi as f64).min(x_max));
    if hi <= lo {
        return Vec::new();
    }
    let steps = 200;
    let xs = (0..=steps).map(|i| lo + (hi - lo) * i as f64 / steps as f64);
    let speedup = |n: f64| {
        fit.usl.as_ref().map(|u| match fit.quantity {
            FitQuantity::Speedup => u.speedup(n),
            FitQuantity::Throughput => u.speedup(n) / n,
        })
    };
    match kind {
        ChartKind::Speedup => xs.filter_map(|n| Some((n, speedup(n)?))).collect(),
        ChartKind::Efficiency => xs.filter_map(|n| Some((n, speedup(n)? / n))).collect(),
        ChartKind::WallTime => fit
            .amdahl
            .as_ref()
            .map(|a| xs.map(|n| (n, a.time(n))).collect())
            .unwrap_or_default(),
    }
}

/// Physical core count of each distinct machine, with the run label when they differ.
fn core_markers(runs: &[ChartRun<'_>]) -> Vec<(f64, String)> {
    let mut cores: Vec<(usize, &str)> = runs
        .iter()
        .map(|r| {
            let m = &r.results.machine;
            (m.physical_cores.unwrap_or(m.logical_cores), r.label)
        })
        .filter(|(c, _)| *c > 0)
        .collect();
    cores.sort_by_key(|c| c.0);
    let distinct = {
        let mut d: Vec<usize> = cores.iter().map(|c| c.0).collect();
        d.dedup();
        d
    };
    distinct
        .into_iter()
        .map(|n| {
            let owners: Vec<&str> = cores.iter().filter(|c| c.0 == n).map(|c| c.1).collect();
            let label = if owners.len() == runs.len() {
                format!("{n} physical cores")
            } else {
                format!("{n} physical cores ({})", owners.join(", "))
            };
            (n as f64, label)
        })
        .collect()
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[ChartRun<'_>],
    options: &ChartOptions,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let kind = options.kind;
    let font = CHART_FONT_FAMILY;
    let (w, h) = (options.width as f64, options.height as f64);
    let scale = (w.min(h * 1.5) / 1100.0).clamp(0.5, 3.0);
    let px = |v: f64| (v * scale).round().max(1.0) as u32;
    root.fill(&WHITE).map_err(draw_err)?;

    let first = runs[0].results;
    let title = options.title.clone().unwrap_or_else(|| {
        let names: Vec<&str> = {
            let mut v: Vec<&str> = runs
                .iter()
                .map(|r| r.results.experiment.name.as_str())
                .collect();
            v.dedup();
            v
        };
        names.join(" vs ")
    });
    let subtitle = if runs.len() == 1 {
        format!(
            "{} · {} · {} cells",
            first.machine.one_line(),
            first.started_at,
            first.cells.len()
        )
    } else {
        let parts: Vec<String> = runs
            .iter()
            .map(|r| format!("{}: {}", r.label, r.results.machine.cpu_brand))
            .collect();
        format!("comparing {}", parts.join(" · "))
    };

    let cores = core_markers(runs);
    let measured_max = runs
        .iter()
        .flat_map(|r| r.results.cells.iter().map(|c| c.workers))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    // Show a core marker just beyond the measured range, not one far away.
    let shown_cores: Vec<(f64, String)> = cores
        .into_iter()
        .filter(|(n, _)| *n <= (measured_max * 1.5).max(measured_max + 1.0))
        .collect();
    let x_max = shown_cores
        .iter()
        .map(|c| c.0)
        .fold(measured_max, f64::max)
        .max(2.0);

    let series = collect_series(runs, options, x_max);
    if series.is_empty() {
        return Err(ChartError::Empty(format!(
            "no cell has a {} value (did every cell fail?)",
            kind.id()
        )));
    }
    let data_high = series
        .iter()
        .flat_map(|s| {
            s.points
                .iter()
                .map(|p| p.2.map_or(p.1, |(_, h)| h.max(p.1)))
        })
        .fold(0.0f64, f64::max);
    let fit_high = series
        .iter()
        .flat_map(|s| s.fit.iter().map(|p| p.1))
        .filter(|v| v.is_finite())
        .fold(0.0f64, f64::max);
    let y_max = match kind {
        ChartKind::Speedup => data_high.max(fit_high).max(x_max),
        ChartKind::Efficiency => data_high.max(1.0),
        ChartKind::WallTime => data_high.max(fit_high.min(data_high * 1.5)),
    } * 1.08;
    let y_max = if y_max.is_finite() && y_max > 0.0 {
        y_max
    } else {
        1.0
    };

    let x_pad = (x_max * 0.04).max(0.25);
    let x_labels = (x_max.ceil() as usize + 1).min(13);
    let area = root
        .margin(px(8.0), 0, 0, 0)
        .titled(&title, (font, px(26.0) as f64))
        .map_err(draw_err)?;
    area.draw(&Text::new(
        subtitle,
        (px(70.0) as i32, 0),
        (font, px(14.0) as f64)
            .into_font()
            .color(&RGBColor(90, 90, 90)),
    ))
    .map_err(draw_err)?;

    let mut chart = ChartBuilder::on(&area)
        .margin_top(px(28.0))
        .margin_right(px(30.0))
        .margin_left(px(12.0))
        .margin_bottom(px(12.0))
        .x_label_area_size(px(56.0))
        .y_label_area_size(px(78.0))
        .build_cartesian_2d(0.0..x_max + x_pad, 0.0..y_max)
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .x_desc("workers (N)")
        .y_desc(kind.y_label())
        .axis_desc_style((font, px(18.0) as f64))
        .label_style((font, px(15.0) as f64))
        .x_labels(x_labels)
        .x_label_formatter(&|x| {
            if (x - x.round()).abs() < 1e-6 {
                format!("{x:.0}")
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| match kind {
            ChartKind::WallTime if y_max < 0.1 => format!("{y:.3}"),
            ChartKind::WallTime | ChartKind::Efficiency => format!("{y:.2}"),
            ChartKind::Speedup => format!("{y:.1}"),
        })
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .y_labels(10)
        .max_light_lines(2)
        .draw()
        .map_err(draw_err)?;

    let thin = px(1.0);
    let line_w = px(2.5);
    let marker = px(5.0) as i32;

    // Reference lines.
    let grey = RGBColor(150, 150, 150);
    match kind {
        ChartKind::Speedup => {
            chart
                .draw_series(LineSeries::new(
                    [(1.0, 1.0), (x_max, x_max)],
                    grey.stroke_width(px(1.5)),
                ))
                .map_err(draw_err)?
                .label("ideal (speedup = N)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], grey.stroke_width(px(1.5)))
                });
        }
        ChartKind::Efficiency => {
            chart
                .draw_series(LineSeries::new(
                    [(0.0, 1.0), (x_max + x_pad, 1.0)],
                    grey.stroke_width(px(1.5)),
                ))
                .map_err(draw_err)?
                .label("ideal (efficiency = 1)")
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 24, y)], grey.stroke_width(px(1.5)))
                });
        }
        ChartKind::WallTime => {
            if let (1, Some(t1)) = (runs.len(), first.baseline.median_s) {
                let ideal: Vec<(f64, f64)> = (0..=200)
                    .map(|i| 1.0 + (x_max - 1.0) * i as f64 / 200.0)
                    .map(|n| (n, t1 / n))
                    .collect();
                chart
                    .draw_series(LineSeries::new(ideal, grey.stroke_width(px(1.5))))
                    .map_err(draw_err)?
                    .label("ideal (sequential ÷ N)")
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 24, y)], grey.stroke_width(px(1.5)))
                    });
            }
        }
    }
    let core_colour = RGBColor(110, 110, 110);
    for (n, label) in &shown_cores {
        let style = core_colour.stroke_width(px(1.5));
        chart
            .draw_series(DashedLineSeries::new(
                [(*n, 0.0), (*n, y_max)],
                px(3.0),
                px(5.0),
                style,
            ))
            .map_err(draw_err)?
            .label(label.clone())
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(12, -8), (12, 8)], core_colour.stroke_width(px(2.0)))
            });
    }

    // Fitted curves, dashed, under the data.
    let mut any_fit = false;
    for s in series.iter().filter(|s| !s.horizontal && s.fit.len() > 1) {
        any_fit = true;
        let pts: Vec<(f64, f64)> = s
            .fit
            .iter()
            .copied()
            .filter(|p| p.1.is_finite() && p.1 <= y_max)
            .collect();
        chart
            .draw_series(DashedLineSeries::new(
                pts,
                px(8.0),
                px(6.0),
                s.colour.stroke_width(px(2.0)),
            ))
            .map_err(draw_err)?;
    }
    if any_fit {
        let fit_label = match kind {
            ChartKind::WallTime => "fitted Amdahl's law (dashed)",
            _ => "fitted USL (dashed)",
        };
        let c = RGBColor(60, 60, 60);
        chart
            .draw_series(std::iter::empty::<PathElement<(f64, f64)>>())
            .map_err(draw_err)?
            .label(fit_label)
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (8, 0)], c.stroke_width(px(2.0)))
                    + PathElement::new(vec![(14, 0), (22, 0)], c.stroke_width(px(2.0)))
            });
    }

    // Data: error bars, lines, markers.
    for s in &series {
        let colour = s.colour;
        let bar = colour.stroke_width(thin.max(px(1.5)));
        for &(x, _, range) in &s.points {
            if let Some((lo, hi)) = range.filter(|(l, h)| h > l) {
                let cap = marker;
                chart
                    .draw_series([PathElement::new(vec![(x, lo), (x, hi)], bar)])
                    .map_err(draw_err)?;
                chart
                    .draw_series([lo, hi].map(|y| {
                        EmptyElement::at((x, y)) + PathElement::new(vec![(-cap, 0), (cap, 0)], bar)
                    }))
                    .map_err(draw_err)?;
            }
        }
        let line: Vec<(f64, f64)> = if s.horizontal {
            let y = s.points[0].1;
            vec![(s.points[0].0, y), (x_max + x_pad, y)]
        } else {
            s.points.iter().map(|p| (p.0, p.1)).collect()
        };
        let style = if s.horizontal {
            colour.stroke_width(px(1.5))
        } else {
            colour.stroke_width(line_w)
        };
        let run = s.run;
        chart
            .draw_series(LineSeries::new(line, style))
            .map_err(draw_err)?
            .label(s.label.clone())
            .legend(move |(x, y)| {
                EmptyElement::at((x, y))
                    + PathElement::new(vec![(0, 0), (24, 0)], style)
                    + marker_shape(run, (12, 0), marker, colour)
            });
        chart
            .draw_series(
                s.points.iter().map(|p| {
                    EmptyElement::at((p.0, p.1)) + marker_shape(run, (0, 0), marker, colour)
                }),
            )
            .map_err(draw_err)?;
    }

    let position = match kind {
        ChartKind::Speedup => SeriesLabelPosition::UpperLeft,
        ChartKind::Efficiency => SeriesLabelPosition::LowerLeft,
        ChartKind::WallTime => SeriesLabelPosition::UpperRight,
    };
    chart
        .configure_series_labels()
        .position(position)
        .margin(px(12.0))
        .legend_area_size(px(34.0))
        .label_font((font, px(15.0) as f64))
        .background_style(WHITE.mix(0.88))
        .border_style(RGBColor(200, 200, 200))
        .draw()
        .map_err(draw_err)?;

    // Core marker captions at the top of their lines.
    for (n, _) in &shown_cores {
        chart
            .draw_series([EmptyElement::at((*n, y_max))
                + Text::new(
                    format!("{n:.0} cores"),
                    (4, 4),
                    (font, px(14.0) as f64).into_font().color(&core_colour),
                )])
            .map_err(draw_err)?;
    }
    Ok(())
}

/// Marker of run `run`: circle, triangle, square, diamond-ish cross, repeating.
fn marker_shape<DB: DrawingBackend>(
    run: usize,
    at: (i32, i32),
    size: i32,
    colour: RGBColor,
) -> DynElement<'static, DB, (i32, i32)> {
    let filled = colour.filled();
    let (x, y) = at;
    match run % 4 {
        0 => Circle::new(at, size, filled).into_dyn(),
        1 => TriangleMarker::new(at, size + 2, filled).into_dyn(),
        2 => Rectangle::new([(x - size, y - size), (x + size, y + size)], filled).into_dyn(),
        _ => Cross::new(at, size + 1, colour.stroke_width(3)).into_dyn(),
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
        assert_eq!(ChartKind::from_id("pie"), None);
    }

    #[test]
    fn known_models_keep_their_colours() {
        assert_eq!(model_colour(ModelKind::Threads), (0, 114, 178));
        assert_eq!(model_colour(ModelKind::Processes), (213, 94, 0));
    }

    #[test]
    fn every_model_has_its_own_colour() {
        let mut colours: Vec<_> = ModelKind::ALL.iter().map(|&m| model_colour(m)).collect();
        colours.sort_unstable();
        colours.dedup();
        assert_eq!(colours.len(), ModelKind::ALL.len());
    }

    #[test]
    fn labels_name_the_run_only_when_overlaid() {
        assert_eq!(series_label(ModelKind::Threads, "big", 1), "threads");
        assert_eq!(
            series_label(ModelKind::GilThreads, "big", 2),
            "gil-threads @ big"
        );
    }

    #[test]
    fn bundled_font_registers() {
        assert!(register_chart_font().is_ok());
    }
}
