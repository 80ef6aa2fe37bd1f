//! What an experiment needs from outside corelab, checked before any cell starts: memory and
//! disk, a Python interpreter that can run its models, the task's module and function (or
//! `py-mpi`'s hostfile), and waits that fit its timeout. A failure here refuses the sweep
//! instead of failing every cell in turn.

use std::sync::Arc;

use super::executors::{ExecutorFactory, RealExecutors};
use super::plan::sweep_plan;
use crate::engine::error::EngineError;
use crate::engine::model::python::PythonInfo;
use crate::engine::module_source::ModuleSource;
use crate::preset::{Experiment, ModelKind};

/// Checks what the experiment needs from outside corelab (memory and disk for its largest
/// cell, see [`crate::engine::resources`]; a Python interpreter for the `py-*` models). `Ok(None)`
/// when no interpreter is needed; an error says what is missing.
pub fn preflight(exp: &Experiment) -> Result<Option<PythonInfo>, EngineError> {
    preflight_with(exp, &RealExecutors)
}

/// [`preflight`] with the interpreter asked of `executors` ([`ExecutorFactory::python_info`]),
/// as the sweep asks it: the lessons check with the factory their sweeps run on, so that a
/// test answers without an interpreter.
pub fn preflight_with(
    exp: &Experiment,
    executors: &dyn ExecutorFactory,
) -> Result<Option<PythonInfo>, EngineError> {
    preflight_checked(exp, executors).map(|checked| checked.python)
}

/// What [`preflight_checked`] found: the interpreter the Python models run, and a function
/// task's module as it was read and checked, for the notes and the results file to take
/// ([`SweepConfig::module`]) instead of reading it again.
///
/// [`SweepConfig::module`]: super::SweepConfig::module
#[derive(Debug, Default)]
pub struct Preflight {
    pub python: Option<PythonInfo>,
    pub module: Option<Arc<ModuleSource>>,
}

/// [`preflight_with`], keeping the one reading of a function task's module that it checked.
pub fn preflight_checked(
    exp: &Experiment,
    executors: &dyn ExecutorFactory,
) -> Result<Preflight, EngineError> {
    crate::engine::resources::check(exp).map_err(|e| EngineError::Resources(e.to_string()))?;
    let module = task_preflight(exp)?.map(Arc::new);
    if !exp.models.iter().any(|m| m.is_python()) {
        return Ok(Preflight {
            python: None,
            module,
        });
    }
    let info = executors.python_info(&exp.python)?;
    // Refused, as every model this interpreter cannot run is (the workbench greys it and Run
    // says why): a sweep quietly without a model the preset asks for would answer another
    // question. The reason names the models that can run, for `--models`.
    let refused: Vec<(ModelKind, String)> = exp
        .models
        .iter()
        .filter_map(|m| info.refuses(*m).map(|r| (*m, r)))
        .collect();
    if let Some((_, reason)) = refused.first() {
        let others: Vec<&str> = exp
            .models
            .iter()
            .filter(|m| !refused.iter().any(|(r, _)| r == *m))
            .map(|m| m.id())
            .collect();
        let hint = match others.is_empty() {
            true => String::new(),
            false => format!(
                "; to run the other models without it: --models {}",
                others.join(",")
            ),
        };
        return Err(EngineError::InterpreterRefused(format!("{reason}{hint}")));
    }
    Ok(Preflight {
        python: Some(info),
        module,
    })
}

/// What a task names that must be there before any cell starts: a function's module file,
/// given by an absolute path, and a function of that name in it; and for `py-mpi` the
/// hostfile, an absolute path to a regular file that can be read (see
/// [`crate::engine::mpi_hostfile`]). The module is looked at and its text read, never imported or
/// run: a missing module or a misspelt function (or hostfile) would otherwise fail every cell
/// in turn, each after its interpreter or pool had started.
/// Returns the module as read (once) and checked, for a function task: give it to the sweep
/// ([`SweepConfig::module`]) so that the source it records is the text checked here.
///
/// [`SweepConfig::module`]: super::SweepConfig::module
pub fn task_preflight(exp: &Experiment) -> Result<Option<ModuleSource>, EngineError> {
    waits_fit_the_timeout(exp)?;
    if exp.models.contains(&ModelKind::PyMpi) {
        crate::engine::mpi_hostfile::checked_hostfile(&exp.mpi.hostfile)?;
    }
    if exp.task.kind == crate::preset::TaskKind::Function {
        let file = std::path::Path::new(exp.task.function.file.trim());
        if file.is_relative() {
            // The Python worker imports by absolute path only; the CLI and the workbench
            // resolve a relative one first (against the preset file's folder, else the
            // current directory).
            return Err(EngineError::TaskUnavailable(format!(
                "the function's module {} is a relative path; give it from the root (or open \
                 the preset from a file, whose folder a relative path is taken from)",
                file.display().to_string().escape_debug()
            )));
        }
        match std::fs::metadata(file) {
            Ok(m) if m.is_file() => {
                // The function's name, read from the module's text (never imported: see
                // `python_source`): a misspelt one would fail every cell.
                let name = exp.task.function.name.trim();
                match ModuleSource::read(file) {
                    Ok(module) => match module.missing_function(name) {
                        None => return Ok(Some(module)),
                        Some(why) => {
                            return Err(EngineError::TaskUnavailable(format!(
                                "the function's module {}: {why}",
                                file.display().to_string().escape_debug()
                            )));
                        }
                    },
                    Err(e) => {
                        return Err(EngineError::TaskUnavailable(format!(
                            "the function's module {} cannot be read: {e}",
                            file.display().to_string().escape_debug()
                        )));
                    }
                }
            }
            Ok(m) => {
                return Err(EngineError::TaskUnavailable(format!(
                    "the function's module {} is not a regular file: it is {}",
                    file.display().to_string().escape_debug(),
                    crate::safe_fs::describe_type(m.file_type())
                )));
            }
            Err(e) => {
                return Err(EngineError::TaskUnavailable(format!(
                    "the function's module {} cannot be read: {e}",
                    file.display().to_string().escape_debug()
                )));
            }
        }
    }
    Ok(None)
}

/// Refuses a sweep whose runs cannot end within `timeout_s` whatever the machine: a task that
/// waits (`io` sleeps, `mixed` compute and wait) takes at least its wait, so one run of a cell
/// that has `w` tasks in flight takes at least ⌈tasks / w⌉ such waits. Without this, a preset
/// of 32 one-minute sleeps against a 30 s timeout was accepted, and each cell failed after
/// 30 s. A calibrated task (`target_run_s`) is sized below the timeout at run time instead.
fn waits_fit_the_timeout(exp: &Experiment) -> Result<(), EngineError> {
    use crate::preset::{IoMode, TaskKind};
    if exp.target_run_s > 0.0 {
        return Ok(());
    }
    let task = &exp.task;
    let (per_task_s, what) = match task.kind {
        TaskKind::Io if task.io.mode == IoMode::Sleep => {
            (task.io.sleep_ms / 1000.0, "io.sleep_ms of waiting")
        }
        TaskKind::Mixed => (
            (task.mixed.compute_ms + task.mixed.wait_ms) / 1000.0,
            "mixed.compute_ms + wait_ms",
        ),
        _ => return Ok(()),
    };
    let tasks = u64::from(task.tasks.max(1));
    let slowest = sweep_plan(exp).into_iter().map(|(model, w)| {
        let in_flight = if model.is_single_worker() {
            1
        } else {
            w.max(1) as u64
        };
        let rounds = tasks.div_ceil(in_flight);
        (model, w, rounds as f64 * per_task_s)
    });
    // The first of the slowest (the sequential baseline before a model's own one worker).
    let Some((model, w, floor_s)) = slowest.min_by(|a, b| b.2.total_cmp(&a.2)) else {
        return Ok(());
    };
    if floor_s < exp.timeout_s {
        return Ok(());
    }
    Err(EngineError::TaskUnavailable(format!(
        "one run of {model} × {w} would take at least {floor_s:.1} s ({tasks} tasks of \
         {per_task_s:.3} s each, {} at a time; {what}), but timeout_s is {} s: every such run \
         would be stopped; raise timeout_s, or lower the waits or the number of tasks",
        if model.is_single_worker() { 1 } else { w },
        exp.timeout_s
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_longer_than_the_timeout_are_refused_before_any_cell() {
        use crate::preset::{IoMode, TaskKind};
        let mut exp = Experiment {
            models: vec![ModelKind::Sequential, ModelKind::Threads],
            workers: vec![1, 2],
            timeout_s: 30.0,
            ..Experiment::default()
        };
        exp.task.kind = TaskKind::Io;
        exp.task.io.mode = IoMode::Sleep;
        exp.task.tasks = 32;
        exp.task.io.sleep_ms = 60_000.0;
        let e = task_preflight(&exp).unwrap_err().to_string();
        assert!(
            e.contains(
                "one run of sequential × 1 would take at least 1920.0 s (32 tasks of 60.000 s each, 1 at a time; io.sleep_ms of waiting)"
            ),
            "{e}"
        );
        assert!(e.contains("but timeout_s is 30 s"), "{e}");
        // 32 × 0.9 s at one worker: 28.8 s, within the 30 s.
        exp.task.io.sleep_ms = 900.0;
        assert!(task_preflight(&exp).is_ok());
        // Every plan has a cell of one worker (the sequential baseline, or each model's own one
        // worker), which waits for the tasks one after another.
        exp.models = vec![ModelKind::Threads];
        exp.workers = vec![4, 8];
        exp.baseline = crate::preset::Baseline::SameModelOneWorker;
        exp.task.io.sleep_ms = 5_000.0;
        let e = task_preflight(&exp).unwrap_err().to_string();
        assert!(e.contains("threads × 1 would take at least 160.0 s"), "{e}");
        // Calibrated: sized at run time instead.
        exp.target_run_s = 1.0;
        assert!(task_preflight(&exp).is_ok());
    }

    #[test]
    fn every_built_in_preset_fits_its_timeout() {
        for p in crate::preset::builtin_presets() {
            let exp = p.experiment().unwrap();
            assert!(task_preflight(&exp).is_ok(), "{}", p.id);
        }
    }
}
