//! `corelab selftest`: what corelab itself adds to what it measures.
//!
//! Timer resolution, thread spawn cost, per-task dispatch overhead of every model (tasks that
//! do one hash round, i.e. nothing), and process-pool start-up per worker. Medians of several
//! repetitions; numbers for the README's performance table.

use std::time::{Duration, Instant};

use serde::Serialize;

use super::RunGuard;
use super::cancel::CancelToken;
use super::load::{LoadEvidence, MIN_TICKS_PER_CPU};
use super::model::{Executor, InProcessExecutor, ProcessPool, WorkerCommand};
use super::scratch::ScratchDir;
use super::workload::RunEnv;
use crate::preset::{CpuKernel, Experiment, ModelKind, PythonOptions, TaskKind, TaskSpec};
use crate::stats::median;

const REPS: usize = 7;

#[derive(Clone, Debug, Serialize)]
pub struct Overhead {
    pub what: String,
    /// Median cost, microseconds.
    pub median_us: f64,
    pub min_us: f64,
    pub max_us: f64,
    pub how: String,
}

fn overhead(what: String, how: String, samples_us: &[f64]) -> Overhead {
    let min = samples_us.iter().copied().fold(f64::INFINITY, f64::min);
    let max = samples_us.iter().copied().fold(0.0, f64::max);
    Overhead {
        what,
        median_us: median(samples_us).unwrap_or(f64::NAN),
        min_us: min,
        max_us: max,
        how,
    }
}

/// Smallest non-zero step between two consecutive `Instant::now()` readings.
fn timer_resolution() -> Overhead {
    let samples: Vec<f64> = (0..REPS)
        .map(|_| {
            let mut best = Duration::MAX;
            for _ in 0..10_000 {
                let a = Instant::now();
                let mut b = Instant::now();
                while b == a {
                    b = Instant::now();
                }
                best = best.min(b - a);
            }
            best.as_secs_f64() * 1e6
        })
        .collect();
    overhead(
        "timer resolution (Instant::now)".into(),
        "smallest non-zero difference of consecutive readings, best of 10 000".into(),
        &samples,
    )
}

fn thread_spawn() -> Overhead {
    const N: usize = 200;
    let samples: Vec<f64> = (0..REPS)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..N {
                std::thread::spawn(|| std::hint::black_box(1)).join().ok();
            }
            t.elapsed().as_secs_f64() * 1e6 / N as f64
        })
        .collect();
    overhead(
        "thread spawn + join".into(),
        format!("{N} std::thread::spawn + join in a row, per thread"),
        &samples,
    )
}

fn empty_task(tasks: u32) -> TaskSpec {
    let mut task = TaskSpec {
        kind: TaskKind::Cpu,
        tasks,
        ..TaskSpec::default()
    };
    task.cpu.kernel = CpuKernel::HashChain;
    task.cpu.size = u64::from(tasks);
    task
}

fn dispatch(
    model: ModelKind,
    workers: usize,
    tasks: u32,
    worker: &WorkerCommand,
) -> Result<Overhead, String> {
    dispatch_in(model, workers, tasks, worker, Batching::AsThePoolDoes)
}

/// How the process pool sends short tasks in a dispatch measurement.
#[derive(Clone, Copy, PartialEq)]
enum Batching {
    /// Several to a message after the warm-up run, as in any sweep.
    AsThePoolDoes,
    /// One task per message: the cost of a message.
    OnePerMessage,
}

/// Where a dispatch measurement runs: a run mark that stops whatever the executor started
/// (make the bench before the executor, so that it is dropped after it; the mark is dropped
/// first, then the environment, then the scratch directory) and `workers`' environment in a
/// scratch directory of its own.
struct Bench {
    marked: super::run_mark::MarkedRun,
    env: RunEnv,
    scratch: ScratchDir,
}

impl Bench {
    fn new(workers: usize) -> Result<Self, String> {
        let scratch = ScratchDir::create().map_err(|e| e.to_string())?;
        let env = RunEnv {
            workers,
            scratch_dir: scratch.path().to_path_buf(),
            shared_file: None,
        };
        Ok(Bench {
            marked: super::run_mark::MarkedRun::new(),
            env,
            scratch,
        })
    }

    fn guard(&self) -> RunGuard {
        self.marked
            .guard(CancelToken::new(), Duration::from_secs(120))
    }

    /// Runs `tasks` tasks of one hash round on `exec` `REPS` times after a warm-up run; each
    /// run's wall time per task, µs. Stops at the first run that fails.
    fn per_task_us(&self, exec: &mut dyn Executor, tasks: u32) -> Result<Vec<f64>, String> {
        let task = empty_task(tasks);
        let mut samples = Vec::new();
        for rep in 0..=REPS {
            let rec = exec
                .run(&task, &self.env, &self.guard())
                .map_err(|e| e.to_string())?;
            if rep > 0 {
                // The first run is a warm-up.
                samples.push(rec.wall.as_secs_f64() * 1e6 / f64::from(tasks));
            }
        }
        Ok(samples)
    }
}

fn dispatch_in(
    model: ModelKind,
    workers: usize,
    tasks: u32,
    worker: &WorkerCommand,
    batching: Batching,
) -> Result<Overhead, String> {
    // Declared before the executor, so dropped after it: whatever it started is stopped.
    let bench = Bench::new(workers)?;
    let mut exec: Box<dyn Executor> = match model {
        ModelKind::Processes => {
            let pool =
                ProcessPool::start(worker, workers, &bench.guard()).map_err(|e| e.to_string())?;
            Box::new(match batching {
                Batching::AsThePoolDoes => pool,
                Batching::OnePerMessage => pool.one_unit_per_message(),
            })
        }
        _ => Box::new(InProcessExecutor::new(
            model,
            workers,
            Duration::from_millis(5),
        )?),
    };
    let samples = bench.per_task_us(exec.as_mut(), tasks)?;
    exec.shutdown();
    let (what, how) = match (model, batching) {
        (ModelKind::Processes, Batching::AsThePoolDoes) => (
            "dispatch per task",
            "; up to 64 to a message after the warm-up run",
        ),
        (ModelKind::Processes, Batching::OnePerMessage) => {
            ("dispatch per message", "; one task per message")
        }
        _ => ("dispatch per task", ""),
    };
    Ok(overhead(
        format!("{what}: {model} × {workers}"),
        format!("{tasks} tasks of one hash round each{how}; wall time / tasks"),
        &samples,
    ))
}

/// Per-task dispatch of a real-Python model: `tasks` tasks of one hash round each through
/// `model`'s pool, scheduler or ranks, timed by the interpreter (the model's own timed region);
/// wall time / tasks. Start-up (interpreter, pool, cluster, ranks) is not part of it.
fn python_dispatch(
    exp: &Experiment,
    model: ModelKind,
    workers: usize,
    tasks: u32,
) -> Result<Overhead, String> {
    // Declared before the executor, so dropped after it: whatever it started is stopped.
    let bench = Bench::new(workers)?;
    let mut exec = super::model::python::PythonExecutor::start_for(
        exp,
        model,
        workers,
        bench.scratch.path(),
        &bench.guard(),
    )
    .map_err(|e| e.to_string())?;
    let samples = bench.per_task_us(&mut exec, tasks);
    exec.shutdown();
    let samples = samples?;
    Ok(overhead(
        format!("dispatch per task: {model} × {workers}"),
        format!(
            "{tasks} Python tasks of one hash round each{}; the interpreter's timed region / tasks (start-up {:.2} s apart)",
            python_dispatch_how(model),
            exec.startup().as_secs_f64()
        ),
        &samples,
    ))
}

/// How a real-Python model hands out its tasks, for a dispatch measurement's description.
fn python_dispatch_how(model: ModelKind) -> &'static str {
    match model {
        ModelKind::PyMultiprocessing => ", in Pool.map's chunks",
        ModelKind::PyMpi => {
            ", two queued per rank while enough remain, rank 0 probing between naps"
        }
        ModelKind::PyDask => ", every task through the scheduler",
        _ => "",
    }
}

/// The per-task dispatch of the real-Python process models (`py-multiprocessing`, `py-dask`
/// on an embedded cluster, `py-mpi` through `mpiexec`) with `python`'s interpreter. Each
/// model is measured or comes back `Err` with the reason it cannot run (an engine missing,
/// with its install command).
pub fn run_python_selftest(
    python: &PythonOptions,
    workers: usize,
) -> Vec<(ModelKind, Result<Overhead, String>)> {
    let exp = Experiment {
        python: python.clone(),
        ..Experiment::default()
    };
    let info = super::interpreter::probe(python).map_err(|e| e.to_string());
    [
        (ModelKind::PyMultiprocessing, 2_000),
        (ModelKind::PyDask, 500),
        (ModelKind::PyMpi, 2_000),
    ]
    .into_iter()
    .map(|(model, tasks)| {
        let outcome = match &info {
            Err(e) => Err(e.clone()),
            Ok(info) => match info.refuses(model) {
                Some(reason) => Err(reason),
                None => python_dispatch(&exp, model, workers, tasks),
            },
        };
        (model, outcome)
    })
    .collect()
}

fn pool_startup(workers: usize, worker: &WorkerCommand) -> Result<Overhead, String> {
    let mut samples = Vec::new();
    for _ in 0..REPS {
        let marked = super::run_mark::MarkedRun::new();
        let guard = marked.guard(CancelToken::new(), Duration::from_secs(60));
        let mut pool = ProcessPool::start(worker, workers, &guard).map_err(|e| e.to_string())?;
        samples.push(pool.startup().as_secs_f64() * 1e6 / workers as f64);
        pool.shutdown();
    }
    Ok(overhead(
        format!("process pool start-up per worker (pool of {workers})"),
        "spawn `corelab worker` children until each has said ready, / workers".into(),
        &samples,
    ))
}

/// One line saying whether other programs competed for the cores while the overheads were
/// measured, from the load over the whole self-test ([`super::load::LoadWatch`]): a warning
/// when they did, since every figure is then noisy and likely higher than on an idle machine.
pub fn load_line(evidence: Option<&LoadEvidence>) -> String {
    let Some((evidence, load)) = evidence.and_then(|e| Some((e, e.judge()?))) else {
        return "Note: whether other programs competed for the cores is unknown (/proc/stat could \
                not be read)"
            .to_string();
    };
    let used = format!(
        "other programs used {:.2} of the {:.1} cores corelab could use, on average while these \
         were measured",
        load.other_cores, load.usable_cores
    );
    if !evidence.conclusive() {
        format!(
            "Note: too short to tell whether other programs competed for the cores ({used}, \
             over {:.1} of /proc/stat's 10 ms clock ticks per CPU; {MIN_TICKS_PER_CPU} are needed)",
            evidence.ticks_per_cpu()
        )
    } else if load.busy {
        format!(
            "Warning: the machine was busy ({used}): these overheads are noisy and likely higher \
             than on an idle machine; measure them again when it is quiet"
        )
    } else {
        format!("Load: quiet ({used})")
    }
}

/// Runs every measurement. `workers` is the worker count used for the dispatch figures.
pub fn run_selftest(worker: &WorkerCommand, workers: usize) -> Result<Vec<Overhead>, String> {
    let mut out = vec![timer_resolution(), thread_spawn()];
    out.push(dispatch(ModelKind::Sequential, 1, 100_000, worker)?);
    for model in [ModelKind::Threads, ModelKind::Rayon, ModelKind::GilThreads] {
        out.push(dispatch(model, workers, 100_000, worker)?);
    }
    out.push(dispatch(ModelKind::Processes, workers, 5_000, worker)?);
    out.push(dispatch_in(
        ModelKind::Processes,
        workers,
        5_000,
        worker,
        Batching::OnePerMessage,
    )?);
    for n in [1, workers.max(2)] {
        out.push(pool_startup(n, worker)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two CPUs, each busy for `busy` of its 100 ticks, over 1 s in which corelab used
    /// `own_s` of CPU time; `ticks` in all per CPU.
    fn evidence(busy: u64, ticks: u64, own_s: f64) -> LoadEvidence {
        LoadEvidence {
            cpus: vec![(busy, ticks); 2],
            interval_s: 1.0,
            own_cpu_s: own_s,
            quota_cores: None,
            runs: 1,
        }
    }

    #[test]
    fn the_load_line_says_busy_quiet_or_unknown() {
        // Both CPUs fully busy, corelab used one core: one core of other load.
        let line = load_line(Some(&evidence(100, 100, 1.0)));
        assert!(
            line.starts_with(
                "Warning: the machine was busy (other programs used 1.00 of the 2.0 cores"
            ),
            "{line}"
        );
        assert!(
            line.contains("likely higher than on an idle machine"),
            "{line}"
        );
        // Busy only with corelab's own work.
        let line = load_line(Some(&evidence(100, 100, 2.0)));
        assert!(
            line.starts_with("Load: quiet (other programs used 0.00 of the 2.0 cores"),
            "{line}"
        );
        // 5 ticks per CPU: no verdict, the figure is still given.
        let line = load_line(Some(&evidence(5, 5, 0.0)));
        assert!(line.starts_with("Note: too short to tell"), "{line}");
        assert!(
            line.contains("2.00 of the 2.0 cores") && line.contains("over 5.0 of"),
            "{line}"
        );
        let line = load_line(None);
        assert!(line.starts_with("Note: whether other programs competed for the cores is unknown"));
    }
}
