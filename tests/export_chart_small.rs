#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Small exports stay readable: at 500×320 (a paper column) and 1100×700, every chart kind of
//! the shipped results files, alone and compared, draws each text inside the image and no
//! two texts over each other (the legend's rows and an axis's ticks included), and `--text-scale`'s
//! smaller text keeps that true.

use std::path::Path;

use corelab::export::{
    AxisScale, ChartKind, ChartOptions, ChartRun, render_svg, resolve_scales, run_labels,
    text_width,
};
use corelab::results::ResultsFile;

mod common;

/// `(x, y, font size, anchor, content)` of every unrotated `<text>`.
fn texts(svg: &str) -> Vec<(f64, f64, f64, String, String)> {
    common::svg_text::svg_texts(svg)
        .into_iter()
        .filter(|t| !t.rotated)
        .map(|t| (t.x, t.y, t.font_size, t.anchor, t.content))
        .collect()
}

fn load(path: &str) -> ResultsFile {
    ResultsFile::load(Path::new(env!("CARGO_MANIFEST_DIR")).join(path).as_path()).unwrap()
}

/// Checks one chart: every text inside the image, texts on one row apart.
fn check(runs: &[ChartRun<'_>], options: &ChartOptions, what: &str) {
    let svg = match render_svg(runs, options) {
        Ok(svg) => svg,
        // A chart these results cannot draw (lost updates without a counter, memory of a file
        // from before it was measured).
        Err(
            corelab::export::ChartError::Unavailable { .. } | corelab::export::ChartError::Empty(_),
        ) => return,
        Err(e) => panic!("{what}: {e}"),
    };
    let (w, h) = (f64::from(options.width), f64::from(options.height));
    // The SVG's font-size is the text's em, which the chart laid it out with.
    let spans: Vec<(f64, f64, f64, String, f64)> = texts(&svg)
        .into_iter()
        .map(|(x, y, size, anchor, content)| {
            let width = text_width(&content, size);
            let left = match anchor.as_str() {
                "middle" => x - width / 2.0,
                "end" => x - width,
                _ => x,
            };
            (left, left + width, y, content, size)
        })
        .collect();
    for (l, r, y, t, _) in &spans {
        assert!(
            *l >= -1.0 && *r <= w + 1.0 && *y >= 0.0 && *y <= h - 4.0,
            "{what}: {t:?} at x {l:.0}..{r:.0}, y {y:.0} is outside {w}×{h}"
        );
    }
    for (i, a) in spans.iter().enumerate() {
        for b in &spans[i + 1..] {
            // Rows closer than most of a line of text (tick labels stacked up a crowded axis
            // too).
            let same_row = (a.2 - b.2).abs() < 0.8 * a.4.min(b.4);
            let overlap = a.0 < b.1 - 1.0 && b.0 < a.1 - 1.0;
            assert!(
                !(same_row && overlap),
                "{what}: {:?} and {:?} overlap on the row at y {:.0}",
                a.3,
                b.3,
                a.2
            );
        }
    }
}

#[test]
fn small_charts_keep_every_text_inside_and_apart() {
    let files = [
        "docs/cpu-results.json",
        "docs/lost-updates.json",
        "docs/perf/xeon-16/python-gil-vs-processes.json",
        "docs/perf/python-gil-vs-processes.json",
    ];
    let loaded: Vec<ResultsFile> = files.iter().map(|f| load(f)).collect();
    // Each file alone, and the two GIL runs compared.
    let mut sets: Vec<Vec<usize>> = (0..loaded.len()).map(|i| vec![i]).collect();
    sets.push(vec![2, 3]);
    for set in &sets {
        let results: Vec<&ResultsFile> = set.iter().map(|&i| &loaded[i]).collect();
        let labels = run_labels(&results, &[]);
        let runs: Vec<ChartRun<'_>> = results
            .iter()
            .zip(&labels)
            .map(|(r, l)| ChartRun {
                label: l,
                results: r,
            })
            .collect();
        for kind in ChartKind::ALL {
            for (width, height, text) in [(1100, 700, 1.0), (500, 320, 1.0), (500, 320, 0.8)] {
                // The axes `auto` picks, as `corelab report` draws them.
                let (log_x, log_y) = resolve_scales(
                    kind,
                    results.iter().copied(),
                    AxisScale::Auto,
                    AxisScale::Auto,
                )
                .unwrap();
                let options = ChartOptions {
                    kind,
                    width,
                    height,
                    log_x,
                    log_y,
                    // The default size, or `--text-scale 0.8` of it.
                    font_size: ChartOptions::default().font_size * text,
                    ..ChartOptions::default()
                };
                let what = format!("{set:?} {kind} {width}×{height} text ×{text}");
                check(&runs, &options, &what);
            }
        }
    }
}
