//! Simulated machines the lessons' tests measure on: scripted executors on 2 cores, and the
//! retry loop run on one lesson.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::Lesson;
use super::runner::{Ctx, MeasureLesson, run_each};
use crate::engine::model::WorkerCommand;
use crate::engine::sweep::SweepConfig;
use crate::preset::{ModelKind, SyncMode};

/// How busy the simulated machine is during an attempt's timed runs.
#[derive(Clone, Copy, Debug)]
pub(super) enum Load {
    Quiet,
    /// Another program keeps 1.5 of the 2 cores busy.
    Busy,
    /// Every run holds one clock tick per CPU: too few to judge, even pooled.
    TooFewTicks,
}

/// What `threads × 2` do in one attempt, against one thread's run of the same increments.
#[derive(Clone, Copy, Debug)]
pub(super) struct Two {
    /// Increments per second, relative to one thread.
    pub(super) speedup: f64,
    /// CPU time per increment, relative to one thread.
    pub(super) work: f64,
    /// Updates lost in each run.
    pub(super) lost: u64,
    /// Cores the one-thread baseline keeps busy (CPU time ÷ wall time).
    pub(super) base_cores: f64,
}

/// Threads that took turns: one thread's speed and CPU per increment, nothing lost.
pub(super) const TURNS: Two = Two {
    speedup: 1.0,
    work: 1.0,
    lost: 0,
    base_cores: 1.0,
};

/// Workers racing on an unlocked counter that ran at once: half one worker's speed, twice
/// its CPU per increment, 3 M increments lost a run.
pub(super) const RACING: Two = Two {
    speedup: 0.5,
    work: 2.0,
    lost: 3_000_000,
    base_cores: 1.0,
};

/// Threads on one mutex that ran at once, as on the quiet 2-core machine.
pub(super) const CONTENDED: Two = Two {
    speedup: 0.2,
    work: 10.0,
    lost: 0,
    base_cores: 1.0,
};

/// Threads on one mutex that ran at once yet kept one thread's speed: three times the CPU per
/// increment, no slower (the contention lesson's failure).
pub(super) const UNSLOWED: Two = Two {
    speedup: 1.0,
    work: 3.0,
    lost: 0,
    base_cores: 1.0,
};

/// A quiet machine for the lost-updates lessons: the unlocked workers do as `unlocked` says,
/// the locked ones contend and lose nothing.
pub(super) fn unlocked_as(unlocked: Two) -> impl Fn(SyncMode, usize) -> (Two, Load) + Send + Sync {
    move |sync, _| match sync {
        SyncMode::None => (unlocked, Load::Quiet),
        _ => (CONTENDED, Load::Quiet),
    }
}

pub(super) type Plan = dyn Fn(SyncMode, usize) -> (Two, Load) + Send + Sync;

pub(super) type Sweeps = Arc<Mutex<HashMap<SyncMode, usize>>>;

/// A simulated 2-core machine for the lock lessons, on which one worker (thread or
/// process) makes an increment in 5 ns. Attempt `n` (from 1) of the sweeps on `sync` (counted by their calibrations,
/// which start each sweep) runs `threads × 2` and loads the machine as `plan(sync, n)`
/// says. Returns the context and how many sweeps ran on each sync mode.
pub(super) fn lock_machine(
    plan: impl Fn(SyncMode, usize) -> (Two, Load) + Send + Sync + 'static,
) -> (Ctx, Sweeps) {
    use crate::engine::load::{LoadEvidence, OtherLoad};
    use crate::engine::mock::{MockExecutors, MockRun, steady_evidence};
    let plan: Arc<Plan> = Arc::new(plan);
    let sweeps: Sweeps = Arc::default();
    // The sync mode of the sweep running now: the load script does not see the task.
    let current = Arc::new(Mutex::new(SyncMode::None));
    let (count, now, run_plan) = (sweeps.clone(), current.clone(), plan.clone());
    let attempt = move |count: &HashMap<SyncMode, usize>, sync| count.get(&sync).copied();
    // Executors of `processes × 1` (or `py-multiprocessing × 1`) started so far: a sweep of
    // processes calibrates on one (the first of the sweep's two), then measures its
    // one-process baseline on another.
    let process_pools_of_one = Mutex::new(0_usize);
    let mock = MockExecutors::sized(move |model, workers, run, task| {
        let sync = task.contention.sync;
        let increments = task.contention.increments;
        let one = increments as f64 * 5e-9;
        let mut count = count.lock().unwrap();
        let calibrating = match (model, workers) {
            (ModelKind::Sequential, _) => true,
            (ModelKind::Processes | ModelKind::PyMultiprocessing, 1) => {
                let mut started = process_pools_of_one.lock().unwrap();
                if run == 0 {
                    *started += 1;
                }
                *started % 2 == 1
            }
            _ => false,
        };
        if calibrating {
            // A calibration trial: the first starts a sweep.
            if run == 0 {
                *count.entry(sync).or_default() += 1;
                *now.lock().unwrap() = sync;
            }
            return Ok(MockRun::new(one, 1.0, increments));
        }
        let (two, _) = run_plan(sync, attempt(&count, sync).unwrap_or(1));
        let (wall, cpu, lost) = match workers {
            1 => (one, one * two.base_cores, 0),
            w => {
                let made = w as f64 * one;
                (made / two.speedup, made * two.work, two.lost)
            }
        };
        Ok(MockRun {
            lost_updates: Some(lost),
            cpu: std::time::Duration::from_secs_f64(cpu),
            ..MockRun::new(wall, 1.0, workers as u64 * increments - lost)
        })
    });
    let count = sweeps.clone();
    let mock = mock.with_ticks(move |_, _, _| {
        let sync = *current.lock().unwrap();
        let n = attempt(&count.lock().unwrap(), sync).unwrap_or(1);
        let load = |other_cores, busy| {
            steady_evidence(OtherLoad {
                other_cores,
                usable_cores: 2.0,
                busy,
            })
        };
        Some(match plan(sync, n).1 {
            Load::Quiet => load(0.0, false),
            Load::Busy => load(1.5, true),
            Load::TooFewTicks => LoadEvidence {
                cpus: vec![(0, 1), (0, 1)],
                interval_s: 0.01,
                own_cpu_s: 0.0,
                quota_cores: None,
                runs: 1,
            },
        })
    });
    // The Python models' interpreter, as a CPython 3.11 would answer its check.
    let mock = mock.with_python(Ok(crate::results::PythonInfo {
        interpreter: "/usr/bin/python3".into(),
        version: "3.11.7".into(),
        implementation: "cpython".into(),
        gil_enabled: true,
        ..Default::default()
    }));
    let worker = WorkerCommand::new("/nonexistent/corelab");
    let ctx = Ctx {
        config: SweepConfig::new(worker).with_executors(mock),
    };
    (ctx, sweeps)
}

/// Runs one lesson through the retry loop on 2 cores; returns it and its printed line.
pub(super) fn measure(ctx: &Ctx, lesson: MeasureLesson) -> (Lesson, String) {
    let mut printed = Vec::new();
    let mut all = run_each(ctx, 2, &[lesson], &mut |l| printed.push(l.line()));
    assert_eq!(printed.len(), 1);
    (all.remove(0), printed.remove(0))
}

/// How many sweeps ran on each sync mode, counted by their calibrations.
pub(super) type SweepCounts = HashMap<SyncMode, usize>;

/// Measures `lesson` through the retry loop on a [`lock_machine`] loaded as `plan` says;
/// returns it, its printed line and how many sweeps ran on each sync mode.
pub(super) fn measure_on_lock_machine(
    lesson: MeasureLesson,
    plan: impl Fn(SyncMode, usize) -> (Two, Load) + Send + Sync + 'static,
) -> (Lesson, String, SweepCounts) {
    let (ctx, sweeps) = lock_machine(plan);
    let (lesson, line) = measure(&ctx, lesson);
    let counts = sweeps.lock().unwrap().clone();
    (lesson, line, counts)
}
