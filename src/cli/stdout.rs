//! Standard output of the headless commands: text for people ([`out!`], [`outln!`]), which
//! moves to stderr while stdout carries a machine-readable output (`--csv -`,
//! `--markdown -`), the writing of such an output, and the exit status a failed write to
//! stdout turns into.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::results::write_atomically;

use super::message_paths::path_text;

/// Set while standard output carries a machine-readable output (`--csv -`, `--markdown -`):
/// the text for people then goes to stderr, so that the stream stays clean for its reader.
static STDOUT_RESERVED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sends [`out!`]'s text to stderr from now on: standard output is for an output's data.
fn reserve_stdout() {
    STDOUT_RESERVED.store(true, std::sync::atomic::Ordering::Relaxed);
}

/// The error a write to standard output meets when it was closed at start
/// ([`crate::sys::stdout_started_closed`]).
fn stdout_closed_error() -> Option<std::io::Error> {
    crate::sys::stdout_started_closed()
        .then(|| std::io::Error::other("it was closed when corelab started (>&-)"))
}

/// Writes text for people (sanitised for a terminal) where [`out!`] says.
pub(super) fn human_text(text: &str, newline: bool) {
    use std::io::Write as _;
    let text = crate::export::sanitize::for_terminal(text);
    let end = if newline { "\n" } else { "" };
    if STDOUT_RESERVED.load(std::sync::atomic::Ordering::Relaxed) {
        write!(std::io::stderr().lock(), "{text}{end}").ok();
    } else if let Some(closed) = stdout_closed_error() {
        stdout_written(Err(closed));
    } else {
        stdout_written(write!(std::io::stdout().lock(), "{text}{end}"));
    }
}

/// The file name that means standard output for `--csv` and `--markdown`.
const STDOUT_NAME: &str = "-";

/// The flags whose output may go to standard output (`-`).
pub(super) const STDOUT_FLAGS: [&str; 2] = ["--csv", "--markdown"];

/// Whether `path` is `-`, standard output (`./-` is a file of that name).
pub(super) fn is_stdout(path: &Path) -> bool {
    path.as_os_str() == STDOUT_NAME
}

/// Writes an output's `bytes` to `path`, or to standard output for `-` (as they are: the data
/// of a CSV or a Markdown report, not text for a terminal). Returns where they went, in words.
pub(super) fn write_output(path: &Path, bytes: &[u8]) -> std::io::Result<String> {
    use std::io::Write as _;
    if is_stdout(path) {
        if let Some(closed) = stdout_closed_error() {
            return Err(closed);
        }
        let mut stdout = std::io::stdout().lock();
        match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
            Ok(()) => {}
            // The reader went away (`| head`): its choice, as for the tables.
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => return Err(e),
        }
        return Ok("standard output".into());
    }
    write_atomically(path, bytes)?;
    Ok(path_text(path))
}

/// Set when a write to standard output failed for another reason than a reader that went
/// away: the command then exits 1, whatever else it did.
static STDOUT_FAILED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Notes a write to standard output; the first failure (a full disk, `>/dev/full`) is said
/// once on stderr. EPIPE (`| head`) is the reader's choice: quiet, and not an error.
fn stdout_written(result: std::io::Result<()>) {
    if let Err(e) = result
        && e.kind() != std::io::ErrorKind::BrokenPipe
        && !STDOUT_FAILED.swap(true, std::sync::atomic::Ordering::Relaxed)
    {
        errln!("Error: cannot write to standard output: {e}");
    }
}

/// `code`, unless standard output lost what was written to it (then 1, when `code` said all
/// went well).
pub(super) fn with_stdout_checked(code: ExitCode) -> ExitCode {
    use std::io::Write as _;
    stdout_written(std::io::stdout().lock().flush());
    if code == ExitCode::SUCCESS && STDOUT_FAILED.load(std::sync::atomic::Ordering::Relaxed) {
        return ExitCode::FAILURE;
    }
    code
}

/// Sends the text for people to stderr when one of `outputs` is standard output (`-`).
pub(super) fn reserve_stdout_for(outputs: &[(&str, Option<&PathBuf>)]) {
    if outputs
        .iter()
        .any(|(_, path)| path.is_some_and(|p| is_stdout(p)))
    {
        reserve_stdout();
    }
}
