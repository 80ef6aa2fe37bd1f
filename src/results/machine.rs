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
        }
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
