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

impl ResultsFile {
    /// [`Self::save`] to a path that may hold only results: where `path` (through any links)
    /// leads to a file that is neither empty nor a corelab results file, that file is left as
    /// it was and the error says so. A sweep's saves go through this: the file it saves into was checked
    /// at the start (`corelab run --out` replaces only results), but another program may swap
    /// it, or make its name a link to another file, while the sweep measures: each save judges
    /// the file it replaces at the instant it replaces it, and swaps a refused one back
    /// ([`crate::safe_fs::replace_atomically_if`]).
    pub fn save_over_results_only(&self, path: &Path) -> Result<(), ResultsError> {
        let failed = |source: std::io::Error| ResultsError::Write {
            path: path.display().to_string(),
            source,
        };
        let holds_results = |file: &Path, target: &crate::safe_fs::OutputTarget| {
            let via = match target.through_link {
                true => format!(" (through a symbolic link to {})", target.file.display()),
                false => String::new(),
            };
            match super::sniff::is_empty_or_results_file(file) {
                Ok(true) => Ok(()),
                Ok(false) => Err(format!(
                    "it now holds a file that is not a corelab results file{via}, put there by \
                     another program since the run began; not replaced"
                )),
                Err(e) => Err(format!(
                    "it now holds a file{via} that cannot be read to tell whether it is a \
                     corelab results file ({e}); not replaced"
                )),
            }
        };
        crate::safe_fs::replace_atomically_if(path, self.to_json().as_bytes(), holds_results)
            .map_err(failed)
    }
}

/// Replaces `path` atomically: see [`crate::safe_fs::write_atomically`] (an exclusive,
/// unpredictable temporary file next to it, fsync, rename; a target that is not a regular
/// file is refused).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::safe_fs::write_atomically(path, bytes)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
    use super::*;

    #[test]
    fn a_sweeps_save_replaces_only_results_or_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let results = ResultsFile::default();
        // A new name, an empty file and an earlier results file are written.
        let new = dir.path().join("new.json");
        results.save_over_results_only(&new).unwrap();
        assert!(super::super::sniff::starts_as_results_file(&new).unwrap());
        let empty = dir.path().join("empty.json");
        std::fs::write(&empty, "").unwrap();
        results.save_over_results_only(&empty).unwrap();
        results.save_over_results_only(&new).unwrap();
        // A file another program put there is left as it was, and the error says why.
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, "my notes\n").unwrap();
        let err = results.save_over_results_only(&notes).unwrap_err();
        let why = std::error::Error::source(&err).unwrap().to_string();
        assert!(why.contains("not a corelab results file"), "{why}");
        assert!(why.contains("not replaced"), "{why}");
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
        // So is the file a link made in the results' place leads to.
        std::fs::remove_file(&new).unwrap();
        std::os::unix::fs::symlink(&notes, &new).unwrap();
        let err = results.save_over_results_only(&new).unwrap_err();
        let why = std::error::Error::source(&err).unwrap().to_string();
        assert!(why.contains("through a symbolic link to"), "{why}");
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
        assert!(std::fs::symlink_metadata(&new).unwrap().is_symlink());
    }
}
