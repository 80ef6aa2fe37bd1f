//! The processes model: a pool of `corelab worker` children fed over pipes.
//!
//! The children are started and have said `ready` before the first run ([`Executor::startup`]).
//! A run's CPU time is the dispatching thread's, the pipe-reader threads' and every child's
//! (all its threads, read from outside), so the pipe and JSON cost of the pool shows in it;
//! the units' own thread time, which the children report, is [`RunRecord::task_cpu`]. A unit's
//! input data and its output travel as raw bytes after their messages' lines (see
//! [`crate::engine::protocol`]).

use std::collections::VecDeque;
use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use super::child::{ChildEvent, ChildProcess, Framing, WaitError, next_event};
use super::{Executor, RunRecord, timed_run};
use crate::engine::cpu_time::Snapshot;
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::protocol::{
    Frame, FromWorker, MAX_UNITS_PER_MESSAGE, PROTOCOL, ToWorker, encode,
};
use crate::engine::startup_timeout::{StartupTimeout, preparing_timed_out};
use crate::engine::workload::{self, RunEnv};
use crate::preset::TaskSpec;
use crate::results::{Span, SpanState, Timeline};
use crate::sys::monotonic_ns;

/// How long children get to start and say `ready`, or to build a workload.
pub(crate) const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// Messages a child may hold at once: the one it computes and the next, waiting in its pipe.
const QUEUED_PER_CHILD: usize = 2;
/// How long one message's units should compute, by the last run's mean unit: long enough that
/// the message's pipe writes, JSON and wake-ups (tens of microseconds on either side) cost
/// about 1% of it, short enough that the tail of a run stays balanced (see
/// [`units_per_message`]).
const MESSAGE_COMPUTE: Duration = Duration::from_millis(2);
/// A message carries at most this fraction of a child's fair share of the units left, so
/// messages shrink to single units toward the end of a run (guided scheduling).
const GUIDED_SHARES: usize = 4;

/// What a run's units added up to: the checksum sum, the CPU time the children measured on
/// their units, and the mean time a unit computed (from its child's stamps).
type Dispatched = (u64, Duration, Option<Duration>);

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

type Event = ChildEvent<Frame>;

/// Keys of the reader threads in a [`ProcessPool::cost_snapshot`], counting down from here (no
/// pid comes near).
const READER_KEY: u64 = u64::MAX;

/// N live children plus the channel their reader threads report on.
pub struct ProcessPool {
    workers: Vec<ChildProcess>,
    events: Receiver<Event>,
    startup: Duration,
    /// Set once a run failed: the children are gone and the pool cannot run again.
    broken: Option<String>,
    /// The last run's spans on absolute `CLOCK_MONOTONIC` nanoseconds: each unit's time in
    /// the pipe to its child, its computing in the child, and its reply's time in the pipe back.
    spans: Vec<Span>,
    /// Bytes of protocol lines written to the children since the last reset (a run's
    /// configure and units); what they wrote back is counted by their readers.
    ipc_bytes: u64,
    /// The input every unit carries (`task.payload_kib`), built outside the timed region.
    payload: Option<Vec<u8>>,
    /// The task every child holds built, when it can time the next run too
    /// ([`workload::reusable_between_runs`]): the next run of the same task skips `Configure`.
    configured: Option<TaskSpec>,
    /// The mean time a unit of this task computed in its last run here, which sizes the
    /// messages of the next ([`units_per_message`]); none before a task's first run.
    unit_time: Option<(TaskSpec, Duration)>,
    /// Whether short units may travel several to a message ([`units_per_message`]); off, every
    /// message carries one unit (to measure what one message costs).
    batching: bool,
    /// How long the children get to say `ready`, and to build a workload.
    handshake_limit: Duration,
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
        Self::start_within(cmd, n, guard, HANDSHAKE_TIMEOUT)
    }

    /// [`start`](Self::start), the children given `limit` to say `ready` (tests give a short
    /// one); past it, the error names the limit.
    pub(crate) fn start_within(
        cmd: &WorkerCommand,
        n: usize,
        guard: &RunGuard,
        limit: Duration,
    ) -> Result<Self, UnitError> {
        let started = Instant::now();
        let (tx, rx) = channel();
        let mut pool = ProcessPool {
            workers: Vec::with_capacity(n),
            events: rx,
            startup: Duration::ZERO,
            broken: None,
            spans: Vec::new(),
            ipc_bytes: 0,
            payload: None,
            configured: None,
            unit_time: None,
            batching: true,
            handshake_limit: limit,
        };
        for index in 0..n {
            let mut command = cmd.command();
            guard.mark_command(&mut command);
            let worker =
                ChildProcess::spawn_framed(command, index, Framing::worker_frames(), tx.clone())
                    .map_err(|e| {
                        UnitError::Failed(format!(
                            "cannot start worker {index} ({}): {e}{}",
                            cmd.program.display(),
                            crate::engine::resources::spawn_hint(&e)
                        ))
                    })?;
            pool.workers.push(worker);
        }
        drop(tx);
        let deadline = Instant::now() + limit;
        for _ in 0..n {
            match next_event(&pool.events, guard, deadline) {
                Ok(ChildEvent::Message(
                    _,
                    Frame {
                        msg: FromWorker::Ready { protocol, .. },
                        ..
                    },
                )) if protocol == PROTOCOL => {}
                Ok(other) => return Err(UnitError::Failed(pool.describe(other, "starting"))),
                Err(WaitError::TimedOut) => {
                    return Err(
                        StartupTimeout::new(crate::preset::ModelKind::Processes, n, limit).into(),
                    );
                }
                Err(e) => return Err(e.into_unit_error("worker")),
            }
        }
        pool.startup = started.elapsed();
        Ok(pool)
    }

    /// Sends every unit in a message of its own, however short units are: what a message
    /// costs, for `corelab selftest`.
    pub fn one_unit_per_message(mut self) -> Self {
        self.batching = false;
        self
    }

    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(ChildProcess::pid).collect()
    }

    /// Cumulative cost of every child (all its threads, read from outside: the process CPU
    /// clock and `/proc/<pid>/stat`), keyed by pid, and of the threads here that read their
    /// pipes, so the pool's pipe and JSON overhead is part of a run's CPU time.
    fn cost_snapshot(&self) -> Snapshot {
        let children = self
            .workers
            .iter()
            .filter_map(|w| Some((u64::from(w.pid()), w.process_cost()?)));
        let readers = (0..self.workers.len())
            .map(|i| READER_KEY - i as u64)
            .zip(self.workers.iter().map(ChildProcess::readers_cost));
        children.chain(readers).collect()
    }

    /// Bytes of every line the children wrote so far (each line counted by its reader before
    /// it is handed on, so a reply that arrived is counted).
    fn bytes_read(&self) -> u64 {
        self.workers.iter().map(ChildProcess::bytes_read).sum()
    }

    /// Sends `msg` to child `index`, followed by `payload` (which `msg` must announce).
    fn send(&mut self, index: usize, msg: &ToWorker, payload: Option<&[u8]>) -> Result<(), String> {
        let line = encode(msg);
        self.ipc_bytes += (line.len() + payload.map_or(0, <[u8]>::len)) as u64;
        let Err(e) = self.workers[index].send_frame(&line, payload) else {
            return Ok(());
        };
        // A child that died (its next task already queued) fails the write before its last
        // words are read: say what it reported (a malformed line, a failure) if it did, else
        // why it died, not that the pipe broke.
        if let Some(reason) = self.last_words(index) {
            return Err(reason);
        }
        let child = &mut self.workers[index];
        if child.has_exited() {
            Err(child.describe_exit(&format!("worker {index}"), "working"))
        } else {
            Err(e)
        }
    }

    /// What worker `index` reported before its pipe closed, if its reader has it: a malformed
    /// line or a failure. Waits up to 200 ms for the reader; other events are dropped (the pool
    /// is breaking).
    fn last_words(&mut self, index: usize) -> Option<String> {
        let deadline = Instant::now() + Duration::from_millis(200);
        while let Ok(event) = self
            .events
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            match event {
                ChildEvent::Malformed(i, _)
                | ChildEvent::Message(
                    i,
                    Frame {
                        msg: FromWorker::Failed { .. },
                        ..
                    },
                ) if i == index => {
                    return Some(self.describe(event, "working"));
                }
                ChildEvent::Closed(i) if i == index => return None,
                _ => {}
            }
        }
        None
    }

    /// Turns an unexpected event into a message naming the worker and what it did.
    fn describe(&mut self, event: Event, doing: &str) -> String {
        match event {
            ChildEvent::Message(
                i,
                Frame {
                    msg: FromWorker::Failed { message, .. },
                    ..
                },
            ) => {
                format!("worker {i} failed while {doing}: {message}")
            }
            ChildEvent::Message(
                i,
                Frame {
                    msg:
                        FromWorker::Ready {
                            protocol, version, ..
                        },
                    ..
                },
            ) if protocol != PROTOCOL => format!(
                "worker {i} speaks worker protocol {protocol} (corelab {version}), this corelab \
                 (version {}) speaks {PROTOCOL}: the worker is another build of corelab",
                env!("CARGO_PKG_VERSION")
            ),
            ChildEvent::Message(i, Frame { msg, .. }) => {
                format!("worker {i} sent an unexpected {msg:?} while {doing}")
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
            self.send(i, &msg, None)?;
        }
        let deadline = Instant::now() + self.handshake_limit;
        for _ in 0..self.workers.len() {
            match next_event(&self.events, guard, deadline) {
                Ok(ChildEvent::Message(
                    _,
                    Frame {
                        msg: FromWorker::Configured,
                        ..
                    },
                )) => {}
                Ok(other) => return Err(self.describe(other, "preparing the workload").into()),
                // Not the run's own timeout_s: a limit of its own, worded so.
                Err(WaitError::TimedOut) => {
                    let workers = self.workers.len();
                    return Err(preparing_timed_out(workers, self.handshake_limit).into());
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }

    /// Hands out units to the children and returns the checksum sum and the CPU time the
    /// children measured on their units (their per-unit thread time). Each child has up to
    /// [`QUEUED_PER_CHILD`] messages in flight, so its next units are already in its pipe when
    /// it finishes (as in a real pool's task queue) instead of waiting a full round trip through
    /// the parent; a second message is only queued while at least one unit per child remains
    /// unassigned, so the last units go to idle children. A message carries as many units as
    /// [`units_per_message`] allows: one, unless units are short.
    fn dispatch(&mut self, units: usize, guard: &RunGuard) -> Result<Dispatched, PoolError> {
        let input = self.payload.take();
        let result = self.dispatch_with(units, guard, input.as_deref());
        self.payload = input;
        result
    }

    /// Sends units `first..first + count` to child `index`, stamping when each left.
    fn send_units(
        &mut self,
        index: usize,
        (first, count): (usize, usize),
        guard: &RunGuard,
        input: Option<&[u8]>,
        sent_ns: &mut [u64],
    ) -> Result<(), String> {
        let now = monotonic_ns();
        for t in sent_ns.iter_mut().skip(first).take(count) {
            *t = now;
        }
        let msg = ToWorker::Unit {
            unit: first,
            count,
            deadline_ms: guard
                .deadline()
                .saturating_duration_since(Instant::now())
                .as_millis() as u64,
            payload_bytes: input.map(<[u8]>::len),
        };
        self.send(index, &msg, input)
    }

    /// [`Self::dispatch`] with each unit carrying `input`, written to the pipe per unit (inside
    /// the timed region: that is the cost of sending data to processes), and each reply's
    /// output read and its size checked.
    fn dispatch_with(
        &mut self,
        units: usize,
        guard: &RunGuard,
        input: Option<&[u8]>,
    ) -> Result<Dispatched, PoolError> {
        let children = self.workers.len();
        // Replies still due per message in flight, per child.
        let mut in_flight = vec![VecDeque::<usize>::new(); children];
        let mut sent_ns = vec![0u64; units];
        self.spans.clear();
        let unit_time = self
            .unit_time
            .as_ref()
            .filter(|_| self.batching)
            .map(|(_, t)| *t);
        let batch = |left: usize| units_per_message(left, children, unit_time, input.is_some());
        let mut next = 0;
        for depth in 0..QUEUED_PER_CHILD {
            for (i, queue) in in_flight.iter_mut().enumerate() {
                if queue.len() == depth && takes_another(depth, units - next, children) {
                    let count = batch(units - next);
                    self.send_units(i, (next, count), guard, input, &mut sent_ns)?;
                    queue.push_back(count);
                    next += count;
                }
            }
        }
        let mut sum = 0u64;
        let mut cpu = Duration::ZERO;
        let mut computing_ns = 0u64;
        while in_flight.iter().any(|q| !q.is_empty()) {
            match next_event(&self.events, guard, guard.deadline())? {
                ChildEvent::Message(
                    i,
                    Frame {
                        msg:
                            FromWorker::Done {
                                unit,
                                checksum,
                                cpu_ns,
                                start_ns,
                                end_ns,
                                waits,
                                ..
                            },
                        payload,
                    },
                ) if !in_flight[i].is_empty() => {
                    let received_ns = monotonic_ns();
                    // Every unit's output is as large as its input, and none without one.
                    let (returned, expected) = (
                        payload.as_ref().map_or(0, Vec::len),
                        input.map_or(0, <[u8]>::len),
                    );
                    if returned != expected {
                        return Err(PoolError::Failed(format!(
                            "worker {i} returned {returned} payload bytes for unit {unit}, expected {expected}"
                        )));
                    }
                    if let Some(due) = in_flight[i].front_mut() {
                        *due -= 1;
                        if *due == 0 {
                            in_flight[i].pop_front();
                        }
                    }
                    let sent = sent_ns.get(unit).copied().unwrap_or(start_ns);
                    self.note(i, unit, sent, (start_ns, end_ns), &waits, received_ns);
                    computing_ns = computing_ns.saturating_add(end_ns.saturating_sub(start_ns));
                    sum = sum.wrapping_add(checksum);
                    cpu += Duration::from_nanos(cpu_ns);
                    while takes_another(in_flight[i].len(), units - next, children) {
                        let count = batch(units - next);
                        self.send_units(i, (next, count), guard, input, &mut sent_ns)?;
                        in_flight[i].push_back(count);
                        next += count;
                    }
                }
                other => return Err(self.describe(other, "computing").into()),
            }
        }
        let unit_mean = (units > 0).then(|| Duration::from_nanos(computing_ns / units as u64));
        Ok((sum, cpu, unit_mean))
    }

    /// Records one unit's trip: in the pipe from `sent` to `start` (queued behind the child's
    /// current unit included), computing until `end` (waiting on I/O during its `waits`), in
    /// the pipe back until `received`. Child stamps that do not fit between the parent's (a
    /// worker that sent none) leave only the parent's view: in transit from `sent` to
    /// `received`.
    fn note(
        &mut self,
        child: usize,
        unit: usize,
        sent: u64,
        (start, end): (u64, u64),
        waits: &[(u64, u64)],
        received: u64,
    ) {
        let span = |state, start_ns, end_ns| Span {
            worker: u32::try_from(child).unwrap_or(u32::MAX),
            task: u32::try_from(unit).ok(),
            state,
            start_ns,
            end_ns,
        };
        if sent <= start && start <= end && end <= received {
            self.spans.push(span(SpanState::Transit, sent, start));
            self.spans.extend(Timeline::task_spans(
                u32::try_from(child).unwrap_or(u32::MAX),
                u32::try_from(unit).ok(),
                start,
                end,
                waits,
            ));
            self.spans.push(span(SpanState::Transit, end, received));
        } else {
            self.spans.push(span(SpanState::Transit, sent, received));
        }
    }

    /// The last run's timeline, relative to `record`'s start.
    fn timeline(&self, record: &RunRecord) -> Timeline {
        let t0 = record.started_ns;
        Timeline {
            sample: None,
            wall_ns: u64::try_from(record.wall.as_nanos()).unwrap_or(u64::MAX),
            workers: self
                .workers
                .iter()
                .enumerate()
                .map(|(i, w)| format!("process {i} (pid {})", w.pid()))
                .collect(),
            spans: self
                .spans
                .iter()
                .filter(|s| s.end_ns > s.start_ns)
                .map(|s| Span {
                    start_ns: s.start_ns.saturating_sub(t0),
                    end_ns: s.end_ns.saturating_sub(t0),
                    ..*s
                })
                .collect(),
        }
    }
}

/// How many consecutive units the next message carries when `left` units are not handed out
/// yet among `children`, and a unit of this task last computed for `unit_time` on average:
/// enough units to compute for about [`MESSAGE_COMPUTE`], at most a [`GUIDED_SHARES`]th of a
/// child's share of what is left and at most [`MAX_UNITS_PER_MESSAGE`]. One unit when units
/// carry input data (each crosses the pipe on its own: that is the cost being measured) or
/// before the task has run here.
fn units_per_message(
    left: usize,
    children: usize,
    unit_time: Option<Duration>,
    carries_input: bool,
) -> usize {
    let Some(unit_time) = unit_time.filter(|t| !t.is_zero() && !carries_input) else {
        return 1;
    };
    let by_time = MESSAGE_COMPUTE.as_nanos() / unit_time.as_nanos();
    let by_share = left / (GUIDED_SHARES * children.max(1));
    usize::try_from(by_time)
        .unwrap_or(usize::MAX)
        .min(by_share)
        .clamp(1, MAX_UNITS_PER_MESSAGE)
}

/// Whether a child with `queued` messages in flight takes one more, when `left` units are not
/// handed out yet among `children`: an idle child always does; a busy one queues a second only
/// while every child could still get one, so the last units go to idle children.
fn takes_another(queued: usize, left: usize, children: usize) -> bool {
    left > 0 && (queued == 0 || (queued < QUEUED_PER_CHILD && left >= children))
}

impl Executor for ProcessPool {
    fn startup(&self) -> Duration {
        self.startup
    }

    fn worker_pids(&self) -> Option<Vec<u32>> {
        Some(self.pids())
    }

    /// The threads here that read the workers' pipes.
    fn threads_here(&self) -> Option<Vec<u32>> {
        Some(
            self.workers
                .iter()
                .flat_map(ChildProcess::reader_tids)
                .collect(),
        )
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
        let parent_side = workload::build_parent_side(task, env).map_err(UnitError::Failed)?;
        self.ipc_bytes = 0;
        let read_before = self.bytes_read();
        self.payload = (task.payload_kib > 0).then(|| workload::payload::input(task.payload_kib));
        if self.configured.as_ref() != Some(task) {
            self.configured = None;
            if let Err(e) = self.configure(task, env, guard) {
                return Err(self.break_with(e));
            }
            if workload::reusable_between_runs(task) {
                self.configured = Some(task.clone());
            }
        }
        if self.unit_time.as_ref().is_some_and(|(t, _)| t != task) {
            self.unit_time = None;
        }
        let units = parent_side.unit_count();
        let mut unit_mean = None;
        let mut record = timed_run(
            parent_side.as_ref(),
            self,
            ProcessPool::cost_snapshot,
            |pool| match pool.dispatch(units, guard) {
                Ok((sum, task_cpu, mean)) => {
                    unit_mean = mean;
                    Ok((sum, Some(task_cpu)))
                }
                Err(e) => Err(pool.break_with(e)),
            },
        )?;
        self.unit_time = unit_mean.map(|mean| (task.clone(), mean));
        record.timeline = self.timeline(&record).bounded();
        let read = self.bytes_read().saturating_sub(read_before);
        record.metrics.ipc_bytes = Some(self.ipc_bytes + read);
        Ok(record)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A worker that greets in another version of the protocol (an older corelab's, which had
    /// payloads as hex inside the line) is refused at the start, saying so, and none outlives
    /// the refusal.
    #[test]
    fn a_worker_speaking_another_protocol_is_refused_at_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("old-worker");
        crate::safe_fs::write_executable(
            &script,
            "#!/bin/sh\nprintf '{\"op\":\"ready\",\"pid\":%s,\"version\":\"0.9\",\"protocol\":1}\\n' $$\n\
             exec sleep 30\n",
        )
        .unwrap();
        let cmd = WorkerCommand {
            program: script,
            args: Vec::new(),
            env: Vec::new(),
        };
        let guard = RunGuard::new(
            crate::engine::cancel::CancelToken::new(),
            Duration::from_secs(60),
        );
        let Err(err) = ProcessPool::start_within(&cmd, 1, &guard, Duration::from_secs(30)) else {
            panic!("a worker speaking protocol 1 was accepted");
        };
        let err = err.to_string();
        assert!(
            err.contains("speaks worker protocol 1 (corelab 0.9)")
                && err.contains(&format!("speaks {PROTOCOL}")),
            "{err}"
        );
        // Refused when it greets, not at the handshake's limit.
        assert!(!err.contains("took longer"), "{err}");
    }

    #[test]
    fn an_idle_child_always_takes_a_unit_while_any_is_left() {
        assert!(takes_another(0, 1, 16));
        assert!(!takes_another(0, 0, 16));
    }

    #[test]
    fn a_busy_child_queues_one_more_only_while_every_child_could_get_one() {
        assert!(takes_another(1, 16, 16));
        assert!(!takes_another(1, 15, 16), "the tail goes to idle children");
        assert!(!takes_another(2, 1000, 16), "at most two in flight");
    }

    /// Runs the pool's hand-out rules on simulated children: unit `u` computes for
    /// `durations[u]`, pipes are instant. Messages are sized as a run after the first would
    /// size them (`unit_time` the mean unit), or one unit each without it. Returns how many
    /// units each child computed, the time the last one finished, and the messages sent.
    fn simulate_with(
        durations: &[f64],
        children: usize,
        unit_time: Option<Duration>,
    ) -> (Vec<usize>, f64, usize) {
        let units = durations.len();
        let mut queued: Vec<VecDeque<(usize, usize)>> = vec![VecDeque::new(); children];
        let mut done = vec![0usize; children];
        let mut free_at = vec![0.0f64; children];
        let (mut next, mut messages) = (0, 0);
        let mut hand_out = |q: &mut VecDeque<(usize, usize)>, next: &mut usize| {
            while takes_another(q.len(), units - *next, children) {
                let count = units_per_message(units - *next, children, unit_time, false);
                q.push_back((*next, count));
                *next += count;
                messages += 1;
            }
        };
        for q in &mut queued {
            if takes_another(0, units - next, children) {
                let count = units_per_message(units - next, children, unit_time, false);
                q.push_back((next, count));
                next += count;
            }
        }
        let mut sent = queued.iter().map(VecDeque::len).sum::<usize>();
        for q in &mut queued {
            hand_out(q, &mut next);
        }
        // The child whose current unit ends first finishes it; its reply lets the parent top
        // its queue up.
        let ends = |free_at: &[f64], i: usize, q: &VecDeque<(usize, usize)>| {
            free_at[i] + durations[q[0].0]
        };
        while let Some(i) = (0..children)
            .filter(|&i| !queued[i].is_empty())
            .min_by(|&a, &b| {
                ends(&free_at, a, &queued[a]).total_cmp(&ends(&free_at, b, &queued[b]))
            })
        {
            let (unit, count) = queued[i].pop_front().expect("not empty");
            free_at[i] += durations[unit];
            done[i] += 1;
            if count > 1 {
                queued[i].push_front((unit + 1, count - 1));
            }
            hand_out(&mut queued[i], &mut next);
        }
        sent += messages;
        let makespan = free_at.iter().copied().fold(0.0, f64::max);
        (done, makespan, sent)
    }

    fn simulate(units: usize, children: usize) -> Vec<usize> {
        simulate_with(&vec![1.0; units], children, None).0
    }

    #[test]
    fn equal_units_are_shared_out_evenly() {
        assert_eq!(simulate(256, 16), vec![16; 16]);
        let uneven = simulate(100, 16);
        assert_eq!(uneven.iter().sum::<usize>(), 100);
        assert!(
            uneven.iter().max().unwrap() - uneven.iter().min().unwrap() <= 1,
            "{uneven:?}"
        );
        assert_eq!(simulate(3, 16).iter().sum::<usize>(), 3);
    }

    #[test]
    fn short_units_travel_several_to_a_message_and_shrink_to_one_at_the_end() {
        let short = Some(Duration::from_micros(400));
        // 2 ms of 0.4 ms units: 5, while a quarter of a child's share allows it.
        assert_eq!(units_per_message(1024, 16, short, false), 5);
        assert_eq!(units_per_message(128, 16, short, false), 2);
        assert_eq!(units_per_message(63, 16, short, false), 1);
        // One unit per child (a contention task's, which meet at a start line) never share a
        // message, however short.
        assert_eq!(
            units_per_message(16, 16, Some(Duration::from_nanos(1)), false),
            1
        );
        // Units with input data, a first run, long units: one per message.
        assert_eq!(units_per_message(1024, 16, short, true), 1);
        assert_eq!(units_per_message(1024, 16, None, false), 1);
        assert_eq!(units_per_message(1024, 16, Some(Duration::ZERO), false), 1);
        assert_eq!(
            units_per_message(1024, 16, Some(Duration::from_millis(5)), false),
            1
        );
        // Tiny units: at most the protocol's limit.
        assert_eq!(
            units_per_message(1_000_000, 2, Some(Duration::from_nanos(1)), false),
            MAX_UNITS_PER_MESSAGE
        );
    }

    #[test]
    fn batching_sends_fewer_messages_and_keeps_equal_units_balanced() {
        let durations = vec![0.4e-3; 1024];
        let (one_each, t_one, m_one) = simulate_with(&durations, 16, None);
        let (batched, t_batched, m_batched) =
            simulate_with(&durations, 16, Some(Duration::from_micros(400)));
        assert_eq!(m_one, 1024);
        assert!(m_batched * 3 < m_one, "{m_batched} messages");
        assert_eq!(one_each, vec![64; 16]);
        assert_eq!(batched, vec![64; 16], "every child computes its share");
        assert!((t_batched - t_one).abs() < 1e-9, "{t_batched} vs {t_one}");
    }

    #[test]
    fn batching_costs_uneven_units_at_most_one_unit_at_the_end() {
        // Units from 10 to 290 µs in a fixed, shuffled order (a multiplicative walk): about 13
        // to a message.
        let durations: Vec<f64> = (0..1000u64)
            .map(|u| 1e-5 + 1e-5 * ((u * 7919 + 13) % 29) as f64)
            .collect();
        let mean = durations.iter().sum::<f64>() / durations.len() as f64;
        let longest = durations.iter().copied().fold(0.0, f64::max);
        for children in [2, 4, 16] {
            let (_, t_one, _) = simulate_with(&durations, children, None);
            let (done, t_batched, messages) =
                simulate_with(&durations, children, Some(Duration::from_secs_f64(mean)));
            assert_eq!(done.iter().sum::<usize>(), 1000);
            assert!(messages < 500, "{children} children: {messages} messages");
            assert!(
                t_batched <= t_one + longest,
                "{children} children: {t_batched} s batched vs {t_one} s one by one"
            );
        }
    }
}
