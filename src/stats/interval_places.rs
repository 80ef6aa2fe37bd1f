//! How many decimals an interval needs so that its printed form says what the interval says.
//!
//! Two decimals are enough for most speedups (`1.83 – 2.07`), but a tight interval can round
//! away what it shows: `0.99516 – 0.99551` (clear of 1: the cell is slower than its baseline)
//! prints as `1.00 – 1.00`, which reads as "exactly as fast". These helpers give the fewest
//! decimals, never fewer than the caller's usual ones, at which
//! - the two ends of an interval that has width print apart ([`places_apart`]), and
//! - an end that lies strictly on one side of a reference value (1× for a speedup, 100% for
//!   an efficiency) does not print on it or across it ([`places_clear_of`]).
//!
//! Ordinary figures keep their usual decimals: only an interval that rounding would misstate
//! gets more. For the terminal table, the Markdown report, the workbench and the verdict
//! alike (the verdict's words sit above this layer, in `analysis`).

/// `x` as it prints with `places` decimals, read back.
fn rounded(x: f64, places: usize) -> f64 {
    format!("{x:.places$}").parse().unwrap_or(x)
}

fn finite(values: &[f64]) -> bool {
    values.iter().all(|v| v.is_finite())
}

/// The fewest decimals from `min` up to `max` at which `low` and `high` print differently
/// when they differ (`min` when they are equal, or not finite numbers; `max` when even that
/// does not part them).
pub fn places_apart(low: f64, high: f64, min: usize, max: usize) -> usize {
    if !finite(&[low, high]) || low >= high {
        return min;
    }
    (min..=max)
        .find(|&d| rounded(low, d) < rounded(high, d))
        .unwrap_or(max)
}

/// The fewest decimals from `min` up to `max` at which an end of `[low, high]` that lies
/// strictly above `reference` prints above the reference's own printed value, and one that
/// lies strictly below prints below it: an interval clear of 1 never prints as touching 1.
/// `min` for an interval that holds the reference (or is not finite).
pub fn places_clear_of(low: f64, high: f64, reference: f64, min: usize, max: usize) -> usize {
    if !finite(&[low, high, reference]) {
        return min;
    }
    let clear = |d: usize| {
        let r = rounded(reference, d);
        (low <= reference || rounded(low, d) > r) && (high >= reference || rounded(high, d) < r)
    };
    (min..=max).find(|&d| clear(d)).unwrap_or(max)
}

/// Both at once: the decimals that part the ends and keep them clear of `reference`.
pub fn interval_places(low: f64, high: f64, reference: f64, min: usize, max: usize) -> usize {
    places_apart(low, high, min, max).max(places_clear_of(low, high, reference, min, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_intervals_keep_their_decimals() {
        assert_eq!(interval_places(1.83, 2.07, 1.0, 2, 6), 2);
        assert_eq!(interval_places(0.96, 1.76, 1.0, 2, 6), 2);
        assert_eq!(interval_places(3.99, 4.01, 1.0, 2, 6), 2);
        // Equal ends (tied runs) cannot be parted: the usual decimals.
        assert_eq!(interval_places(2.0, 2.0, 1.0, 2, 6), 2);
        assert_eq!(interval_places(f64::NAN, 2.0, 1.0, 2, 6), 2);
    }

    #[test]
    fn an_interval_clear_of_one_never_prints_as_touching_it() {
        // The reviewer's round.json: 0.995159 – 0.995510 printed "1.00 – 1.00".
        let d = interval_places(0.995159, 0.995510, 1.0, 2, 6);
        assert_eq!(d, 3);
        assert_eq!(
            format!("{:.d$} – {:.d$}", 0.995159, 0.995510),
            "0.995 – 0.996"
        );
        // Ends that part at three decimals but would still round onto 1: four.
        assert_eq!(interval_places(0.99951, 0.99980, 1.0, 2, 6), 4);
        // Just above 1: 1.004 – 1.02 would print 1.00 – 1.02, touching 1.
        assert_eq!(places_clear_of(1.004, 1.02, 1.0, 2, 6), 3);
        // Holding 1: nothing to keep clear of.
        assert_eq!(places_clear_of(0.999, 1.001, 1.0, 2, 6), 2);
        // Efficiency in whole percent: 99.5% is not "100 %".
        assert_eq!(places_clear_of(99.48, 99.55, 100.0, 0, 2), 1);
        assert_eq!(places_clear_of(93.1, 93.4, 100.0, 0, 2), 0);
    }

    #[test]
    fn ends_that_differ_print_apart_up_to_the_limit() {
        assert_eq!(places_apart(3.9941, 3.9944, 2, 6), 4);
        assert_eq!(places_apart(0.32146, 0.32149, 4, 8), 5);
        assert_eq!(places_apart(1.0, 1.0 + 1e-12, 2, 6), 6);
    }
}
