#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The layering the README states: imports point one way,
//! `preset → stats → results → engine → analysis → export → gui / cli`.
//!
//! Every `crate::<module>` path in `src/` (a `use`, a grouped `use crate::{…}`, or a path written
//! inline, tests included) is read as an edge from the file's layer to that module's layer. A
//! layer may use the layers before it; the helpers below every layer (`safe_fs`, `sys`, `terminal_chars`, `words`)
//! may be used by all and use no layer. The one edge between the front ends is the binary's
//! dispatcher: `corelab` with no subcommand opens the workbench (`cli` → `gui`). `stats` is pure
//! functions over numbers and imports no layer at all.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

const ORDER: [&str; 8] = [
    "preset", "stats", "results", "engine", "analysis", "export", "gui", "cli",
];
const BELOW_EVERY_LAYER: [&str; 4] = ["safe_fs", "sys", "terminal_chars", "words"];

/// Where `module` sits: its place in [`ORDER`] (the two front ends share the last place), or
/// `None` for the helpers below every layer.
fn rank(module: &str) -> Option<usize> {
    let at = ORDER.iter().position(|m| *m == module)?;
    Some(at.min(ORDER.len() - 2))
}

fn allowed(from: &str, to: &str) -> bool {
    if from == to || BELOW_EVERY_LAYER.contains(&to) {
        return true;
    }
    if (from, to) == ("cli", "gui") {
        return true;
    }
    // The README's promise for `stats`: pure functions over numbers, importing nothing else.
    if from == "stats" {
        return false;
    }
    match (rank(from), rank(to)) {
        // A helper below every layer uses no layer.
        (None, _) => false,
        (Some(a), Some(b)) => b < a,
        (Some(_), None) => true,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The layer a file of `src/` belongs to: its first path component, without `.rs`.
fn layer_of(src: &Path, file: &Path) -> String {
    let first = file.strip_prefix(src).unwrap().components().next().unwrap();
    let name = first.as_os_str().to_string_lossy();
    name.strip_suffix(".rs").unwrap_or(&name).to_string()
}

/// The code of a line, without a `//` comment (doc comments name modules in prose).
fn code_of(line: &str) -> &str {
    match line.find("//") {
        Some(at) => &line[..at],
        None => line,
    }
}

/// The modules `text` reaches through `crate::`: `crate::engine::X` gives `engine`, and
/// `crate::{engine::X, results::{A, B}}` gives `engine` and `results`.
fn modules_used(text: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    let ident = |s: &str| -> String {
        s.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut rest = text;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            // The top-level names of the group: those at brace depth 0.
            let mut depth = 0usize;
            let mut start_of_item = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => start_of_item = true,
                    c if start_of_item && !c.is_whitespace() => {
                        start_of_item = false;
                        let name = ident(&group[i..]);
                        if !name.is_empty() && name != "self" {
                            used.insert(name);
                        }
                    }
                    _ => {}
                }
            }
        } else {
            let name = ident(after);
            if !name.is_empty() {
                used.insert(name);
            }
        }
        rest = after;
    }
    used
}

#[test]
fn the_scanner_reads_paths_groups_and_skips_comments() {
    let code = "use crate::{\n    engine::Event,\n    results::{A, B},\n    words,\n};";
    assert_eq!(
        modules_used(code).into_iter().collect::<Vec<_>>(),
        ["engine", "results", "words"]
    );
    assert_eq!(
        modules_used("let x = crate::stats::median(&v);")
            .into_iter()
            .collect::<Vec<_>>(),
        ["stats"]
    );
    assert!(modules_used(code_of("    // see crate::gui::App")).is_empty());
    assert!(allowed("engine", "results"));
    assert!(!allowed("results", "engine"));
    assert!(!allowed("stats", "preset"), "stats imports no layer");
    assert!(allowed("gui", "export"));
    assert!(!allowed("export", "gui"));
    assert!(allowed("cli", "gui"));
    assert!(!allowed("gui", "cli"));
    assert!(allowed("preset", "safe_fs"));
    assert!(!allowed("words", "preset"));
}

#[test]
fn imports_point_one_way() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    let mut edges = 0;
    for file in &files {
        let from = layer_of(&src, file);
        if from == "lib" || from == "main" {
            continue;
        }
        let text = std::fs::read_to_string(file).unwrap();
        let code: String = text.lines().map(code_of).collect::<Vec<_>>().join("\n");
        for to in modules_used(&code) {
            edges += 1;
            if !allowed(&from, &to) {
                wrong.push(format!(
                    "{} ({from}) uses crate::{to}",
                    file.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(edges > 100, "the scan found the imports ({edges} edges)");
    assert!(
        wrong.is_empty(),
        "imports against the layering preset → stats → results → engine → analysis → export → \
         gui / cli:\n{}",
        wrong.join("\n")
    );
}
