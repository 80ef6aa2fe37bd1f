//! `corelab worker`: the hidden child mode of the processes model.

use std::io::{BufWriter, Read, Write};
use std::time::Duration;

use super::cancel::CancelToken;
use super::cpu_time::thread_cpu_time;
use super::pacer::RunGuard;
use super::protocol::{
    FromWorker, LineRead, MAX_LINE_BYTES, MAX_PAYLOAD_BYTES, PROTOCOL, ToWorker, decode_to_worker,
    read_line_within_limit, read_payload, write_frame,
};
use super::wait_recorder::WaitRecorder;
use super::workload::{self, Workload};

/// Test-only fault injection: `CORELAB_WORKER_FAULT=crash|hang|garbage|exit` makes the worker
/// misbehave on its first unit, so the parent's fault handling can be exercised; its lies about
/// a payload's size, `short-payload` (announces 1000 bytes, sends 10 and exits),
/// `huge-payload` (announces more than the protocol allows) and `wrong-payload` (sends 3
/// bytes where the unit carried none, or another size than it carried), too.
pub const FAULT_ENV: &str = "CORELAB_WORKER_FAULT";

type Out<'a> = BufWriter<std::io::StdoutLock<'a>>;

/// A reply and the output data that follows its line.
type Reply = (FromWorker, Option<Vec<u8>>);

/// Writes a reply (its line, then its payload raw) and flushes.
fn send(out: &mut Out, (msg, payload): &Reply) -> bool {
    write_frame(out, msg, payload.as_deref()).is_ok() && out.flush().is_ok()
}

fn failed(unit: Option<usize>, message: String) -> Reply {
    (FromWorker::Failed { unit, message }, None)
}

/// Serves requests from stdin until it closes. Returns the process exit code.
///
/// Replies are buffered and flushed once per request: the answers to a run of units reach the
/// parent together (in one write while they fit the 8 KiB buffer), which wakes it once.
pub fn serve() -> i32 {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out: Out = BufWriter::new(stdout.lock());
    let fault = std::env::var(FAULT_ENV).ok();
    let ready = FromWorker::Ready {
        pid: std::process::id(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        protocol: PROTOCOL,
    };
    if !send(&mut out, &(ready, None)) {
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
                    &failed(None, format!("a request line over {MAX_LINE_BYTES} bytes")),
                );
                return 2;
            }
            Ok(LineRead::Line(_)) => {}
            Err(_) => return 1,
        }
        let line = line.trim_end_matches(['\n', '\r']);
        let reply = match decode_to_worker(line) {
            Err(message) => {
                send(&mut out, &failed(None, message));
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
                        (FromWorker::Configured, None)
                    }
                    Err(message) => failed(None, message),
                }
            }
            Ok(ToWorker::Unit {
                unit,
                count,
                deadline_ms,
                payload_bytes,
            }) => {
                // The unit's input follows the line: read in full before anything runs (and
                // before the next line can be read).
                let input = match payload_bytes.map(|n| read_payload(&mut reader, n)) {
                    None => None,
                    Some(Ok(input)) => Some(input),
                    Some(Err(message)) => {
                        send(
                            &mut out,
                            &failed(Some(unit), format!("unit {unit}: {message}")),
                        );
                        return 2;
                    }
                };
                if let Some(kind) = fault.as_deref() {
                    inject_fault(kind, &mut out, unit, input.as_deref());
                }
                // Every reply but the last goes into the buffer; `send` below writes them all.
                let mut last: Option<Reply> = None;
                for u in unit..unit + count {
                    if let Some((msg, payload)) = last.take()
                        && write_frame(&mut out, &msg, payload.as_deref()).is_err()
                    {
                        return 1;
                    }
                    let reply = run_unit(current.as_deref(), u, deadline_ms, input.as_deref());
                    let failed = matches!(reply.0, FromWorker::Failed { .. });
                    last = Some(reply);
                    if failed {
                        break;
                    }
                }
                last.unwrap_or_else(|| {
                    failed(Some(unit), "a unit message that names no unit".into())
                })
            }
        };
        if !send(&mut out, &reply) {
            return 1;
        }
    }
}

/// Runs one unit; with an `input` (the unit's payload), returns an output as large (see
/// `workload::payload`), to follow the reply's line.
fn run_unit(
    w: Option<&dyn Workload>,
    unit: usize,
    deadline_ms: u64,
    input: Option<&[u8]>,
) -> Reply {
    let Some(w) = w else {
        return failed(Some(unit), "unit requested before configure".into());
    };
    if unit >= w.unit_count() {
        return failed(
            Some(unit),
            format!("unit {unit} out of range (0..{})", w.unit_count()),
        );
    }
    let guard = RunGuard::new(CancelToken::new(), Duration::from_millis(deadline_ms));
    let recorder = WaitRecorder::new(&guard);
    let start_ns = crate::sys::monotonic_ns();
    let cpu_before = thread_cpu_time();
    let result = w.run_unit(unit, &recorder);
    let waits = recorder.into_waits();
    let output = input.map(workload::payload::respond);
    match result {
        Ok(checksum) => (
            FromWorker::Done {
                unit,
                checksum,
                cpu_ns: thread_cpu_time().saturating_sub(cpu_before).as_nanos() as u64,
                start_ns,
                end_ns: crate::sys::monotonic_ns(),
                waits,
                payload_bytes: output.as_ref().map(Vec::len),
            },
            output,
        ),
        Err(e) => failed(Some(unit), e.to_string()),
    }
}

/// A `done` for `unit` that announces `announced` bytes of payload and is followed by `sent`.
fn lying_reply(out: &mut Out, unit: usize, announced: usize, sent: &[u8]) {
    let msg = FromWorker::Done {
        unit,
        checksum: 0,
        cpu_ns: 0,
        start_ns: 0,
        end_ns: 0,
        waits: Vec::new(),
        payload_bytes: Some(announced),
    };
    let _ = write_frame(out, &msg, Some(sent));
    let _ = out.flush();
}

fn inject_fault(kind: &str, out: &mut Out, unit: usize, input: Option<&[u8]>) {
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
        "short-payload" => {
            lying_reply(out, unit, 1000, &[0; 10]);
            std::process::exit(0);
        }
        "huge-payload" => lying_reply(out, unit, MAX_PAYLOAD_BYTES + 1, &[]),
        "wrong-payload" => {
            let wrong = vec![0; input.map_or(3, |i| i.len() + 1)];
            lying_reply(out, unit, wrong.len(), &wrong);
        }
        _ => {}
    }
}
