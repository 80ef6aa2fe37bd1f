#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench on small screens (egui_kittest, no display): at 2× on 1024 × 640 (a
//! projector) and at 1× on 800 × 600 every top-bar control is on the screen or in its
//! File menu; the configuration panel can be hidden (its toggle, Ctrl+B) and stays so
//! across restarts; the Table tab's verdict is not cut; and "What this experiment shows"
//! is open for a preset file as for a built-in one, collapsed only by the user (remembered).

mod common;

use std::path::Path;

use common::gui::{MemStorage, PATH_FIELD, persistent_app, screen, step_until, zoomed_harness};
use corelab::gui::WorkbenchApp;
use corelab::gui::app::{CONFIG_PANEL_NAME, Tab};
use corelab::gui::config_panel::DESCRIPTION_HEADER;
use corelab::preset::{Experiment, ModelKind};
use eframe::App as _;
use eframe::egui::{Key, Modifiers, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The small screens the reviews drove the window at: (pixels, zoom).
const SMALL: [((f32, f32), f32); 2] = [((1024.0, 640.0), 2.0), ((800.0, 600.0), 1.0)];

/// The top bar's file actions, in its row or in its File menu.
const FILE_ACTIONS: [&str; 5] = [
    "Open preset…",
    "Save preset…",
    "Open results…",
    "Recent results",
    "Type a path",
];

/// A workbench that restores and saves its state (as the real window does).
/// `app` in a window of `pixels` at `zoom` (its size in points is the pixels over the zoom).
fn window(app: WorkbenchApp, pixels: (f32, f32), zoom: f32) -> Harness<'static, WorkbenchApp> {
    let mut h = zoomed_harness(app, pixels, zoom);
    h.run();
    h
}

fn on_screen(h: &Harness<'_, WorkbenchApp>, label: &str, screen: Rect, case: &str) {
    let r = h.get_by_label(label).rect();
    assert!(screen.contains_rect(r), "{case}: {label} at {r:?}");
}

/// At 2× on 1024 × 640 the top bar's row ran off the right edge ("Type a path" and the help
/// button could not be reached): there, and at 1× on 800 × 600, every control is on the
/// screen, the file actions in the row or in one File menu.
#[test]
fn every_top_bar_control_is_reachable_on_a_small_screen() {
    let dir = tempfile::tempdir().unwrap();
    for (pixels, zoom) in SMALL {
        let mut h = window(persistent_app(dir.path(), None), pixels, zoom);
        let screen = screen(pixels, zoom);
        let case = format!("{pixels:?} at {zoom}×");
        for label in ["Run", "Cancel", "Keyboard shortcuts", CONFIG_PANEL_NAME] {
            on_screen(&h, label, screen, &case);
        }
        let folded = h.query_by_label("File").is_some();
        assert_eq!(
            folded,
            zoom > 1.5,
            "{case}: the File menu only where needed"
        );
        if folded {
            assert!(h.query_by_label("Open preset…").is_none());
            h.get_by_label("File").click();
            h.run();
        }
        for label in FILE_ACTIONS {
            on_screen(&h, label, screen, &case);
        }
    }
    // The default window keeps its row of buttons.
    let h = window(persistent_app(dir.path(), None), (1280.0, 800.0), 1.0);
    assert!(h.query_by_label("File").is_none());
    for label in FILE_ACTIONS {
        on_screen(&h, label, screen((1280.0, 800.0), 1.0), "1280 × 800");
    }
}

/// The File menu's entries act as the row's buttons did: "Type a path" opens the typed-path
/// prompt, and when the prompt closes, focus is back on the File menu's button (the entry
/// that opened it went with the menu).
#[test]
fn the_file_menu_opens_what_the_buttons_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(persistent_app(dir.path(), None), (1024.0, 640.0), 2.0);
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Type a path").click();
    h.run();
    h.get_by_label("Open results by path…").click();
    h.run();
    assert!(
        h.query_by_label("Open results by path…").is_none(),
        "the menu closed on the choice"
    );
    assert!(
        h.get_by_label(PATH_FIELD).is_focused(),
        "the prompt is open"
    );
    h.key_press(Key::Escape);
    h.run();
    assert!(h.query_by_label(PATH_FIELD).is_none());
    assert!(h.get_by_label("File").is_focused());
}

/// The panel's toggle hides the configuration (the charts take the width) and shows it again,
/// Ctrl+B too; the choice is kept for the next start.
#[test]
fn the_configuration_panel_hides_and_the_choice_is_remembered() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(persistent_app(dir.path(), None), (1024.0, 640.0), 2.0);
    assert!(h.state().config_panel_shown());
    assert!(h.query_by_label("Built-in presets").is_some());
    // The charts' width, read from the plot: this window (512 × 320 points) is tight, so the
    // tabs are one menu, and a row of tabs that wraps no longer tells the width (it did
    // before the tight layout applied beside the panel).
    let screen = screen((1024.0, 640.0), 2.0);
    let plot_width = |h: &Harness<'_, WorkbenchApp>| {
        let plot = common::gui::speedup_chart(h).expect("the chart is drawn");
        assert!(screen.contains_rect(plot), "on the screen: {plot:?}");
        plot.width()
    };
    let beside = plot_width(&h);
    assert!(
        beside < 0.7 * screen.width(),
        "at 2×, beside the panel, the charts have what it leaves: {beside}"
    );

    h.get_by_label(CONFIG_PANEL_NAME).click();
    h.run();
    assert!(!h.state().config_panel_shown());
    assert!(h.query_by_label("Built-in presets").is_none(), "hidden");
    let alone = plot_width(&h);
    assert!(
        alone > 0.8 * screen.width() && alone > beside + 100.0,
        "the charts' area took the width: {alone} (beside the panel {beside})"
    );

    h.key_press_modifiers(Modifiers::COMMAND, Key::B);
    h.run();
    assert!(h.state().config_panel_shown(), "Ctrl+B shows it again");
    assert!(h.query_by_label("Built-in presets").is_some());
    h.key_press_modifiers(Modifiers::COMMAND, Key::B);
    h.run();
    assert!(!h.state().config_panel_shown(), "and hides it");

    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);
    let again = window(
        persistent_app(dir.path(), Some(&storage)),
        (1024.0, 640.0),
        2.0,
    );
    assert!(!again.state().config_panel_shown(), "remembered");
    assert!(again.query_by_label("Built-in presets").is_none());
}

/// The toggle's hover says what it does and its shortcut.
#[test]
fn the_panel_toggle_says_what_it_does_and_its_shortcut() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = window(persistent_app(dir.path(), None), (1280.0, 800.0), 1.0);
    h.get_by_label(CONFIG_PANEL_NAME).hover();
    h.run();
    let tip = h.get_by_label_contains("Hide the configuration panel");
    let node = tip.accesskit_node();
    let text = node.label().or_else(|| node.value()).unwrap_or_default();
    assert!(text.contains("Ctrl+B"), "{text}");
}

/// A short results file whose verdict runs to several lines.
fn results_with_a_verdict(dir: &Path) -> std::path::PathBuf {
    use common::synthetic::{SEQUENTIAL_THREADS_PROCESSES, experiment};
    let experiment = experiment("verdict at zoom", &[1, 2, 4], &SEQUENTIAL_THREADS_PROCESSES);
    let r = common::synthetic::synthetic_results(
        experiment,
        corelab::results::MachineInfo::default(),
        [0.99, 1.0, 1.01],
        |m, n| if m == ModelKind::Threads { 1.0 } else { n },
    );
    let path = dir.join("verdict.json");
    r.save(&path).unwrap();
    path
}

/// At 2× on 1024 × 640 the verdict was held to a sliver of the Table tab that cut its lines
/// and left the table no room: short of room, the tab scrolls as one page, every verdict line
/// whole and as wide as the tab at most, the table below it.
#[test]
fn the_verdict_is_not_cut_at_2x() {
    let dir = tempfile::tempdir().unwrap();
    let results = results_with_a_verdict(dir.path());
    let (pixels, zoom) = ((1024.0, 640.0), 2.0);
    let mut h = window(persistent_app(dir.path(), None), pixels, zoom);
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, results);
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    h.state_mut().set_tab(Tab::Table);
    h.run();
    let screen = screen(pixels, zoom);
    let fastest = h.get_by_label_contains("Fastest:").rect();
    assert!(
        fastest.right() <= screen.right(),
        "wrapped to the tab: {fastest:?}"
    );
    let verdict_bottom = h
        .query_all_by_label_contains("Fastest:")
        .chain(h.query_all_by_label_contains("Runner-up"))
        .map(|n| n.rect().bottom())
        .fold(0.0_f32, f32::max);
    // The table's first column header comes after the verdict, not over or inside it.
    let header = h.get_by_label("cell").rect();
    assert!(
        header.top() >= verdict_bottom,
        "table {header:?} below the verdict (to {verdict_bottom})"
    );
}

/// "What this experiment shows" is open for a preset opened from a file, as for a built-in
/// one (a teacher's preset file explains itself there); collapsed by the user, it stays so,
/// across presets and restarts.
#[test]
fn the_description_is_open_for_a_preset_file_unless_the_user_collapsed_it() {
    let dir = tempfile::tempdir().unwrap();
    let preset = Experiment {
        name: "From the teacher".into(),
        description: "Watch the threads curve stay flat: that is the GIL.".into(),
        ..Experiment::default()
    };
    let path = dir.path().join("lesson.json");
    std::fs::write(&path, serde_json::to_string_pretty(&preset).unwrap()).unwrap();

    let mut h = window(persistent_app(dir.path(), None), (1280.0, 800.0), 1.0);
    assert!(h.state().description_open(), "open for the built-in start");
    assert!(
        h.query_by_label_contains("Press Run, then try the other presets")
            .is_some(),
        "the whole description, not only the gallery's first sentence"
    );
    let ctx = h.ctx.clone();
    h.state_mut().open_preset_path(&ctx, path.clone());
    step_until(&mut h, "the preset to load", |a| {
        a.experiment().name == "From the teacher" && !a.files_busy()
    });
    h.run();
    assert!(h.state().description_open(), "open for a file too");
    assert!(
        h.query_by_label("Watch the threads curve stay flat: that is the GIL.")
            .is_some(),
        "its description is shown without a click"
    );

    h.get_by_label(DESCRIPTION_HEADER).click();
    h.run();
    assert!(!h.state().description_open());
    assert!(
        h.query_by_label("Watch the threads curve stay flat: that is the GIL.")
            .is_none()
    );
    let mut storage = MemStorage::default();
    h.state_mut().save(&mut storage);
    let again = window(
        persistent_app(dir.path(), Some(&storage)),
        (1280.0, 800.0),
        1.0,
    );
    assert!(!again.state().description_open(), "collapsed: remembered");
    assert!(again.query_by_label(DESCRIPTION_HEADER).is_some());
}

/// The keyboard shortcuts help (F1) at 2× on 1024 × 640 ran off every edge of the window, its
/// title bar and close button with it. There, and at 1× on 800 × 600, it fits the screen:
/// its close button and the line saying Esc closes it are in view, its rows scroll (the last
/// one is reached), and both the close button and Esc close it.
#[test]
fn the_shortcuts_help_fits_scrolls_and_closes_on_a_small_screen() {
    const FOOTER: &str = "Esc closes this help. The text size is kept between sessions.";
    let dir = tempfile::tempdir().unwrap();
    for (pixels, zoom) in SMALL {
        let mut h = window(persistent_app(dir.path(), None), pixels, zoom);
        let screen = screen(pixels, zoom);
        let case = format!("{pixels:?} at {zoom}×");
        h.key_press(Key::F1);
        h.run();
        assert!(h.state().help_open(), "{case}: F1 opens the help");
        for label in ["Close window", FOOTER, "Open a preset"] {
            on_screen(&h, label, screen, &case);
        }
        // The last row, scrolled to where it is not in view at first.
        h.get_by_label("This help").scroll_to_me();
        h.run();
        for label in ["This help", "Close window", FOOTER] {
            on_screen(&h, label, screen, &case);
        }
        h.get_by_label("Close window").click();
        h.run();
        assert!(!h.state().help_open(), "{case}: its close button closes it");
        assert!(h.query_by_label(FOOTER).is_none());
        h.key_press(Key::F1);
        h.run();
        assert!(h.state().help_open());
        h.key_press(Key::Escape);
        h.run();
        assert!(!h.state().help_open(), "{case}: Esc closes it");
    }
}
