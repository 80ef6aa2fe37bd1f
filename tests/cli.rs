#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The headless command line, as a user runs it.

mod common;

use std::path::Path;
use std::process::Command;

use common::corelab_exe;
use corelab::results::{ResultsFile, RunStatus};

fn corelab(args: &[&str]) -> std::process::Output {
    Command::new(corelab_exe()).args(args).output().unwrap()
}

const TINY: &str = r#"{
  "version": 1,
  "name": "tiny",
  "task": {"kind": "cpu", "tasks": 8, "cpu": {"kernel": "primes", "size": 20000}},
  "workers": [1, 2],
  "models": ["sequential", "threads", "rayon", "processes"],
  "repetitions": 3,
  "warmups": 1
}"#;

#[test]
fn run_writes_results_and_csv_and_prints_a_table() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let csv = dir.path().join("s.csv");
    let o = corelab(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--csv",
        csv.to_str().unwrap(),
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains("[ 7/7]"),
        "a progress line per cell: {stderr}"
    );
    assert!(stdout.contains("baseline: median wall time of the sequential model"));
    let results = ResultsFile::load(&out).unwrap();
    assert_eq!(results.status, RunStatus::Complete);
    assert_eq!(results.cells.len(), 7);
    assert!(
        results
            .cells
            .iter()
            .all(|c| c.samples.len() == 3 && c.warmups.len() == 1)
    );
    assert!(results.machine.logical_cores >= 1);
    assert!(!results.machine.cpu_brand.is_empty());
    let raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(raw["cells"][1]["samples"][0]["wall_s"].as_f64().unwrap() > 0.0);
    let csv = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(csv.lines().count(), 8);
    assert!(
        csv.lines()
            .nth(1)
            .unwrap()
            .starts_with("sequential,1,ok,3,")
    );
}

#[test]
fn run_accepts_builtin_names_and_overrides() {
    let _g = common::exclusive();
    let o = corelab(&[
        "run",
        "io-threads-vs-processes",
        "--workers",
        "2",
        "--models",
        "threads",
        "--repetitions",
        "1",
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("threads"));
    // --quiet drops the progress lines; a warning about a busy machine may still be printed.
    let stderr = common::stderr_of_this_run(&o);
    assert!(
        stderr
            .lines()
            .all(|l| l.starts_with("Warning: the machine was busy")),
        "--quiet prints no progress: {stderr}"
    );
}

/// The note of what a killed corelab left is set aside only as a first line, and only in
/// corelab's own words.
#[test]
fn only_the_leftovers_note_is_set_aside_from_stderr() {
    use std::os::unix::process::ExitStatusExt;
    let output = |stderr: &str| std::process::Output {
        status: std::process::ExitStatus::from_raw(0),
        stdout: Vec::new(),
        stderr: stderr.as_bytes().to_vec(),
    };
    let note = corelab::engine::run_mark::leftovers_line(2, 7).unwrap();
    assert!(common::is_leftovers_note(&note), "{note}");
    assert_eq!(
        common::stderr_of_this_run(&output(&format!("{note}\nError: bad\n"))),
        "Error: bad\n"
    );
    // With processes still there after the wait, after what was stopped or alone.
    use corelab::engine::run_mark::{NotGone, Stop, leftovers_note};
    let not_gone = vec![NotGone {
        pid: 4242,
        state: Some('D'),
        parent: Some(1),
    }];
    for stop in [
        Stop {
            killed: vec![4242, 5],
            not_gone: not_gone.clone(),
        },
        Stop {
            killed: vec![4242],
            not_gone,
        },
    ] {
        let note = leftovers_note(&stop, 0).unwrap();
        assert!(common::is_leftovers_note(&note), "{note}");
        assert_eq!(
            common::stderr_of_this_run(&output(&format!("{note}\nError: bad\n"))),
            "Error: bad\n"
        );
    }
    for kept in [
        format!("Error: bad\n{note}\n"),
        "stopped 2 processes\nError: bad\n".to_string(),
        "Error: removed 1 file left by a corelab run\n".to_string(),
    ] {
        assert_eq!(common::stderr_of_this_run(&output(&kept)), kept);
    }
}

#[test]
fn a_bad_preset_is_a_clear_error_with_exit_code_1() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("bad.json");
    std::fs::write(&preset, r#"{"workers": [0]}"#).unwrap();
    let o = corelab(&["run", preset.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = common::stderr_of_this_run(&o);
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert!(stderr.contains("`workers[0]` = 0"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn broken_json_and_missing_files_do_not_panic() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("broken.json");
    std::fs::write(&preset, "{ this is not json").unwrap();
    for arg in [preset.to_str().unwrap(), "/nonexistent/x.json"] {
        let o = corelab(&["run", arg]);
        let stderr = common::stderr_of_this_run(&o);
        assert_eq!(o.status.code(), Some(1), "{stderr}");
        assert!(stderr.starts_with("Error: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[test]
fn an_unknown_model_override_is_refused_by_the_parser() {
    let o = corelab(&["run", "io-threads-vs-processes", "--models", "fibers"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown model \"fibers\""));
}

#[test]
fn model_names_may_have_spaces_after_commas_and_a_negative_worker_count_is_named() {
    // The models are read (spaces ignored, as --workers ignores them), so the refusal is the
    // negative count's, in corelab's words rather than clap's "unexpected argument".
    let o = corelab(&[
        "run",
        "io-threads-vs-processes",
        "--models",
        "threads, processes",
        "--workers",
        "-3",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("\"-3\": a worker count is at least 1"),
        "{stderr}"
    );
    let o = corelab(&[
        "run",
        "io-threads-vs-processes",
        "--models",
        "threads,,rayon",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("a model name is empty (two commas in a row?)"),
        "{stderr}"
    );
}

#[test]
fn presets_lists_the_builtins() {
    let o = corelab(&["presets"]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    let cores = corelab::preset::available_cores();
    for p in corelab::preset::builtin_presets() {
        // Each with its title and what its sweep will cost here, in the library's words.
        let exp = p.experiment().unwrap();
        let line = stdout
            .lines()
            .find(|l| l.split_whitespace().next() == Some(p.id))
            .unwrap_or_else(|| panic!("{} listed: {stdout}", p.id));
        assert!(line.contains(&exp.name), "{line}");
        let cost = corelab::engine::estimate::estimate(&exp, cores).words();
        assert!(line.ends_with(&cost), "{line} ends with {cost}");
    }
}

#[test]
fn the_worker_mode_answers_the_protocol() {
    use std::io::Write;
    let mut child = Command::new(corelab_exe())
        .arg("worker")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let task =
        serde_json::json!({"kind": "cpu", "tasks": 4, "cpu": {"kernel": "primes", "size": 100}});
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{}", serde_json::json!({"op": "configure", "task": task, "env": {"workers": 1, "scratch_dir": dir.path(), "shared_file": null}})).unwrap();
    for unit in 0..4 {
        writeln!(
            stdin,
            "{}",
            serde_json::json!({"op": "unit", "unit": unit, "deadline_ms": 10000})
        )
        .unwrap();
    }
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["op"], "ready");
    assert_eq!(lines[1]["op"], "configured");
    let total: u64 = lines[2..]
        .iter()
        .map(|l| l["checksum"].as_u64().unwrap())
        .sum();
    assert_eq!(total, 1060, "sum of primes below 100");
}

/// `corelab run … | head` closes the pipe early: no panic, and the results file is written.
#[test]
fn a_reader_that_stops_early_is_not_an_error() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let mut child = Command::new(corelab_exe())
        .args(["run", preset.to_str().unwrap(), "-q", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader is gone before anything is printed
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(ResultsFile::load(&out).unwrap().status, RunStatus::Complete);
}

/// Writes an executable script.
fn script(path: &std::path::Path, body: &str) {
    corelab::safe_fs::write_executable(path, body).unwrap();
}

#[test]
fn a_sweep_whose_cells_all_fail_exits_non_zero_naming_them() {
    let dir = tempfile::tempdir().unwrap();
    // An "interpreter" that passes the version check and then fails to start the worker.
    script(
        &dir.path().join("fakepy"),
        "#!/bin/sh\nif [ \"$1\" = -c ] || [ \"$2\" = -c ]; then\n  echo '{\"version\": \"3.12.1\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n  exit 0\nfi\necho 'no worker here' >&2\nexit 7\n",
    );
    let preset = dir.path().join("py.json");
    std::fs::write(
        &preset,
        r#"{"version": 1, "name": "all fail", "task": {"kind": "cpu", "tasks": 4, "cpu": {"size": 1000}},
            "workers": [1, 2], "models": ["py-threading"], "baseline": "same-model-one-worker",
            "repetitions": 1, "warmups": 0, "python": {"interpreter": "./fakepy"}}"#,
    )
    .unwrap();
    let out = dir.path().join("r.json");
    // Run from another directory: `./fakepy` is the preset's neighbour, for the version check
    // and for the worker alike.
    let elsewhere = tempfile::tempdir().unwrap();
    let o = Command::new(corelab_exe())
        .args([
            "run",
            preset.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    let fakepy = dir.path().join("fakepy");
    assert!(
        stderr.contains(&format!("Python models: {} 3.12.1", fakepy.display())),
        "the interpreter is resolved against the preset's directory: {stderr}"
    );
    assert!(
        stderr.contains("2 of 2 cells failed: py-threading × 1, py-threading × 2"),
        "{stderr}"
    );
    assert!(!stderr.contains("No such file"), "{stderr}");
    let results = ResultsFile::load(&out).unwrap();
    // The sweep ended, but nothing was measured: `failed`, not `complete`.
    assert_eq!(results.status, RunStatus::Failed);
    assert!(
        results
            .cells
            .iter()
            .all(|c| c.status == corelab::results::CellStatus::Failed)
    );
}

#[test]
fn a_relative_interpreter_is_resolved_once_or_the_run_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("py.json");
    std::fs::write(
        &preset,
        r#"{"models": ["py-threading"], "workers": [1], "python": {"interpreter": "./missing-py"}}"#,
    )
    .unwrap();
    let o = corelab(&["run", preset.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    let resolved = dir.path().join("missing-py");
    assert!(
        stderr.contains(&format!("`{}` was not found", resolved.display())),
        "{stderr}"
    );
    assert!(
        !stderr.contains("cells,"),
        "refused before the sweep: {stderr}"
    );
}

#[test]
fn unusable_outputs_are_refused_before_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let fifo = dir.path().join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let missing = dir.path().join("missing/r.json");
    let under_file = file.join("r.json");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--out", missing.to_str().unwrap()], "is not usable"),
        (
            vec!["--csv", under_file.to_str().unwrap()],
            "is not a directory",
        ),
        (
            vec!["--svg", dir.path().to_str().unwrap()],
            "is a directory",
        ),
        (
            vec!["--markdown", fifo.to_str().unwrap()],
            "not a regular file",
        ),
        (
            vec![
                "--out",
                file.to_str().unwrap(),
                "--png",
                file.to_str().unwrap(),
            ],
            "each output needs its own file",
        ),
        (
            vec!["--png", "/tmp/never-written.png", "--width", "10"],
            "chart size 10×700",
        ),
    ];
    for (extra, expected) in cases {
        // The longest built-in sweep: had it started, the test would take minutes.
        let mut args = vec!["run", "cpu-threads-vs-processes"];
        args.extend(&extra);
        let o = corelab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {stderr}");
        assert!(stderr.contains("Error: "), "{extra:?}: {stderr}");
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(
            !stderr.contains("runs ("),
            "{extra:?}: refused before the sweep started: {stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "");
    assert!(!Path::new("/tmp/never-written.png").exists());
}

#[test]
fn a_second_run_on_a_locked_out_is_refused() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    // What a running `corelab run --out r.json` holds.
    let lock_path = corelab::cli::output_lock_path(&out).unwrap();
    let mut lock = std::fs::File::create(&lock_path).unwrap();
    corelab::sys::flock(&lock, corelab::sys::Lock::ExclusiveNow).unwrap();
    writeln!(lock, "4242").unwrap();
    let o = corelab(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("another corelab run (pid 4242) is writing"),
        "{stderr}"
    );
    assert!(!out.exists(), "the other run's file is left alone");

    // Released: the next run goes ahead, and removes the lock file at the end.
    drop(lock);
    let _g = common::exclusive();
    let o = corelab(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.exists());
    assert!(!lock_path.exists());
    // Nothing but the results beside them.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["r.json", "tiny.json"]);
    // The same file by another name is the same lock.
    assert_eq!(
        corelab::cli::output_lock_path(&dir.path().join("./r.json")).unwrap(),
        lock_path
    );
    assert_ne!(
        corelab::cli::output_lock_path(&dir.path().join("other.json")).unwrap(),
        lock_path
    );
}

/// The lock is keyed on the file a run replaces, not on the path as typed: a symbolic link
/// to `--out` (or a chain of them, or a link to its directory), `./r.json` and
/// `d/../r.json` are the same lock, and a run through another name is refused.
#[test]
fn every_name_of_one_out_file_shares_its_lock() {
    use std::io::Write as _;
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::fs::write(d.join("r.json"), EARLIER).unwrap();
    symlink("r.json", d.join("link.json")).unwrap();
    symlink("link.json", d.join("link-to-link.json")).unwrap();
    symlink(d.join("r.json"), d.join("sub/absolute-link.json")).unwrap();
    symlink(".", d.join("here")).unwrap();
    let lock = |p: &str| corelab::cli::output_lock_path(&d.join(p)).unwrap();
    let key = lock("r.json");
    for name in [
        "./r.json",
        "sub/../r.json",
        "link.json",
        "link-to-link.json",
        "sub/absolute-link.json",
        "here/r.json",
        "here/link.json",
    ] {
        assert_eq!(lock(name), key, "{name}");
    }
    assert_ne!(lock("other.json"), key);
    assert_ne!(lock("sub/r.json"), key);
    // A file not written yet: its names agree too.
    assert_eq!(lock("sub/../new.json"), lock("here/new.json"));

    // A run on the link is refused while another run holds r.json, and r.json is left alone.
    let preset = d.join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let mut held = std::fs::File::create(&key).unwrap();
    corelab::sys::flock(&held, corelab::sys::Lock::ExclusiveNow).unwrap();
    writeln!(held, "4343").unwrap();
    for name in ["link.json", "here/r.json"] {
        let o = corelab(&[
            "run",
            preset.to_str().unwrap(),
            "--out",
            d.join(name).to_str().unwrap(),
        ]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {stderr}");
        assert!(
            stderr.contains("another corelab run (pid 4343) is writing"),
            "{name}: {stderr}"
        );
    }
    assert_eq!(std::fs::read_to_string(d.join("r.json")).unwrap(), EARLIER);
    std::fs::remove_file(&key).ok();
}

#[test]
fn a_builtin_name_wins_over_a_file_of_that_name_and_says_so() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gil-io-bound"), "{ not a preset").unwrap();
    std::fs::write(dir.path().join("mine"), TINY).unwrap();
    let run_in_dir = |args: &[&str]| {
        Command::new(corelab_exe())
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let o = run_in_dir(&[
        "run",
        "gil-io-bound",
        "--workers",
        "1",
        "--models",
        "threads",
        "--repetitions",
        "1",
        "--min-time",
        "0",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "Preset: the built-in preset gil-io-bound (not the file gil-io-bound in this directory"
        ),
        "{stderr}"
    );
    // With a path separator it is the file (here a broken one).
    let o = run_in_dir(&["run", "./gil-io-bound"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot use preset ./gil-io-bound"),
        "{stderr}"
    );
    // A bare name that is no built-in is not taken for the file: the message says how.
    let o = run_in_dir(&["run", "mine"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("\"mine\" is not a built-in preset (a file mine exists here: write ./mine"),
        "{stderr}"
    );
    let o = run_in_dir(&["run", "./mine", "-q"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_results_file_that_cannot_be_written_is_a_save_failed_event() {
    use corelab::engine::{CancelToken, SweepConfig, SweepEvent, WorkerCommand, run_sweep};
    use corelab::preset::{Experiment, ModelKind};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gone/r.json");
    let mut config = SweepConfig::new(WorkerCommand::new(corelab_exe()));
    config.partial_results = Some(path.clone());
    let mut exp = Experiment {
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        workers: vec![2],
        repetitions: 2,
        warmups: 0,
        ..Experiment::default()
    };
    exp.task.tasks = 4;
    exp.task.cpu.size = 1000;
    let mut failures = Vec::new();
    let results = run_sweep(&exp, &config, &CancelToken::new(), &mut |e| {
        if let SweepEvent::SaveFailed { path, reason } = e {
            failures.push((path, reason));
        }
    });
    // One per round (two repetitions: two rounds) and one at the end, each naming the file
    // and the reason.
    assert_eq!(failures.len(), 3, "{failures:?}");
    assert!(
        failures
            .iter()
            .all(|(p, r)| *p == path && r.contains("No such file"))
    );
    assert_eq!(results.status, RunStatus::Complete);
}

#[test]
fn report_refuses_to_overwrite_its_input_or_write_into_a_missing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("r.json");
    std::fs::write(&input, "{}").unwrap();
    let o = corelab(&[
        "report",
        input.to_str().unwrap(),
        "--markdown",
        input.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("is both an input and an output"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "{}");
    let o = corelab(&[
        "report",
        input.to_str().unwrap(),
        "--svg",
        dir.path().join("no/such/dir.svg").to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--svg"), "{stderr}");
}

/// `--trace` is an output like the others: checked before the sweep, never the file of another
/// output, and no output may replace the preset the run reads.
#[test]
fn the_trace_and_the_preset_file_are_checked_before_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let missing = dir.path().join("nodir/t.json");
    let p = preset.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec![
                "--out",
                out.to_str().unwrap(),
                "--trace",
                out.to_str().unwrap(),
            ],
            "--trace",
        ),
        (vec!["--trace", missing.to_str().unwrap()], "is not usable"),
        (
            vec!["--trace", dir.path().to_str().unwrap()],
            "is a directory",
        ),
        (vec!["--out", p], "is both an input and an output"),
        (vec!["--markdown", p], "is both an input and an output"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["run", p];
        args.extend(&extra);
        let o = corelab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{extra:?}: {stderr}");
        let last = stderr.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("Error: --"),
            "{extra:?}: one line: {stderr}"
        );
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(
            !stderr.contains("runs ("),
            "{extra:?}: before the sweep: {stderr}"
        );
    }
    assert!(!out.exists());
    assert_eq!(std::fs::read_to_string(&preset).unwrap(), TINY);
}

/// The files in `dir` whose name starts with `prefix`, sorted.
fn files_starting_with(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(prefix))
        .collect();
    names.sort();
    names
}

/// A results file from an earlier run, which the next run on the same `--out` must not lose
/// (told as one by its `format`, which is all `--out` asks of a file it may replace).
const EARLIER: &str =
    "{\"format\": \"corelab-results\", \"note\": \"earlier results, byte for byte\"}\n";

#[test]
fn an_earlier_out_is_kept_when_every_cell_fails() {
    let dir = tempfile::tempdir().unwrap();
    script(
        &dir.path().join("fakepy"),
        "#!/bin/sh\nif [ \"$1\" = -c ] || [ \"$2\" = -c ]; then\n  echo '{\"version\": \"3.12.1\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n  exit 0\nfi\nexit 7\n",
    );
    let preset = dir.path().join("py.json");
    std::fs::write(
        &preset,
        r#"{"task": {"kind": "cpu", "tasks": 4, "cpu": {"size": 1000}}, "workers": [1],
            "models": ["py-threading"], "baseline": "same-model-one-worker",
            "repetitions": 1, "warmups": 0, "python": {"interpreter": "./fakepy"}}"#,
    )
    .unwrap();
    let out = dir.path().join("keep.json");
    std::fs::write(&out, EARLIER).unwrap();
    let o = corelab(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), EARLIER);
    let partial = files_starting_with(dir.path(), "keep.partial-");
    assert_eq!(partial.len(), 1, "{partial:?}");
    let partial = dir.path().join(&partial[0]);
    assert!(
        stderr.contains(&format!(
            "this run's results are in {}: every cell failed, so {} keeps its earlier results",
            partial.display(),
            out.display()
        )),
        "{stderr}"
    );
    let results = ResultsFile::load(&partial).unwrap();
    assert_eq!(results.status, RunStatus::Failed);
    assert_eq!(
        results.cells[0].status,
        corelab::results::CellStatus::Failed
    );
}

#[test]
fn an_earlier_out_is_replaced_by_a_complete_run_and_nothing_is_left_beside_it() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("keep.json");
    std::fs::write(&out, EARLIER).unwrap();
    let o = corelab(&[
        "run",
        preset.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--models",
        "sequential",
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(ResultsFile::load(&out).unwrap().status, RunStatus::Complete);
    assert_eq!(
        files_starting_with(dir.path(), ""),
        ["keep.json", "tiny.json"]
    );
}

/// A full disk, made deterministic: files may grow to 2 KiB at most (`ulimit -f 4`, in 512-byte
/// blocks). corelab itself ignores SIGXFSZ (the shell does not), so the write fails with
/// EFBIG ("File too large") and is reported, instead of a silent kill (exit 153) that leaves
/// hidden temporary files and a partial file behind.
#[test]
fn an_earlier_out_is_kept_when_saving_fails() {
    let dir = tempfile::tempdir().unwrap();
    // corelab fails mid-save: its scratch, lock and rescue copy stay in a directory of its own.
    let tmp = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("keep.json");
    std::fs::write(&out, EARLIER).unwrap();
    let csv = dir.path().join("s.csv");
    let o = Command::new("sh")
        .arg("-c")
        .arg("ulimit -f 4 && exec \"$0\" \"$@\"")
        .arg(corelab_exe())
        .args([
            "run",
            preset.to_str().unwrap(),
            "--models",
            "sequential",
            "--csv",
        ])
        .arg(&csv)
        .arg("--out")
        .arg(&out)
        .env("TMPDIR", tmp.path())
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "not killed by SIGXFSZ: {stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), EARLIER);
    // The other outputs are still written (the summary fits in the 2 KiB).
    let summary = std::fs::read_to_string(&csv).unwrap();
    assert!(summary.lines().count() >= 2, "{summary}");
    assert!(
        stderr.contains(&format!("summary written to {}", csv.display())),
        "{stderr}"
    );
    let last = stderr.lines().last().unwrap();
    // The rescue copy in the temporary directory fails under the same `ulimit -f`, and says so.
    assert!(
        last.starts_with(&format!(
            "Error: cannot save the results to {}: File too large (os error 27); {} keeps its earlier results; nor could they be saved to the temporary directory (",
            out.display(),
            out.display()
        )),
        "{stderr}"
    );
    assert!(
        last.ends_with(".json: File too large (os error 27))"),
        "{stderr}"
    );
    // The failure is said once, not after every round.
    assert_eq!(stderr.matches("keep.partial-").count(), 1, "{stderr}");
    // Nothing that holds no results is left beside it.
    assert_eq!(
        files_starting_with(dir.path(), ""),
        ["keep.json", "s.csv", "tiny.json"]
    );
    // The rescue copy was tried in corelab's temporary directory, and its partial file removed.
    assert!(
        last.contains(&format!("({}/corelab-rescued-", tmp.path().display())),
        "{stderr}"
    );
    assert_eq!(
        files_starting_with(tmp.path(), "corelab-rescued-"),
        Vec::<String>::new()
    );
}

/// `corelab run … 2>&1 | head` closes stderr early: the run goes on, finishes its files and
/// exits 0; `report` too.
#[test]
fn a_closed_stderr_stops_nothing() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let csv = dir.path().join("s.csv");
    let closed_stderr = |args: &[&std::ffi::OsStr]| {
        let mut child = Command::new(corelab_exe())
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stderr.take()); // nobody reads stderr any more
        child.wait().unwrap()
    };
    let status = closed_stderr(&[
        "run".as_ref(),
        preset.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
        "--csv".as_ref(),
        csv.as_os_str(),
    ]);
    assert!(status.success(), "{status:?}");
    assert_eq!(ResultsFile::load(&out).unwrap().status, RunStatus::Complete);
    assert!(csv.exists());
    let md = dir.path().join("r.md");
    let svg = dir.path().join("r.svg");
    let status = closed_stderr(&[
        "report".as_ref(),
        out.as_os_str(),
        "--markdown".as_ref(),
        md.as_os_str(),
        "--svg".as_ref(),
        svg.as_os_str(),
    ]);
    assert!(status.success(), "{status:?}");
    assert!(md.exists() && svg.exists());
}

/// `--precision` overrides the preset's target: 0 turns it off (exactly the repetitions, with
/// `--min-time 0`), a percentage turns it on (every cell then takes at least 6 runs).
#[test]
fn precision_is_overridden_on_the_command_line() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("precise.json");
    std::fs::write(
        &preset,
        r#"{"task": {"kind": "cpu", "tasks": 4, "cpu": {"size": 2000}}, "workers": [1],
            "models": ["sequential"], "repetitions": 2, "warmups": 0, "precision": 0.02}"#,
    )
    .unwrap();
    let out = dir.path().join("r.json");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "run",
            preset.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(extra);
        let o = corelab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(o.status.success(), "{stderr}");
        let runs = ResultsFile::load(&out).unwrap().cells[0].samples.len();
        (stderr, runs)
    };
    let (stderr, runs) = run(&["--precision", "0", "--min-time", "0"]);
    assert_eq!(runs, 2, "{stderr}");
    assert!(stderr.contains("(0 warm-up + 2 timed each)"), "{stderr}");
    let (stderr, runs) = run(&["--precision", "5"]);
    assert!(runs >= 6, "{runs} runs: {stderr}");
    assert!(
        stderr.contains(
            ", more until the median's 95% CI is within ±5.0% or the cell's timed runs have taken"
        ),
        "{stderr}"
    );
    let o = corelab(&["run", preset.to_str().unwrap(), "--precision", "80"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not a percentage from 0 to 50"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Standard output on a full disk (`>/dev/full`): one error line and exit status 1, for every
/// command that prints (a reader that went away, `| head`, stays quiet and 0: see above).
#[test]
fn a_failed_write_to_stdout_is_one_error_and_exit_status_1() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let to_full = |args: &[&str]| {
        Command::new(corelab_exe())
            .args(args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap()
    };
    let p = preset.to_str().unwrap();
    let o_path = out.to_str().unwrap();
    for args in [
        vec!["run", p, "--models", "sequential", "-q", "--out", o_path],
        vec!["report", o_path],
        vec!["presets"],
    ] {
        let o = to_full(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert_eq!(
            stderr.matches("cannot write to standard output").count(),
            1,
            "{args:?}: {stderr}"
        );
        assert!(
            stderr.contains("Error: cannot write to standard output: No space left on device"),
            "{args:?}: {stderr}"
        );
    }
    // The run still saved its results.
    assert_eq!(ResultsFile::load(&out).unwrap().status, RunStatus::Complete);
}

/// An operating-system error is said once, not once per layer that mentions it.
#[test]
fn os_errors_are_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let binary = dir.path().join("binary.json");
    std::fs::write(&binary, b"\xff\xfe\x00").unwrap();
    let missing = dir.path().join("nosuch.json");
    for (arg, reason) in [
        (missing.to_str().unwrap(), "No such file or directory"),
        (
            dir.path().to_str().unwrap(),
            "it is a directory, not a regular file",
        ),
        (binary.to_str().unwrap(), "not UTF-8 text"),
    ] {
        for args in [vec!["run", arg], vec!["report", arg]] {
            let o = corelab(&args);
            let stderr = common::stderr_of_this_run(&o);
            assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
            assert_eq!(stderr.matches(reason).count(), 1, "{args:?}: {stderr}");
        }
    }
}

/// The exit statuses `run --help` lists are the ones `run` gives: a sweep whose every cell
/// failed exits 3 (see `a_sweep_whose_cells_all_fail_exits_non_zero_naming_them`), so 1 does
/// not claim "nothing measured".
#[test]
fn run_help_states_the_exit_statuses_it_gives() {
    let o = corelab(&["run", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout).replace('\n', " ");
    assert!(
        help.contains("3 the sweep ended but some or all of its cells failed"),
        "{help}"
    );
    assert!(!help.contains("nothing measured"), "{help}");
}

/// The numeric flags are refused by the parser (exit 2) with the range validation allows,
/// not the range of their integer type.
#[test]
fn numeric_flags_state_the_range_they_accept() {
    for (args, expected) in [
        (
            vec!["run", "start-here", "--repetitions=-1"],
            "-1 is not in 1..=1000",
        ),
        (
            vec!["run", "start-here", "--repetitions", "0"],
            "0 is not in 1..=1000",
        ),
        (
            vec!["run", "start-here", "--workers", "1,0"],
            "0 is not in 1..=1024",
        ),
        (
            vec!["run", "start-here", "--min-time", "4000"],
            "not a number of seconds from 0 to 3600",
        ),
        (vec!["selftest", "--workers", "0"], "0 is not in 1..=256"),
    ] {
        let o = corelab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
}

/// `--workers` reads the workbench's worker-list syntax (ranges, spaces) through the same
/// parser, and its errors quote the part it could not read (exit 2, nothing run).
#[test]
fn workers_take_the_workbench_s_list_syntax() {
    for (value, expected) in [
        ("1-x", "\"1-x\" is not a range like 1-8"),
        ("4..2", "\"4..2\": a range runs from 1 or more upwards"),
        ("1,two", "\"two\" is not a whole number"),
        ("1-100", "\"1-100\" has more than 64 counts"),
        ("1020-1030", "1030 is not in 1..=1024"),
    ] {
        let o = corelab(&["run", "start-here", "--workers", value]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{value}: {stderr}");
        assert!(stderr.contains(expected), "{value}: {stderr}");
        assert!(o.stdout.is_empty(), "{value}: nothing measured");
    }
    // A range is read and expanded: 600..=601 reaches the preset's own limit (exit 1, named
    // by its first count), which a list of two counts would too.
    for value in ["600-601", "600..601", "600 601"] {
        let o = corelab(&["run", "start-here", "--workers", value]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{value}: {stderr}");
        assert!(
            stderr.contains("`workers[0]` = 600: at most 512 workers"),
            "{value}: {stderr}"
        );
    }
}

/// A value inside the parser's limits that this preset cannot take (its limit depends on the
/// task and the models) is refused as a bad preset value is, naming the field (exit 1), before
/// anything runs: the rule the README states beside the parser's exit 2.
#[test]
fn a_value_the_preset_cannot_take_is_refused_as_a_preset_error() {
    for (args, expected) in [
        (
            vec!["run", "start-here", "--workers", "600"],
            "at most 512 workers",
        ),
        (
            vec!["run", "cpu-threads-vs-processes", "--workers", "300"],
            "the processes model starts at most 256 children",
        ),
    ] {
        let o = corelab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(
            stderr.contains("with the command-line overrides") && stderr.contains(expected),
            "{args:?}: {stderr}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: nothing measured");
    }
}

/// `report`'s messages name the file and say in words what is wrong with it.
#[test]
fn report_names_the_file_and_says_what_it_is_in_words() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join("r.json");
    let o = corelab(&[
        "run",
        preset.to_str().unwrap(),
        "--models",
        "sequential",
        "-q",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut raw: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    raw["format_version"] = 2.into();
    let newer = dir.path().join("newer.json");
    std::fs::write(&newer, raw.to_string()).unwrap();
    let o = corelab(&["report", newer.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert_eq!(
        stderr.trim_end(),
        format!(
            "Error: cannot use {0} for a report: {0} is a corelab results file of a newer format \
             (`format_version` = 2) than this corelab reads (1 to 1): open it with a newer corelab",
            newer.display()
        )
    );
    raw["format_version"] = 1.into();
    raw["status"] = "incomplete".into();
    let partial = dir.path().join("h2.json");
    std::fs::write(&partial, raw.to_string()).unwrap();
    let o = corelab(&["report", partial.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "note: h2 is not a complete run: the sweep was still running or was killed; \
             it holds the rounds saved so far"
        ),
        "{stderr}"
    );

    // Two files, one named with control characters: the "== label" lines escape them.
    raw["status"] = "complete".into();
    raw["experiment"]["name"] = "evil\u{1b}[31mRED\r\nX".into();
    let evil = dir.path().join("evil.json");
    std::fs::write(&evil, raw.to_string()).unwrap();
    let o = corelab(&["report", evil.to_str().unwrap(), out.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        !stdout.contains('\u{1b}') && !stdout.contains('\r'),
        "{stdout:?}"
    );
    let header = stdout
        .lines()
        .find(|l| l.starts_with("== ") && l.contains("evil"))
        .expect("a header line for the evil file");
    assert!(
        header.ends_with(": evil\\u{1b}[31mRED\\u{d} X"),
        "one line, the whole name: {header:?}"
    );
}

/// An interpreter that fails without a word gets a reason; `selftest`'s hints name its own
/// flag, `--python`, not the preset field.
#[test]
fn interpreter_messages_give_a_reason_and_the_right_setting() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("py.json");
    std::fs::write(
        &preset,
        r#"{"models": ["py-threading"], "workers": [1], "python": {"interpreter": "/bin/false"}}"#,
    )
    .unwrap();
    let o = corelab(&["run", preset.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "`/bin/false` failed (exit status: 1): it printed no reason; is it a Python 3 interpreter?"
        ),
        "{stderr}"
    );
    let _g = common::exclusive();
    let o = corelab(&[
        "selftest",
        "--workers",
        "1",
        "--python",
        "/nonexistent/python",
    ]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(stderr.contains("pass --python INTERPRETER"), "{stderr}");
    assert!(!stderr.contains("python.interpreter"), "{stderr}");
    // Like `run`, it says whether other programs competed for the cores (whichever it was).
    let load = stderr.lines().last().unwrap_or_default();
    assert!(
        [
            "Load: quiet (",
            "Warning: the machine was busy (",
            "Note: too short to tell"
        ]
        .iter()
        .any(|start| load.starts_with(start))
            && load.contains("cores corelab could use"),
        "{stderr}"
    );
}

/// Another name of the same file (a symlink, a hard link) is the same file: `report` never
/// writes over its input through it, and `run` never names one file twice.
#[test]
fn symlinks_and_hard_links_do_not_bypass_the_input_and_output_checks() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = d.join("a.json");
    std::fs::write(&input, "{}").unwrap();
    std::os::unix::fs::symlink(&input, d.join("alias.json")).unwrap();
    std::fs::hard_link(&input, d.join("hard.json")).unwrap();
    std::fs::write(d.join("tiny.json"), TINY).unwrap();
    std::os::unix::fs::symlink(d.join("tiny.json"), d.join("preset-link.json")).unwrap();
    std::fs::write(d.join("r.json"), "").unwrap();
    std::os::unix::fs::symlink(d.join("r.json"), d.join("r-link.csv")).unwrap();
    let s = |name: &str| d.join(name).to_str().unwrap().to_string();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec![
                "report".into(),
                s("alias.json"),
                "--svg".into(),
                s("a.json"),
            ],
            "is both an input and an output",
        ),
        (
            vec![
                "report".into(),
                s("a.json"),
                "--markdown".into(),
                s("alias.json"),
            ],
            "is both an input and an output",
        ),
        (
            vec!["report".into(), s("hard.json"), "--png".into(), s("a.json")],
            "is both an input and an output",
        ),
        (
            vec![
                "run".into(),
                s("tiny.json"),
                "--out".into(),
                s("preset-link.json"),
            ],
            "is both an input and an output",
        ),
        (
            vec![
                "run".into(),
                s("tiny.json"),
                "--out".into(),
                s("r.json"),
                "--csv".into(),
                s("r-link.csv"),
            ],
            "each output needs its own file",
        ),
    ];
    for (args, expected) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = corelab(&args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "{}");
    assert_eq!(std::fs::read_to_string(d.join("tiny.json")).unwrap(), TINY);
    assert_eq!(std::fs::read_to_string(d.join("r.json")).unwrap(), "");
}

/// A relative program path in a preset's command (`./bench.sh`) is the program beside the
/// preset, as its interpreter and function module are, whatever directory corelab runs in.
#[test]
fn a_relative_command_is_the_program_beside_the_preset() {
    let presets = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    script(
        &presets.path().join("bench.sh"),
        "#!/bin/sh\necho ran >> \"$(dirname \"$0\")/ran.log\"\n",
    );
    // A decoy of the same name where corelab is started: it must not be the one run.
    script(
        &elsewhere.path().join("bench.sh"),
        "#!/bin/sh\necho decoy >> \"$(dirname \"$0\")/ran.log\"\n",
    );
    let preset = presets.path().join("cmd.json");
    std::fs::write(
        &preset,
        r#"{"version": 1, "name": "relative command",
            "task": {"kind": "command", "tasks": 2, "command": {"argv": ["./bench.sh"]}},
            "workers": [1], "models": ["sequential"], "repetitions": 1, "warmups": 0}"#,
    )
    .unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_corelab"))
        .current_dir(elsewhere.path())
        .args(["run", preset.to_str().unwrap(), "-q"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let ran = std::fs::read_to_string(presets.path().join("ran.log")).unwrap_or_default();
    assert_eq!(
        ran.lines().count(),
        2,
        "the preset's program, once per task"
    );
    assert!(!elsewhere.path().join("ran.log").exists(), "not the decoy");
}

#[test]
fn presets_estimates_for_another_machine_s_cores() {
    // On 16 cores "auto" sweeps 1, 2, 4, 8, 16: sequential once plus three models at five
    // worker counts, whatever this machine has.
    let o = corelab(&["presets", "--cores", "16"]);
    assert!(o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("cpu-threads-vs-processes "))
        .unwrap();
    assert!(line.contains(" 16 cells, about "), "{line}");
    let o = corelab(&["presets", "--cores", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("'0'"));
}

#[test]
fn run_says_how_long_the_sweep_will_take_where_the_preset_fixes_it() {
    let dir = tempfile::tempdir().unwrap();
    // 4 sleeps of 50 ms, sequential only, 2 runs: 0.4 s of runs, "about 1 s in all".
    let preset = dir.path().join("sleeps.json");
    std::fs::write(
        &preset,
        r#"{"task": {"kind": "io", "tasks": 4, "io": {"mode": "sleep", "sleep_ms": 50}},
            "workers": [1], "models": ["sequential"], "repetitions": 2, "warmups": 0,
            "min_time_s": 0}"#,
    )
    .unwrap();
    let o = corelab(&["run", preset.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("1 cell, 2 runs (0 warm-up + 2 timed each); about 1 s in all"),
        "{stderr}"
    );
    // Sized in work units: no figure is made up, and the line says so.
    let cpu = dir.path().join("cpu.json");
    std::fs::write(
        &cpu,
        r#"{"task": {"kind": "cpu", "tasks": 4, "cpu": {"size": 2000}}, "workers": [1],
            "models": ["sequential"], "repetitions": 2, "warmups": 0, "min_time_s": 0}"#,
    )
    .unwrap();
    let o = corelab(&["run", cpu.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("timed each); time unknown until it runs\n"),
        "{stderr}"
    );
    assert!(!stderr.contains("in all"), "{stderr}");
}

/// A preset, results and outputs whose names are not UTF-8 and hold a newline, a space and a
/// leading dash: the preset is run (clap used to refuse the argument), the outputs land under
/// their exact names, the results file runs again, and stderr names them legibly on one line.
#[test]
fn file_names_that_are_not_utf8_are_run_and_written_under_their_exact_names() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join(OsStr::from_bytes(b"p\xff\n -x.json"));
    std::fs::write(&preset, TINY).unwrap();
    let out = dir.path().join(OsStr::from_bytes(b"-r\xff s.json"));
    let csv = dir.path().join(OsStr::from_bytes(b"c\xff.csv"));
    let o = Command::new(corelab_exe())
        .arg("run")
        .arg(&preset)
        .arg("--out")
        .arg(&out)
        .arg("--csv")
        .arg(&csv)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    let named = stderr
        .lines()
        .find(|l| l.starts_with("Preset: the file "))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(named.ends_with("p\u{fffd}\\n -x.json"), "{named:?}");
    assert!(ResultsFile::load(&out).is_ok());
    assert!(
        std::fs::read_to_string(&csv)
            .unwrap()
            .contains("sequential")
    );
    // The results file runs again, by its exact name.
    let o = Command::new(corelab_exe())
        .args(["run", "-q"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // A name that is not UTF-8 and not a path is no built-in preset, said legibly.
    let o = Command::new(corelab_exe())
        .arg("run")
        .arg(OsStr::from_bytes(b"p\xff"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("\"p\u{fffd}\" is not a built-in preset"),
        "{stderr}"
    );
}

/// `XDG_RUNTIME_DIR` naming a file (a broken session): `run --out` is refused before the
/// sweep, naming the variable to correct, and the earlier --out is untouched.
#[test]
fn a_runtime_directory_that_is_a_file_names_the_variable_to_correct() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("tiny.json");
    std::fs::write(&preset, TINY).unwrap();
    let not_a_dir = dir.path().join("runtime");
    std::fs::write(&not_a_dir, "x").unwrap();
    let out = dir.path().join("r.json");
    std::fs::write(&out, EARLIER).unwrap();
    let o = Command::new(corelab_exe())
        .env("XDG_RUNTIME_DIR", &not_a_dir)
        .env_remove("HOME")
        .arg("run")
        .arg(&preset)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("(in XDG_RUNTIME_DIR): Not a directory")
            && stderr.contains("point XDG_RUNTIME_DIR at a directory you can write"),
        "{stderr}"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), EARLIER);
}

#[test]
fn a_sweep_estimated_at_years_is_called_out_before_its_calibration() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("long.json");
    std::fs::write(
        &preset,
        r#"{"version": 1, "name": "long", "task": {"kind": "cpu"}, "workers": [1, 2, 3, 4],
            "models": ["sequential", "threads"], "repetitions": 1000, "warmups": 0,
            "target_run_s": 500, "timeout_s": 3600}"#,
    )
    .unwrap();
    // corelab is killed mid-run: what it leaves stays in a temporary directory of its own.
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new(corelab_exe())
        .args(["run", preset.to_str().unwrap()])
        .env("TMPDIR", tmp.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(child.stderr.take().unwrap()).lines() {
        let line = line.unwrap();
        let warned = line.starts_with("Warning: this sweep is estimated at about ");
        lines.push(line);
        if warned {
            break;
        }
    }
    // Stopped before it calibrates 500 s runs.
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    let warning = lines.last().unwrap();
    // 8 cells × 1 000 runs of 500 s: months.
    assert!(
        warning.contains(" days: ") || warning.contains(" years: "),
        "{lines:?}"
    );
    assert!(warning.contains("Cancel (Ctrl-C) keeps the cells measured so far"));
    assert!(
        !lines.iter().any(|l| l.contains("calibrat")),
        "the warning comes before the calibration: {lines:?}"
    );
    // Stopped like Ctrl-C: 128 + SIGTERM.
    assert_eq!(status.code(), Some(143), "{lines:?}");
}
