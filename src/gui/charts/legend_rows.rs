//! The legend above the plot held to a few whole rows of entries: a box as tall as that many
//! rows as the wrapped row lays them out (never a row cut through its text), scrolled by the
//! wheel a row at a time, so that it stops on a row, never between two.
//!
//! A wrapped row of widgets is as tall as the tallest of them and never less than
//! `interact_size.y` (egui starts each row at that height): a legend entry, a sample of its
//! line and marker and its name, is as tall as its laid-out name, a little less than that;
//! rows are `item_spacing.y` apart.

use eframe::egui;

/// How far apart the rows of legend entries lie in a wrapped row, top to top: a row as tall
/// as an entry ([`entry_height`]) or `interact_size.y` where that is more, and the spacing.
pub(super) fn entry_row_pitch(ui: &egui::Ui) -> f32 {
    row_pitch(
        entry_height(ui),
        ui.spacing().interact_size.y,
        ui.spacing().item_spacing.y,
    )
}

/// An entry's height as `legend_entry` lays it out: its name laid out in the body font.
fn entry_height(ui: &egui::Ui) -> f32 {
    let font = egui::TextStyle::Body.resolve(ui.style());
    ui.painter()
        .layout_no_wrap("ideal".to_string(), font, egui::Color32::WHITE)
        .size()
        .y
}

/// [`entry_row_pitch`] from an entry's height, the least row height and the rows' spacing.
fn row_pitch(entry: f32, least_row: f32, spacing: f32) -> f32 {
    entry.max(least_row) + spacing
}

/// The height of a box that shows `rows` whole rows `pitch` apart and the spacing between
/// them, not after the last: scrolled by whole rows, the last row of the content ends at
/// its bottom.
pub(super) fn rows_height(rows: f32, pitch: f32, spacing: f32) -> f32 {
    (rows * pitch - spacing).max(0.0)
}

/// The offset the box scrolls to from `offset` when the wheel moved `steps` rows (positive:
/// the content down, toward the first row), on a whole row, within `0..=max_offset`.
fn stepped_offset(offset: f32, steps: f32, pitch: f32, max_offset: f32) -> f32 {
    let row = (offset / pitch).round() - steps;
    let last = (max_offset.max(0.0) / pitch).ceil();
    (row.clamp(0.0, last) * pitch).min(max_offset.max(0.0))
}

/// Shows `add_contents` (a wrapped row of legend entries) in a box `rows` rows of entries
/// tall ([`entry_row_pitch`]), scrolling beyond them: a wheel notch moves it one row, and the
/// wheel over it scrolls nothing else.
pub(super) fn whole_rows_area(
    ui: &mut egui::Ui,
    id_salt: (&'static str, &'static str),
    rows: f32,
    add_contents: impl FnOnce(&mut egui::Ui),
) {
    let pitch = entry_row_pitch(ui);
    let height = rows_height(rows, pitch, ui.spacing().item_spacing.y);
    let key = egui::Id::unique(("legend rows wheel", id_salt));
    let mut area = egui::ScrollArea::vertical()
        .id_salt(id_salt)
        .max_height(height)
        .min_scrolled_height(height)
        .auto_shrink([false, true])
        // The wheel is taken below, a row at a time; the scroll bar still drags.
        .scroll_source(egui::scroll_area::ScrollSource {
            mouse_wheel: false,
            ..Default::default()
        });
    if let Some(offset) = ui.data_mut(|d| d.remove_temp::<f32>(key)) {
        area = area.vertical_scroll_offset(offset);
    }
    let out = area.show(ui, add_contents);
    let max_offset = out.content_size.y - out.inner_rect.height();
    if max_offset <= 0.0 || !ui.rect_contains_pointer(out.inner_rect) {
        return;
    }
    // The wheel's moves this frame in rows: a notch (a line) is one, points and pages as many
    // rows as they span, what is left of a row kept for the next move.
    let pending = ui.data(|d| d.get_temp::<f32>(key.with("pending")).unwrap_or(0.0));
    let points = ui.input(|i| {
        let mut points = 0.0;
        for event in &i.events {
            if let egui::Event::MouseWheel {
                unit,
                delta,
                modifiers,
                ..
            } = event
                && !modifiers.command
                && !modifiers.ctrl
                && !modifiers.shift
            {
                points += match unit {
                    egui::MouseWheelUnit::Line => delta.y * pitch,
                    egui::MouseWheelUnit::Point => delta.y,
                    egui::MouseWheelUnit::Page => delta.y * height,
                };
            }
        }
        points
    });
    let total = pending + points;
    let moved = (total / pitch).trunc();
    let left = total - moved * pitch;
    ui.data_mut(|d| d.insert_temp(key.with("pending"), left));
    // The smoothed scroll the wheel gives over the next frames is this box's too: the area
    // around it must not scroll under the pointer.
    ui.input_mut(|i| i.smooth_scroll_delta.y = 0.0);
    if moved != 0.0 {
        let to = stepped_offset(out.state.clamped_offset().y, moved, pitch, max_offset);
        ui.data_mut(|d| d.insert_temp(key, to));
        ui.ctx().request_repaint();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use eframe::egui::{self, Color32};

    use super::*;
    use crate::export::ChartKind;
    use crate::gui::charts::legend_outside::{LegendEntry, LegendGlyph, legend_entries};

    /// The compare view's long legend: three runs of four models and two core lines, 14
    /// entries.
    fn entries() -> Vec<LegendEntry> {
        let mut names = vec!["ideal".to_string(), "2 cores".into(), "16 cores".into()];
        for run in ["", " (run 2)", " (run 3)"] {
            for model in ["threads", "gil-threads", "processes"] {
                names.push(format!("{model}{run}"));
            }
        }
        names.push("sequential".into());
        names.push("async".into());
        names
            .into_iter()
            .map(|name| LegendEntry {
                short: name.clone(),
                name,
                color: Color32::RED,
                glyph: LegendGlyph::Series {
                    marker: crate::export::chart_model::Marker::Circle,
                    dash: crate::export::chart_model::Dash::Dashed,
                    filled: true,
                },
            })
            .collect()
    }

    /// The legend above the plot, laid out as the chart does at a few widths and zooms: its
    /// rows lie a whole [`entry_row_pitch`] apart (the content of n rows is n pitches less
    /// one spacing), so a box of [`rows_height`] shows whole rows, none cut through its text,
    /// at every offset the wheel stops on.
    #[test]
    fn the_legend_box_above_the_plot_holds_whole_rows_of_entries() {
        let entries = entries();
        let none = BTreeSet::new();
        for (width, zoom) in [(1400.0, 1.0), (900.0, 1.0), (300.0, 1.0), (600.0, 1.5)] {
            let ctx = egui::Context::default();
            ctx.set_zoom_factor(zoom);
            let mut measured = None;
            let input = egui::RawInput {
                screen_rect: Some(egui::Rect::from_min_size(
                    egui::Pos2::ZERO,
                    egui::vec2(width, 2000.0),
                )),
                ..Default::default()
            };
            // Twice: the zoom takes effect from the second frame.
            for _ in 0..2 {
                let mut out = ctx.run_ui(input.clone(), |ui| {
                    let pitch = entry_row_pitch(ui);
                    let spacing = ui.spacing().item_spacing.y;
                    let laid = ui
                        .horizontal_wrapped(|ui| {
                            legend_entries(ui, &entries, ChartKind::Speedup, &none)
                        })
                        .response
                        .rect;
                    measured = Some((pitch, spacing, laid.height()));
                });
                out.textures_delta.clear();
            }
            let (pitch, spacing, content) = measured.unwrap();
            let rows = ((content + spacing) / pitch).round();
            assert!(rows >= 1.0, "{width}×{zoom}: {content}");
            assert!(
                (rows * pitch - spacing - content).abs() < 0.01,
                "{width}×{zoom}: {rows} rows {pitch} apart are {} tall, the legend {content}",
                rows * pitch - spacing
            );
            for shown in [1.0, 3.0] {
                let height = rows_height(shown, pitch, spacing);
                // The box is a whole number of rows: with the spacing after its last, as
                // many pitches as rows.
                let whole = (height + spacing) / pitch;
                assert!((whole - shown).abs() < 1e-4, "{height} for {shown} rows");
                // Scrolled to its end, the last row ends at the box's bottom.
                let max_offset = content - height;
                if max_offset > 0.0 {
                    let end = stepped_offset(0.0, -100.0, pitch, max_offset);
                    assert!((end - max_offset).abs() < 0.01, "{end} vs {max_offset}");
                    assert!(((end / pitch) - (end / pitch).round()).abs() < 1e-4);
                }
            }
        }
    }

    #[test]
    fn the_wheel_moves_the_box_a_whole_row_at_a_time() {
        // Rows 22 apart, six rows of content in a box of three: offsets 0 to 66.
        let (pitch, max) = (22.0, 66.0);
        assert_eq!(stepped_offset(0.0, -1.0, pitch, max), 22.0);
        assert_eq!(stepped_offset(22.0, -2.0, pitch, max), 66.0);
        assert_eq!(stepped_offset(66.0, -1.0, pitch, max), 66.0);
        assert_eq!(stepped_offset(66.0, 1.0, pitch, max), 44.0);
        assert_eq!(stepped_offset(22.0, 5.0, pitch, max), 0.0);
        // A box left between rows (a drag of the bar) steps from the nearest.
        assert_eq!(stepped_offset(30.0, -1.0, pitch, max), 44.0);
        assert_eq!(row_pitch(16.0, 18.0, 4.0), 22.0);
        assert_eq!(row_pitch(20.0, 18.0, 4.0), 24.0);
    }
}
