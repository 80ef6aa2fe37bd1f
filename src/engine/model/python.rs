//! The real-CPython models: `assets/python/corelab_worker.py` run by a chosen interpreter,
//! with `threading` or `multiprocessing` inside it.
//!
//! A run's wall time is the interpreter's own timed region. Its CPU time is measured from
//! outside, around the whole `run` request (the interpreter and every process below it; not
//! corelab's own threads that send the request and read the reply), less the CPU time the
//! interpreter reports it spent on the request outside its timed region (`untimed_cpu_s`:
//! parsing the request, building the items, the timeline and the reply), so that what an
//! interpreter does around a short run does not count as the run's. Its minor page faults are
//! measured and corrected the same way (`untimed_minor_faults`).

use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::child::{ChildEvent, ChildProcess, next_event, output_closes};
use super::mpi_notice::{ExitedRank, KilledRank, running_task};
use super::python_timeline::PyTimeline;
use super::{Executor, RunRecord};
use crate::engine::cpu_time::{Snapshot, spent_between};
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::python_source::module_file_name;
use crate::engine::startup_timeout::StartupTimeout;
use crate::engine::workload::{RunEnv, RunMetrics};
use crate::preset::{Experiment, ModelKind, MpiOptions, PythonOptions, TaskKind, TaskSpec};
use crate::results::ClusterInfo;
pub use crate::results::PythonInfo;
use crate::results::Scheduling;

/// The worker script, embedded so that the binary works wherever it is installed.
pub const WORKER_SCRIPT: &str = include_str!("../../../assets/python/corelab_worker.py");
/// The cluster models' driver (`py-dask`, `py-mpi`); it imports the worker's kernels.
pub const CLUSTER_SCRIPT: &str = include_str!("../../../assets/python/corelab_cluster.py");
/// Oldest CPython the worker supports: it calls threading.get_native_id, new in 3.8.
pub const MIN_VERSION: (u32, u32) = (3, 8);
/// Interpreter start-up plus pool creation may take this long.
pub(crate) const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How long after a request could not be written the interpreter's output may take to close,
/// for its exit to be told (see `PythonExecutor::request`).
const GONE_GRACE: Duration = Duration::from_secs(2);

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
enum FromPython {
    /// The interpreter's own pool start-up figure (`startup_s`) is ignored: corelab measures
    /// start-up itself, interpreter launch included.
    Started {
        /// `py-dask`, `py-mpi`: the scheduler and the workers used.
        #[serde(default)]
        cluster: Option<ClusterInfo>,
    },
    Done {
        wall_s: f64,
        cpu_s: f64,
        checksum: u64,
        /// Threads only: per-thread CPU time and context switches (boxed: the largest part,
        /// absent from most replies).
        #[serde(default)]
        scheduling: Option<Box<Scheduling>>,
        /// Function tasks: each task's checksum, in task order.
        #[serde(default)]
        task_checksums: Option<Vec<u64>>,
        /// Who ran each unit when (thread and process pools, asyncio).
        #[serde(default)]
        timeline: Option<PyTimeline>,
        /// CPU seconds the interpreter (every thread of it, `time.process_time`) spent on the
        /// request outside its timed region; absent from an older worker.
        #[serde(default)]
        untimed_cpu_s: Option<f64>,
        /// The interpreter's minor page faults (`getrusage`'s `ru_minflt`) on the request
        /// outside its timed region; absent from an older worker.
        #[serde(default)]
        untimed_minor_faults: Option<u64>,
        /// Contention: what the counter (the checksum) is short of workers × increments.
        #[serde(default)]
        lost_updates: Option<u64>,
        /// Contention: what the counter is and how it is updated, in words.
        #[serde(default)]
        shared_state: Option<String>,
    },
    /// A function task's module, imported by the interpreter and every pool process before
    /// the first run (the `import` request).
    /// The interpreter's own figure (`import_s`: its import plus its slowest pool process's)
    /// is ignored: corelab times the request itself.
    Imported {},
    /// A function task's run still going shortly before corelab's timeout (the run request's
    /// `report_after_s`): the user's calls running then (`task 3: f(3)`).
    Running { calls: Vec<String> },
    Failed {
        message: String,
        /// The user's own code failed (its module's import, a missing function, the function
        /// raising), not corelab's machinery: other cells would fail the same way.
        #[serde(default)]
        user: bool,
        /// The module imported in the interpreter but not in this process of its pool (`the
        /// Dask worker tcp://…`, `MPI rank 2`, `the pool process 4242`): this model's fault.
        #[serde(default)]
        pool: Option<String>,
    },
}

fn decode(line: &str) -> Result<FromPython, String> {
    serde_json::from_str(line).map_err(|e| {
        let shown: String = line.chars().take(120).collect();
        format!("malformed message {shown:?}: {e}")
    })
}

/// The version probe lives with the interpreter's resolution (one program, named once).
pub use crate::engine::interpreter::probe;

/// One interpreter process per cell, holding a thread or process pool across the runs.
pub struct PythonExecutor {
    child: ChildProcess,
    events: Receiver<ChildEvent<FromPython>>,
    startup: Duration,
    /// The part of `startup` that imported the user's module (function tasks).
    module_import: Option<Duration>,
    /// The user's calls the worker said were running shortly before the last request's
    /// deadline (function tasks), for a timeout to name.
    in_flight: Option<Vec<String>>,
    broken: Option<String>,
    cluster: Option<ClusterInfo>,
    model: ModelKind,
    workers: usize,
    /// The cell's scratch directory, where the scripts run (and `py-mpi`'s rank 0 keeps which
    /// unit each rank computes: see [`running_task`]).
    scratch: std::path::PathBuf,
    /// `py-mpi`: the launcher and its arguments before the interpreter (`mpiexec --bind-to
    /// none -n 3`), which a launcher that ends during start-up is named by: an argument it
    /// refuses is the likely cause.
    launch: Option<String>,
}

/// Open MPI settings `py-mpi` sets when the environment does not: more ranks than cores on one
/// machine (the dispatching rank is one more), a rank blocked in an MPI call yields between its
/// polls (it still polls: `corelab_cluster.py` never blocks in a receive, it probes between
/// naps, see its `patient_recv`), and no cross-memory attach (refused in containers). MPICH
/// ignores them.
const OMPI_DEFAULTS: [(&str, &str); 3] = [
    ("OMPI_MCA_rmaps_base_oversubscribe", "1"),
    ("OMPI_MCA_mpi_yield_when_idle", "1"),
    ("OMPI_MCA_btl_vader_single_copy_mechanism", "none"),
];

/// The command that starts the cell's interpreter: the interpreter itself, or for `py-mpi`
/// the launcher starting `workers + 1` ranks of it (rank 0 dispatches).
fn interpreter_command(
    exp: &Experiment,
    model: ModelKind,
    workers: usize,
    script: &Path,
) -> Command {
    let interpreter = exp.python.interpreter.trim();
    let mut command = if model == ModelKind::PyMpi {
        let scratch = script.parent().unwrap_or(Path::new("."));
        mpi_command(&exp.mpi, interpreter, workers, scratch)
    } else {
        Command::new(interpreter)
    };
    // -I: isolated, so neither the working nor the script's directory (nor PYTHON* variables,
    // nor the user's site-packages) can shadow the standard library.
    command
        .arg("-I")
        .arg("-X")
        .arg(pycache_prefix_option(script));
    command.arg("-u").arg(script);
    // Under `ulimit -v`, one malloc arena per interpreter, as corelab has (see
    // `sys::cap_malloc_arenas_under_address_limit`): each thread then costs its stack alone.
    if crate::sys::address_space_limit().is_some()
        && std::env::var_os(crate::sys::MALLOC_ARENA_MAX).is_none()
    {
        command.env(
            crate::sys::MALLOC_ARENA_MAX,
            crate::sys::ARENAS_UNDER_ADDRESS_LIMIT.to_string(),
        );
    }
    match model {
        ModelKind::PyDask => {
            command.arg("dask");
        }
        ModelKind::PyMpi => {
            command.arg("mpi");
        }
        _ => {}
    }
    command
}

/// `pycache_prefix=<the cell's scratch directory>/pycache`, for `-X`: the interpreter (every MPI
/// rank too, each started with it) then reads and writes compiled bytecode only under the
/// cell's private scratch directory, never a `__pycache__` beside the user's module, where a
/// planted `.pyc` with the source's size and time would run code that is not in the source
/// corelab showed. Unlike `PYTHONPYCACHEPREFIX` it holds under `-I`. The worker script sets
/// the same prefix in the processes it starts (multiprocessing does not pass it on).
///
/// `py-mpi` with a hostfile: every rank gets this same argument, a path of corelab's machine.
/// A rank runs the script by its absolute path in the same directory, so it starts only on a
/// host where that directory's path exists. Where the temporary directory is shared (as
/// docs/CLUSTER.md asks, for the script), that is the cell's private 0700 scratch directory
/// itself, and its bytecode is removed with it. Where a host has a directory of that name some
/// other way, the rank writes its bytecode there (Python creates the missing `pycache`
/// folders, with its umask's mode, and silently skips writing where it cannot), corelab
/// neither made nor removes it, and the rule above holds only as far as that directory's
/// owner and permissions keep others from writing `.pyc` files in it. SECURITY.md says so.
fn pycache_prefix_option(script: &Path) -> std::ffi::OsString {
    let scratch = script.parent().unwrap_or(Path::new("."));
    let mut option = std::ffi::OsString::from("pycache_prefix=");
    option.push(scratch.join("pycache"));
    option
}

/// Where Open MPI keeps its session directory (`ompi.HOST.UID/pid.N`: a few megabytes, under a
/// predictable name), Open MPI 4 (ORTE) and 5 (PRRTE): by default the temporary directory,
/// from which the launcher removes it only when it ends cleanly, so a killed rank or a stopped
/// cell left one behind each time.
const OMPI_SESSION_DIR_BASES: [&str; 2] =
    ["OMPI_MCA_orte_tmpdir_base", "PRTE_MCA_prte_tmpdir_base"];

/// `launcher [extra_args] [--hostfile H] -n N+1` ([`MpiOptions::launcher_argv`] and the
/// count): what starts a `py-mpi` cell's `workers` ranks and its dispatcher, less the
/// interpreter and its arguments; a launcher that ends during start-up is named by it.
fn mpi_launch_words(mpi: &MpiOptions, workers: usize) -> Vec<String> {
    let mut words = mpi.launcher_argv();
    words.push("-n".into());
    words.push((workers + 1).to_string());
    words
}

/// `launcher [extra_args] [--hostfile H] -n N+1 interpreter`, with Open MPI's root permission
/// set only when corelab itself runs as root. Open MPI's session directory on this machine
/// goes in the cell's private `scratch` directory, removed with it when the cell ends, however
/// the launcher ended; unless the environment names a base for it. On one machine (no
/// hostfile), by setting that base. With a hostfile, by the launcher's `TMPDIR` instead: Open
/// MPI hands its `OMPI_*` variables, that base included, to every rank on every host, where
/// the scratch path may not exist (Open MPI 4.1's base for the launcher alone,
/// `orte_local_tmpdir_base`, makes every rank exit), while `TMPDIR` reaches only the launcher
/// and the ranks it starts here (ssh does not carry it to other hosts). Those ranks' own
/// temporary files (Python's `tempfile`) go in the scratch directory too.
fn mpi_command(mpi: &MpiOptions, interpreter: &str, workers: usize, scratch: &Path) -> Command {
    let words = mpi_launch_words(mpi, workers);
    let mut command = Command::new(&words[0]);
    command.args(&words[1..]).arg(interpreter);
    for (key, value) in OMPI_DEFAULTS {
        if std::env::var_os(key).is_none() {
            command.env(key, value);
        }
    }
    let base_named = OMPI_SESSION_DIR_BASES
        .iter()
        .any(|key| std::env::var_os(key).is_some());
    if mpi.hostfile.trim().is_empty() {
        for key in OMPI_SESSION_DIR_BASES {
            if std::env::var_os(key).is_none() {
                command.env(key, scratch);
            }
        }
    } else if !base_named {
        command.env("TMPDIR", scratch);
    }
    if crate::sys::is_root() {
        // Open MPI refuses to run as root without both; set only when corelab is root.
        command
            .env("OMPI_ALLOW_RUN_AS_ROOT", "1")
            .env("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1");
    }
    command
}

impl PythonExecutor {
    /// Writes the worker script into `script_dir`, starts the interpreter and its pool. The
    /// start-up time is all of it, measured here: interpreter launch, imports, pool creation
    /// and one no-op task per worker.
    pub fn start(
        options: &PythonOptions,
        model: ModelKind,
        workers: usize,
        script_dir: &Path,
        guard: &RunGuard,
    ) -> Result<Self, UnitError> {
        let exp = Experiment {
            python: options.clone(),
            ..Experiment::default()
        };
        Self::start_for(&exp, model, workers, script_dir, guard)
    }

    /// [`start`](Self::start) with the experiment's other settings (`mpi` for `py-mpi`).
    pub fn start_for(
        exp: &Experiment,
        model: ModelKind,
        workers: usize,
        script_dir: &Path,
        guard: &RunGuard,
    ) -> Result<Self, UnitError> {
        Self::start_within(exp, model, workers, script_dir, guard, START_TIMEOUT)
    }

    /// [`start_for`](Self::start_for), the interpreter and its pool given `limit` to say
    /// they started (tests give a short one); past it, the error names the limit.
    pub(crate) fn start_within(
        exp: &Experiment,
        model: ModelKind,
        workers: usize,
        script_dir: &Path,
        guard: &RunGuard,
        limit: Duration,
    ) -> Result<Self, UnitError> {
        let options: &PythonOptions = &exp.python;
        let started = Instant::now();
        if model == ModelKind::PyMpi {
            // Checked before the sweep too; here for a caller that did not, and for a file gone
            // since: Open MPI's own report of it would not quote the path.
            crate::engine::mpi_hostfile::checked_hostfile(&exp.mpi.hostfile)
                .map_err(|e| UnitError::Failed(e.to_string()))?;
        }
        let script = script_dir.join("corelab_worker.py");
        crate::engine::scratch::write_new_file(&script, WORKER_SCRIPT.as_bytes())
            .map_err(|e| UnitError::Failed(format!("cannot write the Python worker: {e}")))?;
        let cluster_model = matches!(model, ModelKind::PyDask | ModelKind::PyMpi);
        let script = if cluster_model {
            let driver = script_dir.join("corelab_cluster.py");
            crate::engine::scratch::write_new_file(&driver, CLUSTER_SCRIPT.as_bytes())
                .map_err(|e| UnitError::Failed(format!("cannot write the cluster driver: {e}")))?;
            driver
        } else {
            script
        };
        let mut command = interpreter_command(exp, model, workers, &script);
        command.current_dir(script_dir);
        guard.mark_command(&mut command);
        let program = command.get_program().to_string_lossy().into_owned();
        let (tx, rx) = channel();
        let child = ChildProcess::spawn(command, 0, decode, tx).map_err(|e| {
            UnitError::Failed(match model {
                ModelKind::PyMpi => format!(
                    "cannot start the MPI launcher `{program}`: {e} (install one with `{}` or set mpi.launcher)",
                    crate::results::MPI_INSTALL
                ),
                _ => format!(
                    "cannot start `{}`: {e}{}",
                    options.interpreter,
                    crate::engine::resources::spawn_hint(&e)
                ),
            })
        })?;
        let mut exec = PythonExecutor {
            child,
            events: rx,
            startup: Duration::ZERO,
            module_import: None,
            in_flight: None,
            broken: None,
            cluster: None,
            model,
            workers,
            scratch: script_dir.to_path_buf(),
            launch: (model == ModelKind::PyMpi)
                .then(|| mpi_launch_words(&exp.mpi, workers).join(" ")),
        };
        let py_model = match model {
            ModelKind::PyMultiprocessing => "multiprocessing",
            ModelKind::PyFreeThreading => "free-threading",
            ModelKind::PyDask => "dask",
            ModelKind::PyMpi => "mpi",
            ModelKind::PyAsyncio => "asyncio",
            _ => "threading",
        };
        let start = serde_json::json!({
            "op": "start",
            "model": py_model,
            "workers": workers,
            "start_method": options.start_method.id(),
            "scheduler": options.dask_scheduler.trim(),
        });
        let deadline = Instant::now() + limit;
        let reply = exec
            .request(&start, guard, deadline, "starting its pool")
            .map_err(|e| match e {
                UnitError::TimedOut => StartupTimeout::new(model, workers, limit).into(),
                e => e,
            })?;
        match reply {
            FromPython::Started { cluster } => {
                exec.cluster = cluster;
                if exp.task.kind == TaskKind::Function {
                    exec.module_import = Some(exec.import_module(exp, guard)?);
                }
                exec.startup = started.elapsed();
                Ok(exec)
            }
            other => Err(UnitError::Failed(format!(
                "Python sent {other:?} while starting"
            ))),
        }
    }

    /// Imports a function task's module in the interpreter and every pool process (the
    /// `import` request), after the pool has started and before any run, so that no timed run
    /// includes an import (a pool process that got no unit in the warm-ups would otherwise
    /// import in a timed run). Returns how long it took, measured here; it is part of the
    /// cell's start-up and reported apart.
    fn import_module(&mut self, exp: &Experiment, guard: &RunGuard) -> Result<Duration, UnitError> {
        let function = &exp.task.function;
        let msg = serde_json::json!({ "op": "import", "function": function });
        let doing = format!(
            "importing {}",
            module_file_name(Path::new(function.file.trim()))
        );
        let started = Instant::now();
        let deadline = started + START_TIMEOUT;
        match self.request(&msg, guard, deadline, &doing) {
            Ok(FromPython::Imported { .. }) => Ok(started.elapsed()),
            Ok(other) => Err(self.refuse(format!("Python sent {other:?} while {doing}"))),
            Err(UnitError::TimedOut) => Err(UnitError::UserCode(format!(
                "{doing} took longer than {} s (a module that waits or loops at its top level?); \
                 nothing was measured",
                START_TIMEOUT.as_secs()
            ))),
            Err(e) => Err(e),
        }
    }

    /// Cumulative cost of the interpreter and every process below it (a multiprocessing
    /// pool), measured from outside. Not corelab's threads that write the request and read the
    /// reply: they work before the interpreter's timed region starts and after it ends.
    fn cost_snapshot(&self) -> Snapshot {
        self.child.process_tree_cost()
    }

    /// `py-multiprocessing`: the bytes every pool process has read and written so far (see
    /// [`crate::engine::proc_stats::io_chars`]): the interpreter's own are its protocol with
    /// corelab, so only the processes below it count.
    fn pool_io_chars(&self) -> Option<std::collections::HashMap<u32, u64>> {
        if self.model != ModelKind::PyMultiprocessing {
            return None;
        }
        let interpreter = self.child.pid();
        let pool: Vec<u32> = crate::engine::cpu_time::tree_pids(interpreter)
            .into_iter()
            .filter(|&p| p != interpreter)
            .collect();
        Some(crate::engine::proc_stats::io_chars(&pool))
    }

    /// Sends one request and waits for its answer; any failure kills the interpreter.
    fn request(
        &mut self,
        msg: &serde_json::Value,
        guard: &RunGuard,
        deadline: Instant,
        doing: &str,
    ) -> Result<FromPython, UnitError> {
        if let Some(reason) = &self.broken {
            return Err(UnitError::Failed(format!(
                "the Python worker is unusable: {reason}"
            )));
        }
        self.in_flight = None;
        let event = match self.child.send_line(&format!("{msg}\n")) {
            Ok(()) => Ok(loop {
                match next_event(&self.events, guard, deadline) {
                    // Which calls were running shortly before the deadline; the answer follows.
                    Ok(ChildEvent::Message(_, FromPython::Running { calls })) => {
                        self.in_flight = Some(calls);
                    }
                    other => break other,
                }
            }),
            // The interpreter (or the MPI launcher) ended before it read the request: a
            // launcher that refused its arguments, an interpreter that would not start. Its
            // exit status and last output say why, once its output has closed; the broken
            // pipe alone ("cannot write to child 4242") said nothing of it.
            Err(write_error) => match output_closes(&self.events, guard, GONE_GRACE) {
                Ok(true) => Ok(Ok(ChildEvent::Closed(0))),
                Ok(false) => Err(UnitError::Failed(write_error)),
                Err(e) => Err(e.into_unit_error("Python worker")),
            },
        };
        let outcome = event.and_then(|event| match event {
            Ok(ChildEvent::Message(
                _,
                FromPython::Failed {
                    message,
                    user,
                    pool,
                },
            )) => {
                // A traceback on lines of its own.
                let sep = match message.starts_with(char::is_whitespace)
                    || message.starts_with("Traceback")
                {
                    true => ":\n",
                    false => ": ",
                };
                let reason = format!(
                    "Python failed while {doing}{sep}{}",
                    message.trim_start_matches('\n')
                );
                Err(match (user, pool) {
                    (true, Some(place)) => UnitError::PoolCode { place, reason },
                    (true, None) => UnitError::UserCode(reason),
                    (false, _) => UnitError::Failed(reason),
                })
            }
            Ok(ChildEvent::Message(_, reply)) => Ok(reply),
            Ok(ChildEvent::Malformed(_, what)) => Err(UnitError::Failed(format!(
                "Python wrote {what} while {doing}"
            ))),
            Ok(ChildEvent::Closed(_)) => Err(UnitError::Failed(self.describe_exit(doing))),
            Err(e) => Err(e.into_unit_error("Python worker")),
        });
        if let Err(e) = &outcome {
            self.child.kill();
            self.broken = Some(e.to_string());
        }
        outcome
    }
}

/// The CPU time of a run's timed region: `around_request`, measured from outside around the
/// whole request, less the CPU time the interpreter reports it spent on the request outside
/// its timed region (never below zero; nothing is taken off when an older worker does not
/// report it). A report that is negative or not finite is refused.
fn timed_region_cpu(
    around_request: Duration,
    untimed_cpu_s: Option<f64>,
) -> Result<Duration, String> {
    let Some(seconds) = untimed_cpu_s else {
        return Ok(around_request);
    };
    let untimed = Duration::try_from_secs_f64(seconds)
        .map_err(|_| format!("untimed_cpu_s {seconds}: not a CPU time"))?;
    Ok(around_request.saturating_sub(untimed))
}

/// Longest `shared_state` kept from the worker (it is shown in the Lost updates table).
const MAX_SHARED_STATE_CHARS: usize = 120;

/// A contention run's `lost_updates` and `shared_state` as the worker reported them, checked
/// against the counter's arithmetic: the final value (`checksum`) and the lost increments add
/// up to `workers` × the task's increments. Other tasks carry neither.
fn counted_updates(
    task: &TaskSpec,
    workers: usize,
    checksum: u64,
    lost_updates: Option<u64>,
    shared_state: Option<String>,
) -> Result<(Option<u64>, Option<String>), String> {
    if task.kind != TaskKind::Contention {
        return Ok((None, None));
    }
    let lost = lost_updates.ok_or("contention result without lost_updates")?;
    let expected = task.contention.increments.saturating_mul(workers as u64);
    if checksum.checked_add(lost) != Some(expected) {
        return Err(format!(
            "contention count: final value {checksum} + lost {lost} is not {workers} workers × {} increments",
            task.contention.increments
        ));
    }
    let state = shared_state.map(|s| s.chars().take(MAX_SHARED_STATE_CHARS).collect());
    Ok((Some(lost), state))
}

impl PythonExecutor {
    /// Why the interpreter's output closed while `doing`: its exit status and last output;
    /// for `py-mpi` first the rank the launcher reports killed by a signal, if it does (a rank
    /// killed by a signal cannot say so itself, and the launcher then ends every rank), and
    /// the task it was computing, as rank 0 recorded it.
    fn describe_exit(&mut self, doing: &str) -> String {
        if self.model != ModelKind::PyMpi {
            return self.child.describe_exit("the Python worker", doing);
        }
        // During start-up (its time not yet set), with the arguments it was given: a launcher
        // that ends then has most likely refused one of them.
        let launcher = match (&self.launch, self.startup.is_zero()) {
            (Some(launch), true) => format!("the MPI launcher `{launch}`"),
            _ => "the MPI launcher".to_string(),
        };
        let exit = self.child.describe_exit(&launcher, doing);
        let output = self.child.stderr_text();
        // The rank that ended the job and how, where the launcher says.
        let ended = match KilledRank::from_launcher_output(&output) {
            Some(killed) => Some((killed.rank, killed.describe())),
            None => ExitedRank::from_launcher_output(&output).map(|e| (Some(e.rank), e.describe())),
        };
        match ended {
            Some((rank, how)) => {
                // The task it was computing, as rank 0 recorded it before the job ended.
                let task = rank
                    .and_then(|rank| running_task(&self.scratch, rank))
                    .map(|task| format!(", in {task}"))
                    .unwrap_or_default();
                format!(
                    "{how} while {doing}{task}, and the launcher then ended the other ranks; {exit}"
                )
            }
            None => exit,
        }
    }

    /// Marks the worker unusable after it sent something invalid, and kills it.
    fn refuse(&mut self, reason: String) -> UnitError {
        self.child.kill();
        self.broken = Some(reason.clone());
        UnitError::Failed(reason)
    }
}

impl Executor for PythonExecutor {
    fn startup(&self) -> Duration {
        self.startup
    }

    fn module_import(&self) -> Option<Duration> {
        self.module_import
    }

    fn running_at_timeout(&self) -> Option<String> {
        self.in_flight
            .as_ref()
            .filter(|calls| !calls.is_empty())
            .map(|calls| calls.join(", "))
    }

    fn cluster(&self) -> Option<ClusterInfo> {
        self.cluster.clone()
    }

    fn worker_pids(&self) -> Option<Vec<u32>> {
        Some(vec![self.child.pid()])
    }

    /// The threads here that read the interpreter's pipes.
    fn threads_here(&self) -> Option<Vec<u32>> {
        Some(self.child.reader_tids())
    }

    fn run(
        &mut self,
        task: &TaskSpec,
        _env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        // A function task's worker says which calls are running half a second before the
        // timeout (or halfway, for a short one), so that a hang is named.
        let left = guard.deadline().saturating_duration_since(Instant::now());
        let report_after = left.saturating_sub(Duration::from_millis(500).min(left / 2));
        let msg = match task.kind {
            TaskKind::Function => serde_json::json!({
                "op": "run", "task": task, "report_after_s": report_after.as_secs_f64(),
            }),
            _ => serde_json::json!({ "op": "run", "task": task }),
        };
        // The wall time is the interpreter's own (its timed region); the CPU time is its
        // process tree's, measured from outside around the request, less what the interpreter
        // reports it spent outside its timed region (below).
        let io_before = self.pool_io_chars();
        let before = self.cost_snapshot();
        let doing = match task.kind {
            TaskKind::Function => format!(
                "running {} from {}",
                task.function.name.trim(),
                module_file_name(Path::new(task.function.file.trim()))
            ),
            _ => "computing".to_string(),
        };
        let reply = self.request(&msg, guard, guard.deadline(), &doing)?;
        let spent = spent_between(&before, &self.cost_snapshot());
        let ipc_bytes = io_before
            .zip(self.pool_io_chars())
            .map(|(before, after)| crate::engine::proc_stats::io_chars_since(&before, &after));
        match reply {
            FromPython::Done {
                wall_s,
                cpu_s,
                checksum,
                scheduling,
                task_checksums,
                timeline,
                untimed_cpu_s,
                untimed_minor_faults,
                lost_updates,
                shared_state,
            } => {
                let (lost_updates, shared_state) =
                    counted_updates(task, self.workers, checksum, lost_updates, shared_state)
                        .map_err(|e| self.refuse(format!("Python sent a bad {e}")))?;
                let cpu = timed_region_cpu(spent.cpu, untimed_cpu_s)
                    .map_err(|e| self.refuse(format!("Python sent a bad {e}")))?;
                // perf_counter counts nanoseconds: a timed region of 0 s or less (or not a
                // number) is a broken reply, which a results file would refuse on opening.
                if !(wall_s > 0.0 && wall_s <= 1e9) {
                    return Err(self.refuse(format!(
                        "Python sent a bad wall_s {wall_s}: a timed run takes more than 0 s"
                    )));
                }
                let wall = Duration::from_secs_f64(wall_s);
                let wall_ns = u64::try_from(wall.as_nanos()).unwrap_or(u64::MAX);
                let timeline = match timeline {
                    None => None,
                    Some(t) => t
                        .into_timeline(self.model, self.workers, wall_ns)
                        .map_err(|e| self.refuse(format!("Python sent a bad {e}")))?
                        .bounded(),
                };
                Ok(RunRecord {
                    wall,
                    cpu,
                    minor_faults: spent
                        .minor_faults
                        .saturating_sub(untimed_minor_faults.unwrap_or(0)),
                    task_cpu: Some(Duration::from_secs_f64(cpu_s.clamp(0.0, 1e9))),
                    metrics: RunMetrics {
                        checksum,
                        scheduling: scheduling.map(|s| *s),
                        task_checksums,
                        ipc_bytes,
                        lost_updates,
                        ..RunMetrics::default()
                    },
                    shared_state,
                    started_ns: 0,
                    timeline,
                })
            }
            other => Err(UnitError::Failed(format!(
                "Python sent {other:?} instead of a result"
            ))),
        }
    }

    fn shutdown(&mut self) {
        self.child.close();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The value `command` sets `key` to, if it sets it.
    fn env_of<'a>(command: &'a Command, key: &str) -> Option<&'a std::ffi::OsStr> {
        command
            .get_envs()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| v)
    }

    /// `py-mpi` placed by a hostfile: the launcher gets the hostfile and N+1 ranks, every rank
    /// the same `-I -X pycache_prefix=<scratch>/pycache` and the script in that same scratch
    /// directory (so a rank can start only where the prefix's directory is too). Open MPI's
    /// session directory on this machine goes in the scratch directory: with a hostfile by the
    /// launcher's TMPDIR (Open MPI hands the base variables to the ranks on every host, ssh
    /// does not carry TMPDIR there), without one by the base variables.
    #[test]
    fn mpi_ranks_share_the_scratch_prefix_and_the_session_dir_goes_in_the_scratch_dir() {
        let scratch = Path::new("/tmp/corelab-AbC123");
        let script = scratch.join("corelab_cluster.py");
        let mut exp = Experiment::default();
        exp.python.interpreter = "/usr/bin/python3".into();
        exp.mpi.launcher = "mpiexec".into();
        exp.mpi.hostfile = " /etc/hosts.mpi ".into();
        exp.mpi.extra_args = vec!["--map-by".into(), "node".into()];
        let command = interpreter_command(&exp, ModelKind::PyMpi, 3, &script);
        assert_eq!(command.get_program(), "mpiexec");
        let args: Vec<String> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--map-by",
                "node",
                "--hostfile",
                "/etc/hosts.mpi",
                "-n",
                "4",
                "/usr/bin/python3",
                "-I",
                "-X",
                "pycache_prefix=/tmp/corelab-AbC123/pycache",
                "-u",
                "/tmp/corelab-AbC123/corelab_cluster.py",
                "mpi",
            ]
        );
        assert_eq!(
            mpi_launch_words(&exp.mpi, 3).join(" "),
            "mpiexec --map-by node --hostfile /etc/hosts.mpi -n 4",
            "what a launcher that ends during start-up is named by"
        );
        for key in OMPI_SESSION_DIR_BASES {
            assert_eq!(env_of(&command, key), None, "{key} set with a hostfile");
        }
        let base_named = OMPI_SESSION_DIR_BASES
            .iter()
            .any(|key| std::env::var_os(key).is_some());
        if !base_named {
            assert_eq!(env_of(&command, "TMPDIR"), Some(scratch.as_os_str()));
        }
        // Without a hostfile, one machine: the same prefix, and the session directory in the
        // scratch directory by the base variables (unless the environment names one).
        exp.mpi.hostfile.clear();
        let command = interpreter_command(&exp, ModelKind::PyMpi, 3, &script);
        let args: Vec<String> = command
            .get_args()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert!(!args.iter().any(|a| a == "--hostfile"), "{args:?}");
        assert!(
            args.iter()
                .any(|a| a == "pycache_prefix=/tmp/corelab-AbC123/pycache"),
            "{args:?}"
        );
        assert_eq!(
            env_of(&command, "TMPDIR"),
            None,
            "TMPDIR without a hostfile"
        );
        for key in OMPI_SESSION_DIR_BASES {
            if std::env::var_os(key).is_none() {
                assert_eq!(env_of(&command, key), Some(scratch.as_os_str()), "{key}");
            }
        }
    }

    /// A launcher that refuses its arguments may be gone before corelab writes its first
    /// request (on a loaded machine, often): the request then meets a closed pipe, and the
    /// cell failed with "cannot write to child 4242: Broken pipe (os error 32)" only. It now
    /// fails with the launcher's command, its exit status and its last output, as when its
    /// output closes first. Here the launcher (a shell saying what mpiexec says) has exited
    /// before the request is written, every time.
    #[test]
    fn a_launcher_gone_before_the_first_request_is_named_with_its_exit_not_the_broken_pipe() {
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "echo 'mpiexec: Error: unknown option \"--no-such-option\"' >&2; exit 1",
        ]);
        let (tx, events) = channel();
        let mut child = ChildProcess::spawn(command, 0, decode, tx).expect("sh starts");
        while !child.has_exited() {}
        let scratch = tempfile::tempdir().expect("a scratch directory");
        let mut exec = PythonExecutor {
            child,
            events,
            startup: Duration::ZERO,
            module_import: None,
            in_flight: None,
            broken: None,
            cluster: None,
            model: ModelKind::PyMpi,
            workers: 1,
            scratch: scratch.path().to_path_buf(),
            launch: Some("mpiexec --no-such-option -n 2".into()),
        };
        let guard = RunGuard::new(crate::engine::CancelToken::new(), Duration::from_secs(60));
        let deadline = Instant::now() + Duration::from_secs(60);
        let start = serde_json::json!({"op": "start", "model": "mpi", "workers": 1});
        let err = match exec.request(&start, &guard, deadline, "starting its pool") {
            Err(UnitError::Failed(e)) => e,
            Err(other) => panic!("not a failure: {other:?}"),
            Ok(reply) => panic!("a reply from a shell: {reply:?}"),
        };
        assert!(
            err.starts_with("the MPI launcher `mpiexec --no-such-option -n 2` (pid "),
            "{err}"
        );
        assert!(
            err.contains("exited while starting its pool (exit status: 1)"),
            "{err}"
        );
        assert!(err.contains("unknown option \"--no-such-option\""), "{err}");
        assert!(!err.contains("cannot write"), "{err}");
    }

    const DONE: &str = r#"{"op": "done", "wall_s": 0.01, "cpu_s": 0.004, "checksum": 7"#;

    fn untimed_of(line: &str) -> Option<f64> {
        untimed_parts_of(line).0
    }

    fn untimed_parts_of(line: &str) -> (Option<f64>, Option<u64>) {
        match decode(line).expect("decoded") {
            FromPython::Done {
                untimed_cpu_s,
                untimed_minor_faults,
                ..
            } => (untimed_cpu_s, untimed_minor_faults),
            other => panic!("not a done reply: {other:?}"),
        }
    }

    #[test]
    fn the_done_reply_carries_the_untimed_minor_faults_when_the_worker_sends_it() {
        assert_eq!(
            untimed_parts_of(&format!(
                "{DONE}, \"untimed_cpu_s\": 0.0125, \"untimed_minor_faults\": 340}}"
            )),
            (Some(0.0125), Some(340))
        );
        assert_eq!(untimed_parts_of(&format!("{DONE}}}")), (None, None));
    }

    #[test]
    fn the_done_reply_carries_the_untimed_cpu_time_when_the_worker_sends_it() {
        assert_eq!(
            untimed_of(&format!("{DONE}, \"untimed_cpu_s\": 0.0125}}")),
            Some(0.0125)
        );
        // An older worker's reply, without the field, still decodes.
        assert_eq!(untimed_of(&format!("{DONE}}}")), None);
    }

    #[test]
    fn the_untimed_cpu_time_is_taken_off_the_measured_cpu_time_never_below_zero() {
        let ms = Duration::from_millis;
        assert_eq!(timed_region_cpu(ms(20), Some(0.012)), Ok(ms(8)));
        assert_eq!(timed_region_cpu(ms(20), Some(0.0)), Ok(ms(20)));
        assert_eq!(
            timed_region_cpu(ms(20), None),
            Ok(ms(20)),
            "an older worker"
        );
        assert_eq!(timed_region_cpu(ms(5), Some(0.012)), Ok(Duration::ZERO));
    }

    fn contention(increments: u64) -> TaskSpec {
        let mut task = TaskSpec {
            kind: TaskKind::Contention,
            ..TaskSpec::default()
        };
        task.contention.increments = increments;
        task
    }

    #[test]
    fn the_done_reply_of_a_contention_run_carries_its_lost_updates_and_counter() {
        let line =
            format!("{DONE}, \"lost_updates\": 3, \"shared_state\": \"multiprocessing.Value\"}}");
        match decode(&line).expect("decoded") {
            FromPython::Done {
                lost_updates,
                shared_state,
                ..
            } => {
                assert_eq!(lost_updates, Some(3));
                assert_eq!(shared_state.as_deref(), Some("multiprocessing.Value"));
            }
            other => panic!("not a done reply: {other:?}"),
        }
    }

    #[test]
    fn a_contention_count_must_add_up_to_workers_times_increments() {
        let task = contention(10);
        let state = || Some("counter".to_string());
        assert_eq!(
            counted_updates(&task, 2, 17, Some(3), state()),
            Ok((Some(3), state()))
        );
        assert_eq!(
            counted_updates(&task, 2, 20, Some(0), None),
            Ok((Some(0), None))
        );
        let err = counted_updates(&task, 2, 17, Some(2), state()).unwrap_err();
        assert!(err.contains("17") && err.contains("lost 2"), "{err}");
        let err = counted_updates(&task, 2, 20, None, state()).unwrap_err();
        assert!(err.contains("lost_updates"), "{err}");
        assert!(counted_updates(&task, 2, u64::MAX, Some(1), None).is_err());
        // Other tasks carry neither, whatever the worker sent.
        assert_eq!(
            counted_updates(&TaskSpec::default(), 2, 7, Some(3), state()),
            Ok((None, None))
        );
        let long = "x".repeat(1000);
        let (_, kept) = counted_updates(&task, 1, 10, Some(0), Some(long)).unwrap();
        assert_eq!(kept.map(|s| s.len()), Some(MAX_SHARED_STATE_CHARS));
    }

    #[test]
    fn a_negative_or_unbounded_untimed_cpu_time_is_refused() {
        let ms = Duration::from_millis;
        for bad in [-0.001, f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300] {
            let err = timed_region_cpu(ms(20), Some(bad)).unwrap_err();
            assert!(err.contains("untimed_cpu_s"), "{bad}: {err}");
        }
    }
}
