//! `corelab run`'s stderr while it runs, with one owner. On a terminal the sweep's progress is
//! a status line without a newline, rewritten in place ([`SweepProgress`]); a line written
//! past it would be glued to its end. So every line printed while a sweep may be on screen
//! (a cell's line, a failure, the signal watcher's "SIGINT: stopping…") goes through
//! [`RunStderr`], which erases the status line first; the next redraw draws it again below.
//! Piped stderr gets the same lines: its progress lines end with a newline, and there is
//! nothing to erase.

use std::io::Write;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::sweep_progress::{CellsDone, SweepProgress};
use crate::engine::SweepEvent;

/// The one writer of stderr while `corelab run` runs (shared with the signal watcher's
/// thread). `W` is stderr itself; a test gives it a `Vec<u8>` to read back.
pub(super) struct RunStderr<W: Write> {
    owned: Mutex<Owned<W>>,
}

/// What the owner holds while one thread writes: the stream, and the sweep's progress once
/// the sweep starts (before it, nothing is drawn to erase).
pub(super) struct Owned<W: Write> {
    out: W,
    progress: Option<SweepProgress>,
}

impl<W: Write> RunStderr<W> {
    pub(super) fn new(out: W) -> Self {
        RunStderr {
            owned: Mutex::new(Owned {
                out,
                progress: None,
            }),
        }
    }

    /// The stream for one thread's writes, even after a panic while another held it (it
    /// stays as usable as it was).
    pub(super) fn lock(&self) -> MutexGuard<'_, Owned<W>> {
        self.owned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Writes `text` as a line of its own (see [`Owned::line`]).
    pub(super) fn line(&self, text: &str) {
        self.lock().line(text);
    }
}

impl<W: Write> Owned<W> {
    /// The sweep's progress from now on: drawn by [`redraw`](Self::redraw), erased before
    /// every [`line`](Self::line).
    pub(super) fn show_progress(&mut self, progress: SweepProgress) {
        self.progress = Some(progress);
    }

    /// Takes in one of the sweep's events (at `now` on the sweep's clock); returns the cells
    /// done so far, which number each cell's line.
    pub(super) fn observe(&mut self, event: &SweepEvent, now: Duration) -> CellsDone {
        match &mut self.progress {
            Some(progress) => {
                progress.observe(event, now);
                progress.cells()
            }
            None => CellsDone::default(),
        }
    }

    /// Writes `text` and a newline, on a line of its own: a status line on screen is erased
    /// first (in the same write, so nothing comes between).
    pub(super) fn line(&mut self, text: &str) {
        let erase = self.progress.as_mut().and_then(SweepProgress::clear);
        let mut bytes = String::with_capacity(text.len() + 8);
        bytes.push_str(erase.unwrap_or_default());
        bytes.push_str(text);
        bytes.push('\n');
        self.write(&bytes);
    }

    /// Draws the progress at `now` if it has changed (see [`SweepProgress::update`]).
    pub(super) fn redraw(&mut self, now: Duration) {
        if let Some(text) = self.progress.as_mut().and_then(|p| p.update(now)) {
            self.write(&text);
        }
    }

    /// Erases the status line, if one is on screen; the next [`redraw`](Self::redraw) draws
    /// it again.
    pub(super) fn clear(&mut self) {
        if let Some(erase) = self.progress.as_mut().and_then(SweepProgress::clear) {
            self.write(erase);
        }
    }

    /// Erases the status line and draws no more progress: the sweep is over, and what
    /// follows (the table, the files written) is printed by anyone.
    pub(super) fn end_progress(&mut self) {
        self.clear();
        self.progress = None;
    }

    /// Writes `text` as it is; a failed write is ignored (stderr gone: the message is lost,
    /// not the run), as by `errln!`.
    fn write(&mut self, text: &str) {
        self.out.write_all(text.as_bytes()).ok();
        self.out.flush().ok();
    }
}

#[cfg(test)]
impl RunStderr<Vec<u8>> {
    /// Everything written so far.
    pub(super) fn written(&self) -> String {
        String::from_utf8(self.lock().out.clone()).expect("UTF-8 written")
    }
}

/// A sweep of two cells, its first cell's executor starting: on a terminal its status
/// line is drawn (without a newline).
#[cfg(test)]
pub(super) fn drawn_status_line(style: super::sweep_progress::ProgressStyle) -> RunStderr<Vec<u8>> {
    let stderr = RunStderr::new(Vec::new());
    {
        let mut err = stderr.lock();
        err.show_progress(SweepProgress::new(
            &crate::preset::Experiment::default(),
            None,
            style,
        ));
        let plan = vec![
            (crate::preset::ModelKind::Sequential, 1),
            (crate::preset::ModelKind::Threads, 1),
        ];
        for event in [
            SweepEvent::Started {
                plan,
                runs_total: 4,
                timed_per_cell: 2,
            },
            SweepEvent::CellStarted {
                model: crate::preset::ModelKind::Sequential,
                workers: 1,
            },
        ] {
            err.observe(&event, Duration::ZERO);
        }
        err.redraw(Duration::from_secs(1));
    }
    stderr
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::sweep_progress::ProgressStyle;

    const STATUS: &str =
        "starting sequential × 1 (cell 1 of 2) · 0 of 4 runs · time left not known yet";

    #[test]
    fn a_line_written_while_the_status_line_is_on_screen_erases_it_first() {
        let stderr = drawn_status_line(ProgressStyle::StatusLine);
        assert_eq!(stderr.written(), format!("\r\x1b[2K{STATUS}"));
        stderr.line("SIGINT: stopping");
        assert_eq!(
            stderr.written(),
            format!("\r\x1b[2K{STATUS}\r\x1b[2KSIGINT: stopping\n")
        );
        // The next line has nothing to erase: the status line is not drawn again until the
        // next redraw, which draws it below the line.
        stderr.line("second");
        stderr.lock().redraw(Duration::from_secs(2));
        stderr.lock().clear();
        stderr.lock().clear();
        assert_eq!(
            stderr.written(),
            format!(
                "\r\x1b[2K{STATUS}\r\x1b[2KSIGINT: stopping\nsecond\n\r\x1b[2K{STATUS}\r\x1b[2K"
            )
        );
    }

    #[test]
    fn piped_progress_lines_and_other_lines_are_left_as_they_are() {
        // Piped: no status line (a plain progress line comes only after the first round).
        let stderr = drawn_status_line(ProgressStyle::PlainLines);
        stderr.line("SIGTERM: stopping");
        assert_eq!(stderr.written(), "SIGTERM: stopping\n");
        // Before the sweep and after it, there is no progress to erase.
        let stderr = RunStderr::new(Vec::new());
        stderr.line("Warning: before");
        let ended = drawn_status_line(ProgressStyle::StatusLine);
        ended.lock().end_progress();
        ended.lock().redraw(Duration::from_secs(5));
        ended.line("after");
        assert_eq!(stderr.written(), "Warning: before\n");
        assert_eq!(
            ended.written(),
            format!("\r\x1b[2K{STATUS}\r\x1b[2Kafter\n")
        );
    }
}
