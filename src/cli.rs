//! The command line: `corelab` (workbench), `corelab run` (headless sweep), `corelab report`
//! (charts, Markdown and fits from saved results), `corelab presets`, and the hidden
//! `corelab worker` child mode; `corelab generate` (man pages, completions) in `cli/generate.rs`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::analysis::{fit_results, fits_summary};
use crate::engine::{
    CancelToken, SweepConfig, SweepEvent, WorkerCommand, interpreter, preflight, run_sweep,
    sweep_plan, worker,
};
use crate::export::{
    ChartKind, ChartOptions, ChartRun, ReportImage, markdown_report, render_png, render_svg,
    summary_csv, summary_table,
};
use crate::preset::{Experiment, ModelKind, SyncMode, builtin_presets, find_builtin};
use crate::results::{CellStatus, ResultsFile, RunStatus, write_atomically};

/// `print!` of text for people (tables, verdicts, fits) to standard output, or to stderr while
/// standard output carries a machine-readable output (`--csv -`, see [`reserve_stdout`]). A
/// reader that went away (`corelab run … | head`) is its choice, not an error, and never a
/// panic; any other write error is reported on stderr.
macro_rules! out {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        human_text(&text, false);
    }};
}

/// `println!` to standard output, see [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        human_text(&text, true);
    }};
}

/// `eprintln!` that never panics: when stderr is gone (`corelab run … 2>&1 | head`) the
/// message is lost, not the run, which goes on and writes its files.
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stderr().lock(), $($arg)*).ok();
    }};
}

mod gate;
mod generate;

pub use gate::EXIT_REGRESSION;

/// Set while standard output carries a machine-readable output (`--csv -`, `--markdown -`):
/// the text for people then goes to stderr, so that the stream stays clean for its reader.
static STDOUT_RESERVED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sends [`out!`]'s text to stderr from now on: standard output is for an output's data.
fn reserve_stdout() {
    STDOUT_RESERVED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The error a write to standard output meets when it was closed at start
/// ([`crate::sys::stdout_started_closed`]).
fn stdout_closed_error() -> Option<std::io::Error> {
    crate::sys::stdout_started_closed()
        .then(|| std::io::Error::other("it was closed when corelab started (>&-)"))
}

/// Writes text for people (sanitised for a terminal) where [`out!`] says.
fn human_text(text: &str, newline: bool) {
    use std::io::Write as _;
    let text = crate::export::sanitize::for_terminal(text);
    let end = if newline { "\n" } else { "" };
    if STDOUT_RESERVED.load(std::sync::atomic::Ordering::Relaxed) {
        write!(std::io::stderr().lock(), "{text}{end}").ok();
    } else if let Some(closed) = stdout_closed_error() {
        stdout_written(Err(closed));
    } else {
        stdout_written(write!(std::io::stdout().lock(), "{text}{end}"));
    }
}

/// The file name that means standard output for `--csv` and `--markdown`.
const STDOUT_NAME: &str = "-";

/// The flags whose output may go to standard output (`-`).
const STDOUT_FLAGS: [&str; 2] = ["--csv", "--markdown"];

/// Whether `path` is `-`, standard output (`./-` is a file of that name).
fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == STDOUT_NAME
}

/// Writes an output's `bytes` to `path`, or to standard output for `-` (as they are: the data
/// of a CSV or a Markdown report, not text for a terminal). Returns where they went, in words.
fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<String> {
    use std::io::Write as _;
    if is_stdout(path) {
        if let Some(closed) = stdout_closed_error() {
            return Err(closed);
        }
        let mut stdout = std::io::stdout().lock();
        match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
            Ok(()) => {}
            // The reader went away (`| head`): its choice, as for the tables.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(e),
        }
        return Ok("standard output".into());
    }
    write_atomically(path, bytes)?;
    Ok(path_text(path))
}

/// Set when a write to standard output failed for another reason than a reader that went
/// away: the command then exits 1, whatever else it did.
static STDOUT_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Notes a write to standard output; the first failure (a full disk, `>/dev/full`) is said
/// once on stderr. EPIPE (`| head`) is the reader's choice: quiet, and not an error.
fn stdout_written(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && !STDOUT_FAILED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        errln!("Error: cannot write to standard output: {e}");
    }
}

/// `code`, unless standard output lost what was written to it (then 1, when `code` said all
/// went well).
fn with_stdout_checked(code: ExitCode) -> ExitCode {
    use std::io::Write as _;
    stdout_written(std::io::stdout().lock().flush());
    if code == ExitCode::SUCCESS && STDOUT_FAILED.load(std::sync::atomic::Ordering::Relaxed) {
        return ExitCode::FAILURE;
    }
    code
}

#[derive(Parser, Debug)]
#[command(
    name = "corelab",
    // The version and the commit it was built from (see build.rs).
    version = env!("CORELAB_VERSION"),
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
    #[arg(long, value_name = "TAB", value_parser = ["speedup", "efficiency", "time", "table", "fits", "timeline", "lost-updates"])]
    pub tab: Option<String>,
    /// Workbench only: run the loaded experiment at start (to completion before a screenshot).
    #[arg(long)]
    pub run: bool,
    /// Workbench only: open the export dialog once the results are loaded (with --results).
    #[arg(long)]
    pub export_dialog: bool,
    /// Workbench only: open the keyboard shortcuts help (F1) at start, e.g. for a screenshot
    /// of it.
    #[arg(long)]
    pub shortcuts: bool,
    /// Workbench only: start at this zoom (text size), as Ctrl+plus sets it: 1.5 is five
    /// presses, 2 ten; for screenshots of a projector's view.
    #[arg(long, value_name = "FACTOR", value_parser = parse_zoom)]
    pub zoom: Option<f32>,
    /// Workbench only: the window's inner size in pixels, WIDTHxHEIGHT (a screenshot's is
    /// 1280x800 otherwise).
    #[arg(long, value_name = "WxH", value_parser = parse_window_size)]
    pub window_size: Option<[f32; 2]>,
}

/// `--zoom`: a factor from 0.5 to 4.
fn parse_zoom(s: &str) -> Result<f32, String> {
    let z: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number (e.g. 1.5)"))?;
    if (0.5..=4.0).contains(&z) {
        Ok(z)
    } else {
        Err(format!("{z} is outside 0.5 to 4"))
    }
}

/// `--window-size`: `1024x640`, each side from 200 to 8000 pixels.
fn parse_window_size(s: &str) -> Result<[f32; 2], String> {
    let (w, h) = s
        .trim()
        .split_once(['x', '×'])
        .ok_or_else(|| format!("{s:?} is not WIDTHxHEIGHT (e.g. 1024x640)"))?;
    let side = |v: &str| -> Result<f32, String> {
        match v.trim().parse::<u32>() {
            Ok(n) if (200..=8000).contains(&n) => Ok(n as f32),
            _ => Err(format!("{v:?} is not a size from 200 to 8000 pixels")),
        }
    };
    Ok([side(w)?, side(h)?])
}

/// The exit statuses of `corelab report`, for `--help` and its man page.
const REPORT_AFTER_HELP: &str = "\
A regression gate for CI: `corelab report NEW.json --baseline OLD.json --fail-if-slower 5`
prints each cell (model × workers) of both files with its median wall time and 95% interval,
baseline → new, and its change. A cell is slower only beyond the noise: where its interval lies
wholly above the baseline's (at least 3 timed runs a side; overlapping intervals are \"within the
noise\", whatever the medians say). --fail-if-slower PCT fails on such a cell that is more than
PCT percent slower, and on a cell the baseline measured that failed in the new run; cells in one
file only are named, not failed. --fail-on-lost-updates fails when a timed run of any cell lost
an update. Each failure is one line on stderr (the model, the workers, both medians with their
intervals, the change), then a closing `Gate passed` or `Gate FAILED` line. Runs that differ
(task size, runs per cell, machine, build, interpreter) get a warning line: their times may not
be comparable. `corelab run` takes the same flags and judges the sweep it measured.

Exit status: 0 when every output asked for was written (and the gate, if asked, passed); 1 when
a file cannot be read, or any output could not be made (the others are still written, and
stderr names each that was not; 1 wins over 5); 2 a command-line mistake; 5 the gate failed.";

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run an experiment headless and print a summary table.
    #[command(after_help = RUN_AFTER_HELP)]
    Run(RunArgs),
    /// Charts, a Markdown report and scaling fits from saved results files; several files
    /// are overlaid on one chart to compare runs (e.g. a laptop and a big server), with a
    /// note of what differs between them. Every output asked for is tried; the exit status
    /// is 1 when any could not be written. With --baseline OLD.json, a cell-by-cell
    /// comparison and a regression gate for CI (--fail-if-slower, --fail-on-lost-updates:
    /// exit 5 when it fails).
    #[command(after_help = REPORT_AFTER_HELP)]
    Report(ReportArgs),
    /// List the built-in presets, each with its cells and about how long its sweep takes here;
    /// with a NAME, what that preset shows (its title, description, models, workers, cells and
    /// time), or with `NAME --json` the preset itself, to copy and edit.
    Presets {
        /// A built-in preset's name: describe it instead of listing them all.
        #[arg(value_name = "NAME")]
        name: Option<String>,
        /// With NAME: print the preset's JSON as it is built in, e.g. `corelab presets
        /// lost-updates-processes --json > mine.json`, edit it (its `task`, its `python`),
        /// then `corelab run ./mine.json` (the synchronisation alone: `corelab run
        /// lost-updates-processes --sync mutex`).
        #[arg(long, requires = "name")]
        json: bool,
        /// Resolve the worker sweeps and estimate the time for a machine with this many cores
        /// instead of this one (e.g. `--cores 16` before borrowing a bigger machine); 1 to 1024
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
        cores: Option<u16>,
    },
    /// Measure corelab's own overheads (timer, thread spawn, dispatch per task, pool start-up),
    /// or with `--lessons` measure the classic lessons on this machine, PASS, FAIL or SKIP each.
    #[command(after_help = SELFTEST_AFTER_HELP)]
    Selftest {
        /// Worker count for the dispatch measurements (default: logical cores), 1 to 256.
        #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
            .range(1..=crate::preset::limits::MAX_PROCESS_WORKERS as u64))]
        workers: Option<usize>,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Measure the lessons (GIL flat, processes scale, I/O scales past the cores, lost
        /// updates, contention slows down, CPython's GIL), with a closing count; exit 0 when
        /// all pass, 3 when one fails, 4 when none fails but some are skipped (see below).
        #[arg(long)]
        lessons: bool,
        /// The interpreter for the per-task dispatch of py-multiprocessing, py-dask and py-mpi
        /// (a venv with dask[distributed]; mpi4py and mpiexec for py-mpi). Default: python3.
        #[arg(long, value_name = "INTERPRETER", default_value = "python3")]
        python: String,
    },
    /// Write the man pages or a shell completion script (made from this command line's
    /// definition), as packaging does.
    Generate {
        #[command(subcommand)]
        what: generate::GenerateWhat,
    },
    /// Child-process mode of the `processes` model (speaks JSON lines on stdin/stdout).
    #[command(hide = true)]
    Worker,
}

/// The rules of `corelab run` that `--help` states after the options.
const RUN_AFTER_HELP: &str = "\
PRESET: an argument that contains a `/` or ends in `.json` is a preset file; anything else is
the name of a built-in preset, even when a file of that name exists in the current directory
(write ./NAME to use the file). A results file (`\"format\": \"corelab-results\"`) runs the
experiment it recorded again, at its recorded task size with calibration off. stderr says which
one was used.

Python interpreter: a bare name (python3) is looked up on PATH, a relative path is taken
relative to the preset file's directory, once, before anything runs; the version check and the
workers then start that same absolute path.

Outputs: every output path (--out, --csv, --trace, --svg, --png, --markdown: each its own
file, none of them the preset) and the chart size are checked before the sweep starts. While it
runs, --out is locked (an flock on out-HASH.lock in your private lock directory,
$XDG_RUNTIME_DIR/corelab or $TMPDIR/corelab-locks-UID, holding the pid), keyed on the file it
replaces (a symlink followed to its target, the directory resolved): a second run on the same
file, by any name (./r.json, d/../r.json, a symlink to it), is refused, naming that pid.

An --out that exists already keeps its earlier results until this run completes with at least
one cell measured: meanwhile the rounds are saved beside it, to NAME.partial-XXXXXX.json, and
after an interrupt, a sweep whose cells all failed or a failed save, stderr names that file.

Ctrl-C, SIGTERM and SIGHUP stop the sweep like the workbench's Cancel: the cells measured so
far are saved with \"status\": \"cancelled\" (before the first timed run nothing is saved: a
new --out is not left behind, an existing one keeps its results), child processes and scratch
files are removed, and the exit status is 128 + the signal's number (130 for Ctrl-C). A second signal
stops at once. --csv, --trace and the charts and report are not written after an interrupt
(stderr says so, with the `corelab report SAVED.json --csv … --png …` command that makes them,
the trace apart, from the saved cells).

Standard output: `--csv -` or `--markdown -` (one of them) writes that output to stdout, and
the table, verdict and fits go to stderr, so the stream holds only the CSV or Markdown.

Exit status: 0 every cell measured; 1 an error: before the sweep (a bad preset or option, an
unusable output, a missing interpreter), results that could not be saved, an output (--csv,
--trace, a chart, the report) that could not be made (the others are still written), or
standard output that could not be written; 2 a command-line mistake; 3 the sweep ended but some or all of its
cells failed (stderr names them); 5 the regression gate failed (--baseline OLD.json with
--fail-if-slower PCT, or --fail-on-lost-updates, as `corelab report --help` describes; 1 and 3
win over 5, and an interrupted sweep is not judged); 128 + N interrupted by signal N.";

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A preset file, or the name of a built-in preset (see `corelab presets`). An argument
    /// that contains a `/` or ends in `.json` is a file; anything else is a built-in preset,
    /// even if a file of that name exists here (write `./NAME` for the file). A results file
    /// runs the experiment it recorded again, at its recorded (calibrated) task size with
    /// calibration off, so that the same work is measured. stderr says which was used.
    /// (A path, not text: a file name need not be UTF-8.)
    pub preset: PathBuf,
    /// Write the full results (every raw sample) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the summary table as CSV here (`-`: standard output, and the table, verdict and
    /// fits then go to stderr, so that the stream holds only the CSV).
    #[arg(long, value_name = "FILE|-")]
    pub csv: Option<PathBuf>,
    /// Override the preset's worker counts, e.g. `1,2,4,8,16` (each 1 to 1024; the preset's
    /// models may allow fewer, see the README).
    #[arg(long, value_delimiter = ',', value_name = "N,N,…",
        value_parser = clap::builder::RangedU64ValueParser::<usize>::new()
            .range(1..=crate::preset::limits::MAX_IN_FLIGHT as u64))]
    pub workers: Option<Vec<usize>>,
    /// Override the preset's models, e.g. `sequential,threads,processes`.
    #[arg(long, value_delimiter = ',', value_name = "MODEL,…", value_parser = parse_model)]
    pub models: Option<Vec<ModelKind>>,
    /// Override a `contention` task's synchronisation: `none` (a racy read-then-write: updates
    /// get lost), `mutex` (for `processes` an OS file lock on the shared counter file, for
    /// the Python models threading.Lock or a multiprocessing lock), or, for the Rust thread
    /// models only, `atomic`, `channel` or `semaphore`. E.g. `corelab run lost-updates --sync
    /// mutex`. Refused for any other task, and when a model cannot use it (both named).
    #[arg(long, value_name = "SYNC", value_parser = parse_sync)]
    pub sync: Option<SyncMode>,
    /// Override the number of timed repetitions per cell: the fewest a cell takes. --min-time
    /// and a precision target (the preset's `precision`, or --precision) can add more;
    /// `--min-time 0 --precision 0` runs exactly this many. 1 to 1000.
    #[arg(long, value_name = "N",
        value_parser = clap::value_parser!(u32)
            .range(1..=i64::from(crate::preset::limits::MAX_REPETITIONS)))]
    pub repetitions: Option<u32>,
    /// Override the minimum measured time per cell: short runs are repeated beyond the
    /// repetitions until they add up to this many seconds (0: no minimum; a precision target
    /// can still add runs, see --precision). 0 to 3600.
    #[arg(long, value_name = "SECONDS", value_parser = parse_min_time)]
    pub min_time: Option<f64>,
    /// Override the precision target, in percent (0 to 50): a cell keeps adding timed runs
    /// until the 95% interval of its median is within ± this much of the median (at least 6
    /// runs, at most the preset's precision_budget_s of them). 0 turns the target off, so the
    /// repetitions and --min-time alone decide the runs.
    #[arg(long, value_name = "PCT", value_parser = parse_percent)]
    pub precision: Option<f64>,
    /// Print only the summary table (no progress lines).
    #[arg(long, short)]
    pub quiet: bool,
    /// Write each cell's median-run timeline (who ran when) here, in the Chrome Trace Event
    /// format that Perfetto and chrome://tracing open.
    #[arg(long, value_name = "FILE")]
    pub trace: Option<PathBuf>,
    #[command(flatten)]
    pub gate: gate::GateArgs,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Results files written by `corelab run --out` or the workbench.
    #[arg(required = true, value_name = "RESULTS.json")]
    pub results: Vec<PathBuf>,
    /// Write the summary table as CSV here (`-`: standard output, and the tables go to
    /// stderr), as `corelab run --csv` does; from one results file.
    #[arg(long, value_name = "FILE|-")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub gate: gate::GateArgs,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

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
    /// together), 0.5 to 3: e.g. 0.8 for a 500×320 figure in a paper column. Text does not
    /// shrink with --width and --height by itself.
    #[arg(long, value_name = "F", default_value_t = 1.0, value_parser = parse_text_scale)]
    pub text_scale: f64,
}

impl OutputArgs {
    /// The chart to draw: `--chart`, else speedup (see [`OutputArgs::following_views`]).
    fn chart(&self) -> ChartKind {
        self.chart.unwrap_or_default()
    }

    /// These outputs with `--chart`'s default taken from the experiments' `view`: the chart
    /// it names, when every experiment names the same one and the runs can draw it (a lost-
    /// updates view whose runs counted nothing falls back to speedup). An explicit `--chart`
    /// is kept.
    fn following_views<'a>(
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
    fn following_view_of(&self, exp: &crate::preset::Experiment) -> OutputArgs {
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
fn chart_scales<'a>(
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
fn check_chart_for_task(out: &OutputArgs, task: crate::preset::TaskKind) -> Result<()> {
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

/// A path as messages show it: on one line, its control characters (a newline, an escape
/// sequence: a file name may hold them) escaped, and bytes that are not UTF-8 shown as `�`.
fn path_text(path: &Path) -> String {
    let text = path.display().to_string();
    let text = text.replace('\n', "\\n").replace('\t', "\\t");
    crate::export::sanitize::for_terminal(&text).into_owned()
}

/// The results files named in a message: `a.json` or `a.json and b.json`.
fn inputs_text(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| path_text(p)).collect();
    names.join(" and ")
}
/// Seconds from 0 to [`crate::preset::limits::MAX_MIN_TIME_S`]: what `min_time_s` may be.
fn parse_min_time(s: &str) -> Result<f64, String> {
    let max = crate::preset::limits::MAX_MIN_TIME_S;
    match s.trim().parse::<f64>() {
        Ok(t) if t.is_finite() && (0.0..=max).contains(&t) => Ok(t),
        _ => Err(format!("{s:?} is not a number of seconds from 0 to {max}")),
    }
}

/// A percentage from 0 to 50, as a fraction (`2` → 0.02): what `precision` may be.
fn parse_percent(s: &str) -> Result<f64, String> {
    match s.trim().trim_end_matches('%').parse::<f64>() {
        Ok(p) if p.is_finite() && (0.0..=50.0).contains(&p) => Ok(p / 100.0),
        _ => Err(format!("{s:?} is not a percentage from 0 to 50")),
    }
}
fn parse_sync(s: &str) -> Result<SyncMode, String> {
    SyncMode::ALL
        .into_iter()
        .find(|m| m.id() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = SyncMode::ALL.iter().map(|m| m.id()).collect();
            format!(
                "unknown synchronisation {s:?}; choose from {}",
                names.join(", ")
            )
        })
}

/// `--sync`: switches a contention task's synchronisation, with the preset's own rules (see
/// [`SyncMode::refusal_for`]) said in the option's words; the experiment's name says it was
/// switched, so that its charts and reports do not claim the preset's.
fn override_sync(exp: &mut Experiment, sync: SyncMode) -> Result<()> {
    use crate::preset::TaskKind;
    if exp.task.kind != TaskKind::Contention {
        bail!(
            "--sync {}: the preset's task is `{}`; only a `contention` task (e.g. lost-updates, \
             lock-contention) has a synchronisation to switch",
            sync.id(),
            exp.task.kind.id()
        );
    }
    if let Some((model, reason)) = exp
        .models
        .iter()
        .find_map(|&m| sync.refusal_for(m).map(|r| (m, r)))
    {
        bail!(
            "--sync {} cannot be used with the model {model}: {reason} (choose --sync none or \
             mutex, or leave {model} out with --models)",
            sync.id()
        );
    }
    if exp.task.contention.sync != sync {
        exp.task.contention.sync = sync;
        exp.name = format!("{} (run with --sync {})", exp.name, sync.id());
    }
    Ok(())
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
    // Before any thread: under `ulimit -v`, what a thread costs must be its stack alone.
    crate::sys::cap_malloc_arenas_under_address_limit();
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
    // The commands that start processes: corelab adopts its descendants' orphans, stops what a
    // killed corelab left running, and at its end stops whatever still carries its marks.
    let starts_processes = matches!(
        cli.command,
        None | Some(Command::Run(_)) | Some(Command::Selftest { .. })
    );
    if starts_processes {
        start_owning_processes(cli.command.is_some());
    }
    let code = dispatch(cli);
    if starts_processes {
        crate::engine::run_mark::stop_everything_this_corelab_started();
    }
    code
}

/// Before a command that starts processes: makes corelab the subreaper of its descendants and,
/// for `run` and `selftest` (`command_line`), stops the processes left by a corelab that was
/// killed, saying so in one line on stderr (the workbench does that itself, and says it in its
/// window too).
fn start_owning_processes(command_line: bool) {
    if let Err(e) = crate::sys::become_child_subreaper() {
        errln!("corelab: cannot adopt the orphans of the processes it starts: {e}");
    }
    if command_line {
        let stopped = crate::engine::run_mark::stop_leftovers_of_killed_runs();
        if let Some(line) = crate::engine::run_mark::leftovers_line(stopped) {
            errln!("{line}");
        }
    }
}

/// Runs the command `cli` names.
fn dispatch(cli: Cli) -> ExitCode {
    let outcome = match cli.command {
        None => open_workbench(cli),
        Some(Command::Worker) => return ExitCode::from(worker::serve() as u8),
        Some(Command::Presets { name, json, cores }) => match name {
            Some(name) => show_preset(&name, json, cores.map(usize::from)),
            None => {
                list_presets(cores.map(usize::from));
                Ok(())
            }
        },
        Some(Command::Run(args)) => match run(&args) {
            Ok(code) => return with_stdout_checked(code),
            Err(e) => Err(e),
        },
        Some(Command::Selftest {
            workers,
            json,
            lessons,
            python,
        }) => match lessons {
            true => match selftest_lessons(json) {
                Ok(code) => return with_stdout_checked(code),
                Err(e) => Err(e),
            },
            false => selftest(workers, json, &python),
        },
        Some(Command::Report(args)) => match report(&args) {
            Ok(code) => return with_stdout_checked(code),
            Err(e) => Err(e),
        },
        Some(Command::Generate { what }) => generate::generate(&what),
    };
    match outcome {
        Ok(()) => with_stdout_checked(ExitCode::SUCCESS),
        Err(e) => {
            errln!(
                "Error: {}",
                crate::export::sanitize::for_terminal(&error_line(&e))
            );
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line, `outer: inner: …` as `{e:#}` writes it, but a cause
/// that the message before it already ends with (an error that shows its source in its own
/// text, e.g. `cannot read preset file x: No such file …`) is not said twice.
fn error_line(e: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if line.is_empty() {
            line = text;
        } else if !line.ends_with(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

/// Exit status of `selftest --lessons` when a lesson failed (whatever the others did).
pub const EXIT_LESSON_FAILED: u8 = 3;
/// Exit status of `selftest --lessons` when none failed but some were skipped: inconclusive
/// (on a busy machine, typically) or not measurable here (no python3, one core).
pub const EXIT_LESSONS_SKIPPED: u8 = 4;

/// The exit status of `selftest --lessons` for how they went: 0 every lesson passed,
/// [`EXIT_LESSON_FAILED`] one failed, [`EXIT_LESSONS_SKIPPED`] none failed but not all passed.
fn lessons_exit_code(summary: &crate::engine::lessons::LessonsSummary) -> u8 {
    if summary.failed > 0 {
        EXIT_LESSON_FAILED
    } else if summary.passed < summary.lessons {
        EXIT_LESSONS_SKIPPED
    } else {
        0
    }
}

/// The exit statuses and JSON of `corelab selftest`, for `--help` and its man page.
const SELFTEST_AFTER_HELP: &str = "\
With --lessons, a closing line counts the lessons passed, failed and skipped (on stderr with
--json), and the exit status says how they went: 0 every lesson passed; 3 a lesson failed; 4
none failed but some were skipped (inconclusive, as other programs competed for the cores or
the runs could not tell, or not measurable here: no python3, one core); 1 an error (the lessons
could not be run); 2 a command-line mistake. A lesson that fails or cannot tell while the
machine is busy is measured up to 3 times, so on a busy machine it takes a few minutes rather
than about one.

--lessons --json prints an array, one object a lesson: name, figure, expected, busy (a note or
null) and verdict, an object tagged by kind: {\"kind\": \"pass\"}, {\"kind\": \"fail\"},
{\"kind\": \"skipped\", \"reason\": …} or {\"kind\": \"inconclusive\", \"reason\": …}.

Without --lessons: a closing line on stderr says whether other programs competed for the cores
while it measured (a warning when they did: the figures are then noisy and likely high); exit
status 0 measured; 1 an error.";

/// `corelab selftest --lessons`: each lesson's figure and PASS/FAIL/SKIP, as measured here,
/// a closing count, and the exit status of [`lessons_exit_code`].
fn selftest_lessons(json: bool) -> Result<ExitCode> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    if !json {
        outln!(
            "Measuring the lessons on {} (about a minute on a quiet machine; a lesson that fails \
             or cannot tell while other programs compete for the cores is measured up to {} \
             times, which takes a few minutes)",
            crate::words::count(cores, "core"),
            crate::engine::lessons::MAX_ATTEMPTS
        );
    }
    let lessons = crate::engine::lessons::run_lessons(&worker, cores, &mut |l| {
        if !json {
            outln!("{}", l.line());
        }
    });
    let summary = crate::engine::lessons::LessonsSummary::of(&lessons);
    if json {
        outln!("{}", serde_json::to_string_pretty(&lessons)?);
        // stdout stays one JSON document.
        errln!("{}", summary.line());
    } else {
        outln!("{}", summary.line());
    }
    Ok(ExitCode::from(lessons_exit_code(&summary)))
}

fn selftest(workers: Option<usize>, json: bool, python: &str) -> Result<()> {
    let workers =
        workers.unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    if workers == 0 || workers > crate::preset::limits::MAX_PROCESS_WORKERS {
        bail!(
            "--workers {workers}: choose 1 to {}",
            crate::preset::limits::MAX_PROCESS_WORKERS
        );
    }
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    let load = crate::engine::load::LoadWatch::start();
    let mut rows =
        crate::engine::selftest::run_selftest(&worker, workers).map_err(anyhow::Error::msg)?;
    let options = crate::preset::PythonOptions {
        interpreter: python.to_string(),
        ..crate::preset::PythonOptions::default()
    };
    for (model, outcome) in crate::engine::selftest::run_python_selftest(&options, workers) {
        match outcome {
            Ok(row) => rows.push(row),
            Err(reason) => errln!(
                "skipped: dispatch per task: {model}: {}",
                crate::export::sanitize::for_terminal(&selftest_reason(&reason))
            ),
        }
    }
    // After the figures, on stderr (so that --json's stdout stays one JSON document).
    let load_line = crate::engine::selftest::load_line(load.evidence().as_ref());
    if json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        errln!("{load_line}");
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
    errln!("{load_line}");
    Ok(())
}

/// A reason the engine gives for a Python model it cannot run, as `selftest` says it: the
/// engine's hints name the preset's field, which on this command line is `--python`.
fn selftest_reason(reason: &str) -> String {
    reason
        .replace("set python.interpreter to ", "pass --python ")
        .replace("set python.interpreter", "pass --python INTERPRETER")
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
        export_dialog: cli.export_dialog,
        shortcuts: cli.shortcuts,
        zoom: cli.zoom,
        window_size: cli.window_size,
    })
}

#[cfg(not(feature = "gui"))]
fn open_workbench(_cli: Cli) -> Result<()> {
    bail!("this corelab was built without the workbench (feature `gui`); use `corelab run`")
}

/// The built-in presets, each with its title and what its sweep will cost on this machine
/// ([`crate::engine::estimate`]).
fn list_presets(cores: Option<usize>) {
    let here = crate::preset::available_cores();
    let cores = cores.unwrap_or(here);
    for p in builtin_presets() {
        match p.experiment() {
            Ok(mut e) => {
                if let Some(rule) = e.worker_rule.as_ref().filter(|_| cores != here) {
                    e.workers = rule.resolve(cores);
                }
                outln!(
                    "{:<28} {:<46} {}",
                    p.id,
                    e.name,
                    crate::engine::estimate::estimate(&e, cores).words()
                )
            }
            Err(err) => outln!("{:<28} (broken: {err})", p.id),
        }
    }
    // On stderr: stdout stays one line a preset.
    errln!(
        "`corelab presets NAME` says what a preset shows; `corelab presets NAME --json` prints it to copy and edit"
    );
}

/// The built-in preset `name`, or an error that lists the names.
fn builtin_named(name: &str) -> Result<&'static crate::preset::BuiltinPreset> {
    find_builtin(name).ok_or_else(|| {
        let names: Vec<&str> = builtin_presets().iter().map(|p| p.id).collect();
        anyhow::anyhow!(
            "\"{}\" is not a built-in preset; choose one of {}",
            crate::export::sanitize::for_terminal_line(name),
            names.join(", ")
        )
    })
}

/// `corelab presets NAME`: what the preset shows, and how to run or copy it; with `json`, its
/// JSON as built in.
fn show_preset(name: &str, json: bool, cores: Option<usize>) -> Result<()> {
    let preset = builtin_named(name)?;
    if json {
        out!("{}", preset.json);
        if !preset.json.ends_with('\n') {
            outln!("");
        }
        return Ok(());
    }
    let mut e = preset
        .experiment()
        .with_context(|| format!("the built-in preset {} is broken", preset.id))?;
    let here = crate::preset::available_cores();
    let cores = cores.unwrap_or(here);
    if let Some(rule) = e.worker_rule.as_ref().filter(|_| cores != here) {
        e.workers = rule.resolve(cores);
    }
    outln!("{}: {}", preset.id, e.name);
    outln!("");
    outln!("{}", e.description);
    outln!("");
    outln!("Models:");
    for m in &e.models {
        // Which kind of thread a teacher is looking at: "threads" is not Python's.
        let python = match m {
            _ if m.is_python() => " (real CPython)",
            ModelKind::Threads | ModelKind::Rayon => " (Rust threads, no GIL)",
            ModelKind::GilThreads => " (Rust threads behind an emulated GIL)",
            ModelKind::Processes => " (corelab's own worker processes, no Python)",
            _ => "",
        };
        outln!("  {}{python}: {}", m.id(), m.explanation());
    }
    let workers: Vec<String> = e.workers.iter().map(usize::to_string).collect();
    let rule = e
        .worker_rule
        .as_ref()
        .map_or(String::new(), |r| format!(" ({})", r.describe()));
    outln!("Workers: {}{rule}", workers.join(", "));
    outln!("Task: {}", e.task.kind.id());
    outln!("Baseline: {}", e.baseline.describe());
    let on = match cores == here {
        true => "here".to_string(),
        false => format!("on {}", crate::words::count(cores, "core")),
    };
    outln!(
        "Sweep {on}: {}",
        crate::engine::estimate::estimate(&e, cores).words()
    );
    outln!("");
    outln!("Run it: corelab run {}", preset.id);
    outln!(
        "Copy and edit it: corelab presets {0} --json > my-{0}.json, then corelab run ./my-{0}.json",
        preset.id
    );
    Ok(())
}

/// Exit status of `corelab run` when the sweep ended but some of its cells failed.
pub const EXIT_CELLS_FAILED: u8 = 3;

/// A results file in place of a preset: its recorded experiment is run again (see
/// [`ResultsFile::rerun_experiment`]), and stderr says so.
fn is_results_file(path: &Path) -> bool {
    crate::safe_fs::read_regular_text(path, crate::results::MAX_RESULTS_BYTES)
        .is_ok_and(|text| ResultsFile::is_results_document(&text))
}

/// Loads the preset `arg` names, by the rule of [`Experiment::arg_names_a_file`], and says on
/// stderr which one was used; a results file gives the experiment it recorded. Returns the
/// experiment, for a file its directory (relative interpreter paths in it are resolved
/// against that directory), where it came from in words (`built-in preset cpu-bound`), and
/// for a results file the results it recorded.
type LoadedPreset = (Experiment, Option<PathBuf>, String, Option<ResultsFile>);

fn load_preset(arg: &Path, quiet: bool) -> Result<LoadedPreset> {
    // In messages: on one line, control characters escaped, bytes that are not UTF-8 shown
    // as U+FFFD; the file itself is opened by its exact name.
    let shown = path_text(arg);
    if arg_names_a_file(arg) {
        let path = arg;
        let dir = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        if is_results_file(path) {
            let results = ResultsFile::load(path)
                .with_context(|| format!("cannot run the experiment recorded in {shown}"))?;
            let (exp, calibration) = results.rerun_experiment();
            if !quiet {
                errln!(
                    "Preset: the experiment recorded in the results file {shown} ({}){}",
                    crate::export::sanitize::for_terminal_line(&results.experiment.name),
                    calibration.map_or(String::new(), |c| format!("; {c}"))
                );
            }
            return Ok((exp, dir, format!("results file {shown}"), Some(results)));
        }
        let exp = Experiment::load(path).with_context(|| format!("cannot use preset {shown}"))?;
        if !quiet {
            errln!("Preset: the file {shown}");
        }
        return Ok((exp, dir, format!("preset file {shown}"), None));
    }
    let Some(builtin) = arg.to_str().and_then(find_builtin) else {
        let hint = if arg.exists() {
            format!(" (a file {shown} exists here: write ./{shown} to use it)")
        } else {
            String::new()
        };
        bail!(
            "\"{shown}\" is not a built-in preset{hint}; a preset file is named by a path that contains a `/` or ends in .json (see `corelab presets`)"
        );
    };
    let exp = builtin
        .experiment()
        .with_context(|| format!("cannot use preset {shown}"))?;
    if !quiet {
        let shadow = if arg.exists() {
            format!(" (not the file {shown} in this directory: write ./{shown} for that)")
        } else {
            String::new()
        };
        errln!("Preset: the built-in preset {shown}{shadow}");
    }
    Ok((exp, None, format!("built-in preset {shown}"), None))
}

/// [`Experiment::arg_names_a_file`] for an argument that need not be UTF-8: a name that is not
/// is a file when it contains a `/` or ends in `.json` (no built-in preset's name is such).
fn arg_names_a_file(arg: &Path) -> bool {
    match arg.to_str() {
        Some(text) => Experiment::arg_names_a_file(text),
        None => {
            let bytes = arg.as_os_str().as_encoded_bytes();
            bytes.contains(&b'/') || bytes.ends_with(b".json")
        }
    }
}

/// The most characters of a command line a results file records.
const COMMAND_LINE_CHARS: usize = 2000;

/// `args` (the program first) as one line for the results' provenance: the program by its
/// file name, the home directory written `~`, control characters escaped, arguments with
/// spaces or quotes single-quoted; at most [`COMMAND_LINE_CHARS`] characters.
pub fn sanitised_command_line(
    args: impl IntoIterator<Item = std::ffi::OsString>,
    home: Option<&Path>,
) -> String {
    let home = home
        .and_then(Path::to_str)
        .filter(|h| h.len() > 1)
        .map(|h| h.trim_end_matches('/'));
    let words: Vec<String> = args
        .into_iter()
        .enumerate()
        .map(|(i, arg)| {
            let mut text = arg.to_string_lossy().into_owned();
            if i == 0 {
                text = Path::new(&text)
                    .file_name()
                    .map_or(text.clone(), |n| n.to_string_lossy().into_owned());
            }
            if let Some(home) = home {
                // The home directory at the start of the argument or of a `--flag=` value.
                let start = text.find('=').map_or(0, |eq| eq + 1);
                let rest = &text[start..];
                if rest == home || rest.starts_with(&format!("{home}/")) {
                    text = format!("{}~{}", &text[..start], &rest[home.len()..]);
                } else if start > 0 && (text == home || text.starts_with(&format!("{home}/"))) {
                    text = format!("~{}", &text[home.len()..]);
                }
            }
            let text = crate::export::sanitize::for_terminal_line(&text).into_owned();
            if text.is_empty() || text.contains([' ', '\'', '"', '$', '`', ';', '&', '|']) {
                format!("'{}'", text.replace('\'', "'\\''"))
            } else {
                text
            }
        })
        .collect();
    let line = words.join(" ");
    match line.chars().count() > COMMAND_LINE_CHARS {
        true => format!(
            "{}…",
            line.chars().take(COMMAND_LINE_CHARS).collect::<String>()
        ),
        false => line,
    }
}

/// This process's command line, for the results' provenance.
fn this_command_line() -> String {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    sanitised_command_line(std::env::args_os(), home.as_deref())
}

/// Refuses, before any measuring, an output that could not be written at the end: a missing or
/// unwritable directory, a target that is a directory, a fifo or a device, the same file named
/// twice, a file that is also an input (the preset, a results file), a chart size the
/// exporters refuse. `outputs` pairs each flag with its path, when given.
fn check_outputs(
    outputs: &[(&str, Option<&PathBuf>)],
    inputs: &[&Path],
    charts: &OutputArgs,
) -> Result<()> {
    let mut seen: Vec<(&str, FileId)> = Vec::new();
    let inputs: Vec<FileId> = inputs.iter().map(|p| FileId::of(p)).collect();
    let mut to_stdout: Option<&str> = None;
    for &(flag, path) in outputs {
        let Some(path) = path else { continue };
        if is_stdout(path) {
            if !STDOUT_FLAGS.contains(&flag) {
                bail!(
                    "{flag} -: only {} can write to standard output (`-`); name a file \
                     (./- for a file called -)",
                    STDOUT_FLAGS.join(" and ")
                );
            }
            if let Some(other) = to_stdout {
                bail!("{flag} - and {other} -: only one output can go to standard output");
            }
            to_stdout = Some(flag);
            continue;
        }
        check_output_path(flag, path)?;
        let key = FileId::of(path);
        if let Some((other, _)) = seen.iter().find(|(_, p)| *p == key) {
            bail!(
                "{flag} {} is also given to {other}: each output needs its own file",
                path_text(path)
            );
        }
        if inputs.contains(&key) {
            bail!(
                "{flag} {} is both an input and an output: it would be overwritten",
                path_text(path)
            );
        }
        seen.push((flag, key));
    }
    if charts.svg.is_some() || charts.png.is_some() {
        check_chart_size(charts)?;
    }
    // Axes the chart kind cannot have are refused whatever the results and whatever outputs
    // are asked for (before a sweep, too): the flags would otherwise be ignored in silence.
    chart_scales(charts, std::iter::empty())?;
    Ok(())
}

/// Which file a path names, so that two names of one file (a symlink, a hard link, `./x`
/// and `x`) compare equal: its device and inode when it exists, else its absolute path with
/// the directory's symlinks resolved.
#[derive(Debug, PartialEq)]
enum FileId {
    Inode { dev: u64, ino: u64 },
    Path(PathBuf),
}

impl FileId {
    fn of(path: &Path) -> FileId {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            return FileId::Inode {
                dev: meta.dev(),
                ino: meta.ino(),
            };
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        match (absolute.parent(), absolute.file_name()) {
            (Some(dir), Some(name)) => FileId::Path(
                std::fs::canonicalize(dir).map_or_else(|_| absolute.clone(), |d| d.join(name)),
            ),
            _ => FileId::Path(absolute),
        }
    }
}

/// The chart and report outputs of [`OutputArgs`], flag by flag.
fn chart_outputs(charts: &OutputArgs) -> [(&'static str, Option<&PathBuf>); 3] {
    [
        ("--svg", charts.svg.as_ref()),
        ("--png", charts.png.as_ref()),
        ("--markdown", charts.markdown.as_ref()),
    ]
}

/// The limits the chart exporters apply (see `export::chart`), checked up front.
fn check_chart_size(out: &OutputArgs) -> Result<()> {
    if !(200..=8000).contains(&out.width) || !(150..=8000).contains(&out.height) {
        let err = crate::export::ChartError::Size(out.width, out.height);
        bail!("--width {} --height {}: {err}", out.width, out.height);
    }
    Ok(())
}

/// `path` can be written atomically: it is a new name or a regular file, or a symbolic link
/// to a regular file (written through, see [`crate::safe_fs::output_target`]), not in `/dev`,
/// `/proc` or `/sys`, and the directory of the file that will be replaced takes a new file.
fn check_output_path(flag: &str, path: &Path) -> Result<()> {
    let shown = path_text(path);
    if path.as_os_str().is_empty() {
        bail!("{flag} is empty: give a file name");
    }
    let target = crate::safe_fs::output_target(path).map_err(|e| {
        anyhow::anyhow!(
            "{flag} {}",
            crate::export::sanitize::for_terminal_line(&e.to_string())
        )
    })?;
    let file = target.file.as_path();
    if target.exists
        && let Ok(meta) = std::fs::metadata(file)
        && meta.permissions().readonly()
    {
        // The file is replaced by a rename, which its mode does not prevent; but a
        // read-only file is usually a file someone meant to keep.
        bail!("{flag} {shown} is read-only; remove it or choose another file")
    }
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match std::fs::metadata(&dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => bail!("{flag} {shown}: {} is not a directory", path_text(&dir)),
        Err(e) => bail!(
            "{flag} {shown}: the directory {} is not usable: {e}",
            path_text(&dir)
        ),
    }
    // The results are written as a temporary file in that directory, then renamed: try it.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = dir.join(format!(".corelab-check-{}-{n}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(file) => {
            drop(file);
            std::fs::remove_file(&probe).ok();
            Ok(())
        }
        Err(e) => bail!(
            "{flag} {shown}: cannot create files in {}: {e}",
            path_text(&dir)
        ),
    }
}

/// The file a write to `out` replaces, as one name for all the ways of naming it: a symbolic
/// link followed to its target ([`crate::safe_fs::output_target`]), then that file's
/// directory resolved (`canonicalize`: no symlink, `.` or `..` left) and its file name, so that
/// `r.json`, `./r.json`, `d/../r.json`, `/abs/r.json` and a link to `r.json` are one key.
fn resolved_output(out: &Path) -> PathBuf {
    let target = crate::safe_fs::output_target(out).map_or_else(|_| out.to_path_buf(), |t| t.file);
    let absolute = std::path::absolute(&target).unwrap_or(target);
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| absolute.clone()),
        _ => absolute.clone(),
    }
}

/// The lock file of a run writing `out`: `out-<hash>.lock` in this user's private lock
/// directory ([`private_lock_dir`]), where `<hash>` is a stable hash (FNV-1a) of the file the
/// write replaces ([`resolved_output`]), so that every name of one target (`r.json`,
/// `./r.json`, `d/../r.json`, `/abs/r.json`, a symlink to it) shares one lock. It lives
/// outside `out`'s directory so that a run killed with SIGKILL leaves nothing there, and
/// outside the shared temporary directory so that another user cannot plant it (the name is
/// predictable by design: two runs must find the same lock).
pub fn output_lock_path(out: &Path) -> Result<PathBuf> {
    let key = resolved_output(out);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Ok(private_lock_dir()?.join(format!("out-{hash:016x}.lock")))
}

/// A directory only this user can write: `$XDG_RUNTIME_DIR/corelab` when the session has one
/// (it is private by specification), else `corelab-locks-<uid>` in the temporary directory.
/// Either is created with mode 0700; an existing one is used only if it is a real directory
/// (not a symlink) owned by this user and closed to others, otherwise corelab refuses.
pub fn private_lock_dir() -> Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let uid = crate::sys::effective_uid();
    let (dir, from) = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(runtime) if Path::new(&runtime).is_absolute() => {
            (Path::new(&runtime).join("corelab"), "XDG_RUNTIME_DIR")
        }
        _ => (
            std::env::temp_dir().join(format!("corelab-locks-{uid}")),
            "TMPDIR, else /tmp",
        ),
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => bail!(
            "cannot create the lock directory {} (in {from}): {e}; point {} at a directory you can write",
            path_text(&dir),
            from.split(',').next().unwrap_or(from)
        ),
    }
    let meta = std::fs::symlink_metadata(&dir)
        .with_context(|| format!("cannot inspect the lock directory {}", path_text(&dir)))?;
    if !meta.is_dir() || meta.uid() != uid || meta.permissions().mode() & 0o077 != 0 {
        bail!(
            "refusing the lock directory {}: it must be a directory owned by you (uid {uid}) \
             with mode 0700, and it is {} owned by uid {} with mode {:o}; remove it and retry",
            path_text(&dir),
            if meta.file_type().is_symlink() {
                "a symlink"
            } else if meta.is_dir() {
                "a directory"
            } else {
                "a file"
            },
            meta.uid(),
            meta.permissions().mode() & 0o7777
        );
    }
    Ok(dir)
}

/// An exclusive lock on [`output_lock_path`]`(out)`, held while a run writes `out`; the file
/// holds the holder's pid and is removed when the lock is dropped.
struct OutputLock {
    path: PathBuf,
    file: std::fs::File,
}

impl OutputLock {
    fn take(out: &Path) -> Result<OutputLock> {
        use std::io::{Read as _, Seek as _, Write as _};
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let path = output_lock_path(out)?;
        // A lock file removed by the previous holder between our open and our flock is a
        // stale inode: try again with the new file.
        for _ in 0..8 {
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                // Never follow a symlink, even in a private directory.
                .custom_flags(libc::O_NOFOLLOW)
                .mode(0o600)
                .open(&path)
                .with_context(|| format!("cannot create the lock file {}", path_text(&path)))?;
            if let Err(e) = crate::sys::flock(&file, crate::sys::Lock::ExclusiveNow) {
                if e.kind() != std::io::ErrorKind::WouldBlock {
                    bail!("cannot lock {}: {e}", path_text(&path));
                }
                let mut holder = String::new();
                file.read_to_string(&mut holder).ok();
                let who = match holder.trim().parse::<u32>() {
                    Ok(pid) => format!("another corelab run (pid {pid})"),
                    Err(_) => "another corelab run".to_string(),
                };
                bail!(
                    "{who} is writing {} (it holds the lock {}); wait for it to finish or choose another --out",
                    path_text(out),
                    path_text(&path)
                );
            }
            let same = match (file.metadata(), std::fs::symlink_metadata(&path)) {
                (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino() && a.is_file(),
                _ => false,
            };
            if !same {
                continue;
            }
            // Fixed width, so the old content is overwritten without truncating.
            file.rewind().ok();
            writeln!(file, "{:<20}", std::process::id()).ok();
            return Ok(OutputLock { path, file });
        }
        bail!("cannot lock {}: it keeps being replaced", path_text(&path))
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked, so that no other run locks a file about to vanish.
        std::fs::remove_file(&self.path).ok();
        crate::sys::flock(&self.file, crate::sys::Lock::Unlock).ok();
    }
}

/// Where `corelab run` saves its results while the sweep runs, and what becomes of `--out`.
///
/// When `--out` does not exist at the start, the sweep saves straight into it after every
/// round. When it exists, it holds earlier results that must not be lost to a run that is
/// interrupted, whose cells all fail or whose saves fail: the sweep then saves into a sibling
/// `NAME.partial-XXXXXX.json`, created exclusively with an unpredictable name, and `--out` is
/// replaced (atomically) only by a completed sweep with at least one measured cell.
struct OutTarget {
    out: PathBuf,
    partial: Option<PathBuf>,
}

/// Where [`OutTarget::finish`] left this run's results.
enum Saved {
    /// In `--out`.
    Out(PathBuf),
    /// In the partial file; `out` keeps its earlier results.
    Partial { partial: PathBuf, out: PathBuf },
    /// Nowhere: nothing was measured (no timed run, no failed cell). `out` keeps its earlier
    /// results where it had some (`earlier`); a new `out` is not left behind.
    Nothing { out: PathBuf, earlier: bool },
}

impl OutTarget {
    fn new(out: &Path) -> Result<OutTarget> {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(out) else {
            return Ok(OutTarget {
                out: out.to_path_buf(),
                partial: None,
            });
        };
        let dir = match out.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let stem = out
            .file_stem()
            .map_or_else(|| "results".into(), |s| s.to_string_lossy().into_owned());
        // As private as the file it stands in for (the umask still applies).
        let mode = meta.permissions().mode() & 0o777;
        let (_, partial) = tempfile::Builder::new()
            .prefix(&format!("{stem}.partial-"))
            .suffix(".json")
            .permissions(std::fs::Permissions::from_mode(mode))
            .tempfile_in(dir)
            .and_then(|t| t.keep().map_err(|e| e.error))
            .map_err(|e| {
                anyhow::anyhow!(
                    "--out {}: cannot create a file for this run's results beside it: {e}",
                    path_text(out)
                )
            })?;
        // Named beside `out` as the user named `out`.
        let partial = partial
            .file_name()
            .map_or(partial.clone(), |n| out.with_file_name(n));
        Ok(OutTarget {
            out: out.to_path_buf(),
            partial: Some(partial),
        })
    }

    /// The file the sweep saves into after every round.
    fn sweep_path(&self) -> &Path {
        self.partial.as_deref().unwrap_or(&self.out)
    }

    /// Saves the finished sweep's `results` where they belong (see [`OutTarget`]).
    /// `behind`: a save during the sweep failed, so the sweep's file may be out of date.
    fn finish(&self, results: &ResultsFile, behind: bool) -> Result<Saved> {
        let out = &self.out;
        let anything = results.cells.iter().any(|c| !c.samples.is_empty())
            || results.cells.iter().any(|c| c.status == CellStatus::Failed);
        let Some(partial) = &self.partial else {
            if !anything {
                // A new file with no cell measured (a signal before the first timed run) is
                // of no use to anyone: the sweep's own save of it is removed (the lock on
                // `out` means no other run wrote it).
                std::fs::remove_file(out).ok();
                return Ok(Saved::Nothing {
                    out: out.clone(),
                    earlier: false,
                });
            }
            if behind {
                // One more try now, and an error if it fails too.
                save_results(results, out)?;
            }
            return Ok(Saved::Out(out.clone()));
        };
        let measured = results.cells.iter().any(|c| c.status == CellStatus::Ok);
        if results.status == RunStatus::Complete && measured {
            return match save_results(results, out) {
                Ok(()) => {
                    std::fs::remove_file(partial).ok();
                    Ok(Saved::Out(out.clone()))
                }
                Err(e) => {
                    let kept = match behind {
                        true => save_results(results, partial).is_ok(),
                        false => true,
                    };
                    if !kept {
                        std::fs::remove_file(partial).ok();
                        bail!("{e}; {} keeps its earlier results", path_text(out));
                    }
                    bail!(
                        "{e}; {} keeps its earlier results, and this run's are in {}",
                        path_text(out),
                        path_text(partial)
                    )
                }
            };
        }
        if !anything {
            std::fs::remove_file(partial).ok();
            return Ok(Saved::Nothing {
                out: out.clone(),
                earlier: true,
            });
        }
        if behind && let Err(e) = save_results(results, partial) {
            std::fs::remove_file(partial).ok();
            bail!("{e}; {} keeps its earlier results", path_text(out));
        }
        Ok(Saved::Partial {
            partial: partial.clone(),
            out: out.clone(),
        })
    }
}

/// What `run` says when a signal stopped it: how many cells have timed runs (and how many of
/// them got all their runs), and where they were saved.
fn interrupted_line(
    signal: &str,
    results: &ResultsFile,
    cells_planned: usize,
    saved: Option<&Saved>,
) -> String {
    let with_runs = results
        .cells
        .iter()
        .filter(|c| !c.samples.is_empty())
        .count();
    let runs: usize = results.cells.iter().map(|c| c.samples.len()).sum();
    let complete = results
        .cells
        .iter()
        .filter(|c| c.status != CellStatus::Cancelled)
        .count();
    let where_ = match saved {
        Some(Saved::Out(path)) => format!(
            ", saved to {} with \"status\": \"cancelled\"",
            path_text(path)
        ),
        Some(Saved::Partial { partial, out }) => format!(
            ", saved to {} with \"status\": \"cancelled\" ({} keeps its earlier results)",
            path_text(partial),
            path_text(out)
        ),
        Some(Saved::Nothing { out, earlier: true }) => format!(
            "; nothing was measured, so nothing was saved ({} keeps its earlier results)",
            path_text(out)
        ),
        Some(Saved::Nothing {
            out,
            earlier: false,
        }) => format!(
            "; nothing was measured, so nothing was saved ({} was not written)",
            path_text(out)
        ),
        None if runs > 0 => "; not saved (no --out)".to_string(),
        None => String::new(),
    };
    let plural = |n: usize, one: &str| match n {
        1 => format!("1 {one}"),
        n => format!("{n} {one}s"),
    };
    format!(
        "Interrupted by {signal}: {with_runs} of {cells_planned} cells have runs ({}; {} complete){where_}",
        plural(runs, "timed run"),
        plural(complete, "cell"),
    )
}

/// [`ResultsFile::save`], with the reason said once.
fn save_results(results: &ResultsFile, path: &Path) -> Result<()> {
    results.save(path).map_err(|e| {
        let reason = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
        anyhow::anyhow!("cannot save the results to {}: {reason}", path_text(path))
    })
}

/// Cancels `cancel` when SIGINT, SIGTERM or SIGHUP arrives (checked every 20 ms on a helper
/// thread), saying so on stderr.
fn cancel_on_signals(cancel: &CancelToken) -> Result<()> {
    crate::sys::catch_termination_signals().context("cannot catch SIGINT/SIGTERM/SIGHUP")?;
    let cancel = cancel.clone();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            loop {
                if let Some(signal) = crate::sys::termination_signal() {
                    errln!(
                        "{}: stopping; the cells measured so far are kept (send it again to stop at once)",
                        crate::sys::signal_name(signal)
                    );
                    cancel.cancel();
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
        })
        .context("cannot start the signal watcher")?;
    Ok(())
}

/// `corelab run`: load, override, validate, check the outputs, lock `--out`, sweep, print,
/// write. The exit status says how it ended: 0 every cell measured, 1 an error (before the
/// sweep, or a results file that could not be saved), [`EXIT_CELLS_FAILED`] some or all cells
/// failed (they are named), 128 + the signal's number when interrupted.
pub fn run(args: &RunArgs) -> Result<ExitCode> {
    let (mut exp, preset_dir, mut preset_source, recorded) = load_preset(&args.preset, args.quiet)?;
    if args.workers.is_some()
        || args.models.is_some()
        || args.repetitions.is_some()
        || args.sync.is_some()
        || args.min_time.is_some()
        || args.precision.is_some()
    {
        preset_source.push_str(" (with command-line overrides)");
    }
    if let Some(w) = &args.workers {
        exp.workers = w.clone();
    }
    if let Some(m) = &args.models {
        exp.models = m.clone();
    }
    if let Some(sync) = args.sync {
        override_sync(&mut exp, sync)?;
    }
    if let Some(r) = args.repetitions {
        exp.repetitions = r;
    }
    if let Some(t) = args.min_time {
        exp.min_time_s = t;
    }
    if let Some(p) = args.precision {
        exp.precision = p;
    }
    exp.validate().with_context(|| {
        format!(
            "preset {} with the command-line overrides",
            path_text(&args.preset)
        )
    })?;
    if let Some(dir) = preset_dir.as_deref() {
        exp.task.function.anchor(dir); // a relative module path is relative to the preset
        exp.task.command.anchor(dir); // and so is a relative program path
    } else if let Ok(dir) = std::env::current_dir() {
        // A preset with no folder of its own (a built-in, standard input): as `python
        // mywork.py` would, against the current directory.
        exp.task.function.anchor(&dir);
    }
    // The chart the preset's view names, unless --chart names one.
    let chart_args = args.outputs.following_view_of(&exp);
    // What the run reads: no output may replace it.
    let mut inputs: Vec<&Path> = Vec::new();
    if arg_names_a_file(&args.preset) {
        inputs.push(&args.preset);
    }
    if exp.task.kind == crate::preset::TaskKind::Function && !exp.task.function.file.is_empty() {
        inputs.push(Path::new(&exp.task.function.file));
    }
    if let Some(baseline) = &args.gate.baseline {
        inputs.push(baseline);
    }
    let mut outputs = vec![
        ("--out", args.out.as_ref()),
        ("--csv", args.csv.as_ref()),
        ("--trace", args.trace.as_ref()),
    ];
    outputs.extend(chart_outputs(&chart_args));
    check_outputs(&outputs, &inputs, &chart_args)?;
    // Read before the sweep: a baseline that cannot be used is an error before any measuring.
    let baseline = args.gate.load_baseline()?;
    reserve_stdout_for(&outputs);
    check_chart_for_task(&chart_args, exp.task.kind)?;
    let _lock = args.out.as_deref().map(OutputLock::take).transpose()?;
    if exp.models.iter().any(|m| m.is_python()) {
        // Named once, absolutely: the version check and every worker start the same program.
        let resolved = interpreter::resolve(&exp.python.interpreter, preset_dir.as_deref())?;
        exp.python.interpreter = resolved
            .to_str()
            .with_context(|| format!("the interpreter path {resolved:?} is not UTF-8"))?
            .to_string();
    }
    let cancel = CancelToken::new();
    cancel_on_signals(&cancel)?;
    if let Some(python) = preflight(&exp)? {
        errln!(
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
    // Said even with --quiet: the sweep may fail midway for it.
    for warning in crate::engine::resources::warnings(&exp) {
        errln!("Warning: {warning}");
    }
    // A plain function under py-asyncio blocks the loop: said before its curve is read as
    // "asyncio does not help" (the module path is absolute by now).
    if let Some(note) = crate::engine::python_source::asyncio_blocking_note(&exp, None) {
        errln!("Warning: {note}");
    }
    // Before the calibration, which a long sweep's time per run also makes long. A results
    // file's experiment runs the recorded work again: its recorded runs say how long.
    let estimate = match &recorded {
        Some(recorded) => crate::engine::estimate::estimate_from_recorded(&exp, recorded),
        None => crate::engine::estimate::estimate(&exp, crate::preset::available_cores()),
    };
    if let Some(long) = estimate.long_sweep_warning() {
        errln!("Warning: {long}");
    }
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    // An earlier --out is left alone until this run has results to replace it with.
    let target = args.out.as_deref().map(OutTarget::new).transpose()?;
    let mut config = SweepConfig {
        partial_results: target.as_ref().map(|t| t.sweep_path().to_path_buf()),
        ..SweepConfig::new(worker)
    };
    config.provenance.command = Some(this_command_line());
    config.provenance.preset_source = Some(preset_source);
    let quiet = args.quiet;
    let mut cells_total = 0;
    let mut cells_done = 0;
    let mut save_failures: Vec<String> = Vec::new();
    let mut clusters_shown: Vec<(ModelKind, usize)> = Vec::new();
    // Cells whose runs are all in: a speedup is final only once its baseline's are.
    let mut finished: Vec<(Option<ModelKind>, usize)> = Vec::new();
    // Failed cells whose failure was printed whole (a `Failed` event, which the sweep sends
    // before the cell's `CellDone` for every failed cell but those its user-code fault stopped).
    let mut failures_said: Vec<(ModelKind, usize)> = Vec::new();
    let results = run_sweep(&exp, &config, &cancel, &mut |event| {
        if let SweepEvent::SaveFailed { path, reason } = &event {
            // Reported even with --quiet: the file on disk is behind. Once per reason, not
            // after every round.
            if save_failures.last() != Some(reason) {
                errln!(
                    "Error: cannot save the results to {}: {reason}",
                    path_text(path)
                );
            }
            save_failures.push(reason.clone());
            return;
        }
        if quiet {
            return;
        }
        match event {
            SweepEvent::Started {
                plan,
                runs_total,
                timed_per_cell: timed,
            } => {
                cells_total = plan.len();
                let more = crate::export::more_runs_rule(&exp);
                // How long it will take, where the preset says: the estimate made before
                // the calibration (see engine::estimate).
                let about = match (estimate.seconds, &recorded) {
                    (Ok(s), None) => format!(
                        "; about {} in all",
                        crate::engine::estimate::about_duration(s)
                    ),
                    (Ok(s), Some(_)) => format!(
                        "; about {} in all, as the recorded runs took",
                        crate::engine::estimate::about_duration(s)
                    ),
                    (Err(_), _) => "; time unknown until it runs".to_string(),
                };
                errln!(
                    "{}: {}, {} ({} warm-up + {timed} timed each{more}){about}",
                    crate::export::sanitize::for_terminal(&exp.name),
                    crate::words::count(plan.len(), "cell"),
                    crate::words::count(runs_total, "run"),
                    exp.warmups,
                );
            }
            SweepEvent::CellDone(cell) => {
                cells_done += 1;
                finished.push((cell.model, cell.workers));
                let speedup = final_speedup_text(&cell, exp.baseline, &finished);
                let w = cell.wall.as_ref();
                let precision = crate::export::median_precision(&cell).map_or(String::new(), |p| {
                    format!(" {}", crate::export::precision_text(p))
                });
                let secs = |v: Option<f64>| v.map_or("—".into(), crate::export::seconds_text);
                if cell.status == crate::results::CellStatus::Failed {
                    // The failure was printed whole as it happened (a `Failed` event), or is a
                    // one-line reference to the cell whose fault stopped the sweep.
                    let printed = cell
                        .model
                        .is_some_and(|m| failures_said.contains(&(m, cell.workers)));
                    let said = match printed {
                        true => "FAILED (above)".to_string(),
                        false => crate::export::sanitize::for_terminal(
                            cell.error.as_deref().unwrap_or_default(),
                        )
                        .into_owned(),
                    };
                    errln!(
                        "[{cells_done:>2}/{cells_total}] {:<11} × {:<3} {said}",
                        cell.model_id(),
                        cell.workers
                    );
                    return;
                }
                errln!(
                    "[{cells_done:>2}/{cells_total}] {:<11} × {:<3} median {} s{precision} (min {}, max {}), speedup {}",
                    cell.model_id(),
                    cell.workers,
                    secs(w.map(|s| s.median)),
                    secs(w.map(|s| s.min)),
                    secs(w.map(|s| s.max)),
                    speedup,
                );
            }
            SweepEvent::Failed {
                model,
                workers,
                reason,
            } => {
                failures_said.push((model, workers));
                errln!(
                    "        {model} × {workers} FAILED: {}",
                    crate::export::sanitize::for_terminal(&reason)
                )
            }
            // py-dask, py-mpi: the cluster (and Dask's dashboard link) once, while it runs.
            SweepEvent::RoundDone { cells, .. } => {
                for cell in &cells {
                    let (Some(model), Some(cluster)) = (cell.model, &cell.cluster) else {
                        continue;
                    };
                    if !clusters_shown.contains(&(model, cell.workers)) {
                        clusters_shown.push((model, cell.workers));
                        errln!(
                            "        {model} × {}: {}",
                            cell.workers,
                            crate::export::sanitize::for_terminal(&cluster.describe())
                        );
                    }
                }
            }
            _ => {}
        }
    });
    out!("{}", summary_table(&results));
    out!("{}", verdict_text(&results));
    say_load(&results, quiet);
    out!("{}", fits_summary(&fit_results(&results)));
    // A results file that cannot be saved (a full disk) does not cost the other outputs: they
    // are still written, and the failure is the run's error at the end.
    let mut save_error: Option<anyhow::Error> = None;
    let saved = match &target {
        Some(target) => match target.finish(&results, !save_failures.is_empty()) {
            Ok(saved) => Some(saved),
            Err(e) => {
                save_error = Some(e);
                None
            }
        },
        None => None,
    };
    match &saved {
        Some(Saved::Out(path)) => errln!("results written to {}", path_text(path)),
        Some(Saved::Partial { partial, out })
            if matches!(results.status, RunStatus::Complete | RunStatus::Failed) =>
        {
            errln!(
                "this run's results are in {}: every cell failed, so {} keeps its earlier results",
                path_text(partial),
                path_text(out)
            );
        }
        _ => {}
    }
    if let Some(signal) = crate::sys::termination_signal() {
        errln!(
            "{}",
            interrupted_line(
                &crate::sys::signal_name(signal),
                &results,
                sweep_plan(&exp).len(),
                saved.as_ref()
            )
        );
        // Files made from the results would show a partial sweep (and replace earlier ones):
        // they are left for `report` to make from the saved cells.
        let mut skipped = vec![
            ("--csv", args.csv.as_ref()),
            ("--trace", args.trace.as_ref()),
        ];
        skipped.extend(chart_outputs(&chart_args));
        let skipped: Vec<String> = skipped
            .into_iter()
            .filter_map(|(flag, path)| Some(format!("{flag} {}", path_text(path?))))
            .collect();
        if !skipped.is_empty() {
            let from = match &saved {
                Some(Saved::Out(path)) => Some(path),
                Some(Saved::Partial { partial, .. }) => Some(partial),
                _ => None,
            };
            // `report` makes all of them but the trace, with the same flags.
            let mut again = vec![("--csv", args.csv.as_ref())];
            again.extend(chart_outputs(&chart_args));
            let flags: String = again
                .into_iter()
                .filter_map(|(flag, path)| Some(format!(" {flag} {}", path_text(path?))))
                .collect();
            let hint = from.map_or(String::new(), |path| {
                format!(
                    " (`corelab report {}{flags}` makes the CSV, charts and report from the \
                     cells saved)",
                    path_text(path)
                )
            });
            errln!(
                "Not written, as the sweep was interrupted: {}{hint}",
                skipped.join(", ")
            );
        }
        if args.gate.fail_if_slower.is_some() || args.gate.fail_on_lost_updates {
            errln!(
                "Gate not judged, as the sweep was interrupted (`corelab report` judges the \
                 cells saved, with the same flags)"
            );
        }
        if let Some(e) = save_error {
            return Err(e);
        }
        return Ok(ExitCode::from(
            128u8.saturating_add(signal.clamp(0, 127) as u8),
        ));
    }
    // Each output is tried even when another failed (see `write_outputs`).
    let mut not_written: Vec<String> = Vec::new();
    if let Some(path) = &args.trace {
        let written = crate::export::chrome_trace_json(&results)
            .context("no cell recorded a timeline to trace")
            .and_then(|text| {
                crate::safe_fs::write_atomically(path, text.as_bytes())
                    .with_context(|| format!("writing the trace to {}", path_text(path)))
            });
        match written {
            Ok(()) => errln!("trace written to {}", path_text(path)),
            Err(e) => not_written.push(format!("--trace {}: {e:#}", path_text(path))),
        }
    }
    if let Some(path) = &args.csv {
        match write_output(path, summary_csv(&results).as_bytes()) {
            Ok(to) => errln!("summary written to {to}"),
            Err(e) => not_written.push(format!("--csv {}: cannot write it: {e}", path_text(path))),
        }
    }
    let label = args
        .out
        .as_deref()
        .map_or_else(|| results.machine.hostname.clone(), file_label);
    let charts = write_outputs(
        &[ChartRun {
            label: &label,
            results: &results,
        }],
        &chart_args,
    );
    let failed_outputs = match (charts, not_written.is_empty()) {
        (Ok(()), true) => None,
        (Ok(()), false) => Some(anyhow::anyhow!("not written: {}", not_written.join("; "))),
        (Err(e), true) => Some(e),
        (Err(e), false) => Some(anyhow::anyhow!(
            "not written: {}; {e:#}",
            not_written.join("; ")
        )),
    };
    // Judged before an error returns, so that its lines are said in any case.
    let new_name = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("this run"));
    let refused = gate::judge(&args.gate, baseline.as_ref(), &[(&new_name, &results)]);
    match (save_error, failed_outputs) {
        (None, None) => {}
        (Some(e), None) | (None, Some(e)) => return Err(e),
        (Some(save), Some(outputs)) => bail!("{save:#}; {outputs:#}"),
    }
    if !matches!(results.status, RunStatus::Complete | RunStatus::Failed) {
        bail!("the sweep did not complete");
    }
    let failed: Vec<String> = results
        .cells
        .iter()
        .filter(|c| c.status == CellStatus::Failed)
        .map(|c| format!("{} × {}", c.model_id(), c.workers))
        .collect();
    if !failed.is_empty() {
        errln!(
            "Error: {} of {} cells failed: {}",
            failed.len(),
            results.cells.len(),
            failed.join(", ")
        );
        return Ok(ExitCode::from(EXIT_CELLS_FAILED));
    }
    if refused {
        return Ok(ExitCode::from(EXIT_REGRESSION));
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends the text for people to stderr when one of `outputs` is standard output (`-`).
fn reserve_stdout_for(outputs: &[(&str, Option<&PathBuf>)]) {
    if outputs
        .iter()
        .any(|(_, path)| path.is_some_and(|p| is_stdout(p)))
    {
        reserve_stdout();
    }
}

/// `corelab report`: load one or several results files, print their tables and fits, and
/// write the chart (overlaid when several), the Markdown report and (for one file) the CSV
/// summary; with `--baseline`, compare with it, and with a gate's flags exit
/// [`EXIT_REGRESSION`] when the results fail it.
pub fn report(args: &ReportArgs) -> Result<ExitCode> {
    let mut inputs: Vec<&Path> = args.results.iter().map(PathBuf::as_path).collect();
    if let Some(baseline) = &args.gate.baseline {
        if args.results.len() > 1 {
            bail!(
                "--baseline {}: it is compared with one results file, and {} were given",
                path_text(baseline),
                args.results.len()
            );
        }
        inputs.push(baseline);
    }
    if let Some(csv) = &args.csv
        && args.results.len() > 1
    {
        bail!(
            "--csv {}: the CSV summary is made from one results file, and {} were given \
             (run `corelab report FILE --csv …` for each)",
            path_text(csv),
            args.results.len()
        );
    }
    let mut outputs = vec![("--csv", args.csv.as_ref())];
    outputs.extend(chart_outputs(&args.outputs));
    check_outputs(&outputs, &inputs, &args.outputs)?;
    reserve_stdout_for(&outputs);
    let mut loaded: Vec<ResultsFile> = Vec::new();
    for path in &args.results {
        loaded.push(
            ResultsFile::load(path)
                .with_context(|| format!("cannot use {} for a report", path_text(path)))?,
        );
    }
    // The chart the experiments' view names, unless --chart names one; whatever outputs are
    // asked for, a chart the results cannot have is never ignored.
    let chart_args = args.outputs.following_views(loaded.iter());
    crate::export::check_available(chart_args.chart(), loaded.iter()).with_context(|| {
        format!(
            "--chart {} with {}",
            chart_args.chart(),
            inputs_text(&args.results)
        )
    })?;
    let labels = run_labels(&args.results, &loaded);
    for ((label, r), path) in labels.iter().zip(&loaded).zip(&args.results) {
        if loaded.len() > 1 {
            // Names come from files: control characters are escaped.
            outln!(
                "== {}: {} on {}",
                crate::export::sanitize::for_terminal_line(label),
                crate::export::sanitize::for_terminal_line(&r.experiment.name),
                crate::export::sanitize::for_terminal_line(&r.machine.one_line())
            );
        }
        out!("{}", summary_table(r));
        out!("{}", verdict_text(r));
        say_load(r, false);
        out!("{}", fits_summary(&fit_results(r)));
        if r.status == RunStatus::Failed {
            errln!(
                "note: {}: {}",
                crate::export::sanitize::for_terminal_line(&file_label(path)),
                r.status.describe()
            );
        } else if r.status != RunStatus::Complete {
            errln!(
                "note: {} is not a complete run: {}",
                crate::export::sanitize::for_terminal_line(&file_label(path)),
                r.status.describe()
            );
        }
    }
    let compared: Vec<(&str, &ResultsFile)> =
        labels.iter().map(String::as_str).zip(&loaded).collect();
    for d in crate::results::comparison_differences(&compared) {
        errln!(
            "Note: the compared runs differ in {}",
            crate::export::sanitize::for_terminal_line(&d.describe())
        );
    }
    let runs: Vec<ChartRun<'_>> = labels
        .iter()
        .zip(&loaded)
        .map(|(label, results)| ChartRun { label, results })
        .collect();
    // Each output is tried even when another failed.
    let csv = match (&args.csv, loaded.first()) {
        (Some(path), Some(results)) => match write_output(path, summary_csv(results).as_bytes()) {
            Ok(to) => {
                errln!("summary written to {to}");
                None
            }
            Err(e) => Some(format!("--csv {}: cannot write it: {e}", path_text(path))),
        },
        _ => None,
    };
    let charts = write_outputs(&runs, &chart_args);
    let baseline = args.gate.load_baseline()?;
    let judged: Vec<(&Path, &ResultsFile)> = args
        .results
        .iter()
        .map(PathBuf::as_path)
        .zip(&loaded)
        .collect();
    let refused = gate::judge(&args.gate, baseline.as_ref(), &judged);
    match (charts, csv) {
        (Ok(()), None) => {}
        (Ok(()), Some(csv)) => bail!("not written: {csv}"),
        (Err(e), None) => return Err(e),
        (Err(e), Some(csv)) => bail!("not written: {csv}; {e:#}"),
    }
    Ok(match refused {
        true => ExitCode::from(EXIT_REGRESSION),
        false => ExitCode::SUCCESS,
    })
}

/// A finished cell's speedup for its progress line, once the cells in `finished` (model,
/// workers) include its baseline; before that the speedup is against the baseline's runs so
/// far and would differ from the final table's, so the line says it comes later.
fn final_speedup_text(
    cell: &crate::results::CellResult,
    baseline: crate::preset::Baseline,
    finished: &[(Option<ModelKind>, usize)],
) -> String {
    let base = match baseline {
        crate::preset::Baseline::Sequential => (Some(ModelKind::Sequential), 1),
        crate::preset::Baseline::SameModelOneWorker => (cell.model, 1),
    };
    match cell.speedup {
        Some(s) if finished.contains(&base) => format!("{s:.2}×"),
        Some(_) => "when the baseline is done".into(),
        None => "—".into(),
    }
}

/// The verdict ([`crate::analysis::verdict`]) under a `Verdict:` heading, one line each;
/// empty when there is none (no cell completed).
fn verdict_text(results: &ResultsFile) -> String {
    let lines = crate::analysis::verdict(results);
    if lines.is_empty() {
        return String::new();
    }
    let mut text = String::from("Verdict:\n");
    for line in lines {
        text.push_str(&format!("  {}\n", line.text));
    }
    text
}

/// Says on stderr whether other programs competed for the cores while `results` were
/// measured: a warning where they did, and (unless `quiet`) a note where runs were too short
/// to tell.
fn say_load(results: &ResultsFile, quiet: bool) {
    if let Some(warning) = results.machine.busy_warning() {
        errln!("Warning: {warning}");
    }
    // Not a warning (nothing was seen), so --quiet leaves it out.
    if let Some(note) = results.machine.load_unknown_note().filter(|_| !quiet) {
        errln!("Note: {note}");
    }
}

/// The file stem of a results path, e.g. `big` for `runs/big.json`.
fn file_label(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| path_text(path))
}

/// Labels that tell overlaid runs apart by what differs between them: the experiment, the
/// machine, the date and time, then the file stem ([`crate::export::run_labels`]).
fn run_labels(paths: &[PathBuf], loaded: &[ResultsFile]) -> Vec<String> {
    let stems: Vec<Option<String>> = paths.iter().map(|p| Some(file_label(p))).collect();
    let runs: Vec<&ResultsFile> = loaded.iter().collect();
    crate::export::run_labels(&runs, &stems)
}

/// Writes the SVG, PNG and Markdown outputs that were asked for.
fn write_outputs(runs: &[ChartRun<'_>], out: &OutputArgs) -> Result<()> {
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
    fn the_lessons_exit_status_tells_fail_skip_and_pass_apart() {
        use crate::engine::lessons::LessonsSummary;
        let summary = |passed, failed, inconclusive, skipped| LessonsSummary {
            lessons: passed + failed + inconclusive + skipped,
            passed,
            failed,
            inconclusive,
            skipped,
        };
        assert_eq!(lessons_exit_code(&summary(7, 0, 0, 0)), 0);
        assert_eq!(
            lessons_exit_code(&summary(3, 0, 4, 0)),
            EXIT_LESSONS_SKIPPED
        );
        assert_eq!(
            lessons_exit_code(&summary(6, 0, 0, 1)),
            EXIT_LESSONS_SKIPPED
        );
        assert_eq!(lessons_exit_code(&summary(3, 1, 3, 0)), EXIT_LESSON_FAILED);
        assert_eq!(lessons_exit_code(&summary(0, 7, 0, 0)), EXIT_LESSON_FAILED);
        // None of them is an error's status (1) or clap's (2).
        assert!(![1, 2].contains(&EXIT_LESSON_FAILED) && ![1, 2].contains(&EXIT_LESSONS_SKIPPED));
    }

    #[test]
    fn paths_in_messages_stay_on_one_line() {
        use std::os::unix::ffi::OsStrExt;
        let odd = Path::new(std::ffi::OsStr::from_bytes(b"x\xff y\n\x1b[31m.json"));
        assert_eq!(path_text(odd), "x\u{fffd} y\\n\\u{1b}[31m.json");
        assert_eq!(path_text(Path::new("plain/r.json")), "plain/r.json");
    }

    #[test]
    fn a_progress_line_gives_a_speedup_only_once_its_baseline_is_done() {
        use crate::preset::Baseline;
        let mut cell = crate::results::CellResult::with_walls(ModelKind::Threads, 2, &[1.0]);
        cell.speedup = Some(1.9);
        let threads_1 = (Some(ModelKind::Threads), 1);
        let sequential = (Some(ModelKind::Sequential), 1);
        let pending = "when the baseline is done";
        assert_eq!(
            final_speedup_text(&cell, Baseline::Sequential, &[]),
            pending
        );
        assert_eq!(
            final_speedup_text(&cell, Baseline::Sequential, &[threads_1]),
            pending
        );
        assert_eq!(
            final_speedup_text(&cell, Baseline::Sequential, &[sequential]),
            "1.90×"
        );
        assert_eq!(
            final_speedup_text(&cell, Baseline::SameModelOneWorker, &[sequential]),
            pending
        );
        assert_eq!(
            final_speedup_text(&cell, Baseline::SameModelOneWorker, &[threads_1]),
            "1.90×"
        );
        cell.speedup = None;
        assert_eq!(
            final_speedup_text(&cell, Baseline::Sequential, &[sequential]),
            "—"
        );
    }

    #[test]
    fn selftest_hints_name_the_python_flag() {
        assert_eq!(
            selftest_reason("install it with `pip` and set python.interpreter to .venv/bin/python"),
            "install it with `pip` and pass --python .venv/bin/python"
        );
        assert_eq!(
            selftest_reason("was not found (install python3 or set python.interpreter)"),
            "was not found (install python3 or pass --python INTERPRETER)"
        );
    }

    #[test]
    fn the_command_line_is_recorded_sanitised() {
        let args = [
            "/home/ann/.cargo/bin/corelab",
            "run",
            "/home/ann/presets/my preset.json",
            "--out=/home/ann/a.json",
            "--csv",
            "/home/annex/b.csv",
            "bad\u{1b}[31m",
            "it's",
        ]
        .map(std::ffi::OsString::from);
        let line = sanitised_command_line(args, Some(Path::new("/home/ann/")));
        assert_eq!(
            line,
            "corelab run '~/presets/my preset.json' --out=~/a.json --csv /home/annex/b.csv bad\\u{1b}[31m 'it'\\''s'"
        );
        let long = ["corelab".to_string(), "x".repeat(5000)].map(std::ffi::OsString::from);
        let line = sanitised_command_line(long, None);
        assert_eq!(line.chars().count(), COMMAND_LINE_CHARS + 1);
        assert!(line.ends_with('…'));
    }

    #[test]
    fn the_interrupt_line_counts_the_cells_with_runs() {
        use crate::results::{CellResult, Sample};
        let cell = |runs: usize, status: CellStatus| CellResult {
            samples: vec![Sample::default(); runs],
            status,
            ..CellResult::default()
        };
        let results = ResultsFile {
            cells: vec![
                cell(3, CellStatus::Ok),
                cell(2, CellStatus::Cancelled),
                cell(2, CellStatus::Cancelled),
                cell(0, CellStatus::Cancelled),
            ],
            ..ResultsFile::default()
        };
        let saved = Saved::Out(PathBuf::from("r.json"));
        assert_eq!(
            interrupted_line("SIGINT", &results, 5, Some(&saved)),
            "Interrupted by SIGINT: 3 of 5 cells have runs (7 timed runs; 1 cell complete), \
             saved to r.json with \"status\": \"cancelled\""
        );
        assert_eq!(
            interrupted_line("SIGTERM", &results, 5, None),
            "Interrupted by SIGTERM: 3 of 5 cells have runs (7 timed runs; 1 cell complete); \
             not saved (no --out)"
        );
    }

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
    fn an_error_line_says_each_cause_once() {
        let io = || std::io::Error::from(std::io::ErrorKind::NotFound);
        let e = anyhow::Error::new(crate::preset::PresetError::Io {
            path: "x.json".into(),
            source: io(),
        })
        .context("cannot use preset x.json");
        assert_eq!(
            error_line(&e),
            format!(
                "cannot use preset x.json: cannot read preset file x.json: {}",
                io()
            )
        );
        // Causes that their parent does not show are kept, in order.
        let e = anyhow::anyhow!("inner").context("middle").context("outer");
        assert_eq!(error_line(&e), "outer: middle: inner");
    }
}
