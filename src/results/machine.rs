use serde::{Deserialize, Serialize};
use sysinfo::{CpuRefreshKind, MemoryRefreshKind, RefreshKind, System};

/// The machine a sweep ran on, as recorded in every results file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct MachineInfo {
    pub cpu_brand: String,
    pub physical_cores: Option<usize>,
    pub logical_cores: usize,
    pub memory_bytes: u64,
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
}

/// The sweep-level summary of the load other programs put on the machine during the timed
/// runs (each run's own figure is `Sample::other_load`, its mark `Sample::busy`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LoadSummary {
    /// Timed runs with a load figure.
    pub runs: usize,
    /// Runs during which other programs left fewer free cores than the run could use.
    pub busy_runs: usize,
    /// Mean and largest other load over the runs, in cores.
    pub mean_other_cores: f64,
    pub max_other_cores: f64,
    /// Cores this process could use: its CPU affinity, capped by a cgroup `cpu.max` quota.
    pub usable_cores: f64,
}

impl LoadSummary {
    /// Adds one run's figure.
    pub fn add(&mut self, other_cores: f64, usable_cores: f64, busy: bool) {
        // Rounded to 1/10 000 of a core: finer is noise, and short decimals read back from
        // JSON exactly.
        self.mean_other_cores = round_cores(
            (self.mean_other_cores * self.runs as f64 + other_cores) / (self.runs + 1) as f64,
        );
        self.runs += 1;
        self.busy_runs += usize::from(busy);
        self.max_other_cores = round_cores(self.max_other_cores.max(other_cores));
        self.usable_cores = round_cores(usable_cores);
    }
}

/// A load figure rounded to 1/10 000 of a core (see [`LoadSummary::add`]).
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
            os: System::long_os_version().unwrap_or_else(|_| std::env::consts::OS.into()),
            kernel: System::kernel_version().unwrap_or_default(),
            arch: System::cpu_arch(),
            hostname: System::host_name().unwrap_or_default(),
            load_average: System::load_average().ok().map(|l| l.one),
            busy_cores_at_start: None,
            load_during_runs: None,
        }
    }

    /// A warning when other programs competed for the cores during timed runs (or, in files
    /// from before per-run sampling, kept more than half a core busy as the sweep started),
    /// for the CLI, the workbench and reports.
    pub fn busy_warning(&self) -> Option<String> {
        if let Some(load) = &self.load_during_runs {
            return (load.busy_runs > 0).then(|| {
                format!(
                    "the machine was busy during {} of {} timed runs (other programs used up to {:.1} of the {:.1} cores this sweep could use, {:.2} on average): those runs are marked busy in the results, and their timings are noisy and speedups understated",
                    load.busy_runs,
                    load.runs,
                    load.max_other_cores,
                    load.usable_cores,
                    load.mean_other_cores
                )
            });
        }
        let busy = self.busy_cores_at_start?;
        (busy > 0.5).then(|| {
            format!(
                "the machine was busy (other programs used {busy:.1} of {} cores as the sweep started): they compete for the cores, so these timings are noisy and speedups understated",
                self.logical_cores
            )
        })
    }

    /// One line for status bars and report headers.
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

    pub fn one_line(&self) -> String {
        let physical = self
            .physical_cores
            .map_or_else(|| "?".to_string(), |p| p.to_string());
        format!(
            "{} · {} physical / {} logical cores · {:.1} GiB · {}",
            self.cpu_brand,
            physical,
            self.logical_cores,
            self.memory_bytes as f64 / (1u64 << 30) as f64,
            self.os
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mut load = LoadSummary::default();
        load.add(0.1, 2.0, false);
        load.add(0.3, 2.0, false);
        let mut m = MachineInfo {
            logical_cores: 2,
            // An old start-of-sweep figure is ignored once per-run figures exist.
            busy_cores_at_start: Some(1.5),
            load_during_runs: Some(load.clone()),
            ..MachineInfo::default()
        };
        assert_eq!(m.busy_warning(), None);
        load.add(1.1, 2.0, true);
        assert_eq!(load.runs, 3);
        assert_eq!(load.busy_runs, 1);
        assert_eq!(load.mean_other_cores, 0.5);
        assert_eq!(load.max_other_cores, 1.1);
        m.load_during_runs = Some(load);
        let w = m.busy_warning().unwrap();
        assert!(w.contains("during 1 of 3 timed runs"), "{w}");
        assert!(w.contains("up to 1.1 of the 2.0 cores"), "{w}");
    }

    #[test]
    fn detect_fills_the_basics() {
        let m = MachineInfo::detect();
        assert!(m.logical_cores >= 1);
        assert!(!m.cpu_brand.is_empty());
        assert!(m.memory_bytes > 0);
        assert_eq!(m.load_during_runs, None, "filled in by the sweep");
    }
}
