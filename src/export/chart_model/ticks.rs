//! Axis ticks and their text: worker counts, linear, log₁₀ and log₂ speedup axes.

/// Ticks of a log₂ speedup axis over `lo..=hi` (positive): the powers of two between them
/// (…, 0.25, 0.5, 1, 2, 4, …), every second or fourth one where more than `max` would crowd.
pub fn log2_ticks(lo: f64, hi: f64, max: usize) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo && lo.is_finite() && hi.is_finite()) {
        return vec![1.0];
    }
    let (first, last) = (
        (lo.log2() - 1e-9).ceil() as i32,
        (hi.log2() + 1e-9).floor() as i32,
    );
    if last < first {
        return vec![2f64.powi(first)];
    }
    let count = (last - first + 1) as usize;
    let mut every = 1usize;
    while count.div_ceil(every) > max.max(2) {
        every *= 2;
    }
    // Thinned from 1× outwards, so that 1× (the baseline) keeps its tick.
    (first..=last)
        .filter(|k| k.rem_euclid(every as i32) == 0)
        .map(|k| 2f64.powi(k))
        .collect()
}

/// A tick of a speedup axis: `1×`, `2×`, `0.5×`, `0.25×`, `1024×`.
pub fn speedup_tick_text(v: f64) -> String {
    let text = if v >= 1.0 {
        format!("{v:.0}")
    } else {
        // A power of two below 1 has as many decimals as its exponent.
        let decimals = (-v.log2()).round().clamp(0.0, 12.0) as usize;
        let t = format!("{v:.decimals$}");
        t.trim_end_matches('0').to_string()
    };
    format!("{text}×")
}

/// The worker counts measured in any of `runs` (or planned), sorted: the x axis ticks.
pub fn worker_ticks(workers: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut v: Vec<usize> = workers.into_iter().filter(|&w| w > 0).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Thins `ticks` so that neighbours are at least `min_gap` apart on an axis where `pos` maps
/// a worker count to its position (pixels): the first and last stay, crowded ones in between
/// go (on a linear axis 1, 2, 3, 4 crowd together when 64 is also measured).
pub fn thin_ticks(ticks: &[usize], pos: impl Fn(f64) -> f64, min_gap: f64) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for (i, &t) in ticks.iter().enumerate() {
        let last = i + 1 == ticks.len();
        match out.last() {
            Some(&prev) if pos(t as f64) - pos(prev as f64) < min_gap => {
                if last {
                    // Keep the largest count; drop the crowded one before it.
                    if out.len() > 1 {
                        out.pop();
                    }
                    out.push(t);
                }
            }
            _ => out.push(t),
        }
    }
    out
}

/// "Nice" linear ticks (1, 2, 2.5, 5 × 10^k steps) covering `lo..=hi`, about `n` of them.
pub fn linear_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    if hi <= lo || !lo.is_finite() || !hi.is_finite() {
        return vec![lo];
    }
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    // A step that underflowed (a range of denormal numbers from a hostile file) would ask for
    // ~2^63 ticks: the range's ends instead.
    let first = (lo / step).ceil();
    let last = (hi / step + 1e-9).floor();
    let count = last - first;
    if !(step > 0.0 && step.is_finite() && count.is_finite() && count <= 1000.0) {
        return vec![lo, hi];
    }
    (first as i64..=last as i64)
        .map(|i| i as f64 * step)
        .collect()
}

/// Ticks of a log10 axis over `lo..=hi` (positive): 1, 2, 5 × 10^k.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    if !(lo > 0.0 && hi > lo) {
        return vec![lo.max(f64::MIN_POSITIVE)];
    }
    let mut out = Vec::new();
    let mut k = lo.log10().floor() as i32;
    while 10f64.powi(k) <= hi * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let v = m * 10f64.powi(k);
            if v >= lo * 0.9999 && v <= hi * 1.0001 {
                out.push(v);
            }
        }
        k += 1;
    }
    out
}

/// `ticks` of a log₁₀ axis ([`log_ticks`]) thinned to at most `max` (at least 2) where they
/// would crowd a short axis: 1 and 5 × 10^k, then the decades, then every second or fourth
/// decade.
pub fn thin_log_ticks(ticks: Vec<f64>, max: usize) -> Vec<f64> {
    let max = max.max(2);
    if ticks.len() <= max {
        return ticks;
    }
    let mantissa = |v: f64| v / 10f64.powf(v.log10().floor());
    let is = |v: f64, m: f64| (mantissa(v) - m).abs() < 1e-6;
    let ones_fives: Vec<f64> = ticks
        .iter()
        .copied()
        .filter(|&v| is(v, 1.0) || is(v, 5.0))
        .collect();
    if (2..=max).contains(&ones_fives.len()) {
        return ones_fives;
    }
    let decades: Vec<f64> = ticks.iter().copied().filter(|&v| is(v, 1.0)).collect();
    if decades.len() < 2 {
        // Less than a decade and still crowded: its two ends.
        return match (ticks.first(), ticks.last()) {
            (Some(&a), Some(&b)) => vec![a, b],
            _ => ticks,
        };
    }
    let mut every = 1;
    while decades.len().div_ceil(every) > max {
        every *= 2;
    }
    decades.into_iter().step_by(every).collect()
}

/// A tick value as text with no more digits than the step needs.
pub fn tick_text(v: f64, step: f64) -> String {
    let decimals = if step >= 1.0 || step <= 0.0 {
        0
    } else {
        (-step.log10()).ceil().clamp(0.0, 6.0) as usize
    };
    let decimals = if (v * 10f64.powi(decimals as i32)).fract().abs() > 1e-6 {
        decimals + 1
    } else {
        decimals
    };
    format!("{v:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log2_speedup_ticks_are_powers_of_two_read_as_times() {
        assert_eq!(log2_ticks(0.6, 20.0, 10), [1.0, 2.0, 4.0, 8.0, 16.0]);
        assert_eq!(log2_ticks(0.2, 1.2, 10), [0.25, 0.5, 1.0]);
        // Crowded: every second power, 1× kept.
        assert_eq!(
            log2_ticks(0.8, 1100.0, 6),
            [1.0, 4.0, 16.0, 64.0, 256.0, 1024.0]
        );
        assert!(log2_ticks(0.3, 0.9, 10).contains(&0.5));
        assert_eq!(log2_ticks(f64::NAN, 3.0, 10), [1.0]);
        let texts: Vec<String> = [0.25, 0.5, 1.0, 2.0, 1024.0]
            .iter()
            .map(|&v| speedup_tick_text(v))
            .collect();
        assert_eq!(texts, ["0.25×", "0.5×", "1×", "2×", "1024×"]);
        assert_eq!(speedup_tick_text(0.125), "0.125×");
    }

    #[test]
    fn ticks() {
        assert_eq!(worker_ticks([16, 1, 4, 2, 8, 4]), vec![1, 2, 4, 8, 16]);
        assert_eq!(
            linear_ticks(0.0, 10.0, 5),
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(log_ticks(0.05, 1.2), vec![0.05, 0.1, 0.2, 0.5, 1.0]);
        // A short log axis: fewer ticks, the decades kept.
        let many = log_ticks(0.005, 1.2);
        assert_eq!(many.len(), 8);
        assert_eq!(thin_log_ticks(many.clone(), 10), many);
        assert_eq!(
            thin_log_ticks(many.clone(), 6),
            [0.005, 0.01, 0.05, 0.1, 0.5, 1.0]
        );
        assert_eq!(thin_log_ticks(many.clone(), 5), [0.01, 0.1, 1.0]);
        assert_eq!(thin_log_ticks(many.clone(), 3), [0.01, 0.1, 1.0]);
        assert_eq!(
            thin_log_ticks(log_ticks(0.001, 1e4), 4),
            [0.001, 0.1, 10.0, 1000.0]
        );
        assert_eq!(thin_log_ticks(many, 1), [0.01, 1.0]);
        assert_eq!(thin_log_ticks(vec![0.2, 0.5, 0.7], 2), [0.2, 0.7]);
        // Denormal times from a hostile file: the ends, not 2^63 ticks.
        assert_eq!(linear_ticks(0.0, 5e-324, 5), vec![0.0, 5e-324]);
        assert_eq!(linear_ticks(0.0, 1e-310, 5).len(), 6);
        // 1..4 crowd together next to 64 on a linear axis 300 px wide.
        let thin = thin_ticks(&[1, 2, 3, 4, 8, 16, 32, 64], |x| x * 300.0 / 64.0, 18.0);
        assert_eq!(thin, vec![1, 8, 16, 32, 64]);
        assert_eq!(tick_text(2.5, 0.5), "2.5");
        assert_eq!(tick_text(20.0, 5.0), "20");
        assert_eq!(tick_text(0.05, 0.05), "0.05");
    }
}
