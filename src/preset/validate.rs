use super::error::PresetError;
use super::experiment::{Baseline, Experiment, ModelKind, PRESET_VERSION};
use super::task::{IoMode, TaskKind, TaskSpec};

/// Bounds enforced by [`Experiment::validate`]. Chosen so that a typo cannot freeze the machine.
pub mod limits {
    pub const MAX_WORKERS: usize = 512;
    /// Worker counts (units in flight) allowed for `io` sleep tasks, where a worker only waits.
    pub const MAX_IN_FLIGHT: usize = 1024;
    pub const MAX_PROCESS_WORKERS: usize = 256;
    pub const MAX_WORKER_COUNTS: usize = 64;
    pub const MAX_REPETITIONS: u32 = 1000;
    pub const MAX_WARMUPS: u32 = 100;
    pub const MAX_TASKS: u32 = 1_000_000;
    pub const MAX_CPU_SIZE: u64 = 1_000_000_000_000;
    pub const MAX_SLEEP_MS: f64 = 60_000.0;
    pub const MAX_FILE_KIB: u64 = 1024 * 1024;
    pub const MAX_ARRAY_MIB: u64 = 4096;
    pub const MAX_PASSES: u32 = 10_000;
    pub const MAX_INCREMENTS: u64 = 1_000_000_000;
    pub const MAX_TIMEOUT_S: f64 = 24.0 * 3600.0;
    pub const MIN_TIMEOUT_S: f64 = 0.05;
    pub const MAX_MIN_TIME_S: f64 = 3600.0;
    pub const MAX_NAME_CHARS: usize = 200;
    pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
    pub const MAX_ARGV: usize = 256;
    /// Largest payload per task, KiB (a task carries this much in and as much out).
    pub const MAX_PAYLOAD_KIB: u32 = 256;
    pub const MAX_ARG_BYTES: usize = 4096;
}

use limits::*;

/// The range a whole-number field accepts, in the words its check uses, for a value that did
/// not even fit the field's type (`"repetitions": -3`, `2.5`, `1e20`): serde's own words,
/// "from 0 to 4294967295", give a range the field never accepts.
pub(super) fn whole_number_range(field: &str) -> Option<String> {
    let (low, high, unit): (u64, u64, &str) = match field {
        "repetitions" => (1, MAX_REPETITIONS.into(), ""),
        "warmups" => (0, MAX_WARMUPS.into(), ""),
        "task.tasks" => (1, MAX_TASKS.into(), ""),
        "task.payload_kib" => (0, MAX_PAYLOAD_KIB.into(), " KiB"),
        "task.cpu.size" => (1, MAX_CPU_SIZE, ""),
        "task.io.file_kib" => (1, MAX_FILE_KIB, " KiB"),
        "task.memory.array_mib" => (1, MAX_ARRAY_MIB, " MiB"),
        "task.memory.passes" => (1, MAX_PASSES.into(), ""),
        "task.contention.increments" => (1, MAX_INCREMENTS, ""),
        "task.contention.permits" => (1, MAX_WORKERS as u64, ""),
        _ => return None,
    };
    Some(format!("a whole number between {low} and {high}{unit}"))
}

impl Experiment {
    /// Checks every field; the first problem found is returned, naming the field and its value.
    pub fn validate(&self) -> Result<(), PresetError> {
        if self.version == 0 || self.version > PRESET_VERSION {
            return Err(PresetError::Version {
                found: self.version,
                supported: PRESET_VERSION,
            });
        }
        if self.name.chars().count() > MAX_NAME_CHARS {
            return Err(PresetError::invalid(
                "name",
                format!("\"{}…\"", self.name.chars().take(20).collect::<String>()),
                format!("names are limited to {MAX_NAME_CHARS} characters"),
            ));
        }
        if self.description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(PresetError::invalid(
                "description",
                format!("{} characters", self.description.chars().count()),
                format!("descriptions are limited to {MAX_DESCRIPTION_CHARS} characters"),
            ));
        }
        self.validate_workers()?;
        self.validate_models()?;
        if self.repetitions == 0 || self.repetitions > MAX_REPETITIONS {
            return Err(PresetError::invalid(
                "repetitions",
                self.repetitions,
                format!("must be between 1 and {MAX_REPETITIONS}"),
            ));
        }
        if self.warmups > MAX_WARMUPS {
            return Err(PresetError::invalid(
                "warmups",
                self.warmups,
                format!("must be between 0 and {MAX_WARMUPS}"),
            ));
        }
        if !(self.min_time_s.is_finite() && (0.0..=MAX_MIN_TIME_S).contains(&self.min_time_s)) {
            return Err(PresetError::invalid(
                "min_time_s",
                self.min_time_s,
                format!("must be between 0 (off) and {MAX_MIN_TIME_S} seconds"),
            ));
        }
        if !(self.precision.is_finite() && (0.0..=0.5).contains(&self.precision)) {
            return Err(PresetError::invalid(
                "precision",
                self.precision,
                "must be between 0 (off) and 0.5 (±50% of the median), e.g. 0.02",
            ));
        }
        if !(self.precision_budget_s.is_finite()
            && (0.0..=MAX_MIN_TIME_S).contains(&self.precision_budget_s))
        {
            return Err(PresetError::invalid(
                "precision_budget_s",
                self.precision_budget_s,
                format!("must be between 0 and {MAX_MIN_TIME_S} seconds"),
            ));
        }
        if !(self.target_run_s.is_finite() && (0.0..=600.0).contains(&self.target_run_s)) {
            return Err(PresetError::invalid(
                "target_run_s",
                self.target_run_s,
                "must be between 0 (off) and 600 seconds, e.g. 0.25",
            ));
        }
        if let Some(rule) = &self.worker_rule {
            rule.validate()?;
        }
        if !(self.timeout_s.is_finite()
            && (MIN_TIMEOUT_S..=MAX_TIMEOUT_S).contains(&self.timeout_s))
        {
            return Err(PresetError::invalid(
                "timeout_s",
                self.timeout_s,
                format!("must be between {MIN_TIMEOUT_S} and {MAX_TIMEOUT_S} seconds"),
            ));
        }
        if self.target_run_s > 0.0 && self.target_run_s >= self.timeout_s {
            // Every run, sized to the target, would be stopped as timed out.
            return Err(PresetError::invalid(
                "target_run_s",
                self.target_run_s,
                format!(
                    "runs sized to take {} s would reach `timeout_s` = {} s and fail; \
                     make target_run_s shorter than timeout_s",
                    self.target_run_s, self.timeout_s
                ),
            ));
        }
        let si = self.gil.switch_interval_ms;
        if !(si.is_finite() && (0.01..=1000.0).contains(&si)) {
            return Err(PresetError::invalid(
                "gil.switch_interval_ms",
                si,
                "must be between 0.01 and 1000 ms (CPython's default is 5 ms)",
            ));
        }
        validate_task(&self.task)?;
        self.validate_combinations()?;
        self.validate_view()
    }

    /// A view the task cannot show (lost updates of a cpu task) is refused, naming the task.
    fn validate_view(&self) -> Result<(), PresetError> {
        match self
            .view
            .and_then(|v| Some((v, v.unavailable_for(self.task.kind)?)))
        {
            Some((view, reason)) => Err(PresetError::invalid(
                "view",
                format!("\"{view}\""),
                format!(
                    "{reason}; choose one of {}",
                    super::ResultsView::ALL
                        .iter()
                        .filter(|v| v.unavailable_for(self.task.kind).is_none())
                        .map(|v| v.id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            None => Ok(()),
        }
    }

    fn validate_workers(&self) -> Result<(), PresetError> {
        if self.workers.is_empty() {
            return Err(PresetError::invalid(
                "workers",
                "[]",
                "list at least one worker count, e.g. [1, 2, 4]",
            ));
        }
        if self.workers.len() > MAX_WORKER_COUNTS {
            return Err(PresetError::invalid(
                "workers",
                format!("{} entries", self.workers.len()),
                format!("at most {MAX_WORKER_COUNTS} worker counts per sweep"),
            ));
        }
        for (i, &w) in self.workers.iter().enumerate() {
            if w == 0 {
                return Err(PresetError::invalid(
                    format!("workers[{i}]"),
                    w,
                    "a worker count must be at least 1",
                ));
            }
            let most = self.task.max_workers();
            if w > most {
                return Err(PresetError::invalid(
                    format!("workers[{i}]"),
                    w,
                    if most == MAX_IN_FLIGHT {
                        format!("at most {MAX_IN_FLIGHT} workers")
                    } else {
                        format!(
                            "at most {MAX_WORKERS} workers ({MAX_IN_FLIGHT} for io tasks in sleep mode)"
                        )
                    },
                ));
            }
            if w > MAX_PROCESS_WORKERS && self.models.contains(&ModelKind::Processes) {
                return Err(PresetError::invalid(
                    format!("workers[{i}]"),
                    w,
                    format!("the processes model starts at most {MAX_PROCESS_WORKERS} children"),
                ));
            }
            if self.workers[..i].contains(&w) {
                return Err(PresetError::invalid(
                    format!("workers[{i}]"),
                    w,
                    "worker count listed twice",
                ));
            }
        }
        Ok(())
    }

    fn validate_models(&self) -> Result<(), PresetError> {
        if self.models.is_empty() {
            return Err(PresetError::invalid(
                "models",
                "[]",
                "choose at least one execution model, e.g. [\"sequential\", \"threads\"]",
            ));
        }
        for (i, m) in self.models.iter().enumerate() {
            if self.models[..i].contains(m) {
                return Err(PresetError::invalid(
                    format!("models[{i}]"),
                    format!("\"{m}\""),
                    "model listed twice",
                ));
            }
        }
        Ok(())
    }

    /// Model × task combinations that cannot be measured meaningfully.
    fn validate_combinations(&self) -> Result<(), PresetError> {
        // The sequential baseline is always measured, and the sequential model cannot call a
        // Python function: every such sweep would fail its baseline cell.
        if self.task.kind == TaskKind::Function && self.baseline == Baseline::Sequential {
            return Err(PresetError::invalid(
                "baseline",
                "\"sequential\" with task.kind = \"function\"",
                "the sequential model cannot call a Python function; use \"same-model-one-worker\" (each Python model against itself at one worker)",
            ));
        }
        for (i, m) in self.models.iter().enumerate() {
            if let Some(reason) = model_refusal(*m, &self.task) {
                return Err(PresetError::invalid(
                    format!("models[{i}]"),
                    format!("\"{m}\" with task.kind = \"{}\"", self.task.kind),
                    reason,
                ));
            }
        }
        if self.models.iter().any(|m| m.is_python()) {
            let interp = self.python.interpreter.trim();
            if interp.is_empty() || interp.len() > 4096 || interp.contains('\0') {
                return Err(PresetError::invalid(
                    "python.interpreter",
                    format!("{:?}", self.python.interpreter),
                    "name an interpreter on PATH (python3) or give its path",
                ));
            }
        }
        if self.task.kind != TaskKind::Contention {
            return Ok(());
        }
        let sync = self.task.contention.sync;
        for (i, m) in self.models.iter().enumerate() {
            let reason = sync.refusal_for(*m);
            if let Some(reason) = reason {
                return Err(PresetError::invalid(
                    format!("models[{i}]"),
                    format!("\"{m}\" with task.contention.sync = \"{}\"", sync.id()),
                    reason,
                ));
            }
        }
        Ok(())
    }
}

impl TaskSpec {
    /// The largest worker count this task allows: more for waiting (io sleep) tasks, whose
    /// workers use no core, so that a thousand waits in flight can be compared.
    pub fn max_workers(&self) -> usize {
        if self.kind == TaskKind::Io && self.io.mode == IoMode::Sleep {
            MAX_IN_FLIGHT
        } else {
            MAX_WORKERS
        }
    }

    /// Checks the task's fields alone, as [`Experiment::validate`] does (used on tasks that
    /// arrive without their experiment, e.g. over the worker protocol).
    pub fn validate(&self) -> Result<(), PresetError> {
        validate_task(self)
    }
}

fn validate_task(task: &TaskSpec) -> Result<(), PresetError> {
    if task.tasks == 0 || task.tasks > MAX_TASKS {
        return Err(PresetError::invalid(
            "task.tasks",
            task.tasks,
            format!("must be between 1 and {MAX_TASKS}"),
        ));
    }
    if task.payload_kib > MAX_PAYLOAD_KIB {
        return Err(PresetError::invalid(
            "task.payload_kib",
            task.payload_kib,
            format!("must be between 0 and {MAX_PAYLOAD_KIB} KiB"),
        ));
    }
    match task.kind {
        TaskKind::Cpu => {
            if task.cpu.size == 0 || task.cpu.size > MAX_CPU_SIZE {
                return Err(PresetError::invalid(
                    "task.cpu.size",
                    task.cpu.size,
                    format!("must be between 1 and {MAX_CPU_SIZE}"),
                ));
            }
            if task.cpu.size < u64::from(task.tasks) {
                return Err(PresetError::invalid(
                    "task.cpu.size",
                    task.cpu.size,
                    format!("must be at least task.tasks ({})", task.tasks),
                ));
            }
        }
        TaskKind::Io => match task.io.mode {
            IoMode::Sleep => check_ms("task.io.sleep_ms", task.io.sleep_ms, MAX_SLEEP_MS)?,
            IoMode::File => {
                if task.io.file_kib == 0 || task.io.file_kib > MAX_FILE_KIB {
                    return Err(PresetError::invalid(
                        "task.io.file_kib",
                        task.io.file_kib,
                        format!("must be between 1 and {MAX_FILE_KIB} KiB"),
                    ));
                }
            }
        },
        TaskKind::Memory => {
            let m = &task.memory;
            if m.array_mib == 0 || m.array_mib > MAX_ARRAY_MIB {
                return Err(PresetError::invalid(
                    "task.memory.array_mib",
                    m.array_mib,
                    format!("must be between 1 and {MAX_ARRAY_MIB} MiB"),
                ));
            }
            if m.passes == 0 || m.passes > MAX_PASSES {
                return Err(PresetError::invalid(
                    "task.memory.passes",
                    m.passes,
                    format!("must be between 1 and {MAX_PASSES}"),
                ));
            }
        }
        TaskKind::Contention => {
            let c = &task.contention;
            if c.increments == 0 || c.increments > MAX_INCREMENTS {
                return Err(PresetError::invalid(
                    "task.contention.increments",
                    c.increments,
                    format!("must be between 1 and {MAX_INCREMENTS}"),
                ));
            }
            if c.permits == 0 || c.permits as usize > MAX_WORKERS {
                return Err(PresetError::invalid(
                    "task.contention.permits",
                    c.permits,
                    format!("must be between 1 and {MAX_WORKERS}"),
                ));
            }
        }
        TaskKind::Mixed => {
            check_ms("task.mixed.compute_ms", task.mixed.compute_ms, MAX_SLEEP_MS)?;
            check_ms("task.mixed.wait_ms", task.mixed.wait_ms, MAX_SLEEP_MS)?;
            if task.mixed.compute_ms + task.mixed.wait_ms <= 0.0 {
                return Err(PresetError::invalid(
                    "task.mixed",
                    "compute_ms = 0 and wait_ms = 0",
                    "a mixed task must compute or wait for some time",
                ));
            }
        }
        TaskKind::Function => {
            let f = &task.function;
            if !f.file.trim().ends_with(".py") || f.file.contains('\0') {
                return Err(PresetError::invalid(
                    "task.function.file",
                    format!("{:?}", f.file),
                    "name a Python file (.py), relative to the preset file or absolute",
                ));
            }
            let ident = |s: &str| {
                s.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                    && s.chars().all(|c| c.is_alphanumeric() || c == '_')
            };
            if !ident(&f.name) {
                return Err(PresetError::invalid(
                    "task.function.name",
                    format!("{:?}", f.name),
                    "name a top-level function of the module, e.g. \"work\"",
                ));
            }
            match (f.args.is_empty(), f.range) {
                (false, None) | (true, Some(_)) => {}
                _ => {
                    return Err(PresetError::invalid(
                        "task.function",
                        format!("{} args, range {:?}", f.args.len(), f.range),
                        "give either `args` (one JSON value per task) or `range` (N: 0..N-1)",
                    ));
                }
            }
            let calls = f.calls();
            if calls == 0 || calls > MAX_TASKS as usize {
                return Err(PresetError::invalid(
                    "task.function",
                    format!("{calls} calls"),
                    format!("make between 1 and {MAX_TASKS} calls"),
                ));
            }
        }
        TaskKind::Command => {
            let argv = &task.command.argv;
            if argv.is_empty() || argv[0].trim().is_empty() {
                return Err(PresetError::invalid(
                    "task.command.argv",
                    format!("{argv:?}"),
                    "name the program to run first, e.g. [\"sleep\", \"0.05\"]",
                ));
            }
            if argv.len() > MAX_ARGV {
                return Err(PresetError::invalid(
                    "task.command.argv",
                    format!("{} arguments", argv.len()),
                    format!("at most {MAX_ARGV} arguments"),
                ));
            }
            for (i, a) in argv.iter().enumerate() {
                if a.len() > MAX_ARG_BYTES || a.contains('\0') {
                    return Err(PresetError::invalid(
                        format!("task.command.argv[{i}]"),
                        format!("{:?}", a.chars().take(40).collect::<String>()),
                        format!("arguments are at most {MAX_ARG_BYTES} bytes, without NUL"),
                    ));
                }
            }
        }
    }
    Ok(())
}

/// Whether `model` can run `task`'s kind (a command runs under sequential, threads or rayon;
/// a Python function only under the py-* models; tokio runs cpu, io and mixed tasks).
pub fn model_runs(model: ModelKind, task: &TaskSpec) -> bool {
    model_refusal(model, task).is_none()
}

/// Why `model` cannot run `task`, if it cannot: the one rule that validation enforces and the
/// workbench's model list greys out by.
pub fn model_refusal(model: ModelKind, task: &TaskSpec) -> Option<&'static str> {
    match (task.kind, model) {
        (TaskKind::Command, ModelKind::Sequential | ModelKind::Threads | ModelKind::Rayon) => None,
        (TaskKind::Command, _) => Some(
            "a command runs with sequential, threads or rayon: N threads each wait on one child, so N commands run at a time (a command is already a process; a pool of workers or an event loop around it adds nothing)",
        ),
        (TaskKind::Function, m) if m.is_python() => None,
        (TaskKind::Function, _) => Some(
            "a Python function runs under py-threading, py-multiprocessing, py-free-threading, py-asyncio, py-dask or py-mpi",
        ),
        (TaskKind::Cpu | TaskKind::Mixed, ModelKind::Tokio) => None,
        (TaskKind::Io, ModelKind::Tokio) => None,
        (_, ModelKind::Tokio) => Some("the tokio model runs cpu, io and mixed tasks only"),
        (_, m) if m.is_python() => python_refusal(m, task),
        _ => None,
    }
}

/// Why the Python `model` cannot run `task`, if it cannot.
fn python_refusal(model: ModelKind, task: &TaskSpec) -> Option<&'static str> {
    match task.kind {
        TaskKind::Cpu | TaskKind::Mixed | TaskKind::Function => None,
        TaskKind::Io if task.io.mode == IoMode::Sleep => None,
        TaskKind::Contention if model.runs_python_contention() => None,
        TaskKind::Contention => Some(
            "a Python contention task runs under py-threading, py-free-threading or py-multiprocessing (threads or processes sharing a counter)",
        ),
        _ => Some("the Python models run cpu, mixed, io (sleep) and contention tasks only"),
    }
}

fn check_ms(field: &str, value: f64, max: f64) -> Result<(), PresetError> {
    if value.is_finite() && (0.0..=max).contains(&value) {
        Ok(())
    } else {
        Err(PresetError::invalid(
            field,
            value,
            format!("must be between 0 and {max} ms"),
        ))
    }
}
