#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! A partial cell (cancelled after some runs) stands out when files are overlaid: a compared
//! run's markers are all hollow, so a partial cell is hollow *and ringed*, in either run, with
//! a legend entry saying what the ring means.

use corelab::export::chart_model::{PARTIAL_LEGEND, partial_ring_radius};
use corelab::export::{ChartKind, ChartOptions, ChartRun, legend_labels, render_svg};
use corelab::preset::{Experiment, ModelKind};
use corelab::results::{CellStatus, MachineInfo, ResultsFile, RunStatus};

mod common;

fn complete(day: &str) -> ResultsFile {
    let experiment = Experiment {
        name: "Overlaid".into(),
        workers: vec![1, 2, 4, 8, 16],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions: 3,
        ..Experiment::default()
    };
    let mut r = common::synthetic::synthetic_results(
        experiment,
        MachineInfo::default(),
        [0.99, 1.0, 1.01],
        |_, n| n.powf(0.7),
    );
    r.started_at = format!("{day}T10:00:00Z");
    r
}

/// `complete`, cancelled during its threads × 8 and × 16 cells after 2 runs of each.
fn cancelled(day: &str) -> ResultsFile {
    let mut r = complete(day);
    r.status = RunStatus::Cancelled;
    for c in &mut r.cells {
        if c.model == Some(ModelKind::Threads) && c.workers >= 8 {
            c.status = CellStatus::Cancelled;
            c.samples.truncate(2);
        }
    }
    r.recompute();
    r
}

/// `(cx, cy)` of every `<circle>` of radius `r`, not filled.
fn rings(svg: &str, r: i32) -> Vec<(i32, i32)> {
    svg.split("<circle ")
        .skip(1)
        .map(|c| &c[..c.find('>').unwrap()])
        .filter(|c| c.contains(&format!(" r=\"{r}\"")) && c.contains("fill=\"none\""))
        .map(|c| {
            let attr = |name: &str| -> i32 {
                let i = c.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                c[i..i + c[i..].find('"').unwrap()].parse().unwrap()
            };
            (attr("cx"), attr("cy"))
        })
        .collect()
}

#[test]
fn partial_cells_are_ringed_in_the_shown_run_and_in_compared_ones() {
    let (a, b) = (complete("2026-11-25"), cancelled("2026-11-26"));
    let options = ChartOptions {
        kind: ChartKind::Speedup,
        ..ChartOptions::default()
    };
    let ring_r = partial_ring_radius(options.font_size * 0.32).round() as i32;
    for (runs, what) in [
        (vec![(&a, "a"), (&b, "b")], "the partial run compared"),
        (vec![(&b, "b"), (&a, "a")], "the partial run shown"),
        (vec![(&b, "b")], "the partial run alone"),
    ] {
        let runs: Vec<ChartRun<'_>> = runs
            .into_iter()
            .map(|(results, label)| ChartRun { label, results })
            .collect();
        let svg = render_svg(&runs, &options).unwrap();
        let found = rings(&svg, ring_r);
        // Two partial cells in the plot, one ring in the legend's swatch.
        assert_eq!(found.len(), 3, "{what}: {found:?}");
        let labels = legend_labels(&runs, &options);
        assert!(
            labels.iter().any(|l| l == PARTIAL_LEGEND),
            "{what}: {labels:?}"
        );
        assert!(
            svg.contains("hollow in a ring"),
            "{what}: the caption says so"
        );
        // The plot's two rings sit at the same height as a threads marker: on its points.
        let plot_rings: Vec<&(i32, i32)> = found
            .iter()
            .filter(|(x, _)| found.iter().any(|(x2, _)| x2 != x))
            .collect();
        assert!(plot_rings.len() >= 2, "{what}: {found:?}");
    }
    // Complete runs compared: no ring, no legend entry.
    let runs = [
        ChartRun {
            label: "a",
            results: &a,
        },
        ChartRun {
            label: "c",
            results: &complete("2026-11-27"),
        },
    ];
    let svg = render_svg(&runs, &options).unwrap();
    assert!(rings(&svg, ring_r).is_empty());
    assert!(!legend_labels(&runs, &options).contains(&PARTIAL_LEGEND.to_string()));
}
