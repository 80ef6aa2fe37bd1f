//! Where a sweep's executors come from: [`ExecutorFactory`] starts one cell's executor (and
//! answers what a test may script: the load recorded, the interpreter, the stops of what runs
//! leave), given its [`CellStart`]; [`RealExecutors`] is the factory corelab measures with.

use std::time::Duration;

use crate::engine::error::EngineError;
use crate::engine::load::LoadEvidence;
use crate::engine::model::python::{self, PythonExecutor, PythonInfo};
use crate::engine::model::{
    Executor, InProcessExecutor, ProcessPool, TokioExecutor, WorkerCommand,
};
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::run_mark::{MarkedRun, Stop};
use crate::engine::workload::RunEnv;
use crate::preset::{Experiment, ModelKind};

/// Starts the executor of one cell. The sweep takes its executors from a factory so that
/// tests can script their timings ([`crate::engine::mock::MockExecutors`]); the default,
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
    ///
    /// [`preflight_with`]: super::preflight_with
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;

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
}
