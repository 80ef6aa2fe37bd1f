#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! PNG charts are anti-aliased: the ideal line of a speedup chart is as straight in the PNG as
//! in the SVG (no staircase of whole pixels), at the default size and at a paper column's.

use corelab::export::{ChartKind, ChartOptions, ChartRun, LegendPlacement, render_png};
use corelab::preset::{Baseline, Experiment, ModelKind};
use corelab::results::MachineInfo;

mod common;

/// GIL threads alone, flat at 1× (far below the ideal line), against their own one worker: the
/// only grey line inside the plot is the ideal one (no baseline line, no core marker).
/// gil-threads climbing to half the ideal at 8 workers (4.5×): the speedup axis follows the
/// ideal line to twice the highest speedup measured, so its whole length from 1 to 8 is drawn
/// (a flat curve would cut it at 2×). The curve is in its model's colour, not grey.
fn half_ideal() -> corelab::results::ResultsFile {
    let experiment = Experiment {
        name: "Half the ideal".into(),
        workers: vec![1, 2, 3, 4, 5, 6, 7, 8],
        models: vec![ModelKind::GilThreads],
        baseline: Baseline::SameModelOneWorker,
        repetitions: 3,
        ..Experiment::default()
    };
    common::synthetic::synthetic_results(
        experiment,
        MachineInfo::default(),
        [0.99, 1.0, 1.01],
        |_, n| 0.5 + 0.5 * n,
    )
}

/// For each column from 40 % to 70 % of the width, the centroid (weighted by darkness) of the
/// grey pixels darker than the grid between 20 % and 75 % of the height (below the title): where the ideal line
/// crosses that column. Also how many of those pixels are partly covered (a grey between the
/// line's and the background's).
fn ideal_line(png: &[u8]) -> (Vec<(f64, f64)>, usize) {
    let img = image::load_from_memory(png).unwrap().to_rgb8();
    let (w, h) = (img.width(), img.height());
    let mut centroids = Vec::new();
    let mut partial = 0;
    for x in w * 4 / 10..w * 7 / 10 {
        let (mut sum, mut weight) = (0.0, 0.0);
        for y in h / 5..h * 3 / 4 {
            let [r, g, b] = img.get_pixel(x, y).0;
            if r == g && g == b && r < 200 {
                let dark = 255.0 - f64::from(r);
                sum += dark * f64::from(y);
                weight += dark;
                if r > 110 {
                    partial += 1;
                }
            }
        }
        if weight > 0.0 {
            centroids.push((f64::from(x), sum / weight));
        }
    }
    (centroids, partial)
}

/// How far each of `points` is from their least-squares line, vertically (signed).
fn residuals(points: &[(f64, f64)]) -> Vec<f64> {
    let n = points.len() as f64;
    let (mx, my) = (
        points.iter().map(|p| p.0).sum::<f64>() / n,
        points.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let slope = sxy / sxx;
    points
        .iter()
        .map(|p| p.1 - (my + slope * (p.0 - mx)))
        .collect()
}

/// The largest distance of `points` from their least-squares line.
fn straightness(points: &[(f64, f64)]) -> f64 {
    residuals(points)
        .into_iter()
        .map(f64::abs)
        .fold(0.0, f64::max)
}

/// The root mean square distance of `points` from their least-squares line.
fn rms_off(points: &[(f64, f64)]) -> f64 {
    let n = points.len() as f64;
    (residuals(points).iter().map(|r| r.powi(2)).sum::<f64>() / n).sqrt()
}

#[test]
fn the_ideal_line_in_a_png_is_smooth_and_straight() {
    let r = half_ideal();
    let runs = [ChartRun {
        label: "r",
        results: &r,
    }];
    for (width, height) in [(1100, 700), (500, 320)] {
        let options = ChartOptions {
            kind: ChartKind::Speedup,
            width,
            height,
            show_fits: false,
            legend: LegendPlacement::Hidden,
            ..ChartOptions::default()
        };
        let png = render_png(&runs, &options).unwrap();
        let (centroids, partial) = ideal_line(&png);
        assert!(
            centroids.len() as u32 >= width * 3 / 10 - 2,
            "{width}×{height}: the line crosses every column looked at ({})",
            centroids.len()
        );
        // It rises to the right (y down in pixels).
        assert!(centroids[0].1 > centroids[centroids.len() - 1].1);
        // Anti-aliased: edge pixels partly covered, in every other column at least.
        assert!(
            partial >= centroids.len() / 2,
            "{width}×{height}: {partial} partly covered pixels in {} columns",
            centroids.len()
        );
        // Straight to a fraction of a pixel. Drawn through 100 vertices rounded to whole
        // pixels (as it was), the line wandered up to 1.1 px off straight, 0.43 px on average.
        let (off, rms) = (straightness(&centroids), rms_off(&centroids));
        assert!(
            off < 0.5 && rms < 0.2,
            "{width}×{height}: up to {off:.2} px off a straight line, {rms:.2} px on average"
        );
    }
}
