//! Pure statistics over numbers. No I/O, no clocks, no results files (fitting a results file
//! is [`crate::analysis`]): everything here is unit-tested against hand-computed values.
//!
//! Summaries ([`summarize`]: median with its order-statistics confidence interval, mean with
//! its Student-t interval, MAD outliers) and scaling fits: [`fit_amdahl`] (serial fraction from
//! wall times), [`karp_flatt`](fn@karp_flatt) (the experimentally determined serial fraction), [`fit_usl`]
//! and [`fit_usl_scaled`] (Gunther's Universal Scalability Law). The `_weighted` fits weigh
//! each point by how well it was measured and give 95% intervals of their parameters (see
//! the notes of `fit_uncertainty`: [`median_relative_error`], [`relative_errors`]).

mod amdahl;
mod fit_error;
mod fit_uncertainty;
mod gaussian;
mod interval_places;
mod karp_flatt;
mod precision;
mod scaling;
#[cfg(test)]
mod simulated;
mod summary;
mod usl;

pub use amdahl::{AMDAHL_MIN_WORKER_COUNTS, AmdahlFit, fit_amdahl, fit_amdahl_weighted};
pub use fit_error::FitError;
pub use fit_uncertainty::{
    BOOTSTRAP_REPLICATES, CLOCK_RESOLUTION_S, FEW_RUNS_RELATIVE_ERROR, RELATIVE_ERROR_FLOOR,
    median_relative_error, relative_errors,
};
pub(crate) use gaussian::Gaussian;
pub use interval_places::{interval_places, places_apart, places_clear_of};
pub use karp_flatt::{KarpFlattPoint, karp_flatt, karp_flatt_series};
pub use precision::{FULL_COVERAGE, MIN_SAMPLES_FOR_95, median_precision, samples_for_precision};
pub use scaling::{MedianInterval, efficiency, speedup, speedup_interval, speedup_range};
#[cfg(test)]
pub(crate) use simulated::SimulatedRuns;
pub use summary::{
    MedianCi, Summary, mad_outliers, mean, median, median_ci, median_ci_coverage, median_count,
    stddev, student_t_975, summarize,
};
pub use usl::{
    USL_MIN_WORKER_COUNTS, UslFit, UslIntervals, fit_usl, fit_usl_over_one_worker_weighted,
    fit_usl_scaled, fit_usl_scaled_weighted, fit_usl_weighted, usl, usl_peak,
};
