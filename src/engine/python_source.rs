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
    source
        .lines()
        .filter_map(|line| {
            let rest = line
                .strip_prefix("def ")
                .or_else(|| line.strip_prefix("async def "))?;
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let after = rest[name.len()..].trim_start();
            (!name.is_empty() && after.starts_with('(')).then_some(name)
        })
        .collect()
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
