//! The chart and report outputs that `run` and `report` share (`--svg`, `--png`,
//! `--markdown` and the chart's flags): what they ask for, and their writing.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use crate::export::{
    ChartKind, ChartOptions, ChartRun, ReportImage, markdown_report, render_png, render_svg,
};
use crate::results::{ResultsFile, write_atomically};

use super::message_paths::path_text;
use super::stdout::write_output;

/// Chart and report outputs shared by `run` and `report`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct OutputArgs {
    /// Write the chart as SVG here.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Write the chart as PNG here.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Write a Markdown report (machine, experiment, table, fits) here (`-`: standard output,
    /// and the tables go to stderr).
    #[arg(long, value_name = "FILE|-")]
    pub markdown: Option<PathBuf>,
    /// What the chart shows: `speedup`, `efficiency`, `time`, `memory`, or `lost-updates`
    /// (the share of the increments asked for that a contention task's counter lost; only
    /// for results of a `contention` task). Default: the chart of the preset's `view` where it
    /// names one (`lost-updates` for the lost-updates presets, `time` for
    /// from-cores-to-a-cluster-fine; for `report`, the view all the files' experiments share),
    /// else `speedup`; `--chart` wins.
    #[arg(long, value_name = "KIND", value_parser = parse_chart)]
    pub chart: Option<ChartKind>,
    /// Chart width in pixels.
    #[arg(long, value_name = "PX", default_value_t = 1100)]
    pub width: u32,
    /// Chart height in pixels.
    #[arg(long, value_name = "PX", default_value_t = 700)]
    pub height: u32,
    /// Leave the fitted curves off the chart.
    #[arg(long)]
    pub no_fits: bool,
    /// The worker axis: `auto` is log₂ where the worker counts span more than 32 times
    /// (4 to 1024), or where `--y-scale log` asks for a log speedup axis; else linear.
    #[arg(long, value_name = "SCALE", default_value = "auto", value_parser = ["auto", "linear", "log2"])]
    pub x_scale: String,
    /// The y axis. `--chart time`: `auto` is log₁₀ where the median times span more than 100
    /// times, else linear. `--chart speedup`: `log` is log₂ (ticks 1×, 2×, 4×, …; the worker
    /// axis goes log₂ too, so the ideal line stays straight; refused with `--x-scale linear`),
    /// and `auto` picks it only where the worker axis is log₂ and the speedups span at least
    /// 8 times (0.5× to 4×). The efficiency, memory and lost-updates charts are linear: `log`
    /// is refused for them.
    #[arg(long, value_name = "SCALE", default_value = "auto", value_parser = ["auto", "linear", "log"])]
    pub y_scale: String,
    /// Text size, as a multiple of the default (tick labels, legend, title and captions all
    /// together), 0.5 to 3: e.g. 0.8 for a 500×320 figure in a paper column. The default body
    /// text is 13 px (its em, the SVG's font-size), tick labels and legend 0.9× that, the title
    /// 1.4×. Text does not shrink with --width and --height by itself.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_text_scale)]
    pub text_scale: f64,
}

impl OutputArgs {
    /// The chart to draw: `--chart`, else speedup (see [`OutputArgs::following_views`]).
    pub(super) fn chart(&self) -> ChartKind {
        self.chart.unwrap_or_default()
    }

    /// These outputs with `--chart`'s default taken from the experiments' `view`: the chart
    /// it names, when every experiment names the same one and the runs can draw it (a lost-
    /// updates view whose runs counted nothing falls back to speedup). An explicit `--chart`
    /// is kept.
    pub(super) fn following_views<'a>(
        &self,
        runs: impl IntoIterator<Item = &'a ResultsFile> + Clone,
    ) -> OutputArgs {
        let mut out = self.clone();
        if out.chart.is_none() {
            out.chart = views_chart(runs.clone().into_iter().map(|r| &r.experiment))
                .filter(|kind| kind.unavailable_reason(runs).is_none());
        }
        out
    }

    /// [`OutputArgs::following_views`] before a sweep: the chart of the experiment's view.
    pub(super) fn following_view_of(&self, exp: &crate::preset::Experiment) -> OutputArgs {
        let mut out = self.clone();
        if out.chart.is_none() {
            out.chart = views_chart([exp]);
        }
        out
    }
}

/// The chart every experiment's view names, when they all name the same one.
fn views_chart<'a>(
    experiments: impl IntoIterator<Item = &'a crate::preset::Experiment>,
) -> Option<ChartKind> {
    let mut charts = experiments
        .into_iter()
        .map(|e| e.view.and_then(ChartKind::of_view));
    let first = charts.next()??;
    charts.all(|c| c == Some(first)).then_some(first)
}

/// `--text-scale`: a number from 0.5 to 3.
fn parse_text_scale(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(f) if (0.5..=3.0).contains(&f) => Ok(f),
        Ok(_) => Err(format!("{s:?} is outside 0.5 to 3")),
        Err(_) => Err(format!("{s:?} is not a number (0.5 to 3)")),
    }
}

/// `--x-scale` and `--y-scale` as the chart model's axis choices.
fn axis_scales(out: &OutputArgs) -> (crate::export::AxisScale, crate::export::AxisScale) {
    use crate::export::AxisScale;
    let scale = |s: &str| match s {
        "log" | "log2" => AxisScale::Log,
        "linear" => AxisScale::Linear,
        _ => AxisScale::Auto,
    };
    (scale(&out.x_scale), scale(&out.y_scale))
}

/// The chart's axes, `(log₂ workers, log y)`, for `runs` ([`crate::export::resolve_scales`]);
/// an axis the chart cannot have is refused naming the flag.
pub(super) fn chart_scales<'a>(
    out: &OutputArgs,
    runs: impl Iterator<Item = &'a ResultsFile> + Clone,
) -> Result<(bool, bool)> {
    let (x, y) = axis_scales(out);
    crate::export::resolve_scales(out.chart(), runs, x, y).map_err(|e| {
        anyhow::anyhow!(
            "--chart {} --x-scale {} --y-scale {}: {e}",
            out.chart(),
            out.x_scale,
            out.y_scale
        )
    })
}

fn parse_chart(s: &str) -> Result<ChartKind, String> {
    ChartKind::from_id(s).ok_or_else(|| {
        let ids: Vec<&str> = ChartKind::ALL.iter().map(|k| k.id()).collect();
        format!("unknown chart {s:?}; choose from {}", ids.join(", "))
    })
}

/// Refuses, before the sweep, a `--chart` that the preset's task can never draw (lost updates
/// without a counter), whatever outputs are asked for: with a chart the sweep would be measured
/// for a chart refused at its end, and without one the flag would be ignored in silence.
pub(super) fn check_chart_for_task(out: &OutputArgs, task: crate::preset::TaskKind) -> Result<()> {
    if let Some(reason) = out.chart().unavailable_for_tasks(&[task]) {
        let available: Vec<&str> = ChartKind::ALL
            .iter()
            .filter(|k| k.unavailable_for_tasks(&[task]).is_none())
            .map(|k| k.id())
            .collect();
        bail!(
            "--chart {}: {reason}; choose one of {}",
            out.chart(),
            available.join(", ")
        );
    }
    Ok(())
}

/// The chart and report outputs of [`OutputArgs`], flag by flag.
pub(super) fn chart_outputs(charts: &OutputArgs) -> [(&'static str, Option<&PathBuf>); 3] {
    [
        ("--svg", charts.svg.as_ref()),
        ("--png", charts.png.as_ref()),
        ("--markdown", charts.markdown.as_ref()),
    ]
}

/// Writes the SVG, PNG and Markdown outputs that were asked for.
pub(super) fn write_outputs(runs: &[ChartRun<'_>], out: &OutputArgs) -> Result<()> {
    // Each output is tried even when another failed: one bad chart does not cost the report.
    let mut failed: Vec<String> = Vec::new();
    // Axes the chart cannot have fail the charts alone (they are refused before a sweep, too).
    let (log_x, log_y) = match chart_scales(out, runs.iter().map(|r| r.results)) {
        Ok(scales) => scales,
        Err(e) => {
            let charts = [("--svg", &out.svg), ("--png", &out.png)];
            for (flag, path) in charts.iter().filter_map(|(f, p)| Some((f, p.as_ref()?))) {
                failed.push(format!("{flag} {}: {e:#}", path_text(path)));
            }
            (false, false)
        }
    };
    let draw_charts = failed.is_empty();
    let options = ChartOptions {
        kind: out.chart(),
        width: out.width,
        height: out.height,
        title: None,
        show_fits: !out.no_fits,
        log_x,
        log_y,
        // (An `OutputArgs::default()` has 0: the default size then.)
        font_size: ChartOptions::default().font_size
            * Some(out.text_scale)
                .filter(|f| (0.5..=3.0).contains(f))
                .unwrap_or(1.0),
        ..ChartOptions::default()
    };
    let mut charts_written: Vec<&PathBuf> = Vec::new();
    if let Some(path) = out.svg.as_ref().filter(|_| draw_charts) {
        let written = render_svg(runs, &options)
            .context("cannot draw the SVG chart")
            .and_then(|svg| {
                write_atomically(path, svg.as_bytes())
                    .with_context(|| format!("cannot write {}", path_text(path)))
            });
        match written {
            Ok(()) => {
                errln!("{} chart written to {}", options.kind, path_text(path));
                charts_written.push(path);
            }
            Err(e) => failed.push(format!("--svg {}: {e:#}", path_text(path))),
        }
    }
    if let Some(path) = out.png.as_ref().filter(|_| draw_charts) {
        let written = render_png(runs, &options)
            .context("cannot draw the PNG chart")
            .and_then(|png| {
                write_atomically(path, &png)
                    .with_context(|| format!("cannot write {}", path_text(path)))
            });
        match written {
            Ok(()) => {
                errln!("{} chart written to {}", options.kind, path_text(path));
                charts_written.push(path);
            }
            Err(e) => failed.push(format!("--png {}: {e:#}", path_text(path))),
        }
    }
    if let Some(path) = &out.markdown {
        let alt = format!("{} chart", options.kind);
        // Only a chart that was written is linked.
        let links: Vec<String> = [&out.png, &out.svg]
            .into_iter()
            .flatten()
            .filter(|p| charts_written.contains(p))
            .take(1)
            .map(|chart| crate::export::image_link(chart, path))
            .collect();
        let images: Vec<ReportImage<'_>> = links
            .iter()
            .map(|p| ReportImage { alt: &alt, path: p })
            .collect();
        match write_output(path, markdown_report(runs, &images).as_bytes()) {
            Ok(to) => errln!("report written to {to}"),
            Err(e) => failed.push(format!(
                "--markdown {}: cannot write it: {e}",
                path_text(path)
            )),
        }
    }
    match failed.len() {
        0 => Ok(()),
        1 => bail!("not written: {}", failed[0]),
        n => bail!("{n} outputs not written: {}", failed.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_axis_that_fails_costs_the_charts_only_and_the_report_is_still_written() {
        let dir = tempfile::tempdir().unwrap();
        let results = ResultsFile::default();
        let out = OutputArgs {
            svg: Some(dir.path().join("c.svg")),
            png: Some(dir.path().join("c.png")),
            markdown: Some(dir.path().join("r.md")),
            chart: Some(ChartKind::Efficiency),
            x_scale: "auto".into(),
            y_scale: "log".into(),
            ..OutputArgs::default()
        };
        let runs = [ChartRun {
            label: "r",
            results: &results,
        }];
        let e = write_outputs(&runs, &out).unwrap_err().to_string();
        assert!(e.starts_with("2 outputs not written: --svg "), "{e}");
        assert!(
            e.contains("; --png ") && e.contains("has no log y axis"),
            "{e}"
        );
        assert!(
            dir.path().join("r.md").exists(),
            "the report is still written"
        );
        assert!(!dir.path().join("c.svg").exists() && !dir.path().join("c.png").exists());
    }

    #[test]
    fn the_help_states_the_default_text_size() {
        use clap::Args;
        let help = OutputArgs::augment_args(clap::Command::new("report"))
            .render_long_help()
            .to_string();
        let size = format!("{} px", crate::export::DEFAULT_FONT_SIZE);
        assert!(help.contains(&size), "{size} in {help}");
    }
}
