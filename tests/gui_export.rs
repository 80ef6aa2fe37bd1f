#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The export dialog (egui_kittest, no display): opening it from the workbench, changing the
//! chart kind, size, theme and scale, the live preview, and writing PNG and SVG files.

mod common;

use common::gui::opened;
use common::synthetic::usl_sweep;

use std::path::PathBuf;

use corelab::export::{ChartKind, Theme};
use corelab::preset::ModelKind;
use corelab::results::ResultsFile;
use egui_kittest::kittest::Queryable;

fn synthetic(name: &str) -> ResultsFile {
    usl_sweep(name, &[1, 2, 4, 8, 16], 0.05, 0.002)
}

/// Width and height from the IHDR chunk, after checking the PNG signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// Types `base` into the open export dialog's path and presses Export: the files it wrote.
fn export_through_the_button(
    h: &mut egui_kittest::Harness<'_, corelab::gui::WorkbenchApp>,
    base: &std::path::Path,
) -> Vec<PathBuf> {
    h.state_mut().export_dialog_mut().path = base.display().to_string();
    h.run();
    h.get_by_label("Export").click();
    h.run();
    h.state_mut()
        .export_dialog_mut()
        .last_result
        .clone()
        .unwrap()
        .unwrap()
}

#[test]
fn export_dialog_opens_changes_size_and_kind_and_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path(), &synthetic("Dialog sweep"));
    assert!(
        h.query_by_label("Export chart").is_none(),
        "closed at start"
    );

    h.get_by_label("Export dialog…").click();
    h.run();
    assert!(h.state_mut().export_dialog_mut().is_open());
    h.get_by_label("Export chart"); // the window's title
    // The live preview is drawn by the exporter at the chosen size.
    h.get_by_label("Preview (1100 × 700 px PNG)");
    assert!(h.state_mut().export_dialog_mut().preview_ok());

    // Kind and size, through the controls.
    h.get_by_label("Efficiency").click();
    h.run();
    h.get_by_label("size presets").click();
    h.run();
    h.get_by_label("paper column 500×320").click();
    h.run();
    h.get_by_label("Preview (500 × 320 px PNG)");
    let options = h.state_mut().export_dialog_mut().chart_options();
    assert_eq!(options.kind, ChartKind::Efficiency);
    assert_eq!((options.width, options.height), (500, 320));

    // Write both formats to a temporary path, through the Export button.
    let base = dir.path().join("out").join("efficiency-small");
    std::fs::create_dir(dir.path().join("out")).unwrap();
    let written = export_through_the_button(&mut h, &base);
    let png_path = PathBuf::from(format!("{}.png", base.display()));
    let svg_path = PathBuf::from(format!("{}.svg", base.display()));
    assert_eq!(written, vec![png_path.clone(), svg_path.clone()]);
    let png = std::fs::read(&png_path).unwrap();
    assert_eq!(png_size(&png), (500, 320));
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(svg.contains("efficiency (%)"), "the efficiency chart");
    assert!(svg.contains(r#"width="500""#), "SVG at the chosen size");
    h.get_by_label(&format!(
        "Written: {}, {}",
        png_path.display(),
        svg_path.display()
    ));
}

#[test]
fn dark_theme_scale_and_hidden_models_reach_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path(), &synthetic("Dark sweep"));
    h.state_mut().open_export_dialog();
    h.run();
    h.get_by_label("dark").click();
    h.run();
    h.get_by_label("2×").click();
    h.run();
    // Leave processes out (the workbench's model list has a "processes" checkbox too, so
    // this goes through the dialog's API rather than a label query).
    h.state_mut()
        .export_dialog_mut()
        .set_model_shown(ModelKind::Processes, false);
    h.run();
    let options = h.state_mut().export_dialog_mut().chart_options();
    assert_eq!(options.theme, Theme::Dark);
    assert_eq!(options.scale, 2.0);
    assert_eq!(
        options.models,
        Some(vec![ModelKind::Sequential, ModelKind::Threads])
    );
    h.get_by_label("Preview (2200 × 1400 px PNG)");

    let dialog = h.state_mut().export_dialog_mut();
    dialog.svg = false;
    let written = dialog.export_to(&dir.path().join("dark.png")).unwrap();
    assert_eq!(written, vec![dir.path().join("dark.png")]);
    let png = std::fs::read(&written[0]).unwrap();
    assert_eq!(png_size(&png), (2200, 1400), "scale 2 doubles the pixels");
    let img = image::load_from_memory(&png).unwrap().to_rgb8();
    // A dark background: the corner pixel is the theme's background.
    assert_eq!(img.get_pixel(2, 2).0, [30, 30, 34]);

    // Hidden processes are not in the SVG's legend either.
    dialog.svg = true;
    dialog.png = false;
    dialog.export_to(&dir.path().join("dark")).unwrap();
    let svg = std::fs::read_to_string(dir.path().join("dark.svg")).unwrap();
    assert!(svg.contains(">\nthreads\n<"), "threads stays");
    assert!(!svg.contains(">\nprocesses\n<"), "processes is hidden");
}

#[test]
fn export_errors_are_reported_not_panics() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path(), &synthetic("Error sweep"));
    h.state_mut().open_export_dialog();
    h.run();
    let dialog = h.state_mut().export_dialog_mut();
    dialog.set_run_included(0, false);
    let err = dialog.export_to(&dir.path().join("x")).unwrap_err();
    assert!(err.contains("no run is included"), "{err}");
    dialog.set_run_included(0, true);
    dialog.png = false;
    dialog.svg = false;
    let err = dialog.export_to(&dir.path().join("x")).unwrap_err();
    assert!(err.contains("PNG, SVG or both"), "{err}");
    dialog.png = true;
    dialog.options.font_size = 100.0;
    let err = dialog.export_to(&dir.path().join("x")).unwrap_err();
    assert!(err.contains("font size 100"), "{err}");
    dialog.options.font_size = 15.0;
    h.run();
}

#[test]
fn the_memory_chart_is_exported_from_the_dialog() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = synthetic("Memory sweep");
    for c in &mut r.cells {
        let n = c.workers as u64;
        let mib = match c.model {
            Some(ModelKind::Processes) => 10 + 12 * n,
            _ => 10,
        };
        c.peak_rss_bytes = Some(mib << 20);
    }
    let mut h = opened(dir.path(), &r);
    h.get_by_label("Export dialog…").click();
    h.run();
    h.get_by_label("Memory").click();
    h.run();
    assert_eq!(
        h.state_mut().export_dialog_mut().chart_options().kind,
        ChartKind::Memory
    );
    assert!(h.state_mut().export_dialog_mut().preview_ok());
    let base = dir.path().join("memory");
    let written = export_through_the_button(&mut h, &base);
    assert_eq!(written.len(), 2, "{written:?}");
    let svg = std::fs::read_to_string(format!("{}.svg", base.display())).unwrap();
    assert!(
        svg.contains("peak RSS of the whole processes (MiB)"),
        "the memory chart of cells that state only peak RSS"
    );
    // The legend names the models ("processes" also appears in the axis label).
    assert!(svg.contains("threads"), "threads in the legend");
    assert!(
        svg.matches("processes").count() >= 2,
        "processes in the legend"
    );
}

/// The dialog says which files exist before writing over them (its button then says
/// Replace), and never writes over the results file it shows.
#[test]
fn the_dialog_warns_of_existing_files_and_never_writes_over_the_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = opened(dir.path(), &synthetic("Overwrite sweep"));
    h.state_mut().open_export_dialog();
    h.run();
    let existing = dir.path().join("chart.png");
    std::fs::write(&existing, "PRECIOUS").unwrap();
    {
        let dialog = h.state_mut().export_dialog_mut();
        dialog.path = dir.path().join("chart").display().to_string();
        dialog.png = true;
        dialog.svg = false;
    }
    h.run();
    assert!(
        h.query_by_label_contains(&format!(
            "{} exists: Replace writes over it",
            existing.display()
        ))
        .is_some()
    );
    assert_eq!(std::fs::read_to_string(&existing).unwrap(), "PRECIOUS");
    h.get_by_label("Replace").click();
    h.run();
    assert_ne!(std::fs::read(&existing).unwrap(), b"PRECIOUS");

    // The results shown, by its own name (an SVG "results.json.svg" is another file, so aim
    // the PNG at it through a link's name).
    let results = dir.path().join("results.json");
    let before = std::fs::read(&results).unwrap();
    let alias = dir.path().join("alias.png");
    std::fs::hard_link(&results, &alias).unwrap();
    let err = h
        .state_mut()
        .export_dialog_mut()
        .export_to(&dir.path().join("alias"))
        .unwrap_err();
    assert!(err.contains("is the results shown"), "{err}");
    assert_eq!(std::fs::read(&results).unwrap(), before);
}
