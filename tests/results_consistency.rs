//! A results file is hand-edited and shared: whatever corelab opens, edited however, renders
//! without contradicting itself. Seeded random edits of shipped files (counts, statuses,
//! samples, marks, summaries), each opened and, when it opens, rendered as the report, the
//! table, the CSV and the machine's warnings; none may say "k of n" with k > n, print a
//! negative count or NaN/inf.

use corelab::export::{ChartRun, markdown_report, summary_csv, summary_table};
use corelab::results::ResultsFile;
use serde_json::{Value, json};

/// xorshift64*: the same edits on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }
}

/// A count as an editor might write it: plausible, too large, zero, negative.
fn count(rng: &mut Rng) -> Value {
    rng.pick(&[
        json!(0),
        json!(1),
        json!(5),
        json!(1000),
        json!(-3),
        json!(2.5),
    ])
}

fn figure(rng: &mut Rng) -> Value {
    rng.pick(&[
        json!(0.0),
        json!(1e-9),
        json!(0.5),
        json!(3.0),
        json!(1e12),
        json!(-1.0),
        json!(null),
    ])
}

/// One random edit of `doc`.
fn edit(doc: &mut Value, rng: &mut Rng) {
    let n_cells = doc["cells"].as_array().map_or(0, Vec::len);
    let c = rng.below(n_cells);
    let what = rng.below(17);
    let machine_load = &mut doc["machine"]["load_during_runs"];
    match what {
        0 => {
            let field = rng.pick(&["runs", "busy_runs", "unjudged_runs"]);
            if machine_load.is_object() {
                machine_load[field] = count(rng);
            }
        }
        1 => doc["status"] = rng.pick(&[json!("complete"), json!("cancelled"), json!("x")]),
        _ => {
            let cell = &mut doc["cells"][c];
            if !cell.is_object() {
                return;
            }
            let n_samples = cell["samples"].as_array().map_or(0, Vec::len);
            let s = rng.below(n_samples);
            match what {
                2 => cell["busy_runs"] = count(rng),
                3 => {
                    let field = rng.pick(&["runs", "busy_runs", "unjudged_runs"]);
                    if cell["load"].is_object() {
                        cell["load"][field] = count(rng);
                    } else {
                        cell["load"] = json!({field: count(rng), "usable_cores": 2.0});
                    }
                }
                4 => cell["workers"] = count(rng),
                5 => cell["status"] = rng.pick(&[json!("ok"), json!("failed"), json!("cancelled")]),
                6 => cell["samples"] = json!([]),
                7 => {
                    if let Some(samples) = cell["samples"].as_array_mut() {
                        samples.truncate(s);
                    }
                }
                8 => cell["warmups"] = json!([]),
                9 if n_samples > 0 => cell["samples"][s]["busy"] = json!(rng.below(2) == 1),
                10 if n_samples > 0 => {
                    cell["samples"][s]["busy_basis"] =
                        rng.pick(&[json!("run"), json!("cell"), json!("too-few-ticks")]);
                }
                11 if n_samples > 0 => cell["samples"][s]["wall_s"] = figure(rng),
                12 if n_samples > 0 => cell["samples"][s]["other_load"] = figure(rng),
                13 => {
                    let field = rng.pick(&["speedup", "efficiency", "speedup_low", "gb_per_s"]);
                    cell[field] = figure(rng);
                }
                14 if cell["wall"].is_object() => {
                    let field = rng.pick(&["n", "median", "min"]);
                    cell["wall"][field] = count(rng);
                }
                15 => cell["peak_rss_bytes"] = count(rng),
                16 => {
                    if let Some(cells) = doc["cells"].as_array_mut() {
                        cells.remove(c);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Every "k of n" (whole numbers) in `text` with k > n, and every negative count or NaN.
fn contradictions(text: &str) -> Vec<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || "|,;:()[]".contains(c))
        .filter(|w| !w.is_empty())
        .collect();
    let mut found = Vec::new();
    for w in words.windows(3) {
        if w[1] == "of"
            && let (Ok(k), Ok(n)) = (w[0].parse::<u64>(), w[2].parse::<u64>())
            && k > n
        {
            found.push(w.join(" "));
        }
    }
    for w in &words {
        let bare = w.trim_matches(|c: char| "×%.\"'`".contains(c));
        if ["NaN", "nan", "inf", "-inf", "∞"].contains(&bare) {
            found.push(format!("{w} printed"));
        }
    }
    for w in words.windows(3) {
        if w[1] == "of" && w[0].starts_with('-') && w[0][1..].parse::<u64>().is_ok() {
            found.push(format!("negative count: {}", w.join(" ")));
        }
    }
    found
}

fn rendered(r: &ResultsFile) -> String {
    let runs = [ChartRun {
        label: "edited",
        results: r,
    }];
    let mut text = markdown_report(&runs, &[]);
    text.push_str(&summary_table(r));
    text.push_str(&summary_csv(r));
    text.extend(r.machine.busy_warning());
    text.extend(r.machine.load_unknown_note());
    for c in &r.cells {
        assert!(
            c.busy_runs <= c.samples.len(),
            "{} × {}: busy_runs {} of {} runs",
            c.model_id(),
            c.workers,
            c.busy_runs,
            c.samples.len()
        );
        if let Some(l) = &c.load {
            assert!(
                l.busy_runs <= l.runs && l.unjudged_runs <= l.runs && l.runs <= c.samples.len()
            );
        }
        if let Some(w) = &c.wall {
            assert_eq!(w.n, c.samples.len());
        }
    }
    if let Some(l) = &r.machine.load_during_runs {
        let timed: usize = r.cells.iter().map(|c| c.samples.len()).sum();
        assert!(l.busy_runs <= l.runs && l.unjudged_runs <= l.runs && l.runs <= timed);
    }
    text
}

#[test]
fn edited_files_render_without_contradicting_themselves() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // Pooled load with cell summaries; runs without a verdict; load from before pooling.
    let files = [
        "docs/lost-updates.json",
        "docs/perf/2core/lock-contention-processes.json",
        "docs/perf/2core/tokio-32-sleeps.json",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut opened, mut refused) = (0, 0);
    for file in files {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let original: Value = serde_json::from_str(&text).unwrap();
        // The file as shipped renders cleanly too.
        let r = ResultsFile::from_json(&text, file).unwrap();
        assert_eq!(
            contradictions(&rendered(&r)),
            Vec::<String>::new(),
            "{file}"
        );
        for round in 0..25 {
            let mut doc = original.clone();
            let edits = 1 + rng.below(4);
            for _ in 0..edits {
                edit(&mut doc, &mut rng);
            }
            match ResultsFile::from_json(&doc.to_string(), file) {
                Ok(r) => {
                    opened += 1;
                    let found = contradictions(&rendered(&r));
                    assert!(found.is_empty(), "{file}, round {round}: {found:?}");
                }
                Err(e) => {
                    refused += 1;
                    assert!(e.to_string().contains(file), "{e}");
                }
            }
        }
    }
    // Both kinds of outcome were exercised.
    assert!(
        opened > 20 && refused > 3,
        "opened {opened}, refused {refused}"
    );
}

#[test]
fn the_checker_finds_what_it_looks_for() {
    assert_eq!(
        contradictions("busy during 5 of 0 runs; 2 of 3 ok"),
        ["5 of 0"]
    );
    assert_eq!(contradictions("| NaN |"), ["NaN printed"]);
    assert_eq!(contradictions("-2 of 4 runs").len(), 1);
    assert!(contradictions("1.13, of the 2.0 cores").is_empty());
}
