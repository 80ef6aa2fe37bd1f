//! Private temporary directories for runs.
//!
//! A scratch directory is created the way `mkdtemp(3)` does: an unpredictable name, created
//! exclusively (a directory another user planted under any name is never reused), mode 0700.
//! Files the engine puts in it are created exclusively too ([`create_new_file`]), so a planted
//! file or symbolic link is never written through.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

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

    /// A fresh `corelab-XXXXXX` directory (mode 0700) in `parent`.
    pub fn create_in(parent: &Path) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(PREFIX)
            .rand_bytes(RANDOM_CHARS)
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(parent)?;
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

/// At the start of corelab: removes the scratch directories in the temporary directory that a
/// corelab killed before it could remove them left behind. Returns how many.
pub fn remove_left_by_killed_runs() -> usize {
    remove_left_by_killed_runs_in(&std::env::temp_dir())
}

/// [`remove_left_by_killed_runs`] in `parent`. Only a directory that is plainly a scratch
/// directory of this user is judged: named `corelab-` and 6 characters, not a symbolic link,
/// owned by this user with mode 0700, holding an owner file (a regular file) that names a
/// corelab which is surely gone, judged as a run mark's owner is: of this boot, pid namespace
/// and host with its pid free or reused, or of this host in a boot that ended before the owner
/// file's last change ([`crate::sys::process_identity::ProcessIdentity::liveness_from`]).
/// Anything else (a live corelab's directory, another container's or another host's sharing
/// this directory, an older corelab's that did not record where it ran) is left alone. The
/// removal never follows a symbolic link inside the directory.
pub fn remove_left_by_killed_runs_in(parent: &Path) -> usize {
    use std::os::unix::fs::MetadataExt;
    let Ok(entries) = std::fs::read_dir(parent) else {
        return 0;
    };
    let uid = crate::sys::effective_uid();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(random) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        if random.chars().count() != RANDOM_CHARS
            || !random.chars().all(|c| c.is_ascii_alphanumeric())
        {
            continue;
        }
        let path = entry.path();
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if !meta.is_dir() || meta.uid() != uid || meta.mode() & 0o777 != 0o700 {
            continue;
        }
        let owner_file = path.join(OWNER_FILE);
        let Ok(owner) = crate::safe_fs::read_regular_text(&owner_file, OWNER_FILE_LIMIT) else {
            continue;
        };
        let written = std::fs::symlink_metadata(&owner_file)
            .and_then(|m| m.modified())
            .ok();
        if crate::engine::run_mark::named_owner_is_gone(owner.trim(), written)
            && std::fs::remove_dir_all(&path).is_ok()
        {
            removed += 1;
        }
    }
    removed
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
        assert_eq!(remove_left_by_killed_runs_in(parent.path()), 1);
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
        assert_eq!(remove_left_by_killed_runs_in(parent.path()), 0);
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
        assert_eq!(remove_left_by_killed_runs_in(parent.path()), 2);
        assert!(!rebooted.exists());
        assert!(!here.exists());
        for dir in kept {
            assert!(dir.join("counter.bin").exists(), "{} kept", dir.display());
        }
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
