use serde::{Deserialize, Serialize};

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
    /// 95% confidence interval of the mean (Student's t); equal to the mean when n = 1.
    pub ci95_low: f64,
    pub ci95_high: f64,
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

/// Two-sided 97.5% quantile of Student's t with `df` degrees of freedom (for a 95% CI).
pub fn student_t_975(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    match df {
        0 => f64::INFINITY,
        1..=30 => TABLE[df - 1],
        31..=60 => 2.000,
        61..=120 => 1.980,
        _ => 1.960,
    }
}

/// Indices of outliers by the modified z-score of Iglewicz and Hoaglin:
/// `0.6745 · |x − median| / MAD > 3.5`. With MAD = 0 nothing is flagged.
pub fn mad_outliers(samples: &[f64]) -> Vec<usize> {
    let Some(med) = median(samples) else {
        return Vec::new();
    };
    let deviations: Vec<f64> = samples.iter().map(|x| (x - med).abs()).collect();
    let Some(mad) = median(&deviations) else {
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
        // 10, 12, 14: mean 12, s = 2, t(2) = 4.303, half width = 4.303 * 2 / sqrt(3).
        let s = summarize(&[10.0, 12.0, 14.0]).unwrap();
        let half = 4.303 * 2.0 / 3f64.sqrt();
        assert!(close(s.ci95_low, 12.0 - half));
        assert!(close(s.ci95_high, 12.0 + half));
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
            mad_outliers(&[1.0, 1.0, 1.0, 5.0]).is_empty(),
            "MAD 0 flags nothing"
        );
    }

    #[test]
    fn t_table_edges() {
        assert!(student_t_975(0).is_infinite());
        assert_eq!(student_t_975(1), 12.706);
        assert_eq!(student_t_975(30), 2.042);
        assert_eq!(student_t_975(1000), 1.960);
    }
}
