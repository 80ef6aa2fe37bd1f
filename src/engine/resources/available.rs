//! What the machine has to offer a sweep: the memory available, the disk free where scratch
//! directories go, the address-space limit, the last-level cache and Python's thread stacks.

use std::path::{Path, PathBuf};

/// What the machine has to offer; `None` where it could not be read (that check is skipped).
#[derive(Clone, Debug, PartialEq)]
pub struct Available {
    pub memory_bytes: Option<u64>,
    pub disk_bytes: Option<u64>,
    /// Where the disk figure was measured.
    pub disk_path: PathBuf,
    /// The limit on each process's address space (`ulimit -v`), where one is set.
    pub address_space_bytes: Option<u64>,
    /// The last-level cache, all instances added up (what a calibrated memory task's arrays
    /// must exceed, see [`memory_arrays`](super::memory_arrays)).
    pub last_level_cache_bytes: Option<u64>,
    /// The stack of each thread a Python process starts, which counts against the address
    /// space ([`crate::sys::default_thread_stack_bytes`]).
    pub python_thread_stack_bytes: u64,
}

/// What this machine has now: `MemAvailable`, the disk free in the temporary directory and
/// the last-level cache.
pub fn available_now() -> Available {
    let disk_path = std::env::temp_dir();
    Available {
        memory_bytes: mem_available(Path::new("/proc/meminfo")),
        disk_bytes: crate::sys::available_disk_bytes(&disk_path).ok(),
        disk_path,
        address_space_bytes: crate::sys::address_space_limit(),
        last_level_cache_bytes: crate::results::last_level_cache_bytes(Path::new(
            crate::results::SYS_CPU,
        )),
        python_thread_stack_bytes: crate::sys::default_thread_stack_bytes(),
    }
}

/// `MemAvailable` from a `/proc/meminfo`-format file, in bytes.
fn mem_available(path: &Path) -> Option<u64> {
    let text = crate::safe_fs::read_regular_text(path, 1 << 20).ok()?;
    parse_mem_available(&text)
}

fn parse_mem_available(text: &str) -> Option<u64> {
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let mut parts = line.split_whitespace().skip(1);
    let value: u64 = parts.next()?.parse().ok()?;
    let scale = match parts.next() {
        Some("kB") | Some("KiB") => 1024,
        None => 1,
        Some(_) => return None,
    };
    value.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mem_available_is_parsed_in_bytes() {
        let text = "MemTotal:       16000000 kB\nMemAvailable:    8000000 kB\n";
        assert_eq!(parse_mem_available(text), Some(8_000_000 * 1024));
        assert_eq!(parse_mem_available("MemTotal: 1 kB\n"), None);
        assert!(mem_available(Path::new("/proc/meminfo")).is_some_and(|b| b > 0));
    }
}
