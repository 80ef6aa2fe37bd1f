#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The workbench in a tight window, 800 × 600 at 2× (400 × 300 points), against 1024 × 768
//! at 1.5× and 1280 × 800 at 1× (egui_kittest, no display): there the run controls, the tab
//! menu, the verdict and the whole plot are in view at once, the legend above the plot (never
//! over the data), the configuration panel collapsed behind its toggle; opened, it takes the
//! charts' place, a preset is picked there, and Run gives the charts back. In every small
//! window (480 × 320 to 1280 × 800 at 2×, beside the panel from 480 points wide) the plot is
//! on the screen with a usable size.

mod common;

use std::path::{Path, PathBuf};

use common::gui::{
    open_results, screen, speedup_chart, step_until, wait_for_python_probe, zoomed_harness,
};
use corelab::engine::mock::MockExecutors;
use corelab::gui::app::{CHARTS_BACK, CONFIG_PANEL_NAME, TAB_MENU_NAME, Tab};
use corelab::gui::theme_choice::THEME_BUTTON_NAME;
use corelab::gui::{AppSettings, WorkbenchApp};
use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// 800 × 600 at 2×.
const TIGHT: ((f32, f32), f32) = ((800.0, 600.0), 2.0);
/// Small screens that are not tight, and the default window.
const ROOMY: [((f32, f32), f32); 2] = [((1024.0, 768.0), 1.5), ((1280.0, 800.0), 1.0)];

/// Results files of the docs: a 2-core sweep with six legend entries, and a 16-core one with
/// seven models and a warning ("a few runs busy") on the verdict's row.
fn results_files() -> [PathBuf; 2] {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    [
        docs.join("cpu-results.json"),
        docs.join("perf/xeon-16/python-gil-vs-processes.json"),
    ]
}

/// A workbench whose sweeps run scripted executors (threads scale, the rest do not), in a
/// window of `pixels` at `zoom`.
fn window(dir: &Path, pixels: (f32, f32), zoom: f32) -> Harness<'static, WorkbenchApp> {
    let mock = MockExecutors::new(|model, workers, _run| Ok(common::threads_scale(model, workers)));
    let app = WorkbenchApp::new(
        common::mock_config(&mock, 1),
        AppSettings::headless(dir),
        None,
    );
    let mut h = zoomed_harness(app, pixels, zoom);
    h.step();
    wait_for_python_probe(&mut h);
    h.run();
    h
}

/// [`open_results`], once the frames after it have settled.
fn opened(h: &mut Harness<'_, WorkbenchApp>, results: &Path) {
    open_results(h, results);
    h.run();
}

/// In 400 × 300 points the rows above the plot took the whole area, the area scrolled the tabs
/// and the verdict away to show the plot, and the x axis fell under the status bar. Now, with
/// either results file: Run and the panel's toggle, the tab menu, the verdict and the plot are
/// all on the screen at once, in that order, nothing scrolled; below the plot its worker axis
/// (ticks and title) keeps its room above the status bar; the legend is above the plot, not
/// in it; and the plot is a fifth of the window at least.
#[test]
fn in_a_tight_window_run_the_verdict_and_the_whole_plot_are_in_view_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (pixels, zoom) = TIGHT;
    let screen = screen(pixels, zoom);
    for results in results_files() {
        let mut h = window(dir.path(), pixels, zoom);
        opened(&mut h, &results);
        let case = results.file_name().unwrap().to_string_lossy().into_owned();
        assert!(!h.state().config_panel_shown(), "{case}: collapsed");
        let on_screen = |label: &str| {
            let r = h.get_by_label(label).rect();
            assert!(screen.contains_rect(r), "{case}: {label} at {r:?}");
            r
        };
        let run = on_screen("Run");
        on_screen("Cancel");
        on_screen(CONFIG_PANEL_NAME);
        let tabs = on_screen(TAB_MENU_NAME);
        let verdict = on_screen("Verdict:");
        let view = on_screen("View");
        let plot = speedup_chart(&h).unwrap();
        assert!(screen.contains_rect(plot), "{case}: plot {plot:?}");
        // Top to bottom, nothing scrolled under the top bar.
        assert!(run.bottom() <= tabs.top(), "{case}: {run:?} {tabs:?}");
        assert!(
            tabs.bottom() <= verdict.top(),
            "{case}: {tabs:?} {verdict:?}"
        );
        assert!(
            verdict.bottom() <= view.top(),
            "{case}: {verdict:?} {view:?}"
        );
        assert!(view.bottom() <= plot.top(), "{case}: {view:?} {plot:?}");
        // The worker axis's ticks and title (two rows of text) and the status bar's row fit
        // below the plot's frame.
        let row = h.ctx.global_style().spacing.interact_size.y;
        assert!(
            plot.bottom() + 3.0 * row <= screen.bottom(),
            "{case}: {plot:?}"
        );
        assert!(plot.height() >= 0.2 * screen.height(), "{case}: {plot:?}");
        assert!(plot.width() >= 0.8 * screen.width(), "{case}: {plot:?}");
        // The legend is outside the plot, above it.
        let legend = h.get_by_label("ideal (speedup = N)").rect();
        assert!(legend.bottom() <= plot.top(), "{case}: {legend:?} {plot:?}");
        // The row of tabs is folded into the menu.
        assert!(h.query_by_label("Speedup vs workers").is_none(), "{case}");
    }
}

/// The folded controls still do what the row of tabs and boxes did: the tab menu picks a
/// tab, the View menu holds the axis boxes and **show fits**, and the Export menu the export
/// buttons.
#[test]
fn in_a_tight_window_the_menus_hold_the_tabs_and_the_view_boxes() {
    let dir = tempfile::tempdir().unwrap();
    let (pixels, zoom) = TIGHT;
    let mut h = window(dir.path(), pixels, zoom);
    opened(&mut h, &results_files()[0]);
    assert!(h.query_by_label("log₂ workers").is_none(), "in the menu");
    assert!(h.query_by_label("show fits").is_none(), "in the menu");
    h.get_by_label("View").click();
    h.run();
    assert!(h.query_by_label("log₂ workers").is_some());
    assert!(h.query_by_label("legend").is_some());
    // The fits' box is there too (off the tab menu's row), and does what it did.
    let fits = h.state().show_fits();
    h.get_by_label("show fits").click();
    h.run();
    assert_eq!(h.state().show_fits(), !fits, "ticked in the View menu");
    h.key_press(egui::Key::Escape);
    h.run();
    h.get_by_label(TAB_MENU_NAME).click();
    h.run();
    h.get_by_label("Wall time vs workers").click();
    h.run();
    assert_eq!(h.state().tab(), Tab::WallTime);
    h.get_by_label("Export").click();
    h.run();
    assert!(h.query_by_label("Export dialog…").is_some());
}

/// The lost-updates chart fits nothing: its View menu holds the axis and legend boxes, not
/// **show fits**, as the row of boxes in a larger window leaves it out there too.
#[test]
fn in_a_tight_window_a_chart_without_fits_offers_no_show_fits() {
    let dir = tempfile::tempdir().unwrap();
    let (pixels, zoom) = TIGHT;
    let mut h = window(dir.path(), pixels, zoom);
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    opened(&mut h, &docs.join("lost-updates.json"));
    h.state_mut().set_tab(Tab::LostUpdates);
    h.run();
    assert_eq!(h.state().tab(), Tab::LostUpdates);
    h.get_by_label("View").click();
    h.run();
    assert!(h.query_by_label("legend").is_some(), "the menu is open");
    assert!(h.query_by_label("show fits").is_none());
    h.key_press(egui::Key::Escape);
    h.run();
    // The speedup chart of the same file still offers it.
    h.state_mut().set_tab(Tab::Speedup);
    h.run();
    h.get_by_label("View").click();
    h.run();
    assert!(h.query_by_label("show fits").is_some());
}

/// 1024 × 768 at 1.5× and 1280 × 800 are not tight: the tabs stay a row beside the
/// configuration panel, shown, with no tab menu.
#[test]
fn larger_windows_keep_the_row_of_tabs_and_the_panel() {
    let dir = tempfile::tempdir().unwrap();
    for (pixels, zoom) in ROOMY {
        let mut h = window(dir.path(), pixels, zoom);
        opened(&mut h, &results_files()[0]);
        let case = format!("{pixels:?} at {zoom}×");
        assert!(h.state().config_panel_shown(), "{case}");
        assert!(h.query_by_label("Built-in presets").is_some(), "{case}");
        assert!(h.query_by_label(TAB_MENU_NAME).is_none(), "{case}");
        assert!(h.query_by_label("Speedup vs workers").is_some(), "{case}");
        assert!(h.query_by_label(CHARTS_BACK).is_none(), "{case}");
        let plot = speedup_chart(&h).unwrap();
        assert!(screen(pixels, zoom).contains_rect(plot), "{case}: {plot:?}");
    }
}

/// In a tight window the panel, opened with its toggle, takes the charts' place (beside them
/// it left each a sliver): a preset is picked there, and Run gives the charts back, where
/// the sweep's curves and then its verdict appear, on the screen beside the warnings the
/// scripted runs bring (their long words pushed it off the right edge); "Back to the charts"
/// gives them back too.
#[test]
fn in_a_tight_window_the_panel_takes_the_charts_place_and_run_gives_them_back() {
    let dir = tempfile::tempdir().unwrap();
    let (pixels, zoom) = TIGHT;
    let mut h = window(dir.path(), pixels, zoom);
    assert!(speedup_chart(&h).is_some());
    h.get_by_label(CONFIG_PANEL_NAME).click();
    h.run();
    assert!(h.state().config_panel_shown());
    assert!(speedup_chart(&h).is_none(), "in the charts' place");
    let back = h.get_by_label(CHARTS_BACK).rect();
    assert!(screen(pixels, zoom).contains_rect(back), "{back:?}");
    h.get_by_label(CHARTS_BACK).click();
    h.run();
    assert!(!h.state().config_panel_shown());
    assert!(speedup_chart(&h).is_some());

    h.get_by_label(CONFIG_PANEL_NAME).click();
    h.run();
    let preset = "CPU-bound: threads vs processes";
    h.get_by_label(preset).click();
    h.run();
    assert_eq!(h.state().experiment().name, preset);
    assert!(h.state().config_panel_shown(), "kept open to edit");
    h.get_by_label("Run").click();
    h.run_steps(2);
    assert!(!h.state().config_panel_shown(), "Run gave the charts back");
    assert!(speedup_chart(&h).is_some());
    step_until(&mut h, "the sweep to end", |a| {
        !a.is_running() && a.results().is_some()
    });
    h.run();
    let verdict = h.get_by_label("Verdict:").rect();
    assert!(screen(pixels, zoom).contains_rect(verdict), "{verdict:?}");
}

/// In a tight window the header hides "Use this configuration"; the panel said why and showed
/// it only for results of another name, so results of the same experiment with other worker
/// counts had no way to load their settings. Now the panel shows the note and the button
/// whenever the button is offered, and the button loads the results' settings.
#[test]
fn in_a_tight_window_results_of_the_same_name_with_other_workers_offer_their_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let (pixels, zoom) = TIGHT;
    let mut h = window(dir.path(), pixels, zoom);
    let [results, _] = results_files();
    opened(&mut h, &results);
    let shown = h.state().results().unwrap().experiment.clone();
    let mut edited = shown.clone();
    edited.workers = vec![1, 2];
    assert_ne!(edited.workers, shown.workers);
    h.state_mut().set_experiment(edited);
    h.run();
    assert_eq!(h.state().experiment().name, shown.name, "same name");
    h.get_by_label(CONFIG_PANEL_NAME).click();
    h.run();
    assert!(h.state().config_panel_shown());
    // In the panel (which scrolls), not above the chart.
    h.get_by_label("Use this configuration").scroll_to_me();
    h.run();
    let button = h.get_by_label("Use this configuration").rect();
    assert!(screen(pixels, zoom).contains_rect(button), "{button:?}");
    h.get_by_label("Use this configuration").click();
    h.run();
    assert_eq!(h.state().experiment().workers, shown.workers);
}

/// The header's state words (and the tab menu's hover, built only while hovered) were worked
/// out every frame, each time statting the file and counting its cells; now once when the
/// results are shown, in every window size.
#[test]
fn the_state_words_are_not_worked_out_every_frame() {
    let [results, _] = results_files();
    for (pixels, zoom) in std::iter::once(TIGHT).chain(ROOMY) {
        let dir = tempfile::tempdir().unwrap();
        let mut h = window(dir.path(), pixels, zoom);
        opened(&mut h, &results);
        let after_open = h.state().state_words_computed();
        assert!(after_open <= 1, "{after_open} at {pixels:?}");
        for _ in 0..5 {
            h.step();
        }
        assert_eq!(
            h.state().state_words_computed(),
            after_open,
            "at {pixels:?}"
        );
    }
}

/// Short and small windows, in pixels at a zoom: those 480 to 600 points wide lost the plot
/// below the rows above it (480 × 320 showed only the legend), 520 × 600 beside the panel
/// and 800 × 600 had its axis below the fold, and the rest are the sizes the reviews drove.
const SMALL_WINDOWS: [((f32, f32), f32); 12] = [
    ((480.0, 320.0), 1.0),
    ((512.0, 320.0), 1.0),
    ((480.0, 360.0), 1.0),
    ((600.0, 380.0), 1.0),
    ((560.0, 420.0), 1.0),
    ((600.0, 480.0), 1.0),
    ((520.0, 600.0), 1.0),
    ((800.0, 600.0), 1.0),
    ((800.0, 600.0), 2.0),
    ((1024.0, 640.0), 2.0),
    ((1024.0, 640.0), 1.5),
    ((1280.0, 800.0), 2.0),
];

/// In every small window, with either results file, nothing scrolled: the plot is wholly on
/// the screen with its worker axis (ticks and title) and the status bar below it, and has a
/// usable size (a fifth of the window's height and 60 points at least, and 40% of its width
/// and 180 points at least, beside the configuration panel too); Run, the tabs (a row or a
/// menu) and the verdict are on the screen above it; and the panel is beside the charts in
/// every window 480 points wide or more (512 × 320 included), hidden behind its toggle only
/// in narrower ones.
#[test]
fn in_every_small_window_the_plot_is_on_the_screen_with_a_usable_size() {
    let dir = tempfile::tempdir().unwrap();
    for (pixels, zoom) in SMALL_WINDOWS {
        let screen = screen(pixels, zoom);
        for results in results_files() {
            let mut h = window(dir.path(), pixels, zoom);
            opened(&mut h, &results);
            let case = format!(
                "{pixels:?} at {zoom}× ({} × {} points), {}",
                screen.width(),
                screen.height(),
                results.file_name().unwrap().to_string_lossy()
            );
            assert_eq!(
                h.state().config_panel_shown(),
                screen.width() >= 480.0,
                "{case}: the panel beside the charts"
            );
            let plot = speedup_chart(&h).unwrap_or_else(|| panic!("{case}: no plot"));
            assert!(screen.contains_rect(plot), "{case}: plot {plot:?}");
            let row = h.ctx.global_style().spacing.interact_size.y;
            assert!(
                plot.bottom() + 3.0 * row <= screen.bottom(),
                "{case}: the axis and the status bar below {plot:?}"
            );
            assert!(
                plot.height() >= (0.2 * screen.height()).max(60.0),
                "{case}: plot {plot:?}"
            );
            assert!(
                plot.width() >= (0.4 * screen.width()).max(180.0),
                "{case}: plot {plot:?}"
            );
            let tabs = h
                .query_by_label(TAB_MENU_NAME)
                .or_else(|| h.query_by_label("Speedup vs workers"))
                .unwrap_or_else(|| panic!("{case}: no tabs"))
                .rect();
            // What Run's row says (the estimate, cut short) ends before the theme and help
            // buttons on the right of that row.
            let run = h.get_by_label("Run").rect();
            let theme = h.get_by_label(THEME_BUTTON_NAME).rect();
            if theme.center().y > run.top() && theme.center().y < run.bottom() {
                for said in h.query_all_by_label_contains(" cells") {
                    let r = said.rect();
                    if r.center().y > run.top() && r.center().y < run.bottom() {
                        assert!(
                            r.right() <= theme.left() + 0.5,
                            "{case}: {:?} at {r:?} runs under the theme button at {theme:?}",
                            said.accesskit_node().label()
                        );
                    }
                }
            }
            for (what, r) in [
                ("Run", run),
                ("the tabs", tabs),
                ("the verdict", h.get_by_label("Verdict:").rect()),
            ] {
                assert!(
                    screen.contains_rect(r) && r.bottom() <= plot.top(),
                    "{case}: {what} at {r:?}, plot {plot:?}"
                );
            }
        }
    }
}
