#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Workbench tests without a display (egui_kittest): the chart's legend draws each entry's line
//! and marker, and a click on an entry hides its line until a second click.

mod common;

use common::gui::{opened, speedup_chart};
use common::synthetic::usl_sweep;

use corelab::gui::WorkbenchApp;
use corelab::gui::style::model_color_dark_aware;
use corelab::preset::ModelKind;
use eframe::egui::accesskit::Toggled;
use eframe::egui::epaint::{ColorMode, Shape};
use eframe::egui::{self, Color32};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// How many of the last frame's shapes are drawn in exactly `color`, as a stroke or a fill.
fn shapes_in(output: &egui::FullOutput, color: Color32) -> usize {
    fn count(shape: &Shape, color: Color32) -> usize {
        match shape {
            Shape::Vec(shapes) => shapes.iter().map(|s| count(s, color)).sum(),
            Shape::LineSegment { stroke, .. } => usize::from(stroke.color == color),
            Shape::Path(path) => usize::from(
                path.fill == color
                    || matches!(path.stroke.color, ColorMode::Solid(c) if c == color),
            ),
            Shape::Circle(circle) => {
                usize::from(circle.fill == color || circle.stroke.color == color)
            }
            Shape::Rect(rect) => usize::from(rect.fill == color || rect.stroke.color == color),
            _ => 0,
        }
    }
    output
        .shapes
        .iter()
        .map(|clipped| count(&clipped.shape, color))
        .sum()
}

/// The legend's entry "threads", in the plot (the model's box in the panel is named
/// "threads" too).
fn entry<'h>(h: &'h Harness<'_, WorkbenchApp>) -> egui_kittest::Node<'h> {
    let plot = speedup_chart(h).expect("the speedup chart is drawn");
    h.get_all_by_label("threads")
        .find(|n| plot.contains_rect(n.rect()))
        .expect("a legend entry \"threads\" in the plot")
}

/// The legend entry "threads" is a check box, ticked while its line is drawn. A click hides
/// the threads' line, points and fit (nothing in its colour is drawn but the faint entry), and
/// says so; Space on the focused entry draws them again. The other models stay drawn
/// throughout.
#[test]
fn a_click_on_a_legend_entry_hides_its_line_and_space_on_it_draws_it_again() {
    let dir = tempfile::tempdir().unwrap();
    let results = usl_sweep("Legend", &[1, 2, 4, 8], 0.05, 0.002);
    let mut h = opened(dir.path(), &results);
    h.run();
    let dark = h.ctx.global_style().visuals.dark_mode;
    let threads = model_color_dark_aware(ModelKind::Threads, dark);
    let processes = model_color_dark_aware(ModelKind::Processes, dark);
    let ticked =
        |h: &Harness<'_, WorkbenchApp>| entry(h).accesskit_node().toggled() == Some(Toggled::True);

    assert!(ticked(&h), "the threads' entry starts ticked");
    let drawn = shapes_in(h.output(), threads);
    // The line, the markers of four points and the legend's sample at least.
    assert!(drawn >= 6, "threads drawn in {drawn} shapes");

    entry(&h).click();
    h.run();
    assert!(!ticked(&h), "the threads' entry is unticked once clicked");
    assert_eq!(
        shapes_in(h.output(), threads),
        0,
        "nothing is drawn in the threads' colour once hidden (its entry is faint)"
    );
    assert!(
        shapes_in(h.output(), processes) >= 6,
        "processes stay drawn"
    );

    // From the keyboard: the entry is a Tab stop, and Space on it is a click.
    entry(&h).focus();
    h.run();
    assert!(entry(&h).is_focused(), "the entry takes the keyboard focus");
    h.key_press(egui::Key::Space);
    h.run();
    assert!(ticked(&h), "Space on it ticks it again");
    assert_eq!(
        shapes_in(h.output(), threads),
        drawn,
        "and draws it as before"
    );
}
