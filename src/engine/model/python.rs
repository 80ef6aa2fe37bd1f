//! The real-CPython models: `assets/python/corelab_worker.py` run by a chosen interpreter,
//! with `threading` or `multiprocessing` inside it.

use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::child::{ChildEvent, ChildProcess, next_event};
use super::{Executor, RunRecord};
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::workload::{RunEnv, RunMetrics};
use crate::preset::{ModelKind, PythonOptions, TaskSpec};
use crate::results::Scheduling;

/// The worker script, embedded so that the binary works wherever it is installed.
pub const WORKER_SCRIPT: &str = include_str!("../../../assets/python/corelab_worker.py");
/// Oldest CPython the worker supports (time.thread_time, f-string-free code).
pub const MIN_VERSION: (u32, u32) = (3, 8);
/// Interpreter start-up plus pool creation may take this long.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// What the interpreter said about itself; recorded in the results file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PythonInfo {
    pub interpreter: String,
    pub version: String,
    pub implementation: String,
    pub gil_enabled: bool,
}

impl PythonInfo {
    /// Why `model` cannot run on this interpreter, if it cannot.
    pub fn refuses(&self, model: ModelKind) -> Option<String> {
        (model == ModelKind::PyFreeThreading && self.gil_enabled).then(|| {
            format!(
                "py-free-threading needs a free-threaded CPython (3.13t or later); {} {} has the GIL enabled",
                self.interpreter, self.version
            )
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
enum FromPython {
    Started {
        startup_s: f64,
    },
    Done {
        wall_s: f64,
        cpu_s: f64,
        checksum: u64,
        /// Threads only: per-thread CPU time and context switches.
        #[serde(default)]
        scheduling: Option<Scheduling>,
    },
    Failed {
        message: String,
    },
}

fn decode(line: &str) -> Result<FromPython, String> {
    serde_json::from_str(line).map_err(|e| {
        let shown: String = line.chars().take(120).collect();
        format!("malformed message {shown:?}: {e}")
    })
}

/// Asks the interpreter for its version and GIL status. Fails with a readable reason when it
/// is missing, broken or too old.
pub fn probe(options: &PythonOptions) -> Result<PythonInfo, String> {
    let interp = options.interpreter.trim();
    let output = Command::new(interp)
        .args([
            "-c",
            "import sys, json; g = getattr(sys, '_is_gil_enabled', None); \
             print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], \
             'implementation': sys.implementation.name, 'gil_enabled': True if g is None else bool(g())}))",
        ])
        .output()
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!(
                "the Python models need an interpreter, and `{interp}` was not found (install python3 or set python.interpreter)"
            ),
            _ => format!("cannot run `{interp}`: {e}"),
        })?;
    if !output.status.success() {
        return Err(format!(
            "`{interp}` failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let mut info: PythonInfo = serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("`{interp}` did not answer like CPython 3: {e}"))?;
    info.interpreter = interp.to_string();
    let mut parts = info
        .version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if version < MIN_VERSION {
        return Err(format!(
            "`{interp}` is Python {}, older than the {}.{} the Python models need",
            info.version, MIN_VERSION.0, MIN_VERSION.1
        ));
    }
    Ok(info)
}

/// One interpreter process per cell, holding a thread or process pool across the runs.
pub struct PythonExecutor {
    child: ChildProcess,
    events: Receiver<ChildEvent<FromPython>>,
    startup: Duration,
    broken: Option<String>,
}

impl PythonExecutor {
    /// Writes the worker script into `script_dir`, starts the interpreter and its pool.
    pub fn start(
        options: &PythonOptions,
        model: ModelKind,
        workers: usize,
        script_dir: &Path,
        guard: &RunGuard,
    ) -> Result<Self, UnitError> {
        let script = script_dir.join("corelab_worker.py");
        std::fs::write(&script, WORKER_SCRIPT)
            .map_err(|e| UnitError::Failed(format!("cannot write the Python worker: {e}")))?;
        let mut command = Command::new(options.interpreter.trim());
        command.arg("-u").arg(&script).current_dir(script_dir);
        let (tx, rx) = channel();
        let child = ChildProcess::spawn(command, 0, decode, tx).map_err(|e| {
            UnitError::Failed(format!("cannot start `{}`: {e}", options.interpreter))
        })?;
        let mut exec = PythonExecutor {
            child,
            events: rx,
            startup: Duration::ZERO,
            broken: None,
        };
        let py_model = match model {
            ModelKind::PyMultiprocessing => "multiprocessing",
            ModelKind::PyFreeThreading => "free-threading",
            _ => "threading",
        };
        let start = serde_json::json!({
            "op": "start",
            "model": py_model,
            "workers": workers,
            "start_method": options.start_method.id(),
        });
        let deadline = Instant::now() + START_TIMEOUT;
        match exec.request(&start, guard, deadline, "starting its pool")? {
            FromPython::Started { startup_s } => {
                exec.startup = Duration::from_secs_f64(startup_s.clamp(0.0, 1e6));
                Ok(exec)
            }
            other => Err(UnitError::Failed(format!(
                "Python sent {other:?} while starting"
            ))),
        }
    }

    /// Sends one request and waits for its answer; any failure kills the interpreter.
    fn request(
        &mut self,
        msg: &serde_json::Value,
        guard: &RunGuard,
        deadline: Instant,
        doing: &str,
    ) -> Result<FromPython, UnitError> {
        if let Some(reason) = &self.broken {
            return Err(UnitError::Failed(format!(
                "the Python worker is unusable: {reason}"
            )));
        }
        let outcome = self
            .child
            .send_line(&format!("{msg}\n"))
            .map_err(UnitError::Failed)
            .and_then(|_| match next_event(&self.events, guard, deadline) {
                Ok(ChildEvent::Message(_, FromPython::Failed { message })) => Err(
                    UnitError::Failed(format!("Python failed while {doing}: {message}")),
                ),
                Ok(ChildEvent::Message(_, reply)) => Ok(reply),
                Ok(ChildEvent::Malformed(_, what)) => Err(UnitError::Failed(format!(
                    "Python wrote {what} while {doing}"
                ))),
                Ok(ChildEvent::Closed(_)) => Err(UnitError::Failed(
                    self.child.describe_exit("the Python worker", doing),
                )),
                Err(e) => Err(e.into_unit_error("Python worker")),
            });
        if let Err(e) = &outcome {
            self.child.kill();
            self.broken = Some(e.to_string());
        }
        outcome
    }
}

impl Executor for PythonExecutor {
    fn startup(&self) -> Duration {
        self.startup
    }

    fn run(
        &mut self,
        task: &TaskSpec,
        _env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        let msg = serde_json::json!({ "op": "run", "task": task });
        match self.request(&msg, guard, guard.deadline(), "computing")? {
            FromPython::Done {
                wall_s,
                cpu_s,
                checksum,
                scheduling,
            } => Ok(RunRecord {
                wall: Duration::from_secs_f64(wall_s.clamp(0.0, 1e9)),
                cpu: Duration::from_secs_f64(cpu_s.clamp(0.0, 1e9)),
                metrics: RunMetrics {
                    checksum,
                    scheduling,
                    ..RunMetrics::default()
                },
                shared_state: None,
            }),
            other => Err(UnitError::Failed(format!(
                "Python sent {other:?} instead of a result"
            ))),
        }
    }

    fn shutdown(&mut self) {
        self.child.close();
    }
}
