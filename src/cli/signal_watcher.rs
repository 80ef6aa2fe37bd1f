//! `corelab run`'s signal watcher: SIGINT, SIGTERM or SIGHUP cancels the sweep like the
//! workbench's Cancel; a second one stops the run at once. What it says goes through the run's
//! one stderr owner ([`RunStderr`]), so that on a terminal it starts on a line of its own, not
//! at the end of the progress line.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use super::run_stderr::RunStderr;
use super::second_signal::OnDisk;
use crate::engine::CancelToken;

/// How often the watcher looks at the signals received.
const LOOK_EVERY: Duration = Duration::from_millis(20);

/// Cancels `cancel` when SIGINT, SIGTERM or SIGHUP arrives (looked at every [`LOOK_EVERY`] on
/// a helper thread), saying so on `stderr`. A second one stops the run at once: one line says
/// what `on_disk` kept, its temporary files are removed, and the exit status is 128 + the
/// signal.
pub(super) fn cancel_on_signals(
    cancel: &CancelToken,
    on_disk: OnDisk,
    stderr: Arc<RunStderr<std::io::Stderr>>,
) -> Result<()> {
    crate::sys::catch_termination_signals().context("cannot catch SIGINT/SIGTERM/SIGHUP")?;
    crate::sys::second_signal_is_watched();
    let cancel = cancel.clone();
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            let mut watcher = Watcher::default();
            loop {
                let received = crate::sys::termination_signals_received();
                let signal = crate::sys::termination_signal();
                if let Some(code) = watcher.look(received, signal, &cancel, &on_disk, &stderr) {
                    // `exit` skips the end of `cli::main`: stop what this corelab started
                    // here, or the next start would call it left by a killed run.
                    super::stop_everything_this_corelab_started();
                    std::process::exit(code);
                }
                std::thread::sleep(LOOK_EVERY);
            }
        })
        .context("cannot start the signal watcher")?;
    Ok(())
}

/// What the watcher has done so far.
#[derive(Default)]
struct Watcher {
    cancelled: bool,
}

impl Watcher {
    /// One look, given how many termination signals were `received` and the last one's
    /// number: the first cancels the sweep and says so once; a second says what was kept
    /// and returns the exit status to stop at once with (128 + the signal).
    fn look<W: Write>(
        &mut self,
        received: u32,
        signal: Option<i32>,
        cancel: &CancelToken,
        on_disk: &OnDisk,
        stderr: &RunStderr<W>,
    ) -> Option<i32> {
        let signal = signal.filter(|_| received > 0)?;
        let name = crate::sys::signal_name(signal);
        if received >= 2 {
            stderr.line(&on_disk.stop_at_once_line(&name));
            return Some(128 + signal.clamp(0, 127));
        }
        if !self.cancelled {
            stderr.line(&format!(
                "{name}: stopping; the cells measured so far are kept (send it again to stop at once)"
            ));
            cancel.cancel();
            self.cancelled = true;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::run_stderr::drawn_status_line;
    use crate::cli::sweep_progress::ProgressStyle;

    const ERASE: &str = "\r\x1b[2K";

    #[test]
    fn a_signal_during_the_status_line_is_said_on_a_line_of_its_own_once() {
        let stderr = drawn_status_line(ProgressStyle::StatusLine);
        let drawn = stderr.written();
        assert!(
            drawn.starts_with(ERASE) && !drawn.ends_with('\n'),
            "{drawn:?}"
        );
        let (cancel, on_disk) = (CancelToken::new(), OnDisk::default());
        let mut watcher = Watcher::default();
        assert_eq!(watcher.look(0, None, &cancel, &on_disk, &stderr), None);
        assert!(!cancel.is_cancelled());
        assert_eq!(stderr.written(), drawn, "nothing said before a signal");
        for _ in 0..3 {
            let look = watcher.look(1, Some(libc::SIGINT), &cancel, &on_disk, &stderr);
            assert_eq!(look, None);
        }
        assert!(cancel.is_cancelled());
        assert_eq!(
            stderr.written(),
            format!(
                "{drawn}{ERASE}SIGINT: stopping; the cells measured so far are kept (send it \
                 again to stop at once)\n"
            ),
            "the status line erased first, then said once"
        );
    }

    #[test]
    fn a_second_signal_during_the_status_line_is_said_on_a_line_of_its_own_and_exits() {
        let stderr = drawn_status_line(ProgressStyle::StatusLine);
        let drawn = stderr.written();
        let (cancel, on_disk) = (CancelToken::new(), OnDisk::default());
        let mut watcher = Watcher::default();
        watcher.look(1, Some(libc::SIGTERM), &cancel, &on_disk, &stderr);
        // The progress is drawn again below the note before the second signal.
        stderr.lock().redraw(Duration::from_secs(3));
        let redrawn = stderr.written();
        assert!(redrawn.len() > drawn.len() && !redrawn.ends_with('\n'));
        let code = watcher.look(2, Some(libc::SIGTERM), &cancel, &on_disk, &stderr);
        assert_eq!(code, Some(128 + libc::SIGTERM));
        assert_eq!(
            stderr.written(),
            format!(
                "{redrawn}{ERASE}SIGTERM again: stopped at once; nothing was saved (no --out)\n"
            )
        );
    }

    #[test]
    fn piped_stderr_gets_the_signal_lines_as_they_were() {
        let stderr = drawn_status_line(ProgressStyle::PlainLines);
        let (cancel, on_disk) = (CancelToken::new(), OnDisk::default());
        let mut watcher = Watcher::default();
        watcher.look(1, Some(libc::SIGHUP), &cancel, &on_disk, &stderr);
        watcher.look(2, Some(libc::SIGHUP), &cancel, &on_disk, &stderr);
        assert_eq!(
            stderr.written(),
            "SIGHUP: stopping; the cells measured so far are kept (send it again to stop at \
             once)\nSIGHUP again: stopped at once; nothing was saved (no --out)\n"
        );
    }
}
