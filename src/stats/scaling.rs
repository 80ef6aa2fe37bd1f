/// Speedup of a cell over the baseline: `baseline / time` (both medians, same unit).
pub fn speedup(baseline: f64, time: f64) -> Option<f64> {
    (baseline.is_finite() && time.is_finite() && baseline > 0.0 && time > 0.0)
        .then(|| baseline / time)
}

/// Efficiency: speedup per worker (1.0 is perfect scaling).
pub fn efficiency(speedup: f64, workers: usize) -> Option<f64> {
    (workers > 0 && speedup.is_finite()).then(|| speedup / workers as f64)
}

/// Spread of a speedup from the cell's fastest and slowest runs: `(baseline/max, baseline/min)`.
pub fn speedup_range(baseline: f64, min_time: f64, max_time: f64) -> Option<(f64, f64)> {
    Some((speedup(baseline, max_time)?, speedup(baseline, min_time)?))
}

/// A median with its confidence interval: `low ≤ median ≤ high`, all positive (seconds).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MedianInterval {
    pub median: f64,
    pub low: f64,
    pub high: f64,
}

/// The confidence interval of a speedup `baseline.median / time.median` when **both** medians
/// are measured, each with its own interval: on a log scale the ratio's error is the
/// baseline's minus the cell's, so each side of the ratio's interval is the root sum of
/// squares of the matching sides of the two intervals (the delta method; the two medians come
/// from different runs and are taken as independent):
///
/// - low: `s · exp(−√(ln(b/b_low)² + ln(t_high/t)²))` (a slower cell, a faster baseline),
/// - high: `s · exp(+√(ln(b_high/b)² + ln(t/t_low)²))`.
///
/// With two 95% order-statistics intervals it covers the true ratio at least 95% of the time:
/// those intervals are themselves conservative (simulated, lognormal and skewed runs: 97–99%
/// for 6 to 200 runs a cell). Treating the baseline as
/// exact (`b_low = b_high = b`) gives back the cell's own interval mapped through `b / t`.
/// `None` for non-positive or non-finite values, or an interval that does not hold its median.
pub fn speedup_interval(baseline: MedianInterval, time: MedianInterval) -> Option<(f64, f64)> {
    let valid = |m: MedianInterval| {
        [m.median, m.low, m.high]
            .iter()
            .all(|v| v.is_finite() && *v > 0.0)
            && m.low <= m.median
            && m.median <= m.high
    };
    if !valid(baseline) || !valid(time) {
        return None;
    }
    let s = speedup(baseline.median, time.median)?;
    let down = (baseline.median / baseline.low)
        .ln()
        .hypot((time.high / time.median).ln());
    let up = (baseline.high / baseline.median)
        .ln()
        .hypot((time.median / time.low).ln());
    Some((s * (-down).exp(), s * up.exp()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::SimulatedRuns;

    fn interval(median: f64, low: f64, high: f64) -> MedianInterval {
        MedianInterval { median, low, high }
    }

    #[test]
    fn an_exact_baseline_maps_the_cells_interval() {
        // Baseline 10 s exactly; the cell 2.5 s in [2.0, 5.0]: 4× in [2×, 5×].
        let (lo, hi) =
            speedup_interval(interval(10.0, 10.0, 10.0), interval(2.5, 2.0, 5.0)).unwrap();
        assert!(
            (lo - 2.0).abs() < 1e-12 && (hi - 5.0).abs() < 1e-12,
            "{lo} {hi}"
        );
    }

    #[test]
    fn the_baselines_uncertainty_widens_the_interval() {
        // Both known to a factor e^0.03 either way: the ratio to e^(0.03·√2) = e^0.04243.
        let e = 0.03_f64.exp();
        let base = interval(8.0, 8.0 / e, 8.0 * e);
        let cell = interval(2.0, 2.0 / e, 2.0 * e);
        let (lo, hi) = speedup_interval(base, cell).unwrap();
        let k = (0.03_f64 * 2f64.sqrt()).exp();
        assert!(
            (lo - 4.0 / k).abs() < 1e-9 && (hi - 4.0 * k).abs() < 1e-9,
            "{lo} {hi}"
        );
        // Wider than the cell's interval alone, which treats the baseline as exact.
        let (alone_lo, alone_hi) = speedup_interval(interval(8.0, 8.0, 8.0), cell).unwrap();
        assert!(lo < alone_lo && hi > alone_hi);
        // An uncertain baseline and an exact cell: the same width, from the other side.
        let (blo, bhi) = speedup_interval(base, interval(2.0, 2.0, 2.0)).unwrap();
        assert!((blo - 4.0 / e).abs() < 1e-9 && (bhi - 4.0 * e).abs() < 1e-9);
    }

    /// The median interval of `runs` simulated runs around `median`.
    fn measured(rng: &mut SimulatedRuns, runs: usize, median: f64) -> MedianInterval {
        let times = rng.runs(runs, median);
        let s = crate::stats::summarize(&times).unwrap();
        interval(s.median, s.median_ci_low, s.median_ci_high)
    }

    /// How often `speedup_interval` of two measured cells (the true speedup 2) holds 2, with
    /// `exact_baseline` the baseline's interval shrunk to its median.
    fn coverage(runs: usize, exact_baseline: bool) -> f64 {
        let mut rng = SimulatedRuns::seeded(0x9e37_79b9_7f4a_7c15);
        let trials = 2000;
        let mut held = 0;
        for _ in 0..trials {
            let (mut base, cell) = (measured(&mut rng, runs, 2.0), measured(&mut rng, runs, 1.0));
            if exact_baseline {
                (base.low, base.high) = (base.median, base.median);
            }
            let (lo, hi) = speedup_interval(base, cell).unwrap();
            held += usize::from(lo <= 2.0 && 2.0 <= hi);
        }
        held as f64 / trials as f64
    }

    #[test]
    fn the_interval_holds_the_true_ratio_at_least_95_percent_of_the_time() {
        // The README's claim (simulated 97–99%), for a few run counts.
        for runs in [6, 20, 50] {
            let c = coverage(runs, false);
            assert!(c >= 0.95, "{runs} runs a cell: {c}");
        }
        // Taking the baseline's median as exact, as the bars did before, falls short.
        let c = coverage(50, true);
        assert!(c < 0.9, "an exact baseline: {c}");
    }

    #[test]
    fn invalid_intervals_give_none() {
        let ok = interval(1.0, 0.9, 1.1);
        assert_eq!(speedup_interval(interval(1.0, 1.1, 1.2), ok), None);
        assert_eq!(speedup_interval(ok, interval(0.0, 0.0, 1.0)), None);
        assert_eq!(
            speedup_interval(ok, interval(1.0, 0.9, f64::INFINITY)),
            None
        );
    }

    #[test]
    fn speedup_and_efficiency_by_hand() {
        assert_eq!(speedup(10.0, 2.5), Some(4.0));
        assert_eq!(efficiency(4.0, 8), Some(0.5));
        assert_eq!(speedup_range(10.0, 2.0, 5.0), Some((2.0, 5.0)));
    }

    #[test]
    fn degenerate_inputs_give_none() {
        assert_eq!(speedup(10.0, 0.0), None);
        assert_eq!(speedup(f64::NAN, 1.0), None);
        assert_eq!(efficiency(2.0, 0), None);
    }
}
