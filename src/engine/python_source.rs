//! What a Python function task's module defines, read from its text: never imported, never
//! run (opening a preset, the workbench and the pre-check before a sweep must not run the
//! user's code). A scan of the module's statements, not Python's parser: it follows which
//! statement binds a module-level name last, as importing the module would, and says so
//! plainly where that is not a plain top-level `def`, since what such a statement binds
//! (an assignment, an import, a decorator's result, a `def` in an `if` or `try` block that
//! may not run) is known only by running the code. It also tells a name that cannot be in
//! the module (it occurs nowhere in its text) from one that may be.
//!
//! The rule, as the README's "Your own workload" states it:
//! - A name is listed as a function when the module's import runs a `def` (or `async def`)
//!   of it: at the top level, or in a block of a top-level `if`, `try`, `for`, `while` or
//!   `with`. A `def` in a function's or a class's body is not the module's, and not listed.
//!   Each name is listed once.
//! - Python binds a name to its last binding, so the last one decides: a later `def` replaces
//!   an earlier one, and so do an assignment, an import, a `class`, a `for` target,
//!   `with … as`, `except … as`, `del`, or a `from … import *` after it.
//! - The function's source (shown, and recorded in the results file) is the text of that last
//!   binding when it is a `def` at the top level, its decorators included. Otherwise there is
//!   none to show, and a note says what binds the name instead: a `def` in a block may not run
//!   (`try: from fast import work` / `except ImportError: def work`), and an assignment or
//!   import binds what running it gives. A decorated `def` has its source, and a note that
//!   Python calls what the decorator returns.
//! - A function's own `global` statement can rebind a name too; the scan does not follow it.

use std::path::Path;

use crate::safe_fs::ReadError;

use super::python_bindings::{Binding, How, module_bindings};

/// The most bytes of a module's source corelab reads (4 MiB): far more than any hand-written
/// module, small enough that reading and scanning it cannot exhaust memory or stall the
/// workbench. A larger module is refused, by the workbench's checks and by a sweep's
/// pre-check alike, as SECURITY.md says.
pub const MAX_MODULE_BYTES: u64 = 4 << 20;

thread_local! {
    static MODULE_READS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// How many times [`read_module_source`] has run on the calling thread: lets a test check
/// that the workbench does not read the module in every frame, and that a run reads it once.
pub fn module_reads_on_this_thread() -> u64 {
    MODULE_READS.with(std::cell::Cell::get)
}

/// The one way corelab reads a Python module's source (the workbench's name check, "List
/// functions" and py-asyncio note; for a run, the one reading of
/// [`super::module_source::ModuleSource`] that its pre-check, the CLI's notes and the recorded
/// source all take): [`crate::safe_fs::read_regular_file`] with [`MAX_MODULE_BYTES`], so a fifo, a
/// device or a socket is refused with what it is (`it is a named pipe (fifo), not a regular
/// file`) without blocking (the open is non-blocking and the type is checked on the opened
/// descriptor), and a larger file with the cap in the message. Bounded, so it may run on the
/// UI thread. Text that is not UTF-8 is read lossily: its ASCII names still count.
pub fn read_module_source(path: &Path) -> Result<String, ReadError> {
    MODULE_READS.with(|n| n.set(n.get() + 1));
    let bytes = crate::safe_fs::read_regular_file(path, MAX_MODULE_BYTES)?;
    Ok(match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    })
}

/// A module-level function as the workbench's "List functions" shows it: its name (once,
/// however often it is defined), the line of the statement that binds it last, and, when
/// that is not a plain top-level `def`, why the scan cannot say what Python calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFunction {
    pub name: String,
    pub line: usize,
    /// How many `def`s of the name the module's import may run (the last one counts).
    pub defs: usize,
    pub note: Option<String>,
}

/// The module's functions: every name its import binds with a `def` or `async def`, once
/// each, in the order of their first definition. A scan of the text: the code never runs.
pub fn listed_functions(source: &str) -> Vec<ListedFunction> {
    listed_functions_of(&module_bindings(source))
}

/// [`listed_functions`] of a module's bindings already scanned.
pub(super) fn listed_functions_of(bindings: &[Binding]) -> Vec<ListedFunction> {
    let mut names: Vec<&str> = Vec::new();
    for b in bindings {
        if matches!(b.how, How::Def { .. }) && !names.contains(&b.name.as_str()) {
            names.push(&b.name);
        }
    }
    names
        .into_iter()
        .filter_map(|name| {
            let last = last_binding(bindings, name)?;
            Some(ListedFunction {
                name: name.to_string(),
                line: last.line,
                defs: bindings
                    .iter()
                    .filter(|b| b.name == name && matches!(b.how, How::Def { .. }))
                    .count(),
                note: binding_note_of(bindings, name),
            })
        })
        .collect()
}

/// Names of the module's functions ([`listed_functions`]), each once, in order.
pub fn top_level_functions(source: &str) -> Vec<String> {
    top_level_functions_of(&module_bindings(source))
}

fn top_level_functions_of(bindings: &[Binding]) -> Vec<String> {
    listed_functions_of(bindings)
        .into_iter()
        .map(|f| f.name)
        .collect()
}

/// The statement that binds `name` last on import: its own last binding, or a later
/// `from … import *`, which may rebind it.
fn last_binding<'b>(bindings: &'b [Binding], name: &str) -> Option<&'b Binding> {
    bindings
        .iter()
        .rev()
        .find(|b| b.name == name || b.how == How::StarImport)
}

/// Why the module's text cannot say which code a call of `name` runs, in plain words; `None`
/// when its last binding is a plain top-level `def` (or nothing binds it: see
/// [`missing_function`]).
pub fn binding_note(source: &str, name: &str) -> Option<String> {
    binding_note_of(&module_bindings(source), name.trim())
}

/// [`binding_note`] of a module's bindings already scanned (`name` trimmed).
pub(super) fn binding_note_of(bindings: &[Binding], name: &str) -> Option<String> {
    let last = last_binding(bindings, name)?;
    let line = last.line;
    let earlier_def = bindings
        .iter()
        .rev()
        .find(|b| b.name == name && b.line < line && matches!(b.how, How::Def { .. }))
        .map(|b| b.line);
    let after_def = earlier_def.map_or(String::new(), |d| format!(", after its `def` on line {d}"));
    let unknown = "corelab reads the module without running it, so it cannot say what a run calls";
    Some(match (&last.how, &last.block) {
        (How::Def { .. }, Some((keyword, at))) => format!(
            "`{name}` is last bound on line {line} by a `def` inside the `{keyword}` block of \
             line {at}: Python binds it only if that block runs when the module is imported, \
             and {unknown}"
        ),
        (
            How::Def {
                decorator: None, ..
            },
            None,
        ) => return None,
        (
            How::Def {
                decorator: Some(d), ..
            },
            None,
        ) => format!(
            "`{name}` (line {line}) is decorated ({}): Python calls what the decorator \
             returns, and {unknown}",
            d.lines().next().unwrap_or_default().trim()
        ),
        (How::Deleted, _) => format!(
            "`{name}` is deleted by `del` on line {line}{after_def}: importing the module \
             leaves no `{name}`, unless code the scan cannot follow binds it again"
        ),
        (How::StarImport, _) => format!(
            "`{name}` may be rebound by a `from … import *` on line {line}{after_def}: Python \
             calls whatever that binds, and {unknown}"
        ),
        (How::Other(words), _) => format!(
            "`{name}` is last bound on line {line} by {words}{after_def}: Python calls \
             whatever that binds, {}, and {unknown}",
            match earlier_def {
                Some(_) => "not the `def`",
                None => "not a `def` of this module",
            }
        ),
    })
}

/// The source of the function a run calls by `name`: the text of its last binding when that
/// is a top-level `def` (decorators included, up to the end of its body). `None` when the
/// name's last binding is anything else, which the scan cannot follow ([`binding_note`]).
pub fn function_source(source: &str, name: &str) -> Option<String> {
    function_source_of(source, &module_bindings(source), name)
}

/// [`function_source`] of `source` whose bindings are already scanned.
pub(super) fn function_source_of(source: &str, bindings: &[Binding], name: &str) -> Option<String> {
    match last_binding(bindings, name.trim())? {
        Binding {
            how: How::Def { text, .. },
            block: None,
            ..
        } => source.get(text.clone()).map(str::to_string),
        _ => None,
    }
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
    missing_function_of(source, &module_bindings(source), name)
}

/// [`missing_function`] of `source` whose bindings are already scanned.
pub(super) fn missing_function_of(
    source: &str,
    bindings: &[Binding],
    name: &str,
) -> Option<String> {
    let name = name.trim();
    let defined = top_level_functions_of(bindings);
    let listed = match defined.is_empty() {
        true => "it defines no top-level function".to_string(),
        false => format!("its top-level functions: {}", defined.join(", ")),
    };
    if name.is_empty() {
        return Some(format!("no function named yet; {listed}"));
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

/// Whether the function a run calls by `name` is a plain `def` (`Some(true)`) or an
/// `async def` (`Some(false)`): its last binding, when that is an undecorated top-level
/// `def`. `None` otherwise (what binds it then is known only by running the module).
pub fn is_plain_def(source: &str, name: &str) -> Option<bool> {
    is_plain_def_of(&module_bindings(source), name)
}

fn is_plain_def_of(bindings: &[Binding], name: &str) -> Option<bool> {
    match last_binding(bindings, name.trim())? {
        Binding {
            how:
                How::Def {
                    plain,
                    decorator: None,
                    ..
                },
            block: None,
            ..
        } => Some(*plain),
        _ => None,
    }
}

/// For a function task that `py-asyncio` runs, on a module's source already read: when its
/// function `name` is a plain `def`, why that model's curve cannot show asyncio overlapping
/// anything (it runs inline on the loop and blocks it). `None` otherwise.
pub fn asyncio_blocking_note_of(source: &str, name: &str) -> Option<String> {
    asyncio_blocking_note_in(&module_bindings(source), name)
}

/// [`asyncio_blocking_note_of`] of a module's bindings already scanned.
pub(super) fn asyncio_blocking_note_in(bindings: &[Binding], name: &str) -> Option<String> {
    let name = name.trim();
    is_plain_def_of(bindings, name)?.then(|| {
        format!(
            "py-asyncio: `{name}` is a plain function (`def`, not `async def`), so it runs \
             inline on the event loop and blocks it: its calls never overlap, and the \
             py-asyncio curve measures that, not asyncio (make it `async def` and await, e.g. \
             `asyncio.sleep` instead of `time.sleep`, to measure asyncio)"
        )
    })
}

pub(super) fn is_identifier(name: &str) -> bool {
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

    fn bound_names(source: &str) -> Vec<String> {
        module_bindings(source)
            .into_iter()
            .map(|b| b.name)
            .collect()
    }

    #[test]
    fn a_generic_def_or_class_keeps_its_body_out_of_the_module_names() {
        // Python 3.12 type parameters: `work` is bound, its body is its own scope.
        let src = "def work[T](xs: list[T]) -> T:\n    def inner(x):\n        pass\n    total = 1\n    return xs\n\nclass Box[T]:\n    def method(self): pass\n    size = 2\nafter = 3\n";
        assert_eq!(bound_names(src), vec!["work", "Box", "after"]);
        assert_eq!(top_level_functions(src), vec!["work"]);
        let text = function_source(src, "work").expect("a def");
        assert!(text.ends_with("return xs"), "{text}");
        assert_eq!(binding_note(src, "work"), None);
    }

    #[test]
    fn a_backslash_continuation_is_followed_across_crlf_line_ends() {
        // The def's header continues on the next line, so its body is its own scope.
        let src =
            "def work(n) \\\r\n        -> int:\r\n    total = 1\r\n    return n\r\nafter = 2\r\n";
        assert_eq!(bound_names(src), vec!["work", "after"]);
        let after = module_bindings(src).into_iter().last().expect("after");
        assert_eq!(after.line, 5);
        // In a string too: `b = 2` is the string's text, not an assignment.
        let src = "s = \"a\\\r\nb = 2\"\r\nc = 3\r\n";
        assert_eq!(bound_names(src), vec!["s", "c"]);
        assert_eq!(module_bindings(src)[1].line, 3);
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
        // The last definition of the name decides, as Python binds it; listed once.
        let redefined = "async def work(n): pass\ndef work(n): pass\n";
        assert_eq!(top_level_functions(redefined), vec!["work"]);
        assert_eq!(is_plain_def(redefined, "work"), Some(true));
        let redefined = "def work(n): pass\nasync def work(n): pass\n";
        assert_eq!(is_plain_def(redefined, "work"), Some(false));
        // Decorated, in a block, or rebound: what Python calls is not known from the text.
        for unknown in [
            "@jit\ndef work(n): pass\n",
            "try:\n    import fast\nexcept ImportError:\n    def work(n): pass\n",
            "def work(n): pass\nwork = wrap(work)\n",
        ] {
            assert_eq!(is_plain_def(unknown, "work"), None, "{unknown}");
        }
    }

    /// One module with every way the scan knows to bind a name, and the notes it gives.
    const REBOUND: &str = r#"import numpy as np, os.path
from fast import (quick as speedy, slow)

def work(n):
    """First version.
def not_a_function(x):
    """
    return 1

def work(n):
    def helper(x):
        return x
    return helper(n) * 2

class Runner:
    def method(self):
        pass

    def work(self):
        pass

async def fetch(url):
    return url

def fetch(url):  # replaced by an assignment below
    pass
fetch = make_fetch(
    fetch,
)

@cache
def memo(n):
    return n

def gone(n): pass
del gone

try:
    from numba import njit
except ImportError:
    def accelerated(n): return n

def imported(n): pass
from elsewhere import imported

def looped(n): pass
for looped in range(3): pass

"#;

    #[test]
    fn each_function_is_listed_once_in_the_order_of_its_first_def() {
        assert_eq!(
            top_level_functions(REBOUND),
            vec![
                "work",
                "fetch",
                "memo",
                "gone",
                "accelerated",
                "imported",
                "looped",
            ],
            "nested defs (`helper`), methods, and a `def` inside a string are not listed"
        );
    }

    #[test]
    fn the_last_def_is_the_source_python_runs() {
        let work = function_source(REBOUND, "work").expect("a top-level def");
        assert!(
            work.starts_with("def work(n):\n    def helper(x):"),
            "{work}"
        );
        assert!(work.ends_with("return helper(n) * 2"), "{work}");
        assert!(!work.contains("First version"), "{work}");
        assert_eq!(binding_note(REBOUND, "work"), None);
        let listed = listed_functions(REBOUND);
        assert_eq!(listed[0].line, 10, "the line of the last def");
        assert_eq!(listed[0].defs, 2);
        assert_eq!(listed[0].note, None);
        // Decorators belong to the source, with a note on what Python calls.
        let memo = function_source(REBOUND, "memo").unwrap();
        assert_eq!(memo, "@cache\ndef memo(n):\n    return n");
        let note = binding_note(REBOUND, "memo").unwrap();
        assert!(note.contains("is decorated (@cache)"), "{note}");
        assert!(note.contains("calls what the decorator returns"), "{note}");
        // A one-line def, and an async def.
        let src = "async def a(n):\n    await b()\n\n\ndef c(n): return n\nx = 1\n";
        assert_eq!(
            function_source(src, "a").unwrap(),
            "async def a(n):\n    await b()"
        );
        assert_eq!(function_source(src, " c ").unwrap(), "def c(n): return n");
        assert_eq!(function_source(src, "x"), None);
        assert_eq!(function_source(src, "missing"), None);
    }

    #[test]
    fn a_name_rebound_after_its_def_is_said_so_and_has_no_source() {
        for (name, words) in [
            (
                "fetch",
                "is last bound on line 27 by an assignment, after its `def` on line 25",
            ),
            ("imported", "by an import, after its `def` on line 43"),
            (
                "looped",
                "by a `for` loop's target, after its `def` on line 46",
            ),
            (
                "gone",
                "is deleted by `del` on line 36, after its `def` on line 35",
            ),
        ] {
            let note = binding_note(REBOUND, name).unwrap_or_else(|| panic!("{name}: no note"));
            assert!(note.contains(words), "{name}: {note}");
            assert_eq!(function_source(REBOUND, name), None, "{name}");
            let listed = listed_functions(REBOUND);
            let entry = listed.iter().find(|f| f.name == name).unwrap();
            assert_eq!(entry.note.as_deref(), Some(note.as_str()), "{name}");
        }
        let note = binding_note(REBOUND, "fetch").unwrap();
        assert!(note.contains("not the `def`"), "{note}");
        // `import *` after the def may rebind any name.
        let src = "def work(n): pass\nfrom everything import *\n";
        let note = binding_note(src, "work").unwrap();
        assert!(
            note.contains(
                "may be rebound by a `from … import *` on line 2, after its `def` on line 1"
            ),
            "{note}"
        );
        assert_eq!(function_source(src, "work"), None);
        let src = "from everything import *\ndef work(n): pass\n";
        assert_eq!(binding_note(src, "work"), None);
        // Names bound otherwise, never by a def: a note too, and not listed.
        let note = binding_note(REBOUND, "speedy").unwrap();
        assert!(
            note.contains("by an import") && note.contains("not a `def` of this module"),
            "{note}"
        );
        assert!(
            binding_note(REBOUND, "np")
                .unwrap()
                .contains("line 1 by an import")
        );
        assert!(
            binding_note(REBOUND, "Runner")
                .unwrap()
                .contains("a `class` statement")
        );
        // A class's method of the same name does not rebind the module's.
        assert_eq!(binding_note(REBOUND, "work"), None);
    }

    #[test]
    fn a_def_in_a_top_level_block_is_listed_with_a_note_and_no_source() {
        let note = binding_note(REBOUND, "accelerated").unwrap();
        assert!(
            note.contains("line 41 by a `def` inside the `except` block of line 40"),
            "{note}"
        );
        assert!(note.contains("only if that block runs"), "{note}");
        assert_eq!(function_source(REBOUND, "accelerated"), None);
        // A plain def after the block binds last, whatever the block did.
        let src = "try:\n    from fast import work\nexcept ImportError:\n    def work(n):\n        return n\n\ndef work(n):\n    return 2 * n\n";
        assert_eq!(binding_note(src, "work"), None);
        assert_eq!(
            function_source(src, "work").unwrap(),
            "def work(n):\n    return 2 * n"
        );
        // One-line blocks, and `if __name__ == "__main__":`.
        let src = "def work(n): pass\nif FAST: work = fast_work\n";
        let note = binding_note(src, "work").unwrap();
        assert!(
            note.contains("line 2 by an assignment, after its `def` on line 1"),
            "{note}"
        );
        let src = "def work(n): pass\nif __name__ == \"__main__\":\n    def work(n): return 0\n";
        assert!(
            binding_note(src, "work")
                .unwrap()
                .contains("`if` block of line 2")
        );
    }

    #[test]
    fn statements_that_only_look_like_bindings_bind_nothing() {
        let src = concat!(
            "def work(n): pass\n",
            "print(work == 1, work=3)\n",
            "work.attr = 1\n",
            "table[work] = 2\n",
            "assert work <= 3 and work >= 1 and work != 2\n",
            "x = \"work = 1\"  # work = 2\n",
            "s = '''\nwork = 3\n'''\n",
            "call(\n    work=4,\n)\n",
            "match = work\n",
        );
        assert_eq!(binding_note(src, "work"), None);
        assert_eq!(function_source(src, "work").unwrap(), "def work(n): pass");
        // Augmented and chained assignments, tuple targets, annotations: they bind.
        for rebinding in [
            "work += 1",
            "a = work = 2",
            "a, (b, *work) = t",
            "work: Callable = other",
            "with open(p) as work: pass",
        ] {
            let src = format!("def work(n): pass\n{rebinding}\n");
            assert!(binding_note(&src, "work").is_some(), "{rebinding}");
        }
        // An annotation alone binds nothing.
        assert_eq!(binding_note("def work(n): pass\nwork: int\n", "work"), None);
    }

    #[test]
    fn py_asyncio_with_a_plain_function_is_said_to_block_the_loop() {
        use crate::engine::module_source::{ModuleSource, asyncio_blocking_note};
        use crate::preset::{Experiment, ModelKind, TaskKind};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("io.py");
        std::fs::write(&path, MODULE).unwrap();
        let module = ModuleSource::read(&path).unwrap();
        let mut exp = Experiment {
            models: vec![ModelKind::PyThreading, ModelKind::PyAsyncio],
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Function;
        exp.task.function.file = path.to_str().unwrap().into();
        exp.task.function.name = "hash_records".into();
        let note = asyncio_blocking_note(&exp, &module).expect("a plain def");
        assert!(
            note.starts_with("py-asyncio: `hash_records` is a plain function"),
            "{note}"
        );
        assert!(note.contains("blocks it"), "{note}");
        assert_eq!(asyncio_blocking_note_of(MODULE, "hash_records"), Some(note));
        exp.task.function.name = "fetch".into();
        assert_eq!(asyncio_blocking_note(&exp, &module), None, "async def");
        exp.task.function.name = "hash_records".into();
        exp.models = vec![ModelKind::PyThreading];
        assert_eq!(asyncio_blocking_note(&exp, &module), None, "no py-asyncio");
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

    /// Reads `path` with [`read_module_source`] on another thread, failing the test when it
    /// does not return within ten seconds (a blocking open of a fifo never would).
    fn read_promptly(path: &Path) -> Result<String, String> {
        let (tx, rx) = std::sync::mpsc::channel();
        let owned = path.to_path_buf();
        std::thread::spawn(move || {
            let _ = tx.send(read_module_source(&owned).map_err(|e| e.to_string()));
        });
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("reading the module returned within ten seconds")
    }

    #[test]
    fn a_fifo_module_is_refused_at_once_as_not_a_regular_file() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.py");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let err = read_promptly(&fifo).unwrap_err();
        assert!(
            err.contains("named pipe (fifo), not a regular file"),
            "{err}"
        );
        // And the one reading a run makes says so rather than waiting for a writer.
        let err = crate::engine::module_source::ModuleSource::read(&fifo)
            .unwrap_err()
            .to_string();
        assert!(err.contains("not a regular file"), "{err}");
        assert_eq!(
            crate::engine::module_source::recorded_function(&fifo, "work"),
            (None, None)
        );
    }

    #[test]
    fn a_device_module_is_refused_without_reading_it() {
        let err = read_promptly(Path::new("/dev/zero")).unwrap_err();
        assert!(
            err.contains("a character device, not a regular file"),
            "{err}"
        );
        // Through a symbolic link too.
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("zero.py");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = read_promptly(&link).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
    }

    #[test]
    fn a_module_over_the_cap_is_refused_with_the_cap_in_the_message() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.py");
        std::fs::write(&big, "def work(i):\n    return i\n").unwrap();
        // Sparse: costs nothing on disk, and is never read into memory.
        let file = std::fs::OpenOptions::new().write(true).open(&big).unwrap();
        file.set_len(400 << 20).unwrap();
        let err = read_promptly(&big).unwrap_err();
        assert!(
            err.contains(&format!("{MAX_MODULE_BYTES}-byte limit")),
            "the cap is named: {err}"
        );
        assert!(err.contains(&format!("{}", 400u64 << 20)), "{err}");
        // At the cap it is still read.
        file.set_len(MAX_MODULE_BYTES).unwrap();
        assert_eq!(read_promptly(&big).unwrap().len() as u64, MAX_MODULE_BYTES);
    }

    #[test]
    fn a_regular_module_is_read_as_text_and_lossily_when_not_utf8() {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("m.py");
        std::fs::write(&module, MODULE).unwrap();
        assert_eq!(read_promptly(&module).unwrap(), MODULE);
        std::fs::write(&module, b"# \xff\ndef work(i):\n    return i\n").unwrap();
        let text = read_promptly(&module).unwrap();
        assert!(text.contains("def work(i)"), "{text}");
        let read = crate::engine::module_source::ModuleSource::read(&module).unwrap();
        assert_eq!(read.missing_function("work"), None);
    }
}
