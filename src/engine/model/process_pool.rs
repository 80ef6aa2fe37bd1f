//! The processes model: a pool of `corelab worker` children fed over pipes.

use std::collections::VecDeque;
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Executor, RunRecord};
use crate::engine::cpu_time::process_cpu_time;
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::protocol::{FromWorker, MAX_LINE_BYTES, ToWorker, decode_from_worker, encode};
use crate::engine::workload::{self, RunEnv};
use crate::preset::TaskSpec;

/// How often the dispatcher looks at the cancel token and the deadline while waiting.
const POLL: Duration = Duration::from_millis(10);
/// How long children get to start and say `ready`, or to build a workload.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a child gets to exit after its stdin closes before it is killed.
const EXIT_GRACE: Duration = Duration::from_millis(500);
/// Bytes of a child's stderr kept for error messages.
const STDERR_TAIL: usize = 2048;

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
}

enum Event {
    Message(usize, FromWorker),
    Malformed(usize, String),
    Closed(usize),
}

struct Worker {
    child: Child,
    stdin: Option<ChildStdin>,
    stderr_tail: Arc<Mutex<VecDeque<u8>>>,
}

/// N live children plus the channel their reader threads report on.
pub struct ProcessPool {
    workers: Vec<Worker>,
    events: Receiver<Event>,
    startup: Duration,
    /// Set once a run failed: the children are gone and the pool cannot run again.
    broken: Option<String>,
}

impl ProcessPool {
    /// Starts `n` children and waits until every one has said `ready`. That time is the pool's
    /// start-up cost, reported apart from compute time.
    pub fn start(cmd: &WorkerCommand, n: usize, guard: &RunGuard) -> Result<Self, String> {
        let started = Instant::now();
        let (tx, rx) = channel();
        let mut pool = ProcessPool {
            workers: Vec::with_capacity(n),
            events: rx,
            startup: Duration::ZERO,
            broken: None,
        };
        for index in 0..n {
            let worker = spawn_worker(cmd, index, tx.clone()).map_err(|e| {
                format!(
                    "cannot start worker {index} ({}): {e}",
                    cmd.program.display()
                )
            })?;
            pool.workers.push(worker);
        }
        drop(tx);
        let mut ready = 0;
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        while ready < n {
            match pool.next_event(guard, deadline)? {
                Event::Message(_, FromWorker::Ready { .. }) => ready += 1,
                other => return Err(pool.describe(other, "starting")),
            }
        }
        pool.startup = started.elapsed();
        Ok(pool)
    }

    pub fn pids(&self) -> Vec<u32> {
        self.workers.iter().map(|w| w.child.id()).collect()
    }

    fn send(&mut self, index: usize, msg: &ToWorker) -> Result<(), String> {
        let line = encode(msg);
        let worker = &mut self.workers[index];
        let stdin = worker
            .stdin
            .as_mut()
            .ok_or_else(|| format!("worker {index} is closed"))?;
        stdin
            .write_all(line.as_bytes())
            .and_then(|_| stdin.flush())
            .map_err(|e| format!("cannot write to worker {index}: {e}"))
    }

    /// Waits for the next event, giving up on cancel or at `deadline`.
    fn next_event(&mut self, guard: &RunGuard, deadline: Instant) -> Result<Event, String> {
        loop {
            if guard.cancel_token().is_cancelled() {
                return Err("cancelled".into());
            }
            let now = Instant::now();
            if now >= deadline {
                return Err("timed out".into());
            }
            match self.events.recv_timeout(POLL.min(deadline - now)) {
                Ok(ev) => return Ok(ev),
                Err(RecvTimeoutError::Timeout) => continue,
                Err(RecvTimeoutError::Disconnected) => return Err("every worker is gone".into()),
            }
        }
    }

    /// Turns an unexpected event into a message naming the worker and what it did.
    fn describe(&mut self, event: Event, doing: &str) -> String {
        match event {
            Event::Message(i, FromWorker::Failed { message, .. }) => {
                format!("worker {i} failed while {doing}: {message}")
            }
            Event::Message(i, other) => {
                format!("worker {i} sent an unexpected {other:?} while {doing}")
            }
            Event::Malformed(i, what) => format!("worker {i} wrote {what} while {doing}"),
            Event::Closed(i) => {
                let worker = &mut self.workers[i];
                // The pipe closed; give the process a moment to be reaped for its status.
                let status = wait_briefly(&mut worker.child);
                let tail = stderr_tail(&worker.stderr_tail);
                let mut msg = format!(
                    "worker {i} (pid {}) exited while {doing}",
                    worker.child.id()
                );
                if let Some(status) = status {
                    msg.push_str(&format!(" ({status})"));
                }
                if !tail.is_empty() {
                    msg.push_str(&format!("; its last output: {tail}"));
                }
                msg
            }
        }
    }

    /// Marks the pool unusable and kills every child at once.
    fn break_with(&mut self, reason: String) -> UnitError {
        self.kill_all();
        let err = match reason.as_str() {
            "cancelled" => UnitError::Cancelled,
            "timed out" => UnitError::TimedOut,
            _ => UnitError::Failed(reason.clone()),
        };
        self.broken = Some(reason);
        err
    }

    fn kill_all(&mut self) {
        for w in &mut self.workers {
            w.stdin.take();
            let _ = w.child.kill();
        }
        for w in &mut self.workers {
            let _ = w.child.wait();
        }
    }

    fn configure(&mut self, task: &TaskSpec, env: &RunEnv, guard: &RunGuard) -> Result<(), String> {
        let msg = ToWorker::Configure {
            task: Box::new(task.clone()),
            env: env.clone(),
        };
        for i in 0..self.workers.len() {
            self.send(i, &msg)?;
        }
        let deadline = Instant::now() + HANDSHAKE_TIMEOUT;
        for _ in 0..self.workers.len() {
            match self.next_event(guard, deadline)? {
                Event::Message(_, FromWorker::Configured) => {}
                other => return Err(self.describe(other, "preparing the workload")),
            }
        }
        Ok(())
    }

    /// Hands out units one at a time to whichever child is idle; returns the checksum sum and
    /// the children's CPU time.
    fn dispatch(&mut self, units: usize, guard: &RunGuard) -> Result<(u64, Duration), String> {
        let deadline_ms = guard
            .deadline()
            .saturating_duration_since(Instant::now())
            .as_millis() as u64;
        let mut next = 0;
        let mut outstanding = 0;
        for i in 0..self.workers.len().min(units) {
            self.send(
                i,
                &ToWorker::Unit {
                    unit: next,
                    deadline_ms,
                },
            )?;
            next += 1;
            outstanding += 1;
        }
        let mut sum = 0u64;
        let mut cpu = Duration::ZERO;
        while outstanding > 0 {
            match self.next_event(guard, guard.deadline())? {
                Event::Message(
                    i,
                    FromWorker::Done {
                        checksum, cpu_ns, ..
                    },
                ) => {
                    outstanding -= 1;
                    sum = sum.wrapping_add(checksum);
                    cpu += Duration::from_nanos(cpu_ns);
                    if next < units {
                        let deadline_ms = guard
                            .deadline()
                            .saturating_duration_since(Instant::now())
                            .as_millis() as u64;
                        self.send(
                            i,
                            &ToWorker::Unit {
                                unit: next,
                                deadline_ms,
                            },
                        )?;
                        next += 1;
                        outstanding += 1;
                    }
                }
                other => return Err(self.describe(other, "computing")),
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
        if let Err(reason) = self.configure(task, env, guard) {
            return Err(self.break_with(reason));
        }
        let cpu_before = process_cpu_time();
        let started = Instant::now();
        let (checksum, child_cpu) = match self.dispatch(parent_side.unit_count(), guard) {
            Ok(r) => r,
            Err(reason) => return Err(self.break_with(reason)),
        };
        let metrics = parent_side.finish(checksum)?;
        let wall = started.elapsed();
        let cpu = process_cpu_time().saturating_sub(cpu_before) + child_cpu;
        Ok(RunRecord {
            wall,
            cpu,
            metrics,
            shared_state: parent_side.shared_state(),
        })
    }

    fn shutdown(&mut self) {
        for w in &mut self.workers {
            w.stdin.take();
        }
        let deadline = Instant::now() + EXIT_GRACE;
        for w in &mut self.workers {
            loop {
                match w.child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() < deadline => {
                        std::thread::sleep(Duration::from_millis(2))
                    }
                    Ok(None) => {
                        let _ = w.child.kill();
                        let _ = w.child.wait();
                        break;
                    }
                }
            }
        }
    }
}

impl Drop for ProcessPool {
    fn drop(&mut self) {
        self.kill_all();
    }
}

fn spawn_worker(
    cmd: &WorkerCommand,
    index: usize,
    events: Sender<Event>,
) -> std::io::Result<Worker> {
    let mut command = Command::new(&cmd.program);
    command
        .args(&cmd.args)
        // A worker's panic message is what the user needs, not the worker's backtrace.
        .env("RUST_BACKTRACE", "0")
        .envs(cmd.env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    kill_with_parent(&mut command);
    let mut child = command.spawn()?;
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
    let tail = Arc::clone(&stderr_tail);
    std::thread::Builder::new()
        .name(format!("worker-{index}-stderr"))
        .spawn(move || keep_tail(stderr, &tail))?;
    std::thread::Builder::new()
        .name(format!("worker-{index}-stdout"))
        .spawn(move || read_messages(index, stdout, &events))?;
    Ok(Worker {
        stdin: child.stdin.take(),
        child,
        stderr_tail,
    })
}

/// Forwards every line the child writes as an event; stops at EOF or the first bad line.
fn read_messages(index: usize, stdout: impl Read, events: &Sender<Event>) {
    let mut reader = BufReader::new(stdout).take(u64::MAX);
    let mut line = String::new();
    loop {
        line.clear();
        reader.set_limit(MAX_LINE_BYTES as u64 + 1);
        match reader.read_line(&mut line) {
            Ok(0) => {
                let _ = events.send(Event::Closed(index));
                return;
            }
            Ok(_) if !line.ends_with('\n') && line.len() > MAX_LINE_BYTES => {
                let _ = events.send(Event::Malformed(index, "a line over 1 MiB".into()));
                return;
            }
            Ok(_) => {
                let event = match decode_from_worker(line.trim_end()) {
                    Ok(msg) => Event::Message(index, msg),
                    Err(what) => Event::Malformed(index, what),
                };
                let stop = matches!(event, Event::Malformed(..));
                if events.send(event).is_err() || stop {
                    return;
                }
            }
            Err(e) => {
                let _ = events.send(Event::Malformed(index, format!("unreadable output ({e})")));
                return;
            }
        }
    }
}

fn keep_tail(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = stderr.read(&mut buf) {
        if n == 0 {
            break;
        }
        let mut t = tail.lock().unwrap_or_else(|e| e.into_inner());
        t.extend(&buf[..n]);
        while t.len() > STDERR_TAIL {
            t.pop_front();
        }
    }
}

fn stderr_tail(tail: &Mutex<VecDeque<u8>>) -> String {
    // Give the stderr reader a moment to collect what a dying child printed.
    std::thread::sleep(Duration::from_millis(20));
    let t = tail.lock().unwrap_or_else(|e| e.into_inner());
    let bytes: Vec<u8> = t.iter().copied().collect();
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(4)..].join(" | ")
}

fn wait_briefly(child: &mut Child) -> Option<std::process::ExitStatus> {
    let deadline = Instant::now() + Duration::from_millis(200);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            _ => return None,
        }
    }
}

/// Asks Linux to SIGKILL the child if the thread that started it dies, so that even a crash of
/// corelab itself cannot leave workers behind.
fn kill_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure only calls async-signal-safe functions (prctl, getppid).
    unsafe {
        command.pre_exec(|| {
            #[cfg(target_os = "linux")]
            {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}
