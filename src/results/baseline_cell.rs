//! The cell that a cell's speedup (and its work ratio) is measured against: which model, which
//! worker count, its median wall time and interval. Decided here, once, from the experiment's
//! baseline rule and the cells measured ([`ResultsFile::baselines`]): `recompute` derives the
//! speedups from it, and the CSV, the Markdown report, the terminal table, the fits and the
//! verdict read it, so that all of them name it the same way (`sequential × 1`, `threads × 1`).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::file::{CellResult, CellStatus, ResultsFile};
use crate::preset::{self, ModelKind};
use crate::stats;

/// A baseline cell's median wall time with its interval, seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineTime {
    pub median_s: f64,
    pub low_s: f64,
    pub high_s: f64,
    /// The interval's coverage (below 0.95 with fewer than 6 runs).
    pub coverage: f64,
    /// The timed runs the median is of (one: no interval).
    pub runs: usize,
}

impl BaselineTime {
    pub fn interval(&self) -> stats::MedianInterval {
        stats::MedianInterval {
            median: self.median_s,
            low: self.low_s,
            high: self.high_s,
        }
    }
}

/// The baseline of one model's cells (see the module's notes).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BaselineCell {
    /// `None`: a cell of a model this corelab does not know, its own baseline.
    pub model: Option<ModelKind>,
    pub workers: usize,
    /// Its median and interval; `None` where it was not measured (failed, or not run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<BaselineTime>,
}

impl BaselineCell {
    /// The baseline the rule `kind` names for the cells of `model`, unmeasured: `sequential ×
    /// 1`, or `model × 1`.
    pub fn by_rule(kind: preset::Baseline, model: Option<ModelKind>) -> BaselineCell {
        let model = match kind {
            preset::Baseline::Sequential => Some(ModelKind::Sequential),
            preset::Baseline::SameModelOneWorker => model,
        };
        BaselineCell {
            model,
            workers: 1,
            time: None,
        }
    }

    /// The one spelling of a baseline everywhere: `sequential × 1`, `threads × 1`.
    pub fn name(&self) -> String {
        format!(
            "{} × {}",
            self.model.map_or("unknown", ModelKind::id),
            self.workers
        )
    }
}

/// The baseline of every model of a results file: see [`ResultsFile::baselines`].
#[derive(Clone, Debug)]
pub struct Baselines {
    kind: preset::Baseline,
    /// The sequential cell (its index in `cells` and its time), where measured.
    sequential: Option<(usize, BaselineCell)>,
    /// Each model's one-worker cell, where measured (with the same-model rule only).
    one_worker: HashMap<Option<ModelKind>, (usize, BaselineCell)>,
}

impl Baselines {
    /// The baseline of the cells of `model`: named by the rule even where it was not measured
    /// (then without a time).
    pub fn of(&self, model: Option<ModelKind>) -> BaselineCell {
        self.measured(model)
            .map_or_else(|| BaselineCell::by_rule(self.kind, model), |(_, cell)| cell)
    }

    /// The measured baseline cell of `model`'s cells, with its index in the file's `cells`.
    pub fn measured(&self, model: Option<ModelKind>) -> Option<(usize, BaselineCell)> {
        match self.kind {
            preset::Baseline::Sequential => self.sequential,
            preset::Baseline::SameModelOneWorker => self.one_worker.get(&model).copied(),
        }
    }

    /// Whether `c` is the measured baseline of its own model's cells (`sequential × 1`, or
    /// under the same-model rule its model's `× 1`): its speedup is 1 by definition. Read
    /// from the rule and the cells measured, never guessed from a speedup of 1; a lookup, so
    /// asking it of every cell stays linear.
    pub fn is_baseline(&self, c: &CellResult) -> bool {
        self.measured(c.model)
            .is_some_and(|(_, b)| b.model == c.model && b.workers == c.workers)
    }

    /// The rule: speedups over the sequential model, or over each model's own one worker.
    pub fn kind(&self) -> preset::Baseline {
        self.kind
    }

    /// The baseline in words, for a results summary: `sequential × 1, 1.23 s [95% interval
    /// 1.20–1.25]`, `sequential × 1 (not measured)`, or `each model's own × 1`.
    pub fn describe(&self) -> String {
        match self.kind {
            preset::Baseline::Sequential => {
                let b = self.of(Some(ModelKind::Sequential));
                match b.time {
                    // One run (a preset of one repetition, or a sweep stopped after its
                    // first round): no interval, said as the table says it.
                    Some(t) if t.runs <= 1 => format!(
                        "{} = {:.d$} s [1 run, no interval]",
                        b.name(),
                        t.median_s,
                        d = crate::words::seconds_places(t.median_s)
                    ),
                    Some(t) => {
                        // The decimals the table gives the median and its interval.
                        let d = crate::words::seconds_places(t.median_s);
                        let r = crate::words::seconds_places(t.low_s.min(t.high_s));
                        format!(
                            "{} = {:.d$} s [{:.0}% interval {:.r$}–{:.r$}]",
                            b.name(),
                            t.median_s,
                            t.coverage * 100.0,
                            t.low_s,
                            t.high_s
                        )
                    }
                    None => format!("{} (not measured)", b.name()),
                }
            }
            preset::Baseline::SameModelOneWorker => "each model's own × 1".to_string(),
        }
    }
}

impl ResultsFile {
    /// Every model's baseline (see the module's notes): the first sequential cell, or each
    /// model's first at one worker, of those completed; where none completed, the first
    /// cancelled one with timed runs (a sweep interrupted before any cell completed), whose
    /// interval bears the coverage of its few runs. Needs the cells' summaries
    /// (`recompute`). Linear in the number of cells.
    pub fn baselines(&self) -> Baselines {
        let mut out = Baselines {
            kind: self.experiment.baseline,
            sequential: None,
            one_worker: HashMap::new(),
        };
        let completed = self
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.status == CellStatus::Ok);
        let partial = self
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.is_partial());
        let same_model = out.kind == preset::Baseline::SameModelOneWorker;
        for (i, c) in completed.chain(partial) {
            let Some(cell) = measured(c) else { continue };
            if c.model == Some(ModelKind::Sequential) && out.sequential.is_none() {
                out.sequential = Some((i, cell));
            }
            if same_model && c.workers == 1 {
                out.one_worker.entry(c.model).or_insert((i, cell));
            }
        }
        out
    }
}

/// A cell with its median, as a baseline.
fn measured(c: &CellResult) -> Option<BaselineCell> {
    let wall = c.wall.as_ref()?;
    Some(BaselineCell {
        model: c.model,
        workers: c.workers,
        time: Some(BaselineTime {
            median_s: wall.median,
            low_s: wall.median_ci_low,
            high_s: wall.median_ci_high,
            coverage: wall.median_ci_coverage,
            runs: c.samples.len(),
        }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_is_named_one_way_and_carries_its_interval() {
        let mut r = ResultsFile {
            cells: vec![
                CellResult::with_walls(ModelKind::Threads, 1, &[2.0, 2.1, 1.9]),
                CellResult::with_walls(ModelKind::Sequential, 1, &[1.0, 1.1, 0.9]),
            ],
            ..ResultsFile::default()
        };
        r.recompute();
        let b = r.baselines();
        let seq = b.of(Some(ModelKind::Threads));
        assert_eq!(seq.name(), "sequential × 1");
        let t = seq.time.unwrap();
        assert_eq!((t.median_s, t.low_s, t.high_s), (1.0, 0.9, 1.1));
        assert_eq!(b.measured(None).map(|(i, _)| i), Some(1));
        assert_eq!(
            b.describe(),
            "sequential × 1 = 1.0000 s [75% interval 0.9000–1.1000]"
        );
        // One run: no interval, not a "0% interval".
        let mut one = r.clone();
        one.cells[1] = CellResult::with_walls(ModelKind::Sequential, 1, &[1.0]);
        one.recompute();
        assert_eq!(
            one.baselines().describe(),
            "sequential × 1 = 1.0000 s [1 run, no interval]"
        );
        r.experiment.baseline = preset::Baseline::SameModelOneWorker;
        r.recompute();
        let b = r.baselines();
        assert_eq!(b.of(Some(ModelKind::Threads)).name(), "threads × 1");
        assert_eq!(
            b.of(Some(ModelKind::Threads)).time.map(|t| t.median_s),
            Some(2.0)
        );
        // Not measured: named by the rule all the same.
        assert_eq!(b.of(Some(ModelKind::Processes)).name(), "processes × 1");
        assert_eq!(b.of(Some(ModelKind::Processes)).time, None);
        r.experiment.baseline = preset::Baseline::Sequential;
        r.cells.remove(1);
        r.recompute();
        assert_eq!(r.baselines().describe(), "sequential × 1 (not measured)");
    }

    #[test]
    fn which_cell_is_a_baseline_is_read_from_the_rule_not_from_its_speedup() {
        // threads × 2 in one run as long as the baseline's median: speedup exactly 1, yet
        // not a baseline; the baseline of six runs is one.
        let mut r = ResultsFile {
            cells: vec![
                CellResult::with_walls(ModelKind::Sequential, 1, &[0.9, 1.0, 1.0, 1.1]),
                CellResult::with_walls(ModelKind::Threads, 1, &[2.0, 2.0]),
                CellResult::with_walls(ModelKind::Threads, 2, &[1.0]),
            ],
            ..ResultsFile::default()
        };
        r.recompute();
        assert_eq!(r.cells[2].speedup, Some(1.0));
        let b = r.baselines();
        let is: Vec<bool> = r.cells.iter().map(|c| b.is_baseline(c)).collect();
        assert_eq!(is, [true, false, false]);
        // Each model's own one worker: threads × 1 is threads' baseline, sequential × 1 its
        // own.
        r.experiment.baseline = preset::Baseline::SameModelOneWorker;
        r.recompute();
        let b = r.baselines();
        let is: Vec<bool> = r.cells.iter().map(|c| b.is_baseline(c)).collect();
        assert_eq!(is, [true, true, false]);
        // Nothing measured: no cell is a baseline.
        r.experiment.baseline = preset::Baseline::Sequential;
        r.cells.remove(0);
        r.recompute();
        let b = r.baselines();
        assert!(r.cells.iter().all(|c| !b.is_baseline(c)));
    }
}
