//! A second Ctrl-C (or SIGTERM, SIGHUP) during `corelab run`: the user does not want to wait
//! for the clean stop the first one started. The run stops at once, but still says in one
//! line where the rounds saved so far are, and removes the temporary files it can.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::message_paths::path_text;

/// What a run has on disk that a stop at once must name or remove, filled in as the run
/// creates it (shared with the signal watcher).
#[derive(Clone, Default)]
pub(super) struct OnDisk(Arc<Mutex<Files>>);

#[derive(Default)]
struct Files {
    /// `--out` as given, and whether it held earlier results.
    out: Option<(PathBuf, bool)>,
    /// The file the sweep saves its rounds into (`--out`, or the partial file beside it).
    sweep: Option<PathBuf>,
    /// The lock file of `--out`, removed (the lock itself ends with the process).
    lock: Option<PathBuf>,
}

impl OnDisk {
    pub(super) fn set_out(&self, out: &Path, earlier: bool, sweep: &Path) {
        let mut files = self.0.lock().unwrap_or_else(|p| p.into_inner());
        files.out = Some((out.to_path_buf(), earlier));
        files.sweep = Some(sweep.to_path_buf());
    }

    pub(super) fn set_lock(&self, lock: &Path) {
        let mut files = self.0.lock().unwrap_or_else(|p| p.into_inner());
        files.lock = Some(lock.to_path_buf());
    }

    /// Removes the temporary files and the lock, and says in one line what was kept.
    pub(super) fn stop_at_once_line(&self, signal: &str) -> String {
        let files = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(lock) = &files.lock {
            std::fs::remove_file(lock).ok();
        }
        let Some((out, earlier)) = &files.out else {
            return format!("{signal} again: stopped at once; nothing was saved (no --out)");
        };
        let sweep = files.sweep.as_deref().unwrap_or(out);
        let mut removed = remove_temporary_files_of(sweep);
        if sweep != out.as_path() {
            removed += remove_temporary_files_of(out);
        }
        let temporary = match removed {
            0 => String::new(),
            1 => "; 1 temporary file removed".to_string(),
            n => format!("; {n} temporary files removed"),
        };
        let out_note = match earlier {
            true => format!(" ({} keeps its earlier results)", path_text(out)),
            false => String::new(),
        };
        let has_rounds = std::fs::metadata(sweep).is_ok_and(|m| m.len() > 0);
        if has_rounds {
            format!(
                "{signal} again: stopped at once; the rounds saved so far are in {} \
                 (`corelab report {}` shows them){out_note}{temporary}",
                path_text(sweep),
                path_text(sweep)
            )
        } else {
            // An empty partial file (made before the first round was saved) is of no use.
            if sweep != out.as_path() {
                std::fs::remove_file(sweep).ok();
            }
            let written = match earlier {
                true => out_note,
                false => format!(" ({} was not written)", path_text(out)),
            };
            format!(
                "{signal} again: stopped at once; no round had been saved yet, so nothing \
                 was kept{written}{temporary}"
            )
        }
    }
}

/// Removes the hidden temporary files that an atomic write of `path` makes beside it
/// (`.NAME.XXXXXX.tmp`, see [`crate::safe_fs::write_atomically`]); returns how many. Only
/// this run writes `path` (it holds `--out`'s lock; a partial file's name is its own).
fn remove_temporary_files_of(path: &Path) -> usize {
    use crate::safe_fs::{TemporaryName, directory_of, output_target};
    let file = output_target(path).map_or_else(|_| path.to_path_buf(), |t| t.file);
    let Some(name) = file.file_name() else {
        return 0;
    };
    let temporary = TemporaryName::of(name);
    let Ok(entries) = std::fs::read_dir(directory_of(&file)) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| temporary.names(&e.file_name()))
        .filter(|e| std::fs::remove_file(e.path()).is_ok())
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stop_at_once_names_the_partial_file_and_removes_its_temporary_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("keep.json");
        std::fs::write(&out, "earlier").unwrap();
        let partial = dir.path().join("keep.partial-abcdef.json");
        std::fs::write(&partial, "{}").unwrap();
        let tmp_partial = dir.path().join(".keep.partial-abcdef.json.Z93Bbw.tmp");
        let tmp_out = dir.path().join(".keep.json.Yn6zUB.tmp");
        let unrelated = dir.path().join(".other.json.Yn6zUB.tmp");
        for f in [&tmp_partial, &tmp_out, &unrelated] {
            std::fs::write(f, "half").unwrap();
        }
        let lock = dir.path().join("out-x.lock");
        std::fs::write(&lock, "1").unwrap();
        let on_disk = OnDisk::default();
        on_disk.set_out(&out, true, &partial);
        on_disk.set_lock(&lock);
        let line = on_disk.stop_at_once_line("SIGINT");
        assert_eq!(
            line,
            format!(
                "SIGINT again: stopped at once; the rounds saved so far are in {0} \
                 (`corelab report {0}` shows them) ({1} keeps its earlier results); 2 \
                 temporary files removed",
                partial.display(),
                out.display()
            )
        );
        assert!(!tmp_partial.exists() && !tmp_out.exists() && !lock.exists());
        assert!(
            unrelated.exists(),
            "another file's temporary file is left alone"
        );
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier");
        assert!(partial.exists());
    }

    #[test]
    fn a_stop_at_once_before_any_round_was_saved_keeps_nothing_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("keep.json");
        std::fs::write(&out, "earlier").unwrap();
        let partial = dir.path().join("keep.partial-abcdef.json");
        std::fs::write(&partial, "").unwrap();
        let on_disk = OnDisk::default();
        on_disk.set_out(&out, true, &partial);
        assert_eq!(
            on_disk.stop_at_once_line("SIGTERM"),
            format!(
                "SIGTERM again: stopped at once; no round had been saved yet, so nothing was \
                 kept ({} keeps its earlier results)",
                out.display()
            )
        );
        assert!(!partial.exists(), "the empty partial file is removed");

        let new = dir.path().join("new.json");
        let on_disk = OnDisk::default();
        on_disk.set_out(&new, false, &new);
        assert_eq!(
            on_disk.stop_at_once_line("SIGINT"),
            format!(
                "SIGINT again: stopped at once; no round had been saved yet, so nothing was \
                 kept ({} was not written)",
                new.display()
            )
        );
        assert_eq!(
            OnDisk::default().stop_at_once_line("SIGHUP"),
            "SIGHUP again: stopped at once; nothing was saved (no --out)"
        );
    }
}
