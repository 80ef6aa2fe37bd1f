//! Asking the Python interpreter about itself, off the UI thread.
//!
//! [`probe`](crate::engine::interpreter::probe) starts a subprocess, so it runs on a helper
//! thread, and is killed if it does not answer within
//! [`PROBE_TIMEOUT`](crate::engine::interpreter::PROBE_TIMEOUT). The workbench probes once per
//! interpreter: when the interpreter field changes, after a short pause (typing a path must not
//! start one process per keystroke), and keeps the answer.
//!
//! An interpreter is a program to execute, and one named by an opened preset or results file is
//! not the user's choice yet: the app passes `trusted: false` for it, and nothing runs until the
//! user confirms it (the Python section shows the program and a button).

use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::engine::PythonInfo;
use crate::engine::interpreter;
use crate::preset::{ModelKind, PythonOptions};

/// How long the interpreter field must stay unchanged before it is probed.
pub const DEBOUNCE: Duration = Duration::from_millis(400);

/// The probe of one interpreter: in flight, or its answer.
pub struct PythonProbe {
    /// The interpreter the answer (or the probe in flight) is for.
    probed: Option<String>,
    answer: Option<Result<PythonInfo, String>>,
    in_flight: Option<(String, Receiver<Result<PythonInfo, String>>)>,
    /// The interpreter text last seen and when it changed.
    seen: Option<(String, Instant)>,
    /// An interpreter that must be confirmed before it runs, with the reason the Python models
    /// are unavailable until then.
    unconfirmed: Option<(String, Result<PythonInfo, String>)>,
    /// How many probes were started (each one runs the interpreter once).
    started: usize,
}

impl Default for PythonProbe {
    fn default() -> Self {
        Self::new()
    }
}

impl PythonProbe {
    pub fn new() -> Self {
        PythonProbe {
            probed: None,
            answer: None,
            in_flight: None,
            seen: None,
            unconfirmed: None,
            started: 0,
        }
    }

    /// Called every frame with the current options: takes in a finished probe and starts a new
    /// one when the interpreter changed and has stayed unchanged for [`DEBOUNCE`] (at once the
    /// first time). An interpreter that is not `trusted` (it came from an opened file and was
    /// not confirmed) is never run. Never waits.
    pub fn update(&mut self, ctx: &egui::Context, options: &PythonOptions, trusted: bool) {
        if let Some((interp, rx)) = &self.in_flight
            && let Ok(answer) = rx.try_recv()
        {
            self.probed = Some(interp.clone());
            self.answer = Some(answer);
            self.in_flight = None;
        }
        let interp = options.interpreter.trim().to_string();
        if !trusted {
            if self.unconfirmed.as_ref().is_none_or(|(i, _)| *i != interp) {
                let reason = format!(
                    "the interpreter `{interp}` comes from an opened file and has not been run; confirm it in the Python section to check it"
                );
                self.unconfirmed = Some((interp, Err(reason)));
            }
            return;
        }
        self.unconfirmed = None;
        let first = self.seen.is_none();
        match &self.seen {
            Some((text, _)) if *text == interp => {}
            _ => self.seen = Some((interp.clone(), Instant::now())),
        }
        let current = self.probed.as_deref() == Some(interp.as_str())
            || self.in_flight.as_ref().is_some_and(|(i, _)| *i == interp);
        if current || self.in_flight.is_some() {
            return;
        }
        let since = self.seen.as_ref().map_or(Duration::ZERO, |s| s.1.elapsed());
        if !first && since < DEBOUNCE {
            ctx.request_repaint_after(DEBOUNCE - since);
            return;
        }
        if interp.is_empty() {
            self.probed = Some(interp);
            self.answer = Some(Err(
                "no Python interpreter is set (type python3 or a path)".into()
            ));
            return;
        }
        let (tx, rx) = channel();
        let opts = PythonOptions {
            interpreter: interp.clone(),
            ..options.clone()
        };
        let wake = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("python-probe".into())
            .spawn(move || {
                tx.send(interpreter::probe(&opts).map_err(|e| e.to_string()))
                    .ok();
                wake.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.started += 1;
                self.in_flight = Some((interp, rx));
            }
            Err(e) => {
                self.probed = Some(interp);
                self.answer = Some(Err(format!("cannot start the interpreter probe: {e}")));
            }
        }
    }

    /// The interpreter that waits for the user's confirmation before it may run, if the
    /// current one does.
    pub fn awaiting_confirmation(&self, options: &PythonOptions) -> Option<&str> {
        self.unconfirmed
            .as_ref()
            .map(|(i, _)| i.as_str())
            .filter(|i| *i == options.interpreter.trim())
    }

    /// How many times an interpreter was run to probe it.
    pub fn probes_started(&self) -> usize {
        self.started
    }

    /// Whether a probe is running or waiting for the field to settle.
    pub fn checking(&self, options: &PythonOptions) -> bool {
        self.probed.as_deref() != Some(options.interpreter.trim())
            && self.awaiting_confirmation(options).is_none()
    }

    /// The answer for `options`' interpreter, once it is in (`None` while checking). An
    /// interpreter awaiting confirmation answers with the reason it was not run.
    pub fn answer(&self, options: &PythonOptions) -> Option<&Result<PythonInfo, String>> {
        if self.awaiting_confirmation(options).is_some() {
            return self.unconfirmed.as_ref().map(|(_, a)| a);
        }
        if self.checking(options) {
            None
        } else {
            self.answer.as_ref()
        }
    }

    /// Why `model` cannot be selected now, if it cannot (only Python models ever can't).
    pub fn unavailable(&self, model: ModelKind, options: &PythonOptions) -> Option<String> {
        if !model.is_python() {
            return None;
        }
        match self.answer(options)? {
            Err(e) => Some(e.clone()),
            Ok(info) => info.refuses(model),
        }
    }

    /// One line for next to the model list: "Python 3.11.7 (GIL enabled)", the error, or that
    /// the check is running.
    pub fn summary(&self, options: &PythonOptions) -> Result<String, String> {
        match self.answer(options) {
            None => Ok(format!("checking {} …", options.interpreter.trim())),
            Some(Ok(info)) => Ok(describe(info)),
            Some(Err(e)) => Err(e.clone()),
        }
    }
}

/// "Python 3.11.7 (GIL enabled)".
pub fn describe(info: &PythonInfo) -> String {
    let name = if info.implementation.is_empty() || info.implementation == "cpython" {
        "Python".to_string()
    } else {
        format!("Python ({})", info.implementation)
    };
    let gil = if info.gil_enabled {
        "GIL enabled"
    } else {
        "free-threaded, no GIL"
    };
    format!("{name} {} ({gil})", info.version)
}
