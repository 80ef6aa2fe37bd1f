//! One model at one worker count: its runs, its status, the figures derived from them, and the
//! one rule for a cell that mostly waited.

use serde::{Deserialize, Serialize};

use super::sample::Sample;
use crate::preset::ModelKind;
use crate::results::{CellCosts, ClusterInfo, LoadSummary, Timeline};
use crate::stats::Summary;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CellStatus {
    #[default]
    Ok,
    Failed,
    Cancelled,
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
    pub load: Option<LoadSummary>,
    // Derived from `samples` by `ResultsFile::recompute`:
    pub wall: Option<Summary>,
    pub cpu: Option<Summary>,
    pub speedup: Option<f64>,
    /// Speedup from the slowest and fastest run.
    pub speedup_low: Option<f64>,
    pub speedup_high: Option<f64>,
    /// The confidence interval of `speedup`: the cell's median interval and the baseline's
    /// together ([`stats::speedup_interval`](crate::stats::speedup_interval)), so a point is
    /// never drawn as more precise than the baseline it is divided by. `None` for the baseline
    /// cell itself, whose speedup is 1 by definition. Derived; old files get it from
    /// `recompute`.
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
    pub cluster: Option<ClusterInfo>,
    /// Who ran when in the median run (see `results::timeline`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Timeline>,
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
    pub costs: Option<CellCosts>,
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

    pub(super) fn wall_times(&self) -> Vec<f64> {
        self.samples.iter().map(|s| s.wall_s).collect()
    }
}

/// A baseline whose CPU time is below this share of its wall time mostly waits: comparing
/// other runs' CPU time with it says nothing about extra work.
pub(super) const MOSTLY_COMPUTING: f64 = 0.5;

/// Whether a run of `cpu_s` CPU seconds in `wall_s` wall seconds mostly computed: it kept at
/// least half a core busy on average ([`MOSTLY_COMPUTING`]). The one rule for "this cell
/// mostly waited": `derive`'s work ratio and the lessons' starved baseline
/// ([`CellResult::mostly_waits`]) both ask it.
pub(super) fn mostly_computes(cpu_s: f64, wall_s: f64) -> bool {
    cpu_s >= MOSTLY_COMPUTING * wall_s
}
