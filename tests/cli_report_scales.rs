#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report --y-scale` on speedup charts, its refusals, and `--text-scale`.

use std::path::Path;
use std::process::{Command, Output};

use corelab::preset::{Experiment, ModelKind};
use corelab::results::MachineInfo;

mod common;

fn corelab(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corelab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("corelab runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Writes a sweep of `workers` whose threads reach `n^exp` and whose GIL threads stay at 1×.
fn write(dir: &Path, name: &str, workers: Vec<usize>, exp: f64) {
    let experiment = Experiment {
        name: "Scales".into(),
        workers,
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions: 3,
        ..Experiment::default()
    };
    let r = common::synthetic::synthetic_results(
        experiment,
        MachineInfo::default(),
        [0.99, 1.0, 1.01],
        move |model, n| match model {
            ModelKind::Threads => n.powf(exp),
            _ => 1.0,
        },
    );
    r.save(&dir.join(name)).unwrap();
}

fn svg_of(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["report"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--svg", "out.svg"]);
    let out = corelab(dir, &all);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    std::fs::read_to_string(dir.join("out.svg")).unwrap()
}

const LOG2_SPEEDUP: &str = "speedup (× baseline) (log₂ scale)";

#[test]
fn y_scale_log_draws_a_log2_speedup_axis_and_auto_picks_it_only_when_it_reads_better() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // 1 to 64 workers (a log₂ worker axis by itself), threads reaching 28×.
    write(d, "wide.json", vec![1, 2, 4, 8, 16, 32, 64], 0.8);
    // 1 to 8 workers, threads reaching 5×: linear axes.
    write(d, "small.json", vec![1, 2, 4, 8], 0.8);
    // 1 to 64 workers but speedups of 1× to 1.5×: a log speedup axis would only flatten it.
    write(d, "flat.json", vec![1, 2, 4, 8, 16, 32, 64], 0.1);

    let svg = svg_of(d, &["wide.json", "--y-scale", "log"]);
    assert!(svg.contains(LOG2_SPEEDUP), "asked for");
    assert!(
        svg.contains("\n16×\n") && svg.contains("\n1×\n"),
        "ticks in ×"
    );
    let svg = svg_of(d, &["wide.json"]);
    assert!(
        svg.contains(LOG2_SPEEDUP),
        "auto: log₂ workers and 1× to 28×"
    );
    assert!(!svg_of(d, &["wide.json", "--y-scale", "linear"]).contains(LOG2_SPEEDUP));
    assert!(
        !svg_of(d, &["flat.json"]).contains(LOG2_SPEEDUP),
        "auto: a narrow span"
    );
    let svg = svg_of(d, &["small.json"]);
    assert!(
        !svg.contains(LOG2_SPEEDUP) && !svg.contains("log₂ scale"),
        "auto: linear"
    );
    // log asked for on a small sweep: the worker axis goes log₂ with it.
    let svg = svg_of(d, &["small.json", "--y-scale", "log"]);
    assert!(svg.contains(LOG2_SPEEDUP) && svg.contains("workers (N, log₂ scale)"));
    // Wall time keeps its log₁₀ axis.
    let svg = svg_of(d, &["wide.json", "--chart", "time", "--y-scale", "log"]);
    assert!(svg.contains("median wall time (s) (log scale)"));
    assert!(!svg.contains("\n1×\n"), "seconds, not ×");
}

#[test]
fn a_log_axis_the_chart_cannot_have_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "wide.json", vec![1, 2, 4, 8, 16, 32, 64], 0.8);
    let refused = |args: &[&str], says: &str| {
        let mut all = vec!["report", "wide.json", "--svg", "no.svg", "--png", "no.png"];
        all.extend_from_slice(args);
        let out = corelab(d, &all);
        assert!(!out.status.success(), "{args:?}");
        let err = stderr(&out);
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!d.join("no.svg").exists() && !d.join("no.png").exists());
    };
    refused(
        &["--chart", "efficiency", "--y-scale", "log"],
        "the efficiency chart has no log y axis (it is read against its flat 100 % line)",
    );
    refused(
        &["--chart", "memory", "--y-scale", "log"],
        "the memory chart has no log y axis",
    );
    refused(
        &["--x-scale", "linear", "--y-scale", "log"],
        "a log speedup axis needs the log₂ worker axis",
    );
    // Before a sweep too: `run` refuses it without measuring.
    let out = corelab(
        d,
        &[
            "run",
            "start-here",
            "--chart",
            "efficiency",
            "--y-scale",
            "log",
            "--svg",
            "no.svg",
        ],
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("has no log y axis"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_log_axis_the_chart_cannot_have_is_refused_whatever_outputs_are_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "wide.json", vec![1, 2, 4, 8, 16, 32, 64], 0.8);
    let bad = ["--chart", "efficiency", "--y-scale", "log"];
    // `report` with only a Markdown report, and with no output at all.
    for outputs in [&["--markdown", "m.md", "--csv", "s.csv"][..], &[]] {
        let mut all = vec!["report", "wide.json"];
        all.extend_from_slice(&bad);
        all.extend_from_slice(outputs);
        let out = corelab(d, &all);
        assert_eq!(out.status.code(), Some(1), "{all:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("has no log y axis"),
            "{}",
            stderr(&out)
        );
        assert!(out.stdout.is_empty(), "refused before the tables");
        assert!(!d.join("m.md").exists() && !d.join("s.csv").exists());
    }
    // `run` refuses before the sweep: no results are saved, no cell is measured.
    for outputs in [
        &["--markdown", "m.md", "--out", "r.json"][..],
        &["--out", "r.json"],
    ] {
        let mut all = vec!["run", "start-here"];
        all.extend_from_slice(&bad);
        all.extend_from_slice(outputs);
        let out = corelab(d, &all);
        assert_eq!(out.status.code(), Some(1), "{all:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("has no log y axis"),
            "{}",
            stderr(&out)
        );
        assert!(
            out.stdout.is_empty(),
            "no summary table: nothing was measured"
        );
        assert!(!d.join("r.json").exists() && !d.join("m.md").exists());
    }
    // A chart the task can never draw is refused the same way, with or without a chart file.
    let out = corelab(
        d,
        &[
            "run",
            "start-here",
            "--chart",
            "lost-updates",
            "--markdown",
            "m.md",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("only a `contention` task counts lost updates"),
        "{}",
        stderr(&out)
    );
    let out = corelab(d, &["report", "wide.json", "--chart", "lost-updates"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(out.stdout.is_empty() && !d.join("m.md").exists());
}

#[test]
fn text_scale_scales_every_text_and_refuses_values_out_of_range() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "small.json", vec![1, 2, 4, 8], 0.8);
    let sizes = |svg: &str| -> Vec<f64> {
        svg.split("font-size=\"")
            .skip(1)
            .map(|p| p[..p.find('"').unwrap()].parse().unwrap())
            .collect()
    };
    let normal = sizes(&svg_of(
        d,
        &["small.json", "--width", "500", "--height", "320"],
    ));
    let small = sizes(&svg_of(
        d,
        &[
            "small.json",
            "--width",
            "500",
            "--height",
            "320",
            "--text-scale",
            "0.8",
        ],
    ));
    assert!(!normal.is_empty());
    let (max_n, max_s) = (
        normal.iter().cloned().fold(0.0, f64::max),
        small.iter().cloned().fold(0.0, f64::max),
    );
    assert!((max_s / max_n - 0.8).abs() < 0.05, "{max_n} → {max_s}");
    for bad in ["4", "0.2", "big", "NaN"] {
        let out = corelab(
            d,
            &[
                "report",
                "small.json",
                "--svg",
                "x.svg",
                "--text-scale",
                bad,
            ],
        );
        assert!(!out.status.success(), "--text-scale {bad}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("\"{bad}\"")),
            "quotes the value: {err}"
        );
        assert!(err.contains("0.5 to 3"), "{err}");
    }
}
