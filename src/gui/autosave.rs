//! Results are never lost: every sweep the workbench starts writes its results file into the
//! user's data directory while it runs (the engine's partial-results file, marked `incomplete`
//! until the end and then `complete` or `cancelled`). The "Recent results" list reopens them
//! (read off the UI thread: [`super::recent_list`]).

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::results::{CellStatus, ResultsFile, RunStatus, utc_timestamp};

/// Environment variable that overrides where corelab keeps its data (tests use a temp dir).
pub const DATA_DIR_ENV: &str = "CORELAB_DATA_DIR";

/// How many entries "Recent results" shows.
pub const RECENT_LIMIT: usize = 12;

/// The directory corelab keeps its data in: `$CORELAB_DATA_DIR`, else the platform's data
/// directory for the app (`$XDG_DATA_HOME/corelab` on Linux), else `./corelab-data`.
pub fn data_dir() -> PathBuf {
    data_dir_from(std::env::var_os(DATA_DIR_ENV))
}

/// [`data_dir`] given the value of `$CORELAB_DATA_DIR` (an empty value counts as unset).
pub fn data_dir_from(env_value: Option<std::ffi::OsString>) -> PathBuf {
    if let Some(dir) = env_value.filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    eframe::storage_dir("corelab").unwrap_or_else(|| PathBuf::from("corelab-data"))
}

/// Where autosaved results live inside a data directory.
pub fn results_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("results")
}

/// Creates a new results file for a sweep of `initial`'s experiment started now, holding
/// `initial` (the sweep's results before any run: `incomplete`, naming this process as its
/// writer), and returns its path: `<UTC time>_<slug>-<pid>.json` in [`results_dir`], with `-2`,
/// `-3`, … added if that exists. The file takes its name only if nothing has it, so two sweeps,
/// in this workbench or in another one sharing the data directory, never get the same file;
/// and only once all of `initial` is on disk ([`crate::safe_fs::write_new_atomically`]), so a
/// workbench killed at any moment leaves no file or a whole one, never an empty one. The engine
/// then replaces it atomically with the results.
pub fn create_results_file(data_dir: &Path, initial: &ResultsFile) -> std::io::Result<PathBuf> {
    let stamp = utc_timestamp(SystemTime::now()).replace(':', "-");
    let base = format!(
        "{stamp}_{}-{}",
        slug(&initial.experiment.name),
        std::process::id()
    );
    let dir = results_dir(data_dir);
    let bytes = initial.to_json();
    for n in 1..=1000 {
        let name = match n {
            1 => format!("{base}.json"),
            n => format!("{base}-{n}.json"),
        };
        let path = dir.join(name);
        match crate::safe_fs::write_new_atomically(&path, bytes.as_bytes()) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("{base}.json and 999 numbered variants exist already"),
    ))
}

/// Lower-case letters, digits and dashes, at most 48 characters.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() {
        "experiment".into()
    } else {
        out
    }
}

/// A results file as the directory listing saw it: a file changed since has another
/// modification time or length.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listed {
    pub path: PathBuf,
    pub modified: SystemTime,
    pub len: u64,
}

/// The autosaved results files, newest first (by modification time), at most
/// [`RECENT_LIMIT`]. A directory listing only; no file is parsed. An empty file is left out:
/// it holds no results (an autosave a workbench of before session 16 reserved and was killed
/// before it wrote, [`remove_leftovers`]).
pub fn recent_listing(data_dir: &Path) -> Vec<Listed> {
    let Ok(entries) = std::fs::read_dir(results_dir(data_dir)) else {
        return Vec::new();
    };
    let mut files: Vec<Listed> = entries
        .filter_map(|e| e.ok())
        .filter(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            is_results_file_name(&name)
        })
        .filter_map(|e| {
            let meta = e.metadata().ok()?;
            if meta.len() == 0 {
                return None;
            }
            Some(Listed {
                path: e.path(),
                modified: meta.modified().ok()?,
                len: meta.len(),
            })
        })
        .collect();
    files.sort_by(|a, b| {
        b.modified
            .cmp(&a.modified)
            .then_with(|| b.path.cmp(&a.path))
    });
    files.truncate(RECENT_LIMIT);
    files
}

/// What an empty autosave is, as a note or a label says it.
pub const EMPTY_AUTOSAVE: &str = "empty autosave left by a workbench killed before its first save";

/// Whether a file in the results folder is one the list shows (and an autosave may be): a
/// `.json` name that is not hidden.
fn is_results_file_name(name: &str) -> bool {
    name.ends_with(".json") && !name.starts_with('.')
}

/// The file names of `removed` (a whole path where one has none), as the start-up notes list
/// them.
fn file_names(removed: &[PathBuf]) -> Vec<String> {
    removed
        .iter()
        .map(|p| {
            p.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| p.display().to_string())
        })
        .collect()
}

/// What the workbench says when it removed the empty autosaves `removed`
/// ([`RemovedLeftovers::empty`]); `None` for none.
pub fn empty_autosaves_note(removed: &[PathBuf]) -> Option<String> {
    let names = file_names(removed);
    match names.len() {
        0 => None,
        1 => Some(format!(
            "Removed an {EMPTY_AUTOSAVE} (no results in it): {}",
            names[0]
        )),
        n => Some(format!(
            "Removed {n} empty autosaves left by workbenches killed before their first save \
             (no results in them): {}",
            names.join(", ")
        )),
    }
}

/// How long a temporary file beside the autosaves must have been left unchanged before a start
/// removes it ([`remove_leftovers`]).
pub const LEFTOVER_TEMPORARY_AGE: Duration = Duration::from_secs(60 * 60);

/// What [`remove_leftovers`] removed, each sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RemovedLeftovers {
    /// Empty autosaves: `.json` files of 0 bytes. Such a file holds no results: the empty
    /// placeholder a workbench of before session 16 reserved its autosave with, left when it
    /// was killed before it first wrote (a workbench now never leaves one:
    /// [`create_results_file`]). Were its workbench still running, its next save makes the
    /// file anew.
    pub empty: Vec<PathBuf>,
    /// The hidden temporary files that writes of autosaves left when their workbench was
    /// killed in the middle of one (`.NAME.XXXXXX.tmp`, made by
    /// [`crate::safe_fs::write_new_atomically`] as it reserves an autosave and by
    /// [`crate::safe_fs::write_atomically`] as a sweep saves into it).
    pub temporaries: Vec<PathBuf>,
}

/// Removes what killed workbenches left in `data_dir`'s results ([`RemovedLeftovers`]), in
/// one reading of the folder, and returns their paths. Only regular files in the results
/// directory itself are touched, never one behind a symbolic link (which is not followed
/// either).
///
/// An empty autosave is a `.json` name that is not hidden ([`is_results_file_name`]), of 0
/// bytes. A temporary file is named exactly as those writes name theirs for a `.json`
/// autosave (see [`crate::safe_fs::TemporaryName::target_of`]), owned by this user, and
/// unchanged for [`LEFTOVER_TEMPORARY_AGE`] or more by `now`. The age is the rule that tells a
/// leftover from a write still going on in a live workbench sharing the directory: a write
/// holds its temporary file only while it writes the results in one go, flushes them and
/// renames the file (seconds at most), so one whose last change is an hour old belongs to no
/// write still going on. (A workbench stopped for an hour between its last byte and the
/// rename would see its rename fail, and say that the save failed; what it saved before is
/// untouched.)
pub fn remove_leftovers(data_dir: &Path, now: SystemTime) -> RemovedLeftovers {
    use std::os::unix::fs::MetadataExt;
    let mut removed = RemovedLeftovers::default();
    let Ok(entries) = std::fs::read_dir(results_dir(data_dir)) else {
        return removed;
    };
    let me = crate::sys::effective_uid();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let autosave = is_results_file_name(&name.to_string_lossy());
        let temporary =
            crate::safe_fs::TemporaryName::target_of(&name).is_some_and(is_results_file_name);
        if !autosave && !temporary {
            continue;
        }
        // `DirEntry::metadata` does not follow a symbolic link.
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        if !meta.file_type().is_file() {
            continue;
        }
        let (leftover, list) = if autosave {
            (meta.len() == 0, &mut removed.empty)
        } else {
            let old = meta
                .modified()
                .ok()
                .and_then(|modified| now.duration_since(modified).ok())
                .is_some_and(|age| age >= LEFTOVER_TEMPORARY_AGE);
            (meta.uid() == me && old, &mut removed.temporaries)
        };
        if leftover && std::fs::remove_file(entry.path()).is_ok() {
            list.push(entry.path());
        }
    }
    removed.empty.sort();
    removed.temporaries.sort();
    removed
}

/// What the workbench says when it removed the leftover temporary files `removed`
/// ([`RemovedLeftovers::temporaries`]); `None` for none.
pub fn leftover_temporaries_note(removed: &[PathBuf]) -> Option<String> {
    let names = file_names(removed);
    match names.len() {
        0 => None,
        1 => Some(format!(
            "Removed a hidden temporary file left by a workbench killed while it saved results \
             (unchanged for over an hour): {}",
            names[0]
        )),
        n => Some(format!(
            "Removed {n} hidden temporary files left by workbenches killed while they saved \
             results (unchanged for over an hour): {}",
            names.join(", ")
        )),
    }
}

/// How a sweep ended, in a few words, from its status and how many of its cells got at least
/// one timed run: "complete · 7 cells", "cancelled · 3 of 7 cells measured", "cancelled before
/// any run was timed", "interrupted · 2 of 7 cells measured", "every cell failed". Cells with
/// no timed run are not counted as kept.
pub fn run_state_words(status: RunStatus, measured: usize, cells: usize) -> String {
    let of = |what: &str| counted_state(what, measured, cells);
    match status {
        RunStatus::Failed => "every cell failed".to_string(),
        RunStatus::Complete if cells > 0 && measured == 0 => "every cell failed".to_string(),
        RunStatus::Complete => of("complete"),
        RunStatus::Cancelled if measured == 0 => "cancelled before any run was timed".to_string(),
        RunStatus::Cancelled => of("cancelled"),
        RunStatus::Incomplete if measured == 0 => {
            "interrupted before any run was timed".to_string()
        }
        RunStatus::Incomplete => of("interrupted"),
    }
}

/// What [`shown_state_words`] says of the shown results, and what it found of their writer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownStateWords {
    /// "complete · 7 cells", "still running · 3 of 7 cells measured".
    pub words: String,
    /// Why an `incomplete` file's writer cannot be judged, where it ran elsewhere.
    pub why: Option<String>,
    /// The file is `incomplete` and its writer runs here now: what the words say may change
    /// (to "interrupted") without the file changing, so they are worked out again
    /// ([`super::shown_state`]).
    pub writer_running: bool,
}

/// How the sweep of a results file shown (not running here) ended, as [`run_state_words`]
/// says it, and for an `incomplete` file what can be said of its writer
/// ([`incomplete_state_words`]): with why it cannot be judged, where it ran elsewhere, and
/// whether it runs here now. `path` is where it was read from (its last change tells this
/// machine's earlier boot from another machine of the same name). Reads `/proc` only for an
/// `incomplete` file that names its writer.
pub fn shown_state_words(results: &ResultsFile, path: Option<&Path>) -> ShownStateWords {
    let measured = measured_cells(results);
    let cells = results.cells.len();
    if results.status != RunStatus::Incomplete {
        return ShownStateWords {
            words: run_state_words(results.status, measured, cells),
            why: None,
            writer_running: false,
        };
    }
    let written = path.and_then(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    let writer =
        crate::results::writer_of_incomplete(results.status, results.writer.as_ref(), written);
    let why = match &writer {
        Some(crate::results::Liveness::CannotTell(elsewhere)) => Some(elsewhere.words("written")),
        _ => None,
    };
    ShownStateWords {
        words: incomplete_state_words(writer.as_ref(), measured, cells),
        why,
        writer_running: writer == Some(crate::results::Liveness::Running),
    }
}

/// "what · 7 cells", or "what · 3 of 7 cells measured" where not every cell has a timed run.
fn counted_state(what: &str, measured: usize, cells: usize) -> String {
    match measured {
        m if m == cells => format!("{what} · {}", crate::words::count(cells, "cell")),
        m => format!(
            "{what} · {m} of {} measured",
            crate::words::count(cells, "cell")
        ),
    }
}

/// [`run_state_words`] for an `incomplete` file, given what can be said of its writer
/// ([`crate::results::writer_of_incomplete`]): "interrupted" only where the writer is surely
/// gone (or was not recorded, as in older files); "still running" where it runs here; and
/// "incomplete" where it ran elsewhere and cannot be judged (the hover says why).
pub fn incomplete_state_words(
    writer: Option<&crate::results::Liveness>,
    measured: usize,
    cells: usize,
) -> String {
    use crate::results::Liveness;
    let what = match writer {
        None | Some(Liveness::Gone) => {
            return run_state_words(RunStatus::Incomplete, measured, cells);
        }
        Some(Liveness::Running) => "still running",
        Some(Liveness::CannotTell(_)) => "incomplete",
    };
    match measured {
        0 => format!("{what}, no run timed yet"),
        _ => counted_state(what, measured, cells),
    }
}

/// Cells of `results` with at least one timed run.
pub fn measured_cells(results: &ResultsFile) -> usize {
    results
        .cells
        .iter()
        .filter(|c| !c.samples.is_empty())
        .count()
}

/// One entry of "Recent results": the file, what the menu shows, and its hover.
#[derive(Clone, Debug, PartialEq)]
pub struct RecentEntry {
    pub path: PathBuf,
    /// "2026-11-27 08:03:12 UTC · CPU-bound: threads vs processes · cancelled · 3 of 7 cells
    /// measured".
    pub label: String,
    /// The label's status part alone, and the path, for the hover.
    pub hover: String,
    /// Left by a sweep whose process is surely gone (killed, crashed, its machine restarted)
    /// before it finished: still `incomplete` ([`crate::results::left_by_a_gone_process`]),
    /// with at least one cell measured (one killed before any run was timed, which a
    /// workbench's first write leaves, [`create_results_file`], has nothing to offer).
    /// Never one written by a corelab in another container or on another host, which cannot
    /// be judged from here.
    pub abandoned: bool,
    /// The writer the label says is still running (an `incomplete` file written by a
    /// corelab that ran here and was running when it was read): the list checks it again,
    /// as its label changes when it dies with neither the file's time nor length changing.
    pub running_writer: Option<crate::results::WriterProcess>,
    /// Abandoned because the machine restarted since (its writer ran in a boot that is over,
    /// [`crate::results::WriterProcess::of_an_earlier_boot`]), not because it was killed or
    /// crashed.
    pub restarted_since: bool,
}

/// Files larger than this are listed without a look inside (a label from the name alone).
const GLANCE_LIMIT_BYTES: u64 = 32 * 1024 * 1024;

/// The few fields of a results file that the label needs; anything else is skipped, and a
/// field missing (an older file) has its default.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Glance {
    status: RunStatus,
    started_at: String,
    experiment: GlanceExperiment,
    cells: Vec<GlanceCell>,
    writer: Option<crate::results::WriterProcess>,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GlanceExperiment {
    name: String,
}

#[derive(Default, Deserialize)]
#[serde(default)]
struct GlanceCell {
    status: CellStatus,
    samples: Vec<serde::de::IgnoredAny>,
}

/// Reads what [`RecentEntry`] says of the results file at `path` (never fails: a file it
/// cannot read is labelled by its name, with why).
pub fn recent_entry(path: &Path) -> RecentEntry {
    let by_name = path
        .file_stem()
        .map(|s| s.to_string_lossy().replacen('_', "  ", 1))
        .unwrap_or_else(|| path.display().to_string());
    let state = match crate::safe_fs::read_regular_text(path, GLANCE_LIMIT_BYTES) {
        Ok(text) if text.is_empty() => Err(format!("{EMPTY_AUTOSAVE}: no results in it")),
        Ok(text) => serde_json::from_str::<Glance>(&text).map_err(|_| "unreadable".to_string()),
        Err(_) => Err("not looked into".to_string()),
    };
    let (mut abandoned, mut restarted_since) = (false, false);
    let mut running_writer = None;
    let (label, state) = match state {
        Ok(glance) => {
            let written = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            let writer = crate::results::writer_of_incomplete(
                glance.status,
                glance.writer.as_ref(),
                written,
            );
            let measured = glance
                .cells
                .iter()
                .filter(|c| !c.samples.is_empty())
                .count();
            // One killed before any run was timed has nothing to open: listed, not offered.
            abandoned = writer == Some(crate::results::Liveness::Gone) && measured > 0;
            if writer == Some(crate::results::Liveness::Running) {
                running_writer = glance.writer.clone();
            }
            restarted_since = abandoned
                && glance
                    .writer
                    .as_ref()
                    .is_some_and(|w| w.of_an_earlier_boot());
            let failed = glance
                .cells
                .iter()
                .filter(|c| c.status == CellStatus::Failed)
                .count();
            let mut state = match glance.status {
                RunStatus::Incomplete => {
                    incomplete_state_words(writer.as_ref(), measured, glance.cells.len())
                }
                status => run_state_words(status, measured, glance.cells.len()),
            };
            if failed > 0 && measured > 0 {
                state.push_str(&format!(" ({failed} failed)"));
            }
            let why = match &writer {
                Some(crate::results::Liveness::CannotTell(elsewhere)) => {
                    format!("\n{}", elsewhere.words("written"))
                }
                _ => String::new(),
            };
            let when = started_words(&glance.started_at).unwrap_or_else(|| by_name.clone());
            let name = match glance.experiment.name.trim() {
                "" => "(unnamed experiment)".to_string(),
                n => crate::export::sanitize::for_terminal_line(n).into_owned(),
            };
            (
                format!("{when} · {name} · {state}"),
                format!("{state}{why}"),
            )
        }
        Err(why) => (format!("{by_name} · {why}"), why),
    };
    RecentEntry {
        path: path.to_path_buf(),
        hover: format!("{state}\n{}", path.display()),
        label,
        abandoned,
        running_writer,
        restarted_since,
    }
}

/// "2026-11-27 08:03:12 UTC" from an RFC 3339 UTC time ("2026-11-27T08:03:12Z"): to the
/// second, as two sweeps of one preset often start in the same minute.
pub(crate) fn started_words(rfc3339: &str) -> Option<String> {
    let (date, time) = rfc3339.split_once('T')?;
    let hms = time.get(..8)?;
    let b = hms.as_bytes();
    (date.len() == 10 && b[2] == b':' && b[5] == b':').then(|| format!("{date} {hms} UTC"))
}

/// The label "Recent results" shows for the results file at `path` ([`recent_entry`]).
pub fn recent_label(path: &Path) -> String {
    recent_entry(path).label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_file_name_safe() {
        assert_eq!(
            slug("CPU-bound: threads vs processes"),
            "cpu-bound-threads-vs-processes"
        );
        assert_eq!(slug("  ::  "), "experiment");
    }

    #[test]
    fn the_environment_overrides_the_data_dir() {
        assert_eq!(
            data_dir_from(Some("/tmp/x".into())),
            PathBuf::from("/tmp/x")
        );
        assert_ne!(data_dir_from(Some("".into())), PathBuf::from(""));
        assert_eq!(data_dir_from(None), data_dir_from(Some("".into())));
    }

    #[test]
    fn new_results_files_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(results_dir(dir.path())).unwrap();
        let mut initial = ResultsFile {
            writer: Some(crate::results::WriterProcess::this()),
            ..ResultsFile::default()
        };
        initial.experiment.name = "Same name".into();
        // Created, not only named: the second call cannot get the first one's file, even
        // before anything was written to it, and even from many threads at once.
        let paths: Vec<PathBuf> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| s.spawn(|| create_results_file(dir.path(), &initial).unwrap()))
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let mut unique = paths.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 8, "{paths:?}");
        for p in &paths {
            assert!(p.starts_with(results_dir(dir.path())));
            assert!(p.exists());
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            assert!(
                name.contains(&format!("_same-name-{}", std::process::id())),
                "{name}"
            );
            // Whole from the moment it has its name: never an empty placeholder.
            let read = ResultsFile::load(p).unwrap();
            assert_eq!(read.status, RunStatus::Incomplete);
            assert_eq!(read.writer, initial.writer);
            assert_eq!(read.experiment.name, "Same name");
        }
        // Nothing else is left in the folder (no temporary file).
        assert_eq!(
            std::fs::read_dir(results_dir(dir.path())).unwrap().count(),
            8
        );
    }

    #[test]
    fn empty_autosaves_are_removed_said_and_never_listed() {
        let dir = tempfile::tempdir().unwrap();
        let results = results_dir(dir.path());
        std::fs::create_dir_all(&results).unwrap();
        let at = |name: &str| results.join(name);
        for name in ["b-1.json", "a-2.json", ".hidden.json", "notes.txt"] {
            std::fs::write(at(name), "").unwrap();
        }
        std::fs::write(at("whole.json"), "{}").unwrap();
        // A symbolic link to an empty file elsewhere: neither it nor its target is touched.
        let elsewhere = dir.path().join("elsewhere.json");
        std::fs::write(&elsewhere, "").unwrap();
        std::os::unix::fs::symlink(&elsewhere, at("link.json")).unwrap();
        let listed: Vec<PathBuf> = recent_listing(dir.path())
            .into_iter()
            .map(|l| l.path)
            .collect();
        assert!(!listed.contains(&at("a-2.json")), "{listed:?}");
        assert!(listed.contains(&at("whole.json")), "{listed:?}");
        let removed = remove_leftovers(dir.path(), SystemTime::now()).empty;
        assert_eq!(removed, vec![at("a-2.json"), at("b-1.json")]);
        for kept in [".hidden.json", "notes.txt", "whole.json", "link.json"] {
            assert!(at(kept).symlink_metadata().is_ok(), "{kept}");
        }
        assert!(elsewhere.exists());
        assert_eq!(
            empty_autosaves_note(&removed).as_deref(),
            Some(
                "Removed 2 empty autosaves left by workbenches killed before their first save \
                 (no results in them): a-2.json, b-1.json"
            )
        );
        assert_eq!(
            empty_autosaves_note(&removed[..1]).as_deref(),
            Some(
                "Removed an empty autosave left by a workbench killed before its first save (no \
                 results in it): a-2.json"
            )
        );
        assert_eq!(empty_autosaves_note(&[]), None);
        assert_eq!(
            remove_leftovers(dir.path(), SystemTime::now()).empty,
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn only_old_temporary_files_of_autosaves_of_ours_are_removed_and_said() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let results = results_dir(dir.path());
        std::fs::create_dir_all(&results).unwrap();
        let at = |name: &str| results.join(name);
        let now = SystemTime::now();
        let hours_ago = |h: u64| now - Duration::from_secs(h * 60 * 60);
        let write_at = |path: &Path, when: SystemTime| {
            std::fs::write(path, "{\"format\"").unwrap();
            let file = std::fs::File::options().write(true).open(path).unwrap();
            file.set_modified(when).unwrap();
        };
        // Named as a write of an autosave names its temporary file; two left for hours.
        let made = |n: usize| {
            at(&format!(
                ".2026-01-0{n}T10-00-00Z_cpu-bound-{n}.json.Yn6zU{n}.tmp"
            ))
        };
        let old_a = made(1);
        let old_b = made(2);
        write_at(&old_a, hours_ago(2));
        write_at(&old_b, hours_ago(26));
        // Written a minute ago: a workbench may be writing it now.
        let fresh = made(3);
        write_at(&fresh, now - Duration::from_secs(60));
        // Other names, old too: not a write's temporary file, or not of an autosave.
        let others = [
            ".notes.txt.AbC123.tmp",
            ".2026-01-04_x.json.AbC12.tmp",
            ".2026-01-04_x.json.AbC123.tmp.bak",
            "2026-01-04_x.json.AbC123.tmp",
            "..json.AbC123.tmp",
        ];
        for other in others {
            write_at(&at(other), hours_ago(2));
        }
        // A symbolic link of the name (to an old file elsewhere), and a directory of the name.
        let elsewhere = dir.path().join("elsewhere");
        write_at(&elsewhere, hours_ago(2));
        symlink(&elsewhere, at(".l.json.AbC123.tmp")).unwrap();
        std::fs::create_dir(at(".d.json.AbC123.tmp")).unwrap();
        // One in the data directory itself, beside the results directory: not looked at.
        let outside = dir.path().join(".o.json.AbC123.tmp");
        write_at(&outside, hours_ago(2));
        // Another user's (where this test may give one away: as root).
        let theirs = at(".t.json.AbC123.tmp");
        write_at(&theirs, hours_ago(2));
        let given_away = std::os::unix::fs::chown(&theirs, Some(54_321), None).is_ok();

        let removed = remove_leftovers(dir.path(), now).temporaries;
        let mut expected = vec![old_a.clone(), old_b.clone()];
        if !given_away {
            expected.push(theirs.clone());
        }
        assert_eq!(removed, expected);
        for gone in [&old_a, &old_b] {
            assert!(gone.symlink_metadata().is_err(), "{gone:?}");
        }
        for kept in [
            fresh.clone(),
            at(".l.json.AbC123.tmp"),
            at(".d.json.AbC123.tmp"),
            elsewhere,
            outside,
        ]
        .into_iter()
        .chain(others.iter().map(|o| at(o)))
        {
            assert!(kept.symlink_metadata().is_ok(), "{kept:?}");
        }
        assert_eq!(theirs.exists(), given_away, "another user's is kept");
        let names = |paths: &[PathBuf]| -> Vec<String> {
            paths
                .iter()
                .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            leftover_temporaries_note(&removed),
            Some(format!(
                "Removed {} hidden temporary files left by workbenches killed while they saved \
                 results (unchanged for over an hour): {}",
                removed.len(),
                names(&removed).join(", ")
            ))
        );
        assert_eq!(
            leftover_temporaries_note(&removed[..1]),
            Some(format!(
                "Removed a hidden temporary file left by a workbench killed while it saved \
                 results (unchanged for over an hour): {}",
                names(&removed)[0]
            ))
        );
        assert_eq!(leftover_temporaries_note(&[]), None);
        // An hour on, the fresh one is old too.
        assert_eq!(
            remove_leftovers(dir.path(), now + LEFTOVER_TEMPORARY_AGE).temporaries,
            vec![fresh]
        );
    }

    fn results_with(status: RunStatus, samples_per_cell: &[usize]) -> ResultsFile {
        let mut results = ResultsFile {
            started_at: "2026-11-27T08:03:12Z".into(),
            status,
            ..ResultsFile::default()
        };
        results.experiment.name = "CPU-bound: threads vs processes".into();
        for (i, &n) in samples_per_cell.iter().enumerate() {
            results.cells.push(crate::results::CellResult {
                model: Some(crate::preset::ModelKind::Threads),
                workers: i + 1,
                samples: vec![
                    crate::results::Sample {
                        wall_s: 1.0,
                        cpu_s: 1.0,
                        checksum: 1,
                        ..Default::default()
                    };
                    n
                ],
                ..Default::default()
            });
        }
        results.recompute();
        results
    }

    #[test]
    fn recent_entries_say_when_what_and_how_the_sweep_ended() {
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        // The same experiment four times, as the reviewer's list showed it: told apart by
        // time and status, not by a process id.
        results_with(RunStatus::Complete, &[3, 3, 3])
            .save(&at("a_cpu-1.json"))
            .unwrap();
        results_with(RunStatus::Cancelled, &[2, 1, 0])
            .save(&at("b_cpu-1.json"))
            .unwrap();
        results_with(RunStatus::Cancelled, &[0, 0, 0])
            .save(&at("c_cpu-1.json"))
            .unwrap();
        results_with(RunStatus::Incomplete, &[1, 0, 0])
            .save(&at("d_cpu-1.json"))
            .unwrap();
        let label = |name: &str| recent_label(&at(name));
        assert_eq!(
            label("a_cpu-1.json"),
            "2026-11-27 08:03:12 UTC · CPU-bound: threads vs processes · complete · 3 cells"
        );
        assert_eq!(
            label("b_cpu-1.json"),
            "2026-11-27 08:03:12 UTC · CPU-bound: threads vs processes · cancelled · 2 of 3 cells measured"
        );
        assert!(
            label("c_cpu-1.json").ends_with("· cancelled before any run was timed"),
            "{}",
            label("c_cpu-1.json")
        );
        assert!(label("d_cpu-1.json").ends_with("· interrupted · 1 of 3 cells measured"));
        let entry = recent_entry(&at("b_cpu-1.json"));
        assert!(
            entry
                .hover
                .contains(&at("b_cpu-1.json").display().to_string())
        );
        // A placeholder never written, and a file that is not results: labelled by name.
        std::fs::write(at("2026-01-01T00-00-00Z_x-9.json"), "").unwrap();
        assert_eq!(
            label("2026-01-01T00-00-00Z_x-9.json"),
            "2026-01-01T00-00-00Z  x-9 · empty autosave left by a workbench killed before its \
             first save: no results in it"
        );
        std::fs::write(at("e.json"), "[1, 2").unwrap();
        assert_eq!(label("e.json"), "e · unreadable");
    }

    #[test]
    fn an_incomplete_file_is_called_interrupted_only_when_its_writer_is_surely_gone() {
        use crate::results::WriterProcess;
        let dir = tempfile::tempdir().unwrap();
        let at = |name: &str| dir.path().join(name);
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let gone = WriterProcess::here(child.id(), crate::sys::procfs::start_ticks_of(child.id()));
        child.wait().unwrap();
        let elsewhere = [
            (
                "host",
                WriterProcess {
                    host: Some("lab-2".into()),
                    boot_id: Some("lab-2s-boot".into()),
                    ..gone.clone()
                },
                "written by a corelab on lab-2; cannot tell if it is still running",
            ),
            (
                "container",
                WriterProcess {
                    pid_namespace: gone.pid_namespace.map(|n| n + 1),
                    ..gone.clone()
                },
                "written by a corelab in another container; cannot tell if it is still running",
            ),
            (
                "older",
                WriterProcess {
                    pid: gone.pid,
                    started_ticks: gone.started_ticks,
                    ..WriterProcess::default()
                },
                "written by a corelab that did not record where it ran; cannot tell if it is \
                 still running",
            ),
        ];
        let save = |name: &str, writer: &WriterProcess| {
            let mut r = results_with(RunStatus::Incomplete, &[1, 0, 0]);
            r.writer = Some(writer.clone());
            r.save(&at(name)).unwrap();
            recent_entry(&at(name))
        };
        let killed = save("killed.json", &gone);
        assert!(killed.abandoned);
        assert!(!killed.restarted_since, "killed in this boot");
        // Written by this machine before it restarted (its file last changed before this
        // boot began): abandoned, and because of the restart.
        if crate::sys::process_identity::Place::here()
            .booted_at
            .is_some()
        {
            let earlier_boot = WriterProcess {
                boot_id: Some("1f0e0d0c-0000-4000-8000-000000000000".into()),
                ..gone.clone()
            };
            let path = at("restarted.json");
            save("restarted.json", &earlier_boot);
            std::fs::File::options()
                .write(true)
                .open(&path)
                .unwrap()
                .set_modified(std::time::SystemTime::UNIX_EPOCH)
                .unwrap();
            let restarted = recent_entry(&path);
            assert!(
                restarted.abandoned && restarted.restarted_since,
                "{restarted:?}"
            );
        }
        assert!(
            killed
                .label
                .ends_with("· interrupted · 1 of 3 cells measured"),
            "{}",
            killed.label
        );
        let running = save("running.json", &WriterProcess::this());
        assert!(!running.abandoned);
        assert!(
            running
                .label
                .ends_with("· still running · 1 of 3 cells measured"),
            "{}",
            running.label
        );
        for (name, writer, words) in elsewhere {
            let entry = save(&format!("{name}.json"), &writer);
            assert!(!entry.abandoned, "{name}");
            assert!(
                entry
                    .label
                    .ends_with("· incomplete · 1 of 3 cells measured"),
                "{name}: {}",
                entry.label
            );
            assert!(entry.hover.contains(words), "{name}: {}", entry.hover);
        }
        assert_eq!(
            incomplete_state_words(Some(&crate::results::Liveness::Running), 0, 3),
            "still running, no run timed yet"
        );
        assert_eq!(
            incomplete_state_words(None, 0, 3),
            "interrupted before any run was timed"
        );
    }

    #[test]
    fn run_states_count_only_cells_with_a_timed_run() {
        for (status, measured, cells, words) in [
            (RunStatus::Complete, 7, 7, "complete · 7 cells"),
            (
                RunStatus::Cancelled,
                3,
                7,
                "cancelled · 3 of 7 cells measured",
            ),
            (
                RunStatus::Cancelled,
                0,
                7,
                "cancelled before any run was timed",
            ),
            (RunStatus::Failed, 0, 7, "every cell failed"),
            // Files from before the `failed` status.
            (RunStatus::Complete, 0, 2, "every cell failed"),
        ] {
            assert_eq!(
                run_state_words(status, measured, cells),
                words,
                "{status:?}, {measured} of {cells}"
            );
        }
        let results = results_with(RunStatus::Cancelled, &[2, 0, 1]);
        assert_eq!(measured_cells(&results), 2);
    }

    #[test]
    fn recent_lists_newest_json_first() {
        let dir = tempfile::tempdir().unwrap();
        let results = results_dir(dir.path());
        std::fs::create_dir_all(&results).unwrap();
        std::fs::write(results.join("a.json"), "{}").unwrap();
        std::fs::write(results.join(".tmp.json"), "{}").unwrap();
        std::fs::write(results.join("notes.txt"), "").unwrap();
        let recent: Vec<PathBuf> = recent_listing(dir.path())
            .into_iter()
            .map(|l| l.path)
            .collect();
        assert_eq!(recent, vec![results.join("a.json")]);
    }
}
