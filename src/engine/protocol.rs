//! The JSON-lines protocol between the parent and `corelab worker` children.
//!
//! One message per line. The child greets with `ready`; the parent sends `configure` before
//! a run (untimed), then `unit` messages, each naming one unit or a run of `count` consecutive
//! units; the child answers each unit with `done` (the answers to one message are written
//! together) or stops at the first `failed`. Closing the child's stdin (or `shutdown`) ends it.

use serde::{Deserialize, Serialize};

use super::workload::{self, RunEnv};
use crate::preset::{TaskSpec, limits};

/// Longest line either side accepts; anything longer is malformed output.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum ToWorker {
    Configure {
        task: Box<TaskSpec>,
        env: RunEnv,
    },
    Unit {
        /// The first unit to run.
        unit: usize,
        /// How many consecutive units, `unit..unit + count` (1 when absent), at most
        /// [`MAX_UNITS_PER_MESSAGE`]; more than one only without a payload, so every unit's
        /// input still crosses the pipe on its own.
        #[serde(default = "one", skip_serializing_if = "is_one")]
        count: usize,
        /// Each unit's own deadline, counted from when the child starts it.
        deadline_ms: u64,
        /// The task's input data, hex (`task.payload_kib`), when it carries any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
    },
    Shutdown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum FromWorker {
    Ready {
        pid: u32,
        version: String,
    },
    Configured,
    Done {
        unit: usize,
        checksum: u64,
        cpu_ns: u64,
        /// `CLOCK_MONOTONIC` nanoseconds when the worker started and finished the unit (the
        /// clock is system-wide, so the parent compares them with its own stamps).
        #[serde(default)]
        start_ns: u64,
        #[serde(default)]
        end_ns: u64,
        /// When the unit waited (slept, did blocking I/O), `CLOCK_MONOTONIC` nanoseconds, in
        /// order, inside `start_ns..=end_ns`, at most [`MAX_WAITS`] (see
        /// [`crate::engine::wait_recorder`]).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        waits: Vec<(u64, u64)>,
        /// The task's output data, hex, as large as its input.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload: Option<String>,
    },
    Failed {
        unit: Option<usize>,
        message: String,
    },
}

pub use super::wait_recorder::MAX_WAITS;

/// Most units one `unit` message may name.
pub const MAX_UNITS_PER_MESSAGE: usize = 64;

fn one() -> usize {
    1
}

/// What [`read_line_within_limit`] read.
#[derive(Debug, PartialEq, Eq)]
pub enum LineRead {
    /// The stream ended.
    End,
    /// A line of this many bytes (its newline included) is in the buffer.
    Line(usize),
    /// More than [`MAX_LINE_BYTES`] came without a newline; reading stopped there.
    TooLong,
}

/// Reads one message line into `line` (cleared first), at most [`MAX_LINE_BYTES`] plus one
/// byte: a peer that sends a line with no end is caught at the limit instead of buffered
/// until memory runs out. Both ends of the worker protocol read this way.
pub fn read_line_within_limit<R: std::io::BufRead>(
    reader: &mut std::io::Take<R>,
    line: &mut String,
) -> std::io::Result<LineRead> {
    use std::io::BufRead;
    line.clear();
    reader.set_limit(MAX_LINE_BYTES as u64 + 1);
    Ok(match reader.read_line(line)? {
        0 => LineRead::End,
        _ if !line.ends_with('\n') && line.len() > MAX_LINE_BYTES => LineRead::TooLong,
        n => LineRead::Line(n),
    })
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

/// Parses one line from a worker, describing what was wrong if it is not a valid message.
pub fn decode_from_worker(line: &str) -> Result<FromWorker, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!(
            "a {}-byte line (limit {MAX_LINE_BYTES})",
            line.len()
        ));
    }
    let msg: FromWorker = serde_json::from_str(line).map_err(|e| {
        let shown: String = line.chars().take(120).collect();
        format!("malformed message {shown:?}: {e}")
    })?;
    validate_from_worker(&msg)?;
    Ok(msg)
}

/// Checks a reply's stamps: a unit's waits at most [`MAX_WAITS`], in order, each inside the
/// unit's `start_ns..=end_ns`.
pub fn validate_from_worker(msg: &FromWorker) -> Result<(), String> {
    if let FromWorker::Done {
        unit,
        start_ns,
        end_ns,
        waits,
        ..
    } = msg
    {
        if waits.len() > MAX_WAITS {
            return Err(format!(
                "unit {unit}: {} waits (at most {MAX_WAITS})",
                waits.len()
            ));
        }
        let mut at = *start_ns;
        for &(a, b) in waits {
            if !(at <= a && a <= b && b <= *end_ns) {
                return Err(format!(
                    "unit {unit}: a wait from {a} to {b} ns out of order or outside the unit ({start_ns} to {end_ns} ns)"
                ));
            }
            at = b;
        }
    }
    Ok(())
}

/// Longest deadline a `unit` request may carry: the longest run timeout a preset allows.
pub const MAX_DEADLINE_MS: u64 = (limits::MAX_TIMEOUT_S * 1000.0) as u64;

/// Parses one line from the parent and validates every field (see [`validate_to_worker`]).
pub fn decode_to_worker(line: &str) -> Result<ToWorker, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!(
            "a {}-byte line (limit {MAX_LINE_BYTES})",
            line.len()
        ));
    }
    let msg: ToWorker =
        serde_json::from_str(line).map_err(|e| format!("malformed request: {e}"))?;
    validate_to_worker(&msg)?;
    Ok(msg)
}

/// Checks a request's fields beyond their JSON types: the task and worker count in the ranges
/// a preset allows (so every size a workload computes fits, and every duration is finite and
/// non-negative), absolute paths with the shared counter inside the scratch directory, a
/// deadline from 1 ms to [`MAX_DEADLINE_MS`], a unit index below [`limits::MAX_TASKS`].
pub fn validate_to_worker(msg: &ToWorker) -> Result<(), String> {
    match msg {
        ToWorker::Configure { task, env } => {
            // The processes model never sends the user's own programs or functions (they run
            // in-process or in Python): a worker that accepted them would run whatever program
            // a request named.
            if matches!(
                task.kind,
                crate::preset::TaskKind::Command | crate::preset::TaskKind::Function
            ) {
                return Err(format!(
                    "`task.kind` = {:?}: a worker runs only corelab's own workloads",
                    task.kind.to_string()
                ));
            }
            workload::validate(task, env)?;
            if !env.scratch_dir.is_absolute() {
                return Err(format!(
                    "`env.scratch_dir` = {:?}: must be an absolute path",
                    env.scratch_dir
                ));
            }
            if let Some(shared) = &env.shared_file
                && (shared.parent() != Some(env.scratch_dir.as_path())
                    || shared.file_name().is_none())
            {
                return Err(format!(
                    "`env.shared_file` = {shared:?}: must be a file directly in the scratch directory {:?}",
                    env.scratch_dir
                ));
            }
            Ok(())
        }
        ToWorker::Unit {
            unit,
            count,
            deadline_ms,
            payload,
        } => {
            if *unit >= limits::MAX_TASKS as usize {
                return Err(format!(
                    "`unit` = {unit}: must be below {}",
                    limits::MAX_TASKS
                ));
            }
            if *count == 0 || *count > MAX_UNITS_PER_MESSAGE {
                return Err(format!(
                    "`count` = {count}: must be between 1 and {MAX_UNITS_PER_MESSAGE}"
                ));
            }
            if unit + count > limits::MAX_TASKS as usize {
                return Err(format!(
                    "`unit` + `count` = {}: the last unit must be below {}",
                    unit + count,
                    limits::MAX_TASKS
                ));
            }
            if *count > 1 && payload.is_some() {
                return Err(format!(
                    "`count` = {count} with a payload: a unit with input data is sent on its own"
                ));
            }
            if *deadline_ms == 0 || *deadline_ms > MAX_DEADLINE_MS {
                return Err(format!(
                    "`deadline_ms` = {deadline_ms}: must be between 1 and {MAX_DEADLINE_MS}"
                ));
            }
            Ok(())
        }
        ToWorker::Shutdown => Ok(()),
    }
}

pub fn encode<T: Serialize>(msg: &T) -> String {
    let mut line = serde_json::to_string(msg).expect("protocol messages always serialise");
    line.push('\n');
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_round_trip() {
        let msg = FromWorker::Done {
            unit: 3,
            checksum: u64::MAX,
            cpu_ns: 12,
            start_ns: 5,
            end_ns: 17,
            waits: vec![(6, 8), (8, 17)],
            payload: Some("00ff".into()),
        };
        assert_eq!(decode_from_worker(encode(&msg).trim_end()).unwrap(), msg);
    }

    #[test]
    fn waits_must_be_in_order_inside_their_unit_and_few() {
        let done = |waits: serde_json::Value| {
            serde_json::json!({"op": "done", "unit": 1, "checksum": 0, "cpu_ns": 0,
                "start_ns": 10, "end_ns": 20, "waits": waits})
            .to_string()
        };
        assert!(decode_from_worker(&done(serde_json::json!([]))).is_ok());
        assert!(decode_from_worker(&done(serde_json::json!([[10, 12], [15, 20]]))).is_ok());
        for (waits, wanted) in [
            (serde_json::json!([[9, 12]]), "outside the unit"),
            (serde_json::json!([[12, 21]]), "outside the unit"),
            (serde_json::json!([[14, 12]]), "out of order"),
            (serde_json::json!([[15, 16], [12, 13]]), "out of order"),
            (serde_json::json!([[12]]), "malformed"),
            (serde_json::json!([[12, -13]]), "malformed"),
            (
                serde_json::json!(vec![[10, 10]; MAX_WAITS + 1]),
                "waits (at most",
            ),
        ] {
            let e = decode_from_worker(&done(waits.clone())).expect_err("refused");
            assert!(e.contains(wanted), "{waits}: {e}");
        }
    }

    #[test]
    fn garbage_is_reported_not_panicked() {
        let err = decode_from_worker("Segmentation fault (core dumped)").unwrap_err();
        assert!(err.contains("malformed"), "{err}");
        assert!(decode_from_worker(r#"{"op":"done","unit":-1}"#).is_err());
        assert!(decode_from_worker(&"[".repeat(10_000)).is_err());
    }

    fn configure_line(task: serde_json::Value, workers: u64) -> String {
        let mut full = serde_json::to_value(TaskSpec::default()).unwrap();
        for (k, v) in task.as_object().unwrap() {
            full[k] = v.clone();
        }
        serde_json::json!({
            "op": "configure",
            "task": full,
            "env": {"workers": workers, "scratch_dir": "/tmp/x", "shared_file": null},
        })
        .to_string()
    }

    #[test]
    fn out_of_range_fields_are_rejected_without_panic() {
        let ok = configure_line(serde_json::json!({"kind": "cpu"}), 2);
        assert!(decode_to_worker(&ok).is_ok(), "{ok}");
        let bad = [
            // 2^44 MiB: the byte count wraps to zero in 64 bits.
            (
                serde_json::json!({"kind": "memory", "memory": {"array_mib": 1u64 << 44, "passes": 1}}),
                1,
                "array_mib",
            ),
            (
                serde_json::json!({"kind": "io", "io": {"mode": "sleep", "sleep_ms": -5.0, "file_kib": 1}}),
                1,
                "sleep_ms",
            ),
            (
                serde_json::json!({"kind": "io", "io": {"mode": "sleep", "sleep_ms": 1e300, "file_kib": 1}}),
                1,
                "sleep_ms",
            ),
            (
                serde_json::json!({"kind": "mixed", "mixed": {"compute_ms": -1.0, "wait_ms": 1.0}}),
                1,
                "compute_ms",
            ),
            (serde_json::json!({"kind": "cpu", "tasks": 0}), 1, "tasks"),
            (serde_json::json!({"kind": "cpu"}), 0, "workers"),
            (serde_json::json!({"kind": "cpu"}), 1 << 40, "workers"),
        ];
        for (task, workers, field) in bad {
            let line = configure_line(task, workers);
            let err = decode_to_worker(&line).unwrap_err();
            assert!(err.contains(field), "{field}: {err}");
        }
        let unit = |unit: u64, deadline: u64| {
            format!(r#"{{"op":"unit","unit":{unit},"deadline_ms":{deadline}}}"#)
        };
        assert!(decode_to_worker(&unit(0, 1000)).is_ok());
        assert!(
            decode_to_worker(&unit(0, u64::MAX))
                .unwrap_err()
                .contains("deadline_ms")
        );
        assert!(
            decode_to_worker(&unit(0, 0))
                .unwrap_err()
                .contains("deadline_ms")
        );
        assert!(
            decode_to_worker(&unit(u64::MAX, 10))
                .unwrap_err()
                .contains("unit")
        );
    }

    #[test]
    fn a_message_names_one_unit_or_a_bounded_run_of_units_without_payload() {
        let units = |first: u64, count: u64, payload: &str| {
            format!(r#"{{"op":"unit","unit":{first},"count":{count},"deadline_ms":100{payload}}}"#)
        };
        match decode_to_worker(&units(4, 3, "")) {
            Ok(ToWorker::Unit { unit, count, .. }) => assert_eq!((unit, count), (4, 3)),
            other => panic!("{other:?}"),
        }
        // Absent means one, and one is not written: the single-unit line is unchanged.
        let single = ToWorker::Unit {
            unit: 2,
            count: 1,
            deadline_ms: 5,
            payload: None,
        };
        assert_eq!(
            encode(&single).trim_end(),
            r#"{"op":"unit","unit":2,"deadline_ms":5}"#
        );
        let last = limits::MAX_TASKS as u64;
        for (line, field) in [
            (units(0, 0, ""), "count"),
            (units(0, MAX_UNITS_PER_MESSAGE as u64 + 1, ""), "count"),
            (units(last - 1, 2, ""), "the last unit"),
            (units(0, u64::MAX, ""), "count"),
            (units(0, 2, r#","payload":"00""#), "payload"),
        ] {
            let e = decode_to_worker(&line).expect_err(&line);
            assert!(e.contains(field), "{line}: {e}");
        }
        assert!(decode_to_worker(&units(last - 2, 2, "")).is_ok());
        assert!(decode_to_worker(&units(0, 1, r#","payload":"00""#)).is_ok());
    }

    #[test]
    fn the_shared_counter_must_live_in_the_scratch_directory() {
        let mut env = RunEnv {
            workers: 1,
            scratch_dir: "/tmp/s".into(),
            shared_file: Some("/etc/passwd".into()),
        };
        let task = Box::new(TaskSpec::default());
        let msg = |env: &RunEnv| ToWorker::Configure {
            task: task.clone(),
            env: env.clone(),
        };
        assert!(
            validate_to_worker(&msg(&env))
                .unwrap_err()
                .contains("shared_file")
        );
        env.shared_file = Some("/tmp/s/counter.bin".into());
        assert!(validate_to_worker(&msg(&env)).is_ok());
        env.scratch_dir = "relative".into();
        assert!(
            validate_to_worker(&msg(&env))
                .unwrap_err()
                .contains("scratch_dir")
        );
    }
}
