#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! An exported chart's text is the size asked for: at a font size of N the SVG's `font-size`
//! is N for the axis descriptions, 0.9 N for the tick labels and legend and 1.4 N for the
//! title, and the PNG draws a capital letter as tall as the bundled font makes it at an em of
//! that size times the scale (plotters' own size, 1.24 ems, undone in both).

use std::path::Path;

use corelab::export::{
    ChartKind, ChartOptions, ChartRun, LegendPlacement, Theme, ink_height, legend_labels,
    render_png, render_svg,
};
use corelab::results::ResultsFile;

mod common;

use common::svg_text::{SvgText, svg_texts};

fn results() -> ResultsFile {
    ResultsFile::load(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("docs/cpu-results.json")
            .as_path(),
    )
    .unwrap()
}

#[test]
fn the_svg_font_sizes_are_the_sizes_asked_for() {
    let results = results();
    let runs = [ChartRun {
        label: "",
        results: &results,
    }];
    assert_eq!(ChartOptions::default().font_size, 13.0);
    for asked in [10.0, 13.0, 15.0, 20.0, 32.0] {
        let options = ChartOptions {
            kind: ChartKind::Speedup,
            title: Some("Text sizes".into()),
            font_size: asked,
            ..ChartOptions::default()
        };
        let texts = svg_texts(&render_svg(&runs, &options).unwrap());
        let size_of = |content: &str| -> f64 {
            texts
                .iter()
                .find(|t| t.content == content)
                .unwrap_or_else(|| panic!("{asked}: no {content:?} in {texts:?}"))
                .font_size
        };
        // Exactly, to the 0.01 px the SVG is written to (not 1/1.24 of it).
        let exact = |size: f64, want: f64| (size - want).abs() < 0.005;
        assert!(
            exact(size_of("Text sizes"), asked * 1.4),
            "{asked}: the title"
        );
        assert!(
            exact(size_of("workers (N)"), asked),
            "{asked}: the x axis description"
        );
        let ticks: Vec<&SvgText> = texts
            .iter()
            .filter(|t| t.anchor != "start" && t.content.parse::<f64>().is_ok())
            .collect();
        // x ticks centred under the axis, y ticks right-aligned left of it.
        assert!(
            ticks.iter().any(|t| t.anchor == "middle"),
            "{asked}: {texts:?}"
        );
        assert!(
            ticks.iter().any(|t| t.anchor == "end"),
            "{asked}: {texts:?}"
        );
        for t in &ticks {
            assert!(exact(t.font_size, asked * 0.9), "{asked}: tick {t:?}");
        }
        let labels = legend_labels(&runs, &options);
        assert!(!labels.is_empty());
        for label in &labels {
            assert!(
                exact(size_of(label), asked * 0.9),
                "{asked}: legend {label:?} at {}",
                size_of(label)
            );
        }
    }
}

/// The rows of `img` in columns `xs` and rows `ys` where some pixel is at least half way from
/// the background to the foreground: a text's ink, its anti-aliased edge counted where it is
/// more ink than background.
fn inked_rows(img: &image::RgbImage, xs: std::ops::Range<u32>, ys: std::ops::Range<u32>) -> u32 {
    let (bg, fg) = (Theme::Light.background(), Theme::Light.foreground());
    let half = (i32::from(bg.0) - i32::from(fg.0)).abs() / 2;
    ys.filter(|&y| {
        xs.clone()
            .any(|x| (i32::from(img.get_pixel(x, y).0[0]) - i32::from(bg.0)).abs() > half)
    })
    .count() as u32
}

#[test]
fn a_png_capital_is_as_tall_as_the_font_makes_it_at_the_size_asked_for() {
    let results = results();
    let runs = [ChartRun {
        label: "",
        results: &results,
    }];
    for (asked, scale) in [
        (10.0, 1.0),
        (13.0, 1.0),
        (20.0, 1.0),
        (32.0, 1.0),
        (13.0, 2.0),
    ] {
        let options = ChartOptions {
            title: Some("H".into()),
            font_size: asked,
            scale,
            legend: LegendPlacement::Hidden,
            ..ChartOptions::default()
        };
        let png = render_png(&runs, &options).unwrap();
        let img = image::load_from_memory(&png).unwrap().to_rgb8();
        // The title's em in the image's pixels; it starts 10 × scale from the left and 6 ×
        // scale from the top, and the subtitle 1.25 ems below that.
        let em = asked * 1.4 * scale;
        let left = (10.0 * scale) as u32;
        let xs = left..left + em.ceil() as u32;
        let ys = 0..(6.0 * scale + 1.25 * em) as u32;
        let drawn = f64::from(inked_rows(&img, xs, ys));
        let want = ink_height('H', em).unwrap();
        assert!(
            (drawn - want).abs() <= 1.0,
            "font size {asked} at {scale}×: an H {drawn} px tall, the font makes it {want:.1} px at an em of {em} px"
        );
    }
    // The font's capital H is 0.729 of an em: at plotters' own em (1/1.24 of the size) a
    // 28 px title's H would be 16.5 px tall, not 20.4.
    assert!((ink_height('H', 28.0).unwrap() - 20.4).abs() < 0.1);
    assert_eq!(ink_height(' ', 28.0), None);
}
