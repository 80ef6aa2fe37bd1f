#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench's compare view says when the compared runs are not like for like.

mod common;

use common::synthetic::synthetic_results;

use std::path::{Path, PathBuf};

use corelab::preset::{Experiment, ModelKind};
use corelab::results::{MachineInfo, ResultsFile};
use egui_kittest::kittest::{NodeT, Queryable};

fn results(size: u64, host: &str) -> ResultsFile {
    let mut experiment = Experiment {
        name: "CPU".into(),
        workers: vec![1, 2, 4],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions: 3,
        ..Experiment::default()
    };
    experiment.task.cpu.size = size;
    let machine = MachineInfo {
        cpu_brand: "Test CPU".into(),
        logical_cores: 4,
        hostname: host.into(),
        ..MachineInfo::default()
    };
    synthetic_results(experiment, machine, [0.99, 1.0, 1.01], |_, n| n)
}

fn saved(dir: &Path, file: &str, results: &ResultsFile) -> PathBuf {
    let path = dir.join(file);
    results.save(&path).unwrap();
    path
}

fn label_after_comparing(first: &ResultsFile, second: &ResultsFile) -> Option<String> {
    let dir = tempfile::tempdir().unwrap();
    let a = saved(dir.path(), "a.json", first);
    let b = saved(dir.path(), "b.json", second);
    let options = corelab::gui::GuiOptions {
        results: Some(a),
        compare: vec![b],
        ..Default::default()
    };
    let h = common::gui::started(dir.path(), &options, 1);
    let prefix = "The compared runs differ in ";
    h.query_all_by(|n| {
        n.label()
            .or_else(|| n.value())
            .is_some_and(|l| l.starts_with(prefix))
    })
    .next()
    .map(|n| {
        let node = n.accesskit_node();
        node.label().or_else(|| node.value()).unwrap_or_default()
    })
}

#[test]
fn compared_runs_of_different_work_on_different_machines_are_said_to_differ() {
    let label = label_after_comparing(&results(1000, "laptop"), &results(4000, "server"));
    assert_eq!(
        label.as_deref(),
        Some(
            "The compared runs differ in task size, machine: not like for like (hover for each run's)"
        )
    );
}

#[test]
fn like_for_like_runs_get_no_note() {
    assert_eq!(
        label_after_comparing(&results(1000, "laptop"), &results(1000, "laptop")),
        None
    );
}
