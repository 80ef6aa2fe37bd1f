//! The "Fits" tab: Amdahl, USL and Karp–Flatt per model, with a plain-language reading.
//!
//! Fitting is cheap but not free; [`FitsCache`] refits only when the shown results change.

use eframe::egui::{self, RichText};

use super::results_key::ResultsKey;
use super::style::model_color_dark_aware;
use crate::analysis::{
    FitQuantity, ModelFit, coefficient_range, coefficient_too_wide, fit_results, percent,
    percent_range, share_too_wide, speedup_range, too_wide, workers_range,
};
use crate::results::ResultsFile;

/// The help texts live in [`super::style::help`] (one style module for colours and texts).
pub use super::style::help;

/// The fits of the shown results, recomputed only when they change.
#[derive(Default)]
pub struct FitsCache {
    /// The version of the results the fits are of (the one key every per-results cache reads).
    key: Option<ResultsKey>,
    fits: Vec<ModelFit>,
    /// How many times the fits were computed (for tests: not every frame).
    pub computed: usize,
}

impl FitsCache {
    /// The fits of `results` (empty without results).
    pub fn get(&mut self, results: Option<&ResultsFile>) -> &[ModelFit] {
        let Some(results) = results else {
            self.key = None;
            self.fits.clear();
            return &self.fits;
        };
        let key = ResultsKey::of(results);
        if self.key.as_ref() != Some(&key) {
            self.fits = fit_results(results);
            self.key = Some(key);
            self.computed += 1;
        }
        &self.fits
    }

    /// The last computed fits.
    pub fn fits(&self) -> &[ModelFit] {
        &self.fits
    }
}

/// What the ranges next to the fitted figures are.
const INTERVAL_HELP: &str = "The 95% interval of this figure. Each measured point weighs in the fit by how precisely its median was measured (the inverse variance from its own 95% interval; a cell with few runs or a wide interval pulls less). The interval comes from refitting hundreds of synthetic sweeps drawn within the points' intervals (a parametric bootstrap, always with the same seed), widened when the points scatter more than their intervals say. \"poorly determined\": the interval is wider than the value itself, so the value means little.";

/// How sure a fitted figure is, as the Fits tab writes it under the figure.
enum Sureness {
    /// Its 95% interval, e.g. "3.2–5.0%".
    Interval(String),
    /// Only one end says something, e.g. "at most 2.0%", "50× or more": the figure greyed.
    Bound(String),
    /// The interval (given on hover) is wider than the value: the figure greyed, "poorly
    /// determined" under it.
    Poor(String),
}

/// A fitted figure with how sure it is in small weak text under it (under, not beside: the
/// table stays as narrow as before); `greyed`: drawn weak whatever its interval (a figure the
/// data did not test).
fn figure_with_interval(
    ui: &mut egui::Ui,
    text: String,
    help: &str,
    sureness: Option<Sureness>,
    greyed: bool,
) {
    ui.vertical(|ui| {
        ui.spacing_mut().item_spacing.y = 0.0;
        ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Extend);
        let small = |ui: &mut egui::Ui, text: String, hover: String| {
            ui.label(RichText::new(text).small().weak())
                .on_hover_text(hover);
        };
        match sureness {
            Some(Sureness::Poor(range)) => {
                ui.weak(text).on_hover_text(help);
                small(
                    ui,
                    "poorly determined".into(),
                    format!("95% interval: {range}.\n\n{INTERVAL_HELP}"),
                );
            }
            Some(Sureness::Bound(bound)) => {
                ui.weak(text).on_hover_text(help);
                small(ui, bound, INTERVAL_HELP.into());
            }
            Some(Sureness::Interval(range)) => {
                plain_or_weak(ui, text, greyed).on_hover_text(help);
                small(ui, range, INTERVAL_HELP.into());
            }
            None => {
                plain_or_weak(ui, text, greyed).on_hover_text(help);
            }
        }
    });
}

fn plain_or_weak(ui: &mut egui::Ui, text: String, weak: bool) -> egui::Response {
    if weak { ui.weak(text) } else { ui.label(text) }
}

/// The serial share and the speedup bound of Amdahl's fit `a`, each with the interval the
/// reading below the table gives ([`crate::analysis::describe_fit`] words the same cases):
/// the range, "at most …" and "… or more" where it starts at zero, "poorly determined" where
/// it is wider than the figure. A fit from two worker counts (`exact`) passes through them
/// whatever the work does: its figures are greyed and marked "(2 points)", and its bound
/// gets an interval only where the reading gives one (a one-sided or poorly determined
/// share): from two points it promises no bound.
fn amdahl_cells(
    ui: &mut egui::Ui,
    a: &crate::stats::AmdahlFit,
    bound: Option<&crate::analysis::SpeedupBound>,
    bound_text: String,
    exact: bool,
) {
    let mark = |text: String| {
        if exact {
            format!("{text} (2 points)")
        } else {
            text
        }
    };
    let help_of = |help: &str| {
        if exact {
            format!("{help}\n\n{}", help::TWO_POINTS)
        } else {
            help.to_string()
        }
    };
    let ci = a.serial_fraction_ci;
    let vague = ci.is_some_and(|(lo, hi)| share_too_wide(a.serial_fraction, lo, hi));
    // An interval from 0 bounds s (and 1/s) from one side only.
    let from_zero = vague && ci.is_some_and(|(lo, _)| lo <= 0.0);
    figure_with_interval(
        ui,
        mark(format!("{:.1} %", a.serial_fraction * 100.0)),
        &help_of(help::SERIAL),
        ci.map(|(lo, hi)| {
            if from_zero {
                Sureness::Bound(format!("at most {}", percent(hi * 100.0)))
            } else {
                sureness(percent_range(lo, hi), vague)
            }
        }),
        exact,
    );
    let bound_interval = bound
        .and_then(|b| b.ci)
        .filter(|_| !exact || vague)
        .map(|(lo, hi)| {
            if from_zero {
                Sureness::Bound(speedup_range(lo, hi))
            } else {
                sureness(speedup_range(lo, hi), vague)
            }
        });
    figure_with_interval(
        ui,
        mark(bound_text),
        &help_of(help::MAX_SPEEDUP),
        bound_interval,
        exact,
    );
}

/// The sureness of a figure with interval `range`, judged `vague`.
fn sureness(range: String, vague: bool) -> Sureness {
    if vague {
        Sureness::Poor(range)
    } else {
        Sureness::Interval(range)
    }
}

/// A coefficient's interval for [`figure_with_interval`].
fn coefficient_interval(value: f64, ci: Option<(f64, f64)>) -> Option<Sureness> {
    ci.map(|(lo, hi)| {
        sureness(
            coefficient_range(lo, hi),
            coefficient_too_wide(value, lo, hi),
        )
    })
}

/// Amdahl's bound as shown: `1.50×`, `24.0×` or `none (s = 0)`, over the baseline the
/// column header names; over another time only where the baseline's is unknown, and then
/// it says which.
fn max_speedup_text(bound: &crate::analysis::SpeedupBound, baseline: &str) -> String {
    if bound.over == baseline {
        bound.text()
    } else {
        format!("{} over {}", bound.text(), bound.over)
    }
}

/// The header of the bound's column: the baseline every measured speedup is over.
fn max_speedup_header(fits: &[ModelFit]) -> String {
    match fits.first().map(|f| f.baseline) {
        Some(crate::preset::Baseline::SameModelOneWorker) => {
            "max speedup (over its own × 1)".to_string()
        }
        _ => format!(
            "max speedup (over {})",
            fits.first().map_or(String::new(), ModelFit::baseline_name)
        ),
    }
}

fn header(ui: &mut egui::Ui, text: &str, tip: &str) {
    ui.label(RichText::new(text).strong()).on_hover_text(tip);
}

/// Draws the fits of every model.
pub fn show(ui: &mut egui::Ui, results: Option<&ResultsFile>, fits: &[ModelFit]) {
    if results.is_none() {
        ui.weak("No results yet: press Run, or open a results file.");
        return;
    }
    ui.horizontal_wrapped(|ui| {
        ui.label("Scaling laws fitted to each model's measurements.");
        super::help_mark::help_mark_text(
            ui,
            "(?) what are these",
            "What the fitted scaling laws are",
            help::FITS,
        );
    });
    if fits.is_empty() {
        ui.weak("No multi-worker model has measurements to fit yet.");
        return;
    }
    ui.separator();
    let muted = ui.visuals().weak_text_color();
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            // The table scrolls sideways in a window too narrow for its columns (zoomed in),
            // so that it does not widen the panel: the paragraphs below wrap to the visible
            // width (they ran off the right edge, cut mid-word).
            egui::ScrollArea::horizontal()
                .id_salt("fits-grid-columns")
                // A bar in view says that there are more columns to the right.
                .scroll_bar_visibility(egui::scroll_area::ScrollBarVisibility::AlwaysVisible)
                .show(ui, |ui| {
            egui::Grid::new("fits-grid")
                .striped(true)
                .num_columns(8)
                .spacing([16.0, 4.0])
                .show(ui, |ui| {
                    header(ui, "model", "One execution model's curve.");
                    header(ui, "serial s", help::SERIAL);
                    header(ui, &max_speedup_header(fits), help::MAX_SPEEDUP);
                    header(ui, "USL σ", help::SIGMA);
                    header(ui, "USL κ", help::KAPPA);
                    header(ui, "peak N*", help::PEAK);
                    header(ui, "USL scale", help::SCALE);
                    header(ui, "R² (Amdahl / USL)", help::R2);
                    ui.end_row();
                    for fit in fits {
                        ui.label(RichText::new(fit.model.id()).color(model_color_dark_aware(
                            fit.model,
                            ui.visuals().dark_mode,
                        )))
                            .on_hover_text(fit.model.explanation());
                        // Two worker counts fit any law exactly (or, clamped, not at all):
                        // the figures are not tested by the data, so they are greyed and say so.
                        let test = fit.amdahl_test();
                        let exact = fit.is_exact();
                        let baseline = fit.baseline_name();
                        let bound = fit.max_speedup();
                        let bound_text = bound
                            .as_ref()
                            .map_or("—".to_string(), |b| max_speedup_text(b, &baseline));
                        match &fit.amdahl {
                            Some(a) => amdahl_cells(ui, a, bound.as_ref(), bound_text, exact),
                            None => {
                                ui.weak("—");
                                ui.weak("—");
                            }
                        }
                        match &fit.usl {
                            Some(u) => {
                                let iv = u.intervals.as_ref();
                                figure_with_interval(
                                    ui,
                                    format!("{:.4}", u.sigma),
                                    help::SIGMA,
                                    coefficient_interval(u.sigma, iv.map(|i| i.sigma)),
                                    false,
                                );
                                figure_with_interval(
                                    ui,
                                    format!("{:.5}", u.kappa + 0.0),
                                    help::KAPPA,
                                    coefficient_interval(u.kappa, iv.map(|i| i.kappa)),
                                    false,
                                );
                                let peak_interval = u.peak_workers.and_then(|p| {
                                    let (lo, hi) = iv?.peak_workers?;
                                    let vague = too_wide(p as f64, lo as f64, hi.map(|h| h as f64));
                                    Some(sureness(workers_range(lo, hi), vague))
                                });
                                figure_with_interval(
                                    ui,
                                    u.peak_workers
                                        .map_or("none".to_string(), |p| p.to_string()),
                                    help::PEAK,
                                    peak_interval,
                                    false,
                                );
                                ui.label(if u.scale_fitted {
                                    format!("{:.3} (fitted)", u.scale)
                                } else if (u.scale - 1.0).abs() > 1e-12 {
                                    format!("{:.3} (own 1 worker)", u.scale)
                                } else {
                                    "1".to_string()
                                })
                                .on_hover_text(help::SCALE);
                            }
                            None => {
                                for _ in 0..4 {
                                    ui.weak("—");
                                }
                            }
                        }
                        let r2 =
                            |v: Option<f64>| v.map_or("—".to_string(), |v| format!("{v:.3}"));
                        if let Some(words) = test.and_then(|t| t.short_words()) {
                            ui.weak(format!("— ({words})")).on_hover_text(help::TWO_POINTS);
                        } else if exact {
                            // Fewer than two: nothing was fitted, nothing to test.
                            ui.weak(format!(
                                "— ({}: nothing fitted)",
                                crate::words::count(fit.fitted_points().count(), "point")
                            ))
                            .on_hover_text(help::R2);
                        } else {
                            ui.label(format!(
                                "{} / {}",
                                r2(fit.amdahl.as_ref().map(|a| a.r_squared)),
                                r2(fit.usl.as_ref().map(|u| u.r_squared))
                            ))
                            .on_hover_text(help::R2);
                        }
                        ui.end_row();
                    }
                });
                });
            ui.add_space(8.0);
            for fit in fits {
                ui.separator();
                ui.label(
                    RichText::new(fit.model.id())
                        .strong()
                        .color(model_color_dark_aware(fit.model, ui.visuals().dark_mode)),
                );
                ui.add(egui::Label::new(&fit.reading).wrap())
                    .on_hover_text(help::READING);
                // Only where a law was fitted (nothing is drawn otherwise).
                if let Some((lo, hi)) = fit
                    .fitted_range()
                    .filter(|_| fit.amdahl.is_some() || fit.usl.is_some())
                {
                    let on = match fit.quantity {
                        FitQuantity::Speedup => "speedup",
                        FitQuantity::Throughput => "throughput (weak scaling)",
                    };
                    let within = if fit.fitted_up_to.is_some() {
                        " (within the logical cores)"
                    } else {
                        ""
                    };
                    ui.weak(format!(
                        "Fitted on {on}, {lo}–{hi} workers{within}; the curves are drawn over this range only."
                    ));
                }
                if let Some(caveat) = &fit.caveat {
                    let warn = ui.visuals().warn_fg_color;
                    ui.add(
                        egui::Label::new(
                            RichText::new(format!("Read with care: {caveat}")).color(warn),
                        )
                        .wrap(),
                    );
                }
                if !fit.karp_flatt.is_empty() {
                    ui.horizontal_wrapped(|ui| {
                        ui.label("Karp–Flatt e(N):").on_hover_text(help::KARP_FLATT);
                        for p in &fit.karp_flatt {
                            ui.monospace(format!("N={} e={:.3}", p.workers, p.serial_fraction))
                                .on_hover_text(format!(
                                    "measured speedup {:.2}× over {} × 1 on {} workers",
                                    p.speedup, fit.model, p.workers
                                ));
                        }
                    });
                }
                for reason in &fit.refused {
                    ui.add(egui::Label::new(RichText::new(reason).color(muted).italics()).wrap());
                }
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;
    use crate::results::{CellResult, Sample};

    fn results(t2: f64) -> ResultsFile {
        let mut r = ResultsFile::default();
        for (model, workers, t) in [
            (ModelKind::Sequential, 1, 2.0),
            (ModelKind::Threads, 1, 2.0),
            (ModelKind::Threads, 2, t2),
            (ModelKind::Threads, 4, t2 * 0.7),
        ] {
            r.cells.push(CellResult {
                model: Some(model),
                workers,
                samples: vec![Sample {
                    wall_s: t,
                    cpu_s: t,
                    ..Sample::default()
                }],
                ..CellResult::default()
            });
        }
        r.recompute();
        r
    }

    /// The threads fit of a sweep at 1 and 2 workers (2 s, then 1.5 s: half serial), its
    /// share's 95% interval set to `ci` and its reading worded again from it.
    fn two_point_fit(ci: (f64, f64)) -> (ResultsFile, Vec<ModelFit>) {
        let mut r = results(1.5);
        r.cells.retain(|c| c.workers <= 2);
        r.recompute();
        let mut fits = fit_results(&r);
        fits.retain(|f| f.model == ModelKind::Threads);
        let f = &mut fits[0];
        assert!(f.is_exact());
        f.amdahl.as_mut().unwrap().serial_fraction_ci = Some(ci);
        f.reading = crate::analysis::describe_fit(f);
        (r, fits)
    }

    /// The labels the Fits tab draws for `fits`.
    fn drawn_labels(r: ResultsFile, fits: Vec<ModelFit>) -> Vec<String> {
        use egui_kittest::kittest::{NodeT, Queryable};
        let mut h = egui_kittest::Harness::new_ui(move |ui| show(ui, Some(&r), &fits));
        h.run();
        h.query_all(egui_kittest::kittest::by())
            // A label's text is its node's value (AccessKit), a button's its label.
            .filter_map(|n| {
                let node = n.accesskit_node();
                node.value().or_else(|| node.label())
            })
            .collect()
    }

    /// From two worker counts the table gives the same interval as the reading beside it: an
    /// interval from zero as "at most …" and the bound as "… or more" (the reading's "no lower
    /// than about …"), not the bare point values alone.
    #[test]
    fn a_two_point_fit_shows_in_the_table_the_bounds_the_reading_gives() {
        let (r, fits) = two_point_fit((0.0, 1.0));
        let reading = fits[0].reading.clone();
        assert!(
            reading.contains("at most about 100% of this work is serial (Amdahl; 95% CI 0–100%)"),
            "{reading}"
        );
        assert!(reading.contains("no lower than about 1.0×"), "{reading}");
        let labels = drawn_labels(r, fits);
        for shown in ["50.0 % (2 points)", "at most 100%", "1.0× or more"] {
            assert!(labels.iter().any(|l| l == shown), "{shown}: {labels:?}");
        }
        // An interval that says something: the share's range under it, as the reading says,
        // and no bound on the speedup, which the reading does not promise from two points.
        let (r, fits) = two_point_fit((0.45, 0.55));
        let reading = fits[0].reading.clone();
        let range = percent_range(0.45, 0.55);
        assert!(
            reading.contains(&format!("looks serial (Amdahl; 95% CI {range})")),
            "{reading}"
        );
        assert!(!reading.contains("exceed"), "{reading}");
        let labels = drawn_labels(r, fits);
        assert!(labels.contains(&range), "{range}: {labels:?}");
        assert!(
            !labels.iter().any(|l| l.ends_with("×") && l.contains('–')),
            "{labels:?}"
        );
    }

    #[test]
    fn refits_only_when_the_numbers_change() {
        let mut cache = FitsCache::default();
        let a = results(1.1);
        let first = cache.get(Some(&a)).to_vec();
        cache.get(Some(&a));
        assert_eq!(cache.computed, 1);
        // Same shape, other numbers (another file): refitted.
        let b = results(1.5);
        let second = cache.get(Some(&b)).to_vec();
        assert_eq!(cache.computed, 2);
        assert_ne!(first, second);
        assert!(cache.get(None).is_empty());
    }
}
