#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The headless command line, as a user runs it.

mod common;

use std::process::Command;

use common::corelab_exe;
use corelab::results::{ResultsFile, RunStatus};

fn corelab(args: &[&str]) -> std::process::Output {
    Command::new(corelab_exe()).args(args).output().unwrap()
}

const TINY: &str = r#"{
  "version": 1,
  "name": "tiny",
  "task": {"kind": "cpu", "tasks": 8, "cpu": {"kernel": "primes", "size": 20000}},
  "workers": [1, 2],
  "models": ["sequential", "threads", "rayon", "processes"],
  "repetitions": 3,
  "warmups": 1
}"#;

#[test]
fn run_writes_results_and_csv_and_prints_a_table() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let csv = dir.path().join("s.csv");
    let o = corelab(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("[ 7/7]"),
        "a progress line per cell: {stderr}"
    );
    assert!(stdout.contains("baseline: median wall time of the sequential model"));
    let results = ResultsFile::load(&out).unwrap();
    assert_eq!(results.status, RunStatus::Complete);
    assert_eq!(results.cells.len(), 7);
    assert!(
        results
            .cells
            .iter()
            .all(|c| c.samples.len() == 3 && c.warmups.len() == 1)
    );
    assert!(results.machine.logical_cores >= 1);
    assert!(!results.machine.cpu_brand.is_empty());
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(raw["cells"][1]["samples"][0]["wall_s"].as_f64().unwrap() > 0.0);
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(csv.lines().count(), 8);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("sequential,1,ok,3,")
    );
}

#[test]
fn run_accepts_builtin_names_and_overrides() {
    let _g = common::exclusive();
    let o = corelab(&[
        "run",
        "io-threads-vs-processes",
        "--workers",
        "2",
        "--models",
        "threads",
        "--repetitions",
        "1",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("threads"));
    // --quiet drops the progress lines; a warning about a busy machine may still be printed.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr
            .lines()
            .all(|l| l.starts_with("Warning: the machine was busy")),
        "--quiet prints no progress: {stderr}"
    );
}

#[test]
fn a_bad_preset_is_a_clear_error_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("bad.json");
    std::fs::write(&preset, r#"{"workers": [0]}"#).unwrap();
    let o = corelab(&["run", preset.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert!(stderr.contains("`workers[0]` = 0"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn broken_json_and_missing_files_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("broken.json");
    std::fs::write(&preset, "{ this is not json").unwrap();
    for arg in [preset.to_str().unwrap(), "/nonexistent/x.json"] {
        let o = corelab(&["run", arg]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(stderr.starts_with("Error: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn an_unknown_model_override_is_refused_by_the_parser() {
    let o = corelab(&["run", "io-threads-vs-processes", "--models", "fibers"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown model \"fibers\""));
}

#[test]
fn presets_lists_the_builtins() {
    let o = corelab(&["presets"]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    for p in corelab::preset::builtin_presets() {
        assert!(stdout.contains(p.id), "{stdout}");
    }
}

#[test]
fn the_worker_mode_answers_the_protocol() {
    use std::io::Write;
    let mut child = Command::new(corelab_exe())
        .arg("worker")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let task =
        serde_json::json!({"kind": "cpu", "tasks": 4, "cpu": {"kernel": "primes", "size": 100}});
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", serde_json::json!({"op": "configure", "task": task, "env": {"workers": 1, "scratch_dir": dir.path(), "shared_file": null}})).unwrap();
    for unit in 0..4 {
        writeln!(
            stdin,
            "{}",
            serde_json::json!({"op": "unit", "unit": unit, "deadline_ms": 10000})
        )
        .unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["op"], "ready");
    assert_eq!(lines[1]["op"], "configured");
    let total: u64 = lines[2..]
        .iter()
        .map(|l| l["checksum"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 1060, "sum of primes below 100");
}

/// `corelab run … | head` closes the pipe early: no panic, and the results file is written.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let mut child = Command::new(corelab_exe())
        .args(["run", preset.to_str().unwrap(), "-q", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before anything is printed
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(ResultsFile::load(&out).unwrap().status, RunStatus::Complete);
}
