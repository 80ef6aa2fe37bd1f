#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report` says what measured: the machine, the build of corelab (a debug build warned
//! loudly: not for publishing) and the CPUs' setup (governor, turbo, SMT, NUMA nodes); a file
//! from before they were recorded loads and says so.

mod common;

use std::process::Command;

use common::corelab_exe;
use common::synthetic::synthetic_results;
use corelab::preset::{Experiment, ModelKind};
use corelab::results::{BuildInfo, CpuSetting, CpuSetup, MachineInfo, ResultsFile};

/// `corelab report` of `r`, saved as `name` under `dir`: (stdout, stderr).
fn report(dir: &std::path::Path, name: &str, r: &ResultsFile) -> (String, String) {
    let path = dir.join(name);
    r.save(&path).unwrap();
    let o = Command::new(corelab_exe())
        .args(["report", path.to_str().unwrap()])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    );
    assert!(o.status.success(), "{stderr}");
    (stdout, stderr)
}

fn results(build: Option<BuildInfo>, cpu_setup: Option<CpuSetup>) -> ResultsFile {
    let experiment = Experiment {
        name: "two models".into(),
        workers: vec![1, 2],
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        ..Experiment::default()
    };
    let machine = MachineInfo {
        cpu_brand: "Test CPU".into(),
        physical_cores: Some(2),
        logical_cores: 2,
        os: "Linux".into(),
        build,
        cpu_setup,
        ..MachineInfo::default()
    };
    synthetic_results(experiment, machine, [0.99, 1.0, 1.01], |_, x| x)
}

#[test]
fn report_says_the_build_and_the_cpus_and_warns_of_a_debug_build() {
    let dir = tempfile::tempdir().unwrap();
    let setup = CpuSetup {
        governor: "performance".into(),
        turbo: CpuSetting::Off,
        smt: CpuSetting::On,
        numa_nodes: Some(1),
    };
    let release = BuildInfo {
        profile: "release".into(),
        opt_level: "3".into(),
        rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
    };
    let (stdout, stderr) = report(
        dir.path(),
        "release.json",
        &results(Some(release.clone()), Some(setup.clone())),
    );
    assert!(
        stdout.contains("machine: Test CPU · 2 physical / 2 logical cores · "),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  build and CPUs: release build (opt-level 3), rustc 1.95.0 (59807616e 2026-04-14) · governor performance, turbo off, SMT on, 1 NUMA node\n"
        ),
        "{stdout}"
    );
    assert!(!stderr.contains("debug build"), "{stderr}");
    // A debug build: said in the line, and warned on stderr.
    let debug = BuildInfo {
        profile: "debug".into(),
        opt_level: "0".into(),
        ..release
    };
    let (stdout, stderr) = report(dir.path(), "debug.json", &results(Some(debug), Some(setup)));
    assert!(
        stdout.contains("  build and CPUs: DEBUG BUILD, not for publishing (opt-level 0)"),
        "{stdout}"
    );
    assert!(
        stderr.contains("Warning: debug build: not for publishing"),
        "{stderr}"
    );
    // A file from before they were recorded: it loads, and says they were not.
    let (stdout, stderr) = report(dir.path(), "old.json", &results(None, None));
    assert!(
        stdout.contains("  build and CPUs: not recorded (a file from before"),
        "{stdout}"
    );
    assert!(!stderr.contains("debug build"), "{stderr}");
}
