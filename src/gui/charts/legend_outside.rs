//! The legend's entries, each a sample of its line and marker as the plot draws them and a
//! name; outside the plot, a short name in a wrapped row.

use std::collections::BTreeSet;

use eframe::egui::{self, Color32};

use crate::export::ChartKind;
use crate::export::chart_frame::ChartFrame;
use crate::export::chart_model::{self, ChartSeries};
use crate::gui::style;

use super::hidden_entries::toggle_hidden;

/// One entry of a chart's legend.
pub(super) struct LegendEntry {
    /// Its whole name, as the legend inside the plot and the hover say it: "ideal (speedup = N)",
    /// "16 physical cores (big)".
    pub(super) name: String,
    /// What the legend outside the plot shows: "ideal", "16 cores"
    /// ([`crate::export::chart_frame::CoreLine::tag`]); a series' whole name.
    pub(super) short: String,
    pub(super) color: Color32,
    /// How the entry is drawn, as the plot draws it: not by colour alone.
    pub(super) glyph: LegendGlyph,
}

/// What a legend entry draws before its name: a sample of the line as the plot draws it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum LegendGlyph {
    /// The ideal line: a solid diagonal.
    Ideal,
    /// A physical-core line: a dotted vertical.
    Cores,
    /// A series: a short line in its dash pattern with its marker shape on it.
    Series {
        marker: chart_model::Marker,
        dash: chart_model::Dash,
        filled: bool,
    },
}

/// Paints `glyph` in `rect` (about a text line tall and twice as wide).
fn paint_legend_glyph(
    painter: &egui::Painter,
    rect: egui::Rect,
    glyph: LegendGlyph,
    color: Color32,
) {
    let stroke = egui::Stroke::new(1.5, color);
    match glyph {
        LegendGlyph::Ideal => {
            painter.line_segment([rect.left_bottom(), rect.right_top()], stroke);
        }
        LegendGlyph::Cores => {
            let x = rect.center().x;
            painter.extend(egui::Shape::dotted_line(
                &[egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
                color,
                3.0,
                1.0,
            ));
        }
        LegendGlyph::Series {
            marker,
            dash,
            filled,
        } => {
            let y = rect.center().y;
            let ends = [egui::pos2(rect.left(), y), egui::pos2(rect.right(), y)];
            match dash {
                chart_model::Dash::Solid => {
                    painter.line_segment(ends, stroke);
                }
                chart_model::Dash::Dotted => {
                    painter.extend(egui::Shape::dotted_line(&ends, color, 3.0, 0.9));
                }
                chart_model::Dash::Dashed | chart_model::Dash::LongDashed => {
                    painter.extend(egui::Shape::dashed_line(&ends, stroke, 4.0, 2.5));
                }
            }
            paint_marker(
                painter,
                rect.center(),
                rect.height() * 0.32,
                marker,
                color,
                filled,
            );
        }
    }
}

/// Paints a marker shape of radius `r` at `c`, as egui_plot draws it.
fn paint_marker(
    painter: &egui::Painter,
    c: egui::Pos2,
    r: f32,
    marker: chart_model::Marker,
    color: Color32,
    filled: bool,
) {
    use chart_model::Marker;
    let stroke = egui::Stroke::new(1.5, color);
    let fill = if filled { color } else { Color32::TRANSPARENT };
    let polygon = |points: Vec<egui::Pos2>| {
        painter.add(egui::Shape::convex_polygon(points, fill, stroke));
    };
    let v = egui::vec2;
    match marker {
        Marker::Circle => {
            painter.add(egui::epaint::CircleShape {
                center: c,
                radius: r,
                fill,
                stroke,
            });
        }
        Marker::Square => polygon(vec![c + v(-r, -r), c + v(r, -r), c + v(r, r), c + v(-r, r)]),
        Marker::Diamond => polygon(vec![
            c + v(0.0, -r),
            c + v(r, 0.0),
            c + v(0.0, r),
            c + v(-r, 0.0),
        ]),
        Marker::TriangleUp => polygon(vec![c + v(0.0, -r), c + v(r, r), c + v(-r, r)]),
        Marker::TriangleDown => polygon(vec![c + v(-r, -r), c + v(r, -r), c + v(0.0, r)]),
        Marker::Cross | Marker::Plus | Marker::Asterisk => {
            let d = r * std::f32::consts::FRAC_1_SQRT_2;
            let mut arms = Vec::new();
            if marker != Marker::Plus {
                arms.push([c + v(-d, -d), c + v(d, d)]);
                arms.push([c + v(-d, d), c + v(d, -d)]);
            }
            if marker != Marker::Cross {
                arms.push([c + v(-r, 0.0), c + v(r, 0.0)]);
                if marker == Marker::Plus {
                    arms.push([c + v(0.0, -r), c + v(0.0, r)]);
                }
            }
            for arm in arms {
                painter.line_segment(arm, stroke);
            }
        }
    }
}

/// The legend outside the plot, in a wrapped row: per entry a sample of its line and marker
/// as the plot draws them (the ideal line solid and diagonal, a core line dotted and upright,
/// a series its dash pattern and marker shape), and a short name (the whole name in its
/// hover). A click hides an entry's line (`hidden`: those hidden now).
pub(super) fn legend_entries(
    ui: &mut egui::Ui,
    entries: &[LegendEntry],
    kind: ChartKind,
    hidden: &BTreeSet<String>,
) {
    for entry in entries {
        legend_entry(ui, entry, &entry.short, kind, hidden.contains(&entry.name));
        ui.add_space(ui.spacing().item_spacing.x);
    }
}

/// The sample of an entry's line and marker, in text line heights: its width and height.
const SAMPLE: egui::Vec2 = egui::vec2(1.6, 0.8);
/// The gap between the sample and the entry's text, in text line heights.
const GAP: f32 = 0.35;

/// Where an entry's text starts, from its left edge, for text `line_h` points tall: after the
/// sample and the gap.
pub(super) fn text_offset(line_h: f32) -> f32 {
    line_h * (SAMPLE.x + GAP)
}

/// One legend entry of `kind`'s chart, `text` after the sample of its line and marker, as one
/// widget (so that a row never parts them) that a screen reader reads as a check box named by
/// the entry's whole name, which its hover shows too. A click hides the entry's line, or shows
/// it again (`hidden`: drawn faint then).
pub(super) fn legend_entry(
    ui: &mut egui::Ui,
    entry: &LegendEntry,
    text: &str,
    kind: ChartKind,
    hidden: bool,
) {
    let font = egui::TextStyle::Body.resolve(ui.style());
    let text_color = if hidden {
        ui.visuals().weak_text_color()
    } else {
        ui.visuals().text_color()
    };
    let color = if hidden {
        entry.color.gamma_multiply(0.3)
    } else {
        entry.color
    };
    let galley = ui
        .painter()
        .layout_no_wrap(text.to_string(), font, text_color);
    let line_h = galley.size().y;
    let sample = SAMPLE * line_h;
    let size = egui::vec2(text_offset(line_h) + galley.size().x, line_h);
    let (rect, response) = ui.allocate_exact_size(size, egui::Sense::click());
    let painter = ui.painter();
    let sample_rect = egui::Rect::from_center_size(
        egui::pos2(rect.left() + sample.x / 2.0, rect.center().y),
        sample,
    );
    paint_legend_glyph(painter, sample_rect, entry.glyph, color);
    painter.galley(
        egui::pos2(rect.left() + text_offset(line_h), rect.top()),
        galley,
        text_color,
    );
    if response.has_focus() {
        crate::gui::focus::focus_ring(ui, rect);
    }
    let name = entry.name.as_str();
    response.widget_info(|| egui::WidgetInfo::selected(egui::Role::CheckBox, true, !hidden, name));
    let response = response.on_hover_text(if hidden {
        format!("{name}: hidden. Click to draw it again.")
    } else {
        format!("{name}. Click to hide it.")
    });
    if response.clicked() {
        toggle_hidden(ui.ctx(), kind, name);
    }
}

/// The entries of `kind`'s legend, in the plot's order (what is drawn first), each with its
/// colour (`dark`: on a dark background), each name once: the ideal line, the physical-core
/// lines of `frame`, then `series`.
pub(super) fn legend_entries_of(
    kind: ChartKind,
    frame: &ChartFrame,
    series: &[ChartSeries],
    dark: bool,
) -> Vec<LegendEntry> {
    let core_lines = &frame.workers.core_lines;
    let mut entries: Vec<LegendEntry> = Vec::new();
    for entry in frame
        .ideal
        .is_some()
        .then(|| LegendEntry {
            name: kind.ideal_label().to_string(),
            short: "ideal".to_string(),
            color: Color32::from_gray(140),
            glyph: LegendGlyph::Ideal,
        })
        .into_iter()
        .chain(core_lines.iter().map(|c| LegendEntry {
            name: c.label.clone(),
            short: c.tag(),
            color: style::core_marker_color(dark),
            glyph: LegendGlyph::Cores,
        }))
        .chain(series.iter().map(|s| {
            let look = chart_model::series_style(s.model, s.run, chart_model::Theme::Light);
            LegendEntry {
                name: s.label.clone(),
                short: s.label.clone(),
                color: style::model_color_dark_aware(s.model, dark),
                glyph: LegendGlyph::Series {
                    marker: look.marker,
                    dash: look.dash,
                    filled: look.filled,
                },
            }
        }))
    {
        if !entries.iter().any(|e| e.name == entry.name) {
            entries.push(entry);
        }
    }
    entries
}
