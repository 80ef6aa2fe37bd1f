use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::cancel::CancelToken;
use super::cpu_time::{Snapshot, process_cpu_time, process_tree, spent_between};
use super::display_pacing::{DisplayPacing, DisplayWaker, Moment};
use super::error::EngineError;
use super::event::{CellProgress, SweepEvent};
use super::fault::UserFault;
use super::load::{self, LoadEvidence, LoadProbe};
use super::model::python::{self, PythonExecutor, PythonInfo};
use super::model::{
    Executor, InProcessExecutor, ProcessPool, RunRecord, TokioExecutor, WorkerCommand,
};
use super::module_source::{ModuleSource, is_module_of};
use super::pacer::{RunGuard, UnitError};
use super::results_saver::{ResultsSaver, SaveToFile};
use super::run_count::RunCount;
use super::run_mark::{MarkedRun, Stop, not_gone_after_run_words, not_gone_at_cell_end_words};
use super::scratch::ScratchDir;
use super::workload::RunEnv;
use crate::preset::{Baseline, Experiment, ModelKind, TaskKind};
use crate::results::{
    CellResult, CellStatus, LoadSummary, MachineInfo, ResultsFile, RunStatus, Sample,
    WriterProcess, differing_task_note, utc_timestamp,
};

/// Starts the executor of one cell. The sweep takes its executors from a factory so that
/// tests can script their timings ([`super::mock::MockExecutors`]); the default,
/// [`RealExecutors`], starts threads, pools, worker processes and interpreters.
pub trait ExecutorFactory: std::fmt::Debug + Send + Sync {
    /// Starts (untimed) the executor for `cell`; a failure fails that cell only.
    fn start(&self, cell: &CellStart<'_>) -> Result<Box<dyn Executor>, UnitError>;

    /// The load evidence (ticks, own CPU time, interval) a run is to be recorded with instead
    /// of sampling the machine; `None` (the default) samples the machine. `run` counts the
    /// cell's runs, warm-ups included.
    fn scripted_load(
        &self,
        _model: ModelKind,
        _workers: usize,
        _run: usize,
    ) -> Option<LoadEvidence> {
        None
    }

    /// The interpreter the Python models are to run, asked for its version and GIL (see
    /// [`python::probe`]); an error says why it cannot run them. The one probe of the sweep,
    /// [`preflight_with`] and the lessons; a test's factory may answer without running one.
    fn python_info(
        &self,
        options: &crate::preset::PythonOptions,
    ) -> Result<PythonInfo, EngineError> {
        python::probe(options)
    }

    /// Stops what a run of the cell `model × workers` left behind (its commands' processes,
    /// where its model keeps none between runs: [`MarkedRun::stop_left_by_run`]). A test's
    /// factory may stand in a stop that meets a process it cannot stop.
    fn stop_left_by_run(&self, _model: ModelKind, _workers: usize, marked: &MarkedRun) -> Stop {
        marked.stop_left_by_run()
    }

    /// Stops, when the cell `model × workers` ends (after its executor), every process still
    /// carrying its mark ([`MarkedRun::stop_at_end`]). A test's factory may stand in a stop
    /// that meets a process it cannot stop.
    fn stop_at_cell_end(&self, _model: ModelKind, _workers: usize, marked: MarkedRun) -> Stop {
        marked.stop_at_end()
    }
}

/// What a factory needs to start one cell's executor.
pub struct CellStart<'a> {
    pub exp: &'a Experiment,
    pub model: ModelKind,
    pub workers: usize,
    /// The command that starts a `corelab worker` child (processes model).
    pub worker: &'a WorkerCommand,
    /// The environment the cell's runs get ([`RunEnv::for_cell`]): its private scratch
    /// directory among it.
    pub env: &'a RunEnv,
    /// Cancellation and the experiment's timeout, for start-up.
    pub guard: &'a RunGuard,
}

/// The executors corelab measures with: in-process models, the process pool, CPython.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealExecutors;

impl ExecutorFactory for RealExecutors {
    fn start(&self, cell: &CellStart<'_>) -> Result<Box<dyn Executor>, UnitError> {
        let (exp, model, workers) = (cell.exp, cell.model, cell.workers);
        if model.is_python() {
            let scratch = &cell.env.scratch_dir;
            return PythonExecutor::start_for(exp, model, workers, scratch, cell.guard)
                .map(|p| Box::new(p) as Box<dyn Executor>);
        }
        // The in-process cells' shared input is built as the first of them starts, before any
        // run: no run is charged for it, whatever the shuffle (`workload::shared`).
        match model {
            ModelKind::Processes => ProcessPool::start(cell.worker, workers, cell.guard)
                .map(|p| Box::new(p) as Box<dyn Executor>),
            ModelKind::Tokio => TokioExecutor::new(workers)
                .map(|mut e| {
                    e.hold_shared_input(&exp.task, cell.env);
                    Box::new(e) as Box<dyn Executor>
                })
                .map_err(UnitError::Failed),
            _ => {
                let interval = Duration::from_secs_f64(exp.gil.switch_interval_ms / 1000.0);
                InProcessExecutor::new(model, workers, interval)
                    .map(|mut e| {
                        e.hold_shared_input(&exp.task, cell.env);
                        Box::new(e) as Box<dyn Executor>
                    })
                    .map_err(UnitError::Failed)
            }
        }
    }
}

/// How many timed runs of each cell record their costs besides time (see `run_once`).
pub const COSTED_RUNS: usize = 5;

/// How a sweep starts workers and where it keeps partial results.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    /// The command that starts a `corelab worker` child (processes model).
    pub worker: WorkerCommand,
    /// When set, the results so far are written here (atomically) between rounds (after the
    /// first, after any that completed a cell, and otherwise about once a second: see
    /// `PartialSaves`) and at the end, marked `incomplete` until the sweep ends, so a killed
    /// sweep still leaves a readable file.
    pub partial_results: Option<PathBuf>,
    /// How [`spawn_sweep`] wakes its display; `None` wakes it after every event.
    pub display: Option<DisplayPacing>,
    /// Where the cells' executors come from ([`RealExecutors`] unless a test scripts them).
    pub executors: Arc<dyn ExecutorFactory>,
    /// Seed of the per-round shuffle; `None` picks one from the clock. Recorded in the
    /// results (`shuffle_seed`) either way.
    pub shuffle_seed: Option<u64>,
    /// Recorded in the results: this build's commit, and the command and preset the caller
    /// names.
    pub provenance: crate::results::Provenance,
    /// How [`SweepConfig::partial_results`] is written ([`SaveToFile`] unless a test stands
    /// in a disk that fails).
    pub saver: Arc<dyn ResultsSaver>,
    /// A function task's module as the caller's pre-check read and checked it
    /// ([`preflight_checked`], [`task_preflight`]): the results file records the function's
    /// source from this same reading, so what is recorded is what was checked. `None` (or a
    /// reading of another module than the experiment's): the sweep reads the module once as
    /// it starts.
    pub module: Option<Arc<ModuleSource>>,
}

impl SweepConfig {
    pub fn new(worker: WorkerCommand) -> Self {
        SweepConfig {
            worker,
            partial_results: None,
            display: None,
            executors: Arc::new(RealExecutors),
            shuffle_seed: None,
            provenance: crate::results::Provenance::of_this_build(),
            saver: Arc::new(SaveToFile),
            module: None,
        }
    }

    /// The same configuration with executors from `factory`.
    pub fn with_executors(mut self, factory: impl ExecutorFactory + 'static) -> Self {
        self.executors = Arc::new(factory);
        self
    }

    /// The same configuration writing its results through `saver` (a test's failing disk).
    pub fn with_saver(mut self, saver: impl ResultsSaver + 'static) -> Self {
        self.saver = Arc::new(saver);
        self
    }
}

/// The cells a sweep will run, in order: the sequential baseline first, then every worker
/// count in the listed order with every model. Sequential runs once, at one worker.
pub fn sweep_plan(exp: &Experiment) -> Vec<(ModelKind, usize)> {
    let mut plan = Vec::new();
    let wants_sequential =
        exp.models.contains(&ModelKind::Sequential) || exp.baseline == Baseline::Sequential;
    if wants_sequential {
        plan.push((ModelKind::Sequential, 1));
    }
    let mut workers = exp.workers.clone();
    if exp.baseline == Baseline::SameModelOneWorker && !workers.contains(&1) {
        workers.insert(0, 1);
    }
    for &w in &workers {
        for &m in &exp.models {
            if !m.is_single_worker() {
                plan.push((m, w));
            }
        }
    }
    plan
}

/// Checks what the experiment needs from outside corelab (memory and disk for its largest
/// cell, see [`super::resources`]; a Python interpreter for the `py-*` models). `Ok(None)`
/// when no interpreter is needed; an error says what is missing.
pub fn preflight(exp: &Experiment) -> Result<Option<PythonInfo>, EngineError> {
    preflight_with(exp, &RealExecutors)
}

/// [`preflight`] with the interpreter asked of `executors` ([`ExecutorFactory::python_info`]),
/// as the sweep asks it: the lessons check with the factory their sweeps run on, so that a
/// test answers without an interpreter.
pub fn preflight_with(
    exp: &Experiment,
    executors: &dyn ExecutorFactory,
) -> Result<Option<PythonInfo>, EngineError> {
    preflight_checked(exp, executors).map(|checked| checked.python)
}

/// What [`preflight_checked`] found: the interpreter the Python models run, and a function
/// task's module as it was read and checked, for the notes and the results file to take
/// ([`SweepConfig::module`]) instead of reading it again.
#[derive(Debug, Default)]
pub struct Preflight {
    pub python: Option<PythonInfo>,
    pub module: Option<Arc<ModuleSource>>,
}

/// [`preflight_with`], keeping the one reading of a function task's module that it checked.
pub fn preflight_checked(
    exp: &Experiment,
    executors: &dyn ExecutorFactory,
) -> Result<Preflight, EngineError> {
    super::resources::check(exp).map_err(|e| EngineError::Resources(e.to_string()))?;
    let module = task_preflight(exp)?.map(Arc::new);
    if !exp.models.iter().any(|m| m.is_python()) {
        return Ok(Preflight {
            python: None,
            module,
        });
    }
    let info = executors.python_info(&exp.python)?;
    // Refused, as every model this interpreter cannot run is (the workbench greys it and Run
    // says why): a sweep quietly without a model the preset asks for would answer another
    // question. The reason names the models that can run, for `--models`.
    let refused: Vec<(ModelKind, String)> = exp
        .models
        .iter()
        .filter_map(|m| info.refuses(*m).map(|r| (*m, r)))
        .collect();
    if let Some((_, reason)) = refused.first() {
        let others: Vec<&str> = exp
            .models
            .iter()
            .filter(|m| !refused.iter().any(|(r, _)| r == *m))
            .map(|m| m.id())
            .collect();
        let hint = match others.is_empty() {
            true => String::new(),
            false => format!(
                "; to run the other models without it: --models {}",
                others.join(",")
            ),
        };
        return Err(EngineError::InterpreterRefused(format!("{reason}{hint}")));
    }
    Ok(Preflight {
        python: Some(info),
        module,
    })
}

/// What a task names that must be there before any cell starts: a function's module file,
/// given by an absolute path, and a function of that name in it; and for `py-mpi` the
/// hostfile, an absolute path to a regular file that can be read (see
/// [`super::mpi_hostfile`]). The module is looked at and its text read, never imported or
/// run: a missing module or a misspelt function (or hostfile) would otherwise fail every cell
/// in turn, each after its interpreter or pool had started.
/// Returns the module as read (once) and checked, for a function task: give it to the sweep
/// ([`SweepConfig::module`]) so that the source it records is the text checked here.
pub fn task_preflight(exp: &Experiment) -> Result<Option<ModuleSource>, EngineError> {
    waits_fit_the_timeout(exp)?;
    if exp.models.contains(&ModelKind::PyMpi) {
        super::mpi_hostfile::checked_hostfile(&exp.mpi.hostfile)?;
    }
    if exp.task.kind == crate::preset::TaskKind::Function {
        let file = std::path::Path::new(exp.task.function.file.trim());
        if file.is_relative() {
            // The Python worker imports by absolute path only; the CLI and the workbench
            // resolve a relative one first (against the preset file's folder, else the
            // current directory).
            return Err(EngineError::TaskUnavailable(format!(
                "the function's module {} is a relative path; give it from the root (or open \
                 the preset from a file, whose folder a relative path is taken from)",
                file.display().to_string().escape_debug()
            )));
        }
        match std::fs::metadata(file) {
            Ok(m) if m.is_file() => {
                // The function's name, read from the module's text (never imported: see
                // `python_source`): a misspelt one would fail every cell.
                let name = exp.task.function.name.trim();
                match ModuleSource::read(file) {
                    Ok(module) => match module.missing_function(name) {
                        None => return Ok(Some(module)),
                        Some(why) => {
                            return Err(EngineError::TaskUnavailable(format!(
                                "the function's module {}: {why}",
                                file.display().to_string().escape_debug()
                            )));
                        }
                    },
                    Err(e) => {
                        return Err(EngineError::TaskUnavailable(format!(
                            "the function's module {} cannot be read: {e}",
                            file.display().to_string().escape_debug()
                        )));
                    }
                }
            }
            Ok(m) => {
                return Err(EngineError::TaskUnavailable(format!(
                    "the function's module {} is not a regular file: it is {}",
                    file.display().to_string().escape_debug(),
                    crate::safe_fs::describe_type(m.file_type())
                )));
            }
            Err(e) => {
                return Err(EngineError::TaskUnavailable(format!(
                    "the function's module {} cannot be read: {e}",
                    file.display().to_string().escape_debug()
                )));
            }
        }
    }
    Ok(None)
}

/// Refuses a sweep whose runs cannot end within `timeout_s` whatever the machine: a task that
/// waits (`io` sleeps, `mixed` compute and wait) takes at least its wait, so one run of a cell
/// that has `w` tasks in flight takes at least ⌈tasks / w⌉ such waits. Without this, a preset
/// of 32 one-minute sleeps against a 30 s timeout was accepted, and each cell failed after
/// 30 s. A calibrated task (`target_run_s`) is sized below the timeout at run time instead.
fn waits_fit_the_timeout(exp: &Experiment) -> Result<(), EngineError> {
    use crate::preset::{IoMode, TaskKind};
    if exp.target_run_s > 0.0 {
        return Ok(());
    }
    let task = &exp.task;
    let (per_task_s, what) = match task.kind {
        TaskKind::Io if task.io.mode == IoMode::Sleep => {
            (task.io.sleep_ms / 1000.0, "io.sleep_ms of waiting")
        }
        TaskKind::Mixed => (
            (task.mixed.compute_ms + task.mixed.wait_ms) / 1000.0,
            "mixed.compute_ms + wait_ms",
        ),
        _ => return Ok(()),
    };
    let tasks = u64::from(task.tasks.max(1));
    let slowest = sweep_plan(exp).into_iter().map(|(model, w)| {
        let in_flight = if model.is_single_worker() {
            1
        } else {
            w.max(1) as u64
        };
        let rounds = tasks.div_ceil(in_flight);
        (model, w, rounds as f64 * per_task_s)
    });
    // The first of the slowest (the sequential baseline before a model's own one worker).
    let Some((model, w, floor_s)) = slowest.min_by(|a, b| b.2.total_cmp(&a.2)) else {
        return Ok(());
    };
    if floor_s < exp.timeout_s {
        return Ok(());
    }
    Err(EngineError::TaskUnavailable(format!(
        "one run of {model} × {w} would take at least {floor_s:.1} s ({tasks} tasks of \
         {per_task_s:.3} s each, {} at a time; {what}), but timeout_s is {} s: every such run \
         would be stopped; raise timeout_s, or lower the waits or the number of tasks",
        if model.is_single_worker() { 1 } else { w },
        exp.timeout_s
    )))
}

/// The provenance a sweep records: the config's, and for a Python function task the
/// function's source and the note on its binding, from the module as the caller's pre-check
/// read it ([`SweepConfig::module`]) when that is this experiment's module; otherwise from one
/// reading made now (the module's path is absolute by now). Either way one reading gives both,
/// and nothing here reads the module again. What the run's CPython processes import is their
/// own later read of the file (see [`super::module_source`]).
fn recorded_provenance(exp: &Experiment, config: &SweepConfig) -> crate::results::Provenance {
    let mut provenance = config.provenance.clone();
    if exp.task.kind == crate::preset::TaskKind::Function {
        let function = &exp.task.function;
        match &config.module {
            Some(module) if is_module_of(module, exp) => {
                (provenance.function_source, provenance.function_note) =
                    module.recorded(&function.name);
            }
            _ => {
                if let Some(path) = function.resolved_file(None) {
                    (provenance.function_source, provenance.function_note) =
                        super::module_source::recorded_function(&path, &function.name);
                }
            }
        }
    }
    provenance
}

/// Runs a whole sweep on the calling thread, reporting through `emit`. Returns the results,
/// also when cancelled (then with `status: cancelled`, the cells that completed, and the cells
/// still being measured marked `cancelled` with the runs they had).
///
/// The measurement is interleaved, so that a burst of load on a shared machine spreads over
/// every cell instead of slowing one whole cell: every cell's executor is started first (its
/// start-up is reported apart and never timed; a failure fails that cell only), then come the
/// warm-ups, then rounds. In each round every cell that still wants runs (see [`RunCount`])
/// does one timed run, in an order shuffled anew each round from a seed recorded in the
/// results. The executors stay alive from the first round to the cell's last run. Other
/// programs' load is sampled around every timed run (see [`super::load`]).
///
/// A failure fails its own cell only, except a fault of the user's own code (see
/// [`UserFault::of`]), which is told once: its cell keeps the whole message (one `Failed`
/// event) and the cells it stops are failed with a one-line reference to it, keeping the runs
/// they had. A fault that cannot depend on the model, met while a cell starts (the module
/// fails to import, a syntax error, the function is missing), stops every cell, and no cell
/// is started after it. A module that imports in the interpreter but fails in the model's
/// pool only (a pool process, a Dask worker, an MPI rank: `UnitError::PoolCode`) stops the
/// cells of that model only, as a fault met while running does. A fault met while running (an exception, a hang) stops the cells of
/// its model only, and the other models go on; a model that then meets the same fault (the
/// same exception from the same frame of the user's code, or a hang again) is stopped at once
/// as well, its cell pointing at the first instead of repeating the message.
pub fn run_sweep(
    exp: &Experiment,
    config: &SweepConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(SweepEvent),
) -> ResultsFile {
    // The function's recorded source: from the caller's checked reading of the module, or
    // one read now, before the calibration imports and runs it.
    let provenance = recorded_provenance(exp, config);
    // 0. With a target time per run, size the task on this machine first.
    let (calibrated, calibration) = super::calibrate::calibrate_experiment(
        exp,
        &super::resources::available_now(),
        config.executors.as_ref(),
        &config.worker,
        cancel,
    );
    let exp = &calibrated;
    let plan = sweep_plan(exp);
    let seed = config.shuffle_seed.unwrap_or_else(clock_seed);
    let mut rng = SplitMix64(seed);
    let mut results = ResultsFile {
        started_at: utc_timestamp(SystemTime::now()),
        machine: MachineInfo::detect(),
        experiment: recorded_experiment(exp),
        shuffle_seed: Some(seed),
        calibration,
        provenance,
        // Named while the file is `incomplete`, so that one this process leaves when killed
        // can be told from one still being written (dropped at the end).
        writer: Some(WriterProcess::this()),
        ..ResultsFile::default()
    };
    // A missing interpreter fails the Python cells (with the reason), not the sweep.
    let python = match exp.models.iter().any(|m| m.is_python()) {
        true => Some(
            config
                .executors
                .python_info(&exp.python)
                .map_err(|e| e.to_string()),
        ),
        false => None,
    };
    results.python = python.clone().and_then(Result::ok);
    results.recompute();
    let mut sweep = Sweep {
        exp,
        config,
        cancel,
        count: RunCount::of(exp),
        planned_cells: plan.len(),
        probe: LoadProbe::new(),
        load: LoadEvidence::default(),
        live: Vec::new(),
        started: Instant::now(),
        faults: Vec::new(),
    };
    emit(SweepEvent::Started {
        plan: plan.clone(),
        runs_total: plan.len() * sweep.runs_per_cell(),
        timed_per_cell: sweep.count.expected(&[]),
    });

    // 1. Start-up: every cell's executor, before any run.
    for &(model, workers) in &plan {
        if cancel.is_cancelled() {
            break;
        }
        emit(SweepEvent::CellStarted { model, workers });
        let unavailable = match &python {
            Some(Err(reason)) if model.is_python() => Some(reason.clone()),
            Some(Ok(info)) => info.refuses(model),
            _ => None,
        };
        // A cell after one whose start met a fault of the user's code is not started: it
        // fails quietly, pointing at that fault.
        let skipped = stopping(&sweep.faults, model).map(not_run);
        let quiet = skipped.is_some();
        let (cell, running, met_again) = sweep.start_cell(model, workers, skipped.or(unavailable));
        let quiet = quiet || met_again;
        results.cells.push(cell);
        sweep.live.push(Live {
            running,
            finished: false,
            quiet,
            load: load::CellJudge::default(),
        });
    }
    // A cell started before one whose start met a fault of the user's code is stopped too.
    sweep.stop_after_user_fault(&mut results);
    // Cells that could not start are done already.
    sweep.finish_cells(&mut results, emit);
    sweep.progress(&results, emit);

    // 2. Warm-ups, round by round like the timed runs.
    'sweep: {
        for _ in 0..exp.warmups {
            let order = rng.shuffled(sweep.running_cells());
            for i in order {
                if cancel.is_cancelled() {
                    break 'sweep;
                }
                sweep.run_once(&mut results.cells[i], &mut results.warnings, i, true);
                sweep.stop_after_user_fault(&mut results);
                sweep.progress(&results, emit);
            }
        }
        // 3. Timed rounds while any cell wants more runs.
        let mut round = 0;
        let mut saves = PartialSaves::default();
        loop {
            let wanting: Vec<usize> = sweep
                .running_cells()
                .into_iter()
                .filter(|&i| sweep.wants_more(&results.cells[i], i))
                .collect();
            if wanting.is_empty() {
                break;
            }
            round += 1;
            for i in rng.shuffled(wanting) {
                if cancel.is_cancelled() {
                    break 'sweep;
                }
                let cell = &results.cells[i];
                emit(SweepEvent::CellStarted {
                    model: cell.model.unwrap_or(ModelKind::Sequential),
                    workers: cell.workers,
                });
                sweep.run_once(&mut results.cells[i], &mut results.warnings, i, false);
                sweep.stop_after_user_fault(&mut results);
                sweep.progress(&results, emit);
            }
            let finished_before = sweep.live.iter().filter(|l| l.finished).count();
            sweep.finish_cells(&mut results, emit);
            let cell_finished = sweep.live.iter().filter(|l| l.finished).count() > finished_before;
            results.machine.load_during_runs = sweep.load_summary(&results);
            results.recompute();
            emit(SweepEvent::RoundDone {
                round,
                cells: results
                    .cells
                    .iter()
                    .filter(|c| !c.samples.is_empty())
                    .cloned()
                    .collect(),
                warnings: results.warnings.clone(),
            });
            sweep.progress(&results, emit);
            if let Some(path) = &config.partial_results
                && saves.due(&results, cell_finished)
            {
                // A failed partial write must not stop the measurement; it is reported.
                save_or_report(
                    &*config.saver,
                    &saved_mid_sweep(&results, &sweep.live),
                    path,
                    emit,
                );
            }
        }
    }
    // Cells that got all their runs before a cancel are complete; the rest were cut short.
    sweep.finish_cells(&mut results, emit);
    for (cell, live) in results.cells.iter_mut().zip(&mut sweep.live) {
        if !live.finished {
            live.stop(&*sweep.config.executors, cell, &mut results.warnings, &[]);
            live.finished = true;
            cell.status = CellStatus::Cancelled;
            cell.error = Some(format!("cancelled after {} timed runs", cell.samples.len()));
        }
    }
    results.status = if cancel.is_cancelled() {
        RunStatus::Cancelled
    } else if !results.cells.is_empty()
        && results.cells.iter().all(|c| c.status == CellStatus::Failed)
    {
        RunStatus::Failed
    } else {
        RunStatus::Complete
    };
    results.machine.load_during_runs = sweep.load_summary(&results);
    results.finished_at = Some(utc_timestamp(SystemTime::now()));
    results.writer = None;
    results.recompute();
    sweep.progress(&results, emit);
    if let Some(path) = &config.partial_results {
        save_or_report(&*config.saver, &results, path, emit);
    }
    emit(SweepEvent::Finished(Box::new(results.clone())));
    results
}

/// The results as they are written between rounds: a cell still being measured is saved as
/// cancelled (with the runs it has, [`CellResult::is_partial`]), so that the file a killed
/// sweep leaves reads like an interrupted one everywhere (report rows say partial, charts
/// draw hollow markers, the verdict compares only completed cells), never as finished cells
/// of one or two runs. The next save, or the end of the sweep, writes them anew. The sweep's
/// warnings told so far are in `results` already (see `Live::stop`), so the file holds them.
fn saved_mid_sweep(results: &ResultsFile, live: &[Live]) -> ResultsFile {
    let mut saved = results.clone();
    let mut changed = false;
    for (cell, live) in saved.cells.iter_mut().zip(live) {
        if !live.finished && cell.status == CellStatus::Ok {
            cell.mark_still_measuring();
            changed = true;
        }
    }
    if changed {
        saved.recompute();
    }
    saved
}

/// When the results so far are written to [`SweepConfig::partial_results`] between rounds:
/// after the first round, after a round in which a cell got its last run, and otherwise once
/// [`PartialSaves::EVERY`] has passed since the last write, by the clock or by the runs
/// measured since. Writing after every round cost more than the sweep: a cell of 1 000 runs
/// of 30 µs (the sequential row of `lock-contention-processes`) took 14.9 s with `--out`,
/// 7 ms a write of the growing file, against 1 s without. So a killed sweep loses at most
/// about a second of measurement, and any cell it completed.
#[derive(Default)]
struct PartialSaves {
    /// When the last write was, and the seconds of timed runs the results held then.
    last: Option<(Instant, f64)>,
}

impl PartialSaves {
    const EVERY: Duration = Duration::from_secs(1);

    /// Whether to write `results` now, at the end of a round (`cell_finished`: a cell got its
    /// last run in it); notes the write when it is due.
    fn due(&mut self, results: &ResultsFile, cell_finished: bool) -> bool {
        let measured: f64 = results
            .cells
            .iter()
            .flat_map(|c| &c.samples)
            .map(|s| s.wall_s)
            .sum();
        let due = match self.last {
            None => true,
            Some((at, then)) => {
                cell_finished
                    || at.elapsed() >= Self::EVERY
                    || measured - then >= Self::EVERY.as_secs_f64()
            }
        };
        if due {
            self.last = Some((Instant::now(), measured));
        }
        due
    }
}

/// Cumulative cost of every worker process of the model (each with its descendants), keyed by
/// pid; empty for models that run in this process (reading `/proc` costs nothing then).
fn workers_cost(executor: &dyn Executor) -> Snapshot {
    executor
        .worker_pids()
        .unwrap_or_default()
        .into_iter()
        .flat_map(process_tree)
        .collect()
}

/// The wall times of a cell's timed runs.
fn walls_of(cell: &CellResult) -> Vec<f64> {
    cell.samples.iter().map(|s| s.wall_s).collect()
}

/// The experiment as the results record it: a worker rule is kept only while the list still
/// follows it on this machine (an edited list, e.g. `--workers`, drops it).
fn recorded_experiment(exp: &Experiment) -> Experiment {
    let mut recorded = exp.clone();
    if let Some(rule) = &exp.worker_rule
        && rule.resolve(crate::preset::available_cores()) != exp.workers
    {
        recorded.worker_rule = None;
    }
    recorded
}

/// A seed for the run order when the configuration names none.
fn clock_seed() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    nanos ^ (u64::from(std::process::id()) << 32)
}

/// A small deterministic PRNG (SplitMix64) for the per-round shuffle.
#[derive(Clone, Debug)]
pub struct SplitMix64(pub u64);

impl SplitMix64 {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `items` in a uniformly shuffled order (Fisher–Yates).
    pub fn shuffled<T>(&mut self, mut items: Vec<T>) -> Vec<T> {
        for i in (1..items.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
        items
    }
}

/// A started cell: its executor, kept alive from start-up to its last run.
struct Running {
    executor: Box<dyn Executor>,
    env: RunEnv,
    /// The mark of every process the cell starts: those still alive are stopped when it is
    /// dropped, after the executor (field order).
    marked: MarkedRun,
    // Dropped after the executor (field order), which may have files in it.
    _scratch: ScratchDir,
}

impl Running {
    /// Whether nothing of a run should outlive it: a command task under a model with no
    /// processes of its own between runs (sequential, threads, rayon), whose commands' leftovers
    /// (a `setsid` daemon) carry the cell's mark and are stopped after each run
    /// ([`MarkedRun::stop_left_by_run`]).
    fn stops_what_each_run_leaves(&self, task: &crate::preset::TaskSpec) -> bool {
        task.kind == TaskKind::Command && self.executor.worker_pids().is_some_and(|p| p.is_empty())
    }
}

struct Live {
    running: Option<Running>,
    /// `CellDone` / `Failed` was sent (or the cell was cancelled).
    finished: bool,
    /// Failed without a `Failed` event: stopped or never started after a fault of the user's
    /// code in another cell, or met that fault again in another model; the fault was reported
    /// once (see `stop_after_user_fault`).
    quiet: bool,
    /// The raw load evidence of the cell's timed runs, pooled, and their verdicts so far.
    load: load::CellJudge,
}

impl Live {
    /// Ends the cell `cell`: shuts its executor down, then stops every process still carrying
    /// its mark (`executors`' [`ExecutorFactory::stop_at_cell_end`]), then removes its scratch
    /// directory. A process that stop killed but found still there after the wait cannot fail
    /// a cell whose runs are over: it is told as a warning of the sweep, pushed on `warnings`
    /// ([`not_gone_at_cell_end_words`]): the results' own `ResultsFile::warnings`, so that
    /// every save from then on (a partial one between rounds, [`saved_mid_sweep`], as well as
    /// the last) and every `RoundDone` holds it, each warning once.
    ///
    /// `already_told`: processes the cell's failure already names (the stop after a run found
    /// them still there, [`Sweep::run_once`]); found again here, they are not told twice.
    fn stop(
        &mut self,
        executors: &dyn ExecutorFactory,
        cell: &CellResult,
        warnings: &mut Vec<String>,
        already_told: &[u32],
    ) {
        let Some(mut r) = self.running.take() else {
            return;
        };
        r.marked.note_members();
        r.executor.shutdown();
        // The order of `Running`'s fields: the executor, then the mark's stop, then the
        // scratch directory (at the end of this function).
        let Running {
            executor,
            env,
            marked,
            _scratch,
        } = r;
        drop(executor);
        drop(env);
        let model = cell.model.unwrap_or(ModelKind::Sequential);
        let mut stop = executors.stop_at_cell_end(model, cell.workers, marked);
        stop.not_gone.retain(|n| !already_told.contains(&n.pid));
        let name = format!("{model} × {}", cell.workers);
        warnings.extend(not_gone_at_cell_end_words(&name, &stop));
    }
}

/// The state of one interleaved sweep; `live[i]` belongs to `results.cells[i]`.
struct Sweep<'a> {
    exp: &'a Experiment,
    config: &'a SweepConfig,
    cancel: &'a CancelToken,
    count: RunCount,
    planned_cells: usize,
    probe: LoadProbe,
    /// The raw load evidence of every timed run of the sweep, pooled.
    load: LoadEvidence,
    live: Vec<Live>,
    started: Instant,
    /// The faults of the user's own code met so far, each told once, in the order met.
    faults: Vec<ToldFault>,
}

/// A fault of the user's code the sweep met and told (see [`run_sweep`]).
struct ToldFault {
    fault: UserFault,
    /// The cell it struck first and the fault in one line: `py-threading × 1 (ValueError: bad)`.
    origin: String,
    /// The models whose cells it stops: those that met it, or `None` for every model (met
    /// while a cell started: the module, which no model can change).
    models: Option<Vec<ModelKind>>,
}

/// The cell and fault (`ToldFault::origin`) that stop the cells of `model`, if one does.
fn stopping(faults: &[ToldFault], model: ModelKind) -> Option<&str> {
    faults
        .iter()
        .find(|f| f.models.as_ref().is_none_or(|m| m.contains(&model)))
        .map(|f| f.origin.as_str())
}

impl Drop for Sweep<'_> {
    fn drop(&mut self) {
        // Only where `run_sweep` did not end every cell (a panic): the mark's drop stops it.
        for live in &mut self.live {
            if let Some(mut r) = live.running.take() {
                r.marked.note_members();
                r.executor.shutdown();
            }
        }
    }
}

impl Sweep<'_> {
    /// Runs a cell is expected to take before any is timed: its warm-ups, and its
    /// repetitions (or the 6 runs a precision target needs at least).
    fn runs_per_cell(&self) -> usize {
        self.exp.warmups as usize + self.count.expected(&[])
    }

    fn running_cells(&self) -> Vec<usize> {
        (0..self.live.len())
            .filter(|&i| self.live[i].running.is_some())
            .collect()
    }

    fn wants_more(&self, cell: &CellResult, i: usize) -> bool {
        cell.status == CellStatus::Ok
            && self.live[i].running.is_some()
            && (cell.warmups.len() < self.exp.warmups as usize
                || self.count.wants_more_runs(&walls_of(cell)))
    }

    /// The sweep's load: its pooled ticks judged, with its cells' run counts.
    fn load_summary(&self, results: &ResultsFile) -> Option<LoadSummary> {
        load::sweep_summary(
            &self.load,
            results.cells.iter().filter_map(|c| c.load.as_ref()),
        )
    }

    /// Sends `Progress`: runs done and the total expected so far (it grows when short runs
    /// need more repetitions or a precision target more runs; a failed or cancelled cell counts
    /// its skipped runs as done), and each cell's share of it.
    fn progress(&self, results: &ResultsFile, emit: &mut dyn FnMut(SweepEvent)) {
        let per_cell = self.runs_per_cell();
        let mut done = 0;
        let mut total = self.planned_cells.saturating_sub(results.cells.len()) * per_cell;
        let mut cells = Vec::with_capacity(results.cells.len());
        for (cell, live) in results.cells.iter().zip(&self.live) {
            let runs = cell.warmups.len() + cell.samples.len();
            let walls = walls_of(cell);
            let timed_expected = if cell.status == CellStatus::Ok && !live.finished {
                self.count.expected(&walls)
            } else {
                walls.len()
            };
            if cell.status == CellStatus::Ok {
                let expected = self.exp.warmups as usize + timed_expected;
                done += runs;
                total += expected.max(runs);
            } else {
                done += runs.max(per_cell);
                total += runs.max(per_cell);
            }
            if let Some(model) = cell.model {
                cells.push(CellProgress {
                    model,
                    workers: cell.workers,
                    warmups: cell.warmups.len(),
                    timed: walls.len(),
                    timed_s: walls.iter().sum(),
                    expected: timed_expected,
                });
            }
        }
        emit(SweepEvent::Progress {
            runs_done: done,
            runs_total: total,
            elapsed: self.started.elapsed(),
            cells,
        });
    }

    /// Starts one cell's executor (or fails the cell with `unavailable`). Returns the cell,
    /// its executor when it started, and whether it failed quietly: with a fault of the
    /// user's code already told for another model's cell, which its error points at.
    fn start_cell(
        &mut self,
        model: ModelKind,
        workers: usize,
        unavailable: Option<String>,
    ) -> (CellResult, Option<Running>, bool) {
        let mut cell = CellResult {
            model: Some(model),
            workers,
            ..CellResult::default()
        };
        if let Some(reason) = unavailable {
            fail(&mut cell, UnitError::Failed(reason), self.exp);
            return (cell, None, false);
        }
        let scratch = match ScratchDir::create() {
            Ok(s) => s,
            Err(e) => {
                let err = UnitError::Failed(format!("cannot create a scratch directory: {e}"));
                fail(&mut cell, err, self.exp);
                return (cell, None, false);
            }
        };
        let env = RunEnv::for_cell(model, workers, scratch.path());
        let marked = MarkedRun::new();
        let guard = marked.guard(
            self.cancel.clone(),
            Duration::from_secs_f64(self.exp.timeout_s),
        );
        let started = self.config.executors.start(&CellStart {
            exp: self.exp,
            model,
            workers,
            worker: &self.config.worker,
            env: &env,
            guard: &guard,
        });
        match started {
            Ok(executor) => {
                cell.startup_s = Some(executor.startup().as_secs_f64());
                cell.import_s = executor.module_import().map(|d| d.as_secs_f64());
                cell.cluster = executor.cluster();
                let running = Running {
                    executor,
                    env,
                    marked,
                    _scratch: scratch,
                };
                (cell, Some(running), false)
            }
            Err(err) => {
                // A start-up that ran past its own limit was worded where its deadline is
                // (`startup_timeout`): not a run past `timeout_s`, nor a hang of the user's
                // code (their module's import words its own timeout).
                let fault = UserFault::of(self.exp, &err);
                // Met before any run (the module's import): every model's, unless the module
                // imported in the interpreter and failed in the model's pool only.
                let every_model = !matches!(err, UnitError::PoolCode { .. });
                fail(&mut cell, err, self.exp);
                // The same fault told before (another model's pool failed the same way): this
                // cell points at it, quietly.
                let told = fault.and_then(|f| self.note_user_fault(&cell, f, every_model));
                if let Some(origin) = &told {
                    cell.error = Some(same_fault(origin, 0));
                }
                (cell, None, told.is_some())
            }
        }
    }

    /// Notes a fault of the user's own code that struck `cell`, for every model
    /// (`every_model`: met while the cell started) or for the cell's own;
    /// [`stop_after_user_fault`](Self::stop_after_user_fault) then stops the cells it stops.
    /// The same fault met before (in another model: that model's cells were still running)
    /// stops this model too and is not told again: its first cell and fault
    /// (`ToldFault::origin`) are returned, for this cell to point at.
    fn note_user_fault(
        &mut self,
        cell: &CellResult,
        fault: UserFault,
        every_model: bool,
    ) -> Option<String> {
        let model = cell.model.unwrap_or(ModelKind::Sequential);
        if let Some(told) = self
            .faults
            .iter_mut()
            .find(|t| t.fault.identity == fault.identity)
        {
            match &mut told.models {
                Some(_) if every_model => told.models = None,
                Some(models) if !models.contains(&model) => models.push(model),
                _ => {}
            }
            return Some(told.origin.clone());
        }
        self.faults.push(ToldFault {
            origin: format!("{model} × {} ({})", cell.workers, fault.summary),
            fault,
            models: (!every_model).then(|| vec![model]),
        });
        None
    }

    /// After a fault of the user's own code: stops every cell still running that it stops
    /// (every cell after a module that fails to import; the cells of the models that met it
    /// after an exception or a hang), keeping the runs it has, with a one-line reference to
    /// the cell that failed first (whose message holds the whole traceback, shown once). Those
    /// cells are failed quietly: no `Failed` event, so a display shows the fault once.
    fn stop_after_user_fault(&mut self, results: &mut ResultsFile) {
        if self.faults.is_empty() {
            return;
        }
        for (cell, live) in results.cells.iter_mut().zip(&mut self.live) {
            if live.finished || live.running.is_none() || cell.status != CellStatus::Ok {
                continue;
            }
            let model = cell.model.unwrap_or(ModelKind::Sequential);
            let Some(origin) = stopping(&self.faults, model) else {
                continue;
            };
            live.stop(&*self.config.executors, cell, &mut results.warnings, &[]);
            live.quiet = true;
            cell.status = CellStatus::Failed;
            let runs = cell.samples.len();
            cell.error = Some(match runs {
                0 => not_run(origin),
                n => format!(
                    "stopped after {}: the same code failed in {origin}",
                    crate::words::count(n, "timed run")
                ),
            });
        }
    }

    /// One run of cell `i` (a warm-up or a timed run), recorded; then whatever the run's
    /// commands left behind is stopped (after the record, so the search is never part of the
    /// run's costs). A cell stopped during the run has had its processes stopped with it.
    /// `warnings`: the results' (`ResultsFile::warnings`), where a stop tells its own.
    ///
    /// A process the run left that is still there after `SIGKILL` and the wait (in
    /// uninterruptible sleep, stuck in the kernel) fails the cell, naming it: corelab cannot
    /// keep its promise that nothing outlives a run, and the process may still hold what the
    /// cell's next runs would use. The cell is stopped; the other cells go on.
    fn run_once(
        &mut self,
        cell: &mut CellResult,
        warnings: &mut Vec<String>,
        i: usize,
        warmup: bool,
    ) {
        self.run_and_record(cell, warnings, i, warmup);
        let Some(running) = &self.live[i].running else {
            return;
        };
        if !running.stops_what_each_run_leaves(&self.exp.task) {
            return;
        }
        let model = cell.model.unwrap_or(ModelKind::Sequential);
        let stop = self
            .config
            .executors
            .stop_left_by_run(model, cell.workers, &running.marked);
        if let Some(reason) = not_gone_after_run_words(&stop) {
            cell.status = CellStatus::Failed;
            cell.error = Some(reason);
            let told: Vec<u32> = stop.not_gone.iter().map(|n| n.pid).collect();
            self.live[i].stop(&*self.config.executors, cell, warnings, &told);
        }
    }

    /// One run of cell `i` (a warm-up or a timed run), with the other load sampled around it.
    fn run_and_record(
        &mut self,
        cell: &mut CellResult,
        warnings: &mut Vec<String>,
        i: usize,
        warmup: bool,
    ) {
        let Some(running) = self.live[i].running.as_mut() else {
            return;
        };
        let model = cell.model.unwrap_or(ModelKind::Sequential);
        let run = cell.warmups.len() + cell.samples.len();
        let scripted = self
            .config
            .executors
            .scripted_load(model, cell.workers, run);
        let before = match (&scripted, warmup) {
            (None, false) => self.probe.snapshot(),
            _ => None,
        };
        let cpu_before = process_cpu_time();
        // The worker processes' CPU over the same interval as the load probe (their
        // preparation of the workload included): their own work, never "other load".
        let workers_before = before
            .as_ref()
            .map(|_| workers_cost(running.executor.as_ref()));
        let guard = running.marked.guard(
            self.cancel.clone(),
            Duration::from_secs_f64(self.exp.timeout_s),
        );
        // Costs besides time (switches, migrations, memory) read /proc for the run's threads
        // and every process of the model, milliseconds with many threads: only the first
        // COSTED_RUNS timed runs of a cell pay for it, so cells of short runs (hundreds of
        // them) are not slowed down by their bookkeeping. A worker process's peak RSS is a
        // high-water mark, so a late run would not see more than an early one of the same
        // executor; this process's is reset by `before_run` (see `proc_stats`).
        let costed = !warmup && cell.samples.len() < COSTED_RUNS;
        let counters = match costed {
            true => crate::engine::proc_stats::before_run(running.executor.as_ref()),
            false => None,
        };
        match running.executor.run(&self.exp.task, &running.env, &guard) {
            Ok(record) => {
                cell.shared_state = record.shared_state.clone();
                let mut sample = sample_of(&record);
                if let Some(before) = &counters {
                    sample.costs = crate::engine::proc_stats::after_run(
                        before,
                        running.executor.as_ref(),
                        record.metrics.ipc_bytes,
                        record.metrics.commands,
                    );
                }
                if warmup {
                    // A warm-up's timeline is never shown.
                    cell.warmups.push(Sample {
                        timeline: None,
                        ..sample
                    });
                    return;
                }
                // The run's own CPU time: this process and the model's worker processes over
                // the sampled interval (the workload's preparation included), or the run's
                // record where that is larger.
                let workers = workers_before.as_ref().map_or(Duration::ZERO, |b| {
                    spent_between(b, &workers_cost(running.executor.as_ref())).cpu
                });
                let own = (process_cpu_time().saturating_sub(cpu_before) + workers)
                    .max(record.cpu)
                    .as_secs_f64();
                let evidence = scripted.or_else(|| {
                    before
                        .as_ref()
                        .and_then(|b| self.probe.evidence_since(b, own))
                });
                // The run's own figure, and its verdict where it held enough ticks; then the
                // cell's runs are judged again from their pooled ticks (a short run takes the
                // cell's verdict), and the sweep pools them too.
                let recorded = evidence
                    .as_ref()
                    .is_some_and(|e| load::record_run(&mut sample, e));
                cell.samples.push(sample);
                if let (true, Some(evidence)) = (recorded, &evidence) {
                    let judge = &mut self.live[i].load;
                    if judge.add(evidence) {
                        self.load.add(evidence);
                    }
                    cell.load = judge.judge(&mut cell.samples);
                    cell.busy_runs = cell.load.as_ref().map_or(0, |l| l.busy_runs);
                }
                crate::results::timeline::prune_while_measuring(cell);
            }
            Err(err) => {
                let mut fault = UserFault::of(self.exp, &err);
                let timed_out = err == UnitError::TimedOut;
                fail(cell, err, self.exp);
                // A hang named: the calls still running just before the deadline.
                if let Some(calls) = running.executor.running_at_timeout().filter(|_| timed_out) {
                    if let Some(error) = &mut cell.error {
                        error.push_str(&format!("; still running then: {calls}"));
                    }
                    if let Some(fault) = &mut fault {
                        fault.summary.push_str(&format!(", in {calls}"));
                    }
                }
                self.live[i].stop(&*self.config.executors, cell, warnings, &[]);
                // Met while running: it stops this model's cells. Met before in another model,
                // it is told there, and this cell points at it.
                if let Some(origin) = fault.and_then(|f| self.note_user_fault(cell, f, false)) {
                    self.live[i].quiet = true;
                    cell.error = Some(same_fault(&origin, cell.samples.len()));
                }
            }
        }
    }

    /// Completes the cells that have all their runs or failed: stops their executors, checks
    /// their answers, and sends `Failed` / `CellDone` in plan order, except that the cells a
    /// fault of the user's code stopped come after the rest (so the fault is told before the
    /// cells that refer to it).
    fn finish_cells(&mut self, results: &mut ResultsFile, emit: &mut dyn FnMut(SweepEvent)) {
        let mut done = Vec::new();
        for i in 0..results.cells.len() {
            let cell = &results.cells[i];
            let complete = cell.status != CellStatus::Ok || !self.wants_more(cell, i);
            if self.live[i].finished || !complete {
                continue;
            }
            // Cancelled cells are finished by the caller.
            if cell.status == CellStatus::Cancelled {
                continue;
            }
            self.live[i].stop(
                &*self.config.executors,
                &results.cells[i],
                &mut results.warnings,
                &[],
            );
            self.live[i].finished = true;
            done.push(i);
        }
        if done.is_empty() {
            return;
        }
        // The reference answer: the first cell in plan order that was checked before, or
        // else the first of these.
        let mut reference = results
            .cells
            .iter()
            .enumerate()
            .filter(|(i, c)| {
                self.live[*i].finished && !done.contains(i) && c.status == CellStatus::Ok
            })
            .find_map(|(_, c)| c.samples.first().cloned());
        for &i in &done {
            check_answer(self.exp, &mut results.cells[i], &mut reference);
            crate::results::timeline::keep_median(&mut results.cells[i]);
            crate::results::costs::summarise(&mut results.cells[i]);
        }
        results.recompute();
        done.sort_by_key(|&i| self.live[i].quiet);
        for i in done {
            let cell = &results.cells[i];
            if cell.status == CellStatus::Failed && !self.live[i].quiet {
                emit(SweepEvent::Failed {
                    model: cell.model.unwrap_or(ModelKind::Sequential),
                    workers: cell.workers,
                    reason: cell.error.clone().unwrap_or_default(),
                });
            }
            emit(SweepEvent::CellDone(Box::new(cell.clone())));
        }
    }
}

/// A cell's error when it did not run because the user's code failed in `fault` (a cell
/// named, with the fault's summary).
fn not_run(fault: &str) -> String {
    format!("not run: the same code failed in {fault}")
}

/// The error of a cell that met a fault of the user's code already told for another cell
/// (`origin`, as [`not_run`] takes it), after `runs` timed runs.
fn same_fault(origin: &str, runs: usize) -> String {
    match runs {
        0 => format!("failed with the same fault as {origin}"),
        n => format!(
            "failed after {} with the same fault as {origin}",
            crate::words::count(n, "timed run")
        ),
    }
}

fn fail(cell: &mut CellResult, err: UnitError, exp: &Experiment) {
    let timeout = exp.timeout_s;
    cell.status = match err {
        UnitError::Cancelled => CellStatus::Cancelled,
        _ => CellStatus::Failed,
    };
    cell.error = Some(match err {
        UnitError::Cancelled => "cancelled".to_string(),
        UnitError::TimedOut if exp.task.kind == TaskKind::Function => format!(
            "a run of {} took longer than the {timeout} s timeout: a call that hangs, or \
             work that needs a longer timeout_s",
            exp.task.function.describe()
        ),
        UnitError::TimedOut if exp.task.kind == TaskKind::Command => format!(
            "a run of the command took longer than the {timeout} s timeout: a command that \
             hangs, or work that needs a longer timeout_s"
        ),
        UnitError::TimedOut => format!("a run took longer than the {timeout} s timeout"),
        UnitError::Failed(reason)
        | UnitError::UserCode(reason)
        | UnitError::PoolCode { reason, .. } => reason,
    });
}

/// Writes the results so far to `path` through `saver`; a failure is a
/// [`SweepEvent::SaveFailed`].
fn save_or_report(
    saver: &dyn ResultsSaver,
    results: &ResultsFile,
    path: &std::path::Path,
    emit: &mut dyn FnMut(SweepEvent),
) {
    if let Err(e) = saver.save(results, path) {
        emit(SweepEvent::SaveFailed {
            path: path.to_path_buf(),
            // The io error itself: the event already names the path.
            reason: std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string()),
        });
    }
}

/// Every model must compute the same answer; a cell that does not is a failure, not a data
/// point. (Contention is exempt: its checksum is the counter, which lost updates change.)
/// `reference` is the first sample of the first cell checked; for a function task the error
/// names the first task whose answer differs.
fn check_answer(exp: &Experiment, cell: &mut CellResult, reference: &mut Option<Sample>) {
    if exp.task.kind == TaskKind::Contention || cell.status != CellStatus::Ok {
        return;
    }
    let Some(first) = cell.samples.first().cloned() else {
        return;
    };
    if let Some(bad) = cell.samples.iter().find(|s| s.checksum != first.checksum) {
        cell.status = CellStatus::Failed;
        cell.error = Some(format!(
            "runs disagree on the answer: checksum {:#x} then {:#x}{}",
            first.checksum,
            bad.checksum,
            differing_task_note(exp, &first, bad)
        ));
        return;
    }
    match reference {
        None => *reference = Some(first),
        Some(expected) if expected.checksum != first.checksum => {
            cell.status = CellStatus::Failed;
            cell.error = Some(format!(
                "wrong answer: checksum {:#x}, the first cell computed {:#x}{}",
                first.checksum,
                expected.checksum,
                differing_task_note(exp, &first, expected)
            ));
        }
        Some(_) => {}
    }
}

fn sample_of(record: &RunRecord) -> Sample {
    Sample {
        wall_s: record.wall.as_secs_f64(),
        cpu_s: record.cpu.as_secs_f64(),
        checksum: record.metrics.checksum,
        lost_updates: record.metrics.lost_updates,
        bytes_moved: record.metrics.bytes_moved,
        other_load: None,
        busy: false,
        busy_basis: Default::default(),
        minor_faults: Some(record.minor_faults),
        scheduling: record.metrics.scheduling.clone(),
        task_checksums: record.metrics.task_checksums.clone(),
        timeline: record.timeline.clone().map(Box::new),
        costs: None,
    }
}

/// A sweep running on its own thread, for the GUI: drain `events` each frame.
pub struct SweepHandle {
    pub events: Receiver<SweepEvent>,
    cancel: CancelToken,
    thread: Option<JoinHandle<()>>,
}

impl SweepHandle {
    /// Asks the sweep to stop; child processes are killed at the next poll (≤ 10 ms).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Waits for the sweep thread to end (after `Finished` was sent).
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SweepHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Starts `run_sweep` on a background thread. `wake` is called after events, as
/// `config.display` paces it (the GUI passes `ctx.request_repaint`).
pub fn spawn_sweep(
    exp: Experiment,
    config: SweepConfig,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<SweepHandle> {
    let (tx, rx) = channel();
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let thread = std::thread::Builder::new()
        .name("sweep".into())
        .spawn(move || {
            let mut waker = DisplayWaker::new(config.display);
            run_sweep(&exp, &config, &token, &mut |event| {
                let moment = Moment::of(&event);
                let _ = tx.send(event);
                waker.after(moment, &token, &wake);
            });
        })?;
    Ok(SweepHandle {
        events: rx,
        cancel,
        thread: Some(thread),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_results_are_saved_after_the_first_round_a_finished_cell_or_a_second() {
        let mut results = ResultsFile::default();
        let mut saves = PartialSaves::default();
        let mut cell = crate::results::CellResult::default();
        cell.samples.push(crate::results::Sample {
            wall_s: 0.001,
            ..Default::default()
        });
        results.cells.push(cell);
        assert!(saves.due(&results, false), "the first round is saved");
        // A round of short runs a moment later: not yet.
        results.cells[0].samples.push(crate::results::Sample {
            wall_s: 0.001,
            ..Default::default()
        });
        assert!(!saves.due(&results, false));
        // A round that completed a cell is saved at once.
        assert!(saves.due(&results, true));
        assert!(!saves.due(&results, false));
        // A second of runs measured since the last write is saved, however fast the clock.
        results.cells[0].samples.push(crate::results::Sample {
            wall_s: 1.0,
            ..Default::default()
        });
        assert!(saves.due(&results, false));
        assert!(!saves.due(&results, false));
    }
    use crate::preset::TaskSpec;

    #[test]
    fn waits_longer_than_the_timeout_are_refused_before_any_cell() {
        use crate::preset::{IoMode, TaskKind};
        let mut exp = Experiment {
            models: vec![ModelKind::Sequential, ModelKind::Threads],
            workers: vec![1, 2],
            timeout_s: 30.0,
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Io;
        exp.task.io.mode = IoMode::Sleep;
        exp.task.tasks = 32;
        exp.task.io.sleep_ms = 60_000.0;
        let e = task_preflight(&exp).unwrap_err().to_string();
        assert!(
            e.contains(
                "one run of sequential × 1 would take at least 1920.0 s (32 tasks of 60.000 s each, 1 at a time; io.sleep_ms of waiting)"
            ),
            "{e}"
        );
        assert!(e.contains("but timeout_s is 30 s"), "{e}");
        // 32 × 0.9 s at one worker: 28.8 s, within the 30 s.
        exp.task.io.sleep_ms = 900.0;
        assert!(task_preflight(&exp).is_ok());
        // Every plan has a cell of one worker (the sequential baseline, or each model's own one
        // worker), which waits for the tasks one after another.
        exp.models = vec![ModelKind::Threads];
        exp.workers = vec![4, 8];
        exp.baseline = crate::preset::Baseline::SameModelOneWorker;
        exp.task.io.sleep_ms = 5_000.0;
        let e = task_preflight(&exp).unwrap_err().to_string();
        assert!(e.contains("threads × 1 would take at least 160.0 s"), "{e}");
        // Calibrated: sized at run time instead.
        exp.target_run_s = 1.0;
        assert!(task_preflight(&exp).is_ok());
    }

    #[test]
    fn every_built_in_preset_fits_its_timeout() {
        for p in crate::preset::builtin_presets() {
            let exp = p.experiment().unwrap();
            assert!(task_preflight(&exp).is_ok(), "{}", p.id);
        }
    }

    /// An executor whose "worker processes" are these pids (none: a model that runs in this
    /// process), never run.
    struct Children(Vec<u32>);

    impl Executor for Children {
        fn startup(&self) -> Duration {
            Duration::ZERO
        }
        fn run(&mut self, _: &TaskSpec, _: &RunEnv, _: &RunGuard) -> Result<RunRecord, UnitError> {
            Err(UnitError::Failed("not used".into()))
        }
        fn worker_pids(&self) -> Option<Vec<u32>> {
            Some(self.0.clone())
        }
    }

    #[test]
    fn a_worker_process_cpu_between_runs_is_the_models_own() {
        use std::io::{BufRead, Write};
        use std::process::{Command, Stdio};
        // The child waits for a line, burns CPU (as a worker building its workload before a
        // run would), says so, and waits again.
        let mut child = Command::new("sh")
            .args([
                "-c",
                "read x; i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done; read y",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let exec = Children(vec![child.id()]);
        let before = workers_cost(&exec);
        assert_eq!(before.len(), 1, "{before:?}");
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, "go").unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "done");
        let spent = spent_between(&before, &workers_cost(&exec)).cpu;
        writeln!(stdin, "end").unwrap();
        child.wait().unwrap();
        // 300 000 shell iterations take tens of milliseconds of CPU on any machine.
        assert!(spent > Duration::from_millis(5), "{spent:?}");
        // Models that run in this process read nothing.
        assert!(workers_cost(&Children(Vec::new())).is_empty());
    }

    /// Executors whose runs succeed or fail as scripted, counting the cells started.
    #[derive(Debug, Default)]
    struct Scripted {
        /// Fails the start of this cell (plan order) with the error.
        start_fails: Option<(usize, UnitError)>,
        /// Fails the start of every cell of these models with the error.
        model_start_fails: Vec<(ModelKind, UnitError)>,
        /// Every run of these models fails with the error (after so many good runs).
        run_fails: Vec<(ModelKind, usize, UnitError)>,
        started: std::sync::atomic::AtomicUsize,
    }

    struct ScriptedExecutor {
        fails: Option<UnitError>,
        runs_ok: usize,
        runs: usize,
    }

    /// A run of 1 ms, 1 ms of CPU, nothing else recorded.
    fn one_ms_run() -> RunRecord {
        RunRecord {
            wall: Duration::from_millis(1),
            cpu: Duration::from_millis(1),
            minor_faults: 0,
            task_cpu: None,
            metrics: Default::default(),
            shared_state: None,
            started_ns: 0,
            timeline: None,
        }
    }

    /// Sequential and threads at 1 and 2 workers, a warm-up and 3 timed runs a cell, nothing
    /// more (no minimum time, no precision target), a 5 s timeout.
    fn three_runs_a_cell() -> Experiment {
        Experiment {
            models: vec![ModelKind::Sequential, ModelKind::Threads],
            workers: vec![1, 2],
            repetitions: 3,
            warmups: 1,
            min_time_s: 0.0,
            precision: 0.0,
            timeout_s: 5.0,
            ..Experiment::default()
        }
    }

    /// Runs `exp` with `factory`'s executors, shuffled by seed 7: the results and the cells
    /// that failed, as their `Failed` events told them.
    fn sweep_with(
        exp: &Experiment,
        factory: Arc<dyn ExecutorFactory>,
    ) -> (ResultsFile, Vec<(ModelKind, usize, String)>) {
        let mut config = SweepConfig::new(WorkerCommand::new("/nonexistent/corelab"));
        config.executors = factory;
        config.shuffle_seed = Some(7);
        let mut failed = Vec::new();
        let r = run_sweep(exp, &config, &CancelToken::new(), &mut |e| {
            if let SweepEvent::Failed {
                model,
                workers,
                reason,
            } = e
            {
                failed.push((model, workers, reason));
            }
        });
        (r, failed)
    }

    /// The reasons of `failed` cells ([`sweep_with`]), in order.
    fn reasons(failed: Vec<(ModelKind, usize, String)>) -> Vec<String> {
        failed.into_iter().map(|(_, _, reason)| reason).collect()
    }

    impl Executor for ScriptedExecutor {
        fn startup(&self) -> Duration {
            Duration::from_millis(30)
        }
        fn module_import(&self) -> Option<Duration> {
            Some(Duration::from_millis(20))
        }
        fn run(&mut self, _: &TaskSpec, _: &RunEnv, _: &RunGuard) -> Result<RunRecord, UnitError> {
            self.runs += 1;
            match &self.fails {
                Some(e) if self.runs > self.runs_ok => Err(e.clone()),
                _ => Ok(one_ms_run()),
            }
        }
    }

    impl ExecutorFactory for Scripted {
        fn start(&self, cell: &CellStart<'_>) -> Result<Box<dyn Executor>, UnitError> {
            let n = self
                .started
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if let Some((at, e)) = &self.start_fails
                && *at == n
            {
                return Err(e.clone());
            }
            if let Some((_, e)) = self.model_start_fails.iter().find(|f| f.0 == cell.model) {
                return Err(e.clone());
            }
            let (fails, runs_ok) = match self.run_fails.iter().find(|f| f.0 == cell.model) {
                Some((_, ok, e)) => (Some(e.clone()), *ok),
                None => (None, 0),
            };
            Ok(Box::new(ScriptedExecutor {
                fails,
                runs_ok,
                runs: 0,
            }))
        }
    }

    /// py-threading and py-multiprocessing at 1 and 2 workers (plan: threading × 1,
    /// multiprocessing × 1, threading × 2, multiprocessing × 2), 3 timed runs a cell; the
    /// results, the `Failed` events' reasons and the cells started.
    fn function_sweep(factory: Scripted) -> (ResultsFile, Vec<String>, usize) {
        let mut exp = Experiment {
            models: vec![ModelKind::PyThreading, ModelKind::PyMultiprocessing],
            baseline: Baseline::SameModelOneWorker,
            warmups: 0,
            ..three_runs_a_cell()
        };
        exp.task.kind = TaskKind::Function;
        exp.task.function.file = "/w/mywork.py".into();
        exp.task.function.name = "hash_records".into();
        let factory = Arc::new(factory);
        let (r, failed) = sweep_with(&exp, factory.clone());
        let started = factory.started.load(std::sync::atomic::Ordering::SeqCst);
        (r, reasons(failed), started)
    }

    /// A traceback of the user's function raising `exception` in task `task` at `line`.
    fn traceback(task: usize, line: usize, exception: &str) -> String {
        format!(
            "Python failed while running hash_records from mywork.py: task {task}: hash_records({task}) raised:\nTraceback (most recent call last):\n  File \"/w/mywork.py\", line {line}, in hash_records\n{exception}"
        )
    }

    const BAD_RECORD: &str = "ValueError: bad record 3";

    fn cells_of(r: &ResultsFile, model: ModelKind) -> Vec<&CellResult> {
        r.cells.iter().filter(|c| c.model == Some(model)).collect()
    }

    #[test]
    fn a_fault_met_while_running_stops_its_model_only_and_is_reported_once() {
        let tb = traceback(2, 4, BAD_RECORD);
        let (r, failed, _) = function_sweep(Scripted {
            run_fails: vec![(ModelKind::PyThreading, 0, UnitError::UserCode(tb.clone()))],
            ..Scripted::default()
        });
        assert_eq!(failed, vec![tb.clone()], "one message, not one per cell");
        assert_eq!(r.cells.len(), 4);
        // py-multiprocessing does not raise it: its cells are measured whole.
        for c in cells_of(&r, ModelKind::PyMultiprocessing) {
            assert_eq!(c.status, CellStatus::Ok, "{c:?}");
            assert_eq!(c.samples.len(), 3, "{c:?}");
        }
        let threads = cells_of(&r, ModelKind::PyThreading);
        assert!(threads.iter().all(|c| c.status == CellStatus::Failed));
        let first = threads
            .iter()
            .find(|c| c.error.as_deref() == Some(tb.as_str()))
            .expect("the cell that met the fault keeps the whole traceback");
        let origin = format!("py-threading × {} ({BAD_RECORD})", first.workers);
        let other = threads.iter().find(|c| c.workers != first.workers).unwrap();
        assert_eq!(other.error.as_deref(), Some(not_run(&origin).as_str()));
        // Each cell's start-up still has its module import apart.
        assert!(
            r.cells.iter().all(|c| c.import_s == Some(0.02)),
            "{:?}",
            r.cells
        );
        assert_eq!(r.status, RunStatus::Complete, "some cells were measured");
    }

    #[test]
    fn the_same_fault_in_another_model_stops_that_model_too_and_is_told_once() {
        // The same exception from the same frame, first met in another task.
        let (r, failed, _) = function_sweep(Scripted {
            run_fails: vec![
                (
                    ModelKind::PyThreading,
                    0,
                    UnitError::UserCode(traceback(2, 4, BAD_RECORD)),
                ),
                (
                    ModelKind::PyMultiprocessing,
                    0,
                    UnitError::UserCode(traceback(5, 4, BAD_RECORD)),
                ),
            ],
            ..Scripted::default()
        });
        assert_eq!(failed.len(), 1, "told once: {failed:?}");
        assert!(r.cells.iter().all(|c| c.status == CellStatus::Failed));
        let whole: Vec<_> = r
            .cells
            .iter()
            .filter(|c| c.error.as_deref() == Some(failed[0].as_str()))
            .collect();
        assert_eq!(whole.len(), 1, "{:?}", r.cells);
        let origin = format!(
            "{} × {} ({BAD_RECORD})",
            whole[0].model.unwrap(),
            whole[0].workers
        );
        let errors: Vec<&str> = r.cells.iter().filter_map(|c| c.error.as_deref()).collect();
        // The first cell of the other model to run met it again; its other cell was stopped.
        assert!(
            errors.contains(&format!("failed with the same fault as {origin}").as_str()),
            "{errors:?}"
        );
        assert_eq!(
            errors
                .iter()
                .filter(|e| **e == not_run(&origin).as_str())
                .count(),
            2,
            "{errors:?}"
        );
        assert_eq!(r.status, RunStatus::Failed);
    }

    #[test]
    fn different_faults_in_two_models_are_each_told_once() {
        // A pickling error only py-multiprocessing raises, and another exception under threads.
        let pickling = traceback(
            1,
            7,
            "AttributeError: Can't pickle local object 'hash_records.<locals>.key'",
        );
        let (r, failed, _) = function_sweep(Scripted {
            run_fails: vec![
                (
                    ModelKind::PyThreading,
                    1,
                    UnitError::UserCode(traceback(2, 4, BAD_RECORD)),
                ),
                (
                    ModelKind::PyMultiprocessing,
                    0,
                    UnitError::UserCode(pickling.clone()),
                ),
            ],
            ..Scripted::default()
        });
        assert_eq!(failed.len(), 2, "{failed:?}");
        assert!(failed.contains(&pickling), "{failed:?}");
        for model in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
            let cells = cells_of(&r, model);
            let told = cells
                .iter()
                .filter(|c| {
                    failed
                        .iter()
                        .any(|f| c.error.as_deref() == Some(f.as_str()))
                })
                .count();
            assert_eq!(told, 1, "{model}: {cells:?}");
            for c in cells {
                let err = c.error.as_deref().unwrap();
                assert!(
                    err.contains(&format!("{model} × ")) || err.contains("Traceback"),
                    "{model}'s cells point at {model}'s own fault: {err}"
                );
            }
        }
    }

    #[test]
    fn runs_measured_before_the_fault_are_kept() {
        let tb = traceback(2, 4, BAD_RECORD);
        let (r, failed, _) = function_sweep(Scripted {
            run_fails: vec![(
                ModelKind::PyMultiprocessing,
                1,
                UnitError::UserCode(tb.clone()),
            )],
            ..Scripted::default()
        });
        assert_eq!(failed.len(), 1, "{failed:?}");
        // Every cell has one good run in the first round (py-multiprocessing fails from its
        // second run on); the first of its cells to fail stops the other, whose run is kept,
        // with the reference to the fault.
        let stopped: Vec<_> = r
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::Failed && c.error.as_deref() != Some(tb.as_str()))
            .collect();
        assert_eq!(stopped.len(), 1, "{:?}", r.cells);
        let c = stopped[0];
        assert_eq!(c.model, Some(ModelKind::PyMultiprocessing));
        assert!(!c.samples.is_empty(), "{c:?}");
        let err = c.error.as_deref().unwrap();
        let runs = crate::words::count(c.samples.len(), "timed run");
        assert!(
            err.starts_with(&format!(
                "stopped after {runs}: the same code failed in py-multiprocessing × "
            )),
            "{err}"
        );
        for c in cells_of(&r, ModelKind::PyThreading) {
            assert_eq!((c.status, c.samples.len()), (CellStatus::Ok, 3), "{c:?}");
        }
    }

    #[test]
    fn an_import_that_fails_at_start_up_starts_no_other_cell() {
        let (r, failed, started) = function_sweep(Scripted {
            start_fails: Some((
                0,
                UnitError::UserCode(
                    "Python failed while importing mywork.py:\n  File \"/w/mywork.py\", line 1\n    def f(n)\n            ^\nSyntaxError: expected ':'".into(),
                ),
            )),
            ..Scripted::default()
        });
        assert_eq!(started, 1, "no other interpreter was started");
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(
            failed[0].contains("while importing mywork.py"),
            "{failed:?}"
        );
        for c in &r.cells[1..] {
            assert_eq!(
                c.error.as_deref(),
                Some(
                    "not run: the same code failed in py-threading × 1 (SyntaxError: expected ':')"
                )
            );
            assert_eq!(c.startup_s, None);
        }
    }

    #[test]
    fn an_import_that_fails_in_a_models_pool_only_stops_that_model_only() {
        let reason = "Python failed while importing mywork.py: the interpreter corelab started imported it, but the pool process 4242 could not:\nTraceback (most recent call last):\n  File \"/w/mywork.py\", line 3, in <module>\nRuntimeError: only in the parent";
        let (r, failed, started) = function_sweep(Scripted {
            model_start_fails: vec![(ModelKind::PyMultiprocessing, pool_fault(reason))],
            ..Scripted::default()
        });
        assert_eq!(failed, vec![reason.to_string()], "told once, whole");
        // py-threading imported it: its cells are measured whole.
        for c in cells_of(&r, ModelKind::PyThreading) {
            assert_eq!(c.status, CellStatus::Ok, "{c:?}");
            assert_eq!(c.samples.len(), 3, "{c:?}");
        }
        assert_eq!(
            started, 3,
            "the second py-multiprocessing cell was not started"
        );
        let pool = cells_of(&r, ModelKind::PyMultiprocessing);
        assert_eq!(pool[0].error.as_deref(), Some(reason));
        assert_eq!(
            pool[1].error.as_deref(),
            Some(
                "not run: the same code failed in py-multiprocessing × 1 \
                 (RuntimeError: only in the parent, in the pool process 4242)"
            )
        );
        assert_eq!(pool[1].startup_s, None);
        assert_eq!(r.status, RunStatus::Complete, "some cells were measured");
    }

    fn pool_fault(reason: &str) -> UnitError {
        UnitError::PoolCode {
            place: "the pool process 4242".into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn the_same_pool_import_fault_in_a_second_model_points_at_the_first() {
        let tb = "Traceback (most recent call last):\n  File \"/w/mywork.py\", line 3, in <module>\nRuntimeError: only in the parent";
        let first = format!("Python failed while importing mywork.py: A could not:\n{tb}");
        let again = format!("Python failed while importing mywork.py: B could not:\n{tb}");
        let (r, failed, started) = function_sweep(Scripted {
            model_start_fails: vec![
                (ModelKind::PyThreading, pool_fault(&first)),
                (ModelKind::PyMultiprocessing, pool_fault(&again)),
            ],
            ..Scripted::default()
        });
        assert_eq!(failed, vec![first.clone()], "told once");
        assert_eq!(started, 2, "one cell of each model was started");
        let origin =
            "py-threading × 1 (RuntimeError: only in the parent, in the pool process 4242)";
        assert_eq!(r.cells[0].error.as_deref(), Some(first.as_str()));
        assert_eq!(
            r.cells[1].error.as_deref(),
            Some(same_fault(origin, 0).as_str()),
            "py-multiprocessing × 1 met it again"
        );
        for c in &r.cells[2..] {
            assert_eq!(c.error.as_deref(), Some(not_run(origin).as_str()));
        }
        assert_eq!(r.status, RunStatus::Failed, "nothing was measured");
    }

    #[test]
    fn a_hang_is_waited_out_once_per_model_that_hangs() {
        let (r, failed, _) = function_sweep(Scripted {
            run_fails: vec![
                (ModelKind::PyThreading, 0, UnitError::TimedOut),
                (ModelKind::PyMultiprocessing, 0, UnitError::TimedOut),
            ],
            ..Scripted::default()
        });
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(
            failed[0].contains("a run of hash_records(i for i in range(0)) from /w/mywork.py took longer than the 5 s timeout"),
            "{failed:?}"
        );
        let quiet: Vec<_> = r
            .cells
            .iter()
            .filter_map(|c| c.error.as_deref())
            .filter(|e| e.starts_with("not run") || e.starts_with("failed with the same fault"))
            .collect();
        assert_eq!(quiet.len(), 3, "{quiet:?}");
        assert!(
            quiet
                .iter()
                .all(|e| e.ends_with("(hash_records ran past the 5 s timeout)")),
            "{quiet:?}"
        );
        // One run of each model timed out; the other cell of each model never ran.
        let timed_out = r
            .cells
            .iter()
            .filter(|c| !c.error.as_deref().unwrap_or("").starts_with("not run"))
            .count();
        assert_eq!(timed_out, 2, "{:?}", r.cells);
    }

    #[test]
    fn a_hang_under_one_model_leaves_the_other_measured() {
        let (r, failed, _) = function_sweep(Scripted {
            run_fails: vec![(ModelKind::PyThreading, 0, UnitError::TimedOut)],
            ..Scripted::default()
        });
        assert_eq!(failed.len(), 1, "{failed:?}");
        for c in cells_of(&r, ModelKind::PyMultiprocessing) {
            assert_eq!((c.status, c.samples.len()), (CellStatus::Ok, 3), "{c:?}");
        }
    }

    /// The reviewer's py-dask cell, scripted: the executor's start-up times out (an
    /// interpreter and pool that did not answer within their own 60 s). The cell says so and
    /// that nothing was measured, not that a run outlasted the preset's timeout_s (which
    /// raising would not help); nor is it taken for a hang of the user's function, so the
    /// other cells still run.
    #[test]
    fn a_start_up_timeout_is_named_as_one() {
        let timed_out = crate::engine::startup_timeout::StartupTimeout::new(
            ModelKind::PyThreading,
            1,
            Duration::from_secs(60),
        );
        let (r, failed, started) = function_sweep(Scripted {
            start_fails: Some((0, timed_out.into())),
            ..Scripted::default()
        });
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(
            failed[0].starts_with(
                "starting the Python interpreter took longer than 60 s; nothing was measured"
            ),
            "{failed:?}"
        );
        assert!(!failed[0].contains("a run"), "{failed:?}");
        let first = &r.cells[0];
        assert_eq!(first.status, CellStatus::Failed);
        assert_eq!(first.error.as_deref(), Some(failed[0].as_str()));
        assert_eq!((first.startup_s, first.samples.len()), (None, 0));
        assert_eq!(started, 4, "every other cell was started");
        let ok = r
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::Ok)
            .count();
        assert_eq!(ok, 3, "{:?}", r.cells);
    }

    #[test]
    fn other_failures_fail_their_cell_only() {
        // A pool process killed, an interpreter gone: not the user's code; the sweep goes on.
        let (r, failed, started) = function_sweep(Scripted {
            start_fails: Some((0, UnitError::Failed("cannot start `python3`".into()))),
            run_fails: vec![(
                ModelKind::PyMultiprocessing,
                0,
                UnitError::Failed("a pool process died (killed by signal 9)".into()),
            )],
            ..Scripted::default()
        });
        assert_eq!(started, 4);
        assert_eq!(failed.len(), 3, "one per failed cell: {failed:?}");
        let ok = r
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::Ok)
            .count();
        assert_eq!(ok, 1, "py-threading × 2 ran: {:?}", r.cells);
    }

    #[test]
    fn splitmix64_matches_the_reference_sequence() {
        // The first outputs of SplitMix64 seeded with 0 (Vigna's reference implementation).
        let mut rng = SplitMix64(0);
        assert_eq!(rng.next_u64(), 0xe220_a839_7b1d_cdaf);
        assert_eq!(rng.next_u64(), 0x6e78_9e6a_a1b9_65f4);
    }

    #[test]
    fn a_shuffle_is_a_permutation_decided_by_the_seed() {
        let items: Vec<usize> = (0..20).collect();
        let a = SplitMix64(5).shuffled(items.clone());
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, items);
        assert_ne!(a, items, "20 items come out in another order");
        assert_eq!(SplitMix64(5).shuffled(items.clone()), a);
        assert_ne!(SplitMix64(6).shuffled(items.clone()), a);
        assert_eq!(SplitMix64(1).shuffled(Vec::<u8>::new()), Vec::<u8>::new());
        assert_eq!(SplitMix64(1).shuffled(vec![7]), vec![7]);
    }

    #[test]
    fn the_real_factory_starts_in_process_models_and_fails_a_missing_worker_binary() {
        let exp = Experiment::default();
        let worker = WorkerCommand::new("/nonexistent/corelab");
        let guard = RunGuard::new(CancelToken::new(), Duration::from_secs(5));
        let dir = std::env::temp_dir();
        let envs = [ModelKind::Threads, ModelKind::Processes].map(|m| RunEnv::for_cell(m, 2, &dir));
        let cell = |model, env| CellStart {
            exp: &exp,
            model,
            workers: 2,
            worker: &worker,
            env,
            guard: &guard,
        };
        let threads = RealExecutors.start(&cell(ModelKind::Threads, &envs[0]));
        assert!(threads.is_ok());
        // A worker binary that does not exist fails that cell with its path.
        let Err(UnitError::Failed(reason)) =
            RealExecutors.start(&cell(ModelKind::Processes, &envs[1]))
        else {
            panic!("a missing worker binary must fail the start");
        };
        assert!(reason.contains("/nonexistent/corelab"), "{reason}");
    }

    /// A model with no processes of its own between runs, as the in-process models are: each
    /// run of a command task is followed by the stop of what it left.
    struct NoProcessesBetweenRuns;

    impl Executor for NoProcessesBetweenRuns {
        fn startup(&self) -> Duration {
            Duration::ZERO
        }
        fn run(&mut self, _: &TaskSpec, _: &RunEnv, _: &RunGuard) -> Result<RunRecord, UnitError> {
            Ok(one_ms_run())
        }
        fn worker_pids(&self) -> Option<Vec<u32>> {
            Some(Vec::new())
        }
    }

    /// Executors whose stop after a run finds, after the `at`-th run of the cell `stuck`, a
    /// process that outlived SIGKILL; counts the stops of each cell.
    #[derive(Debug)]
    struct LeavesAProcessStuck {
        stuck: (ModelKind, usize),
        at: usize,
        /// Whether the stop at the stuck cell's end finds the same process again (as a real
        /// one would: a process in D state still carries the mark).
        still_there_at_end: bool,
        stops: std::sync::Mutex<Vec<(ModelKind, usize)>>,
    }

    /// [`three_runs_a_cell`] of a command task that runs `true`.
    fn true_commands() -> Experiment {
        let mut exp = three_runs_a_cell();
        exp.task.kind = TaskKind::Command;
        exp.task.command.argv = vec!["true".into()];
        exp
    }

    /// A stop that killed `killed` and found 4242 of them still there, in D state (the
    /// process [`LeavesAProcessStuck`] leaves, `stuck_4242(vec![4242])`).
    fn stuck_4242(killed: Vec<u32>) -> Stop {
        Stop {
            killed,
            not_gone: vec![super::super::run_mark::NotGone {
                pid: 4242,
                state: Some('D'),
                parent: Some(1),
            }],
        }
    }

    impl ExecutorFactory for LeavesAProcessStuck {
        fn start(&self, _: &CellStart<'_>) -> Result<Box<dyn Executor>, UnitError> {
            Ok(Box::new(NoProcessesBetweenRuns))
        }
        fn stop_left_by_run(&self, model: ModelKind, workers: usize, _: &MarkedRun) -> Stop {
            let mut stops = self.stops.lock().unwrap();
            stops.push((model, workers));
            let nth = stops.iter().filter(|s| **s == (model, workers)).count();
            match (model, workers) == self.stuck && nth == self.at {
                true => stuck_4242(vec![4242]),
                false => Stop::default(),
            }
        }
        fn stop_at_cell_end(&self, model: ModelKind, workers: usize, marked: MarkedRun) -> Stop {
            let real = marked.stop_at_end();
            match self.still_there_at_end && (model, workers) == self.stuck {
                true => stuck_4242(vec![4242]),
                false => real,
            }
        }
    }

    #[test]
    fn a_process_a_run_left_that_outlives_sigkill_fails_its_cell_and_the_sweep_goes_on() {
        let factory = Arc::new(LeavesAProcessStuck {
            stuck: (ModelKind::Threads, 2),
            // Its warm-up, then its first timed run.
            at: 2,
            still_there_at_end: false,
            stops: std::sync::Mutex::default(),
        });
        let (r, failed) = sweep_with(&true_commands(), factory.clone());
        let reason = "a process a run left was still there 2 s after SIGKILL: pid 4242 (D: \
                      uninterruptible sleep)";
        assert_eq!(
            failed,
            vec![(ModelKind::Threads, 2, reason.to_string())],
            "told once, naming the process"
        );
        let stuck = r.cell(ModelKind::Threads, 2).unwrap();
        assert_eq!(stuck.status, CellStatus::Failed);
        assert_eq!(stuck.error.as_deref(), Some(reason));
        assert_eq!(stuck.samples.len(), 1, "no run after the stop that failed");
        // The other cells are measured whole, each run followed by its stop.
        for (model, workers) in [(ModelKind::Sequential, 1), (ModelKind::Threads, 1)] {
            let cell = r.cell(model, workers).unwrap();
            assert_eq!(cell.status, CellStatus::Ok, "{cell:?}");
            assert_eq!(cell.samples.len(), 3, "{cell:?}");
        }
        let stops = factory.stops.lock().unwrap();
        let of = |cell: (ModelKind, usize)| stops.iter().filter(|s| **s == cell).count();
        assert_eq!(of((ModelKind::Sequential, 1)), 4, "{stops:?}");
        assert_eq!(of((ModelKind::Threads, 1)), 4, "{stops:?}");
        assert_eq!(of((ModelKind::Threads, 2)), 2, "{stops:?}");
        assert_eq!(r.status, RunStatus::Complete);
    }

    #[test]
    fn a_process_its_cells_failure_names_is_not_told_again_as_a_warning_at_the_cells_end() {
        let factory = Arc::new(LeavesAProcessStuck {
            stuck: (ModelKind::Threads, 2),
            at: 2,
            still_there_at_end: true,
            stops: std::sync::Mutex::default(),
        });
        let (r, _) = sweep_with(&true_commands(), factory);
        let stuck = r.cell(ModelKind::Threads, 2).unwrap();
        assert_eq!(stuck.status, CellStatus::Failed);
        assert!(
            stuck
                .error
                .as_deref()
                .is_some_and(|e| e.contains("pid 4242")),
            "{stuck:?}"
        );
        assert_eq!(r.warnings, Vec::<String>::new(), "told once, by the cell");
    }

    /// Executors whose stop at the end of the cell `stuck` finds a process that outlived
    /// SIGKILL; counts the stops at each cell's end.
    #[derive(Debug)]
    struct LeavesAProcessAtCellEnd {
        stuck: (ModelKind, usize),
        stops: std::sync::Mutex<Vec<(ModelKind, usize)>>,
    }

    impl ExecutorFactory for LeavesAProcessAtCellEnd {
        fn start(&self, _: &CellStart<'_>) -> Result<Box<dyn Executor>, UnitError> {
            Ok(Box::new(NoProcessesBetweenRuns))
        }
        fn stop_at_cell_end(&self, model: ModelKind, workers: usize, marked: MarkedRun) -> Stop {
            // The real stop too (it finds nothing: no process carries the mark).
            assert_eq!(marked.stop_at_end(), Stop::default());
            self.stops.lock().unwrap().push((model, workers));
            match (model, workers) == self.stuck {
                true => stuck_4242(vec![4242, 4243]),
                false => Stop::default(),
            }
        }
    }

    #[test]
    fn a_process_the_stop_at_a_cells_end_could_not_stop_is_a_warning_of_the_sweep() {
        let factory = Arc::new(LeavesAProcessAtCellEnd {
            stuck: (ModelKind::Threads, 2),
            stops: std::sync::Mutex::default(),
        });
        let (r, failed) = sweep_with(&three_runs_a_cell(), factory.clone());
        assert_eq!(
            r.warnings,
            vec![
                "threads × 2: a process the cell left was still there 2 s after SIGKILL when \
                 the cell ended: pid 4242 (D: uninterruptible sleep)"
                    .to_string()
            ]
        );
        // The cell's runs were over: it stays measured, and nothing failed.
        assert!(failed.is_empty(), "{failed:?}");
        assert_eq!(r.status, RunStatus::Complete);
        for (model, workers) in [
            (ModelKind::Sequential, 1),
            (ModelKind::Threads, 1),
            (ModelKind::Threads, 2),
        ] {
            let cell = r.cell(model, workers).unwrap();
            assert_eq!(cell.status, CellStatus::Ok, "{cell:?}");
            assert_eq!(cell.samples.len(), 3, "{cell:?}");
        }
        // Each cell's end stopped once.
        let stops = factory.stops.lock().unwrap().clone();
        assert_eq!(stops.len(), 3, "{stops:?}");
        for cell in [
            (ModelKind::Sequential, 1),
            (ModelKind::Threads, 1),
            (ModelKind::Threads, 2),
        ] {
            assert!(stops.contains(&cell), "{stops:?}");
        }
        // The results file keeps the warning; a file without any reads as none.
        let text = serde_json::to_string(&r).unwrap();
        let back: ResultsFile = serde_json::from_str(&text).unwrap();
        assert_eq!(back.warnings, r.warnings);
        let mut quiet = r.clone();
        quiet.warnings.clear();
        let text = serde_json::to_string(&quiet).unwrap();
        assert!(!text.contains("\"warnings\""), "{text}");
        assert!(
            serde_json::from_str::<ResultsFile>(&text)
                .unwrap()
                .warnings
                .is_empty()
        );
    }

    /// A saver that keeps a copy of every save (no disk): what a sweep killed after each
    /// would have left.
    #[derive(Debug, Default)]
    struct KeepsEverySave(std::sync::Mutex<Vec<ResultsFile>>);

    impl ResultsSaver for KeepsEverySave {
        fn save(
            &self,
            results: &ResultsFile,
            _: &std::path::Path,
        ) -> Result<(), crate::results::ResultsError> {
            self.0.lock().unwrap().push(results.clone());
            Ok(())
        }
    }

    /// An executor whose `fail_at`-th run (warm-ups counted) fails, as a pool process killed
    /// would: corelab's failure, not the user's code, so it fails its cell only.
    struct FailsARun {
        runs: usize,
        fail_at: usize,
    }

    impl Executor for FailsARun {
        fn startup(&self) -> Duration {
            Duration::ZERO
        }
        fn run(
            &mut self,
            t: &TaskSpec,
            env: &RunEnv,
            g: &RunGuard,
        ) -> Result<RunRecord, UnitError> {
            self.runs += 1;
            match self.runs == self.fail_at {
                true => Err(UnitError::Failed("a pool process was killed".into())),
                false => NoProcessesBetweenRuns.run(t, env, g),
            }
        }
        fn worker_pids(&self) -> Option<Vec<u32>> {
            Some(Vec::new())
        }
    }

    /// Executors whose cell `stuck` fails its second timed run (after one warm-up), and whose
    /// stop at that cell's end finds a process that outlived SIGKILL.
    #[derive(Debug)]
    struct FailsEarlyAndLeavesAProcess {
        stuck: (ModelKind, usize),
    }

    impl ExecutorFactory for FailsEarlyAndLeavesAProcess {
        fn start(&self, start: &CellStart<'_>) -> Result<Box<dyn Executor>, UnitError> {
            let fail_at = match (start.model, start.workers) == self.stuck {
                true => 3,
                false => 0,
            };
            Ok(Box::new(FailsARun { runs: 0, fail_at }))
        }
        fn stop_at_cell_end(&self, model: ModelKind, workers: usize, marked: MarkedRun) -> Stop {
            let real = marked.stop_at_end();
            match (model, workers) == self.stuck {
                true => stuck_4242(vec![4242]),
                false => real,
            }
        }
    }

    #[test]
    fn a_partial_save_after_a_sweep_warning_holds_it_and_the_last_save_holds_it_once() {
        let exp = Experiment {
            repetitions: 4,
            ..three_runs_a_cell()
        };
        let saver = Arc::new(KeepsEverySave::default());
        let mut config = SweepConfig::new(WorkerCommand::new("/nonexistent/corelab"));
        config.executors = Arc::new(FailsEarlyAndLeavesAProcess {
            stuck: (ModelKind::Threads, 2),
        });
        config.saver = saver.clone();
        config.partial_results = Some("/nonexistent/partial.json".into());
        config.shuffle_seed = Some(7);
        let mut told = Vec::new();
        let r = run_sweep(&exp, &config, &CancelToken::new(), &mut |e| {
            if let SweepEvent::RoundDone {
                round, warnings, ..
            } = e
            {
                told.push((round, warnings));
            }
        });
        let warning = "threads × 2: a process the cell left was still there 2 s after SIGKILL \
                       when the cell ended: pid 4242 (D: uninterruptible sleep)"
            .to_string();
        let stuck = r.cell(ModelKind::Threads, 2).unwrap();
        assert_eq!(stuck.status, CellStatus::Failed, "{stuck:?}");
        assert_eq!(stuck.samples.len(), 1, "{stuck:?}");
        // The last file holds the warning once.
        assert_eq!(r.status, RunStatus::Complete);
        assert_eq!(r.warnings, vec![warning.clone()]);
        let saves = saver.0.lock().unwrap().clone();
        assert_eq!(saves.last(), Some(&r), "the last save is the results");
        // Round 1 (always saved) came before the cell failed; round 2 (saved: a cell ended in
        // it) after, with the other cells still being measured: a sweep killed then leaves it.
        assert!(saves.len() >= 3, "{}", saves.len());
        assert_eq!(saves[0].warnings, Vec::<String>::new());
        let killed_then = &saves[1];
        assert_eq!(killed_then.status, RunStatus::Incomplete);
        assert!(killed_then.writer.is_some());
        assert_eq!(
            killed_then
                .cell(ModelKind::Threads, 1)
                .map(|c| c.samples.len()),
            Some(2),
            "still being measured"
        );
        assert_eq!(killed_then.warnings, vec![warning.clone()]);
        // Every save from then on holds it, once.
        for save in &saves[1..] {
            assert_eq!(save.warnings, vec![warning.clone()]);
        }
        // The rounds' events carry it from the round it was told in.
        let rounds: Vec<usize> = told.iter().map(|(round, _)| *round).collect();
        assert_eq!(rounds, vec![1, 2, 3, 4]);
        assert_eq!(told[0].1, Vec::<String>::new());
        for (round, warnings) in &told[1..] {
            assert_eq!(warnings, &vec![warning.clone()], "round {round}");
        }
    }
}
