#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench reads a function task's module without ever blocking or reading per frame:
//! a fifo named as the module is refused at once (the field says what it is), hovering the
//! py-asyncio box and clicking "List functions" return, and the hover's note comes from the
//! one cached reading of the module, not from a reading in each frame.

mod common;

use std::path::Path;
use std::time::Duration;

use common::gui::{app, harness, wait_for_python_probe};
use corelab::engine::python_source::module_reads_on_this_thread;
use corelab::gui::WorkbenchApp;
use corelab::preset::{ModelKind, TaskKind};
use egui_kittest::kittest::Queryable;

/// A workbench whose experiment is a function task of `module`'s `work`, py-asyncio ticked.
fn function_workbench(data_dir: &Path, module: &Path) -> WorkbenchApp {
    let mut a = app(data_dir);
    let mut exp = a.experiment().clone();
    exp.task.kind = TaskKind::Function;
    exp.task.function.file = module.to_str().unwrap().into();
    exp.task.function.name = "work".into();
    exp.models = vec![ModelKind::PyAsyncio];
    a.set_experiment(exp);
    a
}

/// Runs `test` on a thread of its own and fails unless it ends within a minute: a read that
/// blocks on a fifo would never end.
fn within_a_minute(test: impl FnOnce() + Send + 'static) {
    let (done, finished) = std::sync::mpsc::channel();
    let worker = std::thread::spawn(move || {
        test();
        let _ = done.send(());
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => worker.join().unwrap(),
        // The thread panicked (its assertion failed): report that panic.
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
            std::panic::resume_unwind(worker.join().unwrap_err())
        }
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
            panic!("the workbench hung on the module (a blocking read?)")
        }
    }
}

/// Scrolls the py-asyncio box into view (the models are below the task's fields) and hovers it.
fn hover_py_asyncio(h: &mut egui_kittest::Harness<'static, WorkbenchApp>) {
    h.get_by_label("py-asyncio").scroll_to_me();
    h.run();
    h.get_by_label("py-asyncio").hover();
}

#[test]
fn a_fifo_module_is_named_as_such_and_hovering_or_listing_returns() {
    within_a_minute(|| {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo.py");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        let mut h = harness(function_workbench(dir.path(), &fifo));
        h.step();
        wait_for_python_probe(&mut h);
        h.run();
        // The field's own words (Run, greyed, gives the same reason beside it).
        let field = format!(
            "not a regular file: {} is a named pipe (fifo)",
            fifo.display()
        );
        assert!(
            h.query_by_label(&field).is_some(),
            "the file field says what the path is"
        );
        assert!(
            h.query_by_label(&format!("Cannot run: {field}")).is_some(),
            "and Run is greyed with it"
        );
        assert!(h.query_by_label_contains("not found:").is_none());
        hover_py_asyncio(&mut h);
        h.run();
        assert!(
            h.query_by_label_contains("one asyncio event loop")
                .is_some(),
            "the hover's tooltip is shown"
        );
        assert!(h.query_by_label_contains("is a plain function").is_none());
        h.get_by_label("List functions").scroll_to_me();
        h.run();
        h.get_by_label("List functions").click();
        h.run();
        assert!(
            h.query_by_label_contains("named pipe (fifo), not a regular file")
                .is_some(),
            "List functions says why it cannot read the file"
        );
    });
}

#[test]
fn hovering_py_asyncio_shows_its_note_from_one_reading_not_one_per_frame() {
    within_a_minute(|| {
        let dir = tempfile::tempdir().unwrap();
        let module = dir.path().join("work.py");
        std::fs::write(
            &module,
            "import time\n\ndef work(i):\n    time.sleep(0.01)\n",
        )
        .unwrap();
        let mut h = harness(function_workbench(dir.path(), &module));
        h.step();
        wait_for_python_probe(&mut h);
        h.run();
        let reads_before_hover = module_reads_on_this_thread();
        assert!(reads_before_hover >= 1, "the task grid read the module");
        hover_py_asyncio(&mut h);
        h.run_steps(30);
        assert!(
            h.query_by_label_contains("is a plain function").is_some(),
            "the hover's note"
        );
        assert_eq!(
            module_reads_on_this_thread(),
            reads_before_hover,
            "30 frames of hovering read the unchanged module no more"
        );
        // Edited to another size: read again, once, and the note follows the text.
        std::fs::write(
            &module,
            "import asyncio\n\nasync def work(i):\n    await asyncio.sleep(0.01)\n",
        )
        .unwrap();
        std::thread::sleep(Duration::from_millis(1100));
        for _ in 0..90 {
            h.step();
        }
        assert!(module_reads_on_this_thread() <= reads_before_hover + 1);
    });
}
