//! Every system call corelab makes through `libc`, each behind a safe function. This is the
//! only module allowed to use `unsafe` (see `[lints]` in Cargo.toml); each block says why it
//! is sound.
#![allow(unsafe_code)]

pub mod dir_at;
pub mod process_identity;
pub mod procfs;
pub mod same_process;

use std::os::fd::AsRawFd;
use std::time::Duration;

/// Resource usage as `getrusage(2)` reports it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// User + system CPU time.
    pub cpu: Duration,
    /// Minor page faults (no I/O: first touch of a page, copy-on-write).
    pub minor_faults: u64,
    /// Major page faults (the page had to be read from disk).
    pub major_faults: u64,
    /// Voluntary context switches (the thread blocked).
    pub voluntary_switches: u64,
    /// Involuntary context switches (the thread was preempted).
    pub involuntary_switches: u64,
    /// Largest resident set size, bytes.
    pub max_rss_bytes: u64,
}

/// Whose usage [`usage`] reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Who {
    /// Every thread of this process.
    Process,
    /// Child processes that have exited and been waited for.
    ReapedChildren,
    /// The calling thread only.
    Thread,
}

/// `getrusage(2)`; all zeros if the call fails.
pub fn usage(who: Who) -> Usage {
    let selector = match who {
        Who::Process => libc::RUSAGE_SELF,
        Who::ReapedChildren => libc::RUSAGE_CHILDREN,
        Who::Thread => libc::RUSAGE_THREAD,
    };
    // SAFETY: getrusage writes into the zeroed struct we own; `selector` is a valid selector.
    let raw = unsafe {
        let mut raw: libc::rusage = std::mem::zeroed();
        if libc::getrusage(selector, &mut raw) != 0 {
            return Usage::default();
        }
        raw
    };
    usage_of(&raw)
}

fn usage_of(raw: &libc::rusage) -> Usage {
    let count = |v: libc::c_long| v.max(0) as u64;
    Usage {
        cpu: timeval(raw.ru_utime) + timeval(raw.ru_stime),
        minor_faults: count(raw.ru_minflt),
        major_faults: count(raw.ru_majflt),
        voluntary_switches: count(raw.ru_nvcsw),
        involuntary_switches: count(raw.ru_nivcsw),
        // Linux reports kilobytes.
        max_rss_bytes: count(raw.ru_maxrss) * 1024,
    }
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::new(
        tv.tv_sec.max(0) as u64,
        (tv.tv_usec.clamp(0, 999_999) as u32) * 1000,
    )
}

/// `wait4(pid, WNOHANG)`: reaps the child `pid` if it has exited, returning its exit status
/// and its own resource usage (CPU time, peak RSS): `Ok(None)` while it runs. Use it instead
/// of `Child::try_wait` where the child's own usage is wanted; the `Child` must then not be
/// waited for again.
pub fn try_reap(pid: u32) -> std::io::Result<Option<(std::process::ExitStatus, Usage)>> {
    use std::os::unix::process::ExitStatusExt;
    let pid = libc::pid_t::try_from(pid)
        .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
    let mut status: libc::c_int = 0;
    // SAFETY: wait4 writes the status and the rusage we own; `pid` names one child.
    let (reaped, raw) = unsafe {
        let mut raw: libc::rusage = std::mem::zeroed();
        let reaped = libc::wait4(pid, &mut status, libc::WNOHANG, &mut raw);
        (reaped, raw)
    };
    match reaped {
        0 => Ok(None),
        r if r < 0 => Err(std::io::Error::last_os_error()),
        _ => Ok(Some((
            std::process::ExitStatus::from_raw(status),
            usage_of(&raw),
        ))),
    }
}

/// Nanoseconds on `CLOCK_MONOTONIC`: system-wide on Linux, so stamps taken in different
/// processes compare directly (Python's `time.perf_counter_ns` reads the same clock).
pub fn monotonic_ns() -> u64 {
    // SAFETY: clock_gettime fills the timespec we own for a valid clock id.
    let ts = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        if libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) != 0 {
            return 0;
        }
        ts
    };
    (ts.tv_sec.max(0) as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(ts.tv_nsec.clamp(0, 999_999_999) as u64)
}

/// The calling thread's kernel id (as in `/proc/self/task/<tid>`).
pub fn gettid() -> u32 {
    // SAFETY: gettid takes no arguments and cannot fail.
    let tid = unsafe { libc::gettid() };
    u32::try_from(tid).unwrap_or(0)
}

/// CPU time used so far by the calling thread (`CLOCK_THREAD_CPUTIME_ID`).
pub fn thread_cpu_time() -> Duration {
    // SAFETY: clock_gettime fills the timespec we own for a valid clock id.
    let ts = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        if libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) != 0 {
            return Duration::ZERO;
        }
        ts
    };
    Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    )
}

/// The CPU-time clock of one thread of this process (`pthread_getcpuclockid(3)`) and its
/// kernel thread id, so that other threads can read what it has spent while it lives. Once the
/// thread has exited its id may be given to a new thread: whoever holds this must stop reading
/// it before the thread ends (see `engine::model::pool_threads`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThreadClock {
    clock: libc::clockid_t,
    tid: u32,
}

impl ThreadClock {
    /// The calling thread's clock; `None` if the C library cannot give it.
    pub fn of_this_thread() -> Option<ThreadClock> {
        let mut clock: libc::clockid_t = 0;
        // SAFETY: pthread_self cannot fail and names the calling thread, which is alive;
        // pthread_getcpuclockid only writes into the clock id we own, and its result is
        // checked. gettid takes no arguments and cannot fail.
        let (status, tid) = unsafe {
            (
                libc::pthread_getcpuclockid(libc::pthread_self(), &mut clock),
                libc::gettid(),
            )
        };
        let tid = u32::try_from(tid).ok()?;
        (status == 0).then_some(ThreadClock { clock, tid })
    }

    /// The thread's kernel id (as in `/proc/self/task/<tid>`).
    pub fn tid(&self) -> u32 {
        self.tid
    }

    /// CPU time the thread has used so far (nanosecond resolution); `None` if the clock cannot
    /// be read (the thread is gone).
    pub fn cpu_time(&self) -> Option<Duration> {
        // SAFETY: clock_gettime only writes into the timespec we own; a clock of a thread that
        // is gone makes it return an error, which we check.
        let ts = unsafe {
            let mut ts: libc::timespec = std::mem::zeroed();
            if libc::clock_gettime(self.clock, &mut ts) != 0 {
                return None;
            }
            ts
        };
        Some(Duration::new(
            ts.tv_sec.max(0) as u64,
            ts.tv_nsec.clamp(0, 999_999_999) as u32,
        ))
    }
}

/// CPU time used so far by every thread, live or exited, of process `pid` (its
/// `clock_getcpuclockid(3)` clock, nanosecond resolution); `None` if the process is gone or the
/// clock cannot be read.
pub fn process_cpu_time_of(pid: u32) -> Option<Duration> {
    let pid = libc::pid_t::try_from(pid).ok().filter(|&p| p > 0)?;
    // SAFETY: both calls only write into the clock id and timespec we own; an invalid or
    // vanished pid makes them return an error, which we check.
    let ts = unsafe {
        let mut clock: libc::clockid_t = 0;
        if libc::clock_getcpuclockid(pid, &mut clock) != 0 {
            return None;
        }
        let mut ts: libc::timespec = std::mem::zeroed();
        if libc::clock_gettime(clock, &mut ts) != 0 {
            return None;
        }
        ts
    };
    Some(Duration::new(
        ts.tv_sec.max(0) as u64,
        ts.tv_nsec.clamp(0, 999_999_999) as u32,
    ))
}

/// Whether this process runs as root (effective user id 0).
pub fn is_root() -> bool {
    // SAFETY: geteuid takes no arguments, cannot fail and touches no memory.
    unsafe { libc::geteuid() == 0 }
}

/// Sends `SIGKILL` to every process in group `pgid`. Does nothing for `pgid <= 1`, which would
/// address this process's own group or every process.
pub fn kill_process_group(pgid: u32) {
    let Ok(pgid) = libc::pid_t::try_from(pgid) else {
        return;
    };
    if pgid > 1 {
        // SAFETY: plain syscall; a negative pid addresses the process group.
        unsafe {
            libc::kill(-pgid, libc::SIGKILL);
        }
    }
}

/// Makes a child started from `command` lead its own process group (so its own children can be
/// killed with it) and, on Linux, be killed when the thread that started it dies. SIGXFSZ,
/// which corelab ignores (see [`ignore_file_size_signal`]), has its default action again in
/// the child, as the user's program would have outside corelab.
pub fn child_in_own_group_dies_with_parent(command: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs between fork and exec and only calls setpgid, prctl and
    // signal, which are async-signal-safe; it allocates nothing.
    unsafe {
        command.pre_exec(|| {
            libc::signal(libc::SIGXFSZ, libc::SIG_DFL);
            if libc::setpgid(0, 0) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            #[cfg(target_os = "linux")]
            {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// Makes this process the "child subreaper" of everything it starts (`PR_SET_CHILD_SUBREAPER`):
/// a descendant whose parent exits is re-parented to this process instead of to init, so that
/// corelab can reap it once it has stopped it (see `engine::run_mark`). Linux only; elsewhere
/// it does nothing.
pub fn become_child_subreaper() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: prctl with an integer option and an integer argument touches no memory.
        if unsafe { libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1 as libc::c_ulong) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Whether this process is a child subreaper (see [`become_child_subreaper`]).
pub fn is_child_subreaper() -> bool {
    #[cfg(target_os = "linux")]
    {
        let mut flag: libc::c_int = 0;
        // SAFETY: PR_GET_CHILD_SUBREAPER writes one int through the pointer, which points at
        // the int we own.
        let status = unsafe { libc::prctl(libc::PR_GET_CHILD_SUBREAPER, &mut flag) };
        status == 0 && flag != 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

/// Fills `buf` from the kernel's random number generator (`getrandom(2)`), unpredictable bytes
/// fit for a token no other program can guess.
pub fn fill_random(buf: &mut [u8]) -> std::io::Result<()> {
    let mut filled = 0;
    while filled < buf.len() {
        let rest = &mut buf[filled..];
        // SAFETY: getrandom writes at most `rest.len()` bytes into the slice we own.
        let got = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if got < 0 {
            let e = std::io::Error::last_os_error();
            if e.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        filled += got as usize;
    }
    Ok(())
}

/// One process, held so that a signal reaches it and no other: on Linux a pidfd
/// (`pidfd_open(2)`), which keeps naming the same process even if its pid is given to a new one
/// after it exits; where the kernel has none (before 5.3), only the pid.
pub struct ProcessHandle {
    pid: libc::pid_t,
    pidfd: Option<std::os::fd::OwnedFd>,
}

impl ProcessHandle {
    /// Holds process `pid`; fails when there is no such process (or `pid` is 0 or 1).
    pub fn open(pid: u32) -> std::io::Result<ProcessHandle> {
        let pid = libc::pid_t::try_from(pid)
            .ok()
            .filter(|&p| p > 1)
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::FromRawFd;
            // SAFETY: pidfd_open takes a pid and flags, touches no memory of ours, and returns
            // a new descriptor that we alone own (or -1).
            let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
            if fd >= 0 {
                // SAFETY: `fd` is a fresh descriptor owned by nothing else.
                let owned = unsafe { std::os::fd::OwnedFd::from_raw_fd(fd as libc::c_int) };
                return Ok(ProcessHandle {
                    pid,
                    pidfd: Some(owned),
                });
            }
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::ENOSYS) {
                return Err(e);
            }
        }
        Ok(ProcessHandle { pid, pidfd: None })
    }

    /// Sends `SIGKILL` to the process (through its pidfd where there is one).
    pub fn kill(&self) {
        match &self.pidfd {
            #[cfg(target_os = "linux")]
            Some(fd) => {
                // SAFETY: pidfd_send_signal takes the descriptor we own, a valid signal, no
                // siginfo (null) and no flags.
                unsafe {
                    libc::syscall(
                        libc::SYS_pidfd_send_signal,
                        fd.as_raw_fd(),
                        libc::SIGKILL,
                        std::ptr::null::<libc::siginfo_t>(),
                        0,
                    );
                }
            }
            _ => {
                // SAFETY: plain syscall on a positive pid (checked in `open`).
                unsafe {
                    libc::kill(self.pid, libc::SIGKILL);
                }
            }
        }
    }
}

/// The process group of process `pid` (`getpgid(2)`); `None` if there is no such process.
pub fn process_group_of(pid: u32) -> Option<u32> {
    let pid = libc::pid_t::try_from(pid).ok().filter(|&p| p > 0)?;
    // SAFETY: getpgid takes a pid, touches no memory and reports failure as -1.
    let group = unsafe { libc::getpgid(pid) };
    u32::try_from(group).ok()
}

/// This process's own process group (`getpgrp(2)`, which cannot fail).
pub fn own_process_group() -> u32 {
    // SAFETY: getpgrp has no arguments and cannot fail.
    u32::try_from(unsafe { libc::getpgrp() }).unwrap_or(0)
}

/// Reaps `pid` if it is a child of this process that has exited (`waitpid(WNOHANG)`). Returns
/// `true` once nothing is left to wait for: it was reaped now, or it is not (or no longer) a
/// child of this process; `false` while it still runs.
pub fn reap_if_exited(pid: u32) -> bool {
    let Some(pid) = libc::pid_t::try_from(pid).ok().filter(|&p| p > 0) else {
        return true;
    };
    let mut status: libc::c_int = 0;
    // SAFETY: waitpid writes the status into the int we own; `pid` names one process.
    let reaped = unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) };
    reaped != 0
}

/// This process's effective user id (`geteuid(2)`, which cannot fail).
pub fn effective_uid() -> u32 {
    // SAFETY: geteuid has no arguments, no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// How [`flock`] locks a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lock {
    /// Block until the exclusive lock is held.
    Exclusive,
    /// Take the exclusive lock only if it is free now (`EWOULDBLOCK` otherwise).
    ExclusiveNow,
    Unlock,
}

/// `flock(2)` on an open file.
pub fn flock(file: &impl AsRawFd, lock: Lock) -> std::io::Result<()> {
    let op = match lock {
        Lock::Exclusive => libc::LOCK_EX,
        Lock::ExclusiveNow => libc::LOCK_EX | libc::LOCK_NB,
        Lock::Unlock => libc::LOCK_UN,
    };
    // SAFETY: the descriptor belongs to a live `File` (or similar) borrowed for the call.
    if unsafe { libc::flock(file.as_raw_fd(), op) } == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// The termination signal caught by [`catch_termination_signals`], 0 while none came.
static TERMINATION_SIGNAL: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// How many termination signals came since [`catch_termination_signals`].
static TERMINATION_SIGNALS_RECEIVED: std::sync::atomic::AtomicU32 =
    std::sync::atomic::AtomicU32::new(0);

/// Set by [`second_signal_is_watched`]: the second signal is only counted (a watcher says
/// what was kept and exits), and only a third one ends the process the default way.
static SECOND_SIGNAL_WATCHED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// The signals that ask corelab to stop: Ctrl-C, `kill`, a closed terminal.
pub const TERMINATION_SIGNALS: [i32; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

extern "C" fn on_termination_signal(signal: libc::c_int) {
    use std::sync::atomic::Ordering;
    let received = TERMINATION_SIGNALS_RECEIVED.fetch_add(1, Ordering::SeqCst) + 1;
    if received == 1 {
        TERMINATION_SIGNAL.store(signal, Ordering::SeqCst);
        return;
    }
    if received == 2 && SECOND_SIGNAL_WATCHED.load(Ordering::SeqCst) {
        return; // the watcher says what was kept, cleans up and exits
    }
    // The user insists (and nobody is watching, or the watcher is stuck): die of it now, the
    // default way.
    // SAFETY: signal(2) and raise(3) are async-signal-safe; `signal` is a valid number.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// From now on SIGINT, SIGTERM and SIGHUP are only recorded (see [`termination_signal`]), so
/// that the program can stop cleanly; a second one of them ends the process at once (unless
/// [`second_signal_is_watched`]: then only a third one does).
pub fn catch_termination_signals() -> std::io::Result<()> {
    for signal in TERMINATION_SIGNALS {
        // SAFETY: the zeroed sigaction is then filled in: a handler that only touches
        // atomics (and, past the first time, calls async-signal-safe functions), an empty mask.
        let installed = unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_termination_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut())
        };
        if installed != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// A watcher polls [`termination_signals_received`] and handles the second signal itself
/// (says what was kept, removes what it can, exits); a third still ends the process at once.
pub fn second_signal_is_watched() {
    SECOND_SIGNAL_WATCHED.store(true, std::sync::atomic::Ordering::SeqCst);
}

/// How many termination signals came since [`catch_termination_signals`].
pub fn termination_signals_received() -> u32 {
    TERMINATION_SIGNALS_RECEIVED.load(std::sync::atomic::Ordering::SeqCst)
}

/// SIGXFSZ (a write past `ulimit -f`) is ignored, so that the write fails with EFBIG ("File
/// too large") and is reported like any failed write, instead of killing the process with no
/// message and leaving its temporary files.
pub fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN runs no code of ours.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// The first termination signal received since [`catch_termination_signals`], if any.
pub fn termination_signal() -> Option<i32> {
    match TERMINATION_SIGNAL.load(std::sync::atomic::Ordering::SeqCst) {
        0 => None,
        signal => Some(signal),
    }
}

/// `SIGINT`, `SIGTERM`, `SIGHUP` or `signal N`.
pub fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGINT => "SIGINT".into(),
        libc::SIGTERM => "SIGTERM".into(),
        libc::SIGHUP => "SIGHUP".into(),
        n => format!("signal {n}"),
    }
}

/// This process's `resource` limit (`getrlimit(2)`): (soft, hard); `None` if unreadable.
fn rlimit(resource: libc::__rlimit_resource_t) -> Option<(u64, u64)> {
    // SAFETY: getrlimit writes only into the zeroed struct we own and pass by pointer.
    let limit = unsafe {
        let mut limit: libc::rlimit = std::mem::zeroed();
        if libc::getrlimit(resource, &mut limit) != 0 {
            return None;
        }
        limit
    };
    Some((limit.rlim_cur, limit.rlim_max))
}

/// This process's limit on open files (`RLIMIT_NOFILE`): (soft, hard); `None` if unreadable.
/// `RLIM_INFINITY` reads as `u64::MAX`.
pub fn open_files_limit() -> Option<(u64, u64)> {
    rlimit(libc::RLIMIT_NOFILE)
}

/// This process's limit on its address space (`RLIMIT_AS`, `ulimit -v`) in bytes, where one
/// is set (`None` when unlimited or unreadable).
pub fn address_space_limit() -> Option<u64> {
    rlimit(libc::RLIMIT_AS)
        .map(|(soft, _)| soft)
        .filter(|soft| *soft != libc::RLIM_INFINITY)
}

/// The stack a new POSIX thread gets by default (glibc: the soft `ulimit -s`, 2 MiB where that
/// is unlimited), which a CPython thread keeps: `threading` sets no size of its own.
pub fn default_thread_stack_bytes() -> u64 {
    match rlimit(libc::RLIMIT_STACK) {
        Some((soft, _)) if soft != libc::RLIM_INFINITY && soft >= 16 << 10 => soft,
        _ => 2 << 20,
    }
}

/// The malloc arenas a process may have under an address-space limit: one, the main arena.
/// glibc gives every new thread an arena of its own, up to 8 per core, reserving 64 MiB of
/// address space each (128 MiB for a moment while it aligns it); under `ulimit -v` those
/// reservations take the room that the next thread's stack needs, at an order no one can
/// foresee (measured: a sweep of 8 threads ran under 120 MiB and under 300 MiB, and failed to
/// start its second thread under 200 MiB). With one arena, a thread costs its stack alone.
pub const ARENAS_UNDER_ADDRESS_LIMIT: u32 = 1;

/// The environment variable that caps glibc's malloc arenas in a program corelab starts.
pub const MALLOC_ARENA_MAX: &str = "MALLOC_ARENA_MAX";

/// Under an address-space limit (`ulimit -v`), caps this process's malloc arenas at
/// [`ARENAS_UNDER_ADDRESS_LIMIT`] (`mallopt(M_ARENA_MAX)`), unless `MALLOC_ARENA_MAX` is set
/// already (the user's choice stands): the address space a sweep needs is then what
/// [`crate::engine::resources`] counts, its threads' stacks included. Called first thing,
/// before any thread starts. Returns whether it capped them. Threads then share one arena,
/// which a workload that allocates in its loop may feel; the limit is rare, and said.
pub fn cap_malloc_arenas_under_address_limit() -> bool {
    if address_space_limit().is_none() || std::env::var_os(MALLOC_ARENA_MAX).is_some() {
        return false;
    }
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt takes two integers and changes only the allocator's settings; no
        // other thread runs yet.
        unsafe { libc::mallopt(libc::M_ARENA_MAX, ARENAS_UNDER_ADDRESS_LIMIT as libc::c_int) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// This process's limit on the processes and threads its real user may have
/// (`RLIMIT_NPROC`, `ulimit -u`): (soft, hard); `RLIM_INFINITY` reads as `u64::MAX`. The kernel
/// counts every task (process or thread) of the real user id against it, and does not apply
/// it to root (real user id 0) nor to a process with `CAP_SYS_RESOURCE` or `CAP_SYS_ADMIN`.
pub fn processes_limit() -> Option<(u64, u64)> {
    rlimit(libc::RLIMIT_NPROC)
}

/// This process's real user id (`getuid(2)`, which cannot fail): the user `RLIMIT_NPROC`
/// counts tasks of.
pub fn real_uid() -> u32 {
    // SAFETY: getuid has no arguments, no preconditions and cannot fail.
    unsafe { libc::getuid() }
}

/// Raises this process's soft limit on open files to `soft` (at most the hard limit, which
/// only privileged processes may raise). Children inherit it.
pub fn set_open_files_soft_limit(soft: u64) -> std::io::Result<()> {
    let (_, hard) = open_files_limit().ok_or_else(std::io::Error::last_os_error)?;
    let limit = libc::rlimit {
        rlim_cur: soft.min(hard),
        rlim_max: hard,
    };
    // SAFETY: setrlimit reads the struct we own, passed by pointer.
    match unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// Bytes an unprivileged user may still write on the file system holding `path`
/// (`statvfs(3)`: available blocks × fragment size).
pub fn available_disk_bytes(path: &std::path::Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c_path = std::ffi::CString::new(path.as_os_str().as_bytes())
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `c_path` is a NUL-terminated string that outlives the call; statvfs writes only
    // into the zeroed struct we own and pass by pointer.
    let raw = unsafe {
        let mut raw: libc::statvfs = std::mem::zeroed();
        if libc::statvfs(c_path.as_ptr(), &mut raw) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        raw
    };
    Ok(raw.f_bavail.saturating_mul(raw.f_frsize))
}

/// Maps `bytes` of fresh anonymous memory, writes one byte per page (each write faults a page
/// in on this thread) and unmaps it: page faults that no allocator can satisfy from memory it
/// already touched (glibc serves even a 16 MiB `calloc` from its heap once a larger block has
/// been freed, so a test's `vec!` may fault nothing). Returns the pages touched; 0 if the
/// mapping failed.
#[cfg(test)]
pub(crate) fn touch_fresh_pages(bytes: usize) -> usize {
    const PAGE: usize = 4096;
    // SAFETY: a private anonymous mapping of `bytes` owned by this function alone; every write
    // stays inside it, and it is unmapped before returning.
    unsafe {
        let p = libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        if p == libc::MAP_FAILED {
            return 0;
        }
        let base = p.cast::<u8>();
        let mut pages = 0;
        for offset in (0..bytes).step_by(PAGE) {
            std::ptr::write_volatile(base.add(offset), 1);
            pages += 1;
        }
        libc::munmap(p, bytes);
        pages
    }
}

/// Set before `main` when the process started with standard output closed (`>&-`).
static STDOUT_STARTED_CLOSED: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// Runs before Rust's runtime starts, which replaces a closed descriptor 0, 1 or 2 with
/// /dev/null (so that every later write "succeeds" and the output is lost without a word):
/// notes whether descriptor 1 was closed.
#[cfg(target_os = "linux")]
extern "C" fn note_closed_stdout() {
    // SAFETY: fcntl(F_GETFD) on a descriptor number only queries the process's table; it
    // touches no memory and is async-signal-safe, so it may run this early.
    if unsafe { libc::fcntl(libc::STDOUT_FILENO, libc::F_GETFD) } == -1 {
        STDOUT_STARTED_CLOSED.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

// SAFETY: `.init_array` holds pointers to functions the loader calls before `main`; this one
// takes no arguments it reads and only stores to an atomic.
#[cfg(target_os = "linux")]
#[used]
#[unsafe(link_section = ".init_array")]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

/// Whether standard output was closed when the process started (`corelab … >&-`): output
/// written to it is lost, which `corelab`'s commands report (exit status 1).
pub fn stdout_started_closed() -> bool {
    STDOUT_STARTED_CLOSED.load(std::sync::atomic::Ordering::Relaxed)
}

/// `renameat2(from, to, RENAME_EXCHANGE)`: swaps what the two names hold, atomically (both
/// must exist). `EINVAL` where the file system cannot exchange.
pub fn exchange_names(from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let from = std::ffi::CString::new(from.as_os_str().as_bytes())?;
    let to = std::ffi::CString::new(to.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated strings that outlive the call; AT_FDCWD resolves
    // relative paths against the working directory, as `open` does; the result is checked.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            from.as_ptr(),
            libc::AT_FDCWD,
            to.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    match rc {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_thread_accumulates_cpu_time_and_touching_pages_faults() {
        let before = usage(Who::Thread);
        let t_before = thread_cpu_time();
        let mut x = 1u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(30) {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(x);
        // 16 MiB never touched before: every page faults once when written.
        assert_eq!(touch_fresh_pages(16 << 20), 4096);
        let after = usage(Who::Thread);
        assert!(thread_cpu_time() > t_before);
        assert!(after.cpu > before.cpu);
        assert!(after.minor_faults > before.minor_faults);
    }

    #[test]
    fn another_thread_reads_a_thread_clock_as_the_thread_reads_its_own() {
        let (tx, rx) = std::sync::mpsc::channel();
        let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
        let busy = std::thread::spawn(move || {
            let start = thread_cpu_time();
            let mut x = 1u64;
            while thread_cpu_time() - start < Duration::from_millis(20) {
                x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
            }
            std::hint::black_box(x);
            tx.send(ThreadClock::of_this_thread().expect("clock"))
                .expect("sent");
            done_rx.recv().ok();
        });
        let clock = rx.recv().expect("received");
        let read = clock.cpu_time().expect("readable while the thread lives");
        assert!(read >= Duration::from_millis(20), "{read:?}");
        assert_ne!(
            clock.tid(),
            ThreadClock::of_this_thread().expect("clock").tid()
        );
        done_tx.send(()).expect("sent");
        busy.join().expect("joined");
    }

    #[test]
    fn a_second_exclusive_lock_is_refused_while_the_first_is_held() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("lock");
        let a = std::fs::File::create(&path).expect("create");
        let b = std::fs::File::open(&path).expect("open");
        flock(&a, Lock::ExclusiveNow).expect("first lock");
        assert!(flock(&b, Lock::ExclusiveNow).is_err());
        flock(&a, Lock::Unlock).expect("unlock");
        flock(&b, Lock::ExclusiveNow).expect("free again");
    }

    #[test]
    fn another_process_cpu_clock_is_readable_until_reaped() {
        let mut child = std::process::Command::new("sh")
            .args([
                "-c",
                "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done; sleep 5",
            ])
            .spawn()
            .expect("sh");
        let first = process_cpu_time_of(child.id()).expect("readable");
        std::thread::sleep(Duration::from_millis(100));
        let second = process_cpu_time_of(child.id()).expect("still readable");
        let _ = child.kill();
        let _ = child.wait();
        assert!(second > Duration::ZERO && second >= first);
        assert!(process_cpu_time_of(child.id()).is_none(), "reaped: gone");
        assert!(process_cpu_time_of(0).is_none());
    }

    #[test]
    fn a_caught_termination_signal_is_recorded_not_fatal() {
        catch_termination_signals().expect("handlers installed");
        assert_eq!(signal_name(libc::SIGTERM), "SIGTERM");
        // One signal only: a second would end the test process, as it should end corelab.
        let sent = std::process::Command::new("kill")
            .args(["-HUP", &std::process::id().to_string()])
            .status()
            .expect("kill runs");
        assert!(sent.success());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while termination_signal().is_none() {
            assert!(std::time::Instant::now() < deadline, "SIGHUP never arrived");
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(termination_signal(), Some(libc::SIGHUP));
    }

    #[test]
    fn available_disk_is_reported_for_a_directory_and_refused_for_a_missing_path() {
        let dir = tempfile::tempdir().expect("temp dir");
        assert!(available_disk_bytes(dir.path()).expect("statvfs") > 0);
        assert!(available_disk_bytes(&dir.path().join("missing")).is_err());
    }

    #[test]
    fn group_kill_refuses_dangerous_ids() {
        // Must not signal this process's group or every process.
        kill_process_group(0);
        kill_process_group(1);
    }
}
