//! The results document: what one sweep produced, with its format, its status and the baseline
//! its speedups were computed against.

use serde::{Deserialize, Serialize};

use super::cell::CellResult;
use super::provenance::Provenance;
use crate::preset::{self, Experiment, ModelKind};
use crate::results::WriterProcess;
use crate::results::machine::MachineInfo;
use crate::results::python_info::PythonInfo;

pub const RESULTS_FORMAT: &str = "corelab-results";
pub const RESULTS_FORMAT_VERSION: u32 = 1;

/// Everything one sweep produced: the experiment, the machine, every raw sample and the
/// summaries derived from them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResultsFile {
    /// Always `corelab-results`.
    pub format: String,
    pub format_version: u32,
    pub corelab_version: String,
    pub status: RunStatus,
    /// RFC 3339 UTC.
    pub started_at: String,
    pub finished_at: Option<String>,
    pub machine: MachineInfo,
    /// The interpreter of the `py-*` models, when any ran.
    pub python: Option<PythonInfo>,
    pub experiment: Experiment,
    pub baseline: Baseline,
    pub cells: Vec<CellResult>,
    /// Seed of the per-round shuffle of the cells' runs (interleaved measurement), so a
    /// sweep's run order can be reproduced. `None` in files from before interleaving.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle_seed: Option<u64>,
    /// How the task was sized to `experiment.target_run_s` on this machine (the experiment
    /// above holds the chosen size). `None` without a target.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calibration: Option<preset::Calibration>,
    /// Which build of corelab measured, how it was started and from which preset. Empty in
    /// files from before it was recorded.
    #[serde(skip_serializing_if = "Provenance::is_empty")]
    pub provenance: Provenance,
    /// The process writing the file while the sweep runs (see
    /// [`crate::results::left_by_a_gone_process`]); `None` in files from before it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer: Option<WriterProcess>,
    /// What went wrong in the sweep outside any cell's measurement, one line each: a process
    /// the stop at a cell's end killed that was still there after the wait
    /// (`engine::run_mark::not_gone_at_cell_end_words`). Kept here by the sweep as each is
    /// told, so that a file saved mid-sweep holds those told so far. Empty in files from
    /// before it was recorded.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Default for ResultsFile {
    fn default() -> Self {
        ResultsFile {
            format: RESULTS_FORMAT.into(),
            format_version: RESULTS_FORMAT_VERSION,
            corelab_version: env!("CARGO_PKG_VERSION").into(),
            status: RunStatus::Incomplete,
            started_at: String::new(),
            finished_at: None,
            machine: MachineInfo::default(),
            python: None,
            experiment: Experiment::default(),
            baseline: Baseline::default(),
            cells: Vec::new(),
            shuffle_seed: None,
            calibration: None,
            provenance: Provenance::default(),
            writer: None,
            warnings: Vec::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Every cell ran, and at least one was measured (some may have failed).
    Complete,
    /// The sweep ended, but every cell failed: nothing was measured. (Files from before this
    /// status say `complete` for such a sweep; every cell's own `status` says `failed`.)
    Failed,
    /// The user cancelled; the cells present are real.
    Cancelled,
    /// The sweep is still running or was killed: a partial file.
    #[default]
    Incomplete,
}

impl RunStatus {
    /// In words, for a note about a file that is not a complete run.
    pub fn describe(self) -> &'static str {
        match self {
            RunStatus::Complete => "every cell ran",
            RunStatus::Failed => "the sweep ended, but every cell failed: nothing was measured",
            RunStatus::Cancelled => "the sweep was cancelled; it holds the cells measured before",
            RunStatus::Incomplete => {
                "the sweep was still running or was killed; it holds the rounds saved so far"
            }
        }
    }
}

/// What speedup was computed against.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Baseline {
    pub kind: preset::Baseline,
    /// Plain words, e.g. "median wall time of the sequential model".
    pub description: String,
    /// The sequential median in seconds, when that is the baseline and it was measured.
    pub median_s: Option<f64>,
}

impl ResultsFile {
    /// The cell of `model` at `workers`, if it ran.
    pub fn cell(&self, model: ModelKind, workers: usize) -> Option<&CellResult> {
        self.cells
            .iter()
            .find(|c| c.model == Some(model) && c.workers == workers)
    }
}
