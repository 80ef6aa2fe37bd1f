//! One timed run as a results file records it.

use serde::{Deserialize, Serialize};

use crate::results::{BusyBasis, RunCosts, Scheduling, Timeline};

/// One timed run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Sample {
    pub wall_s: f64,
    pub cpu_s: f64,
    pub checksum: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost_updates: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_moved: Option<u64>,
    /// Cores other programs kept busy while this run was timed, from this run's ticks alone
    /// (see `engine::load`): coarse for a run of under 0.1 s, which sees few 10 ms ticks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub other_load: Option<f64>,
    /// Whether other programs left this run fewer free cores than it could use: judged from
    /// the run's own ticks, or for a run too short for that from its cell's pooled ticks
    /// (`busy_basis` says which).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub busy: bool,
    /// How `busy` was decided: `run` (not written; every run of older files), `cell` (the
    /// cell's pooled verdict), or `too-few-ticks` (no verdict: `busy` is false for want of
    /// evidence).
    #[serde(skip_serializing_if = "BusyBasis::is_run")]
    pub busy_basis: BusyBasis,
    /// Minor page faults during the run, over the threads and processes its CPU time counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minor_faults: Option<u64>,
    /// Switch counts, context switches and CPU time per thread (`gil-threads`, `py-threading`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<Scheduling>,
    /// Who ran when in this run; kept in memory only, and only the median run's is saved
    /// (as `CellResult::timeline`).
    #[serde(skip)]
    pub timeline: Option<Box<Timeline>>,
    /// Memory, switches, migrations and bytes moved (see `results::costs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs: Option<RunCosts>,
    /// Function tasks: each task's checksum, in task order (see `first_differing_task`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_checksums: Option<Vec<u64>>,
}
