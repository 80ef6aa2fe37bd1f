//! Task sizes calibrated to a time (`"target_run_s"`): which knob of each task kind scales
//! the work, and the record of a calibration that the results keep.

use serde::{Deserialize, Serialize};

use super::task::{TaskKind, TaskSpec};
use super::validate::limits::{MAX_CPU_SIZE, MAX_INCREMENTS, MAX_PASSES, MAX_SLEEP_MS};

/// One trial run of a calibration: the size tried and how long one sequential run took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalibrationTrial {
    /// The size knob's value in this trial.
    pub size: f64,
    pub wall_s: f64,
}

/// How the task was sized: recorded in the results next to the (calibrated) experiment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Calibration {
    /// The time one run of the experiment's slowest kind of executor (`model`) was sized to
    /// take (`target_run_s`).
    pub target_run_s: f64,
    /// The preset field that was scaled, e.g. `task.cpu.size`.
    pub knob: String,
    /// Its value in the preset, and the value chosen for this machine.
    pub preset_size: f64,
    pub chosen_size: f64,
    /// The model the trial runs used, at one worker (see `engine::calibrate::calibration_model`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<super::ModelKind>,
    /// The trial runs the choice was made from, in order.
    pub trials: Vec<CalibrationTrial>,
    /// Why the calibration failed, when it did (the preset's size was then kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// A memory task's arrays, sized to this machine's last-level cache before the passes were
    /// calibrated (see `engine::resources::memory_arrays`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrays: Option<ArraySizing>,
}

/// How a calibrated memory task's arrays were sized: large enough that the triad streams from
/// memory, not from the cache.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ArraySizing {
    /// `task.memory.array_mib` in the preset, and the size chosen for this machine.
    pub preset_mib: u64,
    pub chosen_mib: u64,
    /// The machine's last-level cache, all instances added up; `None` where it is unknown
    /// (the preset's size is then kept).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache_bytes: Option<u64>,
    /// The size the cache asks for: the three arrays together this many times the cache.
    pub cache_multiple: u64,
    /// Why the chosen size is smaller than the cache asks for, when it is (memory, the
    /// preset limit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited_by: Option<String>,
}

impl ArraySizing {
    /// How many times the last-level cache the three arrays hold together, when it is known.
    pub fn times_cache(&self) -> Option<f64> {
        let cache = self.cache_bytes.filter(|&c| c > 0)?;
        Some(3.0 * (self.chosen_mib << 20) as f64 / cache as f64)
    }

    /// One line for reports: `3 × 400 MiB (preset 64 MiB) = 4.0 × the 300 MiB last-level
    /// cache`.
    pub fn describe(&self) -> String {
        let chosen = match self.chosen_mib == self.preset_mib {
            true => format!("3 × {} MiB (the preset's)", self.chosen_mib),
            false => format!(
                "3 × {} MiB (preset {} MiB)",
                self.chosen_mib, self.preset_mib
            ),
        };
        let cache = match (self.cache_bytes, self.times_cache()) {
            (Some(c), Some(x)) => format!(
                " = {x:.1} × the {} MiB last-level cache (wanted at least {} ×)",
                c >> 20,
                self.cache_multiple
            ),
            _ => ", last-level cache unknown".to_string(),
        };
        let limit = self
            .limited_by
            .as_ref()
            .map_or(String::new(), |why| format!("; limited by {why}"));
        format!("arrays {chosen}{cache}{limit}")
    }
}

impl TaskSpec {
    /// The preset field that sizes this kind of task, with its value; `None` for kinds that
    /// cannot be sized by a number.
    pub fn size_knob(&self) -> Option<(&'static str, f64)> {
        #[allow(unreachable_patterns)]
        match self.kind {
            TaskKind::Cpu => Some(("task.cpu.size", self.cpu.size as f64)),
            TaskKind::Io => Some(("task.io.sleep_ms", self.io.sleep_ms)),
            TaskKind::Memory => Some(("task.memory.passes", f64::from(self.memory.passes))),
            TaskKind::Contention => Some((
                "task.contention.increments",
                self.contention.increments as f64,
            )),
            TaskKind::Mixed => Some(("task.mixed.compute_ms", self.mixed.compute_ms)),
            _ => None,
        }
    }

    /// The same task with its size knob set to `size` (rounded and kept within the preset
    /// limits; a mixed task keeps its compute/wait ratio).
    pub fn with_size(&self, size: f64) -> TaskSpec {
        let mut t = self.clone();
        let whole = |max: f64| size.round().clamp(1.0, max);
        #[allow(unreachable_patterns)]
        match self.kind {
            TaskKind::Cpu => t.cpu.size = whole(MAX_CPU_SIZE as f64) as u64,
            TaskKind::Io => t.io.sleep_ms = size.clamp(0.001, MAX_SLEEP_MS),
            TaskKind::Memory => t.memory.passes = whole(f64::from(MAX_PASSES)) as u32,
            TaskKind::Contention => {
                t.contention.increments = whole(MAX_INCREMENTS as f64) as u64;
            }
            TaskKind::Mixed => {
                let compute = size.clamp(0.001, MAX_SLEEP_MS);
                if self.mixed.compute_ms > 0.0 {
                    t.mixed.wait_ms = (self.mixed.wait_ms * compute / self.mixed.compute_ms)
                        .clamp(0.0, MAX_SLEEP_MS);
                }
                t.mixed.compute_ms = compute;
            }
            _ => {}
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_scales_its_own_knob() {
        let mut t = TaskSpec::default();
        assert_eq!(t.size_knob().map(|k| k.0), Some("task.cpu.size"));
        assert_eq!(t.with_size(1234.4).cpu.size, 1234);
        assert_eq!(t.with_size(0.0).cpu.size, 1);
        t.kind = TaskKind::Contention;
        assert_eq!(t.with_size(5e12).contention.increments, MAX_INCREMENTS);
        t.kind = TaskKind::Mixed;
        t.mixed.compute_ms = 2.0;
        t.mixed.wait_ms = 6.0;
        let m = t.with_size(1.0).mixed;
        assert_eq!((m.compute_ms, m.wait_ms), (1.0, 3.0));
    }
}
