//! A regression gate: a results file compared with a baseline one, cell by cell (model ×
//! workers), on the median wall time and its 95% interval, as `corelab report NEW.json
//! --baseline OLD.json --fail-if-slower PCT` uses it; and the lost updates a gate may refuse.
//! Where the two runs' tasks were sized differently (calibration sizes a task to its machine),
//! every time is divided by its run's work first ([`comparison_basis`]), and where the work
//! cannot be compared nothing is judged.
//!
//! A cell is slower (or faster) only beyond the noise: where the two medians' intervals do not
//! overlap. Overlapping intervals are "within the noise", whatever the medians' change: on a
//! noisy machine that is the honest answer. A cell is judged only where both files have at
//! least [`MIN_RUNS`] timed runs of it: with fewer, two runs' ranges part by chance too often.
//!
//! The gate fails on any cell, so its false-failure rate is a sweep's, not a cell's: with
//! nothing changed, a cell's intervals still part by chance ([`chance_of_parting`]: 1 in 20
//! with 3 runs a side, 1 in 252 with 5, 1 in 924 with 6), and 7 cells at 3 runs would fail 30%
//! of identical sweeps. So a slower cell fails the gate only where that chance is at most
//! [`GATE_FALSE_FAILURE`] divided by the number of cells judged (Bonferroni): a sweep with
//! nothing changed then fails at most 5% of the time, whatever its number of cells. The
//! intervals hold the noise of the runs within one sweep; variation between sweeps (another
//! day, boot, temperature, neighbour) is in neither file, and the gate cannot allow for it.

use super::comparable_work::{Basis, NotComparable, comparison_basis};
use crate::preset::{ModelKind, TaskKind, WorkUnit};
use crate::results::{CellResult, CellStatus, ResultsFile, lost_share_of_timed_runs};

/// The fewest timed runs each file needs of a cell for it to be judged. With 3 runs a side the
/// intervals are the runs' ranges (coverage 75%), and where nothing changed the new range
/// still lies wholly above the baseline's in 1 comparison of 20 (1 of the 20 ways to share 6
/// runs out 3 and 3): as often as a one-sided 95% test errs. With 2 runs a side it is 1 in 6.
pub const MIN_RUNS: usize = 3;

/// The most a gate may fail by chance over a whole comparison where nothing changed: each
/// judged cell's [`chance_of_parting`] must be at most this divided by the cells judged.
pub const GATE_FALSE_FAILURE: f64 = 0.05;

/// The chance, where nothing changed, that the new interval of a cell lies wholly above the
/// baseline's (the gate's "slower beyond the noise") with `old_runs` and `new_runs` timed runs:
/// exact and distribution-free for runs from one continuous distribution, since every order
/// of the `old_runs + new_runs` runs is then equally likely. The intervals' ends are the ranks
/// [`crate::stats::median_ci`] takes (the whole range below 6 runs). 1/20 for 3 and 3, 1/70
/// for 4 and 4, 1/252 for 5 and 5, 1/924 for 6 and 6.
pub fn chance_of_parting(old_runs: usize, new_runs: usize) -> f64 {
    use statrs::function::factorial::ln_binomial;
    if old_runs == 0 || new_runs == 0 {
        return 1.0;
    }
    // The new interval's low end is its `a`-th lowest run, the baseline's high end its
    // `b`-th lowest; slower when `b` or more baseline runs come before the `a`-th new run.
    let a = low_rank(new_runs);
    let b = old_runs + 1 - low_rank(old_runs);
    let (n1, n2) = (old_runs as u64, new_runs as u64);
    let total = ln_binomial(n1 + n2, n1);
    (b..=old_runs)
        .map(|x| {
            let x = x as u64;
            let before = ln_binomial(a as u64 - 1 + x, x);
            let after = ln_binomial(n1 - x + n2 - a as u64, n1 - x);
            (before + after - total).exp()
        })
        .sum::<f64>()
        .min(1.0)
}

/// The rank (1-based, from the lowest) of the low end of the median's interval of `runs` runs.
fn low_rank(runs: usize) -> usize {
    let ranks: Vec<f64> = (0..runs).map(|i| i as f64).collect();
    crate::stats::median_ci(&ranks).map_or(1, |ci| ci.low as usize + 1)
}

/// A cell's median wall time and its 95% interval, seconds (per unit of work where the
/// comparison is per unit, see [`Basis`]), from `runs` timed runs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Median {
    pub median: f64,
    pub low: f64,
    pub high: f64,
    /// The interval's exact coverage (below 0.95 with fewer than 6 runs).
    pub coverage: f64,
    pub runs: usize,
}

impl Median {
    /// The cell's median and interval, divided by `work` (1 for whole runs).
    fn of(cell: &CellResult, work: f64) -> Option<Median> {
        let wall = cell.wall.as_ref()?;
        Some(Median {
            median: wall.median / work,
            low: wall.median_ci_low / work,
            high: wall.median_ci_high / work,
            coverage: wall.median_ci_coverage,
            runs: cell.samples.len(),
        })
    }

    /// `1.23 s [1.20–1.25]`.
    pub fn text(&self) -> String {
        let (scale, unit) = unit_for(self.median);
        format!(
            "{} {unit} [{}–{}]",
            digits(self.median * scale),
            digits(self.low * scale),
            digits(self.high * scale)
        )
    }
}

/// The unit a time is said in: s, ms, µs or ns, with its scale.
fn unit_for(s: f64) -> (f64, &'static str) {
    if s >= 1.0 {
        (1.0, "s")
    } else if s >= 1e-3 {
        (1e3, "ms")
    } else if s >= 1e-6 {
        (1e6, "µs")
    } else {
        (1e9, "ns")
    }
}

/// Three significant digits at least (`1.23`, `12.3`, `123`).
fn digits(v: f64) -> String {
    if v >= 100.0 {
        format!("{v:.0}")
    } else if v >= 10.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

/// What the new run's median is against the baseline's.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Judgement {
    /// The new interval lies wholly above the baseline's.
    Slower,
    /// The new interval lies wholly below the baseline's.
    Faster,
    /// The intervals overlap: no change can be told from the noise.
    WithinNoise,
    /// Fewer than [`MIN_RUNS`] timed runs in one of the files.
    TooFewRuns,
}

/// One cell measured in both files.
#[derive(Clone, Debug, PartialEq)]
pub struct CellChange {
    pub model: Option<ModelKind>,
    pub workers: usize,
    pub baseline: Median,
    pub new: Median,
    /// The medians' relative change: +0.18 is 18% slower.
    pub change: f64,
    pub judgement: Judgement,
    /// The unit of work the medians are per, where the runs' tasks were sized differently.
    pub per_unit: Option<WorkUnit>,
}

impl CellChange {
    /// Whether this cell is a regression when `allowed` (a fraction: 0.05 for 5%) is the
    /// slowdown tolerated: slower beyond the noise, and by more than `allowed`.
    pub fn is_regression(&self, allowed: f64) -> bool {
        self.judgement == Judgement::Slower && self.change > allowed
    }

    /// The chance that this cell's intervals part by chance where nothing changed
    /// ([`chance_of_parting`] of its runs).
    pub fn chance_of_parting(&self) -> f64 {
        chance_of_parting(self.baseline.runs, self.new.runs)
    }

    /// `threads × 4: 1.00 s [0.99–1.01] → 1.18 s [1.17–1.19], +18.0%, slower beyond the
    /// noise`.
    pub fn line(&self) -> String {
        let intervals = self.intervals_words();
        let judged = match self.judgement {
            Judgement::Slower => format!("slower beyond the noise ({intervals} do not overlap)"),
            Judgement::Faster => format!("faster beyond the noise ({intervals} do not overlap)"),
            Judgement::WithinNoise => format!("within the noise ({intervals} overlap)"),
            Judgement::TooFewRuns => {
                format!("not judged: fewer than {MIN_RUNS} timed runs in a file")
            }
        };
        let per = self
            .per_unit
            .map_or(String::new(), |unit| format!(" per {}", unit.name()));
        format!(
            "{} × {}: median {} → {}{per}, {:+.1}%, {judged}",
            self.model.map_or("unknown", ModelKind::id),
            self.workers,
            self.baseline.text(),
            self.new.text(),
            // (-0.0% for a change that rounds to nothing reads as a slight speed-up.)
            if (self.change * 100.0).abs() < 0.05 {
                0.0
            } else {
                self.change * 100.0
            }
        )
    }
}

impl CellChange {
    /// The two intervals by what they cover: `the 95% intervals` from 6 runs a side or more;
    /// with fewer, their exact coverage and runs (`the 75% intervals, from 3 and 3 runs,`;
    /// `the 75% and 95% intervals, from 3 and 6 runs,`), so that no line calls a 3-run range
    /// a 95% interval.
    fn intervals_words(&self) -> String {
        let (old, new) = (&self.baseline, &self.new);
        if is_full(old.coverage) && is_full(new.coverage) {
            return "the 95% intervals".into();
        }
        let (old_words, new_words) = (coverage_words(old.coverage), coverage_words(new.coverage));
        let covering = match old_words == new_words {
            true => old_words,
            false => format!("{old_words} and {new_words}"),
        };
        format!(
            "the {covering} intervals, from {} and {} runs,",
            old.runs, new.runs
        )
    }
}

/// Whether an interval of the median covers 95% or more (the rule of
/// [`crate::stats::median_ci`], met from [`crate::stats::MIN_SAMPLES_FOR_95`] runs).
fn is_full(coverage: f64) -> bool {
    coverage >= crate::stats::FULL_COVERAGE
}

/// An interval's coverage in words: `95%` where it covers at least that (as every 95%
/// interval of a median does, 96.9% from 6 runs), otherwise its exact coverage, rounded:
/// `50%` from 2 runs, `75%` from 3, `87%` from 4 (as the table rounds 87.5%), `94%` from 5.
fn coverage_words(coverage: f64) -> String {
    match is_full(coverage) {
        true => "95%".into(),
        false => format!("{:.0}%", coverage * 100.0),
    }
}

/// A cell that could not be compared, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Unmatched {
    pub model: Option<ModelKind>,
    pub workers: usize,
    pub why: UnmatchedWhy,
}

#[derive(Clone, Debug, PartialEq)]
pub enum UnmatchedWhy {
    /// In the baseline only.
    OnlyInBaseline,
    /// In the new file only.
    OnlyInNew,
    /// Measured in the baseline, failed in the new run (its error): a gate refuses it.
    FailedInNew(String),
    /// In both, but not measured in full in one of them (its status there): failed in the
    /// baseline, or cancelled in either.
    NotMeasured {
        baseline: CellStatus,
        new: CellStatus,
    },
}

impl Unmatched {
    /// Whether a gate refuses the new run for it: a cell that the baseline measured and the new
    /// run failed. Cells in one file only are named, not refused (sweeps may differ).
    pub fn fails_the_gate(&self) -> bool {
        matches!(self.why, UnmatchedWhy::FailedInNew(_))
    }

    /// `threads × 8: only in the baseline`.
    pub fn line(&self) -> String {
        let why = match &self.why {
            UnmatchedWhy::OnlyInBaseline => "only in the baseline, not compared".to_string(),
            UnmatchedWhy::OnlyInNew => "only in the new results, not compared".to_string(),
            UnmatchedWhy::FailedInNew(error) => {
                format!("measured in the baseline, FAILED in the new run: {error}")
            }
            UnmatchedWhy::NotMeasured { baseline, new } => format!(
                "not compared: {} in the baseline, {} in the new results",
                status_word(*baseline),
                status_word(*new)
            ),
        };
        format!(
            "{} × {}: {why}",
            self.model.map_or("unknown", ModelKind::id),
            self.workers
        )
    }
}

fn status_word(status: CellStatus) -> &'static str {
    match status {
        CellStatus::Ok => "measured",
        CellStatus::Failed => "failed",
        CellStatus::Cancelled => "cancelled (partial)",
    }
}

/// The new results against the baseline, cell by cell, in the new file's order (then the
/// baseline's cells it lacks).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Comparison {
    /// What the times compared are: whole runs', or per unit of work.
    pub basis: Basis,
    pub changes: Vec<CellChange>,
    pub unmatched: Vec<Unmatched>,
}

impl Comparison {
    /// The cells judged (enough runs a side in both files).
    pub fn judged(&self) -> usize {
        self.changes
            .iter()
            .filter(|c| c.judgement != Judgement::TooFewRuns)
            .count()
    }

    /// What the intervals printed cover, once for the whole comparison: `95% interval` where
    /// every cell has enough runs ([`crate::stats::MIN_SAMPLES_FOR_95`]) for one; otherwise
    /// each coverage with the runs that give it, `interval covering 75% from 3 runs, 95% from
    /// 6 runs or more`.
    pub fn interval_words(&self) -> String {
        use std::collections::BTreeMap;
        let medians = self.changes.iter().flat_map(|c| [&c.baseline, &c.new]);
        let mut partial: BTreeMap<usize, f64> = BTreeMap::new();
        let mut full = false;
        for m in medians {
            match is_full(m.coverage) {
                true => full = true,
                false => {
                    partial.insert(m.runs, m.coverage);
                }
            }
        }
        if partial.is_empty() {
            return "95% interval".into();
        }
        let mut parts: Vec<String> = partial
            .iter()
            .map(|(&runs, &coverage)| {
                format!(
                    "{} from {}",
                    coverage_words(coverage),
                    crate::words::count(runs, "run")
                )
            })
            .collect();
        if full {
            parts.push(format!(
                "95% from {} runs or more",
                crate::stats::MIN_SAMPLES_FOR_95
            ));
        }
        format!("interval covering {}", parts.join(", "))
    }

    /// Why no cell could be judged, where none could (`None` where one was): the cells with
    /// too few runs, in one file only, or not measured in both.
    pub fn nothing_judged(&self) -> Option<NothingJudged> {
        if self.judged() > 0 {
            return None;
        }
        let too_few: Vec<&CellChange> = self
            .changes
            .iter()
            .filter(|c| c.judgement == Judgement::TooFewRuns)
            .collect();
        let in_one_file = |u: &&Unmatched| {
            matches!(
                u.why,
                UnmatchedWhy::OnlyInBaseline | UnmatchedWhy::OnlyInNew
            )
        };
        Some(NothingJudged {
            too_few_runs: too_few.len(),
            fewest_runs: too_few
                .iter()
                .map(|c| c.baseline.runs.min(c.new.runs))
                .min()
                .unwrap_or(0),
            in_one_file: self.unmatched.iter().filter(in_one_file).count(),
            not_measured: self.unmatched.iter().filter(|u| !in_one_file(u)).count(),
        })
    }

    /// The most chance each judged cell may have of parting by chance for a slowdown to fail
    /// the gate: [`GATE_FALSE_FAILURE`] over the cells judged (Bonferroni).
    pub fn per_cell_chance(&self) -> f64 {
        GATE_FALSE_FAILURE / self.judged().max(1) as f64
    }

    /// The cells that `allowed` (a fraction) makes regressions: slower beyond the noise by
    /// more than `allowed`, on runs enough that so clear a slowdown comes by chance at most
    /// [`Self::per_cell_chance`] of the time.
    pub fn regressions(&self, allowed: f64) -> impl Iterator<Item = &CellChange> {
        let most = self.per_cell_chance();
        self.changes
            .iter()
            .filter(move |c| c.is_regression(allowed) && c.chance_of_parting() <= most + 1e-12)
    }

    /// The cells slower beyond the noise by more than `allowed` whose runs are too few for the
    /// gate to fail on them, with this many cells judged ([`Self::regressions`] leaves them
    /// out): named, not refused.
    pub fn unconfirmed(&self, allowed: f64) -> impl Iterator<Item = &CellChange> {
        let most = self.per_cell_chance();
        self.changes
            .iter()
            .filter(move |c| c.is_regression(allowed) && c.chance_of_parting() > most + 1e-12)
    }
}

/// Why a comparison judged no cell ([`Comparison::nothing_judged`]): a gate that compared
/// nothing must not pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NothingJudged {
    /// Cells in both files with fewer than [`MIN_RUNS`] timed runs in one of them.
    pub too_few_runs: usize,
    /// The fewest timed runs one of those cells has in a file (0 where there are none).
    pub fewest_runs: usize,
    /// Cells in one file only.
    pub in_one_file: usize,
    /// Cells in both files not measured in full in one of them (failed or cancelled).
    pub not_measured: usize,
}

impl NothingJudged {
    /// Why, in words: `4 cells with fewer than 3 timed runs in a file (as few as 2), 1 cell
    /// in one file only`, or `neither file has a cell`.
    pub fn describe(&self) -> String {
        use crate::words::count;
        let mut why = Vec::new();
        if self.too_few_runs > 0 {
            why.push(format!(
                "{} with fewer than {MIN_RUNS} timed runs in a file (as few as {})",
                count(self.too_few_runs, "cell"),
                self.fewest_runs
            ));
        }
        if self.in_one_file > 0 {
            why.push(format!(
                "{} in one file only",
                count(self.in_one_file, "cell")
            ));
        }
        if self.not_measured > 0 {
            why.push(format!(
                "{} not measured in full in both files",
                count(self.not_measured, "cell")
            ));
        }
        if why.is_empty() {
            why.push("neither file has a cell".into());
        }
        why.join(", ")
    }
}

/// Compares `new` with `baseline`, cell by cell (model × workers), on the basis their tasks
/// allow ([`comparison_basis`]); refused where they measured different work.
pub fn compare(baseline: &ResultsFile, new: &ResultsFile) -> Result<Comparison, NotComparable> {
    let basis = comparison_basis(&baseline.experiment.task, &new.experiment.task)?;
    let (base_work, new_work) = basis.divisors();
    let key = |c: &CellResult| (c.model, c.workers);
    let mut out = Comparison {
        basis,
        ..Comparison::default()
    };
    for n in &new.cells {
        let Some(b) = baseline.cells.iter().find(|b| key(b) == key(n)) else {
            out.unmatched.push(Unmatched {
                model: n.model,
                workers: n.workers,
                why: UnmatchedWhy::OnlyInNew,
            });
            continue;
        };
        let measured = (b.status == CellStatus::Ok, n.status == CellStatus::Ok);
        let medians = (Median::of(b, base_work), Median::of(n, new_work));
        match (measured, medians) {
            ((true, true), (Some(bm), Some(nm))) => {
                out.changes.push(change(n, bm, nm, basis.unit()));
            }
            ((true, false), _) if n.status == CellStatus::Failed => out.unmatched.push(Unmatched {
                model: n.model,
                workers: n.workers,
                why: UnmatchedWhy::FailedInNew(
                    n.error
                        .clone()
                        .unwrap_or_else(|| "no reason recorded".into()),
                ),
            }),
            _ => out.unmatched.push(Unmatched {
                model: n.model,
                workers: n.workers,
                why: UnmatchedWhy::NotMeasured {
                    baseline: b.status,
                    new: n.status,
                },
            }),
        }
    }
    for b in &baseline.cells {
        if !new.cells.iter().any(|n| key(n) == key(b)) {
            out.unmatched.push(Unmatched {
                model: b.model,
                workers: b.workers,
                why: UnmatchedWhy::OnlyInBaseline,
            });
        }
    }
    Ok(out)
}

fn change(
    cell: &CellResult,
    baseline: Median,
    new: Median,
    per_unit: Option<WorkUnit>,
) -> CellChange {
    let judgement = if baseline.runs < MIN_RUNS || new.runs < MIN_RUNS {
        Judgement::TooFewRuns
    } else if new.low > baseline.high {
        Judgement::Slower
    } else if new.high < baseline.low {
        Judgement::Faster
    } else {
        Judgement::WithinNoise
    };
    CellChange {
        model: cell.model,
        workers: cell.workers,
        baseline,
        new,
        change: new.median / baseline.median - 1.0,
        judgement,
        per_unit,
    }
}

/// The cells of `results` in which a timed run lost an update (a `contention` task's counter
/// came up short), as the table's note says it ([`lost_share_of_timed_runs`],
/// [`crate::results::LostShare::short_words`]): `threads × 2: lost updates in 5 of 6 runs
/// (up to 1234 in one run, 0.06%)`. A cell that did not complete counts too (its timed runs
/// lost them all the same), and says so.
pub fn lost_update_lines(results: &ResultsFile) -> Vec<String> {
    results
        .cells
        .iter()
        .filter_map(|c| Some((c, lost_share_of_timed_runs(results, c).filter(|s| s.any())?)))
        .map(|(c, s)| {
            let unfinished = match c.status {
                CellStatus::Ok => "",
                _ => " (in a cell that did not complete)",
            };
            format!(
                "{} × {}: {}{unfinished}",
                c.model_id(),
                c.workers,
                s.short_words()
            )
        })
        .collect()
}

/// Why `--fail-on-lost-updates` has nothing to check in `results`, where no timed run of any
/// cell counted its updates: the task keeps no shared counter (only `contention` tasks do), or
/// no cell measured a timed run. `None` where at least one run was counted.
pub fn no_counted_updates(results: &ResultsFile) -> Option<String> {
    let kind = results.experiment.task.kind;
    if kind != TaskKind::Contention {
        return Some(format!(
            "its task is `{}`, which keeps no shared counter (only `contention` tasks count \
             their updates)",
            kind.id()
        ));
    }
    let counted = results
        .cells
        .iter()
        .any(|c| lost_share_of_timed_runs(results, c).is_some());
    match counted {
        true => None,
        false => Some("no timed run of its contention task counted its updates".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(cells: Vec<CellResult>) -> ResultsFile {
        let mut r = ResultsFile {
            cells,
            ..ResultsFile::default()
        };
        r.recompute();
        r
    }

    fn cell(model: ModelKind, workers: usize, walls: &[f64]) -> CellResult {
        CellResult::with_walls(model, workers, walls)
    }

    const BASE: [f64; 6] = [1.00, 1.01, 0.99, 1.02, 0.98, 1.00];

    #[test]
    fn the_chance_that_intervals_part_with_nothing_changed_is_exact() {
        // Below 6 runs the intervals are the ranges: all new above all old, 1 / C(2n, n).
        assert!((chance_of_parting(3, 3) - 1.0 / 20.0).abs() < 1e-12);
        assert!((chance_of_parting(4, 4) - 1.0 / 70.0).abs() < 1e-12);
        assert!((chance_of_parting(5, 5) - 1.0 / 252.0).abs() < 1e-12);
        assert!((chance_of_parting(6, 6) - 1.0 / 924.0).abs() < 1e-12);
        assert!((chance_of_parting(3, 5) - 1.0 / 56.0).abs() < 1e-12);
        // From 9 runs the interval's ends move inwards (x(2), x(8)): counted over every order
        // of the 18 runs, by brute force.
        let brute = |n1: usize, n2: usize| {
            let (a, b) = (low_rank(n2), n1 + 1 - low_rank(n1));
            let n = n1 + n2;
            let (mut hits, mut all) = (0u64, 0u64);
            for mask in 0u32..(1 << n) {
                if mask.count_ones() as usize != n1 {
                    continue;
                }
                all += 1;
                // Bit i set: the i-th lowest run is the baseline's.
                let mut old_seen = 0;
                let mut new_seen = 0;
                for i in 0..n {
                    if mask >> i & 1 == 1 {
                        old_seen += 1;
                    } else {
                        new_seen += 1;
                        if new_seen == a {
                            break;
                        }
                    }
                }
                hits += u64::from(old_seen >= b);
            }
            hits as f64 / all as f64
        };
        assert_eq!(low_rank(9), 2);
        for (n1, n2) in [(9, 9), (6, 9), (3, 12), (10, 8)] {
            let exact = chance_of_parting(n1, n2);
            assert!((exact - brute(n1, n2)).abs() < 1e-12, "{n1} {n2}: {exact}");
        }
    }

    /// `cells` cells of threads × 1…, each with `old` runs around 1 s and `new` runs 20% slower
    /// (every new run above every old one).
    fn slower_sweeps(cells: usize, old: usize, new: usize) -> (ResultsFile, ResultsFile) {
        let runs = |n: usize, t: f64| -> Vec<f64> {
            (0..n).map(|i| t * (1.0 + 0.001 * i as f64)).collect()
        };
        let of = |n: usize, t: f64| {
            file(
                (1..=cells)
                    .map(|w| cell(ModelKind::Threads, w, &runs(n, t)))
                    .collect(),
            )
        };
        (of(old, 1.0), of(new, 1.2))
    }

    #[test]
    fn the_gate_fails_a_sweep_with_nothing_changed_at_most_5_percent_of_the_time() {
        // One cell at 3 runs a side: 1 in 20, within the 5%: refused.
        let (old, new) = slower_sweeps(1, 3, 3);
        let c = compare(&old, &new).unwrap();
        assert_eq!(c.judged(), 1);
        assert_eq!(c.regressions(0.0).count(), 1);
        assert_eq!(c.unconfirmed(0.0).count(), 0);
        // Seven cells at 3 runs: 1 − 0.95⁷ = 30% of identical sweeps would fail; each cell
        // needs 5%/7 (1 in 140), which 3 runs a side (1 in 20) do not give: named, not refused.
        let (old, new) = slower_sweeps(7, 3, 3);
        let c = compare(&old, &new).unwrap();
        assert!((c.per_cell_chance() - 0.05 / 7.0).abs() < 1e-12);
        assert!(c.changes.iter().all(|c| c.judgement == Judgement::Slower));
        assert_eq!(c.regressions(0.0).count(), 0);
        assert_eq!(c.unconfirmed(0.0).count(), 7);
        // Five runs a side (1 in 252) are enough for 7 cells, not for 13 (1 in 260); six (1 in
        // 924) for 13.
        let (old, new) = slower_sweeps(7, 5, 5);
        assert_eq!(compare(&old, &new).unwrap().regressions(0.0).count(), 7);
        let (old, new) = slower_sweeps(13, 5, 5);
        assert_eq!(compare(&old, &new).unwrap().regressions(0.0).count(), 0);
        let (old, new) = slower_sweeps(13, 6, 6);
        let c = compare(&old, &new).unwrap();
        assert_eq!(c.regressions(0.0).count(), 13);
        // The bound holds: the cells' chances add up to at most 5%.
        let total: f64 = c.changes.iter().map(CellChange::chance_of_parting).sum();
        assert!(total <= GATE_FALSE_FAILURE, "{total}");
        // A slowdown within what is allowed is neither refused nor named.
        let (old, new) = slower_sweeps(7, 3, 3);
        assert_eq!(compare(&old, &new).unwrap().unconfirmed(0.25).count(), 0);
    }

    #[test]
    fn only_intervals_that_part_make_a_change() {
        use ModelKind::{Sequential, Threads};
        let slower: Vec<f64> = BASE.iter().map(|t| t * 1.20).collect();
        let noisy = [0.80, 1.30, 1.10, 1.25, 0.90, 1.20];
        let faster: Vec<f64> = BASE.iter().map(|t| t * 0.5).collect();
        let old = file(vec![
            cell(Sequential, 1, &BASE),
            cell(Threads, 2, &BASE),
            cell(Threads, 4, &BASE),
        ]);
        let new = file(vec![
            cell(Sequential, 1, &slower),
            cell(Threads, 2, &noisy),
            cell(Threads, 4, &faster),
        ]);
        let c = compare(&old, &new).unwrap();
        assert!(c.unmatched.is_empty());
        let judged: Vec<Judgement> = c.changes.iter().map(|c| c.judgement).collect();
        assert_eq!(
            judged,
            [Judgement::Slower, Judgement::WithinNoise, Judgement::Faster]
        );
        // The noisy cell's median is 15% slower, but its interval overlaps: no regression.
        assert!(c.changes[1].change > 0.10);
        assert!(!c.changes[1].is_regression(0.05));
        assert!((c.changes[0].change - 0.20).abs() < 1e-9);
        assert!(c.changes[0].is_regression(0.10));
        assert!(c.changes[0].is_regression(0.0));
        assert!(!c.changes[0].is_regression(0.25), "within what is allowed");
        assert_eq!(c.regressions(0.10).count(), 1);
        assert_eq!(
            c.changes[0].line(),
            "sequential × 1: median 1.00 s [0.98–1.02] → 1.20 s [1.18–1.22], +20.0%, slower \
             beyond the noise (the 95% intervals do not overlap)"
        );
    }

    fn hash_chain(size: u64, cells: Vec<CellResult>) -> ResultsFile {
        let mut r = file(cells);
        r.experiment.task.cpu.kernel = crate::preset::CpuKernel::HashChain;
        r.experiment.task.cpu.size = size;
        r
    }

    #[test]
    fn tasks_sized_differently_compare_per_unit_of_work() {
        // The new run does 3/4 of the baseline's rounds in 0.9 of its time: 20% slower a round.
        let slower: Vec<f64> = BASE.iter().map(|t| t * 0.9).collect();
        let old = hash_chain(4_000_000, vec![cell(ModelKind::Threads, 2, &BASE)]);
        let new = hash_chain(3_000_000, vec![cell(ModelKind::Threads, 2, &slower)]);
        let c = compare(&old, &new).unwrap();
        assert_eq!(
            c.basis,
            Basis::PerUnit {
                unit: WorkUnit::HashRound,
                baseline: 4e6,
                new: 3e6
            }
        );
        let cell = &c.changes[0];
        assert!((cell.change - 0.20).abs() < 1e-9, "{cell:?}");
        assert_eq!(cell.judgement, Judgement::Slower);
        assert!((cell.baseline.median - 1.0 / 4e6).abs() < 1e-15);
        assert_eq!(
            cell.line(),
            "threads × 2: median 250 ns [245–255] → 300 ns [294–306] per hash round, +20.0%, \
             slower beyond the noise (the 95% intervals do not overlap)"
        );
        // By wall time alone it would have looked 10% faster.
        assert!(slower[0] < BASE[0]);
    }

    #[test]
    fn work_that_cannot_be_compared_is_not_judged() {
        let old = file(vec![cell(ModelKind::Threads, 2, &BASE)]);
        let mut new = old.clone();
        new.experiment.task.cpu.size += 1;
        let refused = compare(&old, &new).unwrap_err();
        assert!(refused.why.contains("primes kernel"), "{refused}");
    }

    #[test]
    fn cells_in_one_file_only_or_not_measured_are_named() {
        use ModelKind::{Processes, Sequential, Threads};
        let mut failed = cell(Processes, 2, &[]);
        failed.status = CellStatus::Failed;
        failed.error = Some("worker exited".into());
        let old = file(vec![
            cell(Sequential, 1, &BASE),
            cell(Threads, 8, &BASE),
            cell(Processes, 2, &BASE),
        ]);
        let new = file(vec![
            cell(Sequential, 1, &BASE),
            failed,
            cell(Threads, 16, &BASE),
        ]);
        let c = compare(&old, &new).unwrap();
        assert_eq!(c.changes.len(), 1);
        let lines: Vec<String> = c.unmatched.iter().map(Unmatched::line).collect();
        assert_eq!(
            lines,
            [
                "processes × 2: measured in the baseline, FAILED in the new run: worker exited",
                "threads × 16: only in the new results, not compared",
                "threads × 8: only in the baseline, not compared",
            ]
        );
        let failing: Vec<bool> = c.unmatched.iter().map(Unmatched::fails_the_gate).collect();
        assert_eq!(failing, [true, false, false]);
    }

    #[test]
    fn too_few_runs_are_not_judged() {
        let old = file(vec![cell(ModelKind::Threads, 2, &[1.0, 1.01])]);
        let new = file(vec![cell(ModelKind::Threads, 2, &[2.0, 2.01])]);
        let c = compare(&old, &new).unwrap();
        assert_eq!(c.changes[0].judgement, Judgement::TooFewRuns);
        assert!(!c.changes[0].is_regression(0.0));
        // Nothing judged, and why: a gate must not pass on it.
        assert_eq!(c.judged(), 0);
        let none = c.nothing_judged().unwrap();
        assert_eq!(
            none,
            NothingJudged {
                too_few_runs: 1,
                fewest_runs: 2,
                in_one_file: 0,
                not_measured: 0
            }
        );
        assert_eq!(
            none.describe(),
            "1 cell with fewer than 3 timed runs in a file (as few as 2)"
        );
        // Three runs a side are judged, and the line says what their intervals cover (the
        // runs' ranges: 75%), never that they are 95% intervals.
        let old = file(vec![cell(ModelKind::Threads, 2, &[1.0, 1.01, 0.99])]);
        let new = file(vec![cell(ModelKind::Threads, 2, &[2.0, 2.01, 1.99])]);
        let c = compare(&old, &new).unwrap();
        assert_eq!(c.changes[0].judgement, Judgement::Slower);
        assert_eq!(c.nothing_judged(), None);
        let line = c.changes[0].line();
        assert!(
            line.ends_with(
                "slower beyond the noise (the 75% intervals, from 3 and 3 runs, do not overlap)"
            ),
            "{line}"
        );
        assert!(!line.contains("95%"), "{line}");
        assert_eq!(c.interval_words(), "interval covering 75% from 3 runs");
    }

    /// Each interval is said by what it covers, from [`crate::stats::median_ci`]'s exact
    /// coverage of its runs: 50% from 2, 75% from 3, 87% from 4 (87.5%, as the table rounds it),
    /// 94% from 5, and 95% (at least)
    /// from 6 on; the header says it once for the comparison.
    #[test]
    fn intervals_are_said_by_what_they_cover() {
        let runs = |n: usize| &BASE[..n];
        let coverage = |n: usize| crate::stats::median_ci(runs(n)).unwrap().coverage;
        let words: Vec<String> = (2..=6).map(|n| coverage_words(coverage(n))).collect();
        assert_eq!(words, ["50%", "75%", "87%", "94%", "95%"]);
        let old = file(vec![
            cell(ModelKind::Threads, 1, runs(3)),
            cell(ModelKind::Threads, 2, runs(6)),
            cell(ModelKind::Threads, 4, runs(5)),
        ]);
        let new = file(vec![
            cell(ModelKind::Threads, 1, runs(3)),
            cell(ModelKind::Threads, 2, runs(6)),
            cell(ModelKind::Threads, 4, runs(6)),
        ]);
        let c = compare(&old, &new).unwrap();
        let lines: Vec<String> = c.changes.iter().map(CellChange::line).collect();
        assert!(
            lines[0].ends_with("within the noise (the 75% intervals, from 3 and 3 runs, overlap)"),
            "{lines:?}"
        );
        assert!(
            lines[1].ends_with("within the noise (the 95% intervals overlap)"),
            "{lines:?}"
        );
        assert!(
            lines[2].ends_with(
                "within the noise (the 94% and 95% intervals, from 5 and 6 runs, overlap)"
            ),
            "{lines:?}"
        );
        assert_eq!(
            c.interval_words(),
            "interval covering 75% from 3 runs, 94% from 5 runs, 95% from 6 runs or more"
        );
        // Every cell with 6 runs a side or more: 95% intervals, said once.
        let six = file(vec![cell(ModelKind::Threads, 2, runs(6))]);
        assert_eq!(
            compare(&six, &six).unwrap().interval_words(),
            "95% interval"
        );
    }

    /// Cells in one file only, or not measured in both, leave nothing judged: each is
    /// counted, and a comparison with no cells says so.
    #[test]
    fn why_nothing_was_judged_is_counted() {
        let mut failed = cell(ModelKind::Threads, 2, &[]);
        failed.status = CellStatus::Failed;
        let old = file(vec![
            cell(ModelKind::Threads, 1, &BASE),
            cell(ModelKind::Threads, 2, &BASE),
        ]);
        let new = file(vec![cell(ModelKind::Threads, 4, &BASE), failed]);
        let none = compare(&old, &new).unwrap().nothing_judged().unwrap();
        assert_eq!(
            none.describe(),
            "2 cells in one file only, 1 cell not measured in full in both files"
        );
        let empty = file(vec![]);
        let none = compare(&empty, &empty).unwrap().nothing_judged().unwrap();
        assert_eq!(none.describe(), "neither file has a cell");
    }

    #[test]
    fn lost_updates_are_named_per_cell() {
        let mut racy = cell(ModelKind::Threads, 2, &BASE);
        for (s, lost) in racy.samples.iter_mut().zip([0, 1234, 5, 9, 0, 3]) {
            s.lost_updates = Some(lost);
        }
        let mut clean = cell(ModelKind::Threads, 1, &BASE);
        for s in &mut clean.samples {
            s.lost_updates = Some(0);
        }
        // A cancelled (partial) cell counts too, saying so: its timed runs lost updates (the
        // table's note and the chart leave it out; a gate that must prove none were lost
        // cannot).
        let mut partial = racy.clone();
        partial.workers = 4;
        partial.status = CellStatus::Cancelled;
        let mut r = ResultsFile {
            cells: vec![clean, racy, partial],
            ..ResultsFile::default()
        };
        r.experiment.task.kind = crate::preset::TaskKind::Contention;
        r.experiment.task.contention.increments = 1000;
        assert_eq!(
            lost_update_lines(&r),
            [
                "threads × 2: lost updates in 4 of 6 runs (up to 1234 in one run, 62%)",
                "threads × 4: lost updates in 4 of 6 runs (up to 1234 in one run, 31%) (in a cell that did not complete)"
            ]
        );
    }
}
