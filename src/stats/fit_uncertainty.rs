//! How well each fitted point was measured, and how sure a fit can be of its parameters.
//!
//! # Weights: inverse variance, on the scale the fit minimises
//!
//! A cell's median `T̂` comes with a distribution-free interval `[L, H]` whose coverage `c` is
//! known exactly ([`super::median_ci`]). The sampling distribution of a median is close to
//! normal, so the interval spans about `± z·se` around it, with `z = Φ⁻¹((1 + c)/2)` (1.96 for
//! 95%): the median's standard error is `se(T̂) ≈ (H − L) / (2z)`, and its **relative** error
//! `r = se(T̂) / T̂` (see [`median_relative_error`]).
//!
//! - Amdahl's law is fitted by least squares on the times themselves, `Σ wᵢ (Tᵢ − f(Nᵢ))²`.
//!   The weight that gives the maximum-likelihood (minimum-variance) estimate under
//!   independent normal errors is the inverse variance, `wᵢ = 1 / se(Tᵢ)² = 1 / (rᵢ Tᵢ)²`.
//! - The USL is fitted on speedups `Sᵢ = B / Tᵢ`. On a log scale `ln S = ln B − ln T`, so the
//!   cell's own part of the error of `ln S` is that of `ln T`, which is `rᵢ` (delta method:
//!   `se(ln T̂) ≈ se(T̂)/T̂`), and `se(Sᵢ) ≈ Sᵢ rᵢ`: `wᵢ = 1 / (rᵢ Sᵢ)²`. The baseline's error
//!   `B` is common to every point (it scales the whole curve), so it is not a per-point
//!   weight. With a fitted scale γ it is absorbed by γ. Where there is none — the values are
//!   divided by the model's own one-worker median and S(1) = 1 is fixed — that one-worker
//!   point has no residual and the fit alone would never see its error: the bootstrap
//!   perturbs it like every other point and divides each replicate by it
//!   ([`super::fit_usl_over_one_worker_weighted`]), so a noisy one-worker run widens σ and κ.
//!
//! Points with equal variance on the fitted scale get equal weights, and then the weighted fit
//! is exactly the unweighted one (the weights cancel). No weight is ever infinite:
//! - a zero-width interval (identical runs, a coarse clock) is floored at
//!   [`RELATIVE_ERROR_FLOOR`] (0.1%) or [`CLOCK_RESOLUTION_S`] (1 µs), whichever is larger;
//! - a median from fewer than the 6 runs a 95% interval needs has an interval that says
//!   little about its own width (3 runs: `[min, max]`, 75%), so it gets at least
//!   [`FEW_RUNS_RELATIVE_ERROR`] (10%), more when its own interval says so;
//! - a point without any interval (one run, an old file) gets [`FEW_RUNS_RELATIVE_ERROR`] or
//!   the largest error of the fit's other points, whichever is larger (see
//!   [`relative_errors`]): never trusted more than the worst measured point.
//!
//! # Intervals of the parameters: a parametric bootstrap
//!
//! [`bootstrap`] draws [`BOOTSTRAP_REPLICATES`] synthetic data sets from the fitted curve,
//! each point multiplied by `exp(k · rᵢ · zᵢ)` (`zᵢ` standard normal from a fixed seed, so the
//! same data always give the same interval), refits each the way the point estimate was
//! fitted (weights and bounds included), and takes the 2.5% and 97.5% percentiles of every
//! parameter. `k ≥ 1` is the Birge ratio `√(χ²/dof)` of the fit when it exceeds 1: when the
//! points scatter around the curve more than their intervals say (a model that does not quite
//! describe the work, runs disturbed between cells), the intervals widen to match, rather
//! than claim a precision the data do not show.
//!
//! Near a bound the interval is lopsided, and rightly: when the USL's κ is fitted at its bound
//! 0, about half the replicates fit a κ above 0 and, since σ and κ trade off against each
//! other, a lower σ; the other half stay at κ = 0 with σ close to the estimate. So σ's
//! interval reaches well below the estimate and only a little above it (σ = 0.0625, 95% CI
//! 0.053–0.064 on three tight points). It still holds the estimate.

use super::Gaussian;
use statrs::distribution::{ContinuousCDF, Normal};

/// The smallest relative error a median is given: 0.1%, however tight its interval.
pub const RELATIVE_ERROR_FLOOR: f64 = 0.001;
/// The smallest absolute error of a median, seconds: the clock's resolution, about 1 µs.
pub const CLOCK_RESOLUTION_S: f64 = 1e-6;
/// The relative error of a median measured with fewer than 6 runs (or none to judge from):
/// 10%, a noisy machine's spread of one run.
pub const FEW_RUNS_RELATIVE_ERROR: f64 = 0.10;
/// How many synthetic data sets [`bootstrap`] refits.
pub const BOOTSTRAP_REPLICATES: usize = 400;
/// A coverage this low is none: one run's "interval" is the run itself, with coverage 0 (or
/// its rounding error, 1e-15). Two runs already give 50%.
const NO_COVERAGE: f64 = 0.01;
/// The coverage at and above which a median's interval is trusted for its own width.
const TRUSTED_COVERAGE: f64 = 0.95;

/// The relative standard error of a median `median` (seconds) whose confidence interval is
/// `[low, high]` with exact coverage `coverage` (see the module notes for the derivation and
/// the floors). `None` when there is no interval to judge from: coverage 0 (a single run),
/// or values that are not positive and finite, or an interval that does not hold the median.
pub fn median_relative_error(median: f64, low: f64, high: f64, coverage: f64) -> Option<f64> {
    let valid = [median, low, high]
        .iter()
        .all(|v| v.is_finite() && *v > 0.0)
        && low <= median
        && median <= high
        && coverage.is_finite()
        && coverage > NO_COVERAGE
        && coverage < 1.0;
    if !valid {
        return None;
    }
    let z = Normal::standard().inverse_cdf((1.0 + coverage) / 2.0);
    if !(z.is_finite() && z > 0.0) {
        return None;
    }
    let own = (high - low) / (2.0 * z) / median;
    let floor = RELATIVE_ERROR_FLOOR.max(CLOCK_RESOLUTION_S / median);
    let floor = if coverage < TRUSTED_COVERAGE {
        floor.max(FEW_RUNS_RELATIVE_ERROR)
    } else {
        floor
    };
    Some(own.max(floor))
}

/// Every point's relative error, with the default for points that have none: the larger of
/// [`FEW_RUNS_RELATIVE_ERROR`] and the largest error among the others. Never 0, never
/// infinite.
pub fn relative_errors(errors: &[Option<f64>]) -> Vec<f64> {
    let worst = errors
        .iter()
        .flatten()
        .copied()
        .filter(|e| e.is_finite())
        .fold(FEW_RUNS_RELATIVE_ERROR, f64::max);
    errors
        .iter()
        .map(|e| match e {
            Some(e) if e.is_finite() && *e > 0.0 => e.max(RELATIVE_ERROR_FLOOR),
            _ => worst,
        })
        .collect()
}

/// Every point's relative error for a weighted fit ([`relative_errors`]) and whether any
/// point was measured at all; refuses a count that does not match the points, and an error
/// that is given but not a positive finite number.
pub(crate) fn check_errors(
    points: usize,
    errors: &[Option<f64>],
) -> Result<(Vec<f64>, bool), super::FitError> {
    if errors.len() != points {
        return Err(super::FitError::Degenerate(format!(
            "{} points were given {} relative errors",
            points,
            errors.len()
        )));
    }
    for (i, e) in errors.iter().enumerate() {
        if let Some(e) = e
            && !(e.is_finite() && *e > 0.0)
        {
            return Err(super::FitError::Degenerate(format!(
                "the relative error of point {} is {e}, which is not a positive finite number",
                i + 1
            )));
        }
    }
    Ok((relative_errors(errors), errors.iter().any(Option::is_some)))
}

/// The seed of every bootstrap: fixed, so an interval never changes between runs.
const SEED: u64 = 0x5eed_c0de_1a2b_3c4d;

/// How much to scale the points' errors in the bootstrap, from the weighted sum of squared
/// residuals `chi_squared` over `dof` degrees of freedom:
/// - some point was measured (`measured`): the Birge ratio `max(1, √(χ²/dof))`, how much more
///   the points scatter around the curve than their intervals say (1 when they do not, or
///   when `dof` = 0);
/// - no point was (one run each, every error the same default): the errors are a guess, so
///   the scatter alone sets them, `√(χ²/dof)`, as in an unweighted regression; `None` when
///   `dof` = 0 (a curve through every point: nothing to judge from, no interval).
pub(crate) fn error_scale(chi_squared: f64, dof: usize, measured: bool) -> Option<f64> {
    if !chi_squared.is_finite() {
        return measured.then_some(1.0);
    }
    match (dof, measured) {
        (0, true) => Some(1.0),
        (0, false) => None,
        (_, true) => Some((chi_squared / dof as f64).sqrt().max(1.0)),
        (_, false) => Some((chi_squared / dof as f64).sqrt()),
    }
}

/// A parametric bootstrap (see the module notes): `fitted[i]` is the curve's value at point
/// `i`, `errors[i]` its relative error, `k` the Birge ratio; `refit` fits one synthetic data set
/// (the values, in the points' order) and gives the parameters of interest, or `None` when
/// that set cannot be fitted (such sets are left out). Returns, for each of the `P`
/// parameters, the sorted values of the replicates.
pub(crate) fn bootstrap<const P: usize>(
    fitted: &[f64],
    errors: &[f64],
    k: f64,
    mut refit: impl FnMut(&[f64]) -> Option<[f64; P]>,
) -> [Vec<f64>; P] {
    let mut rng = Gaussian::seeded(SEED);
    let mut out: [Vec<f64>; P] = std::array::from_fn(|_| Vec::with_capacity(BOOTSTRAP_REPLICATES));
    let mut values = vec![0.0; fitted.len()];
    for _ in 0..BOOTSTRAP_REPLICATES {
        for ((v, f), e) in values.iter_mut().zip(fitted).zip(errors) {
            *v = f * (k * e * rng.next()).exp();
        }
        if let Some(params) = refit(&values) {
            for (o, p) in out.iter_mut().zip(params) {
                o.push(p);
            }
        }
    }
    for o in &mut out {
        o.sort_by(f64::total_cmp);
    }
    out
}

/// The 2.5% and 97.5% percentiles of sorted `values` (linear interpolation between order
/// statistics); `None` when fewer than half the replicates could be fitted.
pub(crate) fn percentile_95(sorted: &[f64]) -> Option<(f64, f64)> {
    if sorted.len() < BOOTSTRAP_REPLICATES / 2 {
        return None;
    }
    let at = |q: f64| {
        let pos = q * (sorted.len() - 1) as f64;
        let (i, frac) = (pos.floor() as usize, pos.fract());
        let next = sorted.get(i + 1).copied().unwrap_or(sorted[i]);
        sorted[i] + frac * (next - sorted[i])
    };
    Some((at(0.025), at(0.975)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_95_interval_gives_its_half_width_over_1_96() {
        // [0.9, 1.1] at 95% around 1.0: se = 0.2 / (2 · 1.96) = 0.05102.
        let r = median_relative_error(1.0, 0.9, 1.1, 0.95).unwrap();
        assert!((r - 0.2 / (2.0 * 1.959_964)).abs() < 1e-6, "{r}");
        // The same interval held more surely (99%) is narrower per z: z = 2.5758.
        let r = median_relative_error(1.0, 0.9, 1.1, 0.99).unwrap();
        assert!((r - 0.2 / (2.0 * 2.575_829)).abs() < 1e-6, "{r}");
        // A relative error: the same on every scale.
        let r2 = median_relative_error(10.0, 9.0, 11.0, 0.99).unwrap();
        assert!((r - r2).abs() < 1e-12);
    }

    #[test]
    fn no_weight_is_infinite() {
        // Identical runs: the floor, 0.1%.
        assert_eq!(
            median_relative_error(1.0, 1.0, 1.0, 0.98),
            Some(RELATIVE_ERROR_FLOOR)
        );
        // A 2 µs median cannot be known better than the clock's 1 µs.
        let r = median_relative_error(2e-6, 2e-6, 2e-6, 0.98).unwrap();
        assert!((r - 0.5).abs() < 1e-12, "{r}");
        // Five runs (93.75%): at least the few-runs default, more when they spread wider.
        assert_eq!(
            median_relative_error(1.0, 0.99, 1.01, 0.9375),
            Some(FEW_RUNS_RELATIVE_ERROR)
        );
        let wide = median_relative_error(1.0, 0.5, 1.6, 0.9375).unwrap();
        assert!(wide > 0.25, "{wide}");
        // One run (coverage 0), a bad interval: no estimate.
        assert_eq!(median_relative_error(1.0, 1.0, 1.0, 0.0), None);
        assert_eq!(median_relative_error(1.0, 1.0, 1.0, 8.9e-16), None);
        assert_eq!(median_relative_error(1.0, 1.1, 1.2, 0.98), None);
        assert_eq!(median_relative_error(0.0, 0.0, 1.0, 0.98), None);
    }

    #[test]
    fn points_without_an_error_get_the_worst_or_the_default() {
        assert_eq!(
            relative_errors(&[Some(0.02), None, Some(0.01)]),
            vec![0.02, FEW_RUNS_RELATIVE_ERROR, 0.01]
        );
        assert_eq!(
            relative_errors(&[Some(0.3), None]),
            vec![0.3, 0.3],
            "never trusted more than the worst measured point"
        );
        assert_eq!(
            relative_errors(&[None, None]),
            vec![FEW_RUNS_RELATIVE_ERROR; 2]
        );
        assert_eq!(relative_errors(&[Some(0.0)]), vec![FEW_RUNS_RELATIVE_ERROR]);
    }

    #[test]
    fn the_bootstrap_is_deterministic_and_its_percentiles_interpolate() {
        let run = || bootstrap(&[1.0, 2.0], &[0.1, 0.1], 1.0, |v| Some([v[0], v[1] / 2.0]));
        let (a, b) = (run(), run());
        assert_eq!(a, b);
        // Both parameters are exp(0.1 z) with independent z: a 95% interval near
        // [exp(−0.196), exp(0.196)] = [0.822, 1.217].
        for p in &a {
            let (lo, hi) = percentile_95(p).unwrap();
            assert!(
                (0.78..0.87).contains(&lo) && (1.15..1.27).contains(&hi),
                "{lo} {hi}"
            );
        }
        let sorted: Vec<f64> = (0..=BOOTSTRAP_REPLICATES).map(|i| i as f64).collect();
        let (lo, hi) = percentile_95(&sorted).unwrap();
        assert!(
            (lo - 10.0).abs() < 1e-9 && (hi - 390.0).abs() < 1e-9,
            "{lo} {hi}"
        );
        assert_eq!(percentile_95(&[1.0, 2.0]), None);
    }

    #[test]
    fn the_error_scale_widens_measured_errors_and_replaces_guessed_ones() {
        assert_eq!(error_scale(1.0, 4, true), Some(1.0));
        assert_eq!(error_scale(16.0, 4, true), Some(2.0));
        assert_eq!(error_scale(5.0, 0, true), Some(1.0));
        assert_eq!(error_scale(1.0, 4, false), Some(0.5));
        assert_eq!(error_scale(5.0, 0, false), None);
    }

    #[test]
    fn errors_are_checked_and_filled() {
        assert_eq!(
            check_errors(2, &[Some(0.02), None]),
            Ok((vec![0.02, FEW_RUNS_RELATIVE_ERROR], true))
        );
        assert_eq!(
            check_errors(2, &[None, None]),
            Ok((vec![FEW_RUNS_RELATIVE_ERROR; 2], false))
        );
        assert!(check_errors(3, &[None, None]).is_err());
        let msg = check_errors(2, &[Some(0.0), None]).unwrap_err().to_string();
        assert!(msg.contains("point 1 is 0"), "{msg}");
    }
}
