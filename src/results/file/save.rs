//! Writing a results file: its JSON, replaced atomically.

use std::path::Path;

use super::document::ResultsFile;
use super::error::ResultsError;

impl ResultsFile {
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("results always serialise")
    }

    /// Writes the file atomically: a temporary file in the same directory, fsync, rename.
    /// A reader never sees a half-written file.
    pub fn save(&self, path: &Path) -> Result<(), ResultsError> {
        write_atomically(path, self.to_json().as_bytes()).map_err(|source| ResultsError::Write {
            path: path.display().to_string(),
            source,
        })
    }
}

/// Replaces `path` atomically: see [`crate::safe_fs::write_atomically`] (an exclusive,
/// unpredictable temporary file next to it, fsync, rename; a target that is not a regular
/// file is refused).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::safe_fs::write_atomically(path, bytes)
}
