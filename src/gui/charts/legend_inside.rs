//! The legend inside the plot, in the corner `legend_placement` chose: per entry the same
//! sample of its line and marker as the legend outside it, and the entry's whole name.
//!
//! egui_plot's own legend shows a dot of colour per entry; a dot does not say which line is
//! dashed (a compared run), dotted (a core line) or which marker a model has, and colour alone
//! is not enough for every reader.

use std::collections::BTreeSet;

use eframe::egui;
use egui_plot::Corner;

use crate::export::ChartKind;

use super::legend_outside::{LegendEntry, legend_entry, text_offset};

/// The room between the legend's box and the plot's frame, and inside the box around its
/// entries, in points.
const INSET: f32 = 4.0;
const PADDING: f32 = 6.0;

/// The room the legend of `entries` takes in the plot, the gap to the frame included: what
/// `legend_placement` must find clear of data, and what [`legend_in_plot`] draws in.
pub(super) fn legend_room(ui: &egui::Ui, entries: &[LegendEntry]) -> egui::Vec2 {
    if entries.is_empty() {
        return egui::Vec2::ZERO;
    }
    let font = egui::TextStyle::Body.resolve(ui.style());
    // Each entry's size as `legend_entry` lays it out: as tall as its laid-out name (a whole
    // number of pixels, a little more than the font's row height), as wide as the sample, the
    // gap and the name.
    let (widest, line_h) = entries
        .iter()
        .map(|e| {
            ui.painter()
                .layout_no_wrap(e.name.clone(), font.clone(), egui::Color32::WHITE)
                .size()
        })
        .fold((0.0f32, 0.0f32), |(w, h), size| {
            (w.max(size.x), h.max(size.y))
        });
    let spacing = ui.spacing().item_spacing.y;
    let inner = egui::vec2(
        text_offset(line_h) + widest,
        entries.len() as f32 * line_h + (entries.len() - 1) as f32 * spacing,
    );
    inner + egui::Vec2::splat(2.0 * (PADDING + INSET))
}

/// Draws `entries` of `kind`'s chart in a box in `corner` of `frame` (the plot's data area on
/// screen), one a row, over the plot's background at 85% opacity, as egui_plot drew its own
/// legend; `room` is their [`legend_room`], `hidden` the entries clicked away (see
/// `legend_entry`). Returns the box and what the entries took inside it (`None` without
/// entries).
pub(super) fn legend_in_plot(
    ui: &mut egui::Ui,
    frame: egui::Rect,
    corner: Corner,
    room: egui::Vec2,
    entries: &[LegendEntry],
    kind: ChartKind,
    hidden: &BTreeSet<String>,
) -> Option<(egui::Rect, egui::Rect)> {
    if entries.is_empty() {
        return None;
    }
    let size = room - egui::Vec2::splat(2.0 * INSET);
    let inset = frame.shrink(INSET);
    let min = match corner {
        Corner::LeftTop => inset.left_top(),
        Corner::RightTop => egui::pos2(inset.right() - size.x, inset.top()),
        Corner::LeftBottom => egui::pos2(inset.left(), inset.bottom() - size.y),
        Corner::RightBottom => inset.right_bottom() - size,
    };
    let rect = egui::Rect::from_min_size(min, size);
    let visuals = ui.visuals();
    ui.painter().rect(
        rect,
        visuals.window_corner_radius,
        visuals.extreme_bg_color.gamma_multiply(0.85),
        visuals.widgets.noninteractive.bg_stroke,
        egui::StrokeKind::Inside,
    );
    let builder = egui::UiBuilder::new()
        .max_rect(rect.shrink(PADDING))
        .layout(egui::Layout::top_down(egui::Align::Min));
    // A child the parent does not lay out: the box lies over the plot, already placed, and
    // must not move the parent's cursor back up to its bottom.
    let mut ui = ui.new_child(builder);
    for entry in entries {
        legend_entry(
            &mut ui,
            entry,
            &entry.name,
            kind,
            hidden.contains(&entry.name),
        );
    }
    Some((rect, ui.min_rect()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use eframe::egui::{self, Color32};
    use egui_plot::Corner;

    use super::{INSET, PADDING, legend_in_plot, legend_room};
    use crate::export::ChartKind;
    use crate::export::chart_model::{Dash, Marker};
    use crate::gui::charts::legend_outside::{LegendEntry, LegendGlyph};

    fn entry(name: &str, glyph: LegendGlyph) -> LegendEntry {
        LegendEntry {
            name: name.to_string(),
            short: name.to_string(),
            color: Color32::RED,
            glyph,
        }
    }

    /// In every corner the box lies inside the plot, in that corner, and takes the room the
    /// placement was told it takes: a larger legend would cover points the placement found
    /// clear.
    #[test]
    fn the_box_stays_in_its_corner_within_the_room_the_placement_counted() {
        let entries = vec![
            entry("ideal (speedup = N)", LegendGlyph::Ideal),
            entry("16 physical cores", LegendGlyph::Cores),
            entry(
                "py-multiprocessing @ 2 cores (dashed)",
                LegendGlyph::Series {
                    marker: Marker::Plus,
                    dash: Dash::Dashed,
                    filled: false,
                },
            ),
        ];
        let frame = egui::Rect::from_min_size(egui::pos2(100.0, 50.0), egui::vec2(600.0, 400.0));
        let ctx = egui::Context::default();
        let none = BTreeSet::new();
        for corner in [
            Corner::LeftTop,
            Corner::RightTop,
            Corner::LeftBottom,
            Corner::RightBottom,
        ] {
            let mut shown = None;
            let mut room = egui::Vec2::ZERO;
            let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
                room = legend_room(ui, &entries);
                shown =
                    legend_in_plot(ui, frame, corner, room, &entries, ChartKind::Speedup, &none);
            });
            // No renderer takes the font texture here.
            out.textures_delta.clear();
            let (shown, used) = shown.expect("a box for three entries");
            // The entries, as `legend_entry` lays them out, fill the box's inside: as wide as
            // the widest, no wider, and all their rows within it.
            let inside = shown.shrink(PADDING);
            assert!(
                inside.expand(0.01).contains_rect(used),
                "{corner:?}: the entries took {used:?}, outside {inside:?}"
            );
            assert!(
                (used.width() - inside.width()).abs() < 0.01
                    && (used.height() - inside.height()).abs() < 0.01,
                "{corner:?}: the entries took {used:?}, the box's inside is {inside:?}"
            );
            assert!(
                frame.contains_rect(shown),
                "{corner:?}: {shown:?} in {frame:?}"
            );
            assert_eq!(
                shown.size() + egui::Vec2::splat(2.0 * INSET),
                room,
                "{corner:?}: the box and its gap to the frame are the room the placement counted"
            );
            // Every entry's row fits: three rows of text, a name as wide as the widest.
            assert!(room.y > 3.0 * 12.0 && room.x > 200.0, "{room:?}");
            let (left, top) = match corner {
                Corner::LeftTop => (true, true),
                Corner::RightTop => (false, true),
                Corner::LeftBottom => (true, false),
                Corner::RightBottom => (false, false),
            };
            let near = |a: f32, b: f32| (a - b).abs() <= INSET + 0.01;
            assert!(
                if left {
                    near(shown.left(), frame.left())
                } else {
                    near(shown.right(), frame.right())
                },
                "{corner:?}: {shown:?}"
            );
            assert!(
                if top {
                    near(shown.top(), frame.top())
                } else {
                    near(shown.bottom(), frame.bottom())
                },
                "{corner:?}: {shown:?}"
            );
        }
        let mut out = ctx.run_ui(egui::RawInput::default(), |ui| {
            assert_eq!(
                legend_in_plot(
                    ui,
                    frame,
                    Corner::LeftTop,
                    egui::Vec2::ZERO,
                    &[],
                    ChartKind::Speedup,
                    &none
                ),
                None
            );
        });
        out.textures_delta.clear();
    }
}
