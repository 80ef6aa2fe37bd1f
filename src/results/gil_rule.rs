//! The rule that says whether a cell's speedup stayed near 1× or scaled, read on its 95%
//! interval, not its point value: the GIL's judgement. The verdict's GIL lines, the GIL
//! lesson of `corelab run`/`report` and the workbench (`analysis::gil_lesson`), and `corelab
//! selftest --lessons` (`engine::lessons`) all judge by it, so that no two of them give two
//! answers to one question. It lives here, below the engine and the analysis, so that both can
//! reach it.
//!
//! A reading is decided only on intervals of at least 95% coverage ([`JUDGED_COVERAGE`]: six
//! runs a cell or more). With fewer runs a cell the interval covers 50% (2 runs), 75% (3),
//! 87.5% (4) or 93.75% (5), and two identical populations look "different" far more often
//! than 1 time in 20 (42% of the time with 2 runs a cell, 16% with 3, in the statistics
//! review's simulation); such intervals only say which way the runs lean ([`leaning`]).

use super::CellResult;
use crate::preset::ModelKind;

/// A speedup whose interval reaches no higher than this, at 2 workers or more, is "below
/// 1.3×": at 2 workers up to 65% efficiency, so the words say "below 1.3×", not "flat".
pub const NEAR_ONE: f64 = 1.3;
/// A speedup above this, its interval clear of 1, is "scaled".
pub const SCALED: f64 = 1.5;
/// Below this coverage one of the two medians a speedup divides is a single run: no interval
/// at all (two runs already cover 50%).
pub const ONE_RUN_COVERAGE: f64 = 0.25;
/// The coverage a reading needs to be decided: 95% (less a rounding hair), which six runs a
/// cell give (96.9%); five give 93.75%.
pub const JUDGED_COVERAGE: f64 = crate::stats::FULL_COVERAGE;
/// The fewest runs a cell whose median's interval reaches [`JUDGED_COVERAGE`].
pub const JUDGED_RUNS: usize = 6;

/// How sure a reading must be: [`Footing::Judged`] on intervals of 95% or more, the rule's
/// answer; [`Footing::Leaning`] on any interval (25% or more), which way fewer runs lean,
/// never said without its coverage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Footing {
    Judged,
    Leaning,
}

impl Footing {
    fn least_coverage(self) -> f64 {
        match self {
            Footing::Judged => JUDGED_COVERAGE,
            Footing::Leaning => ONE_RUN_COVERAGE,
        }
    }
}

/// The interval of a cell's speedup, where it rests on more than single runs (its coverage at
/// least [`ONE_RUN_COVERAGE`]); `None` for the baseline's own cell and single runs.
pub fn speedup_interval(c: &CellResult) -> Option<(f64, f64)> {
    interval_on(c, Footing::Leaning)
}

/// The interval of a cell's speedup where its coverage meets `footing`.
pub fn interval_on(c: &CellResult, footing: Footing) -> Option<(f64, f64)> {
    let cov = c.speedup_ci_coverage?;
    (cov >= footing.least_coverage()).then_some((c.speedup_ci_low?, c.speedup_ci_high?))
}

/// Whether `c` has an interval, but one below 95% coverage: too few runs to decide on it.
pub fn too_few_runs(c: &CellResult) -> bool {
    speedup_interval(c).is_some() && interval_on(c, Footing::Judged).is_none()
}

/// Whether one cell's speedup stayed below [`NEAR_ONE`]: its 95% interval's upper end below
/// it. `false` without such an interval (fewer than 6 runs cannot tell).
pub fn near_one(c: &CellResult) -> bool {
    near_one_on(c, Footing::Judged)
}

/// [`near_one`] on `footing`.
pub fn near_one_on(c: &CellResult, footing: Footing) -> bool {
    interval_on(c, footing).is_some_and(|(_, hi)| hi < NEAR_ONE)
}

/// Whether one cell scaled: speedup above [`SCALED`], its 95% interval clear of 1.
pub fn climbed(c: &CellResult) -> bool {
    climbed_on(c, Footing::Judged)
}

/// [`climbed`] on `footing`.
pub fn climbed_on(c: &CellResult, footing: Footing) -> bool {
    c.speedup.is_some_and(|s| s > SCALED) && interval_on(c, footing).is_some_and(|(lo, _)| lo > 1.0)
}

/// The best cell at 2 workers or more of `model` that scaled ([`climbed`]).
pub fn scaled<'a>(cells: &[&'a CellResult], model: ModelKind) -> Option<&'a CellResult> {
    scaled_on(cells, model, Footing::Judged)
}

/// [`scaled`] on `footing`.
pub fn scaled_on<'a>(
    cells: &[&'a CellResult],
    model: ModelKind,
    footing: Footing,
) -> Option<&'a CellResult> {
    cells
        .iter()
        .copied()
        .filter(|c| c.model == Some(model) && c.workers >= 2)
        .filter(|c| climbed_on(c, footing))
        .max_by(|a, b| {
            a.speedup
                .unwrap_or(0.0)
                .total_cmp(&b.speedup.unwrap_or(0.0))
        })
}

/// Whether `model` stayed below [`NEAR_ONE`] at every count of 2 workers or more
/// ([`near_one`]); `false` without such a cell, or with one that has no 95% interval.
pub fn stayed_flat(cells: &[&CellResult], model: ModelKind) -> bool {
    stayed_flat_on(cells, model, Footing::Judged)
}

/// [`stayed_flat`] on `footing`.
pub fn stayed_flat_on(cells: &[&CellResult], model: ModelKind, footing: Footing) -> bool {
    let mut many = cells
        .iter()
        .filter(|c| c.model == Some(model) && c.workers >= 2)
        .peekable();
    many.peek().is_some() && many.all(|c| near_one_on(c, footing))
}

/// Where the cells of `models` at 2 workers or more have intervals but some cover less than
/// 95%: the lowest coverage among those, for saying that a reading only leans (`0.75`: "with
/// 3 runs a cell the intervals cover 75%", [`runs_giving`]). `None` where every such interval
/// covers 95% or more.
pub fn leaning(cells: &[&CellResult], models: &[ModelKind]) -> Option<f64> {
    cells
        .iter()
        .filter(|c| c.model.is_some_and(|m| models.contains(&m)) && c.workers >= 2)
        .filter(|c| too_few_runs(c))
        .filter_map(|c| c.speedup_ci_coverage)
        .min_by(f64::total_cmp)
}

/// The runs a cell whose median's interval (the whole range of its runs, below 6 runs) has
/// `coverage`: `1 − 2^(1−n)` for n runs, so 50% is 2 runs, 75% 3, 87.5% 4, 93.75% 5; 6 from
/// 95% up (where the interval is no longer the whole range).
pub fn runs_giving(coverage: f64) -> usize {
    (2..JUDGED_RUNS)
        .find(|&n| 1.0 - 2f64.powi(1 - n as i32) >= coverage - 1e-9)
        .unwrap_or(JUDGED_RUNS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cell of `model × workers` at speedup `s`, its interval `lo`–`hi` of `coverage`.
    fn cell(model: ModelKind, s: f64, (lo, hi): (f64, f64), coverage: f64) -> CellResult {
        CellResult {
            model: Some(model),
            workers: 2,
            speedup: Some(s),
            speedup_ci_low: Some(lo),
            speedup_ci_high: Some(hi),
            speedup_ci_coverage: Some(coverage),
            ..CellResult::default()
        }
    }

    #[test]
    fn near_one_and_scaled_are_read_on_the_interval() {
        use ModelKind::{GilThreads, Threads};
        // A point under 1.3× whose interval reaches past it is not near 1×; one at 1.27× whose
        // interval stays under it is.
        assert!(!near_one(&cell(GilThreads, 1.2, (1.0, 1.35), 0.97)));
        assert!(near_one(&cell(GilThreads, 1.27, (1.26, 1.28), 0.97)));
        // Single runs: no interval, so neither near 1× nor scaled.
        assert!(!near_one(&cell(GilThreads, 1.0, (1.0, 1.0), 0.0)));
        assert!(!climbed(&cell(Threads, 1.9, (1.9, 1.9), 0.0)));
        // Scaled: above 1.5×, clear of 1.
        assert!(climbed(&cell(Threads, 1.9, (1.8, 2.0), 0.97)));
        assert!(!climbed(&cell(Threads, 1.9, (0.9, 2.5), 0.97)));
        assert!(!climbed(&cell(Threads, 1.45, (1.4, 1.5), 0.97)));
        let cells = [
            cell(GilThreads, 1.0, (0.99, 1.01), 0.97),
            cell(Threads, 1.9, (1.8, 2.0), 0.97),
        ];
        let refs: Vec<&CellResult> = cells.iter().collect();
        assert!(stayed_flat(&refs, GilThreads));
        assert!(!stayed_flat(&refs, Threads));
        assert!(!stayed_flat(&refs, ModelKind::Processes), "no cell");
        assert_eq!(scaled(&refs, Threads).map(|c| c.speedup), Some(Some(1.9)));
        assert_eq!(scaled(&refs, GilThreads), None);
    }

    #[test]
    fn fewer_than_six_runs_a_cell_only_lean_and_say_how_far() {
        use ModelKind::{GilThreads, Threads};
        // 3 runs a cell: a 75% interval decides nothing, on either side of the rule.
        let flat = cell(GilThreads, 1.02, (1.0, 1.04), 0.75);
        let climbed_3 = cell(Threads, 1.9, (1.8, 2.0), 0.75);
        assert!(!near_one(&flat));
        assert!(!climbed(&climbed_3));
        assert!(near_one_on(&flat, Footing::Leaning));
        assert!(climbed_on(&climbed_3, Footing::Leaning));
        assert!(too_few_runs(&flat));
        // 5 runs (93.75%) are still short of 95%; 6 (96.9%) are enough.
        assert!(!near_one(&cell(GilThreads, 1.02, (1.0, 1.04), 0.9375)));
        assert!(near_one(&cell(GilThreads, 1.02, (1.0, 1.04), 0.96875)));
        assert!(!too_few_runs(&cell(GilThreads, 1.02, (1.0, 1.04), 0.96875)));
        let cells = [flat.clone(), climbed_3.clone()];
        let refs: Vec<&CellResult> = cells.iter().collect();
        assert!(!stayed_flat(&refs, GilThreads));
        assert!(stayed_flat_on(&refs, GilThreads, Footing::Leaning));
        assert_eq!(scaled(&refs, Threads), None);
        assert!(scaled_on(&refs, Threads, Footing::Leaning).is_some());
        assert_eq!(leaning(&refs, &[GilThreads, Threads]), Some(0.75));
        let judged = [cell(GilThreads, 1.02, (1.0, 1.04), 0.97)];
        let refs: Vec<&CellResult> = judged.iter().collect();
        assert_eq!(leaning(&refs, &[GilThreads]), None);
        // The run counts behind each coverage of the whole-range interval.
        assert_eq!(runs_giving(0.5), 2);
        assert_eq!(runs_giving(0.75), 3);
        assert_eq!(runs_giving(0.875), 4);
        assert_eq!(runs_giving(0.9375), 5);
        assert_eq!(runs_giving(0.96875), 6);
    }
}
