//! How a cell fails: its error in words ([`fail`], [`not_run`], [`same_fault`]), and the faults
//! of the user's own code, each told once ([`ToldFault`]): the cells a fault stops are failed
//! quietly with a one-line reference to the cell that met it first.

use super::Sweep;
use crate::engine::fault::UserFault;
use crate::engine::pacer::UnitError;
use crate::preset::{Experiment, ModelKind, TaskKind};
use crate::results::{CellResult, CellStatus, ResultsFile};

/// A fault of the user's code the sweep met and told (see [`run_sweep`](super::run_sweep)).
pub(super) struct ToldFault {
    pub(super) fault: UserFault,
    /// The cell it struck first and the fault in one line: `py-threading × 1 (ValueError: bad)`.
    pub(super) origin: String,
    /// The models whose cells it stops: those that met it, or `None` for every model (met
    /// while a cell started: the module, which no model can change).
    pub(super) models: Option<Vec<ModelKind>>,
}

/// The cell and fault (`ToldFault::origin`) that stop the cells of `model`, if one does.
pub(super) fn stopping(faults: &[ToldFault], model: ModelKind) -> Option<&str> {
    faults
        .iter()
        .find(|f| f.models.as_ref().is_none_or(|m| m.contains(&model)))
        .map(|f| f.origin.as_str())
}

impl Sweep<'_> {
    /// Notes a fault of the user's own code that struck `cell`, for every model
    /// (`every_model`: met while the cell started) or for the cell's own;
    /// [`stop_after_user_fault`](Self::stop_after_user_fault) then stops the cells it stops.
    /// The same fault met before (in another model: that model's cells were still running)
    /// stops this model too and is not told again: its first cell and fault
    /// (`ToldFault::origin`) are returned, for this cell to point at.
    pub(super) fn note_user_fault(
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
    pub(super) fn stop_after_user_fault(&mut self, results: &mut ResultsFile) {
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
}

/// A cell's error when it did not run because the user's code failed in `fault` (a cell
/// named, with the fault's summary).
pub(super) fn not_run(fault: &str) -> String {
    format!("not run: the same code failed in {fault}")
}

/// The error of a cell that met a fault of the user's code already told for another cell
/// (`origin`, as [`not_run`] takes it), after `runs` timed runs.
pub(super) fn same_fault(origin: &str, runs: usize) -> String {
    match runs {
        0 => format!("failed with the same fault as {origin}"),
        n => format!(
            "failed after {} with the same fault as {origin}",
            crate::words::count(n, "timed run")
        ),
    }
}

pub(super) fn fail(cell: &mut CellResult, err: UnitError, exp: &Experiment) {
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
