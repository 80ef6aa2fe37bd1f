#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report` says the sweep warnings a results file keeps (a process the stop at a
//! cell's end could not make go), in the words `corelab run` says them, terminal-safe; with
//! several files, each file's under its own `==` heading, and each file's machine once.

mod common;

use std::process::{Command, Stdio};

use common::corelab_exe;
use common::synthetic::synthetic_results;
use corelab::engine::run_mark::{NotGone, Stop, not_gone_at_cell_end_words};
use corelab::preset::{Experiment, ModelKind};
use corelab::results::{MachineInfo, ResultsFile};

fn results(name: &str, cpu: &str) -> ResultsFile {
    let experiment = Experiment {
        name: name.into(),
        workers: vec![1, 2],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        ..Experiment::default()
    };
    let machine = MachineInfo {
        cpu_brand: cpu.into(),
        physical_cores: Some(2),
        logical_cores: 2,
        os: "Linux".into(),
        ..MachineInfo::default()
    };
    synthetic_results(experiment, machine, [0.99, 1.0, 1.01], |_, x| x)
}

/// The warning the sweep tells when the stop at the end of `cell` finds `pid` still there.
fn not_gone_warning(cell: &str, pid: u32) -> String {
    let stop = Stop {
        killed: vec![pid],
        not_gone: vec![NotGone {
            pid,
            state: Some('D'),
            parent: Some(1),
        }],
    };
    not_gone_at_cell_end_words(cell, &stop).unwrap()
}

/// `corelab report` of `files` (saved under `dir`), its stdout and stderr into one file, as a
/// terminal shows them: (that text, stderr alone).
fn report(dir: &std::path::Path, files: &[(&str, &ResultsFile)]) -> (String, String) {
    let mut args = vec!["report".to_string()];
    for (name, r) in files {
        let path = dir.join(name);
        r.save(&path).unwrap();
        args.push(path.to_str().unwrap().to_string());
    }
    let both = dir.join("both.txt");
    let out = std::fs::File::create(&both).unwrap();
    let status = Command::new(corelab_exe())
        .args(&args)
        .stdout(Stdio::from(out.try_clone().unwrap()))
        .stderr(Stdio::from(out))
        .status()
        .unwrap();
    let text = std::fs::read_to_string(&both).unwrap();
    assert!(status.success(), "{text}");
    let o = Command::new(corelab_exe()).args(&args).output().unwrap();
    (text, String::from_utf8(o.stderr).unwrap())
}

#[test]
fn report_says_a_files_sweep_warnings_as_run_does() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = results("two models", "Test CPU");
    let warning = not_gone_warning("threads × 2", 4242);
    r.warnings = vec![
        warning.clone(),
        "from a file: \u{1b}[2J\nwarning: made up".into(),
    ];
    let (_, stderr) = report(dir.path(), &[("warned.json", &r)]);
    // `run`'s words: `warning: …`, one line each; a file's control characters shown, not
    // obeyed, and its line breaks no lines of their own.
    assert!(
        stderr.contains(
            "warning: threads × 2: a process the cell left was still there 2 s after SIGKILL \
             when the cell ended: pid 4242 (D: uninterruptible sleep)\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("warning: from a file: \\u{1b}[2J warning: made up\n"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("warning: ").count(), 3, "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    // A file without any says none.
    r.warnings.clear();
    let (_, stderr) = report(dir.path(), &[("quiet.json", &r)]);
    assert!(!stderr.contains("warning:"), "{stderr}");
}

#[test]
fn several_files_warnings_are_each_under_its_own_heading_and_the_machine_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut laptop = results("two models", "Laptop CPU");
    laptop.warnings = vec![not_gone_warning("threads × 2", 4242)];
    let quiet = results("two models", "Quiet CPU");
    let mut server = results("two models", "Server CPU");
    server.warnings = vec![not_gone_warning("threads × 1", 77)];
    let (text, _) = report(
        dir.path(),
        &[
            ("laptop.json", &laptop),
            ("quiet.json", &quiet),
            ("server.json", &server),
        ],
    );
    let headings: Vec<usize> = text.match_indices("== ").map(|(i, _)| i).collect();
    assert_eq!(headings.len(), 3, "{text}");
    // After the files, the note that their machines differ (naming all three).
    let notes = text
        .find("Note: the compared runs differ in machine")
        .expect(&text);
    let sections = [
        &text[headings[0]..headings[1]],
        &text[headings[1]..headings[2]],
        &text[headings[2]..notes],
    ];
    let pid_4242 = "warning: threads × 2: a process the cell left was still there 2 s after \
                    SIGKILL when the cell ended: pid 4242";
    let pid_77 = "warning: threads × 1: a process the cell left was still there 2 s after \
                  SIGKILL when the cell ended: pid 77";
    for (section, cpu, warning) in [
        (sections[0], "Laptop CPU", Some(pid_4242)),
        (sections[1], "Quiet CPU", None),
        (sections[2], "Server CPU", Some(pid_77)),
    ] {
        assert_eq!(
            section.matches("warning: ").count(),
            warning.iter().count(),
            "{section}"
        );
        if let Some(warning) = warning {
            assert!(section.contains(warning), "{section}");
        }
        // The machine described once in its file's section: its `machine:` line (the
        // heading's label names the CPU only, as what tells the files apart).
        let described = format!("{cpu} · 2 physical / 2 logical cores");
        assert_eq!(section.matches(&described).count(), 1, "{section}");
        assert!(
            section.contains(&format!("machine: {described}")),
            "{section}"
        );
    }
}
