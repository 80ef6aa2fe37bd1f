use thiserror::Error;

/// Why a model could not be fitted. Every variant reads as a sentence for the user.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum FitError {
    #[error("{model} needs at least {needed} distinct worker counts, got {got}")]
    TooFewPoints {
        model: &'static str,
        needed: usize,
        got: usize,
    },
    #[error("{what} at {workers} workers is {value}, which is not a positive finite number")]
    BadValue {
        what: &'static str,
        workers: usize,
        value: f64,
    },
    #[error("a worker count of 0 cannot be fitted")]
    ZeroWorkers,
    #[error("{0}")]
    Degenerate(String),
}

/// Checks `(workers, value)` points: workers > 0, values positive and finite, and at least
/// `needed` distinct worker counts. Returns the number of distinct worker counts.
pub(crate) fn check_points(
    points: &[(usize, f64)],
    model: &'static str,
    what: &'static str,
    needed: usize,
) -> Result<usize, FitError> {
    for &(n, v) in points {
        if n == 0 {
            return Err(FitError::ZeroWorkers);
        }
        if !(v.is_finite() && v > 0.0) {
            return Err(FitError::BadValue {
                what,
                workers: n,
                value: v,
            });
        }
    }
    let mut distinct: Vec<usize> = points.iter().map(|p| p.0).collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < needed {
        return Err(FitError::TooFewPoints {
            model,
            needed,
            got: distinct.len(),
        });
    }
    Ok(distinct.len())
}

/// Coefficient of determination `1 − SSE/SST`. With no spread in the data it is 1 for a
/// perfect fit and 0 otherwise.
pub(crate) fn r_squared(observed: &[f64], predicted: &[f64]) -> f64 {
    let n = observed.len().max(1) as f64;
    let mean = observed.iter().sum::<f64>() / n;
    let sst: f64 = observed.iter().map(|y| (y - mean).powi(2)).sum();
    let sse: f64 = observed
        .iter()
        .zip(predicted)
        .map(|(y, f)| (y - f).powi(2))
        .sum();
    if sst <= f64::EPSILON * mean.abs().max(1.0) {
        if sse <= 1e-12 * mean.abs().max(1.0) {
            1.0
        } else {
            0.0
        }
    } else {
        1.0 - sse / sst
    }
}
