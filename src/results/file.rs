use std::path::Path;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::machine::MachineInfo;
use super::python_info::PythonInfo;
use crate::preset::{self, Experiment, ModelKind};
use crate::stats::{self, Summary};

pub const RESULTS_FORMAT: &str = "corelab-results";
pub const RESULTS_FORMAT_VERSION: u32 = 1;
/// Largest results file corelab will open.
pub const MAX_RESULTS_BYTES: u64 = 256 * 1024 * 1024;
/// The most cells a results file may have: every model at every one of the most worker
/// counts a preset allows, and room to spare.
pub const MAX_CELLS: usize = 4096;

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
    /// [`super::left_by_a_gone_process`]); `None` in files from before it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub writer: Option<super::WriterProcess>,
}

/// Where a results file came from, beyond `corelab_version`: the commit corelab was built
/// from and whether its tree was modified, the command line (or `workbench`), and the preset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Provenance {
    /// The short commit hash corelab was built from (`9fb3689`), or `unknown` (a build from
    /// a tarball without `CORELAB_COMMIT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Whether tracked files differed from that commit when corelab was built; `None` where
    /// that is not known (the commit came from `CORELAB_COMMIT`, or is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree_modified: Option<bool>,
    /// The command line that ran the sweep, sanitised (control characters escaped, the home
    /// directory written `~`, quoted where needed): `corelab run cpu-bound --out a.json`; or
    /// `workbench`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Where the experiment came from: `built-in preset cpu-bound`, `preset file p.json`,
    /// `results file a.json`, with ` (modified)` when edited or overridden before the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset_source: Option<String>,
    /// A Python function task: the source of the function the run calls, read from the module
    /// when the sweep started (its last top-level `def`, decorators included: see
    /// [`crate::engine::python_source`]). Absent when the module's text cannot say which code
    /// Python calls (`function_note` says why), and in files from before it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_source: Option<String>,
    /// A Python function task whose name is not last bound by a plain top-level `def`: what
    /// binds it instead (an assignment, an import, a decorator, a `def` in an `if`/`try`
    /// block), in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_note: Option<String>,
}

impl Provenance {
    /// This build's commit and whether its tree was modified (from `build.rs`); no command
    /// or preset yet.
    pub fn of_this_build() -> Provenance {
        Provenance {
            commit: Some(env!("CORELAB_COMMIT_HASH").to_string()),
            tree_modified: match env!("CORELAB_TREE_MODIFIED") {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            command: None,
            preset_source: None,
            function_source: None,
            function_note: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Provenance::default()
    }

    /// The commit in words: `9fb3689`, `9fb3689 (modified tree)`, `unknown`; `None` in files
    /// from before it was recorded.
    pub fn commit_text(&self) -> Option<String> {
        let commit = self.commit.as_deref()?;
        Some(match self.tree_modified {
            Some(true) => format!("{commit} (tree modified: tracked files differed from it)"),
            Some(false) => format!("{commit} (clean tree)"),
            None => commit.to_string(),
        })
    }
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
    #[serde(skip_serializing_if = "super::BusyBasis::is_run")]
    pub busy_basis: super::BusyBasis,
    /// Minor page faults during the run, over the threads and processes its CPU time counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minor_faults: Option<u64>,
    /// Switch counts, context switches and CPU time per thread (`gil-threads`, `py-threading`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduling: Option<super::Scheduling>,
    /// Who ran when in this run; kept in memory only, and only the median run's is saved
    /// (as `CellResult::timeline`).
    #[serde(skip)]
    pub timeline: Option<Box<super::Timeline>>,
    /// Memory, switches, migrations and bytes moved (see `results::costs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs: Option<super::RunCosts>,
    /// Function tasks: each task's checksum, in task order (see `first_differing_task`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_checksums: Option<Vec<u64>>,
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
    /// The part of `startup_s` that imported the user's module (a Python function task: the
    /// interpreter and every pool process import it before the first run), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub import_s: Option<f64>,
    /// Where shared state lived (contention).
    pub shared_state: Option<String>,
    pub warmups: Vec<Sample>,
    pub samples: Vec<Sample>,
    /// How many of `samples` are marked busy (`Sample::busy`: judged alone, or by the cell's
    /// pooled ticks).
    pub busy_runs: usize,
    /// The other load over the cell's timed runs, pooled from their ticks, with its verdict
    /// (see `engine::load`). `None` in files from before pooling, and without load figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load: Option<super::LoadSummary>,
    // Derived from `samples` by `ResultsFile::recompute`:
    pub wall: Option<Summary>,
    pub cpu: Option<Summary>,
    pub speedup: Option<f64>,
    /// Speedup from the slowest and fastest run.
    pub speedup_low: Option<f64>,
    pub speedup_high: Option<f64>,
    /// The confidence interval of `speedup`: the cell's median interval and the baseline's
    /// together ([`stats::speedup_interval`]), so a point is never drawn as more precise than
    /// the baseline it is divided by. `None` for the baseline cell itself, whose speedup is 1
    /// by definition. Derived; old files get it from `recompute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup_ci_low: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup_ci_high: Option<f64>,
    /// The coverage of the speedup's interval: the lower of the two median intervals'
    /// coverages (the baseline's and this cell's), 0.95 or more only where both cells have 6
    /// runs or more; below that the interval is the runs' range or close to it and says less.
    /// `None` where there is no interval. Derived; old files get it from `recompute`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speedup_ci_coverage: Option<f64>,
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
    /// Median lost updates over this cell's timed runs, for `contention` (a count one run
    /// measured: of an even count, the lower of the middle two): 0 unless more than half of
    /// the runs lost any (see
    /// `lost_updates_max` and `runs_with_lost_updates`). These three count the cell's timed
    /// runs whatever its status, as the gate does, a count above what a run asked for taken as
    /// all of it; the chart, the table's note and the verdict show completed cells only
    /// (`results::lost_share`). Derived from the samples whenever a file is read.
    pub lost_updates: Option<u64>,
    /// The most updates lost in one timed run, for `contention`.
    pub lost_updates_max: Option<u64>,
    /// How many timed runs lost at least one update, for `contention` (of `samples.len()`).
    pub runs_with_lost_updates: Option<usize>,
    /// `py-dask`, `py-mpi`: the cluster that ran the cell's tasks (scheduler, workers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<super::cluster::ClusterInfo>,
    /// Who ran when in the median run (see `results::timeline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<super::Timeline>,
    /// Peak resident memory of every process the model ran (parent and workers, summed, the
    /// whole processes: this one with its front end), bytes: the largest over the cell's runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_rss_bytes: Option<u64>,
    /// The memory a run added (see `RunCosts::added_rss_bytes`: this process's growth during
    /// the run plus each worker process's peak), bytes: the largest over the cell's runs. Unlike
    /// `peak_rss_bytes` it leaves out the front end's own memory. Absent in older files.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub added_rss_bytes: Option<u64>,
    /// Costs besides time (see `results::costs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub costs: Option<super::CellCosts>,
}

impl CellResult {
    /// A cell of `model × workers` whose timed runs took `walls` seconds, nothing else
    /// recorded (for tests of what is derived from wall times; `recompute` the file after).
    #[cfg(test)]
    pub(crate) fn with_walls(model: ModelKind, workers: usize, walls: &[f64]) -> Self {
        CellResult {
            model: Some(model),
            workers,
            samples: walls
                .iter()
                .map(|&wall_s| Sample {
                    wall_s,
                    ..Sample::default()
                })
                .collect(),
            ..CellResult::default()
        }
    }

    /// A cell cancelled after some of its timed runs: its median, interval and speedup are
    /// from those runs (partial, and labelled so), not from the runs it was meant to take.
    pub fn is_partial(&self) -> bool {
        self.status == CellStatus::Cancelled && !self.samples.is_empty()
    }

    /// Marks a cell that was still being measured when its file was written (a save between
    /// rounds): cancelled, with the runs it has, so it
    /// reads as partial ([`CellResult::is_partial`]) and never as a finished cell.
    pub fn mark_still_measuring(&mut self) {
        let runs = crate::words::count(self.samples.len(), "timed run");
        self.status = CellStatus::Cancelled;
        self.error = Some(format!(
            "still being measured when this file was saved ({runs} so far)"
        ));
    }

    /// Whether the cell has figures to show: it completed, or it was cancelled after some
    /// runs ([`CellResult::is_partial`]). A failed cell's runs are not shown.
    pub fn is_measured(&self) -> bool {
        self.status == CellStatus::Ok || self.is_partial()
    }

    /// Whether other programs competed for the cores during this cell's timed runs: a run
    /// was marked busy, or their pooled ticks say so.
    pub fn was_busy(&self) -> bool {
        self.busy_runs > 0 || self.load.as_ref().is_some_and(|l| l.busy)
    }

    pub fn model_id(&self) -> &'static str {
        self.model.map_or("unknown", ModelKind::id)
    }

    /// Whether the cell's median run kept under half a core busy (median CPU time under half
    /// its median wall time, see [`MOSTLY_COMPUTING`]): it waited most of its run, for I/O or
    /// for a core other programs had. `false` where either median is unknown.
    pub fn mostly_waits(&self) -> bool {
        match (&self.cpu, &self.wall) {
            (Some(cpu), Some(wall)) => {
                wall.median > 0.0 && !mostly_computes(cpu.median, wall.median)
            }
            _ => false,
        }
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
    #[error(
        "{path} is a corelab results file of a newer format (`format_version` = {found}) than \
         this corelab reads (1 to {RESULTS_FORMAT_VERSION}): open it with a newer corelab"
    )]
    NewerFormat { path: String, found: u64 },
    /// A figure no sweep writes (a cell of 0 workers, a negative time): the message names the
    /// cell and quotes the value.
    #[error("{path} contradicts itself: {message}")]
    Contradiction { path: String, message: String },
    #[error("cannot write results file {path}: {source}")]
    Write {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// A cell's baseline ([`ResultsFile::baselines`]) as `derive` needs it.
struct Reference {
    /// Its index in `cells`: the baseline's own speedup is 1 by definition, with no interval.
    index: usize,
    /// Median wall time, seconds, with its confidence interval.
    wall: stats::MedianInterval,
    /// Median CPU time, seconds, where the cell mostly computes (see [`MOSTLY_COMPUTING`]).
    cpu: Option<f64>,
    /// The coverage of its median interval (below 0.95 with fewer than 6 runs).
    coverage: f64,
}

/// A baseline whose CPU time is below this share of its wall time mostly waits: comparing
/// other runs' CPU time with it says nothing about extra work.
const MOSTLY_COMPUTING: f64 = 0.5;

/// Whether a run of `cpu_s` CPU seconds in `wall_s` wall seconds mostly computed: it kept at
/// least half a core busy on average ([`MOSTLY_COMPUTING`]). The one rule for "this cell
/// mostly waited": `derive`'s work ratio and the lessons' starved baseline
/// ([`CellResult::mostly_waits`]) both ask it.
fn mostly_computes(cpu_s: f64, wall_s: f64) -> bool {
    cpu_s >= MOSTLY_COMPUTING * wall_s
}

/// Whether the task is computation by its kind (the CPU kernels, the triad, the counter
/// updates): its baseline's CPU time is a measure of work even when other programs starved it
/// of a core, so that its CPU ÷ wall fell below [`MOSTLY_COMPUTING`] (0.21 on a loaded 2-core
/// machine). Other kinds are judged by the measured ratio.
fn computes_by_kind(kind: preset::TaskKind) -> bool {
    use preset::TaskKind::*;
    matches!(kind, Cpu | Memory | Contention)
}

impl Reference {
    /// From a cell whose summaries are filled in (`summarize_times`); `computes`: the task is
    /// computation by its kind ([`computes_by_kind`]).
    fn of(index: usize, c: &CellResult, computes: bool) -> Option<Reference> {
        let summary = c.wall.as_ref()?;
        let wall = median_interval(summary);
        let coverage = summary.median_ci_coverage;
        let cpu = c
            .cpu
            .as_ref()
            .map(|s| s.median)
            .filter(|&cpu| cpu > 0.0 && (computes || mostly_computes(cpu, wall.median)));
        Some(Reference {
            index,
            wall,
            cpu,
            coverage,
        })
    }
}

impl ResultsFile {
    /// Fills every derived field (summaries, speedups, efficiency) from the raw samples, after
    /// re-checking the answers (see [`ResultsFile::check_answers`]). Linear in the number of
    /// cells and samples: the baselines are indexed by model, not searched for per cell.
    pub fn recompute(&mut self) {
        self.check_answers();
        let kind = self.experiment.baseline;
        self.cells.iter_mut().for_each(summarize_times);
        // Each cell's baseline, decided in one place (`baselines`), with the CPU time `derive`
        // compares work with.
        let baselines = self.baselines();
        let computes = computes_by_kind(self.experiment.task.kind);
        let references: Vec<Option<Reference>> = self
            .cells
            .iter()
            .map(|c| {
                let (i, _) = baselines.measured(c.model)?;
                Reference::of(i, &self.cells[i], computes)
            })
            .collect();
        self.baseline = Baseline {
            kind,
            description: kind.describe().into(),
            median_s: match kind {
                preset::Baseline::Sequential => baselines
                    .of(Some(ModelKind::Sequential))
                    .time
                    .map(|t| t.median_s),
                preset::Baseline::SameModelOneWorker => None,
            },
        };
        // Contention gives every worker its own increments: compare work per increment.
        let per_worker = self.experiment.task.kind == preset::TaskKind::Contention;
        for (i, (cell, base)) in self.cells.iter_mut().zip(&references).enumerate() {
            let base = base.as_ref();
            derive(cell, base, base.is_some_and(|b| b.index == i), per_worker);
        }
        let lost: Vec<_> = self
            .cells
            .iter()
            .map(|c| super::lost_share::lost_counts_of_timed_runs(self, c))
            .collect();
        for (cell, share) in self.cells.iter_mut().zip(lost) {
            set_lost_updates(cell, share);
        }
    }

    /// Every model computes the same answer, so a cell whose runs disagree on the checksum,
    /// or whose checksum differs from the baseline's, is failed with the reason, as the sweep
    /// does while measuring: a file opened later says the same in the report and the
    /// workbench. The reference is the first sequential cell whose runs agree (else the first
    /// such cell of any model). Lock contention is exempt: its checksum is the counter, which
    /// lost updates change.
    pub fn check_answers(&mut self) {
        if self.experiment.task.kind == preset::TaskKind::Contention {
            return;
        }
        let exp = &self.experiment;
        for cell in self.cells.iter_mut().filter(|c| c.status == CellStatus::Ok) {
            let Some(first) = cell.samples.first() else {
                continue;
            };
            if let Some(bad) = cell.samples.iter().find(|s| s.checksum != first.checksum) {
                let note = differing_task_note(exp, first, bad);
                cell.error = Some(format!(
                    "runs disagree on the answer: checksum {:#x} then {:#x}{note}",
                    first.checksum, bad.checksum
                ));
                cell.status = CellStatus::Failed;
            }
        }
        let usable = |c: &&CellResult| c.status == CellStatus::Ok && !c.samples.is_empty();
        let reference = self
            .cells
            .iter()
            .filter(usable)
            .find(|c| c.model == Some(ModelKind::Sequential))
            .or_else(|| self.cells.iter().find(usable))
            .and_then(|c| Some((c.samples.first()?.clone(), c.model_id(), c.workers)));
        let Some((expected, model, workers)) = reference else {
            return;
        };
        let exp = &self.experiment;
        for cell in self.cells.iter_mut().filter(|c| c.status == CellStatus::Ok) {
            if let Some(got) = cell.samples.first()
                && got.checksum != expected.checksum
            {
                let note = differing_task_note(exp, got, &expected);
                cell.error = Some(format!(
                    "wrong answer: checksum {:#x}, the baseline ({model} × {workers}) computed {:#x}{note}",
                    got.checksum, expected.checksum
                ));
                cell.status = CellStatus::Failed;
            }
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

    /// Parses a results document (size-limited; serde_json bounds nesting depth). The text
    /// is read twice, as a stream, never as a `serde_json::Value` tree: once for the `format`
    /// field alone (so that any other JSON document is refused plainly), then straight into
    /// the typed structs. Memory stays a small multiple of the file size, time linear.
    pub fn from_json(text: &str, origin: &str) -> Result<ResultsFile, ResultsError> {
        let parse_err = |message: String| ResultsError::Parse {
            path: origin.to_string(),
            message,
        };
        /// Only the `format` field; everything else is skipped without being stored.
        #[derive(Deserialize)]
        struct FormatOnly {
            #[serde(default)]
            format: Option<serde_json::Value>,
            #[serde(default)]
            format_version: Option<serde_json::Value>,
        }
        let head: FormatOnly = serde_json::from_str(text).map_err(|e| parse_err(e.to_string()))?;
        // Checked before anything else, so that any other JSON document is refused plainly.
        match head.format.as_ref().map(|f| f.as_str().ok_or(f)) {
            Some(Ok(RESULTS_FORMAT)) => {}
            Some(Ok(other)) => {
                return Err(parse_err(format!(
                    "`format` is {other:?}, expected {RESULTS_FORMAT:?}"
                )));
            }
            Some(Err(other)) => {
                return Err(parse_err(format!(
                    "`format` is {other}, expected {RESULTS_FORMAT:?}"
                )));
            }
            None => {
                return Err(parse_err(format!(
                    "it has no `format` field (expected {RESULTS_FORMAT:?})"
                )));
            }
        }
        // A newer format is said to be one before its fields (which may have changed) are read.
        if let Some(found) = head.format_version.as_ref().and_then(|v| v.as_u64())
            && found > u64::from(RESULTS_FORMAT_VERSION)
        {
            return Err(ResultsError::NewerFormat {
                path: origin.to_string(),
                found,
            });
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let mut file: ResultsFile = serde_path_to_error::deserialize(&mut de)
            .map_err(|e| parse_err(format!("at `{}`: {}", e.path(), e.inner())))?;
        de.end().map_err(|e| parse_err(e.to_string()))?;
        if file.format_version == 0 || file.format_version > RESULTS_FORMAT_VERSION {
            return Err(parse_err(format!(
                "`format_version` = {}: this corelab reads versions 1 to {RESULTS_FORMAT_VERSION}",
                file.format_version
            )));
        }
        // More cells or workers than any sweep makes (a hand-made or hostile file): refused,
        // since charts and tables are drawn per cell and per worker count every frame.
        if file.cells.len() > MAX_CELLS {
            return Err(parse_err(format!(
                "{} cells: a sweep makes at most {MAX_CELLS}",
                file.cells.len()
            )));
        }
        let most = crate::preset::limits::MAX_IN_FLIGHT;
        let workers = file.cells.iter().map(|c| c.workers);
        if let Some(w) = workers
            .chain(file.experiment.workers.iter().copied())
            .find(|&w| w > most)
        {
            return Err(parse_err(format!(
                "{w} workers: a sweep runs at most {most}"
            )));
        }
        if file.experiment.workers.len() > crate::preset::limits::MAX_WORKER_COUNTS {
            return Err(parse_err(format!(
                "`experiment.workers` lists {} counts: a sweep has at most {}",
                file.experiment.workers.len(),
                crate::preset::limits::MAX_WORKER_COUNTS
            )));
        }
        super::consistency::refuse_impossible(&file).map_err(|message| {
            ResultsError::Contradiction {
                path: origin.to_string(),
                message,
            }
        })?;
        // Stored counts are derived again from the samples they count.
        super::consistency::reconcile(&mut file);
        // A timeline larger than any this corelab records (a hand-made or hostile file) is
        // left out: drawing hundreds of thousands of spans would stall the workbench.
        for cell in &mut file.cells {
            cell.timeline = cell.timeline.take().filter(super::Timeline::within_limit);
            for s in cell.samples.iter_mut().chain(cell.warmups.iter_mut()) {
                s.timeline = s.timeline.take().filter(|t| t.within_limit());
            }
        }
        file.recompute();
        Ok(file)
    }

    /// Whether `path` is a regular file holding a results document
    /// ([`Self::is_results_document`]): where a preset is asked for, such a file stands for
    /// the experiment it recorded ([`Self::rerun_experiment`]). `corelab run` and the
    /// workbench's "Open preset…" both decide by this.
    pub fn file_is_results(path: &Path) -> bool {
        crate::safe_fs::read_regular_text(path, MAX_RESULTS_BYTES)
            .is_ok_and(|text| Self::is_results_document(&text))
    }

    /// Whether `text` is a JSON document whose `format` is [`RESULTS_FORMAT`]: a results
    /// file, to be told apart from a preset (whatever else it holds).
    pub fn is_results_document(text: &str) -> bool {
        #[derive(Deserialize)]
        struct FormatOnly {
            #[serde(default)]
            format: Option<serde_json::Value>,
        }
        serde_json::from_str::<FormatOnly>(text)
            .ok()
            .and_then(|h| h.format)
            .is_some_and(|f| f.as_str() == Some(RESULTS_FORMAT))
    }

    /// The experiment to measure again what this file measured: the recorded experiment
    /// (its task already at the calibrated size) with calibration turned off, so that the
    /// same work is measured rather than a size chosen anew. With the words that say so,
    /// e.g. `calibration off: task.cpu.size = 2610519 as recorded (calibrated to 0.25 s
    /// per run then)`; `None` for the words where the file was not calibrated.
    pub fn rerun_experiment(&self) -> (Experiment, Option<String>) {
        let mut exp = self.experiment.clone();
        let calibrated = exp.target_run_s > 0.0 || self.calibration.is_some();
        exp.target_run_s = 0.0;
        let words = calibrated.then(|| {
            let size = exp
                .task
                .size_knob()
                .map_or("the task's size".into(), |(knob, v)| {
                    format!("{knob} = {v}")
                });
            let then = self.calibration.as_ref().map_or(String::new(), |c| {
                format!(" (calibrated to {} s per run then)", c.target_run_s)
            });
            format!("calibration off: {size} as recorded{then}, so the same work is measured")
        });
        (exp, words)
    }

    pub fn load(path: &Path) -> Result<ResultsFile, ResultsError> {
        let shown = path.display().to_string();
        let text =
            crate::safe_fs::read_regular_text(path, MAX_RESULTS_BYTES).map_err(|e| match e {
                crate::safe_fs::ReadError::TooLarge { bytes, limit } => ResultsError::TooLarge {
                    path: shown.clone(),
                    bytes,
                    limit,
                },
                other => ResultsError::Read {
                    path: shown.clone(),
                    source: other.into(),
                },
            })?;
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

/// A summary's median with its order-statistics interval.
fn median_interval(s: &stats::Summary) -> stats::MedianInterval {
    stats::MedianInterval {
        median: s.median,
        low: s.median_ci_low,
        high: s.median_ci_high,
    }
}

/// A cell's wall-time and CPU-time summaries, from its samples.
fn summarize_times(cell: &mut CellResult) {
    let cpus: Vec<f64> = cell.samples.iter().map(|s| s.cpu_s).collect();
    cell.wall = stats::summarize(&cell.wall_times());
    cell.cpu = stats::summarize(&cpus);
}

/// The derived fields of one cell (its summaries already filled in), against its baseline,
/// which `is_baseline` says the cell is itself.
fn derive(cell: &mut CellResult, base: Option<&Reference>, is_baseline: bool, per_worker: bool) {
    cell.checksums_agree = cell
        .samples
        .windows(2)
        .all(|w| w[0].checksum == w[1].checksum);
    let (mut sp, mut lo, mut hi, mut eff) = (None, None, None, None);
    let mut ci = None;
    // Where every worker brings its own work (lock contention: weak scaling), the speedup is
    // the throughput's: N workers' N × the work against one worker's, N · T₁ / T_N, so that
    // the ideal is N as for every other task, and efficiency is T₁ / T_N.
    let scaled = if per_worker {
        cell.workers.max(1) as f64
    } else {
        1.0
    };
    if let (Some(base), Some(w)) = (base, &cell.wall) {
        sp = stats::speedup(base.wall.median, w.median).map(|s| s * scaled);
        if let Some((l, h)) = stats::speedup_range(base.wall.median, w.min, w.max) {
            (lo, hi) = (Some(l * scaled), Some(h * scaled));
        }
        ci = (!is_baseline)
            .then(|| stats::speedup_interval(base.wall, median_interval(w)))
            .flatten()
            .map(|(l, h)| (l * scaled, h * scaled));
        eff = sp.and_then(|s| stats::efficiency(s, cell.workers));
    }
    (
        cell.speedup,
        cell.speedup_low,
        cell.speedup_high,
        cell.efficiency,
    ) = (sp, lo, hi, eff);
    (cell.speedup_ci_low, cell.speedup_ci_high) = ci.unzip();
    cell.speedup_ci_coverage = match (ci, base, &cell.wall) {
        (Some(_), Some(b), Some(w)) => Some(b.coverage.min(w.median_ci_coverage)),
        _ => None,
    };
    cell.cpu_utilisation = match (&cell.cpu, &cell.wall) {
        (Some(c), Some(w)) if w.median > 0.0 => Some(c.median / w.median),
        _ => None,
    };
    let amount = if per_worker {
        cell.workers.max(1) as f64
    } else {
        1.0
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
}

/// A cell's stored lost-update figures: what its timed runs lost, whatever its status, as the
/// gate counts them (`lost_share::lost_counts_of_timed_runs`: a count above what a run asked
/// for is all of it); for a completed cell the lost-updates chart's runs, as counts.
fn set_lost_updates(cell: &mut CellResult, counts: Option<super::lost_share::LostCounts>) {
    cell.lost_updates = counts.map(|c| c.median);
    cell.lost_updates_max = counts.map(|c| c.max);
    cell.runs_with_lost_updates = counts.map(|c| c.runs_losing);
}

/// Replaces `path` atomically: see [`crate::safe_fs::write_atomically`] (an exclusive,
/// unpredictable temporary file next to it, fsync, rename; a target that is not a regular
/// file is refused).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::safe_fs::write_atomically(path, bytes)
}

/// The index of the first task whose answer differs between two runs, when both recorded
/// per-task checksums of the same length (function tasks run by a Python model).
pub fn first_differing_task(a: &Sample, b: &Sample) -> Option<usize> {
    let (x, y) = (a.task_checksums.as_ref()?, b.task_checksums.as_ref()?);
    if x.len() != y.len() {
        return None;
    }
    x.iter().zip(y).position(|(p, q)| p != q)
}

/// `"; the first task that differs is task 3, work(40)"` for runs of a function task whose
/// per-task answers are known, else an empty string.
pub fn differing_task_note(exp: &Experiment, a: &Sample, b: &Sample) -> String {
    let Some(i) = first_differing_task(a, b) else {
        return String::new();
    };
    let f = &exp.task.function;
    let arg = match f.args.get(i) {
        Some(v) => {
            let text = v.to_string();
            match text.chars().count() > 60 {
                true => format!("{}…", text.chars().take(60).collect::<String>()),
                false => text,
            }
        }
        None => i.to_string(),
    };
    format!(
        "; the first task that differs is task {i}, {}({arg})",
        f.name
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_first_differing_task_is_named_with_its_argument() {
        let mut exp = Experiment::default();
        exp.task.function.name = "work".into();
        exp.task.function.args = vec![
            serde_json::json!(10),
            serde_json::json!("x"),
            serde_json::json!([1, 2]),
        ];
        let run = |t: Vec<u64>| Sample {
            task_checksums: Some(t),
            ..Sample::default()
        };
        let (a, b) = (run(vec![1, 2, 3]), run(vec![1, 2, 4]));
        assert_eq!(first_differing_task(&a, &b), Some(2));
        assert_eq!(
            differing_task_note(&exp, &a, &b),
            "; the first task that differs is task 2, work([1,2])"
        );
        // Unknown or incomparable per-task answers: no claim.
        assert_eq!(first_differing_task(&a, &run(vec![1, 2])), None);
        assert_eq!(first_differing_task(&a, &Sample::default()), None);
        assert_eq!(differing_task_note(&exp, &a, &a), "");
        // A `range` task: the argument is the index.
        exp.task.function.args.clear();
        exp.task.function.range = Some(3);
        assert_eq!(
            differing_task_note(&exp, &run(vec![0, 9, 9]), &run(vec![0, 8, 9])),
            "; the first task that differs is task 1, work(1)"
        );
    }

    use super::*;

    #[test]
    fn provenance_is_optional_and_results_are_told_from_presets() {
        // A file from before provenance: it loads, with none.
        let old =
            r#"{"format": "corelab-results", "format_version": 1, "corelab_version": "0.1.0"}"#;
        assert!(ResultsFile::is_results_document(old));
        let r = ResultsFile::from_json(old, "old.json").unwrap();
        assert!(r.provenance.is_empty());
        assert!(!r.to_json().contains("provenance"));
        // Saved and read back.
        let r = ResultsFile {
            provenance: Provenance {
                command: Some("workbench".into()),
                ..Provenance::of_this_build()
            },
            ..ResultsFile::default()
        };
        let back = ResultsFile::from_json(&r.to_json(), "new.json").unwrap();
        assert_eq!(back.provenance, r.provenance);
        assert!(back.provenance.commit.is_some());
        // Presets and other JSON are not results files.
        assert!(!ResultsFile::is_results_document(
            r#"{"version": 1, "name": "x"}"#
        ));
        assert!(!ResultsFile::is_results_document(r#"{"format": 1}"#));
        assert!(!ResultsFile::is_results_document("not json"));
    }

    #[test]
    fn a_rerun_keeps_the_calibrated_size_and_turns_calibration_off() {
        let mut r = ResultsFile::default();
        r.experiment.task.cpu.size = 2_610_519;
        r.experiment.target_run_s = 0.25;
        let (exp, words) = r.rerun_experiment();
        assert_eq!(exp.task.cpu.size, 2_610_519);
        assert_eq!(exp.target_run_s, 0.0);
        assert_eq!(
            words.as_deref(),
            Some(
                "calibration off: task.cpu.size = 2610519 as recorded, so the same work is measured"
            )
        );
        r.experiment.target_run_s = 0.0;
        assert_eq!(r.rerun_experiment().1, None, "nothing was calibrated");
    }
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
    fn a_speedups_interval_holds_the_baselines_uncertainty_too() {
        // Five runs each: the intervals are the runs' ranges. Baseline 2.0 s in [1.8, 2.2],
        // threads × 2 1.0 s in [0.9, 1.1]; an exact baseline would give 2/1.1 – 2/0.9.
        let runs = |m: f64| [0.9 * m, 0.95 * m, m, 1.05 * m, 1.1 * m];
        let cells = vec![
            CellResult::with_walls(ModelKind::Sequential, 1, &runs(2.0)),
            CellResult::with_walls(ModelKind::Threads, 2, &runs(1.0)),
        ];
        let r = results(TaskKind::Cpu, cells);
        let (base, threads) = (&r.cells[0], &r.cells[1]);
        assert_eq!(base.speedup, Some(1.0));
        assert_eq!(
            (base.speedup_ci_low, base.speedup_ci_high),
            (None, None),
            "the baseline is 1× by definition"
        );
        let (lo, hi) = (
            threads.speedup_ci_low.unwrap(),
            threads.speedup_ci_high.unwrap(),
        );
        let down = (2.0_f64 / 1.8).ln().hypot((1.1_f64 / 1.0).ln());
        let up = (2.2_f64 / 2.0).ln().hypot((1.0_f64 / 0.9).ln());
        assert!((lo - 2.0 * (-down).exp()).abs() < 1e-12, "{lo}");
        assert!((hi - 2.0 * up.exp()).abs() < 1e-12, "{hi}");
        assert!(
            lo < 2.0 / 1.1 && hi > 2.0 / 0.9,
            "wider than the exact-baseline interval"
        );
        // Against each model's own single worker, every one-worker cell is a baseline.
        let mut same = results(
            TaskKind::Cpu,
            vec![
                CellResult::with_walls(ModelKind::Threads, 1, &runs(2.0)),
                CellResult::with_walls(ModelKind::Threads, 2, &runs(1.0)),
            ],
        );
        same.experiment.baseline = preset::Baseline::SameModelOneWorker;
        same.recompute();
        assert_eq!(same.cells[0].speedup_ci_low, None);
        assert!(
            same.cells[1]
                .speedup_ci_low
                .is_some_and(|l| (l - lo).abs() < 1e-12)
        );
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
    fn stored_lost_updates_count_a_cells_timed_runs_whatever_its_status() {
        // A contention file asking 1000 increments a worker: threads × 2 completed, losing
        // in 2 of 3 runs (one count above the 2000 asked), and threads × 4 cancelled after 3
        // runs that lost.
        let counted = |workers, lost: [u64; 3], status| {
            let mut c = cell(ModelKind::Threads, workers, 1.0, 1.0);
            for (s, l) in c.samples.iter_mut().zip(lost) {
                s.lost_updates = Some(l);
            }
            c.status = status;
            c
        };
        let mut r = results(
            TaskKind::Contention,
            vec![
                cell(ModelKind::Threads, 1, 1.0, 1.0),
                counted(2, [0, 9000, 20], CellStatus::Ok),
                counted(4, [7, 0, 5], CellStatus::Cancelled),
            ],
        );
        r.experiment.task.contention.increments = 1000;
        r.recompute();
        let stored =
            |c: &CellResult| (c.lost_updates, c.lost_updates_max, c.runs_with_lost_updates);
        // A count above what a run asked for is all of it, as the chart takes it.
        assert_eq!(stored(&r.cells[1]), (Some(20), Some(2000), Some(2)));
        let chart = super::super::lost_share(&r, &r.cells[1]).unwrap();
        assert_eq!((chart.max_lost, chart.runs_losing), (2000, 2));
        // The cancelled cell keeps its figures, as the gate counts them; the chart leaves it
        // out.
        assert_eq!(stored(&r.cells[2]), (Some(5), Some(7), Some(2)));
        assert_eq!(super::super::lost_share(&r, &r.cells[2]), None);
        let gate = super::super::lost_share_of_timed_runs(&r, &r.cells[2]).unwrap();
        assert_eq!((gate.max_lost, gate.runs_losing), (7, 2));
        // No counter (the one-thread cell's runs counted nothing): no figures.
        assert_eq!(stored(&r.cells[0]), (None, None, None));
        // A file without the stored figures (or with stale ones) loads and gets them again.
        let mut json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        for c in json["cells"].as_array_mut().unwrap() {
            let c = c.as_object_mut().unwrap();
            c.remove("lost_updates");
            c.remove("runs_with_lost_updates");
            c.insert("lost_updates_max".into(), serde_json::json!(9000));
        }
        let back = ResultsFile::from_json(&json.to_string(), "old.json").unwrap();
        assert_eq!(stored(&back.cells[1]), (Some(20), Some(2000), Some(2)));
        assert_eq!(stored(&back.cells[2]), (Some(5), Some(7), Some(2)));
    }

    #[test]
    fn mostly_waiting_is_one_rule_for_the_work_ratio_and_the_cell() {
        // Half a core busy is the line: at 0.5 the baseline computes (its work ratio is
        // given), just under it the baseline mostly waits (no work ratio), and the cell says
        // so itself, as the lock lesson asks it.
        for (cpu, waits) in [(0.5, false), (0.49, true), (0.9, false), (0.01, true)] {
            let r = results(
                TaskKind::Io,
                vec![
                    cell(ModelKind::Sequential, 1, 1.0, cpu),
                    cell(ModelKind::Threads, 4, 0.25, cpu),
                ],
            );
            assert_eq!(r.cells[0].mostly_waits(), waits, "{cpu}");
            assert_eq!(r.cells[1].work_vs_baseline.is_none(), waits, "{cpu}");
        }
        // Unknown medians: not said to wait.
        assert!(!CellResult::default().mostly_waits());
    }

    #[test]
    fn a_computing_baseline_starved_of_its_core_still_measures_work() {
        // CPU work on a loaded machine: the sequential run got 0.21 of a core, which the ratio
        // rule alone would read as "mostly waits" and hide the one figure the load leaves
        // intact: CPU time per unit of work.
        let starved = |kind| {
            results(
                kind,
                vec![
                    cell(ModelKind::Sequential, 1, 1.0, 0.21),
                    cell(ModelKind::Threads, 4, 0.5, 0.2142),
                ],
            )
        };
        for kind in [TaskKind::Cpu, TaskKind::Memory] {
            let work = starved(kind).cells[1].work_vs_baseline;
            assert!(
                work.is_some_and(|w| (w - 1.02).abs() < 1e-9),
                "{kind:?}: {work:?}"
            );
        }
        // Work that waits by its kind, or whose kind does not say, is judged by the ratio.
        for kind in [TaskKind::Io, TaskKind::Mixed, TaskKind::Command] {
            assert_eq!(starved(kind).cells[1].work_vs_baseline, None, "{kind:?}");
        }
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
        // Its speedup is the throughput's: 4 × the work in 2 s against 1 × in 1 s is 2×
        // (not T₁/T₄ = 0.5×, which the chart's ideal of N would misread), efficiency 50%.
        assert_eq!(r.cells[1].speedup, Some(2.0));
        assert_eq!(r.cells[1].efficiency, Some(0.5));
        // The other tasks split one job: the plain ratio.
        let split = results(
            TaskKind::Cpu,
            vec![
                cell(ModelKind::Sequential, 1, 1.0, 1.0),
                cell(ModelKind::Threads, 4, 0.5, 2.0),
            ],
        );
        assert_eq!(split.cells[1].speedup, Some(2.0));
        assert_eq!(split.cells[1].efficiency, Some(0.5));
    }

    #[test]
    fn opening_re_checks_the_answers() {
        let mut seq = cell(ModelKind::Sequential, 1, 2.0, 2.0);
        let mut split = cell(ModelKind::Threads, 2, 1.0, 2.0);
        let mut wrong = cell(ModelKind::Processes, 2, 1.0, 2.0);
        let good = cell(ModelKind::Rayon, 2, 1.0, 2.0);
        for s in seq.samples.iter_mut().chain(&mut wrong.samples) {
            s.checksum = 0;
        }
        split.samples[1].checksum = 5;
        for s in &mut wrong.samples {
            s.checksum = 9;
        }
        let mut good_zero = good.clone();
        for s in &mut good_zero.samples {
            s.checksum = 0;
        }
        let r = results(
            TaskKind::Cpu,
            vec![seq.clone(), split.clone(), wrong.clone(), good_zero],
        );
        assert_eq!(r.cells[0].status, CellStatus::Ok);
        assert_eq!(r.cells[1].status, CellStatus::Failed);
        assert_eq!(
            r.cells[1].error.as_deref(),
            Some("runs disagree on the answer: checksum 0x0 then 0x5")
        );
        assert_eq!(r.cells[2].status, CellStatus::Failed);
        assert_eq!(
            r.cells[2].error.as_deref(),
            Some("wrong answer: checksum 0x9, the baseline (sequential × 1) computed 0x0")
        );
        assert_eq!(r.cells[3].status, CellStatus::Ok);
        // Through the file format too, and idempotent.
        let again = ResultsFile::from_json(&r.to_json(), "test").unwrap();
        assert_eq!(again.cells, r.cells);
        // Contention's checksum is the counter: exempt.
        let r = results(TaskKind::Contention, vec![seq, split, wrong]);
        assert!(r.cells.iter().all(|c| c.status == CellStatus::Ok));
    }

    #[test]
    fn same_model_baselines_are_indexed_by_model() {
        let exp = Experiment {
            baseline: preset::Baseline::SameModelOneWorker,
            ..Experiment::default()
        };
        let mut r = ResultsFile {
            experiment: exp,
            cells: vec![
                cell(ModelKind::Threads, 1, 4.0, 4.0),
                cell(ModelKind::Processes, 1, 8.0, 8.0),
                cell(ModelKind::Threads, 4, 1.0, 4.0),
                cell(ModelKind::Processes, 4, 4.0, 8.0),
                cell(ModelKind::Processes, 1, 99.0, 8.0),
            ],
            ..ResultsFile::default()
        };
        r.recompute();
        let sp: Vec<Option<f64>> = r.cells.iter().map(|c| c.speedup).collect();
        // The first one-worker cell of each model is its baseline.
        assert_eq!(
            sp,
            vec![Some(1.0), Some(1.0), Some(4.0), Some(2.0), Some(8.0 / 99.0)]
        );
    }

    #[test]
    fn other_documents_are_refused_by_their_format() {
        let err = ResultsFile::from_json(r#"{"format": "x", "cells": 3}"#, "a.json").unwrap_err();
        assert!(err.to_string().contains("`format` is \"x\""), "{err}");
        let err = ResultsFile::from_json(r#"{"format": 7}"#, "a.json").unwrap_err();
        assert!(err.to_string().contains("`format` is 7"), "{err}");
        let err = ResultsFile::from_json(r#"{"cells": []}"#, "a.json").unwrap_err();
        assert!(err.to_string().contains("no `format` field"), "{err}");
        let err = ResultsFile::from_json(
            r#"{"format": "corelab-results", "format_version": 1, "cells": [{"workers": "x"}]}"#,
            "a.json",
        )
        .unwrap_err();
        assert!(err.to_string().contains("at `cells[0].workers`"), "{err}");
    }

    #[test]
    fn an_old_file_without_the_median_interval_loads_and_gets_it() {
        // As corelab wrote it before the median's interval existed: `wall` has only the
        // mean's interval.
        let old = r#"{"format": "corelab-results", "format_version": 1,
            "cells": [{"model": "sequential", "workers": 1, "status": "ok",
                "samples": [{"wall_s": 3.0}, {"wall_s": 1.0}, {"wall_s": 2.0}],
                "wall": {"n": 3, "min": 1.0, "max": 3.0, "median": 2.0, "mean": 2.0,
                         "stddev": 1.0, "ci95_low": 0.0, "ci95_high": 4.0, "outliers": []}}]}"#;
        let r = ResultsFile::from_json(old, "old.json").unwrap();
        let w = r.cells[0].wall.as_ref().unwrap();
        // Three runs: the range, with coverage 1 − 2/8.
        assert_eq!((w.median_ci_low, w.median_ci_high), (1.0, 3.0));
        assert!((w.median_ci_coverage - 0.75).abs() < 1e-9, "{w:?}");
    }

    #[test]
    fn a_timeline_larger_than_any_recorded_is_left_out_on_opening() {
        let span = r#"{"worker": 0, "state": "computing", "start_ns": 0, "end_ns": 1}"#;
        let spans = |n: usize| vec![span; n].join(",");
        let file = |n: usize| {
            format!(
                r#"{{"format": "corelab-results", "format_version": 1,
                "cells": [{{"model": "threads", "workers": 1, "status": "ok",
                    "samples": [{{"wall_s": 1.0, "timeline": {{"wall_ns": 1, "workers": ["t"], "spans": [{0}]}}}}],
                    "timeline": {{"wall_ns": 1, "workers": ["t"], "spans": [{0}]}}}}]}}"#,
                spans(n)
            )
        };
        let limit = crate::results::timeline::MAX_TIMELINE_SPANS;
        let kept = ResultsFile::from_json(&file(limit), "ok.json").unwrap();
        assert_eq!(kept.cells[0].timeline.as_ref().unwrap().spans.len(), limit);
        let big = ResultsFile::from_json(&file(limit + 1), "big.json").unwrap();
        assert!(big.cells[0].timeline.is_none());
        assert!(big.cells[0].samples[0].timeline.is_none());
    }

    #[test]
    fn a_timeline_of_more_lanes_than_a_sweep_has_is_left_out_on_opening() {
        use crate::results::timeline::MAX_TIMELINE_LANES;
        let file = |lanes: usize, worker: u64| {
            let names = vec!["\"\""; lanes].join(",");
            format!(
                r#"{{"format": "corelab-results", "format_version": 1,
                "cells": [{{"model": "threads", "workers": 1, "status": "ok",
                    "samples": [{{"wall_s": 1.0}}],
                    "timeline": {{"wall_ns": 1, "workers": [{names}],
                        "spans": [{{"worker": {worker}, "state": "computing", "start_ns": 0, "end_ns": 1}}]}}}}]}}"#
            )
        };
        let kept = ResultsFile::from_json(&file(MAX_TIMELINE_LANES, 0), "ok.json").unwrap();
        assert_eq!(
            kept.cells[0].timeline.as_ref().unwrap().workers.len(),
            MAX_TIMELINE_LANES
        );
        // Four million empty lane names made the trace export use over 14 GB.
        let wide = ResultsFile::from_json(&file(MAX_TIMELINE_LANES + 1, 0), "wide.json").unwrap();
        assert!(wide.cells[0].timeline.is_none());
        // A span on a lane far beyond any sweep's.
        let far = ResultsFile::from_json(&file(1, u64::from(u32::MAX)), "far.json").unwrap();
        assert!(far.cells[0].timeline.is_none());
    }

    /// A file with more cells or workers than any sweep makes is refused, saying why: drawn
    /// per cell and per worker count every frame, 200 000 cells froze the workbench.
    #[test]
    fn more_cells_or_workers_than_a_sweep_makes_are_refused() {
        // Distinct cells: five models, and worker counts from `workers` up.
        let file = |cells: usize, workers: usize| {
            let models = ["threads", "rayon", "processes", "gil-threads", "tokio"];
            let cells: Vec<String> = (0..cells)
                .map(|i| {
                    format!(
                        r#"{{"model": "{}", "workers": {}, "status": "ok", "samples": [{{"wall_s": 1.0}}]}}"#,
                        models[i % models.len()],
                        workers.saturating_add(i / models.len())
                    )
                })
                .collect();
            format!(
                r#"{{"format": "corelab-results", "format_version": 1, "cells": [{}]}}"#,
                cells.join(",")
            )
        };
        assert!(ResultsFile::from_json(&file(MAX_CELLS, 2), "ok.json").is_ok());
        let err = ResultsFile::from_json(&file(MAX_CELLS + 1, 2), "many.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("4097 cells: a sweep makes at most 4096"),
            "{err}"
        );
        let err = ResultsFile::from_json(&file(1, usize::MAX), "wide.json")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "{} workers: a sweep runs at most 1024",
                usize::MAX
            )),
            "{err}"
        );
        let planned = r#"{"format": "corelab-results", "format_version": 1,
                "experiment": {"workers": [1, 100000]}, "cells": []}"#;
        let err = ResultsFile::from_json(planned, "planned.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("100000 workers"), "{err}");
    }
}
