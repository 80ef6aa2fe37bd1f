//! What ran a cluster model's tasks (`py-dask`, `py-mpi`), recorded per cell.

use serde::{Deserialize, Serialize};

/// The scheduler or launcher of a cell and the workers it used.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterInfo {
    /// `dask` or `mpi`.
    pub engine: String,
    /// Dask: the scheduler's address; MPI: the library (`Open MPI 4.1.4`).
    pub scheduler: String,
    /// Dask's dashboard link (empty when there is none).
    pub dashboard: String,
    /// Whether corelab started the cluster itself (an embedded `LocalCluster`).
    pub embedded: bool,
    /// The workers the tasks were restricted to.
    pub workers: Vec<ClusterWorker>,
}

/// One worker (a Dask worker, an MPI rank).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ClusterWorker {
    /// Dask: `tcp://host:port`; MPI: `rank N`.
    pub address: String,
    pub host: String,
    pub threads: u32,
    /// Dask's memory limit of the worker, bytes (0: unknown or none).
    pub memory_bytes: u64,
}

impl ClusterInfo {
    /// "dask at tcp://127.0.0.1:8786, 4 workers on 2 hosts (dashboard http://…)".
    pub fn describe(&self) -> String {
        let mut hosts: Vec<&str> = self.workers.iter().map(|w| w.host.as_str()).collect();
        hosts.sort_unstable();
        hosts.dedup();
        let mut text = format!(
            "{} at {}, {} workers on {}",
            self.engine,
            self.scheduler,
            self.workers.len(),
            crate::words::count(hosts.len(), "host")
        );
        if !self.dashboard.is_empty() {
            text.push_str(&format!(" (dashboard {})", self.dashboard));
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_counts_distinct_hosts_and_shows_the_dashboard() {
        let w = |host: &str| ClusterWorker {
            host: host.into(),
            threads: 1,
            ..ClusterWorker::default()
        };
        let info = ClusterInfo {
            engine: "dask".into(),
            scheduler: "tcp://10.0.0.1:8786".into(),
            dashboard: "http://10.0.0.1:8787/status".into(),
            embedded: false,
            workers: vec![w("a"), w("b"), w("a")],
        };
        assert_eq!(
            info.describe(),
            "dask at tcp://10.0.0.1:8786, 3 workers on 2 hosts (dashboard http://10.0.0.1:8787/status)"
        );
    }
}
