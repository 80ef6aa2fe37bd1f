//! A small in-app file browser under the typed-path prompt, for desktops where no native
//! file dialog can be shown (no portal). `egui-file-dialog` would do this, but its latest
//! version (0.15) is built for egui 0.36, not the 0.37 the workbench uses.
//!
//! It lists one folder (folders first, then the files of the action's kinds), never opens or
//! runs anything itself: a click puts the path in the prompt's field.

use std::path::{Path, PathBuf};

use eframe::egui;

/// At most this many entries are listed, the first by name (a huge folder stays responsive).
const MAX_ENTRIES: usize = 500;
/// At most this many directory entries are read to choose them from.
const MAX_READ: usize = 50_000;

/// One entry of the listed folder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The name as shown (a name that is not UTF-8 with replacement characters).
    pub name: String,
    /// The name as it is on disk, which the path is built from.
    pub file_name: std::ffi::OsString,
    pub is_dir: bool,
}

/// The folder being browsed and its entries (read once per folder).
#[derive(Clone, Debug, Default)]
pub struct Browser {
    pub dir: Option<PathBuf>,
    entries: Vec<Entry>,
    error: Option<String>,
    /// More than [`MAX_ENTRIES`] entries: the rest are not listed.
    truncated: bool,
    /// List only corelab results files ([`is_results_file`]) among the files: for opening
    /// results, where a preset's JSON would only be refused.
    pub only_results: bool,
    /// The user asked to see the files [`Self::only_results`] hides.
    show_all: bool,
    /// How many files of the listed folder [`Self::only_results`] hid.
    hidden: usize,
}

/// The height of the list of entries, whatever it holds.
pub const LIST_HEIGHT: f32 = 240.0;

/// At most this many files of a folder are opened to tell results files from others; the
/// rest are listed unchecked (a huge folder stays responsive).
const MAX_SNIFFED: usize = 2000;

/// Whether `path` is a regular file whose first bytes carry corelab's results format
/// (`"format": "corelab-results"`; [`crate::results::starts_as_results_file`], which opens
/// only a regular file, without blocking, and reads only its first
/// [`crate::results::SNIFF_BYTES`]): a file that cannot be read is not listed as one.
pub fn is_results_file(path: &Path) -> bool {
    crate::results::starts_as_results_file(path).unwrap_or(false)
}

/// A file name or path on one line, legibly: bytes that are not UTF-8 as `\xff`, a newline
/// or another control character escaped (`\n`). (U+FFFD, the usual lossy stand-in, is not in
/// the workbench's font, and would not say which byte it was.)
pub fn legible(name: &std::ffi::OsStr) -> String {
    let mut out = String::new();
    for chunk in name.as_encoded_bytes().utf8_chunks() {
        for c in chunk.valid().chars() {
            match c.is_control() {
                true => out.extend(c.escape_default()),
                false => out.push(c),
            }
        }
        for byte in chunk.invalid() {
            out.push_str(&format!("\\x{byte:02x}"));
        }
    }
    out
}

/// The folders and the files whose extension is one of `extensions` (any file when empty),
/// hidden ones left out, folders first, each group sorted by name; the first [`MAX_ENTRIES`]
/// of them in that order (`true`: more were left out, or the folder held more than
/// [`MAX_READ`] entries).
pub fn list(dir: &Path, extensions: &[&str]) -> std::io::Result<(Vec<Entry>, bool)> {
    let mut out = Vec::new();
    let mut truncated = false;
    for (read, entry) in std::fs::read_dir(dir)?.enumerate() {
        if read == MAX_READ {
            truncated = true;
            break;
        }
        let Ok(entry) = entry else { continue };
        let file_name = entry.file_name();
        let name = file_name.to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir())
            || (entry.file_type().is_ok_and(|t| t.is_symlink()) && entry.path().is_dir());
        let wanted = is_dir
            || extensions.is_empty()
            || Path::new(&name)
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| extensions.iter().any(|x| x.eq_ignore_ascii_case(e)));
        if !wanted {
            continue;
        }
        out.push(Entry {
            name,
            file_name,
            is_dir,
        });
    }
    out.sort_by(|a, b| {
        b.is_dir
            .cmp(&a.is_dir)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.file_name.cmp(&b.file_name))
    });
    if out.len() > MAX_ENTRIES {
        out.truncate(MAX_ENTRIES);
        truncated = true;
    }
    Ok((out, truncated))
}

/// What a click in the browser asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Picked {
    /// A folder was entered: the prompt's field follows it.
    Folder(PathBuf),
    /// A file was clicked (`true`: double-clicked, take it at once).
    File(PathBuf, bool),
}

impl Browser {
    /// Lists `dir` (re-read only when it changed).
    fn enter(&mut self, dir: PathBuf, extensions: &[&str]) {
        match list(&dir, extensions) {
            Ok((mut entries, truncated)) => {
                self.hidden = 0;
                if self.only_results && !self.show_all {
                    let before = entries.len();
                    let mut sniffed = 0;
                    entries.retain(|e| {
                        if e.is_dir || sniffed >= MAX_SNIFFED {
                            return true;
                        }
                        sniffed += 1;
                        is_results_file(&dir.join(&e.file_name))
                    });
                    self.hidden = before - entries.len();
                }
                self.entries = entries;
                self.truncated = truncated;
                self.error = None;
            }
            Err(e) => {
                self.entries.clear();
                self.truncated = false;
                self.error = Some(format!("cannot list {}: {e}", dir.display()));
            }
        }
        self.dir = Some(dir);
    }

    /// Draws the folder and its entries; `start` is where to begin when nothing is listed yet.
    pub fn ui(&mut self, ui: &mut egui::Ui, start: &Path, extensions: &[&str]) -> Option<Picked> {
        if self.dir.is_none() {
            self.enter(start.to_path_buf(), extensions);
        }
        let dir = self.dir.clone().unwrap_or_else(|| start.to_path_buf());
        let mut picked = None;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(dir.parent().is_some(), egui::Button::new("Up"))
                .on_hover_text("The folder above this one.")
                .clicked()
                && let Some(parent) = dir.parent()
            {
                picked = Some(Picked::Folder(parent.to_path_buf()));
            }
            ui.weak(format!("Folder: {}", dir.display()));
        });
        if let Some(err) = &self.error {
            ui.colored_label(ui.visuals().error_fg_color, err);
        }
        // A fixed height: the buttons below stay where they are whatever the folder holds
        // (they jumped up as a typed path reached an empty folder, and a click landed on the
        // chart behind).
        egui::ScrollArea::vertical()
            .id_salt("file-browser")
            .min_scrolled_height(LIST_HEIGHT)
            .max_height(LIST_HEIGHT)
            .auto_shrink([false, false])
            .show(ui, |ui| {
                if self.entries.is_empty() && self.error.is_none() {
                    ui.weak("No folders or matching files here.");
                }
                for e in &self.entries {
                    let name = legible(&e.file_name);
                    let label = if e.is_dir { format!("{name}/") } else { name };
                    let r = ui.selectable_label(false, label);
                    let path = dir.join(&e.file_name);
                    if (r.clicked() || r.double_clicked()) && e.is_dir && path.to_str().is_none() {
                        // The prompt's field holds text, and the folder listed is the one the
                        // field names: a folder whose path is not UTF-8 would come back as
                        // another one. (A file is kept exactly: see `PathPrompt::exact`.)
                        self.error = Some(format!(
                            "{} cannot be entered here: its name is not valid UTF-8",
                            path.display()
                        ));
                    } else if r.double_clicked() && !e.is_dir {
                        picked = Some(Picked::File(path, true));
                    } else if r.clicked() {
                        picked = Some(if e.is_dir {
                            Picked::Folder(path)
                        } else {
                            Picked::File(path, false)
                        });
                    }
                }
                if self.truncated {
                    ui.weak(format!("Only the first {MAX_ENTRIES} entries are listed."));
                }
                super::focus::keep_focused_in_view(ui);
            });
        // Always one row where results are opened, so that the buttons below do not move.
        if self.only_results {
            let hidden = match (self.show_all, self.hidden) {
                (true, _) => "Every .json file is listed, results or not.".to_string(),
                (false, 0) => "Only results files are listed.".to_string(),
                (false, n) => format!(
                    "{} hidden: not results files (a preset, say).",
                    crate::words::count(n, "other .json file")
                ),
            };
            ui.horizontal_wrapped(|ui| {
                ui.weak(hidden);
                if ui
                    .checkbox(&mut self.show_all, "list every .json file")
                    .changed()
                {
                    self.enter(dir.clone(), extensions);
                }
            });
        }
        if let Some(Picked::Folder(d)) = &picked {
            self.enter(d.clone(), extensions);
        }
        picked
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_folders_first_then_matching_files_without_hidden_ones() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        std::fs::create_dir(dir.path().join("sub")).expect("mkdir");
        for f in ["b.json", "a.JSON", "notes.txt", ".hidden.json"] {
            std::fs::write(dir.path().join(f), "{}").expect("write");
        }
        let (entries, truncated) = list(dir.path(), &["json"]).expect("lists");
        assert!(!truncated);
        let names: Vec<(&str, bool)> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.is_dir))
            .collect();
        assert_eq!(
            names,
            vec![("sub", true), ("a.JSON", false), ("b.json", false)]
        );
    }

    #[test]
    fn results_files_are_told_by_their_format_and_nothing_else_is_opened() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let results = dir.path().join("run.json");
        crate::results::ResultsFile::default()
            .save(&results)
            .expect("save");
        assert!(is_results_file(&results));
        let preset = dir.path().join("mine.json");
        std::fs::write(&preset, crate::preset::Experiment::default().to_json()).expect("write");
        assert!(!is_results_file(&preset));
        assert!(!is_results_file(dir.path()), "a folder");
        assert!(!is_results_file(&dir.path().join("missing.json")));
        // A FIFO named like results is never opened (it would block).
        let fifo = dir.path().join("pipe.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            assert!(!is_results_file(&fifo));
        }
        // The browser for opening results lists the results file and counts the preset.
        let mut browser = Browser {
            only_results: true,
            ..Browser::default()
        };
        browser.enter(dir.path().to_path_buf(), &["json"]);
        let names: Vec<&str> = browser.entries.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["run.json"]);
        let others = if fifo.exists() { 2 } else { 1 };
        assert_eq!(browser.hidden, others, "the preset (and the FIFO)");
        browser.show_all = true;
        browser.enter(dir.path().to_path_buf(), &["json"]);
        assert_eq!(browser.hidden, 0);
        assert!(browser.entries.iter().any(|e| e.name == "mine.json"));
    }

    /// The entries listed are the first by name, whatever order the folder returns them in,
    /// and a name that is not UTF-8 keeps its bytes for the path.
    #[test]
    fn the_first_entries_by_name_are_listed_and_names_keep_their_bytes() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().expect("a temporary folder");
        for i in (0..MAX_ENTRIES + 100).rev() {
            std::fs::write(dir.path().join(format!("r{i:04}.json")), "{}").expect("write");
        }
        let (entries, truncated) = list(dir.path(), &["json"]).expect("lists");
        assert!(truncated);
        assert_eq!(entries.len(), MAX_ENTRIES);
        assert_eq!(entries[0].name, "r0000.json");
        assert_eq!(
            entries[MAX_ENTRIES - 1].name,
            format!("r{:04}.json", MAX_ENTRIES - 1)
        );
        let other = tempfile::tempdir().expect("a temporary folder");
        let odd = std::ffi::OsStr::from_bytes(b"z\xff.json");
        std::fs::write(other.path().join(odd), "{}").expect("write");
        let (listed, _) = list(other.path(), &["json"]).expect("lists");
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].name, "z\u{fffd}.json");
        assert_eq!(listed[0].file_name, odd);
        assert!(other.path().join(&listed[0].file_name).exists());
    }
}
