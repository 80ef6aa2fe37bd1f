//! Scripted executors: the sweep, the statistics, the fits and the workbench tested without
//! touching the hardware (as hyperfine tests its scheduler with a `MockExecutor`).
//!
//! A [`MockExecutors`] factory hands the sweep [`MockExecutor`]s whose runs return the wall
//! time, CPU time and checksum a script gives for `(model, workers, run)`, at once (nothing is
//! computed, nothing sleeps). It can fail a cell's start-up or any run, script the other load
//! each run is recorded with, and it logs every run in the order the sweep asked for it.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::load::{LoadEvidence, OtherLoad};
use super::model::{Executor, RunRecord};
use super::pacer::{RunGuard, UnitError};
use super::sweep::{CellStart, ExecutorFactory};
use super::workload::{RunEnv, RunMetrics};
use crate::preset::{ModelKind, TaskSpec};
use crate::results::PythonInfo;

/// What one scripted run returns.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MockRun {
    pub wall: Duration,
    pub cpu: Duration,
    pub checksum: u64,
    pub lost_updates: Option<u64>,
    pub bytes_moved: Option<u64>,
    /// Per-task checksums, as a Python model reports them for a function task.
    pub task_checksums: Option<Vec<u64>>,
}

impl MockRun {
    /// A run of `wall_s` seconds that kept `cores` cores busy, with the checksum `checksum`.
    pub fn new(wall_s: f64, cores: f64, checksum: u64) -> Self {
        MockRun {
            wall: Duration::from_secs_f64(wall_s),
            cpu: Duration::from_secs_f64(wall_s * cores),
            checksum,
            ..MockRun::default()
        }
    }
}

/// The script: the outcome of run `run` (counting from 0, warm-ups included) of the cell
/// `(model, workers)`; an `Err` fails that run (and so its cell) with the message.
pub type Script = dyn Fn(ModelKind, usize, usize) -> Result<MockRun, String> + Send + Sync;

/// A script that also sees the task each run is asked for (its size changes during a
/// calibration): the outcome of run `run` of `(model, workers)` on `task`.
pub type SizedScript =
    dyn Fn(ModelKind, usize, usize, &TaskSpec) -> Result<MockRun, String> + Send + Sync;

/// The load evidence run `run` of `(model, workers)` is recorded with.
pub type LoadScript = dyn Fn(ModelKind, usize, usize) -> Option<LoadEvidence> + Send + Sync;

/// One run the sweep asked a mock executor for, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MockCall {
    pub model: ModelKind,
    pub workers: usize,
    /// The cell's run index, warm-ups included.
    pub run: usize,
}

#[derive(Debug, Default)]
struct Log {
    calls: Vec<MockCall>,
    started: Vec<(ModelKind, usize)>,
    stopped: Vec<(ModelKind, usize)>,
}

/// A factory of scripted executors; clones share the script and the log.
#[derive(Clone)]
pub struct MockExecutors {
    script: Arc<SizedScript>,
    load: Option<Arc<LoadScript>>,
    start_failures: HashMap<(ModelKind, usize), String>,
    startup: Duration,
    /// What the interpreter check answers; `None` runs the real check.
    python: Option<Result<PythonInfo, String>>,
    log: Arc<Mutex<Log>>,
}

impl std::fmt::Debug for MockExecutors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockExecutors")
            .field("start_failures", &self.start_failures)
            .field("startup", &self.startup)
            .finish_non_exhaustive()
    }
}

impl MockExecutors {
    pub fn new(
        script: impl Fn(ModelKind, usize, usize) -> Result<MockRun, String> + Send + Sync + 'static,
    ) -> Self {
        MockExecutors::sized(move |model, workers, run, _task| script(model, workers, run))
    }

    /// Executors whose runs depend on the task they are asked to run as well: a simulated
    /// machine on which a calibration's trials of growing size take longer.
    pub fn sized(
        script: impl Fn(ModelKind, usize, usize, &TaskSpec) -> Result<MockRun, String>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        MockExecutors {
            script: Arc::new(script),
            load: None,
            start_failures: HashMap::new(),
            startup: Duration::from_millis(1),
            python: None,
            log: Arc::default(),
        }
    }

    /// The textbook machine with `cores` cores: a run of the sequential model takes `base_s`;
    /// models that run in parallel (threads, rayon, processes, multiprocessing, free-threaded
    /// Python) divide it by `min(workers, cores)` and keep that many cores busy; models behind
    /// a GIL (`gil-threads`, `py-threading`) stay at `base_s` on one core. Every run computes
    /// the checksum 42.
    pub fn textbook(base_s: f64, cores: usize) -> Self {
        MockExecutors::new(move |model, workers, _run| {
            let used = match model {
                ModelKind::GilThreads | ModelKind::PyThreading | ModelKind::Sequential => 1,
                _ => workers.min(cores).max(1),
            };
            Ok(MockRun::new(base_s / used as f64, used as f64, 42))
        })
    }

    /// Amdahl's law: every model but the sequential one runs a fraction `serial` of the work
    /// on one core and the rest on `workers` cores, so its speedup is `1 / (serial + (1 −
    /// serial) / workers)` (for fits: the serial fraction to recover is `serial`).
    pub fn amdahl(base_s: f64, serial: f64) -> Self {
        MockExecutors::new(move |model, workers, _run| {
            let w = if model == ModelKind::Sequential {
                1.0
            } else {
                workers.max(1) as f64
            };
            let wall = base_s * (serial + (1.0 - serial) / w);
            Ok(MockRun::new(wall, base_s / wall, 42))
        })
    }

    /// The cell `(model, workers)` fails to start, with `reason`.
    pub fn fail_start(mut self, model: ModelKind, workers: usize, reason: &str) -> Self {
        self.start_failures
            .insert((model, workers), reason.to_string());
        self
    }

    /// Every run is recorded with the other load `load` gives (instead of the machine's), as
    /// if measured over a long run: see [`steady_evidence`]. Panics when a scripted `busy`
    /// is not what the rule makes of its figure.
    pub fn with_load(
        self,
        load: impl Fn(ModelKind, usize, usize) -> Option<OtherLoad> + Send + Sync + 'static,
    ) -> Self {
        self.with_ticks(move |model, workers, run| load(model, workers, run).map(steady_evidence))
    }

    /// Every run is recorded with the raw evidence `ticks` gives (instead of the machine's):
    /// per-CPU ticks, own CPU time and interval, judged and pooled as the sweep does.
    pub fn with_ticks(
        mut self,
        ticks: impl Fn(ModelKind, usize, usize) -> Option<LoadEvidence> + Send + Sync + 'static,
    ) -> Self {
        self.load = Some(Arc::new(ticks));
        self
    }

    /// The interpreter check answers `answer` instead of running an interpreter: a
    /// `PythonInfo` of the interpreter named, or the reason none can run.
    pub fn with_python(mut self, answer: Result<PythonInfo, String>) -> Self {
        self.python = Some(answer);
        self
    }

    /// The start-up time every executor reports.
    pub fn with_startup(mut self, startup: Duration) -> Self {
        self.startup = startup;
        self
    }

    fn log(&self) -> MutexGuard<'_, Log> {
        self.log.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every run asked for so far, in order.
    pub fn calls(&self) -> Vec<MockCall> {
        self.log().calls.clone()
    }

    /// The cells whose executors were started, in order.
    pub fn started(&self) -> Vec<(ModelKind, usize)> {
        self.log().started.clone()
    }

    /// The cells whose executors were shut down, in order.
    pub fn stopped(&self) -> Vec<(ModelKind, usize)> {
        self.log().stopped.clone()
    }
}

impl ExecutorFactory for MockExecutors {
    fn start(&self, cell: &CellStart<'_>) -> Result<Box<dyn Executor>, UnitError> {
        if let Some(reason) = self.start_failures.get(&(cell.model, cell.workers)) {
            return Err(UnitError::Failed(reason.clone()));
        }
        self.log().started.push((cell.model, cell.workers));
        Ok(Box::new(MockExecutor {
            model: cell.model,
            workers: cell.workers,
            runs: 0,
            factory: self.clone(),
            stopped: false,
        }))
    }

    fn scripted_load(&self, model: ModelKind, workers: usize, run: usize) -> Option<LoadEvidence> {
        self.load.as_ref().and_then(|l| l(model, workers, run))
    }

    fn python_info(
        &self,
        options: &crate::preset::PythonOptions,
    ) -> Result<PythonInfo, super::EngineError> {
        match &self.python {
            Some(answer) => answer
                .clone()
                .map_err(super::EngineError::PythonUnavailable),
            None => super::model::python::probe(options),
        }
    }
}

/// Evidence of a steady other load `load`, as a long run (100 s, 10 000 ticks per CPU, none
/// of its own CPU time) would show it: `load.other_cores` spread over the fewest whole CPUs
/// that hold `load.usable_cores` and the other load, with a quota where the usable cores are
/// fewer. Panics when `load.busy` is not what the rule makes of it.
pub fn steady_evidence(load: OtherLoad) -> LoadEvidence {
    const TICKS: u64 = 10_000;
    let cpus = load.usable_cores.max(load.other_cores).ceil().max(1.0) as usize;
    let mut busy = (load.other_cores.max(0.0) * TICKS as f64).round() as u64;
    let ticks = (0..cpus)
        .map(|_| {
            let b = busy.min(TICKS);
            busy -= b;
            (b, TICKS)
        })
        .collect();
    let evidence = LoadEvidence {
        cpus: ticks,
        interval_s: 100.0,
        own_cpu_s: 0.0,
        quota_cores: (load.usable_cores < cpus as f64).then_some(load.usable_cores),
        runs: 1,
    };
    let judged = evidence.judge().expect("a scripted load has CPUs and time");
    assert_eq!(
        judged.busy, load.busy,
        "the scripted load {load:?} is judged {judged:?} by the rule"
    );
    evidence
}

/// One run's evidence on a simulated machine whose CPU `c` takes a clock tick every 10 ms
/// (USER_HZ) from `phases_ms[c]` on and is busy at a tick at time `t` ms when `busy(c, t)`:
/// the run lasts `len_ms` from `start_ms` and uses `own_cores` of CPU time of its own. What
/// /proc/stat would show, tick for tick, without the machine.
pub fn ticked_run(
    start_ms: f64,
    len_ms: f64,
    phases_ms: &[f64],
    busy: impl Fn(usize, f64) -> bool,
    own_cores: f64,
) -> LoadEvidence {
    let cpus = phases_ms
        .iter()
        .enumerate()
        .map(|(c, &phase)| {
            let mut tick = phase + ((start_ms - phase) / 10.0).ceil() * 10.0;
            let (mut busy_ticks, mut ticks) = (0, 0);
            while tick < start_ms + len_ms {
                ticks += 1;
                busy_ticks += u64::from(busy(c, tick));
                tick += 10.0;
            }
            (busy_ticks, ticks)
        })
        .collect();
    LoadEvidence {
        cpus,
        interval_s: len_ms / 1000.0,
        own_cpu_s: own_cores * len_ms / 1000.0,
        quota_cores: None,
        runs: 1,
    }
}

/// One cell's scripted executor (see [`MockExecutors`]).
pub struct MockExecutor {
    model: ModelKind,
    workers: usize,
    runs: usize,
    factory: MockExecutors,
    stopped: bool,
}

impl Executor for MockExecutor {
    fn startup(&self) -> Duration {
        self.factory.startup
    }

    fn run(
        &mut self,
        task: &TaskSpec,
        _env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        if guard.cancel_token().is_cancelled() {
            return Err(UnitError::Cancelled);
        }
        if self.stopped {
            return Err(UnitError::Failed("run after shutdown".into()));
        }
        let run = self.runs;
        self.runs += 1;
        self.factory.log().calls.push(MockCall {
            model: self.model,
            workers: self.workers,
            run,
        });
        let out = (self.factory.script)(self.model, self.workers, run, task)
            .map_err(UnitError::Failed)?;
        Ok(RunRecord {
            wall: out.wall,
            cpu: out.cpu,
            metrics: RunMetrics {
                checksum: out.checksum,
                lost_updates: out.lost_updates,
                bytes_moved: out.bytes_moved,
                scheduling: None,
                ipc_bytes: None,
                task_checksums: out.task_checksums,
                commands: None,
            },
            shared_state: None,
            minor_faults: 0,
            task_cpu: None,
            started_ns: 0,
            timeline: None,
        })
    }

    fn shutdown(&mut self) {
        if !self.stopped {
            self.stopped = true;
            self.factory.log().stopped.push((self.model, self.workers));
        }
    }
}
