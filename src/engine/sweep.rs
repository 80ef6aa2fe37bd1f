use std::path::PathBuf;
use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime};

use super::cancel::CancelToken;
use super::display_pacing::{DisplayPacing, DisplayWaker, Moment};
use super::event::SweepEvent;
use super::model::python::{self, PythonExecutor, PythonInfo};
use super::model::{Executor, InProcessExecutor, ProcessPool, RunRecord, WorkerCommand};
use super::pacer::{RunGuard, UnitError};
use super::run_count::RunCount;
use super::scratch::ScratchDir;
use super::workload::RunEnv;
use crate::preset::{Baseline, Experiment, ModelKind, TaskKind};
use crate::results::{
    CellResult, CellStatus, MachineInfo, ResultsFile, RunStatus, Sample, utc_timestamp,
};

/// How a sweep starts workers and where it keeps partial results.
#[derive(Clone, Debug)]
pub struct SweepConfig {
    /// The command that starts a `corelab worker` child (processes model).
    pub worker: WorkerCommand,
    /// When set, the results so far are written here (atomically) after every cell, marked
    /// `incomplete` until the sweep ends, so a killed sweep still leaves a readable file.
    pub partial_results: Option<PathBuf>,
    /// How [`spawn_sweep`] wakes its display; `None` wakes it after every event.
    pub display: Option<DisplayPacing>,
}

impl SweepConfig {
    pub fn new(worker: WorkerCommand) -> Self {
        SweepConfig {
            worker,
            partial_results: None,
            display: None,
        }
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

/// Checks what the experiment needs from outside corelab (a Python interpreter for the
/// `py-*` models). `Ok(None)` when nothing is needed; an error says what is missing.
pub fn preflight(exp: &Experiment) -> Result<Option<PythonInfo>, String> {
    if !exp.models.iter().any(|m| m.is_python()) {
        return Ok(None);
    }
    let info = python::probe(&exp.python)?;
    for m in &exp.models {
        if let Some(reason) = info.refuses(*m) {
            return Err(reason);
        }
    }
    Ok(Some(info))
}

/// Runs a whole sweep on the calling thread, reporting through `emit`. Returns the results,
/// also when cancelled (then with `status: cancelled` and the cells that finished).
pub fn run_sweep(
    exp: &Experiment,
    config: &SweepConfig,
    cancel: &CancelToken,
    emit: &mut dyn FnMut(SweepEvent),
) -> ResultsFile {
    let plan = sweep_plan(exp);
    // The planned count; cells whose runs are short may take more (see `RunCount`), and the
    // total grows as they do.
    let runs_per_cell = (exp.warmups + exp.repetitions) as usize;
    let mut runs_total = plan.len() * runs_per_cell;
    let mut machine = MachineInfo::detect();
    machine.measure_background_load();
    let mut results = ResultsFile {
        started_at: utc_timestamp(SystemTime::now()),
        machine,
        experiment: exp.clone(),
        ..ResultsFile::default()
    };
    // A missing interpreter fails the Python cells (with the reason), not the sweep.
    let python = match exp.models.iter().any(|m| m.is_python()) {
        true => Some(python::probe(&exp.python)),
        false => None,
    };
    results.python = python.clone().and_then(Result::ok);
    results.recompute();
    emit(SweepEvent::Started {
        plan: plan.clone(),
        runs_total,
    });
    let started = Instant::now();
    let mut runs_done = 0;
    let mut reference_checksum: Option<u64> = None;
    for &(model, workers) in &plan {
        if cancel.is_cancelled() {
            break;
        }
        emit(SweepEvent::CellStarted { model, workers });
        let before = runs_done;
        // The sweep's total once this cell takes `cell_runs` runs (never fewer than planned).
        let total_before = runs_total;
        let total_with =
            |cell_runs: usize| total_before + cell_runs.max(runs_per_cell) - runs_per_cell;
        let env_check = match &python {
            Some(Err(reason)) if model.is_python() => Some(reason.clone()),
            Some(Ok(info)) => info.refuses(model),
            _ => None,
        };
        let mut cell = run_cell(
            exp,
            config,
            cancel,
            model,
            workers,
            env_check,
            &mut |cell_runs: usize| {
                runs_done += 1;
                runs_total = total_with(cell_runs);
                emit(SweepEvent::Progress {
                    runs_done,
                    runs_total,
                    elapsed: started.elapsed(),
                });
            },
        );
        // Skipped runs of a failed cell still count, so progress reaches 100%.
        let cell_runs = cell.warmups.len() + cell.samples.len();
        runs_done = before + cell_runs.max(runs_per_cell);
        runs_total = total_with(cell_runs);
        check_answer(exp, &mut cell, &mut reference_checksum);
        let failure = (cell.status == CellStatus::Failed).then(|| cell.error.clone());
        results.cells.push(cell);
        results.recompute();
        if let Some(reason) = failure {
            emit(SweepEvent::Failed {
                model,
                workers,
                reason: reason.unwrap_or_default(),
            });
        }
        let done = results.cells.last().expect("just pushed").clone();
        if done.status != CellStatus::Cancelled {
            emit(SweepEvent::CellDone(Box::new(done)));
        }
        emit(SweepEvent::Progress {
            runs_done,
            runs_total,
            elapsed: started.elapsed(),
        });
        if let Some(path) = &config.partial_results {
            // Best effort: a failed partial write must not stop the measurement.
            let _ = results.save(path);
        }
    }
    results.status = if cancel.is_cancelled() {
        RunStatus::Cancelled
    } else {
        RunStatus::Complete
    };
    results.finished_at = Some(utc_timestamp(SystemTime::now()));
    results.recompute();
    if let Some(path) = &config.partial_results {
        let _ = results.save(path);
    }
    emit(SweepEvent::Finished(Box::new(results.clone())));
    results
}

/// Every model must compute the same answer; a cell that does not is a failure, not a data
/// point. (Contention is exempt: its checksum is the counter, which lost updates change.)
fn check_answer(exp: &Experiment, cell: &mut CellResult, reference: &mut Option<u64>) {
    if exp.task.kind == TaskKind::Contention || cell.status != CellStatus::Ok {
        return;
    }
    let Some(first) = cell.checksum() else { return };
    if let Some(bad) = cell.samples.iter().find(|s| s.checksum != first) {
        cell.status = CellStatus::Failed;
        cell.error = Some(format!(
            "runs disagree on the answer: checksum {first:#x} then {:#x}",
            bad.checksum
        ));
        return;
    }
    match *reference {
        None => *reference = Some(first),
        Some(expected) if expected != first => {
            cell.status = CellStatus::Failed;
            cell.error = Some(format!(
                "wrong answer: checksum {first:#x}, the first cell computed {expected:#x}"
            ));
        }
        Some(_) => {}
    }
}

fn run_cell(
    exp: &Experiment,
    config: &SweepConfig,
    cancel: &CancelToken,
    model: ModelKind,
    workers: usize,
    unavailable: Option<String>,
    on_run: &mut dyn FnMut(usize),
) -> CellResult {
    let mut cell = CellResult {
        model: Some(model),
        workers,
        ..CellResult::default()
    };
    let fail = |cell: &mut CellResult, err: UnitError, timeout: f64| {
        cell.status = match err {
            UnitError::Cancelled => CellStatus::Cancelled,
            _ => CellStatus::Failed,
        };
        cell.error = Some(match err {
            UnitError::Cancelled => "cancelled".to_string(),
            UnitError::TimedOut => format!("a run took longer than the {timeout} s timeout"),
            UnitError::Failed(reason) => reason,
        });
    };
    if let Some(reason) = unavailable {
        fail(&mut cell, UnitError::Failed(reason), exp.timeout_s);
        return cell;
    }
    let scratch = match ScratchDir::create() {
        Ok(s) => s,
        Err(e) => {
            let err = UnitError::Failed(format!("cannot create a scratch directory: {e}"));
            fail(&mut cell, err, exp.timeout_s);
            return cell;
        }
    };
    let env = RunEnv {
        workers,
        scratch_dir: scratch.path().to_path_buf(),
        shared_file: (model == ModelKind::Processes).then(|| scratch.path().join("counter.bin")),
    };
    let timeout = Duration::from_secs_f64(exp.timeout_s);
    let started = start_executor(exp, config, cancel, model, workers, scratch.path());
    let mut executor: Box<dyn Executor> = match started {
        Ok(e) => e,
        Err(err) => {
            fail(&mut cell, err, exp.timeout_s);
            return cell;
        }
    };
    cell.startup_s = Some(executor.startup().as_secs_f64());
    let count = RunCount::of(exp);
    let mut timed_s = 0.0;
    while cell.warmups.len() < exp.warmups as usize || count.wants_more(cell.samples.len(), timed_s)
    {
        let guard = RunGuard::new(cancel.clone(), timeout);
        match executor.run(&exp.task, &env, &guard) {
            Ok(record) => {
                cell.shared_state = record.shared_state.clone();
                let sample = sample_of(&record);
                if cell.warmups.len() < exp.warmups as usize {
                    cell.warmups.push(sample);
                } else {
                    timed_s += sample.wall_s;
                    cell.samples.push(sample);
                }
                on_run(cell.warmups.len() + count.expected(cell.samples.len(), timed_s));
            }
            Err(err) => {
                fail(&mut cell, err, exp.timeout_s);
                break;
            }
        }
    }
    executor.shutdown();
    cell
}

fn start_executor(
    exp: &Experiment,
    config: &SweepConfig,
    cancel: &CancelToken,
    model: ModelKind,
    workers: usize,
    scratch: &std::path::Path,
) -> Result<Box<dyn Executor>, UnitError> {
    let guard = RunGuard::new(cancel.clone(), Duration::from_secs_f64(exp.timeout_s));
    if model.is_python() {
        return PythonExecutor::start(&exp.python, model, workers, scratch, &guard)
            .map(|p| Box::new(p) as Box<dyn Executor>);
    }
    match model {
        ModelKind::Processes => ProcessPool::start(&config.worker, workers, &guard)
            .map(|p| Box::new(p) as Box<dyn Executor>),
        _ => {
            let interval = Duration::from_secs_f64(exp.gil.switch_interval_ms / 1000.0);
            InProcessExecutor::new(model, workers, interval)
                .map(|e| Box::new(e) as Box<dyn Executor>)
                .map_err(UnitError::Failed)
        }
    }
}

fn sample_of(record: &RunRecord) -> Sample {
    Sample {
        wall_s: record.wall.as_secs_f64(),
        cpu_s: record.cpu.as_secs_f64(),
        checksum: record.metrics.checksum,
        lost_updates: record.metrics.lost_updates,
        bytes_moved: record.metrics.bytes_moved,
        scheduling: record.metrics.scheduling.clone(),
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
