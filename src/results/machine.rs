use std::collections::BTreeSet;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

use super::build_info::{BuildInfo, DEBUG_BUILD_WARNING};
use super::cpu_setup::{CpuSetup, SYS_DEVICES_SYSTEM};

/// The machine a sweep ran on, as recorded in every results file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MachineInfo {
    pub cpu_brand: String,
    pub physical_cores: Option<usize>,
    pub logical_cores: usize,
    pub memory_bytes: u64,
    /// The last-level cache of the whole machine, in bytes: every instance of the highest
    /// cache level added up (two sockets of 32 MiB: 64 MiB), from
    /// `/sys/devices/system/cpu/cpu*/cache`. `None` where it could not be read. A calibrated
    /// memory task sizes its arrays by it (`engine::resources::memory_arrays`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_level_cache_bytes: Option<u64>,
    pub os: String,
    pub kernel: String,
    pub arch: String,
    pub hostname: String,
    /// One-minute load average when the sweep started (it lags: it still counts a sweep that
    /// just ended).
    pub load_average: Option<f64>,
    /// Cores kept busy by other programs just before the sweep started (files written before
    /// load was sampled around every run; new sweeps fill `load_during_runs` instead).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub busy_cores_at_start: Option<f64>,
    /// Other programs' load sampled around every timed run of the sweep.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub load_during_runs: Option<LoadSummary>,
    /// The build of corelab that measured (debug or release, the compiler); `None` in files
    /// from before it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildInfo>,
    /// The CPUs' frequency governor, turbo, SMT and NUMA nodes (each `unknown` where sysfs
    /// does not say); `None` in files from before it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu_setup: Option<CpuSetup>,
}

/// A summary of the load other programs put on the machine during timed runs: of the whole
/// sweep (`MachineInfo::load_during_runs`) or of one cell (`CellResult::load`). Each run's own
/// figure is `Sample::other_load`, its mark `Sample::busy`, and how that mark was decided
/// `Sample::busy_basis`.
///
/// The figures pool the runs' raw /proc/stat ticks (see `engine::load`): a run of a few
/// milliseconds sees 0 or 1 tick of 10 ms per CPU, too few to judge alone, but many such runs
/// together are judged as well as one long run. Files from before pooling have the mean of
/// the per-run figures in `mean_other_cores` and no `ticks_per_cpu`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadSummary {
    /// Timed runs with a load figure.
    pub runs: usize,
    /// Runs marked busy: judged alone, or (too short for that) by their cell's pooled ticks.
    pub busy_runs: usize,
    /// The other load over all the runs together, in cores: from their pooled ticks, so each
    /// run weighs as much as it lasted (in files from before pooling, the mean of the runs'
    /// figures).
    pub mean_other_cores: f64,
    /// The largest other load of a run long enough to judge alone, or of a cell's pooled runs.
    pub max_other_cores: f64,
    /// Cores this process could use: its CPU affinity, capped by a cgroup `cpu.max` quota.
    pub usable_cores: f64,
    /// /proc/stat ticks (10 ms) per CPU the pooled figure rests on; 0 in files from before
    /// pooling.
    pub ticks_per_cpu: f64,
    /// Whether the pooled other load left fewer free cores than the runs could use (judged
    /// only from enough ticks, see `engine::load::MIN_TICKS_PER_CPU`).
    pub busy: bool,
    /// Runs too short to judge alone whose cell's runs, pooled, were too short as well: no
    /// verdict (`Sample::busy_basis` = `too-few-ticks`), so not counted busy, nor known quiet.
    #[serde(skip_serializing_if = "is_zero")]
    pub unjudged_runs: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// At most this share of the timed runs marked busy, with the pooled other load under
/// [`SLIGHT_LOAD_CORES`], is a sweep "mostly quiet": its few busy runs are marked and named, but
/// the comparisons are not all called unreliable (1 busy run of 45 at 0.06 of a core had read
/// like 42 of 42 at 1.33 cores).
pub const SLIGHTLY_BUSY_RUN_SHARE: f64 = 0.1;
/// See [`SLIGHTLY_BUSY_RUN_SHARE`]: other programs' load over all the runs together, in cores.
pub const SLIGHT_LOAD_CORES: f64 = 0.25;

/// How much other programs competed for the cores during a sweep's timed runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Busyness {
    Quiet,
    /// A few runs were busy ([`SLIGHTLY_BUSY_RUN_SHARE`]), and little load over all of them.
    MostlyQuiet,
    Busy,
}

impl LoadSummary {
    /// Whether other programs competed for the cores: some run was marked busy, or the runs'
    /// pooled ticks say so.
    pub fn was_busy(&self) -> bool {
        self.busy_runs > 0 || self.busy
    }

    /// How much they competed: see [`Busyness`].
    pub fn busyness(&self) -> Busyness {
        if !self.was_busy() {
            return Busyness::Quiet;
        }
        let few = self.runs > 0
            && !self.busy
            && (self.busy_runs as f64) <= SLIGHTLY_BUSY_RUN_SHARE * self.runs as f64
            && self.mean_other_cores < SLIGHT_LOAD_CORES;
        match few {
            true => Busyness::MostlyQuiet,
            false => Busyness::Busy,
        }
    }
}

/// How a run's `busy` mark was decided (`Sample::busy_basis`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BusyBasis {
    /// From the run's own ticks: it held enough of them (and every run of files from before
    /// pooling).
    #[default]
    Run,
    /// The run was too short to judge alone: `busy` is its cell's verdict from the pooled ticks
    /// of all the cell's runs (`CellResult::load`).
    Cell,
    /// The run, and its cell's runs together, held too few ticks to judge: `busy` is false for
    /// want of evidence, not because the machine was known to be quiet.
    TooFewTicks,
}

impl BusyBasis {
    pub fn is_run(&self) -> bool {
        *self == BusyBasis::Run
    }
}

/// A load figure rounded to 1/10 000 of a core (the figures of a [`LoadSummary`] and of each sample's `other_load`).
pub fn round_cores(cores: f64) -> f64 {
    (cores * 1e4).round() / 1e4
}

impl MachineInfo {
    /// Reads the current machine. Never fails: unknown values stay empty.
    pub fn detect() -> Self {
        let logical = std::thread::available_parallelism().map_or(1, |n| n.get());
        let refresh = RefreshKind::nothing()
            .with_cpu(CpuRefreshKind::nothing())
            .with_memory(MemoryRefreshKind::nothing().with_ram());
        let (brand, memory) = match System::new_with_specifics(refresh) {
            Ok(sys) => (
                sys.cpus()
                    .first()
                    .map(|c| c.brand().trim().to_string())
                    .unwrap_or_default(),
                sys.total_memory(),
            ),
            Err(_) => (String::new(), 0),
        };
        MachineInfo {
            cpu_brand: if brand.is_empty() {
                "unknown CPU".into()
            } else {
                brand
            },
            physical_cores: System::physical_core_count().ok(),
            logical_cores: logical,
            memory_bytes: memory,
            last_level_cache_bytes: last_level_cache_bytes(Path::new(SYS_CPU)),
            os: System::long_os_version().unwrap_or_else(|_| std::env::consts::OS.into()),
            kernel: System::kernel_version().unwrap_or_default(),
            arch: System::cpu_arch(),
            hostname: System::host_name().unwrap_or_default(),
            load_average: System::load_average().ok().map(|l| l.one),
            busy_cores_at_start: None,
            load_during_runs: None,
            build: Some(BuildInfo::of_this_build()),
            cpu_setup: Some(CpuSetup::read(Path::new(SYS_DEVICES_SYSTEM))),
        }
    }

    /// The build and the CPUs' setup in one line, for reports: `release build (opt-level 3),
    /// rustc 1.95.0 (…) · governor performance, turbo on, SMT off, 1 NUMA node`; `None` in
    /// files from before either was recorded.
    pub fn setup_line(&self) -> Option<String> {
        let parts: Vec<String> = [
            self.build.as_ref().map(BuildInfo::text),
            self.cpu_setup.as_ref().map(CpuSetup::text),
        ]
        .into_iter()
        .flatten()
        .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// The loud warning where a debug build measured: [`DEBUG_BUILD_WARNING`]. `None` for a
    /// release build, and where the build was not recorded.
    pub fn debug_build_warning(&self) -> Option<&'static str> {
        self.build
            .as_ref()
            .is_some_and(BuildInfo::is_debug)
            .then_some(DEBUG_BUILD_WARNING)
    }

    /// A warning when other programs competed for the cores during timed runs (or, in files
    /// from before per-run sampling, kept more than half a core busy as the sweep started),
    /// for the CLI, the workbench, reports and the lessons. Runs too short to judge alone are
    /// counted by their cell's pooled verdict, and the average is the pooled figure.
    pub fn busy_warning(&self) -> Option<String> {
        if let Some(load) = &self.load_during_runs {
            if !load.was_busy() {
                return None;
            }
            if load.busy_runs == 0 {
                // Busy by the sweep's pooled ticks alone (its cells' runs held too few to judge).
                return Some(format!(
                    "the machine was busy during the timed runs (other programs used {:.2} of the {:.1} cores this sweep could use on average, pooled over every run's clock ticks, though no run was marked busy, alone or by its cell's pooled ticks (too few of them): their timings are noisy and their speedups unreliable either way (the kernel need not share the busy cores out equally between the models' threads and processes)",
                    load.mean_other_cores, load.usable_cores
                ));
            }
            // Files from before pooling have no ticks: their average is a mean of the runs'.
            let pooled = match load.ticks_per_cpu > 0.0 {
                true => {
                    "; the average pools every run's clock ticks, and runs too short to judge alone are marked by their cell's pooled ticks"
                }
                false => "",
            };
            return Some(format!(
                "the machine was busy during {} of {} timed runs (other programs used up to {:.2} of the {:.1} cores this sweep could use, {:.2} on average{pooled}): those runs are marked busy in the results, and their timings are noisy and their speedups unreliable either way (the kernel need not share the busy cores out equally between the models' threads and processes)",
                load.busy_runs,
                load.runs,
                load.max_other_cores,
                load.usable_cores,
                load.mean_other_cores
            ));
        }
        let busy = self.busy_cores_at_start?;
        (busy > 0.5).then(|| {
            format!(
                "the machine was busy (other programs used {busy:.1} of {} cores as the sweep started): they compete for the cores, so these timings are noisy and their speedups unreliable either way",
                self.logical_cores
            )
        })
    }

    /// How much other programs competed for the cores during the timed runs ([`Busyness`]);
    /// files from before per-run sampling are busy when their start-up load warned.
    pub fn busyness(&self) -> Busyness {
        match (&self.load_during_runs, self.busy_warning()) {
            (_, None) => Busyness::Quiet,
            (Some(load), Some(_)) => load.busyness(),
            (None, Some(_)) => Busyness::Busy,
        }
    }

    /// A note when some timed runs could not be judged busy or quiet: each, and its cell's
    /// runs together, held too few clock ticks. `None` when every run was judged.
    pub fn load_unknown_note(&self) -> Option<String> {
        let load = self.load_during_runs.as_ref()?;
        (load.unjudged_runs > 0).then(|| {
            format!(
                "{} of {} timed runs were too short to tell whether other programs competed for the cores (too few of /proc/stat's 10 ms clock ticks, even pooled over their cell's runs): they are not marked busy, but not known to be quiet either; a longer minimum time per cell (min_time_s, --min-time) would tell",
                load.unjudged_runs, load.runs,
            )
        })
    }

    /// The physical cores the run could use: the machine's, or fewer where the process was
    /// allowed fewer CPUs (`logical_cores` counts those: `taskset -c 0` makes it 1). Where the
    /// charts draw their dotted core line.
    pub fn usable_physical_cores(&self) -> Option<usize> {
        match (self.physical_cores, self.logical_cores) {
            (Some(p), 0) => Some(p),
            (Some(p), l) => Some(p.min(l)),
            (None, 0) => None,
            (None, l) => Some(l),
        }
    }

    /// One line for status bars and report headers.
    pub fn one_line(&self) -> String {
        let cores = match self.physical_cores {
            // Allowed fewer CPUs than the machine's physical cores (`taskset -c 0`): "2
            // physical / 1 logical" would read as a contradiction.
            Some(p) if self.logical_cores > 0 && self.logical_cores < p => format!(
                "{} (of {p} physical)",
                crate::words::count(self.logical_cores, "usable logical core")
            ),
            Some(p) => format!("{p} physical / {} logical cores", self.logical_cores),
            None => format!("? physical / {} logical cores", self.logical_cores),
        };
        format!(
            "{} · {cores} · {:.1} GiB · {}",
            self.cpu_brand,
            self.memory_bytes as f64 / (1u64 << 30) as f64,
            self.os
        )
    }
}

/// Where Linux describes the CPUs and their caches.
pub const SYS_CPU: &str = "/sys/devices/system/cpu";

/// The `cpu<N>` directories under `sys_cpu` (`/sys/devices/system/cpu`), each with its name;
/// none where it cannot be read.
pub(crate) fn cpu_directories(sys_cpu: &Path) -> impl Iterator<Item = (std::fs::DirEntry, String)> {
    std::fs::read_dir(sys_cpu)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let name = entry.file_name().to_string_lossy().into_owned();
            let is_cpu = name
                .strip_prefix("cpu")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            is_cpu.then_some((entry, name))
        })
}

/// The machine's last-level cache in bytes: the highest level of data or unified cache that
/// `cpu*/cache/index*` under `sys_cpu` (`/sys/devices/system/cpu`) lists, each instance
/// counted once (an instance is told by the CPUs sharing it, `shared_cpu_list`). `None` when
/// no cache is listed (some containers and virtual machines hide them).
pub fn last_level_cache_bytes(sys_cpu: &Path) -> Option<u64> {
    let read = |p: &Path| crate::safe_fs::read_regular_text(p, 4096).ok();
    // (level, shared_cpu_list) → size, over every CPU's caches.
    let mut instances: BTreeSet<(u32, String, u64)> = BTreeSet::new();
    for (cpu, name) in cpu_directories(sys_cpu) {
        let Ok(indices) = std::fs::read_dir(cpu.path().join("cache")) else {
            continue;
        };
        for index in indices.flatten() {
            let dir = index.path();
            let field = |f: &str| read(&dir.join(f)).map(|t| t.trim().to_string());
            if field("type").as_deref() == Some("Instruction") {
                continue;
            }
            let (Some(level), Some(size)) = (
                field("level").and_then(|l| l.parse::<u32>().ok()),
                field("size").and_then(|s| parse_cache_size(&s)),
            ) else {
                continue;
            };
            let shared = field("shared_cpu_list").unwrap_or_else(|| name.clone());
            instances.insert((level, shared, size));
        }
    }
    let top = instances.iter().map(|i| i.0).max()?;
    let total = instances
        .iter()
        .filter(|i| i.0 == top)
        .map(|i| i.2)
        .fold(0u64, u64::saturating_add);
    (total > 0).then_some(total)
}

/// A sysfs cache size, `32768K` (or `32M`, `1G`, plain bytes), in bytes.
fn parse_cache_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let (digits, scale) = match text.as_bytes().last()? {
        b'K' | b'k' => (&text[..text.len() - 1], 1u64 << 10),
        b'M' | b'm' => (&text[..text.len() - 1], 1 << 20),
        b'G' | b'g' => (&text[..text.len() - 1], 1 << 30),
        _ => (text, 1),
    };
    digits.trim().parse::<u64>().ok()?.checked_mul(scale)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One cache of every CPU: level, type, size, and the `shared_cpu_list` of CPU `c`.
    type Cache<'a> = (u32, &'a str, &'a str, &'a dyn Fn(usize) -> String);

    /// A `/sys/devices/system/cpu` with `cpus` CPUs, each with `caches`.
    fn fake_sys_cpu(cpus: usize, caches: &[Cache<'_>]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("cpufreq")).unwrap();
        std::fs::write(dir.path().join("online"), "0-1\n").unwrap();
        for c in 0..cpus {
            for (i, (level, kind, size, shared)) in caches.iter().enumerate() {
                let d = dir.path().join(format!("cpu{c}/cache/index{i}"));
                std::fs::create_dir_all(&d).unwrap();
                std::fs::write(d.join("level"), format!("{level}\n")).unwrap();
                std::fs::write(d.join("type"), format!("{kind}\n")).unwrap();
                std::fs::write(d.join("size"), format!("{size}\n")).unwrap();
                std::fs::write(d.join("shared_cpu_list"), format!("{}\n", shared(c))).unwrap();
            }
        }
        dir
    }

    #[test]
    fn the_last_level_cache_adds_up_its_instances_once_each() {
        let own = |c: usize| c.to_string();
        // This development machine: 2 CPUs, private L1/L2, one 32 MiB L3 shared by both.
        let dir = fake_sys_cpu(
            2,
            &[
                (1, "Data", "32K", &own),
                (1, "Instruction", "32K", &own),
                (2, "Unified", "1024K", &own),
                (3, "Unified", "32768K", &|_| "0-1".into()),
            ],
        );
        assert_eq!(last_level_cache_bytes(dir.path()), Some(32 << 20));
        // Two sockets of 4 CPUs, a 16 MiB L3 each: 32 MiB in all.
        let socket = |c: usize| if c < 4 { "0-3".into() } else { "4-7".into() };
        let dir = fake_sys_cpu(
            8,
            &[
                (2, "Unified", "2048K", &own),
                (3, "Unified", "16M", &socket),
            ],
        );
        assert_eq!(last_level_cache_bytes(dir.path()), Some(32 << 20));
        // No L3: the private L2s are the last level, one per CPU.
        let dir = fake_sys_cpu(
            4,
            &[(1, "Data", "48K", &own), (2, "Unified", "1280K", &own)],
        );
        assert_eq!(last_level_cache_bytes(dir.path()), Some((4 * 1280) << 10));
        // Nothing listed.
        let dir = fake_sys_cpu(2, &[]);
        assert_eq!(last_level_cache_bytes(dir.path()), None);
        assert_eq!(last_level_cache_bytes(Path::new("/nonexistent")), None);
        assert_eq!(parse_cache_size("300M"), Some(300 << 20));
        assert_eq!(parse_cache_size("bogus"), None);
    }

    #[test]
    fn the_one_line_says_how_many_cores_the_run_could_use() {
        let m = |physical: Option<usize>, logical: usize| MachineInfo {
            cpu_brand: "CPU".into(),
            physical_cores: physical,
            logical_cores: logical,
            os: "Linux".into(),
            ..MachineInfo::default()
        };
        assert!(
            m(Some(2), 2)
                .one_line()
                .contains(" · 2 physical / 2 logical cores · ")
        );
        assert!(
            m(Some(8), 16)
                .one_line()
                .contains(" · 8 physical / 16 logical cores · ")
        );
        // taskset -c 0 on a 2-core machine.
        assert!(
            m(Some(2), 1)
                .one_line()
                .contains(" · 1 usable logical core (of 2 physical) · ")
        );
        assert!(
            m(None, 4)
                .one_line()
                .contains(" · ? physical / 4 logical cores · ")
        );
    }

    #[test]
    fn the_usable_physical_cores_follow_the_cpus_allowed() {
        let m = |physical, logical| MachineInfo {
            physical_cores: physical,
            logical_cores: logical,
            ..MachineInfo::default()
        };
        // SMT: 8 cores, 16 CPUs: the physical count.
        assert_eq!(m(Some(8), 16).usable_physical_cores(), Some(8));
        // `taskset -c 0` on a 16-core machine: one.
        assert_eq!(m(Some(16), 1).usable_physical_cores(), Some(1));
        assert_eq!(m(None, 4).usable_physical_cores(), Some(4));
        assert_eq!(m(Some(2), 0).usable_physical_cores(), Some(2));
        assert_eq!(m(None, 0).usable_physical_cores(), None);
    }

    #[test]
    fn busy_machines_are_flagged() {
        let mut m = MachineInfo {
            logical_cores: 2,
            busy_cores_at_start: Some(0.2),
            ..MachineInfo::default()
        };
        assert_eq!(m.busy_warning(), None);
        m.busy_cores_at_start = Some(1.5);
        let w = m.busy_warning().unwrap();
        assert!(w.contains("used 1.5 of 2 cores"), "{w}");
        m.busy_cores_at_start = None;
        assert_eq!(m.busy_warning(), None);
    }

    #[test]
    fn busy_runs_during_the_sweep_are_what_the_warning_reports() {
        // Files from before pooling: the mean of the runs' own figures, no ticks.
        let quiet = LoadSummary {
            runs: 2,
            busy_runs: 0,
            mean_other_cores: 0.2,
            max_other_cores: 0.3,
            usable_cores: 2.0,
            ..LoadSummary::default()
        };
        let mut m = MachineInfo {
            logical_cores: 2,
            // An old start-of-sweep figure is ignored once per-run figures exist.
            busy_cores_at_start: Some(1.5),
            load_during_runs: Some(quiet.clone()),
            ..MachineInfo::default()
        };
        assert_eq!(m.busy_warning(), None);
        m.load_during_runs = Some(LoadSummary {
            runs: 3,
            busy_runs: 1,
            mean_other_cores: 0.5,
            max_other_cores: 1.1,
            ..quiet
        });
        let w = m.busy_warning().unwrap();
        assert!(w.contains("during 1 of 3 timed runs"), "{w}");
        assert!(w.contains("up to 1.10 of the 2.0 cores"), "{w}");
    }

    #[test]
    fn pooled_verdicts_are_what_the_warning_and_note_report() {
        // Short runs under a hog: every run marked by its cell's pooled ticks.
        let pooled = LoadSummary {
            runs: 60,
            busy_runs: 60,
            mean_other_cores: 1.02,
            max_other_cores: 1.1,
            usable_cores: 2.0,
            ticks_per_cpu: 24.0,
            busy: true,
            unjudged_runs: 0,
        };
        let mut m = MachineInfo {
            load_during_runs: Some(pooled.clone()),
            ..MachineInfo::default()
        };
        let w = m.busy_warning().unwrap();
        assert!(w.contains("during 60 of 60 timed runs"), "{w}");
        assert!(w.contains("1.02 on average"), "{w}");
        assert!(w.contains("marked by their cell's pooled ticks"), "{w}");
        assert_eq!(m.load_unknown_note(), None);
        // Busy by the sweep's pooled ticks alone (no cell held enough): still a warning.
        m.load_during_runs = Some(LoadSummary {
            busy_runs: 0,
            max_other_cores: 0.0,
            unjudged_runs: 60,
            ..pooled.clone()
        });
        let w = m.busy_warning().unwrap();
        assert!(
            w.starts_with("the machine was busy during the timed runs"),
            "{w}"
        );
        assert!(w.contains("1.02 of the 2.0 cores"), "{w}");
        let note = m.load_unknown_note().unwrap();
        assert!(
            note.starts_with("60 of 60 timed runs were too short"),
            "{note}"
        );
        // Too few ticks anywhere: no warning, but no claim of quiet either.
        m.load_during_runs = Some(LoadSummary {
            busy: false,
            ..m.load_during_runs.clone().unwrap()
        });
        assert_eq!(m.busy_warning(), None);
        assert!(m.load_unknown_note().is_some());
        // A file from before pooling: no ticks, no pooled words.
        m.load_during_runs = Some(LoadSummary {
            runs: 1,
            busy_runs: 1,
            mean_other_cores: 1.1,
            max_other_cores: 1.1,
            usable_cores: 2.0,
            ..LoadSummary::default()
        });
        let w = m.busy_warning().unwrap();
        assert!(!w.contains("pooled"), "{w}");
    }

    #[test]
    fn load_summaries_and_samples_of_older_files_still_load() {
        let old: LoadSummary = serde_json::from_str(
            r#"{"runs": 10, "busy_runs": 2, "mean_other_cores": 0.3, "max_other_cores": 1.2,
                "usable_cores": 2.0}"#,
        )
        .unwrap();
        assert_eq!(
            (old.ticks_per_cpu, old.busy, old.unjudged_runs),
            (0.0, false, 0)
        );
        assert!(old.was_busy(), "its busy runs still count");
        let sample: crate::results::Sample =
            serde_json::from_str(r#"{"wall_s": 1.0, "other_load": 1.5, "busy": true}"#).unwrap();
        assert_eq!(sample.busy_basis, BusyBasis::Run);
        // A run judged alone writes no basis; a pooled one does.
        let json = serde_json::to_string(&sample).unwrap();
        assert!(!json.contains("busy_basis"), "{json}");
        let by_cell = crate::results::Sample {
            busy_basis: BusyBasis::TooFewTicks,
            ..sample
        };
        let json = serde_json::to_string(&by_cell).unwrap();
        assert!(json.contains(r#""busy_basis":"too-few-ticks""#), "{json}");
    }

    #[test]
    fn detect_fills_the_basics() {
        let m = MachineInfo::detect();
        assert!(m.logical_cores >= 1);
        assert!(!m.cpu_brand.is_empty());
        assert!(m.memory_bytes > 0);
        assert_eq!(m.load_during_runs, None, "filled in by the sweep");
        assert_eq!(m.build, Some(BuildInfo::of_this_build()));
        assert!(m.cpu_setup.is_some(), "read, each setting known or unknown");
        assert_eq!(m.debug_build_warning().is_some(), cfg!(debug_assertions));
    }

    #[test]
    fn machines_of_older_files_load_without_build_or_cpu_setup() {
        let old: MachineInfo = serde_json::from_str(
            r#"{"cpu_brand": "CPU", "physical_cores": 2, "logical_cores": 2,
                "memory_bytes": 1073741824, "os": "Linux", "kernel": "6.1", "arch": "x86_64",
                "hostname": "h", "load_average": 0.5}"#,
        )
        .unwrap();
        assert_eq!((old.build.as_ref(), old.cpu_setup.as_ref()), (None, None));
        assert_eq!(old.setup_line(), None);
        assert_eq!(old.debug_build_warning(), None, "not known to be debug");
        // Written back, it stays without them.
        let json = serde_json::to_string(&old).unwrap();
        assert!(
            !json.contains("build") && !json.contains("cpu_setup"),
            "{json}"
        );
    }

    #[test]
    fn the_setup_line_says_the_build_and_the_cpus_and_flags_a_debug_build() {
        let build = BuildInfo {
            profile: "release".into(),
            opt_level: "3".into(),
            rustc: "rustc 1.95.0 (59807616e 2026-04-14)".into(),
        };
        let mut m = MachineInfo {
            build: Some(build.clone()),
            cpu_setup: Some(CpuSetup {
                governor: "unknown".into(),
                smt: crate::results::CpuSetting::Off,
                numa_nodes: Some(1),
                ..CpuSetup::default()
            }),
            ..MachineInfo::default()
        };
        assert_eq!(
            m.setup_line().unwrap(),
            "release build (opt-level 3), rustc 1.95.0 (59807616e 2026-04-14) · governor unknown, turbo unknown, SMT off, 1 NUMA node"
        );
        assert_eq!(m.debug_build_warning(), None);
        m.build = Some(BuildInfo {
            profile: "debug".into(),
            ..build
        });
        assert!(
            m.setup_line()
                .unwrap()
                .starts_with("DEBUG BUILD, not for publishing")
        );
        assert!(
            m.debug_build_warning()
                .unwrap()
                .starts_with("debug build: not for publishing")
        );
        // Round trip.
        let back: MachineInfo = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }
}
