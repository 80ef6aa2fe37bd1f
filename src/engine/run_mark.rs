//! No child process outlives its run: every process corelab starts for a run carries the run's
//! mark, an environment variable its descendants inherit, and when the run ends every live
//! process still carrying it is stopped, whatever became of its parent or its process group (a
//! `setsid` daemon, a Python `Popen(..., start_new_session=True)`).
//!
//! The mark is `CORELAB_RUN=<pid>:<start>:<pid namespace>:<random>`: the pid and start time
//! (clock ticks since boot, `/proc/<pid>/stat`) of the corelab process that owns the run, its
//! pid namespace, and 128 unpredictable bits, new for every run. So a run's stop reaches its
//! own processes only (never those of another run in the same corelab, such as another sweep
//! of `cargo test`), and at its start corelab can tell the leftovers of a corelab that was
//! killed (`SIGKILL`, a crash) before it could stop them: marks whose owner is no longer alive
//! ([`stop_leftovers_of_killed_runs`]).
//!
//! What it cannot reach: a process that dropped the variable (`env -i`, `execve` with a new
//! environment), and processes of another user (their environment cannot be read). Processes of
//! a killed corelab keep running until the next corelab start. Linux only (`/proc`).

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The environment variable that marks a run's processes.
pub const VARIABLE: &str = "CORELAB_RUN";

/// How long a stop waits for the processes it killed to exit and be reaped, at most.
const EXIT_WAIT: Duration = Duration::from_secs(2);
/// How many times a stop looks again for marked processes (each look finds the children that
/// the last ones started before they were killed).
const MAX_LOOKS: usize = 20;

/// A run's mark: the value of [`VARIABLE`] its processes carry. Cheap to clone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunMark {
    value: Arc<str>,
}

impl Default for RunMark {
    fn default() -> Self {
        Self::new()
    }
}

impl RunMark {
    /// A new mark, owned by this process, that no other run has or can guess.
    pub fn new() -> RunMark {
        let mut random = [0u8; 16];
        if crate::sys::fill_random(&mut random).is_err() {
            // No getrandom (it cannot fail on Linux ≥ 3.17): the clock and a counter, unique
            // within this process, which is what a stop needs.
            use std::sync::atomic::{AtomicU64, Ordering};
            static COUNT: AtomicU64 = AtomicU64::new(0);
            let n = COUNT.fetch_add(1, Ordering::Relaxed);
            random[..8].copy_from_slice(&crate::sys::monotonic_ns().to_le_bytes());
            random[8..].copy_from_slice(&n.to_le_bytes());
        }
        let hex: String = random.iter().map(|b| format!("{b:02x}")).collect();
        RunMark {
            value: format!("{}{hex}", owner_prefix()).into(),
        }
    }

    /// The value of [`VARIABLE`].
    pub fn value(&self) -> &str {
        &self.value
    }

    /// Marks the process `command` will start (and so everything below it).
    pub fn put_on(&self, command: &mut Command) {
        command.env(VARIABLE, &*self.value);
    }

    /// Stops every live process that carries this mark (`SIGKILL`, with the process group it
    /// leads), looking again until none is left, and reaps those that are this process's
    /// children. Returns the pids it stopped.
    pub fn stop_marked(&self) -> Vec<u32> {
        stop_where(&[], |mark| mark == &*self.value)
    }

    /// A value that stops the processes carrying this mark when it is dropped.
    pub fn stop_on_drop(&self) -> StopMarkedOnDrop {
        StopMarkedOnDrop(self.clone())
    }
}

/// Stops the processes carrying a mark when it is dropped ([`RunMark::stop_on_drop`]).
pub struct StopMarkedOnDrop(RunMark);

impl Drop for StopMarkedOnDrop {
    fn drop(&mut self) {
        self.0.stop_marked();
    }
}

/// A run's mark held for the run's lifetime: when it is dropped, every process still carrying
/// the mark is stopped ([`RunMark::stop_marked`]).
pub struct MarkedRun {
    mark: RunMark,
    /// Processes seen carrying the mark before the run's own shutdown killed them: reaped too,
    /// where they became this process's children (see [`MarkedRun::note_members`]).
    noted: Vec<u32>,
}

impl Default for MarkedRun {
    fn default() -> Self {
        Self::new()
    }
}

impl MarkedRun {
    pub fn new() -> MarkedRun {
        MarkedRun {
            mark: RunMark::new(),
            noted: Vec::new(),
        }
    }

    pub fn mark(&self) -> &RunMark {
        &self.mark
    }

    /// Marks the process `command` will start.
    pub fn put_on(&self, command: &mut Command) {
        self.mark.put_on(command);
    }

    /// Notes the processes carrying the mark now, before the run's executor shuts down (and
    /// kills its process groups): a grandchild killed that way was re-parented to this process
    /// where it is a subreaper, and is reaped when the run is dropped.
    pub fn note_members(&mut self) {
        self.noted = marked_processes()
            .into_iter()
            .filter(|p| p.mark == *self.mark.value)
            .map(|p| p.pid)
            .collect();
    }
}

impl Drop for MarkedRun {
    fn drop(&mut self) {
        let value = Arc::clone(&self.mark.value);
        stop_where(&self.noted, |mark| mark == &*value);
    }
}

/// `<pid>:<start>:<namespace>:` of this process: the start of every mark it owns.
fn owner_prefix() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PREFIX
        .get_or_init(|| {
            let pid = std::process::id();
            let start = start_time_of(pid).unwrap_or(0);
            format!("{pid}:{start}:{}:", own_pid_namespace())
        })
        .clone()
}

/// The owner named by a mark: its pid, start time and pid namespace; `None` for a value that
/// is not a mark.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Owner {
    pid: u32,
    start: u64,
    namespace: u64,
}

fn owner_of(mark: &str) -> Option<Owner> {
    let mut parts = mark.split(':');
    let pid = parts.next()?.parse().ok()?;
    let start = parts.next()?.parse().ok()?;
    let namespace = parts.next()?.parse().ok()?;
    let random = parts.next()?;
    (parts.next().is_none() && !random.is_empty()).then_some(Owner {
        pid,
        start,
        namespace,
    })
}

/// Whether a mark's owner is gone, judged from this process: it names this pid namespace (a
/// corelab in another namespace is not ours to judge) and its pid is either free or held by a
/// process that started at another time (the pid was given to a new process).
fn owner_is_gone(owner: Owner, namespace: u64, start_of: impl Fn(u32) -> Option<u64>) -> bool {
    owner.namespace == namespace && start_of(owner.pid) != Some(owner.start)
}

/// A live process carrying a mark.
#[derive(Clone, Debug)]
struct Marked {
    pid: u32,
    mark: String,
}

/// Every live process of this user (other than this one) that carries a mark: `/proc/<pid>/
/// environ` is readable for those alone (or for all, as root, where only processes running as
/// root are taken). A process that has exited (a zombie) has no environment left and is not
/// listed.
fn marked_processes() -> Vec<Marked> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    let me = std::process::id();
    let uid = crate::sys::effective_uid();
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == me || !owned_by(&entry.path(), uid) {
            continue;
        }
        if let Some(mark) = mark_of(pid) {
            found.push(Marked { pid, mark });
        }
    }
    found
}

fn owned_by(proc_dir: &Path, uid: u32) -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(proc_dir).is_ok_and(|m| m.uid() == uid)
}

/// The mark in process `pid`'s environment, if it has one.
fn mark_of(pid: u32) -> Option<String> {
    let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
    let key = format!("{VARIABLE}=");
    environ
        .split(|&b| b == 0)
        .find_map(|entry| entry.strip_prefix(key.as_bytes()))
        .map(|value| String::from_utf8_lossy(value).into_owned())
}

/// Process `pid`'s start time, clock ticks after boot (field 22 of `/proc/<pid>/stat`).
fn start_time_of(pid: u32) -> Option<u64> {
    stat_fields(pid)?.get(19)?.parse().ok()
}

/// Process `pid`'s parent.
fn parent_of(pid: u32) -> Option<u32> {
    stat_fields(pid)?.get(1)?.parse().ok()
}

/// The fields of `/proc/<pid>/stat` after the command name (which may hold spaces and
/// parentheses): state, ppid, pgrp, …
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    Some(after_name.split_whitespace().map(str::to_owned).collect())
}

/// The inode of this process's pid namespace (`/proc/self/ns/pid` reads `pid:[4026531836]`);
/// 0 if unreadable.
fn own_pid_namespace() -> u64 {
    std::fs::read_link("/proc/self/ns/pid")
        .ok()
        .and_then(|link| {
            let text = link.to_string_lossy().into_owned();
            let digits: String = text.chars().filter(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or(0)
}

/// Stops every process whose mark `doomed` accepts, looking again until none is left, then
/// reaps those of them (and of `noted`) that are this process's children. Returns the pids it
/// stopped.
fn stop_where(noted: &[u32], doomed: impl Fn(&str) -> bool) -> Vec<u32> {
    let own_group = crate::sys::own_process_group();
    let mut stopped: Vec<u32> = Vec::new();
    for _ in 0..MAX_LOOKS {
        let found: Vec<Marked> = marked_processes()
            .into_iter()
            .filter(|p| doomed(&p.mark))
            .collect();
        if found.is_empty() {
            break;
        }
        for process in found {
            // Held first, then checked again: the pid cannot now name another process.
            let Ok(handle) = crate::sys::ProcessHandle::open(process.pid) else {
                continue;
            };
            if mark_of(process.pid).as_deref() != Some(process.mark.as_str()) {
                continue;
            }
            // A group led by a marked process was made by the run: everything in it goes,
            // marked or not. Never this process's own group.
            if crate::sys::process_group_of(process.pid) == Some(process.pid)
                && process.pid != own_group
            {
                crate::sys::kill_process_group(process.pid);
            }
            handle.kill();
            if !stopped.contains(&process.pid) {
                stopped.push(process.pid);
            }
        }
    }
    reap(stopped.iter().chain(noted));
    stopped
}

/// Waits (up to [`EXIT_WAIT`] in all) for each of `pids` that is a child of this process (a
/// subreaper adopts the orphans of its descendants) to exit, and reaps it.
fn reap<'a>(pids: impl Iterator<Item = &'a u32>) {
    let me = std::process::id();
    let ours: Vec<u32> = pids
        .copied()
        .filter(|&p| parent_of(p) == Some(me))
        .collect();
    let deadline = Instant::now() + EXIT_WAIT;
    for pid in ours {
        while !crate::sys::reap_if_exited(pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// At the start of corelab: stops the processes left by a corelab that was killed before it
/// could stop them (marks whose owner is gone, in this pid namespace). Returns how many.
pub fn stop_leftovers_of_killed_runs() -> usize {
    let namespace = own_pid_namespace();
    let leftover = |mark: &str| {
        owner_of(mark).is_some_and(|owner| owner_is_gone(owner, namespace, start_time_of))
    };
    stop_where(&[], leftover).len()
}

/// At the end of corelab: stops every process still carrying a mark this process owns (a run
/// whose thread was still going when the program ended). Returns how many.
pub fn stop_everything_this_corelab_started() -> usize {
    let prefix = owner_prefix();
    stop_where(&[], |mark| mark.starts_with(&prefix)).len()
}

/// What corelab says when its start stopped `n` leftovers: one line, `None` for none.
pub fn leftovers_line(n: usize) -> Option<String> {
    let processes = match n {
        0 => return None,
        1 => "1 process".to_string(),
        n => format!("{n} processes"),
    };
    Some(format!(
        "stopped {processes} left by a corelab run that was killed"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_names_its_owner_and_is_new_every_time() {
        let (a, b) = (RunMark::new(), RunMark::new());
        assert_ne!(a, b);
        let owner = owner_of(a.value()).expect("a mark parses");
        assert_eq!(owner.pid, std::process::id());
        assert_eq!(Some(owner.start), start_time_of(std::process::id()));
        assert_eq!(owner.namespace, own_pid_namespace());
        // 128 random bits, in hex.
        let random = a.value().rsplit(':').next().expect("random part");
        assert_eq!(random.len(), 32, "{}", a.value());
        assert!(random.chars().all(|c| c.is_ascii_hexdigit()));
        for bad in ["", "1:2:3", "1:2:3:", "x:2:3:ab", "1:2:3:ab:cd"] {
            assert_eq!(owner_of(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn an_owner_is_gone_when_its_pid_is_free_or_started_at_another_time() {
        let owner = Owner {
            pid: 40,
            start: 1000,
            namespace: 7,
        };
        let alive = |pid: u32| (pid == 40).then_some(1000);
        let reused = |pid: u32| (pid == 40).then_some(2000);
        let free = |_: u32| None;
        assert!(!owner_is_gone(owner, 7, alive));
        assert!(owner_is_gone(owner, 7, reused));
        assert!(owner_is_gone(owner, 7, free));
        // Another pid namespace's corelab is not judged from here.
        assert!(!owner_is_gone(owner, 8, free));
    }

    #[test]
    fn the_leftovers_line_counts_processes() {
        assert_eq!(leftovers_line(0), None);
        assert_eq!(
            leftovers_line(1).as_deref(),
            Some("stopped 1 process left by a corelab run that was killed")
        );
        assert_eq!(
            leftovers_line(3).as_deref(),
            Some("stopped 3 processes left by a corelab run that was killed")
        );
    }
}
