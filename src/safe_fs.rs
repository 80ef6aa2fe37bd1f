//! Reading files that may be hostile and replacing files atomically.
//!
//! Presets and results files are shared: a "file" may be a fifo (an open for reading blocks
//! until a writer comes), a device (`/dev/zero` never ends) or grow while it is read. Every
//! read of such a file goes through [`read_regular_file`], which refuses anything that is not a
//! regular file before and after opening it and never reads more than its cap. Every file
//! corelab replaces goes through [`write_atomically`]: an exclusive, unpredictable temporary
//! file next to the target, then a rename.

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

/// Reads a whole regular file of at most `max_bytes` bytes.
///
/// Refuses a fifo, device, socket or directory before opening it (opening some devices has
/// effects) and again on the opened descriptor (the path may have been swapped in between).
/// The open is non-blocking, so a fifo swapped in cannot hang it, and does not make a terminal
/// the controlling terminal. At most `max_bytes + 1` bytes are read, whatever the metadata
/// says, so a file that grows while it is read is refused too. Symbolic links to regular
/// files are followed.
pub fn read_regular_file(path: &Path, max_bytes: u64) -> Result<Vec<u8>, ReadError> {
    require_regular(std::fs::metadata(path)?.file_type())?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)?;
    let meta = file.metadata()?;
    require_regular(meta.file_type())?;
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

/// Replaces `path` with `bytes` so that it holds either the old or the new content.
///
/// The content goes to an exclusively created temporary file with an unpredictable name in the
/// target's directory (`O_EXCL`: a planted file or symbolic link there is never written
/// through), is flushed to disk, then renamed over the target. A target that exists and is not
/// a regular file (a directory, a fifo, a device) is refused with a message naming what it is.
/// The new file keeps the permissions of the file it replaces; a new file gets the usual
/// `0666` less the umask.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let existing = match std::fs::metadata(path) {
        Ok(meta) => {
            if !meta.file_type().is_file() {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!(
                        "{} is {}, not a regular file; refusing to replace it",
                        path.display(),
                        describe_type(meta.file_type())
                    ),
                ));
            }
            Some(meta.permissions())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "corelab".into());
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        // Applied at creation, so the umask still restricts it.
        .permissions(Permissions::from_mode(0o666))
        .tempfile_in(&dir)?;
    if let Some(perms) = existing {
        tmp.as_file().set_permissions(perms)?;
    }
    // Through the `File`: the temporary file's name (gone after a failure) is not part of
    // the error, which the caller reports with the target's path.
    tmp.as_file_mut().write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    // Best effort: make the rename itself durable.
    if let Ok(d) = File::open(&dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
