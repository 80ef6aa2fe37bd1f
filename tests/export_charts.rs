#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Chart and report export from results files, with no system fonts assumed: the bundled
//! font is the only one plotters can see.

use corelab::analysis::{fit_results, fits_summary};
use corelab::export::{
    ChartKind, ChartOptions, ChartRun, ReportImage, fit_curve, markdown_report, render_png,
    render_svg,
};
use corelab::preset::{Experiment, ModelKind};
use corelab::results::{CellResult, CellStatus, MachineInfo, ResultsFile};

mod common;

use common::synthetic::{synthetic_results, usl_by_hand};

/// A sweep whose threads follow a known USL curve and whose GIL threads do not scale.
fn synthetic(host: &str, cores: usize, sigma: f64, kappa: f64) -> ResultsFile {
    let experiment = Experiment {
        name: "Synthetic scaling".into(),
        description: "Made-up timings that follow the Universal Scalability Law.".into(),
        workers: vec![1, 2, 4, 8, 12, 16],
        models: vec![
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::Processes,
            ModelKind::GilThreads,
        ],
        repetitions: 3,
        ..Experiment::default()
    };
    let machine = MachineInfo {
        cpu_brand: "Test CPU".into(),
        physical_cores: Some(cores),
        logical_cores: cores * 2,
        memory_bytes: 16 << 30,
        os: "TestOS".into(),
        hostname: host.into(),
        ..MachineInfo::default()
    };
    let mut r = synthetic_results(
        experiment,
        machine,
        [0.98, 1.0, 1.04],
        |model, x| match model {
            ModelKind::Threads => usl_by_hand(1.0, sigma, kappa, x),
            ModelKind::Processes => usl_by_hand(0.9, sigma * 1.5, kappa, x),
            _ => 1.0 / (1.0 + 0.02 * (x - 1.0)),
        },
    );
    r.cells.push(CellResult {
        model: Some(ModelKind::Processes),
        workers: 32,
        status: CellStatus::Failed,
        error: Some("timed out".into()),
        ..CellResult::default()
    });
    r.recompute();
    r
}

/// Tag balance of an SVG document: every opening tag is closed, in order.
fn assert_well_formed_svg(svg: &str) {
    let trimmed = svg.trim();
    assert!(
        trimmed.starts_with("<svg"),
        "starts with {:?}",
        &trimmed[..20]
    );
    assert!(trimmed.ends_with("</svg>"), "ends with something else");
    let mut stack: Vec<String> = Vec::new();
    let mut rest = trimmed;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').expect("unterminated tag") + start;
        let tag = &rest[start + 1..end];
        rest = &rest[end + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            let open = stack.pop().expect("closing tag without an opening one");
            assert_eq!(open, name.trim(), "mismatched closing tag");
        } else if !tag.ends_with('/') {
            let name = tag
                .split_whitespace()
                .next()
                .expect("empty tag")
                .to_string();
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed tags: {stack:?}");
}

/// Width and height from the IHDR chunk, after checking the PNG signature.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(png.len() > 33, "PNG too short");
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

#[test]
fn speedup_chart_svg_is_well_formed_and_names_every_series() {
    let r = synthetic("laptop", 8, 0.05, 0.002);
    let runs = [ChartRun {
        label: "laptop",
        results: &r,
    }];
    let svg = render_svg(&runs, &ChartOptions::default()).unwrap();
    assert_well_formed_svg(&svg);
    for name in [
        "sequential",
        "threads",
        "processes",
        "gil-threads",
        "ideal (speedup = N)",
        "8 physical cores",
        "fitted USL (thin dashes)",
        "speedup (× baseline)",
        "workers (N)",
        "Synthetic scaling",
    ] {
        assert!(svg.contains(name), "SVG lacks {name:?}");
    }
}

#[test]
fn every_chart_kind_renders_as_png_of_the_asked_size() {
    let r = synthetic("laptop", 8, 0.05, 0.002);
    let runs = [ChartRun {
        label: "laptop",
        results: &r,
    }];
    for kind in ChartKind::ALL {
        let options = ChartOptions {
            kind,
            width: 900,
            height: 560,
            ..ChartOptions::default()
        };
        let png = render_png(&runs, &options).unwrap();
        assert_eq!(png_size(&png), (900, 560), "{kind}");
        let decoded = image::load_from_memory(&png).unwrap().to_rgb8();
        assert_eq!(decoded.dimensions(), (900, 560));
        // Not a blank canvas: the curves put plenty of non-white pixels on it.
        let inked = decoded.pixels().filter(|p| p.0 != [255, 255, 255]).count();
        assert!(inked > 5_000, "{kind}: only {inked} non-white pixels");
        let svg = render_svg(&runs, &options).unwrap();
        assert_well_formed_svg(&svg);
        assert!(svg.contains(kind.y_label()), "{kind}");
    }
}

#[test]
fn overlaid_runs_label_series_with_their_run() {
    let laptop = synthetic("laptop", 4, 0.05, 0.002);
    let big = synthetic("big", 16, 0.02, 0.0005);
    let runs = [
        ChartRun {
            label: "laptop",
            results: &laptop,
        },
        ChartRun {
            label: "big",
            results: &big,
        },
    ];
    let svg = render_svg(&runs, &ChartOptions::default()).unwrap();
    assert_well_formed_svg(&svg);
    for name in [
        "threads @ laptop",
        "threads @ big",
        "gil-threads @ big",
        "processes @ laptop",
        "4 physical cores (laptop)",
        "16 physical cores (big)",
    ] {
        assert!(svg.contains(name), "SVG lacks {name:?}");
    }
    let png = render_png(&runs, &ChartOptions::default()).unwrap();
    assert_eq!(png_size(&png), (1100, 700));
}

#[test]
fn fits_of_synthetic_results_recover_the_usl_parameters() {
    let r = synthetic("laptop", 8, 0.05, 0.002);
    let fits = fit_results(&r);
    let threads = fits.iter().find(|f| f.model == ModelKind::Threads).unwrap();
    let u = threads.usl.as_ref().unwrap();
    // Speedups are exact USL values (each cell's samples are scaled alike, so medians are).
    assert!((u.sigma - 0.05).abs() < 0.05 * 0.05, "{u:?}");
    assert!((u.kappa - 0.002).abs() < 0.05 * 0.002, "{u:?}");
    // By hand: N* = sqrt(0.95 / 0.002) = 21.79, and S(22) = 22 / 2.974 = 7.3974 beats
    // S(21) = 21 / 2.84 = 7.3944: the best whole number of workers is 22, beyond the 16
    // measured, so the reading calls it an extrapolation.
    assert_eq!(u.peak_workers, Some(22));
    assert!(
        threads
            .reading
            .contains("still rises at the 16 workers measured; extrapolated, it would peak at about 22 workers"),
        "{}",
        threads.reading
    );
    // Processes: 0.9 × USL(σ 0.075, κ 0.002), one worker at 0.9× the sequential baseline.
    // The scale is fitted, and the peak is where the USL puts it: N* = sqrt(0.925 / 0.002)
    // = 21.5, S(22) = 0.9 · 22 / 3.499 = 5.65876 > S(21) = 0.9 · 21 / 3.34 = 5.65868.
    let processes = fits
        .iter()
        .find(|f| f.model == ModelKind::Processes)
        .unwrap();
    let p = processes.usl.as_ref().unwrap();
    assert!(p.scale_fitted && (p.scale - 0.9).abs() < 1e-3, "{p:?}");
    assert!((p.sigma - 0.075).abs() < 0.05 * 0.075, "{p:?}");
    assert_eq!(p.peak_workers, Some(22), "{p:?}");
    assert!(
        processes.reading.contains("scale fitted"),
        "{}",
        processes.reading
    );
    let gil = fits
        .iter()
        .find(|f| f.model == ModelKind::GilThreads)
        .unwrap();
    // 1 / (1 + 0.02(N − 1)) is the USL with σ = 1, κ = 0.02: it peaks at one worker.
    let g = gil.usl.as_ref().unwrap();
    assert_eq!(g.peak_workers, Some(1), "{g:?}");
    assert!(
        gil.reading.contains("adding workers only slows this down"),
        "{}",
        gil.reading
    );
    assert!(!fits_summary(&fits).contains('∞'));
}

#[test]
fn failed_everything_is_an_error_not_a_panic() {
    let mut r = synthetic("laptop", 8, 0.05, 0.002);
    for c in &mut r.cells {
        c.status = CellStatus::Failed;
    }
    let runs = [ChartRun {
        label: "laptop",
        results: &r,
    }];
    let err = render_svg(&runs, &ChartOptions::default()).unwrap_err();
    assert!(err.to_string().contains("nothing to draw"), "{err}");
    let err = render_png(
        &runs,
        &ChartOptions {
            width: 10,
            ..ChartOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.to_string().contains("chart size"), "{err}");
    assert!(render_svg(&[], &ChartOptions::default()).is_err());
}

#[test]
fn markdown_report_of_synthetic_results() {
    let r = synthetic("laptop", 8, 0.05, 0.002);
    let text = markdown_report(
        &[ChartRun {
            label: "laptop",
            results: &r,
        }],
        &[ReportImage {
            alt: "speedup chart",
            path: "speedup.png",
        }],
    );
    assert!(text.contains("![speedup chart](speedup.png)"));
    assert!(text.contains("| CPU | Test CPU |"));
    assert!(text.contains("processes × 32 failed: timed out"));
    assert!(text.contains("| 0.0500 | 0.00200 | 22 |"), "{text}");
}

/// Fitted curves cover the measured worker range only, never beyond: to the largest worker
/// count measured, or to the logical cores when compute-bound work was headlined within them.
#[test]
fn fitted_curves_are_never_extrapolated() {
    let r = synthetic("laptop", 8, 0.05, 0.002);
    let fits = fit_results(&r);
    let threads = fits.iter().find(|f| f.model == ModelKind::Threads).unwrap();
    for kind in ChartKind::ALL {
        let curve = fit_curve(threads, kind, 64.0);
        assert_eq!(curve.first().map(|p| p.0), Some(1.0), "{kind}");
        assert_eq!(
            curve.last().map(|p| p.0),
            Some(16.0),
            "{kind}: measured up to 16"
        );
    }
    // A 4-core machine: the headline fits, and so the curves, stop at 4 workers.
    let mut small = r.clone();
    small.machine.logical_cores = 4;
    let fits = fit_results(&small);
    let threads = fits.iter().find(|f| f.model == ModelKind::Threads).unwrap();
    assert_eq!(threads.fitted_range(), Some((1, 4)));
    let curve = fit_curve(threads, ChartKind::Speedup, 64.0);
    assert_eq!(curve.last().map(|p| p.0), Some(4.0));
    assert!(
        threads
            .caveat
            .as_deref()
            .unwrap_or_default()
            .contains("over all 6 counts")
    );
    // And the chart cut at x_max draws no further than that either.
    let curve = fit_curve(threads, ChartKind::Speedup, 3.0);
    assert_eq!(curve.last().map(|p| p.0), Some(3.0));
}
