#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab run` and `selftest` say in one line on stderr, as they start, that a debug build's
//! figures are not for publishing; a release build says nothing of it. The tests run the
//! binary cargo built for them, a debug build unless `cargo test --release`.

mod common;

use std::process::Command;

use common::{corelab_exe, debug_build_line, stderr_of_this_run};

#[test]
fn run_says_a_debug_build_is_not_for_publishing() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nosuch.json");
    let o = Command::new(corelab_exe())
        .args(["run", missing.to_str().unwrap()])
        .env("HOME", dir.path())
        .env("XDG_CONFIG_HOME", dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let said = stderr.lines().filter(|l| *l == debug_build_line()).count();
    assert_eq!(
        said,
        usize::from(cfg!(debug_assertions)),
        "said once by a debug build, never by a release one: {stderr}"
    );
    // Before the run's own error, which still follows it.
    let this_run = stderr_of_this_run(&o);
    assert!(this_run.starts_with("Error: "), "{this_run}");
    assert!(debug_build_line().contains("debug build: figures not for publishing"));
}

#[test]
fn report_does_not_say_it_of_the_build_that_reads() {
    // `report` warns of the build that measured (in the file), not the one reading it.
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nosuch.json");
    let o = Command::new(corelab_exe())
        .args(["report", missing.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains(&debug_build_line()), "{stderr}");
    assert!(stderr.starts_with("Error: "), "{stderr}");
}
