//! CPU time (user + system) as the kernel accounts it.

use std::time::Duration;

use crate::sys::{self, Who};

/// CPU time used so far by every thread of this process.
pub fn process_cpu_time() -> Duration {
    sys::usage(Who::Process).cpu
}

/// CPU time of child processes that have exited and been waited for.
pub fn reaped_children_cpu_time() -> Duration {
    sys::usage(Who::ReapedChildren).cpu
}

/// CPU time used so far by the calling thread.
pub fn thread_cpu_time() -> Duration {
    sys::thread_cpu_time()
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
