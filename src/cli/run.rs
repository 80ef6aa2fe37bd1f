//! `corelab run`: a sweep measured headless, with its progress on stderr, its summary table,
//! verdict and fits, its results file and other outputs, and the regression gate.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::analysis::{fit_results, fits_summary};
use crate::engine::module_source;
use crate::engine::{
    CancelToken, EngineError, ExecutorFactory, Preflight, RealExecutors, SweepConfig, SweepEvent,
    WorkerCommand, interpreter, preflight_checked, run_sweep, sweep_plan,
};
use crate::export::{ChartRun, summary_csv, summary_table};
use crate::preset::{Experiment, ModelKind, SyncMode};
use crate::results::{CellStatus, ResultsFile, RunStatus};

use super::command_line::this_command_line;
use super::gate::{self, EXIT_REGRESSION};
use super::message_paths::{file_label, path_text};
use super::out_lock::OutputLock;
use super::out_target::{OutTarget, Saved};
use super::output_checks::{
    Input, check_out_replaces_only_results, check_outputs, check_room_for_results,
};
use super::outputs::{OutputArgs, chart_outputs, check_chart_for_task, write_outputs};
use super::percentage::parse_percentage;
use super::preset_arg::load_preset;
use super::results_text::{gil_lesson_text, say_load, say_sweep_warnings, verdict_text};
use super::run_inputs::run_inputs;
use super::run_stderr::{Owned, RunStderr};
use super::second_signal::OnDisk;
use super::signal_watcher::cancel_on_signals;
use super::stdout::{reserve_stdout_for, write_output};
use super::sweep_progress::{CellsDone, ProgressStyle, SweepProgress};

/// The rules of `corelab run` that `--help` states after the options.
pub(super) const RUN_AFTER_HELP: &str = "\
PRESET: an argument that contains a `/` or ends in `.json` is a preset file; anything else is
the name of a built-in preset, even when a file of that name exists in the current directory
(write ./NAME to use the file). A results file (`\"format\": \"corelab-results\"`) runs the
experiment it recorded again, at its recorded task size with calibration off. stderr says which
one was used.

Python interpreter: a bare name (python3) is looked up on PATH, a relative path is taken
relative to the preset file's directory, once, before anything runs; the version check and the
workers then start that same absolute path.

Outputs: every output path (--out, --csv, --trace, --svg, --png, --markdown: each its own
file, none of them a file the run reads or starts: the preset, the function's module, the
command's program, the Python interpreter, the MPI launcher or hostfile, the --baseline) and the
chart size are checked before the sweep starts. --out replaces only an earlier results file (or
an empty file): another file there (a preset, notes, what a symbolic link leads to) is refused;
choose another name or remove it first. While it
runs, --out is locked (an flock on out-HASH.lock in your private lock directory: when
XDG_RUNTIME_DIR is set, $XDG_RUNTIME_DIR/corelab only; otherwise $TMPDIR/corelab-locks-UID,
unless that directory is not yours and private or $TMPDIR cannot be trusted (others can rename
entries in it, or a symbolic link on the way is another user's); then
$XDG_CACHE_HOME/corelab/locks, else ~/.cache/corelab/locks. It holds the pid and host), keyed
on the file it replaces (a symlink followed to its target, the directory resolved): a second
run on the same file, by any name (./r.json, d/../r.json, a symlink to it), is refused, naming
that pid (and its host when another).

An --out that exists already keeps its earlier results until this run completes with at least
one cell measured: meanwhile the rounds are saved beside it, to NAME.partial-XXXXXX.json, and
after an interrupt, a sweep whose cells all failed or a failed save, stderr names that file.

Ctrl-C, SIGTERM and SIGHUP stop the sweep like the workbench's Cancel: the cells measured so
far are saved with \"status\": \"cancelled\" (before the first timed run nothing is saved: a
new --out is not left behind, an existing one keeps its results), child processes and scratch
files are removed, and the exit status is 128 + the signal's number (130 for Ctrl-C). A second signal
stops at once, saying in one line where the rounds saved so far are and removing the temporary files of an unfinished save. --csv, --trace and the charts and report are not written after an interrupt
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
    /// Write the full results (every raw sample) as JSON here. An existing file is replaced
    /// only when it is an earlier results file (or empty); any other file is refused.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the summary table as CSV here (`-`: standard output, and the table, verdict and
    /// fits then go to stderr, so that the stream holds only the CSV).
    #[arg(long, value_name = "FILE|-")]
    pub csv: Option<PathBuf>,
    /// Override the preset's worker counts, e.g. `1,2,4,8,16`, `1-8` or `1..4,8` (the
    /// workbench's syntax: commas or spaces between counts, inclusive ranges; each 1 to 1024,
    /// the preset's models may allow fewer, see the README).
    #[arg(long, value_name = "N,N,…|A-B", value_parser = parse_workers, allow_negative_numbers = true)]
    pub workers: Option<WorkerList>,
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
    parse_percentage(s, 50.0, "")
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

/// `--workers`: the worker counts as typed, read by the parser the workbench's worker field
/// uses ([`crate::preset::parse_worker_list`]), so a list or range typed there works here.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkerList(pub Vec<usize>);

fn parse_workers(s: &str) -> Result<WorkerList, crate::preset::WorkerListError> {
    crate::preset::parse_worker_list(s).map(WorkerList)
}

/// One name of `--models`, spaces around it ignored (`threads, processes`), as `--workers`
/// ignores them.
fn parse_model(s: &str) -> Result<ModelKind, String> {
    let s = s.trim();
    let names: Vec<&str> = ModelKind::ALL.iter().map(|m| m.id()).collect();
    if s.is_empty() {
        return Err(format!(
            "a model name is empty (two commas in a row?); choose from {}",
            names.join(", ")
        ));
    }
    ModelKind::ALL
        .into_iter()
        .find(|m| m.id() == s)
        .ok_or_else(|| format!("unknown model {s:?}; choose from {}", names.join(", ")))
}

/// Exit status of `corelab run` when the sweep ended but some of its cells failed.
pub const EXIT_CELLS_FAILED: u8 = 3;

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

/// Saves `results` to a new, exclusively created `corelab-rescued-XXXXXX.json` in the
/// temporary directory ($TMPDIR), for a run whose `--out` could not be written.
fn rescue_results(results: &ResultsFile) -> Result<PathBuf> {
    crate::results::rescue(results)
        .map_err(|e| anyhow::anyhow!("{}: {}", path_text(&e.path), e.reason))
}

/// The checks of `corelab run` before its sweep ([`preflight_checked`], with the interpreter
/// asked of `executors`), and the lines it says of a function task's module: a plain function
/// under py-asyncio blocks the loop (said before its curve is read as "asyncio does not
/// help"), and a name whose last binding is not a plain top-level `def` (what the results file
/// records as its source, and what runs, cannot be told from the module's text). The module
/// is read once, by the check; the lines come from that reading, and the sweep records the
/// source from it too ([`SweepConfig::module`]).
fn check_before_sweep(
    exp: &Experiment,
    executors: &dyn ExecutorFactory,
) -> Result<(Preflight, Vec<String>), EngineError> {
    let checked = preflight_checked(exp, executors)?;
    let mut lines = Vec::new();
    if let Some(module) = &checked.module {
        if let Some(note) = module_source::asyncio_blocking_note(exp, module) {
            lines.push(format!("Warning: {note}"));
        }
        // The note quotes the module's text (a decorator's line): escaped, as all a file's
        // text is.
        if let Some(note) = module_source::binding_note_for(exp, module) {
            lines.push(format!(
                "Note: {}",
                crate::export::sanitize::for_terminal_line(&note)
            ));
        }
    }
    Ok((checked, lines))
}

/// `corelab run`: load, override, validate, check the outputs, lock `--out`, sweep, print,
/// write. The exit status says how it ended: 0 every cell measured, 1 an error (before the
/// sweep, or a results file that could not be saved), [`EXIT_CELLS_FAILED`] some or all cells
/// failed (they are named), 128 + the signal's number when interrupted.
pub(super) fn run(args: &RunArgs) -> Result<ExitCode> {
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
    if let Some(WorkerList(w)) = &args.workers {
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
        exp.mpi.anchor(dir); // and a relative MPI hostfile
    } else if let Ok(dir) = std::env::current_dir() {
        // A preset with no folder of its own (a built-in, standard input): as `python
        // mywork.py` would, against the current directory.
        exp.task.function.anchor(&dir);
        exp.mpi.anchor(&dir);
    }
    // The chart the preset's view names, unless --chart names one.
    let chart_args = args.outputs.following_view_of(&exp);
    // What the run reads or starts: no output may replace it.
    let inputs = run_inputs(
        &args.preset,
        &exp,
        preset_dir.as_deref(),
        args.gate.baseline.as_deref(),
    );
    let inputs: Vec<Input<'_>> = inputs
        .iter()
        .map(|(what, p)| (*what, p.as_path()))
        .collect();
    let mut outputs = vec![
        ("--out", args.out.as_ref()),
        ("--csv", args.csv.as_ref()),
        ("--trace", args.trace.as_ref()),
    ];
    outputs.extend(chart_outputs(&chart_args));
    check_outputs(&outputs, &inputs, &chart_args)?;
    // An earlier results file may be replaced; a preset, notes or a program may not.
    if let Some(out) = &args.out {
        check_out_replaces_only_results(out)?;
    }
    // A full disk is found now, not after the sweep was measured.
    if let Some(out) = &args.out {
        check_room_for_results(
            out,
            sweep_plan(&exp).len(),
            exp.repetitions,
            crate::sys::available_disk_bytes,
        )?;
    }
    // Read before the sweep: a baseline that cannot be used is an error before any measuring.
    let baseline = args.gate.load_baseline()?;
    reserve_stdout_for(&outputs);
    check_chart_for_task(&chart_args, exp.task.kind)?;
    if args.gate.fail_on_lost_updates && exp.task.kind != crate::preset::TaskKind::Contention {
        bail!(
            "--fail-on-lost-updates checks a contention task's shared counter, and this \
             preset's task is `{}`, which keeps none: the gate would have nothing to check",
            exp.task.kind
        );
    }
    let _lock = args.out.as_deref().map(OutputLock::take).transpose()?;
    // What a second signal names or removes, filled in as it is created.
    let on_disk = OnDisk::default();
    if let Some(lock) = &_lock {
        on_disk.set_lock(lock.path());
    }
    if exp.models.iter().any(|m| m.is_python()) {
        // Named once, absolutely: the version check and every worker start the same program.
        let resolved = interpreter::resolve(&exp.python.interpreter, preset_dir.as_deref())?;
        exp.python.interpreter = resolved
            .to_str()
            .with_context(|| format!("the interpreter path {resolved:?} is not UTF-8"))?
            .to_string();
    }
    let cancel = CancelToken::new();
    // Whoever writes to stderr while the sweep's status line may be on screen writes through
    // it (the signal watcher too), so that each line starts on a line of its own.
    let stderr = Arc::new(RunStderr::new(std::io::stderr()));
    cancel_on_signals(&cancel, on_disk.clone(), Arc::clone(&stderr))?;
    let (checked, module_lines) = check_before_sweep(&exp, &RealExecutors)?;
    if let Some(python) = &checked.python {
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
    for line in module_lines {
        errln!("{line}");
    }
    // Before the calibration, which a long sweep's time per run also makes long. A results
    // file's experiment runs the recorded work again: its recorded runs say how long.
    // The progress line counts down from this same figure, cell by cell.
    let (estimate, planned) = crate::engine::estimate::before_run(
        &exp,
        crate::preset::available_cores(),
        recorded.as_ref(),
    );
    if let Some(long) = estimate.long_sweep_warning() {
        errln!("Warning: {long}");
    }
    // A precision target that cannot add a run to some cells (their runs spend its budget
    // anyway) is said before they are measured, not discovered in the table as "not met".
    // Only where a cell without room computes, as the workbench does: where every such cell
    // mostly waits on a timer, its runs agree within the target anyway (`run` has no verbose
    // flag to say it as information; `corelab presets` does).
    if let Some(t) = &estimate.target_without_room
        && t.may_cost_precision()
        && !args.quiet
    {
        errln!("Note: {}", crate::export::target_without_room_text(t));
    }
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    // An earlier --out is left alone until this run has results to replace it with.
    let target = args.out.as_deref().map(OutTarget::new).transpose()?;
    if let Some(target) = &target {
        on_disk.set_out(target.out(), target.has_earlier(), target.sweep_path());
    }
    let mut config = SweepConfig {
        partial_results: target.as_ref().map(|t| t.sweep_path().to_path_buf()),
        ..SweepConfig::new(worker)
    };
    // The results record the function's source from the reading checked above.
    config.module = checked.module;
    config.provenance.command = Some(this_command_line());
    config.provenance.preset_source = Some(preset_source);
    let quiet = args.quiet;
    let mut save_failures: Vec<String> = Vec::new();
    let mut clusters_shown: Vec<(ModelKind, usize)> = Vec::new();
    // Cells whose runs are all in: a speedup is final only once its baseline's are.
    let mut finished: Vec<(Option<ModelKind>, usize)> = Vec::new();
    // Failed cells whose failure was printed whole (a `Failed` event, which the sweep sends
    // before the cell's `CellDone` for every failed cell but those its user-code fault stopped).
    let mut failures_said: Vec<(ModelKind, usize)> = Vec::new();
    // What the sweep is doing, on stderr while it runs (not with --quiet): a status line
    // rewritten in place on a terminal, a plain line now and then elsewhere. It also keeps
    // the count of cells done that numbers each cell's line.
    let style = match (quiet, std::io::stderr().is_terminal()) {
        (true, _) => ProgressStyle::Hidden,
        (false, true) if std::env::var_os("TERM").is_none_or(|t| t != "dumb") => {
            ProgressStyle::StatusLine
        }
        (false, _) => ProgressStyle::PlainLines,
    };
    let sweep_clock = Instant::now();
    let mut say_event = |event: SweepEvent, cells: CellsDone, err: &mut Owned<std::io::Stderr>| {
        if let SweepEvent::SaveFailed { path, reason } = &event {
            // Reported even with --quiet: the file on disk is behind. Once per reason, not
            // after every round.
            if save_failures.last() != Some(reason) {
                err.line(&format!(
                    "Error: cannot save the results to {}: {reason}",
                    path_text(path)
                ));
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
                err.line(&format!(
                    "{}: {}, {} ({} warm-up + {timed} timed each{more}){about}",
                    crate::export::sanitize::for_terminal(&exp.name),
                    crate::words::count(plan.len(), "cell"),
                    crate::words::count(runs_total, "run"),
                    exp.warmups,
                ));
            }
            SweepEvent::CellDone(cell) => {
                let CellsDone {
                    done: cells_done,
                    of: cells_total,
                } = cells;
                finished.push((cell.model, cell.workers));
                let speedup = final_speedup_text(&cell, exp.baseline, &finished);
                let w = cell.wall.as_ref();
                let precision = crate::export::median_precision(&cell).map_or(String::new(), |p| {
                    format!(" {}", crate::export::precision_text(p))
                });
                let secs = |v: Option<f64>| v.map_or("—".into(), crate::export::seconds_text);
                if cell.status == crate::results::CellStatus::Failed {
                    // The failure was printed whole as it happened (a `Failed` event), or is a
                    // one-line reference to the cell whose fault of the user's code stopped it.
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
                    err.line(&format!(
                        "[{cells_done:>2}/{cells_total}] {:<11} × {:<3} {said}",
                        cell.model_id(),
                        cell.workers
                    ));
                    return;
                }
                err.line(&format!(
                    "[{cells_done:>2}/{cells_total}] {:<11} × {:<3} median {} s{precision} (min {}, max {}), speedup {}",
                    cell.model_id(),
                    cell.workers,
                    secs(w.map(|s| s.median)),
                    secs(w.map(|s| s.min)),
                    secs(w.map(|s| s.max)),
                    speedup,
                ));
            }
            SweepEvent::Failed {
                model,
                workers,
                reason,
            } => {
                failures_said.push((model, workers));
                err.line(&format!(
                    "        {model} × {workers} FAILED: {}",
                    crate::export::sanitize::for_terminal(&reason)
                ))
            }
            // py-dask, py-mpi: the cluster (and Dask's dashboard link) once, while it runs.
            SweepEvent::RoundDone { cells, .. } => {
                for cell in &cells {
                    let (Some(model), Some(cluster)) = (cell.model, &cell.cluster) else {
                        continue;
                    };
                    if !clusters_shown.contains(&(model, cell.workers)) {
                        clusters_shown.push((model, cell.workers));
                        err.line(&format!(
                            "        {model} × {}: {}",
                            cell.workers,
                            crate::export::sanitize::for_terminal(&cluster.describe())
                        ));
                    }
                }
            }
            _ => {}
        }
    };
    stderr
        .lock()
        .show_progress(SweepProgress::new(&exp, planned, style));
    let results = std::thread::scope(|scope| {
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let stderr = &*stderr;
        if style != ProgressStyle::Hidden {
            // The time left counts down, and a slow start-up shows, between the sweep's events.
            scope.spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(PROGRESS_TICK) {
                    stderr.lock().redraw(sweep_clock.elapsed());
                }
            });
        }
        let results = run_sweep(&exp, &config, &cancel, &mut |event| {
            let mut err = stderr.lock();
            let now = sweep_clock.elapsed();
            let cells = err.observe(&event, now);
            // Lines of their own go on a line of their own: the status line is erased first,
            // and drawn again at the next run's report (or the next tick).
            let quiet_event = matches!(
                event,
                SweepEvent::Progress { .. } | SweepEvent::CellStarted { .. }
            );
            if !quiet_event {
                err.clear();
            }
            say_event(event, cells, &mut err);
            if quiet_event {
                err.redraw(now);
            }
        });
        drop(stop);
        results
    });
    stderr.lock().end_progress();
    out!("{}", summary_table(&results));
    out!("{}", verdict_text(&results));
    out!("{}", gil_lesson_text(&results));
    say_load(&results, quiet);
    // The sweep's own warnings (a process a cell's end could not stop), kept in the file too.
    say_sweep_warnings(&results);
    out!("{}", fits_summary(&fit_results(&results)));
    // A results file that cannot be saved (a full disk) does not cost the other outputs: they
    // are still written, and the failure is the run's error at the end.
    let mut save_error: Option<anyhow::Error> = None;
    let saved = match &target {
        Some(target) => match target.finish(&results, !save_failures.is_empty()) {
            Ok(saved) => Some(saved),
            Err(e) => {
                // Measured runs are not lost: they go to a new file in the temporary
                // directory, which the error names.
                save_error = Some(match rescue_results(&results) {
                    Ok(rescued) => anyhow::anyhow!(
                        "{e:#}; this run's results were saved to {} instead",
                        path_text(&rescued)
                    ),
                    Err(why) => anyhow::anyhow!(
                        "{e:#}; nor could they be saved to the temporary directory ({why:#})"
                    ),
                });
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

/// How often the progress is looked at between the sweep's events.
const PROGRESS_TICK: Duration = Duration::from_millis(500);

/// A finished cell's speedup for its progress line, once the cells in `finished` (model,
/// workers) include its baseline; before that the speedup is against the baseline's runs so
/// far and would differ from the final table's, so the line says it comes later.
fn final_speedup_text(
    cell: &crate::results::CellResult,
    baseline: crate::preset::Baseline,
    finished: &[(Option<ModelKind>, usize)],
) -> String {
    let rule = crate::results::BaselineCell::by_rule(baseline, cell.model);
    let base = (rule.model, rule.workers);
    match cell.speedup {
        Some(s) if finished.contains(&base) => format!("{s:.2}×"),
        Some(_) => "when the baseline is done".into(),
        None => "—".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// A function experiment on the module at `path`, run by py-threading and py-asyncio on
    /// scripted executors (no interpreter, no timing), with a CPython 3.11's answers.
    fn scripted_function_run(path: &Path) -> (Experiment, crate::engine::mock::MockExecutors) {
        let mut exp = Experiment {
            models: vec![ModelKind::PyThreading, ModelKind::PyAsyncio],
            workers: vec![1, 2],
            repetitions: 1,
            warmups: 0,
            timeout_s: 30.0,
            baseline: crate::preset::Baseline::SameModelOneWorker,
            ..Experiment::default()
        };
        exp.task.kind = crate::preset::TaskKind::Function;
        exp.task.tasks = 4;
        exp.task.function.file = path.to_str().unwrap().into();
        exp.task.function.name = "work".into();
        exp.task.function.range = Some(4);
        let mock = crate::engine::mock::MockExecutors::textbook(0.01, 4).with_python(Ok(
            crate::results::PythonInfo {
                interpreter: "/usr/bin/python3".into(),
                version: "3.11.7".into(),
                implementation: "cpython".into(),
                gil_enabled: true,
                ..Default::default()
            },
        ));
        (exp, mock)
    }

    /// What `run` does with a function task's module, in its order: the checks before the
    /// sweep (which read it), their lines, then the sweep given the checked reading. Counted
    /// on this thread, where `run` calls them all (its sweep too).
    #[test]
    fn a_run_reads_its_module_once_and_records_the_text_it_checked() {
        use crate::engine::python_source::module_reads_on_this_thread;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("mywork.py");
        std::fs::write(&path, "@trace\ndef work(n):\n    return n * n\n").unwrap();
        let (exp, mock) = scripted_function_run(&path);
        exp.validate().unwrap();
        let before = module_reads_on_this_thread();
        let (checked, lines) = check_before_sweep(&exp, &mock).unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("Note: `work` (line 2) is decorated (@trace)"),
            "{lines:?}"
        );
        assert!(checked.python.is_some());
        // Between the check and the sweep the file changes: another `work`, a plain one,
        // that the check never saw.
        std::fs::write(&path, "def work(n):\n    return 'not the checked text'\n").unwrap();
        let mut config =
            SweepConfig::new(WorkerCommand::new("/nonexistent/corelab")).with_executors(mock);
        config.module = checked.module;
        let results = run_sweep(&exp, &config, &CancelToken::new(), &mut |_| {});
        assert_eq!(
            module_reads_on_this_thread() - before,
            1,
            "one reading of the module for the checks, the notes and the recorded source"
        );
        assert!(
            results.cells.iter().all(|c| c.status == CellStatus::Ok),
            "{:?}",
            results.cells
        );
        assert_eq!(
            results.provenance.function_source.as_deref(),
            Some("@trace\ndef work(n):\n    return n * n"),
            "the source recorded is the text checked"
        );
        let note = results.provenance.function_note.unwrap_or_default();
        assert!(note.contains("is decorated (@trace)"), "{note}");
        // Checked again now, the new text gives the py-asyncio warning instead: the lines
        // above came from the first reading, not from a later one.
        let (_, lines) = check_before_sweep(&exp, &mock_again(&exp)).unwrap();
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert!(
            lines[0].starts_with("Warning: py-asyncio: `work` is a plain function"),
            "{lines:?}"
        );
    }

    fn mock_again(exp: &Experiment) -> crate::engine::mock::MockExecutors {
        scripted_function_run(Path::new(&exp.task.function.file)).1
    }

    /// A reading of another module than the experiment's is never recorded for it: the sweep
    /// reads the experiment's own module, once.
    #[test]
    fn a_reading_of_another_module_is_not_recorded() {
        use crate::engine::python_source::module_reads_on_this_thread;
        let dir = tempfile::tempdir().unwrap();
        let (ours, theirs) = (dir.path().join("ours.py"), dir.path().join("theirs.py"));
        std::fs::write(&ours, "def work(n):\n    return 1\n").unwrap();
        std::fs::write(&theirs, "def work(n):\n    return 2\n").unwrap();
        let (exp, mock) = scripted_function_run(&ours);
        let mut config =
            SweepConfig::new(WorkerCommand::new("/nonexistent/corelab")).with_executors(mock);
        config.module = Some(Arc::new(
            crate::engine::module_source::ModuleSource::read(&theirs).unwrap(),
        ));
        let before = module_reads_on_this_thread();
        let results = run_sweep(&exp, &config, &CancelToken::new(), &mut |_| {});
        assert_eq!(module_reads_on_this_thread() - before, 1);
        assert_eq!(
            results.provenance.function_source.as_deref(),
            Some("def work(n):\n    return 1")
        );
    }

    #[test]
    fn the_precision_is_a_percentage_up_to_50() {
        assert_eq!(parse_percent("2"), Ok(0.02));
        assert_eq!(parse_percent("50%"), Ok(0.5));
        assert_eq!(
            parse_percent("51"),
            Err("\"51\" is not a percentage from 0 to 50".to_string())
        );
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
}
