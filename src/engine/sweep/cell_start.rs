//! The start-up of one cell: its scratch directory, environment and mark, and its executor
//! started through the factory (untimed); a failure fails that cell only, unless it is a fault
//! of the user's code (see [`cell_faults`](super::cell_faults)).

use std::time::Duration;

use super::Sweep;
use super::cell_faults::{fail, same_fault};
use super::executors::CellStart;
use super::live::Running;
use crate::engine::fault::UserFault;
use crate::engine::pacer::UnitError;
use crate::engine::run_mark::MarkedRun;
use crate::engine::scratch::ScratchDir;
use crate::engine::workload::RunEnv;
use crate::preset::ModelKind;
use crate::results::CellResult;

impl Sweep<'_> {
    /// Starts one cell's executor (or fails the cell with `unavailable`). Returns the cell,
    /// its executor when it started, and whether it failed quietly: with a fault of the
    /// user's code already told for another model's cell, which its error points at.
    pub(super) fn start_cell(
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
}
