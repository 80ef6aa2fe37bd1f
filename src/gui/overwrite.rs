//! Writing files from the workbench without losing one: never over a file the workbench has
//! open (the results shown, a compared run, the preset the configuration came from), and not
//! over an existing file without asking first.

use std::path::{Path, PathBuf};

use super::file_dialogs::FileAction;

/// A file the workbench has open, which an export must not write over.
#[derive(Clone, Debug, PartialEq)]
pub struct OpenFile {
    pub path: PathBuf,
    /// What it is, for the refusal: `the results shown`.
    pub what: &'static str,
    /// The save that may write over it, being what the user means: Save preset over the
    /// preset the configuration came from, Save results over the results shown (written again
    /// as they are).
    pub saved_by: Option<FileAction>,
}

/// Whether writing `target` would replace `open`: the same file, through any name. A symlink
/// at `target` is written through when corelab writes (`write_atomically` replaces the
/// regular file it leads to, see [`crate::safe_fs::output_target`]), so what it points to is
/// compared.
pub fn replaces(target: &Path, open: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(target), std::fs::metadata(open)) {
        (Ok(t), Ok(o)) => t.dev() == o.dev() && t.ino() == o.ino(),
        _ => false,
    }
}

/// Refuses to write any of `targets` over one of the `open` files, naming both; `saving` is
/// the save this is, if it is one of the file actions, and may write over the files it saves
/// (an export, a trace: `None`, writes over none).
pub fn refuse_open(
    targets: &[PathBuf],
    open: &[OpenFile],
    saving: Option<FileAction>,
) -> Result<(), String> {
    for target in targets {
        for o in open {
            if saving.is_some() && o.saved_by == saving {
                continue;
            }
            if replaces(target, &o.path) {
                return Err(format!(
                    "{} is {} ({}): choose another name",
                    target.display(),
                    o.what,
                    o.path.display()
                ));
            }
        }
    }
    Ok(())
}

/// The `targets` that exist already (a symlink counts, dangling or not).
pub fn existing(targets: &[PathBuf]) -> Vec<PathBuf> {
    targets
        .iter()
        .filter(|t| std::fs::symlink_metadata(t).is_ok())
        .cloned()
        .collect()
}

/// `a.svg exists`, `a.svg and a.png exist`.
pub fn exists_text(existing: &[PathBuf]) -> String {
    let names: Vec<String> = existing.iter().map(|p| p.display().to_string()).collect();
    match names.as_slice() {
        [one] => format!("{one} exists"),
        _ => format!("{} exist", names.join(" and ")),
    }
}

/// Asking before replacing a file, for a path typed in a field: the first try at a name whose
/// files exist is held back with a note, and the same text tried again goes ahead (any edit
/// asks again). The button says "Replace" meanwhile ([`ReplaceAsked::replacing`]).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplaceAsked(Option<String>);

impl ReplaceAsked {
    /// Whether the user was told that `text`'s files exist, so trying it again replaces them.
    pub fn replacing(&self, text: &str) -> bool {
        self.0.as_deref() == Some(text)
    }

    /// Whether writing `targets`, typed as `text`, may go ahead: `Err` with the note to show
    /// (`a.csv exists: …`) the first time one of them exists.
    pub fn check(&mut self, text: &str, targets: &[PathBuf]) -> Result<(), String> {
        let existing = existing(targets);
        if existing.is_empty() || self.replacing(text) {
            self.0 = None;
            return Ok(());
        }
        self.0 = Some(text.to_string());
        Err(exists_text(&existing))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_file_is_found_through_any_name_a_symlink_included() {
        let dir = tempfile::tempdir().expect("dir");
        let results = dir.path().join("r.json");
        std::fs::write(&results, "{}").expect("write");
        let hard = dir.path().join("hard.json");
        std::fs::hard_link(&results, &hard).expect("link");
        let soft = dir.path().join("soft.json");
        std::os::unix::fs::symlink(&results, &soft).expect("symlink");
        let open = [OpenFile {
            path: results.clone(),
            what: "the results shown",
            saved_by: Some(FileAction::SaveResults),
        }];
        let dotted = dir.path().join(".").join("r.json");
        for same in [&results, &hard, &dotted, &soft] {
            let err = refuse_open(
                std::slice::from_ref(same),
                &open,
                Some(FileAction::ExportCsv),
            )
            .unwrap_err();
            assert!(err.contains("is the results shown"), "{err}");
        }
        // The save that may write over it; another save may not.
        assert!(
            refuse_open(
                std::slice::from_ref(&results),
                &open,
                Some(FileAction::SaveResults)
            )
            .is_ok()
        );
        assert!(
            refuse_open(
                std::slice::from_ref(&results),
                &open,
                Some(FileAction::SavePreset)
            )
            .is_err()
        );
        // An export that is no file action (a trace, the export dialog) writes over none.
        assert!(refuse_open(std::slice::from_ref(&results), &open, None).is_err());
        let other = dir.path().join("other.csv");
        assert!(
            refuse_open(
                std::slice::from_ref(&other),
                &open,
                Some(FileAction::ExportCsv)
            )
            .is_ok()
        );
        assert_eq!(existing(&[other.clone(), soft.clone()]), vec![soft.clone()]);
        // A typed name that exists is held back once, then goes ahead; an edit asks again.
        let mut asked = ReplaceAsked::default();
        let typed = results.display().to_string();
        let told = asked
            .check(&typed, std::slice::from_ref(&results))
            .unwrap_err();
        assert_eq!(told, format!("{} exists", results.display()));
        assert!(asked.replacing(&typed) && !asked.replacing("other"));
        assert!(asked.check(&typed, std::slice::from_ref(&results)).is_ok());
        assert!(asked.check(&typed, std::slice::from_ref(&results)).is_err());
        assert!(asked.check("new", std::slice::from_ref(&other)).is_ok());
        assert_eq!(
            exists_text(std::slice::from_ref(&other)),
            format!("{} exists", other.display())
        );
    }
}
