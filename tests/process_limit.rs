#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! A real `ulimit -u` (`RLIMIT_NPROC`): a sweep that cannot start every process and thread it
//! keeps is refused before its first cell. The kernel does not apply the limit to root, so the
//! run is made as the unprivileged user `nobody` (`setpriv`, which needs root); elsewhere the
//! test prints `skipped: …` with the reason and passes. The count itself is checked model by
//! model in `engine::kept_tasks`.

use std::process::Command;

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
        eprintln!("skipped: a_python_pool_sweep_over_ulimit_u_is_refused_before_its_first_cell: {reason}");
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
        .args(["env", "-i", "PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/nonexistent"])
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
    assert!(out.stdout.is_empty(), "{}", String::from_utf8_lossy(&out.stdout));
}
