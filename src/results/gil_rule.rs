//! The rule that says whether a cell's speedup stayed near 1× or scaled, read on its 95%
//! interval, not its point value: the GIL's judgement. The verdict's GIL lines, the GIL
//! lesson of `corelab run`/`report` and the workbench (`analysis::gil_lesson`), and `corelab
//! selftest --lessons` (`engine::lessons`) all judge by it, so that no two of them give two
//! answers to one question. It lives here, below the engine and the analysis, so that both can
//! reach it.

use super::CellResult;
use crate::preset::ModelKind;

/// A speedup whose interval reaches no higher than this, at 2 workers or more, is "near 1×".
pub const NEAR_ONE: f64 = 1.3;
/// A speedup above this, its interval clear of 1, is "scaled".
pub const SCALED: f64 = 1.5;
/// Below this coverage one of the two medians a speedup divides is a single run: no interval
/// at all (two runs already cover 50%).
pub const ONE_RUN_COVERAGE: f64 = 0.25;

/// The interval of a cell's speedup, where it rests on more than single runs (its coverage at
/// least [`ONE_RUN_COVERAGE`]); `None` for the baseline's own cell and single runs.
pub fn speedup_interval(c: &CellResult) -> Option<(f64, f64)> {
    let cov = c.speedup_ci_coverage?;
    (cov >= ONE_RUN_COVERAGE).then_some((c.speedup_ci_low?, c.speedup_ci_high?))
}

/// Whether one cell's speedup stayed near 1×: its interval's upper end below [`NEAR_ONE`].
/// `false` without an interval (single runs cannot tell).
pub fn near_one(c: &CellResult) -> bool {
    speedup_interval(c).is_some_and(|(_, hi)| hi < NEAR_ONE)
}

/// Whether one cell scaled: speedup above [`SCALED`], its interval clear of 1.
pub fn climbed(c: &CellResult) -> bool {
    c.speedup.is_some_and(|s| s > SCALED) && speedup_interval(c).is_some_and(|(lo, _)| lo > 1.0)
}

/// The best cell at 2 workers or more of `model` that scaled ([`climbed`]).
pub fn scaled<'a>(cells: &[&'a CellResult], model: ModelKind) -> Option<&'a CellResult> {
    cells
        .iter()
        .copied()
        .filter(|c| c.model == Some(model) && c.workers >= 2)
        .filter(|c| climbed(c))
        .max_by(|a, b| {
            a.speedup
                .unwrap_or(0.0)
                .total_cmp(&b.speedup.unwrap_or(0.0))
        })
}

/// Whether `model` stayed near 1× at every count of 2 workers or more ([`near_one`]); `false`
/// without such a cell, or with one that has no interval.
pub fn stayed_flat(cells: &[&CellResult], model: ModelKind) -> bool {
    let mut many = cells
        .iter()
        .filter(|c| c.model == Some(model) && c.workers >= 2)
        .peekable();
    many.peek().is_some() && many.all(|c| near_one(c))
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
}
