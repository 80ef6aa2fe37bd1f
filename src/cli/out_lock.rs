//! The lock a `corelab run` holds on its `--out` while it writes it, so that a second run on
//! the same file, by any of its names, is refused; the lock lives in a directory only this
//! user can write.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::message_paths::path_text;
use crate::sys::process_identity::ProcessIdentity;

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
/// outside `out`'s directory so that a run killed with SIGKILL leaves nothing there, and in a
/// directory no other user can write, so that another user cannot plant it (the name is
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

/// A directory only this user can write, the first of these that is usable, in this order:
/// 1. `$XDG_RUNTIME_DIR/corelab` when the session has one (it is private by specification);
///    when it is set, it is the only one tried, and a failure there names the variable.
/// 2. `corelab-locks-<uid>` in the temporary directory (`$TMPDIR`, else `/tmp`) resolved,
///    unless another user could rename entries there or repoint a symbolic link on the way
///    ([`crate::engine::scratch::trusted_resolution`]).
/// 3. `$XDG_CACHE_HOME/corelab/locks`, else `$HOME/.cache/corelab/locks`: in this user's home,
///    where another user cannot plant anything, for when the second is refused (another user
///    may make a directory of that predictable name first, in a `/tmp` the user cannot remove
///    it from) or cannot be made.
///
/// Each is created with mode 0700 (with its parents, for the third); an existing one is used
/// only if it is a real directory (not a symlink) owned by this user and closed to others
/// ([`usable_lock_dir`]). The choice depends only on these variables and on what is at those
/// paths, so it is the same for every run of this user: two runs writing one `--out` lock the
/// same file. (Only a planted second directory that is removed while a run holds the lock in
/// the third could let a later run choose the second; a plant that stays keeps every run on
/// the third.)
fn private_lock_dir() -> Result<PathBuf> {
    let absolute = |name: &str| {
        std::env::var_os(name)
            .filter(|d| Path::new(d).is_absolute())
            .map(PathBuf::from)
    };
    let places = LockPlaces {
        runtime: absolute("XDG_RUNTIME_DIR"),
        temp: std::env::temp_dir(),
        cache: absolute("XDG_CACHE_HOME").or_else(|| absolute("HOME").map(|h| h.join(".cache"))),
    };
    lock_dir_in(&places, crate::sys::effective_uid())
}

/// The directories [`private_lock_dir`] chooses from.
struct LockPlaces {
    /// `$XDG_RUNTIME_DIR`, when set to an absolute path.
    runtime: Option<PathBuf>,
    /// The temporary directory.
    temp: PathBuf,
    /// `$XDG_CACHE_HOME`, else `$HOME/.cache`, when absolute.
    cache: Option<PathBuf>,
}

/// [`private_lock_dir`] for the user `uid` among `places`.
fn lock_dir_in(places: &LockPlaces, uid: u32) -> Result<PathBuf> {
    if let Some(runtime) = &places.runtime {
        let dir = runtime.join("corelab");
        return usable_lock_dir(&dir, uid, false).map_err(|why| {
            anyhow::anyhow!(
                "{} the lock directory {} (in XDG_RUNTIME_DIR): {why}; point XDG_RUNTIME_DIR at \
                 a directory you can write",
                if why.refused {
                    "refusing"
                } else {
                    "cannot create"
                },
                path_text(&dir),
            )
        });
    }
    let lock_name = format!("corelab-locks-{uid}");
    let (in_temp, temp_failed) = match crate::engine::scratch::trusted_resolution(&places.temp) {
        // Another user could rename the lock directory away and put theirs in its place, or
        // repoint a symbolic link on the way to it.
        Err(why) => (
            places.temp.join(&lock_name),
            Unusable {
                refused: true,
                why: format!("its temporary directory cannot be trusted ({why})"),
            },
        ),
        // Under the resolved path, so that no link on the way is followed again later.
        Ok(resolved) => {
            let in_temp = resolved.join(&lock_name);
            match usable_lock_dir(&in_temp, uid, false) {
                Ok(dir) => return Ok(dir),
                Err(why) => (in_temp, why),
            }
        }
    };
    let in_home = places
        .cache
        .as_ref()
        .map(|cache| cache.join("corelab").join("locks"));
    let home_failed = match &in_home {
        Some(dir) => match usable_lock_dir(dir, uid, true) {
            Ok(dir) => return Ok(dir),
            Err(why) => format!("nor {}: {why}", path_text(dir)),
        },
        None => "and neither XDG_CACHE_HOME nor HOME names a directory for another".to_string(),
    };
    bail!(
        "{} the lock directory {} (in TMPDIR, else /tmp): {temp_failed}; {home_failed}; set \
         XDG_RUNTIME_DIR or TMPDIR to a private directory",
        if temp_failed.refused {
            "refusing"
        } else {
            "cannot create"
        },
        path_text(&in_temp),
    )
}

/// Why a lock directory cannot be used: refused (it is there but not private) or not made.
#[derive(Debug)]
struct Unusable {
    refused: bool,
    why: String,
}

impl std::fmt::Display for Unusable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// `dir`, created with mode 0700 (with its parents if `with_parents`) unless it is there, if it
/// is a real directory (not a symlink) owned by `uid` and closed to others.
fn usable_lock_dir(dir: &Path, uid: u32, with_parents: bool) -> Result<PathBuf, Unusable> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt, PermissionsExt};
    let not_made = |e: std::io::Error| Unusable {
        refused: false,
        why: e.to_string(),
    };
    match std::fs::DirBuilder::new()
        .mode(0o700)
        .recursive(with_parents)
        .create(dir)
    {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(not_made(e)),
    }
    let meta = std::fs::symlink_metadata(dir).map_err(not_made)?;
    let mode = meta.permissions().mode();
    let why = if meta.uid() != uid {
        format!(
            "it is {} owned by uid {}, another user",
            what_is_there(&meta),
            meta.uid()
        )
    } else if !meta.is_dir() {
        format!("it is {}, not a directory", what_is_there(&meta))
    } else if mode & 0o077 != 0 {
        format!(
            "others can use it (mode {:o}); it must be mode 0700: remove it or chmod 700 it",
            mode & 0o7777
        )
    } else {
        return Ok(dir.to_path_buf());
    };
    Err(Unusable { refused: true, why })
}

fn what_is_there(meta: &std::fs::Metadata) -> &'static str {
    if meta.file_type().is_symlink() {
        "a symlink"
    } else if meta.is_dir() {
        "a directory"
    } else {
        "a file"
    }
}

/// Who holds a lock whose file says `holder`, for the refusal: "another corelab run (pid N)",
/// with "on HOST" when the holder recorded a host other than `our_host` (the lock directory
/// may be in a home shared between hosts, where a bare pid would name a process of this one).
/// The file holds [`ProcessIdentity::to_text`]; an older corelab's, a bare pid, reads as before.
fn holder_words(holder: &str, our_host: Option<&str>) -> String {
    let holder = holder.trim();
    if let Ok(pid) = holder.parse::<u32>() {
        return format!("another corelab run (pid {pid})");
    }
    match ProcessIdentity::from_text(holder) {
        Some(ProcessIdentity {
            pid,
            host: Some(host),
            ..
        }) if our_host != Some(host.as_str()) => {
            format!(
                "another corelab run (pid {pid} on {})",
                crate::sys::process_identity::printable(&host)
            )
        }
        Some(identity) => format!("another corelab run (pid {})", identity.pid),
        None => "another corelab run".to_string(),
    }
}

/// An exclusive lock on [`output_lock_path`]`(out)`, held while a run writes `out`; the file
/// holds the holder's [`ProcessIdentity`] and is removed when the lock is dropped.
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
                // The holder's one short line (pid, host): read no more than that could be.
                let mut holder = String::new();
                (&mut file).take(4096).read_to_string(&mut holder).ok();
                let here = crate::sys::process_identity::Place::here();
                let who = holder_words(&holder, here.host.as_deref());
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
            // Written over the old content, then cut to length, so that a run refused
            // meanwhile reads a whole record or none, never an empty file.
            let record = format!("{}\n", ProcessIdentity::this().to_text());
            file.rewind().ok();
            if file.write_all(record.as_bytes()).is_ok() {
                file.set_len(record.len() as u64).ok();
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    /// Another user's id, for a directory planted by someone else.
    const OTHER_UID: u32 = 12345;

    fn places(base: &Path) -> LockPlaces {
        let temp = base.join("tmp");
        std::fs::create_dir(&temp).unwrap();
        LockPlaces {
            runtime: None,
            temp,
            cache: Some(base.join("home/.cache")),
        }
    }

    #[test]
    fn the_temporary_directory_is_used_first_and_made_private() {
        let base = tempfile::tempdir().unwrap();
        let places = places(base.path());
        let uid = crate::sys::effective_uid();
        let dir = lock_dir_in(&places, uid).unwrap();
        assert_eq!(dir, places.temp.join(format!("corelab-locks-{uid}")));
        assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
        // Every run of this user finds the same one.
        assert_eq!(lock_dir_in(&places, uid).unwrap(), dir);
        assert!(
            !base.path().join("home").exists(),
            "the home is not touched"
        );
        // With a runtime directory, that one alone.
        let runtime = base.path().join("run");
        std::fs::create_dir(&runtime).unwrap();
        let with_runtime = LockPlaces {
            runtime: Some(runtime.clone()),
            ..places
        };
        assert_eq!(
            lock_dir_in(&with_runtime, uid).unwrap(),
            runtime.join("corelab")
        );
    }

    #[test]
    fn a_lock_directory_planted_by_another_user_sends_every_run_to_the_home() {
        let base = tempfile::tempdir().unwrap();
        let places = places(base.path());
        let uid = crate::sys::effective_uid();
        let planted = places.temp.join(format!("corelab-locks-{uid}"));
        std::fs::create_dir(&planted).unwrap();
        std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o755)).unwrap();
        if !crate::sys::is_root() {
            eprintln!("not root: cannot give the planted directory to another user, not tested");
            return;
        }
        std::os::unix::fs::chown(&planted, Some(OTHER_UID), Some(OTHER_UID)).unwrap();
        let dir = lock_dir_in(&places, uid).unwrap();
        let home = base.path().join("home/.cache/corelab/locks");
        assert_eq!(dir, home);
        let meta = std::fs::symlink_metadata(&dir).unwrap();
        assert_eq!((meta.uid(), meta.mode() & 0o777), (uid, 0o700));
        // The same for the next run, and nothing is put in the planted one.
        assert_eq!(lock_dir_in(&places, uid).unwrap(), home);
        assert_eq!(std::fs::read_dir(&planted).unwrap().count(), 0);
        // With no home to go to, the refusal says whose it is and what to do.
        let homeless = LockPlaces {
            cache: None,
            ..places
        };
        let err = lock_dir_in(&homeless, uid).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "refusing the lock directory {} (in TMPDIR, else /tmp): it is a directory owned \
                 by uid {OTHER_UID}, another user; and neither XDG_CACHE_HOME nor HOME names a \
                 directory for another; set XDG_RUNTIME_DIR or TMPDIR to a private directory",
                planted.display()
            )
        );
    }

    #[test]
    fn a_temporary_directory_others_can_rename_in_is_passed_over() {
        let base = tempfile::tempdir().unwrap();
        let places = places(base.path());
        std::fs::set_permissions(&places.temp, std::fs::Permissions::from_mode(0o777)).unwrap();
        let uid = crate::sys::effective_uid();
        let dir = lock_dir_in(&places, uid).unwrap();
        assert_eq!(dir, base.path().join("home/.cache/corelab/locks"));
        assert_eq!(std::fs::read_dir(&places.temp).unwrap().count(), 0);
        // With the sticky bit, as /tmp, it is used.
        std::fs::set_permissions(&places.temp, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert_eq!(
            lock_dir_in(&places, uid).unwrap(),
            places.temp.join(format!("corelab-locks-{uid}"))
        );
    }

    #[test]
    fn a_temporary_directory_reached_through_another_users_link_is_passed_over() {
        let base = tempfile::tempdir().unwrap();
        let places = places(base.path());
        let uid = crate::sys::effective_uid();
        // Through a link of this user's: the lock directory is made under the resolved path.
        let link = base.path().join("tmp-link");
        std::os::unix::fs::symlink(&places.temp, &link).unwrap();
        let through_link = LockPlaces {
            temp: link.clone(),
            runtime: None,
            cache: places.cache.clone(),
        };
        let resolved = std::fs::canonicalize(&places.temp).unwrap();
        assert_eq!(
            lock_dir_in(&through_link, uid).unwrap(),
            resolved.join(format!("corelab-locks-{uid}"))
        );
        std::fs::remove_dir(resolved.join(format!("corelab-locks-{uid}"))).unwrap();
        if !crate::sys::is_root() {
            eprintln!("not root: cannot give the link to another user, not tested");
            return;
        }
        // Through a link of another user's: they could repoint it, so the home is used.
        std::os::unix::fs::lchown(&link, Some(OTHER_UID), Some(OTHER_UID)).unwrap();
        assert_eq!(
            lock_dir_in(&through_link, uid).unwrap(),
            base.path().join("home/.cache/corelab/locks")
        );
        assert_eq!(std::fs::read_dir(&places.temp).unwrap().count(), 0);
    }

    #[test]
    fn the_lock_names_its_holder_with_the_host_when_it_is_another() {
        // The file names this process as a process identity, read back whole.
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("r.json");
        let lock = OutputLock::take(&out).unwrap();
        let text = std::fs::read_to_string(lock.path()).unwrap();
        assert!(
            text.ends_with('\n') && text.matches('\n').count() == 1,
            "{text:?}"
        );
        assert_eq!(
            ProcessIdentity::from_text(text.trim_end()),
            Some(ProcessIdentity::this())
        );
        // A second take is refused naming this process, on this host: no host said.
        let err = OutputLock::take(&out).err().unwrap().to_string();
        assert!(
            err.starts_with(&format!(
                "another corelab run (pid {}) is writing",
                std::process::id()
            )),
            "{err}"
        );
        drop(lock);
        let boot = "0d5c1c47-7e0b-4a0e-9d1e-3c6f0b6a8f11";
        let on_lab2 = format!("40:1000:4026531836:{boot}:lab-2");
        assert_eq!(
            holder_words(&on_lab2, Some("lab-1")),
            "another corelab run (pid 40 on lab-2)"
        );
        assert_eq!(
            holder_words(&format!("{on_lab2}\n"), None),
            "another corelab run (pid 40 on lab-2)"
        );
        assert_eq!(
            holder_words(&on_lab2, Some("lab-2")),
            "another corelab run (pid 40)"
        );
        // A host name with control characters is shown harmlessly.
        assert_eq!(
            holder_words(&format!("40:1000:7:{boot}:lab%1B%5B2J"), Some("lab-1")),
            "another corelab run (pid 40 on lab?[2J)"
        );
        // Without a host (an older record), or an older corelab's bare pid, as before.
        assert_eq!(
            holder_words("40:1000:7", Some("lab-1")),
            "another corelab run (pid 40)"
        );
        assert_eq!(
            holder_words("4242                \n", Some("lab-1")),
            "another corelab run (pid 4242)"
        );
        assert_eq!(holder_words("", Some("lab-1")), "another corelab run");
        assert_eq!(holder_words("not a record", None), "another corelab run");
    }

    #[test]
    fn look_alikes_in_the_home_are_refused_too() {
        let base = tempfile::tempdir().unwrap();
        let places = places(base.path());
        let uid = crate::sys::effective_uid();
        // The temporary one is a symlink to a directory elsewhere.
        let elsewhere = base.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        let in_temp = places.temp.join(format!("corelab-locks-{uid}"));
        std::os::unix::fs::symlink(&elsewhere, &in_temp).unwrap();
        // The home one is open to others.
        let home = base.path().join("home/.cache/corelab/locks");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();
        let err = lock_dir_in(&places, uid).unwrap_err().to_string();
        assert_eq!(
            err,
            format!(
                "refusing the lock directory {} (in TMPDIR, else /tmp): it is a symlink, not a \
                 directory; nor {}: others can use it (mode 777); it must be mode 0700: remove \
                 it or chmod 700 it; set XDG_RUNTIME_DIR or TMPDIR to a private directory",
                in_temp.display(),
                home.display()
            )
        );
        assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
        // Made private, the home one is used.
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
        assert_eq!(lock_dir_in(&places, uid).unwrap(), home);
    }
}
