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
    /// One-minute load average when the sweep started: other work running at the same time
    /// shows up as noise in every timing.
    pub load_average: Option<f64>,
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
        }
    }

    /// A warning when the machine was busy enough to distort timings (load average above half
    /// the logical cores), for the CLI, the workbench and reports.
    pub fn busy_warning(&self) -> Option<String> {
        let load = self.load_average?;
        (load > 0.5 * self.logical_cores.max(1) as f64).then(|| {
            format!(
                "the machine was busy (load average {load:.1} on {} logical cores): other work competes for the cores, so these timings are noisy and speedups understated",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_machines_are_flagged() {
        let mut m = MachineInfo {
            logical_cores: 2,
            load_average: Some(0.3),
            ..MachineInfo::default()
        };
        assert_eq!(m.busy_warning(), None);
        m.load_average = Some(3.5);
        let w = m.busy_warning().unwrap();
        assert!(w.contains("load average 3.5 on 2 logical cores"), "{w}");
        m.load_average = None;
        assert_eq!(m.busy_warning(), None);
    }

    #[test]
    fn detect_fills_the_basics() {
        let m = MachineInfo::detect();
        assert!(m.logical_cores >= 1);
        assert!(!m.cpu_brand.is_empty());
        assert!(m.memory_bytes > 0);
    }
}
