use std::time::Duration;

use crate::preset::ModelKind;
use crate::results::{CellResult, ResultsFile};

/// What a running sweep reports, in order: `Started`, then per cell `CellStarted`, one
/// `Progress` per run and `CellDone` or `Failed`, and finally `Finished` with the whole file.
#[derive(Clone, Debug)]
pub enum SweepEvent {
    Started {
        /// Every (model, workers) cell in the order it will run.
        plan: Vec<(ModelKind, usize)>,
        runs_total: usize,
    },
    CellStarted {
        model: ModelKind,
        workers: usize,
    },
    Progress {
        runs_done: usize,
        runs_total: usize,
        elapsed: Duration,
    },
    /// A cell finished; its summaries and speedup are filled in.
    CellDone(Box<CellResult>),
    /// A cell failed; it is also in the final results with its reason.
    Failed {
        model: ModelKind,
        workers: usize,
        reason: String,
    },
    /// Writing the results file failed (after a cell, or at the end); the sweep goes on, and
    /// the results are still in `Finished`.
    SaveFailed {
        path: std::path::PathBuf,
        reason: String,
    },
    /// The sweep ended (completed or cancelled); the file holds every cell that ran.
    Finished(Box<ResultsFile>),
}
