//! Which process is writing a results file, so that a file whose sweep was killed (its
//! process gone, its status still `incomplete`) can be told from one still being written, and
//! from one written elsewhere (another container, another host) that cannot be judged.

use std::time::SystemTime;

use super::RunStatus;
pub use crate::sys::process_identity::{Elsewhere, Liveness};

/// The process that writes a sweep's results as it runs, and where it runs
/// (`"writer": {"pid": …, "started_ticks": …, "boot_id": …, "pid_namespace": …, "host": …}`);
/// files of older corelab hold the pid and start time alone.
pub type WriterProcess = crate::sys::process_identity::ProcessIdentity;

/// What can be said of an `incomplete` file's writer, the file last written at
/// `last_written`; `None` for a file that is not `incomplete` or names no writer (older
/// corelab), which says nothing of its writer.
pub fn writer_of_incomplete(
    status: RunStatus,
    writer: Option<&WriterProcess>,
    last_written: Option<SystemTime>,
) -> Option<Liveness> {
    (status == RunStatus::Incomplete)
        .then_some(writer?)
        .map(|w| w.liveness(last_written))
}

/// Whether a results file was left by a sweep that will never finish it: still
/// `incomplete`, and the process that wrote it surely gone (killed, crashed, or its machine
/// restarted). A file without its writer recorded (older corelab), or whose writer ran
/// elsewhere, cannot be told, and is not.
pub fn left_by_a_gone_process(
    status: RunStatus,
    writer: Option<&WriterProcess>,
    last_written: Option<SystemTime>,
) -> bool {
    writer_of_incomplete(status, writer, last_written) == Some(Liveness::Gone)
}

/// What a note about an `incomplete` file says of its writer ([`writer_of_incomplete`]): "it
/// is still being written by corelab (pid 4242) on this machine", "the corelab that wrote it
/// is gone (killed, crashed, or its machine restarted): the sweep will not finish it", or where
/// it ran and that it cannot be judged ("written by a corelab on HOST; cannot tell if it is
/// still running").
pub fn writer_words(writer: &WriterProcess, liveness: &Liveness) -> String {
    match liveness {
        Liveness::Running => format!(
            "it is still being written by corelab (pid {}) on this machine",
            writer.pid
        ),
        Liveness::Gone => "the corelab that wrote it is gone (killed, crashed, or its machine \
                           restarted): the sweep will not finish it"
            .to_string(),
        Liveness::CannotTell(elsewhere) => elsewhere.words("written"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_not_gone_and_a_dead_child_is() {
        let me = WriterProcess::this();
        assert!(me.started_ticks.is_some());
        assert!(!left_by_a_gone_process(
            RunStatus::Incomplete,
            Some(&me),
            None
        ));
        assert_eq!(
            writer_of_incomplete(RunStatus::Incomplete, Some(&me), None),
            Some(Liveness::Running)
        );
        // Our pid, started at another time: the pid was used again.
        let reused = WriterProcess {
            started_ticks: me.started_ticks.map(|t| t + 1),
            ..me.clone()
        };
        assert!(left_by_a_gone_process(
            RunStatus::Incomplete,
            Some(&reused),
            None
        ));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = WriterProcess::here(child.id(), crate::sys::procfs::start_ticks_of(child.id()));
        child.wait().unwrap();
        assert!(left_by_a_gone_process(
            RunStatus::Incomplete,
            Some(&gone),
            None
        ));
        // Finished or cancelled files, and files without a writer, are never "left".
        assert!(!left_by_a_gone_process(
            RunStatus::Cancelled,
            Some(&gone),
            None
        ));
        assert!(!left_by_a_gone_process(
            RunStatus::Complete,
            Some(&gone),
            None
        ));
        assert!(!left_by_a_gone_process(RunStatus::Incomplete, None, None));
        assert_eq!(
            writer_of_incomplete(RunStatus::Complete, Some(&gone), None),
            None
        );
        assert_eq!(
            writer_words(&gone, &Liveness::Gone),
            "the corelab that wrote it is gone (killed, crashed, or its machine restarted): \
             the sweep will not finish it"
        );
        assert_eq!(
            writer_words(&me, &Liveness::Running),
            format!(
                "it is still being written by corelab (pid {}) on this machine",
                me.pid
            )
        );
    }

    #[test]
    fn a_gone_pid_written_elsewhere_or_by_an_older_corelab_is_not_left() {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = WriterProcess::here(child.id(), crate::sys::procfs::start_ticks_of(child.id()));
        child.wait().unwrap();
        let other_host = WriterProcess {
            host: Some(format!(
                "{}-elsewhere",
                gone.host.clone().unwrap_or_default()
            )),
            boot_id: Some("its-own-boot".into()),
            ..gone.clone()
        };
        let other_container = WriterProcess {
            pid_namespace: gone.pid_namespace.map(|n| n + 1),
            ..gone.clone()
        };
        let older = WriterProcess {
            boot_id: None,
            pid_namespace: None,
            host: None,
            ..gone.clone()
        };
        for (writer, why) in [
            (
                &other_host,
                Elsewhere::OtherHost(other_host.host.clone().unwrap()),
            ),
            (&other_container, Elsewhere::OtherContainer),
            (&older, Elsewhere::Unrecorded),
        ] {
            assert!(!left_by_a_gone_process(
                RunStatus::Incomplete,
                Some(writer),
                None
            ));
            assert_eq!(
                writer_of_incomplete(RunStatus::Incomplete, Some(writer), None),
                Some(Liveness::CannotTell(why))
            );
        }
    }
}
