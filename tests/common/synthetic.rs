//! Results files with made-up timings that follow a known curve, for the fit, chart, report
//! and workbench tests.

use corelab::preset::{Experiment, ModelKind};
use corelab::results::{CellResult, CellStatus, MachineInfo, ResultsFile, RunStatus, Sample};

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

/// The models most sweeps here compare.
pub const SEQUENTIAL_THREADS_PROCESSES: [ModelKind; 3] = [
    ModelKind::Sequential,
    ModelKind::Threads,
    ModelKind::Processes,
];

/// An experiment named `name` that runs `models` at `workers`, three runs a cell.
pub fn experiment(name: &str, workers: &[usize], models: &[ModelKind]) -> Experiment {
    Experiment {
        name: name.into(),
        workers: workers.to_vec(),
        models: models.to_vec(),
        repetitions: 3,
        ..Experiment::default()
    }
}

/// A made-up machine: "Test CPU", 8 physical and 16 logical cores.
pub fn test_machine() -> MachineInfo {
    MachineInfo {
        cpu_brand: "Test CPU".into(),
        physical_cores: Some(8),
        logical_cores: 16,
        ..MachineInfo::default()
    }
}

/// A sweep named `name` of sequential, threads and processes at `workers` on
/// [`test_machine`], whose threads follow the USL curve of `sigma` and `kappa` and whose
/// processes the one of 0.9× the speed and twice the `sigma`.
pub fn usl_sweep(name: &str, workers: &[usize], sigma: f64, kappa: f64) -> ResultsFile {
    synthetic_results(
        experiment(name, workers, &SEQUENTIAL_THREADS_PROCESSES),
        test_machine(),
        [0.99, 1.0, 1.01],
        |model, x| match model {
            ModelKind::Threads => usl_by_hand(1.0, sigma, kappa, x),
            _ => usl_by_hand(0.9, sigma * 2.0, kappa, x),
        },
    )
}

/// "Doublings": sequential and threads at 1 to 64 workers in doublings, threads reaching
/// `speedup(workers)`.
pub fn doublings(speedup: impl Fn(f64) -> f64) -> ResultsFile {
    synthetic_results(
        experiment(
            "Doublings",
            &[1, 2, 4, 8, 16, 32, 64],
            &[ModelKind::Sequential, ModelKind::Threads],
        ),
        MachineInfo::default(),
        [0.99, 1.0, 1.01],
        |_, n| speedup(n),
    )
}

/// A cell of `model` × `workers` in `status` whose runs took `walls` seconds each (of wall
/// and CPU time); a failed one says "it broke".
pub fn cell(model: ModelKind, workers: usize, status: CellStatus, walls: &[f64]) -> CellResult {
    CellResult {
        error: (status == CellStatus::Failed).then(|| "it broke".to_string()),
        ..corelab::export::chart_model::timed_cell(model, workers, status, walls)
    }
}

/// `γ·N / (1 + σ(N − 1) + κN(N − 1))`, written out here rather than taken from
/// `corelab::stats`, so that the fits are checked against numbers they did not make.
pub fn usl_by_hand(gamma: f64, sigma: f64, kappa: f64, n: f64) -> f64 {
    gamma * n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}
