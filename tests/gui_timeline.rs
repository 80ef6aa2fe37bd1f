#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The Timeline tab without a display (egui_kittest): gil-threads over threads by default, one
//! lane per worker, and Export trace writing the Chrome trace.

mod common;

use corelab::engine::CancelToken;
use corelab::preset::{ModelKind, TaskKind};
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

#[test]
fn timeline_tab_shows_gil_threads_over_threads_and_exports_the_trace() {
    let results = {
        let _g = common::exclusive();
        let exp = common::tiny_experiment(
            TaskKind::Cpu,
            &[ModelKind::Threads, ModelKind::GilThreads],
            &[2],
        );
        corelab::engine::run_sweep(&exp, &common::config(), &CancelToken::new(), &mut |_| {})
    };
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("trace.json");
    let shown = results.clone();
    let mut h =
        Harness::new_ui(move |ui| corelab::gui::timeline::show(ui, Some(&shown), None, &[]));
    h.run();
    // The default pair, top and below, each under its title.
    assert!(
        h.query_by_label_contains("gil-threads × 2 — median run")
            .is_some()
    );
    // …and plain threads below it (both titles contain "threads × 2").
    assert_eq!(
        h.query_all_by_label_contains("threads × 2 — median run")
            .count(),
        2
    );
    assert!(h.query_all_by_label("waiting for the lock").count() >= 1);
    h.get_by_role(Role::TextInput)
        .set_text_value_accesskit(trace.to_str().unwrap());
    h.run();
    h.get_by_label("Export trace").click();
    h.run();
    let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&trace).unwrap()).unwrap();
    let processes = v["traceEvents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["name"] == "process_name")
        .count();
    assert_eq!(
        processes,
        results
            .cells
            .iter()
            .filter(|c| c.timeline.is_some())
            .count()
    );
    assert!(
        h.query_by_label_contains("trace written to").is_some(),
        "the tab says where the trace went"
    );
    // Exporting again to the same file asks first, then replaces it.
    std::fs::write(&trace, "PRECIOUS").unwrap();
    h.get_by_label("Export trace").click();
    h.run();
    assert!(
        h.query_by_label_contains("exists: press Replace trace")
            .is_some()
    );
    assert_eq!(std::fs::read_to_string(&trace).unwrap(), "PRECIOUS");
    h.get_by_label("Replace trace").click();
    h.run();
    assert!(
        std::fs::read_to_string(&trace)
            .unwrap()
            .contains("traceEvents")
    );
    // The frames after the click show what it did, with no pointer move: the note says
    // where the trace went, the ask is gone, and the button is back to Export trace.
    assert!(h.query_by_label_contains("trace written to").is_some());
    assert!(
        h.query_by_label_contains("exists: press Replace trace")
            .is_none()
    );
    assert!(h.query_by_label("Replace trace").is_none());
    assert!(h.query_by_label("Export trace").is_some());
}

/// The trace is proposed next to the results file shown, by an absolute path.
#[test]
fn the_trace_is_proposed_next_to_the_results() {
    let path = corelab::gui::timeline::default_trace_path(Some(std::path::Path::new(
        "/data/runs/big.json",
    )));
    assert_eq!(path, std::path::PathBuf::from("/data/runs/big-trace.json"));
    let fresh = corelab::gui::timeline::default_trace_path(None);
    assert!(fresh.is_absolute() && fresh.ends_with("corelab-trace.json"));
    // A results file whose name nearly fills the 255 bytes: the proposal still fits.
    let long = format!("/data/{}.json", "r".repeat(245));
    let path = corelab::gui::timeline::default_trace_path(Some(std::path::Path::new(&long)));
    let name = path.file_name().unwrap().to_str().unwrap();
    assert!(name.len() <= 255 && name.ends_with("-trace.json"), "{name}");
}
