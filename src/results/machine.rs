use serde::{Deserialize, Serialize};
use std::time::Duration;

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
    /// Cores kept busy by other programs just before the sweep started, from /proc/stat over
    /// a quarter of a second: other work running at the same time is noise in every timing.
    pub busy_cores_at_start: Option<f64>,
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
        }
    }

    /// Samples how busy the machine is right now (blocks for a quarter of a second); the
    /// sweep calls it before its first run.
    pub fn measure_background_load(&mut self) {
        self.busy_cores_at_start = busy_cores(Duration::from_millis(250));
    }

    /// A warning when other programs kept more than half a core busy as the sweep started,
    /// for the CLI, the workbench and reports.
    pub fn busy_warning(&self) -> Option<String> {
        let busy = self.busy_cores_at_start?;
        (busy > 0.5).then(|| {
            format!(
                "the machine was busy (other programs used {busy:.1} of {} cores as the sweep started): they compete for the cores, so these timings are noisy and speedups understated",
                self.logical_cores
            )
        })
    }

    /// One line for status bars and report headers.
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

/// How many cores were busy (not idle or waiting for I/O) over `window`, from the aggregate
/// `cpu` line of /proc/stat. `None` where /proc/stat is not available.
fn busy_cores(window: Duration) -> Option<f64> {
    fn sample() -> Option<(u64, u64)> {
        let stat = std::fs::read_to_string("/proc/stat").ok()?;
        let line = stat.lines().find(|l| l.starts_with("cpu "))?;
        let ticks: Vec<u64> = line
            .split_whitespace()
            .skip(1)
            .filter_map(|t| t.parse().ok())
            .collect();
        // user nice system idle iowait irq softirq steal ...
        let idle = ticks.get(3)? + ticks.get(4).unwrap_or(&0);
        Some((ticks.iter().take(8).sum(), idle))
    }
    let (total0, idle0) = sample()?;
    std::thread::sleep(window);
    let (total1, idle1) = sample()?;
    let total = total1.saturating_sub(total0);
    if total == 0 {
        return None;
    }
    let busy = total.saturating_sub(idle1.saturating_sub(idle0)) as f64 / total as f64;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    Some(busy * cores)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn detect_fills_the_basics() {
        let mut m = MachineInfo::detect();
        m.measure_background_load();
        assert!(m.logical_cores >= 1);
        assert!(!m.cpu_brand.is_empty());
        assert!(m.memory_bytes > 0);
        let busy = m
            .busy_cores_at_start
            .expect("/proc/stat is readable on Linux");
        assert!(
            (0.0..=m.logical_cores as f64 + 0.01).contains(&busy),
            "{busy}"
        );
    }
}
