#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report --markdown DIR1/r.md --png DIR2/c.png` links the chart relative to the
//! report's folder, so the folder can be moved or published.

mod common;

use std::process::Command;

use common::corelab_exe;
use common::synthetic::synthetic_results;
use corelab::preset::{Experiment, ModelKind};
use corelab::results::MachineInfo;

#[test]
fn the_reports_chart_link_is_relative_to_the_markdown_files_folder() {
    let dir = tempfile::tempdir().unwrap();
    let experiment = Experiment {
        name: "links".into(),
        workers: vec![1, 2],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        ..Experiment::default()
    };
    let r = synthetic_results(
        experiment,
        MachineInfo::default(),
        [0.99, 1.0, 1.01],
        |_, n| n,
    );
    r.save(&dir.path().join("x.json")).unwrap();
    for sub in ["dir1", "dir2"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    let o = Command::new(corelab_exe())
        .current_dir(dir.path())
        .args([
            "report",
            "x.json",
            "--markdown",
            "dir1/r.md",
            "--png",
            "dir2/c.png",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(dir.path().join("dir1/r.md")).unwrap();
    assert!(md.contains("![speedup chart](../dir2/c.png)"), "{md}");
    // The link resolves from the report's folder to the chart written.
    assert!(dir.path().join("dir1/../dir2/c.png").is_file());
    assert!(!md.contains(&dir.path().display().to_string()), "{md}");
}
