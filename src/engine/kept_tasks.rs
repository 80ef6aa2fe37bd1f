//! What `ulimit -u` (`RLIMIT_NPROC`) counts of a sweep's cell: the processes and threads it
//! starts and keeps from its start-up to the end of the sweep.
//!
//! Counted from what the code starts, for certain: corelab's own threads and child processes
//! (with two reader threads each), and for the CPython models what `corelab_worker.py` and
//! `corelab_cluster.py` start through the standard library and the engines: the interpreter,
//! its pool's threads or processes, `multiprocessing.Pool`'s three handler threads,
//! multiprocessing's resource tracker and fork server, Dask's worker processes with their task
//! thread and the client's event-loop thread, `mpiexec` and its ranks. What an engine adds
//! besides, which varies with its version, is left out, so that a refusal is never wrong:
//! measured with distributed 2026.8 and Open MPI 4.1.4 (CPython 3.11), a Dask driver has 3 + 3 N threads (2 counted),
//! each Dask worker process 4 (2 counted), `mpiexec` 4 (1 counted) and each rank 3 (1 counted).
//! Those measured counts are [`likely_tasks`]: what a warning goes by, and what a refusal of
//! the floor names beside it, since they may change with the engines' versions.

use crate::preset::{Experiment, ModelKind, StartMethod};

/// Reader threads corelab keeps for each child process it starts (its stdout and stderr).
pub const READERS_PER_CHILD: u64 = 2;

/// Threads a `multiprocessing.Pool` starts in the process that owns it, besides its worker
/// processes: its worker handler, task handler and result handler (CPython 3.8 to 3.14).
pub const POOL_HANDLER_THREADS: u64 = 3;

/// Tasks of one Dask worker process of the embedded `LocalCluster` (one thread per worker,
/// `threads_per_worker=1`): its main thread and the thread that runs the tasks.
pub const DASK_WORKER_TASKS: u64 = 2;

/// Tasks of the Dask driver besides the interpreter's main thread: the client's event loop,
/// which the synchronous API runs on a thread of its own.
pub const DASK_CLIENT_THREADS: u64 = 1;

/// What decides a Python cell's helpers: how multiprocessing starts its processes, and
/// whether a cluster engine's workers run on this machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PythonSetup {
    pub start_method: StartMethod,
    /// `py-dask` connects to an existing scheduler (`python.dask_scheduler`): its workers are
    /// that cluster's, started by nobody here.
    pub external_dask: bool,
    /// `py-mpi` places its ranks by a hostfile (`mpi.hostfile`): they may run elsewhere.
    pub mpi_hostfile: bool,
}

impl PythonSetup {
    pub fn of(exp: &Experiment) -> Self {
        PythonSetup {
            start_method: exp.python.start_method,
            external_dask: !exp.python.dask_scheduler.trim().is_empty(),
            mpi_hostfile: !exp.mpi.hostfile.trim().is_empty(),
        }
    }
}

/// multiprocessing's helper processes for a start method, which a `spawn` or `forkserver`
/// context starts with its first process (`popen_spawn_posix`, `forkserver.ensure_running`):
/// the resource tracker, and for `forkserver` the fork server. `fork` starts neither.
pub fn multiprocessing_helpers(method: StartMethod) -> u64 {
    match method {
        StartMethod::Fork => 0,
        StartMethod::Spawn => 1,
        StartMethod::Forkserver => 2,
    }
}

/// The tasks (processes and threads, as `RLIMIT_NPROC` counts them) a cell of `model` ×
/// `workers` keeps from its start-up to the end of the sweep, at the least (see the module's
/// words for what is counted).
pub fn kept_tasks(model: ModelKind, workers: u64, setup: PythonSetup) -> u64 {
    // The process corelab starts for a Python cell (the interpreter, or `mpiexec`) and the
    // two threads that read it.
    let child = 1 + READERS_PER_CHILD;
    match model {
        ModelKind::Sequential | ModelKind::Tokio => 0,
        ModelKind::Threads | ModelKind::GilThreads | ModelKind::Rayon => workers,
        ModelKind::Processes => workers * child,
        // A `ThreadPoolExecutor`'s threads, kept once started.
        ModelKind::PyThreading | ModelKind::PyFreeThreading => child + workers,
        ModelKind::PyAsyncio => child,
        ModelKind::PyMultiprocessing => {
            child + POOL_HANDLER_THREADS + workers + multiprocessing_helpers(setup.start_method)
        }
        ModelKind::PyDask if setup.external_dask => child + DASK_CLIENT_THREADS,
        // The embedded cluster's scheduler runs in the driver; each worker is a process of
        // its own.
        ModelKind::PyDask => child + DASK_CLIENT_THREADS + workers * DASK_WORKER_TASKS,
        // `mpiexec` and nothing sure besides: the hostfile may place every rank elsewhere.
        ModelKind::PyMpi if setup.mpi_hostfile => child,
        // `mpiexec`, rank 0 (the dispatcher) and one rank per worker.
        ModelKind::PyMpi => child + 1 + workers,
    }
}

/// Threads of the embedded Dask cluster's driver as measured (distributed 2026.8): 3, and 3 for
/// each worker (its nanny's and the scheduler's comms, in the driver's event loop threads).
pub const DASK_DRIVER_THREADS_MEASURED: (u64, u64) = (3, 3);
/// Threads of one Dask worker process as measured: its main thread, the task thread, its event
/// loop and its profiler.
pub const DASK_WORKER_TASKS_MEASURED: u64 = 4;
/// Threads of `mpiexec` (Open MPI 4.1.4's `orterun`) as measured.
pub const MPIEXEC_THREADS_MEASURED: u64 = 4;
/// Threads of one MPI rank as measured (Open MPI's progress and event threads besides the
/// interpreter's).
pub const MPI_RANK_THREADS_MEASURED: u64 = 3;

/// The tasks a cell of `model` × `workers` likely keeps, as measured (see the module's words):
/// [`kept_tasks`], except for the cluster engines, whose own threads it leaves out: an embedded
/// Dask cluster's driver (3 + 3 N threads) and workers (4 each), `mpiexec` (4) and the ranks
/// (3 each) on this machine. A figure of distributed 2026.8 and Open MPI 4.1.4: another release
/// may start more or fewer.
pub fn likely_tasks(model: ModelKind, workers: u64, setup: PythonSetup) -> u64 {
    let readers = READERS_PER_CHILD;
    match model {
        ModelKind::PyDask if !setup.external_dask => {
            let (driver, per_worker) = DASK_DRIVER_THREADS_MEASURED;
            readers + driver + per_worker * workers + DASK_WORKER_TASKS_MEASURED * workers
        }
        ModelKind::PyMpi if setup.mpi_hostfile => readers + MPIEXEC_THREADS_MEASURED,
        // rank 0 and one rank per worker.
        ModelKind::PyMpi => {
            readers + MPIEXEC_THREADS_MEASURED + MPI_RANK_THREADS_MEASURED * (workers + 1)
        }
        _ => kept_tasks(model, workers, setup),
    }
    .max(kept_tasks(model, workers, setup))
}

/// Threads a cell of `model` × `workers` keeps in corelab's own process from its start-up to
/// the end of the sweep: its worker threads (threads, gil-threads, rayon), or the two reader
/// threads of each child process it starts. What an address-space limit counts in corelab's
/// process, besides its main thread.
pub fn corelab_threads(model: ModelKind, workers: u64) -> u64 {
    match model {
        ModelKind::Sequential | ModelKind::Tokio => 0,
        ModelKind::Threads | ModelKind::GilThreads | ModelKind::Rayon => workers,
        ModelKind::Processes => workers * READERS_PER_CHILD,
        _ => READERS_PER_CHILD,
    }
}

/// Threads besides its main thread of the child process that holds a cell's workload: none
/// for a `corelab worker`; a Python interpreter's pool threads (threading),
/// `multiprocessing.Pool`'s handler threads, the Dask client's event loop. What an
/// address-space limit counts in that process, each thread with its stack.
pub fn child_threads(model: ModelKind, workers: u64) -> u64 {
    match model {
        ModelKind::PyThreading | ModelKind::PyFreeThreading => workers,
        ModelKind::PyMultiprocessing => POOL_HANDLER_THREADS,
        ModelKind::PyDask => DASK_CLIENT_THREADS,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(start_method: StartMethod) -> PythonSetup {
        PythonSetup {
            start_method,
            ..PythonSetup::default()
        }
    }

    #[test]
    fn in_process_models_keep_their_threads_and_the_pool_its_children_with_readers() {
        let setup = PythonSetup::default();
        assert_eq!(kept_tasks(ModelKind::Sequential, 1, setup), 0);
        assert_eq!(kept_tasks(ModelKind::Tokio, 8, setup), 0);
        assert_eq!(kept_tasks(ModelKind::Threads, 8, setup), 8);
        assert_eq!(kept_tasks(ModelKind::GilThreads, 8, setup), 8);
        assert_eq!(kept_tasks(ModelKind::Rayon, 8, setup), 8);
        // 8 worker processes, each with corelab's stdout and stderr reader threads.
        assert_eq!(kept_tasks(ModelKind::Processes, 8, setup), 24);
    }

    /// The counts below were checked against a real sweep (CPython 3.11.7): the tasks of
    /// corelab's process tree at its peak, from `/proc/PID/status`'s `Threads:`.
    #[test]
    fn python_threads_and_asyncio_keep_the_interpreter_its_readers_and_its_pool() {
        let setup = PythonSetup::default();
        // The interpreter, its two readers, its pool's 8 threads.
        assert_eq!(kept_tasks(ModelKind::PyThreading, 8, setup), 11);
        assert_eq!(kept_tasks(ModelKind::PyFreeThreading, 8, setup), 11);
        // One event loop on the interpreter's main thread.
        assert_eq!(kept_tasks(ModelKind::PyAsyncio, 8, setup), 3);
    }

    #[test]
    fn multiprocessing_counts_its_handler_threads_and_its_start_method_s_helpers() {
        // The interpreter and its readers (3), the pool's 3 handler threads, 8 pool processes,
        // and for spawn the resource tracker (measured: 1 + 3 threads, 8 + 1 processes).
        assert_eq!(
            kept_tasks(ModelKind::PyMultiprocessing, 8, with(StartMethod::Spawn)),
            15
        );
        // fork: no helper process.
        assert_eq!(
            kept_tasks(ModelKind::PyMultiprocessing, 8, with(StartMethod::Fork)),
            14
        );
        // forkserver: the resource tracker and the fork server.
        assert_eq!(
            kept_tasks(
                ModelKind::PyMultiprocessing,
                8,
                with(StartMethod::Forkserver)
            ),
            16
        );
    }

    #[test]
    fn dask_counts_its_worker_processes_only_when_it_starts_them() {
        // The driver (its main thread and the client's loop), its readers, 8 worker processes
        // with their task thread each.
        let embedded = PythonSetup::default();
        assert_eq!(kept_tasks(ModelKind::PyDask, 8, embedded), 3 + 1 + 16);
        // An existing cluster's workers are not this machine's, nor this user's.
        let external = PythonSetup {
            external_dask: true,
            ..PythonSetup::default()
        };
        assert_eq!(kept_tasks(ModelKind::PyDask, 8, external), 4);
    }

    #[test]
    fn mpi_counts_the_launcher_the_dispatcher_and_a_rank_per_worker_when_local() {
        // mpiexec and its readers, rank 0, 8 worker ranks.
        let local = PythonSetup::default();
        assert_eq!(kept_tasks(ModelKind::PyMpi, 8, local), 3 + 1 + 8);
        let hostfile = PythonSetup {
            mpi_hostfile: true,
            ..PythonSetup::default()
        };
        assert_eq!(kept_tasks(ModelKind::PyMpi, 8, hostfile), 3);
    }

    #[test]
    fn the_cluster_engines_likely_keep_their_own_threads_besides_the_floor() {
        let local = PythonSetup::default();
        // The driver's 3 + 3 × 8 threads, 8 workers of 4, corelab's 2 readers: 99, where the
        // floor counts 20.
        assert_eq!(likely_tasks(ModelKind::PyDask, 8, local), 2 + 3 + 24 + 32);
        assert_eq!(kept_tasks(ModelKind::PyDask, 8, local), 20);
        // mpiexec's 4 threads, 9 ranks of 3, 2 readers: 33, where the floor counts 12.
        assert_eq!(likely_tasks(ModelKind::PyMpi, 8, local), 2 + 4 + 27);
        let hostfile = PythonSetup {
            mpi_hostfile: true,
            ..PythonSetup::default()
        };
        assert_eq!(likely_tasks(ModelKind::PyMpi, 8, hostfile), 6);
        // An existing Dask cluster: only the driver is here (not measured: the floor).
        let external = PythonSetup {
            external_dask: true,
            ..PythonSetup::default()
        };
        assert_eq!(
            likely_tasks(ModelKind::PyDask, 8, external),
            kept_tasks(ModelKind::PyDask, 8, external)
        );
        // The other models' counts are certain: the same.
        for model in [
            ModelKind::Threads,
            ModelKind::Processes,
            ModelKind::PyThreading,
            ModelKind::PyMultiprocessing,
        ] {
            assert_eq!(
                likely_tasks(model, 8, local),
                kept_tasks(model, 8, local),
                "{model}"
            );
        }
    }

    #[test]
    fn threads_are_counted_in_the_process_that_keeps_them() {
        // corelab's own process: the thread teams, or two readers per child.
        assert_eq!(corelab_threads(ModelKind::Sequential, 1), 0);
        assert_eq!(corelab_threads(ModelKind::Rayon, 16), 16);
        assert_eq!(corelab_threads(ModelKind::Processes, 4), 8);
        assert_eq!(corelab_threads(ModelKind::PyMultiprocessing, 4), 2);
        assert_eq!(corelab_threads(ModelKind::PyMpi, 4), 2);
        // The child that holds the workload: the interpreter's own threads.
        assert_eq!(child_threads(ModelKind::Processes, 4), 0);
        assert_eq!(child_threads(ModelKind::PyThreading, 4), 4);
        assert_eq!(child_threads(ModelKind::PyMultiprocessing, 4), 3);
        assert_eq!(child_threads(ModelKind::PyAsyncio, 4), 0);
        assert_eq!(child_threads(ModelKind::PyDask, 4), 1);
        // The tasks kept are those threads, the children and their own.
        for (model, workers) in [(ModelKind::Threads, 8), (ModelKind::PyThreading, 8)] {
            let setup = PythonSetup::default();
            let children = u64::from(model.is_python());
            assert_eq!(
                kept_tasks(model, workers, setup),
                corelab_threads(model, workers) + children + child_threads(model, workers),
                "{model}"
            );
        }
    }

    #[test]
    fn the_setup_is_read_from_the_experiment() {
        let mut exp = Experiment::default();
        assert_eq!(PythonSetup::of(&exp), PythonSetup::default());
        exp.python.start_method = StartMethod::Forkserver;
        exp.python.dask_scheduler = " tcp://10.0.0.1:8786 ".into();
        exp.mpi.hostfile = "hosts".into();
        assert_eq!(
            PythonSetup::of(&exp),
            PythonSetup {
                start_method: StartMethod::Forkserver,
                external_dask: true,
                mpi_hostfile: true,
            }
        );
        exp.python.dask_scheduler = "  ".into();
        assert!(!PythonSetup::of(&exp).external_dask);
    }
}
