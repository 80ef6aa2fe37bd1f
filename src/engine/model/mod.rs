//! Execution models: how the units of a workload are spread over workers.

mod child;
mod gil;
mod in_process;
mod mpi_notice;
mod pool_threads;
mod process_pool;
pub mod python;
pub mod python_timeline;
mod tokio;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use gil::{Gil, GilEvent, GilInterval, GilPacer, GilStats, GilThreadStats};
pub use in_process::InProcessExecutor;
pub(crate) use process_pool::HANDSHAKE_TIMEOUT;
pub use process_pool::{ProcessPool, WorkerCommand};
pub use tokio::TokioExecutor;

use super::cpu_time::{Cost, Snapshot, spent_between};
use super::pacer::{RunGuard, UnitError};
use super::workload::{RunEnv, RunMetrics, Workload};
use crate::preset::TaskSpec;

/// One timed run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    pub wall: Duration,
    /// User + system CPU time of the run, one definition for every model (see
    /// [`crate::engine::cpu_time`]): the dispatching thread, the model's worker threads, the
    /// threads that read worker pipes, and every worker process (all its threads, measured from
    /// outside). Never the workbench's other threads.
    pub cpu: Duration,
    /// Minor page faults during the run, counted over the same threads and processes as `cpu`.
    #[serde(default)]
    pub minor_faults: u64,
    /// CPU time the units measured themselves (each worker process's per-unit thread time),
    /// when the model reports it: `cpu` minus this is the dispatch and pipe overhead.
    #[serde(default)]
    pub task_cpu: Option<Duration>,
    pub metrics: RunMetrics,
    /// Where shared state lived, when the task has any.
    pub shared_state: Option<String>,
    /// `CLOCK_MONOTONIC` nanoseconds when the run's clock started (see [`crate::sys::monotonic_ns`]).
    #[serde(skip)]
    pub started_ns: u64,
    /// Who ran when, relative to `started_ns`, when the model records it.
    #[serde(skip)]
    pub timeline: Option<crate::results::Timeline>,
}

/// Runs a workload repeatedly with one model and one worker count (one cell of the sweep).
pub trait Executor {
    /// Time spent starting the executor's workers (threads parked and ready, a pool built and
    /// warmed, child processes ready to take work), never included in any run: every model
    /// starts its workers before the first timed region.
    fn startup(&self) -> Duration;
    /// The part of [`startup`](Self::startup) that imported the user's module (a Python
    /// function task: the interpreter and every pool process import it before the first run);
    /// `None` for every other executor and task.
    fn module_import(&self) -> Option<Duration> {
        None
    }
    /// After a run that timed out: the user's calls that were still running shortly before
    /// the deadline (`task 1: hangs(1)`), where the executor can tell; `None` otherwise.
    fn running_at_timeout(&self) -> Option<String> {
        None
    }
    /// Builds the workload (untimed), then times one complete run.
    fn run(
        &mut self,
        task: &TaskSpec,
        env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError>;
    /// The worker processes the model runs besides this one (each with everything below it),
    /// for its costs besides time; `None` for executors whose costs are not measured (mocks).
    fn worker_pids(&self) -> Option<Vec<u32>> {
        None
    }
    /// The threads of this process that serve the executor's runs besides the dispatcher (the
    /// thread that calls [`run`](Self::run)), by kernel thread id: a team's workers, a pool's
    /// threads, the threads that read worker processes' pipes. A run's switches and migrations
    /// count these and the dispatcher here, never the process's other threads (other cells'
    /// idle teams, the workbench's own). `None`: the executor cannot say, and every thread of
    /// this process counts.
    fn threads_here(&self) -> Option<Vec<u32>> {
        None
    }
    /// Stops whatever the executor started (child processes); called on every exit path.
    fn shutdown(&mut self) {}
    /// The cluster that runs the tasks (`py-dask`, `py-mpi`): scheduler, dashboard, workers.
    fn cluster(&self) -> Option<crate::results::ClusterInfo> {
        None
    }
}

/// Times one run of `w` on the calling thread (the dispatcher). `others` reads, from `model`, the cumulative
/// cost of every other party of the model (worker threads, pipe readers, worker processes); it
/// is read just before the clock starts and just after it stops, so reading it is not timed.
/// `work` runs every unit and returns the checksum plus, when the model has it, the CPU time
/// the units reported themselves; `finish` is inside the timed region.
fn timed_run<S: ?Sized>(
    w: &dyn Workload,
    model: &mut S,
    others: impl Fn(&S) -> Snapshot,
    work: impl FnOnce(&mut S) -> Result<(u64, Option<Duration>), UnitError>,
) -> Result<RunRecord, UnitError> {
    let others_before = others(model);
    let me_before = Cost::this_thread();
    // A command task's processes: reaped within the run, their CPU time and minor faults are
    // counted by the kernel for this process's waited-for children. Read only for such a
    // task: the count is process-wide, and any other child reaped meanwhile (the workbench's
    // interpreter check) would be counted too.
    let children_before = w
        .runs_child_processes()
        .then(crate::engine::cpu_time::reaped_children_cost);
    // The timer first, then the timeline's origin: both read CLOCK_MONOTONIC, so every stamp
    // taken during the run lies within `wall` of `started_ns` (read the other way round, a
    // preemption between the two reads pushed the last span past the run's end: 11 µs seen
    // in `timeline::process_pool_records_pipe_transit_and_child_compute` on a loaded machine).
    let started = Instant::now();
    let started_ns = crate::sys::monotonic_ns();
    let (checksum, task_cpu) = work(model)?;
    let metrics = w.finish(checksum)?;
    let wall = started.elapsed();
    let me = Cost::this_thread().since(me_before);
    let spent = me + spent_between(&others_before, &others(model));
    let children = children_before.map_or(Cost::default(), |before| {
        crate::engine::cpu_time::reaped_children_cost().since(before)
    });
    Ok(RunRecord {
        wall,
        cpu: spent.cpu + children.cpu,
        minor_faults: spent.minor_faults + children.minor_faults,
        task_cpu,
        metrics,
        shared_state: w.shared_state(),
        started_ns,
        timeline: None,
    })
}
