//! The plain-language reading of a fit.

use super::interval_words::{
    coefficient_range, coefficient_too_wide, percent, percent_range, share_too_wide, speedup,
    speedup_range, too_wide, workers_range,
};
use super::model_fit::{AmdahlTest, FitQuantity, ModelFit, SpeedupBound};
use crate::stats::{AmdahlFit, UslFit};

/// Below this R² a reading warns that the curve does not describe the data well (unless the
/// fit is within 5% of every value anyway).
pub const POOR_FIT_R2: f64 = 0.8;

/// A fit whose root-mean-square error is below this fraction of the values is close enough
/// not to be flagged, even with a low R² (R² is meaningless on flat data: there is no spread
/// to explain).
const FLAT_ENOUGH: f64 = 0.05;

/// A σ below this is no contention worth naming: "the USL sees neither contention nor
/// coordination cost".
const NEGLIGIBLE_SIGMA: f64 = 1e-3;

/// A coefficient's interval end at or below this counts as 0 (σ and κ are fitted with the
/// bound 0, so an end at the bound is 0 itself; this only absorbs float residue).
const ZERO_COEFFICIENT: f64 = 1e-12;

/// Amdahl's law describes `fit`'s medians poorly: R² below [`POOR_FIT_R2`] and the curve off
/// the medians by more than 5% (root mean square). Such a curve is not drawn, and the reading
/// says so.
pub fn amdahl_fits_poorly(fit: &ModelFit) -> bool {
    fit.amdahl.as_ref().is_some_and(|a| {
        let rel = relative_rms(
            fit.fitted_points()
                .map(|p| (p.median_s, a.time(p.workers as f64))),
        );
        a.r_squared < POOR_FIT_R2 && rel > FLAT_ENOUGH
    })
}

/// The USL describes `fit`'s speedups (or throughputs) poorly, as [`amdahl_fits_poorly`].
pub fn usl_fits_poorly(fit: &ModelFit) -> bool {
    fit.usl.as_ref().is_some_and(|u| {
        let rel = relative_rms(
            fit.fitted_points()
                .filter_map(|p| Some((p.speedup?, u.speedup(p.workers as f64)))),
        );
        u.r_squared < POOR_FIT_R2 && rel > FLAT_ENOUGH
    })
}

/// A plain-language reading of a fit, e.g. "about 12% of this work is serial (Amdahl), so no
/// number of workers can exceed 8.3× speedup; the USL curve peaks at about 9 workers". The
/// parts agree with each other: a USL that sees no gain is not also given a peak beyond one
/// worker, and a Karp–Flatt fraction above 1 is explained.
pub fn describe_fit(fit: &ModelFit) -> String {
    let mut parts: Vec<String> = Vec::new();
    let measured_max = fit.fitted_points().map(|p| p.workers).max().unwrap_or(0);
    if fit.quantity == FitQuantity::Throughput {
        parts.push(
            "every worker brings its own work (weak scaling), so the USL is fitted to throughput relative to the baseline and no Amdahl or Karp–Flatt serial fraction applies"
                .to_string(),
        );
    }
    let usl_sees_no_gain = fit.usl.as_ref().is_some_and(|u| u.peak_workers == Some(1));
    let counts = super::model_fit::distinct(fit.fitted_points());
    if let Some(a) = &fit.amdahl {
        let bound = fit.max_speedup();
        parts.push(amdahl_reading(
            a,
            bound.as_ref(),
            fit.is_exact(),
            usl_sees_no_gain,
        ));
        if let Some(cores) = fit.fitted_up_to {
            parts.push(format!(
                "fitted on the {counts} worker counts within this machine's {}",
                crate::words::count(cores, "logical core")
            ));
        }
        match fit.amdahl_test() {
            Some(AmdahlTest::Exact) => parts.push(
                "two worker counts fit Amdahl's law exactly whatever the work does: measure more to test it"
                    .to_string(),
            ),
            Some(AmdahlTest::Clamped { serial_fraction }) => parts.push(format!(
                "these two worker counts lie outside Amdahl's law ({}), so the fit is clamped at s = {serial_fraction:.0} and misses both: measure more to test it",
                if serial_fraction >= 1.0 {
                    "more workers were slower"
                } else {
                    "more workers were faster than the law allows"
                }
            )),
            Some(AmdahlTest::Tested) | None => {}
        }
        if amdahl_fits_poorly(fit) {
            parts.push(format!(
                "Amdahl's law fits poorly (R² {:.2}; its curve is not drawn), read it with care",
                a.r_squared
            ));
        }
    }
    if let Some(u) = &fit.usl {
        parts.push(usl_reading(fit, u, measured_max));
        if usl_fits_poorly(fit) {
            parts.push(format!(
                "the USL fits poorly (R² {:.2}; its curve is not drawn), read it with care",
                u.r_squared
            ));
        }
    }
    if let Some(p) = fit.karp_flatt.iter().find(|p| p.serial_fraction < 0.0) {
        parts.push(format!(
            "a Karp–Flatt fraction below 0 (e = {:.2} at {} workers) is not a share of the work: those workers ran faster than {} times one (speedup {:.2}× over {} × 1), which noise or more cache explains, not less serial work",
            p.serial_fraction, p.workers, p.workers, p.speedup, fit.model
        ));
    } else if let (Some(first), Some(last)) = (fit.karp_flatt.first(), fit.karp_flatt.last())
        && fit.karp_flatt.len() >= 2
        && last.serial_fraction > first.serial_fraction + 0.05
    {
        parts.push(format!(
            "the Karp–Flatt serial fraction grows from {:.2} to {:.2}: overhead rises with the worker count",
            first.serial_fraction, last.serial_fraction
        ));
    }
    if let Some(p) = fit.karp_flatt.iter().find(|p| p.serial_fraction > 1.0) {
        parts.push(format!(
            "a Karp–Flatt fraction above 1 (e = {:.2} at {} workers) is not a share of the work: it means those workers were slower than one (speedup {:.2}× over {} × 1), which only overhead explains",
            p.serial_fraction, p.workers, p.speedup, fit.model
        ));
    }
    if parts.is_empty() || fit.amdahl.is_none() && fit.usl.is_none() {
        return format!(
            "{}: not enough measurements to fit ({})",
            fit.model,
            fit.refused.join("; ")
        );
    }
    let mut text = format!("{}: {}", fit.model, parts.join("; "));
    text.push('.');
    text
}

/// What Amdahl's law says, with its 95% interval: "about 4.1% of this work is serial
/// (Amdahl; 95% CI 3.2–5.0%), so no number of workers can exceed about 24× speedup over
/// sequential (19–31×)". The share is of the model's own one-worker time; the bound is over
/// the baseline of the measured speedups (`bound`, see [`ModelFit::max_speedup`]). When the
/// interval is wider than the value, the share is called poorly determined and given as its
/// range only, and no bound is promised.
fn amdahl_reading(
    a: &AmdahlFit,
    bound: Option<&SpeedupBound>,
    exact: bool,
    usl_sees_no_gain: bool,
) -> String {
    let over = bound.map_or(String::new(), |b| format!(" over {}", b.over));
    // The bound at the ends of the share's interval: `(at s_high, at s_low)`.
    let bound_ci = bound.and_then(|b| b.ci);
    let pct = a.serial_fraction * 100.0;
    let ci = a.serial_fraction_ci;
    let vague = ci.is_some_and(|(lo, hi)| share_too_wide(a.serial_fraction, lo, hi));
    let ci_words = ci.map_or(String::new(), |(lo, hi)| {
        format!("; 95% CI {}", percent_range(lo, hi))
    });
    if let (true, Some((lo, hi))) = (vague, ci)
        && lo <= 0.0
    {
        // Only an upper bound: still a promise, on the speedup's bound from below.
        return format!(
            "at most about {} of this work is serial (Amdahl; 95% CI 0–{}), so its bound on the speedup{over} is no lower than about {}×",
            percent(hi * 100.0),
            percent(hi * 100.0),
            speedup(bound_ci.map_or(1.0 / hi, |b| b.0))
        );
    }
    if let (true, Some((lo, hi))) = (vague, ci) {
        let (at_hi, at_lo) = bound_ci.unwrap_or((1.0 / hi, 1.0 / lo));
        return format!(
            "the serial share of this work is poorly determined: Amdahl's law puts it anywhere between {} and {} (95% CI), and so the most any number of workers can reach lies anywhere between {}× and {}× speedup{over}",
            percent(lo * 100.0),
            percent(hi * 100.0),
            speedup(at_hi),
            speedup(at_lo)
        );
    }
    if pct < 0.5 {
        format!("almost none of this work is serial (Amdahl{ci_words})")
    } else if pct > 95.0 || usl_sees_no_gain && pct > 50.0 {
        format!(
            "about {} of this work runs one worker at a time (Amdahl{ci_words}): more workers do not help",
            percent(pct)
        )
    } else if exact {
        // Two points fit any curve through them: no bound to promise from them.
        format!(
            "about {} of this work looks serial (Amdahl{ci_words})",
            percent(pct)
        )
    } else {
        let range = bound_ci.map_or(String::new(), |(lo, hi)| {
            format!(" ({})", speedup_range(lo, hi))
        });
        format!(
            "about {} of this work is serial (Amdahl{ci_words}), so no number of workers can exceed about {}× speedup{over}{range}",
            percent(pct),
            speedup(bound.map_or(a.max_speedup_over(a.t1), |b| b.value))
        )
    }
}

/// What the USL says, in the words of the quantity it was fitted to, never promising more
/// than it measured, with the 95% intervals of the peak and of σ where it names them.
fn usl_reading(fit: &ModelFit, u: &UslFit, measured_max: usize) -> String {
    let (what, gain) = match fit.quantity {
        FitQuantity::Speedup => ("speedup", "speedup"),
        FitQuantity::Throughput => ("throughput", "throughput"),
    };
    let iv = u.intervals.as_ref();
    // The peak's interval, or that it is poorly determined.
    let peak_ci = |peak: usize| match iv.and_then(|i| i.peak_workers) {
        Some((lo, None)) => format!(
            ", though the measurements cannot place it: anywhere from {} up, or no peak at all (95% CI)",
            workers_range(lo, Some(lo))
        ),
        Some((lo, Some(hi))) if too_wide(peak as f64, lo as f64, Some(hi as f64)) => format!(
            ", though the measurements place it anywhere between {lo} and {hi} workers (95% CI)"
        ),
        Some((lo, hi)) => format!(" (95% CI {})", workers_range(lo, hi)),
        None => String::new(),
    };
    let sigma = |digits: usize| match iv.map(|i| i.sigma) {
        Some((lo, hi)) if coefficient_too_wide(u.sigma, lo, hi) => {
            format!("σ poorly determined, 95% CI {}", coefficient_range(lo, hi))
        }
        Some((lo, hi)) => format!(
            "σ = {:.digits$}, 95% CI {}",
            u.sigma,
            coefficient_range(lo, hi)
        ),
        None => format!("σ = {:.digits$}", u.sigma),
    };
    // The upper end of σ's interval where that interval reaches 0 (and goes beyond it): the
    // measurements neither rule contention in nor out.
    let sigma_room = iv
        .map(|i| i.sigma)
        .filter(|&(lo, hi)| lo <= ZERO_COEFFICIENT && hi > ZERO_COEFFICIENT)
        .map(|(_, hi)| hi);
    let mut text = match u.peak_workers {
        Some(1) => format!(
            "the USL sees no {gain} from a second worker ({}): adding workers only slows this down",
            sigma(2)
        ),
        Some(peak) if peak < measured_max => format!(
            "the USL {what} peaks at about {peak} workers ({:.1}×){}: more than {peak} workers will not help, and the measurements beyond it already pay for it",
            u.speedup(peak as f64),
            peak_ci(peak)
        ),
        Some(peak) if peak == measured_max => format!(
            "the USL {what} peaks at about {peak} workers, the most measured ({:.1}×){}",
            u.speedup(peak as f64),
            peak_ci(peak)
        ),
        Some(peak) => format!(
            "the USL {what} still rises at the {measured_max} workers measured; extrapolated, it would peak at about {peak} workers{}",
            peak_ci(peak)
        ),
        None if u.sigma < NEGLIGIBLE_SIGMA => match sigma_room {
            // Room for contention that would cost 5% or more at the most workers measured.
            Some(high) if high * (measured_max as f64 - 1.0) >= 0.05 => format!(
                "the USL's best fit has neither contention nor coordination cost up to {measured_max} workers, though σ's 95% interval {} leaves room for contention",
                coefficient_range(0.0, high)
            ),
            _ => format!(
                "the USL sees neither contention nor coordination cost up to {measured_max} workers"
            ),
        },
        None => match sigma_room {
            // σ's interval reaches 0: the fit cannot tell contention from none.
            Some(high) => format!(
                "the USL cannot tell whether there is contention: σ's 95% interval {} includes 0 (its best fit, σ = {:.3} and no coordination cost, has {what} levelling off towards {:.1}×)",
                coefficient_range(0.0, high),
                u.sigma,
                u.max_speedup()
            ),
            None => format!(
                "the USL sees contention ({}) but no coordination cost: {what} levels off towards {:.1}× rather than falling",
                sigma(3),
                u.max_speedup()
            ),
        },
    };
    if fit.usl.as_ref().is_some_and(|u| u.scale_fitted) {
        text.push_str(&format!(
            " (scale fitted: one {} worker predicts {:.2}× the baseline)",
            fit.model, u.scale
        ));
    } else if (u.scale - 1.0).abs() > 1e-12 {
        // Decimals enough that a scale which is not 1 never reads as 1.00× (0.995×).
        let d = crate::stats::places_apart(u.scale.min(1.0), u.scale.max(1.0), 2, 4);
        text.push_str(&format!(
            " (normalised to {} × 1, which runs at {:.d$}× the baseline)",
            fit.model, u.scale
        ));
    }
    text
}

/// Root-mean-square of `(observed − predicted) / observed`.
fn relative_rms(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (y, f) in pairs {
        sum += ((y - f) / y).powi(2);
        n += 1;
    }
    if n == 0 { 0.0 } else { (sum / n as f64).sqrt() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::FitPoint;
    use crate::preset::ModelKind;
    use crate::stats::{AmdahlFit, KarpFlattPoint};

    fn fit(usl: Option<UslFit>, karp_flatt: Vec<KarpFlattPoint>) -> ModelFit {
        ModelFit {
            model: ModelKind::Threads,
            points: vec![
                FitPoint {
                    workers: 1,
                    median_s: 1.0,
                    speedup: Some(1.0),
                    relative_error: None,
                },
                FitPoint {
                    workers: 4,
                    median_s: 0.4,
                    speedup: Some(2.5),
                    relative_error: None,
                },
                FitPoint {
                    workers: 16,
                    median_s: 0.2,
                    speedup: Some(5.0),
                    relative_error: None,
                },
            ],
            fitted_up_to: None,
            quantity: FitQuantity::Speedup,
            baseline: crate::preset::Baseline::Sequential,
            // The sequential baseline took 1 s, as the speedups above say.
            baseline_cell: Some(crate::results::BaselineCell {
                model: Some(ModelKind::Sequential),
                workers: 1,
                time: Some(crate::results::BaselineTime {
                    median_s: 1.0,
                    low_s: 1.0,
                    high_s: 1.0,
                    coverage: 0.95,
                    runs: 6,
                }),
            }),
            amdahl: Some(AmdahlFit {
                serial_fraction: 0.12,
                t1: 1.0,
                r_squared: 0.99,
                serial_fraction_ci: None,
            }),
            usl,
            karp_flatt,
            refused: Vec::new(),
            reading: String::new(),
            caveat: None,
        }
    }

    fn usl(sigma: f64, kappa: f64, peak: Option<usize>) -> UslFit {
        UslFit {
            sigma,
            kappa,
            scale: 1.0,
            scale_fitted: false,
            peak_workers: peak,
            r_squared: 0.98,
            intervals: None,
        }
    }

    #[test]
    fn reading_names_the_peak() {
        let f = fit(Some(usl(0.1, 0.01, Some(9))), Vec::new());
        let text = describe_fit(&f);
        assert!(text.contains("about 12% of this work is serial"), "{text}");
        assert!(text.contains("more than 9 workers will not help"), "{text}");
        assert!(super::super::fits_summary(&[f]).contains("peak 9"));
    }

    #[test]
    fn a_peak_beyond_the_measurements_is_called_an_extrapolation() {
        let text = describe_fit(&fit(Some(usl(0.01, 0.0005, Some(44))), Vec::new()));
        assert!(
            text.contains(
                "still rises at the 16 workers measured; extrapolated, it would peak at about 44"
            ),
            "{text}"
        );
    }

    #[test]
    fn no_gain_is_not_read_with_an_infinite_peak() {
        let mut f = fit(Some(usl(1.3, 0.0, Some(1))), Vec::new());
        f.amdahl = Some(AmdahlFit {
            serial_fraction: 0.9,
            t1: 1.0,
            r_squared: 0.9,
            serial_fraction_ci: None,
        });
        let text = describe_fit(&f);
        assert!(
            text.contains("adding workers only slows this down"),
            "{text}"
        );
        assert!(text.contains("more workers do not help"), "{text}");
        assert!(!text.contains("can exceed"), "{text}");
        let summary = super::super::fits_summary(&[f]);
        assert!(summary.contains("peak 1"), "{summary}");
        assert!(!summary.contains('∞'), "{summary}");
    }

    #[test]
    fn two_worker_counts_promise_no_bound() {
        let mut f = fit(None, Vec::new());
        f.points.remove(1);
        let text = describe_fit(&f);
        assert!(
            text.contains("about 12% of this work looks serial"),
            "{text}"
        );
        assert!(!text.contains("can exceed"), "{text}");
        assert!(text.contains("measure more to test it"), "{text}");
    }

    #[test]
    fn karp_flatt_below_zero_is_explained_not_read_as_growth() {
        // Speedups above N: e = (1/S − 1/N) / (1 − 1/N) < 0.
        let kf = vec![
            KarpFlattPoint {
                workers: 2,
                speedup: 2.6,
                serial_fraction: -0.36,
            },
            KarpFlattPoint {
                workers: 4,
                speedup: 4.1,
                serial_fraction: -0.02,
            },
        ];
        let text = describe_fit(&fit(Some(usl(0.01, 0.0, None)), kf));
        assert!(!text.contains("grows from"), "{text}");
        assert!(
            text.contains("a Karp–Flatt fraction below 0 (e = -0.36 at 2 workers)"),
            "{text}"
        );
    }

    #[test]
    fn karp_flatt_above_one_is_explained() {
        // S = 0.8 on 4 workers: e = (1/0.8 − 1/4) / (3/4) = 1.333.
        let kf = vec![KarpFlattPoint {
            workers: 4,
            speedup: 0.8,
            serial_fraction: 4.0 / 3.0,
        }];
        let text = describe_fit(&fit(Some(usl(1.2, 0.0, Some(1))), kf));
        assert!(
            text.contains(
                "a Karp–Flatt fraction above 1 (e = 1.33 at 4 workers) is not a share of the work"
            ),
            "{text}"
        );
    }

    #[test]
    fn intervals_are_given_in_words() {
        let mut f = fit(Some(usl(0.1, 0.01, Some(9))), Vec::new());
        f.amdahl = Some(AmdahlFit {
            serial_fraction: 0.041,
            t1: 1.0,
            r_squared: 0.99,
            serial_fraction_ci: Some((0.032, 0.050)),
        });
        if let Some(u) = &mut f.usl {
            u.intervals = Some(crate::stats::UslIntervals {
                sigma: (0.08, 0.12),
                kappa: (0.008, 0.012),
                peak_workers: Some((7, Some(12))),
            });
        }
        let text = describe_fit(&f);
        // 1/0.05 = 20, 1/0.032 = 31.25.
        assert!(
            text.contains(
                "about 4.1% of this work is serial (Amdahl; 95% CI 3.2–5.0%), so no number of workers can exceed about 24× speedup over sequential × 1 (20–31×)"
            ),
            "{text}"
        );
        assert!(
            text.contains("peaks at about 9 workers (3.6×) (95% CI 7–12 workers): more than 9"),
            "{text}"
        );
        // Almost none, and known to be under 1%: said so, with the interval.
        let a = f.amdahl.as_mut().unwrap();
        (a.serial_fraction, a.serial_fraction_ci) = (0.002, Some((0.0, 0.004)));
        assert!(
            describe_fit(&f)
                .contains("almost none of this work is serial (Amdahl; 95% CI 0.0–0.4%)"),
            "{}",
            describe_fit(&f)
        );
    }

    #[test]
    fn an_interval_from_zero_reads_as_an_upper_bound() {
        let mut f = fit(None, Vec::new());
        let a = f.amdahl.as_mut().unwrap();
        (a.serial_fraction, a.serial_fraction_ci) = (0.004, Some((0.0, 0.02)));
        let text = describe_fit(&f);
        assert!(
            text.contains(
                "at most about 2.0% of this work is serial (Amdahl; 95% CI 0–2.0%), so its bound on the speedup over sequential × 1 is no lower than about 50×"
            ),
            "{text}"
        );
        assert!(!text.contains("0.4%"), "{text}");
    }

    #[test]
    fn an_interval_wider_than_its_value_is_called_poorly_determined() {
        let mut f = fit(Some(usl(0.1, 0.01, Some(9))), Vec::new());
        f.amdahl.as_mut().unwrap().serial_fraction_ci = Some((0.01, 0.30));
        if let Some(u) = &mut f.usl {
            u.intervals = Some(crate::stats::UslIntervals {
                sigma: (0.0, 0.4),
                kappa: (0.0, 0.05),
                peak_workers: Some((3, None)),
            });
        }
        let text = describe_fit(&f);
        assert!(
            text.contains(
                "the serial share of this work is poorly determined: Amdahl's law puts it anywhere between 1.0% and 30% (95% CI), and so the most any number of workers can reach lies anywhere between 3.3× and 100× speedup"
            ),
            "{text}"
        );
        assert!(
            !text.contains("about 12%"),
            "no precise-looking figure: {text}"
        );
        assert!(!text.contains("can exceed"), "{text}");
        assert!(
            text.contains("cannot place it: anywhere from 3 workers up, or no peak at all"),
            "{text}"
        );
        // A peak known to 5–40 workers is no better.
        if let Some(i) = f.usl.as_mut().and_then(|u| u.intervals.as_mut()) {
            i.peak_workers = Some((5, Some(40)));
        }
        assert!(
            describe_fit(&f).contains("anywhere between 5 and 40 workers (95% CI)"),
            "{}",
            describe_fit(&f)
        );
        // σ named in words: poorly determined, with its range.
        let mut g = fit(Some(usl(0.1, 0.0, None)), Vec::new());
        if let Some(u) = &mut g.usl {
            u.intervals = Some(crate::stats::UslIntervals {
                sigma: (0.0, 0.25),
                kappa: (0.0, 0.0),
                peak_workers: None,
            });
        }
        // σ's interval 0–0.25 includes 0: no contention is claimed, the range is given.
        let text = describe_fit(&g);
        assert!(
            text.contains(
                "the USL cannot tell whether there is contention: σ's 95% interval 0–0.25 includes 0 (its best fit, σ = 0.100 and no coordination cost, has speedup levelling off towards 10.0×)"
            ),
            "{text}"
        );
        assert!(!text.contains("sees contention"), "{text}");
        // Clear of 0 but wider than σ itself: contention, poorly determined.
        if let Some(i) = g.usl.as_mut().and_then(|u| u.intervals.as_mut()) {
            i.sigma = (0.02, 0.25);
        }
        let text = describe_fit(&g);
        assert!(
            text.contains("the USL sees contention (σ poorly determined, 95% CI 0.02–0.25)"),
            "{text}"
        );
    }

    #[test]
    fn contention_is_claimed_only_where_sigmas_interval_is_clear_of_zero() {
        let reading = |sigma: f64, interval: (f64, f64)| {
            let mut f = fit(Some(usl(sigma, 0.0, None)), Vec::new());
            if let Some(u) = &mut f.usl {
                u.intervals = Some(crate::stats::UslIntervals {
                    sigma: interval,
                    kappa: (0.0, 0.0019),
                    peak_workers: None,
                });
            }
            describe_fit(&f)
        };
        // Well determined and clear of 0: contention, with σ and its interval.
        let text = reading(0.0625, (0.0552, 0.0637));
        assert!(
            text.contains("the USL sees contention (σ = 0.062, 95% CI 0.0552–0.0637) but no coordination cost: speedup levels off towards 16.0× rather than falling"),
            "{text}"
        );
        // A precise-looking σ whose interval still reaches 0: undecided.
        let text = reading(0.05, (0.0, 0.06));
        assert!(
            text.contains("the USL cannot tell whether there is contention: σ's 95% interval 0–0.060 includes 0"),
            "{text}"
        );
        assert!(!text.contains("sees contention"), "{text}");
        // No contention in the best fit, but the interval leaves room for it.
        let text = reading(0.0, (0.0, 0.2));
        assert!(
            text.contains("the USL's best fit has neither contention nor coordination cost up to 16 workers, though σ's 95% interval 0–0.20 leaves room for contention"),
            "{text}"
        );
        assert!(!text.contains("sees neither"), "{text}");
        // None in the best fit and none worth naming in the interval (at most 15 × 0.003 =
        // 4.5% at the 16 workers measured): said plainly.
        let text = reading(0.0, (0.0, 0.003));
        assert!(
            text.contains("the USL sees neither contention nor coordination cost up to 16 workers"),
            "{text}"
        );
        // Without intervals (too few points to bootstrap), the point estimate as before.
        let text = describe_fit(&fit(Some(usl(0.0625, 0.0, None)), Vec::new()));
        assert!(
            text.contains("the USL sees contention (σ = 0.062)"),
            "{text}"
        );
    }
}
