//! Where `corelab run` saves its results while the sweep runs, and what becomes of an `--out`
//! that held earlier results: it is replaced only by a completed sweep that measured a cell.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::results::{CellStatus, ResultsFile, RunStatus};

use super::message_paths::path_text;

/// Where `corelab run` saves its results while the sweep runs, and what becomes of `--out`.
///
/// When `--out` does not exist at the start, the sweep saves straight into it after every
/// round. When it exists, it holds earlier results that must not be lost to a run that is
/// interrupted, whose cells all fail or whose saves fail: the sweep then saves into a sibling
/// `NAME.partial-XXXXXX.json`, created exclusively with an unpredictable name, and `--out` is
/// replaced (atomically) only by a completed sweep with at least one measured cell.
pub(super) struct OutTarget {
    out: PathBuf,
    partial: Option<PathBuf>,
}

/// Where [`OutTarget::finish`] left this run's results.
pub(super) enum Saved {
    /// In `--out`.
    Out(PathBuf),
    /// In the partial file; `out` keeps its earlier results.
    Partial { partial: PathBuf, out: PathBuf },
    /// Nowhere: nothing was measured (no timed run, no failed cell). `out` keeps its earlier
    /// results where it had some (`earlier`); a new `out` is not left behind.
    Nothing { out: PathBuf, earlier: bool },
}

impl OutTarget {
    pub(super) fn new(out: &Path) -> Result<OutTarget> {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::metadata(out) else {
            return Ok(OutTarget {
                out: out.to_path_buf(),
                partial: None,
            });
        };
        let dir = crate::safe_fs::directory_of(out);
        let stem = out
            .file_stem()
            .map_or_else(|| "results".into(), |s| s.to_string_lossy().into_owned());
        // As private as the file it stands in for (the umask still applies).
        let mode = meta.permissions().mode() & 0o777;
        let (_, partial) = tempfile::Builder::new()
            .prefix(&format!("{stem}.partial-"))
            .suffix(".json")
            .permissions(std::fs::Permissions::from_mode(mode))
            .tempfile_in(dir)
            .and_then(|t| t.keep().map_err(|e| e.error))
            .map_err(|e| {
                anyhow::anyhow!(
                    "--out {}: cannot create a file for this run's results beside it: {e}",
                    path_text(out)
                )
            })?;
        // Named beside `out` as the user named `out`.
        let partial = partial
            .file_name()
            .map_or(partial.clone(), |n| out.with_file_name(n));
        Ok(OutTarget {
            out: out.to_path_buf(),
            partial: Some(partial),
        })
    }

    /// `--out` as given.
    pub(super) fn out(&self) -> &Path {
        &self.out
    }

    /// Whether `--out` held earlier results at the start (the sweep saves beside it).
    pub(super) fn has_earlier(&self) -> bool {
        self.partial.is_some()
    }

    /// The file the sweep saves into after every round.
    pub(super) fn sweep_path(&self) -> &Path {
        self.partial.as_deref().unwrap_or(&self.out)
    }

    /// Saves the finished sweep's `results` where they belong (see [`OutTarget`]).
    /// `behind`: a save during the sweep failed, so the sweep's file may be out of date.
    pub(super) fn finish(&self, results: &ResultsFile, behind: bool) -> Result<Saved> {
        let out = &self.out;
        let anything = results.cells.iter().any(|c| !c.samples.is_empty())
            || results.cells.iter().any(|c| c.status == CellStatus::Failed);
        let Some(partial) = &self.partial else {
            if !anything {
                // A new file with no cell measured (a signal before the first timed run) is
                // of no use to anyone: the sweep's own save of it is removed (the lock on
                // `out` means no other run wrote it).
                std::fs::remove_file(out).ok();
                return Ok(Saved::Nothing {
                    out: out.clone(),
                    earlier: false,
                });
            }
            if behind {
                // One more try now, and an error if it fails too.
                save_results(results, out)?;
            }
            return Ok(Saved::Out(out.clone()));
        };
        let measured = results.cells.iter().any(|c| c.status == CellStatus::Ok);
        if results.status == RunStatus::Complete && measured {
            return match save_results(results, out) {
                Ok(()) => {
                    std::fs::remove_file(partial).ok();
                    Ok(Saved::Out(out.clone()))
                }
                Err(e) => {
                    let kept = match behind {
                        true => save_results(results, partial).is_ok(),
                        false => true,
                    };
                    if !kept {
                        std::fs::remove_file(partial).ok();
                        bail!("{e}; {}", what_out_holds(out));
                    }
                    bail!(
                        "{e}; {}, and this run's are in {}",
                        what_out_holds(out),
                        path_text(partial)
                    )
                }
            };
        }
        if !anything {
            std::fs::remove_file(partial).ok();
            return Ok(Saved::Nothing {
                out: out.clone(),
                earlier: true,
            });
        }
        if behind && let Err(e) = save_results(results, partial) {
            std::fs::remove_file(partial).ok();
            bail!("{e}; {} keeps its earlier results", path_text(out));
        }
        Ok(Saved::Partial {
            partial: partial.clone(),
            out: out.clone(),
        })
    }
}

/// What `--out` holds after its last save failed: its earlier results (a full disk, say), or,
/// where another program put something else there during the sweep (which the save refused
/// to write over), that.
fn what_out_holds(out: &Path) -> String {
    match crate::results::starts_as_results_file(out) {
        Ok(true) => format!("{} keeps its earlier results", path_text(out)),
        Ok(false) => format!("{} holds what another program put there", path_text(out)),
        Err(_) => format!("{} was not written", path_text(out)),
    }
}

/// [`ResultsFile::save_over_results_only`] (`--out` and the partial file may hold only
/// results, whatever another program did to them during the sweep), with the reason said once.
fn save_results(results: &ResultsFile, path: &Path) -> Result<()> {
    results.save_over_results_only(path).map_err(|e| {
        let reason = std::error::Error::source(&e).map_or_else(|| e.to_string(), |s| s.to_string());
        anyhow::anyhow!("cannot save the results to {}: {reason}", path_text(path))
    })
}
