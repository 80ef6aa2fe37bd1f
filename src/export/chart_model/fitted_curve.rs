//! The fitted law's curve drawn over a series' points, sampled evenly on a log scale.

use super::{ChartKind, percent};
use crate::analysis::ModelFit;

/// `steps + 1` worker counts from `lo` to `hi` (both > 0) for drawing a curve, evenly spaced
/// on a log scale: as smooth on a log₂ axis (an even spacing in N drew 1 to 500 as one straight
/// segment) as on a linear one, where a curve such as T₁/N bends most at few workers.
pub fn curve_xs(lo: f64, hi: f64, steps: usize) -> Vec<f64> {
    let (lo, hi) = (lo.max(1e-9), hi.max(lo.max(1e-9)));
    let ratio = hi / lo;
    (0..=steps)
        .map(|i| match i {
            0 => lo,
            i if i == steps => hi,
            i => lo * ratio.powf(i as f64 / steps as f64),
        })
        .collect()
}

/// The fitted curve of `fit` for a chart of `kind`, sampled at 201 points over the worker
/// range the fit was made on (never extrapolated; also cut at `x_max`): the USL speedup
/// (efficiency: speedup ÷ N in percent; a USL fitted to throughput is divided by N to give
/// the speedup), or Amdahl's time for wall time. Empty when that fit was refused or the range
/// is a single worker count, and on a chart without fits (memory).
pub fn fit_curve(fit: &ModelFit, kind: ChartKind, x_max: f64) -> Vec<(f64, f64)> {
    let Some((lo, hi)) = fit.fitted_range().filter(|_| kind.fit_law().is_some()) else {
        return Vec::new();
    };
    let (lo, hi) = (lo as f64, (hi as f64).min(x_max));
    if hi <= lo {
        return Vec::new();
    }
    let xs = curve_xs(lo, hi, 200).into_iter();
    // A curve that misses the points it was fitted to is not drawn: it would only mislead
    // (the reading says it fits poorly).
    let usl = fit
        .usl
        .as_ref()
        .filter(|_| !crate::analysis::usl_fits_poorly(fit));
    // The USL of a weak-scaling task is fitted to its throughput, which is what its speedup
    // is (see `results::file::recompute`): the same curve either way.
    let speedup = |n: f64| usl.map(|u| u.speedup(n));
    match kind {
        ChartKind::Speedup => xs.filter_map(|n| Some((n, speedup(n)?))).collect(),
        ChartKind::Efficiency => xs
            .filter_map(|n| Some((n, percent(speedup(n)? / n))))
            .collect(),
        ChartKind::WallTime => fit
            .amdahl
            .as_ref()
            .filter(|_| !crate::analysis::amdahl_fits_poorly(fit))
            .map(|a| xs.map(|n| (n, a.time(n))).collect())
            .unwrap_or_default(),
        ChartKind::Memory | ChartKind::LostUpdates => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn curves_are_sampled_evenly_on_a_log_scale_between_their_ends() {
        let xs = super::curve_xs(1.0, 1024.0, 10);
        assert_eq!(xs.len(), 11);
        assert_eq!((xs[0], xs[10]), (1.0, 1024.0));
        // Each step doubles: 1, 2, 4, … (an even spacing in N had put 1 and 103 side by side).
        for (i, x) in xs.iter().enumerate() {
            assert!((x - 2f64.powi(i as i32)).abs() < 1e-9, "{xs:?}");
        }
        assert_eq!(super::curve_xs(4.0, 4.0, 3), vec![4.0; 4]);
    }
}
