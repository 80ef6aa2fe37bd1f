//! The measurement engine: workloads × execution models → a sweep that reports events and
//! honours a cancel token. No GUI code here; the CLI and the GUI drive the same functions.

pub mod calibrate;
mod cancel;
pub mod cpu_time;
mod display_pacing;
pub mod error;
pub mod estimate;
mod event;
pub mod fault;
pub mod interpreter;
pub mod kept_tasks;
pub mod lessons;
pub mod load;
pub mod mock;
pub mod model;
pub mod module_source;
pub mod mpi_hostfile;
mod pacer;
pub mod proc_stats;
pub mod protocol;
mod python_bindings;
pub mod python_source;
pub mod resources;
pub mod results_saver;
pub mod run_count;
pub mod run_mark;
pub mod scratch;
pub mod selftest;
pub mod startup_timeout;
mod sweep;
pub mod time_left;
pub mod wait_recorder;
pub mod worker;
pub mod workload;

pub use crate::results::PythonInfo;
pub use cancel::CancelToken;
pub use display_pacing::DisplayPacing;
pub use error::EngineError;
pub use event::{CellProgress, SweepEvent};
pub use model::WorkerCommand;
pub use pacer::{Pacer, RunGuard, UnitError, UnitResult};
pub use run_count::{MoreRuns, RunCount};
pub use sweep::{
    CellStart, ExecutorFactory, Preflight, RealExecutors, SplitMix64, SweepConfig, SweepHandle,
    preflight, preflight_checked, preflight_with, recorded_provenance, run_sweep, spawn_sweep,
    sweep_plan, task_preflight,
};
