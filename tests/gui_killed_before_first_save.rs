#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! A workbench killed before the engine's first save of a sweep (egui_kittest, scripted
//! executors): its autosave holds the sweep's results before any run from the moment it has a
//! name, never 0 bytes, and reads at the next start as interrupted before any run was timed;
//! an empty autosave an older workbench left is removed at the next start, and said, rather than
//! listed as a broken file, and so is the hidden temporary file of a write it was killed in.

mod common;

use common::gui::{Gate, gated_sweep, started_and_listed, step_until};
use corelab::gui::autosave::{EMPTY_AUTOSAVE, LEFTOVER_TEMPORARY_AGE, recent_entry, results_dir};
use corelab::results::{ResultsFile, RunStatus, WriterProcess};
use egui_kittest::kittest::Queryable;

#[test]
fn the_autosave_is_whole_before_the_first_save_and_reads_as_interrupted_when_killed() {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    // Every run waits at the gate, the first included.
    let mut h = gated_sweep(dir.path(), &gate, |_| true);
    h.get_by_label("Run").click();
    h.run_steps(2);
    assert!(h.state().is_running());
    // No run has ended (the first waits at the gate): the engine has not saved yet, and the
    // file already holds the sweep as it starts.
    let path = h.state().results_path().expect("an autosave").to_path_buf();
    let before = ResultsFile::load(&path).unwrap();
    assert_eq!(before.status, RunStatus::Incomplete);
    assert_eq!(before.writer, Some(WriterProcess::this()));
    assert_eq!(before.experiment.name, "held sweep");
    assert!(before.cells.is_empty(), "{:?}", before.cells);
    // What a kill now leaves (the same file, its writer gone): interrupted before any run was
    // timed, listed, with nothing to offer as an interrupted run.
    let killed = dir.path().join("killed.json");
    let mut left = before.clone();
    left.writer = Some(common::gone_process());
    left.save(&killed).unwrap();
    let entry = recent_entry(&killed);
    assert!(
        entry
            .label
            .ends_with("· held sweep · interrupted before any run was timed"),
        "{}",
        entry.label
    );
    assert!(!entry.abandoned, "{entry:?}");
    gate.open();
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
    assert_eq!(
        ResultsFile::load(&path).unwrap().status,
        RunStatus::Complete
    );
}

#[test]
fn an_empty_autosave_is_removed_at_the_next_start_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let results = results_dir(dir.path());
    std::fs::create_dir_all(&results).unwrap();
    let empty = results.join("2026-11-27T10-49-14Z_fault-hang60-12139.json");
    std::fs::write(&empty, "").unwrap();
    let mut kept = ResultsFile {
        started_at: "2026-11-27T08:03:12Z".into(),
        status: RunStatus::Cancelled,
        ..ResultsFile::default()
    };
    kept.experiment.name = "kept".into();
    let whole = results.join("2026-11-27T08-03-12Z_kept-1.json");
    kept.save(&whole).unwrap();
    let h = started_and_listed(dir.path());
    assert!(!empty.exists(), "the empty autosave was left");
    assert_eq!(h.state().recent_results(), vec![whole.clone()]);
    let note = format!(
        "Removed an {EMPTY_AUTOSAVE} (no results in it): \
         2026-11-27T10-49-14Z_fault-hang60-12139.json"
    );
    assert!(
        h.state().messages().iter().any(|m| m.text == note),
        "{:?}",
        h.state().messages()
    );
    assert!(h.query_by_label_contains("Interrupted run:").is_none());
    assert!(whole.exists());
}

/// The hidden temporary file of an autosave's write that a killed workbench left is removed at
/// the next start, and said, once it is an hour old; a newer one (a workbench sharing the data
/// directory may be writing it) is kept.
#[test]
fn an_old_temporary_file_of_an_autosave_is_removed_at_the_next_start_and_said() {
    let dir = tempfile::tempdir().unwrap();
    let results = results_dir(dir.path());
    std::fs::create_dir_all(&results).unwrap();
    let now = std::time::SystemTime::now();
    let left_at = |name: &str, age: std::time::Duration| {
        let path = results.join(name);
        std::fs::write(&path, "{\"format\": \"corelab-res").unwrap();
        let file = std::fs::File::options().write(true).open(&path).unwrap();
        file.set_modified(now - age).unwrap();
        path
    };
    let old = left_at(
        ".2026-11-27T10-49-14Z_fault-hang60-12139.json.Yn6zUB.tmp",
        LEFTOVER_TEMPORARY_AGE * 2,
    );
    let fresh = left_at(
        ".2026-11-27T11-00-00Z_cpu-bound-4242.json.AbC123.tmp",
        std::time::Duration::from_secs(5),
    );
    let h = started_and_listed(dir.path());
    assert!(!old.exists(), "the old temporary file was left");
    assert!(fresh.exists(), "a write may still be going on");
    let note = "Removed a hidden temporary file left by a workbench killed while it saved \
                results (unchanged for over an hour): \
                .2026-11-27T10-49-14Z_fault-hang60-12139.json.Yn6zUB.tmp";
    assert!(
        h.state().messages().iter().any(|m| m.text == note),
        "{:?}",
        h.state().messages()
    );
    assert_eq!(h.state().recent_results(), Vec::<std::path::PathBuf>::new());
}
