//! Measured runs are never dropped for want of a place: results that could not be saved where
//! they were meant to go (a full or unwritable disk, an autosave folder that is a file) go to
//! a new, exclusively created `corelab-rescued-XXXXXX.json` in the temporary directory
//! instead, which the caller names to the user. `corelab run` does it for an `--out` it
//! cannot write; the workbench for a sweep it could not autosave.

use std::path::{Path, PathBuf};

use super::ResultsFile;

/// How the name of a rescued results file begins.
pub const RESCUED_PREFIX: &str = "corelab-rescued-";

/// Why results could not be rescued either: the file (or, where none could be created, the
/// directory) and the reason.
#[derive(Debug, thiserror::Error)]
#[error("{}: {reason}", path.display())]
pub struct RescueError {
    pub path: PathBuf,
    pub reason: String,
}

/// Saves `results` to a new `corelab-rescued-XXXXXX.json` in the temporary directory
/// (`$TMPDIR`, else `/tmp`) and returns its path.
pub fn rescue(results: &ResultsFile) -> Result<PathBuf, RescueError> {
    rescue_in(&std::env::temp_dir(), results)
}

/// [`rescue`] into `dir`. A file it could not write is removed again.
pub fn rescue_in(dir: &Path, results: &ResultsFile) -> Result<PathBuf, RescueError> {
    let (_, path) = tempfile::Builder::new()
        .prefix(RESCUED_PREFIX)
        .suffix(".json")
        .tempfile_in(dir)
        .and_then(|t| t.keep().map_err(|e| e.error))
        .map_err(|e| RescueError {
            path: dir.to_path_buf(),
            reason: format!("cannot create a file there: {e}"),
        })?;
    match results.save(&path) {
        Ok(()) => Ok(path),
        Err(e) => {
            std::fs::remove_file(&path).ok();
            let reason =
                std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
            Err(RescueError { path, reason })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rescued_results_read_back_alike_in_a_new_file_each_time() {
        let dir = tempfile::tempdir().unwrap();
        let mut results = ResultsFile::default();
        results.experiment.name = "rescued".into();
        let a = rescue_in(dir.path(), &results).unwrap();
        let b = rescue_in(dir.path(), &results).unwrap();
        assert_ne!(a, b);
        for p in [&a, &b] {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.starts_with(RESCUED_PREFIX) && name.ends_with(".json"),
                "{name}"
            );
            assert_eq!(ResultsFile::load(p).unwrap().experiment.name, "rescued");
        }
    }

    #[test]
    fn a_directory_that_cannot_take_the_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let not_a_dir = dir.path().join("file");
        std::fs::write(&not_a_dir, "").unwrap();
        let e = rescue_in(&not_a_dir, &ResultsFile::default()).unwrap_err();
        assert_eq!(e.path, not_a_dir);
        assert!(
            e.to_string().starts_with(&format!(
                "{}: cannot create a file there: ",
                not_a_dir.display()
            )),
            "{e}"
        );
    }
}
