#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab run` interrupted by SIGINT or SIGTERM cancels like the workbench's Cancel: the cells
//! measured so far are saved with `"status": "cancelled"`, its worker processes and scratch
//! directories are gone, and the exit status is 128 + the signal.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{corelab_exe, is_alive, live_processes};
use corelab::preset::ModelKind;
use corelab::results::{CellStatus, ResultsFile, RunStatus};

/// An earlier results file on `--out`, which an interrupted run must leave byte for byte (told
/// as one by its `format`, which is all `--out` asks of a file it may replace).
const EARLIER: &str = "{\"format\": \"corelab-results\", \"note\": \"earlier results\"}\n";

/// Four cells (threads × 1, processes × 1, threads × 2, processes × 2) measured in interleaved
/// rounds, each run about 60–120 ms of sleeping tasks: after the first round (saved) the sweep
/// has many rounds to go, and the processes cells run in `corelab worker` children.
const SLOW: &str = r#"{
  "version": 1,
  "name": "interrupt me",
  "task": {"kind": "io", "tasks": 4, "io": {"mode": "sleep", "sleep_ms": 30}},
  "workers": [1, 2],
  "models": ["threads", "processes"],
  "baseline": "same-model-one-worker",
  "repetitions": 12,
  "warmups": 0
}"#;

/// Polls `what` every 20 ms for up to 60 s.
fn wait_for<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(60) {
        if let Some(v) = probe() {
            return v;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    panic!("timed out waiting for {what}");
}

fn children_of(pid: u32) -> Vec<u32> {
    live_processes()
        .into_iter()
        .filter(|&(_, ppid)| ppid == pid)
        .map(|(p, _)| p)
        .collect()
}

/// The timed runs in the saved file, once one exists (it is replaced atomically, so a read sees
/// a whole file or none).
fn runs_saved(out: &Path) -> Option<usize> {
    ResultsFile::load(out)
        .ok()
        .map(|r| r.cells.iter().map(|c| c.samples.len()).sum())
}

/// The partial file a run with an earlier `keep.json` in `dir` saves into, once its first
/// round (4 runs) is there.
fn first_round_saved_beside_keep(dir: &Path) -> std::path::PathBuf {
    wait_for("the first round to be saved beside keep.json", || {
        std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .find(|p| {
                let name = p.file_name().unwrap().to_string_lossy();
                name.starts_with("keep.partial-") && name.ends_with(".json")
            })
            .filter(|p| runs_saved(p).is_some_and(|n| n >= 4))
    })
}

/// What is left in the run's private temporary directory besides the (empty) lock directory.
fn leftovers(tmp: &Path) -> Vec<String> {
    let mut left = Vec::new();
    for e in std::fs::read_dir(tmp).unwrap().flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with("corelab-locks-") {
            for inner in std::fs::read_dir(e.path()).unwrap().flatten() {
                left.push(format!("{name}/{}", inner.file_name().to_string_lossy()));
            }
        } else {
            left.push(name);
        }
    }
    left
}

fn interrupt_mid_sweep(signal: &str, expected_code: i32) {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("slow.json");
    std::fs::write(&preset, SLOW).unwrap();
    let out = dir.path().join("r.json");
    // Its own temporary directory: every scratch directory and lock of the run is in there.
    let tmp = tempfile::tempdir().unwrap();
    let mut child: Child = Command::new(corelab_exe())
        .args([
            "run",
            preset.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .env("TMPDIR", tmp.path())
        .env_remove("XDG_RUNTIME_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    wait_for("the first round to be saved", || {
        runs_saved(&out).filter(|&n| n >= 4)
    });
    // The processes cell: its `corelab worker` children are running.
    let workers = wait_for("the worker processes", || {
        Some(children_of(pid)).filter(|c| !c.is_empty())
    });
    let kill = Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = wait_for("corelab to exit", || child.try_wait().unwrap());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status.code(), Some(expected_code), "{stderr}");
    assert!(stderr.contains(&format!("SIG{signal}")), "{stderr}");
    assert!(stderr.contains("\"status\": \"cancelled\""), "{stderr}");

    let results = ResultsFile::load(&out).unwrap();
    assert_eq!(results.status, RunStatus::Cancelled);
    // Interleaved rounds: every cell was started and measured before the signal, none had its
    // 12 runs, and every run measured so far is kept.
    assert_eq!(
        results.cells.len(),
        4,
        "every cell of the plan is in the file"
    );
    for cell in &results.cells {
        let runs = cell.samples.len();
        assert!(
            (1..12).contains(&runs),
            "{:?} × {}: {runs} runs",
            cell.model,
            cell.workers
        );
        assert_eq!(cell.status, CellStatus::Cancelled, "{:?}", cell.model);
        assert_eq!(
            cell.error.as_deref(),
            Some(format!("cancelled after {runs} timed runs").as_str())
        );
    }
    // The line says how many cells have runs, and how many runs were saved.
    let saved_runs: usize = results.cells.iter().map(|c| c.samples.len()).sum();
    assert!(
        stderr.contains(&format!(
            "4 of 4 cells have runs ({saved_runs} timed runs; 0 cells complete), saved to {}",
            out.display()
        )),
        "{stderr}"
    );
    let rounds: Vec<usize> = results.cells.iter().map(|c| c.samples.len()).collect();
    let (lo, hi) = (rounds.iter().min().unwrap(), rounds.iter().max().unwrap());
    assert!(
        hi - lo <= 1,
        "cells are measured round by round: {rounds:?}"
    );
    assert!(
        results
            .cells
            .iter()
            .any(|c| c.model == Some(ModelKind::Processes)),
        "the processes cells are there"
    );
    for w in workers {
        assert!(!is_alive(w), "worker {w} of corelab {pid} is still running");
    }
    assert_eq!(
        leftovers(tmp.path()),
        Vec::<String>::new(),
        "no scratch directory or lock file is left"
    );
    assert!(
        !tmp.path()
            .join(format!("corelab-locks-{}", corelab::sys::effective_uid()))
            .read_dir()
            .unwrap()
            .any(|_| true),
        "the lock on --out is released"
    );
}

#[test]
fn sigint_saves_the_cells_so_far_as_cancelled_and_leaves_no_children() {
    interrupt_mid_sweep("INT", 130);
}

#[test]
fn sigterm_cancels_the_same_way() {
    interrupt_mid_sweep("TERM", 143);
}

/// Not a signal, but the same sweep disturbed from outside: `--out` held earlier results at the
/// start, and another program put its notes there while the sweep measured. The last save does
/// not write over them: stderr says what `--out` holds now and where this run's results are.
#[test]
fn an_out_swapped_for_another_file_during_the_sweep_is_not_written_over() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("slow.json");
    std::fs::write(&preset, SLOW).unwrap();
    let out = dir.path().join("keep.json");
    std::fs::write(&out, EARLIER).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let child: Child = Command::new(corelab_exe())
        .args(["run", preset.to_str().unwrap(), "--out"])
        .arg(&out)
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let partial = first_round_saved_beside_keep(dir.path());
    let notes = "my notes, not results\n";
    std::fs::write(&out, notes).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), notes);
    assert!(
        stderr.contains("it now holds a file that is not a corelab results file"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{} holds what another program put there, and this run's are in {}",
            out.display(),
            partial.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("keeps its earlier results"), "{stderr}");
    let kept = ResultsFile::load(&partial).unwrap();
    assert_eq!(kept.status, RunStatus::Complete);
    assert_eq!(kept.cells.len(), 4);
}

/// An interrupted run never replaces an earlier `--out`: its cells go to a partial file beside
/// it, which stderr names.
#[test]
fn sigint_keeps_an_earlier_out_and_says_where_the_cells_are() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("slow.json");
    std::fs::write(&preset, SLOW).unwrap();
    let out = dir.path().join("keep.json");
    let earlier = EARLIER;
    std::fs::write(&out, earlier).unwrap();
    let csv = dir.path().join("s.csv");
    let svg = dir.path().join("s.svg");
    // Its own temporary directory: what a second signal's exit leaves there is not left in
    // the one other tests' corelab runs share.
    let tmp = tempfile::tempdir().unwrap();
    let mut child: Child = Command::new(corelab_exe())
        .args(["run", preset.to_str().unwrap(), "--out"])
        .arg(&out)
        .env("TMPDIR", tmp.path())
        .arg("--csv")
        .arg(&csv)
        .arg("--svg")
        .arg(&svg)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let partial = first_round_saved_beside_keep(dir.path());
    assert_eq!(std::fs::read_to_string(&out).unwrap(), earlier);
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = wait_for("corelab to exit", || child.try_wait().unwrap());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(status.code(), Some(130), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), earlier);
    assert!(
        stderr.contains(&format!(
            "saved to {} with \"status\": \"cancelled\" ({} keeps its earlier results)",
            partial.display(),
            out.display()
        )),
        "{stderr}"
    );
    assert_eq!(
        ResultsFile::load(&partial).unwrap().status,
        RunStatus::Cancelled
    );
    // The summary and chart are not made from a partial sweep, and stderr says so.
    assert!(!csv.exists() && !svg.exists());
    assert!(
        stderr.contains(&format!(
            "Not written, as the sweep was interrupted: --csv {0}, --svg {1} (`corelab report {2} --csv {0} --svg {1}` makes the CSV, charts and report from the cells saved)",
            csv.display(),
            svg.display(),
            partial.display()
        )),
        "{stderr}"
    );
}

/// A preset whose first run is a command that says it started (it creates `marker`) and then
/// waits: a signal sent once the marker exists arrives before any timed run has finished,
/// whatever the machine's speed (no sleep race).
fn waiting_preset(marker: &Path) -> String {
    serde_json::json!({
        "version": 1,
        "name": "stopped before it measured",
        "task": {"kind": "command", "tasks": 1, "command": {"argv": [
            "sh", "-c", format!("echo started > '{}'; exec sleep 60", marker.display())
        ]}},
        "workers": [1],
        "models": ["sequential"],
        "repetitions": 3,
        "warmups": 0,
        "min_time_s": 0
    })
    .to_string()
}

/// Starts `corelab run PRESET --out OUT`, waits for the first run's command to start, and
/// sends SIGINT; returns the exit status and stderr.
fn interrupt_first_run(dir: &Path, out: &Path) -> (Option<i32>, String) {
    let marker = dir.join("started");
    let preset = dir.join("wait.json");
    std::fs::write(&preset, waiting_preset(&marker)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let mut child: Child = Command::new(corelab_exe())
        .args(["run", preset.to_str().unwrap(), "--out"])
        .arg(out)
        .env("TMPDIR", tmp.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the first run's command to start", || {
        marker.exists().then_some(())
    });
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = wait_for("corelab to exit", || child.try_wait().unwrap());
    let output = child.wait_with_output().unwrap();
    (
        status.code(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// A signal before the first timed run leaves no results file with no cells in it: a new
/// `--out` is not created, and stderr says that nothing was measured, so nothing was saved.
#[test]
fn a_signal_before_the_first_run_leaves_no_new_out() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new.json");
    let (code, stderr) = interrupt_first_run(dir.path(), &out);
    assert_eq!(code, Some(130), "{stderr}");
    assert!(!out.exists(), "no empty results file: {stderr}");
    assert!(
        stderr.contains(&format!(
            "Interrupted by SIGINT: 0 of 1 cells have runs (0 timed runs; 0 cells complete); \
             nothing was measured, so nothing was saved ({} was not written)",
            out.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("results written to"), "{stderr}");
    // Nothing else was left beside it either.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["started", "wait.json"]);
}

/// The same signal with an existing `--out`: it keeps its earlier results, and no partial
/// file is left beside it.
#[test]
fn a_signal_before_the_first_run_keeps_an_earlier_out_unchanged() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("keep.json");
    std::fs::write(&out, EARLIER).unwrap();
    let (code, stderr) = interrupt_first_run(dir.path(), &out);
    assert_eq!(code, Some(130), "{stderr}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), EARLIER);
    assert!(
        stderr.contains(&format!(
            "nothing was measured, so nothing was saved ({} keeps its earlier results)",
            out.display()
        )),
        "{stderr}"
    );
    assert!(
        !std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().contains(".partial-")),
        "no partial file is left"
    );
}
