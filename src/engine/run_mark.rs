//! No child process outlives its run: every process corelab starts for a run carries the run's
//! mark, an environment variable its descendants inherit, and when the run ends every live
//! process still carrying it is stopped, whatever became of its parent or its process group (a
//! `setsid` daemon, a Python `Popen(..., start_new_session=True)`).
//!
//! The mark is `CORELAB_RUN=<owner>:<random>`: the corelab process that owns the run, as
//! [`ProcessIdentity::to_text`] writes it (`<pid>:<start>:<pid namespace>:<boot id>:<host>`:
//! its pid and start time, clock ticks since boot from `/proc/<pid>/stat`, and where it runs),
//! and 128 unpredictable bits, new for every run. So a run's stop reaches its
//! own processes only (never those of another run in the same corelab, such as another sweep
//! of `cargo test`), and at its start corelab can tell the leftovers of a corelab that was
//! killed (`SIGKILL`, a crash) before it could stop them: marks whose owner is surely gone, in
//! this boot and pid namespace on this host ([`stop_leftovers_of_killed_runs`]).
//!
//! What it cannot reach: a process that dropped the variable (`env -i`, `execve` with a new
//! environment), and processes of another user (their environment cannot be read). Processes of
//! a killed corelab keep running until the next corelab start. Linux only (`/proc`).

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cancel::CancelToken;
use super::pacer::RunGuard;
use crate::sys::process_identity::{Liveness, Place, ProcessIdentity};
use crate::sys::procfs::{self, Stat};
use crate::sys::same_process::PidNow;

/// The environment variable that marks a run's processes.
pub const VARIABLE: &str = "CORELAB_RUN";

/// How long a stop waits for the processes it killed to exit and be reaped, at most.
const EXIT_WAIT: Duration = Duration::from_secs(2);
/// How many times a stop looks again for marked processes (each look finds the children that
/// the last ones started before they were killed).
const MAX_LOOKS: usize = 20;

/// A run's mark: the value of [`VARIABLE`] its processes carry, which a run's [`RunGuard`] hands
/// to the commands the run starts. Cheap to clone. The run itself holds its [`MarkedRun`], which
/// stops the marked processes when the run ends.
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
    /// children. Returns the pids it killed (those not gone within [`EXIT_WAIT`] too; see
    /// [`RunMark::stop`] for which those are).
    pub fn stop_marked(&self) -> Vec<u32> {
        self.stop().killed
    }

    /// [`RunMark::stop_marked`], saying which of the processes it killed were still there
    /// after the wait ([`Stop::not_gone`]).
    pub fn stop(&self) -> Stop {
        stop_where(&[], |mark| mark == &*self.value)
    }
}

/// A run whose processes carry a new [`RunMark`], held for the run's lifetime: the guards of
/// its runs ([`MarkedRun::guard`]) put the mark on every command the run starts, and when it is
/// dropped every process still carrying the mark is stopped ([`RunMark::stop_marked`]).
///
/// ```text
/// let marked = MarkedRun::new(); // declared before the executor, so dropped after it
/// let guard = marked.guard(cancel.clone(), timeout);
/// ```
pub struct MarkedRun {
    mark: RunMark,
    /// Processes seen carrying the mark before the run's own shutdown killed them: reaped too,
    /// where they became this process's children (see [`MarkedRun::note_members`]).
    noted: Vec<u32>,
    /// Whether [`MarkedRun::stop_at_end`] stopped the mark already (the drop then does not).
    stopped: bool,
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
            stopped: false,
        }
    }

    /// The guard of one run (stopped by `cancel` or after `timeout`) whose processes carry the
    /// mark.
    pub fn guard(&self, cancel: CancelToken, timeout: Duration) -> RunGuard {
        RunGuard::new(cancel, timeout).carrying(self.mark.clone())
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

    /// Between two runs where nothing of the run should be left (a command task under a model
    /// that keeps no processes between runs): stops whatever the last run's commands left
    /// behind, as [`RunMark::stop_marked`] does, and returns the pids it stopped.
    ///
    /// That is after every run, warm-ups included, so it first looks below this process alone,
    /// where everything the run left must be: corelab is a child subreaper, so a descendant
    /// whose parent exits (a `setsid` daemon, a double fork) is adopted by corelab, never by
    /// init. Only when that look finds a marked process, or cannot tell (no subreaper, no
    /// children lists, a tree that changed while it looked), does it search every process of
    /// the user's, as the stop at the run's end does.
    ///
    /// What it killed that was still there after the wait ([`Stop::not_gone`]: a process in
    /// uninterruptible sleep survives `SIGKILL` until its system call ends) is the caller's
    /// to tell: the sweep fails the cell with it ([`not_gone_after_run_words`]).
    pub fn stop_left_by_run(&self) -> Stop {
        if crate::sys::is_child_subreaper() && nothing_carries_below_this_process(self.mark.value())
        {
            return Stop::default();
        }
        self.mark.stop()
    }
}

impl MarkedRun {
    /// The stop its drop does, done now so that the caller learns what it could not stop
    /// ([`Stop::not_gone`]; the sweep tells it as a warning of the sweep,
    /// [`not_gone_at_cell_end_words`]).
    pub fn stop_at_end(mut self) -> Stop {
        self.stopped = true;
        let value = Arc::clone(&self.mark.value);
        stop_where(&self.noted, |mark| mark == &*value)
    }
}

impl Drop for MarkedRun {
    fn drop(&mut self) {
        if self.stopped {
            return;
        }
        let value = Arc::clone(&self.mark.value);
        stop_where(&self.noted, |mark| mark == &*value);
    }
}

/// `<owner>:` of this process ([`ProcessIdentity::to_text`]): the start of every mark it
/// owns. Its start time is empty where it cannot be read: its marks then never read as a gone
/// owner's while its pid is taken ([`crate::sys::same_process::gone_given`]).
fn owner_prefix() -> String {
    static PREFIX: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    PREFIX
        .get_or_init(|| format!("{}:", ProcessIdentity::this().to_text()))
        .clone()
}

/// The owner a mark (or an [`owner_text`]) names: `<owner>:<random>`, the owner in
/// [`ProcessIdentity::from_text`]'s form (an older corelab's, `<pid>:<start>:<namespace>`,
/// reads with where it ran unknown); `None` for a value that is not a mark.
fn owner_of(mark: &str) -> Option<ProcessIdentity> {
    let (owner, random) = mark.rsplit_once(':')?;
    if random.is_empty() {
        return None;
    }
    ProcessIdentity::from_text(owner)
}

/// Whether a mark's owner is surely gone, judged from `here`, the record last written at
/// `last_written` ([`ProcessIdentity::liveness_from`]): in this boot and pid namespace on this
/// host, its pid either free or held by a process that started at another time (the pid was
/// given to a new process); or on this host in a boot that ended before this one began. A
/// corelab in another container, on another host, or of an older corelab that did not record
/// where it ran, is not ours to judge; nor a pid taken by a process whose start time cannot be
/// read (or an owner without its start): taken to be alive, its run's processes are not
/// stopped under it, its scratch directories not removed.
fn owner_is_gone(
    owner: &ProcessIdentity,
    here: &Place,
    last_written: Option<std::time::SystemTime>,
    now_of: impl Fn(u32) -> PidNow,
) -> bool {
    owner.liveness_from(here, last_written, now_of) == Liveness::Gone
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

/// The most processes a look below this process walks before it gives up (and the search of
/// every process is made instead).
const MAX_BELOW: usize = 100_000;

/// Whether no process below this one carries `mark`: two walks of the tree below this process
/// saw no process carrying it, and saw the same processes (each a zombie in both or in
/// neither).
///
/// Two walks, because one is not enough where the tree changes while it is walked: a child
/// list is read an entry at a time, and a process that exits just after its parent's list was
/// read hands its children to this process (the subreaper), whose own list was read already.
/// Every such change shows as a difference between the walks: an exit turns a process into a
/// zombie or takes it away, an adoption or a fork adds one, and pids are not given again at
/// once. Then the search of every process decides.
fn nothing_carries_below_this_process(mark: &str) -> bool {
    let Below::Saw(first) = walk_below_this_process(mark) else {
        return false;
    };
    matches!(walk_below_this_process(mark), Below::Saw(second) if second == first)
}

/// What a walk of the processes below this one found.
#[derive(Debug, PartialEq, Eq)]
enum Below {
    /// A process carrying the mark.
    Carrying,
    /// Nothing it can trust: a children list or a stat line that could not be read (the
    /// process went away while it looked), more than [`MAX_BELOW`] processes.
    CannotTell,
    /// None carrying the mark: every process below, sorted by pid, each with whether it is a
    /// zombie.
    Saw(Vec<(u32, bool)>),
}

fn walk_below_this_process(mark: &str) -> Below {
    let Some(mut todo) = procfs::children_of(std::process::id()) else {
        return Below::CannotTell;
    };
    let mut seen: HashSet<u32> = HashSet::new();
    let mut found = Vec::new();
    while let Some(pid) = todo.pop() {
        if !seen.insert(pid) {
            continue;
        }
        if seen.len() > MAX_BELOW {
            return Below::CannotTell;
        }
        let Some(stat) = Stat::of_process(pid) else {
            return Below::CannotTell;
        };
        // A zombie has no environment left, and has handed its children on.
        let zombie = stat.is_zombie();
        if !zombie {
            if mark_of(pid).as_deref() == Some(mark) {
                return Below::Carrying;
            }
            let Some(children) = procfs::children_of(pid) else {
                return Below::CannotTell;
            };
            todo.extend(children);
        }
        found.push((pid, zombie));
    }
    found.sort_unstable();
    Below::Saw(found)
}

/// What a stop did: the processes it killed, and those of them still there when it stopped
/// waiting ([`EXIT_WAIT`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stop {
    /// Every process it sent `SIGKILL`, in the order it did.
    pub killed: Vec<u32>,
    /// Those of [`Stop::killed`] still in `/proc` after the wait: still running (in
    /// uninterruptible sleep, say), or exited but left unreaped by a parent that is not this
    /// process.
    pub not_gone: Vec<NotGone>,
}

impl Stop {
    /// The processes it killed that are gone: exited and reaped.
    pub fn stopped(&self) -> Vec<u32> {
        self.killed
            .iter()
            .copied()
            .filter(|pid| !self.not_gone.iter().any(|n| n.pid == *pid))
            .collect()
    }
}

/// A process a stop killed that was still there when the stop stopped waiting, as `/proc` last
/// showed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotGone {
    pub pid: u32,
    /// Its state letter in `/proc/<pid>/stat` (`D`, `Z`, …); `None` where it could not be read.
    pub state: Option<char>,
    /// Its parent then.
    pub parent: Option<u32>,
}

impl std::fmt::Display for NotGone {
    /// `pid 4242 (D: uninterruptible sleep)`, `pid 77 (Z: exited, its parent 17 has not reaped
    /// it)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pid = self.pid;
        match (self.state, self.parent) {
            (Some('Z'), Some(parent)) => {
                write!(
                    f,
                    "pid {pid} (Z: exited, its parent {parent} has not reaped it)"
                )
            }
            (Some(state), _) => write!(f, "pid {pid} ({state}: {})", state_words(state)),
            (None, _) => write!(f, "pid {pid} (state unknown)"),
        }
    }
}

/// What a state letter of `/proc/<pid>/stat` means (proc(5)).
fn state_words(state: char) -> &'static str {
    match state {
        'R' => "running",
        'S' => "sleeping",
        'D' => "uninterruptible sleep",
        'Z' => "exited, not yet reaped",
        'T' => "stopped by a signal",
        't' => "stopped by a tracer",
        'X' | 'x' => "dead",
        'I' => "idle",
        'K' => "wake-kill",
        'W' => "waking",
        'P' => "parked",
        _ => "unknown state",
    }
}

/// The most processes a line names one by one ([`not_gone_words`]); the rest are counted.
const MAX_NAMED: usize = 5;

/// `not_gone`, one after another as a line says them (`pid 4242 (D: uninterruptible sleep),
/// pid 77 (…)`, the first [`MAX_NAMED`] and how many more); `None` for none.
pub fn not_gone_words(not_gone: &[NotGone]) -> Option<String> {
    if not_gone.is_empty() {
        return None;
    }
    let mut named: Vec<String> = not_gone
        .iter()
        .take(MAX_NAMED)
        .map(|n| n.to_string())
        .collect();
    if not_gone.len() > MAX_NAMED {
        named.push(format!("and {} more", not_gone.len() - MAX_NAMED));
    }
    Some(named.join(", "))
}

/// Why a cell failed when the stop after one of its runs ([`MarkedRun::stop_left_by_run`])
/// killed processes the run left that were still there after the wait: `a process a run left
/// was still there 2 s after SIGKILL: pid 4242 (D: uninterruptible sleep)`, the processes as
/// [`not_gone_words`] names them. `None` when every one is gone.
pub fn not_gone_after_run_words(stop: &Stop) -> Option<String> {
    still_there(stop, "a process", "a run left", "", "")
}

/// The warning of a sweep when the stop at the end of the cell `cell` (`threads × 2`,
/// [`MarkedRun::stop_at_end`]) killed processes that were still there after the wait: `threads
/// × 2: a process the cell left was still there 2 s after SIGKILL when the cell ended: pid 4242
/// (D: uninterruptible sleep)`. `None` when every one is gone.
pub fn not_gone_at_cell_end_words(cell: &str, stop: &Stop) -> Option<String> {
    still_there(
        stop,
        "a process",
        "the cell left",
        &format!("{cell}: "),
        " when the cell ended",
    )
}

/// The sentence of the three stops that found processes still there after the wait:
/// `{lead}{processes} {who} {was|were} still there 2 s after SIGKILL{when}: {pids}`, one process
/// said as `one` ("a process", "1 process"). `None` when every one is gone.
fn still_there(stop: &Stop, one: &str, who: &str, lead: &str, when: &str) -> Option<String> {
    let words = not_gone_words(&stop.not_gone)?;
    let (processes, were) = match stop.not_gone.len() {
        1 => (one.to_string(), "was"),
        n => (format!("{n} processes"), "were"),
    };
    Some(format!(
        "{lead}{processes} {who} {were} still there {} after SIGKILL{when}: {words}",
        exit_wait_words()
    ))
}

/// How long a stop waits, as a line says it (`2 s`).
fn exit_wait_words() -> String {
    format!("{} s", EXIT_WAIT.as_secs())
}

/// Stops every process whose mark `doomed` accepts, looking again until none is left, then
/// waits for them to be gone, reaping those of them (and of `noted`) that are this process's
/// children.
fn stop_where(noted: &[u32], doomed: impl Fn(&str) -> bool) -> Stop {
    let own_group = crate::sys::own_process_group();
    let mut killed: Vec<Killed> = Vec::new();
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
            let started = procfs::start_ticks_of(process.pid);
            // A group led by a marked process was made by the run: everything in it goes,
            // marked or not. Never this process's own group.
            if crate::sys::process_group_of(process.pid) == Some(process.pid)
                && process.pid != own_group
            {
                crate::sys::kill_process_group(process.pid);
            }
            handle.kill();
            if !killed.iter().any(|k| k.pid == process.pid) {
                killed.push(Killed {
                    pid: process.pid,
                    started,
                });
            }
        }
    }
    let not_gone = reap(&killed, noted, &ThisMachine, std::process::id(), EXIT_WAIT);
    Stop {
        killed: killed.iter().map(|k| k.pid).collect(),
        not_gone,
    }
}

/// A process a stop killed: its pid, and its start time (clock ticks after boot), which tells
/// it from a later process given the same pid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Killed {
    pid: u32,
    started: Option<u64>,
}

/// What the wait after a kill reads of the machine's processes (a fake one in tests).
trait ProcessTable {
    /// Process `pid`'s stat line; `None` if there is no such process.
    fn stat(&self, pid: u32) -> Option<Stat>;
    /// Reaps `pid` if it is an exited child of this process: `true` once nothing is left to
    /// wait for ([`crate::sys::reap_if_exited`]).
    fn reap_if_exited(&self, pid: u32) -> bool;
}

/// `/proc` and `waitpid`.
struct ThisMachine;

impl ProcessTable for ThisMachine {
    fn stat(&self, pid: u32) -> Option<Stat> {
        Stat::of_process(pid)
    }

    fn reap_if_exited(&self, pid: u32) -> bool {
        crate::sys::reap_if_exited(pid)
    }
}

/// Waits (up to `wait` in all) for each of `killed` to be gone, reaping it where it is, or is
/// about to be, a child of `me` (a subreaper adopts the orphans of its descendants), and for
/// each of `noted` that is a child of `me` to exit, reaping it. One whose parent is among
/// `killed` too is waited for: killed together, the parent may exit after it, and only then is
/// it handed to this process (a look at its parent before that would leave it a zombie here).
/// One whose parent is another process (`init`, another subreaper) is waited for until that
/// parent has reaped it. Returns those of `killed` still there when the wait ended, as their
/// last look showed them: nothing is left behind without being said.
fn reap(
    killed: &[Killed],
    noted: &[u32],
    table: &impl ProcessTable,
    me: u32,
    wait: Duration,
) -> Vec<NotGone> {
    let killed_pids: Vec<u32> = killed.iter().map(|k| k.pid).collect();
    let mut pending: Vec<(Killed, Option<Stat>)> = killed.iter().map(|&k| (k, None)).collect();
    let mut pending_noted: Vec<u32> = noted
        .iter()
        .copied()
        .filter(|pid| !killed_pids.contains(pid))
        .collect();
    let deadline = Instant::now() + wait;
    loop {
        pending.retain_mut(|(process, last)| {
            let Some(stat) = table.stat(process.pid) else {
                return false;
            };
            // Its pid given to a new process: the one killed is gone.
            if process.started.is_some() && stat.start_ticks() != process.started {
                return false;
            }
            let parent = stat.parent();
            *last = Some(stat);
            !(parent == Some(me) && table.reap_if_exited(process.pid))
        });
        pending_noted.retain(|&pid| match table.stat(pid).and_then(|s| s.parent()) {
            Some(parent) if parent == me => !table.reap_if_exited(pid),
            Some(parent) => killed_pids.contains(&parent),
            None => false,
        });
        if (pending.is_empty() && pending_noted.is_empty()) || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    pending
        .into_iter()
        .map(|(process, last)| NotGone {
            pid: process.pid,
            state: last
                .as_ref()
                .and_then(|s| s.field(procfs::field::STATE))
                .and_then(|s| s.chars().next()),
            parent: last.as_ref().and_then(Stat::parent),
        })
        .collect()
}

/// At the start of corelab: stops the processes left by a corelab that was killed before it
/// could stop them (marks whose owner is surely gone: of this boot, pid namespace and host).
/// [`leftovers_note`] says what it did.
pub fn stop_leftovers_of_killed_runs() -> Stop {
    let here = Place::here();
    // A marked process runs now, on this machine: its owner's record is of this boot, and one
    // naming another boot cannot be judged (no time of writing is known for a mark).
    let leftover = |mark: &str| {
        owner_of(mark).is_some_and(|owner| owner_is_gone(&owner, here, None, PidNow::of))
    };
    stop_where(&[], leftover)
}

/// At the end of corelab: stops every process still carrying a mark this process owns (a run
/// whose thread was still going when the program ended). [`not_gone_at_end_line`] says what
/// it could not stop.
pub fn stop_everything_this_corelab_started() -> Stop {
    let prefix = owner_prefix();
    stop_where(&[], |mark| mark.starts_with(&prefix))
}

/// What corelab says as it ends when some of the processes it started and killed were still
/// there after the wait: `None` when every one is gone.
pub fn not_gone_at_end_line(stop: &Stop) -> Option<String> {
    still_there(stop, "1 process", "this corelab started", "", "")
}

/// This corelab as the owner of something it leaves on disk while it runs (a scratch
/// directory's owner file, [`crate::engine::scratch`]): its pid, start time, boot id, pid
/// namespace and host, in a mark's form, so that [`named_owner_is_gone`] judges it as it judges
/// a mark's owner.
pub fn owner_text() -> String {
    format!("{}scratch", owner_prefix())
}

/// Whether the owner an [`owner_text`] names is surely gone, judged as a mark's owner is
/// (never where it cannot tell: another container, another host, an older record), the text
/// last written at `last_written` (which tells this machine's earlier boot from another
/// machine of the same name). `false` for text that names no owner.
pub fn named_owner_is_gone(text: &str, last_written: Option<std::time::SystemTime>) -> bool {
    owner_of(text)
        .is_some_and(|owner| owner_is_gone(&owner, Place::here(), last_written, PidNow::of))
}

/// What corelab says when its start's `stop` of the leftovers of corelab runs that were killed
/// ([`stop_leftovers_of_killed_runs`]) is done and it removed `scratch_dirs` of their scratch
/// directories: [`leftovers_line`] of the processes gone, then those still there after the
/// wait, by pid and state; `None` for nothing.
pub fn leftovers_note(stop: &Stop, scratch_dirs: usize) -> Option<String> {
    let line = leftovers_line(stop.stopped().len(), scratch_dirs);
    let Some(words) = not_gone_words(&stop.not_gone) else {
        return line;
    };
    let wait = exit_wait_words();
    let n = stop.not_gone.len();
    let were = if n == 1 { "was" } else { "were" };
    Some(match line {
        Some(line) => format!("{line}; {n} more {were} still there {wait} after SIGKILL: {words}"),
        None => {
            let processes = match n {
                1 => "1 process".to_string(),
                n => format!("{n} processes"),
            };
            format!(
                "{processes} left by a corelab run that was killed {were} still there {wait} \
                 after SIGKILL: {words}"
            )
        }
    })
}

/// What corelab says when its start stopped `processes` leftovers and removed `scratch_dirs`
/// scratch directories of corelab runs that were killed: one line, `None` for neither.
pub fn leftovers_line(processes: usize, scratch_dirs: usize) -> Option<String> {
    let mut done = Vec::new();
    if processes > 0 {
        done.push(match processes {
            1 => "stopped 1 process".to_string(),
            n => format!("stopped {n} processes"),
        });
    }
    if scratch_dirs > 0 {
        done.push(match scratch_dirs {
            1 => "removed 1 scratch directory".to_string(),
            n => format!("removed {n} scratch directories"),
        });
    }
    (!done.is_empty()).then(|| {
        format!(
            "{} left by a corelab run that was killed",
            done.join(" and ")
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_names_its_owner_and_is_new_every_time() {
        let (a, b) = (RunMark::new(), RunMark::new());
        assert_ne!(a, b);
        let owner = owner_of(a.value()).expect("a mark parses");
        assert_eq!(owner, ProcessIdentity::this());
        assert!(owner.started_ticks.is_some());
        assert_eq!(owner.pid_namespace, Place::here().pid_namespace);
        assert_eq!(owner.boot_id, Place::here().boot_id);
        assert_eq!(owner.host, Place::here().host);
        // 128 random bits, in hex.
        let random = a.value().rsplit(':').next().expect("random part");
        assert_eq!(random.len(), 32, "{}", a.value());
        assert!(random.chars().all(|c| c.is_ascii_hexdigit()));
        for bad in [
            "",
            "1:2:3",
            "1:2:3:",
            "x:2:3:ab",
            "1:x:3:ab",
            "1:2:3:ab:cd",
            "1:2:3:b:h:",
            "1:2:3:b:h:ab:cd",
        ] {
            assert_eq!(owner_of(bad), None, "{bad:?}");
        }
        // An owner whose start time was unknown to it.
        assert_eq!(
            owner_of("40::7:b00t:lab-1:ab"),
            Some(ProcessIdentity {
                pid: 40,
                started_ticks: None,
                boot_id: Some("b00t".into()),
                pid_namespace: Some(7),
                host: Some("lab-1".into()),
            })
        );
        // An older corelab's mark: where it ran is unknown.
        assert_eq!(
            owner_of("40:1000:7:ab"),
            Some(ProcessIdentity {
                pid: 40,
                started_ticks: Some(1000),
                pid_namespace: Some(7),
                ..ProcessIdentity::default()
            })
        );
    }

    #[test]
    fn an_owner_is_gone_only_when_surely_gone_here() {
        let here = Place {
            boot_id: Some("b00t".into()),
            pid_namespace: Some(7),
            host: Some("lab-1".into()),
            booted_at: Some(std::time::SystemTime::now()),
        };
        let owner = owner_of("40:1000:7:b00t:lab-1:ab").expect("parses");
        let now = |ticks| {
            move |pid: u32| match pid {
                40 => PidNow::StartedAt(ticks),
                _ => PidNow::Free,
            }
        };
        let free = |_: u32| PidNow::Free;
        let unreadable = |_: u32| PidNow::Unreadable;
        assert!(!owner_is_gone(&owner, &here, None, now(1000)));
        assert!(owner_is_gone(&owner, &here, None, now(2000)));
        assert!(owner_is_gone(&owner, &here, None, free));
        // Another pid namespace's, another host's or an older corelab's owner is not judged
        // from here, whatever its pid says here.
        for elsewhere in [
            "40:1000:8:b00t:lab-1:ab",
            "40:1000:7:b00t:lab-2:ab",
            "40:1000:7:ab",
        ] {
            let owner = owner_of(elsewhere).expect("parses");
            assert!(!owner_is_gone(&owner, &here, None, free), "{elsewhere}");
        }
        // A mark of another boot of this host: a mark has no time of writing, so it cannot
        // be told from another machine of that name.
        let earlier = owner_of("40:1000:7:0ther:lab-1:ab").expect("parses");
        assert!(!owner_is_gone(&earlier, &here, None, free));
        // A live pid whose start cannot be read, or an owner that did not know its own start:
        // taken to be the owner, alive.
        assert!(!owner_is_gone(&owner, &here, None, unreadable));
        let unknown = ProcessIdentity {
            started_ticks: None,
            ..owner.clone()
        };
        assert!(!owner_is_gone(&unknown, &here, None, now(2000)));
        assert!(owner_is_gone(&unknown, &here, None, free));
    }

    #[test]
    fn a_walk_below_this_process_sees_its_children_and_the_one_carrying_the_mark() {
        let marked = MarkedRun::new();
        let mut plain = Command::new("sleep").arg("30").spawn().expect("sleep");
        let mut command = Command::new("sleep");
        command.arg("30");
        marked.put_on(&mut command);
        let mut carrying = command.spawn().expect("sleep");
        // `spawn` returns once the exec has replaced the child's memory, a moment before its
        // environment is in place: until then it reads empty.
        let deadline = Instant::now() + Duration::from_secs(20);
        while mark_of(carrying.id()).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        // Other tests' processes come and go below this one: a walk that cannot tell is made
        // again.
        let walk = |mark: &str| {
            let mut below = walk_below_this_process(mark);
            for _ in 0..200 {
                if below != Below::CannotTell {
                    break;
                }
                std::thread::sleep(Duration::from_millis(10));
                below = walk_below_this_process(mark);
            }
            below
        };
        let with_mark = walk(marked.mark.value());
        let without = walk(RunMark::new().value());
        for child in [&mut plain, &mut carrying] {
            let _ = child.kill();
            let _ = child.wait();
        }
        assert_eq!(with_mark, Below::Carrying);
        let Below::Saw(tree) = without else {
            panic!("{without:?}");
        };
        assert!(tree.contains(&(plain.id(), false)), "{tree:?}");
        assert!(tree.contains(&(carrying.id(), false)), "{tree:?}");
    }

    #[test]
    fn the_leftovers_line_counts_processes_and_scratch_directories() {
        assert_eq!(leftovers_line(0, 0), None);
        assert_eq!(
            leftovers_line(1, 0).as_deref(),
            Some("stopped 1 process left by a corelab run that was killed")
        );
        assert_eq!(
            leftovers_line(3, 0).as_deref(),
            Some("stopped 3 processes left by a corelab run that was killed")
        );
        assert_eq!(
            leftovers_line(0, 1).as_deref(),
            Some("removed 1 scratch directory left by a corelab run that was killed")
        );
        assert_eq!(
            leftovers_line(2, 7).as_deref(),
            Some(
                "stopped 2 processes and removed 7 scratch directories left by a corelab run that was killed"
            )
        );
    }

    /// A process table in memory: each pid's stat line (state and parent, start time 500),
    /// which `reap_if_exited` removes where the process is an exited child of `ME`.
    struct FakeTable {
        lines: std::cell::RefCell<std::collections::HashMap<u32, String>>,
        reaped: std::cell::RefCell<Vec<u32>>,
    }

    const ME: u32 = 10;

    impl FakeTable {
        fn new(processes: &[(u32, char, u32)]) -> FakeTable {
            let table = FakeTable {
                lines: Default::default(),
                reaped: Default::default(),
            };
            for &(pid, state, parent) in processes {
                table.set(pid, state, parent, 500);
            }
            table
        }

        fn set(&self, pid: u32, state: char, parent: u32, started: u64) {
            // Fields 3 (state), 4 (parent), … 22 (start time).
            let mut fields = vec!["0".to_string(); 20];
            fields[0] = state.to_string();
            fields[1] = parent.to_string();
            fields[19] = started.to_string();
            let line = format!("{pid} (sleep) {}", fields.join(" "));
            self.lines.borrow_mut().insert(pid, line);
        }
    }

    impl ProcessTable for FakeTable {
        fn stat(&self, pid: u32) -> Option<Stat> {
            Stat::parse(self.lines.borrow().get(&pid)?.clone())
        }

        fn reap_if_exited(&self, pid: u32) -> bool {
            let Some(stat) = self.stat(pid) else {
                return true;
            };
            if stat.parent() != Some(ME) {
                return true;
            }
            if stat.is_zombie() {
                self.lines.borrow_mut().remove(&pid);
                self.reaped.borrow_mut().push(pid);
                return true;
            }
            false
        }
    }

    fn killed(pids: &[u32]) -> Vec<Killed> {
        pids.iter()
            .map(|&pid| Killed {
                pid,
                started: Some(500),
            })
            .collect()
    }

    #[test]
    fn the_wait_after_a_kill_says_which_processes_are_still_there() {
        let table = FakeTable::new(&[
            // An exited child of this process: reaped, gone.
            (21, 'Z', ME),
            // Still running after SIGKILL (uninterruptible sleep), a child of this process.
            (22, 'D', ME),
            // Exited, but its parent (alive, not this process) has not reaped it.
            (23, 'Z', 7),
            // Still running, another process's child.
            (24, 'D', 7),
            // Its pid now names a process started later: the one killed is gone.
            (25, 'S', 7),
            // Exited, waiting for its killed parent (26) to hand it on.
            (27, 'Z', 26),
            (26, 'D', ME),
        ]);
        table.set(25, 'S', 7, 900);
        let not_gone = reap(
            &killed(&[21, 22, 23, 24, 25, 26, 27, 28]),
            &[],
            &table,
            ME,
            Duration::ZERO,
        );
        assert_eq!(*table.reaped.borrow(), vec![21]);
        let said: Vec<(u32, Option<char>, Option<u32>)> = not_gone
            .iter()
            .map(|n| (n.pid, n.state, n.parent))
            .collect();
        assert_eq!(
            said,
            vec![
                (22, Some('D'), Some(ME)),
                (23, Some('Z'), Some(7)),
                (24, Some('D'), Some(7)),
                (26, Some('D'), Some(ME)),
                (27, Some('Z'), Some(26)),
            ]
        );
        let stop = Stop {
            killed: vec![21, 22, 23, 24, 25, 26, 27, 28],
            not_gone,
        };
        assert_eq!(stop.stopped(), vec![21, 25, 28]);
        assert_eq!(
            not_gone_words(&stop.not_gone[..2]).as_deref(),
            Some(
                "pid 22 (D: uninterruptible sleep), pid 23 (Z: exited, its parent 7 has not \
                 reaped it)"
            )
        );
    }

    #[test]
    fn a_noted_process_is_reaped_where_it_is_a_child_and_never_said() {
        let table = FakeTable::new(&[(31, 'Z', ME), (32, 'S', 7), (33, 'D', ME)]);
        let not_gone = reap(&[], &[31, 32, 33], &table, ME, Duration::ZERO);
        assert_eq!(not_gone, Vec::new());
        assert_eq!(*table.reaped.borrow(), vec![31]);
    }

    #[test]
    fn the_wait_ends_when_everything_is_gone_or_its_time_is_up() {
        // Nothing left to wait for: one look, whatever the wait allows.
        let table = FakeTable::new(&[(41, 'Z', ME)]);
        let not_gone = reap(&killed(&[41]), &[], &table, ME, Duration::from_secs(3600));
        assert_eq!(not_gone, Vec::new());
        // One that never goes: the wait ends at its limit, and says it.
        let table = FakeTable::new(&[(42, 'D', ME)]);
        let not_gone = reap(&killed(&[42]), &[], &table, ME, Duration::from_millis(20));
        assert_eq!(
            not_gone,
            vec![NotGone {
                pid: 42,
                state: Some('D'),
                parent: Some(ME)
            }]
        );
    }

    #[test]
    fn a_killed_grandchild_its_live_parent_does_not_reap_is_said_not_gone() {
        use std::io::BufRead;
        let mark = RunMark::new();
        // `sh` starts a marked `sleep` in the background and becomes a `sleep` itself, which
        // never reaps it: killed, the grandchild stays a zombie of a live parent that is not
        // this process.
        let mut parent = Command::new("sh")
            .args([
                "-c",
                "env \"$0=$1\" sleep 1000 </dev/null >/dev/null 2>&1 & echo $!; exec sleep 1000",
                VARIABLE,
                mark.value(),
            ])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sh");
        let mut line = String::new();
        std::io::BufReader::new(parent.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the grandchild's pid");
        let grandchild: u32 = line.trim().parse().expect("a pid");
        let deadline = Instant::now() + Duration::from_secs(20);
        while mark_of(grandchild).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(5));
        }
        let stop = stop_where(&[], |m| m == mark.value());
        let _ = parent.kill();
        let _ = parent.wait();
        // Reaped by init, or by this process where it is a subreaper.
        let deadline = Instant::now() + Duration::from_secs(20);
        while Stat::of_process(grandchild).is_some() && Instant::now() < deadline {
            crate::sys::reap_if_exited(grandchild);
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(stop.killed, vec![grandchild]);
        assert_eq!(
            stop.not_gone,
            vec![NotGone {
                pid: grandchild,
                state: Some('Z'),
                parent: Some(parent.id()),
            }]
        );
        assert_eq!(stop.stopped(), Vec::<u32>::new());
    }

    #[test]
    fn the_lines_say_the_processes_still_there_apart_from_those_stopped() {
        let zombie = NotGone {
            pid: 77,
            state: Some('Z'),
            parent: Some(17),
        };
        let asleep = NotGone {
            pid: 4242,
            state: Some('D'),
            parent: Some(1),
        };
        let stop = |killed: Vec<u32>, not_gone: Vec<NotGone>| Stop { killed, not_gone };
        assert_eq!(leftovers_note(&stop(vec![], vec![]), 0), None);
        assert_eq!(
            leftovers_note(&stop(vec![1, 2], vec![]), 0),
            leftovers_line(2, 0)
        );
        assert_eq!(
            leftovers_note(&stop(vec![5, 4242, 6], vec![asleep.clone()]), 3).as_deref(),
            Some(
                "stopped 2 processes and removed 3 scratch directories left by a corelab run \
                 that was killed; 1 more was still there 2 s after SIGKILL: pid 4242 (D: \
                 uninterruptible sleep)"
            )
        );
        assert_eq!(
            leftovers_note(
                &stop(vec![4242, 77], vec![asleep.clone(), zombie.clone()]),
                0
            )
            .as_deref(),
            Some(
                "2 processes left by a corelab run that was killed were still there 2 s after \
                 SIGKILL: pid 4242 (D: uninterruptible sleep), pid 77 (Z: exited, its parent \
                 17 has not reaped it)"
            )
        );
        assert_eq!(not_gone_at_end_line(&stop(vec![1], vec![])), None);
        assert_eq!(
            not_gone_at_end_line(&stop(vec![77], vec![zombie.clone()])).as_deref(),
            Some(
                "1 process this corelab started was still there 2 s after SIGKILL: pid 77 (Z: \
                 exited, its parent 17 has not reaped it)"
            )
        );
        assert_eq!(not_gone_after_run_words(&stop(vec![1], vec![])), None);
        assert_eq!(
            not_gone_after_run_words(&stop(vec![5, 4242], vec![asleep.clone()])).as_deref(),
            Some(
                "a process a run left was still there 2 s after SIGKILL: pid 4242 (D: \
                 uninterruptible sleep)"
            )
        );
        assert_eq!(
            not_gone_after_run_words(&stop(vec![4242, 77], vec![asleep, zombie])).as_deref(),
            Some(
                "2 processes a run left were still there 2 s after SIGKILL: pid 4242 (D: \
                 uninterruptible sleep), pid 77 (Z: exited, its parent 17 has not reaped it)"
            )
        );
        let many: Vec<NotGone> = (1..=7)
            .map(|pid| NotGone {
                pid,
                state: None,
                parent: None,
            })
            .collect();
        assert_eq!(
            not_gone_words(&many).as_deref(),
            Some(
                "pid 1 (state unknown), pid 2 (state unknown), pid 3 (state unknown), pid 4 \
                 (state unknown), pid 5 (state unknown), and 2 more"
            )
        );
    }

    #[test]
    fn this_corelab_as_an_owner_is_not_gone_and_a_dead_one_is() {
        let me = owner_text();
        assert!(!named_owner_is_gone(&me, None));
        assert!(!named_owner_is_gone("not an owner", None));
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        let dead = ProcessIdentity::here(pid, procfs::start_ticks_of(pid));
        child.wait().unwrap();
        let text = |owner: &ProcessIdentity| format!("{}:scratch", owner.to_text());
        assert!(named_owner_is_gone(&text(&dead), None), "{}", text(&dead));
        // Another pid namespace's or host's owner is not ours to judge.
        let container = ProcessIdentity {
            pid_namespace: dead.pid_namespace.map(|n| n + 1),
            ..dead.clone()
        };
        let host = ProcessIdentity {
            host: Some("another-host".into()),
            boot_id: Some("another-hosts-boot".into()),
            ..dead.clone()
        };
        for elsewhere in [container, host] {
            assert!(
                !named_owner_is_gone(&text(&elsewhere), None),
                "{elsewhere:?}"
            );
        }
        // This host before it restarted: gone, if written before this boot began.
        let earlier_boot = ProcessIdentity {
            boot_id: Some("an-earlier-boot".into()),
            ..dead.clone()
        };
        let long_ago = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1);
        assert!(named_owner_is_gone(&text(&earlier_boot), Some(long_ago)));
        let just_now = std::time::SystemTime::now();
        assert!(!named_owner_is_gone(&text(&earlier_boot), Some(just_now)));
    }
}
