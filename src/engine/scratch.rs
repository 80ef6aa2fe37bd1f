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

impl ScratchDir {
    /// A fresh `corelab-XXXXXX` directory (mode 0700) in the system's temporary directory.
    pub fn create() -> std::io::Result<Self> {
        Self::create_in(&std::env::temp_dir())
    }

    /// A fresh `corelab-XXXXXX` directory (mode 0700) in `parent`.
    pub fn create_in(parent: &Path) -> std::io::Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix("corelab-")
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700))
            .tempdir_in(parent)?;
        Ok(ScratchDir { dir })
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }
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
            assert_eq!(std::fs::read_dir(s.path()).unwrap().count(), 0);
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
