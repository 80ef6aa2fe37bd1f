//! Analysis of a results file: the scaling fits of every model, with plain-language readings
//! for the workbench, the report and the command line. The numbers come from [`crate::stats`]
//! (pure functions); this layer decides which cells to fit, on what quantity, over which
//! worker range, and says what the fits mean.

mod comparable_work;
pub mod gil_lesson;
mod interval_words;
mod model_fit;
mod reading;
pub mod regression;
mod summary;
mod verdict;

pub use comparable_work::{Basis, NotComparable, comparison_basis};
pub use interval_words::{
    coefficient_range, coefficient_too_wide, percent, percent_range, share_too_wide, speedup_range,
    too_wide, workers_range,
};
pub use model_fit::{
    AmdahlTest, FitContext, FitLaw, FitPoint, FitQuantity, ModelFit, NoCurve, SpeedupBound,
    fit_points, fit_points_over, fit_results, why_no_curve,
};
pub use reading::{POOR_FIT_R2, amdahl_fits_poorly, describe_fit, usl_fits_poorly};
pub use summary::fits_summary;
pub use verdict::{
    BUSY_HEADLINE, ONE_WORKER_HEADLINE, ONE_WORKER_SUSPECT, VerdictLine, VerdictTopic, headline,
    headline_of, one_worker_favoured, suspect_one_worker_cells, time_words, verdict,
};
