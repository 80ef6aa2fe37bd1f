#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The export dialog's buttons stay where the mouse is (egui_kittest, no display): after an
//! export the dialog says what it wrote and that the files now exist, and its button says
//! Replace, but PNG, SVG, the Export button and Close keep their places and sizes, in the
//! default window and zoomed in on a small screen, so that a second click at the same spot
//! exports again.

mod common;

use common::gui::{app, open_results, zoomed_harness};
use corelab::gui::WorkbenchApp;
use eframe::egui::Rect;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

/// The footer's buttons: PNG, SVG, the export button (labelled `export`) and Close.
fn buttons(h: &Harness<'_, WorkbenchApp>, export: &str) -> [Rect; 4] {
    let close = h.get_by_label("Close").rect();
    // Another "Export" (the central area's menu, where room is short) may be behind the
    // dialog: the one beside Close.
    let export = h
        .query_all_by_label(export)
        .map(|n| n.rect())
        .find(|r| (r.center().y - close.center().y).abs() < 2.0)
        .unwrap_or_else(|| panic!("no {export} button beside Close at {close:?}"));
    [
        h.get_by_label("PNG").rect(),
        h.get_by_label("SVG").rect(),
        export,
        close,
    ]
}

/// Before an export the button says Export; after it the dialog says "Written: …" and that
/// the files now exist (Replace writes over them), in view above the buttons, its button says
/// Replace, and every button is where it was, as wide as it was. Clicking there again
/// replaces the files.
#[test]
fn the_export_dialog_buttons_stay_put_after_an_export() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cpu-results.json");
    // The default window, and 1024 × 640 at 2× (the dialog as tall as the window).
    for (pixels, zoom) in [((1400.0, 900.0), 1.0), ((1024.0, 640.0), 2.0)] {
        let case = format!("{pixels:?} at {zoom}×");
        let dir = tempfile::tempdir().unwrap();
        let mut h = zoomed_harness(app(dir.path()), pixels, zoom);
        h.step();
        open_results(&mut h, &docs);
        h.state_mut().open_export_dialog();
        h.run();
        let base = dir.path().join("chart");
        {
            let dialog = h.state_mut().export_dialog_mut();
            dialog.path = base.display().to_string();
            dialog.png = true;
            dialog.svg = true;
        }
        h.run();
        assert!(
            h.query_by_label("Replace").is_none(),
            "{case}: nothing exists yet"
        );
        let before = buttons(&h, "Export");

        let [_, _, export, _] = before;
        h.query_all_by_label("Export")
            .find(|n| n.rect() == export)
            .unwrap()
            .click();
        h.run();
        let png = dir.path().join("chart.png");
        let svg = dir.path().join("chart.svg");
        assert!(png.is_file() && svg.is_file(), "{case}: exported");
        let written = format!("Written: {}, {}", png.display(), svg.display());
        assert!(h.query_by_label(&written).is_some(), "{case}: {written}");
        // The files just written are named once: the note says they now exist, whole,
        // within the notes' rows above the buttons (it was cut off below them, at
        // "….svg exist:", when the files were named three times over four rows).
        let note = h
            .query_by_label("They exist now: Replace writes over them")
            .unwrap_or_else(|| panic!("{case}: the files now exist"))
            .rect();
        assert!(
            h.query_by_label_contains("Writes ").is_none(),
            "{case}: the written files are named once"
        );
        let after = buttons(&h, "Replace");
        let written_at = h.get_by_label(&written).rect();
        assert!(
            note.min.y >= written_at.max.y - 0.5 && note.max.y <= after[0].min.y + 0.5,
            "{case}: the note at {note:?} is not between {written_at:?} and the buttons at {:?}",
            after[0]
        );
        for ((name, b), a) in ["PNG", "SVG", "Export/Replace", "Close"]
            .iter()
            .zip(before)
            .zip(after)
        {
            assert!(
                (b.min - a.min).length() < 0.5 && (b.max - a.max).length() < 0.5,
                "{case}: {name} moved from {b:?} to {a:?}"
            );
        }

        // A second click at the same spot replaces the files.
        std::fs::write(&png, "OLD").unwrap();
        let [_, _, replace, _] = after;
        h.query_all_by_label("Replace")
            .find(|n| n.rect() == replace)
            .unwrap()
            .click();
        h.run();
        assert_ne!(std::fs::read(&png).unwrap(), b"OLD", "{case}: replaced");
        assert!(h.query_by_label(&written).is_some(), "{case}");
        assert_eq!(buttons(&h, "Replace"), after, "{case}: still in place");
    }
}
