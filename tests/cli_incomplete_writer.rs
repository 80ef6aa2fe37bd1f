#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report` of an `incomplete` results file says what can be said of the corelab that
//! wrote it: still writing it here, surely gone, or elsewhere (another container, another host,
//! an older corelab that did not record where it ran), where it cannot tell.

mod common;

use corelab::results::WriterProcess;
use std::process::Command;

/// A committed results file, made `incomplete` and written by `writer`; the report's stderr.
fn report_of_incomplete(writer: &WriterProcess) -> String {
    let dir = tempfile::tempdir().unwrap();
    let raw = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/lost-updates-processes.json"),
    )
    .unwrap();
    let mut raw: serde_json::Value = serde_json::from_str(&raw).unwrap();
    raw["status"] = "incomplete".into();
    raw["writer"] = serde_json::to_value(writer).unwrap();
    let path = dir.path().join("partial.json");
    std::fs::write(&path, raw.to_string()).unwrap();
    let o = Command::new(common::corelab_exe())
        .args(["report", path.to_str().unwrap()])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains(
            "note: partial is not a complete run: the sweep was still running or was killed"
        ),
        "{stderr}"
    );
    stderr
}

#[test]
fn a_report_says_whether_the_writer_of_an_incomplete_file_is_gone_or_cannot_be_told() {
    let mut child = Command::new("true").spawn().unwrap();
    let gone = WriterProcess::here(child.id(), corelab::sys::procfs::start_ticks_of(child.id()));
    child.wait().unwrap();
    let stderr = report_of_incomplete(&gone);
    assert!(
        stderr.contains(
            "note: partial: the corelab that wrote it is gone (killed, crashed, or its machine \
             restarted): the sweep will not finish it"
        ),
        "{stderr}"
    );
    let me = WriterProcess::this();
    let stderr = report_of_incomplete(&me);
    assert!(
        stderr.contains(&format!(
            "note: partial: it is still being written by corelab (pid {}) on this machine",
            me.pid
        )),
        "{stderr}"
    );
    // The same gone pid, recorded elsewhere: a control character in a crafted host name is
    // not printed.
    let cases = [
        (
            WriterProcess {
                host: Some("lab-2\u{1b}[31m".into()),
                boot_id: Some("lab-2s-boot".into()),
                ..gone.clone()
            },
            "note: partial: written by a corelab on lab-2?[31m; cannot tell if it is still running",
        ),
        (
            WriterProcess {
                pid_namespace: gone.pid_namespace.map(|n| n + 1),
                ..gone.clone()
            },
            "note: partial: written by a corelab in another container; cannot tell if it is \
             still running",
        ),
        (
            WriterProcess {
                pid: gone.pid,
                started_ticks: gone.started_ticks,
                ..WriterProcess::default()
            },
            "note: partial: written by a corelab that did not record where it ran; cannot tell \
             if it is still running",
        ),
    ];
    for (writer, words) in cases {
        let stderr = report_of_incomplete(&writer);
        assert!(stderr.contains(words), "{writer:?}: {stderr}");
        assert!(!stderr.contains("is gone"), "{writer:?}: {stderr}");
    }
}
