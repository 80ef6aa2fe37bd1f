//! Cells and results files the results file's tests derive figures from.

use super::cell::CellResult;
use super::document::ResultsFile;
use super::sample::Sample;
use crate::preset::{Experiment, ModelKind, TaskKind};

/// A cell whose three runs each take `wall` seconds and `cpu` seconds of CPU time.
pub(super) fn cell(model: ModelKind, workers: usize, wall: f64, cpu: f64) -> CellResult {
    CellResult {
        model: Some(model),
        workers,
        samples: vec![
            Sample {
                wall_s: wall,
                cpu_s: cpu,
                ..Sample::default()
            };
            3
        ],
        ..CellResult::default()
    }
}

pub(super) fn results(kind: TaskKind, cells: Vec<CellResult>) -> ResultsFile {
    let mut experiment = Experiment::default();
    experiment.task.kind = kind;
    let mut r = ResultsFile {
        experiment,
        cells,
        ..ResultsFile::default()
    };
    r.recompute();
    r
}
