//! Execution models: how the units of a workload are spread over workers.

mod child;
mod gil;
mod in_process;
mod process_pool;
pub mod python;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

pub use gil::{Gil, GilEvent, GilPacer, GilStats, GilThreadStats};
pub use in_process::InProcessExecutor;
pub use process_pool::{ProcessPool, WorkerCommand};

use super::cpu_time::process_cpu_time;
use super::pacer::{RunGuard, UnitError};
use super::workload::{RunEnv, RunMetrics, Workload};
use crate::preset::TaskSpec;

/// One timed run.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunRecord {
    pub wall: Duration,
    /// User + system CPU time of every thread and worker process involved.
    pub cpu: Duration,
    pub metrics: RunMetrics,
    /// Where shared state lived, when the task has any.
    pub shared_state: Option<String>,
}

/// Runs a workload repeatedly with one model and one worker count (one cell of the sweep).
pub trait Executor {
    /// Time spent preparing the executor (pool start-up), not included in any run.
    fn startup(&self) -> Duration;
    /// Builds the workload (untimed), then times one complete run.
    fn run(
        &mut self,
        task: &TaskSpec,
        env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError>;
    /// Stops whatever the executor started (child processes); called on every exit path.
    fn shutdown(&mut self) {}
}

/// Times one run of `w`: `work` runs every unit and returns the checksum plus any CPU time
/// spent outside this process (worker children); `finish` is inside the timed region.
fn timed_run(
    w: &dyn Workload,
    work: impl FnOnce() -> Result<(u64, Duration), UnitError>,
) -> Result<RunRecord, UnitError> {
    let cpu_before = process_cpu_time();
    let started = Instant::now();
    let (checksum, other_cpu) = work()?;
    let metrics = w.finish(checksum)?;
    let wall = started.elapsed();
    let cpu = process_cpu_time().saturating_sub(cpu_before) + other_cpu;
    Ok(RunRecord {
        wall,
        cpu,
        metrics,
        shared_state: w.shared_state(),
    })
}
