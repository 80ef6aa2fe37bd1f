#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Numbers a sceptical colleague can check: what a results file records about how it was made,
//! and running again what a results file measured.

mod common;

use std::path::Path;
use std::process::Command;

use common::corelab_exe;
use corelab::preset::{Calibration, Experiment, ModelKind, TaskKind};
use corelab::results::{ResultsFile, RunStatus};

fn corelab(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(corelab_exe())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

const TINY: &str = r#"{
  "version": 1,
  "name": "tiny",
  "task": {"kind": "cpu", "tasks": 4, "cpu": {"kernel": "primes", "size": 5000}},
  "workers": [1],
  "models": ["sequential"],
  "repetitions": 1,
  "warmups": 0
}"#;

/// A results file as a calibrated sweep writes it: the experiment at the size the calibration
/// chose (12345, not the preset's 3500000), `target_run_s` still set.
fn calibrated_results() -> ResultsFile {
    let mut exp: Experiment = serde_json::from_str(TINY).unwrap();
    exp.task.cpu.size = 12345;
    exp.target_run_s = 0.25;
    let mut r = ResultsFile {
        experiment: exp,
        status: RunStatus::Complete,
        calibration: Some(Calibration {
            target_run_s: 0.25,
            knob: "task.cpu.size".into(),
            preset_size: 3_500_000.0,
            chosen_size: 12345.0,
            model: Some(ModelKind::Sequential),
            ..Calibration::default()
        }),
        ..ResultsFile::default()
    };
    r.recompute();
    r
}

#[test]
fn a_results_file_runs_its_recorded_experiment_at_the_recorded_size() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    calibrated_results()
        .save(&dir.path().join("a.json"))
        .unwrap();
    let o = corelab(dir.path(), &["run", "./a.json", "--out", "b.json"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("Preset: the experiment recorded in the results file ./a.json (tiny)"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "calibration off: task.cpu.size = 12345 as recorded (calibrated to 0.25 s per run then), so the same work is measured"
        ),
        "{stderr}"
    );
    let b = ResultsFile::load(&dir.path().join("b.json")).unwrap();
    // The recorded size, not a new calibration's (which would have run and been recorded).
    assert_eq!(b.experiment.task.kind, TaskKind::Cpu);
    assert_eq!(b.experiment.task.cpu.size, 12345);
    assert_eq!(b.experiment.target_run_s, 0.0);
    assert!(b.calibration.is_none());
    assert_eq!(b.cells.len(), 1);
    assert_eq!(
        b.provenance.preset_source.as_deref(),
        Some("results file ./a.json")
    );
    assert_eq!(
        b.provenance.command.as_deref(),
        Some("corelab run ./a.json --out b.json")
    );
    // a.json recorded no cells: its first line says the time is unknown, never nothing.
    assert!(
        stderr.contains("tiny: 1 cell, ") && stderr.contains("; time unknown until it runs\n"),
        "{stderr}"
    );
    // b.json has its cell's runs: they say how long running it again takes.
    let o = corelab(dir.path(), &["run", "./b.json"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let first = stderr
        .lines()
        .find(|l| l.starts_with("tiny: 1 cell, "))
        .unwrap_or_default();
    assert!(
        first.contains("; about ") && first.ends_with(" in all, as the recorded runs took"),
        "{stderr}"
    );
}

#[test]
fn a_run_records_its_commit_command_line_and_preset() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tiny.json"), TINY).unwrap();
    let o = corelab(
        dir.path(),
        &[
            "run",
            "./tiny.json",
            "--out",
            "r.json",
            "--markdown",
            "r.md",
            "--workers",
            "1",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = ResultsFile::load(&dir.path().join("r.json")).unwrap();
    let p = &r.provenance;
    // The commit `corelab --version` names, without its date.
    let version = corelab(dir.path(), &["--version"]);
    let version = String::from_utf8_lossy(&version.stdout);
    let commit = p.commit.as_deref().unwrap();
    assert!(
        version.contains(&format!("commit {commit}")),
        "{commit} in {version}"
    );
    assert_eq!(
        p.tree_modified.is_some_and(|m| m),
        version.contains(&format!("{commit}-dirty")),
        "{version}"
    );
    assert_eq!(
        p.command.as_deref(),
        Some("corelab run ./tiny.json --out r.json --markdown r.md --workers 1")
    );
    assert_eq!(
        p.preset_source.as_deref(),
        Some("preset file ./tiny.json (with command-line overrides)")
    );
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(
        md.contains(
            "| Command | corelab run ./tiny.json --out r.json --markdown r.md --workers 1 |"
        ),
        "{md}"
    );
    assert!(md.contains(&format!("commit {commit}")), "{md}");
    assert!(
        md.contains("| Load during runs | other programs used "),
        "{md}"
    );

    // A built-in preset is named by its id.
    let o = corelab(
        dir.path(),
        &[
            "run",
            "io-threads-vs-processes",
            "--workers",
            "1",
            "--models",
            "threads",
            "--repetitions",
            "1",
            "--out",
            "io.json",
            "--quiet",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let r = ResultsFile::load(&dir.path().join("io.json")).unwrap();
    assert_eq!(
        r.provenance.preset_source.as_deref(),
        Some("built-in preset io-threads-vs-processes (with command-line overrides)")
    );
}
