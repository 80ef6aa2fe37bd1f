//! The lock a `corelab run` holds on its `--out` while it writes it, so that a second run on
//! the same file, by any of its names, is refused; the lock lives in a directory only this
//! user can write.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::message_paths::path_text;

/// The file a write to `out` replaces, as one name for all the ways of naming it: a symbolic
/// link followed to its target ([`crate::safe_fs::output_target`]), then that file's
/// directory resolved (`canonicalize`: no symlink, `.` or `..` left) and its file name, so that
/// `r.json`, `./r.json`, `d/../r.json`, `/abs/r.json` and a link to `r.json` are one key.
fn resolved_output(out: &Path) -> PathBuf {
    let target = crate::safe_fs::output_target(out).map_or_else(|_| out.to_path_buf(), |t| t.file);
    let absolute = std::path::absolute(&target).unwrap_or(target);
    match (absolute.parent(), absolute.file_name()) {
        (Some(dir), Some(name)) => std::fs::canonicalize(dir)
            .map(|d| d.join(name))
            .unwrap_or_else(|_| absolute.clone()),
        _ => absolute.clone(),
    }
}

/// The lock file of a run writing `out`: `out-<hash>.lock` in this user's private lock
/// directory ([`private_lock_dir`]), where `<hash>` is a stable hash (FNV-1a) of the file the
/// write replaces ([`resolved_output`]), so that every name of one target (`r.json`,
/// `./r.json`, `d/../r.json`, `/abs/r.json`, a symlink to it) shares one lock. It lives
/// outside `out`'s directory so that a run killed with SIGKILL leaves nothing there, and
/// outside the shared temporary directory so that another user cannot plant it (the name is
/// predictable by design: two runs must find the same lock).
pub fn output_lock_path(out: &Path) -> Result<PathBuf> {
    let key = resolved_output(out);
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in key.as_os_str().as_encoded_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    Ok(private_lock_dir()?.join(format!("out-{hash:016x}.lock")))
}

/// A directory only this user can write: `$XDG_RUNTIME_DIR/corelab` when the session has one
/// (it is private by specification), else `corelab-locks-<uid>` in the temporary directory.
/// Either is created with mode 0700; an existing one is used only if it is a real directory
/// (not a symlink) owned by this user and closed to others, otherwise corelab refuses.
fn private_lock_dir() -> Result<PathBuf> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let uid = crate::sys::effective_uid();
    let (dir, from) = match std::env::var_os("XDG_RUNTIME_DIR").filter(|d| !d.is_empty()) {
        Some(runtime) if Path::new(&runtime).is_absolute() => {
            (Path::new(&runtime).join("corelab"), "XDG_RUNTIME_DIR")
        }
        _ => (
            std::env::temp_dir().join(format!("corelab-locks-{uid}")),
            "TMPDIR, else /tmp",
        ),
    };
    match std::fs::DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => bail!(
            "cannot create the lock directory {} (in {from}): {e}; point {} at a directory you can write",
            path_text(&dir),
            from.split(',').next().unwrap_or(from)
        ),
    }
    let meta = std::fs::symlink_metadata(&dir)
        .with_context(|| format!("cannot inspect the lock directory {}", path_text(&dir)))?;
    if !meta.is_dir() || meta.uid() != uid || meta.permissions().mode() & 0o077 != 0 {
        bail!(
            "refusing the lock directory {}: it must be a directory owned by you (uid {uid}) \
             with mode 0700, and it is {} owned by uid {} with mode {:o}; remove it and retry",
            path_text(&dir),
            if meta.file_type().is_symlink() {
                "a symlink"
            } else if meta.is_dir() {
                "a directory"
            } else {
                "a file"
            },
            meta.uid(),
            meta.permissions().mode() & 0o7777
        );
    }
    Ok(dir)
}

/// An exclusive lock on [`output_lock_path`]`(out)`, held while a run writes `out`; the file
/// holds the holder's pid and is removed when the lock is dropped.
pub(super) struct OutputLock {
    path: PathBuf,
    file: std::fs::File,
}

impl OutputLock {
    /// The lock file (removed when the lock is dropped).
    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    pub(super) fn take(out: &Path) -> Result<OutputLock> {
        use std::io::{Read as _, Seek as _, Write as _};
        use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
        let path = output_lock_path(out)?;
        // A lock file removed by the previous holder between our open and our flock is a
        // stale inode: try again with the new file.
        for _ in 0..8 {
            let mut file = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                // Never follow a symlink, even in a private directory.
                .custom_flags(libc::O_NOFOLLOW)
                .mode(0o600)
                .open(&path)
                .with_context(|| format!("cannot create the lock file {}", path_text(&path)))?;
            if let Err(e) = crate::sys::flock(&file, crate::sys::Lock::ExclusiveNow) {
                if e.kind() != std::io::ErrorKind::WouldBlock {
                    bail!("cannot lock {}: {e}", path_text(&path));
                }
                let mut holder = String::new();
                file.read_to_string(&mut holder).ok();
                let who = match holder.trim().parse::<u32>() {
                    Ok(pid) => format!("another corelab run (pid {pid})"),
                    Err(_) => "another corelab run".to_string(),
                };
                bail!(
                    "{who} is writing {} (it holds the lock {}); wait for it to finish or choose another --out",
                    path_text(out),
                    path_text(&path)
                );
            }
            let same = match (file.metadata(), std::fs::symlink_metadata(&path)) {
                (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino() && a.is_file(),
                _ => false,
            };
            if !same {
                continue;
            }
            // Fixed width, so the old content is overwritten without truncating.
            file.rewind().ok();
            writeln!(file, "{:<20}", std::process::id()).ok();
            return Ok(OutputLock { path, file });
        }
        bail!("cannot lock {}: it keeps being replaced", path_text(&path))
    }
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked, so that no other run locks a file about to vanish.
        std::fs::remove_file(&self.path).ok();
        crate::sys::flock(&self.file, crate::sys::Lock::Unlock).ok();
    }
}
