//! Files as the command line's messages name them: on one line, escaped where a name holds
//! control characters, or by their stem where a label is wanted.

use std::path::{Path, PathBuf};

/// A path as messages show it: on one line, its control characters (a newline, an escape
/// sequence: a file name may hold them) escaped, and bytes that are not UTF-8 shown as `�`.
pub(super) fn path_text(path: &Path) -> String {
    let text = path.display().to_string();
    let text = text.replace('\n', "\\n").replace('\t', "\\t");
    crate::export::sanitize::for_terminal(&text).into_owned()
}

/// The results files named in a message: `a.json` or `a.json and b.json`.
pub(super) fn inputs_text(paths: &[PathBuf]) -> String {
    let names: Vec<String> = paths.iter().map(|p| path_text(p)).collect();
    names.join(" and ")
}

/// The file stem of a results path, e.g. `big` for `runs/big.json`.
pub(super) fn file_label(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| path_text(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_in_messages_stay_on_one_line() {
        use std::os::unix::ffi::OsStrExt;
        let odd = Path::new(std::ffi::OsStr::from_bytes(b"x\xff y\n\x1b[31m.json"));
        assert_eq!(path_text(odd), "x\u{fffd} y\\n\\u{1b}[31m.json");
        assert_eq!(path_text(Path::new("plain/r.json")), "plain/r.json");
    }
}
