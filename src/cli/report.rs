//! `corelab report`: tables, fits, charts (overlaid for several files), a Markdown report and
//! a CSV summary from saved results files, and with `--baseline` the regression gate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::analysis::{fit_results, fits_summary};
use crate::export::{ChartRun, summary_csv, summary_table};
use crate::results::{ResultsFile, RunStatus};

use super::gate::{self, EXIT_REGRESSION};
use super::message_paths::{file_label, inputs_text, path_text};
use super::output_checks::{Input, check_outputs};
use super::outputs::{OutputArgs, chart_outputs, write_outputs};
use super::results_text::{
    gil_lesson_text, machine_text, say_build, say_load, say_sweep_warnings, verdict_text,
};
use super::stdout::{reserve_stdout_for, write_output};

/// The exit statuses of `corelab report`, for `--help` and its man page.
pub(super) const REPORT_AFTER_HELP: &str = "\
A regression gate for CI: `corelab report NEW.json --baseline OLD.json --fail-if-slower 5`
prints each cell (model × workers) of both files with its median wall time and interval (95%
from 6 runs a cell; the lines say what fewer cover), baseline → new, and its change. A cell is slower only beyond the noise: where its interval lies
wholly above the baseline's (at least 3 timed runs a side; overlapping intervals are \"within the
noise\", whatever the medians say). --fail-if-slower PCT fails on such a cell that is more than
PCT percent slower, on a cell the baseline measured that failed in the new run, and where no
cell could be judged (fewer than 3 runs a cell, no cell in both files): a gate that compared
nothing does not pass. Cells in one file only are named, not failed. Where the two tasks differ only in size (calibration), the
times are compared per unit of work (hash round, MiB swept, increment per worker); where the
work cannot be compared (another task, or a primes, io, mixed, command or function task of
another size), nothing is judged and --fail-if-slower fails, saying why. --fail-on-lost-updates
fails when a timed run of any cell lost an update, and when no timed run counted its updates
(only a contention task keeps a shared counter). Each failure is one line on stderr (the model, the workers, both medians with their
intervals, the change), then a closing `Gate passed` line, or a `Gate FAILED` line that says
what failed and what the gate required. Runs that differ
(task size, runs per cell, machine, build, interpreter) get a warning line: their times may not
be comparable. `corelab run` takes the same flags and judges the sweep it measured.

Exit status: 0 when every output asked for was written (and the gate, if asked, passed); 1 when
a file cannot be read, or any output could not be made (the others are still written, and
stderr names each that was not; 1 wins over 5); 2 a command-line mistake; 5 the gate failed.";

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    /// Results files written by `corelab run --out` or the workbench.
    #[arg(required = true, value_name = "RESULTS.json")]
    pub results: Vec<PathBuf>,
    /// Write the summary table as CSV here (`-`: standard output, and the tables go to
    /// stderr), as `corelab run --csv` does; from one results file.
    #[arg(long, value_name = "FILE|-")]
    pub csv: Option<PathBuf>,
    #[command(flatten)]
    pub gate: gate::GateArgs,
    #[command(flatten)]
    pub outputs: OutputArgs,
}

/// `corelab report`: load one or several results files (and the `--baseline`, before anything
/// is printed or written), print their tables and fits, and write the chart (overlaid when
/// several), the Markdown report and (for one file) the CSV summary; with `--baseline`,
/// compare with it, and with a gate's flags exit [`EXIT_REGRESSION`] when the results fail it.
pub(super) fn report(args: &ReportArgs) -> Result<ExitCode> {
    let mut inputs: Vec<Input<'_>> = args
        .results
        .iter()
        .map(|p| ("a results file the report reads", p.as_path()))
        .collect();
    if let Some(baseline) = &args.gate.baseline {
        if args.results.len() > 1 {
            bail!(
                "--baseline {}: it is compared with one results file, and {} were given",
                path_text(baseline),
                args.results.len()
            );
        }
        inputs.push(("the --baseline results file", baseline));
    }
    if let Some(csv) = &args.csv
        && args.results.len() > 1
    {
        bail!(
            "--csv {}: the CSV summary is made from one results file, and {} were given \
             (run `corelab report FILE --csv …` for each)",
            path_text(csv),
            args.results.len()
        );
    }
    let mut outputs = vec![("--csv", args.csv.as_ref())];
    outputs.extend(chart_outputs(&args.outputs));
    check_outputs(&outputs, &inputs, &args.outputs)?;
    reserve_stdout_for(&outputs);
    let mut loaded: Vec<ResultsFile> = Vec::new();
    for path in &args.results {
        loaded.push(
            ResultsFile::load(path)
                .with_context(|| format!("cannot use {} for a report", path_text(path)))?,
        );
    }
    // Read with the other inputs, before anything is printed or written: a baseline that
    // cannot be used is an error (1) that leaves no output half made, as for `run`.
    let baseline = args.gate.load_baseline()?;
    // The chart the experiments' view names, unless --chart names one; whatever outputs are
    // asked for, a chart the results cannot have is never ignored.
    let chart_args = args.outputs.following_views(loaded.iter());
    crate::export::check_available(chart_args.chart(), loaded.iter()).with_context(|| {
        format!(
            "--chart {} with {}",
            chart_args.chart(),
            inputs_text(&args.results)
        )
    })?;
    let labels = run_labels(&args.results, &loaded);
    for ((label, r), path) in labels.iter().zip(&loaded).zip(&args.results) {
        if loaded.len() > 1 {
            // Names come from files: control characters are escaped. The machine is not
            // named here: the section's `machine:` line (`machine_text`) says it, once.
            outln!(
                "== {}: {}",
                crate::export::sanitize::for_terminal_line(label),
                crate::export::sanitize::for_terminal_line(&r.experiment.name)
            );
        }
        out!("{}", summary_table(r));
        out!("{}", verdict_text(r));
        out!("{}", gil_lesson_text(r));
        out!("{}", machine_text(r));
        say_build(r);
        say_load(r, false);
        say_sweep_warnings(r);
        out!("{}", fits_summary(&fit_results(r)));
        if r.status == RunStatus::Failed {
            errln!(
                "note: {}: {}",
                crate::export::sanitize::for_terminal_line(&file_label(path)),
                r.status.describe()
            );
        } else if r.status != RunStatus::Complete {
            errln!(
                "note: {} is not a complete run: {}",
                crate::export::sanitize::for_terminal_line(&file_label(path)),
                r.status.describe()
            );
            // Which of the two, where the file names its writer.
            let written = std::fs::metadata(path).and_then(|m| m.modified()).ok();
            if let Some(writer) = &r.writer
                && let Some(liveness) =
                    crate::results::writer_of_incomplete(r.status, Some(writer), written)
            {
                errln!(
                    "note: {}: {}",
                    crate::export::sanitize::for_terminal_line(&file_label(path)),
                    crate::export::sanitize::for_terminal_line(&crate::results::writer_words(
                        writer, &liveness
                    ))
                );
            }
        }
    }
    let compared: Vec<(&str, &ResultsFile)> =
        labels.iter().map(String::as_str).zip(&loaded).collect();
    for d in crate::results::comparison_differences(&compared) {
        errln!(
            "Note: the compared runs differ in {}",
            crate::export::sanitize::for_terminal_line(&d.describe())
        );
    }
    let runs: Vec<ChartRun<'_>> = labels
        .iter()
        .zip(&loaded)
        .map(|(label, results)| ChartRun { label, results })
        .collect();
    // Each output is tried even when another failed.
    let csv = match (&args.csv, loaded.first()) {
        (Some(path), Some(results)) => match write_output(path, summary_csv(results).as_bytes()) {
            Ok(to) => {
                errln!("summary written to {to}");
                None
            }
            Err(e) => Some(format!("--csv {}: cannot write it: {e}", path_text(path))),
        },
        _ => None,
    };
    let charts = write_outputs(&runs, &chart_args);
    let judged: Vec<(&Path, &ResultsFile)> = args
        .results
        .iter()
        .map(PathBuf::as_path)
        .zip(&loaded)
        .collect();
    let refused = gate::judge(&args.gate, baseline.as_ref(), &judged);
    match (charts, csv) {
        (Ok(()), None) => {}
        (Ok(()), Some(csv)) => bail!("not written: {csv}"),
        (Err(e), None) => return Err(e),
        (Err(e), Some(csv)) => bail!("not written: {csv}; {e:#}"),
    }
    Ok(match refused {
        true => ExitCode::from(EXIT_REGRESSION),
        false => ExitCode::SUCCESS,
    })
}

/// Labels that tell overlaid runs apart by what differs between them: the experiment, the
/// machine, the date and time, then the file stem ([`crate::export::run_labels`]).
fn run_labels(paths: &[PathBuf], loaded: &[ResultsFile]) -> Vec<String> {
    let stems: Vec<Option<String>> = paths.iter().map(|p| Some(file_label(p))).collect();
    let runs: Vec<&ResultsFile> = loaded.iter().collect();
    crate::export::run_labels(&runs, &stems)
}
