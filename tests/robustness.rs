#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! What must survive abuse: a sweep killed half-way, hostile results files.

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use corelab::results::{ResultsFile, RunStatus};

#[test]
fn a_sweep_killed_half_way_leaves_a_readable_partial_file_and_no_workers() {
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("slow.json");
    std::fs::write(
        &preset,
        r#"{"task": {"kind": "io", "tasks": 4, "io": {"sleep_ms": 50}},
            "workers": [1, 2, 3, 4, 5, 6, 7, 8], "models": ["sequential", "processes"],
            "repetitions": 2, "warmups": 0}"#,
    )
    .unwrap();
    let out = dir.path().join("r.json");
    // Its own temporary directory: the scratch directories a killed corelab leaves are not
    // left in the one other tests' corelab runs share (whose next start would remove them,
    // saying so on their stderr).
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(corelab_exe())
        .args([
            "run",
            preset.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-q",
        ])
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for a partial file (written after each round of the interleaved sweep: every cell
    // with its first run), then kill the whole CLI at once.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        assert!(Instant::now() < deadline, "no partial results appeared");
        if let Ok(r) = ResultsFile::load(&out)
            && !r.cells.is_empty()
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let workers_before = live_descendants();
    child.kill().unwrap();
    child.wait().unwrap();
    let partial = ResultsFile::load(&out).expect("the partial file stays readable");
    assert_eq!(partial.status, RunStatus::Incomplete);
    // Half-way: some runs measured, not all 9 cells × 2 repetitions.
    let runs: usize = partial.cells.iter().map(|c| c.samples.len()).sum();
    assert!(
        (3..9 * 2).contains(&runs),
        "{runs} runs in the partial file"
    );
    // Its workers die with it (PR_SET_PDEATHSIG).
    let deadline = Instant::now() + Duration::from_secs(5);
    while workers_before.iter().any(|&p| is_alive(p)) {
        assert!(
            Instant::now() < deadline,
            "workers outlived a killed corelab: {workers_before:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // Nothing else was written next to the results, except (if the kill landed in the middle
    // of an atomic write) that write's hidden temporary file, which never replaces r.json.
    for entry in std::fs::read_dir(dir.path()).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        assert!(
            name == "slow.json"
                || name == "r.json"
                || (name.starts_with(".r.json.") && name.ends_with(".tmp")),
            "unexpected file {name}"
        );
    }
}

fn load_err(text: &str) -> String {
    ResultsFile::from_json(text, "hostile.json")
        .unwrap_err()
        .to_string()
}

#[test]
fn hostile_results_files_are_rejected_cleanly() {
    assert!(load_err("[]").contains("hostile.json"));
    assert!(load_err(r#"{"format": "something-else"}"#).contains("format"));
    assert!(
        load_err(r#"{"format": "corelab-results", "format_version": 7}"#)
            .contains("format_version")
    );
    let err = load_err(r#"{"format": "corelab-results", "cells": [{"workers": 1e400}]}"#);
    assert!(err.contains("number out of range at line 1"), "{err}");
    let err = load_err(r#"{"format": "corelab-results", "cells": [{"workers": -3}]}"#);
    assert!(err.contains("cells[0].workers"), "{err}");
    let err = load_err(r#"{"format": "corelab-results", "cells": "lots"}"#);
    assert!(err.contains("cells"), "{err}");
    let deep = format!(
        "{{\"cells\": {}{}}}",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    assert!(load_err(&deep).contains("hostile.json"));
}

#[test]
fn oversized_results_files_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let f = std::fs::File::create(&path).unwrap();
    // A sparse file: large on paper, no disk used, never read into memory.
    f.set_len(corelab::results::MAX_RESULTS_BYTES + 1).unwrap();
    let err = ResultsFile::load(&path).unwrap_err().to_string();
    assert!(err.contains("larger than"), "{err}");
}

#[test]
fn results_saved_twice_replace_each_other_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let mut r = ResultsFile::default();
    r.save(&path).unwrap();
    r.status = RunStatus::Complete;
    r.save(&path).unwrap();
    assert_eq!(
        ResultsFile::load(&path).unwrap().status,
        RunStatus::Complete
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}
