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
use crate::export::{ChartRun, summary_csv, summary_table};
use crate::preset::{Experiment, ModelKind, SyncMode, find_builtin};
use crate::results::{CellStatus, ResultsFile, RunStatus};

/// `print!` of text for people (tables, verdicts, fits) to standard output, or to stderr while
/// standard output carries a machine-readable output (`--csv -`, see
/// [`stdout::reserve_stdout`]). A reader that went away (`corelab run … | head`) is its choice,
/// not an error, and never a panic; any other write error is reported on stderr.
macro_rules! out {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        $crate::cli::stdout::human_text(&text, false);
    }};
}

/// `println!` to standard output, see [`out!`].
macro_rules! outln {
    ($($arg:tt)*) => {{
        let text = format!($($arg)*);
        $crate::cli::stdout::human_text(&text, true);
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
mod message_paths;
mod out_lock;
mod out_target;
mod output_checks;
mod outputs;
mod presets;
mod report;
mod results_text;
mod selftest;
mod stdout;

pub use gate::EXIT_REGRESSION;
pub use out_lock::output_lock_path;
pub use selftest::{EXIT_LESSON_FAILED, EXIT_LESSONS_SKIPPED};

use message_paths::{file_label, path_text};
use out_lock::OutputLock;
use out_target::{OutTarget, Saved};
use output_checks::check_outputs;
use outputs::{OutputArgs, chart_outputs, check_chart_for_task, write_outputs};
use results_text::{say_load, verdict_text};
use stdout::{reserve_stdout_for, with_stdout_checked, write_output};

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
    #[command(after_help = report::REPORT_AFTER_HELP)]
    Report(report::ReportArgs),
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
    #[command(after_help = selftest::SELFTEST_AFTER_HELP)]
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
    let outcome = match cli.command {
        None => open_workbench(cli),
        Some(Command::Worker) => return ExitCode::from(worker::serve() as u8),
        Some(Command::Presets { name, json, cores }) => match name {
            Some(name) => presets::show_preset(&name, json, cores.map(usize::from)),
            None => {
                presets::list_presets(cores.map(usize::from));
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
            true => match selftest::selftest_lessons(json) {
                Ok(code) => return with_stdout_checked(code),
                Err(e) => Err(e),
            },
            false => selftest::selftest(workers, json, &python),
        },
        Some(Command::Report(args)) => match report::report(&args) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
