//! The command line: its definition (`Cli`, `Command`) and its dispatch, the workbench's own
//! flags, and how an error ends a command. Each command lives in its own file: `corelab run`
//! (headless sweep) in `cli/run.rs`, `corelab report` (charts, Markdown, fits and the
//! regression gate from saved results) in `cli/report.rs` and `cli/gate.rs`, `corelab
//! presets` in `cli/presets.rs`, `corelab selftest` in `cli/selftest.rs`, `corelab generate`
//! (man pages, completions) in `cli/generate.rs`; the hidden `corelab worker` child mode is
//! [`crate::engine::worker`]. What `run` and `report` share: standard output
//! (`cli/stdout.rs`), the chart and report outputs (`cli/outputs.rs`) and their checks
//! (`cli/output_checks.rs`), file names in messages (`cli/message_paths.rs`), the verdict and
//! load notes (`cli/results_text.rs`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};

use crate::engine::worker;

/// `print!` of text for people (tables, verdicts, fits) to standard output, or to stderr while
/// standard output carries a machine-readable output (`--csv -`, see
/// `stdout::reserve_stdout`). A reader that went away (`corelab run … | head`) is its choice,
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

mod command_line;
mod gate;
mod generate;
mod message_paths;
mod out_lock;
mod out_target;
mod output_checks;
mod outputs;
mod percentage;
mod preset_arg;
mod presets;
mod report;
mod results_text;
mod run;
mod run_inputs;
mod run_stderr;
mod second_signal;
mod selftest;
mod signal_watcher;
mod stdout;
mod sweep_progress;

pub use gate::EXIT_REGRESSION;
pub use out_lock::output_lock_path;
pub use run::EXIT_CELLS_FAILED;
pub use selftest::{EXIT_LESSON_FAILED, EXIT_LESSONS_SKIPPED};

use stdout::with_stdout_checked;

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
    /// Workbench only: start in this theme (light reads best on a projector); the theme
    /// button in the top bar switches it too, and the choice is kept.
    #[arg(long, value_name = "THEME", value_parser = ["system", "light", "dark"])]
    pub theme: Option<String>,
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
    #[command(after_help = run::RUN_AFTER_HELP)]
    Run(run::RunArgs),
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
        /// (a venv with dask and distributed; mpi4py and mpiexec for py-mpi). Default: python3.
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

/// Entry point of the binary.
pub fn main() -> ExitCode {
    // Before any thread: under `ulimit -v`, what a thread costs must be its stack alone.
    crate::sys::cap_malloc_arenas_under_address_limit();
    // A write past `ulimit -f` fails with "File too large" and is reported, not a silent kill.
    crate::sys::ignore_file_size_signal();
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
        stop_everything_this_corelab_started();
    }
    code
}

/// At the end of corelab: stops whatever still carries one of its marks, saying on stderr which
/// of them were still there after the wait.
fn stop_everything_this_corelab_started() {
    let stop = crate::engine::run_mark::stop_everything_this_corelab_started();
    if let Some(line) = crate::engine::run_mark::not_gone_at_end_line(&stop) {
        errln!("corelab: {line}");
    }
}

/// Before a command that starts processes: makes corelab the subreaper of its descendants and,
/// for `run` and `selftest` (`command_line`), stops the processes left by a corelab that was
/// killed, saying so in one line on stderr (the workbench does that itself, and says it in its
/// window too), and says in one line that a debug build's figures are not for publishing.
fn start_owning_processes(command_line: bool) {
    if let Err(e) = crate::sys::become_child_subreaper() {
        errln!("corelab: cannot adopt the orphans of the processes it starts: {e}");
    }
    if command_line {
        let stop = crate::engine::run_mark::stop_leftovers_of_killed_runs();
        let cleaned = crate::engine::scratch::remove_left_by_killed_runs();
        let line = crate::engine::run_mark::leftovers_note(&stop, cleaned.removed);
        if let Some(line) = cleaned.with_trouble(line) {
            errln!("{line}");
        }
        // Figures measured by a debug build are several times slower than a release build's.
        if let Some(note) = crate::results::this_build_note() {
            errln!("corelab: {note}");
        }
    }
}

/// Runs the command `cli` names.
fn dispatch(cli: Cli) -> ExitCode {
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
        Some(Command::Run(args)) => match run::run(&args) {
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
        theme: cli.theme,
    })
}

#[cfg(not(feature = "gui"))]
fn open_workbench(_cli: Cli) -> Result<()> {
    anyhow::bail!("this corelab was built without the workbench (feature `gui`); use `corelab run`")
}

#[cfg(test)]
mod tests {
    use super::*;

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
