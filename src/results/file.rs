use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::machine::MachineInfo;
use crate::engine::PythonInfo;
use crate::preset::{self, Experiment, ModelKind};
use crate::stats::{self, Summary};

pub const RESULTS_FORMAT: &str = "corelab-results";
pub const RESULTS_FORMAT_VERSION: u32 = 1;
/// Largest results file corelab will open.
pub const MAX_RESULTS_BYTES: u64 = 256 * 1024 * 1024;

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
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RunStatus {
    /// Every cell ran (some may have failed).
    Complete,
    /// The user cancelled; the cells present are real.
    Cancelled,
    /// The sweep is still running or was killed: a partial file.
    #[default]
    Incomplete,
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellStatus {
    #[default]
    Ok,
    Failed,
    Cancelled,
}

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
    /// Switch counts, context switches and CPU time per thread (`gil-threads`, `py-threading`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<super::Scheduling>,
}

/// One model at one worker count.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CellResult {
    pub model: Option<ModelKind>,
    pub workers: usize,
    pub status: CellStatus,
    pub error: Option<String>,
    /// Process-pool or thread-pool start-up, seconds; not part of any sample.
    pub startup_s: Option<f64>,
    /// Where shared state lived (contention).
    pub shared_state: Option<String>,
    pub warmups: Vec<Sample>,
    pub samples: Vec<Sample>,
    // Derived from `samples` by `ResultsFile::recompute`:
    pub wall: Option<Summary>,
    pub cpu: Option<Summary>,
    pub speedup: Option<f64>,
    /// Speedup from the slowest and fastest run.
    pub speedup_low: Option<f64>,
    pub speedup_high: Option<f64>,
    pub efficiency: Option<f64>,
    /// CPU time / wall time: how many cores were busy on average.
    pub cpu_utilisation: Option<f64>,
    /// Median CPU time ÷ the baseline's median CPU time: how much work the run did compared
    /// with the baseline (1.0: none extra; above 1: overhead, spinning, contention). Per
    /// increment for `contention`, where every worker brings its own increments. `None` where
    /// the baseline mostly waits (under half a core busy) and the ratio means nothing.
    pub work_vs_baseline: Option<f64>,
    /// Whether every sample had the same checksum.
    pub checksums_agree: bool,
    /// Median throughput for `memory`, GB/s (10^9 bytes).
    pub gb_per_s: Option<f64>,
    /// Median lost updates for `contention`.
    pub lost_updates: Option<u64>,
}

impl CellResult {
    pub fn model_id(&self) -> &'static str {
        self.model.map_or("unknown", ModelKind::id)
    }

    pub fn checksum(&self) -> Option<u64> {
        self.samples.first().map(|s| s.checksum)
    }

    fn wall_times(&self) -> Vec<f64> {
        self.samples.iter().map(|s| s.wall_s).collect()
    }
}

#[derive(Debug, Error)]
pub enum ResultsError {
    #[error("cannot read results file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("results file {path} is {bytes} bytes, larger than the {limit}-byte limit")]
    TooLarge {
        path: String,
        bytes: u64,
        limit: u64,
    },
    #[error("{path} is not a corelab results file: {message}")]
    Parse { path: String, message: String },
    #[error("cannot write results file {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A cell that speedups (and work) may be measured against.
struct BaselineCell {
    model: Option<ModelKind>,
    workers: usize,
    /// Median wall time, seconds.
    wall: f64,
    /// Median CPU time, seconds, where the cell mostly computes (see [`MOSTLY_COMPUTING`]).
    cpu: Option<f64>,
}

/// A baseline whose CPU time is below this share of its wall time mostly waits: comparing
/// other runs' CPU time with it says nothing about extra work.
const MOSTLY_COMPUTING: f64 = 0.5;

impl ResultsFile {
    /// Fills every derived field (summaries, speedups, efficiency) from the raw samples.
    pub fn recompute(&mut self) {
        let kind = self.experiment.baseline;
        // Every cell a baseline can be: the sequential one, and each model at one worker.
        let candidates: Vec<BaselineCell> = self
            .cells
            .iter()
            .filter(|c| c.status == CellStatus::Ok)
            .filter(|c| c.workers == 1 || c.model == Some(ModelKind::Sequential))
            .filter_map(|c| {
                let wall = stats::median(&c.wall_times())?;
                let cpus: Vec<f64> = c.samples.iter().map(|s| s.cpu_s).collect();
                let cpu =
                    stats::median(&cpus).filter(|&cpu| cpu > 0.0 && cpu >= MOSTLY_COMPUTING * wall);
                Some(BaselineCell {
                    model: c.model,
                    workers: c.workers,
                    wall,
                    cpu,
                })
            })
            .collect();
        let sequential = candidates
            .iter()
            .find(|b| b.model == Some(ModelKind::Sequential));
        self.baseline = Baseline {
            kind,
            description: kind.describe().into(),
            median_s: match kind {
                preset::Baseline::Sequential => sequential.map(|b| b.wall),
                preset::Baseline::SameModelOneWorker => None,
            },
        };
        for cell in &mut self.cells {
            let walls = cell.wall_times();
            let cpus: Vec<f64> = cell.samples.iter().map(|s| s.cpu_s).collect();
            cell.wall = stats::summarize(&walls);
            cell.cpu = stats::summarize(&cpus);
            cell.checksums_agree = cell
                .samples
                .windows(2)
                .all(|w| w[0].checksum == w[1].checksum);
            let base = match kind {
                preset::Baseline::Sequential => sequential,
                preset::Baseline::SameModelOneWorker => candidates
                    .iter()
                    .find(|b| b.workers == 1 && b.model == cell.model),
            };
            let (mut sp, mut lo, mut hi, mut eff) = (None, None, None, None);
            if let (Some(base), Some(w)) = (base.map(|b| b.wall), &cell.wall) {
                sp = stats::speedup(base, w.median);
                if let Some((l, h)) = stats::speedup_range(base, w.min, w.max) {
                    (lo, hi) = (Some(l), Some(h));
                }
                eff = sp.and_then(|s| stats::efficiency(s, cell.workers));
            }
            (
                cell.speedup,
                cell.speedup_low,
                cell.speedup_high,
                cell.efficiency,
            ) = (sp, lo, hi, eff);
            cell.cpu_utilisation = match (&cell.cpu, &cell.wall) {
                (Some(c), Some(w)) if w.median > 0.0 => Some(c.median / w.median),
                _ => None,
            };
            // Contention gives every worker its own increments: compare work per increment.
            let amount = match self.experiment.task.kind {
                preset::TaskKind::Contention => cell.workers.max(1) as f64,
                _ => 1.0,
            };
            cell.work_vs_baseline = match (base.and_then(|b| b.cpu), &cell.cpu) {
                (Some(b), Some(c)) if c.median > 0.0 => Some(c.median / b / amount),
                _ => None,
            };
            let rates: Vec<f64> = cell
                .samples
                .iter()
                .filter_map(|s| Some(s.bytes_moved? as f64 / s.wall_s / 1e9))
                .collect();
            cell.gb_per_s = stats::median(&rates);
            let mut lost: Vec<u64> = cell.samples.iter().filter_map(|s| s.lost_updates).collect();
            lost.sort_unstable();
            cell.lost_updates = lost.get(lost.len() / 2).copied();
        }
    }

    /// The cell of `model` at `workers`, if it ran.
    pub fn cell(&self, model: ModelKind, workers: usize) -> Option<&CellResult> {
        self.cells
            .iter()
            .find(|c| c.model == Some(model) && c.workers == workers)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("results always serialise")
    }

    /// Parses a results document (size-limited; serde_json bounds nesting depth).
    pub fn from_json(text: &str, origin: &str) -> Result<ResultsFile, ResultsError> {
        let parse_err = |message: String| ResultsError::Parse {
            path: origin.to_string(),
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        // Checked before anything else, so that any other JSON document is refused plainly.
        match value.get("format").and_then(serde_json::Value::as_str) {
            Some(RESULTS_FORMAT) => {}
            Some(other) => {
                return Err(parse_err(format!(
                    "`format` is {other:?}, expected {RESULTS_FORMAT:?}"
                )));
            }
            None => {
                return Err(parse_err(format!(
                    "it has no `format` field (expected {RESULTS_FORMAT:?})"
                )));
            }
        }
        let mut file: ResultsFile = serde_path_to_error::deserialize(value)
            .map_err(|e| parse_err(format!("at `{}`: {}", e.path(), e.inner())))?;
        if file.format_version == 0 || file.format_version > RESULTS_FORMAT_VERSION {
            return Err(parse_err(format!(
                "`format_version` = {}: this corelab reads versions 1 to {RESULTS_FORMAT_VERSION}",
                file.format_version
            )));
        }
        file.recompute();
        Ok(file)
    }

    pub fn load(path: &Path) -> Result<ResultsFile, ResultsError> {
        let shown = path.display().to_string();
        let read_err = |source| ResultsError::Read {
            path: shown.clone(),
            source,
        };
        let bytes = std::fs::metadata(path).map_err(read_err)?.len();
        if bytes > MAX_RESULTS_BYTES {
            return Err(ResultsError::TooLarge {
                path: shown,
                bytes,
                limit: MAX_RESULTS_BYTES,
            });
        }
        let text = std::fs::read_to_string(path).map_err(read_err)?;
        ResultsFile::from_json(&text, &shown)
    }

    /// Writes the file atomically: a temporary file in the same directory, fsync, rename.
    /// A reader never sees a half-written file.
    pub fn save(&self, path: &Path) -> Result<(), ResultsError> {
        write_atomically(path, self.to_json().as_bytes()).map_err(|source| ResultsError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Temp file + fsync + rename, so that `path` holds either the old or the new content.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "results".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::{Experiment, TaskKind};

    /// A cell whose three runs each take `wall` seconds and `cpu` seconds of CPU time.
    fn cell(model: ModelKind, workers: usize, wall: f64, cpu: f64) -> CellResult {
        CellResult {
            model: Some(model),
            workers,
            samples: vec![
                Sample {
                    wall_s: wall,
                    cpu_s: cpu,
                    ..Sample::default()
                };
                3
            ],
            ..CellResult::default()
        }
    }

    fn results(kind: TaskKind, cells: Vec<CellResult>) -> ResultsFile {
        let mut experiment = Experiment::default();
        experiment.task.kind = kind;
        let mut r = ResultsFile {
            experiment,
            cells,
            ..ResultsFile::default()
        };
        r.recompute();
        r
    }

    #[test]
    fn work_compares_cpu_time_with_the_baselines() {
        let r = results(
            TaskKind::Cpu,
            vec![
                cell(ModelKind::Sequential, 1, 2.0, 2.0),
                cell(ModelKind::Threads, 2, 1.0, 2.0),
                cell(ModelKind::Processes, 2, 1.5, 3.0),
            ],
        );
        assert_eq!(r.cells[1].work_vs_baseline, Some(1.0), "no extra work");
        assert_eq!(r.cells[2].work_vs_baseline, Some(1.5), "half as much again");
        assert_eq!(r.cells[2].cpu_utilisation, Some(2.0));
    }

    #[test]
    fn work_is_not_shown_against_a_baseline_that_mostly_waits() {
        let r = results(
            TaskKind::Io,
            vec![
                cell(ModelKind::Sequential, 1, 1.0, 0.01),
                cell(ModelKind::Threads, 4, 0.25, 0.01),
            ],
        );
        assert_eq!(r.cells[1].work_vs_baseline, None);
    }

    #[test]
    fn contention_work_is_per_increment() {
        // Every worker brings its own increments: 4 workers do 4 times the baseline's.
        let r = results(
            TaskKind::Contention,
            vec![
                cell(ModelKind::Sequential, 1, 1.0, 1.0),
                cell(ModelKind::Threads, 4, 2.0, 8.0),
            ],
        );
        assert_eq!(r.cells[1].work_vs_baseline, Some(2.0));
    }
}
