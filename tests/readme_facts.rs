#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Figures and examples in the README that the program itself can check, so that they stay
//! true when a preset or a format changes: how many built-in presets set a precision target,
//! which ones depart from the usual minimum time, the 2-core estimates `corelab presets`
//! gives, the preset example's defaults, and the fields the results excerpt names.

use std::collections::BTreeSet;

use corelab::analysis::verdict;
use corelab::engine::estimate::{about_duration, estimate};
use corelab::preset::{Experiment, builtin_presets};
use corelab::results::ResultsFile;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap()
}

/// The text with every run of white space (line breaks included) made one space.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The first fenced block tagged `fence` after the heading `heading`.
fn block_after(readme: &str, heading: &str, fence: &str) -> String {
    let from = readme.find(heading).unwrap();
    let start = from + readme[from..].find(fence).unwrap() + fence.len();
    let end = start + readme[start..].find("\n```").unwrap();
    readme[start..end].to_string()
}

fn presets() -> Vec<(&'static str, Experiment)> {
    builtin_presets()
        .iter()
        .map(|p| (p.id, p.experiment().unwrap()))
        .collect()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[test]
fn the_count_of_presets_with_a_precision_target_is_the_shipped_one() {
    let all = presets();
    let with_target = all.iter().filter(|(_, e)| e.precision == 0.02).count();
    let with_other_target = all
        .iter()
        .filter(|(_, e)| e.precision > 0.0 && e.precision != 0.02)
        .count();
    assert_eq!(with_other_target, 0, "the README speaks of ±2% only");
    let sentence = format!(
        "({with_target} of the {} built-in presets set ±2%)",
        all.len()
    );
    assert!(one_line(&readme()).contains(&sentence), "{sentence}");
}

#[test]
fn the_presets_whose_minimum_time_is_not_half_a_second_are_the_ones_named() {
    // Grouped by value, in the presets' order: "`a` and `b` (0) and `c` (0.3)".
    let mut groups: Vec<(f64, Vec<String>)> = Vec::new();
    for (id, e) in presets().iter().filter(|(_, e)| e.min_time_s != 0.5) {
        match groups.iter_mut().find(|(v, _)| *v == e.min_time_s) {
            Some((_, ids)) => ids.push(format!("`{id}`")),
            None => groups.push((e.min_time_s, vec![format!("`{id}`")])),
        }
    }
    let named: Vec<String> = groups
        .iter()
        .map(|(v, ids)| format!("{} ({v})", and_list(ids)))
        .collect();
    let sentence = format!(
        "The built-in presets use 0.5, except {}.",
        named.join(" and ")
    );
    assert!(one_line(&readme()).contains(&sentence), "{sentence}");
}

#[test]
fn the_two_core_estimates_quoted_are_what_corelab_presets_gives() {
    const WORDS: [&str; 21] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
        "twenty",
    ];
    // As `corelab presets` on 2 cores: a worker rule resolved for them.
    let figures: Vec<String> = presets()
        .into_iter()
        .filter_map(|(_, mut e)| {
            if let Some(rule) = &e.worker_rule {
                e.workers = rule.resolve(2);
            }
            let s = estimate(&e, 2).seconds.ok()?;
            Some(about_duration(s).trim_end_matches(" s").to_string())
        })
        .collect();
    let sentence = format!(
        "On the 2-core machine `corelab presets` gives {} s for the {} presets in the table above \
         that it can estimate",
        and_list(&figures),
        WORDS[figures.len()]
    );
    assert!(one_line(&readme()).contains(&sentence), "{sentence}");
}

#[test]
fn every_value_the_preset_example_shows_is_the_default() {
    let example = block_after(&readme(), "## Preset format", "```json\n");
    let parsed = Experiment::from_json(&example).unwrap();
    let defaults = Experiment::default();
    assert_eq!(
        Experiment {
            name: defaults.name.clone(),
            description: defaults.description.clone(),
            ..parsed
        },
        defaults
    );
}

/// Every key of a JSON value, at any depth.
fn keys(value: &serde_json::Value, into: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                into.insert(k.clone());
                keys(v, into);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| keys(v, into)),
        _ => {}
    }
}

#[test]
fn every_field_the_results_excerpt_names_is_in_the_shipped_files_it_points_to() {
    let readme = readme();
    let excerpt = block_after(&readme, "## Results file", "```jsonc\n");
    let mut named = BTreeSet::new();
    for piece in excerpt.split('"').collect::<Vec<_>>().windows(2) {
        // `"key":` — a quoted word followed by a colon.
        if piece[1].trim_start().starts_with(':')
            && !piece[0].is_empty()
            && piece[0]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            named.insert(piece[0].to_string());
        }
    }
    assert!(named.len() > 50, "{named:?}");
    let mut found = BTreeSet::new();
    for file in [
        "docs/lost-updates.json",
        "docs/perf/2core/python-gil-vs-processes.json",
    ] {
        assert!(
            readme.contains(&format!("]({file})")),
            "the README links {file}"
        );
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file);
        // As today's corelab reads and writes it.
        let text = ResultsFile::load(&path).unwrap().to_json();
        keys(&serde_json::from_str(&text).unwrap(), &mut found);
    }
    let missing: Vec<&String> = named.difference(&found).collect();
    assert!(
        missing.is_empty(),
        "named in the README, in neither file: {missing:?}"
    );
}

#[test]
fn the_quoted_verdict_lines_are_the_reports_and_their_count_is_right() {
    let readme = readme();
    let file = "docs/perf/python-gil-vs-processes.json";
    let r =
        ResultsFile::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let lines: Vec<String> = verdict(&r).into_iter().map(|l| l.text).collect();
    let quoted = block_after(&readme, "**The verdict:", "```text\n");
    let quoted: Vec<&str> = quoted
        .lines()
        .skip_while(|l| *l != "Verdict:")
        .skip(1)
        .map(str::trim)
        .collect();
    assert!(!quoted.is_empty());
    for line in &quoted {
        assert!(lines.iter().any(|l| l == line), "not in the report: {line}");
    }
    const WORDS: [&str; 13] = [
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
        "eleven", "twelve",
    ];
    let sentence = format!(
        "{} of the {} lines under `Verdict:` of `corelab report {file}`",
        WORDS[quoted.len()],
        WORDS[lines.len()]
    );
    assert!(one_line(&readme).contains(&sentence), "{sentence}");
}
