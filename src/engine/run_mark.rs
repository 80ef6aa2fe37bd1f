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
    /// children. Returns the pids it stopped.
    pub fn stop_marked(&self) -> Vec<u32> {
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
    pub fn stop_left_by_run(&self) -> Vec<u32> {
        if crate::sys::is_child_subreaper() && nothing_carries_below_this_process(self.mark.value())
        {
            return Vec::new();
        }
        self.mark.stop_marked()
    }
}

impl Drop for MarkedRun {
    fn drop(&mut self) {
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

/// Waits (up to [`EXIT_WAIT`] in all) for each of `pids` that is, or is about to be, a child
/// of this process (a subreaper adopts the orphans of its descendants) to exit, and reaps it.
/// One whose parent is among `pids` too is waited for: killed together, the parent may exit
/// after it, and only then is it handed to this process (a look at its parent before that
/// would leave it a zombie here).
fn reap<'a>(pids: impl Iterator<Item = &'a u32>) {
    let me = std::process::id();
    let killed: Vec<u32> = pids.copied().collect();
    let mut pending = killed.clone();
    let deadline = Instant::now() + EXIT_WAIT;
    loop {
        pending.retain(|&pid| match procfs::parent_of(pid) {
            Some(parent) if parent == me => !crate::sys::reap_if_exited(pid),
            Some(parent) => killed.contains(&parent),
            None => false,
        });
        if pending.is_empty() || Instant::now() >= deadline {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// At the start of corelab: stops the processes left by a corelab that was killed before it
/// could stop them (marks whose owner is surely gone: of this boot, pid namespace and host).
/// Returns how many.
pub fn stop_leftovers_of_killed_runs() -> usize {
    let here = Place::here();
    // A marked process runs now, on this machine: its owner's record is of this boot, and one
    // naming another boot cannot be judged (no time of writing is known for a mark).
    let leftover = |mark: &str| {
        owner_of(mark).is_some_and(|owner| owner_is_gone(&owner, here, None, PidNow::of))
    };
    stop_where(&[], leftover).len()
}

/// At the end of corelab: stops every process still carrying a mark this process owns (a run
/// whose thread was still going when the program ended). Returns how many.
pub fn stop_everything_this_corelab_started() -> usize {
    let prefix = owner_prefix();
    stop_where(&[], |mark| mark.starts_with(&prefix)).len()
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
