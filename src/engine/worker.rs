//! `corelab worker`: the hidden child mode of the processes model.

use std::io::{BufWriter, Read, Write};
use std::time::Duration;

use super::cancel::CancelToken;
use super::cpu_time::thread_cpu_time;
use super::pacer::RunGuard;
use super::protocol::{
    FromWorker, LineRead, MAX_LINE_BYTES, ToWorker, decode_to_worker, encode,
    read_line_within_limit,
};
use super::wait_recorder::WaitRecorder;
use super::workload::{self, Workload};

/// Test-only fault injection: `CORELAB_WORKER_FAULT=crash|hang|garbage|exit` makes the worker
/// misbehave on its first unit, so the parent's fault handling can be exercised.
pub const FAULT_ENV: &str = "CORELAB_WORKER_FAULT";

type Out<'a> = BufWriter<std::io::StdoutLock<'a>>;

/// Serves requests from stdin until it closes. Returns the process exit code.
///
/// Replies are buffered and flushed once per request: the answers to a run of units reach the
/// parent together (in one write while they fit the 8 KiB buffer), which wakes it once.
pub fn serve() -> i32 {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out: Out = BufWriter::new(stdout.lock());
    let fault = std::env::var(FAULT_ENV).ok();
    let send = |out: &mut Out, msg: &FromWorker| -> bool {
        out.write_all(encode(msg).as_bytes()).is_ok() && out.flush().is_ok()
    };
    let ready = FromWorker::Ready {
        pid: std::process::id(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    };
    if !send(&mut out, &ready) {
        return 1;
    }
    let mut current: Option<Box<dyn Workload>> = None;
    let mut reader = std::io::BufReader::new(stdin.lock()).take(0);
    let mut line = String::new();
    loop {
        match read_line_within_limit(&mut reader, &mut line) {
            Ok(LineRead::End) => return 0,
            Ok(LineRead::TooLong) => {
                send(
                    &mut out,
                    &FromWorker::Failed {
                        unit: None,
                        message: format!("a request line over {MAX_LINE_BYTES} bytes"),
                    },
                );
                return 2;
            }
            Ok(LineRead::Line(_)) => {}
            Err(_) => return 1,
        }
        let line = line.trim_end_matches(['\n', '\r']);
        let reply = match decode_to_worker(line) {
            Err(message) => {
                send(
                    &mut out,
                    &FromWorker::Failed {
                        unit: None,
                        message,
                    },
                );
                return 2;
            }
            Ok(ToWorker::Shutdown) => return 0,
            Ok(ToWorker::Configure { task, env }) => {
                // The previous run's workload goes first: holding both would double the
                // memory task's peak (see `engine::resources`).
                current = None;
                match workload::build(&task, &env) {
                    Ok(w) => {
                        current = Some(w);
                        FromWorker::Configured
                    }
                    Err(message) => FromWorker::Failed {
                        unit: None,
                        message,
                    },
                }
            }
            Ok(ToWorker::Unit {
                unit,
                count,
                deadline_ms,
                payload,
            }) => {
                if let Some(kind) = fault.as_deref() {
                    inject_fault(kind, &mut out);
                }
                // Every reply but the last goes into the buffer; `send` below writes them all.
                let mut last = None;
                for u in unit..unit + count {
                    if let Some(reply) = last.take()
                        && out.write_all(encode(&reply).as_bytes()).is_err()
                    {
                        return 1;
                    }
                    let reply = run_unit(current.as_deref(), u, deadline_ms, payload.as_deref());
                    let failed = matches!(reply, FromWorker::Failed { .. });
                    last = Some(reply);
                    if failed {
                        break;
                    }
                }
                last.unwrap_or(FromWorker::Failed {
                    unit: Some(unit),
                    message: "a unit message that names no unit".into(),
                })
            }
        };
        if !send(&mut out, &reply) {
            return 1;
        }
    }
}

/// Runs one unit; with a `payload` (hex), parses it, and returns an output as large (see
/// `workload::payload`), serialised the same way.
fn run_unit(
    w: Option<&dyn Workload>,
    unit: usize,
    deadline_ms: u64,
    payload: Option<&str>,
) -> FromWorker {
    let Some(w) = w else {
        return FromWorker::Failed {
            unit: Some(unit),
            message: "unit requested before configure".into(),
        };
    };
    if unit >= w.unit_count() {
        return FromWorker::Failed {
            unit: Some(unit),
            message: format!("unit {unit} out of range (0..{})", w.unit_count()),
        };
    }
    let guard = RunGuard::new(CancelToken::new(), Duration::from_millis(deadline_ms));
    let recorder = WaitRecorder::new(&guard);
    let start_ns = crate::sys::monotonic_ns();
    let cpu_before = thread_cpu_time();
    let result = w.run_unit(unit, &recorder);
    let waits = recorder.into_waits();
    let output = match payload.map(crate::engine::workload::payload::from_hex) {
        None => None,
        Some(Ok(input)) => Some(crate::engine::workload::payload::to_hex(
            &crate::engine::workload::payload::respond(&input),
        )),
        Some(Err(message)) => {
            return FromWorker::Failed {
                unit: Some(unit),
                message,
            };
        }
    };
    match result {
        Ok(checksum) => FromWorker::Done {
            unit,
            checksum,
            cpu_ns: thread_cpu_time().saturating_sub(cpu_before).as_nanos() as u64,
            start_ns,
            end_ns: crate::sys::monotonic_ns(),
            waits,
            payload: output,
        },
        Err(e) => FromWorker::Failed {
            unit: Some(unit),
            message: e.to_string(),
        },
    }
}

fn inject_fault(kind: &str, out: &mut Out) {
    match kind {
        "crash" => panic!("injected crash ({FAULT_ENV}=crash)"),
        "exit" => std::process::exit(3),
        "hang" => loop {
            std::thread::sleep(Duration::from_secs(3600));
        },
        "garbage" => {
            let _ = out.write_all(b"this is not json\n");
            let _ = out.flush();
        }
        _ => {}
    }
}
