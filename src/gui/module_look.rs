//! What the Python function field knows of its module file: the path the typed text resolves
//! to, whether that is a file, and whether the file can hold the function named. Worked out
//! when the text (or the folder it is relative to) changes, and otherwise at most once a
//! second ([`RECHECK_AFTER_S`]), so that a file created, removed or edited meanwhile is noticed
//! without resolving and statting the path in every frame. The file's text is read again only
//! when the name or the file's modification time changes.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// How long a look at an unchanged path is trusted before it is taken again.
pub const RECHECK_AFTER_S: f64 = 1.0;

/// The file system as the look uses it (tests count the calls).
pub trait ModuleFs {
    /// The module's path as a run will import it ([`crate::preset::resolve_module_file`]).
    fn resolve(&self, file: &str, base: Option<&Path>) -> Option<PathBuf>;
    /// `None` when `path` is not a regular file; else its modification time, if known.
    fn file_modified(&self, path: &Path) -> Option<Option<SystemTime>>;
    /// Why the module at `path` cannot hold a function called `name`, from its text.
    fn name_problem(&self, path: &Path, name: &str) -> Option<String>;
    /// What binds `name` last in the module at `path` when that is not a plain top-level
    /// `def` ([`crate::engine::python_source::binding_note`]); read with the name's check.
    fn binding_note(&self, _path: &Path, _name: &str) -> Option<String> {
        None
    }
}

/// The real file system.
pub struct RealFs;

impl ModuleFs for RealFs {
    fn resolve(&self, file: &str, base: Option<&Path>) -> Option<PathBuf> {
        crate::preset::resolve_module_file(file, base)
    }

    fn file_modified(&self, path: &Path) -> Option<Option<SystemTime>> {
        let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
        Some(meta.modified().ok())
    }

    fn name_problem(&self, path: &Path, name: &str) -> Option<String> {
        match crate::engine::python_source::missing_function_in(path, name) {
            Ok(why) => why.map(|w| {
                format!(
                    "{}: {w}",
                    crate::engine::python_source::module_file_name(path)
                )
            }),
            Err(e) => Some(format!("cannot read {}: {e}", path.display())),
        }
    }

    fn binding_note(&self, path: &Path, name: &str) -> Option<String> {
        let bytes = std::fs::read(path).ok()?;
        crate::engine::python_source::binding_note(&String::from_utf8_lossy(&bytes), name)
    }
}

/// The last look at the module file (kept in the UI's memory between frames).
#[derive(Clone, Debug, Default)]
pub struct ModuleLook {
    /// The text and folder the look was taken for, and when (the UI's clock, in seconds).
    looked: Option<(String, Option<PathBuf>, f64)>,
    resolved: Option<PathBuf>,
    /// `Some` when `resolved` is a regular file: its modification time.
    file: Option<Option<SystemTime>>,
    /// The name last checked against the file, the file's modification time then, and what
    /// was wrong with it.
    checked: Option<(String, Option<SystemTime>, Option<String>)>,
    /// For the name checked: what binds it last when not a plain top-level `def`.
    note: Option<String>,
}

impl ModuleLook {
    /// Brings the look up to date for the field's `file` text relative to `base`, and the
    /// function `name`, at `now` (seconds on the UI's clock): the path is resolved and statted
    /// only when the text or folder changed or [`RECHECK_AFTER_S`] has passed, and the file
    /// read only when the name or its modification time changed.
    pub fn update(
        &mut self,
        fs: &impl ModuleFs,
        file: &str,
        base: Option<&Path>,
        name: &str,
        now: f64,
    ) {
        let stale = match &self.looked {
            Some((f, b, at)) => {
                f != file || b.as_deref() != base || !(0.0..RECHECK_AFTER_S).contains(&(now - at))
            }
            None => true,
        };
        if stale {
            self.resolved = fs.resolve(file, base);
            self.file = self.resolved.as_deref().and_then(|p| fs.file_modified(p));
            self.looked = Some((file.to_string(), base.map(Path::to_path_buf), now));
        }
        let (Some(path), Some(modified)) = (&self.resolved, self.file) else {
            self.checked = None;
            self.note = None;
            return;
        };
        let current = self
            .checked
            .as_ref()
            .is_some_and(|(n, m, _)| n == name && *m == modified);
        if !current {
            let why = fs.name_problem(path, name);
            self.note = match why {
                None => fs.binding_note(path, name),
                Some(_) => None,
            };
            self.checked = Some((name.to_string(), modified, why));
        }
    }

    /// The path the text resolves to (`None` for an empty field).
    pub fn resolved(&self) -> Option<&Path> {
        self.resolved.as_deref()
    }

    /// Whether the resolved path is a regular file.
    pub fn is_file(&self) -> bool {
        self.file.is_some()
    }

    /// Why the file cannot hold the function named, when it is a file and cannot.
    pub fn name_problem(&self) -> Option<&str> {
        self.checked.as_ref().and_then(|(_, _, why)| why.as_deref())
    }

    /// What binds the function named last when that is not a plain top-level `def`, when it
    /// is a file that may hold it.
    pub fn binding_note(&self) -> Option<&str> {
        self.note.as_deref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};

    /// A file system of one module, `/m/work.py`, that counts what is asked of it.
    #[derive(Default)]
    struct CountingFs {
        resolves: Cell<usize>,
        stats: Cell<usize>,
        reads: Cell<usize>,
        exists: Cell<bool>,
        modified: Cell<u64>,
        defines: RefCell<String>,
    }

    impl ModuleFs for CountingFs {
        fn resolve(&self, file: &str, base: Option<&Path>) -> Option<PathBuf> {
            self.resolves.set(self.resolves.get() + 1);
            let base = base.unwrap_or(Path::new("/cwd"));
            (!file.is_empty()).then(|| base.join(file))
        }

        fn file_modified(&self, path: &Path) -> Option<Option<SystemTime>> {
            self.stats.set(self.stats.get() + 1);
            (self.exists.get() && path == Path::new("/m/work.py")).then(|| {
                Some(SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(self.modified.get()))
            })
        }

        fn name_problem(&self, _path: &Path, name: &str) -> Option<String> {
            self.reads.set(self.reads.get() + 1);
            (*self.defines.borrow() != name).then(|| format!("it has no function `{name}`"))
        }
    }

    fn counts(fs: &CountingFs) -> (usize, usize, usize) {
        (fs.resolves.get(), fs.stats.get(), fs.reads.get())
    }

    #[test]
    fn the_path_is_looked_at_when_the_text_changes_and_at_most_once_a_second_otherwise() {
        let fs = CountingFs::default();
        fs.exists.set(true);
        *fs.defines.borrow_mut() = "work".into();
        let base = Some(Path::new("/m"));
        let mut look = ModuleLook::default();
        look.update(&fs, "work.py", base, "work", 10.0);
        assert_eq!(counts(&fs), (1, 1, 1));
        assert_eq!(look.resolved(), Some(Path::new("/m/work.py")));
        assert!(look.is_file());
        assert_eq!(look.name_problem(), None);

        // Frames within the second: nothing is asked of the file system.
        for frame in 1..60 {
            look.update(&fs, "work.py", base, "work", 10.0 + frame as f64 / 60.0);
        }
        assert_eq!(counts(&fs), (1, 1, 1));

        // A second later the path is looked at again; the unchanged file is not read.
        look.update(&fs, "work.py", base, "work", 11.0);
        assert_eq!(counts(&fs), (2, 2, 1));

        // Text typed: looked at at once (the new path is not a file, so nothing is read).
        look.update(&fs, "work.p", base, "work", 11.1);
        assert_eq!(counts(&fs), (3, 3, 1));
        assert!(!look.is_file());
        assert_eq!(look.name_problem(), None);
        look.update(&fs, "work.p", base, "work", 11.2);
        assert_eq!(counts(&fs), (3, 3, 1));

        // Another folder (another preset file) counts as a change too.
        look.update(&fs, "work.p", Some(Path::new("/n")), "work", 11.3);
        assert_eq!(counts(&fs), (4, 4, 1));
    }

    #[test]
    fn the_file_is_read_when_the_name_or_its_modification_time_changes() {
        let fs = CountingFs::default();
        fs.exists.set(true);
        *fs.defines.borrow_mut() = "work".into();
        let base = Some(Path::new("/m"));
        let mut look = ModuleLook::default();
        look.update(&fs, "work.py", base, "wrok", 0.0);
        assert_eq!(look.name_problem(), Some("it has no function `wrok`"));
        look.update(&fs, "work.py", base, "work", 0.1);
        assert_eq!(counts(&fs), (1, 1, 2), "a new name is checked at once");
        assert_eq!(look.name_problem(), None);

        // The file is edited: noticed at the next look, and read again then.
        fs.modified.set(5);
        *fs.defines.borrow_mut() = "other".into();
        look.update(&fs, "work.py", base, "work", 0.5);
        assert_eq!(counts(&fs), (1, 1, 2));
        look.update(&fs, "work.py", base, "work", 1.1);
        assert_eq!(counts(&fs), (2, 2, 3));
        assert_eq!(look.name_problem(), Some("it has no function `work`"));

        // The file is removed: no problem with the name is claimed, only that it is missing.
        fs.exists.set(false);
        look.update(&fs, "work.py", base, "work", 2.2);
        assert!(!look.is_file());
        assert_eq!(look.name_problem(), None);
        // And when it is back, it is read again.
        fs.exists.set(true);
        look.update(&fs, "work.py", base, "work", 3.3);
        assert_eq!(counts(&fs), (4, 4, 4));
    }

    #[test]
    fn a_clock_that_goes_back_does_not_freeze_the_look() {
        let fs = CountingFs::default();
        let mut look = ModuleLook::default();
        look.update(&fs, "work.py", None, "work", 100.0);
        look.update(&fs, "work.py", None, "work", 5.0);
        assert_eq!(counts(&fs).0, 2);
    }
}
