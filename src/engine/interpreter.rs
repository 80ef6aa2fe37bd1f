//! Which program a preset's `python.interpreter` names, and asking it about itself.
//!
//! An interpreter is a program corelab executes, so it is named exactly once: [`resolve`]
//! turns the text of a preset into an absolute path (a bare name is looked up on `PATH`, a
//! relative path is taken relative to the preset file's directory), and the version probe and
//! the worker then start that same path. A relative path with no preset file to anchor it is
//! refused rather than guessed at: the probe would resolve it against the current directory and
//! the worker, which starts in a scratch directory, against that one.
//!
//! [`probe`] runs the interpreter with a timeout ([`PROBE_TIMEOUT`]); a program that does not
//! answer is killed with its whole process group.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use super::error::EngineError;
use super::model::python::{MIN_VERSION, PythonInfo};
use crate::preset::PythonOptions;

/// How long the version probe may take before the interpreter is killed.
pub const PROBE_TIMEOUT: Duration = Duration::from_secs(5);

/// The most of the probe's output that is read (a JSON line is about 80 bytes).
const OUTPUT_CAP: u64 = 64 * 1024;

const PROBE_CODE: &str = "import sys, json; g = getattr(sys, '_is_gil_enabled', None); \
     print(json.dumps({'version': '%d.%d.%d' % sys.version_info[:3], \
     'implementation': sys.implementation.name, 'gil_enabled': True if g is None else bool(g()), \
     **{k: v for k, v in ((k, cluster_version(m)) for k, m in \
     (('dask', 'distributed'), ('mpi4py', 'mpi4py'))) if v}}))";

/// Defines `cluster_version(module)`: the version of a module the interpreter could import,
/// found without importing it (`importlib.util.find_spec`, then its installed metadata), or
/// `None`. Run before [`PROBE_CODE`].
const CLUSTER_PROBE: &str = "def cluster_version(m):\n\
     \x20   import importlib.util\n\
     \x20   try:\n\
     \x20       if importlib.util.find_spec(m) is None: return None\n\
     \x20   except Exception: return None\n\
     \x20   try:\n\
     \x20       import importlib.metadata as md; return md.version(m)\n\
     \x20   except Exception: return 'unknown'\n";

/// Whether `text` is a path with more than one component (`./py`, `bin/python3`), as opposed
/// to a bare name looked up on `PATH`.
fn has_separator(text: &str) -> bool {
    text.contains(std::path::MAIN_SEPARATOR) || text.contains('/')
}

/// The absolute path of the interpreter `text` names: an absolute path as it is, a bare name
/// looked up on `PATH` (absolute entries only), a relative path joined to `base_dir` (the
/// directory of the preset file it came from). Refused: an empty name, and a relative path
/// without a `base_dir`.
pub fn resolve(text: &str, base_dir: Option<&Path>) -> Result<PathBuf, EngineError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(EngineError::InterpreterRefused(
            "no Python interpreter is set (`python.interpreter` is empty; use python3 or a path)"
                .into(),
        ));
    }
    let path = Path::new(text);
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    if has_separator(text) {
        return match base_dir {
            Some(dir) => Ok(std::path::absolute(dir.join(path)).unwrap_or_else(|_| dir.join(path))),
            None => Err(relative_refused(text)),
        };
    }
    // Absolute entries only: a relative one would name another file in the worker's
    // scratch directory.
    found_on_path(text, |dir| dir.is_absolute()).ok_or_else(|| {
            let shown = text.escape_debug();
            EngineError::PythonUnavailable(format!(
                "the Python models need an interpreter, and `{shown}` was not found on PATH (install python3 or set python.interpreter)"
            ))
        })
}

/// `text` with a relative path (one with a separator) anchored to `base_dir`, the directory of
/// the file it came from; anything else (an absolute path, a bare name for `PATH`) unchanged.
pub fn anchor(text: &str, base_dir: &Path) -> String {
    let trimmed = text.trim();
    if Path::new(trimmed).is_absolute() || !has_separator(trimmed) {
        return text.to_string();
    }
    match resolve(trimmed, Some(base_dir)) {
        Ok(path) => path
            .to_str()
            .map_or_else(|| text.to_string(), str::to_string),
        Err(_) => text.to_string(),
    }
}

fn relative_refused(text: &str) -> EngineError {
    let shown = text.escape_debug();
    EngineError::InterpreterRefused(format!(
        "the interpreter `{shown}` is a relative path, which the version check and the worker \
         (started in a scratch directory) would resolve differently; give an absolute path, or \
         a path relative to the preset file"
    ))
}

/// The first executable regular file named `name` in a `PATH` directory that `dir_wanted`
/// accepts, in `PATH`'s order, as `execvp` looks a bare name up (an empty entry being the
/// current directory, `.`).
pub fn found_on_path(name: &str, dir_wanted: impl Fn(&Path) -> bool) -> Option<PathBuf> {
    let path_var = std::env::var_os("PATH")?;
    std::env::split_paths(&path_var)
        .map(|dir| match dir.as_os_str().is_empty() {
            true => PathBuf::from("."),
            false => dir,
        })
        .filter(|dir| dir_wanted(dir))
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable_file(candidate))
}

fn is_executable_file(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The process groups of the probes running now, which [`stop_probes`] kills.
static RUNNING_PROBES: std::sync::Mutex<Vec<u32>> = std::sync::Mutex::new(Vec::new());

/// A probe's process group, listed in [`RUNNING_PROBES`] while the probe runs.
struct RunningProbe(u32);

impl RunningProbe {
    fn register(group: u32) -> Self {
        if let Ok(mut running) = RUNNING_PROBES.lock() {
            running.push(group);
        }
        RunningProbe(group)
    }
}

impl Drop for RunningProbe {
    fn drop(&mut self) {
        if let Ok(mut running) = RUNNING_PROBES.lock() {
            running.retain(|g| *g != self.0);
        }
    }
}

/// Kills every interpreter probe running now, with whatever each started. A probe runs on a
/// thread of its own in the workbench; when the window closes mid-probe, the process ends
/// without waiting for it, and the death signal set on the interpreter would reach it alone,
/// not its children (a `python3` wrapper script's `sleep`, say). The probes themselves then
/// fail as killed.
pub fn stop_probes() {
    if let Ok(mut running) = RUNNING_PROBES.lock() {
        for group in running.drain(..) {
            crate::sys::kill_process_group(group);
        }
    }
}

/// Asks the interpreter for its version and GIL status, waiting at most [`PROBE_TIMEOUT`].
pub fn probe(options: &PythonOptions) -> Result<PythonInfo, EngineError> {
    probe_within(options, PROBE_TIMEOUT)
}

/// [`probe`] with another time limit. Fails with a readable reason when the interpreter is
/// missing, broken, too old, slower than `timeout` (it is then killed, with every process it
/// started), or named by a relative path (see [`resolve`]).
pub fn probe_within(options: &PythonOptions, timeout: Duration) -> Result<PythonInfo, EngineError> {
    let interp = options.interpreter.trim();
    // In messages, on one line: a name from a shared preset could hold a newline and an
    // escape sequence, to print a line of its own that reads like corelab's.
    let shown = interp.escape_debug().to_string();
    if interp.is_empty() {
        return Err(resolve(interp, None)
            .err()
            .unwrap_or_else(|| relative_refused(interp)));
    }
    if !Path::new(interp).is_absolute() && has_separator(interp) {
        return Err(relative_refused(interp));
    }
    let mut command = Command::new(interp);
    command
        .args(["-I", "-c", &format!("{CLUSTER_PROBE}{PROBE_CODE}")])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Whatever the probe starts and leaves behind (a wrapper script's daemon) is stopped when
    // this is dropped, on every way out.
    let marked = super::run_mark::MarkedRun::new();
    marked.put_on(&mut command);
    crate::sys::child_in_own_group_dies_with_parent(&mut command);
    let mut child = command.spawn().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => EngineError::PythonUnavailable(format!(
            "the Python models need an interpreter, and `{shown}` was not found (install python3 or set python.interpreter)"
        )),
        _ => EngineError::PythonUnavailable(format!("cannot run `{shown}`: {e}")),
    })?;
    let _running = RunningProbe::register(child.id());
    let stdout = read_in_background(child.stdout.take());
    let stderr = read_in_background(child.stderr.take());
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(5)),
            outcome => {
                crate::sys::kill_process_group(child.id());
                child.kill().ok();
                child.wait().ok();
                return Err(match outcome {
                    Err(e) => {
                        EngineError::PythonUnavailable(format!("cannot wait for `{shown}`: {e}"))
                    }
                    _ => EngineError::ProbeTimedOut {
                        interpreter: shown.clone(),
                        timeout,
                    },
                });
            }
        }
    };
    // Whatever it started must not outlive the probe (nor hold the pipes open).
    crate::sys::kill_process_group(child.id());
    let wait = Duration::from_secs(1);
    let stdout = stdout.recv_timeout(wait).unwrap_or_default();
    let stderr = stderr.recv_timeout(wait).unwrap_or_default();
    if !status.success() {
        return Err(EngineError::PythonUnavailable(format!(
            "`{shown}` failed ({status}): {}",
            why_it_failed(&stderr)
        )));
    }
    // The parser's own words ("expected value at line 1 column 1") say nothing to the user:
    // what the interpreter printed, and that it was not the reply asked for, do. A JSON object
    // without a version (every field has a default) is not that reply either.
    let mut info: PythonInfo = serde_json::from_slice(&stdout)
        .ok()
        .filter(|info: &PythonInfo| !info.version.trim().is_empty())
        .ok_or_else(|| not_the_reply(&shown, &stdout))?;
    info.interpreter = interp.to_string();
    // The launcher is looked up, never run: `py-mpi` says at its start what it cannot launch.
    info.mpiexec = resolve("mpiexec", None)
        .ok()
        .map(|p| p.to_string_lossy().into_owned());
    let mut parts = info
        .version
        .split('.')
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if version < MIN_VERSION {
        return Err(EngineError::PythonUnavailable(format!(
            "`{shown}` is Python {}, older than the {}.{} the Python models need",
            info.version, MIN_VERSION.0, MIN_VERSION.1
        )));
    }
    Ok(info)
}

/// The error for an interpreter (`shown`) that exited normally but printed `stdout` in place of
/// the version report the probe asks for: said in words, with the first line it printed.
fn not_the_reply(shown: &str, stdout: &[u8]) -> EngineError {
    let printed = match first_line(stdout, OUTPUT_SHOWN) {
        Some(line) => {
            format!("its reply was not the version report corelab asked for: it printed `{line}`")
        }
        None => "it printed nothing where corelab asked for its version".to_string(),
    };
    EngineError::PythonUnavailable(format!(
        "`{shown}` did not answer like CPython {}.{} or newer: {printed}",
        MIN_VERSION.0, MIN_VERSION.1
    ))
}

/// The most characters of an interpreter's own words that a message quotes.
const OUTPUT_SHOWN: usize = 160;

/// One line of what a program printed, for a message: its last non-blank line (a traceback
/// ends with the error; Python 2's usage text starts with it, and is recognised apart), decoded
/// lossily, control characters escaped (it cannot print a line of its own, nor move the
/// cursor), cut at `max` characters. `None` when it printed nothing but blanks.
fn one_line(bytes: &[u8], max: usize) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).rfind(|l| !l.is_empty())?;
    Some(quoted(line, max))
}

/// [`one_line`], but the first non-blank line: what a program printed in place of an answer
/// begins with what it is (a banner, a greeting, a shell's error).
fn first_line(bytes: &[u8], max: usize) -> Option<String> {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    Some(quoted(line, max))
}

/// `line` with its control characters escaped, cut at `max` characters.
fn quoted(line: &str, max: usize) -> String {
    let escaped: String = line.chars().flat_map(char::escape_debug).collect();
    match escaped.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped,
    }
}

/// Why a probe that exited with an error failed, from its stderr: an interpreter too old to
/// know `-I` (Python 2, or a Python 3 before 3.4) or to parse the probe (Python 2) is named as
/// such, since its own words (a usage text, a `SyntaxError`) do not say it; anything else is
/// quoted (see [`one_line`]).
fn why_it_failed(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let need = format!(
        "the Python models need CPython {}.{} or newer",
        MIN_VERSION.0, MIN_VERSION.1
    );
    if text.contains("Unknown option: -I") || text.contains("unknown option -I") {
        return format!(
            "it does not know Python 3's -I option, so it is Python 2 or a Python 3 older than 3.4; {need}"
        );
    }
    if text.contains("SyntaxError") {
        return format!(
            "it could not parse Python 3 code (`{}`), as Python 2 cannot; {need}",
            one_line(stderr, OUTPUT_SHOWN).unwrap_or_default()
        );
    }
    match one_line(stderr, OUTPUT_SHOWN) {
        Some(line) => format!("it said `{line}`"),
        None => format!("it printed no reason; is it a Python 3 interpreter? ({need})"),
    }
}

/// Reads `pipe` to its end (at most [`OUTPUT_CAP`] bytes) on a helper thread.
fn read_in_background(pipe: Option<impl Read + Send + 'static>) -> Receiver<Vec<u8>> {
    let (tx, rx) = channel();
    if let Some(pipe) = pipe {
        // Without a thread nothing is read, and the caller sees empty output (an error).
        std::thread::Builder::new()
            .name("probe-output".into())
            .spawn(move || {
                let mut bytes = Vec::new();
                pipe.take(OUTPUT_CAP).read_to_end(&mut bytes).ok();
                tx.send(bytes).ok();
            })
            .ok();
    }
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_are_kept_and_relative_ones_anchor_to_the_preset() {
        assert_eq!(
            resolve("/opt/py/bin/python3", None).unwrap(),
            PathBuf::from("/opt/py/bin/python3")
        );
        assert_eq!(
            resolve(" ./py ", Some(Path::new("/presets"))).unwrap(),
            PathBuf::from("/presets/py")
        );
        assert_eq!(
            resolve("venv/bin/python", Some(Path::new("/p"))).unwrap(),
            PathBuf::from("/p/venv/bin/python")
        );
    }

    #[test]
    fn a_relative_path_without_a_preset_file_is_refused_with_the_reason() {
        let err = resolve("./py", None).unwrap_err();
        assert!(matches!(err, EngineError::InterpreterRefused(_)), "{err:?}");
        assert!(
            err.to_string().contains("`./py` is a relative path"),
            "{err}"
        );
        // The probe refuses it too, without running anything.
        let options = PythonOptions {
            interpreter: "./py".into(),
            ..PythonOptions::default()
        };
        let err = probe(&options).unwrap_err();
        assert!(matches!(err, EngineError::InterpreterRefused(_)), "{err:?}");
        assert!(matches!(
            resolve("  ", None),
            Err(EngineError::InterpreterRefused(_))
        ));
    }

    #[test]
    fn bare_names_are_looked_up_on_path() {
        // `sh` is on every PATH a test runs with.
        let sh = resolve("sh", None).unwrap();
        assert!(sh.is_absolute() && sh.ends_with("sh"), "{}", sh.display());
        let err = resolve("no-such-interpreter-xyz", None).unwrap_err();
        assert!(matches!(err, EngineError::PythonUnavailable(_)));
        assert!(
            err.to_string()
                .contains("`no-such-interpreter-xyz` was not found")
        );
    }

    #[test]
    fn a_hanging_interpreter_is_killed_at_the_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("hang.sh");
        crate::safe_fs::write_executable(&script, b"#!/bin/sh\nsleep 30\n").unwrap();
        let options = PythonOptions {
            interpreter: script.to_string_lossy().into_owned(),
            ..PythonOptions::default()
        };
        let started = Instant::now();
        let err = probe_within(&options, Duration::from_millis(200)).unwrap_err();
        assert!(matches!(err, EngineError::ProbeTimedOut { .. }), "{err:?}");
        // Killed with its `sleep`: the output pipes closed and the probe returned long before
        // the 30 s the script would take.
        assert!(started.elapsed() < Duration::from_secs(20));
        assert!(
            err.to_string().contains("did not answer within 0.2 s"),
            "{err}"
        );
    }

    #[test]
    fn a_fake_interpreter_that_answers_like_cpython_is_accepted() {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("py");
        crate::safe_fs::write_executable(
            &script,
            b"#!/bin/sh\necho '{\"version\": \"3.12.1\", \"implementation\": \"cpython\", \"gil_enabled\": true}'\n",
        )
        .unwrap();
        let options = PythonOptions {
            interpreter: script.to_string_lossy().into_owned(),
            ..PythonOptions::default()
        };
        let info = probe(&options).unwrap();
        assert_eq!(info.version, "3.12.1");
        assert!(info.gil_enabled);
        assert_eq!(info.interpreter, options.interpreter);
    }
}

#[cfg(test)]
mod odd_interpreters {
    use super::*;

    /// A fake interpreter: a shell script with `body`, in its own temporary directory.
    fn fake(body: &str) -> (tempfile::TempDir, PythonOptions) {
        let dir = tempfile::tempdir().unwrap();
        let script = dir.path().join("python");
        crate::safe_fs::write_executable(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
        let options = PythonOptions {
            interpreter: script.to_string_lossy().into_owned(),
            ..PythonOptions::default()
        };
        (dir, options)
    }

    /// What Python 2.7 does with the probe's `-I`: a usage text on stderr, exit status 2.
    const PYTHON2: &str = "case \"$1\" in --version) echo 'Python 2.7.18' >&2; exit 0;; esac\n\
        echo 'Unknown option: -I' >&2\n\
        echo 'usage: python [option] ... [-c cmd | -m mod | file | -] [arg] ...' >&2\n\
        echo \"Try \\`python -h' for more information.\" >&2\nexit 2";

    #[test]
    fn python_2_is_named_as_too_old_on_one_line() {
        let (_dir, options) = fake(PYTHON2);
        let err = probe(&options).unwrap_err().to_string();
        assert!(
            err.contains(&format!("`{}` failed", options.interpreter)),
            "{err}"
        );
        assert!(
            err.contains("it is Python 2 or a Python 3 older than 3.4"),
            "{err}"
        );
        assert!(err.contains("need CPython 3.8 or newer"), "{err}");
        assert!(!err.contains('\n'), "one line: {err:?}");
    }

    #[test]
    fn an_interpreter_that_cannot_parse_python_3_is_named_as_such() {
        let (_dir, options) = fake(
            "echo '  File \"<string>\", line 1' >&2\necho 'SyntaxError: invalid syntax' >&2\nexit 1",
        );
        let err = probe(&options).unwrap_err().to_string();
        assert!(
            err.contains("could not parse Python 3 code (`SyntaxError: invalid syntax`)"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err:?}");
    }

    #[test]
    fn a_traceback_is_quoted_by_its_last_line_with_control_characters_escaped() {
        let (_dir, options) = fake(
            "echo 'Traceback (most recent call last):' >&2\n\
             printf 'ImportError: no json\\033[2J\\n\\n' >&2\nexit 1",
        );
        let err = probe(&options).unwrap_err().to_string();
        assert!(
            err.contains("it said `ImportError: no json\\u{1b}[2J`"),
            "{err}"
        );
        assert!(!err.contains(['\n', '\u{1b}']), "{err:?}");
    }

    #[test]
    fn an_interpreter_printing_garbage_is_quoted_legibly() {
        // Several lines: the first is quoted, and the JSON parser's words are not.
        let (_dir, options) = fake("printf 'hello \\377 not json\\nsecond line\\n'");
        let err = probe(&options).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "did not answer like CPython 3.8 or newer: its reply was not the version report \
                 corelab asked for: it printed `hello \u{fffd} not json`"
            ),
            "{err}"
        );
        assert!(!err.contains("line 1 column"), "{err}");
        // Valid JSON of another shape is not the reply either.
        let (_dir, options) = fake("echo '{\"answer\": 42}'");
        let err = probe(&options).unwrap_err().to_string();
        assert!(err.ends_with("it printed `{\\\"answer\\\": 42}`"), "{err}");
        assert!(!err.contains("missing field"), "{err}");
        let (_dir, options) = fake("exit 0");
        let err = probe(&options).unwrap_err().to_string();
        assert!(
            err.ends_with(": it printed nothing where corelab asked for its version"),
            "{err}"
        );
        // A very long line is cut.
        let (_dir, options) = fake("printf '%0500d\\n' 0");
        let err = probe(&options).unwrap_err().to_string();
        assert!(
            err.contains(&format!("`{}…`", "0".repeat(OUTPUT_SHOWN))),
            "{err}"
        );
    }

    #[test]
    fn python_3_6_and_3_7_are_refused_and_3_8_accepted() {
        // The worker calls threading.get_native_id, new in 3.8.
        assert!(crate::engine::model::python::WORKER_SCRIPT.contains("threading.get_native_id()"));
        assert_eq!(MIN_VERSION, (3, 8));
        for (version, ok) in [("3.6.15", false), ("3.7.16", false), ("3.8.0", true)] {
            let (_dir, options) = fake(&format!(
                "echo '{{\"version\": \"{version}\", \"implementation\": \"cpython\", \"gil_enabled\": true}}'"
            ));
            match probe(&options) {
                Ok(_) => assert!(ok, "{version} accepted"),
                Err(e) => {
                    assert!(!ok, "{version}: {e}");
                    assert!(
                        e.to_string()
                            .contains(&format!("is Python {version}, older than the 3.8")),
                        "{e}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_interpreter_failing_silently_says_what_is_needed() {
        let (_dir, options) = fake("exit 1");
        let err = probe(&options).unwrap_err().to_string();
        assert!(
            err.contains("(exit status: 1): it printed no reason"),
            "{err}"
        );
        assert!(err.contains("need CPython 3.8 or newer"), "{err}");
    }
}

#[cfg(test)]
mod one_line_names {
    use super::*;

    /// A name with a newline, an escape sequence or a bidi override is quoted on one line in
    /// every message: it cannot print a line of its own that reads like corelab's.
    #[test]
    fn an_interpreter_s_name_stays_on_one_line_in_messages() {
        for name in [
            "/no/such/rel\u{1b}]0;PWNED\u{7}\nFAKE LINE\r\u{202e}",
            "rel/\nFAKE LINE",
            "nosuch\nFAKE LINE",
        ] {
            let options = PythonOptions {
                interpreter: name.into(),
                ..PythonOptions::default()
            };
            let err = probe_within(&options, Duration::from_secs(5))
                .unwrap_err()
                .to_string();
            assert!(
                !err.contains(['\n', '\r', '\u{1b}', '\u{7}', '\u{202e}']),
                "{err:?}"
            );
            assert!(err.contains("FAKE LINE"), "{err:?}");
        }
    }
}
