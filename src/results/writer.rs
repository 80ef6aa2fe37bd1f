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
            started_ticks: crate::sys::procfs::start_ticks_of(pid),
        }
    }

    /// Whether the process is gone: no process has its pid, or the one that has it started at
    /// another time (the pid was used again). Where that cannot be told (a live pid whose
    /// start time cannot be read, or a writer recorded without one) it is taken to be there:
    /// its file is never offered as abandoned while it may still be written
    /// ([`crate::sys::same_process::gone_given`]).
    pub fn is_gone(&self) -> bool {
        crate::sys::same_process::is_gone(self.pid, self.started_ticks)
    }
}

/// Whether a results file was left by a sweep that will never finish it: still
/// `incomplete`, and the process that wrote it is gone (killed, crashed). A file without its
/// writer recorded (older corelab) cannot be told, and is not.
pub fn left_by_a_gone_process(status: RunStatus, writer: Option<&WriterProcess>) -> bool {
    status == RunStatus::Incomplete && writer.is_some_and(WriterProcess::is_gone)
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
            started_ticks: crate::sys::procfs::start_ticks_of(child.id()),
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
