//! Private temporary directories for runs.
//!
//! A scratch directory is created the way `mkdtemp(3)` does: an unpredictable name, created
//! exclusively (a directory another user planted under any name is never reused), mode 0700.
//! Files the engine puts in it are created exclusively too ([`create_new_file`]), so a planted
//! file or symbolic link is never written through.

use std::ffi::OsStr;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use crate::sys::dir_at::{open_at, stat_at, unlink_at};

/// A private temporary directory, removed with everything in it when dropped.
pub struct ScratchDir {
    dir: tempfile::TempDir,
}

/// The file in each scratch directory that names the corelab which made it
/// ([`crate::engine::run_mark::owner_text`]), so that a corelab killed before it could remove
/// its scratch directories has them removed at the next start
/// ([`remove_left_by_killed_runs`]).
pub const OWNER_FILE: &str = ".corelab-owner";

/// The most bytes of an owner file read: the owner's pid, start time, namespace, boot id and
/// host (64 bytes, each perhaps escaped to 3) with room to spare.
const OWNER_FILE_LIMIT: u64 = 1024;

/// The prefix of a scratch directory's name; `tempfile` adds 6 random characters.
const PREFIX: &str = "corelab-";
const RANDOM_CHARS: usize = 6;

impl ScratchDir {
    /// A fresh `corelab-XXXXXX` directory (mode 0700) in the system's temporary directory.
    pub fn create() -> std::io::Result<Self> {
        Self::create_in(&std::env::temp_dir())
    }

    /// A fresh `corelab-XXXXXX` directory (mode 0700) in `parent`. Refused where another user
    /// could rename entries of `parent` or of a directory above it ([`renamable_by_others`]):
    /// there the name of the directory, by which the engine writes and runs files in it and
    /// removes it, could be made to lead to a directory of theirs.
    ///
    /// It is made in `parent` resolved ([`trusted_parent`]): its path has no symbolic link in
    /// it, so no link on the way that is there now can be pointed elsewhere later.
    pub fn create_in(parent: &Path) -> std::io::Result<Self> {
        let parent = trusted_parent(parent).map_err(std::io::Error::other)?;
        let dir = tempfile::Builder::new()
            .prefix(PREFIX)
            .rand_bytes(RANDOM_CHARS)
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(&parent)?;
        write_new_file(
            &dir.path().join(OWNER_FILE),
            crate::engine::run_mark::owner_text().as_bytes(),
        )?;
        Ok(ScratchDir { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// What the start-up clean-up ([`remove_left_by_killed_runs`]) did, and what it could not do.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct CleanUp {
    /// Scratch directories of killed corelabs removed.
    pub removed: usize,
    /// One entry per scratch directory of a killed corelab that could not be removed entirely:
    /// its path, what stayed and why.
    pub not_removed: Vec<String>,
    /// Why the temporary directory was not cleaned at all, when it was not and scratch-like
    /// directories of this user are in it.
    pub skipped: Option<String>,
}

impl CleanUp {
    /// What could not be cleaned up, in words for the start-up line; `None` when all went well.
    pub fn trouble(&self) -> Option<String> {
        let mut said: Vec<String> = self.skipped.iter().cloned().collect();
        match self.not_removed.as_slice() {
            [] => {}
            [one] => said.push(format!(
                "could not remove a killed run's scratch directory: {one}"
            )),
            many => said.push(format!(
                "could not remove {} killed runs' scratch directories: {}",
                many.len(),
                many.join("; ")
            )),
        }
        (!said.is_empty()).then(|| said.join("; "))
    }

    /// `line` (what the start stopped and removed) with [`CleanUp::trouble`] added, as one line.
    pub fn with_trouble(&self, line: Option<String>) -> Option<String> {
        match (line, self.trouble()) {
            (Some(line), Some(trouble)) => Some(format!("{line}; {trouble}")),
            (line, trouble) => line.or(trouble),
        }
    }
}

/// At the start of corelab: removes the scratch directories in the temporary directory that a
/// corelab killed before it could remove them left behind ([`remove_left_by_killed_runs_in`]).
pub fn remove_left_by_killed_runs() -> CleanUp {
    remove_left_by_killed_runs_in(&std::env::temp_dir())
}

/// The deepest a scratch directory's tree is walked when it is removed; deeper is left, said.
const MAX_DEPTH: usize = 64;

/// [`remove_left_by_killed_runs`] in `parent`. Only a directory that is plainly a scratch
/// directory of this user is judged: named `corelab-` and 6 characters, not a symbolic link,
/// owned by this user with mode 0700, holding an owner file that is a regular file (not a
/// symbolic link) naming a corelab which is surely gone, judged as a run mark's owner is: of
/// this boot, pid namespace and host with its pid free or reused, or of this host in a boot
/// that ended before the owner file's last change
/// ([`crate::sys::process_identity::ProcessIdentity::liveness_from`]). Anything else (a live
/// corelab's directory, another container's or another host's sharing this directory, an older
/// corelab's that did not record where it ran) is left alone.
///
/// Why this cannot be tricked into removing another directory:
/// - A name is a promise only as long as nobody else can rename entries of `parent`. That is so
///   when `parent` belongs to this user or root and no one else can write in it, or it has the
///   sticky bit (`/tmp`): then only its owner can rename this user's entries. Otherwise
///   (writable by others without the sticky bit, or owned by another user) another user can
///   swap one of this user's own directories into a scratch directory's name at any moment
///   (`renameat2(RENAME_EXCHANGE)`), so nothing is judged there at all, and the returned
///   [`CleanUp::skipped`] says so when scratch-like directories are present.
/// - Even where names hold, everything is checked and removed through descriptors: the
///   candidate is opened once (`O_DIRECTORY | O_NOFOLLOW`, relative to `parent`'s descriptor),
///   its owner and mode are read from that descriptor, its owner file is opened relative to it
///   with `O_NOFOLLOW`, and its contents are removed by `unlinkat` relative to it, each
///   sub-directory opened `O_NOFOLLOW` in turn: what is removed is the directory that was
///   checked, whatever its name now leads to. Only the final `rmdir` of the emptied directory
///   goes by name, and only after `fstatat` shows the name still leads to it; `rmdir` removes
///   nothing but an empty directory.
/// - The owner file is removed last, so a removal that fails half-way (a sub-directory that
///   cannot be emptied) leaves a directory the next start judges and tries again, and
///   [`CleanUp::not_removed`] says what stayed and why.
///
/// Renaming a candidate to a fresh private name before checking it adds nothing here: where
/// others can rename, the rename itself goes by a name they can swap (moving one of the user's
/// own directories away from where the user left it), and the new name is visible to them;
/// where they cannot, the descriptor already pins the directory.
pub fn remove_left_by_killed_runs_in(parent: &Path) -> CleanUp {
    remove_left_in(parent, &mut |_| {})
}

/// [`remove_left_by_killed_runs_in`], calling `between_check_and_removal` with a directory's
/// path once it is judged a killed corelab's and before anything in it is removed (a test seam
/// for a rename in that moment).
fn remove_left_in(parent: &Path, between_check_and_removal: &mut dyn FnMut(&Path)) -> CleanUp {
    use std::os::unix::fs::MetadataExt;
    let mut done = CleanUp::default();
    let Ok(parent_dir) = std::fs::File::open(parent) else {
        return done;
    };
    let Ok(parent_meta) = parent_dir.metadata() else {
        return done;
    };
    let uid = crate::sys::effective_uid();
    let Ok(entries) = std::fs::read_dir(fd_path(&parent_dir)) else {
        return done;
    };
    let names: Vec<std::ffi::OsString> = entries
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| is_scratch_name(n))
        .collect();
    if let Some(why) = renames_by_others(&parent_meta, uid) {
        let alike = names
            .iter()
            .filter(|n| {
                std::fs::symlink_metadata(parent.join(n))
                    .is_ok_and(|m| m.is_dir() && m.uid() == uid && m.mode() & 0o777 == 0o700)
            })
            .count();
        if alike > 0 {
            done.skipped = Some(format!(
                "left {alike} scratch-like director{} in {} alone: {why}, so another user could \
                 swap one of your directories into its name; remove {} yourself or set TMPDIR \
                 to a private directory",
                if alike == 1 { "y" } else { "ies" },
                parent.display(),
                if alike == 1 { "it" } else { "them" },
            ));
        }
        return done;
    }
    for name in names {
        let path = parent.join(&name);
        let Ok(dir) = open_at(&parent_dir, &name, libc::O_DIRECTORY) else {
            continue;
        };
        let Ok(meta) = dir.metadata() else {
            continue;
        };
        if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o777 != 0o700 {
            continue;
        }
        let Some((owner, written)) = read_owner_file(&dir) else {
            continue;
        };
        if !crate::engine::run_mark::named_owner_is_gone(owner.trim(), written) {
            continue;
        }
        between_check_and_removal(&path);
        if let Err((inner, e)) = remove_contents(&dir, Path::new(""), Some(OWNER_FILE), 0) {
            done.not_removed.push(format!(
                "{}: {} stays ({e}); kept its owner file so the next start tries again",
                path.display(),
                path.join(inner).display()
            ));
            continue;
        }
        let still_there =
            stat_at(&parent_dir, &name).is_ok_and(|id| id == (meta.dev(), meta.ino()));
        if !still_there {
            done.not_removed.push(format!(
                "{}: renamed while it was removed; its contents are gone, the empty directory \
                 stays wherever it was moved",
                path.display()
            ));
            continue;
        }
        let removed = unlink_at(&dir, OsStr::new(OWNER_FILE), 0)
            .and_then(|()| unlink_at(&parent_dir, &name, libc::AT_REMOVEDIR));
        match removed {
            Ok(()) => done.removed += 1,
            Err(e) => done.not_removed.push(format!(
                "{}: the emptied directory stays ({e})",
                path.display()
            )),
        }
    }
    done
}

/// `corelab-` and 6 letters or digits, as [`ScratchDir::create_in`] names them.
fn is_scratch_name(name: &OsStr) -> bool {
    name.to_str()
        .and_then(|n| n.strip_prefix(PREFIX))
        .is_some_and(|random| {
            random.chars().count() == RANDOM_CHARS
                && random.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

/// Why someone other than this user (and root) can rename this user's entries of a directory
/// with metadata `meta`, or `None` when no one can.
fn renames_by_others(meta: &std::fs::Metadata, uid: u32) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    if meta.uid() != uid && meta.uid() != 0 {
        return Some(format!("it belongs to uid {}, another user", meta.uid()));
    }
    let mode = meta.mode();
    (mode & 0o022 != 0 && mode & 0o1000 == 0).then(|| {
        format!(
            "others can write in it (mode {:o}) and it lacks the sticky bit",
            mode & 0o7777
        )
    })
}

/// Why scratch directories are not made in `parent` ([`ScratchDir::create_in`]), as the
/// message says it: another user could rename entries there, or repoint a symbolic link on the
/// way to it ([`trusted_resolution`]). `None` where they can be made. Asked before a sweep
/// starts too, so that a run in such a directory is refused once rather than failing in every
/// cell.
pub fn refusal_of(parent: &Path) -> Option<String> {
    trusted_parent(parent).err()
}

/// `parent` resolved ([`trusted_resolution`]), where scratch directories are made; or why
/// they are not made there, as the message says it.
pub fn trusted_parent(parent: &Path) -> Result<PathBuf, String> {
    trusted_resolution(parent).map_err(|why| {
        format!(
            "refusing the temporary directory {}: {why}, so another user could put a \
             directory of theirs in the place of a scratch directory; set TMPDIR to a \
             private directory",
            parent.display()
        )
    })
}

/// Why another user could rename what `dir`'s path leads to, or something in it
/// ([`trusted_resolution`]). `None` when no one can.
pub fn renamable_by_others(dir: &Path) -> Option<String> {
    trusted_resolution(dir).err()
}

/// `dir` with every symbolic link on its path resolved, if no other user can change what that
/// path leads to: no symbolic link on the way ([`resolve_checking_links`]) belongs to another
/// user than this one and root or sits in a directory where others can rename it, and neither
/// the resolved directory nor one above it belongs to another such user or lets others write
/// in it without its sticky bit ([`renames_by_others`]). Otherwise why not.
///
/// Use the path returned, not `dir`: a link on the way that is fine now could be replaced
/// later by someone who may write where it sits, and the resolved path has no link left.
pub fn trusted_resolution(dir: &Path) -> Result<PathBuf, String> {
    let uid = crate::sys::effective_uid();
    let dir = resolve_checking_links(dir, uid)?;
    let why = dir.ancestors().find_map(|d| {
        let meta = match std::fs::metadata(d) {
            Ok(meta) => meta,
            Err(e) => return Some(format!("cannot inspect {} ({e})", d.display())),
        };
        renames_by_others(&meta, uid).map(|why| {
            if d == dir {
                why
            } else {
                format!("{} above it: {why}", d.display())
            }
        })
    });
    match why {
        Some(why) => Err(why),
        None => Ok(dir),
    }
}

/// The most symbolic links followed while resolving a path, as the kernel's limit.
const MAX_LINKS: usize = 40;

/// `dir` resolved as `canonicalize` does (absolute, no symbolic link, `.` or `..` left), walking
/// the path as given, one component at a time, with `symlink_metadata`: refused where a
/// symbolic link met on the way belongs to another user than `uid` and root (they could point
/// it elsewhere), or sits in a directory where others can rename it ([`renames_by_others`]).
fn resolve_checking_links(dir: &Path, uid: u32) -> Result<PathBuf, String> {
    use std::os::unix::fs::MetadataExt;
    use std::path::Component;
    let start = std::path::absolute(dir).map_err(|e| format!("cannot resolve it ({e})"))?;
    // Components still to walk, the next last.
    let mut pending: Vec<std::ffi::OsString> = Vec::new();
    let push_all = |pending: &mut Vec<std::ffi::OsString>, path: &Path| {
        for c in path.components().rev() {
            match c {
                Component::Normal(name) => pending.push(name.to_os_string()),
                Component::ParentDir => pending.push("..".into()),
                Component::CurDir | Component::RootDir | Component::Prefix(_) => {}
            }
        }
    };
    push_all(&mut pending, &start);
    let mut resolved = PathBuf::from("/");
    let mut links = 0;
    while let Some(name) = pending.pop() {
        if name == ".." {
            resolved.pop();
            continue;
        }
        let next = resolved.join(&name);
        let meta = std::fs::symlink_metadata(&next)
            .map_err(|e| format!("cannot inspect {} ({e})", next.display()))?;
        if !meta.file_type().is_symlink() {
            resolved = next;
            continue;
        }
        if meta.uid() != uid && meta.uid() != 0 {
            return Err(format!(
                "the symbolic link {} on the way belongs to uid {}, another user, who could \
                 point it elsewhere",
                next.display(),
                meta.uid()
            ));
        }
        let here = std::fs::metadata(&resolved)
            .map_err(|e| format!("cannot inspect {} ({e})", resolved.display()))?;
        if let Some(why) = renames_by_others(&here, uid) {
            return Err(format!(
                "the symbolic link {} on the way is in {}: {why}",
                next.display(),
                resolved.display()
            ));
        }
        links += 1;
        if links > MAX_LINKS {
            return Err(format!(
                "cannot resolve it (more than {MAX_LINKS} symbolic links)"
            ));
        }
        let target = std::fs::read_link(&next)
            .map_err(|e| format!("cannot read the symbolic link {} ({e})", next.display()))?;
        if target.is_absolute() {
            resolved = PathBuf::from("/");
        }
        push_all(&mut pending, &target);
    }
    Ok(resolved)
}

/// The owner file of the directory open as `dir`, opened relative to it without following a
/// symbolic link and only if it is a regular file of at most [`OWNER_FILE_LIMIT`] bytes of
/// text: its text and when it was last written.
fn read_owner_file(dir: &File) -> Option<(String, Option<std::time::SystemTime>)> {
    use std::io::Read;
    let file = open_at(
        dir,
        OsStr::new(OWNER_FILE),
        libc::O_NONBLOCK | libc::O_NOCTTY,
    )
    .ok()?;
    let meta = file.metadata().ok()?;
    if !meta.is_file() || meta.len() > OWNER_FILE_LIMIT {
        return None;
    }
    let mut bytes = Vec::new();
    file.take(OWNER_FILE_LIMIT + 1)
        .read_to_end(&mut bytes)
        .ok()?;
    if bytes.len() as u64 > OWNER_FILE_LIMIT {
        return None;
    }
    Some((String::from_utf8(bytes).ok()?, meta.modified().ok()))
}

/// Removes everything in the directory open as `dir` (at `at` below the directory being
/// removed) but the entry `keep`, through descriptors: each entry is unlinked relative to
/// `dir`, each sub-directory opened relative to it with `O_NOFOLLOW`, emptied the same way and
/// removed. Goes on past a failure; the first is returned, with where it happened.
fn remove_contents(
    dir: &File,
    at: &Path,
    keep: Option<&str>,
    depth: usize,
) -> Result<(), (PathBuf, std::io::Error)> {
    let entries = std::fs::read_dir(fd_path(dir)).map_err(|e| (at.to_path_buf(), e))?;
    let mut first_failure = None;
    for entry in entries {
        let name = match entry {
            Ok(entry) => entry.file_name(),
            Err(e) => {
                first_failure.get_or_insert((at.to_path_buf(), e));
                continue;
            }
        };
        if keep.is_some_and(|k| name == k) {
            continue;
        }
        let inner = at.join(&name);
        if let Err(e) = remove_entry(dir, &name, &inner, depth) {
            first_failure.get_or_insert(e);
        }
    }
    first_failure.map_or(Ok(()), Err)
}

/// Removes the entry `name` of the directory open as `dir`, a sub-directory with everything
/// in it ([`remove_contents`]).
fn remove_entry(
    dir: &File,
    name: &OsStr,
    inner: &Path,
    depth: usize,
) -> Result<(), (PathBuf, std::io::Error)> {
    let failed = |e| (inner.to_path_buf(), e);
    match unlink_at(dir, name, 0) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        // Linux answers EISDIR for a directory, POSIX allows EPERM.
        Err(e) if matches!(e.raw_os_error(), Some(libc::EISDIR | libc::EPERM)) => {}
        Err(e) => return Err(failed(e)),
    }
    if depth >= MAX_DEPTH {
        return Err(failed(std::io::Error::other(format!(
            "deeper than {MAX_DEPTH} directories"
        ))));
    }
    let sub = open_at(dir, name, libc::O_DIRECTORY).map_err(failed)?;
    remove_contents(&sub, inner, None, depth + 1)?;
    match unlink_at(dir, name, libc::AT_REMOVEDIR) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(failed(e)),
        _ => Ok(()),
    }
}

/// The path under `/proc/self/fd` that reaches the open file `file` itself, whatever its name
/// now leads to.
fn fd_path(file: &File) -> PathBuf {
    use std::os::fd::AsRawFd;
    PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()))
}

/// Creates `path` for writing, failing if anything (a file, a symbolic link, a fifo) is
/// already there: `O_CREAT | O_EXCL`, which never follows a symbolic link. Mode 0600.
pub fn create_new_file(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

/// [`create_new_file`], then writes `bytes` into it.
pub fn write_new_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = create_new_file(path)?;
    file.write_all(bytes)?;
    file.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::process_identity::ProcessIdentity;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn scratch_dirs_are_private_fresh_and_removed() {
        let parent = tempfile::tempdir().unwrap();
        // The names the old scheme predicted, planted in advance.
        for n in 0..8 {
            let planted = parent
                .path()
                .join(format!("corelab-{}-{n}", std::process::id()));
            std::fs::create_dir(&planted).unwrap();
            std::fs::write(planted.join("json.py"), "raise SystemExit('planted')").unwrap();
        }
        let a = ScratchDir::create_in(parent.path()).unwrap();
        let b = ScratchDir::create_in(parent.path()).unwrap();
        assert_ne!(a.path(), b.path());
        for s in [&a, &b] {
            let mode = std::fs::metadata(s.path()).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o700, "{}", s.path().display());
            // Fresh: nothing in it but the file naming this corelab as its owner.
            let names: Vec<_> = std::fs::read_dir(s.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            assert_eq!(names, [OWNER_FILE]);
            let owner = std::fs::read_to_string(s.path().join(OWNER_FILE)).unwrap();
            assert_eq!(owner, crate::engine::run_mark::owner_text());
        }
        let gone = a.path().to_path_buf();
        drop(a);
        assert!(!gone.exists());
        for n in 0..8 {
            let planted = parent
                .path()
                .join(format!("corelab-{}-{n}", std::process::id()));
            assert!(
                planted.join("json.py").exists(),
                "a planted directory was touched"
            );
        }
    }

    #[test]
    fn the_next_start_removes_only_what_a_killed_corelab_left() {
        let parent = tempfile::tempdir().unwrap();
        let mine = ScratchDir::create_in(parent.path()).unwrap();
        // A corelab that has exited: its owner file names a pid that is gone.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let dead = ProcessIdentity::here(pid, crate::sys::procfs::start_ticks_of(pid));
        child.wait().unwrap();
        let dead_owner = format!("{}:scratch", dead.to_text());
        let make = |name: &str, owner: Option<&str>, mode: u32| {
            let dir = parent.path().join(name);
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("counter.bin"), b"12345678").unwrap();
            if let Some(owner) = owner {
                std::fs::write(dir.join(OWNER_FILE), owner).unwrap();
            }
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(mode)).unwrap();
            dir
        };
        let left = make("corelab-aB3dE9", Some(&dead_owner), 0o700);
        // A symbolic link inside is removed, never followed.
        let victim = parent.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        std::os::unix::fs::symlink(&victim, left.join("link")).unwrap();
        let kept = [
            make("corelab-Zz9yX8", None, 0o700),              // no owner file
            make("corelab-Qq1wE2", Some("garbage"), 0o700),   // names no owner
            make("corelab-Rr4tY5", Some(&dead_owner), 0o755), // not private
            make("corelab-locks-0", Some(&dead_owner), 0o700), // not a scratch name
            make("other-Aa1bB2", Some(&dead_owner), 0o700),   // not corelab's
        ];
        let linked = parent.path().join("corelab-Ll7kK6");
        std::os::unix::fs::symlink(&left, &linked).unwrap();
        assert_eq!(remove_left_by_killed_runs_in(parent.path()).removed, 1);
        assert!(!left.exists());
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(
            mine.path().join(OWNER_FILE).exists(),
            "a live corelab's is kept"
        );
        for dir in kept {
            assert!(dir.join("counter.bin").exists(), "{} kept", dir.display());
        }
        assert!(
            std::fs::symlink_metadata(&linked).is_ok(),
            "a link is not judged"
        );
        assert_eq!(remove_left_by_killed_runs_in(parent.path()).removed, 0);
    }

    #[test]
    fn the_next_start_leaves_alone_what_a_corelab_elsewhere_may_still_use() {
        let parent = tempfile::tempdir().unwrap();
        // A pid that names no process here, as another container's or host's corelab may
        // well have: only where it ran tells.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let dead = ProcessIdentity::here(pid, crate::sys::procfs::start_ticks_of(pid));
        child.wait().unwrap();
        let plant = |name: &str, owner: &str, written: std::time::SystemTime| {
            let dir = parent.path().join(name);
            std::fs::create_dir(&dir).unwrap();
            std::fs::write(dir.join("counter.bin"), b"12345678").unwrap();
            let owner_file = dir.join(OWNER_FILE);
            std::fs::write(&owner_file, owner).unwrap();
            std::fs::File::options()
                .write(true)
                .open(&owner_file)
                .unwrap()
                .set_modified(written)
                .unwrap();
            std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
            dir
        };
        let owned_by = |who: &ProcessIdentity| format!("{}:scratch", who.to_text());
        let now = std::time::SystemTime::now();
        let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1);
        let other_container = ProcessIdentity {
            pid_namespace: dead.pid_namespace.map(|n| n + 1),
            ..dead.clone()
        };
        let other_host = ProcessIdentity {
            host: Some("another-host".into()),
            boot_id: Some("another-hosts-boot".into()),
            ..dead.clone()
        };
        let earlier_boot = ProcessIdentity {
            boot_id: Some("an-earlier-boot".into()),
            ..dead.clone()
        };
        // An older corelab's owner file: pid, start time and namespace alone.
        let older = format!(
            "{}:{}:{}:scratch",
            dead.pid,
            dead.started_ticks.map_or(String::new(), |t| t.to_string()),
            dead.pid_namespace.unwrap_or(0)
        );
        let kept = [
            plant("corelab-Cc1nT1", &owned_by(&other_container), long_ago),
            plant("corelab-Hh2sT2", &owned_by(&other_host), long_ago),
            plant("corelab-Oo3lD3", &older, long_ago),
            // Another boot "of this host" written while this one was up: another machine
            // of the same name.
            plant("corelab-Bb4oT4", &owned_by(&earlier_boot), now),
        ];
        // This host before it restarted: that boot is over.
        let rebooted = plant("corelab-Rr5bT5", &owned_by(&earlier_boot), long_ago);
        let here = plant("corelab-Dd6eD6", &owned_by(&dead), now);
        assert_eq!(remove_left_by_killed_runs_in(parent.path()).removed, 2);
        assert!(!rebooted.exists());
        assert!(!here.exists());
        for dir in kept {
            assert!(dir.join("counter.bin").exists(), "{} kept", dir.display());
        }
    }

    /// The owner text of a corelab that has exited: a pid that is gone, in this boot,
    /// namespace and host.
    fn dead_owner() -> String {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let dead = ProcessIdentity::here(pid, crate::sys::procfs::start_ticks_of(pid));
        child.wait().unwrap();
        format!("{}:scratch", dead.to_text())
    }

    /// A killed corelab's scratch directory `name` in `parent`, holding `counter.bin`.
    fn left_by_killed_run(parent: &Path, name: &str) -> PathBuf {
        let dir = parent.join(name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("counter.bin"), b"12345678").unwrap();
        std::fs::write(dir.join(OWNER_FILE), dead_owner()).unwrap();
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
        dir
    }

    #[test]
    fn an_owner_file_that_is_a_symlink_is_not_read() {
        let parent = tempfile::tempdir().unwrap();
        let dir = left_by_killed_run(parent.path(), "corelab-Ow1nL1");
        // The same dead owner, but through a symbolic link to a file elsewhere.
        let elsewhere = parent.path().join("owner-elsewhere");
        std::fs::rename(dir.join(OWNER_FILE), &elsewhere).unwrap();
        std::os::unix::fs::symlink(&elsewhere, dir.join(OWNER_FILE)).unwrap();
        let done = remove_left_by_killed_runs_in(parent.path());
        assert_eq!(done, CleanUp::default());
        assert!(dir.join("counter.bin").exists());
        // A fifo in its place neither hangs the clean-up nor counts.
        std::fs::remove_file(dir.join(OWNER_FILE)).unwrap();
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join(OWNER_FILE))
            .status()
            .unwrap();
        assert!(made.success(), "mkfifo: {made}");
        assert_eq!(
            remove_left_by_killed_runs_in(parent.path()),
            CleanUp::default()
        );
        assert!(dir.join("counter.bin").exists());
    }

    #[test]
    fn a_directory_swapped_in_after_the_check_is_not_what_is_removed() {
        let parent = tempfile::tempdir().unwrap();
        let left = left_by_killed_run(parent.path(), "corelab-Sw4pP3");
        // Another directory of this user's, private too, with no owner file.
        let precious = parent.path().join("precious");
        std::fs::create_dir(&precious).unwrap();
        std::fs::write(precious.join("doc.txt"), b"precious").unwrap();
        std::fs::create_dir(precious.join("sub")).unwrap();
        std::fs::write(precious.join("sub/more.txt"), b"more").unwrap();
        std::fs::set_permissions(&precious, std::fs::Permissions::from_mode(0o700)).unwrap();
        let moved = parent.path().join("moved-away");
        let mut swapped = 0;
        // What `renameat2(RENAME_EXCHANGE)` by someone who can rename in the parent does,
        // after the directory was judged and before it is removed.
        let done = remove_left_in(parent.path(), &mut |path| {
            assert_eq!(path, left);
            std::fs::rename(path, &moved).unwrap();
            std::fs::rename(&precious, path).unwrap();
            swapped += 1;
        });
        assert_eq!(swapped, 1);
        assert_eq!(done.removed, 0, "{done:?}");
        assert_eq!(done.not_removed.len(), 1, "{done:?}");
        assert!(
            done.not_removed[0].contains("renamed while it was removed"),
            "{done:?}"
        );
        // What now has the scratch directory's name is untouched...
        assert_eq!(std::fs::read(left.join("doc.txt")).unwrap(), b"precious");
        assert_eq!(std::fs::read(left.join("sub/more.txt")).unwrap(), b"more");
        // ...and the directory that was judged is the one emptied, wherever it went.
        assert!(!moved.join("counter.bin").exists());
        assert!(moved.join(OWNER_FILE).exists(), "{done:?}");
        // The next start: the swapped-in directory has no owner file and is left alone.
        assert_eq!(
            remove_left_by_killed_runs_in(parent.path()),
            CleanUp::default()
        );
        assert_eq!(std::fs::read(left.join("doc.txt")).unwrap(), b"precious");
    }

    #[test]
    fn a_removal_that_fails_half_way_keeps_the_owner_file_and_says_what_stayed() {
        let parent = tempfile::tempdir().unwrap();
        let dir = left_by_killed_run(parent.path(), "corelab-Dp6tH7");
        // A tree deeper than is walked: it cannot be removed, even by root.
        let mut deep = dir.join("deep");
        for _ in 0..=MAX_DEPTH {
            deep.push("d");
        }
        std::fs::create_dir_all(&deep).unwrap();
        let done = remove_left_by_killed_runs_in(parent.path());
        assert_eq!(done.removed, 0, "{done:?}");
        assert_eq!(done.not_removed.len(), 1, "{done:?}");
        let said = done.trouble().unwrap();
        assert!(
            said.starts_with("could not remove a killed run's scratch directory: ")
                && said.contains(&format!("deeper than {MAX_DEPTH} directories"))
                && said.contains("/deep/d/d/")
                && said.contains("kept its owner file so the next start tries again"),
            "{said}"
        );
        // The rest is gone, the owner file kept: the next start judges it again.
        assert!(!dir.join("counter.bin").exists());
        assert!(dir.join(OWNER_FILE).exists());
        let again = remove_left_by_killed_runs_in(parent.path());
        assert_eq!(again.not_removed.len(), 1, "{again:?}");
        // Once what blocked it is gone, it is removed.
        std::fs::remove_dir_all(dir.join("deep")).unwrap();
        assert_eq!(remove_left_by_killed_runs_in(parent.path()).removed, 1);
        assert!(!dir.exists());

        // A sub-directory this user may not empty (mode 0500): root may, so only a user can
        // see this part fail.
        if crate::sys::is_root() {
            eprintln!("running as root: a 0500 sub-directory does not stop root, not tested");
            return;
        }
        let dir = left_by_killed_run(parent.path(), "corelab-Ro5nL5");
        std::fs::create_dir(dir.join("ro")).unwrap();
        std::fs::write(dir.join("ro/b"), b"b").unwrap();
        std::fs::set_permissions(dir.join("ro"), std::fs::Permissions::from_mode(0o500)).unwrap();
        let done = remove_left_by_killed_runs_in(parent.path());
        std::fs::set_permissions(dir.join("ro"), std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(done.removed, 0, "{done:?}");
        assert!(done.not_removed[0].contains("ro/b stays"), "{done:?}");
        assert!(dir.join(OWNER_FILE).exists());
    }

    #[test]
    fn nothing_is_judged_where_others_can_rename_entries() {
        let base = tempfile::tempdir().unwrap();
        // Writable by all without the sticky bit: another user could swap names in it.
        let shared = base.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
        let dir = left_by_killed_run(&shared, "corelab-Sh4rD1");
        let done = remove_left_by_killed_runs_in(&shared);
        assert_eq!(done.removed, 0);
        let said = done.trouble().unwrap();
        assert_eq!(
            said,
            format!(
                "left 1 scratch-like directory in {} alone: others can write in it (mode 777) \
                 and it lacks the sticky bit, so another user could swap one of your \
                 directories into its name; remove it yourself or set TMPDIR to a private \
                 directory",
                shared.display()
            )
        );
        assert!(dir.join("counter.bin").exists());
        // Nothing scratch-like there: nothing said.
        let empty = base.path().join("empty");
        std::fs::create_dir(&empty).unwrap();
        std::fs::set_permissions(&empty, std::fs::Permissions::from_mode(0o770)).unwrap();
        assert_eq!(remove_left_by_killed_runs_in(&empty), CleanUp::default());
        // No scratch directory is made there, nor below it.
        let err = ScratchDir::create_in(&shared).err().unwrap().to_string();
        assert!(
            err.starts_with(&format!("refusing the temporary directory {}: others can write in it (mode 777) and it lacks the sticky bit", shared.display()))
                && err.ends_with("set TMPDIR to a private directory"),
            "{err}"
        );
        let below = shared.join("below");
        std::fs::create_dir(&below).unwrap();
        let err = ScratchDir::create_in(&below).err().unwrap().to_string();
        assert!(
            err.contains(&format!(
                "{} above it: others can write in it",
                shared.display()
            )),
            "{err}"
        );
        // With the sticky bit (as /tmp), only the owner of an entry can rename it.
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(remove_left_by_killed_runs_in(&shared).removed, 1);
        assert!(!dir.exists());
        assert!(ScratchDir::create_in(&shared).is_ok());
        assert!(ScratchDir::create_in(&below).is_ok());
    }

    #[test]
    fn a_symlinked_temporary_directory_is_used_resolved_unless_another_user_owns_the_link() {
        use std::os::unix::fs::MetadataExt;
        let base = tempfile::tempdir().unwrap();
        let private = base.path().join("private");
        std::fs::create_dir(&private).unwrap();
        std::fs::set_permissions(&private, std::fs::Permissions::from_mode(0o700)).unwrap();
        let resolved = std::fs::canonicalize(&private).unwrap();
        // A link of this user's, with `..` and a relative target on the way: the scratch
        // directory is made, and named, under the resolved path, not through the link.
        let link = base.path().join("build");
        std::os::unix::fs::symlink("./private/../private", &link).unwrap();
        let scratch = ScratchDir::create_in(&link.join("..").join("build")).unwrap();
        assert_eq!(scratch.path().parent(), Some(resolved.as_path()));
        assert_eq!(
            trusted_parent(&link),
            Ok(resolved.clone()),
            "the resolved path is handed out"
        );
        drop(scratch);
        // A link of another user's, pointing at the same private directory: they could point
        // it elsewhere once the check is done, so it is refused, by the scratch directory, by
        // the check before a sweep and by the lock directory's trust check alike.
        if !crate::sys::is_root() {
            eprintln!("not root: cannot give the link to another user, not tested");
            return;
        }
        let foreign = base.path().join("alice-build");
        std::os::unix::fs::symlink(&private, &foreign).unwrap();
        std::os::unix::fs::lchown(&foreign, Some(12345), Some(12345)).unwrap();
        assert_eq!(std::fs::symlink_metadata(&foreign).unwrap().uid(), 12345);
        let why = format!(
            "the symbolic link {} on the way belongs to uid 12345, another user, who could \
             point it elsewhere",
            foreign.display()
        );
        let err = ScratchDir::create_in(&foreign).err().unwrap().to_string();
        assert_eq!(
            err,
            format!(
                "refusing the temporary directory {}: {why}, so another user could put a \
                 directory of theirs in the place of a scratch directory; set TMPDIR to a \
                 private directory",
                foreign.display()
            )
        );
        assert_eq!(refusal_of(&foreign), Some(err));
        assert_eq!(renamable_by_others(&foreign.join("sub/..")), Some(why));
        assert_eq!(std::fs::read_dir(&private).unwrap().count(), 0);
        // A link of this user's in a directory of another user's: that user could replace it.
        let theirs = base.path().join("theirs");
        std::fs::create_dir(&theirs).unwrap();
        let inside = theirs.join("build");
        std::os::unix::fs::symlink(&private, &inside).unwrap();
        std::os::unix::fs::chown(&theirs, Some(12345), Some(12345)).unwrap();
        assert_eq!(
            renamable_by_others(&inside),
            Some(format!(
                "the symbolic link {} on the way is in {}: it belongs to uid 12345, another user",
                inside.display(),
                std::fs::canonicalize(&theirs).unwrap().display()
            ))
        );
    }

    #[test]
    fn the_start_up_line_adds_what_could_not_be_cleaned_up() {
        let fine = CleanUp {
            removed: 2,
            ..CleanUp::default()
        };
        assert_eq!(fine.trouble(), None);
        assert_eq!(fine.with_trouble(None), None);
        assert_eq!(fine.with_trouble(Some("x".into())).as_deref(), Some("x"));
        let two = CleanUp {
            removed: 0,
            not_removed: vec!["/t/corelab-a: A".into(), "/t/corelab-b: B".into()],
            skipped: None,
        };
        assert_eq!(
            two.with_trouble(Some(
                "stopped 1 process left by a corelab run that was killed".into()
            ))
            .as_deref(),
            Some(
                "stopped 1 process left by a corelab run that was killed; could not remove 2 \
                 killed runs' scratch directories: /t/corelab-a: A; /t/corelab-b: B"
            )
        );
        assert_eq!(
            two.with_trouble(None).as_deref(),
            Some(
                "could not remove 2 killed runs' scratch directories: /t/corelab-a: A; /t/corelab-b: B"
            )
        );
    }

    #[test]
    fn new_files_never_follow_a_planted_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let link = dir.path().join("counter.bin");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        let err = write_new_file(&link, b"overwritten").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    }
}
