#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab run` writes every output it can when one of them cannot be made.

mod common;

use std::process::Command;

use common::corelab_exe;

#[test]
fn a_chart_that_cannot_be_drawn_does_not_cost_the_csv_and_the_report() {
    let dir = tempfile::tempdir().unwrap();
    // An "interpreter" that passes the version check and then fails to start the worker:
    // every cell fails, so there is nothing to chart.
    let fakepy = dir.path().join("fakepy");
    corelab::safe_fs::write_executable(
        &fakepy,
        "#!/bin/sh\nif [ \"$1\" = -c ] || [ \"$2\" = -c ]; then\n  echo '{\"version\": \"3.12.1\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n  exit 0\nfi\necho 'no worker here' >&2\nexit 7\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("py.json"),
        r#"{"version": 1, "name": "all fail", "task": {"kind": "cpu", "tasks": 4, "cpu": {"size": 1000}},
            "workers": [1, 2], "models": ["py-threading"], "baseline": "same-model-one-worker",
            "repetitions": 1, "warmups": 0, "python": {"interpreter": "./fakepy"}}"#,
    )
    .unwrap();
    let o = Command::new(corelab_exe())
        .current_dir(dir.path())
        .args([
            "run",
            "./py.json",
            "--png",
            "r.png",
            "--markdown",
            "r.md",
            "--csv",
            "r.csv",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("summary written to r.csv"), "{stderr}");
    assert!(stderr.contains("report written to r.md"), "{stderr}");
    assert!(stderr.contains("not written: --png r.png"), "{stderr}");
    assert!(!dir.path().join("r.png").exists());
    let md = std::fs::read_to_string(dir.path().join("r.md")).unwrap();
    assert!(md.contains("py-threading × 1 failed"), "{md}");
    assert!(
        !md.contains("](r.png)"),
        "no link to a chart not written: {md}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("r.csv"))
            .unwrap()
            .lines()
            .count(),
        3
    );
}
