//! Drawing a series in the plot: its line, error bars and markers (partial cells hollow in a
//! ring), and its fitted curve in thin dashes.

use egui_plot::{Line, LineStyle, PlotPoints, Points};

use crate::export::chart_frame::ChartFrame;
use crate::export::chart_model::{self, ChartSeries};
use crate::gui::style;

/// The fitted curve of series `s` (none unless the fits are shown), less its points outside
/// the frame's value axis.
pub(super) fn draw_fit(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    s: &ChartSeries,
    dark: bool,
    frame: &ChartFrame,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
) {
    if s.horizontal {
        return;
    }
    let xy: Vec<[f64; 2]> = s
        .fit
        .iter()
        .filter(|p| frame.shows_value(p.1))
        .map(|&(x, y)| [tx(x), ty(y)])
        .collect();
    if xy.len() < 2 {
        return;
    }
    plot_ui.line(
        Line::new(s.label.as_str(), PlotPoints::from(xy))
            .color(style::model_color_dark_aware(s.model, dark))
            .style(LineStyle::Dashed { length: 4.0 })
            .width(1.0)
            .allow_hover(false),
    );
}

/// A series' points in plot coordinates, and the line drawn through them: the points
/// themselves, or for a model measured at one worker count only (the sequential baseline) a
/// horizontal line from its point to `x_hi`.
pub(super) fn series_line(
    s: &ChartSeries,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
    x_hi: f64,
) -> (Vec<[f64; 2]>, Vec<[f64; 2]>) {
    let xy: Vec<[f64; 2]> = s.points.iter().map(|(x, y, _)| [tx(*x), ty(*y)]).collect();
    let line = match xy.first() {
        Some(&first) if s.horizontal => vec![first, [x_hi, first[1]]],
        _ => xy.clone(),
    };
    (xy, line)
}

/// Draws one series. Only its markers answer the pointer: a line, an error bar or its caps
/// passing under the pointer would otherwise be nearer than the marker it hovers, and the
/// tooltip would name another model's cell (the ideal line, the core marker and the fits
/// answer nothing either).
pub(super) fn draw_series(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    s: &ChartSeries,
    dark: bool,
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
    x_hi: f64,
    bar_dx: f64,
) {
    let model_style = chart_model::series_style(s.model, s.run, chart_model::Theme::Light);
    let color = style::model_color_dark_aware(s.model, dark);
    let name = s.label.as_str();
    let (xy, line) = series_line(s, tx, ty, x_hi);
    if line.len() > 1 {
        plot_ui.line(
            Line::new(name, PlotPoints::from(line))
                .color(color)
                .style(style::line_style(model_style.dash))
                .width(if s.horizontal { 1.5 } else { 2.0 })
                .allow_hover(false),
        );
    }
    for (x, _, range) in &s.points {
        if let Some((lo, hi)) = range {
            let x = tx(*x) + bar_dx;
            let cap = 0.08;
            let bar = Line::new(name, vec![[x, ty(*lo)], [x, ty(*hi)]])
                .color(color)
                .width(1.0)
                .allow_hover(false);
            plot_ui.line(bar);
            for y in [*lo, *hi] {
                plot_ui.line(
                    Line::new(name, vec![[x - cap, ty(y)], [x + cap, ty(y)]])
                        .color(color)
                        .width(1.0)
                        .allow_hover(false),
                );
            }
        }
    }
    // A partial cell (cancelled after some runs) is drawn hollow in a ring, as the exports
    // draw it: hollow alone is how a compared run draws every point.
    let (partial, whole): (Vec<_>, Vec<_>) = s
        .points
        .iter()
        .zip(xy)
        .partition(|(p, _)| s.is_partial_at(p.0));
    for (points, filled) in [(whole, model_style.filled), (partial, false)] {
        if points.is_empty() {
            continue;
        }
        plot_ui.points(
            Points::new(name, points.iter().map(|(_, xy)| *xy).collect::<Vec<_>>())
                .color(color)
                .radius(MARKER_RADIUS)
                .filled(filled)
                .shape(style::marker_shape(model_style.marker)),
        );
        if !filled && points_are_partial(&points, s) {
            plot_ui.points(
                Points::new(name, points.iter().map(|(_, xy)| *xy).collect::<Vec<_>>())
                    .color(color)
                    .radius(chart_model::partial_ring_radius(f64::from(MARKER_RADIUS)) as f32)
                    .filled(false)
                    .shape(egui_plot::MarkerShape::Circle),
            );
        }
    }
}

/// The radius of a point's marker, in points: large enough that its shape, not only its
/// colour, tells the models apart (4.5 hid a circle under a triangle).
const MARKER_RADIUS: f32 = 5.5;

/// Whether `points` are a series' partial cells (the ringed ones).
fn points_are_partial(points: &[(&chart_model::Point, [f64; 2])], s: &ChartSeries) -> bool {
    points.first().is_some_and(|(p, _)| s.is_partial_at(p.0))
}
