#![no_main]
//! Any bytes given to the preset parser: an error or a validated experiment, never a panic.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(exp) = corelab::preset::Experiment::from_json(text)
    {
        // Whatever was accepted must survive a round trip and plan a sweep.
        let again = corelab::preset::Experiment::from_json(&exp.to_json()).expect("round trip");
        assert_eq!(again, exp);
        let _ = corelab::engine::sweep_plan(&exp);
    }
});
