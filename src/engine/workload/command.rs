//! `command`: the user's program, run once per task with `{task}` replaced by the task index,
//! directly (no shell). The model decides how many run at a time: each worker thread waits on
//! one child, so `threads` with N workers keeps N commands running, like `xargs -P N`.
//!
//! Each child leads its own process group (its own children die with it) and is killed, group
//! and all, on cancel or timeout. Its stdout is read and discarded; the first
//! [`STDERR_KEEP`] bytes of its stderr are kept for the error of a failing task.
//!
//! Each child is reaped with `wait4`, which gives its own peak RSS (its waited-for children
//! included): a run's metrics carry the largest of its commands' and how many ran, since the
//! children are gone when the run's memory is read from `/proc`.
//!
//! Checksum: a unit's checksum is `splitmix64(task index) ^ exit code`, so a run of commands
//! that all exit 0 has the same checksum under every model (any non-zero exit fails the cell
//! before a checksum is formed).

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
    /// This run's commands so far: the largest peak RSS, bytes, and how many were reaped.
    largest_rss: AtomicU64,
    reaped: AtomicU64,
}

impl CommandWorkload {
    pub fn new(params: &CommandParams, tasks: usize) -> Result<Self, String> {
        if params.argv.first().is_none_or(|p| p.trim().is_empty()) {
            return Err("`task.command.argv` is empty: name the program to run".into());
        }
        Ok(CommandWorkload {
            params: params.clone(),
            tasks,
            largest_rss: AtomicU64::new(0),
            reaped: AtomicU64::new(0),
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
        let code = run_one(&argv, unit, pacer, &|rss| {
            self.largest_rss.fetch_max(rss, Ordering::Relaxed);
            self.reaped.fetch_add(1, Ordering::Relaxed);
        })?;
        Ok(splitmix64(unit as u64) ^ u64::from(code.unsigned_abs()))
    }

    fn runs_child_processes(&self) -> bool {
        true
    }

    /// The run's checksum, and its commands' largest peak RSS and count (then reset for the
    /// next run).
    fn finish(&self, checksum: u64) -> super::UnitResult<RunMetrics> {
        let largest = self.largest_rss.swap(0, Ordering::Relaxed);
        let reaped = self.reaped.swap(0, Ordering::Relaxed);
        Ok(RunMetrics {
            checksum,
            commands: (reaped > 0).then_some(super::CommandsRun {
                count: reaped,
                largest_peak_rss_bytes: largest,
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
