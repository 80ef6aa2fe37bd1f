#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab run … --svg --png --markdown` and `corelab report` end to end, on a tiny preset.

use std::path::Path;
use std::process::{Command, Output};

const TINY: &str = r#"{
  "version": 1,
  "name": "Tiny CPU sweep",
  "description": "A few primes, just enough to draw a chart.",
  "task": { "kind": "cpu", "tasks": 8, "cpu": { "kernel": "primes", "size": 20000 } },
  "workers": [1, 2, 3],
  "models": ["sequential", "threads", "processes"],
  "repetitions": 2,
  "warmups": 0,
  "baseline": "sequential",
  "timeout_s": 30
}"#;

fn corelab(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corelab"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("corelab runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn is_png(path: &Path) -> bool {
    let bytes = std::fs::read(path).unwrap();
    bytes.starts_with(b"\x89PNG\r\n\x1a\n") && image::load_from_memory(&bytes).is_ok()
}

#[test]
fn run_then_report_writes_charts_report_and_fits() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("tiny.json"), TINY).unwrap();
    let out = corelab(
        d,
        &[
            "run",
            "tiny.json",
            "-q",
            "--out",
            "a.json",
            "--svg",
            "a.svg",
            "--png",
            "a.png",
            "--markdown",
            "a.md",
        ],
    );
    assert!(out.status.success(), "run failed: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("threads"), "{stdout}");
    assert!(stdout.contains("USL"), "fits summary printed: {stdout}");
    let svg = std::fs::read_to_string(d.join("a.svg")).unwrap();
    assert!(svg.trim_start().starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains("threads") && svg.contains("processes"));
    assert!(is_png(&d.join("a.png")));
    let md = std::fs::read_to_string(d.join("a.md")).unwrap();
    assert!(md.starts_with("# Tiny CPU sweep"), "{md}");
    assert!(md.contains("![speedup chart](a.png)"), "{md}");
    assert!(md.contains("## Scaling fits"));

    // A second "machine": the same file under another name, overlaid.
    std::fs::copy(d.join("a.json"), d.join("b.json")).unwrap();
    std::fs::create_dir(d.join("out")).unwrap();
    let out = corelab(
        d,
        &[
            "report",
            "a.json",
            "b.json",
            "--chart",
            "efficiency",
            "--svg",
            "out/cmp.svg",
            "--png",
            "out/cmp.png",
            "--markdown",
            "cmp.md",
        ],
    );
    assert!(out.status.success(), "report failed: {}", text(&out.stderr));
    assert!(text(&out.stdout).contains("== b: Tiny CPU sweep"));
    let svg = std::fs::read_to_string(d.join("out/cmp.svg")).unwrap();
    for name in ["threads @ a", "threads @ b", "processes @ b", "efficiency"] {
        assert!(svg.contains(name), "compare SVG lacks {name:?}");
    }
    assert!(is_png(&d.join("out/cmp.png")));
    let md = std::fs::read_to_string(d.join("cmp.md")).unwrap();
    assert!(md.contains("![efficiency chart](out/cmp.png)"), "{md}");
    assert!(md.starts_with("# Comparison: a vs b"));
}

#[test]
fn report_errors_are_clear_and_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = corelab(d, &["report", "missing.json", "--svg", "x.svg"]);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.starts_with("Error:") && err.contains("missing.json"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");

    std::fs::write(d.join("bad.json"), "{\"format\": \"something-else\"}").unwrap();
    let out = corelab(d, &["report", "bad.json"]);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("not a corelab results file"));

    let out = corelab(d, &["report", "bad.json", "--chart", "pie"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("unknown chart \"pie\""));
}

/// A results file whose runs disagree on the answer, written by hand (as an old corelab or a
/// tampered file would have it: every cell `ok`): `corelab report` re-checks the checksums and
/// marks those cells failed, in the table and the Markdown report alike.
#[test]
fn report_marks_cells_whose_answers_disagree_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = |wall: f64, checksum: u64| serde_json::json!({ "wall_s": wall, "cpu_s": wall, "checksum": checksum });
    let cell = |model: &str, workers: usize, samples: Vec<serde_json::Value>| serde_json::json!({ "model": model, "workers": workers, "status": "ok", "samples": samples });
    let file = serde_json::json!({
        "format": "corelab-results",
        "format_version": 1,
        "status": "complete",
        "experiment": { "name": "Disagreeing runs", "workers": [1, 2],
                        "models": ["sequential", "threads", "processes"] },
        "cells": [
            cell("sequential", 1, vec![sample(2.0, 42), sample(2.0, 42)]),
            cell("threads", 2, vec![sample(1.0, 42), sample(1.0, 43)]),
            cell("processes", 2, vec![sample(1.1, 7), sample(1.1, 7)]),
            cell("threads", 1, vec![sample(2.0, 42), sample(2.0, 42)]),
        ]
    });
    std::fs::write(d.join("r.json"), file.to_string()).unwrap();
    let out = corelab(d, &["report", "r.json", "--markdown", "r.md"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let line = |prefix: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        line("threads            2")
            .contains("FAILED: runs disagree on the answer: checksum 0x2a then 0x2b"),
        "{stdout}"
    );
    assert!(
        line("processes          2").contains(
            "FAILED: wrong answer: checksum 0x7, the baseline (sequential × 1) computed 0x2a"
        ),
        "{stdout}"
    );
    assert!(!line("threads            1").contains("FAILED"), "{stdout}");
    let md = std::fs::read_to_string(d.join("r.md")).unwrap();
    assert!(md.contains("2 cells ok, 2 failed"), "{md}");
    assert!(
        md.contains("threads × 2 failed: runs disagree on the answer"),
        "{md}"
    );
    assert!(md.contains("processes × 2 failed: wrong answer"), "{md}");
}

#[test]
fn report_draws_the_memory_chart_of_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("tiny.json"), TINY).unwrap();
    let out = corelab(
        d,
        &[
            "run",
            "tiny.json",
            "-q",
            "--workers",
            "1,2",
            "--out",
            "a.json",
        ],
    );
    assert!(out.status.success(), "run failed: {}", text(&out.stderr));
    let out = corelab(
        d,
        &[
            "report", "a.json", "--chart", "memory", "--svg", "m.svg", "--png", "m.png",
        ],
    );
    assert!(out.status.success(), "report failed: {}", text(&out.stderr));
    let svg = std::fs::read_to_string(d.join("m.svg")).unwrap();
    // The figure the run recorded: what the runs added where the kernel let corelab reset
    // the peak RSS before each run (Linux ≥ 4.0 with a writable /proc), else the whole peak.
    let saved = std::fs::read_to_string(d.join("a.json")).unwrap();
    let label = match saved.contains("\"added_rss_bytes\"") {
        true => "memory the run added, the shared in-process input not counted (MiB)",
        false => "peak RSS of the whole processes (MiB)",
    };
    assert!(svg.contains(label), "the memory chart, labelled {label:?}");
    assert!(svg.contains("threads"), "one series per model");
    assert!(!svg.contains("ideal"), "no ideal line");
    assert!(is_png(&d.join("m.png")));
}

#[test]
fn report_says_the_machine_was_busy_as_run_did() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Each run with its load figure and mark: the counts a file states are those of its runs.
    let sample = |wall: f64, busy: bool| {
        serde_json::json!({ "wall_s": wall, "cpu_s": wall, "checksum": 1,
                            "other_load": if busy { 1.4 } else { 0.6 }, "busy": busy })
    };
    let file = serde_json::json!({
        "format": "corelab-results",
        "format_version": 1,
        "status": "complete",
        "experiment": { "name": "Busy", "workers": [1, 2], "models": ["sequential", "threads"] },
        "machine": { "logical_cores": 2, "load_during_runs": {
            "runs": 4, "busy_runs": 3, "mean_other_cores": 1.2, "max_other_cores": 1.4,
            "usable_cores": 2.0 } },
        "cells": [
            { "model": "sequential", "workers": 1, "status": "ok",
              "samples": [sample(2.0, true), sample(2.0, false)] },
            { "model": "threads", "workers": 2, "status": "ok",
              "samples": [sample(1.5, true), sample(1.6, true)] },
        ]
    });
    std::fs::write(d.join("busy.json"), file.to_string()).unwrap();
    let out = corelab(d, &["report", "busy.json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("Warning: the machine was busy during 3 of 4 timed runs"),
        "{stderr}"
    );
}

#[test]
fn a_wide_worker_sweep_gets_a_log_axis_unless_asked_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = |wall: f64| serde_json::json!({ "wall_s": wall, "cpu_s": 0.001, "checksum": 1 });
    let mut cells = vec![serde_json::json!({ "model": "sequential", "workers": 1,
        "status": "ok", "samples": [sample(2.0), sample(2.0)] })];
    for n in [4, 16, 64, 256, 1024] {
        cells.push(
            serde_json::json!({ "model": "threads", "workers": n, "status": "ok",
            "samples": [sample(2.0 / n as f64), sample(2.0 / n as f64)] }),
        );
    }
    let file = serde_json::json!({
        "format": "corelab-results", "format_version": 1, "status": "complete",
        "experiment": { "name": "Waits", "workers": [4, 16, 64, 256, 1024],
                        "models": ["sequential", "threads"] },
        "cells": cells,
    });
    std::fs::write(d.join("w.json"), file.to_string()).unwrap();
    let out = corelab(d, &["report", "w.json", "--svg", "auto.svg"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let svg = std::fs::read_to_string(d.join("auto.svg")).unwrap();
    assert!(svg.contains("workers (N, log₂ scale)"), "auto: log₂");
    let out = corelab(
        d,
        &[
            "report",
            "w.json",
            "--svg",
            "linear.svg",
            "--x-scale",
            "linear",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let svg = std::fs::read_to_string(d.join("linear.svg")).unwrap();
    assert!(svg.contains("workers (N)") && !svg.contains("log₂ scale"));
}

#[test]
fn times_far_apart_get_a_log_time_axis_unless_asked_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sample = |wall: f64| serde_json::json!({ "wall_s": wall, "cpu_s": wall, "checksum": 1 });
    let cell = |model: &str, workers: usize, wall: f64| {
        serde_json::json!({ "model": model,
        "workers": workers, "status": "ok", "samples": [sample(wall), sample(wall)] })
    };
    let file = serde_json::json!({
        "format": "corelab-results", "format_version": 1, "status": "complete",
        "experiment": { "name": "Contention", "workers": [1, 2],
                        "models": ["sequential", "threads", "processes"] },
        "cells": [cell("sequential", 1, 0.0002), cell("threads", 2, 0.0004),
                  cell("processes", 2, 0.5)],
    });
    std::fs::write(d.join("c.json"), file.to_string()).unwrap();
    let out = corelab(
        d,
        &["report", "c.json", "--chart", "time", "--svg", "auto.svg"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let svg = std::fs::read_to_string(d.join("auto.svg")).unwrap();
    assert!(
        svg.contains("(log scale)"),
        "0.2 ms next to 0.5 s: a log time axis"
    );
    let args = [
        "report",
        "c.json",
        "--chart",
        "time",
        "--svg",
        "lin.svg",
        "--y-scale",
        "linear",
    ];
    let out = corelab(d, &args);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let svg = std::fs::read_to_string(d.join("lin.svg")).unwrap();
    assert!(!svg.contains("(log scale)"));
}
