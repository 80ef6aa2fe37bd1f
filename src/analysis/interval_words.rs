//! The 95% intervals of fitted parameters in words: one rule for when an interval is too wide
//! for its value to mean much, and one way to write each kind of range, shared by the
//! reading, the terminal summary, the report and the Fits tab.

/// An interval is too wide for its value to mean much when it is wider than the value itself
/// (the value is known to no better than ±50%): "12% (95% CI 1–30%)" says less than it seems
/// to, and the reading says "poorly determined" instead. A missing upper end (an unbounded
/// peak) is too wide.
pub fn too_wide(value: f64, low: f64, high: Option<f64>) -> bool {
    match high {
        Some(high) => (high - low).is_nan() || high - low > value.abs(),
        None => true,
    }
}

/// [`too_wide`] for the serial fraction `s`, judged by what it promises: the bound `1/s` on
/// the speedup. "3.2–5.0%" bounds it to 20–31× (precise enough); "97% (36–100%)" to 1.0–2.8×
/// around 1.03× (too wide: the parallel part is what is unknown), "96–100%" to 1.0–1.04×
/// (fine: more workers do not help, whatever the exact share). An interval wholly under 1% is
/// informative however wide it is relatively: almost none of the work is serial.
pub fn share_too_wide(value: f64, low: f64, high: f64) -> bool {
    if high < 0.01 {
        return false;
    }
    low <= 0.0 || value <= 0.0 || too_wide(1.0 / value, 1.0 / high, Some(1.0 / low))
}

/// [`too_wide`] for a coefficient bounded below by 0 (σ, κ): one fitted at the bound itself
/// is "none, up to the upper end", which says something (the range is given), not a value
/// drowned in its interval.
pub fn coefficient_too_wide(value: f64, low: f64, high: f64) -> bool {
    value.abs() > 1e-12 && too_wide(value, low, Some(high))
}

/// A share in percent, as the readings write it: one decimal under 10%, none above.
pub fn percent(pct: f64) -> String {
    if pct < 10.0 {
        format!("{pct:.1}%")
    } else {
        format!("{pct:.0}%")
    }
}

/// A range of fractions in percent: "3.2–5.0%", "0.5–30%".
pub fn percent_range(low: f64, high: f64) -> String {
    let (lo, hi) = (percent(low * 100.0), percent(high * 100.0));
    format!("{}–{hi}", lo.trim_end_matches('%'))
}

/// A range of speedups: "19–31×", or "19× or more" without an upper end.
pub fn speedup_range(low: f64, high: f64) -> String {
    if high.is_finite() {
        format!("{}–{}×", speedup(low), speedup(high))
    } else {
        format!("{}× or more", speedup(low))
    }
}

/// A speedup with as many digits as it deserves: "8.3", "24", "130".
pub fn speedup(s: f64) -> String {
    if s < 10.0 {
        format!("{s:.1}")
    } else {
        format!("{s:.0}")
    }
}

/// A range of a coefficient (σ, κ), to two significant digits of its upper end or of its
/// width, whichever needs more: "0.040–0.061", "0–0.0031", "0.0970–0.1030".
pub fn coefficient_range(low: f64, high: f64) -> String {
    // Two significant digits of the upper end, and of the width when that is narrower (so a
    // tight interval does not read "0.10–0.10").
    let digits = |v: f64| {
        if v > 0.0 {
            1.0 - v.log10().floor()
        } else {
            3.0
        }
    };
    let width = high - low;
    let decimals = if width > 0.0 {
        digits(high).max(digits(width))
    } else {
        digits(high)
    }
    .clamp(1.0, 8.0) as usize;
    let lo = if low == 0.0 {
        "0".to_string()
    } else {
        format!("{low:.decimals$}")
    };
    format!("{lo}–{high:.decimals$}")
}

/// A range of worker counts: "18–27 workers", "12 workers or more" without an upper end.
pub fn workers_range(low: usize, high: Option<usize>) -> String {
    let workers = |n: usize| if n == 1 { "worker" } else { "workers" };
    match high {
        Some(high) if high == low => format!("{low} {}", workers(low)),
        Some(high) => format!("{low}–{high} workers"),
        None => format!("{low} {} or more", workers(low)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interval_wider_than_its_value_is_too_wide() {
        assert!(!too_wide(0.041, 0.032, Some(0.050)));
        assert!(too_wide(0.12, 0.01, Some(0.30)));
        assert!(too_wide(22.0, 12.0, None));
        assert!(!too_wide(22.0, 18.0, Some(27.0)));
        assert!(
            too_wide(0.0, 0.0, Some(0.001)),
            "nothing, give or take something"
        );
        assert!(!too_wide(0.0, 0.0, Some(0.0)));
        assert!(too_wide(0.1, 0.0, Some(f64::NAN)));
    }

    #[test]
    fn a_coefficient_at_its_bound_is_none_up_to_its_interval() {
        assert!(!coefficient_too_wide(0.0, 0.0, 0.0012));
        assert!(!coefficient_too_wide(-0.0, 0.0, 0.0012));
        assert!(coefficient_too_wide(0.0004, 0.0, 0.0021));
        assert!(!coefficient_too_wide(0.05, 0.04, 0.061));
    }

    #[test]
    fn a_share_is_judged_from_both_ends() {
        assert!(!share_too_wide(0.041, 0.032, 0.050));
        assert!(share_too_wide(0.12, 0.01, 0.30));
        assert!(
            share_too_wide(0.97, 0.36, 1.0),
            "the parallel 3% is unknown"
        );
        assert!(!share_too_wide(0.999, 0.995, 1.0), "all of it, known so");
        assert!(!share_too_wide(0.002, 0.0, 0.004), "almost none, known so");
        assert!(!share_too_wide(0.5, 0.45, 0.55));
    }

    #[test]
    fn ranges_read_as_written_by_hand() {
        assert_eq!(percent_range(0.032, 0.050), "3.2–5.0%");
        assert_eq!(percent_range(0.005, 0.30), "0.5–30%");
        assert_eq!(speedup_range(19.2, 31.4), "19–31×");
        assert_eq!(speedup_range(7.7, 9.04), "7.7–9.0×");
        assert_eq!(speedup_range(7.7, f64::INFINITY), "7.7× or more");
        assert_eq!(coefficient_range(0.0402, 0.0611), "0.040–0.061");
        assert_eq!(coefficient_range(0.0, 0.00312), "0–0.0031");
        assert_eq!(coefficient_range(0.012, 0.31), "0.01–0.31");
        assert_eq!(coefficient_range(0.0, 0.0), "0–0.000");
        assert_eq!(coefficient_range(0.2, 0.2), "0.20–0.20");
        assert_eq!(coefficient_range(0.5, 2.5), "0.5–2.5");
        assert_eq!(coefficient_range(0.097, 0.103), "0.0970–0.1030");
        assert_eq!(workers_range(18, Some(27)), "18–27 workers");
        assert_eq!(workers_range(12, None), "12 workers or more");
        assert_eq!(workers_range(9, Some(9)), "9 workers");
        assert_eq!(workers_range(1, None), "1 worker or more");
    }
}
