//! Amdahl's law fitted to wall times: `T(N) = T1 · (s + (1 − s) / N)`.

use serde::{Deserialize, Serialize};

use super::fit_error::{FitError, check_points, r_squared};

/// Result of [`fit_amdahl`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AmdahlFit {
    /// Serial fraction `s`, in [0, 1].
    pub serial_fraction: f64,
    /// Fitted time on one worker, seconds (or whatever unit the times were in).
    pub t1: f64,
    /// Coefficient of determination of the fitted times.
    pub r_squared: f64,
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

    /// The speedup no number of workers can exceed: `1 / s` (infinite when `s` = 0).
    pub fn max_speedup(&self) -> f64 {
        1.0 / self.serial_fraction
    }
}

/// Fits Amdahl's law to `(workers, time)` points by least squares of `T` against `1/N`:
/// `T = a + b/N` with `a = T1·s ≥ 0` and `b = T1·(1 − s) ≥ 0`, so `T1 = a + b` and
/// `s = a / (a + b)`. Needs at least two distinct worker counts and positive finite times.
pub fn fit_amdahl(points: &[(usize, f64)]) -> Result<AmdahlFit, FitError> {
    check_points(points, "Amdahl's law", "the time", 2)?;
    let xs: Vec<f64> = points.iter().map(|p| 1.0 / p.0 as f64).collect();
    let ys: Vec<f64> = points.iter().map(|p| p.1).collect();
    let n = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / n, ys.iter().sum::<f64>() / n);
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let mut b = sxy / sxx;
    let mut a = my - b * mx;
    // Bounds: a negative intercept (superlinear) means no serial part; a negative slope
    // (slower with more workers) means everything is serial. Refit the one free parameter.
    if a < 0.0 {
        a = 0.0;
        b = xs.iter().zip(&ys).map(|(x, y)| x * y).sum::<f64>()
            / xs.iter().map(|x| x * x).sum::<f64>();
    } else if b < 0.0 {
        b = 0.0;
        a = my;
    }
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
    };
    let predicted: Vec<f64> = points.iter().map(|p| fit.time(p.0 as f64)).collect();
    Ok(AmdahlFit {
        r_squared: r_squared(&ys, &predicted),
        ..fit
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
