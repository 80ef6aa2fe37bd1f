#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The export dialog starts with the axes the workbench's chart shows: a log speedup axis
//! on screen (picked by the shared rule, or ticked) is the export's log₂ speedup axis, and the
//! file says so; unticked on screen, the export is linear.

mod common;

use corelab::export::ChartKind;
use egui_kittest::kittest::Queryable;

#[test]
fn the_export_dialog_takes_the_log_speedup_axis_the_workbench_shows() {
    let dir = tempfile::tempdir().unwrap();
    let r = common::synthetic::doublings(|n| n.powf(0.8));
    let path = dir.path().join("wide.json");
    r.save(&path).unwrap();
    let mut h = common::gui::opened_path(dir.path(), &path);
    h.run();

    // The workbench picks a log speedup axis for 1 to 64 workers by the exports' own rule
    // (`chart_model::auto_log_speedup`): the export starts with it.
    h.state_mut().open_export_dialog();
    h.run();
    let options = h.state_mut().export_dialog_mut().chart_options();
    assert_eq!(options.kind, ChartKind::Speedup);
    assert!(options.log_x, "1 to 64 workers: log₂ on screen");
    assert!(
        options.log_y,
        "the workbench's speedup axis is log₂ here: {options:?}"
    );
    h.state_mut().export_dialog_mut().close();
    h.run();

    // Unticked on screen: the export starts linear too.
    h.get_by_label("log speedup").click();
    h.run();
    h.state_mut().open_export_dialog();
    h.run();
    let options = h.state_mut().export_dialog_mut().chart_options();
    assert!(options.log_x && !options.log_y, "{options:?}");
    h.state_mut().export_dialog_mut().close();
    h.run();

    // Ticked again: the export starts log₂, and the file says so.
    h.get_by_label("log speedup").click();
    h.run();
    h.state_mut().open_export_dialog();
    h.run();
    let options = h.state_mut().export_dialog_mut().chart_options();
    assert!(options.log_x && options.log_y, "{options:?}");
    let base = dir.path().join("exported");
    let written = h.state_mut().export_dialog_mut().export_to(&base).unwrap();
    let svg_path = written
        .iter()
        .find(|p| p.extension().is_some_and(|e| e == "svg"))
        .unwrap();
    let svg = std::fs::read_to_string(svg_path).unwrap();
    assert!(svg.contains("speedup (× baseline) (log₂ scale)"));
    assert!(svg.contains("\n1×\n") && svg.contains("\n2×\n"));

    // A log speedup axis needs the log₂ worker axis: without it the export is linear.
    let dialog = h.state_mut().export_dialog_mut();
    dialog.options.log_x = false;
    assert!(!dialog.chart_options().log_y);
}
