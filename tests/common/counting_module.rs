//! A Python module that counts the processes that import it and call its function: what the
//! tests of "the user's module is imported everywhere at start-up, never in a run" read.

use std::collections::BTreeSet;
use std::path::Path;

/// A module that records each import (one line per importing process, `import <pid>`) and
/// each call of `work` (`call <pid>`), in `events.log` next to it.
pub const COUNTING_MODULE: &str = "\
import os
_LOG = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'events.log')

def _note(what):
    fd = os.open(_LOG, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    os.write(fd, ('%s %d\\n' % (what, os.getpid())).encode())
    os.close(fd)

_note('import')

def work(n):
    _note('call')
    return n * n
";

/// What [`COUNTING_MODULE`] in `dir` has recorded so far: `(event, pid)`, oldest first.
pub fn module_events(dir: &Path) -> Vec<(String, u32)> {
    std::fs::read_to_string(dir.join("events.log"))
        .unwrap_or_default()
        .lines()
        .map(|l| {
            let (what, pid) = l.split_once(' ').unwrap();
            (what.to_string(), pid.parse().unwrap())
        })
        .collect()
}

/// The distinct processes that imported the module, among `events`.
pub fn importing_processes(events: &[(String, u32)]) -> BTreeSet<u32> {
    events
        .iter()
        .filter(|(what, _)| what == "import")
        .map(|(_, pid)| *pid)
        .collect()
}
