use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::{RunEnv, RunMetrics, Workload};
use crate::engine::pacer::{Pacer, UnitError, UnitResult};
use crate::preset::{ContentionParams, SyncMode};
use crate::sys::{self, Lock};

/// Increments between two checkpoints.
const CHECK_EVERY: u64 = 1024;
/// Messages the `channel` counter's queue holds before senders block: the queue's memory is
/// bounded (a few KiB) whatever the increments, instead of growing at hundreds of MB/s while
/// the owner falls behind.
pub const CHANNEL_BOUND: usize = 1024;

/// Every worker adds `increments` to one shared counter under the chosen synchronisation.
/// One unit per worker. The run's checksum is the counter's final value; `lost_updates` is
/// what the counter is short of `workers × increments`.
pub struct ContentionWorkload {
    increments: u64,
    workers: usize,
    counter: Counter,
    start_line: StartLine,
}

/// Holds in-process workers until all have arrived (or a short time has passed), so that they
/// really contend instead of the first one finishing before the last one is spawned.
struct StartLine {
    arrived: Mutex<usize>,
    all_here: Condvar,
    expected: usize,
}

impl StartLine {
    const PATIENCE: Duration = Duration::from_millis(200);

    fn wait(&self) {
        let mut arrived = self.arrived.lock().unwrap_or_else(|e| e.into_inner());
        *arrived += 1;
        if *arrived >= self.expected {
            self.all_here.notify_all();
            return;
        }
        let deadline = Instant::now() + Self::PATIENCE;
        while *arrived < self.expected {
            let now = Instant::now();
            if now >= deadline {
                return;
            }
            arrived = self
                .all_here
                .wait_timeout(arrived, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
    }
}

enum Counter {
    Mutex(Mutex<u64>),
    Atomic(AtomicU64),
    /// Racy: relaxed load, then relaxed store of the incremented value.
    Unsynchronised(AtomicU64),
    Semaphore {
        permits: Mutex<u32>,
        freed: Condvar,
        value: AtomicU64,
    },
    Channel {
        sender: Mutex<Option<SyncSender<u64>>>,
        owner: Mutex<Option<JoinHandle<u64>>>,
    },
    /// Across processes: an 8-byte file, read-modify-written under `flock` when `locked`.
    File {
        file: File,
        locked: bool,
    },
}

impl ContentionWorkload {
    pub fn new(params: &ContentionParams, env: &RunEnv) -> Result<Self, String> {
        let counter = match (&env.shared_file, params.sync) {
            (Some(path), SyncMode::Mutex | SyncMode::None) => Counter::File {
                file: open_counter_file(path)?,
                locked: params.sync == SyncMode::Mutex,
            },
            (Some(_), other) => {
                return Err(format!(
                    "sync mode `{}` needs shared memory, which processes do not have",
                    other.id()
                ));
            }
            (None, SyncMode::Mutex) => Counter::Mutex(Mutex::new(0)),
            (None, SyncMode::Atomic) => Counter::Atomic(AtomicU64::new(0)),
            (None, SyncMode::None) => Counter::Unsynchronised(AtomicU64::new(0)),
            (None, SyncMode::Semaphore) => Counter::Semaphore {
                permits: Mutex::new(params.permits),
                freed: Condvar::new(),
                value: AtomicU64::new(0),
            },
            (None, SyncMode::Channel) => {
                let (sender, receiver) = sync_channel::<u64>(CHANNEL_BOUND);
                let owner = std::thread::Builder::new()
                    .name("counter-owner".into())
                    .spawn(move || receiver.iter().sum())
                    .map_err(|e| format!("cannot start the counter's owner thread: {e}"))?;
                Counter::Channel {
                    sender: Mutex::new(Some(sender)),
                    owner: Mutex::new(Some(owner)),
                }
            }
        };
        Ok(ContentionWorkload {
            increments: params.increments,
            workers: env.workers,
            counter,
            start_line: StartLine {
                arrived: Mutex::new(0),
                all_here: Condvar::new(),
                expected: env.workers,
            },
        })
    }

    fn final_value(&self) -> UnitResult<u64> {
        Ok(match &self.counter {
            Counter::Mutex(m) => *m.lock().map_err(|_| poisoned())?,
            Counter::Atomic(v) | Counter::Unsynchronised(v) => v.load(Ordering::SeqCst),
            Counter::Semaphore { value, .. } => value.load(Ordering::SeqCst),
            Counter::Channel { sender, owner } => {
                drop(sender.lock().map_err(|_| poisoned())?.take());
                let handle = owner.lock().map_err(|_| poisoned())?.take();
                match handle {
                    Some(h) => h
                        .join()
                        .map_err(|_| UnitError::Failed("counter owner thread panicked".into()))?,
                    None => return Err(UnitError::Failed("counter already drained".into())),
                }
            }
            Counter::File { file, .. } => read_counter(file).map_err(io_failed)?,
        })
    }
}

impl Workload for ContentionWorkload {
    fn unit_count(&self) -> usize {
        self.workers
    }

    fn run_unit(&self, _unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        if !matches!(self.counter, Counter::File { .. }) {
            // Released around the wait, so an emulated GIL is not held at the start line.
            pacer.blocking(&mut || {
                self.start_line.wait();
                Ok(())
            })?;
        }
        let mut done = 0;
        let sender = match &self.counter {
            Counter::Channel { sender, .. } => sender.lock().map_err(|_| poisoned())?.clone(),
            _ => None,
        };
        while done < self.increments {
            let batch = (self.increments - done).min(CHECK_EVERY);
            match &self.counter {
                Counter::Mutex(m) => {
                    for _ in 0..batch {
                        *m.lock().map_err(|_| poisoned())? += 1;
                    }
                }
                Counter::Atomic(v) => {
                    for _ in 0..batch {
                        v.fetch_add(1, Ordering::Relaxed);
                    }
                }
                Counter::Unsynchronised(v) => {
                    // `counter += 1` as CPython runs it: a read (LOAD_GLOBAL), then a write of
                    // the value read plus one (STORE_GLOBAL). Another worker's increments
                    // between the two are overwritten: lost. Plain threads race on two cores
                    // at any instruction. An emulated GIL switches threads only at checkpoints,
                    // so where they fall decides what it loses: one per batch lies inside the
                    // read-write window (here, halfway) and one outside (the batch's end, like
                    // the loop's backward jump), so half its switches lose the other thread's
                    // whole turn. That is CPython up to 3.9, which checks for a switch before
                    // most bytecodes, two of the loop's five checks inside the window; 3.10+
                    // checks only at calls and backward jumps, so there a bare `counter += 1`
                    // lost nothing in 10 of 10 runs of CPython 3.11 on 2 cores, while
                    // `obj.value += 1` through a property, a call inside the window, did
                    // (README, "Lost updates in real Python"). One checkpoint per 1024
                    // increments keeps the loop at Rust speed (a checkpoint reads the clock);
                    // with a switch interval of 0.05 ms a thread's turn spans many batches, so
                    // a switch still falls in the window half the time (tests/lessons.rs).
                    for i in 0..batch {
                        // black_box keeps the compiler from fusing the read-then-write
                        // pairs of a batch into one update, which would hide the race.
                        let seen = std::hint::black_box(v.load(Ordering::Relaxed));
                        if i == batch / 2 {
                            pacer.checkpoint()?;
                        }
                        v.store(seen + 1, Ordering::Relaxed);
                    }
                }
                Counter::Semaphore {
                    permits,
                    freed,
                    value,
                } => {
                    for _ in 0..batch {
                        let mut free = permits.lock().map_err(|_| poisoned())?;
                        while *free == 0 {
                            free = freed.wait(free).map_err(|_| poisoned())?;
                        }
                        *free -= 1;
                        drop(free);
                        value.fetch_add(1, Ordering::Relaxed);
                        *permits.lock().map_err(|_| poisoned())? += 1;
                        freed.notify_one();
                    }
                }
                Counter::Channel { .. } => {
                    let tx = sender.as_ref().ok_or_else(|| {
                        UnitError::Failed("the counter's queue is already closed".into())
                    })?;
                    for _ in 0..batch {
                        tx.send(1).map_err(|_| {
                            UnitError::Failed("the counter's owner stopped listening".into())
                        })?;
                    }
                }
                Counter::File { file, locked } => {
                    for _ in 0..batch {
                        file_increment(file, *locked).map_err(io_failed)?;
                    }
                }
            }
            done += batch;
            pacer.checkpoint()?;
        }
        Ok(0)
    }

    fn finish(&self, _checksum: u64) -> UnitResult<RunMetrics> {
        let value = self.final_value()?;
        let expected = self.increments * self.workers as u64;
        Ok(RunMetrics {
            checksum: value,
            lost_updates: Some(expected.saturating_sub(value)),
            ..RunMetrics::default()
        })
    }

    fn shared_state(&self) -> Option<String> {
        Some(
            match &self.counter {
                Counter::Mutex(_) => "in-memory u64 behind std::sync::Mutex",
                Counter::Atomic(_) => "in-memory AtomicU64, fetch_add",
                Counter::Unsynchronised(_) => "in-memory u64, unsynchronised read then write",
                Counter::Semaphore { .. } => "AtomicU64 inside a counting-semaphore section",
                Counter::Channel { .. } => {
                    "owned by one thread, increments sent over a bounded mpsc queue"
                }
                Counter::File { locked: true, .. } => "8-byte file, read-modify-write under flock",
                Counter::File { locked: false, .. } => "8-byte file, unlocked read then write",
            }
            .to_string(),
        )
    }
}

fn poisoned() -> UnitError {
    UnitError::Failed("a worker panicked while holding the counter".into())
}

fn io_failed(e: std::io::Error) -> UnitError {
    UnitError::Failed(format!("shared counter file: {e}"))
}

fn open_counter_file(path: &Path) -> Result<File, String> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map_err(|e| format!("cannot open shared counter {}: {e}", path.display()))
}

fn read_counter(file: &File) -> std::io::Result<u64> {
    let mut buf = [0u8; 8];
    file.read_exact_at(&mut buf, 0)?;
    Ok(u64::from_le_bytes(buf))
}

fn file_increment(file: &File, locked: bool) -> std::io::Result<()> {
    if locked {
        sys::flock(file, Lock::Exclusive)?;
    }
    let result = read_counter(file).and_then(|v| file.write_all_at(&(v + 1).to_le_bytes(), 0));
    if locked {
        sys::flock(file, Lock::Unlock)?;
    }
    result
}

/// Creates the 8-byte zero counter file that process workers share, exclusively (a planted
/// file or symbolic link is never written through). The file of the previous run in the same
/// private scratch directory is removed first.
pub fn create_counter_file(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    crate::engine::scratch::write_new_file(path, &0u64.to_le_bytes())
}
