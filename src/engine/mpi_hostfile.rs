//! `mpi.hostfile`, checked before anything is launched. Open MPI's own report of a hostfile it
//! cannot open ("Open RTE was unable to open the hostfile: PATH", then an internal error of
//! ORTE's) reached a cell's error cut to its last lines, which no longer held the path; and the
//! launcher, which runs in the cell's scratch directory, took a relative path from there.

use std::path::{Path, PathBuf};

/// Why `py-mpi` cannot hand the launcher the hostfile a preset names. Each quotes the path.
#[derive(Debug, thiserror::Error)]
pub enum HostfileError {
    /// The launcher runs in the cell's scratch directory, where a relative path names nothing
    /// the user meant; the command line and the workbench anchor one to the preset's folder.
    #[error(
        "the MPI hostfile `{}` (mpi.hostfile) is a relative path; give it from the root (or open \
         the preset from a file, whose folder a relative path is taken from)",
        shown(.0)
    )]
    Relative(PathBuf),
    #[error(
        "the MPI hostfile `{}` (mpi.hostfile) cannot be read: {source}",
        shown(path)
    )]
    Unreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "the MPI hostfile `{}` (mpi.hostfile) is not a regular file: it is {kind}",
        shown(path)
    )]
    NotAFile { path: PathBuf, kind: &'static str },
}

/// A path as the messages quote it: escaped, so that a control character in a preset's text
/// cannot reach a terminal.
fn shown(path: &Path) -> String {
    path.display().to_string().escape_debug().to_string()
}

/// The hostfile `text` (a preset's `mpi.hostfile`) names: `None` when it names none (every
/// rank runs here), else its path, which must be absolute and name a regular file that
/// corelab can open for reading (looked at and opened, never run; anything but a regular
/// file, a named pipe included, is refused by its type before it is opened).
pub fn checked_hostfile(text: &str) -> Result<Option<PathBuf>, HostfileError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let path = PathBuf::from(text);
    if path.is_relative() {
        return Err(HostfileError::Relative(path));
    }
    match std::fs::metadata(&path) {
        Ok(m) if m.is_file() => {}
        Ok(m) => {
            return Err(HostfileError::NotAFile {
                kind: crate::safe_fs::describe_type(m.file_type()),
                path,
            });
        }
        Err(source) => return Err(HostfileError::Unreadable { path, source }),
    }
    match std::fs::File::open(&path) {
        Ok(_) => Ok(Some(path)),
        Err(source) => Err(HostfileError::Unreadable { path, source }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_hostfile_is_none_and_a_readable_file_is_its_path() {
        assert!(checked_hostfile("").unwrap().is_none());
        assert!(checked_hostfile("  ").unwrap().is_none());
        let dir = tempfile::tempdir().unwrap();
        let hosts = dir.path().join("hosts");
        std::fs::write(&hosts, "localhost slots=8\n").unwrap();
        let text = format!(" {} ", hosts.display());
        assert_eq!(checked_hostfile(&text).unwrap(), Some(hosts));
    }

    #[test]
    fn a_missing_relative_or_odd_hostfile_is_refused_quoting_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("no such hosts");
        let e = checked_hostfile(missing.to_str().unwrap()).unwrap_err();
        assert!(matches!(e, HostfileError::Unreadable { .. }), "{e:?}");
        let text = e.to_string();
        assert!(
            text.starts_with(&format!(
                "the MPI hostfile `{}` (mpi.hostfile) cannot be read: ",
                missing.display()
            )),
            "{text}"
        );
        assert!(text.contains("No such file"), "{text}");

        let e = checked_hostfile("hosts").unwrap_err().to_string();
        assert!(
            e.starts_with("the MPI hostfile `hosts` (mpi.hostfile) is a relative path"),
            "{e}"
        );

        let e = checked_hostfile(dir.path().to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.ends_with("(mpi.hostfile) is not a regular file: it is a directory"),
            "{e}"
        );

        // A named pipe is refused by its type: opening it would wait for a writer.
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let e = checked_hostfile(fifo.to_str().unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.ends_with("it is a named pipe (fifo)"), "{e}");

        let e = checked_hostfile("/tmp/a\u{1b}[2Jb")
            .unwrap_err()
            .to_string();
        assert!(!e.contains('\u{1b}'), "escaped: {e:?}");
    }
}
