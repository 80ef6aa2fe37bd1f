#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The user's own workload: a command run once per task, and the async `tokio` model.
//! No assertion on measured speedups or times: only on what ran, its checksums and errors.

mod common;

use common::*;
use corelab::preset::{CommandParams, Experiment, ModelKind, TaskKind};
use corelab::results::CellStatus;

fn command_experiment(argv: &[&str], models: &[ModelKind], workers: &[usize]) -> Experiment {
    let mut exp = tiny_experiment(TaskKind::Command, models, workers);
    exp.task.command = CommandParams {
        argv: argv.iter().map(|s| s.to_string()).collect(),
    };
    exp.task.tasks = 6;
    exp.repetitions = 1;
    exp
}

#[test]
fn a_sleep_command_runs_under_sequential_threads_and_rayon_with_one_checksum() {
    let _g = exclusive();
    let exp = command_experiment(
        &["sleep", "0.02"],
        &[ModelKind::Sequential, ModelKind::Threads, ModelKind::Rayon],
        &[1, 3],
    );
    let r = sweep(&exp);
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::Sequential, 1).unwrap().checksum();
    assert!(answer.is_some());
    for m in [ModelKind::Threads, ModelKind::Rayon] {
        for w in [1, 3] {
            assert_eq!(r.cell(m, w).unwrap().checksum(), answer, "{m} × {w}");
        }
    }
    assert!(live_descendants().is_empty(), "every child was reaped");
}

#[test]
fn a_failing_command_fails_its_cell_with_its_stderr_and_the_sweep_goes_on() {
    let _g = exclusive();
    let mut exp = command_experiment(
        &["sh", "-c", "echo 'no such size {task}' >&2; exit 2"],
        &[ModelKind::Threads],
        &[1, 2],
    );
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    let r = sweep(&exp);
    assert_eq!(r.cells.len(), 2, "both cells were tried");
    for c in &r.cells {
        assert_eq!(c.status, CellStatus::Failed);
        let err = c.error.as_deref().unwrap();
        assert!(err.contains("exit code 2"), "{err}");
        assert!(err.contains("no such size"), "{err}");
    }
}

#[test]
fn models_that_cannot_run_a_command_are_refused_with_the_reason() {
    for m in [
        ModelKind::Processes,
        ModelKind::GilThreads,
        ModelKind::PyThreading,
        ModelKind::Tokio,
    ] {
        let exp = command_experiment(&["true"], &[m], &[2]);
        let err = exp.validate().unwrap_err().to_string();
        assert!(
            err.contains("models[0]") && err.contains("threads"),
            "{m}: {err}"
        );
    }
    let empty = command_experiment(&[], &[ModelKind::Threads], &[2]);
    let err = empty.validate().unwrap_err().to_string();
    assert!(err.contains("task.command.argv"), "{err}");
}

#[test]
fn opening_a_preset_with_a_command_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let preset = dir.path().join("cmd.json");
    let exp = command_experiment(
        &["touch", marker.to_str().unwrap()],
        &[ModelKind::Threads],
        &[2],
    );
    std::fs::write(&preset, exp.to_json()).unwrap();
    let loaded = Experiment::load(&preset).unwrap();
    assert_eq!(loaded.task.kind, TaskKind::Command);
    loaded.validate().unwrap();
    assert!(!marker.exists(), "loading and validating ran nothing");
}
