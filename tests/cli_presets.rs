#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab presets NAME`: what one preset shows, and its JSON to copy and edit.

mod common;

use std::process::Command;

use common::corelab_exe;

fn corelab(args: &[&str]) -> std::process::Output {
    Command::new(corelab_exe()).args(args).output().unwrap()
}

#[test]
fn a_preset_s_lesson_can_be_read_from_the_command_line() {
    let o = corelab(&["presets", "lost-updates-processes"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let p = corelab::preset::find_builtin("lost-updates-processes").unwrap();
    let exp = p.experiment().unwrap();
    assert!(
        stdout.starts_with(&format!("lost-updates-processes: {}\n", exp.name)),
        "{stdout}"
    );
    assert!(stdout.contains(&exp.description), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "  processes (corelab's own worker processes, no Python): {}",
            corelab::preset::ModelKind::Processes.explanation()
        )),
        "{stdout}"
    );
    let cores = corelab::preset::available_cores();
    let cost = corelab::engine::estimate::estimate(&exp, cores).words();
    assert!(stdout.contains(&format!("Sweep here: {cost}")), "{stdout}");
    assert!(stdout.contains("corelab presets lost-updates-processes --json"));
    // A Python preset says its models are real CPython.
    let o = corelab(&["presets", "python-gil-vs-processes"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("py-threading (real CPython): "), "{stdout}");
    let o = corelab(&["presets", "lost-updates"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("  threads (Rust threads, no GIL): "),
        "{stdout}"
    );
    assert!(stdout.contains("  gil-threads (Rust threads behind an emulated GIL): "));
    // Another machine's cores, as the list takes them.
    let o = corelab(&["presets", "cpu-threads-vs-processes", "--cores", "16"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Workers: 1, 2, 4, 8, 16"), "{stdout}");
    assert!(
        stdout.contains("Sweep on 16 cores: 16 cells, about "),
        "{stdout}"
    );
}

#[test]
fn a_preset_s_json_is_printed_as_built_in_and_runs_once_edited() {
    let o = corelab(&["presets", "lost-updates-processes", "--json"]);
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    let p = corelab::preset::find_builtin("lost-updates-processes").unwrap();
    assert_eq!(stdout.trim_end(), p.json.trim_end());
    // Edited as a teacher would (sync none → mutex), it is a valid preset.
    let mut value: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    value["task"]["contention"]["sync"] = "mutex".into();
    let exp = corelab::preset::Experiment::from_json(&value.to_string()).unwrap();
    assert_eq!(exp.task.contention.sync, corelab::preset::SyncMode::Mutex);
}

#[test]
fn an_unknown_preset_lists_the_names_and_json_needs_a_name() {
    let o = corelab(&["presets", "lost-update"]);
    assert_eq!(o.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains(
            "\"lost-update\" is not a built-in preset (did you mean `lost-updates`?); choose one of "
        )
            && stderr.contains("lost-updates-processes"),
        "{stderr}"
    );
    assert!(o.stdout.is_empty());
    // `corelab run` suggests the nearest name too, letter case aside.
    for (typed, meant) in [
        ("lostupdates", "lost-updates"),
        ("Start-Here", "start-here"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let o = Command::new(corelab_exe())
            .current_dir(dir.path())
            .args(["run", typed])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains(&format!(
                "\"{typed}\" is not a built-in preset (did you mean `{meant}`?); a preset file is named by"
            )),
            "{stderr}"
        );
    }
    let o = corelab(&["presets", "--json"]);
    assert_eq!(o.status.code(), Some(2), "clap: --json needs NAME");
    // The list itself keeps one line a preset on stdout; the hint is on stderr.
    let o = corelab(&["presets"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        stdout.lines().count(),
        corelab::preset::builtin_presets().len()
    );
    assert!(String::from_utf8_lossy(&o.stderr).contains("corelab presets NAME"));
}

/// A precision target whose budget the longest runs spend within the 6 runs a cell takes
/// anyway is named before anything runs, with the cells and a budget that would leave room;
/// a preset whose budget leaves every cell room says nothing of it.
#[test]
fn a_target_that_cannot_add_runs_is_noted_before_the_sweep() {
    // python-gil-vs-processes: CPython runs calibrated to 0.25 s against a 1 s budget.
    let o = corelab(&["presets", "python-gil-vs-processes", "--cores", "2"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        stdout.contains(
            "Note: the ±2.0% precision target cannot add a run to 3 of 10 cells (runs of about 0.25 s or longer): the 6 runs each takes anyway spend its 1 s budget"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("a precision_budget_s of 3 s would leave them room\n"),
        "CPython's cells compute, and are not said to agree anyway: {stdout}"
    );
    // io-threads-vs-processes: the cells without room wait on 10 ms sleeps, and their runs
    // usually agree within the target anyway: information, not a note (the workbench's rule).
    let o = corelab(&["presets", "io-threads-vs-processes", "--cores", "2"]);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("\nAbout the precision target: the ±2.0% precision target cannot add"),
        "{stdout}"
    );
    assert!(!stdout.contains("Note:"), "{stdout}");
    assert!(
        stdout.contains(
            "would leave them room. Their runs mostly wait on a timer, whose length varies far less than ±2.0% from run to run, so they usually agree within it anyway\n"
        ),
        "{stdout}"
    );
    // cpu-threads-vs-processes: 0.25 s runs against a 3 s budget: room everywhere.
    for cores in ["2", "16"] {
        let o = corelab(&["presets", "cpu-threads-vs-processes", "--cores", cores]);
        let stdout = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(stdout.contains("\nSweep "), "{stdout}");
        assert!(
            !stdout.contains("precision target cannot"),
            "{cores} cores: {stdout}"
        );
    }
}

/// `corelab run` follows the same rule: a target without room in cells that mostly wait on a
/// timer (10 ms sleeps) is not a note; `run` has no verbose flag, so it says nothing of it.
#[test]
fn run_says_no_note_of_a_target_without_room_where_every_such_cell_waits() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("io.json");
    std::fs::write(
        &preset,
        r#"{"version":1,"name":"io quick","description":"","task":{"kind":"io","tasks":4,"io":{"mode":"sleep","sleep_ms":10}},"workers":[1],"models":["sequential"],"repetitions":1,"warmups":0,"min_time_s":0.0,"precision":0.02,"precision_budget_s":0.1,"baseline":"sequential","timeout_s":30}"#,
    )
    .unwrap();
    // Its estimate has the cell without room (6 runs of about 0.04 s spend the 0.1 s budget):
    // before this rule, `run` said `Note: the ±2.0% precision target cannot add a run to 1 of 1
    // cell …`.
    let o = corelab(&["run", preset.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(!stderr.contains("precision target cannot add"), "{stderr}");
    assert!(!stderr.contains("Note:"), "{stderr}");
}
