//! Reading `/proc`: the one parser of `/proc/<pid>/stat` lines ([`Stat`]) and the lists of a
//! process's children. Linux only; elsewhere every read finds nothing.

/// One `/proc/<pid>/stat` (or `/proc/<pid>/task/<tid>/stat`) line, its fields numbered as in
/// proc(5).
///
/// Field 2, the command name in parentheses, is whatever the process named itself (up to 15
/// bytes, `prctl(PR_SET_NAME)` or the file it ran): spaces, parentheses, `") S 1 "`, a newline,
/// bytes that are not UTF-8. Nothing after it can hold a `)`, so the fields from 3 on are
/// counted after the line's *last* `)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stat {
    line: Vec<u8>,
    /// Where field 3 (the state) starts: just after the last `)`.
    after_name: usize,
}

/// Numbers of the `/proc/<pid>/stat` fields corelab reads (proc(5)).
pub mod field {
    /// One character: `R` running, `S` sleeping, `Z` zombie, …
    pub const STATE: usize = 3;
    pub const PARENT: usize = 4;
    pub const PROCESS_GROUP: usize = 5;
    /// `minflt`: minor page faults of every thread (of the thread, in a task's line).
    pub const MINOR_FAULTS: usize = 10;
    /// `starttime`: when the process started, clock ticks after boot.
    pub const START_TICKS: usize = 22;
}

impl Stat {
    /// A stat line; `None` for one without a command name in parentheses.
    pub fn parse(line: impl Into<Vec<u8>>) -> Option<Stat> {
        let line = line.into();
        let after_name = line.iter().rposition(|&b| b == b')')? + 1;
        Some(Stat { line, after_name })
    }

    /// Process `pid`'s line; `None` if there is no such process (or `/proc` cannot be read).
    pub fn of_process(pid: u32) -> Option<Stat> {
        Stat::parse(std::fs::read(format!("/proc/{pid}/stat")).ok()?)
    }

    /// The line of thread `tid` of this process.
    pub fn of_own_thread(tid: u32) -> Option<Stat> {
        Stat::parse(std::fs::read(format!("/proc/self/task/{tid}/stat")).ok()?)
    }

    /// Field `n` (3 or more; the pid and the command name are not fields one reads here).
    pub fn field(&self, n: usize) -> Option<&str> {
        let rest = std::str::from_utf8(&self.line[self.after_name..]).ok()?;
        rest.split_ascii_whitespace()
            .nth(n.checked_sub(field::STATE)?)
    }

    /// Field `n` as a number.
    pub fn number(&self, n: usize) -> Option<u64> {
        self.field(n)?.parse().ok()
    }

    /// Whether the process has exited and waits to be reaped (state `Z`).
    pub fn is_zombie(&self) -> bool {
        self.field(field::STATE) == Some("Z")
    }

    pub fn parent(&self) -> Option<u32> {
        u32::try_from(self.number(field::PARENT)?).ok()
    }

    pub fn process_group(&self) -> Option<u32> {
        u32::try_from(self.number(field::PROCESS_GROUP)?).ok()
    }

    pub fn minor_faults(&self) -> Option<u64> {
        self.number(field::MINOR_FAULTS)
    }

    /// When the process started, clock ticks after boot: with its pid, what tells it from a
    /// later process given the same pid.
    pub fn start_ticks(&self) -> Option<u64> {
        self.number(field::START_TICKS)
    }
}

/// Process `pid`'s start time, clock ticks after boot; `None` if it cannot be read.
pub fn start_ticks_of(pid: u32) -> Option<u64> {
    Stat::of_process(pid)?.start_ticks()
}

/// Process `pid`'s parent; `None` if it cannot be read.
pub fn parent_of(pid: u32) -> Option<u32> {
    Stat::of_process(pid)?.parent()
}

/// The children of process `pid`, every thread's (`/proc/<pid>/task/<tid>/children`: a child
/// belongs to the thread that started it, and an orphan adopted by a subreaper to any of its
/// threads); `None` when no thread's list can be read (the process is gone, or the kernel lacks
/// the file).
pub fn children_of(pid: u32) -> Option<Vec<u32>> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
    let mut out = Vec::new();
    let mut any = false;
    for task in tasks.flatten() {
        let Ok(text) = std::fs::read_to_string(task.path().join("children")) else {
            continue;
        };
        any = true;
        out.extend(
            text.split_whitespace()
                .filter_map(|p| p.parse::<u32>().ok()),
        );
    }
    any.then_some(out)
}

/// Parses a kernel CPU or node list such as `0-3,8,10-11` (`Cpus_allowed_list` in
/// /proc/self/status, `/sys/devices/system/node/online`).
pub fn parse_cpu_list(list: &str) -> Option<Vec<usize>> {
    let mut cpus = Vec::new();
    for part in list.trim().split(',').filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (usize, usize) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if b < a || b - a > 65_536 {
                    return None;
                }
                cpus.extend(a..=b);
            }
            None => cpus.push(part.trim().parse().ok()?),
        }
    }
    (!cpus.is_empty()).then_some(cpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stat line whose command name is `name`, with state `S`, parent 1, group 4242, 1234
    /// minor faults and start time 98765.
    fn line_named(name: &[u8]) -> Vec<u8> {
        let mut line = b"4242 (".to_vec();
        line.extend_from_slice(name);
        line.extend_from_slice(
            b") S 1 4242 4242 0 -1 4194560 1234 0 5 0 7 8 0 0 20 0 1 0 98765 1000 50\n",
        );
        line
    }

    #[test]
    fn fields_are_counted_after_the_last_parenthesis_whatever_the_name() {
        let hostile: [&[u8]; 9] = [
            b"sleep",
            b"we ird) name)",
            b") S 1 2 3 4",
            b"x) Z 7 (y",
            b"((((",
            b"))))",
            b"",
            b"new\nline",
            b"\xff\xfe not utf-8)",
        ];
        for name in hostile {
            let stat = Stat::parse(line_named(name)).expect("parses");
            let shown = String::from_utf8_lossy(name);
            assert_eq!(stat.field(field::STATE), Some("S"), "{shown:?}");
            assert!(!stat.is_zombie(), "{shown:?}");
            assert_eq!(stat.parent(), Some(1), "{shown:?}");
            assert_eq!(stat.process_group(), Some(4242), "{shown:?}");
            assert_eq!(stat.minor_faults(), Some(1234), "{shown:?}");
            assert_eq!(stat.start_ticks(), Some(98765), "{shown:?}");
        }
        let zombie = Stat::parse(b"7 (a) S (b) Z 1 7 7".to_vec()).expect("parses");
        assert!(zombie.is_zombie());
        assert_eq!(zombie.parent(), Some(1));
    }

    #[test]
    fn a_line_without_a_name_or_a_field_asked_before_the_state_reads_as_nothing() {
        assert_eq!(Stat::parse(b"garbage".to_vec()), None);
        let stat = Stat::parse(line_named(b"sh")).expect("parses");
        assert_eq!(stat.field(1), None);
        assert_eq!(stat.field(2), None);
        assert_eq!(stat.field(99), None);
        let short = Stat::parse(b"1 (sh) S 0".to_vec()).expect("parses");
        assert_eq!(short.start_ticks(), None);
        assert_eq!(short.parent(), Some(0));
    }

    #[test]
    fn a_live_process_named_like_a_stat_line_is_read_right() {
        // The command name is the name of the file run: a link named like the fields that
        // follow it, to `sleep`.
        let dir = tempfile::tempdir().expect("temp dir");
        let link = dir.path().join("x) Z 1 1 (y");
        let sleep = ["/bin/sleep", "/usr/bin/sleep"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .expect("sleep");
        std::os::unix::fs::symlink(sleep, &link).expect("link");
        let mut child = std::process::Command::new(&link)
            .arg("30")
            .spawn()
            .expect("spawned");
        let stat = Stat::of_process(child.id());
        let group = crate::sys::process_group_of(child.id());
        let children = children_of(std::process::id());
        let _ = child.kill();
        let _ = child.wait();
        let stat = stat.expect("readable while it runs");
        assert_eq!(stat.parent(), Some(std::process::id()));
        assert_eq!(stat.process_group(), group);
        assert!(!stat.is_zombie());
        assert!(stat.start_ticks().is_some_and(|t| t > 0));
        assert!(children.expect("own children").contains(&child.id()));
        assert_eq!(Stat::of_process(child.id()), None, "reaped: gone");
    }
}
