//! What a run costs besides time: memory of every process the model runs, context switches,
//! CPU migrations, bytes moved between processes (see `engine::proc_stats` for how each is read).

use serde::{Deserialize, Serialize};

use super::CellResult;

/// Memory of one process of the model, read just after a run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcessMemory {
    pub pid: u32,
    /// `parent` (this process: dispatcher, in-process threads) or `worker`.
    pub role: String,
    /// Peak resident set size (`VmHWM`), bytes: of the whole process, over its life; for this
    /// process (`parent`) since the run's start where `rss_at_start_bytes` is stated.
    pub peak_rss_bytes: u64,
    /// Proportional set size (shared pages split among the processes sharing them), bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss_bytes: Option<u64>,
    /// Unique set size (pages only this process maps), bytes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uss_bytes: Option<u64>,
    /// `parent` only: its RSS when the run started, bytes, its high-water mark reset then (so
    /// `peak_rss_bytes` is its peak during the run). Absent in files written before corelab
    /// recorded it and where the kernel refused the reset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rss_at_start_bytes: Option<u64>,
}

/// One run's costs besides time.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RunCosts {
    /// Processes the model ran (this one included).
    pub processes: usize,
    /// Sum of every process's peak RSS, bytes: the whole processes, this one included (in the
    /// workbench its window's memory too).
    pub peak_rss_bytes: u64,
    /// The memory the run added, bytes: this process's peak during the run above its RSS at
    /// the start, plus every worker process's own peak (see `engine::proc_stats`). The same
    /// whichever front end ran it; absent in older files and where the peak could not be reset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub added_rss_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uss_bytes: Option<u64>,
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
    /// CPU migrations (`se.nr_migrations`); absent where the kernel does not expose them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrations: Option<u64>,
    /// Bytes of messages between the parent and its worker processes (both ways).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipc_bytes: Option<u64>,
    /// Each process's memory; kept in memory only (the cell keeps its peak run's).
    #[serde(skip)]
    pub per_process: Vec<ProcessMemory>,
}

/// A cell's costs: medians over its runs, memory of its peak run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CellCosts {
    pub processes: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pss_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uss_bytes: Option<u64>,
    /// Medians per run.
    pub voluntary_switches: u64,
    pub involuntary_switches: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrations: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipc_bytes: Option<u64>,
    /// Each process of the peak run (per worker).
    pub per_process: Vec<ProcessMemory>,
}

/// Sets the cell's `peak_rss_bytes` (largest total over its runs), `added_rss_bytes` (largest
/// over the runs that state one) and `costs` from its samples'
/// costs; a cell whose samples have none keeps what it had.
pub fn summarise(cell: &mut CellResult) {
    let runs: Vec<&RunCosts> = cell
        .samples
        .iter()
        .filter_map(|s| s.costs.as_ref())
        .collect();
    let Some(peak) = runs.iter().max_by_key(|c| c.peak_rss_bytes) else {
        return;
    };
    let all = |f: fn(&RunCosts) -> Option<u64>| -> Option<u64> {
        let v: Option<Vec<u64>> = runs.iter().map(|c| f(c)).collect();
        v.and_then(|v| crate::stats::median_count(&v))
    };
    cell.peak_rss_bytes = Some(peak.peak_rss_bytes);
    cell.added_rss_bytes = runs.iter().filter_map(|c| c.added_rss_bytes).max();
    cell.costs = Some(CellCosts {
        processes: peak.processes,
        pss_bytes: peak.pss_bytes,
        uss_bytes: peak.uss_bytes,
        voluntary_switches: all(|c| Some(c.voluntary_switches)).unwrap_or(0),
        involuntary_switches: all(|c| Some(c.involuntary_switches)).unwrap_or(0),
        migrations: all(|c| c.migrations),
        ipc_bytes: all(|c| c.ipc_bytes),
        per_process: peak.per_process.clone(),
    });
    // Only the cell keeps a per-process list (the samples' is never saved).
    for s in cell.samples.iter_mut().chain(cell.warmups.iter_mut()) {
        if let Some(c) = &mut s.costs {
            c.per_process = Vec::new();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Sample;

    #[test]
    fn the_cell_keeps_the_peak_run_and_median_counts() {
        let mut cell = CellResult::default();
        for (rss, vol) in [(10, 5), (30, 1), (20, 9)] {
            cell.samples.push(Sample {
                costs: Some(RunCosts {
                    processes: 2,
                    peak_rss_bytes: rss,
                    voluntary_switches: vol,
                    per_process: vec![ProcessMemory {
                        peak_rss_bytes: rss,
                        ..ProcessMemory::default()
                    }],
                    ..RunCosts::default()
                }),
                ..Sample::default()
            });
        }
        summarise(&mut cell);
        assert_eq!(cell.peak_rss_bytes, Some(30));
        let c = cell.costs.expect("costs");
        assert_eq!(c.voluntary_switches, 5);
        assert_eq!(c.per_process[0].peak_rss_bytes, 30);
        assert_eq!(c.migrations, None);
        assert!(
            cell.samples
                .iter()
                .all(|s| s.costs.as_ref().is_some_and(|c| c.per_process.is_empty()))
        );
    }
}
