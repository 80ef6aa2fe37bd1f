//! `command`: the user's program, run once per task with `{task}` replaced by the task index,
//! directly (no shell). The model decides how many run at a time: each worker thread waits on
//! one child, so `threads` with N workers keeps N commands running, like `xargs -P N`.
//!
//! Each child leads its own process group (its own children die with it) and is killed, group
//! and all, on cancel or timeout. Its stdout is read and discarded; the first
//! [`STDERR_KEEP`] bytes of its stderr are kept for the error of a failing task.
//!
//! Each child is reaped with `wait4`, which gives its own peak RSS (its waited-for children
//! included), and its start and end are noted: a run's metrics carry how many ran and the
//! most memory the commands running at once held, each counted at its own peak
//! ([`concurrent_peak`]), since the children are gone when the run's memory is read from
//! `/proc`.
//!
//! Checksum: a unit's checksum is `splitmix64(task index) ^ exit code`, so a run of commands
//! that all exit 0 has the same checksum under every model (any non-zero exit fails the cell
//! before a checksum is formed).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::cpu::splitmix64;
use super::{RunMetrics, Workload};
use crate::engine::pacer::{Pacer, UnitError, UnitResult};
use crate::preset::CommandParams;

/// Bytes of a failing command's stderr kept for its error message.
pub const STDERR_KEEP: usize = 4096;
/// Lines of stderr quoted in a failing task's error.
const STDERR_LINES: usize = 5;
/// Longest pause between two looks at a running child.
const MAX_POLL: Duration = Duration::from_millis(2);

pub struct CommandWorkload {
    params: CommandParams,
    tasks: usize,
    /// This run's commands reaped so far: when each started and ended, and its peak RSS.
    reaped: Mutex<Vec<Reaped>>,
}

/// One command of a run, reaped: when it was started and reaped, and its peak RSS (bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reaped {
    pub started: Instant,
    pub ended: Instant,
    pub peak_rss_bytes: u64,
}

/// The most memory `commands` held at once, each counted at its own peak, and the most that
/// ran at once: the largest sum of the peaks of the commands running at the same instant (a
/// command's peak may come before another's, so this is what they could hold together, at
/// most: `threads` × N runs N commands side by side, each holding its own memory). A command
/// that ends as another starts is not counted with it.
pub fn concurrent_peak(commands: &[Reaped]) -> (u64, u64) {
    // +peak at a start, -peak at an end; ends first where times tie.
    let mut events: Vec<(Instant, bool, u64)> = commands
        .iter()
        .flat_map(|c| {
            [
                (c.started, true, c.peak_rss_bytes),
                (c.ended, false, c.peak_rss_bytes),
            ]
        })
        .collect();
    events.sort_by_key(|&(at, starts, _)| (at, starts));
    let (mut bytes, mut running, mut most_bytes, mut most_running) = (0u64, 0u64, 0u64, 0u64);
    for (_, starts, peak) in events {
        if starts {
            bytes = bytes.saturating_add(peak);
            running += 1;
            most_bytes = most_bytes.max(bytes);
            most_running = most_running.max(running);
        } else {
            bytes = bytes.saturating_sub(peak);
            running = running.saturating_sub(1);
        }
    }
    (most_bytes, most_running)
}

impl CommandWorkload {
    pub fn new(params: &CommandParams, tasks: usize) -> Result<Self, String> {
        if params.argv.first().is_none_or(|p| p.trim().is_empty()) {
            return Err("`task.command.argv` is empty: name the program to run".into());
        }
        Ok(CommandWorkload {
            params: params.clone(),
            tasks,
            reaped: Mutex::new(Vec::new()),
        })
    }
}

impl Workload for CommandWorkload {
    fn unit_count(&self) -> usize {
        self.tasks
    }

    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        pacer.checkpoint()?;
        let argv = self.params.argv_for(unit);
        let started = Instant::now();
        let code = run_one(&argv, unit, pacer, &|rss| {
            let reaped = Reaped {
                started,
                ended: Instant::now(),
                peak_rss_bytes: rss,
            };
            if let Ok(mut all) = self.reaped.lock() {
                all.push(reaped);
            }
        })?;
        Ok(splitmix64(unit as u64) ^ u64::from(code.unsigned_abs()))
    }

    fn runs_child_processes(&self) -> bool {
        true
    }

    /// The run's checksum, and its commands' count and memory at once (then reset for the
    /// next run).
    fn finish(&self, checksum: u64) -> super::UnitResult<RunMetrics> {
        let reaped = self
            .reaped
            .lock()
            .map(|mut all| std::mem::take(&mut *all))
            .unwrap_or_default();
        let (peak, at_once) = concurrent_peak(&reaped);
        Ok(RunMetrics {
            checksum,
            commands: (!reaped.is_empty()).then_some(super::CommandsRun {
                count: reaped.len() as u64,
                at_once,
                concurrent_peak_rss_bytes: peak,
            }),
            ..RunMetrics::default()
        })
    }
}

/// A started child; dropping it kills its process group and reaps it.
struct Running {
    child: Child,
    done: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.done {
            crate::sys::kill_process_group(self.child.id());
            self.child.kill().ok();
            self.child.wait().ok();
        }
    }
}

/// Runs task `unit`'s argv to completion; returns its exit code (0), or fails with the code or
/// signal and the first lines of its stderr. `reaped` is told the child's peak RSS, bytes.
fn run_one(
    argv: &[String],
    unit: usize,
    pacer: &dyn Pacer,
    reaped: &dyn Fn(u64),
) -> UnitResult<i32> {
    let (program, args) = argv
        .split_first()
        .ok_or_else(|| UnitError::Failed("empty command".into()))?;
    let mut command = Command::new(program);
    command
        .args(args)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(mark) = pacer.run_mark() {
        mark.put_on(&mut command);
    }
    crate::sys::child_in_own_group_dies_with_parent(&mut command);
    let mut child = command
        .spawn()
        .map_err(|e| UnitError::Failed(format!("task {unit}: cannot start {program:?}: {e}")))?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let mut running = Running { child, done: false };
    let kept = Arc::new(Mutex::new(Vec::new()));
    let readers = [
        stdout.map(|out| spawn_reader(out, None)),
        stderr.map(|err| spawn_reader(err, Some(Arc::clone(&kept)))),
    ];
    let mut pause = Duration::from_micros(50);
    let status = loop {
        // wait4 rather than try_wait: it also gives the child's own peak RSS.
        match crate::sys::try_reap(running.child.id()) {
            Ok(Some((status, usage))) => {
                // Reaped: the Child must not be waited for (or killed) again.
                running.done = true;
                reaped(usage.max_rss_bytes);
                break status;
            }
            Ok(None) => {
                // Waiting releases any interpreter lock and notices cancel and the deadline;
                // an error here drops `running`, which kills the child's group.
                pacer.wait(pause)?;
                pause = (pause * 2).min(MAX_POLL);
            }
            Err(e) => {
                return Err(UnitError::Failed(format!(
                    "task {unit}: cannot wait for {program:?}: {e}"
                )));
            }
        }
    };
    // The group may hold grandchildren that keep the pipes open: end them before joining.
    crate::sys::kill_process_group(running.child.id());
    for r in readers.into_iter().flatten() {
        r.join().ok();
    }
    if status.success() {
        return Ok(0);
    }
    let how = match status.code() {
        Some(code) => format!("exit code {code}"),
        None => format!("{status}"),
    };
    let bytes = kept.lock().map(|k| k.clone()).unwrap_or_default();
    let text = String::from_utf8_lossy(&bytes);
    let first: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(STDERR_LINES)
        .collect();
    let mut msg = format!("task {unit}: {} failed ({how})", shown(argv));
    if !first.is_empty() {
        msg.push_str(&format!("; stderr: {}", first.join(" | ")));
    }
    Err(UnitError::Failed(msg))
}

/// Reads a pipe to its end, keeping the first [`STDERR_KEEP`] bytes in `keep` if given and
/// discarding everything else.
fn spawn_reader(
    mut pipe: impl Read + Send + 'static,
    keep: Option<Arc<Mutex<Vec<u8>>>>,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            if let Some(keep) = &keep
                && let Ok(mut k) = keep.lock()
            {
                let room = STDERR_KEEP.saturating_sub(k.len());
                k.extend_from_slice(&buf[..n.min(room)]);
            }
        }
    })
}

fn shown(argv: &[String]) -> String {
    let parts: Vec<String> = argv
        .iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("{a:?}")
            } else {
                a.clone()
            }
        })
        .collect();
    format!("`{}`", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;
    use crate::engine::pacer::RunGuard;

    fn params(argv: &[&str]) -> CommandParams {
        CommandParams {
            argv: argv.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn guard(timeout: Duration) -> RunGuard {
        RunGuard::new(CancelToken::new(), timeout)
    }

    #[test]
    fn the_memory_at_once_adds_the_peaks_of_the_commands_that_overlap() {
        let t0 = Instant::now();
        let ms = |n: u64| t0 + Duration::from_millis(n);
        let cmd = |from: u64, to: u64, mib: u64| Reaped {
            started: ms(from),
            ended: ms(to),
            peak_rss_bytes: mib << 20,
        };
        assert_eq!(concurrent_peak(&[]), (0, 0));
        // Two workers: two 64 MiB commands side by side, then a 10 MiB one after the first.
        let two_workers = [cmd(0, 100, 64), cmd(0, 120, 64), cmd(100, 150, 10)];
        assert_eq!(concurrent_peak(&two_workers), (128 << 20, 2));
        // One worker: one after the other (an end and the next start at the same instant do
        // not overlap): the largest alone.
        let one_worker = [cmd(0, 100, 64), cmd(100, 200, 80), cmd(200, 300, 10)];
        assert_eq!(concurrent_peak(&one_worker), (80 << 20, 1));
        // Four at once, whatever order they were reaped in.
        let four = [cmd(5, 50, 1), cmd(0, 40, 2), cmd(10, 60, 4), cmd(20, 30, 8)];
        assert_eq!(concurrent_peak(&four), (15 << 20, 4));
    }

    #[test]
    fn a_successful_command_hashes_its_index_and_exit_code() {
        let w = CommandWorkload::new(&params(&["true"]), 3).expect("valid");
        let g = guard(Duration::from_secs(10));
        assert_eq!(w.run_unit(2, &g), Ok(splitmix64(2)));
    }

    #[test]
    fn the_placeholder_is_replaced_and_a_failure_quotes_stderr() {
        let w = CommandWorkload::new(
            &params(&["sh", "-c", "echo out; echo bad-{task} >&2; exit 3"]),
            8,
        )
        .expect("valid");
        let g = guard(Duration::from_secs(10));
        let Err(UnitError::Failed(msg)) = w.run_unit(7, &g) else {
            panic!("a non-zero exit fails the task");
        };
        assert!(msg.contains("exit code 3"), "{msg}");
        assert!(msg.contains("bad-7"), "{msg}");
        assert!(msg.ends_with("stderr: bad-7"), "stdout is discarded: {msg}");
    }

    #[test]
    fn a_missing_program_fails_with_its_name() {
        let w = CommandWorkload::new(&params(&["/nonexistent/corelab-prog"]), 1).expect("valid");
        let Err(UnitError::Failed(msg)) = w.run_unit(0, &guard(Duration::from_secs(10))) else {
            panic!("cannot start");
        };
        assert!(msg.contains("/nonexistent/corelab-prog"), "{msg}");
    }

    #[test]
    fn a_command_past_the_deadline_is_killed() {
        let w = CommandWorkload::new(&params(&["sleep", "30"]), 1).expect("valid");
        let started = std::time::Instant::now();
        assert_eq!(
            w.run_unit(0, &guard(Duration::from_millis(200))),
            Err(UnitError::TimedOut)
        );
        assert!(started.elapsed() < Duration::from_secs(20));
    }
}
