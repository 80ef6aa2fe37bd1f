//! The timeline a Python worker reports with each run (`done.timeline`, see
//! `assets/python/corelab_worker.py`), checked field by field and turned into the run's
//! [`Timeline`]: one lane per worker thread, pool process or asyncio slot.
//!
//! The worker stamps each unit with `time.monotonic_ns()` (`CLOCK_MONOTONIC`, the clock of
//! [`crate::sys::monotonic_ns`]) when it starts and ends, and around each of its waits.

use std::collections::HashSet;

use serde::Deserialize;

use crate::preset::{ModelKind, limits};
use crate::results::Timeline;

/// Stamps may lie this far past the run's end (`wall_s` is a rounded float of the same clock).
const END_SLACK_NS: u64 = 1_000_000;
/// Most waits one unit may report.
const MAX_WAITS_PER_UNIT: usize = 64;

/// `done.timeline` as the worker sends it.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PyTimeline {
    /// `CLOCK_MONOTONIC` nanoseconds when the run's timed region started.
    start_ns: u64,
    /// Each lane's identity: native thread id (a pool process's main thread id is its pid), or
    /// the asyncio slot number, in the order the lanes first started a unit.
    lanes: Vec<u64>,
    /// `[lane index, unit, start_ns, end_ns, [[wait start, wait end], ...]]`.
    units: Vec<PyUnit>,
}

type PyUnit = (u32, u32, u64, u64, Vec<(u64, u64)>);

/// Parses and checks a `done.timeline` object as the worker sends it: what the Python models
/// do with each reply (public for the protocol fuzz target).
pub fn decode(
    json: &str,
    model: ModelKind,
    workers: usize,
    wall_ns: u64,
) -> Result<Timeline, String> {
    let t: PyTimeline =
        serde_json::from_str(json).map_err(|e| format!("malformed timeline: {e}"))?;
    t.into_timeline(model, workers, wall_ns)
}

impl PyTimeline {
    /// The run's timeline, relative to its start, for `model` with `workers` workers and a
    /// wall time of `wall_ns`. Refuses a lane index, unit or stamp that does not fit: more lanes
    /// than workers, a lane named twice, a unit twice, a unit beyond the task limit, a stamp
    /// outside the run, an end before its start, waits out of order or outside their unit.
    pub fn into_timeline(
        self,
        model: ModelKind,
        workers: usize,
        wall_ns: u64,
    ) -> Result<Timeline, String> {
        if self.lanes.len() > workers {
            return Err(format!(
                "timeline: {} lanes for {workers} workers",
                self.lanes.len()
            ));
        }
        let mut seen = HashSet::new();
        if let Some(lane) = self.lanes.iter().find(|l| !seen.insert(**l)) {
            return Err(format!("timeline: lane {lane} named twice"));
        }
        let run_end = self
            .start_ns
            .saturating_add(wall_ns)
            .saturating_add(END_SLACK_NS);
        let inside = |ns: u64| ns >= self.start_ns && ns <= run_end;
        let mut units = HashSet::new();
        let mut spans = Vec::new();
        for (lane, unit, start, end, waits) in &self.units {
            let (lane, unit, start, end) = (*lane, *unit, *start, *end);
            if lane as usize >= self.lanes.len() {
                return Err(format!(
                    "timeline: unit {unit} on lane {lane} of {}",
                    self.lanes.len()
                ));
            }
            if unit >= limits::MAX_TASKS {
                return Err(format!(
                    "timeline: unit {unit} must be below {}",
                    limits::MAX_TASKS
                ));
            }
            if !units.insert(unit) {
                return Err(format!("timeline: unit {unit} reported twice"));
            }
            if !(inside(start) && inside(end) && start <= end) {
                return Err(format!(
                    "timeline: unit {unit} from {start} to {end} ns is not inside the run ({} to {run_end} ns): {}",
                    self.start_ns,
                    self.misfit(start, end, wall_ns)
                ));
            }
            if waits.len() > MAX_WAITS_PER_UNIT {
                return Err(format!(
                    "timeline: unit {unit} reports {} waits (at most {MAX_WAITS_PER_UNIT})",
                    waits.len()
                ));
            }
            let mut at = start;
            for &(a, b) in waits {
                if !(at <= a && a <= b && b <= end) {
                    return Err(format!(
                        "timeline: unit {unit}'s wait from {a} to {b} ns is out of order or outside the unit ({start} to {end} ns)"
                    ));
                }
                at = b;
            }
            let rel = |ns: u64| ns - self.start_ns;
            let waits: Vec<(u64, u64)> = waits.iter().map(|&(a, b)| (rel(a), rel(b))).collect();
            spans.extend(Timeline::task_spans(
                lane,
                Some(unit),
                rel(start),
                rel(end),
                &waits,
            ));
        }
        Ok(Timeline {
            sample: None,
            wall_ns,
            workers: lane_names(model, &self.lanes),
            spans,
        })
    }
}

impl PyTimeline {
    /// What is wrong with a unit's stamps `start` to `end` in a run of `wall_ns`, in
    /// milliseconds from the run's start: "it ends at 15.412 ms, 3.411 ms after the run's end
    /// at 12.001 ms (1 ms of slack)".
    fn misfit(&self, start: u64, end: u64, wall_ns: u64) -> String {
        let ms = |ns: u64| (ns as f64 - self.start_ns as f64) / 1e6;
        let wall_ms = wall_ns as f64 / 1e6;
        if start < self.start_ns {
            format!(
                "it starts {:.3} ms before the run's start",
                (self.start_ns - start) as f64 / 1e6
            )
        } else if end < start {
            format!(
                "it ends at {:.3} ms, before its start at {:.3} ms",
                ms(end),
                ms(start)
            )
        } else {
            format!(
                "it ends at {:.3} ms, {:.3} ms after the run's end at {wall_ms:.3} ms ({} ms of slack)",
                ms(end),
                ms(end) - wall_ms,
                END_SLACK_NS as f64 / 1e6
            )
        }
    }
}

/// `python thread 0`, `process 0 (pid 1234)`, `asyncio slot 0`, `dask worker 0 (thread 1234)`,
/// `mpi rank worker 0 (thread 1234)`.
fn lane_names(model: ModelKind, lanes: &[u64]) -> Vec<String> {
    lanes
        .iter()
        .enumerate()
        .map(|(i, id)| match model {
            ModelKind::PyMultiprocessing => format!("process {i} (pid {id})"),
            ModelKind::PyAsyncio => format!("asyncio slot {id}"),
            ModelKind::PyDask => format!("dask worker {i} (thread {id})"),
            ModelKind::PyMpi => format!("mpi rank worker {i} (thread {id})"),
            _ => format!("python thread {i}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::SpanState;

    fn parse(json: &str) -> Result<PyTimeline, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn units_become_computing_and_io_spans_on_named_lanes() {
        let t = parse(
            r#"{"start_ns": 1000, "lanes": [77, 55],
                "units": [[0, 0, 1010, 1100, [[1020, 1090]]], [1, 1, 1005, 1050, []]]}"#,
        )
        .expect("valid");
        let t = t
            .into_timeline(ModelKind::PyMultiprocessing, 2, 100)
            .expect("fits");
        assert_eq!(t.workers, ["process 0 (pid 77)", "process 1 (pid 55)"]);
        assert_eq!(
            t.lane(0)
                .iter()
                .map(|s| (s.state, s.start_ns, s.end_ns))
                .collect::<Vec<_>>(),
            vec![
                (SpanState::Computing, 10, 20),
                (SpanState::Io, 20, 90),
                (SpanState::Computing, 90, 100)
            ]
        );
        assert_eq!(t.lane(1).len(), 1);
        assert_eq!(t.lane(1)[0].task, Some(1));
        assert_eq!(
            lane_names(ModelKind::PyThreading, &[9]),
            ["python thread 0"]
        );
        assert_eq!(lane_names(ModelKind::PyAsyncio, &[3]), ["asyncio slot 3"]);
        assert_eq!(
            lane_names(ModelKind::PyDask, &[41, 42]),
            ["dask worker 0 (thread 41)", "dask worker 1 (thread 42)"]
        );
        assert_eq!(
            lane_names(ModelKind::PyMpi, &[7]),
            ["mpi rank worker 0 (thread 7)"]
        );
    }

    /// The shape that failed once under load (py-asyncio, two units of a 4 ms sleep): the
    /// worker stamped the run's start (`start_ns`), was preempted for 3 ms, then started the
    /// wall time on a second read of the clock, so the wall time came out 3 ms short and the
    /// last unit ended past the run's end. The refusal says by how much, in milliseconds from
    /// the run's start; the same timeline with the wall time measured from `start_ns` (as the
    /// worker's `RunClock` now does) fits.
    #[test]
    fn a_unit_ending_past_a_short_wall_time_is_refused_with_its_overrun() {
        let t0 = 5_000_000_000u64;
        let json = format!(
            r#"{{"start_ns": {t0}, "lanes": [0], "units": [[0, 0, {a}, {b}, [[{a1}, {b1}]]], [0, 1, {b}, {c}, [[{b2}, {c1}]]]]}}"#,
            a = t0 + 3_100_000,
            a1 = t0 + 3_200_000,
            b1 = t0 + 7_300_000,
            b = t0 + 7_400_000,
            b2 = t0 + 7_500_000,
            c1 = t0 + 11_900_000,
            c = t0 + 12_000_000,
        );
        let short_wall_ns = 9_000_000;
        let e = decode(&json, ModelKind::PyAsyncio, 1, short_wall_ns).expect_err("past the end");
        assert!(e.contains("unit 1 from"), "{e}");
        assert!(
            e.contains(
                "it ends at 12.000 ms, 3.000 ms after the run's end at 9.000 ms (1 ms of slack)"
            ),
            "{e}"
        );
        let t = decode(&json, ModelKind::PyAsyncio, 1, 12_000_000).expect("fits");
        assert_eq!(t.workers, ["asyncio slot 0"]);
        assert_eq!(t.lane(0).last().map(|s| s.end_ns), Some(12_000_000));
        // The other two ways out of the run say which they are.
        let early = format!(
            r#"{{"start_ns": {t0}, "lanes": [0], "units": [[0, 0, {}, {}, []]]}}"#,
            t0 - 2_000_000,
            t0 + 1_000_000
        );
        let e = decode(&early, ModelKind::PyAsyncio, 1, 12_000_000).expect_err("early");
        assert!(
            e.contains("it starts 2.000 ms before the run's start"),
            "{e}"
        );
        let backwards = format!(
            r#"{{"start_ns": {t0}, "lanes": [0], "units": [[0, 0, {}, {}, []]]}}"#,
            t0 + 5_000_000,
            t0 + 4_000_000
        );
        let e = decode(&backwards, ModelKind::PyAsyncio, 1, 12_000_000).expect_err("backwards");
        assert!(
            e.contains("it ends at 4.000 ms, before its start at 5.000 ms"),
            "{e}"
        );
    }

    #[test]
    fn every_field_is_checked() {
        let ok = r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 1000, 1100, []]]}"#;
        assert!(
            parse(ok)
                .expect("valid")
                .into_timeline(ModelKind::PyThreading, 1, 100)
                .is_ok()
        );
        let refused = |json: &str, workers: usize, wanted: &str| {
            let e = match parse(json) {
                Err(e) => e,
                Ok(t) => t
                    .into_timeline(ModelKind::PyThreading, workers, 100)
                    .expect_err(json),
            };
            assert!(e.contains(wanted), "{json}: {e}");
        };
        // Unknown fields, wrong types, negative stamps, a missing field.
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [], "extra": 1}"#,
            1,
            "unknown field",
        );
        refused(
            r#"{"start_ns": -1, "lanes": [], "units": []}"#,
            1,
            "invalid",
        );
        refused(r#"{"start_ns": 1000, "lanes": [1]}"#, 1, "missing field");
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 1000]]}"#,
            1,
            "invalid length",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1, 2], "units": []}"#,
            1,
            "2 lanes for 1 workers",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1, 1], "units": []}"#,
            2,
            "named twice",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[1, 0, 1000, 1100, []]]}"#,
            1,
            "on lane 1 of 1",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 1000, 1010, []], [0, 0, 1020, 1030, []]]}"#,
            1,
            "reported twice",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 4000000000, 1000, 1010, []]]}"#,
            1,
            "must be below",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 999, 1010, []]]}"#,
            1,
            "not inside the run",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 1000, 9999999, []]]}"#,
            1,
            "not inside the run",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 1050, 1010, []]]}"#,
            1,
            "not inside the run",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 1000, 1100, [[1050, 1060], [1040, 1045]]]]}"#,
            1,
            "out of order",
        );
        refused(
            r#"{"start_ns": 1000, "lanes": [1], "units": [[0, 0, 1000, 1100, [[1050, 1200]]]]}"#,
            1,
            "outside the unit",
        );
    }
}
