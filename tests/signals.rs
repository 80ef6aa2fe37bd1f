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

/// Four cells (threads × 1, processes × 1, threads × 2, processes × 2), each about 1.5 s of
/// sleeping tasks: the first is saved long before the sweep could end, and the second runs in
/// `corelab worker` children.
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

fn cells_saved(out: &Path) -> Option<usize> {
    // The file is replaced atomically, so a read sees a whole file or none.
    ResultsFile::load(out).ok().map(|r| r.cells.len())
}

fn scratch_dirs_of(pid: u32) -> Vec<String> {
    let prefix = format!("corelab-{pid}-");
    std::fs::read_dir(std::env::temp_dir())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&prefix))
                .collect()
        })
        .unwrap_or_default()
}

fn interrupt_mid_sweep(signal: &str, expected_code: i32) {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("slow.json");
    std::fs::write(&preset, SLOW).unwrap();
    let out = dir.path().join("r.json");
    let mut child: Child = Command::new(corelab_exe())
        .args([
            "run",
            preset.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    wait_for("the first cell to be saved", || {
        cells_saved(&out).filter(|&n| n >= 1)
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
    let first = &results.cells[0];
    assert_eq!(first.model, Some(ModelKind::Threads));
    assert_eq!((first.workers, first.status), (1, CellStatus::Ok));
    assert_eq!(first.samples.len(), 12, "the finished cell is kept whole");
    assert!(
        results.cells.len() < 4,
        "the sweep stopped early: {} cells",
        results.cells.len()
    );
    assert!(
        results.cells[1..]
            .iter()
            .all(|c| c.status == CellStatus::Cancelled),
        "the cell that was running is marked cancelled"
    );
    for w in workers {
        assert!(!is_alive(w), "worker {w} of corelab {pid} is still running");
    }
    assert_eq!(scratch_dirs_of(pid), Vec::<String>::new());
    assert!(
        !corelab::cli::output_lock_path(&out).exists(),
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
