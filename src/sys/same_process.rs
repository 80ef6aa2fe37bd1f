//! Whether a process noted earlier (its pid and start time) is gone, judged from this
//! process's `/proc`: meaningful only for a process of this boot and pid namespace, which
//! [`super::process_identity::ProcessIdentity::liveness_from`] makes sure of before it asks.

use super::procfs::start_ticks_of;

/// What `/proc` says now about a pid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PidNow {
    /// No process has it.
    Free,
    /// A process has it, which started at this time (clock ticks after boot).
    StartedAt(u64),
    /// A process has it, but its start time cannot be read.
    Unreadable,
}

impl PidNow {
    pub fn of(pid: u32) -> PidNow {
        if pid == 0 {
            return PidNow::Free;
        }
        match start_ticks_of(pid) {
            Some(ticks) => PidNow::StartedAt(ticks),
            None if std::path::Path::new(&format!("/proc/{pid}")).exists() => PidNow::Unreadable,
            None => PidNow::Free,
        }
    }
}

/// Whether the process noted with start time `started` (`None`: it could not be read then) is
/// gone, given what `/proc` says now of its pid: no process has it, or the one that has it
/// started at another time (the pid was given to a new process).
///
/// Where it cannot tell (the pid is taken and either start time is unknown) the process is
/// taken to be still there. Both callers act on "gone" in a way that harms a live process:
/// corelab stops every process of a gone owner's runs, and offers a gone writer's results file
/// to be resumed or replaced. A process that really is gone but cannot be told from a live one
/// costs only that its leftovers wait for a later check, while a live one taken for gone would
/// have its run killed under it, or its file written over while it still writes it.
pub fn gone_given(started: Option<u64>, now: PidNow) -> bool {
    match (now, started) {
        (PidNow::Free, _) => true,
        (PidNow::StartedAt(now), Some(then)) => now != then,
        (PidNow::StartedAt(_), None) | (PidNow::Unreadable, _) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gone_when_the_pid_is_free_or_started_at_another_time_and_never_when_unsure() {
        assert!(gone_given(Some(1000), PidNow::Free));
        assert!(gone_given(None, PidNow::Free));
        assert!(gone_given(Some(1000), PidNow::StartedAt(2000)));
        assert!(!gone_given(Some(1000), PidNow::StartedAt(1000)));
        // Cannot tell: taken to be there.
        assert!(!gone_given(None, PidNow::StartedAt(2000)));
        assert!(!gone_given(Some(1000), PidNow::Unreadable));
        assert!(!gone_given(None, PidNow::Unreadable));
    }

    #[test]
    fn this_process_is_there_and_a_reaped_child_is_gone() {
        let me = std::process::id();
        let started = start_ticks_of(me);
        assert!(started.is_some());
        assert_eq!(PidNow::of(me), PidNow::StartedAt(started.unwrap_or(0)));
        assert!(!gone_given(started, PidNow::of(me)));
        assert!(gone_given(started.map(|t| t + 1), PidNow::of(me)));
        let mut child = std::process::Command::new("true").spawn().expect("true");
        let pid = child.id();
        let child_started = start_ticks_of(pid);
        child.wait().expect("waited");
        assert!(gone_given(child_started, PidNow::of(pid)));
        assert_eq!(PidNow::of(0), PidNow::Free);
    }
}
