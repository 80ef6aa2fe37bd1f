#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench's function picker ("List functions") follows Python's binding: a name
//! defined twice is listed once, and a name whose last binding is not a plain top-level `def`
//! is marked and explained. The module's text is read, never imported.

mod common;

use common::gui::{app, harness, wait_for_python_probe};
use corelab::preset::TaskKind;
use egui_kittest::kittest::Queryable;

const MODULE: &str = "\
import json

def work(n):
    return n

def work(n):
    return 2 * n

def rebound(n):
    return n

rebound = json.dumps

class Holder:
    def method(self):
        pass
";

#[test]
fn the_picker_lists_a_redefined_function_once_and_marks_a_rebound_one() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("imported");
    let module = dir.path().join("mod.py");
    let source = format!(
        "open({:?}, 'w').write('x')\n{MODULE}",
        marker.to_str().unwrap()
    );
    std::fs::write(&module, source).unwrap();
    let mut a = app(dir.path());
    let mut exp = a.experiment().clone();
    exp.task.kind = TaskKind::Function;
    exp.task.function.file = module.to_str().unwrap().into();
    exp.task.function.name = "work".into();
    a.set_experiment(exp);
    let mut h = harness(a);
    h.step();
    wait_for_python_probe(&mut h);
    h.get_by_label("List functions").click();
    h.run();
    // `work`, defined twice, is listed once; `rebound` is marked; methods are not listed.
    assert_eq!(h.query_all_by_label("work").count(), 1);
    assert_eq!(h.query_all_by_label("rebound (?)").count(), 1);
    assert!(h.query_by_label("rebound").is_none());
    assert!(h.query_by_label("method").is_none());
    // Plain last def: no note under the field.
    assert!(h.query_by_label_contains("is last bound on line").is_none());
    // Picking the rebound name shows what binds it.
    h.get_by_label("rebound (?)").click();
    h.run();
    assert_eq!(h.state().experiment().task.function.name, "rebound");
    let note = "`rebound` is last bound on line 13 by an assignment, after its `def` on line 10";
    assert!(
        h.query_by_label_contains(note).is_some(),
        "the note under the Function field"
    );
    assert!(!marker.exists(), "the module was never imported");
}
