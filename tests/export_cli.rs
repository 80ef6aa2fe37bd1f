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
