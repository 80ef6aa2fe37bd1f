//! Gunther's Universal Scalability Law fitted to speedups:
//! `S(N) = N / (1 + σ(N − 1) + κN(N − 1))`, with contention `σ ≥ 0` and coherency `κ ≥ 0`.

use serde::{Deserialize, Serialize};

use super::fit_error::{FitError, check_points, r_squared};

/// Result of [`fit_usl`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct UslFit {
    /// Contention (serialisation) coefficient σ ≥ 0.
    pub sigma: f64,
    /// Coherency (crosstalk) coefficient κ ≥ 0.
    pub kappa: f64,
    /// Worker count of the highest predicted speedup, `floor(sqrt((1 − σ)/κ))` (at least 1);
    /// `None` when κ = 0 and the curve never turns down.
    pub peak_workers: Option<usize>,
    /// Coefficient of determination of the fitted speedups.
    pub r_squared: f64,
}

impl UslFit {
    /// Predicted speedup on `n` workers.
    pub fn speedup(&self, n: f64) -> f64 {
        usl(self.sigma, self.kappa, n)
    }

    /// The highest speedup the fit predicts: at the peak when κ > 0, else the limit `1/σ`
    /// (infinite when σ = 0 too).
    pub fn max_speedup(&self) -> f64 {
        match self.peak_workers {
            Some(n) => self.speedup(n as f64).max(self.speedup(n as f64 + 1.0)),
            None => 1.0 / self.sigma,
        }
    }
}

/// `N / (1 + σ(N − 1) + κN(N − 1))`.
pub fn usl(sigma: f64, kappa: f64, n: f64) -> f64 {
    n / (1.0 + sigma * (n - 1.0) + kappa * n * (n - 1.0))
}

/// The peak worker count for σ, κ: `floor(sqrt((1 − σ)/κ))`, at least 1; `None` for κ = 0.
pub fn usl_peak(sigma: f64, kappa: f64) -> Option<usize> {
    if kappa <= 0.0 {
        return None;
    }
    let n = ((1.0 - sigma).max(0.0) / kappa).sqrt().floor();
    Some(if n.is_finite() && n >= 1.0 {
        n.min(usize::MAX as f64) as usize
    } else {
        1
    })
}

/// Fits σ and κ to `(workers, speedup)` points by bounded non-linear least squares on the
/// speedups. Starts from Gunther's linearisation (`N/S − 1 = σ(N−1) + κN(N−1)`, a linear
/// least-squares problem) and a coarse grid, then refines each start with a projected
/// Levenberg–Marquardt iteration that keeps σ, κ ≥ 0; the boundary cases κ = 0 and σ = 0 are
/// fitted separately, and the best sum of squares wins. Needs at least three distinct worker
/// counts and positive finite speedups.
pub fn fit_usl(points: &[(usize, f64)]) -> Result<UslFit, FitError> {
    check_points(points, "the Universal Scalability Law", "the speedup", 3)?;
    let data: Vec<(f64, f64)> = points.iter().map(|&(n, s)| (n as f64, s)).collect();

    let mut starts = vec![linearised_start(&data)];
    for sigma in [0.0, 0.01, 0.05, 0.2, 0.5, 0.9] {
        for kappa in [0.0, 1e-4, 1e-3, 1e-2, 0.1] {
            starts.push([sigma, kappa]);
        }
    }
    starts.sort_by(|a, b| sse(&data, *a).total_cmp(&sse(&data, *b)));
    let mut best: Option<([f64; 2], f64)> = None;
    for start in starts.iter().take(4) {
        for free in [[true, true], [true, false], [false, true]] {
            let mut p = *start;
            for (v, f) in p.iter_mut().zip(free) {
                if !f {
                    *v = 0.0;
                }
            }
            let p = levenberg_marquardt(&data, p, free);
            let e = sse(&data, p);
            if best.is_none_or(|(_, b)| e < b) {
                best = Some((p, e));
            }
        }
    }
    let ([sigma, kappa], e) = best.expect("there is always a start");
    if !e.is_finite() {
        return Err(FitError::Degenerate(
            "the Universal Scalability Law fit did not converge".into(),
        ));
    }
    let observed: Vec<f64> = data.iter().map(|p| p.1).collect();
    let predicted: Vec<f64> = data.iter().map(|p| usl(sigma, kappa, p.0)).collect();
    Ok(UslFit {
        sigma,
        kappa,
        peak_workers: usl_peak(sigma, kappa),
        r_squared: r_squared(&observed, &predicted),
    })
}

fn sse(data: &[(f64, f64)], [sigma, kappa]: [f64; 2]) -> f64 {
    data.iter()
        .map(|&(n, s)| (s - usl(sigma, kappa, n)).powi(2))
        .sum()
}

/// Least squares of `y = N/S − 1` on `x1 = N − 1`, `x2 = N(N − 1)` without intercept,
/// clamped to the bounds.
fn linearised_start(data: &[(f64, f64)]) -> [f64; 2] {
    let (mut a11, mut a12, mut a22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(n, s) in data {
        let (x1, x2, y) = (n - 1.0, n * (n - 1.0), n / s - 1.0);
        a11 += x1 * x1;
        a12 += x1 * x2;
        a22 += x2 * x2;
        b1 += x1 * y;
        b2 += x2 * y;
    }
    let det = a11 * a22 - a12 * a12;
    if det.abs() <= f64::EPSILON * a11 * a22 || !det.is_finite() {
        return [0.0, 0.0];
    }
    let sigma = (b1 * a22 - b2 * a12) / det;
    let kappa = (a11 * b2 - a12 * b1) / det;
    [sigma.max(0.0), kappa.max(0.0)]
}

/// Projected Levenberg–Marquardt on the speedup residuals; parameters with `free = false`
/// stay where they are, the others are clamped at 0 after every step.
fn levenberg_marquardt(data: &[(f64, f64)], mut p: [f64; 2], free: [bool; 2]) -> [f64; 2] {
    let mut lambda = 1e-3;
    let mut err = sse(data, p);
    for _ in 0..500 {
        // Normal equations JᵀJ δ = Jᵀr with r = S − f and J = ∂f/∂p.
        let (mut jtj, mut jtr) = ([[0.0; 2]; 2], [0.0; 2]);
        for &(n, s) in data {
            let d = 1.0 + p[0] * (n - 1.0) + p[1] * n * (n - 1.0);
            let f = n / d;
            let g = [-n * (n - 1.0) / (d * d), -n * n * (n - 1.0) / (d * d)];
            for i in 0..2 {
                jtr[i] += g[i] * (s - f);
                for j in 0..2 {
                    jtj[i][j] += g[i] * g[j];
                }
            }
        }
        for i in 0..2 {
            if !free[i] {
                jtr[i] = 0.0;
                jtj[i] = [0.0; 2];
                jtj[0][i] = 0.0;
                jtj[1][i] = 0.0;
                jtj[i][i] = 1.0;
            }
        }
        let mut improved = false;
        while lambda < 1e12 {
            let m = [
                [jtj[0][0] * (1.0 + lambda) + 1e-300, jtj[0][1]],
                [jtj[1][0], jtj[1][1] * (1.0 + lambda) + 1e-300],
            ];
            let det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
            let delta = if det.abs() > 0.0 && det.is_finite() {
                [
                    (jtr[0] * m[1][1] - jtr[1] * m[0][1]) / det,
                    (m[0][0] * jtr[1] - m[1][0] * jtr[0]) / det,
                ]
            } else {
                [0.0, 0.0]
            };
            let mut q = p;
            for i in 0..2 {
                if free[i] {
                    q[i] = (p[i] + delta[i]).max(0.0);
                }
            }
            let e = sse(data, q);
            if e.is_finite() && e < err {
                let change = (q[0] - p[0]).abs() + (q[1] - p[1]).abs();
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

    #[test]
    fn recovers_exact_parameters() {
        let fit = fit_usl(&synthetic(0.05, 0.002, &[0.0])).unwrap();
        assert!(within(fit.sigma, 0.05, 1e-6), "{fit:?}");
        assert!(within(fit.kappa, 0.002, 1e-6), "{fit:?}");
        // sqrt(0.95 / 0.002) = 21.79…
        assert_eq!(fit.peak_workers, Some(21));
        assert!(fit.r_squared > 0.999_999);
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
        assert_eq!(usl_peak(0.0, 0.01), Some(10));
        assert_eq!(usl_peak(0.1, 0.0), None);
        assert_eq!(usl_peak(1.5, 0.01), Some(1));
    }
}
