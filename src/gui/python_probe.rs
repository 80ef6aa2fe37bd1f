//! Asking the Python interpreter about itself, off the UI thread, when the user asks for it.
//!
//! [`probe`](crate::engine::interpreter::probe) starts a subprocess, so it runs on a helper
//! thread, and is killed if it does not answer within
//! [`PROBE_TIMEOUT`](crate::engine::interpreter::PROBE_TIMEOUT). It runs only when the user asks
//! for something that needs the interpreter: ticking a py-* model (or choosing the Python
//! function task), pressing **Check interpreter**, allowing an interpreter an opened file
//! named, or pressing **Run** with a py-* model ticked. Starting the workbench, opening a preset
//! or a results file and typing in the interpreter field run nothing: until it is checked, the
//! Python models show that it was not checked yet. The answer is kept for that interpreter.
//!
//! An interpreter is a program to execute, and one named by an opened preset or results file is
//! not the user's choice yet: the app passes `trusted: false` for it, and nothing runs until the
//! user confirms it (the Python section shows the program and a button).

use std::sync::mpsc::{Receiver, channel};

use eframe::egui;

use crate::engine::PythonInfo;
use crate::engine::interpreter;
use crate::preset::{ModelKind, PythonOptions};

/// The button that checks the interpreter (runs it once, to learn its version).
pub const CHECK_BUTTON: &str = "Check interpreter";

/// The button that allows an interpreter an opened file named to run.
pub const ALLOW_BUTTON: &str = "Allow this interpreter";

/// Where the check of the current interpreter stands.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CheckState<'a> {
    /// Not run yet: nobody asked for anything that needs it.
    NotChecked,
    /// Asked for, and running (or about to).
    Checking,
    /// Its answer; for an interpreter awaiting confirmation, why it was not run.
    Answered(&'a Result<PythonInfo, String>),
}

/// The probe of one interpreter: asked for, in flight, or its answer.
pub struct PythonProbe {
    /// The interpreter the answer is for.
    probed: Option<String>,
    answer: Option<Result<PythonInfo, String>>,
    in_flight: Option<(String, Receiver<Result<PythonInfo, String>>)>,
    /// A check the user asked for, of this interpreter, not started yet.
    wanted: Option<String>,
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
            wanted: None,
            unconfirmed: None,
            started: 0,
        }
    }

    /// Asks for a check of `interpreter`, started by the next [`Self::update`] (if it may
    /// run). `again`: even if it was checked before (the **Check interpreter** button: the
    /// user may have installed something since); else an interpreter already checked, or
    /// being checked, is not run again.
    pub fn request(&mut self, interpreter: &str, again: bool) {
        let interp = interpreter.trim();
        let in_flight = self.in_flight.as_ref().is_some_and(|(i, _)| i == interp);
        let answered = self.probed.as_deref() == Some(interp);
        if in_flight || (!again && answered) {
            return;
        }
        self.wanted = Some(interp.to_string());
    }

    /// Called every frame with the current options: takes in a finished probe, and starts the
    /// one asked for ([`Self::request`]) once none is in flight. An interpreter that is not
    /// `trusted` (it came from an opened file and was not confirmed) is never run. Never waits.
    pub fn update(&mut self, ctx: &egui::Context, options: &PythonOptions, trusted: bool) {
        if let Some((interp, rx)) = &self.in_flight
            && let Ok(answer) = rx.try_recv()
        {
            self.probed = Some(interp.clone());
            self.answer = Some(answer);
            self.in_flight = None;
        }
        let interp = options.interpreter.trim().to_string();
        // A check asked for another interpreter than the one now in the field is not wanted.
        if self.wanted.as_ref().is_some_and(|w| *w != interp) {
            self.wanted = None;
        }
        if !trusted {
            if self.unconfirmed.as_ref().is_none_or(|(i, _)| *i != interp) {
                let reason = format!(
                    "the interpreter `{interp}` comes from an opened file and has not been run; confirm it in the Python section to check it"
                );
                self.unconfirmed = Some((interp, Err(reason)));
            }
            self.wanted = None;
            return;
        }
        self.unconfirmed = None;
        if self.in_flight.is_some() || self.wanted.is_none() {
            return;
        }
        self.wanted = None;
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

    /// Where the check of `options`' interpreter stands.
    pub fn state(&self, options: &PythonOptions) -> CheckState<'_> {
        let interp = options.interpreter.trim();
        if let Some((i, reason)) = &self.unconfirmed
            && i == interp
        {
            return CheckState::Answered(reason);
        }
        let in_flight = self.in_flight.as_ref().is_some_and(|(i, _)| i == interp);
        if in_flight || self.wanted.as_deref() == Some(interp) {
            return CheckState::Checking;
        }
        match (&self.probed, &self.answer) {
            (Some(i), Some(answer)) if i == interp => CheckState::Answered(answer),
            _ => CheckState::NotChecked,
        }
    }

    /// Whether a check of `options`' interpreter was asked for and has not answered yet.
    pub fn checking(&self, options: &PythonOptions) -> bool {
        self.state(options) == CheckState::Checking
    }

    /// The answer for `options`' interpreter, once it is in (`None` while it is not checked
    /// or being checked). An interpreter awaiting confirmation answers with the reason it was
    /// not run.
    pub fn answer(&self, options: &PythonOptions) -> Option<&Result<PythonInfo, String>> {
        match self.state(options) {
            CheckState::Answered(answer) => Some(answer),
            CheckState::NotChecked | CheckState::Checking => None,
        }
    }

    /// Why `model` cannot be selected now, if it cannot (only Python models ever can't, and
    /// only once their interpreter was checked).
    pub fn unavailable(&self, model: ModelKind, options: &PythonOptions) -> Option<String> {
        if !model.is_python() {
            return None;
        }
        match self.answer(options)? {
            Err(e) => Some(e.clone()),
            Ok(info) => info.refuses(model),
        }
    }

    /// One line for next to the model list: "Python 3.11.7 (GIL enabled)", the error, that
    /// the check is running, or that it has not run yet.
    pub fn summary(&self, options: &PythonOptions) -> Result<String, String> {
        let interp = options.interpreter.trim();
        match self.state(options) {
            CheckState::NotChecked => Ok(format!(
                "{interp} not checked yet: corelab runs it to check it when you tick a py-* model, press Run or press {CHECK_BUTTON}"
            )),
            CheckState::Checking => Ok(format!("checking {interp} …")),
            CheckState::Answered(Ok(info)) => Ok(describe(info)),
            CheckState::Answered(Err(e)) => Err(e.clone()),
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
