//! What a Python function task's module defines, read from its text: never imported, never
//! run (opening a preset, the workbench and the pre-check before a sweep must not run the
//! user's code). A text scan, not Python's parser: it lists the functions defined at the top
//! level (`def name(`, `async def name(`, as the workbench's "List functions" shows them), and
//! it tells a name that cannot be in the module (it occurs nowhere in its text) from one that
//! may be (defined, assigned, imported, or made some way a scan cannot follow).

use std::path::Path;

/// Names of the functions defined at column 0 (`def name(` or `async def name(`) of a Python
/// source text, in order. A text scan: the module's code never runs.
pub fn top_level_functions(source: &str) -> Vec<String> {
    top_level_defs(source)
        .map(|(name, _)| name.to_string())
        .collect()
}

/// The functions defined at column 0 of a Python source text, in order: each one's name, and
/// whether it is a plain `def` (`true`) or an `async def` (`false`). The one scan behind
/// [`top_level_functions`] and [`is_plain_def`].
fn top_level_defs(source: &str) -> impl Iterator<Item = (&str, bool)> {
    source.lines().filter_map(|line| {
        let (rest, plain) = match line.strip_prefix("async def ") {
            Some(rest) => (rest, false),
            None => (line.strip_prefix("def ")?, true),
        };
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(end);
        (!name.is_empty() && after.trim_start().starts_with('(')).then_some((name, plain))
    })
}

/// The name a message calls a module file by: its file name (`mywork.py`), or the path as
/// given when it has none. The engine's messages and the workbench's name check both call a
/// module so.
pub fn module_file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Why the module's text cannot hold a function called `name`, with the nearest top-level
/// function (`did you mean`) and the ones it has; `None` when it may hold it.
///
/// Refused only when certain: `name` is not an identifier, or it occurs nowhere in the text as
/// a whole word, and the module has no way to make a name a text scan cannot see (`import *`,
/// a module `__getattr__`, `globals()`, `setattr`). A name defined in a branch, assigned
/// (`work = partial(...)`) or imported (`from fast import work`) occurs in the text, so it
/// passes; whether it is callable is Python's to say, when the run imports the module.
pub fn missing_function(source: &str, name: &str) -> Option<String> {
    let name = name.trim();
    let defined = top_level_functions(source);
    let listed = match defined.is_empty() {
        true => "it defines no top-level function".to_string(),
        false => format!("its top-level functions: {}", defined.join(", ")),
    };
    if name.is_empty() {
        return Some(format!("no function named; {listed}"));
    }
    if !is_identifier(name) {
        return Some(format!(
            "{:?} is not a Python name; {listed}",
            name.escape_debug().to_string()
        ));
    }
    let dynamic = ["import *", "__getattr__", "globals()", "setattr("];
    if dynamic.iter().any(|d| source.contains(d)) || occurs_as_word(source, name) {
        return None;
    }
    let hint = crate::preset::closest(name, &defined)
        .map_or(String::new(), |s| format!(" (did you mean `{s}`?)"));
    Some(format!("it has no function `{name}`{hint}; {listed}"))
}

/// [`missing_function`] for the module file at `path`, read as text (lossily: a module
/// that is not UTF-8 still has ASCII names). `Ok(None)` when it may define `name`.
pub fn missing_function_in(path: &Path, name: &str) -> std::io::Result<Option<String>> {
    let bytes = std::fs::read(path)?;
    Ok(missing_function(&String::from_utf8_lossy(&bytes), name))
}

/// Whether the module's top-level function `name` is a plain `def` (`Some(true)`) or an
/// `async def` (`Some(false)`); `None` when the text defines no top-level function by that
/// name (it may be made another way).
pub fn is_plain_def(source: &str, name: &str) -> Option<bool> {
    let name = name.trim();
    top_level_defs(source).find_map(|(defined, plain)| (defined == name).then_some(plain))
}

/// For a function task that `py-asyncio` will run: when the module's function is a plain
/// `def`, why that model's curve cannot show asyncio overlapping anything (it runs inline on
/// the loop and blocks it). `module_base` resolves a relative module path (see
/// [`crate::preset::FunctionParams::resolved_file`]). `None` otherwise, or when the file
/// cannot be read.
pub fn asyncio_blocking_note(
    exp: &crate::preset::Experiment,
    module_base: Option<&Path>,
) -> Option<String> {
    use crate::preset::{ModelKind, TaskKind};
    if exp.task.kind != TaskKind::Function || !exp.models.contains(&ModelKind::PyAsyncio) {
        return None;
    }
    let function = &exp.task.function;
    let bytes = std::fs::read(function.resolved_file(module_base)?).ok()?;
    let name = function.name.trim();
    is_plain_def(&String::from_utf8_lossy(&bytes), name)?.then(|| {
        format!(
            "py-asyncio: `{name}` is a plain function (`def`, not `async def`), so it runs \
             inline on the event loop and blocks it: its calls never overlap, and the \
             py-asyncio curve measures that, not asyncio (make it `async def` and await, e.g. \
             `asyncio.sleep` instead of `time.sleep`, to measure asyncio)"
        )
    })
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
}

/// Whether `word` occurs in `text` with no identifier character on either side.
fn occurs_as_word(text: &str, word: &str) -> bool {
    let part_of_name = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    text.match_indices(word).any(|(at, _)| {
        !part_of_name(text[..at].chars().next_back())
            && !part_of_name(text[at + word.len()..].chars().next())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODULE: &str = "import hashlib\n\ndef hash_records(n):\n    def inner(x):\n        pass\n    return n\n\nasync def fetch (u):\n    pass\nclass A:\n    def method(self): pass\ndefine = 3\n";

    #[test]
    fn top_level_functions_are_found_by_text_without_nested_ones() {
        assert_eq!(top_level_functions(MODULE), vec!["hash_records", "fetch"]);
    }

    #[test]
    fn a_module_is_called_by_its_file_name_or_else_its_path() {
        assert_eq!(
            module_file_name(Path::new("/home/me/work/mywork.py")),
            "mywork.py"
        );
        assert_eq!(module_file_name(Path::new("mywork.py")), "mywork.py");
        // No file name to take: the path as given.
        assert_eq!(module_file_name(Path::new("/")), "/");
        assert_eq!(module_file_name(Path::new("work/..")), "work/..");
    }

    #[test]
    fn a_misspelt_function_is_refused_with_the_nearest_and_the_list() {
        let why = missing_function(MODULE, "hash_recrods").expect("refused");
        assert!(why.contains("no function `hash_recrods`"), "{why}");
        assert!(why.contains("did you mean `hash_records`?"), "{why}");
        assert!(why.contains("hash_records, fetch"), "{why}");
        // Nothing near enough: no guess, still the list.
        let why = missing_function(MODULE, "compute").expect("refused");
        assert!(!why.contains("did you mean"), "{why}");
        assert!(why.contains("hash_records, fetch"), "{why}");
    }

    #[test]
    fn a_name_the_text_may_define_passes() {
        for name in ["hash_records", "fetch", "inner", "A", "define", " fetch "] {
            assert_eq!(missing_function(MODULE, name), None, "{name}");
        }
        // Assigned, imported, or defined in a branch: the scan cannot say, Python will.
        let src = "try:\n    from fast import work\nexcept ImportError:\n    def work(n): return n\nrun = work\n";
        assert_eq!(missing_function(src, "work"), None);
        assert_eq!(missing_function(src, "run"), None);
        // A name a module can make without writing it: never refused.
        for dynamic in [
            "from impl import *\n",
            "def __getattr__(name): ...\n",
            "globals()['x'] = 1\n",
        ] {
            assert_eq!(missing_function(dynamic, "anything"), None, "{dynamic}");
        }
    }

    #[test]
    fn only_whole_words_count() {
        // `hash_records_v2` and `my_hash_records` hold the text, not the name.
        let src = "def hash_records_v2(n): pass\ndef my_hash_records(n): pass\n";
        let why = missing_function(src, "hash_records").expect("refused");
        assert!(why.contains("did you mean"), "{why}");
    }

    #[test]
    fn a_plain_def_is_told_from_an_async_def() {
        assert_eq!(is_plain_def(MODULE, "hash_records"), Some(true));
        assert_eq!(is_plain_def(MODULE, "fetch"), Some(false));
        assert_eq!(is_plain_def(MODULE, "hash"), None, "a prefix of a name");
        assert_eq!(is_plain_def(MODULE, "inner"), None, "nested");
        assert_eq!(is_plain_def(MODULE, "define"), None, "assigned");
        assert_eq!(
            is_plain_def(MODULE, " fetch "),
            Some(false),
            "the name trimmed"
        );
        // The first definition of the name decides, as the scan lists it.
        let redefined = "async def work(n): pass\ndef work(n): pass\n";
        assert_eq!(top_level_functions(redefined), vec!["work", "work"]);
        assert_eq!(is_plain_def(redefined, "work"), Some(false));
    }

    #[test]
    fn py_asyncio_with_a_plain_function_is_said_to_block_the_loop() {
        use crate::preset::{Experiment, ModelKind, TaskKind};
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("io.py"), MODULE).unwrap();
        let mut exp = Experiment {
            models: vec![ModelKind::PyThreading, ModelKind::PyAsyncio],
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Function;
        exp.task.function.file = "io.py".into();
        exp.task.function.name = "hash_records".into();
        let note = asyncio_blocking_note(&exp, Some(dir.path())).expect("a plain def");
        assert!(
            note.starts_with("py-asyncio: `hash_records` is a plain function"),
            "{note}"
        );
        assert!(note.contains("blocks it"), "{note}");
        exp.task.function.name = "fetch".into();
        assert_eq!(
            asyncio_blocking_note(&exp, Some(dir.path())),
            None,
            "async def"
        );
        exp.task.function.name = "hash_records".into();
        exp.models = vec![ModelKind::PyThreading];
        assert_eq!(
            asyncio_blocking_note(&exp, Some(dir.path())),
            None,
            "no py-asyncio"
        );
    }

    #[test]
    fn an_empty_or_invalid_name_is_refused() {
        assert!(
            missing_function(MODULE, "")
                .unwrap()
                .contains("no function named")
        );
        assert!(
            missing_function(MODULE, "hash-records")
                .unwrap()
                .contains("not a Python name")
        );
        assert!(
            missing_function("", "f")
                .unwrap()
                .contains("no top-level function")
        );
    }
}
