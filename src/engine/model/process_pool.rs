//! The processes model: a pool of `corelab worker` children fed over pipes.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use super::child::{ChildEvent, ChildProcess, WaitError, next_event};
use super::{Executor, RunRecord, timed_run};
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::protocol::{FromWorker, ToWorker, decode_from_worker, encode};
use crate::engine::workload::{self, RunEnv};
use crate::preset::TaskSpec;

/// How long children get to start and say `ready`, or to build a workload.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);

/// How to start a worker: the corelab binary and its hidden `worker` subcommand.
#[derive(Clone, Debug)]
pub struct WorkerCommand {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    pub env: Vec<(OsString, OsString)>,
}

impl WorkerCommand {
    /// `<program> worker`.
    pub fn new(program: impl Into<PathBuf>) -> Self {
        WorkerCommand {
            program: program.into(),
            args: vec!["worker".into()],
            env: Vec::new(),
        }
    }

    /// The running executable itself (what the `corelab` binary uses).
    pub fn current_exe() -> Result<Self, String> {
        std::env::current_exe()
            .map(WorkerCommand::new)
            .map_err(|e| format!("cannot find the corelab executable to start workers: {e}"))
    }

    pub fn with_env(mut self, key: &str, value: &str) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.args(&self.args);
        c.envs(self.env.iter().map(|(k, v)| (k, v)));
        c
    }
}

type Event = ChildEvent<FromWorker>;

/// N live children plus the channel their reader threads report on.
pub struct ProcessPool {
    workers: Vec<ChildProcess>,
    events: Receiver<Event>,
    startup: Duration,
    /// Set once a run failed: the children are gone and the pool cannot run again.
    broken: Option<String>,
}

/// A failure while talking to the pool.
enum PoolError {
    Wait(WaitError),
    Failed(String),
}

impl From<WaitError> for PoolError {
    fn from(e: WaitError) -> Self {
        PoolError::Wait(e)
    }
}

impl From<String> for PoolError {
    fn from(e: String) -> Self {
        PoolError::Failed(e)
    }
}

impl PoolError {
    fn into_unit_error(self) -> UnitError {
        match self {
            PoolError::Wait(w) => w.into_unit_error("worker"),
            PoolError::Failed(reason) => UnitError::Failed(reason),
        }
    }
}

impl ProcessPool {
    /// Starts `n` children and waits until every one has said `ready`. That time is the pool's
    /// start-up cost, reported apart from compute time.
    pub fn start(cmd: &WorkerCommand, n: usize, guard: &RunGuard) -> Result<Self, UnitError> {
        let started = Instant::now();
        let (tx, rx) = channel();
        let mut pool = ProcessPool {
            workers: Vec::with_capacity(n),
            events: rx,
            startup: Duration::ZERO,
            broken: None,
        };
        for index in 0..n {
            let worker = ChildProcess::spawn(cmd.command(), index, decode_from_worker, tx.clone())
                .map_err(|e| {
                    UnitError::Failed(format!(
                        "cannot start worker {index} ({}): {e}",
                        cmd.program.display()
                    ))
                })?;
            pool.workers.push(worker);
        }
        drop(tx);
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        for _ in 0..n {
            match next_event(&pool.events, guard, deadline) {
                Ok(ChildEvent::Message(_, FromWorker::Ready { .. })) => {}
                Ok(other) => return Err(UnitError::Failed(pool.describe(other, "starting"))),
                Err(e) => return Err(e.into_unit_error("worker")),
            }
        }
        pool.startup = started.elapsed();
        Ok(pool)
    }

    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(ChildProcess::pid).collect()
    }

    fn send(&mut self, index: usize, msg: &ToWorker) -> Result<(), String> {
        self.workers[index].send_line(&encode(msg))
    }

    /// Turns an unexpected event into a message naming the worker and what it did.
    fn describe(&mut self, event: Event, doing: &str) -> String {
        match event {
            ChildEvent::Message(i, FromWorker::Failed { message, .. }) => {
                format!("worker {i} failed while {doing}: {message}")
            }
            ChildEvent::Message(i, other) => {
                format!("worker {i} sent an unexpected {other:?} while {doing}")
            }
            ChildEvent::Malformed(i, what) => format!("worker {i} wrote {what} while {doing}"),
            ChildEvent::Closed(i) => self.workers[i].describe_exit(&format!("worker {i}"), doing),
        }
    }

    /// Marks the pool unusable and kills every child at once.
    fn break_with(&mut self, error: PoolError) -> UnitError {
        for w in &mut self.workers {
            w.kill();
        }
        let err = error.into_unit_error();
        self.broken = Some(err.to_string());
        err
    }

    fn configure(
        &mut self,
        task: &TaskSpec,
        env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<(), PoolError> {
        let msg = ToWorker::Configure {
            task: Box::new(task.clone()),
            env: env.clone(),
        };
        for i in 0..self.workers.len() {
            self.send(i, &msg)?;
        }
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        for _ in 0..self.workers.len() {
            match next_event(&self.events, guard, deadline)? {
                ChildEvent::Message(_, FromWorker::Configured) => {}
                other => return Err(self.describe(other, "preparing the workload").into()),
            }
        }
        Ok(())
    }

    /// Hands out units one at a time to whichever child is idle; returns the checksum sum and
    /// the children's CPU time.
    fn dispatch(&mut self, units: usize, guard: &RunGuard) -> Result<(u64, Duration), PoolError> {
        let unit_msg = |unit| ToWorker::Unit {
            unit,
            deadline_ms: guard
                .deadline()
                .saturating_duration_since(Instant::now())
                .as_millis() as u64,
        };
        let mut next = 0;
        let mut outstanding = 0;
        for i in 0..self.workers.len().min(units) {
            self.send(i, &unit_msg(next))?;
            next += 1;
            outstanding += 1;
        }
        let mut sum = 0u64;
        let mut cpu = Duration::ZERO;
        while outstanding > 0 {
            match next_event(&self.events, guard, guard.deadline())? {
                ChildEvent::Message(
                    i,
                    FromWorker::Done {
                        checksum, cpu_ns, ..
                    },
                ) => {
                    outstanding -= 1;
                    sum = sum.wrapping_add(checksum);
                    cpu += Duration::from_nanos(cpu_ns);
                    if next < units {
                        self.send(i, &unit_msg(next))?;
                        next += 1;
                        outstanding += 1;
                    }
                }
                other => return Err(self.describe(other, "computing").into()),
            }
        }
        Ok((sum, cpu))
    }
}

impl Executor for ProcessPool {
    fn startup(&self) -> Duration {
        self.startup
    }

    fn run(
        &mut self,
        task: &TaskSpec,
        env: &RunEnv,
        guard: &RunGuard,
    ) -> Result<RunRecord, UnitError> {
        if let Some(reason) = &self.broken {
            return Err(UnitError::Failed(format!(
                "the worker pool is unusable: {reason}"
            )));
        }
        if let Some(counter) = &env.shared_file {
            workload::create_counter_file(counter).map_err(|e| {
                UnitError::Failed(format!("cannot create {}: {e}", counter.display()))
            })?;
        }
        let parent_side = workload::build(task, env).map_err(UnitError::Failed)?;
        if let Err(e) = self.configure(task, env, guard) {
            return Err(self.break_with(e));
        }
        timed_run(parent_side.as_ref(), || {
            let units = parent_side.unit_count();
            self.dispatch(units, guard).map_err(|e| self.break_with(e))
        })
    }

    fn shutdown(&mut self) {
        // Every child sees EOF at once, so they exit in parallel.
        for w in &mut self.workers {
            w.close_stdin();
        }
        for w in &mut self.workers {
            w.close();
        }
    }
}
