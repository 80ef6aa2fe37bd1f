#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab run --sync`: a contention preset's synchronisation switched on the command line,
//! with the preset's own rules (a model that cannot use it is refused naming both; a task
//! that is not `contention` refuses the option).

mod common;

use std::process::{Command, Output};

use common::corelab_exe;
use corelab::preset::SyncMode;
use corelab::results::ResultsFile;

/// Unlocked increments by threads and processes: small, so that a sweep takes a moment.
const RACY: &str = r#"{"version": 1, "name": "Racy counter",
    "task": {"kind": "contention", "contention": {"sync": "none", "increments": 2000}},
    "workers": [1, 2], "models": ["threads", "processes"], "repetitions": 2,
    "warmups": 0, "min_time_s": 0, "precision": 0}"#;

fn corelab_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(corelab_exe())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn sync_switches_a_contention_presets_lock_and_says_so_in_the_results() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("racy.json"), RACY).unwrap();
    let o = corelab_in(
        d,
        &[
            "run",
            "./racy.json",
            "--sync",
            "mutex",
            "-q",
            "--out",
            "r.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    let r = ResultsFile::load(&d.join("r.json")).unwrap();
    assert_eq!(r.experiment.task.contention.sync, SyncMode::Mutex);
    assert_eq!(r.experiment.name, "Racy counter (run with --sync mutex)");
    assert!(
        r.provenance
            .preset_source
            .as_deref()
            .is_some_and(|s| s.contains("with command-line overrides")),
        "{:?}",
        r.provenance.preset_source
    );
    // Under a lock (a mutex for threads, a file lock for processes) no update is lost.
    for cell in &r.cells {
        assert_eq!(cell.runs_with_lost_updates, Some(0), "{:?}", cell.model);
    }
}

#[test]
fn sync_is_refused_for_a_model_that_cannot_use_it_naming_both() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("racy.json"), RACY).unwrap();
    for sync in ["atomic", "channel", "semaphore"] {
        let o = corelab_in(
            d,
            &["run", "./racy.json", "--sync", sync, "--out", "r.json"],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{sync}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "Error: --sync {sync} cannot be used with the model processes: processes share no memory"
            )),
            "{sync}: {stderr}"
        );
        assert!(!d.join("r.json").exists(), "refused before the sweep");
    }
    // Without the processes the same option is fine for the threads; the Python models are
    // refused by the same rule.
    let o = corelab_in(d, &["run", "python-lost-updates", "--sync", "atomic"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--sync atomic cannot be used with the model py-"),
        "{stderr}"
    );
    assert!(stderr.contains("Python has no atomic integer"), "{stderr}");
}

#[test]
fn sync_is_refused_for_a_task_that_is_not_contention() {
    let o = corelab_in(
        std::path::Path::new("."),
        &["run", "cpu-threads-vs-processes", "--sync", "mutex"],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("Error: --sync mutex: the preset's task is `cpu`; only a `contention` task"),
        "{stderr}"
    );
    // An unknown synchronisation is a command-line mistake that lists the choices.
    let o = corelab_in(
        std::path::Path::new("."),
        &["run", "lost-updates", "--sync", "spinlock"],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("choose from mutex, atomic, channel, semaphore, none"),
        "{stderr}"
    );
}
