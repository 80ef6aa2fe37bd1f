//! The JSON-lines protocol between the parent and `corelab worker` children.
//!
//! One message per line. The child greets with `ready`; the parent sends `configure` before
//! every run (untimed), then `unit` messages one at a time per child; the child answers each
//! with `done` or `failed`. Closing the child's stdin (or `shutdown`) ends it.

use serde::{Deserialize, Serialize};

use super::workload::RunEnv;
use crate::preset::TaskSpec;

/// Longest line either side accepts; anything longer is malformed output.
pub const MAX_LINE_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum ToWorker {
    Configure { task: Box<TaskSpec>, env: RunEnv },
    Unit { unit: usize, deadline_ms: u64 },
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
    },
    Failed {
        unit: Option<usize>,
        message: String,
    },
}

/// Parses one line from a worker, describing what was wrong if it is not a valid message.
pub fn decode_from_worker(line: &str) -> Result<FromWorker, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!(
            "a {}-byte line (limit {MAX_LINE_BYTES})",
            line.len()
        ));
    }
    serde_json::from_str(line).map_err(|e| {
        let shown: String = line.chars().take(120).collect();
        format!("malformed message {shown:?}: {e}")
    })
}

/// Parses one line from the parent.
pub fn decode_to_worker(line: &str) -> Result<ToWorker, String> {
    if line.len() > MAX_LINE_BYTES {
        return Err(format!(
            "a {}-byte line (limit {MAX_LINE_BYTES})",
            line.len()
        ));
    }
    serde_json::from_str(line).map_err(|e| format!("malformed request: {e}"))
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
        };
        assert_eq!(decode_from_worker(encode(&msg).trim_end()).unwrap(), msg);
    }

    #[test]
    fn garbage_is_reported_not_panicked() {
        let err = decode_from_worker("Segmentation fault (core dumped)").unwrap_err();
        assert!(err.contains("malformed"), "{err}");
        assert!(decode_from_worker(r#"{"op":"done","unit":-1}"#).is_err());
        assert!(decode_from_worker(&"[".repeat(10_000)).is_err());
    }
}
