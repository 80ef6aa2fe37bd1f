//! The experiments the lessons sweep: a small one per lesson, and the lock lessons' contention
//! experiment sized to a run length.

use crate::preset::{Baseline, Experiment, ModelKind, SyncMode, TaskKind, TaskSpec};

/// The models the GIL and I/O lessons weigh: plain threads against the emulated GIL's, over
/// the sequential baseline.
pub(super) const THREADS_AND_GIL_THREADS: [ModelKind; 3] = [
    ModelKind::Sequential,
    ModelKind::Threads,
    ModelKind::GilThreads,
];

pub(super) fn experiment(kind: TaskKind, models: &[ModelKind], workers: &[usize]) -> Experiment {
    Experiment {
        name: format!("lesson: {kind}"),
        task: TaskSpec {
            kind,
            ..TaskSpec::default()
        },
        workers: workers.to_vec(),
        models: models.to_vec(),
        repetitions: 5,
        warmups: 1,
        min_time_s: 0.0,
        timeout_s: 120.0,
        ..Experiment::default()
    }
}

/// One sequential run's length, to which the lock lessons size their increments (calibrated
/// before each sweep): long enough that the threads run at once for most of a run even when
/// other programs take turns on the cores (a fixed 2 million unsynchronised increments lasted
/// about 1 ms on a release build, less than a scheduler's time slice, and two threads on a
/// busy machine seldom overlapped), and that three runs hold enough clock ticks (0.1 s) to
/// judge the load by.
const LOCK_LESSON_RUN_S: f64 = 0.05;

/// A contention experiment of `model × w` (and its one-worker baseline) on `sync`, sized to
/// [`LOCK_LESSON_RUN_S`] (on the process pool when `model` is processes: see
/// [`crate::engine::calibrate::calibration_model`]).
pub(super) fn contention_experiment(model: ModelKind, sync: SyncMode, w: usize) -> Experiment {
    let mut exp = experiment(TaskKind::Contention, &[model], &[w]);
    exp.baseline = Baseline::SameModelOneWorker;
    exp.task.contention.sync = sync;
    exp.target_run_s = LOCK_LESSON_RUN_S;
    exp.repetitions = 3;
    exp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cpython_lesson_sizes_its_increments_on_multiprocessing() {
        let exp = contention_experiment(ModelKind::PyMultiprocessing, SyncMode::None, 2);
        exp.validate().unwrap();
        assert_eq!(exp.models, vec![ModelKind::PyMultiprocessing]);
        assert_eq!(
            crate::engine::calibrate::calibration_model(&exp),
            ModelKind::PyMultiprocessing
        );
        assert_eq!(exp.baseline, Baseline::SameModelOneWorker);
    }

    #[test]
    fn the_lessons_measure_processes_on_a_shared_counter_of_their_own() {
        // The processes' lesson sweeps the process pool, the threads' lesson threads: each
        // sized (calibrated) on the executor it measures.
        let threads = contention_experiment(ModelKind::Threads, SyncMode::None, 2);
        let processes = contention_experiment(ModelKind::Processes, SyncMode::None, 2);
        assert_eq!(threads.models, vec![ModelKind::Threads]);
        assert_eq!(processes.models, vec![ModelKind::Processes]);
        assert_eq!(
            crate::engine::calibrate::calibration_model(&processes),
            ModelKind::Processes
        );
        assert_eq!(
            crate::engine::calibrate::calibration_model(&threads),
            ModelKind::Sequential
        );
    }
}
