//! Workloads: a task description turned into independent units of work with checksums.
//!
//! Every unit returns a checksum; the run's checksum is their wrapping sum, so it does not
//! depend on the order in which units finish and every execution model must agree on it.

mod contention;
mod cpu;
mod io;
mod memory;
mod mixed;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::pacer::{Pacer, UnitResult};
use crate::preset::{TaskKind, TaskSpec};

pub use contention::create_counter_file;
pub use cpu::{hash_chain, splitmix64};

/// What a finished run reports beyond its time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunMetrics {
    /// Wrapping sum of the units' checksums (or the final counter for `contention`).
    pub checksum: u64,
    /// `contention`: increments expected minus the counter's final value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_updates: Option<u64>,
    /// `memory`: bytes the triad read and wrote (STREAM counting: 24 bytes per element).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bytes_moved: Option<u64>,
    /// How the threads shared the cores and the GIL (`gil-threads`, `py-threading`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<crate::results::Scheduling>,
}

/// Where a workload instance lives, which decides where shared state is kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunEnv {
    /// Worker count of the run (contention has one unit per worker).
    pub workers: usize,
    /// A directory private to this run for file I/O; removed by the sweep afterwards.
    pub scratch_dir: PathBuf,
    /// Set when units run in separate processes: shared state must live in this file.
    pub shared_file: Option<PathBuf>,
}

/// A task instance ready to run. Built outside the timed region.
pub trait Workload: Send + Sync {
    /// Number of independent units.
    fn unit_count(&self) -> usize;
    /// Runs one unit and returns its checksum.
    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64>;
    /// Called once after every unit ran, inside the timed region (e.g. to drain a queue).
    fn finish(&self, checksum: u64) -> UnitResult<RunMetrics> {
        Ok(RunMetrics {
            checksum,
            ..RunMetrics::default()
        })
    }
    /// Where shared state lives, for the results file (e.g. "file under flock").
    fn shared_state(&self) -> Option<String> {
        None
    }
}

/// Builds a workload instance for one run.
pub fn build(spec: &TaskSpec, env: &RunEnv) -> Result<Box<dyn Workload>, String> {
    let tasks = spec.tasks as usize;
    Ok(match spec.kind {
        TaskKind::Cpu => Box::new(cpu::CpuWorkload::new(&spec.cpu, tasks)),
        TaskKind::Io => Box::new(io::IoWorkload::new(&spec.io, tasks, env)),
        TaskKind::Memory => Box::new(memory::MemoryWorkload::new(&spec.memory, tasks)?),
        TaskKind::Contention => {
            Box::new(contention::ContentionWorkload::new(&spec.contention, env)?)
        }
        TaskKind::Mixed => Box::new(mixed::MixedWorkload::new(&spec.mixed, tasks)),
    })
}

/// Units `[0, n)` split into `parts` contiguous ranges of near-equal length.
pub(crate) fn split_range(total: u64, parts: usize, index: usize) -> (u64, u64) {
    let parts = parts as u64;
    let index = index as u64;
    let base = total / parts;
    let extra = total % parts;
    let start = index * base + index.min(extra);
    let len = base + u64::from(index < extra);
    (start, start + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_range_covers_everything_once() {
        for total in [0u64, 1, 7, 100, 101] {
            for parts in [1usize, 2, 3, 8] {
                let mut next = 0;
                for i in 0..parts {
                    let (s, e) = split_range(total, parts, i);
                    assert_eq!(s, next);
                    assert!(e >= s);
                    next = e;
                }
                assert_eq!(next, total);
            }
        }
    }
}
