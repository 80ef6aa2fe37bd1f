//! Which cells of a results file each model is fitted on, and on what quantity.

use serde::{Deserialize, Serialize};

use super::reading::describe_fit;
use crate::preset::{self, ModelKind, TaskKind};
use crate::results::{BaselineCell, CellStatus, ResultsFile};
use crate::stats::{
    self, AmdahlFit, FitError, KarpFlattPoint, UslFit, fit_amdahl_weighted,
    fit_usl_over_one_worker_weighted, fit_usl_scaled_weighted, fit_usl_weighted, karp_flatt_series,
    median_relative_error,
};

/// What the USL of a [`ModelFit`] was fitted to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FitQuantity {
    /// Speedup over the baseline (strong scaling: the same work split among the workers).
    #[default]
    Speedup,
    /// Throughput relative to the baseline's, `workers × speedup` (weak scaling: every
    /// worker brings its own work, as in lock contention). No serial fraction applies.
    Throughput,
}

/// Everything fitted to one model's curve.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelFit {
    pub model: ModelKind,
    /// `(workers, median wall time s, median speedup)` of every usable cell, by worker count.
    pub points: Vec<FitPoint>,
    /// The headline fits use only the points with at most this many workers (the logical
    /// cores, for compute-bound work measured past them); `None`: every point.
    #[serde(default)]
    pub fitted_up_to: Option<usize>,
    /// What the USL was fitted to.
    #[serde(default)]
    pub quantity: FitQuantity,
    /// What the points' speedups are over: every speedup derived from the fits (Amdahl's
    /// bound, the USL's curve and peak) is stated over the same (see [`ModelFit::max_speedup`]).
    #[serde(default)]
    pub baseline: preset::Baseline,
    /// The baseline cell itself, as the results file decided it
    /// ([`ResultsFile::baselines`]): its name and its median. `None` for points fitted
    /// without a results file ([`fit_points`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_cell: Option<BaselineCell>,
    /// Amdahl's law on the median wall times, when it could be fitted (never for throughput).
    pub amdahl: Option<AmdahlFit>,
    /// The Universal Scalability Law on the median speedups or throughputs.
    pub usl: Option<UslFit>,
    /// Karp–Flatt serial fraction at each worker count above 1 (never for throughput).
    pub karp_flatt: Vec<KarpFlattPoint>,
    /// Why a fit was refused or not applied, one sentence each.
    pub refused: Vec<String>,
    /// A plain-language summary, see [`describe_fit`].
    pub reading: String,
    /// A warning that the fits may mislead: compute-bound work measured past the core count
    /// (with the reading of all the points, which the headline leaves out).
    #[serde(default)]
    pub caveat: Option<String>,
}

impl ModelFit {
    /// The points the headline fits used.
    pub fn fitted_points(&self) -> impl Iterator<Item = &FitPoint> {
        let limit = self.fitted_up_to.unwrap_or(usize::MAX);
        self.points.iter().filter(move |p| p.workers <= limit)
    }

    /// The smallest and largest worker counts the headline fits used: a fitted curve is
    /// drawn over this range only, never extrapolated.
    pub fn fitted_range(&self) -> Option<(usize, usize)> {
        let lo = self.fitted_points().map(|p| p.workers).min()?;
        let hi = self.fitted_points().map(|p| p.workers).max()?;
        Some((lo, hi))
    }

    /// What the measured speedups are over, in words, spelled as everywhere else
    /// ([`BaselineCell::name`]): "sequential × 1", or "threads × 1" where every model is its
    /// own baseline.
    pub fn baseline_name(&self) -> String {
        self.baseline_cell
            .unwrap_or_else(|| BaselineCell::by_rule(self.baseline, Some(self.model)))
            .name()
    }

    /// The baseline's median time, seconds: what every point's speedup divides (`speedup =
    /// baseline / median`), as given with the results. `None` where it was not measured, for
    /// points fitted without a results file, and for weak scaling, whose "speedup" is a
    /// throughput.
    pub fn baseline_s(&self) -> Option<f64> {
        if self.quantity != FitQuantity::Speedup {
            return None;
        }
        self.baseline_cell?
            .time
            .map(|t| t.median_s)
            .filter(|b| b.is_finite() && *b > 0.0)
    }

    /// Amdahl's bound on the speedup, over the **same baseline as the measured speedups**
    /// ([`ModelFit::baseline_name`]): `baseline / (s · T1)`, with its 95% interval. Where the
    /// baseline's time is unknown, over the model's own fitted one-worker time (`1/s`), and
    /// `over` says so.
    pub fn max_speedup(&self) -> Option<SpeedupBound> {
        let a = self.amdahl.as_ref()?;
        Some(match self.baseline_s() {
            Some(b) => SpeedupBound {
                value: a.max_speedup_over(b),
                ci: a.max_speedup_ci_over(b),
                over: self.baseline_name(),
            },
            None => SpeedupBound {
                value: a.max_speedup_over(a.t1),
                ci: a.max_speedup_ci_over(a.t1),
                over: format!("the fitted time of {} × 1", self.model.id()),
            },
        })
    }

    /// Whether the fits rest on so few worker counts (two or fewer) that any law passes
    /// through them, whatever the work does: their figures are untested by the data, and no
    /// bound is promised from them. The one rule of "exact on 2 points" for every front end.
    pub fn is_exact(&self) -> bool {
        distinct(self.fitted_points()) <= EXACT_WORKER_COUNTS
    }

    /// Whether the data tested Amdahl's fit (see [`AmdahlTest`]); `None` without one.
    pub fn amdahl_test(&self) -> Option<AmdahlTest> {
        let a = self.amdahl.as_ref()?;
        if !self.is_exact() {
            return Some(AmdahlTest::Tested);
        }
        // Two worker counts: the line `a + b/N` passes through both unless a bound (a, b ≥ 0)
        // held it, at s = 0 or s = 1.
        let misses = self
            .fitted_points()
            .any(|p| ((a.time(p.workers as f64) - p.median_s) / p.median_s).abs() > 1e-9);
        Some(if misses {
            AmdahlTest::Clamped {
                serial_fraction: a.serial_fraction,
            }
        } else {
            AmdahlTest::Exact
        })
    }
}

/// The most worker counts that any of the laws passes through exactly (two: Amdahl's two
/// parameters; the USL is not fitted on so few): see [`ModelFit::is_exact`].
const EXACT_WORKER_COUNTS: usize = stats::AMDAHL_MIN_WORKER_COUNTS;

/// A scaling law fitted to each model's curve: Amdahl's on the wall times, the USL on the
/// speedups (or throughputs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FitLaw {
    Amdahl,
    Usl,
}

impl FitLaw {
    /// The law's name in captions and legends: "Amdahl", "USL".
    pub fn name(self) -> &'static str {
        match self {
            FitLaw::Amdahl => "Amdahl",
            FitLaw::Usl => "USL",
        }
    }

    /// The fewest distinct worker counts the law is fitted on.
    pub fn min_worker_counts(self) -> usize {
        match self {
            FitLaw::Amdahl => stats::AMDAHL_MIN_WORKER_COUNTS,
            FitLaw::Usl => stats::USL_MIN_WORKER_COUNTS,
        }
    }
}

/// Why no model of a results file has a curve of a law to draw (see [`why_no_curve`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoCurve {
    /// The law is not fitted to this work at all: Amdahl's law to weak scaling (lock
    /// contention, where every worker brings its own increments), which has no serial
    /// fraction; its USL is fitted to throughput instead ([`FitQuantity::Throughput`]).
    NotFittedToThisWork,
    /// No model has the worker counts the law needs: `most` is the most any model has (within
    /// the logical cores where `within_cores`: compute-bound work measured past them is fitted
    /// on the counts within them only).
    TooFewWorkerCounts {
        need: usize,
        most: usize,
        within_cores: bool,
    },
    /// There were enough, and the law was fitted, but the fits miss the measured points (a
    /// curve that misses its points is not drawn; the fits' readings say why).
    MissesThePoints,
    /// There were enough, but the fit was refused (values it cannot take, a degenerate
    /// curve): the fits' `refused` sentences say why.
    Refused,
}

/// Why none of `fits` has a curve of `law` (where none is drawn): a law not fitted to this
/// work, too few worker counts, fits that miss their points, or fits that were refused.
pub fn why_no_curve(fits: &[ModelFit], law: FitLaw) -> NoCurve {
    let weak_scaling =
        !fits.is_empty() && fits.iter().all(|f| f.quantity == FitQuantity::Throughput);
    if law == FitLaw::Amdahl && weak_scaling {
        return NoCurve::NotFittedToThisWork;
    }
    let need = law.min_worker_counts();
    let most = fits
        .iter()
        .map(|f| distinct(f.fitted_points()))
        .max()
        .unwrap_or(0);
    let within_cores = fits
        .iter()
        .any(|f| f.fitted_up_to.is_some() && f.fitted_points().count() < f.points.len());
    if most < need {
        return NoCurve::TooFewWorkerCounts {
            need,
            most,
            within_cores,
        };
    }
    let fitted = fits.iter().any(|f| match law {
        FitLaw::Amdahl => f.amdahl.is_some(),
        FitLaw::Usl => f.usl.is_some(),
    });
    match fitted {
        true => NoCurve::MissesThePoints,
        false => NoCurve::Refused,
    }
}

/// Amdahl's bound on the speedup, over `over` (see [`ModelFit::max_speedup`]).
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedupBound {
    pub value: f64,
    /// The 95% interval, from the serial fraction's.
    pub ci: Option<(f64, f64)>,
    /// What the speedup is over, in words: "sequential × 1", "threads × 1", or "the fitted
    /// time of processes × 1" where the baseline's time is unknown.
    pub over: String,
}

impl SpeedupBound {
    /// The bound as shown in tables: "1.50×", "24.0×", or "none (s = 0)" with no serial
    /// part (never "∞", which reads as a measured figure).
    pub fn text(&self) -> String {
        match self.value {
            v if !v.is_finite() => "none (s = 0)".to_string(),
            v if v < 10.0 => format!("{v:.2}×"),
            v => format!("{v:.1}×"),
        }
    }
}

/// Whether the measurements tested an Amdahl fit ([`ModelFit::amdahl_test`]): its R² means
/// something only with three worker counts or more.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AmdahlTest {
    /// Three worker counts or more: the R² says how well the law fits.
    Tested,
    /// Two worker counts, and the line passes through both: any two points fit exactly,
    /// whatever the work does, so an R² of 1 would claim a test that did not happen.
    Exact,
    /// Two worker counts, but the bound `0 ≤ s ≤ 1` held the fit at this serial fraction and
    /// the line misses them (s = 1: more workers were slower; s = 0: faster than N times one).
    Clamped { serial_fraction: f64 },
}

impl AmdahlTest {
    /// What stands in place of R² for an untested fit: "exact on 2 points, untested", or
    /// "clamped to s = 1 on 2 points, untested". `None` for a tested one.
    pub fn untested_words(self) -> Option<String> {
        match self {
            AmdahlTest::Tested => None,
            AmdahlTest::Exact => Some("exact on 2 points, untested".to_string()),
            AmdahlTest::Clamped { serial_fraction } => Some(format!(
                "clamped to s = {serial_fraction:.0} on 2 points (misses both), untested"
            )),
        }
    }

    /// The short note of a table cell: "exact: 2 points", "clamped: 2 points".
    pub fn short_words(self) -> Option<&'static str> {
        match self {
            AmdahlTest::Tested => None,
            AmdahlTest::Exact => Some("exact: 2 points"),
            AmdahlTest::Clamped { .. } => Some("clamped: 2 points"),
        }
    }
}

/// One cell's numbers as used by the fits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FitPoint {
    pub workers: usize,
    pub median_s: f64,
    pub speedup: Option<f64>,
    /// The relative standard error of the median, from its confidence interval
    /// ([`crate::stats::median_relative_error`]): what the point weighs in the fits, as
    /// `1 / (error · value)²`. `None` without an interval (one run); such points are weighed
    /// as the least precise of the others, or at 10% (see [`crate::stats::relative_errors`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relative_error: Option<f64>,
}

/// What the fits need to know about the experiment and the machine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FitContext {
    pub task: TaskKind,
    pub baseline: preset::Baseline,
    /// The machine's logical cores; 0 when unknown.
    pub logical_cores: usize,
}

impl FitContext {
    pub fn of(results: &ResultsFile) -> FitContext {
        FitContext {
            task: results.experiment.task.kind,
            baseline: results.experiment.baseline,
            logical_cores: results.machine.logical_cores,
        }
    }

    fn compute_bound(self) -> bool {
        matches!(self.task, TaskKind::Cpu | TaskKind::Memory)
    }
}

/// Fits every multi-worker model of `results` (not `sequential`, which has one point). Only
/// cells with status `ok` count. Models are returned in the order of the experiment (then any
/// others found in the cells). Linear in the number of cells.
pub fn fit_results(results: &ResultsFile) -> Vec<ModelFit> {
    let mut models: Vec<ModelKind> = results.experiment.models.clone();
    let mut by_model: Vec<(ModelKind, Vec<FitPoint>)> = Vec::new();
    for c in results.cells.iter().filter(|c| c.status == CellStatus::Ok) {
        let Some(model) = c.model else { continue };
        let Some(wall) = &c.wall else { continue };
        let point = FitPoint {
            workers: c.workers,
            median_s: wall.median,
            speedup: c.speedup,
            relative_error: median_relative_error(
                wall.median,
                wall.median_ci_low,
                wall.median_ci_high,
                wall.median_ci_coverage,
            ),
        };
        match by_model.iter_mut().find(|(m, _)| *m == model) {
            Some((_, points)) => points.push(point),
            None => by_model.push((model, vec![point])),
        }
        if !models.contains(&model) {
            models.push(model);
        }
    }
    let context = FitContext::of(results);
    let baselines = results.baselines();
    let busy = results.machine.busyness() == crate::results::Busyness::Busy;
    models
        .into_iter()
        .filter(|m| !m.is_single_worker())
        .map(|model| {
            let mut points = by_model
                .iter_mut()
                .find(|(m, _)| *m == model)
                .map(|(_, p)| std::mem::take(p))
                .unwrap_or_default();
            points.sort_by_key(|p| p.workers);
            let baseline = baselines.of(Some(model));
            let mut fit = fit_points_over(model, points, context, Some(baseline));
            if busy && (fit.amdahl.is_some() || fit.usl.is_some()) {
                fit.caveat = Some(match fit.caveat.take() {
                    Some(c) => format!("{BUSY_FIT_CAVEAT}; {c}"),
                    None => BUSY_FIT_CAVEAT.to_string(),
                });
            }
            fit
        })
        .collect()
}

/// The caveat of every fit of a sweep measured while other programs competed for the cores:
/// their load slows some cells more than others, and a fit reads it as the work's own.
pub const BUSY_FIT_CAVEAT: &str = "the machine was busy during these runs, so the load of other programs may be what this fit reads as serial work, contention or overhead: measure again on a quiet machine before trusting it";

/// Fits one model's points (see [`fit_results`]):
/// - lock contention (every worker brings its own increments) is weak scaling: the USL is
///   fitted to throughput relative to the baseline, and no Amdahl or Karp–Flatt serial
///   fraction is given;
/// - everything else: Amdahl on the median wall times, the USL and Karp–Flatt on the median
///   speedups;
/// - compute-bound work measured past the logical cores is fitted on the worker counts within
///   the cores (when there are at least two); the reading of all the points goes to the
///   caveat;
/// - the USL's scale is fitted when the speedups are over another model's time (the
///   sequential baseline) and there are four worker counts or more; with three, the values
///   are normalised to the model's own one-worker run when it was measured.
pub fn fit_points(model: ModelKind, points: Vec<FitPoint>, context: FitContext) -> ModelFit {
    fit_points_over(model, points, context, None)
}

/// [`fit_points`], with the baseline cell the points' speedups are over (which states Amdahl's
/// bound over the same baseline; see [`ModelFit::max_speedup`]).
pub fn fit_points_over(
    model: ModelKind,
    mut points: Vec<FitPoint>,
    context: FitContext,
    baseline_cell: Option<BaselineCell>,
) -> ModelFit {
    points.sort_by_key(|p| p.workers);
    let quantity = match context.task {
        TaskKind::Contention => FitQuantity::Throughput,
        _ => FitQuantity::Speedup,
    };
    let cores = context.logical_cores;
    let beyond = points.iter().filter(|p| p.workers > cores).count();
    let within = distinct(points.iter().filter(|p| p.workers <= cores));
    let limited = context.compute_bound() && cores > 0 && beyond > 0 && within >= 2;
    let mut fit = fitted(
        model,
        points,
        quantity,
        context,
        limited.then_some(cores),
        baseline_cell,
    );
    if context.compute_bound() && cores > 0 && beyond > 0 && fit.points.len() >= 2 {
        fit.caveat = Some(beyond_the_cores(&fit, beyond, cores, limited, context));
    }
    fit
}

/// How many different worker counts `points` hold.
pub(super) fn distinct<'a>(points: impl Iterator<Item = &'a FitPoint>) -> usize {
    let mut n: Vec<usize> = points.map(|p| p.workers).collect();
    n.sort_unstable();
    n.dedup();
    n.len()
}

fn fitted(
    model: ModelKind,
    points: Vec<FitPoint>,
    quantity: FitQuantity,
    context: FitContext,
    fitted_up_to: Option<usize>,
    baseline_cell: Option<BaselineCell>,
) -> ModelFit {
    let mut fit = ModelFit {
        model,
        points,
        fitted_up_to,
        quantity,
        baseline: context.baseline,
        baseline_cell,
        amdahl: None,
        usl: None,
        karp_flatt: Vec::new(),
        refused: Vec::new(),
        reading: String::new(),
        caveat: None,
    };
    let used: Vec<&FitPoint> = fit.fitted_points().collect();
    let times: Vec<(usize, f64)> = used.iter().map(|p| (p.workers, p.median_s)).collect();
    let time_errors: Vec<Option<f64>> = used.iter().map(|p| p.relative_error).collect();
    let with_speedup: Vec<&&FitPoint> = used.iter().filter(|p| p.speedup.is_some()).collect();
    let speedups: Vec<(usize, f64)> = with_speedup
        .iter()
        .filter_map(|p| Some((p.workers, p.speedup?)))
        .collect();
    // A speedup `B/T` carries its time's relative error (the baseline's is common to all).
    let speedup_errors: Vec<Option<f64>> = with_speedup.iter().map(|p| p.relative_error).collect();
    let mut refused = Vec::new();
    // For weak scaling too: its speedup is already the throughput's (see `results::file::recompute`).
    let usl = fit_usl_on(&speedups, &speedup_errors, context.baseline)
        .map_err(|e| refused.push(format!("USL: {e}")))
        .ok();
    let (amdahl, karp_flatt) = match quantity {
        FitQuantity::Speedup => (
            fit_amdahl_weighted(&times, &time_errors)
                .map_err(|e| refused.push(format!("Amdahl: {e}")))
                .ok(),
            karp_flatt_over_own_one_worker(model, &times)
                .map_err(|e| refused.push(format!("Karp–Flatt: {e}")))
                .unwrap_or_default(),
        ),
        FitQuantity::Throughput => (None, Vec::new()),
    };
    (fit.amdahl, fit.usl, fit.karp_flatt, fit.refused) = (amdahl, usl, karp_flatt, refused);
    fit.reading = describe_fit(&fit);
    fit
}

/// Karp–Flatt on the speedups over the model's **own** one-worker median, `T(1) / T(N)`: the
/// same reference as Amdahl's serial fraction (a share of the model's own one-worker time), so
/// the two agree where the times follow Amdahl's law (on two worker counts, `e(2) = s`
/// exactly). Over the sequential baseline it would also count the model's one-worker overhead
/// (or gain) as serial work. Needs the model's one-worker cell.
fn karp_flatt_over_own_one_worker(
    model: ModelKind,
    times: &[(usize, f64)],
) -> Result<Vec<KarpFlattPoint>, FitError> {
    let Some(&(_, one)) = times.iter().find(|p| p.0 == 1) else {
        return Err(FitError::Degenerate(format!(
            "needs {model} × 1, the time its serial fraction is a share of (as Amdahl's)"
        )));
    };
    let over_one: Vec<(usize, f64)> = times
        .iter()
        .map(|&(n, t)| (n, stats::speedup(one, t).unwrap_or(f64::NAN)))
        .collect();
    karp_flatt_series(&over_one)
}

/// The USL on `(workers, value)`, each weighted by its relative error (`errors`), with the
/// scale as [`fit_points`] says.
fn fit_usl_on(
    values: &[(usize, f64)],
    errors: &[Option<f64>],
    baseline: preset::Baseline,
) -> Result<UslFit, FitError> {
    if baseline == preset::Baseline::SameModelOneWorker {
        // Already relative to the model's own one worker: S(1) = 1 by definition, and that
        // one-worker run's error is in every value (the bootstrap carries it).
        return fit_usl_over_one_worker_weighted(values, errors);
    }
    if distinct_counts(values) >= 4 {
        return fit_usl_scaled_weighted(values, errors);
    }
    let own = values.iter().find(|p| p.0 == 1).map(|p| p.1);
    match own {
        Some(one) if one > 0.0 && one.is_finite() => {
            let normalised: Vec<(usize, f64)> = values.iter().map(|&(n, v)| (n, v / one)).collect();
            // Relative errors are the same after dividing every value by one number; that
            // number's own error is in every value (the bootstrap carries it).
            let mut fit = fit_usl_over_one_worker_weighted(&normalised, errors)?;
            // Drawn and read in the baseline's terms: the model's own one-worker value.
            fit.scale = one;
            Ok(fit)
        }
        _ => fit_usl_weighted(values, errors),
    }
}

fn distinct_counts(values: &[(usize, f64)]) -> usize {
    let mut n: Vec<usize> = values.iter().map(|p| p.0).collect();
    n.sort_unstable();
    n.dedup();
    n.len()
}

/// The caveat of compute-bound work measured past the machine's logical cores: the curve
/// flattens there because the cores run out, which Amdahl and the USL cannot tell from
/// serial work or contention in the program. With the reading of all the points when the
/// headline left them out.
fn beyond_the_cores(
    fit: &ModelFit,
    beyond: usize,
    cores: usize,
    limited: bool,
    context: FitContext,
) -> String {
    let total = fit.points.len();
    let cores = if cores == 1 {
        "1 logical core".to_string()
    } else {
        format!("{cores} logical cores")
    };
    let mut note = format!(
        "{beyond} of the {total} measured worker counts exceed this machine's {cores}, where compute-bound work cannot speed up further; fits over them count that hardware limit as serial work or contention in the program."
    );
    if limited {
        let all = fitted(
            fit.model,
            fit.points.clone(),
            fit.quantity,
            context,
            None,
            fit.baseline_cell,
        );
        let reading = all
            .reading
            .strip_prefix(&format!("{}: ", fit.model))
            .unwrap_or(&all.reading)
            .to_string();
        note.push_str(&format!(
            " The reading above uses the worker counts within the cores only; over all {total} counts: {reading}"
        ));
    } else {
        note.push_str(" Fewer than two worker counts lie within the cores, so the reading above uses them all.");
    }
    note
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::percent;
    use crate::preset::Experiment;
    use crate::results::{CellResult, Sample};

    fn cell(model: ModelKind, workers: usize, wall: f64) -> CellResult {
        CellResult::with_walls(model, workers, &[wall])
    }

    /// Threads following Amdahl's law with serial fraction `s` (times written out by hand).
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
    fn compute_bound_work_past_the_cores_is_headlined_within_them() {
        // 1 and 2 workers follow 2% serial; 4 and 8 workers on 2 cores stay at the 2-worker
        // time, as compute-bound work does when the cores run out.
        let s = 0.02;
        let mut r = amdahl_results(s);
        let two = 8.0 * (s + (1.0 - s) / 2.0);
        for c in &mut r.cells {
            if c.workers > 2 {
                c.samples[0].wall_s = two;
            }
        }
        r.recompute();
        r.machine.logical_cores = 2;
        let fit = &fit_results(&r)[0];
        assert_eq!(fit.fitted_up_to, Some(2));
        assert_eq!(fit.fitted_range(), Some((1, 2)));
        let a = fit.amdahl.as_ref().unwrap();
        assert!((a.serial_fraction - 0.02).abs() < 1e-9, "{a:?}");
        assert!(
            fit.reading
                .starts_with("threads: about 2.0% of this work looks serial (Amdahl);"),
            "{}",
            fit.reading
        );
        let caveat = fit.caveat.as_deref().unwrap_or_default();
        assert!(
            caveat.contains(
                "2 of the 4 measured worker counts exceed this machine's 2 logical cores"
            ),
            "{caveat}"
        );
        // All four points read as ~50% serial (T stays at T(2)): that goes to the caveat. One
        // run a cell, so the scatter about the (poorly fitting) curve sets the interval, and
        // it is too wide to quote the 50% as a figure: the range (around 50%) is given.
        let a = fit_points(
            ModelKind::Threads,
            fit.points.clone(),
            FitContext {
                logical_cores: 8,
                ..FitContext::of(&r)
            },
        )
        .amdahl
        .unwrap();
        assert!((0.4..0.6).contains(&a.serial_fraction), "{a:?}");
        let (lo, hi) = a.serial_fraction_ci.unwrap();
        assert!(
            caveat.contains(&format!(
                "over all 4 counts: the serial share of this work is poorly determined: Amdahl's law puts it anywhere between {} and {} (95% CI)",
                percent(lo * 100.0),
                percent(hi * 100.0)
            )),
            "{caveat}"
        );
        assert!(lo < 0.5 && 0.5 < hi, "{a:?}");
        assert!(!caveat.contains("about 2.0%"), "{caveat}");
        // Enough cores: nothing to say, every point fitted.
        r.machine.logical_cores = 8;
        let fit = &fit_results(&r)[0];
        assert_eq!((fit.caveat.as_ref(), fit.fitted_up_to), (None, None));
        // Waiting is not limited by the cores.
        r.machine.logical_cores = 2;
        r.experiment.task.kind = TaskKind::Io;
        assert_eq!(fit_results(&r)[0].caveat, None);
    }

    /// Sequential 0.3 s; processes following Amdahl's law with s = 0.8 and T1 = 0.25 s (by
    /// hand: 0.2 s serial, 0.05 s split): 0.25, 0.225 and 0.2125 s at 1, 2 and 4 workers.
    fn faster_on_one_worker_than_the_baseline() -> ResultsFile {
        let mut r = ResultsFile {
            experiment: Experiment {
                workers: vec![1, 2, 4],
                models: vec![ModelKind::Sequential, ModelKind::Processes],
                ..Experiment::default()
            },
            ..ResultsFile::default()
        };
        r.cells.push(cell(ModelKind::Sequential, 1, 0.3));
        for (n, t) in [(1, 0.25), (2, 0.225), (4, 0.2125)] {
            r.cells.push(cell(ModelKind::Processes, n, t));
        }
        r.recompute();
        r
    }

    #[test]
    fn the_bound_is_over_the_same_baseline_as_the_measured_speedups() {
        let f = &fit_results(&faster_on_one_worker_than_the_baseline())[0];
        let a = f.amdahl.as_ref().unwrap();
        assert!((a.serial_fraction - 0.8).abs() < 1e-9 && (a.t1 - 0.25).abs() < 1e-9);
        // Measured over sequential: × 2 = 0.3 / 0.225 = 1.333×, × 4 = 0.3 / 0.2125 = 1.412×.
        let measured: Vec<f64> = f.points.iter().filter_map(|p| p.speedup).collect();
        assert!((measured[2] - 0.3 / 0.2125).abs() < 1e-12, "{measured:?}");
        assert_eq!(f.baseline_s().map(|b| (b * 1e12).round() / 1e12), Some(0.3));
        // 1/s = 1.25× is over processes × 1's 0.25 s, and lies below what was measured; over
        // sequential the bound is 0.3 / (0.8 · 0.25) = 1.5×, above every measured speedup.
        let bound = f.max_speedup().unwrap();
        assert!((bound.value - 1.5).abs() < 1e-9, "{bound:?}");
        assert_eq!(bound.over, "sequential × 1");
        assert_eq!(bound.text(), "1.50×");
        let unbounded = SpeedupBound {
            value: f64::INFINITY,
            ..bound.clone()
        };
        assert_eq!(unbounded.text(), "none (s = 0)", "never ∞");
        assert!(measured.iter().all(|&s| s < bound.value), "{measured:?}");
        assert!(
            f.reading
                .contains("no number of workers can exceed about 1.5× speedup over sequential × 1"),
            "{}",
            f.reading
        );
        assert!(!f.reading.contains("1.2×"), "{}", f.reading);
    }

    #[test]
    fn two_worker_counts_are_exact_and_draw_no_usl_curve() {
        let three = fit_results(&faster_on_one_worker_than_the_baseline());
        assert!(!three[0].is_exact());
        assert_eq!(why_no_curve(&three, FitLaw::Usl), NoCurve::MissesThePoints);
        let mut two = faster_on_one_worker_than_the_baseline();
        two.cells.retain(|c| c.workers <= 2);
        two.recompute();
        let fits = fit_results(&two);
        assert!(fits[0].is_exact());
        assert_eq!(
            why_no_curve(&fits, FitLaw::Usl),
            NoCurve::TooFewWorkerCounts {
                need: 3,
                most: 2,
                within_cores: false
            }
        );
        // Amdahl's law is fitted on two: a missing wall-time curve is not for want of points.
        assert_eq!(
            why_no_curve(&fits, FitLaw::Amdahl),
            NoCurve::MissesThePoints
        );
        assert_eq!(
            why_no_curve(&[], FitLaw::Amdahl),
            NoCurve::TooFewWorkerCounts {
                need: 2,
                most: 0,
                within_cores: false
            }
        );
    }

    #[test]
    fn karp_flatt_and_amdahl_give_the_same_serial_fraction() {
        // Over processes × 1 (0.25 s): S(2) = 0.25/0.225, e = (0.9 − 0.5)/0.5 = 0.8 = s, and
        // S(4) = 0.25/0.2125, e = (0.85 − 0.25)/0.75 = 0.8. Over sequential it would be
        // (0.75 − 0.5)/0.5 = 0.5 at 2 workers: the model's one-worker gain read as less
        // serial work.
        let f = &fit_results(&faster_on_one_worker_than_the_baseline())[0];
        let s = f.amdahl.as_ref().unwrap().serial_fraction;
        assert_eq!(f.karp_flatt.len(), 2);
        for p in &f.karp_flatt {
            assert!((p.serial_fraction - 0.8).abs() < 1e-9, "{p:?}");
            assert!((p.serial_fraction - s).abs() < 1e-9, "{p:?}");
        }
        assert!((f.karp_flatt[0].speedup - 0.25 / 0.225).abs() < 1e-12);
        // Two points, not clamped: the same, exactly.
        let mut two = faster_on_one_worker_than_the_baseline();
        two.cells.retain(|c| c.workers <= 2);
        two.recompute();
        let f = &fit_results(&two)[0];
        assert_eq!(f.amdahl_test(), Some(AmdahlTest::Exact));
        let s = f.amdahl.as_ref().unwrap().serial_fraction;
        assert!((f.karp_flatt[0].serial_fraction - s).abs() < 1e-9, "{f:?}");
        // No one-worker cell: no reference to take a share of, said why.
        let mut no_one = faster_on_one_worker_than_the_baseline();
        no_one
            .cells
            .retain(|c| c.workers > 1 || c.model == Some(ModelKind::Sequential));
        no_one.recompute();
        let f = &fit_results(&no_one)[0];
        assert!(f.karp_flatt.is_empty());
        assert!(
            f.refused
                .iter()
                .any(|r| r.starts_with("Karp–Flatt: needs processes × 1")),
            "{:?}",
            f.refused
        );
    }

    #[test]
    fn where_each_model_is_its_own_baseline_the_bound_says_so() {
        let mut r = faster_on_one_worker_than_the_baseline();
        r.experiment.baseline = preset::Baseline::SameModelOneWorker;
        r.recompute();
        let f = &fit_results(&r)[0];
        let bound = f.max_speedup().unwrap();
        // Over processes × 1 (0.25 s): 0.25 / 0.2 = 1/s = 1.25×.
        assert!((bound.value - 1.25).abs() < 1e-9, "{bound:?}");
        assert_eq!(bound.over, "processes × 1");
        assert!(
            f.reading.contains("1.2× speedup over processes × 1")
                || f.reading.contains("1.3× speedup over processes × 1"),
            "{}",
            f.reading
        );
    }

    #[test]
    fn a_two_point_fit_is_exact_unless_a_bound_held_it() {
        let mut r = faster_on_one_worker_than_the_baseline();
        r.cells.retain(|c| c.workers <= 2);
        r.recompute();
        assert_eq!(fit_results(&r)[0].amdahl_test(), Some(AmdahlTest::Exact));
        // Two workers slower than one (0.26 s against 0.25 s): the line through both needs
        // s > 1, so the bound holds s = 1 and the fit misses both.
        r.cells[2].samples[0].wall_s = 0.26;
        r.recompute();
        let f = &fit_results(&r)[0];
        assert_eq!(
            f.amdahl_test(),
            Some(AmdahlTest::Clamped {
                serial_fraction: 1.0
            })
        );
        assert!(
            f.reading.contains("the fit is clamped at s = 1"),
            "{}",
            f.reading
        );
        assert!(
            !f.reading.contains("fit Amdahl's law exactly whatever"),
            "{}",
            f.reading
        );
        // Three counts or more are tested by the data.
        let f = &fit_results(&faster_on_one_worker_than_the_baseline())[0];
        assert_eq!(f.amdahl_test(), Some(AmdahlTest::Tested));
        assert_eq!(AmdahlTest::Tested.untested_words(), None);
    }

    #[test]
    fn a_busy_sweep_fits_with_a_caveat() {
        let mut r = amdahl_results(0.12);
        assert_eq!(fit_results(&r)[0].caveat, None);
        r.machine.busy_cores_at_start = Some(1.5);
        assert!(r.machine.busy_warning().is_some());
        let fit = &fit_results(&r)[0];
        assert_eq!(fit.caveat.as_deref(), Some(BUSY_FIT_CAVEAT));
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
        assert!(
            u.scale_fitted,
            "speedups over the sequential baseline: scale fitted"
        );
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
    fn three_points_are_normalised_to_the_model_own_one_worker_run() {
        // Threads × 1 takes 10 s against a sequential 9 s (0.9×), then USL(σ 0.1, κ 0) by
        // hand: T(2) = 10 · 1.1 / 2 = 5.5, T(4) = 10 · 1.3 / 4 = 3.25.
        let mut r = amdahl_results(0.0);
        r.cells.retain(|c| c.workers <= 4);
        r.cells[0].samples[0].wall_s = 9.0;
        for (c, t) in r.cells[1..].iter_mut().zip([10.0, 5.5, 3.25]) {
            c.samples[0].wall_s = t;
        }
        r.recompute();
        let u = fit_results(&r)[0].usl.clone().unwrap();
        assert!((u.sigma - 0.1).abs() < 1e-6 && u.kappa < 1e-9, "{u:?}");
        assert!((u.scale - 0.9).abs() < 1e-12 && !u.scale_fitted, "{u:?}");
        let reading = &fit_results(&r)[0].reading;
        assert!(reading.contains("normalised to threads × 1"), "{reading}");
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
    fn contention_fits_the_usl_on_throughput_without_a_serial_fraction() {
        // Every worker brings its own increments. Throughput relative to one worker follows
        // USL(σ 0.2, κ 0.01) by hand: X(N) = N / (1 + 0.2(N − 1) + 0.01 N(N − 1)), so the time
        // of N workers doing N × the work is T(N) = T1 · N / X(N) = T1 (1 + 0.2(N−1) + 0.01N(N−1)).
        let mut r = amdahl_results(0.0);
        r.experiment.task.kind = TaskKind::Contention;
        r.experiment.baseline = preset::Baseline::SameModelOneWorker;
        for c in r.cells.iter_mut().skip(1) {
            let n = c.workers as f64;
            c.samples[0].wall_s = 8.0 * (1.0 + 0.2 * (n - 1.0) + 0.01 * n * (n - 1.0));
        }
        r.recompute();
        let f = &fit_results(&r)[0];
        assert_eq!(f.quantity, FitQuantity::Throughput);
        assert!(f.amdahl.is_none() && f.karp_flatt.is_empty(), "{f:?}");
        let u = f.usl.as_ref().unwrap();
        assert!((u.sigma - 0.2).abs() < 1e-6, "{u:?}");
        assert!((u.kappa - 0.01).abs() < 1e-6, "{u:?}");
        // sqrt(0.8 / 0.01) = 8.94: X(8) = 8 / 2.96 = 2.7027 < X(9) = 9 / 3.32 = 2.7108, so the
        // peak is 9 (beyond the measured 8).
        assert_eq!(u.peak_workers, Some(9));
        assert!(
            !f.reading.contains("of this work is serial"),
            "{}",
            f.reading
        );
        assert!(f.reading.contains("throughput"), "{}", f.reading);
        // No Amdahl curve, and not for want of points: the law is not fitted to weak scaling,
        // however many worker counts there are.
        let fits = fit_results(&r);
        assert_eq!(
            why_no_curve(&fits, FitLaw::Amdahl),
            NoCurve::NotFittedToThisWork
        );
        // With two worker counts Amdahl is still not fitted: that comes first.
        let mut two = r.clone();
        two.cells.retain(|c| c.workers <= 2);
        two.recompute();
        assert_eq!(
            why_no_curve(&fit_results(&two), FitLaw::Amdahl),
            NoCurve::NotFittedToThisWork
        );
    }

    /// Enough worker counts, but no fit of the law at all: refused, not "missing the points".
    #[test]
    fn a_refused_fit_is_not_called_one_that_misses_the_points() {
        let mut fits = fit_results(&amdahl_results(0.1));
        assert!(fits[0].amdahl.is_some() && fits[0].usl.is_some());
        assert_eq!(
            why_no_curve(&fits, FitLaw::Amdahl),
            NoCurve::MissesThePoints
        );
        for f in &mut fits {
            f.amdahl = None;
            f.usl = None;
        }
        assert_eq!(why_no_curve(&fits, FitLaw::Amdahl), NoCurve::Refused);
        assert_eq!(why_no_curve(&fits, FitLaw::Usl), NoCurve::Refused);
        assert_eq!(FitLaw::Amdahl.name(), "Amdahl");
        assert_eq!(FitLaw::Usl.name(), "USL");
    }

    /// The reviewer's `usl_tight1.json` / `usl_noisy1.json`, by hand: sequential and threads
    /// × 1 at 0.32 s, × 2 at 0.17 s, × 4 at 0.095 s, 9 runs each within ±0.5%, except that
    /// in the noisy one threads × 1 spreads ±30%.
    fn usl_with_one_worker_spread(spread: f64) -> ResultsFile {
        let mut r = amdahl_results(0.0);
        r.cells.retain(|c| c.workers <= 4);
        for c in &mut r.cells {
            let (t, k) = match (c.model, c.workers) {
                (Some(ModelKind::Threads), 1) => (0.32, spread),
                (_, 1) => (0.32, 0.005),
                (_, 2) => (0.17, 0.005),
                _ => (0.095, 0.005),
            };
            c.samples = (-4..=4)
                .map(|i| Sample {
                    wall_s: t * (1.0 + k * f64::from(i) / 4.0),
                    ..Sample::default()
                })
                .collect();
        }
        r.recompute();
        r
    }

    #[test]
    fn a_noisy_one_worker_run_widens_the_usl_intervals_it_normalises() {
        // Three worker counts over the sequential baseline: the speedups are divided by
        // threads × 1's own median and S(1) = 1 is fixed, so × 1's error is in every value.
        let usl = |spread| {
            let f = &fit_results(&usl_with_one_worker_spread(spread))[0];
            let u = f.usl.clone().unwrap();
            assert!(!u.scale_fitted && (u.scale - 1.0).abs() < 1e-9, "{u:?}");
            u
        };
        let (tight, noisy) = (usl(0.005), usl(0.3));
        // The same medians, so the same point estimate (σ ≈ 0.0625, κ at its bound 0)...
        assert!(
            (tight.sigma - noisy.sigma).abs() < 1e-12,
            "{tight:?} {noisy:?}"
        );
        assert!((tight.sigma - 0.0625).abs() < 0.002, "{tight:?}");
        assert_eq!(tight.kappa.to_bits(), 0.0f64.to_bits(), "no −0: {tight:?}");
        let (t, n) = (
            tight.intervals.clone().unwrap(),
            noisy.intervals.clone().unwrap(),
        );
        // ...but a one-worker run known to ±30% leaves σ far less certain.
        let (tw, nw) = (t.sigma.1 - t.sigma.0, n.sigma.1 - n.sigma.0);
        assert!(nw > 5.0 * tw, "tight {:?}, noisy {:?}", t.sigma, n.sigma);
        assert!(
            n.kappa.1 > t.kappa.1,
            "tight {:?}, noisy {:?}",
            t.kappa,
            n.kappa
        );
        for (u, iv) in [(&tight, &t), (&noisy, &n)] {
            assert!(iv.sigma.0 <= u.sigma && u.sigma <= iv.sigma.1, "{u:?}");
        }
        // Deterministic: the same data give the same intervals.
        assert_eq!(usl(0.3).intervals, Some(n));
    }

    #[test]
    fn each_cell_weighs_as_well_as_it_was_measured() {
        // Threads with 10% serial work, every cell 10 runs within ±1% of its time (by hand),
        // except 8 workers: 3 runs, 30% slow in the middle (a disturbed moment).
        let s = 0.1;
        let mut r = amdahl_results(s);
        let wobble = [1.0, 1.01, 0.99, 1.005, 0.995, 1.0, 1.01, 0.99, 1.002, 0.998];
        for c in &mut r.cells {
            let t = c.samples[0].wall_s;
            let spread: &[f64] = if c.workers == 8 && c.model == Some(ModelKind::Threads) {
                &[1.25, 1.3, 1.4]
            } else {
                &wobble
            };
            c.samples = spread
                .iter()
                .map(|k| Sample {
                    wall_s: t * k,
                    ..Sample::default()
                })
                .collect();
        }
        r.recompute();
        let f = &fit_results(&r)[0];
        let errors: Vec<f64> = f.points.iter().map(|p| p.relative_error.unwrap()).collect();
        // Ten runs within ±1%: well under 1%; three runs: the 10% of too few runs.
        assert!(errors[..3].iter().all(|e| *e < 0.01), "{errors:?}");
        assert_eq!(errors[3], crate::stats::FEW_RUNS_RELATIVE_ERROR);
        let weighted = f.amdahl.as_ref().unwrap();
        let times: Vec<(usize, f64)> = f.points.iter().map(|p| (p.workers, p.median_s)).collect();
        let plain = crate::stats::fit_amdahl(&times).unwrap();
        assert!(
            (weighted.serial_fraction - s).abs() < 0.5 * (plain.serial_fraction - s).abs(),
            "weighted {weighted:?}, unweighted {plain:?}"
        );
        // Both laws say how sure they are.
        let (lo, hi) = weighted.serial_fraction_ci.unwrap();
        assert!(lo <= weighted.serial_fraction && weighted.serial_fraction <= hi);
        assert!(f.usl.as_ref().unwrap().intervals.is_some());
        // Saved and loaded, the points keep their errors; an old fit without them loads.
        let json = serde_json::to_string(f).unwrap();
        let back: ModelFit = serde_json::from_str(&json).unwrap();
        let errors_back: Vec<f64> = back
            .points
            .iter()
            .filter_map(|p| p.relative_error)
            .collect();
        assert_eq!(errors_back.len(), 4);
        assert!(
            errors_back
                .iter()
                .zip(&errors)
                .all(|(a, b)| (a - b).abs() < 1e-12)
        );
        assert!(back.amdahl.and_then(|a| a.serial_fraction_ci).is_some());
        assert!(back.usl.and_then(|u| u.intervals).is_some());
        let old: FitPoint =
            serde_json::from_str(r#"{"workers":2,"median_s":1.0,"speedup":2.0}"#).unwrap();
        assert_eq!(old.relative_error, None);
    }
}
