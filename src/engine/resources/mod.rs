//! What a sweep will need from the machine, estimated before it starts.
//!
//! A preset within its validated ranges can still ask for more than any machine has (three
//! 4 GiB arrays in each of 256 worker processes; a 1 GiB file per task in flight). The sweep
//! starts every cell's executor before the first run and interleaves their runs, so what each
//! cell *keeps* between its runs is held by all cells at once: worker processes (each with the
//! workload it was configured with), and the one built workload the in-process cells share
//! ([`crate::engine::workload::shared`]). The memory peak is the sum of what every cell keeps
//! plus the largest extra a single run needs while it runs (runs never overlap). Files are
//! written only during a run, so the disk peak is the largest run's. [`check`](fn@check) compares those
//! peaks with the memory the kernel reports available (`MemAvailable` in `/proc/meminfo`) and
//! the disk free where scratch directories go (`statvfs`), and refuses, quoting both, when
//! they do not fit.
//!
//! One concept a file: `needs` (what one cell needs, and the sweep's memory peak), `available`
//! (what the machine has), `array_sizing` (a calibrated memory task's arrays), `address_space`
//! (`ulimit -v`), `processes_limit` (`ulimit -u`), `open_files` (`ulimit -n`), `check` (the
//! checks before a sweep starts, and its warnings), `spawn_hint` (what a failed spawn may
//! mean), `error` (the refusals) and `human_bytes` (sizes in words).

mod address_space;
mod array_sizing;
mod available;
mod check;
mod error;
mod human_bytes;
mod needs;
mod open_files;
mod processes_limit;
mod spawn_hint;
#[cfg(test)]
mod test_fixtures;

pub use super::kept_tasks::{PythonSetup, READERS_PER_CHILD, kept_tasks, likely_tasks};
pub use address_space::{CORELAB_ADDRESS_FLOOR, Holder, RUST_THREAD_ADDRESS_BYTES};
pub use array_sizing::{memory_arrays, sized_for};
pub use available::{Available, available_now};
pub use check::{check, check_against, warnings};
pub use error::ResourceError;
pub use human_bytes::human;
pub use needs::{CellNeeds, sweep_needs};
pub use spawn_hint::spawn_hint;
