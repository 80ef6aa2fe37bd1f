//! The payload knob (`task.payload_kib`): each task carries that much input data and returns
//! that much. Threads share the input for free (one buffer, read in place) and hand their
//! output back by reference; worker processes must copy it through a pipe, both ways (raw
//! bytes after the message's line in the worker protocol, `engine::protocol`).
//!
//! The payload never changes a task's checksum: every model computes the same answer, and what
//! differs is only what moving the data costs.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{RunMetrics, Workload};
use crate::engine::pacer::{Pacer, UnitResult};

/// Largest payload per task, KiB (validated with the preset).
pub const MAX_PAYLOAD_KIB: u32 = crate::preset::limits::MAX_PAYLOAD_KIB;

/// The input of every task: `kib` KiB of a fixed pattern.
pub fn input(kib: u32) -> Vec<u8> {
    (0..kib as usize * 1024)
        .map(|i| (i.wrapping_mul(31) ^ (i >> 8)) as u8)
        .collect()
}

/// What a task returns for `input`: as many bytes, each derived from one input byte, so the
/// input is read and the output written in full.
pub fn respond(input: &[u8]) -> Vec<u8> {
    input.iter().map(|b| b.wrapping_add(1)).collect()
}

/// The input data of an in-process run, shared by its units: each unit that carries it reads
/// it in place and writes an output as large.
#[derive(Debug)]
pub struct Payload {
    input: Vec<u8>,
    /// Units that carried it so far.
    carried: AtomicUsize,
}

impl Payload {
    /// The payload of a task with `payload_kib` = `kib`; `None` for 0. Built outside the timed
    /// region.
    pub fn new(kib: u32) -> Option<Arc<Payload>> {
        (kib > 0).then(|| {
            Arc::new(Payload {
                input: input(kib),
                carried: AtomicUsize::new(0),
            })
        })
    }

    /// One unit's share: reads the input and writes its output (then dropped).
    pub fn carry(&self) {
        std::hint::black_box(respond(std::hint::black_box(self.input.as_slice())));
        self.carried.fetch_add(1, Ordering::Relaxed);
    }

    /// Bytes of input each unit carries.
    pub fn len(&self) -> usize {
        self.input.len()
    }

    pub fn is_empty(&self) -> bool {
        self.input.is_empty()
    }

    /// How many units carried it so far.
    pub fn carried(&self) -> usize {
        self.carried.load(Ordering::Relaxed)
    }
}

/// An in-process workload whose tasks each read the shared input and write an output of the
/// same size.
pub struct WithPayload {
    inner: Arc<dyn Workload>,
    payload: Arc<Payload>,
}

/// Wraps `w` when `kib` > 0 (the input is built here, outside the timed region). `w` may be
/// shared with whoever keeps it between runs: the payload is the run's own.
pub fn wrap(w: Arc<dyn Workload>, kib: u32) -> Arc<dyn Workload> {
    match Payload::new(kib) {
        None => w,
        Some(payload) => Arc::new(WithPayload { inner: w, payload }),
    }
}

impl Workload for WithPayload {
    fn unit_count(&self) -> usize {
        self.inner.unit_count()
    }

    fn run_unit(&self, unit: usize, pacer: &dyn Pacer) -> UnitResult<u64> {
        let c = self.inner.run_unit(unit, pacer)?;
        self.payload.carry();
        Ok(c)
    }

    fn finish(&self, checksum: u64) -> UnitResult<RunMetrics> {
        self.inner.finish(checksum)
    }

    fn shared_state(&self) -> Option<String> {
        self.inner.shared_state()
    }

    fn payload(&self) -> Option<&Arc<Payload>> {
        Some(&self.payload)
    }

    fn runs_child_processes(&self) -> bool {
        self.inner.runs_child_processes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_input_has_its_size_and_the_output_is_derived_byte_by_byte() {
        let data = input(1);
        assert_eq!(data.len(), 1024);
        assert_eq!(respond(&data).len(), 1024);
        assert_eq!(respond(&[1, 255]), vec![2, 0]);
    }
}
