//! Reading files that may be hostile and replacing files atomically.
//!
//! Presets and results files are shared: a "file" may be a fifo (an open for reading blocks
//! until a writer comes), a device (`/dev/zero` never ends) or grow while it is read. Every
//! read of such a file goes through [`read_regular_file`], which refuses anything that is not a
//! regular file before and after opening it and never reads more than its cap. Every file
//! corelab replaces goes through [`write_atomically`]: symbolic links followed to the regular
//! file they lead to ([`output_target`], which refuses devices, fifos, sockets, directories,
//! dangling links and `/dev`, `/proc`, `/sys`), then an exclusive, unpredictable temporary
//! file next to that file, then a rename.
//!
//! And one for tests: [`write_executable`] writes a script that can be run at once while other
//! threads start processes ("Text file busy" otherwise).

use std::ffi::OsStr;
use std::fs::{File, OpenOptions, Permissions};
use std::io::{Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why [`read_regular_file`] did not return the content.
#[derive(Debug, Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("it is {what}, not a regular file")]
    NotRegular { what: &'static str },
    #[error("it is at least {bytes} bytes, larger than the {limit}-byte limit")]
    TooLarge { bytes: u64, limit: u64 },
}

impl From<ReadError> for std::io::Error {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Io(io) => io,
            ReadError::NotRegular { .. } => {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
            }
            ReadError::TooLarge { .. } => {
                std::io::Error::new(std::io::ErrorKind::FileTooLarge, e.to_string())
            }
        }
    }
}

/// What a file that is not a regular file is, in words.
pub fn describe_type(file_type: std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        "a directory"
    } else if file_type.is_fifo() {
        "a named pipe (fifo)"
    } else if file_type.is_char_device() {
        "a character device"
    } else if file_type.is_block_device() {
        "a block device"
    } else if file_type.is_socket() {
        "a socket"
    } else if file_type.is_symlink() {
        "a symbolic link"
    } else if file_type.is_file() {
        "a regular file"
    } else {
        "an unknown kind of file"
    }
}

fn require_regular(file_type: std::fs::FileType) -> Result<(), ReadError> {
    if file_type.is_file() {
        Ok(())
    } else {
        Err(ReadError::NotRegular {
            what: describe_type(file_type),
        })
    }
}

/// Opens a regular file for reading, with its metadata as of the open: refused before the
/// open when the path is a fifo, device, socket or directory (opening some devices has
/// effects), and again on the opened descriptor (the path may have been swapped in between).
/// The open is non-blocking, so a fifo swapped in cannot hang it, and does not make a
/// terminal the controlling terminal. Symbolic links to regular files are followed. The
/// caller bounds what it reads ([`read_regular_file`] reads it whole, up to a cap).
pub fn open_regular(path: &Path) -> Result<(std::fs::File, std::fs::Metadata), ReadError> {
    require_regular(std::fs::metadata(path)?.file_type())?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    require_regular(meta.file_type())?;
    Ok((file, meta))
}

/// Reads a whole regular file of at most `max_bytes` bytes, opened with [`open_regular`].
///
/// Refuses a fifo, device, socket or directory before opening it (opening some devices has
/// effects) and again on the opened descriptor (the path may have been swapped in between).
/// The open is non-blocking, so a fifo swapped in cannot hang it, and does not make a terminal
/// the controlling terminal. At most `max_bytes + 1` bytes are read, whatever the metadata
/// says, so a file that grows while it is read is refused too. Symbolic links to regular
/// files are followed.
pub fn read_regular_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > max_bytes {
        return Err(ReadError::TooLarge {
            bytes: meta.len(),
            limit: max_bytes,
        });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max_bytes {
        return Err(ReadError::TooLarge {
            bytes: bytes.len() as u64,
            limit: max_bytes,
        });
    }
    Ok(bytes)
}

/// [`read_regular_file`] for text: invalid UTF-8 is an `InvalidData` I/O error.
pub fn read_regular_text(path: &Path, max_bytes: u64) -> Result<String, ReadError> {
    let bytes = read_regular_file(path, max_bytes)?;
    String::from_utf8(bytes).map_err(|e| {
        ReadError::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text: {e}"),
        ))
    })
}

/// The system directories whose entries are not files to replace: devices, kernel views of
/// processes and the kernel's settings. An output path that is in one, or a symbolic link that
/// leads through one (`/dev/stdout` → `/proc/self/fd/1`), is refused.
const SYSTEM_DIRS: [&str; 3] = ["/dev", "/proc", "/sys"];

/// The most symbolic links followed from an output path to its file, as the kernel's limit.
const MAX_LINKS: usize = 40;

/// What an output path names once its symbolic links are followed ([`output_target`]).
#[derive(Debug, Clone, PartialEq)]
pub struct OutputTarget {
    /// The file that is replaced: the path itself, or the regular file its links lead to.
    pub file: PathBuf,
    /// Whether `file` exists already (a regular file), rather than being a new name.
    pub exists: bool,
    /// Whether the path was a symbolic link (so `file` is its target).
    pub through_link: bool,
}

fn refusal(path: &Path, why: String) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!("{} {why}", path.display()),
    )
}

/// `path` made absolute with its directory's symbolic links resolved (the name itself is
/// kept), when its directory exists.
fn with_real_directory(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => {
            std::fs::canonicalize(dir).map_or_else(|_| absolute.clone(), |d| d.join(name))
        }
        _ => absolute,
    }
}

/// Refuses `path` when it is in `/dev`, `/proc` or `/sys` (after its directory's links).
fn refuse_system_dir(original: &Path, path: &Path) -> std::io::Result<()> {
    let real = with_real_directory(path);
    if let Some(dir) = SYSTEM_DIRS.iter().find(|d| real.starts_with(d)) {
        let via = match original == path {
            true => String::new(),
            false => format!(" (through the symbolic link to {})", path.display()),
        };
        return Err(refusal(
            original,
            format!(
                "is in {dir}{via}, which holds devices and kernel files, not files to \
                 replace; refusing to write it (use `-` for standard output where the \
                 option allows it)"
            ),
        ));
    }
    Ok(())
}

/// The file that writing `path` replaces, or why `path` must not be written.
///
/// A new name (nothing there, not even a link) is created. A regular file is replaced. A
/// symbolic link is followed, link by link, to the regular file it leads to, which is replaced
/// in its own directory, so the link stays a link. Refused: a dangling symbolic link (writing
/// would create a file wherever it points), a link to anything that is not a regular file (a
/// directory, `/dev/null`, a fifo, a socket), anything that is not a regular file itself, and
/// any path in, or link leading into, `/dev`, `/proc` or `/sys`.
pub fn output_target(path: &Path) -> std::io::Result<OutputTarget> {
    let mut current = path.to_path_buf();
    for hop in 0..=MAX_LINKS {
        refuse_system_dir(path, &current)?;
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            // A new name; a directory part that is missing or not a directory is left for
            // the caller's directory check (and the write) to name.
            Err(e)
                if hop == 0
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
            {
                return Ok(OutputTarget {
                    file: current,
                    exists: false,
                    through_link: false,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(refusal(
                    path,
                    format!(
                        "is a symbolic link to {}, which does not exist; refusing to create a \
                         file through a link (remove the link, or name the file itself)",
                        current.display()
                    ),
                ));
            }
            Err(e) => {
                return Err(std::io::Error::new(
                    e.kind(),
                    format!("{} cannot be inspected: {e}", current.display()),
                ));
            }
        };
        let file_type = meta.file_type();
        if file_type.is_symlink() {
            let link = std::fs::read_link(&current)?;
            current = match link.is_absolute() {
                true => link,
                false => current
                    .parent()
                    .map_or_else(|| link.clone(), |dir| dir.join(&link)),
            };
            continue;
        }
        if file_type.is_file() {
            return Ok(OutputTarget {
                file: current,
                exists: true,
                through_link: hop > 0,
            });
        }
        let what = describe_type(file_type);
        return Err(refusal(
            path,
            match hop {
                0 => format!("is {what}, not a regular file; refusing to replace it"),
                _ => format!(
                    "is a symbolic link to {} ({what}), not to a regular file; refusing to \
                     write it",
                    current.display()
                ),
            },
        ));
    }
    Err(refusal(
        path,
        format!("leads through more than {MAX_LINKS} symbolic links"),
    ))
}

/// The directory a path's file is in: its parent, or `.` for a bare file name (whose parent is
/// empty).
pub fn directory_of(path: &Path) -> &Path {
    path.parent()
        .filter(|dir| !dir.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The names of the hidden temporary files [`write_atomically`] makes beside the file it
/// replaces: `.NAME.XXXXXX.tmp`, six unpredictable characters between the file's name and
/// `.tmp`. Names them for the write, and recognises them for whoever removes what a write cut
/// short left (`cli::second_signal`).
pub struct TemporaryName {
    /// `.NAME.`
    prefix: String,
}

impl TemporaryName {
    const SUFFIX: &str = ".tmp";
    const RANDOM_CHARS: usize = 6;

    /// The temporary files of the file named `file_name`.
    pub fn of(file_name: &OsStr) -> TemporaryName {
        TemporaryName {
            prefix: format!(".{}.", file_name.to_string_lossy()),
        }
    }

    /// A builder that creates one of them, exclusively, with an unpredictable name.
    fn builder(&self) -> tempfile::Builder<'_, '_> {
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&self.prefix)
            .suffix(Self::SUFFIX)
            .rand_bytes(Self::RANDOM_CHARS);
        builder
    }

    /// The name of the file that a temporary file named `name` was made for (`keep.json` for
    /// `.keep.json.Yn6zUB.tmp`), whatever that file is: `name` is `.`, a name, `.`, six ASCII
    /// letters or digits (the random part `tempfile` makes) and `.tmp`. `None` for any other
    /// name (not valid UTF-8 included).
    pub fn target_of(name: &OsStr) -> Option<&str> {
        let inner = name
            .to_str()?
            .strip_prefix('.')?
            .strip_suffix(Self::SUFFIX)?;
        let (target, random) = inner.rsplit_once('.')?;
        let random_part =
            random.len() == Self::RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric());
        (random_part && !target.is_empty()).then_some(target)
    }

    /// Whether `name` is the name of one of them.
    pub fn names(&self, name: &OsStr) -> bool {
        let name = name.to_string_lossy();
        name.len() == self.prefix.len() + Self::RANDOM_CHARS + Self::SUFFIX.len()
            && name.starts_with(&self.prefix)
            && name.ends_with(Self::SUFFIX)
    }
}

/// Replaces the file `path` names with `bytes` so that it holds either the old or the new
/// content.
///
/// Which file that is, and what is refused, is [`output_target`]'s rule: a symbolic link to a
/// regular file is written through (the link stays a link, its target is replaced in the
/// target's directory); devices, fifos, sockets, directories, dangling links and anything in
/// `/dev`, `/proc` or `/sys` are refused with a message naming what they are. The content goes
/// to an exclusively created temporary file with an unpredictable name in that file's
/// directory (`O_EXCL`: a planted file or symbolic link there is never written through), is
/// flushed to disk, then renamed over the file. The new file keeps the permissions of the file
/// it replaces; a new file gets the usual `0666` less the umask.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let target = output_target(path)?;
    let path = target.file.as_path();
    let tmp = written_beside(&target, bytes)?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_directory_of(path);
    Ok(())
}

/// [`write_atomically`], replacing only a file that `may_replace` accepts, judged on the very
/// file the write replaces: the new content goes in with `renameat2(RENAME_EXCHANGE)`, which
/// swaps it with what has the name at that instant; that old file, now under the temporary
/// name, must be a regular file (not a link) that `may_replace` accepts (`Err` says why not),
/// or the two are swapped back, the other file left as it was, and the error is the reason.
/// `may_replace` is also given the [`OutputTarget`] `path` resolved to (to say a link, say).
/// So another program that swaps the file (or a link) in at any moment never has it written
/// over. A new name is taken only if nothing has it by then (`RENAME_NOREPLACE`). Where the
/// file system cannot exchange (`EINVAL`), `may_replace` is asked just before a plain rename.
pub fn replace_atomically_if(
    path: &Path,
    bytes: &[u8],
    may_replace: impl Fn(&Path, &OutputTarget) -> Result<(), String>,
) -> std::io::Result<()> {
    let refused = |why: String| std::io::Error::new(std::io::ErrorKind::AlreadyExists, why);
    let target = output_target(path)?;
    let may_replace = |file: &Path| may_replace(file, &target);
    let path = target.file.as_path();
    let tmp = written_beside(&target, bytes)?;
    if !target.exists {
        tmp.persist_noclobber(path).map_err(|e| e.error)?;
        sync_directory_of(path);
        return Ok(());
    }
    let swapped = tmp.path().to_path_buf();
    match crate::sys::exchange_names(&swapped, path) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
            may_replace(path).map_err(refused)?;
            tmp.persist(path).map_err(|e| e.error)?;
            sync_directory_of(path);
            return Ok(());
        }
        Err(e) => return Err(e),
    }
    // `swapped` now holds the file that had the name.
    let verdict = match std::fs::symlink_metadata(&swapped) {
        Ok(meta) if meta.file_type().is_file() => may_replace(&swapped),
        Ok(_) => Err("it is no longer a regular file (another program put something else in its place); not replaced".to_string()),
        Err(e) => Err(format!("what had its name cannot be looked at ({e}); not replaced")),
    };
    match verdict {
        Ok(()) => {
            // Dropping `tmp` removes the old file from its temporary name.
            drop(tmp);
            sync_directory_of(path);
            Ok(())
        }
        Err(why) => match crate::sys::exchange_names(&swapped, path) {
            Ok(()) => {
                drop(tmp); // the new content, back under the temporary name
                Err(refused(why))
            }
            Err(e) => {
                // The other program's file stays where it is now, named in the error.
                let kept = tmp.into_temp_path().keep().unwrap_or(swapped);
                Err(refused(format!(
                    "{why}; swapping it back failed ({e}), so it is now at {}",
                    kept.display()
                )))
            }
        },
    }
}

/// Writes `bytes` to a new file at `path`, never replacing one (fails with `AlreadyExists`):
/// the content goes to an exclusive, unpredictable temporary file in `path`'s directory, is
/// flushed to disk, then takes the name only if nothing has it (`renameat2(RENAME_NOREPLACE)`,
/// else a hard link). So a process killed at any moment leaves either no file at `path` or all
/// of `bytes` there, never an empty or half-written one (at most a hidden temporary file beside
/// it, `.NAME.XXXXXX.tmp`). The file gets the usual `0666` less the umask.
pub fn write_new_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = temporary_beside(path)?;
    write_durably(&mut tmp, bytes)?;
    tmp.persist_noclobber(path).map_err(|e| e.error)?;
    sync_directory_of(path);
    Ok(())
}

/// An exclusively created temporary file with an unpredictable name in `path`'s directory,
/// for [`write_atomically`] and [`write_new_atomically`]: mode `0666` applied at creation, so
/// the umask still restricts it.
fn temporary_beside(path: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    TemporaryName::of(path.file_name().unwrap_or(OsStr::new("corelab")))
        .builder()
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(directory_of(path))
}

/// Writes `bytes` to the temporary file and flushes them to disk. Through the `File`: the
/// temporary file's name (gone after a failure) is not part of the error, which the caller
/// reports with the target's path.
/// `bytes` in a new temporary file beside `target`'s file ([`temporary_beside`]), flushed to
/// disk, with the permissions of the file it is to replace where there is one.
fn written_beside(target: &OutputTarget, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let mut tmp = temporary_beside(&target.file)?;
    if target.exists {
        tmp.as_file()
            .set_permissions(std::fs::metadata(&target.file)?.permissions())?;
    }
    write_durably(&mut tmp, bytes)?;
    Ok(tmp)
}

fn write_durably(tmp: &mut tempfile::NamedTempFile, bytes: &[u8]) -> std::io::Result<()> {
    tmp.as_file_mut().write_all(bytes)?;
    tmp.as_file().sync_all()
}

/// Best effort: makes a rename into `path`'s directory itself durable.
fn sync_directory_of(path: &Path) {
    if let Ok(d) = File::open(directory_of(path)) {
        let _ = d.sync_all();
    }
}

/// Writes `contents` to `path` as a new program (mode `0755`) that can be run at once, even
/// while other threads of this process start processes. An `exec` of a file fails with
/// "Text file busy" (`ETXTBSY`) while any process holds it open for writing, and a thread
/// that forks while another writes the file gives its child a copy of the write descriptor,
/// held until that child execs: a test that writes a script and runs it while other test
/// threads start processes failed so now and then. So this process never opens the file for
/// writing: `/bin/sh` does (`cat > "$1"`), in a process of its own that starts nothing else,
/// and has exited when this returns. For the tests' fake interpreters and launchers.
pub fn write_executable(path: &Path, contents: impl AsRef<[u8]>) -> std::io::Result<()> {
    use std::process::{Command, Stdio};
    let mut writer = Command::new("/bin/sh")
        .args(["-c", "cat > \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()?;
    let written = match writer.stdin.take() {
        Some(mut stdin) => stdin.write_all(contents.as_ref()),
        None => Err(std::io::Error::other("no pipe to /bin/sh")),
    };
    let output = writer.wait_with_output()?;
    if !output.status.success() {
        return Err(std::io::Error::other(format!(
            "cannot write {}: /bin/sh {}: {}",
            path.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        )));
    }
    written?;
    std::fs::set_permissions(path, Permissions::from_mode(0o755))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The names in `dir`, sorted.
    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// The file judged is the one the write replaces, at that instant: another program's file
    /// in its place (here from the start, as if swapped in just before the write) is swapped
    /// back untouched, and nothing is left behind; an accepted one is replaced; a new name is
    /// taken.
    #[test]
    fn a_conditional_replace_judges_the_file_it_replaces_and_swaps_a_refused_one_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.json");
        let seen = std::cell::RefCell::new(Vec::new());
        let only_ours = |file: &Path, _: &OutputTarget| -> Result<(), String> {
            let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
            seen.borrow_mut().push(text.clone());
            match text.starts_with("ours") {
                true => Ok(()),
                false => Err(format!("not ours: {text:?}")),
            }
        };
        replace_atomically_if(&path, b"ours 1", only_ours).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "ours 1");
        assert!(seen.borrow().is_empty(), "a new name has nothing to judge");
        replace_atomically_if(&path, b"ours 2", only_ours).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "ours 2");
        assert_eq!(
            seen.borrow().as_slice(),
            ["ours 1"],
            "the file replaced was judged"
        );
        std::fs::write(&path, "their notes").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o600)).unwrap();
        let err = replace_atomically_if(&path, b"ours 3", only_ours).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(err.to_string(), "not ours: \"their notes\"");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "their notes");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(names_in(dir.path()), ["out.json"], "no temporary file left");
    }

    #[test]
    fn a_new_file_is_all_there_or_not_there_and_never_replaces_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        write_new_atomically(&path, b"{\"status\": \"incomplete\"}").unwrap();
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"{\"status\": \"incomplete\"}"
        );
        let again = write_new_atomically(&path, b"other").unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists, "{again}");
        assert_eq!(
            std::fs::read(&path).unwrap(),
            b"{\"status\": \"incomplete\"}",
            "kept"
        );
        // No temporary file is left beside it, by the write or by the refusal.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["r.json".to_string()]);
    }

    #[test]
    fn an_executable_is_written_whole_and_runs_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("it's a script");
        let body = b"#!/bin/sh\nprintf '%s' \"$1\"\n";
        write_executable(&path, body).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), body);
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o755);
        let out = std::process::Command::new(&path)
            .arg("ran")
            .output()
            .unwrap();
        assert_eq!(out.stdout, b"ran");
        let missing = dir.path().join("no-such-dir").join("x");
        let err = write_executable(&missing, body).unwrap_err().to_string();
        assert!(err.contains("no-such-dir"), "{err}");
    }

    #[test]
    fn reads_a_regular_file_and_refuses_one_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.json");
        std::fs::write(&path, b"0123456789").unwrap();
        assert_eq!(read_regular_file(&path, 10).unwrap(), b"0123456789");
        let err = read_regular_file(&path, 9).unwrap_err();
        assert!(
            matches!(
                err,
                ReadError::TooLarge {
                    bytes: 10,
                    limit: 9
                }
            ),
            "{err}"
        );
    }

    #[test]
    fn refuses_a_directory_and_dev_zero() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_regular_file(dir.path(), 100).unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        let err = read_regular_file(Path::new("/dev/zero"), 100).unwrap_err();
        assert!(err.to_string().contains("character device"), "{err}");
    }

    #[test]
    fn atomic_write_keeps_the_mode_of_the_file_it_replaces_and_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.json");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn atomic_write_refuses_to_replace_a_directory() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("d");
        std::fs::create_dir(&target).unwrap();
        let err = write_atomically(&target, b"x").unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        assert!(target.is_dir());
    }

    #[test]
    fn a_symlink_to_a_regular_file_is_written_through_and_stays_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, b"old").unwrap();
        std::fs::set_permissions(&real, Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        // A chain of links, into another directory: the file at its end is replaced there.
        let other = tempfile::tempdir().unwrap();
        let hop = other.path().join("hop.csv");
        std::os::unix::fs::symlink(&link, &hop).unwrap();
        let target = output_target(&hop).unwrap();
        assert_eq!(target.file, real);
        assert!(target.exists && target.through_link);
        write_atomically(&hop, b"newer").unwrap();
        assert_eq!(std::fs::read(&real).unwrap(), b"newer");
        assert!(
            std::fs::symlink_metadata(&hop)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_dir(other.path()).unwrap().count(), 1);
    }

    #[test]
    fn dangling_links_links_to_directories_and_devices_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let dangling = dir.path().join("dangling.csv");
        std::os::unix::fs::symlink("missing/nowhere.csv", &dangling).unwrap();
        let err = write_atomically(&dangling, b"x").unwrap_err();
        assert!(err.to_string().contains("does not exist"), "{err}");
        assert!(!dir.path().join("missing").exists());
        let to_dir = dir.path().join("to-dir.csv");
        std::os::unix::fs::symlink(dir.path(), &to_dir).unwrap();
        let err = write_atomically(&to_dir, b"x").unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        let to_null = dir.path().join("null.csv");
        std::os::unix::fs::symlink("/dev/null", &to_null).unwrap();
        let err = write_atomically(&to_null, b"x").unwrap_err();
        assert!(err.to_string().contains("/dev"), "{err}");
        for link in [&dangling, &to_dir, &to_null] {
            assert!(
                std::fs::symlink_metadata(link)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
        }
        for system in [
            "/dev/null",
            "/dev/stdout",
            "/proc/self/status",
            "/dev/corelab-new",
        ] {
            let err = output_target(Path::new(system)).unwrap_err();
            assert!(err.to_string().contains("refusing"), "{system}: {err}");
        }
        // A loop of links.
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        let err = output_target(&a).unwrap_err();
        assert!(err.to_string().contains("more than"), "{err}");
    }

    #[test]
    fn a_bare_name_is_in_the_current_directory() {
        assert_eq!(directory_of(Path::new("r.json")), Path::new("."));
        assert_eq!(directory_of(Path::new("out/r.json")), Path::new("out"));
        assert_eq!(directory_of(Path::new("/r.json")), Path::new("/"));
        assert_eq!(directory_of(Path::new("/")), Path::new("."));
    }

    #[test]
    fn the_temporary_files_of_a_write_are_recognised_and_no_others() {
        let dir = tempfile::tempdir().unwrap();
        let temporary = TemporaryName::of(OsStr::new("keep.json"));
        let made = temporary.builder().tempfile_in(dir.path()).unwrap();
        let made_name = made.path().file_name().unwrap();
        assert!(temporary.names(made_name), "{made_name:?}");
        assert!(temporary.names(OsStr::new(".keep.json.Yn6zUB.tmp")));
        for other in [
            ".keep.json.Yn6zU.tmp",
            ".keep.json.Yn6zUBB.tmp",
            ".other.json.Yn6zUB.tmp",
            "keep.json.Yn6zUB.tmp",
            ".keep.json.Yn6zUB.bak",
            "keep.json",
        ] {
            assert!(!temporary.names(OsStr::new(other)), "{other}");
        }
        // Made for which file, whatever it is.
        assert_eq!(TemporaryName::target_of(made_name), Some("keep.json"));
        assert_eq!(
            TemporaryName::target_of(OsStr::new(".a.b.json.Yn6zUB.tmp")),
            Some("a.b.json")
        );
        for other in [
            ".keep.json.Yn6zU.tmp",
            ".keep.json.Yn6zUBB.tmp",
            ".keep.json.Yn6-UB.tmp",
            "..Yn6zUB.tmp",
            ".Yn6zUB.tmp",
            "keep.json.Yn6zUB.tmp",
            ".keep.json.Yn6zUB.bak",
            ".keep.json.Yn6zUB.tmp.tmp",
        ] {
            assert_eq!(TemporaryName::target_of(OsStr::new(other)), None, "{other}");
        }
    }

    #[test]
    fn a_new_name_and_a_regular_file_are_themselves() {
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.csv");
        assert_eq!(
            output_target(&new).unwrap(),
            OutputTarget {
                file: new.clone(),
                exists: false,
                through_link: false
            }
        );
        std::fs::write(&new, b"x").unwrap();
        assert!(output_target(&new).unwrap().exists);
    }
}
