//! The command line: `corelab` (workbench), `corelab run` (headless sweep), `corelab presets`,
//! and the hidden `corelab worker` child mode.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};

use crate::engine::{CancelToken, SweepConfig, SweepEvent, WorkerCommand, run_sweep, worker};
use crate::export::{summary_csv, summary_table};
use crate::preset::{Experiment, ModelKind, builtin_presets};
use crate::results::{RunStatus, write_atomically};

#[derive(Parser, Debug)]
#[command(
    name = "corelab",
    version,
    about = "A workbench for concurrency experiments: threads, pools, processes and an emulated GIL, measured as speedup curves.",
    long_about = None
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Workbench only: render the window, save it as a PNG here, and exit.
    #[arg(long, value_name = "PATH")]
    pub screenshot: Option<PathBuf>,
    /// Workbench only: load this preset (a file, or a built-in preset's name) at start.
    #[arg(long, value_name = "NAME_OR_PATH")]
    pub preset: Option<String>,
    /// Workbench only: open this results file at start.
    #[arg(long, value_name = "FILE")]
    pub results: Option<PathBuf>,
    /// Workbench only: run the loaded experiment at start (to completion before a screenshot).
    #[arg(long)]
    pub run: bool,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run an experiment headless and print a summary table.
    Run(RunArgs),
    /// List the built-in presets.
    Presets,
    /// Child-process mode of the `processes` model (speaks JSON lines on stdin/stdout).
    #[command(hide = true)]
    Worker,
}

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A preset file, or the name of a built-in preset (see `corelab presets`).
    pub preset: String,
    /// Write the full results (every raw sample) as JSON here.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Write the summary table as CSV here.
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Override the preset's worker counts, e.g. `1,2,4,8,16`.
    #[arg(long, value_delimiter = ',', value_name = "N,N,…")]
    pub workers: Option<Vec<usize>>,
    /// Override the preset's models, e.g. `sequential,threads,processes`.
    #[arg(long, value_delimiter = ',', value_name = "MODEL,…", value_parser = parse_model)]
    pub models: Option<Vec<ModelKind>>,
    /// Override the number of timed repetitions per cell.
    #[arg(long, value_name = "N")]
    pub repetitions: Option<u32>,
    /// Print only the summary table (no progress lines).
    #[arg(long, short)]
    pub quiet: bool,
}

fn parse_model(s: &str) -> Result<ModelKind, String> {
    ModelKind::ALL
        .into_iter()
        .find(|m| m.id() == s)
        .ok_or_else(|| {
            let names: Vec<&str> = ModelKind::ALL.iter().map(|m| m.id()).collect();
            format!("unknown model {s:?}; choose from {}", names.join(", "))
        })
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let outcome = match cli.command {
        None => crate::gui::run_app(crate::gui::GuiOptions {
            screenshot: cli.screenshot,
            preset: cli.preset,
            results: cli.results,
            run: cli.run,
        }),
        Some(Command::Worker) => return ExitCode::from(worker::serve() as u8),
        Some(Command::Presets) => {
            list_presets();
            Ok(())
        }
        Some(Command::Run(args)) => run(&args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn list_presets() {
    for p in builtin_presets() {
        match p.experiment() {
            Ok(e) => println!("{:<28} {}", p.id, e.name),
            Err(err) => println!("{:<28} (broken: {err})", p.id),
        }
    }
}

/// `corelab run`: load, override, validate, sweep, print, write.
pub fn run(args: &RunArgs) -> Result<()> {
    let mut exp = Experiment::load_path_or_builtin(&args.preset)
        .with_context(|| format!("cannot use preset {}", args.preset))?;
    if let Some(w) = &args.workers {
        exp.workers = w.clone();
    }
    if let Some(m) = &args.models {
        exp.models = m.clone();
    }
    if let Some(r) = args.repetitions {
        exp.repetitions = r;
    }
    exp.validate()
        .with_context(|| format!("preset {} with the command-line overrides", args.preset))?;
    let worker = WorkerCommand::current_exe().map_err(anyhow::Error::msg)?;
    let config = SweepConfig {
        worker,
        partial_results: args.out.clone(),
    };
    let cancel = CancelToken::new();
    let quiet = args.quiet;
    let mut cells_total = 0;
    let mut cells_done = 0;
    let results = run_sweep(&exp, &config, &cancel, &mut |event| {
        if quiet {
            return;
        }
        match event {
            SweepEvent::Started { plan, runs_total } => {
                cells_total = plan.len();
                eprintln!(
                    "{}: {} cells, {runs_total} runs ({} warm-up + {} timed each)",
                    exp.name,
                    plan.len(),
                    exp.warmups,
                    exp.repetitions
                );
            }
            SweepEvent::CellDone(cell) => {
                cells_done += 1;
                let w = cell.wall.as_ref();
                eprintln!(
                    "[{cells_done:>2}/{cells_total}] {:<11} × {:<3} median {:.4} s (min {:.4}, max {:.4}), speedup {}",
                    cell.model_id(),
                    cell.workers,
                    w.map_or(f64::NAN, |s| s.median),
                    w.map_or(f64::NAN, |s| s.min),
                    w.map_or(f64::NAN, |s| s.max),
                    cell.speedup.map_or("—".into(), |s| format!("{s:.2}×")),
                );
            }
            SweepEvent::Failed {
                model,
                workers,
                reason,
            } => eprintln!("        {model} × {workers} FAILED: {reason}"),
            _ => {}
        }
    });
    print!("{}", summary_table(&results));
    if let Some(path) = &args.out {
        results
            .save(path)
            .with_context(|| "saving the results".to_string())?;
        eprintln!("results written to {}", path.display());
    }
    if let Some(path) = &args.csv {
        write_atomically(path, summary_csv(&results).as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("summary written to {}", path.display());
    }
    if results.status != RunStatus::Complete {
        bail!("the sweep did not complete");
    }
    Ok(())
}
