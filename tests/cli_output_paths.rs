#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! Where `run`'s and `report`'s outputs go: through a symbolic link to the regular file it
//! names (the link stays a link), never into a device, a directory or a dangling link's
//! target, and to standard output for `--csv -` and `--markdown -`.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::corelab_exe;

const QUICK: &str = r#"{
  "version": 1,
  "name": "quick",
  "task": {"kind": "cpu", "tasks": 4, "cpu": {"kernel": "primes", "size": 2000}},
  "workers": [1, 2],
  "models": ["sequential", "threads"],
  "repetitions": 1,
  "warmups": 0,
  "min_time_s": 0,
  "precision": 0
}"#;

fn corelab_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(corelab_exe())
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn texts(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn is_link(path: &Path) -> bool {
    std::fs::symlink_metadata(path)
        .unwrap()
        .file_type()
        .is_symlink()
}

#[test]
fn a_symlink_to_a_regular_file_is_written_through_and_stays_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("quick.json"), QUICK).unwrap();
    std::fs::create_dir(d.join("ln")).unwrap();
    std::fs::write(d.join("ln/real.csv"), "old").unwrap();
    std::os::unix::fs::symlink("real.csv", d.join("ln/link.csv")).unwrap();
    std::fs::write(d.join("ln/real.md"), "old").unwrap();
    std::os::unix::fs::symlink("real.md", d.join("ln/link.md")).unwrap();
    let o = corelab_in(
        d,
        &[
            "run",
            "./quick.json",
            "-q",
            "--out",
            "r.json",
            "--csv",
            "ln/link.csv",
        ],
    );
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(is_link(&d.join("ln/link.csv")));
    let csv = std::fs::read_to_string(d.join("ln/real.csv")).unwrap();
    assert!(csv.starts_with("model,workers,status,"), "{csv}");
    // Only the two files and their links: no temporary file left beside either.
    assert_eq!(std::fs::read_dir(d.join("ln")).unwrap().count(), 4);
    // `report` writes through a link as well.
    let o = corelab_in(d, &["report", "r.json", "--markdown", "ln/link.md"]);
    let (_, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(is_link(&d.join("ln/link.md")));
    let md = std::fs::read_to_string(d.join("ln/real.md")).unwrap();
    assert!(md.starts_with('#'), "{md}");
}

#[test]
fn dangling_links_links_to_directories_and_devices_are_refused_before_the_sweep() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("quick.json"), QUICK).unwrap();
    std::os::unix::fs::symlink("missing/nowhere.csv", d.join("dangling.csv")).unwrap();
    std::fs::create_dir(d.join("sub")).unwrap();
    std::os::unix::fs::symlink("sub", d.join("to-dir.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/null", d.join("null.csv")).unwrap();
    let cases = [
        ("--csv", "dangling.csv", "does not exist"),
        ("--csv", "to-dir.csv", "a directory"),
        ("--markdown", "null.csv", "is in /dev"),
        ("--csv", "/dev/stdout", "is in /dev"),
        ("--csv", "/dev/null", "is in /dev"),
        ("--png", "/proc/self/comm", "is in /proc"),
    ];
    for (flag, path, expected) in cases {
        let o = corelab_in(d, &["run", "./quick.json", "-q", flag, path]);
        let (stdout, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(1), "{flag} {path}: {stderr}");
        assert!(
            stderr.contains(&format!("Error: {flag} {path}")) && stderr.contains(expected),
            "{flag} {path}: {stderr}"
        );
        // Refused before the sweep: no table.
        assert!(stdout.is_empty(), "{flag} {path}: {stdout}");
    }
    for link in ["dangling.csv", "to-dir.csv", "null.csv"] {
        assert!(is_link(&d.join(link)), "{link} is still a link");
    }
    assert!(!d.join("missing").exists());
    assert_eq!(std::fs::read_dir(d.join("sub")).unwrap().count(), 0);
}

/// Whether `text` is one CSV table: a header and rows with as many fields (the quick preset's
/// fields hold no commas).
fn is_only_csv(text: &str) -> bool {
    let mut lines = text.lines();
    let Some(header) = lines.next() else {
        return false;
    };
    let fields = header.split(',').count();
    header.starts_with("model,workers,status,")
        && lines.clone().count() >= 1
        && lines.all(|l| l.split(',').count() == fields)
}

#[test]
fn a_dash_sends_csv_and_markdown_to_standard_output_and_the_tables_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("quick.json"), QUICK).unwrap();
    let o = corelab_in(
        d,
        &["run", "./quick.json", "-q", "--out", "r.json", "--csv", "-"],
    );
    let (stdout, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(is_only_csv(&stdout), "stdout holds only the CSV: {stdout}");
    assert_eq!(stdout.lines().count(), 4, "{stdout}");
    assert!(
        stderr.contains("baseline:"),
        "the table on stderr: {stderr}"
    );
    assert!(
        stderr.contains("summary written to standard output"),
        "{stderr}"
    );
    assert!(!d.join("-").exists(), "no file called -");

    // `report` makes the same CSV from the saved results, to stdout or to a file.
    let o = corelab_in(d, &["report", "r.json", "--csv", "-"]);
    let (report_csv, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert_eq!(report_csv, stdout);
    assert!(stderr.contains("baseline:"), "{stderr}");
    let o = corelab_in(d, &["report", "r.json", "--csv", "s.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
    assert_eq!(std::fs::read_to_string(d.join("s.csv")).unwrap(), stdout);
    assert!(
        texts(&o).0.contains("baseline:"),
        "the table stays on stdout"
    );

    let o = corelab_in(d, &["report", "r.json", "--markdown", "-"]);
    let (md, stderr) = texts(&o);
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(md.starts_with("# "), "{md}");
    assert!(!md.contains("Fastest per worker"), "no table text: {md}");
    assert!(!d.join("-").exists());

    // A file called `-` is still reachable as ./-.
    let o = corelab_in(d, &["report", "r.json", "--csv", "./-"]);
    assert_eq!(o.status.code(), Some(0), "{}", texts(&o).1);
    assert_eq!(std::fs::read_to_string(d.join("-")).unwrap(), stdout);
}

#[test]
fn standard_output_is_refused_where_it_cannot_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("quick.json"), QUICK).unwrap();
    let cases: [(&[&str], &str); 4] = [
        (
            &["run", "./quick.json", "--out", "-"],
            "--out -: only --csv and --markdown can write to standard output",
        ),
        (
            &["run", "./quick.json", "--png", "-"],
            "--png -: only --csv and --markdown",
        ),
        (
            &["run", "./quick.json", "--csv", "-", "--markdown", "-"],
            "only one output can go to standard output",
        ),
        (
            &["report", "a.json", "b.json", "--csv", "-"],
            "the CSV summary is made from one results file, and 2 were given",
        ),
    ];
    for (args, expected) in cases {
        let o = corelab_in(d, args);
        let (stdout, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(stdout.is_empty(), "{args:?}: {stdout}");
    }
    assert!(!d.join("-").exists());
}

/// No output may replace a file the run starts: the command task's program (relative to the
/// preset), the Python interpreter a preset names by its path, the MPI hostfile. Refused
/// before anything runs, naming which input it is; the file is left as it was.
#[test]
fn outputs_never_replace_the_programs_and_files_the_run_uses() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let script = "#!/bin/sh\nexit 0\n";
    corelab::safe_fs::write_executable(&d.join("evilcmd.sh"), script).unwrap();
    std::fs::write(
        d.join("cmd.json"),
        r#"{"version": 1, "name": "cmd", "task": {"kind": "command", "tasks": 2,
            "command": {"argv": ["./evilcmd.sh", "{task}"]}}, "workers": [1],
            "models": ["sequential"], "repetitions": 1, "warmups": 0, "min_time_s": 0,
            "precision": 0}"#,
    )
    .unwrap();
    corelab::safe_fs::write_executable(&d.join("mypython"), script).unwrap();
    std::fs::write(d.join("hosts"), "localhost slots=4\n").unwrap();
    std::fs::write(
        d.join("py.json"),
        r#"{"version": 1, "name": "py", "task": {"kind": "cpu", "tasks": 2,
            "cpu": {"kernel": "primes", "size": 2000}}, "workers": [1],
            "models": ["py-threading", "py-mpi"], "repetitions": 1, "warmups": 0,
            "python": {"interpreter": "./mypython"}, "mpi": {"hostfile": "hosts"}}"#,
    )
    .unwrap();
    let cases = [
        (
            "./cmd.json",
            "--out",
            "evilcmd.sh",
            "the command task's program, task.command.argv[0]",
        ),
        (
            "./cmd.json",
            "--csv",
            "./evilcmd.sh",
            "the command task's program, task.command.argv[0]",
        ),
        (
            "./py.json",
            "--markdown",
            "mypython",
            "the Python interpreter, python.interpreter",
        ),
        (
            "./py.json",
            "--trace",
            "hosts",
            "the MPI hostfile, mpi.hostfile",
        ),
    ];
    for (preset, flag, path, what) in cases {
        let o = corelab_in(d, &["run", preset, "-q", flag, path]);
        let (stdout, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(1), "{flag} {path}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "Error: {flag} {path} is both an input and an output ({what}): it would be \
                 overwritten"
            )),
            "{flag} {path}: {stderr}"
        );
        assert!(stdout.is_empty(), "refused before the sweep: {stdout}");
    }
    for program in ["evilcmd.sh", "mypython"] {
        assert_eq!(std::fs::read_to_string(d.join(program)).unwrap(), script);
    }
    assert_eq!(
        std::fs::read_to_string(d.join("hosts")).unwrap(),
        "localhost slots=4\n"
    );
}

/// `--out` replaces an earlier results file (or an empty file), never another file: a preset,
/// notes, or what a symbolic link leads to. Refused before the sweep, byte for byte intact.
#[test]
fn out_refuses_to_replace_a_file_that_is_not_a_results_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("quick.json"), QUICK).unwrap();
    std::fs::write(d.join("other-preset.json"), QUICK).unwrap();
    std::fs::write(d.join("notes.txt"), "my notes\n").unwrap();
    std::fs::create_dir(d.join("keep")).unwrap();
    std::fs::write(d.join("keep/real.txt"), "kept\n").unwrap();
    std::os::unix::fs::symlink("keep/real.txt", d.join("link.json")).unwrap();
    for (out, shown) in [
        ("other-preset.json", "other-preset.json".to_string()),
        ("notes.txt", "notes.txt".to_string()),
        (
            "link.json",
            format!("link.json (a symbolic link to {})", "keep/real.txt"),
        ),
    ] {
        let o = corelab_in(d, &["run", "./quick.json", "-q", "--out", out]);
        let (stdout, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(1), "{out}: {stderr}");
        assert!(
            stderr.contains(&format!(
                "Error: --out {shown} already exists and is not a corelab results file"
            )) && stderr.contains("choose another name or remove it first"),
            "{out}: {stderr}"
        );
        assert!(stdout.is_empty(), "refused before the sweep: {stdout}");
    }
    assert_eq!(
        std::fs::read_to_string(d.join("other-preset.json")).unwrap(),
        QUICK
    );
    assert_eq!(
        std::fs::read_to_string(d.join("notes.txt")).unwrap(),
        "my notes\n"
    );
    assert!(is_link(&d.join("link.json")));
    assert_eq!(
        std::fs::read_to_string(d.join("keep/real.txt")).unwrap(),
        "kept\n"
    );
    // Nothing was left beside them: no partial file, no lock.
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "keep",
            "link.json",
            "notes.txt",
            "other-preset.json",
            "quick.json"
        ]
    );
    // An earlier results file and an empty file are replaced as before.
    std::fs::write(d.join("empty.json"), "").unwrap();
    for out in ["r.json", "r.json", "empty.json"] {
        let o = corelab_in(d, &["run", "./quick.json", "-q", "--out", out]);
        let (_, stderr) = texts(&o);
        assert_eq!(o.status.code(), Some(0), "{out}: {stderr}");
        let results = corelab::results::ResultsFile::load(&d.join(out)).unwrap();
        assert_eq!(results.status, corelab::results::RunStatus::Complete);
    }
}
