//! The results files committed under `docs/` (the measurements the README and docs/perf
//! publish) carry their derived fields as this corelab computes them.
//!
//! A results file stores raw samples and the figures derived from them (medians, intervals,
//! outliers, speedups). corelab recomputes the derived figures whenever it opens a file, so
//! `corelab report` always shows today's rules; but a reader using jq or pandas on the
//! committed JSON sees what is stored. When a statistical rule changes (an outlier rule, a
//! new interval), this test fails and names the file and the first field that differs;
//! `CORELAB_REFRESH_COMMITTED=1 cargo test --test committed_results` rewrites the files from
//! their own raw samples (nothing is measured again; the provenance — corelab version,
//! commit, machine, date — is kept as recorded).

use std::path::{Path, PathBuf};

use corelab::results::ResultsFile;
use serde_json::Value;

fn results_files_under(dir: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            results_files_under(&path, found);
        } else if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).expect("a committed JSON file is UTF-8");
            if ResultsFile::is_results_document(&text) {
                found.push(path);
            }
        }
    }
}

/// The JSON pointer of the first place where `a` and `b` differ, with both values there.
fn first_difference(a: &Value, b: &Value, at: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            keys.into_iter().find_map(|k| {
                let here = format!("{at}/{k}");
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => first_difference(p, q, &here),
                    (Some(p), None) => Some(format!("{here}: stored {p}, not written today")),
                    (None, Some(q)) => Some(format!("{here}: missing, today {q}")),
                    (None, None) => None,
                }
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{at}/{i}"))),
        _ if a == b => None,
        _ => Some(format!("{at}: stored {a}, today {b}")),
    }
}

#[test]
fn committed_results_files_carry_todays_derived_figures() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    results_files_under(&root.join("docs"), &mut files);
    assert!(
        files.len() >= 20,
        "expected the published results under docs/, found {}",
        files.len()
    );
    let refresh = std::env::var_os("CORELAB_REFRESH_COMMITTED").is_some();
    let mut stale = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let shown = path.strip_prefix(root).unwrap().display().to_string();
        let results = ResultsFile::from_json(&text, &shown)
            .unwrap_or_else(|e| panic!("{shown} cannot be read: {e}"));
        let today = results.to_json();
        let stored: Value = serde_json::from_str(&text).unwrap();
        let recomputed: Value = serde_json::from_str(&today).unwrap();
        if let Some(diff) = first_difference(&stored, &recomputed, "") {
            if refresh {
                std::fs::write(path, format!("{today}\n")).unwrap();
            }
            stale.push(format!("{shown} at {diff}"));
        }
    }
    assert!(
        refresh || stale.is_empty(),
        "committed results files whose derived figures differ from what corelab computes \
         from their raw samples today (rewrite them with \
         `CORELAB_REFRESH_COMMITTED=1 cargo test --test committed_results`):\n  {}",
        stale.join("\n  ")
    );
}

#[test]
fn the_comparison_finds_a_changed_derived_figure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let path = root.join("docs/cpu-results.json");
    let text = std::fs::read_to_string(&path).unwrap();
    let results = ResultsFile::from_json(&text, "docs/cpu-results.json").unwrap();
    let mut edited: Value = serde_json::from_str(&results.to_json()).unwrap();
    let today: Value = serde_json::from_str(&results.to_json()).unwrap();
    assert_eq!(first_difference(&edited, &today, ""), None);
    edited["cells"][0]["wall"]["median"] = Value::from(123.0);
    let diff = first_difference(&edited, &today, "").expect("an edited median is found");
    assert!(
        diff.starts_with("/cells/0/wall/median: stored 123.0"),
        "{diff}"
    );
    edited["cells"][0]["wall"]
        .as_object_mut()
        .unwrap()
        .remove("median");
    let diff = first_difference(&edited, &today, "").unwrap();
    assert!(diff.contains("/cells/0/wall/median: missing"), "{diff}");
}
