//! How the threads of one run shared the cores and, for `gil-threads`, the emulated GIL.
//!
//! Recorded per sample for the threaded models that can report it (`gil-threads` from its
//! instrumented lock and `getrusage(RUSAGE_THREAD)`, `py-threading` from the worker script), to
//! find out where a GIL-bound run loses time: switch counts, context switches and CPU time per
//! thread. Every field is optional in the file, so older files and other models simply lack it.

use serde::{Deserialize, Serialize};

/// Scheduling counters of one timed run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Scheduling {
    /// The emulated GIL's own counters (`gil-threads` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gil: Option<GilCounters>,
    /// One entry per worker thread, in the order the threads finished.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub threads: Vec<ThreadUsage>,
    /// Voluntary context switches of the whole process during the run (`py-threading`: from
    /// `/proc/self/status`, so the main thread and the pool's threads together).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_voluntary_switches: Option<u64>,
    /// Involuntary context switches of the whole process during the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process_involuntary_switches: Option<u64>,
    /// The interpreter's switch interval (`sys.getswitchinterval()`), seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub switch_interval_s: Option<f64>,
}

/// The emulated GIL's counters over one run (see `engine::model::Gil`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct GilCounters {
    /// Times a thread took the lock (`take_gil`), including each thread's first take.
    pub takes: u64,
    /// Takes that found the lock held and had to wait.
    pub contended_takes: u64,
    /// CPython's `switch_number`: takes by a thread other than the last holder.
    pub switches: u64,
    /// Drop requests set by a waiter after one switch interval without a switch.
    pub drop_requests: u64,
    /// Drops at a checkpoint because a drop request was seen (the eval breaker).
    pub requested_drops: u64,
    /// Drops after which the dropper waited until another thread had taken the lock
    /// (`FORCE_SWITCHING`).
    pub forced_switch_waits: u64,
    /// Total time threads spent waiting to take the lock, seconds.
    pub take_wait_s: f64,
    /// Total time droppers spent in forced-switch waits, seconds.
    pub forced_switch_wait_s: f64,
    /// Total time the lock was held, seconds (at most the run's wall time).
    pub held_s: f64,
}

/// One worker thread over one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ThreadUsage {
    /// CPU time (user + system) of this thread, seconds.
    pub cpu_s: f64,
    /// Times the thread blocked (a lock, a condition variable, a sleep), where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voluntary_switches: Option<u64>,
    /// Times the thread was preempted by the scheduler, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub involuntary_switches: Option<u64>,
    /// Tasks (units) the thread ran, where known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub units: Option<u64>,
    /// Time this thread held the emulated GIL, seconds (`gil-threads` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_s: Option<f64>,
    /// Time this thread waited to take the emulated GIL, seconds (`gil-threads` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub take_wait_s: Option<f64>,
    /// Times this thread took the emulated GIL (`gil-threads` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub takes: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Sample;

    #[test]
    fn a_sample_without_scheduling_is_written_as_before() {
        let sample = Sample {
            wall_s: 1.0,
            cpu_s: 1.0,
            checksum: 7,
            ..Sample::default()
        };
        let json = serde_json::to_string(&sample).expect("serialisable");
        assert!(!json.contains("scheduling"), "{json}");
        let back: Sample = serde_json::from_str(&json).expect("readable");
        assert_eq!(back, sample);
    }

    #[test]
    fn scheduling_round_trips_and_omits_what_is_unknown() {
        let sample = Sample {
            wall_s: 2.0,
            scheduling: Some(Scheduling {
                gil: Some(GilCounters {
                    takes: 9,
                    switches: 4,
                    drop_requests: 3,
                    ..GilCounters::default()
                }),
                threads: vec![ThreadUsage {
                    cpu_s: 0.5,
                    units: Some(3),
                    ..ThreadUsage::default()
                }],
                ..Scheduling::default()
            }),
            ..Sample::default()
        };
        let json = serde_json::to_string(&sample).expect("serialisable");
        assert!(!json.contains("voluntary_switches"), "{json}");
        assert!(!json.contains("process_"), "{json}");
        let back: Sample = serde_json::from_str(&json).expect("readable");
        assert_eq!(back, sample);
    }

    #[test]
    fn the_python_workers_report_reads() {
        let json = r#"{"threads": [{"cpu_s": 0.25, "units": 4, "voluntary_switches": 20,
            "involuntary_switches": 3}, {"cpu_s": 0.5, "units": 4}],
            "switch_interval_s": 0.005, "process_voluntary_switches": 65,
            "process_involuntary_switches": 56}"#;
        let s: Scheduling = serde_json::from_str(json).expect("readable");
        assert_eq!(s.gil, None);
        assert_eq!(s.threads.len(), 2);
        assert_eq!(s.threads[0].voluntary_switches, Some(20));
        assert_eq!(s.threads[1].voluntary_switches, None);
        assert_eq!(s.process_voluntary_switches, Some(65));
        assert_eq!(s.switch_interval_s, Some(0.005));
    }
}
