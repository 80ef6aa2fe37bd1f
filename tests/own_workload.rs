#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The user's own workload: a command run once per task, and the async `tokio` model.
//! No assertion on measured speedups or times: only on what ran, its checksums and errors.

#[macro_use]
mod common;

use common::counting_module::{COUNTING_MODULE, importing_processes, start_and_run};
use common::*;
use corelab::preset::{CommandParams, Experiment, ModelKind, TaskKind};
use corelab::results::CellStatus;

fn command_experiment(argv: &[&str], models: &[ModelKind], workers: &[usize]) -> Experiment {
    let mut exp = tiny_experiment(TaskKind::Command, models, workers);
    exp.task.command = CommandParams {
        argv: argv.iter().map(|s| s.to_string()).collect(),
    };
    exp.task.tasks = 6;
    exp.repetitions = 1;
    exp
}

#[test]
fn a_sleep_command_runs_under_sequential_threads_and_rayon_with_one_checksum() {
    let _g = exclusive();
    let exp = command_experiment(
        &["sleep", "0.02"],
        &[ModelKind::Sequential, ModelKind::Threads, ModelKind::Rayon],
        &[1, 3],
    );
    let r = sweep(&exp);
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::Sequential, 1).unwrap().checksum();
    assert!(answer.is_some());
    for m in [ModelKind::Threads, ModelKind::Rayon] {
        for w in [1, 3] {
            assert_eq!(r.cell(m, w).unwrap().checksum(), answer, "{m} × {w}");
        }
    }
    assert_no_live_descendants();
}

/// The check the tests above end with is not blind: a child still running is listed, with its
/// command line, until it is killed and reaped.
#[test]
fn the_leftover_check_names_a_child_still_running_until_it_is_reaped() {
    /// Killed and reaped however the test ends, so that a failure here leaves nothing for the
    /// next test's check to find.
    struct Reaped(std::process::Child);
    impl Drop for Reaped {
        fn drop(&mut self) {
            self.0.kill().ok();
            self.0.wait().ok();
        }
    }
    let _g = exclusive();
    let mut child = Reaped(
        std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap(),
    );
    let pid = child.0.id();
    let left = live_descendants();
    assert_eq!(left, vec![pid]);
    // `spawn` returns once the exec has begun: for a moment the new program's arguments may
    // not be readable yet (an empty command line, seen on a loaded machine).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let mut shown = shown_processes(&left);
    while !shown.ends_with(": sleep 30") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
        shown = shown_processes(&left);
    }
    assert!(
        shown.starts_with(&format!("{pid}: state "))
            && shown.ends_with(&format!("parent {}: sleep 30", std::process::id())),
        "{shown}"
    );
    child.0.kill().unwrap();
    child.0.wait().unwrap();
    assert!(live_descendants().is_empty());
    assert_eq!(shown_processes(&left), format!("{pid}: gone"));
}

#[test]
fn a_failing_command_fails_its_cell_with_its_stderr_and_the_sweep_goes_on() {
    let _g = exclusive();
    let mut exp = command_experiment(
        &["sh", "-c", "echo 'no such size {task}' >&2; exit 2"],
        &[ModelKind::Threads],
        &[1, 2],
    );
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    let r = sweep(&exp);
    assert_eq!(r.cells.len(), 2, "both cells were tried");
    for c in &r.cells {
        assert_eq!(c.status, CellStatus::Failed);
        let err = c.error.as_deref().unwrap();
        assert!(err.contains("exit code 2"), "{err}");
        assert!(err.contains("no such size"), "{err}");
    }
}

#[test]
fn models_that_cannot_run_a_command_are_refused_with_the_reason() {
    for m in [
        ModelKind::Processes,
        ModelKind::GilThreads,
        ModelKind::PyThreading,
        ModelKind::Tokio,
    ] {
        let exp = command_experiment(&["true"], &[m], &[2]);
        let err = exp.validate().unwrap_err().to_string();
        assert!(
            err.contains("models[0]") && err.contains("threads"),
            "{m}: {err}"
        );
    }
    let empty = command_experiment(&[], &[ModelKind::Threads], &[2]);
    let err = empty.validate().unwrap_err().to_string();
    assert!(err.contains("task.command.argv"), "{err}");
}

#[test]
fn opening_a_preset_with_a_command_runs_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("ran");
    let preset = dir.path().join("cmd.json");
    let exp = command_experiment(
        &["touch", marker.to_str().unwrap()],
        &[ModelKind::Threads],
        &[2],
    );
    std::fs::write(&preset, exp.to_json()).unwrap();
    let loaded = Experiment::load(&preset).unwrap();
    assert_eq!(loaded.task.kind, TaskKind::Command);
    loaded.validate().unwrap();
    assert!(!marker.exists(), "loading and validating ran nothing");
}

/// Threads of this process now (`/proc/self/task`).
fn thread_count() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// The most threads this process had while `f` ran (sampled every millisecond), minus the
/// threads it had before.
fn extra_threads_during(f: impl FnOnce()) -> usize {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = Arc::new(AtomicBool::new(false));
    let max = Arc::new(AtomicUsize::new(0));
    let (s, m) = (Arc::clone(&stop), Arc::clone(&max));
    let sampler = std::thread::spawn(move || {
        while !s.load(Ordering::Relaxed) {
            m.fetch_max(thread_count(), Ordering::Relaxed);
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
    });
    std::thread::sleep(std::time::Duration::from_millis(20));
    let before = max.load(Ordering::Relaxed);
    f();
    stop.store(true, Ordering::Relaxed);
    sampler.join().unwrap();
    max.load(Ordering::Relaxed).saturating_sub(before)
}

#[test]
fn tokio_serves_a_hundred_sleeps_on_one_os_thread_where_threads_start_a_hundred() {
    let _g = exclusive();
    let mut exp = tiny_experiment(TaskKind::Io, &[ModelKind::Tokio], &[100]);
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.task.tasks = 100;
    // The 1-worker cell (the baseline) runs the hundred sleeps one after another.
    exp.task.io.sleep_ms = 5.0;
    exp.repetitions = 2;
    let mut r = None;
    let tokio_extra = extra_threads_during(|| r = Some(sweep(&exp)));
    let r = r.unwrap();
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::Tokio, 100).unwrap().checksum();

    exp.models = vec![ModelKind::Threads];
    let mut t = None;
    let threads_extra = extra_threads_during(|| t = Some(sweep(&exp)));
    let t = t.unwrap();
    assert_all_ok(&t);
    assert_eq!(t.cell(ModelKind::Threads, 100).unwrap().checksum(), answer);

    eprintln!("extra threads: tokio {tokio_extra}, threads {threads_extra}");
    // The sweep has a few helper threads of its own (and the test harness may start one);
    // a hundred units in flight add none under tokio, a hundred under threads.
    assert!(tokio_extra <= 4, "tokio added {tokio_extra} threads");
    assert!(threads_extra >= 100, "threads added only {threads_extra}");
}

#[test]
fn tokio_refuses_tasks_it_cannot_run() {
    let exp = tiny_experiment(TaskKind::Memory, &[ModelKind::Tokio], &[2]);
    let err = exp.validate().unwrap_err().to_string();
    assert!(err.contains("models[0]") && err.contains("tokio"), "{err}");
}

#[test]
fn the_waiting_preset_allows_a_thousand_in_flight_for_sleeps_only() {
    let exp = Experiment::load_path_or_builtin("waiting-threads-vs-async").unwrap();
    exp.validate().unwrap();
    assert!(exp.workers.contains(&1024));
    assert!(exp.models.contains(&ModelKind::Tokio) && exp.models.contains(&ModelKind::Threads));
    let mut cpu = exp.clone();
    cpu.task.kind = TaskKind::Cpu;
    let err = cpu.validate().unwrap_err().to_string();
    assert!(err.contains("1024") && err.contains("at most 512"), "{err}");
}

/// A module in a fresh directory, and a preset file next to it naming it relatively.
fn function_experiment(
    dir: &std::path::Path,
    source: &str,
    name: &str,
    models: &[ModelKind],
) -> Experiment {
    std::fs::write(dir.join("user_mod.py"), source).unwrap();
    let mut exp = tiny_experiment(TaskKind::Function, models, &[1, 2]);
    exp.task.function = corelab::preset::FunctionParams {
        file: "user_mod.py".into(),
        name: name.into(),
        args: vec![],
        range: Some(8),
    };
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.repetitions = 1;
    exp.python.start_method = corelab::preset::StartMethod::Fork;
    exp
}

const USER_MODULE: &str = "\
def square_words(n):
    return {'n': n, 'square': n * n, 'words': ['x'] * (n % 3)}

def fails_on_three(n):
    if n == 3:
        return helper(n)
    return n

def helper(n):
    return 1 // (n - 3)
";

#[test]
fn a_function_gives_the_same_checksum_under_py_threading_and_py_multiprocessing() {
    let _g = exclusive();
    require_python!("a_function_gives_the_same_checksum_under_py_threading_and_py_multiprocessing");
    let dir = tempfile::tempdir().unwrap();
    let mut exp = function_experiment(
        dir.path(),
        USER_MODULE,
        "square_words",
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
    );
    exp.task.function.anchor(dir.path());
    assert!(std::path::Path::new(&exp.task.function.file).is_absolute());
    let r = sweep(&exp);
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::PyThreading, 1).unwrap().checksum();
    assert!(answer.is_some());
    for m in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
        for w in [1, 2] {
            assert_eq!(r.cell(m, w).unwrap().checksum(), answer, "{m} × {w}");
        }
    }
    assert!(
        !dir.path().join("__pycache__").exists(),
        "nothing is written next to the user's module"
    );
    // A different result is a different checksum: the answer depends on what was returned.
    let mut other = exp.clone();
    other.task.function.range = Some(9);
    other.models = vec![ModelKind::PyThreading];
    other.workers = vec![1];
    let r2 = sweep(&other);
    assert_all_ok(&r2);
    assert_ne!(
        r2.cell(ModelKind::PyThreading, 1).unwrap().checksum(),
        answer
    );
}

/// A function that raises fails under every model: the traceback is reported once, with the
/// user's own frames only, by the first cell that met it (before, every cell repeated it, and
/// the workbench stacked one pop-up per cell). Its model's other cell is not run; the other
/// model meets the same fault (the same exception from the same frame) and is stopped too,
/// pointing at the first. Each model still meets the fault on its own, run alone.
#[test]
fn a_failing_function_is_reported_once_with_the_users_frames_and_stops_the_sweep() {
    let _g = exclusive();
    require_python!(
        "a_failing_function_is_reported_once_with_the_users_frames_and_stops_the_sweep"
    );
    let dir = tempfile::tempdir().unwrap();
    let mut exp = function_experiment(
        dir.path(),
        USER_MODULE,
        "fails_on_three",
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
    );
    exp.task.function.anchor(dir.path());
    let check_traceback = |err: &str| {
        assert!(
            err.starts_with("Python failed while running fails_on_three from user_mod.py: task 3"),
            "{err}"
        );
        assert!(err.contains("Traceback"), "{err}");
        assert!(
            err.contains("in helper"),
            "the user's frames are shown: {err}"
        );
        assert!(err.contains("ZeroDivisionError"), "{err}");
        assert!(
            !err.contains("corelab_worker.py"),
            "corelab's own frames are not: {err}"
        );
    };
    let r = sweep(&exp);
    assert_eq!(r.cells.len(), 4, "every cell is in the results");
    let whole: Vec<_> = r
        .cells
        .iter()
        .filter(|c| c.error.as_deref().is_some_and(|e| e.contains("Traceback")))
        .collect();
    assert_eq!(whole.len(), 1, "the traceback once: {:?}", r.cells);
    check_traceback(whole[0].error.as_deref().unwrap());
    let origin = format!("{} × {}", whole[0].model_id(), whole[0].workers);
    for c in &r.cells {
        assert_eq!(
            c.status,
            CellStatus::Failed,
            "{} × {}",
            c.model_id(),
            c.workers
        );
        let err = c.error.as_deref().unwrap();
        let fault = format!("{origin} (ZeroDivisionError: integer division or modulo by zero)");
        if !err.contains("Traceback") {
            assert!(
                err == format!("not run: the same code failed in {fault}")
                    || err == format!("failed with the same fault as {fault}"),
                "{} × {}: {err}",
                c.model_id(),
                c.workers
            );
        }
    }
    // The other model met it itself, once; its other cell was stopped.
    let again = r
        .cells
        .iter()
        .filter(|c| {
            c.error
                .as_deref()
                .is_some_and(|e| e.starts_with("failed with the same fault as"))
        })
        .collect::<Vec<_>>();
    assert_eq!(again.len(), 1, "{:?}", r.cells);
    assert_ne!(again[0].model, whole[0].model);
    for model in [ModelKind::PyThreading, ModelKind::PyMultiprocessing] {
        let mut alone = exp.clone();
        alone.models = vec![model];
        alone.workers = vec![1];
        let r = sweep(&alone);
        check_traceback(r.cell(model, 1).unwrap().error.as_deref().unwrap());
    }
}

/// A fault only one model meets (here an exception raised only in a multiprocessing pool
/// process, as a pickling error or a `threading.local` misuse would be) stops that model's
/// cells, reported once, and the other model is measured whole.
#[test]
fn a_fault_only_one_model_meets_stops_that_model_only() {
    let _g = exclusive();
    require_python!("a_fault_only_one_model_meets_stops_that_model_only");
    let dir = tempfile::tempdir().unwrap();
    let source = "\
import multiprocessing

def picky(n):
    if multiprocessing.current_process().name != 'MainProcess':
        raise TypeError('not in a pool process, please')
    return n * n
";
    let mut exp = function_experiment(
        dir.path(),
        source,
        "picky",
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
    );
    exp.task.function.anchor(dir.path());
    exp.repetitions = 2;
    let r = sweep(&exp);
    for w in [1, 2] {
        let c = r.cell(ModelKind::PyThreading, w).unwrap();
        assert_eq!(c.status, CellStatus::Ok, "{c:?}");
        assert_eq!(c.samples.len(), 2, "measured whole: {c:?}");
    }
    let cells: Vec<_> = [1, 2]
        .map(|w| r.cell(ModelKind::PyMultiprocessing, w).unwrap())
        .into();
    assert!(cells.iter().all(|c| c.status == CellStatus::Failed));
    let whole: Vec<_> = cells
        .iter()
        .filter(|c| c.error.as_deref().is_some_and(|e| e.contains("Traceback")))
        .collect();
    assert_eq!(whole.len(), 1, "the traceback once: {cells:?}");
    let err = whole[0].error.as_deref().unwrap();
    assert!(
        err.contains("in picky") && err.ends_with("TypeError: not in a pool process, please"),
        "{err}"
    );
    let other = cells
        .iter()
        .find(|c| c.workers != whole[0].workers)
        .unwrap();
    assert_eq!(
        other.error.as_deref(),
        Some(
            format!(
                "not run: the same code failed in py-multiprocessing × {} (TypeError: not in a pool process, please)",
                whole[0].workers
            )
            .as_str()
        )
    );
    assert_no_live_descendants();
}

#[test]
fn opening_a_preset_with_a_function_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("imported");
    let source = format!(
        "open({:?}, 'w').write('x')\ndef work(n):\n    return n\n",
        marker.to_str().unwrap()
    );
    let exp = function_experiment(dir.path(), &source, "work", &[ModelKind::PyThreading]);
    let preset = dir.path().join("fn.json");
    std::fs::write(&preset, exp.to_json()).unwrap();
    let loaded = Experiment::load(&preset).unwrap();
    loaded.validate().unwrap();
    assert_eq!(loaded.task.function.file, "user_mod.py");
    // The workbench lists functions by reading the text, not by importing.
    let text = std::fs::read_to_string(dir.path().join("user_mod.py")).unwrap();
    #[cfg(feature = "gui")]
    assert_eq!(
        corelab::gui::command_task::top_level_functions(&text),
        vec!["work"]
    );
    let _ = text;
    assert!(!marker.exists(), "the module was never imported");
}

#[test]
fn function_tasks_are_refused_by_models_without_python() {
    let dir = tempfile::tempdir().unwrap();
    let exp = function_experiment(
        dir.path(),
        USER_MODULE,
        "square_words",
        &[ModelKind::Threads],
    );
    let err = exp.validate().unwrap_err().to_string();
    assert!(err.contains("py-threading"), "{err}");
    let mut both = exp.clone();
    both.models = vec![ModelKind::PyThreading];
    both.task.function.args = vec![serde_json::json!(1)];
    let err = both.validate().unwrap_err().to_string();
    assert!(err.contains("either `args`"), "{err}");
}

#[test]
fn the_example_presets_name_functions_of_the_example_module() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/examples");
    let text = std::fs::read_to_string(root.join("work.py")).unwrap();
    for preset in ["pure-python-function.json", "gil-releasing-function.json"] {
        let exp = Experiment::load(&root.join(preset)).unwrap();
        exp.validate().unwrap();
        assert_eq!(exp.task.kind, TaskKind::Function);
        assert!(
            text.contains(&format!("\ndef {}(", exp.task.function.name)),
            "{preset}: {}",
            exp.task.function.name
        );
    }
}

#[test]
fn py_asyncio_runs_sleeps_mixed_and_functions_with_the_checksums_of_the_other_models() {
    let _g = exclusive();
    require_python!(
        "py_asyncio_runs_sleeps_mixed_and_functions_with_the_checksums_of_the_other_models"
    );
    for kind in [TaskKind::Io, TaskKind::Mixed, TaskKind::Cpu] {
        let mut exp = tiny_experiment(
            kind,
            &[ModelKind::Threads, ModelKind::Tokio, ModelKind::PyAsyncio],
            &[4],
        );
        exp.repetitions = 1;
        let r = sweep(&exp);
        assert_all_ok(&r);
        let answer = r.cell(ModelKind::Sequential, 1).unwrap().checksum();
        for m in [ModelKind::Threads, ModelKind::Tokio, ModelKind::PyAsyncio] {
            assert_eq!(r.cell(m, 4).unwrap().checksum(), answer, "{kind}: {m}");
        }
    }
    // A plain and an async function give the same checksum under py-asyncio and py-threading.
    let dir = tempfile::tempdir().unwrap();
    let source = format!(
        "{USER_MODULE}\nimport asyncio\nasync def square_words_async(n):\n    await asyncio.sleep(0.001)\n    return square_words(n)\n"
    );
    let mut exp = function_experiment(
        dir.path(),
        &source,
        "square_words",
        &[ModelKind::PyThreading, ModelKind::PyAsyncio],
    );
    exp.task.function.anchor(dir.path());
    let r = sweep(&exp);
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::PyThreading, 1).unwrap().checksum();
    assert_eq!(r.cell(ModelKind::PyAsyncio, 2).unwrap().checksum(), answer);
    exp.task.function.name = "square_words_async".into();
    exp.models = vec![ModelKind::PyAsyncio];
    let r = sweep(&exp);
    assert_all_ok(&r);
    assert_eq!(r.cell(ModelKind::PyAsyncio, 2).unwrap().checksum(), answer);
}

#[test]
fn a_model_whose_results_differ_fails_naming_the_first_differing_task() {
    let _g = exclusive();
    require_python!("a_model_whose_results_differ_fails_naming_the_first_differing_task");
    let dir = tempfile::tempdir().unwrap();
    // The same answer everywhere except for n = 5: a pool thread under py-threading, the
    // main thread of a pool process under py-multiprocessing.
    let source = "\
import threading

def where(n):
    if n == 5:
        return threading.current_thread().name.startswith('ThreadPool')
    return n
";
    let mut exp = function_experiment(
        dir.path(),
        source,
        "where",
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
    );
    exp.task.function.anchor(dir.path());
    exp.workers = vec![1];
    let r = sweep(&exp);
    let threads = r.cell(ModelKind::PyThreading, 1).unwrap();
    assert_eq!(threads.status, CellStatus::Ok, "{:?}", threads.error);
    let pool = r.cell(ModelKind::PyMultiprocessing, 1).unwrap();
    assert_eq!(pool.status, CellStatus::Failed);
    let err = pool.error.as_deref().unwrap();
    assert!(err.contains("wrong answer"), "{err}");
    assert!(
        err.contains("the first task that differs is task 5, where(5)"),
        "{err}"
    );
    // The per-task answers are in the results file, so the check made when a file is opened
    // finds the same task (the verdict is cleared first, so it has to be derived again).
    let mut reopened = corelab::results::ResultsFile::from_json(&r.to_json(), "test").unwrap();
    for c in &mut reopened.cells {
        c.status = CellStatus::Ok;
        c.error = None;
    }
    reopened.recompute();
    let again = reopened.cell(ModelKind::PyMultiprocessing, 1).unwrap();
    assert_eq!(again.status, CellStatus::Failed);
    assert!(
        again.error.as_deref().unwrap().contains("task 5, where(5)"),
        "{:?}",
        again.error
    );
}

/// A command's own CPU time is the run's: each run's CPU time holds its commands' own, as the
/// shell itself reports it (`times`), however busy the machine is. (Before, `cpu_s` held only
/// the waiting threads' microseconds: `cores` 0.02, every run marked busy.)
#[test]
fn a_command_s_cpu_time_counts_for_its_run() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("times");
    // The shell loops, then appends `times` to the log: its own user and system time (e.g.
    // `0m0.070000s 0m0.000000s`), then its children's (none), two lines per command.
    let script = format!(
        "i=0; while [ $i -lt 100000 ]; do i=$((i+1)); done; times >> '{}'",
        log.display()
    );
    let exp = command_experiment(&["sh", "-c", &script], &[ModelKind::Threads], &[1]);
    let results = sweep(&exp);
    let cell = results
        .cell(ModelKind::Threads, 1)
        .expect("the threads cell");
    assert_eq!(cell.status, CellStatus::Ok, "{:?}", cell.error);
    let seconds = |t: &str| -> f64 {
        let (m, s) = t.trim_end_matches('s').split_once('m').unwrap();
        m.parse::<f64>().unwrap() * 60.0 + s.parse::<f64>().unwrap()
    };
    let own: Vec<f64> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .step_by(2)
        .map(|l| l.split_whitespace().map(seconds).sum())
        .collect();
    assert!(!own.is_empty());
    let least = own.iter().copied().fold(f64::INFINITY, f64::min);
    assert!(
        least >= 0.01,
        "the loop used too little CPU to tell: {own:?}"
    );
    for s in &cell.samples {
        // A run is `tasks` commands, one after another (one worker); its CPU time holds at
        // least half of theirs (the shells' times are in clock ticks).
        assert!(
            s.cpu_s > 0.5 * least * exp.task.tasks as f64,
            "cpu {} of wall {}; each command reported {own:?}",
            s.cpu_s,
            s.wall_s
        );
    }
}

/// A command's minor page faults are the run's, as its CPU time is: each run's `minor_faults`
/// holds at least what its commands report they took themselves (`ru_minflt`), however busy
/// the machine. Each command touches 16 MiB, a page at a time. (Before, a run counted only the
/// waiting threads' faults: about 150, where one such command takes thousands.)
#[test]
fn a_command_s_minor_faults_count_for_its_run() {
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("faults");
    let script = format!(
        "import resource\nb = bytearray(16 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\n\
         open({:?}, 'a').write(f'{{resource.getrusage(resource.RUSAGE_SELF).ru_minflt}}\\n')",
        log.display().to_string()
    );
    let exp = command_experiment(&["python3", "-c", &script], &[ModelKind::Threads], &[1]);
    let results = sweep(&exp);
    let cell = results
        .cell(ModelKind::Threads, 1)
        .expect("the threads cell");
    assert_eq!(cell.status, CellStatus::Ok, "{:?}", cell.error);
    let own: Vec<u64> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert!(!own.is_empty());
    let least = own.iter().copied().min().unwrap();
    // 16 MiB is 4096 pages (fewer faults if the kernel backs it with huge pages, but the
    // interpreter's own start-up takes more than this).
    assert!(least >= 1000, "each command reported {own:?} faults");
    assert!(!cell.samples.is_empty());
    for s in &cell.samples {
        // A run is `tasks` commands, one after another (one worker).
        let faults = s.minor_faults.expect("a run's faults are counted");
        assert!(
            faults >= least * u64::from(exp.task.tasks),
            "{faults} faults in a run of {} commands; each reported {own:?}",
            exp.task.tasks
        );
    }
}

/// A command's memory is the run's: its commands have exited when the run's memory is read,
/// so each is measured as it is reaped (wait4). A command that allocates 64 MiB shows at least
/// that, and the run counts its commands as processes. (Before, `procs 1` and corelab's own
/// 10 MiB.)
#[test]
fn a_command_s_memory_counts_for_its_run() {
    let _g = common::exclusive();
    const MIB: u64 = 1 << 20;
    let exp = command_experiment(
        &[
            "python3",
            "-c",
            "import time\nb = bytearray(64 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\ntime.sleep(0.3)",
        ],
        &[ModelKind::Threads],
        &[2],
    );
    let results = sweep(&exp);
    let cell = results
        .cell(ModelKind::Threads, 2)
        .expect("the threads cell");
    assert_eq!(cell.status, CellStatus::Ok, "{:?}", cell.error);
    let costs = cell.costs.as_ref().expect("the run's costs were read");
    assert!(
        costs.processes > exp.task.tasks as usize,
        "this process and its {} commands: {}",
        exp.task.tasks,
        costs.processes
    );
    let peak = cell.peak_rss_bytes.expect("a peak is stated");
    // Two workers keep two commands running side by side (each holds its 64 MiB for 0.3 s):
    // both count, not the largest once.
    assert!(peak >= 2 * 64 * MIB, "peak {} MiB", peak / MIB);
    let commands = costs
        .per_process
        .iter()
        .find(|p| p.role.contains("commands"))
        .expect("the commands' entry");
    assert!(
        commands.role.ends_with("over the 2 that ran at once"),
        "{}",
        commands.role
    );
}

/// A function's module that is not there is found before any cell starts (it failed every
/// cell in turn, each after its interpreter had started), and nothing is read or run for it.
#[test]
fn a_missing_module_is_refused_before_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let mut exp = function_experiment(
        dir.path(),
        USER_MODULE,
        "square_words",
        &[ModelKind::PyThreading],
    );
    exp.task.function.anchor(dir.path());
    assert!(corelab::engine::task_preflight(&exp).is_ok());
    std::fs::remove_file(dir.path().join("user_mod.py")).unwrap();
    let err = corelab::engine::task_preflight(&exp)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("the function's module"), "{err}");
    assert!(
        err.contains("user_mod.py") && err.contains("cannot be read"),
        "{err}"
    );
    // A folder in its place is refused too.
    std::fs::create_dir(dir.path().join("user_mod.py")).unwrap();
    let err = corelab::engine::task_preflight(&exp)
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a regular file"), "{err}");
}

/// What a user's function prints (print(), a write to file descriptor 1, a child process
/// inheriting it) goes to stderr, never into corelab's protocol: every model runs it and
/// finds the same answer. (Before, the protocol shared the function's stdout: "Python wrote
/// malformed message".)
#[test]
fn a_function_that_prints_runs_under_every_python_model() {
    let _g = exclusive();
    require_python!("a_function_that_prints_runs_under_every_python_model");
    let dir = tempfile::tempdir().unwrap();
    let source = "\
import os, subprocess, sys

def chatty(n):
    for i in range(3000):
        print('progress', n, i)
    print('{\"op\": \"done\"}')
    sys.stdout.flush()
    os.write(1, b'straight to fd 1\\n')
    subprocess.run(['echo', 'from a child process'], check=True)
    return n * n
";
    let models = [
        ModelKind::PyThreading,
        ModelKind::PyAsyncio,
        ModelKind::PyMultiprocessing,
    ];
    let mut exp = function_experiment(dir.path(), source, "chatty", &models);
    exp.task.function.anchor(dir.path());
    let r = sweep(&exp);
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::PyThreading, 1).unwrap().checksum();
    for m in models {
        for w in [1, 2] {
            assert_eq!(r.cell(m, w).unwrap().checksum(), answer, "{m} × {w}");
        }
    }
}

/// Answers are compared by a canonical encoding, not repr(): a set (iterated in the order of
/// a hash salted per interpreter), a dict of frozensets, and a plain object (whose repr holds
/// its address) give the same checksum in every cell; an `async def` function gives its
/// awaited result under py-threading too.
#[test]
fn equal_answers_give_equal_checksums_whatever_the_hash_seed_or_address() {
    let _g = exclusive();
    require_python!("equal_answers_give_equal_checksums_whatever_the_hash_seed_or_address");
    let dir = tempfile::tempdir().unwrap();
    let source = "\
class Point:
    def __init__(self, n):
        self.n = n
        self.tags = {'alpha', 'beta', 'gamma', 'delta', str(n)}

class Slotted:
    __slots__ = ('a', 'b')
    def __init__(self, n):
        self.a, self.b = n, frozenset({'x', 'y', 'z', n})

def answers(n):
    words = {'alpha', 'beta', 'gamma', 'delta', 'eps', str(n)}
    return [words, {'k%d' % i: frozenset({'a', 'b', 'c', i}) for i in range(n + 2)},
            Point(n), Slotted(n), (n, 2.5, None, True, b'raw')]

async def answers_async(n):
    return answers(n)
";
    let models = [ModelKind::PyThreading, ModelKind::PyMultiprocessing];
    let mut exp = function_experiment(dir.path(), source, "answers", &models);
    exp.task.function.anchor(dir.path());
    exp.python.start_method = corelab::preset::StartMethod::Spawn;
    exp.repetitions = 2;
    let r = sweep(&exp);
    assert_all_ok(&r);
    let answer = r.cell(ModelKind::PyThreading, 1).unwrap().checksum();
    for m in models {
        for w in [1, 2] {
            assert_eq!(r.cell(m, w).unwrap().checksum(), answer, "{m} × {w}");
        }
    }
    let mut coroutine = exp.clone();
    coroutine.task.function.name = "answers_async".into();
    coroutine.models = vec![ModelKind::PyThreading, ModelKind::PyAsyncio];
    coroutine.workers = vec![2];
    coroutine.repetitions = 1;
    let r = sweep(&coroutine);
    assert_all_ok(&r);
    for m in [ModelKind::PyThreading, ModelKind::PyAsyncio] {
        assert_eq!(
            r.cell(m, 2).unwrap().checksum(),
            answer,
            "async def under {m}"
        );
    }
}

/// An answer corelab cannot compare is refused, naming the task and why: an object without
/// attributes whose repr holds its address, a generator.
#[test]
fn answers_that_cannot_be_compared_are_refused_naming_the_task() {
    let _g = exclusive();
    require_python!("answers_that_cannot_be_compared_are_refused_naming_the_task");
    let dir = tempfile::tempdir().unwrap();
    let source = "\
class Handle:
    __slots__ = ()

def handle(n):
    return [n, Handle()]

def gen(n):
    return (i for i in range(n))
";
    for (name, says) in [
        (
            "handle",
            "returned a <Handle> object whose repr holds its address",
        ),
        ("gen", "returned a generator"),
    ] {
        let models = [ModelKind::PyThreading, ModelKind::PyMultiprocessing];
        let mut exp = function_experiment(dir.path(), source, name, &models);
        exp.task.function.anchor(dir.path());
        exp.workers = vec![1];
        let r = sweep(&exp);
        for m in models {
            let c = r.cell(m, 1).unwrap();
            assert_eq!(c.status, CellStatus::Failed, "{name} under {m}");
            let err = c.error.as_deref().unwrap();
            assert!(err.contains(&format!("task 0: {name}(0) {says}")), "{err}");
            if name == "handle" {
                assert!(err.contains("return plain data"), "{err}");
            }
        }
    }
}

/// Every model hands each result back to the parent interpreter, as `Pool.map` and
/// `ThreadPoolExecutor.map` do (a process pool pickles it through its pipes), and the answer is
/// hashed there, after the timed region. The answer's repr (which the canonical encoding of an
/// object with its own repr reads) notes where and when it ran, through the worker's `TIMING`
/// seam.
#[test]
fn results_come_back_to_the_parent_and_are_hashed_after_the_timed_region() {
    let _g = exclusive();
    require_python!("results_come_back_to_the_parent_and_are_hashed_after_the_timed_region");
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    let source = format!(
        "\
import multiprocessing, sys

class Answer:
    def __init__(self, n):
        self.n = n
    def __repr__(self):
        worker = sys.modules['__main__']
        with open({notes:?}, 'a') as f:
            f.write('%s %s\\n' % (multiprocessing.parent_process() is None, worker.TIMING['now']))
        return 'Answer(%d)' % self.n

def work(n):
    return Answer(n)
",
        notes = notes.to_str().unwrap()
    );
    for model in [
        ModelKind::PyThreading,
        ModelKind::PyAsyncio,
        ModelKind::PyMultiprocessing,
    ] {
        let mut exp = function_experiment(dir.path(), &source, "work", &[model]);
        exp.task.function.anchor(dir.path());
        exp.python.start_method = corelab::preset::StartMethod::Spawn;
        exp.workers = vec![2];
        let r = sweep(&exp);
        assert_all_ok(&r);
        let text = std::fs::read_to_string(&notes).unwrap();
        std::fs::remove_file(&notes).unwrap();
        let runs = r.cell(model, 2).unwrap().samples.len();
        assert!(runs >= 1, "{model}");
        // Every task of every run (warm-ups too) was hashed.
        let hashed = text.lines().count();
        assert!(
            hashed >= 8 * runs && hashed.is_multiple_of(8),
            "{model}: {text}"
        );
        for line in text.lines() {
            assert_eq!(
                line, "True False",
                "{model}: hashed in the parent process (True), outside the timed region (False)"
            );
        }
    }
}

/// SystemExit, KeyboardInterrupt and os._exit in the user's function fail the cell at once,
/// naming the task, under every local model (os._exit: in a pool process, or in the
/// interpreter of py-threading) (before: a timeout after the whole timeout_s, or
/// "worker exited (status 3)").
#[test]
fn a_function_that_exits_fails_its_cell_naming_the_task() {
    let _g = exclusive();
    require_python!("a_function_that_exits_fails_its_cell_naming_the_task");
    let dir = tempfile::tempdir().unwrap();
    let source = "\
import os, sys

def exits(n):
    if n == 2:
        sys.exit(3)
    return n

def interrupted(n):
    if n == 2:
        raise KeyboardInterrupt
    return n

def hard_exit(n):
    if n == 2:
        os._exit(7)
    return n
";
    let models = [
        ModelKind::PyThreading,
        ModelKind::PyAsyncio,
        ModelKind::PyMultiprocessing,
    ];
    for (name, says, in_models) in [
        (
            "exits",
            "task 2: exits(2) raised SystemExit(3)",
            &models[..],
        ),
        (
            "interrupted",
            "task 2: interrupted(2) raised KeyboardInterrupt",
            &models[..],
        ),
        (
            "hard_exit",
            "task 2: a pool process died (exit status 7) while running hard_exit(2)",
            &models[2..],
        ),
        // In the interpreter itself (threads), which dies: named on its last stderr line.
        (
            "hard_exit",
            "task 2: hard_exit(2) called os._exit(7)",
            &models[..1],
        ),
    ] {
        let started = std::time::Instant::now();
        // One sweep per model: a fault of the user's code stops a sweep at its first cell.
        for &m in in_models {
            let mut exp = function_experiment(dir.path(), source, name, &[m]);
            exp.task.function.anchor(dir.path());
            exp.workers = vec![1];
            exp.timeout_s = 600.0;
            let r = sweep(&exp);
            let c = r.cell(m, 1).unwrap();
            assert_eq!(c.status, CellStatus::Failed, "{name} under {m}");
            let err = c.error.as_deref().unwrap();
            assert!(err.contains(says), "{name} under {m}: {err}");
        }
        // Not a timeout: the sweep did not wait for the 600 s limit (a bound far above any
        // machine's time to start an interpreter and fail).
        assert!(started.elapsed().as_secs() < 300, "{name}");
    }
    assert_no_live_descendants();
}

/// The user's module can import a module next to it, as under `python work.py`, in the
/// interpreter and in a spawned pool process.
#[test]
fn a_function_can_import_a_sibling_module() {
    let _g = exclusive();
    require_python!("a_function_can_import_a_sibling_module");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sibling_helper.py"),
        "def g(n):\n    return n * 7\n",
    )
    .unwrap();
    let source = "from sibling_helper import g\n\ndef work(n):\n    return g(n)\n";
    let models = [ModelKind::PyThreading, ModelKind::PyMultiprocessing];
    let mut exp = function_experiment(dir.path(), source, "work", &models);
    exp.task.function.anchor(dir.path());
    exp.python.start_method = corelab::preset::StartMethod::Spawn;
    exp.workers = vec![2];
    let r = sweep(&exp);
    assert_all_ok(&r);
    assert_eq!(
        r.cell(ModelKind::PyThreading, 2).unwrap().checksum(),
        r.cell(ModelKind::PyMultiprocessing, 2).unwrap().checksum()
    );
}

/// The user's module is imported by the interpreter and by every pool process during the
/// cell's start-up, before the first run, even by a pool process that gets no task (fewer
/// tasks than workers, no warm-up): no timed run ever includes an import, and the import's
/// time is part of the start-up, reported apart. (Before, each pool process imported on its
/// first task, inside a timed run: a 2 s import showed up as a 2 s run.)
#[test]
fn the_module_is_imported_everywhere_before_the_first_run_and_timed_apart() {
    let _g = exclusive();
    require_python!("the_module_is_imported_everywhere_before_the_first_run_and_timed_apart");
    for (model, method, workers, importers) in [
        (
            ModelKind::PyMultiprocessing,
            corelab::preset::StartMethod::Spawn,
            4,
            5,
        ),
        (
            ModelKind::PyMultiprocessing,
            corelab::preset::StartMethod::Fork,
            3,
            4,
        ),
        (
            ModelKind::PyThreading,
            corelab::preset::StartMethod::Spawn,
            4,
            1,
        ),
        (
            ModelKind::PyAsyncio,
            corelab::preset::StartMethod::Spawn,
            2,
            1,
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut exp = function_experiment(dir.path(), COUNTING_MODULE, "work", &[model]);
        exp.task.function.anchor(dir.path());
        exp.task.function.range = Some(2); // fewer tasks than workers
        exp.task.tasks = 2;
        exp.python.start_method = method;
        let seen = start_and_run(&exp, model, workers, 3, dir.path());
        let started = seen.at_start_up;
        let imports = importing_processes(&started);
        assert_eq!(
            (started.len(), imports.len()),
            (importers, importers),
            "{model} × {workers} ({method:?}): every process imported once during start-up, nothing was called: {started:?}"
        );
        let import = seen.import.expect("the import is timed apart");
        assert!(import <= seen.startup, "{model}: part of the start-up");
        let after = seen.at_the_end;
        assert_eq!(&after[..started.len()], &started[..]);
        assert!(
            after[started.len()..]
                .iter()
                .all(|(what, _)| what == "call"),
            "{model}: no import during the runs: {after:?}"
        );
        assert_eq!(after.len() - started.len(), 6, "{model}: 3 runs of 2 calls");
    }
    assert_no_live_descendants();
}

/// A module that cannot be imported (a syntax error, an exception at its top level) fails
/// the first cell's start-up, saying "while importing" and showing the user's frames only; no
/// other cell starts an interpreter for it.
#[test]
fn a_module_that_fails_to_import_is_reported_once_as_an_import() {
    let _g = exclusive();
    require_python!("a_module_that_fails_to_import_is_reported_once_as_an_import");
    for (source, says) in [
        ("def work(n)\n    return n\n", "SyntaxError"),
        (
            "def load():\n    raise KeyError('config')\n\nload()\n\ndef work(n):\n    return n\n",
            "KeyError: 'config'",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let mut exp = function_experiment(
            dir.path(),
            source,
            "work",
            &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
        );
        exp.task.function.anchor(dir.path());
        let r = sweep(&exp);
        let first = &r.cells[0];
        let err = first.error.as_deref().unwrap();
        assert!(
            err.starts_with("Python failed while importing user_mod.py:\n"),
            "{err}"
        );
        assert!(err.contains("user_mod.py") && err.contains(says), "{err}");
        assert!(
            !err.contains("corelab_worker.py") && !err.contains("importlib"),
            "{err}"
        );
        assert_eq!(first.startup_s, None, "the start-up did not complete");
        for c in &r.cells[1..] {
            assert_eq!(c.status, CellStatus::Failed);
            let err = c.error.as_deref().unwrap();
            assert!(
                err.starts_with("not run: the same code failed in py-threading × 1 (")
                    && err.contains(says),
                "{err}"
            );
            assert_eq!(c.startup_s, None, "never started: {err}");
        }
    }
    assert_no_live_descendants();
}

/// A misspelt function name is refused before any cell starts, with the nearest name the
/// module defines, read from its text: the module is never imported to find out.
#[test]
fn a_misspelt_function_is_refused_before_the_sweep_without_importing() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("imported");
    let source = format!(
        "open({:?}, 'w').write('x')\n\ndef hash_records(n):\n    return n\n\ndef fetch(ms):\n    return ms\n",
        marker.to_str().unwrap()
    );
    let mut exp = function_experiment(
        dir.path(),
        &source,
        "hash_recrods",
        &[ModelKind::PyThreading],
    );
    exp.task.function.anchor(dir.path());
    let err = corelab::engine::task_preflight(&exp)
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("the function's module"), "{err}");
    assert!(
        err.contains("no function `hash_recrods` (did you mean `hash_records`?)")
            && err.contains("hash_records, fetch"),
        "{err}"
    );
    exp.task.function.name = "hash_records".into();
    assert!(corelab::engine::task_preflight(&exp).is_ok());
    assert!(!marker.exists(), "the module was never imported");
}

/// A relative module path reaching the pre-check (no preset file to anchor it) is refused with
/// a sentence, before any cell: the worker imports by absolute path only, and every cell used
/// to fail with "task.function.file 'mywork.py' is not an absolute path".
#[test]
fn a_relative_module_path_is_refused_before_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let exp = function_experiment(
        dir.path(),
        USER_MODULE,
        "square_words",
        &[ModelKind::PyThreading],
    );
    assert_eq!(exp.task.function.file, "user_mod.py");
    let err = corelab::engine::task_preflight(&exp)
        .unwrap_err()
        .to_string();
    assert!(err.contains("user_mod.py is a relative path"), "{err}");
    // Resolved as the CLI and the workbench resolve it: against the preset's folder, else
    // the current directory.
    let resolved = exp.task.function.resolved_file(Some(dir.path())).unwrap();
    assert_eq!(
        resolved,
        dir.path().canonicalize().unwrap().join("user_mod.py")
    );
    let from_cwd = exp.task.function.resolved_file(None).unwrap();
    assert_eq!(
        from_cwd,
        std::env::current_dir().unwrap().join("user_mod.py")
    );
}

/// A function that hangs is waited out once per model that hangs: the cell names the function
/// and the timeout, its model's other cells are not run, and the other model, which hangs
/// too, points at the first instead of repeating the message.
#[test]
fn a_hanging_function_is_waited_out_once() {
    let _g = exclusive();
    require_python!("a_hanging_function_is_waited_out_once");
    let dir = tempfile::tempdir().unwrap();
    let source =
        "import time\n\ndef hangs(n):\n    if n == 1:\n        time.sleep(3600)\n    return n\n";
    let mut exp = function_experiment(
        dir.path(),
        source,
        "hangs",
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
    );
    exp.task.function.anchor(dir.path());
    exp.task.function.range = Some(2);
    exp.task.tasks = 2;
    exp.timeout_s = 2.0;
    let r = sweep(&exp);
    let timed_out: Vec<_> = r
        .cells
        .iter()
        .filter(|c| {
            c.error
                .as_deref()
                .is_some_and(|e| e.contains("took longer than"))
        })
        .collect();
    assert_eq!(timed_out.len(), 1, "{:?}", r.cells);
    let err = timed_out[0].error.as_deref().unwrap();
    assert!(
        err.starts_with("a run of hangs(i for i in range(2)) from ")
            && err.contains("took longer than the 2 s timeout")
            && err.ends_with("; still running then: task 1: hangs(1)"),
        "{err}"
    );
    for c in &r.cells {
        let e = c.error.as_deref().unwrap();
        assert!(
            e.contains("took longer than")
                || e.ends_with("(hangs ran past the 2 s timeout, in task 1: hangs(1))"),
            "{e}"
        );
    }
    // Every model names the call that hangs (threads and the event loop from the calls in
    // flight, a process pool from its table of which task each process runs).
    for model in [
        ModelKind::PyThreading,
        ModelKind::PyAsyncio,
        ModelKind::PyMultiprocessing,
    ] {
        let mut alone = exp.clone();
        alone.models = vec![model];
        alone.workers = vec![1];
        let r = sweep(&alone);
        let err = r.cell(model, 1).unwrap().error.clone().unwrap();
        assert!(
            err.ends_with("; still running then: task 1: hangs(1)"),
            "{model}: {err}"
        );
    }
    assert_no_live_descendants();
}
