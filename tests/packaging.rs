#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! What packaging relies on: `corelab --version` names the commit, and `corelab generate`
//! writes man pages and shell completions that cover every subcommand.

use std::process::{Command, Output};

use clap::CommandFactory;

fn corelab(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corelab"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout_of(args: &[&str]) -> String {
    let out = corelab(args);
    assert!(
        out.status.success(),
        "corelab {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The subcommands a user sees (`worker` is the hidden child mode).
fn visible_subcommands() -> Vec<String> {
    let names: Vec<String> = corelab::cli::Cli::command()
        .get_subcommands()
        .filter(|c| !c.is_hide_set())
        .map(|c| c.get_name().to_string())
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    names
}

/// `corelab 0.1.0 (commit 9fb3689, 2026-11-26)`, with `-dirty` after the hash when built from
/// a modified tree, `(commit unknown)` without git or `CORELAB_COMMIT`.
fn check_version_line(line: &str) {
    let prefix = format!("corelab {} (commit ", env!("CARGO_PKG_VERSION"));
    let rest = line
        .strip_prefix(&prefix)
        .and_then(|r| r.strip_suffix(')'))
        .unwrap_or_else(|| panic!("{line:?} does not start with {prefix:?} and end with ')'"));
    if rest == "unknown" {
        return;
    }
    let (hash, date) = rest.split_once(", ").unwrap_or((rest, ""));
    let hash = hash.strip_suffix("-dirty").unwrap_or(hash);
    assert!(
        hash.len() >= 7 && hash.chars().all(|c| c.is_ascii_hexdigit()),
        "{line:?}: the commit is not a short hash"
    );
    if !date.is_empty() {
        let parts: Vec<&str> = date.split('-').collect();
        assert!(
            parts.len() == 3
                && [4, 2, 2] == [parts[0].len(), parts[1].len(), parts[2].len()]
                && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit())),
            "{line:?}: the date is not YYYY-MM-DD"
        );
    }
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let text = stdout_of(&["--version"]);
    let line = text.trim_end();
    assert!(!line.contains('\n'), "one line: {text:?}");
    check_version_line(line);
    // This test runs inside the repository, so git was asked.
    if std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(".git")
        .exists()
        && Command::new("git").arg("--version").output().is_ok()
    {
        assert!(!line.contains("unknown"), "{line:?}");
    }
}

#[test]
fn the_version_format_check_accepts_what_build_rs_writes_and_nothing_else() {
    check_version_line("corelab 0.1.0 (commit 9fb3689, 2026-11-26)");
    check_version_line("corelab 0.1.0 (commit 9fb3689-dirty, 2026-11-26)");
    check_version_line("corelab 0.1.0 (commit unknown)");
    for bad in [
        "corelab 0.1.0",
        "corelab 0.1.0 (commit xyz, 2026-11-26)",
        "corelab 0.1.0 (commit 9fb3689, 26-11-2026)",
    ] {
        assert!(
            std::panic::catch_unwind(|| check_version_line(bad)).is_err(),
            "{bad:?} accepted"
        );
    }
}

#[test]
fn the_man_page_describes_every_subcommand() {
    let page = stdout_of(&["generate", "man"]);
    assert!(page.contains(".TH corelab 1"), "{page:.200}");
    for name in visible_subcommands() {
        assert!(
            page.contains(&format!("corelab\\-{name}(1)")),
            "the man page does not list {name}"
        );
    }
    assert!(
        !page.contains("corelab\\-worker"),
        "the child mode is hidden"
    );
}

#[test]
fn man_pages_go_into_a_directory_one_per_command() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("man");
    let out = corelab(&["generate", "man", "--dir", target.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let main = std::fs::read_to_string(target.join("corelab.1")).unwrap();
    assert!(main.contains(".TH corelab 1"));
    for name in visible_subcommands() {
        let page = std::fs::read_to_string(target.join(format!("corelab-{name}.1")))
            .unwrap_or_else(|e| panic!("corelab-{name}.1: {e}"));
        assert!(
            page.contains(&format!(".TH corelab-{name} 1")),
            "{page:.200}"
        );
    }
    let run = std::fs::read_to_string(target.join("corelab-run.1")).unwrap();
    assert!(run.contains("\\-\\-out"), "the run page has its options");
}

#[test]
fn each_completion_script_names_the_subcommands() {
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout_of(&["generate", "completions", shell]);
        assert!(!script.trim().is_empty(), "{shell}: empty");
        assert!(script.contains("corelab"), "{shell}");
        for name in visible_subcommands() {
            assert!(script.contains(&name), "{shell}: no {name}");
        }
    }
}

#[test]
fn completion_files_get_the_names_each_shell_looks_for() {
    let dir = tempfile::tempdir().unwrap();
    for (shell, file) in [
        ("bash", "corelab.bash"),
        ("zsh", "_corelab"),
        ("fish", "corelab.fish"),
    ] {
        let out = corelab(&[
            "generate",
            "completions",
            shell,
            "--dir",
            dir.path().to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap();
        assert!(text.contains("run"), "{shell}");
    }
}

#[test]
fn an_unknown_shell_is_a_usage_error_not_a_panic() {
    let out = corelab(&["generate", "completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("tcsh") && !err.contains("panicked"), "{err}");
}

#[test]
fn the_icon_is_rendered_at_every_size_the_package_installs() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/icon");
    let svg = std::fs::read_to_string(dir.join("corelab.svg")).unwrap();
    assert!(
        svg.contains("<svg") && svg.contains("viewBox"),
        "a scalable SVG"
    );
    for size in [16u32, 32, 48, 64, 128, 256, 512] {
        let png = image::open(dir.join(format!("corelab-{size}.png"))).unwrap();
        assert_eq!(
            (png.width(), png.height()),
            (size, size),
            "corelab-{size}.png"
        );
    }
}

#[cfg(feature = "gui")]
#[test]
fn the_window_icon_decodes() {
    let icon = eframe::icon_data::from_png_bytes(corelab::gui::WINDOW_ICON_PNG).unwrap();
    assert_eq!((icon.width, icon.height), (256, 256));
    assert_eq!(icon.rgba.len(), 256 * 256 * 4);
}
