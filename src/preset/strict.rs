//! Presets are read strictly: a field no preset has is refused, naming it and the closest
//! valid name, and the top level must be an object. (Results files, which embed an
//! experiment, are read leniently: a file must stay readable by later versions.)

use super::{Experiment, PresetError};

/// One step of a field's path: an object key or an array index.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Segment {
    Key(String),
    Index(usize),
}

/// What the top level of `text` is when it is not an object (`None` for an object, and for
/// text that is not JSON at all, which the parser then reports).
pub(super) fn not_an_object(text: &str) -> Option<&'static str> {
    let text = text.trim_start();
    match text.chars().next() {
        Some('{') => None,
        None => Some("empty"),
        Some('[') => Some("an array"),
        Some('"') => Some("a string"),
        Some(c) if c == '-' || c.is_ascii_digit() => Some("a number"),
        _ if text.starts_with("true") || text.starts_with("false") => Some("a boolean"),
        _ if text.starts_with("null") => Some("null"),
        Some(_) => None,
    }
}

/// The steps of a path that `serde_ignored` reports.
pub(super) fn segments(path: &serde_ignored::Path<'_>) -> Vec<Segment> {
    use serde_ignored::Path;
    match path {
        Path::Root => Vec::new(),
        Path::Seq { parent, index } => {
            let mut v = segments(parent);
            v.push(Segment::Index(*index));
            v
        }
        Path::Map { parent, key } => {
            let mut v = segments(parent);
            v.push(Segment::Key(key.clone()));
            v
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => segments(parent),
    }
}

/// `task.cpu.size`, `workers[1]`.
fn field_text(path: &[Segment]) -> String {
    let mut text = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) if text.is_empty() => text.push_str(key),
            Segment::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Segment::Index(i) => text.push_str(&format!("[{i}]")),
        }
    }
    text
}

/// The error for the unknown field at `path`, with the closest valid name at the same place
/// (taken from what `experiment` and the defaults write there).
pub(super) fn unknown_field(path: &[Segment], more: usize, experiment: &Experiment) -> PresetError {
    let suggestion = match path.split_last() {
        Some((Segment::Key(name), parent)) => {
            let mut names: Vec<String> = Vec::new();
            for exp in [experiment, &Experiment::default()] {
                if let Ok(value) = serde_json::to_value(exp)
                    && let Some(serde_json::Value::Object(map)) = lookup(&value, parent)
                {
                    names.extend(map.keys().cloned());
                }
            }
            // Optional fields that the defaults leave out of the JSON.
            if parent.is_empty() {
                names.push("view".into());
            }
            closest(name, &names)
        }
        _ => None,
    };
    PresetError::UnknownField {
        // Quoted briefly: a hostile preset's key may be megabytes long.
        field: crate::words::shortened(&field_text(path), crate::words::MAX_QUOTED_CHARS),
        suggestion,
        more,
    }
}

fn lookup<'v>(value: &'v serde_json::Value, path: &[Segment]) -> Option<&'v serde_json::Value> {
    path.iter().try_fold(value, |v, segment| match segment {
        Segment::Key(k) => v.get(k.as_str()),
        Segment::Index(i) => v.get(*i),
    })
}

/// The candidate nearest to `name` by edit distance, when it is near enough to be a typo
/// (at most a third of the name's letters differ).
pub fn closest(name: &str, candidates: &[String]) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c.clone())
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != cb));
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_counts_insertions_deletions_and_substitutions() {
        assert_eq!(edit_distance("repetitons", "repetitions"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn only_a_near_name_is_suggested() {
        let names = ["repetitions".to_string(), "warmups".to_string()];
        assert_eq!(
            closest("repetitons", &names).as_deref(),
            Some("repetitions")
        );
        assert_eq!(closest("bogus", &names), None);
    }

    #[test]
    fn the_top_level_must_be_an_object() {
        assert_eq!(not_an_object(" {}"), None);
        assert_eq!(not_an_object("[]"), Some("an array"));
        assert_eq!(not_an_object(" 3"), Some("a number"));
        assert_eq!(not_an_object(""), Some("empty"));
        assert_eq!(not_an_object("null"), Some("null"));
        assert_eq!(not_an_object("nope"), None, "not JSON: the parser says so");
    }
}
