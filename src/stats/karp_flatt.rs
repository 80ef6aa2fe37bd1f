//! The Karp–Flatt metric: the experimentally determined serial fraction.

use serde::{Deserialize, Serialize};

use super::fit_error::FitError;

/// The Karp–Flatt serial fraction at one worker count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KarpFlattPoint {
    pub workers: usize,
    pub speedup: f64,
    /// `e = (1/S − 1/N) / (1 − 1/N)`.
    pub serial_fraction: f64,
}

/// `e(N) = (1/S − 1/N) / (1 − 1/N)` for one measured speedup `S` at `N > 1` workers.
/// A constant `e` across N points to a serial part (Amdahl); a growing `e` to overhead
/// that rises with the number of workers.
pub fn karp_flatt(workers: usize, speedup: f64) -> Result<f64, FitError> {
    if workers < 2 {
        return Err(FitError::Degenerate(format!(
            "the Karp–Flatt metric needs more than one worker, got {workers}"
        )));
    }
    if !(speedup.is_finite() && speedup > 0.0) {
        return Err(FitError::BadValue {
            what: "the speedup",
            workers,
            value: speedup,
        });
    }
    let n = workers as f64;
    Ok((1.0 / speedup - 1.0 / n) / (1.0 - 1.0 / n))
}

/// [`karp_flatt`] at every `(workers, speedup)` point with more than one worker, sorted by
/// worker count. Points with one worker are skipped; bad speedups are an error.
pub fn karp_flatt_series(points: &[(usize, f64)]) -> Result<Vec<KarpFlattPoint>, FitError> {
    let mut out = Vec::new();
    for &(workers, speedup) in points.iter().filter(|p| p.0 > 1) {
        out.push(KarpFlattPoint {
            workers,
            speedup,
            serial_fraction: karp_flatt(workers, speedup)?,
        });
    }
    out.sort_by_key(|p| p.workers);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amdahl_data_gives_its_serial_fraction_at_every_n() {
        let s = 0.1;
        for n in [2usize, 4, 8, 64] {
            let speedup = 1.0 / (s + (1.0 - s) / n as f64);
            assert!((karp_flatt(n, speedup).unwrap() - s).abs() < 1e-12);
        }
    }

    #[test]
    fn by_hand_and_edges() {
        // S = 3 on 4 workers: (1/3 − 1/4) / (3/4) = (1/12) / (3/4) = 1/9.
        assert!((karp_flatt(4, 3.0).unwrap() - 1.0 / 9.0).abs() < 1e-12);
        assert_eq!(karp_flatt(4, 4.0).unwrap(), 0.0);
        assert!(karp_flatt(1, 1.0).is_err());
        assert!(karp_flatt(2, 0.0).is_err());
        let series = karp_flatt_series(&[(4, 3.0), (1, 1.0), (2, 2.0)]).unwrap();
        let ns: Vec<usize> = series.iter().map(|p| p.workers).collect();
        assert_eq!(ns, vec![2, 4]);
    }
}
