//! An interrupted sweep for the tests of partial cells, and the cells it is made of, here and
//! in `tests/` (integration tests see only the library's public items, so these are public,
//! and hidden from the documentation: they are no part of corelab's interface).

use crate::preset::{Experiment, ModelKind};
use crate::results::{CellResult, CellStatus, ResultsFile, RunStatus, Sample};

/// A cell of `model × workers` in `status` whose timed runs took `walls` seconds each, of
/// wall and CPU time; nothing else recorded.
#[doc(hidden)]
pub fn timed_cell(
    model: ModelKind,
    workers: usize,
    status: CellStatus,
    walls: &[f64],
) -> CellResult {
    CellResult {
        model: Some(model),
        workers,
        status,
        samples: walls
            .iter()
            .map(|&wall_s| Sample {
                wall_s,
                cpu_s: wall_s,
                ..Sample::default()
            })
            .collect(),
        ..CellResult::default()
    }
}

/// A sweep of sequential and threads at 1 and 2 workers, cancelled in its second cell of
/// threads with 3 runs of 6 kept: threads × 2 is partial. Each run's CPU time is its wall
/// time. Recomputed; `recompute` again after changing it.
#[doc(hidden)]
pub fn interrupted_sweep() -> ResultsFile {
    let mut r = ResultsFile {
        status: RunStatus::Cancelled,
        experiment: Experiment {
            name: "interrupted".into(),
            workers: vec![1, 2],
            models: vec![ModelKind::Sequential, ModelKind::Threads],
            ..Experiment::default()
        },
        cells: vec![
            timed_cell(ModelKind::Sequential, 1, CellStatus::Ok, &[0.4; 6]),
            timed_cell(ModelKind::Threads, 1, CellStatus::Ok, &[0.41; 6]),
            timed_cell(
                ModelKind::Threads,
                2,
                CellStatus::Cancelled,
                &[0.21, 0.2, 0.22],
            ),
        ],
        ..ResultsFile::default()
    };
    r.recompute();
    r
}
