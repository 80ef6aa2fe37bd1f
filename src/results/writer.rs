//! Which process is writing a results file, so that a file whose sweep was killed (its
//! process gone, its status still `incomplete`) can be told from one still being written.

use serde::{Deserialize, Serialize};

use super::RunStatus;

/// The process that writes a sweep's results as it runs: its pid, and when it started (clock
/// ticks after boot, field 22 of `/proc/PID/stat`) so that a pid used again by another
/// process is not taken for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WriterProcess {
    pub pid: u32,
    /// `None` where `/proc` could not tell.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub started_ticks: Option<u64>,
}

impl WriterProcess {
    /// This process.
    pub fn this() -> WriterProcess {
        let pid = std::process::id();
        WriterProcess {
            pid,
            started_ticks: start_ticks(pid),
        }
    }

    /// Whether the process is gone: no process has its pid, or the one that has it started at
    /// another time (the pid was used again). A process that is there and whose start time
    /// cannot be read is taken to be it (not gone).
    pub fn is_gone(&self) -> bool {
        if self.pid == 0 {
            return true;
        }
        match (start_ticks(self.pid), self.started_ticks) {
            (None, _) => !std::path::Path::new(&format!("/proc/{}", self.pid)).exists(),
            (Some(now), Some(then)) => now != then,
            (Some(_), None) => false,
        }
    }
}

/// Whether a results file was left by a sweep that will never finish it: still
/// `incomplete`, and the process that wrote it is gone (killed, crashed). A file without its
/// writer recorded (older corelab) cannot be told, and is not.
pub fn left_by_a_gone_process(status: RunStatus, writer: Option<&WriterProcess>) -> bool {
    status == RunStatus::Incomplete && writer.is_some_and(WriterProcess::is_gone)
}

/// Field 22 (`starttime`) of `/proc/PID/stat`: after the command name, which may hold spaces
/// and parentheses, so counted from its last `)`.
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 1..];
    // After `)`: state is field 3, so starttime (22) is the 20th.
    rest.split_whitespace().nth(19)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_not_gone_and_a_dead_child_is() {
        let me = WriterProcess::this();
        assert!(me.started_ticks.is_some());
        assert!(!me.is_gone());
        assert!(!left_by_a_gone_process(RunStatus::Incomplete, Some(&me)));
        // Our pid, started at another time: the pid was used again.
        let reused = WriterProcess {
            started_ticks: me.started_ticks.map(|t| t + 1),
            ..me
        };
        assert!(reused.is_gone());
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = WriterProcess {
            pid: child.id(),
            started_ticks: start_ticks(child.id()),
        };
        child.wait().unwrap();
        assert!(gone.is_gone());
        assert!(left_by_a_gone_process(RunStatus::Incomplete, Some(&gone)));
        // Finished or cancelled files, and files without a writer, are never "left".
        assert!(!left_by_a_gone_process(RunStatus::Cancelled, Some(&gone)));
        assert!(!left_by_a_gone_process(RunStatus::Complete, Some(&gone)));
        assert!(!left_by_a_gone_process(RunStatus::Incomplete, None));
    }
}
