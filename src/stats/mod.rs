//! Pure statistics over timing samples. No I/O, no clocks: everything here is unit-tested
//! against hand-computed values.
//!
//! Scaling fits: [`fit_amdahl`] (serial fraction from wall times), [`karp_flatt`] (the
//! experimentally determined serial fraction), [`fit_usl`] (Gunther's Universal Scalability
//! Law) and [`fit_results`], which fits every model of a results file.

mod amdahl;
mod fit_error;
mod fits;
mod karp_flatt;
mod scaling;
mod summary;
mod usl;

pub use amdahl::{AmdahlFit, fit_amdahl};
pub use fit_error::FitError;
pub use fits::{
    FitPoint, ModelFit, POOR_FIT_R2, describe_fit, fit_points, fit_results, fits_summary,
};
pub use karp_flatt::{KarpFlattPoint, karp_flatt, karp_flatt_series};
pub use scaling::{efficiency, speedup, speedup_range};
pub use summary::{Summary, mad_outliers, mean, median, stddev, student_t_975, summarize};
pub use usl::{UslFit, fit_usl, usl, usl_peak};
