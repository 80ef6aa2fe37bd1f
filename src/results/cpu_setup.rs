//! How the CPUs were set up while a sweep ran, read from Linux's sysfs: the frequency governor,
//! turbo (boost), simultaneous multithreading and the NUMA nodes. Each changes a speedup curve
//! (a `powersave` governor or turbo lets one busy core clock higher than eight; SMT siblings
//! share a core; threads on one node stream memory from it), so a results file records them
//! with the machine (`MachineInfo::cpu_setup`). Virtual machines often hide some: those are
//! recorded as unknown, never guessed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Where Linux describes the system's devices: `cpu/` and `node/` below it.
pub const SYS_DEVICES_SYSTEM: &str = "/sys/devices/system";

/// A setting that is on, off, or could not be read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Setting {
    On,
    Off,
    #[default]
    Unknown,
}

impl Setting {
    fn word(self) -> &'static str {
        match self {
            Setting::On => "on",
            Setting::Off => "off",
            Setting::Unknown => "unknown",
        }
    }
}

/// The CPUs' setup as a results file records it. Absent (`MachineInfo::cpu_setup` is `None`)
/// in files from before it was recorded.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CpuSetup {
    /// The cpufreq scaling governor (`cpu*/cpufreq/scaling_governor`): `performance`; where
    /// CPUs differ, each with its count (`performance (4 CPUs), powersave (4 CPUs)`);
    /// `unknown` where no CPU lists one (many virtual machines).
    pub governor: String,
    /// Turbo or boost: `intel_pstate/no_turbo` (0: on), else `cpufreq/boost` (1: on).
    pub turbo: Setting,
    /// Simultaneous multithreading (hyper-threading): `smt/active`.
    pub smt: Setting,
    /// NUMA nodes online (`node/online`, a list such as `0-1`); `None` where unknown.
    pub numa_nodes: Option<usize>,
}

impl CpuSetup {
    /// Reads the setup under `sys` (`/sys/devices/system`: see [`SYS_DEVICES_SYSTEM`]; tests
    /// give a directory of their own). Never fails: what cannot be read is unknown.
    pub fn read(sys: &Path) -> CpuSetup {
        let cpu = sys.join("cpu");
        let flag = |p: &Path| match read_small(p).as_deref() {
            Some("1") => Some(true),
            Some("0") => Some(false),
            _ => None,
        };
        let turbo = match flag(&cpu.join("intel_pstate/no_turbo")) {
            Some(no_turbo) => on_off(!no_turbo),
            None => flag(&cpu.join("cpufreq/boost")).map_or(Setting::Unknown, on_off),
        };
        CpuSetup {
            governor: governors(&cpu),
            turbo,
            smt: flag(&cpu.join("smt/active")).map_or(Setting::Unknown, on_off),
            numa_nodes: read_small(&sys.join("node/online")).and_then(|l| list_count(&l)),
        }
    }

    /// In words: `governor performance, turbo on, SMT off, 1 NUMA node`.
    pub fn text(&self) -> String {
        let governor = match self.governor.as_str() {
            "" => "unknown",
            g => g,
        };
        let numa = match self.numa_nodes {
            Some(1) => "1 NUMA node".to_string(),
            Some(n) => format!("{n} NUMA nodes"),
            None => "NUMA nodes unknown".to_string(),
        };
        format!(
            "governor {governor}, turbo {}, SMT {}, {numa}",
            self.turbo.word(),
            self.smt.word()
        )
    }

    /// Whether `self` and `other` record different values for a setting both know: the
    /// governor, turbo, SMT or the NUMA nodes. A setting unknown on either side (a virtual
    /// machine that hides it) is not a difference.
    pub fn differs_known(&self, other: &CpuSetup) -> bool {
        let governor_known = |g: &str| !g.is_empty() && g != "unknown";
        let setting_differs =
            |a: Setting, b: Setting| a != Setting::Unknown && b != Setting::Unknown && a != b;
        (governor_known(&self.governor)
            && governor_known(&other.governor)
            && self.governor != other.governor)
            || setting_differs(self.turbo, other.turbo)
            || setting_differs(self.smt, other.smt)
            || matches!((self.numa_nodes, other.numa_nodes), (Some(a), Some(b)) if a != b)
    }
}

fn on_off(on: bool) -> Setting {
    match on {
        true => Setting::On,
        false => Setting::Off,
    }
}

/// A small sysfs file's trimmed text; `None` where it is missing or unreadable.
fn read_small(path: &Path) -> Option<String> {
    crate::safe_fs::read_regular_text(path, 4096)
        .ok()
        .map(|t| t.trim().to_string())
}

/// Every CPU's scaling governor under `cpu` (`cpu<N>/cpufreq/scaling_governor`), in words:
/// one name where all agree, else each with its count; `unknown` where none is listed.
fn governors(cpu: &Path) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for (entry, _) in super::machine::cpu_directories(cpu) {
        let Some(g) = read_small(&entry.path().join("cpufreq/scaling_governor")) else {
            continue;
        };
        // A name from the kernel is a short word: anything else is not trusted into reports.
        let word = !g.is_empty()
            && g.len() <= 64
            && g.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if word {
            *counts.entry(g).or_default() += 1;
        }
    }
    match counts.len() {
        0 => "unknown".into(),
        1 => counts.into_keys().next().unwrap_or_default(),
        _ => {
            let mut each: Vec<(String, usize)> = counts.into_iter().collect();
            // Most CPUs first, then by name.
            each.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            each.iter()
                .map(|(g, n)| format!("{g} ({})", crate::words::count(*n, "CPU")))
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// How many numbers a kernel list names (`0`, `0-3`, `0,2-3`): 1, 4, 3; `None` where it is not
/// such a list.
fn list_count(list: &str) -> Option<usize> {
    crate::sys::procfs::parse_cpu_list(list).map(|numbers| numbers.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A `/sys/devices/system` of its own: `files` are (path under it, text).
    fn fake_sys(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let p = dir.path().join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        dir
    }

    #[test]
    fn only_settings_both_know_can_differ() {
        let bare = CpuSetup {
            governor: "performance".into(),
            turbo: Setting::On,
            smt: Setting::Off,
            numa_nodes: Some(1),
        };
        assert!(!bare.differs_known(&bare.clone()));
        for other in [
            CpuSetup {
                governor: "powersave".into(),
                ..bare.clone()
            },
            CpuSetup {
                turbo: Setting::Off,
                ..bare.clone()
            },
            CpuSetup {
                smt: Setting::On,
                ..bare.clone()
            },
            CpuSetup {
                numa_nodes: Some(2),
                ..bare.clone()
            },
        ] {
            assert!(bare.differs_known(&other), "{other:?}");
            assert!(other.differs_known(&bare), "{other:?}");
        }
        // A virtual machine that hides everything: nothing known differs.
        let hidden = CpuSetup {
            governor: "unknown".into(),
            ..CpuSetup::default()
        };
        assert!(!bare.differs_known(&hidden));
        assert!(!hidden.differs_known(&bare));
        assert!(!bare.differs_known(&CpuSetup::default()));
        // Turbo unknown against on, the rest alike: not a known difference.
        let turbo_unknown = CpuSetup {
            turbo: Setting::Unknown,
            ..bare.clone()
        };
        assert!(!bare.differs_known(&turbo_unknown));
    }

    #[test]
    fn a_bare_metal_intel_machine_is_read_in_full() {
        let dir = fake_sys(&[
            ("cpu/cpu0/cpufreq/scaling_governor", "performance\n"),
            ("cpu/cpu1/cpufreq/scaling_governor", "performance\n"),
            ("cpu/cpu2/cpufreq/scaling_governor", "performance\n"),
            ("cpu/cpu3/cpufreq/scaling_governor", "performance\n"),
            ("cpu/intel_pstate/no_turbo", "0\n"),
            // Ignored where intel_pstate says.
            ("cpu/cpufreq/boost", "0\n"),
            ("cpu/smt/active", "1\n"),
            ("node/online", "0-1\n"),
        ]);
        let s = CpuSetup::read(dir.path());
        assert_eq!(
            s,
            CpuSetup {
                governor: "performance".into(),
                turbo: Setting::On,
                smt: Setting::On,
                numa_nodes: Some(2),
            }
        );
        assert_eq!(
            s.text(),
            "governor performance, turbo on, SMT on, 2 NUMA nodes"
        );
    }

    #[test]
    fn boost_mixed_governors_and_a_turbo_switched_off_are_told() {
        let dir = fake_sys(&[
            ("cpu/cpu0/cpufreq/scaling_governor", "powersave\n"),
            ("cpu/cpu1/cpufreq/scaling_governor", "schedutil\n"),
            ("cpu/cpu2/cpufreq/scaling_governor", "powersave\n"),
            // Not a CPU directory: never read.
            ("cpu/cpufreq/scaling_governor", "performance\n"),
            ("cpu/cpufreq/boost", "1\n"),
            ("cpu/smt/active", "0\n"),
            ("node/online", "0,2-3\n"),
        ]);
        let s = CpuSetup::read(dir.path());
        assert_eq!(s.governor, "powersave (2 CPUs), schedutil (1 CPU)");
        assert_eq!(
            (s.turbo, s.smt, s.numa_nodes),
            (Setting::On, Setting::Off, Some(3))
        );
        let dir = fake_sys(&[("cpu/intel_pstate/no_turbo", "1\n")]);
        assert_eq!(CpuSetup::read(dir.path()).turbo, Setting::Off);
    }

    #[test]
    fn a_virtual_machine_that_hides_them_records_unknown() {
        // This development VM: no cpufreq, no intel_pstate, SMT off, one node.
        let dir = fake_sys(&[("cpu/cpu0/online", "1\n"), ("cpu/smt/active", "0\n")]);
        let s = CpuSetup::read(dir.path());
        assert_eq!(s.governor, "unknown");
        assert_eq!(s.turbo, Setting::Unknown);
        assert_eq!(s.numa_nodes, None);
        assert_eq!(
            s.text(),
            "governor unknown, turbo unknown, SMT off, NUMA nodes unknown"
        );
        // Nothing at all, or garbage: unknown, never guessed.
        let s = CpuSetup::read(Path::new("/nonexistent"));
        assert_eq!(
            s,
            CpuSetup {
                governor: "unknown".into(),
                ..CpuSetup::default()
            }
        );
        let dir = fake_sys(&[
            (
                "cpu/cpu0/cpufreq/scaling_governor",
                "per\u{1b}[31mformance\n",
            ),
            ("cpu/smt/active", "yes\n"),
            ("node/online", "0-\n"),
        ]);
        let s = CpuSetup::read(dir.path());
        assert_eq!(
            (s.governor.as_str(), s.smt, s.numa_nodes),
            ("unknown", Setting::Unknown, None)
        );
    }

    #[test]
    fn kernel_lists_are_counted() {
        assert_eq!(list_count("0"), Some(1));
        assert_eq!(list_count("0-3"), Some(4));
        assert_eq!(list_count("0,2-3"), Some(3));
        assert_eq!(list_count("3-1"), None);
        assert_eq!(list_count(""), None);
        assert_eq!(list_count("a"), None);
    }

    #[test]
    fn settings_are_written_as_words() {
        let s = CpuSetup {
            governor: "performance".into(),
            turbo: Setting::Off,
            smt: Setting::Unknown,
            numa_nodes: Some(1),
        };
        let json = serde_json::to_string(&s).unwrap();
        assert_eq!(
            json,
            r#"{"governor":"performance","turbo":"off","smt":"unknown","numa_nodes":1}"#
        );
        assert_eq!(serde_json::from_str::<CpuSetup>(&json).unwrap(), s);
    }
}
