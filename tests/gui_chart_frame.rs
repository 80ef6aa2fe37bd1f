#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench frames a chart as an export of the same runs does (both read
//! `export::chart_frame`): the same core lines with the same labels, and the same ideal line.

mod common;

use common::gui::started;
use common::synthetic::{experiment, synthetic_results};

use corelab::export::{ChartKind, ChartOptions, ChartRun, legend_labels};
use corelab::preset::ModelKind;
use corelab::results::{MachineInfo, ResultsFile};
use egui_kittest::kittest::{NodeT, Queryable};

/// Threads scaling ideally at 1, 2 and 4 workers on a machine of `cores` physical cores.
fn measured(name: &str, cores: usize) -> ResultsFile {
    let machine = MachineInfo {
        cpu_brand: "test cpu".into(),
        physical_cores: Some(cores),
        logical_cores: cores,
        ..MachineInfo::default()
    };
    synthetic_results(
        experiment(
            name,
            &[1, 2, 4],
            &[ModelKind::Sequential, ModelKind::Threads],
        ),
        machine,
        [0.98, 1.0, 1.02],
        |_, n| n,
    )
}

/// Whether `label` names a reference line (an ideal or a core line), not a series.
fn reference(label: &str) -> bool {
    label.starts_with("ideal (")
        || label.contains(" allowed (")
        || label
            .split_once(" physical cores")
            .is_some_and(|(cores, _)| cores.parse::<usize>().is_ok())
}

/// The reference lines' legend entries of `kind`'s tab in the workbench showing `shown`,
/// with `compared` runs added.
fn on_screen(kind: ChartKind, shown: &ResultsFile, compared: &[&ResultsFile]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let save = |r: &ResultsFile, name: &str| {
        let path = dir.path().join(name);
        r.save(&path).unwrap();
        path
    };
    let options = corelab::gui::GuiOptions {
        results: Some(save(shown, "shown.json")),
        compare: compared
            .iter()
            .enumerate()
            .map(|(i, r)| save(r, &format!("compared{i}.json")))
            .collect(),
        tab: Some(kind.id().into()),
        ..Default::default()
    };
    let h = started(dir.path(), &options, compared.len());
    let mut labels: Vec<String> = h
        .query_all_by(|n| {
            n.label()
                .or_else(|| n.value())
                .is_some_and(|l| reference(&l))
        })
        .map(|n| {
            let node = n.accesskit_node();
            node.label().or_else(|| node.value()).unwrap_or_default()
        })
        .collect();
    labels.sort();
    labels.dedup();
    labels
}

/// The reference lines' legend entries of an exported `kind` chart of `runs`.
fn exported(kind: ChartKind, runs: &[&ResultsFile]) -> Vec<String> {
    let runs: Vec<ChartRun<'_>> = runs
        .iter()
        .map(|&results| ChartRun { label: "", results })
        .collect();
    let options = ChartOptions {
        kind,
        ..ChartOptions::default()
    };
    let mut labels: Vec<String> = legend_labels(&runs, &options)
        .into_iter()
        .filter(|l| reference(l))
        .collect();
    labels.sort();
    labels
}

#[test]
fn a_core_line_just_past_the_measured_workers_is_on_screen_as_in_the_export() {
    // 1, 2 and 4 workers on 6 cores: the 6-core line, labelled alike.
    let six = measured("six", 6);
    let screen = on_screen(ChartKind::Speedup, &six, &[]);
    assert_eq!(screen, ["6 physical cores", "ideal (speedup = N)"]);
    assert_eq!(screen, exported(ChartKind::Speedup, &[&six]));
    // 16 cores lie too far past 4 workers for either.
    let big = measured("big", 16);
    let screen = on_screen(ChartKind::Speedup, &big, &[]);
    assert_eq!(screen, ["ideal (speedup = N)"]);
    assert_eq!(screen, exported(ChartKind::Speedup, &[&big]));
}

#[test]
fn the_wall_time_ideal_is_left_out_with_compared_runs_on_screen_as_in_the_export() {
    let a = measured("a", 4);
    let b = measured("b", 4);
    let one = on_screen(ChartKind::WallTime, &a, &[]);
    assert_eq!(one, ["4 physical cores", "ideal (sequential ÷ N)"]);
    assert_eq!(one, exported(ChartKind::WallTime, &[&a]));
    let two = on_screen(ChartKind::WallTime, &a, &[&b]);
    assert_eq!(two, ["4 physical cores"]);
    assert_eq!(two, exported(ChartKind::WallTime, &[&a, &b]));
}

#[test]
fn a_run_allowed_one_cpu_of_two_cores_has_its_core_line_at_one_on_screen_as_in_the_export() {
    // `taskset -c 0` on a 2-core machine, one worker measured: the line stands at the one
    // core the run could use, and says it is not the machine's physical cores.
    let machine = MachineInfo {
        cpu_brand: "test cpu".into(),
        physical_cores: Some(2),
        logical_cores: 1,
        ..MachineInfo::default()
    };
    let pinned = synthetic_results(
        experiment("pinned", &[1], &[ModelKind::Sequential, ModelKind::Threads]),
        machine,
        [0.98, 1.0, 1.02],
        |_, n| n,
    );
    let screen = on_screen(ChartKind::Speedup, &pinned, &[]);
    assert_eq!(
        screen,
        ["1 core allowed (2 physical)", "ideal (speedup = N)"]
    );
    assert_eq!(screen, exported(ChartKind::Speedup, &[&pinned]));
}

/// Whether the workbench's speedup tab, showing `shown`, draws a log speedup axis (its "log
/// speedup" box ticked; the box is offered on a log₂ worker axis only).
fn log_speedup_on_screen(shown: &ResultsFile) -> bool {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shown.json");
    shown.save(&path).unwrap();
    let options = corelab::gui::GuiOptions {
        results: Some(path),
        tab: Some(ChartKind::Speedup.id().into()),
        ..Default::default()
    };
    let h = started(dir.path(), &options, 0);
    let boxes: Vec<bool> = h
        .query_all_by_label("log speedup")
        .map(|n| n.accesskit_node().toggled() == Some(eframe::egui::accesskit::Toggled::True))
        .collect();
    assert!(boxes.len() <= 1, "one log speedup box at most: {boxes:?}");
    boxes.first().copied().unwrap_or(false)
}

/// Whether an exported speedup chart of `shown`, its axes left to `auto`, draws a log
/// speedup axis.
fn log_speedup_exported(shown: &ResultsFile) -> bool {
    let (_, log_y) = corelab::export::resolve_scales(
        ChartKind::Speedup,
        std::iter::once(shown),
        corelab::export::AxisScale::Auto,
        corelab::export::AxisScale::Auto,
    )
    .unwrap();
    log_y
}

#[test]
fn the_workbench_and_the_export_pick_the_same_speedup_axis() {
    // A wide sweep (1..64 workers, speedups 1 to 48: waiting-threads-vs-async's shape): log₂
    // workers and a log speedup axis in both; a narrow one (1, 2, 4): linear in both.
    let wide = synthetic_results(
        experiment(
            "wide",
            &[1, 2, 4, 8, 16, 32, 64],
            &[ModelKind::Sequential, ModelKind::Threads],
        ),
        MachineInfo::default(),
        [0.98, 1.0, 1.02],
        |_, n| if n >= 64.0 { 48.0 } else { n },
    );
    assert!(log_speedup_exported(&wide));
    assert!(
        log_speedup_on_screen(&wide),
        "the workbench kept a linear speedup axis"
    );
    let narrow = measured("narrow", 4);
    assert!(!log_speedup_exported(&narrow));
    assert!(!log_speedup_on_screen(&narrow));
}
