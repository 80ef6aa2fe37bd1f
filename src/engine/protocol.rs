//! The protocol between the parent and `corelab worker` children: JSON lines, each optionally
//! followed by raw bytes.
//!
//! One message per line. The child greets with `ready` (naming the [`PROTOCOL`] it speaks);
//! the parent sends `configure` before a run (untimed), then `unit` messages, each naming one
//! unit or a run of `count` consecutive units; the child answers each unit with `done` (the
//! answers to one message are written together) or stops at the first `failed`. Closing the
//! child's stdin (or `shutdown`) ends it.
//!
//! A unit's input data and a `done`'s output data (`task.payload_kib`) are not in the JSON:
//! the line says how many bytes (`payload_bytes`, at most [`MAX_PAYLOAD_BYTES`]) and exactly
//! that many raw bytes follow its newline ([`write_frame`], [`read_payload`]). So what a
//! payload costs to move is a copy through the pipe each way, not an encoding.

use serde::{Deserialize, Serialize};

use super::workload::{self, RunEnv};
use crate::preset::{TaskSpec, limits};

/// Longest line either side accepts; anything longer is malformed output.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

/// The version of this protocol, which a worker names in its `ready`; the parent refuses a
/// worker that speaks another. 2: payloads as raw bytes after the line (1 had them as hex
/// inside it).
pub const PROTOCOL: u32 = 2;

/// Most bytes of payload one message may carry: the largest `task.payload_kib`. A line that
/// announces more is refused before anything is allocated for it.
pub const MAX_PAYLOAD_BYTES: usize = limits::MAX_PAYLOAD_KIB as usize * 1024;

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
        /// Bytes of the unit's input data (`task.payload_kib`) that follow this line, when it
        /// carries any.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload_bytes: Option<usize>,
    },
    Shutdown,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum FromWorker {
    Ready {
        pid: u32,
        version: String,
        /// The [`PROTOCOL`] the worker speaks (0: one from before it was named).
        #[serde(default)]
        protocol: u32,
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
        /// Bytes of the unit's output data (as many as its input) that follow this line.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        payload_bytes: Option<usize>,
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

/// A message from a worker as the parent receives it: the line and the raw bytes it announced
/// (`payload_bytes`), read right after it.
#[derive(Clone, Debug, PartialEq)]
pub struct Frame {
    pub msg: FromWorker,
    pub payload: Option<Vec<u8>>,
}

impl Frame {
    /// [`decode_from_worker`], the payload still to read.
    pub fn decode(line: &str) -> Result<Frame, String> {
        decode_from_worker(line).map(|msg| Frame { msg, payload: None })
    }

    /// Bytes of payload the line announced.
    pub fn announced(&self) -> Option<usize> {
        match self.msg {
            FromWorker::Done { payload_bytes, .. } => payload_bytes,
            _ => None,
        }
    }

    pub fn attach(&mut self, payload: Vec<u8>) {
        self.payload = Some(payload);
    }
}

/// Checks an announced payload size against [`MAX_PAYLOAD_BYTES`].
fn check_payload_bytes(announced: Option<usize>) -> Result<(), String> {
    match announced {
        Some(n) if n > MAX_PAYLOAD_BYTES => Err(format!(
            "`payload_bytes` = {n}: a payload is at most {MAX_PAYLOAD_BYTES} bytes"
        )),
        _ => Ok(()),
    }
}

/// Reads the `len` raw bytes of payload that follow a message line (read by
/// [`read_line_within_limit`] from the same reader). Refuses a `len` over
/// [`MAX_PAYLOAD_BYTES`] before allocating, and a stream that ends before `len` bytes came.
pub fn read_payload<R: std::io::BufRead>(
    reader: &mut std::io::Take<R>,
    len: usize,
) -> Result<Vec<u8>, String> {
    use std::io::Read;
    check_payload_bytes(Some(len))?;
    let mut payload = Vec::with_capacity(len);
    reader.set_limit(len as u64);
    reader
        .read_to_end(&mut payload)
        .map_err(|e| format!("unreadable payload ({e})"))?;
    if payload.len() < len {
        return Err(format!(
            "a payload that ended after {} of the {len} bytes its line announced",
            payload.len()
        ));
    }
    Ok(payload)
}

/// Writes `msg`'s line and then `payload`'s bytes, raw (the line must announce as many in its
/// `payload_bytes`), without flushing.
pub fn write_frame<T: Serialize>(
    out: &mut impl std::io::Write,
    msg: &T,
    payload: Option<&[u8]>,
) -> std::io::Result<()> {
    write_line_and_payload(out, &encode(msg), payload)
}

/// Writes `line` (which must end in a newline) and then `payload`'s bytes, raw (the line must
/// announce as many), without flushing: the one writer of this protocol's framing.
pub fn write_line_and_payload(
    out: &mut impl std::io::Write,
    line: &str,
    payload: Option<&[u8]>,
) -> std::io::Result<()> {
    out.write_all(line.as_bytes())?;
    match payload {
        Some(bytes) => out.write_all(bytes),
        None => Ok(()),
    }
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

/// Checks a reply's stamps and size: a unit's waits at most [`MAX_WAITS`], in order, each
/// inside the unit's `start_ns..=end_ns`; its payload at most [`MAX_PAYLOAD_BYTES`].
pub fn validate_from_worker(msg: &FromWorker) -> Result<(), String> {
    if let FromWorker::Done {
        unit,
        start_ns,
        end_ns,
        waits,
        payload_bytes,
        ..
    } = msg
    {
        check_payload_bytes(*payload_bytes).map_err(|e| format!("unit {unit}: {e}"))?;
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
/// deadline from 1 ms to [`MAX_DEADLINE_MS`], a unit index below [`limits::MAX_TASKS`], a
/// payload of at most [`MAX_PAYLOAD_BYTES`].
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
            payload_bytes,
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
            check_payload_bytes(*payload_bytes)?;
            if *count > 1 && payload_bytes.is_some() {
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
    use std::io::Read;

    #[test]
    fn messages_round_trip() {
        let msg = FromWorker::Done {
            unit: 3,
            checksum: u64::MAX,
            cpu_ns: 12,
            start_ns: 5,
            end_ns: 17,
            waits: vec![(6, 8), (8, 17)],
            payload_bytes: Some(2),
        };
        assert_eq!(decode_from_worker(encode(&msg).trim_end()).unwrap(), msg);
    }

    fn done(unit: usize, payload_bytes: Option<usize>) -> FromWorker {
        FromWorker::Done {
            unit,
            checksum: 7,
            cpu_ns: 1,
            start_ns: 1,
            end_ns: 2,
            waits: Vec::new(),
            payload_bytes,
        }
    }

    /// Reads one frame the way the parent's reader does: a line, then the bytes it announced.
    fn read_frame(reader: &mut std::io::Take<&[u8]>) -> Result<Option<Frame>, String> {
        let mut line = String::new();
        match read_line_within_limit(reader, &mut line).map_err(|e| e.to_string())? {
            LineRead::End => return Ok(None),
            LineRead::TooLong => return Err("too long".into()),
            LineRead::Line(_) => {}
        }
        let mut frame = Frame::decode(line.trim_end())?;
        if let Some(n) = frame.announced() {
            frame.attach(read_payload(reader, n)?);
        }
        Ok(Some(frame))
    }

    #[test]
    fn a_payload_travels_raw_after_its_line_both_ways() {
        let data: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
        let mut wire = Vec::new();
        write_frame(&mut wire, &done(0, Some(data.len())), Some(&data)).unwrap();
        write_frame(&mut wire, &done(1, None), None).unwrap();
        // The bytes themselves, not an encoding of them: the line plus exactly the payload.
        let line_len = encode(&done(0, Some(data.len()))).len();
        assert_eq!(
            wire.len(),
            line_len + data.len() + encode(&done(1, None)).len()
        );
        let mut reader = wire.as_slice().take(0);
        let first = read_frame(&mut reader).unwrap().unwrap();
        assert_eq!(first.msg, done(0, Some(data.len())));
        assert_eq!(first.payload.as_deref(), Some(data.as_slice()));
        // A payload may hold newlines and anything else: the next line starts after it.
        let second = read_frame(&mut reader).unwrap().unwrap();
        assert_eq!((second.msg, second.payload), (done(1, None), None));
        assert_eq!(read_frame(&mut reader), Ok(None));

        // Requests: the worker reads a unit's input the same way.
        let unit = ToWorker::Unit {
            unit: 3,
            count: 1,
            deadline_ms: 10,
            payload_bytes: Some(data.len()),
        };
        let mut wire = Vec::new();
        write_frame(&mut wire, &unit, Some(&data)).unwrap();
        let mut reader = wire.as_slice().take(0);
        let mut line = String::new();
        read_line_within_limit(&mut reader, &mut line).unwrap();
        match decode_to_worker(line.trim_end()).unwrap() {
            ToWorker::Unit {
                payload_bytes: Some(n),
                ..
            } => assert_eq!(read_payload(&mut reader, n).unwrap(), data),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_truncated_payload_is_an_error_naming_what_came() {
        let mut wire = Vec::new();
        write_frame(&mut wire, &done(0, Some(1000)), Some(&[9u8; 10])).unwrap();
        let mut reader = wire.as_slice().take(0);
        let e = read_frame(&mut reader).unwrap_err();
        assert!(e.contains("ended after 10 of the 1000 bytes"), "{e}");
    }

    #[test]
    fn an_oversized_payload_is_refused_before_anything_is_read_or_allocated() {
        // The line says more than the limit: refused as it is decoded.
        let line = encode(&done(0, Some(MAX_PAYLOAD_BYTES + 1)));
        let e = decode_from_worker(line.trim_end()).unwrap_err();
        assert!(
            e.contains(&format!("`payload_bytes` = {}", MAX_PAYLOAD_BYTES + 1)),
            "{e}"
        );
        // Asked directly for a huge payload, the reader refuses without reading.
        let wire = vec![0u8; 16];
        let mut reader = wire.as_slice().take(0);
        let e = read_payload(&mut reader, usize::MAX).unwrap_err();
        assert!(e.contains(&usize::MAX.to_string()), "{e}");
        assert_eq!(reader.into_inner().len(), 16, "nothing was read");
    }

    #[test]
    fn a_worker_that_announces_fewer_bytes_than_it_sends_desynchronises_into_an_error() {
        // It announces 4 but writes 8: the extra bytes are where the next line should be.
        let mut wire = Vec::new();
        write_frame(&mut wire, &done(0, Some(4)), Some(b"abcdefgh")).unwrap();
        write_frame(&mut wire, &done(1, None), None).unwrap();
        let mut reader = wire.as_slice().take(0);
        let first = read_frame(&mut reader).unwrap().unwrap();
        assert_eq!(first.payload.as_deref(), Some(&b"abcd"[..]));
        let e = read_frame(&mut reader).unwrap_err();
        assert!(e.contains("malformed"), "{e}");
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
            payload_bytes: None,
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
            (units(0, 2, r#","payload_bytes":1"#), "payload"),
            (
                units(
                    0,
                    1,
                    &format!(r#","payload_bytes":{}"#, MAX_PAYLOAD_BYTES + 1),
                ),
                "payload_bytes",
            ),
            (units(0, 1, r#","payload_bytes":-1"#), "malformed"),
        ] {
            let e = decode_to_worker(&line).expect_err(&line);
            assert!(e.contains(field), "{line}: {e}");
        }
        assert!(decode_to_worker(&units(last - 2, 2, "")).is_ok());
        assert!(decode_to_worker(&units(0, 1, r#","payload_bytes":1"#)).is_ok());
        let most = format!(r#","payload_bytes":{MAX_PAYLOAD_BYTES}"#);
        assert!(decode_to_worker(&units(0, 1, &most)).is_ok());
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
