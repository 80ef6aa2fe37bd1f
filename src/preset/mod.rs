//! Experiments as users save and share them: serde types, loading and validation.

mod anchor;
mod builtin;
mod calibration;
mod error;
mod experiment;
mod strict;
mod task;
mod validate;
mod view;
mod work;
mod workers;

pub use builtin::{BuiltinPreset, START_HERE, builtin_presets, find_builtin, nearest_builtin};
pub use calibration::{ArraySizing, Calibration, CalibrationTrial};
pub use error::PresetError;
pub use experiment::{
    Baseline, Experiment, GilOptions, ModelKind, MpiOptions, PRESET_VERSION, PythonOptions,
    StartMethod,
};
pub use strict::closest;
pub use task::{
    CommandParams, ContentionParams, CpuKernel, CpuParams, FunctionParams, IoMode, IoParams,
    MemoryParams, MixedParams, SyncMode, TASK_PLACEHOLDER, TaskKind, TaskSpec, resolve_module_file,
};
pub use validate::{limits, model_refusal, model_runs};
pub use view::ResultsView;
pub use work::{Work, WorkUnit};
pub use workers::{
    Steps, UpTo, WorkerListError, WorkerRule, WorkerSweep, available_cores, one_to_twice_the_cores,
    parse_list as parse_worker_list,
};

use crate::words::{MAX_QUOTED_CHARS, shortened};
use std::path::Path;

/// Largest preset file corelab will read; anything bigger is refused before parsing.
pub const MAX_PRESET_BYTES: u64 = 1024 * 1024;

impl Experiment {
    /// Parses a preset from JSON text, naming the offending field on error, then validates it.
    pub fn from_json(text: &str) -> Result<Experiment, PresetError> {
        if text.len() as u64 > MAX_PRESET_BYTES {
            return Err(PresetError::TooLarge {
                bytes: text.len() as u64,
                limit: MAX_PRESET_BYTES,
            });
        }
        // A byte-order mark (some Windows editors write one) is not part of the JSON.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if let Some(found) = strict::not_an_object(text) {
            return Err(PresetError::NotAnObject { found });
        }
        let mut unknown: Vec<Vec<strict::Segment>> = Vec::new();
        let mut de = serde_json::Deserializer::from_str(text);
        let mut note_unknown =
            |path: serde_ignored::Path<'_>| unknown.push(strict::segments(&path));
        let experiment: Experiment = serde_path_to_error::deserialize(
            serde_ignored::Deserializer::new(&mut de, &mut note_unknown),
        )
        .map_err(|err| PresetError::Parse {
            // Quoted briefly: a hostile preset's 5 MB key or value would make a 5 MB message.
            field: shortened(&err.path().to_string(), MAX_QUOTED_CHARS),
            message: shortened(
                &with_the_fields_range(
                    &plain_type_names(&err.inner().to_string()),
                    &err.path().to_string(),
                ),
                MAX_QUOTED_CHARS,
            ),
        })?;
        de.end().map_err(|err| PresetError::Parse {
            field: ".".into(),
            message: shortened(&err.to_string(), MAX_QUOTED_CHARS),
        })?;
        // Strict, unlike a results file: a misspelt field must not run the defaults unnoticed.
        if let Some(first) = unknown.first() {
            return Err(strict::unknown_field(first, unknown.len() - 1, &experiment));
        }
        let mut experiment = experiment;
        // A rule in `workers` was resolved on this machine while parsing; keep the rule too.
        // (A list in `workers` is used as it is, whatever `worker_rule` says.)
        #[derive(serde::Deserialize)]
        struct WorkersField {
            #[serde(default)]
            workers: Option<WorkerSweep>,
        }
        if let Ok(WorkersField {
            workers: Some(WorkerSweep::Rule(rule)),
        }) = serde_json::from_str::<WorkersField>(text)
        {
            rule.validate()?;
            experiment.workers = rule.resolve(available_cores());
            experiment.worker_rule = Some(rule);
        }
        // A function task runs one task per call: `tasks` follows the calls (as the workbench
        // keeps it), so that a preset without it neither opens as modified nor is reported
        // with the default 64 tasks.
        if experiment.task.kind == TaskKind::Function && experiment.task.function.calls() > 0 {
            experiment.task.tasks = experiment
                .task
                .function
                .calls()
                .min(limits::MAX_TASKS as usize) as u32;
        }
        experiment.validate()?;
        Ok(experiment)
    }

    /// Reads, parses and validates a preset file. Anything but a regular file (a fifo, a
    /// device) is refused before it is read, and never more than [`MAX_PRESET_BYTES`] are read.
    pub fn load(path: &Path) -> Result<Experiment, PresetError> {
        let io_err = |source| PresetError::Io {
            path: path.display().to_string(),
            source,
        };
        let text =
            crate::safe_fs::read_regular_text(path, MAX_PRESET_BYTES).map_err(|e| match e {
                crate::safe_fs::ReadError::TooLarge { bytes, limit } => {
                    PresetError::TooLarge { bytes, limit }
                }
                other => io_err(other.into()),
            })?;
        Experiment::from_json(&text)
    }

    /// Pretty JSON, as written by "Save preset".
    /// A worker list that still follows its rule on this machine is written as the rule
    /// (`"workers": "auto"` or `{"up_to": …}`), so the preset follows the next machine too.
    pub fn to_json(&self) -> String {
        let mut value = serde_json::to_value(self).expect("an experiment always serialises");
        if let Some(rule) = &self.worker_rule
            && rule.resolve(available_cores()) == self.workers
            && let Some(map) = value.as_object_mut()
        {
            let written = match *rule == WorkerRule::AUTO {
                true => serde_json::Value::from("auto"),
                false => serde_json::to_value(rule).expect("a rule always serialises"),
            };
            map.insert("workers".into(), written);
            map.remove("worker_rule");
        }
        serde_json::to_string_pretty(&value).expect("an experiment always serialises")
    }

    /// Whether a preset argument (`corelab run ARG`, `corelab --preset ARG`) names a file
    /// rather than a built-in preset. The rule: an argument that contains a path separator or
    /// ends in `.json` is a file; anything else is a built-in preset's name, even when a file
    /// of that name exists in the current directory (write `./NAME` to use the file).
    pub fn arg_names_a_file(arg: &str) -> bool {
        arg.contains('/') || arg.contains(std::path::MAIN_SEPARATOR) || arg.ends_with(".json")
    }

    /// Loads a preset given either a file path or the name of a built-in preset.
    pub fn load_path_or_builtin(name: &str) -> Result<Experiment, PresetError> {
        let path = Path::new(name);
        if !path.exists()
            && let Some(builtin) = find_builtin(name)
        {
            return builtin.experiment();
        }
        Experiment::load(path)
    }
}

/// A whole-number field's parse error with the range the field accepts in place of its
/// type's: "invalid value: integer `-3`, expected a whole number between 1 and 1000 at line
/// 12 column 19" for `repetitions`. Other messages and fields are left as they are.
fn with_the_fields_range(message: &str, field: &str) -> String {
    let Some(range) = validate::whole_number_range(field) else {
        return message.to_string();
    };
    let Some(start) = message.find(", expected ") else {
        return message.to_string();
    };
    let end = message[start..]
        .find(" at line ")
        .map_or(message.len(), |i| start + i);
    format!("{}, expected {range}{}", &message[..start], &message[end..])
}

/// serde's Rust type names in a parse error said in words: "expected u32" becomes "expected
/// a whole number from 0 to 4294967295", as a preset's author reads it.
fn plain_type_names(message: &str) -> String {
    const NAMES: [(&str, &str); 8] = [
        ("expected u8", "expected a whole number from 0 to 255"),
        ("expected u16", "expected a whole number from 0 to 65535"),
        (
            "expected u32",
            "expected a whole number from 0 to 4294967295",
        ),
        ("expected u64", "expected a whole number, 0 or more"),
        ("expected usize", "expected a whole number, 0 or more"),
        ("expected i64", "expected a whole number"),
        ("expected f64", "expected a number"),
        ("expected f32", "expected a number"),
    ];
    let mut out = message.to_string();
    for (rust, words) in NAMES {
        // Only whole words: "expected u32" must not match inside "expected u32x".
        let mut from = 0;
        while let Some(i) = out[from..].find(rust).map(|i| i + from) {
            let end = i + rust.len();
            if out[end..].starts_with(|c: char| c.is_alphanumeric()) {
                from = end;
                continue;
            }
            out.replace_range(i..end, words);
            from = i + words.len();
        }
    }
    out
}
