#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `ulimit -f` smaller than the results file: corelab ignores SIGXFSZ, so the write fails with
//! "File too large" and is reported, instead of a silent kill (exit 153) that leaves hidden
//! temporary files and a partial file behind.

mod common;

use std::process::Command;

use common::corelab_exe;

/// One quick cell: a sequential sleep, three timed runs.
const QUICK: &str = r#"{
  "version": 1,
  "name": "file size limit",
  "task": {"kind": "io", "tasks": 1, "io": {"mode": "sleep", "sleep_ms": 1}},
  "workers": [1],
  "models": ["sequential"],
  "repetitions": 3,
  "warmups": 0,
  "min_time_s": 0
}"#;

#[test]
fn a_file_size_limit_is_reported_as_file_too_large_and_an_earlier_out_is_intact() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let preset = dir.path().join("quick.json");
    std::fs::write(&preset, QUICK).unwrap();
    let out = dir.path().join("keep.json");
    let earlier = "earlier results\n";
    std::fs::write(&out, earlier).unwrap();
    // 1 block of 512 bytes: the lock file's pid fits, a results file does not.
    let output = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 1 && exec \"$0\" run \"$1\" -q --out \"$2\"")
        .arg(corelab_exe())
        .arg(&preset)
        .arg(&out)
        .env("TMPDIR", tmp.path())
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        output.status.code(),
        Some(1),
        "not killed by SIGXFSZ: {stderr}"
    );
    assert!(stderr.contains("File too large"), "{stderr}");
    assert!(
        stderr.contains(&format!("{} keeps its earlier results", out.display())),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), earlier);
    // No hidden temporary file or partial file is left beside it.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["keep.json", "quick.json"], "{stderr}");
}
