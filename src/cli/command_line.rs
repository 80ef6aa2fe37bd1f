//! The command line a results file records for its provenance: sanitised (the home directory
//! as `~`, control characters escaped, odd arguments quoted) and of bounded length.

use std::path::{Path, PathBuf};

/// The most characters of a command line a results file records.
const COMMAND_LINE_CHARS: usize = 2000;

/// `args` (the program first) as one line for the results' provenance: the program by its
/// file name, the home directory written `~`, control characters escaped, arguments with
/// spaces or quotes single-quoted; at most [`COMMAND_LINE_CHARS`] characters.
fn sanitised_command_line(
    args: impl IntoIterator<Item = std::ffi::OsString>,
    home: Option<&Path>,
) -> String {
    let home = home
        .and_then(Path::to_str)
        .filter(|h| h.len() > 1)
        .map(|h| h.trim_end_matches('/'));
    let words: Vec<String> = args
        .into_iter()
        .enumerate()
        .map(|(i, arg)| {
            let mut text = arg.to_string_lossy().into_owned();
            if i == 0 {
                text = Path::new(&text)
                    .file_name()
                    .map_or(text.clone(), |n| n.to_string_lossy().into_owned());
            }
            if let Some(home) = home {
                // The home directory at the start of the argument or of a `--flag=` value.
                let start = text.find('=').map_or(0, |eq| eq + 1);
                let rest = &text[start..];
                if rest == home || rest.starts_with(&format!("{home}/")) {
                    text = format!("{}~{}", &text[..start], &rest[home.len()..]);
                } else if start > 0 && (text == home || text.starts_with(&format!("{home}/"))) {
                    text = format!("~{}", &text[home.len()..]);
                }
            }
            let text = crate::export::sanitize::for_terminal_line(&text).into_owned();
            if text.is_empty() || text.contains([' ', '\'', '"', '$', '`', ';', '&', '|']) {
                format!("'{}'", text.replace('\'', "'\\''"))
            } else {
                text
            }
        })
        .collect();
    let line = words.join(" ");
    match line.chars().count() > COMMAND_LINE_CHARS {
        true => format!(
            "{}…",
            line.chars().take(COMMAND_LINE_CHARS).collect::<String>()
        ),
        false => line,
    }
}

/// This process's command line, for the results' provenance.
pub(super) fn this_command_line() -> String {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    sanitised_command_line(std::env::args_os(), home.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_recorded_sanitised() {
        let args = [
            "/home/ann/.cargo/bin/corelab",
            "run",
            "/home/ann/presets/my preset.json",
            "--out=/home/ann/a.json",
            "--csv",
            "/home/annex/b.csv",
            "bad\u{1b}[31m",
            "it's",
        ]
        .map(std::ffi::OsString::from);
        let line = sanitised_command_line(args, Some(Path::new("/home/ann/")));
        assert_eq!(
            line,
            "corelab run '~/presets/my preset.json' --out=~/a.json --csv /home/annex/b.csv bad\\u{1b}[31m 'it'\\''s'"
        );
        let long = ["corelab".to_string(), "x".repeat(5000)].map(std::ffi::OsString::from);
        let line = sanitised_command_line(long, None);
        assert_eq!(line.chars().count(), COMMAND_LINE_CHARS + 1);
        assert!(line.ends_with('…'));
    }
}
