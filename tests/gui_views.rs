#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! A preset's view (`"view"`) is the tab the workbench opens: when the preset is loaded, and
//! when its results arrive, unless `--tab` named another or the user moved to another tab
//! while the sweep ran.

mod common;

use common::gui::{Gate, app, harness, held_sweep, step_until, two_cell_results};

use corelab::gui::{GuiOptions, Tab, WorkbenchApp};
use corelab::preset::ResultsView;
use corelab::results::RunStatus;
use eframe::egui::accesskit::Toggled;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

fn started(dir: &std::path::Path) -> Harness<'static, WorkbenchApp> {
    let mut h = harness(app(dir));
    h.step();
    h
}

/// Whether the tab button `title` is drawn selected.
fn shown_selected(h: &Harness<'_, WorkbenchApp>, title: &str) -> bool {
    h.get_by_label(title).accesskit_node().toggled() == Some(Toggled::True)
}

/// The teacher's case: loading `lost-updates-processes` lands on the Lost updates tab, where
/// the lesson is, not on the speedup chart.
#[test]
fn loading_lost_updates_processes_shows_the_lost_updates_tab() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = started(dir.path());
    assert_eq!(h.state().tab(), Tab::Speedup);
    assert!(h.state_mut().load_builtin("lost-updates-processes"));
    h.run();
    assert_eq!(h.state().tab(), Tab::LostUpdates);
    assert!(shown_selected(&h, "Lost updates"));
    assert!(!shown_selected(&h, "Speedup vs workers"));
    // A preset without a view leaves the tab where it is.
    h.state_mut().set_tab(Tab::Table);
    assert!(h.state_mut().load_builtin("start-here"));
    h.run();
    assert_eq!(h.state().tab(), Tab::Table);
    // memory-bandwidth's point is the GB/s column of the table; the fine-grained cluster
    // preset's, the wall times.
    assert!(h.state_mut().load_builtin("from-cores-to-a-cluster-fine"));
    h.run();
    assert_eq!(h.state().tab(), Tab::WallTime);
    assert!(h.state_mut().load_builtin("memory-bandwidth"));
    h.run();
    assert_eq!(h.state().tab(), Tab::Table);
}

#[test]
fn a_preset_named_at_startup_opens_its_view_and_an_explicit_tab_wins() {
    let dir = tempfile::tempdir().unwrap();
    let start = |tab: Option<&str>| {
        let mut h = started(dir.path());
        let ctx = h.ctx.clone();
        let options = GuiOptions {
            preset: Some("python-lost-updates".into()),
            tab: tab.map(str::to_string),
            ..Default::default()
        };
        h.state_mut()
            .apply_startup(&ctx, &options, corelab::gui::screenshot::Outcome::default());
        h.run();
        h
    };
    assert_eq!(start(None).state().tab(), Tab::LostUpdates);
    let mut h = start(Some("table"));
    assert_eq!(h.state().tab(), Tab::Table, "--tab table wins");
    // A preset the user picks afterwards opens its view again.
    assert!(h.state_mut().load_builtin("lost-updates"));
    h.run();
    assert_eq!(h.state().tab(), Tab::LostUpdates);
}

#[test]
fn a_preset_file_named_at_startup_opens_its_view_unless_a_tab_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("lesson.json");
    let mut exp = corelab::preset::find_builtin("lost-updates-processes")
        .unwrap()
        .experiment()
        .unwrap();
    exp.name = "my lesson".into();
    std::fs::write(&file, exp.to_json()).unwrap();
    for (tab, expected) in [
        (None, Tab::LostUpdates),
        (Some("efficiency"), Tab::Efficiency),
    ] {
        let mut h = started(dir.path());
        let ctx = h.ctx.clone();
        let options = GuiOptions {
            preset: Some(file.display().to_string()),
            tab: tab.map(str::to_string),
            ..Default::default()
        };
        h.state_mut()
            .apply_startup(&ctx, &options, corelab::gui::screenshot::Outcome::default());
        step_until(&mut h, "the preset file to load", |a| {
            a.experiment().name == "my lesson" && !a.files_busy()
        });
        assert_eq!(h.state().tab(), expected, "--tab {tab:?}");
    }
}

#[test]
fn opened_results_open_their_experiments_view() {
    let dir = tempfile::tempdir().unwrap();
    let exp = corelab::preset::Experiment {
        name: "table lesson".into(),
        view: Some(ResultsView::Table),
        ..Default::default()
    };
    exp.validate().unwrap();
    let path = dir.path().join("results.json");
    two_cell_results(exp).save(&path).unwrap();
    let mut h = started(dir.path());
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, path);
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    assert_eq!(h.state().tab(), Tab::Table);
}

/// Runs the held sweep of an experiment whose view is the table, from the speedup tab;
/// `during` acts while round 2 waits. Returns the tab once the sweep has finished.
fn tab_after_a_sweep(during: impl FnOnce(&mut Harness<'static, WorkbenchApp>)) -> Tab {
    let dir = tempfile::tempdir().unwrap();
    let gate = Gate::default();
    let mut h = held_sweep(dir.path(), &gate);
    let mut exp = h.state().experiment().clone();
    exp.view = Some(ResultsView::Table);
    h.state_mut().set_experiment(exp);
    h.state_mut().set_tab(Tab::Speedup);
    h.run();
    h.get_by_label("Run").click();
    h.run_steps(2);
    step_until(&mut h, "round 1 to be shown", |a| {
        a.results()
            .is_some_and(|r| r.cells.len() == 3 && r.cells.iter().all(|c| c.samples.len() == 1))
    });
    assert!(h.state().is_running());
    during(&mut h);
    gate.open();
    step_until(&mut h, "the sweep to end", |a| !a.is_running());
    assert_eq!(h.state().results().unwrap().status, RunStatus::Complete);
    h.state().tab()
}

#[test]
fn results_arriving_open_the_view_unless_the_user_switched_tabs_during_the_run() {
    assert_eq!(tab_after_a_sweep(|_| {}), Tab::Table, "the lesson's view");
    let moved = tab_after_a_sweep(|h| {
        h.get_by_label("Efficiency vs workers").click();
        h.run_steps(2);
        assert_eq!(h.state().tab(), Tab::Efficiency);
    });
    assert_eq!(moved, Tab::Efficiency, "not yanked back");
}

/// **show fits** sits above the charts that draw fitted curves (speedup, efficiency, wall
/// time) and not on the tabs where nothing it turns on is drawn: the table, the Fits tab
/// (which shows its fits whatever the box says), the timeline and the lost-updates chart.
#[test]
fn show_fits_is_offered_only_on_tabs_that_draw_fits() {
    let dir = tempfile::tempdir().unwrap();
    let results = two_cell_results(
        corelab::preset::find_builtin("start-here")
            .unwrap()
            .experiment()
            .unwrap(),
    );
    let mut h = common::gui::opened(dir.path(), &results);
    for (tab, offered) in [
        (Tab::Speedup, true),
        (Tab::Efficiency, true),
        (Tab::WallTime, true),
        (Tab::Table, false),
        (Tab::Fits, false),
        (Tab::Timeline, false),
    ] {
        h.state_mut().set_tab(tab);
        h.run();
        assert_eq!(h.query_by_label("show fits").is_some(), offered, "{tab:?}");
    }
}
