#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Figures and examples in the README that the program itself can check, so that they stay
//! true when a preset or a format changes: how many built-in presets set a precision target,
//! which ones depart from the usual minimum time, the 2-core estimates `corelab presets`
//! gives, the preset example's defaults, the fields the results excerpt names, that every
//! example `corelab run NAME` or `corelab presets NAME` names a built-in preset, the
//! charts' default text size, that quoted messages with backticks are whole code spans, and
//! how a file name that is not UTF-8 is shown.

use std::collections::BTreeSet;

mod common;

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
    // As `corelab presets` on 2 cores: a worker rule resolved for them.
    let figures: Vec<String> = presets()
        .into_iter()
        .filter_map(|(_, e)| {
            let s = estimate(&e.on_cores(2), 2).seconds.ok()?;
            Some(about_duration(s).trim_end_matches(" s").to_string())
        })
        .collect();
    let sentence = format!(
        "On the 2-core machine `corelab presets` gives {} s for the {} presets in the table above \
         that it can estimate",
        and_list(&figures),
        common::NUMBER_WORDS[figures.len()]
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
    let sentence = format!(
        "{} of the {} lines under `Verdict:` of `corelab report {file}`",
        common::NUMBER_WORDS[quoted.len()],
        common::NUMBER_WORDS[lines.len()]
    );
    assert!(one_line(&readme).contains(&sentence), "{sentence}");
}

/// The code in a Markdown text: each fenced block and each inline code span, white space made
/// one space (an inline span may run over a line break).
fn code_in(markdown: &str) -> Vec<String> {
    let mut code = Vec::new();
    let mut prose = String::new();
    let mut fenced: Option<String> = None;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            match fenced.take() {
                Some(block) => code.push(one_line(&block)),
                None => fenced = Some(String::new()),
            }
            prose.push('\n');
            continue;
        }
        match &mut fenced {
            Some(block) => {
                // A line of its own: a command per line, never run into the next.
                block.push_str(line);
                block.push_str(" ; ");
            }
            None => {
                prose.push_str(line);
                prose.push('\n');
            }
        }
    }
    code.extend(inline_code(&prose).iter().map(|c| one_line(c)));
    code
}

/// The inline code spans of Markdown prose: a run of n backticks opens one, the next run of
/// exactly n closes it (so ``a `b` c`` is one span).
fn inline_code(prose: &str) -> Vec<&str> {
    let runs: Vec<(usize, usize)> = {
        let bytes = prose.as_bytes();
        let mut runs = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'`' {
                let start = i;
                while i < bytes.len() && bytes[i] == b'`' {
                    i += 1;
                }
                runs.push((start, i - start));
            } else {
                i += 1;
            }
        }
        runs
    };
    let mut spans = Vec::new();
    let mut k = 0;
    while k < runs.len() {
        let (open, n) = runs[k];
        match runs[k + 1..].iter().position(|&(_, m)| m == n) {
            Some(j) => {
                let close = runs[k + 1 + j].0;
                spans.push(&prose[open + n..close]);
                k += j + 2;
            }
            None => k += 1,
        }
    }
    spans
}

/// What each `corelab run X` and `corelab presets X` in `code` names as its preset, where X
/// is not an option, a placeholder (`PRESET`, `NAME`, `…`, a shell variable) or a file path
/// (with a `/` or ending in `.json`): those must be built-in preset names. Not a command: a
/// quoted message's noun phrase ("left by a corelab run that was killed").
fn preset_names_in(code: &str) -> Vec<String> {
    let mut words: Vec<&str> = vec![""];
    words.extend(code.split(' '));
    let mut names = Vec::new();
    for four in words.windows(4) {
        let [before, program, command, arg] = four else {
            continue;
        };
        if matches!(*before, "a" | "an" | "the" | "each" | "every" | "one") {
            continue;
        }
        let program = program.rsplit('/').next().unwrap_or(program);
        if program != "corelab" || !matches!(*command, "run" | "presets") {
            continue;
        }
        let arg = arg.trim_end_matches([',', ';', '.', ':', ')']);
        let placeholder = arg.is_empty()
            || arg.starts_with(['-', '…', '$', '"', '\'', '<', '[', '{', '('])
            || !arg.chars().any(|c| c.is_ascii_lowercase());
        let file = arg.contains('/') || arg.ends_with(".json");
        if !placeholder && !file {
            names.push(arg.to_string());
        }
    }
    names
}

/// Every `corelab run NAME` and `corelab presets NAME` example in the README, SECURITY.md and
/// docs/*.md names a built-in preset (or a file): an example that fails as soon as it is typed
/// (`corelab run cpu-bound`, which is not a preset) cannot come back.
#[test]
fn every_preset_an_example_command_names_is_a_built_in_one() {
    let ids: BTreeSet<&str> = builtin_presets().iter().map(|p| p.id).collect();
    // The reader finds what it is for, and only that.
    let planted = "Try `corelab run cpu-bound -q` or ``corelab presets\nlost-updates `x` ``, then\n\
                   ```\ncorelab run ./mine.json --out r.json\ncorelab run PRESET\n\
                   target/release/corelab run start-here -q\n```\n\
                   the message reads: a corelab run that was killed, `left by a\n\
                   corelab run that was killed`.";
    let found: Vec<String> = code_in(planted)
        .iter()
        .flat_map(|c| preset_names_in(c))
        .collect();
    assert_eq!(
        found,
        ["start-here", "cpu-bound", "lost-updates"],
        "{planted}"
    );

    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md"), root.join("SECURITY.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    let mut checked = 0;
    let mut wrong = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for name in code_in(&text).iter().flat_map(|c| preset_names_in(c)) {
            checked += 1;
            if !ids.contains(name.as_str()) {
                wrong.push(format!("{}: {name}", file.display()));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "examples naming no built-in preset (built-in: {ids:?}): {wrong:#?}"
    );
    // The scan reads the examples: they name a preset about twenty times (20 in session 16).
    assert!(checked >= 15, "only {checked} preset names found");
}

/// The README says what added memory counts of the workload's input in the words the costs
/// table's note uses (`export::costs_text::SHARED_INPUT_WORDS`).
#[test]
fn the_readme_says_what_added_memory_counts_in_the_costs_notes_words() {
    let words = corelab::export::costs_text::SHARED_INPUT_WORDS;
    assert!(one_line(&readme()).contains(words), "README says: {words}");
}

/// The README states the charts' default text size (an em in pixels).
#[test]
fn the_readme_states_the_default_chart_text_size() {
    let said = format!(
        "{} px body text by default",
        corelab::export::DEFAULT_FONT_SIZE
    );
    assert!(one_line(&readme()).contains(&said), "README says: {said}");
}

/// The README's paragraphs, outside fenced blocks, each on one line.
fn paragraphs(readme: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fenced = false;
    let mut paragraph = String::new();
    for line in readme.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        if line.trim().is_empty() {
            out.push(std::mem::take(&mut paragraph));
        } else {
            paragraph.push_str(line);
            paragraph.push(' ');
        }
    }
    out.push(paragraph);
    out.retain(|p| !p.is_empty());
    out
}

/// A message that holds backticks (a command to run, a name) is quoted in a double-backtick
/// code span (`` … `corelab run …` ``), never in a single-backtick one, which Markdown ends at
/// the message's first backtick: `…: `corelab run A.json``. Such a quote leaves a `` that
/// opens no span of its own, or a span that closes two at once.
#[test]
fn quoted_messages_with_backticks_are_whole_code_spans() {
    let readme = readme();
    let mut unmatched = Vec::new();
    for p in paragraphs(&readme) {
        let mut rest = p.as_str();
        while let Some(open) = rest.find("``") {
            let after = &rest[open + 2..];
            match after.find("``") {
                Some(close) => rest = &after[close + 2..],
                None => {
                    unmatched.push(rest[open.saturating_sub(80)..].to_string());
                    break;
                }
            }
        }
    }
    assert!(unmatched.is_empty(), "{unmatched:#?}");
    // The gate's fix for a baseline sized differently, as the program says it.
    let mut task = Experiment::default().task;
    let baseline = task.clone();
    task.cpu.size = baseline.cpu.size + 1;
    let refusal = corelab::analysis::comparison_basis(&baseline, &task).unwrap_err();
    let message = refusal.with_fix("A.json");
    let fix = &message[message.find("re-run").unwrap()..];
    assert!(
        one_line(&readme).contains(&format!("`` …: {fix} ``")),
        "{fix}"
    );
}

/// The README says how a file name that is not UTF-8 is shown as the program shows it: in a
/// terminal message, its bad byte as `�` (U+FFFD), not as `\xff` (the workbench's way, for a
/// font without `�`, which `gui_editing` checks).
#[test]
fn names_that_are_not_utf8_are_shown_in_messages_as_the_readme_says() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let o = std::process::Command::new(common::corelab_exe())
        .current_dir(dir.path())
        .arg("report")
        .arg(std::ffi::OsStr::from_bytes(b"r\xff.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("r\u{fffd}.json"), "{stderr}");
    assert!(!stderr.contains("\\xff"), "{stderr}");
    assert!(
        one_line(&readme()).contains(
            "Messages on the terminal show a byte that is not UTF-8 as `\u{fffd}` (U+FFFD, as \
             Rust's lossy conversion writes it); the workbench, whose font has no `\u{fffd}`, \
             shows it as `\\xff`."
        ),
        "the README says what messages show"
    );
}
