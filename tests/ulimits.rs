#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Real limits, set in a subshell: a sweep that cannot start every process and thread it keeps
//! (`ulimit -u`, `RLIMIT_NPROC`) or that has no room for them (`ulimit -v`, `RLIMIT_AS`) is
//! refused before its first cell, and one the check lets through starts. The kernel does not
//! apply `ulimit -u` to root, so that run is made as the unprivileged user `nobody`
//! (`setpriv`, which needs root); elsewhere that test prints `skipped: …` with the reason and
//! passes. The counts themselves are checked model by model in `engine::kept_tasks` and
//! `engine::resources`.

use std::process::{Command, Output};

use corelab::engine::resources::{CORELAB_ADDRESS_FLOOR, RUST_THREAD_ADDRESS_BYTES};

/// A CPU task small enough to run in a blink: sequential, and threads × 1 and × 16.
const THREADS: &str = r#"{
  "version": 1,
  "name": "threads under ulimit -v",
  "task": { "kind": "cpu", "tasks": 16, "cpu": { "size": 2000 } },
  "workers": [1, 16],
  "models": ["sequential", "threads"],
  "repetitions": 1,
  "warmups": 0,
  "min_time_s": 0.0,
  "precision": 0.0
}"#;

/// `corelab run -q PRESET` under `ulimit -v KIB` (bash's, in KiB).
fn run_under_address_limit(preset: &std::path::Path, kib: u64) -> Output {
    let corelab = env!("CARGO_BIN_EXE_corelab");
    Command::new("bash")
        .args([
            "-c",
            &format!("ulimit -v {kib} && exec \"$0\" \"$@\""),
            corelab,
        ])
        .args(["run", "-q"])
        .arg(preset)
        .output()
        .unwrap()
}

#[test]
fn a_threads_sweep_that_passes_the_address_space_check_starts_and_one_below_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("threads.json");
    std::fs::write(&preset, THREADS).unwrap();
    // corelab's floor and the 17 threads the cells keep in its process. Measured (see
    // CORELAB_ADDRESS_FLOOR) at about 20 MiB less: the run must start at exactly the figure.
    let needed = CORELAB_ADDRESS_FLOOR + 17 * RUST_THREAD_ADDRESS_BYTES;
    let kib = needed.div_ceil(1024);
    let ran = run_under_address_limit(&preset, kib);
    let stderr = String::from_utf8_lossy(&ran.stderr);
    assert!(ran.status.success(), "under ulimit -v {kib}: {stderr}");
    // 1 MiB less: refused before the first cell, naming the threads' stacks.
    let refused = run_under_address_limit(&preset, kib - 1024);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("plus 17 threads at 2.1 MiB each") && stderr.contains("(ulimit -v)"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty(), "nothing measured");
}

const NOBODY: &str = "65534";

/// Why the test cannot run here, or `None`.
fn cannot_switch_to_nobody() -> Option<String> {
    if corelab::sys::real_uid() != 0 {
        return Some("not root, so it cannot run a command as nobody".into());
    }
    let works = Command::new("setpriv")
        .args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", "--"])
        .args(["bash", "-c", "ulimit -u 50"])
        .status()
        .is_ok_and(|s| s.success());
    (!works).then(|| "setpriv or bash cannot run a command as nobody here".into())
}

#[test]
fn a_python_pool_sweep_over_ulimit_u_is_refused_before_its_first_cell() {
    if let Some(reason) = cannot_switch_to_nobody() {
        eprintln!(
            "skipped: a_python_pool_sweep_over_ulimit_u_is_refused_before_its_first_cell: {reason}"
        );
        return;
    }
    // py-multiprocessing × 1 and × 4 (spawn, the default) keep 19 tasks: the two interpreters
    // with corelab's 2 reader threads each (6), each pool's 3 handler threads (6), its 5 pool
    // processes and the 2 resource trackers. 18 is above the 13 the count had before it
    // counted the handler threads and the resource tracker: such a sweep used to start and
    // fail at its second cell ("can't start new thread").
    let corelab = env!("CARGO_BIN_EXE_corelab");
    let out = Command::new("setpriv")
        .args(["--reuid", NOBODY, "--regid", NOBODY, "--clear-groups", "--"])
        .args([
            "env",
            "-i",
            "PATH=/usr/local/bin:/usr/bin:/bin",
            "HOME=/nonexistent",
        ])
        .args(["bash", "-c", "ulimit -u 18 && exec \"$0\" \"$@\"", corelab])
        .args(["run", "start-here", "--models", "py-multiprocessing"])
        .args(["--workers", "1,4", "--repetitions", "1"])
        .current_dir("/")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("19 for its 3 cells")
            && stderr.contains("py-multiprocessing × 4, 11 at least")
            && stderr.contains("at most 18 (ulimit -u)"),
        "{stderr}"
    );
    // Refused before the first cell: nothing was measured, nothing printed on stdout.
    assert!(!stderr.contains("[ 1/"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}
