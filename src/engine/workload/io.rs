use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::PathBuf;
use std::time::Duration;

use super::cpu::splitmix64;
use super::{RunEnv, Workload};
use crate::engine::pacer::{Pacer, UnitError, UnitResult};
use crate::preset::{IoMode, IoParams};

pub struct IoWorkload {
    mode: IoMode,
    sleep: Duration,
    file_bytes: usize,
    tasks: usize,
    dir: PathBuf,
}

impl IoWorkload {
    pub fn new(params: &IoParams, tasks: usize, env: &RunEnv) -> Self {
        IoWorkload {
            mode: params.mode,
            sleep: Duration::from_secs_f64(params.sleep_ms / 1000.0),
            file_bytes: (params.file_kib * 1024) as usize,
            tasks,
            dir: env.scratch_dir.clone(),
        }
    }

    /// Writes a deterministic file, fsyncs it, reads it back and returns the FNV-1a hash of
    /// what was read. The file is removed afterwards.
    fn file_round_trip(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        let path = self
            .dir
            .join(format!("unit-{unit}-{}.bin", std::process::id()));
        let data = pattern(unit, self.file_bytes);
        let mut read_back = Vec::with_capacity(data.len());
        let result = pacer.blocking(&mut || {
            let mut file = File::create(&path)?;
            file.write_all(&data)?;
            file.sync_all()?;
            drop(file);
            read_back.clear();
            File::open(&path)?.read_to_end(&mut read_back)?;
            Ok(())
        });
        let _ = fs::remove_file(&path);
        result?;
        if read_back != data {
            return Err(UnitError::Failed(format!(
                "file I/O: read back {} bytes that differ from the {} written",
                read_back.len(),
                data.len()
            )));
        }
        Ok(fnv1a(&read_back))
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
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
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
        let env = RunEnv {
            workers: 1,
            scratch_dir: dir.path().to_path_buf(),
            shared_file: None,
        };
        let params = IoParams {
            mode: IoMode::File,
            sleep_ms: 0.0,
            file_kib: 4,
        };
        let w = IoWorkload::new(&params, 2, &env);
        let g = RunGuard::new(CancelToken::new(), Duration::from_secs(10));
        let a = w.run_unit(1, &g).unwrap();
        assert_eq!(a, fnv1a(&pattern(1, 4096)));
        assert_ne!(a, w.run_unit(0, &g).unwrap());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
