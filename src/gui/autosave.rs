//! Results are never lost: every sweep the workbench starts writes its results file into the
//! user's data directory while it runs (the engine's partial-results file, marked `incomplete`
//! until the end and then `complete` or `cancelled`). The "Recent results" list reopens them.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::results::utc_timestamp;

/// Environment variable that overrides where corelab keeps its data (tests use a temp dir).
pub const DATA_DIR_ENV: &str = "CORELAB_DATA_DIR";

/// How many entries "Recent results" shows.
pub const RECENT_LIMIT: usize = 12;

/// The directory corelab keeps its data in: `$CORELAB_DATA_DIR`, else the platform's data
/// directory for the app (`$XDG_DATA_HOME/corelab` on Linux), else `./corelab-data`.
pub fn data_dir() -> PathBuf {
    data_dir_from(std::env::var_os(DATA_DIR_ENV))
}

/// [`data_dir`] given the value of `$CORELAB_DATA_DIR` (an empty value counts as unset).
pub fn data_dir_from(env_value: Option<std::ffi::OsString>) -> PathBuf {
    if let Some(dir) = env_value.filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    eframe::storage_dir("corelab").unwrap_or_else(|| PathBuf::from("corelab-data"))
}

/// Where autosaved results live inside a data directory.
pub fn results_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("results")
}

/// Creates a new, empty results file for a sweep of `experiment_name` started now, and returns
/// its path: `<UTC time>_<slug>-<pid>.json` in [`results_dir`], with `-2`, `-3`, … added if
/// that exists. The file is created exclusively (`O_EXCL`), so two sweeps, in this workbench or
/// in another one sharing the data directory, never get the same file. The engine then replaces
/// it atomically with the results.
pub fn create_results_file(data_dir: &Path, experiment_name: &str) -> std::io::Result<PathBuf> {
    let stamp = utc_timestamp(SystemTime::now()).replace(':', "-");
    let base = format!("{stamp}_{}-{}", slug(experiment_name), std::process::id());
    let dir = results_dir(data_dir);
    for n in 1..=1000 {
        let name = match n {
            1 => format!("{base}.json"),
            n => format!("{base}-{n}.json"),
        };
        let path = dir.join(name);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{base}.json and 999 numbered variants exist already"),
    ))
}

/// Lower-case letters, digits and dashes, at most 48 characters.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "experiment".into()
    } else {
        out
    }
}

/// The autosaved results files, newest first (by modification time), at most
/// [`RECENT_LIMIT`]. A directory listing only; no file is parsed.
pub fn recent_results(data_dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(results_dir(data_dir)) else {
        return Vec::new();
    };
    let mut files: Vec<(SystemTime, PathBuf)> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.ends_with(".json") && !name.starts_with('.')
        })
        .filter_map(|e| {
            let modified = e.metadata().ok()?.modified().ok()?;
            Some((modified, e.path()))
        })
        .collect();
    files.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| b.1.cmp(&a.1)));
    files
        .into_iter()
        .take(RECENT_LIMIT)
        .map(|(_, p)| p)
        .collect()
}

/// A short label for a results file in the "Recent results" list.
pub fn recent_label(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().replacen('_', "  ", 1))
        .unwrap_or_else(|| path.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(
            slug("CPU-bound: threads vs processes"),
            "cpu-bound-threads-vs-processes"
        );
        assert_eq!(slug("  ::  "), "experiment");
    }

    #[test]
    fn the_environment_overrides_the_data_dir() {
        assert_eq!(
            data_dir_from(Some("/tmp/x".into())),
            PathBuf::from("/tmp/x")
        );
        assert_ne!(data_dir_from(Some("".into())), PathBuf::from(""));
        assert_eq!(data_dir_from(None), data_dir_from(Some("".into())));
    }

    #[test]
    fn new_results_files_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(results_dir(dir.path())).unwrap();
        // Created, not only named: the second call cannot get the first one's file, even
        // before anything was written to it, and even from many threads at once.
        let paths: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| create_results_file(dir.path(), "Same name").unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut unique = paths.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 8, "{paths:?}");
        for p in &paths {
            assert!(p.starts_with(results_dir(dir.path())));
            assert!(p.exists());
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.contains(&format!("_same-name-{}", std::process::id())),
                "{name}"
            );
        }
    }

    #[test]
    fn recent_lists_newest_json_first() {
        let dir = tempfile::tempdir().unwrap();
        let results = results_dir(dir.path());
        std::fs::create_dir_all(&results).unwrap();
        std::fs::write(results.join("a.json"), "{}").unwrap();
        std::fs::write(results.join(".tmp.json"), "{}").unwrap();
        std::fs::write(results.join("notes.txt"), "").unwrap();
        let recent = recent_results(dir.path());
        assert_eq!(recent, vec![results.join("a.json")]);
    }
}
