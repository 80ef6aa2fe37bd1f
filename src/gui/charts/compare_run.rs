//! [`CompareRun`]: another results file overlaid on the charts, with its fits.

use crate::analysis::ModelFit;
use crate::results::ResultsFile;

/// Another results file overlaid on the charts ("Add results to compare…").
#[derive(Clone, Debug)]
pub struct CompareRun {
    /// The file stem: part of its label where nothing else tells it apart from the others
    /// (see [`crate::export::run_labels`]).
    pub file_stem: String,
    pub path: std::path::PathBuf,
    pub results: ResultsFile,
    /// Its fits, drawn like the shown results' own (see [`crate::analysis::fit_results`]).
    pub fits: Vec<ModelFit>,
}

impl CompareRun {
    pub fn new(file_stem: String, path: std::path::PathBuf, results: ResultsFile) -> Self {
        let fits = crate::analysis::fit_results(&results);
        CompareRun {
            file_stem,
            path,
            results,
            fits,
        }
    }
}
