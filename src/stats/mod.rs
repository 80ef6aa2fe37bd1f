//! Pure statistics over timing samples. No I/O, no clocks: everything here is unit-tested
//! against hand-computed values.

mod scaling;
mod summary;

pub use scaling::{efficiency, speedup, speedup_range};
pub use summary::{Summary, mad_outliers, mean, median, stddev, student_t_975, summarize};
