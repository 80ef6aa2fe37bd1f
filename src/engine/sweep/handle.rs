//! [`spawn_sweep`]: a sweep on its own thread, for the GUI, and the [`SweepHandle`] that drains
//! its events, cancels it and joins it.

use std::sync::mpsc::{Receiver, channel};
use std::thread::JoinHandle;

use super::config::SweepConfig;
use super::run_sweep;
use crate::engine::cancel::CancelToken;
use crate::engine::display_pacing::{DisplayWaker, Moment};
use crate::engine::event::SweepEvent;
use crate::preset::Experiment;

/// A sweep running on its own thread, for the GUI: drain `events` each frame.
pub struct SweepHandle {
    pub events: Receiver<SweepEvent>,
    cancel: CancelToken,
    thread: Option<JoinHandle<()>>,
}

impl SweepHandle {
    /// Asks the sweep to stop; child processes are killed at the next poll (≤ 10 ms).
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    pub fn is_finished(&self) -> bool {
        self.thread.as_ref().is_none_or(|t| t.is_finished())
    }

    /// Waits for the sweep thread to end (after `Finished` was sent).
    pub fn join(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for SweepHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// Starts `run_sweep` on a background thread. `wake` is called after events, as
/// `config.display` paces it (the GUI passes `ctx.request_repaint`).
pub fn spawn_sweep(
    exp: Experiment,
    config: SweepConfig,
    wake: impl Fn() + Send + 'static,
) -> std::io::Result<SweepHandle> {
    let (tx, rx) = channel();
    let cancel = CancelToken::new();
    let token = cancel.clone();
    let thread = std::thread::Builder::new()
        .name("sweep".into())
        .spawn(move || {
            let mut waker = DisplayWaker::new(config.display);
            run_sweep(&exp, &config, &token, &mut |event| {
                let moment = Moment::of(&event);
                let _ = tx.send(event);
                waker.after(moment, &token, &wake);
            });
        })?;
    Ok(SweepHandle {
        events: rx,
        cancel,
        thread: Some(thread),
    })
}
