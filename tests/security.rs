#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! The attacks of SECURITY.md, one test per class: planted scratch directories and modules,
//! planted temporary names, fifos and devices given as files, resource bombs, hostile text,
//! out-of-range worker requests.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::*;
use corelab::engine::resources::{self, Available, ResourceError};
use corelab::preset::{Experiment, IoMode, ModelKind, SyncMode, TaskKind, limits};
use corelab::results::ResultsFile;

/// Runs the CLI, killing it if it has not finished within `limit` (a hang is a failure), with
/// a temporary directory of its own (a killed corelab's scratch stays there).
fn corelab_within(args: &[&str], cwd: Option<&Path>, limit: Duration) -> Output {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(corelab_exe());
    cmd.args(args)
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = cwd {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "corelab {args:?} still running after {limit:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success(), "mkfifo {}", path.display());
}

#[test]
fn scratch_directories_planted_in_advance_are_never_used() {
    let _g = exclusive();
    // Every name the old scheme (`$TMPDIR/corelab-<pid>-<n>`) would have given this process,
    // pre-created as another user would, each with a module and a marker.
    let tmp = std::env::temp_dir();
    let planted: Vec<_> = (0..64)
        .map(|n| tmp.join(format!("corelab-{}-{n}", std::process::id())))
        .collect();
    for dir in &planted {
        let _ = std::fs::create_dir(dir);
        std::fs::write(
            dir.join("json.py"),
            "raise SystemExit('planted json imported')",
        )
        .unwrap();
    }
    let mut exp = tiny_experiment(
        TaskKind::Io,
        &[
            ModelKind::Sequential,
            ModelKind::Threads,
            ModelKind::Processes,
        ],
        &[1, 2],
    );
    exp.task.io.mode = IoMode::File;
    let results = sweep(&exp);
    assert_all_ok(&results);
    for dir in &planted {
        let names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec!["json.py"], "{} was used", dir.display());
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn python_never_imports_a_module_planted_in_the_working_directory() {
    if let Some(reason) = python_missing() {
        eprintln!("skipped: {reason}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("planted-module-ran");
    std::fs::write(
        dir.path().join("json.py"),
        format!("open({:?}, 'w').close()\n", marker.to_str().unwrap()),
    )
    .unwrap();
    // The plant works on an interpreter that is not isolated: this is the attack.
    let naive = Command::new("python3")
        .args(["-c", "import json"])
        .current_dir(dir.path())
        .status()
        .unwrap();
    assert!(naive.success());
    assert!(
        marker.exists(),
        "the planted module should shadow json here"
    );
    std::fs::remove_file(&marker).unwrap();

    let preset = dir.path().join("py.json");
    std::fs::write(
        &preset,
        r#"{"task": {"kind": "cpu", "tasks": 4, "cpu": {"size": 2000}},
            "workers": [1, 2], "models": ["py-threading", "py-multiprocessing"],
            "repetitions": 1, "warmups": 0, "timeout_s": 60}"#,
    )
    .unwrap();
    let out = corelab_within(
        &["run", "py.json", "-q"],
        Some(dir.path()),
        Duration::from_secs(120),
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert!(
        !marker.exists(),
        "corelab's Python imported the planted json.py"
    );
}

#[test]
fn a_symlink_planted_at_the_old_temporary_name_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let victim = elsewhere.path().join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    let target = dir.path().join("r.json");
    // The old temporary name was `.<name>.<pid>.tmp`: predictable, and created through links.
    let old_tmp = dir
        .path()
        .join(format!(".r.json.{}.tmp", std::process::id()));
    std::os::unix::fs::symlink(&victim, &old_tmp).unwrap();
    let results = ResultsFile::default();
    results.save(&target).unwrap();
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    assert!(ResultsFile::load(&target).is_ok());
    // Only the target was added next to the planted link.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn saving_over_a_fifo_or_a_directory_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("r.json");
    mkfifo(&fifo);
    let started = Instant::now();
    let err = ResultsFile::default().save(&fifo).unwrap_err().to_string();
    assert!(err.contains("named pipe"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
    let sub = dir.path().join("d.json");
    std::fs::create_dir(&sub).unwrap();
    let err = ResultsFile::default().save(&sub).unwrap_err().to_string();
    assert!(err.contains("a directory"), "{err}");
    assert!(sub.is_dir());
}

#[test]
fn a_fifo_or_dev_zero_is_refused_as_a_preset_and_as_a_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("p.json");
    mkfifo(&fifo);
    let fifo = fifo.to_str().unwrap();
    for args in [
        ["run", fifo],
        ["run", "/dev/zero"],
        ["report", fifo],
        ["report", "/dev/zero"],
    ] {
        let out = corelab_within(&args, None, Duration::from_secs(20));
        let err = stderr_of(&out);
        assert!(!out.status.success(), "{args:?}");
        assert!(err.contains("not a regular file"), "{args:?}: {err}");
    }
    // The library calls too, without the CLI.
    assert!(Experiment::load(Path::new("/dev/zero")).is_err());
    let err = ResultsFile::load(Path::new(fifo)).unwrap_err().to_string();
    assert!(err.contains("named pipe"), "{err}");
}

#[test]
fn memory_arrays_in_every_process_at_the_maximum_are_refused_before_starting() {
    let dir = tempfile::tempdir().unwrap();
    let preset = dir.path().join("bomb.json");
    std::fs::write(
        &preset,
        format!(
            r#"{{"task": {{"kind": "memory", "tasks": 1000, "memory": {{"array_mib": {}, "passes": 1}}}},
                "workers": [{}], "models": ["processes"]}}"#,
            limits::MAX_ARRAY_MIB,
            limits::MAX_PROCESS_WORKERS
        ),
    )
    .unwrap();
    let started = Instant::now();
    let out = corelab_within(
        &["run", preset.to_str().unwrap()],
        None,
        Duration::from_secs(20),
    );
    let err = stderr_of(&out);
    assert!(!out.status.success());
    assert!(
        err.contains("3.0 TiB of memory") && err.contains("available"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(20));
}

fn machine(memory_gib: u64, disk_gib: u64) -> Available {
    Available {
        memory_bytes: Some(memory_gib << 30),
        disk_bytes: Some(disk_gib << 30),
        disk_path: "/tmp".into(),
        address_space_bytes: None,
        last_level_cache_bytes: None,
        python_thread_stack_bytes: 8 << 20,
    }
}

#[test]
fn io_files_at_the_maximum_are_refused_for_the_disk_they_would_fill() {
    let mut exp = tiny_experiment(TaskKind::Io, &[ModelKind::Threads], &[limits::MAX_WORKERS]);
    exp.task.io.mode = IoMode::File;
    exp.task.io.file_kib = limits::MAX_FILE_KIB;
    exp.task.tasks = limits::MAX_TASKS;
    exp.validate().unwrap();
    let err = resources::check_against(&exp, &machine(64, 256)).unwrap_err();
    assert!(matches!(err, ResourceError::Disk { .. }), "{err}");
    let text = err.to_string();
    assert!(
        text.contains("512.0 GiB of disk") && text.contains("256.0 GiB is free"),
        "{text}"
    );
    // Streamed in chunks, the files cost almost no memory.
    let needs = resources::sweep_needs(&exp).unwrap();
    assert!(
        needs.iter().all(|c| c.memory_bytes < 128 << 20),
        "{needs:?}"
    );
}

#[test]
fn a_channel_counter_at_the_maximum_is_bounded_and_counts_exactly() {
    let mut exp = tiny_experiment(
        TaskKind::Contention,
        &[ModelKind::Threads],
        &[limits::MAX_WORKERS],
    );
    exp.task.contention.sync = SyncMode::Channel;
    exp.task.contention.increments = limits::MAX_INCREMENTS;
    exp.validate().unwrap();
    // The queue is bounded, so its peak does not depend on the increments: it fits anywhere.
    resources::check_against(&exp, &machine(1, 1)).unwrap();
    // And a bounded queue still delivers every increment.
    let mut small = tiny_experiment(TaskKind::Contention, &[ModelKind::Threads], &[4]);
    small.task.contention.sync = SyncMode::Channel;
    small.task.contention.increments = 50_000;
    let r = sweep(&small);
    assert_all_ok(&r);
    let threads = r
        .cells
        .iter()
        .find(|c| c.model == Some(ModelKind::Threads))
        .unwrap();
    for s in &threads.samples {
        assert_eq!(s.checksum, 200_000);
        assert_eq!(s.lost_updates, Some(0));
    }
}

#[test]
fn hostile_names_and_errors_are_defused_in_the_terminal_and_in_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("docs/cpu-results.json").unwrap()).unwrap();
    let hostile = "x\x1b]0;owned\x07\x1b[2J\rok <script>alert(1)</script> | [a](javascript:1)";
    doc["experiment"]["name"] = hostile.into();
    doc["experiment"]["description"] = hostile.into();
    let last = doc["cells"].as_array().unwrap().len() - 1;
    doc["cells"][last]["status"] = "failed".into();
    doc["cells"][last]["error"] = hostile.into();
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(&a, doc.to_string()).unwrap();
    std::fs::write(&b, doc.to_string()).unwrap();
    let md = dir.path().join("r.md");
    let out = corelab_within(
        &[
            "report",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--markdown",
            md.to_str().unwrap(),
        ],
        None,
        Duration::from_secs(60),
    );
    assert!(out.status.success(), "{}", stderr_of(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("owned"),
        "the hostile text should be shown: {stdout}"
    );
    for stream in [&out.stdout, &out.stderr] {
        assert!(!stream.contains(&0x1b), "ESC reached the terminal");
        assert!(!stream.contains(&b'\r'), "CR reached the terminal");
        assert!(!stream.contains(&0x07), "BEL reached the terminal");
    }
    let report = std::fs::read_to_string(&md).unwrap();
    assert!(report.contains("&lt;script&gt;"), "{report}");
    assert!(!report.contains("<script"), "{report}");
    for line in report.lines() {
        assert!(!line.contains('\x1b'), "ESC in the report: {line:?}");
        assert!(!line.contains("[a](javascript"), "a live link: {line:?}");
    }
}

/// Starts `corelab worker` with every stream piped.
fn spawn_worker() -> std::process::Child {
    Command::new(corelab_exe())
        .arg("worker")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Starts `corelab worker`, sends `lines`, returns its replies and exit status.
fn talk_to_worker(lines: &[String]) -> (Vec<String>, std::process::ExitStatus, String) {
    let mut child = spawn_worker();
    {
        let mut stdin = child.stdin.take().unwrap();
        for line in lines {
            // The worker may exit after a bad line: later writes then fail, harmlessly.
            let _ = writeln!(stdin, "{line}");
        }
    }
    let replies: Vec<String> = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map(|l| l.unwrap())
        .collect();
    let out = child.wait_with_output().unwrap();
    (replies, out.status, stderr_of(&out))
}

/// A `configure` request line (no newline) for the default task with `task`'s top-level
/// fields put over it, for one worker in /tmp.
fn configure_line(task: serde_json::Value) -> String {
    let mut full = serde_json::to_value(corelab::preset::TaskSpec::default()).unwrap();
    for (k, v) in task.as_object().unwrap() {
        full[k] = v.clone();
    }
    serde_json::json!({"op": "configure", "task": full,
        "env": {"workers": 1, "scratch_dir": "/tmp", "shared_file": null}})
    .to_string()
}

#[test]
fn out_of_range_worker_requests_are_rejected_without_panic() {
    let cases = [
        (
            vec![configure_line(
                serde_json::json!({"kind": "memory", "memory": {"array_mib": 1u64 << 44, "passes": 1}}),
            )],
            "array_mib",
        ),
        (
            vec![configure_line(
                serde_json::json!({"kind": "io", "io": {"mode": "sleep", "sleep_ms": -1.0, "file_kib": 1}}),
            )],
            "sleep_ms",
        ),
        (
            vec![configure_line(
                serde_json::json!({"kind": "mixed", "mixed": {"compute_ms": 1e308, "wait_ms": 0.0}}),
            )],
            "compute_ms",
        ),
        (
            vec![
                configure_line(
                    serde_json::json!({"kind": "cpu", "tasks": 2, "cpu": {"size": 100}}),
                ),
                r#"{"op":"unit","unit":0,"deadline_ms":18446744073709551615}"#.to_string(),
            ],
            "deadline_ms",
        ),
        // The worker runs only corelab's own workloads: a request naming a program (or a
        // Python function) is refused before anything runs.
        (
            vec![
                configure_line(serde_json::json!({"kind": "command", "tasks": 1,
                    "command": {"argv": ["/bin/touch", "/nonexistent-corelab-marker"]}})),
                r#"{"op":"unit","unit":0,"deadline_ms":1000}"#.to_string(),
            ],
            "task.kind",
        ),
        (
            vec![configure_line(
                serde_json::json!({"kind": "function", "tasks": 1,
                "function": {"file": "/tmp/x.py", "name": "f"}}),
            )],
            "task.kind",
        ),
    ];
    for (lines, field) in cases {
        let (replies, status, stderr) = talk_to_worker(&lines);
        assert!(!stderr.contains("panicked"), "{field}: {stderr}");
        let failed = replies
            .iter()
            .find(|r| r.contains(r#""op":"failed""#))
            .unwrap_or_else(|| panic!("{field}: no failure reported: {replies:?}"));
        assert!(failed.contains(field), "{field}: {failed}");
        assert_eq!(status.code(), Some(2), "{field}: {replies:?}");
    }
}

#[test]
fn a_lock_directory_planted_in_the_temporary_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let uid = corelab::sys::effective_uid();
    let planted = tmp.path().join(format!("corelab-locks-{uid}"));
    let preset = tmp.path().join("p.json");
    std::fs::write(
        &preset,
        r#"{"version": 1, "name": "tiny", "task": {"kind": "cpu", "tasks": 2, "cpu": {"size": 1000}},
            "workers": [1], "models": ["threads"], "repetitions": 1, "warmups": 0}"#,
    )
    .unwrap();
    let out = tmp.path().join("r.json");
    // `cache`: the XDG_CACHE_HOME of the run; without it (and without HOME) there is no
    // private directory in the home to go to instead.
    let run_with = |what: &str, cache: Option<&Path>| {
        let mut command = Command::new(corelab_exe());
        command
            .args([
                "run",
                preset.to_str().unwrap(),
                "--out",
                out.to_str().unwrap(),
                "-q",
            ])
            .env("TMPDIR", tmp.path())
            .env_remove("XDG_RUNTIME_DIR")
            .env_remove("HOME")
            .env_remove("XDG_CACHE_HOME");
        if let Some(cache) = cache {
            command.env("XDG_CACHE_HOME", cache);
        }
        let o = command.output().unwrap();
        (o.status.code(), stderr_of(&o), what.to_string())
    };
    let run = |what: &str| run_with(what, None);
    // A directory others can write (as another user would leave it, mode 0777).
    std::fs::create_dir(&planted).unwrap();
    std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o777)).unwrap();
    let (code, stderr, _) = run("world-writable");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("refusing the lock directory"), "{stderr}");
    assert!(!out.exists(), "nothing was measured");
    // A symlink to a directory the attacker controls.
    std::fs::remove_dir(&planted).unwrap();
    let elsewhere = tmp.path().join("attacker");
    std::fs::create_dir(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &planted).unwrap();
    let (code, stderr, _) = run("symlink");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("a symlink"), "{stderr}");
    assert_eq!(
        std::fs::read_dir(&elsewhere).unwrap().count(),
        0,
        "nothing written there"
    );
    // Another user's directory there (as `mkdir -m 755` by them leaves it, which this user
    // cannot remove from a sticky /tmp): refused, and the run goes to a private directory
    // in the home instead.
    std::fs::remove_file(&planted).unwrap();
    if corelab::sys::is_root() {
        std::fs::create_dir(&planted).unwrap();
        std::fs::set_permissions(&planted, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::os::unix::fs::chown(&planted, Some(12345), Some(12345)).unwrap();
        let (code, stderr, _) = run("another user's");
        assert_eq!(code, Some(1), "with no home to go to: {stderr}");
        assert!(
            stderr.contains("it is a directory owned by uid 12345, another user")
                && stderr.contains("set XDG_RUNTIME_DIR or TMPDIR to a private directory"),
            "{stderr}"
        );
        let cache = tmp.path().join("cache");
        let (code, stderr, _) = run_with("another user's, with a home", Some(&cache));
        assert_eq!(code, Some(0), "{stderr}");
        assert!(out.exists());
        std::fs::remove_file(&out).unwrap();
        let locks = std::fs::metadata(cache.join("corelab/locks")).unwrap();
        assert_eq!(locks.permissions().mode() & 0o777, 0o700);
        assert_eq!(std::fs::read_dir(&planted).unwrap().count(), 0);
        std::fs::remove_dir(&planted).unwrap();
    } else {
        eprintln!("not root: cannot plant a directory of another user, not tested");
    }
    // Without the plant, corelab makes its own private directory and the run goes through.
    let (code, stderr, _) = run("clean");
    assert_eq!(code, Some(0), "{stderr}");
    let mode = std::fs::metadata(&planted).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700);
}

/// Talks to `corelab worker` in raw bytes: configures a cpu task whose units carry 1 KiB, then
/// writes `request` and closes stdin. Returns its stdout and exit status.
fn send_raw_to_worker(request: &[u8]) -> (Vec<u8>, std::process::ExitStatus, String) {
    use std::io::Read;
    let configure = configure_line(serde_json::json!({"kind": "cpu", "tasks": 2,
        "cpu": {"size": 100}, "payload_kib": 1}));
    let mut child = spawn_worker();
    let mut stdin = child.stdin.take().unwrap();
    let request = [format!("{configure}\n").into_bytes(), request.to_vec()].concat();
    // Written from a thread: the worker may stop reading (and exit) before all of it is in.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&request);
    });
    let mut out = Vec::new();
    child.stdout.take().unwrap().read_to_end(&mut out).unwrap();
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    (out, output.status, stderr_of(&output))
}

/// A unit's input travels as raw bytes after its line, and its output comes back the same way:
/// the line announces exactly the bytes that follow it.
#[test]
fn a_worker_returns_a_unit_s_payload_raw_after_its_reply() {
    let input: Vec<u8> = (0..1024u32).map(|i| (i * 7) as u8).collect();
    let mut request =
        br#"{"op":"unit","unit":0,"deadline_ms":10000,"payload_bytes":1024}"#.to_vec();
    request.push(b'\n');
    request.extend(&input);
    let (out, status, stderr) = send_raw_to_worker(&request);
    assert_eq!(status.code(), Some(0), "{stderr}");
    let text = String::from_utf8_lossy(&out);
    let done_at = text.find(r#"{"op":"done""#).expect("a done reply");
    let line_end = done_at + out[done_at..].iter().position(|&b| b == b'\n').unwrap();
    let line = std::str::from_utf8(&out[done_at..line_end]).unwrap();
    assert!(line.contains(r#""payload_bytes":1024"#), "{line}");
    let expected: Vec<u8> = input.iter().map(|b| b.wrapping_add(1)).collect();
    assert_eq!(&out[line_end + 1..], expected.as_slice(), "the output, raw");
}

/// A request whose payload ends early, or that announces more than the protocol allows, is
/// refused with what was wrong: the worker answers `failed` and exits 2, reading no further.
#[test]
fn a_worker_refuses_a_truncated_or_oversized_request_payload() {
    let cases: [(Vec<u8>, String); 2] = [
        (
            [
                br#"{"op":"unit","unit":0,"deadline_ms":10000,"payload_bytes":1024}"#.as_slice(),
                b"\n0123456789",
            ]
            .concat(),
            "ended after 10 of the 1024 bytes".into(),
        ),
        (
            format!(
                "{{\"op\":\"unit\",\"unit\":0,\"deadline_ms\":10000,\"payload_bytes\":{}}}\n",
                limits::MAX_PAYLOAD_KIB as usize * 1024 + 1
            )
            .into_bytes(),
            format!(
                "`payload_bytes` = {}",
                limits::MAX_PAYLOAD_KIB as usize * 1024 + 1
            ),
        ),
    ];
    for (request, wanted) in cases {
        let (out, status, stderr) = send_raw_to_worker(&request);
        let replies = String::from_utf8_lossy(&out);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(status.code(), Some(2), "{replies}");
        let failed = replies
            .lines()
            .find(|r| r.contains(r#""op":"failed""#))
            .unwrap_or_else(|| panic!("no failure reported: {replies}"));
        assert!(failed.contains(&wanted), "{failed}");
    }
}

/// A request line with no end is refused at the protocol's line limit, not read into memory
/// until it runs out: the worker answers `failed` and exits 2.
#[test]
fn a_worker_refuses_an_endless_request_line_at_the_limit() {
    use std::io::Read;
    let mut child = spawn_worker();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        // 8 MiB without a newline; the worker stops reading after 1 MiB and exits, and the
        // rest of the writes then fail.
        let chunk = vec![b'a'; 64 * 1024];
        for _ in 0..128 {
            if stdin.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let mut replies = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut replies)
        .unwrap();
    let status = child.wait().unwrap();
    writer.join().unwrap();
    assert_eq!(status.code(), Some(2), "{replies}");
    let failed = replies
        .lines()
        .find(|r| r.contains(r#""op":"failed""#))
        .unwrap_or_else(|| panic!("no failure reported: {replies}"));
    assert!(failed.contains("request line over"), "{failed}");
}

/// A temporary directory where another user could rename entries (mode 0777, no sticky bit)
/// is refused before the sweep starts, once, with what to do: not in every cell in turn
/// (each cell's scratch directory would be refused there) and with nothing made in it.
#[test]
fn a_run_in_a_temporary_directory_others_can_rename_in_is_refused_before_it_starts() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o777)).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_corelab"))
        .args(["run", "lost-updates", "--workers", "1,2", "-q"])
        .env("TMPDIR", &shared)
        .env_remove("XDG_RUNTIME_DIR")
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let expected = format!(
        "refusing the temporary directory {}: others can write in it (mode 777) and it lacks \
         the sticky bit",
        shared.display()
    );
    assert_eq!(err.matches(&expected).count(), 1, "{err}");
    assert!(err.contains("set TMPDIR to a private directory"), "{err}");
    assert!(!err.contains("cell"), "said per cell: {err}");
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0);
    // With the sticky bit, as /tmp has it, the same directory is fine.
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    assert!(corelab::engine::scratch::refusal_of(&shared).is_none());
}
