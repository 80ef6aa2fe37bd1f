//! Amdahl's law fitted to wall times: `T(N) = T1 · (s + (1 − s) / N)`.

use serde::{Deserialize, Serialize};

use super::fit_error::{FitError, check_points, r_squared};
use super::fit_uncertainty::{bootstrap, check_errors, error_scale, percentile_95};

/// The fewest distinct worker counts Amdahl's law is fitted on (two parameters).
pub const AMDAHL_MIN_WORKER_COUNTS: usize = 2;

/// Result of [`fit_amdahl`] or [`fit_amdahl_weighted`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AmdahlFit {
    /// Serial fraction `s`, in [0, 1].
    pub serial_fraction: f64,
    /// Fitted time on one worker, seconds (or whatever unit the times were in).
    pub t1: f64,
    /// Coefficient of determination of the fitted times.
    pub r_squared: f64,
    /// The 95% interval of `serial_fraction` (a parametric bootstrap, see
    /// [`fit_amdahl_weighted`]); `None` from the unweighted [`fit_amdahl`] and in files from
    /// before intervals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serial_fraction_ci: Option<(f64, f64)>,
}

impl AmdahlFit {
    /// Predicted time on `n` workers.
    pub fn time(&self, n: f64) -> f64 {
        self.t1 * (self.serial_fraction + (1.0 - self.serial_fraction) / n)
    }

    /// Predicted speedup over the fitted one-worker time: `1 / (s + (1 − s) / N)`.
    pub fn speedup(&self, n: f64) -> f64 {
        1.0 / (self.serial_fraction + (1.0 - self.serial_fraction) / n)
    }

    /// The time that no number of workers takes away: `s · T1`, the limit of `T(N)`.
    pub fn serial_time(&self) -> f64 {
        self.serial_fraction * self.t1
    }

    /// The speedup no number of workers can exceed, over a baseline that took `baseline_s`
    /// (in the unit of the fitted times): `baseline_s / (s · T1)`, since `T(N)` never falls
    /// below `s · T1`. Over the fitted one-worker time itself (`baseline_s` = `T1`) it is
    /// Amdahl's `1 / s`; infinite when `s` = 0. State the baseline beside it: the measured
    /// speedups shown with it are over the sequential model, or each model's own one worker.
    pub fn max_speedup_over(&self, baseline_s: f64) -> f64 {
        baseline_s / self.serial_time()
    }

    /// The 95% interval of [`Self::max_speedup_over`]: the bound over the interval of `s`
    /// (`T1` held at its fitted value); the upper end is infinite when the interval of `s`
    /// reaches 0.
    pub fn max_speedup_ci_over(&self, baseline_s: f64) -> Option<(f64, f64)> {
        self.serial_fraction_ci
            .map(|(lo, hi)| (baseline_s / (hi * self.t1), baseline_s / (lo * self.t1)))
    }
}

/// Fits Amdahl's law to `(workers, time)` points by least squares of `T` against `1/N`:
/// `T = a + b/N` with `a = T1·s ≥ 0` and `b = T1·(1 − s) ≥ 0`, so `T1 = a + b` and
/// `s = a / (a + b)`. Every point weighs the same, whatever its precision: kept for
/// comparison (the product fits with [`fit_amdahl_weighted`]); no interval. Needs at least two
/// distinct worker counts and positive finite times.
pub fn fit_amdahl(points: &[(usize, f64)]) -> Result<AmdahlFit, FitError> {
    check_points(points, "Amdahl's law", "the time", AMDAHL_MIN_WORKER_COUNTS)?;
    let weights = vec![1.0; points.len()];
    let (xs, ys) = xs_ys(points);
    let (a, b) = estimate(&xs, &ys, &weights);
    finish(points, a, b)
}

/// [`fit_amdahl`] with each point weighted by how well it was measured: `errors[i]` is the
/// relative standard error of `points[i]`'s median (see
/// [`super::median_relative_error`]; `None` without an interval, given the default of
/// [`super::relative_errors`]), and the weight is the
/// inverse variance of the time, `1 / (errors[i] · Tᵢ)²` (the derivation is in
/// [`super::fit_uncertainty`]'s notes). The bounds hold as in the unweighted fit: when the
/// weighted least-squares line has `a < 0` (superlinear) or `b < 0` (slower with more
/// workers), the best fit with `a = 0` or `b = 0` (whichever has the smaller weighted sum of
/// squares) is taken. Equal relative errors on equal times, or any errors whose weights are
/// equal, give exactly [`fit_amdahl`]'s answer.
///
/// The serial fraction's 95% interval comes from a parametric bootstrap (see
/// [`super::fit_uncertainty`]). Coverage measured by simulation (`stats::amdahl` tests: s =
/// 0.1 on 1, 2, 4, 8 and 16 workers, 5% lognormal runs, 10 runs a cell, in half the trials
/// the 16-worker cell at 3 runs of 4× the spread; 300 seeded trials): 96.3%.
pub fn fit_amdahl_weighted(
    points: &[(usize, f64)],
    errors: &[Option<f64>],
) -> Result<AmdahlFit, FitError> {
    check_points(points, "Amdahl's law", "the time", AMDAHL_MIN_WORKER_COUNTS)?;
    let (errors, measured) = check_errors(points.len(), errors)?;
    let errors = errors.as_slice();
    let (xs, ys) = xs_ys(points);
    let weights_of = |ys: &[f64]| -> Vec<f64> {
        ys.iter()
            .zip(errors)
            .map(|(y, e)| 1.0 / (e * y).powi(2))
            .collect()
    };
    let (a, b) = estimate(&xs, &ys, &weights_of(&ys));
    let fit = finish(points, a, b)?;
    let fitted: Vec<f64> = xs.iter().map(|x| a + b * x).collect();
    let chi2: f64 = ys
        .iter()
        .zip(&fitted)
        .zip(errors)
        .map(|((y, f), e)| ((y - f) / (e * y)).powi(2))
        .sum();
    let Some(k) = error_scale(chi2, distinct(points).saturating_sub(2), measured) else {
        return Ok(fit);
    };
    let [s] = bootstrap(&fitted, errors, k, |ys| {
        let (a, b) = estimate(&xs, ys, &weights_of(ys));
        let t1 = a + b;
        (t1.is_finite() && t1 > 0.0).then(|| [(a / t1).clamp(0.0, 1.0)])
    });
    Ok(AmdahlFit {
        serial_fraction_ci: percentile_95(&s),
        ..fit
    })
}

fn distinct(points: &[(usize, f64)]) -> usize {
    let mut n: Vec<usize> = points.iter().map(|p| p.0).collect();
    n.sort_unstable();
    n.dedup();
    n.len()
}

fn xs_ys(points: &[(usize, f64)]) -> (Vec<f64>, Vec<f64>) {
    points.iter().map(|p| (1.0 / p.0 as f64, p.1)).unzip()
}

/// Weighted least squares of `y = a + b·x` under `a, b ≥ 0`.
fn estimate(xs: &[f64], ys: &[f64], ws: &[f64]) -> (f64, f64) {
    let w: f64 = ws.iter().sum();
    let mean = |v: &[f64]| v.iter().zip(ws).map(|(v, w)| v * w).sum::<f64>() / w;
    let (mx, my) = (mean(xs), mean(ys));
    let mut sxx = 0.0;
    let mut sxy = 0.0;
    for ((x, y), w) in xs.iter().zip(ys).zip(ws) {
        sxx += w * (x - mx).powi(2);
        sxy += w * (x - mx) * (y - my);
    }
    let b = sxy / sxx;
    let a = my - b * mx;
    if a >= 0.0 && b >= 0.0 {
        return (a, b);
    }
    // Bounds: a negative intercept (superlinear) means no serial part; a negative slope
    // (slower with more workers) means everything is serial. The constrained minimum of the
    // (convex) weighted sum of squares lies on one of the two edges: refit the one free
    // parameter on each and keep the better.
    let sse = |a: f64, b: f64| -> f64 {
        xs.iter()
            .zip(ys)
            .zip(ws)
            .map(|((x, y), w)| w * (y - a - b * x).powi(2))
            .sum()
    };
    let no_serial = (
        0.0,
        xs.iter()
            .zip(ys)
            .zip(ws)
            .map(|((x, y), w)| w * x * y)
            .sum::<f64>()
            / xs.iter().zip(ws).map(|(x, w)| w * x * x).sum::<f64>(),
    );
    let all_serial = (my, 0.0);
    if sse(no_serial.0, no_serial.1) <= sse(all_serial.0, all_serial.1) {
        no_serial
    } else {
        all_serial
    }
}

fn finish(points: &[(usize, f64)], a: f64, b: f64) -> Result<AmdahlFit, FitError> {
    let t1 = a + b;
    if !(t1.is_finite() && t1 > 0.0) {
        return Err(FitError::Degenerate(format!(
            "Amdahl's law gives a one-worker time of {t1}"
        )));
    }
    let fit = AmdahlFit {
        serial_fraction: (a / t1).clamp(0.0, 1.0),
        t1,
        r_squared: 0.0,
        serial_fraction_ci: None,
    };
    let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
    let predicted: Vec<f64> = points.iter().map(|p| fit.time(p.0 as f64)).collect();
    Ok(AmdahlFit {
        r_squared: r_squared(&ys, &predicted),
        ..fit
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every point measured, with these relative errors.
    fn some(errors: &[f64]) -> Vec<Option<f64>> {
        errors.iter().copied().map(Some).collect()
    }

    fn synthetic(t1: f64, s: f64, noise: &[f64]) -> Vec<(usize, f64)> {
        [1usize, 2, 4, 8, 16, 32]
            .iter()
            .zip(noise.iter().cycle())
            .map(|(&n, e)| (n, t1 * (s + (1.0 - s) / n as f64) * (1.0 + e)))
            .collect()
    }

    fn within(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    #[test]
    fn recovers_exact_parameters() {
        let fit = fit_amdahl(&synthetic(10.0, 0.12, &[0.0])).unwrap();
        assert!((fit.serial_fraction - 0.12).abs() < 1e-9, "{fit:?}");
        assert!((fit.t1 - 10.0).abs() < 1e-9);
        assert!(fit.r_squared > 0.999_999);
    }

    #[test]
    fn recovers_parameters_under_small_noise() {
        // Deterministic ±2% noise.
        let noise = [0.02, -0.015, 0.01, -0.02, 0.015, -0.01];
        let fit = fit_amdahl(&synthetic(10.0, 0.12, &noise)).unwrap();
        assert!(within(fit.serial_fraction, 0.12, 0.05), "{fit:?}");
        assert!(within(fit.t1, 10.0, 0.05), "{fit:?}");
        assert!(fit.r_squared > 0.99);
    }

    #[test]
    fn bounds_hold_for_superlinear_and_retrograde_data() {
        let superlinear = [(1, 8.0), (2, 3.5), (4, 1.6)];
        let fit = fit_amdahl(&superlinear).unwrap();
        assert_eq!(fit.serial_fraction, 0.0);
        let retrograde = [(1, 2.0), (2, 2.2), (4, 2.5)];
        let fit = fit_amdahl(&retrograde).unwrap();
        assert_eq!(fit.serial_fraction, 1.0);
        assert!((fit.t1 - (2.0 + 2.2 + 2.5) / 3.0).abs() < 1e-12);
    }

    #[test]
    fn the_bound_over_another_baseline_divides_that_baseline_by_the_serial_time() {
        // By hand: T1 = 0.25 s, s = 0.8, so 0.2 s stays serial however many workers. Over its
        // own T1 the bound is 1/0.8 = 1.25×; over a sequential baseline of 0.3 s it is
        // 0.3 / 0.2 = 1.5×, and over 0.15 s (a model slower than sequential) 0.75×.
        let a = AmdahlFit {
            serial_fraction: 0.8,
            t1: 0.25,
            r_squared: 1.0,
            serial_fraction_ci: Some((0.5, 1.0)),
        };
        assert!((a.serial_time() - 0.2).abs() < 1e-12);
        assert!(
            (a.max_speedup_over(a.t1) - 1.25).abs() < 1e-12,
            "1/s over its own T1"
        );
        assert!((a.max_speedup_over(0.3) - 1.5).abs() < 1e-12);
        assert!((a.max_speedup_over(0.15) - 0.75).abs() < 1e-12);
        // s in 0.5–1.0: serial time 0.125–0.25 s, so 0.3/0.25 = 1.2× to 0.3/0.125 = 2.4×.
        let (lo, hi) = a.max_speedup_ci_over(0.3).unwrap();
        assert!(
            (lo - 1.2).abs() < 1e-12 && (hi - 2.4).abs() < 1e-12,
            "{lo} {hi}"
        );
        // No serial part: no bound.
        let none = AmdahlFit {
            serial_fraction: 0.0,
            serial_fraction_ci: Some((0.0, 0.1)),
            ..a
        };
        assert_eq!(none.max_speedup_over(0.3), f64::INFINITY);
        assert_eq!(none.max_speedup_ci_over(0.3).unwrap().1, f64::INFINITY);
    }

    #[test]
    fn refuses_too_few_or_bad_points() {
        assert!(matches!(
            fit_amdahl(&[(4, 1.0), (4, 1.1)]),
            Err(FitError::TooFewPoints { got: 1, .. })
        ));
        assert!(matches!(
            fit_amdahl(&[(1, 1.0), (2, f64::NAN)]),
            Err(FitError::BadValue { workers: 2, .. })
        ));
        assert_eq!(
            fit_amdahl(&[(0, 1.0), (2, 1.0)]),
            Err(FitError::ZeroWorkers)
        );
        let msg = fit_amdahl(&[(2, 1.0)]).unwrap_err().to_string();
        assert!(msg.contains("at least 2 distinct worker counts"), "{msg}");
    }

    #[test]
    fn equal_uncertainty_gives_the_unweighted_answer() {
        // Errors that make every time's variance equal (r·T the same): equal weights.
        let noise = [0.02, -0.015, 0.01, -0.02, 0.015, -0.01];
        let points = synthetic(10.0, 0.12, &noise);
        let errors: Vec<f64> = points.iter().map(|p| 0.05 / p.1).collect();
        let weighted = fit_amdahl_weighted(&points, &some(&errors)).unwrap();
        let plain = fit_amdahl(&points).unwrap();
        assert!(
            (weighted.serial_fraction - plain.serial_fraction).abs() < 1e-12,
            "{weighted:?} {plain:?}"
        );
        assert!((weighted.t1 - plain.t1).abs() < 1e-12);
        assert_eq!(weighted.r_squared, plain.r_squared);
        // Exact data: every weighting finds the same law.
        let exact = synthetic(10.0, 0.12, &[0.0]);
        let any = [0.01, 0.3, 0.02, 0.1, 0.05, 0.2];
        let fit = fit_amdahl_weighted(&exact, &some(&any)).unwrap();
        assert!((fit.serial_fraction - 0.12).abs() < 1e-9, "{fit:?}");
    }

    #[test]
    fn a_precise_point_pulls_harder() {
        // 1 and 4 workers say s = 0 (T = 8/N); 2 workers says T(2) = 5 (s = 0.25 with T(1)).
        // By hand, weights w = (1, 1, 1) put the line T = a + b/N through the three; making
        // T(2) 100× more precise (errors 0.1 vs 0.001) drags the fit towards it.
        let points = [(1, 8.0), (2, 5.0), (4, 2.0)];
        let plain = fit_amdahl(&points).unwrap();
        let trust_two = fit_amdahl_weighted(&points, &some(&[0.1, 0.001, 0.1])).unwrap();
        let predicted = |f: &AmdahlFit| f.time(2.0);
        assert!((predicted(&trust_two) - 5.0).abs() < 0.01, "{trust_two:?}");
        assert!((predicted(&plain) - 5.0).abs() > 0.1, "{plain:?}");
    }

    #[test]
    fn bounds_hold_under_weights() {
        // Superlinear: no serial part, whatever the weights.
        let superlinear = [(1, 8.0), (2, 3.5), (4, 1.6)];
        let fit = fit_amdahl_weighted(&superlinear, &some(&[0.01, 0.2, 0.05])).unwrap();
        assert_eq!(fit.serial_fraction, 0.0);
        // The one free parameter b = Σ w·x·y / Σ w·x², w = 1 / (r·T)², x = 1/N, by hand:
        // w = 1/0.0064 = 156.25, 1/0.49 = 2.0408, 1/0.0064 = 156.25;
        // Σ w x y = 156.25·8 + 2.0408·0.5·3.5 + 156.25·0.25·1.6 = 1250 + 3.5714 + 62.5;
        // Σ w x² = 156.25 + 2.0408·0.25 + 156.25·0.0625 = 156.25 + 0.5102 + 9.765625.
        let b = (1250.0 + 3.571_428_6 + 62.5) / (156.25 + 0.510_204_1 + 9.765_625);
        assert!((fit.t1 - b).abs() < 1e-6, "{fit:?} vs {b}");
        // Slower with more workers: all serial, T1 the weighted mean Σ w·T / Σ w:
        // w = 1/(0.01·2)² = 2500, 1/(0.1·2.2)² = 20.661, 1/(0.1·2.5)² = 16.
        let retrograde = [(1, 2.0), (2, 2.2), (4, 2.5)];
        let fit = fit_amdahl_weighted(&retrograde, &some(&[0.01, 0.1, 0.1])).unwrap();
        assert_eq!(fit.serial_fraction, 1.0);
        let mean = (2500.0 * 2.0 + 20.661_157 * 2.2 + 16.0 * 2.5) / (2500.0 + 20.661_157 + 16.0);
        assert!((fit.t1 - mean).abs() < 1e-6, "{fit:?} vs {mean}");
        // Bad errors are refused, not fitted with an infinite weight.
        assert!(fit_amdahl_weighted(&retrograde, &some(&[0.01, 0.0, 0.1])).is_err());
        assert!(fit_amdahl_weighted(&retrograde, &some(&[0.01, 0.1])).is_err());
        let msg = fit_amdahl_weighted(&retrograde, &some(&[0.01, f64::NAN, 0.1]))
            .unwrap_err()
            .to_string();
        assert!(msg.contains("point 2 is NaN"), "{msg}");
    }

    /// Five worker counts, s = 0.1, T1 = 1 s: every cell's median and relative error from
    /// simulated runs (10 runs of 5% lognormal spread), except 16 workers: `few` runs of 4×
    /// the spread (a noisy moment of the machine). With `few` = 10 and no noisy cell, every
    /// cell is measured alike.
    fn simulated_sweep(
        rng: &mut crate::stats::SimulatedRuns,
        few: usize,
        noisy: bool,
    ) -> (Vec<(usize, f64)>, Vec<f64>) {
        let mut points = Vec::new();
        let mut errors = Vec::new();
        for n in [1usize, 2, 4, 8, 16] {
            let median = 0.1 + 0.9 / n as f64;
            let times: Vec<f64> = if n == 16 && noisy {
                (0..few).map(|_| median * (rng.run(1.0)).powi(4)).collect()
            } else {
                rng.runs(10, median)
            };
            let s = crate::stats::summarize(&times).unwrap();
            points.push((n, s.median));
            errors.push(
                crate::stats::median_relative_error(
                    s.median,
                    s.median_ci_low,
                    s.median_ci_high,
                    s.median_ci_coverage,
                )
                .unwrap(),
            );
        }
        (
            points,
            crate::stats::relative_errors(&errors.into_iter().map(Some).collect::<Vec<_>>()),
        )
    }

    /// RMS error of the serial fraction over `trials` simulated sweeps, weighted and not.
    fn rms_errors(seed: u64, noisy: bool) -> (f64, f64) {
        let mut rng = crate::stats::SimulatedRuns::seeded(seed);
        let trials = 300;
        let (mut weighted, mut plain) = (0.0, 0.0);
        for _ in 0..trials {
            let (points, errors) = simulated_sweep(&mut rng, 3, noisy);
            let w = fit_amdahl_weighted(&points, &some(&errors)).unwrap();
            let p = fit_amdahl(&points).unwrap();
            weighted += (w.serial_fraction - 0.1).powi(2);
            plain += (p.serial_fraction - 0.1).powi(2);
        }
        let rms = |sum: f64| (sum / trials as f64).sqrt();
        (rms(weighted), rms(plain))
    }

    #[test]
    fn weighting_by_precision_recovers_the_serial_fraction_better() {
        // One cell of 3 noisy runs: measured RMS error 0.0062 weighted, 0.0114 unweighted.
        let (weighted, plain) = rms_errors(0x0dd_ba11, true);
        assert!(
            weighted < 0.75 * plain,
            "weighted {weighted}, unweighted {plain}"
        );
        // Every cell measured alike (10 runs, 5%): the errors are relative, so the short times
        // of many workers are known better in seconds and weigh more; measured 0.0042
        // weighted, 0.0065 unweighted.
        let (weighted, plain) = rms_errors(0x0dd_ba11, false);
        assert!(weighted < plain, "weighted {weighted}, unweighted {plain}");
    }

    #[test]
    fn the_serial_fraction_interval_holds_the_truth_about_95_percent_of_the_time() {
        let mut rng = crate::stats::SimulatedRuns::seeded(0xc0ffee);
        let trials = 300;
        let (mut held, mut max_held) = (0, 0);
        for i in 0..trials {
            // Half the sweeps with a noisy cell, half measured alike.
            let (points, errors) = simulated_sweep(&mut rng, 3, i % 2 == 0);
            let fit = fit_amdahl_weighted(&points, &some(&errors)).unwrap();
            let (lo, hi) = fit.serial_fraction_ci.unwrap();
            assert!(
                lo <= fit.serial_fraction && fit.serial_fraction <= hi,
                "{fit:?}"
            );
            held += usize::from(lo <= 0.1 && 0.1 <= hi);
            let (mlo, mhi) = fit.max_speedup_ci_over(fit.t1).unwrap();
            max_held += usize::from(mlo <= 10.0 && 10.0 <= mhi);
        }
        let coverage = held as f64 / trials as f64;
        // Measured: 0.963. Neither overconfident nor uselessly wide.
        assert!((0.92..=0.995).contains(&coverage), "{coverage}");
        assert_eq!(held, max_held, "1/s holds 1/0.1 exactly when s holds 0.1");
    }

    #[test]
    fn the_interval_is_the_same_every_time() {
        let points = synthetic(10.0, 0.12, &[0.02, -0.015, 0.01, -0.02, 0.015, -0.01]);
        let errors = [0.02; 6];
        let a = fit_amdahl_weighted(&points, &some(&errors)).unwrap();
        let b = fit_amdahl_weighted(&points, &some(&errors)).unwrap();
        assert_eq!(a, b);
        let (lo, hi) = a.serial_fraction_ci.unwrap();
        assert!(lo < a.serial_fraction && a.serial_fraction < hi, "{a:?}");
    }

    #[test]
    fn without_measured_errors_the_scatter_sets_the_interval() {
        // One run a cell: no point's error is known, so the interval comes from how far the
        // points lie from the curve. Exact data: none, so the interval is the value itself.
        let exact = synthetic(10.0, 0.12, &[0.0]);
        let fit = fit_amdahl_weighted(&exact, &[None; 6]).unwrap();
        let (lo, hi) = fit.serial_fraction_ci.unwrap();
        assert!(
            (lo - 0.12).abs() < 1e-9 && (hi - 0.12).abs() < 1e-9,
            "{fit:?}"
        );
        // ±2% scatter: an interval around 0.12 that holds it.
        let noisy = synthetic(10.0, 0.12, &[0.02, -0.015, 0.01, -0.02, 0.015, -0.01]);
        let fit = fit_amdahl_weighted(&noisy, &[None; 6]).unwrap();
        let (lo, hi) = fit.serial_fraction_ci.unwrap();
        assert!(lo < 0.12 && 0.12 < hi && hi - lo < 0.05, "{fit:?}");
        // Two points and nothing measured: a line through both, nothing to judge from.
        let fit = fit_amdahl_weighted(&exact[..2], &[None; 2]).unwrap();
        assert_eq!(fit.serial_fraction_ci, None);
        // Measured errors on two points still give one.
        let fit = fit_amdahl_weighted(&exact[..2], &[Some(0.02); 2]).unwrap();
        assert!(fit.serial_fraction_ci.is_some());
    }
}
