//! The results file: everything one sweep produced, as the engine writes it and the CLI, the
//! workbench and the exports read it.
//!
//! One concept a file: `document` (the top-level record, its format, status and baseline),
//! `provenance`, `sample` (one timed run), `cell` (one model at one worker count), `error`,
//! `open` (reading and refusing), `sniff` (telling a results file by its start), `save`,
//! `recompute` (the derived figures), `answers` (the answer checks) and `rerun` (the experiment
//! to measure again).

mod answers;
mod cell;
mod document;
mod error;
mod open;
mod provenance;
mod recompute;
mod rerun;
mod sample;
mod save;
mod sniff;
#[cfg(test)]
mod test_cells;

pub use answers::{differing_task_note, first_differing_task};
pub use cell::{CellResult, CellStatus};
pub use document::{Baseline, RESULTS_FORMAT, RESULTS_FORMAT_VERSION, ResultsFile, RunStatus};
pub use error::ResultsError;
pub use open::{MAX_CELLS, MAX_RESULTS_BYTES};
pub use provenance::Provenance;
pub use sample::Sample;
pub use save::write_atomically;
pub use sniff::{SNIFF_BYTES, is_empty_or_results_file, starts_as_results_file};
