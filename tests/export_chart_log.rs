#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The speedup chart on a log₂ speedup axis: ticks 1×, 2×, 4×, … evenly spaced, and the ideal
//! line (speedup = N) one straight segment through 1× at one worker and N× at N workers.

use corelab::export::{ChartKind, ChartOptions, ChartRun, LegendPlacement, render_svg};
use corelab::preset::{Experiment, ModelKind};
use corelab::results::MachineInfo;

mod common;

fn doublings() -> corelab::results::ResultsFile {
    let experiment = Experiment {
        name: "Doublings".into(),
        workers: vec![1, 2, 4, 8, 16, 32, 64],
        models: vec![
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::GilThreads,
        ],
        repetitions: 3,
        ..Experiment::default()
    };
    common::synthetic::synthetic_results(
        experiment,
        MachineInfo::default(),
        [0.99, 1.0, 1.01],
        |model, n| match model {
            ModelKind::Threads => n.powf(0.8),
            _ => 1.0 / (1.0 + 0.1 * (n - 1.0)),
        },
    )
}

/// `(x, y, content)` of every `<text>` element.
fn texts(svg: &str) -> Vec<(f64, f64, String)> {
    let mut out = Vec::new();
    for part in svg.split("<text ").skip(1) {
        let attr = |name: &str| -> f64 {
            let key = format!(" {name}=\"");
            let tag = format!(" {part}");
            let i = tag.find(&key).unwrap() + key.len();
            tag[i..i + tag[i..].find('"').unwrap()].parse().unwrap()
        };
        let content = &part[part.find('>').unwrap() + 1..part.find("</text>").unwrap()];
        out.push((attr("x"), attr("y"), content.trim().to_string()));
    }
    out
}

/// The points of every `<polyline>` stroked in `colour`.
fn polylines(svg: &str, colour: &str) -> Vec<Vec<(f64, f64)>> {
    svg.split("<polyline ")
        .skip(1)
        .filter(|p| p[..p.find('>').unwrap()].contains(&format!("stroke=\"{colour}\"")))
        .map(|p| {
            let list = p.split("points=\"").nth(1).unwrap();
            list[..list.find('"').unwrap()]
                .split_whitespace()
                .map(|xy| {
                    let (x, y) = xy.split_once(',').unwrap();
                    (x.parse().unwrap(), y.parse().unwrap())
                })
                .collect()
        })
        .collect()
}

#[test]
fn a_log2_speedup_axis_reads_in_times_and_draws_the_ideal_straight() {
    let r = doublings();
    let runs = [ChartRun {
        label: "r",
        results: &r,
    }];
    let options = ChartOptions {
        kind: ChartKind::Speedup,
        log_x: true,
        log_y: true,
        legend: LegendPlacement::Right,
        ..ChartOptions::default()
    };
    let svg = render_svg(&runs, &options).unwrap();
    assert!(
        svg.contains("speedup (× baseline) (log₂ scale)"),
        "the axis says so"
    );
    // The y ticks: powers of two written 1×, 2×, …, evenly spaced, larger ones higher.
    let ticks: Vec<(f64, f64)> = texts(&svg)
        .into_iter()
        .filter_map(|(_, y, t)| Some((t.strip_suffix('×')?.parse::<f64>().ok()?, y)))
        .collect();
    let values: Vec<f64> = ticks.iter().map(|t| t.0).collect();
    assert!(values.len() >= 4, "{values:?}");
    assert!(
        values.contains(&1.0) && values.contains(&64.0),
        "{values:?}"
    );
    for v in &values {
        assert_eq!(v.log2().fract(), 0.0, "{v} is a power of two: {values:?}");
    }
    let gaps: Vec<f64> = ticks
        .windows(2)
        .map(|w| (w[0].1 - w[1].1) / (w[1].0 / w[0].0).log2())
        .collect();
    assert!(gaps[0] > 0.0, "larger speedups higher up: {ticks:?}");
    for g in &gaps {
        assert!(
            (g - gaps[0]).abs() < 1.5,
            "one doubling, one step: {gaps:?}"
        );
    }
    // No 10^x labels.
    assert!(
        !svg.contains(">10<") && !svg.contains(">5<"),
        "no 1-2-5 ticks"
    );

    // The ideal line: the one polyline of the reference grey with more than a pixel of
    // length diagonally, drawn as one segment from 1× at one worker to 64× at 64.
    let grey = "#5F5F5F";
    let ideal: Vec<Vec<(f64, f64)>> = polylines(&svg, grey)
        .into_iter()
        .filter(|p| p.len() >= 2 && p[0].0 != p[p.len() - 1].0 && p[0].1 != p[p.len() - 1].1)
        .collect();
    assert_eq!(ideal.len(), 1, "{ideal:?}");
    let line = &ideal[0];
    assert_eq!(line.len(), 2, "one straight segment: {line:?}");
    let y_of = |v: f64| ticks.iter().find(|t| t.0 == v).unwrap().1;
    // SVG text y is its baseline-centred anchor: within a few units of the grid line.
    assert!(
        (line[0].1 - y_of(1.0)).abs() < 3.0,
        "{line:?} vs 1× at {}",
        y_of(1.0)
    );
    assert!(
        (line[1].1 - y_of(64.0)).abs() < 3.0,
        "{line:?} vs 64× at {}",
        y_of(64.0)
    );

    // The same chart with a linear speedup axis has no × ticks.
    let linear = render_svg(
        &runs,
        &ChartOptions {
            log_y: false,
            ..options.clone()
        },
    )
    .unwrap();
    assert!(!linear.contains("speedup (× baseline) (log"));
    assert!(!texts(&linear).iter().any(|t| t.2.ends_with('×')));
    // Efficiency ignores a log y axis (the command line refuses to ask for one).
    let eff = render_svg(
        &runs,
        &ChartOptions {
            kind: ChartKind::Efficiency,
            ..options
        },
    )
    .unwrap();
    assert!(eff.contains("efficiency (%)") && !eff.contains("efficiency (%) (log"));
}
