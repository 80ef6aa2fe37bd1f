use serde::{Deserialize, Serialize};

use super::task::TaskSpec;
use super::view::ResultsView;
use super::workers::WorkerRule;

/// The preset format version this build writes (and the newest it reads).
pub const PRESET_VERSION: u32 = 1;

/// One experiment: what to run, on which execution models, with how many workers, how often.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Experiment {
    /// Preset format version; see [`PRESET_VERSION`].
    pub version: u32,
    /// Short title shown in the gallery and on charts.
    pub name: String,
    /// One paragraph telling the user what lesson the experiment makes visible.
    pub description: String,
    /// The workload.
    pub task: TaskSpec,
    /// Worker counts to sweep (the x axis). A preset may give `"auto"` or a rule instead of a
    /// list (see [`WorkerRule`]); it is resolved on the machine that loads it, and this list is
    /// then the resolved one.
    #[serde(deserialize_with = "super::workers::list_or_rule")]
    pub workers: Vec<usize>,
    /// The rule `workers` was resolved from, when the preset gave one (`"workers": "auto"` or
    /// `{"up_to": "cores", …}`). Informative: a list in `workers` is used as it is. The
    /// results record it only while the list follows it on the measuring machine, and
    /// `to_json` writes such a list back as the rule.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worker_rule: Option<WorkerRule>,
    /// Execution models to compare (one curve each).
    pub models: Vec<ModelKind>,
    /// Timed runs per cell (model × worker count).
    pub repetitions: u32,
    /// Untimed runs before the timed ones in each cell.
    pub warmups: u32,
    /// Short runs are noisy: a cell keeps adding timed runs beyond `repetitions` until they add
    /// up to at least this many seconds (up to `limits::MAX_REPETITIONS` runs). 0 turns it off.
    pub min_time_s: f64,
    /// Adaptive precision: after `repetitions` (and `min_time_s`), a cell keeps adding timed
    /// runs until the 95% confidence interval of its median lies within ± this fraction of the
    /// median (0.02 = ±2%), or `precision_budget_s` of timed runs are spent. 0 turns it off.
    /// With a target every cell takes at least the 6 runs a 95% interval needs.
    pub precision: f64,
    /// Seconds of timed runs (all of a cell's, counted from its first) after which a cell stops
    /// reaching for `precision`; it takes 6 runs even when they last longer.
    pub precision_budget_s: f64,
    /// When above 0, a short calibration before the sweep sizes the task so that one run of
    /// the slowest kind of executor in the experiment takes about this many seconds on this
    /// machine (see `engine::calibrate`; a memory task's arrays are first raised to four times
    /// the last-level cache, see `engine::resources::memory_arrays`); the chosen size and the
    /// trials are recorded in the results.
    pub target_run_s: f64,
    /// What speedup is measured against.
    pub baseline: Baseline,
    /// A single run taking longer than this (seconds) is stopped and its cell marked failed.
    pub timeout_s: f64,
    /// Options of the emulated global interpreter lock.
    pub gil: GilOptions,
    /// Interpreter and start method of the real-Python models.
    pub python: PythonOptions,
    /// How `py-mpi` launches its ranks.
    pub mpi: MpiOptions,
    /// The view of the results that makes the experiment's point (the workbench's tab, the
    /// default `--chart`); absent, the speedup chart. Added within format version 1: a preset
    /// without it reads as before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view: Option<ResultsView>,
}

impl Default for Experiment {
    fn default() -> Self {
        Experiment {
            version: PRESET_VERSION,
            name: "Untitled experiment".into(),
            description: String::new(),
            task: TaskSpec::default(),
            workers: vec![1, 2, 4],
            worker_rule: None,
            models: vec![
                ModelKind::Sequential,
                ModelKind::Threads,
                ModelKind::Processes,
            ],
            repetitions: 5,
            warmups: 1,
            min_time_s: 0.0,
            precision: 0.0,
            precision_budget_s: 5.0,
            target_run_s: 0.0,
            baseline: Baseline::Sequential,
            timeout_s: 60.0,
            gil: GilOptions::default(),
            python: PythonOptions::default(),
            mpi: MpiOptions::default(),
            view: None,
        }
    }
}

/// How the work is executed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ModelKind {
    /// Every task in order on one thread: the baseline.
    Sequential,
    /// N `std::thread`s pulling tasks from a shared queue.
    Threads,
    /// A rayon thread pool of exactly N threads.
    Rayon,
    /// A pool of N child processes of corelab itself (`corelab worker`), fed over pipes.
    Processes,
    /// N OS threads that must hold one global lock to compute, like CPython's GIL.
    GilThreads,
    /// Real CPython: a `concurrent.futures.ThreadPoolExecutor` of N threads.
    PyThreading,
    /// Real CPython: a `multiprocessing.Pool` of N processes.
    PyMultiprocessing,
    /// Real CPython threads on a free-threaded build (no GIL); offered only there.
    PyFreeThreading,
    /// Real CPython tasks through `dask.distributed`: an embedded `LocalCluster` of N
    /// single-threaded worker processes, or N workers of an existing cluster.
    PyDask,
    /// Real CPython tasks on N MPI ranks (mpi4py) started by `mpiexec`, plus a dispatching rank.
    PyMpi,
    /// A single-threaded (current-thread) tokio runtime with at most N tasks in flight.
    Tokio,
    /// Real CPython: one asyncio event loop with a semaphore of N tasks in flight.
    PyAsyncio,
}

impl ModelKind {
    pub const ALL: [ModelKind; 12] = [
        ModelKind::Sequential,
        ModelKind::Threads,
        ModelKind::Rayon,
        ModelKind::Processes,
        ModelKind::GilThreads,
        ModelKind::PyThreading,
        ModelKind::PyMultiprocessing,
        ModelKind::PyFreeThreading,
        ModelKind::PyDask,
        ModelKind::PyMpi,
        ModelKind::Tokio,
        ModelKind::PyAsyncio,
    ];

    /// The models implemented in corelab itself (no Python needed).
    /// (`tokio` is native too but runs cpu, io and mixed tasks only, so it is listed apart.)
    pub const NATIVE: [ModelKind; 5] = [
        ModelKind::Sequential,
        ModelKind::Threads,
        ModelKind::Rayon,
        ModelKind::Processes,
        ModelKind::GilThreads,
    ];

    /// The name used in presets, results and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            ModelKind::Sequential => "sequential",
            ModelKind::Threads => "threads",
            ModelKind::Rayon => "rayon",
            ModelKind::Processes => "processes",
            ModelKind::GilThreads => "gil-threads",
            ModelKind::PyThreading => "py-threading",
            ModelKind::PyMultiprocessing => "py-multiprocessing",
            ModelKind::PyFreeThreading => "py-free-threading",
            ModelKind::PyDask => "py-dask",
            ModelKind::PyMpi => "py-mpi",
            ModelKind::Tokio => "tokio",
            ModelKind::PyAsyncio => "py-asyncio",
        }
    }

    /// Whether the model runs a real Python interpreter.
    pub fn is_python(self) -> bool {
        matches!(
            self,
            ModelKind::PyThreading
                | ModelKind::PyMultiprocessing
                | ModelKind::PyFreeThreading
                | ModelKind::PyDask
                | ModelKind::PyMpi
                | ModelKind::PyAsyncio
        )
    }

    /// Whether the model runs a Python `contention` task: CPython threads or processes
    /// sharing one counter (`assets/python/corelab_worker.py`, `contention_unit`).
    pub fn runs_python_contention(self) -> bool {
        matches!(
            self,
            ModelKind::PyThreading | ModelKind::PyMultiprocessing | ModelKind::PyFreeThreading
        )
    }

    /// A sentence explaining what the model is, for tooltips and reports.
    pub fn explanation(self) -> &'static str {
        match self {
            ModelKind::Sequential => {
                "All tasks one after another on a single thread. The baseline every speedup is measured against."
            }
            ModelKind::Threads => {
                "N operating-system threads share memory and pull tasks from one queue. Scales CPU-bound work up to the core count."
            }
            ModelKind::Rayon => {
                "A work-stealing rayon pool with exactly N threads, built before timing starts."
            }
            ModelKind::Processes => {
                "N child processes (corelab worker) receive tasks over pipes, like Python's multiprocessing. No shared memory; pool start-up is timed separately."
            }
            ModelKind::GilThreads => {
                "N threads that must hold one global lock to compute, following CPython 3.12: a waiting thread asks for the lock after one switch interval, the holder hands it over at its next checkpoint and waits until another thread has it; waits and I/O release it."
            }
            ModelKind::PyThreading => {
                "Real CPython: a ThreadPoolExecutor with N threads. The GIL lets one thread run Python code at a time; waits release it."
            }
            ModelKind::PyMultiprocessing => {
                "Real CPython: a multiprocessing.Pool of N processes, each with its own interpreter and GIL. Pool start-up is timed separately."
            }
            ModelKind::PyFreeThreading => {
                "Real CPython threads on a free-threaded build (3.13t and later) where the GIL is disabled. Offered only when the interpreter reports sys._is_gil_enabled() == False."
            }
            ModelKind::PyDask => {
                "Real CPython tasks through Dask's distributed scheduler: an embedded LocalCluster of N single-threaded worker processes (or N workers of the cluster at python.dask_scheduler). Cluster start-up is timed separately; every task pays the scheduler's round trip."
            }
            ModelKind::PyMpi => {
                "Real CPython tasks on N MPI ranks (mpi4py) launched by mpiexec, plus one dispatching rank that hands out one task at a time over comm.send/recv. Rank start-up is timed separately; mpi.hostfile spreads the ranks over machines."
            }
            ModelKind::Tokio => {
                "One tokio runtime on one OS thread (current_thread) with at most N tasks in flight: concurrency without parallelism. Waits overlap; CPU work runs inline and blocks the loop."
            }
            ModelKind::PyAsyncio => {
                "Real CPython: one asyncio event loop, an asyncio.Semaphore admitting N tasks at a time. Sleeps are awaited (asyncio.sleep); CPU work and plain functions run inline and block the loop; an async def function is awaited."
            }
        }
    }

    /// What the model starts before its first timed run, timed apart from the runs
    /// (`startup_s`) and worth stating next to them: a pool of processes, an interpreter, a
    /// cluster. `None` where starting is a matter of microseconds (threads, rayon, tokio).
    pub fn startup_name(self) -> Option<&'static str> {
        match self {
            ModelKind::Processes | ModelKind::PyMultiprocessing => Some("pool start-up"),
            ModelKind::PyThreading | ModelKind::PyFreeThreading | ModelKind::PyAsyncio => {
                Some("interpreter start-up")
            }
            ModelKind::PyDask => Some("cluster start-up"),
            ModelKind::PyMpi => Some("rank start-up"),
            ModelKind::Sequential
            | ModelKind::Threads
            | ModelKind::Rayon
            | ModelKind::GilThreads
            | ModelKind::Tokio => None,
        }
    }

    /// Whether the model ignores the worker count and always uses one worker.
    pub fn is_single_worker(self) -> bool {
        self == ModelKind::Sequential
    }
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// The reference time that speedup divides.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Baseline {
    /// The median of the `sequential` model (always run, even if not listed in `models`).
    #[default]
    Sequential,
    /// Each model's own median at one worker (relative speedup).
    SameModelOneWorker,
}

impl Baseline {
    pub fn describe(self) -> &'static str {
        match self {
            Baseline::Sequential => "median wall time of the sequential model",
            Baseline::SameModelOneWorker => "median wall time of the same model with 1 worker",
        }
    }
}

/// Emulated-GIL settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GilOptions {
    /// How long a thread may hold the lock while others wait, like `sys.setswitchinterval` (ms).
    pub switch_interval_ms: f64,
}

impl Default for GilOptions {
    fn default() -> Self {
        GilOptions {
            switch_interval_ms: 5.0,
        }
    }
}

/// Settings of the real-CPython models.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PythonOptions {
    /// The interpreter: a name looked up on PATH (`python3`) or a path.
    pub interpreter: String,
    /// How `py-multiprocessing` starts its processes.
    pub start_method: StartMethod,
    /// `py-dask`: the address of an existing Dask scheduler (`tcp://host:8786`) whose workers
    /// run the tasks; empty starts an embedded `LocalCluster` per cell.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub dask_scheduler: String,
}

impl Default for PythonOptions {
    fn default() -> Self {
        PythonOptions {
            interpreter: "python3".into(),
            start_method: StartMethod::Spawn,
            dask_scheduler: String::new(),
        }
    }
}

/// How `py-mpi` starts its ranks: `launcher [extra_args] [--hostfile hostfile] -n N+1
/// interpreter corelab_cluster.py mpi`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MpiOptions {
    /// The MPI launcher: `mpiexec` (Open MPI or MPICH) on PATH, or a path.
    pub launcher: String,
    /// A hostfile naming the machines the ranks run on; empty runs them all here.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hostfile: String,
    /// More arguments for the launcher, placed before `-n` (e.g. `["--map-by", "node"]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extra_args: Vec<String>,
}

impl Default for MpiOptions {
    fn default() -> Self {
        MpiOptions {
            launcher: "mpiexec".into(),
            hostfile: String::new(),
            extra_args: Vec::new(),
        }
    }
}

impl MpiOptions {
    /// The launcher and its arguments before `-n N+1`, as `py-mpi` starts them:
    /// `launcher [extra_args] [--hostfile hostfile]`, an empty launcher being `mpiexec`.
    pub fn launcher_argv(&self) -> Vec<String> {
        let launcher = match self.launcher.trim() {
            "" => "mpiexec",
            l => l,
        };
        let mut argv = vec![launcher.to_string()];
        argv.extend(self.extra_args.iter().cloned());
        let hostfile = self.hostfile.trim();
        if !hostfile.is_empty() {
            argv.push("--hostfile".into());
            argv.push(hostfile.to_string());
        }
        argv
    }

    /// `hostfile` made absolute against `base_dir` (the preset file's directory) when
    /// relative, as a function's module is: the launcher runs in the cell's scratch directory,
    /// where a relative path would name nothing, and a shared preset's hostfile is the one
    /// beside it.
    pub fn anchor(&mut self, base_dir: &std::path::Path) {
        super::anchor::anchor_relative(&mut self.hostfile, base_dir);
    }
}

/// `multiprocessing` start methods.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StartMethod {
    /// A fresh interpreter per process (the default on macOS and Windows, and the safest).
    #[default]
    Spawn,
    /// A copy of the parent (fast; the Linux default before Python 3.14).
    Fork,
    /// Processes forked from a clean server process (the Linux default from 3.14).
    Forkserver,
}

impl StartMethod {
    pub const ALL: [StartMethod; 3] = [
        StartMethod::Spawn,
        StartMethod::Fork,
        StartMethod::Forkserver,
    ];
    pub fn id(self) -> &'static str {
        match self {
            StartMethod::Spawn => "spawn",
            StartMethod::Fork => "fork",
            StartMethod::Forkserver => "forkserver",
        }
    }
}
