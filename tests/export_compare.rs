#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report A B` says what differs between the compared runs, on stderr, in the report
//! and on the chart.

use std::process::Command;

use corelab::preset::{Experiment, ModelKind};
use corelab::results::{CellResult, ResultsFile, RunStatus, Sample};

fn results(size: u64, repetitions: u32, host: &str) -> ResultsFile {
    let mut experiment = Experiment {
        name: "CPU".into(),
        workers: vec![1, 2],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions,
        ..Experiment::default()
    };
    experiment.task.cpu.size = size;
    let walls = |t: f64| -> Vec<Sample> {
        (0..repetitions)
            .map(|i| Sample {
                wall_s: t * (1.0 + 0.01 * f64::from(i)),
                cpu_s: t,
                ..Sample::default()
            })
            .collect()
    };
    let cell = |model, workers, t| CellResult {
        model: Some(model),
        workers,
        samples: walls(t),
        ..CellResult::default()
    };
    let mut r = ResultsFile {
        status: RunStatus::Complete,
        experiment,
        cells: vec![
            cell(ModelKind::Sequential, 1, 1.0),
            cell(ModelKind::Threads, 1, 1.0),
            cell(ModelKind::Threads, 2, 0.5),
        ],
        ..ResultsFile::default()
    };
    r.machine.hostname = host.into();
    r.machine.logical_cores = 2;
    r.recompute();
    r
}

#[test]
fn report_of_runs_that_differ_says_in_what() {
    let dir = tempfile::tempdir().unwrap();
    results(1000, 5, "laptop")
        .save(&dir.path().join("a.json"))
        .unwrap();
    results(4000, 9, "server")
        .save(&dir.path().join("b.json"))
        .unwrap();
    results(1000, 5, "laptop")
        .save(&dir.path().join("a2.json"))
        .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_corelab"))
        .current_dir(dir.path())
        .args([
            "report",
            "a.json",
            "b.json",
            "--svg",
            "c.svg",
            "--markdown",
            "c.md",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    for aspect in ["task size", "runs per cell", "machine"] {
        assert!(
            stderr.contains(&format!("Note: the compared runs differ in {aspect} (")),
            "{aspect}: {stderr}"
        );
    }
    assert!(stderr.contains("task.cpu.size = 4000"), "{stderr}");
    assert!(stderr.contains("9 repetitions; 9 runs a cell"), "{stderr}");
    let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
    assert!(
        svg.contains("The compared runs differ in task size, runs per cell, machine"),
        "{svg}"
    );
    let md = std::fs::read_to_string(dir.path().join("c.md")).unwrap();
    assert!(
        md.contains("## What differs between the compared runs"),
        "{md}"
    );
    assert!(
        md.contains("- runs per cell (the intervals rest on different numbers of runs): "),
        "{md}"
    );

    // Like for like: nothing said.
    let o = Command::new(env!("CARGO_BIN_EXE_corelab"))
        .current_dir(dir.path())
        .args(["report", "a.json", "a2.json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("differ"), "{stderr}");
}
