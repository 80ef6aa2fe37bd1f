//! Everything a results file derives from its raw samples: each cell's summaries, its speedup
//! and interval against its baseline, efficiency, the work ratio, throughput and the stored
//! lost-update figures.

use super::cell::{CellResult, mostly_computes};
use super::document::{Baseline, ResultsFile};
use crate::preset::{self, ModelKind};
use crate::results::lost_share::{LostCounts, lost_counts_of_timed_runs};
use crate::stats;

/// A cell's baseline ([`ResultsFile::baselines`]) as `derive` needs it.
struct Reference {
    /// Its index in `cells`: the baseline's own speedup is 1 by definition, with no interval.
    index: usize,
    /// Median wall time, seconds, with its confidence interval.
    wall: stats::MedianInterval,
    /// Median CPU time, seconds, where the cell mostly computes (see
    /// [`MOSTLY_COMPUTING`](super::cell::MOSTLY_COMPUTING)).
    cpu: Option<f64>,
    /// The coverage of its median interval (below 0.95 with fewer than 6 runs).
    coverage: f64,
}

/// Whether the task is computation by its kind (the CPU kernels, the triad, the counter
/// updates): its baseline's CPU time is a measure of work even when other programs starved it
/// of a core, so that its CPU ÷ wall fell below
/// [`MOSTLY_COMPUTING`](super::cell::MOSTLY_COMPUTING) (0.21 on a loaded 2-core machine).
/// Other kinds are judged by the measured ratio.
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
            .map(|c| lost_counts_of_timed_runs(self, c))
            .collect();
        for (cell, share) in self.cells.iter_mut().zip(lost) {
            set_lost_updates(cell, share);
        }
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
fn set_lost_updates(cell: &mut CellResult, counts: Option<LostCounts>) {
    cell.lost_updates = counts.map(|c| c.median);
    cell.lost_updates_max = counts.map(|c| c.max);
    cell.runs_with_lost_updates = counts.map(|c| c.runs_losing);
}

#[cfg(test)]
mod tests {
    use super::super::test_cells::{cell, results};
    use super::*;
    use crate::preset::{Experiment, TaskKind};
    use crate::results::CellStatus;

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
        let chart = crate::results::lost_share(&r, &r.cells[1]).unwrap();
        assert_eq!((chart.max_lost, chart.runs_losing), (2000, 2));
        // The cancelled cell keeps its figures, as the gate counts them; the chart leaves it
        // out.
        assert_eq!(stored(&r.cells[2]), (Some(5), Some(7), Some(2)));
        assert_eq!(crate::results::lost_share(&r, &r.cells[2]), None);
        let gate = crate::results::lost_share_of_timed_runs(&r, &r.cells[2]).unwrap();
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
}
