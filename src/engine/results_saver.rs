//! Where a sweep writes its results so far (its partial saves between rounds and its last
//! save): to the file itself, unless a test stands in a disk that fails part-way
//! (`SweepConfig::with_saver`).

use std::path::Path;

use crate::results::{ResultsError, ResultsFile};

/// Writes a sweep's results to a path; a failure is reported by the sweep as a
/// [`super::SweepEvent::SaveFailed`] and does not stop the measurement.
pub trait ResultsSaver: std::fmt::Debug + Send + Sync {
    /// Writes `results` to `path` (the whole file, replacing what an earlier save left).
    fn save(&self, results: &ResultsFile, path: &Path) -> Result<(), ResultsError>;
}

/// The saver every sweep uses: [`ResultsFile::save_over_results_only`], which replaces the
/// file atomically, and only where it still holds results (or nothing).
#[derive(Clone, Copy, Debug, Default)]
pub struct SaveToFile;

impl ResultsSaver for SaveToFile {
    fn save(&self, results: &ResultsFile, path: &Path) -> Result<(), ResultsError> {
        results.save_over_results_only(path)
    }
}
