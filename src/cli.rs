//! The command line: `corelab` (workbench), `corelab run` (headless sweep), `corelab report`
//! (charts, Markdown and fits from saved results), `corelab presets`, and the hidden
//! `corelab worker` child mode.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::engine::{
    CancelToken, SweepConfig, SweepEvent, WorkerCommand, preflight, run_sweep, worker,
};
use crate::export::{
    ChartKind, ChartOptions, ChartRun, ReportImage, markdown_report, render_png, render_svg,
    summary_csv, summary_table,
};
use crate::preset::{Experiment, ModelKind, builtin_presets};
use crate::results::{ResultsFile, RunStatus, write_atomically};
use crate::stats::{fit_results, fits_summary};

/// `print!` to standard output. A reader that went away (`corelab run … | head`) is its choice,
/// not an error, and never a panic; any other write error is reported on stderr.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let text = crate::export::sanitize::for_terminal(&text);
        stdout_written(write!(std::io::stdout().lock(), "{text}"));
    }};
}

/// `println!` to standard output, see [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let text = format!($($arg)*);
        let text = crate::export::sanitize::for_terminal(&text);
        stdout_written(writeln!(std::io::stdout().lock(), "{text}"));
    }};
}

fn stdout_written(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("cannot write to standard output: {e}");
    }
}

#[derive(Parser, Debug)]
#[command(
    name = "corelab",
    version,
    about = "A workbench for concurrency experiments: threads, pools, processes and an emulated GIL, measured as speedup curves.",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Workbench only: render the window, save it as a PNG here, and exit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Workbench only: load this preset (a file, or a built-in preset's name) at start.
    #[arg(long, value_name = "NAME_OR_PATH")]
    pub preset: Option<String>,
    /// Workbench only: open this results file at start.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Workbench only: overlay this results file for comparison at start (repeatable).
    #[arg(long, value_name = "FILE")]
    pub compare: Vec<PathBuf>,
    /// Workbench only: the tab shown at start (and in a screenshot).
    #[arg(long, value_name = "TAB", value_parser = ["speedup", "efficiency", "time", "table", "fits"])]
    pub tab: Option<String>,
    /// Workbench only: run the loaded experiment at start (to completion before a screenshot).
    #[arg(long)]
    pub run: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run an experiment headless and print a summary table.
    Run(RunArgs),
    /// Charts, a Markdown report and scaling fits from saved results files; several files
    /// are overlaid on one chart to compare runs (e.g. a laptop and a big server).
    Report(ReportArgs),
    /// List the built-in presets.
    Presets,
    /// Measure corelab's own overheads (timer, thread spawn, dispatch per task, pool start-up).
    Selftest {
        /// Worker count for the dispatch measurements (default: logical cores).
        #[arg(long)]
        workers: Option<usize>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Child-process mode of the `processes` model (speaks JSON lines on stdin/stdout).
    #[command(hide = true)]
    Worker,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A preset file, or the name of a built-in preset (see `corelab presets`).
    pub preset: String,
    /// Write the full results (every raw sample) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the summary table as CSV here.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Override the preset's worker counts, e.g. `1,2,4,8,16`.
    #[arg(long, value_delimiter = ',', value_name = "N,N,…")]
    pub workers: Option<Vec<usize>>,
    /// Override the preset's models, e.g. `sequential,threads,processes`.
    #[arg(long, value_delimiter = ',', value_name = "MODEL,…", value_parser = parse_model)]
    pub models: Option<Vec<ModelKind>>,
    /// Override the number of timed repetitions per cell.
    #[arg(long, value_name = "N")]
    pub repetitions: Option<u32>,
    /// Override the minimum measured time per cell: short runs are repeated beyond the
    /// repetitions until they add up to this many seconds (0: exactly the repetitions).
    #[arg(long, value_name = "SECONDS")]
    pub min_time: Option<f64>,
    /// Print only the summary table (no progress lines).
    #[arg(long, short)]
    pub quiet: bool,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Results files written by `corelab run --out` or the workbench.
    #[arg(required = true, value_name = "RESULTS.json")]
    pub results: Vec<PathBuf>,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

/// Chart and report outputs shared by `run` and `report`.
#[derive(clap::Args, Debug, Default)]
pub struct OutputArgs {
    /// Write the chart as SVG here.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Write the chart as PNG here.
    #[arg(long, value_name = "FILE")]
    pub png: Option<PathBuf>,
    /// Write a Markdown report (machine, experiment, table, fits) here.
    #[arg(long, value_name = "FILE")]
    pub markdown: Option<PathBuf>,
    /// What the chart shows.
    #[arg(long, value_name = "KIND", default_value = "speedup", value_parser = parse_chart)]
    pub chart: ChartKind,
    /// Chart width in pixels.
    #[arg(long, value_name = "PX", default_value_t = 1100)]
    pub width: u32,
    /// Chart height in pixels.
    #[arg(long, value_name = "PX", default_value_t = 700)]
    pub height: u32,
    /// Leave the fitted curves off the chart.
    #[arg(long)]
    pub no_fits: bool,
}

fn parse_chart(s: &str) -> Result<ChartKind, String> {
    ChartKind::from_id(s)
        .ok_or_else(|| format!("unknown chart {s:?}; choose from speedup, efficiency, time"))
}
fn parse_model(s: &str) -> Result<ModelKind, String> {
    ModelKind::ALL
        .into_iter()
        .find(|m| m.id() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = ModelKind::ALL.iter().map(|m| m.id()).collect();
            format!("unknown model {s:?}; choose from {}", names.join(", "))
        })
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = match cli.command {
        None => open_workbench(cli),
        Some(Command::Worker) => return ExitCode::from(worker::serve() as u8),
        Some(Command::Presets) => {
            list_presets();
            Ok(())
        }
        Some(Command::Run(args)) => run(&args),
        Some(Command::Selftest { workers, json }) => selftest(workers, json),
        Some(Command::Report(args)) => report(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!(
                "Error: {}",
                crate::export::sanitize::for_terminal(&format!("{e:#}"))
            );
            ExitCode::FAILURE
        }
    }
}

fn selftest(workers: Option<usize>, json: bool) -> Result<()> {
    let workers =
        workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    if workers == 0 || workers > crate::preset::limits::MAX_PROCESS_WORKERS {
        bail!(
            "--workers {workers}: choose 1 to {}",
            crate::preset::limits::MAX_PROCESS_WORKERS
        );
    }
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    let rows =
        crate::engine::selftest::run_selftest(&worker, workers).map_err(anyhow::Error::msg)?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    outln!("{:<52} {:>10} {:>21}  how", "what", "median", "min – max");
    for r in rows {
        outln!(
            "{:<52} {:>8.2}µs {:>8.2} – {:>8.2}µs  {}",
            r.what,
            r.median_us,
            r.min_us,
            r.max_us,
            r.how
        );
    }
    Ok(())
}

#[cfg(feature = "gui")]
fn open_workbench(cli: Cli) -> Result<()> {
    crate::gui::run_app(crate::gui::GuiOptions {
        screenshot: cli.screenshot,
        preset: cli.preset,
        results: cli.results,
        compare: cli.compare,
        tab: cli.tab,
        run: cli.run,
    })
}

#[cfg(not(feature = "gui"))]
fn open_workbench(_cli: Cli) -> Result<()> {
    bail!("this corelab was built without the workbench (feature `gui`); use `corelab run`")
}

fn list_presets() {
    for p in builtin_presets() {
        match p.experiment() {
            Ok(e) => outln!("{:<28} {}", p.id, e.name),
            Err(err) => outln!("{:<28} (broken: {err})", p.id),
        }
    }
}

/// `corelab run`: load, override, validate, sweep, print, write.
pub fn run(args: &RunArgs) -> Result<()> {
    let mut exp = Experiment::load_path_or_builtin(&args.preset)
        .with_context(|| format!("cannot use preset {}", args.preset))?;
    if let Some(w) = &args.workers {
        exp.workers = w.clone();
    }
    if let Some(m) = &args.models {
        exp.models = m.clone();
    }
    if let Some(r) = args.repetitions {
        exp.repetitions = r;
    }
    if let Some(t) = args.min_time {
        exp.min_time_s = t;
    }
    exp.validate()
        .with_context(|| format!("preset {} with the command-line overrides", args.preset))?;
    if let Some(python) = preflight(&exp).map_err(anyhow::Error::msg)? {
        eprintln!(
            "Python models: {} {} (GIL {})",
            python.interpreter,
            python.version,
            if python.gil_enabled {
                "enabled"
            } else {
                "disabled"
            }
        );
    }
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    let config = SweepConfig {
        worker,
        partial_results: args.out.clone(),
        display: None,
    };
    let cancel = CancelToken::new();
    let quiet = args.quiet;
    let mut cells_total = 0;
    let mut cells_done = 0;
    let results = run_sweep(&exp, &config, &cancel, &mut |event| {
        if quiet {
            return;
        }
        match event {
            SweepEvent::Started { plan, runs_total } => {
                cells_total = plan.len();
                let more = if exp.min_time_s > 0.0 {
                    format!(
                        ", more where the timed runs add up to less than {} s",
                        exp.min_time_s
                    )
                } else {
                    String::new()
                };
                eprintln!(
                    "{}: {} cells, {runs_total} runs ({} warm-up + {} timed each{more})",
                    crate::export::sanitize::for_terminal(&exp.name),
                    plan.len(),
                    exp.warmups,
                    exp.repetitions
                );
            }
            SweepEvent::CellDone(cell) => {
                cells_done += 1;
                let w = cell.wall.as_ref();
                eprintln!(
                    "[{cells_done:>2}/{cells_total}] {:<11} × {:<3} median {:.4} s (min {:.4}, max {:.4}), speedup {}",
                    cell.model_id(),
                    cell.workers,
                    w.map_or(f64::NAN, |s| s.median),
                    w.map_or(f64::NAN, |s| s.min),
                    w.map_or(f64::NAN, |s| s.max),
                    cell.speedup.map_or("—".into(), |s| format!("{s:.2}×")),
                );
            }
            SweepEvent::Failed {
                model,
                workers,
                reason,
            } => eprintln!(
                "        {model} × {workers} FAILED: {}",
                crate::export::sanitize::for_terminal(&reason)
            ),
            _ => {}
        }
    });
    out!("{}", summary_table(&results));
    if let Some(warning) = results.machine.busy_warning() {
        eprintln!("Warning: {warning}");
    }
    out!("{}", fits_summary(&fit_results(&results)));
    if let Some(path) = &args.out {
        results
            .save(path)
            .with_context(|| "saving the results".to_string())?;
        eprintln!("results written to {}", path.display());
    }
    if let Some(path) = &args.csv {
        write_atomically(path, summary_csv(&results).as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("summary written to {}", path.display());
    }
    let label = args
        .out
        .as_deref()
        .map_or_else(|| results.machine.hostname.clone(), file_label);
    write_outputs(
        &[ChartRun {
            label: &label,
            results: &results,
        }],
        &args.outputs,
    )?;
    if results.status != RunStatus::Complete {
        bail!("the sweep did not complete");
    }
    Ok(())
}

/// `corelab report`: load one or several results files, print their tables and fits, and
/// write the chart (overlaid when several) and the Markdown report.
pub fn report(args: &ReportArgs) -> Result<()> {
    let mut loaded: Vec<ResultsFile> = Vec::new();
    for path in &args.results {
        loaded.push(ResultsFile::load(path).with_context(|| "cannot use it for a report")?);
    }
    let labels = run_labels(&args.results, &loaded);
    for (label, r) in labels.iter().zip(&loaded) {
        if loaded.len() > 1 {
            outln!(
                "== {label}: {} on {}",
                r.experiment.name,
                r.machine.one_line()
            );
        }
        out!("{}", summary_table(r));
        out!("{}", fits_summary(&fit_results(r)));
        if r.status != RunStatus::Complete {
            eprintln!("note: {label} is not a complete run ({:?})", r.status);
        }
    }
    let runs: Vec<ChartRun<'_>> = labels
        .iter()
        .zip(&loaded)
        .map(|(label, results)| ChartRun { label, results })
        .collect();
    write_outputs(&runs, &args.outputs)
}

/// The file stem of a results path, e.g. `big` for `runs/big.json`.
fn file_label(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| path.display().to_string())
}

/// Labels that tell overlaid runs apart: file stems, then `stem (host)`, then full paths.
fn run_labels(paths: &[PathBuf], loaded: &[ResultsFile]) -> Vec<String> {
    let unique = |v: &[String]| {
        let mut s = v.to_vec();
        s.sort();
        s.dedup();
        s.len() == v.len()
    };
    let stems: Vec<String> = paths.iter().map(|p| file_label(p)).collect();
    if unique(&stems) {
        return stems;
    }
    let with_host: Vec<String> = stems
        .iter()
        .zip(loaded)
        .map(|(s, r)| format!("{s} ({})", r.machine.hostname))
        .collect();
    if unique(&with_host) {
        return with_host;
    }
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// Writes the SVG, PNG and Markdown outputs that were asked for.
fn write_outputs(runs: &[ChartRun<'_>], out: &OutputArgs) -> Result<()> {
    let options = ChartOptions {
        kind: out.chart,
        width: out.width,
        height: out.height,
        title: None,
        show_fits: !out.no_fits,
    };
    if let Some(path) = &out.svg {
        let svg = render_svg(runs, &options).context("cannot draw the SVG chart")?;
        write_atomically(path, svg.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("{} chart written to {}", options.kind, path.display());
    }
    if let Some(path) = &out.png {
        let png = render_png(runs, &options).context("cannot draw the PNG chart")?;
        write_atomically(path, &png).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("{} chart written to {}", options.kind, path.display());
    }
    if let Some(path) = &out.markdown {
        let alt = format!("{} chart", options.kind);
        let links: Vec<String> = [&out.png, &out.svg]
            .into_iter()
            .flatten()
            .take(1)
            .map(|chart| relative_to(chart, path))
            .collect();
        let images: Vec<ReportImage<'_>> = links
            .iter()
            .map(|p| ReportImage { alt: &alt, path: p })
            .collect();
        write_atomically(path, markdown_report(runs, &images).as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("report written to {}", path.display());
    }
    Ok(())
}

/// `target` as a link from the directory of `from` (a file): relative when it lies below that
/// directory, else absolute.
fn relative_to(target: &Path, from: &Path) -> String {
    let abs = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf());
    let target_abs = abs(target);
    let dir = abs(from)
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    target_abs
        .strip_prefix(&dir)
        .unwrap_or(&target_abs)
        .to_string_lossy()
        .replace('\\', "/")
}
