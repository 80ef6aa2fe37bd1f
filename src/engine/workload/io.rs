use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::cpu::splitmix64;
use super::{RunEnv, Workload};
use crate::engine::pacer::{Pacer, UnitError, UnitResult};
use crate::engine::scratch::create_new_file;
use crate::preset::{IoMode, IoParams};

/// Bytes written or read at a time: a unit holds two buffers of this size, whatever the
/// file's size (see `engine::resources`).
pub const IO_CHUNK_BYTES: usize = 64 * 1024;
/// Bytes of the pattern made, or of what was read compared and hashed, between two
/// checkpoints: some microseconds of computing, as the compute workloads' loops.
const COMPUTE_PIECE_BYTES: usize = 8 * 1024;

pub struct IoWorkload {
    mode: IoMode,
    sleep: Duration,
    file_bytes: u64,
    tasks: usize,
    dir: PathBuf,
}

impl IoWorkload {
    pub fn new(params: &IoParams, tasks: usize, env: &RunEnv) -> Result<Self, String> {
        let sleep_s = params.sleep_ms / 1000.0;
        let sleep = Duration::try_from_secs_f64(sleep_s)
            .map_err(|_| format!("`task.io.sleep_ms` = {}: not a duration", params.sleep_ms))?;
        let file_bytes = params
            .file_kib
            .checked_mul(1024)
            .ok_or_else(|| format!("`task.io.file_kib` = {}: too large", params.file_kib))?;
        Ok(IoWorkload {
            mode: params.mode,
            sleep,
            file_bytes,
            tasks,
            dir: env.scratch_dir.clone(),
        })
    }

    /// Writes a deterministic file, fsyncs it, reads it back and returns the FNV-1a hash of
    /// what was read. The file is created exclusively (a planted file or link makes the unit
    /// fail instead of being written through), streamed in [`IO_CHUNK_BYTES`] chunks, and
    /// removed afterwards.
    ///
    /// Only the system calls (create, write, fsync, seek, read) go through
    /// [`Pacer::blocking`]: they are the waits on I/O, during which an emulated GIL is released
    /// as CPython releases it around them. Making the pattern, comparing what was read and
    /// hashing it is computing: it runs between checkpoints, under the lock, as the
    /// equivalent Python-level work would.
    fn file_round_trip(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        let path = self
            .dir
            .join(format!("unit-{unit}-{}.bin", std::process::id()));
        let result = self.write_and_read_back(&path, unit, pacer);
        let _ = fs::remove_file(&path);
        let (hash, mismatch) = result?;
        if let Some(at) = mismatch {
            return Err(UnitError::Failed(format!(
                "file I/O: what was read back differs from the {} bytes written, from byte {at}",
                self.file_bytes
            )));
        }
        Ok(hash)
    }

    /// The round trip of [`IoWorkload::file_round_trip`]: the hash of what was read, and the
    /// offset of its first difference from what was written, if any.
    fn write_and_read_back(
        &self,
        path: &Path,
        unit: usize,
        pacer: &dyn Pacer,
    ) -> UnitResult<(u64, Option<u64>)> {
        let mut file = None;
        pacer.blocking(&mut || {
            file = Some(create_new_file(path)?);
            Ok(())
        })?;
        let Some(mut file) = file else {
            return Err(UnitError::Failed(
                "file I/O: the file was not created".into(),
            ));
        };
        let mut pat = Pattern::new(unit);
        let mut buf = vec![0u8; IO_CHUNK_BYTES];
        let mut left = self.file_bytes;
        while left > 0 {
            let n = left.min(IO_CHUNK_BYTES as u64) as usize;
            for piece in buf[..n].chunks_mut(COMPUTE_PIECE_BYTES) {
                pacer.checkpoint()?;
                pat.fill(piece);
            }
            pacer.blocking(&mut || file.write_all(&buf[..n]))?;
            left -= n as u64;
        }
        pacer.blocking(&mut || {
            file.sync_all()?;
            file.seek(SeekFrom::Start(0)).map(|_| ())
        })?;
        let mut pat = Pattern::new(unit);
        let mut expected = vec![0u8; IO_CHUNK_BYTES];
        let mut read = 0u64;
        let mut hash = FNV_OFFSET;
        let mut mismatch: Option<u64> = None;
        loop {
            let mut n = 0;
            pacer.blocking(&mut || {
                n = file.read(&mut buf)?;
                Ok(())
            })?;
            if n == 0 {
                break;
            }
            let pieces = buf[..n]
                .chunks(COMPUTE_PIECE_BYTES)
                .zip(expected[..n].chunks_mut(COMPUTE_PIECE_BYTES));
            for (got, want) in pieces {
                pacer.checkpoint()?;
                pat.fill(want);
                if mismatch.is_none() && got != &*want {
                    mismatch = Some(read);
                }
                hash = fnv1a_update(hash, got);
                read += got.len() as u64;
            }
        }
        if read != self.file_bytes && mismatch.is_none() {
            mismatch = Some(read);
        }
        Ok((hash, mismatch))
    }
}

impl Workload for IoWorkload {
    fn unit_count(&self) -> usize {
        self.tasks
    }

    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        match self.mode {
            IoMode::Sleep => {
                pacer.wait(self.sleep)?;
                Ok(splitmix64(unit as u64))
            }
            IoMode::File => self.file_round_trip(unit, pacer),
        }
    }
}

/// The deterministic content of a unit's file, produced in pieces: 8 bytes of splitmix64
/// output at a time, little-endian.
pub(crate) struct Pattern {
    x: u64,
    pos: u64,
}

impl Pattern {
    pub(crate) fn new(unit: usize) -> Self {
        Pattern {
            x: unit as u64,
            pos: 0,
        }
    }

    pub(crate) fn fill(&mut self, out: &mut [u8]) {
        for byte in out {
            let i = self.pos % 8;
            if i == 0 {
                self.x = splitmix64(self.x);
            }
            *byte = (self.x >> (i * 8)) as u8;
            self.pos += 1;
        }
    }
}

pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

pub(crate) fn fnv1a_update(h: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(h, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::cancel::CancelToken;
    use crate::engine::pacer::RunGuard;

    #[test]
    fn file_round_trip_hashes_content_and_cleans_up() {
        let dir = tempfile::tempdir().unwrap();
        let w = file_workload(dir.path(), 4, 2);
        let g = guard();
        let a = w.run_unit(1, &g).unwrap();
        assert_eq!(a, fnv1a(&pattern(1, 4096)));
        assert_ne!(a, w.run_unit(0, &g).unwrap());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    /// A file round trip of `file_kib` a task, `tasks` tasks, by one worker in `dir`.
    fn file_workload(dir: &std::path::Path, file_kib: u64, tasks: usize) -> IoWorkload {
        let env = RunEnv {
            workers: 1,
            scratch_dir: dir.to_path_buf(),
            shared_file: None,
        };
        let params = IoParams {
            mode: IoMode::File,
            sleep_ms: 0.0,
            file_kib,
        };
        IoWorkload::new(&params, tasks, &env).unwrap()
    }

    fn guard() -> RunGuard {
        RunGuard::new(CancelToken::new(), Duration::from_secs(10))
    }

    /// The whole-file pattern and hash of the version that held the file in memory.
    fn pattern(unit: usize, len: usize) -> Vec<u8> {
        let mut x = unit as u64;
        (0..len)
            .map(|i| {
                if i % 8 == 0 {
                    x = splitmix64(x);
                }
                (x >> ((i % 8) * 8)) as u8
            })
            .collect()
    }

    fn fnv1a(bytes: &[u8]) -> u64 {
        fnv1a_update(FNV_OFFSET, bytes)
    }

    #[test]
    fn a_file_of_several_chunks_hashes_as_the_whole_file_would() {
        let dir = tempfile::tempdir().unwrap();
        // 2.5 chunks, and a size that is not a multiple of 8.
        let len = IO_CHUNK_BYTES * 5 / 2 + 3;
        let mut pat = Pattern::new(7);
        let mut pieces = vec![0u8; len];
        let (a, b) = pieces.split_at_mut(5);
        pat.fill(a);
        pat.fill(b);
        assert_eq!(pieces, pattern(7, len));
        let w = file_workload(dir.path(), 161, 8);
        let g = guard();
        assert_eq!(w.run_unit(7, &g).unwrap(), fnv1a(&pattern(7, 161 * 1024)));
    }

    /// Notes, in order, each checkpoint (`c`: computing, where an emulated GIL is held) and
    /// each blocking call (`B`: released), and whether a blocking call made a checkpoint.
    #[derive(Default)]
    struct SequencePacer {
        calls: std::cell::RefCell<String>,
        blocking_now: std::cell::Cell<bool>,
    }

    impl Pacer for SequencePacer {
        fn checkpoint(&self) -> UnitResult<()> {
            assert!(
                !self.blocking_now.get(),
                "a checkpoint inside a blocking call"
            );
            self.calls.borrow_mut().push('c');
            Ok(())
        }

        fn wait(&self, _duration: Duration) -> UnitResult<()> {
            self.calls.borrow_mut().push('W');
            Ok(())
        }

        fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
            self.calls.borrow_mut().push('B');
            self.blocking_now.set(true);
            let result = io();
            self.blocking_now.set(false);
            result.map_err(|e| UnitError::Failed(e.to_string()))
        }
    }

    #[test]
    fn only_the_system_calls_of_a_file_round_trip_block_and_its_computing_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        // One full chunk (8 pieces) and one of 20 KiB (3 pieces: 8 + 8 + 4 KiB).
        let w = file_workload(dir.path(), 64 + 20, 1);
        let pacer = SequencePacer::default();
        let hash = w.run_unit(3, &pacer).unwrap();
        assert_eq!(
            hash,
            fnv1a(&pattern(3, 84 * 1024)),
            "the same file as before"
        );
        let expected = [
            "B", // create
            "cccccccc", "B", "ccc", "B", // make the pattern under the lock, write it released
            "B", // fsync and seek back
            "B", "cccccccc", // read a chunk released, compare and hash it held
            "B", "ccc", "B", // end of file
        ]
        .concat();
        assert_eq!(*pacer.calls.borrow(), expected);
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "removed");
    }

    #[test]
    fn a_cancel_is_noticed_while_the_file_is_made_and_the_file_is_removed() {
        struct CancelAtThirdCheckpoint(std::cell::Cell<usize>);
        impl Pacer for CancelAtThirdCheckpoint {
            fn checkpoint(&self) -> UnitResult<()> {
                self.0.set(self.0.get() + 1);
                match self.0.get() {
                    3 => Err(UnitError::Cancelled),
                    _ => Ok(()),
                }
            }
            fn wait(&self, _duration: Duration) -> UnitResult<()> {
                Ok(())
            }
            fn blocking(&self, io: &mut dyn FnMut() -> std::io::Result<()>) -> UnitResult<()> {
                io().map_err(|e| UnitError::Failed(e.to_string()))
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let w = file_workload(dir.path(), 256, 1);
        let pacer = CancelAtThirdCheckpoint(std::cell::Cell::new(0));
        assert_eq!(w.run_unit(0, &pacer), Err(UnitError::Cancelled));
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "removed");
    }

    #[test]
    fn a_planted_unit_file_fails_the_unit_and_is_not_written_through() {
        let dir = tempfile::tempdir().unwrap();
        let victim = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(victim.path(), b"precious").unwrap();
        let planted = dir
            .path()
            .join(format!("unit-0-{}.bin", std::process::id()));
        std::os::unix::fs::symlink(victim.path(), &planted).unwrap();
        let w = file_workload(dir.path(), 4, 1);
        let g = guard();
        assert!(w.run_unit(0, &g).is_err());
        assert_eq!(std::fs::read(victim.path()).unwrap(), b"precious");
    }
}
