//! A cell while the sweep holds it: [`Running`] (its executor, environment, mark and scratch
//! directory, kept from start-up to its last run) and [`Live`] (that, whether the cell was
//! reported, and its load evidence), and the stop that ends it.

use super::executors::ExecutorFactory;
use crate::engine::load;
use crate::engine::model::Executor;
use crate::engine::run_mark::{MarkedRun, not_gone_at_cell_end_words};
use crate::engine::scratch::ScratchDir;
use crate::engine::workload::RunEnv;
use crate::preset::{ModelKind, TaskKind};
use crate::results::CellResult;

/// A started cell: its executor, kept alive from start-up to its last run.
pub(super) struct Running {
    pub(super) executor: Box<dyn Executor>,
    pub(super) env: RunEnv,
    /// The mark of every process the cell starts: those still alive are stopped when it is
    /// dropped, after the executor (field order).
    pub(super) marked: MarkedRun,
    // Dropped after the executor (field order), which may have files in it.
    pub(super) _scratch: ScratchDir,
}

impl Running {
    /// Whether nothing of a run should outlive it: a command task under a model with no
    /// processes of its own between runs (sequential, threads, rayon), whose commands' leftovers
    /// (a `setsid` daemon) carry the cell's mark and are stopped after each run
    /// ([`MarkedRun::stop_left_by_run`]).
    pub(super) fn stops_what_each_run_leaves(&self, task: &crate::preset::TaskSpec) -> bool {
        task.kind == TaskKind::Command && self.executor.worker_pids().is_some_and(|p| p.is_empty())
    }
}

/// A cell of the sweep, beside its result: its executor while it runs, and what the sweep
/// has told of it.
pub(super) struct Live {
    pub(super) running: Option<Running>,
    /// `CellDone` / `Failed` was sent (or the cell was cancelled).
    pub(super) finished: bool,
    /// Failed without a `Failed` event: stopped or never started after a fault of the user's
    /// code in another cell, or met that fault again in another model; the fault was reported
    /// once (see `stop_after_user_fault`).
    pub(super) quiet: bool,
    /// The raw load evidence of the cell's timed runs, pooled, and their verdicts so far.
    pub(super) load: load::CellJudge,
}

impl Live {
    /// Ends the cell `cell`: shuts its executor down, then stops every process still carrying
    /// its mark (`executors`' [`ExecutorFactory::stop_at_cell_end`]), then removes its scratch
    /// directory. A process that stop killed but found still there after the wait cannot fail
    /// a cell whose runs are over: it is told as a warning of the sweep, pushed on `warnings`
    /// ([`not_gone_at_cell_end_words`]): the results' own `ResultsFile::warnings`, so that
    /// every save from then on (a partial one before the end, [`saved_mid_sweep`], as well as
    /// the last) and every `RoundDone` holds it, each warning once.
    ///
    /// `already_told`: processes the cell's failure already names (the stop after a run found
    /// them still there, [`Sweep::run_once`]); found again here, they are not told twice.
    ///
    /// [`saved_mid_sweep`]: super::partial_saves::saved_mid_sweep
    /// [`Sweep::run_once`]: super::Sweep::run_once
    pub(super) fn stop(
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
