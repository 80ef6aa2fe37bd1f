#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Which function a Python function task runs when its module binds the name more than once:
//! Python binds the last binding, and corelab's static reading of the module (the picker, the
//! `Note:` of `corelab run`, the source the results file records) must agree with what the
//! interpreter then calls. No assertion on times: only on what ran and what was recorded.

mod common;

use common::*;
use corelab::preset::{Experiment, ModelKind, TaskKind};

/// A function experiment on the module `source`, written as `mod.py` in `dir`, with the path
/// made absolute as the CLI and the workbench make it.
fn function_experiment(dir: &std::path::Path, source: &str, name: &str) -> Experiment {
    std::fs::write(dir.join("mod.py"), source).unwrap();
    let mut exp = tiny_experiment(TaskKind::Function, &[ModelKind::PyThreading], &[1]);
    exp.task.function = corelab::preset::FunctionParams {
        file: dir.join("mod.py").to_str().unwrap().into(),
        name: name.into(),
        args: vec![],
        range: Some(4),
    };
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.repetitions = 1;
    exp
}

/// The first `work` would fail the run: the second is the one Python binds, and the one whose
/// source the results file records.
const REDEFINED: &str = "\
def work(n):
    raise RuntimeError('the first def ran: Python binds the last one')

def work(n):
    return {'n': n, 'twice': 2 * n}
";

#[test]
fn a_redefined_function_runs_its_last_def_and_records_that_source() {
    if !python_available("a_redefined_function_runs_its_last_def_and_records_that_source") {
        return;
    }
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let exp = function_experiment(dir.path(), REDEFINED, "work");
    corelab::engine::task_preflight(&exp).unwrap();
    let r = sweep(&exp);
    assert_all_ok(&r);
    let recorded = r.provenance.function_source.clone().expect("a source");
    assert_eq!(
        recorded,
        "def work(n):\n    return {'n': n, 'twice': 2 * n}"
    );
    assert_eq!(r.provenance.function_note, None);
    // Kept through the file.
    let back = corelab::results::ResultsFile::from_json(&r.to_json(), "r.json").unwrap();
    assert_eq!(back.provenance.function_source.as_deref(), Some(&*recorded));
    // The recorded source, run on its own, gives the same answers: it is the body that ran.
    let other = tempfile::tempdir().unwrap();
    let alone = function_experiment(other.path(), &recorded, "work");
    let r2 = sweep(&alone);
    assert_all_ok(&r2);
    let checksum =
        |r: &corelab::results::ResultsFile| r.cell(ModelKind::PyThreading, 1).unwrap().checksum();
    assert!(checksum(&r).is_some());
    assert_eq!(checksum(&r), checksum(&r2));
}

/// A name rebound after its `def` by an assignment: `corelab run` says so in a `Note:` line,
/// the results file records that note and no source, and the run calls what Python bound.
#[test]
fn a_function_rebound_after_its_def_is_noted_by_the_cli_and_run_as_python_binds_it() {
    if !python_available(
        "a_function_rebound_after_its_def_is_noted_by_the_cli_and_run_as_python_binds_it",
    ) {
        return;
    }
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let source = "\
def work(n):
    raise RuntimeError('the def ran, not what rebinds it')

def _twice(n):
    return 2 * n

work = _twice
";
    let exp = function_experiment(dir.path(), source, "work");
    let preset = dir.path().join("fn.json");
    std::fs::write(&preset, exp.to_json()).unwrap();
    let out = dir.path().join("r.json");
    let o = std::process::Command::new(corelab_exe())
        .current_dir(dir.path())
        .args(["run", preset.to_str().unwrap(), "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let note = "`work` is last bound on line 7 by an assignment, after its `def` on line 1: \
                Python calls whatever that binds, not the `def`";
    assert!(stderr.contains(&format!("Note: {note}")), "{stderr}");
    let r = corelab::results::ResultsFile::load(&out).unwrap();
    assert_all_ok(&r);
    assert_eq!(r.provenance.function_source, None);
    assert!(
        r.provenance
            .function_note
            .as_deref()
            .is_some_and(|n| n.starts_with(note)),
        "{:?}",
        r.provenance.function_note
    );
}

/// A plain last `def` gives no note: nothing to say.
#[test]
fn a_plain_last_def_gives_no_note() {
    let dir = tempfile::tempdir().unwrap();
    // As `corelab run` reads it: once, by the pre-check, whose reading the note comes from.
    let note_of = |exp: &Experiment| {
        let module = corelab::engine::task_preflight(exp)
            .unwrap()
            .expect("a module");
        corelab::engine::module_source::binding_note_for(exp, &module)
    };
    let exp = function_experiment(dir.path(), REDEFINED, "work");
    assert_eq!(note_of(&exp), None);
    let exp = function_experiment(dir.path(), "@cache\ndef work(n): return n\n", "work");
    let note = note_of(&exp).unwrap();
    assert!(note.contains("decorated (@cache)"), "{note}");
}

/// The decorator note quotes the module's line: a control character in it (here an ESC that
/// would clear the screen) reaches the terminal as a visible escape, never raw.
#[test]
fn a_decorator_line_with_an_escape_is_quoted_escaped_by_the_cli() {
    if !python_available("a_decorator_line_with_an_escape_is_quoted_escaped_by_the_cli") {
        return;
    }
    let _g = exclusive();
    let dir = tempfile::tempdir().unwrap();
    let source = "\
def mark(tag):
    return lambda f: f

@mark('\x1b[2Jgone')
def work(n):
    return n
";
    let exp = function_experiment(dir.path(), source, "work");
    let preset = dir.path().join("fn.json");
    std::fs::write(&preset, exp.to_json()).unwrap();
    let o = std::process::Command::new(corelab_exe())
        .current_dir(dir.path())
        .args(["run", preset.to_str().unwrap(), "-q", "--out"])
        .arg(dir.path().join("r.json"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("is decorated (@mark('\\u{1b}[2Jgone'))"),
        "{stderr}"
    );
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
}
