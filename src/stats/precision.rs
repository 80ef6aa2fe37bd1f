//! How precisely a median is known, and how many samples it would take to know it better.
//!
//! The precision of a median is the wider side of its 95% order-statistics interval
//! ([`median_ci`]), the larger of median − low and high − median (such an interval is
//! lopsided), relative to the median. For planning, the interval's half-width shrinks
//! like `z · √(π/2) · σ / √n` (the asymptotic standard error of a median is `√(π/2) · σ / √n`),
//! with σ estimated robustly from the MAD (`1.4826 · MAD`), so one slow run does not inflate it.

use super::summary::{MedianCi, Summary, deviations_and_mad, median, median_ci};

/// Smallest sample count whose order-statistics interval of the median reaches 95% coverage.
pub const MIN_SAMPLES_FOR_95: usize = 6;

/// The coverage an interval needs to be called a 95% interval: 0.95 less a rounding hair
/// (six samples give 96.9%, five 93.75%). Below it an interval is named by its coverage.
pub const FULL_COVERAGE: f64 = 0.95 - 1e-9;

/// The larger distance from the median to either end of its 95% confidence interval, as a
/// fraction of the median: `0.013` means the median is known to ±1.3%. `None` with fewer
/// than the 6 samples a 95% interval of the median needs, non-finite samples or a median ≤ 0.
pub fn median_precision(samples: &[f64]) -> Option<f64> {
    precision_of(median(samples)?, &median_ci(samples)?)
}

impl Summary {
    /// [`median_precision`] of the samples this summary was made from, from the median and
    /// interval it already holds.
    pub fn median_precision(&self) -> Option<f64> {
        let ci = MedianCi {
            low: self.median_ci_low,
            high: self.median_ci_high,
            coverage: self.median_ci_coverage,
        };
        precision_of(self.median, &ci)
    }
}

/// The wider side of `ci` around `median`, as a fraction of it; `None` below 95% coverage or
/// for a median ≤ 0.
fn precision_of(median: f64, ci: &MedianCi) -> Option<f64> {
    if ci.coverage < 0.95 || median <= 0.0 {
        return None;
    }
    Some((median - ci.low).max(ci.high - median) / median)
}

/// How many samples in all the median should need to be known to ± `target` (a fraction),
/// judged from the spread of `samples` so far: `⌈(1.96 · √(π/2) · σ̂ / (target · median))²⌉`
/// with `σ̂ = 1.4826 · MAD`, at least [`MIN_SAMPLES_FOR_95`] and at least the samples already
/// taken. `None` with fewer than 3 samples (no spread to judge), a target ≤ 0, non-finite
/// samples or a median ≤ 0.
pub fn samples_for_precision(samples: &[f64], target: f64) -> Option<usize> {
    if samples.len() < 3 || target <= 0.0 || !target.is_finite() {
        return None;
    }
    let m = median(samples)?;
    if m <= 0.0 {
        return None;
    }
    let (_, mad) = deviations_and_mad(samples, m)?;
    let sigma = 1.4826 * mad;
    let z_se = 1.96 * (std::f64::consts::PI / 2.0).sqrt();
    let n = (z_se * sigma / (target * m)).powi(2).ceil();
    // A huge spread asks for "more than anyone will run": saturate rather than overflow.
    let n = if n.is_finite() && n < 1e9 {
        n as usize
    } else {
        usize::MAX
    };
    Some(n.max(MIN_SAMPLES_FOR_95).max(samples.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_samples_are_exact_once_there_are_six() {
        assert_eq!(median_precision(&[0.1; 5]), None);
        assert_eq!(median_precision(&[0.1; 6]), Some(0.0));
    }

    #[test]
    fn the_precision_is_the_wider_side_of_the_interval() {
        // Six samples: the 95% interval is [min, max] = [0.9, 1.2] around the median 1.0
        // (the middle pair 0.98 and 1.02): the upper side, 0.2, is the wider one.
        let s = [0.9, 0.98, 1.02, 1.05, 0.95, 1.2];
        let p = median_precision(&s).unwrap();
        assert!((p - 0.2 / 1.0).abs() < 1e-12, "{p}");
    }

    #[test]
    fn a_summary_gives_the_precision_of_its_samples() {
        for s in [
            vec![0.9, 0.98, 1.02, 1.05, 0.95, 1.2],
            vec![0.1; 6],
            vec![1.0, 1.1, 0.9, 1.0, 1.05],
        ] {
            let summary = super::super::summarize(&s).unwrap();
            assert_eq!(summary.median_precision(), median_precision(&s), "{s:?}");
        }
    }

    #[test]
    fn no_precision_without_a_positive_median() {
        assert_eq!(median_precision(&[0.0; 8]), None);
        assert_eq!(median_precision(&[]), None);
    }

    #[test]
    fn the_planned_count_follows_the_spread() {
        // Median 1.0, deviations 0.01, 0, 0.01 → MAD 0.01, σ̂ 0.014826.
        // (1.96 · 1.253314 · 0.014826 / 0.02)² = 1.8209² = 3.32 → 4, raised to the minimum 6.
        assert_eq!(samples_for_precision(&[0.99, 1.0, 1.01], 0.02), Some(6));
        // Ten times the spread: (18.209)² = 331.6 → 332.
        assert_eq!(samples_for_precision(&[0.9, 1.0, 1.1], 0.02), Some(332));
        // The same spread against a 10% target: (3.6418)² = 13.26 → 14.
        assert_eq!(samples_for_precision(&[0.9, 1.0, 1.1], 0.10), Some(14));
    }

    #[test]
    fn the_planned_count_is_never_below_the_samples_taken() {
        let s = [1.0; 40];
        assert_eq!(samples_for_precision(&s, 0.02), Some(40));
    }

    #[test]
    fn too_few_samples_or_a_bad_target_plan_nothing() {
        assert_eq!(samples_for_precision(&[1.0, 1.1], 0.02), None);
        assert_eq!(samples_for_precision(&[1.0, 1.1, 0.9], 0.0), None);
        assert_eq!(samples_for_precision(&[1.0, 1.1, f64::NAN], 0.02), None);
    }
}
