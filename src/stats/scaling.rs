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

#[cfg(test)]
mod tests {
    use super::*;

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
