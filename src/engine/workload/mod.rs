//! Workloads: a task description turned into independent units of work with checksums.
//!
//! Every unit returns a checksum; the run's checksum is their wrapping sum, so it does not
//! depend on the order in which units finish and every execution model must agree on it.

mod command;
mod contention;
mod cpu;
pub(crate) mod io;
mod memory;
pub(crate) mod mixed;
pub mod payload;
pub mod shared;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::pacer::{Pacer, UnitResult};
use crate::preset::{ModelKind, TaskKind, TaskSpec};

pub use contention::{CHANNEL_BOUND, create_counter_file};
pub use cpu::{hash_chain, splitmix64};
pub use io::IO_CHUNK_BYTES;
pub use memory::Geometry as MemoryGeometry;

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
    /// Bytes of messages between the parent and its worker processes, both ways.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ipc_bytes: Option<u64>,
    /// Function tasks run by a Python model: each task's checksum, in task order, so that a
    /// model whose results differ can be told which task differed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_checksums: Option<Vec<u64>>,
    /// `command` tasks: the run's commands, which have exited before its memory is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<CommandsRun>,
}

/// The commands of one run of a `command` task, as `wait4` reported them when each was reaped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandsRun {
    /// How many commands ran.
    pub count: u64,
    /// The most that ran at the same time.
    pub at_once: u64,
    /// The most memory the commands running at once held, each at its own peak RSS (with its
    /// own waited-for children), bytes (see [`command::concurrent_peak`]).
    pub concurrent_peak_rss_bytes: u64,
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

impl RunEnv {
    /// The environment of every run of the cell `model × workers` whose private scratch
    /// directory is `scratch`: the processes model's units keep their shared state in
    /// `counter.bin` there; the other models keep it in memory.
    pub fn for_cell(model: ModelKind, workers: usize, scratch: &Path) -> RunEnv {
        RunEnv {
            workers,
            scratch_dir: scratch.to_path_buf(),
            shared_file: (model == ModelKind::Processes).then(|| scratch.join("counter.bin")),
        }
    }
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
    /// The input data each unit carries (`task.payload_kib`), when it carries any.
    fn payload(&self) -> Option<&std::sync::Arc<payload::Payload>> {
        None
    }
    /// Whether units start processes of their own and reap them before they return (a
    /// `command` task): the run's CPU time then includes theirs.
    fn runs_child_processes(&self) -> bool {
        false
    }
}

/// Checks what a workload is built from: the task's fields in the ranges a preset allows, and
/// a worker count from 1 to the largest a preset allows. Every size the workloads multiply
/// then fits in 64 bits. A task decoded from the worker protocol has been through no preset
/// validation, so [`build`] always checks.
pub fn validate(spec: &TaskSpec, env: &RunEnv) -> Result<(), String> {
    spec.validate().map_err(|e| e.to_string())?;
    if spec.payload_kib > payload::MAX_PAYLOAD_KIB {
        return Err(format!(
            "`task.payload_kib` = {}: must be at most {}",
            spec.payload_kib,
            payload::MAX_PAYLOAD_KIB
        ));
    }
    if env.workers == 0 || env.workers > spec.max_workers() {
        return Err(format!(
            "`workers` = {}: must be between 1 and {}",
            env.workers,
            spec.max_workers()
        ));
    }
    Ok(())
}

/// Builds a workload instance for one run.
pub fn build(spec: &TaskSpec, env: &RunEnv) -> Result<Box<dyn Workload>, String> {
    validate(spec, env)?;
    let tasks = spec.tasks as usize;
    Ok(match spec.kind {
        TaskKind::Cpu => Box::new(cpu::CpuWorkload::new(&spec.cpu, tasks)),
        TaskKind::Io => Box::new(io::IoWorkload::new(&spec.io, tasks, env)?),
        TaskKind::Memory => Box::new(memory::MemoryWorkload::new(&spec.memory, tasks)?),
        TaskKind::Contention => {
            Box::new(contention::ContentionWorkload::new(&spec.contention, env)?)
        }
        TaskKind::Mixed => Box::new(mixed::MixedWorkload::new(&spec.mixed, tasks)?),
        TaskKind::Command => Box::new(command::CommandWorkload::new(&spec.command, tasks)?),
        TaskKind::Function => {
            return Err("a Python function task runs only under the Python models".into());
        }
    })
}

/// Whether one built workload can time every run of a cell: its runs read only what the
/// build wrote and overwrite everything they write, so run 2 does exactly what run 1 did, with
/// the same checksum (CPU kernels; the STREAM triad, whose arrays take longer to build than a
/// 16-worker run takes). Workloads with files, shared counters, commands or sleeps are built
/// afresh for every run.
pub fn reusable_between_runs(spec: &TaskSpec) -> bool {
    matches!(spec.kind, TaskKind::Cpu | TaskKind::Memory)
}

/// The workload of a run inside this process, with every task field applied (the payload
/// included): the one way the in-process models and `tokio` build theirs, so that every model
/// honours the same fields. A reusable workload ([`reusable_between_runs`]) comes from
/// [`shared::workload`], built once for every in-process cell of the task.
pub fn build_in_process(spec: &TaskSpec, env: &RunEnv) -> Result<Arc<dyn Workload>, String> {
    let w = match reusable_between_runs(spec) {
        true => shared::workload(spec, || build(spec, env))?,
        false => Arc::from(build(spec, env)?),
    };
    Ok(payload::wrap(w, spec.payload_kib))
}

/// The parent's side of a run whose units execute in child processes: it only counts units
/// and reports the run's metrics, so it holds none of the workload's data. (Building the full
/// workload there allocated the memory task's arrays in the parent as well as in every
/// child.) Contention keeps its full build: its result is read from the shared counter file.
pub fn build_parent_side(spec: &TaskSpec, env: &RunEnv) -> Result<Box<dyn Workload>, String> {
    validate(spec, env)?;
    match spec.kind {
        TaskKind::Memory => {
            let geometry = memory::Geometry::of(&spec.memory, spec.tasks as usize)?;
            Ok(Box::new(CountOnly {
                units: geometry.units(),
                bytes_moved: Some(geometry.bytes_moved()),
            }))
        }
        TaskKind::Contention => build(spec, env),
        _ => Ok(Box::new(CountOnly {
            units: spec.tasks as usize,
            bytes_moved: None,
        })),
    }
}

/// `f64` elements in one array of `array_mib` MiB, refusing sizes whose byte count overflows.
pub fn memory_elements(array_mib: u64) -> Result<u64, String> {
    array_mib
        .checked_mul(1024 * 1024)
        .map(|bytes| bytes / 8)
        .ok_or_else(|| format!("`task.memory.array_mib` = {array_mib}: too large"))
}

/// A workload that only knows its unit count (see [`build_parent_side`]).
struct CountOnly {
    units: usize,
    bytes_moved: Option<u64>,
}

impl Workload for CountOnly {
    fn unit_count(&self) -> usize {
        self.units
    }

    fn run_unit(&self, unit: usize, _pacer: &dyn Pacer) -> UnitResult<u64> {
        Err(super::pacer::UnitError::Failed(format!(
            "unit {unit} runs in a child process, not in the parent"
        )))
    }

    fn finish(&self, checksum: u64) -> UnitResult<RunMetrics> {
        Ok(RunMetrics {
            checksum,
            bytes_moved: self.bytes_moved,
            ..RunMetrics::default()
        })
    }
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
