//! Exports of a results file: CSV summary table and a plain-text table for terminals.

mod csv;
mod table;

pub use csv::summary_csv;
pub use table::summary_table;
