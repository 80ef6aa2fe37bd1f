use std::time::Duration;

use crate::preset::ModelKind;
use crate::results::{CellResult, ResultsFile};

/// What a running sweep reports, in order: `Started`; `CellStarted` per cell as its executor
/// starts (a cell that cannot start sends `Failed` and `CellDone` at once); one `Progress`
/// per run (warm-ups, then the interleaved rounds, where `CellStarted` also names the cell
/// before each of its timed runs); after every round `CellDone` (or `Failed`
/// then `CellDone`) for each cell that completed in it, then `RoundDone` with every cell so
/// far; and finally `Finished` with the whole file.
#[derive(Clone, Debug)]
pub enum SweepEvent {
    Started {
        /// Every (model, workers) cell, in the order their executors start (their runs are
        /// interleaved, see `run_sweep`).
        plan: Vec<(ModelKind, usize)>,
        /// Warm-ups and timed runs of every cell, as far as is known before any run.
        runs_total: usize,
        /// The timed runs a cell starts with: its repetitions, or the 6 a precision target
        /// always takes. (Short runs or an unmet precision target can add more later, which
        /// `Progress` reports cell by cell.)
        timed_per_cell: usize,
    },
    /// The cell's executor is starting, or (in a round) its next timed run is.
    CellStarted { model: ModelKind, workers: usize },
    Progress {
        runs_done: usize,
        runs_total: usize,
        elapsed: Duration,
        /// Each started cell's timed runs so far and the count it is now expected to take (it
        /// grows for short runs and for a precision target the runs so far have not met).
        cells: Vec<CellProgress>,
    },
    /// A cell finished; its summaries and speedup are filled in.
    CellDone(Box<CellResult>),
    /// A round of timed runs ended: every cell with at least one timed run, its summaries
    /// and speedup computed from the runs so far, so curves fill in coarse first, then refined.
    RoundDone {
        /// 1 for the first round.
        round: usize,
        cells: Vec<CellResult>,
        /// The sweep's warnings so far (`ResultsFile::warnings`), each once: a display that
        /// keeps its own copy of the results has them as a saved file does.
        warnings: Vec<String>,
    },
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

/// One cell's timed runs, as [`SweepEvent::Progress`] reports them: enough to estimate the
/// time left by what each cell costs.
#[derive(Clone, Debug, PartialEq)]
pub struct CellProgress {
    pub model: ModelKind,
    pub workers: usize,
    /// Warm-up runs done (their time is not in `timed_s`).
    pub warmups: usize,
    /// Timed runs done.
    pub timed: usize,
    /// Their summed wall time, seconds.
    pub timed_s: f64,
    /// Timed runs the cell is now expected to take in all (`timed` once it is finished).
    pub expected: usize,
}
