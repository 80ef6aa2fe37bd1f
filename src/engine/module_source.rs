//! A Python function task's module as one run reads it: once, at the start, with the one
//! capped reader ([`read_module_source`]), and scanned once ([`super::python_bindings`]).
//! Every check and note of the run's start takes this one value (the pre-check that the
//! function may be there, `corelab run`'s py-asyncio and binding notes) and the results file
//! records the function's source from it: so the source recorded is the text that was
//! checked, even when the file changes while the run starts.
//!
//! What this does not guarantee: the CPython processes of the run (the worker, its pool, the
//! Dask workers, the MPI ranks) import the module themselves, by its path, when each cell
//! starts. That is a separate read, by Python, which corelab cannot share: a module replaced
//! after this read runs as it is then, and the recorded source is the text as it was read
//! here. The run never reads the file again to compare.

use std::path::{Path, PathBuf};

use crate::preset::{Experiment, ModelKind, TaskKind};
use crate::safe_fs::ReadError;

use super::python_bindings::{Binding, module_bindings};
use super::python_source::{
    asyncio_blocking_note_in, binding_note_of, function_source_of, missing_function_of,
    read_module_source,
};

/// A module's text as read once, with the bindings its scan found. What a run checks, notes
/// and records of its function all come from one such value.
pub struct ModuleSource {
    path: PathBuf,
    text: String,
    bindings: Vec<Binding>,
}

impl std::fmt::Debug for ModuleSource {
    /// The path and size only: the text may be megabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleSource")
            .field("path", &self.path)
            .field("bytes", &self.text.len())
            .finish()
    }
}

impl ModuleSource {
    /// Reads the module at `path` with [`read_module_source`] (capped, regular files only,
    /// never blocking on a fifo) and scans it.
    pub fn read(path: &Path) -> Result<ModuleSource, ReadError> {
        Ok(ModuleSource::of_text(path, read_module_source(path)?))
    }

    /// The module at `path` whose text is `text` (already read), scanned.
    pub fn of_text(path: &Path, text: String) -> ModuleSource {
        ModuleSource {
            path: path.to_path_buf(),
            bindings: module_bindings(&text),
            text,
        }
    }

    /// The path it was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The text as read.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Why the module cannot hold a function `name`
    /// ([`super::python_source::missing_function`]); `None` when it may.
    pub fn missing_function(&self, name: &str) -> Option<String> {
        missing_function_of(&self.text, &self.bindings, name)
    }

    /// The source of the function a run calls by `name`
    /// ([`super::python_source::function_source`]).
    pub fn function_source(&self, name: &str) -> Option<String> {
        function_source_of(&self.text, &self.bindings, name)
    }

    /// Why the text cannot say which code a call of `name` runs
    /// ([`super::python_source::binding_note`]).
    pub fn binding_note(&self, name: &str) -> Option<String> {
        binding_note_of(&self.bindings, name.trim())
    }

    /// When `name` is a plain `def`, why py-asyncio's curve cannot show asyncio
    /// ([`super::python_source::asyncio_blocking_note_of`]).
    pub fn asyncio_blocking_note(&self, name: &str) -> Option<String> {
        asyncio_blocking_note_in(&self.bindings, name)
    }

    /// What a results file records of the function `name`: its source and the note on its
    /// binding, both from this one reading.
    pub fn recorded(&self, name: &str) -> (Option<String>, Option<String>) {
        (self.function_source(name), self.binding_note(name))
    }
}

/// Whether `module` is the one `exp`'s function task names (its module path, absolute by the
/// time a run starts). A value read for another experiment is never used for this one.
pub fn is_module_of(module: &ModuleSource, exp: &Experiment) -> bool {
    exp.task.kind == TaskKind::Function
        && exp.task.function.resolved_file(None).as_deref() == Some(module.path())
}

/// For a function task that `py-asyncio` will run: the module's note when its function is a
/// plain `def` ([`ModuleSource::asyncio_blocking_note`]). `None` for any other experiment.
pub fn asyncio_blocking_note(exp: &Experiment, module: &ModuleSource) -> Option<String> {
    if exp.task.kind != TaskKind::Function || !exp.models.contains(&ModelKind::PyAsyncio) {
        return None;
    }
    module.asyncio_blocking_note(&exp.task.function.name)
}

/// For a function task: the note on what binds its function's name, when the module's last
/// binding of it is not a plain top-level `def` ([`ModuleSource::binding_note`]).
pub fn binding_note_for(exp: &Experiment, module: &ModuleSource) -> Option<String> {
    if exp.task.kind != TaskKind::Function {
        return None;
    }
    module.binding_note(&exp.task.function.name)
}

/// What a results file records of the function `name` of the module at `path`, from one
/// reading made now ([`ModuleSource::recorded`]): for a sweep given no reading of its start.
/// Both `None` when the file cannot be read.
pub fn recorded_function(path: &Path, name: &str) -> (Option<String>, Option<String>) {
    ModuleSource::read(path).map_or((None, None), |m| m.recorded(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::python_source::module_reads_on_this_thread;

    const MODULE: &str = "\
import hashlib

def hash_records(n):
    return hashlib.sha256(str(n).encode()).hexdigest()

async def fetch(url):
    return url

@cache
def memo(n):
    return n
";

    fn function_exp(file: &Path, name: &str, models: &[ModelKind]) -> Experiment {
        let mut exp = Experiment {
            models: models.to_vec(),
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Function;
        exp.task.function.file = file.to_str().unwrap().into();
        exp.task.function.name = name.into();
        exp
    }

    #[test]
    fn one_reading_answers_every_check_and_note() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("io.py");
        std::fs::write(&path, MODULE).unwrap();
        let before = module_reads_on_this_thread();
        let module = ModuleSource::read(&path).unwrap();
        assert_eq!(module.text(), MODULE);
        assert_eq!(module.path(), path);
        assert_eq!(module.missing_function("hash_records"), None);
        let why = module.missing_function("hash_record").unwrap();
        assert!(why.contains("did you mean `hash_records`"), "{why}");
        assert_eq!(
            module.function_source(" hash_records "),
            Some(
                "def hash_records(n):\n    return hashlib.sha256(str(n).encode()).hexdigest()"
                    .into()
            )
        );
        assert_eq!(module.binding_note("hash_records"), None);
        let (source, note) = module.recorded(" memo ");
        assert_eq!(
            source.as_deref(),
            Some("@cache\ndef memo(n):\n    return n")
        );
        assert!(note.unwrap().contains("is decorated (@cache)"));
        let exp = function_exp(&path, "hash_records", &[ModelKind::PyAsyncio]);
        assert!(is_module_of(&module, &exp));
        let note = asyncio_blocking_note(&exp, &module).expect("a plain def");
        assert!(
            note.starts_with("py-asyncio: `hash_records` is a plain function"),
            "{note}"
        );
        assert_eq!(binding_note_for(&exp, &module), None);
        // All of it from the one read.
        assert_eq!(module_reads_on_this_thread() - before, 1);
        // The same answers as the functions on a text.
        use crate::engine::python_source as ps;
        for name in ["hash_records", "fetch", "memo", "nothing", "hash-records"] {
            assert_eq!(
                module.missing_function(name),
                ps::missing_function(MODULE, name)
            );
            assert_eq!(
                module.function_source(name),
                ps::function_source(MODULE, name)
            );
            assert_eq!(module.binding_note(name), ps::binding_note(MODULE, name));
            assert_eq!(
                module.asyncio_blocking_note(name),
                ps::asyncio_blocking_note_of(MODULE, name)
            );
        }
    }

    #[test]
    fn the_notes_are_for_the_experiments_that_need_them() {
        let path = Path::new("/w/io.py");
        let module = ModuleSource::of_text(path, MODULE.into());
        let mut exp = function_exp(path, "fetch", &[ModelKind::PyAsyncio]);
        assert_eq!(asyncio_blocking_note(&exp, &module), None, "async def");
        exp.task.function.name = "hash_records".into();
        exp.models = vec![ModelKind::PyThreading];
        assert_eq!(asyncio_blocking_note(&exp, &module), None, "no py-asyncio");
        exp.task.function.name = "memo".into();
        assert!(binding_note_for(&exp, &module).is_some());
        // Not a function task, or another module: no note, and not this experiment's module.
        let mut other = exp.clone();
        other.task.kind = TaskKind::Cpu;
        assert_eq!(binding_note_for(&other, &module), None);
        assert!(!is_module_of(&module, &other));
        other = exp.clone();
        other.task.function.file = "/w/other.py".into();
        assert!(!is_module_of(&module, &other));
        assert!(is_module_of(&module, &exp));
    }

    #[test]
    fn a_module_that_cannot_be_read_is_an_error_with_its_reason() {
        let dir = tempfile::tempdir().unwrap();
        let err = ModuleSource::read(&dir.path().join("absent.py")).unwrap_err();
        assert!(!err.to_string().is_empty());
        let err = ModuleSource::read(Path::new("/dev/zero"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
