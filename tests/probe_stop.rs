//! An interpreter check that is still running when the workbench closes is killed with
//! everything it started (alone in this test binary: `stop_probes` ends every probe of the
//! process).

use corelab::engine::interpreter::{probe_within, stop_probes};
use corelab::preset::PythonOptions;
use std::time::{Duration, Instant};

/// Whether process `pid` still runs (a zombie waiting to be reaped does not).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

#[test]
fn stopping_the_probes_kills_a_hanging_interpreter_and_its_children() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("child.pid");
    // A "python3" that starts a child of its own and hangs, as a wrapper script could.
    let fake = dir.path().join("python3");
    corelab::safe_fs::write_executable(
        &fake,
        format!(
            "#!/bin/sh\nsleep 1000 &\necho $! > '{}'\nwait\n",
            pid_file.display()
        ),
    )
    .unwrap();
    let options = PythonOptions {
        interpreter: fake.display().to_string(),
        ..PythonOptions::default()
    };
    let probe = std::thread::spawn(move || probe_within(&options, Duration::from_secs(600)));
    let started = Instant::now();
    let child = loop {
        if let Some(pid) = std::fs::read_to_string(&pid_file)
            .ok()
            .and_then(|t| t.trim().parse::<u32>().ok())
        {
            break pid;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the fake interpreter never started its child"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(alive(child));
    stop_probes();
    let outcome = probe.join().unwrap();
    assert!(
        outcome.is_err(),
        "a killed probe cannot succeed: {outcome:?}"
    );
    let stopped = Instant::now();
    while alive(child) {
        assert!(
            stopped.elapsed() < Duration::from_secs(10),
            "the interpreter's child {child} outlived stop_probes"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
