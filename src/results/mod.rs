//! The results file: the interchange format between the engine, the CLI, the GUI and exports.

mod baseline_cell;
mod build_info;
mod cluster;
mod configuration;
mod consistency;
pub mod costs;
mod cpu_setup;
mod file;
pub mod gil_rule;
mod lost_share;
mod lost_words;
mod machine;
mod not_recorded;
mod python_info;
mod rescue;
mod scheduling;
mod time;
pub mod timeline;
mod writer;

pub use baseline_cell::{BaselineCell, BaselineTime, Baselines};
pub use build_info::{
    BuildInfo, DEBUG_BUILD_NOTE, DEBUG_BUILD_SHORT, DEBUG_BUILD_WARNING, this_build_note,
};
pub use cluster::{ClusterInfo, ClusterWorker};
pub use configuration::{Difference, comparison_differences};
pub use costs::{CellCosts, ProcessMemory, RunCosts};
pub use cpu_setup::{CpuSetup, SYS_DEVICES_SYSTEM, Setting as CpuSetting};
pub use file::{
    Baseline as BaselineInfo, CellResult, CellStatus, MAX_CELLS, MAX_RESULTS_BYTES, Provenance,
    RESULTS_FORMAT, RESULTS_FORMAT_VERSION, ResultsError, ResultsFile, RunStatus, SNIFF_BYTES,
    Sample, differing_task_note, first_differing_task, is_empty_or_results_file,
    starts_as_results_file, write_atomically,
};
pub use lost_share::{LostShare, increments_asked, lost_any, lost_share, lost_share_of_timed_runs};
pub use lost_words::lost_percent;
pub use machine::{
    BusyBasis, Busyness, LoadSummary, MachineInfo, SYS_CPU, last_level_cache_bytes, round_cores,
};
pub use not_recorded::text_or_not_recorded;
pub use python_info::{DASK_INSTALL, MPI_INSTALL, PythonInfo};
pub use rescue::{RESCUED_PREFIX, RescueError, rescue, rescue_in};
pub use scheduling::{GilCounters, Scheduling, ThreadUsage};
pub use time::utc_timestamp;
pub use timeline::{Span, SpanState, Timeline};
pub use writer::{
    Elsewhere, Liveness, WriterProcess, left_by_a_gone_process, writer_of_incomplete, writer_words,
};
