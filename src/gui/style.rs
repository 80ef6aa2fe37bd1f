//! One style module for the workbench: model colours, marker shapes and line patterns (from
//! the shared chart model, [`crate::export::chart_model`], so the screen, the table and an
//! exported SVG/PNG agree), and the help texts of the charts and fits.

use eframe::egui::{self, Color32};
use egui_plot::{LineStyle, MarkerShape};

use crate::export::chart_model::{self, ChartKind, Dash, Marker};
use crate::preset::ModelKind;

/// The colour of a model's curve: the palette of the exported charts.
pub fn model_color(model: ModelKind) -> Color32 {
    let (r, g, b) = chart_model::model_colour(model);
    Color32::from_rgb(r, g, b)
}

/// [`model_color`] on a dark background: the baseline takes the text colour.
pub fn model_color_dark_aware(model: ModelKind, dark: bool) -> Color32 {
    let theme = if dark {
        chart_model::Theme::Dark
    } else {
        chart_model::Theme::Light
    };
    let (r, g, b) = chart_model::model_colour_on(model, theme);
    Color32::from_rgb(r, g, b)
}

/// The physical-core marker's colour: a neutral grey, unlike every model's.
pub fn core_marker_color(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(170)
    } else {
        Color32::from_gray(95)
    }
}

/// The weak text (hints, status, "No measurements yet…") on a dark background: egui's own,
/// the text at 60% alpha, reads at 2.7:1 against the panel; this is 5.5:1.
pub const WEAK_TEXT_DARK: Color32 = Color32::from_gray(145);
/// The normal text on a dark background, lighter than egui's grey 140 so that weak text
/// still stands apart from it (9:1).
pub const TEXT_DARK: Color32 = Color32::from_gray(180);
/// The weak text on a light background: 5.2:1 against the panel.
pub const WEAK_TEXT_LIGHT: Color32 = Color32::from_gray(105);

/// The workbench's colours over egui's defaults, in both themes: weak text readable at
/// WCAG AA (4.5:1 or more) against the panels, windows and striped rows.
pub fn readable_visuals(ctx: &egui::Context) {
    ctx.style_mut_of(egui::Theme::Dark, |s| {
        s.visuals.widgets.noninteractive.fg_stroke.color = TEXT_DARK;
        s.visuals.weak_text_color = Some(WEAK_TEXT_DARK);
    });
    ctx.style_mut_of(egui::Theme::Light, |s| {
        s.visuals.weak_text_color = Some(WEAK_TEXT_LIGHT);
    });
}

/// WCAG's relative luminance of an opaque colour.
pub fn luminance(c: Color32) -> f64 {
    let channel = |v: u8| {
        let v = f64::from(v) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(c.r()) + 0.7152 * channel(c.g()) + 0.0722 * channel(c.b())
}

/// WCAG's contrast ratio of two opaque colours (1 to 21).
pub fn contrast(a: Color32, b: Color32) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

/// The egui_plot marker for a chart-model marker.
pub fn marker_shape(marker: Marker) -> MarkerShape {
    match marker {
        Marker::Circle => MarkerShape::Circle,
        Marker::Square => MarkerShape::Square,
        Marker::Diamond => MarkerShape::Diamond,
        Marker::TriangleUp => MarkerShape::Up,
        Marker::TriangleDown => MarkerShape::Down,
        Marker::Cross => MarkerShape::Cross,
        Marker::Plus => MarkerShape::Plus,
        Marker::Asterisk => MarkerShape::Asterisk,
    }
}

/// The egui_plot line style for a run's dash pattern.
pub fn line_style(dash: Dash) -> LineStyle {
    match dash {
        Dash::Solid => LineStyle::Solid,
        Dash::Dashed => LineStyle::Dashed { length: 9.0 },
        Dash::Dotted => LineStyle::Dotted { spacing: 5.0 },
        Dash::LongDashed => LineStyle::Dashed { length: 18.0 },
    }
}

/// One line under the chart tabs: how to read the chart at a glance.
pub fn caption(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Speedup => {
            "Higher is better. Grey: ideal linear speedup. Dotted grey: physical cores. Bars: the speedup's confidence interval (CI), the baseline's uncertainty included: 95% from 6 runs, less from fewer (e.g. 75%: the hover says)."
        }
        ChartKind::Efficiency => {
            "Speedup ÷ workers, in %. 100 % = every worker fully used. Dotted grey: physical cores."
        }
        ChartKind::WallTime => {
            "Lower is better. Points: median run; bars: its confidence interval, 95% from 6 runs (fewer: their range, which covers less, e.g. a 75% CI). Grey: the sequential time ÷ N. Dotted grey: physical cores."
        }
        ChartKind::Memory => {
            "Memory the run added, in MiB: this process's peak during the run above its size at the start (the workbench's own memory left out), plus each worker process's peak. Older files: peak RSS of the whole processes. Flat: workers share one address space; rising: each worker brings its own."
        }
        ChartKind::LostUpdates => {
            "Increments lost, in %: higher is worse. A line at 0 % (\"0 lost\" in the legend) lost nothing."
        }
    }
}

/// What a chart means, for the help line above it.
pub fn explanation(kind: ChartKind) -> &'static str {
    match kind {
        ChartKind::Speedup => {
            "Speedup = baseline time ÷ time with N workers (medians); for lock contention, where every worker brings its own increments, N × that: the throughput against one worker's. A curve on the ideal line uses every worker fully; a curve that flattens has hit a limit (cores, memory bandwidth, a lock); one that falls pays more in overhead than it gains. Beyond the physical-core marker only waiting (I/O) work can keep climbing. Bars: the confidence interval of the speedup, from the cell's and the baseline's median intervals together (order statistics: read off the sorted runs, no bell curve assumed), since both medians are measured: how precisely the point is known. It is a 95% interval where both have 6 runs or more; with fewer, no pair of runs reaches 95%, so the bar is built from the runs' ranges and covers less (3 runs: 75%), as the hover and the Results table's CI column say. The baseline's own point is 1× by definition and has none. The slowest and fastest runs are in the hover and the table. Where several models have bars at one worker count, the bars stand side by side around it (the markers stay on the count), so that none hides another."
        }
        ChartKind::Efficiency => {
            "Efficiency = speedup ÷ workers, in percent: the share of each worker's time that turned into progress. 100 % is perfect scaling; it drops when workers wait for cores, locks or each other."
        }
        ChartKind::WallTime => {
            "Wall-clock time of one run (median), with bars for the confidence interval of that median: 95% from 6 runs; with fewer, the range of the runs, which covers less (3 runs: 75%). Lower is better; wide bars mean the median is not pinned down: noisy runs, or too few of them. A log y axis shows small and large times together."
        }
        ChartKind::Memory => {
            "Memory the run added, for the cell's largest run, in MiB: corelab's own process's peak RSS during the run above its RSS at the run's start (its high-water mark is reset before each measured run), plus each worker process's own peak (worker processes, interpreters). So the workbench's window, fonts and textures are not counted, and the figure matches `corelab run`'s. Files from before corelab recorded it plot the peak RSS of the whole processes instead (the axis says which), the front end's own memory included. Threads share one process and stay flat; worker processes each add their own memory, a Python interpreter per worker included."
        }
        ChartKind::LostUpdates => {
            "The share of a run's increments that never reached the shared counter: (increments asked for − the counter's final value) ÷ increments asked for, in percent. 100 % is every increment that all the run's workers were asked to do: N workers × task.contention.increments. Each point is the median run of its cell; its bar spans the run that lost least to the one that lost most, because a race does not strike every run: a median near 0 with a tall bar means some runs lost much and others nothing (the hover says how many runs lost any). One worker, or a counter behind a mutex, an atomic or a channel, loses nothing and lies on 0 %, marked \"0 lost\" in the legend: that flat line is the other half of the lesson. Without synchronisation the loss grows with the workers, GIL threads included."
        }
    }
}

/// How compared runs are told apart, for tooltips.
pub const COMPARED_RUNS: &str = "Compared runs keep each model's colour and marker shape; each run has its own line pattern (solid, dashed, dotted, long dashes) and compared runs have hollow markers. Their labels are \"model @ run (line pattern)\", each run named by what differs between the runs: the experiment, the machine (\"16 cores\"), the date or time, or the file.";

/// One-sentence explanations, shown on hover.
pub mod help {
    pub const SERIAL: &str = "Amdahl's serial fraction s: the share of the model's own (fitted) one-worker time T1 that does not get faster with more workers, fitted to the median wall times. In plain words: the part of the job that still runs one piece at a time (setting up, a lock, collecting results); 5 % serial caps the speedup at 20× however many workers.";
    pub const MAX_SPEEDUP: &str = "The speedup Amdahl's law says no number of workers can exceed, over the same baseline as every measured speedup: the baseline's time ÷ the time that stays serial (s·T1). It is 1/s only where the model's fitted one-worker time T1 equals the baseline's; a model slower on one worker than the baseline gets a lower bound.";
    pub const SIGMA: &str = "USL σ (contention): the share of work serialised on a shared resource, such as a lock or a core; it makes speedup level off. In plain words: how much of the time workers queue for something only one of them can use at once (a lock, the GIL, a busy core); 0 = they never queue.";
    pub const KAPPA: &str = "USL κ (coherency): the cost of workers keeping each other up to date, growing with every pair of workers; it makes speedup fall. In plain words: the price of sharing data between workers (cache lines bouncing between cores, messages between processes), paid for every pair of them, so past some count more workers make the job slower; 0 = no such cost.";
    pub const PEAK: &str = "N*: the whole worker count where the fitted USL curve is highest (⌊√((1−σ)/κ)⌋ or the next one, whichever predicts more); 1 when σ ≥ 1 (no worker count beats one); none when κ = 0 and the curve only levels off.";
    pub const SCALE: &str = "USL scale γ: the fitted value at one worker, S(N) = γ·N / (1 + σ(N−1) + κN(N−1)). Fitted when speedups are over the sequential baseline (a model's own one worker may be slower, e.g. 0.9×) and four or more worker counts were measured; with three, the values are normalised to the model's own one-worker run; 1 when the baseline is the model's own one worker.";
    pub const TWO_POINTS: &str = "Fitted on two worker counts: a curve with two parameters passes through any two points exactly, whatever the work does, so this figure is not tested by the data. Measure more worker counts (within the cores, for compute-bound work) to test it.";
    pub const R2: &str = "R² (coefficient of determination): how much of the variation in the measurements the fitted curve explains (1 = perfectly, near 0 = not at all). In plain words: how closely the curve passes through the measured points; a value near 1 says it matches these points, not that the law is right.";
    pub const KARP_FLATT: &str = "Karp–Flatt e(N) = (1/S − 1/N)/(1 − 1/N): the serial fraction implied by each measured speedup S over the model's own one-worker time (the time Amdahl's s is a share of, so the two agree where the law holds); constant e means a fixed serial part, growing e means overhead that grows with workers. In plain words: for each worker count on its own, the share of the work that behaved as if it ran one piece at a time; no curve is fitted.";
    pub const READING: &str = "What the fits say in plain words.";
    pub const FITS: &str = "Dashed lines are fitted scaling laws. Speedup and efficiency: Gunther's Universal Scalability Law, S(N) = γ·N / (1 + σ(N−1) + κN(N−1)), with contention σ, coherency cost κ and scale γ (for lock contention, where every worker brings its own work, it is fitted to throughput). The curves cover only the measured worker range (for compute-bound work past the cores, the range within the cores). Wall time: Amdahl's law, T(N) = T1·(s + (1−s)/N), with serial fraction s.";
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `over` drawn on `base` (egui's striped rows add a translucent colour to the panel).
    fn over(base: Color32, over: Color32) -> Color32 {
        let a = f32::from(over.a()) / 255.0;
        let mix = |b: u8, o: u8| {
            // Premultiplied: the colour's channels already carry its alpha.
            (f32::from(b) * (1.0 - a) + f32::from(o)).round().min(255.0) as u8
        };
        Color32::from_rgb(
            mix(base.r(), over.r()),
            mix(base.g(), over.g()),
            mix(base.b(), over.b()),
        )
    }

    #[test]
    fn weak_text_reads_at_wcag_aa_in_both_themes() {
        let ctx = egui::Context::default();
        readable_visuals(&ctx);
        for theme in [egui::Theme::Dark, egui::Theme::Light] {
            let v = &ctx.style_of(theme).visuals;
            let weak = v.weak_text_color();
            for (what, background) in [
                ("panel", v.panel_fill),
                ("window", v.window_fill),
                ("striped row", over(v.panel_fill, v.faint_bg_color)),
            ] {
                let ratio = contrast(over(background, weak), background);
                assert!(
                    ratio >= 4.5,
                    "{theme:?}: weak text on the {what}: {ratio:.2}:1"
                );
            }
            // Still weaker than the text beside it.
            let text = v.text_color();
            assert!(
                contrast(text, v.panel_fill) > contrast(weak, v.panel_fill) + 1.0,
                "{theme:?}: weak text stands apart from the text"
            );
        }
        // egui's own weak text, for the record: the defect this fixes.
        let default = egui::Visuals::dark();
        let weak = over(default.panel_fill, default.weak_text_color());
        assert!(contrast(weak, default.panel_fill) < 4.5);
    }
}
