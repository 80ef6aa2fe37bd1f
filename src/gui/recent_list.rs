//! "Recent results", read off the UI thread: up to [`RECENT_LIMIT`](autosave::RECENT_LIMIT)
//! results files are looked into for their labels (each up to 32 MiB of JSON), at start-up and
//! after every sweep, so a helper thread lists and reads them and the menu shows the list when
//! it arrives ("Reading…" until the first one does). A file is read once: the interrupted
//! sweep's file, asked for at start, is read with the list (and its entry shared when it is in
//! the list), and a re-read after a sweep reads only the files that changed since they were
//! read.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use eframe::egui;

use super::autosave::{self, RecentEntry};

/// How often the list checks that the writers its entries say are still running still are.
pub const RECHECK_EVERY: Duration = Duration::from_secs(1);

/// A listed file's entry, with the modification time and length it was read at.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadEntry {
    pub modified: SystemTime,
    pub len: u64,
    pub entry: RecentEntry,
}

impl ReadEntry {
    /// Its label says its writer is still running, and that writer is no longer (one `/proc`
    /// read, only for such an entry).
    pub fn writer_stopped(&self) -> bool {
        self.entry
            .running_writer
            .as_ref()
            .is_some_and(|w| w.liveness(Some(self.modified)) != crate::results::Liveness::Running)
    }
}

/// What one reading found: the list, newest first, and the entry of the file asked for
/// besides it (`None` when it is not a regular file).
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    pub files: Vec<ReadEntry>,
    pub also: Option<RecentEntry>,
    /// The empty autosaves and the temporary files of killed writes removed before the first
    /// reading ([`autosave::remove_leftovers`]).
    pub removed: autosave::RemovedLeftovers,
}

/// Lists `data_dir`'s results and reads an entry for each with `read` (and for `also`), each
/// file at most once: a file listed in `known` with the same modification time and length is
/// not read again (unless its label says its writer is still running and it is not), and `also`, when listed, shares the list's entry.
pub fn read_listing(
    data_dir: &Path,
    also: Option<&Path>,
    known: &[ReadEntry],
    read: &mut impl FnMut(&Path) -> RecentEntry,
) -> Listing {
    let files: Vec<ReadEntry> = autosave::recent_listing(data_dir)
        .into_iter()
        .map(|listed| {
            let unchanged = known.iter().find(|k| {
                k.entry.path == listed.path
                    && k.modified == listed.modified
                    && k.len == listed.len
                    && !k.writer_stopped()
            });
            let entry = match unchanged {
                Some(k) => k.entry.clone(),
                None => read(&listed.path),
            };
            ReadEntry {
                modified: listed.modified,
                len: listed.len,
                entry,
            }
        })
        .collect();
    let also = also.filter(|p| p.is_file()).map(|path| {
        match files.iter().find(|f| f.entry.path == path) {
            Some(listed) => listed.entry.clone(),
            None => read(path),
        }
    });
    Listing {
        files,
        also,
        removed: autosave::RemovedLeftovers::default(),
    }
}

/// The list the menu shows, and the reading in flight.
pub struct RecentList {
    data_dir: PathBuf,
    files: Vec<ReadEntry>,
    /// A reading has arrived (before that, the menu says the list is being read).
    arrived: bool,
    in_flight: Option<Receiver<Listing>>,
    /// The file asked for besides the list, until a reading delivers its entry.
    also: Option<PathBuf>,
    /// Its entry, delivered and not yet taken.
    also_read: Option<RecentEntry>,
    /// The newest file of the first reading that a killed or crashed sweep left
    /// ([`RecentEntry::abandoned`]), with when it was last written; not yet taken.
    abandoned: Option<(RecentEntry, SystemTime)>,
    /// Woken when a reading arrives (set from the first frame on).
    waker: Arc<Mutex<Option<egui::Context>>>,
    /// When the writers of the entries that say "still running" were last checked.
    checked_at: Option<Instant>,
    /// The next reading first removes the empty autosaves and the temporary files that killed
    /// writes left (the first one, at start).
    remove_empty: bool,
    /// The empty autosaves and temporary files the first reading removed, not yet taken.
    removed: autosave::RemovedLeftovers,
}

impl RecentList {
    /// Starts reading the list of `data_dir`'s results, and the entry of `also` (the
    /// interrupted sweep's file) with it.
    pub fn start(data_dir: &Path, also: Option<PathBuf>) -> RecentList {
        let mut list = RecentList {
            data_dir: data_dir.to_path_buf(),
            files: Vec::new(),
            arrived: false,
            in_flight: None,
            also,
            also_read: None,
            abandoned: None,
            waker: Arc::default(),
            checked_at: None,
            remove_empty: true,
            removed: autosave::RemovedLeftovers::default(),
        };
        list.refresh();
        list
    }

    /// Reads the list again (a sweep has written a file); the list read so far is shown
    /// meanwhile. A reading still in flight is dropped for this one.
    pub fn refresh(&mut self) {
        let (tx, rx) = channel();
        let data_dir = self.data_dir.clone();
        let also = self.also.clone();
        let known = self.files.clone();
        let waker = Arc::clone(&self.waker);
        let remove_empty = std::mem::take(&mut self.remove_empty);
        let work = move || {
            let removed = match remove_empty {
                true => autosave::remove_leftovers(&data_dir, SystemTime::now()),
                false => autosave::RemovedLeftovers::default(),
            };
            let mut listing = read_listing(&data_dir, also.as_deref(), &known, &mut |p| {
                autosave::recent_entry(p)
            });
            listing.removed = removed;
            let _ = tx.send(listing);
            if let Some(ctx) = waker.lock().ok().and_then(|w| w.clone()) {
                ctx.request_repaint();
            }
        };
        let spawned = std::thread::Builder::new()
            .name("recent-results".into())
            .spawn(work);
        match spawned {
            Ok(_) => self.in_flight = Some(rx),
            // No thread to be had (the system is out of them): the list stays as it was,
            // rather than reading files on the UI thread; the next sweep's end tries again.
            Err(_) => self.arrived = true,
        }
    }

    /// Takes in a reading that has arrived; never waits. `ctx` is woken by later readings.
    pub fn poll(&mut self, ctx: &egui::Context) {
        if let Ok(mut waker) = self.waker.lock()
            && waker.is_none()
        {
            *waker = Some(ctx.clone());
        }
        self.take_in();
        self.recheck_running(Instant::now());
    }

    /// At most every [`RECHECK_EVERY`] (by `now`), with no reading in flight: reads the list
    /// again when a writer that an entry says is still running has stopped, so that its label
    /// says so. Returns whether it did.
    pub fn recheck_running(&mut self, now: Instant) -> bool {
        if self.in_flight.is_some()
            || self
                .checked_at
                .is_some_and(|at| now.saturating_duration_since(at) < RECHECK_EVERY)
        {
            return false;
        }
        self.checked_at = Some(now);
        if self.files.iter().any(ReadEntry::writer_stopped) {
            self.refresh();
            return true;
        }
        false
    }

    fn take_in(&mut self) {
        let Some(rx) = &self.in_flight else {
            return;
        };
        let Ok(listing) = rx.try_recv() else {
            return;
        };
        self.in_flight = None;
        if !self.arrived {
            self.abandoned = listing
                .files
                .iter()
                .find(|f| f.entry.abandoned)
                .map(|f| (f.entry.clone(), f.modified));
        }
        self.files = listing.files;
        self.arrived = true;
        self.removed.empty.extend(listing.removed.empty);
        self.removed.temporaries.extend(listing.removed.temporaries);
        if self.also.take().is_some() {
            self.also_read = listing.also;
        }
    }

    /// The entry of the file asked for besides the list, once read (at most once).
    pub fn take_also(&mut self) -> Option<RecentEntry> {
        self.also_read.take()
    }

    /// The newest file in the first reading that a killed or crashed sweep left (still
    /// `incomplete`, its process gone), with when it was last written (at most once).
    pub fn take_abandoned(&mut self) -> Option<(RecentEntry, SystemTime)> {
        self.abandoned.take()
    }

    /// What the workbench says of the leftovers the first reading removed: the empty
    /// autosaves ([`autosave::empty_autosaves_note`]), then the temporary files
    /// ([`autosave::leftover_temporaries_note`]); each at most once.
    pub fn take_removed_notes(&mut self) -> Vec<String> {
        let removed = std::mem::take(&mut self.removed);
        autosave::empty_autosaves_note(&removed.empty)
            .into_iter()
            .chain(autosave::leftover_temporaries_note(&removed.temporaries))
            .collect()
    }

    /// Stops waiting for the file asked for besides the list (the offer was dismissed).
    pub fn forget_also(&mut self) {
        self.also = None;
        self.also_read = None;
    }

    /// The entries the menu shows, newest first.
    pub fn entries(&self) -> impl Iterator<Item = &RecentEntry> {
        self.files.iter().map(|f| &f.entry)
    }

    /// No reading has arrived yet (the menu says the list is being read).
    pub fn first_reading(&self) -> bool {
        !self.arrived
    }

    /// A reading is in flight.
    pub fn reading(&self) -> bool {
        self.in_flight.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads entries as the workbench does, counting each file read.
    fn counting(reads: &mut Vec<PathBuf>) -> impl FnMut(&Path) -> RecentEntry + '_ {
        |p: &Path| {
            reads.push(p.to_path_buf());
            autosave::recent_entry(p)
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = autosave::results_dir(dir).join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    /// A file whose writer was running when it was listed, and whose writer is then killed
    /// (its time and length unchanged): read again, and no longer "still running".
    #[test]
    fn an_entry_whose_writer_dies_is_read_again() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(autosave::results_dir(dir.path())).unwrap();
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .spawn()
            .unwrap();
        let pid = child.id();
        let writer = crate::sys::process_identity::ProcessIdentity::here(
            pid,
            crate::sys::procfs::start_ticks_of(pid),
        );
        let text = serde_json::json!({
            "status": "incomplete",
            "started_at": "2026-11-27T08:03:12Z",
            "experiment": {"name": "CPU"},
            "cells": [],
            "writer": writer,
        });
        let path = write(dir.path(), "w.json", &text.to_string());
        let mut reads = Vec::new();
        let first = read_listing(dir.path(), None, &[], &mut counting(&mut reads));
        let entry = &first.files[0];
        assert!(entry.entry.label.contains("still running"), "{entry:?}");
        assert!(!entry.writer_stopped());
        let mut again = Vec::new();
        read_listing(dir.path(), None, &first.files, &mut counting(&mut again));
        assert!(again.is_empty(), "not read again while it runs");

        child.kill().unwrap();
        child.wait().unwrap();
        assert!(first.files[0].writer_stopped());
        let mut after = Vec::new();
        let next = read_listing(dir.path(), None, &first.files, &mut counting(&mut after));
        assert_eq!(after, vec![path]);
        let label = &next.files[0].entry.label;
        assert!(!label.contains("still running"), "{label}");
        assert!(label.contains("interrupted"), "{label}");
        assert_eq!(next.files[0].entry.running_writer, None);
    }

    /// The list checks its running writers at most every [`RECHECK_EVERY`].
    #[test]
    fn running_writers_are_checked_at_most_once_a_second() {
        let dir = tempfile::tempdir().unwrap();
        let mut list = RecentList::start(dir.path(), None);
        while list.reading() {
            list.take_in();
            std::thread::yield_now();
        }
        let t0 = Instant::now();
        assert!(!list.recheck_running(t0), "nothing says running");
        assert_eq!(list.checked_at, Some(t0));
        assert!(!list.recheck_running(t0 + Duration::from_millis(500)));
        assert_eq!(
            list.checked_at,
            Some(t0),
            "not checked again within the second"
        );
        assert!(!list.recheck_running(t0 + RECHECK_EVERY));
        assert_eq!(list.checked_at, Some(t0 + RECHECK_EVERY));
    }

    #[test]
    fn each_file_is_read_once_and_the_interrupted_one_shares_its_entry() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(autosave::results_dir(dir.path())).unwrap();
        let a = write(dir.path(), "a.json", "{}");
        let b = write(dir.path(), "b.json", "[1,");
        let mut reads = Vec::new();
        let listing = read_listing(dir.path(), Some(&b), &[], &mut counting(&mut reads));
        reads.sort();
        assert_eq!(reads, vec![a.clone(), b.clone()], "each file read once");
        assert_eq!(listing.files.len(), 2);
        let also = listing.also.expect("the interrupted file's entry");
        assert_eq!(also.path, b);
        assert_eq!(also.label, "b · unreadable");

        // Read again after a sweep: only the new file and the changed one are read.
        let c = write(dir.path(), "c.json", "{}");
        std::fs::write(&a, "{}{}").unwrap();
        let mut again = Vec::new();
        let next = read_listing(dir.path(), None, &listing.files, &mut counting(&mut again));
        again.sort();
        assert_eq!(again, vec![a.clone(), c.clone()]);
        assert_eq!(next.files.len(), 3);
        assert_eq!(next.also, None);
        let b_entry = next.files.iter().find(|f| f.entry.path == b).unwrap();
        assert_eq!(
            b_entry.entry.label, "b · unreadable",
            "kept from the first read"
        );
    }

    #[test]
    fn an_interrupted_file_outside_the_list_is_read_once_and_a_missing_one_not_at_all() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(autosave::results_dir(dir.path())).unwrap();
        let elsewhere = dir.path().join("elsewhere.json");
        std::fs::write(&elsewhere, "").unwrap();
        let mut reads = Vec::new();
        let listing = read_listing(dir.path(), Some(&elsewhere), &[], &mut counting(&mut reads));
        assert_eq!(reads, vec![elsewhere.clone()]);
        assert!(listing.files.is_empty());
        assert_eq!(listing.also.unwrap().path, elsewhere);

        let mut none = Vec::new();
        let gone = dir.path().join("gone.json");
        let listing = read_listing(dir.path(), Some(&gone), &[], &mut counting(&mut none));
        assert!(none.is_empty());
        assert_eq!(listing.also, None);
    }

    #[test]
    fn the_list_arrives_from_its_thread_and_the_interrupted_entry_is_taken_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(autosave::results_dir(dir.path())).unwrap();
        let a = write(dir.path(), "a.json", "{}");
        let ctx = egui::Context::default();
        let mut list = RecentList::start(dir.path(), Some(a.clone()));
        assert!(list.first_reading());
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
        while list.reading() {
            assert!(
                std::time::Instant::now() < deadline,
                "the reading never arrived"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
            list.poll(&ctx);
        }
        assert!(!list.first_reading());
        let paths: Vec<&Path> = list.entries().map(|e| e.path.as_path()).collect();
        assert_eq!(paths, vec![a.as_path()]);
        assert_eq!(list.take_also().map(|e| e.path), Some(a.clone()));
        assert_eq!(list.take_also(), None, "taken once");

        // A later reading does not offer it again.
        list.refresh();
        while list.reading() {
            assert!(
                std::time::Instant::now() < deadline,
                "the reading never arrived"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
            list.poll(&ctx);
        }
        assert_eq!(list.take_also(), None);
    }
}
