//! The outputs of `run` and `report` checked before anything is measured or written: each
//! path writable, its own file and no input's, at most one of them standard output, a chart
//! size and axes the exporters accept, and an `--out` that replaces nothing but an earlier
//! results file.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use super::message_paths::path_text;
use super::outputs::{OutputArgs, chart_scales};
use super::stdout::{STDOUT_FLAGS, is_stdout};

/// A file the command reads or runs, which no output may replace: what it is, in words that
/// name the preset's field where it comes from one (`the command task's program
/// (task.command.argv[0])`), and its path.
pub(super) type Input<'a> = (&'static str, &'a Path);

/// Refuses, before any measuring, an output that could not be written at the end: a missing or
/// unwritable directory, a target that is a directory, a fifo or a device, the same file named
/// twice, a file that is also an input (the preset, a results file, a program the run starts;
/// the refusal says which), a chart size the exporters refuse. `outputs` pairs each flag with
/// its path, when given.
pub(super) fn check_outputs(
    outputs: &[(&str, Option<&PathBuf>)],
    inputs: &[Input<'_>],
    charts: &OutputArgs,
) -> Result<()> {
    let mut seen: Vec<(&str, FileId)> = Vec::new();
    let inputs: Vec<(&str, FileId)> = inputs
        .iter()
        .map(|&(what, path)| (what, FileId::of(path)))
        .collect();
    let mut to_stdout: Option<&str> = None;
    for &(flag, path) in outputs {
        let Some(path) = path else { continue };
        if is_stdout(path) {
            if !STDOUT_FLAGS.contains(&flag) {
                bail!(
                    "{flag} -: only {} can write to standard output (`-`); name a file \
                     (./- for a file called -)",
                    STDOUT_FLAGS.join(" and ")
                );
            }
            if let Some(other) = to_stdout {
                bail!("{flag} - and {other} -: only one output can go to standard output");
            }
            to_stdout = Some(flag);
            continue;
        }
        check_output_path(flag, path)?;
        let key = FileId::of(path);
        if let Some((other, _)) = seen.iter().find(|(_, p)| *p == key) {
            bail!(
                "{flag} {} is also given to {other}: each output needs its own file",
                path_text(path)
            );
        }
        if let Some((what, _)) = inputs.iter().find(|(_, input)| *input == key) {
            bail!(
                "{flag} {} is both an input and an output ({what}): it would be overwritten",
                path_text(path)
            );
        }
        seen.push((flag, key));
    }
    if charts.svg.is_some() || charts.png.is_some() {
        check_chart_size(charts)?;
    }
    // Axes the chart kind cannot have are refused whatever the results and whatever outputs
    // are asked for (before a sweep, too): the flags would otherwise be ignored in silence.
    chart_scales(charts, std::iter::empty())?;
    Ok(())
}

/// Which file a path names, so that two names of one file (a symlink, a hard link, `./x`
/// and `x`) compare equal: its device and inode when it exists, else its absolute path with
/// the directory's symlinks resolved.
#[derive(Debug, PartialEq)]
enum FileId {
    Inode { dev: u64, ino: u64 },
    Path(PathBuf),
}

impl FileId {
    fn of(path: &Path) -> FileId {
        use std::os::unix::fs::MetadataExt;
        if let Ok(meta) = std::fs::metadata(path) {
            return FileId::Inode {
                dev: meta.dev(),
                ino: meta.ino(),
            };
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        match (absolute.parent(), absolute.file_name()) {
            (Some(dir), Some(name)) => FileId::Path(
                std::fs::canonicalize(dir).map_or_else(|_| absolute.clone(), |d| d.join(name)),
            ),
            _ => FileId::Path(absolute),
        }
    }
}

/// The limits the chart exporters apply (see `export::chart`), checked up front.
fn check_chart_size(out: &OutputArgs) -> Result<()> {
    if !(200..=8000).contains(&out.width) || !(150..=8000).contains(&out.height) {
        let err = crate::export::ChartError::Size(out.width, out.height);
        bail!("--width {} --height {}: {err}", out.width, out.height);
    }
    Ok(())
}

/// `path` can be written atomically: it is a new name or a regular file, or a symbolic link
/// to a regular file (written through, see [`crate::safe_fs::output_target`]), not in `/dev`,
/// `/proc` or `/sys`, and the directory of the file that will be replaced takes a new file.
fn check_output_path(flag: &str, path: &Path) -> Result<()> {
    let shown = path_text(path);
    if path.as_os_str().is_empty() {
        bail!("{flag} is empty: give a file name");
    }
    let target = crate::safe_fs::output_target(path).map_err(|e| {
        anyhow::anyhow!(
            "{flag} {}",
            crate::export::sanitize::for_terminal_line(&e.to_string())
        )
    })?;
    let file = target.file.as_path();
    if target.exists
        && let Ok(meta) = std::fs::metadata(file)
        && meta.permissions().readonly()
    {
        // The file is replaced by a rename, which its mode does not prevent; but a
        // read-only file is usually a file someone meant to keep.
        bail!("{flag} {shown} is read-only; remove it or choose another file")
    }
    let dir = crate::safe_fs::directory_of(file);
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => bail!("{flag} {shown}: {} is not a directory", path_text(dir)),
        Err(e) => bail!(
            "{flag} {shown}: the directory {} is not usable: {e}",
            path_text(dir)
        ),
    }
    // The results are written as a temporary file in that directory, then renamed: try it.
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = dir.join(format!(".corelab-check-{}-{n}", std::process::id()));
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)
    {
        Ok(file) => {
            drop(file);
            std::fs::remove_file(&probe).ok();
            Ok(())
        }
        Err(e) => bail!(
            "{flag} {shown}: cannot create files in {}: {e}",
            path_text(dir)
        ),
    }
}

/// Refuses, before the sweep, an `--out` that would replace a file other than an earlier
/// results file: a preset, notes, a program, or whatever a symbolic link leads to
/// (`/etc/hostname`). A file is told as results by its start
/// ([`crate::results::starts_as_results_file`], which reads at most
/// [`crate::results::SNIFF_BYTES`] of a regular file); a new name and an empty file may be
/// written. A path [`check_outputs`] refuses (a directory, a dangling link) is left to it.
pub(super) fn check_out_replaces_only_results(out: &Path) -> Result<()> {
    let Ok(target) = crate::safe_fs::output_target(out) else {
        return Ok(());
    };
    if !target.exists {
        return Ok(());
    }
    let shown = path_text(out);
    let via = match target.through_link {
        true => format!(" (a symbolic link to {})", path_text(&target.file)),
        false => String::new(),
    };
    let format = crate::results::RESULTS_FORMAT;
    match crate::results::is_empty_or_results_file(&target.file) {
        Ok(true) => Ok(()),
        Ok(false) => bail!(
            "--out {shown}{via} already exists and is not a corelab results file (its start \
             has no \"format\": \"{format}\"); --out replaces only an earlier results file: \
             choose another name or remove it first"
        ),
        Err(e) => bail!(
            "--out {shown}{via} already exists and cannot be read to tell whether it is a \
             corelab results file ({}); choose another name or remove it first",
            crate::export::sanitize::for_terminal_line(&e.to_string())
        ),
    }
}

/// A generous guess at one timed run's share of a results file (its samples, timeline and
/// counters as JSON; measured files hold 0.3–5 KiB a run).
pub(super) const BYTES_PER_RUN: u64 = 8 * 1024;
/// A generous guess at one cell's fixed share (statistics, errors, environment).
pub(super) const BYTES_PER_CELL: u64 = 16 * 1024;

/// Refuses, before the sweep, an `--out` whose file system has less free space than twice a
/// generous estimate of the results file (`cells` × `runs_per_cell` × [`BYTES_PER_RUN`] plus
/// [`BYTES_PER_CELL`] a cell; twice, as each save writes a new copy before the old one goes),
/// so that a full disk is found before a sweep is measured only to be lost. `free_bytes` says
/// how much an unprivileged user may still write where a path is (a seam for tests; see
/// [`crate::sys::available_disk_bytes`]); a file system that cannot say is not refused.
pub(super) fn check_room_for_results(
    out: &Path,
    cells: usize,
    runs_per_cell: u32,
    free_bytes: impl Fn(&Path) -> std::io::Result<u64>,
) -> Result<()> {
    if is_stdout(out) {
        return Ok(());
    }
    // The file system of the file actually replaced: a symlinked --out writes where it leads.
    let file = crate::safe_fs::output_target(out).map_or_else(|_| out.to_path_buf(), |t| t.file);
    let Ok(free) = free_bytes(crate::safe_fs::directory_of(&file)) else {
        return Ok(());
    };
    let cells = cells as u64;
    let estimate = cells
        .saturating_mul(u64::from(runs_per_cell))
        .saturating_mul(BYTES_PER_RUN)
        .saturating_add(cells.saturating_mul(BYTES_PER_CELL));
    let needed = estimate.saturating_mul(2);
    if free < needed {
        bail!(
            "--out {}: its file system has only {} free, and the results file may need {} \
             ({cells} cells × {runs_per_cell} runs × {} a run + {} a cell, twice while each \
             save replaces the last); free some space or choose another --out",
            path_text(out),
            crate::engine::resources::human(free),
            crate::engine::resources::human(needed),
            crate::engine::resources::human(BYTES_PER_RUN),
            crate::engine::resources::human(BYTES_PER_CELL),
        );
    }
    Ok(())
}

#[cfg(test)]
mod room_tests {
    use super::*;

    #[test]
    fn a_full_file_system_is_refused_before_the_sweep_with_the_numbers() {
        let out = Path::new("full/new.json");
        let err = check_room_for_results(out, 10, 6, |dir| {
            assert_eq!(dir, Path::new("full"));
            Ok(0)
        })
        .unwrap_err()
        .to_string();
        // 10 × 6 × 8 KiB + 10 × 16 KiB = 640 KiB, twice: 1.25 MiB.
        assert!(
            err.starts_with("--out full/new.json: its file system has only 0 B free"),
            "{err}"
        );
        assert!(
            err.contains("10 cells × 6 runs × 8.0 KiB a run + 16.0 KiB a cell"),
            "{err}"
        );
    }

    #[test]
    fn a_symlinked_out_is_checked_where_it_leads() {
        let tmp = tempfile::tempdir().unwrap();
        let (here, there) = (tmp.path().join("here"), tmp.path().join("there"));
        std::fs::create_dir_all(&here).unwrap();
        std::fs::create_dir_all(&there).unwrap();
        std::fs::write(there.join("real.json"), "{}").unwrap();
        std::os::unix::fs::symlink(there.join("real.json"), here.join("out.json")).unwrap();
        let asked = std::cell::RefCell::new(None);
        check_room_for_results(&here.join("out.json"), 1, 1, |dir| {
            *asked.borrow_mut() = Some(dir.to_path_buf());
            Ok(u64::MAX)
        })
        .unwrap();
        assert_eq!(asked.into_inner(), Some(there));
    }

    #[test]
    fn enough_room_or_an_unknown_free_space_is_not_refused() {
        let out = Path::new("r.json");
        let needed = 2 * (10 * 6 * BYTES_PER_RUN + 10 * BYTES_PER_CELL);
        check_room_for_results(out, 10, 6, |dir| {
            assert_eq!(dir, Path::new("."));
            Ok(needed)
        })
        .unwrap();
        assert!(check_room_for_results(out, 10, 6, |_| Ok(needed - 1)).is_err());
        check_room_for_results(out, 10, 6, |_| Err(std::io::Error::other("no statvfs"))).unwrap();
        check_room_for_results(Path::new("-"), 10, 6, |_| Ok(0)).unwrap();
    }
}

#[cfg(test)]
mod replace_tests {
    use super::*;

    #[test]
    fn out_replaces_a_new_name_an_empty_file_or_an_earlier_results_file_only() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        check_out_replaces_only_results(&d.join("new.json")).unwrap();
        std::fs::write(d.join("empty.json"), "").unwrap();
        check_out_replaces_only_results(&d.join("empty.json")).unwrap();
        crate::results::ResultsFile::default()
            .save(&d.join("old.json"))
            .unwrap();
        check_out_replaces_only_results(&d.join("old.json")).unwrap();
        std::fs::write(d.join("notes.txt"), "mine\n").unwrap();
        let err = check_out_replaces_only_results(&d.join("notes.txt"))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with(&format!(
                "--out {} already exists and is not a corelab results file",
                d.join("notes.txt").display()
            )) && err.ends_with("choose another name or remove it first"),
            "{err}"
        );
        std::os::unix::fs::symlink(d.join("notes.txt"), d.join("link.json")).unwrap();
        let err = check_out_replaces_only_results(&d.join("link.json"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(&format!(
                "link.json (a symbolic link to {}) already exists",
                d.join("notes.txt").display()
            )),
            "{err}"
        );
    }

    #[test]
    fn the_refusal_of_an_output_that_is_an_input_says_which_input() {
        let tmp = tempfile::tempdir().unwrap();
        let program = tmp.path().join("bench.sh");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        let out = program.clone();
        let err = check_outputs(
            &[("--out", Some(&out))],
            &[("the command task's program, task.command.argv[0]", &program)],
            &OutputArgs::default(),
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            err,
            format!(
                "--out {} is both an input and an output (the command task's program, \
                 task.command.argv[0]): it would be overwritten",
                program.display()
            )
        );
    }
}
