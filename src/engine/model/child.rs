//! A child process spoken to in JSON lines over pipes: the common ground of the `processes`
//! pool and the real-CPython models. Reader threads turn its output into events; whoever owns
//! it polls those events with a deadline and the cancel token, and kills it on any failure.
//! A line may announce raw bytes that follow it ([`Framing`]; the `processes` pool's payloads).

use std::collections::VecDeque;
use std::io::{BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::engine::cpu_time::{self, Cost, Snapshot};
use crate::engine::pacer::{RunGuard, UnitError};
use crate::engine::protocol::{
    Frame, LineRead, read_line_within_limit, read_payload, write_line_and_payload,
};

/// How often a waiting owner looks at the cancel token and the deadline.
const POLL: Duration = Duration::from_millis(10);
/// How long a child gets to exit after its stdin closes before it is killed.
const EXIT_GRACE: Duration = Duration::from_millis(500);
/// Bytes of a child's stderr kept for error messages.
const STDERR_TAIL: usize = 2048;
/// How long an error message waits for the stderr reader to reach the end of a dead child's
/// stderr.
const STDERR_WAIT: Duration = Duration::from_millis(200);

/// What a child's reader thread reports; `usize` is the child's index in its pool.
pub enum ChildEvent<M> {
    Message(usize, M),
    Malformed(usize, String),
    Closed(usize),
}

/// How a child's output is cut into messages: each line is one, parsed by `decode`; a message
/// for which `announced` gives a size is followed by that many raw bytes (at most the
/// protocol's [`MAX_PAYLOAD_BYTES`](crate::engine::protocol::MAX_PAYLOAD_BYTES)), read right
/// after its line and handed to `attach`.
pub struct Framing<M> {
    pub decode: fn(&str) -> Result<M, String>,
    pub announced: fn(&M) -> Option<usize>,
    pub attach: fn(&mut M, Vec<u8>),
}

impl<M> Framing<M> {
    /// Lines only: no message is followed by bytes.
    pub fn lines(decode: fn(&str) -> Result<M, String>) -> Self {
        Framing {
            decode,
            announced: |_| None,
            attach: |_, _| {},
        }
    }
}

impl Framing<Frame> {
    /// The `corelab worker` protocol's: a line, then the payload it announces.
    pub fn worker_frames() -> Self {
        Framing {
            decode: Frame::decode,
            announced: Frame::announced,
            attach: Frame::attach,
        }
    }
}

/// Why waiting for a child's answer ended without one.
pub enum WaitError {
    Cancelled,
    TimedOut,
    Gone,
}

impl WaitError {
    pub fn into_unit_error(self, what: &str) -> UnitError {
        match self {
            WaitError::Cancelled => UnitError::Cancelled,
            WaitError::TimedOut => UnitError::TimedOut,
            WaitError::Gone => UnitError::Failed(format!("every {what} is gone")),
        }
    }
}

pub struct ChildProcess {
    child: Child,
    group_killed: bool,
    stdin: Option<ChildStdin>,
    stderr_tail: Arc<Mutex<VecDeque<u8>>>,
    /// Set by the stderr reader when it has read the last of it (end of file).
    stderr_closed: Arc<AtomicBool>,
    readers: Arc<ReaderCosts>,
}

/// The cumulative cost of a child's two reader threads (stdout, stderr), each published by the
/// thread itself before it hands on what it read, so the pipe and JSON work is counted by the
/// time its message arrives.
#[derive(Default)]
struct ReaderCosts {
    cpu_ns: [AtomicU64; 2],
    minor_faults: [AtomicU64; 2],
    /// Bytes of the stdout lines read so far, newlines and the payloads after them included.
    stdout_bytes: AtomicU64,
    /// Each reader thread's kernel id, recorded as it starts (0 until then).
    tids: [AtomicU32; 2],
}

const STDOUT_READER: usize = 0;
const STDERR_READER: usize = 1;

impl ReaderCosts {
    fn publish(&self, reader: usize) {
        let c = Cost::this_thread();
        let ns = u64::try_from(c.cpu.as_nanos()).unwrap_or(u64::MAX);
        self.cpu_ns[reader].store(ns, Ordering::Release);
        self.minor_faults[reader].store(c.minor_faults, Ordering::Release);
    }

    fn started(&self, reader: usize) {
        self.tids[reader].store(crate::sys::gettid(), Ordering::Release);
    }

    fn total(&self) -> Cost {
        (0..2)
            .map(|r| Cost {
                cpu: Duration::from_nanos(self.cpu_ns[r].load(Ordering::Acquire)),
                minor_faults: self.minor_faults[r].load(Ordering::Acquire),
            })
            .sum()
    }
}

impl ChildProcess {
    /// Starts `command` with piped stdio; each stdout line is decoded and sent as an event.
    pub fn spawn<M: Send + 'static>(
        command: Command,
        index: usize,
        decode: fn(&str) -> Result<M, String>,
        events: Sender<ChildEvent<M>>,
    ) -> std::io::Result<Self> {
        Self::spawn_framed(command, index, Framing::lines(decode), events)
    }

    /// [`spawn`](Self::spawn), stdout cut into messages by `framing`: a line and the raw bytes
    /// it announces make one event.
    pub fn spawn_framed<M: Send + 'static>(
        mut command: Command,
        index: usize,
        framing: Framing<M>,
        events: Sender<ChildEvent<M>>,
    ) -> std::io::Result<Self> {
        command
            // A child's panic message is what the user needs, not its backtrace.
            .env("RUST_BACKTRACE", "0")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        kill_with_parent(&mut command);
        let mut child = command.spawn()?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = Arc::clone(&stderr_tail);
        let stderr_closed = Arc::new(AtomicBool::new(false));
        let closed = Arc::clone(&stderr_closed);
        let readers = Arc::new(ReaderCosts::default());
        let (err_costs, out_costs) = (Arc::clone(&readers), Arc::clone(&readers));
        let spawned = std::thread::Builder::new()
            .name(format!("child-{index}-stderr"))
            .spawn(move || {
                keep_tail(stderr, &tail, &err_costs);
                closed.store(true, Ordering::Release);
            })
            .and_then(|_| {
                std::thread::Builder::new()
                    .name(format!("child-{index}-stdout"))
                    .spawn(move || read_messages(index, stdout, &framing, &events, &out_costs))
            });
        if let Err(e) = spawned {
            let _ = child.kill();
            let _ = child.wait();
            return Err(e);
        }
        Ok(ChildProcess {
            group_killed: false,
            stdin: child.stdin.take(),
            child,
            stderr_tail,
            stderr_closed,
            readers,
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Bytes of the lines the child wrote to stdout so far (and of the payloads after them), as
    /// of the last message handed on.
    pub fn bytes_read(&self) -> u64 {
        self.readers.stdout_bytes.load(Ordering::Acquire)
    }

    /// Cumulative cost of the threads in this process that read the child's pipes, as of the
    /// last message they handed on.
    pub fn readers_cost(&self) -> Cost {
        self.readers.total()
    }

    /// The kernel ids of the threads in this process that read the child's pipes (those
    /// started so far).
    pub fn reader_tids(&self) -> Vec<u32> {
        self.readers
            .tids
            .iter()
            .map(|t| t.load(Ordering::Acquire))
            .filter(|&t| t != 0)
            .collect()
    }

    /// Cumulative cost of the child process itself (every thread), measured from outside;
    /// `None` once it is gone.
    pub fn process_cost(&self) -> Option<Cost> {
        Cost::of_process(self.pid())
    }

    /// Cumulative costs of the child and every process below it (a Python multiprocessing
    /// pool), keyed by pid.
    pub fn process_tree_cost(&self) -> Snapshot {
        cpu_time::process_tree(self.pid())
    }

    /// Writes one line (which must end in a newline) to the child's stdin.
    pub fn send_line(&mut self, line: &str) -> Result<(), String> {
        self.send_frame(line, None)
    }

    /// Writes one line (which must end in a newline) and then `payload`'s bytes, raw, to the
    /// child's stdin (the line must announce them).
    pub fn send_frame(&mut self, line: &str, payload: Option<&[u8]>) -> Result<(), String> {
        let pid = self.pid();
        let stdin = self
            .stdin
            .as_mut()
            .ok_or_else(|| format!("child {pid} is closed"))?;
        write_line_and_payload(stdin, line, payload)
            .and_then(|_| stdin.flush())
            .map_err(|e| format!("cannot write to child {pid}: {e}"))
    }

    /// SIGKILL the child and everything it started (its process group), then reap it.
    /// Safe to call twice.
    pub fn kill(&mut self) {
        self.stdin.take();
        self.kill_group();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The child leads its own process group; grandchildren (a Python multiprocessing pool)
    /// are in it too and die with it.
    fn kill_group(&mut self) {
        if std::mem::replace(&mut self.group_killed, true) {
            // Once only: after that the group id could in principle be reused.
            return;
        }
        crate::sys::kill_process_group(self.pid());
    }

    /// Closes stdin: a well-behaved child exits by itself. See [`ChildProcess::close`].
    pub fn close_stdin(&mut self) {
        self.stdin.take();
    }

    /// Closes stdin so the child exits by itself; kills it if it has not after a grace period.
    pub fn close(&mut self) {
        self.stdin.take();
        let deadline = Instant::now() + EXIT_GRACE;
        loop {
            match self.child.try_wait() {
                Ok(Some(_)) | Err(_) => return self.kill_group(),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(2))
                }
                Ok(None) => return self.kill(),
            }
        }
    }

    /// Whether the child has exited (waiting up to 200 ms for it to finish exiting).
    pub fn has_exited(&mut self) -> bool {
        wait_briefly(&mut self.child).is_some()
    }

    /// The end of the child's stderr as it came (up to 2 KiB, every line), for a caller that
    /// looks for a notice in it (an MPI launcher's report of a rank that died).
    pub fn stderr_text(&self) -> String {
        let t = self.stderr_tail.lock().unwrap_or_else(|e| e.into_inner());
        let bytes: Vec<u8> = t.iter().copied().collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Describes a child whose output closed: exit status and the end of its stderr.
    pub fn describe_exit(&mut self, name: &str, doing: &str) -> String {
        let status = wait_briefly(&mut self.child);
        let tail = stderr_tail(&self.stderr_tail, &self.stderr_closed);
        let mut msg = format!("{name} (pid {}) exited while {doing}", self.pid());
        if let Some(status) = status {
            msg.push_str(&format!(" ({status})"));
        }
        if !tail.is_empty() {
            msg.push_str(&format!("; its last output: {tail}"));
        }
        msg
    }
}

/// A signal as [`ChildProcess::describe_exit`] names the one that killed a worker (the standard
/// library's name of it): `signal 9 (SIGKILL)`, or `signal 64` for one without a name.
pub fn signal_text(signal: i32) -> String {
    use std::os::unix::process::ExitStatusExt;
    // A wait status whose low 7 bits are the signal: "killed by that signal".
    let status = ExitStatus::from_raw(signal & 0x7f);
    status.to_string().replacen("signal: ", "signal ", 1)
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Waits for the next event, giving up on cancel or at `deadline`.
pub fn next_event<M>(
    events: &Receiver<ChildEvent<M>>,
    guard: &RunGuard,
    deadline: Instant,
) -> Result<ChildEvent<M>, WaitError> {
    loop {
        if guard.cancel_token().is_cancelled() {
            return Err(WaitError::Cancelled);
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(WaitError::TimedOut);
        }
        match events.recv_timeout(POLL.min(deadline - now)) {
            Ok(ev) => return Ok(ev),
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return Err(WaitError::Gone),
        }
    }
}

/// After a write to a child failed: whether its output closes within `grace` (it has ended,
/// or is ending), the messages it wrote before that passed over. An error only when cancelled.
pub fn output_closes<M>(
    events: &Receiver<ChildEvent<M>>,
    guard: &RunGuard,
    grace: Duration,
) -> Result<bool, WaitError> {
    let deadline = Instant::now() + grace;
    loop {
        match next_event(events, guard, deadline) {
            Ok(ChildEvent::Closed(_)) | Err(WaitError::Gone) => return Ok(true),
            Ok(ChildEvent::Message(..) | ChildEvent::Malformed(..)) => {}
            Err(WaitError::TimedOut) => return Ok(false),
            Err(WaitError::Cancelled) => return Err(WaitError::Cancelled),
        }
    }
}

/// Forwards every message the child writes (a line and the bytes it announces) as an event;
/// stops at EOF or the first bad line or payload.
fn read_messages<M>(
    index: usize,
    stdout: impl Read,
    framing: &Framing<M>,
    events: &Sender<ChildEvent<M>>,
    costs: &ReaderCosts,
) {
    costs.started(STDOUT_READER);
    let mut reader = BufReader::new(stdout).take(0);
    let mut line = String::new();
    loop {
        let read = read_line_within_limit(&mut reader, &mut line);
        let mut bytes = match &read {
            Ok(LineRead::Line(n)) => *n as u64,
            Ok(LineRead::TooLong) => line.len() as u64,
            _ => 0,
        };
        let event = match read {
            Ok(LineRead::End) => {
                costs.publish(STDOUT_READER);
                let _ = events.send(ChildEvent::Closed(index));
                return;
            }
            Ok(LineRead::TooLong) => ChildEvent::Malformed(index, "a line over 1 MiB".into()),
            Ok(LineRead::Line(_)) => match (framing.decode)(line.trim_end()) {
                Ok(mut msg) => {
                    match (framing.announced)(&msg).map(|n| read_payload(&mut reader, n)) {
                        None => ChildEvent::Message(index, msg),
                        Some(Ok(payload)) => {
                            bytes += payload.len() as u64;
                            (framing.attach)(&mut msg, payload);
                            ChildEvent::Message(index, msg)
                        }
                        Some(Err(what)) => ChildEvent::Malformed(index, what),
                    }
                }
                Err(what) => ChildEvent::Malformed(index, what),
            },
            Err(e) => ChildEvent::Malformed(index, format!("unreadable output ({e})")),
        };
        costs.stdout_bytes.fetch_add(bytes, Ordering::Release);
        let stop = matches!(event, ChildEvent::Malformed(..));
        // Reading the thread's clock costs two system calls: done once per burst of lines,
        // before the burst's last line is handed on (a child writes nothing after its last
        // reply, so a run's last reply always ends a burst and finds its cost counted).
        if stop || reader.get_ref().buffer().is_empty() {
            costs.publish(STDOUT_READER);
        }
        if events.send(event).is_err() || stop {
            return;
        }
    }
}

fn keep_tail(mut stderr: impl Read, tail: &Mutex<VecDeque<u8>>, costs: &ReaderCosts) {
    costs.started(STDERR_READER);
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
        drop(t);
        costs.publish(STDERR_READER);
    }
}

/// The last lines of a child's stderr, once the reader has read all of it (`closed`), or after
/// at most [`STDERR_WAIT`] (a process the child started may keep it open). A fixed 20 ms here
/// could miss what a child printed as it exited on a loaded machine.
fn stderr_tail(tail: &Mutex<VecDeque<u8>>, closed: &AtomicBool) -> String {
    let deadline = Instant::now() + STDERR_WAIT;
    while !closed.load(Ordering::Acquire) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    let t = tail.lock().unwrap_or_else(|e| e.into_inner());
    let bytes: Vec<u8> = t.iter().copied().collect();
    let text = String::from_utf8_lossy(&bytes);
    // Blank lines and rules (Open MPI frames its notices in lines of dashes) say nothing.
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| l.trim().chars().any(|c| c != '-' && c != '='))
        .collect();
    lines[lines.len().saturating_sub(4)..].join(" | ")
}

fn wait_briefly(child: &mut Child) -> Option<ExitStatus> {
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
/// corelab itself cannot leave children behind.
fn kill_with_parent(command: &mut Command) {
    crate::sys::child_in_own_group_dies_with_parent(command);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::protocol::{FromWorker, MAX_PAYLOAD_BYTES, write_frame};

    fn done(unit: usize, payload_bytes: Option<usize>) -> FromWorker {
        FromWorker::Done {
            unit,
            checksum: 0,
            cpu_ns: 0,
            start_ns: 0,
            end_ns: 0,
            waits: Vec::new(),
            payload_bytes,
        }
    }

    /// A message and its payload's size, or why the reader stopped.
    type Received = Result<(FromWorker, Option<usize>), String>;

    /// What the stdout reader makes of `wire`: its events, and the bytes it counted.
    fn read_all(wire: &[u8]) -> (Vec<Received>, u64) {
        let framing = Framing::worker_frames();
        let (tx, rx) = std::sync::mpsc::channel();
        let costs = ReaderCosts::default();
        read_messages(0, wire, &framing, &tx, &costs);
        drop(tx);
        let events = rx
            .into_iter()
            .filter_map(|e| match e {
                ChildEvent::Message(_, f) => Some(Ok((f.msg, f.payload.map(|p| p.len())))),
                ChildEvent::Malformed(_, what) => Some(Err(what)),
                ChildEvent::Closed(_) => None,
            })
            .collect();
        (events, costs.stdout_bytes.load(Ordering::Acquire))
    }

    #[test]
    fn the_reader_hands_on_each_line_with_the_payload_it_announced() {
        let payload = vec![b'\n'; 5000];
        let mut wire = Vec::new();
        write_frame(&mut wire, &done(0, Some(payload.len())), Some(&payload)).unwrap();
        write_frame(&mut wire, &done(1, None), None).unwrap();
        let (events, bytes) = read_all(&wire);
        assert_eq!(
            events,
            vec![
                Ok((done(0, Some(5000)), Some(5000))),
                Ok((done(1, None), None))
            ]
        );
        assert_eq!(bytes, wire.len() as u64, "payloads count as bytes moved");
    }

    #[test]
    fn a_payload_cut_short_or_too_large_stops_the_reader_with_the_reason() {
        let mut short = Vec::new();
        write_frame(&mut short, &done(0, Some(1000)), Some(&[1; 10])).unwrap();
        let (events, _) = read_all(&short);
        match events.as_slice() {
            [Err(e)] => assert!(e.contains("ended after 10 of the 1000 bytes"), "{e}"),
            other => panic!("{other:?}"),
        }
        // A line announcing more than the protocol allows, with that much following: refused at
        // the line, before any of it is read, and nothing after it is taken for a message.
        let mut huge = Vec::new();
        write_frame(&mut huge, &done(0, Some(MAX_PAYLOAD_BYTES + 1)), None).unwrap();
        huge.extend(std::iter::repeat_n(b'x', MAX_PAYLOAD_BYTES + 1));
        write_frame(&mut huge, &done(1, None), None).unwrap();
        let (events, _) = read_all(&huge);
        match events.as_slice() {
            [Err(e)] => assert!(e.contains("payload_bytes"), "{e}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_signal_is_named_as_a_dead_worker_s_exit_status_names_it() {
        assert_eq!(signal_text(libc::SIGKILL), "signal 9 (SIGKILL)");
        assert_eq!(signal_text(libc::SIGSEGV), "signal 11 (SIGSEGV)");
        assert_eq!(signal_text(libc::SIGTERM), "signal 15 (SIGTERM)");
        // The same words as the exit status describe_exit shows for a killed worker.
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(
            ExitStatus::from_raw(libc::SIGKILL).to_string(),
            "signal: 9 (SIGKILL)"
        );
        assert!(
            signal_text(64).starts_with("signal 64"),
            "{}",
            signal_text(64)
        );
    }
}
