//! Fits of every model of a results file, with a plain-language reading for the GUI, the
//! report and the command line.

use serde::{Deserialize, Serialize};

use super::amdahl::{AmdahlFit, fit_amdahl};
use super::karp_flatt::{KarpFlattPoint, karp_flatt_series};
use super::usl::{UslFit, fit_usl};
use crate::preset::{ModelKind, TaskKind};
use crate::results::{CellStatus, ResultsFile};

/// Below this R² a reading warns that the curve does not describe the data well (unless the
/// fit is within 5% of every value anyway).
pub const POOR_FIT_R2: f64 = 0.8;

/// Everything fitted to one model's curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFit {
    pub model: ModelKind,
    /// `(workers, median wall time s, median speedup)` of the usable cells, by worker count.
    pub points: Vec<FitPoint>,
    /// Amdahl's law on the median wall times, when it could be fitted.
    pub amdahl: Option<AmdahlFit>,
    /// The Universal Scalability Law on the median speedups, when it could be fitted.
    pub usl: Option<UslFit>,
    /// Karp–Flatt serial fraction at each worker count above 1.
    pub karp_flatt: Vec<KarpFlattPoint>,
    /// Why a fit was refused, one sentence each.
    pub refused: Vec<String>,
    /// A plain-language summary, see [`describe_fit`].
    pub reading: String,
    /// A warning that the fits may mislead: compute-bound work measured past the core count.
    #[serde(default)]
    pub caveat: Option<String>,
}

/// One cell's numbers as used by the fits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitPoint {
    pub workers: usize,
    pub median_s: f64,
    pub speedup: Option<f64>,
}

/// Fits every multi-worker model of `results` (not `sequential`, which has one point): Amdahl
/// on the cells' median wall times, USL and Karp–Flatt on their median speedups. Only cells
/// with status `ok` count. Models are returned in the order of the experiment (then any others
/// found in the cells).
pub fn fit_results(results: &ResultsFile) -> Vec<ModelFit> {
    let mut models: Vec<ModelKind> = results.experiment.models.clone();
    for m in results.cells.iter().filter_map(|c| c.model) {
        if !models.contains(&m) {
            models.push(m);
        }
    }
    models
        .into_iter()
        .filter(|m| !m.is_single_worker())
        .map(|model| {
            let mut points: Vec<FitPoint> = results
                .cells
                .iter()
                .filter(|c| c.model == Some(model) && c.status == CellStatus::Ok)
                .filter_map(|c| {
                    Some(FitPoint {
                        workers: c.workers,
                        median_s: c.wall.as_ref()?.median,
                        speedup: c.speedup,
                    })
                })
                .collect();
            points.sort_by_key(|p| p.workers);
            let mut fit = fit_points(model, points);
            fit.caveat = beyond_the_cores(results, &fit);
            fit
        })
        .collect()
}

/// For compute-bound work measured past the machine's core count, a sentence saying that the
/// curve flattens there because the cores run out: Amdahl and the USL cannot tell that from
/// serial work or contention in the program.
fn beyond_the_cores(results: &ResultsFile, fit: &ModelFit) -> Option<String> {
    let cores = results.machine.logical_cores;
    let compute_bound = matches!(
        results.experiment.task.kind,
        TaskKind::Cpu | TaskKind::Memory
    );
    let beyond = fit.points.iter().filter(|p| p.workers > cores).count();
    if !compute_bound || cores == 0 || beyond == 0 || fit.points.len() < 2 {
        return None;
    }
    let mut note = format!(
        "{beyond} of the {} measured worker counts exceed this machine's {cores} logical cores, where compute-bound work cannot speed up further; the fits count that hardware limit as serial work or contention in the program.",
        fit.points.len()
    );
    let within: Vec<(usize, f64)> = fit
        .points
        .iter()
        .filter(|p| p.workers <= cores)
        .map(|p| (p.workers, p.median_s))
        .collect();
    if let Ok(a) = fit_amdahl(&within) {
        note.push_str(&format!(
            " On the {} worker counts within the cores alone, Amdahl's law gives {} serial.",
            within.len(),
            percent(a.serial_fraction * 100.0)
        ));
    }
    Some(note)
}

/// Fits one model's points (see [`fit_results`]).
pub fn fit_points(model: ModelKind, points: Vec<FitPoint>) -> ModelFit {
    let times: Vec<(usize, f64)> = points.iter().map(|p| (p.workers, p.median_s)).collect();
    let speedups: Vec<(usize, f64)> = points
        .iter()
        .filter_map(|p| Some((p.workers, p.speedup?)))
        .collect();
    let mut refused = Vec::new();
    let amdahl = fit_amdahl(&times)
        .map_err(|e| refused.push(format!("Amdahl: {e}")))
        .ok();
    let usl = fit_usl(&speedups)
        .map_err(|e| refused.push(format!("USL: {e}")))
        .ok();
    let karp_flatt = karp_flatt_series(&speedups)
        .map_err(|e| refused.push(format!("Karp–Flatt: {e}")))
        .unwrap_or_default();
    let mut fit = ModelFit {
        model,
        points,
        amdahl,
        usl,
        karp_flatt,
        refused,
        reading: String::new(),
        caveat: None,
    };
    fit.reading = describe_fit(&fit);
    fit
}

/// A plain-language reading of a fit, e.g. "about 12% of this work is serial; more than 9
/// workers will not help".
pub fn describe_fit(fit: &ModelFit) -> String {
    let mut parts: Vec<String> = Vec::new();
    let measured_max = fit.points.iter().map(|p| p.workers).max().unwrap_or(0);
    if let Some(a) = &fit.amdahl {
        let pct = a.serial_fraction * 100.0;
        parts.push(if pct < 0.5 {
            "almost none of this work is serial (Amdahl)".to_string()
        } else if pct > 95.0 {
            "almost all of this work runs one worker at a time (Amdahl): more workers do not help"
                .to_string()
        } else {
            format!(
                "about {} of this work is serial (Amdahl), so no number of workers can exceed {:.1}× speedup",
                percent(pct),
                a.max_speedup()
            )
        });
        let rel = relative_rms(
            fit.points
                .iter()
                .map(|p| (p.median_s, a.time(p.workers as f64))),
        );
        if a.r_squared < POOR_FIT_R2 && rel > FLAT_ENOUGH {
            parts.push(format!(
                "Amdahl's law fits poorly (R² {:.2}), read it with care",
                a.r_squared
            ));
        }
    }
    if let Some(u) = &fit.usl {
        match u.peak_workers {
            Some(peak) if peak <= 1 => parts.push(
                "the USL curve peaks at 1 worker: adding workers only slows this down".to_string(),
            ),
            Some(peak) if peak < measured_max => parts.push(format!(
                "the USL curve peaks at about {peak} workers: more than {peak} workers will not help, and the measurements beyond it already pay for it"
            )),
            Some(peak) => parts.push(format!(
                "the USL curve peaks at about {peak} workers: more than {peak} workers will not help"
            )),
            None if u.sigma < 1e-3 => parts.push(
                "the USL sees neither contention nor coordination cost in the measured range"
                    .to_string(),
            ),
            None if u.sigma >= 1.0 => parts.push(format!(
                "the USL sees contention so heavy (σ = {:.2}) that no number of workers beats one",
                u.sigma
            )),
            None => parts.push(format!(
                "the USL sees contention (σ = {:.3}) but no coordination cost: speedup levels off towards {:.1}× rather than falling",
                u.sigma,
                1.0 / u.sigma
            )),
        }
        let rel = relative_rms(
            fit.points
                .iter()
                .filter_map(|p| Some((p.speedup?, u.speedup(p.workers as f64)))),
        );
        if u.r_squared < POOR_FIT_R2 && rel > FLAT_ENOUGH {
            parts.push(format!(
                "the USL fits poorly (R² {:.2}), read it with care",
                u.r_squared
            ));
        }
    }
    if let (Some(first), Some(last)) = (fit.karp_flatt.first(), fit.karp_flatt.last())
        && fit.karp_flatt.len() >= 2
        && last.serial_fraction > first.serial_fraction + 0.05
    {
        parts.push(format!(
            "the Karp–Flatt serial fraction grows from {:.2} to {:.2}: overhead rises with the worker count",
            first.serial_fraction, last.serial_fraction
        ));
    }
    if parts.is_empty() {
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

/// A fit whose root-mean-square error is below this fraction of the values is close enough
/// not to be flagged, even with a low R² (R² is meaningless on flat data: there is no spread
/// to explain).
const FLAT_ENOUGH: f64 = 0.05;

/// Root-mean-square of `(observed − predicted) / observed`.
fn relative_rms(pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for (y, f) in pairs {
        sum += ((y - f) / y).powi(2);
        n += 1;
    }
    if n == 0 { 0.0 } else { (sum / n as f64).sqrt() }
}

fn percent(pct: f64) -> String {
    if pct < 10.0 {
        format!("{pct:.1}%")
    } else {
        format!("{pct:.0}%")
    }
}

/// One line per fitted model, for terminals: parameters, R² and the reading.
pub fn fits_summary(fits: &[ModelFit]) -> String {
    let mut out = String::new();
    for f in fits {
        let amdahl = f.amdahl.as_ref().map_or("Amdahl —".to_string(), |a| {
            format!(
                "Amdahl s = {:.3} (T1 {:.4} s, R² {:.3})",
                a.serial_fraction, a.t1, a.r_squared
            )
        });
        let usl = f.usl.as_ref().map_or("USL —".to_string(), |u| {
            format!(
                "USL σ = {:.4}, κ = {:.5}, peak {} (R² {:.3})",
                u.sigma,
                u.kappa,
                u.peak_workers.map_or("∞".to_string(), |p| p.to_string()),
                u.r_squared
            )
        });
        out.push_str(&format!("{:<12} {amdahl}; {usl}\n", f.model.id()));
        out.push_str(&format!("             {}\n", f.reading));
        if let Some(caveat) = &f.caveat {
            out.push_str(&format!("             Read with care: {caveat}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::Experiment;
    use crate::results::{CellResult, Sample};

    fn cell(model: ModelKind, workers: usize, wall: f64) -> CellResult {
        CellResult {
            model: Some(model),
            workers,
            samples: vec![Sample {
                wall_s: wall,
                ..Sample::default()
            }],
            ..CellResult::default()
        }
    }

    fn amdahl_results(s: f64) -> ResultsFile {
        let mut r = ResultsFile {
            experiment: Experiment {
                workers: vec![1, 2, 4, 8],
                models: vec![ModelKind::Sequential, ModelKind::Threads],
                ..Experiment::default()
            },
            ..ResultsFile::default()
        };
        r.cells.push(cell(ModelKind::Sequential, 1, 8.0));
        for n in [1usize, 2, 4, 8] {
            r.cells.push(cell(
                ModelKind::Threads,
                n,
                8.0 * (s + (1.0 - s) / n as f64),
            ));
        }
        r.recompute();
        r
    }

    #[test]
    fn fits_past_the_core_count_of_compute_bound_work_say_so() {
        let mut r = amdahl_results(0.05);
        r.machine.logical_cores = 2;
        let fit = &fit_results(&r)[0];
        let reading = fit.caveat.as_deref().unwrap_or_default();
        assert!(
            reading.contains(
                "2 of the 4 measured worker counts exceed this machine's 2 logical cores"
            ),
            "{reading}"
        );
        assert!(
            reading.contains("within the cores alone, Amdahl's law gives 5.0% serial"),
            "{reading}"
        );
        // Enough cores: nothing to say.
        r.machine.logical_cores = 8;
        assert_eq!(fit_results(&r)[0].caveat, None);
        // Waiting is not limited by the cores.
        r.machine.logical_cores = 2;
        r.experiment.task.kind = TaskKind::Io;
        assert_eq!(fit_results(&r)[0].caveat, None);
    }

    #[test]
    fn fits_each_multi_worker_model_of_a_results_file() {
        let fits = fit_results(&amdahl_results(0.12));
        assert_eq!(fits.len(), 1, "sequential is not fitted");
        let f = &fits[0];
        assert_eq!(f.model, ModelKind::Threads);
        let a = f.amdahl.as_ref().unwrap();
        assert!((a.serial_fraction - 0.12).abs() < 1e-9);
        let u = f.usl.as_ref().unwrap();
        assert!(u.r_squared > 0.99, "{u:?}");
        assert_eq!(f.karp_flatt.len(), 3);
        assert!(f.refused.is_empty());
        assert!(
            f.reading
                .starts_with("threads: about 12% of this work is serial"),
            "{}",
            f.reading
        );
        let json = serde_json::to_string(&fits).unwrap();
        assert!(json.contains("\"serial_fraction\""));
    }

    #[test]
    fn too_few_points_are_refused_with_a_reason() {
        let mut r = amdahl_results(0.1);
        r.cells.retain(|c| c.workers <= 2);
        r.recompute();
        let f = &fit_results(&r)[0];
        assert!(f.amdahl.is_some());
        assert!(f.usl.is_none());
        assert_eq!(f.refused.len(), 1);
        assert!(
            f.refused[0].contains("at least 3 distinct worker counts"),
            "{:?}",
            f.refused
        );
    }

    #[test]
    fn flat_data_is_not_called_a_poor_fit() {
        let mut r = amdahl_results(0.0);
        for c in &mut r.cells {
            if c.model == Some(ModelKind::Threads) {
                let wobble = [1.0, 1.02, 0.99, 1.01][c.workers.trailing_zeros() as usize];
                c.samples[0].wall_s = 8.0 * wobble;
            }
        }
        r.recompute();
        let f = &fit_results(&r)[0];
        assert!(f.amdahl.as_ref().unwrap().serial_fraction > 0.95, "{f:?}");
        assert!(
            f.reading.contains("more workers do not help"),
            "{}",
            f.reading
        );
        assert!(!f.reading.contains("poorly"), "{}", f.reading);
    }

    #[test]
    fn reading_names_the_peak() {
        let fit = ModelFit {
            model: ModelKind::Threads,
            points: vec![FitPoint {
                workers: 16,
                median_s: 1.0,
                speedup: Some(5.0),
            }],
            amdahl: Some(AmdahlFit {
                serial_fraction: 0.12,
                t1: 1.0,
                r_squared: 0.99,
            }),
            usl: Some(UslFit {
                sigma: 0.1,
                kappa: 0.01,
                peak_workers: Some(9),
                r_squared: 0.98,
            }),
            karp_flatt: Vec::new(),
            refused: Vec::new(),
            reading: String::new(),
            caveat: None,
        };
        let text = describe_fit(&fit);
        assert!(text.contains("about 12% of this work is serial"), "{text}");
        assert!(text.contains("more than 9 workers will not help"), "{text}");
        assert!(fits_summary(&[fit]).contains("peak 9"));
    }
}
