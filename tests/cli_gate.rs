#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! `corelab report NEW.json --baseline OLD.json --fail-if-slower PCT` and
//! `--fail-on-lost-updates`: the regression gate, on hand-made results files (no timing). A
//! cell is slower only where its median's 95% interval lies wholly above the baseline's; a
//! failing gate exits 5 and names each failing cell on stderr.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::corelab_exe;
use common::synthetic::synthetic_results;
use corelab::preset::{Experiment, ModelKind, TaskKind};
use corelab::results::{CellStatus, MachineInfo, ResultsFile};

fn corelab_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(corelab_exe())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

/// Sequential 4 s, threads at 1, 2 and 4 workers scaling 0.9·N, six runs a cell (the three
/// synthetic ones, each factor of the spread twice), on a machine called `cpu`.
fn results(workers: &[usize], cpu: &str) -> ResultsFile {
    let experiment = Experiment {
        name: "gate".into(),
        workers: workers.to_vec(),
        models: vec![ModelKind::Sequential, ModelKind::Threads],
        repetitions: 6,
        ..Experiment::default()
    };
    let machine = MachineInfo {
        cpu_brand: cpu.into(),
        ..MachineInfo::default()
    };
    let mut r = synthetic_results(experiment, machine, [0.99, 1.0, 1.01], |_, x| 0.9 * x);
    for c in &mut r.cells {
        let more = c.samples.clone();
        c.samples.extend(more);
    }
    r.recompute();
    r
}

/// Multiplies the wall times of `model × workers` by `factor`, and spreads them by `spread`
/// around their median (1: as they were).
fn scale(r: &mut ResultsFile, model: ModelKind, workers: usize, factor: f64, spread: f64) {
    let cell = r
        .cells
        .iter_mut()
        .find(|c| c.model == Some(model) && c.workers == workers)
        .unwrap();
    let median = cell.wall.as_ref().unwrap().median;
    for s in &mut cell.samples {
        s.wall_s = (median + (s.wall_s - median) * spread) * factor;
    }
    r.recompute();
}

fn save(dir: &Path, name: &str, r: &ResultsFile) {
    r.save(&dir.join(name)).unwrap();
}

/// The baseline has threads × 8, the new run threads × 16 instead; threads × 4 is 20% slower
/// beyond the noise; threads × 2 is 15% slower by its median but noisy, its interval
/// overlapping the baseline's.
fn gate_files(dir: &Path) {
    save(dir, "old.json", &results(&[1, 2, 4, 8], "cpu"));
    let mut new = results(&[1, 2, 4, 16], "cpu");
    scale(&mut new, ModelKind::Threads, 4, 1.20, 1.0);
    scale(&mut new, ModelKind::Threads, 2, 1.15, 40.0);
    save(dir, "new.json", &new);
}

#[test]
fn a_cell_slower_beyond_the_noise_fails_the_gate_with_exit_5() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    gate_files(d);
    let (code, stdout, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(5), "{stdout}\n{stderr}");
    // One line per failing cell: the model, the workers, both medians with intervals, the
    // change.
    let failing: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Regression: "))
        .collect();
    assert_eq!(
        failing,
        [
            "Regression: threads × 4: median 1.11 s [1.10–1.12] → 1.33 s [1.32–1.35], +20.0%, \
          slower beyond the noise (the 95% intervals do not overlap) (over the 5% allowed)"
        ],
        "{stderr}"
    );
    // The closing line says what failed and what was required, not the rule alone as if it
    // were the outcome.
    assert!(
        stderr.ends_with(
            "Gate FAILED (1 failure: 1 cell slower by more than 5% beyond the noise; required: \
             work that compares with the baseline's, at least one cell judged, none slower than \
             the baseline by more than 5% beyond the noise, and none failing that the baseline \
             measured); exit status 5\n"
        ),
        "{stderr}"
    );
    // Every cell is on stdout: the noisy one is within the noise, the unmatched ones named.
    assert!(
        stdout.contains("Against the baseline old.json (median wall time [95% interval]"),
        "{stdout}"
    );
    let noisy = stdout
        .lines()
        .find(|l| l.contains("threads × 2: median"))
        .unwrap();
    assert!(noisy.contains("+15.0%, within the noise"), "{noisy}");
    assert!(stdout.contains("  threads × 16: only in the new results, not compared"));
    assert!(stdout.contains("  threads × 8: only in the baseline, not compared"));
    assert!(stdout.contains(
        "  sequential × 1: median 4.00 s [3.96–4.04] → 4.00 s [3.96–4.04], +0.0%, within the noise"
    ));
    // Alike runs: no warning.
    assert!(!stderr.contains("Warning: the baseline"), "{stderr}");
}

#[test]
fn a_slowdown_within_what_is_allowed_passes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    gate_files(d);
    let (code, _, stderr) = gate(d, Some("25%"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("Regression:"), "{stderr}");
    assert!(
        stderr.contains("Gate passed: no cell slower than the baseline by more than 25%"),
        "{stderr}"
    );
    // Without --fail-if-slower, --baseline compares and never fails.
    let (code, stdout, stderr) = gate(d, None);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("+20.0%, slower beyond the noise"));
    assert!(!stderr.contains("Gate "));
}

#[test]
fn a_cell_the_baseline_measured_that_failed_now_fails_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    save(d, "old.json", &results(&[1, 2], "cpu"));
    let mut new = results(&[1, 2], "cpu");
    let cell = new.cells.iter_mut().find(|c| c.workers == 2).unwrap();
    cell.samples.clear();
    cell.status = CellStatus::Failed;
    cell.error = Some("worker exited with status 9".into());
    new.recompute();
    save(d, "new.json", &new);
    let (code, _, stderr) = gate(d, Some("10"));
    assert_eq!(code, Some(5), "{stderr}");
    assert!(
        stderr.contains("Regression: threads × 2: measured in the baseline, FAILED in the new run: worker exited with status 9"),
        "{stderr}"
    );
}

#[test]
fn runs_that_differ_get_a_warning_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    save(d, "old.json", &results(&[1, 2], "laptop"));
    save(d, "new.json", &results(&[1, 2], "server"));
    let (code, _, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(0), "{stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.starts_with("Warning: the baseline and the new results differ in machine"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(
        warning.contains("baseline old: ") && warning.contains("laptop"),
        "{warning}"
    );
    assert!(
        warning.contains("new: ") && warning.contains("server"),
        "{warning}"
    );
}

#[test]
fn lost_updates_fail_their_gate_with_or_without_a_baseline() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut r = results(&[1, 2], "cpu");
    // A shared counter's race: 2 × 1 000 000 increments asked of each threads × 2 run.
    r.experiment.task.kind = TaskKind::Contention;
    r.experiment.task.contention.increments = 1_000_000;
    for c in &mut r.cells {
        let lost = if c.workers == 2 { 700 } else { 0 };
        for (i, s) in c.samples.iter_mut().enumerate() {
            s.lost_updates = Some(if i < 4 { lost } else { 0 });
        }
    }
    r.recompute();
    save(d, "racy.json", &r);
    let o = corelab_in(d, &["report", "racy.json", "--fail-on-lost-updates"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Lost updates: "))
        .collect();
    assert_eq!(
        lines,
        ["Lost updates: threads × 2: lost updates in 4 of 6 runs (up to 700 in one run, 0.035%)"],
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "Gate FAILED (1 failure: 1 cell lost updates; required: timed runs that count \
             their updates, none losing one); exit status 5\n"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("no timed run lost an update"), "{stderr}");
    // A contention file whose counted runs lost nothing (a mutex) passes.
    let mut clean = r.clone();
    for c in &mut clean.cells {
        for s in &mut c.samples {
            s.lost_updates = Some(0);
        }
    }
    clean.recompute();
    save(d, "clean.json", &clean);
    let o = corelab_in(d, &["report", "clean.json", "--fail-on-lost-updates"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("Gate passed: no timed run lost an update"),
        "{stderr}"
    );
}

#[test]
fn a_lost_updates_gate_with_nothing_to_count_does_not_pass() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A cpu task keeps no shared counter: `report` fails the gate, saying why.
    save(d, "cpu.json", &results(&[1, 2], "cpu"));
    let o = corelab_in(d, &["report", "cpu.json", "--fail-on-lost-updates"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains(
            "Lost updates: nothing to check: its task is `cpu`, which keeps no shared counter"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("Gate FAILED (1 failure: no run counted its updates;"),
        "{stderr}"
    );
    assert!(!stderr.contains("Gate passed"), "{stderr}");
    // A contention file whose runs counted nothing (older files, hand-made ones) fails too.
    let mut r = results(&[1, 2], "cpu");
    r.experiment.task.kind = TaskKind::Contention;
    for c in &mut r.cells {
        for s in &mut c.samples {
            s.lost_updates = None;
        }
    }
    r.recompute();
    save(d, "uncounted.json", &r);
    let o = corelab_in(d, &["report", "uncounted.json", "--fail-on-lost-updates"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("no timed run of its contention task counted its updates"),
        "{stderr}"
    );
    // `run` refuses before measuring anything, and writes nothing.
    let o = corelab_in(
        d,
        &[
            "run",
            "cpu-threads-vs-processes",
            "--fail-on-lost-updates",
            "--out",
            "never.json",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("--fail-on-lost-updates checks a contention task's shared counter, and this preset's task is `cpu`"),
        "{stderr}"
    );
    assert!(!d.join("never.json").exists());
}

#[test]
fn gate_mistakes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    gate_files(d);
    // --fail-if-slower needs a baseline: a command-line mistake.
    let o = corelab_in(d, &["report", "new.json", "--fail-if-slower", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--baseline"));
    let (code, _, _) = gate(d, Some("-3"));
    assert_eq!(code, Some(2));
    // One results file against the baseline.
    let o = corelab_in(
        d,
        &["report", "new.json", "old.json", "--baseline", "old.json"],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(
            "--baseline old.json: it is compared with one results file, and 2 were given"
        ),
        "{stderr}"
    );
    // A baseline that cannot be read is an error (1), not a pass.
    let o = corelab_in(
        d,
        &[
            "report",
            "new.json",
            "--baseline",
            "missing.json",
            "--fail-if-slower",
            "5",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("missing.json"));
    // The baseline is an input: no output may overwrite it.
    let o = corelab_in(
        d,
        &[
            "report",
            "new.json",
            "--baseline",
            "old.json",
            "--markdown",
            "old.json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is both an input and an output"));
}

/// A baseline that cannot be read is found before anything is written: `report` exits 1 (a
/// file that cannot be read, as `--help` and the README say) and leaves no `--csv`,
/// `--markdown` or chart behind, and prints no tables for a report it does not make.
#[test]
fn a_missing_baseline_writes_no_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    gate_files(d);
    let o = corelab_in(
        d,
        &[
            "report",
            "new.json",
            "--baseline",
            "missing.json",
            "--csv",
            "summary.csv",
            "--markdown",
            "report.md",
            "--svg",
            "chart.svg",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot use missing.json as the baseline"),
        "{stderr}"
    );
    for output in ["summary.csv", "report.md", "chart.svg"] {
        assert!(!d.join(output).exists(), "{output} was written");
    }
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert!(!stderr.contains("written to"), "{stderr}");
}

/// The task of `run_judges_its_own_sweep_against_a_baseline`'s preset: a baseline must have
/// measured the same work to be compared.
const TRUE_TASK: &str = r#"{"kind": "command", "tasks": 1, "command": {"argv": ["true"]}}"#;

/// A baseline of one sequential × 1 cell whose three runs took `seconds` each (about), of the
/// task [`TRUE_TASK`].
fn one_cell_baseline(seconds: f64) -> ResultsFile {
    let mut r = ResultsFile {
        experiment: Experiment {
            task: serde_json::from_str(TRUE_TASK).unwrap(),
            ..Experiment::default()
        },
        cells: vec![corelab::results::CellResult {
            model: Some(ModelKind::Sequential),
            workers: 1,
            samples: [1.0, 1.01, 1.02]
                .iter()
                .map(|f| corelab::results::Sample {
                    wall_s: seconds * f,
                    checksum: 1,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }],
        status: corelab::results::RunStatus::Complete,
        ..ResultsFile::default()
    };
    r.recompute();
    r
}

/// `corelab run … --baseline OLD.json --fail-if-slower PCT` judges the sweep it measured, with
/// the same exit status. Against a baseline of a nanosecond a run of a program is slower
/// whatever the machine, and against one of an hour it is faster: no timing is asserted.
#[test]
fn run_judges_its_own_sweep_against_a_baseline() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("true.json"),
        format!(
            r#"{{"version": 1, "name": "a program", "task": {TRUE_TASK},
            "workers": [1], "models": ["sequential"], "repetitions": 3,
            "warmups": 0, "min_time_s": 0, "precision": 0}}"#
        ),
    )
    .unwrap();
    save(d, "instant.json", &one_cell_baseline(1e-9));
    save(d, "hour.json", &one_cell_baseline(3600.0));
    let run = |baseline: &str| {
        corelab_in(
            d,
            &[
                "run",
                "./true.json",
                "-q",
                "--out",
                "new.json",
                "--baseline",
                baseline,
                "--fail-if-slower",
                "5",
            ],
        )
    };
    let o = run("instant.json");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("Regression: sequential × 1: median 1.01 ns [1.00–1.02] → "),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Gate FAILED (1 failure: 1 cell slower by more than 5% beyond the noise; required: "
        ),
        "{stderr}"
    );
    // The results are saved all the same.
    assert!(ResultsFile::load(&d.join("new.json")).is_ok());
    let o = run("hour.json");
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("Gate passed"), "{stderr}");
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("faster beyond the noise"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // A baseline that cannot be read stops the run before it measures anything.
    std::fs::remove_file(d.join("new.json")).unwrap();
    let o = run("missing.json");
    assert_eq!(o.status.code(), Some(1));
    assert!(!d.join("new.json").exists());
}

/// `gate_files`, of a `hash-chain` task of `old_size` rounds in the baseline and `new_size` in
/// the new results, every new time multiplied by `factor`.
fn hash_chain_files(dir: &Path, old_size: u64, new_size: u64, factor: f64) {
    let sized = |workers: &[usize], size: u64, factor: f64| {
        let mut r = results(workers, "cpu");
        r.experiment.task.cpu.kernel = corelab::preset::CpuKernel::HashChain;
        r.experiment.task.cpu.size = size;
        for s in r.cells.iter_mut().flat_map(|c| c.samples.iter_mut()) {
            s.wall_s *= factor;
        }
        r.recompute();
        r
    };
    save(dir, "old.json", &sized(&[1, 2], old_size, 1.0));
    save(dir, "new.json", &sized(&[1, 2], new_size, factor));
}

/// `corelab report new.json --baseline old.json` in `d`, with `--fail-if-slower` where given:
/// its exit status, stdout and stderr.
fn gate(d: &Path, fail_if_slower: Option<&str>) -> (Option<i32>, String, String) {
    let mut args = vec!["report", "new.json", "--baseline", "old.json"];
    if let Some(pct) = fail_if_slower {
        args.extend(["--fail-if-slower", pct]);
    }
    let o = corelab_in(d, &args);
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Calibration sized the task differently: the gate judges time per hash round, not wall time.
/// The new run does 3/4 of the rounds in 0.9 of the time, 20% slower a round, though its wall
/// times are shorter.
#[test]
fn tasks_sized_differently_are_judged_per_unit_of_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    hash_chain_files(d, 4_000_000, 3_000_000, 0.9);
    let (code, stdout, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(5), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "Against the baseline old.json (median wall time per hash round [95% interval]: the \
             tasks were sized differently, 4000000 hash rounds in the baseline and 3000000 in \
             the new results, so each run's times are divided by its work, baseline → new;"
        ),
        "{stdout}"
    );
    let failing: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("Regression: "))
        .collect();
    assert_eq!(failing.len(), 3, "{stderr}");
    assert!(
        failing
            .iter()
            .all(|l| l.contains(" per hash round, +20.0%, slower beyond the noise")),
        "{stderr}"
    );
    // No warning that the wall times do not compare: they are compared per round.
    assert!(!stderr.contains("differ in task size"), "{stderr}");
    assert!(!stderr.contains("calibrated task size"), "{stderr}");
    // The same work a round passes, though the wall times differ by a third.
    hash_chain_files(d, 4_000_000, 3_000_000, 0.75);
    let (code, stdout, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("per hash round, +0.0%, within the noise"),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "none failed that the baseline measured, work that compares with the baseline's"
        ),
        "{stderr}"
    );
}

/// Work that cannot be compared (a primes task sized differently, whose cost is not
/// proportional to its size; another task) is not judged: the gate refuses with the reason,
/// and a comparison without a gate says it and exits 0.
#[test]
fn work_that_cannot_be_compared_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    save(d, "old.json", &results(&[1, 2], "cpu"));
    let mut new = results(&[1, 2], "cpu");
    new.experiment.task.cpu.size = 2_666_170;
    save(d, "new.json", &new);
    let (code, stdout, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(5), "{stdout}\n{stderr}");
    let why = "the task sizes differ (task.cpu.size = 2000000 in the baseline, 2666170 in the new \
               results) and the primes kernel's cost grows faster than its size";
    assert!(
        stderr.contains(&format!("Not comparable with the baseline old.json: {why}")),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "Gate FAILED (1 failure: work not comparable with the baseline's; required: work that compares"
        ),
        "{stderr}"
    );
    assert!(stdout.contains(&format!("Not compared with the baseline old.json: {why}")));
    assert!(!stdout.contains(" → "), "no cell is judged: {stdout}");
    // The refusal names the fix that works: the baseline's experiment re-run at its size.
    let fix = "re-run the baseline's experiment at its size: \
               `corelab run old.json --out old-rerun.json`";
    assert!(stdout.contains(fix), "{stdout}");
    assert!(stderr.contains(fix), "{stderr}");
    let (code, stdout, stderr) = gate(d, None);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Not compared with the baseline old.json"),
        "{stdout}"
    );
    // Another kind of task.
    new.experiment.task.kind = corelab::preset::TaskKind::Memory;
    save(d, "new.json", &new);
    let (code, _, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(5), "{stderr}");
    assert!(
        stderr.contains(
            "the baseline measured a task of kind cpu and the new results one of kind memory"
        ),
        "{stderr}"
    );
}

/// Only a busy baseline is distrusted: a mostly quiet one (a few runs marked busy, little load)
/// gets a note saying it is trusted.
#[test]
fn only_a_busy_baseline_is_distrusted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let with_load = |busy_runs: usize, mean_other_cores: f64| {
        let mut r = results(&[1, 2], "cpu");
        // The counts are the samples' (18 runs): the first `busy_runs` of them marked busy.
        let samples = r.cells.iter_mut().flat_map(|c| c.samples.iter_mut());
        for (i, s) in samples.enumerate() {
            s.other_load = Some(mean_other_cores);
            s.busy = i < busy_runs;
        }
        r.machine.load_during_runs = Some(corelab::results::LoadSummary {
            runs: 18,
            busy_runs,
            mean_other_cores,
            max_other_cores: 1.0,
            usable_cores: 2.0,
            ..Default::default()
        });
        r
    };
    save(d, "new.json", &results(&[1, 2], "cpu"));
    save(d, "old.json", &with_load(1, 0.05));
    let (code, _, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("Warning: the baseline"), "{stderr}");
    assert!(
        stderr.contains("note: a few of the baseline old.json's timed runs competed with other programs, with little load over all of them: mostly quiet, so its intervals are trusted"),
        "{stderr}"
    );
    save(d, "old.json", &with_load(12, 0.8));
    let (_, _, stderr) = gate(d, Some("5"));
    assert!(
        stderr.contains("Warning: the baseline old.json was measured while other programs competed for the cores"),
        "{stderr}"
    );
    // Mostly quiet new results: one note (said with the results, as report always says it),
    // not a warning that the machine was busy beside a note that it was mostly quiet.
    save(d, "old.json", &results(&[1, 2], "cpu"));
    save(d, "new.json", &with_load(1, 0.05));
    let (code, _, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("Note: mostly quiet: the machine was busy during 1 of 18"),
        "{stderr}"
    );
    assert!(!stderr.contains("Warning"), "{stderr}");
    assert!(!stderr.contains("the new results"), "{stderr}");
}

/// The gate fails on any cell, so its false-failure rate is the sweep's: with 4 cells judged a
/// slower cell must part from the baseline in a way that comes by chance at most 5%/4 (1 in
/// 80) of the time where nothing changed. With 3 runs a side (1 in 20) it is named, not
/// refused; with 6 (1 in 924) it fails the gate. Both say the sweep-wide rate and that the
/// intervals leave out the variation between sweeps.
#[test]
fn a_slowdown_on_too_few_runs_for_the_cells_compared_is_named_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let three_runs = || {
        let mut r = results(&[1, 2, 4], "cpu");
        for c in &mut r.cells {
            c.samples.truncate(3);
        }
        r.recompute();
        r
    };
    save(d, "old.json", &three_runs());
    let mut new = three_runs();
    scale(&mut new, ModelKind::Threads, 4, 1.20, 1.0);
    save(d, "new.json", &new);
    let (code, stdout, stderr) = gate(d, Some("0"));
    assert_eq!(code, Some(0), "{stderr}");
    // Ranges of 3 runs are said as what they are, once in the header and on each line.
    assert!(
        stdout.contains("Against the baseline old.json (median wall time [interval covering 75% from 3 runs], baseline → new;"),
        "{stdout}"
    );
    let compared = &stdout[stdout.find("Against the baseline").unwrap()..];
    assert!(!compared.contains("95%"), "{compared}");
    assert!(stderr.contains("note: threads × 4: median "), "{stderr}");
    assert!(
        stderr.contains(", +20.0%, slower beyond the noise (the 75% intervals, from 3 and 3 runs, do not overlap), over the 0% allowed, but not refused: with 3 and 3 runs intervals part by chance 1 in 20 of the time where nothing changed, more than the 1 in 80 a cell of 4 cells may have; more runs a cell (6 a side: 1 in 924) can tell\n"),
        "{stderr}"
    );
    let rate = "note: a sweep with nothing changed fails this gate at most 5% of the time: each of the 4 cells judged may fail it only on runs that part by chance at most 1 in 80 of the time (5% ÷ the cells, Bonferroni); the intervals hold the runs' noise within each sweep, not the variation between sweeps (another day, boot or neighbour), which can fail it more often\n";
    assert!(stderr.contains(rate), "{stderr}");
    assert!(stderr.contains("Gate passed: "), "{stderr}");
    assert!(!stderr.contains("Regression:"), "{stderr}");
    // Six runs a side: the same slowdown fails the gate.
    save(d, "old.json", &results(&[1, 2, 4], "cpu"));
    let mut new = results(&[1, 2, 4], "cpu");
    scale(&mut new, ModelKind::Threads, 4, 1.20, 1.0);
    save(d, "new.json", &new);
    let (code, _, stderr) = gate(d, Some("0"));
    assert_eq!(code, Some(5), "{stderr}");
    assert!(
        stderr.contains("Regression: threads × 4: median "),
        "{stderr}"
    );
    assert!(!stderr.contains("but not refused"), "{stderr}");
    assert!(stderr.contains(rate), "{stderr}");
}

/// A gate that could judge no cell does not pass: cells of 2 runs (too few for the intervals
/// to mean anything), or no cell in both files. It says that nothing was judged and why, and
/// exits 5, without a false-failure note over "0 cells".
#[test]
fn a_gate_that_judged_nothing_fails() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let two_runs = |workers: &[usize]| {
        let mut r = results(workers, "cpu");
        for c in &mut r.cells {
            c.samples.truncate(2);
        }
        r.recompute();
        r
    };
    save(d, "old.json", &two_runs(&[1, 2]));
    save(d, "new.json", &two_runs(&[1, 2]));
    let (code, stdout, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(5), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("(median wall time [interval covering 50% from 2 runs], "),
        "{stdout}"
    );
    assert!(
        stderr.contains(
            "Nothing judged against the baseline old.json: 3 cells with fewer than 3 timed runs \
             in a file (as few as 2); a gate that compared nothing does not pass (measure each \
             cell at least 3 times: `--repetitions 3` or more)\n"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("Gate FAILED (1 failure: no cell judged; required: "),
        "{stderr}"
    );
    assert!(!stderr.contains("Gate passed"), "{stderr}");
    assert!(!stderr.contains("0 cells judged"), "{stderr}");
    // No cell in both files: nothing judged either.
    save(d, "old.json", &results(&[2], "cpu"));
    let mut new = results(&[4], "cpu");
    new.experiment.models = vec![ModelKind::Threads];
    new.cells.retain(|c| c.model == Some(ModelKind::Threads));
    save(d, "new.json", &new);
    let (code, stdout, stderr) = gate(d, Some("5"));
    assert_eq!(code, Some(5), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "Nothing judged against the baseline old.json: 3 cells in one file only; a gate \
             that compared nothing does not pass\n"
        ),
        "{stderr}"
    );
    // Without --fail-if-slower the comparison is said and nothing fails.
    let (code, _, stderr) = gate(d, None);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("Nothing judged"), "{stderr}");
}
