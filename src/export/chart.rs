//! Speedup, efficiency and wall-time charts as SVG or PNG, drawn with plotters from the
//! shared chart model ([`super::chart_model`]).
//!
//! Text is laid out with the DejaVu Sans font shipped in `assets/fonts/` (registered with
//! plotters' `ab_glyph` support), so no system font is needed, on a server or in CI. PNG text
//! is drawn by [`super::glyphs::EvenText`], which spaces glyphs evenly.
//!
//! Layout: title and subtitle on top (a busy-machine mark below them when a run was measured
//! on a busy machine), the legend outside the plot area (to the right when it fits in 38 %
//! of the width, else below the plot), x ticks at the measured worker counts. Text sizes come
//! from [`ChartOptions::font_size`] and [`ChartOptions::scale`], never from the chart's width,
//! so a small chart keeps readable text; a size is the text's em in pixels, in the SVG's
//! `font-size`, the PNG's glyphs and the layout's measures alike ([`super::text_size`]).

use std::sync::OnceLock;

use plotters::coord::Shift;
use plotters::prelude::*;
use thiserror::Error;

use super::chart_frame::{ChartFrame, CoreLine, WorkerAxis};
use super::chart_model::{
    self, ChartKind, ChartRun, ChartSeries, Dash, Marker, Rgb, SeriesFilter, Theme,
};
use super::glyphs::{EvenText, text_width};
use super::text_size::{chart_font, with_exact_font_sizes};
use crate::preset::ModelKind;
use crate::results::ResultsFile;

/// DejaVu Sans (Bitstream Vera licence, see `assets/fonts/DejaVuSans-LICENSE.txt`).
pub static CHART_FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font family name the charts use.
pub const CHART_FONT_FAMILY: &str = "sans-serif";

/// Where the legend goes. It is never drawn over the plot area.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum LegendPlacement {
    /// Right of the plot when it takes at most 38 % of the width, else below it.
    #[default]
    Auto,
    Right,
    Below,
    Hidden,
}

impl LegendPlacement {
    pub const ALL: [LegendPlacement; 4] = [
        LegendPlacement::Auto,
        LegendPlacement::Right,
        LegendPlacement::Below,
        LegendPlacement::Hidden,
    ];
    pub fn name(self) -> &'static str {
        match self {
            LegendPlacement::Auto => "auto",
            LegendPlacement::Right => "right",
            LegendPlacement::Below => "below",
            LegendPlacement::Hidden => "hidden",
        }
    }
}

/// How to draw a chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartOptions {
    pub kind: ChartKind,
    /// Pixels at scale 1 (PNG) or SVG user units.
    pub width: u32,
    pub height: u32,
    /// PNG pixel density: 2 draws a 2× larger image with everything twice as big (for
    /// 192 dpi). SVG ignores it.
    pub scale: f64,
    /// Body text size in pixels at scale 1, its em (the SVG's `font-size`): tick labels and
    /// legend are 0.9× (9 px at least), the title 1.4×. 6 to 48; [`DEFAULT_FONT_SIZE`] by default.
    pub font_size: f64,
    /// Title above the chart; the experiment name when `None`.
    pub title: Option<String>,
    /// Draw fitted curves (USL on speedup and efficiency, Amdahl on wall time), thin and
    /// dashed, over the measured worker range only.
    pub show_fits: bool,
    pub theme: Theme,
    /// Logarithmic (base 2) worker axis.
    pub log_x: bool,
    /// Logarithmic y axis: log₁₀ on wall time, log₂ on speedup (with ticks 1×, 2×, 4×, …);
    /// ignored on the other charts (see [`super::chart_model::resolve_scales`]).
    pub log_y: bool,
    pub legend: LegendPlacement,
    /// Only these models (all when `None`).
    pub models: Option<Vec<ModelKind>>,
}

impl Default for ChartOptions {
    fn default() -> Self {
        ChartOptions {
            kind: ChartKind::Speedup,
            width: 1100,
            height: 700,
            scale: 1.0,
            font_size: DEFAULT_FONT_SIZE,
            title: None,
            show_fits: true,
            theme: Theme::Light,
            log_x: false,
            log_y: false,
            legend: LegendPlacement::Auto,
            models: None,
        }
    }
}

/// The default body text size in pixels (its em): ticks and legend 11.7 px, the title
/// 18.2 px. When sizes were plotters' own (an em of 1/1.24 of them in the SVG, 1/1.164 in the
/// PNG) the default of 15 drew the SVG's body text at 12.1 px and the PNG's at 12.9 px: 13
/// keeps the PNG as it was and the SVG's text grows by 7 %, where 12 would have shrunk the
/// PNG's ticks to 10.8 px.
pub const DEFAULT_FONT_SIZE: f64 = 13.0;

impl ChartOptions {
    /// The PNG's size in pixels: width × height × scale.
    pub fn pixel_size(&self) -> (u32, u32) {
        let s = self.scale_clamped();
        (
            (self.width as f64 * s).round() as u32,
            (self.height as f64 * s).round() as u32,
        )
    }
    fn scale_clamped(&self) -> f64 {
        if self.scale.is_finite() {
            self.scale.clamp(0.5, 4.0)
        } else {
            1.0
        }
    }
}

#[derive(Debug, Error)]
pub enum ChartError {
    #[error("nothing to draw: {0}")]
    Empty(String),
    #[error(
        "no {chart} chart for these results: {reason}; the charts they have: {}",
        available.join(", ")
    )]
    Unavailable {
        chart: String,
        reason: String,
        available: Vec<String>,
    },
    #[error("chart size {0}×{1} is outside 200×150 to 8000×8000")]
    Size(u32, u32),
    #[error("font size {0} is outside 6 to 48 px")]
    FontSize(f64),
    #[error("the bundled chart font could not be loaded")]
    Font,
    #[error("drawing the chart failed: {0}")]
    Draw(String),
    #[error("encoding the PNG failed: {0}")]
    Png(String),
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

/// Draws the chart as an SVG document, its `font-size`s the text sizes asked for.
pub fn render_svg(runs: &[ChartRun<'_>], options: &ChartOptions) -> Result<String, ChartError> {
    check(runs, options)?;
    let mut svg = String::new();
    {
        let root =
            SVGBackend::with_string(&mut svg, (options.width, options.height)).into_drawing_area();
        draw(&root, runs, options, 1.0)?;
        root.present().map_err(draw_err)?;
    }
    Ok(with_exact_font_sizes(&svg))
}

/// Draws the chart as a PNG image (RGB, 8 bits per channel) of [`ChartOptions::pixel_size`].
pub fn render_png(runs: &[ChartRun<'_>], options: &ChartOptions) -> Result<Vec<u8>, ChartError> {
    let (w, h) = options.pixel_size();
    let pixels = render_rgb(runs, options)?;
    super::png::encode_rgb(w, h, &pixels).map_err(ChartError::Png)
}

/// Draws the chart as raw RGB pixels of [`ChartOptions::pixel_size`] (the workbench's live
/// preview shows these).
///
/// plotters' bitmap backend draws without anti-aliasing, on whole pixels: a diagonal line
/// (the ideal line, a curve, a marker's edge) came out as a staircase, where the SVG is
/// smooth. So the chart is drawn [`supersampling`] times larger (everything scaled with it,
/// as for a 2× PNG) and each k × k block averaged into one pixel: edges get their coverage
/// in grey levels, and positions are rounded to 1/k pixel instead of a whole one.
pub fn render_rgb(runs: &[ChartRun<'_>], options: &ChartOptions) -> Result<Vec<u8>, ChartError> {
    check(runs, options)?;
    let (w, h) = options.pixel_size();
    let k = supersampling(w, h);
    let (bw, bh) = (w * k, h * k);
    let mut big = vec![0u8; bw as usize * bh as usize * 3];
    {
        let root = EvenText(BitMapBackend::with_buffer(&mut big, (bw, bh))).into_drawing_area();
        draw(&root, runs, options, options.scale_clamped() * f64::from(k))?;
        root.present().map_err(draw_err)?;
    }
    Ok(downsample(&big, w as usize, h as usize, k as usize))
}

/// How many times larger a `w` × `h` PNG is drawn before it is averaged down: 3 (9 samples
/// a pixel) up to 2.5 million pixels (a 1100×700 chart at scale 2), 2 up to 10 million, and
/// 1 (none) beyond, where the drawing would take too much memory and the pixels are small
/// enough anyway.
pub fn supersampling(w: u32, h: u32) -> u32 {
    match u64::from(w) * u64::from(h) {
        0..=2_500_000 => 3,
        2_500_001..=10_000_000 => 2,
        _ => 1,
    }
}

/// `rgb`, drawn `k` times larger than `w` × `h`, averaged over each k × k block.
fn downsample(rgb: &[u8], w: usize, h: usize, k: usize) -> Vec<u8> {
    if k <= 1 {
        return rgb.to_vec();
    }
    let big_w = w * k;
    let n = (k * k) as u32;
    let mut out = vec![0u8; w * h * 3];
    let mut sums = vec![0u32; w * 3];
    for y in 0..h {
        sums.iter_mut().for_each(|s| *s = 0);
        for row in rgb.chunks_exact(big_w * 3).skip(y * k).take(k) {
            for (x, px) in row.chunks_exact(3).enumerate() {
                let o = (x / k) * 3;
                sums[o] += u32::from(px[0]);
                sums[o + 1] += u32::from(px[1]);
                sums[o + 2] += u32::from(px[2]);
            }
        }
        for (o, s) in out[y * w * 3..(y + 1) * w * 3].iter_mut().zip(&sums) {
            *o = ((s + n / 2) / n) as u8;
        }
    }
    out
}

fn check(runs: &[ChartRun<'_>], options: &ChartOptions) -> Result<(), ChartError> {
    let (w, h) = (options.width, options.height);
    let (pw, ph) = options.pixel_size();
    if !(200..=8000).contains(&w) || !(150..=8000).contains(&h) || pw > 8000 || ph > 8000 {
        return Err(ChartError::Size(w, h));
    }
    if !(6.0..=48.0).contains(&options.font_size) {
        return Err(ChartError::FontSize(options.font_size));
    }
    if runs.is_empty() {
        return Err(ChartError::Empty("no results file".into()));
    }
    check_available(options.kind, runs.iter().map(|r| r.results))?;
    register_chart_font()
}

/// Refuses a chart `runs` cannot draw ([`ChartKind::unavailable_reason`]: lost updates of a
/// task without a counter), naming the charts they can.
pub fn check_available<'a>(
    kind: ChartKind,
    runs: impl IntoIterator<Item = &'a ResultsFile> + Clone,
) -> Result<(), ChartError> {
    match kind.unavailable_reason(runs.clone()) {
        None => Ok(()),
        Some(reason) => Err(ChartError::Unavailable {
            chart: kind.id().to_string(),
            reason,
            available: ChartKind::available(runs)
                .iter()
                .map(|k| k.id().to_string())
                .collect(),
        }),
    }
}

fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn rgb(c: Rgb) -> RGBColor {
    RGBColor(c.0, c.1, c.2)
}

/// What a legend entry's swatch shows.
#[derive(Clone, Debug)]
enum Swatch {
    /// A line (with a dash pattern) and a marker.
    Series {
        colour: Rgb,
        dash: Dash,
        marker: Option<(Marker, bool)>,
    },
    /// A thin grey reference line.
    Ideal,
    /// The physical-core marker: a short vertical dotted line.
    Cores,
    /// The fitted curves: thin, dashed.
    Fit,
    /// A partial cell: a hollow circle in a ring.
    Partial,
}

/// One legend line.
#[derive(Clone, Debug)]
struct LegendEntry {
    label: String,
    swatch: Swatch,
}

/// The legend's entries for these series: reference lines first, then every series.
fn legend_entries(
    kind: ChartKind,
    series: &[ChartSeries],
    cores: &[CoreLine],
    ideal: bool,
    theme: Theme,
) -> Vec<LegendEntry> {
    let mut out = Vec::new();
    if ideal {
        out.push(LegendEntry {
            label: kind.ideal_label().to_string(),
            swatch: Swatch::Ideal,
        });
    }
    for core in cores {
        out.push(LegendEntry {
            label: core.label.clone(),
            swatch: Swatch::Cores,
        });
    }
    if let Some(law) = kind.fit_law()
        && series.iter().any(|s| !s.horizontal && s.fit.len() > 1)
    {
        out.push(LegendEntry {
            label: format!("fitted {} (thin dashes)", law.name()),
            swatch: Swatch::Fit,
        });
    }
    if series.iter().any(|s| !s.partial.is_empty()) {
        out.push(LegendEntry {
            label: chart_model::PARTIAL_LEGEND.to_string(),
            swatch: Swatch::Partial,
        });
    }
    for s in series {
        let style = chart_model::series_style(s.model, s.run, theme);
        out.push(LegendEntry {
            label: s.label.clone(),
            swatch: Swatch::Series {
                colour: style.colour,
                dash: style.dash,
                marker: Some((style.marker, style.filled)),
            },
        });
    }
    out
}

/// Splits `text` at " · " into lines no wider than `max_w` at `size` (at most `max_lines`;
/// the last one cut with "…").
fn wrap(text: &str, size: f64, max_w: f64, max_lines: usize) -> Vec<String> {
    // Text from files: control characters shown as escapes (raw, they made the SVG invalid
    // XML and reached a terminal that printed it).
    let text = super::sanitize::for_terminal_line(text);
    let text = text.as_ref();
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    for part in text.split(" · ") {
        let candidate = if current.is_empty() {
            part.to_string()
        } else {
            format!("{current} · {part}")
        };
        if current.is_empty() || text_width(&candidate, size) <= max_w {
            current = candidate;
        } else {
            lines.push(std::mem::take(&mut current));
            current = part.to_string();
            if lines.len() > max_lines {
                // Dropped below anyway: the rest of a long text is not measured.
                break;
            }
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    if lines.len() > max_lines {
        lines.truncate(max_lines);
    }
    lines
        .into_iter()
        .map(|l| ellipsize(&l, size, max_w))
        .collect()
}

/// `text`, cut with "…" to fit `max_w`.
fn ellipsize(text: &str, size: f64, max_w: f64) -> String {
    let text = super::sanitize::for_terminal_line(text);
    let text = text.as_ref();
    // No glyph is narrower than a tenth of the font size, so no more characters than this can
    // fit; a name of megabytes from a results file is cut to them before anything is measured.
    let fit_at_most = (max_w / (size * 0.1)).max(0.0) as usize + 1;
    let chars: Vec<char> = text.chars().take(fit_at_most + 1).collect();
    if chars.len() <= fit_at_most && text_width(text, size) <= max_w {
        return text.to_string();
    }
    let chars = &chars[..chars.len().min(fit_at_most)];
    let with_dots = |k: usize| chars[..k].iter().collect::<String>() + "…";
    // The longest prefix that fits with "…", by bisection (widths grow with the prefix).
    let (mut fits, mut too_long) = (0, chars.len());
    if text_width(&with_dots(0), size) > max_w {
        return String::new();
    }
    while too_long - fits > 1 {
        let mid = (fits + too_long) / 2;
        match text_width(&with_dots(mid), size) <= max_w {
            true => fits = mid,
            false => too_long = mid,
        }
    }
    with_dots(fits)
}

/// The chart's layout sizes in pixels, derived from the font size and scale only.
struct Metrics {
    /// Text ems: axis descriptions, ticks and legend (and the header's small lines), title.
    body: f64,
    small: f64,
    title: f64,
    line_w: f64,
    marker: f64,
    px: f64,
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    runs: &[ChartRun<'_>],
    options: &ChartOptions,
    scale: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let kind = options.kind;
    let y_label = kind.y_label_for(runs.iter().map(|r| r.results));
    let theme = options.theme;
    let (w, h) = root.dim_in_pixel();
    let w = w as f64;
    let _ = h;
    let m = Metrics {
        body: options.font_size * scale,
        small: (options.font_size * 0.9).max(9.0) * scale,
        title: options.font_size * 1.4 * scale,
        line_w: 2.0 * scale,
        marker: (options.font_size * 0.32).max(3.5) * scale,
        px: scale,
    };
    let pxi = |v: f64| (v * m.px).round().max(1.0) as u32;
    let fg = rgb(theme.foreground());
    let muted = rgb(theme.muted());
    root.fill(&rgb(theme.background())).map_err(draw_err)?;

    let first = runs[0].results;
    // A log y axis where the chart has one: log₂ for speedup, log₁₀ for wall time.
    let log_base = options.log_y.then(|| kind.log_y_base()).flatten();
    let log_y = log_base.is_some();
    let log2_y = log_base == Some(2.0);
    let log = move |v: f64| if log2_y { v.log2() } else { v.log10() };

    // Title, subtitle and the busy mark.
    let title = options.title.clone().unwrap_or_else(|| {
        let mut v: Vec<&str> = runs
            .iter()
            .map(|r| r.results.experiment.name.as_str())
            .collect();
        v.dedup();
        v.join(" vs ")
    });
    let subtitle = if runs.len() == 1 {
        // Which build measured, where it was recorded (files from before say nothing).
        let build = first.provenance.commit.as_ref().map_or(String::new(), |c| {
            let modified = match first.provenance.tree_modified {
                Some(true) => " (modified)",
                _ => "",
            };
            format!(" · corelab {} {c}{modified}", first.corelab_version)
        });
        format!(
            "{} · {} · {} cells{build}",
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
    let busy: Vec<String> = runs
        .iter()
        .filter_map(|r| {
            chart_model::busy_mark(r.results).map(|b| {
                if runs.len() > 1 {
                    format!("{}: {b}", r.label)
                } else {
                    b
                }
            })
        })
        .collect();
    let side = 10.0 * m.px;
    let text_w = w - 2.0 * side;
    let mut y = 6.0 * m.px;
    let title = ellipsize(&title, m.title, text_w);
    root.draw(&Text::new(
        title,
        (side as i32, y as i32),
        chart_font(m.title).color(&fg),
    ))
    .map_err(draw_err)?;
    y += m.title * 1.25;
    // The header's small lines: wrapped to two lines at most, each below the last.
    let mut lines = |text: &str, colour: &RGBColor| -> Result<(), ChartError> {
        for line in wrap(text, m.small, text_w, 2) {
            root.draw(&Text::new(
                line,
                (side as i32, y as i32),
                chart_font(m.small).color(colour),
            ))
            .map_err(draw_err)?;
            y += m.small * 1.3;
        }
        Ok(())
    };
    let warning = rgb(theme.warning());
    lines(&subtitle, &muted)?;
    if !busy.is_empty() {
        let text = format!(
            "Measured on a busy machine ({}): {}",
            busy.join("; "),
            if kind == ChartKind::LostUpdates {
                "other programs change how often the workers interleave"
            } else {
                "timings noisy, speedups unreliable"
            }
        );
        lines(&text, &warning)?;
    }
    let compared: Vec<(&str, &ResultsFile)> = runs.iter().map(|r| (r.label, r.results)).collect();
    let differences = crate::results::comparison_differences(&compared);
    // A calibrated size alone leaves the runs like for like: the report says what it means.
    let differences: Vec<_> = differences.iter().filter(|d| !d.like_for_like()).collect();
    if !differences.is_empty() {
        let aspects: Vec<&str> = differences.iter().map(|d| d.aspect).collect();
        let text = format!(
            "The compared runs differ in {}: not like for like (the report lists each run's)",
            aspects.join(", ")
        );
        lines(&text, &warning)?;
    }
    let partial: Vec<String> = runs
        .iter()
        .filter_map(|r| {
            chart_model::partial_mark(r.results).map(|p| match runs.len() > 1 {
                true => format!("{}: {p}", r.label),
                false => p,
            })
        })
        .collect();
    if !partial.is_empty() {
        let text = format!(
            "Interrupted sweep ({}): their points, hollow in a ring, rest on those few runs",
            partial.join("; ")
        );
        lines(&text, &warning)?;
    }
    if kind == ChartKind::LostUpdates {
        let note = chart_model::lost_updates_note(runs.iter().map(|r| r.results));
        lines(&note, &muted)?;
    }
    let header = y + 4.0 * m.px;

    // The frame (axes, core lines, ideal line): the workbench draws the same.
    let (frame, series) = framed(runs, options);
    if series.is_empty() {
        return Err(ChartError::Empty(nothing_to_draw(kind, runs)));
    }
    let shown_cores = &frame.workers.core_lines;

    let ideal = frame.ideal.is_some();
    let entries = legend_entries(kind, &series, shown_cores, ideal, theme);

    // The legend: right of the plot or below it, never on it.
    let swatch_w = 2.2 * m.body;
    let row_h = m.small * 1.45;
    let label_w = entries
        .iter()
        .map(|e| text_width(&e.label, m.small))
        .fold(0.0, f64::max);
    let entry_w = swatch_w + 0.3 * m.body + label_w + 0.6 * m.body;
    let placement = match options.legend {
        LegendPlacement::Auto if entry_w <= 0.38 * w => LegendPlacement::Right,
        LegendPlacement::Auto => LegendPlacement::Below,
        p => p,
    };
    let body = root.margin(header as u32, 0, 0, 0);
    let (plot_area, legend_area) = match placement {
        LegendPlacement::Right => {
            let lw = entry_w.min(0.45 * w);
            let (a, b) = body.split_horizontally((w - lw) as u32);
            (a, Some((b, 1usize, lw)))
        }
        LegendPlacement::Below => {
            let avail = w - 2.0 * side;
            let n = entries.len().max(1);
            let mut cols = ((avail / entry_w).floor() as usize).clamp(1, n);
            let (_, bh) = body.dim_in_pixel();
            // The legend takes at most half the height below the header: where its rows
            // would not fit (many compared series on a small chart), more columns, their
            // labels cut with "…", rather than rows drawn over each other or off the image.
            // (The rows start `LEGEND_TOP` down and end a little above the image's edge.)
            let pad = (LEGEND_TOP + 4.0) * m.px;
            let rows_fit = (((bh as f64 * 0.5 - pad) / row_h).floor() as usize).max(1);
            if n.div_ceil(cols) > rows_fit {
                cols = n.div_ceil(rows_fit).min(n);
            }
            let rows = n.div_ceil(cols);
            let lh = rows as f64 * row_h + pad;
            let (a, b) = body.split_vertically((bh as f64 - lh).max(bh as f64 * 0.5) as u32);
            (a, Some((b, cols, avail / cols as f64)))
        }
        _ => (body, None),
    };

    // Axes in drawn coordinates: log2 workers and log10 time when asked.
    let tx = |x: f64| if options.log_x { x.max(0.5).log2() } else { x };
    let ty = |v: f64| {
        if log_y {
            log(v.max(f64::MIN_POSITIVE))
        } else {
            v
        }
    };
    let (x_lo, x_hi) = frame.workers.drawn_range();
    let (y_min, y_max) = frame.values.range;
    let (y_lo, y_hi) = (ty(y_min), ty(y_max));

    let (pa_w, pa_h) = plot_area.dim_in_pixel();
    let y_label_area = (text_width("0.000", m.small) + 2.2 * m.body).round() as u32;
    let x_label_area = (2.9 * m.body).round() as u32;
    let plot_w = (pa_w as f64 - y_label_area as f64 - 22.0 * m.px).max(50.0);
    let plot_h = (pa_h as f64 - x_label_area as f64 - 12.0 * m.px).max(50.0);

    // x ticks at the measured worker counts (and the core count), thinned where crowded.
    let ticks = &frame.workers.ticks;
    let to_px = |x: f64| (tx(x) - x_lo) / (x_hi - x_lo) * plot_w;
    let widest = ticks.last().map_or(2, |t| t.to_string().len()) as f64;
    let ticks = chart_model::thin_ticks(
        ticks,
        to_px,
        text_width("0", m.small) * widest + 0.5 * m.body,
    );
    let x_keys: Vec<f64> = ticks.iter().map(|&t| tx(t as f64)).collect();
    let y_values: Vec<f64> = if log2_y {
        // 1×, 2×, 4×, …: at least 1.6 lines of text apart.
        let max = ((plot_h / (1.6 * m.body)) as usize).max(2);
        chart_model::log2_ticks(y_min, y_max, max)
    } else if log_y {
        // Thinned where they would crowd (a small chart): 1.6 lines of text apart at least.
        let max = ((plot_h / (1.6 * m.body)) as usize).max(2);
        chart_model::thin_log_ticks(chart_model::log_ticks(y_min, y_max), max)
    } else {
        chart_model::linear_ticks(
            0.0,
            y_max,
            ((plot_h / (2.4 * m.body)) as usize).clamp(3, 10),
        )
    };
    let y_step = if y_values.len() > 1 {
        y_values[1] - y_values[0]
    } else {
        1.0
    };
    let y_keys: Vec<f64> = y_values.iter().map(|&v| ty(v)).collect();

    let mut chart = ChartBuilder::on(&plot_area)
        .margin_top(pxi(10.0))
        .margin_right(pxi(12.0))
        .margin_left(pxi(4.0))
        .margin_bottom(pxi(6.0))
        .x_label_area_size(x_label_area)
        .y_label_area_size(y_label_area)
        .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
        .map_err(draw_err)?;
    let log_x = options.log_x;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_labels(0)
        .y_labels(0)
        .x_desc(if log_x {
            "workers (N, log₂ scale)"
        } else {
            "workers (N)"
        })
        .y_desc(ellipsize(
            &if log2_y {
                format!("{} (log₂ scale)", y_label)
            } else if log_y {
                format!("{} (log scale)", y_label)
            } else {
                y_label.to_string()
            },
            m.body,
            plot_h,
        ))
        .axis_desc_style(chart_font(m.body).color(&fg))
        .axis_style(muted.stroke_width(pxi(1.0)))
        .draw()
        .map_err(draw_err)?;
    // Grid lines and tick labels at the chosen ticks (plotters would pick round numbers).
    let grid = rgb(theme.grid()).stroke_width(pxi(1.0));
    for &x in &x_keys {
        chart
            .draw_series(LineSeries::new([(x, y_lo), (x, y_hi)], grid))
            .map_err(draw_err)?;
    }
    for &y in &y_keys {
        chart
            .draw_series(LineSeries::new([(x_lo, y), (x_hi, y)], grid))
            .map_err(draw_err)?;
    }
    let (bx, by) = plot_area.get_base_pixel();
    let tick_font = chart_font(m.small).color(&fg);
    let tick_len = (4.0 * m.px).round() as i32;
    for (&x, &t) in x_keys.iter().zip(&ticks) {
        let (px_x, px_y) = chart.backend_coord(&(x, y_lo));
        let (px_x, px_y) = (px_x - bx, px_y - by);
        plot_area
            .draw(&PathElement::new(
                vec![(px_x, px_y), (px_x, px_y + tick_len)],
                muted.stroke_width(pxi(1.0)),
            ))
            .map_err(draw_err)?;
        plot_area
            .draw(&Text::new(
                t.to_string(),
                (px_x, px_y + tick_len + (2.0 * m.px) as i32),
                tick_font
                    .clone()
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Center,
                        plotters::style::text_anchor::VPos::Top,
                    )),
            ))
            .map_err(draw_err)?;
    }
    for (&y, &v) in y_keys.iter().zip(&y_values) {
        let (px_x, px_y) = chart.backend_coord(&(x_lo, y));
        let (px_x, px_y) = (px_x - bx, px_y - by);
        let text = if log2_y {
            chart_model::speedup_tick_text(v)
        } else if log_y {
            chart_model::tick_text(v, v / 2.0)
        } else {
            chart_model::tick_text(v, y_step)
        };
        plot_area
            .draw(&PathElement::new(
                vec![(px_x - tick_len, px_y), (px_x, px_y)],
                muted.stroke_width(pxi(1.0)),
            ))
            .map_err(draw_err)?;
        plot_area
            .draw(&Text::new(
                text,
                (px_x - tick_len - (3.0 * m.px) as i32, px_y),
                tick_font
                    .clone()
                    .pos(plotters::style::text_anchor::Pos::new(
                        plotters::style::text_anchor::HPos::Right,
                        plotters::style::text_anchor::VPos::Center,
                    )),
            ))
            .map_err(draw_err)?;
    }

    let grey = muted;
    let ideal_style = grey.stroke_width(pxi(2.0));
    if ideal {
        let pts: Vec<(f64, f64)> = match kind {
            // A straight line (both axes linear, or both log₂) is drawn from its two ends, one
            // segment; on a log₂ worker axis against a linear speedup y = N is a curve.
            ChartKind::Speedup if options.log_x == log_y => frame.ideal_points(1),
            _ => frame.ideal_points(200),
        };
        let pts: Vec<(f64, f64)> = pts.into_iter().map(|(n, v)| (tx(n), ty(v))).collect();
        chart
            .draw_series(LineSeries::new(pts, ideal_style))
            .map_err(draw_err)?;
    }
    let core_colour = rgb(chart_model::core_marker_colour(theme));
    for core in shown_cores {
        let n = &(core.cores as f64);
        chart
            .draw_series(DashedLineSeries::new(
                [(tx(*n), y_lo), (tx(*n), y_hi)],
                pxi(2.0),
                pxi(4.0),
                core_colour.stroke_width(pxi(1.5)),
            ))
            .map_err(draw_err)?;
        // Right of its line, or left of it near the plot's right edge (where the text would
        // run out of the plot into the legend).
        let text = core.tag();
        let style = chart_font(m.small).color(&core_colour);
        let near_right = (tx(*n) - x_lo) / (x_hi - x_lo) > 0.85;
        let dx = if near_right {
            -(pxi(4.0) as i32) - text_width(&text, m.small) as i32
        } else {
            pxi(4.0) as i32
        };
        chart
            .draw_series([
                EmptyElement::at((tx(*n), y_hi)) + Text::new(text, (dx, pxi(3.0) as i32), style)
            ])
            .map_err(draw_err)?;
    }

    // Fitted curves: thin dashes in the series' colour, under the data.
    for s in series.iter().filter(|s| !s.horizontal && s.fit.len() > 1) {
        let colour = rgb(chart_model::series_style(s.model, s.run, theme).colour);
        let pts: Vec<(f64, f64)> = s
            .fit
            .iter()
            .filter(|p| p.1.is_finite() && p.1 > 0.0 || !log_y && p.1.is_finite())
            .filter(|p| frame.shows_value(p.1))
            .map(|p| (tx(p.0), ty(p.1)))
            .collect();
        chart
            .draw_series(DashedLineSeries::new(
                pts,
                pxi(5.0),
                pxi(4.0),
                colour.mix(0.8).stroke_width(pxi(1.2)),
            ))
            .map_err(draw_err)?;
    }

    // Data: error bars, lines in the run's dash pattern, markers in the model's shape.
    let barred = chart_model::barred_series(&series);
    for (index, s) in series.iter().enumerate() {
        let style = chart_model::series_style(s.model, s.run, theme);
        let colour = rgb(style.colour);
        let bar = colour.stroke_width(pxi(1.2));
        let cap = m.marker as i32;
        let dx = chart_model::bar_offset(&barred, index) * (x_hi - x_lo);
        for &(x, _, range) in &s.points {
            if let Some((lo, hi)) = range {
                let (lo, hi) = (ty(lo).max(y_lo), ty(hi).min(y_hi));
                let x = tx(x) + dx;
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
            let v = ty(s.points[0].1);
            vec![(tx(s.points[0].0), v), (x_hi, v)]
        } else {
            s.points.iter().map(|p| (tx(p.0), ty(p.1))).collect()
        };
        let width = if s.horizontal {
            m.line_w * 0.75
        } else {
            m.line_w
        };
        let line_style = colour.stroke_width(width.round().max(1.0) as u32);
        match style.dash.pattern() {
            None => {
                chart
                    .draw_series(LineSeries::new(line, line_style))
                    .map_err(draw_err)?;
            }
            Some((on, off)) => {
                chart
                    .draw_series(DashedLineSeries::new(line, pxi(on), pxi(off), line_style))
                    .map_err(draw_err)?;
            }
        }
        let bg = rgb(theme.background());
        for p in &s.points {
            let at = chart.backend_coord(&(tx(p.0), ty(p.1)));
            let area = chart.plotting_area().strip_coord_spec();
            let marker = chart_model::point_marker(&style, s.is_partial_at(p.0));
            draw_marker(
                area.deref_area(),
                at,
                style.marker,
                marker.filled,
                m.marker,
                colour,
                bg,
                m.px,
            )?;
            if marker.ringed {
                draw_ring(area.deref_area(), at, m.marker, colour, m.px)?;
            }
        }
    }

    if let Some((area, cols, col_w)) = legend_area {
        draw_legend(&area, &entries, cols, col_w, row_h, swatch_w, &m, theme)?;
    }
    Ok(())
}

/// Lets the marker drawing take the plot's whole drawing area in pixel coordinates.
trait DerefArea<'a, DB: DrawingBackend> {
    fn deref_area(&'a self) -> &'a DrawingArea<DB, Shift>;
}
impl<'a, DB: DrawingBackend> DerefArea<'a, DB> for DrawingArea<DB, Shift> {
    fn deref_area(&'a self) -> &'a DrawingArea<DB, Shift> {
        self
    }
}

/// Draws a marker centred at pixel `at` of `area`'s parent coordinates.
#[allow(clippy::too_many_arguments)]
fn draw_marker<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    marker: Marker,
    filled: bool,
    size: f64,
    colour: RGBColor,
    background: RGBColor,
    px: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    // `at` is in backend coordinates; the area's own origin is subtracted.
    let (ox, oy) = area.get_base_pixel();
    let (x, y) = (at.0 - ox, at.1 - oy);
    let r = size;
    let ri = r.round() as i32;
    let stroke = colour.stroke_width((1.6 * px).round().max(1.0) as u32);
    let polygon = |pts: Vec<(f64, f64)>| -> Vec<(i32, i32)> {
        pts.into_iter()
            .map(|(dx, dy)| (x + (dx * r).round() as i32, y + (dy * r).round() as i32))
            .collect()
    };
    let outline = |pts: Vec<(i32, i32)>| -> Result<(), ChartError> {
        if filled {
            area.draw(&Polygon::new(pts.clone(), colour.filled()))
                .map_err(draw_err)?;
        } else {
            area.draw(&Polygon::new(pts.clone(), background.filled()))
                .map_err(draw_err)?;
        }
        let mut closed = pts;
        if let Some(&first) = closed.first() {
            closed.push(first);
        }
        area.draw(&PathElement::new(closed, stroke))
            .map_err(draw_err)
    };
    match marker {
        Marker::Circle => {
            if filled {
                area.draw(&Circle::new((x, y), ri, colour.filled()))
                    .map_err(draw_err)?;
            } else {
                area.draw(&Circle::new((x, y), ri, background.filled()))
                    .map_err(draw_err)?;
                area.draw(&Circle::new((x, y), ri, stroke))
                    .map_err(draw_err)?;
            }
        }
        Marker::Square => outline(polygon(vec![
            (-0.85, -0.85),
            (0.85, -0.85),
            (0.85, 0.85),
            (-0.85, 0.85),
        ]))?,
        Marker::Diamond => outline(polygon(vec![
            (0.0, -1.25),
            (1.25, 0.0),
            (0.0, 1.25),
            (-1.25, 0.0),
        ]))?,
        Marker::TriangleUp => outline(polygon(vec![(0.0, -1.25), (1.15, 0.85), (-1.15, 0.85)]))?,
        Marker::TriangleDown => outline(polygon(vec![(0.0, 1.25), (1.15, -0.85), (-1.15, -0.85)]))?,
        Marker::Cross | Marker::Plus | Marker::Asterisk => {
            let thick = colour.stroke_width(((if filled { 2.6 } else { 1.6 }) * px).round() as u32);
            let d = (r * 0.95).round() as i32;
            let rr = (r * 1.2).round() as i32;
            let mut lines: Vec<[(i32, i32); 2]> = Vec::new();
            if matches!(marker, Marker::Cross | Marker::Asterisk) {
                lines.push([(x - d, y - d), (x + d, y + d)]);
                lines.push([(x - d, y + d), (x + d, y - d)]);
            }
            if matches!(marker, Marker::Plus | Marker::Asterisk) {
                lines.push([(x - rr, y), (x + rr, y)]);
                lines.push([(x, y - rr), (x, y + rr)]);
            }
            for l in lines {
                area.draw(&PathElement::new(l.to_vec(), thick))
                    .map_err(draw_err)?;
            }
        }
    }
    Ok(())
}

/// Draws the ring of a partial cell around the marker centred at pixel `at` of `area`'s
/// parent coordinates.
fn draw_ring<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: (i32, i32),
    size: f64,
    colour: RGBColor,
    px: f64,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let (ox, oy) = area.get_base_pixel();
    let r = chart_model::partial_ring_radius(size).round() as i32;
    let stroke = colour.stroke_width((1.2 * px).round().max(1.0) as u32);
    area.draw(&Circle::new((at.0 - ox, at.1 - oy), r, stroke))
        .map_err(draw_err)
}

/// Draws a dashed line from `a` to `b` (pixels) with `(on, off)` lengths.
fn dashed_segment<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    a: (f64, f64),
    b: (f64, f64),
    pattern: Option<(f64, f64)>,
    style: ShapeStyle,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let p = |x: f64, y: f64| (x.round() as i32, y.round() as i32);
    let Some((on, off)) = pattern else {
        return area
            .draw(&PathElement::new(vec![p(a.0, a.1), p(b.0, b.1)], style))
            .map_err(draw_err);
    };
    let len = ((b.0 - a.0).powi(2) + (b.1 - a.1).powi(2)).sqrt();
    let (ux, uy) = ((b.0 - a.0) / len, (b.1 - a.1) / len);
    let mut t = 0.0;
    while t < len {
        let e = (t + on).min(len);
        area.draw(&PathElement::new(
            vec![p(a.0 + ux * t, a.1 + uy * t), p(a.0 + ux * e, a.1 + uy * e)],
            style,
        ))
        .map_err(draw_err)?;
        t = e + off;
    }
    Ok(())
}

/// The legend's first row starts this far below its area's top (pixels at scale 1).
const LEGEND_TOP: f64 = 12.0;

#[allow(clippy::too_many_arguments)]
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    cols: usize,
    col_w: f64,
    row_h: f64,
    swatch_w: f64,
    m: &Metrics,
    theme: Theme,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let fg = rgb(theme.foreground());
    let muted = rgb(theme.muted());
    let bg = rgb(theme.background());
    let (ox, oy) = area.get_base_pixel();
    let left = if cols == 1 { 4.0 * m.px } else { 10.0 * m.px };
    let top = LEGEND_TOP * m.px;
    for (i, e) in entries.iter().enumerate() {
        let (col, row) = (i % cols, i / cols);
        let x0 = left + col as f64 * col_w;
        let yc = top + row as f64 * row_h + row_h / 2.0;
        let sw = (swatch_w - 0.4 * m.body).max(10.0);
        match &e.swatch {
            Swatch::Series {
                colour,
                dash,
                marker,
            } => {
                let c = rgb(*colour);
                let pattern = dash.pattern().map(|(a, b)| (a * m.px, b * m.px));
                dashed_segment(
                    area,
                    (x0, yc),
                    (x0 + sw, yc),
                    pattern,
                    c.stroke_width(m.line_w.round().max(1.0) as u32),
                )?;
                if let Some((mk, filled)) = marker {
                    let at = ((x0 + sw / 2.0).round() as i32 + ox, yc.round() as i32 + oy);
                    draw_marker(area, at, *mk, *filled, m.marker, c, bg, m.px)?;
                }
            }
            Swatch::Ideal => dashed_segment(
                area,
                (x0, yc),
                (x0 + sw, yc),
                None,
                muted.stroke_width((1.5 * m.px).round() as u32),
            )?,
            Swatch::Cores => dashed_segment(
                area,
                (x0 + sw / 2.0, yc - row_h * 0.4),
                (x0 + sw / 2.0, yc + row_h * 0.4),
                Some((2.0 * m.px, 3.0 * m.px)),
                rgb(chart_model::core_marker_colour(theme))
                    .stroke_width((1.5 * m.px).round() as u32),
            )?,
            Swatch::Fit => dashed_segment(
                area,
                (x0, yc),
                (x0 + sw, yc),
                Some((5.0 * m.px, 4.0 * m.px)),
                fg.stroke_width((1.2 * m.px).round().max(1.0) as u32),
            )?,
            Swatch::Partial => {
                let at = ((x0 + sw / 2.0).round() as i32 + ox, yc.round() as i32 + oy);
                draw_marker(area, at, Marker::Circle, false, m.marker, fg, bg, m.px)?;
                draw_ring(area, at, m.marker, fg, m.px)?;
            }
        }
        let label_x = x0 + swatch_w + 0.2 * m.body;
        let max_w = col_w - swatch_w - 0.4 * m.body;
        let label = ellipsize(&e.label, m.small, max_w.max(20.0));
        area.draw(&Text::new(
            label,
            (label_x.round() as i32, yc.round() as i32),
            chart_font(m.small)
                .color(&fg)
                .pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Center,
                )),
        ))
        .map_err(draw_err)?;
    }
    Ok(())
}

/// The legend labels, in order, of a chart of these runs (what a reader sees next to the
/// swatches), for tests and the workbench's preview caption.
pub fn legend_labels(runs: &[ChartRun<'_>], options: &ChartOptions) -> Vec<String> {
    let (frame, series) = framed(runs, options);
    legend_entries(
        options.kind,
        &series,
        &frame.workers.core_lines,
        frame.ideal.is_some(),
        options.theme,
    )
    .into_iter()
    .map(|e| e.label)
    .collect()
}

/// The frame of a chart of `runs` (the workbench's for the same runs: see `chart_frame`) and
/// its series, their fitted curves cut at the worker axis's top.
/// Why a chart of `kind` has no series: for a memory chart of measured cells, that none
/// recorded its memory; otherwise no measured cell, or every model hidden.
fn nothing_to_draw(kind: ChartKind, runs: &[ChartRun<'_>]) -> String {
    let measured = runs
        .iter()
        .flat_map(|r| &r.results.cells)
        .any(|c| !c.samples.is_empty());
    if kind == ChartKind::Memory && measured {
        return "no cell records its memory use (`peak_rss_bytes`, `added_rss_bytes`): files written before corelab recorded it have none, nor do cells whose work ran on other machines (a Dask or MPI cluster); run the experiment again (`corelab run FILE`) for a memory chart".to_string();
    }
    format!(
        "no cell has a {} value (did every cell fail or get cancelled before its first run, or are all its models hidden?)",
        kind.id()
    )
}

fn framed(runs: &[ChartRun<'_>], options: &ChartOptions) -> (ChartFrame, Vec<ChartSeries>) {
    let kind = options.kind;
    let workers = WorkerAxis::of(runs, &[], None, options.log_x);
    let filter = SeriesFilter {
        models: options.models.clone(),
        fits: options.show_fits,
    };
    let series = chart_model::collect_series(runs, kind, &filter, workers.top);
    let frame = ChartFrame::of(kind, runs, workers, options.log_y, &series);
    (frame, series)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supersampled_pixels_are_averaged_per_block() {
        // 2 × 1 pixels drawn 2× larger: a black-and-white block, and a red one.
        #[rustfmt::skip]
        let big = [
            0, 0, 0,   255, 255, 255,   255, 0, 0,   255, 0, 0,
            255, 255, 255,   0, 0, 0,   255, 0, 0,   255, 0, 0,
        ];
        assert_eq!(downsample(&big, 2, 1, 2), [128, 128, 128, 255, 0, 0]);
        assert_eq!(downsample(&big, 4, 2, 1), big);
        assert_eq!(supersampling(1100, 700), 3);
        assert_eq!(supersampling(2200, 1400), 2);
        assert_eq!(supersampling(8000, 8000), 1);
    }

    /// The longest prefix that fits, with "…"; a name of megabytes (from a results file) is
    /// cut without measuring it all (it took minutes, one character at a time).
    #[test]
    fn a_long_text_is_cut_to_the_longest_prefix_that_fits() {
        let long = "W".repeat(2_000_000);
        let cut = ellipsize(&long, 14.0, 300.0);
        assert!(cut.ends_with('…'), "{cut}");
        assert!(text_width(&cut, 14.0) <= 300.0);
        let k = cut.chars().count() - 1;
        assert!(k > 0);
        let one_more = format!("{}…", "W".repeat(k + 1));
        assert!(text_width(&one_more, 14.0) > 300.0, "not the longest");
        // What fits is left as it is; nothing fits, nothing shown.
        assert_eq!(ellipsize("short", 14.0, 300.0), "short");
        assert_eq!(ellipsize("short", 14.0, 1.0), "");
        // Many " · " parts: at most the lines asked for.
        let parts = vec!["part"; 100_000].join(" · ");
        let lines = wrap(&parts, 14.0, 300.0, 2);
        assert_eq!(lines.len(), 2);
        assert!(lines.iter().all(|l| text_width(l, 14.0) <= 300.0));
    }
}
