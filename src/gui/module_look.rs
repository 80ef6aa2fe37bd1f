//! What the Python function field knows of its module file: the path the typed text resolves
//! to, whether that is a regular file (or what else it is), and what the file's text says of
//! the function named. Worked out when the text (or the folder it is relative to) changes, and
//! otherwise at most once a second ([`RECHECK_AFTER_S`]), so that a file created, removed or
//! edited meanwhile is noticed without resolving and statting the path in every frame. The
//! file's text is read again only when the name, or the file's size or modification time,
//! changes; the name check, the binding note and the py-asyncio checkbox's note all come from
//! that one reading ([`current`]).
//!
//! The reading stays on the UI thread because it is bounded:
//! [`crate::engine::python_source::read_module_source`] refuses anything that is not a regular
//! file (a fifo, `/dev/zero`) without blocking, and reads at most
//! [`crate::engine::python_source::MAX_MODULE_BYTES`].

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use eframe::egui;

use crate::engine::python_source;

/// How long a look at an unchanged path is trusted before it is taken again.
pub const RECHECK_AFTER_S: f64 = 1.0;

/// What a module path names, as a stat of it says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum FileState {
    /// Nothing there (or it cannot be statted).
    #[default]
    Missing,
    /// Something that is not a regular file: what it is, in words ("a named pipe (fifo)").
    NotRegular(&'static str),
    /// A regular file: its size and modification time, which key its reading.
    Regular {
        len: u64,
        modified: Option<SystemTime>,
    },
}

/// The file system as the look uses it (tests count the calls).
pub trait ModuleFs {
    /// The module's path as a run will import it ([`crate::preset::resolve_module_file`]).
    fn resolve(&self, file: &str, base: Option<&Path>) -> Option<PathBuf>;
    /// What `path` names.
    fn stat(&self, path: &Path) -> FileState;
    /// The module's source ([`python_source::read_module_source`]), or why it cannot be read.
    fn read(&self, path: &Path) -> Result<String, String>;
}

/// The real file system.
pub struct RealFs;

impl ModuleFs for RealFs {
    fn resolve(&self, file: &str, base: Option<&Path>) -> Option<PathBuf> {
        crate::preset::resolve_module_file(file, base)
    }

    fn stat(&self, path: &Path) -> FileState {
        match std::fs::metadata(path) {
            Err(_) => FileState::Missing,
            Ok(m) if !m.is_file() => {
                FileState::NotRegular(crate::safe_fs::describe_type(m.file_type()))
            }
            Ok(m) => FileState::Regular {
                len: m.len(),
                modified: m.modified().ok(),
            },
        }
    }

    fn read(&self, path: &Path) -> Result<String, String> {
        python_source::read_module_source(path).map_err(|e| e.to_string())
    }
}

/// What one reading of the module says of the function named.
#[derive(Clone, Debug, Default)]
struct Reading {
    /// Why the module cannot hold the function (or cannot be read).
    problem: Option<String>,
    /// What binds the name last when not a plain top-level `def`.
    note: Option<String>,
    /// Why py-asyncio cannot show overlap for it (a plain `def`).
    asyncio_note: Option<String>,
}

/// The last look at the module file (kept in the UI's memory between frames).
#[derive(Clone, Debug, Default)]
pub struct ModuleLook {
    /// The text and folder the look was taken for, and when (the UI's clock, in seconds).
    looked: Option<(String, Option<PathBuf>, f64)>,
    resolved: Option<PathBuf>,
    file: FileState,
    /// The name last read for, the file's state then, and what the reading said.
    checked: Option<(String, FileState, Reading)>,
}

impl ModuleLook {
    /// Brings the look up to date for the field's `file` text relative to `base`, and the
    /// function `name`, at `now` (seconds on the UI's clock): the path is resolved and statted
    /// only when the text or folder changed or [`RECHECK_AFTER_S`] has passed, and the file
    /// read only when the name or its size or modification time changed.
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
            self.file = self
                .resolved
                .as_deref()
                .map_or(FileState::Missing, |p| fs.stat(p));
            self.looked = Some((file.to_string(), base.map(Path::to_path_buf), now));
        }
        let (Some(path), FileState::Regular { .. }) = (&self.resolved, &self.file) else {
            self.checked = None;
            return;
        };
        let current = self
            .checked
            .as_ref()
            .is_some_and(|(n, state, _)| n == name && *state == self.file);
        if !current {
            let reading = match fs.read(path) {
                Ok(source) => {
                    let problem = python_source::missing_function(&source, name)
                        .map(|w| format!("{}: {w}", python_source::module_file_name(path)));
                    let fine = problem.is_none();
                    Reading {
                        problem,
                        note: fine
                            .then(|| python_source::binding_note(&source, name))
                            .flatten(),
                        asyncio_note: fine
                            .then(|| python_source::asyncio_blocking_note_of(&source, name))
                            .flatten(),
                    }
                }
                Err(e) => Reading {
                    problem: Some(format!("cannot read {}: {e}", path.display())),
                    ..Reading::default()
                },
            };
            self.checked = Some((name.to_string(), self.file.clone(), reading));
        }
    }

    /// The path the text resolves to (`None` for an empty field).
    pub fn resolved(&self) -> Option<&Path> {
        self.resolved.as_deref()
    }

    /// Whether the resolved path is a regular file.
    pub fn is_file(&self) -> bool {
        matches!(self.file, FileState::Regular { .. })
    }

    /// What the resolved path names when it is there but not a regular file.
    pub fn not_regular(&self) -> Option<&'static str> {
        match self.file {
            FileState::NotRegular(what) => Some(what),
            _ => None,
        }
    }

    fn reading(&self) -> Option<&Reading> {
        self.checked.as_ref().map(|(_, _, r)| r)
    }

    /// Why the file cannot hold the function named (or cannot be read), when it is a file.
    pub fn name_problem(&self) -> Option<&str> {
        self.reading().and_then(|r| r.problem.as_deref())
    }

    /// What binds the function named last when that is not a plain top-level `def`, when it
    /// is a file that may hold it.
    pub fn binding_note(&self) -> Option<&str> {
        self.reading().and_then(|r| r.note.as_deref())
    }

    /// For py-asyncio: why its curve cannot show overlap, when the function named is a plain
    /// `def` ([`python_source::asyncio_blocking_note_of`]).
    pub fn asyncio_note(&self) -> Option<&str> {
        self.reading().and_then(|r| r.asyncio_note.as_deref())
    }
}

/// The workbench's one look at the function task's module, kept in `ctx`'s memory between
/// frames and brought up to date ([`ModuleLook::update`]) for the `file` text relative to
/// `base` and the function `name`: the task grid's file and name fields and the py-asyncio
/// checkbox's hover note share it, so none of them reads the file in every frame.
pub fn current(ctx: &egui::Context, file: &str, base: Option<&Path>, name: &str) -> ModuleLook {
    let id = egui::Id::unique("corelab-module-look");
    let mut look: ModuleLook = ctx.data(|d| d.get_temp(id)).unwrap_or_default();
    let now = ctx.input(|i| i.time);
    look.update(&RealFs, file, base, name, now);
    ctx.data_mut(|d| d.insert_temp(id, look.clone()));
    look
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
        len: Cell<u64>,
        defines: RefCell<String>,
    }

    impl ModuleFs for CountingFs {
        fn resolve(&self, file: &str, base: Option<&Path>) -> Option<PathBuf> {
            self.resolves.set(self.resolves.get() + 1);
            let base = base.unwrap_or(Path::new("/cwd"));
            (!file.is_empty()).then(|| base.join(file))
        }

        fn stat(&self, path: &Path) -> FileState {
            self.stats.set(self.stats.get() + 1);
            match self.exists.get() && path == Path::new("/m/work.py") {
                true => FileState::Regular {
                    len: self.len.get(),
                    modified: Some(
                        SystemTime::UNIX_EPOCH
                            + std::time::Duration::from_secs(self.modified.get()),
                    ),
                },
                false => FileState::Missing,
            }
        }

        fn read(&self, _path: &Path) -> Result<String, String> {
            self.reads.set(self.reads.get() + 1);
            Ok(format!("def {}(i):\n    return i\n", self.defines.borrow()))
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
        assert!(
            look.name_problem()
                .is_some_and(|w| w.starts_with("work.py: it has no function `wrok`")),
            "{:?}",
            look.name_problem()
        );
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
        assert!(
            look.name_problem()
                .is_some_and(|w| w.starts_with("work.py: it has no function `work`")),
            "{:?}",
            look.name_problem()
        );

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

    #[test]
    fn a_file_rewritten_to_another_size_with_the_same_time_is_read_again() {
        let fs = CountingFs::default();
        fs.exists.set(true);
        *fs.defines.borrow_mut() = "work".into();
        let base = Some(Path::new("/m"));
        let mut look = ModuleLook::default();
        look.update(&fs, "work.py", base, "work", 0.0);
        assert_eq!(counts(&fs), (1, 1, 1));
        look.update(&fs, "work.py", base, "work", 1.5);
        assert_eq!(counts(&fs), (2, 2, 1), "same size and time: not read");
        fs.len.set(4096);
        *fs.defines.borrow_mut() = "other".into();
        look.update(&fs, "work.py", base, "work", 3.0);
        assert_eq!(counts(&fs), (3, 3, 2), "another size: read again");
        assert!(look.name_problem().is_some());
    }

    #[test]
    fn a_fifo_is_named_as_what_it_is_and_never_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.py");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let mut look = ModuleLook::default();
        look.update(&RealFs, "fifo.py", Some(dir.path()), "work", 0.0);
        assert!(!look.is_file());
        assert_eq!(look.not_regular(), Some("a named pipe (fifo)"));
        assert_eq!(look.name_problem(), None);
        assert_eq!(look.asyncio_note(), None);
    }

    #[test]
    fn the_asyncio_note_comes_from_the_same_reading() {
        let fs = CountingFs::default();
        fs.exists.set(true);
        *fs.defines.borrow_mut() = "work".into();
        let mut look = ModuleLook::default();
        for frame in 0..30 {
            look.update(
                &fs,
                "work.py",
                Some(Path::new("/m")),
                "work",
                frame as f64 / 60.0,
            );
        }
        assert_eq!(fs.reads.get(), 1);
        assert!(
            look.asyncio_note()
                .is_some_and(|n| n.contains("plain function")),
            "{:?}",
            look.asyncio_note()
        );
    }
}
