//! Sweeps run whole, with scripted executors: faults of the user's code told once, processes
//! that outlive SIGKILL, warnings and partial saves.

use std::sync::Arc;
use std::time::Duration;

use super::cell_faults::{not_run, same_fault};
use super::*;
use crate::engine::cancel::CancelToken;
use crate::engine::event::SweepEvent;
use crate::engine::model::{Executor, RunRecord, WorkerCommand};
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::results_saver::ResultsSaver;
use crate::engine::run_mark::{MarkedRun, Stop};
use crate::engine::workload::RunEnv;
use crate::preset::{Baseline, Experiment, ModelKind, TaskKind, TaskSpec};
use crate::results::{CellResult, CellStatus, ResultsFile, RunStatus};

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
            Some("not run: the same code failed in py-threading × 1 (SyntaxError: expected ':')")
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
    let origin = "py-threading × 1 (RuntimeError: only in the parent, in the pool process 4242)";
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
    fn run(&mut self, t: &TaskSpec, env: &RunEnv, g: &RunGuard) -> Result<RunRecord, UnitError> {
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
