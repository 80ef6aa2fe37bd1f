//! The PRESET argument of `corelab run`: a preset file, a built-in preset's name, or a results
//! file whose recorded experiment is run again, and which of them was used, said on stderr.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::preset::{Experiment, find_builtin, nearest_builtin};
use crate::results::ResultsFile;

use super::message_paths::path_text;

/// Loads the preset `arg` names, by the rule of [`Experiment::arg_names_a_file`], and says on
/// stderr which one was used; a results file gives the experiment it recorded. Returns the
/// experiment, for a file its directory (relative interpreter paths in it are resolved
/// against that directory), where it came from in words (`built-in preset cpu-bound`), and
/// for a results file the results it recorded.
type LoadedPreset = (Experiment, Option<PathBuf>, String, Option<ResultsFile>);

pub(super) fn load_preset(arg: &Path, quiet: bool) -> Result<LoadedPreset> {
    // In messages: on one line, control characters escaped, bytes that are not UTF-8 shown
    // as U+FFFD; the file itself is opened by its exact name.
    let shown = path_text(arg);
    if arg_names_a_file(arg) {
        let path = arg;
        let dir = std::path::absolute(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        // A results file in place of a preset: its recorded experiment is run again (see
        // [`ResultsFile::rerun_experiment`]), and stderr says so.
        if ResultsFile::file_is_results(path) {
            let results = ResultsFile::load(path)
                .with_context(|| format!("cannot run the experiment recorded in {shown}"))?;
            let (exp, calibration) = results.rerun_experiment();
            if !quiet {
                errln!(
                    "Preset: the experiment recorded in the results file {shown} ({}){}",
                    crate::export::sanitize::for_terminal_line(&results.experiment.name),
                    calibration.map_or(String::new(), |c| format!("; {c}"))
                );
            }
            return Ok((exp, dir, format!("results file {shown}"), Some(results)));
        }
        let exp = Experiment::load(path).with_context(|| format!("cannot use preset {shown}"))?;
        if !quiet {
            errln!("Preset: the file {shown}");
        }
        return Ok((exp, dir, format!("preset file {shown}"), None));
    }
    let Some(builtin) = arg.to_str().and_then(find_builtin) else {
        let suggestion = arg
            .to_str()
            .and_then(nearest_builtin)
            .map_or(String::new(), |p| format!(" (did you mean `{}`?)", p.id));
        let hint = if arg.exists() {
            format!(" (a file {shown} exists here: write ./{shown} to use it)")
        } else {
            String::new()
        };
        bail!(
            "\"{shown}\" is not a built-in preset{suggestion}{hint}; a preset file is named by a path that contains a `/` or ends in .json (see `corelab presets`)"
        );
    };
    let exp = builtin
        .experiment()
        .with_context(|| format!("cannot use preset {shown}"))?;
    if !quiet {
        let shadow = if arg.exists() {
            format!(" (not the file {shown} in this directory: write ./{shown} for that)")
        } else {
            String::new()
        };
        errln!("Preset: the built-in preset {shown}{shadow}");
    }
    Ok((exp, None, format!("built-in preset {shown}"), None))
}

/// [`Experiment::arg_names_a_file`] for an argument that need not be UTF-8: a name that is not
/// is a file when it contains a `/` or ends in `.json` (no built-in preset's name is such).
pub(super) fn arg_names_a_file(arg: &Path) -> bool {
    match arg.to_str() {
        Some(text) => Experiment::arg_names_a_file(text),
        None => {
            let bytes = arg.as_os_str().as_encoded_bytes();
            bytes.contains(&b'/') || bytes.ends_with(b".json")
        }
    }
}
