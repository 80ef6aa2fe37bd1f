//! Telling a results file by its first bytes, without reading it whole: the workbench's file
//! browser lists results files by it, and `corelab run --out` replaces only such a file.

use std::io::Read as _;
use std::path::Path;

use super::document::RESULTS_FORMAT;

/// How much of a file's start is read to tell a results file: its `format` field comes first
/// in every file corelab writes.
pub const SNIFF_BYTES: u64 = 4096;

/// Whether `path` is a regular file whose first [`SNIFF_BYTES`] hold the results format's
/// field, `"format": "corelab-results"` (any whitespace around the colon). Only a regular
/// file is opened ([`crate::safe_fs::open_regular`]: never a fifo or a device, which could
/// block or have effects, checked again once open), and only its start is read. An error says
/// why the file could not be read (missing, not a regular file, no permission).
pub fn starts_as_results_file(path: &Path) -> Result<bool, crate::safe_fs::ReadError> {
    let (file, _) = crate::safe_fs::open_regular(path)?;
    let mut head = Vec::with_capacity(SNIFF_BYTES as usize);
    file.take(SNIFF_BYTES).read_to_end(&mut head)?;
    Ok(holds_format_field(&head))
}

/// Whether `path` may be replaced by results as an earlier results file may: an empty file
/// (nothing to lose), or a results file ([`starts_as_results_file`]). `corelab run --out`
/// checks it before the sweep, and each of the sweep's saves again on the file it replaces.
pub fn is_empty_or_results_file(path: &Path) -> Result<bool, crate::safe_fs::ReadError> {
    if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) {
        return Ok(true);
    }
    starts_as_results_file(path)
}

/// Whether `head` holds `"format"`, optional whitespace, `:`, optional whitespace and the
/// quoted [`RESULTS_FORMAT`]: the field itself, not the name quoted in some other text.
fn holds_format_field(head: &[u8]) -> bool {
    const KEY: &[u8] = b"\"format\"";
    let value = format!("\"{RESULTS_FORMAT}\"");
    let skip_space =
        |bytes: &[u8]| -> usize { bytes.iter().take_while(|b| b.is_ascii_whitespace()).count() };
    (0..head.len()).any(|at| {
        let Some(rest) = head[at..].strip_prefix(KEY) else {
            return false;
        };
        let rest = &rest[skip_space(rest)..];
        let Some(rest) = rest.strip_prefix(b":") else {
            return false;
        };
        rest[skip_space(rest)..].starts_with(value.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_format_field_is_told_and_the_name_elsewhere_is_not() {
        for yes in [
            r#"{"format": "corelab-results", "format_version": 1}"#,
            "{\n  \"format\"\n :\t\"corelab-results\",",
            r#"{"format":"corelab-results"}"#,
        ] {
            assert!(holds_format_field(yes.as_bytes()), "{yes}");
        }
        for no in [
            "",
            r#"{"version": 1, "description": "writes \"corelab-results\" files"}"#,
            r#"{"format": "corelab-preset"}"#,
            r#"{"format": ["corelab-results"]}"#,
            r#"{"format" "corelab-results"}"#,
            "notes about corelab-results",
        ] {
            assert!(!holds_format_field(no.as_bytes()), "{no}");
        }
    }

    #[test]
    fn a_saved_results_file_is_told_and_a_preset_or_a_missing_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let results = dir.path().join("run.json");
        crate::results::ResultsFile::default()
            .save(&results)
            .unwrap();
        assert!(starts_as_results_file(&results).unwrap());
        let preset = dir.path().join("mine.json");
        std::fs::write(&preset, crate::preset::Experiment::default().to_json()).unwrap();
        assert!(!starts_as_results_file(&preset).unwrap());
        assert!(starts_as_results_file(&dir.path().join("missing.json")).is_err());
        assert!(starts_as_results_file(dir.path()).is_err(), "a folder");
    }

    #[test]
    fn only_the_start_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let late = dir.path().join("late.json");
        let padding = " ".repeat(SNIFF_BYTES as usize);
        std::fs::write(
            &late,
            format!("{{{padding}\"format\": \"corelab-results\"}}"),
        )
        .unwrap();
        assert!(!starts_as_results_file(&late).unwrap());
    }
}
