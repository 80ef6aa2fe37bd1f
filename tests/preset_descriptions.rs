#![allow(clippy::unwrap_used)] // Test code (and tests/common): a panic is a failed test.
//! A built-in preset whose description says how long it takes ("about nine seconds on two
//! cores, fifteen on sixteen") says what `corelab presets --cores N` estimates for that many
//! cores (`engine::estimate`), within [`TOLERANCE`]: the description is read beside that
//! estimate, and a figure left behind when the preset changed (start-here's "twenty on
//! sixteen" against an estimate of 15 s) told the user two lengths. No timing: the estimate is
//! worked out from the preset alone.

mod common;

use corelab::engine::estimate::estimate;
use corelab::preset::builtin_presets;

/// How far a description's figure may be from the estimate, as a share of the estimate: the
/// estimate is said rounded ("about 9 s"), and a description in words rounds a little more
/// ("about ten seconds" for 9.4 s is 6% off), but not by a third.
const TOLERANCE: f64 = 0.15;

/// A count written in digits or in words, as descriptions write them.
fn number(word: &str) -> Option<f64> {
    if let Ok(n) = word.parse::<f64>() {
        return Some(n);
    }
    const TENS: [(&str, f64); 8] = [
        ("thirty", 30.0),
        ("forty", 40.0),
        ("fifty", 50.0),
        ("sixty", 60.0),
        ("seventy", 70.0),
        ("eighty", 80.0),
        ("ninety", 90.0),
        ("a hundred", 100.0),
    ];
    let word = word.to_lowercase();
    common::NUMBER_WORDS
        .iter()
        .position(|w| *w == word)
        .map(|n| n as f64)
        .or_else(|| TENS.iter().find(|(w, _)| *w == word).map(|(_, n)| *n))
}

/// Every length claimed for a number of cores in `text`, in seconds: "N seconds on M cores"
/// (or minutes), and the ", N on M" that go on from it in the same unit.
fn claims(text: &str) -> Vec<(f64, usize)> {
    let words: Vec<String> = text
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.')
                .trim_end_matches('.')
                .to_string()
        })
        .collect();
    let at = |i: usize| words.get(i).map(String::as_str).unwrap_or("");
    let mut found = Vec::new();
    for i in 1..words.len() {
        let unit = match at(i) {
            "second" | "seconds" => 1.0,
            "minute" | "minutes" => 60.0,
            _ => continue,
        };
        let (Some(length), "on", Some(cores), true) = (
            number(at(i - 1)),
            at(i + 1),
            number(at(i + 2)),
            at(i + 3).starts_with("core"),
        ) else {
            continue;
        };
        found.push((length * unit, cores as usize));
        // ", fifteen on sixteen": more lengths in the same unit.
        let mut j = i + 4;
        while let (Some(length), "on", Some(cores)) = (number(at(j)), at(j + 1), number(at(j + 2)))
        {
            found.push((length * unit, cores as usize));
            j += 3;
            if at(j).starts_with("core") {
                j += 1;
            }
        }
    }
    found
}

#[test]
fn the_claims_are_read_as_written() {
    assert_eq!(
        claims("A tour: about nine seconds on two cores, fifteen on sixteen, for six runs."),
        [(9.0, 2), (15.0, 16)]
    );
    assert_eq!(
        claims("takes 2 minutes on 16 cores, 30 on 64 cores."),
        [(120.0, 16), (1800.0, 64)]
    );
    assert!(claims("six runs a cell on 2 cores").is_empty());
}

#[test]
fn a_description_s_length_agrees_with_the_estimate_for_those_cores() {
    let mut checked = 0;
    for p in builtin_presets() {
        let exp = p.experiment().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        for (claimed_s, cores) in claims(&exp.description) {
            // The worker counts the preset's rule gives on that many cores, as `corelab
            // presets --cores N` resolves them.
            let on = exp.clone().on_cores(cores);
            let e = estimate(&on, cores);
            let estimated_s = e.seconds.unwrap_or_else(|why| {
                panic!(
                    "{}: its description claims a length, its estimate says {why}",
                    p.id
                )
            });
            assert!(
                (claimed_s - estimated_s).abs() <= TOLERANCE * estimated_s,
                "{}: the description says {claimed_s} s on {cores} cores, the estimate {estimated_s:.1} s ({})",
                p.id,
                e.words()
            );
            checked += 1;
        }
    }
    // start-here says how long it takes on two and sixteen cores.
    assert!(checked >= 2, "only {checked} claims found");
}
