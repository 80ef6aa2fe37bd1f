#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Statuses a script can trust: a sweep whose every cell failed is saved as `failed`, not
//! `complete`; a standard output closed at start (`>&-`) is an error, not a silent success.

mod common;

use std::process::Command;

use common::corelab_exe;
use corelab::results::{CellStatus, ResultsFile, RunStatus};

#[test]
fn a_sweep_whose_every_cell_failed_is_saved_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("fail.json"),
        r#"{"version": 1, "name": "always fails",
            "task": {"kind": "command", "tasks": 1, "command": {"argv": ["sh", "-c", "exit 3"]}},
            "workers": [1, 2], "models": ["sequential", "threads"], "repetitions": 1,
            "warmups": 0, "min_time_s": 0, "precision": 0}"#,
    )
    .unwrap();
    let o = Command::new(corelab_exe())
        .current_dir(d)
        .args(["run", "./fail.json", "-q", "--out", "f.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    let text = std::fs::read_to_string(d.join("f.json")).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["status"], "failed", "{text}");
    let r = ResultsFile::load(&d.join("f.json")).unwrap();
    assert_eq!(r.status, RunStatus::Failed);
    assert!(r.cells.iter().all(|c| c.status == CellStatus::Failed));
    // `report` reads it and says what it is.
    let o = Command::new(corelab_exe())
        .current_dir(d)
        .args(["report", "f.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("note: f: the sweep ended, but every cell failed"),
        "{stderr}"
    );
    // A file from before this status (`complete`, every cell failed) still opens as it was.
    let old = text.replacen("\"status\": \"failed\"", "\"status\": \"complete\"", 1);
    assert_ne!(old, text);
    std::fs::write(d.join("old.json"), old).unwrap();
    let r = ResultsFile::load(&d.join("old.json")).unwrap();
    assert_eq!(r.status, RunStatus::Complete);
    assert!(r.cells.iter().all(|c| c.status == CellStatus::Failed));
}

/// `corelab ARGS >&-`, with stderr captured.
fn with_stdout_closed(args: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$0\" {args} >&-"))
        .arg(corelab_exe())
        .output()
        .unwrap()
}

#[test]
fn a_closed_standard_output_is_an_error_where_something_was_to_be_written() {
    for args in ["presets", "presets start-here --json"] {
        let o = with_stdout_closed(args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args}: {stderr}");
        assert_eq!(
            stderr
                .matches("Error: cannot write to standard output: it was closed")
                .count(),
            1,
            "{args}: said once: {stderr}"
        );
    }
    // Nothing for stdout: no error (`--help` goes to stdout, so use an error path instead).
    let o = with_stdout_closed("presets no-such-preset");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1));
    assert!(!stderr.contains("standard output"), "{stderr}");
    // /dev/null is a place to write to, not a closed output.
    let o = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" presets >/dev/null")
        .arg(corelab_exe())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
}
