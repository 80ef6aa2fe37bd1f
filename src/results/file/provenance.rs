//! Where a results file came from: the build, the command line, the preset and a Python
//! function task's source.

use serde::{Deserialize, Serialize};

/// Where a results file came from, beyond `corelab_version`: the commit corelab was built
/// from and whether its tree was modified, the command line (or `workbench`), and the preset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Provenance {
    /// The short commit hash corelab was built from (`9fb3689`), or `unknown` (a build from
    /// a tarball without `CORELAB_COMMIT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Whether tracked files differed from that commit when corelab was built; `None` where
    /// that is not known (the commit came from `CORELAB_COMMIT`, or is unknown).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tree_modified: Option<bool>,
    /// The command line that ran the sweep, sanitised (control characters escaped, the home
    /// directory written `~`, quoted where needed): `corelab run cpu-bound --out a.json`; or
    /// `workbench`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// Where the experiment came from: `built-in preset cpu-bound`, `preset file p.json`,
    /// `results file a.json`, with ` (modified)` when edited or overridden before the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset_source: Option<String>,
    /// A Python function task: the source of the function the run calls, read from the module
    /// when the sweep started (its last top-level `def`, decorators included: see
    /// [`crate::engine::python_source`]). Absent when the module's text cannot say which code
    /// Python calls (`function_note` says why), and in files from before it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_source: Option<String>,
    /// A Python function task whose name is not last bound by a plain top-level `def`: what
    /// binds it instead (an assignment, an import, a decorator, a `def` in an `if`/`try`
    /// block), in words.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_note: Option<String>,
}

impl Provenance {
    /// This build's commit and whether its tree was modified (from `build.rs`); no command
    /// or preset yet.
    pub fn of_this_build() -> Provenance {
        Provenance {
            commit: Some(env!("CORELAB_COMMIT_HASH").to_string()),
            tree_modified: match env!("CORELAB_TREE_MODIFIED") {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
            command: None,
            preset_source: None,
            function_source: None,
            function_note: None,
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Provenance::default()
    }

    /// The commit in words: `9fb3689`, `9fb3689 (modified tree)`, `unknown`; `None` in files
    /// from before it was recorded.
    pub fn commit_text(&self) -> Option<String> {
        let commit = self.commit.as_deref()?;
        Some(match self.tree_modified {
            Some(true) => format!("{commit} (tree modified: tracked files differed from it)"),
            Some(false) => format!("{commit} (clean tree)"),
            None => commit.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ResultsFile;

    #[test]
    fn provenance_is_optional_and_results_are_told_from_presets() {
        // A file from before provenance: it loads, with none.
        let old =
            r#"{"format": "corelab-results", "format_version": 1, "corelab_version": "0.1.0"}"#;
        assert!(ResultsFile::is_results_document(old));
        let r = ResultsFile::from_json(old, "old.json").unwrap();
        assert!(r.provenance.is_empty());
        assert!(!r.to_json().contains("provenance"));
        // Saved and read back.
        let r = ResultsFile {
            provenance: Provenance {
                command: Some("workbench".into()),
                ..Provenance::of_this_build()
            },
            ..ResultsFile::default()
        };
        let back = ResultsFile::from_json(&r.to_json(), "new.json").unwrap();
        assert_eq!(back.provenance, r.provenance);
        assert!(back.provenance.commit.is_some());
        // Presets and other JSON are not results files.
        assert!(!ResultsFile::is_results_document(
            r#"{"version": 1, "name": "x"}"#
        ));
        assert!(!ResultsFile::is_results_document(r#"{"format": 1}"#));
        assert!(!ResultsFile::is_results_document("not json"));
    }
}
