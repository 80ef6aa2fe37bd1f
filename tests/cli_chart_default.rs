#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab run` and `corelab report` draw the chart of the experiment's `view` when `--chart`
//! is not given (the lost-updates lessons' chart is the lost-updates one); `--chart` wins.

use std::path::Path;
use std::process::Output;

use corelab::preset::ResultsView;
use corelab::results::ResultsFile;

fn corelab(dir: &Path, args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_corelab"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs `args` in `dir`, which must succeed; returns its stderr.
fn ok(dir: &Path, args: &[&str]) -> String {
    let o = corelab(dir, args);
    assert!(o.status.success(), "{args:?}: {o:?}");
    stderr(&o)
}

/// The committed lost-updates results (threads racing on a counter), with `view` set.
fn lost_updates_results(view: Option<ResultsView>) -> ResultsFile {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut r = ResultsFile::load(&root.join("docs/lost-updates.json")).unwrap();
    r.experiment.view = view;
    r
}

#[test]
fn report_draws_the_chart_of_the_results_view_unless_chart_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    lost_updates_results(Some(ResultsView::LostUpdates))
        .save(&d.join("lesson.json"))
        .unwrap();
    lost_updates_results(None)
        .save(&d.join("old.json"))
        .unwrap();
    let mut timed = lost_updates_results(Some(ResultsView::Time));
    timed.experiment.name = "timed".into();
    timed.save(&d.join("timed.json")).unwrap();

    let err = ok(d, &["report", "lesson.json", "--svg", "a.svg"]);
    assert!(err.contains("lost-updates chart written to a.svg"), "{err}");
    let svg = std::fs::read_to_string(d.join("a.svg")).unwrap();
    assert!(svg.contains("increments lost"), "the lost-updates chart");

    let err = ok(
        d,
        &[
            "report",
            "lesson.json",
            "--chart",
            "speedup",
            "--svg",
            "b.svg",
        ],
    );
    assert!(
        err.contains("speedup chart written to b.svg"),
        "--chart wins: {err}"
    );

    // Results from before the field: the speedup chart, as before.
    let err = ok(d, &["report", "old.json", "--svg", "c.svg"]);
    assert!(err.contains("speedup chart written to c.svg"), "{err}");

    // Files whose views differ: none of them decides.
    let err = ok(
        d,
        &["report", "lesson.json", "timed.json", "--svg", "d.svg"],
    );
    assert!(err.contains("speedup chart written to d.svg"), "{err}");
    let err = ok(d, &["report", "timed.json", "--svg", "e.svg"]);
    assert!(err.contains("time chart written to e.svg"), "{err}");
}

/// A tiny preset of `kind` with `view`: a few milliseconds of work.
fn tiny_preset(dir: &Path, name: &str, task: &str, view: &str) -> String {
    let text = format!(
        r#"{{
  "version": 1,
  "name": "tiny {name}",
  "task": {task},
  "workers": [1, 2],
  "models": ["threads"],
  "repetitions": 1,
  "warmups": 0,
  "baseline": "same-model-one-worker",
  "view": "{view}"
}}"#
    );
    let file = format!("{name}.json");
    std::fs::write(dir.join(&file), text).unwrap();
    file
}

#[test]
fn run_draws_the_chart_of_the_preset_view_unless_chart_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let counter = r#"{"kind": "contention", "contention": {"sync": "none", "increments": 1000}}"#;
    let cpu = r#"{"kind": "cpu", "tasks": 4, "cpu": {"kernel": "primes", "size": 2000}}"#;
    let lost = tiny_preset(d, "lost", counter, "lost-updates");
    let table = tiny_preset(d, "table", cpu, "table");
    let time = tiny_preset(d, "time", cpu, "time");

    let err = ok(d, &["run", &lost, "-q", "--svg", "lost.svg"]);
    assert!(
        err.contains("lost-updates chart written to lost.svg"),
        "{err}"
    );
    let err = ok(
        d,
        &["run", &lost, "-q", "--chart", "time", "--svg", "t.svg"],
    );
    assert!(
        err.contains("time chart written to t.svg"),
        "--chart wins: {err}"
    );
    // A view that is no chart (the table) leaves the default at speedup.
    let err = ok(d, &["run", &table, "-q", "--svg", "table.svg"]);
    assert!(err.contains("speedup chart written to table.svg"), "{err}");
    let err = ok(d, &["run", &time, "-q", "--svg", "time.svg"]);
    assert!(err.contains("time chart written to time.svg"), "{err}");
}

#[test]
fn help_says_where_the_chart_default_comes_from() {
    let dir = tempfile::tempdir().unwrap();
    for command in ["run", "report"] {
        let o = corelab(dir.path(), &[command, "--help"]);
        let help = String::from_utf8_lossy(&o.stdout)
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            help.contains("Default: the chart of the preset's `view` where it names one"),
            "{command}: {help}"
        );
        assert!(help.contains("`--chart` wins"), "{command}");
    }
}
