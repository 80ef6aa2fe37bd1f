//! Gunther's Universal Scalability Law fitted to speedups:
//! `S(N) = N / (1 + σ(N − 1) + κN(N − 1))`, with contention `σ ≥ 0` and coherency `κ ≥ 0`.

use serde::{Deserialize, Serialize};

use super::fit_error::{FitError, check_points, r_squared};
use super::fit_uncertainty::{bootstrap, check_errors, error_scale, percentile_95};

/// The fewest distinct worker counts the USL is fitted on (σ and κ;
/// [`USL_SCALED_MIN_WORKER_COUNTS`] with a fitted scale, [`fit_usl_scaled`]).
pub const USL_MIN_WORKER_COUNTS: usize = 3;
/// The fewest distinct worker counts the USL with a fitted scale (a third parameter) needs.
pub const USL_SCALED_MIN_WORKER_COUNTS: usize = 4;

/// Result of [`fit_usl`] or [`fit_usl_scaled`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UslFit {
    /// Contention (serialisation) coefficient σ ≥ 0.
    pub sigma: f64,
    /// Coherency (crosstalk) coefficient κ ≥ 0.
    pub kappa: f64,
    /// The scale γ: the predicted value at one worker, `γ·N / (1 + σ(N − 1) + κN(N − 1))`.
    /// 1 for [`fit_usl`] (the values are relative to one worker); fitted by
    /// [`fit_usl_scaled`] (speedups over another baseline, throughputs).
    #[serde(default = "one")]
    pub scale: f64,
    /// Whether `scale` was fitted (true) or fixed at 1 (false).
    #[serde(default)]
    pub scale_fitted: bool,
    /// The whole worker count with the highest predicted value (see [`usl_peak`]); `None`
    /// when κ = 0 and σ < 1: the curve levels off towards `γ/σ` and never turns down.
    pub peak_workers: Option<usize>,
    /// Coefficient of determination of the fitted values.
    pub r_squared: f64,
    /// 95% intervals of σ, κ and the peak (a parametric bootstrap, see
    /// [`fit_usl_weighted`]); `None` from the unweighted fits and in files from before
    /// intervals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervals: Option<UslIntervals>,
}

/// The 95% intervals of a [`UslFit`]'s parameters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UslIntervals {
    pub sigma: (f64, f64),
    pub kappa: (f64, f64),
    /// The interval of the peak's worker count when the fit has a peak: `(low, Some(high))`,
    /// or `(low, None)` when more than 2.5% of the plausible curves never turn down (no upper
    /// bound). `None` when the fit itself has no peak.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peak_workers: Option<(usize, Option<usize>)>,
}

fn one() -> f64 {
    1.0
}

impl UslFit {
    /// Predicted value (speedup or relative throughput) on `n` workers, scale included.
    pub fn speedup(&self, n: f64) -> f64 {
        self.scale * usl(self.sigma, self.kappa, n)
    }

    /// The highest value the fit predicts: at the peak when there is one, else the limit
    /// `γ/σ` (infinite when σ = 0 too).
    pub fn max_speedup(&self) -> f64 {
        match self.peak_workers {
            Some(n) => self.speedup(n as f64),
            None => self.scale / self.sigma,
        }
    }
}

/// `N / (1 + σ(N − 1) + κN(N − 1))`.
pub fn usl(sigma: f64, kappa: f64, n: f64) -> f64 {
    n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// The whole worker count at which `usl(σ, κ, N)` is highest: the continuous maximum is at
/// `N* = sqrt((1 − σ)/κ)`, so it is `floor(N*)` or `ceil(N*)`, whichever predicts more
/// (at least 1). With σ ≥ 1 no count beats one worker: `Some(1)`. `None` for κ = 0 and σ < 1
/// (no peak: the curve rises towards `1/σ`).
pub fn usl_peak(sigma: f64, kappa: f64) -> Option<usize> {
    if sigma >= 1.0 {
        return Some(1);
    }
    if kappa <= 0.0 {
        return None;
    }
    let star = ((1.0 - sigma).max(0.0) / kappa).sqrt();
    if !star.is_finite() || star >= usize::MAX as f64 / 2.0 {
        return None;
    }
    let lo = star.floor().max(1.0);
    let hi = star.ceil().max(1.0);
    let best = if usl(sigma, kappa, hi) > usl(sigma, kappa, lo) {
        hi
    } else {
        lo
    };
    Some(best as usize)
}

/// Fits σ and κ to `(workers, value)` points with the scale fixed at 1 (the values are
/// relative to one worker), by bounded non-linear least squares. Starts from Gunther's
/// linearisation (`N/S − 1 = σ(N−1) + κN(N−1)`, a linear least-squares problem) and a coarse
/// grid, then refines each start with a projected Levenberg–Marquardt iteration that keeps
/// σ, κ ≥ 0; the boundary cases κ = 0 and σ = 0 are fitted separately, and the best sum of
/// squares wins. Needs at least three distinct worker counts and positive finite values.
pub fn fit_usl(points: &[(usize, f64)]) -> Result<UslFit, FitError> {
    checked_fit(points, None, Scale::One, false)
}

/// [`fit_usl`] with each point weighted by how well it was measured: `errors[i]` is the
/// relative standard error of `points[i]` (a speedup `B/T` carries its time's relative error,
/// see [`super::median_relative_error`]; `None` without an interval, given the default of
/// [`super::relative_errors`]), and the weight is the inverse variance of the value,
/// `1 / (errors[i] · Sᵢ)²` (derivation in [`super::fit_uncertainty`]'s notes). The bounds
/// σ, κ ≥ 0 hold as in the unweighted fit (the boundary fits κ = 0 and σ = 0 are weighted
/// too). Weights that are all equal give exactly [`fit_usl`]'s answer.
///
/// σ, κ and the peak get 95% intervals from a parametric bootstrap (see
/// [`super::fit_uncertainty`]). Coverage measured by simulation (`stats::usl` tests: σ = 0.05,
/// κ = 0.002 on 1–48 workers, 5% lognormal runs, 10 runs a cell, in half the trials the
/// 16-worker cell at 3 runs of 4× the spread; 100 seeded trials): σ 95%, κ 96%, the peak
/// (22 workers) 99%.
pub fn fit_usl_weighted(
    points: &[(usize, f64)],
    errors: &[Option<f64>],
) -> Result<UslFit, FitError> {
    checked_fit(points, Some(errors), Scale::One, false)
}

/// [`fit_usl_weighted`] on values that were divided by one of them, the one-worker value (the
/// model's own one-worker median; that point is then exactly 1): S(1) = 1 is fixed, so the
/// one-worker point has no residual and the fit alone never sees its error, yet every other
/// value carries it. The bootstrap puts it back: each replicate perturbs the one-worker value
/// by its own error like every other point and divides the replicate by it before refitting,
/// so a noisy one-worker run widens σ's and κ's intervals as it should. Without a one-worker
/// point, exactly [`fit_usl_weighted`].
pub fn fit_usl_over_one_worker_weighted(
    points: &[(usize, f64)],
    errors: &[Option<f64>],
) -> Result<UslFit, FitError> {
    checked_fit(points, Some(errors), Scale::One, true)
}

/// [`fit_usl_scaled`] weighted as [`fit_usl_weighted`], with the same intervals.
pub fn fit_usl_scaled_weighted(
    points: &[(usize, f64)],
    errors: &[Option<f64>],
) -> Result<UslFit, FitError> {
    checked_fit(points, Some(errors), Scale::Fitted, false)
}

/// Like [`fit_usl`], with the scale γ fitted too: `γ·N / (1 + σ(N − 1) + κN(N − 1))`. For
/// speedups over a baseline other than the model's own one-worker run (a model whose one
/// worker is slower than the sequential baseline has γ < 1), and for throughputs. Needs at
/// least four distinct worker counts (three parameters).
pub fn fit_usl_scaled(points: &[(usize, f64)]) -> Result<UslFit, FitError> {
    checked_fit(points, None, Scale::Fitted, false)
}

/// Whether the USL's scale γ is fixed at 1 (values relative to one worker) or fitted.
#[derive(Clone, Copy, PartialEq)]
enum Scale {
    One,
    Fitted,
}

/// The preamble every public USL fit shares: checks the points (the worker counts the law
/// needs, positive finite values) and, where given, one relative error a point, then fits.
/// `over_one_worker`: the values were divided by the one-worker point's (see
/// [`fit_usl_over_one_worker_weighted`]).
fn checked_fit(
    points: &[(usize, f64)],
    errors: Option<&[Option<f64>]>,
    scale: Scale,
    over_one_worker: bool,
) -> Result<UslFit, FitError> {
    let (law, what, needed) = match scale {
        Scale::One => (
            "the Universal Scalability Law",
            "the speedup",
            USL_MIN_WORKER_COUNTS,
        ),
        Scale::Fitted => (
            "the Universal Scalability Law with a fitted scale",
            "the value",
            USL_SCALED_MIN_WORKER_COUNTS,
        ),
    };
    check_points(points, law, what, needed)?;
    let scaled = scale == Scale::Fitted;
    let over = over_one_worker
        .then(|| points.iter().position(|p| p.0 == 1))
        .flatten();
    match errors {
        None => fit(points, None, scaled, None, over),
        Some(errors) => {
            let (errors, measured) = check_errors(points.len(), errors)?;
            fit(points, Some(&errors), scaled, Some(measured), over)
        }
    }
}

/// `(N, value, weight)`: the points as the fit sees them.
type Data = [(f64, f64, f64)];

/// The data with each value's inverse-variance weight (1 when unweighted).
fn weighted(ns: &[f64], values: &[f64], errors: Option<&[f64]>) -> Vec<(f64, f64, f64)> {
    ns.iter()
        .zip(values)
        .enumerate()
        .map(|(i, (&n, &y))| {
            let w = errors
                .and_then(|e| e.get(i))
                .map_or(1.0, |e| 1.0 / (e * y).powi(2));
            (n, y, w)
        })
        .collect()
}

/// Fits the USL, weighted when `errors` are given; with `intervals` (and errors) the
/// bootstrap intervals too, `Some(measured)` saying whether any point's error was measured
/// (see [`super::fit_uncertainty::error_scale`]). `over`: the index of the point every value
/// was divided by (see [`fit_usl_over_one_worker_weighted`]); each bootstrap replicate is
/// divided by its own perturbed value of that point.
fn fit(
    points: &[(usize, f64)],
    errors: Option<&[f64]>,
    scaled: bool,
    intervals: Option<bool>,
    over: Option<usize>,
) -> Result<UslFit, FitError> {
    let ns: Vec<f64> = points.iter().map(|p| p.0 as f64).collect();
    let values: Vec<f64> = points.iter().map(|p| p.1).collect();
    let data = weighted(&ns, &values, errors);
    let Some(([gamma, sigma, kappa], e)) = estimate(&data, scaled, None) else {
        return Err(FitError::Degenerate(
            "the Universal Scalability Law fit had no starting point".into(),
        ));
    };
    if !(e.is_finite() && gamma.is_finite() && gamma > 0.0) {
        return Err(FitError::Degenerate(
            "the Universal Scalability Law fit did not converge".into(),
        ));
    }
    // The bounds hold exactly, with no −0 (which prints as "-0.00000").
    let (sigma, kappa) = (sigma.max(0.0) + 0.0, kappa.max(0.0) + 0.0);
    let predicted: Vec<f64> = ns.iter().map(|&n| gamma * usl(sigma, kappa, n)).collect();
    let intervals = errors.zip(intervals).and_then(|(errors, measured)| {
        let dof = distinct(points).saturating_sub(if scaled { 3 } else { 2 });
        // With weights 1/(rᵢ yᵢ)², the weighted sum of squares is χ².
        let k = error_scale(e, dof, measured)?;
        let found = [gamma, sigma, kappa];
        let mut renormalised = vec![0.0; values.len()];
        let [sigmas, kappas, peaks] = bootstrap(&predicted, errors, k, |values| {
            let values = match over.and_then(|j| values.get(j)) {
                Some(&by) => {
                    for (r, v) in renormalised.iter_mut().zip(values) {
                        *r = v / by;
                    }
                    renormalised.as_slice()
                }
                None => values,
            };
            let data = weighted(&ns, values, Some(errors));
            let ([g, s, k], e) = estimate(&data, scaled, Some(found))?;
            (e.is_finite() && g.is_finite() && g > 0.0).then(|| {
                let peak = usl_peak(s, k).map_or(f64::INFINITY, |p| p as f64);
                [s, k, peak]
            })
        });
        usl_intervals(&sigmas, &kappas, &peaks, usl_peak(sigma, kappa))
    });
    Ok(UslFit {
        sigma,
        kappa,
        scale: gamma,
        scale_fitted: scaled,
        peak_workers: usl_peak(sigma, kappa),
        r_squared: r_squared(&values, &predicted),
        intervals,
    })
}

/// The intervals from the bootstrap's sorted σ, κ and peaks (infinite: no peak).
fn usl_intervals(
    sigmas: &[f64],
    kappas: &[f64],
    peaks: &[f64],
    peak: Option<usize>,
) -> Option<UslIntervals> {
    let peak_workers = match (peak, percentile_95(peaks)) {
        (Some(_), Some((lo, hi))) if lo.is_finite() => Some((
            lo.max(1.0) as usize,
            hi.is_finite().then(|| hi.ceil() as usize),
        )),
        _ => None,
    };
    Some(UslIntervals {
        sigma: percentile_95(sigmas)?,
        kappa: percentile_95(kappas)?,
        peak_workers,
    })
}

fn distinct(points: &[(usize, f64)]) -> usize {
    let mut n: Vec<usize> = points.iter().map(|p| p.0).collect();
    n.sort_unstable();
    n.dedup();
    n.len()
}

/// The best `[γ, σ, κ]` and its weighted sum of squares. Without `near`: from the
/// linearised start and a coarse grid (the best four of them), each refined with σ and κ free,
/// with κ = 0 and with σ = 0. With `near` (a bootstrap replicate of a fitted curve, whose
/// best fit lies close to it): from `near` only, with both free, and on the boundary that
/// `near` lies on (κ = 0 or σ = 0) too.
fn estimate(data: &Data, scaled: bool, near: Option<[f64; 3]>) -> Option<([f64; 3], f64)> {
    let all = [
        [scaled, true, true],
        [scaled, true, false],
        [scaled, false, true],
    ];
    let mut runs: Vec<([f64; 3], [bool; 3])> = Vec::new();
    match near {
        Some(p) => {
            runs.push((p, all[0]));
            if p[2] == 0.0 {
                runs.push((p, all[1]));
            }
            if p[1] == 0.0 {
                runs.push((p, all[2]));
            }
        }
        None => {
            let mut starts = vec![linearised_start(data, scaled)];
            for sigma in [0.0, 0.01, 0.05, 0.2, 0.5, 0.9] {
                for kappa in [0.0, 1e-4, 1e-3, 1e-2, 0.1] {
                    let gamma = if scaled {
                        best_scale(data, sigma, kappa)
                    } else {
                        1.0
                    };
                    starts.push([gamma, sigma, kappa]);
                }
            }
            starts.sort_by(|a, b| sse(data, *a).total_cmp(&sse(data, *b)));
            for start in starts.iter().take(4) {
                runs.extend(all.iter().map(|free| (*start, *free)));
            }
        }
    }
    let mut best: Option<([f64; 3], f64)> = None;
    for (start, free) in runs {
        let mut p = start;
        for (v, f) in p.iter_mut().zip(free).skip(1) {
            if !f {
                *v = 0.0;
            }
        }
        if scaled {
            p[0] = best_scale(data, p[1], p[2]);
        }
        let p = levenberg_marquardt(data, p, free);
        let e = sse(data, p);
        if best.is_none_or(|(_, b)| e < b) {
            best = Some((p, e));
        }
    }
    best
}

/// The (weighted) least-squares scale for fixed σ, κ: `Σ w·y·u / Σ w·u²` with
/// `u = usl(σ, κ, N)`.
fn best_scale(data: &Data, sigma: f64, kappa: f64) -> f64 {
    let (mut yu, mut uu) = (0.0, 0.0);
    for &(n, y, w) in data {
        let u = usl(sigma, kappa, n);
        yu += w * y * u;
        uu += w * u * u;
    }
    if uu > 0.0 && (yu / uu).is_finite() && yu > 0.0 {
        yu / uu
    } else {
        1.0
    }
}

/// The weighted sum of squares `Σ w (S − γ·usl(σ, κ, N))²`.
fn sse(data: &Data, [gamma, sigma, kappa]: [f64; 3]) -> f64 {
    data.iter()
        .map(|&(n, s, w)| w * (s - gamma * usl(sigma, kappa, n)).powi(2))
        .sum()
}

/// Gunther's linearisation, clamped to the bounds. With the scale fixed: least squares of
/// `y = N/S − 1` on `x1 = N − 1`, `x2 = N(N − 1)` without intercept. With the scale free:
/// `N/S = 1/γ + (σ/γ)(N − 1) + (κ/γ)N(N − 1)`, least squares with an intercept.
fn linearised_start(data: &Data, scaled: bool) -> [f64; 3] {
    let k = if scaled { 3 } else { 2 };
    let mut a = [[0.0; 3]; 3];
    let mut b = [0.0; 3];
    // Unweighted even for a weighted fit: only a start, refined on the weighted sum.
    for &(n, s, _) in data {
        let row = if scaled {
            [1.0, n - 1.0, n * (n - 1.0)]
        } else {
            [n - 1.0, n * (n - 1.0), 0.0]
        };
        let y = if scaled { n / s } else { n / s - 1.0 };
        for i in 0..k {
            b[i] += row[i] * y;
            for j in 0..k {
                a[i][j] += row[i] * row[j];
            }
        }
    }
    if !scaled {
        a[2][2] = 1.0;
    }
    let Some(x) = solve3(a, b) else {
        return [1.0, 0.0, 0.0];
    };
    if scaled {
        if !(x[0].is_finite() && x[0] > 0.0) {
            return [best_scale(data, 0.0, 0.0), 0.0, 0.0];
        }
        let gamma = 1.0 / x[0];
        [gamma, (x[1] * gamma).max(0.0), (x[2] * gamma).max(0.0)]
    } else {
        [1.0, x[0].max(0.0), x[1].max(0.0)]
    }
}

/// Solves `a·x = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    let scale = a
        .iter()
        .flatten()
        .fold(0.0f64, |m, v| m.max(v.abs()))
        .max(f64::MIN_POSITIVE);
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() <= 1e-13 * scale || !a[pivot][col].is_finite() {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        for row in col + 1..3 {
            let f = a[row][col] / a[col][col];
            let pivot_row = a[col];
            for (x, p) in a[row].iter_mut().zip(pivot_row).skip(col) {
                *x -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let rest: f64 = (row + 1..3).map(|c| a[row][c] * x[c]).sum();
        x[row] = (b[row] - rest) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// Projected Levenberg–Marquardt on the weighted residuals, parameters `[γ, σ, κ]`; parameters with
/// `free = false` stay where they are, σ and κ are clamped at 0 after every step.
fn levenberg_marquardt(data: &Data, mut p: [f64; 3], free: [bool; 3]) -> [f64; 3] {
    let mut lambda = 1e-3;
    let mut err = sse(data, p);
    for _ in 0..500 {
        // Normal equations JᵀWJ δ = JᵀWr with r = y − f, J = ∂f/∂p and W the weights.
        let (mut jtj, mut jtr) = ([[0.0; 3]; 3], [0.0; 3]);
        for &(n, y, w) in data {
            let d = 1.0 + p[1] * (n - 1.0) + p[2] * n * (n - 1.0);
            let f = p[0] * n / d;
            let g = [
                n / d,
                -p[0] * n * (n - 1.0) / (d * d),
                -p[0] * n * n * (n - 1.0) / (d * d),
            ];
            for i in 0..3 {
                jtr[i] += w * g[i] * (y - f);
                for j in 0..3 {
                    jtj[i][j] += w * g[i] * g[j];
                }
            }
        }
        for i in 0..3 {
            if !free[i] {
                jtr[i] = 0.0;
                jtj[i] = [0.0; 3];
                for row in &mut jtj {
                    row[i] = 0.0;
                }
                jtj[i][i] = 1.0;
            }
        }
        let mut improved = false;
        while lambda < 1e12 {
            let mut m = jtj;
            for (i, row) in m.iter_mut().enumerate() {
                row[i] = jtj[i][i] * (1.0 + lambda) + 1e-300;
            }
            let delta = solve3(m, jtr).unwrap_or([0.0; 3]);
            let mut q = p;
            for i in 0..3 {
                if free[i] {
                    q[i] = p[i] + delta[i];
                    if i > 0 {
                        q[i] = q[i].max(0.0);
                    }
                }
            }
            let e = sse(data, q);
            if e.is_finite() && e < err && q[0] > 0.0 {
                let change: f64 = (0..3).map(|i| (q[i] - p[i]).abs()).sum();
                let gain = err - e;
                (p, err) = (q, e);
                lambda = (lambda / 10.0).max(1e-12);
                improved = true;
                if change < 1e-14 || gain < 1e-18 * err.max(1e-300) {
                    return p;
                }
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every point measured, with these relative errors.
    fn some(errors: &[f64]) -> Vec<Option<f64>> {
        errors.iter().copied().map(Some).collect()
    }

    const WORKERS: [usize; 8] = [1, 2, 4, 8, 16, 24, 32, 48];

    fn synthetic(sigma: f64, kappa: f64, noise: &[f64]) -> Vec<(usize, f64)> {
        WORKERS
            .iter()
            .zip(noise.iter().cycle())
            .map(|(&n, e)| (n, usl(sigma, kappa, n as f64) * (1.0 + e)))
            .collect()
    }

    fn within(a: f64, b: f64, rel: f64) -> bool {
        (a - b).abs() <= rel * b.abs()
    }

    /// Speedups of USL(σ, κ) written out by hand, not with the code under test.
    fn by_hand(gamma: f64, sigma: f64, kappa: f64) -> Vec<(usize, f64)> {
        WORKERS
            .iter()
            .map(|&n| {
                let x = n as f64;
                (
                    n,
                    gamma * x / (1.0 + sigma * (x - 1.0) + kappa * x * (x - 1.0)),
                )
            })
            .collect()
    }

    #[test]
    fn recovers_exact_parameters() {
        let fit = fit_usl(&by_hand(1.0, 0.05, 0.002)).unwrap();
        assert!(within(fit.sigma, 0.05, 1e-6), "{fit:?}");
        assert!(within(fit.kappa, 0.002, 1e-6), "{fit:?}");
        assert_eq!((fit.scale, fit.scale_fitted), (1.0, false));
        // N* = sqrt(0.95 / 0.002) = 21.79; S(21) = 21 / 2.84 = 7.3944 < S(22) = 22 / 2.974
        // = 7.3974: the peak is 22 workers.
        assert_eq!(fit.peak_workers, Some(22));
        assert!(fit.r_squared > 0.999_999);
    }

    #[test]
    fn a_slower_one_worker_run_is_fitted_with_its_scale() {
        // 0.9 × USL(σ 0.075, κ 0.002): a model whose one worker runs at 0.9× the sequential
        // baseline. N* = sqrt(0.925 / 0.002) = 21.51; S(21) = 0.9 · 21 / 3.34 = 5.65868,
        // S(22) = 0.9 · 22 / 3.499 = 5.65876: the peak is 22.
        let data = by_hand(0.9, 0.075, 0.002);
        let fit = fit_usl_scaled(&data).unwrap();
        assert!(within(fit.scale, 0.9, 1e-6), "{fit:?}");
        assert!(within(fit.sigma, 0.075, 1e-5), "{fit:?}");
        assert!(within(fit.kappa, 0.002, 1e-5), "{fit:?}");
        assert_eq!(fit.peak_workers, Some(22));
        assert!(fit.scale_fitted);
        assert!(
            (fit.max_speedup() - 0.9 * 22.0 / 3.499).abs() < 1e-6,
            "{fit:?}"
        );
        // Forcing S(1) = 1 on the same data misreads the contention (σ ≈ 0.098).
        let forced = fit_usl(&data).unwrap();
        assert!(!within(forced.sigma, 0.075, 0.1), "{forced:?}");
        // Three points are too few for three parameters.
        assert!(matches!(
            fit_usl_scaled(&data[..3]),
            Err(FitError::TooFewPoints {
                needed: 4,
                got: 3,
                ..
            })
        ));
    }

    #[test]
    fn linear_data_has_no_contention_and_no_peak() {
        let data: Vec<(usize, f64)> = WORKERS.iter().map(|&n| (n, n as f64)).collect();
        let fit = fit_usl(&data).unwrap();
        assert!(fit.sigma < 1e-9 && fit.kappa < 1e-9, "{fit:?}");
        assert_eq!(fit.peak_workers, None);
    }

    #[test]
    fn recovers_parameters_under_small_noise() {
        // Deterministic ±1% noise.
        let noise = [0.0, 0.01, -0.008, 0.006, -0.01, 0.004, -0.006, 0.008];
        let fit = fit_usl(&synthetic(0.05, 0.002, &noise)).unwrap();
        assert!(within(fit.sigma, 0.05, 0.05), "{fit:?}");
        assert!(within(fit.kappa, 0.002, 0.05), "{fit:?}");
        assert!(fit.r_squared > 0.99);
    }

    #[test]
    fn pure_contention_gives_zero_kappa_and_no_peak() {
        let fit = fit_usl(&synthetic(0.1, 0.0, &[0.0])).unwrap();
        assert!(within(fit.sigma, 0.1, 1e-6), "{fit:?}");
        assert!(fit.kappa < 1e-9, "{fit:?}");
        assert!(fit.peak_workers.is_none_or(|p| p > 1000), "{fit:?}");
        if fit.peak_workers.is_none() {
            assert!(within(fit.max_speedup(), 10.0, 1e-6), "{fit:?}");
        }
    }

    #[test]
    fn superlinear_data_stays_within_bounds() {
        let data = [(1, 1.0), (2, 2.1), (4, 4.4), (8, 9.0)];
        let fit = fit_usl(&data).unwrap();
        assert!(fit.sigma >= 0.0 && fit.kappa >= 0.0, "{fit:?}");
        assert!(fit.sigma < 1e-6 && fit.kappa < 1e-6, "{fit:?}");
    }

    #[test]
    fn retrograde_data_has_an_early_peak() {
        // Like threads behind a global lock: no gain, then a loss.
        let data = [(1, 1.0), (2, 0.98), (4, 0.9), (8, 0.75)];
        let fit = fit_usl(&data).unwrap();
        assert!(fit.peak_workers.unwrap_or(usize::MAX) <= 2, "{fit:?}");
    }

    #[test]
    fn refuses_too_few_or_bad_points() {
        let err = fit_usl(&[(1, 1.0), (2, 1.9), (2, 1.8)]).unwrap_err();
        assert_eq!(
            err,
            FitError::TooFewPoints {
                model: "the Universal Scalability Law",
                needed: 3,
                got: 2
            }
        );
        assert!(
            err.to_string()
                .contains("at least 3 distinct worker counts")
        );
        assert!(matches!(
            fit_usl(&[(1, 1.0), (2, -1.0), (4, 3.0)]),
            Err(FitError::BadValue { workers: 2, .. })
        ));
    }

    #[test]
    fn peak_formula() {
        // sqrt(1 / 0.01) = 10 exactly.
        assert_eq!(usl_peak(0.0, 0.01), Some(10));
        assert_eq!(usl_peak(0.1, 0.0), None);
        assert_eq!(usl_peak(1.5, 0.01), Some(1));
        // σ ≥ 1 never beats one worker, κ or not: the peak is 1, not "none".
        assert_eq!(usl_peak(1.0, 0.0), Some(1));
        // sqrt(0.925 / 0.002) = 21.5: 22 predicts more than 21 (see above).
        assert_eq!(usl_peak(0.075, 0.002), Some(22));
    }

    #[test]
    fn equal_uncertainty_gives_the_unweighted_answer() {
        let noise = [0.0, 0.01, -0.008, 0.006, -0.01, 0.004, -0.006, 0.008];
        let points = synthetic(0.05, 0.002, &noise);
        // Errors that give every speedup the same variance (r·S the same): equal weights.
        let errors: Vec<f64> = points.iter().map(|p| 0.05 / p.1).collect();
        let weighted = fit_usl_weighted(&points, &some(&errors)).unwrap();
        let plain = fit_usl(&points).unwrap();
        assert!(
            (weighted.sigma - plain.sigma).abs() < 1e-9,
            "{weighted:?} {plain:?}"
        );
        assert!(
            (weighted.kappa - plain.kappa).abs() < 1e-9,
            "{weighted:?} {plain:?}"
        );
        assert_eq!(weighted.peak_workers, plain.peak_workers);
        let scaled = by_hand(0.9, 0.075, 0.002);
        let errors: Vec<f64> = scaled.iter().map(|p| 0.05 / p.1).collect();
        let weighted = fit_usl_scaled_weighted(&scaled, &some(&errors)).unwrap();
        let plain = fit_usl_scaled(&scaled).unwrap();
        assert!(
            (weighted.scale - plain.scale).abs() < 1e-9,
            "{weighted:?} {plain:?}"
        );
        assert!(
            (weighted.sigma - plain.sigma).abs() < 1e-9,
            "{weighted:?} {plain:?}"
        );
        assert!(weighted.intervals.is_some() && plain.intervals.is_none());
        // Bad errors are refused.
        assert!(fit_usl_weighted(&points, &some(&errors[..3])).is_err());
    }

    #[test]
    fn bounds_hold_under_weights() {
        // Superlinear data with its most superlinear point the most precise: still σ, κ ≥ 0.
        let data = [(1, 1.0), (2, 2.1), (4, 4.4), (8, 9.0)];
        let fit = fit_usl_weighted(&data, &some(&[0.05, 0.05, 0.05, 0.001])).unwrap();
        assert!(fit.sigma >= 0.0 && fit.kappa >= 0.0, "{fit:?}");
        assert!(fit.sigma < 1e-6 && fit.kappa < 1e-6, "{fit:?}");
        let i = fit.intervals.unwrap();
        assert!(i.sigma.0 >= 0.0 && i.kappa.0 >= 0.0, "{i:?}");
    }

    /// Eight worker counts of USL(σ 0.05, κ 0.002): every speedup `1 / median` of simulated
    /// relative times (10 runs of 5% lognormal spread), except at 16 workers in a noisy sweep:
    /// 3 runs of 4× the spread.
    fn simulated_sweep(
        rng: &mut crate::stats::SimulatedRuns,
        noisy: bool,
    ) -> (Vec<(usize, f64)>, Vec<f64>) {
        let mut points = Vec::new();
        let mut errors = Vec::new();
        for n in WORKERS {
            let time = 1.0 / usl(0.05, 0.002, n as f64);
            let times: Vec<f64> = if n == 16 && noisy {
                (0..3).map(|_| time * rng.run(1.0).powi(4)).collect()
            } else {
                rng.runs(10, time)
            };
            let s = crate::stats::summarize(&times).unwrap();
            points.push((n, 1.0 / s.median));
            errors.push(crate::stats::median_relative_error(
                s.median,
                s.median_ci_low,
                s.median_ci_high,
                s.median_ci_coverage,
            ));
        }
        (points, crate::stats::relative_errors(&errors))
    }

    #[test]
    fn weighting_by_precision_recovers_sigma_better() {
        let mut rng = crate::stats::SimulatedRuns::seeded(0x5ca1_ab1e);
        let trials = 150;
        let (mut weighted, mut plain) = (0.0, 0.0);
        for _ in 0..trials {
            let (points, errors) = simulated_sweep(&mut rng, true);
            let w = fit(&points, Some(&errors), false, None, None).unwrap();
            let p = fit_usl(&points).unwrap();
            weighted += (w.sigma - 0.05).powi(2);
            plain += (p.sigma - 0.05).powi(2);
        }
        let rms = |sum: f64| (sum / trials as f64).sqrt();
        let (weighted, plain) = (rms(weighted), rms(plain));
        // Measured: RMS error of σ 0.0040 weighted, 0.0153 unweighted.
        assert!(
            weighted < 0.8 * plain,
            "weighted {weighted}, unweighted {plain}"
        );
    }

    #[test]
    fn the_intervals_hold_the_truth_about_95_percent_of_the_time() {
        let mut rng = crate::stats::SimulatedRuns::seeded(0xfee1_900d);
        let trials = 100;
        let (mut sigma, mut kappa, mut peak) = (0, 0, 0);
        for i in 0..trials {
            let (points, errors) = simulated_sweep(&mut rng, i % 2 == 0);
            let fit = fit_usl_weighted(&points, &some(&errors)).unwrap();
            let iv = fit.intervals.clone().unwrap();
            assert!(
                iv.sigma.0 <= fit.sigma && fit.sigma <= iv.sigma.1,
                "{fit:?}"
            );
            sigma += usize::from(iv.sigma.0 <= 0.05 && 0.05 <= iv.sigma.1);
            kappa += usize::from(iv.kappa.0 <= 0.002 && 0.002 <= iv.kappa.1);
            // The true peak is 22 workers.
            if let Some((lo, hi)) = iv.peak_workers {
                peak += usize::from(lo <= 22 && hi.is_none_or(|h| 22 <= h));
            }
        }
        // Measured: σ 95%, κ 96%, the peak 99%.
        for (what, held) in [("σ", sigma), ("κ", kappa), ("peak", peak)] {
            let coverage = held as f64 / trials as f64;
            assert!((0.9..=1.0).contains(&coverage), "{what}: {coverage}");
        }
    }

    #[test]
    fn fits_saved_before_intervals_still_load() {
        let old = r#"{"sigma":0.05,"kappa":0.002,"scale":1.0,"scale_fitted":false,"peak_workers":22,"r_squared":0.99}"#;
        let fit: UslFit = serde_json::from_str(old).unwrap();
        assert_eq!((fit.peak_workers, fit.intervals), (Some(22), None));
        let old = r#"{"serial_fraction":0.1,"t1":1.0,"r_squared":0.99}"#;
        let fit: crate::stats::AmdahlFit = serde_json::from_str(old).unwrap();
        assert_eq!(
            (fit.serial_fraction_ci, fit.max_speedup_ci_over(fit.t1)),
            (None, None)
        );
    }
}
