//! Where the legend goes: a corner it leaves the data clear of, above the data (the y axis
//! grown), or outside the plot; and the points of the curves it must not cover.

use egui_plot::Corner;

use crate::export::chart_model::ChartSeries;

use super::series_drawing::series_line;

/// Where the legend goes, and how far the y axis must reach for it: a corner whose legend box
/// (`legend`: its width and height as fractions of the plot's) covers none of `samples` (the
/// data points, their error bars and points along the lines between them, in plot
/// coordinates), in the order top left, top right, bottom right, bottom left. Where every
/// corner would cover data, the y axis grows above the data until the legend fits in the top
/// left: the second value is the new top (`None` when the axis stays as it is).
pub(super) fn legend_placement(
    samples: &[[f64; 2]],
    x: (f64, f64),
    y: (f64, f64),
    legend: (f64, f64),
) -> (Corner, Option<f64>) {
    let (w, h) = ((x.1 - x.0).max(1e-9), (y.1 - y.0).max(1e-9));
    // A little room around the box, as egui_plot draws it inset from the frame.
    let (bw, bh) = ((legend.0 + 0.02).min(1.0), (legend.1 + 0.03).min(1.0));
    let covers = |left: bool, top: bool| {
        samples
            .iter()
            .filter(|p| {
                let fx = (p[0] - x.0) / w;
                let fy = (p[1] - y.0) / h;
                let in_x = if left { fx <= bw } else { fx >= 1.0 - bw };
                let in_y = if top { fy >= 1.0 - bh } else { fy <= bh };
                in_x && in_y
            })
            .count()
    };
    let corners = [
        (Corner::LeftTop, true, true),
        (Corner::RightTop, false, true),
        (Corner::RightBottom, false, false),
        (Corner::LeftBottom, true, false),
    ];
    if let Some((corner, ..)) = corners
        .iter()
        .find(|&&(_, left, top)| covers(left, top) == 0)
    {
        return (*corner, None);
    }
    // Data everywhere. A short legend goes above all of it, where the axis grows to make
    // room; a tall one (compared runs) would squash the data into the bottom of the plot, so
    // it takes the corner where it covers the fewest points instead.
    if bh <= MAX_LEGEND_GROWTH {
        return (Corner::LeftTop, Some(y.0 + h / (1.0 - bh)));
    }
    let fewest = corners
        .iter()
        .min_by_key(|&&(_, left, top)| covers(left, top))
        .map_or(Corner::LeftTop, |c| c.0);
    (fewest, None)
}

/// Whether a legend box (`legend`, as in [`legend_placement`]) goes inside the plot: in a
/// corner it leaves the data clear of, or above the data where it is short enough for the
/// axis to grow. Else (a tall legend: zoomed in, compared runs) it goes outside, above the
/// plot, rather than over the headline data.
pub(super) fn legend_fits_inside(
    samples: &[[f64; 2]],
    x: (f64, f64),
    y: (f64, f64),
    legend: (f64, f64),
) -> bool {
    let (corner, top) = legend_placement(samples, x, y, legend);
    // `legend_placement` names a corner that covers nothing, or grows the axis, unless it
    // fell back on the corner covering the fewest points.
    top.is_some() || {
        let (w, h) = ((x.1 - x.0).max(1e-9), (y.1 - y.0).max(1e-9));
        let (bw, bh) = ((legend.0 + 0.02).min(1.0), (legend.1 + 0.03).min(1.0));
        let (left, top) = match corner {
            Corner::LeftTop => (true, true),
            Corner::RightTop => (false, true),
            Corner::RightBottom => (false, false),
            Corner::LeftBottom => (true, false),
        };
        !samples.iter().any(|p| {
            let fx = (p[0] - x.0) / w;
            let fy = (p[1] - y.0) / h;
            let in_x = if left { fx <= bw } else { fx >= 1.0 - bw };
            let in_y = if top { fy >= 1.0 - bh } else { fy <= bh };
            in_x && in_y
        })
    }
}

/// The largest share of the plot's height a legend may take above the data (the axis grows
/// by up to 1 / (1 − this)).
const MAX_LEGEND_GROWTH: f64 = 0.35;

/// What a legend box covers: every point, both ends of its error bar, and points every 1/40
/// of the way along the line to the next point (or along a single-worker model's horizontal
/// line to `x_hi`), in plot coordinates.
pub(super) fn legend_samples(
    series: &[ChartSeries],
    tx: &dyn Fn(f64) -> f64,
    ty: &dyn Fn(f64) -> f64,
    x_hi: f64,
) -> Vec<[f64; 2]> {
    let mut out = Vec::new();
    for s in series {
        for (x, _, range) in &s.points {
            if let Some((lo, hi)) = range {
                out.push([tx(*x), ty(*lo)]);
                out.push([tx(*x), ty(*hi)]);
            }
        }
        let (xy, line) = series_line(s, tx, ty, x_hi);
        out.extend(&xy);
        for pair in line.windows(2) {
            out.extend((1..40).map(|i| {
                let t = i as f64 / 40.0;
                [
                    pair[0][0] + (pair[1][0] - pair[0][0]) * t,
                    pair[0][1] + (pair[1][1] - pair[0][1]) * t,
                ]
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gui::charts::test_support::series;
    use crate::preset::ModelKind;

    /// Both axes of the legend tests' plots: 0 to 8.
    const ZERO_TO_8: (f64, f64) = (0.0, 8.0);
    /// A legend box a quarter of the plot wide and a fifth high.
    const SHORT_LEGEND: (f64, f64) = (0.25, 0.2);
    /// Rising curves on [`ZERO_TO_8`]: the top left is empty.
    const RISING: [[f64; 2]; 4] = [[1.0, 1.0], [2.0, 2.0], [4.0, 3.9], [8.0, 7.5]];
    /// Data in every corner of [`ZERO_TO_8`].
    const CORNERS: [[f64; 2]; 4] = [[0.5, 0.5], [0.5, 7.5], [7.5, 0.5], [7.5, 7.5]];

    #[test]
    fn the_legend_goes_where_it_covers_no_data() {
        let legend = SHORT_LEGEND;
        // Rising curves: the top left is empty.
        assert_eq!(
            legend_placement(&RISING, ZERO_TO_8, ZERO_TO_8, legend),
            (Corner::LeftTop, None)
        );
        // Falling wall times: the top left is crowded, the top right is empty.
        let falling = [[1.0, 8.0], [1.2, 7.0], [2.0, 4.0], [4.0, 2.0], [8.0, 1.0]];
        assert_eq!(
            legend_placement(&falling, ZERO_TO_8, ZERO_TO_8, legend),
            (Corner::RightTop, None)
        );
        // Efficiency: every curve starts near 100% at the left, one falls to the bottom
        // right, one stays high to the right; only the bottom left is free.
        let efficiency = [
            [1.0, 100.0],
            [16.0, 85.0],
            [1.0, 100.0],
            [16.0, 6.0],
            [12.0, 8.0],
        ];
        assert_eq!(
            legend_placement(&efficiency, (0.0, 16.5), (0.0, 110.0), legend),
            (Corner::LeftBottom, None)
        );
        // Data in every corner: the axis grows so that the legend sits above all of it.
        let (corner, top) = legend_placement(&CORNERS, ZERO_TO_8, ZERO_TO_8, legend);
        assert_eq!(corner, Corner::LeftTop);
        let top = top.expect("a taller axis");
        // 7.5 is now below the box, which takes the top 23% of 0..top.
        assert!(7.5 < top * (1.0 - 0.23), "{top}");
        // A legend half the plot tall (compared runs) would squash the data: the axis stays,
        // and the legend takes the corner it covers least (the bottom right here).
        let crowded = [
            [0.5, 0.5],
            [0.5, 7.5],
            [0.6, 7.4],
            [7.5, 7.5],
            [7.4, 7.4],
            [7.5, 0.5],
        ];
        assert_eq!(
            legend_placement(&crowded, ZERO_TO_8, ZERO_TO_8, (0.25, 0.5)),
            (Corner::RightBottom, None)
        );
    }

    #[test]
    fn a_legend_that_would_cover_data_goes_outside_the_plot() {
        let legend = SHORT_LEGEND;
        // An empty corner: inside.
        assert!(legend_fits_inside(&RISING, ZERO_TO_8, ZERO_TO_8, legend));
        // Data in every corner, a short legend: inside, above the data (the axis grows).
        assert!(legend_fits_inside(&CORNERS, ZERO_TO_8, ZERO_TO_8, legend));
        // The same data, a legend half the plot tall (zoomed in, compared runs): every corner
        // would cover data, and growing the axis would squash it: outside.
        assert!(!legend_fits_inside(
            &CORNERS,
            ZERO_TO_8,
            ZERO_TO_8,
            (0.25, 0.5)
        ));
        // As tall, but a corner stays clear: inside, in that corner.
        let low = [[0.5, 0.5], [7.5, 0.5], [4.0, 1.0]];
        assert!(legend_fits_inside(&low, ZERO_TO_8, ZERO_TO_8, (0.25, 0.5)));
    }

    #[test]
    fn the_legend_keeps_off_the_lines_between_points_and_the_error_bars() {
        // From the bottom left to the top right: the line crosses the top left box's
        // corner region only between the points.
        let series = series(
            ModelKind::Threads,
            "threads",
            vec![(1.0, 1.0, Some((0.5, 7.9))), (8.0, 8.0, None)],
        );
        let id = |v: f64| v;
        let samples = legend_samples(&[series], &id, &id, 8.0);
        // The error bar reaches the top left; the line runs through the middle.
        assert!(samples.contains(&[1.0, 7.9]));
        assert!(
            samples
                .iter()
                .any(|p| (p[0] - 4.5).abs() < 0.1 && (p[1] - 4.5).abs() < 0.1)
        );
        let (corner, _) = legend_placement(&samples, ZERO_TO_8, ZERO_TO_8, SHORT_LEGEND);
        assert_eq!(corner, Corner::RightBottom);
    }
}
