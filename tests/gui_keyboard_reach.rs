#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench by keyboard, for a screen reader and in a light room: Tab brings each stop
//! into view, the export dialog keeps focus and says what it did, the theme is a Tab stop
//! that switches light and dark (and is kept), and the "(?)" help marks and the chart show
//! and say what they are when focused.

mod common;

use std::path::Path;

use common::gui::{
    MemStorage, app, persistent_app, screen, step_until, two_cell_results, zoomed_harness,
};
use corelab::gui::WorkbenchApp;
use corelab::gui::theme_choice::THEME_BUTTON_NAME;
use corelab::preset::Experiment;
use eframe::egui::accesskit::Live;
use eframe::egui::{self, Key, Modifiers, Role};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// The focused widget's name and rectangle, if any has focus.
fn focused(h: &Harness<'_, WorkbenchApp>) -> Option<(String, egui::Rect)> {
    h.query_by(|n| n.is_focused())
        .map(|n| (n.accesskit_node().label().unwrap_or_default(), n.rect()))
}

fn tab(h: &mut Harness<'_, WorkbenchApp>) {
    h.key_press(Key::Tab);
    h.run_steps(3);
}

/// At 1.5× on 1280 × 800 (a projector), the side panel's presets, task fields and worker
/// counts lie below its fold: Tab onto each scrolls it into view (it moved focus out of
/// sight, and Enter loaded a preset the user never saw).
#[test]
fn every_tab_stop_of_a_zoomed_window_is_scrolled_into_view() {
    let dir = tempfile::tempdir().unwrap();
    let (pixels, zoom) = ((1280.0, 800.0), 1.5);
    let mut h = zoomed_harness(app(dir.path()), pixels, zoom);
    h.run();
    let window = screen(pixels, zoom);
    // Below the fold at the start: the test is about something.
    let workers = h.get_by_label("Worker counts").rect();
    assert!(!window.contains_rect(workers), "{workers:?}");
    let mut seen = Vec::new();
    for _ in 0..90 {
        tab(&mut h);
        let Some((name, rect)) = focused(&h) else {
            continue;
        };
        assert!(
            window.contains_rect(rect),
            "Tab stop {} ({name:?}) at {rect:?} is out of the window {window:?}",
            seen.len()
        );
        seen.push(name);
    }
    for name in ["Worker counts", "Name"] {
        assert!(
            seen.iter().any(|s| s == name),
            "{name} was never reached: {seen:?}"
        );
    }
}

/// Opens `results` from a file in `dir` (at 1400 × 900).
fn opened(dir: &Path) -> Harness<'static, WorkbenchApp> {
    let mut h = common::gui::opened(
        dir,
        &two_cell_results(Experiment {
            name: "Kept focus".into(),
            ..Experiment::default()
        }),
    );
    h.run();
    h
}

/// Tab cycles through the dialog's controls only (it went on to the main window's, hidden
/// under it); Enter in "Save to" exports and puts focus on the button, which keeps it; the
/// outcome is a live region a screen reader says.
#[test]
fn the_export_dialog_keeps_focus_exports_on_enter_and_says_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path());
    h.key_press_modifiers(Modifiers::COMMAND, Key::E);
    h.run();
    assert!(h.state_mut().export_dialog_mut().is_open());
    assert_eq!(focused(&h).unwrap().0, "Speedup");
    let mut seen = Vec::new();
    for _ in 0..80 {
        tab(&mut h);
        seen.push(focused(&h).map(|f| f.0).unwrap_or_default());
    }
    for main_window in [
        "Run",
        "Export dialog…",
        "Keyboard shortcuts",
        THEME_BUTTON_NAME,
    ] {
        assert!(
            !seen.iter().any(|s| s == main_window),
            "Tab left the dialog for {main_window}: {seen:?}"
        );
    }
    for in_dialog in ["Save to", "Export", "Close", "Title"] {
        assert!(seen.iter().any(|s| s == in_dialog), "{in_dialog}: {seen:?}");
    }
    let cycle = seen.iter().position(|s| s == "Speedup").unwrap();
    assert!(cycle < 60, "back to the first control after {cycle} stops");

    // Enter in "Save to": the files are written, focus is on the button (now Replace).
    let base = dir.path().join("by-enter");
    h.state_mut().export_dialog_mut().path = base.display().to_string();
    h.get_by_label("Save to").focus();
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert!(base.with_extension("png").is_file() && base.with_extension("svg").is_file());
    assert_eq!(
        focused(&h).unwrap().0,
        "Replace",
        "focus on the export button"
    );
    let written = h.get_by_label_contains("Written: ");
    assert_eq!(written.accesskit_node().live(), Live::Polite);
    // Pressing it again (Space): it writes over them, focus stays on it.
    h.key_press(Key::Space);
    h.run();
    assert_eq!(focused(&h).unwrap().0, "Replace", "focus kept after export");

    // A failure is said at once.
    h.state_mut().export_dialog_mut().path =
        dir.path().join("no-such-folder/x").display().to_string();
    h.run();
    h.get_by_label("Export").focus();
    h.run();
    h.key_press(Key::Enter);
    h.run();
    let failed = h.get_by_label_contains("Not exported: ");
    assert_eq!(failed.accesskit_node().live(), Live::Assertive);
    assert_eq!(focused(&h).unwrap().0, "Export");
}

/// A workbench that restores and saves its state, as the real window does.
/// On X11 the system says no theme and egui fell back to dark, with no way out: the top bar's
/// theme button, by keyboard, picks light, then dark, then the system's; the choice is kept.
#[test]
fn the_theme_button_switches_light_and_dark_by_keyboard_and_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = common::gui::harness(persistent_app(dir.path(), None));
    h.run();
    let theme = |h: &Harness<'_, WorkbenchApp>| h.get_by_label(THEME_BUTTON_NAME).value();
    assert_eq!(theme(&h).as_deref(), Some("System"));
    h.get_by_label(THEME_BUTTON_NAME).focus();
    h.run();
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().theme(), egui::ThemePreference::Light);
    assert_eq!(h.ctx.theme(), egui::Theme::Light);
    assert_eq!(theme(&h).as_deref(), Some("Light"));
    assert!(
        h.get_by_label(THEME_BUTTON_NAME).is_focused(),
        "focus stays on it"
    );

    let mut storage = MemStorage::default();
    eframe::App::save(h.state_mut(), &mut storage);
    let mut again = common::gui::harness(persistent_app(dir.path(), Some(&storage)));
    again.run();
    assert_eq!(again.state().theme(), egui::ThemePreference::Light);
    assert_eq!(
        again.ctx.theme(),
        egui::Theme::Light,
        "kept between sessions"
    );

    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.ctx.theme(), egui::Theme::Dark);
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(h.state().theme(), egui::ThemePreference::System);
}

/// The chart is a Tab stop with a ring; "(?) how to read" is one too, named, its caption
/// shown on focus and given to a screen reader.
#[test]
fn the_chart_and_its_how_to_read_mark_are_named_focusable_stops() {
    let dir = tempfile::tempdir().unwrap();
    // Zoomed in on a projector's 1280 × 800: the caption folds into "(?) how to read".
    let path = dir.path().join("results.json");
    two_cell_results(Experiment::default()).save(&path).unwrap();
    let mut h = zoomed_harness(app(dir.path()), (1280.0, 800.0), 2.0);
    h.step();
    common::gui::wait_for_python_probe(&mut h);
    common::gui::open_results(&mut h, &path);
    h.run();
    let how = h.get_by_label(corelab::gui::charts::HOW_TO_READ);
    assert_eq!(how.accesskit_node().role(), Role::Button);
    let caption = how
        .accesskit_node()
        .description()
        .unwrap_or_default()
        .to_string();
    assert!(caption.len() > 40, "the caption: {caption:?}");
    how.focus();
    h.run();
    assert!(
        h.get_by_label(corelab::gui::charts::HOW_TO_READ)
            .is_focused()
    );
    // Its help shows without a pointer over it.
    let first_words: String = caption
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        h.query_by_label_contains(&first_words).is_some(),
        "the caption shows on focus: {first_words:?}"
    );
    // The plot: a stop, reached by Tab from the boxes around it, with a focus ring drawn.
    let chart = h.get_by(|n| {
        n.role() == Role::Image && n.label().is_some_and(|l| l.starts_with("Speedup chart"))
    });
    chart.focus();
    h.run();
    assert!(
        h.get_by(|n| n.role() == Role::Image
            && n.label().is_some_and(|l| l.starts_with("Speedup chart")))
            .is_focused()
    );
}

/// The "(?)" beside the progress bar is a named stop whose help a screen reader gets.
#[test]
fn the_progress_help_mark_is_named_and_described() {
    let dir = tempfile::tempdir().unwrap();
    let gate = common::gui::Gate::default();
    let mut h = common::gui::held_sweep(dir.path(), &gate);
    h.get_by_label("Run").click();
    h.run_steps(2);
    common::gui::until_round_one(&mut h);
    let mark = h.get_by_label(corelab::gui::run_control::DRAWING_COSTS_NAME);
    assert_eq!(mark.accesskit_node().role(), Role::Button);
    assert_eq!(
        mark.accesskit_node().description(),
        Some(corelab::gui::run_control::DRAWING_COSTS.to_string())
    );
    mark.focus();
    h.run_steps(2);
    assert!(
        h.get_by_label(corelab::gui::run_control::DRAWING_COSTS_NAME)
            .is_focused()
    );
    h.key_press(Key::Escape);
    h.run_steps(2);
    gate.open();
    step_until(&mut h, "the sweep to stop", |a| !a.is_running());
}
