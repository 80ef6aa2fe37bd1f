//! The fits as plain text for terminals.

use super::interval_words::{coefficient_range, coefficient_too_wide, share_too_wide};
use super::model_fit::{FitQuantity, ModelFit};

/// One line per fitted model, for terminals: parameters, R² and the reading.
pub fn fits_summary(fits: &[ModelFit]) -> String {
    // Nothing fitted, for one reason (a sweep of two worker counts): said once, not per model.
    let nothing_fitted = fits.iter().all(|f| f.amdahl.is_none() && f.usl.is_none());
    if let Some(first) = fits.first()
        && fits.len() > 1
        && nothing_fitted
        && fits.iter().all(|f| f.refused == first.refused)
    {
        let models: Vec<&str> = fits.iter().map(|f| f.model.id()).collect();
        return format!(
            "no fits for {}: {}\n",
            models.join(", "),
            first.refused.join("; ")
        );
    }
    let mut out = String::new();
    for f in fits {
        // Two worker counts fit exactly (or not at all, clamped): an R² would claim a test
        // that did not happen.
        let r2 = |r2: f64| {
            f.amdahl_test()
                .and_then(|t| t.untested_words())
                .unwrap_or_else(|| format!("R² {r2:.3}"))
        };
        let amdahl = match (&f.amdahl, f.quantity) {
            (Some(a), _) => format!(
                "Amdahl {} (T1 {:.4} s, {})",
                match a.serial_fraction_ci {
                    Some((lo, hi)) if share_too_wide(a.serial_fraction, lo, hi) =>
                        format!("s poorly determined [95% CI {}]", coefficient_range(lo, hi)),
                    ci => parameter("s", a.serial_fraction, 3, ci),
                },
                a.t1,
                r2(a.r_squared)
            ),
            (None, FitQuantity::Throughput) => "Amdahl n/a (weak scaling)".to_string(),
            (None, FitQuantity::Speedup) => "Amdahl —".to_string(),
        };
        let on = match f.quantity {
            FitQuantity::Speedup => "",
            FitQuantity::Throughput => " on throughput",
        };
        let usl = f.usl.as_ref().map_or("USL —".to_string(), |u| {
            let iv = u.intervals.as_ref();
            let peak = match u.peak_workers {
                Some(p) => match iv.and_then(|i| i.peak_workers) {
                    Some((lo, Some(hi))) => format!("peak {p} [95% CI {lo}–{hi}]"),
                    Some((lo, None)) => format!("peak {p} [95% CI {lo} or more, or none]"),
                    None => format!("peak {p}"),
                },
                None if u.sigma < 1e-3 => "no peak".to_string(),
                None => format!("no peak, levels off at {:.1}×", u.max_speedup()),
            };
            let scale = if u.scale_fitted {
                format!(", scale {:.3} fitted", u.scale)
            } else if (u.scale - 1.0).abs() > 1e-12 {
                format!(", scale {:.3} (own 1 worker)", u.scale)
            } else {
                String::new()
            };
            format!(
                "USL{on} {}, {}{scale}, {peak} (R² {:.3})",
                parameter("σ", u.sigma, 4, iv.map(|i| i.sigma)),
                parameter("κ", u.kappa, 5, iv.map(|i| i.kappa)),
                u.r_squared
            )
        });
        let range = match (f.fitted_up_to, f.fitted_range()) {
            (Some(_), Some((lo, hi))) => format!(" [fitted on {lo}–{hi} workers]"),
            _ => String::new(),
        };
        out.push_str(&format!("{:<12} {amdahl}; {usl}{range}\n", f.model.id()));
        out.push_str(&format!("             {}\n", f.reading));
        if let Some(caveat) = &f.caveat {
            out.push_str(&format!("             Read with care: {caveat}\n"));
        }
    }
    out
}

/// `name = value [95% CI lo–hi]`, or `name poorly determined [95% CI lo–hi]` when the
/// interval is wider than the value (see [`coefficient_too_wide`]).
fn parameter(name: &str, value: f64, decimals: usize, ci: Option<(f64, f64)>) -> String {
    match ci {
        Some((lo, hi)) if coefficient_too_wide(value, lo, hi) => format!(
            "{name} poorly determined [95% CI {}]",
            coefficient_range(lo, hi)
        ),
        Some((lo, hi)) => format!(
            "{name} = {value:.decimals$} [95% CI {}]",
            coefficient_range(lo, hi)
        ),
        None => format!("{name} = {value:.decimals$}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{FitContext, FitPoint, fit_points};
    use crate::preset::{Baseline, ModelKind, TaskKind};

    fn fit_of(points: &[(usize, f64)]) -> ModelFit {
        let points = points
            .iter()
            .map(|&(workers, median_s)| FitPoint {
                workers,
                median_s,
                speedup: Some(1.0 / median_s),
                relative_error: None,
            })
            .collect();
        let context = FitContext {
            task: TaskKind::Cpu,
            baseline: Baseline::SameModelOneWorker,
            logical_cores: 16,
        };
        fit_points(ModelKind::Threads, points, context)
    }

    #[test]
    fn one_reason_for_no_fits_is_said_once() {
        let mut a = fit_of(&[(1, 1.0)]);
        assert!(a.amdahl.is_none() && a.usl.is_none() && !a.refused.is_empty());
        let mut b = a.clone();
        b.model = ModelKind::Processes;
        let text = fits_summary(&[a.clone(), b.clone()]);
        assert_eq!(text.lines().count(), 1, "{text}");
        assert!(
            text.starts_with("no fits for threads, processes: "),
            "{text}"
        );
        // Different reasons: each model says its own.
        a.refused = vec!["one reason".into()];
        b.refused = vec!["another".into()];
        let text = fits_summary(&[a, b]);
        assert!(
            text.starts_with("threads      Amdahl") && text.contains("\nprocesses    Amdahl"),
            "{text}"
        );
    }

    #[test]
    fn two_points_are_called_exact_not_a_perfect_r_squared() {
        let two = fits_summary(&[fit_of(&[(1, 1.0), (2, 0.52)])]);
        assert!(two.contains("exact on 2 points, untested"), "{two}");
        assert!(!two.contains("R² 1.000"), "{two}");
        let four = fits_summary(&[fit_of(&[(1, 1.0), (2, 0.52), (4, 0.27), (8, 0.15)])]);
        assert!(four.contains("R² "), "{four}");
    }

    #[test]
    fn a_two_point_fit_held_by_a_bound_is_called_clamped_not_exact() {
        // Slower with two workers (by hand: 0.3424 s, then 0.3503 s): the line through both
        // would need s > 1, so the bound holds s = 1, a constant time that misses both.
        let f = fit_of(&[(1, 0.3424), (2, 0.3503)]);
        assert_eq!(
            f.amdahl_test(),
            Some(crate::analysis::AmdahlTest::Clamped {
                serial_fraction: 1.0
            })
        );
        let text = fits_summary(&[f]);
        assert!(
            text.contains("clamped to s = 1 on 2 points (misses both), untested"),
            "{text}"
        );
        assert!(!text.contains("exact on"), "{text}");
        assert!(text.contains("the fit is clamped at s = 1"), "{text}");
        assert!(!text.contains("R² "), "{text}");
    }

    #[test]
    fn parameters_carry_their_intervals_or_say_they_are_poorly_determined() {
        assert_eq!(parameter("s", 0.041, 3, None), "s = 0.041");
        assert_eq!(
            parameter("s", 0.041, 3, Some((0.032, 0.05))),
            "s = 0.041 [95% CI 0.032–0.050]"
        );
        assert_eq!(
            parameter("κ", 0.0004, 5, Some((0.0, 0.0021))),
            "κ poorly determined [95% CI 0–0.0021]"
        );
        // Measured sweeps: each cell 10 runs within ±1%, so the fits have intervals.
        let mut f = fit_of(&[(1, 1.0), (2, 0.55), (4, 0.325), (8, 0.2125)]);
        for p in &mut f.points {
            p.relative_error = Some(0.005);
        }
        let context = FitContext {
            task: TaskKind::Cpu,
            baseline: Baseline::SameModelOneWorker,
            logical_cores: 16,
        };
        let f = fit_points(ModelKind::Threads, f.points, context);
        let text = fits_summary(&[f]);
        assert!(text.contains("Amdahl s = 0.100 [95% CI 0.09"), "{text}");
        assert!(text.contains("USL σ = "), "{text}");
        assert!(text.contains("[95% CI "), "{text}");
    }
}
