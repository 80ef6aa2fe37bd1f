//! Results files with made-up timings that follow a known curve, for the fit, chart, report
//! and workbench tests.

use corelab::preset::{Experiment, ModelKind};
use corelab::results::{CellResult, MachineInfo, ResultsFile, RunStatus, Sample};

/// The sequential baseline's wall time, seconds.
pub const T1: f64 = 4.0;

/// A complete results file for `experiment` on `machine`: the sequential cell takes [`T1`], and
/// every other model at each worker count takes `T1 / speedup(model, workers)`. Each cell has
/// three samples, the median times each factor of `spread`.
pub fn synthetic_results(
    experiment: Experiment,
    machine: MachineInfo,
    spread: [f64; 3],
    speedup: impl Fn(ModelKind, f64) -> f64,
) -> ResultsFile {
    let samples = |t: f64| {
        spread
            .iter()
            .map(|f| Sample {
                wall_s: t * f,
                cpu_s: t * f,
                checksum: 1,
                ..Sample::default()
            })
            .collect::<Vec<_>>()
    };
    let mut cells = vec![CellResult {
        model: Some(ModelKind::Sequential),
        workers: 1,
        samples: samples(T1),
        ..CellResult::default()
    }];
    for &n in &experiment.workers {
        for &model in experiment.models.iter().filter(|m| !m.is_single_worker()) {
            cells.push(CellResult {
                model: Some(model),
                workers: n,
                samples: samples(T1 / speedup(model, n as f64)),
                ..CellResult::default()
            });
        }
    }
    let mut r = ResultsFile {
        experiment,
        machine,
        cells,
        status: RunStatus::Complete,
        started_at: "2026-11-25T18:00:00Z".into(),
        ..ResultsFile::default()
    };
    r.recompute();
    r
}

/// `γ·N / (1 + σ(N − 1) + κN(N − 1))`, written out here rather than taken from
/// `corelab::stats`, so that the fits are checked against numbers they did not make.
#[allow(dead_code)] // Not every test binary uses it.
pub fn usl_by_hand(gamma: f64, sigma: f64, kappa: f64, n: f64) -> f64 {
    gamma * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}
