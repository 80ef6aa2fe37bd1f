#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! A disk that fails after a first successful autosave (egui_kittest, scripted executors, a
//! saver standing in for the disk): the sweep is rescued whole to the temporary directory,
//! and the stale first write is removed, so that the next start does not offer it as a
//! killed run's.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use common::gui::{harness, step_until, wait_for_python_probe};
use corelab::engine::mock::MockExecutors;
use corelab::engine::results_saver::ResultsSaver;
use corelab::gui::{AppSettings, WorkbenchApp};
use corelab::results::{ResultsError, ResultsFile, RunStatus, WriterProcess};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// A disk that takes the first save and refuses every later one (full). The first save is
/// written as the next start reads it: by a workbench that has exited since (its writer
/// recorded as a gone process), which is what makes a stale file look like a killed run's.
#[derive(Debug)]
struct FullAfterFirstSave {
    saves: AtomicUsize,
    writer_gone: WriterProcess,
    /// The path of the first save.
    written: Mutex<Option<PathBuf>>,
}

impl ResultsSaver for FullAfterFirstSave {
    fn save(&self, results: &ResultsFile, path: &Path) -> Result<(), ResultsError> {
        if self.saves.fetch_add(1, Ordering::SeqCst) == 0 {
            let mut first = results.clone();
            first.writer = Some(self.writer_gone.clone());
            first.save(path)?;
            *self.written.lock().unwrap() = Some(path.to_path_buf());
            return Ok(());
        }
        Err(ResultsError::Write {
            path: path.display().to_string(),
            source: std::io::Error::from_raw_os_error(libc::ENOSPC),
        })
    }
}

/// A workbench on `data` with scripted executors (no run waits), saving through `saver`,
/// its rescues going to `rescue` (none when `saver` is `None`: a plain start).
fn workbench(
    data: &Path,
    rescue: &Path,
    saver: Option<Arc<FullAfterFirstSave>>,
) -> Harness<'static, WorkbenchApp> {
    let mock = MockExecutors::new(|model, workers, _run| Ok(common::threads_scale(model, workers)));
    let mut config = common::mock_config(&mock, 1);
    if let Some(saver) = saver {
        config.saver = saver as Arc<dyn ResultsSaver>;
    }
    let settings = AppSettings {
        restore_state: true,
        ..AppSettings::headless(data)
    };
    let mut app = WorkbenchApp::new(config, settings, None);
    app.set_experiment(common::gui::held_experiment());
    app.set_rescue_dir(rescue);
    let mut h = harness(app);
    h.step();
    wait_for_python_probe(&mut h);
    h
}

#[test]
fn a_disk_that_fails_after_the_first_autosave_leaves_no_stale_file_to_offer_as_killed() {
    let dir = tempfile::tempdir().unwrap();
    let (data, rescue) = (dir.path().join("data"), dir.path().join("tmp"));
    std::fs::create_dir(&rescue).unwrap();
    let saver = Arc::new(FullAfterFirstSave {
        saves: AtomicUsize::new(0),
        writer_gone: common::gone_process(),
        written: Mutex::new(None),
    });
    let mut h = workbench(&data, &rescue, Some(Arc::clone(&saver)));
    h.get_by_label("Run").click();
    h.run_steps(2);
    step_until(&mut h, "the sweep to end", |a| {
        !a.is_running() && a.results().is_some()
    });

    // The first save went to the autosave file; the later ones failed.
    let autosaved = saver.written.lock().unwrap().clone().expect("a first save");
    assert!(
        autosaved.starts_with(corelab::gui::autosave::results_dir(&data)),
        "{autosaved:?}"
    );
    assert!(saver.saves.load(Ordering::SeqCst) >= 2, "a save after it");

    // The whole sweep is in the rescued file: every cell with all its runs, finished.
    let rescued: Vec<PathBuf> = std::fs::read_dir(&rescue)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(rescued.len(), 1, "{rescued:?}");
    let name = rescued[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(name.starts_with(corelab::results::RESCUED_PREFIX), "{name}");
    let kept = ResultsFile::load(&rescued[0]).unwrap();
    let experiment = common::gui::held_experiment();
    assert_eq!(kept.status, RunStatus::Complete);
    assert_eq!(kept.experiment.name, experiment.name);
    assert_eq!(kept.cells.len(), 3);
    assert!(
        kept.cells
            .iter()
            .all(|c| c.samples.len() == experiment.repetitions as usize && !c.is_partial()),
        "{:?}",
        kept.cells
    );
    assert_eq!(h.state().results_path(), Some(rescued[0].as_path()));
    assert!(
        h.state().messages().iter().any(|m| m.is_error
            && m.text.starts_with(&format!(
                "Not autosaved: writing {} failed (",
                autosaved.display()
            ))
            && m.text.ends_with(&format!(
                "the 3 measured cells were saved to {} instead.",
                rescued[0].display()
            ))),
        "{:?}",
        h.state().messages()
    );

    // The first save's stale part of the sweep is gone from the autosave folder.
    assert!(!autosaved.exists(), "{autosaved:?} was left");
    drop(h);

    // The next start (no state saved, as after a kill: the folder alone tells) offers no
    // killed run, and lists no stale file among the recent results.
    let mut next = workbench(&data, &rescue, None);
    step_until(&mut next, "the recent results to be read", |a| {
        !a.recent_results_reading()
    });
    next.run();
    assert!(next.state().interrupted_run().is_none());
    assert!(next.query_by_label_contains("Interrupted run:").is_none());
    assert!(
        !next.state().recent_results().contains(&autosaved),
        "{:?}",
        next.state().recent_results()
    );
}
