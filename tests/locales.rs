#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
//! A CPython cell under non-English locales (`LC_ALL=tr_TR.ISO-8859-9`, `de_DE.UTF-8`, …):
//! the worker's protocol, a function task named in Turkish in a folder with a dotted capital
//! I, the results JSON, the CSV's decimal points and separators and the Markdown report come
//! out as under `LC_ALL=C`. Runs under the locales `locale -a` lists (generate them with
//! `localedef -i tr_TR -f ISO-8859-9 tr_TR.ISO-8859-9`, say); without any, it prints
//! `skipped: …` with the reason and passes. Without python3 it fails, saying so, unless
//! `CORELAB_SKIP_PYTHON=1`.

mod common;

use std::path::Path;
use std::process::Command;

use corelab::results::ResultsFile;

/// Non-English locales, most revealing first: a non-UTF-8 encoding, then Turkish case rules.
const WANTED: [&str; 4] = [
    "tr_TR.iso88599",
    "de_DE.iso88591",
    "tr_TR.utf8",
    "de_DE.utf8",
];

const NAME: &str = "Yerel ayar: İı Größe, 1,5";

const WORK: &str = "def çalış(n):\n    s = sum(i * i for i in range(n))\n    \
                    return {\"İsim\": \"ıIiİ\", \"değer\": s / 3.0, \"n\": n}\n";

/// The locales of [`WANTED`] this machine has (`locale -a`), at most one of each encoding.
fn installed() -> Vec<&'static str> {
    let listed = Command::new("locale")
        .arg("-a")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).to_lowercase())
        .unwrap_or_default();
    let has = |l: &str| listed.lines().any(|x| x.trim() == l.to_lowercase());
    let legacy = WANTED
        .iter()
        .copied()
        .find(|l| !l.ends_with("utf8") && has(l));
    let utf8 = WANTED
        .iter()
        .copied()
        .find(|l| l.ends_with("utf8") && has(l));
    legacy.into_iter().chain(utf8).collect()
}

struct Outputs {
    results: ResultsFile,
    csv: String,
    markdown: String,
}

fn run_under(locale: &str, dir: &Path) -> Outputs {
    let out = dir.join(format!("{locale}.json"));
    let csv = dir.join(format!("{locale}.csv"));
    let markdown = dir.join(format!("{locale}.md"));
    let o = Command::new(common::corelab_exe())
        .env("LC_ALL", locale)
        .args(["run", "-q"])
        .arg(dir.join("preset.json"))
        .arg("--out")
        .arg(&out)
        .arg("--csv")
        .arg(&csv)
        .arg("--markdown")
        .arg(&markdown)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "LC_ALL={locale}: {stderr}");
    Outputs {
        results: ResultsFile::load(&out).unwrap(),
        csv: std::fs::read_to_string(&csv).unwrap(),
        markdown: std::fs::read_to_string(&markdown).unwrap(),
    }
}

#[test]
fn a_cpython_cell_reads_and_writes_the_same_under_non_english_locales() {
    let test = "a_cpython_cell_reads_and_writes_the_same_under_non_english_locales";
    let locales = installed();
    if locales.is_empty() {
        eprintln!(
            "skipped: {test}: none of {WANTED:?} is installed (localedef -i tr_TR -f ISO-8859-9 tr_TR.ISO-8859-9)"
        );
        return;
    }
    if !common::python_available(test) {
        return;
    }
    let _g = common::exclusive();
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("İçerik ıI");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("work.py"), WORK).unwrap();
    let preset = serde_json::json!({
        "version": 1,
        "name": NAME,
        "task": {"kind": "function", "tasks": 4, "function":
            {"file": "İçerik ıI/work.py", "name": "çalış", "args": [100, 200, 300, 400]}},
        "workers": [2],
        "models": ["py-threading", "py-multiprocessing"],
        "baseline": "same-model-one-worker",
        "repetitions": 1, "warmups": 0, "min_time_s": 0.0, "precision": 0.0,
    });
    std::fs::write(dir.path().join("preset.json"), preset.to_string()).unwrap();
    let reference = run_under("C", dir.path());
    let checksums = |r: &ResultsFile| -> Vec<Option<u64>> {
        let mut cells: Vec<_> = r.cells.iter().collect();
        cells.sort_by_key(|c| (c.model.map(|m| m.id()), c.workers));
        cells.iter().map(|c| c.checksum()).collect()
    };
    assert!(checksums(&reference.results).iter().all(Option::is_some));
    let columns = |csv: &str| -> Vec<usize> { csv.lines().map(|l| l.split(',').count()).collect() };
    for locale in locales {
        let o = run_under(locale, dir.path());
        assert_eq!(o.results.experiment.name, NAME, "{locale}");
        assert_eq!(
            checksums(&o.results),
            checksums(&reference.results),
            "{locale}"
        );
        // The CSV: the same header, as many fields on every line as under C (a decimal comma
        // would add fields), every median a number with a decimal point.
        assert_eq!(
            o.csv.lines().next(),
            reference.csv.lines().next(),
            "{locale}"
        );
        assert_eq!(columns(&o.csv), columns(&reference.csv), "{locale}");
        let header: Vec<&str> = o.csv.lines().next().unwrap().split(',').collect();
        let median = header.iter().position(|h| *h == "median_s").unwrap();
        for line in o.csv.lines().skip(1) {
            let field = line.split(',').nth(median).unwrap();
            assert!(
                field.contains('.') && field.parse::<f64>().is_ok(),
                "{locale}: {line}"
            );
        }
        assert!(o.markdown.contains(NAME), "{locale}");
    }
}
