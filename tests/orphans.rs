#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! No child process outlives its run: a descendant that starts a new session (out of reach of
//! the process-group kill) is stopped when its run ends, and what a killed corelab left running
//! is stopped by the next corelab's start, while another live run's processes are left alone.
//! No timing is asserted: waits for a process to exit are generous limits, never measurements.
//!
//! This test process is made a child subreaper (as the corelab binary is), so the orphans
//! below are re-parented to it and must be reaped by corelab's stop: a pid is checked to be
//! gone from `/proc` altogether, not a zombie.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use corelab::engine::run_mark::{self, RunMark, VARIABLE};
use corelab::preset::{CommandParams, ModelKind, TaskKind};

/// A generous limit for a killed process to be gone (it dies at once; a loaded machine may
/// take a while to schedule the reaper).
const GONE_WITHIN: Duration = Duration::from_secs(20);

fn adopt_orphans() {
    corelab::sys::become_child_subreaper().unwrap();
    assert!(corelab::sys::is_child_subreaper());
}

/// Whether `pid` is gone from `/proc` (exited and reaped) within [`GONE_WITHIN`].
fn reaped_within_limit(pid: u32) -> bool {
    let deadline = Instant::now() + GONE_WITHIN;
    while Path::new(&format!("/proc/{pid}")).exists() {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Whether `pid`, an orphan this test process adopted ([`adopt_orphans`]), has exited within
/// [`GONE_WITHIN`]: this process reaps it once it has exited (`WNOHANG`, its child only) and
/// sees it gone from `/proc`. For a killed corelab's orphan, which may be stopped by any corelab
/// start of this user on the machine (another checkout's test run scans `/proc` too) before
/// the call under test: that one does not wait for a process it did not parent, and a zombie
/// nobody reaps keeps its `/proc` entry for good ("1762 left running", seen once under load).
fn adopted_orphan_exited_within_limit(pid: u32) -> bool {
    let deadline = Instant::now() + GONE_WITHIN;
    while Path::new(&format!("/proc/{pid}")).exists() {
        corelab::sys::reap_if_exited(pid);
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    true
}

/// The pids written into the files of `dir` (one a file; `.tmp` files are still being written).
fn pids_in_dir(dir: &Path) -> Vec<u32> {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".tmp"))
        .filter_map(|e| std::fs::read_to_string(e.path()).ok()?.trim().parse().ok())
        .collect()
}

/// The pids a command wrote, one a line, into `file`.
fn pids_in(file: &Path) -> Vec<u32> {
    std::fs::read_to_string(file)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// `sh -c` that starts, in a new session, a `sleep 1000` whose pid it writes to a file of its
/// own in `dir`, and returns once it is written: a daemon that the group kill cannot reach.
fn double_forking_setsid_sleep(dir: &Path) -> Vec<String> {
    let script = format!(
        "f={}/$$; setsid sh -c 'echo $$ > \"$0.tmp\"; mv \"$0.tmp\" \"$0\"; exec sleep 1000' \"$f\" \
         </dev/null >/dev/null 2>&1 & while [ ! -e \"$f\" ]; do sleep 0.01; done",
        dir.display()
    );
    vec!["sh".into(), "-c".into(), script]
}

#[test]
fn a_command_s_setsid_daemon_is_stopped_when_its_run_ends() {
    let _g = exclusive();
    adopt_orphans();
    let dir = tempfile::tempdir().unwrap();
    let mut exp = tiny_experiment(
        TaskKind::Command,
        &[ModelKind::Threads, ModelKind::Rayon],
        &[2],
    );
    exp.task.command = CommandParams {
        argv: double_forking_setsid_sleep(dir.path()),
    };
    exp.task.tasks = 2;
    exp.repetitions = 1;
    let r = sweep(&exp);
    assert_all_ok(&r);
    let started = pids_in_dir(dir.path());
    // Two daemons a run, in each cell.
    let runs: usize = r
        .cells
        .iter()
        .map(|c| c.samples.len() + c.warmups.len())
        .sum();
    assert!(runs >= 2, "{runs}");
    assert!(started.len() >= 2 * runs, "{started:?} from {runs} runs");
    for pid in started {
        assert!(
            reaped_within_limit(pid),
            "the setsid sleep {pid} outlived its run: {:?}",
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
        );
    }
}

/// Starts `sleep 1000` marked with `mark`, as an orphan (its shell exits at once): re-parented
/// to this process, the subreaper, which a stop must then reap. Returns its pid.
fn marked_orphan_sleep(mark: &str) -> u32 {
    orphan_sleep(|command| {
        command.env(VARIABLE, mark);
    })
}

/// [`marked_orphan_sleep`], its shell's command marked by `mark`.
fn orphan_sleep(mark: impl FnOnce(&mut Command)) -> u32 {
    let mut command = Command::new("sh");
    command
        .args(["-c", "sleep 1000 </dev/null >/dev/null 2>&1 & echo $!"])
        .stdin(Stdio::null());
    mark(&mut command);
    let out = command.output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).trim().parse().unwrap()
}

/// How many leftovers a start-up stop is tried on before a test gives up on it being the one
/// that stops them ([`start_up_stop_taking`]).
const TRIES: usize = 5;

/// Plants a leftover of a killed corelab (`plant` returns its pid, and what else the test
/// needs of it, once its owner is gone), runs the start-up stop, and returns what the stop did
/// once it is this stop that killed the leftover and reaped it.
///
/// Every corelab start of this user on the machine (another checkout's test run, a workbench)
/// stops every killed corelab's leftovers too, and may get to the planted one first: then the
/// leftover is checked gone (this process, its adopting subreaper, reaps it) and a new one is
/// planted, up to [`TRIES`] times. So the test still fails unless this process's start-up
/// stop itself stopped one of them, and it fails whenever a leftover is left running.
fn start_up_stop_taking<T>(mut plant: impl FnMut() -> (u32, T)) -> (run_mark::Stop, u32, T) {
    let mut taken_by_another = Vec::new();
    for _ in 0..TRIES {
        let (leftover, kept) = plant();
        let _stopped = KilledOnDrop::of(leftover);
        let stop = run_mark::stop_leftovers_of_killed_runs();
        assert!(
            adopted_orphan_exited_within_limit(leftover),
            "{leftover} left running: {:?}",
            std::fs::read_to_string(format!("/proc/{leftover}/stat"))
        );
        if stop.killed.contains(&leftover) {
            assert!(stop.stopped().contains(&leftover), "{stop:?}");
            return (stop, leftover, kept);
        }
        taken_by_another.push(leftover);
    }
    panic!(
        "{TRIES} leftovers planted, none stopped by this start-up stop: another corelab must \
         have stopped {taken_by_another:?} first"
    );
}

/// A mark owned by `owner`, a process of this test's, as corelab would write it were it
/// `owner` (its pid and start time; this pid namespace, boot and host).
fn mark_owned_by(owner: u32) -> String {
    let mut fields: Vec<String> = RunMark::new()
        .value()
        .split(':')
        .map(str::to_owned)
        .collect();
    fields[0] = owner.to_string();
    fields[1] = corelab::sys::procfs::start_ticks_of(owner)
        .expect("the owner's start time")
        .to_string();
    fields.join(":")
}

#[test]
fn the_start_up_stop_takes_a_dead_owner_s_processes_and_leaves_a_live_owner_s() {
    let _g = exclusive();
    adopt_orphans();
    // A live run of this process: its process is running before and after.
    let live = RunMark::new();
    let running = marked_orphan_sleep(live.value());
    let _running_stopped = KilledOnDrop::of(running);
    // A leftover whose owner (a stand-in corelab) is killed just before the stop: until then
    // no corelab takes its processes for a killed one's.
    let (stop, leftover, ()) = start_up_stop_taking(|| {
        let mut owner = Command::new("sleep").arg("1000").spawn().unwrap();
        let leftover = marked_orphan_sleep(&mark_owned_by(owner.id()));
        assert!(is_alive(leftover), "a live owner's process");
        owner.kill().unwrap();
        owner.wait().unwrap();
        (leftover, ())
    });
    assert!(
        reaped_within_limit(leftover),
        "a dead owner's process was left running"
    );
    assert!(!stop.killed.contains(&running), "{stop:?}");
    assert!(is_alive(running), "a live run's process was stopped");
    // Its own run's stop takes it.
    assert_eq!(live.stop_marked(), vec![running]);
    assert!(reaped_within_limit(running));
}

#[test]
fn a_leftover_another_corelab_stopped_first_is_planted_again() {
    let _g = exclusive();
    adopt_orphans();
    let mut planted = Vec::new();
    let (stop, leftover, ()) = start_up_stop_taking(|| {
        let mut owner = Command::new("sleep").arg("1000").spawn().unwrap();
        let leftover = marked_orphan_sleep(&mark_owned_by(owner.id()));
        owner.kill().unwrap();
        owner.wait().unwrap();
        if planted.is_empty() {
            // Another corelab's start-up stop gets there first: it kills the leftover and,
            // not its parent, leaves it a zombie of this process.
            corelab::sys::ProcessHandle::open(leftover).unwrap().kill();
            assert!(dies_within(leftover, GONE_WITHIN));
        }
        planted.push(leftover);
        (leftover, ())
    });
    assert_eq!(planted.len(), 2, "{planted:?}");
    assert_eq!(leftover, planted[1]);
    assert!(!stop.killed.contains(&planted[0]), "{stop:?}");
    assert!(stop.stopped().contains(&planted[1]), "{stop:?}");
    for pid in planted {
        assert!(reaped_within_limit(pid), "{pid}");
    }
}

#[test]
fn the_start_up_stop_leaves_the_processes_of_an_owner_it_cannot_judge() {
    let _g = exclusive();
    adopt_orphans();
    // This process's pid with another start time, as above, but recorded in another pid
    // namespace, on another host, or by an older corelab that did not record where it ran:
    // there the pid means nothing here, and the owner may well be alive.
    let live = RunMark::new();
    let f: Vec<&str> = live.value().split(':').collect();
    assert_eq!(
        f.len(),
        6,
        "<pid>:<start>:<namespace>:<boot>:<host>:<random>"
    );
    let start: u64 = f[1].parse().unwrap();
    let namespace: u64 = f[2].parse().unwrap();
    let (pid, boot, host, random) = (f[0], f[3], f[4], f[5]);
    let marks = [
        format!(
            "{pid}:{}:{}:{boot}:{host}:{random}",
            start + 1,
            namespace + 1
        ),
        format!(
            "{pid}:{}:{namespace}:its-boot:another-host:{random}",
            start + 1
        ),
        format!("{pid}:{}:{namespace}:{random}", start + 1),
    ];
    let kept: Vec<u32> = marks.iter().map(|m| marked_orphan_sleep(m)).collect();
    run_mark::stop_leftovers_of_killed_runs();
    let alive: Vec<bool> = kept.iter().map(|&p| is_alive(p)).collect();
    for &p in &kept {
        if let Ok(handle) = corelab::sys::ProcessHandle::open(p) {
            handle.kill();
        }
        let deadline = Instant::now() + GONE_WITHIN;
        while !corelab::sys::reap_if_exited(p) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    assert_eq!(alive, [true, true, true], "{marks:?}");
}

#[test]
fn a_run_s_stop_takes_its_own_mark_only() {
    let _g = exclusive();
    adopt_orphans();
    let (mine, other) = (RunMark::new(), RunMark::new());
    let a = marked_orphan_sleep(mine.value());
    let _a_stopped = KilledOnDrop::of(a);
    let b = marked_orphan_sleep(other.value());
    let _b_stopped = KilledOnDrop::of(b);
    assert_eq!(mine.stop_marked(), vec![a]);
    assert!(reaped_within_limit(a));
    assert!(is_alive(b), "another run's process");
    assert_eq!(other.stop_marked(), vec![b]);
    assert!(reaped_within_limit(b));
}

#[test]
fn the_stop_after_a_run_takes_what_the_run_left_below_corelab_and_nothing_else() {
    let _g = exclusive();
    adopt_orphans();
    let run = run_mark::MarkedRun::new();
    assert_eq!(
        run.stop_left_by_run().killed,
        Vec::<u32>::new(),
        "nothing left yet"
    );
    let other = RunMark::new();
    let others = marked_orphan_sleep(other.value());
    let _others_stopped = KilledOnDrop::of(others);
    let left = orphan_sleep(|command| run.put_on(command));
    let _left_stopped = KilledOnDrop::of(left);
    assert_eq!(run.stop_left_by_run().killed, vec![left]);
    assert!(reaped_within_limit(left));
    assert!(is_alive(others), "another run's process");
    assert_eq!(run.stop_left_by_run().killed, Vec::<u32>::new());
    assert_eq!(other.stop_marked(), vec![others]);
    assert!(reaped_within_limit(others));
}

/// A preset file of a command task whose commands start `sleep 1003` in the background, write
/// its pid to `pids` and wait (`sleep 1004`): a run that is still going when corelab is killed.
fn hanging_preset(dir: &Path, pids: &Path) -> std::path::PathBuf {
    let mut exp = tiny_experiment(TaskKind::Command, &[ModelKind::Threads], &[1]);
    exp.task.tasks = 1;
    exp.repetitions = 1;
    exp.timeout_s = 120.0;
    exp.task.command = CommandParams {
        argv: vec![
            "sh".into(),
            "-c".into(),
            format!("sleep 1003 & echo $! >> {}; sleep 1004", pids.display()),
        ],
    };
    let path = dir.join("hang.json");
    std::fs::write(&path, serde_json::to_string(&exp).unwrap()).unwrap();
    path
}

/// A process that is killed when this is dropped (through its pidfd: never another process
/// given its pid), if it still runs: a marked process a failed assertion left running would
/// lead the stderr of the next corelab started (by any test, in any test binary) with
/// "stopped 1 process left by a corelab run that was killed", once its owner is gone.
struct KilledOnDrop(corelab::sys::ProcessHandle);

impl KilledOnDrop {
    fn of(pid: u32) -> Option<KilledOnDrop> {
        corelab::sys::ProcessHandle::open(pid)
            .ok()
            .map(KilledOnDrop)
    }
}

impl Drop for KilledOnDrop {
    fn drop(&mut self) {
        self.0.kill();
    }
}

/// Runs `corelab run` of a [`hanging_preset`] with `tmp` as its temporary directory, kills it
/// once its command runs, and returns the pid of the background sleep its command started.
fn killed_corelab_s_leftover(tmp: &Path) -> u32 {
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    let preset = hanging_preset(dir.path(), &pids);
    let mut corelab = Command::new(corelab_exe())
        .args(["run", "-q"])
        .arg(&preset)
        .env("TMPDIR", tmp)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    let sleeper = loop {
        if let Some(&pid) = pids_in(&pids).first() {
            break pid;
        }
        assert!(Instant::now() < deadline, "the command never started");
        assert!(
            corelab.try_wait().unwrap().is_none(),
            "corelab ended before its command ran"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    corelab.kill().unwrap();
    corelab.wait().unwrap();
    // The background sleep was not in reach of the death signal (only the command was).
    assert!(is_alive(sleeper), "left running by the killed corelab");
    sleeper
}

#[test]
fn what_a_killed_corelab_left_running_is_stopped_at_the_next_start() {
    let _g = exclusive();
    adopt_orphans();
    let (_, _, tmp) = start_up_stop_taking(|| {
        let tmp = tempfile::tempdir().unwrap();
        (killed_corelab_s_leftover(tmp.path()), tmp)
    });
    // Its scratch directories too: the killed corelab could not remove them.
    let left = std::fs::read_dir(tmp.path()).unwrap().count();
    assert!(left >= 1, "the killed run's scratch directory is there");
    let removed = corelab::engine::scratch::remove_left_by_killed_runs_in(tmp.path()).removed;
    assert_eq!(removed, left);
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// A function that starts `sleep 1000` in a session of its own, writes its pid into a file of
/// its own in `PIDS_DIR` (the module's own constant) and returns.
const DAEMON_MODULE: &str = r#"
import os, subprocess

PIDS_DIR = __PIDS_DIR__

def start_daemon(n):
    p = subprocess.Popen(["sleep", "1000"], start_new_session=True,
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    with open(os.path.join(PIDS_DIR, str(p.pid)), "w") as f:
        f.write(str(p.pid))
    return n
"#;

#[test]
fn a_python_function_s_new_session_child_is_stopped_with_its_cell() {
    if !python_available("a_python_function_s_new_session_child_is_stopped_with_its_cell") {
        return;
    }
    let _g = exclusive();
    adopt_orphans();
    let dir = tempfile::tempdir().unwrap();
    let pids = dir.path().join("pids");
    std::fs::create_dir(&pids).unwrap();
    let source =
        DAEMON_MODULE.replace("__PIDS_DIR__", &format!("{:?}", pids.display().to_string()));
    std::fs::write(dir.path().join("daemons.py"), source).unwrap();
    let mut exp = tiny_experiment(
        TaskKind::Function,
        &[ModelKind::PyThreading, ModelKind::PyMultiprocessing],
        &[2],
    );
    exp.task.function = corelab::preset::FunctionParams {
        file: "daemons.py".into(),
        name: "start_daemon".into(),
        args: vec![],
        range: Some(2),
    };
    exp.task.function.anchor(dir.path());
    exp.baseline = corelab::preset::Baseline::SameModelOneWorker;
    exp.repetitions = 1;
    exp.python.start_method = corelab::preset::StartMethod::Fork;
    let r = sweep(&exp);
    assert_all_ok(&r);
    let started = pids_in_dir(&pids);
    assert!(started.len() >= 4, "{started:?}");
    for pid in started {
        assert!(
            reaped_within_limit(pid),
            "the daemon {pid} outlived its cell"
        );
    }
}
