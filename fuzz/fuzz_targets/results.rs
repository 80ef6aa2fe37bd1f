#![no_main]
//! Any document given to the results loader: an error or a file whose summaries recompute.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(mut results) = corelab::results::ResultsFile::from_json(text, "fuzz")
    {
        results.recompute();
        let _ = corelab::export::summary_csv(&results);
        let _ = corelab::export::summary_table(&results);
    }
});
