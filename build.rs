//! Build script: records which commit the binary was built from, for `corelab --version`.
//!
//! It sets `CORELAB_VERSION`, e.g. `0.1.0 (commit 9fb3689, 2026-11-26)`, from, in order:
//! 1. `git`, when the package has a `.git` (a clone or a worktree) and git is on PATH: the
//!    short hash and the commit date of HEAD, with `-dirty` after the hash when tracked files
//!    differ from HEAD;
//! 2. the environment variable `CORELAB_COMMIT` (e.g. set by whoever builds from a tarball),
//!    optionally with `CORELAB_COMMIT_DATE`;
//! 3. `unknown`.
//!
//! It also sets `CORELAB_COMMIT_HASH` (the hash alone, `unknown` without one) and
//! `CORELAB_TREE_MODIFIED` (`true`, `false`, or `unknown` where the commit came from the
//! environment or nowhere), which every results file records as its provenance.
//!
//! It also sets `CORELAB_RUSTC_VERSION` (`rustc 1.95.0 (59807616e 2026-04-14)`, from `$RUSTC
//! --version`; `unknown` where that fails) and `CORELAB_OPT_LEVEL` (cargo's `OPT_LEVEL`), which
//! every results file records with its machine (`results::BuildInfo`).
//!
//! It never fails the build: any git error falls through to the next source.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();

    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=CORELAB_COMMIT");
    println!("cargo:rerun-if-env-changed=CORELAB_COMMIT_DATE");

    let commit = from_git(&manifest_dir).or_else(from_env);
    let (hash, modified) = match &commit {
        Some(c) => match c.hash.strip_suffix("-dirty") {
            Some(clean) => (clean.to_string(), "true"),
            _ if c.from_git => (c.hash.clone(), "false"),
            _ => (c.hash.clone(), "unknown"),
        },
        None => ("unknown".to_string(), "unknown"),
    };
    println!("cargo:rustc-env=CORELAB_COMMIT_HASH={hash}");
    println!("cargo:rustc-env=CORELAB_TREE_MODIFIED={modified}");
    let text = match commit {
        Some(Commit {
            hash,
            date: Some(date),
            ..
        }) => format!("{version} (commit {hash}, {date})"),
        Some(Commit {
            hash, date: None, ..
        }) => format!("{version} (commit {hash})"),
        None => format!("{version} (commit unknown)"),
    };
    println!("cargo:rustc-env=CORELAB_VERSION={text}");
    println!("cargo:rustc-env=CORELAB_RUSTC_VERSION={}", rustc_version());
    let opt_level = std::env::var("OPT_LEVEL").unwrap_or_default();
    let opt_level = fit_or_unknown(opt_level, |c| c.is_ascii_alphanumeric());
    println!("cargo:rustc-env=CORELAB_OPT_LEVEL={opt_level}");
}

/// The compiler's own words for its version (`rustc 1.95.0 (59807616e 2026-04-14)`), from the
/// `rustc` cargo builds with; `unknown` where it cannot be asked or says something odd.
fn rustc_version() -> String {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let said = stdout_of(Command::new(rustc).arg("--version")).unwrap_or_default();
    fit_or_unknown(said, |c| c.is_ascii_graphic() || c == ' ')
}

/// `value` where it is 1 to 200 characters, each `allowed`, to go into the binary; else
/// `unknown`.
fn fit_or_unknown(value: String, allowed: fn(char) -> bool) -> String {
    match !value.is_empty() && value.len() <= 200 && value.chars().all(allowed) {
        true => value,
        false => "unknown".to_string(),
    }
}

/// Runs `command`; its stdout, trimmed, when it succeeds and says UTF-8.
fn stdout_of(command: &mut Command) -> Option<String> {
    let output = command.output().ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8(output.stdout).ok()?.trim().to_string())
}

struct Commit {
    hash: String,
    date: Option<String>,
    /// Whether git said it (and so whether `-dirty` was checked).
    from_git: bool,
}

fn from_env() -> Option<Commit> {
    let hash = std::env::var("CORELAB_COMMIT").ok()?;
    let hash = hash.trim();
    if hash.is_empty() || !hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        return None;
    }
    let date = std::env::var("CORELAB_COMMIT_DATE")
        .ok()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit() || c == '-'));
    Some(Commit {
        hash: hash.to_string(),
        date,
        from_git: false,
    })
}

/// Runs git in `dir`; its trimmed stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    stdout_of(Command::new("git").arg("-C").arg(dir).args(args))
}

fn from_git(dir: &Path) -> Option<Commit> {
    // Only this package's own repository: a tarball unpacked inside some other repository
    // must not report that repository's commit.
    if !dir.join(".git").exists() {
        return None;
    }
    watch_git_files(dir);
    let line = git(dir, &["show", "-s", "--format=%h %cs", "HEAD"])?;
    let mut parts = line.split_whitespace();
    let mut hash = parts.next()?.to_string();
    let date = parts.next().map(str::to_string);
    // Tracked files that differ from HEAD (untracked files do not count).
    let status = git(
        dir,
        &[
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=no",
        ],
    )?;
    if !status.is_empty() {
        hash.push_str("-dirty");
    }
    Some(Commit {
        hash,
        date,
        from_git: true,
    })
}

/// Reruns this script when HEAD moves: `.git/HEAD`, the file of the branch it points to, and
/// `packed-refs` (asked from git, so that worktrees, where `.git` is a file, work too). The
/// sources are watched as well, so that the `-dirty` mark follows edits; they rebuild the
/// binary anyway.
fn watch_git_files(dir: &Path) {
    let mut watched = vec![];
    for name in ["HEAD", "packed-refs", "index"] {
        if let Some(path) = git(dir, &["rev-parse", "--git-path", name]) {
            watched.push(dir.join(path));
        }
    }
    if let Some(reference) = git(dir, &["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(dir, &["rev-parse", "--git-path", &reference])
    {
        watched.push(dir.join(path));
    }
    for source in ["src", "assets", "Cargo.toml", "Cargo.lock"] {
        watched.push(dir.join(source));
    }
    // A missing path would make cargo rerun the script on every build (a branch that is only
    // in packed-refs has no file of its own; packed-refs is then watched).
    for path in watched.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
}
