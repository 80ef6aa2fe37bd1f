//! CPU time (user + system) as the kernel accounts it.

use std::time::Duration;

fn rusage(who: libc::c_int) -> Duration {
    // SAFETY: getrusage writes into the zeroed struct we pass; `who` is a valid selector.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(who, &mut usage) != 0 {
            return Duration::ZERO;
        }
        usage
    };
    timeval(usage.ru_utime) + timeval(usage.ru_stime)
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::new(tv.tv_sec.max(0) as u64, (tv.tv_usec.max(0) as u32) * 1000)
}

/// CPU time used so far by every thread of this process.
pub fn process_cpu_time() -> Duration {
    rusage(libc::RUSAGE_SELF)
}

/// CPU time of child processes that have exited and been waited for.
pub fn reaped_children_cpu_time() -> Duration {
    rusage(libc::RUSAGE_CHILDREN)
}

/// CPU time used so far by the calling thread.
pub fn thread_cpu_time() -> Duration {
    // SAFETY: clock_gettime fills the timespec we pass for a valid clock id.
    let ts = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        if libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) != 0 {
            return Duration::ZERO;
        }
        ts
    };
    Duration::new(ts.tv_sec.max(0) as u64, ts.tv_nsec.max(0) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_thread_accumulates_cpu_time() {
        let before = thread_cpu_time();
        let p_before = process_cpu_time();
        let mut x = 1u64;
        let start = std::time::Instant::now();
        while start.elapsed() < Duration::from_millis(30) {
            x = crate::engine::workload::splitmix64(x);
        }
        std::hint::black_box(x);
        assert!(thread_cpu_time() > before);
        assert!(process_cpu_time() > p_before);
    }
}
