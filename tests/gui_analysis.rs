#![allow(clippy::unwrap_used)] // Test code: a panic is a failed test.
#![cfg(feature = "gui")]
//! Workbench tests without a display (egui_kittest): the Fits tab, fitted curves, chart and
//! report export through the typed-path prompt, and comparing runs.

mod common;

use common::gui::{app, opened_path, sized_harness, started, step_until, submit_path};
use common::synthetic::{experiment, synthetic_results, test_machine, usl_sweep};

use std::path::{Path, PathBuf};

use corelab::analysis::fit_results;
use corelab::gui::WorkbenchApp;
use corelab::preset::{Experiment, ModelKind};
use corelab::results::{MachineInfo, ResultsFile};
use eframe::egui;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};

/// A sweep whose threads and processes follow known USL curves.
fn synthetic(name: &str, sigma: f64, kappa: f64) -> ResultsFile {
    usl_sweep(name, &[1, 2, 4, 6, 8, 12, 16], sigma, kappa)
}

fn saved(dir: &Path, file: &str, results: &ResultsFile) -> PathBuf {
    let path = dir.join(file);
    results.save(&path).unwrap();
    path
}

/// In a small window (1024 × 640) the analysis buttons wrap to a second row, each button on
/// one line, and the chart keeps most of the height (the "Copy table" button used to wrap a
/// letter per line, and the bar took 300 points from the chart).
#[test]
fn a_small_window_wraps_the_buttons_and_keeps_the_chart() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(
        dir.path(),
        "r.json",
        &synthetic("Small window", 0.05, 0.002),
    );
    let mut h = sized_harness(app(dir.path()), egui::vec2(1024.0, 640.0));
    h.step();
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, path);
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some() && !a.files_busy()
    });
    h.run();
    let row = h.get_by_label("Export chart…").rect().height();
    for button in ["Copy table", "Add results to compare…", "Export CSV…"] {
        let rect = h.get_by_label(button).rect();
        assert!(rect.height() <= row + 1.0, "{button} is {rect:?}");
        assert!(rect.width() > 3.0 * row, "{button} is {rect:?}");
    }
    // The legend's first entry is in the plot, and the plot reaches down the window.
    let legend = h.get_by_label("ideal (speedup = N)").rect();
    assert!(legend.top() < 400.0, "{legend:?}");
}

/// A fit on two worker counts (a 2-core machine, CPU work measured past its cores) passes
/// through both exactly: the Fits table greys its figures and says "2 points" instead of
/// headlining, say, "max speedup 108×, R² 1.000".
#[test]
fn fits_on_two_points_are_marked_untested() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = synthetic("Two cores", 0.05, 0.002);
    r.machine.logical_cores = 2;
    r.experiment.task.kind = corelab::preset::TaskKind::Cpu;
    let path = saved(dir.path(), "two.json", &r);
    let mut h = opened_path(dir.path(), &path);
    h.state_mut().set_tab(corelab::gui::app::Tab::Fits);
    h.run();
    assert_eq!(h.state().fits()[0].fitted_range(), Some((1, 2)));
    // One row per fitted model (threads, processes).
    assert_eq!(h.query_all_by_label("— (exact: 2 points)").count(), 2);
    assert_eq!(h.query_all_by_label_contains("× (2 points)").count(), 2);
}

/// Two workers slower than one: the Amdahl line through both would need s > 1, so the bound
/// holds s = 1 and the fit misses both points. The Fits tab calls it clamped, not exact, and
/// its bound column names the baseline it is over.
#[test]
fn a_clamped_two_point_fit_is_not_called_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = synthetic_results(
        experiment(
            "Slower with two",
            &[1, 2],
            &[ModelKind::Sequential, ModelKind::Processes],
        ),
        test_machine(),
        [0.99, 1.0, 1.01],
        |_, n| if n > 1.0 { 0.9 } else { 1.0 },
    );
    r.experiment.task.kind = corelab::preset::TaskKind::Cpu;
    let path = saved(dir.path(), "slower.json", &r);
    let mut h = opened_path(dir.path(), &path);
    h.state_mut().set_tab(corelab::gui::app::Tab::Fits);
    h.run();
    assert_eq!(h.query_all_by_label("— (clamped: 2 points)").count(), 1);
    assert_eq!(h.query_all_by_label("— (exact: 2 points)").count(), 0);
    assert_eq!(
        h.query_all_by_label("max speedup (over sequential × 1)")
            .count(),
        1
    );
}

/// Results of another experiment opened over the editor's: the Experiment panel says its
/// settings are not the ones shown, until "Use this configuration" loads theirs.
#[test]
fn the_experiment_panel_says_when_it_is_not_what_the_chart_shows() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(
        dir.path(),
        "other.json",
        &synthetic("Other sweep", 0.05, 0.002),
    );
    let mut h = opened_path(dir.path(), &path);
    h.run();
    let note = "Not the settings of the results shown";
    assert!(h.query_by_label_contains(note).is_some());
    h.get_by_label("Use this configuration").click();
    h.run();
    assert_eq!(h.state().experiment().name, "Other sweep");
    assert!(h.query_by_label_contains(note).is_none());
}

#[test]
fn fits_tab_shows_parameters_and_reading() {
    let dir = tempfile::tempdir().unwrap();
    let results = synthetic("USL sweep", 0.05, 0.002);
    let path = saved(dir.path(), "usl-sweep.json", &results);
    let mut h = opened_path(dir.path(), &path);

    // The fits are those of the stats module, computed once for these results.
    let expected = fit_results(&results);
    assert_eq!(h.state().fits(), expected.as_slice());
    let computed = h.state().fits_computed();
    for _ in 0..5 {
        h.step();
    }
    assert_eq!(
        h.state().fits_computed(),
        computed,
        "fits are cached between frames"
    );
    assert!(h.state().show_fits(), "fitted curves are drawn by default");

    h.get_by_label("Fits").click();
    h.run();
    let threads = expected
        .iter()
        .find(|f| f.model == ModelKind::Threads)
        .unwrap();
    let fitted = threads.usl.as_ref().expect("USL fits the synthetic curve");
    assert!((fitted.sigma - 0.05).abs() < 0.01, "σ = {}", fitted.sigma);
    assert!(
        h.query_by_label(&threads.reading).is_some(),
        "the reading is shown: {}",
        threads.reading
    );
    assert!(h.query_by_label(&format!("{:.4}", fitted.sigma)).is_some());
    // Threads and processes share κ = 0.002 (the processes' 0.9 scale is fitted apart).
    assert!(
        h.query_all_by_label(&format!("{:.5}", fitted.kappa))
            .count()
            >= 1
    );
    let peak = fitted.peak_workers.expect("κ > 0 gives a peak");
    // By hand: S(22) = 22 / 2.974 beats S(21) = 21 / 2.84 (N* = sqrt(0.95 / 0.002) = 21.8).
    assert_eq!(peak, 22);
    assert!(h.query_by_label(&peak.to_string()).is_some());
    let a = threads.amdahl.as_ref().unwrap();
    assert!(
        h.query_by_label(&format!("{:.1} %", a.serial_fraction * 100.0))
            .is_some()
    );
    assert!(h.query_by_label("USL σ").is_some());
    assert_eq!(h.query_all_by_label("Karp–Flatt e(N):").count(), 2);
    assert!(h.query_all_by_label_contains("N=16 e=").count() >= 1);
}

/// Every cell measured with 10 runs: the fits have 95% intervals, and the Fits tab shows each
/// under its figure (or "poorly determined" where the interval is wider than the value).
#[test]
fn fits_tab_gives_each_figure_its_interval() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = synthetic("Measured sweep", 0.05, 0.002);
    let wobble = [
        1.0, 1.004, 0.996, 1.002, 0.998, 1.001, 0.999, 1.003, 0.997, 1.0,
    ];
    for c in &mut results.cells {
        let t = c.samples[1].wall_s;
        c.samples = wobble
            .iter()
            .map(|k| corelab::results::Sample {
                wall_s: t * k,
                cpu_s: t * k,
                checksum: 1,
                ..corelab::results::Sample::default()
            })
            .collect();
    }
    results.recompute();
    let path = saved(dir.path(), "measured.json", &results);
    let mut h = opened_path(dir.path(), &path);
    h.state_mut().set_tab(corelab::gui::app::Tab::Fits);
    h.run();
    let fits = fit_results(&results);
    let threads = fits.iter().find(|f| f.model == ModelKind::Threads).unwrap();
    assert!(threads.points.iter().all(|p| p.relative_error.is_some()));
    let u = threads.usl.as_ref().unwrap();
    let iv = u
        .intervals
        .as_ref()
        .expect("a measured sweep has intervals");
    // Ten runs within ±0.4% on exact USL data: σ is pinned down.
    let (lo, hi) = iv.sigma;
    assert!(lo <= 0.05 && 0.05 <= hi && hi - lo < 0.01, "{iv:?}");
    assert!(!corelab::analysis::coefficient_too_wide(u.sigma, lo, hi));
    let sigma_range = corelab::analysis::coefficient_range(lo, hi);
    assert!(
        h.query_by_label(&sigma_range).is_some(),
        "σ's interval {sigma_range} is shown"
    );
    assert!(h.query_by_label(&format!("{:.4}", u.sigma)).is_some());
    let (plo, phi) = iv.peak_workers.unwrap();
    assert!(plo <= 22 && phi.is_some_and(|h| h >= 22), "{iv:?}");
    // The serial fraction: its range, or "poorly determined" (Amdahl on USL data).
    let a = threads.amdahl.as_ref().unwrap();
    let (slo, shi) = a.serial_fraction_ci.unwrap();
    if corelab::analysis::share_too_wide(a.serial_fraction, slo, shi) {
        assert!(h.query_all_by_label("poorly determined").count() >= 1);
    } else {
        let range = corelab::analysis::percent_range(slo, shi);
        assert!(h.query_by_label(&range).is_some(), "{range}");
    }
    // The reading says it in words.
    assert!(threads.reading.contains("95% CI"), "{}", threads.reading);
    assert!(h.query_by_label(&threads.reading).is_some());
}

#[test]
fn export_chart_and_report_through_the_typed_path_prompt() {
    let dir = tempfile::tempdir().unwrap();
    let path = saved(
        dir.path(),
        "export-me.json",
        &synthetic("Export", 0.05, 0.002),
    );
    let mut h = opened_path(dir.path(), &path);

    let target = dir.path().join("out").join("my-chart.svg");
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    h.get_by_label("Export chart…").click();
    h.run();
    submit_path(&mut h, &target, "Export");
    step_until(&mut h, "the chart export", |a| {
        a.messages()
            .iter()
            .any(|m| m.text.starts_with("Chart saved"))
            || a.messages().iter().any(|m| m.is_error)
    });
    assert!(
        !h.state().messages().iter().any(|m| m.is_error),
        "{:?}",
        h.state().messages()
    );
    let svg = std::fs::read_to_string(&target).unwrap();
    assert!(svg.trim_start().starts_with("<svg"), "{}", &svg[..80]);
    let png = std::fs::read(target.with_extension("png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");

    let report = dir.path().join("out").join("report.md");
    h.get_by_label("Export report…").click();
    h.run();
    submit_path(&mut h, &report, "Export");
    step_until(&mut h, "the report export", |a| {
        a.messages()
            .iter()
            .any(|m| m.text.starts_with("Report saved"))
            || a.messages().iter().any(|m| m.is_error)
    });
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("# Export"), "{text}");
}

#[test]
fn comparing_runs_adds_labelled_series() {
    let dir = tempfile::tempdir().unwrap();
    let first = saved(dir.path(), "laptop.json", &synthetic("Laptop", 0.05, 0.002));
    let second = saved(
        dir.path(),
        "server.json",
        &synthetic("Server", 0.02, 0.0005),
    );
    let mut h = opened_path(dir.path(), &first);

    // Through the button and the typed-path prompt, as a user without a file dialog would.
    h.get_by_label("Add results to compare…").click();
    h.run();
    submit_path(&mut h, &second, "Open");
    step_until(&mut h, "the compared results", |a| {
        !a.compare_runs().is_empty()
    });
    h.run();

    let runs = h.state().compare_runs();
    assert_eq!(runs.len(), 1);
    // Runs are labelled by what tells them apart: here their experiments' names.
    assert_eq!(h.state().run_labels(), ["Laptop", "Server"]);
    assert_eq!(runs[0].results.experiment.name, "Server");
    // Its fits are drawn too: the server's own USL, not the laptop's.
    let usl = |fits: &[corelab::analysis::ModelFit]| {
        fits.iter()
            .find(|f| f.model == ModelKind::Threads)
            .and_then(|f| f.usl.clone())
            .expect("a USL fit of threads")
    };
    let server = usl(&runs[0].fits);
    assert!((server.sigma - 0.02).abs() < 0.005, "{server:?}");
    assert!((usl(h.state().fits()).sigma - 0.05).abs() < 0.01);
    assert!(h.query_by_label("comparing Laptop with Server").is_some());
    // The legend names each series `model @ run (line pattern)`, the shown run's as well: the
    // model's colour is the same in every run, so the pattern a legend entry draws is said in
    // words too, for a screen reader.
    let label = corelab::export::series_label(
        ModelKind::Threads,
        corelab::preset::Baseline::Sequential,
        "Server",
        2,
    );
    assert_eq!(label, "threads @ Server");
    let label = format!("{label} (dashed)");
    assert!(h.query_by_label(&label).is_some(), "legend shows {label}");
    assert!(h.query_by_label("threads @ Laptop (solid)").is_some());
    // The table and the fits show the shown run only, and say so.
    h.state_mut().set_tab(corelab::gui::app::Tab::Table);
    h.run();
    assert!(
        h.query_by_label("This tab shows Laptop only; the compared runs are on the charts.")
            .is_some()
    );
    h.state_mut().set_tab(corelab::gui::app::Tab::Speedup);
    h.run();

    h.get_by_label("Clear comparison").click();
    h.run();
    assert!(h.state().compare_runs().is_empty());
    assert!(h.query_by_label("threads @ Server (dashed)").is_none());
}

/// The same experiment measured on two machines on the same day (the usual comparison):
/// the labels name the machines, and both runs have their own legend entries (labels that
/// were alike used to merge them into one).
#[test]
fn the_same_experiment_on_two_machines_is_told_apart_by_its_cores() {
    let dir = tempfile::tempdir().unwrap();
    let mut small = synthetic("Scaling", 0.05, 0.002);
    small.machine.logical_cores = 2;
    let mut big = synthetic("Scaling", 0.02, 0.0005);
    big.machine.logical_cores = 16;
    let first = saved(dir.path(), "scaling.json", &small);
    std::fs::create_dir(dir.path().join("big")).unwrap();
    let second = saved(&dir.path().join("big"), "scaling.json", &big);
    let mut h = opened_path(dir.path(), &first);
    let ctx = h.ctx.clone();
    h.state_mut().add_compare_path(&ctx, second);
    step_until(&mut h, "the compared results", |a| {
        !a.compare_runs().is_empty() && !a.files_busy()
    });
    h.run();
    assert_eq!(h.state().run_labels(), ["2 cores", "16 cores"]);
    for label in ["threads @ 2 cores (solid)", "threads @ 16 cores (dashed)"] {
        assert!(h.query_by_label(label).is_some(), "legend shows {label}");
    }
    assert!(
        h.query_by_label("comparing 2 cores with 16 cores")
            .is_some()
    );
}

#[test]
fn results_from_a_busy_machine_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = synthetic("Busy sweep", 0.05, 0.002);
    results.machine.busy_cores_at_start = Some(1.6);
    let path = saved(dir.path(), "busy.json", &results);
    let mut h = opened_path(dir.path(), &path);
    h.run();
    h.get_by_label("· noisy: the machine was busy");
    results.machine.busy_cores_at_start = Some(0.1);
    let quiet = saved(dir.path(), "quiet.json", &results);
    let mut h = opened_path(dir.path(), &quiet);
    h.run();
    assert!(h.query_by_label("· noisy: the machine was busy").is_none());
}

/// A few busy runs among many quiet ones: the header says "mostly quiet", as the verdict does,
/// not that the machine was busy.
#[test]
fn a_few_busy_runs_are_mostly_quiet_in_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = synthetic("Mostly quiet", 0.05, 0.002);
    let runs = results.cells.iter().map(|c| c.samples.len()).sum::<usize>();
    assert!(runs >= 20, "enough runs for one to be a few: {runs}");
    // Every run judged, one marked busy by a little load: the file counts the marks when it
    // is opened.
    for s in results.cells.iter_mut().flat_map(|c| c.samples.iter_mut()) {
        (s.other_load, s.busy) = (Some(0.0), false);
    }
    let first = &mut results.cells[0].samples[0];
    (first.other_load, first.busy) = (Some(0.6), true);
    results.machine.load_during_runs = Some(corelab::results::LoadSummary {
        runs,
        busy_runs: 1,
        mean_other_cores: 0.03,
        max_other_cores: 0.6,
        usable_cores: 2.0,
        ticks_per_cpu: 400.0,
        busy: false,
        unjudged_runs: 0,
    });
    let path = saved(dir.path(), "mostly-quiet.json", &results);
    let mut h = opened_path(dir.path(), &path);
    h.run();
    assert_eq!(
        h.state().results().map(|r| r.machine.busyness()),
        Some(corelab::results::Busyness::MostlyQuiet)
    );
    h.get_by_label("· mostly quiet: a few runs were busy");
    assert!(h.query_by_label("· noisy: the machine was busy").is_none());
}

#[test]
fn short_runs_judged_by_their_pooled_ticks_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = synthetic("Short runs", 0.05, 0.002);
    // Busy by the pooled ticks of runs too short to judge one by one.
    let pooled = corelab::results::LoadSummary {
        runs: 60,
        busy_runs: 60,
        mean_other_cores: 1.0,
        max_other_cores: 1.0,
        usable_cores: 2.0,
        ticks_per_cpu: 24.0,
        busy: true,
        unjudged_runs: 0,
    };
    results.machine.load_during_runs = Some(pooled.clone());
    // The runs carry the marks the summary counts (opening a file counts them from the runs).
    let mark = |results: &mut corelab::results::ResultsFile, busy, basis| {
        for s in results.cells.iter_mut().flat_map(|c| c.samples.iter_mut()) {
            (s.other_load, s.busy, s.busy_basis) = (Some(1.0), busy, basis);
        }
    };
    mark(&mut results, true, corelab::results::BusyBasis::Cell);
    let path = saved(dir.path(), "busy.json", &results);
    let mut h = opened_path(dir.path(), &path);
    h.run();
    h.get_by_label("· noisy: the machine was busy");
    assert!(
        h.query_by_label("· busy or not: runs too short to tell")
            .is_none()
    );
    // Too few ticks even pooled: not called busy, nor quiet.
    results.machine.load_during_runs = Some(corelab::results::LoadSummary {
        busy_runs: 0,
        busy: false,
        ticks_per_cpu: 2.4,
        unjudged_runs: 60,
        ..pooled
    });
    mark(
        &mut results,
        false,
        corelab::results::BusyBasis::TooFewTicks,
    );
    let unknown = saved(dir.path(), "unknown.json", &results);
    let mut h = opened_path(dir.path(), &unknown);
    h.run();
    assert!(h.query_by_label("· noisy: the machine was busy").is_none());
    h.get_by_label("· busy or not: runs too short to tell");
}

/// `corelab --results A --compare B --tab fits`: both files open, the Fits tab is shown, and
/// fits of compute-bound work measured past the machine's cores carry a visible warning.
#[test]
fn startup_options_open_results_compare_and_a_tab() {
    let dir = tempfile::tempdir().unwrap();
    let mut small = synthetic("Small machine", 0.05, 0.002);
    small.machine.logical_cores = 4;
    small.recompute();
    let first = saved(dir.path(), "small.json", &small);
    let second = saved(dir.path(), "big.json", &synthetic("Big", 0.02, 0.0005));
    let options = corelab::gui::GuiOptions {
        results: Some(first),
        compare: vec![second],
        tab: Some("fits".into()),
        ..Default::default()
    };
    let h = started(dir.path(), &options, 1);
    assert_eq!(h.state().tab(), corelab::gui::app::Tab::Fits);
    let caveat = h.state().fits()[0]
        .caveat
        .clone()
        .expect("16 workers on 4 cores: the fits warn");
    assert!(
        caveat.contains("this machine's 4 logical cores"),
        "{caveat}"
    );
    assert!(
        h.query_by_label(&format!("Read with care: {caveat}"))
            .is_some(),
        "the warning is on screen"
    );
}

/// Short runs read to four significant digits, and the outlier column gives a count whose
/// hover names the furthest runs (a list in the column pushed the speedup off the screen).
#[test]
fn the_results_table_shows_short_times_and_counts_outliers() {
    let dir = tempfile::tempdir().unwrap();
    let mut results = common::gui::two_cell_results(Experiment::default());
    // Twenty runs of about 0.12 ms, then five tens of microseconds slower.
    let mut walls: Vec<f64> = (0..20).map(|i| 1.2e-4 + 1e-7 * f64::from(i % 3)).collect();
    walls.extend([1.6e-4, 1.9e-4, 1.7e-4, 2.0e-4, 1.8e-4]);
    results.cells[1].samples = walls
        .iter()
        .map(|&wall_s| corelab::results::Sample {
            wall_s,
            cpu_s: wall_s,
            checksum: 7,
            ..Default::default()
        })
        .collect();
    results.recompute();
    let path = saved(dir.path(), "short.json", &results);
    let mut h = opened_path(dir.path(), &path);
    h.get_by_label("Results table").click();
    h.run();
    assert!(
        h.query_by_label("0.0001201").is_some(),
        "median to 4 digits"
    );
    assert!(
        h.query_by_label_contains("outliers, furthest").is_none(),
        "no list in the column"
    );
    h.get_by_label("5").hover();
    h.run();
    assert!(
        h.query_by_label("5 of 25 runs outliers, furthest: 0.0002000 s, 0.0001900 s, 0.0001800 s")
            .is_some(),
        "the hover names the furthest runs"
    );
}

/// Compared runs keep the order they were asked for, though they load in parallel: a large
/// file asked for first (slow to load) stays before a small one asked for second.
#[test]
fn compared_runs_keep_the_order_they_were_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    let first = saved(dir.path(), "shown.json", &synthetic("Shown", 0.05, 0.002));
    let mut big = synthetic("Big", 0.02, 0.0005);
    // As many cells as a results file may have: it takes far longer to read than the small
    // one asked for after it. Each a different model and worker count, as a file must have.
    let template = big.cells.clone();
    big.cells = (0..corelab::results::MAX_CELLS)
        .map(|i| {
            let mut cell = template[i % template.len()].clone();
            cell.model = Some(ModelKind::ALL[i / 1024]);
            cell.workers = i % 1024 + 1;
            cell
        })
        .collect();
    let big = saved(dir.path(), "big.json", &big);
    let small = saved(dir.path(), "small.json", &synthetic("Small", 0.03, 0.001));
    let mut h = opened_path(dir.path(), &first);
    let ctx = h.ctx.clone();
    h.state_mut().add_compare_path(&ctx, big);
    h.state_mut().add_compare_path(&ctx, small);
    step_until(&mut h, "both compared files", |a| {
        a.compare_runs().len() == 2 && !a.files_busy()
    });
    let names: Vec<&str> = h
        .state()
        .compare_runs()
        .iter()
        .map(|c| c.results.experiment.name.as_str())
        .collect();
    assert_eq!(names, ["Big", "Small"]);
}

/// Whether the "log₂ workers" box is ticked.
fn log_x_ticked(h: &Harness<'static, WorkbenchApp>) -> bool {
    h.get_by_label("log₂ workers").accesskit_node().toggled()
        == Some(egui::accesskit::Toggled::True)
}

/// Worker counts from 4 to 1024 crowd into a corner on a linear axis: the chart starts on a
/// log₂ axis, and once the user sets the box it stays as set.
#[test]
fn a_wide_worker_sweep_starts_on_a_log_axis_until_the_user_says_otherwise() {
    let dir = tempfile::tempdir().unwrap();
    let experiment = common::synthetic::experiment(
        "Waits",
        &[4, 16, 64, 256, 1024],
        &[ModelKind::Sequential, ModelKind::Threads],
    );
    let wide = common::synthetic::synthetic_results(
        experiment,
        MachineInfo::default(),
        [0.99, 1.0, 1.01],
        |_, x| x,
    );
    let path = saved(dir.path(), "wide.json", &wide);
    let mut h = opened_path(dir.path(), &path);
    h.run();
    assert!(log_x_ticked(&h), "4 to 1024 workers: log₂ by default");
    h.get_by_label("log₂ workers").click();
    h.run();
    assert!(!log_x_ticked(&h), "unticked by the user");
    // A narrow sweep opened next does not tick it again: the user chose.
    let narrow = saved(dir.path(), "narrow.json", &synthetic("Narrow", 0.05, 0.002));
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, narrow);
    step_until(&mut h, "the results to load", |a| {
        a.results().is_some_and(|r| r.experiment.name == "Narrow") && !a.files_busy()
    });
    h.run();
    assert!(!log_x_ticked(&h));
}

/// A contention task of 1000 increments per worker: the sequential baseline loses nothing,
/// threads × 2 lose 500 of 2000 in every run, threads × 4 lose 2500 of 4000.
fn lost_updates_results() -> ResultsFile {
    let mut r = ResultsFile::default();
    r.experiment.name = "Lost updates by hand".into();
    r.experiment.task.kind = corelab::preset::TaskKind::Contention;
    r.experiment.task.contention.increments = 1000;
    r.experiment.models = vec![ModelKind::Sequential, ModelKind::Threads];
    r.experiment.workers = vec![1, 2, 4];
    r.status = corelab::results::RunStatus::Complete;
    for (model, workers, lost) in [
        (ModelKind::Sequential, 1, 0),
        (ModelKind::Threads, 2, 500),
        (ModelKind::Threads, 4, 2500),
    ] {
        r.cells.push(corelab::results::CellResult {
            model: Some(model),
            workers,
            samples: (0..3)
                .map(|i| corelab::results::Sample {
                    wall_s: 0.01 + 0.001 * f64::from(i),
                    cpu_s: 0.01,
                    checksum: 1000 * workers as u64 - lost,
                    lost_updates: Some(lost),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        });
    }
    r.recompute();
    r
}

fn disabled(h: &Harness<'static, WorkbenchApp>, label: &str) -> Vec<bool> {
    h.get_all_by_label(label)
        .map(|n| n.accesskit_node().is_disabled())
        .collect()
}

/// Saves [`lost_updates_results`] in `dir` and opens them in the workbench of `h`.
fn open_lost_updates_results(h: &mut Harness<'static, WorkbenchApp>, dir: &Path) {
    let lost = saved(dir, "lost.json", &lost_updates_results());
    let ctx = h.ctx.clone();
    h.state_mut().open_results_path(&ctx, lost);
    step_until(h, "the lost-updates results to load", |a| {
        a.results()
            .is_some_and(|r| r.experiment.name == "Lost updates by hand")
            && !a.files_busy()
    });
}

/// Results whose counter lost updates link to the Lost updates tab from any other tab (the
/// lesson is there, not in the speedup curve); results that lost none do not.
#[test]
fn results_that_lost_updates_link_to_their_chart() {
    const LINK: &str = "updates were lost: see the Lost updates tab";
    let dir = tempfile::tempdir().unwrap();
    let cpu = saved(dir.path(), "cpu.json", &synthetic("CPU", 0.05, 0.002));
    let mut h = opened_path(dir.path(), &cpu);
    h.run();
    assert!(h.query_by_label(LINK).is_none(), "no counter, no link");
    open_lost_updates_results(&mut h, dir.path());
    assert_eq!(h.state().tab(), corelab::gui::app::Tab::Speedup);
    h.get_by_label(LINK).click();
    h.run();
    assert_eq!(h.state().tab(), corelab::gui::app::Tab::LostUpdates);
    assert!(
        h.query_by_label(LINK).is_none(),
        "not on the tab it links to"
    );
}

/// The lost-updates chart is offered (a tab, a kind in the export dialog) where the results
/// counted lost updates, greyed where they did not, and read out in words like the others.
#[test]
fn the_lost_updates_chart_is_offered_only_for_results_that_counted_them() {
    let dir = tempfile::tempdir().unwrap();
    let cpu = saved(dir.path(), "cpu.json", &synthetic("CPU", 0.05, 0.002));
    let mut h = opened_path(dir.path(), &cpu);
    h.run();
    assert_eq!(disabled(&h, "Lost updates"), [true], "the tab is greyed");
    h.state_mut().open_export_dialog();
    h.run();
    assert_eq!(
        disabled(&h, "Lost updates"),
        [true, true],
        "greyed in the export dialog too"
    );
    h.state_mut().export_dialog_mut().close();
    // Ctrl+7 while greyed: the tab says why, no chart.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num7);
    h.run();
    assert_eq!(h.state().tab(), corelab::gui::app::Tab::LostUpdates);
    assert!(
        h.query_by_label_contains("only a `contention` task counts lost updates")
            .is_some()
    );

    open_lost_updates_results(&mut h, dir.path());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Num1);
    h.run();
    assert_eq!(disabled(&h, "Lost updates"), [false], "offered");
    h.get_by_label("Lost updates").click();
    h.run();
    assert_eq!(h.state().tab(), corelab::gui::app::Tab::LostUpdates);
    let chart = h.get_by_role(Role::Image);
    let name = chart.accesskit_node().label().unwrap_or_default();
    assert_eq!(
        name,
        "Lost updates chart, increments lost (% of all the workers were asked for) against 1–4 workers: sequential (baseline): 0 lost, threads 62% lost at 4. The Results table (Ctrl+4) counts the runs that lost updates."
    );
    h.state_mut().open_export_dialog();
    h.run();
    assert_eq!(disabled(&h, "Lost updates"), [false, false]);
    let dialog = h.state_mut().export_dialog_mut();
    assert_eq!(
        dialog.chart_options().kind,
        corelab::export::ChartKind::LostUpdates,
        "the dialog opens on the chart shown"
    );
    h.run();
    assert!(h.state_mut().export_dialog_mut().preview_ok());
}
