#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! An `incomplete` autosaved file written by a corelab in another container or on another host
//! (a shared home) is never offered at start as a killed run's, whatever its pid names here:
//! the workbench says it cannot tell whether that corelab still runs (egui_kittest).

mod common;

use common::gui::{app, harness, opened_path, step_until};
use corelab::results::{RunStatus, WriterProcess};
use egui_kittest::kittest::Queryable;

/// A pid that names no process here, recorded as this boot's, namespace's and host's.
fn gone_here() -> WriterProcess {
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let gone = WriterProcess::here(child.id(), corelab::sys::procfs::start_ticks_of(child.id()));
    child.wait().unwrap();
    gone
}

/// An `incomplete` file written by `writer` in `dir`'s autosave folder.
fn left_by(dir: &std::path::Path, writer: WriterProcess) -> std::path::PathBuf {
    let results_dir = corelab::gui::autosave::results_dir(dir);
    std::fs::create_dir_all(&results_dir).unwrap();
    let mut r = common::gui::two_cell_results(common::gui::held_experiment());
    r.status = RunStatus::Incomplete;
    r.started_at = "2026-11-27T10:49:14Z".into();
    r.writer = Some(writer);
    let path = results_dir.join("2026-11-27T10-49-14Z_held-sweep-1.json");
    r.save(&path).unwrap();
    path
}

/// Whether a workbench started on `dir` offers an interrupted run, once its list is read.
fn offers_a_killed_run(dir: &std::path::Path) -> bool {
    let mut h = harness(app(dir));
    step_until(&mut h, "the recent results to be read", |a| {
        !a.recent_results_reading() && !a.recent_results().is_empty()
    });
    h.run();
    h.state().interrupted_run().is_some() || h.query_by_label_contains("Interrupted run:").is_some()
}

#[test]
fn a_file_written_in_another_container_or_on_another_host_is_not_offered_as_killed() {
    let gone = gone_here();
    // Written here, its process gone: offered (as `gui_saved_runs` checks in full).
    let here = tempfile::tempdir().unwrap();
    left_by(here.path(), gone.clone());
    assert!(offers_a_killed_run(here.path()));
    let elsewhere = [
        (
            WriterProcess {
                pid_namespace: gone.pid_namespace.map(|n| n + 1),
                ..gone.clone()
            },
            "written by a corelab in another container; cannot tell if it is still running",
        ),
        (
            WriterProcess {
                host: Some("lab-2".into()),
                boot_id: Some("lab-2s-boot".into()),
                ..gone.clone()
            },
            "written by a corelab on lab-2; cannot tell if it is still running",
        ),
    ];
    for (writer, words) in elsewhere {
        let dir = tempfile::tempdir().unwrap();
        let path = left_by(dir.path(), writer.clone());
        assert!(!offers_a_killed_run(dir.path()), "{writer:?}");
        // Opened, its header says it is incomplete, not interrupted, and why in its hover.
        let mut h = opened_path(dir.path(), &path);
        h.run();
        assert!(
            h.query_by_label_contains("· incomplete · 2 cells")
                .is_some(),
            "{writer:?}"
        );
        assert!(h.query_by_label_contains("· interrupted").is_none());
        h.get_by_label_contains("· incomplete · 2 cells").hover();
        h.run();
        assert!(h.query_by_label_contains(words).is_some(), "{words}");
    }
}
