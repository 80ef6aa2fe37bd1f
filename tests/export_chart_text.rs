#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! An exported SVG's text is the size asked for (plotters' own factor undone), grows with a
//! tall image so that a projected slide keeps it readable, and is named for screen readers
//! by a `<title>` and a `<desc>`.

use std::path::Path;

use corelab::export::{ChartKind, ChartOptions, ChartRun, render_png, render_svg};
use corelab::results::ResultsFile;

/// The least share of the image's height the smallest text (tick labels, legend) takes on a
/// 1920 × 1080 slide: 1.5 % (16.2 px; it was 1 %, 10.9 px).
const LEAST_SLIDE_TEXT_SHARE: f64 = 0.015;

fn svg_of(width: u32, height: u32, font_size: f64) -> String {
    let results = ResultsFile::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/cpu-results.json")
            .as_path(),
    )
    .unwrap();
    let runs = [ChartRun {
        label: "",
        results: &results,
    }];
    let options = ChartOptions {
        kind: ChartKind::Speedup,
        width,
        height,
        font_size,
        ..ChartOptions::default()
    };
    // The PNG draws at the same sizes (no error at this size either).
    render_png(&runs, &options).unwrap();
    render_svg(&runs, &options).unwrap()
}

fn font_sizes(svg: &str) -> Vec<f64> {
    svg.split("font-size=\"")
        .skip(1)
        .map(|p| p[..p.find('"').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn the_svg_font_size_is_the_size_asked_for() {
    for asked in [15.0, 12.0, 20.0] {
        let sizes = font_sizes(&svg_of(1100, 700, asked));
        assert!(!sizes.is_empty());
        // Body text (axis titles) at the size asked for, ticks and legend 0.9×, title 1.4×.
        assert!(sizes.contains(&asked), "{asked}: {sizes:?}");
        let max = sizes.iter().copied().fold(0.0, f64::max);
        assert!((max - asked * 1.4).abs() < 0.01, "{asked}: {sizes:?}");
        let min = sizes.iter().copied().fold(f64::INFINITY, f64::min);
        assert!(
            (min - (asked * 0.9).max(9.0)).abs() < 0.01,
            "{asked}: {sizes:?}"
        );
    }
}

#[test]
fn text_grows_with_a_slide_sized_image() {
    let sizes = font_sizes(&svg_of(1920, 1080, 15.0));
    let min = sizes.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(
        min / 1080.0 >= LEAST_SLIDE_TEXT_SHARE,
        "smallest text {min} px of 1080: {sizes:?}"
    );
    // A larger size asked for still wins.
    let sizes = font_sizes(&svg_of(1920, 1080, 30.0));
    assert!(sizes.contains(&30.0), "{sizes:?}");
}

#[test]
fn the_svg_has_a_title_and_a_description() {
    let svg = svg_of(1100, 700, 15.0);
    let title = &svg[svg.find("<title>").unwrap() + 7..svg.find("</title>").unwrap()];
    assert!(!title.trim().is_empty());
    let desc = &svg[svg.find("<desc>").unwrap() + 6..svg.find("</desc>").unwrap()];
    assert!(desc.contains("speedup"), "{desc}");
    assert!(desc.contains("Legend: "), "{desc}");
    // Right after the root element's start tag.
    assert!(svg.find("<title>").unwrap() < svg.find("<text").unwrap());
}
