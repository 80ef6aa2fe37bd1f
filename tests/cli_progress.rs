#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab run` says what it is doing while a sweep runs, on stderr only: piped (not a
//! terminal), plain `progress:` lines, no terminal control codes; nothing with `-q`; and
//! standard output with `--csv -` holds only the CSV.

mod common;

use std::process::Command;

use common::corelab_exe;

/// Two cells of a command that exits at once, 2 timed runs each, no warm-ups: two rounds.
const TINY: &str = r#"{"version": 1, "name": "tiny",
    "task": {"kind": "command", "tasks": 1, "command": {"argv": ["sh", "-c", "exit 0"]}},
    "workers": [1], "models": ["sequential", "threads"], "repetitions": 2,
    "warmups": 0, "min_time_s": 0, "precision": 0}"#;

fn run(args: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.json"), TINY).unwrap();
    let o = Command::new(corelab_exe())
        .current_dir(dir.path())
        .arg("run")
        .arg("./tiny.json")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    (stdout, stderr)
}

#[test]
fn a_piped_run_prints_plain_progress_lines_on_stderr_only() {
    let (stdout, stderr) = run(&["--csv", "-"]);
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    // After the first round, before the cells' lines (they come with the last round).
    assert_eq!(progress.len(), 1, "{stderr}");
    assert!(
        progress[0].starts_with("progress: round 1 of 2 · 2 of 4 runs · "),
        "{stderr}"
    );
    assert!(progress[0].ends_with(" left"), "{stderr}");
    let at = |needle: &str| {
        stderr
            .find(needle)
            .unwrap_or_else(|| panic!("{needle}: {stderr}"))
    };
    assert!(at("progress: ") < at("[ 1/2]"), "{stderr}");
    // Not a terminal: no status line rewritten in place.
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
    // Standard output holds the CSV alone.
    assert!(!stdout.contains("progress"), "{stdout}");
    assert!(stdout.starts_with("model,"), "{stdout}");
}

#[test]
fn quiet_prints_no_progress() {
    let (_, stderr) = run(&["-q"]);
    assert!(!stderr.contains("progress"), "{stderr}");
    assert!(
        !stderr.contains('\r') && !stderr.contains('\x1b'),
        "{stderr:?}"
    );
}

/// A results file run again: the line before the sweep gives the recorded runs' estimate, the
/// progress follows, and each cell's line is numbered once, in order, by the one count.
#[test]
fn a_results_file_run_again_shows_its_recorded_estimate_and_progress() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.json"), TINY).unwrap();
    let corelab = |args: &[&str]| {
        let o = Command::new(corelab_exe())
            .current_dir(dir.path())
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(0), "{stderr}");
        stderr
    };
    corelab(&["run", "./tiny.json", "--out", "first.json"]);
    let stderr = corelab(&["run", "./first.json", "--out", "again.json"]);
    let start = stderr
        .lines()
        .find(|l| l.starts_with("tiny: 2 cells, 4 runs"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        start.ends_with(" in all, as the recorded runs took"),
        "{stderr}"
    );
    let progress: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert_eq!(progress.len(), 1, "{stderr}");
    assert!(
        progress[0].starts_with("progress: round 1 of 2 · 2 of 4 runs · ~"),
        "{stderr}"
    );
    let numbered: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.get(..5).filter(|n| n.starts_with('[')))
        .collect();
    assert_eq!(numbered, ["[ 1/2", "[ 2/2"], "{stderr}");
}
