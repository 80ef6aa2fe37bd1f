//! What a failure to start a process or a thread may mean: which limit, in the OS's own words.

use super::human_bytes::human;
use super::processes_limit::processes_limit_applied;

/// What a failure to start a process or a thread (`fork`, `clone`) may mean, to follow the OS's
/// own words: `EAGAIN` is the limit on the user's processes and threads (`ulimit -u`, which
/// [`check`](fn@super::check) compares with the sweep's own count only) or the system's; `ENOMEM`
/// the address space (`ulimit -v`) or the memory. Empty for anything else.
pub fn spawn_hint(e: &std::io::Error) -> String {
    spawn_hint_under(
        e,
        processes_limit_applied(),
        crate::sys::address_space_limit(),
    )
}

/// [`spawn_hint`] under the given soft `ulimit -u` (where applied) and `ulimit -v`. A thread
/// whose stack finds no room under the address-space limit fails with `EAGAIN` too, so under
/// such a limit that is named as well.
fn spawn_hint_under(
    e: &std::io::Error,
    processes_limit: Option<u64>,
    address_limit: Option<u64>,
) -> String {
    match e.raw_os_error() {
        Some(libc::EAGAIN) => {
            let limit = processes_limit.map_or(String::new(), |l| format!(" of {l}"));
            let address = address_limit.map_or(String::new(), |l| {
                format!(
                    "; or, under the address-space limit of {} (ulimit -v), there was no room for \
                     the new thread's stack",
                    human(l)
                )
            });
            format!(
                " (the limit{limit} on your processes and threads, ulimit -u, counting every program you run, or the system's, is reached{address}: raise it or lower the worker counts)"
            )
        }
        Some(libc::ENOMEM) => {
            " (out of memory, or of address space under ulimit -v: lower the worker counts or the sizes)"
                .to_string()
        }
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::resources::test_fixtures::MIB;

    #[test]
    fn a_failed_spawn_says_which_limit_it_may_be() {
        let again = std::io::Error::from_raw_os_error(libc::EAGAIN);
        assert!(
            spawn_hint(&again).contains("ulimit -u"),
            "{}",
            spawn_hint(&again)
        );
        let nomem = std::io::Error::from_raw_os_error(libc::ENOMEM);
        assert!(spawn_hint(&nomem).contains("ulimit -v"));
        let missing = std::io::Error::from_raw_os_error(libc::ENOENT);
        assert_eq!(spawn_hint(&missing), "");
        // Under `ulimit -v`, a thread whose stack finds no room fails with EAGAIN too.
        let under = spawn_hint_under(&again, Some(100), Some(200 * MIB));
        assert!(
            under.contains("limit of 100 on your processes and threads, ulimit -u")
                && under.contains("address-space limit of 200.0 MiB (ulimit -v)")
                && under.contains("the new thread's stack"),
            "{under}"
        );
        assert!(!spawn_hint_under(&again, None, None).contains("ulimit -v"));
    }
}
