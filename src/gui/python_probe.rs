//! Asking the Python interpreter about itself, off the UI thread.
//!
//! [`python::probe`](crate::engine::model::python::probe) starts a subprocess, so it runs on a
//! helper thread. The workbench re-probes when the interpreter field changes, after a short
//! pause (typing a path must not start one process per keystroke), and keeps the last answer.

use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use eframe::egui;

use crate::engine::PythonInfo;
use crate::engine::model::python;
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
        }
    }

    /// Called every frame with the current options: takes in a finished probe and starts a new
    /// one when the interpreter changed and has stayed unchanged for [`DEBOUNCE`] (at once the
    /// first time). Never waits.
    pub fn update(&mut self, ctx: &egui::Context, options: &PythonOptions) {
        if let Some((interp, rx)) = &self.in_flight
            && let Ok(answer) = rx.try_recv()
        {
            self.probed = Some(interp.clone());
            self.answer = Some(answer);
            self.in_flight = None;
        }
        let interp = options.interpreter.trim().to_string();
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
                let _ = tx.send(python::probe(&opts).map_err(|e| e.to_string()));
                wake.request_repaint();
            });
        match spawned {
            Ok(_) => self.in_flight = Some((interp, rx)),
            Err(e) => {
                self.probed = Some(interp);
                self.answer = Some(Err(format!("cannot start the interpreter probe: {e}")));
            }
        }
    }

    /// Whether a probe is running or waiting for the field to settle.
    pub fn checking(&self, options: &PythonOptions) -> bool {
        self.probed.as_deref() != Some(options.interpreter.trim())
    }

    /// The answer for `options`' interpreter, once it is in (`None` while checking).
    pub fn answer(&self, options: &PythonOptions) -> Option<&Result<PythonInfo, String>> {
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
