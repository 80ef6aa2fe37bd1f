//! Calibration of a task's size to a time per run, like pyperf's calibration of its loop
//! count: short sequential trial runs, growing the size until a run is long enough to time,
//! then a linear scaling to the target and one check run.

use crate::preset::{Calibration, CalibrationTrial, TaskSpec};

/// The first trial runs this fraction of the preset's size, so that an oversized preset on a
/// slow machine costs little.
const FIRST_FRACTION: f64 = 1.0 / 16.0;
/// Trials are grown until one takes at least this fraction of the target.
const LONG_ENOUGH: f64 = 0.2;
/// At most this many trial runs (the check run included).
const MAX_TRIALS: usize = 8;

/// Sizes `task` so that one run takes about `target_s`; `run` does one sequential run of a
/// task and returns its wall time in seconds. `None` when the task has no size knob.
pub fn calibrate(
    task: &TaskSpec,
    target_s: f64,
    run: &mut dyn FnMut(&TaskSpec) -> Result<f64, String>,
) -> Result<Option<(TaskSpec, Calibration)>, String> {
    let Some((knob, preset_size)) = task.size_knob() else {
        return Ok(None);
    };
    let mut cal = Calibration {
        target_run_s: target_s,
        knob: knob.to_string(),
        preset_size,
        chosen_size: preset_size,
        trials: Vec::new(),
        model: None,
        error: None,
        arrays: None,
    };
    let mut size = (preset_size * FIRST_FRACTION).max(1e-3);
    let mut trial = |size: f64, cal: &mut Calibration| -> Result<(f64, f64), String> {
        let sized = task.with_size(size);
        let actual = sized.size_knob().map_or(size, |k| k.1);
        let wall_s = run(&sized)?;
        cal.trials.push(CalibrationTrial {
            size: actual,
            wall_s,
        });
        Ok((actual, wall_s))
    };
    let (mut tried, mut wall) = trial(size, &mut cal)?;
    while wall < target_s * LONG_ENOUGH && cal.trials.len() < MAX_TRIALS - 1 {
        // Grow by the measured ratio (at most 16× per step, at least 2×).
        let factor = if wall > 0.0 {
            (target_s * 0.5 / wall).clamp(2.0, 16.0)
        } else {
            16.0
        };
        size = tried * factor;
        (tried, wall) = trial(size, &mut cal)?;
        if tried
            >= task
                .with_size(f64::MAX)
                .size_knob()
                .map_or(f64::MAX, |k| k.1)
        {
            break;
        }
    }
    let scale = if wall > 0.0 { target_s / wall } else { 1.0 };
    let (chosen, check) = trial(tried * scale, &mut cal)?;
    // One correction from the check run when it missed by more than 10%.
    cal.chosen_size = if check > 0.0 && ((check / target_s) - 1.0).abs() > 0.1 {
        task.with_size(chosen * target_s / check)
            .size_knob()
            .map_or(chosen, |k| k.1)
    } else {
        chosen
    };
    Ok(Some((task.with_size(cal.chosen_size), cal)))
}

/// The model whose one-worker run is sized to the target: the slowest kind of executor the
/// experiment compares, so that no curve's runs take far longer than the target. A real
/// Python model when there is one (CPython runs the same task tens of times slower;
/// py-multiprocessing for contention, whose shared Value is the slowest counter), the
/// process pool for lock contention (a file lock shared between processes costs microseconds
/// per increment, a mutex nanoseconds), otherwise the sequential model.
pub fn calibration_model(exp: &crate::preset::Experiment) -> crate::preset::ModelKind {
    use crate::preset::{ModelKind, TaskKind};
    let listed = |m: ModelKind| exp.models.contains(&m);
    if exp.task.kind == TaskKind::Contention && listed(ModelKind::PyMultiprocessing) {
        // A multiprocessing.Value takes its lock twice per increment (getter and setter):
        // several times slower than threads' `+=` on a Python object.
        return ModelKind::PyMultiprocessing;
    }
    if let Some(py) = exp.models.iter().find(|m| m.is_python()) {
        return *py;
    }
    if exp.task.kind == TaskKind::Contention && listed(ModelKind::Processes) {
        return ModelKind::Processes;
    }
    ModelKind::Sequential
}

/// Calibrates `exp.task` to `exp.target_run_s` with a one-worker executor from `factory`
/// (started and stopped here, untimed). A memory task's arrays are sized to the machine's
/// last-level cache first (`available`, see [`super::resources::memory_arrays`]), then its
/// passes to the time. Returns the experiment to measure (with the chosen size) and the
/// record; on failure the preset's size (the arrays sized) is kept and the record says why.
pub(crate) fn calibrate_experiment(
    exp: &crate::preset::Experiment,
    available: &super::resources::Available,
    factory: &dyn super::sweep::ExecutorFactory,
    worker: &super::model::WorkerCommand,
    cancel: &super::cancel::CancelToken,
) -> (crate::preset::Experiment, Option<Calibration>) {
    use super::scratch::ScratchDir;
    use super::workload::RunEnv;
    use std::time::Duration;

    // Nothing to size (a command, a Python function): no executor is started for it.
    if exp.target_run_s <= 0.0 || exp.task.size_knob().is_none() {
        return (exp.clone(), None);
    }
    let (sized, arrays) = super::resources::sized_for(exp, available);
    let exp = &sized;
    let model = calibration_model(exp);
    let failed = |error: String| {
        let (knob, size) = exp.task.size_knob().unwrap_or(("", 0.0));
        Calibration {
            target_run_s: exp.target_run_s,
            knob: knob.to_string(),
            preset_size: size,
            chosen_size: size,
            trials: Vec::new(),
            model: Some(model),
            error: Some(error),
            arrays: arrays.clone(),
        }
    };
    let scratch = match ScratchDir::create() {
        Ok(s) => s,
        Err(e) => {
            let cal = failed(format!("cannot create a scratch directory: {e}"));
            return (exp.clone(), Some(cal));
        }
    };
    // Declared before the executor, so dropped after it: then every process the calibration
    // started is stopped, with whatever those left.
    let marked = super::run_mark::MarkedRun::new();
    let guard = marked.guard(cancel.clone(), Duration::from_secs_f64(exp.timeout_s));
    let env = RunEnv::for_cell(model, 1, scratch.path());
    let started = factory.start(&super::sweep::CellStart {
        exp,
        model,
        workers: 1,
        worker,
        env: &env,
        guard: &guard,
    });
    let mut executor = match started {
        Ok(e) => e,
        Err(e) => return (exp.clone(), Some(failed(e.to_string()))),
    };
    let mut run = |task: &TaskSpec| -> Result<f64, String> {
        let guard = marked.guard(cancel.clone(), Duration::from_secs_f64(exp.timeout_s));
        executor
            .run(task, &env, &guard)
            .map(|r| r.wall.as_secs_f64())
            .map_err(|e| e.to_string())
    };
    let outcome = calibrate(&exp.task, exp.target_run_s, &mut run);
    executor.shutdown();
    match outcome {
        Ok(Some((task, mut cal))) => {
            cal.model = Some(model);
            cal.arrays = arrays;
            (
                crate::preset::Experiment {
                    task,
                    ..exp.clone()
                },
                Some(cal),
            )
        }
        Ok(None) => (
            exp.clone(),
            Some(failed(format!(
                "task kind `{}` has no size to calibrate",
                exp.task.kind
            ))),
        ),
        Err(e) => (exp.clone(), Some(failed(e))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::TaskKind;

    /// A scripted machine: a run takes `per_unit` seconds per unit of size, plus `fixed`.
    fn machine(per_unit: f64, fixed: f64) -> impl FnMut(&TaskSpec) -> Result<f64, String> {
        move |t: &TaskSpec| Ok(fixed + t.size_knob().map_or(0.0, |k| k.1) * per_unit)
    }

    #[test]
    fn a_linear_task_lands_on_the_target() {
        let task = TaskSpec::default(); // cpu, size 1 000 000 by default
        let (sized, cal) = calibrate(&task, 0.25, &mut machine(1e-6, 0.0))
            .unwrap()
            .unwrap();
        assert_eq!(sized.cpu.size, 250_000);
        assert_eq!(cal.chosen_size, 250_000.0);
        assert_eq!(cal.knob, "task.cpu.size");
        assert_eq!(
            cal.trials.first().unwrap().size,
            task.cpu.size as f64 / 16.0
        );
        assert!(cal.trials.len() <= MAX_TRIALS);
    }

    #[test]
    fn a_fast_machine_grows_the_task() {
        let task = TaskSpec::default();
        let (sized, cal) = calibrate(&task, 0.5, &mut machine(1e-9, 0.0))
            .unwrap()
            .unwrap();
        assert_eq!(sized.cpu.size, 500_000_000);
        // Several growing trials, each at least twice the last.
        assert!(cal.trials.len() >= 3, "{cal:?}");
        assert!(
            cal.trials
                .windows(2)
                .take(2)
                .all(|w| w[1].size >= 2.0 * w[0].size)
        );
    }

    #[test]
    fn a_fixed_cost_is_corrected_by_the_check_run() {
        // 50 ms of overhead per run: linear scaling from a short trial overshoots, the check
        // run corrects it to within the 10% band (or exactly onto the target).
        let mut task = TaskSpec {
            kind: TaskKind::Contention,
            ..TaskSpec::default()
        };
        task.contention.increments = 1_000_000;
        let (sized, cal) = calibrate(&task, 0.25, &mut machine(1e-6, 0.05))
            .unwrap()
            .unwrap();
        let run_s = 0.05 + sized.contention.increments as f64 * 1e-6;
        assert!((run_s - 0.25).abs() <= 0.25 * 0.15, "{run_s} {cal:?}");
    }

    #[test]
    fn the_slowest_kind_of_executor_is_calibrated() {
        use crate::preset::{Experiment, ModelKind::*};
        let mut exp = Experiment {
            models: vec![Sequential, Threads, Processes],
            ..Experiment::default()
        };
        assert_eq!(calibration_model(&exp), Sequential);
        exp.task.kind = TaskKind::Contention;
        assert_eq!(calibration_model(&exp), Processes);
        exp.models = vec![Threads, PyThreading, PyMultiprocessing];
        // A Python contention task: the multiprocessing.Value is the slowest counter.
        assert_eq!(calibration_model(&exp), PyMultiprocessing);
        exp.models = vec![Threads, PyThreading, PyFreeThreading];
        assert_eq!(calibration_model(&exp), PyThreading);
        exp.task.kind = TaskKind::Cpu;
        exp.models = vec![Threads, PyThreading, PyMultiprocessing];
        assert_eq!(calibration_model(&exp), PyThreading);
        exp.models = vec![Threads, GilThreads];
        assert_eq!(calibration_model(&exp), Sequential);
    }

    #[test]
    fn a_failed_trial_is_an_error() {
        let task = TaskSpec::default();
        let err = calibrate(&task, 0.25, &mut |_| Err("boom".into())).unwrap_err();
        assert_eq!(err, "boom");
    }

    #[test]
    fn each_lock_contention_preset_is_sized_for_the_models_it_shows() {
        use crate::preset::{ModelKind::*, find_builtin};
        let exp = |id: &str| find_builtin(id).unwrap().experiment().unwrap();
        // Threads: sized on an in-process model, so that their runs last the target. (Sized
        // for the file lock, 100 times slower per increment, they lasted 0.2 ms and barely
        // overlapped: two threads looked 1.1 times as fast as one.)
        let threads = exp("lock-contention");
        assert!(!threads.models.contains(&Processes));
        assert!(threads.models.contains(&Threads));
        assert_eq!(calibration_model(&threads), Sequential);
        // Processes: their own preset, sized on the process pool.
        let processes = exp("lock-contention-processes");
        assert!(processes.models.contains(&Processes));
        assert!(!processes.models.contains(&Threads));
        assert_eq!(calibration_model(&processes), Processes);
        // Every model of a preset runs the same increments, and each is compared with its
        // own one-worker run.
        for e in [&threads, &processes] {
            assert_eq!(e.baseline, crate::preset::Baseline::SameModelOneWorker);
            assert!(e.target_run_s > 0.0);
        }
    }

    #[test]
    fn the_lost_updates_preset_is_sized_by_time_for_its_threads() {
        use crate::preset::{ModelKind::*, SyncMode, find_builtin, limits::MAX_INCREMENTS};
        let mut exp = find_builtin("lost-updates").unwrap().experiment().unwrap();
        assert_eq!(exp.task.contention.sync, SyncMode::None);
        // Runs of several scheduler time slices (a few ms each), so that the threads overlap
        // even on a busy machine: at 0.03 s two threads lost a median 40% of their increments
        // with two CPU hogs running (README, "Lost updates").
        assert!(exp.target_run_s >= 0.02, "{}", exp.target_run_s);
        // Sized on an in-process model: a release build's unsynchronised increment takes
        // about 0.6 ns, so 0.03 s is some 50 million increments, within the limit. (Its fixed
        // million lasted 0.6 ms, and two threads on a busy machine seldom overlapped.)
        assert_eq!(calibration_model(&exp), Sequential);
        let (sized, cal) = calibrate(&exp.task, exp.target_run_s, &mut machine(0.6e-9, 0.0))
            .unwrap()
            .unwrap();
        let wanted = exp.target_run_s / 0.6e-9;
        let got = sized.contention.increments as f64;
        assert!(
            (got / wanted - 1.0).abs() < 0.1,
            "{got} for {wanted} {cal:?}"
        );
        assert!(sized.contention.increments < MAX_INCREMENTS);
        // A machine too fast for the limit stops at it rather than failing.
        let (sized, _) = calibrate(&exp.task, exp.target_run_s, &mut machine(1e-12, 0.0))
            .unwrap()
            .unwrap();
        assert_eq!(sized.contention.increments, MAX_INCREMENTS);
        // With processes in it, the file counter sets the size (see its description).
        exp.models.push(Processes);
        assert_eq!(calibration_model(&exp), Processes);
    }

    #[test]
    fn the_python_lost_updates_preset_is_sized_on_its_processes_to_tens_of_ms() {
        use crate::preset::{ModelKind::*, SyncMode, find_builtin};
        let exp = find_builtin("python-lost-updates")
            .unwrap()
            .experiment()
            .unwrap();
        assert_eq!(exp.task.contention.sync, SyncMode::None);
        assert!(exp.models.contains(&PyThreading) && exp.models.contains(&PyMultiprocessing));
        assert_eq!(calibration_model(&exp), PyMultiprocessing);
        // Runs of tens of ms, so that the workers overlap: a multiprocessing.Value's `+= 1`
        // (two lock round trips) costs about 1.5 µs in one process on the 2-core machine.
        assert!(
            (0.02..=0.2).contains(&exp.target_run_s),
            "{}",
            exp.target_run_s
        );
        let (sized, cal) = calibrate(&exp.task, exp.target_run_s, &mut machine(1.5e-6, 0.0))
            .unwrap()
            .unwrap();
        let wanted = exp.target_run_s / 1.5e-6;
        let got = sized.contention.increments as f64;
        assert!(
            (got / wanted - 1.0).abs() < 0.1,
            "{got} for {wanted} {cal:?}"
        );
    }

    /// A memory task on the 16-core Xeon (a 300 MiB L3) is sized in two steps: its arrays to
    /// the cache, then its passes to the time, on a simulated machine whose sequential triad
    /// streams 12 GB/s.
    #[test]
    fn a_memory_task_gets_arrays_beyond_the_cache_then_passes_for_the_time() {
        use crate::engine::mock::{MockExecutors, MockRun};
        use crate::engine::resources::Available;
        use crate::engine::workload::MemoryGeometry;
        use crate::preset::{Experiment, ModelKind};
        let mut exp = Experiment {
            models: vec![ModelKind::Sequential, ModelKind::Threads],
            workers: vec![1, 2],
            target_run_s: 0.25,
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Memory;
        exp.task.tasks = 64;
        exp.task.memory.array_mib = 64;
        exp.task.memory.passes = 4;
        let mock = MockExecutors::sized(|_, _, _, task| {
            let g = MemoryGeometry::of(&task.memory, task.tasks as usize)?;
            Ok(MockRun::new(g.bytes_moved() as f64 / 12e9, 1.0, 1))
        });
        let available = Available {
            memory_bytes: Some(120 << 30),
            disk_bytes: None,
            disk_path: "/tmp".into(),
            address_space_bytes: None,
            last_level_cache_bytes: Some(300 << 20),
            python_thread_stack_bytes: 8 << 20,
        };
        let worker = super::super::model::WorkerCommand::new("/nonexistent/corelab");
        let cancel = super::super::cancel::CancelToken::new();
        let (sized, cal) = calibrate_experiment(&exp, &available, &mock, &worker, &cancel);
        let cal = cal.unwrap();
        assert_eq!(cal.error, None);
        assert_eq!(sized.task.memory.array_mib, 400);
        let arrays = cal.arrays.as_ref().unwrap();
        assert_eq!((arrays.preset_mib, arrays.chosen_mib), (64, 400));
        // Every trial ran on the 400 MiB arrays: 1.26 GB a pass, 0.105 s; two passes are
        // nearest the 0.25 s target.
        assert_eq!(cal.knob, "task.memory.passes");
        assert_eq!(cal.trials[0].size, 1.0);
        assert!((cal.trials[0].wall_s - 0.1048).abs() < 1e-3, "{cal:?}");
        assert_eq!(sized.task.memory.passes, 2);
        // The 2-core development machine's 32 MiB L3: the preset's 64 MiB (6 × the cache).
        let small = Available {
            address_space_bytes: None,
            last_level_cache_bytes: Some(32 << 20),
            ..available
        };
        let (sized, cal) = calibrate_experiment(&exp, &small, &mock, &worker, &cancel);
        assert_eq!(sized.task.memory.array_mib, 64);
        assert_eq!(cal.unwrap().arrays.unwrap().times_cache(), Some(6.0));
    }
}
