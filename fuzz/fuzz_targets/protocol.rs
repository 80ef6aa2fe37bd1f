#![no_main]
//! Any line from a worker or the parent: decoded or refused, never a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = corelab::engine::protocol::decode_from_worker(line);
        let _ = corelab::engine::protocol::decode_to_worker(line);
    }
});
