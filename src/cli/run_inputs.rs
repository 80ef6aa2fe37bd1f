//! The files `corelab run` reads or starts, which none of its outputs may replace: the preset
//! file, the function task's module, the command task's program, the Python interpreter, the
//! MPI launcher and hostfile, and the `--baseline` results file, each found as the run will
//! find it.

use std::path::{Path, PathBuf};

use crate::engine::interpreter;
use crate::preset::{Experiment, ModelKind, TaskKind};

use super::preset_arg::arg_names_a_file;

/// What `run` reads or starts, each with what it is in words (naming the preset's field) for
/// the refusal of an output that would replace it. `exp` has its relative paths anchored
/// already (to `preset_dir`, the preset file's directory, where there is one); the programs
/// are resolved as the run resolves them: a path with a `/` as it is (a relative one against
/// the current directory, where the run starts it), a bare name on `PATH`, the interpreter by
/// [`interpreter::resolve`]. Only what this run uses: the interpreter with a Python model,
/// the MPI launcher and hostfile with `py-mpi`.
pub(super) fn run_inputs(
    preset_arg: &Path,
    exp: &Experiment,
    preset_dir: Option<&Path>,
    baseline: Option<&Path>,
) -> Vec<(&'static str, PathBuf)> {
    let mut inputs = Vec::new();
    if arg_names_a_file(preset_arg) {
        inputs.push(("the preset file", preset_arg.to_path_buf()));
    }
    match exp.task.kind {
        TaskKind::Function if !exp.task.function.file.is_empty() => inputs.push((
            "the function task's module, task.function.file",
            PathBuf::from(&exp.task.function.file),
        )),
        TaskKind::Command => {
            if let Some(program) = exp.task.command.argv.first().and_then(|p| program_path(p)) {
                inputs.push(("the command task's program, task.command.argv[0]", program));
            }
        }
        _ => {}
    }
    if exp.models.iter().any(|m| m.is_python())
        && let Ok(python) = interpreter::resolve(&exp.python.interpreter, preset_dir)
    {
        inputs.push(("the Python interpreter, python.interpreter", python));
    }
    if exp.models.contains(&ModelKind::PyMpi) {
        // The launcher starts in the cell's scratch directory: a relative path names a file
        // there, not here.
        let launcher = exp.mpi.launcher.trim();
        if let Some(launcher) = program_path(launcher)
            .filter(|_| !launcher.contains('/') || Path::new(launcher).is_absolute())
        {
            inputs.push(("the MPI launcher, mpi.launcher", launcher));
        }
        let hostfile = exp.mpi.hostfile.trim();
        if !hostfile.is_empty() {
            inputs.push(("the MPI hostfile, mpi.hostfile", PathBuf::from(hostfile)));
        }
    }
    if let Some(baseline) = baseline {
        inputs.push(("the --baseline results file", baseline.to_path_buf()));
    }
    inputs
}

/// The file a program name starts, as `execvp` finds it: a name with a `/` is that path; a
/// bare name is the first executable regular file of that name in a `PATH` directory (an
/// empty entry being the current directory). `None` for an empty name, or one not found.
fn program_path(name: &str) -> Option<PathBuf> {
    if name.trim().is_empty() {
        return None;
    }
    if name.contains('/') {
        return Some(PathBuf::from(name));
    }
    interpreter::found_on_path(name, |_| true)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn whats(inputs: &[(&str, PathBuf)]) -> Vec<String> {
        inputs.iter().map(|(what, _)| what.to_string()).collect()
    }

    #[test]
    fn a_command_tasks_program_is_an_input_by_its_path_or_found_on_path() {
        let mut exp = Experiment::default();
        exp.task.kind = TaskKind::Command;
        exp.task.command.argv = vec!["/opt/bench/run.sh".into(), "{task}".into()];
        let inputs = run_inputs(Path::new("cpu"), &exp, None, None);
        assert_eq!(
            inputs,
            vec![(
                "the command task's program, task.command.argv[0]",
                PathBuf::from("/opt/bench/run.sh")
            )]
        );
        // A bare name is the program PATH gives, as the run starts it.
        exp.task.command.argv = vec!["sh".into()];
        let inputs = run_inputs(Path::new("cpu"), &exp, None, None);
        let found = &inputs[0].1;
        assert!(found.is_absolute() && found.ends_with("sh"), "{found:?}");
        exp.task.command.argv = vec!["no-such-program-of-corelab".into()];
        assert!(run_inputs(Path::new("cpu"), &exp, None, None).is_empty());
    }

    #[test]
    fn the_interpreter_launcher_and_hostfile_count_only_where_the_run_uses_them() {
        let mut exp = Experiment::default();
        exp.python.interpreter = "/opt/py/bin/python3".into();
        exp.mpi.launcher = "/opt/mpi/bin/mpiexec".into();
        exp.mpi.hostfile = "/etc/corelab/hosts".into();
        exp.models = vec![ModelKind::Threads];
        assert!(run_inputs(Path::new("cpu"), &exp, None, None).is_empty());
        exp.models = vec![ModelKind::PyThreading];
        let inputs = run_inputs(
            Path::new("./p.json"),
            &exp,
            None,
            Some(Path::new("old.json")),
        );
        assert_eq!(
            whats(&inputs),
            [
                "the preset file",
                "the Python interpreter, python.interpreter",
                "the --baseline results file"
            ]
        );
        exp.models = vec![ModelKind::PyMpi];
        let inputs = run_inputs(Path::new("cpu"), &exp, None, None);
        assert_eq!(
            inputs,
            vec![
                (
                    "the Python interpreter, python.interpreter",
                    PathBuf::from("/opt/py/bin/python3")
                ),
                (
                    "the MPI launcher, mpi.launcher",
                    PathBuf::from("/opt/mpi/bin/mpiexec")
                ),
                (
                    "the MPI hostfile, mpi.hostfile",
                    PathBuf::from("/etc/corelab/hosts")
                ),
            ]
        );
        // A relative interpreter path is taken against the preset's folder.
        exp.python.interpreter = "venv/bin/python".into();
        let inputs = run_inputs(Path::new("cpu"), &exp, Some(Path::new("/p")), None);
        assert_eq!(inputs[0].1, PathBuf::from("/p/venv/bin/python"));
    }
}
