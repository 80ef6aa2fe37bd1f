#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! The side panel at its least width (egui_kittest, no display): at 520 × 600 and 600 × 480
//! at 1×, 1280 × 800 at 1.5× and 800 × 600 at 2×, with results open, every button and text
//! field of the configuration panel lies inside the panel horizontally (the Reset / Undo /
//! Redo row and the Name field ran past its right edge; at 520 × 600 Redo could not be
//! reached), and Undo and Redo, clicked where they are drawn, do what they say.

mod common;

use std::path::Path;

use common::gui::{app, open_results, screen, zoomed_harness};
use corelab::gui::WorkbenchApp;
use corelab::gui::app::CONFIG_PANEL_NAME;
use eframe::egui::accesskit::Role;
use eframe::egui::{Frame, Rect};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// (pixels, zoom) where the panel is at or near its least width.
const NARROW_PANEL: [((f32, f32), f32); 4] = [
    ((520.0, 600.0), 1.0),
    ((600.0, 480.0), 1.0),
    ((1280.0, 800.0), 1.5),
    ((800.0, 600.0), 2.0),
];

/// The panel's own controls that overflowed, by label.
const PANEL_CONTROLS: [&str; 5] = ["Reset to preset", "Undo", "Redo", "Name", "Worker counts"];

/// The horizontal room the side panel has: from the window's left edge to the chart area's
/// left edge (its "Speedup" tab, less the central panel's margin), or the whole
/// window where the panel stands in the charts' place.
fn panel_span(h: &Harness<'_, WorkbenchApp>, screen: Rect) -> (f32, f32) {
    let margin = Frame::central_panel(&h.ctx.global_style())
        .inner_margin
        .leftf();
    let right = h
        .query_all_by_label("Speedup vs workers")
        .map(|n| n.rect().left() - margin)
        .fold(screen.right(), f32::min);
    (screen.left(), right)
}

fn assert_inside(h: &Harness<'_, WorkbenchApp>, label: &str, span: (f32, f32), case: &str) {
    let r = h.get_by_label(label).rect();
    assert!(
        r.left() >= span.0 && r.right() <= span.1,
        "{case}: {label} at {r:?} is not inside the panel's {span:?}"
    );
}

#[test]
fn every_side_panel_control_fits_the_panel_and_undo_redo_work_where_drawn() {
    let dir = tempfile::tempdir().unwrap();
    let results = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/cpu-results.json");
    for (pixels, zoom) in NARROW_PANEL {
        let case = format!("{pixels:?} at {zoom}×");
        let mut h = zoomed_harness(app(dir.path()), pixels, zoom);
        h.run();
        open_results(&mut h, &results);
        h.run();
        if h.query_by_label("Redo").is_none() {
            // Tight windows start with the panel hidden: its toggle shows it.
            h.get_by_label(CONFIG_PANEL_NAME).click();
            h.run();
        }
        let screen = screen(pixels, zoom);
        let span = panel_span(&h, screen);
        assert!(span.1 - span.0 > 100.0, "{case}: the panel's span {span:?}");

        // An edit, so that Reset and Undo are enabled, then Undo: Redo is enabled.
        let original = h.state().experiment().name.clone();
        h.get_by_label("Name")
            .set_text_value_accesskit("an edited name");
        h.run();
        assert_eq!(h.state().experiment().name, "an edited name", "{case}");
        for label in PANEL_CONTROLS {
            assert_inside(&h, label, span, &case);
        }
        let undo = h.get_by_label("Undo");
        undo.scroll_to_me();
        h.run();
        h.get_by_label("Undo").click();
        h.run();
        assert_eq!(h.state().experiment().name, original, "{case}: Undo");
        assert!(h.state().can_redo(), "{case}");
        h.get_by_label("Redo").scroll_to_me();
        h.run();
        assert_inside(&h, "Redo", span, &case);
        h.get_by_label("Redo").click();
        h.run();
        assert_eq!(
            h.state().experiment().name,
            "an edited name",
            "{case}: Redo, clicked where it is drawn"
        );

        // Every button, text field, menu, check box and number whose rect starts in the
        // panel ends in it too (those scrolled out of view included).
        let mut checked = 0;
        for role in [
            Role::Button,
            Role::TextInput,
            Role::ComboBox,
            Role::CheckBox,
            Role::SpinButton,
        ] {
            for node in h.query_all_by_role(role) {
                let r = node.rect();
                if r.left() >= span.0 && r.left() < span.1 && r.top() > 0.0 {
                    let in_bar = r.bottom() < h.get_by_label("Run").rect().bottom() + 1.0;
                    if !in_bar {
                        checked += 1;
                        assert!(
                            r.right() <= span.1,
                            "{case}: {:?} at {r:?} runs past the panel's {span:?}",
                            node.accesskit_node().label()
                        );
                    }
                }
            }
        }
        assert!(
            checked >= 15,
            "{case}: only {checked} controls found in the panel"
        );
    }
}
