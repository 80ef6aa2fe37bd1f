use serde::{Deserialize, Serialize};
use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, StudentsT};

/// Descriptive statistics of one cell's timed samples (seconds or any unit).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub n: usize,
    pub min: f64,
    pub max: f64,
    pub median: f64,
    pub mean: f64,
    /// Sample standard deviation (n − 1); 0 for a single sample.
    pub stddev: f64,
    /// 95% confidence interval of the **mean** (Student's t); equal to the mean when n = 1.
    /// Kept for reference: the plotted statistic is the median, see `median_ci_low`.
    pub ci95_low: f64,
    pub ci95_high: f64,
    /// Confidence interval of the **median** by order statistics (distribution-free, from the
    /// binomial distribution, see [`median_ci`]): the narrowest pair of order statistics
    /// whose coverage is at least 95%, or the whole sample range when too few samples reach
    /// 95%. Old files without it load with 0 and get it back from `recompute`.
    #[serde(default)]
    pub median_ci_low: f64,
    #[serde(default)]
    pub median_ci_high: f64,
    /// The exact coverage of `median_ci_low ..= median_ci_high` (e.g. 0.9375 for 5 samples,
    /// 0.979 for 10): below 0.95 when there are fewer than 6 samples.
    #[serde(default)]
    pub median_ci_coverage: f64,
    /// Indices of samples flagged as outliers by the median absolute deviation rule.
    pub outliers: Vec<usize>,
}

/// Middle value (average of the two middle ones for even n). `None` when empty or non-finite.
pub fn median(samples: &[f64]) -> Option<f64> {
    let v = finite_sorted(samples)?;
    let n = v.len();
    Some(if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    })
}

pub fn mean(samples: &[f64]) -> Option<f64> {
    finite_sorted(samples).map(|v| v.iter().sum::<f64>() / v.len() as f64)
}

/// Sample standard deviation with Bessel's correction; 0 for one sample.
pub fn stddev(samples: &[f64]) -> Option<f64> {
    let m = mean(samples)?;
    let n = samples.len();
    if n < 2 {
        return Some(0.0);
    }
    let ss: f64 = samples.iter().map(|x| (x - m).powi(2)).sum();
    Some((ss / (n - 1) as f64).sqrt())
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom (the half-width factor of a
/// two-sided 95% interval), from the distribution function (statrs). Infinite for `df` = 0.
pub fn student_t_975(df: usize) -> f64 {
    if df == 0 {
        return f64::INFINITY;
    }
    StudentsT::new(0.0, 1.0, df as f64).map_or(f64::INFINITY, |t| t.inverse_cdf(0.975))
}

/// A distribution-free confidence interval of the median.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MedianCi {
    pub low: f64,
    pub high: f64,
    /// The exact probability that the interval holds the true median (for continuous data).
    pub coverage: f64,
}

/// The 95% confidence interval of the median by order statistics: with the samples sorted
/// `x(1) ≤ … ≤ x(n)`, the interval `[x(j), x(n+1−j)]` holds the population median with
/// probability `1 − 2·P(B ≤ j − 1)`, `B ~ Binomial(n, 1/2)`, whatever the distribution. `j` is
/// the largest rank that keeps that coverage at or above 95%; with fewer than 6 samples no
/// rank does, and the interval is `[min, max]` with its (lower) coverage stated. `None` when
/// empty or non-finite.
pub fn median_ci(samples: &[f64]) -> Option<MedianCi> {
    let v = finite_sorted(samples)?;
    let n = v.len();
    let (j, coverage) = median_ci_rank(n);
    Some(MedianCi {
        low: v[j - 1],
        high: v[n - j],
        coverage,
    })
}

/// The coverage of [`median_ci`]'s interval from `n` runs, which depends on their number
/// alone: 0 for 1 run, 50% for 2, 75% for 3, 96.9% for 6, and 95% or more from there on.
/// `None` for no runs.
pub fn median_ci_coverage(n: usize) -> Option<f64> {
    (n > 0).then(|| median_ci_rank(n).1)
}

/// The rank `j` of [`median_ci`]'s interval `[x(j), x(n+1−j)]` from `n` ≥ 1 runs, and its
/// coverage.
fn median_ci_rank(n: usize) -> (usize, f64) {
    let below = |j: usize| -> f64 {
        // P(B ≤ j − 1)
        if j == 0 {
            return 0.0;
        }
        Binomial::new(0.5, n as u64).map_or(1.0, |b| b.cdf((j - 1) as u64))
    };
    let mut j = 1;
    while j < n.div_ceil(2) && 1.0 - 2.0 * below(j + 1) >= 0.95 {
        j += 1;
    }
    (j, (1.0 - 2.0 * below(j)).max(0.0))
}

/// Median of counts (lost updates, context switches, bytes): the lower of the two middle
/// values when there is an even number, so the figure is always one that was measured.
/// `None` when empty.
pub fn median_count(values: &[u64]) -> Option<u64> {
    let mut v = values.to_vec();
    v.sort_unstable();
    v.get(v.len().checked_sub(1)? / 2).copied()
}

/// Each sample's distance from `med`, and the median of those distances (the MAD); `None`
/// when there are no samples or any is not finite.
pub(crate) fn deviations_and_mad(samples: &[f64], med: f64) -> Option<(Vec<f64>, f64)> {
    let deviations: Vec<f64> = samples.iter().map(|x| (x - med).abs()).collect();
    let mad = median(&deviations)?;
    Some((deviations, mad))
}

/// The fewest runs among which a run is called an outlier: with fewer, the MAD rests on one or
/// two distances (with three runs, any two close runs make the third "an outlier").
pub const MIN_SAMPLES_FOR_OUTLIERS: usize = 6;

/// Indices of outliers by the modified z-score of Iglewicz and Hoaglin:
/// `0.6745 · |x − median| / MAD > 3.5`. With MAD = 0, or fewer than
/// [`MIN_SAMPLES_FOR_OUTLIERS`] samples, nothing is flagged.
pub fn mad_outliers(samples: &[f64]) -> Vec<usize> {
    if samples.len() < MIN_SAMPLES_FOR_OUTLIERS {
        return Vec::new();
    }
    let Some((deviations, mad)) = median(samples).and_then(|m| deviations_and_mad(samples, m))
    else {
        return Vec::new();
    };
    if mad <= 0.0 {
        return Vec::new();
    }
    deviations
        .iter()
        .enumerate()
        .filter(|(_, d)| 0.6745 * **d / mad > 3.5)
        .map(|(i, _)| i)
        .collect()
}

/// All of the above at once. `None` when there are no samples or any is not finite.
pub fn summarize(samples: &[f64]) -> Option<Summary> {
    let sorted = finite_sorted(samples)?;
    let n = sorted.len();
    let mean = mean(samples)?;
    let sd = stddev(samples)?;
    let ci = median_ci(samples)?;
    let half = if n > 1 {
        student_t_975(n - 1) * sd / (n as f64).sqrt()
    } else {
        0.0
    };
    Some(Summary {
        n,
        min: sorted[0],
        max: sorted[n - 1],
        median: median(samples)?,
        mean,
        stddev: sd,
        ci95_low: mean - half,
        ci95_high: mean + half,
        median_ci_low: ci.low,
        median_ci_high: ci.high,
        median_ci_coverage: ci.coverage,
        outliers: mad_outliers(samples),
    })
}

fn finite_sorted(samples: &[f64]) -> Option<Vec<f64>> {
    if samples.is_empty() || samples.iter().any(|x| !x.is_finite()) {
        return None;
    }
    let mut v = samples.to_vec();
    v.sort_by(f64::total_cmp);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn median_odd_and_even() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[7.0]), Some(7.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[1.0, f64::NAN]), None);
    }

    #[test]
    fn mean_and_stddev_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sum of squares 32, sample variance 32/7.
        let x = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert!(close(mean(&x).unwrap(), 5.0));
        assert!(close(stddev(&x).unwrap(), (32.0f64 / 7.0).sqrt()));
        assert_eq!(stddev(&[3.0]), Some(0.0));
    }

    #[test]
    fn confidence_interval_by_hand() {
        // 10, 12, 14: mean 12, s = 2, t(2) = 4.3027, half width = 4.3027 * 2 / sqrt(3).
        let s = summarize(&[10.0, 12.0, 14.0]).unwrap();
        let half = 4.302_653 * 2.0 / 3f64.sqrt();
        assert!((s.ci95_low - (12.0 - half)).abs() < 1e-5, "{s:?}");
        assert!((s.ci95_high - (12.0 + half)).abs() < 1e-5, "{s:?}");
        assert_eq!((s.min, s.max, s.median, s.n), (10.0, 14.0, 12.0, 3));
    }

    #[test]
    fn single_sample_has_zero_width_interval() {
        let s = summarize(&[1.5]).unwrap();
        assert_eq!((s.ci95_low, s.ci95_high, s.stddev), (1.5, 1.5, 0.0));
    }

    #[test]
    fn mad_flags_the_obvious_outlier_only() {
        // median 1.0; deviations 0.1,0,0.1,0.05,0.05,9 -> MAD 0.075; 0.6745*9/0.075 = 80.9.
        let x = [1.1, 1.0, 0.9, 1.05, 0.95, 10.0];
        assert_eq!(mad_outliers(&x), vec![5]);
        assert!(
            mad_outliers(&[1.0, 1.0, 1.0, 1.0, 1.0, 5.0]).is_empty(),
            "MAD 0 flags nothing"
        );
        // Three runs, two close: the third is not "an outlier" (z = 175 by the formula).
        assert!(mad_outliers(&[0.1968, 0.19679, 0.19941]).is_empty());
    }

    #[test]
    fn t_quantiles_match_published_tables() {
        // Published two-sided 95% critical values (e.g. NIST/SEMATECH e-Handbook, 1.3.6.7.2).
        let table = [
            (1, 12.706),
            (2, 4.303),
            (10, 2.228),
            (30, 2.042),
            (31, 2.040),
            (40, 2.021),
            (60, 2.000),
            (100, 1.984),
        ];
        for (df, t) in table {
            assert!(
                (student_t_975(df) - t).abs() < 5e-4,
                "df {df}: {}",
                student_t_975(df)
            );
        }
        assert!(student_t_975(0).is_infinite());
        assert!((student_t_975(100_000) - 1.960).abs() < 1e-3);
    }

    #[test]
    fn median_interval_by_order_statistics() {
        // n = 10: P(B ≤ 1) = 11/1024 ≤ 0.025 < P(B ≤ 2) = 56/1024, so [x(2), x(9)],
        // coverage 1 − 22/1024.
        let x: Vec<f64> = (1..=10).map(f64::from).rev().collect();
        let ci = median_ci(&x).unwrap();
        assert_eq!((ci.low, ci.high), (2.0, 9.0));
        assert!((ci.coverage - (1.0 - 22.0 / 1024.0)).abs() < 1e-9, "{ci:?}");
        // n = 20: the textbook pair is x(6), x(15) (P(B ≤ 5) = 21700/2^20 = 0.0207).
        let x: Vec<f64> = (1..=20).map(f64::from).collect();
        let ci = median_ci(&x).unwrap();
        assert_eq!((ci.low, ci.high), (6.0, 15.0));
        assert!((ci.coverage - (1.0 - 2.0 * 21_700.0 / 1_048_576.0)).abs() < 1e-9);
        // n = 5 cannot reach 95%: the range, with coverage 1 − 2/32.
        let ci = median_ci(&[5.0, 1.0, 4.0, 2.0, 3.0]).unwrap();
        assert_eq!((ci.low, ci.high), (1.0, 5.0));
        assert!((ci.coverage - 0.9375).abs() < 1e-9, "{ci:?}");
        // n = 6: the range reaches 1 − 2/64.
        let ci = median_ci(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        assert_eq!((ci.low, ci.high), (1.0, 6.0));
        assert!((ci.coverage - (1.0 - 2.0 / 64.0)).abs() < 1e-9, "{ci:?}");
        let one = median_ci(&[7.0]).unwrap();
        assert_eq!((one.low, one.high), (7.0, 7.0));
        assert!(one.coverage.abs() < 1e-9, "{one:?}");
        assert_eq!(median_ci(&[]), None);
        let s = summarize(&(1..=10).map(f64::from).collect::<Vec<_>>()).unwrap();
        assert_eq!((s.median_ci_low, s.median_ci_high), (2.0, 9.0));
    }

    #[test]
    fn the_median_count_is_a_measured_value() {
        assert_eq!(median_count(&[]), None);
        assert_eq!(median_count(&[7]), Some(7));
        assert_eq!(median_count(&[9, 1, 5]), Some(5));
        // Even count: the lower middle value, not their mean (3) nor the upper (4).
        assert_eq!(median_count(&[4, 2, 1, 9]), Some(2));
    }
}
