#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report` on an interrupted sweep, and on outputs of which one cannot be made.

mod common;

use std::path::Path;
use std::process::Command;

use common::corelab_exe;
use common::synthetic::cell;
use corelab::preset::{Experiment, ModelKind};
use corelab::results::{CellResult, CellStatus, ResultsFile, RunStatus};

fn corelab(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(corelab_exe())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn file(status: RunStatus, cells: Vec<CellResult>) -> ResultsFile {
    let mut r = ResultsFile {
        status,
        experiment: Experiment {
            name: "interrupted".into(),
            workers: vec![1, 2],
            models: vec![ModelKind::Sequential, ModelKind::Threads],
            ..Experiment::default()
        },
        cells,
        ..ResultsFile::default()
    };
    r.recompute();
    r
}

/// Ctrl-C after two or three rounds: every cell cancelled with a few runs.
fn interrupted() -> ResultsFile {
    file(
        RunStatus::Cancelled,
        vec![
            cell(
                ModelKind::Sequential,
                1,
                CellStatus::Cancelled,
                &[0.4, 0.42],
            ),
            cell(ModelKind::Threads, 1, CellStatus::Cancelled, &[0.41, 0.4]),
            cell(
                ModelKind::Threads,
                2,
                CellStatus::Cancelled,
                &[0.21, 0.2, 0.22],
            ),
        ],
    )
}

#[test]
fn cancelled_cells_with_runs_get_partial_speedups_that_say_so() {
    let r = interrupted();
    let threads = r.cell(ModelKind::Threads, 2).unwrap();
    // 0.41 / 0.21: against the cancelled baseline's two runs.
    assert!((threads.speedup.unwrap() - 0.41 / 0.21).abs() < 1e-9);
    // Two runs of the baseline: a 50% interval, never called 95%.
    assert!((threads.speedup_ci_coverage.unwrap() - 0.5).abs() < 1e-9);
    let table = corelab::export::summary_table(&r);
    assert!(table.contains("cancelled after 3 runs: partial"), "{table}");
    assert!(table.contains("(50% CI)"), "{table}");
    // A cell cancelled before any run stays without figures.
    let mut r = interrupted();
    r.cells
        .push(cell(ModelKind::Threads, 4, CellStatus::Cancelled, &[]));
    r.recompute();
    assert_eq!(r.cell(ModelKind::Threads, 4).unwrap().speedup, None);
    assert!(corelab::export::summary_table(&r).contains("cancelled before any run"));
    // A completed sequential cell is the baseline rather than a cancelled one.
    let mut r = interrupted();
    r.cells
        .insert(0, cell(ModelKind::Sequential, 1, CellStatus::Ok, &[0.8; 6]));
    r.cells.remove(1);
    r.cells.push(cell(
        ModelKind::Sequential,
        1,
        CellStatus::Cancelled,
        &[0.1, 0.1],
    ));
    r.recompute();
    assert_eq!(r.baseline.median_s, Some(0.8));
}

#[test]
fn report_charts_an_interrupted_sweep_and_marks_it_partial() {
    let dir = tempfile::tempdir().unwrap();
    interrupted().save(&dir.path().join("c.json")).unwrap();
    let o = corelab(
        dir.path(),
        &[
            "report",
            "c.json",
            "--svg",
            "c.svg",
            "--png",
            "c.png",
            "--markdown",
            "c.md",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let svg = std::fs::read_to_string(dir.path().join("c.svg")).unwrap();
    assert!(
        svg.contains("3 cells are partial: cancelled after 2 to 3 runs each"),
        "{svg}"
    );
    assert!(dir.path().join("c.png").exists());
    // A file from before provenance names no build under the title.
    assert!(!svg.contains("· corelab "), "{svg}");
    let md = std::fs::read_to_string(dir.path().join("c.md")).unwrap();
    assert!(md.contains("cancelled after 2 runs: partial"), "{md}");
    assert!(md.contains("![speedup chart](c.png)"), "{md}");
}

#[test]
fn the_chart_names_the_build_that_measured() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = interrupted();
    r.provenance.commit = Some("9fb3689".into());
    r.provenance.tree_modified = Some(true);
    r.save(&dir.path().join("p.json")).unwrap();
    let o = corelab(dir.path(), &["report", "p.json", "--svg", "p.svg"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let svg = std::fs::read_to_string(dir.path().join("p.svg")).unwrap();
    assert!(svg.contains("· corelab 0.1.0 9fb3689 (modified)"), "{svg}");
}

#[test]
fn one_failing_output_does_not_stop_the_others_and_the_status_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // Every cell failed: there is nothing to chart, but there is a report to write.
    let failed = file(
        RunStatus::Complete,
        vec![
            cell(ModelKind::Sequential, 1, CellStatus::Failed, &[]),
            cell(ModelKind::Threads, 2, CellStatus::Failed, &[]),
        ],
    );
    failed.save(&dir.path().join("f.json")).unwrap();
    let o = corelab(
        dir.path(),
        &["report", "f.json", "--png", "f.png", "--markdown", "f.md"],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("report written to f.md"), "{stderr}");
    assert!(stderr.contains("not written: --png f.png"), "{stderr}");
    assert!(stderr.contains("nothing to draw"), "{stderr}");
    assert!(!dir.path().join("f.png").exists());
    let md = std::fs::read_to_string(dir.path().join("f.md")).unwrap();
    assert!(md.contains("2 failed"), "{md}");
    // The report links no chart that was not written.
    assert!(!md.contains("](f.png)"), "{md}");
}

/// The file a sweep killed mid-way leaves: `incomplete`, each cell still being measured
/// saved cancelled with the runs it had (as the sweep's between-round saves write it).
#[test]
fn a_killed_sweeps_file_reads_as_partial_and_charts_hollow() {
    let mut cells = vec![
        cell(ModelKind::Sequential, 1, CellStatus::Ok, &[0.4]),
        cell(ModelKind::Threads, 1, CellStatus::Ok, &[0.41]),
        cell(ModelKind::Threads, 2, CellStatus::Ok, &[0.05, 0.06]),
    ];
    for c in &mut cells {
        c.mark_still_measuring();
    }
    let killed = file(RunStatus::Incomplete, cells);
    let loaded = ResultsFile::from_json(&killed.to_json(), "killed.json").unwrap();
    for c in &loaded.cells {
        assert_eq!(c.status, CellStatus::Cancelled, "{}", c.model_id());
        assert!(c.is_partial());
    }
    assert_eq!(
        loaded.cells[2].error.as_deref(),
        Some("still being measured when this file was saved (2 timed runs so far)")
    );
    // Not "Fastest: threads × 2 (8×)": no cell completed.
    assert!(corelab::analysis::verdict(&loaded).is_empty());
    let table = corelab::export::summary_table(&loaded);
    assert!(table.contains("cancelled after 1 run: partial"), "{table}");
    assert!(table.contains("cancelled after 2 runs: partial"), "{table}");

    let dir = tempfile::tempdir().unwrap();
    killed.save(&dir.path().join("k.json")).unwrap();
    let o = corelab(dir.path(), &["report", "k.json", "--svg", "k.svg"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(!stdout.contains("Fastest"), "{stdout}");
    let svg = std::fs::read_to_string(dir.path().join("k.svg")).unwrap();
    assert!(
        svg.contains("3 cells are partial: cancelled after 1 to 2 runs each"),
        "{svg}"
    );
}
